// Package web serves the public site: the front page, the finder, group and
// organisation pages. Pages are rendered on the server with html/template and
// work without JavaScript.
package web

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/fellesrom/fellesrom/internal/finder"
	"github.com/fellesrom/fellesrom/internal/store"
)

// Deps are what the site needs.
type Deps struct {
	Store  *store.Store
	Finder *finder.Finder
	Logger *slog.Logger
	Now    func() time.Time
}

// New returns the handler of the public site (every path but /api/ and /healthz).
func New(d Deps) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte("<!doctype html><html lang=\"nb\"><title>fellesrom</title><h1>fellesrom</h1></html>"))
	})
	return mux
}
