package finder

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/fellesrom/fellesrom/internal/domain"
)

func TestPartialSort(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		n := 1 + r.IntN(300)
		xs := make([]int, n)
		for i := range xs {
			xs[i] = r.IntN(50)
		}
		want := slices.Clone(xs)
		slices.Sort(want)
		k := 1 + r.IntN(n)
		partialSort(xs, k, cmp.Compare[int])
		if !slices.Equal(xs[:k], want[:k]) {
			t.Fatalf("k=%d: %v, want %v", k, xs[:k], want[:k])
		}
	}
}

// TestNearMatchesBruteForce checks the radius search against the exact
// great-circle distance for random points across Norway.
func TestNearMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	n := 3000
	idx := &index{n: n, ids: make([]string, n), lat: make([]float64, n), lon: make([]float64, n),
		hasCoord: newBitset(n), all: newBitset(n)}
	idx.all.fill(n)
	for i := range n {
		idx.ids[i] = strconv.Itoa(i)
		idx.lat[i], idx.lon[i] = 58+r.Float64()*13, 5+r.Float64()*26
		if i%10 != 0 { // some groups have no coordinates
			idx.hasCoord.set(i)
		}
	}
	idx.buildCells()
	for range 50 {
		p := Point{58 + r.Float64()*13, 5 + r.Float64()*26}
		km := 5 + r.Float64()*300
		per := 1 + r.IntN(40)
		var want []string
		type d struct {
			id string
			km float64
		}
		var all []d
		for i := range n {
			if i%10 == 0 {
				continue
			}
			if k := domain.DistanceKm(p.Lat, p.Lon, idx.lat[i], idx.lon[i]); k <= km {
				all = append(all, d{idx.ids[i], k})
			}
		}
		slices.SortStableFunc(all, func(a, b d) int { return cmp.Compare(a.km, b.km) })
		for _, x := range all {
			want = append(want, x.id)
		}
		var got []string
		var total int
		for page := 1; ; page++ {
			res, err := idx.search(Query{Near: &p, RadiusKm: km, Page: page, PerPage: per})
			if err != nil {
				t.Fatal(err)
			}
			total = res.Total
			for i, h := range res.Hits {
				got = append(got, h.GroupID)
				if i > 0 && h.DistanceKm+0.5 < res.Hits[i-1].DistanceKm {
					t.Errorf("not nearest first: %v", res.Hits)
				}
			}
			if len(res.Hits) < per {
				break
			}
		}
		// The approximation may differ from the exact distance right at the
		// edge (well under 0.5 %); away from it the sets are equal.
		if diff := math.Abs(float64(total - len(want))); diff > 1+0.01*float64(len(want)) {
			t.Errorf("radius %.0f km: %d found, exact %d", km, total, len(want))
		}
		if len(got) != total {
			t.Errorf("paged through %d of %d", len(got), total)
		}
		inner := map[string]bool{}
		for _, x := range all {
			if x.km < km*0.995 {
				inner[x.id] = true
			}
		}
		gotSet := map[string]bool{}
		for _, id := range got {
			gotSet[id] = true
		}
		for id := range inner {
			if !gotSet[id] {
				t.Errorf("radius %.0f km: group %s well inside is missing", km, id)
			}
		}
	}
}
