package report

import (
	"math"
	"slices"
)

// Small counts are protected before a figure leaves a coordinator's own
// house: a count from 1 to MinShown−1 is not shown ("under 5", primary
// suppression), and further cells are hidden (complementary suppression)
// until no hidden cell can be worked out from what is published: neither
// exactly, by adding and subtracting published totals and parts (linear
// algebra over every sum relation published together), nor by bounds (a
// cell "under 5" is 1–4, any count is at least 0).
//
// Figures published together form a Problem: cells and the sums that tie
// them (a total and its parts; a county and the nation; a year and its
// quarters and months). Protecting them together is what stops differencing
// between tables, so the engine always protects a whole calendar year of a
// table at once (see Figures), and the open data a whole year of counties.

// MinShown is the smallest count shown.
const MinShown = 5

// State says whether a cell is shown.
type State uint8

const (
	Shown  State = iota
	Under5       // 1–4: not shown (primary)
	Hidden       // not shown, without saying why: so that no other cell can be worked out (complementary), or a count under 5 where saying so would tell
)

// Sum ties cells: the cell Whole equals the sum of the cells Parts.
type Sum struct {
	Whole int
	Parts []int
}

// Problem is a set of cells published together and the sums that tie them.
type Problem struct {
	Values []int
	Sums   []Sum
	// Fixed, if set, gives cells already published elsewhere (Shown or
	// Hidden there): they keep that state and are never hidden here.
	Fixed map[int]State
}

// Protect returns the state of every cell of p.
func Protect(p Problem) []State {
	st := make([]State, len(p.Values))
	for i, v := range p.Values {
		if v > 0 && v < MinShown {
			st[i] = Under5
		}
	}
	for i, f := range p.Fixed {
		st[i] = f
	}
	for range 20*len(p.Values) + 100 {
		// A sum with exactly one hidden cell gives it away: hide the
		// smallest other cell of it.
		changed := false
		for _, sum := range p.Sums {
			cells := sumCells(sum)
			n := 0
			for _, c := range cells {
				if st[c] != Shown {
					n++
				}
			}
			if n == 1 && hideSmallest(p, st, cells) {
				changed = true
			}
		}
		if changed {
			continue
		}
		// Across sums: a cell that bounds or linear algebra pin down.
		c := recoverableBounds(p, st)
		if c >= 0 {
			// "Under 5" itself can tell too much (a total under 5 of four
			// cells under 5 is 4 of ones): show a cell under 5 of its sums
			// as only "hidden" instead.
			if relabel(p, st, c) {
				continue
			}
		} else if c = recoverableLinear(p, st); c < 0 {
			return st
		}
		done := false
		for _, sum := range p.Sums {
			if cells := sumCells(sum); slices.Contains(cells, c) && hideSmallest(p, st, cells) {
				done = true
				break
			}
		}
		if !done {
			// Nothing left to hide beside it: hide the smallest shown cell anywhere.
			all := make([]int, len(p.Values))
			for i := range all {
				all[i] = i
			}
			if !hideSmallest(p, st, all) && !relabelAny(p, st) {
				return st // everything hidden, nothing said of any cell
			}
		}
	}
	return st
}

// relabel marks as Hidden a cell under 5 in a sum with c (c itself, or a
// whole, first); it reports whether it did.
func relabel(p Problem, st []State, c int) bool {
	if _, fixed := p.Fixed[c]; !fixed && st[c] == Under5 {
		st[c] = Hidden
		return true
	}
	for _, sum := range p.Sums {
		cells := sumCells(sum)
		if !slices.Contains(cells, c) {
			continue
		}
		for _, x := range cells {
			if _, fixed := p.Fixed[x]; !fixed && st[x] == Under5 {
				st[x] = Hidden
				return true
			}
		}
	}
	return false
}

// relabelAny marks the first cell under 5 as Hidden; it reports whether
// there was one.
func relabelAny(p Problem, st []State) bool {
	for i, s := range st {
		if _, fixed := p.Fixed[i]; !fixed && s == Under5 {
			st[i] = Hidden
			return true
		}
	}
	return false
}

func sumCells(s Sum) []int { return append([]int{s.Whole}, s.Parts...) }

// hideSmallest hides the smallest shown cell among cells, preferring
// cells above zero; it reports whether it hid one.
func hideSmallest(p Problem, st []State, cells []int) bool {
	vals := p.Values
	best := -1
	for _, c := range cells {
		if _, fixed := p.Fixed[c]; st[c] != Shown || fixed {
			continue
		}
		if best < 0 || less(vals[c], vals[best]) {
			best = c
		}
	}
	if best < 0 {
		return false
	}
	st[best] = Hidden
	return true
}

// less orders counts for hiding: above zero before zero, then smaller first.
func less(a, b int) bool {
	if (a == 0) != (b == 0) {
		return b == 0
	}
	return a < b
}

// Recoverable returns a cell that is not shown but can be worked out from
// what is shown, or −1.
func Recoverable(p Problem, st []State) int {
	if c := recoverableBounds(p, st); c >= 0 {
		return c
	}
	return recoverableLinear(p, st)
}

// recoverableLinear: the unknown cells and the sums as linear equations;
// a cell is determined iff its unit vector lies in the row space of the
// equations, i.e. the reduced row echelon form has a row with its pivot
// there and no other entry.
func recoverableLinear(p Problem, st []State) int {
	// Solve each connected part of the unknown cells on its own.
	parent := map[int]int{}
	var find func(int) int
	find = func(x int) int {
		if parent[x] != x {
			parent[x] = find(parent[x])
		}
		return parent[x]
	}
	for i, s := range st {
		if s != Shown {
			parent[i] = i
		}
	}
	if len(parent) == 0 {
		return -1
	}
	bySet := map[int][]int{} // component root → sums touching it
	for _, sum := range p.Sums {
		first := -1
		for _, c := range sumCells(sum) {
			if _, ok := parent[c]; !ok {
				continue
			}
			if first < 0 {
				first = c
			} else {
				parent[find(c)] = find(first)
			}
		}
	}
	for k, sum := range p.Sums {
		for _, c := range sumCells(sum) {
			if _, ok := parent[c]; ok {
				r := find(c)
				bySet[r] = append(bySet[r], k)
				break
			}
		}
	}
	cells := map[int][]int{}
	for c := range parent {
		r := find(c)
		cells[r] = append(cells[r], c)
	}
	roots := make([]int, 0, len(cells))
	for r := range cells {
		roots = append(roots, r)
	}
	slices.Sort(roots)
	for _, r := range roots {
		unknown := cells[r]
		slices.Sort(unknown)
		if c := determined(p, unknown, bySet[r]); c >= 0 {
			return c
		}
	}
	return -1
}

// determined returns an unknown cell that the sums (by index) determine, or −1.
func determined(p Problem, unknown []int, sums []int) int {
	col := map[int]int{}
	for j, c := range unknown {
		col[c] = j
	}
	var m [][]float64
	for _, k := range sums {
		sum := p.Sums[k]
		row := make([]float64, len(unknown))
		if j, ok := col[sum.Whole]; ok {
			row[j] -= 1
		}
		for _, c := range sum.Parts {
			if j, ok := col[c]; ok {
				row[j] += 1
			}
		}
		m = append(m, row)
	}
	const eps = 1e-9
	r := 0
	for c := 0; c < len(unknown) && r < len(m); c++ {
		piv := -1
		for i := r; i < len(m); i++ {
			if math.Abs(m[i][c]) > eps {
				piv = i
				break
			}
		}
		if piv < 0 {
			continue
		}
		m[r], m[piv] = m[piv], m[r]
		f := m[r][c]
		for j := c; j < len(m[r]); j++ {
			m[r][j] /= f
		}
		for i := range m {
			if i != r && math.Abs(m[i][c]) > eps {
				g := m[i][c]
				for j := c; j < len(m[i]); j++ {
					m[i][j] -= g * m[r][j]
				}
			}
		}
		r++
	}
	for i := range r {
		nz, at := 0, -1
		for j, v := range m[i] {
			if math.Abs(v) > eps {
				nz++
				at = j
			}
		}
		if nz == 1 {
			return unknown[at]
		}
	}
	return -1
}

// recoverableBounds narrows each unknown cell's range from its sums
// (a cell under 5 is 1–4, any cell at least 0) and returns one whose range
// is a single value.
func recoverableBounds(p Problem, st []State) int {
	const inf = math.MaxInt32
	lo := make([]int, len(st))
	hi := make([]int, len(st))
	for i, s := range st {
		switch s {
		case Shown:
			lo[i], hi[i] = p.Values[i], p.Values[i]
		case Under5:
			lo[i], hi[i] = 1, MinShown-1
		default:
			lo[i], hi[i] = 0, inf
		}
	}
	add := func(a, b int) int {
		if a >= inf || b >= inf {
			return inf
		}
		return a + b
	}
	for {
		changed := false
		for _, sum := range p.Sums {
			// whole = Σ parts.
			sl, sh := 0, 0
			for _, c := range sum.Parts {
				sl, sh = sl+lo[c], add(sh, hi[c])
			}
			w := sum.Whole
			if sl > lo[w] {
				lo[w], changed = sl, true
			}
			if sh < hi[w] {
				hi[w], changed = sh, true
			}
			for _, c := range sum.Parts {
				ol, oh := sl-lo[c], sh
				if oh < inf {
					oh -= hi[c]
				}
				// c = whole − others.
				if hi[w] < inf {
					if v := hi[w] - ol; v < hi[c] {
						hi[c], changed = v, true
					}
				}
				if oh < inf {
					if v := lo[w] - oh; v > lo[c] {
						lo[c], changed = v, true
					}
				}
			}
		}
		if !changed {
			break
		}
	}
	for i, s := range st {
		if s != Shown && lo[i] == hi[i] {
			return i
		}
	}
	return -1
}
