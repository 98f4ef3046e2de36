package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// TOTP as in RFC 6238: HMAC-SHA1, 30-second steps, 6 digits, with a 20-byte
// secret (RFC 4226's recommendation). A code is accepted for the step
// before and after the current one (clock drift), and never for a step at
// or before the last one the user has used (replay).
const (
	TOTPPeriod      = 30 * time.Second
	TOTPDigits      = 6
	TOTPSecretBytes = 20
	TOTPIssuer      = "fellesrom"
)

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewTOTPSecret returns a new random secret in base32 (32 letters and digits).
func NewTOTPSecret() string {
	b := make([]byte, TOTPSecretBytes)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return b32.EncodeToString(b)
}

// TOTPStep is the number of the time step at t.
func TOTPStep(t time.Time) int64 { return t.Unix() / int64(TOTPPeriod/time.Second) }

// HOTP is the RFC 4226 one-time password of a counter, with digits digits.
func HOTP(secret []byte, counter int64, digits int) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(counter))
	m := hmac.New(sha1.New, secret)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	mod := uint32(1)
	for range digits {
		mod *= 10
	}
	return fmt.Sprintf("%0*d", digits, v%mod)
}

// TOTPCode is the code of a base32 secret at time t (for tests and tools).
func TOTPCode(secret string, t time.Time) (string, error) {
	key, err := decodeSecret(secret)
	if err != nil {
		return "", err
	}
	return HOTP(key, TOTPStep(t), TOTPDigits), nil
}

func decodeSecret(secret string) ([]byte, error) {
	return b32.DecodeString(strings.ToUpper(strings.ReplaceAll(secret, " ", "")))
}

// NormalizeCode removes the spaces and hyphens people type in a code; the
// result is a code only if it is TOTPDigits ASCII digits.
func NormalizeCode(code string) (string, bool) {
	code = strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\u00a0' {
			return -1
		}
		return r
	}, code)
	if len(code) != TOTPDigits {
		return "", false
	}
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return "", false
		}
	}
	return code, true
}

// MatchTOTP checks a code against a base32 secret at now, for the steps
// now-1, now and now+1 that are after lastStep. It returns the step that
// matched; the caller must then record it as used (store.UseTOTPStep), so
// that the code cannot be used again.
func MatchTOTP(secret, code string, now time.Time, lastStep int64) (int64, bool) {
	code, ok := NormalizeCode(code)
	if !ok {
		return 0, false
	}
	key, err := decodeSecret(secret)
	if err != nil || len(key) == 0 {
		return 0, false
	}
	cur := TOTPStep(now)
	var found int64
	for step := cur - 1; step <= cur+1; step++ {
		match := subtle.ConstantTimeCompare([]byte(HOTP(key, step, TOTPDigits)), []byte(code)) == 1
		if match && step > lastStep && found == 0 {
			found = step
		}
	}
	return found, found != 0
}

// TOTPURI is the otpauth:// URI an authenticator app reads from a QR code.
func TOTPURI(secret, account string) string {
	label := url.PathEscape(TOTPIssuer + ":" + account)
	q := url.Values{}
	q.Set("secret", secret)
	q.Set("issuer", TOTPIssuer)
	q.Set("algorithm", "SHA1")
	q.Set("digits", fmt.Sprint(TOTPDigits))
	q.Set("period", fmt.Sprint(int(TOTPPeriod/time.Second)))
	return "otpauth://totp/" + label + "?" + q.Encode()
}

// GroupSecret writes a secret in groups of four for people to type:
// "JBSW Y3DP EHPK 3PXP …".
func GroupSecret(secret string) string {
	var b strings.Builder
	for i, r := range secret {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}
