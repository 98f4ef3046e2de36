package web

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
	"github.com/fellesrom/fellesrom/internal/i18n"
	"github.com/fellesrom/fellesrom/internal/store"
)

// The form of a group: create (/kontor/grupper/ny) and edit
// (/kontor/grupper/{id}/endre). The lifecycle status is set when a group
// is made; later it changes only with a reason, on the group's own page.

type officeGroupFormView struct {
	*officeView
	Group  domain.Group // as stored; empty for a new one
	New    bool
	Action string
}

var officeGroupFields = []string{"organisation", "name_nb", "name_en", "slug", "description_nb", "description_en", "model",
	"themes", "format", "languages", "age_group", "gender", "for_relatives", "capacity", "join", "takes_new", "status",
	"start_date", "start_time", "duration", "repeat", "rrule", "tz", "venue", "room", "municipality",
	"online_url", "online_phone", "online_notes"}

// Ways a group repeats, as the form offers them; each maps to a rule of
// the RRULE subset that domain.ParseRule accepts, on the weekday of the
// first meeting. "custom" takes a rule as typed.
var officeRepeats = []string{"once", "weekly", "biweekly", "monthly", "monthly_last", "custom"}

var officeRRuleDays = [...]string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}

// officeRepeatRule is the rule of a way to repeat from a first meeting
// (local time), or an error message id.
func officeRepeatRule(kind string, start time.Time) (string, string) {
	day := officeRRuleDays[start.Weekday()]
	switch kind {
	case "once":
		return "", ""
	case "weekly":
		return "FREQ=WEEKLY;BYDAY=" + day, ""
	case "biweekly":
		return "FREQ=WEEKLY;INTERVAL=2;BYDAY=" + day, ""
	case "monthly":
		n := (start.Day()-1)/7 + 1
		if n > 4 {
			return "", "office.err_repeat_fifth"
		}
		return "FREQ=MONTHLY;BYDAY=" + strconv.Itoa(n) + day, ""
	case "monthly_last":
		if start.AddDate(0, 0, 7).Month() == start.Month() {
			return "", "office.err_repeat_last"
		}
		return "FREQ=MONTHLY;BYDAY=-1" + day, ""
	}
	return "", "office.err_choose"
}

// officeRepeatOf is the way to repeat a schedule shows as in the form.
func officeRepeatOf(sc domain.Schedule) string {
	if sc.RRule == "" {
		return "once"
	}
	rule, err := domain.ParseRule(sc.RRule)
	if err != nil {
		return "custom"
	}
	for _, kind := range officeRepeats[1:5] {
		if want, msg := officeRepeatRule(kind, sc.LocalStart()); msg == "" && want == rule.String() {
			return kind
		}
	}
	return "custom"
}

func officeGroupForm(v *officeView, g domain.Group) {
	v.set("organisation", g.OrgID)
	v.set("name_nb", g.Name["nb"])
	v.set("name_en", g.Name["en"])
	v.set("slug", g.Slug)
	v.set("description_nb", g.Description["nb"])
	v.set("description_en", g.Description["en"])
	v.set("model", g.ModelID)
	v.form["themes"] = slices.Clone(g.ThemeIDs)
	v.set("format", string(g.Format))
	v.form["languages"] = slices.Clone(g.Languages)
	v.set("age_group", string(g.AgeGroup))
	v.set("gender", string(g.Gender))
	v.set("for_relatives", officeBool(g.ForRelatives))
	if g.Capacity > 0 {
		v.set("capacity", strconv.Itoa(g.Capacity))
	}
	v.set("join", string(g.Join))
	v.set("takes_new", officeBool(g.TakesNewMembers))
	v.set("status", string(g.Status))
	sc := g.Schedule
	v.set("tz", sc.TZ)
	if sc.TZ == "" {
		v.set("tz", domain.DefaultTimeZone)
	}
	if sc.Start.IsZero() {
		v.set("repeat", "weekly")
	} else {
		local := sc.LocalStart()
		v.set("start_date", local.Format("2006-01-02"))
		v.set("start_time", local.Format("15:04"))
		v.set("repeat", officeRepeatOf(sc))
		if v.Val("repeat") == "custom" {
			v.set("rrule", sc.RRule)
		}
	}
	if sc.DurationMin > 0 {
		v.set("duration", strconv.Itoa(sc.DurationMin))
	}
	v.set("venue", g.VenueID)
	v.set("room", g.RoomID)
	v.set("municipality", g.MunicipalityID)
	v.set("online_url", g.OnlineURL)
	v.set("online_phone", g.OnlinePhone)
	v.set("online_notes", g.OnlineNotes)
}

// officeOnline reads how to join online into g and shows each error of
// store.ValidateOnline at its field (unless the field has one already).
func (v *officeView) officeOnline(g *domain.Group) {
	g.OnlineURL = v.line("online_url", domain.MaxOnlineURL)
	g.OnlinePhone = v.line("online_phone", 40)
	g.OnlineNotes = v.line("online_notes", domain.MaxOnlineNotes)
	fields := map[error][2]string{
		store.ErrOnlineURL:      {"online_url", "office.err_online_url"},
		store.ErrOnlineNeedURL:  {"online_url", "office.err_online_url_missing"},
		store.ErrOnlinePhone:    {"online_phone", "office.err_online_phone"},
		store.ErrOnlineNeedDial: {"online_phone", "office.err_online_phone_missing"},
		store.ErrOnlineNotes:    {"online_notes", "office.err_control"}, // a carriage return: the length is checked above
	}
	for _, err := range store.ValidateOnline(g) {
		if f, ok := fields[err]; ok && v.Err(f[0]) == nil {
			v.fail(f[0], f[1])
		}
	}
}

// officeGroupOptions fills the selects, boxes and radio buttons.
func (s *site) officeGroupOptions(ctx context.Context, v *officeGroupFormView, sc *officeScope) error {
	v.opts("organisation", officeOrgOptions(sc.ordered(auth.EditListing)))
	models, err := s.store.Models(ctx)
	if err != nil {
		return err
	}
	ms := []officeOption{{Value: "", Text: v.S("office.choose")}}
	for _, m := range models {
		ms = append(ms, v.textOption(m.ID, m.Name))
	}
	v.opts("model", ms)
	themes, err := s.store.Themes(ctx)
	if err != nil {
		return err
	}
	var ts []officeOption
	for _, t := range themes {
		if t.Active || v.Has("themes", t.ID) {
			ts = append(ts, v.textOption(t.ID, t.Name))
		}
	}
	v.opts("themes", ts)
	v.opts("format", officeEnum(v.officeView, "format.", domain.Formats))
	codes := slices.Clone(i18n.LanguageNames)
	for _, l := range v.form["languages"] {
		if domain.ValidLanguage(l) && !slices.Contains(codes, l) {
			codes = append(codes, l)
		}
	}
	var ls []officeOption
	for _, c := range codes {
		ph := v.LangName(c)
		ls = append(ls, officeOption{Value: c, Text: ucfirst(ph.Text), Lang: officeLangIf(ph.Lang, v.Lang)})
	}
	v.opts("languages", ls)
	v.opts("age_group", officeEnum(v.officeView, "age.", domain.AgeGroups))
	v.opts("gender", officeEnum(v.officeView, "gender.", domain.Genders))
	v.opts("join", officeEnum(v.officeView, "office.join.", domain.JoinMethods))
	v.opts("status", officeEnum(v.officeView, "status.", domain.Statuses))
	v.opts("repeat", officeEnum(v.officeView, "office.repeat.", officeRepeats))

	// Venues and rooms of the organisation chosen in the form, and the
	// group's own if it has another's.
	if err := s.officeVenueRoomOptions(ctx, v.officeView, v.Group.VenueID, "office.group_venue_none",
		"office.group_room_none", nil); err != nil {
		return err
	}
	cs, by, _, err := s.officeMunicipalities(ctx)
	if err != nil {
		return err
	}
	v.municipalitySelect("municipality", cs, by)
	return nil
}

func (s *site) newOfficeGroupFormView(r *http.Request, lang string, me *auth.Current, g domain.Group) *officeGroupFormView {
	if g.ID == "" {
		v := &officeGroupFormView{officeView: s.newOfficeView(r, lang, "/kontor/grupper/ny", me, "groups", "office.group_new_title"), New: true}
		v.Action = v.Href("/kontor/grupper/ny")
		return v
	}
	path := "/kontor/grupper/" + g.ID + "/endre"
	v := &officeGroupFormView{officeView: s.newOfficeView(r, lang, path, me, "groups", "office.group_edit_title", "Name", g.Name.In(lang)), Group: g}
	v.Action = v.Href(path)
	return v
}

// officeGroupNewPage is GET /kontor/grupper/ny?organisasjon=ID.
func (s *site) officeGroupNewPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
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
	v := s.newOfficeGroupFormView(r, lang, me, domain.Group{})
	v.query = url.Values{"organisasjon": {org}}
	officeGroupForm(v.officeView, domain.Group{OrgID: org, Format: domain.FormatInPerson, Languages: []string{"nb"},
		AgeGroup: domain.AgeAdults, Gender: domain.GenderEveryone, Status: domain.StatusPlanned, Join: domain.JoinViaHouse,
		TakesNewMembers: true, Schedule: domain.Schedule{DurationMin: 90}})
	if err := s.officeGroupOptions(r.Context(), v, sc); err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	s.render(w, r, http.StatusOK, "office_group_form", v)
}

// officeGroupNewPost is POST /kontor/grupper/ny.
func (s *site) officeGroupNewPost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
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
	v := s.newOfficeGroupFormView(r, lang, me, domain.Group{})
	v.keep(r.PostForm, officeGroupFields...)
	s.officeGroupSave(w, r, lang, me, sc, v, domain.Group{})
}

// officeGroupEditPage is GET /kontor/grupper/{id}/endre.
func (s *site) officeGroupEditPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	sc, g, ok := s.officeGroupLoad(w, r, lang, me)
	if !ok {
		return
	}
	v := s.newOfficeGroupFormView(r, lang, me, g)
	officeGroupForm(v.officeView, g)
	if err := s.officeGroupOptions(r.Context(), v, sc); err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	s.render(w, r, http.StatusOK, "office_group_form", v)
}

// officeGroupEditPost is POST /kontor/grupper/{id}/endre.
func (s *site) officeGroupEditPost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	sc, g, ok := s.officeGroupLoad(w, r, lang, me)
	if !ok {
		return
	}
	if !s.officeParse(w, r, lang) {
		return
	}
	// Another organisation must be one the user may edit.
	if org := r.PostForm.Get("organisation"); org != g.OrgID && (org == "" || !sc.target(org)) {
		s.notFound(w, r, lang)
		return
	}
	v := s.newOfficeGroupFormView(r, lang, me, g)
	v.keep(r.PostForm, officeGroupFields...)
	v.set("status", string(g.Status)) // changed on the group's page, with a reason
	s.officeGroupSave(w, r, lang, me, sc, v, g)
}

// officeSchedule reads the schedule's fields. ExDates are kept from old.
func (v *officeView) officeSchedule(old domain.Schedule) domain.Schedule {
	date, clock := strings.TrimSpace(v.Val("start_date")), strings.TrimSpace(v.Val("start_time"))
	kind, raw := v.Val("repeat"), strings.TrimSpace(v.Val("rrule"))
	tz := v.line("tz", 64)
	if tz == "" {
		tz = domain.DefaultTimeZone
		v.set("tz", tz)
	}
	loc, err := domain.LoadLocation(tz)
	if err != nil || strings.HasPrefix(tz, "/") || strings.Contains(tz, "..") {
		v.fail("tz", "office.err_tz")
		loc = nil
	}
	duration := v.integer("duration", 0, 24*60, 0)
	if date == "" && clock == "" && (kind != "custom" || raw == "") {
		return domain.Schedule{} // not decided yet
	}
	var day time.Time
	if date == "" {
		v.fail("start_date", "office.err_date_missing")
	} else if d, ok := officeParseDate(date); !ok {
		v.fail("start_date", "office.err_date")
	} else {
		day = d
	}
	var hh, mm int
	if clock == "" {
		v.fail("start_time", "office.err_time_missing")
	} else if h, m, ok := officeParseClock(clock); !ok {
		v.fail("start_time", "office.err_time")
	} else {
		hh, mm = h, m
	}
	if day.IsZero() || loc == nil || v.Err("start_time") != nil {
		return domain.Schedule{}
	}
	start := time.Date(day.Year(), day.Month(), day.Day(), hh, mm, 0, 0, loc)
	sched := domain.Schedule{Start: start.UTC(), DurationMin: duration, TZ: tz, ExDates: old.ExDates}
	if kind == "custom" {
		rule := strings.ToUpper(strings.TrimPrefix(strings.TrimPrefix(raw, "RRULE:"), "rrule:"))
		switch {
		case rule == "":
			v.fail("rrule", "office.err_rrule_missing")
		case len(rule) > 200:
			v.fail("rrule", "office.err_rrule")
		default:
			if _, err := domain.ParseRule(rule); err != nil {
				v.fail("rrule", "office.err_rrule")
			}
		}
		sched.RRule = rule
	} else {
		rule, msg := officeRepeatRule(kind, start)
		if msg != "" {
			v.fail("repeat", msg)
		}
		sched.RRule = rule
	}
	if len(v.Errors) == 0 {
		if err := sched.Validate(); err != nil {
			v.fail("rrule", "office.err_rrule")
		}
	}
	return sched
}

// officeParseDate reads 2026-03-03 (what a date field sends) or 3.3.2026.
func officeParseDate(s string) (time.Time, bool) {
	for _, layout := range []string{"2006-01-02", "2.1.2006"} {
		if t, err := time.Parse(layout, s); err == nil && t.Year() >= 1900 && t.Year() <= 2200 {
			return t, true
		}
	}
	return time.Time{}, false
}

// officeParseClock reads 18:30 (what a time field sends) or 18.30.
func officeParseClock(s string) (int, int, bool) {
	s = strings.ReplaceAll(s, ".", ":")
	for _, layout := range []string{"15:04", "15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Hour(), t.Minute(), true
		}
	}
	return 0, 0, false
}

// officeGroupSave reads the form into g and saves it, or shows the form
// again with what is wrong and what was typed.
func (s *site) officeGroupSave(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current, sc *officeScope, v *officeGroupFormView, g domain.Group) {
	ctx := r.Context()
	old := g
	g.OrgID = v.Val("organisation")
	g.Name = officeWithText(g.Name, "nb", v.required("name_nb", 200, "office.err_name"))
	g.Name = officeWithText(g.Name, "en", v.line("name_en", 200))
	g.Slug = v.slugField(g.Name["nb"])
	if g.Slug != "" && v.Err("slug") == nil {
		if other, err := s.store.Group(ctx, g.Slug); err == nil && other.ID != g.ID {
			v.fail("slug", "office.err_slug_taken")
		} else if err != nil && !errors.Is(err, store.ErrNotFound) {
			s.serverError(w, r, lang, err)
			return
		}
	}
	g.Description = officeWithText(g.Description, "nb", v.text("description_nb", 5000))
	g.Description = officeWithText(g.Description, "en", v.text("description_en", 5000))
	models, err := s.store.Models(ctx)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	g.ModelID = v.Val("model")
	if !slices.ContainsFunc(models, func(m domain.Model) bool { return m.ID == g.ModelID }) {
		v.fail("model", "office.err_model")
	}
	themes, err := s.store.Themes(ctx)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	g.ThemeIDs = nil
	for _, id := range v.form["themes"] {
		if !slices.ContainsFunc(themes, func(t domain.Theme) bool { return t.ID == id }) {
			v.fail("themes", "office.err_choose")
			break
		}
		g.ThemeIDs = append(g.ThemeIDs, id)
	}
	g.Format = officeChoice(v.officeView, "format", domain.Formats, "office.err_choose")
	g.Languages = nil
	for _, l := range v.form["languages"] {
		if !domain.ValidLanguage(l) {
			v.fail("languages", "office.err_choose")
			break
		}
		g.Languages = append(g.Languages, l)
	}
	g.AgeGroup = officeChoice(v.officeView, "age_group", domain.AgeGroups, "office.err_choose")
	g.Gender = officeChoice(v.officeView, "gender", domain.Genders, "office.err_choose")
	g.ForRelatives = v.checked("for_relatives")
	g.Capacity = v.integer("capacity", 0, 500, 0)
	g.Join = officeChoice(v.officeView, "join", domain.JoinMethods, "office.err_choose")
	g.TakesNewMembers = v.checked("takes_new")
	if v.New {
		g.Status = officeChoice(v.officeView, "status", domain.Statuses, "office.err_choose")
	}
	g.Schedule = v.officeSchedule(old.Schedule)

	// Where: a venue of the organisation (or the one the group has), a room
	// of that venue, and the municipality.
	g.VenueID, g.RoomID, g.MunicipalityID = v.Val("venue"), v.Val("room"), v.Val("municipality")
	_, _, known, err := s.officeMunicipalities(ctx)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	if g.MunicipalityID != "" && !known[g.MunicipalityID] {
		v.fail("municipality", "office.err_municipality")
	}
	if g.VenueID != "" {
		x, err := s.store.Venue(ctx, g.VenueID)
		switch {
		case !store.ValidID(g.VenueID) || errors.Is(err, store.ErrNotFound) || x.OrgID != g.OrgID && x.ID != old.VenueID:
			v.fail("venue", "office.err_venue")
		case err != nil:
			s.serverError(w, r, lang, err)
			return
		case g.Format == domain.FormatTelephone || g.Format == domain.FormatVideo:
			v.fail("venue", "office.err_venue_remote")
		default:
			if g.MunicipalityID == "" {
				g.MunicipalityID = x.MunicipalityID
				v.set("municipality", g.MunicipalityID)
			}
		}
	}
	if g.RoomID != "" {
		rooms, err := s.store.Rooms(ctx, g.VenueID)
		if err != nil {
			s.serverError(w, r, lang, err)
			return
		}
		if g.VenueID == "" || !slices.ContainsFunc(rooms, func(rm domain.Room) bool { return rm.ID == g.RoomID }) {
			v.fail("room", "office.err_room")
		}
	}
	if (g.Format == domain.FormatInPerson || g.Format == domain.FormatHybrid) && g.VenueID == "" && g.MunicipalityID == "" {
		v.fail("venue", "office.err_where")
	}
	v.officeOnline(&g)
	if len(v.Errors) == 0 {
		if err := store.ValidateGroup(&g); err != nil {
			s.log.Warn("office: a group the form accepted is not valid", "err", err)
			v.fail("", "office.err_group")
		}
	}
	if len(v.Errors) > 0 {
		if err := s.officeGroupOptions(ctx, v, sc); err != nil {
			s.serverError(w, r, lang, err)
			return
		}
		s.officeFail(w, r, "office_group_form", v)
		return
	}
	isNew := g.ID == ""
	if err := s.store.SaveGroup(officeCtx(r, me), &g, me.User.ID, ""); err != nil {
		s.officeErr(w, r, lang, err)
		return
	}
	notice := "lagret"
	if isNew {
		notice = "opprettet"
	}
	s.officeDone(w, r, lang, "/kontor/grupper/"+g.ID, notice)
}

// officeVenueRoomOptions fills the form's "venue" and "room" selects: the
// venues of the organisation chosen in the form (and current, the venue the
// object has now, if it is another's), each with its rooms as a group of
// options; noneVenue and noneRoom label the empty choices, roomText (nil:
// the room's name) the rooms.
func (s *site) officeVenueRoomOptions(ctx context.Context, v *officeView, current, noneVenue, noneRoom string,
	roomText func(domain.Room) string) error {
	venues, err := s.store.Venues(ctx)
	if err != nil {
		return err
	}
	rooms, err := s.store.AllRooms(ctx)
	if err != nil {
		return err
	}
	if roomText == nil {
		roomText = func(rm domain.Room) string { return rm.Name }
	}
	org := v.Val("organisation")
	var mine []domain.Venue
	for _, x := range venues {
		if x.OrgID == org && org != "" || x.ID == current && x.ID != "" {
			mine = append(mine, x)
		}
	}
	domain.SortByName(mine, func(x domain.Venue) string { return x.Name })
	vs := []officeOption{{Value: "", Text: v.S(noneVenue)}}
	roomGroups := []officeOptGroup{{Options: []officeOption{{Value: "", Text: v.S(noneRoom)}}}}
	for _, x := range mine {
		vs = append(vs, officeOption{Value: x.ID, Text: officeVenueLabel(x)})
		if rs := rooms[x.ID]; len(rs) > 0 {
			g := officeOptGroup{Label: x.Name}
			for _, rm := range rs {
				g.Options = append(g.Options, officeOption{Value: rm.ID, Text: roomText(rm)})
			}
			roomGroups = append(roomGroups, g)
		}
	}
	v.opts("venue", vs)
	v.options["room"] = roomGroups
	return nil
}
