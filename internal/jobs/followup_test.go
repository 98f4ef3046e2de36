package jobs_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/jobs"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// startedGroup makes a house with a coordinator and a starter, and a closed
// group (weekly on Tuesdays at 18:00 when weekly is set) that four people
// joined and that started at start.
func startedGroup(t *testing.T, s *store.Store, start time.Time, weekly bool) (domain.Group, store.User, store.User) {
	t.Helper()
	ctx := store.WithActor(context.Background(), store.Actor{ID: "test"})
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	house := domain.Organisation{Kind: domain.OrgSelfHelpHouse, Slug: "huset", Name: "Huset"}
	must(s.SaveOrganisation(ctx, &house))
	model := domain.Model{Slug: "lukket", Name: domain.Text{"nb": "Lukket"}, Intake: domain.IntakeClosed,
		Leadership: domain.LeadStarter, DefaultJoin: domain.JoinViaHouse}
	must(s.SaveModel(ctx, &model))
	venue := domain.Venue{OrgID: house.ID, Name: "Huset", MunicipalityID: "5501"}
	must(s.SaveVenue(ctx, &venue))
	room := domain.Room{VenueID: venue.ID, Name: "Stua"}
	must(s.SaveRoom(ctx, &room))
	g := domain.Group{Slug: "sorg", Name: domain.Text{"nb": "Sorggruppe"}, ModelID: model.ID, OrgID: house.ID,
		Format: domain.FormatInPerson, AgeGroup: domain.AgeAdults, Gender: domain.GenderEveryone, Status: domain.StatusPlanned,
		Join: domain.JoinViaHouse, MunicipalityID: "5501"}
	if weekly {
		g.Schedule = domain.Schedule{Start: start, DurationMin: 90, TZ: "Europe/Oslo", RRule: "FREQ=WEEKLY;BYDAY=TU"}
	}
	must(s.SaveGroup(ctx, &g, "test", ""))
	coord := store.User{Email: "kari@example.no", Name: "Kari Koordinator",
		Memberships: []store.Membership{{OrgID: house.ID, Role: store.RoleCoordinator}}}
	starter := store.User{Email: "siri@example.no", Name: "Siri Starter",
		Memberships: []store.Membership{{OrgID: house.ID, Role: store.RoleStarter}}}
	must(s.CreateUser(ctx, &coord))
	must(s.CreateUser(ctx, &starter))
	now := start.Add(-10 * 24 * time.Hour)
	var ids []string
	for i := range 4 {
		e := store.Enquiry{OrgID: house.ID, Channel: "phone", Name: fmt.Sprintf("P%d", i), ContactKind: "email",
			Contact: fmt.Sprintf("p%d@example.no", i), Municipality: "1804", Formats: []string{"in_person"},
			ConsentVersion: "x", ConsentRecordedBy: coord.ID}
		_, hash := store.NewLinkToken()
		must(s.CreateEnquiry(ctx, &e, hash, now, store.DefaultRetention))
		must(s.SetEnquiryStatus(ctx, e.ID, store.StatusChange{To: store.EnquiryWaiting}, now, store.DefaultRetention))
		ids = append(ids, e.ID)
	}
	tokens := map[string]string{}
	_, err := s.FormGroup(ctx, store.FormationRequest{GroupID: g.ID, Deadline: now.Add(5 * 24 * time.Hour), EnquiryIDs: ids,
		OrgIDs: []string{house.ID}, Message: func(e store.Enquiry, tok string) (store.OutboxMail, error) {
			tokens[e.ID] = tok
			return store.OutboxMail{To: e.Contact, Subject: "Inv", Body: "x", Kind: "formation_invite"}, nil
		}}, now, store.DefaultRetention)
	must(err)
	for _, id := range ids {
		_, err := s.AnswerInvitation(ctx, store.LinkTokenHash(tokens[id]), true, now, store.DefaultRetention)
		must(err)
	}
	must(s.StartGroup(ctx, store.StartRequest{GroupID: g.ID, StartsAt: start, Minutes: 90, RoomID: room.ID, StarterID: starter.ID,
		Message: func(e store.Enquiry, b store.RoomBooking) (store.OutboxMail, error) {
			return store.OutboxMail{To: e.Contact, Subject: "Start", Body: "x", Kind: "formation_start"}, nil
		}}, now, store.DefaultRetention))
	return g, coord, starter
}

func followUpMails(t *testing.T, s *store.Store) []store.OutboxMail {
	t.Helper()
	ms, err := s.ClaimOutbox(context.Background(), store.ChannelEmail, time.Now().Add(time.Hour), 100, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	var out []store.OutboxMail
	for _, m := range ms {
		if m.Kind == "formation_follow_up" {
			out = append(out, m)
		}
	}
	return out
}

// TestFollowUp: the reminder goes to the starter and the coordinator once
// the group has held four meetings of its weekly schedule, and only once.
func TestFollowUp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		oslo, _ := time.LoadLocation("Europe/Oslo")
		start := time.Date(2026, 3, 3, 18, 0, 0, 0, oslo)
		g, coord, starter := startedGroup(t, s, start, true)
		clock := start.Add(15 * 24 * time.Hour) // three Tuesdays held: 3, 10 and 17 March
		opts := jobs.FollowUpOptions{Now: func() time.Time { return clock }, LinkBase: "https://selvhjelp.example.no"}
		log := slog.New(slog.DiscardHandler)
		if n, err := jobs.SendFollowUps(context.Background(), s, log, opts); err != nil || n != 0 {
			t.Fatalf("after three meetings: %d %v", n, err)
		}
		clock = start.Add(21*24*time.Hour + time.Minute) // the fourth, 24 March, has begun
		if n, err := jobs.SendFollowUps(context.Background(), s, log, opts); err != nil || n != 1 {
			t.Fatalf("after four meetings: %d %v", n, err)
		}
		ms := followUpMails(t, s)
		var to []string
		for _, m := range ms {
			to = append(to, m.To)
			if !strings.Contains(m.Body, "https://selvhjelp.example.no/kontor/grupper-i-emning/"+g.ID) || !strings.Contains(m.Body, "Sorggruppe") {
				t.Errorf("the reminder:\n%s", m.Body)
			}
		}
		slices.Sort(to)
		if !slices.Equal(to, []string{coord.Email, starter.Email}) {
			t.Errorf("reminders to %v", to)
		}
		if n, err := jobs.SendFollowUps(context.Background(), s, log, opts); err != nil || n != 0 {
			t.Errorf("a second run: %d %v", n, err)
		}
		if as, _ := s.StarterAssignments(context.Background(), g.ID); len(as) != 1 || as[0].FollowUpSentAt.IsZero() {
			t.Errorf("assignment %+v", as)
		}
	})
}

// TestFollowUpWithoutSchedule counts weeks, the start-up meeting first.
func TestFollowUpWithoutSchedule(t *testing.T) {
	start := time.Date(2026, 3, 3, 17, 0, 0, 0, time.UTC)
	g := domain.Group{}
	for _, c := range []struct {
		after time.Duration
		want  int
	}{{-time.Hour, 0}, {0, 1}, {6 * 24 * time.Hour, 1}, {7 * 24 * time.Hour, 2}, {22 * 24 * time.Hour, 4}, {100 * 24 * time.Hour, 4}} {
		if got := jobs.Meetings(g, start, start.Add(c.after), 4); got != c.want {
			t.Errorf("after %v: %d meetings, want %d", c.after, got, c.want)
		}
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		startedGroup(t, s, start, false)
		opts := jobs.FollowUpOptions{Now: func() time.Time { return start.Add(22 * 24 * time.Hour) }}
		if n, err := jobs.SendFollowUps(context.Background(), s, slog.New(slog.DiscardHandler), opts); err != nil || n != 1 {
			t.Errorf("after three weeks: %d %v", n, err)
		}
	})
}
