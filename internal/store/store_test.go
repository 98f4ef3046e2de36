package store_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
	"github.com/fellesrom/fellesrom/internal/testdb"
	"github.com/google/go-cmp/cmp"
)

func TestMain(m *testing.M) { testdb.Main(m) }

type fixture struct {
	house  domain.Organisation
	model  domain.Model
	theme  domain.Theme
	venue  domain.Venue
	room   domain.Room
	group  domain.Group
	themes []domain.Theme
}

func setup(t *testing.T, s *store.Store) fixture {
	t.Helper()
	ctx := context.Background()
	var f fixture
	f.model = domain.Model{Slug: "selvhjelp-norge", Name: domain.Text{"nb": "Selvhjelpsgruppe", "en": "Self-help group"},
		Intake: domain.IntakeClosed, Leadership: domain.LeadStarter, SizeMin: 4, SizeMax: 8, DefaultJoin: domain.JoinViaHouse}
	if err := s.SaveModel(ctx, &f.model); err != nil {
		t.Fatal(err)
	}
	for i, slug := range []string{"sorg", "angst"} {
		th := domain.Theme{Slug: slug, Name: domain.Text{"nb": slug}, SortOrder: i, Active: true}
		if err := s.SaveTheme(ctx, &th); err != nil {
			t.Fatal(err)
		}
		f.themes = append(f.themes, th)
	}
	f.theme = f.themes[0]
	f.house = domain.Organisation{Kind: domain.OrgSelfHelpHouse, Slug: "selvhjelpshuset-tromso", Name: "Selvhjelpshuset Tromsø",
		Description: domain.Text{"nb": "Et møtested"}, Municipalities: []string{"5501", "5612"}}
	if err := s.SaveOrganisation(ctx, &f.house); err != nil {
		t.Fatal(err)
	}
	f.venue = domain.Venue{OrgID: f.house.ID, Name: "Huset", Street: "Storgata 1", PostalCode: "9008", City: "Tromsø",
		MunicipalityID: "5501", Lat: 69.6496, Lon: 18.956, HasCoordinates: true, StepFree: true, AddressPublic: true,
		Directions: domain.Text{"nb": "Inngang fra bakgården"}}
	if err := s.SaveVenue(ctx, &f.venue); err != nil {
		t.Fatal(err)
	}
	f.room = domain.Room{VenueID: f.venue.ID, Name: "Peisestua", Capacity: 10}
	if err := s.SaveRoom(ctx, &f.room); err != nil {
		t.Fatal(err)
	}
	oslo, _ := time.LoadLocation("Europe/Oslo")
	f.group = domain.Group{Slug: "sorggruppe-tromso", Name: domain.Text{"nb": "Sorggruppe", "en": "Grief group"},
		Description: domain.Text{"nb": "For deg som har mistet noen."}, ModelID: f.model.ID, OrgID: f.house.ID,
		Format: domain.FormatInPerson, Languages: []string{"nb", "se"}, AgeGroup: domain.AgeAdults, Gender: domain.GenderEveryone,
		Status: domain.StatusRecruiting, TakesNewMembers: true, Capacity: 8, Join: domain.JoinViaHouse,
		Schedule: domain.Schedule{Start: time.Date(2026, 9, 1, 18, 0, 0, 0, oslo).UTC(), DurationMin: 90, TZ: "Europe/Oslo",
			RRule: "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", ExDates: []time.Time{time.Date(2026, 12, 22, 17, 0, 0, 0, time.UTC)}},
		VenueID: f.venue.ID, RoomID: f.room.ID, MunicipalityID: "5501", ThemeIDs: []string{f.themes[0].ID, f.themes[1].ID},
		VerifiedAt: time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)}
	if err := s.SaveGroup(ctx, &f.group, "test", ""); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestReferenceDataLoaded(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ms, err := s.Municipalities(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != 357 {
			t.Fatalf("%d municipalities, want 357", len(ms))
		}
		// Norwegian order: Å after Ø and Z.
		if ms[len(ms)-1].Name[:2] != "Å" || ms[0].Name != "Agdenes" && ms[0].Name[0] != 'A' {
			t.Errorf("last municipality %q, want one starting with Å", ms[len(ms)-1].Name)
		}
		cs, err := s.Counties(ctx)
		if err != nil || len(cs) != 15 {
			t.Fatalf("counties: %d %v", len(cs), err)
		}
		// Migrating again is harmless and keeps the counts.
		if err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if ms2, _ := s.Municipalities(ctx); len(ms2) != 357 {
			t.Errorf("after a second migrate: %d", len(ms2))
		}
	})
}

func TestGroupRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := setup(t, s)
		got, err := s.Group(ctx, f.group.Slug)
		if err != nil {
			t.Fatal(err)
		}
		want := f.group
		want.Languages = []string{"nb", "se"}
		if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) }),
			cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".ThemeIDs" }, cmp.Ignore())); diff != "" {
			t.Errorf("group after round trip (-want +got):\n%s", diff)
		}
		if len(got.ThemeIDs) != 2 {
			t.Errorf("themes %v", got.ThemeIDs)
		}
		if got.CreatedAt.Location() != time.UTC || got.Schedule.Start.Location() != time.UTC {
			t.Error("times should come back in UTC")
		}
		if byID, err := s.Group(ctx, f.group.ID); err != nil || byID.Slug != f.group.Slug {
			t.Errorf("by ID: %v %v", byID.Slug, err)
		}
		if _, err := s.Group(ctx, "no-such-group"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("missing group: %v", err)
		}
	})
}

func TestGroupStatusHistory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := setup(t, s)
		v0, _ := s.DirectoryVersion(ctx)
		g := f.group
		g.Status = domain.StatusStarting
		if err := s.SaveGroup(ctx, &g, "coordinator-1", "Seks har takket ja"); err != nil {
			t.Fatal(err)
		}
		g.Capacity = 7 // no status change: no history entry
		if err := s.SaveGroup(ctx, &g, "coordinator-1", ""); err != nil {
			t.Fatal(err)
		}
		h, err := s.GroupHistory(ctx, g.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(h) != 2 || h[0].Status != domain.StatusRecruiting || h[1].Status != domain.StatusStarting ||
			h[1].Reason != "Seks har takket ja" || h[1].ChangedBy != "coordinator-1" {
			t.Errorf("history %+v", h)
		}
		if v1, _ := s.DirectoryVersion(ctx); v1 != v0+2 {
			t.Errorf("directory version %d → %d, want +2", v0, v1)
		}
		g.Status = "dissolved"
		if err := s.SaveGroup(ctx, &g, "x", ""); err == nil {
			t.Error("unknown status accepted")
		}
	})
}

func TestGroupValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		ctx := context.Background()
		bad := []func(g *domain.Group){
			func(g *domain.Group) { g.Name = nil },
			func(g *domain.Group) { g.Format = "carrier-pigeon" },
			func(g *domain.Group) { g.Languages = []string{"norsk"} },
			func(g *domain.Group) { g.Schedule.RRule = "FREQ=DAILY" },
			func(g *domain.Group) { g.Schedule.TZ = "Mars/Olympus" },
			func(g *domain.Group) { g.Capacity = -1 },
			func(g *domain.Group) { g.ModelID = store.NewID() }, // foreign key
		}
		for i, mutate := range bad {
			g := f.group
			g.ID, g.Slug = "", "bad-"+string(rune('a'+i))
			mutate(&g)
			if err := s.SaveGroup(ctx, &g, "test", ""); err == nil {
				t.Errorf("case %d accepted", i)
			}
		}
	})
}

func TestOrganisationsVenuesRooms(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := setup(t, s)
		o, err := s.Organisation(ctx, "selvhjelpshuset-tromso")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"5501", "5612"}, o.Municipalities); diff != "" {
			t.Errorf("municipalities: %s", diff)
		}
		child := domain.Organisation{ParentID: o.ID, Kind: domain.OrgVolunteerCentre, Slug: "frivilligsentral", Name: "Frivilligsentralen"}
		if err := s.SaveOrganisation(ctx, &child); err != nil {
			t.Fatal(err)
		}
		all, err := s.Organisations(ctx)
		if err != nil || len(all) != 2 || all[0].Name != "Frivilligsentralen" || all[1].ParentID != "" || all[0].ParentID != o.ID {
			t.Errorf("organisations %+v %v", all, err)
		}
		v, err := s.Venue(ctx, f.venue.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(f.venue, v); diff != "" {
			t.Errorf("venue (-want +got):\n%s", diff)
		}
		rooms, err := s.Rooms(ctx, f.venue.ID)
		if err != nil || len(rooms) != 1 || cmp.Diff(f.room, rooms[0]) != "" {
			t.Errorf("rooms %+v %v", rooms, err)
		}
		eq := domain.Room{VenueID: f.venue.ID, Name: "Kjøkkenet", Equipment: []string{"wifi", "kitchen", "wifi"}, StepFree: true}
		if err := s.SaveRoom(ctx, &eq); err != nil || !slices.Equal(eq.Equipment, []string{"kitchen", "wifi"}) {
			t.Errorf("room with equipment: %+v %v", eq, err)
		}
		if err := s.SaveRoom(ctx, &domain.Room{VenueID: f.venue.ID, Name: "X", Equipment: []string{"jacuzzi"}}); err == nil {
			t.Error("a room with unknown equipment was saved")
		}
		if err := s.SaveVenue(ctx, &domain.Venue{MunicipalityID: "9999"}); err == nil {
			t.Error("venue in an unknown municipality accepted")
		}
		gs, err := s.GroupsOfOrganisation(ctx, o.ID)
		if err != nil || len(gs) != 1 || gs[0].ID != f.group.ID {
			t.Errorf("groups of organisation: %v %v", gs, err)
		}
	})
}

func TestGroupsByIDKeepsOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := setup(t, s)
		var batch []*domain.Group
		for _, slug := range []string{"b", "c", "d"} {
			g := f.group
			g.ID, g.Slug = "", slug
			batch = append(batch, &g)
		}
		if err := s.InsertGroups(ctx, batch, "demo"); err != nil {
			t.Fatal(err)
		}
		ids := []string{batch[2].ID, f.group.ID, store.NewID(), batch[0].ID}
		gs, err := s.GroupsByID(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		var slugs []string
		for _, g := range gs {
			slugs = append(slugs, g.Slug)
			if len(g.ThemeIDs) != 2 || len(g.Languages) != 2 {
				t.Errorf("%s: themes %v languages %v", g.Slug, g.ThemeIDs, g.Languages)
			}
		}
		if diff := cmp.Diff([]string{"d", "sorggruppe-tromso", "b"}, slugs); diff != "" {
			t.Errorf("order: %s", diff)
		}
		all, err := s.AllGroups(ctx)
		if err != nil || len(all) != 4 {
			t.Errorf("all groups: %d %v", len(all), err)
		}
	})
}

func TestConcurrentMigrate(t *testing.T) {
	// Several instances starting at once against one PostgreSQL database
	// take turns; none fails.
	dsn := testdb.Postgres(t, func(string) error { return nil })
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			s, err := store.Open(context.Background(), dsn)
			if err != nil {
				errs <- err
				return
			}
			defer s.Close()
			errs <- s.Migrate(context.Background())
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

func TestValidID(t *testing.T) {
	if !store.ValidID(store.NewID()) {
		t.Error("NewID is not valid")
	}
	for _, s := range []string{"", "x", "123e4567-e89b-12d3-a456-42661417400G", "123E4567-E89B-12D3-A456-426614174000", "../../etc/passwd"} {
		if store.ValidID(s) {
			t.Errorf("ValidID(%q)", s)
		}
	}
}
