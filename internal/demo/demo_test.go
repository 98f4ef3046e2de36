package demo_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/demo"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
	"github.com/fellesrom/fellesrom/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

func TestLoad(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		start := time.Now()
		sum, err := demo.Load(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("Load on %s: %v, %+v", s.Engine(), time.Since(start).Round(time.Millisecond), sum)

		orgs, err := s.Organisations(ctx)
		if err != nil {
			t.Fatal(err)
		}
		models, err := s.Models(ctx)
		if err != nil {
			t.Fatal(err)
		}
		themes, err := s.Themes(ctx)
		if err != nil {
			t.Fatal(err)
		}
		venues, err := s.Venues(ctx)
		if err != nil {
			t.Fatal(err)
		}
		groups, err := s.AllGroups(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Organisations != len(orgs) || sum.Models != len(models) || sum.Themes != len(themes) ||
			sum.Venues != len(venues) || sum.Groups != len(groups) {
			t.Errorf("summary %+v, store has %d organisations, %d models, %d themes, %d venues, %d groups",
				sum, len(orgs), len(models), len(themes), len(venues), len(groups))
		}

		// People enquiring and waiting, confirmed and visible to their
		// house, with the pool of a house large enough for a group.
		orgIDs := make([]string, len(orgs))
		for i, o := range orgs {
			orgIDs[i] = o.ID
		}
		enq, err := s.Enquiries(store.WithActor(ctx, store.Actor{ID: "test"}), store.EnquiryFilter{OrgIDs: orgIDs})
		if err != nil {
			t.Fatal(err)
		}
		waiting := map[string]int{}
		for _, e := range enq {
			if e.Status == store.EnquiryWaiting {
				waiting[e.OrgID+" "+strings.Join(e.Themes, " ")]++
			}
			if e.Name == "" || e.ConfirmedAt.IsZero() || !strings.HasSuffix(e.Contact, "@example.no") && !strings.HasPrefix(e.Contact, "+474") {
				t.Errorf("demo enquiry %+v", e)
			}
		}
		most := 0
		for _, n := range waiting {
			most = max(most, n)
		}
		if sum.Enquiries != len(enq) || sum.Enquiries < 20 || most < 5 {
			t.Errorf("%d demo enquiries (summary %d), the largest pool %d", len(enq), sum.Enquiries, most)
		}

		// Events coming in the public calendar, one of them online.
		events, err := s.Events(ctx, store.EventFilter{EndsAfter: time.Now(), ListedOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		online := 0
		for _, e := range events {
			if e.Online {
				online++
			} else if e.VenueID == "" || e.RoomID == "" || e.BookingID == "" {
				t.Errorf("demo event %q meets in person without a booked room: %+v", e.Title["nb"], e)
			}
		}
		if sum.Events != len(events) || len(events) < 5 || online != 1 {
			t.Errorf("%d demo events coming (summary %d), %d online", len(events), sum.Events, online)
		}

		// Houses and partners, in several counties.
		orgByID := map[string]domain.Organisation{}
		for _, o := range orgs {
			orgByID[o.ID] = o
		}
		partners := 0
		counties := map[string]bool{}
		kinds := map[domain.OrgKind]int{}
		for _, o := range orgs {
			kinds[o.Kind]++
			switch o.Kind {
			case domain.OrgSelfHelpHouse, domain.OrgVolunteerCentre, domain.OrgLearningMastery, domain.OrgMunicipality:
				partners++
				if orgByID[o.ParentID].Kind != domain.OrgDistrictOffice {
					t.Errorf("%s: not under a district office", o.Name)
				}
				if len(o.Municipalities) == 0 {
					t.Errorf("%s serves no municipality", o.Name)
				}
				counties[o.Municipalities[0][:2]] = true
			}
			if !strings.HasSuffix(o.Email, ".example") || !strings.HasPrefix(o.Phone, "+47 00 00") {
				t.Errorf("%s: contact data %q %q does not look made up", o.Name, o.Email, o.Phone)
			}
		}
		if partners < 10 || len(counties) < 6 {
			t.Errorf("%d houses and partners in %d counties", partners, len(counties))
		}
		if kinds[domain.OrgNationalCentre] != 1 || kinds[domain.OrgDistrictOffice] < 4 || kinds[domain.OrgUserOrganisation] < 2 || kinds[domain.OrgFellowship] < 2 {
			t.Errorf("organisation kinds %v", kinds)
		}

		// Every model, format and status; at least ten themes.
		modelByID := map[string]domain.Model{}
		for _, m := range models {
			modelByID[m.ID] = m
		}
		themeByID := map[string]domain.Theme{}
		for _, th := range themes {
			themeByID[th.ID] = th
		}
		venueByID := map[string]domain.Venue{}
		for _, v := range venues {
			venueByID[v.ID] = v
		}
		munis, err := s.Municipalities(ctx)
		if err != nil {
			t.Fatal(err)
		}
		muniByID := map[string]domain.Municipality{}
		for _, m := range munis {
			muniByID[m.ID] = m
		}
		usedModels, usedFormats, usedStatuses, usedThemes, usedLangs := map[string]int{}, map[domain.Format]int{}, map[domain.Status]int{}, map[string]int{}, map[string]int{}
		samiNorth, relatives := 0, 0
		for _, g := range groups {
			m := modelByID[g.ModelID]
			usedModels[m.Slug]++
			usedFormats[g.Format]++
			usedStatuses[g.Status]++
			for _, id := range g.ThemeIDs {
				usedThemes[themeByID[id].Slug]++
			}
			for _, l := range g.Languages {
				usedLangs[l]++
			}
			if err := store.ValidateGroup(&g); err != nil {
				t.Errorf("%s: %v", g.Slug, err)
			}
			if next := g.Schedule.Next(g.Schedule.Start.Add(time.Minute), 1); len(next) == 0 {
				t.Errorf("%s: no meeting after the first (%s, %q)", g.Slug, g.Schedule.Start, g.Schedule.RRule)
			}
			local := g.Schedule.LocalStart()
			if y := local.Year(); y < 2025 || y > 2026 {
				t.Errorf("%s: first meeting %s", g.Slug, local)
			}
			if h := local.Hour(); h < 10 || h > 20 || h == 20 && local.Minute() > 0 {
				t.Errorf("%s: meets at %s", g.Slug, local.Format("15:04"))
			}
			if d := g.Schedule.DurationMin; d < 60 || d > 120 {
				t.Errorf("%s: %d minutes", g.Slug, d)
			}
			if g.VerifiedAt.IsZero() || g.VerifiedAt.Before(time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)) {
				t.Errorf("%s: verified %s", g.Slug, g.VerifiedAt)
			}
			switch g.Format {
			case domain.FormatTelephone, domain.FormatVideo:
				if g.VenueID != "" || g.MunicipalityID == "" {
					t.Errorf("%s: %s group with venue %q, municipality %q", g.Slug, g.Format, g.VenueID, g.MunicipalityID)
				}
			default:
				v, ok := venueByID[g.VenueID]
				if !ok || v.MunicipalityID != g.MunicipalityID || !v.HasCoordinates {
					t.Errorf("%s: venue %+v, municipality %s", g.Slug, v, g.MunicipalityID)
				}
				if m.Slug == "selvhjelp-norge" && g.RoomID == "" {
					t.Errorf("%s: a closed group outside the house's rooms", g.Slug)
				}
				if m.Slug == "tolv-trinn" && !domain.AddressVisible(g, m, v) {
					t.Errorf("%s: a twelve-step meeting whose address is not public", g.Slug)
				}
			}
			if m.Slug == "selvhjelp-norge" && (g.Join != domain.JoinViaHouse || g.Capacity < 4 || g.Capacity > 8 || g.AgeGroup == domain.AgeAll) {
				t.Errorf("%s: closed group joins %s, capacity %d, ages %s", g.Slug, g.Join, g.Capacity, g.AgeGroup)
			}
			if m.Slug == "tolv-trinn" && g.Join != domain.JoinJustCome {
				t.Errorf("%s: twelve-step meeting joins %s", g.Slug, g.Join)
			}
			if mu := muniByID[g.MunicipalityID]; mu.SamiName != "" && slices.Contains([]string{"18", "55", "56"}, mu.CountyID) {
				samiNorth++
			}
			text := strings.ToLower(g.Name["nb"] + " " + g.Description["nb"])
			if strings.Contains(text, "pårørende") {
				relatives++
			}
			if strings.Contains(text, "tilbud") {
				t.Errorf("%s: a group is an opportunity, not a \"tilbud\"", g.Slug)
			}
		}
		t.Logf("models %v\nformats %v\nstatuses %v\nthemes %v\nlanguages %v", usedModels, usedFormats, usedStatuses, usedThemes, usedLangs)
		if len(groups) < 150 {
			t.Errorf("%d groups", len(groups))
		}
		for _, m := range models {
			if usedModels[m.Slug] == 0 {
				t.Errorf("no group of model %s", m.Slug)
			}
		}
		for _, f := range domain.Formats {
			if usedFormats[f] == 0 {
				t.Errorf("no %s group", f)
			}
		}
		for _, st := range domain.Statuses {
			if usedStatuses[st] == 0 {
				t.Errorf("no %s group", st)
			}
		}
		if usedStatuses[domain.StatusRunning]+usedStatuses[domain.StatusRecruiting] < len(groups)*6/10 {
			t.Errorf("statuses %v: most groups should be running or recruiting", usedStatuses)
		}
		if len(usedThemes) < 10 || usedThemes[domain.ThemeOpen] == 0 {
			t.Errorf("themes used: %v", usedThemes)
		}
		if usedLangs["se"] == 0 || usedLangs["en"] == 0 || usedLangs["nb"] < len(groups)/2 {
			t.Errorf("languages %v", usedLangs)
		}
		if samiNorth == 0 {
			t.Error("no group in a northern municipality with a Sami name")
		}
		if relatives < 5 {
			t.Errorf("%d groups speak of pårørende", relatives)
		}

		// A second Load changes nothing.
		version, err := s.DirectoryVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		again, err := demo.Load(ctx, s)
		if !errors.Is(err, demo.ErrNotEmpty) || again != (demo.Summary{}) {
			t.Errorf("second Load: %+v, %v", again, err)
		}
		if v, err := s.DirectoryVersion(ctx); err != nil || v != version {
			t.Errorf("directory version %d → %d (%v)", version, v, err)
		}
		if gs, err := s.AllGroups(ctx); err != nil || len(gs) != len(groups) {
			t.Errorf("groups %d → %d (%v)", len(groups), len(gs), err)
		}
	})
}

func TestLoadKeepsTaxonomy(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t, store.SQLite)
	sorg := domain.Theme{Slug: "sorg", Name: domain.Text{"nb": "Sorg og savn"}, SortOrder: 1, Active: true}
	if err := s.SaveTheme(ctx, &sorg); err != nil {
		t.Fatal(err)
	}
	sum, err := demo.Load(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	themes, err := s.Themes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Themes != len(themes)-1 {
		t.Errorf("%d themes added, %d in the store", sum.Themes, len(themes))
	}
	for _, th := range themes {
		if th.Slug == "sorg" && (th.ID != sorg.ID || th.Name["nb"] != "Sorg og savn") {
			t.Errorf("existing theme changed: %+v", th)
		}
	}
}

func TestGenerateRefusesOtherData(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t, store.SQLite)
	o := domain.Organisation{Kind: domain.OrgSelfHelpHouse, Slug: "huset", Name: "Huset"}
	if err := s.SaveOrganisation(ctx, &o); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Generate(ctx, s, 10, 1, nil); err == nil || errors.Is(err, demo.ErrNotEmpty) {
		t.Errorf("Generate on a store without the demo set: %v", err)
	}
	if _, err := demo.Load(ctx, s); !errors.Is(err, demo.ErrNotEmpty) {
		t.Errorf("Load: %v", err)
	}
}

func TestGenerate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var calls [][2]int
		start := time.Now()
		sum, err := demo.Generate(ctx, s, 2000, 1, func(done, total int) { calls = append(calls, [2]int{done, total}) })
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("Generate(2000) on an empty %s store: %v, %+v", s.Engine(), time.Since(start).Round(time.Millisecond), sum)
		if sum.Organisations == 0 || sum.Groups < 2150 {
			t.Errorf("Generate on an empty store did not load the demo set: %+v", sum)
		}
		if len(calls) != 1 || calls[0] != [2]int{2000, 2000} {
			t.Errorf("progress %v", calls)
		}
		groups, err := s.AllGroups(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(groups) != sum.Groups {
			t.Errorf("%d groups in the store, summary %+v", len(groups), sum)
		}
		venues, err := s.Venues(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(venues) > 400 {
			t.Errorf("%d venues", len(venues))
		}
		venueByID := map[string]domain.Venue{}
		for _, v := range venues {
			venueByID[v.ID] = v
		}
		slugs := map[string]bool{}
		generated := 0
		points := map[[2]float64]bool{}
		for _, g := range groups {
			if slugs[g.Slug] {
				t.Errorf("slug %s twice", g.Slug)
			}
			slugs[g.Slug] = true
			if isGenerated(g.Slug) {
				generated++
			}
			if v, ok := venueByID[g.VenueID]; ok {
				points[[2]float64{v.Lat, v.Lon}] = true
			}
			if next := g.Schedule.Next(g.Schedule.Start.Add(time.Minute), 1); len(next) == 0 {
				t.Errorf("%s: no meeting after the first", g.Slug)
			}
		}
		if generated != 2000 {
			t.Errorf("%d generated groups", generated)
		}
		if len(points) < 100 {
			t.Errorf("groups meet at only %d distinct points", len(points))
		}

		// A second call adds more, continuing the numbers, and no venues.
		more, err := demo.Generate(ctx, s, 300, 2, nil)
		if err != nil {
			t.Fatal(err)
		}
		if more != (demo.Summary{Groups: 300}) {
			t.Errorf("second Generate: %+v", more)
		}
		if _, err := s.Group(ctx, "selvhjelpsgruppe-pa-tvers-av-tema-oslo"); err != nil {
			t.Errorf("demo group by slug: %v", err)
		}
	})
}

func isGenerated(slug string) bool {
	i := strings.LastIndexByte(slug, '-')
	if i < 0 || len(slug)-i-1 < 6 {
		return false
	}
	_, err := strconv.Atoi(slug[i+1:])
	return err == nil
}

// fingerprint is what must be equal between two runs with the same seed.
func fingerprint(t *testing.T, s *store.Store) []string {
	t.Helper()
	ctx := context.Background()
	groups, err := s.AllGroups(ctx)
	if err != nil {
		t.Fatal(err)
	}
	venues, err := s.Venues(ctx)
	if err != nil {
		t.Fatal(err)
	}
	venueName := map[string]string{}
	for _, v := range venues {
		venueName[v.ID] = fmt.Sprintf("%s %.6f %.6f", v.Name, v.Lat, v.Lon)
	}
	var out []string
	for _, g := range groups {
		out = append(out, fmt.Sprintf("%s|%s|%s|%s|%s|%s|%d|%s|%s|%v", g.Slug, g.Name["nb"], g.Status, g.Format,
			g.Schedule.Start.Format(time.RFC3339), g.Schedule.RRule, g.Capacity, venueName[g.VenueID],
			g.VerifiedAt.Format(time.RFC3339), g.TakesNewMembers))
	}
	slices.Sort(out)
	return out
}

func TestGenerateDeterministic(t *testing.T) {
	ctx := context.Background()
	run := func(seed int64) []string {
		s := storetest.Open(t, store.SQLite)
		if _, err := demo.Generate(ctx, s, 2000, seed, nil); err != nil {
			t.Fatal(err)
		}
		return fingerprint(t, s)
	}
	a, b := run(7), run(7)
	if !slices.Equal(a, b) {
		for i := range min(len(a), len(b)) {
			if a[i] != b[i] {
				t.Fatalf("same seed, different groups:\n%s\n%s", a[i], b[i])
			}
		}
		t.Fatalf("same seed, %d and %d groups", len(a), len(b))
	}
	c := run(8)
	same := 0
	for i := range a {
		if a[i] == c[i] {
			same++
		}
	}
	if same > len(a)-2000/2 {
		t.Errorf("seeds 7 and 8 give %d of %d identical groups", same, len(a))
	}
}

// TestGenerateTiming measures Generate on a large set when
// FELLESROM_DEMO_N is set, e.g.
//
//	FELLESROM_DEMO_N=100000 go test ./internal/demo/ -run Timing -v -timeout 30m
func TestGenerateTiming(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("FELLESROM_DEMO_N"))
	if n <= 0 {
		t.Skip("set FELLESROM_DEMO_N to measure Generate")
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		start := time.Now()
		last := start
		sum, err := demo.Generate(ctx, s, n, 1, func(done, total int) {
			if done%20000 == 0 || done == total {
				t.Logf("%6d/%d  %v (last batch %v)", done, total, time.Since(start).Round(time.Millisecond), time.Since(last).Round(time.Millisecond))
			}
			last = time.Now()
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("Generate(%d) on %s: %v, %+v", n, s.Engine(), time.Since(start).Round(time.Millisecond), sum)
		start = time.Now()
		gs, err := s.AllGroups(ctx)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("AllGroups: %d groups in %v", len(gs), time.Since(start).Round(time.Millisecond))
	})
}
