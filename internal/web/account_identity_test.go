package web_test

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/security"
	"github.com/chromedp/chromedp"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/auth/oidctest"
	"github.com/fellesrom/fellesrom/internal/browsertest"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// An organisation on Entra ID, which sends no email_verified: its staff
// cannot sign in until an administrator ticks "trust the e-mail
// addresses" on the provider's form; then an address of the provider's
// domain links the account, an address of another domain does not. An
// account whose address fellesrom does not know is linked by hand on the
// user's page, signs in, and is unlinked again. All against the real
// OpenID Provider process.
func TestSSOTrustEmailAndLinkByHand(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newSSOFixture(t, st)
		ctx := context.Background()
		for _, u := range []oidctest.User{
			{Subject: "entra-per", Username: "entra-per", Email: "per@example.no", OmitEmailVerified: true},
			{Subject: "entra-other", Username: "entra-other", Email: "per@annet.example", OmitEmailVerified: true},
			{Subject: "entra-privat", Username: "entra-privat", Email: "per.privat@annet.example", OmitEmailVerified: true},
		} {
			u.Password = "pw-" + u.Username
			f.op.AddUser(u)
		}
		admin := f.adminClient(t)
		refused := func(username string) {
			t.Helper()
			c := ssoClient(t, f)
			wantSSOPage(t, username, f.ssoSignIn(t, c, username, ""), http.StatusForbidden, "Vi fant ingen konto som passer", "nb")
			if c.cookie(auth.CookieNamePlain) != "" {
				t.Errorf("%s got a session", username)
			}
		}
		signsInAsPer := func(username string) {
			t.Helper()
			c := ssoClient(t, f)
			wantRedirect(t, username, f.ssoSignIn(t, c, username, ""), "/kontor")
			if r := c.get("/kontor"); !strings.Contains(r.body, "Per Partner") {
				t.Errorf("%s is not signed in as Per", username)
			}
		}

		// Without trust_email: no email_verified, no sign-in.
		refused("entra-per")
		// The administrator ticks the box on the provider's form.
		form := ssoValues(f.prov)
		form.Set("trust_email", "1")
		wantRedirect(t, "trust_email on", admin.post("/kontor/sso/"+f.prov.ID, form), "/kontor/sso?melding=lagret")
		if p, _ := st.OIDCProvider(ctx, f.prov.ID); !p.TrustEmail || p.ClientSecret != f.op.ClientSecret {
			t.Fatalf("provider after the form: trust_email %v", p.TrustEmail)
		}
		signsInAsPer("entra-per")
		if id, err := st.IdentityUser(ctx, f.prov.ID, "entra-per"); err != nil || id != f.partner.ID {
			t.Errorf("identity %q %v", id, err)
		}
		// An address outside the provider's domains is never trusted.
		refused("entra-other")

		// Per's private account at the provider: unknown address, refused,
		// until the administrator links it by hand. Per has one subject per
		// provider, so the link made by e-mail goes first.
		refused("entra-privat")
		userPage := "/kontor/brukere/" + f.partner.ID
		r := admin.get(userPage)
		if r.status != http.StatusOK || !strings.Contains(r.body, "entra-per") {
			t.Fatalf("user page: %d\n%s", r.status, r.body)
		}
		checkStaffHTML(t, userPage, r, "nb")
		checkAccountIDs(t, userPage, r)
		link := url.Values{"action": {"link"}, "provider": {f.prov.ID}, "subject": {"entra-privat"}}
		r = admin.post(userPage+"/identiteter", link)
		if r.status != http.StatusConflict || !strings.Contains(html.UnescapeString(r.body), "Brukeren har allerede en konto hos denne innloggingen") ||
			!strings.Contains(r.body, `<a href="#provider">`) || !strings.Contains(r.body, `value="entra-privat"`) {
			t.Errorf("a second subject at the provider: %d", r.status)
		}
		wantRedirect(t, "unlink", admin.post(userPage+"/identiteter", url.Values{"action": {"unlink"}, "provider": {f.prov.ID}}),
			userPage+"?melding=koblet-fra")
		if r := admin.get(userPage + "?melding=koblet-fra"); !strings.Contains(r.body, "Kontoen er koblet fra.") ||
			!strings.Contains(r.body, "Ingen kontoer er koblet til denne brukeren.") {
			t.Errorf("after unlink:\n%s", r.body)
		}
		wantRedirect(t, "unlink again", admin.post(userPage+"/identiteter", url.Values{"action": {"unlink"}, "provider": {f.prov.ID}}),
			userPage+"?melding=finnes-ikke")
		wantRedirect(t, "link", admin.post(userPage+"/identiteter", link), userPage+"?melding=koblet")
		r = admin.get(userPage + "?melding=koblet")
		if !strings.Contains(r.body, "Kontoen er koblet til brukeren.") || !strings.Contains(r.body, "<code>entra-privat</code>") ||
			!strings.Contains(r.body, "Distrikt Nord (Entra ID) (Distrikt Nord)") {
			t.Errorf("after link:\n%s", r.body)
		}
		signsInAsPer("entra-privat")
		// The same subject for another user: refused, nothing changes.
		coordPage := "/kontor/brukere/" + f.coord.ID
		r = admin.post(coordPage+"/identiteter", link)
		if r.status != http.StatusConflict || !strings.Contains(html.UnescapeString(r.body), "Denne kontoen er allerede koblet til en bruker") ||
			!strings.Contains(r.body, `<a href="#subject">`) {
			t.Errorf("a subject linked to someone else: %d", r.status)
		}
		if ids, _ := st.UserIdentities(ctx, f.coord.ID); len(ids) != 0 {
			t.Errorf("the coordinator got %+v", ids)
		}
		// Unlinked, the private account is refused again.
		wantRedirect(t, "unlink", admin.post(userPage+"/identiteter", url.Values{"action": {"unlink"}, "provider": {f.prov.ID}}),
			userPage+"?melding=koblet-fra")
		refused("entra-privat")

		// The audit log: who linked and unlinked, never the subject.
		for action, n := range map[string]int{"identity.link": 1, "identity.unlink": 2, "sso.link": 1, "user.read": 5} {
			log, err := st.AuditLog(ctx, store.AuditFilter{Action: action, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			if len(log) != n {
				t.Errorf("%d %s entries, want %d", len(log), action, n)
			}
			for _, e := range log {
				b, _ := json.Marshal(e.Detail)
				if strings.Contains(string(b), "entra-") || strings.Contains(string(b), "@") {
					t.Errorf("%s holds %s", action, b)
				}
				if action != "sso.link" && e.ActorID != f.admin.ID {
					t.Errorf("%s by %q", action, e.ActorID)
				}
			}
		}
	})
}

// The link form checks each field, says what is wrong next to it, and
// keeps what was typed; a user outside the provider's organisation cannot
// be linked; junk gets 400 or 404, and a GET of the form's target 405.
func TestAccountIdentityForm(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	f := newSSOFixture(t, st)
	admin := f.adminClient(t)
	coordPage := "/kontor/brukere/" + f.coord.ID
	for _, c := range []struct {
		provider, subject string
		errors            map[string]string // field → message
	}{
		{"", "", map[string]string{"provider": "Velg innloggingen.", "subject": "Skriv konto-ID-en."}},
		{store.NewID(), "har mellomrom", map[string]string{"provider": "Velg innloggingen.", "subject": "Skriv konto-ID-en uten mellomrom"}},
		{f.prov.ID, strings.Repeat("x", 256), map[string]string{"subject": "høyst 255 tegn"}},
		{f.prov.ID, "blå", map[string]string{"subject": "Skriv konto-ID-en uten mellomrom"}},
	} {
		r := admin.post(coordPage+"/identiteter", url.Values{"action": {"link"}, "provider": {c.provider}, "subject": {c.subject}})
		body := html.UnescapeString(r.body)
		if r.status != http.StatusBadRequest {
			t.Errorf("%q %q: %d", c.provider, c.subject, r.status)
		}
		for field, msg := range c.errors {
			if !strings.Contains(r.body, `<a href="#`+field+`">`) || !strings.Contains(r.body, `id="`+field+`-error"`) ||
				!strings.Contains(body, msg) {
				t.Errorf("%q %q: no message %q for %s", c.provider, c.subject, msg, field)
			}
		}
		if len(c.subject) <= 255 && !strings.Contains(body, `value="`+c.subject+`"`) {
			t.Errorf("%q: the form lost what was typed", c.subject)
		}
		checkStaffHTML(t, "link form "+c.subject, r, "nb")
		checkAccountIDs(t, "link form "+c.subject, r)
	}
	// The administrator has no role in the district: the sign-in would
	// refuse them, so the link is refused.
	r := admin.post("/kontor/brukere/"+f.admin.ID+"/identiteter", url.Values{"action": {"link"}, "provider": {f.prov.ID}, "subject": {"s-ada"}})
	if r.status != http.StatusBadRequest || !strings.Contains(html.UnescapeString(r.body), "Brukeren har ingen rolle i organisasjonen til denne innloggingen") {
		t.Errorf("a user outside the organisation: %d", r.status)
	}
	// English.
	if r := admin.get("/en/kontor/brukere/" + f.coord.ID); r.status != 200 || !strings.Contains(r.body, "Link an account by hand") {
		t.Errorf("English: %d", r.status)
	} else {
		checkStaffHTML(t, "/en"+coordPage, r, "en")
	}
	for _, c := range []struct {
		path string
		form url.Values
		want int
	}{
		{coordPage + "/identiteter", url.Values{"action": {"delete"}}, http.StatusBadRequest},
		{coordPage + "/identiteter", url.Values{"action": {"unlink"}, "provider": {"junk"}}, http.StatusBadRequest},
		{"/kontor/brukere/" + store.NewID() + "/identiteter", url.Values{"action": {"unlink"}, "provider": {f.prov.ID}}, http.StatusNotFound},
		{"/kontor/brukere/junk/identiteter", url.Values{"action": {"unlink"}, "provider": {f.prov.ID}}, http.StatusNotFound},
	} {
		if r := admin.post(c.path, c.form); r.status != c.want {
			t.Errorf("POST %s %v: %d, want %d", c.path, c.form, r.status, c.want)
		}
	}
	for path, want := range map[string]int{"/kontor/brukere/" + store.NewID(): 404, "/kontor/brukere/junk": 404, coordPage + "/identiteter": 405} {
		if r := admin.get(path); r.status != want {
			t.Errorf("GET %s: %d, want %d", path, r.status, want)
		}
	}
	// The list links each user's page.
	if r := admin.get("/kontor/brukere"); !strings.Contains(r.body, `<a href="`+coordPage+`">Kari Koordinator</a>`) {
		t.Error("the staff page does not link the user's page")
	}
}

// checkAccountIDs fails on a message id of the account pages that the
// catalogue lacks (the page would show the id).
func checkAccountIDs(t *testing.T, what string, r resp) {
	t.Helper()
	body := reAccountAttr.ReplaceAllString(r.body, "")
	if m := reAccountID.FindString(body); m != "" {
		t.Errorf("%s: the catalogue lacks %q", what, m)
	}
}

var (
	reAccountAttr = regexp.MustCompile(`\b[a-z-]+="[^"]*"`)
	reAccountID   = regexp.MustCompile(`\b(?:account|sso)\.[a-z][a-z0-9_]*\b`)
)

// TestAccountIdentityBrowser: axe-core finds nothing on a user's page, with
// an identity, with the link form's errors, and after a link.
func TestAccountIdentityBrowser(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	f := newSSOFixture(t, st)
	actx := store.WithActor(context.Background(), store.Actor{ID: "test"})
	if err := st.LinkIdentityByHand(actx, f.prov.ID, "sub-per", f.partner.ID); err != nil {
		t.Fatal(err)
	}
	secret := auth.NewTOTPSecret()
	if err := st.SetPendingTOTP(actx, f.admin.ID, secret); err != nil {
		t.Fatal(err)
	}
	if err := st.EnableTOTP(actx, f.admin.ID, secret, auth.TOTPStep(f.clock.Now())); err != nil {
		t.Fatal(err)
	}
	ctx := browsertest.Tab(t)
	if _, err := chromedp.Call(ctx, security.SetIgnoreCertificateErrors, security.SetIgnoreCertificateErrorsParams{Ignore: true}); err != nil {
		t.Fatal(err)
	}
	click := func(sel string) int64 {
		t.Helper()
		return load(t, ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
	}
	typeIn := func(id, text string) {
		t.Helper()
		do(t, ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById('`+id+`').value = ''`),
			chromedp.SendKeys(chromedp.ID(id), text, chromedp.NodeVisible))
	}
	page := "/kontor/brukere/" + f.partner.ID
	load(t, ctx, chromedp.Navigate(f.site.URL+page))
	typeIn("email", "ada@example.no")
	typeIn("password", staffPassword)
	click(".staff-form button")
	f.clock.Add(30 * time.Second)
	typeIn("code", code(t, secret, f.clock.Now()))
	click(".staff-form button")
	if p := pagePath(t, ctx); p != page {
		t.Fatalf("after sign-in: %s", p)
	}
	checkPage(t, ctx, "a user's page with an identity (nb)")
	if st := click(".identity button"); st != 200 || pagePath(t, ctx) != page+"?melding=koblet-fra" {
		t.Errorf("unlink: %d at %s", st, pagePath(t, ctx))
	}
	checkPage(t, ctx, "a user's page after unlink (nb)")
	if st := click(`form[aria-labelledby="link-h"] button`); st != 400 {
		t.Errorf("empty link form: %d", st)
	}
	checkPage(t, ctx, "link form with errors (nb)")
	do(t, ctx, chromedp.SetValue(chromedp.ID("provider"), f.prov.ID, chromedp.NodeVisible))
	typeIn("subject", "sub-per-2")
	if st := click(`form[aria-labelledby="link-h"] button`); st != 200 || pagePath(t, ctx) != page+"?melding=koblet" {
		t.Errorf("link: %d at %s", st, pagePath(t, ctx))
	}
	if id, err := st.IdentityUser(actx, f.prov.ID, "sub-per-2"); err != nil || id != f.partner.ID {
		t.Errorf("linked in the browser: %q %v", id, err)
	}
	load(t, ctx, chromedp.Navigate(f.site.URL+"/en"+page))
	checkPage(t, ctx, "a user's page (en)")
}
