package auth_test

import (
	"encoding/base32"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/auth"
)

// RFC 6238 appendix B, the SHA-1 rows: secret "12345678901234567890",
// 8 digits. The 6-digit code is the last six of the same number.
func TestTOTPVectors(t *testing.T) {
	secret := []byte("12345678901234567890")
	b32 := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(secret)
	for _, v := range []struct {
		unix int64
		code string
	}{
		{59, "94287082"}, {1111111109, "07081804"}, {1111111111, "14050471"},
		{1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"},
	} {
		at := time.Unix(v.unix, 0)
		if got := auth.HOTP(secret, auth.TOTPStep(at), 8); got != v.code {
			t.Errorf("T=%d: %s, want %s", v.unix, got, v.code)
		}
		six, err := auth.TOTPCode(b32, at)
		if err != nil || six != v.code[2:] {
			t.Errorf("T=%d: 6 digits %s, want %s", v.unix, six, v.code[2:])
		}
		if step, ok := auth.MatchTOTP(b32, six[:3]+" "+six[3:], at, 0); !ok || step != auth.TOTPStep(at) {
			t.Errorf("T=%d: the code with a space does not match", v.unix)
		}
	}
}

func TestTOTPWindowAndReplay(t *testing.T) {
	secret := auth.NewTOTPSecret()
	if len(secret) != 32 {
		t.Fatalf("secret %q", secret)
	}
	now := time.Date(2026, 3, 1, 12, 0, 15, 0, time.UTC)
	step := auth.TOTPStep(now)
	code := func(d time.Duration) string {
		c, err := auth.TOTPCode(secret, now.Add(d))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	for _, c := range []struct {
		name     string
		code     string
		lastStep int64
		ok       bool
		step     int64
	}{
		{"current", code(0), 0, true, step},
		{"previous step (drift)", code(-30 * time.Second), 0, true, step - 1},
		{"next step (drift)", code(30 * time.Second), 0, true, step + 1},
		{"two steps back", code(-60 * time.Second), 0, false, 0},
		{"two steps ahead", code(60 * time.Second), 0, false, 0},
		{"replay of the current step", code(0), step, false, 0},
		{"replay of an older step", code(-30 * time.Second), step, false, 0},
		{"after the previous was used", code(0), step - 1, true, step},
		{"letters", "abcdef", 0, false, 0},
		{"too short", code(0)[:5], 0, false, 0},
		{"seven digits", code(0) + "1", 0, false, 0},
	} {
		got, ok := auth.MatchTOTP(secret, c.code, now, c.lastStep)
		if ok != c.ok || got != c.step {
			t.Errorf("%s: %d %v, want %d %v", c.name, got, ok, c.step, c.ok)
		}
	}
	uri := auth.TOTPURI(secret, "kari@example.no")
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "otpauth" || u.Host != "totp" || u.Query().Get("secret") != secret ||
		u.Query().Get("issuer") != "fellesrom" || u.Path != "/fellesrom:kari@example.no" {
		t.Errorf("uri %s", uri)
	}
	if g := auth.GroupSecret("ABCDEFGHIJ"); g != "ABCD EFGH IJ" {
		t.Errorf("grouped %q", g)
	}
	q, err := auth.NewQR(uri)
	if err != nil || q.Size < 29 || !strings.HasPrefix(q.Path, "M4 4h7v1h-7z") {
		t.Errorf("QR %d %.40s %v", q.Size, q.Path, err)
	}
}
