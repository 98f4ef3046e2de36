package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/fellesrom/fellesrom/internal/auth"
)

// Password reset: /glemt-passord asks for a link by e-mail, and always
// answers the same, whether the address has an account or not;
// /nytt-passord/{token} is the link's page, where the new password is set.

// accountForgotView is the form that asks for a reset link.
type accountForgotView struct {
	staffView
	Email string
	Sent  bool
}

func (s *site) accountForgotView(lang string) *accountForgotView {
	v := &accountForgotView{staffView: s.newStaffView(lang, "/glemt-passord", nil)}
	v.Title = v.S("account.forgot_title")
	return v
}

// accountForgotPage is GET /glemt-passord.
func (s *site) accountForgotPage(w http.ResponseWriter, r *http.Request, lang string) {
	v := s.accountForgotView(lang)
	if r.URL.Query().Get("melding") == "sendt" {
		v.Sent = true
		v.Notice = "account.forgot_sent"
	}
	s.render(w, r, http.StatusOK, "account_forgot", v)
}

// accountForgotPost is POST /glemt-passord. For any well-formed address the
// answer is the same redirect to the same notice; the mail goes out only
// for an account that can use it.
func (s *site) accountForgotPost(w http.ResponseWriter, r *http.Request, lang string) {
	v := s.accountForgotView(lang)
	if err := r.ParseForm(); err != nil {
		v.fail("", "auth.form_broken")
		s.render(w, r, http.StatusBadRequest, "account_forgot", v)
		return
	}
	v.Email = strings.TrimSpace(r.PostForm.Get("email"))
	if len(v.Email) > 254 {
		v.Email = v.Email[:254]
	}
	switch {
	case v.Email == "":
		v.fail("email", "auth.email_missing")
	case !auth.ValidEmail(v.Email):
		v.fail("email", "auth.email_invalid")
	}
	if len(v.Errors) > 0 {
		s.render(w, r, http.StatusBadRequest, "account_forgot", v)
		return
	}
	link, err := s.accountLinker(r)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	err = s.auth.RequestPasswordReset(r.Context(), v.Email, lang, link, auth.MetaOf(r))
	var rl *auth.RateLimitedError
	switch {
	case errors.As(err, &rl):
		s.render(w, r, s.rateLimited(w, &v.staffView, rl, "email"), "account_forgot", v)
		return
	case err != nil:
		s.serverError(w, r, lang, err)
		return
	}
	s.seeOther(w, r, prefix(lang)+"/glemt-passord?melding=sendt")
}

// accountResetView is the page of a reset link: the new password, twice.
func (s *site) accountResetView(lang, token, email string) *accountLinkView {
	v := &accountLinkView{staffView: s.newStaffView(lang, "/nytt-passord/"+token, nil), Email: email}
	v.Title = v.S("account.reset_title")
	return v
}

// accountOpenReset answers for a token that cannot be used, and returns false.
func (s *site) accountOpenReset(w http.ResponseWriter, r *http.Request, lang, token string) (string, bool) {
	path := "/nytt-passord/" + token
	u, err := s.auth.OpenPasswordReset(r.Context(), token, auth.MetaOf(r))
	var rl *auth.RateLimitedError
	switch {
	case errors.As(err, &rl):
		s.accountTooMany(w, r, lang, path, rl)
		return "", false
	case errors.Is(err, auth.ErrLinkInvalid):
		s.accountInvalidLink(w, r, lang, path, "account.invalid_reset")
		return "", false
	case err != nil:
		s.serverError(w, r, lang, err)
		return "", false
	}
	return u.Email, true
}

// accountResetPage is GET /nytt-passord/{token}.
func (s *site) accountResetPage(w http.ResponseWriter, r *http.Request, lang string) {
	token := r.PathValue("token")
	email, ok := s.accountOpenReset(w, r, lang, token)
	if !ok {
		return
	}
	s.render(w, r, http.StatusOK, "account_reset", s.accountResetView(lang, token, email))
}

// accountResetPost is POST /nytt-passord/{token}.
func (s *site) accountResetPost(w http.ResponseWriter, r *http.Request, lang string) {
	token := r.PathValue("token")
	if err := r.ParseForm(); err != nil {
		s.badAddress(w, r, lang)
		return
	}
	email, ok := s.accountOpenReset(w, r, lang, token)
	if !ok {
		return
	}
	v := s.accountResetView(lang, token, email)
	password := accountClipPassword(r.PostForm.Get("password"))
	accountCheckPassword(&v.staffView, "", password, r.PostForm.Get("password2"), false)
	if len(v.Errors) > 0 {
		s.render(w, r, http.StatusBadRequest, "account_reset", v)
		return
	}
	err := s.auth.ResetPassword(r.Context(), token, password, lang, auth.MetaOf(r))
	var rl *auth.RateLimitedError
	switch {
	case errors.As(err, &rl):
		s.accountTooMany(w, r, lang, "/nytt-passord/"+token, rl)
		return
	case errors.Is(err, auth.ErrLinkInvalid):
		s.accountInvalidLink(w, r, lang, "/nytt-passord/"+token, "account.invalid_reset")
		return
	case accountPasswordError(&v.staffView, "password", err):
		s.render(w, r, http.StatusBadRequest, "account_reset", v)
		return
	case err != nil:
		s.serverError(w, r, lang, err)
		return
	}
	// Every session of the account has ended, this browser's too.
	s.auth.ClearCookie(w, r)
	s.seeOther(w, r, prefix(lang)+"/logg-inn?melding=nytt-passord")
}
