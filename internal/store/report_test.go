package store_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/report"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// The rows of reports come from the anonymous statistics and the groups'
// history; the figures of a year of enquiries are the true numbers; and
// when the retention clock has deleted every enquiry, the figures of the
// past periods are exactly the same (issue 7, items 1 and 6).
func TestReportSurvivesRetention(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := store.WithActor(context.Background(), store.Actor{ID: "coordinator-1", Source: "192.0.2.0/24"})
		f := setup(t, s)
		f.group.Status = domain.StatusRunning
		if err := s.SaveGroup(ctx, &f.group, "coordinator-1", ""); err != nil {
			t.Fatal(err)
		}

		// 2025: 3 enquiries a month in Oslo by phone, a fourth in Tromsø
		// every third month by walk-in; one in three placed 20 days after
		// the enquiry, one in three closed without a group, the rest
		// closed.
		type key struct{ month, channel string }
		truth := map[key]int{}
		themes := map[string]int{}
		placed := 0
		ret := store.DefaultRetention
		n := 0
		for mo := 1; mo <= 12; mo++ {
			count := 3
			if mo%3 == 0 {
				count = 4
			}
			for i := range count {
				n++
				at := time.Date(2025, time.Month(mo), 1+i, 10, 0, 0, 0, time.UTC)
				e := testEnquiry(f.house.ID, f.themes[n%2].ID)
				e.Channel, e.ConsentRecordedBy, e.Contact = "phone", "coordinator-1", fmt.Sprintf("9%07d", n)
				if i == 3 {
					e.Channel, e.Municipality = "walk_in", "5501"
				}
				if err := s.CreateEnquiry(ctx, &e, fmt.Sprintf("hash-%d", n), at, ret); err != nil {
					t.Fatal(err)
				}
				truth[key{at.Format("2006-01"), e.Channel}]++
				themes[f.themes[n%2].Slug]++
				if err := s.SetEnquiryStatus(ctx, e.ID, store.StatusChange{To: store.EnquiryWaiting}, at.Add(24*time.Hour), ret); err != nil {
					t.Fatal(err)
				}
				end := store.StatusChange{To: store.EnquiryClosed}
				switch n % 3 {
				case 0:
					end = store.StatusChange{To: store.EnquiryPlaced, GroupID: f.group.ID}
					placed++
				case 1:
					end.Reason = store.OutcomeNoGroup
				}
				if err := s.SetEnquiryStatus(ctx, e.ID, end, at.Add(20*24*time.Hour), ret); err != nil {
					t.Fatal(err)
				}
			}
		}

		rows, err := s.ReportEnquiries(ctx, "2025-12")
		if err != nil || len(rows) != n {
			t.Fatalf("%d rows, %v; want %d", len(rows), err, n)
		}
		if r := rows[0]; r.Month != "2025-01" || r.MunicipalityID != "0301" || r.CountyID != "03" || r.OrgID != f.house.ID {
			t.Errorf("row %+v", r)
		}
		if r := rows[2]; r.Outcome != store.OutcomePlaced || r.WaitedDays != 20 || r.PlacedMonth != "2025-01" {
			t.Errorf("placed row %+v", r)
		}
		groups, err := s.ReportGroups(ctx)
		if err != nil || len(groups) != 1 {
			t.Fatalf("groups %+v %v", groups, err)
		}
		g := groups[0]
		if g.Model != "selvhjelp-norge" || g.MunicipalityID != "5501" || g.CountyID != "55" || g.Format != "in_person" ||
			!slices.Equal(g.Themes, []string{"angst", "sorg"}) || len(g.History) < 2 || g.History[len(g.History)-1].Status != "running" {
			t.Errorf("group %+v", g)
		}
		munis, err := s.ReportMunicipalities(ctx)
		if err != nil || len(munis) < 300 {
			t.Fatalf("%d municipalities, %v", len(munis), err)
		}
		if i := slices.IndexFunc(munis, func(m store.ReportMunicipality) bool { return m.ID == "5501" }); i < 0 ||
			munis[i].CountyID != "55" || munis[i].Population < 10000 {
			t.Errorf("Tromsø: %+v", munis)
		}

		figures := func() map[string]*report.Report {
			d, err := report.Load(ctx, s, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]*report.Report{}
			for _, p := range []string{"2025", "2025-K1", "2025-06"} {
				per, _ := report.ParsePeriod(p)
				for _, sc := range []report.Scope{{Kind: report.House, ID: f.house.ID}, {Kind: report.National},
					{Kind: report.Municipality, ID: "5501"}} {
					for _, protect := range []bool{false, true} {
						out[fmt.Sprint(p, sc, protect)] = d.Figures(per, sc, protect)
					}
				}
			}
			return out
		}
		before := figures()

		// The house's own figures are the true numbers.
		year := before[fmt.Sprint("2025", report.Scope{Kind: report.House, ID: f.house.ID}, false)]
		for _, row := range year.Table("enquiries.channel").Rows {
			want := 0
			for k, v := range truth {
				if k.channel == row.Key {
					want += v
				}
			}
			if row.Now.Value != want {
				t.Errorf("2025 %s: %d, true %d", row.Key, row.Now.Value, want)
			}
		}
		for _, row := range year.Table("enquiries.theme").Rows {
			if row.Now.Value != themes[row.Key] {
				t.Errorf("2025 theme %s: %d, true %d", row.Key, row.Now.Value, themes[row.Key])
			}
		}
		if tot := year.Table("enquiries.channel").Total.Now.Value; tot != n {
			t.Errorf("total %d, true %d", tot, n)
		}
		outcomes := map[string]int{}
		for _, row := range year.Table("enquiries.outcome").Rows {
			outcomes[row.Key] = row.Now.Value
		}
		if outcomes[store.OutcomePlaced] != placed || outcomes[store.OutcomeNoGroup]+outcomes[store.OutcomeClosed] != n-placed {
			t.Errorf("outcomes %v", outcomes)
		}
		if year.Wait.Days != 20 || year.Wait.Count.Value != placed {
			t.Errorf("median wait %+v", year.Wait)
		}
		if q1 := before[fmt.Sprint("2025-K1", report.Scope{Kind: report.Municipality, ID: "5501"}, true)]; q1.Table("enquiries.channel").Total.Now.State == report.Shown {
			t.Errorf("Tromsø's one walk-in enquiry of the first quarter is shown: %+v", q1.Table("enquiries.channel").Total)
		}

		// The clock deletes every enquiry; the figures stay.
		res, err := s.RunRetention(ctx, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), ret,
			func(store.Enquiry) (store.OutboxMail, string, error) {
				return store.OutboxMail{}, "", errors.New("nobody to ask")
			})
		if err != nil || res.Deleted() != n {
			t.Fatalf("retention: %+v %v; want %d deleted", res, err, n)
		}
		after := figures()
		for k, b := range before {
			if !reflect.DeepEqual(b, after[k]) {
				t.Errorf("%s changed by the retention job:\nbefore %+v\nafter  %+v", k, b, after[k])
			}
		}
	})
}
