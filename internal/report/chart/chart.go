// Package chart turns published figures (package report) into bar charts:
// the data of a chart here, drawn as SVG for the back office (svg.go) and
// in the funder's PDF (package pdf). Every bar carries its report.Cell, so
// a count that is not shown (under 5, hidden) is drawn as a marked gap,
// never as a number.
package chart

import "github.com/fellesrom/fellesrom/internal/report"

// Chart is a bar chart of published counts (SVG in svg.go; PDF in package pdf).
type Chart struct {
	Title string // already translated
	Bars  []Bar
}

// Bar is one bar; a bar not Shown is drawn as a marked gap.
type Bar struct {
	Label string // already translated
	Cell  report.Cell
}

// ByCategory is one bar per row of t (its count in the period, Now), in
// the table's order; label translates a row's key.
func ByCategory(t *report.Table, title string, label func(key string) string) Chart {
	c := Chart{Title: title}
	if t == nil {
		return c
	}
	for _, r := range t.Rows {
		c.Bars = append(c.Bars, Bar{Label: label(r.Key), Cell: r.Now})
	}
	return c
}

// OverTime is the 12 monthly totals of a table in a year and scope (the
// table's Total, Now, of each month, protected as Figures protects it);
// month names a month 1–12. A month whose table has no total (its
// categories do not add up) or that has no such table is a Hidden bar.
func OverTime(d *report.Data, year int, sc report.Scope, tableID string, protect bool, title string, month func(m int) string) Chart {
	c := Chart{Title: title}
	for m := 1; m <= 12; m++ {
		cell := report.Cell{State: report.Hidden}
		r := d.Figures(report.Period{Kind: report.Month, Year: year, N: m}, sc, protect)
		if t := r.Table(tableID); t != nil && t.Total != nil {
			cell = t.Total.Now
		}
		c.Bars = append(c.Bars, Bar{Label: month(m), Cell: cell})
	}
	return c
}

// Max is the largest shown value (0 if none is shown).
func (c Chart) Max() int {
	m := 0
	for _, b := range c.Bars {
		if b.Cell.State == report.Shown && b.Cell.Value > m {
			m = b.Cell.Value
		}
	}
	return m
}
