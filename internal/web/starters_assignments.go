package web

// Starters' assignments to groups, the coordinator's side: the list
// /kontor/igangsetteroppdrag, one assignment's plan (follow-up and
// hand-over dates) /kontor/igangsetteroppdrag/{id}, and assigning a
// starter to a group from their profile /kontor/igangsettere/{id}/oppdrag.
// Formation assigns a starter when a group starts
// (/kontor/grupper-i-emning/{id}/start); these pages plan and follow it.

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
)

var startersAssignFields = []string{"assign_group", "assign_start", "assign_follow_up", "assign_follow_up_on", "assign_hand_over_on"}

// startersAssignmentRow is an assignment in a list.
type startersAssignmentRow struct {
	A         store.Assignment
	Group     domain.Group
	Starter   string // the account's name
	ProfileID string // the starter's profile, "" when none (or not the user's to see)
	OrgName   string
}

// startersAssignmentRows are the rows of assignments, with their groups,
// starters and profiles; sc nil leaves the profile links out.
func (s *site) startersAssignmentRows(ctx context.Context, as []store.Assignment, sc *startersScope) ([]startersAssignmentRow, error) {
	if len(as) == 0 {
		return nil, nil
	}
	var gids, uids []string
	for _, a := range as {
		gids, uids = append(gids, a.GroupID), append(uids, a.UserID)
	}
	gs, err := s.store.GroupsByID(ctx, gids)
	if err != nil {
		return nil, err
	}
	groups := map[string]domain.Group{}
	for _, g := range gs {
		groups[g.ID] = g
	}
	names, err := s.store.UserNames(ctx, uids)
	if err != nil {
		return nil, err
	}
	profiles := map[string]store.StarterAccount{}
	if sc != nil {
		if profiles, err = s.store.StarterAccounts(ctx); err != nil {
			return nil, err
		}
	}
	orgs, err := s.store.Organisations(ctx)
	if err != nil {
		return nil, err
	}
	orgNames := map[string]string{}
	for _, o := range orgs {
		orgNames[o.ID] = o.Name
	}
	out := make([]startersAssignmentRow, 0, len(as))
	for _, a := range as {
		row := startersAssignmentRow{A: a, Group: groups[a.GroupID], Starter: names[a.UserID], OrgName: orgNames[a.OrgID]}
		if pa, ok := profiles[a.UserID]; ok && sc != nil && sc.may(pa.OrgID) {
			row.ProfileID = pa.ProfileID
		}
		out = append(out, row)
	}
	return out, nil
}

type startersAssignmentsView struct {
	startersView
	Rows []startersAssignmentRow
	All  bool
}

// startersAssignmentsPage is GET /kontor/igangsetteroppdrag (?alle=1 with
// those handed over).
func (s *site) startersAssignmentsPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	sc, ok := s.startersScopeOf(w, r, lang, me)
	if !ok {
		return
	}
	ctx := r.Context()
	v := &startersAssignmentsView{startersView: s.newStartersView(r, lang, "/kontor/igangsetteroppdrag", me,
		"starters_assignments", "starters.assignments_title"), All: r.URL.Query().Get("alle") == "1"}
	if v.All {
		v.query = url.Values{"alle": {"1"}}
	}
	as, err := s.store.Assignments(ctx, store.AssignmentFilter{OrgIDs: sc.orgIDs, Open: !v.All})
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	if v.Rows, err = s.startersAssignmentRows(ctx, as, sc); err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	s.render(w, r, http.StatusOK, "starters_assignments", v)
}

type startersAssignmentView struct {
	startersView
	Row startersAssignmentRow
}

// startersAssignmentLoad loads the assignment of the path and checks that
// the user may see the starters of its group's organisation.
func (s *site) startersAssignmentLoad(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) (*startersScope, store.Assignment, bool) {
	id := officePathID(r, "id")
	if id == "" {
		s.notFound(w, r, lang)
		return nil, store.Assignment{}, false
	}
	sc, ok := s.startersScopeOf(w, r, lang, me)
	if !ok {
		return nil, store.Assignment{}, false
	}
	a, err := s.store.Assignment(r.Context(), id)
	if err != nil {
		s.officeErr(w, r, lang, err)
		return nil, a, false
	}
	if !sc.may(a.OrgID) {
		s.notFound(w, r, lang)
		return nil, a, false
	}
	return sc, a, true
}

func (s *site) startersAssignmentRender(w http.ResponseWriter, r *http.Request, lang string, status int, v *startersAssignmentView, sc *startersScope, a store.Assignment) {
	rows, err := s.startersAssignmentRows(r.Context(), []store.Assignment{a}, sc)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	v.Row = rows[0]
	s.render(w, r, status, "starters_assignment", v)
}

func (s *site) newStartersAssignmentView(r *http.Request, lang string, me *auth.Current, a store.Assignment) *startersAssignmentView {
	return &startersAssignmentView{startersView: s.newStartersView(r, lang, "/kontor/igangsetteroppdrag/"+a.ID, me,
		"starters_assignments", "starters.assignment_title")}
}

// startersAssignmentPage is GET /kontor/igangsetteroppdrag/{id}.
func (s *site) startersAssignmentPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	sc, a, ok := s.startersAssignmentLoad(w, r, lang, me)
	if !ok {
		return
	}
	v := s.newStartersAssignmentView(r, lang, me, a)
	v.set("follow_up_on", a.FollowUpOn)
	v.set("hand_over_on", a.HandOverOn)
	s.startersAssignmentRender(w, r, lang, http.StatusOK, v, sc, a)
}

// startersAssignmentPost is POST /kontor/igangsetteroppdrag/{id}: the
// planned follow-up and hand-over dates.
func (s *site) startersAssignmentPost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	sc, a, ok := s.startersAssignmentLoad(w, r, lang, me)
	if !ok || !s.officeParse(w, r, lang) {
		return
	}
	v := s.newStartersAssignmentView(r, lang, me, a)
	v.keep(r.PostForm, "follow_up_on", "hand_over_on")
	follow := v.date("follow_up_on", false)
	hand := v.date("hand_over_on", false)
	if len(v.Errors) > 0 {
		s.startersAssignmentRender(w, r, lang, http.StatusBadRequest, v, sc, a)
		return
	}
	if err := s.store.PlanAssignment(officeCtx(r, me), a.ID, follow, hand); err != nil {
		s.officeErr(w, r, lang, err)
		return
	}
	s.officeDone(w, r, lang, "/kontor/igangsetteroppdrag/"+a.ID, "planlagt")
}

// startersAssignPost is POST /kontor/igangsettere/{id}/oppdrag: the
// profile's starter assigned to a group by hand.
func (s *site) startersAssignPost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	sc, id, ok := s.startersCheck(w, r, lang, me)
	if !ok || !s.officeParse(w, r, lang) {
		return
	}
	ctx := r.Context()
	// The profile's account, without reading the profile.
	accounts, err := s.store.StarterAccounts(ctx)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	user := ""
	for u, a := range accounts {
		if a.ProfileID == id {
			user = u
		}
	}
	if user == "" {
		s.notFound(w, r, lang)
		return
	}
	groups, err := s.startersGroupOptions(ctx, sc, user, lang)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	group := r.PostForm.Get("assign_group")
	listed := slices.ContainsFunc(groups, func(o officeOption) bool { return o.Value == group })
	if group != "" && !listed {
		// A group the user may not see is a 404; one the starter may not
		// start, an error on the field.
		g, err := s.store.Group(ctx, group)
		if err != nil || !sc.may(g.OrgID) {
			s.notFound(w, r, lang)
			return
		}
	}
	p, ok := s.startersRead(w, r, lang, me, id)
	if !ok {
		return
	}
	v := s.newStartersProfileView(r, lang, me, p, false)
	startersProfileForm(v.startersView, p)
	v.keep(r.PostForm, startersAssignFields...)
	if !listed {
		v.fail("assign_group", "starters.err_group")
	}
	start := v.date("assign_start", true)
	follow := v.integer("assign_follow_up", 1, 20, store.DefaultFollowUp)
	followOn := v.date("assign_follow_up_on", false)
	handOn := v.date("assign_hand_over_on", false)
	if len(v.Errors) > 0 {
		s.startersProfileRender(w, r, lang, http.StatusBadRequest, v, sc)
		return
	}
	day, _ := time.ParseInLocation(time.DateOnly, start, startersZone())
	_, err = s.store.AssignStarter(officeCtx(r, me), store.AssignRequest{GroupID: group, UserID: user, StartDate: day,
		FollowUpAfter: follow, FollowUpOn: followOn, HandOverOn: handOn}, s.now())
	if errors.Is(err, store.ErrAssignment) {
		v.fail("assign_group", "starters.err_assign")
		s.startersProfileRender(w, r, lang, http.StatusConflict, v, sc)
		return
	}
	if err != nil {
		s.officeErr(w, r, lang, err)
		return
	}
	s.officeDone(w, r, lang, "/kontor/igangsettere/"+p.ID, "tildelt")
}
