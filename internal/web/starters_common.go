package web

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/i18n"
	"github.com/fellesrom/fellesrom/internal/store"
)

// Starters (igangsettere) and volunteers (issue 5, item 2): the
// coordinator's pages of profiles, courses, who is free to start a group,
// and assignments, and the starter's own page of their groups (files
// starters_*.go, templates starters_*.html, messages
// locales/starters.*.json).
//
// Authorisation.
//
//	profiles, courses, who is free,   auth.ReadPersonalData in the profile's
//	assignments                       organisation (or the group's, for an
//	                                  assignment): coordinators in their part
//	                                  of the tree, administrators
//	/kontor/mine-grupper              a user with the starter role (and the
//	                                  second factor): only their own
//	                                  assignments; an assignment of anyone
//	                                  else is a 404, to GET and POST alike
//
// Each handler loads the object it is about — a profile's organisation
// (without reading the profile), an assignment — and checks the rule
// against it before it reads anything else; anything else answers 404, as
// for something that does not exist. An organisation, account or group
// named in a form is checked the same way. Every read of profiles is an
// audited store read (starter.read, starter.list); the starter's page reads
// the people placed in their groups through store.Enquiries (one
// enquiry.list audit row per group), only while the assignment is open,
// and shows their first name and contact only. Filters (an area, a
// language) are in the query; they name no person.

func init() { staffAreas = append(staffAreas, startersRoutes) }

func startersRoutes(s *site, mux *http.ServeMux, lang, p string) {
	h := s.staffHandlers(lang)
	k := p + "/kontor/"
	mux.Handle(k+"igangsettere", h(s.startersListPage, nil))
	mux.Handle(k+"igangsettere/ny", h(s.startersNewPage, s.startersNewPost))
	mux.Handle(k+"igangsettere/ledige", h(s.startersFreePage, nil))
	mux.Handle(k+"igangsettere/{id}", h(s.startersEditPage, s.startersEditPost))
	mux.Handle(k+"igangsettere/{id}/slett", h(nil, s.startersDeletePost))
	mux.Handle(k+"igangsettere/{id}/kurs", h(nil, s.startersCoursePost))
	mux.Handle(k+"igangsettere/{id}/kurs/{course}/slett", h(nil, s.startersCourseDeletePost))
	mux.Handle(k+"igangsettere/{id}/oppdrag", h(nil, s.startersAssignPost))
	mux.Handle(k+"igangsetteroppdrag", h(s.startersAssignmentsPage, nil))
	mux.Handle(k+"igangsetteroppdrag/{id}", h(s.startersAssignmentPage, s.startersAssignmentPost))
	mux.Handle(k+"mine-grupper", h(s.startersMinePage, nil))
	mux.Handle(k+"mine-grupper/{id}/oppfolging", h(nil, s.startersFollowUpPost))
	mux.Handle(k+"mine-grupper/{id}/overlevert", h(nil, s.startersHandOverPost))
}

// startersNotices are the confirmations after a change, by ?melding=.
var startersNotices = map[string]string{
	"opprettet":  "starters.notice_created",
	"lagret":     "starters.notice_saved",
	"slettet":    "starters.notice_deleted",
	"kurs":       "starters.notice_course",
	"kurs-slett": "starters.notice_course_deleted",
	"tildelt":    "starters.notice_assigned",
	"planlagt":   "starters.notice_planned",
	"oppfolging": "starters.notice_follow_up",
	"overlevert": "starters.notice_handed_over",
}

// startersView is what every page of the area has: the directory's view
// (its form helpers and parts) and the area's menu.
type startersView struct {
	*officeView
}

func (s *site) newStartersView(r *http.Request, lang, path string, me *auth.Current, section, titleID string, kv ...any) startersView {
	v := startersView{s.newOfficeView(r, lang, path, me, section, titleID, kv...)}
	v.Notice = startersNotices[r.URL.Query().Get("melding")]
	return v
}

// StartersLinks are the coordinator's pages of the area, for its menu
// (template starters_nav).
func (v startersView) StartersLinks() []officeLink {
	return []officeLink{{"/kontor/igangsettere", "starters.nav_list", "starters"},
		{"/kontor/igangsettere/ledige", "starters.nav_free", "starters_free"},
		{"/kontor/igangsetteroppdrag", "starters.nav_assignments", "starters_assignments"},
		{"/kontor/igangsettere/ny", "starters.nav_new", "starters_new"}}
}

// StartersManages reports whether the signed-in user has the coordinator's
// pages of the area (for the staff menu): an administrator, or a
// coordinator.
func (v staffView) StartersManages() bool {
	if v.Me == nil || v.Me.Stage() != auth.StageDone {
		return false
	}
	return v.Me.User.Admin || slices.ContainsFunc(v.Me.User.Memberships, func(m store.Membership) bool {
		return m.Role == store.RoleCoordinator
	})
}

// StartersMine reports whether the signed-in user has the starter's page
// of their own groups (for the staff menu).
func (v staffView) StartersMine() bool {
	return v.Me != nil && v.Me.Stage() == auth.StageDone && startersIsStarter(v.Me)
}

// startersIsStarter reports whether the user has the starter role
// somewhere, and the second factor it needs.
func startersIsStarter(me *auth.Current) bool {
	p := me.Principal()
	if p.NeedsMFA() && !p.MFA {
		return false
	}
	return slices.ContainsFunc(me.User.Memberships, func(m store.Membership) bool { return m.Role == store.RoleStarter })
}

// startersScope is the office scope and the organisations whose starters
// the user may see (every one, for an administrator).
type startersScope struct {
	*officeScope
	orgIDs []string
}

// may reports whether the user may read and change the starters of org.
func (sc *startersScope) may(org string) bool {
	return org != "" && sc.can(auth.ReadPersonalData, org)
}

// startersScopeOf loads the scope, and answers 404 to a user who may see
// no starter anywhere.
func (s *site) startersScopeOf(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) (*startersScope, bool) {
	sc, err := s.officeScope(r.Context(), me)
	if err != nil {
		s.serverError(w, r, lang, err)
		return nil, false
	}
	ss := &startersScope{officeScope: sc}
	for _, o := range sc.orgs {
		if ss.may(o.ID) {
			ss.orgIDs = append(ss.orgIDs, o.ID)
		}
	}
	if len(ss.orgIDs) == 0 {
		s.notFound(w, r, lang)
		return nil, false
	}
	return ss, true
}

// orgOptions are the organisations where the user may keep starters, in
// tree order.
func (sc *startersScope) orgOptions() []officeOption {
	return officeOrgOptions(sc.ordered(auth.ReadPersonalData))
}

// startersRef is the reference data the pages show: municipalities and
// counties by ID.
type startersRef struct {
	cs       []domain.County
	byCounty map[string][]domain.Municipality
	munis    map[string]domain.Municipality
	counties map[string]domain.County
}

func (s *site) startersRefData(ctx context.Context) (*startersRef, error) {
	cs, by, _, err := s.officeMunicipalities(ctx)
	if err != nil {
		return nil, err
	}
	ref := &startersRef{cs: cs, byCounty: by, munis: map[string]domain.Municipality{}, counties: map[string]domain.County{}}
	for _, c := range cs {
		ref.counties[c.ID] = c
		for _, m := range by[c.ID] {
			ref.munis[m.ID] = m
		}
	}
	return ref, nil
}

// muni is a municipality's name, or its number when unknown.
func (ref *startersRef) muni(id string) string {
	if m, ok := ref.munis[id]; ok {
		return m.DisplayName()
	}
	return id
}

// areaSelect sets the options of a select of areas: "anywhere", then each
// county ("f<id>") followed by its municipalities ("k<id>").
func (v startersView) areaSelect(name string, ref *startersRef, any string) {
	groups := []officeOptGroup{{Options: []officeOption{{Value: "", Text: v.S(any)}}}}
	for _, c := range ref.cs {
		g := officeOptGroup{Label: c.Name, Options: []officeOption{{Value: "f" + c.ID, Text: v.S("starters.area_county", "County", c.Name)}}}
		for _, m := range ref.byCounty[c.ID] {
			g.Options = append(g.Options, officeOption{Value: "k" + m.ID, Text: m.DisplayName()})
		}
		groups = append(groups, g)
	}
	v.options[name] = groups
}

// parseArea reads an area of areaSelect: a municipality or a county; ok is
// false for a value that is neither.
func (ref *startersRef) parseArea(s string) (muni, county string, ok bool) {
	switch {
	case s == "":
		return "", "", true
	case strings.HasPrefix(s, "k"):
		_, ok := ref.munis[s[1:]]
		return s[1:], "", ok
	case strings.HasPrefix(s, "f"):
		_, ok := ref.counties[s[1:]]
		return "", s[1:], ok
	}
	return "", "", false
}

// langOptions are the languages a group can be started in: those the
// catalogue can name.
func (v startersView) langOptions() []officeOption {
	out := make([]officeOption, 0, len(i18n.LanguageNames))
	for _, code := range i18n.LanguageNames {
		ph := v.LangName(code)
		out = append(out, officeOption{Value: code, Text: ucfirst(ph.Text), Lang: officeLangIf(ph.Lang, v.Lang)})
	}
	return out
}

// LangNames are languages by code, in words, joined.
func (v startersView) LangNames(codes []string) string {
	out := make([]string, 0, len(codes))
	for _, c := range codes {
		out = append(out, v.LangName(c).Text)
	}
	return strings.Join(out, ", ")
}

// SlotWords is a time slot in words: "tirsdag kveld".
func (v startersView) SlotWords(slot string) string {
	d, p, ok := strings.Cut(slot, "-")
	if !ok {
		return ""
	}
	i := slices.Index(store.SlotDays, d)
	if i < 0 {
		return ""
	}
	return v.S("starters.slot_words", "Day", v.S("weekday."+strconv.Itoa((i+1)%7)), "Part", v.S("starters.part."+p))
}

// SlotsWords are slots in words, or "any time".
func (v startersView) SlotsWords(slots []string) string {
	if len(slots) == 0 {
		return v.S("starters.slots_any")
	}
	out := make([]string, 0, len(slots))
	for _, sl := range slots {
		out = append(out, v.SlotWords(sl))
	}
	return strings.Join(out, ", ")
}

// startersSlotRow is a day of the week with a box for each part of it.
type startersSlotRow struct {
	Day   Phrase
	Cells []startersSlotCell
}

type startersSlotCell struct {
	ID, Value, Label string
	Checked          bool
}

// SlotRows are the boxes of the field name ("slot" and the like), a
// fieldset per day, Monday first; the first box has the field's name as
// its id, for the error summary.
func (v startersView) SlotRows(name string) []startersSlotRow {
	var out []startersSlotRow
	for i, d := range store.SlotDays {
		day := v.L("weekday." + strconv.Itoa((i+1)%7))
		row := startersSlotRow{Day: Phrase{ucfirst(day.Text), day.Lang}}
		for _, p := range store.SlotParts {
			value := d + "-" + p
			id := name + "-" + value
			if i == 0 && len(row.Cells) == 0 {
				id = name
			}
			row.Cells = append(row.Cells, startersSlotCell{ID: id, Value: value, Checked: v.Has(name, value),
				Label: v.S("starters.part." + p)})
		}
		out = append(out, row)
	}
	return out
}

// readSlots reads the boxes of a slot field.
func (v startersView) readSlots(name string) []string {
	var out []string
	for _, sl := range v.form[name] {
		if !store.ValidSlot(sl) {
			v.fail(name, "starters.err_slot")
			return nil
		}
		out = append(out, sl)
	}
	return out
}

// date reads a date field (YYYY-MM-DD, as a date input sends it); "" is
// allowed unless required.
func (v startersView) date(name string, required bool) string {
	s := strings.TrimSpace(v.Val(name))
	switch {
	case s == "" && required:
		v.fail(name, "starters.err_date_missing")
	case s != "" && !store.ValidDate(s):
		v.fail(name, "starters.err_date")
		return ""
	}
	return s
}

// Day is a date (YYYY-MM-DD) in words: "2. mars 2026".
func (v startersView) Day(s string) string {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	return dateWords(v.cat, v.Lang, t).Text
}

// DayOf is the date of a time in Europe/Oslo, in words.
func (v startersView) DayOf(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return dateWords(v.cat, v.Lang, t.In(startersZone())).Text
}

// startersZone is the zone of dates without a time: Europe/Oslo.
func startersZone() *time.Location {
	if loc, err := time.LoadLocation(domain.DefaultTimeZone); err == nil {
		return loc
	}
	return time.UTC
}

// today is the date of now in Europe/Oslo.
func (s *site) startersToday() string {
	return s.now().In(startersZone()).Format(time.DateOnly)
}

// Availability is a profile's availability in words.
func (v startersView) Availability(p store.StarterProfile) string {
	switch {
	case p.AvailableFrom != "" && p.AvailableUntil != "":
		return v.S("starters.available_between", "From", v.Day(p.AvailableFrom), "Until", v.Day(p.AvailableUntil))
	case p.AvailableFrom != "":
		return v.S("starters.available_from_day", "From", v.Day(p.AvailableFrom))
	case p.AvailableUntil != "":
		return v.S("starters.available_until_day", "Until", v.Day(p.AvailableUntil))
	}
	return v.S("starters.available_always")
}

// LastCourse is the date of the latest starter course, or "".
func (v startersView) LastCourse(p store.StarterProfile) string {
	last := ""
	for _, c := range p.Courses {
		if c.Kind == store.CourseStarter && c.CompletedOn > last {
			last = c.CompletedOn
		}
	}
	if last == "" {
		return ""
	}
	return v.Day(last)
}

// startersAccounts are the accounts a profile in the scope can be linked
// to: enabled users with the starter role in an organisation the user may
// keep starters of, that have no profile yet, and current (the profile's
// own account) whatever it is.
func (s *site) startersAccounts(ctx context.Context, sc *startersScope, current string) ([]officeOption, error) {
	users, err := s.store.Users(ctx)
	if err != nil {
		return nil, err
	}
	linked, err := s.store.StarterAccounts(ctx)
	if err != nil {
		return nil, err
	}
	var out []officeOption
	for _, u := range users {
		_, taken := linked[u.ID]
		ok := !u.Disabled && !taken && slices.ContainsFunc(u.Memberships, func(m store.Membership) bool {
			return m.Role == store.RoleStarter && sc.may(m.OrgID)
		})
		if ok || u.ID == current && current != "" {
			out = append(out, officeOption{Value: u.ID, Text: u.Name + " (" + u.Email + ")"})
		}
	}
	return out, nil
}

// startersSlotField is a field of time slots for the template part
// starters_slots: a fieldset per day, a box per part of the day.
type startersSlotField struct {
	V                  startersView
	Name, Legend, Hint string // the field's name, the message ids of its legend and hint
}

// SlotField is the field name of time slots, with its legend and hint.
func (v startersView) SlotField(name, legend, hint string) startersSlotField {
	return startersSlotField{V: v, Name: name, Legend: legend, Hint: hint}
}

// Rows are the days with their boxes.
func (f startersSlotField) Rows() []startersSlotRow { return f.V.SlotRows(f.Name) }

// Err is the field's error, or nil.
func (f startersSlotField) Err() *Phrase { return f.V.Err(f.Name) }

// startersWith pairs the view with a value for a shared template part.
type startersWith struct {
	startersView
	V any
}

// With pairs the view with a value for a shared template part.
func (v startersView) With(x any) startersWith { return startersWith{v, x} }
