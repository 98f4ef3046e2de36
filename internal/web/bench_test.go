package web_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// BenchmarkPages measures rendering whole pages through the full handler
// (middleware, gzip included) on the demo set.
func BenchmarkPages(b *testing.B) {
	f := setup(b, storetest.Open(b, store.SQLite))
	for _, p := range []struct{ name, path string }{
		{"front", "/"},
		{"finder", "/finn"},
		{"finder-text", "/finn?q=p%C3%A5r%C3%B8rende"},
		{"group", "/gruppe/" + f.closed.Slug},
		{"organisation", "/organisasjon/" + f.house.Slug},
	} {
		b.Run(p.name, func(b *testing.B) {
			for b.Loop() {
				req := httptest.NewRequest("GET", p.path, nil)
				req.Header.Set("Accept-Encoding", "gzip")
				rec := httptest.NewRecorder()
				f.h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("%s: %d", p.path, rec.Code)
				}
			}
		})
	}
}
