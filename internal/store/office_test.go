package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// The back office's list of groups: by organisation and status, paged by
// slug, with the total.
func TestOfficeGroups(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := setup(t, s)
		other := domain.Organisation{Kind: domain.OrgSelfHelpHouse, Slug: "huset-bodo", Name: "Huset Bodø"}
		if err := s.SaveOrganisation(ctx, &other); err != nil {
			t.Fatal(err)
		}
		for i := range 7 {
			g := f.group
			g.ID, g.Slug, g.OrgID = "", fmt.Sprintf("g-%02d", i), f.house.ID
			if i%2 == 1 {
				g.OrgID = other.ID
			}
			if i >= 5 {
				g.Status = domain.StatusEnded
			}
			if err := s.SaveGroup(ctx, &g, "test", ""); err != nil {
				t.Fatal(err)
			}
		}
		slugs := func(gs []domain.Group) []string {
			var out []string
			for _, g := range gs {
				out = append(out, g.Slug)
			}
			return out
		}
		gs, total, err := s.OfficeGroups(ctx, store.OfficeGroupFilter{Limit: 3})
		if err != nil || total != 8 || !slices.Equal(slugs(gs), []string{"g-00", "g-01", "g-02"}) {
			t.Errorf("all, first page: %v %d %v", slugs(gs), total, err)
		}
		gs, _, _ = s.OfficeGroups(ctx, store.OfficeGroupFilter{Limit: 3, Offset: 6})
		if got := slugs(gs); !slices.Equal(got, []string{"g-06", f.group.Slug}) {
			t.Errorf("all, last page: %v", got)
		}
		gs, total, _ = s.OfficeGroups(ctx, store.OfficeGroupFilter{OrgIDs: []string{other.ID}})
		if total != 3 || !slices.Equal(slugs(gs), []string{"g-01", "g-03", "g-05"}) {
			t.Errorf("other house: %v %d", slugs(gs), total)
		}
		gs, total, _ = s.OfficeGroups(ctx, store.OfficeGroupFilter{OrgIDs: []string{other.ID, f.house.ID}, Status: domain.StatusEnded})
		if total != 2 || !slices.Equal(slugs(gs), []string{"g-05", "g-06"}) {
			t.Errorf("ended: %v %d", slugs(gs), total)
		}
		if gs, total, err := s.OfficeGroups(ctx, store.OfficeGroupFilter{OrgIDs: []string{}}); len(gs) != 0 || total != 0 || err != nil {
			t.Errorf("no organisations: %v %d %v", gs, total, err)
		}
		if gs[0].Name.In("nb") == "" || gs[0].OrgID == "" {
			t.Errorf("a listed group lacks its name or organisation: %+v", gs[0])
		}
	})
}

func TestUserNamesAndAllRooms(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := setup(t, s)
		u := store.User{Email: "kari@example.no", Name: "Kari Nordmann"}
		if err := s.CreateUser(ctx, &u); err != nil {
			t.Fatal(err)
		}
		names, err := s.UserNames(ctx, []string{u.ID, "system", u.ID, "demo"})
		if err != nil || len(names) != 1 || names[u.ID] != "Kari Nordmann" {
			t.Errorf("names %v %v", names, err)
		}
		if names, err := s.UserNames(ctx, nil); err != nil || len(names) != 0 {
			t.Errorf("no ids: %v %v", names, err)
		}
		second := domain.Room{VenueID: f.venue.ID, Name: "Biblioteket", Capacity: 4}
		if err := s.SaveRoom(ctx, &second); err != nil {
			t.Fatal(err)
		}
		rooms, err := s.AllRooms(ctx)
		if err != nil || len(rooms) != 1 || len(rooms[f.venue.ID]) != 2 || rooms[f.venue.ID][0].Name != "Biblioteket" {
			t.Errorf("rooms %+v %v", rooms, err)
		}
	})
}
