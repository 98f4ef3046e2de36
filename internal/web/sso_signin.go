package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/i18n"
	"github.com/fellesrom/fellesrom/internal/store"
)

// Single sign-on for staff (OpenID Connect), see package auth:
//
//	GET  /logg-inn/sso          type your work address, or pick your organisation
//	POST /logg-inn/sso          the address → the providers of its domain
//	GET  /logg-inn/sso/start    ?leverandor=ID&neste=…: off to the provider
//	GET  /logg-inn/sso/tilbake  the callback (the one redirect URI, in Bokmål)
//	     /kontor/sso…           administrators: the providers (sso_admin.go)
//
// The start is a link (GET), not a form: the Content-Security-Policy's
// form-action 'self' applies to every redirect after a form is sent, and
// would stop the browser on its way to the provider. A start only stores a
// short-lived, single-use row and a cookie, and is rate limited.

func init() {
	staffAreas = append(staffAreas, func(s *site, mux *http.ServeMux, lang, p string) {
		mux.Handle(p+"/logg-inn/sso", s.methods(lang, s.ssoPage, s.ssoPost))
		mux.Handle(p+"/logg-inn/sso/start", s.methods(lang, s.ssoStart, nil))
		mux.Handle(p+"/logg-inn/sso/tilbake", s.methods(lang, s.ssoCallback, nil))
		mux.Handle(p+"/kontor/sso", s.methods(lang, s.staff(s.ssoAdminList, false), nil))
		mux.Handle(p+"/kontor/sso/ny", s.methods(lang, s.staff(s.ssoAdminNew, false), s.staff(s.ssoAdminNewPost, false)))
		mux.Handle(p+"/kontor/sso/{id}", s.methods(lang, s.staff(s.ssoAdminEdit, false), s.staff(s.ssoAdminEditPost, false)))
	})
}

// ssoCallbackPath is the path of the redirect URI to register at a provider.
const ssoCallbackPath = "/logg-inn/sso/tilbake"

// EnvPublicURL is the setting of the site's public base URL, such as
// https://fellesrom.example.no, which the redirect URI of single sign-on is
// built on. Unset: the scheme and host of the request.
const EnvPublicURL = "FELLESROM_PUBLIC_URL"

// ssoRedirectURI is the callback address registered at the providers. It is
// built on the same checked base as the links in mails (accountLinkBase), so
// that one setting, checked one way, decides every absolute address.
func (s *site) ssoRedirectURI(r *http.Request) (string, error) {
	base, err := s.accountLinkBase(r)
	if err != nil {
		return "", err
	}
	return base + ssoCallbackPath, nil
}

// ssoChoice is a provider a person can sign in with.
type ssoChoice struct {
	Name string
	URL  string
}

// ssoSigninView is the page of single sign-on.
type ssoSigninView struct {
	staffView
	Email   string
	Next    string
	Matched bool // the choices are the providers of the address typed
	Choices []ssoChoice
}

func (s *site) ssoSigninView(lang, next string) *ssoSigninView {
	v := &ssoSigninView{staffView: s.newStaffView(lang, "/logg-inn/sso", nil), Next: next}
	v.Title = v.S("sso.signin_title")
	if next != "" {
		v.query = url.Values{"neste": {next}}
	}
	return v
}

func (s *site) ssoChoices(lang, next string, ps []store.OIDCProvider) []ssoChoice {
	out := make([]ssoChoice, 0, len(ps))
	for _, p := range ps {
		q := url.Values{"leverandor": {p.ID}}
		if next != "" {
			q.Set("neste", next)
		}
		out = append(out, ssoChoice{Name: p.Name, URL: withQuery(prefix(lang)+"/logg-inn/sso/start", q)})
	}
	return out
}

// ssoPage is GET /logg-inn/sso.
func (s *site) ssoPage(w http.ResponseWriter, r *http.Request, lang string) {
	v := s.ssoSigninView(lang, safeNext(r.URL.Query().Get("neste")))
	me, err := s.current(r)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	if me != nil && me.Stage() == auth.StageDone {
		s.seeOther(w, r, s.after(lang, v.Next))
		return
	}
	ps, err := s.auth.EnabledSSOProviders(r.Context())
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	v.Choices = s.ssoChoices(lang, v.Next, ps)
	s.render(w, r, http.StatusOK, "sso_signin", v)
}

// ssoPost is POST /logg-inn/sso: the work address typed; the page shows
// the providers of its domain (a link each: see the note at the top).
func (s *site) ssoPost(w http.ResponseWriter, r *http.Request, lang string) {
	if err := r.ParseForm(); err != nil {
		s.badAddress(w, r, lang)
		return
	}
	v := s.ssoSigninView(lang, safeNext(r.PostForm.Get("neste")))
	v.Email = strings.TrimSpace(r.PostForm.Get("email"))
	if len(v.Email) > 254 {
		v.Email = v.Email[:254]
	}
	switch {
	case v.Email == "":
		v.fail("email", "sso.email_missing")
	case !strings.Contains(v.Email, "@"):
		v.fail("email", "auth.email_invalid")
	}
	var ps []store.OIDCProvider
	var err error
	if len(v.Errors) == 0 {
		ps, err = s.auth.FindSSOProviders(r.Context(), v.Email, auth.MetaOf(r))
		var rl *auth.RateLimitedError
		switch {
		case errors.As(err, &rl):
			s.render(w, r, s.rateLimited(w, &v.staffView, rl, "email"), "sso_signin", v)
			return
		case err != nil:
			s.serverError(w, r, lang, err)
			return
		case len(ps) == 0:
			v.fail("email", "sso.no_provider")
		}
	}
	if len(v.Errors) > 0 {
		all, err := s.auth.EnabledSSOProviders(r.Context())
		if err != nil {
			s.serverError(w, r, lang, err)
			return
		}
		v.Choices = s.ssoChoices(lang, v.Next, all)
		s.render(w, r, http.StatusBadRequest, "sso_signin", v)
		return
	}
	v.Matched = true
	v.Choices = s.ssoChoices(lang, v.Next, ps)
	s.render(w, r, http.StatusOK, "sso_signin", v)
}

// ssoStart is GET /logg-inn/sso/start: a sign-in begins, and the browser
// goes to the provider with the state in a cookie.
func (s *site) ssoStart(w http.ResponseWriter, r *http.Request, lang string) {
	q := r.URL.Query()
	id := q.Get("leverandor")
	if !store.ValidID(id) {
		s.notFound(w, r, lang)
		return
	}
	next := safeNext(q.Get("neste"))
	redirect, err := s.ssoRedirectURI(r)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	authURL, state, err := s.auth.StartSSO(r.Context(), id, redirect, next, lang, auth.MetaOf(r))
	var rl *auth.RateLimitedError
	switch {
	case errors.As(err, &rl):
		s.ssoFailed(w, r, lang, next, err)
		return
	case errors.Is(err, auth.ErrSSONoProvider):
		s.notFound(w, r, lang)
		return
	case errors.Is(err, auth.ErrSSOProvider):
		s.ssoFailed(w, r, lang, next, err)
		return
	case err != nil:
		s.serverError(w, r, lang, err)
		return
	}
	s.auth.SetSSOCookie(w, r, state)
	s.seeOther(w, r, authURL)
}

// ssoCallback is GET /logg-inn/sso/tilbake: the provider sends the browser
// back with a code (or an error); on success a session starts, with the
// TOTP step or enrolment next as after a password.
func (s *site) ssoCallback(w http.ResponseWriter, r *http.Request, lang string) {
	q := r.URL.Query()
	cb := auth.SSOCallback{State: q.Get("state"), CookieState: s.auth.SSOCookie(r), Code: q.Get("code"), Error: q.Get("error")}
	s.auth.ClearSSOCookie(w, r)
	redirect, err := s.ssoRedirectURI(r)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	res, err := s.auth.FinishSSO(r.Context(), cb, redirect, auth.MetaOf(r), s.auth.TokenOf(r))
	if i18n.Supported(res.Lang) {
		lang = res.Lang
	}
	next := safeNext(res.ReturnTo)
	if err != nil {
		var rl *auth.RateLimitedError
		var se *auth.SSOError
		if errors.As(err, &rl) || errors.As(err, &se) {
			s.ssoFailed(w, r, lang, next, err)
		} else {
			s.serverError(w, r, lang, err)
		}
		return
	}
	s.auth.SetCookie(w, r, res.Token)
	switch res.Stage {
	case auth.StageCode:
		q := url.Values{}
		if next != "" {
			q.Set("neste", next)
		}
		s.seeOther(w, r, withQuery(prefix(lang)+"/logg-inn/kode", q))
	case auth.StageEnrol:
		s.seeOther(w, r, prefix(lang)+"/kontor/totp")
	default:
		s.seeOther(w, r, s.after(lang, next))
	}
}

// ssoFailedView says why a single sign-on did not work, and the ways on.
type ssoFailedView struct {
	staffView
	Heading string // message ids
	Message string
	Retry   string // the single sign-on page, with the way back
}

// ssoFailed answers a failed single sign-on with a page that says what
// happened in words a person can act on; never a 500.
func (s *site) ssoFailed(w http.ResponseWriter, r *http.Request, lang, next string, err error) {
	v := &ssoFailedView{staffView: s.newStaffView(lang, "/logg-inn/sso", nil)}
	q := url.Values{}
	if next != "" {
		q.Set("neste", next)
		v.query = q
	}
	v.Retry = withQuery(prefix(lang)+"/logg-inn/sso", q)
	status := http.StatusBadRequest
	var rl *auth.RateLimitedError
	switch {
	case errors.As(err, &rl):
		status = s.rateLimited(w, &v.staffView, rl, "")
		v.Heading, v.Message = "sso.failed_title", "sso.limited_p"
	case errors.Is(err, auth.ErrSSOState):
		v.Heading, v.Message = "sso.state_title", "sso.state_p"
	case errors.Is(err, auth.ErrSSORefused):
		status = http.StatusForbidden
		v.Heading, v.Message = "sso.refused_title", "sso.refused_p"
	case errors.Is(err, auth.ErrSSOProvider) && auth.SSOReason(err) == "provider_error":
		status = http.StatusForbidden
		v.Heading, v.Message = "sso.cancelled_title", "sso.cancelled_p"
	case errors.Is(err, auth.ErrSSONoProvider):
		v.Heading, v.Message = "sso.gone_title", "sso.gone_p"
	default: // the provider could not be reached, or its answer did not verify
		status = http.StatusBadGateway
		v.Heading, v.Message = "sso.provider_title", "sso.provider_p"
	}
	v.Title = v.S(v.Heading)
	s.render(w, r, status, "sso_failed", v)
}
