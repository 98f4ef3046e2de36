package meetingguide_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/fellesrom/fellesrom/internal/demo"
	"github.com/fellesrom/fellesrom/internal/meetingguide"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// benchSizes are the generated directories' sizes (groups);
// FELLESROM_BENCH_GROUPS="1000,100000" overrides.
func benchSizes() []int {
	out := []int{1_000, 100_000}
	if s := os.Getenv("FELLESROM_BENCH_GROUPS"); s != "" {
		out = nil
		for _, p := range strings.Split(s, ",") {
			if n, err := strconv.Atoi(strings.TrimSpace(p)); err == nil && n > 0 {
				out = append(out, n)
			}
		}
	}
	return out
}

// discard is a ResponseWriter that keeps only the size of the body.
type discard struct {
	h    http.Header
	code int
	n    int64
}

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) WriteHeader(code int)        { d.code = code }
func (d *discard) Write(p []byte) (int, error) { d.n += int64(len(p)); return len(p), nil }

// keep is a testing.TB whose cleanups are left to the end of the process.
type keep struct{ *testing.B }

func (keep) Cleanup(func()) {}

// BenchmarkFeed measures GET /feeds/meeting-guide.json over a generated
// directory: "full" is a whole answer from the cached snapshot (streamed),
// "not-modified" an If-None-Match that matches (304), "rebuild" the first
// answer after a change to the directory (groups read again).
func BenchmarkFeed(b *testing.B) {
	for _, e := range storetest.Engines {
		for _, n := range benchSizes() {
			st := storetest.Open(keep{b}, e)
			ctx := context.Background()
			if _, err := demo.Generate(ctx, st, n, 1, nil); err != nil {
				b.Fatal(err)
			}
			h := newFeed(st)
			first := httptest.NewRecorder()
			h.ServeHTTP(first, httptest.NewRequest(http.MethodGet, meetingguide.Path, nil))
			tag := first.Header().Get("ETag")
			entries := bytes.Count(first.Body.Bytes(), []byte(`"slug":`))
			size := first.Body.Len()
			run := func(name string, prepare func(), etag string, want int) {
				b.Run(fmt.Sprintf("%s/groups=%d/%s", e, n, name), func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						if prepare != nil {
							b.StopTimer()
							prepare()
							b.StartTimer()
						}
						r := httptest.NewRequest(http.MethodGet, meetingguide.Path, nil)
						if etag != "" {
							r.Header.Set("If-None-Match", etag)
						}
						w := &discard{h: http.Header{}, code: 200}
						h.ServeHTTP(w, r)
						if w.code != want {
							b.Fatalf("status %d", w.code)
						}
					}
					b.ReportMetric(float64(entries), "entries")
					b.ReportMetric(float64(size), "body-bytes")
				})
			}
			run("full", nil, "", http.StatusOK)
			run("not-modified", nil, tag, http.StatusNotModified)
			run("rebuild", func() { bump(b, st) }, "", http.StatusOK)
		}
	}
}

// bump changes the directory (a theme saved again), which invalidates the
// snapshot.
func bump(b *testing.B, st *store.Store) {
	ctx := context.Background()
	themes, err := st.Themes(ctx)
	if err != nil || len(themes) == 0 {
		b.Fatal(err)
	}
	t := themes[0]
	if err := st.SaveTheme(ctx, &t); err != nil {
		b.Fatal(err)
	}
}
