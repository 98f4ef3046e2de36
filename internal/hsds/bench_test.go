package hsds_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/fellesrom/fellesrom/internal/demo"
	"github.com/fellesrom/fellesrom/internal/finder"
	"github.com/fellesrom/fellesrom/internal/hsds"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// benchSizes are the numbers of generated groups; FELLESROM_BENCH_GROUPS
// (comma-separated) overrides the default of 1,000 and 100,000.
func benchSizes() []int {
	sizes := []int{1_000, 100_000}
	if s := os.Getenv("FELLESROM_BENCH_GROUPS"); s != "" {
		sizes = nil
		for p := range strings.SplitSeq(s, ",") {
			if n, err := strconv.Atoi(p); err == nil && n > 0 {
				sizes = append(sizes, n)
			}
		}
	}
	return sizes
}

// keepAlive is a testing.TB whose cleanups run at the end of the process
// (in TestMain), so that a benchmark's database outlives its first run.
type keepAlive struct{ *testing.B }

func (k *keepAlive) Cleanup(func()) {}

// BenchmarkServiceList measures GET /hsds/services through the handler: a
// page of 50 services (flat and full), a filtered page, a 304, and (at the
// smaller size) the full JSON export. Run it with
//
//	go test ./internal/hsds/ -run XXX -bench ServiceList -benchmem
func BenchmarkServiceList(b *testing.B) {
	ctx := context.Background()
	for _, n := range benchSizes() {
		for _, e := range storetest.Engines {
			st := storetest.Open(&keepAlive{b}, e)
			if _, err := demo.Generate(ctx, st, n, 1, nil); err != nil {
				b.Fatal(err)
			}
			h := hsds.New(hsds.Deps{Store: st, Finder: finder.New(st)})
			get := func(b *testing.B, path string, header ...string) *httptest.ResponseRecorder {
				req := httptest.NewRequest(http.MethodGet, path, nil)
				if len(header) == 2 {
					req.Header.Set(header[0], header[1])
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK && rec.Code != http.StatusNotModified {
					b.Fatalf("%s: %d", path, rec.Code)
				}
				return rec
			}
			term := firstTerm(b, st)
			etag := get(b, "/hsds/services").Header().Get("ETag") // builds the finder's index
			cases := []struct{ name, path, inm string }{
				{"page", "/hsds/services", ""},
				{"page-full", "/hsds/services?full=true", ""},
				{"page-100", "/hsds/services?page=100&per_page=10", ""},
				{"search-term", "/hsds/services?search=sorg&taxonomy_term_id=" + term, ""},
				{"modified-after", "/hsds/services?modified_after=2000-01-01", ""},
				{"not-modified", "/hsds/services", etag},
			}
			if n <= 10_000 {
				cases = append(cases, struct{ name, path, inm string }{"export-json", "/hsds/export.json", ""})
			}
			for _, c := range cases {
				b.Run(fmt.Sprintf("%d/%s/%s", n, e, c.name), func(b *testing.B) {
					bytes := 0
					for b.Loop() {
						var rec *httptest.ResponseRecorder
						if c.inm != "" {
							rec = get(b, c.path, "If-None-Match", c.inm)
						} else {
							rec = get(b, c.path)
						}
						bytes = rec.Body.Len()
					}
					b.ReportMetric(float64(bytes), "B/resp")
				})
			}
		}
	}
}

func firstTerm(b *testing.B, st *store.Store) string {
	themes, err := st.Themes(context.Background())
	if err != nil || len(themes) == 0 {
		b.Fatal("no themes", err)
	}
	for _, t := range themes {
		if t.Slug == "sorg" {
			return t.ID
		}
	}
	return themes[0].ID
}
