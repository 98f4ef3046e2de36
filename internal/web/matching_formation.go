package web

// A group being formed: /kontor/grupper-i-emning/{id}, with the answers to
// its invitations, starting it (a room, a starter, the start-up meeting),
// and handing it over once it runs itself.

import (
	"bytes"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/ical"
	"github.com/fellesrom/fellesrom/internal/store"
)

var matchingStartFields = []string{"date", "time", "minutes", "room", "starter", "follow_up"}

// matchingAnswerRow is one invitation on the page.
type matchingAnswerRow struct {
	Name   string // "" when the user may not see it, or the enquiry is gone
	Status string
}

// matchingClash is a booking the start-up meeting would overlap.
type matchingClash struct {
	What string
	When Phrase
}

type matchingFormationView struct {
	matchingView
	G         domain.Group
	Form      store.Formation
	OrgName   string
	Place     string
	Slot      string
	Personal  bool // the user may read the people's names
	Answers   []matchingAnswerRow
	Counts    map[string]int
	Earlier   []map[string]int // counts of the earlier rounds, latest first
	CanStart  bool
	CanHand   bool
	CanReform bool
	Clashes   []matchingClash
	Starters  []string // names of the assigned starters
	Bookings  []store.RoomBooking
	RoomNames map[string]string
}

// matchingFormationLoad loads the group of the path and its formation. A
// user who may read the personal data of the group's organisation sees
// everything; the starter assigned to it sees the page without names (and
// may hand the group over); anyone else gets 404.
func (s *site) matchingFormationLoad(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) (*officeScope, domain.Group, store.Formation, bool, bool) {
	var g domain.Group
	var f store.Formation
	id := officePathID(r, "id")
	if id == "" {
		s.notFound(w, r, lang)
		return nil, g, f, false, false
	}
	ctx := r.Context()
	sc, err := s.officeScope(ctx, me)
	if err != nil {
		s.serverError(w, r, lang, err)
		return nil, g, f, false, false
	}
	if g, err = s.store.Group(ctx, id); err != nil {
		s.officeErr(w, r, lang, err)
		return nil, g, f, false, false
	}
	personal := sc.can(auth.ReadPersonalData, g.OrgID)
	if !personal {
		as, err := s.store.StarterAssignments(ctx, g.ID)
		if err != nil {
			s.serverError(w, r, lang, err)
			return nil, g, f, false, false
		}
		if !me.Principal().MFA || !slices.ContainsFunc(as, func(a store.StarterAssignment) bool { return a.UserID == me.User.ID }) {
			s.notFound(w, r, lang)
			return nil, g, f, false, false
		}
	}
	if f, err = s.store.FormationOf(ctx, g.ID); err != nil {
		s.officeErr(w, r, lang, err)
		return nil, g, f, false, false
	}
	return sc, g, f, personal, true
}

// matchingRooms are the rooms of the venues of an organisation, for the
// start-up meeting.
func (s *site) matchingRooms(r *http.Request, org string) ([]officeOption, map[string]string, error) {
	ctx := r.Context()
	venues, err := s.store.Venues(ctx)
	if err != nil {
		return nil, nil, err
	}
	rooms, err := s.store.AllRooms(ctx)
	if err != nil {
		return nil, nil, err
	}
	var out []officeOption
	names := map[string]string{}
	for _, vn := range venues {
		for _, rm := range rooms[vn.ID] {
			names[rm.ID] = rm.Name + " – " + vn.Name
			if vn.OrgID == org {
				out = append(out, officeOption{Value: rm.ID, Text: names[rm.ID]})
			}
		}
	}
	return out, names, nil
}

// matchingStarters are the users with the starter role in the
// organisation or above it.
func (s *site) matchingStarters(r *http.Request, sc *officeScope, org string) ([]officeOption, error) {
	users, err := s.store.Users(r.Context())
	if err != nil {
		return nil, err
	}
	var out []officeOption
	for _, u := range users {
		if u.Disabled {
			continue
		}
		if slices.ContainsFunc(u.Memberships, func(m store.Membership) bool {
			return m.Role == store.RoleStarter && sc.tree.Within(org, m.OrgID)
		}) {
			out = append(out, officeOption{Value: u.ID, Text: u.Name})
		}
	}
	return out, nil
}

func (s *site) newMatchingFormationView(r *http.Request, lang string, me *auth.Current, g domain.Group, f store.Formation, personal bool) *matchingFormationView {
	v := &matchingFormationView{matchingView: s.newMatchingView(r, lang, "/kontor/grupper-i-emning/"+g.ID, me, "pools",
		"matching.formation_title", "Name", g.Name.In(lang)), G: g, Form: f, Personal: personal}
	v.set("minutes", "90")
	v.set("follow_up", strconv.Itoa(store.DefaultFollowUp))
	if !f.StartupAt.IsZero() {
		t := f.StartupAt.In(matchingZone())
		v.set("date", t.Format("2006-01-02"))
		v.set("time", t.Format("15:04"))
	}
	return v
}

func (s *site) matchingFormationRender(w http.ResponseWriter, r *http.Request, lang string, status int, v *matchingFormationView, sc *officeScope, me *auth.Current) {
	ctx := r.Context()
	g, f := v.G, v.Form
	ref, err := s.matchingRefData(ctx)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	v.OrgName = sc.byID[g.OrgID].Name
	v.Place = v.S("matching.format." + f.Format)
	if f.Municipality != "" {
		v.Place = ref.muni(f.Municipality)
	}
	v.Slot = v.S("matching.slot_later")
	if f.Slot != "" {
		v.Slot = v.SlotWords(f.Slot)
	}
	ivs, err := s.store.Invitations(ctx, g.ID)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	v.Counts = store.InvitationCounts(ivs, f.Reformed)
	for round := f.Reformed - 1; round >= 0; round-- {
		v.Earlier = append(v.Earlier, store.InvitationCounts(ivs, round))
	}
	var current []store.Invitation
	var ids []string
	for _, iv := range ivs {
		if iv.Round == f.Reformed {
			current = append(current, iv)
			ids = append(ids, iv.EnquiryID)
		}
	}
	names := map[string]string{}
	if v.Personal && len(ids) > 0 {
		list, err := s.store.Enquiries(officeCtx(r, me), store.EnquiryFilter{OrgIDs: []string{g.OrgID}, IDs: ids})
		if err != nil {
			s.serverError(w, r, lang, err)
			return
		}
		for _, e := range list {
			names[e.ID] = e.Name
		}
	}
	for _, iv := range current {
		v.Answers = append(v.Answers, matchingAnswerRow{Name: names[iv.EnquiryID], Status: iv.Status})
	}
	slices.SortStableFunc(v.Answers, func(a, b matchingAnswerRow) int {
		return bytes.Compare(domain.CollationKey(a.Name), domain.CollationKey(b.Name))
	})
	st := g.Status
	started := !f.StartedAt.IsZero()
	v.CanStart = v.Personal && !started && v.Counts[store.InvitationAccepted] >= f.Needed &&
		(st == domain.StatusPlanned || st == domain.StatusRecruiting || st == domain.StatusRunning)
	v.CanHand = st == domain.StatusStarting
	v.CanReform = v.Personal && st == domain.StatusRunning
	as, err := s.store.StarterAssignments(ctx, g.ID)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	var uids []string
	for _, a := range as {
		uids = append(uids, a.UserID)
	}
	un := s.matchingUserNames(ctx, uids)
	for _, a := range as {
		v.Starters = append(v.Starters, un[a.UserID])
	}
	if v.Bookings, err = s.store.GroupBookings(ctx, g.ID); err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	rooms, roomNames, err := s.matchingRooms(r, g.OrgID)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	v.RoomNames = roomNames
	if v.CanStart {
		room := []officeOption{{Value: "", Text: v.S("office.choose")}}
		if f.Format != "in_person" {
			room[0].Text = v.S("matching.room_none")
		}
		v.opts("room", append(room, rooms...))
		starters, err := s.matchingStarters(r, sc, g.OrgID)
		if err != nil {
			s.serverError(w, r, lang, err)
			return
		}
		v.opts("starter", append([]officeOption{{Value: "", Text: v.S("office.choose")}}, starters...))
	}
	s.render(w, r, status, "matching_formation", v)
}

// matchingFormationPage is GET /kontor/grupper-i-emning/{id}.
func (s *site) matchingFormationPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	sc, g, f, personal, ok := s.matchingFormationLoad(w, r, lang, me)
	if !ok {
		return
	}
	s.matchingFormationRender(w, r, lang, http.StatusOK, s.newMatchingFormationView(r, lang, me, g, f, personal), sc, me)
}

// matchingHandOverPost is POST /kontor/grupper-i-emning/{id}/overlevert:
// the starter has handed the group over; it runs itself.
func (s *site) matchingHandOverPost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	sc, g, f, personal, ok := s.matchingFormationLoad(w, r, lang, me)
	if !ok {
		return
	}
	err := s.store.HandOver(officeCtx(r, me), g.ID, s.now())
	if errors.Is(err, store.ErrFormation) {
		v := s.newMatchingFormationView(r, lang, me, g, f, personal)
		v.fail("", "matching.err_hand_over")
		s.matchingFormationRender(w, r, lang, http.StatusConflict, v, sc, me)
		return
	}
	if err != nil {
		s.officeErr(w, r, lang, err)
		return
	}
	s.officeDone(w, r, lang, "/kontor/grupper-i-emning/"+g.ID, "overlevert")
}

// matchingStartPost is POST /kontor/grupper-i-emning/{id}/start: the
// start-up meeting in a room, the starter, and everyone who accepted
// placed, with an iCalendar invitation by mail.
func (s *site) matchingStartPost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	sc, g, f, personal, ok := s.matchingFormationLoad(w, r, lang, me)
	if !ok || !s.officeParse(w, r, lang) {
		return
	}
	if !personal {
		s.notFound(w, r, lang)
		return
	}
	ctx := r.Context()
	v := s.newMatchingFormationView(r, lang, me, g, f, personal)
	v.keep(r.PostForm, matchingStartFields...)
	rooms, _, err := s.matchingRooms(r, g.OrgID)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	starters, err := s.matchingStarters(r, sc, g.OrgID)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	loc := matchingZone()
	at, err := time.ParseInLocation("2006-01-02 15:04", strings.TrimSpace(v.Val("date"))+" "+strings.TrimSpace(v.Val("time")), loc)
	if err != nil {
		if _, derr := time.Parse("2006-01-02", strings.TrimSpace(v.Val("date"))); derr != nil {
			v.fail("date", "matching.err_date")
		} else {
			v.fail("time", "matching.err_time")
		}
	} else if !at.After(s.now()) {
		v.fail("date", "matching.err_future")
	}
	minutes := v.integer("minutes", 15, store.MaxStartupMinute, 90)
	follow := v.integer("follow_up", 1, 20, store.DefaultFollowUp)
	room := v.Val("room")
	if room != "" && !slices.ContainsFunc(rooms, func(o officeOption) bool { return o.Value == room }) {
		v.fail("room", "office.err_choose")
	} else if room == "" && f.Format == "in_person" {
		v.fail("room", "matching.err_room")
	}
	starter := v.Val("starter")
	if !slices.ContainsFunc(starters, func(o officeOption) bool { return o.Value == starter }) {
		v.fail("starter", "matching.err_starter")
	}
	if len(v.Errors) > 0 {
		s.matchingFormationRender(w, r, lang, http.StatusBadRequest, v, sc, me)
		return
	}
	var venue domain.Venue
	if room != "" {
		venues, err := s.store.Venues(ctx)
		if err != nil {
			s.serverError(w, r, lang, err)
			return
		}
		all, err := s.store.AllRooms(ctx)
		if err != nil {
			s.serverError(w, r, lang, err)
			return
		}
		for _, vn := range venues {
			if slices.ContainsFunc(all[vn.ID], func(x domain.Room) bool { return x.ID == room }) {
				venue = vn
			}
		}
	}
	org := sc.byID[g.OrgID]
	organizer := org.Email
	if organizer == "" {
		organizer = me.User.Email
	}
	now := s.now()
	err = s.store.StartGroup(officeCtx(r, me), store.StartRequest{GroupID: g.ID, StartsAt: at, Minutes: minutes,
		RoomID: room, StarterID: starter, FollowUpAfter: follow,
		Message: func(e store.Enquiry, b store.RoomBooking) (store.OutboxMail, error) {
			return s.matchingStartMessage(e, g, org.Name, organizer, venue, f.Format, b, at, minutes, now)
		}}, now, matchingRetention)
	var ce *store.ClashError
	var pe *store.PersonError
	switch {
	case errors.As(err, &ce):
		v.fail("room", "matching.err_clash")
		for _, c := range ce.Clashes {
			what := v.S("matching.clash_other")
			if c.GroupID != "" {
				if cg, err := s.store.Group(ctx, c.GroupID); err == nil {
					what = cg.Name.In(lang)
				}
			}
			v.Clashes = append(v.Clashes, matchingClash{What: what, When: v.When(c.StartsAt)})
		}
	case errors.As(err, &pe):
		v.fail("room", "matching.err_start_own_municipality")
	case errors.Is(err, store.ErrNotEnoughAccepts):
		v.fail("", "matching.err_not_enough")
	case errors.Is(err, store.ErrFormation):
		v.fail("", "matching.err_formation")
	case err != nil:
		s.officeErr(w, r, lang, err)
		return
	}
	if len(v.Errors) > 0 {
		s.matchingFormationRender(w, r, lang, http.StatusConflict, v, sc, me)
		return
	}
	s.officeDone(w, r, lang, "/kontor/grupper-i-emning/"+g.ID, "startet")
}

// matchingStartMessage is the message to a person placed in the group: a
// mail with the start-up meeting as an iCalendar invitation (METHOD
// REQUEST, in Europe/Oslo, at the venue's address: the person is a member
// now), or a text message to a phone.
func (s *site) matchingStartMessage(e store.Enquiry, g domain.Group, house, organizer string, venue domain.Venue,
	format string, b store.RoomBooking, at time.Time, minutes int, now time.Time) (store.OutboxMail, error) {
	pv := matchingView{&officeView{staffView: s.newStaffView(e.Lang, "", nil)}}
	place := pv.S("matching.format." + format)
	if format == "in_person" && venue.ID != "" {
		parts := []string{venue.Name}
		if venue.Street != "" {
			parts = append(parts, venue.Street)
		}
		if pc := strings.TrimSpace(venue.PostalCode + " " + venue.City); pc != "" {
			parts = append(parts, pc)
		}
		place = strings.Join(parts, ", ")
	}
	name := g.Name.In(e.Lang)
	data := map[string]any{"Name": e.Name, "Group": name, "House": house, "When": pv.When(at).Text,
		"Minutes": minutes, "Place": place}
	m, err := s.matchingPersonMessage(e, "formation_start", data)
	if err != nil || m.Channel == store.ChannelSMS {
		return m, err
	}
	loc := matchingZone()
	uid := b.ID
	if uid == "" {
		uid = g.ID + "-" + at.UTC().Format("20060102T150405Z")
	}
	cal := ical.Calendar{Method: "REQUEST", Events: []ical.Event{{
		UID: uid + "@fellesrom", Start: at.In(loc), End: at.In(loc).Add(time.Duration(minutes) * time.Minute),
		Summary: pv.S("matching.ics_summary", "Group", name), Description: pv.S("matching.ics_description", "Group", name, "House", house),
		Location: place, Organizer: &ical.Person{Name: house, Email: organizer}, Status: ical.StatusConfirmed,
		DTStamp: now.UTC(),
	}}}
	data2, err := cal.Bytes()
	if err != nil {
		return m, err
	}
	m.Attachment = &store.Attachment{Name: "oppstart.ics", ContentType: "text/calendar; charset=utf-8; method=REQUEST", Data: data2}
	return m, nil
}
