package hsds

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/finder"
	"github.com/fellesrom/fellesrom/internal/store"
)

// Paging limits.
const (
	DefaultPerPage = 50
	MaxPerPage     = 1000
	chunk          = 500 // groups read from the store at a time
)

// ProfileURL is the HSDS profile the API follows: the base specification.
const ProfileURL = "https://docs.openreferral.org/en/latest/hsds/"

// Deps are what the HSDS API needs.
type Deps struct {
	Store  *store.Store
	Finder *finder.Finder
	Logger *slog.Logger
}

// Handler serves the HSDS API under /hsds.
type Handler struct {
	d   Deps
	mux *http.ServeMux

	stampMu  sync.Mutex
	stamps   *stamps
	imported struct { // whether anything was imported, at a directory version
		known   bool
		version int64
		any     bool
	}
}

// stamps are what the filters and look-ups need of every group beyond the
// finder's index, made once per directory version.
type stamps struct {
	version int64
	updated map[string]time.Time // group ID → last change
	sal     map[string]string    // service_at_location ID → group ID
}

func (h *Handler) groupStamps(ctx context.Context, version int64) (*stamps, error) {
	h.stampMu.Lock()
	defer h.stampMu.Unlock()
	if h.stamps != nil && h.stamps.version == version {
		return h.stamps, nil
	}
	list, err := h.d.Store.GroupStamps(ctx)
	if err != nil {
		return nil, err
	}
	s := &stamps{version: version, updated: make(map[string]time.Time, len(list)), sal: make(map[string]string, len(list))}
	for _, g := range list {
		s.updated[g.ID] = g.UpdatedAt
		s.sal[SALID(g.ID)] = g.ID
	}
	// An imported service_at_location keeps its id.
	imported, err := h.d.Store.HSDSExtraIDs(ctx, "service_at_location")
	if err != nil {
		return nil, err
	}
	for id, gid := range imported {
		if _, ok := s.updated[gid]; ok {
			s.sal[id] = gid
		}
	}
	h.stamps = s
	return s, nil
}

// New returns the handler of /hsds; mount it at "/hsds/".
func New(d Deps) *Handler {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	h := &Handler{d: d, mux: http.NewServeMux()}
	for path, fn := range map[string]func(http.ResponseWriter, *http.Request, *finder.Catalog) error{
		"/hsds/{$}":                       h.root,
		"/hsds/services":                  h.services,
		"/hsds/services/{id}":             h.service,
		"/hsds/organizations":             h.organizations,
		"/hsds/organizations/{id}":        h.organization,
		"/hsds/service_at_locations":      h.sals,
		"/hsds/service_at_locations/{id}": h.sal,
		"/hsds/taxonomies":                h.taxonomies,
		"/hsds/taxonomies/{id}":           h.taxonomy,
		"/hsds/taxonomy_terms":            h.terms,
		"/hsds/taxonomy_terms/{id}":       h.term,
		"/hsds/export.json":               h.exportJSON,
		"/hsds/export.zip":                h.exportZip,
	} {
		h.mux.Handle("GET "+path, h.wrap(fn))
	}
	h.mux.HandleFunc("/hsds/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not found")
	})
	return h
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// httpError is an error with the status to answer.
type httpError struct {
	status int
	msg    string
}

func (e *httpError) Error() string { return e.msg }

func badRequest(format string, args ...any) error {
	return &httpError{http.StatusBadRequest, fmt.Sprintf(format, args...)}
}

var errNotFound = &httpError{http.StatusNotFound, "not found"}

func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

// wrap answers 304 when the client holds the current version of the URL,
// sets the ETag (the directory's version and the URL), and turns errors
// into JSON answers.
func (h *Handler) wrap(fn func(http.ResponseWriter, *http.Request, *finder.Catalog) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		cat, err := h.d.Finder.Catalog(ctx)
		if err != nil {
			h.d.Logger.ErrorContext(ctx, "hsds: catalogue", "err", err)
			writeError(w, http.StatusInternalServerError, "internal error")
			return
		}
		hash := fnv.New64a()
		hash.Write([]byte(r.URL.Path + "?" + r.URL.RawQuery))
		etag := fmt.Sprintf(`"%d-%x"`, cat.Version, hash.Sum64())
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("ETag", etag)
		if inm := r.Header.Get("If-None-Match"); inm != "" && etagMatch(inm, etag) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		if err := fn(w, r, cat); err != nil {
			var he *httpError
			switch {
			case errors.As(err, &he):
				writeError(w, he.status, he.msg)
			case errors.Is(err, store.ErrNotFound):
				writeError(w, http.StatusNotFound, "not found")
			case errors.Is(err, context.Canceled):
			default:
				h.d.Logger.ErrorContext(ctx, "hsds", "path", r.URL.Path, "err", err)
				if w.Header().Get("Content-Type") == "" {
					writeError(w, http.StatusInternalServerError, "internal error")
				}
			}
		}
	})
}

func etagMatch(header, etag string) bool {
	for t := range strings.SplitSeq(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == etag || t == "*" {
			return true
		}
	}
	return false
}

// jsonWriter writes a JSON answer through a buffer.
type jsonWriter struct {
	bw  *bufio.Writer
	enc *json.Encoder
}

func newJSON(w http.ResponseWriter, contentType string) *jsonWriter {
	w.Header().Set("Content-Type", contentType)
	bw := bufio.NewWriterSize(w, 32<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	return &jsonWriter{bw: bw, enc: enc}
}

func writeOne(w http.ResponseWriter, v any) error {
	jw := newJSON(w, "application/json")
	if err := jw.enc.Encode(v); err != nil {
		return err
	}
	return jw.bw.Flush()
}

// paging is a page asked for.
type paging struct{ page, perPage int }

func parsePaging(r *http.Request) (paging, error) {
	p := paging{page: 1, perPage: DefaultPerPage}
	for _, f := range []struct {
		name   string
		to     *int
		lo, hi int
	}{{"page", &p.page, 1, math.MaxInt32}, {"per_page", &p.perPage, 1, MaxPerPage}} {
		if s := r.URL.Query().Get(f.name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < f.lo || n > f.hi {
				return p, badRequest("%s: a whole number from %d to %d", f.name, f.lo, f.hi)
			}
			*f.to = n
		}
	}
	return p, nil
}

// writePage streams a page: the standard's paging fields, then contents
// one object at a time. size is the number of items the page will hold.
func writePage(w http.ResponseWriter, p paging, total int, each func(emit func(any) error) error) error {
	size := max(0, min(p.perPage, total-(p.page-1)*p.perPage))
	pages := (total + p.perPage - 1) / p.perPage
	jw := newJSON(w, "application/json")
	fmt.Fprintf(jw.bw, `{"total_items":%d,"total_pages":%d,"page_number":%d,"size":%d,"first_page":%t,"last_page":%t,"empty":%t,"contents":[`,
		total, pages, p.page, size, p.page == 1, p.page >= pages, total == 0)
	first := true
	err := each(func(v any) error {
		if !first {
			jw.bw.WriteByte(',')
		}
		first = false
		return jw.enc.Encode(v)
	})
	if err != nil {
		return err
	}
	jw.bw.WriteString("]}\n")
	return jw.bw.Flush()
}

func boolParam(r *http.Request, name string) (bool, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, badRequest("%s: true or false", name)
	}
	return b, nil
}

func (h *Handler) root(w http.ResponseWriter, r *http.Request, _ *finder.Catalog) error {
	return writeOne(w, map[string]string{"version": Version, "profile": ProfileURL,
		"openapi_url": "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json"})
}

// serviceFilter is a search of the services.
type serviceFilter struct {
	q             finder.Query
	none          bool // a filter no group can match
	orgID         string
	modifiedAfter time.Time
}

func parseServiceFilter(r *http.Request, cat *finder.Catalog) (serviceFilter, error) {
	v := r.URL.Query()
	var f serviceFilter
	f.q.Text = v.Get("search")
	if len([]rune(f.q.Text)) > finder.MaxTextRunes {
		return f, badRequest("search: at most %d characters", finder.MaxTextRunes)
	}
	if id := v.Get("taxonomy_term_id"); id != "" {
		t, ok := cat.ThemeByID[id]
		if ok {
			f.q.Themes = []string{t.Slug}
		} else {
			f.none = true
		}
	}
	if id := v.Get("taxonomy_id"); id != "" && id != TaxonomyID {
		f.none = true
	}
	if id := v.Get("organization_id"); id != "" {
		if _, ok := cat.OrgByID[id]; !ok {
			f.none = true
		}
		f.orgID = id
	}
	if s := v.Get("modified_after"); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			if t, err = time.Parse("2006-01-02", s); err != nil {
				return f, badRequest("modified_after: a date (2006-01-02) or date and time (RFC 3339)")
			}
		}
		f.modifiedAfter = t
	}
	return f, nil
}

// find returns the IDs of a page of the services that match, and how many
// match in all, in the finder's order.
func (h *Handler) find(ctx context.Context, version int64, f serviceFilter, p paging) ([]finder.Hit, int, error) {
	if f.none {
		return nil, 0, nil
	}
	if f.orgID == "" && f.modifiedAfter.IsZero() {
		q := f.q
		q.Page, q.PerPage = p.page, p.perPage
		res, err := h.d.Finder.Search(ctx, q)
		return res.Hits, res.Total, err
	}
	q := f.q
	q.Page, q.PerPage = 1, math.MaxInt32
	res, err := h.d.Finder.Search(ctx, q)
	if err != nil {
		return nil, 0, err
	}
	keep := func(string) bool { return true }
	if f.orgID != "" {
		groups, err := h.d.Store.GroupsOfOrganisation(ctx, f.orgID)
		if err != nil {
			return nil, 0, err
		}
		ids := map[string]bool{}
		for _, g := range groups {
			ids[g.ID] = true
		}
		keep = func(id string) bool { return ids[id] }
	}
	if !f.modifiedAfter.IsZero() {
		st, err := h.groupStamps(ctx, version)
		if err != nil {
			return nil, 0, err
		}
		prev := keep
		keep = func(id string) bool { return !st.updated[id].Before(f.modifiedAfter) && prev(id) }
	}
	hits := slices.DeleteFunc(res.Hits, func(h finder.Hit) bool { return !keep(h.GroupID) })
	total := len(hits)
	from := min(len(hits), (p.page-1)*p.perPage)
	to := min(len(hits), from+p.perPage)
	return hits[from:to], total, nil
}

// eachListing reads the listings of hits from the store a chunk at a time,
// with the originals of those imported (none when cat is nil).
func (h *Handler) eachListing(ctx context.Context, cat *finder.Catalog, hits []finder.Hit, fn func(finder.Listing, originals) error) error {
	for len(hits) > 0 {
		n := min(len(hits), chunk)
		ls, err := h.d.Finder.Listings(ctx, hits[:n])
		if err != nil {
			return err
		}
		var ex originals
		if cat != nil {
			if ex, err = h.originals(ctx, cat, ls, nil); err != nil {
				return err
			}
		}
		for _, l := range ls {
			if err := fn(l, ex); err != nil {
				return err
			}
		}
		hits = hits[n:]
	}
	return nil
}

func (h *Handler) services(w http.ResponseWriter, r *http.Request, cat *finder.Catalog) error {
	return h.serviceList(w, r, cat, func(l finder.Listing, full bool, ex originals) (any, bool, error) {
		s, err := serviceOut(cat, l, full, false, ex)
		return s, true, err
	})
}

func (h *Handler) sals(w http.ResponseWriter, r *http.Request, cat *finder.Catalog) error {
	return h.serviceList(w, r, cat, func(l finder.Listing, full bool, ex originals) (any, bool, error) {
		return salOut(cat, l, full, false, ex)
	})
}

func (h *Handler) serviceList(w http.ResponseWriter, r *http.Request, cat *finder.Catalog,
	mapOne func(finder.Listing, bool, originals) (any, bool, error)) error {
	p, err := parsePaging(r)
	if err != nil {
		return err
	}
	full, err := boolParam(r, "full")
	if err != nil {
		return err
	}
	f, err := parseServiceFilter(r, cat)
	if err != nil {
		return err
	}
	hits, total, err := h.find(r.Context(), cat.Version, f, p)
	if err != nil {
		return err
	}
	return writePage(w, p, total, func(emit func(any) error) error {
		return h.eachListing(r.Context(), cat, hits, func(l finder.Listing, ex originals) error {
			v, ok, err := mapOne(l, full, ex)
			if err != nil || !ok {
				return err
			}
			return emit(v)
		})
	})
}

func (h *Handler) service(w http.ResponseWriter, r *http.Request, cat *finder.Catalog) error {
	id := r.PathValue("id")
	if !store.ValidID(id) {
		return errNotFound
	}
	l, err := h.d.Finder.Listing(r.Context(), id)
	if err != nil {
		return err
	}
	ex, err := h.originals(r.Context(), cat, []finder.Listing{l}, nil)
	if err != nil {
		return err
	}
	s, err := serviceOut(cat, l, true, false, ex)
	if err != nil {
		return err
	}
	return writeOne(w, s)
}

func (h *Handler) sal(w http.ResponseWriter, r *http.Request, cat *finder.Catalog) error {
	id := r.PathValue("id")
	if !store.ValidID(id) {
		return errNotFound
	}
	gid, err := h.salGroup(r.Context(), cat.Version, id)
	if err != nil {
		return err
	}
	l, err := h.d.Finder.Listing(r.Context(), gid)
	if err != nil {
		return err
	}
	ex, err := h.originals(r.Context(), cat, []finder.Listing{l}, nil)
	if err != nil {
		return err
	}
	sal, ok, err := salOut(cat, l, true, true, ex)
	if err != nil {
		return err
	}
	if !ok {
		return errNotFound
	}
	return writeOne(w, sal)
}

// salGroup finds the group of a service_at_location ID.
func (h *Handler) salGroup(ctx context.Context, version int64, id string) (string, error) {
	st, err := h.groupStamps(ctx, version)
	if err != nil {
		return "", err
	}
	gid, ok := st.sal[id]
	if !ok {
		return "", errNotFound
	}
	return gid, nil
}

func matches(search string, texts ...string) bool {
	words := domain.Tokens(search)
	if len(words) == 0 {
		return true
	}
	var have []string
	for _, t := range texts {
		have = append(have, domain.Tokens(t)...)
	}
	for _, w := range words {
		if !slices.ContainsFunc(have, func(h string) bool { return strings.HasPrefix(h, w) }) {
			return false
		}
	}
	return true
}

func pageOf[T any](w http.ResponseWriter, p paging, all []T, mapOne func(T) any) error {
	from := min(len(all), (p.page-1)*p.perPage)
	to := min(len(all), from+p.perPage)
	return writePage(w, p, len(all), func(emit func(any) error) error {
		for _, x := range all[from:to] {
			if err := emit(mapOne(x)); err != nil {
				return err
			}
		}
		return nil
	})
}

func (h *Handler) organizations(w http.ResponseWriter, r *http.Request, cat *finder.Catalog) error {
	p, err := parsePaging(r)
	if err != nil {
		return err
	}
	search := r.URL.Query().Get("search")
	var orgs []domain.Organisation
	for _, o := range cat.Organisations {
		if matches(search, o.Name, o.Description.In("nb")) {
			orgs = append(orgs, o)
		}
	}
	from := min(len(orgs), (p.page-1)*p.perPage)
	to := min(len(orgs), from+p.perPage)
	ex, err := h.originals(r.Context(), cat, nil, orgs[from:to])
	if err != nil {
		return err
	}
	return writePage(w, p, len(orgs), func(emit func(any) error) error {
		for _, o := range orgs[from:to] {
			v, err := orgOut(cat, o, nil, ex)
			if err != nil {
				return err
			}
			if err := emit(v); err != nil {
				return err
			}
		}
		return nil
	})
}

func (h *Handler) organization(w http.ResponseWriter, r *http.Request, cat *finder.Catalog) error {
	o, ok := cat.OrgByID[r.PathValue("id")]
	if !ok {
		return errNotFound
	}
	fullService, err := boolParam(r, "full_service")
	if err != nil {
		return err
	}
	ls, err := h.d.Finder.OrganisationListings(r.Context(), o.ID)
	if err != nil {
		return err
	}
	ex, err := h.originals(r.Context(), cat, ls, []domain.Organisation{o})
	if err != nil {
		return err
	}
	services := []any{}
	for _, l := range ls {
		s, err := serviceOut(cat, l, fullService, true, ex)
		if err != nil {
			return err
		}
		services = append(services, s)
	}
	org, err := orgOut(cat, o, services, ex)
	if err != nil {
		return err
	}
	return writeOne(w, org)
}

func (h *Handler) taxonomies(w http.ResponseWriter, r *http.Request, _ *finder.Catalog) error {
	p, err := parsePaging(r)
	if err != nil {
		return err
	}
	all := []Taxonomy{TheTaxonomy()}
	if !matches(r.URL.Query().Get("search"), all[0].Name, all[0].Description) {
		all = nil
	}
	return pageOf(w, p, all, func(t Taxonomy) any { return t })
}

func (h *Handler) taxonomy(w http.ResponseWriter, r *http.Request, _ *finder.Catalog) error {
	if r.PathValue("id") != TaxonomyID {
		return errNotFound
	}
	return writeOne(w, TheTaxonomy())
}

func (h *Handler) terms(w http.ResponseWriter, r *http.Request, cat *finder.Catalog) error {
	p, err := parsePaging(r)
	if err != nil {
		return err
	}
	v := r.URL.Query()
	var terms []domain.Theme
	if id := v.Get("taxonomy_id"); id == "" || id == TaxonomyID {
		for _, t := range cat.Themes {
			if matches(v.Get("search"), textValues(t.Name)...) {
				terms = append(terms, t)
			}
		}
	}
	return pageOf(w, p, terms, func(t domain.Theme) any { return Term(t) })
}

func (h *Handler) term(w http.ResponseWriter, r *http.Request, cat *finder.Catalog) error {
	t, ok := cat.ThemeByID[r.PathValue("id")]
	if !ok || !t.Active {
		return errNotFound
	}
	return writeOne(w, Term(t))
}

func textValues(t domain.Text) []string {
	out := make([]string, 0, len(t))
	for _, l := range domain.SiteLanguages {
		if t[l] != "" {
			out = append(out, t[l])
		}
	}
	return out
}
