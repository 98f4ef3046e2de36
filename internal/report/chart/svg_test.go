package chart_test

import (
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/fellesrom/fellesrom/internal/report"
	"github.com/fellesrom/fellesrom/internal/report/chart"
)

// svgTexts parses the SVG as XML (so it is well-formed) and returns the
// text of its elements by element name, and the attributes of the root.
func svgTexts(t *testing.T, s string) (map[string][]string, map[string]string) {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(s))
	texts := map[string][]string{}
	root := map[string]string{}
	var stack []string
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("SVG not well-formed: %v\n%s", err, s)
		}
		switch x := tok.(type) {
		case xml.StartElement:
			if len(stack) == 0 {
				for _, a := range x.Attr {
					root[a.Name.Local] = a.Value
				}
			}
			for _, a := range x.Attr {
				if a.Name.Local == "style" {
					t.Errorf("style attribute on <%s> (the CSP forbids it)", x.Name.Local)
				}
			}
			if x.Name.Local == "script" || x.Name.Local == "style" {
				t.Errorf("<%s> in the SVG", x.Name.Local)
			}
			stack = append(stack, x.Name.Local)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 && strings.TrimSpace(string(x)) != "" {
				n := stack[len(stack)-1]
				texts[n] = append(texts[n], string(x))
			}
		}
	}
	if len(stack) != 0 {
		t.Fatalf("unclosed elements %v", stack)
	}
	return texts, root
}

func testChart() chart.Chart {
	return chart.Chart{Title: "Henvendelser <etter> kanal & tema", Bars: []chart.Bar{
		{Label: "Nett", Cell: report.Cell{Value: 120, State: report.Shown}},
		{Label: "Telefon", Cell: report.Cell{State: report.Under5}},
		{Label: "Oppmøte", Cell: report.Cell{State: report.Hidden}},
		{Label: "Henvisning fra fastlege & en veldig lang merkelapp", Cell: report.Cell{Value: 0, State: report.Shown}},
	}}
}

func TestSVG(t *testing.T) {
	c := testChart()
	for _, horizontal := range []bool{true, false} {
		o := chart.SVGOptions{ID: "c1", Horizontal: horizontal, Desc: "Tallene står i tabellen under.",
			Under5: "under 5", Hidden: "skjult", Under5Short: "<5", HiddenShort: "–"}
		s := string(c.SVG(o))
		texts, root := svgTexts(t, s)
		if root["role"] != "img" || root["aria-labelledby"] != "c1-title" || root["aria-describedby"] != "c1-desc" {
			t.Errorf("horizontal %v: root attributes %v", horizontal, root)
		}
		if got := texts["title"]; len(got) != 1 || got[0] != c.Title {
			t.Errorf("title %q, want %q", got, c.Title)
		}
		if got := texts["desc"]; len(got) != 1 || got[0] != o.Desc {
			t.Errorf("desc %q", got)
		}
		all := strings.Join(texts["text"], "|")
		under, hidden := "under 5", "skjult"
		if !horizontal {
			under, hidden = "<5", "–"
		}
		for _, want := range []string{"120", under, hidden, "0"} {
			if !strings.Contains("|"+all+"|", "|"+want+"|") {
				t.Errorf("horizontal %v: texts %q lack %q", horizontal, all, want)
			}
		}
		// A count not shown is never drawn as a number: the only numbers
		// are the shown ones.
		for _, x := range texts["text"] {
			if strings.ContainsAny(x, "1234") && x != "120" {
				t.Errorf("horizontal %v: unexpected number text %q", horizontal, x)
			}
		}
		if !strings.Contains(all, "Nett") {
			t.Errorf("labels missing: %q", all)
		}
		if !strings.Contains(s, `id="c1-hatch"`) || !strings.Contains(s, `url(#c1-hatch)`) {
			t.Errorf("horizontal %v: the under-5 bar is not hatched", horizontal)
		}
	}
}

// Bars are drawn to scale: the longest shown bar is the largest count.
func TestSVGScale(t *testing.T) {
	c := chart.Chart{Title: "t", Bars: []chart.Bar{
		{Label: "a", Cell: report.Cell{Value: 10, State: report.Shown}},
		{Label: "b", Cell: report.Cell{Value: 40, State: report.Shown}},
	}}
	s := string(c.SVG(chart.SVGOptions{ID: "x", Horizontal: true}))
	widths := rectWidths(t, s)
	if len(widths) != 2 || widths[1]-4*widths[0] > 4 || 4*widths[0]-widths[1] > 4 {
		t.Errorf("bar widths %v, want b = 4 × a", widths)
	}
}

// rectWidths are the widths of the bars (filled rects with an x).
func rectWidths(t *testing.T, s string) []int {
	dec := xml.NewDecoder(strings.NewReader(s))
	var out []int
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		if x, ok := tok.(xml.StartElement); ok && x.Name.Local == "rect" {
			var w, xx string
			for _, a := range x.Attr {
				switch a.Name.Local {
				case "width":
					w = a.Value
				case "x":
					xx = a.Value
				}
			}
			if xx != "" {
				var n int
				for _, r := range w {
					n = 10*n + int(r-'0')
				}
				out = append(out, n)
			}
		}
	}
	return out
}
