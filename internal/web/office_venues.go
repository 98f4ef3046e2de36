package web

import (
	"net/http"
	"net/url"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/domain"
)

// officeVenueItem is a venue in the list, with its rooms.
type officeVenueItem struct {
	Venue        domain.Venue
	Municipality string
	Rooms        []domain.Room
}

// officeVenueSection is an organisation's venues.
type officeVenueSection struct {
	Org    domain.Organisation // empty: venues of no organisation
	Edit   bool
	Venues []officeVenueItem
}

type officeVenuesView struct {
	*officeView
	Sections []officeVenueSection
}

// officeVenuesPage is GET /kontor/steder[?organisasjon=ID]: the venues and
// rooms of the organisations the user may see, by organisation.
func (s *site) officeVenuesPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
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
	only := r.URL.Query().Get("organisasjon")
	if only != "" {
		if _, ok := sc.byID[only]; !ok || !sc.can(auth.ViewListing, only) {
			s.notFound(w, r, lang)
			return
		}
	}
	venues, err := s.store.Venues(ctx)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	rooms, err := s.store.AllRooms(ctx)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	munis, err := s.store.Municipalities(ctx)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	muniName := map[string]string{}
	for _, m := range munis {
		muniName[m.ID] = m.DisplayName()
	}
	byOrg := map[string][]officeVenueItem{}
	for _, x := range venues {
		byOrg[x.OrgID] = append(byOrg[x.OrgID], officeVenueItem{Venue: x, Municipality: muniName[x.MunicipalityID], Rooms: rooms[x.ID]})
	}
	for _, items := range byOrg {
		domain.SortByName(items, func(i officeVenueItem) string { return i.Venue.Name })
	}
	v := &officeVenuesView{officeView: s.newOfficeView(r, lang, "/kontor/steder", me, "venues", "office.venues_title")}
	if only != "" {
		v.query = url.Values{"organisasjon": {only}}
	}
	for _, ref := range sc.ordered(auth.ViewListing) {
		if only != "" && ref.Org.ID != only {
			continue
		}
		v.Sections = append(v.Sections, officeVenueSection{Org: ref.Org, Edit: sc.can(auth.EditListing, ref.Org.ID), Venues: byOrg[ref.Org.ID]})
	}
	if only == "" && sc.can(auth.ViewListing, "") && len(byOrg[""]) > 0 {
		v.Sections = append(v.Sections, officeVenueSection{Edit: sc.can(auth.EditListing, ""), Venues: byOrg[""]})
	}
	s.render(w, r, http.StatusOK, "office_venues", v)
}
