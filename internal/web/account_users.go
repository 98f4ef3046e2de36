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

// accountRole is a role of a listed user, in words.
type accountRole struct {
	Role    string // message id
	OrgName string
}

type accountUser struct {
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
