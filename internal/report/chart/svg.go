package chart

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/fellesrom/fellesrom/internal/report"
)

// SVG drawing. A chart is inline SVG in the page, drawn on the server: no
// script, no style attribute or element (the strict CSP), only
// presentation attributes (fill, stroke…). The SVG is one image to
// assistive technology (role="img", named by its <title> and described by
// its <desc>, through aria-labelledby and aria-describedby): the figures
// themselves are read from the data table the page puts beside every
// chart, which the description points to. A count not shown is never a
// number: a count under 5 is a hatched, outlined stub up to 4 with the
// text "under 5"; a hidden count is a dashed mark with its text.

// Colours (on the site's white): bars in the site's accent, 7.8:1; text
// in the site's ink; marks of counts not shown in its muted grey, 7.9:1.
// Every one is well above the 3:1 that WCAG 1.4.11 asks of graphics.
const (
	colourBar  = "#0a5c55"
	colourInk  = "#1f2328"
	colourMute = "#4b5158"
	colourBg   = "#ffffff"
)

// SVGOptions say how to draw a chart.
type SVGOptions struct {
	// ID is unique in the page (letters, digits, hyphens): the prefix of
	// the ids of the title, the description and the hatch pattern.
	ID string
	// Horizontal draws a bar per row, growing right (categories);
	// otherwise bars stand side by side, growing up (months).
	Horizontal bool
	// Desc is the description: what the chart shows and where its
	// figures are in words (the data table beside it).
	Desc string
	// Under5 and Hidden are the texts of counts not shown, in horizontal
	// charts; Under5Short and HiddenShort under the narrow bars of
	// vertical ones (for example "<5" and "–").
	Under5, Hidden, Under5Short, HiddenShort string
	// Number formats a shown count (nil: decimal digits).
	Number func(int) string
}

// scaleMax is the count at the end of the scale: the largest shown count,
// at least 10 (so that a stub of 4 never fills the chart), rounded up to a
// round number.
func (c Chart) scaleMax() int {
	m := max(c.Max(), 10)
	for _, step := range []int{5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000} {
		if m <= step*10 {
			return (m + step - 1) / step * step
		}
	}
	return m
}

// SVG is the chart as inline SVG. Every text in it is escaped.
func (c Chart) SVG(o SVGOptions) template.HTML {
	if o.Number == nil {
		o.Number = strconv.Itoa
	}
	var b strings.Builder
	if o.Horizontal {
		c.horizontal(&b, o)
	} else {
		c.vertical(&b, o)
	}
	return template.HTML(b.String())
}

func esc(s string) string { return template.HTMLEscapeString(s) }

// cut shortens a label to n characters (the whole label is in the table).
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

func (c Chart) open(b *strings.Builder, o SVGOptions, w, h int) {
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 %d %d" width="100%%" role="img" aria-labelledby="%s-title" aria-describedby="%s-desc" focusable="false">`,
		w, h, esc(o.ID), esc(o.ID))
	fmt.Fprintf(b, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, esc(o.ID), esc(c.Title), esc(o.ID), esc(o.Desc))
	fmt.Fprintf(b, `<defs><pattern id="%s-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">`+
		`<rect width="6" height="6" fill="%s"/><line x1="0" y1="0" x2="0" y2="6" stroke="%s" stroke-width="3"/></pattern></defs>`,
		esc(o.ID), colourBg, colourBar)
	fmt.Fprintf(b, `<rect width="%d" height="%d" fill="%s"/>`, w, h, colourBg)
}

const (
	hWidth, hLabel, hRow, hTop = 640, 200, 30, 8
	hBarMax                    = hWidth - hLabel - 110 // room for the text after the bar
	vWidth, vHeight, vTop      = 640, 260, 24
	vBottom                    = 36 // room for the labels under the bars
)

func (c Chart) horizontal(b *strings.Builder, o SVGOptions) {
	h := hTop*2 + hRow*max(len(c.Bars), 1)
	c.open(b, o, hWidth, h)
	top := c.scaleMax()
	x0 := hLabel
	fmt.Fprintf(b, `<g font-size="14" fill="%s">`, colourInk)
	for i, bar := range c.Bars {
		y := hTop + i*hRow
		mid := y + hRow/2 + 5
		fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="end">%s</text>`, x0-8, mid, esc(cut(bar.Label, 26)))
		switch bar.Cell.State {
		case report.Shown:
			w := bar.Cell.Value * hBarMax / top
			if bar.Cell.Value > 0 {
				w = max(w, 2)
			}
			fmt.Fprintf(b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s"/>`, x0, y+5, w, hRow-10, colourBar)
			fmt.Fprintf(b, `<text x="%d" y="%d">%s</text>`, x0+w+6, mid, esc(o.Number(bar.Cell.Value)))
		case report.Under5:
			w := max(4*hBarMax/top, 8)
			fmt.Fprintf(b, `<rect x="%d" y="%d" width="%d" height="%d" fill="url(#%s-hatch)" stroke="%s" stroke-width="2"/>`,
				x0+1, y+6, w-2, hRow-12, esc(o.ID), colourBar)
			fmt.Fprintf(b, `<text x="%d" y="%d" font-style="italic">%s</text>`, x0+w+6, mid, esc(o.Under5))
		default:
			fmt.Fprintf(b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2" stroke-dasharray="4 3"/>`,
				x0, y+hRow/2, x0+24, y+hRow/2, colourMute)
			fmt.Fprintf(b, `<text x="%d" y="%d" font-style="italic" fill="%s">%s</text>`, x0+30, mid, colourMute, esc(o.Hidden))
		}
	}
	b.WriteString(`</g>`)
	fmt.Fprintf(b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="1"/>`, x0, hTop, x0, h-hTop, colourInk)
	b.WriteString(`</svg>`)
}

func (c Chart) vertical(b *strings.Builder, o SVGOptions) {
	c.open(b, o, vWidth, vHeight)
	top := c.scaleMax()
	n := max(len(c.Bars), 1)
	left, right := 8, 8
	col := (vWidth - left - right) / n
	bw := col * 2 / 3
	base := vHeight - vBottom
	hMax := base - vTop
	fmt.Fprintf(b, `<g font-size="13" fill="%s" text-anchor="middle">`, colourInk)
	for i, bar := range c.Bars {
		x := left + i*col + (col-bw)/2
		mid := left + i*col + col/2
		fmt.Fprintf(b, `<text x="%d" y="%d">%s</text>`, mid, base+20, esc(cut(bar.Label, 6)))
		switch bar.Cell.State {
		case report.Shown:
			h := bar.Cell.Value * hMax / top
			if bar.Cell.Value > 0 {
				h = max(h, 2)
			}
			fmt.Fprintf(b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s"/>`, x, base-h, bw, h, colourBar)
			fmt.Fprintf(b, `<text x="%d" y="%d">%s</text>`, mid, base-h-6, esc(o.Number(bar.Cell.Value)))
		case report.Under5:
			h := max(4*hMax/top, 8)
			fmt.Fprintf(b, `<rect x="%d" y="%d" width="%d" height="%d" fill="url(#%s-hatch)" stroke="%s" stroke-width="2"/>`,
				x+1, base-h+1, bw-2, h-2, esc(o.ID), colourBar)
			fmt.Fprintf(b, `<text x="%d" y="%d" font-style="italic">%s</text>`, mid, base-h-6, esc(o.Under5Short))
		default:
			fmt.Fprintf(b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2" stroke-dasharray="4 3"/>`,
				mid, base, mid, base-24, colourMute)
			fmt.Fprintf(b, `<text x="%d" y="%d" font-style="italic" fill="%s">%s</text>`, mid, base-30, colourMute, esc(o.HiddenShort))
		}
	}
	b.WriteString(`</g>`)
	fmt.Fprintf(b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="1"/>`, left, base, vWidth-right, base, colourInk)
	b.WriteString(`</svg>`)
}
