package auth_test

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/auth/oidctest"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

const ssoRedirect = "https://fellesrom.example/logg-inn/sso/tilbake"

// ssoEnv is an organisation tree (a district with two houses under it), a
// real OpenID Provider, and a provider setting for the district.
type ssoEnv struct {
	st                    *store.Store
	svc                   *auth.Service
	clock                 *clock
	op                    *oidctest.Provider
	ctx                   context.Context // carries the HTTP client that trusts the provider
	p                     store.OIDCProvider
	district, house, town domain.Organisation
}

func newSSOEnv(t *testing.T, st *store.Store) *ssoEnv {
	t.Helper()
	e := &ssoEnv{st: st, clock: newClock(), op: oidctest.Start(t)}
	e.svc = service(st, e.clock, roomy)
	e.op.AddRedirectURI(ssoRedirect)
	e.ctx = oidc.ClientContext(context.Background(), e.op.Client())
	actx := store.WithActor(context.Background(), store.Actor{ID: "test"})
	e.district = domain.Organisation{Kind: domain.OrgDistrictOffice, Slug: "distrikt", Name: "Distrikt"}
	if err := st.SaveOrganisation(actx, &e.district); err != nil {
		t.Fatal(err)
	}
	for i, o := range []*domain.Organisation{&e.house, &e.town} {
		*o = domain.Organisation{Kind: domain.OrgSelfHelpHouse, Slug: []string{"huset", "byen"}[i], Name: "Hus", ParentID: e.district.ID}
		if err := st.SaveOrganisation(actx, o); err != nil {
			t.Fatal(err)
		}
	}
	e.p = store.OIDCProvider{OrgID: e.house.ID, Name: "Husets innlogging", Issuer: e.op.Issuer, ClientID: e.op.ClientID,
		ClientSecret: e.op.ClientSecret, Scopes: []string{"openid", "email", "profile"}, EmailDomains: []string{"huset.no"},
		Enabled: true}
	if err := st.SaveOIDCProvider(actx, &e.p); err != nil {
		t.Fatal(err)
	}
	return e
}

// start begins a sign-in and returns the authorization URL and the state
// of the browser's cookie.
func (e *ssoEnv) start(t *testing.T) (string, string) {
	t.Helper()
	u, state, err := e.svc.StartSSO(e.ctx, e.p.ID, ssoRedirect, "/kontor/okter", "en", meta)
	if err != nil {
		t.Fatal(err)
	}
	return u, state
}

// callback is the callback of a URL the provider sent back to.
func callback(t *testing.T, back, cookieState string) auth.SSOCallback {
	t.Helper()
	u, err := url.Parse(back)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	return auth.SSOCallback{State: q.Get("state"), CookieState: cookieState, Code: q.Get("code"), Error: q.Get("error")}
}

// signIn runs the whole flow as username.
func (e *ssoEnv) signIn(t *testing.T, username string) (auth.SSOResult, error) {
	t.Helper()
	authURL, state := e.start(t)
	back := e.op.Authorize(t, authURL, username, "pw-"+username)
	return e.svc.FinishSSO(e.ctx, callback(t, back, state), ssoRedirect, meta, "")
}

func (e *ssoEnv) addUser(u oidctest.User) {
	u.Password = "pw-" + u.Username
	e.op.AddUser(u)
}

func wantRefused(t *testing.T, what string, err error, kind error, reason string) {
	t.Helper()
	if !errors.Is(err, kind) || auth.SSOReason(err) != reason {
		t.Errorf("%s: %v, want %v (%s)", what, err, kind, reason)
	}
}

// The whole flow against a real provider: an invited user is found by a
// verified e-mail address and linked; the next sign-in finds them by the
// subject, whatever the address says then.
func TestSSOFlow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newSSOEnv(t, st)
		kari := mkUser(t, e.svc, auth.NewUser{Email: "kari@huset.no", Name: "Kari",
			Memberships: []store.Membership{{OrgID: e.house.ID, Role: store.RoleCoordinator}}})
		e.addUser(oidctest.User{Subject: "sub-kari", Username: "kari", Email: "Kari@Huset.no", EmailVerified: true})

		authURL, state := e.start(t)
		u, _ := url.Parse(authURL)
		q := u.Query()
		if u.Scheme != "https" || q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) != 43 ||
			q.Get("nonce") == "" || q.Get("state") != state || q.Get("redirect_uri") != ssoRedirect ||
			q.Get("scope") != "openid email profile" || q.Get("response_type") != "code" {
			t.Errorf("authorization URL %s", authURL)
		}
		back := e.op.Authorize(t, authURL, "kari", "pw-kari")
		if last := e.op.LastAuthRequest(); last.CodeChallengeMethod != "S256" || last.Nonce != q.Get("nonce") {
			t.Errorf("the provider got %+v", last)
		}
		res, err := e.svc.FinishSSO(e.ctx, callback(t, back, state), ssoRedirect, meta, "")
		if err != nil {
			t.Fatal(err)
		}
		// A coordinator without TOTP must enrol it, as after a password.
		if res.User.ID != kari.ID || !res.Linked || res.MFA || res.Stage != auth.StageEnrol || res.ReturnTo != "/kontor/okter" ||
			res.Lang != "en" || res.Token == "" {
			t.Errorf("result %+v", res)
		}
		cur, err := e.svc.Authenticate(e.ctx, res.Token, meta)
		if err != nil || cur.User.ID != kari.ID || cur.Session.MFA || cur.Stage() != auth.StageEnrol {
			t.Fatalf("session %+v %v", cur, err)
		}
		if id, err := st.IdentityUser(e.ctx, e.p.ID, "sub-kari"); err != nil || id != kari.ID {
			t.Errorf("identity %q %v", id, err)
		}

		// The same state again: refused, it is used up.
		if _, err := e.svc.FinishSSO(e.ctx, callback(t, back, state), ssoRedirect, meta, res.Token); err == nil {
			t.Error("a state worked twice")
		} else {
			wantRefused(t, "replayed state", err, auth.ErrSSOState, "state")
		}

		// Second sign-in: the subject decides, even with an unverified
		// address of another domain; the old session ends.
		e.addUser(oidctest.User{Subject: "sub-kari", Username: "kari", Email: "kari@privat.example", EmailVerified: false})
		authURL, state = e.start(t)
		back = e.op.Authorize(t, authURL, "kari", "pw-kari")
		res2, err := e.svc.FinishSSO(e.ctx, callback(t, back, state), ssoRedirect, meta, res.Token)
		if err != nil || res2.User.ID != kari.ID || res2.Linked {
			t.Fatalf("second sign-in %+v %v", res2, err)
		}
		if _, err := e.svc.Authenticate(e.ctx, res.Token, meta); !errors.Is(err, auth.ErrNoSession) {
			t.Error("the old session survived the sign-in")
		}
		if got := actions(t, st, store.AuditFilter{Action: "sso."}); !slices.Equal(got, []string{"sso.link", "sso.ok", "sso.refused", "sso.ok"}) {
			t.Errorf("audit %v", got)
		}
	})
}

// Accounts that are no invited user of the organisation are refused, each
// with its reason in the audit log and nothing of the address but its
// domain.
func TestSSORefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newSSOEnv(t, st)
		mkUser(t, e.svc, auth.NewUser{Email: "kari@huset.no", Name: "Kari",
			Memberships: []store.Membership{{OrgID: e.house.ID, Role: store.RolePartner}}})
		mkUser(t, e.svc, auth.NewUser{Email: "ola@huset.no", Name: "Ola",
			Memberships: []store.Membership{{OrgID: e.town.ID, Role: store.RoleCoordinator}}})
		mkUser(t, e.svc, auth.NewUser{Email: "dag@huset.no", Name: "Dag", Admin: true})
		gone := mkUser(t, e.svc, auth.NewUser{Email: "gone@huset.no", Name: "Gone",
			Memberships: []store.Membership{{OrgID: e.house.ID, Role: store.RolePartner}}})
		gone.Disabled = true
		if err := st.UpdateUser(store.WithActor(e.ctx, store.Actor{ID: "test"}), &gone); err != nil {
			t.Fatal(err)
		}
		for _, u := range []oidctest.User{
			{Subject: "s-unverified", Username: "unverified", Email: "kari@huset.no"},
			{Subject: "s-unknown", Username: "unknown", Email: "nobody@huset.no", EmailVerified: true},
			{Subject: "s-domain", Username: "domain", Email: "kari@example.org", EmailVerified: true},
			{Subject: "s-other", Username: "other", Email: "ola@huset.no", EmailVerified: true},
			{Subject: "s-admin", Username: "admin", Email: "dag@huset.no", EmailVerified: true},
			{Subject: "s-gone", Username: "gone", Email: "gone@huset.no", EmailVerified: true},
			{Subject: "s-none", Username: "none"},
		} {
			e.addUser(u)
		}
		for _, c := range []struct{ user, reason string }{
			{"unverified", "unverified_email"}, {"unknown", "unknown_user"}, {"domain", "domain"},
			{"other", "other_organisation"}, {"admin", "other_organisation"}, {"gone", "disabled"}, {"none", "no_email"},
		} {
			res, err := e.signIn(t, c.user)
			wantRefused(t, c.user, err, auth.ErrSSORefused, c.reason)
			if res.Token != "" || res.Lang != "en" {
				t.Errorf("%s: %+v", c.user, res)
			}
		}
		if n, _ := st.CountUsers(e.ctx); n != 4 {
			t.Errorf("%d users: single sign-on made one", n)
		}
		log, err := st.AuditLog(e.ctx, store.AuditFilter{Action: "sso.refused"})
		if err != nil || len(log) != 7 {
			t.Fatalf("%d sso.refused entries, %v", len(log), err)
		}
		for _, x := range log {
			if x.ObjectID != e.p.ID || x.OrgID != e.house.ID || x.Detail["domain"] != nil && x.Detail["domain"] != "huset.no" &&
				x.Detail["domain"] != "example.org" {
				t.Errorf("entry %+v", x)
			}
		}
		actions(t, st, store.AuditFilter{}) // no address in any detail
		if ids, _ := st.UserIdentities(e.ctx, gone.ID); len(ids) != 0 {
			t.Error("a refused account was linked")
		}
	})
}

// The protections of the flow: the state must be the browser's and is used
// once, the nonce must be the sign-in's, the code is useless without the
// PKCE verifier, and an error from the provider ends the sign-in.
func TestSSOProtections(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	e := newSSOEnv(t, st)
	mkUser(t, e.svc, auth.NewUser{Email: "kari@huset.no", Name: "Kari",
		Memberships: []store.Membership{{OrgID: e.house.ID, Role: store.RolePartner}}})
	e.addUser(oidctest.User{Subject: "sub-kari", Username: "kari", Email: "kari@huset.no", EmailVerified: true})

	// Another browser's state (an attacker's callback link): refused, and
	// the sign-in is still there for its own browser.
	authURL, state := e.start(t)
	back := e.op.Authorize(t, authURL, "kari", "pw-kari")
	cb := callback(t, back, state)
	for _, cookie := range []string{"", "x", state + "x"} {
		bad := cb
		bad.CookieState = cookie
		_, err := e.svc.FinishSSO(e.ctx, bad, ssoRedirect, meta, "")
		wantRefused(t, "cookie "+cookie, err, auth.ErrSSOState, "state")
	}
	forged := cb
	forged.State, forged.CookieState = "forged-state", "forged-state"
	_, err := e.svc.FinishSSO(e.ctx, forged, ssoRedirect, meta, "")
	wantRefused(t, "unknown state", err, auth.ErrSSOState, "state")

	// PKCE: the provider will not exchange the code without the verifier,
	// or with another one.
	op, err := oidc.NewProvider(e.ctx, e.op.Issuer)
	if err != nil {
		t.Fatal(err)
	}
	conf := &oauth2.Config{ClientID: e.op.ClientID, ClientSecret: e.op.ClientSecret, Endpoint: op.Endpoint(), RedirectURL: ssoRedirect}
	if _, err := conf.Exchange(e.ctx, cb.Code); err == nil {
		t.Fatal("the provider exchanged a code without the PKCE verifier")
	}
	if _, err := conf.Exchange(e.ctx, cb.Code, oauth2.VerifierOption(oauth2.GenerateVerifier())); err == nil {
		t.Fatal("the provider exchanged a code with another PKCE verifier")
	}
	if n := e.op.Tokens(); n != 0 {
		t.Fatalf("%d tokens issued", n)
	}
	res, err := e.svc.FinishSSO(e.ctx, cb, ssoRedirect, meta, "")
	if err != nil || res.User.Email != "kari@huset.no" || res.Stage != auth.StageDone {
		t.Fatalf("with the verifier: %+v %v", res, err)
	}
	if e.op.Tokens() != 1 {
		t.Error("no token issued")
	}

	// An ID token with another sign-in's nonce.
	e.op.SetNonce("another-sign-ins-nonce")
	_, err = e.signIn(t, "kari")
	wantRefused(t, "wrong nonce", err, auth.ErrSSOState, "nonce")
	e.op.SetNonce("")

	// The person cancels at the provider: access_denied.
	authURL, state = e.start(t)
	back = e.op.Authorize(t, authURL, "", "")
	if u, _ := url.Parse(back); u.Query().Get("error") != "access_denied" || u.Query().Get("state") != state {
		t.Fatalf("cancel sent back %s", back)
	}
	res, err = e.svc.FinishSSO(e.ctx, callback(t, back, state), ssoRedirect, meta, "")
	wantRefused(t, "access_denied", err, auth.ErrSSOProvider, "provider_error")
	if res.Lang != "en" || res.ReturnTo != "/kontor/okter" {
		t.Errorf("a refusal lost the language or the way back: %+v", res)
	}
	log, _ := st.AuditLog(e.ctx, store.AuditFilter{Action: "sso.refused", Limit: 1})
	if len(log) != 1 || log[0].Detail["error"] != "access_denied" {
		t.Errorf("audit %+v", log)
	}

	// The claims only at the user info endpoint: read from there.
	e.op.SetClaimsInIDToken(false)
	if res, err := e.signIn(t, "kari"); err != nil || res.User.Email != "kari@huset.no" {
		t.Errorf("claims from user info: %+v %v", res, err)
	}
	e.op.SetClaimsInIDToken(true)

	// A wrong client secret: the exchange fails, no 500 for the caller.
	p := e.p
	p.ClientSecret = "wrong"
	if err := st.SaveOIDCProvider(store.WithActor(e.ctx, store.Actor{ID: "test"}), &p); err != nil {
		t.Fatal(err)
	}
	_, err = e.signIn(t, "kari")
	wantRefused(t, "wrong secret", err, auth.ErrSSOProvider, "token")

	// A disabled provider starts nothing, and finishes nothing begun before.
	p.ClientSecret = e.op.ClientSecret
	authURL, state = e.start(t)
	p.Enabled = false
	if err := st.SaveOIDCProvider(store.WithActor(e.ctx, store.Actor{ID: "test"}), &p); err != nil {
		t.Fatal(err)
	}
	back = e.op.Authorize(t, authURL, "kari", "pw-kari")
	_, err = e.svc.FinishSSO(e.ctx, callback(t, back, state), ssoRedirect, meta, "")
	wantRefused(t, "disabled provider", err, auth.ErrSSONoProvider, "provider_disabled")
	_, _, err = e.svc.StartSSO(e.ctx, p.ID, ssoRedirect, "", "nb", meta)
	wantRefused(t, "start with a disabled provider", err, auth.ErrSSONoProvider, "no_provider")

	// An expired sign-in.
	p.Enabled = true
	if err := st.SaveOIDCProvider(store.WithActor(e.ctx, store.Actor{ID: "test"}), &p); err != nil {
		t.Fatal(err)
	}
	authURL, state = e.start(t)
	back = e.op.Authorize(t, authURL, "kari", "pw-kari")
	e.clock.Add(auth.SSOLoginTTL)
	_, err = e.svc.FinishSSO(e.ctx, callback(t, back, state), ssoRedirect, meta, "")
	wantRefused(t, "expired", err, auth.ErrSSOState, "state")

	// A provider that cannot be reached.
	p.Issuer = "https://127.0.0.1:1"
	if err := st.SaveOIDCProvider(store.WithActor(e.ctx, store.Actor{ID: "test"}), &p); err != nil {
		t.Fatal(err)
	}
	_, _, err = e.svc.StartSSO(e.ctx, p.ID, ssoRedirect, "", "nb", meta)
	wantRefused(t, "unreachable", err, auth.ErrSSOProvider, "discovery")
}

// Entra ID sends no email_verified: with trust_email, an address of the
// provider's domains counts as verified without the claim, and the user is
// linked; without trust_email, or for another domain, or when the claim
// says false, the sign-in is refused. Claims at the user info endpoint
// follow the same rule.
func TestSSOTrustEmail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newSSOEnv(t, st)
		kari := mkUser(t, e.svc, auth.NewUser{Email: "kari@huset.no", Name: "Kari",
			Memberships: []store.Membership{{OrgID: e.house.ID, Role: store.RolePartner}}})
		ola := mkUser(t, e.svc, auth.NewUser{Email: "ola@huset.no", Name: "Ola",
			Memberships: []store.Membership{{OrgID: e.house.ID, Role: store.RolePartner}}})
		mkUser(t, e.svc, auth.NewUser{Email: "ola@example.org", Name: "Ola utenfor",
			Memberships: []store.Membership{{OrgID: e.house.ID, Role: store.RolePartner}}})
		e.addUser(oidctest.User{Subject: "sub-kari", Username: "kari", Email: "kari@huset.no", OmitEmailVerified: true})
		e.addUser(oidctest.User{Subject: "sub-false", Username: "false", Email: "ola@huset.no", EmailVerified: false})
		e.addUser(oidctest.User{Subject: "sub-other", Username: "other", Email: "ola@example.org", OmitEmailVerified: true})
		setTrust := func(on bool, domains ...string) {
			t.Helper()
			e.p.TrustEmail, e.p.ClientSecret = on, ""
			if len(domains) > 0 {
				e.p.EmailDomains = domains
			}
			if err := st.SaveOIDCProvider(store.WithActor(e.ctx, store.Actor{ID: "test"}), &e.p); err != nil {
				t.Fatal(err)
			}
		}

		// Without trust_email: no email_verified is no verification.
		_, err := e.signIn(t, "kari")
		wantRefused(t, "no claim, not trusted", err, auth.ErrSSORefused, "unverified_email")
		log, _ := st.AuditLog(e.ctx, store.AuditFilter{Action: "sso.refused", Limit: 1})
		if len(log) != 1 || log[0].Detail["email_verified"] != "absent" || log[0].Detail["domain"] != "huset.no" {
			t.Errorf("refusal %+v", log)
		}

		setTrust(true)
		// An explicit email_verified false is never trusted.
		_, err = e.signIn(t, "false")
		wantRefused(t, "email_verified false", err, auth.ErrSSORefused, "unverified_email")
		// An address outside the provider's domains is never trusted.
		_, err = e.signIn(t, "other")
		wantRefused(t, "another domain", err, auth.ErrSSORefused, "domain")
		if ids, _ := st.UserIdentities(e.ctx, ola.ID); len(ids) != 0 {
			t.Errorf("ola linked: %+v", ids)
		}
		// With trust_email and an address of the provider's domain: linked.
		res, err := e.signIn(t, "kari")
		if err != nil || res.User.ID != kari.ID || !res.Linked || res.Token == "" {
			t.Fatalf("trusted address: %+v %v", res, err)
		}
		if id, err := st.IdentityUser(e.ctx, e.p.ID, "sub-kari"); err != nil || id != kari.ID {
			t.Errorf("identity %q %v", id, err)
		}

		// The same from the user info endpoint (claims not in the ID token).
		e.op.SetClaimsInIDToken(false)
		if err := st.UnlinkIdentity(store.WithActor(e.ctx, store.Actor{ID: "test"}), e.p.ID, kari.ID); err != nil {
			t.Fatal(err)
		}
		if res, err := e.signIn(t, "kari"); err != nil || res.User.ID != kari.ID || !res.Linked {
			t.Errorf("trusted address from user info: %+v %v", res, err)
		}
		_, err = e.signIn(t, "false")
		wantRefused(t, "email_verified false from user info", err, auth.ErrSSORefused, "unverified_email")
		e.op.SetClaimsInIDToken(true)

		// trust_email off again: a new account without the claim is refused;
		// a linked one still signs in by its subject.
		setTrust(false)
		if res, err := e.signIn(t, "kari"); err != nil || res.User.ID != kari.ID || res.Linked {
			t.Errorf("linked subject without trust_email: %+v %v", res, err)
		}
		if err := st.UnlinkIdentity(store.WithActor(e.ctx, store.Actor{ID: "test"}), e.p.ID, kari.ID); err != nil {
			t.Fatal(err)
		}
		_, err = e.signIn(t, "kari")
		wantRefused(t, "unlinked, not trusted", err, auth.ErrSSORefused, "unverified_email")
	})
}

// trust_mfa decides whether the provider's second factor (its amr claim)
// stands for the local TOTP code.
func TestSSOTrustMFA(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	e := newSSOEnv(t, st)
	kari := mkUser(t, e.svc, auth.NewUser{Email: "kari@huset.no", Name: "Kari",
		Memberships: []store.Membership{{OrgID: e.house.ID, Role: store.RoleCoordinator}}})
	secret := auth.NewTOTPSecret()
	if err := st.SetPendingTOTP(e.ctx, kari.ID, secret); err != nil {
		t.Fatal(err)
	}
	if err := st.EnableTOTP(e.ctx, kari.ID, secret, auth.TOTPStep(e.clock.Now())); err != nil {
		t.Fatal(err)
	}
	setTrust := func(on bool) {
		e.p.TrustMFA, e.p.ClientSecret = on, ""
		if err := st.SaveOIDCProvider(store.WithActor(e.ctx, store.Actor{ID: "test"}), &e.p); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		trust bool
		amr   []string
		want  auth.Stage
	}{
		{false, []string{"pwd", "mfa"}, auth.StageCode},
		{true, []string{"pwd", "mfa"}, auth.StageDone},
		{true, []string{"pwd", "otp"}, auth.StageDone},
		{true, []string{"pwd"}, auth.StageCode},
		{true, nil, auth.StageCode},
		{true, []string{"otp"}, auth.StageCode},
	} {
		setTrust(c.trust)
		e.addUser(oidctest.User{Subject: "sub-kari", Username: "kari", Email: "kari@huset.no", EmailVerified: true, AMR: c.amr})
		res, err := e.signIn(t, "kari")
		if err != nil {
			t.Fatalf("trust %v amr %v: %v", c.trust, c.amr, err)
		}
		cur, err := e.svc.Authenticate(e.ctx, res.Token, meta)
		if err != nil {
			t.Fatal(err)
		}
		if res.Stage != c.want || cur.Stage() != c.want || cur.Session.MFA != (c.want == auth.StageDone) {
			t.Errorf("trust %v amr %v: stage %v (session %v, mfa %v), want %v", c.trust, c.amr, res.Stage, cur.Stage(),
				cur.Session.MFA, c.want)
		}
		// With the code step, the local TOTP finishes the sign-in.
		if res.Stage == auth.StageCode {
			e.clock.Add(30 * time.Second)
			code, _ := auth.TOTPCode(secret, e.clock.Now())
			if _, err := e.svc.VerifyCode(e.ctx, cur, code); err != nil {
				t.Errorf("the TOTP code after single sign-on: %v", err)
			}
		}
	}
}

func TestAMRSecondFactor(t *testing.T) {
	for _, c := range []struct {
		amr  []string
		want bool
	}{
		{nil, false}, {[]string{"pwd"}, false}, {[]string{"mfa"}, true}, {[]string{"pwd", "mfa"}, true},
		{[]string{"MCA"}, true}, {[]string{"pwd", "otp"}, true}, {[]string{"otp"}, false}, {[]string{"hwk"}, false},
		{[]string{"hwk", "user"}, true}, {[]string{"pwd", "sms"}, true}, {[]string{"pwd", "fido"}, true},
		{[]string{"pwd", "kba"}, false}, {[]string{"face"}, false}, {[]string{"pwd", "pwd"}, false},
	} {
		if got := auth.AMRSecondFactor(c.amr); got != c.want {
			t.Errorf("AMRSecondFactor(%v) = %v", c.amr, got)
		}
	}
}
