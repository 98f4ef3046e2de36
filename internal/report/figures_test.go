package report_test

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/report"
	"github.com/fellesrom/fellesrom/internal/store"
)

// history is a generated history whose true numbers are known: they are
// counted here as the rows are made, apart from the package.
type history struct {
	data *report.Data
	// true enquiries by county ("NO" the nation), month (YYYY-MM) and channel.
	channel map[string]map[string]map[string]int
	// true enquiries by county, month and theme.
	theme map[string]map[string]map[string]int
	// true groups started, by month and model.
	started map[string]map[string]int
	waited  map[string][]int // by placed month, nationally
}

var (
	testMunis = []store.ReportMunicipality{
		{ID: "0301", Name: "Oslo", CountyID: "03", CountyName: "Oslo", Population: 700000},
		{ID: "3201", Name: "Bærum", CountyID: "32", CountyName: "Akershus", Population: 130000},
		{ID: "3203", Name: "Asker", CountyID: "32", CountyName: "Akershus", Population: 98000},
		{ID: "5501", Name: "Tromsø", CountyID: "55", CountyName: "Troms", Population: 78000},
		{ID: "5510", Name: "Kvæfjord", CountyID: "55", CountyName: "Troms", Population: 2800},
		{ID: "5636", Name: "Unjárga Nesseby", CountyID: "56", CountyName: "Finnmark", Population: 900},
	}
	testThemes = []string{"angst", "ensomhet", "samliv", "sorg"}
)

func muniCounty(id string) string {
	for _, m := range testMunis {
		if m.ID == id {
			return m.CountyID
		}
	}
	return ""
}

// makeHistory makes the enquiries of 2025 and 2026 from seed: many in
// Oslo, few in Finnmark (where every count is small).
func makeHistory(seed uint64) *history {
	rng := rand.New(rand.NewPCG(seed, 3))
	h := &history{channel: map[string]map[string]map[string]int{}, theme: map[string]map[string]map[string]int{},
		started: map[string]map[string]int{}, waited: map[string][]int{}}
	inc := func(m map[string]map[string]map[string]int, a, b, c string) {
		if m[a] == nil {
			m[a] = map[string]map[string]int{}
		}
		if m[a][b] == nil {
			m[a][b] = map[string]int{}
		}
		m[a][b][c]++
	}
	weights := map[string]int{"0301": 40, "3201": 12, "3203": 6, "5501": 8, "5510": 1, "5636": 1}
	orgs := []store.ReportOrg{{ID: "region-nord", Kind: "district_office"}, {ID: "huset-oslo", Kind: "self_help_house"},
		{ID: "huset-tromso", ParentID: "region-nord", Kind: "self_help_house"}, {ID: "huset-kvaefjord", ParentID: "region-nord", Kind: "self_help_house"}}
	var enq []store.ReportEnquiry
	for _, y := range []int{2025, 2026} {
		for mo := 1; mo <= 12; mo++ {
			month := fmt.Sprintf("%d-%02d", y, mo)
			for _, m := range testMunis {
				muni, w := m.ID, weights[m.ID]
				n := rng.IntN(w + 1)
				for range n {
					e := store.ReportEnquiry{Month: month, MunicipalityID: muni, CountyID: muniCounty(muni),
						Channel: store.EnquiryChannels[rng.IntN(4)], Outcome: report.Outcomes[rng.IntN(6)], WaitedDays: -1}
					switch e.CountyID {
					case "55", "56":
						e.OrgID = "huset-tromso"
						if muni == "5510" {
							e.OrgID = "huset-kvaefjord"
						}
					default:
						e.OrgID = "huset-oslo"
					}
					if e.Channel == "referral" {
						e.ReferralKind = store.ReferralKinds[rng.IntN(4)]
					}
					for _, th := range testThemes {
						if rng.IntN(3) == 0 {
							e.Themes = append(e.Themes, th)
						}
					}
					if e.Outcome == store.OutcomePlaced {
						pm := mo + rng.IntN(3)
						py := y
						if pm > 12 {
							pm, py = pm-12, y+1
						}
						e.PlacedMonth = fmt.Sprintf("%d-%02d", py, pm)
						e.WaitedDays = 10 + rng.IntN(120)
						h.waited[e.PlacedMonth] = append(h.waited[e.PlacedMonth], e.WaitedDays)
					}
					for _, c := range []string{e.CountyID, "NO"} {
						inc(h.channel, c, month, e.Channel)
						inc(h.channel, c, month, "")
						for _, th := range e.Themes {
							inc(h.theme, c, month, th)
						}
					}
					enq = append(enq, e)
				}
			}
		}
	}
	var groups []store.ReportGroup
	models := []string{"selvhjelp-norge", "tolv-trinn", "likepersonsgruppe"}
	for i := range 60 {
		g := store.ReportGroup{ID: fmt.Sprintf("g%02d", i), OrgID: "huset-oslo", MunicipalityID: "0301", CountyID: "03",
			Model: models[rng.IntN(3)], Format: report.GroupFormats[rng.IntN(4)], Themes: []string{testThemes[rng.IntN(4)]}}
		startAt := time.Date(2025, time.Month(1+rng.IntN(24)), 1+rng.IntN(27), 12, 0, 0, 0, time.UTC)
		g.History = []store.ReportStatus{{Status: "planned", At: startAt.AddDate(0, -1, 0)}, {Status: "running", At: startAt}}
		if rng.IntN(3) == 0 {
			g.History = append(g.History, store.ReportStatus{Status: "ended", At: startAt.AddDate(0, 2, 0)})
		}
		if h.started[startAt.Format("2006-01")] == nil {
			h.started[startAt.Format("2006-01")] = map[string]int{}
		}
		h.started[startAt.Format("2006-01")][g.Model]++
		groups = append(groups, g)
	}
	h.data = report.NewData(enq, groups, orgs, testMunis)
	return h
}

func (h *history) trueCount(m map[string]map[string]map[string]int, area string, p report.Period, cat string) int {
	n := 0
	for _, mo := range p.Months() {
		n += m[area][mo][cat]
	}
	return n
}

var counties = []string{"03", "32", "55", "56"}

func allPeriods(year int) []report.Period {
	var out []report.Period
	for m := 1; m <= 12; m++ {
		out = append(out, report.Period{Kind: report.Month, Year: year, N: m})
	}
	for q := 1; q <= 4; q++ {
		out = append(out, report.Period{Kind: report.Quarter, Year: year, N: q})
	}
	return append(out, report.Period{Kind: report.Year, Year: year})
}

func areaScope(a string) report.Scope {
	if a == "NO" {
		return report.Scope{Kind: report.National}
	}
	return report.Scope{Kind: report.County, ID: a}
}

// The figures are the true numbers: exact inside a house, and where shown
// when protected; nothing from 1 to 4 is shown; the previous period is the
// one before.
func TestFiguresAreTheTrueNumbers(t *testing.T) {
	h := makeHistory(1)
	shownSome, hiddenSome := 0, 0
	for _, a := range append(slices.Clone(counties), "NO") {
		for _, p := range allPeriods(2026) {
			for _, protect := range []bool{false, true} {
				r := h.data.Figures(p, areaScope(a), protect)
				if r.Prev != p.Prev() {
					t.Errorf("%s: previous period %v", p, r.Prev)
				}
				check := func(table string, truth map[string]map[string]map[string]int, cat string, row report.Row) {
					for _, x := range []struct {
						per report.Period
						c   report.Cell
					}{{p, row.Now}, {p.Prev(), row.Prev}} {
						want := h.trueCount(truth, a, x.per, cat)
						switch {
						case x.c.State == report.Shown && x.c.Value != want:
							t.Errorf("%s %s %s %q: %d, true %d", a, x.per, table, cat, x.c.Value, want)
						case x.c.State == report.Shown && want > 0 && want < report.MinShown && protect:
							t.Errorf("%s %s %s %q: %d shown", a, x.per, table, cat, want)
						case x.c.State != report.Shown && !protect:
							t.Errorf("%s %s %s %q: not shown in the house's own figures", a, x.per, table, cat)
						case x.c.State != report.Shown && x.c.Value != 0:
							t.Errorf("%s %s %s %q: hidden cell carries %d", a, x.per, table, cat, x.c.Value)
						case x.c.State == report.Shown:
							shownSome++
						default:
							hiddenSome++
						}
					}
				}
				ch := r.Table("enquiries.channel")
				for _, row := range ch.Rows {
					check("channel", h.channel, row.Key, row)
				}
				check("channel", h.channel, "", *ch.Total)
				for _, row := range r.Table("enquiries.theme").Rows {
					check("theme", h.theme, row.Key, row)
				}
			}
		}
	}
	if shownSome == 0 || hiddenSome == 0 {
		t.Errorf("shown %d, hidden %d: the history does not test both", shownSome, hiddenSome)
	}

	// Groups started by model, nationally, and the median wait.
	for _, p := range allPeriods(2026) {
		r := h.data.Figures(p, report.Scope{Kind: report.National}, false)
		for _, row := range r.Table("groups.started.model").Rows {
			want := 0
			for _, mo := range p.Months() {
				want += h.started[mo][row.Key]
			}
			if row.Now.Value != want {
				t.Errorf("%s groups started %s: %d, true %d", p, row.Key, row.Now.Value, want)
			}
		}
		var days []int
		for _, mo := range p.Months() {
			days = append(days, h.waited[mo]...)
		}
		slices.Sort(days)
		if len(days) > 0 {
			want := days[len(days)/2]
			if len(days)%2 == 0 {
				want = (days[len(days)/2-1] + days[len(days)/2]) / 2
			}
			if r.Wait.Days != want || r.Wait.Count.Value != len(days) {
				t.Errorf("%s median wait %d of %d, true %d of %d", p, r.Wait.Days, r.Wait.Count.Value, want, len(days))
			}
		}
	}

	// Coverage of a year: every municipality, its counts true where shown
	// and never 1–4, per 10,000 inhabitants from the population; those with
	// enquiries and no running group (every group is in Oslo here).
	for _, protect := range []bool{false, true} {
		r := h.data.Figures(report.Period{Kind: report.Year, Year: 2026}, report.Scope{Kind: report.National}, protect)
		if len(r.Coverage) != len(testMunis) {
			t.Fatalf("coverage of %d municipalities", len(r.Coverage))
		}
		var noGroup []string
		for _, c := range r.Coverage {
			want := 0
			for _, e := range h.data.Enquiries {
				if e.MunicipalityID == c.MunicipalityID && e.Month >= "2026-01" && e.Month <= "2026-12" {
					want++
				}
			}
			if want > 0 && c.MunicipalityID != "0301" {
				noGroup = append(noGroup, c.MunicipalityID)
			}
			switch {
			case c.Enquiries.State == report.Shown && (c.Enquiries.Value != want || protect && want > 0 && want < report.MinShown):
				t.Errorf("protect %v: %s shows %d enquiries, true %d", protect, c.Name, c.Enquiries.Value, want)
			case c.Enquiries.State == report.Shown && c.EnquiriesPer10k != float64(want)*10000/float64(c.Population):
				t.Errorf("%s: %v per 10,000", c.Name, c.EnquiriesPer10k)
			case c.Enquiries.State != report.Shown && (c.EnquiriesPer10k != -1 || !protect):
				t.Errorf("protect %v: %s hidden, %v per 10,000", protect, c.Name, c.EnquiriesPer10k)
			}
			if c.MunicipalityID != "0301" && c.Groups.State == report.Shown && c.Groups.Value != 0 {
				t.Errorf("%s: %d groups", c.Name, c.Groups.Value)
			}
		}
		if !slices.Equal(r.EnquiriesNoGroup, noGroup) {
			t.Errorf("enquiries and no group: %v, want %v", r.EnquiriesNoGroup, noGroup)
		}
	}

	// A district is its houses; a house is its own.
	nord := h.data.Figures(report.Period{Kind: report.Year, Year: 2026}, report.Scope{Kind: report.District, ID: "region-nord"}, false)
	troms := h.data.Figures(report.Period{Kind: report.Year, Year: 2026}, report.Scope{Kind: report.County, ID: "55"}, false)
	fin := h.data.Figures(report.Period{Kind: report.Year, Year: 2026}, report.Scope{Kind: report.County, ID: "56"}, false)
	if got, want := nord.Table("enquiries.channel").Total.Now.Value, troms.Table("enquiries.channel").Total.Now.Value+
		fin.Table("enquiries.channel").Total.Now.Value; got != want {
		t.Errorf("district: %d enquiries, its counties %d", got, want)
	}
}

// The attack: every figure of the counties and the nation for every month,
// quarter and year of 2026 is published; the attacker knows how they add
// up (categories to the total, counties to the nation, months to quarters
// to the year, the open data's rows to the same) and tries to work out
// what is not shown. Every attempt fails. The same attacker, given the
// figures with primary suppression only, does recover cells.
func TestFiguresResistDifferencing(t *testing.T) {
	tables := []string{"enquiries.channel", "enquiries.outcome", "enquiries.theme", "groups.started.model"}
	areas := append(slices.Clone(counties), "", "NO")
	for seed := uint64(1); seed <= 8; seed++ { // 40 seeds pass too; 8 keep the test short
		h := makeHistory(seed)
		pubs, naives := map[string]*published{}, map[string]*published{}
		cats := map[string][]string{}
		for _, table := range tables {
			pubs[table], naives[table] = newPublished(), newPublished()
		}
		for _, a := range areas {
			for _, p := range allPeriods(2026) {
				r := h.data.Figures(p, areaScope(a), true)
				exact := h.data.Figures(p, areaScope(a), false)
				for _, table := range tables {
					tb, ex := r.Table(table), exact.Table(table)
					rows, exRows := tb.Rows, ex.Rows
					if tb.Total != nil {
						rows = append(slices.Clone(rows), *tb.Total)
						exRows = append(slices.Clone(exRows), *ex.Total)
					}
					cats[table] = nil
					for i, row := range rows {
						k := fmt.Sprintf("%s|%s|%s", a, p, row.Key)
						pubs[table].cell(k, row.Now)
						v := exRows[i].Now.Value
						st := report.Shown
						if v > 0 && v < report.MinShown {
							st = report.Under5
						}
						naives[table].cell(k, report.Cell{Value: v, State: st})
						cats[table] = append(cats[table], row.Key)
					}
				}
			}
		}
		for _, table := range tables {
			cs := cats[table]
			additive := cs[len(cs)-1] == ""
			pub, naive := pubs[table], naives[table]
			for _, pb := range []*published{pub, naive} {
				for _, a := range areas {
					for _, p := range allPeriods(2026) {
						key := func(c string) string { return fmt.Sprintf("%s|%s|%s", a, p, c) }
						if additive {
							var parts []string
							for _, c := range cs[:len(cs)-1] {
								parts = append(parts, key(c))
							}
							pb.sum(key(""), parts...)
						}
						for _, c := range cs {
							var parts []string
							switch p.Kind {
							case report.Quarter:
								for m := 3*p.N - 2; m <= 3*p.N; m++ {
									parts = append(parts, fmt.Sprintf("%s|%s|%s", a, report.Period{Kind: report.Month, Year: 2026, N: m}, c))
								}
							case report.Year:
								for q := 1; q <= 4; q++ {
									parts = append(parts, fmt.Sprintf("%s|%s|%s", a, report.Period{Kind: report.Quarter, Year: 2026, N: q}, c))
								}
							}
							if parts != nil {
								pb.sum(key(c), parts...)
							}
						}
					}
				}
				for _, p := range allPeriods(2026) {
					for _, c := range cs {
						var parts []string
						for _, a := range areas[:len(areas)-1] {
							parts = append(parts, fmt.Sprintf("%s|%s|%s", a, p, c))
						}
						pb.sum(fmt.Sprintf("NO|%s|%s", p, c), parts...)
					}
				}
			}
			if got := pub.disclosures(); len(got) > 0 {
				t.Errorf("seed %d %s: recovered %v (of %d hidden)", seed, table, got, len(pub.unknown))
			}
			if len(pub.unknown) == 0 {
				t.Errorf("seed %d %s: nothing hidden, nothing tested", seed, table)
			}
			if seed == 1 && table == "enquiries.channel" && len(naive.disclosures()) == 0 {
				t.Errorf("the attacker recovers nothing even from primary suppression alone")
			}
		}
	}
}

// The open data are the yearly county and national figures, in the same
// states as Figures shows them, for complete years only.
func TestOpenData(t *testing.T) {
	h := makeHistory(1)
	rows := h.data.OpenData(time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC))
	if len(rows) == 0 {
		t.Fatal("no rows")
	}
	for _, row := range rows {
		if row.Year != 2025 {
			t.Fatalf("year %d published in 2026", row.Year)
		}
		r := h.data.Figures(report.Period{Kind: report.Year, Year: 2025}, areaScope(row.AreaCode), true)
		var want report.Cell
		if row.Theme == "" {
			want = r.Table("enquiries.channel").Total.Now
		} else {
			for _, x := range r.Table("enquiries.theme").Rows {
				if x.Key == row.Theme {
					want = x.Now
				}
			}
		}
		if row.Enquiries != want {
			t.Errorf("%+v: figures say %+v", row, want)
		}
		truth := h.channel
		if row.Theme != "" {
			truth = h.theme
		}
		if n := h.trueCount(truth, row.AreaCode, report.Period{Kind: report.Year, Year: 2025}, row.Theme); row.Enquiries.State == report.Shown && n != row.Enquiries.Value {
			t.Errorf("%+v: true %d", row, n)
		}
	}
}

func TestParsePeriod(t *testing.T) {
	for in, want := range map[string]report.Period{
		"2026": {Kind: report.Year, Year: 2026}, "2026-K2": {Kind: report.Quarter, Year: 2026, N: 2},
		"2026-Q4": {Kind: report.Quarter, Year: 2026, N: 4}, "2026-03": {Kind: report.Month, Year: 2026, N: 3},
	} {
		got, err := report.ParsePeriod(in)
		if err != nil || got != want {
			t.Errorf("ParsePeriod(%q) = %v, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "26", "2026-13", "2026-K5", "2026-00", "abcd", "2026-1"} {
		if _, err := report.ParsePeriod(bad); err == nil {
			t.Errorf("ParsePeriod(%q) accepted", bad)
		}
	}
	if p := (report.Period{Kind: report.Month, Year: 2026, N: 1}).Prev(); p.String() != "2025-12" {
		t.Errorf("prev of 2026-01: %v", p)
	}
}

// Warming a year works out the same protection as a request would: the
// figures of a warmed Data equal those of a cold one.
func TestWarmGivesTheSameFigures(t *testing.T) {
	cold, warm := makeHistory(7).data, makeHistory(7).data
	warm.Warm(2026, 2025)
	for _, sc := range []report.Scope{{Kind: report.National}, {Kind: report.County, ID: "55"}, {Kind: report.Municipality, ID: "5636"},
		{Kind: report.Municipality, ID: "0301"}} {
		for _, p := range []report.Period{{Kind: report.Year, Year: 2025}, {Kind: report.Quarter, Year: 2026, N: 2},
			{Kind: report.Month, Year: 2025, N: 3}} {
			a, b := cold.Figures(p, sc, true), warm.Figures(p, sc, true)
			if !reflect.DeepEqual(a.Tables, b.Tables) {
				t.Errorf("%v %v: warmed figures differ from cold ones", sc, p)
			}
		}
	}
}

// A group re-formed (a new round of a closed group) counts once in the
// period its round began, however many rounds began in it.
func TestGroupsReformed(t *testing.T) {
	at := func(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 10, 0, 0, 0, time.UTC) }
	groups := []store.ReportGroup{
		{ID: "a", OrgID: "o", MunicipalityID: "0301", CountyID: "03", Model: "lukket", Format: "in_person",
			History:  []store.ReportStatus{{Status: "running", At: at(2024, 1, 1)}},
			Reformed: []time.Time{at(2025, 3, 2), at(2025, 3, 20), at(2025, 9, 1)}},
		{ID: "b", OrgID: "o", MunicipalityID: "0301", CountyID: "03", Model: "lukket", Format: "video",
			History:  []store.ReportStatus{{Status: "running", At: at(2024, 1, 1)}},
			Reformed: []time.Time{at(2025, 3, 31)}},
		{ID: "c", OrgID: "o", MunicipalityID: "0301", CountyID: "03", Model: "lukket", Format: "video",
			History: []store.ReportStatus{{Status: "running", At: at(2024, 1, 1)}}},
	}
	d := report.NewData(nil, groups, []store.ReportOrg{{ID: "o", Kind: "house"}}, testMunis)
	for _, tc := range []struct {
		p               report.Period
		total, inPerson int
	}{
		{report.Period{Kind: report.Month, Year: 2025, N: 3}, 2, 1},
		{report.Period{Kind: report.Month, Year: 2025, N: 4}, 0, 0},
		{report.Period{Kind: report.Quarter, Year: 2025, N: 3}, 1, 1},
		{report.Period{Kind: report.Year, Year: 2025}, 2, 1},
	} {
		tab := d.Figures(tc.p, report.Scope{Kind: report.House, ID: "o"}, false).Table("groups.reformed.format")
		if tab == nil {
			t.Fatal("no table groups.reformed.format")
		}
		if tab.Total.Now.Value != tc.total || tab.Rows[0].Key != "in_person" || tab.Rows[0].Now.Value != tc.inPerson {
			t.Errorf("%v: total %d, in person %d; want %d, %d", tc.p, tab.Total.Now.Value, tab.Rows[0].Now.Value, tc.total, tc.inPerson)
		}
	}
}

// A house's protected coverage shows the municipalities it works in as
// wholes, in the states the municipality's own figures have: never the
// house's part of a municipality, which would give away the other houses'.
func TestHouseCoverageIsTheMunicipalities(t *testing.T) {
	d := makeHistory(5).data
	year := report.Period{Kind: report.Year, Year: 2025}
	checked := 0
	for _, o := range d.Orgs {
		for _, kind := range []report.ScopeKind{report.House, report.District} {
			r := d.Figures(year, report.Scope{Kind: kind, ID: o.ID}, true)
			for _, row := range r.Coverage {
				if row.MunicipalityID == "" {
					continue
				}
				m := d.Figures(year, report.Scope{Kind: report.Municipality, ID: row.MunicipalityID}, true)
				if len(m.Coverage) != 1 {
					t.Fatalf("municipality %s: %d coverage rows", row.MunicipalityID, len(m.Coverage))
				}
				if row.Enquiries != m.Coverage[0].Enquiries || row.Groups != m.Coverage[0].Groups {
					t.Errorf("%s %s in %s: %+v / %+v, the municipality says %+v / %+v", kind, o.ID, row.MunicipalityID,
						row.Enquiries, row.Groups, m.Coverage[0].Enquiries, m.Coverage[0].Groups)
				}
				checked++
			}
		}
	}
	if checked == 0 {
		t.Fatal("no coverage row of any house was checked")
	}
}
