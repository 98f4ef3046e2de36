package web

import (
	"errors"
	"net/http"
	"slices"

	"golang.org/x/text/unicode/norm"

	"github.com/fellesrom/fellesrom/internal/auth"
)

// The password change: /kontor/passord, for every signed-in user (after
// the second factor where the role needs one). ASVS 5.0 6.2.2 and 6.2.3:
// the current password and the new one twice; auth.Service.ChangePassword
// does the rest (lockout, rate limit, other sessions ended, new token).

func init() {
	staffAreas = append(staffAreas, func(s *site, mux *http.ServeMux, lang, p string) {
		mux.Handle(p+"/kontor/passord", s.methods(lang, s.staff(s.changePwPage, false), s.staff(s.changePwPost, false)))
	})
}

// Fields of the form; the ids of the inputs too.
const (
	changePwCurrent = "current-password"
	changePwNew     = "new-password"
	changePwAgain   = "new-password-again"
)

// changePwView is the form. It never holds a password: after an error
// every password field is empty again.
type changePwView struct {
	staffView
	NoPassword bool // the account has no password to change
	MinLen     int
}

func (s *site) newChangePwView(lang string, me *auth.Current) *changePwView {
	v := &changePwView{staffView: s.newStaffView(lang, "/kontor/passord", me), MinLen: auth.MinPasswordLen}
	v.Title = v.S("password.title")
	v.Section = "password"
	v.NoPassword = me.User.PasswordHash == ""
	return v
}

// changePwPage is GET /kontor/passord.
func (s *site) changePwPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	v := s.newChangePwView(lang, me)
	if r.URL.Query().Get("endret") == "1" {
		v.Notice = "password.notice_changed"
	}
	s.render(w, r, http.StatusOK, "staff_password", v)
}

// changePwDone is where a changed password leads: the back office's start
// page with a notice once staffNotices knows "passord", this page until then.
func changePwDone(lang string) string {
	if _, ok := staffNotices["passord"]; ok {
		return prefix(lang) + "/kontor?melding=passord"
	}
	return prefix(lang) + "/kontor/passord?endret=1"
}

// changePwPost is POST /kontor/passord.
func (s *site) changePwPost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	v := s.newChangePwView(lang, me)
	if v.NoPassword {
		s.seeOther(w, r, prefix(lang)+"/kontor/passord")
		return
	}
	if err := r.ParseForm(); err != nil {
		v.fail("", "auth.form_broken")
		s.render(w, r, http.StatusBadRequest, "staff_password", v)
		return
	}
	current := r.PostForm.Get(changePwCurrent)
	next := r.PostForm.Get(changePwNew)
	again := r.PostForm.Get(changePwAgain)

	// Every mistake of the form at once; the service checks again.
	if current == "" {
		v.fail(changePwCurrent, "password.current_missing")
	}
	switch {
	case next == "":
		v.fail(changePwNew, "password.new_missing")
	case current != "" && norm.NFC.String(current) == norm.NFC.String(next):
		v.fail(changePwNew, "password.same")
	default:
		if err := auth.CheckPassword(next, me.User.Email, me.User.Name); err != nil {
			v.policy(err)
		}
	}
	switch {
	case again == "" && next != "":
		v.fail(changePwAgain, "password.again_missing")
	case again != "" && norm.NFC.String(again) != norm.NFC.String(next):
		v.fail(changePwAgain, "password.mismatch")
	}
	if len(v.Errors) > 0 {
		s.render(w, r, http.StatusBadRequest, "staff_password", v)
		return
	}

	token, err := s.auth.ChangePassword(r.Context(), me, current, next, auth.MetaOf(r))
	var rl *auth.RateLimitedError
	var pe *auth.PolicyError
	switch {
	case err == nil:
		s.auth.SetCookie(w, r, token)
		s.seeOther(w, r, changePwDone(lang))
	case errors.As(err, &rl):
		s.render(w, r, s.rateLimited(w, &v.staffView, rl, changePwCurrent), "staff_password", v)
	case errors.Is(err, auth.ErrNoSession):
		// The wrong password that locked the account ended the session (or
		// it ended meanwhile).
		s.auth.ClearCookie(w, r)
		melding := "utlopt"
		if errors.Is(err, auth.ErrLocked) {
			melding = "sperret"
		}
		s.seeOther(w, r, prefix(lang)+"/logg-inn?melding="+melding)
	case errors.Is(err, auth.ErrLocked):
		v.fail(changePwCurrent, "auth.notice_locked")
		s.render(w, r, http.StatusBadRequest, "staff_password", v)
	case errors.Is(err, auth.ErrWrongPassword):
		v.fail(changePwCurrent, "password.current_wrong")
		s.render(w, r, http.StatusBadRequest, "staff_password", v)
	case errors.Is(err, auth.ErrSamePassword):
		v.fail(changePwNew, "password.same")
		s.render(w, r, http.StatusBadRequest, "staff_password", v)
	case errors.As(err, &pe):
		v.policy(err)
		s.render(w, r, http.StatusBadRequest, "staff_password", v)
	case errors.Is(err, auth.ErrNoPassword):
		s.seeOther(w, r, prefix(lang)+"/kontor/passord")
	default:
		s.serverError(w, r, lang, err)
	}
}

// policy adds the message of a new password the policy refuses.
func (v *changePwView) policy(err error) {
	var pe *auth.PolicyError
	if !errors.As(err, &pe) {
		v.fail(changePwNew, "auth.password_invalid")
		return
	}
	keys := make([]string, 0, len(pe.Data))
	for k := range pe.Data {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	kv := make([]any, 0, 2*len(keys))
	for _, k := range keys {
		kv = append(kv, k, pe.Data[k])
	}
	v.fail(changePwNew, pe.ID, kv...)
}
