package web_test

import (
	"context"
	"html"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/fellesrom/fellesrom/internal/app"
	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/browsertest"
	"github.com/fellesrom/fellesrom/internal/finder"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

const newStaffPassword = "blå hester i hagen om natta"

// changeForm is the password form as a browser sends it.
func changeForm(current, next, again string) url.Values {
	return url.Values{"username": {"ignored@example.no"}, "current-password": {current}, "new-password": {next},
		"new-password-again": {again}}
}

var (
	rePasswordID    = regexp.MustCompile(`\bpassword\.[a-z][a-z0-9_]*\b`)
	rePasswordInput = regexp.MustCompile(`<input type="password"[^>]*>`)
)

// checkPasswordPage checks the form page beyond checkStaffHTML: every
// message found, the three fields as password managers expect them, and
// none of typed (a password sent in the form) anywhere on the page.
func checkPasswordPage(t *testing.T, what string, r resp, lang string, typed ...string) {
	t.Helper()
	checkStaffHTML(t, what, r, lang)
	if m := rePasswordID.FindString(r.body); m != "" {
		t.Errorf("%s: the catalogue lacks %q", what, m)
	}
	inputs := rePasswordInput.FindAllString(r.body, -1)
	if len(inputs) != 3 {
		t.Fatalf("%s: %d password fields", what, len(inputs))
	}
	for i, want := range []string{`id="current-password" name="current-password" autocomplete="current-password"`,
		`id="new-password" name="new-password" autocomplete="new-password"`,
		`id="new-password-again" name="new-password-again" autocomplete="new-password"`} {
		if !strings.Contains(inputs[i], want) {
			t.Errorf("%s: field %d is %s", what, i, inputs[i])
		}
		if strings.Contains(inputs[i], "value=") || strings.Contains(inputs[i], "maxlength") || strings.Contains(inputs[i], "onpaste") {
			t.Errorf("%s: a password field with a value, a length limit or a paste handler: %s", what, inputs[i])
		}
	}
	if !strings.Contains(r.body, `action="`+prefixOf(lang)+`/kontor/passord" method="post"`) ||
		!strings.Contains(r.body, `autocomplete="username" readonly hidden`) {
		t.Errorf("%s: the form", what)
	}
	for _, p := range typed {
		if p != "" && (strings.Contains(r.body, p) || strings.Contains(html.UnescapeString(r.body), p)) {
			t.Errorf("%s: the page holds %q, which was typed into a password field", what, p)
		}
	}
}

func prefixOf(lang string) string {
	if lang == "nb" {
		return ""
	}
	return "/" + lang
}

// fieldError reports whether the page says msg about the field with the
// id, in the summary (linked) and beside the field, which is marked invalid.
func fieldError(r resp, id, msg string) bool {
	b := html.UnescapeString(r.body)
	return strings.Contains(b, `<a href="#`+id+`">`+msg) && strings.Contains(b, `<p class="error" id="`+id+`-error">`) &&
		regexp.MustCompile(`id="`+id+`"[^>]*aria-invalid="true"`).MatchString(b) &&
		strings.Contains(b[strings.Index(b, `id="`+id+`-error"`):], msg)
}

// A signed-in user changes their password: the old one stops working, the
// new one works, their other sessions end, this one goes on with a new
// token, and the audit log says so without the password.
func TestStaffPasswordChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newStaffFixture(t, st, roomyLimits)
		a, b := newClient(t, f.srv), newClient(t, f.srv)
		for _, c := range []*client{a, b} {
			wantRedirect(t, "sign-in", c.signIn("per@example.no", staffPassword), "/kontor")
		}
		r := a.get("/kontor/passord")
		if r.status != 200 {
			t.Fatalf("/kontor/passord: %d", r.status)
		}
		checkPasswordPage(t, "/kontor/passord", r, "nb")
		for _, s := range []string{"<title>Bytt passord – fellesrom</title>", `<label for="current-password">Passordet du har nå</label>`,
			`aria-describedby="new-password-hint"`, "Minst 12 tegn", `value="per@example.no"`} {
			if !strings.Contains(r.body, s) {
				t.Errorf("/kontor/passord lacks %s", s)
			}
		}
		for _, lang := range []string{"en", "nn"} {
			r := a.get("/" + lang + "/kontor/passord")
			checkPasswordPage(t, "/"+lang+"/kontor/passord", r, lang)
			if strings.Contains(r.body, `<span lang="nb">`) {
				t.Errorf("/%s/kontor/passord falls back to Bokmål", lang)
			}
		}

		before := a.cookie(auth.CookieNamePlain)
		r = a.post("/kontor/passord", changeForm(staffPassword, newStaffPassword, newStaffPassword))
		if r.status != http.StatusSeeOther || r.location() != "/kontor/passord?endret=1" && r.location() != "/kontor?melding=passord" {
			t.Fatalf("change: %d to %q", r.status, r.location())
		}
		after := a.cookie(auth.CookieNamePlain)
		if after == "" || after == before {
			t.Fatal("no new session token after the change")
		}
		done := a.get(r.location())
		if done.status != 200 || !strings.Contains(done.body, `<div class="notice" role="status"><p>Passordet er byttet.`) {
			t.Errorf("after the change: %d\n%s", done.status, done.body)
		}
		checkStaffHTML(t, r.location(), done, "nb")
		if r := a.get("/en/kontor/passord?endret=1"); !strings.Contains(r.body, "Your password has been changed.") {
			t.Error("no English notice")
		}

		old := newClient(t, f.srv)
		setCookie(old, f.srv, auth.CookieNamePlain, before)
		wantRedirect(t, "the token from before the change", old.get("/kontor"), "/logg-inn?melding=utlopt&neste=%2Fkontor")
		wantRedirect(t, "the other session", b.get("/kontor"), "/logg-inn?melding=utlopt&neste=%2Fkontor")
		if r := a.get("/kontor/okter"); r.status != 200 || strings.Count(r.body, `name="id"`) != 1 {
			t.Errorf("the sessions after the change: %d, %d listed", r.status, strings.Count(r.body, `name="id"`))
		}

		c := newClient(t, f.srv)
		if r := c.signIn("per@example.no", staffPassword); r.status != 400 {
			t.Errorf("the old password: %d", r.status)
		}
		wantRedirect(t, "the new password", c.signIn("per@example.no", newStaffPassword), "/kontor")

		auditHas(t, st, "password.change", "session.revoke")
		log, _ := st.AuditLog(context.Background(), store.AuditFilter{Action: "password.", Limit: 1000})
		for _, e := range log {
			for k, v := range e.Detail {
				if s, ok := v.(string); ok && (strings.Contains(s, newStaffPassword) || strings.Contains(s, "$argon2")) {
					t.Errorf("%s detail %s holds a password or hash", e.Action, k)
				}
			}
			if e.Action == "password.change" && (e.ActorID != f.partner.ID || e.ObjectID != f.partner.ID) {
				t.Errorf("password.change by %q of %q", e.ActorID, e.ObjectID)
			}
		}
	})
}

// The form's mistakes are named in the summary and beside the field, and
// nothing typed into a password field comes back. A wrong current
// password counts as a failed sign-in: the fifth locks the account and
// ends the session. Only the signed-in, past their second factor, see the page.
func TestStaffPasswordErrors(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newStaffFixture(t, st, roomyLimits)
		a, b := newClient(t, f.srv), newClient(t, f.srv)
		for _, c := range []*client{a, b} {
			wantRedirect(t, "sign-in", c.signIn("per@example.no", staffPassword), "/kontor")
		}
		for _, tc := range []struct {
			name                 string
			current, next, again string
			lang                 string
			errs                 map[string]string // field → message
		}{
			{"empty", "", "", "", "nb", map[string]string{"current-password": "Skriv passordet du har nå.", "new-password": "Skriv et nytt passord."}},
			{"short and mismatched", staffPassword, "kort", "kort2", "nb", map[string]string{"new-password": "Passordet må ha minst 12 tegn.",
				"new-password-again": "De to nye passordene er ikke like."}},
			{"common", staffPassword, "password1234", "password1234", "nb", map[string]string{"new-password": "Passordet er for vanlig"}},
			{"personal", staffPassword, "Per@Example.no", "Per@Example.no", "en", map[string]string{"new-password": "The password cannot be your name"}},
			{"not repeated", "", newStaffPassword, "", "nn", map[string]string{"current-password": "Skriv passordet du har no.",
				"new-password-again": "Skriv det nye passordet ein gong til."}},
			{"the same", staffPassword, staffPassword, staffPassword, "nb", map[string]string{"new-password": "Det nye passordet må være et annet"}},
		} {
			r := a.post(prefixOf(tc.lang)+"/kontor/passord", changeForm(tc.current, tc.next, tc.again))
			if r.status != 400 {
				t.Errorf("%s: %d", tc.name, r.status)
				continue
			}
			checkPasswordPage(t, tc.name, r, tc.lang, tc.current, tc.next, tc.again)
			for field, msg := range tc.errs {
				if !fieldError(r, field, msg) {
					t.Errorf("%s: no error %q at %s", tc.name, msg, field)
				}
			}
			if n := strings.Count(r.body, `<p class="error"`); n != len(tc.errs) {
				t.Errorf("%s: %d field errors, want %d", tc.name, n, len(tc.errs))
			}
		}
		if u, _ := st.User(context.Background(), f.partner.ID); u.FailedSignins != 0 {
			t.Errorf("mistakes of the form counted %d failed sign-ins", u.FailedSignins)
		}

		// Wrong current passwords: counted; the fifth locks and signs out.
		for i := 1; i <= 4; i++ {
			wrong := "ikke mitt passord " + strings.Repeat("x", i)
			r := a.post("/kontor/passord", changeForm(wrong, newStaffPassword, newStaffPassword))
			if r.status != 400 || !fieldError(r, "current-password", "Passordet du har nå, er ikke riktig.") {
				t.Fatalf("wrong current password %d: %d", i, r.status)
			}
			checkPasswordPage(t, "wrong current password", r, "nb", wrong, newStaffPassword)
			if u, _ := st.User(context.Background(), f.partner.ID); u.FailedSignins != i {
				t.Errorf("after %d wrong: %d failures counted", i, u.FailedSignins)
			}
		}
		r := a.post("/kontor/passord", changeForm("ikke mitt passord igjen", newStaffPassword, newStaffPassword))
		wantRedirect(t, "the fifth wrong current password", r, "/logg-inn?melding=sperret")
		if !strings.Contains(strings.Join(r.header.Values("Set-Cookie"), "\n"), auth.CookieNamePlain+"=; Path=/; Max-Age=0") {
			t.Errorf("the cookie is not cleared: %v", r.header.Values("Set-Cookie"))
		}
		wantRedirect(t, "the session that guessed", a.get("/kontor"), "/logg-inn?neste=%2Fkontor")
		if r := newClient(t, f.srv).signIn("per@example.no", staffPassword); r.status != 400 {
			t.Errorf("sign-in while locked: %d", r.status)
		}
		// Another session lives on, but cannot change the password while the account is locked.
		r = b.post("/kontor/passord", changeForm(staffPassword, newStaffPassword, newStaffPassword))
		if r.status != 400 || !fieldError(r, "current-password", "For mange feil forsøk. Kontoen er sperret en stund.") {
			t.Errorf("change while locked: %d", r.status)
		}
		f.clock.Add(auth.LockBase + time.Second)
		if r := b.post("/kontor/passord", changeForm(staffPassword, newStaffPassword, newStaffPassword)); r.status != 303 {
			t.Errorf("change after the lock: %d", r.status)
		}
		auditHas(t, st, "password.change_fail", "signin.locked", "password.change")

		// Not signed in, or not past the second factor: no page.
		c := newClient(t, f.srv)
		wantRedirect(t, "signed out", c.get("/kontor/passord"), "/logg-inn?neste=%2Fkontor%2Fpassord")
		wantRedirect(t, "signed out (en)", c.get("/en/kontor/passord"), "/en/logg-inn?neste=%2Fen%2Fkontor%2Fpassord")
		wantRedirect(t, "signed out, POST", c.post("/kontor/passord", changeForm(staffPassword, newStaffPassword, newStaffPassword)), "/logg-inn")
		wantRedirect(t, "admin sign-in", c.signIn("ada@example.no", staffPassword), "/kontor/totp")
		wantRedirect(t, "before the second factor", c.get("/kontor/passord"), "/kontor/totp")
		wantRedirect(t, "before the second factor, POST", c.post("/kontor/passord", changeForm(staffPassword, newStaffPassword, newStaffPassword)), "/kontor/totp")
		if u, _ := st.User(context.Background(), f.admin.ID); u.PasswordHash != f.admin.PasswordHash {
			t.Error("a session without its second factor changed the password")
		}
		req, _ := http.NewRequest("PUT", f.srv.URL+"/kontor/passord", nil)
		if r := c.do(req); r.status != 405 || r.header.Get("Allow") != "GET, HEAD, POST" {
			t.Errorf("PUT: %d %q", r.status, r.header.Get("Allow"))
		}
	})
}

// The account's sign-in rate limit counts the attempts of the form too.
func TestStaffPasswordRateLimit(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	f := newStaffFixture(t, st, auth.Limits{Window: 15 * time.Minute, PerSource: 1000, PerAccount: 3, PerCode: 1000})
	a := newClient(t, f.srv)
	// Attempt 1 is the sign-in, 2 and 3 wrong current passwords, 4 is over the limit.
	wantRedirect(t, "sign-in", a.signIn("per@example.no", staffPassword), "/kontor")
	for range 2 {
		a.post("/kontor/passord", changeForm("feil passord", newStaffPassword, newStaffPassword))
	}
	r := a.post("/kontor/passord", changeForm(staffPassword, newStaffPassword, newStaffPassword))
	if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" || !fieldError(r, "current-password", "For mange forsøk.") {
		t.Errorf("over the limit: %d %q", r.status, r.header.Get("Retry-After"))
	}
	checkPasswordPage(t, "429", r, "nb", newStaffPassword)
	if r := newClient(t, f.srv).signIn("per@example.no", staffPassword); r.status != http.StatusTooManyRequests {
		t.Errorf("sign-in after the form's attempts: %d", r.status)
	}
}

// Through the whole application, a cross-site POST cannot change the
// password of a signed-in user.
func TestStaffPasswordThroughApp(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	f := newStaffFixture(t, st, roomyLimits)
	srv := httptest.NewServer(app.Handler(st, finder.New(st), slog.New(slog.DiscardHandler)))
	defer srv.Close()
	c := newClient(t, srv)
	wantRedirect(t, "sign-in through the app", c.post("/logg-inn", url.Values{"email": {"per@example.no"}, "password": {staffPassword}},
		"Sec-Fetch-Site", "same-origin"), "/kontor")
	hash := func() string {
		u, err := st.User(context.Background(), f.partner.ID)
		if err != nil {
			t.Fatal(err)
		}
		return u.PasswordHash
	}
	before := hash() // rehashed at sign-in with the production parameters
	for _, h := range [][]string{{"Sec-Fetch-Site", "cross-site"}, {"Origin", "https://evil.example"}} {
		for _, p := range []string{"/kontor/passord", "/en/kontor/passord"} {
			r := c.post(p, changeForm(staffPassword, newStaffPassword, newStaffPassword), h...)
			if r.status != http.StatusForbidden {
				t.Errorf("%s with %s: %d, want 403", p, h[0], r.status)
			}
		}
	}
	if hash() != before {
		t.Fatal("a cross-site POST changed the password")
	}
	r := c.get("/kontor/passord")
	if r.status != 200 || r.header.Get("Content-Security-Policy") != app.ContentSecurityPolicy || r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("/kontor/passord through the app: %d %v", r.status, r.header)
	}
	r = c.post("/kontor/passord", changeForm(staffPassword, newStaffPassword, newStaffPassword), "Sec-Fetch-Site", "same-origin")
	if r.status != http.StatusSeeOther || hash() == before || !strings.HasPrefix(hash(), "$argon2id$v=19$m=65536,t=3,p=2$") {
		t.Errorf("same-origin change through the app: %d", r.status)
	}
}

// TestStaffPasswordBrowser changes a password in Chromium: axe-core checks
// the form with and without errors in Bokmål and English, the password
// fields come back empty after an error, and the page fits a 320 px screen.
func TestStaffPasswordBrowser(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	f := newStaffFixture(t, st, roomyLimits)
	srv := f.srv
	ctx := browsertest.Tab(t)
	reqs := record(t, ctx)
	path := func() string { return pagePath(t, ctx) }
	axe := func(name string) { t.Helper(); checkPage(t, ctx, name) }
	submit := func() int64 {
		t.Helper()
		return load(t, ctx, chromedp.Click(chromedp.CSS(".staff-form button"), chromedp.NodeVisible))
	}
	typeIn := func(id, text string) {
		t.Helper()
		do(t, ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById('`+id+`').value = ''`),
			chromedp.SendKeys(chromedp.ID(id), text, chromedp.NodeVisible))
	}
	empty := func(what string) {
		t.Helper()
		for _, id := range []string{"current-password", "new-password", "new-password-again"} {
			if v := val(t, ctx, chromedp.Value(chromedp.ID(id))); v != "" {
				t.Errorf("%s: %s holds %q", what, id, v)
			}
		}
	}

	load(t, ctx, chromedp.Navigate(srv.URL+"/kontor/passord"))
	if p := path(); p != "/logg-inn?neste=%2Fkontor%2Fpassord" {
		t.Fatalf("signed out, the page went to %s", p)
	}
	typeIn("email", "per@example.no")
	typeIn("password", staffPassword)
	submit()
	if p := path(); p != "/kontor/passord" {
		t.Fatalf("after sign-in: %s", p)
	}
	axe("password (nb)")
	if st := submit(); st != 400 {
		t.Errorf("empty form: %d", st)
	}
	axe("password with errors (nb)")
	typeIn("current-password", staffPassword)
	typeIn("new-password", "kort")
	typeIn("new-password-again", "noe annet")
	if st := submit(); st != 400 {
		t.Errorf("short and mismatched: %d", st)
	}
	empty("short and mismatched")
	if n := val(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('.error-summary li a').length`)); n != 2 {
		t.Errorf("%d errors in the summary, want 2", n)
	}
	axe("password with field errors (nb)")

	load(t, ctx, chromedp.Navigate(srv.URL+"/en/kontor/passord"))
	axe("password (en)")
	typeIn("current-password", "not my password")
	typeIn("new-password", newStaffPassword)
	typeIn("new-password-again", newStaffPassword)
	if st := submit(); st != 400 {
		t.Errorf("wrong current password: %d", st)
	}
	empty("wrong current password")
	axe("password with errors (en)")

	typeIn("current-password", staffPassword)
	typeIn("new-password", newStaffPassword)
	typeIn("new-password-again", newStaffPassword)
	if st := submit(); st != 200 {
		t.Errorf("change: %d", st)
	}
	if p := path(); p != "/en/kontor/passord?endret=1" && p != "/en/kontor?melding=passord" {
		t.Fatalf("after the change: %s", p)
	}
	if s := val(t, ctx, chromedp.Text(chromedp.CSS(".notice"), chromedp.NodeVisible)); !strings.Contains(s, "Your password has been changed.") {
		t.Errorf("notice %q", s)
	}
	axe("password changed (en)")
	wantRedirect(t, "the new password", newClient(t, srv).signIn("per@example.no", newStaffPassword), "/kontor")

	narrow := browsertest.Tab(t, browsertest.WithViewport(320, 640))
	load(t, narrow, chromedp.Navigate(srv.URL+"/kontor/passord")) // the tab shares the signed-in cookie
	if w := val(t, narrow, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > 320 {
		t.Errorf("/kontor/passord: %d px wide at 320", w)
	}
	reqs.checkHosts(t, srv.Listener.Addr().String())
}
