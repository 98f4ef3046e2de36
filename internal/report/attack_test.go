package report_test

// An attacker who holds every published figure and knows how they add up
// (a total is the sum of its categories, the nation the sum of its
// counties, a quarter the sum of its months, a year the sum of its
// quarters) tries to work out the cells that are not shown: exactly, by
// solving the published sums over the rationals, and by narrowing bounds
// (a cell "under 5" is 1–4, any count at least 0). Written apart from the
// package's own check, on purpose.

import (
	"math"
	"math/big"
	"sort"

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

// recoverExact returns the unknown cells whose values follow from the
// published sums, with the values.
func (p *published) recoverExact() map[string]*big.Rat {
	var vars []string
	for k := range p.unknown {
		vars = append(vars, k)
	}
	sort.Strings(vars)
	col := map[string]int{}
	for i, v := range vars {
		col[v] = i
	}
	var rows [][]*big.Rat
	for _, e := range p.eqs {
		row := make([]*big.Rat, len(vars)+1)
		for i := range row {
			row[i] = new(big.Rat)
		}
		// Σ parts − whole = 0: unknowns left, known values right.
		add := func(key string, sign int64) {
			if j, ok := col[key]; ok {
				row[j].Add(row[j], big.NewRat(sign, 1))
			} else if v, ok := p.known[key]; ok {
				row[len(vars)].Sub(row[len(vars)], big.NewRat(sign*int64(v), 1))
			} else {
				panic("cell neither known nor unknown: " + key)
			}
		}
		add(e.whole, -1)
		for _, k := range e.parts {
			add(k, 1)
		}
		rows = append(rows, row)
	}
	r := 0
	for c := 0; c < len(vars) && r < len(rows); c++ {
		piv := -1
		for i := r; i < len(rows); i++ {
			if rows[i][c].Sign() != 0 {
				piv = i
				break
			}
		}
		if piv < 0 {
			continue
		}
		rows[r], rows[piv] = rows[piv], rows[r]
		f := new(big.Rat).Inv(rows[r][c])
		for j := range rows[r] {
			rows[r][j].Mul(rows[r][j], f)
		}
		for i := range rows {
			if i != r && rows[i][c].Sign() != 0 {
				g := new(big.Rat).Set(rows[i][c])
				for j := range rows[i] {
					rows[i][j].Sub(rows[i][j], new(big.Rat).Mul(g, rows[r][j]))
				}
			}
		}
		r++
	}
	out := map[string]*big.Rat{}
	for i := range r {
		nz, at := 0, -1
		for j := range vars {
			if rows[i][j].Sign() != 0 {
				nz++
				at = j
			}
		}
		if nz == 1 {
			out[vars[at]] = rows[i][len(vars)]
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
