package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/security"
	"github.com/chromedp/chromedp"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/browsertest"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// TestSSOBrowser signs in through the organisation's provider with
// Chromium, as a person would: the work address, the provider's own login
// form (a real OpenID Provider over TLS), and back to the back office; a
// refused account; and the administrators' pages. axe-core checks every
// page of fellesrom on the way, and no page is wider than 320 px.
func TestSSOBrowser(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	f := newSSOFixture(t, st)
	ctx := browsertest.Tab(t)
	// The provider's certificate is the test's own.
	if _, err := chromedp.Call(ctx, security.SetIgnoreCertificateErrors, security.SetIgnoreCertificateErrorsParams{Ignore: true}); err != nil {
		t.Fatal(err)
	}
	reqs := record(t, ctx)
	site, _ := url.Parse(f.site.URL)
	provider, _ := url.Parse(f.op.Issuer)
	path := func() string { return pagePath(t, ctx) }
	axe := func(name string) { t.Helper(); checkPage(t, ctx, name) }
	click := func(sel string) int64 {
		t.Helper()
		return load(t, ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
	}
	typeIn := func(id, text string) {
		t.Helper()
		do(t, ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById('`+id+`').value = ''`),
			chromedp.SendKeys(chromedp.ID(id), text, chromedp.NodeVisible))
	}

	// The work address finds the organisation's sign-in.
	load(t, ctx, chromedp.Navigate(f.site.URL+"/logg-inn/sso"))
	axe("single sign-on (nb)")
	if st := click(".staff-form button"); st != 400 {
		t.Errorf("empty address: %d", st)
	}
	axe("single sign-on with an error (nb)")
	typeIn("email", "per@example.no")
	if st := click(".staff-form button"); st != 200 {
		t.Errorf("the address: %d", st)
	}
	axe("single sign-on, the address's provider (nb)")

	// Off to the provider, its login form, and back: signed in.
	click(".sso-choices a")
	if u := location(t, ctx); u.Host != provider.Host || u.Path != "/login" {
		t.Fatalf("at %s, not at the provider's login form", u)
	}
	typeIn("username", "per")
	typeIn("password", "pw-per")
	click("#signin")
	if p := path(); p != "/kontor" {
		t.Fatalf("after the provider: %s", p)
	}
	if c := val(t, ctx, chromedp.Text(chromedp.CSS("main"), chromedp.NodeVisible)); !strings.Contains(c, "Per Partner") {
		t.Error("the back office does not show the user")
	}
	axe("back office after single sign-on (nb)")
	click("form.signout button")

	// An account the provider knows and fellesrom does not accept.
	load(t, ctx, chromedp.Navigate(f.site.URL+"/en/logg-inn/sso"))
	axe("single sign-on (en)")
	click(".sso-choices a")
	typeIn("username", "unverified")
	typeIn("password", "pw-unverified")
	if st := click("#signin"); st != 403 {
		t.Errorf("refused: %d", st)
	}
	if p := path(); !strings.HasPrefix(p, "/logg-inn/sso/tilbake?") {
		t.Errorf("refused at %s", p)
	}
	axe("single sign-on refused (en)")
	// Cancelled at the provider.
	load(t, ctx, chromedp.Navigate(f.site.URL+"/nn/logg-inn/sso"))
	axe("single sign-on (nn)")
	click(".sso-choices a")
	if st := click("#cancel"); st != 403 {
		t.Errorf("cancelled: %d", st)
	}
	axe("single sign-on cancelled (nn)")

	// The administrators' pages.
	secret := auth.NewTOTPSecret()
	actx := store.WithActor(context.Background(), store.Actor{ID: "test"})
	if err := st.SetPendingTOTP(actx, f.admin.ID, secret); err != nil {
		t.Fatal(err)
	}
	if err := st.EnableTOTP(actx, f.admin.ID, secret, auth.TOTPStep(f.clock.Now())); err != nil {
		t.Fatal(err)
	}
	load(t, ctx, chromedp.Navigate(f.site.URL+"/kontor/sso"))
	typeIn("email", "ada@example.no")
	typeIn("password", staffPassword)
	click(".staff-form button")
	f.clock.Add(30 * time.Second)
	typeIn("code", code(t, secret, f.clock.Now()))
	click(".staff-form button")
	if p := path(); p != "/kontor/sso" {
		t.Fatalf("after the administrator's sign-in: %s", p)
	}
	axe("providers (nb)")
	click(`a[href="/kontor/sso/ny"]`)
	axe("new provider (nb)")
	if st := click(".staff-form button"); st != 400 {
		t.Errorf("empty provider form: %d", st)
	}
	axe("new provider with errors (nb)")
	load(t, ctx, chromedp.Navigate(f.site.URL+"/kontor/sso/"+f.prov.ID))
	axe("edit provider (nb)")
	load(t, ctx, chromedp.Navigate(f.site.URL+"/en/kontor/sso/"+f.prov.ID))
	axe("edit provider (en)")
	do(t, ctx, chromedp.Click(chromedp.ID("enabled"), chromedp.NodeVisible))
	click(".staff-form button")
	if p := path(); p != "/en/kontor/sso?melding=lagret" {
		t.Fatalf("after saving: %s", p)
	}
	axe("providers with a notice (en)")
	if p, _ := st.OIDCProvider(actx, f.prov.ID); p.Enabled || p.ClientSecret != f.op.ClientSecret {
		t.Errorf("after the browser's edit: enabled %v, secret kept %v", p.Enabled, p.ClientSecret == f.op.ClientSecret)
	}

	narrow := browsertest.Tab(t, browsertest.WithViewport(320, 640))
	for _, p := range []string{"/logg-inn/sso", "/kontor/sso", "/kontor/sso/ny", "/kontor/sso/" + f.prov.ID} {
		load(t, narrow, chromedp.Navigate(f.site.URL+p))
		if w := val(t, narrow, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > 320 {
			t.Errorf("%s: %d px wide at 320", p, w)
		}
	}

	// The browser talked to fellesrom and to the provider, and nothing else.
	reqs.mu.Lock()
	defer reqs.mu.Unlock()
	for _, s := range reqs.urls {
		u, err := url.Parse(s)
		if err != nil || !(u.Scheme == "http" && u.Host == site.Host || u.Scheme == "https" && u.Host == provider.Host) {
			t.Errorf("a request to another host: %s", short(s))
		}
	}
}
