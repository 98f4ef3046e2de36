package web

// The sign-ups of an event: /kontor/arrangementer/{id}/pameldte, for those
// who may read the personal data of the event's organisation. Every view
// is an audited read (signup.list). Staff may cancel a sign-up on the
// person's behalf (they phoned): the first on the waiting list moves up.

import (
	"errors"
	"net/http"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/store"
)

// eventsSignupRow is one person signed up, as the list shows them.
type eventsSignupRow struct {
	S      store.Signup
	Signed string // when they signed up
	Moved  string // when they moved up from the waiting list, or ""
	Cancel string // where to post a cancellation on their behalf; "" when it is too late
}

type eventsSignupsView struct {
	eventsView
	E        store.Event
	Item     eventItem
	Counts   string
	Places   []eventsSignupRow
	Waiting  []eventsSignupRow
	Deleted  bool   // the sign-ups are deleted: only the counts are left
	Back     string // the event's page in the back office
	CanEdit  bool
	Finished bool // the event is over or cancelled: no cancelling
}

// eventsSignupsPage is GET /kontor/arrangementer/{id}/pameldte.
func (s *site) eventsSignupsPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	sc, e, ok := s.eventsOfficeLoad(w, r, lang, me, auth.ReadPersonalData)
	if !ok {
		return
	}
	s.eventsSignupsRender(w, r, lang, me, sc, e)
}

func (s *site) eventsSignupsRender(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current, sc *officeScope, e store.Event) {
	ctx := r.Context()
	v := &eventsSignupsView{eventsView: s.newEventsView(r, lang, "/kontor/arrangementer/"+e.ID+"/pameldte", me,
		"events.signups_title", "Title", e.Title.In(lang)), E: e}
	v.Back = v.Href("/kontor/arrangementer/" + e.ID)
	v.CanEdit = sc.can(auth.EditListing, e.OrgID)
	v.Deleted = !e.SignupsDeletedAt.IsZero()
	v.Finished = e.Status == store.EventCancelled || !s.now().Before(e.StartsAt)
	world, err := s.eventsWorld(ctx)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	v.Item = world.item(v.officeView, e, s.now())
	v.Counts = eventsCounts(v.officeView, e)
	if !v.Deleted {
		list, err := s.store.EventSignups(officeCtx(r, me), e.ID)
		if err != nil {
			s.officeErr(w, r, lang, err)
			return
		}
		for _, su := range list {
			row := eventsSignupRow{S: su, Signed: v.When(su.CreatedAt).Text}
			if !su.MovedUpAt.IsZero() {
				row.Moved = v.When(su.MovedUpAt).Text
			}
			if !v.Finished {
				row.Cancel = v.Href("/kontor/arrangementer/" + e.ID + "/pameldte/" + su.ID + "/avmeld")
			}
			if su.Status == store.SignupConfirmed {
				v.Places = append(v.Places, row)
			} else {
				v.Waiting = append(v.Waiting, row)
			}
		}
	}
	s.render(w, r, http.StatusOK, "events_office_signups", v)
}

// eventsStaffCancelPost is POST
// /kontor/arrangementer/{id}/pameldte/{signup}/avmeld.
func (s *site) eventsStaffCancelPost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	_, e, ok := s.eventsOfficeLoad(w, r, lang, me, auth.ReadPersonalData)
	if !ok {
		return
	}
	id := officePathID(r, "signup")
	if id == "" {
		s.notFound(w, r, lang)
		return
	}
	msg, err := s.eventsMessenger(r)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	err = s.store.StaffCancelSignup(officeCtx(r, me), e.ID, id, s.now(), msg)
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r, lang)
		return
	}
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	s.officeDone(w, r, lang, "/kontor/arrangementer/"+e.ID+"/pameldte", "fjernet")
}
