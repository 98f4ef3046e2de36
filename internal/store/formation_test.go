package store_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// formFix is a house with a closed group model, a theme, a venue with a
// room in Tromsø (5501), a starter, and waiting people made on demand.
type formFix struct {
	s       *store.Store
	ctx     context.Context // the coordinator
	person  context.Context // a person answering by their link
	house   domain.Organisation
	model   domain.Model
	theme   domain.Theme
	venue   domain.Venue
	room    domain.Room
	starter store.User
	now     time.Time
	tokens  map[string]string // enquiry ID → invitation token, from the last FormGroup
	n       int
}

func newFormFix(t *testing.T, s *store.Store) *formFix {
	t.Helper()
	f := &formFix{s: s, ctx: store.WithActor(context.Background(), store.Actor{ID: "coord-1", Source: "192.0.2.0/24"}),
		person: store.WithActor(context.Background(), store.Actor{ID: "person"}),
		now:    time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC), tokens: map[string]string{}}
	f.house = newOrg(t, s, "huset", "")
	f.model = domain.Model{Slug: "selvhjelp", Name: domain.Text{"nb": "Selvhjelpsgruppe"}, Intake: domain.IntakeClosed,
		Leadership: domain.LeadStarter, DefaultJoin: domain.JoinViaHouse}
	f.theme = domain.Theme{Slug: "sorg", Name: domain.Text{"nb": "Sorg"}, Active: true}
	f.venue = domain.Venue{OrgID: f.house.ID, Name: "Huset", Street: "Storgata 1", MunicipalityID: "5501", Lat: 69.65,
		Lon: 18.96, HasCoordinates: true}
	for _, err := range []error{s.SaveModel(f.ctx, &f.model), s.SaveTheme(f.ctx, &f.theme), s.SaveVenue(f.ctx, &f.venue)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	f.room = f.newRoom(t, f.venue)
	f.starter = store.User{Email: "siri@example.no", Name: "Siri Starter",
		Memberships: []store.Membership{{OrgID: f.house.ID, Role: store.RoleStarter}}}
	if err := s.CreateUser(f.ctx, &f.starter); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *formFix) newRoom(t *testing.T, v domain.Venue) domain.Room {
	t.Helper()
	r := domain.Room{VenueID: v.ID, Name: fmt.Sprintf("Rom %d", f.n), Capacity: 10}
	f.n++
	if err := f.s.SaveRoom(f.ctx, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// group makes a planned closed group meeting in person in muni.
func (f *formFix) group(t *testing.T, muni string) domain.Group {
	t.Helper()
	f.n++
	g := domain.Group{Slug: fmt.Sprintf("gruppe-%d", f.n), Name: domain.Text{"nb": "Sorggruppe"}, ModelID: f.model.ID,
		OrgID: f.house.ID, Format: domain.FormatInPerson, Languages: []string{"nb"}, AgeGroup: domain.AgeAdults,
		Gender: domain.GenderEveryone, Status: domain.StatusPlanned, Join: domain.JoinViaHouse, MunicipalityID: muni,
		ThemeIDs: []string{f.theme.ID}}
	if err := f.s.SaveGroup(f.ctx, &g, "coord-1", ""); err != nil {
		t.Fatal(err)
	}
	return g
}

// waiting makes a confirmed enquiry (entered by staff) and puts it in the pool.
func (f *formFix) waiting(t *testing.T, muni string, notOwn bool, at time.Time) store.Enquiry {
	t.Helper()
	f.n++
	e := store.Enquiry{OrgID: f.house.ID, Channel: "phone", Name: fmt.Sprintf("Person%d", f.n), ContactKind: "email",
		Contact: fmt.Sprintf("person%d@example.no", f.n), Municipality: muni, TravelKm: 50, NotOwnMunicipality: notOwn,
		Formats: []string{"in_person", "video"}, Themes: []string{f.theme.ID}, Adult: true, ConsentVersion: "2026-03",
		ConsentRecordedBy: "coord-1"}
	_, hash := store.NewLinkToken()
	if err := f.s.CreateEnquiry(f.ctx, &e, hash, at, store.DefaultRetention); err != nil {
		t.Fatal(err)
	}
	if err := f.s.SetEnquiryStatus(f.ctx, e.ID, store.StatusChange{To: store.EnquiryWaiting}, at, store.DefaultRetention); err != nil {
		t.Fatal(err)
	}
	return e
}

func (f *formFix) form(g domain.Group, ids []string, needed int) (store.Formation, error) {
	return f.s.FormGroup(f.ctx, store.FormationRequest{GroupID: g.ID, Needed: needed, Slot: "tue-evening",
		Deadline: f.now.Add(7 * 24 * time.Hour), EnquiryIDs: ids, OrgIDs: []string{f.house.ID},
		Message: func(e store.Enquiry, token string) (store.OutboxMail, error) {
			f.tokens[e.ID] = token
			return store.OutboxMail{To: e.Contact, Subject: "Invitasjon", Body: "Svar: /svar/" + token, Kind: "formation_invite"}, nil
		}}, f.now, store.DefaultRetention)
}

func (f *formFix) start(g domain.Group, room string, at time.Time) error {
	return f.s.StartGroup(f.ctx, store.StartRequest{GroupID: g.ID, StartsAt: at, Minutes: 90, RoomID: room,
		StarterID: f.starter.ID, Message: func(e store.Enquiry, b store.RoomBooking) (store.OutboxMail, error) {
			return store.OutboxMail{To: e.Contact, Subject: "Oppstart", Body: "Velkommen", Kind: "formation_start",
				Attachment: &store.Attachment{Name: "oppstart.ics", ContentType: "text/calendar; method=REQUEST",
					Data: []byte("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")}}, nil
		}}, f.now, store.DefaultRetention)
}

func (f *formFix) answer(t *testing.T, id string, accept bool) store.Invitation {
	t.Helper()
	iv, err := f.s.AnswerInvitation(f.person, store.LinkTokenHash(f.tokens[id]), accept, f.now, store.DefaultRetention)
	if err != nil {
		t.Fatalf("answer %s: %v", id, err)
	}
	return iv
}

func (f *formFix) enquiry(t *testing.T, id string) store.Enquiry {
	t.Helper()
	e, err := f.s.ReadEnquiry(f.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func enquiryIDs(es []store.Enquiry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.ID
	}
	return out
}

func TestFormationFlow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFormFix(t, s)
		g := f.group(t, "5501")
		var people []store.Enquiry
		for i := range 5 {
			people = append(people, f.waiting(t, []string{"5501", "1804"}[i%2], false, f.now.Add(-time.Duration(30-i)*24*time.Hour)))
		}
		fm, err := f.form(g, enquiryIDs(people), 0)
		if err != nil {
			t.Fatal(err)
		}
		if fm.Needed != 4 || fm.Municipality != "5501" || fm.Format != "in_person" || fm.Reformed != 0 {
			t.Errorf("formation %+v", fm)
		}
		for _, p := range people {
			if e := f.enquiry(t, p.ID); e.Status != store.EnquiryInvited || e.GroupID != g.ID {
				t.Errorf("%s after FormGroup: %s %s", p.ID, e.Status, e.GroupID)
			}
		}
		// One invitation, one mail each, tied to the enquiry; the tokens work
		// only by their hash.
		ivs, err := s.Invitations(f.ctx, g.ID)
		if err != nil || len(ivs) != 5 {
			t.Fatalf("invitations: %d %v", len(ivs), err)
		}
		var refs []string
		for _, m := range claimAll(t, f) {
			if m.Kind == "formation_invite" {
				refs = append(refs, m.Ref)
			}
		}
		slices.Sort(refs)
		want := []string{}
		for _, p := range people {
			want = append(want, "enquiry:"+p.ID)
		}
		slices.Sort(want)
		if !slices.Equal(refs, want) {
			t.Errorf("outbox refs %v, want %v", refs, want)
		}
		if _, err := s.InvitationByToken(f.ctx, store.LinkTokenHash("not-a-token")); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a bad token: %v", err)
		}

		// Three accept: not enough to start.
		for _, p := range people[:3] {
			if iv := f.answer(t, p.ID, true); iv.Status != store.InvitationAccepted {
				t.Errorf("accepted: %+v", iv)
			}
		}
		if err := f.start(g, f.room.ID, f.now.Add(10*24*time.Hour)); !errors.Is(err, store.ErrNotEnoughAccepts) {
			t.Fatalf("start with 3 accepts: %v", err)
		}
		// The fourth declines, without a reason: back in the pool, with the
		// place in the queue kept.
		before := f.enquiry(t, people[3].ID)
		f.now = f.now.Add(time.Hour)
		if iv := f.answer(t, people[3].ID, false); iv.Status != store.InvitationDeclined {
			t.Errorf("declined: %+v", iv)
		}
		after := f.enquiry(t, people[3].ID)
		if after.Status != store.EnquiryWaiting || after.GroupID != "" || !after.WaitingSince.Equal(before.WaitingSince) {
			t.Errorf("declined: %s %q waiting since %v, was %v", after.Status, after.GroupID, after.WaitingSince, before.WaitingSince)
		}
		hist, _ := s.EnquiryHistory(f.ctx, people[3].ID)
		if last := hist[len(hist)-1]; last.Status != store.EnquiryWaiting || last.Reason != "declined" || last.ActorID != "person" {
			t.Errorf("history after declining: %+v", last)
		}
		// Answering twice, or after declining, changes nothing.
		if _, err := s.AnswerInvitation(f.person, store.LinkTokenHash(f.tokens[people[3].ID]), true, f.now, store.DefaultRetention); !errors.Is(err, store.ErrInvitationAnswered) {
			t.Errorf("accept after declining: %v", err)
		}
		// The fifth accepts: four accepted, the group can start.
		f.answer(t, people[4].ID, true)
		counts := store.InvitationCounts(mustInvitations(t, s, g.ID), 0)
		if counts[store.InvitationAccepted] != 4 || counts[store.InvitationDeclined] != 1 {
			t.Errorf("counts %v", counts)
		}
		startAt := time.Date(2026, 3, 12, 17, 0, 0, 0, time.UTC)
		if err := f.start(g, f.room.ID, startAt); err != nil {
			t.Fatal(err)
		}
		gg, _ := s.Group(f.ctx, g.ID)
		if gg.Status != domain.StatusStarting {
			t.Errorf("group after start: %s", gg.Status)
		}
		gh, _ := s.GroupHistory(f.ctx, g.ID)
		if last := gh[len(gh)-1]; last.Status != domain.StatusStarting || last.ChangedBy != "coord-1" {
			t.Errorf("group history: %+v", gh)
		}
		for i, p := range people {
			e := f.enquiry(t, p.ID)
			switch i {
			case 3:
				if e.Status != store.EnquiryWaiting {
					t.Errorf("the one who declined: %s", e.Status)
				}
			default:
				if e.Status != store.EnquiryPlaced || !e.DeleteAfter.Equal(startAt.Add(store.DefaultRetention.Placed)) {
					t.Errorf("placed %d: %s delete after %v", i, e.Status, e.DeleteAfter)
				}
			}
		}
		bs, _ := s.GroupBookings(f.ctx, g.ID)
		if len(bs) != 1 || !bs[0].StartsAt.Equal(startAt) || !bs[0].EndsAt.Equal(startAt.Add(90*time.Minute)) || bs[0].Purpose != "startup" {
			t.Errorf("bookings %+v", bs)
		}
		as, _ := s.StarterAssignments(f.ctx, g.ID)
		if len(as) != 1 || as[0].UserID != f.starter.ID || as[0].FollowUpAfter != 4 {
			t.Errorf("assignments %+v", as)
		}
		ics := 0
		for _, m := range claimAll(t, f) {
			if m.Kind == "formation_start" && m.Attachment != nil && m.Ref != "" {
				ics++
			}
		}
		if ics != 4 {
			t.Errorf("start mails with an attachment: %d", ics)
		}
		// Starting twice is refused.
		if err := f.start(g, f.room.ID, startAt.Add(48*time.Hour)); !errors.Is(err, store.ErrFormation) {
			t.Errorf("second start: %v", err)
		}
		for _, a := range []string{"formation.invite", "invitation.accept", "invitation.decline", "formation.start"} {
			es, err := s.AuditLog(f.ctx, store.AuditFilter{Action: a})
			if err != nil || len(es) == 0 {
				t.Errorf("no audit row %s: %v", a, err)
			}
		}
	})
}

// claimAll takes every mail due in the outbox.
func claimAll(t *testing.T, f *formFix) []store.OutboxMail {
	t.Helper()
	ms, err := f.s.ClaimOutbox(f.ctx, store.ChannelEmail, time.Now().Add(time.Hour), 100, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

func mustInvitations(t *testing.T, s *store.Store, g string) []store.Invitation {
	t.Helper()
	ivs, err := s.Invitations(context.Background(), g)
	if err != nil {
		t.Fatal(err)
	}
	return ivs
}

// TestFormationPendingWithdrawn: invitations still pending when the group
// starts are withdrawn, and those people are back in the pool.
func TestFormationPendingWithdrawn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFormFix(t, s)
		g := f.group(t, "5501")
		var people []store.Enquiry
		for range 6 {
			people = append(people, f.waiting(t, "1804", false, f.now.Add(-48*time.Hour)))
		}
		if _, err := f.form(g, enquiryIDs(people), 4); err != nil {
			t.Fatal(err)
		}
		for _, p := range people[:4] {
			f.answer(t, p.ID, true)
		}
		if err := f.start(g, f.room.ID, f.now.Add(72*time.Hour)); err != nil {
			t.Fatal(err)
		}
		for _, p := range people[4:] {
			if e := f.enquiry(t, p.ID); e.Status != store.EnquiryWaiting {
				t.Errorf("pending at the start: %s", e.Status)
			}
			if _, err := s.AnswerInvitation(f.person, store.LinkTokenHash(f.tokens[p.ID]), true, f.now, store.DefaultRetention); !errors.Is(err, store.ErrInvitationAnswered) {
				t.Errorf("accepting a withdrawn invitation: %v", err)
			}
		}
	})
}

func TestInvitationExpired(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFormFix(t, s)
		g := f.group(t, "5501")
		var people []store.Enquiry
		for range 4 {
			people = append(people, f.waiting(t, "1804", false, f.now))
		}
		if _, err := f.form(g, enquiryIDs(people), 4); err != nil {
			t.Fatal(err)
		}
		f.now = f.now.Add(8 * 24 * time.Hour)
		if _, err := s.AnswerInvitation(f.person, store.LinkTokenHash(f.tokens[people[0].ID]), true, f.now, store.DefaultRetention); !errors.Is(err, store.ErrInvitationExpired) {
			t.Errorf("answer after the deadline: %v", err)
		}
		if e := f.enquiry(t, people[0].ID); e.Status != store.EnquiryInvited {
			t.Errorf("after a late answer: %s", e.Status)
		}
	})
}

// TestNeverInOwnMunicipality: for random people and random groups, a
// person who asked for "not in my own municipality" is never invited to
// nor placed in a group meeting there in person; FormGroup refuses the
// whole group and changes nothing, and StartGroup refuses a room there.
func TestNeverInOwnMunicipality(t *testing.T) {
	munis := []string{"5501", "1804", "0301", "1857"}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFormFix(t, s)
		rng := rand.New(rand.NewPCG(4, 2))
		rooms := map[string]domain.Room{}
		for _, m := range munis {
			v := domain.Venue{OrgID: f.house.ID, Name: "Stedet " + m, MunicipalityID: m}
			if err := s.SaveVenue(f.ctx, &v); err != nil {
				t.Fatal(err)
			}
			rooms[m] = f.newRoom(t, v)
		}
		refused, placed := 0, 0
		for round := range 12 {
			gm := munis[rng.IntN(len(munis))]
			g := f.group(t, gm)
			var people []store.Enquiry
			clash := false
			for range 4 + rng.IntN(3) {
				m := munis[rng.IntN(len(munis))]
				notOwn := rng.IntN(3) == 0
				clash = clash || notOwn && m == gm
				people = append(people, f.waiting(t, m, notOwn, f.now))
			}
			_, err := f.form(g, enquiryIDs(people), 4)
			if clash {
				var pe *store.PersonError
				if !errors.Is(err, store.ErrOwnMunicipality) || !errors.As(err, &pe) {
					t.Fatalf("round %d: a person in their own municipality was invited: %v", round, err)
				}
				refused++
				for _, p := range people {
					if e := f.enquiry(t, p.ID); e.Status != store.EnquiryWaiting {
						t.Errorf("round %d: a refused formation changed %s to %s", round, p.ID, e.Status)
					}
				}
				continue
			}
			if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
			for _, p := range people {
				f.answer(t, p.ID, true)
			}
			// A room in the municipality of a person who asked not to meet
			// there is refused too.
			rm := munis[rng.IntN(len(munis))]
			roomClash := false
			for _, p := range people {
				roomClash = roomClash || p.NotOwnMunicipality && p.Municipality == rm
			}
			err = f.start(g, rooms[rm].ID, f.now.Add(time.Duration(24*(round+1))*time.Hour))
			if roomClash != errors.Is(err, store.ErrOwnMunicipality) || !roomClash && err != nil {
				t.Fatalf("round %d: start in %s: %v (want refused: %v)", round, rm, err, roomClash)
			}
			if err == nil {
				placed++
				for _, p := range people {
					e := f.enquiry(t, p.ID)
					if e.Status != store.EnquiryPlaced || e.NotOwnMunicipality && (e.Municipality == gm || e.Municipality == rm) {
						t.Errorf("round %d: placed %+v in %s/%s", round, e, gm, rm)
					}
				}
			}
		}
		if refused == 0 || placed == 0 {
			t.Errorf("the random rounds did not cover both cases: %d refused, %d placed", refused, placed)
		}
	})
}

func TestRoomDoubleBooking(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFormFix(t, s)
		g1, g2 := f.group(t, "5501"), f.group(t, "5501")
		for _, g := range []domain.Group{g1, g2} {
			var people []store.Enquiry
			for range 4 {
				people = append(people, f.waiting(t, "1804", false, f.now))
			}
			if _, err := f.form(g, enquiryIDs(people), 4); err != nil {
				t.Fatal(err)
			}
			for _, p := range people {
				f.answer(t, p.ID, true)
			}
		}
		at := time.Date(2026, 3, 10, 17, 0, 0, 0, time.UTC)
		if err := f.start(g1, f.room.ID, at); err != nil {
			t.Fatal(err)
		}
		// 18:00 overlaps 17:00–18:30.
		err := f.start(g2, f.room.ID, at.Add(time.Hour))
		var ce *store.ClashError
		if !errors.As(err, &ce) || len(ce.Clashes) != 1 || ce.Clashes[0].GroupID != g1.ID {
			t.Fatalf("double booking: %v", err)
		}
		if g, _ := s.Group(f.ctx, g2.ID); g.Status != domain.StatusPlanned {
			t.Errorf("a refused start changed the group to %s", g.Status)
		}
		if bs, _ := s.GroupBookings(f.ctx, g2.ID); len(bs) != 0 {
			t.Errorf("a refused start booked %+v", bs)
		}
		// Right after the first one ends is free.
		if err := f.start(g2, f.room.ID, at.Add(90*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if bs, _ := s.RoomBookings(f.ctx, f.room.ID, at, at.Add(24*time.Hour)); len(bs) != 2 {
			t.Errorf("bookings of the room: %d", len(bs))
		}
	})
}

func TestReforming(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFormFix(t, s)
		g := f.group(t, "5501")
		var first []store.Enquiry
		for range 4 {
			first = append(first, f.waiting(t, "1804", false, f.now))
		}
		if _, err := f.form(g, enquiryIDs(first), 4); err != nil {
			t.Fatal(err)
		}
		for _, p := range first {
			f.answer(t, p.ID, true)
		}
		if err := f.start(g, f.room.ID, f.now.Add(48*time.Hour)); err != nil {
			t.Fatal(err)
		}
		// Re-forming a starting group is refused; handed over, it runs.
		newcomers := []store.Enquiry{f.waiting(t, "1804", false, f.now), f.waiting(t, "5501", false, f.now)}
		if _, err := f.form(g, enquiryIDs(newcomers), 0); !errors.Is(err, store.ErrFormation) {
			t.Errorf("re-forming a starting group: %v", err)
		}
		if err := s.HandOver(f.ctx, g.ID, f.now.Add(30*24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := s.HandOver(f.ctx, g.ID, f.now.Add(30*24*time.Hour)); !errors.Is(err, store.ErrFormation) {
			t.Errorf("handing over twice: %v", err)
		}
		f.now = f.now.Add(60 * 24 * time.Hour)
		fm, err := f.form(g, enquiryIDs(newcomers), 0)
		if err != nil {
			t.Fatal(err)
		}
		if fm.Reformed != 1 || fm.Needed != 2 || !fm.StartedAt.IsZero() {
			t.Errorf("re-formed %+v", fm)
		}
		// The re-forming is kept for the reports, once, naming no one.
		rgs, err := s.ReportGroups(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, rg := range rgs {
			if rg.ID == g.ID && (len(rg.Reformed) != 1 || !rg.Reformed[0].Equal(f.now.UTC().Truncate(time.Microsecond))) {
				t.Errorf("the report's re-formings of the group: %v, want [%v]", rg.Reformed, f.now)
			}
		}
		if g2, _ := s.Group(f.ctx, g.ID); g2.Status != domain.StatusRunning {
			t.Errorf("a re-forming group is %s until the newcomers accept", g2.Status)
		}
		f.answer(t, newcomers[0].ID, true)
		if err := f.start(g, f.room.ID, f.now.Add(48*time.Hour)); !errors.Is(err, store.ErrNotEnoughAccepts) {
			t.Errorf("start with 1 of 2: %v (the first round's accepts must not count)", err)
		}
		f.answer(t, newcomers[1].ID, true)
		if err := f.start(g, f.room.ID, f.now.Add(48*time.Hour)); err != nil {
			t.Fatal(err)
		}
		ivs := mustInvitations(t, s, g.ID)
		if len(ivs) != 6 || ivs[0].Round != 1 || ivs[5].Round != 0 {
			t.Errorf("invitations of both rounds: %+v", ivs)
		}
		gh, _ := s.GroupHistory(f.ctx, g.ID)
		var sts []domain.Status
		for _, h := range gh {
			sts = append(sts, h.Status)
		}
		if want := []domain.Status{domain.StatusPlanned, domain.StatusStarting, domain.StatusRunning, domain.StatusStarting}; !slices.Equal(sts, want) {
			t.Errorf("history %v, want %v", sts, want)
		}
		if as, _ := s.StarterAssignments(f.ctx, g.ID); len(as) != 2 || as[0].HandedOverAt.IsZero() || !as[1].HandedOverAt.IsZero() {
			t.Errorf("assignments %+v", as)
		}
	})
}

func TestFormGroupRefuses(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFormFix(t, s)
		g := f.group(t, "5501")
		other := newOrg(t, s, "andre", "")
		p := f.waiting(t, "1804", false, f.now)
		q := f.waiting(t, "1804", false, f.now)
		// Someone else's enquiry is not found.
		_, err := s.FormGroup(f.ctx, store.FormationRequest{GroupID: g.ID, Deadline: f.now.Add(time.Hour),
			EnquiryIDs: []string{p.ID}, OrgIDs: []string{other.ID},
			Message: func(store.Enquiry, string) (store.OutboxMail, error) { return store.OutboxMail{}, nil }},
			f.now, store.DefaultRetention)
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another house's enquiry: %v", err)
		}
		// Not waiting.
		if err := s.SetEnquiryStatus(f.ctx, q.ID, store.StatusChange{To: store.EnquiryPaused}, f.now, store.DefaultRetention); err != nil {
			t.Fatal(err)
		}
		if _, err := f.form(g, []string{p.ID, q.ID}, 1); !errors.Is(err, store.ErrEnquiryStatus) {
			t.Errorf("a paused enquiry: %v", err)
		}
		// An open model's group is not formed.
		open := domain.Model{Slug: "tolv", Name: domain.Text{"nb": "Tolv trinn"}, Intake: domain.IntakeOpen,
			Leadership: domain.LeadChair, DefaultJoin: domain.JoinJustCome}
		if err := s.SaveModel(f.ctx, &open); err != nil {
			t.Fatal(err)
		}
		og := domain.Group{Slug: "apen", Name: domain.Text{"nb": "Åpent møte"}, ModelID: open.ID, OrgID: f.house.ID,
			Format: domain.FormatInPerson, AgeGroup: domain.AgeAll, Gender: domain.GenderEveryone,
			Status: domain.StatusRunning, Join: domain.JoinJustCome, MunicipalityID: "5501"}
		if err := s.SaveGroup(f.ctx, &og, "coord-1", ""); err != nil {
			t.Fatal(err)
		}
		if _, err := f.form(og, []string{p.ID}, 1); !errors.Is(err, store.ErrFormation) {
			t.Errorf("an open group: %v", err)
		}
		if e := f.enquiry(t, p.ID); e.Status != store.EnquiryWaiting {
			t.Errorf("after refusals: %s", e.Status)
		}
	})
}

func TestMunicipalityPoints(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFormFix(t, s)
		v := domain.Venue{OrgID: f.house.ID, Name: "Andre", MunicipalityID: "5501", Lat: 69.67, Lon: 18.98, HasCoordinates: true}
		w := domain.Venue{OrgID: f.house.ID, Name: "Uten", MunicipalityID: "1804"}
		for _, x := range []*domain.Venue{&v, &w} {
			if err := s.SaveVenue(f.ctx, x); err != nil {
				t.Fatal(err)
			}
		}
		pts, err := s.MunicipalityPoints(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		p, ok := pts["5501"]
		if !ok || p.Lat < 69.659 || p.Lat > 69.661 || p.Lon < 18.969 || p.Lon > 18.971 {
			t.Errorf("Tromsø %+v %v", p, ok)
		}
		if _, ok := pts["1804"]; ok {
			t.Error("Bodø has no venue with coordinates")
		}
		// Tromsø–Bodø is about 320 km as the crow flies.
		if d := store.DistanceKm(store.Point{Lat: 69.65, Lon: 18.96}, store.Point{Lat: 67.28, Lon: 14.40}); d < 300 || d > 340 {
			t.Errorf("Tromsø–Bodø %.0f km", d)
		}
	})
}
