package chart_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/fellesrom/fellesrom/internal/report"
	"github.com/fellesrom/fellesrom/internal/report/chart"
	"github.com/fellesrom/fellesrom/internal/store"
)

// benchData is two years of 1,000 enquiries a month in 40 municipalities
// of 10 counties, for 20 houses.
func benchData() *report.Data {
	rng := rand.New(rand.NewPCG(1, 2))
	var munis []store.ReportMunicipality
	for i := range 40 {
		munis = append(munis, store.ReportMunicipality{ID: fmt.Sprintf("%04d", 100+i), Name: "M", CountyID: fmt.Sprintf("%02d", i%10),
			Population: 1000 + 1000*i})
	}
	var orgs []store.ReportOrg
	for i := range 20 {
		orgs = append(orgs, store.ReportOrg{ID: fmt.Sprintf("h%d", i), Kind: "self_help_house"})
	}
	var enq []store.ReportEnquiry
	for _, y := range []int{2025, 2026} {
		for m := 1; m <= 12; m++ {
			for range 1000 {
				mu := munis[rng.IntN(len(munis))]
				enq = append(enq, store.ReportEnquiry{Month: fmt.Sprintf("%d-%02d", y, m), OrgID: orgs[rng.IntN(20)].ID,
					MunicipalityID: mu.ID, CountyID: mu.CountyID, Channel: store.EnquiryChannels[rng.IntN(4)],
					Themes: []string{"sorg"}, Outcome: report.Outcomes[rng.IntN(6)], WaitedDays: -1})
			}
		}
	}
	return report.NewData(enq, nil, orgs, munis)
}

// A dashboard draws two charts over time of a fresh Data (as the page
// loads it for each request): 24 reports of months.
func BenchmarkOverTime(b *testing.B) {
	for b.Loop() {
		d := benchData()
		for _, sc := range []report.Scope{{Kind: report.National}, {Kind: report.House, ID: "h3"}} {
			c := chart.OverTime(d, 2026, sc, "enquiries.channel", true, "t", func(m int) string { return "m" })
			_ = c.SVG(chart.SVGOptions{ID: "x"})
		}
	}
}
