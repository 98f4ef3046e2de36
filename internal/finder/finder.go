// Package finder searches the public directory of groups. It keeps an index
// in memory, built from the store, and reloads it when the store's directory
// version changes, so every instance behind a load balancer answers the same
// on both engines as soon as a change is committed.
package finder

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
)

// Catalog is the small, slow-changing part of the directory that pages need
// beside the groups: themes, models, organisations, venues, places.
type Catalog struct {
	Version        int64
	Themes         []domain.Theme // active ones, in sort order
	ThemeByID      map[string]domain.Theme
	ThemeBySlug    map[string]domain.Theme
	Models         []domain.Model
	ModelByID      map[string]domain.Model
	ModelBySlug    map[string]domain.Model
	Organisations  []domain.Organisation // by name
	OrgByID        map[string]domain.Organisation
	OrgBySlug      map[string]domain.Organisation
	VenueByID      map[string]domain.Venue
	Municipalities []domain.Municipality // by name
	MunicipalityBy map[string]domain.Municipality
	Counties       []domain.County
	CountyByID     map[string]domain.County
	Languages      []string // languages groups meet in, sorted
}

// Hit is one group found.
type Hit struct {
	GroupID     string
	DistanceKm  float64
	HasDistance bool
}

// Result is a page of a search.
type Result struct {
	Total   int
	Page    int
	PerPage int
	Hits    []Hit
}

// Pages is the number of pages of the result.
func (r Result) Pages() int {
	if r.PerPage <= 0 {
		return 0
	}
	return (r.Total + r.PerPage - 1) / r.PerPage
}

type index struct {
	cat      *Catalog
	n        int
	ids      []string
	lat, lon []float64
	hasCoord bitset
	cells    map[cell][]int32 // documents with coordinates, by grid cell, ascending
	all      bitset
	tokens   []string // sorted
	postings map[string][]int32
	theme    map[string]bitset // by theme slug
	model    map[string]bitset // by model slug
	muni     map[string]bitset
	county   map[string]bitset
	format   map[domain.Format]bitset
	day      map[time.Weekday]bitset
	tod      map[domain.TimeOfDay]bitset
	lang     map[string]bitset
	open     bitset
}

// Finder answers searches of the public directory.
type Finder struct {
	st   *store.Store
	mu   sync.Mutex // one rebuild at a time; guards docs
	cur  atomic.Pointer[index]
	docs map[string]*doc // by group ID, kept between builds
}

// doc is what the index keeps of a group between builds: the group without
// its description, and what is costly to derive from it. A rebuild reloads
// from the database only the groups whose last change is newer.
type doc struct {
	g      domain.Group
	rank   int      // those that take new members first, then by status
	key    []byte   // collation key of the Bokmål name
	tokens []string // distinct words of the group's own names and descriptions
}

// New returns a finder over st. The index is built on first use.
func New(st *store.Store) *Finder { return &Finder{st: st} }

// current returns an index at least as new as the store's directory version.
func (f *Finder) current(ctx context.Context) (*index, error) {
	v, err := f.st.DirectoryVersion(ctx)
	if err != nil {
		return nil, err
	}
	if idx := f.cur.Load(); idx != nil && idx.cat.Version >= v {
		return idx, nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if idx := f.cur.Load(); idx != nil && idx.cat.Version >= v {
		return idx, nil
	}
	docs, err := refreshDocs(ctx, f.st, f.docs)
	if err != nil {
		return nil, fmt.Errorf("load groups for the finder: %w", err)
	}
	idx, err := build(ctx, f.st, v, docs)
	if err != nil {
		return nil, fmt.Errorf("build finder index: %w", err)
	}
	f.docs = docs
	f.cur.Store(idx)
	return idx, nil
}

// Catalog returns the current catalogue.
func (f *Finder) Catalog(ctx context.Context) (*Catalog, error) {
	idx, err := f.current(ctx)
	if err != nil {
		return nil, err
	}
	return idx.cat, nil
}

func loadCatalog(ctx context.Context, st *store.Store, version int64) (*Catalog, error) {
	c := &Catalog{Version: version, ThemeByID: map[string]domain.Theme{}, ThemeBySlug: map[string]domain.Theme{},
		ModelByID: map[string]domain.Model{}, ModelBySlug: map[string]domain.Model{}, OrgByID: map[string]domain.Organisation{},
		OrgBySlug: map[string]domain.Organisation{}, VenueByID: map[string]domain.Venue{},
		MunicipalityBy: map[string]domain.Municipality{}, CountyByID: map[string]domain.County{}}
	themes, err := st.Themes(ctx)
	if err != nil {
		return nil, err
	}
	for _, t := range themes {
		c.ThemeByID[t.ID], c.ThemeBySlug[t.Slug] = t, t
		if t.Active {
			c.Themes = append(c.Themes, t)
		}
	}
	if c.Models, err = st.Models(ctx); err != nil {
		return nil, err
	}
	for _, m := range c.Models {
		c.ModelByID[m.ID], c.ModelBySlug[m.Slug] = m, m
	}
	if c.Organisations, err = st.Organisations(ctx); err != nil {
		return nil, err
	}
	for _, o := range c.Organisations {
		c.OrgByID[o.ID], c.OrgBySlug[o.Slug] = o, o
	}
	venues, err := st.Venues(ctx)
	if err != nil {
		return nil, err
	}
	for _, v := range venues {
		c.VenueByID[v.ID] = v
	}
	if c.Municipalities, err = st.Municipalities(ctx); err != nil {
		return nil, err
	}
	for _, m := range c.Municipalities {
		c.MunicipalityBy[m.ID] = m
	}
	if c.Counties, err = st.Counties(ctx); err != nil {
		return nil, err
	}
	for _, k := range c.Counties {
		c.CountyByID[k.ID] = k
	}
	return c, nil
}

// refreshDocs returns the documents of every group, reusing those in prev
// whose group has not changed since, and reading the others.
func refreshDocs(ctx context.Context, st *store.Store, prev map[string]*doc) (map[string]*doc, error) {
	stamps, err := st.GroupStamps(ctx)
	if err != nil {
		return nil, err
	}
	docs := make(map[string]*doc, len(stamps))
	var stale []string
	for _, s := range stamps {
		if d, ok := prev[s.ID]; ok && d.g.UpdatedAt.Equal(s.UpdatedAt) {
			docs[s.ID] = d
		} else {
			stale = append(stale, s.ID)
		}
	}
	seen := map[string]bool{}
	if len(stale) > len(stamps)/2 {
		// Mostly new: one scan of the whole table is quicker than lookups.
		all, err := st.AllGroups(ctx)
		if err != nil {
			return nil, err
		}
		for _, g := range all {
			if _, ok := docs[g.ID]; !ok {
				docs[g.ID] = newDoc(g, seen)
			}
		}
		return docs, nil
	}
	for len(stale) > 0 {
		n := min(len(stale), 500)
		groups, err := st.GroupsByID(ctx, stale[:n])
		if err != nil {
			return nil, err
		}
		for _, g := range groups {
			docs[g.ID] = newDoc(g, seen)
		}
		stale = stale[n:]
	}
	return docs, nil
}

func newDoc(g domain.Group, seen map[string]bool) *doc {
	d := &doc{key: domain.CollationKey(g.Name.In("nb"))}
	clear(seen)
	for _, f := range slices.Concat(textValues(g.Name), textValues(g.Description)) {
		for _, tok := range domain.Tokens(f) {
			if !seen[tok] {
				seen[tok] = true
				d.tokens = append(d.tokens, tok)
			}
		}
	}
	g.Description = nil // searched through the tokens; pages read it from the store
	d.g = g
	d.rank = statusRank[g.Status]
	if !g.OpenToNewcomers() {
		d.rank += len(statusRank)
	}
	return d
}

var statusRank = map[domain.Status]int{domain.StatusRecruiting: 0, domain.StatusRunning: 1, domain.StatusStarting: 2,
	domain.StatusPlanned: 3, domain.StatusPaused: 4}

func build(ctx context.Context, st *store.Store, version int64, docs map[string]*doc) (*index, error) {
	cat, err := loadCatalog(ctx, st, version)
	if err != nil {
		return nil, err
	}
	langs := map[string]bool{}
	// Only groups the public may see, in the order results are listed:
	// those that take new members first, then by status, then by name.
	var ds []*doc
	for _, d := range docs {
		for _, l := range d.g.Languages {
			langs[l] = true
		}
		if slices.Contains(domain.PublicStatuses, d.g.Status) {
			ds = append(ds, d)
		}
	}
	for l := range langs {
		cat.Languages = append(cat.Languages, l)
	}
	slices.Sort(cat.Languages)
	slices.SortFunc(ds, func(a, b *doc) int {
		if a.rank != b.rank {
			return a.rank - b.rank
		}
		if c := bytes.Compare(a.key, b.key); c != 0 {
			return c
		}
		return strings.Compare(a.g.ID, b.g.ID)
	})

	n := len(ds)
	idx := &index{cat: cat, n: n, ids: make([]string, n), lat: make([]float64, n), lon: make([]float64, n),
		hasCoord: newBitset(n), all: newBitset(n), postings: map[string][]int32{},
		theme: map[string]bitset{}, model: map[string]bitset{}, muni: map[string]bitset{}, county: map[string]bitset{},
		format: map[domain.Format]bitset{}, day: map[time.Weekday]bitset{}, tod: map[domain.TimeOfDay]bitset{},
		lang: map[string]bitset{}, open: newBitset(n)}
	idx.all.fill(n)
	seen := map[string]bool{}
	// Theme, model, organisation and place names repeat across groups:
	// fold each distinct text once.
	memo := map[string][]string{}
	tokens := func(s string) []string {
		if t, ok := memo[s]; ok {
			return t
		}
		t := domain.Tokens(s)
		memo[s] = t
		return t
	}
	for doc, d := range ds {
		g := d.g
		idx.ids[doc] = g.ID
		model := cat.ModelByID[g.ModelID]
		addTo(idx.model, model.Slug, doc, n)
		var themeText []string
		for _, tid := range g.ThemeIDs {
			t := cat.ThemeByID[tid]
			addTo(idx.theme, t.Slug, doc, n)
			themeText = append(themeText, textValues(t.Name)...)
		}
		muni := g.MunicipalityID
		venue, hasVenue := cat.VenueByID[g.VenueID]
		if muni == "" && hasVenue {
			muni = venue.MunicipalityID
		}
		if muni != "" {
			addTo(idx.muni, muni, doc, n)
			addTo(idx.county, muni[:2], doc, n)
		}
		if lat, lon, ok := cat.publicPoint(g, model, venue); ok {
			idx.lat[doc], idx.lon[doc] = lat, lon
			idx.hasCoord.set(doc)
		}
		addTo(idx.format, g.Format, doc, n)
		if !g.Schedule.Start.IsZero() {
			for _, d := range g.Schedule.Weekdays() {
				addTo(idx.day, d, doc, n)
			}
			addTo(idx.tod, g.Schedule.TimeOfDay(), doc, n)
		}
		for _, l := range g.Languages {
			addTo(idx.lang, l, doc, n)
		}
		if g.OpenToNewcomers() {
			idx.open.set(doc)
		}
		// Words a person might search for: the group's own texts, its
		// themes, model, organisation and place.
		m := cat.MunicipalityBy[muni]
		clear(seen)
		for _, tok := range d.tokens {
			seen[tok] = true
			idx.postings[tok] = append(idx.postings[tok], int32(doc))
		}
		for _, f := range slices.Concat(themeText, textValues(model.Name), []string{cat.OrgByID[g.OrgID].Name, m.Name, m.SamiName}) {
			for _, tok := range tokens(f) {
				if !seen[tok] {
					seen[tok] = true
					idx.postings[tok] = append(idx.postings[tok], int32(doc))
				}
			}
		}
	}
	idx.buildCells()
	idx.tokens = make([]string, 0, len(idx.postings))
	for t := range idx.postings {
		idx.tokens = append(idx.tokens, t)
	}
	slices.Sort(idx.tokens)
	return idx, nil
}

func textValues(t domain.Text) []string {
	out := make([]string, 0, len(t))
	for _, v := range t {
		out = append(out, v)
	}
	return out
}

// Search runs a query. A theme or model the catalogue does not know gives a
// *QueryError.
func (f *Finder) Search(ctx context.Context, q Query) (Result, error) {
	idx, err := f.current(ctx)
	if err != nil {
		return Result{}, err
	}
	return idx.search(q)
}

func (idx *index) search(q Query) (Result, error) {
	if q.Page < 1 {
		q.Page = 1
	}
	if q.PerPage < 1 {
		q.PerPage = DefaultPerPage
	}
	res := Result{Page: q.Page, PerPage: q.PerPage}
	set := idx.all.clone()
	// A theme, model or place that does not exist is an error; one that no
	// public group has gives no hits.
	for _, c := range []struct {
		param string
		keys  []string
		known func(string) bool
		sets  map[string]bitset
	}{
		{"theme", q.Themes, func(s string) bool { _, ok := idx.cat.ThemeBySlug[s]; return ok }, idx.theme},
		{"model", q.Models, func(s string) bool { _, ok := idx.cat.ModelBySlug[s]; return ok }, idx.model},
		{"municipality", q.Municipalities, func(s string) bool { _, ok := idx.cat.MunicipalityBy[s]; return ok }, idx.muni},
		{"county", q.Counties, func(s string) bool { _, ok := idx.cat.CountyByID[s]; return ok }, idx.county},
		{"lang", q.Languages, nil, idx.lang},
	} {
		if len(c.keys) == 0 {
			continue
		}
		for _, k := range c.keys {
			if c.known != nil && !c.known(k) {
				return res, &QueryError{c.param, "unknown value"}
			}
		}
		set.and(union(c.sets, c.keys, idx.n))
	}
	if len(q.Formats) > 0 {
		set.and(union(idx.format, q.Formats, idx.n))
	}
	if len(q.Days) > 0 {
		set.and(union(idx.day, q.Days, idx.n))
	}
	if len(q.Times) > 0 {
		set.and(union(idx.tod, q.Times, idx.n))
	}
	if q.OpenNow {
		set.and(idx.open)
	}
	for _, term := range domain.Tokens(q.Text) {
		u := newBitset(idx.n)
		for i := sort.SearchStrings(idx.tokens, term); i < len(idx.tokens) && strings.HasPrefix(idx.tokens[i], term); i++ {
			for _, d := range idx.postings[idx.tokens[i]] {
				u.set(int(d))
			}
		}
		set.and(u)
	}
	from := (q.Page - 1) * q.PerPage
	if q.Near == nil {
		res.Total = set.count()
		i := 0
		set.each(func(doc int) bool {
			if i >= from {
				res.Hits = append(res.Hits, Hit{GroupID: idx.ids[doc]})
			}
			i++
			return len(res.Hits) < q.PerPage
		})
		return res, nil
	}
	// Within a radius: nearest first. An equirectangular distance (exact
	// enough at these ranges, and cheap) filters and orders; the page's hits
	// get the great-circle distance.
	type near struct {
		doc int
		d2  float64 // squared approximate distance in km²
	}
	var found []near
	const kmPerDeg = 6371.0 * math.Pi / 180
	r2 := q.RadiusKm * q.RadiusKm * 1.0001
	// Only the grid cells that the circle's bounding box touches.
	dlat := q.RadiusKm/kmPerDeg + cellLat
	dlon := q.RadiusKm/(kmPerDeg*math.Max(0.01, math.Cos((math.Abs(q.Near.Lat)+dlat)*math.Pi/180))) + cellLon
	lo, hi := cellOf(q.Near.Lat-dlat, q.Near.Lon-dlon), cellOf(q.Near.Lat+dlat, q.Near.Lon+dlon)
	wrap := dlon >= 180 || hi.lon-lo.lon >= int32(360/cellLon)
	visit := func(docs []int32) {
		for _, d := range docs {
			doc := int(d)
			if set[doc>>6]&(1<<(uint(doc)&63)) == 0 {
				continue
			}
			dy := (idx.lat[doc] - q.Near.Lat) * kmPerDeg
			dlon := math.Mod(idx.lon[doc]-q.Near.Lon+540, 360) - 180
			dx := dlon * kmPerDeg * math.Cos((idx.lat[doc]+q.Near.Lat)*math.Pi/360)
			if d2 := dx*dx + dy*dy; d2 <= r2 {
				found = append(found, near{doc, d2})
			}
		}
	}
	if wrap || len(idx.cells) < int(hi.lat-lo.lat+1)*int(hi.lon-lo.lon+1) {
		for _, docs := range idx.cells {
			visit(docs)
		}
	} else {
		for la := lo.lat; la <= hi.lat; la++ {
			for lo := lo.lon; lo <= hi.lon; lo++ {
				visit(idx.cells[cell{la, lo}])
			}
		}
	}
	res.Total = len(found)
	// Only the first from+PerPage need to be in order.
	byDist := func(a, b near) int {
		if c := cmp.Compare(a.d2, b.d2); c != 0 {
			return c
		}
		return cmp.Compare(a.doc, b.doc)
	}
	if k := from + q.PerPage; k < len(found)/4 {
		partialSort(found, k, byDist)
	} else {
		slices.SortFunc(found, byDist)
	}
	for i := from; i < len(found) && len(res.Hits) < q.PerPage; i++ {
		doc := found[i].doc
		km := domain.DistanceKm(q.Near.Lat, q.Near.Lon, idx.lat[doc], idx.lon[doc])
		res.Hits = append(res.Hits, Hit{GroupID: idx.ids[doc], DistanceKm: km, HasDistance: true})
	}
	return res, nil
}

// partialSort puts the k smallest elements of xs, in order, at its front.
func partialSort[T any](xs []T, k int, less func(a, b T) int) {
	// A max-heap of the k best so far.
	h := xs[:k]
	down := func(i int) {
		for {
			l := 2*i + 1
			if l >= k {
				return
			}
			if r := l + 1; r < k && less(h[r], h[l]) > 0 {
				l = r
			}
			if less(h[l], h[i]) <= 0 {
				return
			}
			h[i], h[l] = h[l], h[i]
			i = l
		}
	}
	for i := k/2 - 1; i >= 0; i-- {
		down(i)
	}
	for i := k; i < len(xs); i++ {
		if less(xs[i], h[0]) < 0 {
			h[0], xs[i] = xs[i], h[0]
			down(0)
		}
	}
	slices.SortFunc(h, less)
}

// The grid of the distance search: cells of 0.25° latitude (28 km) by 0.5°
// longitude (10–28 km in Norway).
const cellLat, cellLon = 0.25, 0.5

type cell struct{ lat, lon int32 }

// buildCells files every document with coordinates under its grid cell.
func (idx *index) buildCells() {
	idx.cells = map[cell][]int32{}
	idx.hasCoord.each(func(doc int) bool {
		c := cellOf(idx.lat[doc], idx.lon[doc])
		idx.cells[c] = append(idx.cells[c], int32(doc))
		return true
	})
}

func cellOf(lat, lon float64) cell {
	return cell{int32(math.Floor(lat / cellLat)), int32(math.Floor(lon / cellLon))}
}
