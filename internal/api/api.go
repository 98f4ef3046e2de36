// Package api serves the JSON API under /api/v1 and its OpenAPI 3.1 contract
// at /api/openapi.yaml.
package api

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/fellesrom/fellesrom/internal/finder"
	"github.com/fellesrom/fellesrom/internal/store"
)

// Deps are what the API needs.
type Deps struct {
	Store  *store.Store
	Finder *finder.Finder
	Logger *slog.Logger
	Now    func() time.Time
}

// New returns the handler for /api/.
func New(d Deps) http.Handler {
	mux := http.NewServeMux()
	return mux
}
