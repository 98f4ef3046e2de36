package web

// A group's lifecycle status, changed with a reason, and its verification
// ("still correct"), from the group's page.

import (
	"net/http"
	"time"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/domain"
)

// officeGroupStatusPost is POST /kontor/grupper/{id}/status: a new status,
// with the reason, which the history keeps.
func (s *site) officeGroupStatusPost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	sc, g, ok := s.officeGroupLoad(w, r, lang, me)
	if !ok {
		return
	}
	if !s.officeParse(w, r, lang) {
		return
	}
	v := s.newOfficeGroupView(r, lang, me, g)
	v.keep(r.PostForm, "status", "reason")
	status := officeChoice(v.officeView, "status", domain.Statuses, "office.err_choose")
	if status == g.Status {
		v.fail("status", "office.err_status_same")
	}
	reason := v.text("reason", 1000)
	if reason == "" {
		v.fail("reason", "office.err_reason")
	}
	if len(v.Errors) > 0 {
		s.officeGroupRender(w, r, lang, http.StatusBadRequest, v, sc)
		return
	}
	g.Status = status
	if err := s.store.SaveGroup(officeCtx(r, me), &g, me.User.ID, reason); err != nil {
		s.officeErr(w, r, lang, err)
		return
	}
	s.officeDone(w, r, lang, "/kontor/grupper/"+g.ID, "status")
}

// officeGroupVerifyPost is POST /kontor/grupper/{id}/bekreft: the group's
// listing is still correct, as of now.
func (s *site) officeGroupVerifyPost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	_, g, ok := s.officeGroupLoad(w, r, lang, me)
	if !ok {
		return
	}
	g.VerifiedAt = s.now().UTC().Truncate(time.Microsecond)
	if err := s.store.SaveGroup(officeCtx(r, me), &g, me.User.ID, ""); err != nil {
		s.officeErr(w, r, lang, err)
		return
	}
	s.officeDone(w, r, lang, "/kontor/grupper/"+g.ID, "bekreftet")
}
