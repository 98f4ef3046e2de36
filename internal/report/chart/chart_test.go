package chart_test

import (
	"fmt"
	"testing"

	"github.com/fellesrom/fellesrom/internal/report"
	"github.com/fellesrom/fellesrom/internal/report/chart"
	"github.com/fellesrom/fellesrom/internal/store"
)

// smallData: one house with many web enquiries every month of 2026, and in
// March 2 by phone (a count under 5) and 6 referrals.
func smallData() *report.Data {
	var enq []store.ReportEnquiry
	for m := 1; m <= 12; m++ {
		for range 10 + m {
			enq = append(enq, store.ReportEnquiry{Month: fmt.Sprintf("2026-%02d", m), OrgID: "huset", MunicipalityID: "0301",
				CountyID: "03", Channel: "web", Outcome: report.Outcomes[0], WaitedDays: -1})
		}
	}
	for range 2 {
		enq = append(enq, store.ReportEnquiry{Month: "2026-03", OrgID: "huset", MunicipalityID: "0301",
			CountyID: "03", Channel: "phone", Outcome: report.Outcomes[0], WaitedDays: -1})
	}
	for range 6 {
		enq = append(enq, store.ReportEnquiry{Month: "2026-03", OrgID: "huset", MunicipalityID: "0301",
			CountyID: "03", Channel: "referral", ReferralKind: store.ReferralKinds[0], Outcome: report.Outcomes[0], WaitedDays: -1})
	}
	return report.NewData(enq, nil, []store.ReportOrg{{ID: "huset", Kind: "self_help_house"}},
		[]store.ReportMunicipality{{ID: "0301", Name: "Oslo", CountyID: "03", CountyName: "Oslo", Population: 700000}})
}

var house = report.Scope{Kind: report.House, ID: "huset"}

func TestByCategory(t *testing.T) {
	d := smallData()
	p := report.Period{Kind: report.Month, Year: 2026, N: 3}
	label := func(k string) string { return "«" + k + "»" }
	for _, protect := range []bool{false, true} {
		r := d.Figures(p, house, protect)
		c := chart.ByCategory(r.Table("enquiries.channel"), "Kanal", label)
		if c.Title != "Kanal" || len(c.Bars) != len(store.EnquiryChannels) {
			t.Fatalf("protect %v: chart %+v", protect, c)
		}
		got := map[string]report.Cell{}
		for _, b := range c.Bars {
			got[b.Label] = b.Cell
		}
		if w := got["«web»"]; w.State != report.Shown || w.Value != 13 {
			t.Errorf("protect %v: web bar %+v, want 13 shown", protect, w)
		}
		ph := got["«phone»"]
		if !protect && (ph.State != report.Shown || ph.Value != 2) {
			t.Errorf("exact phone bar %+v, want 2", ph)
		}
		if protect && (ph.State == report.Shown || ph.Value != 0) {
			t.Errorf("protected phone bar %+v, want not shown and no value", ph)
		}
		if c.Max() != 13 {
			t.Errorf("protect %v: max %d, want 13", protect, c.Max())
		}
	}
	if c := chart.ByCategory(nil, "x", label); len(c.Bars) != 0 {
		t.Errorf("no table: %d bars", len(c.Bars))
	}
}

func TestOverTime(t *testing.T) {
	d := smallData()
	month := func(m int) string { return fmt.Sprintf("m%d", m) }
	c := chart.OverTime(d, 2026, house, "enquiries.channel", false, "Over tid", month)
	if len(c.Bars) != 12 || c.Title != "Over tid" {
		t.Fatalf("chart %+v", c)
	}
	for i, b := range c.Bars {
		want := 10 + i + 1
		if i == 2 {
			want += 2 + 6
		}
		if b.Label != month(i+1) || b.Cell.State != report.Shown || b.Cell.Value != want {
			t.Errorf("bar %d: %+v, want %s %d", i, b, month(i+1), want)
		}
	}
	if c.Max() != 22 || c.Bars[2].Cell.Value != 21 {
		t.Errorf("max %d, want 22", c.Max())
	}
	// A table without a total (themes overlap) gives marked gaps, not sums.
	c = chart.OverTime(d, 2026, house, "enquiries.theme", true, "t", month)
	for _, b := range c.Bars {
		if b.Cell.State == report.Shown {
			t.Errorf("theme over time: bar %+v shown", b)
		}
	}
	if c.Max() != 0 {
		t.Errorf("max of gaps %d", c.Max())
	}
}
