package auth

import (
	_ "embed"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Lengths of a password, in Unicode code points after NFC (ASVS 5.0 L2:
// at least 12 here, and long passphrases allowed).
const (
	MinPasswordLen = 12
	MaxPasswordLen = 128
)

//go:embed common-passwords.txt
var commonPasswordsText string

// commonPasswords are the 10,000 most common passwords (see
// common-passwords.SOURCE.md), lower case.
var commonPasswords = func() map[string]bool {
	m := make(map[string]bool, 10000)
	for line := range strings.SplitSeq(commonPasswordsText, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			m[line] = true
		}
	}
	return m
}()

// siteWords may not be a password, however decorated.
var siteWords = []string{"fellesrom", "selvhjelp", "sjølvhjelp", "passord"}

// PolicyError says why a password is refused. ID is a message of the
// catalogue (package i18n), Data its template data.
type PolicyError struct {
	ID   string
	Data map[string]any
}

func (e *PolicyError) Error() string { return "password refused: " + e.ID }

// CheckPassword applies the password policy. personal are words of the
// user that the password may not be: their e-mail address and name.
func CheckPassword(password string, personal ...string) error {
	if !utf8.ValidString(password) || strings.ContainsRune(password, 0) {
		return &PolicyError{ID: "auth.password_invalid"}
	}
	pw := norm.NFC.String(password)
	n := utf8.RuneCountInString(pw)
	if n < MinPasswordLen {
		return &PolicyError{ID: "auth.password_short", Data: map[string]any{"Min": MinPasswordLen}}
	}
	if n > MaxPasswordLen {
		return &PolicyError{ID: "auth.password_long", Data: map[string]any{"Max": MaxPasswordLen}}
	}
	lower := strings.ToLower(pw)
	stripped := strings.TrimFunc(lower, func(r rune) bool { return !unicode.IsLetter(r) })
	for _, c := range []string{lower, stripped, unrepeat(lower), unrepeat(stripped)} {
		// A repetition of a few characters ("xxxxxxxxxxxx", "abcabcabcabc") is as weak.
		if commonPasswords[c] || utf8.RuneCountInString(c) < 4 && c == unrepeat(lower) {
			return &PolicyError{ID: "auth.password_common"}
		}
	}
	letters := unrepeat(lettersOf(pw))
	words := append([]string{}, siteWords...)
	for _, p := range personal {
		p = strings.ToLower(norm.NFC.String(strings.TrimSpace(p)))
		if p == "" {
			continue
		}
		if lower == p {
			return &PolicyError{ID: "auth.password_personal"}
		}
		words = append(words, p)
		if local, _, ok := strings.Cut(p, "@"); ok {
			words = append(words, local)
		}
	}
	for _, w := range words {
		if lw := lettersOf(w); len([]rune(lw)) >= 3 && letters == lw {
			return &PolicyError{ID: "auth.password_personal"}
		}
	}
	return nil
}

// lettersOf is the letters of s, lower case: "Kari.Nordmann-1990" → "karinordmann".
func lettersOf(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// unrepeat returns the shortest string whose repetition s is: "abcabc" → "abc".
func unrepeat(s string) string {
	n := len(s)
	for size := 1; size <= n/2; size++ {
		if n%size != 0 {
			continue
		}
		if strings.Repeat(s[:size], n/size) == s {
			return s[:size]
		}
	}
	return s
}
