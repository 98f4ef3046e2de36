package csvio_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/fellesrom/fellesrom/internal/csvio"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
	"github.com/google/go-cmp/cmp"
)

// houseAndModels are a self-help house of the demo and its open-meeting and
// closed-group models.
func houseAndModels(t *testing.T, ref *csvio.Ref) (house domain.Organisation, open, closed domain.Model) {
	t.Helper()
	for _, o := range ref.Orgs {
		if o.Kind == domain.OrgSelfHelpHouse {
			house = o
			break
		}
	}
	for _, m := range ref.Models {
		switch {
		case m.DefaultJoin == domain.JoinJustCome && open.ID == "":
			open = m
		case m.Intake == domain.IntakeClosed && closed.ID == "":
			closed = m
		}
	}
	if house.ID == "" || open.ID == "" || closed.ID == "" {
		t.Fatal("the demo has no house, open model or closed model")
	}
	return house, open, closed
}

// An import is written in one transaction: when a row fails as it is
// written (here its slug was taken after the dry run), nothing is written
// and the error names the row.
func TestApplyAllOrNothing(t *testing.T) {
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			ctx := store.WithActor(context.Background(), store.Actor{ID: "system", Source: "test"})
			s, dsn := storetest.OpenDSN(t, e)
			db := storetest.DB(t, e, dsn)
			ref := demoRef(t, s, "")
			house, open, closed := houseAndModels(t, ref)
			data := "name;model;organisation;municipality;venue_name;street;weekday;time;external_id\n" +
				"Ny gruppe A;" + closed.Slug + ";" + house.Slug + ";0301;Helt nytt sted;Nygata 2;mandag;18:00;\n" +
				"Ny gruppe B;" + open.Slug + ";" + house.Slug + ";0301;;;tirsdag;19:00;\n" +
				"Ny gruppe C;" + closed.Slug + ";" + house.Slug + ";0301;;;onsdag;17:00;ny-gruppe-c\n"
			p := plan(t, "groups", data, ref)
			if p.Count(csvio.Create) != 3 || len(p.NewVenues) != 1 {
				t.Fatalf("plan: %d to create, %d new venues: %+v", p.Count(csvio.Create), len(p.NewVenues), p.Rows)
			}
			// After the dry run someone else takes the slug of line 4.
			other := domain.Group{Slug: "ny-gruppe-c", Name: domain.Text{"nb": "Annen gruppe"}, ModelID: closed.ID,
				OrgID: house.ID, Format: domain.FormatInPerson, Languages: []string{"nb"}, AgeGroup: domain.AgeAdults,
				Gender: domain.GenderEveryone, Status: domain.StatusPlanned, Join: domain.JoinViaHouse, MunicipalityID: "0301"}
			if err := s.SaveGroup(ctx, &other, "system", ""); err != nil {
				t.Fatal(err)
			}
			before := storetest.EveryRow(t, e, db)
			_, err := csvio.Apply(ctx, s, p, p.Fingerprint(), "system")
			var re *store.RowError
			if !errors.As(err, &re) || re.Line != 4 {
				t.Fatalf("apply: %v, want an error on line 4", err)
			}
			if diff := cmp.Diff(before, storetest.EveryRow(t, e, db)); diff != "" {
				t.Errorf("the failed import wrote (-before +after):\n%s", diff)
			}
			// The dry run made again finds the group of that slug by its
			// external id, and changes it.
			p = plan(t, "groups", data, loadRef(t, s, ""))
			res, err := csvio.Apply(ctx, s, p, p.Fingerprint(), "system")
			if err != nil || res.Created != 2 || res.Changed != 1 || res.Venues != 1 {
				t.Fatalf("second import: %+v %v", res, err)
			}
		})
	}
}

// The online columns: read, checked, written back; a closed group's link
// only for those who may edit it.
func TestOnlineColumns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := store.WithActor(context.Background(), store.Actor{ID: "system", Source: "test"})
		ref := demoRef(t, s, "")
		house, open, closed := houseAndModels(t, ref)
		row := func(name, model, format, join, url, phone, notes string) string {
			return strings.Join([]string{name, model, house.Slug, "0301", format, join, "torsdag", "19:00", url, phone, notes}, ";") + "\n"
		}
		data := "name;model;organisation;municipality;format;join;weekday;time;online_url;online_phone;online_notes\n" +
			row("Videomøte torsdag", open.Slug, "video", "just_come", "https://meet.example.org/j/42", "", "Passord: 1234") +
			row("Telefonmøte torsdag", open.Slug, "telefon", "just_come", "", "+47 21 00 00 00", "PIN 9876") +
			row("Lukket videogruppe", closed.Slug, "video", "via_house", "https://meet.example.org/j/secret", "", "") +
			row("Usikker lenke", open.Slug, "video", "just_come", "http://meet.example.org/j/1", "", "") +
			row("Uten lenke", open.Slug, "video", "just_come", "", "", "") +
			row("Feil nummer", open.Slug, "telefon", "just_come", "", "12 34", "")
		p := plan(t, "groups", data, ref)
		want := []struct {
			action  csvio.Action
			column  string
			message string
		}{
			{csvio.Create, "", ""}, {csvio.Create, "", ""}, {csvio.Create, "", ""},
			{csvio.Reject, "online_url", "csvio.err_online_url"},
			{csvio.Reject, "online_url", "csvio.err_online_needed"},
			{csvio.Reject, "online_phone", "csvio.err_online_phone"},
		}
		if len(p.Rows) != len(want) {
			t.Fatalf("%d rows", len(p.Rows))
		}
		for i, w := range want {
			r := p.Rows[i]
			if r.Action != w.action {
				t.Errorf("line %d: %s %v, want %s", r.Line, r.Action, r.Problems, w.action)
				continue
			}
			if w.column != "" && (len(r.Problems) != 1 || r.Problems[0].Column != w.column || r.Problems[0].Message != w.message) {
				t.Errorf("line %d: problems %+v, want %s %s", r.Line, r.Problems, w.column, w.message)
			}
		}
		if _, err := csvio.Apply(ctx, s, p, p.Fingerprint(), "system"); err != nil {
			t.Fatal(err)
		}

		// Exported to one who may edit the house: every link (a number
		// guarded against spreadsheet formulas); read back, nothing changes.
		ref = loadRef(t, s, "")
		var buf bytes.Buffer
		if err := csvio.WriteGroups(&buf, ref); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		for _, s := range []string{";https://meet.example.org/j/42;;Passord: 1234;", ";;'+4721000000;PIN 9876;", "https://meet.example.org/j/secret"} {
			if !strings.Contains(out, s) {
				t.Errorf("the export lacks %q", s)
			}
		}
		for _, r := range plan(t, "groups", out, ref).Rows {
			if r.Action != csvio.Same {
				t.Errorf("read back, line %d (%s): %s %v %v", r.Line, r.Name, r.Action, r.Changed, r.Problems)
			}
		}
		// Exported to one who may only see it: the closed group's link is left out.
		ref.Edit = map[string]bool{}
		buf.Reset()
		if err := csvio.WriteGroups(&buf, ref); err != nil {
			t.Fatal(err)
		}
		if out := buf.String(); strings.Contains(out, "j/secret") || !strings.Contains(out, "j/42") {
			t.Errorf("export to a viewer: secret link shown %v, open link shown %v", strings.Contains(out, "j/secret"), strings.Contains(out, "j/42"))
		}
	})
}
