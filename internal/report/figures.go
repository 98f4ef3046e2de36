package report

import (
	"context"
	"slices"
	"sort"
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

	themes   []string            // every theme slug in the rows
	byMonth  map[string][]int    // enquiries by month
	children map[string][]string // organisation tree
	counties []string

	mu    sync.Mutex
	cache map[string][][][]State // protected families, by measure, year and level
}

// Load reads the data of reports from the store.
func Load(ctx context.Context, s *store.Store) (*Data, error) {
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
	d.prepare()
	return &d, nil
}

// NewData makes Data from rows (for tests and tools).
func NewData(e []store.ReportEnquiry, g []store.ReportGroup, o []store.ReportOrg, m []store.ReportMunicipality) *Data {
	d := &Data{Enquiries: e, Groups: g, Orgs: o, Municipalities: m}
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
	cs := map[string]bool{}
	for _, m := range d.Municipalities {
		cs[m.CountyID] = true
	}
	d.counties = append(sortedKeys(cs), "") // "": no county (a group meeting by phone or video)
	d.cache = map[string][][][]State{}
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
	ID    string
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
	cats     []string
	additive bool // the categories add up to the total
	overTime bool // months add up to quarters, quarters to the year
	count    func(p Period, cat string, in func(org, muni, county string) bool) int
}

// Outcomes of enquiries, in the order reports show them.
var Outcomes = []string{store.OutcomeWaiting, store.OutcomePlaced, store.OutcomeWithdrawn, store.OutcomeNoGroup,
	store.OutcomeUnanswered, store.OutcomeClosed}

// GroupFormats are the formats of groups.
var GroupFormats = []string{"in_person", "telephone", "video", "hybrid"}

func (d *Data) measures() []measure {
	enq := func(id string, cats []string, additive bool, match func(e store.ReportEnquiry, cat string) bool) measure {
		return measure{id: id, cats: cats, additive: additive, overTime: true,
			count: func(p Period, cat string, in func(org, muni, county string) bool) int {
				n := 0
				for _, m := range p.Months() {
					for _, i := range d.byMonth[m] {
						if e := d.Enquiries[i]; in(e.OrgID, e.MunicipalityID, e.CountyID) && match(e, cat) {
							n++
						}
					}
				}
				return n
			}}
	}
	ms := []measure{
		enq("enquiries.channel", store.EnquiryChannels, true, func(e store.ReportEnquiry, c string) bool {
			return c == "" || e.Channel == c
		}),
		enq("enquiries.referral", store.ReferralKinds, true, func(e store.ReportEnquiry, c string) bool {
			return e.Channel == "referral" && (c == "" || e.ReferralKind == c)
		}),
		enq("enquiries.theme", d.themes, false, func(e store.ReportEnquiry, c string) bool {
			return slices.Contains(e.Themes, c)
		}),
		enq("enquiries.outcome", Outcomes, true, func(e store.ReportEnquiry, c string) bool {
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
	}
	for _, ev := range events {
		for _, dim := range dims {
			ms = append(ms, measure{id: "groups." + ev.name + "." + dim.name, cats: dim.cats, additive: dim.additive,
				overTime: ev.overTime,
				count: func(p Period, cat string, in func(org, muni, county string) bool) int {
					n := 0
					for _, g := range d.Groups {
						if in(g.OrgID, g.MunicipalityID, g.CountyID) && (cat == "" || dim.has(g, cat)) &&
							ev.did(g, p.Start(), p.End()) {
							n++
						}
					}
					return n
				}})
		}
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
		t := Table{ID: m.id}
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
// Counties and the nation are protected together (a county is a part of
// the nation); a house, a district and a municipality on their own. Each
// is protected a calendar year at a time (months, quarters, year).
func (d *Data) state(m measure, p Period, sc Scope, cat string) State {
	var units []Scope
	parent := false
	u := 0
	switch sc.Kind {
	case County, National:
		for _, c := range d.counties {
			units = append(units, Scope{County, c})
		}
		units = append(units, Scope{National, ""})
		parent = true
		u = len(units) - 1
		if sc.Kind == County {
			u = slices.Index(d.counties, sc.ID)
			if u < 0 {
				return Hidden // not a county: nothing of it is published
			}
		}
	default:
		units = []Scope{sc}
	}
	key := m.id + "|" + string(sc.Kind) + "|" + sc.ID + "|" + Period{Year, p.Year, 0}.String()
	if parent {
		key = m.id + "|geo|" + Period{Year, p.Year, 0}.String()
	}
	d.mu.Lock()
	st, ok := d.cache[key]
	d.mu.Unlock()
	if !ok {
		st = d.protectFamily(m, p.Year, units, parent)
		d.mu.Lock()
		d.cache[key] = st
		d.mu.Unlock()
	}
	j := len(m.cats)
	if cat != "" {
		j = slices.Index(m.cats, cat)
	}
	return st[u][familyIndex(p)][j]
}

// protectFamily protects a measure's year: cells by unit, period of the
// year family, and category (the last one the total, if additive); with
// parent, the last unit is the sum of the others.
func (d *Data) protectFamily(m measure, year int, units []Scope, parent bool) [][][]State {
	fam := yearFamily(year)
	nc := len(m.cats)
	if m.additive {
		nc++
	}
	idx := func(u, i, j int) int { return (u*len(fam)+i)*nc + j }
	var p Problem
	p.Values = make([]int, len(units)*len(fam)*nc)
	for u, sc := range units {
		in := d.inFunc(sc)
		for i, per := range fam {
			for j := range nc {
				cat := ""
				if j < len(m.cats) {
					cat = m.cats[j]
				}
				p.Values[idx(u, i, j)] = m.count(per, cat, in)
			}
		}
	}
	for u := range units {
		for i := range fam {
			if m.additive {
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
	}
	if parent {
		top := len(units) - 1
		for i := range fam {
			for j := range nc {
				s := Sum{Whole: idx(top, i, j)}
				for u := range top {
					s.Parts = append(s.Parts, idx(u, i, j))
				}
				p.Sums = append(p.Sums, s)
			}
		}
	}
	flat := Protect(p)
	out := make([][][]State, len(units))
	for u := range units {
		out[u] = make([][]State, len(fam))
		for i := range fam {
			out[u][i] = flat[idx(u, i, 0) : idx(u, i, 0)+nc]
		}
	}
	return out
}

// coverage fills the coverage of a year: every municipality of the scope
// with its enquiries and running groups (and a row "" for groups with no
// municipality), protected with the scope's totals as published in the
// tables enquiries.channel and groups.running.format.
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
	var rows []CoverageRow
	for _, m := range d.Municipalities {
		if r.Scope.Kind == Municipality && m.ID != r.Scope.ID || r.Scope.Kind == County && m.CountyID != r.Scope.ID {
			continue
		}
		if (r.Scope.Kind == House || r.Scope.Kind == District) && enq[m.ID] == 0 && grp[m.ID] == 0 {
			continue
		}
		rows = append(rows, CoverageRow{MunicipalityID: m.ID, Name: m.Name, Population: m.Population,
			Enquiries: Cell{enq[m.ID], Shown}, Groups: Cell{grp[m.ID], Shown}})
		if enq[m.ID] > 0 && grp[m.ID] == 0 {
			r.EnquiriesNoGroup = append(r.EnquiriesNoGroup, m.ID)
		}
	}
	if grp[""] > 0 {
		rows = append(rows, CoverageRow{Groups: Cell{grp[""], Shown}})
	}
	if protect {
		// Cells: per row enquiries, groups; then the two totals.
		n := len(rows)
		p := Problem{Values: make([]int, 2*n+2), Fixed: map[int]State{}}
		se, sg := Sum{Whole: 2 * n}, Sum{Whole: 2*n + 1}
		for i, row := range rows {
			p.Values[2*i], p.Values[2*i+1] = row.Enquiries.Value, row.Groups.Value
			se.Parts = append(se.Parts, 2*i)
			sg.Parts = append(sg.Parts, 2*i+1)
		}
		p.Sums = []Sum{se, sg}
		if t := r.Table("enquiries.channel"); t != nil {
			p.Values[2*n], p.Fixed[2*n] = t.Total.Now.Value, t.Total.Now.State
		}
		if t := r.Table("groups.running.format"); t != nil {
			p.Values[2*n+1], p.Fixed[2*n+1] = t.Total.Now.Value, t.Total.Now.State
		}
		st := Protect(p)
		for i := range rows {
			rows[i].Enquiries.State, rows[i].Groups.State = st[2*i], st[2*i+1]
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
