package meetingguide_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/meetingguide"
)

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The embedded copy of types.json (testdata/SOURCE.md says where it comes
// from) is read whole.
func TestTypesRead(t *testing.T) {
	if len(meetingguide.TypeNames) < 80 || meetingguide.TypeNames["O"]["en"] != "Open" {
		t.Fatalf("types.json read wrongly: %d codes", len(meetingguide.TypeNames))
	}
}

// proposed-new.example.json proposes type codes that are not (yet) in
// types.json: it reads as type names, and a feed using them has them
// reported, not dropped.
func TestProposedTypesExample(t *testing.T) {
	var proposed map[string]map[string]string
	if err := json.Unmarshal(readFile(t, "testdata/proposed-new.example.json"), &proposed); err != nil {
		t.Fatal(err)
	}
	if len(proposed) == 0 {
		t.Fatal("no proposed types")
	}
	for code, names := range proposed {
		if meetingguide.KnownType(code) {
			t.Errorf("%s is proposed but already known", code)
		}
		if names["en"] == "" {
			t.Errorf("%s has no English name", code)
		}
		feed := `[{"name":"M","slug":"m","day":1,"time":"19:00","conference_url":"https://x.example/1","types":["O",` + quote(code) + `]}]`
		ms, problems, err := meetingguide.Parse(strings.NewReader(feed), 1<<20)
		if err != nil || len(ms) != 1 {
			t.Fatalf("%s: %v, %d meetings", code, err, len(ms))
		}
		if !slices.Contains(ms[0].Types, code) || !hasProblem(problems, "types", code) {
			t.Errorf("%s: types %v, problems %v", code, ms[0].Types, problems)
		}
	}
}

func quote(s string) string { b, _ := json.Marshal(s); return string(b) }

func hasProblem(ps []meetingguide.Problem, field, contains string) bool {
	for _, p := range ps {
		if p.Field == field && strings.Contains(p.Reason, contains) {
			return true
		}
	}
	return false
}

func TestParseExample(t *testing.T) {
	ms, problems, err := meetingguide.Parse(bytes.NewReader(readFile(t, "testdata/feed-example.json")), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	var slugs []string
	for _, m := range ms {
		slugs = append(slugs, m.Slug)
	}
	if want := []string{"sondagsmotet-7", "evening-big-book", "online-morgen", "etter-avtale"}; !slices.Equal(slugs, want) {
		t.Fatalf("slugs %v, want %v", slugs, want)
	}
	first := ms[0]
	if !slices.Equal(first.Days, []time.Weekday{time.Sunday}) || first.Time != "18:00" || first.EndTime != "19:30" ||
		first.TimeZone != "Europe/Oslo" || !first.HasCoordinates || first.Latitude != 69.9689 ||
		first.Updated != time.Date(2026, 5, 31, 14, 32, 23, 0, time.UTC) || first.Regions[0] != "Alta" {
		t.Errorf("first meeting read wrongly: %+v", first)
	}
	bb := ms[1]
	if !slices.Equal(bb.Days, []time.Weekday{time.Monday, time.Wednesday, time.Friday}) || bb.Time != "19:00" || bb.EndTime != "20:15" {
		t.Errorf("days/time of a 12-hour meeting: %v %s–%s", bb.Days, bb.Time, bb.EndTime)
	}
	if !slices.Equal(bb.Types, []string{"C", "EN", "B"}) || bb.Longitude != 18.956 || !slices.Equal(bb.Regions, []string{"Troms", "Tromsø"}) {
		t.Errorf("types/coordinates/regions as texts: %v %v %v", bb.Types, bb.Longitude, bb.Regions)
	}
	if ms[2].Time != "08:00" || ms[2].Days[0] != time.Saturday || !ms[2].Online() {
		t.Errorf("online meeting: %+v", ms[2])
	}
	if len(ms[3].Days) != 0 || ms[3].Time != "" {
		t.Errorf("by appointment: %+v", ms[3])
	}
	for _, want := range []struct{ field, reason string }{
		{"types", `"XYZ"`}, {"name", "missing"}, {"day", "0 (Sunday) to 6"},
	} {
		if !hasProblem(problems, want.field, want.reason) {
			t.Errorf("no problem %s %q in %v", want.field, want.reason, problems)
		}
	}
	if hasProblem(problems, "types", `"ONL"`) || hasProblem(problems, "types", `"B"`) {
		t.Errorf("known codes reported: %v", problems)
	}
}

func TestParseClock(t *testing.T) {
	for in, want := range map[string]string{
		"19:00": "19:00", "7:00 PM": "19:00", "7 pm": "19:00", "12:30 AM": "00:30", "12:00 PM": "12:00",
		"07:05": "07:05", "19:00:00": "19:00", "noon": "12:00", "24:00": "00:00", "9:15a.m.": "09:15",
	} {
		feed := `[{"name":"M","slug":"m","day":1,"time":` + quote(in) + `}]`
		ms, _, err := meetingguide.Parse(strings.NewReader(feed), 1<<10)
		if err != nil || len(ms) != 1 || ms[0].Time != want {
			t.Errorf("%q: %v %v, want %s", in, ms, err, want)
		}
	}
	for _, bad := range []string{"25:00", "7:61", "13 PM", "0 AM", "seven", "1:2:3:4", ":30"} {
		feed := `[{"name":"M","slug":"m","day":1,"time":` + quote(bad) + `}]`
		ms, problems, err := meetingguide.Parse(strings.NewReader(feed), 1<<10)
		if err != nil || len(ms) != 0 || !hasProblem(problems, "time", "not a time") {
			t.Errorf("%q: %v %v %v", bad, ms, problems, err)
		}
	}
}

func TestParseRefusesWholeFeeds(t *testing.T) {
	for name, in := range map[string]string{
		"not json": "<html>", "object": `{"meetings":[]}`, "cut": `[{"name":"a","slug":"a"}`, "empty": "",
		"trailing": `[] x`,
	} {
		if _, _, err := meetingguide.Parse(strings.NewReader(in), 1<<10); !errors.Is(err, meetingguide.ErrNotFeed) {
			t.Errorf("%s: %v", name, err)
		}
	}
	big := "[" + strings.Repeat(`{"name":"a","slug":"a"},`, 1000) + `{"name":"b","slug":"b"}]`
	if _, _, err := meetingguide.Parse(strings.NewReader(big), 1000); !errors.Is(err, meetingguide.ErrTooLarge) {
		t.Errorf("large feed: %v", err)
	}
	ms, problems, err := meetingguide.Parse(strings.NewReader(`[1, {"name":"a","slug":"a"}, {"name":"b","slug":"a"}]`), 1<<10)
	if err != nil || len(ms) != 1 || len(problems) != 2 {
		t.Errorf("bad entries: %v %v %v", ms, problems, err)
	}
}

func TestToGroups(t *testing.T) {
	ms, _, err := meetingguide.Parse(bytes.NewReader(readFile(t, "testdata/feed-example.json")), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 9, 7, 12, 0, 0, 0, time.UTC) // a Monday
	muni := map[string]string{"Alta": "5601", "Tromsø": "5501"}
	ims, problems := meetingguide.ToGroups(ms, meetingguide.ImportOptions{Source: "feed-1", ModelID: "m1", OrgID: "o1", Now: now,
		Municipality: func(regions []string, city string) string {
			if len(regions) > 0 {
				return muni[regions[len(regions)-1]]
			}
			return muni[city]
		}})
	if len(ims) != 4 {
		t.Fatalf("%d imported", len(ims))
	}
	a := ims[0]
	if a.Key != "feed-1#sondagsmotet-7" || a.Group.Format != domain.FormatInPerson || a.Group.MunicipalityID != "5601" ||
		!a.HasVenue || a.Venue.Street != "Kirkegata 5" || !a.Venue.StepFree || !a.Venue.AddressPublic ||
		!slices.Equal(a.Group.Languages, []string{"nb"}) || !slices.Equal(a.UnmappedTypes, []string{"B"}) ||
		a.Group.Join != domain.JoinJustCome {
		t.Errorf("first: %+v", a)
	}
	s := a.Group.Schedule
	if s.RRule != "FREQ=WEEKLY;BYDAY=SU" || s.DurationMin != 90 || s.LocalStart().Format("Mon 2006-01-02 15:04") != "Sun 2026-09-13 18:00" {
		t.Errorf("schedule: %+v (%s)", s, s.LocalStart())
	}
	b := ims[1]
	if b.Group.Format != domain.FormatHybrid || !b.ClosedMeeting || b.Group.Schedule.RRule != "FREQ=WEEKLY;BYDAY=MO,WE,FR" ||
		!slices.Equal(b.Group.Languages, []string{"en"}) || b.Venue.Street != "Storgata 73" || b.Group.MunicipalityID != "5501" {
		t.Errorf("second: %+v", b)
	}
	if ims[2].Group.Format != domain.FormatVideo || ims[2].HasVenue || ims[2].ConferenceURL == "" {
		t.Errorf("online: %+v", ims[2])
	}
	if !ims[3].Group.Schedule.Start.IsZero() || !hasProblem(problems, "day", "by appointment") {
		t.Errorf("by appointment: %+v %v", ims[3].Group.Schedule, problems)
	}
	if !hasProblem(problems, "types", `"XYZ"`) {
		t.Errorf("unknown type not reported: %v", problems)
	}
}
