package web

import (
	"errors"
	"net/http"
	"strings"
	"unicode"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/store"
)

// accountInviteView is the page of an invitation's link: what the invitation
// gives, and the form that accepts it.
type accountInviteView struct {
	accountLinkView
	Role     string // message id
	OrgName  string
	Admin    bool
	Existing bool   // the address has an account: sign in, then confirm
	Other    string // the name of another account signed in here, if any
	Name     string // as typed, or as the inviter wrote it
}

func (s *site) accountInviteView(lang, token string, o auth.OpenedInvite, me *auth.Current) *accountInviteView {
	v := &accountInviteView{accountLinkView: accountLinkView{staffView: s.newStaffView(lang, "/invitasjon/"+token, nil)}}
	v.Title = v.S("account.invite_title")
	inv := o.Invite
	v.Email, v.OrgName, v.Admin, v.Name = inv.Email, o.OrgName, inv.Admin, inv.Name
	v.Role = "staff.role_admin"
	if !inv.Admin {
		v.Role = "staff.role_" + string(inv.Role)
	}
	if o.Existing != nil {
		v.Existing = true
		switch {
		case me != nil && me.User.ID == o.Existing.ID && me.Stage() == auth.StageDone:
			v.SignedIn = true
		case me != nil && me.User.ID != o.Existing.ID:
			v.Other = me.User.Name
		}
	}
	return v
}

// accountOpenInvite answers for a token that cannot be used, and returns false.
func (s *site) accountOpenInvite(w http.ResponseWriter, r *http.Request, lang, token string) (auth.OpenedInvite, *auth.Current, bool) {
	path := "/invitasjon/" + token
	o, err := s.auth.OpenInvite(r.Context(), token, auth.MetaOf(r))
	var rl *auth.RateLimitedError
	switch {
	case errors.As(err, &rl):
		s.accountTooMany(w, r, lang, path, rl)
		return o, nil, false
	case errors.Is(err, auth.ErrLinkInvalid):
		s.accountInvalidLink(w, r, lang, path, "account.invalid_invite")
		return o, nil, false
	case err != nil:
		s.serverError(w, r, lang, err)
		return o, nil, false
	}
	me, err := s.current(r)
	if err != nil {
		s.serverError(w, r, lang, err)
		return o, nil, false
	}
	return o, me, true
}

// accountInvitePage is GET /invitasjon/{token}.
func (s *site) accountInvitePage(w http.ResponseWriter, r *http.Request, lang string) {
	token := r.PathValue("token")
	o, me, ok := s.accountOpenInvite(w, r, lang, token)
	if !ok {
		return
	}
	s.render(w, r, http.StatusOK, "account_invite", s.accountInviteView(lang, token, o, me))
}

// accountInvitePost is POST /invitasjon/{token}: a new account's name and
// password, or an existing account's confirmation.
func (s *site) accountInvitePost(w http.ResponseWriter, r *http.Request, lang string) {
	token := r.PathValue("token")
	if err := r.ParseForm(); err != nil {
		s.badAddress(w, r, lang)
		return
	}
	o, me, ok := s.accountOpenInvite(w, r, lang, token)
	if !ok {
		return
	}
	v := s.accountInviteView(lang, token, o, me)
	a := auth.Acceptance{Name: strings.TrimSpace(r.PostForm.Get("name")), Password: accountClipPassword(r.PostForm.Get("password"))}
	if !v.Existing {
		v.Name = a.Name
		if len(v.Name) > 200 {
			v.Name = v.Name[:200]
		}
		accountCheckPassword(&v.staffView, a.Name, a.Password, r.PostForm.Get("password2"), true)
		if len(v.Errors) > 0 {
			s.render(w, r, http.StatusBadRequest, "account_invite", v)
			return
		}
	}
	res, err := s.auth.AcceptInvite(r.Context(), token, a, auth.MetaOf(r), me, s.auth.TokenOf(r))
	var rl *auth.RateLimitedError
	switch {
	case errors.As(err, &rl):
		s.accountTooMany(w, r, lang, "/invitasjon/"+token, rl)
		return
	case errors.Is(err, auth.ErrLinkInvalid):
		s.accountInvalidLink(w, r, lang, "/invitasjon/"+token, "account.invalid_invite")
		return
	case errors.Is(err, auth.ErrSignInFirst):
		v.Existing, v.SignedIn = true, false
		v.fail("", "account.invite_sign_in_first")
		s.render(w, r, http.StatusConflict, "account_invite", v)
		return
	case errors.Is(err, auth.ErrBadInvite):
		v.fail("name", "account.name_invalid")
		s.render(w, r, http.StatusBadRequest, "account_invite", v)
		return
	case accountPasswordError(&v.staffView, "password", err):
		s.render(w, r, http.StatusBadRequest, "account_invite", v)
		return
	case err != nil:
		s.serverError(w, r, lang, err)
		return
	}
	s.auth.SetCookie(w, r, res.Token)
	if res.Stage == auth.StageEnrol {
		s.seeOther(w, r, prefix(lang)+"/kontor/totp")
		return
	}
	s.seeOther(w, r, prefix(lang)+"/kontor")
}

// accountCheckPassword checks the fields of a new password: both typed, the
// same, and (check) a name. The policy itself is auth's.
func accountCheckPassword(v *staffView, name, password, again string, withName bool) {
	if withName {
		switch {
		case name == "":
			v.fail("name", "account.name_missing")
		case len(name) > 200 || strings.ContainsFunc(name, unicode.IsControl):
			v.fail("name", "account.name_invalid")
		}
	}
	switch {
	case password == "":
		v.fail("password", "account.password_missing")
	case again != password:
		v.fail("password2", "account.password_mismatch")
	}
}

// accountRoleOf is the role of a form value, and whether it is the
// administrator.
func accountRoleOf(v string) (store.Role, bool, bool) {
	if v == "admin" {
		return "", true, true
	}
	r := store.Role(v)
	return r, false, r.Valid()
}
