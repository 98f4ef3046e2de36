package web_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/browsertest"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// TestAccountBrowser drives Chromium through invitations and password
// reset the way people would: an administrator invites someone on the
// staff page; the invitee follows the link in the mail that arrived at the
// SMTP server, makes a mistake, sets a password and lands on the TOTP
// enrolment; the used link says so; someone asks for a reset link and sets
// a new password. axe-core checks every page on the way, in Bokmål and
// English, and at 320 px no page scrolls sideways.
func TestAccountBrowser(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	e := newAcctEnv(t, st, roomyLimits)
	srv := e.srv
	ctx := browsertest.Tab(t)
	// Between the steps the tab is signed out by clearing its cookies.
	clearCookies := func() {
		t.Helper()
		if _, err := chromedp.Call(ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
			t.Fatal(err)
		}
	}
	// A session made through the pages by a client without JavaScript,
	// handed to the browser.
	useSession := func(c *client) {
		t.Helper()
		clearCookies()
		if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: auth.CookieNamePlain,
			Value: c.cookie(auth.CookieNamePlain), URL: srv.URL + "/"}); err != nil {
			t.Fatal(err)
		}
	}
	reqs := record(t, ctx)
	path := func() string { return pagePath(t, ctx) }
	axe := func(name string) { t.Helper(); checkPage(t, ctx, name) }
	visit := func(p string) int64 {
		t.Helper()
		return load(t, ctx, chromedp.Navigate(srv.URL+p))
	}
	submit := func(sel string) int64 {
		t.Helper()
		return load(t, ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
	}
	typeIn := func(id, text string) {
		t.Helper()
		do(t, ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById('`+id+`').value = ''`),
			chromedp.SendKeys(chromedp.ID(id), text, chromedp.NodeVisible))
	}
	choose := func(id, value string) {
		t.Helper()
		do(t, ctx, chromedp.SetValue(chromedp.ID(id), value, chromedp.NodeVisible))
	}
	value := func(id string) string {
		t.Helper()
		return val(t, ctx, chromedp.Value(chromedp.ID(id)))
	}

	// The administrator's staff page.
	secrets := map[string]string{}
	admin := newClient(t, srv)
	e.signInFull(t, admin, "ada@example.no", secrets)
	useSession(admin)
	if st := visit("/en/kontor/brukere"); st != 200 {
		t.Fatalf("/en/kontor/brukere: %d", st)
	}
	axe("staff page (en)")
	visit("/kontor/brukere")
	axe("staff page (nb)")
	if st := submit("form.staff-form button"); st != 400 {
		t.Errorf("an empty invitation: %d", st)
	}
	if n := val(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('.error-summary li a').length`)); n != 4 {
		t.Errorf("%d errors in the summary, want 4", n)
	}
	axe("staff page with errors (nb)")
	typeIn("email", "ola@example.no")
	typeIn("name", "Ola Nordmann")
	choose("role", "coordinator")
	choose("org", e.house.ID)
	choose("lang", "nb")
	submit("form.staff-form button")
	if p := path(); p != "/kontor/brukere?melding=invitert" {
		t.Fatalf("after the invitation: %s", p)
	}
	if n := val(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('.invite').length`)); n != 1 {
		t.Errorf("%d invitations listed", n)
	}
	axe("staff page with an invitation (nb)")

	// The invitee, in another browser: the link from the mail.
	mails := e.deliver(t)
	if len(mails) != 1 {
		t.Fatalf("%d mails", len(mails))
	}
	link, _ := e.linkOf(t, mails[0])
	clearCookies()
	if st := visit(link); st != 200 {
		t.Fatalf("the invitation's page: %d", st)
	}
	axe("invitation (nb)")
	visit("/en" + link)
	axe("invitation (en)")
	if v := value("name"); v != "Ola Nordmann" {
		t.Errorf("the name field holds %q", v)
	}
	typeIn("password", staffPassword)
	typeIn("password2", staffPassword+" og litt til")
	if st := submit("form.staff-form button"); st != 400 {
		t.Errorf("mismatched passwords: %d", st)
	}
	if value("password") != "" || value("password2") != "" {
		t.Error("a password came back")
	}
	axe("invitation with errors (en)")
	typeIn("password", staffPassword)
	typeIn("password2", staffPassword)
	submit("form.staff-form button")
	if p := path(); p != "/en/kontor/totp" {
		t.Fatalf("after accepting: %s", p)
	}
	axe("TOTP enrolment of the new account (en)")
	clearCookies()
	if st := visit("/en" + link); st != 410 {
		t.Errorf("the used link: %d", st)
	}
	axe("used link (en)")
	visit(link)
	axe("used link (nb)")

	// An invitation for an address with an account: sign in first, then
	// confirm.
	wantRedirect(t, "invite per", admin.post("/kontor/brukere", invitePost("per@example.no", "Per", e.town.ID, "partner", "nb")),
		"/kontor/brukere?melding=invitert")
	perLink, _ := e.linkOf(t, e.deliver(t)[0])
	visit(perLink)
	axe("invitation for an existing account (nb)")
	per := newClient(t, srv)
	e.signInFull(t, per, "per@example.no", secrets)
	useSession(per)
	visit(perLink)
	axe("confirm an invitation (nb)")
	submit("form.staff-form button")
	if p := path(); p != "/kontor" {
		t.Errorf("after confirming: %s", p)
	}
	clearCookies()

	// Password reset.
	visit("/glemt-passord")
	axe("forgotten password (nb)")
	visit("/en/glemt-passord")
	axe("forgotten password (en)")
	if st := submit("form.staff-form button"); st != 400 {
		t.Errorf("an empty address: %d", st)
	}
	axe("forgotten password with an error (en)")
	typeIn("email", "kari@example.no")
	submit("form.staff-form button")
	if p := path(); p != "/en/glemt-passord?melding=sendt" {
		t.Fatalf("after asking: %s", p)
	}
	axe("link on its way (en)")
	mails = e.deliver(t)
	if len(mails) != 1 || mails[0].Subject != "New password for fellesrom" {
		t.Fatalf("reset mails: %+v", mails)
	}
	reset, _ := e.linkOf(t, mails[0])
	if !strings.HasPrefix(reset, "/en/nytt-passord/") {
		t.Errorf("the reset link %s is not in English", reset)
	}
	visit(reset)
	axe("new password (en)")
	visit(strings.TrimPrefix(reset, "/en"))
	axe("new password (nb)")
	typeIn("password", "kort")
	typeIn("password2", "kort")
	if st := submit("form.staff-form button"); st != 400 {
		t.Errorf("a short password: %d", st)
	}
	axe("new password with an error (nb)")
	const fresh = "sju sølvmåker over molo"
	typeIn("password", fresh)
	typeIn("password2", fresh)
	submit("form.staff-form button")
	if p := path(); p != "/logg-inn?melding=nytt-passord" {
		t.Fatalf("after the reset: %s", p)
	}
	if s := val(t, ctx, chromedp.Text(chromedp.CSS(".notice"), chromedp.NodeVisible)); !strings.Contains(s, "Passordet er byttet") {
		t.Errorf("notice %q", s)
	}
	axe("signed out after the reset (nb)")
	if st := visit(reset); st != 410 {
		t.Errorf("the used reset link: %d", st)
	}
	axe("used reset link (en)")

	// Nothing scrolls sideways on a 320 px screen.
	useSession(admin)
	narrow := browsertest.Tab(t, browsertest.WithViewport(320, 640))
	for _, p := range []string{"/kontor/brukere", link, perLink, "/glemt-passord", "/nytt-passord/" + strings.Repeat("A", 43)} {
		load(t, narrow, chromedp.Navigate(srv.URL+p))
		if w := val(t, narrow, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > 320 {
			t.Errorf("%s: %d px wide at 320", p, w)
		}
	}
	if v, _ := url.Parse(srv.URL); v != nil {
		reqs.checkHosts(t, v.Host)
	}
}
