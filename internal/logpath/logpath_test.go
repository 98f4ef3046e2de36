package logpath

import (
	"net/http/httptest"
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	tok := strings.Repeat("A", 43)
	for in, want := range map[string]string{
		"/invitasjon/" + tok: "/invitasjon/…", "/en/nytt-passord/" + tok: "/en/nytt-passord/…",
		"/nn/invitasjon/" + tok + "/x": "/nn/invitasjon/…", "/./invitasjon//" + tok: "/./invitasjon/…",
		"/min-henvendelse/" + tok: "/min-henvendelse/…", "/en/svar/" + tok: "/en/svar/…", "/gruppelenke/" + tok: "/gruppelenke/…", "/avmelding/" + tok: "/avmelding/…",
		"/invitasjon/": "/invitasjon/", "/glemt-passord": "/glemt-passord", "/kontor/brukere": "/kontor/brukere", "/finn": "/finn",
	} {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestOf(t *testing.T) {
	r := httptest.NewRequest("GET", "/finn?q=p%C3%A5r%C3%B8rende", nil)
	if got := Of(r); got != "/finn" {
		t.Errorf("the query reached the log form: %q", got)
	}
	r = httptest.NewRequest("GET", "/"+strings.Repeat("x", 500), nil)
	if got := Of(r); len(got) > 204 || !strings.HasSuffix(got, "…") {
		t.Errorf("a long path: %d bytes", len(got))
	}
}
