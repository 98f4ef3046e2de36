package report_test

// An attacker who holds every published figure and knows how they add up
// (a total is the sum of its categories, the nation the sum of its
// counties, a quarter the sum of its months, a year the sum of its
// quarters) tries to work out the cells that are not shown: exactly, by
// solving the published sums (modulo a large prime), and by narrowing bounds
// (a cell "under 5" is 1–4, any count at least 0). Written apart from the
// package's own check, on purpose.

import (
	"math"
	"math/bits"
	"sort"
	"strings"
	"testing"

	"github.com/fellesrom/fellesrom/internal/report"
)

// published is what an attacker holds: known values and unknown cells
// with their state.
type published struct {
	known   map[string]int
	unknown map[string]report.State
	eqs     []equation
}

// equation: whole = Σ parts (by cell key).
type equation struct {
	whole string
	parts []string
}

func newPublished() *published {
	return &published{known: map[string]int{}, unknown: map[string]report.State{}}
}

func (p *published) cell(key string, c report.Cell) {
	if c.State == report.Shown {
		p.known[key] = c.Value
	} else {
		p.unknown[key] = c.State
	}
}

func (p *published) sum(whole string, parts ...string) {
	p.eqs = append(p.eqs, equation{whole, parts})
}

// disclosures are the hidden cells worked out from what is published,
// exactly or by bounds, with their values, but for zeros: a 0 counts
// nobody (and is shown wherever it is not hidden to protect another cell).
func (p *published) disclosures() map[string]int {
	out := map[string]int{}
	for k, v := range p.recoverModP() {
		if v != 0 {
			out[k] = v
		}
	}
	for k, v := range p.recoverBounds() {
		if v != 0 {
			out[k] = v
		}
	}
	return out
}

// recoverBounds returns the unknown cells whose bounds close to one value.
func (p *published) recoverBounds() map[string]int {
	const inf = math.MaxInt32
	lo, hi := map[string]int{}, map[string]int{}
	for k, v := range p.known {
		lo[k], hi[k] = v, v
	}
	for k, s := range p.unknown {
		if s == report.Under5 {
			lo[k], hi[k] = 1, 4
		} else {
			lo[k], hi[k] = 0, inf
		}
	}
	for changed := true; changed; {
		changed = false
		for _, e := range p.eqs {
			sl, sh := 0, 0
			for _, k := range e.parts {
				sl += lo[k]
				if sh < inf && hi[k] < inf {
					sh += hi[k]
				} else {
					sh = inf
				}
			}
			if sl > lo[e.whole] {
				lo[e.whole], changed = sl, true
			}
			if sh < hi[e.whole] {
				hi[e.whole], changed = sh, true
			}
			for _, k := range e.parts {
				others := sl - lo[k]
				if hi[e.whole] < inf && hi[e.whole]-others < hi[k] {
					hi[k], changed = hi[e.whole]-others, true
				}
				othersHi := inf
				if sh < inf {
					othersHi = sh - hi[k]
				}
				if othersHi < inf && lo[e.whole]-othersHi > lo[k] {
					lo[k], changed = lo[e.whole]-othersHi, true
				}
			}
		}
	}
	out := map[string]int{}
	for k := range p.unknown {
		if lo[k] == hi[k] {
			out[k] = lo[k]
		}
	}
	return out
}

// node is a published scope in an attack, and the scopes (by key) it is
// the sum of.
type node struct {
	key      string
	scope    report.Scope
	children []string
}

// attackTree publishes every figure of the tables for every month,
// quarter and year of 2026 for every node, protected and (for the control)
// with primary suppression only, tells the attacker every sum (categories
// to the total, months to quarters to the year, children to their node),
// and returns what the attacker recovers from each, by table.
func attackTree(d *report.Data, tables []string, nodes []node) (got, naiveGot map[string]map[string]bool, hidden map[string]int) {
	return attackCrossed(d, tables, nodes, nil)
}

// crossing is a sum the attacker knows over cells that are never
// published: node Whole is the sum of the unpublished cells Parts (named
// apart from every node), e.g. a municipality the sum of what each house
// that serves it counted there, a house the sum of what it counted in each
// municipality. Such a cell worked out is a disclosure only when it is 1–4.
type crossing struct {
	whole string
	parts []string
}

// attackCrossed is attackTree with crossings: their unpublished cells join
// the attacker's unknowns, under the same category and time sums.
func attackCrossed(d *report.Data, tables []string, nodes []node, crossings []crossing) (got, naiveGot map[string]map[string]bool, hidden map[string]int) {
	got, naiveGot, hidden = map[string]map[string]bool{}, map[string]map[string]bool{}, map[string]int{}
	unpub := map[string]bool{}
	for _, x := range crossings {
		for _, c := range x.parts {
			if !unpub[c] {
				unpub[c] = true
				nodes = append(nodes, node{key: c})
			}
		}
	}
	type figs struct{ prot, exact *report.Report }
	reports := map[string]map[string]figs{}
	for _, n := range nodes {
		if unpub[n.key] {
			continue
		}
		reports[n.key] = map[string]figs{}
		for _, p := range allPeriods(2026) {
			reports[n.key][p.String()] = figs{d.Figures(p, n.scope, true), d.Figures(p, n.scope, false)}
		}
	}
	for _, table := range tables {
		pub, naive := newPublished(), newPublished()
		var cats []string
		for _, n := range nodes {
			if unpub[n.key] {
				continue
			}
			for _, p := range allPeriods(2026) {
				f := reports[n.key][p.String()]
				tb, ex := f.prot.Table(table), f.exact.Table(table)
				rows, exRows := tb.Rows, ex.Rows
				if tb.Total != nil {
					rows = append(append([]report.Row{}, rows...), *tb.Total)
					exRows = append(append([]report.Row{}, exRows...), *ex.Total)
				}
				cats = cats[:0]
				for i, row := range rows {
					k := n.key + "|" + p.String() + "|" + row.Key
					pub.cell(k, row.Now)
					v := exRows[i].Now.Value
					st := report.Shown
					if v > 0 && v < report.MinShown {
						st = report.Under5
					}
					naive.cell(k, report.Cell{Value: v, State: st})
					cats = append(cats, row.Key)
				}
			}
		}
		for _, n := range nodes {
			if !unpub[n.key] {
				continue
			}
			for _, p := range allPeriods(2026) {
				for _, c := range cats {
					k := n.key + "|" + p.String() + "|" + c
					pub.unknown[k], naive.unknown[k] = report.Hidden, report.Hidden
				}
			}
		}
		additive := len(cats) > 0 && cats[len(cats)-1] == ""
		for _, pb := range []*published{pub, naive} {
			for _, n := range nodes {
				for _, p := range allPeriods(2026) {
					key := func(c string) string { return n.key + "|" + p.String() + "|" + c }
					if additive && len(cats) > 1 {
						var parts []string
						for _, c := range cats[:len(cats)-1] {
							parts = append(parts, key(c))
						}
						pb.sum(key(""), parts...)
					}
					for _, c := range cats {
						var parts []string
						switch p.Kind {
						case report.Quarter:
							for m := 3*p.N - 2; m <= 3*p.N; m++ {
								parts = append(parts, n.key+"|"+report.Period{Kind: report.Month, Year: 2026, N: m}.String()+"|"+c)
							}
						case report.Year:
							for q := 1; q <= 4; q++ {
								parts = append(parts, n.key+"|"+report.Period{Kind: report.Quarter, Year: 2026, N: q}.String()+"|"+c)
							}
						}
						if parts != nil {
							pb.sum(key(c), parts...)
						}
						if len(n.children) > 0 {
							parts = nil
							for _, ch := range n.children {
								parts = append(parts, ch+"|"+p.String()+"|"+c)
							}
							pb.sum(key(c), parts...)
						}
					}
				}
			}
			for _, x := range crossings {
				for _, p := range allPeriods(2026) {
					for _, c := range cats {
						var parts []string
						for _, k := range x.parts {
							parts = append(parts, k+"|"+p.String()+"|"+c)
						}
						pb.sum(x.whole+"|"+p.String()+"|"+c, parts...)
					}
				}
			}
		}
		// An unpublished cell is a disclosure only when it is 1–4.
		isUnpub := func(k string) bool { i := strings.IndexByte(k, '|'); return i > 0 && unpub[k[:i]] }
		disclosed := func(pb *published) map[string]bool {
			out := map[string]bool{}
			for k, v := range pb.disclosures() {
				if !isUnpub(k) || v < report.MinShown {
					out[k] = true
				}
			}
			return out
		}
		got[table], naiveGot[table] = disclosed(pub), disclosed(naive)
		hidden[table] = 0
		for k := range pub.unknown {
			if !isUnpub(k) {
				hidden[table]++
			}
		}
	}
	return got, naiveGot, hidden
}

// geoNodes are the municipalities of the test history, their counties and
// the nation, each the sum of the ones under it.
func geoNodes() []node {
	var nodes []node
	byCounty := map[string][]string{}
	for _, m := range testMunis {
		nodes = append(nodes, node{key: "m" + m.ID, scope: report.Scope{Kind: report.Municipality, ID: m.ID}})
		byCounty[m.CountyID] = append(byCounty[m.CountyID], "m"+m.ID)
	}
	var cs []string
	for _, c := range counties {
		nodes = append(nodes, node{key: "c" + c, scope: report.Scope{Kind: report.County, ID: c}, children: byCounty[c]})
		cs = append(cs, "c"+c)
	}
	return append(nodes, node{key: "NO", scope: report.Scope{Kind: report.National}, children: cs})
}

// The attack across the geography (issue 7, item 2): every figure of every
// municipality, county and the nation is published, and the attacker adds
// a county's other municipalities and subtracts them from its total. With
// municipalities protected on their own, Akershus's total less Bærum gives
// Asker (and Troms less Tromsø gives Kvæfjord); now nothing is recovered.
func TestFiguresResistGeographyDifferencing(t *testing.T) {
	tables := []string{"enquiries.channel", "enquiries.theme", "groups.started.model", "meetings.attendance", "events.reached"}
	for seed := uint64(1); seed <= 4; seed++ {
		h := makeHistory(seed)
		got, naive, hidden := attackTree(h.data.WithCounts(makeCounts(seed)), tables, geoNodes())
		for _, table := range tables {
			if len(got[table]) > 0 {
				t.Errorf("seed %d %s: recovered %v (of %d hidden)", seed, table, keys(got[table]), hidden[table])
			}
			if seed == 1 && table == "enquiries.channel" && len(naive[table]) == 0 {
				t.Errorf("the attacker recovers nothing even from primary suppression alone")
			}
		}
	}
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// The same attack on the organisation tree: a district's figures less
// those of all but one of its houses give the last one. Region Nord is
// its own (nothing here) and its two houses'.
func TestFiguresResistDistrictDifferencing(t *testing.T) {
	tables := []string{"enquiries.channel", "enquiries.theme", "meetings.attendance"}
	nodes := []node{
		{key: "hnord", scope: report.Scope{Kind: report.House, ID: "region-nord"}},
		{key: "htromso", scope: report.Scope{Kind: report.House, ID: "huset-tromso"}},
		{key: "hkvaefjord", scope: report.Scope{Kind: report.House, ID: "huset-kvaefjord"}},
		{key: "dnord", scope: report.Scope{Kind: report.District, ID: "region-nord"}, children: []string{"hnord", "htromso", "hkvaefjord"}},
	}
	for seed := uint64(1); seed <= 4; seed++ {
		h := makeHistory(seed)
		got, naive, hidden := attackTree(h.data.WithCounts(makeCounts(seed)), tables, nodes)
		for _, table := range tables {
			if len(got[table]) > 0 {
				t.Errorf("seed %d %s: recovered %v (of %d hidden)", seed, table, keys(got[table]), hidden[table])
			}
			if seed == 1 && table == "enquiries.channel" && len(naive[table]) == 0 {
				t.Errorf("the attacker recovers nothing even from primary suppression alone")
			}
		}
	}
}

// modP is a prime for solving the published sums exactly in arithmetic
// modulo it: a cell follows from the sums over the rationals iff it does
// modulo a large prime (but for primes dividing a minor of the sums, of
// which there are too few to meet by chance), and its value, a count, is
// its residue. Sparse, so that a family of thousands of cells is quick.
const modP = 1<<61 - 1

func mulP(a, b uint64) uint64 { hi, lo := bits.Mul64(a, b); return bits.Rem64(hi, lo, modP) }
func addP(a, b uint64) uint64 { return (a + b) % modP }
func negP(a uint64) uint64    { return (modP - a) % modP }

// invP is a's inverse modulo modP (Fermat).
func invP(a uint64) uint64 {
	r, e := uint64(1), uint64(modP-2)
	for ; e > 0; e >>= 1 {
		if e&1 == 1 {
			r = mulP(r, a)
		}
		a = mulP(a, a)
	}
	return r
}

// recoverModP returns the unknown cells whose values follow from the
// published sums, with the values.
func (p *published) recoverModP() map[string]int {
	col := map[string]int{}
	var vars []string
	for k := range p.unknown {
		vars = append(vars, k)
	}
	sort.Strings(vars)
	for i, v := range vars {
		col[v] = i
	}
	type row struct {
		a   map[int]uint64
		rhs uint64
	}
	var rows []*row
	colRows := make([]map[int]bool, len(vars))
	for i := range colRows {
		colRows[i] = map[int]bool{}
	}
	for _, e := range p.eqs {
		r := &row{a: map[int]uint64{}}
		add := func(key string, sign int) {
			if j, ok := col[key]; ok {
				if sign > 0 {
					r.a[j] = addP(r.a[j], 1)
				} else {
					r.a[j] = addP(r.a[j], modP-1)
				}
			} else if sign > 0 {
				r.rhs = addP(r.rhs, negP(uint64(p.known[key])))
			} else {
				r.rhs = addP(r.rhs, uint64(p.known[key]))
			}
		}
		add(e.whole, -1)
		for _, k := range e.parts {
			add(k, 1)
		}
		for j, v := range r.a {
			if v == 0 {
				delete(r.a, j)
			} else {
				colRows[j][len(rows)] = true
			}
		}
		rows = append(rows, r)
	}
	pivoted := make([]bool, len(rows))
	pivotOf := make([]int, len(vars))
	for c := range vars {
		pivotOf[c] = -1
		pr := -1
		for i := range colRows[c] {
			if !pivoted[i] && (pr < 0 || i < pr) {
				pr = i
			}
		}
		if pr < 0 {
			continue
		}
		pivoted[pr], pivotOf[c] = true, pr
		r := rows[pr]
		f := invP(r.a[c])
		for j := range r.a {
			r.a[j] = mulP(r.a[j], f)
		}
		r.rhs = mulP(r.rhs, f)
		for i := range colRows[c] {
			if i == pr {
				continue
			}
			o := rows[i]
			g := o.a[c]
			for j, v := range r.a {
				nv := addP(o.a[j], negP(mulP(g, v)))
				if nv == 0 {
					delete(o.a, j)
					delete(colRows[j], i)
				} else {
					if _, had := o.a[j]; !had {
						colRows[j][i] = true
					}
					o.a[j] = nv
				}
			}
			o.rhs = addP(o.rhs, negP(mulP(g, r.rhs)))
		}
	}
	out := map[string]int{}
	for c, pr := range pivotOf {
		if pr >= 0 && len(rows[pr].a) == 1 {
			out[vars[c]] = int(rows[pr].rhs) // Σ parts − whole = rhs: here 1·cell = its value
		}
	}
	return out
}
