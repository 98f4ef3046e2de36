package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"

	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// parseICS parses a feed with a real iCalendar parser.
func parseICS(t *testing.T, body string) *goical.Calendar {
	t.Helper()
	cal, err := goical.NewDecoder(strings.NewReader(body)).Decode()
	if err != nil {
		t.Fatalf("the feed does not parse: %v\n%s", err, body)
	}
	return cal
}

// nextStarts expands an event's recurrence from after on, as a calendar
// would, with its RRULE and EXDATEs.
func nextStarts(t *testing.T, ev goical.Event, after time.Time, n int) []time.Time {
	t.Helper()
	set, err := ev.RecurrenceSet(time.UTC)
	if err != nil || set == nil {
		t.Fatalf("recurrence: %v %v", set, err)
	}
	var out []time.Time
	it := set.Iterator()
	for len(out) < n {
		x, ok := it()
		if !ok {
			break
		}
		if x.After(after) {
			out = append(out, x)
		}
	}
	return out
}

func TestGroupFeeds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := setup(t, st)
		oslo, _ := time.LoadLocation("Europe/Oslo")

		// The open group's feed, in English: its name, its public address,
		// the meetings on the first Monday of the month at 18.00 Oslo
		// time on both sides of the change to summer time (29 March 2026).
		w := f.do(t, "GET", "/en/gruppe/"+f.open.Slug+"/kalender.ics")
		if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/calendar") {
			t.Fatalf("open group's feed: %d %s", w.Code, w.Header().Get("Content-Type"))
		}
		body := w.Body.String()
		if !strings.Contains(body, "BEGIN:VTIMEZONE") || !strings.Contains(body, "TZID:Europe/Oslo") {
			t.Errorf("no VTIMEZONE:\n%s", body)
		}
		cal := parseICS(t, body)
		evs := cal.Events()
		if len(evs) != 1 {
			t.Fatalf("%d events", len(evs))
		}
		ev := evs[0]
		if s, _ := ev.Props.Text(goical.PropSummary); s != "Open test meeting" {
			t.Errorf("summary %q", s)
		}
		if loc, _ := ev.Props.Text(goical.PropLocation); !strings.Contains(loc, openStreet) {
			t.Errorf("location %q lacks the public street", loc)
		}
		if u := ev.Props.Get(goical.PropURL); u == nil || !strings.HasSuffix(u.Value, "/en/gruppe/"+f.open.Slug) {
			t.Errorf("URL %v", u)
		}
		got := nextStarts(t, ev, time.Date(2026, 2, 15, 0, 0, 0, 0, time.UTC), 2)
		want := []time.Time{time.Date(2026, 3, 2, 18, 0, 0, 0, oslo), time.Date(2026, 4, 6, 18, 0, 0, 0, oslo)}
		if len(got) != 2 || !got[0].Equal(want[0]) || !got[1].Equal(want[1]) {
			t.Errorf("next meetings %v, want %v", got, want)
		}
		if len(got) == 2 && (got[0].UTC().Hour() != 17 || got[1].UTC().Hour() != 16) {
			t.Errorf("the daylight-saving change is not kept: %v", got)
		}

		// ETag and 304; a change to the directory gives a new tag.
		etag := w.Header().Get("ETag")
		if etag == "" {
			t.Fatal("no ETag")
		}
		if w := f.do(t, "GET", "/en/gruppe/"+f.open.Slug+"/kalender.ics", "If-None-Match", etag); w.Code != 304 || w.Body.Len() != 0 {
			t.Errorf("If-None-Match: %d", w.Code)
		}
		if w := f.do(t, "GET", "/gruppe/"+f.open.Slug+"/kalender.ics", "If-None-Match", etag); w.Code != 200 {
			t.Errorf("another language has the same tag: %d", w.Code)
		}
		g := f.open
		g.Schedule.ExDates = []time.Time{time.Date(2026, 4, 6, 18, 0, 0, 0, oslo).UTC()}
		if err := st.SaveGroup(context.Background(), &g, "test", ""); err != nil {
			t.Fatal(err)
		}
		w = f.do(t, "GET", "/en/gruppe/"+f.open.Slug+"/kalender.ics", "If-None-Match", etag)
		if w.Code != 200 || w.Header().Get("ETag") == etag {
			t.Fatalf("after a change: %d %q", w.Code, w.Header().Get("ETag"))
		}
		if !strings.Contains(w.Body.String(), "EXDATE") {
			t.Errorf("no EXDATE:\n%s", w.Body.String())
		}
		got = nextStarts(t, parseICS(t, w.Body.String()).Events()[0], time.Date(2026, 2, 15, 0, 0, 0, 0, time.UTC), 2)
		if len(got) != 2 || !got[1].Equal(time.Date(2026, 5, 4, 18, 0, 0, 0, oslo)) {
			t.Errorf("with a cancelled meeting on 6 April: %v", got)
		}

		// A closed group has no public calendar; neither has an unknown one.
		for _, target := range []string{"/gruppe/" + f.closed.Slug + "/kalender.ics", "/gruppe/finnes-ikke/kalender.ics",
			"/organisasjon/finnes-ikke/grupper.ics"} {
			if w := f.do(t, "GET", target); w.Code != 404 {
				t.Errorf("%s: %d", target, w.Code)
			}
		}

		// The house's feed: the open group only, never the closed group
		// or its street.
		w = f.do(t, "GET", "/organisasjon/"+f.house.Slug+"/grupper.ics")
		if w.Code != 200 {
			t.Fatalf("house feed: %d", w.Code)
		}
		body = w.Body.String()
		for _, no := range []string{closedStreet, "Lukketstua", "Pårørendegruppe", f.closed.ID, f.ended.ID} {
			if strings.Contains(body, no) {
				t.Errorf("the house's feed shows %q", no)
			}
		}
		evs = parseICS(t, body).Events()
		if len(evs) != 1 {
			t.Fatalf("house feed: %d events", len(evs))
		}
		if s, _ := evs[0].Props.Text(goical.PropSummary); s != "Åpent testmøte" {
			t.Errorf("house feed summary %q", s)
		}
		if w := f.do(t, "GET", "/organisasjon/"+f.house.Slug+"/grupper.ics", "If-None-Match", w.Header().Get("ETag")); w.Code != 304 {
			t.Errorf("house feed If-None-Match: %d", w.Code)
		}
		// Every organisation of the demo set: the feed parses, and holds
		// no group whose address is hidden with its street.
		orgs, err := st.Organisations(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, o := range orgs {
			w := f.do(t, "GET", "/organisasjon/"+o.Slug+"/grupper.ics")
			if w.Code != 200 {
				t.Errorf("%s: %d", o.Slug, w.Code)
				continue
			}
			n += len(parseICS(t, w.Body.String()).Events())
		}
		if n < 5 {
			t.Errorf("the demo houses' feeds hold only %d groups", n)
		}
	})
}
