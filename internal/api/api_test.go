package api_test

import (
	"bytes"
	"encoding/json"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	apispec "github.com/fellesrom/fellesrom/api"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// The shapes the tests read. The contract checks every field of every
// response; these pick out what an assertion needs.
type summaryJSON struct {
	ID              string            `json:"id"`
	Slug            string            `json:"slug"`
	Name            map[string]string `json:"name"`
	Status          string            `json:"status"`
	TakesNewMembers bool              `json:"takes_new_members"`
	Weekdays        []string          `json:"weekdays"`
	NextMeeting     *string           `json:"next_meeting"`
	Venue           *venueJSON        `json:"venue"`
	DistanceKm      *float64          `json:"distance_km"`
}

type venueJSON struct {
	Name   string   `json:"name"`
	Street string   `json:"street"`
	Lat    *float64 `json:"lat"`
	Lon    *float64 `json:"lon"`
}

type pageJSON struct {
	Total   int           `json:"total"`
	Page    int           `json:"page"`
	PerPage int           `json:"per_page"`
	Pages   int           `json:"pages"`
	Items   []summaryJSON `json:"items"`
	Links   struct {
		Self string `json:"self"`
		Next string `json:"next"`
		Prev string `json:"prev"`
	} `json:"links"`
}

func slugs(items []summaryJSON) []string {
	out := make([]string, 0, len(items))
	for _, it := range items {
		out = append(out, it.Slug)
	}
	return out
}

func sorted(xs []string) []string {
	out := slices.Clone(xs)
	slices.Sort(out)
	return out
}

// search runs a search that must succeed.
func search(t *testing.T, c *client, query string) pageJSON {
	t.Helper()
	target := "/api/v1/groups"
	if query != "" {
		target += "?" + query
	}
	r := c.get(target)
	if r.status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", target, r.status, clip(r.body, 500))
	}
	return decode[pageJSON](t, r)
}

// TestAPI runs the behaviour tests on each engine, on one fixture per
// engine (the subtests only read).
func TestAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := loadFixture(t, st)
		c := newClient(t, st)
		c.forbidden = secrets
		for _, tc := range []struct {
			name string
			fn   func(*testing.T, *client, *fixture)
		}{
			{"SearchFilters", testSearchFilters},
			{"SearchText", testSearchText},
			{"SearchNear", testSearchNear},
			{"Paging", testPaging},
			{"ClosedGroup", testClosedGroup},
			{"OpenMeeting", testOpenMeeting},
			{"EndedGroup", testEndedGroup},
			{"Organisations", testOrganisations},
			{"Taxonomy", testTaxonomy},
			{"Places", testPlaces},
			{"Contract", testContractServed},
			{"NotFound", testNotFound},
			{"BadParameters", testBadParameters},
			{"Methods", testMethods},
			{"Crawl", testCrawl},
		} {
			t.Run(tc.name, func(t *testing.T) { tc.fn(t, c.withT(t), f) })
		}
		if logs := c.logs.String(); strings.Contains(logs, "level=ERROR") {
			t.Errorf("errors logged:\n%s", logs)
		}
	})
}

func testSearchFilters(t *testing.T, c *client, f *fixture) {
	has := func(xs []string, x string) bool { return slices.Contains(xs, x) }
	muni := func(g *domain.Group) string { return g.MunicipalityID }
	days := func(g *domain.Group) []string {
		var out []string
		if g.Schedule.Start.IsZero() {
			return nil
		}
		for _, d := range g.Schedule.Weekdays() {
			out = append(out, []string{"su", "mo", "tu", "we", "th", "fr", "sa"}[d])
		}
		return out
	}
	tod := func(g *domain.Group) string {
		if g.Schedule.Start.IsZero() {
			return ""
		}
		return string(g.Schedule.TimeOfDay())
	}
	for _, tc := range []struct {
		query string
		pred  func(*domain.Group) bool
	}{
		{"", func(*domain.Group) bool { return true }},
		{"theme=sorg", func(g *domain.Group) bool { return has(f.themeSlugs(g), "sorg") }},
		{"theme=sorg,rus", func(g *domain.Group) bool { return has(f.themeSlugs(g), "sorg") || has(f.themeSlugs(g), "rus") }},
		{"theme=parorende&theme=rus", func(g *domain.Group) bool {
			return has(f.themeSlugs(g), "parorende") || has(f.themeSlugs(g), "rus")
		}},
		{"theme=rus&theme=parorende&format=hybrid", func(g *domain.Group) bool {
			return (has(f.themeSlugs(g), "parorende") || has(f.themeSlugs(g), "rus")) && g.Format == domain.FormatHybrid
		}},
		{"theme=gammelt-tema", func(*domain.Group) bool { return false }},
		{"municipality=0301", func(g *domain.Group) bool { return muni(g) == "0301" }},
		{"municipality=0301,1804", func(g *domain.Group) bool { return muni(g) == "0301" || muni(g) == "1804" }},
		{"municipality=5612", func(g *domain.Group) bool { return muni(g) == "5612" }},
		{"municipality=3301", func(*domain.Group) bool { return false }},
		{"county=55", func(g *domain.Group) bool { return strings.HasPrefix(muni(g), "55") }},
		{"county=56", func(g *domain.Group) bool { return strings.HasPrefix(muni(g), "56") }},
		{"county=03&county=18", func(g *domain.Group) bool {
			return strings.HasPrefix(muni(g), "03") || strings.HasPrefix(muni(g), "18")
		}},
		{"format=telephone", func(g *domain.Group) bool { return g.Format == domain.FormatTelephone }},
		{"format=video,hybrid", func(g *domain.Group) bool {
			return g.Format == domain.FormatVideo || g.Format == domain.FormatHybrid
		}},
		{"format=in_person", func(g *domain.Group) bool { return g.Format == domain.FormatInPerson }},
		{"model=tolvtrinn", func(g *domain.Group) bool { return f.modelSlug(g) == "tolvtrinn" }},
		{"model=likeperson,selvhjelp", func(g *domain.Group) bool { return f.modelSlug(g) != "tolvtrinn" }},
		{"day=tu", func(g *domain.Group) bool { return has(days(g), "tu") }},
		{"day=MO,th", func(g *domain.Group) bool { return has(days(g), "mo") || has(days(g), "th") }},
		{"day=su", func(g *domain.Group) bool { return has(days(g), "su") }},
		{"time=morning", func(g *domain.Group) bool { return tod(g) == "morning" }},
		{"time=afternoon,evening", func(g *domain.Group) bool { return tod(g) == "afternoon" || tod(g) == "evening" }},
		{"lang=se", func(g *domain.Group) bool { return has(g.Languages, "se") }},
		{"lang=en", func(g *domain.Group) bool { return has(g.Languages, "en") }},
		{"lang=fi", func(*domain.Group) bool { return false }},
		{"open=1", func(g *domain.Group) bool { return g.OpenToNewcomers() }},
		{"open=true", func(g *domain.Group) bool { return g.OpenToNewcomers() }},
		{"open=0", func(*domain.Group) bool { return true }},
		{"theme=rus&municipality=0301&open=1&day=mo", func(g *domain.Group) bool {
			return has(f.themeSlugs(g), "rus") && muni(g) == "0301" && g.OpenToNewcomers() && has(days(g), "mo")
		}},
		{"unknown=ignored", func(*domain.Group) bool { return true }},
	} {
		q := "per_page=100"
		if tc.query != "" {
			q = tc.query + "&" + q
		}
		p := search(t, c, q)
		want := f.want(tc.pred)
		if diff := cmp.Diff(want, sorted(slugs(p.Items)), cmp.Comparer(func(a, b []string) bool {
			return len(a) == 0 && len(b) == 0 || slices.Equal(a, b)
		})); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.query, diff)
		}
		if p.Total != len(want) {
			t.Errorf("%s: total %d, want %d", tc.query, p.Total, len(want))
		}
		for _, it := range p.Items {
			if got, want := it.TakesNewMembers, f.group[it.Slug].OpenToNewcomers(); got != want {
				t.Errorf("%s: takes_new_members %v, want %v", it.Slug, got, want)
			}
		}
	}
	// Sanity of the fixture: the filters above are not trivially equal.
	if n := len(f.want(func(g *domain.Group) bool { return g.OpenToNewcomers() })); n == 0 || n == len(f.want(func(*domain.Group) bool { return true })) {
		t.Errorf("fixture: open=1 should narrow the directory (%d)", n)
	}
	// Without near, groups that take new members come first.
	p := search(t, c, "per_page=100")
	seenClosed := false
	for _, it := range p.Items {
		if !it.TakesNewMembers {
			seenClosed = true
		} else if seenClosed {
			t.Errorf("%s takes new members but is listed after groups that do not", it.Slug)
		}
	}
}

func testSearchText(t *testing.T, c *client, f *fixture) {
	want := []string{"parorende-rus-oslo", "parorende-telefon"} // not the ended group
	for _, q := range []string{"pårørende", "PÅRØRENDE", "Pårørende", "Pa\u030arørende", "  pårørende  ", "pårør"} {
		p := search(t, c, "q="+url.QueryEscape(q))
		if got := sorted(slugs(p.Items)); !slices.Equal(got, want) {
			t.Errorf("q=%q: got %v, want %v", q, got, want)
		}
	}
	for q, want := range map[string][]string{
		"guovdageaidnu":     {"angst-video-kautokeino"},                // the Sami name of the municipality
		"Tromsø":            {"sorg-tromso", "angst-video-kautokeino"}, // municipality, organisation
		"relatives":         {"parorende-rus-oslo", "parorende-telefon"},
		"avsluttet":         nil, // only the ended group says so
		"sorg tromsø":       {"sorg-tromso"},
		"grünerløkka":       {"aa-grunerlokka"},
		"ingenting-slikt":   nil,
		"\u0000\u0001 null": nil,
	} {
		p := search(t, c, "q="+url.QueryEscape(q))
		if got := sorted(slugs(p.Items)); !slices.Equal(got, sorted(want)) && !(len(got) == 0 && len(want) == 0) {
			t.Errorf("q=%q: got %v, want %v", q, got, want)
		}
	}
}

func testSearchNear(t *testing.T, c *client, f *fixture) {
	for _, tc := range []struct {
		near string
		km   float64
	}{
		{"59.92,10.76", 20},
		{"59.92,10.76", 2000},
		{"69.65,18.95", 10},
		{"67.28,14.40", 0.5},
		{"67.28,14.40", 1.5},
	} {
		la, lo, _ := strings.Cut(tc.near, ",")
		lat, lon := mustFloat(t, la), mustFloat(t, lo)
		query := url.Values{"near": {tc.near}, "km": {formatKm(tc.km)}, "per_page": {"100"}}.Encode()
		p := search(t, c, query)
		dist := func(slug string) float64 {
			v, ok := f.venueOf(f.group[slug])
			if !ok {
				t.Fatalf("%s has no venue but was found near a point", slug)
			}
			return domain.DistanceKm(lat, lon, v.Lat, v.Lon)
		}
		// Every group with a public meeting place within the radius is
		// found, and nothing farther away. (Whether a group whose meeting
		// place is hidden is found near a point is the finder's choice;
		// the API never shows that place or a distance to it.)
		within := func(g *domain.Group) bool {
			v, ok := f.venueOf(g)
			return ok && v.HasCoordinates && domain.DistanceKm(lat, lon, v.Lat, v.Lon) <= tc.km
		}
		got := slugs(p.Items)
		for _, s := range f.want(func(g *domain.Group) bool {
			v, _ := f.venueOf(g)
			return within(g) && domain.AddressVisible(*g, f.models[f.modelSlug(g)], v)
		}) {
			if !slices.Contains(got, s) {
				t.Errorf("near %s km %v: %s is missing from %v", tc.near, tc.km, s, got)
			}
		}
		for _, s := range got {
			if !within(f.group[s]) {
				t.Errorf("near %s km %v: %s is farther away", tc.near, tc.km, s)
			}
		}
		if p.Total != len(got) {
			t.Errorf("near %s: total %d, %d items", tc.near, p.Total, len(got))
		}
		prev := -1.0
		for _, it := range p.Items {
			d := dist(it.Slug)
			if d < prev {
				t.Errorf("near %s: %s (%.2f km) after a group %.2f km away", tc.near, it.Slug, d, prev)
			}
			prev = d
			// A distance is given only where the meeting place is public:
			// distances to a hidden place would let anyone find it.
			switch {
			case it.Venue == nil && it.DistanceKm != nil:
				t.Errorf("%s: distance_km without a public venue", it.Slug)
			case it.Venue != nil && it.DistanceKm == nil:
				t.Errorf("%s: no distance_km", it.Slug)
			case it.DistanceKm != nil && math.Abs(*it.DistanceKm-d) > 0.051:
				t.Errorf("%s: distance_km %v, want %.2f", it.Slug, *it.DistanceKm, d)
			}
		}
	}
	// Oslo from Grünerløkka, nearest first: the open meeting place
	// (two groups) before the hidden one.
	p := search(t, c, "near=59.923,10.759&km=5")
	if got := slugs(p.Items); len(got) < 2 || len(got) > 3 || len(got) == 3 && got[2] != "morgenmote-oslo" ||
		!slices.Equal(sorted(got[:2]), []string{"aa-grunerlokka", "parorende-rus-oslo"}) {
		t.Fatalf("near Grünerløkka: %v", got)
	}
	if d := p.Items[0].DistanceKm; d == nil || *d != 0 {
		t.Errorf("distance at the venue itself: %v", d)
	}
	if !strings.Contains(p.Links.Self, "near=59.923%2C10.759") || !strings.Contains(p.Links.Self, "km=5") {
		t.Errorf("self link %q does not keep near and km", p.Links.Self)
	}
	// near without km is 25 km.
	p = search(t, c, "near=67.2827,14.3751")
	if got := slugs(p.Items); !slices.Equal(got, []string{"na-bodo"}) {
		t.Errorf("near Bodø, default radius: %v", got)
	}
}

func mustFloat(t *testing.T, s string) float64 {
	t.Helper()
	var v float64
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func formatKm(km float64) string {
	b, _ := json.Marshal(km)
	return string(b)
}

func testPaging(t *testing.T, c *client, f *fixture) {
	all := f.want(func(*domain.Group) bool { return true })
	n := len(all)
	pages := (n + 19) / 20
	if pages < 3 {
		t.Fatalf("fixture: %d public groups make %d pages, want at least 3", n, pages)
	}
	var got []string
	next := "/api/v1/groups"
	for i := 1; next != ""; i++ {
		r := c.get(next)
		if r.status != http.StatusOK {
			t.Fatalf("GET %s: %d", next, r.status)
		}
		p := decode[pageJSON](t, r)
		if p.Page != i || p.PerPage != 20 || p.Total != n || p.Pages != pages {
			t.Errorf("page %d: page %d per_page %d total %d pages %d", i, p.Page, p.PerPage, p.Total, p.Pages)
		}
		if p.Links.Self != next {
			t.Errorf("page %d: self %q, want %q", i, p.Links.Self, next)
		}
		wantPrev := ""
		switch {
		case i == 2:
			wantPrev = "/api/v1/groups"
		case i > 2:
			wantPrev = "/api/v1/groups?page=" + itoa(i-1)
		}
		if p.Links.Prev != wantPrev {
			t.Errorf("page %d: prev %q, want %q", i, p.Links.Prev, wantPrev)
		}
		if i < pages && len(p.Items) != 20 || i == pages && len(p.Items) != n-20*(pages-1) {
			t.Errorf("page %d has %d items", i, len(p.Items))
		}
		got = append(got, slugs(p.Items)...)
		next = p.Links.Next
		if i > pages {
			t.Fatal("links.next does not stop")
		}
	}
	if !slices.Equal(sorted(got), all) {
		t.Errorf("paging through gave %d groups (%d distinct), want each of %d once", len(got), len(slices.Compact(sorted(got))), n)
	}
	// A page past the end is empty, not an error, and links back.
	p := search(t, c, "page=999")
	if len(p.Items) != 0 || p.Total != n || p.Page != 999 || p.Links.Next != "" || p.Links.Prev != "/api/v1/groups?page="+itoa(pages) {
		t.Errorf("page past the end: %+v", p)
	}
	p = search(t, c, "page=10000&per_page=1")
	if len(p.Items) != 0 || p.Links.Next != "" {
		t.Errorf("last allowed page: %+v", p)
	}
	// Links keep the filters.
	p = search(t, c, "theme=angst&per_page=5&page=2&format=video")
	want := f.want(func(g *domain.Group) bool {
		return slices.Contains(f.themeSlugs(g), "angst") && g.Format == domain.FormatVideo
	})
	if p.Total != len(want) || len(p.Items) != 5 {
		t.Fatalf("filtered page: total %d items %d, want %d and 5", p.Total, len(p.Items), len(want))
	}
	for _, l := range []string{p.Links.Self, p.Links.Next, p.Links.Prev} {
		u, err := url.Parse(l)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		if q.Get("theme") != "angst" || q.Get("format") != "video" || q.Get("per_page") != "5" {
			t.Errorf("link %q loses the filters", l)
		}
	}
	if pageOf(t, p.Links.Next) != "3" || pageOf(t, p.Links.Prev) != "" {
		t.Errorf("links of page 2: next %q prev %q", p.Links.Next, p.Links.Prev)
	}
	// Following a link gives the page it names.
	r := c.get(p.Links.Next)
	if q := decode[pageJSON](t, r); q.Page != 3 || q.PerPage != 5 {
		t.Errorf("links.next gave page %d per_page %d", q.Page, q.PerPage)
	}
}

func pageOf(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("page")
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

// getGroup fetches a group as generic JSON.
func getGroup(t *testing.T, c *client, idOrSlug string) map[string]any {
	t.Helper()
	r := c.get("/api/v1/groups/" + idOrSlug)
	if r.status != http.StatusOK {
		t.Fatalf("GET group %s: %d %s", idOrSlug, r.status, clip(r.body, 300))
	}
	return decode[map[string]any](t, r)
}

// nextMeetings is what the API should say of g's next meetings around now.
func nextMeetings(g *domain.Group, from time.Time, n int) []any {
	out := []any{}
	for _, m := range g.Schedule.Next(from, n) {
		out = append(out, m.Format(time.RFC3339))
	}
	return out
}

func testClosedGroup(t *testing.T, c *client, f *fixture) {
	g := f.group["sorg-tromso"]
	before := time.Now()
	got := getGroup(t, c, g.Slug)
	after := time.Now()
	next := nextMeetings(g, before, 5)
	if n, ok := got["schedule"].(map[string]any)["next"].([]any); ok && !slices.EqualFunc(n, next, func(a, b any) bool { return a == b }) {
		next = nextMeetings(g, after, 5) // a meeting began during the request
	}
	if len(next) != 5 {
		t.Fatalf("fixture: %d next meetings", len(next))
	}
	want := map[string]any{
		"id":          g.ID,
		"slug":        "sorg-tromso",
		"name":        map[string]any{"nb": "Sorggruppe Tromsø", "en": "Grief group Tromsø"},
		"description": map[string]any{"nb": "For deg som har mistet noen nær.", "en": "For you who have lost someone close."},
		"model":       map[string]any{"slug": "selvhjelp", "name": map[string]any{"nb": "Selvhjelpsgruppe", "en": "Self-help group"}},
		"themes":      []any{map[string]any{"slug": "sorg", "name": map[string]any{"nb": "Sorg", "en": "Grief"}}},
		"organisation": map[string]any{"id": f.orgs["tromso"].ID, "slug": "selvhjelpshuset-tromso",
			"name": "Selvhjelpshuset Tromsø"},
		"format":            "in_person",
		"languages":         []any{"nb", "se"},
		"audience":          map[string]any{"age_group": "adults", "gender": "everyone", "for_relatives": false},
		"status":            "recruiting",
		"takes_new_members": true,
		"capacity":          8.0,
		"join_method":       "via_house",
		"weekdays":          []any{"tu"},
		"time_of_day":       "evening",
		"next_meeting":      next[0],
		"schedule": map[string]any{
			"start":            "2026-09-01T18:00:00+02:00",
			"duration_minutes": 90.0,
			"time_zone":        "Europe/Oslo",
			"rrule":            "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU",
			"exdates":          []any{"2026-12-22T18:00:00+01:00"},
			"next":             next,
		},
		"municipality": map[string]any{"id": "5501", "name": "Tromsø", "sami_name": nil},
		"verified_at":  "2026-10-01T12:00:00Z",
		"updated_at":   g.UpdatedAt.UTC().Format(time.RFC3339),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("closed group (-want +got):\n%s", diff)
	}
	if slices.Contains(next, any("2026-12-22T18:00:00+01:00")) {
		t.Error("the cancelled meeting is among the next ones")
	}
	// By id, and by id in upper case, it is the same group.
	for _, id := range []string{g.ID, strings.ToUpper(g.ID)} {
		if byID := getGroup(t, c, id); byID["slug"] != "sorg-tromso" {
			t.Errorf("by id %s: %v", id, byID["slug"])
		}
	}
	// No trace of its meeting place in any list it is in.
	for _, q := range []string{"theme=sorg", "near=69.65,18.95&km=5", "q=sorg"} {
		p := search(t, c, q)
		if len(p.Items) == 0 && !strings.HasPrefix(q, "near") {
			t.Errorf("%s found nothing", q)
		}
		for _, it := range p.Items {
			if it.Slug == g.Slug && (it.Venue != nil || it.DistanceKm != nil) {
				t.Errorf("%s: closed group listed with venue %v distance %v", q, it.Venue, it.DistanceKm)
			}
		}
	}
}

func testOpenMeeting(t *testing.T, c *client, f *fixture) {
	got := getGroup(t, c, "aa-grunerlokka")
	want := map[string]any{"name": "Frivilligsentralen", "street": "Grünerløkka gate 5", "postal_code": "0552", "city": "Oslo",
		"lat": 59.923, "lon": 10.759, "accessibility": map[string]any{"step_free": true, "hearing_loop": true, "accessible_toilet": true},
		"directions": map[string]any{"nb": "Andre etasje", "en": "First floor"}}
	if diff := cmp.Diff(want, got["venue"]); diff != "" {
		t.Errorf("open meeting's venue (-want +got):\n%s", diff)
	}
	if _, ok := got["capacity"]; ok {
		t.Error("capacity 0 should be left out")
	}
	if got["join_method"] != "just_come" || got["takes_new_members"] != true || got["time_of_day"] != "evening" {
		t.Errorf("open meeting: %v %v %v", got["join_method"], got["takes_new_members"], got["time_of_day"])
	}
	p := search(t, c, "municipality=0301&model=tolvtrinn")
	var found bool
	for _, it := range p.Items {
		switch it.Slug {
		case "aa-grunerlokka":
			found = true
			if it.Venue == nil || it.Venue.Street != "Grünerløkka gate 5" {
				t.Errorf("open meeting listed without its venue: %+v", it.Venue)
			}
		case "morgenmote-oslo":
			if it.Venue != nil {
				t.Errorf("open meeting at a hidden venue listed with it: %+v", it.Venue)
			}
		}
	}
	if !found {
		t.Error("open meeting not found")
	}
	// An open meeting whose venue's address is not public has no venue.
	hidden := getGroup(t, c, "morgenmote-oslo")
	if _, ok := hidden["venue"]; ok {
		t.Errorf("hidden venue shown: %v", hidden["venue"])
	}
	if m := hidden["municipality"].(map[string]any); m["id"] != "0301" {
		t.Errorf("municipality %v", m)
	}
	// A telephone group that belongs nowhere; a group without a time.
	tel := getGroup(t, c, "parorende-telefon")
	if tel["municipality"] != nil || tel["takes_new_members"] != false || tel["time_of_day"] != "afternoon" {
		t.Errorf("telephone group: municipality %v takes %v time %v", tel["municipality"], tel["takes_new_members"], tel["time_of_day"])
	}
	if a := tel["audience"].(map[string]any); a["gender"] != "women" || a["for_relatives"] != true {
		t.Errorf("audience %v", a)
	}
	none := getGroup(t, c, "samtalegruppe-uten-tid")
	if none["schedule"] != nil || none["next_meeting"] != nil || none["time_of_day"] != nil || len(none["weekdays"].([]any)) != 0 {
		t.Errorf("group without a schedule: %v %v %v %v", none["schedule"], none["next_meeting"], none["time_of_day"], none["weekdays"])
	}
	// Sami municipality name; a planned group with a counted rule.
	k := getGroup(t, c, "angst-video-kautokeino")
	if m := k["municipality"].(map[string]any); m["sami_name"] != "Guovdageaidnu" || m["name"] != "Kautokeino" {
		t.Errorf("municipality %v", m)
	}
	if sc := k["schedule"].(map[string]any); sc["start"] != "2027-01-09T11:00:00+01:00" || sc["rrule"] != "FREQ=WEEKLY;COUNT=10" {
		t.Errorf("schedule %v", sc)
	}
	// Monthly on the first Sunday; a paused group has no next meeting.
	if m := getGroup(t, c, "parorende-rus-oslo"); !slices.Equal(m["weekdays"].([]any), []any{"su"}) {
		t.Errorf("monthly group weekdays %v", m["weekdays"])
	}
	paused := getGroup(t, c, "na-bodo")
	if paused["status"] != "paused" || paused["takes_new_members"] != false || paused["next_meeting"] != nil ||
		len(paused["schedule"].(map[string]any)["next"].([]any)) != 0 {
		t.Errorf("paused group: %v %v %v", paused["status"], paused["takes_new_members"], paused["next_meeting"])
	}
}

func testEndedGroup(t *testing.T, c *client, f *fixture) {
	g := f.group["sorg-parorende-avsluttet"]
	got := getGroup(t, c, g.Slug)
	if got["status"] != "ended" || got["takes_new_members"] != false || got["next_meeting"] != nil {
		t.Errorf("ended group: status %v takes %v next %v", got["status"], got["takes_new_members"], got["next_meeting"])
	}
	if sc := got["schedule"].(map[string]any); len(sc["next"].([]any)) != 0 {
		t.Errorf("ended group has next meetings %v", sc["next"])
	}
	if _, ok := got["venue"]; ok {
		t.Error("ended closed group shows a venue")
	}
	for _, q := range []string{"", "q=avsluttet", "theme=sorg", "municipality=5501", "per_page=100"} {
		for _, it := range search(t, c, q).Items {
			if it.Slug == g.Slug {
				t.Errorf("%q lists the ended group", q)
			}
		}
	}
}

type organisationJSON struct {
	ID             string            `json:"id"`
	Slug           string            `json:"slug"`
	Name           string            `json:"name"`
	Kind           string            `json:"kind"`
	ParentID       *string           `json:"parent_id"`
	Municipalities []string          `json:"municipalities"`
	Website        *string           `json:"website"`
	Email          *string           `json:"email"`
	Phone          *string           `json:"phone"`
	Description    map[string]string `json:"description"`
	OpeningHours   map[string]string `json:"opening_hours"`
	Address        *venueJSON        `json:"address"`
	Groups         []summaryJSON     `json:"groups"`
}

func testOrganisations(t *testing.T, c *client, f *fixture) {
	r := c.get("/api/v1/organisations")
	list := decode[struct{ Items []organisationJSON }](t, r)
	var names []string
	for _, o := range list.Items {
		names = append(names, o.Name)
		if o.Groups != nil || o.Address != nil {
			t.Errorf("%s: the list has no groups or address", o.Slug)
		}
	}
	if want := []string{"Anonyme Alkoholikere", "Selvhjelp Norge Nord", "Selvhjelpshuset Bergen", "Selvhjelpshuset Oslo",
		"Selvhjelpshuset Tromsø"}; !slices.Equal(names, want) {
		t.Errorf("organisations %v, want %v", names, want)
	}

	tromso := f.orgs["tromso"]
	for _, id := range []string{tromso.ID, tromso.Slug} {
		o := decode[organisationJSON](t, c.get("/api/v1/organisations/"+id))
		if o.ID != tromso.ID || o.Kind != "self_help_house" || o.ParentID == nil || *o.ParentID != f.orgs["district"].ID ||
			!slices.Equal(o.Municipalities, []string{"5501", "5503"}) || o.Email == nil || *o.Email != "tromso@selvhjelp.example.org" ||
			o.Description["en"] != "A meeting place for self-help" || o.OpeningHours["nb"] != "Man–fre 10–15" {
			t.Errorf("Tromsø house by %s: %+v", id, o)
		}
		if o.Address == nil || o.Address.Street != "Storgata 1" {
			t.Errorf("the house's public address: %+v", o.Address)
		}
		if got := slugs(o.Groups); !slices.Equal(got, []string{"angst-video-kautokeino", "sorg-tromso"}) {
			t.Errorf("Tromsø house's groups %v (by name, not ended)", got)
		}
		for _, g := range o.Groups {
			if g.Venue != nil {
				t.Errorf("%s listed with a venue under its house", g.Slug)
			}
		}
	}
	osloHouse := decode[organisationJSON](t, c.get("/api/v1/organisations/selvhjelpshuset-oslo"))
	if osloHouse.Address != nil {
		t.Errorf("the Oslo house's address is not public: %+v", osloHouse.Address)
	}
	if osloHouse.ParentID != nil || osloHouse.Website != nil || osloHouse.Email != nil || osloHouse.Phone != nil {
		t.Errorf("empty fields should be null: %+v", osloHouse)
	}
	aa := decode[organisationJSON](t, c.get("/api/v1/organisations/anonyme-alkoholikere"))
	if got := slugs(aa.Groups); !slices.Equal(got, []string{"morgenmote-oslo", "na-bodo", "aa-grunerlokka"}) {
		t.Errorf("fellowship's groups %v (paused ones too)", got)
	}
	for _, g := range aa.Groups {
		if (g.Venue != nil) != (g.Slug != "morgenmote-oslo") {
			t.Errorf("%s: venue %+v", g.Slug, g.Venue)
		}
	}
	bergen := decode[organisationJSON](t, c.get("/api/v1/organisations/selvhjelpshuset-bergen"))
	if len(bergen.Groups) != f.fillers {
		t.Errorf("Bergen has %d groups, want %d", len(bergen.Groups), f.fillers)
	}
	district := decode[organisationJSON](t, c.get("/api/v1/organisations/selvhjelp-norge-nord"))
	if district.Groups == nil || len(district.Groups) != 0 || district.Municipalities == nil {
		t.Errorf("an organisation without groups has groups [] and municipalities []: %+v", district)
	}
}

func testTaxonomy(t *testing.T, c *client, f *fixture) {
	themes := decode[struct {
		Items []struct {
			ID   string            `json:"id"`
			Slug string            `json:"slug"`
			Name map[string]string `json:"name"`
		}
	}](t, c.get("/api/v1/themes"))
	var got []string
	for _, th := range themes.Items {
		got = append(got, th.Slug)
		if th.ID != f.themes[th.Slug].ID {
			t.Errorf("theme %s id %s", th.Slug, th.ID)
		}
	}
	if want := []string{"sorg", "angst", "parorende", "rus"}; !slices.Equal(got, want) {
		t.Errorf("themes %v, want %v (active ones, in order)", got, want)
	}
	models := decode[map[string]any](t, c.get("/api/v1/models"))
	want := []any{
		map[string]any{"id": f.models["selvhjelp"].ID, "slug": "selvhjelp",
			"name":        map[string]any{"nb": "Selvhjelpsgruppe", "en": "Self-help group"},
			"description": map[string]any{"nb": "En lukket gruppe på 4–8 som starter sammen."},
			"intake":      "closed", "leadership": "starter", "who_may_come": map[string]any{"nb": "Voksne over 18"},
			"size_min": 4.0, "size_max": 8.0, "default_join": "via_house"},
		map[string]any{"id": f.models["tolvtrinn"].ID, "slug": "tolvtrinn",
			"name":        map[string]any{"nb": "Åpent tolvtrinnsmøte", "en": "Open 12-step meeting"},
			"description": map[string]any{}, "intake": "open", "leadership": "chair", "who_may_come": map[string]any{},
			"size_min": nil, "size_max": nil, "default_join": "just_come"},
		map[string]any{"id": f.models["likeperson"].ID, "slug": "likeperson",
			"name":        map[string]any{"nb": "Likepersonsgruppe", "en": "Peer group"}, // the empty nn is left out
			"description": map[string]any{}, "intake": "varies", "leadership": "peer", "who_may_come": map[string]any{},
			"size_min": nil, "size_max": nil, "default_join": "contact_org"},
	}
	if diff := cmp.Diff(want, models["items"]); diff != "" {
		t.Errorf("models (-want +got):\n%s", diff)
	}
}

type municipalityJSON struct {
	ID          string  `json:"id"`
	Name        string  `json:"name"`
	SamiName    *string `json:"sami_name"`
	CountyID    string  `json:"county_id"`
	Population  int     `json:"population"`
	WrittenForm *string `json:"written_form"`
}

func testPlaces(t *testing.T, c *client, f *fixture) {
	all := decode[struct{ Items []municipalityJSON }](t, c.get("/api/v1/municipalities")).Items
	if len(all) != 357 {
		t.Fatalf("%d municipalities, want 357", len(all))
	}
	if all[len(all)-1].Name[:2] != "Å" {
		t.Errorf("not in Norwegian order: last is %s", all[len(all)-1].Name)
	}
	byID := map[string]municipalityJSON{}
	perCounty := map[string]int{}
	for _, m := range all {
		byID[m.ID] = m
		perCounty[m.CountyID]++
		if m.CountyID != m.ID[:2] {
			t.Errorf("%s in county %s", m.ID, m.CountyID)
		}
	}
	if k := byID["5612"]; k.Name != "Kautokeino" || k.SamiName == nil || *k.SamiName != "Guovdageaidnu" ||
		k.Population <= 0 || k.WrittenForm == nil {
		t.Errorf("Kautokeino: %+v", k)
	}
	if o := byID["0301"]; o.Name != "Oslo" || o.SamiName != nil || o.WrittenForm == nil || *o.WrittenForm != "nøytral" {
		t.Errorf("Oslo: %+v", o)
	}
	counties := decode[struct {
		Items []struct{ ID, Name string }
	}](t, c.get("/api/v1/counties")).Items
	if len(counties) != 15 || counties[0].ID != "03" || counties[0].Name != "Oslo" {
		t.Errorf("counties: %+v", counties)
	}
	for _, k := range counties {
		got := decode[struct{ Items []municipalityJSON }](t, c.get("/api/v1/municipalities?county="+k.ID)).Items
		if len(got) != perCounty[k.ID] || len(got) == 0 {
			t.Errorf("county %s: %d municipalities, want %d", k.ID, len(got), perCounty[k.ID])
		}
		for _, m := range got {
			if m.CountyID != k.ID {
				t.Errorf("county=%s gave %s", k.ID, m.ID)
			}
		}
	}
	got := decode[struct{ Items []municipalityJSON }](t, c.get("/api/v1/municipalities?county=03,18")).Items
	if len(got) != perCounty["03"]+perCounty["18"] {
		t.Errorf("two counties: %d", len(got))
	}
	for _, bad := range []string{"county=99", "county=3", "county=abc", "county=03&county=1", "county=" + distinct(51)} {
		wantError(t, bad, c.get("/api/v1/municipalities?"+bad), 400, "bad_parameter", "county")
	}
}

func testContractServed(t *testing.T, c *client, f *fixture) {
	r := c.get("/api/openapi.yaml")
	if r.status != 200 || r.header.Get("Content-Type") != "application/yaml" || !bytes.Equal(r.body, apispec.YAML()) {
		t.Errorf("openapi.yaml: %d %q, %d bytes", r.status, r.header.Get("Content-Type"), len(r.body))
	}
	r = c.get("/api/openapi.json")
	want, _ := apispec.JSON()
	if r.status != 200 || !bytes.Equal(r.body, want) {
		t.Errorf("openapi.json: %d, %d bytes", r.status, len(r.body))
	}
	var doc map[string]any
	if err := json.Unmarshal(r.body, &doc); err != nil || doc["openapi"] != "3.1.0" {
		t.Errorf("openapi.json: %v %v", err, doc["openapi"])
	}
	if r := c.do(http.MethodHead, "/api/openapi.yaml"); r.status != 200 || len(r.body) != 0 {
		t.Errorf("HEAD openapi.yaml: %d, %d bytes", r.status, len(r.body))
	}
	for _, p := range []string{"/api/openapi.yaml?%zz", "/api/openapi.json?a=%"} {
		wantError(t, p, c.get(p), 400, "bad_parameter", "")
	}
}

func testNotFound(t *testing.T, c *client, f *fixture) {
	long := strings.Repeat("a", 5000)
	for _, id := range []string{
		"finnes-ikke", store.NewID(), long, strings.Repeat("a", 201), "s%C3%B8rg", "%F0%9F%98%80", "%ff%fe", "%00",
		"..%2F..%2Fetc%2Fpasswd", "..%2Fthemes", "a%2Fb", "%2e%2e%2f", "sorg-tromso%00", "sorg-tromso%20", "%20sorg-tromso",
		"sorg_tromso'%20OR%20'1'='1", "%25", "%22%3E%3Cscript%3E", "~", "-", "sorg-tromso.json",
	} {
		for _, res := range []string{"groups", "organisations"} {
			p := "/api/v1/" + res + "/" + id
			r := c.get(p)
			if r.status != 404 && r.status != 400 {
				t.Errorf("GET %s: %d", clip([]byte(p), 80), r.status)
				continue
			}
			e := decode[apiErr](t, r)
			if strings.Contains(e.Error.Message, "etc") || strings.Contains(e.Error.Message, long[:50]) {
				t.Errorf("GET %s: the message repeats the identifier: %q", clip([]byte(p), 80), e.Error.Message)
			}
		}
	}
	// The organisation's slug is not a group, and the reverse.
	wantError(t, "org slug as group", c.get("/api/v1/groups/selvhjelpshuset-tromso"), 404, "not_found", "")
	wantError(t, "group slug as org", c.get("/api/v1/organisations/sorg-tromso"), 404, "not_found", "")
	for _, p := range []string{"/api/", "/api/v1", "/api/v1/", "/api/v2/groups", "/api/v1/groups/", "/api/v1/groups/sorg-tromso/",
		"/api/v1/groups/sorg-tromso/members", "/api/v1/Groups", "/api/openapi.yml", "/api/v1/participants", "/api/v1/groups/x/y",
		"/api/v1/enquiries?q=1", "/api/v1/../v1/nope", "/api/v1/groups/../../x", "/api//v1/groups/x/y", "/api/v1/groups/%2e%2e",
		"/api/" + long} {
		wantError(t, p[:min(len(p), 60)], c.get(p), 404, "not_found", "")
	}
	// An unknown path is 404 for any method.
	wantError(t, "POST unknown", c.do(http.MethodPost, "/api/v1/nope"), 404, "not_found", "")
}

func testBadParameters(t *testing.T, c *client, f *fixture) {
	const marker = "zzmarkerzz"
	for _, tc := range []struct {
		query string
		param string
	}{
		{"q=" + strings.Repeat("x", 10*1024), "q"},
		{"q=" + strings.Repeat("å", finder201()), "q"},
		{"q=%ff" + marker, "q"},
		{"q=a&q=" + marker, "q"},
		{"theme=" + marker, "theme"},
		{"theme=" + strings.Repeat("a", 65), "theme"},
		{"theme=" + distinct(51), "theme"},
		{"lang=" + distinct(51), "lang"},
		{"model=" + marker, "model"},
		{"municipality=" + marker, "municipality"},
		{"municipality=9999", "municipality"},
		{"municipality=030", "municipality"},
		{"county=" + marker, "county"},
		{"county=99", "county"},
		{"format=" + marker, "format"},
		{"format=in_person,bus", "format"},
		{"day=" + marker, "day"},
		{"day=monday", "day"},
		{"time=" + marker, "time"},
		{"lang=" + marker, "lang"},
		{"lang=NB", "lang"},
		{"open=" + marker, "open"},
		{"near=" + marker, "near"},
		{"near=91,10", "near"},
		{"near=60,181", "near"},
		{"near=NaN,10", "near"},
		{"near=60", "near"},
		{"near=60,10&near=61,10", "near"},
		{"km=5", "km"},
		{"near=60,10&km=0", "km"},
		{"near=60,10&km=-5", "km"},
		{"near=60,10&km=2001", "km"},
		{"near=60,10&km=NaN", "km"},
		{"near=60,10&km=Inf", "km"},
		{"near=60,10&km=" + marker, "km"},
		{"page=0", "page"},
		{"page=-1", "page"},
		{"page=10001", "page"},
		{"page=99999999999999999999999", "page"},
		{"page=1.5", "page"},
		{"page=" + marker, "page"},
		{"page=1&page=2", "page"},
		{"per_page=0", "per_page"},
		{"per_page=101", "per_page"},
		{"per_page=-20", "per_page"},
		{"per_page=1e2", "per_page"},
	} {
		r := c.get("/api/v1/groups?" + tc.query)
		e := wantError(t, clip([]byte(tc.query), 60), r, 400, "bad_parameter", tc.param)
		if strings.Contains(string(r.body), marker) || strings.Contains(e.Error.Message, "xxxxxxxxxx") {
			t.Errorf("%s: the error repeats the value: %s", clip([]byte(tc.query), 60), clip(r.body, 300))
		}
	}
	// Query strings that do not parse are 400 without a parameter, on
	// every resource.
	for _, q := range []string{"q=%zz", "q=%", "q=a%2", "q=a;b", "%zz=1", "page=1&%=2"} {
		for _, p := range []string{"/api/v1/groups", "/api/v1/groups/sorg-tromso", "/api/v1/organisations",
			"/api/v1/organisations/selvhjelpshuset-tromso", "/api/v1/themes", "/api/v1/models", "/api/v1/municipalities", "/api/v1/counties"} {
			wantError(t, p+"?"+q, c.get(p+"?"+q), 400, "bad_parameter", "")
		}
	}
	// Input that looks odd but is allowed.
	for _, q := range []string{"q=", "q=%20%20", "theme=", "theme=,,", "page=1", "page=01", "per_page=100", "open=", "near=69.65,18.95&km=0.1",
		"q=" + url.QueryEscape("'; DROP TABLE groups; --"), "q=" + url.QueryEscape("%_\\"), "q=" + url.QueryEscape(strings.Repeat("ø", 200))} {
		if r := c.get("/api/v1/groups?" + q); r.status != 200 {
			t.Errorf("%s: %d %s", clip([]byte(q), 60), r.status, clip(r.body, 200))
		}
	}
}

// finder201 is one more character than q may have.
func finder201() int { return 201 }

// distinct is n different two-letter values, comma-separated.
func distinct(n int) string {
	var out []string
	for i := range n {
		out = append(out, string(rune('a'+i/26))+string(rune('a'+i%26)))
	}
	return strings.Join(out, ",")
}

func testMethods(t *testing.T, c *client, f *fixture) {
	for _, p := range []string{"/api/v1/groups", "/api/v1/groups/sorg-tromso", "/api/v1/groups/finnes-ikke", "/api/v1/organisations",
		"/api/v1/organisations/selvhjelpshuset-tromso", "/api/v1/themes", "/api/v1/models", "/api/v1/municipalities",
		"/api/v1/counties", "/api/openapi.yaml", "/api/openapi.json"} {
		for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch, http.MethodOptions} {
			r := c.do(m, p)
			wantError(t, m+" "+p, r, 405, "method_not_allowed", "")
			if got := r.header.Get("Allow"); got != "GET, HEAD" {
				t.Errorf("%s %s: Allow %q", m, p, got)
			}
		}
		r := c.do(http.MethodHead, p)
		if want := map[bool]int{true: 404, false: 200}[strings.HasSuffix(p, "finnes-ikke")]; r.status != want || len(r.body) != 0 {
			t.Errorf("HEAD %s: %d with %d bytes", p, r.status, len(r.body))
		}
	}
}

// testCrawl reads everything the API offers, so that the privacy check in
// the client sees every group in every form: search pages, each group by
// id and by slug (ended ones too), each organisation.
func testCrawl(t *testing.T, c *client, f *fixture) {
	seen := map[string]bool{}
	for next := "/api/v1/groups?per_page=7"; next != ""; {
		p := decode[pageJSON](t, c.get(next))
		for _, it := range p.Items {
			seen[it.ID] = true
		}
		next = p.Links.Next
	}
	for _, g := range f.groups {
		if seen[g.ID] != public(g) {
			t.Errorf("%s (%s): in search %v", g.Slug, g.Status, seen[g.ID])
		}
		getGroup(t, c, g.ID)
		getGroup(t, c, g.Slug)
	}
	for _, o := range f.orgs {
		c.get("/api/v1/organisations/" + o.ID)
	}
	c.get("/api/v1/organisations")
	for _, q := range []string{"near=69.65,18.95&km=2000&per_page=100", "near=59.91,10.75&km=1&per_page=100", "q=kirkegata", "q=skjultveien", "q=bakgarden"} {
		p := decode[pageJSON](t, c.get("/api/v1/groups?"+q))
		if strings.HasPrefix(q, "q=") && len(p.Items) != 0 {
			t.Errorf("%s finds %v: a hidden meeting place is searchable", q, slugs(p.Items))
		}
	}
}
