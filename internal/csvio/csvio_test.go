package csvio_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/fellesrom/fellesrom/internal/csvio"
	"github.com/fellesrom/fellesrom/internal/demo"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
	"github.com/fellesrom/fellesrom/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// demoRef loads the demo set and returns the directory as seen by someone
// who may edit every organisation, with org (a slug) as the default.
func demoRef(t testing.TB, s *store.Store, org string) *csvio.Ref {
	t.Helper()
	ctx := context.Background()
	if _, err := demo.Load(ctx, s); err != nil {
		t.Fatal(err)
	}
	return loadRef(t, s, org)
}

func loadRef(t testing.TB, s *store.Store, org string) *csvio.Ref {
	t.Helper()
	ctx := context.Background()
	orgs, err := s.Organisations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	def := ""
	for _, o := range orgs {
		ids = append(ids, o.ID)
		if o.Slug == org {
			def = o.ID
		}
	}
	ref, err := csvio.Load(ctx, s, ids, def)
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

func plan(t *testing.T, kind, data string, ref *csvio.Ref) *csvio.Plan {
	t.Helper()
	tab, err := csvio.Decode(strings.NewReader(data))
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if kind == "venues" {
		return csvio.PlanVenues(tab, ref)
	}
	return csvio.PlanGroups(tab, ref)
}

// The export of every group and venue, read back, changes nothing.
func TestRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ref := demoRef(t, s, "")
		for _, kind := range []string{"groups", "venues"} {
			var buf bytes.Buffer
			var err error
			if kind == "groups" {
				err = csvio.WriteGroups(&buf, ref)
			} else {
				err = csvio.WriteVenues(&buf, ref)
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(buf.Bytes(), []byte("\ufeffexternal_id;name;")) {
				t.Fatalf("%s: export starts %q", kind, buf.String()[:40])
			}
			p := plan(t, kind, buf.String(), ref)
			want := len(ref.Groups)
			if kind == "venues" {
				want = 0
				for _, v := range ref.Venues {
					if v.OrgID != "" {
						want++
					}
				}
			}
			if len(p.Rows) != want || want == 0 {
				t.Fatalf("%s: %d rows read back, want %d", kind, len(p.Rows), want)
			}
			for _, r := range p.Rows {
				if r.Action != csvio.Same {
					t.Errorf("%s line %d (%s): %s %v %v", kind, r.Line, r.Name, r.Action, r.Changed, r.Problems)
				}
			}
			if len(p.Ignored) > 0 || len(p.Missing) > 0 {
				t.Errorf("%s: ignored %v missing %v", kind, p.Ignored, p.Missing)
			}
		}
	})
}

// A spreadsheet saved by Excel in Norway: a byte order mark, semicolons,
// CRLF, Norwegian headers and words, quoted fields with semicolons in them.
func TestSpreadsheetImport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := store.WithActor(context.Background(), store.Actor{ID: "system", Source: "test"})
		ref := demoRef(t, s, "")
		org := ref.Orgs[0]
		for _, o := range ref.Orgs {
			if o.Kind == domain.OrgSelfHelpHouse {
				org = o
				break
			}
		}
		theme, model := ref.Themes[0], ref.Models[0]
		data := "\ufeffNavn;Beskrivelse;Tema;Modell;Kommune;Sted;Adresse;Postnummer;Poststed;Trinnfri;Ukedag;Klokkeslett;Varighet;Hyppighet;Organisasjon\r\n" +
			"Sorggruppe tirsdag;\"For deg som har mistet; noen\";" + theme.Name["nb"] + ";" + model.Slug + ";Bodø;Nytt møtested;Storgata 1;8006;Bodø;ja;tirsdag;18.00;1,5 t;annenhver uke;" + org.Name + "\r\n" +
			"\r\n" +
			"Kvinnegruppe;;" + theme.Slug + ";" + model.Slug + ";1804;;;;;;torsdag;kl. 12;90;1. torsdag i måneden;" + org.Slug + "\r\n"
		p := plan(t, "groups", data, ref)
		if len(p.Rows) != 2 {
			t.Fatalf("%d rows", len(p.Rows))
		}
		for _, r := range p.Rows {
			if r.Action != csvio.Create {
				t.Fatalf("line %d: %s %v", r.Line, r.Action, r.Problems)
			}
		}
		if p.Rows[0].Line != 2 || p.Rows[1].Line != 4 {
			t.Errorf("lines %d, %d; want 2 and 4", p.Rows[0].Line, p.Rows[1].Line)
		}
		g := p.Rows[0].Group
		if g.Description["nb"] != "For deg som har mistet; noen" || g.Schedule.DurationMin != 90 ||
			g.Schedule.RRule != "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU" || g.Schedule.LocalStart().Format("15:04 Monday") != "18:00 Tuesday" {
			t.Errorf("group read as %+v", g)
		}
		if p.Rows[1].Group.Schedule.RRule != "FREQ=MONTHLY;BYDAY=1TH" {
			t.Errorf("monthly rule %q", p.Rows[1].Group.Schedule.RRule)
		}
		if p.Rows[0].NewVenue != "Nytt møtested" || len(p.NewVenues) != 1 {
			t.Errorf("new venue %q, %d", p.Rows[0].NewVenue, len(p.NewVenues))
		}
		res, err := csvio.Apply(ctx, s, p, p.Fingerprint(), "system")
		if err != nil {
			t.Fatal(err)
		}
		if res.Created != 2 || res.Venues != 1 {
			t.Errorf("result %+v", res)
		}
		// Imported again, nothing changes; the venue has its accessibility.
		ref2 := loadRef(t, s, "")
		p2 := plan(t, "groups", data, ref2)
		for _, r := range p2.Rows {
			if r.Action != csvio.Same {
				t.Errorf("second import, line %d: %s %v %v", r.Line, r.Action, r.Changed, r.Problems)
			}
		}
		var found bool
		for _, v := range ref2.Venues {
			if v.Name == "Nytt møtested" {
				found = v.StepFree && v.PostalCode == "8006" && v.MunicipalityID == "1804" && v.OrgID == org.ID
			}
		}
		if !found {
			t.Error("the new venue is not stored as read")
		}
		// A plan whose fingerprint differs is refused and writes nothing.
		if _, err := csvio.Apply(ctx, s, p, "stale", "system"); err != csvio.ErrPlanChanged {
			t.Errorf("stale plan: %v", err)
		}
	})
}

// Changes are found by external id and by name + municipality, and shown
// column by column.
func TestChangesAndMatching(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ref := demoRef(t, s, "")
		var buf bytes.Buffer
		if err := csvio.WriteGroups(&buf, ref); err != nil {
			t.Fatal(err)
		}
		tab, err := csvio.Decode(&buf)
		if err != nil {
			t.Fatal(err)
		}
		row := tab.Rows[0]
		col := func(name string) int { return slices.Index(tab.Header, name) }
		row.Fields[col("status")] = "paused"
		row.Fields[col("takes_new_members")] = "nei"
		p := csvio.PlanGroups(&csvio.Table{Header: tab.Header, Rows: []csvio.Record{row}}, ref)
		r := p.Rows[0]
		if r.Action != csvio.Change || !slices.Equal(r.Changed, []string{"status", "takes_new_members"}) {
			t.Fatalf("%s %v %v", r.Action, r.Changed, r.Problems)
		}
		if _, err := csvio.Apply(ctx, s, p, p.Fingerprint(), "system"); err != nil {
			t.Fatal(err)
		}
		g, err := s.Group(ctx, r.Key)
		if err != nil || g.Status != domain.StatusPaused || g.TakesNewMembers {
			t.Errorf("stored %v %v %v", g.Status, g.TakesNewMembers, err)
		}
		// Without the external id, the name and municipality find the group.
		row.Fields[col("external_id")] = ""
		row.Fields[col("status")] = "running"
		p = csvio.PlanGroups(&csvio.Table{Header: tab.Header, Rows: []csvio.Record{row}}, loadRef(t, s, ""))
		if r2 := p.Rows[0]; r2.Action != csvio.Change || r2.Key != r.Key || !slices.Equal(r2.Changed, []string{"status"}) {
			t.Errorf("by name: %s %s %v %v", r2.Action, r2.Key, r2.Changed, r2.Problems)
		}
	})
}

// Every kind of bad row is rejected with the column and the reason.
func TestBadRows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ref := demoRef(t, s, "")
		var house domain.Organisation
		for _, o := range ref.Orgs {
			if o.Kind == domain.OrgSelfHelpHouse {
				house = o
				break
			}
		}
		m := ref.Models[0].Slug
		head := "name,model,organisation,municipality,weekday,time,length,frequency,first_date,status,takes_new_members,themes,languages,format,join,venue_name,postal_code,external_id\n"
		rows := []struct {
			line, col, msg string
		}{
			{",M,O,0301,,,,,,,,,,,,,,", "name", "csvio.err_required"},
			{"A,,O,0301,,,,,,,,,,,,,,", "model", "csvio.err_required"},
			{"B,nomodel,O,0301,,,,,,,,,,,,,,", "model", "csvio.err_unknown_model"},
			{"C,M,no-such-org,0301,,,,,,,,,,,,,,", "organisation", "csvio.err_unknown_org"},
			{"D,M,O,Atlantis,,,,,,,,,,,,,,", "municipality", "csvio.err_unknown_municipality"},
			{"E,M,O,Herøy,,,,,,,,,,,,,,", "municipality", "csvio.err_ambiguous_municipality"},
			{"F,M,O,0301,blursday,18:00,,,,,,,,,,,,", "weekday", "csvio.err_weekday"},
			{"G,M,O,0301,monday,25:00,,,,,,,,,,,,", "time", "csvio.err_time"},
			{"H,M,O,0301,monday,18:00,forever,,,,,,,,,,,", "length", "csvio.err_length"},
			{"I,M,O,0301,monday,18:00,90,now and then,,,,,,,,,,", "frequency", "csvio.err_frequency"},
			{"J,M,O,0301,monday,18:00,90,weekly,31.02.2026,,,,,,,,,", "first_date", "csvio.err_date"},
			{"K,M,O,0301,,,,,,sleeping,,,,,,,,", "status", "csvio.err_value"},
			{"L,M,O,0301,,,,,,,maybe,,,,,,,", "takes_new_members", "csvio.err_bool"},
			{"N,M,O,0301,,,,,,,,no-such-theme,,,,,,", "themes", "csvio.err_unknown_theme"},
			{"P,M,O,0301,,,,,,,,,klingon,,,,,", "languages", "csvio.err_language"},
			{"Q,M,O,0301,,,,,,,,,,by pigeon,,,,", "format", "csvio.err_value"},
			{"R,M,O,0301,,,,,,,,,,,whenever,,,", "join", "csvio.err_value"},
			{"S,M,O,,,,,,,,,,,,,New place,,", "venue_name", "csvio.err_venue_needs_municipality"},
			{"T,M,O,0301,,,,,,,,,,,,New place,12345,", "postal_code", "csvio.err_postal_code"},
			{"U,M,O,0301,,,,,,,,,,,,,,00000000-0000-4000-8000-000000000000", "external_id", "csvio.err_no_such_id"},
			{"V,M,O,0301,monday,,,,,,,,,,,,,", "time", "csvio.err_required"},
			{"W,M,O,0301,,,,,,,,,,,,,,", "", ""},
			{"W,M,O,0301,,,,,,,,,,,,,,", "name", "csvio.err_duplicate"},
		}
		var b strings.Builder
		b.WriteString(head)
		for _, r := range rows {
			f := strings.Split(r.line, ",")
			if f[1] == "M" {
				f[1] = m
			}
			if f[2] == "O" {
				f[2] = house.Slug
			}
			b.WriteString(strings.Join(f, ",") + "\n")
		}
		p := plan(t, "groups", b.String(), ref)
		if len(p.Rows) != len(rows) {
			t.Fatalf("%d rows", len(p.Rows))
		}
		for i, want := range rows {
			got := p.Rows[i]
			if got.Line != i+2 {
				t.Errorf("row %d has line %d", i, got.Line)
			}
			if want.msg == "" {
				if got.Action != csvio.Create {
					t.Errorf("line %d: %s %v", got.Line, got.Action, got.Problems)
				}
				continue
			}
			if got.Action != csvio.Reject || len(got.Problems) == 0 || got.Problems[0].Column != want.col || got.Problems[0].Message != want.msg {
				t.Errorf("line %d (%s): %s %+v; want %s %s", got.Line, want.line, got.Action, got.Problems, want.col, want.msg)
			}
		}
		// Another organisation's groups and venues are out of reach.
		ref.Allowed = map[string]bool{house.ID: true}
		var other domain.Organisation
		for _, o := range ref.Orgs {
			if o.ID != house.ID {
				other = o
				break
			}
		}
		p = plan(t, "groups", "name,model,organisation,municipality\nX,"+m+","+other.Slug+",0301\n", ref)
		if r := p.Rows[0]; r.Action != csvio.Reject || r.Problems[0].Message != "csvio.err_org_not_allowed" {
			t.Errorf("other organisation: %s %+v", r.Action, r.Problems)
		}
		// A file without a name column says so.
		if p := plan(t, "venues", "navnet;kommune\nA;0301\n", ref); !slices.Equal(p.Missing, []string{"name"}) || !slices.Equal(p.Ignored, []string{"navnet"}) {
			t.Errorf("missing %v ignored %v", p.Missing, p.Ignored)
		}
		// Bad venues.
		vp := plan(t, "venues", "name;municipality;lat;lon;step_free\nA;;;;\nB;0301;91;10;\nC;0301;59.9;10.7;kanskje\n", ref)
		for i, want := range []string{"csvio.err_required", "csvio.err_coordinate", "csvio.err_bool"} {
			if r := vp.Rows[i]; r.Action != csvio.Reject || r.Problems[0].Message != want {
				t.Errorf("venue line %d: %s %+v, want %s", r.Line, r.Action, r.Problems, want)
			}
		}
	})
}

func TestDecodeFileErrors(t *testing.T) {
	for name, c := range map[string]struct {
		data string
		err  error
	}{
		"empty":   {"\ufeff \r\n", csvio.ErrEmpty},
		"latin1":  {"name\nBod\xf8\n", csvio.ErrEncoding},
		"quote":   {"name\n\"open\n", csvio.ErrSyntax},
		"too big": {"name\n" + strings.Repeat("x", csvio.MaxBytes), csvio.ErrTooBig},
		"rows":    {"name\n" + strings.Repeat("a\n", csvio.MaxRows+1), csvio.ErrTooMany},
	} {
		if _, err := csvio.Decode(strings.NewReader(c.data)); err != c.err {
			t.Errorf("%s: %v, want %v", name, err, c.err)
		}
	}
	tab, err := csvio.Decode(strings.NewReader("Name,Kommune\r\n\"Oslo, sentrum\",'=1+1\r\n"))
	if err != nil || !slices.Equal(tab.Header, []string{"name", "municipality"}) || !slices.Equal(tab.Rows[0].Fields, []string{"Oslo, sentrum", "=1+1"}) {
		t.Errorf("%v %+v", err, tab)
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{"name,model\nA,B\n", "\ufeffnavn;kommune\r\n\"a;b\";0301\r\n", "\"", "a\n\"b\"\"c\"\n", ";;;\n,,,\n", "x\r\r\n"} {
		f.Add([]byte(s))
	}
	ref := &csvio.Ref{Allowed: map[string]bool{}}
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, err := csvio.Decode(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, r := range tab.Rows {
			if r.Line < 2 {
				t.Fatalf("line %d", r.Line)
			}
		}
		// Planning against an empty directory never panics.
		csvio.PlanGroups(tab, ref)
		csvio.PlanVenues(tab, ref)
	})
}
