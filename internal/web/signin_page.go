package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/fellesrom/fellesrom/internal/auth"
)

// signinView is the sign-in form: e-mail address and password.
type signinView struct {
	staffView
	Email string // as typed; the password is never sent back
	Next  string
}

// notices of the sign-in page, by the value of ?melding=.
var signinNotices = map[string]string{
	"utlogget": "auth.notice_signed_out",
	"utlopt":   "auth.notice_expired",
	"sperret":  "auth.notice_locked",
}

func (s *site) signinView(lang string, r *http.Request) *signinView {
	v := &signinView{staffView: s.newStaffView(lang, "/logg-inn", nil)}
	v.Title = v.S("auth.signin_title")
	return v
}

// signinPage is GET /logg-inn.
func (s *site) signinPage(w http.ResponseWriter, r *http.Request, lang string) {
	v := s.signinView(lang, r)
	q := r.URL.Query()
	v.Next = safeNext(q.Get("neste"))
	if v.Next != "" {
		v.query = url.Values{"neste": {v.Next}}
	}
	v.Notice = signinNotices[q.Get("melding")]
	me, err := s.current(r)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	if me != nil && me.Stage() == auth.StageDone {
		s.seeOther(w, r, s.after(lang, v.Next))
		return
	}
	s.render(w, r, http.StatusOK, "signin", v)
}

// after is where a signed-in user goes: back, or to the back office.
func (s *site) after(lang, next string) string {
	if next != "" {
		return next
	}
	return prefix(lang) + "/kontor"
}

// signinPost is POST /logg-inn.
func (s *site) signinPost(w http.ResponseWriter, r *http.Request, lang string) {
	v := s.signinView(lang, r)
	if err := r.ParseForm(); err != nil {
		v.fail("", "auth.form_broken")
		s.render(w, r, http.StatusBadRequest, "signin", v)
		return
	}
	v.Email = strings.TrimSpace(r.PostForm.Get("email"))
	password := r.PostForm.Get("password")
	v.Next = safeNext(r.PostForm.Get("neste"))
	if len(v.Email) > 254 {
		v.Email = v.Email[:254]
	}
	switch {
	case v.Email == "":
		v.fail("email", "auth.email_missing")
	case !strings.Contains(v.Email, "@"):
		v.fail("email", "auth.email_invalid")
	}
	if password == "" {
		v.fail("password", "auth.password_missing")
	}
	if len(v.Errors) > 0 {
		s.render(w, r, http.StatusBadRequest, "signin", v)
		return
	}
	if len(password) > 4*auth.MaxPasswordLen {
		password = password[:4*auth.MaxPasswordLen] // no password is longer; do not hash megabytes
	}
	res, err := s.auth.SignIn(r.Context(), v.Email, password, auth.MetaOf(r), s.auth.TokenOf(r))
	var rl *auth.RateLimitedError
	switch {
	case errors.As(err, &rl):
		s.render(w, r, s.rateLimited(w, &v.staffView, rl, "email"), "signin", v)
		return
	case errors.Is(err, auth.ErrInvalid):
		v.fail("email", "auth.signin_failed")
		s.render(w, r, http.StatusBadRequest, "signin", v)
		return
	case err != nil:
		s.serverError(w, r, lang, err)
		return
	}
	s.auth.SetCookie(w, r, res.Token)
	switch res.Stage {
	case auth.StageCode:
		q := url.Values{}
		if v.Next != "" {
			q.Set("neste", v.Next)
		}
		s.seeOther(w, r, withQuery(prefix(lang)+"/logg-inn/kode", q))
	case auth.StageEnrol:
		s.seeOther(w, r, prefix(lang)+"/kontor/totp")
	default:
		s.seeOther(w, r, s.after(lang, v.Next))
	}
}

// codeView is the second step: the code from the authenticator app.
type codeView struct {
	staffView
	Next string
}

func (s *site) codeView(lang string, me *auth.Current) *codeView {
	v := &codeView{staffView: s.newStaffView(lang, "/logg-inn/kode", me)}
	v.Title = v.S("auth.code_title")
	return v
}

// codeSession is the session of the code step, or a redirect elsewhere.
func (s *site) codeSession(w http.ResponseWriter, r *http.Request, lang, next string) *auth.Current {
	me, err := s.current(r)
	if err != nil {
		s.serverError(w, r, lang, err)
		return nil
	}
	switch {
	case me == nil:
		s.seeOther(w, r, prefix(lang)+"/logg-inn")
		return nil
	case me.Stage() == auth.StageDone:
		s.seeOther(w, r, s.after(lang, next))
		return nil
	case me.Stage() == auth.StageEnrol:
		s.seeOther(w, r, prefix(lang)+"/kontor/totp")
		return nil
	}
	return me
}

// codePage is GET /logg-inn/kode.
func (s *site) codePage(w http.ResponseWriter, r *http.Request, lang string) {
	next := safeNext(r.URL.Query().Get("neste"))
	me := s.codeSession(w, r, lang, next)
	if me == nil {
		return
	}
	v := s.codeView(lang, me)
	v.Next = next
	s.render(w, r, http.StatusOK, "signin_code", v)
}

// codePost is POST /logg-inn/kode.
func (s *site) codePost(w http.ResponseWriter, r *http.Request, lang string) {
	if err := r.ParseForm(); err != nil {
		s.badAddress(w, r, lang)
		return
	}
	next := safeNext(r.PostForm.Get("neste"))
	me := s.codeSession(w, r, lang, next)
	if me == nil {
		return
	}
	v := s.codeView(lang, me)
	v.Next = next
	code, ok := auth.NormalizeCode(r.PostForm.Get("code"))
	if !ok {
		v.fail("code", "auth.code_format")
		s.render(w, r, http.StatusBadRequest, "signin_code", v)
		return
	}
	token, err := s.auth.VerifyCode(r.Context(), me, code)
	var rl *auth.RateLimitedError
	switch {
	case errors.As(err, &rl):
		s.render(w, r, s.rateLimited(w, &v.staffView, rl, "code"), "signin_code", v)
		return
	case errors.Is(err, auth.ErrInvalidCode):
		v.fail("code", "auth.code_wrong")
		s.render(w, r, http.StatusBadRequest, "signin_code", v)
		return
	case errors.Is(err, auth.ErrLocked), errors.Is(err, auth.ErrNoSession):
		s.auth.ClearCookie(w, r)
		s.seeOther(w, r, prefix(lang)+"/logg-inn?melding=sperret")
		return
	case err != nil:
		s.serverError(w, r, lang, err)
		return
	}
	s.auth.SetCookie(w, r, token)
	s.seeOther(w, r, s.after(lang, next))
}

// signoutPost is POST /logg-ut: the session ends in the database, the
// cookie is cleared, whatever step the sign-in had come to.
func (s *site) signoutPost(w http.ResponseWriter, r *http.Request, lang string) {
	me, err := s.current(r)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	if me != nil {
		if err := s.auth.SignOut(r.Context(), me); err != nil {
			s.serverError(w, r, lang, err)
			return
		}
	}
	s.auth.ClearCookie(w, r)
	s.seeOther(w, r, prefix(lang)+"/logg-inn?melding=utlogget")
}
