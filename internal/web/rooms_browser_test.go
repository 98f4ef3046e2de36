package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/fellesrom/fellesrom/internal/browsertest"
	"github.com/fellesrom/fellesrom/internal/mail"
	"github.com/fellesrom/fellesrom/internal/mail/mailtest"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// TestRoomsBrowser drives a room request in Chromium from the public form
// to the house's approval: another organisation asks for house1's room on
// Tuesday evenings (first with mistakes, then right); the coordinator signs
// in, finds the request, tries to approve it at the time asked (it clashes
// with the group that meets there, and the page says with what and when),
// moves it to Thursdays and approves it; the answer arrives over SMTP. Then
// the coordinator goes through every other page of the area. axe-core
// finds no violation on any of them, with and without errors, in Bokmål
// and English.
func TestRoomsBrowser(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	f := newOfficeFixture(t, st)
	sr, _ := roomsSeed(t, f)
	smtp := mailtest.Start(t, mailtest.Options{})
	sender, err := mail.NewSender(mail.Config{Host: smtp.Host, Port: smtp.Port, From: "fellesrom <ikke-svar@fellesrom.example>",
		Timeout: 5 * time.Second, TLSConfig: smtp.ClientTLS()})
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	srv := f.srv
	room := f.rooms["house1"].ID
	ctx := browsertest.Tab(t)
	reqs := record(t, ctx)
	axed := 0
	check := func(name string) {
		t.Helper()
		checkPage(t, ctx, name)
		axed++
	}
	a := browserActions(t, ctx, srv.URL)
	open, setVal, typeIn, click, submit, path, text := a.open, a.setVal, a.typeIn, a.click, a.submit, a.path, a.text

	// Someone from another organisation asks, in English, first with mistakes.
	ask := "/en/rom/" + room + "/forespor"
	open(ask)
	check("request form (en)")
	f.clock.Add(5 * time.Second)
	typeIn("org_name", "Sorgstøtte Nord")
	if s := submit("form.office-form button[type=submit]"); s != 400 {
		t.Fatalf("the form with mistakes: %d", s)
	}
	check("request form with errors (en)")
	links := val(t, ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('.error-summary a')].map(a => a.getAttribute('href'))`))
	if strings.Join(links, " ") != "#contact_name #email #group_kind #not_treatment #date #start_time #consent" {
		t.Errorf("error summary links %v", links)
	}
	if v := val(t, ctx, chromedp.Value(chromedp.ID("org_name"))); v != "Sorgstøtte Nord" {
		t.Errorf("what was typed is gone: %q", v)
	}
	typeIn("contact_name", "Ragnhild Qvigstad")
	typeIn("email", "ragnhild@example.no")
	click(`label[for="group_kind-2"]`) // a peer group
	typeIn("purpose", "A support group for the bereaved")
	click(`label[for="not_treatment"]`)
	click(`label[for="kind-1"]`) // every week
	setVal("date", "2026-03-10")
	setVal("start_time", "18:00")
	setVal("minutes", "90")
	setVal("until", "2026-06-30")
	click(`label[for="consent"]`)
	f.clock.Add(5 * time.Second)
	submit("form.office-form button[type=submit]")
	if p := path(); p != "/en/rom/forespor/sendt" {
		t.Fatalf("after sending: %s", p)
	}
	check("request sent (en)")

	// The coordinator signs in and finds it.
	open("/logg-inn")
	typeIn("email", officeEmails["coordHouse"])
	typeIn("password", staffPassword)
	submit(".staff-form button")
	secret := strings.ReplaceAll(text("#totp-secret"), " ", "")
	typeIn("code", code(t, secret, f.clock.Now()))
	submit(".staff-form button")
	open("/kontor/rom")
	check("rooms (nb)")
	if !strings.Contains(text(".notice"), "1 ny forespørsel") {
		t.Errorf("the rooms page does not tell of the request: %q", text(".notice"))
	}
	submit(".notice a")
	check("requests (nb)")
	submit(".office-list h3 a")
	check("request (nb)")
	if v := val(t, ctx, chromedp.Value(chromedp.ID("holder"))); v != "Sorgstøtte Nord" {
		t.Errorf("the holder is %q", v)
	}
	// At the time asked, the room is taken on Tuesdays: the page says by whom and when.
	if s := submit("form.office-form button[type=submit]"); s != 400 {
		t.Fatalf("approval at a taken time: %d", s)
	}
	check("request with a clash (nb)")
	if c := text("#clashes"); !strings.Contains(c, "Gruppe house1") || !strings.Contains(c, "10. mars 2026") ||
		!strings.Contains(c, "18.00–19.30") {
		t.Errorf("the clash says %q", c)
	}
	setVal("date", "2026-03-12")
	typeIn("message", "Nøkkelen får dere i resepsjonen.")
	submit("form.office-form button[type=submit]")
	if p := path(); p != "/kontor/romforesporsler?melding=godkjent" {
		t.Fatalf("after approving: %s", p)
	}
	check("requests after approval (nb)")
	mails := matchingDeliver(t, st, smtp, sender, &seen)
	if len(mails) != 1 || mails[0].To != "ragnhild@example.no" || !strings.Contains(mails[0].Body, "Every Thursday") ||
		!strings.Contains(mails[0].Body, "Nøkkelen får dere i resepsjonen.") {
		t.Errorf("the answer: %+v", mails)
	}

	// The weeks: Thursday 12 March has the new booking, Tuesday the group.
	open("/kontor/rom/uke?uke=2026-W11")
	check("week of every room (nb)")
	if c := text(`table`); !strings.Contains(c, "Sorgstøtte Nord") || !strings.Contains(c, "Gruppe house1") {
		t.Errorf("the week shows %q", c)
	}
	open("/kontor/rom/" + room + "/uke?uke=2026-W11")
	check("week of a room (nb)")
	open("/en/kontor/rom/" + room + "/uke?uke=2026-W11")
	check("week of a room (en)")
	submit(`a[rel="next"]`)
	if !strings.Contains(path(), "uke=2026-W12") {
		t.Errorf("next week: %s", path())
	}
	// The room, a new series with a clash, a series, a booking, the feed, the use of the month.
	open("/kontor/rom/" + room)
	check("room (nb)")
	open("/kontor/rom/" + room + "/serie/ny?gruppe=" + f.groups["house1"].ID)
	check("new series from a group (nb)")
	if s := submit("form.office-form button[type=submit]"); s != 400 {
		t.Errorf("the group's own times again: %d", s)
	}
	check("new series with a clash (nb)")
	open("/en/kontor/rom/" + room + "/serie/" + sr.ID)
	check("series (en)")
	open("/kontor/rom/" + room + "/serie/" + sr.ID)
	typeIn("day", "2026-03-18")
	if s := submit(`form[action$="/unntak"] button[type=submit]`); s != 400 {
		t.Errorf("a day off on a Wednesday: %d", s)
	}
	check("series with an error (nb)")
	open("/kontor/rom/" + room + "/booking/ny")
	check("new booking (nb)")
	open("/kontor/rom/" + room)
	submit(`form[action$="/kalender"] button`)
	check("room with a new feed address (nb)")
	if u := val(t, ctx, chromedp.Value(chromedp.ID("feed-url"))); !strings.Contains(u, "/rom/"+room+"/kalender.ics?token=") {
		t.Errorf("the feed's address: %q", u)
	}
	open("/kontor/rombruk?maned=2026-03")
	check("room use (nb)")
	open("/en/kontor/rombruk?maned=2026-03")
	check("room use (en)")
	open("/rom/" + f.venues["house1"].ID + "/forespor")
	check("request form of a venue (nb)")
	// The public form fits a 320 px screen.
	narrow := browsertest.Tab(t, browsertest.WithViewport(320, 640))
	for _, p := range []string{ask, "/rom/" + f.venues["house1"].ID + "/forespor", "/rom/forespor/sendt"} {
		load(t, narrow, chromedp.Navigate(srv.URL+p))
		if w := val(t, narrow, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > 320 {
			t.Errorf("%s: %d px wide at 320", p, w)
		}
	}
	// Every request goes to the server.
	reqs.checkHosts(t, srv.Listener.Addr().String())
	t.Logf("axe-core: %d pages, 0 violations", axed)
}
