package web

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"unicode"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
)

// The staff page, /kontor/brukere: the users of the organisations in the
// signed-in user's part of the tree (all of them for an administrator),
// the invitations not accepted yet, and the form that invites someone.
// Only administrators and coordinators have it; anyone else gets the 404
// of an unknown back-office page.
//
// A user's page, for administrators only (everyone else: 404):
//
//	GET  /kontor/brukere/{id}              the user, and the accounts at single sign-on
//	                                       providers linked to them (identities)
//	POST /kontor/brukere/{id}/identiteter  action=link: link a provider's subject by
//	                                       hand (audit identity.link); action=unlink:
//	                                       end the link to a provider (identity.unlink)
//
// Linking by hand is for a provider that sends no verified address for the
// user, or another address than the invitation's. A subject linked to
// anyone already is refused, and so is a user without a role in the
// provider's organisation or under it (the sign-in would refuse them).

func init() {
	staffAreas = append(staffAreas, func(s *site, mux *http.ServeMux, lang, p string) {
		mux.Handle(p+"/kontor/brukere/{id}", s.methods(lang, s.staff(s.accountUserPage, false), nil))
		mux.Handle(p+"/kontor/brukere/{id}/identiteter", s.methods(lang, nil, s.staff(s.accountIdentitiesPost, false)))
	})
}

// accountRole is a role of a listed user, in words.
type accountRole struct {
	Role    string // message id
	OrgName string
}

type accountUser struct {
	URL         string // the user's page, for an administrator
	Name, Email string
	Admin       bool
	Disabled    bool
	Roles       []accountRole
	LastSignin  Phrase // empty: never
	TOTP        bool
}

type accountInvite struct {
	ID, Email, Name string
	Role            string // message id
	OrgName         string
	Lang            Phrase
	Sent, Expires   Phrase
	Expired         bool
}

type accountOption struct {
	Value, Label string
	Selected     bool
}

// accountInviteForm is the invitation form as typed.
type accountInviteForm struct {
	Email, Name, Org, Role, Lang string
}

type accountUsersView struct {
	staffView
	AllUsers  bool // an administrator's view
	Users     []accountUser
	Invites   []accountInvite
	Orgs      []accountOption
	Roles     []accountOption
	MailLangs []accountOption
	Form      accountInviteForm
}

var accountUsersNotices = map[string]string{
	"invitert":    "account.notice_invited",
	"trukket":     "account.notice_revoked",
	"sendt-igjen": "account.notice_resent",
	"finnes-ikke": "account.notice_invite_gone",
}

// accountScope is the organisation tree and the organisations, for the
// scope checks of the staff page.
func (s *site) accountScope(r *http.Request) (auth.Tree, []domain.Organisation, error) {
	orgs, err := s.store.Organisations(r.Context())
	if err != nil {
		return nil, nil, err
	}
	return auth.NewTree(orgs), orgs, nil
}

// accountUsersView builds the page for me, with the form as typed.
func (s *site) accountUsersView(r *http.Request, lang string, me *auth.Current, form accountInviteForm) (*accountUsersView, bool, error) {
	t, orgs, err := s.accountScope(r)
	if err != nil {
		return nil, false, err
	}
	p := me.Principal()
	if !auth.ManagesStaff(p, t) {
		return nil, false, nil
	}
	v := &accountUsersView{staffView: s.newStaffView(lang, "/kontor/brukere", me), Form: form}
	v.Title = v.S("account.users_title")
	v.Section = "users"
	v.AllUsers = auth.Allowed(p, auth.ManageUsers, "", t)
	names := map[string]string{}
	for _, o := range orgs {
		names[o.ID] = o.Name
		if auth.SeesStaffOf(p, t, o.ID) {
			v.Orgs = append(v.Orgs, accountOption{Value: o.ID, Label: o.Name, Selected: o.ID == form.Org})
		}
	}
	for _, role := range store.Roles {
		if slices.ContainsFunc(v.Orgs, func(o accountOption) bool { return auth.MayInvite(p, t, false, role, o.Value) }) {
			v.Roles = append(v.Roles, accountOption{Value: string(role), Label: "staff.role_" + string(role), Selected: form.Role == string(role)})
		}
	}
	if auth.MayInvite(p, t, true, "", "") {
		v.Roles = append(v.Roles, accountOption{Value: "admin", Label: "account.role_admin", Selected: form.Role == "admin"})
	}
	if form.Lang == "" {
		form.Lang, v.Form.Lang = lang, lang
	}
	for _, l := range auth.MailLanguages {
		v.MailLangs = append(v.MailLangs, accountOption{Value: l, Label: "lang." + l, Selected: form.Lang == l})
	}

	users, err := s.store.Users(r.Context())
	if err != nil {
		return nil, false, err
	}
	for _, u := range users {
		row := accountUser{Name: u.Name, Email: u.Email, Admin: u.Admin, Disabled: u.Disabled, TOTP: u.TOTPEnabled,
			LastSignin: v.When(u.LastSigninAt)}
		if v.AllUsers {
			row.URL = v.Href("/kontor/brukere/" + u.ID)
		}
		for _, m := range u.Memberships {
			// A coordinator sees the roles in their part of the tree only.
			if v.AllUsers || auth.SeesStaffOf(p, t, m.OrgID) {
				row.Roles = append(row.Roles, accountRole{Role: "staff.role_" + string(m.Role), OrgName: names[m.OrgID]})
			}
		}
		if v.AllUsers || len(row.Roles) > 0 {
			if !v.AllUsers {
				row.Admin = false
			}
			v.Users = append(v.Users, row)
		}
	}
	invites, err := s.auth.Invites(r.Context(), me)
	if err != nil {
		return nil, false, err
	}
	now := s.auth.Now()
	for _, inv := range invites {
		row := accountInvite{ID: inv.ID, Email: inv.Email, Name: inv.Name, OrgName: names[inv.OrgID],
			Lang: v.LangName(inv.Lang), Sent: v.When(inv.CreatedAt), Expires: v.When(inv.ExpiresAt),
			Expired: !inv.Pending(now), Role: "account.role_admin"}
		if !inv.Admin {
			row.Role = "staff.role_" + string(inv.Role)
		}
		v.Invites = append(v.Invites, row)
	}
	return v, true, nil
}

// accountRenderUsers shows the staff page. It shows staff's and invitees'
// names and addresses: the read is in the audit log (user.list), as every
// read of personal data is.
func (s *site) accountRenderUsers(w http.ResponseWriter, r *http.Request, status int, v *accountUsersView) {
	me := v.Me
	actx := store.WithActor(r.Context(), store.Actor{ID: me.User.ID, Source: me.Meta.Source})
	if err := s.store.Audit(actx, store.AuditEntry{Action: "user.list", ObjectType: "user",
		Detail: map[string]any{"users": len(v.Users), "invites": len(v.Invites), "all": v.AllUsers}}); err != nil {
		s.serverError(w, r, v.Lang, err)
		return
	}
	s.render(w, r, status, "account_users", v)
}

// accountUsersPage is GET /kontor/brukere.
func (s *site) accountUsersPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	v, ok, err := s.accountUsersView(r, lang, me, accountInviteForm{})
	switch {
	case err != nil:
		s.serverError(w, r, lang, err)
		return
	case !ok:
		s.notFound(w, r, lang)
		return
	}
	v.Notice = accountUsersNotices[r.URL.Query().Get("melding")]
	s.accountRenderUsers(w, r, http.StatusOK, v)
}

// accountUsersPost is POST /kontor/brukere: invite someone.
func (s *site) accountUsersPost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	if err := r.ParseForm(); err != nil {
		s.badAddress(w, r, lang)
		return
	}
	f := accountInviteForm{Email: strings.TrimSpace(r.PostForm.Get("email")), Name: strings.TrimSpace(r.PostForm.Get("name")),
		Org: r.PostForm.Get("org"), Role: r.PostForm.Get("role"), Lang: r.PostForm.Get("lang")}
	if len(f.Email) > 254 {
		f.Email = f.Email[:254]
	}
	if len(f.Name) > 200 {
		f.Name = f.Name[:200]
	}
	v, ok, err := s.accountUsersView(r, lang, me, f)
	switch {
	case err != nil:
		s.serverError(w, r, lang, err)
		return
	case !ok:
		s.notFound(w, r, lang)
		return
	}
	role, admin, roleOK := accountRoleOf(f.Role)
	switch {
	case f.Email == "":
		v.fail("email", "account.invite_email_missing")
	case !auth.ValidEmail(f.Email):
		v.fail("email", "account.invite_email_invalid")
	}
	switch {
	case f.Name == "":
		v.fail("name", "account.invite_name_missing")
	case strings.ContainsFunc(f.Name, unicode.IsControl):
		v.fail("name", "account.name_invalid")
	}
	if !roleOK {
		v.fail("role", "account.invite_role_missing")
	}
	if !admin && f.Org == "" {
		v.fail("org", "account.invite_org_missing")
	}
	if !slices.Contains(auth.MailLanguages, f.Lang) {
		v.fail("lang", "account.invite_lang_missing")
	}
	if len(v.Errors) > 0 {
		s.accountRenderUsers(w, r, http.StatusBadRequest, v)
		return
	}
	link, err := s.accountLinker(r)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	req := auth.InviteRequest{Email: f.Email, Name: f.Name, OrgID: f.Org, Role: role, Admin: admin, Lang: f.Lang}
	_, err = s.auth.Invite(r.Context(), me, req, link)
	switch {
	case errors.Is(err, auth.ErrNotAllowed):
		// A role above the inviter's own, or an organisation outside
		// their part of the tree: nothing is written.
		v.fail("role", "account.invite_not_allowed")
		s.accountRenderUsers(w, r, http.StatusForbidden, v)
		return
	case errors.Is(err, auth.ErrBadInvite):
		v.fail("email", "account.invite_email_invalid")
		s.accountRenderUsers(w, r, http.StatusBadRequest, v)
		return
	case err != nil:
		s.serverError(w, r, lang, err)
		return
	}
	s.seeOther(w, r, prefix(lang)+"/kontor/brukere?melding=invitert")
}

// accountInvitesPost is POST /kontor/brukere/invitasjoner: revoke (action=revoke)
// or resend (action=resend) the invitation id.
func (s *site) accountInvitesPost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	if err := r.ParseForm(); err != nil {
		s.badAddress(w, r, lang)
		return
	}
	t, _, err := s.accountScope(r)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	if !auth.ManagesStaff(me.Principal(), t) {
		s.notFound(w, r, lang)
		return
	}
	id, action := r.PostForm.Get("id"), r.PostForm.Get("action")
	if !store.ValidID(id) || action != "revoke" && action != "resend" {
		s.badAddress(w, r, lang)
		return
	}
	back := prefix(lang) + "/kontor/brukere?melding="
	if action == "revoke" {
		err = s.auth.RevokeInvite(r.Context(), me, id)
	} else {
		var link auth.LinkFunc
		if link, err = s.accountLinker(r); err == nil {
			err = s.auth.ResendInvite(r.Context(), me, id, link)
		}
	}
	switch {
	case errors.Is(err, auth.ErrNotAllowed):
		// Revoked or accepted meanwhile, or never theirs to see.
		s.seeOther(w, r, back+"finnes-ikke")
	case err != nil:
		s.serverError(w, r, lang, err)
	case action == "revoke":
		s.seeOther(w, r, back+"trukket")
	default:
		s.seeOther(w, r, back+"sendt-igjen")
	}
}

// accountIdentity is an account at a provider linked to the user.
type accountIdentity struct {
	ProviderID, Provider, OrgName, Subject string
	Enabled                                bool
	Linked                                 Phrase
}

// accountIdentityForm is the form that links an identity, as typed.
type accountIdentityForm struct {
	Provider, Subject string
}

type accountUserView struct {
	staffView
	ID         string
	User       accountUser
	Identities []accountIdentity
	Providers  []accountOption
	Form       accountIdentityForm
	Action     string // where the forms of the page go
}

var accountUserNotices = map[string]string{
	"koblet":      "account.notice_linked",
	"koblet-fra":  "account.notice_unlinked",
	"finnes-ikke": "account.notice_identity_gone",
}

// accountUserAdmin loads the user of the path for an administrator. Anyone
// else, and an unknown user, gets 404.
func (s *site) accountUserAdmin(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) (store.User, bool) {
	if !auth.Allowed(me.Principal(), auth.ManageUsers, "", nil) {
		s.notFound(w, r, lang)
		return store.User{}, false
	}
	id := r.PathValue("id")
	if !store.ValidID(id) {
		s.notFound(w, r, lang)
		return store.User{}, false
	}
	u, err := s.store.User(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r, lang)
		return u, false
	}
	if err != nil {
		s.serverError(w, r, lang, err)
		return u, false
	}
	return u, true
}

// accountUserView builds a user's page with the form as typed; it also
// returns the providers and the tree, for the checks of a link.
func (s *site) accountUserView(r *http.Request, lang string, me *auth.Current, u store.User, form accountIdentityForm) (*accountUserView, []store.OIDCProvider, auth.Tree, error) {
	path := "/kontor/brukere/" + u.ID
	v := &accountUserView{staffView: s.newStaffView(lang, path, me), ID: u.ID, Form: form}
	v.Title = v.S("account.user_title")
	v.Section = "users"
	v.Action = v.Href(path + "/identiteter")
	t, orgs, err := s.accountScope(r)
	if err != nil {
		return nil, nil, nil, err
	}
	names := map[string]string{}
	for _, o := range orgs {
		names[o.ID] = o.Name
	}
	v.User = accountUser{Name: u.Name, Email: u.Email, Admin: u.Admin, Disabled: u.Disabled, TOTP: u.TOTPEnabled,
		LastSignin: v.When(u.LastSigninAt)}
	for _, m := range u.Memberships {
		v.User.Roles = append(v.User.Roles, accountRole{Role: "staff.role_" + string(m.Role), OrgName: names[m.OrgID]})
	}
	providers, err := s.store.OIDCProviders(r.Context())
	if err != nil {
		return nil, nil, nil, err
	}
	byID := map[string]store.OIDCProvider{}
	for _, p := range providers {
		byID[p.ID] = p
		v.Providers = append(v.Providers, accountOption{Value: p.ID, Label: p.Name + " (" + names[p.OrgID] + ")",
			Selected: p.ID == form.Provider})
	}
	ids, err := s.store.UserIdentities(r.Context(), u.ID)
	if err != nil {
		return nil, nil, nil, err
	}
	for _, x := range ids {
		p := byID[x.ProviderID]
		v.Identities = append(v.Identities, accountIdentity{ProviderID: x.ProviderID, Provider: p.Name, OrgName: names[p.OrgID],
			Subject: x.Subject, Enabled: p.Enabled, Linked: v.When(x.CreatedAt)})
	}
	return v, providers, t, nil
}

// accountRenderUser shows a user's page. It shows their name, address and
// linked accounts: the read is in the audit log (user.read).
func (s *site) accountRenderUser(w http.ResponseWriter, r *http.Request, status int, v *accountUserView) {
	me := v.Me
	actx := store.WithActor(r.Context(), store.Actor{ID: me.User.ID, Source: me.Meta.Source})
	if err := s.store.Audit(actx, store.AuditEntry{Action: "user.read", ObjectType: "user", ObjectID: v.ID,
		Detail: map[string]any{"identities": len(v.Identities)}}); err != nil {
		s.serverError(w, r, v.Lang, err)
		return
	}
	s.render(w, r, status, "account_identities", v)
}

// accountUserPage is GET /kontor/brukere/{id}.
func (s *site) accountUserPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	u, ok := s.accountUserAdmin(w, r, lang, me)
	if !ok {
		return
	}
	v, _, _, err := s.accountUserView(r, lang, me, u, accountIdentityForm{})
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	v.Notice = accountUserNotices[r.URL.Query().Get("melding")]
	s.accountRenderUser(w, r, http.StatusOK, v)
}

// validSubject reports whether s can be a provider's subject: 1–255
// visible ASCII characters (OpenID Connect Core 1.0, 2: the sub claim).
func validSubject(s string) bool {
	if s == "" || len(s) > store.MaxSubject {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// accountIdentitiesPost is POST /kontor/brukere/{id}/identiteter: link a
// subject (action=link, provider, subject) or unlink (action=unlink,
// provider).
func (s *site) accountIdentitiesPost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	if err := r.ParseForm(); err != nil {
		s.badAddress(w, r, lang)
		return
	}
	u, ok := s.accountUserAdmin(w, r, lang, me)
	if !ok {
		return
	}
	back := prefix(lang) + "/kontor/brukere/" + u.ID + "?melding="
	actx := store.WithActor(r.Context(), store.Actor{ID: me.User.ID, Source: me.Meta.Source})
	switch r.PostForm.Get("action") {
	case "unlink":
		provider := r.PostForm.Get("provider")
		if !store.ValidID(provider) {
			s.badAddress(w, r, lang)
			return
		}
		err := s.store.UnlinkIdentity(actx, provider, u.ID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			s.seeOther(w, r, back+"finnes-ikke")
		case err != nil:
			s.serverError(w, r, lang, err)
		default:
			s.seeOther(w, r, back+"koblet-fra")
		}
		return
	case "link":
	default:
		s.badAddress(w, r, lang)
		return
	}

	f := accountIdentityForm{Provider: r.PostForm.Get("provider"), Subject: strings.TrimSpace(r.PostForm.Get("subject"))}
	if len(f.Subject) > 4*store.MaxSubject {
		f.Subject = strings.ToValidUTF8(f.Subject[:4*store.MaxSubject], "")
	}
	v, providers, t, err := s.accountUserView(r, lang, me, u, f)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	i := slices.IndexFunc(providers, func(p store.OIDCProvider) bool { return p.ID == f.Provider })
	switch {
	case i < 0:
		v.fail("provider", "account.link_provider_missing")
	case !slices.ContainsFunc(u.Memberships, func(m store.Membership) bool { return t.Within(m.OrgID, providers[i].OrgID) }):
		v.fail("provider", "account.link_other_org")
	}
	switch {
	case f.Subject == "":
		v.fail("subject", "account.link_subject_missing")
	case !validSubject(f.Subject):
		v.fail("subject", "account.link_subject_invalid")
	}
	if len(v.Errors) > 0 {
		s.accountRenderUser(w, r, http.StatusBadRequest, v)
		return
	}
	err = s.store.LinkIdentityByHand(actx, f.Provider, f.Subject, u.ID)
	switch {
	case errors.Is(err, store.ErrSubjectTaken):
		v.fail("subject", "account.link_subject_taken")
		s.accountRenderUser(w, r, http.StatusConflict, v)
	case errors.Is(err, store.ErrUserLinked):
		v.fail("provider", "account.link_user_linked")
		s.accountRenderUser(w, r, http.StatusConflict, v)
	case errors.Is(err, store.ErrNotFound):
		// The provider or the user went meanwhile.
		s.notFound(w, r, lang)
	case err != nil:
		s.serverError(w, r, lang, err)
	default:
		s.seeOther(w, r, back+"koblet")
	}
}
