package web

// Forming a group from the pool: POST /kontor/grupper-i-emning/ny. The
// pool's form posts the people chosen (step ""), and the page shows the
// forming form; the forming form posts again (step "send") to invite them.

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/matching"
	"github.com/fellesrom/fellesrom/internal/store"
)

var matchingFormFields = []string{"e", "gruppe", "group_name", "group_org", "group_theme", "group_format",
	"group_municipality", "group_model", "slot", "deadline", "needed", "ack"}

// matchingGroupFormats are the formats a new group can have, and how the
// matching names them.
var matchingGroupFormats = []domain.Format{domain.FormatInPerson, domain.FormatTelephone, domain.FormatVideo}

// matchingDeadlineDays is the default time to answer an invitation.
const matchingDeadlineDays = 7

// matchingInvitee is a person chosen for the group.
type matchingInvitee struct {
	E            store.Enquiry
	Box          string
	Municipality string
	Checked      bool
}

type matchingFormView struct {
	matchingView
	Invitees []matchingInvitee
	Problems []string // CheckGroup's errors, in words
	Warnings []string // CheckGroup's warnings, in words
	Reform   bool     // re-forming a running group
}

// matchingFormPost is POST /kontor/grupper-i-emning/ny.
func (s *site) matchingFormPost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	ctx := r.Context()
	sc, ok := s.matchingScopeOf(w, r, lang, me)
	if !ok || !s.officeParse(w, r, lang) {
		return
	}
	ids := r.PostForm["e"]
	if len(ids) > 50 {
		ids = ids[:50]
	}
	for _, id := range ids {
		if !store.ValidID(id) {
			s.notFound(w, r, lang)
			return
		}
	}
	// Every person named must be of the user's part of the tree: a forged
	// ID is a 404, before anything is read.
	for _, id := range ids {
		org, err := s.store.EnquiryOrg(ctx, id)
		if err != nil {
			s.officeErr(w, r, lang, err)
			return
		}
		if !sc.may(org) {
			s.notFound(w, r, lang)
			return
		}
	}
	v := &matchingFormView{matchingView: s.newMatchingView(r, lang, "/kontor/grupper-i-emning/ny", me, "pools", "matching.form_title")}
	v.keep(r.PostForm, matchingFormFields...)
	groups, err := s.matchingGroupOptions(r, v.officeView, sc)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	gid := v.Val("gruppe")
	if gid != "" && !slices.ContainsFunc(groups, func(o officeOption) bool { return o.Value == gid }) {
		s.notFound(w, r, lang)
		return
	}
	v.opts("gruppe", groups)
	ref, err := s.matchingRefData(ctx)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	models, err := s.store.Models(ctx)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	var closed []officeOption
	for _, m := range models {
		if m.Intake == domain.IntakeClosed || m.DefaultJoin == domain.JoinViaHouse {
			closed = append(closed, v.textOption(m.ID, m.Name))
		}
	}
	v.opts("group_model", closed)
	var orgs []officeOption
	for _, o := range sc.ordered(auth.ReadPersonalData) {
		if sc.can(auth.EditListing, o.Org.ID) {
			orgs = append(orgs, officeOption{Value: o.Org.ID, Text: o.Org.Name, Depth: o.Depth})
		}
	}
	v.opts("group_org", orgs)
	themes := []officeOption{{Value: "", Text: v.S("matching.theme_open")}}
	for _, t := range ref.themeList {
		if t.Active {
			themes = append(themes, v.textOption(t.ID, t.Name))
		}
	}
	v.opts("group_theme", themes)
	v.opts("group_format", officeEnum(v.officeView, "format.", matchingGroupFormats))
	v.municipalitySelect("group_municipality", ref.cs, ref.byCounty)
	slots := []officeOption{{Value: "", Text: v.S("matching.slot_later")}}
	for _, sl := range matching.AllSlots() {
		slots = append(slots, officeOption{Value: string(sl), Text: v.SlotWords(string(sl))})
	}
	v.opts("slot", slots)

	list, err := s.store.Enquiries(officeCtx(r, me), store.EnquiryFilter{OrgIDs: sc.orgIDs, IDs: ids})
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	chosen := map[string]bool{}
	for _, id := range ids {
		chosen[id] = true
	}
	for _, e := range list {
		v.Invitees = append(v.Invitees, matchingInvitee{E: e, Box: "e-" + e.ID, Municipality: ref.muni(e.Municipality),
			Checked: true})
	}
	first := r.PostForm.Get("step") != "send"
	if first {
		// From the pool: defaults, and what a suggestion's form carried.
		if len(orgs) > 0 {
			v.set("group_org", orgs[0].Value)
		}
		if len(closed) > 0 {
			v.set("group_model", closed[0].Value)
		}
		v.set("group_format", string(domain.FormatInPerson))
		switch r.PostForm.Get("format") {
		case "phone":
			v.set("group_format", string(domain.FormatTelephone))
		case "video":
			v.set("group_format", string(domain.FormatVideo))
		}
		v.set("group_municipality", r.PostForm.Get("kommune"))
		v.set("group_theme", r.PostForm.Get("tema"))
		v.set("slot", r.PostForm.Get("tid"))
		v.set("deadline", s.now().In(matchingZone()).AddDate(0, 0, matchingDeadlineDays).Format("2006-01-02"))
		n := min(len(list), store.DefaultNeeded)
		v.set("needed", strconv.Itoa(max(n, 1)))
		if gid != "" {
			if g, err := s.store.Group(ctx, gid); err == nil && g.Status == domain.StatusRunning {
				v.Reform = true
				v.set("needed", strconv.Itoa(max(len(list), 1)))
			}
		}
		s.render(w, r, http.StatusOK, "matching_form", v)
		return
	}

	// The people still ticked.
	var people []store.Enquiry
	for i := range v.Invitees {
		v.Invitees[i].Checked = v.Has("e", v.Invitees[i].E.ID)
		if v.Invitees[i].Checked {
			people = append(people, v.Invitees[i].E)
		}
	}
	// The group: chosen, or new.
	var g domain.Group
	if gid != "" {
		if g, err = s.store.Group(ctx, gid); err != nil {
			s.officeErr(w, r, lang, err)
			return
		}
		v.Reform = g.Status == domain.StatusRunning
	} else {
		g = domain.Group{Status: domain.StatusPlanned, Join: domain.JoinViaHouse, TakesNewMembers: false,
			AgeGroup: domain.AgeAdults, Gender: domain.GenderEveryone, Languages: []string{"nb"}}
		name := v.required("group_name", 200, "matching.err_group_name")
		g.Name = domain.Text{"nb": name}
		g.OrgID = v.Val("group_org")
		if !slices.ContainsFunc(orgs, func(o officeOption) bool { return o.Value == g.OrgID }) {
			v.fail("group_org", "office.err_choose")
		}
		g.ModelID = v.Val("group_model")
		if !slices.ContainsFunc(closed, func(o officeOption) bool { return o.Value == g.ModelID }) {
			v.fail("group_model", "office.err_choose")
		}
		if t := v.Val("group_theme"); t != "" {
			if _, ok := ref.themes[t]; !ok {
				v.fail("group_theme", "office.err_choose")
			}
			g.ThemeIDs = []string{t}
		}
		g.Format = officeChoice(v.officeView, "group_format", matchingGroupFormats, "office.err_choose")
		if g.Format == domain.FormatInPerson {
			g.MunicipalityID = v.Val("group_municipality")
			if _, ok := ref.munis[g.MunicipalityID]; !ok {
				v.fail("group_municipality", "matching.err_place")
			}
		}
		if name != "" {
			g.Slug = domain.Slugify(name)
			if len(g.Slug) > 100 {
				g.Slug = strings.TrimRight(g.Slug[:100], "-")
			}
			g.Slug += "-" + store.NewID()[:8]
		}
	}
	slot := v.Val("slot")
	if slot != "" && !store.ValidSlot(slot) {
		v.fail("slot", "office.err_choose")
	}
	loc := matchingZone()
	deadline, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(v.Val("deadline")), loc)
	now := s.now()
	if err != nil {
		v.fail("deadline", "matching.err_date")
	} else if deadline = deadline.Add(24*time.Hour - time.Minute); !deadline.After(now) || deadline.After(now.AddDate(0, 3, 0)) {
		v.fail("deadline", "matching.err_deadline")
	}
	needed := v.integer("needed", 1, matching.MaxGroup, store.DefaultNeeded)
	if v.Err("needed") == nil && needed > len(people) && len(people) > 0 {
		v.fail("needed", "matching.err_needed", "N", len(people))
	}

	// The rules of a group: CheckGroup's errors stop it; its warnings are
	// shown and must be acknowledged.
	target := matching.Target{Format: matching.Format(store.FormatOfGroup(g.Format)), Slot: matching.Slot(slot)}
	if target.Format == matching.InPerson {
		target.Municipality = g.MunicipalityID
		if target.Municipality == "" && g.VenueID != "" {
			if venue, err := s.store.Venue(ctx, g.VenueID); err == nil {
				target.Municipality = venue.MunicipalityID
			}
		}
	}
	if len(g.ThemeIDs) > 0 {
		target.Theme = g.ThemeIDs[0]
	}
	if len(g.Languages) > 0 {
		target.Language = g.Languages[0]
	}
	persons := make([]matching.Person, len(people))
	names := map[string]string{}
	for i, e := range people {
		persons[i] = ref.person(e)
		names[e.ID] = e.Name
		if e.Status != store.EnquiryWaiting {
			v.Problems = append(v.Problems, v.S("matching.problem_not_waiting", "Name", e.Name))
		}
	}
	errs, warns := matching.CheckGroup(target, persons)
	for _, p := range errs {
		if p.Code == matching.ProblemSize && v.Reform && p.Count >= 1 && p.Count <= matching.MaxGroup {
			continue // re-forming takes in one or more new members
		}
		if target.Format == matching.InPerson && target.Municipality == "" && p.Code == matching.ProblemNoMunicipality && v.Err("group_municipality") != nil {
			continue
		}
		v.Problems = append(v.Problems, s.matchingProblemWords(v.matchingView, ref, p, names))
	}
	for _, p := range warns {
		v.Warnings = append(v.Warnings, s.matchingProblemWords(v.matchingView, ref, p, names))
	}
	if len(v.Problems) > 0 {
		v.fail("invitees", "matching.err_problems")
	}
	if len(v.Warnings) > 0 && !v.checked("ack") {
		v.fail("ack", "matching.err_ack")
	}
	if len(v.Errors) > 0 {
		s.render(w, r, http.StatusBadRequest, "matching_form", v)
		return
	}
	base, err := s.accountLinkBase(r)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	actx := officeCtx(r, me)
	if g.ID == "" {
		if err := s.store.SaveGroup(actx, &g, me.User.ID, "formation"); err != nil {
			s.serverError(w, r, lang, err)
			return
		}
	}
	house := sc.byID[g.OrgID].Name
	_, err = s.store.FormGroup(actx, store.FormationRequest{GroupID: g.ID, Needed: needed, Slot: slot, Deadline: deadline,
		EnquiryIDs: ids0(people), OrgIDs: sc.orgIDs,
		Message: func(e store.Enquiry, token string) (store.OutboxMail, error) {
			pv := matchingView{&officeView{staffView: s.newStaffView(e.Lang, "", nil)}}
			place := pv.S("matching.format." + string(target.Format))
			if target.Municipality != "" {
				place = ref.muni(target.Municipality)
			}
			when := pv.S("matching.slot_later")
			if slot != "" {
				when = pv.SlotWords(slot)
			}
			link := base + prefix(e.Lang) + "/svar/" + token
			return s.matchingPersonMessage(e, "formation_invite", map[string]any{"Name": e.Name, "House": house,
				"Theme": pv.themeNames(ref, g.ThemeIDs), "Place": place, "When": when,
				"Deadline": pv.DateOf(deadline).Text, "Accept": link + "?svar=ja", "Decline": link + "?svar=nei"})
		}}, now, matchingRetention)
	var pe *store.PersonError
	switch {
	case errors.As(err, &pe):
		v.fail("invitees", "matching.err_person_"+matchingPersonCode(pe.Err), "Name", names[pe.EnquiryID])
	case errors.Is(err, store.ErrFormation), errors.Is(err, store.ErrEnquiryStatus):
		v.fail("invitees", "matching.err_formation")
	case err != nil:
		s.officeErr(w, r, lang, err)
		return
	}
	if len(v.Errors) > 0 {
		s.render(w, r, http.StatusConflict, "matching_form", v)
		return
	}
	s.officeDone(w, r, lang, "/kontor/grupper-i-emning/"+g.ID, "invitert")
}

func ids0(es []store.Enquiry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.ID
	}
	return out
}

// matchingPersonCode names a person's error from the store for a message.
func matchingPersonCode(err error) string {
	switch {
	case errors.Is(err, store.ErrOwnMunicipality):
		return "own_municipality"
	case errors.Is(err, store.ErrEnquiryStatus):
		return "status"
	}
	return "format"
}

// matchingProblemWords is a problem of CheckGroup in words.
func (s *site) matchingProblemWords(v matchingView, ref *matchingRef, p matching.Problem, names map[string]string) string {
	switch p.Code {
	case matching.ProblemSize:
		return v.S("matching.problem_size", "Count", p.Count, "Min", matching.MinGroup, "Max", matching.MaxGroup)
	case matching.ProblemSmallMunicipality:
		return v.S("matching.problem_small_municipality", "Municipality", ref.muni(p.Municipality), "Count", p.Count)
	case matching.ProblemDuplicate:
		return v.S("matching.problem_duplicate")
	case matching.ProblemNoMunicipality:
		return v.S("matching.problem_no_municipality")
	}
	return v.S("matching.problem_person", "Name", names[p.PersonID], "Why", v.S("matching.why."+string(p.Code)))
}

// matchingZone is the time zone of dates typed in the back office.
func matchingZone() *time.Location {
	loc, err := time.LoadLocation(domain.DefaultTimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}
