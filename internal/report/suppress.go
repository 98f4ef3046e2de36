package report

import (
	"container/heap"
	"math"
	"math/bits"
	"math/rand/v2"
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
	// Unpublished is a cell never published but tied to published ones by
	// sums (what a house counted in one municipality: the municipality is
	// the sum over its houses, the house over its municipalities). Given
	// only in Problem.Fixed: it is never hidden (cells around it are), and
	// working it out discloses something only when it is 1 to MinShown−1.
	Unpublished
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
			if n == 1 && discloses(&p, st, lone(st, cells)) && hideSmallest(p, st, cells) {
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
			cs = linearDetermined(p, st)
			if len(cs) == 0 {
				prune(p, st)
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
			if hideNear(p, st, c) {
				progress = true
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

// prune shows again what the greedy protection above hid without need:
// each cell hidden beside others, largest first, if showing it lets no
// cell be worked out that must not be, and each count under 5 marked only
// "hidden", if saying "under 5" tells no more. The bounds and some random
// solutions of the sums (see determined) are kept up to date as cells are
// shown, so that each cell costs only its own part of the problem: showing
// a cell can work out another only if the other is 0 in every solution
// with the shown cell 0, which the solutions tell.
func prune(p Problem, st []State) {
	primary := func(c int) bool { return p.Values[c] > 0 && p.Values[c] < MinShown }
	var cands []int
	for i, s := range st {
		if _, fixed := p.Fixed[i]; s == Hidden && !fixed {
			cands = append(cands, i)
		}
	}
	if len(cands) == 0 {
		return
	}
	slices.SortStableFunc(cands, func(a, b int) int {
		if pa, pb := primary(a), primary(b); pa != pb {
			if pa {
				return 1
			}
			return -1
		}
		return p.Values[b] - p.Values[a]
	})
	r := boundsOf(p, st)
	r.logOn = true
	pinned := func() bool { // a cell that must not be worked out, pinned by the last change
		for _, w := range r.log {
			if c := w.c; st[c] != Shown && r.lo[c] == r.hi[c] && discloses(&p, st, c) {
				return true
			}
		}
		return false
	}
	// The parts of the unknown cells, each with solutions over its cells.
	const keep = 10
	parts := unknownParts(p, st)
	partOf, pos := make([]int, len(st)), make([]int, len(st))
	sols := make([][][]uint64, len(parts))
	load := func(i int) {
		cells := parts[i].cells[:0:0]
		for _, c := range parts[i].cells {
			if st[c] != Shown {
				cells = append(cells, c)
			}
		}
		parts[i].cells = cells
		for j, c := range cells {
			partOf[c], pos[c] = i, j
		}
		sols[i] = solutions(&p, cells, parts[i].sums, keep)
	}
	for i := range parts {
		load(i)
	}
	// try shows c (or says "under 5") if that gives nothing away.
	try := func(c int) bool {
		if primary(c) {
			// "Under 5" instead of hidden: only the bounds learn something.
			st[c] = Under5
			r.set(c, max(r.lo[c], 1), min(r.hi[c], MinShown-1))
			r.propagate(p)
			if pinned() {
				st[c] = Hidden
				r.undo()
				return false
			}
			r.log = r.log[:0]
			return true
		}
		st[c] = Shown
		r.set(c, p.Values[c], p.Values[c])
		r.propagate(p)
		if pinned() {
			st[c] = Hidden
			r.undo()
			return false
		}
		i, pc := partOf[c], pos[c]
		xs := sols[i]
		piv := slices.IndexFunc(xs, func(x []uint64) bool { return x[pc] != 0 })
		if piv < 0 {
			r.log = r.log[:0]
			return true // c was worked out already: showing it tells nothing more
		}
		// w = x − a·xs[piv] is a solution with c 0, for each other x.
		xp, inv := xs[piv], invP(xs[piv][pc])
		other := xs[(piv+1)%len(xs)]
		a := mulP(other[pc], inv)
		worse := false
		for j, cell := range parts[i].cells {
			if cell == c || st[cell] == Shown || !discloses(&p, st, cell) {
				continue
			}
			if slices.IndexFunc(xs, func(x []uint64) bool { return x[j] != 0 }) < 0 {
				continue // worked out before (and so not a cell that must not be)
			}
			if (other[j]+modP-mulP(a, xp[j]))%modP == 0 {
				worse = true // worked out once c is shown (or, once in 2^61, by chance)
				break
			}
		}
		if worse {
			st[c] = Hidden
			r.undo()
			return false
		}
		r.log = r.log[:0]
		var ws [][]uint64
		for t, x := range xs {
			if t == piv {
				continue
			}
			a := mulP(x[pc], inv)
			w := make([]uint64, len(x))
			for j := range x {
				w[j] = (x[j] + modP - mulP(a, xp[j])) % modP
			}
			ws = append(ws, w)
		}
		sols[i] = ws
		if len(ws) < 2 {
			load(i)
		}
		return true
	}
	// Again over the cells left hidden while any was shown: a cell may
	// have had to stay hidden only for another shown since.
	for len(cands) > 0 {
		var left []int
		for _, c := range cands {
			if !try(c) {
				left = append(left, c)
			}
		}
		if len(left) == len(cands) {
			break
		}
		cands = left
	}
}

// hideNear hides a shown cell next to c: the smallest of the first of c's
// sums that has one; if none has, the smallest of the nearest ones
// further out (through the sums of the cells not shown around c, which is
// how c was worked out). It reports whether it hid one.
func hideNear(p Problem, st []State, c int) bool {
	for _, k := range p.cellSums[c] {
		if hideSmallest(p, st, p.sumCells(k)) {
			return true
		}
	}
	seen := map[int]bool{c: true}
	level := []int{c}
	for len(level) > 0 {
		var next, shown []int
		for _, x := range level {
			for _, k := range p.cellSums[x] {
				for _, y := range p.sumCells(k) {
					if seen[y] {
						continue
					}
					seen[y] = true
					if st[y] == Shown {
						shown = append(shown, y)
					} else {
						next = append(next, y)
					}
				}
			}
		}
		if hideSmallest(p, st, shown) {
			return true
		}
		level = next
	}
	return false
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

// discloses says whether working out the unknown cell c tells something:
// never for a 0 (a 0 is shown anyway: it counts nobody), and for an
// unpublished cell only when it is under MinShown.
func discloses(p *Problem, st []State, c int) bool {
	return p.Values[c] != 0 && (st[c] != Unpublished || p.Values[c] < MinShown)
}

// lone is the first cell of cells that is not shown.
func lone(st []State, cells []int) int {
	for _, c := range cells {
		if st[c] != Shown {
			return c
		}
	}
	return -1
}

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
// equations, i.e. it is 0 in every solution of the homogeneous equations
// (see determined).
func recoverableLinear(p Problem, st []State) int {
	if cs := linearDetermined(p, st); len(cs) > 0 {
		return cs[0]
	}
	return -1
}

// linearDetermined returns every determined cell that discloses something.
func linearDetermined(p Problem, st []State) []int {
	// Solve each connected part of the unknown cells on its own.
	var out []int
	for _, part := range unknownParts(p, st) {
		out = append(out, determined(&p, st, part.cells, part.sums)...)
	}
	return out
}

// part is a connected part of the unknown cells (sorted) and the sums
// (by index) that touch it.
type part struct{ cells, sums []int }

// unknownParts splits the cells not shown into parts that no sum joins.
func unknownParts(p Problem, st []State) []part {
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
	byRoot := map[int]*part{}
	var roots []int
	for c := range parent {
		if parent[c] < 0 {
			continue
		}
		r := find(c)
		if byRoot[r] == nil {
			byRoot[r] = &part{}
			roots = append(roots, r)
		}
		byRoot[r].cells = append(byRoot[r].cells, c)
	}
	for k := range p.Sums {
		for _, c := range p.sumCells(k) {
			if parent[c] >= 0 {
				r := byRoot[find(c)]
				r.sums = append(r.sums, k)
				break
			}
		}
	}
	slices.Sort(roots)
	out := make([]part, len(roots))
	for i, r := range roots {
		out[i] = *byRoot[r]
	}
	return out
}

// determined returns the unknown cells that the sums (by index) determine
// and whose values disclose something.
//
// A cell is determined iff it is 0 in every solution of the homogeneous
// sums (the sums with every shown cell 0): then, and only then, two
// tables that agree on what is published agree on it. So the sums are
// brought to echelon form, and two random solutions drawn: a cell 0 in
// both is determined (a cell that is not is 0 in a random solution with
// probability 1/modP, and then it is only protected once more than it
// needs). The sums are sparse (a few cells each): each row is kept as its
// nonzero entries, reduced as it comes by the rows before it, and its
// pivot is the cell in the fewest sums, which keeps the rows sparse.
func determined(p *Problem, st []State, unknown []int, sums []int) []int {
	var out []int
	for j, z := range zeroIn(solutions(p, unknown, sums, 2)) {
		if z && discloses(p, st, unknown[j]) {
			out = append(out, unknown[j])
		}
	}
	return out
}

// zeroIn says, for each cell, whether it is 0 in every one of xs.
func zeroIn(xs [][]uint64) []bool {
	zero := make([]bool, len(xs[0]))
	for j := range zero {
		zero[j] = true
		for _, x := range xs {
			if x[j] != 0 {
				zero[j] = false
				break
			}
		}
	}
	return zero
}

// solutions returns r random solutions of the homogeneous sums (by index)
// in the unknown cells, each a value for each of them (in their order).
func solutions(p *Problem, unknown []int, sums []int, r int) [][]uint64 {
	n := len(unknown)
	col := make(map[int]int, n)
	for j, c := range unknown {
		col[c] = j
	}
	inSums := make([]int, n)
	for _, k := range sums {
		for _, c := range p.sumCells(k) {
			if j, ok := col[c]; ok {
				inSums[j]++
			}
		}
	}
	type row struct {
		piv  int
		cols []int
		vals []uint64 // vals at piv is 1
	}
	var rows []row
	pivotOf := make([]int, n)
	for j := range pivotOf {
		pivotOf[j] = -1
	}
	acc := make([]uint64, n)
	var touched []int
	var pending rowHeap
	add := func(j int, v uint64) {
		if acc[j] == 0 {
			touched = append(touched, j)
			if pivotOf[j] >= 0 {
				heap.Push(&pending, pivotOf[j])
			}
		}
		acc[j] = addP(acc[j], v)
	}
	for _, k := range sums {
		sum := p.Sums[k]
		touched, pending = touched[:0], pending[:0]
		if j, ok := col[sum.Whole]; ok {
			add(j, modP-1)
		}
		for _, c := range sum.Parts {
			if j, ok := col[c]; ok {
				add(j, 1)
			}
		}
		// Reduce by the rows before: a row's other cells are pivots only
		// of later rows, so taking them in order reduces each once.
		last := -1
		for len(pending) > 0 {
			r := heap.Pop(&pending).(int)
			if r == last {
				continue
			}
			last = r
			g := acc[rows[r].piv]
			if g == 0 {
				continue
			}
			for i, j := range rows[r].cols {
				add(j, modP-mulP(g, rows[r].vals[i]))
			}
		}
		var nr row
		nr.piv = -1
		for _, j := range touched {
			if acc[j] == 0 {
				continue
			}
			nr.cols = append(nr.cols, j)
			nr.vals = append(nr.vals, acc[j])
			if pivotOf[j] < 0 && (nr.piv < 0 || inSums[j] < inSums[nr.piv]) {
				nr.piv = j
			}
			acc[j] = 0
		}
		if nr.piv < 0 {
			continue // follows from the rows before
		}
		f := invP(nr.vals[slices.Index(nr.cols, nr.piv)])
		for i := range nr.vals {
			nr.vals[i] = mulP(nr.vals[i], f)
		}
		pivotOf[nr.piv] = len(rows)
		rows = append(rows, nr)
	}
	// Free cells drawn, the pivots solved last row first (a row's other
	// cells are free or pivots of later rows). Seeded by the problem's
	// size: the same problem, the same solutions.
	rng := rand.New(rand.NewPCG(uint64(n), uint64(len(rows))))
	xs := make([][]uint64, r)
	for i := range xs {
		x := make([]uint64, n)
		for j := range x {
			if pivotOf[j] < 0 {
				x[j] = 1 + rng.Uint64N(modP-1)
			}
		}
		for r := len(rows) - 1; r >= 0; r-- {
			v := uint64(0)
			for i, j := range rows[r].cols {
				if j != rows[r].piv {
					v = addP(v, mulP(rows[r].vals[i], x[j]))
				}
			}
			x[rows[r].piv] = (modP - v) % modP
		}
		xs[i] = x
	}
	return xs
}

// rowHeap is a min-heap of row indices (container/heap).
type rowHeap []int

func (h rowHeap) Len() int           { return len(h) }
func (h rowHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h rowHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *rowHeap) Push(x any)        { *h = append(*h, x.(int)) }
func (h *rowHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// The reduction is exact, in arithmetic modulo the prime modP: a cell
// follows from the sums over the rationals iff it does modulo a large
// prime (but for primes dividing a minor of the sums, too few to meet by
// chance). Floating point would leave rounding residue that hides a
// determined cell in a large family.
const modP = 1<<61 - 1

func mulP(a, b uint64) uint64 { hi, lo := bits.Mul64(a, b); return bits.Rem64(hi, lo, modP) }
func addP(a, b uint64) uint64 { return (a + b) % modP }

// invP is a's inverse modulo modP (Fermat; ±1, most pivots, at once).
func invP(a uint64) uint64 {
	if a == 1 || a == modP-1 {
		return a
	}
	r := uint64(1)
	for e := uint64(modP - 2); e > 0; e >>= 1 {
		if e&1 == 1 {
			r = mulP(r, a)
		}
		a = mulP(a, a)
	}
	return r
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
	r := boundsOf(p, st)
	var out []int
	for i, s := range st {
		if s != Shown && r.lo[i] == r.hi[i] && discloses(&p, st, i) {
			out = append(out, i)
		}
	}
	return out
}

// boundsOf narrows every cell's range by every sum, as far as it goes.
func boundsOf(p Problem, st []State) *ranges {
	r := newRanges(p, st)
	for k := range p.Sums {
		for _, c := range p.sumCells(k) {
			if st[c] != Shown {
				r.enqueue(k)
				break
			}
		}
	}
	r.propagate(p)
	return r
}

// inf is the upper bound of a cell with none.
const inf = math.MaxInt32

// ranges are the cells' bounds: a shown cell its value, a cell under 5
// 1–4, any other 0 to inf, narrowed by the sums.
type ranges struct {
	lo, hi []int
	of     [][]int // each cell's sums
	inQ    []bool
	queue  []int
	log    []rangeWas // while logging: the bounds before each change
	logOn  bool
}

type rangeWas struct{ c, lo, hi int }

func newRanges(p Problem, st []State) *ranges {
	r := &ranges{lo: make([]int, len(st)), hi: make([]int, len(st)), of: p.cellSums, inQ: make([]bool, len(p.Sums))}
	if r.of == nil {
		r.of = cellSums(p)
	}
	for i, s := range st {
		switch s {
		case Shown:
			r.lo[i], r.hi[i] = p.Values[i], p.Values[i]
		case Under5:
			r.lo[i], r.hi[i] = 1, MinShown-1
		default:
			r.lo[i], r.hi[i] = 0, inf
		}
	}
	return r
}

func (r *ranges) enqueue(k int) {
	if !r.inQ[k] {
		r.queue, r.inQ[k] = append(r.queue, k), true
	}
}

// set narrows c to lo..hi (logged) and queues its sums.
func (r *ranges) set(c, lo, hi int) {
	if r.logOn {
		r.log = append(r.log, rangeWas{c, r.lo[c], r.hi[c]})
	}
	r.lo[c], r.hi[c] = lo, hi
	for _, k := range r.of[c] {
		r.enqueue(k)
	}
}

// undo puts back the bounds the log holds, latest first.
func (r *ranges) undo() {
	for i := len(r.log) - 1; i >= 0; i-- {
		w := r.log[i]
		r.lo[w.c], r.hi[w.c] = w.lo, w.hi
	}
	r.log = r.log[:0]
}

// propagate narrows bounds by the queued sums (a sum is looked at again
// when a bound of one of its cells narrows) until nothing narrows.
func (r *ranges) propagate(p Problem) {
	add := func(a, b int) int {
		if a >= inf || b >= inf {
			return inf
		}
		return a + b
	}
	lo, hi := r.lo, r.hi
	for len(r.queue) > 0 {
		k := r.queue[0]
		r.queue = r.queue[1:]
		r.inQ[k] = false
		sum := p.Sums[k]
		// whole = Σ parts.
		sl, sh := 0, 0
		for _, c := range sum.Parts {
			sl, sh = sl+lo[c], add(sh, hi[c])
		}
		w := sum.Whole
		if sl > lo[w] || sh < hi[w] {
			r.set(w, max(lo[w], sl), min(hi[w], sh))
		}
		for _, c := range sum.Parts {
			ol, oh := sl-lo[c], sh
			if oh < inf {
				oh -= hi[c]
			}
			// c = whole − others.
			nl, nh := lo[c], hi[c]
			if hi[w] < inf {
				nh = min(nh, hi[w]-ol)
			}
			if oh < inf {
				nl = max(nl, lo[w]-oh)
			}
			if nl != lo[c] || nh != hi[c] {
				r.set(c, nl, nh)
			}
		}
	}
	r.queue = r.queue[:0]
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
