package store

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/domain"
)

// randomRule is a random rule of the accepted subset, sometimes with its
// own UNTIL or COUNT.
func randomRule(rng *rand.Rand) string {
	days := []string{"MO", "TU", "WE", "TH", "FR", "SA", "SU"}
	var rule string
	if rng.IntN(3) > 0 {
		n := 1 + rng.IntN(3)
		var by []string
		for _, i := range rng.Perm(7)[:n] {
			by = append(by, days[i])
		}
		rule = "FREQ=WEEKLY;BYDAY=" + join(by)
		if k := rng.IntN(4); k > 0 {
			rule += fmt.Sprintf(";INTERVAL=%d", k+1)
		}
	} else {
		n := 1 + rng.IntN(2)
		var by []string
		for range n {
			ord := []string{"1", "2", "3", "4", "-1"}[rng.IntN(5)]
			by = append(by, ord+days[rng.IntN(7)])
		}
		rule = "FREQ=MONTHLY;BYDAY=" + join(by)
		if k := rng.IntN(3); k > 0 {
			rule += fmt.Sprintf(";INTERVAL=%d", k+1)
		}
	}
	switch rng.IntN(6) {
	case 0:
		rule += fmt.Sprintf(";COUNT=%d", 1+rng.IntN(40))
	case 1:
		rule += ";UNTIL=" + time.Date(2026, time.Month(1+rng.IntN(24)), 1+rng.IntN(28), rng.IntN(24), 0, 0, 0,
			time.UTC).Format("20060102T150405Z")
	}
	return rule
}

func join(xs []string) string {
	out := ""
	for i, x := range xs {
		if i > 0 {
			out += ","
		}
		out += x
	}
	return out
}

// TestSeriesPatternAgainstSchedule: the check's own expansion of a series
// (days and times, exceptions, ends, across the clock changes) gives the
// same meetings as domain.Schedule.Next of the series as stored, for
// thousands of random series.
func TestSeriesPatternAgainstSchedule(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 13))
	loc := roomLoc()
	checked := 0
	for i := range 4000 {
		start := time.Date(2025, 10, 1, 0, 0, 0, 0, loc).Add(time.Duration(rng.IntN(500*24)) * time.Hour).
			Add(time.Duration(rng.IntN(4)) * 15 * time.Minute)
		sr := RoomSeries{Start: start.UTC(), Minutes: 15 * (1 + rng.IntN(96)), Rule: randomRule(rng)}
		if rng.IntN(3) == 0 {
			sr.Until = start.AddDate(0, rng.IntN(30), rng.IntN(30)).Format("2006-01-02")
		}
		// Exceptions: days around the start, some of them meeting days.
		for range rng.IntN(6) {
			d := start.AddDate(0, 0, rng.IntN(400)).Format("2006-01-02")
			sr.Exceptions = append(sr.Exceptions, SeriesException{Day: d, Reason: "holiday"})
		}
		rule := sr.Rule
		if err := normaliseSeries(&sr); err != nil {
			if !errorsIsSeries(err) {
				t.Fatalf("%d %s: %v", i, rule, err)
			}
			continue
		}
		p, err := seriesPatternOf(sr)
		if err != nil {
			t.Fatal(err)
		}
		from, to := bookDayOf(sr.Start, loc)-3, bookDayOf(sr.Start, loc)+800
		var got []time.Time
		for _, m := range p.spans(from, to) {
			got = append(got, m.start)
			if m.end.Sub(m.start) != time.Duration(sr.Minutes)*time.Minute {
				t.Fatalf("%d: a meeting of %v", i, m.end.Sub(m.start))
			}
		}
		y, mo, d := (to + 1).date()
		end := time.Date(y, mo, d, 0, 0, 0, 0, loc)
		var want []time.Time
		for _, x := range sr.Schedule().Next(time.Time{}, 5000) {
			// Next gives a day twice when two BYDAYs fall on it (4SU and -1SU):
			// a recurrence set holds it once.
			if x.Before(end) && (len(want) == 0 || !want[len(want)-1].Equal(x)) {
				want = append(want, x.UTC())
			}
		}
		if !slices.EqualFunc(got, want, func(a, b time.Time) bool { return a.Equal(b) }) {
			t.Fatalf("%d: %s from %s (until %q, except %v), rule as given %s:\n got %d %v\nwant %d %v", i, sr.Rule,
				sr.Start.In(loc), sr.Until, sr.Exceptions, rule, len(got), head(got), len(want), head(want))
		}
		if len(want) > 0 && !want[0].Equal(sr.Start) && !p.except[bookDayOf(sr.Start, loc)] {
			t.Fatalf("%d: the start %s is not the first meeting %s", i, sr.Start, want[0])
		}
		checked++
	}
	if checked < 3000 {
		t.Errorf("only %d series checked", checked)
	}
}

func errorsIsSeries(err error) bool {
	for e := err; e != nil; {
		if e == ErrSeries {
			return true
		}
		u, ok := e.(interface{ Unwrap() []error })
		if ok {
			for _, x := range u.Unwrap() {
				if errorsIsSeries(x) {
					return true
				}
			}
			return false
		}
		w, ok := e.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		e = w.Unwrap()
	}
	return false
}

func head(ts []time.Time) []time.Time { return ts[:min(len(ts), 6)] }

// TestDays: the day arithmetic of the check.
func TestDays(t *testing.T) {
	for _, s := range []string{"1970-01-01", "2026-03-29", "2026-10-25", "2028-02-29", "1999-12-31", "2199-01-01"} {
		d, ok := parseBookDay(s)
		if !ok || d.String() != s {
			t.Errorf("%s: %v %s", s, ok, d)
		}
		tm, _ := time.Parse("2006-01-02", s)
		if d.weekday() != tm.Weekday() {
			t.Errorf("%s: %s, want %s", s, d.weekday(), tm.Weekday())
		}
	}
	for _, s := range []string{"", "2026-02-30", "26-03-01", "2026-3-1", "x"} {
		if _, ok := parseBookDay(s); ok {
			t.Errorf("%q read as a day", s)
		}
	}
	// The last Friday of February 2026 is the 27th; there is no fifth Monday in February 2026.
	if d := bookNthWeekday(2026, 2, domain.WeekdayNum{Day: time.Friday, N: -1}); d.String() != "2026-02-27" {
		t.Errorf("last Friday: %s", d)
	}
	if d := bookNthWeekday(2026, 3, domain.WeekdayNum{Day: time.Monday, N: 4}); d.String() != "2026-03-23" {
		t.Errorf("fourth Monday: %s", d)
	}
}
