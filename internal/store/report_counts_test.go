package store_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/report"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// The activity figures are counted from what the groups report, the
// events held, the outreach log and the room bookings: anonymous rows of
// a month, a place and a number, true to what was recorded; and the
// retention job (enquiries, event sign-ups) leaves them as they were
// (issue 7, items 1 and 6).
func TestReportCounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := store.WithActor(context.Background(), store.Actor{ID: "coordinator-1", Source: "192.0.2.0/24"})
		f := setup(t, s)
		now := time.Date(2026, 3, 20, 12, 0, 0, 0, time.UTC)

		// The group reports two months: 4 meetings with 6 present, 3 with 2.
		if _, err := s.SaveGroupReports(ctx, f.group.ID, []store.GroupReportInput{
			{Month: "2026-01", Meetings: 4, Present: 6}, {Month: "2026-02", Meetings: 3, Present: 2}}, now); err != nil {
			t.Fatal(err)
		}
		// Outreach: two talks in February (30 and 12 reached), brochures in March.
		for _, e := range []store.OutreachEntry{{Day: "2026-02-03", Kind: store.OutreachTalk, Reached: 30},
			{Day: "2026-02-20", Kind: store.OutreachTalk, Reached: 12}, {Day: "2026-03-02", Kind: store.OutreachBrochures, Reached: 200}} {
			e.OrgID, e.CreatedBy = f.house.ID, "coordinator-1"
			if err := s.SaveOutreach(ctx, &e, now); err != nil {
				t.Fatal(err)
			}
		}
		// Events: one held in February with 9 attending, one still to come.
		oslo, _ := time.LoadLocation("Europe/Oslo")
		var held store.Event
		for i, start := range []time.Time{time.Date(2026, 2, 10, 18, 0, 0, 0, oslo), time.Date(2026, 4, 10, 18, 0, 0, 0, oslo)} {
			e := store.Event{Slug: "mote-" + start.Format("0102"), OrgID: f.house.ID, Kind: store.EventPublicMeeting,
				Title: domain.Text{"nb": "Åpent møte"}, StartsAt: start, EndsAt: start.Add(2 * time.Hour), VenueID: f.venue.ID,
				SignupOpen: true, Listed: true}
			if err := s.SaveEvent(ctx, &e, start.Add(-30*24*time.Hour), nil); err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				held = e
			}
		}
		if err := s.RecordAttendance(ctx, held.ID, 9, now); err != nil {
			t.Fatal(err)
		}
		// Rooms: the group's 90 minutes in January, an outside holder's hour in March.
		for _, b := range []struct {
			at     time.Time
			min    int
			group  string
			holder string
		}{{time.Date(2026, 1, 14, 17, 0, 0, 0, time.UTC), 90, f.group.ID, ""}, {time.Date(2026, 3, 4, 17, 0, 0, 0, time.UTC), 60, "", "Lag og foreninger"}} {
			rb := store.RoomBooking{RoomID: f.room.ID, GroupID: b.group, StartsAt: b.at, EndsAt: b.at.Add(time.Duration(b.min) * time.Minute),
				Purpose: "meeting", CreatedBy: "coordinator-1", CreatedAt: now}
			if err := s.BookOnce(ctx, &rb, store.BookingHolder{Holder: b.holder}); err != nil {
				t.Fatal(err)
			}
		}

		// A starter of the house took the starter course in January and a
		// refresher in February.
		sp := store.StarterProfile{OrgID: f.house.ID, Name: "Kari Igangsetter", Email: "kari@example.org", Municipality: "5501",
			Languages: []string{"nb"}, MaxGroups: 1}
		if err := s.SaveStarterProfile(ctx, &sp, now); err != nil {
			t.Fatal(err)
		}
		for _, c := range []store.StarterCourse{{Kind: store.CourseStarter, CompletedOn: "2026-01-17"}, {Kind: store.CourseRefresher, CompletedOn: "2026-02-07"}} {
			c.ProfileID, c.OrganiserID = sp.ID, f.house.ID
			if err := s.AddStarterCourse(ctx, &c, now); err != nil {
				t.Fatal(err)
			}
		}

		rows, err := s.ReportCounts(ctx, now)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		for _, r := range rows {
			if r.OrgID != f.house.ID || r.MunicipalityID != "5501" || r.CountyID != "55" {
				t.Errorf("row %+v: not the house in Tromsø", r)
			}
			got[r.Measure+"|"+r.Month+"|"+r.Category] += r.N
		}
		want := map[string]int{
			"meetings.held|2026-01|in_person": 4, "meetings.attendance|2026-01|in_person": 6,
			"meetings.held|2026-02|in_person": 3, "meetings.attendance|2026-02|in_person": 2,
			"outreach.activities|2026-02|talk": 2, "outreach.reached|2026-02|talk": 42,
			"outreach.activities|2026-03|brochures": 1, "outreach.reached|2026-03|brochures": 200,
			"events.held|2026-02|public_meeting": 1, "events.reached|2026-02|public_meeting": 9,
			"rooms.bookings|2026-01|group": 1, "rooms.hours|2026-01|group": 2,
			"rooms.bookings|2026-03|outside": 1, "rooms.hours|2026-03|outside": 1,
			"starters.courses|2026-01|starter": 1, "starters.courses|2026-02|refresher": 1,
		}
		if events := got["events.held|2026-02|public_meeting"]; events != 1 {
			t.Errorf("events held %d", events)
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: %d, want %d", k, got[k], v)
			}
		}
		for k := range got {
			if _, ok := want[k]; !ok {
				t.Errorf("unexpected %s: %d", k, got[k])
			}
		}

		// In the figures: the house's own first quarter, exact.
		d, err := report.Load(ctx, s, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		q1 := d.Figures(report.Period{Kind: report.Quarter, Year: 2026, N: 1}, report.Scope{Kind: report.House, ID: f.house.ID}, false)
		for id, n := range map[string]int{"meetings.held": 7, "meetings.attendance": 8, "outreach.reached": 242, "events.reached": 9, "rooms.hours": 3} {
			if tb := q1.Table(id); tb == nil || tb.Total.Now.Value != n {
				t.Errorf("%s: %+v, want %d", id, tb, n)
			}
		}
		// Protected, the 8 present show; 2 in February is under 5.
		feb := d.Figures(report.Period{Kind: report.Month, Year: 2026, N: 2}, report.Scope{Kind: report.Municipality, ID: "5501"}, true)
		if c := feb.Table("meetings.attendance").Total.Now; c.State == report.Shown {
			t.Errorf("2 present in February shown: %+v", c)
		}

		// The retention job runs: the figures are the same.
		figs := func() []*report.Report {
			d, err := report.Load(ctx, s, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			var out []*report.Report
			for _, sc := range []report.Scope{{Kind: report.House, ID: f.house.ID}, {Kind: report.National}} {
				for _, p := range []report.Period{{Kind: report.Year, Year: 2026}, {Kind: report.Month, Year: 2026, N: 2}} {
					out = append(out, d.Figures(p, sc, true), d.Figures(p, sc, false))
				}
			}
			return out
		}
		b := figs()
		later := now.AddDate(1, 0, 0)
		if _, err := s.RunRetention(ctx, later, store.DefaultRetention, func(store.Enquiry) (store.OutboxMail, string, error) {
			return store.OutboxMail{}, "", errors.New("nobody to ask")
		}); err != nil {
			t.Fatal(err)
		}
		ids, err := s.EventsToPurge(ctx, later)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			if _, err := s.PurgeEventSignups(ctx, id, later); err != nil {
				t.Fatal(err)
			}
		}
		if a := figs(); !reflect.DeepEqual(a, b) {
			t.Errorf("the figures changed with the retention job:\nbefore %+v\nafter  %+v", b, a)
		}
		// The starter leaves and her profile, with its courses, is deleted:
		// the courses stay in the figures of their months.
		if err := s.DeleteStarterProfile(ctx, sp.ID); err != nil {
			t.Fatal(err)
		}
		if a := figs(); !reflect.DeepEqual(a, b) {
			t.Errorf("the figures changed when a starter's profile was deleted:\nbefore %+v\nafter  %+v", b, a)
		}
		// A course entered by mistake and deleted by hand leaves them.
		sp2 := store.StarterProfile{OrgID: f.house.ID, Name: "Ola Igangsetter", Email: "ola@example.org", Municipality: "5501",
			Languages: []string{"nb"}, MaxGroups: 1}
		if err := s.SaveStarterProfile(ctx, &sp2, now); err != nil {
			t.Fatal(err)
		}
		wrong := store.StarterCourse{ProfileID: sp2.ID, Kind: store.CourseStarter, CompletedOn: "2026-02-03"}
		if err := s.AddStarterCourse(ctx, &wrong, now); err != nil {
			t.Fatal(err)
		}
		if a := figs(); reflect.DeepEqual(a, b) {
			t.Error("a new course did not change the figures")
		}
		if err := s.DeleteStarterCourse(ctx, sp2.ID, wrong.ID); err != nil {
			t.Fatal(err)
		}
		if a := figs(); !reflect.DeepEqual(a, b) {
			t.Errorf("a course deleted by hand is still in the figures:\nbefore %+v\nafter  %+v", b, a)
		}
	})
}
