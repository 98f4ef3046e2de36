// Package report computes the figures of self-help work for a period and a
// scope from anonymous rows (package store: ReportEnquiries, ReportGroups…),
// with the figures of the period before for comparison, and protects small
// counts (Protect) in every figure shown outside a coordinator's own house
// and in every export, including the national open data (OpenData).
package report

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// PeriodKind is a month, a quarter or a year.
type PeriodKind string

const (
	Month   PeriodKind = "month"
	Quarter PeriodKind = "quarter"
	Year    PeriodKind = "year"
)

// Period is a calendar month (N 1–12), quarter (N 1–4) or year (N 0).
type Period struct {
	Kind PeriodKind
	Year int
	N    int
}

// ParsePeriod reads "2026", "2026-K2" (or "2026-Q2") and "2026-03".
func ParsePeriod(s string) (Period, error) {
	bad := fmt.Errorf("report: period %q is not YYYY, YYYY-K1…K4 or YYYY-MM", s)
	y, rest, _ := strings.Cut(s, "-")
	year, err := strconv.Atoi(y)
	if err != nil || len(y) != 4 || year < 1900 || year > 9999 {
		return Period{}, bad
	}
	switch {
	case rest == "":
		return Period{Year, year, 0}, nil
	case len(rest) == 2 && (rest[0] == 'K' || rest[0] == 'Q' || rest[0] == 'k' || rest[0] == 'q'):
		if q := int(rest[1] - '0'); q >= 1 && q <= 4 {
			return Period{Quarter, year, q}, nil
		}
	case len(rest) == 2:
		if m, err := strconv.Atoi(rest); err == nil && m >= 1 && m <= 12 {
			return Period{Month, year, m}, nil
		}
	}
	return Period{}, bad
}

// String is the period as ParsePeriod reads it ("2026", "2026-K2", "2026-03").
func (p Period) String() string {
	switch p.Kind {
	case Month:
		return fmt.Sprintf("%04d-%02d", p.Year, p.N)
	case Quarter:
		return fmt.Sprintf("%04d-K%d", p.Year, p.N)
	}
	return fmt.Sprintf("%04d", p.Year)
}

// firstMonth and lastMonth are the period's months, 1–12.
func (p Period) monthRange() (int, int) {
	switch p.Kind {
	case Month:
		return p.N, p.N
	case Quarter:
		return 3*p.N - 2, 3 * p.N
	}
	return 1, 12
}

// Months are the period's months as YYYY-MM.
func (p Period) Months() []string {
	a, b := p.monthRange()
	var out []string
	for m := a; m <= b; m++ {
		out = append(out, fmt.Sprintf("%04d-%02d", p.Year, m))
	}
	return out
}

// Start and End are the period's first instant and the instant after it (UTC).
func (p Period) Start() time.Time {
	a, _ := p.monthRange()
	return time.Date(p.Year, time.Month(a), 1, 0, 0, 0, 0, time.UTC)
}

func (p Period) End() time.Time {
	_, b := p.monthRange()
	return time.Date(p.Year, time.Month(b)+1, 1, 0, 0, 0, 0, time.UTC)
}

// Prev is the period before, of the same kind.
func (p Period) Prev() Period {
	switch p.Kind {
	case Month:
		if p.N == 1 {
			return Period{Month, p.Year - 1, 12}
		}
		return Period{Month, p.Year, p.N - 1}
	case Quarter:
		if p.N == 1 {
			return Period{Quarter, p.Year - 1, 4}
		}
		return Period{Quarter, p.Year, p.N - 1}
	}
	return Period{Year, p.Year - 1, 0}
}

// yearFamily is every period of a calendar year: its 12 months, 4 quarters
// and the year, in that order. Figures are protected a family at a time.
func yearFamily(year int) []Period {
	var out []Period
	for m := 1; m <= 12; m++ {
		out = append(out, Period{Month, year, m})
	}
	for q := 1; q <= 4; q++ {
		out = append(out, Period{Quarter, year, q})
	}
	return append(out, Period{Year, year, 0})
}

// familyIndex is p's place in yearFamily(p.Year).
func familyIndex(p Period) int {
	switch p.Kind {
	case Month:
		return p.N - 1
	case Quarter:
		return 11 + p.N
	}
	return 16
}
