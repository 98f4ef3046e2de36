package web

// The yearly report for a funder (issue 7, item 4): files office_annual*.go,
// template office_annual.html, messages locales/annual.*.json.
//
//	GET  {p}/kontor/arsrapport?organisasjon=ID&ar=YYYY               choose the organisation and year; the texts
//	POST {p}/kontor/arsrapport                                        save the three texts
//	GET  {p}/kontor/arsrapport/arsrapport.pdf?organisasjon=ID&ar=YYYY the report as PDF
//	GET  {p}/kontor/arsrapport/arsrapport.csv?organisasjon=ID&ar=YYYY the report as CSV
//
// Who: those who run a house, auth.EditListing in the organisation
// (administrators for any, coordinators for theirs and those under it).
// Everyone else gets 404. The report covers the organisation with those
// under it for the calendar year, with the year before, and the coverage
// of the municipalities it serves; its figures are always protected (small
// counts "under 5", cells that would give them away hidden), since the
// report leaves the house. The downloads name only an organisation and a
// year: no personal data in the address.

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
)

func init() { staffAreas = append(staffAreas, annualRoutes) }

func annualRoutes(s *site, mux *http.ServeMux, lang, p string) {
	k := p + "/kontor/arsrapport"
	mux.Handle(k, s.methods(lang, s.staff(s.annualPage, false), s.staff(s.annualPost, false)))
	mux.Handle(k+"/arsrapport.pdf", s.methods(lang, s.staff(s.annualPDF, false), nil))
	mux.Handle(k+"/arsrapport.csv", s.methods(lang, s.staff(s.annualCSV, false), nil))
}

// annualFields are the form's texts, by section (store.ReportTextSections).
var annualFields = map[string]string{
	store.ReportTextDone:  "text_done",
	store.ReportTextStory: "text_story",
	store.ReportTextPlans: "text_plans",
}

type annualView struct {
	*officeView
	Org      domain.Organisation
	Year     int
	PrevYear int
	Sections []annualSection
	PDF, CSV string
}

type annualSection struct {
	Field, Label, Hint string
}

// annualYears are the years one may choose: this year and five before.
func (s *site) annualYears() []int {
	y := s.now().In(outreachOslo()).Year()
	var out []int
	for i := range 6 {
		out = append(out, y-i)
	}
	return out
}

// annualChoice reads the organisation and year of a request (query or
// form) and checks them: an organisation the user may not report on, or a
// year not on offer, is 404 (the page offers only those). Without one, the
// first organisation the user runs and last year.
func (s *site) annualChoice(w http.ResponseWriter, r *http.Request, lang string, sc *officeScope, org, year string) (domain.Organisation, int, bool) {
	if org == "" {
		if refs := sc.ordered(auth.EditListing); len(refs) > 0 {
			org = refs[0].Org.ID
		}
	}
	o, ok := sc.byID[org]
	if !ok || !sc.can(auth.EditListing, org) {
		s.notFound(w, r, lang)
		return o, 0, false
	}
	years := s.annualYears()
	y := years[1]
	if year != "" {
		n, err := strconv.Atoi(year)
		if err != nil || !slices.Contains(years, n) {
			s.notFound(w, r, lang)
			return o, 0, false
		}
		y = n
	}
	return o, y, true
}

func (s *site) newAnnualView(r *http.Request, lang string, me *auth.Current, sc *officeScope, o domain.Organisation, year int) *annualView {
	v := &annualView{officeView: s.newOfficeView(r, lang, "/kontor/arsrapport", me, "annual", "annual.title"), Org: o, Year: year, PrevYear: year - 1}
	v.query = map[string][]string{"organisasjon": {o.ID}, "ar": {strconv.Itoa(year)}}
	v.opts("organisasjon", officeOrgOptions(sc.ordered(auth.EditListing)))
	var years []officeOption
	for _, y := range s.annualYears() {
		years = append(years, officeOption{Value: strconv.Itoa(y), Text: strconv.Itoa(y)})
	}
	v.opts("ar", years)
	v.set("organisasjon", o.ID)
	v.set("ar", strconv.Itoa(year))
	for _, sec := range store.ReportTextSections {
		v.Sections = append(v.Sections, annualSection{Field: annualFields[sec], Label: "annual.section." + sec,
			Hint: "annual.section_hint." + sec})
	}
	q := "?organisasjon=" + o.ID + "&ar=" + strconv.Itoa(year)
	v.PDF = v.Href("/kontor/arsrapport/arsrapport.pdf") + q
	v.CSV = v.Href("/kontor/arsrapport/arsrapport.csv") + q
	return v
}

// annualPage is GET /kontor/arsrapport[?organisasjon=ID&ar=YYYY].
func (s *site) annualPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	sc, err := s.officeScope(r.Context(), me)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	q := r.URL.Query()
	o, year, ok := s.annualChoice(w, r, lang, sc, q.Get("organisasjon"), q.Get("ar"))
	if !ok {
		return
	}
	texts, err := s.store.ReportTexts(r.Context(), o.ID, year)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	v := s.newAnnualView(r, lang, me, sc, o, year)
	for sec, f := range annualFields {
		v.set(f, texts[sec].Body)
	}
	s.render(w, r, http.StatusOK, "office_annual", v)
}

// annualPost is POST /kontor/arsrapport: the three texts of the
// organisation and year in the form.
func (s *site) annualPost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	if !s.officeParse(w, r, lang) {
		return
	}
	sc, err := s.officeScope(r.Context(), me)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	org, year := r.PostForm.Get("organisation"), r.PostForm.Get("year")
	if org == "" || year == "" {
		s.notFound(w, r, lang)
		return
	}
	o, y, ok := s.annualChoice(w, r, lang, sc, org, year)
	if !ok {
		return
	}
	v := s.newAnnualView(r, lang, me, sc, o, y)
	bodies := map[string]string{}
	for _, sec := range store.ReportTextSections {
		f := annualFields[sec]
		v.keep(r.PostForm, f)
		bodies[sec] = v.text(f, store.ReportTextMax)
	}
	if len(v.Errors) > 0 {
		s.officeFail(w, r, "office_annual", v)
		return
	}
	if _, err := s.store.SaveReportTexts(officeCtx(r, me), o.ID, y, bodies); err != nil {
		s.officeErr(w, r, lang, err)
		return
	}
	s.seeOther(w, r, prefix(lang)+"/kontor/arsrapport?organisasjon="+o.ID+"&ar="+strconv.Itoa(y)+"&melding=lagret")
}
