package web

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
)

// The providers of single sign-on, for administrators only (everyone else
// gets the 404 of a page that does not exist):
//
//	GET        /kontor/sso       the list, and the redirect URI to register
//	GET, POST  /kontor/sso/ny    a new provider
//	GET, POST  /kontor/sso/{id}  change or disable one
//
// The client secret is write-only: the form never shows it, and an empty
// field keeps the stored one. "Trust the e-mail addresses" (TrustEmail) is
// for providers that send no email_verified claim, such as Entra ID (see
// auth.FinishSSO).

// ssoAdmin reports whether me may manage the providers; if not, it answers
// 404.
func (s *site) ssoAdmin(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) bool {
	if !auth.Allowed(me.Principal(), auth.ManageUsers, "", nil) {
		s.notFound(w, r, lang)
		return false
	}
	return true
}

// ssoProviderView is a provider in the list.
type ssoProviderView struct {
	store.OIDCProvider
	OrgName string
	EditURL string
}

type ssoAdminView struct {
	staffView
	Providers   []ssoProviderView
	RedirectURI string
}

var ssoAdminNotices = map[string]string{"lagret": "sso.notice_saved", "ny": "sso.notice_created"}

// ssoAdminList is GET /kontor/sso.
func (s *site) ssoAdminList(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	if !s.ssoAdmin(w, r, lang, me) {
		return
	}
	redirect, err := s.ssoRedirectURI(r)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	v := &ssoAdminView{staffView: s.newStaffView(lang, "/kontor/sso", me), RedirectURI: redirect}
	v.Title = v.S("sso.admin_title")
	v.Section = "sso"
	v.Notice = ssoAdminNotices[r.URL.Query().Get("melding")]
	ps, err := s.store.OIDCProviders(r.Context())
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	orgs, err := s.store.Organisations(r.Context())
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	names := map[string]string{}
	for _, o := range orgs {
		names[o.ID] = o.Name
	}
	for _, p := range ps {
		v.Providers = append(v.Providers, ssoProviderView{OIDCProvider: p, OrgName: names[p.OrgID],
			EditURL: v.Href("/kontor/sso/" + p.ID)})
	}
	s.render(w, r, http.StatusOK, "sso_admin", v)
}

// ssoForm is the provider form as typed.
type ssoForm struct {
	OrgID, Name, Issuer, ClientID, Scopes, Domains string
	TrustMFA, TrustEmail, Enabled                  bool
}

type ssoOrgOption struct {
	ID, Name string
	Selected bool
}

type ssoFormView struct {
	staffView
	ID          string // "" for a new provider
	Form        ssoForm
	Orgs        []ssoOrgOption
	HasSecret   bool
	RedirectURI string
	Action      string
}

func (s *site) ssoFormView(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current, id string) (*ssoFormView, []domain.Organisation, bool) {
	path := "/kontor/sso/ny"
	if id != "" {
		path = "/kontor/sso/" + id
	}
	redirect, err := s.ssoRedirectURI(r)
	if err != nil {
		s.serverError(w, r, lang, err)
		return nil, nil, false
	}
	v := &ssoFormView{staffView: s.newStaffView(lang, path, me), ID: id, RedirectURI: redirect}
	v.Action = v.Href(path)
	v.Section = "sso"
	if id == "" {
		v.Title = v.S("sso.new_title")
	} else {
		v.Title = v.S("sso.edit_title")
	}
	orgs, err := s.store.Organisations(r.Context())
	if err != nil {
		s.serverError(w, r, lang, err)
		return nil, nil, false
	}
	slices.SortFunc(orgs, func(a, b domain.Organisation) int { return strings.Compare(a.Name, b.Name) })
	return v, orgs, true
}

func (v *ssoFormView) setOrgs(orgs []domain.Organisation) {
	v.Orgs = v.Orgs[:0]
	for _, o := range orgs {
		v.Orgs = append(v.Orgs, ssoOrgOption{ID: o.ID, Name: o.Name, Selected: o.ID == v.Form.OrgID})
	}
}

func formOf(p store.OIDCProvider) ssoForm {
	return ssoForm{OrgID: p.OrgID, Name: p.Name, Issuer: p.Issuer, ClientID: p.ClientID, Scopes: strings.Join(p.Scopes, " "),
		Domains: strings.Join(p.EmailDomains, " "), TrustMFA: p.TrustMFA, TrustEmail: p.TrustEmail, Enabled: p.Enabled}
}

// ssoAdminNew is GET /kontor/sso/ny.
func (s *site) ssoAdminNew(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	if !s.ssoAdmin(w, r, lang, me) {
		return
	}
	v, orgs, ok := s.ssoFormView(w, r, lang, me, "")
	if !ok {
		return
	}
	v.Form = ssoForm{Scopes: "openid email profile", Enabled: true}
	v.setOrgs(orgs)
	s.render(w, r, http.StatusOK, "sso_form", v)
}

// ssoAdminEdit is GET /kontor/sso/{id}.
func (s *site) ssoAdminEdit(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	if !s.ssoAdmin(w, r, lang, me) {
		return
	}
	p, ok := s.ssoProvider(w, r, lang)
	if !ok {
		return
	}
	v, orgs, ok := s.ssoFormView(w, r, lang, me, p.ID)
	if !ok {
		return
	}
	v.Form, v.HasSecret = formOf(p), p.HasSecret
	v.setOrgs(orgs)
	s.render(w, r, http.StatusOK, "sso_form", v)
}

func (s *site) ssoProvider(w http.ResponseWriter, r *http.Request, lang string) (store.OIDCProvider, bool) {
	id := r.PathValue("id")
	if !store.ValidID(id) {
		s.notFound(w, r, lang)
		return store.OIDCProvider{}, false
	}
	p, err := s.store.OIDCProvider(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r, lang)
		return p, false
	}
	if err != nil {
		s.serverError(w, r, lang, err)
		return p, false
	}
	return p, true
}

// ssoAdminNewPost is POST /kontor/sso/ny.
func (s *site) ssoAdminNewPost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	if !s.ssoAdmin(w, r, lang, me) {
		return
	}
	s.ssoSave(w, r, lang, me, store.OIDCProvider{})
}

// ssoAdminEditPost is POST /kontor/sso/{id}.
func (s *site) ssoAdminEditPost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	if !s.ssoAdmin(w, r, lang, me) {
		return
	}
	p, ok := s.ssoProvider(w, r, lang)
	if !ok {
		return
	}
	s.ssoSave(w, r, lang, me, p)
}

// ssoSave checks the form, shows it again with the messages next to the
// fields (and what was typed, but never the secret), or stores the
// provider (with the audit entry) and goes to the list.
func (s *site) ssoSave(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current, old store.OIDCProvider) {
	if err := r.ParseForm(); err != nil {
		s.badAddress(w, r, lang)
		return
	}
	v, orgs, ok := s.ssoFormView(w, r, lang, me, old.ID)
	if !ok {
		return
	}
	f := r.PostForm
	v.Form = ssoForm{OrgID: f.Get("org"), Name: strings.TrimSpace(f.Get("name")), Issuer: strings.TrimSpace(f.Get("issuer")),
		ClientID: strings.TrimSpace(f.Get("client_id")), Scopes: strings.TrimSpace(f.Get("scopes")),
		Domains: strings.TrimSpace(f.Get("domains")), TrustMFA: f.Get("trust_mfa") != "", TrustEmail: f.Get("trust_email") != "",
		Enabled: f.Get("enabled") != ""}
	v.HasSecret = old.HasSecret
	v.setOrgs(orgs)
	secret := strings.TrimSpace(f.Get("client_secret"))

	p := old
	p.OrgID, p.Name, p.Issuer, p.ClientID = v.Form.OrgID, v.Form.Name, strings.TrimRight(v.Form.Issuer, "/"), v.Form.ClientID
	p.ClientSecret, p.TrustMFA, p.TrustEmail, p.Enabled = secret, v.Form.TrustMFA, v.Form.TrustEmail, v.Form.Enabled
	p.Scopes = store.ParseList(v.Form.Scopes)
	p.EmailDomains = nil
	for _, d := range store.ParseList(v.Form.Domains) {
		p.EmailDomains = append(p.EmailDomains, store.NormalizeDomain(d))
	}
	if !slices.ContainsFunc(orgs, func(o domain.Organisation) bool { return o.ID == p.OrgID }) {
		v.fail("org", "sso.err_org")
	}
	if p.Name == "" || len([]rune(p.Name)) > 100 {
		v.fail("name", "sso.err_name")
	}
	if !store.ValidIssuer(p.Issuer) {
		v.fail("issuer", "sso.err_issuer")
	}
	if p.ClientID == "" || len(p.ClientID) > 255 || strings.ContainsAny(p.ClientID, " \t") {
		v.fail("client_id", "sso.err_client_id")
	}
	switch {
	case secret == "" && !old.HasSecret:
		v.fail("client_secret", "sso.err_secret")
	case len(secret) > 1024:
		v.fail("client_secret", "sso.err_secret_long")
	}
	if !slices.Contains(p.Scopes, "openid") || slices.ContainsFunc(p.Scopes, func(x string) bool { return !store.ValidScope(x) }) {
		v.fail("scopes", "sso.err_scopes")
	}
	switch {
	case len(p.EmailDomains) == 0:
		v.fail("domains", "sso.err_domains_missing")
	case len(p.EmailDomains) > 50 || slices.ContainsFunc(p.EmailDomains, func(d string) bool { return !store.ValidDomain(d) }):
		v.fail("domains", "sso.err_domains")
	}
	if len(v.Errors) > 0 {
		s.render(w, r, http.StatusBadRequest, "sso_form", v)
		return
	}
	ctx := store.WithActor(r.Context(), store.Actor{ID: me.User.ID, Source: me.Meta.Source})
	if err := s.store.SaveOIDCProvider(ctx, &p); err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	notice := "lagret"
	if old.ID == "" {
		notice = "ny"
	}
	s.seeOther(w, r, prefix(lang)+"/kontor/sso?melding="+notice)
}
