// Package web serves the public site: the front page, the finder, group and
// organisation pages. Pages are rendered on the server with html/template and
// work without JavaScript; one small script adds a "use my location" button
// to the finder.
//
// Every page exists in each language of [i18n.Languages] under the same
// ASCII path, with the language as a path prefix: Bokmål at the root
// (/finn), the others under /en/, /nn/ and /se/ (/en/finn).
package web

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/finder"
	"github.com/fellesrom/fellesrom/internal/i18n"
	"github.com/fellesrom/fellesrom/internal/store"
)

// Deps are what the site needs.
type Deps struct {
	Store  *store.Store
	Finder *finder.Finder
	Logger *slog.Logger
	Now    func() time.Time
	// Auth signs staff in; nil: a service with the production settings
	// (secure cookies decided per request, see auth.CookieAuto).
	Auth *auth.Service
	// WarmReports loads the reports' data and works out its protection
	// in the background at once (see reportCache).
	WarmReports bool
}

// site is the public site.
type site struct {
	store   *store.Store
	finder  *finder.Finder
	log     *slog.Logger
	now     func() time.Time
	cat     *i18n.Catalog
	tmpl    *templates
	assets  *assets
	auth    *auth.Service
	reports reportCache
}

// New returns the handler of the public site (every path but /api/ and /healthz).
func New(d Deps) http.Handler { return newSite(d).routes() }

// newSite makes the site of d, and starts loading the reports' data if
// d.WarmReports.
func newSite(d Deps) *site {
	s := &site{store: d.Store, finder: d.Finder, log: d.Logger, now: d.Now, cat: i18n.DefaultCatalog(),
		assets: mustLoadAssets()}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.tmpl = mustParseTemplates(s.assets)
	s.auth = d.Auth
	if s.auth == nil {
		s.auth = auth.New(d.Store, auth.Options{Now: s.now, Logger: s.log})
	}
	if d.WarmReports {
		s.reports.loading = true
		go s.reloadReports()
	}
	return s
}

// prefix is the path prefix of a language: "" for Bokmål, "/en" for English.
func prefix(lang string) string {
	if lang == i18n.Default {
		return ""
	}
	return "/" + lang
}

// pageHandler is a page in one language.
type pageHandler func(w http.ResponseWriter, r *http.Request, lang string)

func (s *site) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/static/{file}", s.get(i18n.Default, s.static))
	for _, lang := range i18n.Languages {
		p := prefix(lang)
		mux.Handle(p+"/{$}", s.get(lang, s.front))
		mux.Handle(p+"/finn", s.get(lang, s.finderPage))
		mux.Handle(p+"/gruppe/{slug}", s.get(lang, s.groupPage))
		mux.Handle(p+"/organisasjon/{slug}", s.get(lang, s.organisationPage))
		s.staffRoutes(mux, lang, p)
		if p != "" {
			mux.Handle(p, s.get(lang, func(w http.ResponseWriter, r *http.Request, lang string) {
				http.Redirect(w, r, p+"/", http.StatusMovedPermanently)
			}))
			mux.Handle(p+"/", s.get(lang, s.notFound))
		}
	}
	mux.Handle("/", s.get(i18n.Default, s.notFound))
	return mux
}

// get lets GET and HEAD through to h, and answers other methods with 405.
func (s *site) get(lang string, h pageHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			s.methodNotAllowed(w, r, lang)
			return
		}
		h(w, r, lang)
	})
}
