package web_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/fellesrom/fellesrom/internal/browsertest"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// TestEventsBrowser drives Chromium through an event with one place, the
// way people would: Ragnhild finds it in the calendar and signs up (first
// with mistakes) and gets the place; Sverre finds it full and goes on the
// waiting list; Ragnhild cancels by the link in her mail, and Sverre's
// mail says he has the place now — the mails over the real SMTP server.
// Then the coordinator's pages. axe-core checks every page on the way, and
// no page is wider than the screen, at 1280 and at 320 px.
func TestEventsBrowser(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	e := newEvEnv(t, st)
	ev := e.event(t, "infomote-tromso", 1, 8, true)
	srv := e.srv
	ctx := browsertest.Tab(t)
	reqs := record(t, ctx)
	narrow := browsertest.Tab(t, browsertest.WithViewport(320, 640))
	path := func() string { return pagePath(t, ctx) }
	visit := func(p string) int64 { t.Helper(); return load(t, ctx, chromedp.Navigate(srv.URL+p)) }
	submit := func(sel string) int64 {
		t.Helper()
		e.clock.Add(5 * time.Second) // a person takes some seconds to fill in a form
		return load(t, ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
	}
	typeIn := func(id, text string) {
		t.Helper()
		do(t, ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById('`+id+`').value = ''`),
			chromedp.SendKeys(chromedp.ID(id), text, chromedp.NodeVisible))
	}
	tick := func(id string) { t.Helper(); do(t, ctx, chromedp.Click(chromedp.ID(id), chromedp.NodeVisible)) }
	text := func(sel string) string {
		t.Helper()
		return strings.TrimSpace(val(t, ctx, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible)))
	}
	axe := func(name string) {
		t.Helper()
		do(t, ctx, chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('details').forEach(d => d.open = true)`))
		checkPage(t, ctx, name)
		load(t, narrow, chromedp.Navigate(srv.URL+path()))
		w := val(t, narrow, chromedp.Evaluate[int](`document.querySelectorAll('details').forEach(d => d.open = true), document.documentElement.scrollWidth`))
		if w > 320 {
			t.Errorf("%s: %d px wide at 320", name, w)
		}
	}
	signUpForm := "form.office-form button[type=submit]"

	// The calendar, and the event from it.
	if st := visit("/arrangementer"); st != 200 {
		t.Fatalf("/arrangementer: %d", st)
	}
	axe("calendar (nb)")
	visit("/en/arrangementer?type=seminar")
	axe("calendar, filtered (en)")
	visit("/arrangementer?hus=finnes-ikke")
	axe("calendar with an error (nb)")
	visit("/arrangementer")
	load(t, ctx, chromedp.Click(chromedp.CSS(`a[href="/arrangement/`+ev.Slug+`"]`), chromedp.NodeVisible))
	if p := path(); p != "/arrangement/"+ev.Slug {
		t.Fatalf("the calendar's link went to %s", p)
	}
	if s := text("h1"); s != "Informasjonsmøte om selvhjelp" {
		t.Errorf("h1 %q", s)
	}
	axe("event page (nb)")

	// Ragnhild, with mistakes first: the errors by the fields, what she
	// typed kept.
	typeIn("name", "Ragnhild")
	typeIn("contact", "ragnhild@")
	if st := submit(signUpForm); st != 400 {
		t.Fatalf("a form with mistakes: %d", st)
	}
	errs := val(t, ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('.error-summary li a'), a => a.getAttribute('href'))`))
	if strings.Join(errs, " ") != "#contact #consent" {
		t.Errorf("the summary links to %v", errs)
	}
	if v := val(t, ctx, chromedp.Value(chromedp.ID("name"))); v != "Ragnhild" {
		t.Errorf("the name typed is lost: %q", v)
	}
	axe("event page with errors (nb)")
	typeIn("contact", "ragnhild@example.no")
	tick("consent")
	submit(signUpForm)
	if p := path(); p != "/arrangement/"+ev.Slug+"/pameldt?plass=1&til=email" {
		t.Fatalf("after signing up: %s", p)
	}
	if s := text("h1"); s != "Du er påmeldt" {
		t.Errorf("h1 %q", s)
	}
	axe("signed up, a place (nb)")

	// Sverre: the event is full; the waiting list.
	visit("/arrangement/" + ev.Slug)
	if s := text(".facts div:last-child dd"); s != "Fullt – venteliste" {
		t.Errorf("the full event says %q", s)
	}
	axe("event page, full (nb)")
	typeIn("name", "Sverre")
	typeIn("contact", "sverre@example.no")
	tick("consent")
	submit(signUpForm)
	if s := text("h1"); s != "Du står på venteliste" {
		t.Errorf("h1 %q", s)
	}
	if s := text("p.lead"); !strings.Contains(s, "nummer 1 på ventelisten") {
		t.Errorf("the waiting page says %q", s)
	}
	axe("signed up, waiting (nb)")

	// The mails, over SMTP.
	mails := e.deliver(t)
	byTo := map[string]evMail{}
	for _, m := range mails {
		byTo[m.To] = m
	}
	if len(mails) != 2 || byTo["ragnhild@example.no"].Subject != "Du er påmeldt: Informasjonsmøte om selvhjelp" ||
		byTo["sverre@example.no"].Subject != "Du står på venteliste: Informasjonsmøte om selvhjelp" {
		t.Fatalf("mails: %+v", mails)
	}
	ragnhild := linkOf(t, byTo["ragnhild@example.no"])
	visit(ragnhild)
	if s := text("#status"); s != "Du har plass." {
		t.Errorf("Ragnhild's status %q", s)
	}
	axe("cancel page (nb)")
	visit("/en" + ragnhild)
	axe("cancel page (en)")
	visit(ragnhild)
	submit(`form[action$="` + ragnhild + `"] button`)
	if p := path(); p != "/arrangement/"+ev.Slug+"?melding=avmeldt" {
		t.Fatalf("after cancelling: %s", p)
	}
	if s := text(".notice"); !strings.Contains(s, "Du er meldt av") {
		t.Errorf("notice %q", s)
	}
	axe("event page after cancelling (nb)")
	if st := visit(ragnhild); st != 404 {
		t.Errorf("the spent link: %d", st)
	}
	axe("spent link (nb)")

	// Sverre moved up: his mail, and his page says so.
	mails = e.deliver(t)
	if len(mails) != 1 || mails[0].To != "sverre@example.no" || mails[0].Subject != "Du har fått plass: Informasjonsmøte om selvhjelp" {
		t.Fatalf("after the cancellation: %+v", mails)
	}
	visit(linkOf(t, mails[0]))
	if s := text("#status"); s != "Du har plass." {
		t.Errorf("Sverre's status %q", s)
	}

	// The coordinator's pages.
	coord := e.signIn(t, "coordHouse")
	useStaffSession(t, srv.URL, coord, ctx, narrow)
	visit("/kontor/arrangementer")
	axe("back office: events (nb)")
	visit("/kontor/arrangementer?vis=tidligere")
	axe("back office: past events (nb)")
	visit("/kontor/arrangementer/ny?organisasjon=" + url.QueryEscape(e.orgs["house1"].ID))
	axe("back office: new event (nb)")
	typeIn("title_nb", "Folkemøte")
	submit("form.office-form button[type=submit]")
	axe("back office: new event with errors (nb)")
	visit("/kontor/arrangementer/" + ev.ID)
	if s := text("#counts"); !strings.HasPrefix(s, "1 av 1 plasser tatt, 0 på venteliste, 1 avmeldt") {
		t.Errorf("counts %q", s)
	}
	axe("back office: event (nb)")
	visit("/kontor/arrangementer/" + ev.ID + "/pameldte")
	if s := text("#places li strong"); s != "Sverre" {
		t.Errorf("the sign-ups list %q", s)
	}
	axe("back office: sign-ups (nb)")
	visit("/en/kontor/arrangementer/" + ev.ID)
	axe("back office: event (en)")
	// Once it has begun: the attendance form.
	e.clock.Add(9 * 24 * time.Hour)
	coord = e.signIn(t, "coordHouse")
	useStaffSession(t, srv.URL, coord, ctx, narrow)
	visit("/kontor/arrangementer/" + ev.ID)
	typeIn("attended", "1")
	submit(`form[action$="/oppmote"] button`)
	if s := text(".notice"); !strings.Contains(s, "Oppmøtet er lagret") {
		t.Errorf("notice %q", s)
	}
	axe("back office: event after it (nb)")
	// No request leaves the site.
	reqs.checkHosts(t, srv.Listener.Addr().String())
}
