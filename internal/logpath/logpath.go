// Package logpath gives the one form in which a request's path may reach a
// log: never the query string (it holds what a person searched for), never
// the token of an invitation's or a password reset's link, at most 200
// bytes, valid UTF-8.
package logpath

import (
	"net/http"
	"strings"
)

// tokenPrefixes are the paths whose last segment is a secret token.
var tokenPrefixes = []string{"/invitasjon/", "/nytt-passord/", "/min-henvendelse/", "/svar/", "/gruppelenke/", "/avmelding/"}

// Of is r's path as a log may show it.
func Of(r *http.Request) string {
	p := Redact(r.URL.Path)
	if len(p) > 200 {
		p = p[:200] + "…"
	}
	return strings.ToValidUTF8(p, "?")
}

// Redact replaces whatever follows the first of tokenPrefixes
// ("/invitasjon/", "/nytt-passord/", a person's "/min-henvendelse/", an
// invitation's "/svar/", a group contact's "/gruppelenke/", an event
// sign-up's "/avmelding/": a token, in
// any language prefix, even in a path the server will only redirect) by
// "…": "/en/invitasjon/…". Every other path is returned as it is.
func Redact(p string) string {
	cut := -1
	for _, tp := range tokenPrefixes {
		if i := strings.Index(p, tp); i >= 0 && (cut < 0 || i < cut) && len(p) > i+len(tp) {
			cut = i + len(tp)
		}
	}
	if cut < 0 {
		return p
	}
	return p[:cut] + "…"
}
