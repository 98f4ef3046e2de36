package finder_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"sync"
	"testing"

	"github.com/fellesrom/fellesrom/internal/demo"
	"github.com/fellesrom/fellesrom/internal/finder"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// benchGroups is the size of the generated directory; FELLESROM_BENCH_GROUPS
// overrides the default of 100,000.
func benchGroups() int {
	if n, err := strconv.Atoi(os.Getenv("FELLESROM_BENCH_GROUPS")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

var (
	benchMu     sync.Mutex
	benchStores = map[store.Engine]*store.Store{}
)

// benchStore returns a store with the generated directory, made once per
// engine and process (the databases outlive the first benchmark that asks).
func benchStore(b *testing.B, e store.Engine) *store.Store {
	benchMu.Lock()
	defer benchMu.Unlock()
	if st, ok := benchStores[e]; ok {
		return st
	}
	st := storetest.Open(&keepAlive{b}, e)
	if _, err := demo.Generate(context.Background(), st, benchGroups(), 1, nil); err != nil {
		b.Fatal(err)
	}
	benchStores[e] = st
	return st
}

// keepAlive is a testing.TB whose cleanups run at the end of the process
// (in TestMain), not at the end of the first benchmark.
type keepAlive struct{ *testing.B }

func (k *keepAlive) Cleanup(func()) {}

var benchQueries = []struct{ name, params string }{
	{"all", ""},
	{"text", "q=pårørende"},
	{"text-two-words", "q=sorg+partner"},
	{"theme-municipality", "theme=angst&municipality=0301"},
	{"county-open-evening", "county=55&open=1&time=evening"},
	{"format-day-lang", "format=video,telephone&day=tu,we&lang=nb"},
	{"near-30km", "near=59.91,10.75&km=30"},
	{"page-50", "page=50"},
}

// BenchmarkSearch measures one finder search, as the finder page and the JSON
// API run it: the index query and the page of 20 groups read from the store.
func BenchmarkSearch(b *testing.B) {
	for _, e := range storetest.Engines {
		st := benchStore(b, e)
		f := finder.New(st)
		ctx := context.Background()
		if _, err := f.Catalog(ctx); err != nil { // build the index outside the timing
			b.Fatal(err)
		}
		for _, bq := range benchQueries {
			v, _ := url.ParseQuery(bq.params)
			q, err := finder.ParseQuery(v)
			if err != nil {
				b.Fatal(err)
			}
			b.Run(fmt.Sprintf("%s/%s", e, bq.name), func(b *testing.B) {
				hits := 0
				for b.Loop() {
					res, err := f.Search(ctx, q)
					if err != nil {
						b.Fatal(err)
					}
					ls, err := f.Listings(ctx, res.Hits)
					if err != nil {
						b.Fatal(err)
					}
					hits = res.Total
					_ = ls
				}
				b.ReportMetric(float64(hits), "hits")
			})
		}
	}
}

// BenchmarkIndexBuild measures building the index from nothing, as an
// instance does at its first search.
func BenchmarkIndexBuild(b *testing.B) {
	for _, e := range storetest.Engines {
		st := benchStore(b, e)
		b.Run(string(e), func(b *testing.B) {
			for b.Loop() {
				f := finder.New(st)
				if _, err := f.Catalog(context.Background()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkIndexRefresh measures what every instance does at its next search
// after a change to one group: reload that group, rebuild the index.
func BenchmarkIndexRefresh(b *testing.B) {
	for _, e := range storetest.Engines {
		st := benchStore(b, e)
		ctx := context.Background()
		f := finder.New(st)
		res, err := f.Search(ctx, finder.Query{Page: 1, PerPage: 1})
		if err != nil {
			b.Fatal(err)
		}
		g, err := st.Group(ctx, res.Hits[0].GroupID)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(string(e), func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				g.Capacity = g.Capacity%8 + 1
				if err := st.SaveGroup(ctx, &g, "bench", ""); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if _, err := f.Catalog(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
