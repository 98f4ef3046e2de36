package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/fellesrom/fellesrom/internal/browsertest"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// TestGroupselfBrowser drives Chromium the way the people would: the
// coordinator of house1 sends the group's link to its contact person (first
// to an address that is no address); the contact opens the link from the
// mail and reports the month's meetings and participants (first forgetting
// a number, which the page points out with what was typed kept), asks for
// another room, and the coordinator finds the report and the request in
// the group's history and the house's list; then the coordinator keeps
// the outreach log (a mistake first) and reads the totals. axe-core checks
// every page, with and without errors, in Bokmål and English, and each
// fits a 320 px screen.
func TestGroupselfBrowser(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	f := newOfficeFixture(t, st)
	gm := newGroupselfMail(t, st)
	srv := f.srv
	host := srv.Listener.Addr().String()
	g := f.groups["house1"]
	ctx := browsertest.Tab(t)
	reqs := record(t, ctx)
	narrow := browsertest.Tab(t, browsertest.WithViewport(320, 640))
	axed := 0
	var seen []string
	check := func(name string) {
		t.Helper()
		checkPage(t, ctx, name)
		axed++
		seen = append(seen, pagePath(t, ctx))
	}
	a := browserActions(t, ctx, srv.URL)
	open, setVal, typeIn, click, submit, path, text := a.open, a.setVal, a.typeIn, a.click, a.submit, a.path, a.text
	value := func(id string) string {
		t.Helper()
		return val(t, ctx, chromedp.Value(chromedp.ID(id)))
	}
	signIn := func(email string) {
		t.Helper()
		open("/logg-inn")
		typeIn("email", email)
		typeIn("password", staffPassword)
		submit(".staff-form button")
		if p := path(); p != "/kontor/totp" {
			t.Fatalf("%s after the password: %s", email, p)
		}
		secret := strings.ReplaceAll(text("#totp-secret"), " ", "")
		typeIn("code", code(t, secret, f.clock.Now()))
		submit(".staff-form button")
		if p := path(); p != "/kontor?melding=totp" {
			t.Fatalf("%s after enrolment: %s", email, p)
		}
	}

	// The coordinator finds the link's page from the group's page.
	signIn(officeEmails["coordHouse"])
	open("/kontor/grupper/" + g.ID)
	linkSel := `a[href="/kontor/grupper/` + g.ID + `/gruppelenke"]`
	if n := val(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll(`+jsString(linkSel)+`).length`)); n != 1 {
		t.Fatalf("the group's page has %d links to the group's own link, want 1 (office_group.html includes groupself_office)", n)
	}
	submit(linkSel)
	if p := path(); p != "/kontor/grupper/"+g.ID+"/gruppelenke" {
		t.Fatalf("the link's page: %s", p)
	}
	if s := text("#link-state"); !strings.Contains(s, "ingen lenke") {
		t.Errorf("before sending: %q", s)
	}
	check("the group's link, none yet (nb)")
	typeIn("email", "kontakt på example.no")
	if s := submit("form.groupself-send button"); s != 400 {
		t.Fatalf("a bad address: %d", s)
	}
	if v := value("email"); v != "kontakt på example.no" {
		t.Errorf("the address typed is gone: %q", v)
	}
	if s := text("#email-error"); !strings.Contains(s, "e-postadresse") {
		t.Errorf("the error at the field: %q", s)
	}
	check("the group's link with an error (nb)")
	typeIn("email", "kontakt@example.no")
	submit("form.groupself-send button")
	if p := path(); p != "/kontor/grupper/"+g.ID+"/gruppelenke?melding=sendt" {
		t.Fatalf("after sending: %s", p)
	}
	if s := text("#link-state"); !strings.Contains(s, "Hans Huset") {
		t.Errorf("after sending: %q", s)
	}
	check("the group's link, sent (nb)")
	posts := gm.deliver()
	if len(posts) != 1 || posts[0].To != "kontakt@example.no" || !strings.Contains(posts[0].Body, "Huset Tromsø har laget en lenke") {
		t.Fatalf("the mail: %+v", posts)
	}
	link := groupLinkOf(t, posts[0])

	// The contact, in a browser of their own, from the mail.
	contact := browsertest.Tab(t)
	crec := record(t, contact)
	cload := func(steps ...chromedp.Action[chromedp.Void]) int64 {
		t.Helper()
		return load(t, contact, steps...)
	}
	cval := func(sel string) string {
		t.Helper()
		return val(t, contact, chromedp.Value(chromedp.CSS(sel)))
	}
	ctext := func(sel string) string {
		t.Helper()
		return val(t, contact, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
	}
	ctype := func(id, s string) {
		t.Helper()
		do(t, contact, chromedp.Evaluate[chromedp.Void](`document.getElementById(`+jsString(id)+`).value = ''`),
			chromedp.SendKeys(chromedp.ID(id), s, chromedp.NodeVisible))
	}
	if s := cload(chromedp.Navigate(srv.URL + link)); s != 200 {
		t.Fatalf("the contact's page: %d", s)
	}
	checkPage(t, contact, "the contact's page (nb)")
	axed++
	if h := ctext("h1"); h != "Gruppe house1" {
		t.Errorf("h1 %q", h)
	}
	// February: four meetings, and the number present forgotten.
	ctype("meetings-2026-02", "4")
	if s := cload(chromedp.Click(chromedp.CSS("form.groupself-report button"), chromedp.NodeVisible)); s != 400 {
		t.Fatalf("a report without the number present: %d", s)
	}
	if v := cval("#meetings-2026-02"); v != "4" {
		t.Errorf("the meetings typed are gone: %q", v)
	}
	if s := ctext("#present-2026-02-error"); !strings.Contains(s, "Februar 2026") {
		t.Errorf("the error at the field: %q", s)
	}
	if n := val(t, contact, chromedp.Evaluate[int](`document.querySelectorAll('.error-summary a[href="#present-2026-02"]').length`)); n != 1 {
		t.Error("the error summary does not lead to the field")
	}
	checkPage(t, contact, "the contact's page with an error (nb)")
	axed++
	ctype("present-2026-02", "6")
	cload(chromedp.Click(chromedp.CSS("form.groupself-report button"), chromedp.NodeVisible))
	if s := ctext(".notice"); !strings.Contains(s, "Tallene er lagret") {
		t.Errorf("after the report: %q", s)
	}
	if v := cval("#present-2026-02"); v != "6" {
		t.Errorf("the page shows %q present", v)
	}
	// Another room, please.
	do(t, contact, chromedp.Click(chromedp.CSS(`label[for="request_kind"]`), chromedp.NodeVisible))
	ctype("request_message", "Et rom uten trapper fra april")
	cload(chromedp.Click(chromedp.CSS("form.groupself-request button"), chromedp.NodeVisible))
	if s := ctext("#sent-requests"); !strings.Contains(s, "Et annet rom") || !strings.Contains(s, "Ikke ordnet ennå") {
		t.Errorf("the requests sent: %q", s)
	}
	checkPage(t, contact, "the contact's page with a request (nb)")
	axed++
	cload(chromedp.Navigate(srv.URL + "/en" + strings.TrimPrefix(link, "")))
	checkPage(t, contact, "the contact's page (en)")
	axed++
	if reports, _ := st.GroupReports(context.Background(), g.ID); len(reports) != 1 || reports[0].Meetings != 4 || reports[0].Present != 6 {
		t.Errorf("stored %+v", reports)
	}
	crec.checkHosts(t, host)
	if posts := gm.deliver(); len(posts) != 1 || posts[0].To != officeEmails["coordHouse"] {
		t.Errorf("the mail to the house: %+v", posts)
	}

	// The coordinator sees it all in the group's history.
	f.clock.Add(time.Minute)
	open("/kontor/grupper/" + g.ID)
	hist := text("#change-history")
	for _, want := range []string{"Tall meldt inn", "Februar 2026: møter: 4, deltakere: 6", "Gruppens kontaktperson",
		"Ønske sendt til huset", "Et annet rom", "Lenke sendt til kontaktpersonen", "Hans Huset"} {
		if !strings.Contains(hist, want) {
			t.Errorf("the group's history lacks %q: %q", want, hist)
		}
	}
	check("the group's page with its history (nb)")
	open("/kontor/gruppeonsker")
	if s := text("#open-requests"); !strings.Contains(s, "Et rom uten trapper fra april") || !strings.Contains(s, "Gruppe house1") {
		t.Errorf("the house's list: %q", s)
	}
	check("requests from groups (nb)")
	submit("#open-requests form button")
	if p := path(); p != "/kontor/gruppeonsker?melding=ordnet" {
		t.Errorf("after marking done: %s", p)
	}
	if s := text("#done-requests"); !strings.Contains(s, "Ordnet 2. mars 2026") || !strings.Contains(s, "Hans Huset") {
		t.Errorf("done: %q", s)
	}
	check("requests from groups, one done (nb)")
	open("/en/kontor/gruppeonsker")
	check("requests from groups (en)")
	open("/en/kontor/grupper/" + g.ID + "/gruppelenke")
	if s := text("#group-reports"); !strings.Contains(s, "February 2026: meetings: 4, participants: 6") {
		t.Errorf("the reports in English: %q", s)
	}
	check("the group's link (en)")

	// The outreach log: a mistake first, then right.
	open("/kontor/informasjonsarbeid")
	check("outreach log, empty (nb)")
	submit("form.office-inline-form button")
	if p := path(); p != "/kontor/informasjonsarbeid/ny?organisasjon="+f.orgs["house1"].ID {
		t.Fatalf("new entry: %s", p)
	}
	check("new outreach entry (nb)")
	setVal("day", "")
	typeIn("audience", "Fastlegene i Tromsø")
	typeIn("reached", "tolv")
	if s := submit("form.office-form button[type=submit]"); s != 400 {
		t.Fatalf("an entry with mistakes: %d", s)
	}
	if links := val(t, ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('.error-summary a')].map(a => a.getAttribute('href'))`)); strings.Join(links, " ") != "#day #kind #reached" {
		t.Errorf("error summary links %v", links)
	}
	if v := value("audience"); v != "Fastlegene i Tromsø" {
		t.Errorf("the audience typed is gone: %q", v)
	}
	check("new outreach entry with errors (nb)")
	setVal("day", "2026-02-12")
	click(`label[for="kind"]`) // a talk
	typeIn("reached", "12")
	submit("form.office-form button[type=submit]")
	if p := path(); p != "/kontor/informasjonsarbeid?melding=lagret" {
		t.Fatalf("after saving: %s", p)
	}
	open("/kontor/informasjonsarbeid/ny?organisasjon=" + f.orgs["house1"].ID)
	setVal("day", "2026-02-20")
	click(`label[for="kind-3"]`) // brochures
	typeIn("reached", "150")
	submit("form.office-form button[type=submit]")
	if s := text("#outreach-totals"); !strings.Contains(s, "Februar 2026") || !strings.Contains(s, "1 oppføring, 12 nådd") ||
		!strings.Contains(s, "150 brosjyrer") {
		t.Errorf("the totals: %q", s)
	}
	if s := text("#outreach-entries"); !strings.Contains(s, "Foredrag for en organisasjon eller tjeneste: Fastlegene i Tromsø") ||
		!strings.Contains(s, "12. februar 2026") {
		t.Errorf("the entries: %q", s)
	}
	check("outreach log (nb)")
	open("/kontor/informasjonsarbeid?fra=2026-02-15&til=2026-02-01&type=talk")
	if s := text("#til-error"); !strings.Contains(s, "Til-datoen") {
		t.Errorf("a period backwards: %q", s)
	}
	check("outreach log with an error (nb)")
	open("/kontor/informasjonsarbeid?fra=2026-02-01&til=2026-02-28&type=brochures")
	if s := text("#outreach-entries"); strings.Contains(s, "Fastlegene") || !strings.Contains(s, "150 brosjyrer") {
		t.Errorf("brochures in February: %q", s)
	}
	submit("#outreach-entries a")
	check("edit outreach entry (nb)")
	submit("form.outreach-delete button")
	if p := path(); p != "/kontor/informasjonsarbeid?melding=slettet" {
		t.Errorf("after deleting: %s", p)
	}
	open("/en/kontor/informasjonsarbeid")
	check("outreach log (en)")
	open("/en/kontor/informasjonsarbeid/ny")
	check("new outreach entry (en)")

	// A 320 px screen: nothing wider than it.
	seen = append(seen, link)
	for _, p := range seen {
		load(t, narrow, chromedp.Navigate(srv.URL+p))
		if w := val(t, narrow, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > 320 {
			t.Errorf("%s: %d px wide at 320", p, w)
		}
	}
	// Every request goes to the server.
	reqs.checkHosts(t, host)
	t.Logf("axe-core: %d pages, 0 violations", axed)
}
