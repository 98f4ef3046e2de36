package auth

// Single sign-on with OpenID Connect, for the staff of organisations that
// have their own identity provider (Entra ID, Feide, any standard one).
//
// The flow is the authorization code flow with PKCE (S256) and a nonce:
//
//  1. StartSSO makes a random state, nonce and PKCE verifier, stores them
//     for ten minutes in oidc_logins under the SHA-256 of the state (a row
//     in the database, not a cookie, so that every instance can finish the
//     sign-in and a state can be used only once), and returns the
//     provider's authorization URL. The caller also gives the browser the
//     state in a short-lived cookie (SetSSOCookie), which binds the sign-in
//     to the browser that started it.
//  2. FinishSSO, at the callback, checks that the state in the URL is the
//     browser's, takes (deletes) the row, exchanges the code for tokens with
//     the verifier, verifies the ID token (signature by the provider's
//     published keys, issuer, audience, expiry) and its nonce, and maps it
//     to a user: an identity linked before (provider, subject) gives its
//     user; otherwise a verified e-mail address of a domain the provider
//     serves gives the enabled user with that address, if they are a
//     member of the provider's organisation or an organisation under it,
//     and the identity is linked (sso.link). An address is verified when
//     the claim email_verified is true, or when the claim is absent and the
//     provider is trusted for its addresses (TrustEmail: Entra ID sends no
//     email_verified) and the address is of one of its domains; an explicit
//     email_verified false is never trusted (emailVerified). Anything else
//     is refused (sso.refused). No user is ever created here.
//  3. The new session needs the second factor as after a password, unless
//     the provider is trusted for it (TrustMFA) and the ID token's amr claim
//     shows a second factor (AMRSecondFactor).
//
// Discovery (go-oidc's NewProvider) is cached per issuer for an hour; the
// HTTP client is the one in the context (oidc.ClientContext), or one with a
// timeout.

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/fellesrom/fellesrom/internal/store"
)

// Times of single sign-on.
const (
	// SSOLoginTTL is how long a sign-in may take at the provider.
	SSOLoginTTL = 10 * time.Minute
	// discoveryTTL is how long a provider's discovery document is kept.
	discoveryTTL = time.Hour
	// discoveryTimeout bounds the fetch of a discovery document.
	discoveryTimeout = 10 * time.Second
	// exchangeTimeout bounds the code exchange and the user info request.
	exchangeTimeout = 20 * time.Second
)

// Cookie of a sign-in under way: the state, for ten minutes. As with the
// session cookie, the __Host- name is used whenever the cookie is Secure.
const (
	SSOCookieSecure = "__Host-fellesrom_sso"
	SSOCookiePlain  = "fellesrom_sso"
)

// Errors of single sign-on; FinishSSO and StartSSO return an *SSOError that
// wraps one of them.
var (
	// ErrSSONoProvider: no enabled provider has that ID.
	ErrSSONoProvider = errors.New("auth: single sign-on: no such provider")
	// ErrSSOState: the state is missing, unknown, expired, used already or
	// not this browser's, or the ID token's nonce is not the sign-in's.
	ErrSSOState = errors.New("auth: single sign-on: the sign-in is unknown, expired or used")
	// ErrSSOProvider: the provider answered with an error (access_denied,
	// …), could not be reached, or gave tokens that do not verify.
	ErrSSOProvider = errors.New("auth: single sign-on: the provider refused or failed")
	// ErrSSORefused: the provider's account is no invited user here.
	ErrSSORefused = errors.New("auth: single sign-on: the account has no user here")
)

// SSOError is a failed single sign-on: the kind (one of the Err values
// above, for errors.Is) and a reason for the audit log and the page, such
// as "unverified_email" or "access_denied".
type SSOError struct {
	Kind   error
	Reason string
	Err    error // the underlying error, if any (never shown to the user)
}

func (e *SSOError) Error() string {
	s := e.Kind.Error() + " (" + e.Reason + ")"
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *SSOError) Unwrap() error { return e.Kind }

// SSOReason is the reason of a single sign-on error, or "".
func SSOReason(err error) string {
	var e *SSOError
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
}

// FindSSOProviders returns the enabled providers that serve the domain of
// an e-mail address, counting the look-up against the rate limit of the
// network (it is a public form). Look-ups, starts and callbacks have a
// limit each (Limits.PerSource per window), so that a house's staff behind
// one address can all sign in.
func (s *Service) FindSSOProviders(ctx context.Context, email string, m Meta) ([]store.OIDCProvider, error) {
	if err := s.limit(ctx, "sso:find:"+m.Source, s.limits.PerSource); err != nil {
		return nil, s.limited(ctx, m, err, "sso")
	}
	email = store.NormalizeEmail(email)
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return nil, nil
	}
	domain := store.NormalizeDomain(email[at+1:])
	all, err := s.st.OIDCProviders(ctx)
	if err != nil {
		return nil, err
	}
	var out []store.OIDCProvider
	for _, p := range all {
		if p.Enabled && slices.Contains(p.EmailDomains, domain) {
			out = append(out, p)
		}
	}
	return out, nil
}

// EnabledSSOProviders lists the providers a person can choose from.
func (s *Service) EnabledSSOProviders(ctx context.Context) ([]store.OIDCProvider, error) {
	all, err := s.st.OIDCProviders(ctx)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(p store.OIDCProvider) bool { return !p.Enabled }), nil
}

// randomString returns n random bytes in base64url.
func randomString(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// StartSSO begins a sign-in with the provider providerID: it stores the
// state, nonce and PKCE verifier for SSOLoginTTL and returns the URL of the
// provider's authorization endpoint and the state, which the caller puts
// in the browser's cookie (SetSSOCookie). redirectURI is the callback's
// absolute URL; returnTo (a path of the back office or "") and lang are
// where the sign-in ends. Starts are rate limited per network.
func (s *Service) StartSSO(ctx context.Context, providerID, redirectURI, returnTo, lang string, m Meta) (string, string, error) {
	if err := s.limit(ctx, "sso:start:"+m.Source, s.limits.PerSource); err != nil {
		return "", "", s.limited(ctx, m, err, "sso")
	}
	now := s.Now()
	if _, err := s.st.DeleteExpiredOIDCLogins(ctx, now); err != nil {
		s.log.Error("auth: sweep single sign-ins", "err", err)
	}
	p, err := s.st.OIDCProvider(ctx, providerID)
	if errors.Is(err, store.ErrNotFound) || err == nil && !p.Enabled {
		return "", "", &SSOError{Kind: ErrSSONoProvider, Reason: "no_provider"}
	}
	if err != nil {
		return "", "", err
	}
	ctx = withHTTPClient(ctx)
	op, err := discover(ctx, p.Issuer)
	if err != nil {
		s.log.Warn("auth: single sign-on: discovery failed", "provider", p.ID, "err", err)
		return "", "", &SSOError{Kind: ErrSSOProvider, Reason: "discovery", Err: err}
	}
	state, nonce, verifier := randomString(32), randomString(32), oauth2.GenerateVerifier()
	l := store.OIDCLogin{StateHash: HashToken(state), ProviderID: p.ID, Nonce: nonce, PKCEVerifier: verifier,
		ReturnTo: returnTo, Lang: lang, CreatedAt: now, ExpiresAt: now.Add(SSOLoginTTL)}
	if err := s.st.CreateOIDCLogin(ctx, &l); err != nil {
		return "", "", err
	}
	u := oauthConfig(p, op, redirectURI).AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier))
	return u, state, nil
}

// SSOCallback is what the provider sent back to the callback, and the
// state the browser's cookie holds.
type SSOCallback struct {
	State       string // the state parameter
	CookieState string // the state of the browser's cookie
	Code        string
	Error       string // the error parameter (access_denied, …), if any
}

// SSOResult is a successful single sign-on.
type SSOResult struct {
	Result
	Provider store.OIDCProvider
	ReturnTo string
	Lang     string
	Linked   bool // the identity was linked to the user in this sign-in
	MFA      bool // the provider's second factor counts for this session
}

// ssoClaims are the claims of an ID token (or user info) that the mapping
// reads. email_verified is a boolean, or a string "true" at some providers;
// kept raw, so that an absent claim (nil) differs from false or null.
type ssoClaims struct {
	Email         string          `json:"email"`
	EmailVerified json.RawMessage `json:"email_verified"`
	AMR           []string        `json:"amr"`
	AZP           string          `json:"azp"`
}

// emailVerified reports whether the email claim of a sign-in at provider p
// counts as verified, given the raw email_verified claim (nil when absent)
// and the address's domain: when the claim says true (the boolean, or the
// string "true"); or when there is no such claim at all, the provider is
// trusted for its addresses (TrustEmail) and the domain is one it serves.
// A claim that says anything else (false, "false", null) is never
// trusted, and neither is an address outside the provider's domains.
func emailVerified(p store.OIDCProvider, claim json.RawMessage, domain string) bool {
	if claim == nil {
		return p.TrustEmail && domain != "" && slices.Contains(p.EmailDomains, domain)
	}
	var v any
	if err := json.Unmarshal(claim, &v); err != nil {
		return false
	}
	switch x := v.(type) {
	case bool:
		return x
	case string:
		return strings.EqualFold(x, "true")
	}
	return false
}

// FinishSSO completes a sign-in at the callback and starts a session. The
// result says how far the session is (Stage), where to go (ReturnTo) and in
// which language (Lang); the Lang and ReturnTo of a failed sign-in are in
// the result too once the state was found. oldToken, the browser's session
// token if any, is ended on success.
func (s *Service) FinishSSO(ctx context.Context, cb SSOCallback, redirectURI string, m Meta, oldToken string) (SSOResult, error) {
	var res SSOResult
	if err := s.limit(ctx, "sso:back:"+m.Source, s.limits.PerSource); err != nil {
		return res, s.limited(ctx, m, err, "sso")
	}
	now := s.Now()
	refuse := func(p *store.OIDCProvider, kind error, reason string, detail map[string]any, err error) (SSOResult, error) {
		e := store.AuditEntry{Action: "sso.refused", Detail: map[string]any{"reason": reason}}
		if p != nil {
			e.ObjectType, e.ObjectID, e.OrgID = "oidc_provider", p.ID, p.OrgID
		}
		for k, v := range detail {
			e.Detail[k] = v
		}
		s.audit(ctx, "", m, e)
		if err != nil {
			s.log.Warn("auth: single sign-on refused", "reason", reason, "err", err)
		}
		return res, &SSOError{Kind: kind, Reason: reason, Err: err}
	}
	if cb.State == "" || cb.CookieState == "" || subtle.ConstantTimeCompare([]byte(cb.State), []byte(cb.CookieState)) != 1 {
		return refuse(nil, ErrSSOState, "state", nil, nil)
	}
	l, err := s.st.TakeOIDCLogin(ctx, HashToken(cb.State), now)
	if errors.Is(err, store.ErrNotFound) {
		return refuse(nil, ErrSSOState, "state", nil, nil)
	}
	if err != nil {
		return res, err
	}
	res.ReturnTo, res.Lang = l.ReturnTo, l.Lang
	p, err := s.st.OIDCProvider(ctx, l.ProviderID)
	if errors.Is(err, store.ErrNotFound) {
		return refuse(nil, ErrSSONoProvider, "no_provider", nil, nil)
	}
	if err != nil {
		return res, err
	}
	res.Provider = p
	if !p.Enabled {
		return refuse(&p, ErrSSONoProvider, "provider_disabled", nil, nil)
	}
	if cb.Error != "" {
		return refuse(&p, ErrSSOProvider, "provider_error", map[string]any{"error": errorCode(cb.Error)}, nil)
	}
	if cb.Code == "" {
		return refuse(&p, ErrSSOProvider, "no_code", nil, nil)
	}

	ctx = withHTTPClient(ctx)
	op, err := discover(ctx, p.Issuer)
	if err != nil {
		return refuse(&p, ErrSSOProvider, "discovery", nil, err)
	}
	xctx, cancel := context.WithTimeout(ctx, exchangeTimeout)
	defer cancel()
	conf := oauthConfig(p, op, redirectURI)
	tok, err := conf.Exchange(xctx, cb.Code, oauth2.VerifierOption(l.PKCEVerifier))
	if err != nil {
		return refuse(&p, ErrSSOProvider, "token", nil, err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return refuse(&p, ErrSSOProvider, "no_id_token", nil, nil)
	}
	// Signature (the provider's JWKS), issuer, audience, expiry.
	idt, err := op.Verifier(&oidc.Config{ClientID: p.ClientID}).Verify(xctx, raw)
	if err != nil {
		return refuse(&p, ErrSSOProvider, "id_token", nil, err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(l.Nonce)) != 1 {
		return refuse(&p, ErrSSOState, "nonce", nil, nil)
	}
	var c ssoClaims
	if err := idt.Claims(&c); err != nil {
		return refuse(&p, ErrSSOProvider, "id_token", nil, err)
	}
	if len(idt.Audience) > 1 && c.AZP != p.ClientID {
		return refuse(&p, ErrSSOProvider, "azp", nil, nil)
	}
	if idt.Subject == "" || len(idt.Subject) > 255 {
		return refuse(&p, ErrSSOProvider, "subject", nil, nil)
	}
	email, verifiedClaim := store.NormalizeEmail(c.Email), c.EmailVerified
	if email == "" && op.UserInfoEndpoint() != "" {
		// Some providers put the e-mail address only in the user info.
		ui, err := op.UserInfo(xctx, oauth2.StaticTokenSource(tok))
		if err != nil {
			return refuse(&p, ErrSSOProvider, "userinfo", nil, err)
		}
		if ui.Subject != idt.Subject {
			return refuse(&p, ErrSSOProvider, "userinfo_subject", nil, nil)
		}
		var uc ssoClaims
		if err := ui.Claims(&uc); err != nil {
			return refuse(&p, ErrSSOProvider, "userinfo", nil, err)
		}
		email, verifiedClaim = store.NormalizeEmail(uc.Email), uc.EmailVerified
	}
	domain := ""
	if at := strings.LastIndexByte(email, '@'); at >= 0 {
		domain = store.NormalizeDomain(email[at+1:])
	}

	// Who is it?
	var u store.User
	link := false
	uid, err := s.st.IdentityUser(ctx, p.ID, idt.Subject)
	switch {
	case err == nil:
		if u, err = s.st.User(ctx, uid); err != nil {
			return res, err
		}
	case errors.Is(err, store.ErrNotFound):
		d := map[string]any{}
		if domain != "" {
			d["domain"] = domain
		}
		switch {
		case email == "":
			return refuse(&p, ErrSSORefused, "no_email", nil, nil)
		case !slices.Contains(p.EmailDomains, domain):
			return refuse(&p, ErrSSORefused, "domain", d, nil)
		case !emailVerified(p, verifiedClaim, domain):
			if verifiedClaim == nil {
				d["email_verified"] = "absent"
			}
			return refuse(&p, ErrSSORefused, "unverified_email", d, nil)
		}
		u, err = s.st.UserByEmail(ctx, email)
		if errors.Is(err, store.ErrNotFound) {
			return refuse(&p, ErrSSORefused, "unknown_user", d, nil)
		}
		if err != nil {
			return res, err
		}
		link = true
	default:
		return res, err
	}
	if u.Disabled {
		return refuse(&p, ErrSSORefused, "disabled", map[string]any{"user": u.ID}, nil)
	}
	orgs, err := s.st.Organisations(ctx)
	if err != nil {
		return res, err
	}
	tree := NewTree(orgs)
	if !slices.ContainsFunc(u.Memberships, func(ms store.Membership) bool { return tree.Within(ms.OrgID, p.OrgID) }) {
		return refuse(&p, ErrSSORefused, "other_organisation", map[string]any{"user": u.ID}, nil)
	}
	if link {
		actx := store.WithActor(ctx, store.Actor{ID: u.ID, Source: m.Source})
		if err := s.st.LinkIdentity(actx, p.ID, idt.Subject, u.ID); errors.Is(err, store.ErrIdentityTaken) {
			return refuse(&p, ErrSSORefused, "other_subject", map[string]any{"user": u.ID}, nil)
		} else if err != nil {
			return res, err
		}
	}

	// A session, with the provider's second factor if it is trusted.
	mfa := p.TrustMFA && AMRSecondFactor(c.AMR)
	if oldToken != "" && WellFormed(oldToken) {
		if _, err := s.st.DeleteSession(ctx, HashToken(oldToken)); err != nil {
			return res, err
		}
	}
	token, _, err := s.startSession(ctx, u, mfa, m)
	if err != nil {
		return res, err
	}
	stage, err := s.stageFor(ctx, u, mfa)
	if err != nil {
		return res, err
	}
	detail := map[string]any{"method": "sso", "provider": p.ID, "mfa": mfa, "linked": link}
	switch stage {
	case StageCode:
		detail["next"] = "totp"
	case StageEnrol:
		detail["next"] = "totp_enrol"
	}
	if stage != StageCode {
		if err := s.st.SigninSucceeded(ctx, u.ID, now); err != nil {
			return res, err
		}
	}
	s.audit(ctx, u.ID, m, store.AuditEntry{Action: "sso.ok", ObjectType: "user", ObjectID: u.ID, OrgID: p.OrgID, Detail: detail})
	res.Result = Result{Token: token, Stage: stage, User: u}
	res.Linked, res.MFA = link, mfa
	return res, nil
}

// AMRSecondFactor reports whether an ID token's amr claim (RFC 8176) shows
// that the provider checked a second factor: "mfa" (multiple factors) or
// "mca" (multiple channels), or a method of something the person has (otp,
// hwk, swk, sms, tel, sc, and the common "fido") together with at least one
// other method ("pwd", "user", "pin", …). A possession method alone is one
// factor, and so is "pwd"; an absent claim is none.
func AMRSecondFactor(amr []string) bool {
	methods := map[string]bool{}
	for _, a := range amr {
		methods[strings.ToLower(strings.TrimSpace(a))] = true
	}
	if methods["mfa"] || methods["mca"] {
		return true
	}
	if len(methods) < 2 {
		return false
	}
	for _, p := range []string{"otp", "hwk", "swk", "sms", "tel", "sc", "fido"} {
		if methods[p] {
			return true
		}
	}
	return false
}

// errorCode keeps an OAuth error code for the audit log only if it looks
// like one (a few lower-case words), never free text from the URL.
func errorCode(s string) string {
	if s == "" || len(s) > 40 {
		return "other"
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c == '_') {
			return "other"
		}
	}
	return s
}

func oauthConfig(p store.OIDCProvider, op *oidc.Provider, redirectURI string) *oauth2.Config {
	return &oauth2.Config{ClientID: p.ClientID, ClientSecret: p.ClientSecret, Endpoint: op.Endpoint(),
		RedirectURL: redirectURI, Scopes: p.Scopes}
}

// SetSSOCookie gives the browser the state of its sign-in: HttpOnly,
// SameSite=Lax (a top-level redirect back from the provider carries it),
// Secure and __Host- where the session cookie is, for SSOLoginTTL.
func (s *Service) SetSSOCookie(w http.ResponseWriter, r *http.Request, state string) {
	http.SetCookie(w, &http.Cookie{Name: s.ssoCookieName(r), Value: state, Path: "/", Secure: s.Secure(r),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: int(SSOLoginTTL / time.Second)})
}

// SSOCookie is the state of the browser's sign-in under way, or "".
func (s *Service) SSOCookie(r *http.Request) string {
	c, err := r.Cookie(s.ssoCookieName(r))
	if err != nil || len(c.Value) > 100 {
		return ""
	}
	return c.Value
}

// ClearSSOCookie ends the browser's sign-in cookie.
func (s *Service) ClearSSOCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: s.ssoCookieName(r), Value: "", Path: "/", Secure: s.Secure(r),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

func (s *Service) ssoCookieName(r *http.Request) string {
	if s.Secure(r) {
		return SSOCookieSecure
	}
	return SSOCookiePlain
}

// defaultHTTPClient talks to providers when the context brings no client.
var defaultHTTPClient = &http.Client{Timeout: exchangeTimeout}

// withHTTPClient returns ctx with an HTTP client for go-oidc and oauth2:
// the one it has (oidc.ClientContext; tests give one that trusts their
// provider's certificate), or defaultHTTPClient.
func withHTTPClient(ctx context.Context) context.Context {
	if c, ok := ctx.Value(oauth2.HTTPClient).(*http.Client); ok && c != nil {
		return ctx
	}
	return oidc.ClientContext(ctx, defaultHTTPClient)
}

// discovery caches providers' discovery documents (and so their key sets)
// per issuer and HTTP client, for every Service of the process: a document
// is the same whoever asks.
var discovery = struct {
	sync.Mutex
	m map[discoveryKey]discovered
}{m: map[discoveryKey]discovered{}}

type discoveryKey struct {
	issuer string
	client *http.Client
}

type discovered struct {
	p  *oidc.Provider
	at time.Time
}

// discover returns the provider of an issuer, from the cache or by
// discovery within discoveryTimeout. A failure is not cached.
func discover(ctx context.Context, issuer string) (*oidc.Provider, error) {
	c, _ := ctx.Value(oauth2.HTTPClient).(*http.Client)
	key := discoveryKey{issuer, c}
	discovery.Lock()
	d, ok := discovery.m[key]
	discovery.Unlock()
	if ok && time.Since(d.at) < discoveryTTL {
		return d.p, nil
	}
	dctx, cancel := context.WithTimeout(ctx, discoveryTimeout)
	defer cancel()
	p, err := oidc.NewProvider(dctx, issuer)
	if err != nil {
		return nil, fmt.Errorf("discovery of %s: %w", issuer, err)
	}
	discovery.Lock()
	if len(discovery.m) >= 256 {
		clear(discovery.m)
	}
	discovery.m[key] = discovered{p, time.Now()}
	discovery.Unlock()
	return p, nil
}
