package web

// Series of a room: a new one (/kontor/rom/{id}/serie/ny, from a group's
// schedule with ?gruppe=), and a series' page (/kontor/rom/{id}/serie/{sid})
// with its days off, a change from a day on, and its end. Every write is
// checked by the store against every other booking of the room; a clash
// shows the form again with what it clashes with, and when.

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
)

// roomsSeriesFields are the fields of a series' form; the who fields
// (roomsWhoFields) come with them.
var roomsSeriesFields = []string{"start_date", "start_time", "minutes", "repeat", "rrule", "until", "exception", "from"}

// roomsWhoFields say who uses the room.
var roomsWhoFields = []string{"who", "group", "org", "holder", "title"}

// roomsRepeats are the ways a series repeats (office.repeat.* words).
var roomsRepeats = []string{"weekly", "biweekly", "monthly", "monthly_last", "custom"}

// roomsFormView is a page with a form of a booking or a series.
type roomsFormView struct {
	*roomsView
	Place   roomsPlace
	Action  string
	Clashes []roomsClash
	More    int
	// A series' page:
	Series          *store.RoomSeries
	Who             Phrase
	Words           Phrase
	Exceptions      []roomsException
	ExceptionAction string
	EndAction       string
	groups          map[string]bool
	orgs            map[string]bool
}

// HasExceptionOptions reports whether the form offers days off (those of
// a group's schedule, when a series is made from it).
func (v *roomsFormView) HasExceptionOptions() bool {
	for _, g := range v.options["exception"] {
		if len(g.Options) > 0 {
			return true
		}
	}
	return false
}

type roomsException struct {
	Day    Phrase
	Value  string
	Reason string // message id
}

// roomsWhoOptions sets the options of who uses the room: the groups of the
// venue's organisation and those under it (not ended), the organisations
// the user sees, or an outside organisation by name.
func (s *site) roomsWhoOptions(ctx context.Context, v *roomsFormView) error {
	v.groups, v.orgs = map[string]bool{}, map[string]bool{}
	orgs := []string{v.Place.Venue.OrgID}
	for i := 0; i < len(orgs); i++ {
		orgs = append(orgs, v.sc.kids[orgs[i]]...)
	}
	var gs []officeOption
	for _, o := range orgs {
		if o == "" {
			continue
		}
		groups, err := s.store.GroupsOfOrganisation(ctx, o)
		if err != nil {
			return err
		}
		for _, g := range groups {
			if g.Status == domain.StatusEnded {
				continue
			}
			v.groups[g.ID] = true
			gs = append(gs, v.textOption(g.ID, g.Name))
		}
	}
	v.opts("group", append([]officeOption{{Value: "", Text: v.S("office.choose")}}, gs...))
	os := []officeOption{{Value: "", Text: v.S("office.choose")}}
	for _, ref := range v.sc.ordered(auth.ViewListing) {
		v.orgs[ref.Org.ID] = true
		os = append(os, officeOption{Value: ref.Org.ID, Text: ref.Org.Name, Depth: ref.Depth})
	}
	v.opts("org", os)
	v.opts("who", officeEnum(v.officeView, "rooms.who_", []string{"group", "org", "other"}))
	return nil
}

// roomsWhoRead reads who uses the room.
func roomsWhoRead(v *roomsFormView) (group, org, holder, title string) {
	switch officeChoice(v.officeView, "who", []string{"group", "org", "other"}, "rooms.err_who") {
	case "group":
		if group = v.Val("group"); !v.groups[group] {
			v.fail("group", "rooms.err_group")
		}
	case "org":
		if org = v.Val("org"); !v.orgs[org] {
			v.fail("org", "rooms.err_org")
		}
	case "other":
		holder = v.required("holder", store.MaxBookingText, "rooms.err_holder")
	}
	title = v.line("title", store.MaxBookingText)
	return group, org, holder, title
}

// roomsSeriesRead reads the times of a series.
func roomsSeriesRead(v *roomsFormView) store.RoomSeries {
	var sr store.RoomSeries
	start := roomsDayTime(v.officeView, "start_date", "start_time")
	sr.Minutes = v.integer("minutes", 5, 24*60, 0)
	if sr.Minutes == 0 && v.Err("minutes") == nil {
		v.fail("minutes", "rooms.err_minutes")
	}
	kind := officeChoice(v.officeView, "repeat", roomsRepeats, "office.err_choose")
	if !start.IsZero() {
		sr.Start = start.UTC()
		switch kind {
		case "custom":
			raw := strings.ToUpper(strings.TrimPrefix(strings.TrimSpace(v.Val("rrule")), "RRULE:"))
			rule, err := domain.ParseRule(raw)
			switch {
			case raw == "":
				v.fail("rrule", "office.err_rrule_missing")
			case len(raw) > 200 || err != nil:
				v.fail("rrule", "office.err_rrule")
			}
			sr.Rule = rule.String()
		case "":
		default:
			rule, msg := officeRepeatRule(kind, start)
			if msg != "" {
				v.fail("repeat", msg)
			}
			sr.Rule = rule
		}
	}
	sr.Until = roomsDay(v.officeView, "until")
	if sr.Until != "" && !start.IsZero() {
		switch {
		case sr.Until < start.Format("2006-01-02"):
			v.fail("until", "rooms.err_until_before")
		case sr.Until > start.AddDate(store.SeriesMaxYears, 0, 0).Format("2006-01-02"):
			v.fail("until", "rooms.err_until_far", "Years", store.SeriesMaxYears)
		}
	}
	for _, d := range v.form["exception"] {
		if store.ValidBookingDay(d) {
			sr.Exceptions = append(sr.Exceptions, store.SeriesException{Day: d, Reason: "holiday"})
		}
	}
	return sr
}

// roomsStoreErr puts a store error of a write on the form: a clash as a
// list next to the times, a series with no meeting on the repeat. It
// reports false for another error.
func (s *site) roomsStoreErr(ctx context.Context, v *roomsFormView, err error) bool {
	if cs, more, ok := s.roomsClashes(ctx, v.roomsView, err); ok {
		v.Clashes, v.More = cs, more
		v.fail("clashes", "rooms.err_clash")
		return true
	}
	if errors.Is(err, store.ErrSeries) {
		v.fail("repeat", "rooms.err_no_meeting")
		return true
	}
	return false
}

func (s *site) newRoomsForm(r *http.Request, lang, path string, me *auth.Current, sc *officeScope, p roomsPlace,
	titleID string, kv ...any) *roomsFormView {
	v := &roomsFormView{roomsView: s.newRoomsView(r, lang, path, me, sc, "rooms", titleID, kv...), Place: p}
	v.Action = v.Href(path)
	return v
}

// roomsSeriesOptions sets the selects of the series' form.
func (s *site) roomsSeriesOptions(ctx context.Context, v *roomsFormView) error {
	roomsMinuteOptions(v.officeView, "minutes")
	v.opts("repeat", officeEnum(v.officeView, "office.repeat.", roomsRepeats))
	if err := s.roomsWhoOptions(ctx, v); err != nil {
		return err
	}
	var ex []officeOption
	for _, d := range v.form["exception"] {
		if store.ValidBookingDay(d) {
			ex = append(ex, officeOption{Value: d, Text: v.DayOf(d).Text})
		}
	}
	v.opts("exception", ex)
	return nil
}

// roomsSeriesFill puts a series (or a group's schedule) in the form.
func roomsSeriesFill(v *officeView, sr store.RoomSeries) {
	local := sr.Start.In(roomsLoc())
	v.set("start_date", local.Format("2006-01-02"))
	v.set("start_time", local.Format("15:04"))
	v.set("minutes", strconv.Itoa(sr.Minutes))
	v.set("until", sr.Until)
	v.set("repeat", "custom")
	v.set("rrule", sr.Rule)
	for _, kind := range roomsRepeats[:4] {
		if rule, msg := officeRepeatRule(kind, local); msg == "" && rule == sr.Rule {
			v.set("repeat", kind)
			v.set("rrule", "")
		}
	}
	switch {
	case sr.GroupID != "":
		v.set("who", "group")
		v.set("group", sr.GroupID)
	case sr.OrgID != "":
		v.set("who", "org")
		v.set("org", sr.OrgID)
	case sr.Holder != "":
		v.set("who", "other")
		v.set("holder", sr.Holder)
	}
	v.set("title", sr.Title)
}

// roomsFromGroup is the series a group's schedule gives: from its next
// meeting on or after today, at its time and length, its rule without an
// end (which becomes the last day), its cancelled days to come.
func roomsFromGroup(g domain.Group, now time.Time) (store.RoomSeries, bool) {
	sc := g.Schedule
	if sc.Start.IsZero() || sc.RRule == "" {
		return store.RoomSeries{}, false
	}
	rule, err := domain.ParseRule(sc.RRule)
	if err != nil {
		return store.RoomSeries{}, false
	}
	next := sc.Next(now, 1)
	if len(next) == 0 {
		return store.RoomSeries{}, false
	}
	sr := store.RoomSeries{GroupID: g.ID, Start: next[0].UTC(), Minutes: sc.DurationMin}
	if sr.Minutes == 0 {
		sr.Minutes = 90
	}
	if rule.Count > 0 || !rule.Until.IsZero() {
		all := sc.Next(now, 1000)
		sr.Until = store.DayOf(all[len(all)-1])
	}
	rule.Count, rule.Until = 0, time.Time{}
	sr.Rule = rule.String()
	for _, x := range sc.ExDates {
		if !x.Before(now) {
			sr.Exceptions = append(sr.Exceptions, store.SeriesException{Day: store.DayOf(x), Reason: "holiday"})
		}
	}
	return sr, true
}

// roomsSeriesNewPage is GET /kontor/rom/{id}/serie/ny[?gruppe=].
func (s *site) roomsSeriesNewPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	sc, p, ok := s.roomsLoad(w, r, lang, me, auth.EditListing)
	if !ok {
		return
	}
	ctx := r.Context()
	v := s.newRoomsForm(r, lang, "/kontor/rom/"+p.Room.ID+"/serie/ny", me, sc, p, "rooms.series_new_title", "Room", p.Room.Name)
	if err := s.roomsWhoOptions(ctx, v); err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	v.set("who", "group")
	v.set("repeat", "weekly")
	v.set("minutes", "90")
	if gid := r.URL.Query().Get("gruppe"); gid != "" {
		if !v.groups[gid] {
			s.notFound(w, r, lang)
			return
		}
		g, err := s.store.Group(ctx, gid)
		if err != nil {
			s.officeErr(w, r, lang, err)
			return
		}
		if sr, ok := roomsFromGroup(g, s.now()); ok {
			roomsSeriesFill(v.officeView, sr)
			for _, x := range sr.Exceptions {
				v.form["exception"] = append(v.form["exception"], x.Day)
			}
		}
		v.set("who", "group")
		v.set("group", gid)
	}
	if err := s.roomsSeriesOptions(ctx, v); err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	s.render(w, r, http.StatusOK, "rooms_series", v)
}

// roomsSeriesNewPost is POST /kontor/rom/{id}/serie/ny.
func (s *site) roomsSeriesNewPost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	sc, p, ok := s.roomsLoad(w, r, lang, me, auth.EditListing)
	if !ok || !s.officeParse(w, r, lang) {
		return
	}
	ctx := r.Context()
	v := s.newRoomsForm(r, lang, "/kontor/rom/"+p.Room.ID+"/serie/ny", me, sc, p, "rooms.series_new_title", "Room", p.Room.Name)
	v.keep(r.PostForm, append(roomsSeriesFields, roomsWhoFields...)...)
	if err := s.roomsSeriesOptions(ctx, v); err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	group, org, holder, title := roomsWhoRead(v)
	sr := roomsSeriesRead(v)
	sr.RoomID, sr.GroupID, sr.OrgID, sr.Holder, sr.Title = p.Room.ID, group, org, holder, title
	if len(v.Errors) == 0 {
		err := s.store.SaveSeries(officeCtx(r, me), &sr, s.now())
		if err != nil && !s.roomsStoreErr(ctx, v, err) {
			s.officeErr(w, r, lang, err)
			return
		}
	}
	if len(v.Errors) > 0 {
		s.officeFail(w, r, "rooms_series", v)
		return
	}
	s.officeDone(w, r, lang, "/kontor/rom/"+p.Room.ID+"/serie/"+sr.ID, "serie")
}

// roomsSeriesLoad loads the series of the path, of the room of the path.
func (s *site) roomsSeriesLoad(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) (*officeScope, roomsPlace, store.RoomSeries, bool) {
	sc, p, ok := s.roomsLoad(w, r, lang, me, auth.EditListing)
	if !ok {
		return nil, p, store.RoomSeries{}, false
	}
	id := officePathID(r, "sid")
	sr, err := s.store.Series(r.Context(), id)
	if id == "" || errors.Is(err, store.ErrNotFound) || err == nil && sr.RoomID != p.Room.ID {
		s.notFound(w, r, lang)
		return nil, p, sr, false
	}
	if err != nil {
		s.serverError(w, r, lang, err)
		return nil, p, sr, false
	}
	return sc, p, sr, true
}

// roomsSeriesView is the series' page, its form filled from sr.
func (s *site) roomsSeriesView(r *http.Request, lang string, me *auth.Current, sc *officeScope, p roomsPlace, sr store.RoomSeries) (*roomsFormView, error) {
	path := "/kontor/rom/" + p.Room.ID + "/serie/" + sr.ID
	v := s.newRoomsForm(r, lang, path, me, sc, p, "rooms.series_title", "Room", p.Room.Name)
	v.Series = &sr
	v.ExceptionAction, v.EndAction = v.Href(path+"/unntak"), v.Href(path+"/avslutt")
	names, err := s.roomsNamesOf(r.Context(), sc, []string{sr.GroupID})
	if err != nil {
		return nil, err
	}
	v.Who, v.Words = names.who(v.officeView, sr.GroupID, sr.OrgID, sr.Holder), v.SeriesWords(sr)
	for _, x := range sr.Exceptions {
		v.Exceptions = append(v.Exceptions, roomsException{Day: v.DayOf(x.Day), Value: x.Day, Reason: "rooms.reason_" + x.Reason})
	}
	return v, nil
}

// roomsSeriesFormDefaults fills the change form: the series as it is, from
// today (or its first meeting, if later).
func (s *site) roomsSeriesFormDefaults(v *roomsFormView, sr store.RoomSeries) {
	roomsSeriesFill(v.officeView, sr)
	from := store.DayOf(s.now())
	if first := sr.FirstDay(); first > from {
		from = first
	}
	v.set("from", from)
	// The change form starts at the series' next meeting, so that its day
	// of the week (or of the month) is the series'.
	if day, err := time.ParseInLocation("2006-01-02", from, roomsLoc()); err == nil {
		if next := sr.Schedule().Next(day, 1); len(next) > 0 {
			v.set("start_date", next[0].In(roomsLoc()).Format("2006-01-02"))
		}
	}
	v.set("except_reason", "holiday")
}

// roomsSeriesPage is GET /kontor/rom/{id}/serie/{sid}.
func (s *site) roomsSeriesPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	sc, p, sr, ok := s.roomsSeriesLoad(w, r, lang, me)
	if !ok {
		return
	}
	v, err := s.roomsSeriesView(r, lang, me, sc, p, sr)
	if err == nil {
		s.roomsSeriesFormDefaults(v, sr)
		err = s.roomsSeriesOptions(r.Context(), v)
	}
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	s.roomsExceptReasons(v)
	s.render(w, r, http.StatusOK, "rooms_series", v)
}

func (s *site) roomsExceptReasons(v *roomsFormView) {
	v.opts("except_reason", officeEnum(v.officeView, "rooms.reason_", store.ExceptionReasons))
}

// roomsSeriesChangePost is POST /kontor/rom/{id}/serie/{sid}: the series
// changed from a day on.
func (s *site) roomsSeriesChangePost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	sc, p, sr, ok := s.roomsSeriesLoad(w, r, lang, me)
	if !ok || !s.officeParse(w, r, lang) {
		return
	}
	ctx := r.Context()
	v, err := s.roomsSeriesView(r, lang, me, sc, p, sr)
	if err == nil {
		v.keep(r.PostForm, append(roomsSeriesFields, roomsWhoFields...)...)
		err = s.roomsSeriesOptions(ctx, v)
	}
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	s.roomsExceptReasons(v)
	v.set("except_reason", "holiday")
	from := roomsDay(v.officeView, "from")
	if from == "" && v.Err("from") == nil {
		v.fail("from", "rooms.err_from_missing")
	}
	group, org, holder, title := roomsWhoRead(v)
	next := roomsSeriesRead(v)
	next.RoomID, next.GroupID, next.OrgID, next.Holder, next.Title = p.Room.ID, group, org, holder, title
	if len(v.Errors) == 0 {
		err := s.store.ChangeSeries(officeCtx(r, me), sr.ID, from, &next, s.now())
		if err != nil && !s.roomsStoreErr(ctx, v, err) {
			s.officeErr(w, r, lang, err)
			return
		}
	}
	if len(v.Errors) > 0 {
		s.officeFail(w, r, "rooms_series", v)
		return
	}
	s.officeDone(w, r, lang, "/kontor/rom/"+p.Room.ID+"/serie/"+next.ID, "endret")
}

// roomsSeriesExceptionPost is POST /kontor/rom/{id}/serie/{sid}/unntak:
// a day off (day, except_reason), or, with give_back, a day given back
// (checked like a new meeting).
func (s *site) roomsSeriesExceptionPost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	sc, p, sr, ok := s.roomsSeriesLoad(w, r, lang, me)
	if !ok || !s.officeParse(w, r, lang) {
		return
	}
	ctx := r.Context()
	v, err := s.roomsSeriesView(r, lang, me, sc, p, sr)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	s.roomsSeriesFormDefaults(v, sr)
	v.keep(r.PostForm, "day", "except_reason")
	if err := s.roomsSeriesOptions(ctx, v); err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	s.roomsExceptReasons(v)
	back := r.PostForm.Get("give_back")
	day, reason, notice := back, "", "tilbake"
	if back == "" {
		notice = "unntak"
		day = roomsDay(v.officeView, "day")
		if day == "" && v.Err("day") == nil {
			v.fail("day", "rooms.err_day_missing")
		}
		reason = officeChoice(v.officeView, "except_reason", store.ExceptionReasons, "office.err_choose")
	} else if !slices.ContainsFunc(sr.Exceptions, func(x store.SeriesException) bool { return x.Day == back }) {
		s.notFound(w, r, lang)
		return
	}
	if len(v.Errors) == 0 {
		err := s.store.SetException(officeCtx(r, me), sr.ID, day, reason, back == "", s.now())
		switch {
		case errors.Is(err, store.ErrNotMeeting):
			v.fail("day", "rooms.err_not_meeting")
		case err != nil && !s.roomsStoreErr(ctx, v, err):
			s.officeErr(w, r, lang, err)
			return
		}
	}
	if len(v.Errors) > 0 {
		s.officeFail(w, r, "rooms_series", v)
		return
	}
	s.officeDone(w, r, lang, "/kontor/rom/"+p.Room.ID+"/serie/"+sr.ID, notice)
}

// roomsSeriesEndPost is POST /kontor/rom/{id}/serie/{sid}/avslutt: no
// meetings from the day end_from on (a series that has not met is deleted).
func (s *site) roomsSeriesEndPost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	sc, p, sr, ok := s.roomsSeriesLoad(w, r, lang, me)
	if !ok || !s.officeParse(w, r, lang) {
		return
	}
	v, err := s.roomsSeriesView(r, lang, me, sc, p, sr)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	s.roomsSeriesFormDefaults(v, sr)
	v.keep(r.PostForm, "end_from")
	if err := s.roomsSeriesOptions(r.Context(), v); err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	s.roomsExceptReasons(v)
	from := roomsDay(v.officeView, "end_from")
	if from == "" && v.Err("end_from") == nil {
		v.fail("end_from", "rooms.err_from_missing")
	}
	if len(v.Errors) > 0 {
		s.officeFail(w, r, "rooms_series", v)
		return
	}
	deleted, err := s.store.EndSeries(officeCtx(r, me), sr.ID, from, s.now())
	if err != nil {
		s.officeErr(w, r, lang, err)
		return
	}
	if deleted {
		s.officeDone(w, r, lang, "/kontor/rom/"+p.Room.ID, "slettet")
		return
	}
	s.officeDone(w, r, lang, "/kontor/rom/"+p.Room.ID+"/serie/"+sr.ID, "avsluttet")
}
