package report_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/fellesrom/fellesrom/internal/report"
)

// A table with row and column totals: counts 1–4 are never shown, and no
// hidden cell can be worked out from the totals, over many random tables,
// while every cell that is shown is the true count, and no cell is hidden
// that could be shown. With primary
// suppression alone the same attacker does recover cells (so the attack is
// a real one).
func TestProtectTableWithTotals(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	naiveBroken := 0
	for n := range 300 {
		rows, cols := 2+rng.IntN(5), 2+rng.IntN(5)
		// cell (i, j), i == rows the column totals, j == cols the row totals.
		idx := func(i, j int) int { return i*(cols+1) + j }
		vals := make([]int, (rows+1)*(cols+1))
		for i := range rows {
			for j := range cols {
				switch rng.IntN(4) {
				case 0:
					vals[idx(i, j)] = 0
				case 1:
					vals[idx(i, j)] = 1 + rng.IntN(4)
				default:
					vals[idx(i, j)] = rng.IntN(40)
				}
				vals[idx(i, cols)] += vals[idx(i, j)]
				vals[idx(rows, j)] += vals[idx(i, j)]
				vals[idx(rows, cols)] += vals[idx(i, j)]
			}
		}
		var p report.Problem
		p.Values = vals
		for i := range rows + 1 {
			s := report.Sum{Whole: idx(i, cols)}
			for j := range cols {
				s.Parts = append(s.Parts, idx(i, j))
			}
			p.Sums = append(p.Sums, s)
		}
		for j := range cols + 1 {
			s := report.Sum{Whole: idx(rows, j)}
			for i := range rows {
				s.Parts = append(s.Parts, idx(i, j))
			}
			p.Sums = append(p.Sums, s)
		}
		attack := func(st []report.State) (*published, map[string]bool) {
			pub := newPublished()
			key := func(c int) string { return fmt.Sprint(c) }
			for c, v := range vals {
				pub.cell(key(c), report.Cell{Value: v, State: st[c]})
			}
			for _, s := range p.Sums {
				var parts []string
				for _, c := range s.Parts {
					parts = append(parts, key(c))
				}
				pub.sum(key(s.Whole), parts...)
			}
			got := map[string]bool{}
			for k := range pub.disclosures() {
				got[k] = true
			}
			return pub, got
		}
		st := report.Protect(p)
		for c, v := range vals {
			if v > 0 && v < report.MinShown && st[c] == report.Shown {
				t.Fatalf("table %d: cell %d = %d is shown", n, c, v)
			}
		}
		if _, got := attack(st); len(got) > 0 {
			t.Errorf("table %d (%d×%d, %v): cells recovered from the totals: %v", n, rows, cols, vals, got)
		}
		// Nothing hidden without need: showing any hidden cell (or saying
		// "under 5" of a hidden count under 5) lets the attacker recover one.
		for c, s := range st {
			if s != report.Hidden {
				continue
			}
			alt := slices.Clone(st)
			alt[c] = report.Shown
			if vals[c] > 0 && vals[c] < report.MinShown {
				alt[c] = report.Under5
			}
			if _, got := attack(alt); len(got) == 0 {
				t.Errorf("table %d (%v): cell %d (%d) hidden without need, states %v", n, vals, c, vals[c], st)
			}
		}
		naive := make([]report.State, len(vals))
		for c, v := range vals {
			if v > 0 && v < report.MinShown {
				naive[c] = report.Under5
			}
		}
		if _, got := attack(naive); len(got) > 0 {
			naiveBroken++
		}
	}
	if naiveBroken < 50 {
		t.Errorf("the attacker broke only %d of 300 tables with primary suppression alone: too weak to prove anything", naiveBroken)
	}
}

// Cells already published elsewhere keep their state, and the rest is
// protected around them.
func TestProtectFixed(t *testing.T) {
	// 7 = 3 + 4 + 0: the total is published elsewhere as shown.
	p := report.Problem{Values: []int{7, 3, 4, 0}, Sums: []report.Sum{{Whole: 0, Parts: []int{1, 2, 3}}},
		Fixed: map[int]report.State{0: report.Shown}}
	st := report.Protect(p)
	if st[0] != report.Shown || st[1] != report.Under5 || st[2] != report.Under5 {
		t.Errorf("states %v", st)
	}
}

// Unpublished cells: a house's counts in a municipality. House 1 serves
// municipalities M and N (N its alone), house 2 only M with 3. House 1 less
// N gives its count in M, 10: no disclosure, so house 1 and N stay shown;
// M less that gives house 2's 3, so M is hidden (and house 2 is "under 5"
// or hidden). The unpublished cells are
// never hidden, and nothing 1–4 can be worked out.
func TestProtectUnpublished(t *testing.T) {
	const m, h1, h2, n, x1, x2 = 0, 1, 2, 3, 4, 5
	p := report.Problem{
		Values: []int{13, 20, 3, 10, 10, 3},
		Sums:   []report.Sum{{Whole: m, Parts: []int{x1, x2}}, {Whole: h1, Parts: []int{x1, n}}, {Whole: h2, Parts: []int{x2}}},
		Fixed:  map[int]report.State{x1: report.Unpublished, x2: report.Unpublished},
	}
	st := report.Protect(p)
	want := []report.State{report.Hidden, report.Shown, st[h2], report.Shown, report.Unpublished, report.Unpublished}
	if st[h2] == report.Shown {
		t.Errorf("house 2's 3 shown")
	}
	for i := range want {
		if st[i] != want[i] {
			t.Errorf("cell %d: state %d, want %d (all %v)", i, st[i], want[i], st)
		}
	}
	if c := report.Recoverable(p, st); c >= 0 {
		t.Errorf("cell %d can be worked out", c)
	}
}
