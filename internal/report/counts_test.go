package report_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/fellesrom/fellesrom/internal/report"
	"github.com/fellesrom/fellesrom/internal/store"
)

// makeCounts makes the activity rows of 2025 and 2026 from seed, in every
// municipality of the test history: many in Oslo, few in the north; a row
// is one group's, event's or entry's number in a month.
func makeCounts(seed uint64) []store.ReportCount {
	rng := rand.New(rand.NewPCG(seed, 17))
	weights := map[string]int{"0301": 6, "3201": 3, "3203": 2, "5501": 2, "5510": 1, "5636": 1}
	var out []store.ReportCount
	for _, y := range []int{2025, 2026} {
		for mo := 1; mo <= 12; mo++ {
			for _, m := range testMunis {
				org := "huset-oslo"
				switch m.CountyID {
				case "55", "56":
					org = "huset-tromso"
					if m.ID == "5510" {
						org = "huset-kvaefjord"
					}
				}
				for _, cm := range report.CountMeasures {
					for range rng.IntN(weights[m.ID] + 1) {
						n := 1
						if rng.IntN(2) == 0 {
							n = 1 + rng.IntN(12)
						}
						out = append(out, store.ReportCount{Measure: cm.ID, Month: fmt.Sprintf("%d-%02d", y, mo), OrgID: org,
							MunicipalityID: m.ID, CountyID: m.CountyID, Category: cm.Categories[rng.IntN(len(cm.Categories))], N: n})
					}
				}
			}
		}
	}
	return out
}

// The activity figures are the true sums of their rows, by category, for
// every scope and period, with the period before; protected, no sum from 1
// to 4 is shown (attendance of 3 people is "under 5" like a count of 3).
func TestCountFiguresAreTheTrueNumbers(t *testing.T) {
	rows := makeCounts(1)
	d := makeHistory(1).data.WithCounts(rows)
	truth := func(measure, cat string, p report.Period, in func(c store.ReportCount) bool) int {
		n := 0
		for _, mo := range p.Months() {
			for _, c := range rows {
				if c.Measure == measure && c.Month == mo && (cat == "" || c.Category == cat) && in(c) {
					n += c.N
				}
			}
		}
		return n
	}
	scopes := map[report.Scope]func(c store.ReportCount) bool{
		{Kind: report.National}:                        func(store.ReportCount) bool { return true },
		{Kind: report.County, ID: "55"}:                func(c store.ReportCount) bool { return c.CountyID == "55" },
		{Kind: report.Municipality, ID: "5510"}:        func(c store.ReportCount) bool { return c.MunicipalityID == "5510" },
		{Kind: report.House, ID: "huset-oslo"}:         func(c store.ReportCount) bool { return c.OrgID == "huset-oslo" },
		{Kind: report.District, ID: "region-nord"}:     func(c store.ReportCount) bool { return c.OrgID != "huset-oslo" },
		{Kind: report.House, ID: "huset-kvaefjord"}:    func(c store.ReportCount) bool { return c.OrgID == "huset-kvaefjord" },
		{Kind: report.Municipality, ID: "5636"}:        func(c store.ReportCount) bool { return c.MunicipalityID == "5636" },
		{Kind: report.County, ID: "03"}:                func(c store.ReportCount) bool { return c.CountyID == "03" },
		{Kind: report.Municipality, ID: "0301"}:        func(c store.ReportCount) bool { return c.MunicipalityID == "0301" },
		{Kind: report.District, ID: "huset-kvaefjord"}: func(c store.ReportCount) bool { return c.OrgID == "huset-kvaefjord" },
	}
	shown, hidden := 0, 0
	for sc, in := range scopes {
		for _, p := range append(allPeriods(2026), report.Period{Kind: report.Month, Year: 2026, N: 1}) {
			for _, protect := range []bool{false, true} {
				r := d.Figures(p, sc, protect)
				for _, cm := range report.CountMeasures {
					tb := r.Table(cm.ID)
					if tb == nil || len(tb.Rows) != len(cm.Categories) || tb.Total == nil {
						t.Fatalf("%s: table %+v", cm.ID, tb)
					}
					for _, row := range append(tb.Rows, *tb.Total) {
						for _, x := range []struct {
							per report.Period
							c   report.Cell
						}{{p, row.Now}, {p.Prev(), row.Prev}} {
							want := truth(cm.ID, row.Key, x.per, in)
							switch {
							case x.c.State == report.Shown && x.c.Value != want:
								t.Errorf("%v %s %s %q: %d, true %d", sc, x.per, cm.ID, row.Key, x.c.Value, want)
							case x.c.State == report.Shown && protect && want > 0 && want < report.MinShown:
								t.Errorf("%v %s %s %q: %d shown", sc, x.per, cm.ID, row.Key, want)
							case x.c.State != report.Shown && (!protect || x.c.Value != 0):
								t.Errorf("%v %s %s %q: %+v (protect %v)", sc, x.per, cm.ID, row.Key, x.c, protect)
							case x.c.State == report.Shown:
								shown++
							default:
								hidden++
							}
						}
					}
				}
			}
		}
	}
	if shown == 0 || hidden == 0 {
		t.Errorf("shown %d, hidden %d: the history does not test both", shown, hidden)
	}
}
