package ical_test

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	goical "github.com/emersion/go-ical"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/ical"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func load(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// parse reads b with go-ical, a real iCalendar parser, after checking the
// lines as RFC 5545 3.1 wants them: CRLF, at most 75 octets, each valid UTF-8
// (so no fold fell inside a character).
func parse(t testing.TB, b []byte) *goical.Calendar {
	t.Helper()
	checkLines(t, b)
	cal, err := goical.NewDecoder(bytes.NewReader(b)).Decode()
	if err != nil {
		t.Fatalf("go-ical cannot read the output: %v\n%s", err, b)
	}
	return cal
}

func checkLines(t testing.TB, b []byte) {
	t.Helper()
	if !bytes.HasSuffix(b, []byte("\r\n")) {
		t.Fatalf("output does not end with CRLF")
	}
	lines := bytes.Split(b[:len(b)-2], []byte("\r\n"))
	for i, l := range lines {
		if bytes.ContainsAny(l, "\r\n") {
			t.Fatalf("line %d has a bare CR or LF: %q", i+1, l)
		}
		if len(l) > 75 {
			t.Fatalf("line %d has %d octets: %q", i+1, len(l), l)
		}
		if !utf8.Valid(l) {
			t.Fatalf("line %d is not valid UTF-8 (a fold split a character): %q", i+1, l)
		}
		if len(l) == 0 {
			t.Fatalf("line %d is empty", i+1)
		}
	}
}

func text(t testing.TB, c *goical.Component, name string) string {
	t.Helper()
	p := c.Props.Get(name)
	if p == nil {
		t.Fatalf("%s has no %s", c.Name, name)
	}
	s, err := p.Text()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return s
}

func dateTime(t testing.TB, p *goical.Prop) time.Time {
	t.Helper()
	if p == nil {
		t.Fatal("missing date-time property")
	}
	v, err := p.DateTime(nil)
	if err != nil {
		t.Fatalf("%s: %v", p.Name, err)
	}
	return v
}

const longSami = "Dán joavkkus mii humadit sorggas ja váillaheamis. Buohkat leat buresboahtin, " +
	"sámegillii dahje dárogillii: áčđŋšŧž ÁČĐŊŠŦŽ. Vi snakker om sorg og savn, om å finne fotfeste igjen; " +
	"om hverdagen etterpå, og om det som hjelper. Ta med det du vil dele – eller bare lytt.\n" +
	"Andre avsnitt: møtene er gratis, og du trenger ikke melde deg på. C:\\sti\\med\\skråstreker, € og 𝄞."

func TestRoundTrip(t *testing.T) {
	oslo := load(t, "Europe/Oslo")
	created := time.Date(2026, 5, 2, 8, 15, 0, 0, time.UTC)
	modified := time.Date(2026, 6, 3, 9, 30, 5, 0, time.UTC)
	stamp := time.Date(2026, 6, 4, 10, 0, 0, 0, time.UTC)
	group := ical.Event{
		UID:         "gruppe-42@fellesrom.example",
		Sequence:    2,
		Start:       time.Date(2026, 9, 1, 18, 0, 0, 0, oslo),
		End:         time.Date(2026, 9, 1, 19, 30, 0, 0, oslo),
		Summary:     "Sorg og savn – samtalegruppe; for etterlatte, Tromsø/Romsa",
		Description: longSami,
		Location:    "Frivilligsentralen, Storgata 1; 2. etasje\nRom «Åsgård»",
		URL:         "https://fellesrom.example/grupper/sorg-og-savn?by=troms%C3%B8&side=2",
		Organizer:   &ical.Person{Name: "Kari Nordmann, Frivilligsentralen: Tromsø", Email: "kari@example.no"},
		Attendees: []ical.Attendee{
			{Name: "Ánde Ŋuolja", Email: "ande+grupper@example.no", PartStat: ical.PartStatNeedsAction, RSVP: true},
			{Email: "anon@example.no"},
		},
		Status:       ical.StatusConfirmed,
		RRule:        "FREQ=WEEKLY;BYDAY=TU;COUNT=10",
		ExDates:      []time.Time{time.Date(2026, 9, 15, 18, 0, 0, 0, oslo)},
		Created:      created,
		LastModified: modified,
		DTStamp:      stamp,
	}
	christmas := ical.Event{
		UID:     "hendelse-7@fellesrom.example",
		Start:   time.Date(2026, 12, 24, 0, 0, 0, 0, oslo),
		End:     time.Date(2026, 12, 27, 0, 0, 0, 0, oslo),
		AllDay:  true,
		Summary: "Julaften – åpent hus",
		Status:  ical.StatusTentative,
		DTStamp: stamp,
	}
	c := ical.Calendar{ProdID: "-//fellesrom//test//NB", Method: "PUBLISH", Name: "Fellesrom: Tromsø, Sápmi", Events: []ical.Event{group, christmas}}
	b, err := c.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	cal := parse(t, b)

	for name, want := range map[string]string{"VERSION": "2.0", "PRODID": c.ProdID, "METHOD": "PUBLISH", "CALSCALE": "GREGORIAN",
		"NAME": c.Name, "X-WR-CALNAME": c.Name} {
		if got := text(t, cal.Component, name); got != want {
			t.Errorf("calendar %s = %q, want %q", name, got, want)
		}
	}
	evs := cal.Events()
	if len(evs) != 2 {
		t.Fatalf("%d events, want 2", len(evs))
	}
	e := evs[0]
	for name, want := range map[string]string{"UID": group.UID, "SUMMARY": group.Summary, "DESCRIPTION": group.Description,
		"LOCATION": group.Location, "STATUS": "CONFIRMED"} {
		if got := text(t, e.Component, name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if got := e.Props.Get("RRULE").Value; got != group.RRule {
		t.Errorf("RRULE = %q, want %q", got, group.RRule)
	}
	if seq, err := e.Props.Get("SEQUENCE").Int(); err != nil || seq != 2 {
		t.Errorf("SEQUENCE = %d, %v", seq, err)
	}
	if st, err := e.Status(); err != nil || st != goical.EventConfirmed {
		t.Errorf("status %q, %v", st, err)
	}
	if u, err := e.Props.URI("URL"); err != nil || u.String() != group.URL {
		t.Errorf("URL = %v, %v", u, err)
	}
	start, end := e.Props.Get("DTSTART"), e.Props.Get("DTEND")
	for _, p := range []*goical.Prop{start, end} {
		if tz := p.Params.Get("TZID"); tz != "Europe/Oslo" {
			t.Errorf("%s TZID = %q", p.Name, tz)
		}
	}
	if got := dateTime(t, start); !got.Equal(group.Start) || got.Location().String() != "Europe/Oslo" || got.Hour() != 18 {
		t.Errorf("DTSTART = %v, want %v", got, group.Start)
	}
	if got := dateTime(t, end); !got.Equal(group.End) {
		t.Errorf("DTEND = %v, want %v", got, group.End)
	}
	ex := e.Props.Values("EXDATE")
	if len(ex) != 1 || !dateTime(t, &ex[0]).Equal(group.ExDates[0]) || ex[0].Params.Get("TZID") != "Europe/Oslo" {
		t.Errorf("EXDATE = %+v", ex)
	}
	for name, want := range map[string]time.Time{"DTSTAMP": stamp, "CREATED": created, "LAST-MODIFIED": modified} {
		p := e.Props.Get(name)
		if got := dateTime(t, p); !got.Equal(want) || !strings.HasSuffix(p.Value, "Z") {
			t.Errorf("%s = %s, want %v in UTC", name, p.Value, want)
		}
	}
	org := e.Props.Get("ORGANIZER")
	if org.Value != "mailto:kari@example.no" || org.Params.Get("CN") != group.Organizer.Name {
		t.Errorf("ORGANIZER = %q CN %q", org.Value, org.Params.Get("CN"))
	}
	att := e.Props.Values("ATTENDEE")
	if len(att) != 2 {
		t.Fatalf("%d attendees", len(att))
	}
	if a := att[0]; a.Value != "mailto:ande+grupper@example.no" || a.Params.Get("CN") != "Ánde Ŋuolja" ||
		a.Params.Get("PARTSTAT") != "NEEDS-ACTION" || a.Params.Get("RSVP") != "TRUE" {
		t.Errorf("first ATTENDEE = %+v", a)
	}
	if a := att[1]; a.Value != "mailto:anon@example.no" || len(a.Params) != 0 {
		t.Errorf("second ATTENDEE = %+v", a)
	}

	x := evs[1]
	if got := text(t, x.Component, "SUMMARY"); got != christmas.Summary {
		t.Errorf("SUMMARY = %q", got)
	}
	if p := x.Props.Get("DTSTART"); p.ValueType() != goical.ValueDate || p.Value != "20261224" {
		t.Errorf("all-day DTSTART = %+v", p)
	}
	if p := x.Props.Get("DTEND"); p.ValueType() != goical.ValueDate || p.Value != "20261227" {
		t.Errorf("all-day DTEND = %+v", p)
	}
	if st, _ := x.Status(); st != goical.EventTentative {
		t.Errorf("status %q", st)
	}

	// One VTIMEZONE, for the one zone used.
	var zones []string
	for _, ch := range cal.Children {
		if ch.Name == "VTIMEZONE" {
			zones = append(zones, text(t, ch, "TZID"))
		}
	}
	if len(zones) != 1 || zones[0] != "Europe/Oslo" {
		t.Errorf("VTIMEZONEs %v", zones)
	}
}

// TestEscapingAndFolding writes summaries whose folds fall at every octet of
// two-, three- and four-octet characters, with every character TEXT escapes.
func TestEscapingAndFolding(t *testing.T) {
	oslo := load(t, "Europe/Oslo")
	var evs []ical.Event
	var want []string
	for pad := range 8 {
		for _, ch := range []string{"ŋ", "€", "𝄞", "\\", ",", ";", "\n"} {
			s := strings.Repeat("x", pad) + strings.Repeat(ch+"æ", 60) + " slutt"
			evs = append(evs, ical.Event{UID: "u" + string(rune('a'+len(evs)%26)) + strings.Repeat("9", len(evs)/26),
				Start: time.Date(2026, 3, 3, 18, 0, 0, 0, oslo), Summary: s, Description: "a\r\nb\rc\x00d\te\x7f",
				DTStamp: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
			want = append(want, s)
		}
	}
	b, err := ical.Calendar{Events: evs}.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	cal := parse(t, b)
	got := cal.Events()
	if len(got) != len(want) {
		t.Fatalf("%d events, want %d", len(got), len(want))
	}
	for i, e := range got {
		if s := text(t, e.Component, "SUMMARY"); s != want[i] {
			t.Errorf("event %d: SUMMARY = %q, want %q", i, s, want[i])
		}
		if s := text(t, e.Component, "DESCRIPTION"); s != "a\nb\ncd\te" {
			t.Errorf("event %d: DESCRIPTION = %q (line breaks made \\n, control characters dropped)", i, s)
		}
	}
	if !bytes.Contains(b, []byte(`\,`)) || !bytes.Contains(b, []byte(`\;`)) || !bytes.Contains(b, []byte(`\\`)) || !bytes.Contains(b, []byte(`\n`)) {
		t.Error("escapes missing from the output")
	}
}

// TestNextOccurrencesAcrossDST: a weekly Tuesday 18:00 group in Oslo over
// the last Sundays of March and October 2026, expanded by the parser's
// recurrence support (rrule-go), is at 18:00 local every week: 17:00Z in
// winter and 16:00Z in summer; the EXDATE removes the cancelled meeting.
func TestNextOccurrencesAcrossDST(t *testing.T) {
	oslo := load(t, "Europe/Oslo")
	cancelled := time.Date(2026, 4, 7, 18, 0, 0, 0, oslo)
	s := domain.Schedule{Start: time.Date(2026, 3, 3, 18, 0, 0, 0, oslo).UTC(), DurationMin: 90, TZ: "Europe/Oslo",
		RRule: "FREQ=WEEKLY;BYDAY=TU", ExDates: []time.Time{cancelled.UTC()}}
	ev, err := ical.EventFromSchedule(s)
	if err != nil {
		t.Fatal(err)
	}
	ev.UID, ev.Summary, ev.DTStamp = "tirsdag@fellesrom.example", "Tirsdagsgruppa", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b, err := ical.Calendar{Events: []ical.Event{ev}}.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	e := parse(t, b).Events()[0]
	set, err := e.RecurrenceSet(nil)
	if err != nil || set == nil {
		t.Fatalf("recurrence set: %v %v", set, err)
	}
	from, to := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	got := set.Between(from, to, true)

	// Around the changes, by hand.
	want := map[string]string{
		"2026-03-24": "17:00", // winter (CET)
		"2026-03-31": "16:00", // summer (CEST) from 29 March
		"2026-10-20": "16:00",
		"2026-10-27": "17:00", // winter again from 25 October
	}
	seen := map[string]bool{}
	for _, o := range got {
		l := o.In(oslo)
		day := l.Format("2006-01-02")
		seen[day] = true
		if l.Weekday() != time.Tuesday || l.Hour() != 18 || l.Minute() != 0 {
			t.Errorf("occurrence %v is not Tuesday 18:00 in Oslo", l)
		}
		wantZ := "17:00"
		if l.IsDST() {
			wantZ = "16:00"
		}
		if z := o.UTC().Format("15:04"); z != wantZ {
			t.Errorf("%s at %sZ, want %sZ", day, z, wantZ)
		}
		if w, ok := want[day]; ok && o.UTC().Format("15:04") != w {
			t.Errorf("%s at %sZ, want %sZ", day, o.UTC().Format("15:04"), w)
		}
	}
	for day := range want {
		if !seen[day] {
			t.Errorf("no meeting on %s", day)
		}
	}
	if seen["2026-04-07"] {
		t.Error("the cancelled meeting of 7 April is still there")
	}
	if !seen["2026-03-31"] || !seen["2026-04-14"] {
		t.Error("the meetings next to the cancelled one are missing")
	}
	// And the same as the domain's own expansion.
	next := s.Next(from, len(got)+5)
	next = next[:min(len(next), len(got))]
	if len(got) != 39-1 || len(next) != len(got) {
		t.Fatalf("%d occurrences from the parser, %d from domain.Schedule.Next (want 38)", len(got), len(next))
	}
	for i := range got {
		if !got[i].Equal(next[i]) {
			t.Errorf("occurrence %d: parser %v, domain %v", i, got[i], next[i])
		}
	}
	// The event lasts its 90 minutes.
	if end, err := e.DateTimeEnd(nil); err != nil || end.Sub(dateTime(t, e.Props.Get("DTSTART"))) != 90*time.Minute {
		t.Errorf("DTEND %v, %v", end, err)
	}
}

// TestRulesAgreeWithDomain expands each kind of rule fellesrom accepts with
// rrule-go (through the parsed output) and with domain.Schedule.Next.
func TestRulesAgreeWithDomain(t *testing.T) {
	oslo := load(t, "Europe/Oslo")
	start := time.Date(2026, 1, 5, 10, 30, 0, 0, oslo) // a Monday
	for _, rule := range []string{
		"FREQ=WEEKLY",
		"FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH",
		"FREQ=WEEKLY;BYDAY=WE", // the start is not a Wednesday: moved to the first one
		"FREQ=WEEKLY;BYDAY=FR;COUNT=12",
		"FREQ=WEEKLY;BYDAY=TU;UNTIL=20260630T220000Z",
		"FREQ=WEEKLY;BYDAY=TU;UNTIL=20260630",
		"FREQ=MONTHLY;BYDAY=2WE,-1FR",
		"FREQ=MONTHLY;INTERVAL=3;BYDAY=1MO;COUNT=5",
		"RRULE:freq=monthly;byday=-1su",
	} {
		s := domain.Schedule{Start: start, DurationMin: 60, TZ: "Europe/Oslo", RRule: rule,
			ExDates: []time.Time{time.Date(2026, 3, 13, 10, 30, 0, 0, oslo)}}
		ev, err := ical.EventFromSchedule(s)
		if err != nil {
			t.Fatal(err)
		}
		ev.UID, ev.DTStamp = "r", start
		b, err := ical.Calendar{Events: []ical.Event{ev}}.Bytes()
		if err != nil {
			t.Fatalf("%s: %v", rule, err)
		}
		e := parse(t, b).Events()[0]
		set, err := e.RecurrenceSet(nil)
		if err != nil {
			t.Fatalf("%s: %v", rule, err)
		}
		end := start.AddDate(2, 0, 0)
		got := set.Between(start, end, true)
		var want []time.Time
		for _, o := range s.Next(start, 1000) {
			if !o.After(end) {
				want = append(want, o)
			}
		}
		if len(got) != len(want) || len(got) == 0 {
			t.Errorf("%s: %d occurrences from the parser, %d from the domain", rule, len(got), len(want))
			continue
		}
		for i := range got {
			if !got[i].Equal(want[i]) {
				t.Errorf("%s: occurrence %d: parser %v, domain %v", rule, i, got[i].In(oslo), want[i])
				break
			}
		}
		if first := dateTime(t, e.Props.Get("DTSTART")); !first.Equal(want[0]) {
			t.Errorf("%s: DTSTART %v is not the first occurrence %v", rule, first, want[0])
		}
	}
}

func TestAllDayRecurring(t *testing.T) {
	oslo := load(t, "Europe/Oslo")
	ev := ical.Event{UID: "dag", AllDay: true, Start: time.Date(2026, 6, 1, 0, 0, 0, 0, oslo), RRule: "FREQ=MONTHLY;BYDAY=1MO;UNTIL=20261231",
		ExDates: []time.Time{time.Date(2026, 8, 3, 0, 0, 0, 0, oslo)}, DTStamp: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	b, err := ical.Calendar{Events: []ical.Event{ev}}.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte("VTIMEZONE")) {
		t.Error("an all-day event needs no VTIMEZONE")
	}
	e := parse(t, b).Events()[0]
	if got := e.Props.Get("RRULE").Value; got != "FREQ=MONTHLY;BYDAY=1MO;UNTIL=20261231" {
		t.Errorf("RRULE %q (UNTIL must be a DATE like DTSTART)", got)
	}
	set, err := e.RecurrenceSet(nil)
	if err != nil {
		t.Fatal(err)
	}
	var days []string
	for _, o := range set.All() {
		days = append(days, o.Format("2006-01-02"))
	}
	if w := "2026-06-01 2026-07-06 2026-09-07 2026-10-05 2026-11-02 2026-12-07"; strings.Join(days, " ") != w {
		t.Errorf("days %v, want %s", days, w)
	}
}

func TestRefusesBadInput(t *testing.T) {
	oslo := load(t, "Europe/Oslo")
	start := time.Date(2026, 3, 3, 18, 0, 0, 0, oslo)
	ok := func() ical.Event {
		return ical.Event{UID: "u", Start: start, End: start.Add(time.Hour), Summary: "Hemmelig tittel",
			Organizer: &ical.Person{Name: "Kari", Email: "kari@example.no"}}
	}
	for _, tc := range []struct {
		name   string
		method string
		edit   func(*ical.Event)
		want   error
	}{
		{"empty UID", "", func(e *ical.Event) { e.UID = "" }, ical.ErrUID},
		{"blank UID", "", func(e *ical.Event) { e.UID = "  " }, ical.ErrUID},
		{"end before start", "", func(e *ical.Event) { e.End = start.Add(-time.Minute) }, ical.ErrEnd},
		{"all-day end before start", "", func(e *ical.Event) { e.AllDay, e.End = true, start.AddDate(0, 0, -1) }, ical.ErrEnd},
		{"start in UTC", "", func(e *ical.Event) { e.Start, e.End = start.UTC(), time.Time{} }, ical.ErrZone},
		{"start in Local", "", func(e *ical.Event) { e.Start, e.End = start.Local(), time.Time{} }, ical.ErrZone},
		{"end in UTC", "", func(e *ical.Event) { e.End = e.End.UTC() }, ical.ErrZone},
		{"fixed zone under a zone's name", "", func(e *ical.Event) { e.Start = start.In(time.FixedZone("Europe/Oslo", 7200)) }, ical.ErrZone},
		{"unknown zone name", "", func(e *ical.Event) { e.Start = start.In(time.FixedZone("Nowhere/Town", 3600)) }, ical.ErrZone},
		{"no start", "", func(e *ical.Event) { e.Start = time.Time{} }, ical.ErrValue},
		{"daily rule", "", func(e *ical.Event) { e.RRule = "FREQ=DAILY" }, ical.ErrRule},
		{"rule over before start", "", func(e *ical.Event) { e.RRule = "FREQ=WEEKLY;UNTIL=20250101T000000Z" }, ical.ErrRule},
		{"rule with a line break", "", func(e *ical.Event) { e.RRule = "FREQ=WEEKLY\r\nATTENDEE:mailto:x@example.no" }, ical.ErrRule},
		{"status", "", func(e *ical.Event) { e.Status = "DONE" }, ical.ErrValue},
		{"negative sequence", "", func(e *ical.Event) { e.Sequence = -1 }, ical.ErrValue},
		{"javascript URL", "", func(e *ical.Event) { e.URL = "javascript:alert(1)" }, ical.ErrValue},
		{"relative URL", "", func(e *ical.Event) { e.URL = "/grupper/1" }, ical.ErrValue},
		{"organizer address", "", func(e *ical.Event) { e.Organizer.Email = "kari@example.no\r\nX-EVIL:1" }, ical.ErrValue},
		{"organizer with name in address", "", func(e *ical.Event) { e.Organizer.Email = "Kari <kari@example.no>" }, ical.ErrValue},
		{"attendee address", "", func(e *ical.Event) { e.Attendees = []ical.Attendee{{Email: "ikke en adresse"}} }, ical.ErrValue},
		{"attendee partstat", "", func(e *ical.Event) { e.Attendees = []ical.Attendee{{Email: "a@example.no", PartStat: "MAYBE"}} }, ical.ErrValue},
		{"REQUEST without organizer", "REQUEST", func(e *ical.Event) { e.Organizer = nil }, ical.ErrValue},
		{"unknown method", "INVITE", func(e *ical.Event) {}, ical.ErrValue},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev := ok()
			tc.edit(&ev)
			good := ok()
			good.UID = "other"
			var buf bytes.Buffer
			n, err := ical.Calendar{Method: tc.method, Events: []ical.Event{good, ev}}.WriteTo(&buf)
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			if n != 0 || buf.Len() != 0 {
				t.Errorf("wrote %d octets before refusing", buf.Len())
			}
			if msg := err.Error(); strings.Contains(msg, "kari@") || strings.Contains(msg, "Hemmelig") || strings.Contains(msg, "adresse") {
				t.Errorf("the error repeats personal data: %s", msg)
			}
		})
	}
	t.Run("duplicate UID", func(t *testing.T) {
		if _, err := (ical.Calendar{Events: []ical.Event{ok(), ok()}}).Bytes(); !errors.Is(err, ical.ErrUID) {
			t.Fatalf("error %v, want ErrUID", err)
		}
	})
	t.Run("REQUEST with organizer", func(t *testing.T) {
		if _, err := (ical.Calendar{Method: "REQUEST", Events: []ical.Event{ok()}}).Bytes(); err != nil {
			t.Fatal(err)
		}
	})
}

// TestNoDTEND: an event without End, or with End equal to Start, has no
// DTEND (RFC 5545 wants DTEND later than DTSTART).
func TestNoDTEND(t *testing.T) {
	oslo := load(t, "Europe/Oslo")
	start := time.Date(2026, 3, 3, 18, 0, 0, 0, oslo)
	b, err := ical.Calendar{Events: []ical.Event{{UID: "a", Start: start}, {UID: "b", Start: start, End: start}}}.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range parse(t, b).Events() {
		if e.Props.Get("DTEND") != nil {
			t.Errorf("%s has a DTEND", text(t, e.Component, "UID"))
		}
	}
}

// TestParamQuoting: a name with a double quote, a caret or a line break in a
// parameter is caret-encoded (RFC 6868); one with a colon, semicolon or comma
// is quoted.
func TestParamQuoting(t *testing.T) {
	oslo := load(t, "Europe/Oslo")
	ev := ical.Event{UID: "q", Start: time.Date(2026, 3, 3, 18, 0, 0, 0, oslo), DTStamp: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		Organizer: &ical.Person{Name: "Kari \"K\" ^ Nordmann;\nhuset", Email: "kari@example.no"}}
	b, err := ical.Calendar{Events: []ical.Event{ev}}.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	org := parse(t, b).Events()[0].Props.Get("ORGANIZER")
	if got := org.Params.Get("CN"); got != "Kari ^'K^' ^^ Nordmann;^nhuset" {
		t.Errorf("CN = %q", got)
	}
	if org.Value != "mailto:kari@example.no" {
		t.Errorf("ORGANIZER = %q", org.Value)
	}
}

func TestGolden(t *testing.T) {
	oslo := load(t, "Europe/Oslo")
	start := time.Date(2026, 9, 1, 18, 0, 0, 0, oslo)
	c := ical.Calendar{Method: "REQUEST", Events: []ical.Event{{
		UID:         "oppstart-17@fellesrom.example",
		Sequence:    1,
		Start:       start,
		End:         start.Add(90 * time.Minute),
		Summary:     "Oppstartsmøte: Samtalegruppe om sorg",
		Description: "Velkommen til oppstartsmøtet. Vi møtes i Frivilligsentralen, 2. etasje; ta heisen, eller trappa ved kafeen.\nRing hvis du blir forsinket.",
		Location:    "Frivilligsentralen, Storgata 1, Tromsø",
		Organizer:   &ical.Person{Name: "Frivilligsentralen i Tromsø", Email: "post@example.no"},
		Attendees:   []ical.Attendee{{Email: "deltaker@example.no", PartStat: ical.PartStatNeedsAction, RSVP: true}},
		Status:      ical.StatusConfirmed,
		DTStamp:     time.Date(2026, 8, 20, 12, 0, 0, 0, time.UTC),
	}}}
	b, err := c.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	parse(t, b)
	path := filepath.Join("testdata", "invitation.ics")
	if *update {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, want) {
		t.Errorf("output differs from %s (go test -run Golden -update rewrites it):\n%s", path, b)
	}
}

// TestEncoderStreams: an Encoder with its zone declared writes the same as
// Calendar.WriteTo, refuses an event in an undeclared zone or before the
// zone's start without breaking the calendar, and Close ends it.
func TestEncoderStreams(t *testing.T) {
	oslo, ny := load(t, "Europe/Oslo"), load(t, "America/New_York")
	start := time.Date(2026, 3, 3, 18, 0, 0, 0, oslo)
	stamp := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var evs []ical.Event
	for i := range 50 {
		evs = append(evs, ical.Event{UID: "g" + strings.Repeat("x", i), Start: start.AddDate(0, 0, i), End: start.AddDate(0, 0, i).Add(time.Hour),
			Summary: "Gruppe", RRule: "FREQ=WEEKLY", DTStamp: stamp})
	}
	head := ical.Calendar{Method: "PUBLISH", Name: "Alle grupper"}
	var buf bytes.Buffer
	enc, err := ical.NewEncoder(&buf, head, ical.Zone{Location: oslo, From: start})
	if err != nil {
		t.Fatal(err)
	}
	for i, ev := range evs {
		if err := enc.Encode(ev); err != nil {
			t.Fatal(err)
		}
		if i == 10 {
			before := buf.Len()
			if err := enc.Encode(ical.Event{UID: "ny", Start: time.Date(2026, 3, 3, 18, 0, 0, 0, ny)}); !errors.Is(err, ical.ErrZone) {
				t.Errorf("event in an undeclared zone: %v", err)
			}
			if err := enc.Encode(ical.Event{UID: "tidlig", Start: start.AddDate(0, 0, -1)}); !errors.Is(err, ical.ErrZone) {
				t.Errorf("event before the zone's start: %v", err)
			}
			if err := enc.Encode(evs[0]); !errors.Is(err, ical.ErrUID) {
				t.Errorf("repeated UID: %v", err)
			}
			if buf.Len() != before {
				t.Error("a refused event wrote something")
			}
		}
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	head.Events = evs
	want, err := head.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("the Encoder wrote something else than WriteTo:\n%s\n----\n%s", buf.Bytes(), want)
	}
	if n := len(parse(t, buf.Bytes()).Events()); n != 50 {
		t.Errorf("%d events", n)
	}
	if _, err := ical.NewEncoder(&buf, head); !errors.Is(err, ical.ErrZone) {
		t.Errorf("NewEncoder with events in an undeclared zone: %v", err)
	}
}

// FuzzText: any summary comes back from the parser as written, less what
// TEXT cannot hold (invalid UTF-8 becomes U+FFFD, CR and CRLF become LF,
// control characters but tab and LF are dropped), and the lines stay within
// the rules.
func FuzzText(f *testing.F) {
	for _, s := range []string{"", "Sorg; savn, og \\ samtale\n", "ŋŋŋŋ€𝄞", "\r\n\r\x00\xff", strings.Repeat("æ", 100)} {
		f.Add(s)
	}
	oslo := load(f, "Europe/Oslo")
	f.Fuzz(func(t *testing.T, s string) {
		b, err := ical.Calendar{Events: []ical.Event{{UID: "f", Start: time.Date(2026, 3, 3, 18, 0, 0, 0, oslo), Summary: s, Location: s}}}.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		e := parse(t, b).Events()[0]
		want := strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\r\n", "\n")
		want = strings.Map(func(r rune) rune {
			switch {
			case r == '\r':
				return '\n'
			case r != '\n' && r != '\t' && (r < 0x20 || r == 0x7f):
				return -1
			}
			return r
		}, want)
		if want == "" {
			if e.Props.Get("SUMMARY") != nil {
				t.Error("empty summary written")
			}
			return
		}
		if got := text(t, e.Component, "SUMMARY"); got != want {
			t.Errorf("SUMMARY %q, want %q", got, want)
		}
	})
}

func TestEventFromSchedule(t *testing.T) {
	oslo := load(t, "Europe/Oslo")
	start := time.Date(2026, 3, 3, 18, 0, 0, 0, oslo)
	ev, err := ical.EventFromSchedule(domain.Schedule{Start: start.UTC(), RRule: "FREQ=WEEKLY"}) // no zone: Europe/Oslo, no duration
	if err != nil {
		t.Fatal(err)
	}
	if ev.Start.Location().String() != "Europe/Oslo" || !ev.Start.Equal(start) || ev.Start.Hour() != 18 || !ev.End.IsZero() || ev.RRule != "FREQ=WEEKLY" {
		t.Errorf("event %+v", ev)
	}
	if _, err := ical.EventFromSchedule(domain.Schedule{Start: start, RRule: "FREQ=DAILY"}); !errors.Is(err, ical.ErrRule) {
		t.Errorf("daily schedule: %v", err)
	}
	if _, err := ical.EventFromSchedule(domain.Schedule{Start: start, TZ: "Mars/Olympus"}); !errors.Is(err, ical.ErrValue) {
		t.Errorf("unknown zone: %v", err)
	}
}

// BenchmarkEncoder streams a feed of weekly groups in Oslo: the cost of one
// event (go test -bench Encoder -benchmem ./internal/ical/).
func BenchmarkEncoder(b *testing.B) {
	oslo := load(b, "Europe/Oslo")
	start := time.Date(2026, 3, 3, 18, 0, 0, 0, oslo)
	ev := ical.Event{Start: start, End: start.Add(90 * time.Minute), Summary: "Samtalegruppe om sorg og savn, Tromsø",
		Description: longSami, Location: "Frivilligsentralen, Storgata 1", URL: "https://fellesrom.example/grupper/1",
		RRule: "FREQ=WEEKLY;BYDAY=TU", ExDates: []time.Time{start.AddDate(0, 0, 14)}, DTStamp: start}
	var buf bytes.Buffer
	enc, err := ical.NewEncoder(&buf, ical.Calendar{Name: "Alle grupper"}, ical.Zone{Location: oslo, From: start})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		ev.UID = "gruppe-" + strconv.Itoa(i)
		if err := enc.Encode(ev); err != nil {
			b.Fatal(err)
		}
		if buf.Len() > 1<<20 {
			buf.Reset()
		}
	}
	if err := enc.Close(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkVTimezone is the cost of a one-event calendar in Oslo, most of it
// the VTIMEZONE walk.
func BenchmarkVTimezone(b *testing.B) {
	oslo := load(b, "Europe/Oslo")
	c := ical.Calendar{Events: []ical.Event{{UID: "u", Start: time.Date(2026, 3, 3, 18, 0, 0, 0, oslo), DTStamp: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Bytes(); err != nil {
			b.Fatal(err)
		}
	}
}
