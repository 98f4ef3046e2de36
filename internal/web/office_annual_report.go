package web

// The yearly report's content (office_annual.go), the same in the PDF and
// the CSV: the house's three texts, the figures of the organisation (with
// those under it) for the year and the year before, always protected, two
// charts, and the coverage of the municipalities it serves.

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/pdf"
	"github.com/fellesrom/fellesrom/internal/report"
	"github.com/fellesrom/fellesrom/internal/report/chart"
	"github.com/fellesrom/fellesrom/internal/store"
)

// annualDoc is the report, translated, ready to be written as PDF or CSV.
type annualDoc struct {
	Title    string
	Lang     string
	Date     time.Time // of the last change of the texts, or the end of the year
	Intro    string
	Texts    []annualText
	Tables   []annualTable
	Charts   []chart.Chart
	Coverage annualTable
	Note     func(report.State) string
	Notes    string // what "under 5" and "hidden" mean
}

type annualText struct{ Title, Body string }

// annualTable is a table of figures: its rows' cells as text ("under 5"
// for a count not shown).
type annualTable struct {
	Title string
	Head  []string
	Rows  [][]string
}

func (s *site) annualDoc(ctx context.Context, lang string, o domain.Organisation, year int) (*annualDoc, error) {
	p := s.newPage(lang, "/kontor/arsrapport")
	texts, err := s.store.ReportTexts(ctx, o.ID, year)
	if err != nil {
		return nil, err
	}
	d, _, err := s.reportData(ctx)
	if err != nil {
		return nil, err
	}
	names, err := s.reportNames(ctx, p)
	if err != nil {
		return nil, err
	}
	note := func(st report.State) string {
		if st == report.Under5 {
			return p.S("annual.under5")
		}
		return p.S("annual.hidden")
	}
	cell := func(c report.Cell) string {
		if c.State != report.Shown {
			return note(c.State)
		}
		return strconv.Itoa(c.Value)
	}
	y, prev := strconv.Itoa(year), strconv.Itoa(year-1)
	doc := &annualDoc{Title: p.S("annual.doc_title", "Year", year, "Org", o.Name), Lang: lang, Note: note,
		Date:  time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC),
		Intro: p.S("annual.doc_intro", "Org", o.Name, "Year", year, "Prev", year-1),
		Notes: p.S("annual.doc_notes")}
	for _, sec := range store.ReportTextSections {
		t, ok := texts[sec]
		if ok && t.UpdatedAt.After(doc.Date) {
			doc.Date = t.UpdatedAt
		}
		body := t.Body
		if !ok {
			body = p.S("annual.doc_no_text")
		}
		doc.Texts = append(doc.Texts, annualText{p.S("annual.section." + sec), body})
	}
	sc := report.Scope{Kind: report.District, ID: o.ID}
	r := d.Figures(report.Period{Kind: report.Year, Year: year}, sc, true)
	head := []string{p.S("annual.col_category"), y, prev}
	for _, t := range r.Tables {
		if nothingToCount(t) {
			continue
		}
		at := annualTable{Title: names.Table(t.ID).Text, Head: head}
		for _, row := range t.Rows {
			at.Rows = append(at.Rows, []string{names.Key(&t, row.Key).Text, cell(row.Now), cell(row.Prev)})
		}
		if t.Total != nil {
			at.Rows = append(at.Rows, []string{p.S("annual.total"), cell(t.Total.Now), cell(t.Total.Prev)})
		}
		doc.Tables = append(doc.Tables, at)
	}
	wait := func(m report.Median) string {
		if m.Count.State != report.Shown {
			return note(m.Count.State)
		}
		if m.Count.Value == 0 {
			return "–"
		}
		return strconv.Itoa(m.Days)
	}
	doc.Tables = append(doc.Tables, annualTable{Title: p.S("annual.wait_title"), Head: head, Rows: [][]string{
		{p.S("annual.wait_days"), wait(r.Wait), wait(r.WaitPrev)},
		{p.S("annual.wait_count"), cell(r.Wait.Count), cell(r.WaitPrev.Count)},
	}})
	month := func(m int) string { return p.S("month." + strconv.Itoa(m)) }
	doc.Charts = append(doc.Charts,
		chart.OverTime(d, year, sc, "enquiries.channel", true, p.S("annual.chart_months", "Year", year), month),
		chart.ByCategory(r.Table("enquiries.outcome"), p.S("annual.chart_outcomes", "Year", year),
			func(k string) string { return names.Key(r.Table("enquiries.outcome"), k).Text }))
	// The municipalities the organisation serves, and those its figures
	// fall in: each as a whole (every house), per 10,000 inhabitants.
	munis := slices.Clone(o.Municipalities)
	for _, c := range r.Coverage {
		if c.MunicipalityID != "" && !slices.Contains(munis, c.MunicipalityID) {
			munis = append(munis, c.MunicipalityID)
		}
	}
	slices.Sort(munis)
	doc.Coverage = annualTable{Title: p.S("annual.coverage_title", "Year", year), Head: []string{p.S("annual.col_municipality"),
		p.S("annual.col_population"), p.S("annual.col_enquiries"), p.S("annual.col_groups"),
		p.S("annual.col_enquiries_10k"), p.S("annual.col_groups_10k")}}
	per := func(c report.Cell, x float64) string {
		if c.State != report.Shown || x < 0 {
			return note(c.State)
		}
		return p.Decimal(x, 1)
	}
	for _, m := range munis {
		mr := d.Figures(report.Period{Kind: report.Year, Year: year}, report.Scope{Kind: report.Municipality, ID: m}, true)
		for _, c := range mr.Coverage {
			if c.MunicipalityID != m {
				continue
			}
			doc.Coverage.Rows = append(doc.Coverage.Rows, []string{c.Name, strconv.Itoa(c.Population), cell(c.Enquiries),
				cell(c.Groups), per(c.Enquiries, c.EnquiriesPer10k), per(c.Groups, c.GroupsPer10k)})
		}
	}
	return doc, nil
}

// annualLoad reads the organisation and year of a download.
func (s *site) annualLoad(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) (*annualDoc, string, bool) {
	sc, err := s.officeScope(r.Context(), me)
	if err != nil {
		s.serverError(w, r, lang, err)
		return nil, "", false
	}
	q := r.URL.Query()
	if q.Get("organisasjon") == "" || q.Get("ar") == "" {
		s.notFound(w, r, lang)
		return nil, "", false
	}
	o, year, ok := s.annualChoice(w, r, lang, sc, q.Get("organisasjon"), q.Get("ar"))
	if !ok {
		return nil, "", false
	}
	doc, err := s.annualDoc(r.Context(), lang, o, year)
	if err != nil {
		s.serverError(w, r, lang, err)
		return nil, "", false
	}
	name := "arsrapport-" + strconv.Itoa(year) + "-" + o.Slug
	return doc, name, true
}

func annualSend(w http.ResponseWriter, ctype, name string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

// annualPDF is GET /kontor/arsrapport/arsrapport.pdf?organisasjon=ID&ar=YYYY.
func (s *site) annualPDF(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	doc, name, ok := s.annualLoad(w, r, lang, me)
	if !ok {
		return
	}
	b, err := doc.pdf()
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	annualSend(w, "application/pdf", name+".pdf", b)
}

// annualCSV is GET /kontor/arsrapport/arsrapport.csv?organisasjon=ID&ar=YYYY.
func (s *site) annualCSV(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	doc, name, ok := s.annualLoad(w, r, lang, me)
	if !ok {
		return
	}
	b, err := doc.csv()
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	annualSend(w, "text/csv; charset=utf-8", name+".csv", b)
}

func (doc *annualDoc) pdf() ([]byte, error) {
	d, err := pdf.New(doc.Title, doc.Lang, doc.Date)
	if err != nil {
		return nil, err
	}
	d.Heading(1, doc.Title)
	d.Paragraph(doc.Intro)
	for _, t := range doc.Texts {
		d.Heading(2, t.Title)
		d.Paragraph(t.Body)
	}
	for _, c := range doc.Charts {
		d.Chart(c, doc.Note)
	}
	for _, t := range doc.Tables {
		if len(t.Rows) == 0 {
			continue
		}
		d.Heading(3, t.Title)
		d.Table(pdf.Table{Head: t.Head, Rows: t.Rows})
	}
	if len(doc.Coverage.Rows) > 0 {
		d.Heading(3, doc.Coverage.Title)
		d.Table(pdf.Table{Head: doc.Coverage.Head, Rows: doc.Coverage.Rows})
	}
	d.Paragraph(doc.Notes)
	return d.Bytes()
}

// csv is the report as CSV (UTF-8 with a byte order mark, semicolons, as
// spreadsheets in Norway read it): one row per figure, with the table, the
// category and the values of the year and the year before, then the
// coverage, then the texts. A cell that could start a formula is quoted
// with an apostrophe.
func (doc *annualDoc) csv() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	cw := csv.NewWriter(&buf)
	cw.Comma = ';'
	cw.UseCRLF = true
	write := func(cells ...string) {
		for i, c := range cells {
			if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
				if _, err := strconv.ParseFloat(c, 64); err != nil {
					cells[i] = "'" + c
				}
			}
		}
		cw.Write(cells)
	}
	write(doc.Title)
	for _, t := range doc.Tables {
		write(append([]string{""}, t.Head...)...)
		break
	}
	for _, t := range doc.Tables {
		for _, row := range t.Rows {
			write(append([]string{t.Title}, row...)...)
		}
	}
	write(append([]string{""}, doc.Coverage.Head...)...)
	for _, row := range doc.Coverage.Rows {
		write(append([]string{doc.Coverage.Title}, row...)...)
	}
	for _, t := range doc.Texts {
		write(t.Title, t.Body)
	}
	write(doc.Notes)
	cw.Flush()
	if err := cw.Error(); err != nil {
		return nil, fmt.Errorf("annual report csv: %w", err)
	}
	return buf.Bytes(), nil
}

// nothingToCount reports whether every cell of t, in both years, is a
// shown 0: such a table is left out of the report (its notes say so).
func nothingToCount(t report.Table) bool {
	rows := t.Rows
	if t.Total != nil {
		rows = append(slices.Clone(rows), *t.Total)
	}
	for _, r := range rows {
		for _, c := range []report.Cell{r.Now, r.Prev} {
			if c.State != report.Shown || c.Value != 0 {
				return false
			}
		}
	}
	return true
}
