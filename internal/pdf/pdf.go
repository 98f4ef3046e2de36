// Package pdf writes simple documents as PDF: A4 pages of headings,
// wrapped paragraphs, tables and bar charts (package report/chart), in the
// Go fonts embedded as TrueType (Type0/CIDFontType2, Identity-H) with a
// ToUnicode map, so that any letter of the fonts (æøå, and the Northern
// Sami č đ ŋ š ŧ ž) is drawn and the text can be extracted, searched and
// read aloud. The document carries its title and language (/Title, /Lang).
//
// The output depends only on the input: the date is the one given, and
// the file identifier is a hash of the content, so tests can compare.
package pdf

import (
	"bytes"
	"compress/zlib"
	"crypto/md5"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/fellesrom/fellesrom/internal/report"
	"github.com/fellesrom/fellesrom/internal/report/chart"
)

// A4 in points, and the margins.
const (
	PageWidth  = 595.28
	PageHeight = 841.89
	margin     = 56.0
	bodySize   = 10.5
	lineGap    = 1.35 // line height in font sizes
)

// Doc is a document being written; its methods lay out content top to
// bottom, starting new pages as needed.
type Doc struct {
	title, lang string
	date        time.Time
	pages       []*bytes.Buffer
	page        *bytes.Buffer
	y           float64            // the baseline's room: the top of what comes next
	used        [2]map[uint16]rune // glyphs used, by face, with a rune they stand for
}

// New starts a document with its title and language (a BCP 47 tag such as
// "nb" or "se"); date is written as its creation and change date.
func New(title, lang string, date time.Time) (*Doc, error) {
	if err := loadFaces(); err != nil {
		return nil, err
	}
	d := &Doc{title: title, lang: lang, date: date.UTC()}
	d.used[regular], d.used[bold] = map[uint16]rune{}, map[uint16]rune{}
	d.newPage()
	return d, nil
}

func (d *Doc) newPage() {
	d.page = &bytes.Buffer{}
	d.pages = append(d.pages, d.page)
	d.y = PageHeight - margin
}

// room starts a new page unless h points are left on this one.
func (d *Doc) room(h float64) {
	if d.y-h < margin && d.y < PageHeight-margin {
		d.newPage()
	}
}

// Space leaves h points of vertical space.
func (d *Doc) Space(h float64) {
	d.y -= h
	if d.y < margin {
		d.newPage()
	}
}

// text draws s at (x, y) (baseline) in face f at size points, in grey g
// (0 black, 1 white).
func (d *Doc) text(f int, size, x, y float64, s string, g float64) {
	var hex strings.Builder
	for _, r := range s {
		gl := faces[f].glyph(r)
		if _, ok := d.used[f][gl.id]; !ok {
			d.used[f][gl.id] = r
		}
		fmt.Fprintf(&hex, "%04X", gl.id)
	}
	fmt.Fprintf(d.page, "BT %s g /F%d %s Tf %s %s Td <%s> Tj ET\n", num(g), f+1, num(size), num(x), num(y), hex.String())
}

// wrap breaks s into lines no wider than w at size in face f; a newline in
// s always breaks, and a word too long for a line is broken where it must.
func wrap(f int, size, w float64, s string) []string {
	var out []string
	for _, para := range strings.Split(s, "\n") {
		line := ""
		for _, word := range strings.Fields(para) {
			try := word
			if line != "" {
				try = line + " " + word
			}
			if faces[f].width(try, size) <= w+0.01 {
				line = try
				continue
			}
			if line != "" {
				out = append(out, line)
				line = ""
			}
			for faces[f].width(word, size) > w+0.01 {
				rs := []rune(word)
				n := len(rs) - 1
				for n > 1 && faces[f].width(string(rs[:n]), size) > w+0.01 {
					n--
				}
				out = append(out, string(rs[:n]))
				word = string(rs[n:])
			}
			line = word
		}
		out = append(out, line)
	}
	return out
}

// lines draws wrapped text from x in width w, and moves down.
func (d *Doc) lines(f int, size, x, w float64, s string) {
	lh := size * lineGap
	for _, l := range wrap(f, size, w, s) {
		d.room(lh)
		d.y -= lh
		if l != "" {
			d.text(f, size, x, d.y+size*0.25, l, 0)
		}
	}
}

// Heading writes a heading: level 1 is the document's title, 2 a section,
// 3 a subsection.
func (d *Doc) Heading(level int, s string) {
	size := map[int]float64{1: 20, 2: 14}[level]
	if size == 0 {
		size = 11.5
	}
	d.room(size*lineGap*2 + 3*bodySize*lineGap) // never alone at the foot of a page
	if d.y < PageHeight-margin {
		d.y -= size * 0.6
	}
	d.lines(bold, size, margin, PageWidth-2*margin, s)
	d.y -= size * 0.3
}

// Paragraph writes text, wrapped; a newline starts a new line.
func (d *Doc) Paragraph(s string) {
	d.lines(regular, bodySize, margin, PageWidth-2*margin, s)
	d.y -= bodySize * 0.6
}

// Table is a table: a header row and rows of cells; the first column is
// aligned left, the others right (they hold figures).
type Table struct {
	Head []string
	Rows [][]string
}

// Table writes t, with its header repeated on every page it runs over.
func (d *Doc) Table(t Table) {
	cols := len(t.Head)
	if cols == 0 {
		return
	}
	const size, pad = 9.5, 4.0
	full := PageWidth - 2*margin
	// A figure is never broken; a header may wrap between its words:
	// figures' columns as wide as their header, or if that leaves the
	// first column under a quarter of the page, as their widest word.
	least, want := make([]float64, cols), make([]float64, cols)
	for c := 1; c < cols; c++ {
		for _, word := range strings.Fields(t.Head[c]) {
			least[c] = max(least[c], faces[bold].width(word, size))
		}
		for _, r := range t.Rows {
			if c < len(r) {
				least[c] = max(least[c], faces[regular].width(r[c], size))
			}
		}
		least[c] += 2 * pad
		want[c] = max(least[c], min(faces[bold].width(t.Head[c], size)+2*pad, full/float64(cols)))
	}
	sum := func(x []float64) float64 {
		n := 0.0
		for _, v := range x[1:] {
			n += v
		}
		return n
	}
	w := want
	if full-sum(want) < full/4 {
		w = least
	}
	w[0] = max(full-sum(w), full/5)
	if total := w[0] + sum(w); total > full { // too many columns: all narrower
		for c := range w {
			w[c] *= full / total
		}
	}
	lh := size * lineGap
	row := func(cells []string, f int, shade bool) {
		wrapped := make([][]string, cols)
		n := 1
		for c := range cols {
			s := ""
			if c < len(cells) {
				s = cells[c]
			}
			wrapped[c] = wrap(f, size, w[c]-2*pad, s)
			n = max(n, len(wrapped[c]))
		}
		h := float64(n)*lh + pad
		d.room(h)
		top := d.y
		if shade {
			fmt.Fprintf(d.page, "0.92 g %s %s %s %s re f\n", num(margin), num(top-h), num(full), num(h))
		}
		x := margin
		for c := range cols {
			for i, l := range wrapped[c] {
				base := top - float64(i+1)*lh + size*0.25 - pad/2
				tx := x + pad
				if c > 0 {
					tx = x + w[c] - pad - faces[f].width(l, size)
				}
				d.text(f, size, tx, base, l, 0)
			}
			x += w[c]
		}
		fmt.Fprintf(d.page, "0.6 G 0.5 w %s %s m %s %s l S\n", num(margin), num(top-h), num(margin+full), num(top-h))
		d.y = top - h
	}
	head := func() { row(t.Head, bold, true) }
	d.room(3 * lh)
	head()
	for _, r := range t.Rows {
		if d.y-lh-pad < margin {
			d.newPage()
			head()
		}
		row(r, regular, false)
	}
	d.y -= bodySize * 0.8
}

// Chart writes a horizontal bar chart (package chart) under its title: one
// row per bar, the label on the left, the bar, and its value as text after
// it; a count not shown is no bar, but the text note(state) ("under 5").
func (d *Doc) Chart(c chart.Chart, note func(report.State) string) {
	title, bars := c.Title, c.Bars
	const size = 9.0
	full := PageWidth - 2*margin
	labelW := 0.0
	maxV := 0
	for _, b := range bars {
		labelW = max(labelW, faces[regular].width(b.Label, size))
		if b.Cell.State == report.Shown {
			maxV = max(maxV, b.Cell.Value)
		}
	}
	labelW = min(labelW+8, full*0.35)
	barMax := full - labelW - 60
	rowH := size * 1.7
	d.room(size*lineGap*2 + rowH*float64(min(len(bars), 6)))
	d.lines(bold, 11, margin, full, title)
	d.y -= 3
	for _, b := range bars {
		d.room(rowH)
		d.y -= rowH
		base := d.y + rowH*0.3
		label := wrap(regular, size, labelW-8, b.Label)[0]
		d.text(regular, size, margin, base, label, 0)
		x := margin + labelW
		if b.Cell.State != report.Shown {
			d.text(regular, size, x, base, note(b.Cell.State), 0.35)
			continue
		}
		bw := 0.0
		if maxV > 0 {
			bw = barMax * float64(b.Cell.Value) / float64(maxV)
		}
		if bw > 0 {
			fmt.Fprintf(d.page, "0.16 0.36 0.55 rg %s %s %s %s re f\n", num(x), num(d.y+rowH*0.15), num(bw), num(rowH*0.7))
		}
		d.text(regular, size, x+bw+4, base, fmt.Sprint(b.Cell.Value), 0)
	}
	d.y -= bodySize
}

// Bytes is the finished document.
func (d *Doc) Bytes() ([]byte, error) {
	var out bytes.Buffer
	var offsets []int
	obj := func(body string, stream []byte) int {
		offsets = append(offsets, out.Len())
		n := len(offsets)
		fmt.Fprintf(&out, "%d 0 obj\n%s", n, body)
		if stream != nil {
			out.WriteString("\nstream\n")
			out.Write(stream)
			out.WriteString("\nendstream")
		}
		out.WriteString("\nendobj\n")
		return n
	}
	out.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	// Numbers: 1 catalog, 2 page tree, 3 info; then the fonts, then the
	// pages with their contents.
	nFont := 5 // objects per face
	firstPage := 4 + nFont*2
	var kids []string
	for i := range d.pages {
		kids = append(kids, fmt.Sprintf("%d 0 R", firstPage+2*i))
	}
	obj(fmt.Sprintf("<< /Type /Catalog /Pages 2 0 R /Lang %s /ViewerPreferences << /DisplayDocTitle true >> >>", pdfString(d.lang)), nil)
	obj(fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(d.pages)), nil)
	date := pdfString("D:" + d.date.Format("20060102150405") + "Z")
	obj(fmt.Sprintf("<< /Title %s /Producer (fellesrom) /CreationDate %s /ModDate %s >>", pdfString(d.title), date, date), nil)
	for f := range faces {
		d.writeFace(f, 4+nFont*f, obj)
	}
	for i, p := range d.pages {
		n := firstPage + 2*i
		obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %s %s] /Resources << /Font << /F1 4 0 R /F2 %d 0 R >> >> /Contents %d 0 R >>",
			num(PageWidth), num(PageHeight), 4+nFont, n+1), nil)
		z := deflate(p.Bytes())
		obj(fmt.Sprintf("<< /Length %d /Filter /FlateDecode >>", len(z)), z)
	}
	xref := out.Len()
	fmt.Fprintf(&out, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, o := range offsets {
		fmt.Fprintf(&out, "%010d 00000 n \n", o)
	}
	id := fmt.Sprintf("%x", md5.Sum(out.Bytes()))
	fmt.Fprintf(&out, "trailer\n<< /Size %d /Root 1 0 R /Info 3 0 R /ID [<%s> <%s>] >>\nstartxref\n%d\n%%%%EOF\n",
		len(offsets)+1, id, id, xref)
	return out.Bytes(), nil
}

// writeFace writes the five objects of face f from number n: the Type0
// font, its CIDFontType2, the descriptor, the font file and the ToUnicode map.
func (d *Doc) writeFace(f, n int, obj func(string, []byte) int) {
	fc := faces[f]
	obj(fmt.Sprintf("<< /Type /Font /Subtype /Type0 /BaseFont /%s /Encoding /Identity-H /DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>",
		fc.name, n+1, n+4), nil)
	ids := make([]uint16, 0, len(d.used[f]))
	for id := range d.used[f] {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var widths strings.Builder
	for _, id := range ids {
		fmt.Fprintf(&widths, "%d [%d] ", id, fc.glyph(d.used[f][id]).width)
	}
	obj(fmt.Sprintf("<< /Type /Font /Subtype /CIDFontType2 /BaseFont /%s /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor %d 0 R /DW %d /W [%s] /CIDToGIDMap /Identity >>",
		fc.name, n+2, fc.notdefW, strings.TrimSpace(widths.String())), nil)
	flags := 32 // nonsymbolic
	obj(fmt.Sprintf("<< /Type /FontDescriptor /FontName /%s /Flags %d /FontBBox [%d %d %d %d] /ItalicAngle 0 /Ascent %d /Descent %d /CapHeight %d /StemV %d /FontFile2 %d 0 R >>",
		fc.name, flags, fc.bbox[0], fc.bbox[1], fc.bbox[2], fc.bbox[3], fc.ascent, fc.descent, fc.capH, map[int]int{regular: 80, bold: 140}[f], n+3), nil)
	z := deflate(fc.ttf)
	obj(fmt.Sprintf("<< /Length %d /Length1 %d /Filter /FlateDecode >>", len(z), len(fc.ttf)), z)
	var cm strings.Builder
	cm.WriteString("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n")
	for i := 0; i < len(ids); i += 100 {
		chunk := ids[i:min(i+100, len(ids))]
		fmt.Fprintf(&cm, "%d beginbfchar\n", len(chunk))
		for _, id := range chunk {
			var u strings.Builder
			for _, x := range utf16.Encode([]rune{d.used[f][id]}) {
				fmt.Fprintf(&u, "%04X", x)
			}
			fmt.Fprintf(&cm, "<%04X> <%s>\n", id, u.String())
		}
		cm.WriteString("endbfchar\n")
	}
	cm.WriteString("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n")
	z = deflate([]byte(cm.String()))
	obj(fmt.Sprintf("<< /Length %d /Filter /FlateDecode >>", len(z)), z)
}

func deflate(b []byte) []byte {
	var buf bytes.Buffer
	w, _ := zlib.NewWriterLevel(&buf, zlib.BestCompression)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

// pdfString is s as a PDF text string: UTF-16BE with a byte order mark, in hex.
func pdfString(s string) string {
	var b strings.Builder
	b.WriteString("<FEFF")
	for _, x := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "%04X", x)
	}
	b.WriteString(">")
	return b.String()
}

// num is a number as PDF writes it: at most two decimals, no exponent.
func num(f float64) string {
	s := strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.2f", f), "0"), ".")
	if s == "-0" || s == "" {
		return "0"
	}
	return s
}
