package web_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"html"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/fellesrom/fellesrom/internal/browsertest"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

func init() { matrixAreas = append(matrixAreas, csvProbes) }

// csvProbes are the role matrix's requests of CSV import and export: the
// page and the exports for those who see listings (only the groups and
// venues of the organisations they see), the dry run and the import for
// those who edit them. The dry run is sent here without a file (400, the
// form again) and the import with a fingerprint that cannot match (409, the
// plan again): neither changes anything; TestOfficeCSV imports for real.
func csvProbes(t *testing.T, f *officeFixture, x *matrixExtras, who string) []officeProbe {
	rights := officeRights[who]
	anyView, anyEdit := len(rights.view) > 0, len(rights.edit) > 0
	shows := func(kind string) func(t *testing.T, body string) {
		return func(t *testing.T, body string) {
			for _, k := range officeOrgKeys {
				name := f.groups[k].Name["nb"]
				if kind == "venues" {
					name = f.venues[k].Name
				}
				if got := strings.Contains(body, ";"+name+";"); got != slices.Contains(rights.view, k) {
					t.Errorf("%s: the %s export shows %s: %v", who, kind, k, got)
				}
			}
		}
	}
	data := "name;municipality\nNytt sted;5501\n"
	return []officeProbe{
		{name: "csv page", method: "GET", path: "/kontor/csv", allow: anyView},
		{name: "groups as CSV", method: "GET", path: "/kontor/csv/grupper.csv", allow: anyView, check: shows("groups")},
		{name: "venues as CSV", method: "GET", path: "/kontor/csv/steder.csv", allow: anyView, check: shows("venues")},
		{name: "csv dry run without a file", method: "POST", path: "/kontor/csv/provekjoring", allow: anyEdit, want: 400, same: true,
			form: func() url.Values { return url.Values{"kind": {"venues"}} }},
		{name: "csv import of another plan", method: "POST", path: "/kontor/csv/importer", allow: anyEdit, want: 409, same: true,
			form: func() url.Values {
				return url.Values{"kind": {"venues"}, "organisation": {f.orgs["house1"].ID},
					"data": {b64(data)}, "fingerprint": {"0000"}}
			}},
	}
}

func b64(s string) string {
	return base64.StdEncoding.EncodeToString([]byte(s))
}

// upload sends a file to the dry run as a browser does.
func upload(t *testing.T, c *client, kind, org, name string, data []byte) resp {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("kind", kind)
	mw.WriteField("organisation", org)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", c.base+"/kontor/csv/provekjoring", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

var reHidden = regexp.MustCompile(`<input type="hidden" name="([a-z]+)" value="([^"]*)">`)

// confirmForm is the hidden form of a dry run's page.
func confirmForm(body string) url.Values {
	v := url.Values{}
	for _, m := range reHidden.FindAllStringSubmatch(body, -1) {
		v.Set(m[1], html.UnescapeString(m[2]))
	}
	return v
}

// TestOfficeCSV exports the groups of house1 as its coordinator, reads the
// file back (nothing to do), changes a cell in a spreadsheet's way and
// imports it; a plan that changed between the dry run and the import is
// refused; a file that is not CSV, too big or empty gets its error next to
// the field. Both engines.
func TestOfficeCSV(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newOfficeFixture(t, st)
		c := f.signIn(t, "coordHouse")
		house := f.orgs["house1"].ID
		exp := c.get("/kontor/csv/grupper.csv")
		if exp.status != 200 || exp.header.Get("Content-Type") != "text/csv; charset=utf-8" || !strings.HasPrefix(exp.body, "\ufeffexternal_id;") {
			t.Fatalf("export: %d %q %q", exp.status, exp.header.Get("Content-Type"), exp.body[:min(40, len(exp.body))])
		}
		r := upload(t, c, "groups", house, "grupper.csv", []byte(exp.body))
		if r.status != 200 || !strings.Contains(r.body, "Grupper: 0 opprettes, 0 endres, 1 er uendret og 0 avvises.") {
			t.Fatalf("round trip: %d %s", r.status, errorSummary(r.body)+r.body[strings.Index(r.body, "<main"):])
		}
		if strings.Contains(r.body, `action="/kontor/csv/importer"`) {
			t.Error("nothing to import, yet an import button")
		}
		// Excel's way: CRLF, a status in Norwegian, one bad row.
		edited := strings.ReplaceAll(exp.body, "\r\n", "\n")
		edited = strings.Replace(edited, ";recruiting;", ";pause;", 1)
		edited = strings.ReplaceAll(edited, "\n", "\r\n") + "Ny gruppe;;;;;;sorgmodell\r\n"
		r = upload(t, c, "groups", house, "grupper.csv", []byte(edited))
		if r.status != 200 || !strings.Contains(r.body, "Grupper: 0 opprettes, 1 endres, 0 er uendret og 1 avvises.") ||
			!strings.Contains(r.body, "<code>status</code>") || !strings.Contains(r.body, "Fant ingen gruppemodell «sorgmodell».") {
			t.Fatalf("edited: %d %s", r.status, r.body[strings.Index(r.body, "<main"):])
		}
		form := confirmForm(r.body)
		// Someone changes the group in between: the import refuses the old plan.
		g := f.groups["house1"]
		g.TakesNewMembers = false
		if err := st.SaveGroup(context.Background(), &g, "test", ""); err != nil {
			t.Fatal(err)
		}
		if r2 := c.post("/kontor/csv/importer", form); r2.status != 409 || !strings.Contains(r2.body, "Noe er endret siden prøvekjøringen") {
			t.Fatalf("stale plan: %d", r2.status)
		} else {
			form = confirmForm(r2.body)
		}
		r = c.post("/kontor/csv/importer", form)
		if r.status != 303 || r.location() != "/kontor/csv?endret=1&opprettet=0&steder=0" {
			t.Fatalf("import: %d %q", r.status, r.location())
		}
		if got, _ := st.Group(context.Background(), g.ID); got.Status != domain.StatusPaused || got.RoomID != g.RoomID || got.Capacity != 8 {
			t.Errorf("after the import: %+v", got)
		}
		if p := c.get(r.location()); !strings.Contains(p.body, "Importert: 0 opprettet, 1 endret, 0 nye steder.") {
			t.Error("no confirmation after the import")
		}
		log, err := st.AuditLog(context.Background(), store.AuditFilter{Limit: 1})
		if err != nil || len(log) != 1 || log[0].ObjectID != g.ID || log[0].ActorID != f.users["coordHouse"].ID {
			t.Errorf("audit: %+v %v", log, err)
		}
		// Files that cannot be read.
		for name, c2 := range map[string]struct {
			data []byte
			want string
		}{
			"latin1": {[]byte("name\nBod\xf8\n"), "Fila er ikke UTF-8."},
			"empty":  {[]byte("\ufeff"), "Fila er tom."},
			"big":    {bytes.Repeat([]byte("x"), 3<<20), "Fila er større enn 2 MB."},
		} {
			r := upload(t, c, "venues", house, "x.csv", c2.data)
			if r.status != 400 || !strings.Contains(r.body, c2.want) || !strings.Contains(r.body, `id="file-error"`) {
				t.Errorf("%s: %d %s", name, r.status, errorSummary(r.body))
			}
		}
		// A hidden address goes only to those who may edit the venue.
		v := f.venues["house1"]
		v.AddressPublic = false
		if err := st.SaveVenue(context.Background(), &v); err != nil {
			t.Fatal(err)
		}
		if b := c.get("/kontor/csv/steder.csv").body; !strings.Contains(b, ";"+v.Street+";") {
			t.Error("the coordinator's export lacks the hidden address")
		}
		partner := f.signIn(t, "partner")
		for _, p := range []string{"/kontor/csv/steder.csv", "/kontor/csv/grupper.csv"} {
			if b := partner.get(p).body; !strings.Contains(b, ";"+v.Name+";") || strings.Contains(b, v.Street) {
				t.Errorf("%s: the partner's export shows the hidden address (or not the venue)", p)
			}
		}
		// Another house is not a default the coordinator may choose.
		if r := upload(t, c, "venues", f.orgs["house2"].ID, "x.csv", []byte("name\nA\n")); r.status != 404 {
			t.Errorf("another house: %d", r.status)
		}
	})
}

// TestOfficeCSVBrowser: the coordinator uploads a spreadsheet of venues in
// Chromium, reads the dry run and imports it; axe-core checks every page.
func TestOfficeCSVBrowser(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	f := newOfficeFixture(t, st)
	ctx := browsertest.Tab(t)
	a := browserActions(t, ctx, f.srv.URL)
	f.browserSignIn(a, "coordHouse")

	if s := a.open("/kontor/csv"); s != 200 {
		t.Fatalf("csv page: %d", s)
	}
	checkPage(t, ctx, "csv page")
	if s := a.submit("form.office-form button[type=submit]"); s != 400 {
		t.Errorf("no file: %d", s)
	}
	checkPage(t, ctx, "csv page without a file")
	file := filepath.Join(t.TempDir(), "steder.csv")
	data := "\ufeffNavn;Kommune;Adresse;Postnummer;Poststed;Trinnfri\r\n" +
		"Biblioteket;Tromsø;Grønnegata 94;9008;Tromsø;ja\r\n" +
		"Stua house1;5501;Gata 9;9008;Tromsø;nei\r\n" +
		"Huset;Atlantis;;;;\r\n"
	if err := os.WriteFile(file, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	a.click("#kind-1")
	do(t, ctx, chromedp.SetUploadFiles(chromedp.ID("file"), []string{file}))
	if s := a.submit("form.office-form button[type=submit]"); s != 200 {
		t.Fatalf("dry run: %d", s)
	}
	checkPage(t, ctx, "csv dry run")
	if got := a.text("main"); !strings.Contains(got, "Steder: 1 opprettes, 1 endres, 0 er uendret og 1 avvises.") ||
		!strings.Contains(got, "Fant ingen kommune «Atlantis».") {
		t.Fatalf("dry run shows %q", got)
	}
	if s := a.submit("form.staff-form button[type=submit]"); s != 200 || a.path() != "/kontor/csv?endret=1&opprettet=1&steder=0" {
		t.Fatalf("import: %d %s", s, a.path())
	}
	checkPage(t, ctx, "csv after the import")
	vs, _ := st.Venues(context.Background())
	var names []string
	for _, v := range vs {
		names = append(names, v.Name+"/"+v.Street)
	}
	if !slices.Contains(names, "Biblioteket/Grønnegata 94") || !slices.Contains(names, "Stua house1/Gata 9") {
		t.Errorf("venues after the import: %v", names)
	}
}
