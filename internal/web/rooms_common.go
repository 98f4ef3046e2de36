package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
)

// Rooms and bookings (issue 5, item 1): files rooms_*.go, templates
// rooms_*.html, messages locales/rooms.*.json.
//
//	GET      {p}/kontor/rom                          the rooms of the user's houses, with what to do
//	GET      {p}/kontor/rom/uke?uke=2026-W48         the week of every room (a table per venue: days × rooms)
//	GET      {p}/kontor/rom/{id}                     a room: its series, its coming one-off bookings, its feed
//	GET      {p}/kontor/rom/{id}/uke?uke=2026-W48    the week of one room
//	GET/POST {p}/kontor/rom/{id}/serie/ny[?gruppe=]  a new series (from a group's schedule, when asked)
//	GET/POST {p}/kontor/rom/{id}/serie/{sid}         a series; POST changes it from a day on
//	POST     {p}/kontor/rom/{id}/serie/{sid}/unntak  a day off (holiday, cancelled), or a day given back
//	POST     {p}/kontor/rom/{id}/serie/{sid}/avslutt end it from a day on
//	GET/POST {p}/kontor/rom/{id}/booking/ny          a one-off booking
//	POST     {p}/kontor/rom/{id}/booking/{bid}/avlys cancel a one-off booking
//	POST     {p}/kontor/rom/{id}/kalender            a new address of the room's feed (or stop it)
//	GET      {p}/kontor/romforesporsler              requests for a room from other organisations
//	GET/POST {p}/kontor/romforesporsler/{id}         a request; POST approves it (books the room)
//	POST     {p}/kontor/romforesporsler/{id}/avslag  decline it
//	GET      {p}/kontor/rombruk?maned=&hus=          the use of a house's rooms in a month; rombruk.csv: as CSV
//	GET/POST {p}/rom/{id}/forespor                   the public request form (id: a room or a venue)
//	GET      {p}/rom/forespor/sendt                  "the house answers by e-mail"
//	GET      {p}/rom/{id}/kalender.ics?token=…       the room's private iCalendar feed
//
// Authorisation, checked against the organisation that owns the room's
// venue before anything else is read, every refusal a 404 as for what
// does not exist: the week views, a room's page and the summary need
// auth.ViewListing (coordinators, partners, administrators: partners see
// listings in the back office already); every change (series, bookings,
// the feed's address) auth.EditListing; the requests auth.ReadPersonalData
// (they name a person), and every read of one is in the audit log.
// Starters have none of these.

func init() { staffAreas = append(staffAreas, roomsRoutes) }

func roomsRoutes(s *site, mux *http.ServeMux, lang, p string) {
	h := s.staffHandlers(lang)
	k := p + "/kontor/rom"
	mux.Handle(k, h(s.roomsOverviewPage, nil))
	mux.Handle(k+"/uke", h(s.roomsHouseWeekPage, nil))
	mux.Handle(p+"/kontor/rombruk", h(s.roomsSummaryPage, nil))
	mux.Handle(p+"/kontor/rombruk.csv", h(s.roomsSummaryCSV, nil))
	mux.Handle(p+"/kontor/romforesporsler", h(s.roomsRequestsPage, nil))
	mux.Handle(p+"/kontor/romforesporsler/{id}", h(s.roomsRequestPage, s.roomsRequestApprovePost))
	mux.Handle(p+"/kontor/romforesporsler/{id}/avslag", h(nil, s.roomsRequestDeclinePost))
	mux.Handle(k+"/{id}", h(s.roomsRoomPage, nil))
	mux.Handle(k+"/{id}/uke", h(s.roomsRoomWeekPage, nil))
	mux.Handle(k+"/{id}/serie/ny", h(s.roomsSeriesNewPage, s.roomsSeriesNewPost))
	mux.Handle(k+"/{id}/serie/{sid}", h(s.roomsSeriesPage, s.roomsSeriesChangePost))
	mux.Handle(k+"/{id}/serie/{sid}/unntak", h(nil, s.roomsSeriesExceptionPost))
	mux.Handle(k+"/{id}/serie/{sid}/avslutt", h(nil, s.roomsSeriesEndPost))
	mux.Handle(k+"/{id}/booking/ny", h(s.roomsBookingNewPage, s.roomsBookingNewPost))
	mux.Handle(k+"/{id}/booking/{bid}/avlys", h(nil, s.roomsBookingCancelPost))
	mux.Handle(k+"/{id}/kalender", h(nil, s.roomsFeedPost))
	mux.Handle(p+"/rom/forespor/sendt", s.methods(lang, s.roomsRequestSentPage, nil))
	mux.Handle(p+"/rom/{id}/forespor", s.methods(lang, s.roomsRequestFormPage, s.roomsRequestFormPost))
	mux.Handle(p+"/rom/{id}/kalender.ics", roomsFeedPage(s.methods(lang, s.roomsFeed, nil)))
}

// roomsNotices are the confirmations after a change, by ?melding=.
var roomsNotices = map[string]string{
	"serie":     "rooms.notice_series",
	"endret":    "rooms.notice_changed",
	"unntak":    "rooms.notice_exception",
	"tilbake":   "rooms.notice_given_back",
	"avsluttet": "rooms.notice_ended",
	"slettet":   "rooms.notice_deleted",
	"booket":    "rooms.notice_booked",
	"avlyst":    "rooms.notice_cancelled",
	"stoppet":   "rooms.notice_feed_stopped",
	"godkjent":  "rooms.notice_approved",
	"avslatt":   "rooms.notice_declined",
	"avgjort":   "rooms.notice_decided_already",
}

// roomsView is what every staff page of the area has.
type roomsView struct {
	*officeView
	sc       *officeScope
	requests bool // the user may read room requests somewhere
}

func (s *site) newRoomsView(r *http.Request, lang, path string, me *auth.Current, sc *officeScope, section, titleID string,
	kv ...any) *roomsView {
	v := &roomsView{officeView: s.newOfficeView(r, lang, path, me, section, titleID, kv...), sc: sc}
	if n, ok := roomsNotices[r.URL.Query().Get("melding")]; ok {
		v.Notice = n
	}
	v.requests = sc.canAny(auth.ReadPersonalData)
	return v
}

// RoomsLinks are the area's pages, for its menu (template rooms_nav).
func (v *roomsView) RoomsLinks() []officeLink {
	out := []officeLink{{"/kontor/rom", "rooms.nav_rooms", "rooms"}, {"/kontor/rom/uke", "rooms.nav_week", "week"}}
	if v.requests {
		out = append(out, officeLink{"/kontor/romforesporsler", "rooms.nav_requests", "requests"})
	}
	return append(out, officeLink{"/kontor/rombruk", "rooms.nav_summary", "summary"})
}

// roomsScopeOf loads the scope, and answers 404 to a user who may see no
// listing anywhere (starters).
func (s *site) roomsScopeOf(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) (*officeScope, bool) {
	sc, err := s.officeScope(r.Context(), me)
	if err != nil {
		s.serverError(w, r, lang, err)
		return nil, false
	}
	if !sc.canAny(auth.ViewListing) {
		s.notFound(w, r, lang)
		return nil, false
	}
	return sc, true
}

// roomsPlace is a room with its venue.
type roomsPlace struct {
	Room  domain.Room
	Venue domain.Venue
}

// roomsLoad loads the room of the path and its venue, and checks perm
// against the venue's organisation: anything else is a 404.
func (s *site) roomsLoad(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current, perm auth.Permission) (*officeScope, roomsPlace, bool) {
	id := officePathID(r, "id")
	if id == "" {
		s.notFound(w, r, lang)
		return nil, roomsPlace{}, false
	}
	sc, err := s.officeScope(r.Context(), me)
	if err != nil {
		s.serverError(w, r, lang, err)
		return nil, roomsPlace{}, false
	}
	rm, err := s.store.RoomByID(r.Context(), id)
	if err != nil {
		s.officeErr(w, r, lang, err)
		return nil, roomsPlace{}, false
	}
	vn, err := s.store.Venue(r.Context(), rm.VenueID)
	if err != nil {
		s.officeErr(w, r, lang, err)
		return nil, roomsPlace{}, false
	}
	if vn.OrgID == "" && !sc.p.Admin || !sc.can(perm, vn.OrgID) {
		s.notFound(w, r, lang)
		return nil, roomsPlace{}, false
	}
	return sc, roomsPlace{rm, vn}, true
}

// roomsPlaces are the rooms of the venues whose organisation the user may
// do perm in, by venue name and room name.
func (s *site) roomsPlaces(ctx context.Context, sc *officeScope, perm auth.Permission) ([]roomsPlace, error) {
	venues, err := s.store.Venues(ctx)
	if err != nil {
		return nil, err
	}
	rooms, err := s.store.AllRooms(ctx)
	if err != nil {
		return nil, err
	}
	var out []roomsPlace
	for _, vn := range venues {
		if vn.OrgID == "" && !sc.p.Admin || !sc.can(perm, vn.OrgID) {
			continue
		}
		for _, rm := range rooms[vn.ID] {
			out = append(out, roomsPlace{rm, vn})
		}
	}
	domain.SortByName(out, func(p roomsPlace) string { return p.Venue.Name + "\x00" + p.Room.Name })
	return out, nil
}

// --- who uses a room, in words ---

// roomsNames knows the names of groups and organisations for the labels
// of bookings.
type roomsNames struct {
	groups map[string]domain.Group
	orgs   map[string]domain.Organisation
}

func (s *site) roomsNamesOf(ctx context.Context, sc *officeScope, groupIDs []string) (*roomsNames, error) {
	n := &roomsNames{groups: map[string]domain.Group{}, orgs: sc.byID}
	var ids []string
	for _, id := range groupIDs {
		if id != "" && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	if len(ids) > 0 {
		gs, err := s.store.GroupsByID(ctx, ids)
		if err != nil {
			return nil, err
		}
		for _, g := range gs {
			n.groups[g.ID] = g
		}
	}
	return n, nil
}

// who is the name of who uses the room: the group, the organisation, or
// the outside organisation.
func (n *roomsNames) who(v *officeView, groupID, orgID, holder string) Phrase {
	if g, ok := n.groups[groupID]; ok {
		return Phrase{g.Name.In(v.Lang), officeLangIf(g.Name.LangOf(v.Lang), v.Lang)}
	}
	if o, ok := n.orgs[orgID]; ok && orgID != "" {
		return Phrase{Text: o.Name}
	}
	if holder != "" {
		return Phrase{Text: holder}
	}
	return v.L("rooms.who_unknown")
}

// --- times ---

// roomsLoc is the zone of the rooms.
func roomsLoc() *time.Location {
	loc, err := domain.LoadLocation(store.RoomTimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Clock is "18.00" in the page's language and the rooms' zone.
func (v *officeView) Clock(t time.Time) string {
	return newWords(v.cat, v.Lang, "clock").clock(t.In(roomsLoc()))
}

// Span is "18.00–19.30"; a span into another day names its end's day.
func (v *officeView) Span(from, to time.Time) string {
	loc := roomsLoc()
	if from.In(loc).YearDay() != to.In(loc).YearDay() {
		return v.Clock(from) + "–" + v.S("rooms.next_day", "Time", v.Clock(to))
	}
	return v.Clock(from) + "–" + v.Clock(to)
}

// DayLong is "tirsdag 3. mars 2026".
func (v *officeView) DayLong(t time.Time) Phrase {
	w := newWords(v.cat, v.Lang, "date.long")
	return Phrase{ucfirst(w.dateLong(t.In(roomsLoc()))), w.lang}
}

// DayOf is a day (2026-03-03, as the store keeps days) in words.
func (v *officeView) DayOf(day string) Phrase {
	t, err := time.ParseInLocation("2006-01-02", day, roomsLoc())
	if err != nil {
		return Phrase{Text: day}
	}
	return v.DayLong(t.Add(12 * time.Hour))
}

// roomsWeek is an ISO week: its Monday at midnight in the rooms' zone.
type roomsWeek struct {
	Monday time.Time
	Year   int
	Week   int
}

func (w roomsWeek) Param() string { return fmt.Sprintf("%04d-W%02d", w.Year, w.Week) }

// Days are the week's days at midnight.
func (w roomsWeek) Days() []time.Time {
	out := make([]time.Time, 7)
	for i := range out {
		out[i] = time.Date(w.Monday.Year(), w.Monday.Month(), w.Monday.Day()+i, 0, 0, 0, 0, w.Monday.Location())
	}
	return out
}

// End is the Monday after.
func (w roomsWeek) End() time.Time {
	return time.Date(w.Monday.Year(), w.Monday.Month(), w.Monday.Day()+7, 0, 0, 0, 0, w.Monday.Location())
}

// roomsWeekOf is the ISO week of t in the rooms' zone.
func roomsWeekOf(t time.Time) roomsWeek {
	loc := roomsLoc()
	t = t.In(loc)
	y, wk := t.ISOWeek()
	off := (int(t.Weekday()) + 6) % 7
	return roomsWeek{Monday: time.Date(t.Year(), t.Month(), t.Day()-off, 0, 0, 0, 0, loc), Year: y, Week: wk}
}

// parseRoomsWeek reads "2026-W48"; "" is the week of now.
func parseRoomsWeek(s string, now time.Time) (roomsWeek, bool) {
	if s == "" {
		return roomsWeekOf(now), true
	}
	ys, ws, ok := strings.Cut(s, "-W")
	y, err1 := strconv.Atoi(ys)
	wk, err2 := strconv.Atoi(ws)
	if !ok || err1 != nil || err2 != nil || len(ys) != 4 || len(ws) != 2 || y < 2000 || y > 2100 || wk < 1 || wk > 53 {
		return roomsWeek{}, false
	}
	// The Monday of week 1 is the Monday of the week with 4 January.
	jan4 := time.Date(y, 1, 4, 12, 0, 0, 0, roomsLoc())
	w := roomsWeekOf(jan4.AddDate(0, 0, 7*(wk-1)))
	if w.Year != y || w.Week != wk {
		return roomsWeek{}, false // week 53 of a year with 52
	}
	return w, true
}

// roomsDayTime reads a date field and a time field as a time in the rooms'
// zone, with errors on the fields.
func roomsDayTime(v *officeView, dateField, timeField string) time.Time {
	date, clock := strings.TrimSpace(v.Val(dateField)), strings.TrimSpace(v.Val(timeField))
	var day time.Time
	switch d, ok := officeParseDate(date); {
	case date == "":
		v.fail(dateField, "rooms.err_date_missing")
	case !ok:
		v.fail(dateField, "office.err_date")
	default:
		day = d
	}
	var hh, mm int
	switch h, m, ok := officeParseClock(clock); {
	case clock == "":
		v.fail(timeField, "rooms.err_time_missing")
	case !ok:
		v.fail(timeField, "office.err_time")
	default:
		hh, mm = h, m
	}
	if day.IsZero() || v.Err(timeField) != nil {
		return time.Time{}
	}
	return time.Date(day.Year(), day.Month(), day.Day(), hh, mm, 0, 0, roomsLoc())
}

// roomsDay reads an optional date field as a day (2026-03-03).
func roomsDay(v *officeView, field string) string {
	s := strings.TrimSpace(v.Val(field))
	if s == "" {
		return ""
	}
	d, ok := officeParseDate(s)
	if !ok {
		v.fail(field, "office.err_date")
		return ""
	}
	return d.Format("2006-01-02")
}

// roomsMinutes are the lengths a form offers, in minutes.
var roomsMinutes = []int{30, 45, 60, 90, 120, 150, 180, 240, 300, 360, 480}

// roomsMinuteOptions sets the options of a select of lengths.
func roomsMinuteOptions(v *officeView, field string) {
	var os []officeOption
	for _, m := range roomsMinutes {
		os = append(os, officeOption{Value: strconv.Itoa(m), Text: roomsLength(v, m)})
	}
	if cur := v.Val(field); cur != "" && !slices.ContainsFunc(os, func(o officeOption) bool { return o.Value == cur }) {
		if n, err := strconv.Atoi(cur); err == nil && n > 0 {
			os = append(os, officeOption{Value: cur, Text: roomsLength(v, n)})
		}
	}
	v.opts(field, os)
}

// roomsLength is "1 time 30 minutter".
func roomsLength(v *officeView, m int) string {
	h, mm := m/60, m%60
	switch {
	case h == 0:
		return v.S("rooms.minutes", "N", mm)
	case mm == 0:
		s, _ := v.cat.Plural(v.Lang, "rooms.hours", h, nil)
		return s
	}
	s, _ := v.cat.Plural(v.Lang, "rooms.hours_minutes", h, map[string]any{"M": mm})
	return s
}

// --- clashes ---

// roomsClash is a clash in words, for the list next to the form.
type roomsClash struct {
	Who  Phrase
	Kind string // message id: a series or a one-off booking
	When Phrase
	Span string
}

// roomsClashes puts a clash error into words; nil when err is not one.
func (s *site) roomsClashes(ctx context.Context, v *roomsView, err error) ([]roomsClash, int, bool) {
	ce, ok := err.(*store.RoomClashError)
	if !ok {
		return nil, 0, false
	}
	var gids []string
	for _, c := range ce.Clashes {
		gids = append(gids, c.GroupID)
	}
	names, nerr := s.roomsNamesOf(ctx, v.sc, gids)
	if nerr != nil {
		names = &roomsNames{groups: map[string]domain.Group{}, orgs: v.sc.byID}
	}
	var out []roomsClash
	for _, c := range ce.Clashes {
		kind := "rooms.clash_once"
		if c.SeriesID != "" {
			kind = "rooms.clash_series"
		}
		who := names.who(v.officeView, c.GroupID, c.OrgID, c.Holder)
		if c.Title != "" && who.Text != c.Title {
			who.Text += " (" + c.Title + ")"
		}
		out = append(out, roomsClash{Who: who, Kind: kind, When: v.DayLong(c.StartsAt), Span: v.Span(c.StartsAt, c.EndsAt)})
	}
	return out, ce.More, true
}

// RoomsMenu reports whether the signed-in user has the rooms' pages, for
// the link in the back office's menu (template staff_nav): an
// administrator, a coordinator or a partner, past the second factor.
func (v staffView) RoomsMenu() bool {
	if v.Me == nil || v.Me.Stage() != auth.StageDone {
		return false
	}
	if v.Me.User.Admin {
		return true
	}
	for _, m := range v.Me.User.Memberships {
		if m.Role == store.RoleCoordinator || m.Role == store.RolePartner {
			return true
		}
	}
	return false
}
