package web_test

import (
	"context"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/app"
	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/finder"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
	"github.com/fellesrom/fellesrom/internal/web"
)

// testClock is a clock the test moves.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// cheapParams keep the tests fast; one test signs in with the real ones.
var cheapParams = auth.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

const staffPassword = "grønne epler på taket"

// staffFixture is a small organisation tree with a user of each kind, and
// the site with an auth service on a clock the test moves.
type staffFixture struct {
	st                    *store.Store
	svc                   *auth.Service
	clock                 *testClock
	h                     http.Handler
	srv                   *httptest.Server
	district, house, town domain.Organisation
	admin, coord, partner store.User
}

func newStaffFixture(t *testing.T, st *store.Store, limits auth.Limits) *staffFixture {
	t.Helper()
	ctx := store.WithActor(context.Background(), store.Actor{ID: "test"})
	f := &staffFixture{st: st, clock: &testClock{t: time.Date(2026, 3, 2, 8, 0, 10, 0, time.UTC)}}
	f.svc = auth.New(st, auth.Options{Params: cheapParams, Now: f.clock.Now, Limits: limits})
	for _, o := range []*domain.Organisation{&f.district, &f.house, &f.town} {
		*o = domain.Organisation{Kind: domain.OrgSelfHelpHouse}
	}
	f.district.Slug, f.district.Name, f.district.Kind = "distrikt-nord", "Distrikt Nord", domain.OrgDistrictOffice
	f.house.Slug, f.house.Name = "huset-tromso", "Huset Tromsø"
	f.town.Slug, f.town.Name = "huset-bodo", "Huset Bodø"
	for _, o := range []*domain.Organisation{&f.district, &f.house, &f.town} {
		if o != &f.district {
			o.ParentID = f.district.ID
		}
		if err := st.SaveOrganisation(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	mk := func(email, name string, admin bool, ms ...store.Membership) store.User {
		u, err := f.svc.CreateUser(ctx, auth.NewUser{Email: email, Name: name, Password: staffPassword, Admin: admin, Memberships: ms})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	f.admin = mk("ada@example.no", "Ada Admin", true)
	f.coord = mk("kari@example.no", "Kari Koordinator", false, store.Membership{OrgID: f.district.ID, Role: store.RoleCoordinator})
	f.partner = mk("per@example.no", "Per Partner", false, store.Membership{OrgID: f.house.ID, Role: store.RolePartner})
	f.h = http.NewCrossOriginProtection().Handler(web.New(web.Deps{Store: st, Finder: finder.New(st),
		Logger: slog.New(slog.DiscardHandler), Now: f.clock.Now, Auth: f.svc}))
	f.srv = httptest.NewServer(f.h)
	t.Cleanup(f.srv.Close)
	return f
}

// client is a browser without JavaScript: a cookie jar, no redirects followed.
type client struct {
	t    *testing.T
	c    *http.Client
	base string
}

func newClient(t *testing.T, srv *httptest.Server) *client {
	jar, _ := cookiejar.New(nil)
	c := new(http.Client)
	*c = *srv.Client() // a copy: each client has its own jar
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &client{t: t, c: c, base: srv.URL}
}

type resp struct {
	status int
	header http.Header
	body   string
}

func (r resp) location() string { return r.header.Get("Location") }

func (c *client) do(req *http.Request) resp {
	c.t.Helper()
	res, err := c.c.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{res.StatusCode, res.Header, string(b)}
}

func (c *client) get(path string) resp {
	c.t.Helper()
	req, _ := http.NewRequest("GET", c.base+path, nil)
	return c.do(req)
}

func (c *client) post(path string, form url.Values, header ...string) resp {
	c.t.Helper()
	req, _ := http.NewRequest("POST", c.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return c.do(req)
}

// cookie is the value of a cookie the jar holds for the site.
func (c *client) cookie(name string) string {
	u, _ := url.Parse(c.base)
	for _, ck := range c.c.Jar.Cookies(u) {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}

func (c *client) signIn(email, password string, extra ...string) resp {
	c.t.Helper()
	form := url.Values{"email": {email}, "password": {password}}
	for i := 0; i+1 < len(extra); i += 2 {
		form.Set(extra[i], extra[i+1])
	}
	return c.post("/logg-inn", form)
}

var reStaffID = regexp.MustCompile(`\b(?:auth|staff|error|common|date|layout|title)\.[a-z][a-z0-9_]*\b`)

// checkStaffHTML checks what every staff page must be.
func checkStaffHTML(t *testing.T, target string, r resp, lang string) {
	t.Helper()
	if ct := r.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("%s: Content-Type %q", target, ct)
	}
	if cc := r.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("%s: Cache-Control %q, want no-store", target, cc)
	}
	if m := reLang.FindStringSubmatch(r.body); m == nil || m[1] != lang {
		t.Errorf("%s: lang %v, want %s", target, m, lang)
	}
	body := regexp.MustCompile(`[\w.-]+@[\w.-]+|/static/[\w.-]+`).ReplaceAllString(r.body, "")
	if m := reStaffID.FindString(body); m != "" {
		t.Errorf("%s: the catalogue lacks %q", target, m)
	}
	if strings.Contains(r.body, "<no value>") {
		t.Errorf("%s: a message lacks template data", target)
	}
	if n := len(reH1.FindAllString(r.body, -1)); n != 1 {
		t.Errorf("%s: %d h1 elements", target, n)
	}
	if m := reFirstA.FindStringSubmatch(r.body); m == nil || !strings.Contains(m[1], `href="#main"`) {
		t.Errorf("%s: the first element of the body is not the skip link", target)
	}
	for _, m := range reLoaded.FindAllStringSubmatch(r.body, -1) {
		u := html.UnescapeString(m[1] + m[2])
		if !strings.HasPrefix(u, "/") || strings.HasPrefix(u, "//") {
			t.Errorf("%s: loads %q, which is not a same-origin path", target, u)
		}
	}
	if strings.Contains(r.body, " style=") || strings.Contains(r.body, "<style") ||
		regexp.MustCompile(`<script>|<script [^>]*>[^<]`).MatchString(r.body) || strings.Contains(r.body, " on") && regexp.MustCompile(` on[a-z]+=`).MatchString(r.body) {
		t.Errorf("%s: inline style or script, which the CSP forbids", target)
	}
	if strings.Contains(r.body, staffPassword) || strings.Contains(r.body, url.QueryEscape(staffPassword)) {
		t.Errorf("%s: the page holds the password", target)
	}
}

var reSecret = regexp.MustCompile(`id="totp-secret"[^>]*>([A-Z2-7 ]+)<`)

func secretOf(t *testing.T, body string) string {
	t.Helper()
	m := reSecret.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no secret on the page")
	}
	return strings.ReplaceAll(m[1], " ", "")
}

func code(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := auth.TOTPCode(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func wantRedirect(t *testing.T, what string, r resp, to string) {
	t.Helper()
	if r.status != http.StatusSeeOther || r.location() != to {
		t.Errorf("%s: %d to %q, want 303 to %q", what, r.status, r.location(), to)
	}
	if cc := r.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("%s: Cache-Control %q on a redirect", what, cc)
	}
}

var roomyLimits = auth.Limits{Window: 15 * time.Minute, PerSource: 1000, PerAccount: 1000, PerCode: 1000}

// A partner (no second factor needed) signs in with a password, sees the
// back office, and signs out; the form keeps the address, never the
// password; nothing tells an unknown address from a wrong password.
func TestStaffSignIn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newStaffFixture(t, st, roomyLimits)
		c := newClient(t, f.srv)

		r := c.get("/logg-inn")
		if r.status != 200 {
			t.Fatalf("sign-in page: %d", r.status)
		}
		checkStaffHTML(t, "/logg-inn", r, "nb")
		for _, s := range []string{`<label for="email">E-postadresse</label>`, `type="password" id="password" name="password" autocomplete="current-password"`,
			`action="/logg-inn" method="post"`, "<title>Logg inn – fellesrom</title>"} {
			if !strings.Contains(r.body, s) {
				t.Errorf("sign-in page lacks %s", s)
			}
		}
		for _, target := range []string{"/en/logg-inn", "/nn/logg-inn"} {
			r := c.get(target)
			checkStaffHTML(t, target, r, target[1:3])
		}

		// The back office sends the signed-out to the sign-in page, with the way back.
		wantRedirect(t, "/kontor", c.get("/kontor"), "/logg-inn?neste=%2Fkontor")
		wantRedirect(t, "/kontor/okter", c.get("/kontor/okter"), "/logg-inn?neste=%2Fkontor%2Fokter")
		wantRedirect(t, "/en/kontor", c.get("/en/kontor"), "/en/logg-inn?neste=%2Fen%2Fkontor")
		wantRedirect(t, "/kontor/finnes-ikke", c.get("/kontor/finnes-ikke"), "/logg-inn?neste=%2Fkontor%2Ffinnes-ikke")
		wantRedirect(t, "POST /kontor/okter", c.post("/kontor/okter", url.Values{"others": {"1"}}), "/logg-inn")

		// Empty form: both fields named, linked from the summary.
		r = c.post("/logg-inn", url.Values{})
		if r.status != 400 || !strings.Contains(r.body, `<a href="#email">Skriv e-postadressen din.</a>`) ||
			!strings.Contains(r.body, `<a href="#password">Skriv passordet ditt.</a>`) || !strings.Contains(r.body, `id="password-error"`) {
			t.Errorf("empty form: %d\n%s", r.status, r.body)
		}
		checkStaffHTML(t, "POST /logg-inn (empty)", r, "nb")

		// A wrong password and an unknown address: the same page.
		wrong := c.signIn("per@example.no", "feil passord her")
		unknown := c.signIn("ingen@example.no", "feil passord her")
		if wrong.status != 400 || unknown.status != 400 {
			t.Fatalf("failed sign-ins: %d, %d", wrong.status, unknown.status)
		}
		if !strings.Contains(wrong.body, `value="per@example.no"`) || strings.Contains(wrong.body, "feil passord her") {
			t.Error("the form does not keep the address, or keeps the password")
		}
		if strings.ReplaceAll(wrong.body, "per@example.no", "X") != strings.ReplaceAll(unknown.body, "ingen@example.no", "X") {
			t.Error("a wrong password and an unknown address give different pages")
		}
		if !strings.Contains(wrong.body, "E-postadressen eller passordet er feil") {
			t.Error("no failure message")
		}
		checkStaffHTML(t, "POST /logg-inn (wrong)", wrong, "nb")
		if c.cookie(auth.CookieNamePlain) != "" {
			t.Error("a failed sign-in set a cookie")
		}

		// Success, back to where the person was going.
		r = c.signIn("PER@example.no ", staffPassword, "neste", "/kontor/okter")
		wantRedirect(t, "sign-in", r, "/kontor/okter")
		var set string
		for _, v := range r.header.Values("Set-Cookie") {
			if strings.HasPrefix(v, auth.CookieNamePlain+"=") {
				set = v
			}
		}
		for _, attr := range []string{"Path=/", "HttpOnly", "SameSite=Lax"} {
			if !strings.Contains(set, attr) {
				t.Errorf("cookie %q lacks %s", set, attr)
			}
		}
		if strings.Contains(set, "Secure") || strings.Contains(set, "Domain") || strings.Contains(set, "Max-Age") {
			t.Errorf("cookie over plain HTTP on loopback: %q", set)
		}
		first := c.cookie(auth.CookieNamePlain)
		r = c.get("/kontor")
		if r.status != 200 {
			t.Fatalf("/kontor: %d %s", r.status, r.location())
		}
		checkStaffHTML(t, "/kontor", r, "nb")
		for _, s := range []string{"Per Partner", "per@example.no", "Samarbeidspartner (bare lesetilgang)", "Huset Tromsø",
			`href="/organisasjon/huset-tromso"`, `action="/logg-ut"`} {
			if !strings.Contains(html.UnescapeString(r.body), s) {
				t.Errorf("/kontor lacks %q", s)
			}
		}
		r = c.get("/en/kontor")
		checkStaffHTML(t, "/en/kontor", r, "en")
		if !strings.Contains(r.body, "Partner (read only)") {
			t.Error("/en/kontor is not in English")
		}
		// Already signed in: the sign-in page sends on.
		wantRedirect(t, "sign-in page when signed in", c.get("/logg-inn"), "/kontor")

		// Signing in again starts a new session; the old token is dead.
		c.signIn("per@example.no", staffPassword)
		second := c.cookie(auth.CookieNamePlain)
		if second == "" || second == first {
			t.Fatal("no new session token at sign-in")
		}
		old := newClient(t, f.srv)
		setCookie(old, f.srv, auth.CookieNamePlain, first)
		wantRedirect(t, "the old token", old.get("/kontor"), "/logg-inn?melding=utlopt&neste=%2Fkontor")

		// Sign out.
		r = c.post("/logg-ut", url.Values{})
		wantRedirect(t, "sign-out", r, "/logg-inn?melding=utlogget")
		if !strings.Contains(strings.Join(r.header.Values("Set-Cookie"), "\n"), auth.CookieNamePlain+"=; Path=/; Max-Age=0; HttpOnly") {
			t.Errorf("sign-out does not clear the cookie: %v", r.header.Values("Set-Cookie"))
		}
		if r := c.get("/logg-inn?melding=utlogget"); !strings.Contains(r.body, "Du er logget ut.") {
			t.Error("no signed-out notice")
		}
		setCookie(old, f.srv, auth.CookieNamePlain, second)
		wantRedirect(t, "the token after sign-out", old.get("/kontor"), "/logg-inn?melding=utlopt&neste=%2Fkontor")

		// Methods.
		for _, m := range []struct{ method, path, allow string }{{"PUT", "/logg-inn", "GET, HEAD, POST"},
			{"GET", "/logg-ut", "POST"}, {"DELETE", "/kontor/okter", "GET, HEAD, POST"}, {"POST", "/kontor", "GET, HEAD"}} {
			req, _ := http.NewRequest(m.method, f.srv.URL+m.path, nil)
			r := c.do(req)
			if r.status != 405 || r.header.Get("Allow") != m.allow {
				t.Errorf("%s %s: %d, Allow %q", m.method, m.path, r.status, r.header.Get("Allow"))
			}
		}
	})
}

func setCookie(c *client, srv *httptest.Server, name, value string) {
	u, _ := url.Parse(srv.URL)
	c.c.Jar.SetCookies(u, []*http.Cookie{{Name: name, Value: value, Path: "/"}})
}

// An administrator must enrol TOTP before anything else; then signs in
// with password and code; a code never works twice.
func TestStaffTOTP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newStaffFixture(t, st, roomyLimits)
		c := newClient(t, f.srv)
		wantRedirect(t, "admin sign-in", c.signIn("ada@example.no", staffPassword, "neste", "/kontor/okter"), "/kontor/totp")
		before := c.cookie(auth.CookieNamePlain)
		for _, p := range []string{"/kontor", "/kontor/okter", "/kontor/finnes-ikke", "/en/kontor"} {
			want := "/kontor/totp"
			if strings.HasPrefix(p, "/en") {
				want = "/en/kontor/totp"
			}
			wantRedirect(t, p+" before enrolment", c.get(p), want)
		}
		r := c.get("/kontor/totp")
		if r.status != 200 {
			t.Fatalf("enrolment page: %d", r.status)
		}
		checkStaffHTML(t, "/kontor/totp", r, "nb")
		secret := secretOf(t, r.body)
		if len(secret) != 32 || !strings.Contains(r.body, `<svg viewBox="0 0 `) || !strings.Contains(r.body, `role="img" aria-labelledby="qr-title"`) ||
			!strings.Contains(r.body, "totrinnsbekreftelse før du kan bruke kontoret") || strings.Contains(r.body, `class="staff-nav"`) {
			t.Errorf("enrolment page:\n%s", r.body)
		}
		if again := secretOf(t, c.get("/kontor/totp").body); again != secret {
			t.Error("a reload shows another secret")
		}
		checkStaffHTML(t, "/en/kontor/totp", c.get("/en/kontor/totp"), "en")

		r = c.post("/kontor/totp", url.Values{"code": {"12345"}})
		if r.status != 400 || !strings.Contains(r.body, `<a href="#code">Skriv de seks sifrene fra appen.</a>`) || secretOf(t, r.body) != secret {
			t.Errorf("short code: %d", r.status)
		}
		wrongCode := "000000"
		if code(t, secret, f.clock.Now()) == wrongCode {
			wrongCode = "111111"
		}
		if r = c.post("/kontor/totp", url.Values{"code": {wrongCode}}); r.status != 400 || !strings.Contains(r.body, "Koden stemmer ikke") {
			t.Errorf("wrong code: %d", r.status)
		}
		checkStaffHTML(t, "POST /kontor/totp (wrong)", r, "nb")
		enrolCode := code(t, secret, f.clock.Now())
		wantRedirect(t, "enrolment", c.post("/kontor/totp", url.Values{"code": {enrolCode[:3] + " " + enrolCode[3:]}}), "/kontor?melding=totp")
		if after := c.cookie(auth.CookieNamePlain); after == before || after == "" {
			t.Error("no new session token after the second factor")
		}
		r = c.get("/kontor?melding=totp")
		if r.status != 200 || !strings.Contains(r.body, "Totrinnsbekreftelse er slått på.") || !strings.Contains(r.body, "Administrator for hele fellesrom") {
			t.Errorf("after enrolment: %d", r.status)
		}
		if r := c.get("/kontor/totp"); !strings.Contains(r.body, "er slått på for kontoen din") || strings.Contains(r.body, "totp-secret") {
			t.Error("the TOTP page shows the secret after enrolment")
		}

		c.post("/logg-ut", url.Values{})
		wantRedirect(t, "password step", c.signIn("ada@example.no", staffPassword, "neste", "/kontor/okter"), "/logg-inn/kode?neste=%2Fkontor%2Fokter")
		wantRedirect(t, "/kontor before the code", c.get("/kontor"), "/logg-inn/kode?neste=%2Fkontor")
		r = c.get("/logg-inn/kode?neste=%2Fkontor%2Fokter")
		if r.status != 200 || !strings.Contains(r.body, `name="neste" value="/kontor/okter"`) || !strings.Contains(r.body, `autocomplete="one-time-code"`) {
			t.Errorf("code page: %d", r.status)
		}
		checkStaffHTML(t, "/logg-inn/kode", r, "nb")
		// The enrolment's code, still within its 30 seconds: refused.
		r = c.post("/logg-inn/kode", url.Values{"code": {enrolCode}, "neste": {"/kontor/okter"}})
		if r.status != 400 || !strings.Contains(r.body, "Koden stemmer ikke") {
			t.Errorf("replayed code: %d", r.status)
		}
		f.clock.Add(30 * time.Second)
		wantRedirect(t, "code", c.post("/logg-inn/kode", url.Values{"code": {code(t, secret, f.clock.Now())}, "neste": {"/kontor/okter"}}), "/kontor/okter")
		if r := c.get("/kontor/okter"); r.status != 200 {
			t.Errorf("/kontor/okter after the code: %d", r.status)
		}
		wantRedirect(t, "code page when signed in", c.get("/logg-inn/kode"), "/kontor")
		if !auditHas(t, st, "signin.mfa_fail", "totp.enable", "signin.password", "signin.ok", "signout") {
			t.Error("audit entries missing")
		}
	})
}

func auditHas(t *testing.T, st *store.Store, actions ...string) bool {
	t.Helper()
	log, err := st.AuditLog(context.Background(), store.AuditFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, e := range log {
		have[e.Action] = true
		for _, v := range e.Detail {
			if s, ok := v.(string); ok && (strings.Contains(s, staffPassword) || strings.Contains(s, "@")) {
				t.Errorf("%s detail holds %q", e.Action, s)
			}
		}
	}
	ok := true
	for _, a := range actions {
		if !have[a] {
			t.Errorf("no %s in the audit log", a)
			ok = false
		}
	}
	return ok
}

// Five wrong passwords lock the account; the locked account answers as a
// wrong password does; an unknown address answers the same; too many
// attempts give 429.
func TestStaffLockoutAndLimits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newStaffFixture(t, st, auth.Limits{Window: 15 * time.Minute, PerSource: 1000, PerAccount: 7, PerCode: 1000})
		c := newClient(t, f.srv)
		var bodies []string
		for i := range 5 {
			r := c.signIn("per@example.no", "feil passord nr "+strconv.Itoa(i))
			if r.status != 400 {
				t.Fatalf("failure %d: %d", i, r.status)
			}
			bodies = append(bodies, r.body)
		}
		locked := c.signIn("per@example.no", staffPassword)
		unknown := c.signIn("ingen@example.no", staffPassword)
		if locked.status != 400 || unknown.status != 400 || locked.body != bodies[0] ||
			strings.ReplaceAll(unknown.body, "ingen@", "per@") != locked.body {
			t.Errorf("the locked account answers differently: %d %d", locked.status, unknown.status)
		}
		if c.cookie(auth.CookieNamePlain) != "" {
			t.Error("a locked account signed in")
		}
		// The 8th attempt for the address in the window: 429, with Retry-After.
		c.signIn("per@example.no", "x")
		r := c.signIn("per@example.no", "x")
		if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" || !strings.Contains(r.body, "For mange forsøk") {
			t.Errorf("over the limit: %d %q", r.status, r.header.Get("Retry-After"))
		}
		checkStaffHTML(t, "429", r, "nb")
		for range 7 {
			c.signIn("ingen@example.no", "x")
		}
		if r := c.signIn("ingen@example.no", "x"); r.status != http.StatusTooManyRequests {
			t.Errorf("an unknown address over the limit: %d", r.status)
		}
		f.clock.Add(15*time.Minute + time.Second)
		wantRedirect(t, "after the lock", c.signIn("per@example.no", staffPassword), "/kontor")
		auditHas(t, st, "signin.fail", "signin.locked", "signin.rate_limited", "signin.ok")
	})
}

// A user sees their sessions and ends another one, or all others.
func TestStaffSessionsPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newStaffFixture(t, st, roomyLimits)
		a, b, c := newClient(t, f.srv), newClient(t, f.srv), newClient(t, f.srv)
		for _, x := range []*client{a, b, c} {
			wantRedirect(t, "sign-in", x.signIn("per@example.no", staffPassword), "/kontor")
		}
		other := newClient(t, f.srv)
		other.signIn("kari@example.no", staffPassword) // must enrol; has a session all the same
		r := a.get("/kontor/okter")
		checkStaffHTML(t, "/kontor/okter", r, "nb")
		ids := regexp.MustCompile(`name="id" value="([0-9a-f]{64})"`).FindAllStringSubmatch(r.body, -1)
		if len(ids) != 3 || strings.Count(r.body, "Denne nettleseren") != 1 || !strings.Contains(r.body, "Avslutt 2 andre innlogginger") ||
			!strings.Contains(r.body, "192.0.2.0/24") && !strings.Contains(r.body, "127.0.0.0/24") {
			t.Fatalf("sessions page: %d ids\n%s", len(ids), r.body)
		}
		mine := auth.HashToken(a.cookie(auth.CookieNamePlain))
		bHash := auth.HashToken(b.cookie(auth.CookieNamePlain))
		if !slices.ContainsFunc(ids, func(m []string) bool { return m[1] == bHash }) {
			t.Fatal("b's session is not listed")
		}
		// Another user's session cannot be ended from here.
		otherHash := auth.HashToken(other.cookie(auth.CookieNamePlain))
		wantRedirect(t, "end another user's session", a.post("/kontor/okter", url.Values{"id": {otherHash}}), "/kontor/okter?melding=ukjent")
		if r := other.get("/kontor/totp"); r.status != 200 {
			t.Error("another user's session was ended")
		}
		if r := a.post("/kontor/okter", url.Values{"id": {"junk"}}); r.status != 400 {
			t.Errorf("junk id: %d", r.status)
		}
		wantRedirect(t, "end b", a.post("/kontor/okter", url.Values{"id": {bHash}}), "/kontor/okter?melding=en")
		wantRedirect(t, "b after it ended", b.get("/kontor"), "/logg-inn?melding=utlopt&neste=%2Fkontor")
		if r := a.get("/kontor/okter?melding=en"); !strings.Contains(r.body, "Innloggingen er avsluttet.") || !strings.Contains(r.body, "Avslutt 1 annen innlogging") {
			t.Error("no notice after ending a session")
		}
		wantRedirect(t, "end others", a.post("/kontor/okter", url.Values{"others": {"1"}}), "/kontor/okter?melding=andre")
		wantRedirect(t, "c after 'end others'", c.get("/kontor"), "/logg-inn?melding=utlopt&neste=%2Fkontor")
		wantRedirect(t, "end others again", a.post("/kontor/okter", url.Values{"others": {"1"}}), "/kontor/okter?melding=ingen")
		wantRedirect(t, "end this one", a.post("/kontor/okter", url.Values{"id": {mine}}), "/logg-inn?melding=utlogget")
		wantRedirect(t, "a after ending its own", a.get("/kontor"), "/logg-inn?neste=%2Fkontor")
		auditHas(t, st, "session.revoke", "signout")
	})
}

// The way back after sign-in is only ever a page of the back office.
func TestStaffNoOpenRedirect(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newStaffFixture(t, st, roomyLimits)
		for _, next := range []string{"//evil.example/", "https://evil.example/kontor", "/\\evil.example", "\\\\evil.example",
			"/kontor/../finn", "/%2F%2Fevil.example", "/kontor?x=https://evil.example", "/kontor@evil.example",
			"javascript:alert(1)", " /kontor", "/kontor\r\nLocation: https://evil.example", "/finn", "/", "/kontor#x",
			"/kontor//evil", "/./kontor", "/en//evil.example", "/ /kontor", "http:/kontor", "/kontor%0d%0a"} {
			c := newClient(t, f.srv)
			if r := c.get("/logg-inn?neste=" + url.QueryEscape(next)); strings.Contains(r.body, `name="neste"`) {
				t.Errorf("the form keeps %q as the way back", next)
			}
			r := c.signIn("per@example.no", staffPassword, "neste", next)
			if r.location() != "/kontor" {
				t.Errorf("neste=%q: sent to %q", next, r.location())
			}
		}
		c := newClient(t, f.srv)
		wantRedirect(t, "English way back", c.signIn("per@example.no", staffPassword, "neste", "/en/kontor/okter"), "/en/kontor/okter")
	})
}

// Over TLS the cookie is __Host-fellesrom and Secure; a cookie of the
// plain name is not accepted there.
func TestStaffCookieOverTLS(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	f := newStaffFixture(t, st, roomyLimits)
	srv := httptest.NewTLSServer(f.h)
	defer srv.Close()
	c := newClient(t, srv)
	r := c.signIn("per@example.no", staffPassword)
	wantRedirect(t, "sign-in over TLS", r, "/kontor")
	set := strings.Join(r.header.Values("Set-Cookie"), "\n")
	if !regexp.MustCompile(`^__Host-fellesrom=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; Secure; SameSite=Lax$`).MatchString(set) {
		t.Errorf("Set-Cookie over TLS: %q", set)
	}
	if r := c.get("/kontor"); r.status != 200 {
		t.Errorf("/kontor over TLS: %d", r.status)
	}
	tok := c.cookie(auth.CookieNameSecure)
	plain := newClient(t, srv)
	setCookie(plain, srv, auth.CookieNamePlain, tok)
	wantRedirect(t, "plain-named cookie over TLS", plain.get("/kontor"), "/logg-inn?neste=%2Fkontor")
	if r := c.post("/logg-ut", url.Values{}); !strings.Contains(strings.Join(r.header.Values("Set-Cookie"), ""), "__Host-fellesrom=; Path=/; Max-Age=0; HttpOnly; Secure") {
		t.Errorf("sign-out over TLS: %v", r.header.Values("Set-Cookie"))
	}
}

// Through the whole application: a cross-site POST is refused before any
// handler runs, pages carry the security headers, and sign-in works with
// the production argon2id parameters.
func TestStaffThroughApp(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	f := newStaffFixture(t, st, roomyLimits)
	srv := httptest.NewServer(app.Handler(st, finder.New(st), slog.New(slog.DiscardHandler)))
	defer srv.Close()
	c := newClient(t, srv)
	for _, h := range [][]string{{"Sec-Fetch-Site", "cross-site"}, {"Origin", "https://evil.example"}} {
		for _, p := range []string{"/logg-inn", "/logg-ut", "/kontor/okter", "/kontor/totp", "/logg-inn/kode"} {
			r := c.post(p, url.Values{"email": {"per@example.no"}, "password": {staffPassword}}, h...)
			if r.status != http.StatusForbidden {
				t.Errorf("%s with %s: %d, want 403", p, h[0], r.status)
			}
		}
	}
	r := c.post("/logg-inn", url.Values{"email": {"per@example.no"}, "password": {staffPassword}}, "Sec-Fetch-Site", "same-origin")
	wantRedirect(t, "same-origin sign-in through the app", r, "/kontor")
	r = c.get("/kontor")
	if r.status != 200 || r.header.Get("Content-Security-Policy") != app.ContentSecurityPolicy || r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("/kontor through the app: %d %v", r.status, r.header)
	}
	// The user was made with cheap parameters: the sign-in stored a hash
	// with the production ones.
	u, _ := st.User(context.Background(), f.partner.ID)
	if !strings.HasPrefix(u.PasswordHash, "$argon2id$v=19$m=65536,t=3,p=2$") {
		t.Errorf("not rehashed with the production parameters: %.40s", u.PasswordHash)
	}
}
