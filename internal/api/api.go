// Package api serves the JSON API under /api/v1 and its OpenAPI 3.1 contract
// at /api/openapi.yaml (and /api/openapi.json). The contract, api/openapi.yaml,
// is the source of truth; the tests check every response against it.
//
// The API is read-only and public: it holds no personal data, and it shows
// where a group meets only when finder.Listing says the address is visible.
// Handlers stay thin: parse, call the finder, map (listing.go), render.
package api

import (
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	apispec "github.com/fellesrom/fellesrom/api"
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

type server struct {
	finder   *finder.Finder
	log      *slog.Logger
	now      func() time.Time
	specYAML []byte
	specJSON []byte
}

// handlerFunc answers a GET (or HEAD) whose query string has been parsed.
type handlerFunc func(w http.ResponseWriter, r *http.Request, v url.Values)

// New returns the handler for /api/. It panics if the embedded contract
// cannot be converted to JSON, which the package's tests rule out.
func New(d Deps) http.Handler {
	s := &server{finder: d.Finder, log: d.Logger, now: d.Now, specYAML: apispec.YAML()}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	js, err := apispec.JSON()
	if err != nil {
		panic("api: the embedded OpenAPI document does not convert to JSON: " + err.Error())
	}
	s.specJSON = js

	mux := http.NewServeMux()
	s.handle(mux, "/api/openapi.yaml", s.contractYAML)
	s.handle(mux, "/api/openapi.json", s.contractJSON)
	s.handle(mux, "/api/v1/groups", s.searchGroups)
	s.handle(mux, "/api/v1/groups/{id}", s.getGroup)
	s.handle(mux, "/api/v1/organisations", s.listOrganisations)
	s.handle(mux, "/api/v1/organisations/{id}", s.getOrganisation)
	s.handle(mux, "/api/v1/themes", s.listThemes)
	s.handle(mux, "/api/v1/models", s.listModels)
	s.handle(mux, "/api/v1/municipalities", s.listMunicipalities)
	s.handle(mux, "/api/v1/counties", s.listCounties)
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, errNotFound("no such resource"))
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Public, read-only data without cookies: any page may read it.
		w.Header().Set("Access-Control-Allow-Origin", "*")
		mux.ServeHTTP(w, r)
	})
}

// handle registers h for GET and HEAD on pattern, and answers every other
// method with 405. Patterns carry no method, so that the mux does not answer
// 405 itself in plain text. A query string that does not parse is a 400: a
// handler must not act on the half of it that did.
func (s *server) handle(mux *http.ServeMux, pattern string, h handlerFunc) {
	mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			s.fail(w, r, &apiError{Status: http.StatusMethodNotAllowed, Code: codeMethodNotAllowed,
				Message: "the API is read-only: use GET"})
			return
		}
		v, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			s.fail(w, r, &apiError{Status: http.StatusBadRequest, Code: codeBadParameter,
				Message: "the query string is not well-formed"})
			return
		}
		h(w, r, v)
	})
}

func (s *server) contractYAML(w http.ResponseWriter, r *http.Request, _ url.Values) {
	w.Header().Set("Content-Type", "application/yaml")
	w.Header().Set("Cache-Control", cachePublic)
	w.Write(s.specYAML)
}

func (s *server) contractJSON(w http.ResponseWriter, r *http.Request, _ url.Values) {
	w.Header().Set("Content-Type", contentTypeJSON)
	w.Header().Set("Cache-Control", cachePublic)
	w.Write(s.specJSON)
}

// maxIdentifier is the longest id or slug looked up.
const maxIdentifier = 200

// identifier cleans the {id} path value: a UUID (in any case) or a slug of
// URL-safe characters. Anything else cannot name a group or organisation and
// never reaches the database (PostgreSQL rejects invalid UTF-8 and NUL with
// an error, which must not become a 500).
func identifier(r *http.Request) (string, bool) {
	id := r.PathValue("id")
	if id == "" || len(id) > maxIdentifier || !utf8.ValidString(id) {
		return "", false
	}
	if l := strings.ToLower(id); store.ValidID(l) {
		return l, true
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
			return "", false
		}
	}
	return id, true
}
