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

	cells    [][]int // each sum's cells, whole first (set by Protect)
	cellSums [][]int // each cell's sums (set by Protect)
}

// sumCells are the cells of the k-th sum, whole first.
func (p *Problem) sumCells(k int) []int {
	if p.cells != nil {
		return p.cells[k]
	}
	return sumCells(p.Sums[k])
}

// Protect returns the state of every cell of p.
func Protect(p Problem) []State {
	p.cells = make([][]int, len(p.Sums))
	for k, sum := range p.Sums {
		p.cells[k] = sumCells(sum)
	}
	p.cellSums = cellSums(p)
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
		for k := range p.Sums {
			cells := p.sumCells(k)
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
		// Across sums: the cells that bounds or linear algebra pin down,
		// all of them at once (each is protected below; some may need no
		// more once others are, which costs a little more suppression but
		// saves a search per cell in large families).
		cs := boundsPinned(p, st)
		byBounds := len(cs) > 0
		if !byBounds {
			if cs = linearDetermined(p, st); len(cs) == 0 {
				return st
			}
		}
		progress := false
		for _, c := range cs {
			// "Under 5" itself can tell too much (a total under 5 of four
			// cells under 5 is 4 of ones): show a cell under 5 of its sums
			// as only "hidden" instead.
			if byBounds && relabel(p, st, c) {
				progress = true
				continue
			}
			for _, k := range p.cellSums[c] {
				if hideSmallest(p, st, p.sumCells(k)) {
					progress = true
					break
				}
			}
		}
		if !progress {
			// Nothing left to hide beside them: hide the smallest shown cell anywhere.
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
	for _, k := range p.cellSums[c] { // the sums with c, in order
		for _, x := range p.sumCells(k) {
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
	if cs := linearDetermined(p, st); len(cs) > 0 {
		return cs[0]
	}
	return -1
}

// linearDetermined returns a determined cell of each connected part of the
// unknown cells that has one.
func linearDetermined(p Problem, st []State) []int {
	// Solve each connected part of the unknown cells on its own.
	parent := make([]int, len(st)) // −1: a shown cell
	var find func(int) int
	find = func(x int) int {
		if parent[x] != x {
			parent[x] = find(parent[x])
		}
		return parent[x]
	}
	some := false
	for i, s := range st {
		parent[i] = -1
		if s != Shown {
			parent[i], some = i, true
		}
	}
	if !some {
		return nil
	}
	bySet := map[int][]int{} // component root → sums touching it
	for k := range p.Sums {
		first := -1
		for _, c := range p.sumCells(k) {
			if parent[c] < 0 {
				continue
			}
			if first < 0 {
				first = c
			} else {
				parent[find(c)] = find(first)
			}
		}
	}
	for k := range p.Sums {
		for _, c := range p.sumCells(k) {
			if parent[c] >= 0 {
				r := find(c)
				bySet[r] = append(bySet[r], k)
				break
			}
		}
	}
	cells := map[int][]int{}
	for c := range parent {
		if parent[c] < 0 {
			continue
		}
		r := find(c)
		cells[r] = append(cells[r], c)
	}
	roots := make([]int, 0, len(cells))
	for r := range cells {
		roots = append(roots, r)
	}
	slices.Sort(roots)
	var out []int
	for _, r := range roots {
		unknown := cells[r]
		slices.Sort(unknown)
		if c := determined(p, unknown, bySet[r]); c >= 0 {
			out = append(out, c)
		}
	}
	return out
}

// determined returns an unknown cell that the sums (by index) determine, or −1.
// The sums are sparse (a few cells each), so the reduction keeps each row
// as its nonzero entries and each column's rows, and touches only those.
func determined(p Problem, unknown []int, sums []int) int {
	col := map[int]int{}
	for j, c := range unknown {
		col[c] = j
	}
	rows := make([]map[int]float64, 0, len(sums))
	colRows := make([]map[int]bool, len(unknown))
	for j := range colRows {
		colRows[j] = map[int]bool{}
	}
	for _, k := range sums {
		sum := p.Sums[k]
		row := map[int]float64{}
		if j, ok := col[sum.Whole]; ok {
			row[j] -= 1
		}
		for _, c := range sum.Parts {
			if j, ok := col[c]; ok {
				row[j] += 1
			}
		}
		for j, v := range row {
			if v == 0 {
				delete(row, j)
			}
		}
		if len(row) == 0 {
			continue
		}
		for j := range row {
			colRows[j][len(rows)] = true
		}
		rows = append(rows, row)
	}
	const eps = 1e-9
	pivoted := make([]bool, len(rows))
	pivotRow := make([]int, len(unknown))
	for c := range unknown {
		pivotRow[c] = -1
		r := -1
		for i := range colRows[c] {
			if !pivoted[i] && (r < 0 || i < r) {
				r = i
			}
		}
		if r < 0 {
			continue
		}
		pivoted[r], pivotRow[c] = true, r
		f := rows[r][c]
		for j := range rows[r] {
			rows[r][j] /= f
		}
		for i := range colRows[c] {
			if i == r {
				continue
			}
			g := rows[i][c]
			for j, v := range rows[r] {
				nv := rows[i][j] - g*v
				if math.Abs(nv) <= eps {
					delete(rows[i], j)
					delete(colRows[j], i)
				} else {
					if _, had := rows[i][j]; !had {
						colRows[j][i] = true
					}
					rows[i][j] = nv
				}
			}
		}
	}
	for c := range unknown {
		if r := pivotRow[c]; r >= 0 && len(rows[r]) == 1 {
			return unknown[c]
		}
	}
	return -1
}

// recoverableBounds narrows each unknown cell's range from its sums
// (a cell under 5 is 1–4, any cell at least 0) and returns one whose range
// is a single value.
func recoverableBounds(p Problem, st []State) int {
	if cs := boundsPinned(p, st); len(cs) > 0 {
		return cs[0]
	}
	return -1
}

// boundsPinned returns every unknown cell whose range is a single value.
func boundsPinned(p Problem, st []State) []int {
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
	// A worklist of sums: a sum is looked at again when a bound of one of
	// its cells narrows, until nothing narrows.
	of := p.cellSums
	if of == nil {
		of = cellSums(p)
	}
	inQ := make([]bool, len(p.Sums))
	var queue []int
	for k := range p.Sums {
		for _, c := range p.sumCells(k) {
			if st[c] != Shown {
				queue, inQ[k] = append(queue, k), true
				break
			}
		}
	}
	narrowed := func(c int) {
		for _, k := range of[c] {
			if !inQ[k] {
				queue, inQ[k] = append(queue, k), true
			}
		}
	}
	for len(queue) > 0 {
		k := queue[0]
		queue = queue[1:]
		inQ[k] = false
		sum := p.Sums[k]
		// whole = Σ parts.
		sl, sh := 0, 0
		for _, c := range sum.Parts {
			sl, sh = sl+lo[c], add(sh, hi[c])
		}
		w := sum.Whole
		if sl > lo[w] {
			lo[w] = sl
			narrowed(w)
		}
		if sh < hi[w] {
			hi[w] = sh
			narrowed(w)
		}
		for _, c := range sum.Parts {
			ol, oh := sl-lo[c], sh
			if oh < inf {
				oh -= hi[c]
			}
			// c = whole − others.
			if hi[w] < inf {
				if v := hi[w] - ol; v < hi[c] {
					hi[c] = v
					narrowed(c)
				}
			}
			if oh < inf {
				if v := lo[w] - oh; v > lo[c] {
					lo[c] = v
					narrowed(c)
				}
			}
		}
	}
	var out []int
	for i, s := range st {
		if s != Shown && lo[i] == hi[i] {
			out = append(out, i)
		}
	}
	return out
}

// cellSums lists, for each cell, the sums it is in.
func cellSums(p Problem) [][]int {
	out := make([][]int, len(p.Values))
	for k := range p.Sums {
		for _, c := range p.sumCells(k) {
			out[c] = append(out[c], k)
		}
	}
	return out
}
