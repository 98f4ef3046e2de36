package report_test

import (
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/report"
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
