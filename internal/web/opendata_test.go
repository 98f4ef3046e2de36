package web_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// The national open data: anonymous enquiries of complete years by county
// and theme, as CSV and JSON with the same rows; counts are the true ones
// where shown, and none from 1 to 4 is shown.
func TestOpenData(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := setup(t, st)
		ctx := store.WithActor(context.Background(), store.Actor{ID: "test"})
		themes, err := st.Themes(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var sorg string
		for _, th := range themes {
			if th.Slug == "sorg" {
				sorg = th.ID
			}
		}
		// 2025: 12 in Oslo (county 03) in March, 2 in 5612 (county 56) in May.
		truth := map[string]int{"03": 12, "56": 2, "NO": 14}
		for i := range 14 {
			muni, at := "0301", time.Date(2025, 3, 1+i, 10, 0, 0, 0, time.UTC)
			if i >= 12 {
				muni, at = "5612", time.Date(2025, 5, 1+i, 10, 0, 0, 0, time.UTC)
			}
			e := store.Enquiry{OrgID: f.house.ID, Channel: "phone", ConsentRecordedBy: "test", Name: "Test",
				ContactKind: "phone", Contact: fmt.Sprintf("9%07d", i), Municipality: muni, Formats: []string{"phone"},
				Themes: []string{sorg}, Adult: true, ConsentVersion: "test", Lang: "nb"}
			if err := st.CreateEnquiry(ctx, &e, fmt.Sprintf("open-data-%d", i), at, store.DefaultRetention); err != nil {
				t.Fatal(err)
			}
		}

		c := get(t, f, "GET", "/apne-data/henvendelser.csv")
		if c.status != 200 || !strings.HasPrefix(c.header.Get("Content-Type"), "text/csv") {
			t.Fatalf("csv: %d %q", c.status, c.header.Get("Content-Type"))
		}
		recs, err := csv.NewReader(strings.NewReader(c.body)).ReadAll()
		if err != nil || len(recs) < 2 || strings.Join(recs[0], ",") != "year,area_code,area,theme,enquiries,status" {
			t.Fatalf("csv: %v %v", recs, err)
		}
		shown := map[string]int{}
		for _, r := range recs[1:] {
			if r[0] != "2025" {
				t.Errorf("row of an incomplete or unknown year: %v", r)
			}
			if r[3] != "" && r[3] != "sorg" {
				continue // the demo's other themes: none in 2025
			}
			want := truth[r[1]]
			switch r[5] {
			case "shown":
				n, err := strconv.Atoi(r[4])
				if err != nil || n != want || n > 0 && n < 5 {
					t.Errorf("row %v: true count %d", r, want)
				}
				shown[r[1]+"/"+r[3]] = n
			case "under_5", "suppressed":
				if r[4] != "" {
					t.Errorf("suppressed row with a count: %v", r)
				}
			default:
				t.Errorf("row %v: status", r)
			}
		}
		if _, ok := shown["56/"]; ok {
			t.Errorf("Finnmark's 2 enquiries are shown")
		}
		if shown["03/"] != 12 && shown["NO/"] != 14 {
			t.Errorf("neither Oslo's nor the nation's count is shown: %v", shown)
		}

		j := get(t, f, "GET", "/apne-data/henvendelser.json")
		var doc struct {
			Columns map[string]string
			Rows    []struct {
				Year      int
				AreaCode  string `json:"area_code"`
				Area      string
				Theme     string
				Enquiries *int
				Status    string
			}
		}
		if err := json.Unmarshal([]byte(j.body), &doc); err != nil || j.status != 200 {
			t.Fatalf("json: %d %v", j.status, err)
		}
		if len(doc.Rows) != len(recs)-1 || len(doc.Columns) != 6 {
			t.Fatalf("json: %d rows, csv %d; columns %v", len(doc.Rows), len(recs)-1, doc.Columns)
		}
		for i, r := range doc.Rows {
			n := ""
			if r.Enquiries != nil {
				n = strconv.Itoa(*r.Enquiries)
			}
			if got := []string{strconv.Itoa(r.Year), r.AreaCode, r.Area, r.Theme, n, r.Status}; strings.Join(got, ",") != strings.Join(recs[i+1], ",") {
				t.Errorf("json row %v, csv %v", got, recs[i+1])
			}
		}
		if p := get(t, f, "POST", "/apne-data/henvendelser.csv"); p.status != 405 {
			t.Errorf("POST: %d", p.status)
		}
	})
}
