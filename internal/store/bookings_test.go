package store_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

var oslo = func() *time.Location {
	l, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		panic(err)
	}
	return l
}()

// bookNow is "today" in the booking tests.
var bookNow = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func coordCtx() context.Context {
	return store.WithActor(context.Background(), store.Actor{ID: "coord-1", Source: "192.0.2.0/24"})
}

// local is a wall-clock time in Oslo, in UTC.
func local(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, oslo).UTC()
}

// meeting is one meeting of a booking as the test's own oracle sees it:
// expanded with domain.Schedule.Next (not the store's code).
type meeting struct {
	owner      string // booking or series ID
	start, end time.Time
}

// oracleCutoff: the oracle expands up to twelve years from today (Next
// walks 1000 periods: 19 years of weekly meetings).
var oracleCutoff = bookNow.AddDate(12, 0, 0)

func seriesMeetings(sr store.RoomSeries) []meeting {
	var out []meeting
	for _, t := range sr.Schedule().Next(time.Time{}, 5000) {
		if !t.Before(oracleCutoff) {
			break
		}
		if n := len(out); n > 0 && out[n-1].start.Equal(t) {
			continue // two BYDAYs on one day (4SU, -1SU): once
		}
		out = append(out, meeting{sr.ID, t.UTC(), t.Add(time.Duration(sr.Minutes) * time.Minute).UTC()})
	}
	return out
}

func overlapping(a, b meeting) bool { return a.start.Before(b.end) && b.start.Before(a.end) }

// clashOwners are the owners of others that any of mine overlaps.
func clashOwners(mine, others []meeting) []string {
	set := map[string]bool{}
	for _, m := range mine {
		for _, o := range others {
			if o.owner != m.owner && overlapping(m, o) {
				set[o.owner] = true
			}
		}
	}
	var out []string
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// roomState reads every booking and series of the room, expanded by the oracle.
func roomState(t *testing.T, s *store.Store, room string) ([]store.RoomSeries, []store.OneOffBooking, []meeting) {
	t.Helper()
	ctx := context.Background()
	series, err := s.RoomSeriesList(ctx, []string{room}, "")
	if err != nil {
		t.Fatal(err)
	}
	once, err := s.OneOffs(ctx, []string{room}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var all []meeting
	for _, sr := range series {
		all = append(all, seriesMeetings(sr)...)
	}
	for _, b := range once {
		all = append(all, meeting{b.ID, b.StartsAt, b.EndsAt})
	}
	return series, once, all
}

// reported are the owners a clash error names, and a check that each
// clash it reports is a real overlap of a meeting being written.
func reported(t *testing.T, what string, err error, mine []meeting, all []meeting) []string {
	t.Helper()
	var ce *store.RoomClashError
	if !errors.As(err, &ce) {
		t.Fatalf("%s: %v, want a clash", what, err)
	}
	set := map[string]bool{}
	for _, c := range ce.Clashes {
		owner := c.BookingID + c.SeriesID
		set[owner] = true
		ok := false
		for _, m := range mine {
			if m.start.Equal(c.At) && overlapping(m, meeting{owner, c.StartsAt, c.EndsAt}) {
				ok = true
			}
		}
		if !ok {
			t.Errorf("%s: the clash %+v is not an overlap with a meeting being written", what, c)
		}
		if !slices.ContainsFunc(all, func(o meeting) bool {
			return o.owner == owner && o.start.Equal(c.StartsAt) && o.end.Equal(c.EndsAt)
		}) {
			t.Errorf("%s: the clash %+v is not a meeting of %s", what, c, owner)
		}
	}
	var out []string
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// genSeries is a random series that is already in the store's form: its
// start is its first meeting (found with domain.Schedule.Next), its end a
// day, its exceptions days it meets. Times cluster in the evening so that
// series and bookings collide often; some run past midnight.
func genSeries(rng *rand.Rand, room, group string) store.RoomSeries {
	days := []string{"MO", "TU", "WE", "TH", "FR", "SA", "SU"}
	var rule string
	if rng.IntN(10) < 7 {
		by := []string{}
		for _, i := range rng.Perm(7)[:1+rng.IntN(2)] {
			by = append(by, days[i])
		}
		rule = "FREQ=WEEKLY;BYDAY=" + strings.Join(by, ",")
		if k := rng.IntN(3); k > 0 {
			rule += fmt.Sprintf(";INTERVAL=%d", k+1)
		}
	} else {
		ord := []string{"1", "2", "3", "4", "-1"}[rng.IntN(5)]
		rule = "FREQ=MONTHLY;BYDAY=" + ord + days[rng.IntN(7)]
		if rng.IntN(3) == 0 {
			rule += ";INTERVAL=2"
		}
	}
	hh := nightOrEvening(rng)
	d0 := bookNow.AddDate(0, 0, rng.IntN(300)-30).In(oslo)
	start := time.Date(d0.Year(), d0.Month(), d0.Day(), hh, 30*rng.IntN(2), 0, 0, oslo)
	minutes := []int{30, 60, 90, 120, 180}[rng.IntN(5)]
	sc := domain.Schedule{Start: start.UTC(), DurationMin: minutes, TZ: "Europe/Oslo", RRule: rule}
	first := sc.Next(start, 1)[0]
	sr := store.RoomSeries{RoomID: room, Start: first.UTC(), Minutes: minutes, Rule: rule}
	if rng.IntN(2) == 0 {
		sr.Until = first.AddDate(0, 0, 30+rng.IntN(900)).In(oslo).Format("2006-01-02")
	}
	if group != "" && rng.IntN(2) == 0 {
		sr.GroupID = group
	} else {
		sr.Holder = fmt.Sprintf("Forening %d", rng.IntN(5))
	}
	next := domain.Schedule{Start: first, DurationMin: minutes, TZ: "Europe/Oslo", RRule: rule}.Next(first, 20)
	for range rng.IntN(3) {
		d := next[rng.IntN(len(next))].In(oslo).Format("2006-01-02")
		if (sr.Until == "" || d <= sr.Until) && !slices.ContainsFunc(sr.Exceptions, func(x store.SeriesException) bool { return x.Day == d }) {
			sr.Exceptions = append(sr.Exceptions, store.SeriesException{Day: d, Reason: "holiday"})
		}
	}
	slices.SortFunc(sr.Exceptions, func(a, b store.SeriesException) int { return strings.Compare(a.Day, b.Day) })
	return sr
}

// nightOrEvening is the hour of a meeting: mostly the evening, now and
// then late at night or just after midnight, so that meetings run across
// midnight into the next day's.
func nightOrEvening(rng *rand.Rand) int {
	switch rng.IntN(12) {
	case 0:
		return 23
	case 1:
		return rng.IntN(2)
	}
	return 16 + rng.IntN(6)
}

// genOnce is a random one-off booking in the evening (some past
// midnight); a third of them are put right against a meeting already
// there: starting as it ends, ending as it starts, or a quarter of an hour
// into it, where a check that is off by a little shows.
func genOnce(rng *rand.Rand, room string, once []store.OneOffBooking, all []meeting) store.RoomBooking {
	length := time.Duration(15*(1+rng.IntN(12))) * time.Minute
	var start time.Time
	near := slices.DeleteFunc(slices.Clone(all), func(m meeting) bool { return m.start.After(bookNow.AddDate(1, 0, 0)) })
	if len(near) > 0 && rng.IntN(3) == 0 {
		m := near[rng.IntN(len(near))]
		if len(once) > 0 && rng.IntN(2) == 0 {
			b := once[rng.IntN(len(once))]
			m = meeting{b.ID, b.StartsAt, b.EndsAt}
		}
		switch rng.IntN(4) {
		case 0:
			start = m.end
		case 1:
			start = m.start.Add(-length)
		case 2:
			start = m.end.Add(-15 * time.Minute)
		default:
			start = m.start.Add(-length + 15*time.Minute)
		}
	} else {
		d := bookNow.AddDate(0, 0, rng.IntN(150)-10).In(oslo)
		start = time.Date(d.Year(), d.Month(), d.Day(), nightOrEvening(rng), 15*rng.IntN(4), 0, 0, oslo)
	}
	return store.RoomBooking{RoomID: room, StartsAt: start.UTC(), EndsAt: start.Add(length).UTC(), Purpose: "meeting",
		Title: "Møte"}
}

// TestBookingsNeverOverlap is the property test of the double-booking
// check: random weekly and monthly series (with exceptions, ends, every
// other week, nth and last weekdays, across the clock changes) and random
// one-off bookings, changes, exceptions given back and ends, in one room.
// Before each write the test works out with its own oracle (every meeting
// expanded with domain.Schedule.Next) which bookings the write would
// overlap: the store must refuse exactly then, naming exactly those, each
// clash a real overlap (never an overlap accepted, never a false clash);
// and after each write no two meetings stored overlap.
func TestBookingsNeverOverlap(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		ctx := coordCtx()
		stats := map[string]int{}
		for seed := range uint64(3) {
			rng := rand.New(rand.NewPCG(seed, 77))
			room := domain.Room{VenueID: f.venue.ID, Name: fmt.Sprintf("Rom %d", seed)}
			if err := s.SaveRoom(ctx, &room); err != nil {
				t.Fatal(err)
			}
			for step := range 120 {
				series, once, all := roomState(t, s, room.ID)
				what := fmt.Sprintf("seed %d step %d", seed, step)
				var mine []meeting
				var err error
				var excluded string // the series itself, when a change or a day given back
				op := rng.IntN(100)
				if len(series) == 0 && op >= 35 {
					op = 40 // a series first
				}
				switch {
				case op < 35:
					b := genOnce(rng, room.ID, once, all)
					mine = []meeting{{"new", b.StartsAt, b.EndsAt}}
					what += fmt.Sprintf(" once %s–%s", b.StartsAt.In(oslo), b.EndsAt.In(oslo))
					err = s.BookOnce(ctx, &b, store.BookingHolder{Holder: "Forening"})
					stats["once"]++
				case op < 60:
					sr := genSeries(rng, room.ID, f.group.ID)
					want := sr
					want.ID = "new"
					mine = seriesMeetings(want)
					what += fmt.Sprintf(" series %s from %s until %q", sr.Rule, sr.Start.In(oslo), sr.Until)
					err = s.SaveSeries(ctx, &sr, bookNow)
					if err == nil && !sr.Start.Equal(want.Start) {
						t.Fatalf("%s: the start moved to %s", what, sr.Start)
					}
					stats["series"]++
				case op < 72:
					sr := series[rng.IntN(len(series))]
					ms := seriesMeetings(sr)
					if len(ms) == 0 {
						continue
					}
					d := ms[rng.IntN(min(len(ms), 30))].start.In(oslo).Format("2006-01-02")
					err = s.SetException(ctx, sr.ID, d, "cancelled", true, bookNow)
					stats["except"]++
				case op < 84:
					sr := series[rng.IntN(len(series))]
					if len(sr.Exceptions) == 0 {
						continue
					}
					x := sr.Exceptions[rng.IntN(len(sr.Exceptions))]
					back := sr
					back.Exceptions = nil
					for _, m := range seriesMeetings(back) {
						if m.start.In(oslo).Format("2006-01-02") == x.Day {
							mine = append(mine, m)
						}
					}
					excluded = sr.ID
					what += " day given back " + x.Day
					err = s.SetException(ctx, sr.ID, x.Day, "", false, bookNow)
					stats["unexcept"]++
				case op < 93:
					old := series[rng.IntN(len(series))]
					ms := seriesMeetings(old)
					if len(ms) < 2 {
						continue
					}
					from := ms[1+rng.IntN(min(len(ms)-1, 20))].start.In(oslo)
					fromDay := from.Format("2006-01-02")
					next := genSeries(rng, room.ID, f.group.ID)
					// The new pattern from the day of the change on.
					ns := domain.Schedule{Start: time.Date(from.Year(), from.Month(), from.Day(), next.Start.In(oslo).Hour(),
						next.Start.In(oslo).Minute(), 0, 0, oslo).UTC(), DurationMin: next.Minutes, TZ: "Europe/Oslo",
						RRule: next.Rule}
					next.Start = ns.Next(ns.Start, 1)[0].UTC()
					next.Exceptions = nil
					if next.Until != "" && next.Until < next.Start.In(oslo).Format("2006-01-02") {
						next.Until = ""
					}
					// The old one keeps its meetings before the day.
					var others []meeting
					for _, o := range all {
						if o.owner == old.ID && !o.start.In(oslo).Before(time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, oslo)) {
							continue
						}
						others = append(others, o)
					}
					want := next
					want.ID = "new"
					mine = seriesMeetings(want)
					if !old.Start.In(oslo).Before(time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, oslo)) {
						excluded = old.ID // changed in place
					}
					all = others
					what += fmt.Sprintf(" change %s from %s to %s at %s", old.Rule, fromDay, next.Rule, next.Start.In(oslo))
					err = s.ChangeSeries(ctx, old.ID, fromDay, &next, bookNow)
					stats["change"]++
				default:
					sr := series[rng.IntN(len(series))]
					from := sr.Start.In(oslo).AddDate(0, 0, rng.IntN(200)).Format("2006-01-02")
					_, err = s.EndSeries(ctx, sr.ID, from, bookNow)
					stats["end"]++
				}
				if mine != nil {
					var others []meeting
					for _, o := range all {
						if o.owner != excluded {
							others = append(others, o)
						}
					}
					want := clashOwners(mine, others)
					if len(want) == 0 {
						if err != nil {
							t.Fatalf("%s: refused with nothing in the way: %v", what, err)
						}
						stats["accepted"]++
					} else {
						if got := reported(t, what, err, mine, others); !slices.Equal(got, want) {
							t.Fatalf("%s: clashes with %v, want %v", what, got, want)
						}
						stats["refused"]++
					}
				} else if err != nil {
					t.Fatalf("%s: %v", what, err)
				}
				// Nothing stored overlaps.
				_, _, after := roomState(t, s, room.ID)
				slices.SortFunc(after, func(a, b meeting) int { return a.start.Compare(b.start) })
				for i, a := range after {
					for _, b := range after[i+1:] {
						if !b.start.Before(a.end) {
							break
						}
						if a.owner != b.owner {
							t.Fatalf("%s: stored meetings overlap: %+v and %+v", what, a, b)
						}
					}
				}
			}
			// The store's own expansion (the week views, the feed) is the oracle's.
			_, _, all := roomState(t, s, room.ID)
			from, to := bookNow.AddDate(0, -1, 0), bookNow.AddDate(3, 0, 0)
			use, err := s.RoomUse(context.Background(), []string{room.ID}, from, to)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, m := range all {
				if m.start.Before(to) && m.end.After(from) {
					want = append(want, m.start.Format(time.RFC3339)+" "+m.owner)
				}
			}
			var got []string
			for _, o := range use {
				got = append(got, o.StartsAt.Format(time.RFC3339)+" "+o.BookingID+o.SeriesID)
			}
			sort.Strings(want)
			sort.Strings(got)
			if !slices.Equal(got, want) {
				t.Errorf("seed %d: RoomUse gives %d meetings, the oracle %d", seed, len(got), len(want))
			}
		}
		t.Logf("%v", stats)
		if stats["refused"] < 40 || stats["accepted"] < 40 {
			t.Errorf("too few of each outcome to mean much: %v", stats)
		}
	})
}

// TestBookingClashes: the cases a coordinator meets, one by one.
func TestBookingClashes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		ctx := coordCtx()
		// Tuesdays 18:00–19:30 from 3 March 2026, the group's.
		tue := store.RoomSeries{RoomID: f.room.ID, GroupID: f.group.ID, Start: local(2026, 3, 3, 18, 0), Minutes: 90,
			Rule: "FREQ=WEEKLY;BYDAY=TU", Title: "Sorggruppe"}
		if err := s.SaveSeries(ctx, &tue, bookNow); err != nil {
			t.Fatal(err)
		}
		if tue.OrgID != f.house.ID {
			t.Errorf("a group's series is its organisation's: %q", tue.OrgID)
		}
		// 19:00 on a Tuesday in June (summer time) overlaps; the clash names the series and the day.
		b := store.RoomBooking{RoomID: f.room.ID, StartsAt: local(2026, 6, 16, 19, 0), EndsAt: local(2026, 6, 16, 20, 0),
			Purpose: "meeting", Title: "Styremøte"}
		err := s.BookOnce(ctx, &b, store.BookingHolder{OrgID: f.house.ID})
		var ce *store.RoomClashError
		if !errors.As(err, &ce) || len(ce.Clashes) != 1 || ce.Clashes[0].SeriesID != tue.ID ||
			!ce.Clashes[0].StartsAt.Equal(local(2026, 6, 16, 18, 0)) || ce.Clashes[0].GroupID != f.group.ID {
			t.Fatalf("a one-off over a series: %v %+v", err, ce)
		}
		// The start of a group looks for a *ClashError: it sees the series' meeting.
		var old *store.ClashError
		if !errors.As(err, &old) || len(old.Clashes) != 1 || old.Clashes[0].GroupID != f.group.ID {
			t.Errorf("as a ClashError: %+v", old)
		}
		// Right after it ends is free, in winter and in summer.
		for _, at := range []time.Time{local(2026, 3, 17, 19, 30), local(2026, 6, 16, 19, 30)} {
			b := store.RoomBooking{RoomID: f.room.ID, StartsAt: at, EndsAt: at.Add(time.Hour), Purpose: "meeting"}
			if err := s.BookOnce(ctx, &b, store.BookingHolder{Holder: "AA Tromsø"}); err != nil {
				t.Errorf("after the series ends (%s): %v", at, err)
			}
		}
		// A holiday: the day is free for a one-off; giving the day back then clashes with it.
		if err := s.SetException(ctx, tue.ID, "2026-03-31", "holiday", true, bookNow); err != nil {
			t.Fatal(err)
		}
		easter := store.RoomBooking{RoomID: f.room.ID, StartsAt: local(2026, 3, 31, 17, 0), EndsAt: local(2026, 3, 31, 18, 30),
			Purpose: "event", Title: "Påskekafé"}
		if err := s.BookOnce(ctx, &easter, store.BookingHolder{OrgID: f.house.ID}); err != nil {
			t.Fatalf("on a day the series does not meet: %v", err)
		}
		err = s.SetException(ctx, tue.ID, "2026-03-31", "", false, bookNow)
		if !errors.As(err, &ce) || ce.Clashes[0].BookingID != easter.ID {
			t.Errorf("giving back a day that is booked: %v", err)
		}
		if err := s.SetException(ctx, tue.ID, "2026-04-01", "holiday", true, bookNow); !errors.Is(err, store.ErrNotMeeting) {
			t.Errorf("an exception on a Wednesday: %v", err)
		}
		// Every other Tuesday at 19:00 clashes on the first Tuesday already; on Wednesdays it is free.
		other := store.RoomSeries{RoomID: f.room.ID, Holder: "Anonyme Alkoholikere", Start: local(2026, 9, 1, 19, 0),
			Minutes: 60, Rule: "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"}
		err = s.SaveSeries(ctx, &other, bookNow)
		if !errors.As(err, &ce) || ce.Clashes[0].SeriesID != tue.ID || !ce.Clashes[0].At.Equal(local(2026, 9, 1, 19, 0)) ||
			len(ce.Clashes) != 3 || ce.More == 0 || other.ID != "" {
			t.Fatalf("a series over a series: %v %+v", err, ce)
		}
		other.Rule = "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE"
		if err := s.SaveSeries(ctx, &other, bookNow); err != nil || !other.Start.Equal(local(2026, 9, 2, 19, 0)) {
			t.Fatalf("moved to Wednesdays: %v, first meeting %s", err, other.Start)
		}
		// The last Tuesday of the month in the morning does not clash; in the evening it does.
		monthly := store.RoomSeries{RoomID: f.room.ID, OrgID: f.house.ID, Title: "Likepersonsmøte",
			Start: local(2026, 4, 1, 10, 0), Minutes: 120, Rule: "FREQ=MONTHLY;BYDAY=-1TU", Until: "2027-06-30"}
		if err := s.SaveSeries(ctx, &monthly, bookNow); err != nil {
			t.Fatal(err)
		}
		if !monthly.Start.Equal(local(2026, 4, 28, 10, 0)) {
			t.Errorf("the first last Tuesday: %s", monthly.Start.In(oslo))
		}
		evening := monthly
		evening.ID, evening.Start = "", local(2026, 4, 1, 18, 30)
		if err := s.SaveSeries(ctx, &evening, bookNow); !errors.As(err, &ce) {
			t.Errorf("the last Tuesday in the evening: %v", err)
		}
		// A change from a day keeps what was before it.
		next := tue
		next.ID, next.Start, next.Minutes = "", local(2026, 8, 1, 17, 0), 60
		if err := s.ChangeSeries(ctx, tue.ID, "2026-08-01", &next, bookNow); err != nil {
			t.Fatal(err)
		}
		was, _ := s.Series(ctx, tue.ID)
		if was.Until != "2026-07-31" || next.ID == tue.ID || !next.Start.Equal(local(2026, 8, 4, 17, 0)) {
			t.Errorf("the change: old until %q, new %s from %s", was.Until, next.ID, next.Start.In(oslo))
		}
		use, err := s.RoomUse(context.Background(), []string{f.room.ID}, local(2026, 7, 27, 0, 0), local(2026, 8, 10, 0, 0))
		use = slices.DeleteFunc(use, func(o store.Occupancy) bool { return o.SeriesID == monthly.ID })
		if err != nil || len(use) != 2 || !use[0].StartsAt.Equal(local(2026, 7, 28, 18, 0)) ||
			!use[1].StartsAt.Equal(local(2026, 8, 4, 17, 0)) || use[1].SeriesID != next.ID {
			t.Errorf("the weeks around the change: %v %+v", err, use)
		}
		// Ending a series that has not met deletes it.
		if deleted, err := s.EndSeries(ctx, other.ID, "2026-08-01", bookNow); err != nil || !deleted {
			t.Errorf("end before the first meeting: %v %v", deleted, err)
		}
		if _, err := s.Series(ctx, other.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("an ended series that never met: %v", err)
		}
		// Refused series: a rule outside the subset, too long, no meeting.
		for _, bad := range []store.RoomSeries{
			{RoomID: f.room.ID, Holder: "X", Start: local(2026, 5, 1, 10, 0), Minutes: 60, Rule: "FREQ=DAILY"},
			{RoomID: f.room.ID, Holder: "X", Start: local(2026, 5, 1, 10, 0), Minutes: 60, Rule: "FREQ=WEEKLY", Until: "2040-01-01"},
			{RoomID: f.room.ID, Holder: "X", Start: local(2026, 5, 1, 10, 0), Minutes: 60, Rule: "FREQ=WEEKLY;BYDAY=MO", Until: "2026-05-02"},
			{RoomID: f.room.ID, Start: local(2026, 5, 1, 10, 0), Minutes: 60, Rule: "FREQ=WEEKLY"},
			{RoomID: f.room.ID, Holder: "X", Start: local(2026, 5, 1, 10, 0), Minutes: 2, Rule: "FREQ=WEEKLY"},
		} {
			if err := s.SaveSeries(ctx, &bad, bookNow); !errors.Is(err, store.ErrSeries) {
				t.Errorf("%+v: %v", bad, err)
			}
		}
		// COUNT becomes the last day.
		counted := store.RoomSeries{RoomID: f.room.ID, Holder: "Kurs", Start: local(2026, 5, 4, 10, 0), Minutes: 60,
			Rule: "FREQ=WEEKLY;BYDAY=MO;COUNT=4"}
		if err := s.SaveSeries(ctx, &counted, bookNow); err != nil || counted.Until != "2026-05-25" ||
			counted.Rule != "FREQ=WEEKLY;BYDAY=MO" {
			t.Errorf("COUNT=4: %v %q %q", err, counted.Until, counted.Rule)
		}
		// Every write left an audit row, with IDs only.
		log, err := s.AuditLog(context.Background(), store.AuditFilter{Action: "room_", Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, e := range log {
			seen[e.Action] = true
			if e.ActorID != "coord-1" || e.OrgID != f.house.ID {
				t.Errorf("audit %s by %q in %q", e.Action, e.ActorID, e.OrgID)
			}
		}
		for _, a := range []string{"room_series.create", "room_series.except", "room_booking.create", "room_series.end",
			"room_series.delete"} {
			if !seen[a] {
				t.Errorf("no audit row %s", a)
			}
		}
	})
}

// TestBookingConcurrent: many writers at once ask for overlapping times
// in one room (one-offs and series); exactly one gets it. On PostgreSQL
// the room's row lock makes them take turns.
func TestBookingConcurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		for round := range 5 {
			var wg sync.WaitGroup
			var mu sync.Mutex
			ok, clash := 0, 0
			at := local(2026, 5, 4+round, 18, 0)
			for i := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					ctx := coordCtx()
					var err error
					if i%2 == 0 {
						b := store.RoomBooking{RoomID: f.room.ID, StartsAt: at.Add(time.Duration(i) * time.Minute),
							EndsAt: at.Add(time.Hour), Purpose: "meeting"}
						err = s.BookOnce(ctx, &b, store.BookingHolder{Holder: fmt.Sprint("F", i)})
					} else {
						sr := store.RoomSeries{RoomID: f.room.ID, Holder: fmt.Sprint("F", i), Start: local(2026, 5, 4+round-7*i, 18, 0),
							Minutes: 45, Rule: "FREQ=WEEKLY", Until: at.AddDate(0, 0, 7).In(oslo).Format("2006-01-02")}
						err = s.SaveSeries(ctx, &sr, bookNow)
					}
					var ce *store.RoomClashError
					mu.Lock()
					defer mu.Unlock()
					switch {
					case err == nil:
						ok++
					case errors.As(err, &ce):
						clash++
					default:
						t.Error(err)
					}
				}()
			}
			wg.Wait()
			if ok != 1 || clash != 7 {
				t.Errorf("round %d: %d booked, %d refused", round, ok, clash)
			}
			// Each round used its own day: nothing overlaps (the oracle again).
			_, _, all := roomState(t, s, f.room.ID)
			slices.SortFunc(all, func(a, b meeting) int { return a.start.Compare(b.start) })
			for i := 1; i < len(all); i++ {
				if all[i].start.Before(all[i-1].end) && all[i].owner != all[i-1].owner {
					t.Errorf("round %d: overlap %+v %+v", round, all[i-1], all[i])
				}
			}
		}
	})
}

// BenchmarkRoomCheck measures the check in a busy room: 30 weekly series
// without an end (8:00 to 22:00, every day of the week) and 200 one-off
// bookings; each write asked for clashes, so it is checked whole and
// refused, and the room stays the same.
func BenchmarkRoomCheck(b *testing.B) {
	for _, eng := range storetest.Engines {
		b.Run(string(eng), func(b *testing.B) {
			s := storetest.Open(b, eng)
			ctx := coordCtx()
			org := domain.Organisation{Kind: domain.OrgSelfHelpHouse, Slug: "huset", Name: "Huset"}
			if err := s.SaveOrganisation(ctx, &org); err != nil {
				b.Fatal(err)
			}
			v := domain.Venue{OrgID: org.ID, Name: "Huset", MunicipalityID: "5501"}
			if err := s.SaveVenue(ctx, &v); err != nil {
				b.Fatal(err)
			}
			room := domain.Room{VenueID: v.ID, Name: "Stua"}
			if err := s.SaveRoom(ctx, &room); err != nil {
				b.Fatal(err)
			}
			for i := range 30 {
				day := []string{"MO", "TU", "WE", "TH", "FR", "SA", "SU"}[i%7]
				sr := store.RoomSeries{RoomID: room.ID, Holder: fmt.Sprint("F", i), Start: local(2026, 3, 2, 8+i/7*3, 0),
					Minutes: 120, Rule: "FREQ=WEEKLY;BYDAY=" + day}
				if err := s.SaveSeries(ctx, &sr, bookNow); err != nil {
					b.Fatal(err)
				}
			}
			for i := range 200 {
				at := local(2026, 3, 2+i, 23, 0)
				bk := store.RoomBooking{RoomID: room.ID, StartsAt: at, EndsAt: at.Add(30 * time.Minute), Purpose: "meeting"}
				if err := s.BookOnce(ctx, &bk, store.BookingHolder{Holder: "X"}); err != nil {
					b.Fatal(err)
				}
			}
			b.Run("series", func(b *testing.B) {
				for b.Loop() {
					sr := store.RoomSeries{RoomID: room.ID, Holder: "Y", Start: local(2026, 3, 2, 9, 0), Minutes: 60,
						Rule: "FREQ=WEEKLY;BYDAY=MO"}
					var ce *store.RoomClashError
					if err := s.SaveSeries(ctx, &sr, bookNow); !errors.As(err, &ce) {
						b.Fatal(err)
					}
				}
			})
			b.Run("once", func(b *testing.B) {
				for b.Loop() {
					bk := store.RoomBooking{RoomID: room.ID, StartsAt: local(2026, 6, 1, 9, 0), EndsAt: local(2026, 6, 1, 10, 0),
						Purpose: "meeting"}
					var ce *store.RoomClashError
					if err := s.BookOnce(ctx, &bk, store.BookingHolder{Holder: "Y"}); !errors.As(err, &ce) {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
