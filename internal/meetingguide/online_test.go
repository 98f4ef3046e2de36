package meetingguide_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/meetingguide"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/google/go-cmp/cmp"
)

// The importer reads how to join an online meeting into the group, by
// fellesrom's rules; what it cannot take it reports.
func TestImportOnline(t *testing.T) {
	feed := `[
{"name":"Video","slug":"video","day":1,"time":"19:00","conference_url":"https://video.example.org/j/456","conference_url_notes":"Passord:\n1234"},
{"name":"Telefon","slug":"telefon","day":2,"time":"19:00","conference_phone":"+47 21 00 00 00,,123#","conference_phone_notes":"PIN 123"},
{"name":"Begge","slug":"begge","day":3,"time":"19:00","conference_url":"https://video.example.org/j/9","conference_phone":"+4721000001","conference_phone_notes":"Ring inn"},
{"name":"Usikker","slug":"usikker","day":4,"time":"19:00","conference_url":"http://video.example.org/j/1","conference_phone":"ring oss"}
]`
	ms, problems, err := meetingguide.Parse(strings.NewReader(feed), 1<<20)
	if err != nil || len(problems) > 0 {
		t.Fatal(err, problems)
	}
	ims, problems := meetingguide.ToGroups(ms, meetingguide.ImportOptions{Source: "f", ModelID: "m", OrgID: "o",
		Now: time.Date(2026, 9, 7, 12, 0, 0, 0, time.UTC)})
	type online struct {
		Format            domain.Format
		URL, Phone, Notes string
	}
	var got []online
	for _, im := range ims {
		g := im.Group
		got = append(got, online{g.Format, g.OnlineURL, g.OnlinePhone, g.OnlineNotes})
	}
	want := []online{
		{domain.FormatVideo, "https://video.example.org/j/456", "", "Passord: 1234"},
		{domain.FormatTelephone, "", "+4721000000,,123#", "PIN 123"},
		{domain.FormatVideo, "https://video.example.org/j/9", "+4721000001", "Ring inn"},
		{domain.FormatVideo, "", "", ""},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("imported (-want +got):\n%s", d)
	}
	for i := range 3 {
		g := ims[i].Group
		g.Slug, g.Name, g.Languages = "x", domain.Text{"nb": "x"}, []string{"nb"}
		if err := store.ValidateGroup(&g); err != nil {
			t.Errorf("%s: %v", ims[i].Key, err)
		}
	}
	if !hasProblem(problems, "conference_url", "https") || !hasProblem(problems, "conference_phone", "telephone") {
		t.Errorf("problems %v", problems)
	}
}

// Round trip: open online groups written to the feed and imported again
// keep their link, number and note.
func TestOnlineRoundTrip(t *testing.T) {
	ms := []meetingguide.Meeting{
		{Slug: "v", Name: "V", Days: []time.Weekday{time.Monday}, Time: "19:00", ConferenceURL: "https://video.example.org/j/1",
			ConferenceURLNotes: "Passord: sol"},
		{Slug: "t", Name: "T", Days: []time.Weekday{time.Tuesday}, Time: "19:00", ConferencePhone: "+4721000000",
			ConferencePhoneNotes: "PIN 1234"},
	}
	var buf bytes.Buffer
	if err := meetingguide.Encode(&buf, base, ms); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"conference_url":"https://video.example.org/j/1","conference_url_notes":"Passord: sol"`) ||
		!strings.Contains(buf.String(), `"conference_phone":"+4721000000","conference_phone_notes":"PIN 1234"`) {
		t.Fatalf("feed: %s", buf.String())
	}
	parsed, problems, err := meetingguide.Parse(&buf, 1<<20)
	if err != nil || len(problems) > 0 {
		t.Fatal(err, problems)
	}
	ims, problems := meetingguide.ToGroups(parsed, meetingguide.ImportOptions{Source: "f", Now: time.Now()})
	if len(problems) > 0 || len(ims) != 2 {
		t.Fatalf("%d imported, %v", len(ims), problems)
	}
	if g := ims[0].Group; g.OnlineURL != "https://video.example.org/j/1" || g.OnlineNotes != "Passord: sol" {
		t.Errorf("video: %q %q", g.OnlineURL, g.OnlineNotes)
	}
	if g := ims[1].Group; g.OnlinePhone != "+4721000000" || g.OnlineNotes != "PIN 1234" || g.Format != domain.FormatTelephone {
		t.Errorf("telephone: %q %q %s", g.OnlinePhone, g.OnlineNotes, g.Format)
	}
}
