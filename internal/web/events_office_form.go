package web

// The form of an event: /kontor/arrangementer/ny and
// /kontor/arrangementer/{id}, and on the latter the event's counts, its
// cancellation and the attendance recorded after it.

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
)

// eventsTextLangs are the languages of an event's title and description:
// Bokmål first and required, the others optional.
var eventsTextLangs = []string{"nb", "nn", "en", "se"}

var eventsFormFields = []string{"organisation", "kind", "slug", "title_nb", "title_nn", "title_en", "title_se",
	"description_nb", "description_nn", "description_en", "description_se", "start_date", "start_time", "end_date",
	"end_time", "venue", "room", "online", "online_url", "municipality", "capacity", "signup_open", "listed",
	"co_organisers"}

type eventsFormView struct {
	eventsView
	E         store.Event // as stored; zero for a new one
	New       bool
	Action    string
	Item      eventItem
	Public    string // the public page
	Signups   bool   // the user may read the sign-ups
	Started   bool   // attendance may be recorded
	Cancelled bool
	MoreLangs bool // the other languages' fields start open
}

// HasOptions reports whether the field has options to choose from.
func (v *eventsFormView) HasOptions(name string) bool {
	for _, g := range v.options[name] {
		if len(g.Options) > 0 {
			return true
		}
	}
	return false
}

// OtherLangs are the optional languages of the texts.
func (v *eventsFormView) OtherLangs() []string { return eventsTextLangs[1:] }

func eventsFormFill(v *officeView, e store.Event) {
	v.set("organisation", e.OrgID)
	v.set("kind", string(e.Kind))
	v.set("slug", e.Slug)
	for _, l := range eventsTextLangs {
		v.set("title_"+l, e.Title[l])
		v.set("description_"+l, e.Description[l])
	}
	if !e.StartsAt.IsZero() {
		loc := e.Location()
		s, t := e.StartsAt.In(loc), e.EndsAt.In(loc)
		v.set("start_date", s.Format("2006-01-02"))
		v.set("start_time", s.Format("15:04"))
		if t.Format("2006-01-02") != s.Format("2006-01-02") {
			v.set("end_date", t.Format("2006-01-02"))
		}
		v.set("end_time", t.Format("15:04"))
	}
	v.set("venue", e.VenueID)
	v.set("room", e.RoomID)
	v.set("online", officeBool(e.Online))
	v.set("online_url", e.OnlineURL)
	if e.VenueID == "" {
		v.set("municipality", e.Municipality)
	}
	if e.Capacity > 0 {
		v.set("capacity", strconv.Itoa(e.Capacity))
	}
	v.set("signup_open", officeBool(e.SignupOpen))
	v.set("listed", officeBool(e.Listed))
	v.form["co_organisers"] = slices.Clone(e.CoOrganisers)
}

// eventsFormOptions sets the options of the form: the organisations the
// user may create in (and the event's own), the kinds, the venues and
// rooms of the organisation chosen (and the event's own), the
// municipalities, and every other organisation as a co-organiser.
func (s *site) eventsFormOptions(ctx context.Context, v *eventsFormView, sc *officeScope) error {
	orgs := officeOrgOptions(sc.ordered(auth.EditListing))
	if cur := v.E.OrgID; !v.New && !slices.ContainsFunc(orgs, func(o officeOption) bool { return o.Value == cur }) {
		orgs = append([]officeOption{{Value: cur, Text: sc.byID[cur].Name}}, orgs...)
	}
	v.opts("organisation", orgs)
	v.opts("kind", officeEnum(v.officeView, "events.kind_", store.EventKinds))
	if err := s.officeVenueRoomOptions(ctx, v.officeView, v.E.VenueID, "events.venue_none", "events.room_none",
		func(rm domain.Room) string {
			if rm.Capacity > 0 {
				return v.S("events.room_option", "Room", rm.Name, "Capacity", rm.Capacity)
			}
			return rm.Name
		}); err != nil {
		return err
	}
	org := v.Val("organisation")
	cs, by, _, err := s.officeMunicipalities(ctx)
	if err != nil {
		return err
	}
	v.municipalitySelect("municipality", cs, by)
	var co []officeOption
	for _, o := range sc.orgs {
		if o.ID != org {
			co = append(co, officeOption{Value: o.ID, Text: o.Name})
		}
	}
	v.opts("co_organisers", co)
	for _, l := range eventsTextLangs[1:] {
		if v.Val("title_"+l) != "" || v.Val("description_"+l) != "" || v.Err("title_"+l) != nil || v.Err("description_"+l) != nil {
			v.MoreLangs = true
		}
	}
	return nil
}

func (s *site) newEventsFormView(r *http.Request, lang string, me *auth.Current, e store.Event, isNew bool) *eventsFormView {
	if isNew {
		v := &eventsFormView{eventsView: s.newEventsView(r, lang, "/kontor/arrangementer/ny", me, "events.new_title"), New: true}
		v.Action = v.Href("/kontor/arrangementer/ny")
		return v
	}
	path := "/kontor/arrangementer/" + e.ID
	v := &eventsFormView{eventsView: s.newEventsView(r, lang, path, me, "events.edit_title", "Title", e.Title.In(lang)), E: e}
	v.Action = v.Href(path)
	v.Public = v.Href("/arrangement/" + e.Slug)
	v.Cancelled = e.Status == store.EventCancelled
	v.Started = !s.now().Before(e.StartsAt)
	return v
}

// eventsNewPage is GET /kontor/arrangementer/ny?organisasjon=ID.
func (s *site) eventsNewPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
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
	v := s.newEventsFormView(r, lang, me, store.Event{}, true)
	v.query = url.Values{"organisasjon": {org}}
	eventsFormFill(v.officeView, store.Event{OrgID: org, Kind: store.EventInformationMeeting, SignupOpen: true, Listed: true})
	s.eventsFormRender(w, r, lang, http.StatusOK, v, sc)
}

func (s *site) eventsFormRender(w http.ResponseWriter, r *http.Request, lang string, status int, v *eventsFormView, sc *officeScope) {
	if err := s.eventsFormOptions(r.Context(), v, sc); err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	if !v.New {
		world, err := s.eventsWorld(r.Context())
		if err != nil {
			s.serverError(w, r, lang, err)
			return
		}
		v.Item = world.item(v.officeView, v.E, s.now())
		v.Signups = sc.can(auth.ReadPersonalData, v.E.OrgID)
	}
	s.render(w, r, status, "events_office_form", v)
}

// eventsNewPost is POST /kontor/arrangementer/ny.
func (s *site) eventsNewPost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
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
	v := s.newEventsFormView(r, lang, me, store.Event{}, true)
	v.keep(r.PostForm, eventsFormFields...)
	s.eventsSave(w, r, lang, me, sc, v, store.Event{})
}

// eventsOfficeLoad loads the event of the path and checks that the user
// may do perm in its organisation; otherwise it answers 404.
func (s *site) eventsOfficeLoad(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current, perm auth.Permission) (*officeScope, store.Event, bool) {
	id := officePathID(r, "id")
	if id == "" {
		s.notFound(w, r, lang)
		return nil, store.Event{}, false
	}
	e, err := s.store.Event(r.Context(), id)
	if err != nil {
		s.officeErr(w, r, lang, err)
		return nil, e, false
	}
	sc, err := s.officeScope(r.Context(), me)
	if err != nil {
		s.serverError(w, r, lang, err)
		return nil, e, false
	}
	if !sc.can(perm, e.OrgID) {
		s.notFound(w, r, lang)
		return nil, e, false
	}
	return sc, e, true
}

// eventsEditPage is GET /kontor/arrangementer/{id}.
func (s *site) eventsEditPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	sc, e, ok := s.eventsOfficeLoad(w, r, lang, me, auth.EditListing)
	if !ok {
		return
	}
	v := s.newEventsFormView(r, lang, me, e, false)
	eventsFormFill(v.officeView, e)
	if e.Attended >= 0 {
		v.set("attended", strconv.Itoa(e.Attended))
	}
	s.eventsFormRender(w, r, lang, http.StatusOK, v, sc)
}

// eventsEditPost is POST /kontor/arrangementer/{id}.
func (s *site) eventsEditPost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	sc, e, ok := s.eventsOfficeLoad(w, r, lang, me, auth.EditListing)
	if !ok {
		return
	}
	if !s.officeParse(w, r, lang) {
		return
	}
	if org := r.PostForm.Get("organisation"); org != e.OrgID && !sc.target(org) {
		s.notFound(w, r, lang)
		return
	}
	v := s.newEventsFormView(r, lang, me, e, false)
	v.keep(r.PostForm, eventsFormFields...)
	if v.Cancelled {
		v.fail("", "events.err_cancelled")
		s.eventsFormRender(w, r, lang, http.StatusConflict, v, sc)
		return
	}
	s.eventsSave(w, r, lang, me, sc, v, e)
}

// eventsDateTime reads a date field and a time field as a time in loc.
func (v *officeView) eventsDateTime(dateField, timeField string, loc *time.Location, def time.Time) time.Time {
	date, clock := strings.TrimSpace(v.Val(dateField)), strings.TrimSpace(v.Val(timeField))
	var day time.Time
	switch {
	case date == "" && !def.IsZero():
		day = def
	case date == "":
		v.fail(dateField, "events.err_date_missing")
	default:
		d, ok := officeParseDate(date)
		if !ok {
			v.fail(dateField, "events.err_date")
		}
		day = d
	}
	var hh, mm int
	if clock == "" {
		v.fail(timeField, "events.err_time_missing")
	} else if h, m, ok := officeParseClock(clock); !ok {
		v.fail(timeField, "events.err_time")
	} else {
		hh, mm = h, m
	}
	if day.IsZero() || v.Err(timeField) != nil {
		return time.Time{}
	}
	return time.Date(day.Year(), day.Month(), day.Day(), hh, mm, 0, 0, loc)
}

// eventsSave reads the form into e and saves it, or shows the form again
// with what is wrong and what was typed.
func (s *site) eventsSave(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current, sc *officeScope, v *eventsFormView, e store.Event) {
	ctx := r.Context()
	old := e
	e.OrgID = v.Val("organisation")
	e.Kind = officeChoice(v.officeView, "kind", store.EventKinds, "events.err_kind")
	e.Title, e.Description = domain.Text{}, domain.Text{}
	for _, l := range eventsTextLangs {
		if l == "nb" {
			e.Title = officeWithText(e.Title, l, v.required("title_nb", store.MaxEventTitle, "events.err_title"))
		} else {
			e.Title = officeWithText(e.Title, l, v.line("title_"+l, store.MaxEventTitle))
		}
		e.Description = officeWithText(e.Description, l, v.text("description_"+l, store.MaxEventDescription))
	}
	loc := e.Location()
	e.TZ = loc.String()
	e.StartsAt = v.eventsDateTime("start_date", "start_time", loc, time.Time{})
	startDay := time.Time{}
	if !e.StartsAt.IsZero() {
		startDay = time.Date(e.StartsAt.Year(), e.StartsAt.Month(), e.StartsAt.Day(), 0, 0, 0, 0, time.UTC)
	}
	e.EndsAt = v.eventsDateTime("end_date", "end_time", loc, startDay)
	switch {
	case e.StartsAt.IsZero() || e.EndsAt.IsZero():
	case !e.EndsAt.After(e.StartsAt):
		v.fail("end_time", "events.err_end_before")
	case e.EndsAt.Sub(e.StartsAt) > store.MaxEventLength:
		v.fail("end_date", "events.err_too_long")
	case v.New && e.StartsAt.Before(s.now()):
		v.fail("start_date", "events.err_past")
	}
	e.StartsAt, e.EndsAt = e.StartsAt.UTC(), e.EndsAt.UTC()

	// Where: a venue of the organisation (or the one the event has), a room
	// of it, and/or online; the municipality of an online event.
	e.VenueID, e.RoomID = v.Val("venue"), v.Val("room")
	e.Online = v.checked("online")
	e.OnlineURL = v.line("online_url", 500)
	if e.OnlineURL != "" {
		if u, err := url.Parse(e.OnlineURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			v.fail("online_url", "events.err_online_url")
		} else if !e.Online && v.Err("online_url") == nil {
			v.fail("online", "events.err_online_box")
		}
	}
	if e.VenueID != "" {
		x, err := s.store.Venue(ctx, e.VenueID)
		switch {
		case !store.ValidID(e.VenueID) || errors.Is(err, store.ErrNotFound) || x.OrgID != e.OrgID && x.ID != old.VenueID:
			v.fail("venue", "events.err_venue")
		case err != nil:
			s.serverError(w, r, lang, err)
			return
		}
	}
	if e.RoomID != "" {
		rooms, err := s.store.Rooms(ctx, e.VenueID)
		if err != nil {
			s.serverError(w, r, lang, err)
			return
		}
		if e.VenueID == "" || !slices.ContainsFunc(rooms, func(rm domain.Room) bool { return rm.ID == e.RoomID }) {
			v.fail("room", "events.err_room")
		}
	}
	if e.VenueID == "" && !e.Online && v.Err("venue") == nil {
		v.fail("venue", "events.err_where")
	}
	e.Municipality = ""
	if e.VenueID == "" {
		_, _, known, err := s.officeMunicipalities(ctx)
		if err != nil {
			s.serverError(w, r, lang, err)
			return
		}
		if m := v.Val("municipality"); m != "" && !known[m] {
			v.fail("municipality", "events.err_municipality")
		} else {
			e.Municipality = m
		}
	}
	e.Capacity = v.integer("capacity", 0, store.MaxEventCapacity, 0)
	e.SignupOpen = v.checked("signup_open")
	e.Listed = v.checked("listed")
	e.CoOrganisers = nil
	for _, id := range v.form["co_organisers"] {
		if _, ok := sc.byID[id]; !ok || id == e.OrgID {
			v.fail("co_organisers", "events.err_co_organisers")
			break
		}
		e.CoOrganisers = append(e.CoOrganisers, id)
	}
	// The slug: typed, or made from the title and the date.
	slug := strings.TrimSpace(v.Val("slug"))
	if slug == "" && e.Title["nb"] != "" && !e.StartsAt.IsZero() {
		slug = eventsSlug(e.Title["nb"], e.StartsAt.In(loc))
		if other, err := s.store.Event(ctx, slug); err == nil && other.ID != e.ID {
			slug += "-" + strings.ToLower(store.NewID()[:4])
		}
		v.set("slug", slug)
	}
	if slug != "" {
		if !officeSlugOK(slug) || len(slug) > 120 {
			v.fail("slug", "events.err_slug")
		} else if other, err := s.store.Event(ctx, slug); err == nil && other.ID != e.ID {
			v.fail("slug", "events.err_slug_taken")
		} else if err != nil && !errors.Is(err, store.ErrNotFound) {
			s.serverError(w, r, lang, err)
			return
		}
	}
	e.Slug = slug
	if len(v.Errors) > 0 {
		s.eventsFormRender(w, r, lang, http.StatusBadRequest, v, sc)
		return
	}
	msg, err := s.eventsMessenger(r)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	isNew := e.ID == ""
	err = s.store.SaveEvent(officeCtx(r, me), &e, s.now(), msg)
	var clash *store.ClashError
	var capErr *store.CapacityError
	switch {
	case errors.As(err, &clash):
		var whens []string
		for i, c := range clash.Clashes {
			if i == 3 {
				break
			}
			w := v.When(c.StartsAt).Text
			if c.Title != "" {
				w += " (" + c.Title + ")"
			}
			whens = append(whens, w)
		}
		v.fail("room", "events.err_clash", "When", strings.Join(whens, "; "))
		s.eventsFormRender(w, r, lang, http.StatusConflict, v, sc)
		return
	case errors.As(err, &capErr):
		v.fail("capacity", "events.err_capacity_below", "Count", capErr.Confirmed)
		s.eventsFormRender(w, r, lang, http.StatusConflict, v, sc)
		return
	case errors.Is(err, store.ErrEventCancelled):
		v.fail("", "events.err_cancelled")
		s.eventsFormRender(w, r, lang, http.StatusConflict, v, sc)
		return
	case err != nil:
		s.officeErr(w, r, lang, err)
		return
	}
	notice := "lagret"
	if isNew {
		notice = "opprettet"
	}
	s.officeDone(w, r, lang, "/kontor/arrangementer/"+e.ID, notice)
}

// eventsCancelEventPost is POST /kontor/arrangementer/{id}/avlys, with the
// box "bekreft" ticked: the event is cancelled, and everyone signed up is
// told.
func (s *site) eventsCancelEventPost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	sc, e, ok := s.eventsOfficeLoad(w, r, lang, me, auth.EditListing)
	if !ok {
		return
	}
	if !s.officeParse(w, r, lang) {
		return
	}
	v := s.newEventsFormView(r, lang, me, e, false)
	eventsFormFill(v.officeView, e)
	if e.Status == store.EventCancelled {
		v.fail("", "events.err_cancelled")
		s.eventsFormRender(w, r, lang, http.StatusConflict, v, sc)
		return
	}
	if r.PostForm.Get("bekreft") != "1" {
		v.fail("bekreft", "events.err_confirm_cancel")
		s.eventsFormRender(w, r, lang, http.StatusBadRequest, v, sc)
		return
	}
	msg, err := s.eventsMessenger(r)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	if err := s.store.CancelEvent(officeCtx(r, me), e.ID, s.now(), msg); err != nil {
		s.officeErr(w, r, lang, err)
		return
	}
	s.officeDone(w, r, lang, "/kontor/arrangementer/"+e.ID, "avlyst")
}

// eventsAttendancePost is POST /kontor/arrangementer/{id}/oppmote: how many
// came, once the event has begun.
func (s *site) eventsAttendancePost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	sc, e, ok := s.eventsOfficeLoad(w, r, lang, me, auth.EditListing)
	if !ok {
		return
	}
	if !s.officeParse(w, r, lang) {
		return
	}
	v := s.newEventsFormView(r, lang, me, e, false)
	eventsFormFill(v.officeView, e)
	v.keep(r.PostForm, "attended")
	if !v.Started {
		// The page has no attendance field before the event: the summary says it.
		v.fail("", "events.err_not_begun")
		s.eventsFormRender(w, r, lang, http.StatusBadRequest, v, sc)
		return
	}
	raw := strings.TrimSpace(v.Val("attended"))
	n := v.integer("attended", 0, 100000, -1)
	if raw == "" {
		v.fail("attended", "events.err_attended")
	}
	if len(v.Errors) > 0 {
		s.eventsFormRender(w, r, lang, http.StatusBadRequest, v, sc)
		return
	}
	err := s.store.RecordAttendance(officeCtx(r, me), e.ID, n, s.now())
	if errors.Is(err, store.ErrEventNotOver) {
		v.fail("", "events.err_not_begun")
		s.eventsFormRender(w, r, lang, http.StatusBadRequest, v, sc)
		return
	}
	if err != nil {
		s.officeErr(w, r, lang, err)
		return
	}
	s.officeDone(w, r, lang, "/kontor/arrangementer/"+e.ID, "oppmote")
}

// CountsWords says the event's counts: "12 of 20 places taken, 3 waiting,
// 2 cancelled".
func (v *eventsFormView) CountsWords() string {
	return eventsCounts(v.officeView, v.E)
}

// Counts says an event's counts, for the list.
func (v *eventsOfficeView) Counts(e store.Event) string { return eventsCounts(v.officeView, e) }

func eventsCounts(v *officeView, e store.Event) string {
	parts := []string{v.S("events.count_places", "Count", e.Counts.Confirmed)}
	if e.Capacity > 0 {
		parts[0] = v.S("events.count_places_of", "Count", e.Counts.Confirmed, "Capacity", e.Capacity)
	}
	parts = append(parts, v.S("events.count_waiting", "Count", e.Counts.Waiting),
		v.S("events.count_cancelled", "Count", e.Counts.Cancelled))
	return strings.Join(parts, ", ")
}
