package web_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/fellesrom/fellesrom/internal/browsertest"
	"github.com/fellesrom/fellesrom/internal/jobs"
	"github.com/fellesrom/fellesrom/internal/mail"
	"github.com/fellesrom/fellesrom/internal/mail/mailtest"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// flowPerson is one of the five people of the end-to-end flow, with
// strings distinctive enough that a search can only find them where they
// were left behind.
type flowPerson struct {
	name, email, phone, words, note string
	enquiry                         string // the enquiry's ID, read from the inbox
}

func flowPeople() []*flowPerson {
	var out []*flowPerson
	for i, n := range []struct{ first, last string }{
		{"Åsgerd", "Zylkevik"}, {"Torvild", "Qvarmo"}, {"Ingebjørg", "Xandalsli"}, {"Hallvor", "Zeppelund"},
		{"Rannveig", "Quistrand"},
	} {
		low := strings.ToLower(n.last)
		out = append(out, &flowPerson{
			name:  n.first + " " + n.last,
			email: "flyt." + low + "@example.no",
			phone: fmt.Sprintf("9871230%d", i+1),
			words: fmt.Sprintf("Jeg mistet søsteren min i vinter, og ingen rundt meg skjønner det (%s-ord).", n.last),
			note:  fmt.Sprintf("Vil helst bli ringt på %d etter klokka fire (%s-notat).", 98712300+i+1, n.last),
		})
	}
	return out
}

// needles are what must not be readable before the clock, nor left at all
// after it.
func (p *flowPerson) needles() []string { return []string{p.name, p.email, p.phone, p.words, p.note} }

// TestFlowEndToEnd follows five people from the public form to the
// retention clock, through the real pages in Chromium, on both engines
// (issue 4, "How it is tested"): each enquires (nb), receives the link
// over SMTP and confirms; the coordinator, signed in with TOTP, notes a
// phone number in each intake note, moves them to the pool, finds the pool
// flagged, forms a group of five; the invitations arrive and all accept by
// link; the coordinator starts the group with a room and a starter, and
// each receives the iCalendar invitation. Before the clock, a dump of the
// database holds none of their names, addresses, phones, words or notes in
// readable form; 31 days after the start-up meeting the retention job has
// deleted them, a search of every row of every table (sealed values
// opened) finds no trace of them, and five anonymous statistics rows
// remain with the outcome placed.
func TestFlowEndToEnd(t *testing.T) {
	for _, eng := range storetest.Engines {
		t.Run(string(eng), func(t *testing.T) { flowEndToEnd(t, eng) })
	}
}

func flowEndToEnd(t *testing.T, eng store.Engine) {
	st, dsn := storetest.OpenDSN(t, eng)
	db := storetest.DB(t, eng, dsn)
	f := newOfficeFixture(t, st)
	// Huset Tromsø is the one house that serves Tromsø (5501): Bodø serves Bodø.
	bodo := f.orgs["house2"]
	bodo.Municipalities = []string{"1804"}
	if err := st.SaveOrganisation(store.WithActor(context.Background(), store.Actor{ID: "test"}), &bodo); err != nil {
		t.Fatal(err)
	}
	smtp := mailtest.Start(t, mailtest.Options{})
	sender, err := mail.NewSender(mail.Config{Host: smtp.Host, Port: smtp.Port, From: "fellesrom <ikke-svar@fellesrom.example>",
		Timeout: 5 * time.Second, TLSConfig: smtp.ClientTLS()})
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	deliver := func() []matchingMail { t.Helper(); return matchingDeliver(t, st, smtp, sender, &seen) }
	people := flowPeople()
	byEmail := map[string]*flowPerson{}
	for _, p := range people {
		byEmail[p.email] = p
	}

	srv := f.srv
	ctx := browsertest.Tab(t)
	reqs := record(t, ctx)
	checked := map[string]bool{}
	axe := func(name string) { // each kind of page once
		t.Helper()
		if !checked[name] {
			checked[name] = true
			checkPage(t, ctx, name)
		}
	}
	open := func(p string) int64 { t.Helper(); return load(t, ctx, chromedp.Navigate(srv.URL+p)) }
	js := func(script string) { t.Helper(); do(t, ctx, chromedp.Evaluate[chromedp.Void](script)) }
	setVal := func(id, value string) {
		t.Helper()
		js(`document.getElementById(` + jsString(id) + `).value = ` + jsString(value))
	}
	typeIn := func(id, text string) {
		t.Helper()
		setVal(id, "")
		do(t, ctx, chromedp.SendKeys(chromedp.ID(id), text, chromedp.NodeVisible))
	}
	tick := func(id string) { t.Helper(); do(t, ctx, chromedp.Click(chromedp.ID(id), chromedp.NodeVisible)) }
	submit := func(sel string) int64 {
		t.Helper()
		return load(t, ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
	}
	path := func() string { return pagePath(t, ctx) }
	text := func(sel string) string {
		t.Helper()
		return strings.TrimSpace(val(t, ctx, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible)))
	}
	count := func(sel string) int {
		t.Helper()
		return val(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll(`+jsString(sel)+`).length`))
	}

	// Five people enquire through the form, in Bokmål, and confirm by the
	// link in the mail.
	for _, p := range people {
		if st := open("/henvendelse"); st != 200 {
			t.Fatalf("the form: %d", st)
		}
		axe("enquiry form")
		typeIn("own_words", p.words)
		tick("theme") // Sorg
		setVal("municipality", "5501")
		tick("format") // in person
		tick("slot-tue-evening")
		typeIn("name", p.name)
		typeIn("contact", p.email)
		tick("adult")
		tick("consent")
		f.clock.Add(5 * time.Second)
		if st := submit("form.enquiry-form button[type=submit]"); st != 200 || path() != "/henvendelse/sendt?til=email" {
			t.Fatalf("%s sends: %d %s", p.name, st, path())
		}
		axe("enquiry sent")
		mails := deliver()
		if len(mails) != 1 || mails[0].To != p.email {
			t.Fatalf("mails after %s enquired: %+v", p.name, mails)
		}
		got := reEnqLink.FindAllStringSubmatch(mails[0].Body, -1)
		if len(got) != 1 || !strings.HasPrefix(got[0][0], srv.URL+"/") {
			t.Fatalf("the mail to %s has the links %v:\n%s", p.email, got, mails[0].Body)
		}
		link := got[0][1]
		if st := open(link); st != 200 {
			t.Fatalf("%s opens the link: %d", p.name, st)
		}
		axe("own page, unconfirmed")
		submit(`form[action$="/bekreft"] button`)
		if path() != link+"?melding=bekreftet" || text("#d-name") != p.name || text("#d-own-words") != p.words {
			t.Fatalf("%s after confirming: %s, %q", p.name, path(), text("main"))
		}
		axe("own page, confirmed")
	}

	// The coordinator of Huset Tromsø signs in with TOTP and finds the five
	// in the inbox.
	open("/logg-inn")
	axe("sign in")
	typeIn("email", officeEmails["coordHouse"])
	typeIn("password", staffPassword)
	submit(".staff-form button")
	axe("totp enrolment")
	secret := strings.ReplaceAll(text("#totp-secret"), " ", "")
	typeIn("code", code(t, secret, f.clock.Now()))
	submit(".staff-form button")
	if p := path(); !strings.HasPrefix(p, "/kontor") {
		t.Fatalf("after signing in: %s", p)
	}
	open("/kontor/henvendelser")
	axe("inbox")
	hrefs := val(t, ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('.office-list > li a[href^="/kontor/henvendelser/"]'), a => a.getAttribute('href'))`))
	if len(hrefs) != 5 {
		t.Fatalf("the inbox links to %v, want 5 enquiries", hrefs)
	}
	// Each enquiry: a phone number in the intake note, then to the pool.
	for _, href := range hrefs {
		open(href)
		axe("enquiry")
		var p *flowPerson
		for _, q := range people {
			if strings.Contains(text("main"), q.name) {
				p = q
			}
		}
		if p == nil || p.enquiry != "" {
			t.Fatalf("%s shows no one new: %q", href, text("main"))
		}
		p.enquiry = strings.TrimPrefix(href, "/kontor/henvendelser/")
		typeIn("intake_note", p.note)
		submit(`section[aria-labelledby="note-h"] button[type=submit]`)
		if v := val(t, ctx, chromedp.Value(chromedp.ID("intake_note"))); v != p.note {
			t.Errorf("%s: the note reads %q after saving", p.name, v)
		}
		submit(`form:has(input[name=to][value=waiting]) button`)
		axe("enquiry, waiting")
	}

	// The pool is flagged: five who fit each other; form a group of five.
	open("/kontor/grupper-i-emning")
	axe("pools")
	if n := count(".badge-open"); n != 1 {
		t.Fatalf("%d pools flagged, want 1", n)
	}
	if n := count(`section.office-inline-form input[name=e]:checked`); n != 5 {
		t.Fatalf("%d people ticked in the pool, want 5", n)
	}
	if s := submit("section.office-inline-form form button[type=submit]"); s != 200 {
		t.Fatalf("form a group: %d", s)
	}
	axe("form a group")
	setVal("group_municipality", "5501")
	setVal("group_theme", f.themes[0].ID)
	setVal("slot", "tue-evening")
	typeIn("group_name", "Sorggruppe Tromsø høst")
	if s := submit("form.office-form button[type=submit]"); s != 200 {
		t.Fatalf("invite: %d", s)
	}
	formation, ok := strings.CutSuffix(path(), "?melding=invitert")
	if !ok || !strings.HasPrefix(formation, "/kontor/grupper-i-emning/") {
		t.Fatalf("after inviting: %s", path())
	}
	axe("formation")

	// The invitations arrive; all five accept by their links.
	accept := map[string]string{}
	for _, m := range deliver() {
		got := reAnswerLink.FindAllStringSubmatch(m.Body, -1)
		if len(got) != 2 || got[0][2] != "ja" || byEmail[m.To] == nil {
			t.Fatalf("the invitation to %s has the links %v:\n%s", m.To, got, m.Body)
		}
		accept[m.To] = got[0][1] + "?svar=ja"
	}
	if len(accept) != 5 {
		t.Fatalf("%d invitations arrived, want 5", len(accept))
	}
	for _, p := range people {
		if s := open(accept[p.email]); s != 200 {
			t.Fatalf("%s opens the invitation: %d", p.name, s)
		}
		axe("answer page")
		if body := text("main"); slices.ContainsFunc(people, func(q *flowPerson) bool { return strings.Contains(body, q.name) }) {
			t.Errorf("the answer page names someone: %q", body)
		}
		submit(`form:has(input[value="ja"]) button`)
		if n := count(".notice"); n != 1 {
			t.Errorf("%s: no confirmation after accepting", p.name)
		}
		axe("answer page, accepted")
	}

	// The coordinator starts the group: a room of the house, a starter.
	open(formation)
	axe("formation, ready to start")
	startDay := "2026-03-10"
	setVal("date", startDay)
	setVal("time", "18:00")
	setVal("room", f.rooms["house1"].ID)
	setVal("starter", f.users["starter"].ID)
	if s := submit("form.office-form button[type=submit]"); s != 200 || path() != formation+"?melding=startet" {
		t.Fatalf("start: %d %s", s, path())
	}
	axe("formation, started")

	// Each of the five receives the start-up meeting as an iCalendar invitation.
	invited := map[string]bool{}
	for _, m := range deliver() {
		if byEmail[m.To] == nil {
			continue
		}
		invited[m.To] = true
		if !strings.Contains(m.CalendarType, "method=REQUEST") || !strings.Contains(m.Calendar, "METHOD:REQUEST") ||
			!strings.Contains(m.Calendar, "DTSTART;TZID=Europe/Oslo:20260310T180000") || !strings.Contains(m.Calendar, "Gata 3") {
			t.Errorf("the calendar to %s (%s):\n%s", m.To, m.CalendarType, m.Calendar)
		}
		for _, q := range people {
			if q.email != m.To && (strings.Contains(m.Calendar, q.email) || strings.Contains(m.Body, q.name)) {
				t.Errorf("the start mail to %s names %s", m.To, q.name)
			}
		}
	}
	if len(invited) != 5 {
		t.Errorf("%d of the five received the start-up meeting", len(invited))
	}
	// Nothing leaves the site.
	reqs.checkHosts(t, location(t, ctx).Host)

	// Before the clock: a backup holds nothing readable about them, though
	// the search of every row (sealed values opened) finds each of them.
	dump := storetest.Dump(t, eng, dsn)
	if !bytes.Contains(dump, []byte("Sorggruppe Tromsø høst")) {
		t.Fatal("the dump does not hold the group's name: it is not a readable dump")
	}
	var all []string
	for _, p := range people {
		for _, s := range p.needles() {
			all = append(all, s)
			if bytes.Contains(dump, []byte(s)) {
				t.Errorf("the dump holds %q", s)
			}
		}
	}
	rows := storetest.EveryRow(t, eng, db)
	for _, s := range all {
		if len(storetest.Traces(rows, []string{s}, nil)) == 0 {
			t.Errorf("before the clock, the search does not find %q: it is blind", s)
		}
	}

	// The clock runs: 31 days after the start-up meeting.
	oslo, _ := time.LoadLocation("Europe/Oslo")
	day, _ := time.ParseInLocation("2006-01-02 15:04", startDay+" 18:00", oslo)
	now := day.Add(31 * 24 * time.Hour)
	res, err := jobs.RunRetention(context.Background(), st, slog.New(slog.DiscardHandler), jobs.RetentionOptions{
		Retention: store.DefaultRetention, LinkBase: srv.URL, Now: func() time.Time { return now }})
	if err != nil || res.Placed != 5 || res.Deleted() != 5 {
		t.Errorf("the clock: %+v %v", res, err)
	}

	// After: no trace of them in any row of any table, but the audit log's
	// IDs of what was done.
	needles := all
	for _, p := range people {
		needles = append(needles, p.enquiry, storetest.Keys.Index("enquiry-contact:email", p.email))
	}
	ids := map[string]bool{}
	for _, p := range people {
		ids[p.enquiry] = true
	}
	rows = storetest.EveryRow(t, eng, db)
	for _, tr := range storetest.Traces(rows, needles, func(table, s string) bool { return table == "audit_log" && ids[s] }) {
		t.Error("after the clock, " + tr)
	}
	// The anonymous statistics remain: five rows, placed, in Tromsø, on Sorg.
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM enquiry_stats WHERE enquiry_id IS NULL AND outcome = $1
		AND municipality_id = '5501' AND themes = 'sorg'`, store.OutcomePlaced).Scan(&n); err != nil || n != 5 {
		t.Errorf("%d anonymous statistics rows placed (%v), want 5", n, err)
	}
	if err := db.QueryRow(`SELECT COUNT(*) FROM enquiries`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d enquiries left (%v)", n, err)
	}
}
