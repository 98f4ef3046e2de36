package web

import (
	"strings"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/i18n"
)

func oslo(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestScheduleWords(t *testing.T) {
	loc := oslo(t)
	cat := i18n.DefaultCatalog()
	// Tuesday 1 September 2026, 18.00 in Oslo.
	tue := time.Date(2026, 9, 1, 18, 0, 0, 0, loc).UTC()
	thu := time.Date(2026, 9, 3, 10, 0, 0, 0, loc).UTC()
	mon := time.Date(2026, 9, 7, 19, 0, 0, 0, loc).UTC()
	for _, tc := range []struct {
		name string
		s    domain.Schedule
		want map[string]string
	}{
		{"weekly", domain.Schedule{Start: tue, DurationMin: 90, RRule: "FREQ=WEEKLY;BYDAY=TU"}, map[string]string{
			"nb": "Hver tirsdag kl. 18.00–19.30", "nn": "Kvar tysdag kl. 18.00–19.30", "en": "Every Tuesday, 18:00–19:30"}},
		{"weekly without BYDAY", domain.Schedule{Start: tue, DurationMin: 90, RRule: "FREQ=WEEKLY"}, map[string]string{
			"nb": "Hver tirsdag kl. 18.00–19.30"}},
		{"every other week", domain.Schedule{Start: thu, DurationMin: 90, RRule: "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH"}, map[string]string{
			"nb": "Annenhver torsdag kl. 10.00–11.30", "nn": "Annakvar torsdag kl. 10.00–11.30", "en": "Every other Thursday, 10:00–11:30"}},
		{"every third week", domain.Schedule{Start: thu, DurationMin: 60, RRule: "FREQ=WEEKLY;INTERVAL=3;BYDAY=TH"}, map[string]string{
			"nb": "Hver 3. uke, torsdag kl. 10.00–11.00", "en": "Every 3 weeks on Thursday, 10:00–11:00"}},
		{"two days a week", domain.Schedule{Start: mon, DurationMin: 60, RRule: "FREQ=WEEKLY;BYDAY=TH,MO"}, map[string]string{
			"nb": "Hver mandag og torsdag kl. 19.00–20.00", "en": "Every Monday and Thursday, 19:00–20:00"}},
		{"three days a week", domain.Schedule{Start: mon, RRule: "FREQ=WEEKLY;BYDAY=MO,WE,FR"}, map[string]string{
			"nb": "Hver mandag, onsdag og fredag kl. 19.00", "en": "Every Monday, Wednesday and Friday at 19:00"}},
		{"first Monday", domain.Schedule{Start: mon, RRule: "FREQ=MONTHLY;BYDAY=1MO"}, map[string]string{
			"nb": "Første mandag i måneden kl. 19.00", "nn": "Første måndag i månaden kl. 19.00", "en": "First Monday of the month at 19:00"}},
		{"last Thursday", domain.Schedule{Start: thu, DurationMin: 90, RRule: "FREQ=MONTHLY;BYDAY=-1TH"}, map[string]string{
			"nb": "Siste torsdag i måneden kl. 10.00–11.30", "en": "Last Thursday of the month, 10:00–11:30"}},
		{"first and third Monday", domain.Schedule{Start: mon, RRule: "FREQ=MONTHLY;BYDAY=3MO,1MO"}, map[string]string{
			"nb": "Første og tredje mandag i måneden kl. 19.00"}},
		{"first Monday and last Thursday", domain.Schedule{Start: mon, RRule: "FREQ=MONTHLY;BYDAY=1MO,-1TH"}, map[string]string{
			"nb": "Første mandag og siste torsdag i måneden kl. 19.00"}},
		{"every other month", domain.Schedule{Start: mon, RRule: "FREQ=MONTHLY;INTERVAL=2;BYDAY=2MO"}, map[string]string{
			"nb": "Andre mandag hver 2. måned kl. 19.00"}},
		{"until", domain.Schedule{Start: tue, DurationMin: 90, RRule: "FREQ=WEEKLY;BYDAY=TU;UNTIL=20261215T230000Z"}, map[string]string{
			"nb": "Hver tirsdag kl. 18.00–19.30, til og med 16. desember 2026", "en": "Every Tuesday, 18:00–19:30, until 16 December 2026"}},
		{"count", domain.Schedule{Start: tue, DurationMin: 90, RRule: "FREQ=WEEKLY;BYDAY=TU;COUNT=8"}, map[string]string{
			"nb": "Hver tirsdag kl. 18.00–19.30, 8 ganger i alt"}},
		{"once", domain.Schedule{Start: tue, DurationMin: 90}, map[string]string{
			"nb": "Én gang: tirsdag 1. september 2026 kl. 18.00–19.30", "en": "Once: Tuesday 1 September 2026 at 18:00–19:30"}},
		{"not set", domain.Schedule{}, map[string]string{
			"nb": "Tidspunktet er ikke bestemt ennå.", "en": "The time has not been set yet."}},
	} {
		for lang, want := range tc.want {
			got := ScheduleWords(cat, lang, tc.s)
			if got.Text != want || got.Lang != lang {
				t.Errorf("%s in %s: %q (%s), want %q", tc.name, lang, got.Text, got.Lang, want)
			}
		}
	}
}

// A Sami page says a schedule in one language: Sami, now that the
// catalogue has the Sami sentence patterns; never a Bokmål word in it.
func TestScheduleWordsInSami(t *testing.T) {
	loc := oslo(t)
	cat := i18n.DefaultCatalog()
	s := domain.Schedule{Start: time.Date(2026, 9, 1, 18, 0, 0, 0, loc), DurationMin: 90, RRule: "FREQ=WEEKLY;BYDAY=TU"}
	got := ScheduleWords(cat, "se", s)
	if got.Text != "Juohke vahku: maŋŋebárga, dii. 18.00–19.30" || got.Lang != "se" {
		t.Errorf("se: %+v", got)
	}
	ms := nextMeetings(cat, "se", s, time.Date(2026, 9, 2, 0, 0, 0, 0, loc), 1)
	if len(ms) != 1 || ms[0].Phrase.Text != "Maŋŋebárga 8. čakčamánnu 2026 dii. 18.00" || ms[0].Phrase.Lang != "se" {
		t.Errorf("se next: %+v", ms)
	}
	for _, nb := range []string{"tirsdag", "Tirsdag", "september", "kl."} {
		if strings.Contains(got.Text, nb) || len(ms) == 1 && strings.Contains(ms[0].Phrase.Text, nb) {
			t.Errorf("a Bokmål word %q in a Sami sentence", nb)
		}
	}
}

func TestNextMeetings(t *testing.T) {
	loc := oslo(t)
	cat := i18n.DefaultCatalog()
	s := domain.Schedule{Start: time.Date(2026, 9, 3, 10, 0, 0, 0, loc).UTC(), DurationMin: 90,
		RRule: "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH"}
	from := time.Date(2026, 10, 20, 12, 0, 0, 0, loc)
	got := nextMeetings(cat, "nb", s, from, 3)
	want := []string{"Torsdag 29. oktober 2026 kl. 10.00", "Torsdag 12. november 2026 kl. 10.00", "Torsdag 26. november 2026 kl. 10.00"}
	if len(got) != 3 {
		t.Fatalf("got %d meetings", len(got))
	}
	for i := range want {
		if got[i].Phrase.Text != want[i] {
			t.Errorf("meeting %d: %q, want %q", i, got[i].Phrase.Text, want[i])
		}
	}
	// Summer time ends on 25 October: the meeting stays at 10.00 local time.
	if got[0].Datetime != "2026-10-29T10:00+01:00" {
		t.Errorf("datetime %q", got[0].Datetime)
	}
	en := nextMeetings(cat, "en", s, from, 1)
	if en[0].Phrase.Text != "Thursday 29 October 2026 at 10:00" {
		t.Errorf("en: %q", en[0].Phrase.Text)
	}
}

func TestValidSlug(t *testing.T) {
	for s, want := range map[string]bool{"sorggruppe-tromso": true, "a": true, "": false, "Sorg": false, "x y": false,
		"../etc": false, "sorg%20": false, "æøå": false, "0b8c1c2e-7d1f-4b7e-9d42-1f6c2b3a4d5e": true} {
		if got := validSlug(s); got != want {
			t.Errorf("validSlug(%q) = %v", s, got)
		}
	}
	long := make([]byte, 121)
	for i := range long {
		long[i] = 'a'
	}
	if validSlug(string(long)) {
		t.Error("a 121-character slug is valid")
	}
}
