package web

// The answer to an invitation to a group being formed: /svar/{token}
// (public, no account). The page shows the group's theme, where it meets
// (a municipality, or by phone or video) and when, and never anyone else
// invited; the answer is a POST (mail scanners open links). Declining asks
// no reason. The token is only in the path, which the access log hides
// (package logpath); the page is no-store, sends no Referer and is not
// indexed (enquiryTokenPage).

import (
	"errors"
	"net/http"

	"github.com/fellesrom/fellesrom/internal/store"
)

type matchingAnswerView struct {
	matchingView
	Token    string
	State    string // open, accepted, declined, withdrawn, expired, invalid
	Group    string
	Theme    string
	Place    string
	Time     string
	Deadline Phrase
	Prefer   string // "ja" or "nei", from the link followed
}

// Action is where the answer is posted.
func (v *matchingAnswerView) Action() string { return v.Href("/svar/" + v.Token) }

func (s *site) matchingAnswerView(r *http.Request, lang, token string) *matchingAnswerView {
	v := &matchingAnswerView{matchingView: matchingView{&officeView{staffView: s.newStaffView(lang, "/svar/"+token, nil)}},
		Token: token}
	v.Title = v.S("matching.answer_title")
	switch p := r.URL.Query().Get("svar"); p {
	case "ja", "nei":
		v.Prefer = p
	}
	return v
}

// matchingAnswerLoad finds the invitation of the path's token and fills
// the page; an unknown token is 404, with no hint whether it ever existed.
func (s *site) matchingAnswerLoad(w http.ResponseWriter, r *http.Request, lang string) (*matchingAnswerView, store.Invitation, bool) {
	token := r.PathValue("token")
	v := s.matchingAnswerView(r, lang, token)
	iv, err := s.store.InvitationByToken(r.Context(), store.LinkTokenHash(token))
	if errors.Is(err, store.ErrNotFound) {
		v.State = "invalid"
		s.render(w, r, http.StatusNotFound, "matching_answer", v)
		return nil, iv, false
	}
	if err != nil {
		s.serverError(w, r, lang, err)
		return nil, iv, false
	}
	ctx := r.Context()
	g, err := s.store.Group(ctx, iv.GroupID)
	if err != nil {
		s.serverError(w, r, lang, err)
		return nil, iv, false
	}
	f, err := s.store.FormationOf(ctx, iv.GroupID)
	if err != nil {
		s.serverError(w, r, lang, err)
		return nil, iv, false
	}
	ref, err := s.matchingRefData(ctx)
	if err != nil {
		s.serverError(w, r, lang, err)
		return nil, iv, false
	}
	v.Group = g.Name.In(lang)
	v.Theme = v.themeNames(ref, g.ThemeIDs)
	v.Place = v.S("matching.format." + f.Format)
	if f.Municipality != "" {
		v.Place = ref.muni(f.Municipality)
	}
	v.Time = v.S("matching.slot_later")
	if f.Slot != "" {
		v.Time = v.SlotWords(f.Slot)
	}
	v.Deadline = v.staffView.When(iv.Deadline)
	v.State = iv.Status
	if iv.Status == store.InvitationPending {
		v.State = "open"
		if !s.now().Before(iv.Deadline) {
			v.State = store.InvitationExpired
		}
	}
	return v, iv, true
}

func (s *site) matchingAnswerRender(w http.ResponseWriter, r *http.Request, v *matchingAnswerView) {
	status := http.StatusOK
	if v.State == store.InvitationExpired {
		status = http.StatusGone
	}
	s.render(w, r, status, "matching_answer", v)
}

// matchingAnswerPage is GET /svar/{token}.
func (s *site) matchingAnswerPage(w http.ResponseWriter, r *http.Request, lang string) {
	v, _, ok := s.matchingAnswerLoad(w, r, lang)
	if !ok {
		return
	}
	s.matchingAnswerRender(w, r, v)
}

// matchingAnswerPost is POST /svar/{token}: svar=ja accepts, svar=nei
// declines.
func (s *site) matchingAnswerPost(w http.ResponseWriter, r *http.Request, lang string) {
	if err := r.ParseForm(); err != nil {
		s.badAddress(w, r, lang)
		return
	}
	v, _, ok := s.matchingAnswerLoad(w, r, lang)
	if !ok {
		return
	}
	answer := r.PostForm.Get("svar")
	if answer != "ja" && answer != "nei" {
		v.fail("", "matching.err_answer")
		s.render(w, r, http.StatusBadRequest, "matching_answer", v)
		return
	}
	person := enquiryPersonCtx(r)
	_, err := s.store.AnswerInvitation(person, store.LinkTokenHash(v.Token), answer == "ja", s.now(), matchingRetention)
	switch {
	case errors.Is(err, store.ErrInvitationExpired):
		v.State = store.InvitationExpired
		s.matchingAnswerRender(w, r, v)
		return
	case errors.Is(err, store.ErrInvitationAnswered):
	case err != nil:
		s.serverError(w, r, lang, err)
		return
	}
	s.seeOther(w, r, prefix(lang)+"/svar/"+v.Token)
}
