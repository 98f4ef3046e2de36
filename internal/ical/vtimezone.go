package ical

import (
	"slices"
	"strconv"
	"time"
)

// A VTIMEZONE is generated from Go's zone data (time.Location.ZoneBounds),
// from the zone period in effect at the earliest time the calendar uses:
//
//   - every transition is found by walking ZoneBounds up to a horizon: the
//     start of a year at least three years after the earliest time and never
//     before 2040, past every rule change the zone data knows of (further, ten
//     years at a time, while the last year's transitions are not yet regular);
//   - a transition that recurs every year up to the horizon, in the same month
//     at the same local time, with the same offsets and name, on days one rule
//     names ("last Sunday", "Sun>=8", "the 21st"), becomes one observance with
//     a yearly RRULE that runs on past the horizon (the zone's current rule);
//   - every other transition is listed: an observance with a DTSTART and RDATEs
//     for the transitions with the same offsets and name (no RRULE).
//
// For Europe/Oslo from 1996 on this is the familiar pair of a STANDARD on the
// last Sunday of October at 03:00 and a DAYLIGHT on the last Sunday of March at
// 02:00; before 1996 the summer ended in September, and those years are listed.
// STANDARD or DAYLIGHT follows Go's IsDST, so a zone with "negative" daylight
// saving in the zone data (Europe/Dublin) has its winter as DAYLIGHT.

const minHorizonYear = 2040

// farPast is the DTSTART of the observance of a zone that has no transition
// before the calendar's first time (it has had one offset from the start).
var farPast = time.Date(1601, 1, 1, 0, 0, 0, 0, time.UTC)

type transition struct {
	at       time.Time // the instant, UTC
	from, to int       // UTC offsets before and after, seconds
	name     string
	dst      bool
}

// local is the transition's wall clock in the offset before it, as
// VTIMEZONE's DTSTART and RDATE give it.
func (t transition) local() time.Time { return t.at.Add(time.Duration(t.from) * time.Second) }

// zoneTransitions lists the transition that began the period in effect at
// from and every later one before until.
// Zone bounds where nothing changes (Go reports some at the end of a zone
// file's table, such as 2038-01-19, and at new year beyond it) are skipped.
func zoneTransitions(loc *time.Location, from, until time.Time) []transition {
	var out []transition
	cur := from.In(loc)
	walk := cur // where the walk forward begins
	for {
		start, _ := cur.ZoneBounds()
		if start.IsZero() {
			name, off := cur.Zone()
			out = append(out, transition{at: farPast.Add(-time.Duration(off) * time.Second), from: off, to: off, name: name, dst: cur.IsDST()})
			break
		}
		if t, ok := change(start.Add(-time.Nanosecond).In(loc), start.In(loc)); ok {
			out = append(out, t)
			walk = start.In(loc)
			break
		}
		cur = start.Add(-time.Nanosecond).In(loc)
	}
	cur = walk
	for {
		_, end := cur.ZoneBounds()
		if !end.IsZero() && !end.After(cur) {
			// On the last day of a leap year served by the zone file's
			// footer rule, Go gives an end before cur (golang/go#81583);
			// nothing changes there, so look again from the next UTC midnight.
			end = cur.UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
		}
		if end.IsZero() || !end.Before(until) {
			return out
		}
		next := end.In(loc)
		if t, ok := change(cur, next); ok {
			out = append(out, t)
		}
		cur = next
	}
}

// change is the transition from the zone of before to the zone of after, if
// anything changes.
func change(before, after time.Time) (transition, bool) {
	pname, off := before.Zone()
	name, to := after.Zone()
	t := transition{at: after.UTC(), from: off, to: to, name: name, dst: after.IsDST()}
	return t, off != to || pname != name || before.IsDST() != t.dst
}

// pattern is what a yearly transition keeps from year to year.
type pattern struct {
	dst      bool
	from, to int
	name     string
	month    time.Month
	clock    int // seconds after local midnight
}

// dayRule is a way to name a transition's day in its month, as RRULE can:
// a fixed day of the month, or a weekday in a window of seven days (the
// first such weekday on or after day from: "Sun>=8" is the second Sunday;
// from = -1 is the last seven days of February, whose length changes).
type dayRule struct {
	fixed   int
	weekday time.Weekday
	from    int
}

// dayRules are every dayRule that names date d.
func dayRules(d time.Time) []dayRule {
	day := d.Day()
	length := time.Date(d.Year(), d.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
	out := []dayRule{{fixed: day}}
	for from := max(1, day-6); from <= day && from+6 <= length; from++ {
		out = append(out, dayRule{weekday: d.Weekday(), from: from})
	}
	if d.Month() == time.February && day > length-7 {
		out = append(out, dayRule{weekday: d.Weekday(), from: -1})
	}
	return out
}

// rrule is the yearly RRULE of a transition in month m on the days of r.
func (r dayRule) rrule(m time.Month) string {
	s := "FREQ=YEARLY;BYMONTH=" + strconv.Itoa(int(m))
	length := time.Date(2001, m+1, 0, 0, 0, 0, 0, time.UTC).Day() // not February (from = -1)
	switch {
	case r.fixed > 0:
		return s + ";BYMONTHDAY=" + strconv.Itoa(r.fixed)
	case r.from == -1 || r.from == length-6:
		return s + ";BYDAY=-1" + dayNames[r.weekday]
	case (r.from-1)%7 == 0:
		return s + ";BYDAY=" + strconv.Itoa((r.from-1)/7+1) + dayNames[r.weekday]
	}
	s += ";BYDAY=" + dayNames[r.weekday] + ";BYMONTHDAY="
	for i := range 7 {
		if i > 0 {
			s += ","
		}
		s += strconv.Itoa(r.from + i)
	}
	return s
}

// run is a transition with the same pattern in consecutive years, on days
// that one dayRule names.
type run struct {
	pat      pattern
	rules    []dayRule // the rules that name every day of the run
	items    []transition
	lastYear int
}

// yearly tells whether the run goes on past the horizon as a yearly RRULE:
// it reaches the last year before it and one rule names all its days.
func (r *run) yearly(horizon int) bool {
	return r.lastYear == horizon-1 && len(r.items) > 1 && len(r.rules) == 1
}

func runs(trs []transition) []*run {
	var out []*run
	open := map[pattern]*run{}
	for _, t := range trs {
		l := t.local()
		p := pattern{t.dst, t.from, t.to, t.name, l.Month(), l.Hour()*3600 + l.Minute()*60 + l.Second()}
		if r := open[p]; r != nil && r.lastYear == l.Year()-1 {
			if common := intersect(r.rules, dayRules(l)); len(common) > 0 {
				r.rules, r.lastYear = common, l.Year()
				r.items = append(r.items, t)
				continue
			}
		}
		r := &run{pat: p, rules: dayRules(l), items: []transition{t}, lastYear: l.Year()}
		open[p] = r
		out = append(out, r)
	}
	return out
}

// vtimezone writes the VTIMEZONE of loc for times from from on.
func vtimezone(lw *lineWriter, loc *time.Location, from time.Time) {
	// Walk far enough that the last year's transitions all follow yearly
	// rules (or there are none): ten years more at a time, up to a century.
	horizon := max(from.Year()+3, minHorizonYear)
	var rs []*run
	for {
		rs = runs(zoneTransitions(loc, from, time.Date(horizon, 1, 1, 0, 0, 0, 0, time.UTC)))
		settled := true
		for _, r := range rs {
			if r.lastYear == horizon-1 && !r.yearly(horizon) {
				settled = false
			}
		}
		if settled || horizon >= from.Year()+100 {
			break
		}
		horizon += 10
	}

	type observance struct {
		first transition
		rdate []transition
		rrule string
	}
	var obs []*observance
	type obsKey struct {
		dst      bool
		from, to int
		name     string
	}
	listed := map[obsKey]*observance{}
	for _, r := range rs {
		if r.yearly(horizon) {
			obs = append(obs, &observance{first: r.items[0], rrule: r.rules[0].rrule(r.pat.month)})
			continue
		}
		for _, t := range r.items {
			k := obsKey{t.dst, t.from, t.to, t.name}
			if o := listed[k]; o != nil {
				o.rdate = append(o.rdate, t)
				continue
			}
			o := &observance{first: t}
			listed[k] = o
			obs = append(obs, o)
		}
	}
	slices.SortStableFunc(obs, func(a, b *observance) int { return a.first.at.Compare(b.first.at) })
	for _, o := range obs {
		slices.SortFunc(o.rdate, func(a, b transition) int { return a.at.Compare(b.at) })
	}

	lw.line("BEGIN:VTIMEZONE")
	lw.line("TZID:" + loc.String())
	for _, o := range obs {
		kind := "STANDARD"
		if o.first.dst {
			kind = "DAYLIGHT"
		}
		lw.line("BEGIN:" + kind)
		lw.line("DTSTART:" + o.first.local().Format(localLayout))
		if o.rrule != "" {
			lw.line("RRULE:" + o.rrule)
		}
		for _, t := range o.rdate {
			lw.line("RDATE:" + t.local().Format(localLayout))
		}
		lw.line("TZOFFSETFROM:" + utcOffset(o.first.from))
		lw.line("TZOFFSETTO:" + utcOffset(o.first.to))
		if o.first.name != "" {
			lw.line("TZNAME:" + escapeText(o.first.name))
		}
		lw.line("END:" + kind)
	}
	lw.line("END:VTIMEZONE")
}

var dayNames = [...]string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}

func intersect(a, b []dayRule) []dayRule {
	var out []dayRule
	for _, x := range a {
		if slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// utcOffset formats a UTC offset as RFC 5545 3.3.14 does: +HHMM, or +HHMMSS
// when there are seconds; zero is +0000.
func utcOffset(sec int) string {
	sign := "+"
	if sec < 0 {
		sign, sec = "-", -sec
	}
	s := sign + pad2(sec/3600) + pad2(sec/60%60)
	if sec%60 != 0 {
		s += pad2(sec % 60)
	}
	return s
}

func pad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}
