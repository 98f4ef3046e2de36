package hsds_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/fellesrom/fellesrom/internal/demo"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/finder"
	"github.com/fellesrom/fellesrom/internal/hsds"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
	"github.com/fellesrom/fellesrom/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

var (
	schemaOnce sync.Once
	schemas    map[string]*jsonschema.Schema
	schemaErr  error
)

// schema returns the official HSDS 3.0 JSON Schema of an object type
// (testdata/schema, copied from ../shared/standards/hsds-3.0), compiled as
// draft 2020-12 with formats asserted (uuid, email, uri, date-time).
func schema(t testing.TB, name string) *jsonschema.Schema {
	t.Helper()
	schemaOnce.Do(func() {
		c := jsonschema.NewCompiler()
		c.DefaultDraft(jsonschema.Draft2020)
		c.AssertFormat()
		schemas = map[string]*jsonschema.Schema{}
		for _, n := range []string{"service", "organization", "location", "service_at_location", "taxonomy",
			"taxonomy_term", "schedule", "language", "attribute", "contact", "phone", "address", "accessibility"} {
			s, err := c.Compile("testdata/schema/" + n + ".json")
			if err != nil {
				schemaErr = err
				return
			}
			schemas[n] = s
		}
	})
	if schemaErr != nil {
		t.Fatal(schemaErr)
	}
	s, ok := schemas[name]
	if !ok {
		t.Fatalf("no schema %q", name)
	}
	return s
}

// validate checks one JSON object against the schema of its type.
func validate(t testing.TB, name string, raw []byte) {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if err := schema(t, name).Validate(doc); err != nil {
		t.Errorf("%s does not validate: %v\n%s", name, err, raw)
	}
}

type env struct {
	t         *testing.T
	st        *store.Store
	h         http.Handler
	forbidden []string // what must never appear: hidden streets and coordinates
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (e *env) get(path string, header ...string) response {
	e.t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	body := rec.Body.Bytes()
	for _, f := range e.forbidden {
		if bytes.Contains(body, []byte(f)) {
			e.t.Errorf("GET %s: a hidden meeting place appears (%q)", path, f)
		}
	}
	return response{rec.Code, rec.Header(), body}
}

func (e *env) ok(path string) []byte {
	e.t.Helper()
	r := e.get(path)
	if r.status != http.StatusOK {
		e.t.Fatalf("GET %s: %d %s", path, r.status, r.body)
	}
	return r.body
}

type page struct {
	TotalItems int               `json:"total_items"`
	TotalPages int               `json:"total_pages"`
	PageNumber int               `json:"page_number"`
	Size       int               `json:"size"`
	FirstPage  bool              `json:"first_page"`
	LastPage   bool              `json:"last_page"`
	Empty      bool              `json:"empty"`
	Contents   []json.RawMessage `json:"contents"`
}

// walk reads every page of a list, checks the paging fields and validates
// each item; it returns the items' IDs in order.
func (e *env) walk(path, schemaName string, perPage int) []string {
	e.t.Helper()
	var ids []string
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	for n := 1; ; n++ {
		var p page
		if err := json.Unmarshal(e.ok(fmt.Sprintf("%s%spage=%d&per_page=%d", path, sep, n, perPage)), &p); err != nil {
			e.t.Fatal(err)
		}
		wantPages := (p.TotalItems + perPage - 1) / perPage
		if p.PageNumber != n || p.TotalPages != wantPages || p.Size != len(p.Contents) || p.FirstPage != (n == 1) ||
			p.LastPage != (n >= wantPages) || p.Empty != (p.TotalItems == 0) {
			e.t.Errorf("%s page %d: paging fields %+v (items %d)", path, n, p, len(p.Contents))
		}
		for _, c := range p.Contents {
			validate(e.t, schemaName, c)
			var it struct{ ID string }
			_ = json.Unmarshal(c, &it)
			ids = append(ids, it.ID)
		}
		if p.LastPage || n > 10000 {
			if len(ids) != p.TotalItems {
				e.t.Errorf("%s: %d items over the pages for a total of %d", path, len(ids), p.TotalItems)
			}
			return ids
		}
	}
}

func newEnv(t *testing.T, st *store.Store) *env {
	t.Helper()
	if _, err := demo.Load(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	addSecretGroup(t, st)
	e := &env{t: t, st: st, h: hsds.New(hsds.Deps{Store: st, Finder: finder.New(st)})}
	e.forbidden = hiddenPlaces(t, st)
	for _, s := range []string{secretStreet, coord(secretLat), coord(secretLon)} {
		if !slices.Contains(e.forbidden, s) {
			t.Fatalf("%q is not among the hidden places", s)
		}
	}
	if len(e.forbidden) == 0 {
		t.Fatal("the demo data have no hidden meeting place to look for")
	}
	return e
}

// The meeting place of a closed group added to the demo set: a venue of
// its own, whose address is marked public, so only the group's model
// hides it.
const (
	secretStreet = "Hemmeligveien 7"
	secretLat    = 63.123457
	secretLon    = 10.987653
)

func addSecretGroup(t *testing.T, st *store.Store) {
	t.Helper()
	ctx := context.Background()
	groups, _ := st.AllGroups(ctx)
	models, _ := st.Models(ctx)
	closed := map[string]bool{}
	for _, m := range models {
		closed[m.ID] = m.Intake == domain.IntakeClosed
	}
	for _, g := range groups {
		if !closed[g.ModelID] || g.Status != domain.StatusRecruiting || g.Format != domain.FormatInPerson {
			continue
		}
		v := domain.Venue{OrgID: g.OrgID, Name: "Bakrommet", Street: secretStreet, PostalCode: "7010", City: "Trondheim",
			MunicipalityID: "5001", Lat: secretLat, Lon: secretLon, HasCoordinates: true, AddressPublic: true}
		if err := st.SaveVenue(ctx, &v); err != nil {
			t.Fatal(err)
		}
		g.ID, g.Slug, g.VenueID, g.RoomID, g.MunicipalityID = "", g.Slug+"-bakrommet", v.ID, "", "5001"
		if err := st.SaveGroup(ctx, &g, "test", ""); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Fatal("no recruiting closed in-person demo group")
}

// hiddenPlaces are the streets and coordinates of venues where only groups
// whose meeting place is hidden meet (and which no public venue shares).
func hiddenPlaces(t *testing.T, st *store.Store) []string {
	t.Helper()
	ctx := context.Background()
	groups, err := st.AllGroups(ctx)
	if err != nil {
		t.Fatal(err)
	}
	models, _ := st.Models(ctx)
	venues, _ := st.Venues(ctx)
	orgs, _ := st.Organisations(ctx)
	model, venue := map[string]domain.Model{}, map[string]domain.Venue{}
	for _, m := range models {
		model[m.ID] = m
	}
	for _, v := range venues {
		venue[v.ID] = v
	}
	shown, used := map[string]bool{}, map[string]bool{}
	for _, g := range groups {
		if v, ok := venue[g.VenueID]; ok {
			used[v.ID] = true
			if domain.AddressVisible(g, model[g.ModelID], v) {
				shown[v.ID] = true
			}
		}
	}
	for _, o := range orgs {
		if v, ok := venue[o.VenueID]; ok && v.AddressPublic {
			shown[v.ID] = true
		}
	}
	said := map[string]bool{}
	for id := range shown {
		v := venue[id]
		said[v.Street], said[coord(v.Lat)], said[coord(v.Lon)] = true, true, true
	}
	var out []string
	for id := range used {
		v := venue[id]
		if shown[id] {
			continue
		}
		for _, s := range []string{v.Street, coord(v.Lat), coord(v.Lon)} {
			if s != "" && s != "0" && !said[s] {
				out = append(out, s)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func coord(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

func TestAPIValidatesAndHidesAddresses(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		var root map[string]string
		if err := json.Unmarshal(e.ok("/hsds/"), &root); err != nil || root["version"] != "3.0" || root["profile"] == "" {
			t.Errorf("GET /hsds/: %v %v", root, err)
		}

		ids := e.walk("/hsds/services?full=true", "service", 100)
		if len(ids) < 150 || len(slices.Compact(slices.Sorted(slices.Values(ids)))) != len(ids) {
			t.Fatalf("services: %d, or repeated", len(ids))
		}
		if flat := e.walk("/hsds/services", "service", 30); !slices.Equal(flat, ids) {
			t.Error("the flat and full lists differ")
		}
		for _, id := range ids {
			validate(t, "service", e.ok("/hsds/services/"+id))
		}
		sals := e.walk("/hsds/service_at_locations?full=true", "service_at_location", 100)
		if len(sals) != len(ids) {
			t.Errorf("%d service_at_locations for %d services", len(sals), len(ids))
		}
		for _, id := range sals {
			validate(t, "service_at_location", e.ok("/hsds/service_at_locations/"+id))
		}
		for _, id := range e.walk("/hsds/organizations", "organization", 10) {
			body := e.ok("/hsds/organizations/" + id + "?full_service=true")
			validate(t, "organization", body)
			var o struct{ Services []json.RawMessage }
			_ = json.Unmarshal(body, &o)
			for _, s := range o.Services {
				validate(t, "service", s)
			}
		}
		for _, id := range e.walk("/hsds/taxonomies", "taxonomy", 10) {
			validate(t, "taxonomy", e.ok("/hsds/taxonomies/"+id))
		}
		terms := e.walk("/hsds/taxonomy_terms", "taxonomy_term", 5)
		if len(terms) < 5 {
			t.Errorf("%d taxonomy terms", len(terms))
		}
		for _, id := range terms {
			validate(t, "taxonomy_term", e.ok("/hsds/taxonomy_terms/"+id))
		}
		for _, p := range []string{"/hsds/services/00000000-0000-4000-8000-000000000000", "/hsds/services/x",
			"/hsds/organizations/x", "/hsds/service_at_locations/00000000-0000-4000-8000-000000000000",
			"/hsds/taxonomy_terms/x", "/hsds/taxonomies/x", "/hsds/nothing"} {
			if r := e.get(p); r.status != http.StatusNotFound {
				t.Errorf("GET %s: %d", p, r.status)
			}
		}
	})
}

// TestClosedGroup follows one closed demo group meeting at a venue: its
// street, coordinates and venue appear nowhere in what is said of it.
func TestClosedGroup(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		ctx := context.Background()
		groups, _ := st.AllGroups(ctx)
		models, _ := st.Models(ctx)
		closed := map[string]bool{}
		for _, m := range models {
			closed[m.ID] = m.Intake == domain.IntakeClosed
		}
		hidden := map[string]bool{}
		for _, f := range e.forbidden {
			hidden[f] = true
		}
		n, strict := 0, 0
		for _, g := range groups {
			if !closed[g.ModelID] || g.VenueID == "" || g.Status == domain.StatusEnded {
				continue
			}
			v, err := st.Venue(ctx, g.VenueID)
			if err != nil || v.Street == "" {
				continue
			}
			n++
			body := e.ok("/hsds/services/" + g.ID)
			var svc hsds.Service
			_ = json.Unmarshal(body, &svc)
			// Its own location names the municipality only.
			if len(svc.ServiceAtLocations) != 1 || svc.ServiceAtLocations[0].Location == nil {
				t.Fatalf("closed group %s: service_at_locations %+v", g.Slug, svc.ServiceAtLocations)
			}
			loc := svc.ServiceAtLocations[0].Location
			if loc.ID == v.ID || len(loc.Addresses) > 0 || loc.Latitude != nil || loc.Longitude != nil {
				t.Errorf("closed group %s: location %+v", g.Slug, loc)
			}
			sal := e.ok("/hsds/service_at_locations/" + svc.ServiceAtLocations[0].ID)
			if !hidden[v.Street] {
				continue // the house's own public address: said on its page anyway
			}
			strict++
			for _, b := range [][]byte{body, sal} {
				for _, s := range []string{v.Street, v.ID, coord(v.Lat), coord(v.Lon)} {
					if bytes.Contains(b, []byte(s)) {
						t.Errorf("closed group %s: %q in what is said of it", g.Slug, s)
					}
				}
			}
		}
		if strict == 0 || n < 5 {
			t.Errorf("closed groups at a venue: %d, at a hidden one: %d", n, strict)
		}
		if n == 0 {
			t.Fatal("no closed demo group with a venue")
		}
	})
}

func TestExports(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		var all map[string][]json.RawMessage
		var top map[string]json.RawMessage
		if err := json.Unmarshal(e.ok("/hsds/export.json"), &top); err != nil {
			t.Fatal(err)
		}
		if string(top["version"]) != `"3.0"` {
			t.Errorf("export.json: version %s", top["version"])
		}
		delete(top, "version")
		b, _ := json.Marshal(top)
		if err := json.Unmarshal(b, &all); err != nil {
			t.Fatal(err)
		}
		for key, name := range map[string]string{"services": "service", "organizations": "organization",
			"taxonomies": "taxonomy", "taxonomy_terms": "taxonomy_term"} {
			if len(all[key]) == 0 {
				t.Errorf("export.json: no %s", key)
			}
			for _, raw := range all[key] {
				validate(t, name, raw)
			}
		}
		ids := e.walk("/hsds/services", "service", 1000)
		if len(all["services"]) != len(ids) {
			t.Errorf("export.json: %d services, the API %d", len(all["services"]), len(ids))
		}

		r := e.get("/hsds/export.zip")
		if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/zip" {
			t.Fatalf("export.zip: %d %s", r.status, r.header.Get("Content-Type"))
		}
		zr, err := zip.NewReader(bytes.NewReader(r.body), int64(len(r.body)))
		if err != nil {
			t.Fatal(err)
		}
		files := map[string][][]string{}
		var pkg struct {
			Profile   string
			Resources []struct {
				Name, Path string
				Schema     struct{ Fields []struct{ Name, Type string } }
			}
		}
		for _, f := range zr.File {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(rc)
			rc.Close()
			for _, s := range e.forbidden {
				if bytes.Contains(b, []byte(s)) {
					t.Errorf("export.zip %s: a hidden meeting place appears (%q)", f.Name, s)
				}
			}
			if f.Name == "datapackage.json" {
				if err := json.Unmarshal(b, &pkg); err != nil {
					t.Fatal(err)
				}
				continue
			}
			rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
			if err != nil {
				t.Fatalf("%s: %v", f.Name, err)
			}
			files[f.Name] = rows
		}
		if pkg.Profile != "tabular-data-package" || len(pkg.Resources) != len(files) {
			t.Fatalf("datapackage.json: %+v for %d files", pkg, len(files))
		}
		for _, res := range pkg.Resources {
			rows, ok := files[res.Path]
			if !ok {
				t.Errorf("datapackage.json names %s, not in the archive", res.Path)
				continue
			}
			var cols []string
			for _, f := range res.Schema.Fields {
				cols = append(cols, f.Name)
			}
			if !slices.Equal(rows[0], cols) {
				t.Errorf("%s: header %v, datapackage %v", res.Path, rows[0], cols)
			}
			// The standard's example CSVs have the same columns.
			if want := exampleHeader(t, res.Path); !slices.Equal(rows[0], want) {
				t.Errorf("%s: header %v, the example %v", res.Path, rows[0], want)
			}
		}
		if got := len(files["services.csv"]) - 1; got != len(ids) {
			t.Errorf("services.csv: %d rows for %d services", got, len(ids))
		}
		if got := len(files["service_at_location.csv"]) - 1; got != len(ids) {
			t.Errorf("service_at_location.csv: %d rows for %d services", got, len(ids))
		}
		if len(files["schedules.csv"]) < 100 || len(files["locations.csv"]) < 10 || len(files["attributes.csv"]) < len(ids) {
			t.Errorf("rows: schedules %d, locations %d, attributes %d", len(files["schedules.csv"]),
				len(files["locations.csv"]), len(files["attributes.csv"]))
		}
	})
}

func exampleHeader(t *testing.T, path string) []string {
	t.Helper()
	b := exampleCSV[path]
	if b == "" {
		t.Fatalf("no example header for %s", path)
	}
	return strings.Split(b, ",")
}

// The first lines of the standard's examples/csv files.
var exampleCSV = map[string]string{
	"organizations.csv":       "id,name,alternate_name,description,email,website,tax_status,tax_id,year_incorporated,legal_status,logo,uri,parent_organization_id",
	"services.csv":            "id,organization_id,program_id,name,alternate_name,description,url,email,status,interpretation_services,application_process,fees_description,wait_time,fees,accreditations,eligibility_description,minimum_age,maximum_age,assured_date,assurer_email,licenses,alert,last_modified",
	"locations.csv":           "id,location_type,url,organization_id,name,alternate_name,description,transportation,latitude,longitude,external_identifier,external_identifier_type",
	"addresses.csv":           "id,location_id,attention,address_1,address_2,city,region,state_province,postal_code,country,address_type",
	"service_at_location.csv": "id,service_id,location_id,description",
	"schedules.csv":           "id,service_id,location_id,service_at_location_id,valid_from,valid_to,dtstart,timezone,until,count,wkst,freq,interval,byday,byweekno,bymonthday,byyearday,description,opens_at,closes_at,schedule_link,attending_type,notes",
	"languages.csv":           "id,service_id,location_id,phone_id,name,code,note",
	"phones.csv":              "id,location_id,service_id,organization_id,contact_id,service_at_location_id,number,extension,type,description",
	"contacts.csv":            "id,organization_id,service_id,service_at_location_id,location_id,name,title,department,email",
	"taxonomies.csv":          "id,name,description,uri,version",
	"taxonomy_terms.csv":      "id,code,name,description,parent_id,taxonomy,language,taxonomy_id,term_uri",
	"attributes.csv":          "id,link_id,taxonomy_term_id,link_type,link_entity,value",
	"accessibility.csv":       "id,location_id,description,details,url",
}

func decodePage(t *testing.T, b []byte) page {
	t.Helper()
	var p page
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFiltersPagingAndETag(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		ctx := context.Background()
		all := decodePage(t, e.ok("/hsds/services?per_page=1000&full=true"))
		var svcs []hsds.Service
		for _, c := range all.Contents {
			var s hsds.Service
			_ = json.Unmarshal(c, &s)
			svcs = append(svcs, s)
		}

		// Paging: small pages give the same services in the same order.
		if got := e.walk("/hsds/services", "service", 7); len(got) != len(svcs) || got[0] != svcs[0].ID {
			t.Errorf("pages of 7: %d services", len(got))
		}
		beyond := decodePage(t, e.ok(fmt.Sprintf("/hsds/services?per_page=10&page=%d", all.TotalItems/10+5)))
		if beyond.Size != 0 || len(beyond.Contents) != 0 || beyond.TotalItems != all.TotalItems || beyond.Empty {
			t.Errorf("a page beyond the end: %+v", beyond)
		}
		for _, q := range []string{"per_page=0", "per_page=1001", "per_page=x", "page=0", "page=-1",
			"modified_after=yesterday", "full=maybe", "search=" + strings.Repeat("a", 201)} {
			if r := e.get("/hsds/services?" + q); r.status != http.StatusBadRequest {
				t.Errorf("?%s: %d", q, r.status)
			}
		}

		// taxonomy_term_id: exactly the services with that theme.
		term := svcs[0].Attributes[0].TaxonomyTermID
		want := 0
		for _, s := range svcs {
			if slices.ContainsFunc(s.Attributes, func(a hsds.Attribute) bool { return a.TaxonomyTermID == term }) {
				want++
			}
		}
		p := decodePage(t, e.ok("/hsds/services?per_page=1000&full=true&taxonomy_term_id="+term))
		if p.TotalItems != want || want == 0 {
			t.Errorf("taxonomy_term_id: %d, want %d", p.TotalItems, want)
		}
		for _, c := range p.Contents {
			var s hsds.Service
			_ = json.Unmarshal(c, &s)
			if !slices.ContainsFunc(s.Attributes, func(a hsds.Attribute) bool { return a.TaxonomyTermID == term }) {
				t.Errorf("taxonomy_term_id: %s has not the term", s.ID)
			}
		}
		for _, q := range []string{"taxonomy_term_id=00000000-0000-4000-8000-000000000000", "taxonomy_id=x",
			"organization_id=x", "modified_after=2999-01-01"} {
			if p := decodePage(t, e.ok("/hsds/services?"+q)); p.TotalItems != 0 || !p.Empty {
				t.Errorf("?%s: %d services", q, p.TotalItems)
			}
		}
		if p := decodePage(t, e.ok("/hsds/services?taxonomy_id="+hsds.TaxonomyID)); p.TotalItems != all.TotalItems {
			t.Errorf("taxonomy_id of the themes: %d", p.TotalItems)
		}

		// organization_id: exactly that organisation's services.
		org := svcs[0].OrganizationID
		want = 0
		for _, s := range svcs {
			if s.OrganizationID == org {
				want++
			}
		}
		p = decodePage(t, e.ok("/hsds/services?per_page=2&organization_id="+org))
		if p.TotalItems != want || p.TotalPages != (want+1)/2 {
			t.Errorf("organization_id: %d (%d pages), want %d", p.TotalItems, p.TotalPages, want)
		}

		// search: the words of a service's name find it.
		name := svcs[3].Name
		p = decodePage(t, e.ok("/hsds/services?per_page=1000&search="+strings.ReplaceAll(name, " ", "+")))
		if p.TotalItems == 0 || p.TotalItems >= all.TotalItems ||
			!slices.ContainsFunc(p.Contents, func(c json.RawMessage) bool { return strings.Contains(string(c), svcs[3].ID) }) {
			t.Errorf("search %q: %d of %d", name, p.TotalItems, all.TotalItems)
		}

		// ETag: 304 for the same version; a change to the directory
		// gives a new one.
		r := e.get("/hsds/services?per_page=5")
		etag := r.header.Get("ETag")
		if etag == "" {
			t.Fatal("no ETag")
		}
		if r2 := e.get("/hsds/services?per_page=5", "If-None-Match", etag); r2.status != http.StatusNotModified || len(r2.body) != 0 {
			t.Errorf("If-None-Match: %d", r2.status)
		}
		if r2 := e.get("/hsds/services?per_page=6", "If-None-Match", etag); r2.status != http.StatusOK {
			t.Errorf("another URL with the same ETag: %d", r2.status)
		}
		before := decodePage(t, e.ok("/hsds/services?per_page=1000&modified_after="+svcs[0].LastModified))
		g, err := st.Group(ctx, svcs[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		g.Name["nb"] += " endret"
		if err := st.SaveGroup(ctx, &g, "test", ""); err != nil {
			t.Fatal(err)
		}
		r3 := e.get("/hsds/services?per_page=5", "If-None-Match", etag)
		if r3.status != http.StatusOK || r3.header.Get("ETag") == etag {
			t.Errorf("after a change: %d, ETag %s", r3.status, r3.header.Get("ETag"))
		}
		var after hsds.Service
		_ = json.Unmarshal(e.ok("/hsds/services/"+g.ID), &after)
		if !strings.HasSuffix(after.Name, " endret") {
			t.Errorf("after a change: name %q", after.Name)
		}
		// modified_after: the changed group is among those changed since.
		p = decodePage(t, e.ok("/hsds/services?per_page=1000&modified_after="+after.LastModified))
		if p.TotalItems < 1 || p.TotalItems > before.TotalItems ||
			!slices.ContainsFunc(p.Contents, func(c json.RawMessage) bool { return strings.Contains(string(c), g.ID) }) {
			t.Errorf("modified_after %s: %d", after.LastModified, p.TotalItems)
		}
	})
}
