package domain

import (
	"testing"
	"time"
)

func oslo(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestParseRuleRejects(t *testing.T) {
	for _, s := range []string{"", "FREQ=DAILY", "FREQ=WEEKLY;BYDAY=XX", "FREQ=MONTHLY", "FREQ=MONTHLY;BYDAY=TU",
		"FREQ=WEEKLY;BYDAY=2TU", "FREQ=WEEKLY;INTERVAL=0", "FREQ=WEEKLY;FREQ=WEEKLY", "FREQ=WEEKLY;BYHOUR=3",
		"FREQ=MONTHLY;BYDAY=5MO", "FREQ=WEEKLY;COUNT=3;UNTIL=20270101", "INTERVAL=2"} {
		if _, err := ParseRule(s); err == nil {
			t.Errorf("ParseRule(%q) accepted", s)
		}
	}
}

func TestRuleRoundTrip(t *testing.T) {
	for _, s := range []string{"FREQ=WEEKLY;BYDAY=TU", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH", "FREQ=MONTHLY;BYDAY=-1FR", "FREQ=MONTHLY;BYDAY=1MO,3MO;COUNT=6"} {
		r, err := ParseRule(s)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if got := r.String(); got != s {
			t.Errorf("round trip %q gave %q", s, got)
		}
	}
}

func TestNextEveryOtherWeekAcrossDST(t *testing.T) {
	loc := oslo(t)
	// Tuesdays 18:00 every other week from 2026-03-17; DST starts 2026-03-29.
	s := Schedule{Start: time.Date(2026, 3, 17, 18, 0, 0, 0, loc).UTC(), TZ: "Europe/Oslo", DurationMin: 90, RRule: "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"}
	got := s.Next(time.Date(2026, 3, 1, 0, 0, 0, 0, loc), 3)
	want := []string{"2026-03-17 18:00 +0100", "2026-03-31 18:00 +0200", "2026-04-14 18:00 +0200"}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range want {
		if g := got[i].Format("2006-01-02 15:04 -0700"); g != want[i] {
			t.Errorf("occurrence %d = %s, want %s", i, g, want[i])
		}
	}
}

func TestNextMonthlyNthAndLast(t *testing.T) {
	loc := oslo(t)
	s := Schedule{Start: time.Date(2026, 1, 1, 10, 30, 0, 0, loc), TZ: "Europe/Oslo", RRule: "FREQ=MONTHLY;BYDAY=2WE,-1FR"}
	got := s.Next(time.Date(2026, 1, 1, 0, 0, 0, 0, loc), 4)
	want := []string{"2026-01-14", "2026-01-30", "2026-02-11", "2026-02-27"}
	for i := range want {
		if i >= len(got) || got[i].Format("2006-01-02") != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
		if got[i].Hour() != 10 || got[i].Minute() != 30 {
			t.Errorf("time %v, want 10:30", got[i])
		}
	}
}

func TestNextCountUntilExdate(t *testing.T) {
	loc := oslo(t)
	start := time.Date(2026, 9, 7, 19, 0, 0, 0, loc)
	s := Schedule{Start: start, TZ: "Europe/Oslo", RRule: "FREQ=WEEKLY;COUNT=3", ExDates: []time.Time{start.AddDate(0, 0, 7)}}
	got := s.Next(start, 10)
	if len(got) != 2 || got[0].Day() != 7 || got[1].Day() != 21 {
		t.Errorf("COUNT=3 with one EXDATE: got %v", got)
	}
	s = Schedule{Start: start, TZ: "Europe/Oslo", RRule: "FREQ=WEEKLY;UNTIL=20260915"}
	if got := s.Next(start, 10); len(got) != 2 {
		t.Errorf("UNTIL: got %v", got)
	}
	if got := s.Next(start.AddDate(1, 0, 0), 3); len(got) != 0 {
		t.Errorf("after UNTIL: got %v", got)
	}
}

func TestWeekdaysAndTimeOfDay(t *testing.T) {
	loc := oslo(t)
	s := Schedule{Start: time.Date(2026, 9, 7, 19, 0, 0, 0, loc), TZ: "Europe/Oslo", RRule: "FREQ=WEEKLY;BYDAY=TH,MO"}
	if d := s.Weekdays(); len(d) != 2 || d[0] != time.Monday || d[1] != time.Thursday {
		t.Errorf("weekdays %v", d)
	}
	if s.TimeOfDay() != Evening {
		t.Errorf("19:00 is %s", s.TimeOfDay())
	}
	s.Start = time.Date(2026, 9, 7, 11, 59, 0, 0, loc)
	if s.TimeOfDay() != Morning {
		t.Errorf("11:59 is %s", s.TimeOfDay())
	}
}

func TestFold(t *testing.T) {
	for _, s := range []string{"pårørende", "PÅRØRENDE", "Pårørende", "Pa\u030arørende"} {
		if Fold(s) != "pårørende" {
			t.Errorf("Fold(%q) = %q", s, Fold(s))
		}
	}
	if got := Fold("  Angst, og -- DEPRESJON! "); got != "angst og depresjon" {
		t.Errorf("Fold = %q", got)
	}
}

func TestTextFallback(t *testing.T) {
	tx := Text{"en": "Grief", "nb": "Sorg"}
	if tx.In("se") != "Sorg" || tx.LangOf("se") != "nb" {
		t.Errorf("se falls back to nb: %q %q", tx.In("se"), tx.LangOf("se"))
	}
	if tx.In("en") != "Grief" {
		t.Errorf("en: %q", tx.In("en"))
	}
	if (Text{"sv": "Sorg"}).In("nb") != "Sorg" {
		t.Error("any language as last resort")
	}
}

func TestAddressVisible(t *testing.T) {
	v := Venue{ID: "v", AddressPublic: true}
	open := Model{Intake: IntakeOpen}
	closed := Model{Intake: IntakeClosed}
	if !AddressVisible(Group{Join: JoinJustCome}, open, v) {
		t.Error("open meeting at a public venue should show its address")
	}
	if AddressVisible(Group{Join: JoinViaHouse}, closed, v) {
		t.Error("closed group must never show its address")
	}
	if AddressVisible(Group{Join: JoinJustCome}, open, Venue{ID: "v"}) {
		t.Error("hidden venue address shown")
	}
}

func TestSortByNameNorwegian(t *testing.T) {
	names := []string{"Ålesund", "Øksnes", "Zzz", "Ærøy", "aurland", "Bø"}
	SortByName(names, func(s string) string { return s })
	want := []string{"aurland", "Bø", "Zzz", "Ærøy", "Øksnes", "Ålesund"}
	for i := range want {
		if names[i] != want[i] {
			t.Fatalf("got %v, want %v", names, want)
		}
	}
}

// A day that two BYDAY entries both name is one meeting: the 4th and the
// last Tuesday fall together in a month with four Tuesdays, and a repeated
// weekday in a weekly rule is one day.
func TestNextCoincidingDays(t *testing.T) {
	loc, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		t.Fatal(err)
	}
	s := Schedule{Start: time.Date(2026, 2, 24, 18, 0, 0, 0, loc), DurationMin: 90, TZ: "Europe/Oslo",
		RRule: "FREQ=MONTHLY;BYDAY=4TU,-1TU"}
	got := s.Next(time.Date(2026, 2, 1, 0, 0, 0, 0, loc), 3)
	// February 2026 has four Tuesdays (24th is both); March has five (24th, 31st).
	want := []time.Time{time.Date(2026, 2, 24, 18, 0, 0, 0, loc), time.Date(2026, 3, 24, 18, 0, 0, 0, loc),
		time.Date(2026, 3, 31, 18, 0, 0, 0, loc)}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if !got[i].Equal(want[i]) {
			t.Errorf("meeting %d: %v, want %v", i, got[i], want[i])
		}
	}
	w := Schedule{Start: time.Date(2026, 3, 3, 18, 0, 0, 0, loc), TZ: "Europe/Oslo", RRule: "FREQ=WEEKLY;BYDAY=TU,TU"}
	if got := w.Next(time.Date(2026, 3, 1, 0, 0, 0, 0, loc), 2); len(got) != 2 || !got[1].Equal(time.Date(2026, 3, 10, 18, 0, 0, 0, loc)) {
		t.Errorf("weekly TU,TU: %v", got)
	}
}
