package api_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"testing"

	"github.com/fellesrom/fellesrom/internal/demo"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// TestDemoDirectory reads the whole demo directory through the API: every
// answer must keep the contract, and no meeting place that is hidden from
// the public may appear anywhere.
func TestDemoDirectory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		sum, err := demo.Load(ctx, st)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Groups < 150 {
			t.Fatalf("demo: %d groups", sum.Groups)
		}
		c := newClient(t, st)
		c.forbidden = hiddenPlaces(t, st)
		if len(c.forbidden) == 0 {
			t.Error("the demo data have no hidden meeting place to look for")
		}

		var ids []string
		total := -1
		for next := "/api/v1/groups?per_page=100"; next != ""; {
			p := decode[pageJSON](t, c.get(next))
			total = p.Total
			for _, it := range p.Items {
				ids = append(ids, it.ID)
			}
			next = p.Links.Next
		}
		if len(ids) != total || len(slices.Compact(slices.Sorted(slices.Values(ids)))) != total {
			t.Errorf("paging gave %d ids for a total of %d", len(ids), total)
		}
		all, err := st.AllGroups(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range all {
			r := c.get("/api/v1/groups/" + g.ID)
			if r.status != http.StatusOK {
				t.Errorf("group %s: %d", g.Slug, r.status)
			}
			if want := g.Status != domain.StatusEnded; slices.Contains(ids, g.ID) != want {
				t.Errorf("group %s (%s): in search %v", g.Slug, g.Status, !want)
			}
		}
		orgs := decode[struct{ Items []organisationJSON }](t, c.get("/api/v1/organisations")).Items
		for _, o := range orgs {
			c.get("/api/v1/organisations/" + o.Slug)
		}
		themes := decode[struct{ Items []struct{ Slug string } }](t, c.get("/api/v1/themes")).Items
		models := decode[struct{ Items []struct{ Slug string } }](t, c.get("/api/v1/models")).Items
		for _, th := range themes {
			for _, q := range []string{"theme=" + th.Slug, "theme=" + th.Slug + "&open=1&per_page=100"} {
				c.get("/api/v1/groups?" + q)
			}
		}
		for _, m := range models {
			c.get("/api/v1/groups?model=" + m.Slug + "&per_page=100")
		}
		for _, q := range []string{"near=59.91,10.75&km=50", "near=69.65,18.96&km=100", "near=60.39,5.32&km=2000&per_page=100",
			"q=" + url.QueryEscape("pårørende"), "q=sorg", "format=telephone,video", "day=mo&time=evening", "lang=se", "lang=en",
			"county=55", "county=03", "page=2&per_page=7"} {
			c.get("/api/v1/groups?" + q)
		}
		c.get("/api/v1/municipalities")
		c.get("/api/v1/counties")
		if t.Failed() {
			t.Logf("demo: %+v", sum)
		}
	})
}

// hiddenPlaces lists what identifies the meeting places that no public
// view may show: the streets and coordinates of venues where groups meet
// that the public may not see at any of them, nor as an organisation's
// address.
func hiddenPlaces(t *testing.T, st *store.Store) []string {
	t.Helper()
	ctx := context.Background()
	groups, err := st.AllGroups(ctx)
	if err != nil {
		t.Fatal(err)
	}
	models, err := st.Models(ctx)
	if err != nil {
		t.Fatal(err)
	}
	venues, err := st.Venues(ctx)
	if err != nil {
		t.Fatal(err)
	}
	orgs, err := st.Organisations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	model := map[string]domain.Model{}
	for _, m := range models {
		model[m.ID] = m
	}
	venue := map[string]domain.Venue{}
	for _, v := range venues {
		venue[v.ID] = v
	}
	shown, used := map[string]bool{}, map[string]bool{}
	for _, g := range groups {
		v, ok := venue[g.VenueID]
		if !ok {
			continue
		}
		used[v.ID] = true
		if domain.AddressVisible(g, model[g.ModelID], v) {
			shown[v.ID] = true
		}
	}
	for _, o := range orgs {
		if v, ok := venue[o.VenueID]; ok && v.AddressPublic {
			shown[v.ID] = true
		}
	}
	// What a shown venue says may be said; a street name shared with a
	// shown venue proves nothing.
	said := map[string]bool{}
	for id := range shown {
		v := venue[id]
		said[v.Street], said[latJSON(v)], said[lonJSON(v)] = true, true, true
	}
	var out []string
	for id := range used {
		v := venue[id]
		if shown[id] {
			continue
		}
		if v.Street != "" && !said[v.Street] {
			out = append(out, v.Street)
		}
		if v.HasCoordinates && !said[latJSON(v)] {
			out = append(out, latJSON(v))
		}
		if v.HasCoordinates && !said[lonJSON(v)] {
			out = append(out, lonJSON(v))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// latJSON and lonJSON are a venue's coordinates as the API would write them.
func latJSON(v domain.Venue) string { return `"lat":` + strconv.FormatFloat(v.Lat, 'f', -1, 64) + "," }
func lonJSON(v domain.Venue) string { return `"lon":` + strconv.FormatFloat(v.Lon, 'f', -1, 64) + "," }
