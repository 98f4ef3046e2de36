package web_test

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/browsertest"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

func init() { matrixAreas = append(matrixAreas, reportsProbes) }

const (
	reportsExact     = "Du ser de nøyaktige tallene"
	reportsProtected = "Tallene er skjermet"
)

// reportsProbes are the requests of the role matrix for the dashboards:
// every signed-in user with a role sees the page; the figures of house1
// are exact for those who read its personal data (its coordinator, the
// district's, the administrator), protected for the starter and the
// partner.
func reportsProbes(t *testing.T, f *officeFixture, x *matrixExtras, who string) []officeProbe {
	exact := who == "admin" || who == "coordDistrict" || who == "coordHouse"
	return []officeProbe{{name: "dashboards", method: "GET",
		path:  "/kontor/rapporter?periode=2026-02&omfang=org-" + f.orgs["house1"].ID,
		allow: who != "anonymous",
		check: func(t *testing.T, body string) {
			if got := strings.Contains(body, reportsExact); got != exact || strings.Contains(body, reportsProtected) == exact {
				t.Errorf("%s: the dashboard of house1 is exact: %v, want %v", who, got, exact)
			}
		}}}
}

// reportsSeed makes enquiries in house1 in February 2026, counted in the
// statistics at once (entered by staff): 12 by phone and 2 walk-in.
func reportsSeed(t testing.TB, f *officeFixture) {
	t.Helper()
	ctx := store.WithActor(context.Background(), store.Actor{ID: "test"})
	for i := range 14 {
		ch := "phone"
		if i >= 12 {
			ch = "walk_in"
		}
		e := store.Enquiry{OrgID: f.orgs["house1"].ID, Channel: ch, ConsentRecordedBy: "test", Name: "Test",
			ContactKind: "phone", Contact: fmt.Sprintf("9%07d", i), Municipality: "5501", Formats: []string{"in_person"},
			Themes: []string{f.themes[0].ID}, Adult: true, ConsentVersion: "test", Lang: "nb"}
		at := time.Date(2026, 2, 1+i, 10, 0, 0, 0, time.UTC)
		if err := f.st.CreateEnquiry(ctx, &e, fmt.Sprintf("reports-%d", i), at, store.DefaultRetention); err != nil {
			t.Fatal(err)
		}
	}
}

// reportsCoordinator makes a coordinator of house2 (a sibling of house1)
// and signs them in.
func reportsCoordinator(t *testing.T, f *officeFixture) *client {
	t.Helper()
	ctx := store.WithActor(context.Background(), store.Actor{ID: "test"})
	email := "bodil@example.no"
	if _, err := f.svc.CreateUser(ctx, auth.NewUser{Email: email, Name: "Bodil Bodø", Password: staffPassword,
		Memberships: []store.Membership{{OrgID: f.orgs["house2"].ID, Role: store.RoleCoordinator}}}); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, f.srv)
	r := c.signIn(email, staffPassword)
	if r.location() != "/kontor/totp" {
		t.Fatalf("sign in: %d %q", r.status, r.location())
	}
	secret := secretOf(t, c.get("/kontor/totp").body)
	wantRedirect(t, "enrols", c.post("/kontor/totp", url.Values{"code": {code(t, secret, f.clock.Now())}}), "/kontor?melding=totp")
	return c
}

// reportsCell is the cell of a row in the table of the section id: the
// text of the n-th cell (0: the period, 1: the period before) after the
// row's heading.
func reportsCell(t *testing.T, body, section, row string, n int) string {
	t.Helper()
	i := strings.Index(body, `id="`+section+`"`)
	if i < 0 {
		t.Fatalf("no section %s", section)
	}
	s := body[i:]
	if j := strings.Index(s, "</table>"); j >= 0 {
		s = s[:j]
	}
	re := regexp.MustCompile(`<th scope="row">` + regexp.QuoteMeta(row) + `</th>((?:<td class="num">.*?</td>)+)`)
	m := re.FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("section %s has no row %q", section, row)
	}
	cells := regexp.MustCompile(`<td class="num">(.*?)</td>`).FindAllStringSubmatch(m[1], -1)
	if n >= len(cells) {
		t.Fatalf("row %q has %d cells", row, len(cells))
	}
	return regexp.MustCompile(`<[^>]+>`).ReplaceAllString(cells[n][1], "")
}

// A coordinator of house1 sees its exact counts, the 2 walk-in enquiries
// too; a coordinator of another house sees the same small cell as "under
// 5", and never the 2; the page says which it shows. Every area and
// period the form offers is read back, and a value it does not offer is an
// error next to the field.
func TestOfficeReports(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newOfficeFixture(t, st)
		reportsSeed(t, f)
		house1 := "/kontor/rapporter?periode=2026-02&omfang=org-" + f.orgs["house1"].ID

		own := f.signIn(t, "coordHouse")
		// The default: the last full month (the clock is at 2 March 2026) and
		// the user's own house.
		for _, path := range []string{"/kontor/rapporter", house1} {
			r := own.get(path)
			if r.status != 200 {
				t.Fatalf("%s: %d", path, r.status)
			}
			checkStaffHTML(t, path, r, "nb")
			if !strings.Contains(r.body, reportsExact) || strings.Contains(r.body, reportsProtected) {
				t.Errorf("%s: the coordinator's own house is not shown exact", path)
			}
			if !strings.Contains(r.body, "<h2 id=\"figures-h\">Huset Tromsø, Februar 2026</h2>") {
				t.Errorf("%s: the heading is not house1 in February 2026", path)
			}
			for _, c := range []struct{ row, want string }{{"Telefon", "12"}, {"Oppmøte", "2"}, {"Totalt", "14"}} {
				if got := reportsCell(t, r.body, "tabell-1", c.row, 0); got != c.want {
					t.Errorf("%s: %s %q, want %s", path, c.row, got, c.want)
				}
			}
			if got := reportsCell(t, r.body, "key-figures", "Henvendelser etter kanal", 0); got != "14" {
				t.Errorf("%s: key figure %q, want 14", path, got)
			}
			if got := reportsCell(t, r.body, "key-figures", "Henvendelser etter kanal", 1); got != "0" {
				t.Errorf("%s: key figure of January %q, want 0", path, got)
			}
			// Over time: February's 14 among the months of 2026.
			if got := reportsCell(t, r.body, "over-tid-1", "Februar", 0); got != "14" {
				t.Errorf("%s: February over time %q, want 14", path, got)
			}
			if !strings.Contains(r.body, `role="img" aria-labelledby="diagram-1-title"`) {
				t.Errorf("%s: no chart of the first table", path)
			}
		}

		other := reportsCoordinator(t, f)
		r := other.get(house1)
		if r.status != 200 {
			t.Fatalf("another coordinator: %d", r.status)
		}
		if strings.Contains(r.body, reportsExact) || !strings.Contains(r.body, reportsProtected) {
			t.Errorf("another coordinator: house1 is not shown protected")
		}
		if got := reportsCell(t, r.body, "tabell-1", "Oppmøte", 0); got != "under 5" {
			t.Errorf("another coordinator: walk-in %q, want under 5", got)
		}
		if got := reportsCell(t, r.body, "tabell-1", "Telefon", 0); got == "2" || got == "12" && reportsCell(t, r.body, "tabell-1", "Totalt", 0) == "14" {
			t.Errorf("another coordinator: phone %q with the total shown gives the walk-in count away", got)
		}
		// The coordinator's own house of the protected cell is exact for
		// them: house2 (no enquiries) says so.
		if r := other.get("/kontor/rapporter"); !strings.Contains(r.body, reportsExact) || !strings.Contains(r.body, "Huset Bodø") {
			t.Errorf("another coordinator's default is not their own house, exact")
		}

		// Outside a house, figures are protected for everyone: the
		// municipality, the county, the nation; the coverage of the year
		// names Tromsø with its enquiries.
		for _, scope := range []string{"kommune-5501", "fylke-55", "land"} {
			path := "/kontor/rapporter?periode=2026&omfang=" + scope
			r := own.get(path)
			if r.status != 200 || !strings.Contains(r.body, reportsProtected) {
				t.Errorf("%s: %d, protected %v", path, r.status, strings.Contains(r.body, reportsProtected))
				continue
			}
			if !strings.Contains(r.body, `id="coverage"`) || !strings.Contains(r.body, "Tromsø") {
				t.Errorf("%s: no coverage row of Tromsø", path)
			}
		}

		// Values the form does not offer: errors next to the fields, what
		// was asked for kept.
		for _, c := range []struct{ path, field string }{
			{"/kontor/rapporter?periode=1999&omfang=land", "periode"},
			{"/kontor/rapporter?periode=2026-13&omfang=land", "periode"},
			{"/kontor/rapporter?periode=2026-02&omfang=org-nope", "omfang"},
			{"/kontor/rapporter?periode=2026-02&omfang=kommune-0000", "omfang"},
		} {
			r := own.get(c.path)
			if r.status != 400 || !strings.Contains(r.body, `id="`+c.field+`-error"`) || strings.Contains(r.body, `id="figures-h"`) {
				t.Errorf("%s: %d, error on %s: %v", c.path, r.status, c.field, strings.Contains(r.body, `id="`+c.field+`-error"`))
			}
		}

		// In English, the same page with the English words.
		if r := own.get("/en" + house1); r.status != 200 || !strings.Contains(r.body, "You see the exact figures") ||
			!strings.Contains(r.body, "February 2026") {
			t.Errorf("English page: %d", r.status)
		}
	})
}

// The dashboards in Chromium: the coordinator chooses the period and the
// area with the form (no script), in Bokmål and English, exact and
// protected; axe-core finds no violation.
func TestOfficeReportsBrowser(t *testing.T) {
	st := storetest.Open(t, store.Postgres)
	f := newOfficeFixture(t, st)
	reportsSeed(t, f)
	ctx := browsertest.Tab(t)
	a := browserActions(t, ctx, f.srv.URL)
	open, submit, text, path := a.open, a.submit, a.text, a.path

	f.browserSignIn(a, "coordHouse")

	open("/kontor/rapporter")
	checkPage(t, ctx, "dashboard, own house (nb)")
	if s := text("#protection"); !strings.Contains(s, reportsExact) {
		t.Errorf("protection notice %q", s)
	}
	// Choose the whole year of the municipality with the form.
	a.setVal("periode", "2026")
	a.setVal("omfang", "kommune-5501")
	if s := submit(".office-filter button[type=submit]"); s != 200 {
		t.Fatalf("the form: %d", s)
	}
	if p := path(); p != "/kontor/rapporter?periode=2026&omfang=kommune-5501" {
		t.Errorf("after the form: %s", p)
	}
	checkPage(t, ctx, "dashboard, municipality, year (nb)")
	if s := text("#protection"); !strings.Contains(s, reportsProtected) {
		t.Errorf("protection notice %q", s)
	}
	if s := text("#coverage"); !strings.Contains(s, "Tromsø") {
		t.Errorf("coverage %q", s)
	}
	open("/en/kontor/rapporter?periode=1999&omfang=land")
	checkPage(t, ctx, "dashboard with an error (en)")
	open("/en/kontor/rapporter?periode=2026-K1&omfang=fylke-55")
	checkPage(t, ctx, "dashboard, county, quarter (en)")
}
