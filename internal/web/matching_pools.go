package web

// The pools of waiting people: /kontor/grupper-i-emning ("groups in the
// making"), with suggestions for a planned group and the groups being
// formed.

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/finder"
	"github.com/fellesrom/fellesrom/internal/matching"
	"github.com/fellesrom/fellesrom/internal/store"
)

// matchingMember is a person in a pool or a suggestion.
type matchingMember struct {
	ID           string
	Box          string // the id of the person's box in its form
	Name         string
	Municipality string
	Waited       int
	InCore       bool
	Checked      bool
	Score        int
	Fits         bool
	Reasons      []string // in words
}

// matchingPoolRow is a pool on the page.
type matchingPoolRow struct {
	N        int
	Key      string
	Heading  string
	CanForm  bool
	Core     int
	Meeting  string // the meeting the core could hold, in words
	Members  []matchingMember
	OpenNear []finder.Listing // open meetings ("just come") on the theme nearby
}

// matchingFormationRow is a group being formed.
type matchingFormationRow struct {
	F       store.Formation
	Name    string
	Status  domain.Status
	Counts  map[string]int
	Started bool
}

type matchingPoolsView struct {
	matchingView
	Pools      []matchingPoolRow
	Waiting    int
	Suggested  bool
	Suggestion []matchingMember
	Formations []matchingFormationRow
	Group      string // the group preselected in the forms (?gruppe=)
}

// matchingGroupOptions are the groups a user may form from the pool: new,
// or a formable group of an organisation whose enquiries the user reads.
func (s *site) matchingGroupOptions(r *http.Request, v *officeView, sc *matchingScope) ([]officeOption, error) {
	ctx := r.Context()
	models, err := s.store.Models(ctx)
	if err != nil {
		return nil, err
	}
	byModel := map[string]domain.Model{}
	for _, m := range models {
		byModel[m.ID] = m
	}
	gs, _, err := s.store.OfficeGroups(ctx, store.OfficeGroupFilter{OrgIDs: sc.orgIDs, Limit: 500})
	if err != nil {
		return nil, err
	}
	out := []officeOption{{Value: "", Text: v.S("matching.group_new")}}
	for _, g := range gs {
		if store.FormableGroup(g, byModel[g.ModelID]) && sc.may(g.OrgID) {
			text := g.Name.In(v.Lang) + " (" + v.S("status."+string(g.Status)) + ")"
			out = append(out, officeOption{Value: g.ID, Text: text})
		}
	}
	return out, nil
}

// matchingPoolsPage is GET /kontor/grupper-i-emning[?kommune=&format=&tid=&tema=&gruppe=]:
// the waiting people of the user's part of the tree (an audited list) in
// pools, the suggestions for a planned group when one is described, and
// the groups being formed.
func (s *site) matchingPoolsPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	ctx := r.Context()
	sc, ok := s.matchingScopeOf(w, r, lang, me)
	if !ok {
		return
	}
	ref, err := s.matchingRefData(ctx)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	d, err := s.matchingDistances(ctx)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	q := r.URL.Query()
	v := &matchingPoolsView{matchingView: s.newMatchingView(r, lang, "/kontor/grupper-i-emning", me, "pools", "matching.pools_title")}
	for _, k := range []string{"kommune", "format", "tid", "tema", "gruppe"} {
		v.set(k, q.Get(k))
	}
	v.query = url.Values{}
	groups, err := s.matchingGroupOptions(r, v.officeView, sc)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	if g := q.Get("gruppe"); g != "" {
		if !slices.ContainsFunc(groups, func(o officeOption) bool { return o.Value == g }) {
			s.notFound(w, r, lang)
			return
		}
		v.Group = g
	}
	v.opts("gruppe", groups)
	v.municipalitySelect("kommune", ref.cs, ref.byCounty)
	v.opts("format", officeEnum(v.officeView, "matching.format.", store.EnquiryFormats))
	slots := []officeOption{{Value: "", Text: v.S("matching.any_time")}}
	for _, sl := range matching.AllSlots() {
		slots = append(slots, officeOption{Value: string(sl), Text: v.SlotWords(string(sl))})
	}
	v.opts("tid", slots)
	themes := []officeOption{{Value: "", Text: v.S("matching.theme_open")}}
	for _, t := range ref.themeList {
		themes = append(themes, v.textOption(t.ID, t.Name))
	}
	v.opts("tema", themes)

	// A planned group to rank people for.
	var target *matching.Target
	if q.Has("format") {
		t := matching.Target{Municipality: q.Get("kommune"), Theme: q.Get("tema")}
		f, ok := matching.ParseFormat(q.Get("format"))
		if !ok {
			v.fail("format", "office.err_choose")
		}
		t.Format = f
		if _, known := ref.munis[t.Municipality]; t.Municipality != "" && !known {
			v.fail("kommune", "office.err_municipality")
		}
		if f == matching.InPerson && t.Municipality == "" && v.Err("kommune") == nil {
			v.fail("kommune", "matching.err_place")
		}
		if f.Remote() {
			t.Municipality = ""
		}
		if sl := q.Get("tid"); sl != "" {
			x, ok := matching.ParseSlot(sl)
			if !ok {
				v.fail("tid", "office.err_choose")
			}
			t.Slot = x
		}
		if _, known := ref.themes[t.Theme]; t.Theme != "" && !known {
			v.fail("tema", "office.err_choose")
		}
		target = &t
	}
	if len(v.Errors) > 0 {
		s.render(w, r, http.StatusBadRequest, "matching_pools", v)
		return
	}

	list, err := s.store.Enquiries(officeCtx(r, me), store.EnquiryFilter{OrgIDs: sc.orgIDs,
		Statuses: []store.EnquiryStatus{store.EnquiryWaiting}})
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	v.Waiting = len(list)
	byID := map[string]store.Enquiry{}
	people := make([]matching.Person, 0, len(list))
	for _, e := range list {
		byID[e.ID] = e
		people = append(people, ref.person(e))
	}
	now := s.now()
	member := func(n int, p matching.Person) matchingMember {
		e := byID[p.ID]
		return matchingMember{ID: e.ID, Box: fmt.Sprintf("p%d-%s", n, e.ID), Name: e.Name,
			Municipality: ref.muni(e.Municipality), Waited: v.Days(p.WaitingSince, now)}
	}
	for i, p := range matching.Pools(people, d, now) {
		row := matchingPoolRow{N: i + 1, Key: p.Key, CanForm: p.CanForm, Core: len(p.Core)}
		theme := v.S("matching.theme_open")
		if t, ok := ref.themes[p.Theme]; ok {
			theme = t.Name.In(lang)
		}
		place := v.S("matching.pool_remote")
		if p.Format == matching.InPerson {
			place = ref.counties[p.County].Name
		}
		row.Heading = v.S("matching.pool_heading", "Theme", theme, "Place", place, "Format", v.S("matching.format."+string(p.Format)))
		if p.CanForm {
			row.Meeting = s.matchingMeetingWords(v.matchingView, ref, p.Meeting)
		}
		checked := 0
		for _, m := range p.Members {
			x := member(row.N, m.Person)
			x.Waited = int(m.Waited.Hours() / 24)
			x.InCore = slices.Contains(p.Core, m.Person.ID)
			if x.InCore && checked < matching.MaxGroup {
				x.Checked = true
				checked++
			}
			row.Members = append(row.Members, x)
		}
		if p.Format == matching.InPerson && p.Theme != "" && s.finder != nil {
			row.OpenNear = s.matchingOpenNear(r, ref, p.Theme, p.County)
		}
		v.Pools = append(v.Pools, row)
	}
	if target != nil {
		v.Suggested = true
		for _, sg := range matching.Suggest(*target, people, d) {
			x := member(0, sg.Person)
			x.Score, x.Fits = sg.Score, sg.Fits
			for _, c := range sg.Reasons {
				x.Reasons = append(x.Reasons, v.S("matching.why."+string(c)))
			}
			x.Checked = sg.Fits && len(v.Suggestion) < matching.MaxGroup
			v.Suggestion = append(v.Suggestion, x)
		}
	}
	fs, err := s.store.Formations(ctx, sc.orgIDs)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	for _, f := range fs {
		g, err := s.store.Group(ctx, f.GroupID)
		if err != nil {
			s.serverError(w, r, lang, err)
			return
		}
		if g.Status == domain.StatusEnded {
			continue
		}
		ivs, err := s.store.Invitations(ctx, f.GroupID)
		if err != nil {
			s.serverError(w, r, lang, err)
			return
		}
		v.Formations = append(v.Formations, matchingFormationRow{F: f, Name: g.Name.In(lang), Status: g.Status,
			Counts: store.InvitationCounts(ivs, f.Reformed), Started: !f.StartedAt.IsZero()})
	}
	s.render(w, r, http.StatusOK, "matching_pools", v)
}

// matchingMeetingWords is a meeting (a pool's core's, a planned group's)
// in words: format, place, time, language.
func (s *site) matchingMeetingWords(v matchingView, ref *matchingRef, t matching.Target) string {
	parts := []string{v.S("matching.format." + string(t.Format))}
	if t.Municipality != "" {
		parts = append(parts, ref.muni(t.Municipality))
	}
	if t.Slot != "" {
		parts = append(parts, v.SlotWords(string(t.Slot)))
	} else {
		parts = append(parts, v.S("matching.any_time"))
	}
	if t.Language != "" {
		parts = append(parts, v.LangName(t.Language).Text)
	}
	return strings.Join(parts, ", ")
}

// matchingOpenNear lists up to three open meetings ("just come") on a
// theme in a county, from the public directory.
func (s *site) matchingOpenNear(r *http.Request, ref *matchingRef, themeID, county string) []finder.Listing {
	t, ok := ref.themes[themeID]
	if !ok {
		return nil
	}
	res, err := s.finder.Search(r.Context(), finder.Query{Themes: []string{t.Slug}, Counties: []string{county},
		OpenNow: true, Page: 1, PerPage: 20})
	if err != nil {
		return nil
	}
	ls, err := s.finder.Listings(r.Context(), res.Hits)
	if err != nil {
		return nil
	}
	var out []finder.Listing
	for _, l := range ls {
		if l.Group.Join == domain.JoinJustCome && len(out) < 3 {
			out = append(out, l)
		}
	}
	return out
}
