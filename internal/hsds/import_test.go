package hsds_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/hsds"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

const (
	exampleService = "ac148810-d857-441c-9679-408f346de14b"
	exampleOrg     = "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"
	exampleLoc     = "3a19ff88-4620-4d17-9830-ac1d859eb5d5"
	exampleSAL     = "e94c9f38-1e8f-4564-91d4-d53501ab1765"
	exampleStreet  = "1-30 Main Street"
)

func example(t *testing.T, file string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata/examples", file))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// modelOf returns a demo model whose groups' meeting places are public
// (open) or hidden (closed).
func modelOf(t *testing.T, st *store.Store, closed bool) string {
	t.Helper()
	models, err := st.Models(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range models {
		if (m.Intake == domain.IntakeClosed) == closed {
			return m.ID
		}
	}
	t.Fatalf("no demo model with closed=%v", closed)
	return ""
}

func importOpts(t *testing.T, st *store.Store, closed bool) hsds.ImportOptions {
	return hsds.ImportOptions{ModelID: modelOf(t, st, closed), MunicipalityID: "0301", By: "test"}
}

// listItem finds the object with id among the contents of a page.
func listItem(t *testing.T, body []byte, id string) []byte {
	t.Helper()
	p := decodePage(t, body)
	for _, c := range p.Contents {
		var o struct{ ID string }
		if json.Unmarshal(c, &o) == nil && o.ID == id {
			return c
		}
	}
	t.Fatalf("%s is not in the list", id)
	return nil
}

func sameJSON(t *testing.T, what string, want, got []byte) {
	t.Helper()
	if eq, err := hsds.EqualJSON(want, got); err != nil || !eq {
		t.Errorf("%s: exported is not the imported (%v)\nwant %s\ngot  %s", what, err, want, got)
	}
}

// TestImportExamples imports every official example that holds
// organizations, services or locations into the directory and reads it
// back through /hsds: the same document, valid against the schemas.
// Imported again, nothing is duplicated.
func TestImportExamples(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		ctx := context.Background()
		opt := importOpts(t, st, false)
		imp := func(kind, file string) store.HSDSImportResult {
			t.Helper()
			res, err := hsds.Import(ctx, st, kind, example(t, file), opt)
			if err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			return res
		}

		res := imp("service", "service_full.json")
		if res.Created != 3 { // the service, its organization, its location
			t.Errorf("service_full: %+v", res)
		}
		got := e.ok("/hsds/services/" + exampleService)
		sameJSON(t, "service_full", example(t, "service_full.json"), got)
		validate(t, "service", got)

		imp("service", "service_list.json")
		want := listItem(t, example(t, "service_list.json"), exampleService)
		got = listItem(t, e.ok("/hsds/services?per_page=1000"), exampleService)
		sameJSON(t, "service_list", want, got)
		validate(t, "service", got)

		imp("organization", "organization_full.json")
		got = e.ok("/hsds/organizations/" + exampleOrg + "?full_service=true")
		sameJSON(t, "organization_full", example(t, "organization_full.json"), got)
		validate(t, "organization", got)

		imp("organization", "organization_list.json")
		want = listItem(t, example(t, "organization_list.json"), exampleOrg)
		got = listItem(t, e.ok("/hsds/organizations?per_page=1000"), exampleOrg)
		sameJSON(t, "organization_list", want, got)
		validate(t, "organization", got)

		imp("location", "location.json")
		ex, err := st.HSDSExtras(ctx, "location", []string{exampleLoc})
		if err != nil {
			t.Fatal(err)
		}
		sameJSON(t, "location", example(t, "location.json"), ex[exampleLoc].Raw)
		v, err := st.Venue(ctx, exampleLoc)
		if err != nil || v.Street != exampleStreet || v.City != "MyCity" || v.HasCoordinates {
			// latitude 100 is not on the earth: kept in the original only
			t.Errorf("venue: %+v %v", v, err)
		}

		imp("service_at_location", "service_at_location_full.json")
		got = e.ok("/hsds/service_at_locations/" + exampleSAL)
		sameJSON(t, "service_at_location_full", example(t, "service_at_location_full.json"), got)
		validate(t, "service_at_location", got)

		imp("service_at_location", "service_at_location_list.json")
		want = listItem(t, example(t, "service_at_location_list.json"), exampleSAL)
		got = listItem(t, e.ok("/hsds/service_at_locations?per_page=1000"), exampleSAL)
		sameJSON(t, "service_at_location_list", want, got)
		validate(t, "service_at_location", got)

		// Imported again: updated in place, nothing new.
		before, _ := st.AllGroups(ctx)
		res = imp("service", "service_full.json")
		if res.Created != 0 {
			t.Errorf("again: %+v", res)
		}
		after, _ := st.AllGroups(ctx)
		if len(after) != len(before) {
			t.Errorf("again: %d groups, before %d", len(after), len(before))
		}
		sameJSON(t, "service_full again", example(t, "service_full.json"), e.ok("/hsds/services/"+exampleService))
		orgs, _ := st.Organisations(ctx)
		n := 0
		for _, o := range orgs {
			if o.Name == "Example Organization Inc." {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d organisations of the example", n)
		}
	})
}

// TestImportedThenChanged: a field changed in fellesrom since the import is
// written changed, the rest of the original kept.
func TestImportedThenChanged(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		ctx := context.Background()
		if _, err := hsds.Import(ctx, st, "service", example(t, "service_full.json"), importOpts(t, st, false)); err != nil {
			t.Fatal(err)
		}
		g, err := st.Group(ctx, exampleService)
		if err != nil {
			t.Fatal(err)
		}
		g.Name = domain.Text{"nb": "Samtalegruppa"}
		g.Status = domain.StatusPaused
		if err := st.SaveGroup(ctx, &g, "test", ""); err != nil {
			t.Fatal(err)
		}
		body := e.ok("/hsds/services/" + exampleService)
		validate(t, "service", body)
		var got, orig map[string]any
		_ = json.Unmarshal(body, &got)
		_ = json.Unmarshal(example(t, "service_full.json"), &orig)
		if got["name"] != "Samtalegruppa" || got["status"] != "temporarily closed" {
			t.Errorf("name %v, status %v", got["name"], got["status"])
		}
		if got["last_modified"] == orig["last_modified"] {
			t.Error("last_modified not changed")
		}
		for _, k := range []string{"interpretation_services", "description", "fees", "alternate_name", "program", "schedules", "service_at_locations"} {
			a, _ := json.Marshal(got[k])
			b, _ := json.Marshal(orig[k])
			if eq, _ := hsds.EqualJSON(a, b); !eq {
				t.Errorf("%s changed: %s", k, a)
			}
		}
	})
}

// TestImportClosedHidesPlace: a service imported as a closed group (whose
// meeting place is never public) is exported without the address its
// original had, wherever it appears.
func TestImportClosedHidesPlace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		ctx := context.Background()
		for kind, file := range map[string]string{"service": "service_full.json", "service_at_location": "service_at_location_full.json"} {
			if _, err := hsds.Import(ctx, st, kind, example(t, file), importOpts(t, st, true)); err != nil {
				t.Fatal(err)
			}
		}
		if g, err := st.Group(ctx, exampleService); err != nil || g.VenueID != exampleLoc {
			t.Fatalf("the group does not meet at the example's location: %+v %v", g, err)
		}
		for _, p := range []string{"/hsds/services/" + exampleService, "/hsds/services?per_page=1000",
			"/hsds/services?per_page=1000&full=true", "/hsds/organizations/" + exampleOrg + "?full_service=true",
			"/hsds/organizations?per_page=1000", "/hsds/export.json", "/hsds/service_at_locations/" + exampleSAL,
			"/hsds/service_at_locations?per_page=1000&full=true"} {
			body := e.ok(p)
			for _, s := range []string{exampleStreet, "ABC 1234", "Main Street Metro"} {
				if bytes.Contains(body, []byte(s)) {
					t.Errorf("GET %s shows %q", p, s)
				}
			}
		}
		validate(t, "service", e.ok("/hsds/services/"+exampleService))
		validate(t, "service_at_location", e.ok("/hsds/service_at_locations/"+exampleSAL))
	})
}

// TestImportBadChangesNothing: a document that cannot be read, or one of
// whose objects cannot be stored, changes nothing.
func TestImportBadChangesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		newEnv(t, st)
		ctx := context.Background()
		opt := importOpts(t, st, false)
		svc := func(id, status, loc string) string {
			return `{"id":"` + id + `","name":"Møte ` + id[:4] + `","organization_id":"` + exampleOrg + `","status":"` + status + `",
				"organization":{"id":"` + exampleOrg + `","name":"Eksempel"},"service_at_locations":[` + loc + `]}`
		}
		good := svc("11111111-1111-4111-8111-111111111111", "active", "")
		bad := map[string]string{
			"not JSON":       `{"contents":[`,
			"unknown status": `{"contents":[` + good + `,` + svc("22222222-2222-4222-8222-222222222222", "sleeping", "") + `]}`,
			// an open video group without an https link: refused by the store,
			// after the first service was written in the transaction
			"store refuses": `{"contents":[` + good + `,` + svc("33333333-3333-4333-8333-333333333333", "active",
				`{"id":"44444444-4444-4444-8444-444444444444","location":{"id":"55555555-5555-4555-8555-555555555555","location_type":"virtual","url":"http://x.example"}}`) + `]}`,
			"twice": `{"contents":[` + good + `,` + good + `]}`,
		}
		count := func() [4]int {
			gs, _ := st.AllGroups(ctx)
			os, _ := st.Organisations(ctx)
			n, _ := st.HSDSExtraCount(ctx, "service")
			v, _ := st.DirectoryVersion(ctx)
			return [4]int{len(gs), len(os), n, int(v)}
		}
		before := count()
		for name, doc := range bad {
			_, err := hsds.Import(ctx, st, "service", []byte(doc), opt)
			if err == nil {
				t.Errorf("%s: imported", name)
			}
			if after := count(); after != before {
				t.Errorf("%s: %v, before %v", name, after, before)
			}
		}
		if _, err := hsds.Import(ctx, st, "taxonomy", example(t, "taxonomy.json"), opt); !errors.Is(err, hsds.ErrDocument) {
			t.Errorf("taxonomy: %v", err)
		}
		if _, err := hsds.Import(ctx, st, "service", []byte(`{"contents":[`+good+`]}`), opt); err != nil {
			t.Fatal(err)
		}
		if after := count(); after[0] != before[0]+1 || after[1] != before[1]+1 || after[2] != before[2]+1 || after[3] != before[3]+1 {
			t.Errorf("good: %v, before %v (one more group, organisation, original; one version)", after, before)
		}
		if !strings.Contains(string(mustGroupName(t, st, "11111111-1111-4111-8111-111111111111")), "Møte") {
			t.Error("the good service was not imported")
		}
	})
}

func mustGroupName(t *testing.T, st *store.Store, id string) string {
	t.Helper()
	g, err := st.Group(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return g.Name.In("nb")
}

// TestImportVirtual: a service meeting at a virtual location becomes a
// video group with its link, and is exported as it was imported.
func TestImportVirtual(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		ctx := context.Background()
		const id = "66666666-6666-4666-8666-666666666666"
		doc := `{"id":"` + id + `","name":"Nettmøtet","organization_id":"` + exampleOrg + `","status":"active",
			"organization":{"id":"` + exampleOrg + `","name":"Eksempel","description":"Et eksempel."},
			"service_at_locations":[{"id":"77777777-7777-4777-8777-777777777777","location":{"id":"88888888-8888-4888-8888-888888888888",
			"location_type":"virtual","url":"https://meet.example.org/nettmotet","name":"Video"}}],
			"schedules":[{"id":"99999999-9999-4999-8999-999999999999","freq":"WEEKLY","byday":"TU","opens_at":"19:00","closes_at":"20:30","dtstart":"2026-01-06"}]}`
		if _, err := hsds.Import(ctx, st, "service", []byte(doc), importOpts(t, st, false)); err != nil {
			t.Fatal(err)
		}
		g, err := st.Group(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if g.Format != domain.FormatVideo || g.OnlineURL != "https://meet.example.org/nettmotet" ||
			g.Schedule.RRule != "FREQ=WEEKLY;BYDAY=TU" || g.Schedule.DurationMin != 90 {
			t.Errorf("group: %+v", g)
		}
		got := e.ok("/hsds/services/" + id)
		sameJSON(t, "virtual", []byte(doc), got)
		validate(t, "service", got)
	})
}

// TestImportFile is `fellesrom import hsds <file>`: the kind guessed from
// the document, the model and organisation named by slug or ID.
func TestImportFile(t *testing.T) {
	for file, kind := range exampleKinds {
		if strings.HasPrefix(kind, "taxonomy") {
			continue
		}
		if got := hsds.GuessKind(example(t, file)); got != kind {
			t.Errorf("%s: guessed %q, is %q", file, got, kind)
		}
	}
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		ctx := context.Background()
		models, _ := st.Models(ctx)
		var slug string
		for _, m := range models {
			if m.Intake != domain.IntakeClosed {
				slug = m.Slug
			}
		}
		var out bytes.Buffer
		fo := hsds.FileOptions{Model: slug, Municipality: "0301"}
		if err := hsds.ImportFile(ctx, st, "testdata/examples/service_full.json", fo, &out); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), "3 created, 0 updated, 0 unchanged") {
			t.Errorf("said %q", out.String())
		}
		sameJSON(t, "file", example(t, "service_full.json"), e.ok("/hsds/services/"+exampleService))
		out.Reset()
		if err := hsds.ImportFile(ctx, st, "testdata/examples/service_full.json", fo, &out); err != nil ||
			!strings.Contains(out.String(), "0 created, 0 updated, 3 unchanged") {
			t.Errorf("again: %q %v", out.String(), err)
		}
		fo.Model = "no-such-model"
		if err := hsds.ImportFile(ctx, st, "testdata/examples/service_full.json", fo, &out); err == nil {
			t.Error("an unknown model was accepted")
		}
	})
}
