package web_test

import (
	"bytes"
	"context"
	"html"
	"io"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	"net/http"
	"net/http/httptest"
	netmail "net/mail"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/app"
	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/finder"
	"github.com/fellesrom/fellesrom/internal/jobs"
	"github.com/fellesrom/fellesrom/internal/mail"
	"github.com/fellesrom/fellesrom/internal/mail/mailtest"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
	"github.com/fellesrom/fellesrom/internal/web"
)

// acctLog is a log the tests read, to make sure no token is in it.
type acctLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *acctLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *acctLog) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.buf.String() }

// acctEnv is the staff fixture with a real SMTP server, the mail job that
// delivers the outbox to it, and a site whose log the test reads.
type acctEnv struct {
	*staffFixture
	smtp   *mailtest.Server
	sender *mail.Sender
	log    *acctLog
	seen   int // mails read so far
}

func newAcctEnv(t *testing.T, st *store.Store, limits auth.Limits) *acctEnv {
	t.Helper()
	f := newStaffFixture(t, st, limits)
	e := &acctEnv{staffFixture: f, log: &acctLog{}}
	e.smtp = mailtest.Start(t, mailtest.Options{})
	var err error
	e.sender, err = mail.NewSender(mail.Config{Host: e.smtp.Host, Port: e.smtp.Port, From: "fellesrom <ikke-svar@fellesrom.example>",
		Timeout: 5 * time.Second, TLSConfig: e.smtp.ClientTLS()})
	if err != nil {
		t.Fatal(err)
	}
	// The fixture's site logs nowhere; this one logs where the test reads.
	logger := slog.New(slog.NewTextHandler(e.log, nil))
	f.h = http.NewCrossOriginProtection().Handler(web.New(web.Deps{Store: st, Finder: finder.New(st), Logger: logger,
		Now: f.clock.Now, Auth: f.svc}))
	f.srv.Close()
	f.srv = httptest.NewServer(f.h)
	t.Cleanup(f.srv.Close)
	return e
}

// acctMail is a mail as it arrived at the SMTP server.
type acctMail struct {
	To, Subject, Lang, Body string
}

// deliver runs the mail job once and returns the mails that arrived since
// the last call.
func (e *acctEnv) deliver(t *testing.T) []acctMail {
	t.Helper()
	if _, err := jobs.SendMail(context.Background(), e.st, e.sender, slog.New(slog.NewTextHandler(e.log, nil)), jobs.MailOptions{}); err != nil {
		t.Fatal(err)
	}
	all := e.smtp.Received()
	var out []acctMail
	for _, r := range all[e.seen:] {
		msg, err := netmail.ReadMessage(bytes.NewReader(r.Data))
		if err != nil {
			t.Fatal(err)
		}
		subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
		if err != nil {
			t.Fatal(err)
		}
		if len(r.To) != 1 || !r.TLS {
			t.Errorf("a mail to %v, TLS %v", r.To, r.TLS)
		}
		out = append(out, acctMail{To: r.To[0], Subject: subject, Lang: msg.Header.Get("Content-Language"),
			Body: strings.ReplaceAll(string(body), "\r\n", "\n")})
	}
	e.seen = len(all)
	return out
}

var reAcctLink = regexp.MustCompile(`https?://[^\s/]+(/(?:[a-z]{2}/)?(?:invitasjon|nytt-passord)/([A-Za-z0-9_-]{43}))\b`)

// linkOf returns the path of the one link in a mail, and its token, and
// checks that the link goes to the site.
func (e *acctEnv) linkOf(t *testing.T, m acctMail) (string, string) {
	t.Helper()
	got := reAcctLink.FindAllStringSubmatch(m.Body, -1)
	if len(got) != 1 {
		t.Fatalf("the mail %q has %d links:\n%s", m.Subject, len(got), m.Body)
	}
	if !strings.HasPrefix(got[0][0], e.srv.URL+"/") {
		t.Errorf("the link %q does not go to %s", got[0][0], e.srv.URL)
	}
	return got[0][1], got[0][2]
}

// noTokens fails if the site's log or the audit log holds a token.
func (e *acctEnv) noTokens(t *testing.T, tokens ...string) {
	t.Helper()
	log, err := e.st.AuditLog(context.Background(), store.AuditFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range tokens {
		for _, hay := range []string{tok, auth.HashToken(tok)} {
			if strings.Contains(e.log.String(), hay) {
				t.Errorf("the log holds a token or its hash")
			}
			for _, x := range log {
				if strings.Contains(x.ObjectID+" "+strings.Join(detailStrings(x.Detail), " "), hay) {
					t.Errorf("%s holds a token or its hash", x.Action)
				}
			}
		}
	}
}

func detailStrings(d map[string]any) []string {
	var out []string
	for k, v := range d {
		if s, ok := v.(string); ok {
			out = append(out, k+"="+s)
		}
	}
	return out
}

// signInFull signs a client in through the pages, enrolling TOTP or giving
// the code as needed; secrets keeps each user's TOTP secret.
func (e *acctEnv) signInFull(t *testing.T, c *client, email string, secrets map[string]string) {
	t.Helper()
	r := c.signIn(email, staffPassword)
	switch r.location() {
	case "/kontor":
	case "/kontor/totp":
		secret := secretOf(t, c.get("/kontor/totp").body)
		secrets[email] = secret
		wantRedirect(t, "enrolment of "+email, c.post("/kontor/totp", url.Values{"code": {code(t, secret, e.clock.Now())}}), "/kontor?melding=totp")
	case "/logg-inn/kode":
		e.clock.Add(30 * time.Second)
		wantRedirect(t, "code of "+email, c.post("/logg-inn/kode", url.Values{"code": {code(t, secrets[email], e.clock.Now())}}), "/kontor")
	default:
		t.Fatalf("sign-in of %s: %d %s", email, r.status, r.location())
	}
}

// checkTokenPage checks a page whose URL holds a token.
func checkTokenPage(t *testing.T, what string, r resp, lang string) {
	t.Helper()
	checkStaffHTML(t, what, r, lang)
	if r.header.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("%s: Referrer-Policy %q", what, r.header.Get("Referrer-Policy"))
	}
	if m := regexp.MustCompile(`\baccount\.[a-z][a-z0-9_]*\b`).FindString(r.body); m != "" {
		t.Errorf("%s: the catalogue lacks %q", what, m)
	}
}

func invitePost(email, name, org, role, lang string) url.Values {
	return url.Values{"email": {email}, "name": {name}, "org": {org}, "role": {role}, "lang": {lang}}
}

// An administrator invites someone by e-mail: the mail goes through the
// outbox and the mail job to a real SMTP server; the link in the mail that
// arrived makes the account, which must then enrol TOTP; the link works
// once; nothing logs the token.
func TestAccountInviteFlow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newAcctEnv(t, st, roomyLimits)
		secrets := map[string]string{}
		admin := newClient(t, e.srv)
		e.signInFull(t, admin, "ada@example.no", secrets)

		r := admin.get("/kontor/brukere")
		if r.status != 200 {
			t.Fatalf("/kontor/brukere: %d", r.status)
		}
		checkStaffHTML(t, "/kontor/brukere", r, "nb")
		body := html.UnescapeString(r.body)
		for _, s := range []string{"Alle brukere", "Ada Admin", "kari@example.no", "Per Partner", "Koordinator, Distrikt Nord",
			"Samarbeidspartner (bare lesetilgang), Huset Tromsø", "Ingen invitasjoner venter.", `<option value="admin">`,
			`<option value="` + e.house.ID + `">Huset Tromsø</option>`, `<option value="nb" selected>`} {
			if !strings.Contains(body, s) {
				t.Errorf("/kontor/brukere lacks %q", s)
			}
		}
		checkStaffHTML(t, "/en/kontor/brukere", admin.get("/en/kontor/brukere"), "en")

		// Errors keep what was typed.
		r = admin.post("/kontor/brukere", invitePost("ikke en adresse", "", "", "", "nb"))
		if r.status != 400 || !strings.Contains(r.body, `value="ikke en adresse"`) || !strings.Contains(r.body, `<a href="#name">`) ||
			!strings.Contains(r.body, `<a href="#role">`) || !strings.Contains(r.body, `id="email-error"`) {
			t.Errorf("a bad invitation: %d\n%s", r.status, r.body)
		}
		checkStaffHTML(t, "POST /kontor/brukere (bad)", r, "nb")
		r = admin.post("/kontor/brukere", invitePost("ola@example.no", "Ola", "", "coordinator", "nb"))
		if r.status != 400 || !strings.Contains(r.body, `<a href="#org">`) {
			t.Errorf("no organisation: %d", r.status)
		}
		if n := e.deliver(t); len(n) != 0 {
			t.Fatalf("a refused invitation sent %d mails", len(n))
		}

		wantRedirect(t, "invite", admin.post("/kontor/brukere", invitePost(" Ola@Example.no ", "Ola Nordmann", e.house.ID, "coordinator", "en")),
			"/kontor/brukere?melding=invitert")
		r = admin.get("/kontor/brukere?melding=invitert")
		if !strings.Contains(r.body, "Invitasjonen er sendt") || !strings.Contains(r.body, "ola@example.no") ||
			!strings.Contains(r.body, `name="action" value="resend"`) {
			t.Errorf("after the invitation:\n%s", r.body)
		}
		mails := e.deliver(t)
		if len(mails) != 1 {
			t.Fatalf("%d mails arrived", len(mails))
		}
		m := mails[0]
		if m.To != "ola@example.no" || m.Subject != "Invitation to fellesrom" || m.Lang != "en" ||
			!strings.Contains(m.Body, "Ada Admin has invited you") || !strings.Contains(m.Body, "Role: Coordinator at Huset Tromsø") {
			t.Errorf("the mail: %+v", m)
		}
		path, token := e.linkOf(t, m)
		if !strings.HasPrefix(path, "/en/invitasjon/") {
			t.Errorf("the link %s is not in the mail's language", path)
		}

		// The invitee follows the link.
		ola := newClient(t, e.srv)
		r = ola.get(path)
		if r.status != 200 {
			t.Fatalf("the invitation's page: %d", r.status)
		}
		checkTokenPage(t, "the invitation's page", r, "en")
		for _, s := range []string{"Coordinator", "Huset Tromsø", "ola@example.no", `value="Ola Nordmann"`, `autocomplete="new-password"`,
			`action="` + path + `"`} {
			if !strings.Contains(html.UnescapeString(r.body), s) {
				t.Errorf("the invitation's page lacks %q", s)
			}
		}
		checkTokenPage(t, "the invitation's page (nb)", ola.get(strings.TrimPrefix(path, "/en")), "nb")
		r = ola.post(path, url.Values{"name": {"Ola Nordmann"}, "password": {"grønt eple"}, "password2": {"grønt eple"}})
		if r.status != 400 || !strings.Contains(r.body, "at least 12 characters") {
			t.Errorf("a short password: %d", r.status)
		}
		checkTokenPage(t, "a short password", r, "en")
		r = ola.post(path, url.Values{"name": {""}, "password": {staffPassword}, "password2": {staffPassword + "x"}})
		if r.status != 400 || !strings.Contains(r.body, `<a href="#password2">`) || !strings.Contains(r.body, `<a href="#name">`) ||
			strings.Contains(r.body, staffPassword) {
			t.Errorf("mismatched passwords: %d", r.status)
		}
		if ola.cookie(auth.CookieNamePlain) != "" {
			t.Fatal("a refused form signed in")
		}
		r = ola.post(path, url.Values{"name": {"Ola N."}, "password": {staffPassword}, "password2": {staffPassword}})
		wantRedirect(t, "accept", r, "/en/kontor/totp")
		if ola.cookie(auth.CookieNamePlain) == "" {
			t.Fatal("no session after accepting")
		}
		wantRedirect(t, "the back office before enrolment", ola.get("/kontor"), "/kontor/totp")
		r = ola.get("/en/kontor/totp")
		if r.status != 200 || !strings.Contains(r.body, "totp-secret") {
			t.Errorf("enrolment: %d", r.status)
		}
		u, err := st.UserByEmail(context.Background(), "ola@example.no")
		if err != nil || u.Name != "Ola N." || len(u.Memberships) != 1 ||
			u.Memberships[0] != (store.Membership{OrgID: e.house.ID, Role: store.RoleCoordinator}) {
			t.Fatalf("the new user: %+v %v", u, err)
		}

		// The link is used up: the same page as for any unknown token.
		used := newClient(t, e.srv)
		r = used.get(path)
		unknown := used.get("/en/invitasjon/" + strings.Repeat("A", 43))
		if r.status != http.StatusGone || unknown.status != http.StatusGone ||
			strings.ReplaceAll(r.body, token, "T") != strings.ReplaceAll(unknown.body, strings.Repeat("A", 43), "T") {
			t.Errorf("used %d and unknown %d differ", r.status, unknown.status)
		}
		if !strings.Contains(r.body, "Ask the person who invited you for a new invitation") {
			t.Errorf("the page of a used link:\n%s", r.body)
		}
		checkTokenPage(t, "a used link", r, "en")
		if r := used.post(path, url.Values{"name": {"X"}, "password": {staffPassword}, "password2": {staffPassword}}); r.status != http.StatusGone {
			t.Errorf("a used link, posted: %d", r.status)
		}
		if admin.get("/kontor/brukere").body == "" || strings.Contains(admin.get("/kontor/brukere").body, `value="resend"`) {
			t.Error("an accepted invitation is still listed")
		}
		auditHas(t, st, "invite.create", "invite.accept", "user.create", "signin.ok", "user.list")
		e.noTokens(t, token)
	})
}

// A coordinator invites within their part of the tree, up to their own
// role; a refused request writes nothing.
func TestAccountInviteScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newAcctEnv(t, st, roomyLimits)
		ctx := store.WithActor(context.Background(), store.Actor{ID: "test"})
		south := domain.Organisation{Kind: domain.OrgSelfHelpHouse, Slug: "huset-sor", Name: "Huset Sør"}
		if err := st.SaveOrganisation(ctx, &south); err != nil {
			t.Fatal(err)
		}
		for _, n := range []auth.NewUser{
			{Email: "sol@example.no", Name: "Sol Sør", Password: staffPassword, Memberships: []store.Membership{{OrgID: south.ID, Role: store.RoleCoordinator}}},
			{Email: "siri@example.no", Name: "Siri Starter", Password: staffPassword, Memberships: []store.Membership{{OrgID: e.house.ID, Role: store.RoleStarter}}},
		} {
			if _, err := e.svc.CreateUser(ctx, n); err != nil {
				t.Fatal(err)
			}
		}
		secrets := map[string]string{}
		coord, admin := newClient(t, e.srv), newClient(t, e.srv)
		e.signInFull(t, coord, "kari@example.no", secrets)
		e.signInFull(t, admin, "ada@example.no", secrets)

		r := coord.get("/kontor/brukere")
		if r.status != 200 {
			t.Fatalf("the coordinator's staff page: %d", r.status)
		}
		checkStaffHTML(t, "/kontor/brukere (coordinator)", r, "nb")
		body := html.UnescapeString(r.body)
		for _, s := range []string{"Brukere i organisasjonene dine", "Per Partner", "Siri Starter", "Kari Koordinator", e.town.ID} {
			if !strings.Contains(body, s) {
				t.Errorf("the coordinator's page lacks %q", s)
			}
		}
		for _, s := range []string{"Sol Sør", "sol@example.no", "Ada Admin", "Huset Sør", south.ID, `value="admin"`} {
			if strings.Contains(body, s) {
				t.Errorf("the coordinator's page shows %q", s)
			}
		}

		// The administrator invites to the other house; the coordinator
		// does not see it, and cannot revoke or resend it.
		wantRedirect(t, "admin invites", admin.post("/kontor/brukere", invitePost("ny@example.no", "Ny", south.ID, "partner", "nb")),
			"/kontor/brukere?melding=invitert")
		invs, _ := st.Invites(context.Background())
		if len(invs) != 1 {
			t.Fatalf("%d invitations", len(invs))
		}
		e.deliver(t)
		if strings.Contains(coord.get("/kontor/brukere").body, invs[0].ID) {
			t.Error("the coordinator sees an invitation to another house")
		}
		for _, action := range []string{"revoke", "resend"} {
			wantRedirect(t, "coordinator "+action+"s another house's invitation",
				coord.post("/kontor/brukere/invitasjoner", url.Values{"id": {invs[0].ID}, "action": {action}}), "/kontor/brukere?melding=finnes-ikke")
		}

		nothingWritten := func(what string) {
			t.Helper()
			if got, _ := st.Invites(context.Background()); len(got) != 1 || got[0].ID != invs[0].ID || !got[0].CreatedAt.Equal(invs[0].CreatedAt) {
				t.Errorf("%s: the invitations changed: %+v", what, got)
			}
			if n := e.deliver(t); len(n) != 0 {
				t.Errorf("%s: %d mails", what, len(n))
			}
		}
		nothingWritten("revoke and resend")
		// Another house, and a role above the coordinator's own: 403.
		for _, f := range []url.Values{invitePost("ny2@example.no", "Ny", south.ID, "partner", "nb"),
			invitePost("ny2@example.no", "Ny", "", "admin", "nb"), invitePost("ny2@example.no", "Ny", store.NewID(), "partner", "nb")} {
			r := coord.post("/kontor/brukere", f)
			if r.status != http.StatusForbidden || !strings.Contains(r.body, "Du kan ikke invitere noen med denne rollen") {
				t.Errorf("coordinator invites %v: %d", f, r.status)
			}
			checkStaffHTML(t, "a refused invitation", r, "nb")
		}
		nothingWritten("refused invitations")
		// Within their tree: a coordinator of the town under the district.
		wantRedirect(t, "coordinator invites", coord.post("/kontor/brukere", invitePost("nils@example.no", "Nils", e.town.ID, "coordinator", "nn")),
			"/kontor/brukere?melding=invitert")
		if m := e.deliver(t); len(m) != 1 || !strings.Contains(m[0].Body, "Kari Koordinator har invitert deg") || m[0].Lang != "nn" {
			t.Errorf("the coordinator's invitation: %+v", m)
		}

		// That a starter and a partner have no staff page is the role
		// matrix's (TestOfficeRoleMatrix).
		// Junk.
		if r := coord.post("/kontor/brukere/invitasjoner", url.Values{"id": {"junk"}, "action": {"revoke"}}); r.status != 400 {
			t.Errorf("junk id: %d", r.status)
		}
		if r := coord.post("/kontor/brukere/invitasjoner", url.Values{"id": {invs[0].ID}, "action": {"delete"}}); r.status != 400 {
			t.Errorf("unknown action: %d", r.status)
		}
	})
}

// Resend kills the old link; revoke kills the link; a link expires after 72
// hours; an address with an account signs in and confirms.
func TestAccountInviteLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newAcctEnv(t, st, roomyLimits)
		secrets := map[string]string{}
		admin := newClient(t, e.srv)
		e.signInFull(t, admin, "ada@example.no", secrets)
		invite := func(email, role, org string) (string, string) {
			t.Helper()
			wantRedirect(t, "invite "+email, admin.post("/kontor/brukere", invitePost(email, "Navn", org, role, "nb")), "/kontor/brukere?melding=invitert")
			m := e.deliver(t)
			if len(m) != 1 {
				t.Fatalf("%d mails", len(m))
			}
			return e.linkOf(t, m[0])
		}
		idOf := func(email string) string {
			t.Helper()
			invs, _ := st.Invites(context.Background())
			for _, inv := range invs {
				if inv.Email == email {
					return inv.ID
				}
			}
			t.Fatalf("no invitation for %s", email)
			return ""
		}
		anon := newClient(t, e.srv)

		first, tok1 := invite("ola@example.no", "partner", e.house.ID)
		wantRedirect(t, "resend", admin.post("/kontor/brukere/invitasjoner", url.Values{"id": {idOf("ola@example.no")}, "action": {"resend"}}),
			"/kontor/brukere?melding=sendt-igjen")
		m := e.deliver(t)
		if len(m) != 1 {
			t.Fatalf("%d mails after the resend", len(m))
		}
		second, tok2 := e.linkOf(t, m[0])
		if second == first {
			t.Fatal("the resent link is the same")
		}
		if r := anon.get(first); r.status != http.StatusGone {
			t.Errorf("the first link after a resend: %d", r.status)
		}
		if r := anon.get(second); r.status != 200 {
			t.Errorf("the resent link: %d", r.status)
		}
		wantRedirect(t, "revoke", admin.post("/kontor/brukere/invitasjoner", url.Values{"id": {idOf("ola@example.no")}, "action": {"revoke"}}),
			"/kontor/brukere?melding=trukket")
		if r := anon.get(second); r.status != http.StatusGone {
			t.Errorf("a revoked link: %d", r.status)
		}
		if r := admin.get("/kontor/brukere?melding=trukket"); !strings.Contains(r.body, "trukket tilbake") || strings.Contains(r.body, "ola@example.no") {
			t.Error("the revoked invitation is listed")
		}

		// Expiry, on the server's clock.
		link, tok3 := invite("nils@example.no", "starter", e.town.ID)
		e.clock.Add(72*time.Hour - time.Second)
		if r := anon.get(link); r.status != 200 {
			t.Errorf("a second before expiry: %d", r.status)
		}
		e.clock.Add(time.Second)
		if r := anon.get(link); r.status != http.StatusGone {
			t.Errorf("after 72 hours: %d", r.status)
		}
		e.signInFull(t, admin, "ada@example.no", secrets)
		if r := admin.get("/kontor/brukere"); !strings.Contains(r.body, "Gått ut") || !strings.Contains(r.body, "nils@example.no") {
			t.Error("an expired invitation is not shown as expired")
		}

		// Per, a partner with an account, is invited as starter too.
		link, tok4 := invite("per@example.no", "starter", e.town.ID)
		r := anon.get(link)
		if r.status != 200 || !strings.Contains(r.body, "har allerede en konto") || strings.Contains(r.body, `type="password"`) {
			t.Errorf("the page for an existing account: %d\n%s", r.status, r.body)
		}
		checkTokenPage(t, "an existing account's invitation", r, "nb")
		if r := anon.post(link, url.Values{"confirm": {"1"}}); r.status != http.StatusConflict {
			t.Errorf("confirm without signing in: %d", r.status)
		}
		// Signed in as someone else: told so, and nothing happens.
		if r := admin.get(link); !strings.Contains(r.body, "Du er logget inn som Ada Admin") {
			t.Error("the page does not say that another account is signed in")
		}
		if r := admin.post(link, url.Values{"confirm": {"1"}}); r.status != http.StatusConflict {
			t.Errorf("confirm as another account: %d", r.status)
		}
		per := newClient(t, e.srv)
		e.signInFull(t, per, "per@example.no", secrets)
		r = per.get(link)
		if !strings.Contains(r.body, "Ta imot rollen") {
			t.Errorf("the confirmation:\n%s", r.body)
		}
		before := per.cookie(auth.CookieNamePlain)
		// A starter needs a second factor: enrolment comes first.
		wantRedirect(t, "confirm", per.post(link, url.Values{"confirm": {"1"}}), "/kontor/totp")
		if after := per.cookie(auth.CookieNamePlain); after == before || after == "" {
			t.Error("the session was not renewed with the new role")
		}
		wantRedirect(t, "per after the new role", per.get("/kontor"), "/kontor/totp")
		u, _ := st.UserByEmail(context.Background(), "per@example.no")
		if len(u.Memberships) != 2 {
			t.Errorf("per's roles: %+v", u.Memberships)
		}
		if r := per.get(link); r.status != http.StatusGone {
			t.Errorf("the link after confirming: %d", r.status)
		}
		auditHas(t, st, "invite.create", "invite.resend", "invite.revoke", "invite.accept")
		e.noTokens(t, tok1, tok2, tok3, tok4)
	})
}

// Password reset: a known and an unknown address get the same answer; the
// mail arrives; the link works once; every session ends; the old password
// is refused, the new one works, the second factor is still asked for.
func TestAccountPasswordReset(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newAcctEnv(t, st, roomyLimits)
		secrets := map[string]string{}
		kari, kari2 := newClient(t, e.srv), newClient(t, e.srv)
		e.signInFull(t, kari, "kari@example.no", secrets)
		e.signInFull(t, kari2, "kari@example.no", secrets)

		c := newClient(t, e.srv)
		r := c.get("/glemt-passord")
		if r.status != 200 || !strings.Contains(r.body, `action="/glemt-passord"`) {
			t.Fatalf("/glemt-passord: %d", r.status)
		}
		checkStaffHTML(t, "/glemt-passord", r, "nb")
		checkStaffHTML(t, "/en/glemt-passord", c.get("/en/glemt-passord"), "en")
		if r := c.post("/glemt-passord", url.Values{"email": {"ikke en adresse"}}); r.status != 400 || !strings.Contains(r.body, `<a href="#email">`) {
			t.Errorf("a bad address: %d", r.status)
		}

		known := c.post("/glemt-passord", url.Values{"email": {"kari@example.no"}})
		unknown := c.post("/glemt-passord", url.Values{"email": {"ingen@example.no"}})
		per := c.post("/glemt-passord", url.Values{"email": {"per@example.no"}})
		for _, x := range []resp{known, unknown, per} {
			wantRedirect(t, "reset request", x, "/glemt-passord?melding=sendt")
			x.header.Del("Date")
			if !equalHeaders(x.header, known.header) {
				t.Errorf("the answers differ: %v / %v", x.header, known.header)
			}
		}
		r = c.get("/glemt-passord?melding=sendt")
		if !strings.Contains(r.body, "Hører adressen til en konto, er en lenke på vei") {
			t.Error("no notice after the request")
		}
		// Kari and Per (enabled so far) get a mail; then Per is disabled,
		// asks again and gets nothing, and the link Per has stops working.
		mails := e.deliver(t)
		if len(mails) != 2 {
			t.Fatalf("%d mails, want kari's and per's", len(mails))
		}
		p, _ := st.UserByEmail(context.Background(), "per@example.no")
		p.Disabled = true
		if err := st.UpdateUser(context.Background(), &p); err != nil {
			t.Fatal(err)
		}
		wantRedirect(t, "a disabled user's request", c.post("/glemt-passord", url.Values{"email": {"per@example.no"}}), "/glemt-passord?melding=sendt")
		if n := e.deliver(t); len(n) != 0 {
			t.Errorf("a disabled user got %d mails", len(n))
		}
		var m acctMail
		for _, x := range mails {
			if x.To == "kari@example.no" {
				m = x
			}
		}
		if m.Subject != "Nytt passord i fellesrom" {
			t.Fatalf("the mail: %+v", m)
		}
		path, token := e.linkOf(t, m)
		// Per's link stopped working when per was disabled.
		for _, x := range mails {
			if x.To == "per@example.no" {
				perPath, _ := e.linkOf(t, x)
				if r := c.get(perPath); r.status != http.StatusGone {
					t.Errorf("a disabled user's link: %d", r.status)
				}
			}
		}

		r = c.get(path)
		if r.status != 200 || !strings.Contains(r.body, `value="kari@example.no"`) || !strings.Contains(r.body, `autocomplete="new-password"`) {
			t.Fatalf("the reset page: %d", r.status)
		}
		checkTokenPage(t, "the reset page", r, "nb")
		checkTokenPage(t, "the reset page (en)", c.get("/en"+path), "en")
		if r := c.post(path, url.Values{"password": {staffPassword + "!"}, "password2": {staffPassword}}); r.status != 400 ||
			!strings.Contains(r.body, `<a href="#password2">`) {
			t.Errorf("mismatch: %d", r.status)
		}
		if r := c.post(path, url.Values{"password": {"kari koordinator"}, "password2": {"kari koordinator"}}); r.status != 400 ||
			!strings.Contains(r.body, "Passordet kan ikke være navnet ditt") {
			t.Errorf("the name as password: %d", r.status)
		}
		const newPassword = "sju sølvmåker over molo"
		wantRedirect(t, "reset", c.post(path, url.Values{"password": {newPassword}, "password2": {newPassword}}), "/logg-inn?melding=nytt-passord")
		if r := c.get("/logg-inn?melding=nytt-passord"); !strings.Contains(r.body, "Passordet er byttet") {
			t.Error("no notice on the sign-in page")
		}
		for _, x := range []*client{kari, kari2} {
			wantRedirect(t, "a session after the reset", x.get("/kontor"), "/logg-inn?melding=utlopt&neste=%2Fkontor")
		}
		if r := c.get(path); r.status != http.StatusGone || !strings.Contains(r.body, "Be om en ny lenke") {
			t.Errorf("the link again: %d", r.status)
		}
		if r := c.post(path, url.Values{"password": {newPassword + "x"}, "password2": {newPassword + "x"}}); r.status != http.StatusGone {
			t.Errorf("the link posted again: %d", r.status)
		}
		if m := e.deliver(t); len(m) != 1 || m[0].Subject != "Passordet ditt i fellesrom er byttet" {
			t.Errorf("the changed mail: %+v", m)
		}
		if r := c.signIn("kari@example.no", staffPassword); r.status != 400 {
			t.Errorf("the old password: %d", r.status)
		}
		wantRedirect(t, "the new password", c.signIn("kari@example.no", newPassword), "/logg-inn/kode")
		auditHas(t, st, "password.reset_request", "password.reset")
		e.noTokens(t, token)
	})
}

func equalHeaders(a, b http.Header) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if strings.Join(v, "\n") != strings.Join(b.Values(k), "\n") {
			return false
		}
	}
	return true
}

// Rate limits: three reset requests per address an hour, known or not;
// token attempts per network; pages with a token are no-store whatever
// the answer.
func TestAccountLimits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newAcctEnv(t, st, auth.Limits{Window: 15 * time.Minute, PerSource: 12, PerAccount: 100, PerCode: 100})
		e.clock.t = e.clock.t.Truncate(time.Hour)
		c := newClient(t, e.srv)
		for _, email := range []string{"kari@example.no", "ingen@example.no"} {
			for range 3 {
				wantRedirect(t, email, c.post("/glemt-passord", url.Values{"email": {email}}), "/glemt-passord?melding=sendt")
			}
			r := c.post("/glemt-passord", url.Values{"email": {email}})
			if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" || !strings.Contains(r.body, "For mange forsøk") {
				t.Errorf("%s, the 4th request: %d", email, r.status)
			}
			checkStaffHTML(t, "429", r, "nb")
		}
		if n := e.deliver(t); len(n) != 3 {
			t.Errorf("%d mails, want 3", len(n))
		}
		// Token attempts: 12 per window from a network, valid or not.
		bad := "/nytt-passord/" + strings.Repeat("B", 43)
		for i := range 12 {
			r := c.get([]string{bad, "/invitasjon/" + strings.Repeat("C", 43), "/invitasjon/kort"}[i%3])
			if r.status != http.StatusGone {
				t.Fatalf("attempt %d: %d", i+1, r.status)
			}
			checkTokenPage(t, "an unknown token", r, "nb")
		}
		r := c.get(bad)
		if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" || r.header.Get("Cache-Control") != "no-store" {
			t.Errorf("the 13th attempt: %d %v", r.status, r.header)
		}
		checkTokenPage(t, "too many attempts", r, "nb")
		// Other methods: 405, no-store too.
		req, _ := http.NewRequest("PUT", e.srv.URL+bad, nil)
		if r := c.do(req); r.status != 405 || r.header.Get("Cache-Control") != "no-store" || r.header.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("PUT: %d %v", r.status, r.header)
		}
		e.clock.Add(time.Hour)
		if r := c.get(bad); r.status != http.StatusGone {
			t.Errorf("the next window: %d", r.status)
		}
		auditHas(t, st, "account.rate_limited")
	})
}

// Through the whole application: cross-site posts are refused before any
// handler runs; links in mails use FELLESROM_PUBLIC_URL when it is set,
// and a broken setting sends nothing.
func TestAccountThroughApp(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	newStaffFixture(t, st, roomyLimits) // the users
	srv := httptest.NewServer(app.Handler(st, finder.New(st), slog.New(slog.DiscardHandler)))
	defer srv.Close()
	c := newClient(t, srv)
	tok := strings.Repeat("A", 43)
	for _, h := range [][]string{{"Sec-Fetch-Site", "cross-site"}, {"Origin", "https://evil.example"}} {
		for _, p := range []string{"/kontor/brukere", "/kontor/brukere/invitasjoner", "/invitasjon/" + tok, "/glemt-passord",
			"/nytt-passord/" + tok, "/en/glemt-passord"} {
			r := c.post(p, url.Values{"email": {"kari@example.no"}}, h...)
			if r.status != http.StatusForbidden {
				t.Errorf("%s with %s: %d, want 403", p, h[0], r.status)
			}
		}
	}
	if sum, _ := st.OutboxStatus(context.Background()); sum.Counts[store.MailPending] != 0 {
		t.Fatal("a cross-site request queued a mail")
	}
	t.Setenv("FELLESROM_PUBLIC_URL", "https://fellesrom.example.no/")
	wantRedirect(t, "same-origin request", c.post("/glemt-passord", url.Values{"email": {"kari@example.no"}}, "Sec-Fetch-Site", "same-origin"),
		"/glemt-passord?melding=sendt")
	ms, err := st.ClaimMail(context.Background(), time.Now().Add(time.Hour), 10, time.Minute)
	if err != nil || len(ms) != 1 || !regexp.MustCompile(`\nhttps://fellesrom\.example\.no/nytt-passord/[A-Za-z0-9_-]{43}\n`).MatchString(ms[0].Body) {
		t.Fatalf("the link with FELLESROM_PUBLIC_URL: %v\n%v", err, ms)
	}
	for _, bad := range []string{"fellesrom.example.no", "http://fellesrom.example.no", "https://fellesrom.example.no/sti",
		"https://x@fellesrom.example.no", "https://fellesrom.example.no/?a=b", "javascript:alert(1)"} {
		t.Setenv("FELLESROM_PUBLIC_URL", bad)
		if r := c.post("/glemt-passord", url.Values{"email": {"kari@example.no"}}); r.status != 500 {
			t.Errorf("FELLESROM_PUBLIC_URL=%s: %d", bad, r.status)
		}
	}
	if sum, _ := st.OutboxStatus(context.Background()); sum.Counts[store.MailPending] != 0 {
		t.Error("a broken FELLESROM_PUBLIC_URL queued a mail")
	}
	t.Setenv("FELLESROM_PUBLIC_URL", "http://localhost:8080")
	wantRedirect(t, "loopback http", c.post("/glemt-passord", url.Values{"email": {"ingen@example.no"}}), "/glemt-passord?melding=sendt")
}
