package web

// A starter's or volunteer's profile: /kontor/igangsettere/ny and
// /kontor/igangsettere/{id}, with its courses, its assignments (and a form
// to assign the starter to a group: starters_assignments.go) and deletion.

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/i18n"
	"github.com/fellesrom/fellesrom/internal/store"
)

var startersProfileFields = []string{"organisation", "account", "name", "email", "phone", "municipality", "languages",
	"slot", "available_from", "available_until", "max_groups"}

var startersCourseFields = []string{"course_kind", "course_date", "course_organiser", "course_title"}

type startersProfileView struct {
	startersView
	Profile     store.StarterProfile // as stored; empty for a new one
	New         bool
	Action      string
	OrgName     string
	Account     string // the linked account's name and address
	Courses     []startersCourseRow
	Assignments []startersAssignmentRow
	CanAssign   bool // the profile has an account, and there are groups to assign it to
}

type startersCourseRow struct {
	C         store.StarterCourse
	Organiser string
}

func startersProfileForm(v startersView, p store.StarterProfile) {
	v.set("organisation", p.OrgID)
	v.set("account", p.UserID)
	v.set("name", p.Name)
	v.set("email", p.Email)
	v.set("phone", p.Phone)
	v.set("municipality", p.Municipality)
	v.form["languages"] = slices.Clone(p.Languages)
	v.form["slot"] = slices.Clone(p.Slots)
	v.set("available_from", p.AvailableFrom)
	v.set("available_until", p.AvailableUntil)
	v.set("max_groups", strconv.Itoa(p.MaxGroups))
}

// startersSideForms fills the course and assignment forms with their
// defaults, keeping any value posted.
func (s *site) startersSideForms(v startersView) {
	def := func(name, value string) {
		if _, ok := v.form[name]; !ok {
			v.set(name, value)
		}
	}
	def("course_kind", store.CourseStarter)
	def("assign_start", s.startersToday())
	def("assign_follow_up", strconv.Itoa(store.DefaultFollowUp))
}

func (s *site) newStartersProfileView(r *http.Request, lang string, me *auth.Current, p store.StarterProfile, isNew bool) *startersProfileView {
	if isNew {
		v := &startersProfileView{startersView: s.newStartersView(r, lang, "/kontor/igangsettere/ny", me, "starters_new",
			"starters.new_title"), New: true}
		v.Action = v.Href("/kontor/igangsettere/ny")
		return v
	}
	path := "/kontor/igangsettere/" + p.ID
	v := &startersProfileView{startersView: s.newStartersView(r, lang, path, me, "starters", "starters.profile_title",
		"Name", p.Name), Profile: p}
	v.Action = v.Href(path)
	return v
}

// startersProfileRender fills the options, the courses and the
// assignments, and renders the page.
func (s *site) startersProfileRender(w http.ResponseWriter, r *http.Request, lang string, status int, v *startersProfileView, sc *startersScope) {
	ctx := r.Context()
	ref, err := s.startersRefData(ctx)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	s.startersSideForms(v.startersView)
	orgs := sc.orgOptions()
	v.opts("organisation", orgs)
	accounts, err := s.startersAccounts(ctx, sc, v.Profile.UserID)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	v.opts("account", append([]officeOption{{Value: "", Text: v.S("starters.account_none")}}, accounts...))
	v.municipalitySelect("municipality", ref.cs, ref.byCounty)
	v.opts("languages", v.langOptions())
	if v.New {
		s.render(w, r, status, "starters_form", v)
		return
	}
	v.OrgName = sc.byID[v.Profile.OrgID].Name
	if v.Profile.UserID != "" {
		if u, err := s.store.User(ctx, v.Profile.UserID); err == nil {
			v.Account = u.Name + " (" + u.Email + ")"
		} else if !errors.Is(err, store.ErrNotFound) {
			s.serverError(w, r, lang, err)
			return
		}
	}
	// Courses, with every organisation as a possible organiser (courses
	// are held by district offices and the national centre too).
	v.opts("course_kind", officeEnum(v.officeView, "starters.course.", store.CourseKinds))
	organisers := []officeOption{{Value: "", Text: v.S("office.choose")}}
	for _, o := range sc.orgs {
		organisers = append(organisers, officeOption{Value: o.ID, Text: o.Name})
	}
	v.opts("course_organiser", organisers)
	for _, c := range v.Profile.Courses {
		row := startersCourseRow{C: c, Organiser: v.S("starters.organiser_gone")}
		if o, ok := sc.byID[c.OrganiserID]; ok {
			row.Organiser = o.Name
		}
		v.Courses = append(v.Courses, row)
	}
	slices.Reverse(v.Courses) // newest first
	// The account's assignments to groups the user may see, and the groups
	// it can be assigned to.
	if v.Profile.UserID != "" {
		as, err := s.store.Assignments(ctx, store.AssignmentFilter{OrgIDs: sc.orgIDs, UserID: v.Profile.UserID})
		if err != nil {
			s.serverError(w, r, lang, err)
			return
		}
		if v.Assignments, err = s.startersAssignmentRows(ctx, as, sc); err != nil {
			s.serverError(w, r, lang, err)
			return
		}
		groups, err := s.startersGroupOptions(ctx, sc, v.Profile.UserID, lang)
		if err != nil {
			s.serverError(w, r, lang, err)
			return
		}
		v.CanAssign = len(groups) > 0
		v.opts("assign_group", append([]officeOption{{Value: "", Text: v.S("office.choose")}}, groups...))
	}
	s.render(w, r, status, "starters_form", v)
}

// startersGroupOptions are the groups of the scope that the account can be
// assigned to: planned, recruiting, starting or running, of an
// organisation where the account has the starter role or under it.
func (s *site) startersGroupOptions(ctx context.Context, sc *startersScope, userID, lang string) ([]officeOption, error) {
	u, err := s.store.User(ctx, userID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil || u.Disabled {
		return nil, err
	}
	gs, _, err := s.store.OfficeGroups(ctx, store.OfficeGroupFilter{OrgIDs: sc.orgIDs, Limit: 500})
	if err != nil {
		return nil, err
	}
	var out []officeOption
	for _, g := range gs {
		switch g.Status {
		case domain.StatusPlanned, domain.StatusRecruiting, domain.StatusStarting, domain.StatusRunning:
		default:
			continue
		}
		if !slices.ContainsFunc(u.Memberships, func(m store.Membership) bool {
			return m.Role == store.RoleStarter && sc.tree.Within(g.OrgID, m.OrgID)
		}) {
			continue
		}
		out = append(out, officeOption{Value: g.ID, Text: g.Name.In(lang) + " – " + sc.byID[g.OrgID].Name})
	}
	return out, nil
}

// startersNewPage is GET /kontor/igangsettere/ny?organisasjon=ID.
func (s *site) startersNewPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	sc, ok := s.startersScopeOf(w, r, lang, me)
	if !ok {
		return
	}
	org := r.URL.Query().Get("organisasjon")
	if org == "" {
		org = sc.orgOptions()[0].Value
	}
	if !sc.may(org) {
		s.notFound(w, r, lang)
		return
	}
	v := s.newStartersProfileView(r, lang, me, store.StarterProfile{}, true)
	v.query = url.Values{"organisasjon": {org}}
	startersProfileForm(v.startersView, store.StarterProfile{OrgID: org, Languages: []string{"nb"}, MaxGroups: 1})
	v.set("max_groups", "1")
	s.startersProfileRender(w, r, lang, http.StatusOK, v, sc)
}

// startersNewPost is POST /kontor/igangsettere/ny.
func (s *site) startersNewPost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	if !s.officeParse(w, r, lang) {
		return
	}
	sc, ok := s.startersScopeOf(w, r, lang, me)
	if !ok {
		return
	}
	if !sc.may(r.PostForm.Get("organisation")) {
		s.notFound(w, r, lang)
		return
	}
	v := s.newStartersProfileView(r, lang, me, store.StarterProfile{}, true)
	v.keep(r.PostForm, startersProfileFields...)
	s.startersProfileSave(w, r, lang, me, sc, v, store.StarterProfile{})
}

// startersCheck checks the profile of the path against the user's rights
// by its organisation alone, without reading the profile (and so without
// an audit row): every handler does this before anything else.
func (s *site) startersCheck(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) (*startersScope, string, bool) {
	id := officePathID(r, "id")
	if id == "" {
		s.notFound(w, r, lang)
		return nil, "", false
	}
	sc, ok := s.startersScopeOf(w, r, lang, me)
	if !ok {
		return nil, "", false
	}
	org, err := s.store.StarterProfileOrg(r.Context(), id)
	if err != nil {
		s.officeErr(w, r, lang, err)
		return nil, "", false
	}
	if !sc.may(org) {
		s.notFound(w, r, lang)
		return nil, "", false
	}
	return sc, id, true
}

// startersRead is the audited read of a profile the user may see.
func (s *site) startersRead(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current, id string) (store.StarterProfile, bool) {
	p, err := s.store.ReadStarterProfile(officeCtx(r, me), id)
	if err != nil {
		s.officeErr(w, r, lang, err)
		return p, false
	}
	return p, true
}

// startersLoad is startersCheck, then the audited read of the profile.
func (s *site) startersLoad(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) (*startersScope, store.StarterProfile, bool) {
	sc, id, ok := s.startersCheck(w, r, lang, me)
	if !ok {
		return nil, store.StarterProfile{}, false
	}
	p, ok := s.startersRead(w, r, lang, me, id)
	return sc, p, ok
}

// startersEditPage is GET /kontor/igangsettere/{id}.
func (s *site) startersEditPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	sc, p, ok := s.startersLoad(w, r, lang, me)
	if !ok {
		return
	}
	v := s.newStartersProfileView(r, lang, me, p, false)
	startersProfileForm(v.startersView, p)
	s.startersProfileRender(w, r, lang, http.StatusOK, v, sc)
}

// startersEditPost is POST /kontor/igangsettere/{id}.
func (s *site) startersEditPost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	sc, id, ok := s.startersCheck(w, r, lang, me)
	if !ok || !s.officeParse(w, r, lang) {
		return
	}
	if org := r.PostForm.Get("organisation"); !sc.may(org) {
		s.notFound(w, r, lang)
		return
	}
	p, ok := s.startersRead(w, r, lang, me, id)
	if !ok {
		return
	}
	v := s.newStartersProfileView(r, lang, me, p, false)
	v.keep(r.PostForm, startersProfileFields...)
	s.startersProfileSave(w, r, lang, me, sc, v, p)
}

func (s *site) startersProfileSave(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current, sc *startersScope, v *startersProfileView, p store.StarterProfile) {
	ctx := r.Context()
	p.OrgID = v.Val("organisation")
	p.Name = v.required("name", store.MaxStarterName, "starters.err_name")
	p.Email = v.line("email", 254)
	if p.Email != "" {
		if e, ok := store.NormalizeContact("email", p.Email); ok {
			p.Email = e
		} else if v.Err("email") == nil {
			v.fail("email", "starters.err_email")
		}
	}
	p.Phone = v.line("phone", 30)
	if p.Phone != "" {
		if ph, ok := store.NormalizeContact("phone", p.Phone); ok {
			p.Phone = ph
		} else if v.Err("phone") == nil {
			v.fail("phone", "starters.err_phone")
		}
	}
	if p.Email == "" && p.Phone == "" && v.Err("email") == nil && v.Err("phone") == nil {
		v.fail("email", "starters.err_contact")
	}
	_, _, known, err := s.officeMunicipalities(ctx)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	p.Municipality = v.Val("municipality")
	if !known[p.Municipality] {
		v.fail("municipality", "office.err_municipality")
	}
	p.Languages = nil
	for _, l := range v.form["languages"] {
		if !slices.Contains(i18n.LanguageNames, l) {
			v.fail("languages", "office.err_choose")
			break
		}
		p.Languages = append(p.Languages, l)
	}
	if len(p.Languages) == 0 && v.Err("languages") == nil {
		v.fail("languages", "starters.err_languages")
	}
	p.Slots = v.readSlots("slot")
	p.AvailableFrom = v.date("available_from", false)
	p.AvailableUntil = v.date("available_until", false)
	if p.AvailableFrom != "" && p.AvailableUntil != "" && p.AvailableUntil < p.AvailableFrom {
		v.fail("available_until", "starters.err_dates_order")
	}
	p.MaxGroups = v.integer("max_groups", 0, store.MaxStarterGroups, 1)
	account := v.Val("account")
	if account != p.UserID {
		accounts, err := s.startersAccounts(ctx, sc, p.UserID)
		if err != nil {
			s.serverError(w, r, lang, err)
			return
		}
		if account != "" && !slices.ContainsFunc(accounts, func(o officeOption) bool { return o.Value == account }) {
			v.fail("account", "starters.err_account")
		}
	}
	p.UserID = account
	if len(v.Errors) > 0 {
		s.startersProfileRender(w, r, lang, http.StatusBadRequest, v, sc)
		return
	}
	isNew := p.ID == ""
	err = s.store.SaveStarterProfile(officeCtx(r, me), &p, s.now())
	if errors.Is(err, store.ErrStarterAccountTaken) {
		v.fail("account", "starters.err_account_taken")
		s.startersProfileRender(w, r, lang, http.StatusConflict, v, sc)
		return
	}
	if err != nil {
		s.officeErr(w, r, lang, err)
		return
	}
	notice := "lagret"
	if isNew {
		notice = "opprettet"
	}
	s.officeDone(w, r, lang, "/kontor/igangsettere/"+p.ID, notice)
}

// startersDeletePost is POST /kontor/igangsettere/{id}/slett: the profile
// and its courses are deleted (an account stays, with its assignments).
func (s *site) startersDeletePost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	_, id, ok := s.startersCheck(w, r, lang, me)
	if !ok {
		return
	}
	if err := s.store.DeleteStarterProfile(officeCtx(r, me), id); err != nil {
		s.officeErr(w, r, lang, err)
		return
	}
	s.officeDone(w, r, lang, "/kontor/igangsettere", "slettet")
}

// startersCoursePost is POST /kontor/igangsettere/{id}/kurs: a course
// completed.
func (s *site) startersCoursePost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	sc, id, ok := s.startersCheck(w, r, lang, me)
	if !ok || !s.officeParse(w, r, lang) {
		return
	}
	p, ok := s.startersRead(w, r, lang, me, id)
	if !ok {
		return
	}
	v := s.newStartersProfileView(r, lang, me, p, false)
	startersProfileForm(v.startersView, p)
	v.keep(r.PostForm, startersCourseFields...)
	c := store.StarterCourse{ProfileID: p.ID}
	c.Kind = string(officeChoice(v.officeView, "course_kind", store.CourseKinds, "office.err_choose"))
	c.CompletedOn = v.date("course_date", true)
	if c.CompletedOn != "" && c.CompletedOn > s.startersToday() {
		v.fail("course_date", "starters.err_course_future")
	}
	c.OrganiserID = v.Val("course_organiser")
	if _, ok := sc.byID[c.OrganiserID]; !ok {
		v.fail("course_organiser", "starters.err_organiser")
	}
	c.Title = v.line("course_title", store.MaxCourseTitle)
	if len(v.Errors) > 0 {
		s.startersProfileRender(w, r, lang, http.StatusBadRequest, v, sc)
		return
	}
	if err := s.store.AddStarterCourse(officeCtx(r, me), &c, s.now()); err != nil {
		s.officeErr(w, r, lang, err)
		return
	}
	s.officeDone(w, r, lang, "/kontor/igangsettere/"+p.ID, "kurs")
}

// startersCourseDeletePost is POST /kontor/igangsettere/{id}/kurs/{course}/slett.
func (s *site) startersCourseDeletePost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	_, id, ok := s.startersCheck(w, r, lang, me)
	if !ok {
		return
	}
	course := officePathID(r, "course")
	if course == "" {
		s.notFound(w, r, lang)
		return
	}
	if err := s.store.DeleteStarterCourse(officeCtx(r, me), id, course); err != nil {
		s.officeErr(w, r, lang, err)
		return
	}
	s.officeDone(w, r, lang, "/kontor/igangsettere/"+id, "kurs-slett")
}

// Contact is a profile's contact in words: the address and the number.
func (v startersView) Contact(p store.StarterProfile) string {
	return strings.Join(slices.DeleteFunc([]string{p.Email, p.Phone}, func(s string) bool { return s == "" }), ", ")
}
