package web_test

import (
	"context"
	"encoding/json"
	"html"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/auth/oidctest"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
	"github.com/fellesrom/fellesrom/internal/web"
)

// ssoFixture is the staff fixture with a real OpenID Provider for the
// district (domain example.no), and the site served so that every request
// carries an HTTP client that trusts the provider's certificate.
type ssoFixture struct {
	*staffFixture
	op    *oidctest.Provider
	site  *httptest.Server
	prov  store.OIDCProvider
	other domain.Organisation // an organisation outside the district
}

func newSSOFixture(t *testing.T, st *store.Store, limits ...auth.Limits) *ssoFixture {
	t.Helper()
	l := roomyLimits
	if len(limits) > 0 {
		l = limits[0]
	}
	f := &ssoFixture{staffFixture: newStaffFixture(t, st, l), op: oidctest.Start(t)}
	h, client := f.h, f.op.Client()
	f.site = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(oidc.ClientContext(r.Context(), client)))
	}))
	t.Cleanup(f.site.Close)
	f.op.AddRedirectURI(f.site.URL + "/logg-inn/sso/tilbake")
	ctx := store.WithActor(context.Background(), store.Actor{ID: "test"})
	f.other = domain.Organisation{Kind: domain.OrgSelfHelpHouse, Slug: "annet-hus", Name: "Annet hus"}
	if err := st.SaveOrganisation(ctx, &f.other); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.CreateUser(ctx, auth.NewUser{Email: "eva@example.no", Name: "Eva Annen",
		Memberships: []store.Membership{{OrgID: f.other.ID, Role: store.RolePartner}}}); err != nil {
		t.Fatal(err)
	}
	f.prov = store.OIDCProvider{OrgID: f.district.ID, Name: "Distrikt Nord (Entra ID)", Issuer: f.op.Issuer,
		ClientID: f.op.ClientID, ClientSecret: f.op.ClientSecret, Scopes: []string{"openid", "email", "profile"},
		EmailDomains: []string{"example.no"}, Enabled: true}
	if err := st.SaveOIDCProvider(ctx, &f.prov); err != nil {
		t.Fatal(err)
	}
	for _, u := range []oidctest.User{
		{Subject: "sub-per", Username: "per", Email: "per@example.no", EmailVerified: true},
		{Subject: "sub-kari", Username: "kari", Email: "kari@example.no", EmailVerified: true},
		{Subject: "sub-unverified", Username: "unverified", Email: "per@example.no"},
		{Subject: "sub-unknown", Username: "unknown", Email: "ukjent@example.no", EmailVerified: true},
		{Subject: "sub-eva", Username: "eva", Email: "eva@example.no", EmailVerified: true},
		{Subject: "sub-ada", Username: "ada", Email: "ada@example.no", EmailVerified: true},
	} {
		u.Password = "pw-" + u.Username
		f.op.AddUser(u)
	}
	return f
}

// startSSO follows the link to the provider and returns the response (a
// redirect to the provider's authorization endpoint).
func (f *ssoFixture) startSSO(t *testing.T, c *client, next string) resp {
	t.Helper()
	q := url.Values{"leverandor": {f.prov.ID}}
	if next != "" {
		q.Set("neste", next)
	}
	r := c.get("/logg-inn/sso/start?" + q.Encode())
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location(), f.op.Issuer+"/authorize?") {
		t.Fatalf("start: %d to %q", r.status, r.location())
	}
	return r
}

// ssoSignIn signs in at the provider as username and follows the way back
// to the callback, which it returns the answer of.
func (f *ssoFixture) ssoSignIn(t *testing.T, c *client, username, next string) resp {
	t.Helper()
	back := f.op.Authorize(t, f.startSSO(t, c, next).location(), username, "pw-"+username)
	if !strings.HasPrefix(back, c.base+"/logg-inn/sso/tilbake?") {
		t.Fatalf("the provider sent the browser to %s", back)
	}
	return c.get(strings.TrimPrefix(back, c.base))
}

func ssoClient(t *testing.T, f *ssoFixture) *client { return newClient(t, f.site) }

// wantSSOPage checks a failure page: its status, its words, and what every
// staff page must be.
func wantSSOPage(t *testing.T, what string, r resp, status int, text, lang string) {
	t.Helper()
	if r.status != status || !strings.Contains(html.UnescapeString(r.body), text) {
		t.Errorf("%s: %d, want %d with %q\n%s", what, r.status, status, text, r.body)
	}
	checkStaffHTML(t, what, r, lang)
	checkSSOIDs(t, what, r)
}

var reSSOID = regexp.MustCompile(`\bsso\.[a-z][a-z0-9_]*\b`)

// checkSSOIDs fails on a message id of this area that the catalogue lacks
// (the page would show the id).
func checkSSOIDs(t *testing.T, what string, r resp) {
	t.Helper()
	if m := reSSOID.FindString(r.body); m != "" {
		t.Errorf("%s: the catalogue lacks %q", what, m)
	}
}

// The pages where a person starts: the address finds the organisation's
// sign-in; the list offers every enabled one; nothing is started by a form.
func TestSSOSigninPages(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	f := newSSOFixture(t, st)
	c := ssoClient(t, f)
	for _, lang := range []string{"nb", "nn", "en"} {
		p := "/logg-inn/sso?neste=%2Fkontor%2Fokter"
		if lang != "nb" {
			p = "/" + lang + p
		}
		r := c.get(p)
		if r.status != 200 {
			t.Fatalf("%s: %d", p, r.status)
		}
		checkStaffHTML(t, p, r, lang)
		checkSSOIDs(t, p, r)
		start := ssoPrefix(lang) + "/logg-inn/sso/start?leverandor=" + f.prov.ID + "&amp;neste=%2Fkontor%2Fokter"
		if !strings.Contains(r.body, `href="`+start+`"`) || !strings.Contains(r.body, "Distrikt Nord (Entra ID)") ||
			!strings.Contains(r.body, `name="neste" value="/kontor/okter"`) {
			t.Errorf("%s lacks the provider's link %s:\n%s", p, start, r.body)
		}
	}
	// The address of a domain the provider serves.
	r := c.post("/logg-inn/sso", url.Values{"email": {" Per@Example.no "}, "neste": {"/kontor"}})
	if r.status != 200 || !strings.Contains(r.body, "Logg inn med Distrikt Nord (Entra ID)") ||
		!strings.Contains(r.body, "/logg-inn/sso/start?leverandor="+f.prov.ID+"&amp;neste=%2Fkontor") {
		t.Errorf("an address of the domain: %d\n%s", r.status, r.body)
	}
	checkStaffHTML(t, "POST /logg-inn/sso", r, "nb")
	// An address of no provider's domain, an empty one, and a broken one.
	for _, c2 := range []struct{ email, text string }{
		{"kari@annet.example", "Vi finner ingen organisasjon med egen innlogging"},
		{"", "Skriv e-postadressen din på jobben."},
		{"ikke-en-adresse", "E-postadressen mangler @"},
	} {
		r := c.post("/logg-inn/sso", url.Values{"email": {c2.email}})
		if r.status != 400 || !strings.Contains(r.body, `<a href="#email">`) || !strings.Contains(r.body, `aria-invalid="true"`) {
			t.Errorf("email %q: %d\n%s", c2.email, r.status, r.body)
		}
		if c2.email != "ikke-en-adresse" && !strings.Contains(html.UnescapeString(r.body), c2.text) {
			t.Errorf("email %q lacks %q", c2.email, c2.text)
		}
		checkStaffHTML(t, "POST /logg-inn/sso "+c2.email, r, "nb")
		checkSSOIDs(t, "POST /logg-inn/sso "+c2.email, r)
	}
	// A disabled provider is not offered and cannot be started.
	ctx := store.WithActor(context.Background(), store.Actor{ID: "test"})
	p := f.prov
	p.Enabled, p.ClientSecret = false, ""
	if err := st.SaveOIDCProvider(ctx, &p); err != nil {
		t.Fatal(err)
	}
	if r := c.get("/logg-inn/sso"); strings.Contains(r.body, f.prov.ID) {
		t.Error("a disabled provider is offered")
	}
	if r := c.get("/logg-inn/sso/start?leverandor=" + f.prov.ID); r.status != 404 {
		t.Errorf("start of a disabled provider: %d", r.status)
	}
	for _, q := range []string{"", "?leverandor=junk", "?leverandor=" + store.NewID()} {
		if r := c.get("/logg-inn/sso/start" + q); r.status != 404 {
			t.Errorf("start%s: %d", q, r.status)
		}
	}
	for _, m := range []struct{ method, path, allow string }{{"POST", "/logg-inn/sso/start", "GET, HEAD"},
		{"POST", "/logg-inn/sso/tilbake", "GET, HEAD"}, {"PUT", "/logg-inn/sso", "GET, HEAD, POST"}} {
		req, _ := http.NewRequest(m.method, f.site.URL+m.path, nil)
		if r := c.do(req); r.status != 405 || r.header.Get("Allow") != m.allow {
			t.Errorf("%s %s: %d %q", m.method, m.path, r.status, r.header.Get("Allow"))
		}
	}
}

func ssoPrefix(lang string) string {
	if lang == "nb" {
		return ""
	}
	return "/" + lang
}

// The whole sign-in through the provider, and every way it can fail: each
// failure is a page that says what to do, never a 500, and never a session.
func TestSSOSignIn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newSSOFixture(t, st)
		c := ssoClient(t, f)

		// A partner (no second factor needed), by verified e-mail: linked,
		// signed in, back where they were going.
		r := f.startSSO(t, c, "/kontor/okter")
		set := strings.Join(r.header.Values("Set-Cookie"), "\n")
		if !regexp.MustCompile(`^fellesrom_sso=[A-Za-z0-9_-]{43}; Path=/; Max-Age=600; HttpOnly; SameSite=Lax$`).MatchString(set) {
			t.Errorf("state cookie %q", set)
		}
		state := c.cookie(auth.SSOCookiePlain)
		authURL, _ := url.Parse(r.location())
		if q := authURL.Query(); q.Get("state") != state || q.Get("code_challenge_method") != "S256" || q.Get("nonce") == "" ||
			q.Get("redirect_uri") != f.site.URL+"/logg-inn/sso/tilbake" || q.Get("client_id") != f.op.ClientID {
			t.Errorf("authorization URL %s", r.location())
		}
		back := f.op.Authorize(t, r.location(), "per", "pw-per")
		r = c.get(strings.TrimPrefix(back, c.base))
		wantRedirect(t, "callback", r, "/kontor/okter")
		if !strings.Contains(strings.Join(r.header.Values("Set-Cookie"), "\n"), "fellesrom_sso=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax") {
			t.Errorf("the state cookie is not cleared: %v", r.header.Values("Set-Cookie"))
		}
		if c.cookie(auth.CookieNamePlain) == "" {
			t.Fatal("no session cookie")
		}
		if r := c.get("/kontor"); r.status != 200 || !strings.Contains(r.body, "Per Partner") {
			t.Errorf("/kontor after single sign-on: %d", r.status)
		}
		if id, err := st.IdentityUser(context.Background(), f.prov.ID, "sub-per"); err != nil || id != f.partner.ID {
			t.Errorf("identity %q %v", id, err)
		}
		// The same callback again: the state is used up.
		wantSSOPage(t, "replayed callback", c.get(strings.TrimPrefix(back, c.base)), 400, "Innloggingen kunne ikke fullføres", "nb")

		// The second time the subject decides, and the language of the start
		// is the language of the end.
		f.op.AddUser(oidctest.User{Subject: "sub-per", Username: "per", Password: "pw-per", Email: "per.p@privat.example"})
		c2 := ssoClient(t, f)
		r = c2.get("/en/logg-inn/sso/start?leverandor=" + f.prov.ID)
		back = f.op.Authorize(t, r.location(), "per", "pw-per")
		wantRedirect(t, "second sign-in", c2.get(strings.TrimPrefix(back, c2.base)), "/en/kontor")

		// A coordinator without TOTP goes on to enrol it.
		c3 := ssoClient(t, f)
		wantRedirect(t, "coordinator", f.ssoSignIn(t, c3, "kari", ""), "/kontor/totp")

		// Refused: unverified address, unknown address, another
		// organisation, an administrator with no role in the district.
		for _, u := range []string{"unverified", "unknown", "eva", "ada"} {
			c := ssoClient(t, f)
			r := f.ssoSignIn(t, c, u, "")
			wantSSOPage(t, u, r, 403, "Vi fant ingen konto som passer", "nb")
			if c.cookie(auth.CookieNamePlain) != "" {
				t.Errorf("%s got a session", u)
			}
		}

		// Cancelled at the provider: error=access_denied.
		c4 := ssoClient(t, f)
		back = f.op.Authorize(t, f.startSSO(t, c4, "").location(), "", "")
		if !strings.Contains(back, "error=access_denied") {
			t.Fatalf("cancel: %s", back)
		}
		wantSSOPage(t, "access_denied", c4.get(strings.TrimPrefix(back, c4.base)), 403, "Innloggingen ble avbrutt", "nb")
		// An error without a state, or any junk: still a page.
		wantSSOPage(t, "error without state", c4.get("/logg-inn/sso/tilbake?error=server_error&error_description=%3Cb%3Ex"), 400,
			"Innloggingen kunne ikke fullføres", "nb")
		wantSSOPage(t, "no parameters", c4.get("/logg-inn/sso/tilbake"), 400, "Innloggingen kunne ikke fullføres", "nb")

		// The callback in another browser (a link an attacker sends): the
		// state is not that browser's.
		c5, stranger := ssoClient(t, f), ssoClient(t, f)
		back = f.op.Authorize(t, f.startSSO(t, c5, "").location(), "per", "pw-per")
		wantSSOPage(t, "another browser", stranger.get(strings.TrimPrefix(back, stranger.base)), 400,
			"startet i en annen nettleser", "nb")
		if stranger.cookie(auth.CookieNamePlain) != "" {
			t.Error("another browser got a session")
		}
		// … and the browser that started it still can.
		wantRedirect(t, "own browser", c5.get(strings.TrimPrefix(back, c5.base)), "/kontor")

		// An ID token with another nonce.
		f.op.SetNonce("nonce-of-another-sign-in")
		c6 := ssoClient(t, f)
		wantSSOPage(t, "wrong nonce", f.ssoSignIn(t, c6, "per", ""), 400, "Innloggingen kunne ikke fullføres", "nb")
		f.op.SetNonce("")

		// The provider cannot be reached, or the exchange fails: 502, not 500.
		ctx := store.WithActor(context.Background(), store.Actor{ID: "test"})
		p := f.prov
		p.ClientSecret = "wrong-secret"
		if err := st.SaveOIDCProvider(ctx, &p); err != nil {
			t.Fatal(err)
		}
		c7 := ssoClient(t, f)
		wantSSOPage(t, "wrong secret", f.ssoSignIn(t, c7, "per", ""), 502, "svarte ikke som den skulle", "nb")
		p.Issuer, p.ClientSecret = "https://127.0.0.1:1", ""
		if err := st.SaveOIDCProvider(ctx, &p); err != nil {
			t.Fatal(err)
		}
		wantSSOPage(t, "unreachable", c7.get("/en/logg-inn/sso/start?leverandor="+p.ID), 502, "did not answer as it should", "en")

		if !auditHas(t, st, "sso.link", "sso.ok", "sso.refused") {
			t.Error("audit entries missing")
		}
	})
}

// With trust_mfa off the local TOTP code is asked after the provider; with
// it on, a second factor in the provider's amr claim is enough.
func TestSSOTrustMFAPages(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	f := newSSOFixture(t, st)
	ctx := store.WithActor(context.Background(), store.Actor{ID: "test"})
	secret := auth.NewTOTPSecret()
	if err := st.SetPendingTOTP(ctx, f.coord.ID, secret); err != nil {
		t.Fatal(err)
	}
	if err := st.EnableTOTP(ctx, f.coord.ID, secret, auth.TOTPStep(f.clock.Now())); err != nil {
		t.Fatal(err)
	}
	f.op.AddUser(oidctest.User{Subject: "sub-kari", Username: "kari", Password: "pw-kari", Email: "kari@example.no",
		EmailVerified: true, AMR: []string{"pwd", "mfa"}})

	c := ssoClient(t, f)
	wantRedirect(t, "trust off", f.ssoSignIn(t, c, "kari", "/kontor/okter"), "/logg-inn/kode?neste=%2Fkontor%2Fokter")
	wantRedirect(t, "/kontor before the code", c.get("/kontor"), "/logg-inn/kode?neste=%2Fkontor")
	f.clock.Add(30 * time.Second)
	wantRedirect(t, "the code", c.post("/logg-inn/kode", url.Values{"code": {code(t, secret, f.clock.Now())}, "neste": {"/kontor/okter"}}),
		"/kontor/okter")

	p := f.prov
	p.TrustMFA, p.ClientSecret = true, ""
	if err := st.SaveOIDCProvider(ctx, &p); err != nil {
		t.Fatal(err)
	}
	c2 := ssoClient(t, f)
	wantRedirect(t, "trust on, amr mfa", f.ssoSignIn(t, c2, "kari", ""), "/kontor")
	if r := c2.get("/kontor/okter"); r.status != 200 || !strings.Contains(r.body, "Med kode fra appen") {
		t.Errorf("sessions page after a trusted second factor: %d", r.status)
	}
	f.op.AddUser(oidctest.User{Subject: "sub-kari", Username: "kari", Password: "pw-kari", Email: "kari@example.no",
		EmailVerified: true, AMR: []string{"pwd"}})
	c3 := ssoClient(t, f)
	wantRedirect(t, "trust on, amr pwd", f.ssoSignIn(t, c3, "kari", ""), "/logg-inn/kode")
}

// adminClient signs the fixture's administrator in with password and TOTP.
func (f *ssoFixture) adminClient(t *testing.T) *client {
	t.Helper()
	ctx := store.WithActor(context.Background(), store.Actor{ID: "test"})
	secret := auth.NewTOTPSecret()
	if err := f.st.SetPendingTOTP(ctx, f.admin.ID, secret); err != nil {
		t.Fatal(err)
	}
	if err := f.st.EnableTOTP(ctx, f.admin.ID, secret, auth.TOTPStep(f.clock.Now())); err != nil {
		t.Fatal(err)
	}
	c := ssoClient(t, f)
	wantRedirect(t, "admin password", c.signIn("ada@example.no", staffPassword), "/logg-inn/kode")
	f.clock.Add(30 * time.Second)
	wantRedirect(t, "admin code", c.post("/logg-inn/kode", url.Values{"code": {code(t, secret, f.clock.Now())}}), "/kontor")
	return c
}

// The administrators' page of providers (who may see it is the role
// matrix's, TestOfficeRoleMatrix): the secret is write-only; the form
// validates next to the fields and keeps what was typed; trust_email is
// kept and shown.
func TestSSOAdminPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newSSOFixture(t, st)
		paths := []string{"/kontor/sso", "/kontor/sso/ny", "/kontor/sso/" + f.prov.ID, "/en/kontor/sso"}

		admin := f.adminClient(t)
		for _, p := range paths {
			r := admin.get(p)
			if r.status != 200 {
				t.Fatalf("%s: %d", p, r.status)
			}
			checkStaffHTML(t, p, r, map[bool]string{true: "en", false: "nb"}[strings.HasPrefix(p, "/en/")])
			checkSSOIDs(t, p, r)
			if strings.Contains(r.body, f.op.ClientSecret) {
				t.Errorf("%s shows the client secret", p)
			}
		}
		r := admin.get("/kontor/sso")
		if !strings.Contains(r.body, "Distrikt Nord (Entra ID)") || !strings.Contains(r.body, f.site.URL+"/logg-inn/sso/tilbake") ||
			!strings.Contains(r.body, `href="/kontor/sso/`+f.prov.ID+`"`) {
			t.Errorf("list:\n%s", r.body)
		}
		r = admin.get("/kontor/sso/" + f.prov.ID)
		if !strings.Contains(r.body, `value="example.no"`) || !strings.Contains(r.body, `name="client_secret" value=""`) ||
			!strings.Contains(r.body, "En hemmelighet er lagret") {
			t.Errorf("edit form:\n%s", r.body)
		}

		// A new provider: every field wrong, then right.
		bad := url.Values{"org": {"junk"}, "name": {""}, "issuer": {"http://login.example.no/?x=1"}, "client_id": {"a b"},
			"client_secret": {""}, "scopes": {"email"}, "domains": {"not a domain"}}
		r = admin.post("/kontor/sso/ny", bad)
		if r.status != 400 {
			t.Fatalf("bad form: %d", r.status)
		}
		for _, field := range []string{"org", "name", "issuer", "client_id", "client_secret", "scopes", "domains"} {
			if !strings.Contains(r.body, `<a href="#`+field+`">`) || !strings.Contains(r.body, `id="`+field+`-error"`) {
				t.Errorf("no message for %s", field)
			}
		}
		if !strings.Contains(r.body, `value="http://login.example.no/?x=1"`) {
			t.Error("the form lost what was typed")
		}
		checkStaffHTML(t, "POST /kontor/sso/ny (bad)", r, "nb")
		checkSSOIDs(t, "POST /kontor/sso/ny (bad)", r)
		good := url.Values{"org": {f.house.ID}, "name": {"Huset (Feide)"}, "issuer": {"https://auth.example.no/"},
			"client_id": {"feide-client"}, "client_secret": {"feide-secret-1"}, "scopes": {"openid email"},
			"domains": {"huset.example.no, @Avd.Huset.Example.no"}, "trust_mfa": {"1"}, "trust_email": {"1"}, "enabled": {"1"}}
		wantRedirect(t, "new provider", admin.post("/kontor/sso/ny", good), "/kontor/sso?melding=ny")
		all, _ := st.OIDCProviders(context.Background())
		var created store.OIDCProvider
		for _, p := range all {
			if p.Name == "Huset (Feide)" {
				created = p
			}
		}
		if created.ID == "" || created.Issuer != "https://auth.example.no" || created.ClientSecret != "feide-secret-1" ||
			!slices.Equal(created.EmailDomains, []string{"huset.example.no", "avd.huset.example.no"}) || !created.TrustMFA ||
			!created.TrustEmail || !created.Enabled || created.OrgID != f.house.ID {
			t.Errorf("created %+v", created)
		}
		if r := admin.get("/kontor/sso?melding=ny"); !strings.Contains(r.body, "Innloggingen er lagt til.") ||
			!strings.Contains(r.body, "Stoler på e-postadressene fra organisasjonen</dt><dd>Ja") {
			t.Errorf("no notice, or trust_email not shown:\n%s", r.body)
		}
		if r := admin.get("/kontor/sso/" + created.ID); !strings.Contains(r.body, `id="trust_email" name="trust_email" value="1" aria-describedby="trust_email-hint" checked`) {
			t.Error("the edit form does not show trust_email ticked")
		}
		if r := admin.get("/kontor/sso/" + f.prov.ID); !strings.Contains(r.body, `id="trust_email"`) || strings.Contains(r.body, `aria-describedby="trust_email-hint" checked`) {
			t.Error("the edit form shows trust_email ticked for a provider without it")
		}
		// Edit without a secret keeps it; disabling takes it off the sign-in page.
		edit := url.Values{}
		for k, v := range good {
			edit[k] = v
		}
		edit.Set("client_secret", "")
		edit.Del("enabled")
		wantRedirect(t, "edit", admin.post("/kontor/sso/"+created.ID, edit), "/kontor/sso?melding=lagret")
		if p, _ := st.OIDCProvider(context.Background(), created.ID); p.ClientSecret != "feide-secret-1" || p.Enabled || !p.TrustEmail {
			t.Errorf("after the edit: %+v", p)
		}
		if r := ssoClient(t, f).get("/logg-inn/sso"); strings.Contains(r.body, "Huset (Feide)") {
			t.Error("a disabled provider is offered")
		}
		if r := admin.get("/kontor/sso/" + store.NewID()); r.status != 404 {
			t.Errorf("a missing provider: %d", r.status)
		}
		log, _ := st.AuditLog(context.Background(), store.AuditFilter{Action: "oidc_provider.", ActorID: f.admin.ID})
		if len(log) != 2 {
			t.Errorf("%d audit entries by the administrator", len(log))
		}
		for _, e := range log {
			if b, _ := json.Marshal(e.Detail); strings.Contains(string(b), "feide-secret") {
				t.Errorf("%s holds the secret", e.Action)
			}
		}
	})
}

// Look-ups, starts and callbacks are rate limited per network: 429 with
// Retry-After and a page that says to wait.
func TestSSORateLimits(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	f := newSSOFixture(t, st, auth.Limits{Window: 15 * time.Minute, PerSource: 2, PerAccount: 1000, PerCode: 1000})
	c := ssoClient(t, f)
	for range 2 {
		f.startSSO(t, c, "")
		if r := c.post("/logg-inn/sso", url.Values{"email": {"per@example.no"}}); r.status != 200 {
			t.Fatalf("look-up: %d", r.status)
		}
	}
	r := c.get("/logg-inn/sso/start?leverandor=" + f.prov.ID)
	if r.header.Get("Retry-After") == "" {
		t.Errorf("no Retry-After")
	}
	wantSSOPage(t, "too many starts", r, http.StatusTooManyRequests, "For mange forsøk", "nb")
	r = c.post("/logg-inn/sso", url.Values{"email": {"per@example.no"}})
	wantSSOPage(t, "too many look-ups", r, http.StatusTooManyRequests, "For mange forsøk", "nb")
	for range 2 {
		c.get("/logg-inn/sso/tilbake?state=x")
	}
	wantSSOPage(t, "too many callbacks", c.get("/logg-inn/sso/tilbake?state=x"), http.StatusTooManyRequests, "For mange forsøk", "nb")
	auditHas(t, st, "signin.rate_limited")
}

// FELLESROM_PUBLIC_URL sets the redirect URI; without it, the request's host.
func TestSSOPublicURL(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	f := newSSOFixture(t, st)
	t.Setenv(web.EnvPublicURL, "https://fellesrom.example.no/")
	r := f.startSSO(t, ssoClient(t, f), "")
	u, _ := url.Parse(r.location())
	if got := u.Query().Get("redirect_uri"); got != "https://fellesrom.example.no/logg-inn/sso/tilbake" {
		t.Errorf("redirect_uri %q", got)
	}
}

// Every message id of single sign-on in its templates and code is in the
// catalogue in Bokmål, Nynorsk and English, and the three files have the
// same ids.
func TestSSOMessages(t *testing.T) {
	ids := map[string]map[string]any{}
	for _, l := range []string{"nb", "nn", "en"} {
		b, err := os.ReadFile(filepath.Join("..", "i18n", "locales", "sso."+l+".json"))
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]any{}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("sso.%s.json: %v", l, err)
		}
		ids[l] = m
		for id := range m {
			if !strings.HasPrefix(id, "sso.") {
				t.Errorf("sso.%s.json: %q is not an sso. id", l, id)
			}
		}
	}
	for id := range ids["nb"] {
		for _, l := range []string{"nn", "en"} {
			if _, ok := ids[l][id]; !ok {
				t.Errorf("sso.%s.json lacks %s", l, id)
			}
		}
	}
	for _, l := range []string{"nn", "en"} {
		if len(ids[l]) != len(ids["nb"]) {
			t.Errorf("sso.%s.json has %d ids, nb %d", l, len(ids[l]), len(ids["nb"]))
		}
	}
	var used []string
	files, _ := filepath.Glob("sso_*.go")
	tmpls, _ := fs.Glob(os.DirFS("templates"), "sso_*.html")
	for _, t2 := range tmpls {
		files = append(files, filepath.Join("templates", t2))
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`"(sso\.[a-z][a-z0-9_]*)"`).FindAllStringSubmatch(string(b), -1) {
			used = append(used, m[1])
		}
	}
	if len(used) < 50 {
		t.Errorf("found only %d ids", len(used))
	}
	for _, id := range used {
		if _, ok := ids["nb"][id]; !ok {
			t.Errorf("%s is used and not in the catalogue", id)
		}
	}
}
