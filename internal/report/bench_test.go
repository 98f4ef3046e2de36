package report_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/demo"
	"github.com/fellesrom/fellesrom/internal/report"
	"github.com/fellesrom/fellesrom/internal/seal"
	"github.com/fellesrom/fellesrom/internal/store"
)

// The cost of a protected report and of the open data, computed afresh
// (no cached protection) from the generated history of two years.
func BenchmarkFiguresNationalYear(b *testing.B) {
	h := makeHistory(1)
	for b.Loop() {
		d := report.NewData(h.data.Enquiries, h.data.Groups, h.data.Orgs, h.data.Municipalities)
		d.Figures(report.Period{Kind: report.Year, Year: 2026}, report.Scope{Kind: report.National}, true)
	}
}

func BenchmarkOpenData(b *testing.B) {
	h := makeHistory(1)
	for b.Loop() {
		d := report.NewData(h.data.Enquiries, h.data.Groups, h.data.Orgs, h.data.Municipalities)
		d.OpenData(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))
	}
}

// wideData is a country of 357 municipalities in 15 counties, most of them
// small: two years of enquiries (about 11,000) and 400 groups.
func wideData() *report.Data {
	rng := rand.New(rand.NewPCG(5, 9))
	var munis []store.ReportMunicipality
	for i := range 357 {
		c := fmt.Sprintf("%02d", 10+i%15)
		munis = append(munis, store.ReportMunicipality{ID: fmt.Sprintf("%s%02d", c, i/15), Name: fmt.Sprint("M", i),
			CountyID: c, CountyName: "C" + c, Population: 1000 + rng.IntN(50000)})
	}
	orgs := []store.ReportOrg{{ID: "h", Kind: "self_help_house"}}
	var enq []store.ReportEnquiry
	for _, y := range []int{2025, 2026} {
		for mo := 1; mo <= 12; mo++ {
			for range 460 {
				m := munis[int(float64(len(munis))*rng.Float64()*rng.Float64())]
				e := store.ReportEnquiry{Month: fmt.Sprintf("%d-%02d", y, mo), OrgID: "h", MunicipalityID: m.ID,
					CountyID: m.CountyID, Channel: store.EnquiryChannels[rng.IntN(4)], Outcome: report.Outcomes[rng.IntN(6)],
					WaitedDays: -1, Themes: []string{testThemes[rng.IntN(4)]}}
				if e.Channel == "referral" {
					e.ReferralKind = store.ReferralKinds[rng.IntN(4)]
				}
				enq = append(enq, e)
			}
		}
	}
	var groups []store.ReportGroup
	for i := range 400 {
		m := munis[int(float64(len(munis))*rng.Float64()*rng.Float64())]
		at := time.Date(2025, time.Month(1+rng.IntN(24)), 1+rng.IntN(27), 12, 0, 0, 0, time.UTC)
		groups = append(groups, store.ReportGroup{ID: fmt.Sprint("g", i), OrgID: "h", MunicipalityID: m.ID, CountyID: m.CountyID,
			Model: "selvhjelp-norge", Format: report.GroupFormats[rng.IntN(4)], Themes: []string{testThemes[rng.IntN(4)]},
			History: []store.ReportStatus{{Status: "running", At: at}}})
	}
	return report.NewData(enq, groups, orgs, munis)
}

// The same with 357 municipalities.
func BenchmarkFiguresNationalYear357(b *testing.B) {
	w := wideData()
	for b.Loop() {
		d := report.NewData(w.Enquiries, w.Groups, w.Orgs, w.Municipalities)
		d.Figures(report.Period{Kind: report.Year, Year: 2026}, report.Scope{Kind: report.National}, true)
	}
}

// A national year of the demo data (32 organisations, several of them
// serving many municipalities, and many counts under 5), protected afresh:
// what the reports' background load pays per year.
func BenchmarkFiguresDemoYear(b *testing.B) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(b.TempDir(), "demo.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	st.SetKeys(seal.Generate())
	if err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	if _, err := demo.Load(ctx, st); err != nil {
		b.Fatal(err)
	}
	d, err := report.Load(ctx, st, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		report.NewData(d.Enquiries, d.Groups, d.Orgs, d.Municipalities).WithCounts(d.Counts).Warm(2026)
	}
}
