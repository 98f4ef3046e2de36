package meetingguide_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/finder"
	"github.com/fellesrom/fellesrom/internal/meetingguide"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
	"github.com/fellesrom/fellesrom/internal/testdb"
	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

func TestMain(m *testing.M) { testdb.Main(m) }

const base = "https://fellesrom.example"

type world struct {
	st     *store.Store
	groups map[string]*domain.Group
}

// build makes a directory with open meetings and everything that must stay
// out of the feed: closed groups (also a closed video group's link), a
// hidden address, an online meeting with neither link nor number, paused
// and ended groups. The secrets are words that must never appear in the feed.
func build(t *testing.T, st *store.Store) *world {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	w := &world{st: st, groups: map[string]*domain.Group{}}
	closed := domain.Model{Slug: "selvhjelp-norge", Name: domain.Text{"nb": "Selvhjelpsgruppe"}, Intake: domain.IntakeClosed, Leadership: domain.LeadStarter, DefaultJoin: domain.JoinViaHouse, SortOrder: 1}
	open := domain.Model{Slug: "tolv-trinn", Name: domain.Text{"nb": "Tolvtrinnsmøte"}, Intake: domain.IntakeOpen, Leadership: domain.LeadChair, DefaultJoin: domain.JoinJustCome, SortOrder: 2}
	must(st.SaveModel(ctx, &closed))
	must(st.SaveModel(ctx, &open))
	house := domain.Organisation{Kind: domain.OrgSelfHelpHouse, Slug: "selvhjelpshuset-tromso", Name: "Selvhjelpshuset Tromsø"}
	aa := domain.Organisation{Kind: domain.OrgFellowship, Slug: "aa-norge", Name: "Anonyme Alkoholikere"}
	must(st.SaveOrganisation(ctx, &house))
	must(st.SaveOrganisation(ctx, &aa))
	houseVenue := domain.Venue{OrgID: house.ID, Name: "Huset", Street: "Husgata 73", PostalCode: "9008", City: "Tromsø", MunicipalityID: "5501",
		Lat: 69.6496, Lon: 18.956, HasCoordinates: true, AddressPublic: true}
	aaVenue := domain.Venue{OrgID: aa.ID, Name: "Kirkestua", Street: "Kirkegata 5", PostalCode: "9510", City: "Alta", MunicipalityID: "5601",
		Lat: 69.9689, Lon: 23.2716, HasCoordinates: true, AddressPublic: true, StepFree: true, AccessibleToilet: true,
		Directions: domain.Text{"nb": "Inngang fra baksiden."}}
	hidden := domain.Venue{OrgID: aa.ID, Name: "Hemmelighuset", Street: "Hemmeligveien 2", City: "Oslo", MunicipalityID: "0301",
		Lat: 59.91, Lon: 10.75, HasCoordinates: true}
	for _, v := range []*domain.Venue{&houseVenue, &aaVenue, &hidden} {
		must(st.SaveVenue(ctx, v))
	}
	loc, _ := time.LoadLocation("Europe/Oslo")
	at := func(day, hour int, rule string) domain.Schedule {
		return domain.Schedule{Start: time.Date(2026, 9, day, hour, 30, 0, 0, loc), DurationMin: 90, TZ: "Europe/Oslo", RRule: rule}
	}
	add := func(g domain.Group) {
		t.Helper()
		if g.AgeGroup == "" {
			g.AgeGroup, g.Gender = domain.AgeAdults, domain.GenderEveryone
		}
		if len(g.Languages) == 0 {
			g.Languages = []string{"nb"}
		}
		if g.Status == "" {
			g.Status = domain.StatusRunning
		}
		g.TakesNewMembers = true
		must(st.SaveGroup(ctx, &g, "test", ""))
		w.groups[g.Slug] = &g
	}
	// 2026-09-07 is a Monday.
	add(domain.Group{Slug: "al-anon-alta", Name: domain.Text{"nb": "Al-Anon Alta"}, Description: domain.Text{"nb": "Åpent møte for pårørende."},
		ModelID: open.ID, OrgID: aa.ID, Format: domain.FormatInPerson, Join: domain.JoinJustCome, Schedule: at(10, 19, "FREQ=WEEKLY"),
		VenueID: aaVenue.ID, MunicipalityID: "5601", Languages: []string{"nb", "se", "en"}, Gender: domain.GenderWomen, AgeGroup: domain.AgeYoungAdults})
	add(domain.Group{Slug: "aa-tromso", Name: domain.Text{"nb": "AA Tromsø", "en": "AA Tromsø"},
		ModelID: open.ID, OrgID: aa.ID, Format: domain.FormatHybrid, Join: domain.JoinJustCome, Schedule: at(7, 18, "FREQ=WEEKLY;BYDAY=MO,TH"),
		VenueID: houseVenue.ID, MunicipalityID: "5501", OnlineURL: "https://video.example.org/j/77"})
	// Open online meetings: in the feed with their link or number, no address.
	add(domain.Group{Slug: "aa-video", Name: domain.Text{"nb": "AA på video"},
		ModelID: open.ID, OrgID: aa.ID, Format: domain.FormatVideo, Join: domain.JoinJustCome, Schedule: at(11, 12, "FREQ=WEEKLY"),
		MunicipalityID: "0301", OnlineURL: "https://video.example.org/j/123", OnlineNotes: "Passord: sol"})
	add(domain.Group{Slug: "aa-telefon", Name: domain.Text{"nb": "AA på telefon"},
		ModelID: open.ID, OrgID: aa.ID, Format: domain.FormatTelephone, Join: domain.JoinJustCome, Schedule: at(12, 20, "FREQ=WEEKLY"),
		MunicipalityID: "5601", OnlinePhone: "+47 21 00 00 00", OnlineNotes: "PIN 1234"})
	// Out of the feed:
	add(domain.Group{Slug: "sorggruppe-hemmelig1", Name: domain.Text{"nb": "Sorggruppe hemmelig1"}, Description: domain.Text{"nb": "hemmelig1"},
		ModelID: closed.ID, OrgID: house.ID, Format: domain.FormatInPerson, Join: domain.JoinViaHouse, Schedule: at(8, 18, "FREQ=WEEKLY"),
		VenueID: houseVenue.ID, MunicipalityID: "5501"})
	add(domain.Group{Slug: "lukket-apen-hemmelig2", Name: domain.Text{"nb": "hemmelig2"},
		ModelID: closed.ID, OrgID: house.ID, Format: domain.FormatInPerson, Join: domain.JoinJustCome, Schedule: at(8, 18, "FREQ=WEEKLY"),
		VenueID: houseVenue.ID, MunicipalityID: "5501"})
	add(domain.Group{Slug: "aa-oslo-hemmelig3", Name: domain.Text{"nb": "AA hemmelig3"},
		ModelID: open.ID, OrgID: aa.ID, Format: domain.FormatInPerson, Join: domain.JoinJustCome, Schedule: at(11, 12, "FREQ=WEEKLY"),
		VenueID: hidden.ID, MunicipalityID: "0301"})
	add(domain.Group{Slug: "video-hemmelig4", Name: domain.Text{"nb": "hemmelig4"},
		ModelID: closed.ID, OrgID: house.ID, Format: domain.FormatVideo, Join: domain.JoinViaHouse, Schedule: at(11, 12, "FREQ=WEEKLY"),
		MunicipalityID: "5501", OnlineURL: "https://video.example.org/j/hemmelig4", OnlinePhone: "+4721999999"})
	add(domain.Group{Slug: "aa-notat-hemmelig7", Name: domain.Text{"nb": "hemmelig7"},
		ModelID: open.ID, OrgID: aa.ID, Format: domain.FormatTelephone, Join: domain.JoinJustCome, Schedule: at(11, 12, "FREQ=WEEKLY"),
		MunicipalityID: "0301", OnlineNotes: "Ring huset for nummer"})
	add(domain.Group{Slug: "aa-pause-hemmelig5", Name: domain.Text{"nb": "hemmelig5"}, Status: domain.StatusPaused,
		ModelID: open.ID, OrgID: aa.ID, Format: domain.FormatInPerson, Join: domain.JoinJustCome, Schedule: at(11, 12, "FREQ=WEEKLY"),
		VenueID: aaVenue.ID, MunicipalityID: "5601"})
	add(domain.Group{Slug: "aa-slutt-hemmelig6", Name: domain.Text{"nb": "hemmelig6"}, Status: domain.StatusEnded,
		ModelID: open.ID, OrgID: aa.ID, Format: domain.FormatInPerson, Join: domain.JoinJustCome, Schedule: at(11, 12, "FREQ=WEEKLY"),
		VenueID: aaVenue.ID, MunicipalityID: "5601"})
	return w
}

func newFeed(st *store.Store) http.Handler {
	return meetingguide.NewFeed(st, finder.New(st), func(*http.Request) (string, error) { return base, nil },
		func(_ *http.Request, err error) { panic(err) })
}

func get(t *testing.T, h http.Handler, etag string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, meetingguide.Path, nil)
	if etag != "" {
		r.Header.Set("If-None-Match", etag)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

func compileSchema(t testing.TB) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(readFile(t, "testdata/meeting-guide.schema.json")))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource("meeting-guide.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("meeting-guide.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

func validate(t *testing.T, sch *jsonschema.Schema, body []byte) {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(v); err != nil {
		t.Fatalf("the feed does not validate: %v", err)
	}
}

func TestFeed(t *testing.T) {
	sch := compileSchema(t)
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := build(t, st)
		h := newFeed(st)
		rec := get(t, h, "")
		if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
			t.Fatalf("status %d, %s", rec.Code, rec.Header().Get("Content-Type"))
		}
		body := rec.Body.Bytes()
		validate(t, sch, body)
		ms, problems, err := meetingguide.Parse(bytes.NewReader(body), 1<<20)
		if err != nil || len(problems) > 0 {
			t.Fatalf("parse own feed: %v %v", err, problems)
		}
		var slugs []string
		for _, m := range ms {
			slugs = append(slugs, m.Slug)
		}
		slices.Sort(slugs)
		// One entry per weekday of a group meeting on several days.
		if want := []string{"aa-telefon", "aa-tromso-mo", "aa-tromso-th", "aa-video", "al-anon-alta"}; !slices.Equal(slugs, want) {
			t.Fatalf("slugs %v, want %v", slugs, want)
		}
		for _, secret := range []string{"hemmelig", "Hemmelig"} {
			if bytes.Contains(body, []byte(secret)) {
				t.Fatalf("the feed shows %q", secret)
			}
		}
		var alta meetingguide.Meeting
		for _, m := range ms {
			if m.Slug == "al-anon-alta" {
				alta = m
			}
		}
		g := w.groups["al-anon-alta"]
		want := meetingguide.Meeting{Slug: "al-anon-alta", Name: "Al-Anon Alta", Days: []time.Weekday{time.Thursday},
			Time: "19:30", EndTime: "21:00", TimeZone: "Europe/Oslo", Types: []string{"EN", "NO", "O", "W", "X", "XB", "Y"},
			Location: "Kirkestua", FormattedAddress: "Kirkegata 5, 9510 Alta, Norway", Address: "Kirkegata 5", City: "Alta",
			PostalCode: "9510", Country: "NO", Latitude: 69.9689, Longitude: 23.2716, HasCoordinates: true, Regions: []string{"Alta"},
			Notes: "Åpent møte for pårørende.", LocationNotes: "Inngang fra baksiden.", Group: "Anonyme Alkoholikere",
			Updated: g.UpdatedAt.UTC().Truncate(time.Second), URL: base + "/gruppe/al-anon-alta"}
		if d := cmp.Diff(want, alta); d != "" {
			t.Errorf("al-anon-alta (-want +got):\n%s", d)
		}
		// Online meetings carry how to join, and no place.
		bySlug := map[string]meetingguide.Meeting{}
		for _, m := range ms {
			bySlug[m.Slug] = m
		}
		online := []struct{ slug, url, urlNotes, phone, phoneNotes, address string }{
			{"aa-video", "https://video.example.org/j/123", "Passord: sol", "", "", ""},
			{"aa-telefon", "", "", "+4721000000", "PIN 1234", ""},
			{"aa-tromso-mo", "https://video.example.org/j/77", "", "", "", "Husgata 73, 9008 Tromsø, Norway"},
		}
		for _, o := range online {
			m := bySlug[o.slug]
			got := []string{m.ConferenceURL, m.ConferenceURLNotes, m.ConferencePhone, m.ConferencePhoneNotes, m.FormattedAddress}
			if d := cmp.Diff([]string{o.url, o.urlNotes, o.phone, o.phoneNotes, o.address}, got); d != "" {
				t.Errorf("%s: how to join (-want +got):\n%s", o.slug, d)
			}
		}
		if m := bySlug["aa-telefon"]; m.Location != "" || m.HasCoordinates || len(m.Regions) != 1 || m.Regions[0] != "Alta" {
			t.Errorf("aa-telefon: place %q %v, regions %v", m.Location, m.HasCoordinates, m.Regions)
		}
		for _, m := range ms {
			for _, code := range m.Types {
				if !meetingguide.KnownType(code) {
					t.Errorf("%s: type %q not in types.json", m.Slug, code)
				}
			}
		}

		// 304 for the same version; a change gives a new ETag and content.
		tag := rec.Header().Get("ETag")
		if tag == "" {
			t.Fatal("no ETag")
		}
		if again := get(t, h, tag); again.Code != http.StatusNotModified || again.Body.Len() != 0 {
			t.Fatalf("If-None-Match: %d", again.Code)
		}
		g.Name = domain.Text{"nb": "Al-Anon Alta sentrum"}
		if err := st.SaveGroup(context.Background(), g, "test", ""); err != nil {
			t.Fatal(err)
		}
		changed := get(t, h, tag)
		if changed.Code != http.StatusOK || changed.Header().Get("ETag") == tag || !strings.Contains(changed.Body.String(), "Al-Anon Alta sentrum") {
			t.Fatalf("after a change: %d %s", changed.Code, changed.Header().Get("ETag"))
		}
		// A group that closes its meeting place leaves the feed at once.
		g.Join = domain.JoinViaHouse
		if err := st.SaveGroup(context.Background(), g, "test", ""); err != nil {
			t.Fatal(err)
		}
		if b := get(t, h, "").Body.String(); strings.Contains(b, "Kirkegata") || strings.Contains(b, "al-anon-alta") {
			t.Fatal("a group that is no longer open is still in the feed")
		}
	})
}

// Round trip: the meetings the feed is made of, written and parsed again,
// are the same meetings.
func TestRoundTrip(t *testing.T) {
	ms := []meetingguide.Meeting{
		{Slug: "a", Name: "A «møte» & <venner>", Days: []time.Weekday{time.Sunday}, Time: "07:05", EndTime: "08:00", TimeZone: "Europe/Oslo",
			Types: []string{"NO", "O"}, Location: "Huset", FormattedAddress: "Gata 1, 0150 Oslo, Norway", Latitude: 59.123456789, Longitude: -0.5,
			HasCoordinates: true, Regions: []string{"Oslo"}, Notes: "Linje 1\nLinje 2", Updated: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
			URL: "/gruppe/a"},
		{Slug: "b", Name: "B", Days: []time.Weekday{time.Monday, time.Saturday}, Time: "23:59", ConferenceURL: "https://v.example/1",
			ConferencePhone: "+4712345678", Regions: []string{"Vestland", "Bergen"}, Approximate: true, Entity: "AA", EntityURL: "https://aa.example"},
		{Slug: "c", Name: "C", FormattedAddress: "X"},
	}
	var buf bytes.Buffer
	if err := meetingguide.Encode(&buf, base, ms); err != nil {
		t.Fatal(err)
	}
	got, problems, err := meetingguide.Parse(&buf, 1<<20)
	if err != nil || len(problems) > 0 {
		t.Fatal(err, problems)
	}
	ms[0].URL = base + ms[0].URL
	if d := cmp.Diff(ms, got); d != "" {
		t.Errorf("round trip (-want +got):\n%s", d)
	}
}

func TestFeedMethods(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	h := newFeed(st)
	r := httptest.NewRequest(http.MethodPost, meetingguide.Path, nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", rec.Code)
	}
	rec = get(t, h, "")
	if b, _ := io.ReadAll(rec.Body); rec.Code != 200 || strings.TrimSpace(string(b)) != "[]" {
		t.Errorf("empty directory: %d %q", rec.Code, b)
	}
}
