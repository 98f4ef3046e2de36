package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/report"
	"github.com/fellesrom/fellesrom/internal/report/chart"
)

// The dashboards of the back office (issue 7, item 3): files
// office_reports*.go, template office_reports.html, messages
// locales/dashboard.*.json.
//
//	GET {p}/kontor/rapporter?periode=2026-02&omfang=org-ID   the figures of a period and a scope
//
// The form is a GET form (it changes nothing, and the address can be kept
// or sent to a colleague: it holds no personal data). Periode is a month
// (2026-02), a quarter (2026-K1) or a year (2026); by default the last
// full month: the freshest period whose figures no longer change, beside
// the month before it, while the chart over time and the coverage table
// show its whole year. Omfang is an organisation (org-ID: a house, or a
// district with every organisation under it), a municipality
// (kommune-NNNN), a county (fylke-NN) or the nation (land); by default the
// user's own organisation.
//
// Who: every signed-in user with a role (administrators, coordinators,
// starters, partners) sees the protected figures of any scope: counts
// from 1 to 4 as "under 5", and the further counts hidden that would let
// them be worked out (report.Figures with protect). Exact figures only
// for an organisation in which the user reads personal data
// (auth.ReadPersonalData: its coordinators, those of a district above it,
// administrators); the page says which it shows.

func init() { staffAreas = append(staffAreas, reportsRoutes) }

func reportsRoutes(s *site, mux *http.ServeMux, lang, p string) {
	mux.Handle(p+"/kontor/rapporter", s.methods(lang, s.staff(s.officeReportsPage, false), nil))
}

// ReportsLink reports whether the signed-in user has the dashboards, for a
// link in the back office's menu: anyone with a role.
func (v staffView) ReportsLink() bool { return reportsMay(v.Me) }

func reportsMay(me *auth.Current) bool {
	if me == nil || me.Stage() != auth.StageDone {
		return false
	}
	p := me.Principal()
	return p.Admin || len(p.Memberships) > 0
}

// reportsOverTime are the tables drawn month by month over the year.
var reportsOverTime = []string{"enquiries.channel", "groups.started.format"}

// reportsRow is a category's counts as the page shows them.
type reportsRow struct {
	Label     Phrase
	Now, Prev report.Cell
}

// reportsTable is a table of the report with its chart.
type reportsTable struct {
	ID    string // the HTML id of its section
	Title Phrase
	Rows  []reportsRow
	Total *reportsRow
	Chart template.HTML
}

// reportsCoverage is a municipality's coverage row.
type reportsCoverage struct {
	Name              string
	Population        int
	Enquiries, Groups report.Cell
	EnquiriesPer10k   string // "" where the count is not shown
	GroupsPer10k      string
	NoMunicipality    bool // groups with no municipality (by phone or video)
}

type officeReportsView struct {
	*officeView
	PeriodName    Phrase // the period chosen
	PrevName      Phrase // the period before it
	ScopeName     string
	Exact         bool   // the figures are exact (else protected)
	AsOf          string // when the figures were read (HH:MM, Oslo)
	Shown         bool   // the form was valid and figures follow
	Key           []reportsRow
	Wait, WaitPrv report.Median
	HasWait       bool
	OverTime      []reportsTable
	Tables        []reportsTable
	CoverageYear  int
	Coverage      []reportsCoverage
	NoGroup       []string // municipalities with enquiries and no running group
}

// Cell is a published count in words: the number, "under 5" or "hidden".
func (v *officeReportsView) Cell(c report.Cell) template.HTML {
	switch c.State {
	case report.Shown:
		return template.HTML(template.HTMLEscapeString(v.Number(c.Value)))
	case report.Under5:
		return `<span class="suppressed">` + v.T("dashboard.under5") + `</span>`
	}
	return `<span class="suppressed">` + v.T("dashboard.hidden") + `</span>`
}

// Wait is a median wait in words: days, "under 5" (too few waited to
// tell), or a dash (nobody was placed).
func (v *officeReportsView) WaitText(m report.Median) template.HTML {
	switch {
	case m.Count.State != report.Shown:
		return v.Cell(m.Count)
	case m.Count.Value == 0:
		return "–"
	}
	return v.N("dashboard.days_n", m.Days)
}

// Number is a count with the language's thousands separator.
func (v *officeReportsView) Number(n int) string {
	s := strconv.Itoa(n)
	if n < 10000 && n > -10000 {
		return s
	}
	sep := "\u00a0"
	if v.Lang == "en" {
		sep = ","
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 && r != '-' && s[i-1] != '-' {
			b.WriteString(sep)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// periodName is a period in words: "februar 2026", "1. kvartal 2026", "2026".
func (v *officeReportsView) periodName(p report.Period) Phrase {
	switch p.Kind {
	case report.Month:
		name, _ := v.cat.Lookup(v.Lang, fmt.Sprintf("month.%d", p.N), nil)
		ph := v.L("dashboard.period_month", "Month", name, "Year", p.Year)
		ph.Text = ucfirst(ph.Text)
		return ph
	case report.Quarter:
		return v.L("dashboard.period_quarter", "Quarter", p.N, "Year", p.Year)
	}
	return Phrase{Text: strconv.Itoa(p.Year)}
}

// reportsScope reads the value of the scope field.
func reportsScope(val string, sc *officeScope, munis map[string]domain.Municipality, counties map[string]string) (report.Scope, string, bool) {
	kind, id, _ := strings.Cut(val, "-")
	switch kind {
	case "land":
		return report.Scope{Kind: report.National}, "", id == ""
	case "fylke":
		name, ok := counties[id]
		return report.Scope{Kind: report.County, ID: id}, name, ok
	case "kommune":
		m, ok := munis[id]
		return report.Scope{Kind: report.Municipality, ID: id}, m.DisplayName(), ok
	case "org":
		o, ok := sc.byID[id]
		if !ok {
			return report.Scope{}, "", false
		}
		k := report.House
		if len(sc.kids[id]) > 0 {
			k = report.District
		}
		return report.Scope{Kind: k, ID: id}, o.Name, true
	}
	return report.Scope{}, "", false
}

// officeReportsPage is GET /kontor/rapporter.
func (s *site) officeReportsPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	if !reportsMay(me) {
		s.notFound(w, r, lang)
		return
	}
	ctx := r.Context()
	sc, err := s.officeScope(ctx, me)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	v := &officeReportsView{officeView: s.newOfficeView(r, lang, "/kontor/rapporter", me, "reports", "dashboard.title")}
	q := r.URL.Query()

	// The period's options: every year, quarter and month from the first
	// year with figures (at most five years back) to now.
	now := s.now().In(outreachOslo())
	d, asOf, err := s.reportData(ctx)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	v.AsOf = asOf.In(outreachOslo()).Format("15:04")
	first := now.Year()
	for _, e := range d.Enquiries {
		if y, err := strconv.Atoi(e.Month[:min(4, len(e.Month))]); err == nil && y < first && y >= now.Year()-5 {
			first = y
		}
	}
	last := report.Period{Kind: report.Month, Year: now.Year(), N: int(now.Month())}.Prev()
	valid := map[string]bool{}
	var years, quarters, months []officeOption
	for y := now.Year(); y >= first; y-- {
		p := report.Period{Kind: report.Year, Year: y}
		years = append(years, officeOption{Value: p.String(), Text: v.periodName(p).Text})
		for n := 4; n >= 1; n-- {
			if p := (report.Period{Kind: report.Quarter, Year: y, N: n}); !p.Start().After(now) {
				quarters = append(quarters, officeOption{Value: p.String(), Text: v.periodName(p).Text})
			}
		}
		for n := 12; n >= 1; n-- {
			if p := (report.Period{Kind: report.Month, Year: y, N: n}); !p.Start().After(now) {
				months = append(months, officeOption{Value: p.String(), Text: v.periodName(p).Text})
			}
		}
	}
	for _, o := range append(append(append([]officeOption{}, years...), quarters...), months...) {
		valid[o.Value] = true
	}
	v.options["periode"] = []officeOptGroup{{Label: v.S("dashboard.period_months"), Options: months},
		{Label: v.S("dashboard.period_quarters"), Options: quarters}, {Label: v.S("dashboard.period_years"), Options: years}}

	// The scope's options: the nation, the counties, the municipalities
	// and the organisations.
	cs, byCounty, _, err := s.officeMunicipalities(ctx)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	counties := map[string]string{}
	munis := map[string]domain.Municipality{}
	scopeGroups := []officeOptGroup{{Options: []officeOption{{Value: "land", Text: v.S("dashboard.scope_national")}}}}
	orgGroup := officeOptGroup{Label: v.S("dashboard.scope_orgs")}
	for _, o := range sc.ordered(auth.ViewListing) {
		orgGroup.Options = append(orgGroup.Options, officeOption{Value: "org-" + o.Org.ID, Text: o.Org.Name, Depth: o.Depth})
	}
	seen := map[string]bool{}
	for _, o := range orgGroup.Options {
		seen[o.Value] = true
	}
	for _, o := range sc.orgs { // the organisations the user does not see the listings of, after
		if !seen["org-"+o.ID] {
			orgGroup.Options = append(orgGroup.Options, officeOption{Value: "org-" + o.ID, Text: o.Name})
		}
	}
	scopeGroups = append(scopeGroups, orgGroup)
	countyGroup := officeOptGroup{Label: v.S("dashboard.scope_counties")}
	for _, c := range cs {
		counties[c.ID] = c.Name
		countyGroup.Options = append(countyGroup.Options, officeOption{Value: "fylke-" + c.ID, Text: c.Name})
	}
	scopeGroups = append(scopeGroups, countyGroup)
	for _, c := range cs {
		g := officeOptGroup{Label: v.S("dashboard.scope_municipalities_in", "County", c.Name)}
		for _, m := range byCounty[c.ID] {
			munis[m.ID] = m
			g.Options = append(g.Options, officeOption{Value: "kommune-" + m.ID, Text: m.DisplayName()})
		}
		scopeGroups = append(scopeGroups, g)
	}
	v.options["omfang"] = scopeGroups

	// The defaults, then what was asked for.
	v.set("periode", last.String())
	v.set("omfang", "land")
	for _, m := range me.Principal().Memberships {
		if _, ok := sc.byID[m.OrgID]; ok {
			v.set("omfang", "org-"+m.OrgID)
			break
		}
	}
	v.query = url.Values{}
	for _, k := range []string{"periode", "omfang"} {
		if _, ok := q[k]; ok {
			v.keep(q, k)
			v.query.Set(k, q.Get(k))
		}
	}
	period, err := report.ParsePeriod(v.Val("periode"))
	if err != nil || !valid[period.String()] {
		v.fail("periode", "dashboard.err_period")
	}
	scope, scopeName, ok := reportsScope(v.Val("omfang"), sc, munis, counties)
	if !ok {
		v.fail("omfang", "dashboard.err_scope")
	}
	if len(v.Errors) > 0 {
		s.render(w, r, http.StatusBadRequest, "office_reports", v)
		return
	}
	if scope.Kind == report.National {
		scopeName = v.S("dashboard.scope_national")
	}
	v.ScopeName = scopeName
	v.Exact = (scope.Kind == report.House || scope.Kind == report.District) && sc.can(auth.ReadPersonalData, scope.ID)
	protect := !v.Exact
	rep := d.Figures(period, scope, protect)
	v.Shown = true
	v.PeriodName, v.PrevName = v.periodName(rep.Period), v.periodName(rep.Prev)

	names, err := s.reportNames(ctx, v.page)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	opts := func(id string, horizontal bool) chart.SVGOptions {
		return chart.SVGOptions{ID: id, Horizontal: horizontal, Desc: v.S("dashboard.chart_desc"),
			Under5: v.S("dashboard.under5"), Hidden: v.S("dashboard.hidden"), Under5Short: "<5", HiddenShort: "–",
			Number: v.Number}
	}

	// Key figures: the total of every table whose categories add up, and
	// the median wait.
	for i, t := range rep.Tables {
		title := names.Table(t.ID)
		rt := reportsTable{ID: "tabell-" + strconv.Itoa(i+1), Title: title}
		for _, row := range t.Rows {
			rt.Rows = append(rt.Rows, reportsRow{Label: names.Key(&rep.Tables[i], row.Key), Now: row.Now, Prev: row.Prev})
		}
		if t.Total != nil {
			rt.Total = &reportsRow{Label: v.L("dashboard.total"), Now: t.Total.Now, Prev: t.Total.Prev}
			v.Key = append(v.Key, reportsRow{Label: title, Now: t.Total.Now, Prev: t.Total.Prev})
		}
		c := chart.ByCategory(&rep.Tables[i], title.Text, func(key string) string { return names.Key(&rep.Tables[i], key).Text })
		rt.Chart = c.SVG(opts("diagram-"+strconv.Itoa(i+1), true))
		v.Tables = append(v.Tables, rt)
	}
	v.Wait, v.WaitPrv = rep.Wait, rep.WaitPrev
	v.HasWait = rep.Wait.Count.State != report.Shown || rep.Wait.Count.Value > 0 ||
		rep.WaitPrev.Count.State != report.Shown || rep.WaitPrev.Count.Value > 0

	// Over time: the months of the period's year.
	monthName := func(m int) string {
		name, _ := v.cat.Lookup(v.Lang, fmt.Sprintf("month.%d", m), nil)
		return name
	}
	short := func(m int) string {
		r := []rune(monthName(m))
		return ucfirst(string(r[:min(3, len(r))]))
	}
	for i, id := range reportsOverTime {
		if rep.Table(id) == nil {
			continue
		}
		title := v.L("dashboard.over_time", "Table", names.Table(id).Text, "Year", period.Year)
		c := chart.OverTime(d, period.Year, scope, id, protect, title.Text, short)
		rt := reportsTable{ID: "over-tid-" + strconv.Itoa(i+1), Title: title,
			Chart: c.SVG(opts("tid-"+strconv.Itoa(i+1), false))}
		for j, b := range c.Bars {
			rt.Rows = append(rt.Rows, reportsRow{Label: Phrase{Text: ucfirst(monthName(j + 1))}, Now: b.Cell})
		}
		v.OverTime = append(v.OverTime, rt)
	}

	// Coverage: the year's (of the year the period lies in).
	cov := rep
	if period.Kind != report.Year {
		cov = d.Figures(report.Period{Kind: report.Year, Year: period.Year}, scope, protect)
	}
	v.CoverageYear = period.Year
	per10k := func(x float64) string {
		if x < 0 {
			return ""
		}
		return v.Decimal(x, 1)
	}
	for _, c := range cov.Coverage {
		row := reportsCoverage{Name: c.Name, Population: c.Population, Enquiries: c.Enquiries, Groups: c.Groups,
			EnquiriesPer10k: per10k(c.EnquiriesPer10k), GroupsPer10k: per10k(c.GroupsPer10k), NoMunicipality: c.MunicipalityID == ""}
		if m, ok := munis[c.MunicipalityID]; ok {
			row.Name = m.DisplayName()
		}
		v.Coverage = append(v.Coverage, row)
	}
	for _, id := range cov.EnquiriesNoGroup {
		name := id
		if m, ok := munis[id]; ok {
			name = m.DisplayName()
		}
		v.NoGroup = append(v.NoGroup, name)
	}
	if len(names.Missing) > 0 {
		s.log.Warn("dashboard: tables without a title in the catalogue", "tables", strings.Join(names.Missing, " "))
	}
	s.render(w, r, http.StatusOK, "office_reports", v)
}
