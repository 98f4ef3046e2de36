package report

import (
	"context"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/fellesrom/fellesrom/internal/store"
)

// ScopeKind is what a report covers.
type ScopeKind string

const (
	House        ScopeKind = "house"        // one organisation (ID)
	District     ScopeKind = "district"     // an organisation and those under it (ID)
	Municipality ScopeKind = "municipality" // a municipality (ID: its number)
	County       ScopeKind = "county"       // a county (ID: its number)
	National     ScopeKind = "national"
)

// Scope is what a report covers.
type Scope struct {
	Kind ScopeKind
	ID   string
}

// Data is what reports are computed from: anonymous rows only.
type Data struct {
	Enquiries      []store.ReportEnquiry
	Groups         []store.ReportGroup
	Orgs           []store.ReportOrg
	Municipalities []store.ReportMunicipality
	Counts         []store.ReportCount // the activity figures' rows (CountMeasures)

	themes   []string                    // every theme slug in the rows
	byMonth  map[string][]int            // enquiries by month
	counts   map[string]map[string][]int // Counts by measure and month
	muniOf   map[string]string           // county by municipality
	children map[string][]string         // organisation tree
	counties []string

	mu    sync.Mutex
	cache map[string]*protected // protected families, by measure and year (and scope, for one outside the tree)
}

// protected is a family's protection, worked out once: a second request
// for it while the first works it out waits for that one.
type protected struct {
	once sync.Once
	fam  map[Scope][][]State
}

// protection returns the family under key, worked out by protect the first time.
func (d *Data) protection(key string, protect func() map[Scope][][]State) map[Scope][][]State {
	d.mu.Lock()
	e := d.cache[key]
	if e == nil {
		e = &protected{}
		d.cache[key] = e
	}
	d.mu.Unlock()
	e.once.Do(func() { e.fam = protect() })
	return e.fam
}

// Load reads the data of reports from the store; activity (meetings in
// rooms) counts up to now.
func Load(ctx context.Context, s *store.Store, now time.Time) (*Data, error) {
	var d Data
	var err error
	if d.Enquiries, err = s.ReportEnquiries(ctx, "9999-12"); err != nil {
		return nil, err
	}
	if d.Groups, err = s.ReportGroups(ctx); err != nil {
		return nil, err
	}
	if d.Orgs, err = s.ReportOrgs(ctx); err != nil {
		return nil, err
	}
	if d.Municipalities, err = s.ReportMunicipalities(ctx); err != nil {
		return nil, err
	}
	if d.Counts, err = s.ReportCounts(ctx, now); err != nil {
		return nil, err
	}
	d.prepare()
	return &d, nil
}

// NewData makes Data from rows (for tests and tools).
func NewData(e []store.ReportEnquiry, g []store.ReportGroup, o []store.ReportOrg, m []store.ReportMunicipality) *Data {
	d := &Data{Enquiries: e, Groups: g, Orgs: o, Municipalities: m}
	d.prepare()
	return d
}

// WithCounts sets the rows of the activity figures (for tests and tools).
func (d *Data) WithCounts(c []store.ReportCount) *Data {
	d.Counts = c
	d.prepare()
	return d
}

func (d *Data) prepare() {
	seen := map[string]bool{}
	for _, e := range d.Enquiries {
		for _, t := range e.Themes {
			seen[t] = true
		}
	}
	for _, g := range d.Groups {
		for _, t := range g.Themes {
			seen[t] = true
		}
	}
	d.themes = sortedKeys(seen)
	d.byMonth = map[string][]int{}
	for i, e := range d.Enquiries {
		d.byMonth[e.Month] = append(d.byMonth[e.Month], i)
	}
	d.children = map[string][]string{}
	for _, o := range d.Orgs {
		if o.ParentID != "" {
			d.children[o.ParentID] = append(d.children[o.ParentID], o.ID)
		}
	}
	d.counts = map[string]map[string][]int{}
	for i, c := range d.Counts {
		if d.counts[c.Measure] == nil {
			d.counts[c.Measure] = map[string][]int{}
		}
		d.counts[c.Measure][c.Month] = append(d.counts[c.Measure][c.Month], i)
	}
	cs := map[string]bool{}
	d.muniOf = map[string]string{}
	for _, m := range d.Municipalities {
		cs[m.CountyID] = true
		d.muniOf[m.ID] = m.CountyID
	}
	d.counties = append(sortedKeys(cs), "") // "": no county (a group meeting by phone or video)
	d.cache = map[string]*protected{}
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// orgsIn is the set of organisations a scope of kind House or District covers.
func (d *Data) orgsIn(sc Scope) map[string]bool {
	set := map[string]bool{sc.ID: true}
	if sc.Kind == District {
		stack := []string{sc.ID}
		for len(stack) > 0 {
			id := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for _, c := range d.children[id] {
				if !set[c] {
					set[c] = true
					stack = append(stack, c)
				}
			}
		}
	}
	return set
}

// in says whether a row of an organisation, municipality and county lies in sc.
func (d *Data) inFunc(sc Scope) func(org, muni, county string) bool {
	switch sc.Kind {
	case House, District:
		set := d.orgsIn(sc)
		return func(org, _, _ string) bool { return set[org] }
	case Municipality:
		return func(_, muni, _ string) bool { return muni == sc.ID }
	case County:
		return func(_, _, county string) bool { return county == sc.ID }
	}
	return func(_, _, _ string) bool { return true }
}

// Cell is one published count; Value is 0 unless State is Shown.
type Cell struct {
	Value int
	State State
}

// Row is a category's count in the period and the period before.
type Row struct {
	Key       string
	Now, Prev Cell
}

// Table is the counts of one measure by one category; Total (if the
// categories add up) is their sum.
type Table struct {
	ID string
	// Dim is the vocabulary of the rows' keys: channel, referral, outcome,
	// theme (a theme's slug), model (a group model's slug), format,
	// course_kind, event_kind, outreach_kind or room_use. Pages name a key
	// by the catalogue's "report.key.<Dim>.<key>" (themes and models by
	// their names).
	Dim   string
	Rows  []Row
	Total *Row
}

// Median is a median number of days, with how many it is the median of.
type Median struct {
	Days  int
	Count Cell
}

// CoverageRow is a municipality's enquiries and running groups in a year,
// and both per 10,000 inhabitants (−1 where the count is not shown).
type CoverageRow struct {
	MunicipalityID, Name string
	Population           int
	Enquiries, Groups    Cell
	EnquiriesPer10k      float64
	GroupsPer10k         float64
}

// Report is the figures of a scope in a period, with the period before.
type Report struct {
	Period, Prev     Period
	Scope            Scope
	Protected        bool
	Tables           []Table
	Wait, WaitPrev   Median        // median days in the pool before a group, of those placed in the period
	Coverage         []CoverageRow // for a year: every municipality in the scope
	EnquiriesNoGroup []string      // for a year: municipalities with enquiries and no running group
}

// Table returns the table with id, or nil.
func (r *Report) Table(id string) *Table {
	for i := range r.Tables {
		if r.Tables[i].ID == id {
			return &r.Tables[i]
		}
	}
	return nil
}

// measure is one table: counts by category of what lies in a scope in a period.
type measure struct {
	id       string
	dim      string // the vocabulary of cats (see Table.Dim)
	cats     []string
	additive bool // the categories add up to the total
	overTime bool // months add up to quarters, quarters to the year
	// each calls fn with every row of the category cat ("" all) in the
	// period and the number it counts.
	each func(p Period, cat string, fn func(org, muni, county string, n int))
}

// count is the measure's count of cat in a period and what in says.
func (m measure) count(p Period, cat string, in func(org, muni, county string) bool) int {
	n := 0
	m.each(p, cat, func(org, muni, county string, k int) {
		if in(org, muni, county) {
			n += k
		}
	})
	return n
}

// Outcomes of enquiries, in the order reports show them.
var Outcomes = []string{store.OutcomeWaiting, store.OutcomePlaced, store.OutcomeWithdrawn, store.OutcomeNoGroup,
	store.OutcomeUnanswered, store.OutcomeClosed}

// GroupFormats are the formats of groups.
var GroupFormats = []string{"in_person", "telephone", "video", "hybrid"}

func (d *Data) measures() []measure {
	enq := func(id, dim string, cats []string, additive bool, match func(e store.ReportEnquiry, cat string) bool) measure {
		return measure{id: id, dim: dim, cats: cats, additive: additive, overTime: true,
			each: func(p Period, cat string, fn func(org, muni, county string, n int)) {
				for _, m := range p.Months() {
					for _, i := range d.byMonth[m] {
						if e := d.Enquiries[i]; match(e, cat) {
							fn(e.OrgID, e.MunicipalityID, e.CountyID, 1)
						}
					}
				}
			}}
	}
	ms := []measure{
		enq("enquiries.channel", "channel", store.EnquiryChannels, true, func(e store.ReportEnquiry, c string) bool {
			return c == "" || e.Channel == c
		}),
		enq("enquiries.referral", "referral", store.ReferralKinds, true, func(e store.ReportEnquiry, c string) bool {
			return e.Channel == "referral" && (c == "" || e.ReferralKind == c)
		}),
		enq("enquiries.theme", "theme", d.themes, false, func(e store.ReportEnquiry, c string) bool {
			return slices.Contains(e.Themes, c)
		}),
		enq("enquiries.outcome", "outcome", Outcomes, true, func(e store.ReportEnquiry, c string) bool {
			return c == "" || e.Outcome == c
		}),
	}
	models := map[string]bool{}
	for _, g := range d.Groups {
		models[g.Model] = true
	}
	dims := []struct {
		name     string
		cats     []string
		additive bool
		has      func(g store.ReportGroup, c string) bool
	}{
		{"model", sortedKeys(models), true, func(g store.ReportGroup, c string) bool { return g.Model == c }},
		{"format", GroupFormats, true, func(g store.ReportGroup, c string) bool { return g.Format == c }},
		{"theme", d.themes, false, func(g store.ReportGroup, c string) bool { return slices.Contains(g.Themes, c) }},
	}
	events := []struct {
		name     string
		overTime bool
		did      func(g store.ReportGroup, from, to time.Time) bool
	}{
		{"started", true, started},
		{"running", false, running},
		{"paused", false, func(g store.ReportGroup, from, to time.Time) bool { return changedTo(g, "paused", from, to) }},
		{"ended", true, func(g store.ReportGroup, from, to time.Time) bool { return changedTo(g, "ended", from, to) }},
		{"reformed", true, reformed},
	}
	for _, ev := range events {
		for _, dim := range dims {
			ms = append(ms, measure{id: "groups." + ev.name + "." + dim.name, dim: dim.name, cats: dim.cats, additive: dim.additive,
				overTime: ev.overTime,
				each: func(p Period, cat string, fn func(org, muni, county string, n int)) {
					for _, g := range d.Groups {
						if (cat == "" || dim.has(g, cat)) && ev.did(g, p.Start(), p.End()) {
							fn(g.OrgID, g.MunicipalityID, g.CountyID, 1)
						}
					}
				}})
		}
	}
	for _, cm := range CountMeasures {
		ms = append(ms, measure{id: cm.ID, dim: cm.Dim, cats: cm.Categories, additive: true, overTime: true,
			each: func(p Period, cat string, fn func(org, muni, county string, n int)) {
				for _, m := range p.Months() {
					for _, i := range d.counts[cm.ID][m] {
						if c := d.Counts[i]; cat == "" || c.Category == cat {
							fn(c.OrgID, c.MunicipalityID, c.CountyID, c.N)
						}
					}
				}
			}})
	}
	return ms
}

// started: the group first reached starting or running in [from, to).
func started(g store.ReportGroup, from, to time.Time) bool {
	for _, h := range g.History {
		if h.Status == "starting" || h.Status == "running" {
			return !h.At.Before(from) && h.At.Before(to)
		}
	}
	return false
}

// running: the group was running at some time in [from, to).
func running(g store.ReportGroup, from, to time.Time) bool {
	st := ""
	for _, h := range g.History {
		if !h.At.After(from) {
			st = h.Status
		} else if h.At.Before(to) && h.Status == "running" {
			return true
		}
	}
	return st == "running"
}

// reformed: a new round of the group (a closed group taking in new
// members) began in [from, to).
func reformed(g store.ReportGroup, from, to time.Time) bool {
	for _, at := range g.Reformed {
		if !at.Before(from) && at.Before(to) {
			return true
		}
	}
	return false
}

func changedTo(g store.ReportGroup, status string, from, to time.Time) bool {
	for _, h := range g.History {
		if h.Status == status && !h.At.Before(from) && h.At.Before(to) {
			return true
		}
	}
	return false
}

// Figures computes the report of a scope in a period. With protect (every
// figure shown outside a coordinator's own house, every export) small
// counts are suppressed (see Protect); without it, the counts are exact.
func (d *Data) Figures(p Period, sc Scope, protect bool) *Report {
	r := &Report{Period: p, Prev: p.Prev(), Scope: sc, Protected: protect}
	in := d.inFunc(sc)
	for _, m := range d.measures() {
		t := Table{ID: m.id, Dim: m.dim}
		cells := func(cat string) Row {
			row := Row{Key: cat, Now: Cell{m.count(p, cat, in), Shown}, Prev: Cell{m.count(r.Prev, cat, in), Shown}}
			if protect {
				row.Now.State = d.state(m, p, sc, cat)
				row.Prev.State = d.state(m, r.Prev, sc, cat)
				for _, c := range []*Cell{&row.Now, &row.Prev} {
					if c.State != Shown {
						c.Value = 0
					}
				}
			}
			return row
		}
		for _, c := range m.cats {
			t.Rows = append(t.Rows, cells(c))
		}
		if m.additive {
			tot := cells("")
			t.Total = &tot
		}
		r.Tables = append(r.Tables, t)
	}
	r.Wait = d.median(p, in, protect)
	r.WaitPrev = d.median(r.Prev, in, protect)
	if p.Kind == Year {
		d.coverage(r, in, protect)
	}
	return r
}

func (d *Data) median(p Period, in func(org, muni, county string) bool, protect bool) Median {
	months := p.Months()
	var days []int
	for _, e := range d.Enquiries {
		if e.WaitedDays >= 0 && slices.Contains(months, e.PlacedMonth) && in(e.OrgID, e.MunicipalityID, e.CountyID) {
			days = append(days, e.WaitedDays)
		}
	}
	m := Median{Count: Cell{len(days), Shown}}
	if protect && len(days) > 0 && len(days) < MinShown {
		return Median{Count: Cell{0, Under5}}
	}
	if len(days) > 0 {
		slices.Sort(days)
		n := len(days)
		m.Days = days[n/2]
		if n%2 == 0 {
			m.Days = (days[n/2-1] + days[n/2]) / 2
		}
	}
	return m
}

// state is the protected state of a measure's cell (cat "" is the total).
// Houses, districts, municipalities, counties and the nation are protected
// together, as one family (a county is the sum of its municipalities, the
// nation of its counties, a district of its houses, and a municipality of
// what each house serving it counted there, never published, a house of
// what it counted in each municipality), so that no cell of one can be
// worked out from the others. It is protected a calendar year at a time
// (months, quarters, year).
func (d *Data) state(m measure, p Period, sc Scope, cat string) State {
	year := Period{Year, p.Year, 0}.String()
	key := m.id + "|" + year
	fam := d.protection(key, func() map[Scope][][]State { return d.protectFamily(m, p.Year) })
	st, ok := fam[sc]
	if !ok {
		if _, known := d.muniOf[sc.ID]; sc.Kind == Municipality && known {
			return Shown // nothing of the measure in the year: every count is 0
		}
		if sc.Kind == House || sc.Kind == District {
			// Not in the tree: counted on its own.
			st = d.protection(key+"|"+string(sc.Kind)+"|"+sc.ID, func() map[Scope][][]State {
				return map[Scope][][]State{sc: d.protectUnit(m, p.Year, sc)}
			})[sc]
		} else {
			return Hidden // not a municipality or county: nothing of it is published
		}
	}
	j := len(m.cats)
	if cat != "" {
		j = slices.Index(m.cats, cat)
	}
	return st[familyIndex(p)][j]
}

// geoUnit is a municipality in the family: the municipality "" of a
// county "" holds what has no municipality.
type geoUnit struct{ muni, county string }

// protectFamily protects a measure's year across the geography and the
// organisations at once. The geography: every municipality with something
// to count in the year (the others are 0 throughout, and shown), every
// county and the nation. The organisations: each organisation's own
// figures (a house) and, for one with others under it, the district (its
// own and those of the districts and houses under it). Between them, a
// house is the sum of what it counted in each municipality, and a
// municipality the sum of what each organisation counted there: where one
// organisation alone counted in a municipality that is the municipality
// itself, where several did these cells are Unpublished. Rows of no known
// organisation count in the geography only.
func (d *Data) protectFamily(m measure, year int) map[Scope][][]State {
	fam := yearFamily(year)
	nc := len(m.cats)
	if m.additive {
		nc++
	}
	parent := map[string]string{}
	for _, o := range d.Orgs {
		parent[o.ID] = o.ParentID
	}
	// Units: organisations first (houses, districts), then municipalities,
	// counties, the nation, and the unpublished crossings.
	var units []Scope
	unit := map[Scope]int{}
	for _, o := range d.Orgs {
		unit[Scope{House, o.ID}] = len(units)
		units = append(units, Scope{House, o.ID})
		if len(d.children[o.ID]) > 0 {
			unit[Scope{District, o.ID}] = len(units)
			units = append(units, Scope{District, o.ID})
		}
	}
	no := len(units)
	type cross struct {
		org string // "" no known organisation
		g   geoUnit
	}
	orgOf := func(org string) string {
		if _, ok := unit[Scope{House, org}]; ok {
			return org
		}
		return ""
	}
	seen := map[geoUnit]bool{}
	servedBy := map[geoUnit]map[string]bool{}
	for _, cat := range append([]string{""}, m.cats...) {
		m.each(Period{Year, year, 0}, cat, func(org, muni, county string, _ int) {
			g := geoUnit{muni, county}
			seen[g] = true
			if servedBy[g] == nil {
				servedBy[g] = map[string]bool{}
			}
			servedBy[g][orgOf(org)] = true
		})
	}
	munis := make([]geoUnit, 0, len(seen))
	for u := range seen {
		munis = append(munis, u)
	}
	slices.SortFunc(munis, func(a, b geoUnit) int { return strings.Compare(a.county+"|"+a.muni, b.county+"|"+b.muni) })
	counties := slices.Clone(d.counties)
	for _, u := range munis {
		if !slices.Contains(counties, u.county) {
			counties = append(counties, u.county)
		}
	}
	nm, nco := len(munis), len(counties)
	muniUnit := map[geoUnit]int{}
	for i, u := range munis {
		muniUnit[u] = no + i
	}
	countyOf := map[string]int{}
	for i, c := range counties {
		countyOf[c] = no + nm + i
	}
	nation := no + nm + nco
	nu := nation + 1
	children := make([][]int, nu)
	// crossUnit is the cell of what an organisation counted in a
	// municipality: the municipality's own if it is the only one there.
	crossUnit := map[cross]int{}
	solo := map[int]map[string][]int{} // a house's municipalities where it alone counted, by county
	fixed := map[int][]State{}
	for _, g := range munis {
		orgs := sortedKeys(servedBy[g])
		for _, o := range orgs {
			u := muniUnit[g]
			if len(orgs) > 1 {
				u = nu
				nu++
				children = append(children, nil)
				children[muniUnit[g]] = append(children[muniUnit[g]], u)
				st := make([]State, len(fam)*nc)
				for i := range st {
					st[i] = Unpublished
				}
				fixed[u] = st
			}
			crossUnit[cross{o, g}] = u
			if o == "" {
				continue
			}
			h := unit[Scope{House, o}]
			if u == muniUnit[g] {
				if solo[h] == nil {
					solo[h] = map[string][]int{}
				}
				solo[h][g.county] = append(solo[h][g.county], u)
			} else {
				children[h] = append(children[h], u)
			}
		}
	}
	// A house alone in every municipality of a county counted the county
	// (and one alone everywhere the nation): the same sum, in fewer and
	// larger parts, so that the sums stay small.
	inCounty := map[string]int{}
	for _, g := range munis {
		inCounty[g.county]++
	}
	// A county with nothing to count in the year is 0 throughout, and
	// shown: nothing to protect, and nothing to hide beside another cell
	// (everyone can tell it is 0).
	for _, c := range counties {
		if inCounty[c] == 0 {
			fixed[countyOf[c]] = make([]State, len(fam)*nc)
		}
	}
	for h, by := range solo {
		var full, rest []int
		for _, c := range slices.Sorted(maps.Keys(by)) {
			if len(by[c]) == inCounty[c] {
				full = append(full, countyOf[c])
			} else {
				rest = append(rest, by[c]...)
			}
		}
		if len(children[h]) == 0 && len(rest) == 0 && len(full) == len(inCounty) {
			full = []int{nation}
		}
		children[h] = append(append(children[h], full...), rest...)
	}
	// top is what an organisation adds to its parent's district: its
	// district if it has one, else itself.
	top := func(id string) int {
		if u, ok := unit[Scope{District, id}]; ok {
			return u
		}
		return unit[Scope{House, id}]
	}
	for _, o := range d.Orgs {
		if u, ok := unit[Scope{District, o.ID}]; ok {
			children[u] = append(children[u], unit[Scope{House, o.ID}])
			for _, c := range d.children[o.ID] {
				children[u] = append(children[u], top(c))
			}
		}
	}
	for i, u := range munis {
		children[countyOf[u.county]] = append(children[countyOf[u.county]], no+i)
	}
	for i := range nco {
		children[nation] = append(children[nation], no+nm+i)
	}
	vals := make([][]int, nu)
	for u := range vals {
		vals[u] = make([]int, len(fam)*nc)
	}
	for i, per := range fam {
		for j := range nc {
			cat := ""
			if j < len(m.cats) {
				cat = m.cats[j]
			}
			c := i*nc + j
			m.each(per, cat, func(org, muni, county string, n int) {
				g := geoUnit{muni, county}
				vals[muniUnit[g]][c] += n
				vals[countyOf[county]][c] += n
				vals[nation][c] += n
				if x := crossUnit[cross{orgOf(org), g}]; x != muniUnit[g] {
					vals[x][c] += n
				}
				u, ok := unit[Scope{House, org}]
				if !ok {
					return
				}
				vals[u][c] += n
				seen := map[string]bool{}
				for id := org; id != "" && !seen[id]; id = parent[id] {
					seen[id] = true
					if du, ok := unit[Scope{District, id}]; ok {
						vals[du][c] += n
					}
				}
			})
		}
	}
	st := d.protectValues(m, nc, vals, children, fixed)
	byPeriod := func(flat []State) [][]State {
		per := make([][]State, len(fam))
		for i := range fam {
			per[i] = flat[i*nc : (i+1)*nc]
		}
		return per
	}
	out := map[Scope][][]State{}
	for u, sc := range units {
		out[sc] = byPeriod(st[u])
		if _, ok := unit[Scope{District, sc.ID}]; sc.Kind == House && !ok {
			out[Scope{District, sc.ID}] = out[sc] // a district of one: the house
		}
	}
	for i, u := range munis {
		if u.muni != "" {
			out[Scope{Municipality, u.muni}] = byPeriod(st[no+i])
		}
	}
	for i, c := range counties {
		out[Scope{County, c}] = byPeriod(st[no+nm+i])
	}
	out[Scope{National, ""}] = byPeriod(st[nation])
	return out
}

// protectUnit protects a measure's year for one unit counted on its own.
func (d *Data) protectUnit(m measure, year int, sc Scope) [][]State {
	fam := yearFamily(year)
	nc := len(m.cats)
	if m.additive {
		nc++
	}
	in := d.inFunc(sc)
	vals := make([]int, len(fam)*nc)
	for i, per := range fam {
		for j := range nc {
			cat := ""
			if j < len(m.cats) {
				cat = m.cats[j]
			}
			vals[i*nc+j] = m.count(per, cat, in)
		}
	}
	flat := d.protectValues(m, nc, [][]int{vals}, [][]int{nil}, nil)[0]
	st := make([][]State, len(fam))
	for i := range fam {
		st[i] = flat[i*nc : (i+1)*nc]
	}
	return st
}

// protectValues protects a measure's year for units: vals[u] are a unit's
// cells by period of the year family and category (i*nc+j; the last
// category the total, if additive); a unit with children is the sum of
// them; fixed gives the states of units already decided. It returns the
// states in the same shape.
func (d *Data) protectValues(m measure, nc int, vals [][]int, children [][]int, fixed map[int][]State) [][]State {
	nf := len(yearFamily(0))
	idx := func(u, i, j int) int { return (u*nf+i)*nc + j }
	var p Problem
	p.Values = make([]int, len(vals)*nf*nc)
	for u := range vals {
		copy(p.Values[idx(u, 0, 0):], vals[u])
	}
	if len(fixed) > 0 {
		p.Fixed = map[int]State{}
		for u, st := range fixed {
			for c, s := range st {
				p.Fixed[idx(u, 0, 0)+c] = s
			}
		}
	}
	for u := range vals {
		for i := range nf {
			if m.additive && len(m.cats) > 0 {
				s := Sum{Whole: idx(u, i, nc-1)}
				for j := range len(m.cats) {
					s.Parts = append(s.Parts, idx(u, i, j))
				}
				p.Sums = append(p.Sums, s)
			}
		}
		if m.overTime {
			for j := range nc {
				for q := range 4 {
					p.Sums = append(p.Sums, Sum{Whole: idx(u, 12+q, j),
						Parts: []int{idx(u, 3*q, j), idx(u, 3*q+1, j), idx(u, 3*q+2, j)}})
				}
				p.Sums = append(p.Sums, Sum{Whole: idx(u, 16, j),
					Parts: []int{idx(u, 12, j), idx(u, 13, j), idx(u, 14, j), idx(u, 15, j)}})
			}
		}
		if len(children[u]) > 0 {
			for i := range nf {
				for j := range nc {
					s := Sum{Whole: idx(u, i, j)}
					for _, c := range children[u] {
						s.Parts = append(s.Parts, idx(c, i, j))
					}
					p.Sums = append(p.Sums, s)
				}
			}
		}
	}
	flat := Protect(p)
	out := make([][]State, len(vals))
	for u := range vals {
		out[u] = flat[idx(u, 0, 0) : idx(u, 0, 0)+nf*nc]
	}
	return out
}

// coverage fills the coverage of a year: every municipality of the scope
// with its enquiries and running groups (and a row "" for groups with no
// municipality). For a municipality, a county and the nation these are
// the cells of the geography family (the totals of the tables
// enquiries.channel and groups.running.format of each municipality), in
// the same states; for a house or a district, protected with the scope's
// totals as published in those tables.
func (d *Data) coverage(r *Report, in func(org, muni, county string) bool, protect bool) {
	months := r.Period.Months()
	from, to := r.Period.Start(), r.Period.End()
	enq := map[string]int{}
	grp := map[string]int{}
	for _, e := range d.Enquiries {
		if slices.Contains(months, e.Month) && in(e.OrgID, e.MunicipalityID, e.CountyID) {
			enq[e.MunicipalityID]++
		}
	}
	for _, g := range d.Groups {
		if in(g.OrgID, g.MunicipalityID, g.CountyID) && running(g, from, to) {
			grp[g.MunicipalityID]++
		}
	}
	orgScope := r.Scope.Kind == House || r.Scope.Kind == District
	touched := func(id string) bool { return enq[id] > 0 || grp[id] > 0 }
	if protect && orgScope {
		// An organisation's part of a municipality is not published (it
		// would give away the other houses' part, with the municipality's
		// figures): its protected coverage is the municipalities it works
		// in, each as a whole, as the geography publishes them.
		mine := map[string]bool{}
		for id := range enq {
			mine[id] = true
		}
		for id := range grp {
			mine[id] = true
		}
		touched = func(id string) bool { return mine[id] }
		enq, grp = map[string]int{}, map[string]int{}
		for _, e := range d.Enquiries {
			if slices.Contains(months, e.Month) && mine[e.MunicipalityID] {
				enq[e.MunicipalityID]++
			}
		}
		for _, g := range d.Groups {
			if mine[g.MunicipalityID] && running(g, from, to) {
				grp[g.MunicipalityID]++
			}
		}
	}
	var rows []CoverageRow
	for _, m := range d.Municipalities {
		if r.Scope.Kind == Municipality && m.ID != r.Scope.ID || r.Scope.Kind == County && m.CountyID != r.Scope.ID {
			continue
		}
		if orgScope && !touched(m.ID) {
			continue
		}
		rows = append(rows, CoverageRow{MunicipalityID: m.ID, Name: m.Name, Population: m.Population,
			Enquiries: Cell{enq[m.ID], Shown}, Groups: Cell{grp[m.ID], Shown}})
		if enq[m.ID] > 0 && grp[m.ID] == 0 {
			r.EnquiriesNoGroup = append(r.EnquiriesNoGroup, m.ID)
		}
	}
	if grp[""] > 0 && (!orgScope || touched("")) {
		rows = append(rows, CoverageRow{Groups: Cell{grp[""], Shown}})
	}
	if protect {
		// A municipality's year is published in the tables too: its cells
		// are those of the geography family, in the same states.
		var enqM, grpM measure
		for _, m := range d.measures() {
			switch m.id {
			case "enquiries.channel":
				enqM = m
			case "groups.running.format":
				grpM = m
			}
		}
		for i := range rows {
			sc := Scope{Municipality, rows[i].MunicipalityID}
			if sc.ID == "" {
				sc = Scope{County, ""}
			}
			rows[i].Enquiries.State = d.state(enqM, r.Period, sc, "")
			rows[i].Groups.State = d.state(grpM, r.Period, sc, "")
		}
	}
	for i := range rows {
		row := &rows[i]
		row.EnquiriesPer10k, row.GroupsPer10k = -1, -1
		for _, c := range []*Cell{&row.Enquiries, &row.Groups} {
			if c.State != Shown {
				c.Value = 0
			}
		}
		if row.Population > 0 && row.Enquiries.State == Shown {
			row.EnquiriesPer10k = float64(row.Enquiries.Value) * 10000 / float64(row.Population)
		}
		if row.Population > 0 && row.Groups.State == Shown {
			row.GroupsPer10k = float64(row.Groups.Value) * 10000 / float64(row.Population)
		}
	}
	r.Coverage = rows
}

// Warm works out the protection of every table in the years given (one
// family per table and year: the organisations and the geography), so
// that figures of those years are then only counted (a national year takes
// up to a few seconds to protect, a page should not). Safe to call
// while pages read d: whoever asks for a family first works it out, and
// the others wait for it.
func (d *Data) Warm(years ...int) {
	for _, y := range years {
		p := Period{Year, y, 0}
		for _, m := range d.measures() {
			if len(m.cats) == 0 {
				continue
			}
			d.state(m, p, Scope{Kind: National}, m.cats[0])
		}
	}
}
