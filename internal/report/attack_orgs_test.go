package report_test

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/fellesrom/fellesrom/internal/report"
	"github.com/fellesrom/fellesrom/internal/store"
)

// servedHistory is a generated history where houses sit in
// municipalities: two houses in Oslo (a large one that also serves Bærum,
// and a small one), one in Asker alone, and under Region Nord (which
// counts a little itself, in Unjárga Nesseby) one in Tromsø that also
// serves Unjárga Nesseby and one in Kvæfjord alone. serves says which
// houses can have rows in which municipalities: what an attacker knows.
func servedHistory(seed uint64) (*report.Data, map[string][]string) {
	serves := map[string][]string{
		"oslo-stor":  {"0301", "3201"},
		"oslo-liten": {"0301"},
		"asker":      {"3203"},
		"nord":       {"5636"},
		"tromso":     {"5501", "5636"},
		"kvaefjord":  {"5510"},
	}
	orgs := []store.ReportOrg{{ID: "nord", Kind: "district_office"}, {ID: "oslo-stor", Kind: "self_help_house"},
		{ID: "oslo-liten", Kind: "self_help_house"}, {ID: "asker", Kind: "self_help_house"},
		{ID: "tromso", ParentID: "nord", Kind: "self_help_house"}, {ID: "kvaefjord", ParentID: "nord", Kind: "self_help_house"}}
	// Monthly enquiries at most this many, by house and municipality.
	weight := map[[2]string]int{
		{"oslo-stor", "0301"}: 30, {"oslo-stor", "3201"}: 10, {"oslo-liten", "0301"}: 2, {"asker", "3203"}: 5,
		{"nord", "5636"}: 1, {"tromso", "5501"}: 8, {"tromso", "5636"}: 1, {"kvaefjord", "5510"}: 2,
	}
	rng := rand.New(rand.NewPCG(seed, 11))
	var enq []store.ReportEnquiry
	for _, y := range []int{2025, 2026} {
		for mo := 1; mo <= 12; mo++ {
			for _, o := range orgs {
				for _, m := range serves[o.ID] {
					for range rng.IntN(weight[[2]string{o.ID, m}] + 1) {
						e := store.ReportEnquiry{Month: fmt.Sprintf("%d-%02d", y, mo), OrgID: o.ID, MunicipalityID: m,
							CountyID: muniCounty(m), Channel: store.EnquiryChannels[rng.IntN(4)],
							Outcome: report.Outcomes[rng.IntN(6)], WaitedDays: -1}
						if e.Channel == "referral" {
							e.ReferralKind = store.ReferralKinds[rng.IntN(4)]
						}
						for _, th := range testThemes {
							if rng.IntN(3) == 0 {
								e.Themes = append(e.Themes, th)
							}
						}
						enq = append(enq, e)
					}
				}
			}
		}
	}
	return report.NewData(enq, nil, orgs, testMunis), serves
}

// The attack across the organisations and the geography together (issue
// 7, item 2): every figure of every house, district, municipality, county
// and the nation is published, and the attacker knows which houses can
// have rows in which municipalities: a municipality is the sum of what
// each house serving it counted there, a house the sum of what it counted
// in each municipality it serves. With the two families protected apart,
// Oslo's total less the large Oslo house gives the small one, and
// Kvæfjord (one house alone) is that house. A house's count in a
// municipality is never published; working it out is a disclosure only
// when it is 1–4.
func TestFiguresResistHouseAndMunicipalityDifferencing(t *testing.T) {
	tables := []string{"enquiries.channel", "enquiries.theme", "enquiries.outcome"}
	for seed := uint64(1); seed <= 4; seed++ {
		d, serves := servedHistory(seed)
		nodes := geoNodes()
		nodes = append(nodes,
			node{key: "hnord", scope: report.Scope{Kind: report.House, ID: "nord"}},
			node{key: "dnord", scope: report.Scope{Kind: report.District, ID: "nord"}, children: []string{"hnord", "htromso", "hkvaefjord"}})
		byMuni := map[string][]string{}
		var crossings []crossing
		for _, h := range []string{"oslo-stor", "oslo-liten", "asker", "tromso", "kvaefjord", "nord"} {
			if h != "nord" {
				nodes = append(nodes, node{key: "h" + h, scope: report.Scope{Kind: report.House, ID: h}})
			}
			x := crossing{whole: "h" + h}
			for _, m := range serves[h] {
				k := "x" + h + "@" + m
				x.parts = append(x.parts, k)
				byMuni[m] = append(byMuni[m], k)
			}
			crossings = append(crossings, x)
		}
		for _, m := range testMunis {
			crossings = append(crossings, crossing{whole: "m" + m.ID, parts: byMuni[m.ID]})
		}
		got, naive, hidden := attackCrossed(d, tables, nodes, crossings)
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
// published sums, with the values (as recoverExact, by another method).
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
