package web_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/fellesrom/fellesrom/internal/browsertest"
	"github.com/fellesrom/fellesrom/internal/pdf/pdftest"
	"github.com/fellesrom/fellesrom/internal/report"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

func init() { matrixAreas = append(matrixAreas, annualProbes) }

// annualProbes are the role matrix's requests of the yearly report: the
// page, its texts and both downloads, for those who run the organisation
// (auth.EditListing: administrators, coordinators of it or above it).
func annualProbes(t *testing.T, f *officeFixture, _ *matrixExtras, who string) []officeProbe {
	rights := officeRights[who]
	edit := func(k string) bool { return slices.Contains(rights.edit, k) }
	ps := []officeProbe{{name: "the yearly report", method: "GET", path: "/kontor/arsrapport", allow: len(rights.edit) > 0}}
	for _, k := range officeOrgKeys {
		q := "?organisasjon=" + f.orgs[k].ID + "&ar=2025"
		ps = append(ps,
			officeProbe{name: "the yearly report of " + k, method: "GET", path: "/kontor/arsrapport" + q, allow: edit(k),
				check: func(t *testing.T, body string) {
					if !strings.Contains(body, f.orgs[k].Name+", 2025") {
						t.Errorf("%s: the yearly report of %s does not name it", who, k)
					}
				}},
			officeProbe{name: "the yearly report of " + k + " as PDF", method: "GET", path: "/kontor/arsrapport/arsrapport.pdf" + q,
				allow: edit(k), check: func(t *testing.T, body string) {
					if !strings.HasPrefix(body, "%PDF-") {
						t.Errorf("%s: the PDF of %s is no PDF", who, k)
					}
				}},
			officeProbe{name: "the yearly report of " + k + " as CSV", method: "GET", path: "/kontor/arsrapport/arsrapport.csv" + q,
				allow: edit(k)},
			officeProbe{name: "the texts of the yearly report of " + k, method: "POST", path: "/kontor/arsrapport", allow: edit(k),
				form: func() url.Values {
					return url.Values{"organisation": {f.orgs[k].ID}, "year": {"2025"}, "text_done": {"Gjort av " + who + " i " + k}}
				}})
	}
	return ps
}

// annualEnquiries makes the enquiries of March 2025 in house1: 12 by
// phone, 7 walk-ins, 3 of them about anxiety (a count "under 5") and the
// rest about grief; and 6 by phone in house2.
func annualEnquiries(t *testing.T, f *officeFixture) {
	t.Helper()
	ctx := store.WithActor(context.Background(), store.Actor{ID: "test"})
	n := 0
	add := func(org, channel string, count int) {
		for i := range count {
			n++
			at := time.Date(2025, 3, 1+i, 10, 0, 0, 0, time.UTC)
			theme := f.themes[0].ID
			if org == "house1" && n <= 3 {
				theme = f.themes[1].ID
			}
			e := store.Enquiry{OrgID: f.orgs[org].ID, Channel: channel, ConsentRecordedBy: "test", Name: "Test",
				ContactKind: "phone", Contact: fmt.Sprintf("9%07d", n), Municipality: "5501", Formats: []string{"in_person"},
				Themes: []string{theme}, Adult: true, ConsentVersion: "test", Lang: "nb"}
			if err := f.st.CreateEnquiry(ctx, &e, fmt.Sprintf("annual-%d", n), at, store.DefaultRetention); err != nil {
				t.Fatal(err)
			}
		}
	}
	add("house1", "phone", 12)
	add("house1", "walk_in", 7)
	add("house2", "phone", 6)
}

// TestAnnualReport: a coordinator writes the three texts of the house's
// yearly report and downloads it: the PDF read back as text and the CSV
// parsed back hold the texts and the protected figures (3 enquiries about
// anxiety "under 5", though it is the coordinator's own house), in Bokmål and in
// Northern Sami with its letters intact; a text with a control character
// is refused with what was typed kept; another house is 404.
func TestAnnualReport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newOfficeFixture(t, st)
		annualEnquiries(t, f)
		c := f.signIn(t, "coordHouse")
		house := f.orgs["house1"]
		r := c.get("/kontor/arsrapport")
		checkOfficeHTML(t, "/kontor/arsrapport", r, "nb")
		if r.status != 200 || !strings.Contains(r.body, "Huset Tromsø, 2025") || !strings.Contains(r.body, `<option value="2025" selected>`) {
			t.Fatalf("page: %d", r.status)
		}
		texts := url.Values{"organisation": {house.ID}, "year": {"2025"},
			"text_done":  {"Vi startet tre nye sorggrupper og holdt kurs for likepersoner."},
			"text_story": {"Flere ringer oss etter at fastlegene fikk brosjyren."},
			"text_plans": {"Čoahkkimat sámegillii: đ ŋ š ŧ ž, og en gruppe for pårørende."}}
		bad := url.Values{}
		for k, v := range texts {
			bad[k] = v
		}
		bad.Set("text_story", "Et tegn \x01 som ikke hører hjemme")
		if r := c.post("/kontor/arsrapport", bad); r.status != 400 || !strings.Contains(r.body, `id="text_story" name="text_story"`) ||
			!strings.Contains(r.body, "Vi startet tre nye sorggrupper") || !strings.Contains(r.body, `aria-invalid="true"`) {
			t.Errorf("a control character: %d %s", r.status, errorSummary(r.body))
		}
		if got, _ := st.ReportTexts(context.Background(), house.ID, 2025); len(got) != 0 {
			t.Errorf("saved after an error: %v", got)
		}
		r = c.post("/kontor/arsrapport", texts)
		if want := "/kontor/arsrapport?organisasjon=" + house.ID + "&ar=2025&melding=lagret"; r.status != 303 || r.location() != want {
			t.Fatalf("save: %d %q", r.status, r.location())
		}
		if p := c.get(r.location()); !strings.Contains(p.body, "Flere ringer oss etter at fastlegene fikk brosjyren.</textarea>") {
			t.Error("the saved text is not in the form")
		}
		other := "?organisasjon=" + f.orgs["house2"].ID + "&ar=2025"
		for _, p := range []string{"/kontor/arsrapport", "/kontor/arsrapport/arsrapport.pdf", "/kontor/arsrapport/arsrapport.csv"} {
			if r := c.get(p + other); r.status != 404 {
				t.Errorf("%s of another house: %d", p, r.status)
			}
		}
		if r := c.post("/kontor/arsrapport", url.Values{"organisation": {f.orgs["house2"].ID}, "year": {"2025"}, "text_done": {"x"}}); r.status != 404 {
			t.Errorf("texts of another house: %d", r.status)
		}
		if r := c.get("/kontor/arsrapport?organisasjon=" + house.ID + "&ar=1999"); r.status != 404 {
			t.Errorf("a year not on offer: %d", r.status)
		}

		// The figures as the report must show them: protected.
		d, err := report.Load(context.Background(), st, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		fig := d.Figures(report.Period{Kind: report.Year, Year: 2025}, report.Scope{Kind: report.District, ID: house.ID}, true)
		ch := fig.Table("enquiries.channel")
		want := map[string]string{}
		for _, row := range ch.Rows {
			want[row.Key] = annualCell(row.Now)
		}
		themes := fig.Table("enquiries.theme")
		for _, row := range themes.Rows {
			want["theme:"+row.Key] = annualCell(row.Now)
		}
		if want["phone"] != "12" || want["walk_in"] != "7" || want["theme:angst"] != "under 5" || want["theme:sorg"] != "16" {
			t.Fatalf("the figures: %v", want)
		}

		q := "?organisasjon=" + house.ID + "&ar=2025"
		for _, lang := range []struct {
			prefix, title, phone, walkIn, under5, byChannel, byTheme string
		}{
			{"", "Årsrapport 2025 – Huset Tromsø", "Telefon", "Oppmøte", "under 5", "Henvendelser etter kanal", "Henvendelser etter tema"},
			{"/se", "Jahkeraporta 2025 – Huset Tromsø", "Telefovdna", "Boahtin", "vuollel 5", "Jearaldagat kanála mielde", "Jearaldagat fáttá mielde"},
		} {
			r := c.get(lang.prefix + "/kontor/arsrapport/arsrapport.pdf" + q)
			if r.status != 200 || r.header.Get("Content-Type") != "application/pdf" ||
				r.header.Get("Content-Disposition") != `attachment; filename="arsrapport-2025-huset-tromso.pdf"` {
				t.Fatalf("%s PDF: %d %q %q", lang.prefix, r.status, r.header.Get("Content-Type"), r.header.Get("Content-Disposition"))
			}
			text := pdftest.ToText(t, []byte(r.body))
			for _, s := range []string{lang.title, texts.Get("text_done"), texts.Get("text_story"), texts.Get("text_plans"),
				lang.phone, lang.walkIn, lang.under5, "12", "16", "Angst", "Tromsø", lang.byChannel, lang.byTheme} {
				if !strings.Contains(text, s) {
					t.Errorf("%s PDF lacks %q", lang.prefix, s)
				}
			}
			// The house held no events: that table, all zeros in both
			// years, is left out; the enquiries' tables are there.
			if lang.prefix == "" && (strings.Contains(text, "Arrangementer holdt") || !strings.Contains(text, "Henvendelser etter utfall")) {
				t.Errorf("the PDF should leave out the empty table of events and keep the enquiries' outcomes")
			}
			if again := c.get(lang.prefix + "/kontor/arsrapport/arsrapport.pdf" + q); again.body != r.body {
				t.Errorf("%s PDF: two downloads differ", lang.prefix)
			}

			r = c.get(lang.prefix + "/kontor/arsrapport/arsrapport.csv" + q)
			if r.status != 200 || r.header.Get("Content-Type") != "text/csv; charset=utf-8" || !strings.HasPrefix(r.body, "\ufeff") {
				t.Fatalf("%s CSV: %d %q", lang.prefix, r.status, r.header.Get("Content-Type"))
			}
			cr := csv.NewReader(strings.NewReader(strings.TrimPrefix(r.body, "\ufeff")))
			cr.Comma, cr.FieldsPerRecord = ';', -1
			recs, err := cr.ReadAll()
			if err != nil {
				t.Fatalf("%s CSV: %v", lang.prefix, err)
			}
			rows := map[string][]string{}
			for _, rec := range recs {
				if len(rec) > 1 {
					rows[rec[0]+"|"+rec[1]] = rec
				}
			}
			if recs[0][0] != lang.title {
				t.Errorf("%s CSV title %q", lang.prefix, recs[0][0])
			}
			for _, c := range []struct{ table, label, want string }{
				{lang.byChannel, lang.phone, "12"}, {lang.byChannel, lang.walkIn, "7"},
				{lang.byTheme, "Sorg", "16"}, {lang.byTheme, "Angst", lang.under5},
			} {
				if got := rows[c.table+"|"+c.label]; len(got) != 4 || got[2] != c.want || got[3] != "0" {
					t.Errorf("%s CSV row %s/%s: %v, want %s in 2025 and 0 in 2024", lang.prefix, c.table, c.label, got, c.want)
				}
			}
			for _, k := range []string{"text_done", "text_story", "text_plans"} {
				found := false
				for _, rec := range recs {
					found = found || len(rec) == 2 && rec[1] == texts.Get(k)
				}
				if !found {
					t.Errorf("%s CSV lacks the text %s", lang.prefix, k)
				}
			}
			var muni bool
			for _, rec := range recs {
				muni = muni || len(rec) == 7 && strings.HasPrefix(rec[1], "Tromsø") && rec[3] != ""
			}
			if !muni {
				t.Errorf("%s CSV lacks the coverage of Tromsø", lang.prefix)
			}
		}
	})
}

func annualCell(c report.Cell) string {
	switch c.State {
	case report.Under5:
		return "under 5"
	case report.Hidden:
		return "skjult"
	}
	return strconv.Itoa(c.Value)
}

// TestAnnualBrowser: the coordinator chooses the year, writes a text and
// saves it in Chromium; axe-core finds nothing on the form, before and
// after an error.
func TestAnnualBrowser(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	f := newOfficeFixture(t, st)
	ctx := browsertest.Tab(t)
	a := browserActions(t, ctx, f.srv.URL)
	f.browserSignIn(a, "coordHouse")

	if s := a.open("/kontor/arsrapport"); s != 200 {
		t.Fatalf("page: %d", s)
	}
	checkPage(t, ctx, "yearly report")
	a.typeIn("text_done", "Vi holdt 40 møter.")
	if s := a.submit("form.office-form button[type=submit]"); s != 200 || !strings.Contains(a.path(), "melding=lagret") {
		t.Fatalf("save: %d %s", s, a.path())
	}
	checkPage(t, ctx, "yearly report saved")
	if got, _ := st.ReportTexts(context.Background(), f.orgs["house1"].ID, 2025); got["done"].Body != "Vi holdt 40 møter." {
		t.Errorf("saved: %v", got)
	}
	do(t, ctx, chromedp.SetValue(chromedp.ID("text_plans"), "Ein \x01 feil"))
	if s := a.submit("form.office-form button[type=submit]"); s != 400 {
		t.Errorf("an error: %d", s)
	}
	checkPage(t, ctx, "yearly report with an error")
}
