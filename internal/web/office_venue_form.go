package web

// The form of a venue: /kontor/steder/ny and /kontor/steder/{id}.

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/domain"
)

type officeVenueView struct {
	*officeView
	Venue  domain.Venue // as stored; empty for a new one
	New    bool
	Action string
	Rooms  []domain.Room
}

var officeVenueFields = []string{"organisation", "name", "street", "postal_code", "city", "municipality", "lat", "lon",
	"step_free", "hearing_loop", "toilet", "address_public", "directions_nb", "directions_en"}

func officeVenueForm(v *officeView, x domain.Venue) {
	v.set("organisation", x.OrgID)
	v.set("name", x.Name)
	v.set("street", x.Street)
	v.set("postal_code", x.PostalCode)
	v.set("city", x.City)
	v.set("municipality", x.MunicipalityID)
	if x.HasCoordinates {
		v.set("lat", v.Decimal(x.Lat, -1))
		v.set("lon", v.Decimal(x.Lon, -1))
	}
	v.set("step_free", officeBool(x.StepFree))
	v.set("hearing_loop", officeBool(x.HearingLoop))
	v.set("toilet", officeBool(x.AccessibleToilet))
	v.set("address_public", "0")
	if x.AddressPublic {
		v.set("address_public", "1")
	}
	v.set("directions_nb", x.Directions["nb"])
	v.set("directions_en", x.Directions["en"])
}

func (s *site) officeVenueOptions(ctx context.Context, v *officeVenueView, sc *officeScope) error {
	orgs := officeOrgOptions(sc.ordered(auth.EditListing))
	if cur := v.Venue.OrgID; !v.New && (cur == "" || !sc.can(auth.EditListing, cur)) {
		name := v.S("office.venue_no_org")
		if cur != "" {
			name = sc.byID[cur].Name
		}
		orgs = append([]officeOption{{Value: cur, Text: name}}, orgs...)
	}
	v.opts("organisation", orgs)
	v.opts("address_public", []officeOption{{Value: "1", Text: v.S("office.venue_public_yes")}, {Value: "0", Text: v.S("office.venue_public_no")}})
	cs, by, _, err := s.officeMunicipalities(ctx)
	if err != nil {
		return err
	}
	v.municipalitySelect("municipality", cs, by)
	return nil
}

func (s *site) newOfficeVenueView(r *http.Request, lang string, me *auth.Current, x domain.Venue, isNew bool) *officeVenueView {
	if isNew {
		v := &officeVenueView{officeView: s.newOfficeView(r, lang, "/kontor/steder/ny", me, "venues", "office.venue_new_title"), New: true}
		v.Action = v.Href("/kontor/steder/ny")
		return v
	}
	path := "/kontor/steder/" + x.ID
	v := &officeVenueView{officeView: s.newOfficeView(r, lang, path, me, "venues", "office.venue_edit_title", "Name", x.Name), Venue: x}
	v.Action = v.Href(path)
	return v
}

// officeVenueNewPage is GET /kontor/steder/ny?organisasjon=ID.
func (s *site) officeVenueNewPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	sc, err := s.officeScope(r.Context(), me)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	org := sc.newTarget(r.URL.Query().Get("organisasjon"))
	if org == "" {
		s.notFound(w, r, lang)
		return
	}
	v := s.newOfficeVenueView(r, lang, me, domain.Venue{}, true)
	v.query = url.Values{"organisasjon": {org}}
	officeVenueForm(v.officeView, domain.Venue{OrgID: org})
	if err := s.officeVenueOptions(r.Context(), v, sc); err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	s.render(w, r, http.StatusOK, "office_venue_form", v)
}

// officeVenueNewPost is POST /kontor/steder/ny.
func (s *site) officeVenueNewPost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	if !s.officeParse(w, r, lang) {
		return
	}
	sc, err := s.officeScope(r.Context(), me)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	if org := r.PostForm.Get("organisation"); org == "" || !sc.target(org) {
		s.notFound(w, r, lang)
		return
	}
	v := s.newOfficeVenueView(r, lang, me, domain.Venue{}, true)
	v.keep(r.PostForm, officeVenueFields...)
	s.officeVenueSave(w, r, lang, me, sc, v, domain.Venue{})
}

// officeVenueLoad loads the venue of the path, and checks that the user may
// edit its organisation's listings; otherwise it answers 404.
func (s *site) officeVenueLoad(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) (*officeScope, domain.Venue, bool) {
	return officeLoadOwned(s, w, r, lang, me, s.store.Venue, func(x domain.Venue) string { return x.OrgID })
}

// officeVenueEditPage is GET /kontor/steder/{id}: the venue's form and its rooms.
func (s *site) officeVenueEditPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	sc, x, ok := s.officeVenueLoad(w, r, lang, me)
	if !ok {
		return
	}
	v := s.newOfficeVenueView(r, lang, me, x, false)
	officeVenueForm(v.officeView, x)
	s.officeVenueRender(w, r, lang, http.StatusOK, v, sc)
}

func (s *site) officeVenueRender(w http.ResponseWriter, r *http.Request, lang string, status int, v *officeVenueView, sc *officeScope) {
	ctx := r.Context()
	if err := s.officeVenueOptions(ctx, v, sc); err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	if !v.New {
		rooms, err := s.store.Rooms(ctx, v.Venue.ID)
		if err != nil {
			s.serverError(w, r, lang, err)
			return
		}
		v.Rooms = rooms
	}
	s.render(w, r, status, "office_venue_form", v)
}

// officeVenueEditPost is POST /kontor/steder/{id}.
func (s *site) officeVenueEditPost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	sc, x, ok := s.officeVenueLoad(w, r, lang, me)
	if !ok {
		return
	}
	if !s.officeParse(w, r, lang) {
		return
	}
	if org := r.PostForm.Get("organisation"); org != x.OrgID && !sc.target(org) {
		s.notFound(w, r, lang)
		return
	}
	v := s.newOfficeVenueView(r, lang, me, x, false)
	v.keep(r.PostForm, officeVenueFields...)
	s.officeVenueSave(w, r, lang, me, sc, v, x)
}

var rePostalCode = regexp.MustCompile(`^[0-9]{4}$`)

// officeDecimal reads a decimal number written with a point or a comma.
func officeDecimal(s string) (float64, bool) {
	s = strings.ReplaceAll(strings.ReplaceAll(strings.TrimSpace(s), ",", "."), "\u2212", "-")
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil && s != "" && !strings.ContainsAny(s, "eEnNiI")
}

func (s *site) officeVenueSave(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current, sc *officeScope, v *officeVenueView, x domain.Venue) {
	ctx := r.Context()
	x.OrgID = v.Val("organisation")
	x.Name = v.required("name", 200, "office.err_name")
	x.Street = v.line("street", 200)
	x.PostalCode = v.line("postal_code", 4)
	if x.PostalCode != "" && !rePostalCode.MatchString(x.PostalCode) && v.Err("postal_code") == nil {
		v.fail("postal_code", "office.err_postal_code")
	}
	x.City = v.line("city", 100)
	_, _, known, err := s.officeMunicipalities(ctx)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	x.MunicipalityID = v.Val("municipality")
	if !known[x.MunicipalityID] {
		v.fail("municipality", "office.err_municipality")
	}
	latS, lonS := strings.TrimSpace(v.Val("lat")), strings.TrimSpace(v.Val("lon"))
	x.HasCoordinates, x.Lat, x.Lon = false, 0, 0
	switch {
	case latS == "" && lonS == "":
	case latS == "" || lonS == "":
		if latS == "" {
			v.fail("lat", "office.err_coords_both")
		} else {
			v.fail("lon", "office.err_coords_both")
		}
	default:
		lat, ok1 := officeDecimal(latS)
		lon, ok2 := officeDecimal(lonS)
		if !ok1 || lat < -90 || lat > 90 {
			v.fail("lat", "office.err_lat")
		}
		if !ok2 || lon < -180 || lon > 180 {
			v.fail("lon", "office.err_lon")
		}
		x.Lat, x.Lon, x.HasCoordinates = lat, lon, ok1 && ok2
	}
	x.StepFree = v.checked("step_free")
	x.HearingLoop = v.checked("hearing_loop")
	x.AccessibleToilet = v.checked("toilet")
	switch v.Val("address_public") {
	case "1":
		x.AddressPublic = true
	case "0":
		x.AddressPublic = false
	default:
		v.fail("address_public", "office.err_choose")
	}
	x.Directions = officeWithText(x.Directions, "nb", v.text("directions_nb", 2000))
	x.Directions = officeWithText(x.Directions, "en", v.text("directions_en", 2000))
	if len(v.Errors) > 0 {
		s.officeVenueRender(w, r, lang, http.StatusBadRequest, v, sc)
		return
	}
	isNew := x.ID == ""
	if err := s.store.SaveVenue(officeCtx(r, me), &x); err != nil {
		s.officeErr(w, r, lang, err)
		return
	}
	notice := "lagret"
	if isNew {
		notice = "opprettet"
	}
	s.officeDone(w, r, lang, "/kontor/steder/"+x.ID, notice)
}
