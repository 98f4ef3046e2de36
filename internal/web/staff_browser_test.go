package web_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/browsertest"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// TestStaffBrowser signs an administrator in with Chromium the way a person
// would: password, TOTP enrolment with the code computed from the secret
// the page shows, sign-out, sign-in with password and code, and ending
// another session. axe-core checks every page on the way, in Bokmål and
// English, and no page is wider than a 320 px screen.
func TestStaffBrowser(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	f := newStaffFixture(t, st, roomyLimits)
	srv := f.srv
	host := srv.Listener.Addr().String()
	ctx := browsertest.Tab(t)
	reqs := record(t, ctx)
	path := func() string { return pagePath(t, ctx) }
	axe := func(name string) { t.Helper(); checkPage(t, ctx, name) }
	submit := func(sel string) int64 {
		t.Helper()
		return load(t, ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
	}
	typeIn := func(id, text string) {
		t.Helper()
		do(t, ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById('`+id+`').value = ''`),
			chromedp.SendKeys(chromedp.ID(id), text, chromedp.NodeVisible))
	}

	// The back office sends a stranger to the sign-in page.
	load(t, ctx, chromedp.Navigate(srv.URL+"/kontor/okter"))
	if p := path(); p != "/logg-inn?neste=%2Fkontor%2Fokter" {
		t.Fatalf("the back office went to %s", p)
	}
	axe("sign-in (nb)")
	// An empty form: the summary links to the fields.
	if st := submit(".staff-form button"); st != 400 {
		t.Errorf("empty form: %d", st)
	}
	axe("sign-in with errors (nb)")
	typeIn("email", "ada@example.no")
	typeIn("password", "ikke passordet mitt")
	if st := submit(".staff-form button"); st != 400 {
		t.Errorf("wrong password: %d", st)
	}
	if v := val(t, ctx, chromedp.Value(chromedp.ID("email"))); v != "ada@example.no" {
		t.Errorf("the address typed is gone: %q", v)
	}
	if v := val(t, ctx, chromedp.Value(chromedp.ID("password"))); v != "" {
		t.Error("the password came back")
	}
	axe("sign-in failed (nb)")

	// The password; an administrator must then enrol TOTP.
	typeIn("password", staffPassword)
	submit(".staff-form button")
	if p := path(); p != "/kontor/totp" {
		t.Fatalf("after the password: %s", p)
	}
	axe("TOTP enrolment (nb)")
	secret := strings.ReplaceAll(val(t, ctx, chromedp.Text(chromedp.ID("totp-secret"), chromedp.NodeVisible)), " ", "")
	if len(secret) != 32 {
		t.Fatalf("secret %q", secret)
	}
	if n := val(t, ctx, chromedp.Evaluate[int](`document.querySelector('figure.qr svg').getBoundingClientRect().width`)); n < 150 {
		t.Errorf("the QR code is %d px wide", n)
	}
	typeIn("code", "123")
	submit(".staff-form button")
	axe("TOTP enrolment with an error (nb)")
	typeIn("code", code(t, secret, f.clock.Now()))
	submit(".staff-form button")
	if p := path(); p != "/kontor?melding=totp" {
		t.Fatalf("after enrolment: %s", p)
	}
	axe("back office (nb)")
	load(t, ctx, chromedp.Navigate(srv.URL+"/kontor/okter"))
	axe("sessions (nb)")
	load(t, ctx, chromedp.Navigate(srv.URL+"/en/kontor/okter"))
	axe("sessions (en)")
	load(t, ctx, chromedp.Navigate(srv.URL+"/en/kontor"))
	axe("back office (en)")
	load(t, ctx, chromedp.Navigate(srv.URL+"/kontor/totp"))
	axe("TOTP on (nb)")

	// Sign out, and in again with password and code.
	submit("form.signout button")
	if p := path(); p != "/logg-inn?melding=utlogget" {
		t.Fatalf("after sign-out: %s", p)
	}
	axe("signed out (nb)")
	typeIn("email", "ada@example.no")
	typeIn("password", staffPassword)
	submit(".staff-form button")
	if p := path(); p != "/logg-inn/kode" {
		t.Fatalf("after the password: %s", p)
	}
	axe("code step (nb)")
	f.clock.Add(30 * time.Second)
	typeIn("code", code(t, secret, f.clock.Now()))
	submit(".staff-form button")
	if p := path(); p != "/kontor" {
		t.Fatalf("after the code: %s", p)
	}

	// Another session of the same user, elsewhere; end it from the list.
	f.clock.Add(30 * time.Second)
	other := newClient(t, srv)
	other.signIn("ada@example.no", staffPassword)
	wantRedirect(t, "the other session's code", other.post("/logg-inn/kode", url.Values{"code": {code(t, secret, f.clock.Now())}}), "/kontor")
	load(t, ctx, chromedp.Navigate(srv.URL+"/kontor/okter"))
	if n := val(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('.session').length`)); n != 2 {
		t.Fatalf("%d sessions listed", n)
	}
	axe("two sessions (nb)")
	otherHash := auth.HashToken(other.cookie(auth.CookieNamePlain))
	submit(`input[value="` + otherHash + `"] + button`)
	if p := path(); p != "/kontor/okter?melding=en" {
		t.Fatalf("after ending the other session: %s", p)
	}
	if n := val(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('.session').length`)); n != 1 {
		t.Errorf("%d sessions left", n)
	}
	wantRedirect(t, "the ended session", other.get("/kontor"), "/logg-inn?melding=utlopt&neste=%2Fkontor")
	axe("one session, with a notice (nb)")

	// English and Nynorsk sign-in pages, and the 320 px screen.
	for _, p := range []string{"/en/logg-inn", "/nn/logg-inn"} {
		load(t, ctx, chromedp.Navigate(srv.URL+p))
		axe("sign-in " + p)
	}
	narrow := browsertest.Tab(t, browsertest.WithViewport(320, 640))
	for _, p := range []string{"/logg-inn", "/kontor", "/kontor/okter", "/kontor/totp"} {
		load(t, narrow, chromedp.Navigate(srv.URL+p)) // the tab shares the signed-in cookie
		if w := val(t, narrow, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > 320 {
			t.Errorf("%s: %d px wide at 320", p, w)
		}
	}
	reqs.checkHosts(t, host)
}
