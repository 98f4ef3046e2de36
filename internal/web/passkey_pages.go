package web

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"regexp"

	"github.com/fellesrom/fellesrom/internal/auth"
)

// Passkeys (WebAuthn): the page /kontor/passkey lists the user's passkeys,
// removes one (a plain form) and registers a new one (static/passkey.js);
// the code step of the sign-in offers a passkey beside the TOTP code.
//
// The ceremonies are JSON endpoints, POST only, from the page's own script
// (app's http.CrossOriginProtection refuses cross-site POSTs):
//
//	POST /kontor/passkey/start      options for navigator.credentials.create
//	POST /kontor/passkey/finish     {"name": …, "credential": …}
//	POST /logg-inn/passkey/start    options for navigator.credentials.get
//	POST /logg-inn/passkey/finish   {"credential": …, "next": …}
//
// Each answers {"error": "…"} with a 4xx status on failure, and the
// finishing ones {"next": "/…"}, where the script goes.

func init() {
	staffAreas = append(staffAreas, func(s *site, mux *http.ServeMux, lang, p string) {
		mux.Handle(p+"/kontor/passkey", s.methods(lang, s.staff(s.passkeyPage, true), s.staff(s.passkeyPost, true)))
		mux.Handle(p+"/kontor/passkey/start", s.methods(lang, nil, s.passkeyJSON(s.passkeyRegisterStart)))
		mux.Handle(p+"/kontor/passkey/finish", s.methods(lang, nil, s.passkeyJSON(s.passkeyRegisterFinish)))
		mux.Handle(p+"/logg-inn/passkey/start", s.methods(lang, nil, s.passkeyJSON(s.passkeySigninStart)))
		mux.Handle(p+"/logg-inn/passkey/finish", s.methods(lang, nil, s.passkeyJSON(s.passkeySigninFinish)))
	})
}

// maxPasskeyBody is the largest JSON a ceremony's answer may be.
const maxPasskeyBody = 64 << 10

// passkeyItem is one passkey in the list.
type passkeyItem struct {
	ID       string
	Name     string
	Created  Phrase
	LastUsed Phrase // empty: never used
}

type passkeyView struct {
	staffView
	Required bool // the user must enrol a second factor before anything else
	Passkeys []passkeyItem
}

var passkeyNotices = map[string]string{
	"lagt-til": "passkey.notice_added",
	"fjernet":  "passkey.notice_removed",
	"siste":    "passkey.notice_last",
	"ukjent":   "passkey.notice_unknown",
}

// PasskeyOffer reports whether a page is the TOTP enrolment a user must
// do, where a passkey is offered instead (staff_parts.html).
func (v staffView) PasskeyOffer() bool {
	return v.Section == "totp" && v.Me != nil && v.Me.Stage() == auth.StageEnrol
}

// passkeyPage is GET /kontor/passkey.
func (s *site) passkeyPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	list, err := s.auth.Passkeys(r.Context(), me)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	v := &passkeyView{staffView: s.newStaffView(lang, "/kontor/passkey", me)}
	v.Title = v.S("passkey.title")
	v.Section = "passkey"
	v.Required = me.Stage() == auth.StageEnrol
	v.Notice = passkeyNotices[r.URL.Query().Get("melding")]
	for _, x := range list {
		it := passkeyItem{ID: x.ID, Name: x.Name, Created: v.When(x.CreatedAt)}
		if !x.LastUsedAt.IsZero() {
			it.LastUsed = v.When(x.LastUsedAt)
		}
		v.Passkeys = append(v.Passkeys, it)
	}
	s.render(w, r, http.StatusOK, "passkey_list", v)
}

var rePasskeyID = regexp.MustCompile(`^[0-9a-f-]{36}$`)

// passkeyPost is POST /kontor/passkey: remove one passkey (id).
func (s *site) passkeyPost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	if err := r.ParseForm(); err != nil {
		s.badAddress(w, r, lang)
		return
	}
	back := prefix(lang) + "/kontor/passkey?melding="
	id := r.PostForm.Get("id")
	if !rePasskeyID.MatchString(id) {
		s.seeOther(w, r, back+"ukjent")
		return
	}
	ok, err := s.auth.RemovePasskey(r.Context(), me, id)
	switch {
	case errors.Is(err, auth.ErrLastFactor):
		s.seeOther(w, r, back+"siste")
	case err != nil:
		s.serverError(w, r, lang, err)
	case !ok:
		s.seeOther(w, r, back+"ukjent")
	default:
		s.seeOther(w, r, back+"fjernet")
	}
}

// passkeyHandler is a JSON endpoint; it returns the status and the value
// to send.
type passkeyHandler func(w http.ResponseWriter, r *http.Request, lang string, body []byte) (int, any)

type passkeyError struct {
	Error string `json:"error"`
}

type passkeyNext struct {
	Next string `json:"next"`
}

// passkeyJSON reads the request body (at most maxPasskeyBody), runs h and
// writes its answer as JSON.
func (s *site) passkeyJSON(h passkeyHandler) pageHandler {
	return func(w http.ResponseWriter, r *http.Request, lang string) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxPasskeyBody))
		var status int
		var out any
		if err != nil {
			status, out = http.StatusRequestEntityTooLarge, passkeyError{s.newPage(lang, "").S("passkey.failed")}
		} else {
			status, out = h(w, r, lang, body)
		}
		if status >= 500 {
			s.log.Error("web: passkey", "path", r.URL.Path, "err", out)
			out = passkeyError{s.newPage(lang, "").S("error.server_title")}
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.WriteHeader(status)
		if raw, ok := out.([]byte); ok {
			w.Write(raw)
			return
		}
		json.NewEncoder(w).Encode(out)
	}
}

// passkeyFailure is the JSON answer to an error of the auth service.
func (s *site) passkeyFailure(lang string, err error) (int, any) {
	msg := func(id string) passkeyError { return passkeyError{s.newPage(lang, "").S(id)} }
	var rl *auth.RateLimitedError
	switch {
	case errors.As(err, &rl):
		return http.StatusTooManyRequests, passkeyError{s.newPage(lang, "").S("auth.rate_limited", "Minutes", int(rl.RetryAfter.Minutes())+1)}
	case errors.Is(err, auth.ErrPasskey):
		return http.StatusBadRequest, msg("passkey.failed")
	case errors.Is(err, auth.ErrNoSession), errors.Is(err, auth.ErrLocked):
		return http.StatusUnauthorized, passkeyNext{prefix(lang) + "/logg-inn?melding=sperret"}
	}
	return http.StatusInternalServerError, err
}

// passkeyOrigin is the site's origin for WebAuthn: FELLESROM_PUBLIC_URL if
// it is set, else the request's host (as links in mails are made).
func (s *site) passkeyOrigin(r *http.Request) (string, error) {
	return s.accountLinkBase(r)
}

// passkeyStaff is the session of a registration: signed in, or owing the
// enrolment of a second factor.
func (s *site) passkeyStaff(r *http.Request, lang string) (*auth.Current, int, any) {
	me, err := s.current(r)
	if err != nil {
		return nil, http.StatusInternalServerError, err
	}
	if me == nil || me.Stage() == auth.StageCode {
		return nil, http.StatusUnauthorized, passkeyNext{prefix(lang) + "/logg-inn"}
	}
	return me, 0, nil
}

// passkeyRegisterStart is POST /kontor/passkey/start.
func (s *site) passkeyRegisterStart(_ http.ResponseWriter, r *http.Request, lang string, _ []byte) (int, any) {
	me, status, out := s.passkeyStaff(r, lang)
	if me == nil {
		return status, out
	}
	origin, err := s.passkeyOrigin(r)
	if err != nil {
		return http.StatusInternalServerError, err
	}
	opts, err := s.auth.BeginPasskeyRegistration(r.Context(), me, origin)
	if err != nil {
		return s.passkeyFailure(lang, err)
	}
	return http.StatusOK, opts
}

// passkeyRegisterFinish is POST /kontor/passkey/finish.
func (s *site) passkeyRegisterFinish(w http.ResponseWriter, r *http.Request, lang string, body []byte) (int, any) {
	me, status, out := s.passkeyStaff(r, lang)
	if me == nil {
		return status, out
	}
	var in struct {
		Name       string          `json:"name"`
		Credential json.RawMessage `json:"credential"`
	}
	if err := json.Unmarshal(body, &in); err != nil || !auth.IsPasskeyJSON(in.Credential) {
		return s.passkeyFailure(lang, auth.ErrPasskey)
	}
	origin, err := s.passkeyOrigin(r)
	if err != nil {
		return http.StatusInternalServerError, err
	}
	token, err := s.auth.FinishPasskeyRegistration(r.Context(), me, origin, in.Name, in.Credential)
	if err != nil {
		return s.passkeyFailure(lang, err)
	}
	return http.StatusOK, s.passkeyDone(w, r, token, prefix(lang)+"/kontor/passkey?melding=lagt-til")
}

// passkeyDone sets the new session cookie, if there is one, and answers
// where to go.
func (s *site) passkeyDone(w http.ResponseWriter, r *http.Request, token, next string) passkeyNext {
	if token != "" {
		s.auth.SetCookie(w, r, token)
	}
	return passkeyNext{next}
}

// passkeySigninStart is POST /logg-inn/passkey/start.
func (s *site) passkeySigninStart(_ http.ResponseWriter, r *http.Request, lang string, _ []byte) (int, any) {
	me, status, out := s.passkeyCodeSession(r, lang)
	if me == nil {
		return status, out
	}
	origin, err := s.passkeyOrigin(r)
	if err != nil {
		return http.StatusInternalServerError, err
	}
	opts, err := s.auth.BeginPasskeyLogin(r.Context(), me, origin)
	if err != nil {
		return s.passkeyFailure(lang, err)
	}
	return http.StatusOK, opts
}

// passkeyCodeSession is the session of the code step, or an answer.
func (s *site) passkeyCodeSession(r *http.Request, lang string) (*auth.Current, int, any) {
	me, err := s.current(r)
	if err != nil {
		return nil, http.StatusInternalServerError, err
	}
	switch {
	case me == nil:
		return nil, http.StatusUnauthorized, passkeyNext{prefix(lang) + "/logg-inn"}
	case me.Stage() != auth.StageCode:
		return nil, http.StatusConflict, passkeyNext{prefix(lang) + "/kontor"}
	}
	return me, 0, nil
}

// passkeySigninFinish is POST /logg-inn/passkey/finish.
func (s *site) passkeySigninFinish(w http.ResponseWriter, r *http.Request, lang string, body []byte) (int, any) {
	me, status, out := s.passkeyCodeSession(r, lang)
	if me == nil {
		return status, out
	}
	var in struct {
		Credential json.RawMessage `json:"credential"`
		Next       string          `json:"next"`
	}
	if err := json.Unmarshal(body, &in); err != nil || !auth.IsPasskeyJSON(in.Credential) {
		return s.passkeyFailure(lang, auth.ErrPasskey)
	}
	origin, err := s.passkeyOrigin(r)
	if err != nil {
		return http.StatusInternalServerError, err
	}
	token, err := s.auth.FinishPasskeyLogin(r.Context(), me, origin, in.Credential)
	if err != nil {
		return s.passkeyFailure(lang, err)
	}
	return http.StatusOK, s.passkeyDone(w, r, token, s.after(lang, safeNext(in.Next)))
}
