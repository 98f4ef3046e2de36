package domain

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DefaultTimeZone is the IANA zone of a place unless it says otherwise.
const DefaultTimeZone = "Europe/Oslo"

// Schedule is when a group meets: a first meeting and an RFC 5545 recurrence
// rule, in the IANA time zone of the place. Only the part of RRULE that groups
// use is accepted (see ParseRule), so that every schedule can be said in words.
type Schedule struct {
	Start       time.Time // first meeting; its wall clock in TZ is the meeting time
	DurationMin int
	TZ          string
	RRule       string // empty: a single meeting
	ExDates     []time.Time
}

// Freq is a recurrence frequency.
type Freq string

const (
	FreqWeekly  Freq = "WEEKLY"
	FreqMonthly Freq = "MONTHLY"
)

// WeekdayNum is a BYDAY entry: a weekday, and for monthly rules which one in
// the month (1–4, or -1 for the last; 0 for every).
type WeekdayNum struct {
	Day time.Weekday
	N   int
}

// Rule is a parsed recurrence rule.
type Rule struct {
	Freq     Freq
	Interval int
	ByDay    []WeekdayNum
	Until    time.Time // zero: no end
	Count    int       // 0: no count
}

var dayCodes = map[string]time.Weekday{"MO": time.Monday, "TU": time.Tuesday, "WE": time.Wednesday,
	"TH": time.Thursday, "FR": time.Friday, "SA": time.Saturday, "SU": time.Sunday}

var dayNames = [...]string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}

// ErrRule is returned for a recurrence rule fellesrom does not accept.
var ErrRule = errors.New("unsupported recurrence rule")

// ParseRule parses the subset of RRULE fellesrom accepts: FREQ=WEEKLY or
// MONTHLY, INTERVAL, BYDAY (with an ordinal 1–4 or -1 for monthly rules),
// UNTIL and COUNT.
func ParseRule(s string) (Rule, error) {
	r := Rule{Interval: 1}
	s = strings.TrimPrefix(strings.TrimSpace(s), "RRULE:")
	if s == "" {
		return r, fmt.Errorf("%w: empty", ErrRule)
	}
	seen := map[string]bool{}
	for part := range strings.SplitSeq(s, ";") {
		k, v, ok := strings.Cut(part, "=")
		if !ok || v == "" {
			return r, fmt.Errorf("%w: %q", ErrRule, part)
		}
		k = strings.ToUpper(k)
		if seen[k] {
			return r, fmt.Errorf("%w: %s twice", ErrRule, k)
		}
		seen[k] = true
		switch k {
		case "FREQ":
			switch Freq(strings.ToUpper(v)) {
			case FreqWeekly, FreqMonthly:
				r.Freq = Freq(strings.ToUpper(v))
			default:
				return r, fmt.Errorf("%w: FREQ=%s", ErrRule, v)
			}
		case "INTERVAL":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 12 {
				return r, fmt.Errorf("%w: INTERVAL=%s", ErrRule, v)
			}
			r.Interval = n
		case "COUNT":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 1000 {
				return r, fmt.Errorf("%w: COUNT=%s", ErrRule, v)
			}
			r.Count = n
		case "UNTIL":
			t, err := parseUntil(v)
			if err != nil {
				return r, fmt.Errorf("%w: UNTIL=%s", ErrRule, v)
			}
			r.Until = t
		case "BYDAY":
			for d := range strings.SplitSeq(strings.ToUpper(v), ",") {
				wn, err := parseWeekdayNum(d)
				if err != nil {
					return r, err
				}
				r.ByDay = append(r.ByDay, wn)
			}
		default:
			return r, fmt.Errorf("%w: %s", ErrRule, k)
		}
	}
	if r.Freq == "" {
		return r, fmt.Errorf("%w: no FREQ", ErrRule)
	}
	for _, d := range r.ByDay {
		if d.N != 0 && r.Freq != FreqMonthly {
			return r, fmt.Errorf("%w: ordinal BYDAY needs FREQ=MONTHLY", ErrRule)
		}
	}
	if r.Freq == FreqMonthly {
		if len(r.ByDay) == 0 {
			return r, fmt.Errorf("%w: monthly rule needs BYDAY such as 2TU", ErrRule)
		}
		for _, d := range r.ByDay {
			if d.N == 0 {
				return r, fmt.Errorf("%w: monthly BYDAY needs an ordinal such as 2TU", ErrRule)
			}
		}
	}
	if r.Count > 0 && !r.Until.IsZero() {
		return r, fmt.Errorf("%w: both COUNT and UNTIL", ErrRule)
	}
	return r, nil
}

func parseUntil(v string) (time.Time, error) {
	for _, layout := range []string{"20060102T150405Z", "20060102"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	return time.Time{}, ErrRule
}

func parseWeekdayNum(s string) (WeekdayNum, error) {
	if len(s) < 2 {
		return WeekdayNum{}, fmt.Errorf("%w: BYDAY=%s", ErrRule, s)
	}
	day, ok := dayCodes[s[len(s)-2:]]
	if !ok {
		return WeekdayNum{}, fmt.Errorf("%w: BYDAY=%s", ErrRule, s)
	}
	wn := WeekdayNum{Day: day}
	if p := s[:len(s)-2]; p != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(p, "+"))
		if err != nil || n == 0 || n > 4 || n < -1 {
			return WeekdayNum{}, fmt.Errorf("%w: BYDAY=%s (ordinal 1–4 or -1)", ErrRule, s)
		}
		wn.N = n
	}
	return wn, nil
}

// String formats the rule as RRULE text.
func (r Rule) String() string {
	var b strings.Builder
	b.WriteString("FREQ=" + string(r.Freq))
	if r.Interval > 1 {
		b.WriteString(";INTERVAL=" + strconv.Itoa(r.Interval))
	}
	if len(r.ByDay) > 0 {
		b.WriteString(";BYDAY=")
		for i, d := range r.ByDay {
			if i > 0 {
				b.WriteByte(',')
			}
			if d.N != 0 {
				b.WriteString(strconv.Itoa(d.N))
			}
			b.WriteString(dayNames[d.Day])
		}
	}
	if r.Count > 0 {
		b.WriteString(";COUNT=" + strconv.Itoa(r.Count))
	}
	if !r.Until.IsZero() {
		b.WriteString(";UNTIL=" + r.Until.UTC().Format("20060102T150405Z"))
	}
	return b.String()
}

// Location loads the schedule's time zone (Europe/Oslo when empty).
func (s Schedule) Location() (*time.Location, error) {
	tz := s.TZ
	if tz == "" {
		tz = DefaultTimeZone
	}
	return LoadLocation(tz)
}

var locations sync.Map // zone name → *time.Location

// LoadLocation is time.LoadLocation with the zones kept once loaded: reading
// the zone database is slow, and every group's schedule asks for its zone.
func LoadLocation(name string) (*time.Location, error) {
	if l, ok := locations.Load(name); ok {
		return l.(*time.Location), nil
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	locations.Store(name, l)
	return l, nil
}

// Validate checks the schedule: a start, a sane duration, a known zone and an
// accepted rule.
func (s Schedule) Validate() error {
	if s.Start.IsZero() {
		return errors.New("schedule has no start")
	}
	if s.DurationMin < 0 || s.DurationMin > 24*60 {
		return errors.New("schedule duration must be 0–1440 minutes")
	}
	if _, err := s.Location(); err != nil {
		return fmt.Errorf("unknown time zone %q", s.TZ)
	}
	if s.RRule != "" {
		if _, err := ParseRule(s.RRule); err != nil {
			return err
		}
	}
	return nil
}

// LocalStart is the first meeting in the schedule's zone.
func (s Schedule) LocalStart() time.Time {
	loc, err := s.Location()
	if err != nil {
		loc = time.UTC
	}
	return s.Start.In(loc)
}

// Weekdays are the days of the week the group meets.
func (s Schedule) Weekdays() []time.Weekday {
	if s.Start.IsZero() {
		return nil
	}
	if s.RRule != "" {
		if r, err := ParseRule(s.RRule); err == nil && len(r.ByDay) > 0 {
			var out []time.Weekday
			for _, d := range r.ByDay {
				if !slices.Contains(out, d.Day) {
					out = append(out, d.Day)
				}
			}
			slices.Sort(out)
			return out
		}
	}
	return []time.Weekday{s.LocalStart().Weekday()}
}

// TimeOfDay is a part of the day, for the finder.
type TimeOfDay string

const (
	Morning   TimeOfDay = "morning"   // before 12
	Afternoon TimeOfDay = "afternoon" // 12–17
	Evening   TimeOfDay = "evening"   // 17 and later
)

// TimesOfDay lists the parts of the day.
var TimesOfDay = []TimeOfDay{Morning, Afternoon, Evening}

// TimeOfDay is the part of the day the meeting starts in.
func (s Schedule) TimeOfDay() TimeOfDay {
	h := s.LocalStart().Hour()
	switch {
	case h < 12:
		return Morning
	case h < 17:
		return Afternoon
	}
	return Evening
}

// Next returns up to n meeting starts at or after from.
func (s Schedule) Next(from time.Time, n int) []time.Time {
	if s.Start.IsZero() || n <= 0 {
		return nil
	}
	loc, err := s.Location()
	if err != nil {
		return nil
	}
	start := s.Start.In(loc)
	excluded := func(t time.Time) bool {
		for _, x := range s.ExDates {
			if x.Equal(t) {
				return true
			}
		}
		return false
	}
	if s.RRule == "" {
		if !start.Before(from) && !excluded(start) {
			return []time.Time{start}
		}
		return nil
	}
	r, err := ParseRule(s.RRule)
	if err != nil {
		return nil
	}
	var out []time.Time
	count := 0
	emit := func(t time.Time) bool { // false: stop
		if t.Before(start) {
			return true
		}
		if !r.Until.IsZero() && t.After(r.Until) {
			return false
		}
		count++
		if r.Count > 0 && count > r.Count {
			return false
		}
		if !t.Before(from) && !excluded(t) {
			out = append(out, t)
		}
		return len(out) < n
	}
	hh, mm, _ := start.Clock()
	at := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, hh, mm, 0, 0, loc) }
	// Bound the walk: 1000 periods is 19 years of weekly meetings.
	switch r.Freq {
	case FreqWeekly:
		days := r.ByDay
		if len(days) == 0 {
			days = []WeekdayNum{{Day: start.Weekday()}}
		}
		// Week of start, beginning Monday (RFC 5545 WKST default).
		off := (int(start.Weekday()) + 6) % 7
		monday := at(start.Year(), start.Month(), start.Day()-off)
		ordered := slices.Clone(days)
		slices.SortFunc(ordered, func(a, b WeekdayNum) int { return (int(a.Day)+6)%7 - (int(b.Day)+6)%7 })
		ordered = slices.CompactFunc(ordered, func(a, b WeekdayNum) bool { return a.Day == b.Day })
		for w := 0; w < 1000; w++ {
			base := monday.AddDate(0, 0, 7*r.Interval*w)
			for _, d := range ordered {
				t := at(base.Year(), base.Month(), base.Day()+(int(d.Day)+6)%7)
				if !emit(t) {
					return out
				}
			}
		}
	case FreqMonthly:
		for m := 0; m < 1000; m++ {
			first := time.Date(start.Year(), start.Month()+time.Month(r.Interval*m), 1, hh, mm, 0, 0, loc)
			var ts []time.Time
			for _, d := range r.ByDay {
				if t, ok := nthWeekday(first, d); ok {
					ts = append(ts, t)
				}
			}
			slices.SortFunc(ts, func(a, b time.Time) int { return a.Compare(b) })
			// A day two BYDAY entries both name (the 4th and the last
			// Tuesday of a month with four) is one meeting (RFC 5545: a
			// recurrence set has each instance once).
			ts = slices.CompactFunc(ts, func(a, b time.Time) bool { return a.Equal(b) })
			for _, t := range ts {
				if !emit(t) {
					return out
				}
			}
		}
	}
	return out
}

// nthWeekday finds the d.N-th d.Day of first's month (N=-1: the last).
func nthWeekday(first time.Time, d WeekdayNum) (time.Time, bool) {
	y, m, _ := first.Date()
	hh, mm, _ := first.Clock()
	loc := first.Location()
	if d.N > 0 {
		day := 1 + (int(d.Day)-int(first.Weekday())+7)%7 + 7*(d.N-1)
		t := time.Date(y, m, day, hh, mm, 0, 0, loc)
		return t, t.Month() == m
	}
	last := time.Date(y, m+1, 0, hh, mm, 0, 0, loc)
	day := last.Day() - (int(last.Weekday())-int(d.Day)+7)%7
	return time.Date(y, m, day, hh, mm, 0, 0, loc), true
}
