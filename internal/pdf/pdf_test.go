package pdf_test

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/pdf"
	"github.com/fellesrom/fellesrom/internal/pdf/pdftest"
	"github.com/fellesrom/fellesrom/internal/report"
	"github.com/fellesrom/fellesrom/internal/report/chart"
)

var date = time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC)

// sample is a document of every kind of content, long enough for three pages.
func sample(t *testing.T) []byte {
	t.Helper()
	d, err := pdf.New("Årsrapport 2026 – Selvhjelp Nord", "se", date)
	if err != nil {
		t.Fatal(err)
	}
	d.Heading(1, "Jahkeraporta 2026 – Selvhjelp Nord")
	d.Paragraph("Mii dahkkojuvvui: čoahkkimat, đuolbma, ŋ, šaddu, ŧ, žurgat. Blåbærsyltetøy og ærlig arbeid.")
	d.Heading(2, "Henvendelser")
	rows := [][]string{}
	for i := range 80 {
		rows = append(rows, []string{fmt.Sprintf("Rad nummer %d med en lang tekst som må brytes over flere linjer i tabellen", i), strconv.Itoa(1000 + i), "under 5"})
	}
	d.Table(pdf.Table{Head: []string{"Kategori", "2026", "2025"}, Rows: rows})
	d.Table(pdf.Table{Head: []string{"Suohkan", "Ássit", "Jearaldagat", "Joavkkut doaimmas", "Jearaldagat juohke 10 000 nammii", "Joavkkut juohke 10 000 nammii"},
		Rows: [][]string{{"Romsa – Tromsø", "78745", "25", "vuollel 5", "3,2", "čihkkojuvvon"}}})
	d.Chart(chart.Chart{Title: "Henvendelser per måned", Bars: []chart.Bar{
		{Label: "januar", Cell: report.Cell{Value: 17, State: report.Shown}},
		{Label: "februar", Cell: report.Cell{State: report.Under5}},
		{Label: "mars", Cell: report.Cell{State: report.Hidden}},
		{Label: "april", Cell: report.Cell{Value: 42, State: report.Shown}},
	}}, func(s report.State) string {
		if s == report.Under5 {
			return "under 5"
		}
		return "skjult"
	})
	d.Paragraph(strings.Repeat("Ord ", 400) + "\nSlutt.")
	b, err := d.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var objRe = regexp.MustCompile(`(?s)(\d+) 0 obj\n(.*?)endobj\n`)
var refRe = regexp.MustCompile(`(\d+) 0 R`)

// TestStructure: the cross-reference table points at every object, and
// every object is reachable from the trailer.
func TestStructure(t *testing.T) {
	b := sample(t)
	if !bytes.HasPrefix(b, []byte("%PDF-1.7\n")) || !bytes.HasSuffix(b, []byte("%%EOF\n")) {
		t.Fatal("no PDF header or end")
	}
	m := regexp.MustCompile(`startxref\n(\d+)\n%%EOF\n$`).FindSubmatch(b)
	if m == nil {
		t.Fatal("no startxref")
	}
	xref, _ := strconv.Atoi(string(m[1]))
	if !bytes.HasPrefix(b[xref:], []byte("xref\n0 ")) {
		t.Fatalf("startxref %d does not point at the xref table", xref)
	}
	var size int
	fmt.Sscanf(string(b[xref+len("xref\n0 "):]), "%d", &size)
	lines := strings.Split(string(b[xref:]), "\n")[3 : 3+size-1]
	bodies := map[int]string{}
	for i, l := range lines {
		off, _ := strconv.Atoi(l[:10])
		want := fmt.Sprintf("%d 0 obj\n", i+1)
		if !bytes.HasPrefix(b[off:], []byte(want)) {
			t.Errorf("xref entry %d: offset %d does not start %q", i+1, off, want)
			continue
		}
		body := objRe.FindSubmatch(b[off:])[2]
		if j := bytes.Index(body, []byte("\nstream\n")); j >= 0 {
			// The stream's length is what the dictionary says.
			lm := regexp.MustCompile(`/Length (\d+)`).FindSubmatch(body[:j])
			n, _ := strconv.Atoi(string(lm[1]))
			if !bytes.HasPrefix(body[j+8+n:], []byte("\nendstream")) {
				t.Errorf("object %d: /Length %d is not the stream's length", i+1, n)
			}
			body = body[:j]
		}
		bodies[i+1] = string(body)
	}
	if !regexp.MustCompile(fmt.Sprintf(`/Size %d /Root 1 0 R /Info 3 0 R`, size)).Match(b) {
		t.Error("trailer without /Size, /Root and /Info")
	}
	seen := map[int]bool{}
	var walk func(n int)
	walk = func(n int) {
		if seen[n] {
			return
		}
		seen[n] = true
		body, ok := bodies[n]
		if !ok {
			t.Errorf("reference to object %d, which is not in the xref table", n)
			return
		}
		for _, r := range refRe.FindAllStringSubmatch(body, -1) {
			x, _ := strconv.Atoi(r[1])
			walk(x)
		}
	}
	walk(1)
	walk(3)
	for n := range bodies {
		if !seen[n] {
			t.Errorf("object %d is not reachable from the trailer", n)
		}
	}
	if !strings.Contains(bodies[1], "/Lang <FEFF00730065>") {
		t.Errorf("catalog without /Lang se: %s", bodies[1])
	}
	if !strings.Contains(bodies[3], "/Title <FEFF00C5") {
		t.Errorf("info without /Title: %s", bodies[3])
	}
	if !strings.Contains(bodies[3], "/CreationDate <FEFF") {
		t.Errorf("info without the date: %s", bodies[3])
	}
	if n := strings.Count(bodies[2], " 0 R"); n < 3 {
		t.Errorf("%d pages, want at least 3", n)
	}
}

// TestDeterministic: the same content gives the same bytes.
func TestDeterministic(t *testing.T) {
	if !bytes.Equal(sample(t), sample(t)) {
		t.Error("two documents of the same content differ")
	}
}

// TestText: pdftotext reads back every word, the Sami letters and æøå
// included, the figures of the tables (a figure never broken over two
// lines, even in a narrow column) and the chart, and "under 5".
func TestText(t *testing.T) {
	text := pdftest.ToText(t, sample(t))
	for _, want := range []string{"Jahkeraporta 2026", "čoahkkimat, đuolbma, ŋ, šaddu, ŧ, žurgat", "Blåbærsyltetøy og ærlig",
		"Rad nummer 79", "1079", "Romsa – Tromsø", "78745", "čihkkojuvvon", "under 5", "januar", "17", "42", "skjult", "Slutt."} {
		if !strings.Contains(text, want) {
			t.Errorf("the text lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(text)
	}
}
