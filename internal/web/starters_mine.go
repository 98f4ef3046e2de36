package web

// The starter's own page: /kontor/mine-grupper. Only their own
// assignments, and for each what they need for the start-up meeting: the
// group's time and room (with the venue's address), the house's contact,
// and — while the assignment is open (not handed over, the group not
// ended) — the first names and contacts of the people placed in the group,
// read through store.Enquiries (an audited staff read, one enquiry.list row
// per group). Never the people's own words, intake notes or anything else
// of an enquiry. The starter marks the follow-up done and the group handed
// over (store.HandOverAssignment, which hands a starting group over through
// formation's HandOver).

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
)

// startersPerson is what the starter sees of a person placed in their
// group: the first name and the contact, nothing else.
type startersPerson struct {
	Name    string
	Kind    string // email or phone
	Contact string
}

// Href is the contact as a link: mailto: or tel:.
func (p startersPerson) Href() string {
	if p.Kind == "phone" {
		return "tel:" + p.Contact
	}
	return "mailto:" + p.Contact
}

// startersMeeting is a booking of a room for the group.
type startersMeeting struct {
	When    Phrase
	Minutes int
	Startup bool
	Place   string // the room and the venue's address
}

// startersMineItem is one assignment on the starter's page.
type startersMineItem struct {
	A        store.Assignment
	Group    domain.Group
	OrgName  string
	OrgEmail string
	OrgPhone string
	Schedule Phrase
	Place    string // where the group meets: the room and the venue's address
	Meetings []startersMeeting
	People   []startersPerson
	Open     bool
}

type startersMineView struct {
	startersView
	Open   []startersMineItem
	Closed []startersMineItem
}

// startersPlace is a room and its venue's address in one line.
func startersPlace(room string, vn domain.Venue) string {
	parts := []string{}
	if room != "" {
		parts = append(parts, room)
	}
	if vn.Name != "" {
		parts = append(parts, vn.Name)
	}
	if vn.Street != "" {
		parts = append(parts, vn.Street)
	}
	if pc := strings.TrimSpace(vn.PostalCode + " " + vn.City); pc != "" {
		parts = append(parts, pc)
	}
	return strings.Join(parts, ", ")
}

// startersMineRender reads the user's assignments and what each needs, and
// renders the page.
func (s *site) startersMineRender(w http.ResponseWriter, r *http.Request, lang string, status int, v *startersMineView, me *auth.Current) {
	ctx := r.Context()
	as, err := s.store.AssignmentsOfUser(ctx, me.User.ID)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	orgs, err := s.store.Organisations(ctx)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	byOrg := map[string]domain.Organisation{}
	for _, o := range orgs {
		byOrg[o.ID] = o
	}
	venues, err := s.store.Venues(ctx)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	byVenue := map[string]domain.Venue{}
	for _, vn := range venues {
		byVenue[vn.ID] = vn
	}
	rooms, err := s.store.AllRooms(ctx)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	type roomAt struct {
		name  string
		venue domain.Venue
	}
	byRoom := map[string]roomAt{}
	for venue, rs := range rooms {
		for _, rm := range rs {
			byRoom[rm.ID] = roomAt{rm.Name, byVenue[venue]}
		}
	}
	for _, a := range as {
		g, err := s.store.Group(ctx, a.GroupID)
		if err != nil {
			s.officeErr(w, r, lang, err)
			return
		}
		o := byOrg[g.OrgID]
		it := startersMineItem{A: a, Group: g, OrgName: o.Name, OrgEmail: o.Email, OrgPhone: o.Phone, Open: a.Open(),
			Schedule: ScheduleWords(v.cat, lang, g.Schedule)}
		if g.VenueID != "" {
			room := ""
			if rm, ok := byRoom[g.RoomID]; ok {
				room = rm.name
			}
			it.Place = startersPlace(room, byVenue[g.VenueID])
		}
		if it.Open {
			bs, err := s.store.GroupBookings(ctx, g.ID)
			if err != nil {
				s.serverError(w, r, lang, err)
				return
			}
			now := s.now()
			for _, b := range bs {
				if b.EndsAt.Before(now.Add(-24 * time.Hour)) {
					continue
				}
				rm := byRoom[b.RoomID]
				it.Meetings = append(it.Meetings, startersMeeting{When: v.When(b.StartsAt), Startup: b.Purpose == "startup",
					Minutes: int(b.EndsAt.Sub(b.StartsAt) / time.Minute), Place: startersPlace(rm.name, rm.venue)})
			}
			if len(it.Meetings) == 0 {
				// A phone or video group has no room: the start-up meeting
				// is the formation's.
				if f, err := s.store.FormationOf(ctx, g.ID); err == nil && !f.StartupAt.IsZero() && f.StartupAt.After(now.Add(-24*time.Hour)) {
					it.Meetings = append(it.Meetings, startersMeeting{When: v.When(f.StartupAt), Startup: true,
						Minutes: f.StartupMinutes, Place: v.S("starters.format." + f.Format)})
				} else if err != nil && !errors.Is(err, store.ErrNotFound) {
					s.serverError(w, r, lang, err)
					return
				}
			}
			// The people placed in the group: an audited read, of the
			// first name and contact only.
			es, err := s.store.Enquiries(officeCtx(r, me), store.EnquiryFilter{OrgIDs: []string{g.OrgID}, GroupID: g.ID,
				Statuses: []store.EnquiryStatus{store.EnquiryPlaced}})
			if err != nil {
				s.serverError(w, r, lang, err)
				return
			}
			for _, e := range es {
				it.People = append(it.People, startersPerson{Name: e.Name, Kind: e.ContactKind, Contact: e.Contact})
			}
			v.Open = append(v.Open, it)
		} else {
			v.Closed = append(v.Closed, it)
		}
	}
	s.render(w, r, status, "starters_mine", v)
}

func (s *site) newStartersMineView(r *http.Request, lang string, me *auth.Current) *startersMineView {
	return &startersMineView{startersView: s.newStartersView(r, lang, "/kontor/mine-grupper", me, "mine", "starters.mine_title")}
}

// startersMinePage is GET /kontor/mine-grupper: a user with the starter
// role; anyone else gets 404.
func (s *site) startersMinePage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	if !startersIsStarter(me) {
		s.notFound(w, r, lang)
		return
	}
	s.startersMineRender(w, r, lang, http.StatusOK, s.newStartersMineView(r, lang, me), me)
}

// startersMineLoad loads the assignment of the path: the user's own, or a 404.
func (s *site) startersMineLoad(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) (store.Assignment, bool) {
	id := officePathID(r, "id")
	if id == "" || !startersIsStarter(me) {
		s.notFound(w, r, lang)
		return store.Assignment{}, false
	}
	a, err := s.store.Assignment(r.Context(), id)
	if err != nil {
		s.officeErr(w, r, lang, err)
		return a, false
	}
	if a.UserID != me.User.ID {
		s.notFound(w, r, lang)
		return a, false
	}
	return a, true
}

// startersFollowUpPost is POST /kontor/mine-grupper/{id}/oppfolging: the
// follow-up contact with the group is made.
func (s *site) startersFollowUpPost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	a, ok := s.startersMineLoad(w, r, lang, me)
	if !ok {
		return
	}
	err := s.store.FollowUpDone(officeCtx(r, me), a.ID, s.now())
	if errors.Is(err, store.ErrAssignmentDone) {
		v := s.newStartersMineView(r, lang, me)
		v.fail("", "starters.err_follow_up_done")
		s.startersMineRender(w, r, lang, http.StatusConflict, v, me)
		return
	}
	if err != nil {
		s.officeErr(w, r, lang, err)
		return
	}
	s.officeDone(w, r, lang, "/kontor/mine-grupper", "oppfolging")
}

// startersHandOverPost is POST /kontor/mine-grupper/{id}/overlevert: the
// group runs itself; the people's contacts are no longer shown.
func (s *site) startersHandOverPost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	a, ok := s.startersMineLoad(w, r, lang, me)
	if !ok {
		return
	}
	err := s.store.HandOverAssignment(officeCtx(r, me), a.ID, s.now())
	if errors.Is(err, store.ErrAssignmentDone) {
		v := s.newStartersMineView(r, lang, me)
		v.fail("", "starters.err_handed_over")
		s.startersMineRender(w, r, lang, http.StatusConflict, v, me)
		return
	}
	if err != nil {
		s.officeErr(w, r, lang, err)
		return
	}
	s.officeDone(w, r, lang, "/kontor/mine-grupper", "overlevert")
}
