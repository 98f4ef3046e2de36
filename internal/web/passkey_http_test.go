package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// TestPasskeyHTTP checks the passkey endpoints as a client without
// JavaScript sees them: POST only, same-origin only, JSON answers, the
// page behind sign-in, and the code step unchanged for a TOTP user.
func TestPasskeyHTTP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newStaffFixture(t, st, roomyLimits)
		c := newClient(t, f.srv)
		// The RP ID comes from FELLESROM_PUBLIC_URL (WebAuthn takes no IP address).
		addr := f.srv.Listener.Addr().String()
		t.Setenv("FELLESROM_PUBLIC_URL", "http://localhost"+addr[strings.LastIndex(addr, ":"):])
		wantRedirect(t, "the page, signed out", c.get("/kontor/passkey"), "/logg-inn?neste=%2Fkontor%2Fpasskey")
		for _, p := range []string{"/kontor/passkey/start", "/kontor/passkey/finish", "/logg-inn/passkey/start", "/logg-inn/passkey/finish"} {
			if r := c.get(p); r.status != http.StatusMethodNotAllowed || r.header.Get("Allow") != "POST" {
				t.Errorf("GET %s: %d, Allow %q", p, r.status, r.header.Get("Allow"))
			}
			r := c.post(p, nil)
			if r.status != http.StatusUnauthorized || r.header.Get("Content-Type") != "application/json; charset=utf-8" ||
				r.header.Get("Cache-Control") != "no-store" || !strings.Contains(r.body, `"next":"/logg-inn"`) {
				t.Errorf("POST %s signed out: %d %q %v", p, r.status, r.body, r.header)
			}
			if r := c.post(p, nil, "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"); r.status != http.StatusForbidden {
				t.Errorf("cross-site POST %s: %d", p, r.status)
			}
		}
		// The administrator must enrol: the passkey page is open to them,
		// and registration can start; the sign-in ceremony cannot.
		c.signIn("ada@example.no", staffPassword)
		r := c.get("/kontor/passkey")
		if r.status != http.StatusOK || !strings.Contains(r.body, `data-passkey-register`) || !strings.Contains(r.body, `/static/passkey.`) {
			t.Fatalf("the passkey page: %d", r.status)
		}
		checkStaffHTML(t, "/kontor/passkey", r, "nb")
		if strings.Contains(r.body, "<script>") {
			t.Error("an inline script")
		}
		r = c.post("/kontor/passkey/start", nil)
		if r.status != http.StatusOK || !strings.Contains(r.body, `"challenge"`) || !strings.Contains(r.body, `"rp":{"name":"fellesrom","id":"localhost"}`) {
			t.Errorf("start: %d %s", r.status, r.body)
		}
		if r := c.post("/logg-inn/passkey/start", nil); r.status != http.StatusConflict {
			t.Errorf("the sign-in ceremony while enrolling: %d %s", r.status, r.body)
		}
		r = c.post("/kontor/passkey/finish", url.Values{"x": {"y"}})
		if r.status != http.StatusBadRequest || !strings.Contains(r.body, `"error"`) {
			t.Errorf("finish with a form: %d %s", r.status, r.body)
		}
		// Removing an unknown passkey.
		wantRedirect(t, "remove unknown", c.post("/kontor/passkey", url.Values{"id": {store.NewID()}}), "/kontor/passkey?melding=ukjent")
		wantRedirect(t, "remove garbage", c.post("/kontor/passkey", url.Values{"id": {"../x"}}), "/kontor/passkey?melding=ukjent")
	})
}
