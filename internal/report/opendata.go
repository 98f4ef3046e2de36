package report

import (
	"slices"
	"time"
)

// OpenDataRow is one figure of the national open data: the enquiries made
// in a year in a county (or the whole country, AreaCode "NO"), about a
// theme (Theme "" for all enquiries; an enquiry may name several themes,
// so the themes do not add up to it).
type OpenDataRow struct {
	Year      int
	AreaCode  string // the county's number, or "NO"
	Area      string // the county's name, or "Norge"
	Theme     string // a theme slug; "" = all enquiries
	Enquiries Cell
}

// OpenData is the national open data: every complete calendar year before
// now's, by county and theme, with the same protection as every figure
// (the municipalities, counties and the nation are protected together,
// with the months and quarters of the year, exactly as Figures shows them).
func (d *Data) OpenData(now time.Time) []OpenDataRow {
	years := map[int]bool{}
	for _, e := range d.Enquiries {
		var y int
		if len(e.Month) >= 4 {
			for _, c := range e.Month[:4] {
				y = 10*y + int(c-'0')
			}
		}
		if y > 0 && y < now.Year() {
			years[y] = true
		}
	}
	var ys []int
	for y := range years {
		ys = append(ys, y)
	}
	slices.Sort(ys)
	names := map[string]string{}
	for _, m := range d.Municipalities {
		names[m.CountyID] = m.CountyName
	}
	var all, theme measure
	for _, m := range d.measures() {
		switch m.id {
		case "enquiries.channel":
			all = m
		case "enquiries.theme":
			theme = m
		}
	}
	var out []OpenDataRow
	for _, y := range ys {
		p := Period{Year, y, 0}
		areas := append([]string{}, d.counties[:len(d.counties)-1]...) // not "": every enquiry has a municipality
		areas = append(areas, "NO")
		for _, a := range areas {
			sc, name := Scope{County, a}, names[a]
			if a == "NO" {
				sc, name = Scope{National, ""}, "Norge"
			}
			in := d.inFunc(sc)
			cell := func(m measure, cat string) Cell {
				c := Cell{m.count(p, cat, in), d.state(m, p, sc, cat)}
				if c.State != Shown {
					c.Value = 0
				}
				return c
			}
			out = append(out, OpenDataRow{Year: y, AreaCode: a, Area: name, Enquiries: cell(all, "")})
			for _, t := range theme.cats {
				out = append(out, OpenDataRow{Year: y, AreaCode: a, Area: name, Theme: t, Enquiries: cell(theme, t)})
			}
		}
	}
	return out
}
