// Package oidctest runs a real OpenID Provider for tests: the op package of
// github.com/zitadel/oidc (discovery, the authorization endpoint with PKCE,
// the token endpoint, the JWKS, user info and signed ID tokens are the
// library's), on a loopback port with TLS, with an in-memory storage and a
// small login form of its own.
//
//	p := oidctest.Start(t)
//	p.AddRedirectURI(site.URL + "/logg-inn/sso/tilbake")
//	p.AddUser(oidctest.User{Subject: "s1", Username: "kari", Password: "pw", Email: "kari@huset.no", EmailVerified: true})
//	p.AddUser(oidctest.User{Subject: "s2", Username: "ola", Password: "pw", Email: "ola@huset.no", OmitEmailVerified: true}) // like Entra ID
//	ctx := oidc.ClientContext(ctx, p.Client()) // trusts the provider's certificate
//
// A browser completes the sign-in on the login form (/login), as a person
// would; an HTTP test uses [Provider.Authorize], which drives the same form.
package oidctest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"html/template"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"
)

// User is an account at the provider.
type User struct {
	Subject  string
	Username string
	Password string
	Name     string
	Email    string
	// EmailVerified is the email_verified claim sent with the address:
	// true, or false (sent as false, not left out).
	EmailVerified bool
	// OmitEmailVerified leaves the email_verified claim out of the ID token
	// and the user info, as Entra ID does.
	OmitEmailVerified bool
	// AMR is the amr claim of the user's ID tokens: how the provider says
	// it checked the user. nil means []string{"pwd"}.
	AMR []string
}

// Provider is a running OpenID Provider.
type Provider struct {
	Issuer       string // https://127.0.0.1:port
	ClientID     string
	ClientSecret string

	srv *httptest.Server
	op  *op.Provider
	st  *storage
}

// signing is the RSA key of every provider of the test process (making
// one takes a while); each provider has its own key ID.
var signing = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

// Start runs a provider on a loopback port with TLS until the end of the
// test. It has one confidential client (ClientID, ClientSecret, client
// secret by HTTP Basic authentication, the authorization code grant, PKCE
// with S256) and no users or redirect URIs yet.
func Start(t testing.TB) *Provider {
	t.Helper()
	p := &Provider{ClientID: "fellesrom-" + randomID(), ClientSecret: randomID() + randomID()}
	p.st = &storage{
		key:      signing(),
		keyID:    randomID(),
		requests: map[string]*authRequest{},
		codes:    map[string]string{},
		tokens:   map[string]accessToken{},
		users:    map[string]User{},
		clientID: p.ClientID,
		secret:   p.ClientSecret,
		claimsIn: true,
	}
	var cryptoKey [32]byte
	if _, err := rand.Read(cryptoKey[:]); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	p.srv = httptest.NewUnstartedServer(mux)
	p.srv.StartTLS()
	t.Cleanup(p.srv.Close)
	p.Issuer = p.srv.URL
	var err error
	p.op, err = op.NewProvider(&op.Config{
		CryptoKey:          cryptoKey,
		CryptoKeyId:        "k1",
		CodeMethodS256:     true,
		SupportedUILocales: []language.Tag{language.English},
	}, p.st, op.StaticIssuer(p.Issuer))
	if err != nil {
		t.Fatal(err)
	}
	l := &login{st: p.st, op: p.op, callback: op.AuthCallbackURL(p.op)}
	mux.Handle("/login", op.NewIssuerInterceptor(p.op.IssuerFromRequest).Handler(l))
	mux.Handle("/", p.op)
	return p
}

// Client is an HTTP client that trusts the provider's certificate, for
// oidc.ClientContext. It is the same client every time.
func (p *Provider) Client() *http.Client { return p.srv.Client() }

// AddUser adds an account.
func (p *Provider) AddUser(u User) {
	p.st.mu.Lock()
	defer p.st.mu.Unlock()
	p.st.users[u.Subject] = u
}

// AddRedirectURI registers a redirect URI of the client.
func (p *Provider) AddRedirectURI(uri string) {
	p.st.mu.Lock()
	defer p.st.mu.Unlock()
	p.st.redirects = append(p.st.redirects, uri)
}

// SetNonce makes the ID tokens carry this nonce instead of the one the
// client sent ("" goes back to the client's): a token replayed into
// another sign-in.
func (p *Provider) SetNonce(nonce string) {
	p.st.mu.Lock()
	defer p.st.mu.Unlock()
	p.st.nonce = nonce
}

// SetClaimsInIDToken says whether the e-mail and profile claims are in the
// ID token (true, the default) or only at the user info endpoint.
func (p *Provider) SetClaimsInIDToken(in bool) {
	p.st.mu.Lock()
	defer p.st.mu.Unlock()
	p.st.claimsIn = in
}

// AuthRequest is what a client asked of the authorization endpoint.
type AuthRequest = oidc.AuthRequest

// LastAuthRequest is the last authorization request the provider accepted.
func (p *Provider) LastAuthRequest() AuthRequest {
	p.st.mu.Lock()
	defer p.st.mu.Unlock()
	return p.st.last
}

// Tokens counts the codes exchanged for tokens.
func (p *Provider) Tokens() int {
	p.st.mu.Lock()
	defer p.st.mu.Unlock()
	return p.st.issued
}

// Authorize follows an authorization URL the way a browser does, signs
// in on the login form as username with password, and returns the URL the
// provider sends the browser back to (the client's redirect URI with code
// and state, or with an error). An empty username presses "Cancel"
// instead, which answers access_denied.
func (p *Provider) Authorize(t testing.TB, authURL, username, password string) string {
	t.Helper()
	c := *p.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	next := authURL
	for range 10 {
		if !strings.HasPrefix(next, p.Issuer+"/") {
			return next
		}
		var res *http.Response
		var err error
		if u, _ := url.Parse(next); u.Path == "/login" {
			form := url.Values{"id": {u.Query().Get("authRequestID")}}
			if username == "" {
				form.Set("cancel", "1")
			} else {
				form.Set("username", username)
				form.Set("password", password)
			}
			res, err = c.PostForm(p.Issuer+"/login", form)
		} else {
			res, err = c.Get(next)
		}
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		loc, err := res.Location()
		if err != nil {
			t.Fatalf("oidctest: %s answered %d without a redirect", next, res.StatusCode)
		}
		next = loc.String()
	}
	t.Fatalf("oidctest: too many redirects from %s", authURL)
	return ""
}

func randomID() string {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	const digits = "abcdefghijklmnopqrstuvwxyz0123456789"
	for i := range b {
		b[i] = digits[int(b[i])%len(digits)]
	}
	return string(b)
}

// login is the provider's sign-in page.
type login struct {
	st       *storage
	op       *op.Provider
	callback func(context.Context, string) string
}

var loginPage = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Test provider: sign in</title></head>
<body><main><h1>Test provider</h1>
{{if .Error}}<p id="error">{{.Error}}</p>{{end}}
<form method="post" action="/login">
<input type="hidden" name="id" value="{{.ID}}">
<p><label for="username">Username</label> <input id="username" name="username" autocomplete="username"></p>
<p><label for="password">Password</label> <input id="password" name="password" type="password"></p>
<p><button type="submit" id="signin">Sign in</button> <button type="submit" id="cancel" name="cancel" value="1">Cancel</button></p>
</form></main></body></html>`))

func (l *login) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	show := func(id, msg string) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = loginPage.Execute(w, struct{ ID, Error string }{id, msg})
	}
	if r.Method == http.MethodGet {
		show(r.Form.Get("authRequestID"), "")
		return
	}
	id := r.PostForm.Get("id")
	req, err := l.st.AuthRequestByID(r.Context(), id)
	if err != nil {
		http.Error(w, "unknown sign-in", http.StatusBadRequest)
		return
	}
	if r.PostForm.Get("cancel") != "" {
		op.AuthRequestError(w, r, req, oidc.ErrAccessDenied().WithDescription("the user cancelled"), l.op)
		return
	}
	if !l.st.checkPassword(id, r.PostForm.Get("username"), r.PostForm.Get("password")) {
		show(id, "Wrong username or password.")
		return
	}
	http.Redirect(w, r, l.callback(r.Context(), id), http.StatusFound)
}

// storage is an op.Storage in memory, for one client.
type storage struct {
	mu        sync.Mutex
	key       *rsa.PrivateKey
	keyID     string
	clientID  string
	secret    string
	redirects []string
	users     map[string]User // by subject
	requests  map[string]*authRequest
	codes     map[string]string // code → request ID
	tokens    map[string]accessToken
	nonce     string // "" or the nonce every ID token carries
	claimsIn  bool   // profile and e-mail claims in the ID token
	last      oidc.AuthRequest
	issued    int
}

type accessToken struct {
	subject string
	scopes  []string
	expires time.Time
}

func (s *storage) checkPassword(requestID, username, password string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	req, ok := s.requests[requestID]
	if !ok {
		return false
	}
	for _, u := range s.users {
		if u.Username == username && u.Password == password && password != "" {
			req.subject, req.done, req.authTime = u.Subject, true, time.Now().UTC()
			req.amr = u.AMR
			if req.amr == nil {
				req.amr = []string{"pwd"}
			}
			return true
		}
	}
	return false
}

// authRequest is an op.AuthRequest.
type authRequest struct {
	s            *storage
	id           string
	clientID     string
	redirectURI  string
	state        string
	nonce        string
	scopes       []string
	responseType oidc.ResponseType
	responseMode oidc.ResponseMode
	challenge    *oidc.CodeChallenge
	subject      string
	done         bool
	authTime     time.Time
	amr          []string
}

func (a *authRequest) GetID() string          { return a.id }
func (a *authRequest) GetACR() string         { return "" }
func (a *authRequest) GetAMR() []string       { return a.amr }
func (a *authRequest) GetAudience() []string  { return []string{a.clientID} }
func (a *authRequest) GetAuthTime() time.Time { return a.authTime }
func (a *authRequest) GetClientID() string    { return a.clientID }
func (a *authRequest) GetRedirectURI() string { return a.redirectURI }
func (a *authRequest) GetScopes() []string    { return a.scopes }
func (a *authRequest) GetState() string       { return a.state }
func (a *authRequest) GetSubject() string     { return a.subject }
func (a *authRequest) Done() bool             { return a.done }
func (a *authRequest) GetCodeChallenge() *oidc.CodeChallenge {
	return a.challenge
}
func (a *authRequest) GetResponseType() oidc.ResponseType { return a.responseType }
func (a *authRequest) GetResponseMode() oidc.ResponseMode { return a.responseMode }

func (a *authRequest) GetNonce() string {
	a.s.mu.Lock()
	defer a.s.mu.Unlock()
	if a.s.nonce != "" {
		return a.s.nonce
	}
	return a.nonce
}

var errNotFound = errors.New("oidctest: not found")

func (s *storage) CreateAuthRequest(_ context.Context, r *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if slices.Contains(r.Prompt, oidc.PromptNone) {
		return nil, oidc.ErrLoginRequired()
	}
	a := &authRequest{s: s, id: randomID(), clientID: r.ClientID, redirectURI: r.RedirectURI, state: r.State,
		nonce: r.Nonce, scopes: r.Scopes, responseType: r.ResponseType, responseMode: r.ResponseMode}
	if r.CodeChallenge != "" {
		a.challenge = &oidc.CodeChallenge{Challenge: r.CodeChallenge, Method: r.CodeChallengeMethod}
	}
	s.requests[a.id] = a
	s.last = *r
	return a, nil
}

func (s *storage) AuthRequestByID(_ context.Context, id string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.requests[id]; ok {
		return a, nil
	}
	return nil, errNotFound
}

func (s *storage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	s.mu.Lock()
	id, ok := s.codes[code]
	s.mu.Unlock()
	if !ok {
		return nil, errNotFound
	}
	return s.AuthRequestByID(ctx, id)
}

func (s *storage) SaveAuthCode(_ context.Context, id, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.codes[code] = id
	return nil
}

// DeleteAuthRequest is called once a code is exchanged: the code is used up.
func (s *storage) DeleteAuthRequest(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.requests, id)
	for code, rid := range s.codes {
		if rid == id {
			delete(s.codes, code)
		}
	}
	return nil
}

func (s *storage) CreateAccessToken(_ context.Context, r op.TokenRequest) (string, time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := randomID()
	exp := time.Now().UTC().Add(5 * time.Minute)
	s.tokens[id] = accessToken{subject: r.GetSubject(), scopes: r.GetScopes(), expires: exp}
	s.issued++
	return id, exp, nil
}

func (s *storage) CreateAccessAndRefreshTokens(context.Context, op.TokenRequest, string) (string, string, time.Time, error) {
	return "", "", time.Time{}, errors.New("oidctest: no refresh tokens")
}

func (s *storage) TokenRequestByRefreshToken(context.Context, string) (op.RefreshTokenRequest, error) {
	return nil, op.ErrInvalidRefreshToken
}

func (s *storage) TerminateSession(context.Context, string, string) error { return nil }

func (s *storage) RevokeToken(_ context.Context, token, _, _ string) *oidc.Error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.tokens, token)
	return nil
}

func (s *storage) GetRefreshTokenInfo(context.Context, string, string) (string, string, error) {
	return "", "", op.ErrInvalidRefreshToken
}

type signingKey struct {
	id  string
	key *rsa.PrivateKey
}

func (k signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k signingKey) Key() any                                    { return k.key }
func (k signingKey) ID() string                                  { return k.id }

type publicKey struct{ signingKey }

func (k publicKey) Algorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k publicKey) Use() string                        { return "sig" }
func (k publicKey) Key() any                           { return &k.key.PublicKey }

func (s *storage) SigningKey(context.Context) (op.SigningKey, error) {
	return signingKey{s.keyID, s.key}, nil
}

func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

func (s *storage) KeySet(context.Context) ([]op.Key, error) {
	return []op.Key{publicKey{signingKey{s.keyID, s.key}}}, nil
}

func (s *storage) GetClientByClientID(_ context.Context, id string) (op.Client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if id != s.clientID {
		return nil, errNotFound
	}
	return &client{id: id, redirects: slices.Clone(s.redirects), claimsIn: s.claimsIn}, nil
}

func (s *storage) AuthorizeClientIDSecret(_ context.Context, id, secret string) error {
	if id != s.clientID || secret != s.secret {
		return errors.New("oidctest: wrong client secret")
	}
	return nil
}

func (s *storage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

// SetUserinfoFromRequest fills the claims of an ID token.
func (s *storage) SetUserinfoFromRequest(_ context.Context, ui *oidc.UserInfo, r op.IDTokenRequest, scopes []string) error {
	return s.userinfo(ui, r.GetSubject(), scopes)
}

func (s *storage) SetUserinfoFromToken(_ context.Context, ui *oidc.UserInfo, tokenID, subject, _ string) error {
	s.mu.Lock()
	t, ok := s.tokens[tokenID]
	s.mu.Unlock()
	if !ok || t.subject != subject || time.Now().After(t.expires) {
		return errors.New("oidctest: invalid access token")
	}
	return s.userinfo(ui, subject, t.scopes)
}

func (s *storage) userinfo(ui *oidc.UserInfo, subject string, scopes []string) error {
	s.mu.Lock()
	u, ok := s.users[subject]
	s.mu.Unlock()
	if !ok {
		return errNotFound
	}
	ui.Subject = subject
	if slices.Contains(scopes, oidc.ScopeEmail) {
		ui.Email = u.Email
		// The library leaves a false email_verified out (omitempty): a
		// false one is sent as a claim of its own.
		switch {
		case u.OmitEmailVerified:
		case u.EmailVerified:
			ui.EmailVerified = true
		default:
			ui.AppendClaims("email_verified", false)
		}
	}
	if slices.Contains(scopes, oidc.ScopeProfile) {
		ui.Name = u.Name
	}
	return nil
}

func (s *storage) SetIntrospectionFromToken(context.Context, *oidc.IntrospectionResponse, string, string, string) error {
	return errors.New("oidctest: no introspection")
}

func (s *storage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

func (s *storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errNotFound
}

func (s *storage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errors.New("oidctest: no JWT profile")
}

func (s *storage) Health(context.Context) error { return nil }

// client is the provider's one client: a confidential web application.
type client struct {
	id        string
	redirects []string
	claimsIn  bool
}

func (c *client) GetID() string                       { return c.id }
func (c *client) RedirectURIs() []string              { return c.redirects }
func (c *client) PostLogoutRedirectURIs() []string    { return nil }
func (c *client) ApplicationType() op.ApplicationType { return op.ApplicationTypeWeb }
func (c *client) AuthMethod() oidc.AuthMethod         { return oidc.AuthMethodBasic }
func (c *client) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c *client) GrantTypes() []oidc.GrantType         { return []oidc.GrantType{oidc.GrantTypeCode} }
func (c *client) LoginURL(id string) string            { return "/login?authRequestID=" + url.QueryEscape(id) }
func (c *client) AccessTokenType() op.AccessTokenType  { return op.AccessTokenTypeBearer }
func (c *client) IDTokenLifetime() time.Duration       { return 5 * time.Minute }
func (c *client) DevMode() bool                        { return false }
func (c *client) IsScopeAllowed(string) bool           { return false }
func (c *client) IDTokenUserinfoClaimsAssertion() bool { return c.claimsIn }
func (c *client) ClockSkew() time.Duration             { return 0 }
func (c *client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c *client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
