package web

// The back office's list of events: {p}/kontor/arrangementer, coming ones
// (or past ones with ?vis=tidligere), of the organisations where the user
// may see listings, optionally one of them (?organisasjon=ID), with the
// counts of each (never who).

import (
	"net/http"
	"net/url"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/store"
)

// eventsOfficeLimit is the most events the back office's list shows.
const eventsOfficeLimit = 300

type eventsOfficeRow struct {
	eventItem
	Edit    bool // the user may change it (and so open it)
	Signups bool // the user may read its sign-ups
}

type eventsOfficeView struct {
	eventsView
	Past   bool
	Org    string // the organisation the list is limited to, "" for all
	Rows   []eventsOfficeRow
	NewIn  []officeOrgRef // where the user may create an event
	Switch string         // the link to the other half (coming / past)
}

// eventsOfficePage is GET /kontor/arrangementer[?organisasjon=ID][&vis=tidligere].
func (s *site) eventsOfficePage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	ctx := r.Context()
	sc, err := s.officeScope(ctx, me)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	if !sc.canAny(auth.ViewListing) {
		s.notFound(w, r, lang)
		return
	}
	q := r.URL.Query()
	v := &eventsOfficeView{eventsView: s.newEventsView(r, lang, "/kontor/arrangementer", me, "events.office_title"),
		Past: q.Get("vis") == "tidligere", Org: q.Get("organisasjon")}
	f := store.EventFilter{OrgIDs: sc.orgIDs(auth.ViewListing), Limit: eventsOfficeLimit}
	now := s.now()
	if v.Past {
		f.StartsBefore, f.Desc = now, true
	} else {
		f.EndsAfter = now
	}
	if v.Org != "" {
		if _, ok := sc.byID[v.Org]; !ok || !sc.can(auth.ViewListing, v.Org) {
			s.notFound(w, r, lang)
			return
		}
		f.OrgIDs = []string{v.Org}
	}
	v.query = url.Values{}
	other := url.Values{}
	if v.Org != "" {
		v.query.Set("organisasjon", v.Org)
		other.Set("organisasjon", v.Org)
	}
	if v.Past {
		v.query.Set("vis", "tidligere")
	} else {
		other.Set("vis", "tidligere")
	}
	v.Switch = withQuery(v.Href("/kontor/arrangementer"), other)
	events, err := s.store.Events(ctx, f)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	world, err := s.eventsWorld(ctx)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	for _, e := range events {
		v.Rows = append(v.Rows, eventsOfficeRow{eventItem: world.item(v.officeView, e, now),
			Edit: sc.can(auth.EditListing, e.OrgID), Signups: sc.can(auth.ReadPersonalData, e.OrgID)})
	}
	for _, ref := range sc.ordered(auth.EditListing) {
		if v.Org == "" || ref.Org.ID == v.Org {
			v.NewIn = append(v.NewIn, ref)
		}
	}
	s.render(w, r, http.StatusOK, "events_office", v)
}
