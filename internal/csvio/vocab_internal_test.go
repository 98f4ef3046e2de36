package csvio

import (
	"testing"
	"time"
)

func TestParseFrequency(t *testing.T) {
	tu := []time.Weekday{time.Tuesday}
	for in, want := range map[string]string{
		"":                         "FREQ=WEEKLY;BYDAY=TU",
		"Ukentlig":                 "FREQ=WEEKLY;BYDAY=TU",
		"annenhver uke":            "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU",
		"hver 3. uke":              "FREQ=WEEKLY;INTERVAL=3;BYDAY=TU",
		"every 2 weeks":            "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU",
		"1st tuesday of the month": "FREQ=MONTHLY;BYDAY=1TU",
		"1. tirsdag i måneden":     "FREQ=MONTHLY;BYDAY=1TU",
		"siste fredag i måneden":   "FREQ=MONTHLY;BYDAY=-1FR",
		"2. tysdag i månaden":      "FREQ=MONTHLY;BYDAY=2TU",
		"once":                     "",
		"FREQ=WEEKLY;BYDAY=MO,TH":  "FREQ=WEEKLY;BYDAY=MO,TH",
	} {
		got, ok := parseFrequency(in, tu)
		if !ok || got != want {
			t.Errorf("%q: %q %v, want %q", in, got, ok, want)
		}
	}
	for _, bad := range []string{"now and then", "monthly", "FREQ=DAILY", "every 12 weeks"} {
		if got, ok := parseFrequency(bad, tu); ok {
			t.Errorf("%q read as %q", bad, got)
		}
	}
	// What the export writes reads back as the same rule.
	start := time.Date(2026, 3, 3, 18, 0, 0, 0, time.UTC)
	for _, r := range []string{"FREQ=WEEKLY;BYDAY=TU", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH", "FREQ=MONTHLY;BYDAY=-1TU", "FREQ=WEEKLY;COUNT=4"} {
		f, wd := frequencyText(r, start)
		days, ok := parseWeekdays(wd)
		got, ok2 := parseFrequency(f, days)
		if !ok || !ok2 || got != r {
			t.Errorf("%q → %q, %q → %q", r, f, wd, got)
		}
	}
}

func TestParseCells(t *testing.T) {
	for in, want := range map[string]int{"90": 90, "90 min": 90, "1,5 t": 90, "1.5 h": 90, "1:30": 90, "2 timer": 120} {
		if got, ok := parseLength(in); !ok || got != want {
			t.Errorf("length %q: %d %v", in, got, ok)
		}
	}
	for in, want := range map[string]int{"18:00": 1080, "18.30": 1110, "kl. 18": 1080, "0930": 570} {
		if h, m, ok := parseClock(in); !ok || h*60+m != want {
			t.Errorf("time %q: %d:%d %v", in, h, m, ok)
		}
	}
	if d, ok := parseWeekdays("mandag og torsdag"); !ok || len(d) != 2 || d[0] != time.Monday || d[1] != time.Thursday {
		t.Errorf("weekdays: %v %v", d, ok)
	}
	if _, _, _, ok := parseDate("29.2.2026"); ok {
		t.Error("29.2.2026 read as a date")
	}
}
