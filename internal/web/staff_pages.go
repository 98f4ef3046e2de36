package web

import (
	"errors"
	"net/http"
	"regexp"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/domain"
)

// roleView is a role of the signed-in user, in words.
type roleView struct {
	Role    string // message id
	OrgName string
	OrgURL  string
	Under   int // organisations under it
}

type staffHomeView struct {
	staffView
	Roles []roleView
}

var staffNotices = map[string]string{
	"totp":     "staff.notice_totp_on",
	"en":       "staff.notice_session_ended",
	"andre":    "staff.notice_others_ended",
	"ingen":    "staff.notice_no_others",
	"ukjent":   "staff.notice_session_gone",
	"utlogget": "auth.notice_signed_out",
	"passord":  "password.notice_changed",
}

// staffHome is GET /kontor: who you are, your roles, links.
func (s *site) staffHome(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	v := &staffHomeView{staffView: s.newStaffView(lang, "/kontor", me)}
	v.Title = v.S("staff.home_title")
	v.Section = "home"
	v.Notice = staffNotices[r.URL.Query().Get("melding")]
	if len(me.User.Memberships) > 0 {
		orgs, err := s.store.Organisations(r.Context())
		if err != nil {
			s.serverError(w, r, lang, err)
			return
		}
		byID := map[string]domain.Organisation{}
		for _, o := range orgs {
			byID[o.ID] = o
		}
		tree := auth.NewTree(orgs)
		for _, m := range me.User.Memberships {
			o := byID[m.OrgID]
			rv := roleView{Role: "staff.role_" + string(m.Role), OrgName: o.Name, OrgURL: v.Href("/organisasjon/" + o.Slug)}
			for _, other := range orgs {
				if other.ID != o.ID && tree.Within(other.ID, o.ID) {
					rv.Under++
				}
			}
			v.Roles = append(v.Roles, rv)
		}
	}
	s.render(w, r, http.StatusOK, "staff_home", v)
}

// totpView is the enrolment of TOTP, or its state once on.
type totpView struct {
	staffView
	Enabled  bool
	Required bool   // the user must enrol before anything else
	Secret   string // grouped for typing
	URI      string
	QR       auth.QR
	QRPixels int
}

func (s *site) totpView(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) (*totpView, bool) {
	v := &totpView{staffView: s.newStaffView(lang, "/kontor/totp", me)}
	v.Title = v.S("staff.totp_title")
	v.Section = "totp"
	v.Enabled = me.User.TOTPEnabled
	v.Required = me.Stage() == auth.StageEnrol
	if v.Enabled {
		return v, true
	}
	secret, err := s.auth.PendingTOTP(r.Context(), me)
	if err == nil {
		v.Secret = auth.GroupSecret(secret)
		v.URI = auth.TOTPURI(secret, me.User.Email)
		v.QR, err = auth.NewQR(v.URI)
		v.QRPixels = v.QR.Size * 5
	}
	if err != nil {
		s.serverError(w, r, lang, err)
		return nil, false
	}
	return v, true
}

// totpPage is GET /kontor/totp.
func (s *site) totpPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	if v, ok := s.totpView(w, r, lang, me); ok {
		s.render(w, r, http.StatusOK, "staff_totp", v)
	}
}

// totpPost is POST /kontor/totp: the code that confirms the enrolment.
func (s *site) totpPost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	if err := r.ParseForm(); err != nil {
		s.badAddress(w, r, lang)
		return
	}
	if me.User.TOTPEnabled {
		s.seeOther(w, r, prefix(lang)+"/kontor/totp")
		return
	}
	v, ok := s.totpView(w, r, lang, me)
	if !ok {
		return
	}
	code, ok := auth.NormalizeCode(r.PostForm.Get("code"))
	if !ok {
		v.fail("code", "auth.code_format")
		s.render(w, r, http.StatusBadRequest, "staff_totp", v)
		return
	}
	token, err := s.auth.ConfirmTOTP(r.Context(), me, code)
	var rl *auth.RateLimitedError
	switch {
	case errors.As(err, &rl):
		s.render(w, r, s.rateLimited(w, &v.staffView, rl, "code"), "staff_totp", v)
		return
	case errors.Is(err, auth.ErrInvalidCode):
		v.fail("code", "auth.code_wrong")
		s.render(w, r, http.StatusBadRequest, "staff_totp", v)
		return
	case err != nil:
		s.serverError(w, r, lang, err)
		return
	}
	s.auth.SetCookie(w, r, token)
	s.seeOther(w, r, prefix(lang)+"/kontor?melding=totp")
}

// sessionView is one session in the list.
type sessionView struct {
	ID       string // the hash of its token, which identifies it to its owner
	Agent    string
	Source   string
	Created  Phrase
	LastSeen Phrase
	Current  bool
	MFA      bool
}

type sessionsView struct {
	staffView
	Sessions []sessionView
	Others   int
}

// sessionsPage is GET /kontor/okter: the user's own sessions.
func (s *site) sessionsPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	list, err := s.auth.Sessions(r.Context(), me)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	v := &sessionsView{staffView: s.newStaffView(lang, "/kontor/okter", me)}
	v.Title = v.S("staff.sessions_title")
	v.Section = "sessions"
	v.Notice = staffNotices[r.URL.Query().Get("melding")]
	for _, x := range list {
		sv := sessionView{ID: x.IDHash, Agent: x.Agent, Source: x.Source, Created: v.When(x.CreatedAt),
			LastSeen: v.When(x.LastSeenAt), Current: x.IDHash == me.Session.IDHash, MFA: x.MFA}
		if !sv.Current {
			v.Others++
		}
		v.Sessions = append(v.Sessions, sv)
	}
	s.render(w, r, http.StatusOK, "staff_sessions", v)
}

var reSessionID = regexp.MustCompile(`^[0-9a-f]{64}$`)

// sessionsPost is POST /kontor/okter: end one session (id), or all but
// this one (others=1). Ending this one is signing out.
func (s *site) sessionsPost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	if err := r.ParseForm(); err != nil {
		s.badAddress(w, r, lang)
		return
	}
	ctx := r.Context()
	back := prefix(lang) + "/kontor/okter?melding="
	if r.PostForm.Get("others") == "1" {
		n, err := s.auth.EndOtherSessions(ctx, me)
		if err != nil {
			s.serverError(w, r, lang, err)
			return
		}
		if n == 0 {
			s.seeOther(w, r, back+"ingen")
			return
		}
		s.seeOther(w, r, back+"andre")
		return
	}
	id := r.PostForm.Get("id")
	if !reSessionID.MatchString(id) {
		s.badAddress(w, r, lang)
		return
	}
	if id == me.Session.IDHash {
		if err := s.auth.SignOut(ctx, me); err != nil {
			s.serverError(w, r, lang, err)
			return
		}
		s.auth.ClearCookie(w, r)
		s.seeOther(w, r, prefix(lang)+"/logg-inn?melding=utlogget")
		return
	}
	ok, err := s.auth.EndSession(ctx, me, id)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	if !ok {
		s.seeOther(w, r, back+"ukjent")
		return
	}
	s.seeOther(w, r, back+"en")
}
