package finder_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/finder"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
	"github.com/fellesrom/fellesrom/internal/testdb"
	"github.com/google/go-cmp/cmp"
)

func TestMain(m *testing.M) { testdb.Main(m) }

type world struct {
	st                  *store.Store
	closed, open, peer  domain.Model
	themes              map[string]domain.Theme
	house, aa           domain.Organisation
	houseVenue, aaVenue domain.Venue
	hiddenVenue         domain.Venue
	groups              map[string]*domain.Group // by slug
	tromso, alta, oslo  finder.Point
	osloLoc             *time.Location
}

// build makes a small directory whose right answers are known.
func build(t *testing.T, st *store.Store) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{st: st, themes: map[string]domain.Theme{}, groups: map[string]*domain.Group{},
		tromso: finder.Point{Lat: 69.6496, Lon: 18.9560}, alta: finder.Point{Lat: 69.9689, Lon: 23.2716}, oslo: finder.Point{Lat: 59.9139, Lon: 10.7522}}
	w.osloLoc, _ = time.LoadLocation("Europe/Oslo")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	w.closed = domain.Model{Slug: "selvhjelp-norge", Name: domain.Text{"nb": "Selvhjelpsgruppe"}, Intake: domain.IntakeClosed, Leadership: domain.LeadStarter, DefaultJoin: domain.JoinViaHouse, SortOrder: 1}
	w.open = domain.Model{Slug: "tolv-trinn", Name: domain.Text{"nb": "Tolvtrinnsmøte", "en": "Twelve-step meeting"}, Intake: domain.IntakeOpen, Leadership: domain.LeadChair, DefaultJoin: domain.JoinJustCome, SortOrder: 2}
	w.peer = domain.Model{Slug: "likepersongruppe", Name: domain.Text{"nb": "Likepersongruppe"}, Intake: domain.IntakeVaries, Leadership: domain.LeadPeer, DefaultJoin: domain.JoinContactOrg, SortOrder: 3}
	for _, m := range []*domain.Model{&w.closed, &w.open, &w.peer} {
		must(st.SaveModel(ctx, m))
	}
	for i, s := range []struct{ slug, nb, en string }{{"sorg", "Sorg", "Grief"}, {"parorende-rus", "Pårørende til rusavhengige", "Relatives of people with addiction"},
		{"angst", "Angst", "Anxiety"}, {"rus", "Rus", "Addiction"}, {"ensomhet", "Ensomhet", "Loneliness"}} {
		th := domain.Theme{Slug: s.slug, Name: domain.Text{"nb": s.nb, "en": s.en}, SortOrder: i, Active: true}
		must(st.SaveTheme(ctx, &th))
		w.themes[s.slug] = th
	}
	w.house = domain.Organisation{Kind: domain.OrgSelfHelpHouse, Slug: "selvhjelpshuset-tromso", Name: "Selvhjelpshuset Tromsø"}
	w.aa = domain.Organisation{Kind: domain.OrgFellowship, Slug: "aa-norge", Name: "Anonyme Alkoholikere"}
	must(st.SaveOrganisation(ctx, &w.house))
	must(st.SaveOrganisation(ctx, &w.aa))
	w.houseVenue = domain.Venue{OrgID: w.house.ID, Name: "Huset", Street: "Storgata 73", City: "Tromsø", MunicipalityID: "5501",
		Lat: w.tromso.Lat, Lon: w.tromso.Lon, HasCoordinates: true, AddressPublic: true}
	w.aaVenue = domain.Venue{OrgID: w.aa.ID, Name: "Kirkestua", Street: "Kirkegata 5", City: "Alta", MunicipalityID: "5603",
		Lat: w.alta.Lat, Lon: w.alta.Lon, HasCoordinates: true, AddressPublic: true}
	w.hiddenVenue = domain.Venue{OrgID: w.aa.ID, Name: "Menighetshuset", Street: "Hemmeligveien 2", City: "Oslo", MunicipalityID: "0301",
		Lat: w.oslo.Lat, Lon: w.oslo.Lon, HasCoordinates: true}
	for _, v := range []*domain.Venue{&w.houseVenue, &w.aaVenue, &w.hiddenVenue} {
		must(st.SaveVenue(ctx, v))
	}
	at := func(day, hour int) domain.Schedule {
		return domain.Schedule{Start: time.Date(2026, 9, day, hour, 0, 0, 0, w.osloLoc), DurationMin: 90, TZ: "Europe/Oslo", RRule: "FREQ=WEEKLY"}
	}
	add := func(g domain.Group, themes ...string) {
		t.Helper()
		for _, s := range themes {
			g.ThemeIDs = append(g.ThemeIDs, w.themes[s].ID)
		}
		if g.AgeGroup == "" {
			g.AgeGroup, g.Gender = domain.AgeAdults, domain.GenderEveryone
		}
		if len(g.Languages) == 0 {
			g.Languages = []string{"nb"}
		}
		must(st.SaveGroup(ctx, &g, "test", ""))
		w.groups[g.Slug] = &g
	}
	// 2026-09-07 is a Monday.
	add(domain.Group{Slug: "sorggruppe-tromso", Name: domain.Text{"nb": "Sorggruppe"}, Description: domain.Text{"nb": "For deg som har mistet noen nær."},
		ModelID: w.closed.ID, OrgID: w.house.ID, Format: domain.FormatInPerson, Status: domain.StatusRecruiting, TakesNewMembers: true,
		Join: domain.JoinViaHouse, Schedule: at(8, 18), VenueID: w.houseVenue.ID, MunicipalityID: "5501"}, "sorg")
	add(domain.Group{Slug: "parorende-tromso", Name: domain.Text{"nb": "Pårørendegruppe"}, Description: domain.Text{"nb": "For PÅRØRENDE til noen som ruser seg."},
		ModelID: w.closed.ID, OrgID: w.house.ID, Format: domain.FormatInPerson, Status: domain.StatusRunning,
		Join: domain.JoinViaHouse, Schedule: at(9, 10), VenueID: w.houseVenue.ID, MunicipalityID: "5501"}, "parorende-rus")
	add(domain.Group{Slug: "al-anon-alta", Name: domain.Text{"nb": "Al-Anon Alta"}, Description: domain.Text{"nb": "Åpent møte for pårørende."},
		ModelID: w.open.ID, OrgID: w.aa.ID, Format: domain.FormatInPerson, Status: domain.StatusRunning, TakesNewMembers: true,
		Join: domain.JoinJustCome, Schedule: at(10, 19), VenueID: w.aaVenue.ID, MunicipalityID: "5603", Languages: []string{"nb", "se"}}, "parorende-rus", "rus")
	add(domain.Group{Slug: "aa-oslo", Name: domain.Text{"nb": "AA Menighetshuset"}, Description: domain.Text{"nb": "Åpent AA-møte."},
		ModelID: w.open.ID, OrgID: w.aa.ID, Format: domain.FormatInPerson, Status: domain.StatusRunning, TakesNewMembers: true,
		Join: domain.JoinJustCome, Schedule: at(11, 12), VenueID: w.hiddenVenue.ID, MunicipalityID: "0301"}, "rus")
	add(domain.Group{Slug: "telefongruppe-angst", Name: domain.Text{"nb": "Telefongruppe for angst", "en": "Telephone group for anxiety"},
		ModelID: w.closed.ID, OrgID: w.house.ID, Format: domain.FormatTelephone, Status: domain.StatusPlanned, TakesNewMembers: true,
		Join: domain.JoinViaHouse, Schedule: at(12, 13), MunicipalityID: "5501", Languages: []string{"en", "nb"}}, "angst")
	add(domain.Group{Slug: "ensomhet-video", Name: domain.Text{"nb": "Ung og ensom"},
		ModelID: w.peer.ID, OrgID: w.house.ID, Format: domain.FormatVideo, Status: domain.StatusPaused, TakesNewMembers: true,
		Join: domain.JoinContactOrg, Schedule: at(13, 20), MunicipalityID: "5501"}, "ensomhet")
	add(domain.Group{Slug: "avsluttet", Name: domain.Text{"nb": "Avsluttet sorggruppe"},
		ModelID: w.closed.ID, OrgID: w.house.ID, Format: domain.FormatInPerson, Status: domain.StatusEnded,
		Join: domain.JoinViaHouse, Schedule: at(8, 18), VenueID: w.houseVenue.ID, MunicipalityID: "5501"}, "sorg")
	return w
}

func slugsOf(t *testing.T, w *world, res finder.Result) []string {
	t.Helper()
	var out []string
	for _, h := range res.Hits {
		for s, g := range w.groups {
			if g.ID == h.GroupID {
				out = append(out, s)
			}
		}
	}
	return out
}

func search(t *testing.T, f *finder.Finder, w *world, params string) []string {
	t.Helper()
	v, err := url.ParseQuery(params)
	if err != nil {
		t.Fatal(err)
	}
	q, err := finder.ParseQuery(v)
	if err != nil {
		t.Fatalf("%s: %v", params, err)
	}
	res, err := f.Search(context.Background(), q)
	if err != nil {
		t.Fatalf("%s: %v", params, err)
	}
	got := slugsOf(t, w, res)
	if res.Total < len(got) {
		t.Errorf("%s: total %d < hits %d", params, res.Total, len(got))
	}
	return got
}

func TestSearchFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := build(t, st)
		f := finder.New(st)
		sorted := func(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }
		for _, c := range []struct {
			params string
			want   []string
		}{
			{"", []string{"aa-oslo", "al-anon-alta", "ensomhet-video", "parorende-tromso", "sorggruppe-tromso", "telefongruppe-angst"}},
			{"theme=sorg", []string{"sorggruppe-tromso"}},
			{"theme=rus,angst", []string{"aa-oslo", "al-anon-alta", "telefongruppe-angst"}},
			{"theme=rus&theme=angst", []string{"aa-oslo", "al-anon-alta", "telefongruppe-angst"}},
			{"municipality=5603", []string{"al-anon-alta"}},
			{"county=55", []string{"ensomhet-video", "parorende-tromso", "sorggruppe-tromso", "telefongruppe-angst"}},
			{"county=56", []string{"al-anon-alta"}},
			{"format=telephone,video", []string{"ensomhet-video", "telefongruppe-angst"}},
			{"model=tolv-trinn", []string{"aa-oslo", "al-anon-alta"}},
			{"day=tu", []string{"sorggruppe-tromso"}},
			{"day=we,su", []string{"ensomhet-video", "parorende-tromso"}},
			{"time=morning", []string{"parorende-tromso"}},
			{"time=evening&day=th", []string{"al-anon-alta"}},
			{"lang=se", []string{"al-anon-alta"}},
			{"lang=en", []string{"telefongruppe-angst"}},
			{"open=1", []string{"aa-oslo", "al-anon-alta", "sorggruppe-tromso", "telefongruppe-angst"}},
			{"q=sorg", []string{"sorggruppe-tromso"}},
			{"q=anxiety", []string{"telefongruppe-angst"}},
			{"q=guovdageaidnu", nil},
			{"q=alta+pårørende", []string{"al-anon-alta"}},
			{"q=zzzz", nil},
			{"theme=sorg&format=video", nil},
		} {
			if diff := cmp.Diff(c.want, sorted(search(t, f, w, c.params))); diff != "" {
				t.Errorf("%q (-want +got):\n%s", c.params, diff)
			}
		}
	})
}

func TestSearchIsCaseInsensitive(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := build(t, st)
		f := finder.New(st)
		want := search(t, f, w, "q=pårørende")
		if len(want) != 2 { // the Tromsø relatives' group and Al-Anon Alta; prefix matches "pårørendegruppe"
			t.Fatalf("pårørende: %v", want)
		}
		for _, q := range []string{"PÅRØRENDE", "Pårørende", "pa\u030arørende", "  pårørende!  "} {
			if got := search(t, f, w, "q="+url.QueryEscape(q)); !slices.Equal(got, want) {
				t.Errorf("%q gave %v, want %v", q, got, want)
			}
		}
	})
}

func TestSearchNear(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := build(t, st)
		f := finder.New(st)
		// From Tromsø: the house's groups (0 km) first, then Alta (about 200 km).
		q := url.Values{"near": {fmt.Sprintf("%f,%f", w.tromso.Lat, w.tromso.Lon)}, "km": {"300"}}
		pq, err := finder.ParseQuery(q)
		if err != nil {
			t.Fatal(err)
		}
		res, err := f.Search(context.Background(), pq)
		if err != nil {
			t.Fatal(err)
		}
		got := slugsOf(t, w, res)
		if len(got) != 3 || got[2] != "al-anon-alta" {
			t.Fatalf("near Tromsø within 300 km: %v", got)
		}
		if d := res.Hits[2].DistanceKm; d < 150 || d > 250 || !res.Hits[2].HasDistance {
			t.Errorf("Tromsø–Alta %.0f km", d)
		}
		for i := 1; i < len(res.Hits); i++ {
			if res.Hits[i].DistanceKm < res.Hits[i-1].DistanceKm {
				t.Errorf("not nearest first: %v", res.Hits)
			}
		}
		if got := search(t, f, w, fmt.Sprintf("near=%f,%f&km=50", w.tromso.Lat, w.tromso.Lon)); len(got) != 2 {
			t.Errorf("within 50 km of Tromsø: %v", got)
		}
	})
}

func TestPaging(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := build(t, st)
		f := finder.New(st)
		all := search(t, f, w, "per_page=100")
		var paged []string
		for p := 1; p <= 3; p++ {
			paged = append(paged, search(t, f, w, fmt.Sprintf("per_page=2&page=%d", p))...)
		}
		if !slices.Equal(all, paged) {
			t.Errorf("pages %v != all %v", paged, all)
		}
		if got := search(t, f, w, "per_page=2&page=40"); len(got) != 0 {
			t.Errorf("beyond the end: %v", got)
		}
		// Those who take new members come first.
		open := search(t, f, w, "open=1")
		if !slices.Equal(all[:len(open)], open) {
			t.Errorf("order %v should start with %v", all, open)
		}
	})
}

func TestIndexFollowsChanges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := build(t, st)
		f := finder.New(st)
		other := finder.New(st) // a second instance on the same database
		if got := search(t, f, w, "q=sorggruppe"); len(got) != 1 {
			t.Fatalf("before: %v", got)
		}
		search(t, other, w, "")
		g := *w.groups["sorggruppe-tromso"]
		g.Status = domain.StatusEnded
		if err := st.SaveGroup(context.Background(), &g, "test", "Gruppa er avsluttet"); err != nil {
			t.Fatal(err)
		}
		for _, fi := range []*finder.Finder{f, other} {
			if got := search(t, fi, w, "q=sorggruppe"); len(got) != 0 {
				t.Errorf("an ended group is still found: %v", got)
			}
		}
		// A renamed group is found by its new name only, and a new group at once.
		p := *w.groups["parorende-tromso"]
		p.Name = domain.Text{"nb": "Likemannsgruppe"}
		p.Description = domain.Text{"nb": "Ny tekst om kveldsmøter."}
		if err := st.SaveGroup(context.Background(), &p, "test", ""); err != nil {
			t.Fatal(err)
		}
		n := *w.groups["al-anon-alta"]
		n.ID, n.Slug, n.Name = "", "ny-gruppe", domain.Text{"nb": "Helt ny gruppe"}
		if err := st.SaveGroup(context.Background(), &n, "test", ""); err != nil {
			t.Fatal(err)
		}
		w.groups["ny-gruppe"] = &n
		for _, fi := range []*finder.Finder{f, other} {
			if got := search(t, fi, w, "q=pårørendegruppe"); len(got) != 0 {
				t.Errorf("old name still found: %v", got)
			}
			if got := search(t, fi, w, "q=kveldsmøter"); len(got) != 1 || got[0] != "parorende-tromso" {
				t.Errorf("new description: %v", got)
			}
			if got := search(t, fi, w, "q=helt+ny"); len(got) != 1 || got[0] != "ny-gruppe" {
				t.Errorf("new group: %v", got)
			}
		}
	})
}

func TestUnknownValues(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		build(t, st)
		f := finder.New(st)
		for _, p := range []string{"theme=nope", "model=nope", "municipality=9999", "county=99"} {
			v, _ := url.ParseQuery(p)
			q, err := finder.ParseQuery(v)
			if err != nil {
				t.Fatalf("%s: parse %v", p, err)
			}
			_, err = f.Search(context.Background(), q)
			var qe *finder.QueryError
			if !errors.As(err, &qe) {
				t.Errorf("%s: %v, want a QueryError", p, err)
			}
		}
	})
}

func TestParseQueryRejects(t *testing.T) {
	for _, p := range []string{"page=0", "page=-1", "page=99999999999999999999", "per_page=1000", "format=pigeon",
		"day=monday", "time=night", "lang=norsk", "open=maybe", "near=91,10", "near=abc", "km=5", "near=60,10&km=0",
		"near=60,10&km=NaN", "municipality=03a1", "county=3", "q=a&q=b", "q=" + strings.Repeat("x", 10000),
		"theme=" + manyThemes()} {
		v, err := url.ParseQuery(p)
		if err != nil {
			t.Fatal(err)
		}
		_, err = finder.ParseQuery(v)
		var qe *finder.QueryError
		if !errors.As(err, &qe) {
			t.Errorf("%.40s: %v, want a QueryError", p, err)
		} else if strings.Contains(qe.Error(), "xxxxxxxx") {
			t.Errorf("the error repeats the value: %v", qe)
		}
	}
}

func TestQueryValuesRoundTrip(t *testing.T) {
	v, _ := url.ParseQuery("q=sorg&theme=sorg&theme=rus&municipality=5501&format=video&model=tolv-trinn&day=mo&time=evening&lang=se&open=1&near=69.5,18.9&km=40&per_page=50")
	q, err := finder.ParseQuery(v)
	if err != nil {
		t.Fatal(err)
	}
	q2, err := finder.ParseQuery(q.Values())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(q, q2); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

func TestListingHidesClosedAddresses(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := build(t, st)
		f := finder.New(st)
		ctx := context.Background()
		closed, err := f.Listing(ctx, "sorggruppe-tromso")
		if err != nil {
			t.Fatal(err)
		}
		if closed.AddressVisible || closed.Venue.Street != "" || closed.Group.VenueID != "" || closed.Municipality.ID != "5501" {
			t.Errorf("closed group shows its meeting place: %+v", closed.Venue)
		}
		open, _ := f.Listing(ctx, "al-anon-alta")
		if !open.AddressVisible || open.Venue.Street != "Kirkegata 5" {
			t.Errorf("open meeting should show its address: %+v", open.Venue)
		}
		hidden, _ := f.Listing(ctx, "aa-oslo")
		if hidden.AddressVisible || hidden.Venue.Street != "" {
			t.Errorf("hidden venue shown: %+v", hidden.Venue)
		}
		ended, err := f.Listing(ctx, "avsluttet")
		if err != nil || ended.Group.Status != domain.StatusEnded {
			t.Errorf("ended group: %v %v", ended.Group.Status, err)
		}
		if _, err := f.Listing(ctx, "finnes-ikke"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown: %v", err)
		}
		ls, err := f.OrganisationListings(ctx, w.house.ID)
		if err != nil || len(ls) != 4 {
			t.Errorf("house listings: %d %v", len(ls), err)
		}
		res, _ := f.Search(ctx, finder.Query{Page: 1, PerPage: 10})
		page, err := f.Listings(ctx, res.Hits)
		if err != nil || len(page) != res.Total {
			t.Fatalf("listings %d of %d: %v", len(page), res.Total, err)
		}
		for _, l := range page {
			if l.Venue.Street == "Hemmeligveien 2" || l.Venue.Street == "Storgata 73" {
				t.Errorf("%s shows a hidden address", l.Group.Slug)
			}
		}
	})
}

func manyThemes() string {
	var b strings.Builder
	for i := range 60 {
		fmt.Fprintf(&b, "t%d,", i)
	}
	return b.String()
}

// TestHiddenPlacesCannotBeLocated: a distance search must not reveal where a
// group with a hidden address meets. Moving the hidden venue within its grid
// cell changes no distance the finder reports, and a search at the exact
// spot with a small radius does not find it.
func TestHiddenPlacesCannotBeLocated(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := build(t, st)
		ctx := context.Background()
		distances := func() map[string]float64 {
			t.Helper()
			out := map[string]float64{}
			for _, p := range []finder.Point{w.oslo, {Lat: 59.5, Lon: 10.2}, {Lat: 60.3, Lon: 11.4}} {
				res, err := finder.New(st).Search(ctx, finder.Query{Near: &p, RadiusKm: 200, Page: 1, PerPage: 100})
				if err != nil {
					t.Fatal(err)
				}
				for _, h := range res.Hits {
					out[fmt.Sprintf("%v %s", p, h.GroupID)] = h.DistanceKm
				}
			}
			return out
		}
		before := distances()
		if len(before) == 0 {
			t.Fatal("the Oslo meeting is not found near Oslo at all")
		}
		v := w.hiddenVenue
		v.Lat, v.Lon = v.Lat+0.004, v.Lon-0.006 // about 500 m away, same cell
		if err := st.SaveVenue(ctx, &v); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(before, distances()); diff != "" {
			t.Errorf("moving a hidden venue within its cell changed reported distances:\n%s", diff)
		}
		if got := search(t, finder.New(st), w, fmt.Sprintf("near=%f,%f&km=1", v.Lat, v.Lon)); len(got) != 0 {
			t.Errorf("a 1 km search at the hidden spot finds %v", got)
		}
		// A closed group at a house with a public address is placed at the house.
		house := w.house
		house.VenueID = w.houseVenue.ID
		if err := st.SaveOrganisation(ctx, &house); err != nil {
			t.Fatal(err)
		}
		res, err := finder.New(st).Search(ctx, finder.Query{Near: &w.tromso, RadiusKm: 1, Page: 1, PerPage: 10})
		if err != nil {
			t.Fatal(err)
		}
		if got := slugsOf(t, w, res); len(got) != 2 || res.Hits[0].DistanceKm > 0.01 {
			t.Errorf("closed groups of a house with a public address: %v %v", got, res.Hits)
		}
	})
}
