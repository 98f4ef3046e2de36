package web

// The public calendar of events: {p}/arrangementer, by month, from now on,
// with filters by house (organiser or co-organiser), kind and
// municipality. Only listed events; an unlisted one is reached by its link.

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
)

// eventsCalendarLimit is the most events the calendar lists.
const eventsCalendarLimit = 500

type eventsCalendarView struct {
	eventsView
	Months   []eventsMonth
	Filtered bool
	Count    int
}

// eventsCalendarPage is GET {p}/arrangementer?hus=&type=&kommune=.
func (s *site) eventsCalendarPage(w http.ResponseWriter, r *http.Request, lang string) {
	ctx := r.Context()
	now := s.now()
	v := &eventsCalendarView{eventsView: s.newEventsView(r, lang, "/arrangementer", nil, "events.calendar_title")}
	v.Nav = "events"
	q := r.URL.Query()
	v.form = url.Values{"hus": {q.Get("hus")}, "type": {q.Get("type")}, "kommune": {q.Get("kommune")}}
	world, err := s.eventsWorld(ctx)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	// Every listed event from now on: the filters offer what there is.
	all, err := s.store.Events(ctx, store.EventFilter{EndsAfter: now, ListedOnly: true, Limit: eventsCalendarLimit})
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	houses := map[string]bool{}
	munis := map[string]bool{}
	kinds := map[store.EventKind]bool{}
	for _, e := range all {
		houses[e.OrgID] = true
		for _, c := range e.CoOrganisers {
			houses[c] = true
		}
		if e.Municipality != "" {
			munis[e.Municipality] = true
		}
		kinds[e.Kind] = true
	}
	var houseOpts []officeOption
	for id := range houses {
		if o, ok := world.orgs[id]; ok {
			houseOpts = append(houseOpts, officeOption{Value: o.Slug, Text: o.Name})
		}
	}
	domain.SortByName(houseOpts, func(o officeOption) string { return o.Text })
	v.opts("hus", append([]officeOption{{Value: "", Text: v.S("events.filter_all_houses")}}, houseOpts...))
	kindOpts := []officeOption{{Value: "", Text: v.S("events.filter_all_kinds")}}
	for _, k := range store.EventKinds {
		if kinds[k] || string(k) == v.Val("type") {
			id := "events.kind_" + string(k)
			kindOpts = append(kindOpts, officeOption{Value: string(k), Text: v.S(id)})
		}
	}
	v.opts("type", kindOpts)
	var muniOpts []officeOption
	for id := range munis {
		if m, ok := world.munis[id]; ok {
			muniOpts = append(muniOpts, officeOption{Value: m.ID, Text: m.DisplayName()})
		}
	}
	domain.SortByName(muniOpts, func(o officeOption) string { return o.Text })
	v.opts("kommune", append([]officeOption{{Value: "", Text: v.S("events.filter_all_municipalities")}}, muniOpts...))

	// The filters, each checked against what exists.
	f := store.EventFilter{EndsAfter: now, ListedOnly: true, Limit: eventsCalendarLimit}
	if h := v.Val("hus"); h != "" {
		v.Filtered = true
		var org domain.Organisation
		found := false
		if validSlug(h) {
			for _, o := range world.orgs {
				if o.Slug == h {
					org, found = o, true
				}
			}
		}
		if !found {
			v.fail("hus", "events.err_filter_house")
		} else {
			f.OrgID = org.ID
			if !houses[org.ID] {
				v.options["hus"][0].Options = append(v.options["hus"][0].Options, officeOption{Value: org.Slug, Text: org.Name})
			}
		}
	}
	if k := v.Val("type"); k != "" {
		v.Filtered = true
		if !slices.Contains(store.EventKinds, store.EventKind(k)) {
			v.fail("type", "events.err_filter_kind")
		} else {
			f.Kind = store.EventKind(k)
		}
	}
	if m := v.Val("kommune"); m != "" {
		v.Filtered = true
		if mm, ok := world.munis[m]; !ok {
			v.fail("kommune", "events.err_filter_municipality")
		} else {
			f.Municipality = m
			if !munis[m] {
				v.options["kommune"][0].Options = append(v.options["kommune"][0].Options, officeOption{Value: mm.ID, Text: mm.DisplayName()})
			}
		}
	}
	v.query = url.Values{}
	for _, k := range []string{"hus", "type", "kommune"} {
		if x := v.Val(k); x != "" {
			v.query.Set(k, x)
		}
	}
	if len(v.Errors) > 0 {
		s.render(w, r, http.StatusBadRequest, "events_calendar", v)
		return
	}
	events := all
	if v.Filtered {
		if events, err = s.store.Events(ctx, f); err != nil {
			s.serverError(w, r, lang, err)
			return
		}
	}
	var items []eventItem
	for _, e := range events {
		items = append(items, world.item(v.officeView, e, now))
	}
	v.Count = len(items)
	v.Months = eventsByMonth(v.officeView, items)
	s.render(w, r, http.StatusOK, "events_calendar", v)
}
