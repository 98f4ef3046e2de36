package csvio_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/fellesrom/fellesrom/internal/csvio"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// BenchmarkPlanGroups plans a file of 5,000 new groups (the upload limit)
// against the demo set: the dry run's cost, without the database.
func BenchmarkPlanGroups(b *testing.B) {
	s := storetest.Open(b, store.SQLite)
	ref := demoRef(b, s, "")
	var buf bytes.Buffer
	buf.WriteString("name;model;municipality;weekday;time;length;frequency;themes;organisation\n")
	for i := range csvio.MaxRows {
		fmt.Fprintf(&buf, "Gruppe %d;%s;0301;tirsdag;18:00;90;annenhver uke;%s;%s\n", i, ref.Models[0].Slug, ref.Themes[0].Slug, ref.Orgs[0].Slug)
	}
	data := buf.String()
	b.ReportAllocs()
	for b.Loop() {
		tab, err := csvio.Decode(strings.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		if p := csvio.PlanGroups(tab, ref); p.Count(csvio.Create) != csvio.MaxRows {
			b.Fatalf("%d created", p.Count(csvio.Create))
		}
	}
}
