package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
	"github.com/google/go-cmp/cmp"
)

// importGroup is a new in-person group of the fixture's house.
func importGroup(f fixture, slug string) *domain.Group {
	return &domain.Group{Slug: slug, Name: domain.Text{"nb": "Importert " + slug}, ModelID: f.model.ID, OrgID: f.house.ID,
		Format: domain.FormatInPerson, Languages: []string{"nb"}, AgeGroup: domain.AgeAdults, Gender: domain.GenderEveryone,
		Status: domain.StatusRunning, TakesNewMembers: true, Join: domain.JoinViaHouse, MunicipalityID: "5501"}
}

func TestApplyImportAllOrNothing(t *testing.T) {
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			ctx := store.WithActor(context.Background(), store.Actor{ID: "coord-1", Source: "test"})
			s, dsn := storetest.OpenDSN(t, e)
			db := storetest.DB(t, e, dsn)
			f := setup(t, s)
			before := storetest.EveryRow(t, e, db)
			version, err := s.DirectoryVersion(ctx)
			if err != nil {
				t.Fatal(err)
			}

			// Line 2 makes a venue and a group in it, line 3 changes the
			// fixture's group, line 4 takes the fixture group's slug: it
			// fails when written, so nothing is written.
			changed := f.group
			changed.Name = domain.Text{"nb": "Sorggruppe endret"}
			newVenue := &domain.Venue{OrgID: f.house.ID, Name: "Nytt sted", MunicipalityID: "5501", AddressPublic: true}
			first := importGroup(f, "ny-gruppe")
			bad := importGroup(f, f.group.Slug)
			imp := store.Import{Reason: "CSV import",
				NewVenues: []store.ImportVenue{{Key: "k", Venue: newVenue}},
				Rows: []store.ImportRow{{Line: 2, Group: first, VenueKey: "k"}, {Line: 3, Group: &changed},
					{Line: 4, Group: bad}}}
			err = s.ApplyImport(ctx, imp, "coord-1")
			var re *store.RowError
			if !errors.As(err, &re) || re.Line != 4 || re.Invalid {
				t.Fatalf("import with a failing row: %v, want a write error on line 4", err)
			}
			if diff := cmp.Diff(before, storetest.EveryRow(t, e, db)); diff != "" {
				t.Errorf("the failed import changed the database (-before +after):\n%s", diff)
			}
			if first.ID != "" || newVenue.ID != "" {
				t.Errorf("IDs set by a failed import: group %q venue %q", first.ID, newVenue.ID)
			}

			// A row that breaks a rule is named before anything is tried.
			video := importGroup(f, "video")
			video.Format, video.Join, video.OnlineURL = domain.FormatVideo, domain.JoinJustCome, "http://insecure.example/m"
			err = s.ApplyImport(ctx, store.Import{Rows: []store.ImportRow{{Line: 2, Group: first}, {Line: 7, Group: video}}}, "coord-1")
			if !errors.As(err, &re) || re.Line != 7 || !re.Invalid || !errors.Is(err, store.ErrOnlineURL) {
				t.Fatalf("import with an invalid row: %v", err)
			}
			if diff := cmp.Diff(before, storetest.EveryRow(t, e, db)); diff != "" {
				t.Errorf("the invalid import changed the database:\n%s", diff)
			}

			// Without the failing row the import is written whole, with one
			// bump of the directory version and an audit row per change.
			imp.Rows = imp.Rows[:2]
			if err := s.ApplyImport(ctx, imp, "coord-1"); err != nil {
				t.Fatal(err)
			}
			if first.ID == "" || newVenue.ID == "" || first.VenueID != newVenue.ID {
				t.Fatalf("IDs after the import: group %q venue %q (group's venue %q)", first.ID, newVenue.ID, first.VenueID)
			}
			got, err := s.Group(ctx, first.ID)
			if err != nil || got.VenueID != newVenue.ID {
				t.Fatalf("imported group: %+v %v", got, err)
			}
			if g, _ := s.Group(ctx, f.group.ID); g.Name["nb"] != "Sorggruppe endret" {
				t.Errorf("changed group's name %q", g.Name["nb"])
			}
			if v, _ := s.DirectoryVersion(ctx); v != version+1 {
				t.Errorf("directory version %d, want %d", v, version+1)
			}
			log, err := s.AuditLog(ctx, store.AuditFilter{})
			if err != nil {
				t.Fatal(err)
			}
			actions := map[string]int{}
			for _, a := range log {
				if a.ActorID == "coord-1" {
					actions[a.Action]++
				}
			}
			want := map[string]int{"venue.create": 1, "group.create": 1, "group.update": 1}
			if diff := cmp.Diff(want, actions); diff != "" {
				t.Errorf("audit rows of the import (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGroupOnlineFields(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := setup(t, s)
		g := importGroup(f, "telefonmote")
		g.Format, g.Join = domain.FormatTelephone, domain.JoinJustCome
		if err := s.SaveGroup(ctx, g, "test", ""); !errors.Is(err, store.ErrOnlineNeedDial) {
			t.Fatalf("open telephone group without a number: %v", err)
		}
		g.OnlinePhone, g.OnlineNotes = "+47 22 00 00 00", "PIN 1234"
		if err := s.SaveGroup(ctx, g, "test", ""); err != nil {
			t.Fatal(err)
		}
		got, err := s.Group(ctx, g.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.OnlinePhone != "+4722000000" || got.OnlineNotes != "PIN 1234" || got.OnlineURL != "" {
			t.Errorf("stored online fields: %q %q %q", got.OnlinePhone, got.OnlineNotes, got.OnlineURL)
		}
		got.Format, got.OnlineURL = domain.FormatVideo, "https://meet.example.no/abc?pwd=1"
		if err := s.SaveGroup(ctx, &got, "test", ""); err != nil {
			t.Fatal(err)
		}
		if again, _ := s.Group(ctx, g.ID); again.OnlineURL != "https://meet.example.no/abc?pwd=1" {
			t.Errorf("url %q", again.OnlineURL)
		}
		// A closed video group need not have its link here: the house gives it.
		closed := importGroup(f, "lukket-video")
		closed.Format = domain.FormatVideo
		if err := s.SaveGroup(ctx, closed, "test", ""); err != nil {
			t.Errorf("closed video group without a link: %v", err)
		}
		for _, bad := range []struct {
			url, phone, notes string
			want              error
		}{
			{url: "http://meet.example.no/x", want: store.ErrOnlineURL},
			{url: "javascript:alert(1)", want: store.ErrOnlineURL},
			{url: "https://", want: store.ErrOnlineURL},
			{phone: "123", want: store.ErrOnlinePhone},
			{phone: "+47 22 00 00 00 ring meg", want: store.ErrOnlinePhone},
			{notes: string(make([]byte, 201)), want: store.ErrOnlineNotes},
		} {
			b := got
			b.OnlineURL, b.OnlinePhone, b.OnlineNotes = bad.url, bad.phone, bad.notes
			if b.OnlineURL == "" {
				b.Format = domain.FormatHybrid
			}
			if err := store.ValidateGroup(&b); !errors.Is(err, bad.want) {
				t.Errorf("%q %q %d: %v, want %v", bad.url, bad.phone, len(bad.notes), err, bad.want)
			}
		}
	})
}
