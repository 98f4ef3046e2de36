package web_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"html"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/app"
	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/finder"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
	"github.com/fellesrom/fellesrom/internal/web"
)

// enqEnv is the staff fixture with a real SMTP server (acctEnv), whose
// house in Tromsø serves 5501 Tromsø and whose house in Bodø serves 1804
// Bodø, and a small theme taxonomy.
type enqEnv struct {
	*acctEnv
	dsn                string
	engine             store.Engine
	sorg, angst, retro domain.Theme
}

func newEnqEnv(t *testing.T, engine store.Engine) *enqEnv {
	t.Helper()
	st, dsn := storetest.OpenDSN(t, engine)
	e := &enqEnv{acctEnv: newAcctEnv(t, st, roomyLimits), dsn: dsn, engine: engine}
	ctx := store.WithActor(context.Background(), store.Actor{ID: "test"})
	e.house.Municipalities = []string{"5501"}
	e.town.Municipalities = []string{"1804"}
	for _, o := range []*domain.Organisation{&e.house, &e.town} {
		if err := st.SaveOrganisation(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	e.sorg = domain.Theme{Slug: "sorg", Name: domain.Text{"nb": "Sorg", "en": "Grief"}, SortOrder: 1, Active: true}
	e.angst = domain.Theme{Slug: "angst", Name: domain.Text{"nb": "Angst", "en": "Anxiety"}, SortOrder: 2, Active: true}
	e.retro = domain.Theme{Slug: "gammelt-tema", Name: domain.Text{"nb": "Gammelt tema"}, SortOrder: 3, Active: false}
	for _, th := range []*domain.Theme{&e.sorg, &e.angst, &e.retro} {
		if err := st.SaveTheme(ctx, th); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// db is a connection of the test's own to the database, for what no store
// function does (the retention job's question).
func (e *enqEnv) db(t *testing.T) *sql.DB {
	t.Helper()
	driver := "sqlite"
	if e.engine == store.Postgres {
		driver = "pgx"
	}
	db, err := sql.Open(driver, e.dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// enqForm is a good enquiry, with fields replaced by kv (an empty value
// removes the field).
func enqForm(kv ...string) url.Values {
	f := url.Values{"own_words": {"Jeg har mistet mannen min\nog trenger noen å snakke med"}, "theme": {"sorg"},
		"municipality": {"5501"}, "travel_km": {"25"}, "format": {"in_person", "video"}, "slot": {"tue-evening", "thu-evening"},
		"language": {"nb"}, "name": {"Solveig"}, "contact_kind": {"email"}, "contact": {"Solveig@Example.NO"},
		"adult": {"1"}, "consent": {"1"}}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			f.Del(kv[i])
		} else {
			f[kv[i]] = strings.Split(kv[i+1], "|")
		}
	}
	return f
}

var reStamp = regexp.MustCompile(`name="stamp" value="([^"]+)"`)

// stampOf reads the spam guard's stamp from a page of the form.
func stampOf(t *testing.T, body string) string {
	t.Helper()
	m := reStamp.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("the form has no stamp")
	}
	return html.UnescapeString(m[1])
}

// submit opens the form as a person would, takes some seconds to fill it
// in, and sends it.
func (e *enqEnv) submit(t *testing.T, c *client, lang string, form url.Values) resp {
	t.Helper()
	p := ""
	if lang != "nb" {
		p = "/" + lang
	}
	r := c.get(p + "/henvendelse")
	if r.status != 200 {
		t.Fatalf("the form: %d", r.status)
	}
	e.clock.Add(5 * time.Second)
	form = cloneValues(form)
	form.Set("stamp", stampOf(t, r.body))
	return c.post(p+"/henvendelse", form)
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, x := range v {
		out[k] = append([]string(nil), x...)
	}
	return out
}

var reEnqLink = regexp.MustCompile(`https?://[^\s/]+(/(?:[a-z]{2}/)?min-henvendelse/([A-Za-z0-9_-]{43}))`)

// enqLink is the path and token of the one link in a mail or text.
func (e *enqEnv) enqLink(t *testing.T, body string) (string, string) {
	t.Helper()
	got := reEnqLink.FindAllStringSubmatch(body, -1)
	if len(got) != 1 {
		t.Fatalf("%d links in:\n%s", len(got), body)
	}
	if !strings.HasPrefix(got[0][0], e.srv.URL+"/") {
		t.Errorf("the link %q does not go to %s", got[0][0], e.srv.URL)
	}
	return got[0][1], got[0][2]
}

// staffSees lists what a coordinator of the whole tree sees (an audited read).
func (e *enqEnv) staffSees(t *testing.T) []store.Enquiry {
	t.Helper()
	ctx := store.WithActor(context.Background(), store.Actor{ID: e.coord.ID})
	l, err := e.st.Enquiries(ctx, store.EnquiryFilter{OrgIDs: []string{e.district.ID, e.house.ID, e.town.ID}})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// count counts the rows of a table.
func (e *enqEnv) count(t *testing.T, table string) int {
	t.Helper()
	var n int
	if err := e.db(t).QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// checkEnqPage checks what every page of the flow must be.
func checkEnqPage(t *testing.T, what string, r resp, lang string) {
	t.Helper()
	checkStaffHTML(t, what, r, lang)
	if m := regexp.MustCompile(`\b(?:enquiry|office)\.[a-z][a-z0-9_]*\b`).FindString(r.body); m != "" {
		t.Errorf("%s: the catalogue lacks %q", what, m)
	}
	if strings.Contains(strings.ToLower(r.body), "tilbud") {
		t.Errorf("%s: a group is a mulighet, never a tilbud", what)
	}
}

// checkEnqTokenPage checks a page whose URL holds a token.
func checkEnqTokenPage(t *testing.T, what string, r resp) {
	t.Helper()
	if r.header.Get("Cache-Control") != "no-store" || r.header.Get("Referrer-Policy") != "no-referrer" ||
		!strings.Contains(r.header.Get("X-Robots-Tag"), "noindex") {
		t.Errorf("%s: headers %v", what, r.header)
	}
}

// The form in every language: labels, hints, the 357 municipalities in
// Norwegian order, the days and times as a table with headers, the consent
// text with the retention clock, the honeypot hidden from everyone.
func TestEnquiryFormPage(t *testing.T) {
	e := newEnqEnv(t, store.SQLite)
	c := newClient(t, e.srv)
	for _, lang := range []string{"nb", "nn", "en", "se"} {
		p := map[string]string{"nb": ""}[lang]
		if lang != "nb" {
			p = "/" + lang
		}
		r := c.get(p + "/henvendelse")
		if r.status != 200 {
			t.Fatalf("%s: %d", lang, r.status)
		}
		checkEnqPage(t, "the form ("+lang+")", r, lang)
	}
	r := c.get("/henvendelse")
	body := html.UnescapeString(r.body)
	for _, s := range []string{
		`<label for="own_words">Hva vil du snakke om i en gruppe?`, "du kan skrive så mye eller så lite du vil",
		`<label for="theme">Sorg</label>`, `value="angst"`,
		`<label for="municipality">Kommunen du bor i</label>`, `<option value="5501">Tromsø</option>`, `<option value="5612">Kautokeino – Guovdageaidnu</option>`,
		`<option value="0" >`, `<option value="25" selected>Inntil 25 km</option>`,
		`<label for="not_own">Jeg vil helst ikke være i en gruppe i min egen kommune</label>`, "møte folk du kjenner",
		`<legend>Hvordan kan du møtes?`, `<legend>Dager og tider som passer`, `<legend>Mandag</legend>`, `<legend>Søndag</legend>`,
		`<input type="checkbox" id="slot" name="slot" value="mon-morning"><label for="slot">Formiddag</label>`,
		`<input type="checkbox" id="slot-sun-evening" name="slot" value="sun-evening"><label for="slot-sun-evening">Kveld</label>`,
		`value="nb" checked`, `<label for="name">Fornavn eller et navn du vil bruke</label>`,
		`type="radio" id="contact_kind" name="contact_kind" value="email" checked`,
		`<label for="adult">Jeg er 18 år eller eldre</label>`,
		"Bekrefter du ikke med lenken innen 7 dager, sletter vi alt.", "spør vi deg hver 3. måned",
		"Svarer du ikke innen 30 dager", "30 dager etter at gruppen startet", "selvhjelpshuset som dekker kommunen din",
		`<label for="consent">Jeg har lest dette og samtykker`, `<div class="field" hidden>`, `name="nettside"`,
	} {
		if !strings.Contains(body, strings.ReplaceAll(s, `<option value="0" >`, `<option value="0">`)) {
			t.Errorf("the form lacks %q", s)
		}
	}
	if strings.Contains(body, "Gammelt tema") {
		t.Error("the form offers an inactive theme")
	}
	for _, bad := range []string{"diagnose\"", "personnummer\"", "fødselsnummer"} {
		if strings.Contains(body, `name=`+bad) {
			t.Errorf("the form asks for %s", bad)
		}
	}
	// 357 municipalities, in Norwegian order.
	var names []string
	for _, m := range regexp.MustCompile(`<option value="\d{4}">([^<]+)</option>`).FindAllStringSubmatch(body, -1) {
		names = append(names, m[1])
	}
	if len(names) != 357 {
		t.Errorf("%d municipalities", len(names))
	}
	sorted := append([]string(nil), names...)
	domain.SortByName(sorted, func(s string) string { return s })
	if !reflect.DeepEqual(names, sorted) || names[len(names)-1] != "Åsnes" {
		t.Errorf("municipalities not in Norwegian order: … %v", names[len(names)-3:])
	}
}

// A person fills in the form: the enquiry is stored unconfirmed for the
// house of their municipality, the mail with the link goes through the
// outbox to the SMTP server, and no coordinator sees the enquiry yet.
func TestEnquirySubmit(t *testing.T) {
	for _, eng := range storetest.Engines {
		t.Run(string(eng), func(t *testing.T) {
			e := newEnqEnv(t, eng)
			c := newClient(t, e.srv)
			r := e.submit(t, c, "nb", enqForm())
			wantRedirect(t, "the form", r, "/henvendelse/sendt?til=email")
			r = c.get("/henvendelse/sendt?til=email")
			checkEnqPage(t, "sent", r, "nb")
			if !strings.Contains(r.body, "Sjekk e-posten din") || !strings.Contains(r.body, "innen 7 dager") {
				t.Errorf("the sent page:\n%s", r.body)
			}
			checkEnqPage(t, "sent (phone, en)", c.get("/en/henvendelse/sendt?til=phone"), "en")

			if l := e.staffSees(t); len(l) != 0 {
				t.Errorf("a coordinator sees an unconfirmed enquiry: %d", len(l))
			}
			mails := e.deliver(t)
			if len(mails) != 1 {
				t.Fatalf("%d mails", len(mails))
			}
			m := mails[0]
			if m.To != "solveig@example.no" || m.Subject != "Bekreft henvendelsen din til fellesrom" || m.Lang != "nb" ||
				!strings.Contains(m.Body, "Hei, Solveig!") || !strings.Contains(m.Body, "innen 7 dager") {
				t.Errorf("the mail: %+v", m)
			}
			path, token := e.enqLink(t, m.Body)
			if path != "/min-henvendelse/"+token {
				t.Errorf("the link %s", path)
			}
			got, err := e.st.EnquiryByToken(context.Background(), auth.HashToken(token))
			if err != nil {
				t.Fatal(err)
			}
			if got.OrgID != e.house.ID || got.Status != store.EnquiryUnconfirmed || got.Channel != "web" || got.Name != "Solveig" ||
				got.Contact != "solveig@example.no" || got.OwnWords != "Jeg har mistet mannen min\nog trenger noen å snakke med" ||
				!reflect.DeepEqual(got.Themes, []string{e.sorg.ID}) || got.Municipality != "5501" || got.TravelKm != 25 ||
				!reflect.DeepEqual(got.Formats, []string{"in_person", "video"}) ||
				!reflect.DeepEqual(got.Slots, []string{"tue-evening", "thu-evening"}) || !got.Adult ||
				got.ConsentVersion != web.EnquiryConsentVersion || got.Lang != "nb" {
				t.Errorf("stored: %+v", got)
			}
			log, _ := e.st.AuditLog(context.Background(), store.AuditFilter{Action: "enquiry.create"})
			if len(log) != 1 || log[0].ActorID != "person" || log[0].OrgID != e.house.ID {
				t.Errorf("audit: %+v", log)
			}

			// In English, with a phone: a text message in the outbox, no mail.
			r = e.submit(t, c, "en", enqForm("contact_kind", "phone", "contact", "+47 400 00 000", "municipality", "1804",
				"theme", "", "slot", "", "own_words", ""))
			wantRedirect(t, "the form (phone)", r, "/en/henvendelse/sendt?til=phone")
			if n := len(e.deliver(t)); n != 0 {
				t.Errorf("%d mails for a phone contact", n)
			}
			sms, err := e.st.ClaimOutbox(context.Background(), store.ChannelSMS, time.Now().Add(time.Hour), 10, time.Minute)
			if err != nil || len(sms) != 1 {
				t.Fatalf("text messages: %+v %v", sms, err)
			}
			if sms[0].To != "+4740000000" || sms[0].Lang != "en" || !strings.HasPrefix(sms[0].Body, "Hello, Solveig! Confirm") {
				t.Errorf("the text message: %+v", sms[0])
			}
			spath, stoken := e.enqLink(t, sms[0].Body)
			if spath != "/en/min-henvendelse/"+stoken {
				t.Errorf("the text's link %s", spath)
			}
			byPhone, _ := e.st.EnquiryByToken(context.Background(), auth.HashToken(stoken))
			if byPhone.OrgID != e.town.ID || len(byPhone.Themes) != 0 || len(byPhone.Slots) != 0 {
				t.Errorf("stored: %+v", byPhone)
			}
			e.noTokens(t, token, stoken)
		})
	}
}

// Bad input on the public form: a message next to the field, in the
// summary with a link to it, status 400, and everything typed kept; nothing
// is stored or sent.
func TestEnquiryBadInput(t *testing.T) {
	for _, eng := range storetest.Engines {
		t.Run(string(eng), func(t *testing.T) {
			web.SetEnquiryLimits(t, 1000, 0, 0)
			e := newEnqEnv(t, eng)
			c := newClient(t, e.srv)
			long := strings.Repeat("å", 2001)
			for _, tc := range []struct {
				name, field, message string
				form                 url.Values
			}{
				{"no name", "name", "Skriv et fornavn", enqForm("name", "")},
				{"blank name", "name", "Skriv et fornavn", enqForm("name", "   ")},
				{"long name", "name", "høyst 60 tegn", enqForm("name", strings.Repeat("x", 61))},
				{"control in name", "name", "tegn som ikke kan brukes", enqForm("name", "Sol\x00veig")},
				{"line break in name", "name", "tegn som ikke kan brukes", enqForm("name", "Sol\nveig")},
				{"long own words", "own_words", "høyst 2000 tegn", enqForm("own_words", long)},
				{"unknown theme", "theme", "Et av temaene finnes ikke", enqForm("theme", "sorg|finnes-ikke")},
				{"inactive theme", "theme", "Et av temaene finnes ikke", enqForm("theme", "gammelt-tema")},
				{"no municipality", "municipality", "Velg kommunen du bor i", enqForm("municipality", "")},
				{"unknown municipality", "municipality", "Kommunen finnes ikke", enqForm("municipality", "9999")},
				{"odd travel", "travel_km", "Velg hvor langt", enqForm("travel_km", "7")},
				{"travel not a number", "travel_km", "Velg hvor langt", enqForm("travel_km", "langt")},
				{"not own, no travel", "travel_km", "ikke være i en gruppe i din egen kommune", enqForm("not_own", "1", "travel_km", "0")},
				{"no format", "format", "minst én måte", enqForm("format", "")},
				{"unknown format", "format", "Velg blant måtene", enqForm("format", "brevdue")},
				{"unknown slot", "slot", "Velg dager og tider", enqForm("slot", "mon-night")},
				{"unknown language", "language", "Velg språk", enqForm("language", "xx")},
				{"no contact kind", "contact_kind", "Velg e-post eller telefon", enqForm("contact_kind", "")},
				{"odd contact kind", "contact_kind", "Velg e-post eller telefon", enqForm("contact_kind", "fax")},
				{"no contact", "contact", "Skriv e-postadressen eller mobilnummeret", enqForm("contact", "")},
				{"bad e-mail", "contact", "Skriv en e-postadresse som", enqForm("contact", "solveig at example.no")},
				{"a phone number as e-mail", "contact", "Skriv en e-postadresse som", enqForm("contact", "91234567")},
				{"bad phone", "contact", "Skriv et mobilnummer", enqForm("contact_kind", "phone", "contact", "12 34")},
				{"letters as phone", "contact", "Skriv et mobilnummer", enqForm("contact_kind", "phone", "contact", "solveig@example.no")},
				{"long contact", "contact", "for langt", enqForm("contact", strings.Repeat("a", 300)+"@example.no")},
				{"not adult", "adult", "18 år eller eldre", enqForm("adult", "")},
				{"no consent", "consent", "Kryss av for at du samtykker", enqForm("consent", "")},
			} {
				r := e.submit(t, c, "nb", tc.form)
				body := html.UnescapeString(r.body)
				if r.status != 400 {
					t.Errorf("%s: %d", tc.name, r.status)
					continue
				}
				if !strings.Contains(body, `<a href="#`+tc.field+`">`) || !regexp.MustCompile(`id="`+tc.field+`-error"><strong>Feil:</strong> [^<]*`+
					regexp.QuoteMeta(tc.message)).MatchString(body) {
					t.Errorf("%s: no message %q next to %s", tc.name, tc.message, tc.field)
				}
				// What was typed is kept (but for the field the case changes).
				for keep, field := range map[string]string{`value="Solveig"`: "name", `og trenger noen å snakke med</textarea>`: "own_words",
					`value="sorg" checked`: "theme", `<option value="5501" selected>`: "municipality",
					`value="tue-evening" checked`: "slot", `value="video" checked`: "format", `value="1" checked`: "consent"} {
					if tc.field != field && !strings.Contains(body, keep) {
						t.Errorf("%s: %s is lost", tc.name, keep)
					}
				}
				if v := tc.form.Get("contact"); v != "" && len(v) < 100 && !strings.Contains(body, `value="`+v+`"`) {
					t.Errorf("%s: the contact %q is lost", tc.name, v)
				}
				if tc.field == "own_words" && !strings.Contains(body, long+"</textarea>") {
					t.Errorf("%s: the long text is lost", tc.name)
				}
				checkEnqPage(t, tc.name, r, "nb")
			}
			// A body that does not parse.
			req, _ := http.NewRequest("POST", e.srv.URL+"/henvendelse", strings.NewReader("name=%zz"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if r := c.do(req); r.status != 400 {
				t.Errorf("a broken body: %d", r.status)
			}
			if n := e.count(t, "enquiries"); n != 0 {
				t.Errorf("%d enquiries stored from bad input", n)
			}
			if n := len(e.deliver(t)); n != 0 {
				t.Errorf("%d mails sent for bad input", n)
			}
		})
	}
}

// The spam guard: a filled honeypot, a post sooner than 3 s or later than 2 h
// after the form was served, and a forged or missing stamp are refused with
// a plain message, keeping what was typed; a fresh stamp lets the person
// send again.
func TestEnquirySpamGuard(t *testing.T) {
	e := newEnqEnv(t, store.SQLite)
	c := newClient(t, e.srv)
	form := func() (url.Values, string) {
		r := c.get("/henvendelse")
		return enqForm(), stampOf(t, r.body)
	}
	refused := func(what string, r resp, message string) {
		t.Helper()
		body := html.UnescapeString(r.body)
		if r.status != 400 || !strings.Contains(body, message) || !strings.Contains(body, `value="Solveig"`) ||
			!strings.Contains(body, `og trenger noen å snakke med</textarea>`) {
			t.Errorf("%s: %d\n%s", what, r.status, body)
		}
		checkEnqPage(t, what, r, "nb")
	}
	f, stamp := form()
	f.Set("stamp", stamp)
	f.Set("nettside", "https://spam.example")
	e.clock.Add(5 * time.Second)
	refused("honeypot", c.post("/henvendelse", f), "et felt som skal stå tomt, var fylt ut")

	f, stamp = form()
	f.Set("stamp", stamp)
	e.clock.Add(2 * time.Second)
	r := c.post("/henvendelse", f)
	refused("too fast", r, "sendt så raskt")

	// The page of a refused post has a fresh stamp: the person sends again.
	e.clock.Add(4 * time.Second)
	f.Set("stamp", stampOf(t, r.body))
	wantRedirect(t, "sent again", c.post("/henvendelse", f), "/henvendelse/sendt?til=email")

	f, stamp = form()
	f.Set("stamp", stamp)
	e.clock.Add(2*time.Hour + time.Second)
	refused("too old", c.post("/henvendelse", f), "åpent i mer enn to timer")

	f, stamp = form()
	e.clock.Add(5 * time.Second)
	ts, _, _ := strings.Cut(stamp, ".")
	for name, forged := range map[string]string{"no stamp": "", "no signature": ts, "forged": ts + ".00112233445566778899aabbccddeeff",
		"older time, same signature": "1000000000." + strings.SplitN(stamp, ".", 2)[1], "garbage": "ikke.et.stempel"} {
		f.Set("stamp", forged)
		refused(name, c.post("/henvendelse", f), "kunne ikke leses helt")
	}
	if n := e.count(t, "enquiries"); n != 1 {
		t.Errorf("%d enquiries stored, want the one sent again", n)
	}
	if n := len(e.deliver(t)); n != 1 {
		t.Errorf("%d mails", n)
	}
}

// The rate limits: posts from one network, links to one contact (quietly:
// the same answer, nothing stored or sent), and the token pages.
func TestEnquiryRateLimits(t *testing.T) {
	web.SetEnquiryLimits(t, 4, 3, 2)
	e := newEnqEnv(t, store.SQLite)
	c := newClient(t, e.srv)
	// Two links to one contact; the third post for it looks the same and
	// does nothing.
	for i := range 3 {
		wantRedirect(t, "post", e.submit(t, c, "nb", enqForm()), "/henvendelse/sendt?til=email")
		if n := e.count(t, "enquiries"); n != min(i+1, 2) {
			t.Errorf("after post %d: %d enquiries", i+1, n)
		}
	}
	if n := len(e.deliver(t)); n != 2 {
		t.Errorf("%d mails to one address, want 2", n)
	}
	// The contact's address in another spelling is the same contact.
	wantRedirect(t, "same contact", e.submit(t, c, "nb", enqForm("contact", " SOLVEIG@example.no ")), "/henvendelse/sendt?til=email")
	if n := e.count(t, "enquiries"); n != 2 {
		t.Errorf("%d enquiries", n)
	}
	// The network's fifth post in the window is refused, the form kept.
	r := e.submit(t, c, "nb", enqForm("contact", "kari@example.no"))
	if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" ||
		!strings.Contains(r.body, "for mange henvendelser fra nettverket ditt") || !strings.Contains(r.body, `value="kari@example.no"`) {
		t.Errorf("over the limit: %d %q", r.status, r.header.Get("Retry-After"))
	}
	checkEnqPage(t, "rate limited", r, "nb")
	log, _ := e.st.AuditLog(context.Background(), store.AuditFilter{Action: "enquiry.rate_limited"})
	if len(log) != 2 { // contact, source: the first refusal of each
		t.Errorf("audit: %+v", log)
	}
	// A new window lets the network in again.
	e.clock.Add(15 * time.Minute)
	wantRedirect(t, "a new window", e.submit(t, c, "nb", enqForm("contact", "kari@example.no")), "/henvendelse/sendt?til=email")

	// Token pages: three requests from the network, then 429.
	unknown := "/min-henvendelse/" + strings.Repeat("A", 43)
	for range 3 {
		if r := c.get(unknown); r.status != 404 {
			t.Errorf("unknown token: %d", r.status)
		}
	}
	r = c.get(unknown)
	if r.status != http.StatusTooManyRequests || !strings.Contains(r.body, "<h1>For mange forsøk</h1>") ||
		!strings.Contains(r.body, "Prøv igjen om") || strings.Contains(r.body, "virker ikke") {
		t.Errorf("token pages over the limit: %d", r.status)
	}
	checkEnqPage(t, "token page over the limit", r, "nb")
	checkEnqTokenPage(t, "token page over the limit", r)
}

// The person's own page, by the link: confirm (only by POST), see
// everything, correct it (to another house's municipality), download it,
// pause and resume, answer "still interested?", withdraw and delete; then
// the link does not work, like any unknown link.
func TestEnquirySelfService(t *testing.T) {
	for _, eng := range storetest.Engines {
		t.Run(string(eng), func(t *testing.T) {
			e := newEnqEnv(t, eng)
			c := newClient(t, e.srv)
			wantRedirect(t, "the form", e.submit(t, c, "nb", enqForm()), "/henvendelse/sendt?til=email")
			path, token := e.enqLink(t, e.deliver(t)[0].Body)

			person := newClient(t, e.srv)
			r := person.get(path)
			if r.status != 200 {
				t.Fatalf("the person's page: %d", r.status)
			}
			checkEnqPage(t, "own page (unconfirmed)", r, "nb")
			checkEnqTokenPage(t, "own page", r)
			body := html.UnescapeString(r.body)
			for _, s := range []string{"Bekreft henvendelsen", `action="` + path + `/bekreft" method="post"`, "Ikke bekreftet",
				"Solveig", "E-post: solveig@example.no", "Jeg har mistet mannen min<br>og trenger noen å snakke med", "Sorg",
				"Tromsø", "Inntil 25 km", "Fysisk møte, På video", "Tirsdag kveld, Torsdag kveld", "Norsk bokmål",
				"Skjemaet på nettsiden", "versjon " + web.EnquiryConsentVersion, "Huset Tromsø",
				"Bekrefter du ikke, sletter vi alt 9. mars 2026.", path + "/endre", path + "/data.json", path + "/slett"} {
				if !strings.Contains(body, s) {
					t.Errorf("the person's page lacks %q", s)
				}
			}
			if strings.Contains(body, path+"/pause") {
				t.Error("an unconfirmed enquiry offers a pause")
			}
			// Unconfirmed past its deletion date (the retention job has not
			// run yet): the link no longer works.
			e.clock.Add(7*24*time.Hour + time.Minute)
			if r := person.get(path); r.status != 404 {
				t.Errorf("an unconfirmed enquiry past its date: %d", r.status)
			}
			if r := person.post(path+"/bekreft", nil); r.status != 404 {
				t.Errorf("confirmed past its date: %d", r.status)
			}
			e.clock.Add(-7*24*time.Hour - time.Minute)
			// Never confirmed by a GET: mail scanners open links.
			if r := person.get(path + "/bekreft"); r.status != http.StatusMethodNotAllowed {
				t.Errorf("GET confirm: %d", r.status)
			}
			if l := e.staffSees(t); len(l) != 0 {
				t.Fatal("seen before it was confirmed")
			}
			wantRedirect(t, "confirm", person.post(path+"/bekreft", nil), path+"?melding=bekreftet")
			r = person.get(path + "?melding=bekreftet")
			if !strings.Contains(r.body, "Henvendelsen er bekreftet") || !strings.Contains(r.body, "Mottatt") ||
				strings.Contains(r.body, path+"/bekreft") || !strings.Contains(r.body, path+"/pause") {
				t.Errorf("after confirming:\n%s", r.body)
			}
			checkEnqPage(t, "own page (new)", r, "nb")
			if l := e.staffSees(t); len(l) != 1 || l[0].Status != store.EnquiryNew {
				t.Fatalf("a coordinator sees %+v", l)
			}
			wantRedirect(t, "confirm twice", person.post(path+"/bekreft", nil), path)

			// Correct: the same form, filled in; errors keep what was typed.
			r = person.get(path + "/endre")
			checkEnqPage(t, "correct", r, "nb")
			checkEnqTokenPage(t, "correct", r)
			body = html.UnescapeString(r.body)
			for _, s := range []string{`value="Solveig"`, `value="sorg" checked`, `<option value="5501" selected>`, `value="tue-evening" checked`,
				`value="solveig@example.no"`, `name="adult" value="1" checked`, "Lagre endringene"} {
				if !strings.Contains(body, s) {
					t.Errorf("the correction form lacks %q", s)
				}
			}
			if strings.Contains(body, `name="consent"`) || strings.Contains(body, `name="stamp"`) {
				t.Error("the correction asks for consent again or has the spam guard")
			}
			r = person.post(path+"/endre", enqForm("name", "", "contact", "solveig@"))
			if r.status != 400 || !strings.Contains(r.body, `id="name-error"`) || !strings.Contains(r.body, `value="solveig@"`) {
				t.Errorf("a bad correction: %d", r.status)
			}
			checkEnqPage(t, "correct with errors", r, "nb")
			wantRedirect(t, "correct", person.post(path+"/endre", enqForm("name", "Sol", "municipality", "1804", "theme", "angst|sorg")),
				path+"?melding=lagret")
			got, _ := e.st.EnquiryByToken(context.Background(), auth.HashToken(token))
			if got.Name != "Sol" || got.Municipality != "1804" || got.OrgID != e.town.ID || len(got.Themes) != 2 {
				t.Errorf("after the correction: %+v", got)
			}
			if r := person.get(path + "?melding=lagret"); !strings.Contains(r.body, "Endringene er lagret") || !strings.Contains(r.body, "Huset Bodø") {
				t.Error("the page after the correction")
			}

			// Pause and resume; a move the enquiry cannot make changes nothing.
			wantRedirect(t, "resume before pause", person.post(path+"/fortsett", nil), path)
			wantRedirect(t, "pause", person.post(path+"/pause", nil), path+"?melding=pause")
			if r := person.get(path); !strings.Contains(r.body, "På pause") || !strings.Contains(r.body, path+"/fortsett") {
				t.Error("the paused page")
			}
			wantRedirect(t, "resume", person.post(path+"/fortsett", nil), path+"?melding=fortsett")
			got, _ = e.st.EnquiryByToken(context.Background(), auth.HashToken(token))
			if got.Status != store.EnquiryWaiting {
				t.Errorf("after resuming: %s", got.Status)
			}

			// "Still interested?" only when asked.
			wantRedirect(t, "not asked", person.post(path+"/fortsatt-interessert", nil), path)
			if _, err := e.db(t).Exec(`UPDATE enquiries SET asked_at = $2 WHERE id = $1`, got.ID, e.clock.Now().UTC()); err != nil {
				t.Fatal(err)
			}
			r = person.get(path)
			if !strings.Contains(r.body, "Ønsker du fortsatt en gruppe?") || !strings.Contains(r.body, "1. april 2026") {
				t.Errorf("the question:\n%s", r.body)
			}
			checkEnqPage(t, "own page (asked)", r, "nb")
			wantRedirect(t, "still interested", person.post(path+"/fortsatt-interessert", nil), path+"?melding=fortsatt")
			r = person.get(path)
			if strings.Contains(r.body, "Ønsker du fortsatt en gruppe?") || !strings.Contains(r.body, "Du svarte at du fortsatt ønsker en gruppe") {
				t.Error("after answering")
			}
			checkEnqPage(t, "own page (en)", person.get("/en"+path), "en")
			checkEnqPage(t, "own page (nn)", person.get("/nn"+path), "nn")

			// Withdraw: a confirmation step, then everything is gone.
			r = person.get(path + "/slett")
			checkEnqPage(t, "confirm delete", r, "nb")
			checkEnqTokenPage(t, "confirm delete", r)
			if !strings.Contains(r.body, "Ja, slett alt nå") || !strings.Contains(r.body, `action="`+path+`/slett" method="post"`) {
				t.Error("the confirmation step")
			}
			if l := e.staffSees(t); len(l) != 1 {
				t.Fatal("a GET deleted the enquiry")
			}
			wantRedirect(t, "delete", person.post(path+"/slett", nil), "/henvendelse/slettet")
			checkEnqPage(t, "gone", person.get("/henvendelse/slettet"), "nb")
			if l := e.staffSees(t); len(l) != 0 {
				t.Error("the enquiry is still there")
			}
			for _, table := range []string{"enquiries", "enquiry_themes", "enquiry_history"} {
				if n := e.count(t, table); n != 0 {
					t.Errorf("%d rows left in %s", n, table)
				}
			}
			if n := e.count(t, "enquiry_stats"); n != 1 {
				t.Errorf("%d statistics rows", n)
			}

			// The link no longer works: the same page as a link that never did.
			r = person.get(path)
			unknown := person.get("/min-henvendelse/" + strings.Repeat("B", 43))
			if r.status != 404 || unknown.status != 404 ||
				strings.ReplaceAll(r.body, token, "T") != strings.ReplaceAll(unknown.body, strings.Repeat("B", 43), "T") {
				t.Errorf("the spent link %d and an unknown one %d differ", r.status, unknown.status)
			}
			checkEnqPage(t, "spent link", r, "nb")
			checkEnqTokenPage(t, "spent link", r)
			for _, p := range []string{path + "/endre", path + "/slett", path + "/data.json", "/min-henvendelse/kort", "/min-henvendelse/" + token + "/x"} {
				if r := person.get(p); r.status != 404 || r.header.Get("Cache-Control") != "no-store" {
					t.Errorf("%s: %d %q", p, r.status, r.header.Get("Cache-Control"))
				}
			}
			for _, p := range []string{"/bekreft", "/pause", "/fortsett", "/fortsatt-interessert", "/slett", "/endre"} {
				if r := person.post(path+p, enqForm()); r.status != 404 {
					t.Errorf("POST %s with a spent link: %d", p, r.status)
				}
			}
			e.noTokens(t, token)
		})
	}
}

// The download holds every field of the enquiry and its history, as an
// attachment nobody may keep.
func TestEnquiryDownload(t *testing.T) {
	e := newEnqEnv(t, store.SQLite)
	c := newClient(t, e.srv)
	wantRedirect(t, "the form", e.submit(t, c, "nb", enqForm("not_own", "1", "language", "nb|en")), "/henvendelse/sendt?til=email")
	path, token := e.enqLink(t, e.deliver(t)[0].Body)
	wantRedirect(t, "confirm", c.post(path+"/bekreft", nil), path+"?melding=bekreftet")
	got, _ := e.st.EnquiryByToken(context.Background(), auth.HashToken(token))
	coord := store.WithActor(context.Background(), store.Actor{ID: e.coord.ID})
	read, err := e.st.ReadEnquiry(coord, got.ID)
	if err != nil {
		t.Fatal(err)
	}
	read.IntakeNote = "Ønsker kveldsgruppe"
	if err := e.st.UpdateEnquiry(coord, &read); err != nil {
		t.Fatal(err)
	}
	if err := e.st.SetEnquiryStatus(coord, got.ID, store.StatusChange{To: store.EnquiryWaiting}, e.clock.Now(), store.DefaultRetention); err != nil {
		t.Fatal(err)
	}

	r := c.get(path + "/data.json")
	if r.status != 200 || r.header.Get("Content-Type") != "application/json; charset=utf-8" ||
		r.header.Get("Content-Disposition") != `attachment; filename="henvendelse.json"` {
		t.Fatalf("download: %d %v", r.status, r.header)
	}
	checkEnqTokenPage(t, "download", r)
	var out struct {
		Enquiry map[string]any   `json:"enquiry"`
		History []map[string]any `json:"history"`
	}
	dec := json.NewDecoder(strings.NewReader(r.body))
	dec.UseNumber()
	if err := dec.Decode(&out); err != nil {
		t.Fatal(err)
	}
	// Every field of store.Enquiry is in the download.
	keys := map[string]string{"ID": "id", "OrgID": "house", "Status": "status", "Channel": "channel",
		"ReferralKind": "referral_kind", "ReferredBy": "referred_by_partner", "Name": "name", "ContactKind": "contact_kind",
		"Contact": "contact", "OwnWords": "own_words", "IntakeNote": "intake_note", "Municipality": "municipality",
		"TravelKm": "travel_km", "NotOwnMunicipality": "not_own_municipality", "Formats": "formats", "Slots": "slots",
		"Languages": "languages", "Themes": "themes", "Adult": "adult", "ConsentVersion": "consent_version",
		"ConsentRecordedBy": "consent_recorded_by_staff", "Lang": "lang", "GroupID": "group_id", "CreatedAt": "created_at",
		"ConfirmedAt": "confirmed_at", "StatusChangedAt": "status_changed_at", "WaitingSince": "waiting_since",
		"AskedAt": "asked_at", "DeleteAfter": "delete_after"}
	ty := reflect.TypeOf(store.Enquiry{})
	for i := range ty.NumField() {
		k, ok := keys[ty.Field(i).Name]
		if !ok {
			t.Errorf("store.Enquiry.%s is not in the download (add it, and to this test)", ty.Field(i).Name)
			continue
		}
		if _, ok := out.Enquiry[k]; !ok {
			t.Errorf("the download lacks %q", k)
		}
	}
	want := map[string]any{"name": "Solveig", "contact": "solveig@example.no", "contact_kind": "email",
		"own_words": "Jeg har mistet mannen min\nog trenger noen å snakke med", "intake_note": "Ønsker kveldsgruppe",
		"status": "waiting", "channel": "web", "not_own_municipality": true, "adult": true, "travel_km": json.Number("25"),
		"consent_version": web.EnquiryConsentVersion, "lang": "nb", "referred_by_partner": false}
	for k, v := range want {
		if !reflect.DeepEqual(out.Enquiry[k], v) {
			t.Errorf("%s = %#v, want %#v", k, out.Enquiry[k], v)
		}
	}
	if m, _ := out.Enquiry["municipality"].(map[string]any); m["id"] != "5501" || m["name"] != "Tromsø" {
		t.Errorf("municipality %v", out.Enquiry["municipality"])
	}
	if h, _ := out.Enquiry["house"].(map[string]any); h["name"] != "Huset Tromsø" {
		t.Errorf("house %v", out.Enquiry["house"])
	}
	if th, _ := out.Enquiry["themes"].([]any); len(th) != 1 || th[0].(map[string]any)["name"] != "Sorg" {
		t.Errorf("themes %v", out.Enquiry["themes"])
	}
	if l, _ := out.Enquiry["languages"].([]any); len(l) != 2 {
		t.Errorf("languages %v", out.Enquiry["languages"])
	}
	if out.Enquiry["confirmed_at"] == nil || out.Enquiry["waiting_since"] == nil || out.Enquiry["asked_at"] != nil {
		t.Errorf("dates: %v", out.Enquiry)
	}
	if len(out.History) != 3 || out.History[0]["by"] != "person" || out.History[1]["reason"] != "confirmed" ||
		out.History[2]["status"] != "waiting" || out.History[2]["by"] != "house" {
		t.Errorf("history: %v", out.History)
	}
	if strings.Contains(r.body, e.coord.ID) {
		t.Error("the download names a staff user")
	}
}

// A partner refers a person who is present: the link goes to the person,
// the partner sees a notice and never the enquiry again, and no
// coordinator sees it until the person confirms.
func TestEnquiryReferral(t *testing.T) {
	for _, eng := range storetest.Engines {
		t.Run(string(eng), func(t *testing.T) {
			e := newEnqEnv(t, eng)
			secrets := map[string]string{}

			anon := newClient(t, e.srv)
			if r := anon.get("/kontor/henvisning"); r.status != http.StatusSeeOther ||
				!strings.HasPrefix(r.location(), "/logg-inn") {
				t.Errorf("signed out: %d %s", r.status, r.location())
			}
			ctx := store.WithActor(context.Background(), store.Actor{ID: "test"})
			if _, err := e.svc.CreateUser(ctx, auth.NewUser{Email: "stine@example.no", Name: "Stine Starter", Password: staffPassword,
				Memberships: []store.Membership{{OrgID: e.house.ID, Role: store.RoleStarter}}}); err != nil {
				t.Fatal(err)
			}
			starter := newClient(t, e.srv)
			e.signInFull(t, starter, "stine@example.no", secrets)
			if r := starter.get("/kontor/henvisning"); r.status != 404 {
				t.Errorf("a starter: %d", r.status)
			}
			if r := starter.post("/kontor/henvisning", enqForm("referral_kind", "gp")); r.status != 404 {
				t.Errorf("a starter posts: %d", r.status)
			}

			partner := newClient(t, e.srv)
			e.signInFull(t, partner, "per@example.no", secrets)
			r := partner.get("/kontor/henvisning")
			if r.status != 200 {
				t.Fatalf("the referral page: %d", r.status)
			}
			checkEnqPage(t, "referral", r, "nb")
			body := html.UnescapeString(r.body)
			for _, s := range []string{"Henvis en person til en selvhjelpsgruppe", `name="referral_kind" value="gp"`, "Fastlege",
				"Personen er 18 år eller eldre", "Personen har lest dette", "må bekrefte med den før selvhjelpshuset ser henvendelsen"} {
				if !strings.Contains(body, s) {
					t.Errorf("the referral page lacks %q", s)
				}
			}
			if strings.Contains(body, `name="nettside"`) {
				t.Error("the staff page has the honeypot")
			}
			checkEnqPage(t, "referral (en)", partner.get("/en/kontor/henvisning"), "en")
			r = partner.post("/kontor/henvisning", enqForm("consent", ""))
			if r.status != 400 || !strings.Contains(r.body, `id="referral_kind-error"`) || !strings.Contains(r.body, `id="consent-error"`) ||
				!strings.Contains(r.body, `value="Solveig"`) {
				t.Errorf("a bad referral: %d", r.status)
			}
			checkEnqPage(t, "referral with errors", r, "nb")
			wantRedirect(t, "refer", partner.post("/kontor/henvisning", enqForm("referral_kind", "nav", "contact_kind", "phone",
				"contact", "912 34 567")), "/kontor/henvisning?melding=henvist")
			r = partner.get("/kontor/henvisning?melding=henvist")
			if !strings.Contains(r.body, "Personen får en lenke og må bekrefte") || strings.Contains(r.body, "Solveig") {
				t.Errorf("after referring:\n%s", r.body)
			}

			// Nobody at the house sees it: not in the lists, not by a read.
			if l := e.staffSees(t); len(l) != 0 {
				t.Fatalf("a coordinator sees the referral: %+v", l)
			}
			sms, err := e.st.ClaimOutbox(context.Background(), store.ChannelSMS, time.Now().Add(time.Hour), 10, time.Minute)
			if err != nil || len(sms) != 1 || sms[0].To != "+4791234567" || !strings.Contains(sms[0].Body, "med hjelp") {
				t.Fatalf("the text to the person: %+v %v", sms, err)
			}
			path, token := e.enqLink(t, sms[0].Body)
			ref, _ := e.st.EnquiryByToken(context.Background(), auth.HashToken(token))
			if ref.Channel != "referral" || ref.ReferralKind != "nav" || ref.ReferredBy != e.partner.ID || ref.OrgID != e.house.ID ||
				ref.Status != store.EnquiryUnconfirmed {
				t.Errorf("the referral: %+v", ref)
			}
			coordCtx := store.WithActor(context.Background(), store.Actor{ID: e.coord.ID})
			if _, err := e.st.ReadEnquiry(coordCtx, ref.ID); err == nil {
				t.Error("a coordinator reads the referral before it is confirmed")
			}
			log, _ := e.st.AuditLog(context.Background(), store.AuditFilter{Action: "enquiry.create"})
			if len(log) != 1 || log[0].ActorID != e.partner.ID || log[0].Detail["channel"] != "referral" {
				t.Errorf("audit: %+v", log)
			}

			// The person confirms; now the house sees it.
			person := newClient(t, e.srv)
			r = person.get(path)
			if !strings.Contains(r.body, "Henvisning fra NAV") {
				t.Errorf("the person's page does not say it was a referral")
			}
			wantRedirect(t, "confirm", person.post(path+"/bekreft", nil), path+"?melding=bekreftet")
			if l := e.staffSees(t); len(l) != 1 || l[0].ID != ref.ID {
				t.Errorf("after confirming: %+v", l)
			}

			// A coordinator may refer too.
			coord := newClient(t, e.srv)
			e.signInFull(t, coord, "kari@example.no", secrets)
			if r := coord.get("/kontor/henvisning"); r.status != 200 {
				t.Errorf("a coordinator: %d", r.status)
			}
		})
	}
}

// Through the whole application: the access log has no token, no name,
// no address and no words of the person; it says the paths with the token
// cut off.
func TestEnquiryAccessLog(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	var buf bytes.Buffer
	h := app.Handler(st, finder.New(st), slog.New(slog.NewTextHandler(&buf, nil)))
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c := newClient(t, srv)
	ctx := store.WithActor(context.Background(), store.Actor{ID: "test"})
	house := domain.Organisation{Kind: domain.OrgSelfHelpHouse, Slug: "huset", Name: "Huset", Municipalities: []string{"5501"}}
	if err := st.SaveOrganisation(ctx, &house); err != nil {
		t.Fatal(err)
	}
	if r := c.get("/henvendelse"); r.status != 200 {
		t.Fatalf("the form: %d", r.status)
	}
	stamp, err := web.EnquiryStamp(context.Background(), st, time.Now().Add(-10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	f := enqForm("theme", "", "contact", "hemmelig.person@example.no", "name", "Hemmeligsen", "own_words", "sorgen min")
	f.Set("stamp", stamp)
	req, _ := http.NewRequest("POST", srv.URL+"/henvendelse", strings.NewReader(f.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", srv.URL)
	if r := c.do(req); r.status != http.StatusSeeOther {
		t.Fatalf("the post: %d\n%s", r.status, r.body)
	}
	mails, err := st.ClaimMail(context.Background(), time.Now().Add(time.Hour), 10, time.Minute)
	if err != nil || len(mails) != 1 {
		t.Fatalf("mails: %v %v", mails, err)
	}
	m := reEnqLink.FindStringSubmatch(mails[0].Body)
	if m == nil {
		t.Fatal("no link")
	}
	path, token := m[1], m[2]
	for _, p := range []string{path, path + "/endre", path + "/data.json"} {
		if r := c.get(p); r.status != 200 {
			t.Errorf("%s: %d", p, r.status)
		}
	}
	req, _ = http.NewRequest("POST", srv.URL+path+"/bekreft", nil)
	req.Header.Set("Origin", srv.URL)
	if r := c.do(req); r.status != http.StatusSeeOther {
		t.Errorf("confirm: %d", r.status)
	}
	log := buf.String()
	for _, secret := range []string{token, auth.HashToken(token), "hemmelig", "Hemmeligsen", "sorgen"} {
		if strings.Contains(strings.ToLower(log), strings.ToLower(secret)) {
			t.Errorf("the log holds %q", secret)
		}
	}
	if !strings.Contains(log, "path=/min-henvendelse/…") || !strings.Contains(log, "path=/henvendelse ") {
		t.Errorf("the log:\n%s", log)
	}
}
