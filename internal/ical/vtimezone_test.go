package ical_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"
	"github.com/teambition/rrule-go"

	"github.com/fellesrom/fellesrom/internal/ical"
)

// onset is when an observance of a parsed VTIMEZONE begins, and its offset.
type onset struct {
	at time.Time
	to int
}

// zoneOnsets expands every observance of vtz (DTSTART, RDATE, and RRULE with
// rrule-go) up to until.
func zoneOnsets(t *testing.T, vtz *goical.Component, until time.Time) []onset {
	t.Helper()
	var out []onset
	for _, ob := range vtz.Children {
		if ob.Name != "STANDARD" && ob.Name != "DAYLIGHT" {
			t.Fatalf("VTIMEZONE holds a %s", ob.Name)
		}
		from, to := utcOffset(t, ob.Props.Get("TZOFFSETFROM")), utcOffset(t, ob.Props.Get("TZOFFSETTO"))
		add := func(v string) {
			l, err := time.Parse("20060102T150405", v)
			if err != nil {
				t.Fatalf("%s: %v", v, err)
			}
			out = append(out, onset{l.Add(-time.Duration(from) * time.Second), to})
		}
		dtstart := ob.Props.Get("DTSTART")
		if dtstart == nil || len(dtstart.Params) != 0 {
			t.Fatalf("observance DTSTART %+v", dtstart)
		}
		add(dtstart.Value)
		for _, rd := range ob.Props.Values("RDATE") {
			for v := range strings.SplitSeq(rd.Value, ",") {
				add(v)
			}
		}
		if rr := ob.Props.Get("RRULE"); rr != nil {
			opt, err := rrule.StrToROption(rr.Value)
			if err != nil {
				t.Fatal(err)
			}
			opt.Dtstart, _ = time.Parse("20060102T150405", dtstart.Value)
			r, err := rrule.NewRRule(*opt)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range r.Between(opt.Dtstart, until, false) {
				add(l.Format("20060102T150405"))
			}
		}
	}
	slices.SortFunc(out, func(a, b onset) int { return a.at.Compare(b.at) })
	return out
}

func utcOffset(t *testing.T, p *goical.Prop) int {
	t.Helper()
	if p == nil || len(p.Value) < 5 {
		t.Fatalf("bad offset %+v", p)
	}
	v := p.Value
	n := func(s string) int {
		i, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("offset %q", v)
		}
		return i
	}
	sec := n(v[1:3])*3600 + n(v[3:5])*60
	if len(v) == 7 {
		sec += n(v[5:7])
	}
	if v[0] == '-' {
		sec = -sec
	}
	return sec
}

// TestVTimezoneMatchesZoneData: for zones with and without daylight saving,
// north and south, with odd offsets, changed rules, negative DST and DST
// abolished, the VTIMEZONE written for a calendar starting in a given year,
// read back with go-ical and expanded with rrule-go, gives the same UTC
// offset as Go's zone data at every transition (a second before and at it)
// and every week from that start until 2060, twenty years past the horizon
// the writer walks to, where only the yearly rules speak.
func TestVTimezoneMatchesZoneData(t *testing.T) {
	end := time.Date(2060, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		zone string
		year int
	}{
		{"Europe/Oslo", 2026}, {"Europe/Oslo", 1990}, {"Europe/Oslo", 1950}, {"Europe/Oslo", 1880},
		{"America/New_York", 2005}, {"Australia/Sydney", 2015}, {"America/Sao_Paulo", 2015},
		{"Europe/Dublin", 2015}, {"Asia/Tokyo", 2020}, {"America/St_Johns", 2000}, {"Asia/Kathmandu", 1980},
		{"Pacific/Chatham", 2010}, {"Africa/Casablanca", 2015}, {"Europe/Moscow", 2005}, {"Pacific/Apia", 2008},
		{"Antarctica/Troll", 2004}, {"America/Santiago", 2020}, {"Asia/Tehran", 2019}, {"Europe/London", 1968},
	} {
		t.Run(tc.zone+"/"+strconv.Itoa(tc.year), func(t *testing.T) {
			loc := load(t, tc.zone)
			from := time.Date(tc.year, 6, 15, 12, 0, 0, 0, loc)
			b, err := ical.Calendar{Events: []ical.Event{{UID: "z", Start: from, DTStamp: from}}}.Bytes()
			if err != nil {
				t.Fatal(err)
			}
			cal := parse(t, b)
			var vtz *goical.Component
			for _, ch := range cal.Children {
				if ch.Name == "VTIMEZONE" {
					if vtz != nil {
						t.Fatal("two VTIMEZONEs")
					}
					vtz = ch
				}
			}
			if vtz == nil || text(t, vtz, "TZID") != tc.zone {
				t.Fatalf("no VTIMEZONE for %s", tc.zone)
			}
			ons := zoneOnsets(t, vtz, end)
			offsetAt := func(at time.Time) (int, bool) {
				i, found := slices.BinarySearchFunc(ons, at, func(o onset, at time.Time) int { return o.at.Compare(at) })
				if !found {
					i--
				}
				if i < 0 {
					return 0, false
				}
				return ons[i].to, true
			}
			check := func(at time.Time) {
				_, want := at.In(loc).Zone()
				got, ok := offsetAt(at)
				if !ok {
					t.Fatalf("the VTIMEZONE says nothing about %v", at)
				}
				if got != want {
					t.Fatalf("at %v (%s) the VTIMEZONE gives %+d s, the zone data %+d s\n%s", at.UTC(), at.In(loc).Format("2006-01-02 15:04 MST"), got, want, b)
				}
			}
			checks := 0
			for at := from; at.Before(end); at = at.Add(7 * 24 * time.Hour) {
				check(at)
				checks++
			}
			for at := from; ; {
				_, next := at.In(loc).ZoneBounds()
				if !next.IsZero() && !next.After(at) { // golang/go#81583
					next = at.UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
				}
				if next.IsZero() || !next.Before(end) {
					break
				}
				check(next.Add(-time.Second))
				check(next)
				checks += 2
				at = next
			}
			t.Logf("%d checks, %d observances, %d octets", checks, len(vtz.Children), len(b))
		})
	}
}

// TestVTimezoneOslo: from 1996 on, Oslo's VTIMEZONE is the familiar pair of
// yearly rules, and nothing more.
func TestVTimezoneOslo(t *testing.T) {
	oslo := load(t, "Europe/Oslo")
	b, err := ical.Calendar{Events: []ical.Event{{UID: "o", Start: time.Date(2026, 6, 2, 18, 0, 0, 0, oslo), DTStamp: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}}}.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	want := strings.ReplaceAll(`BEGIN:VTIMEZONE
TZID:Europe/Oslo
BEGIN:DAYLIGHT
DTSTART:20260329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
END:DAYLIGHT
BEGIN:STANDARD
DTSTART:20261025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
END:STANDARD
END:VTIMEZONE
`, "\n", "\r\n")
	if !strings.Contains(string(b), want) {
		t.Errorf("Oslo's VTIMEZONE:\n%s", b)
	}
}

// TestVTimezonePerZone: a calendar with events in two zones (an event that
// starts in one and ends in another too) has one VTIMEZONE for each, each
// from the earliest time it is used.
func TestVTimezonePerZone(t *testing.T) {
	oslo, helsinki := load(t, "Europe/Oslo"), load(t, "Europe/Helsinki")
	stamp := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b, err := ical.Calendar{Events: []ical.Event{
		{UID: "a", Start: time.Date(2027, 1, 5, 18, 0, 0, 0, oslo), DTStamp: stamp},
		{UID: "b", Start: time.Date(2026, 1, 5, 18, 0, 0, 0, oslo), End: time.Date(2026, 1, 5, 21, 0, 0, 0, helsinki), DTStamp: stamp},
	}}.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	cal := parse(t, b)
	first := map[string]string{}
	for _, ch := range cal.Children {
		if ch.Name == "VTIMEZONE" {
			first[text(t, ch, "TZID")] = ch.Children[0].Props.Get("DTSTART").Value
		}
	}
	if len(first) != 2 || first["Europe/Oslo"] != "20251026T030000" || first["Europe/Helsinki"] != "20251026T040000" {
		t.Errorf("VTIMEZONEs begin %v", first)
	}
	if end := cal.Events()[1].Props.Get("DTEND"); end.Params.Get("TZID") != "Europe/Helsinki" || end.Value != "20260105T210000" {
		t.Errorf("DTEND %+v", end)
	}
}
