package web_test

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/browsertest"
	"github.com/fellesrom/fellesrom/internal/store"
)

// TestEnquiryBrowser drives Chromium through the person's side of the
// matching flow, the way a person would: they fill in the enquiry form
// (first with mistakes), receive the mail over the real SMTP server, open
// the link, confirm, see their data, correct their name, download the
// JSON, pause, then withdraw, and the link no longer works. axe-core
// checks every page on the way, and no page is wider than the screen, at
// 1280 and at 320 px.
func TestEnquiryBrowser(t *testing.T) {
	e := newEnqEnv(t, store.SQLite)
	srv := e.srv
	ctx := browsertest.Tab(t)
	reqs := record(t, ctx)
	narrow := browsertest.Tab(t, browsertest.WithViewport(320, 640))
	path := func() string { return pagePath(t, ctx) }
	visit := func(p string) int64 { t.Helper(); return load(t, ctx, chromedp.Navigate(srv.URL+p)) }
	submit := func(sel string) int64 {
		t.Helper()
		return load(t, ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
	}
	typeIn := func(id, text string) {
		t.Helper()
		do(t, ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById('`+id+`').value = ''`),
			chromedp.SendKeys(chromedp.ID(id), text, chromedp.NodeVisible))
	}
	tick := func(id string) { t.Helper(); do(t, ctx, chromedp.Click(chromedp.ID(id), chromedp.NodeVisible)) }
	choose := func(id, value string) {
		t.Helper()
		do(t, ctx, chromedp.SetValue(chromedp.ID(id), value, chromedp.NodeVisible))
	}
	value := func(id string) string { t.Helper(); return val(t, ctx, chromedp.Value(chromedp.ID(id))) }
	text := func(sel string) string {
		t.Helper()
		return strings.TrimSpace(val(t, ctx, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible)))
	}
	axe := func(name string) {
		t.Helper()
		checkPage(t, ctx, name)
		p := path()
		load(t, narrow, chromedp.Navigate(srv.URL+p))
		if w := val(t, narrow, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > 320 {
			t.Errorf("%s: %d px wide at 320", name, w)
		}
	}

	// The form, in English and Bokmål.
	if st := visit("/en/henvendelse"); st != 200 {
		t.Fatalf("/en/henvendelse: %d", st)
	}
	axe("enquiry form (en)")
	visit("/henvendelse")
	axe("enquiry form (nb)")

	// A first try with mistakes: the errors are next to the fields, in a
	// summary that links to them, and what was typed stays.
	typeIn("own_words", "Jeg har mistet mannen min")
	typeIn("name", "Solveig")
	typeIn("contact", "solveig@")
	e.clock.Add(5 * time.Second)
	if st := submit("form.enquiry-form button[type=submit]"); st != 400 {
		t.Fatalf("a form with mistakes: %d", st)
	}
	errs := val(t, ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('.error-summary li a'), a => a.getAttribute('href'))`))
	if strings.Join(errs, " ") != "#municipality #format #contact #adult #consent" {
		t.Errorf("the summary links to %v", errs)
	}
	if value("name") != "Solveig" || value("contact") != "solveig@" || value("own_words") != "Jeg har mistet mannen min" {
		t.Error("what was typed is lost")
	}
	axe("enquiry form with errors (nb)")

	// The second try.
	tick("theme") // the first theme: Sorg
	choose("municipality", "5501")
	tick("format") // in person
	tick("format-2")
	tick("slot-tue-evening")
	tick("slot-thu-evening")
	typeIn("contact", "solveig@example.no")
	tick("adult")
	tick("consent")
	e.clock.Add(5 * time.Second)
	submit("form.enquiry-form button[type=submit]")
	if p := path(); p != "/henvendelse/sendt?til=email" {
		t.Fatalf("after sending: %s", p)
	}
	if h := text("h1"); h != "Sjekk e-posten din" {
		t.Errorf("h1 %q", h)
	}
	axe("enquiry sent (nb)")

	// The mail, over SMTP; the link opens the person's page.
	mails := e.deliver(t)
	if len(mails) != 1 || mails[0].To != "solveig@example.no" {
		t.Fatalf("mails: %+v", mails)
	}
	link, token := e.enqLink(t, mails[0].Body)
	if st := visit(link); st != 200 {
		t.Fatalf("the link: %d", st)
	}
	if s := text("#status-h + p"); s != "Ikke bekreftet" {
		t.Errorf("status %q", s)
	}
	axe("own page, unconfirmed (nb)")
	submit(`form[action$="/bekreft"] button`)
	if p := path(); p != link+"?melding=bekreftet" {
		t.Fatalf("after confirming: %s", p)
	}
	if s := text(".notice"); !strings.Contains(s, "Henvendelsen er bekreftet") {
		t.Errorf("notice %q", s)
	}
	if s := text("#d-name"); s != "Solveig" {
		t.Errorf("name %q", s)
	}
	if s := text("#d-own-words"); s != "Jeg har mistet mannen min" {
		t.Errorf("own words %q", s)
	}
	axe("own page (nb)")
	visit("/en" + link)
	axe("own page (en)")
	if s := text("#status-h + p"); s != "Received" {
		t.Errorf("status in English %q", s)
	}
	if len(e.staffSees(t)) != 1 {
		t.Error("the house does not see the confirmed enquiry")
	}

	// Correct the name.
	visit(link)
	load(t, ctx, chromedp.Click(chromedp.CSS(`a[href$="/endre"]`), chromedp.NodeVisible))
	if value("name") != "Solveig" || value("municipality") != "5501" {
		t.Error("the correction form is not filled in")
	}
	axe("correct (nb)")
	typeIn("name", "")
	submit("form.enquiry-form button[type=submit]")
	axe("correct with an error (nb)")
	typeIn("name", "Sol")
	submit("form.enquiry-form button[type=submit]")
	if p := path(); p != link+"?melding=lagret" {
		t.Fatalf("after correcting: %s", p)
	}
	if s := text("#d-name"); s != "Sol" {
		t.Errorf("name after correcting %q", s)
	}

	// Download: the page's link is the one a client without JavaScript gets.
	href := val(t, ctx, chromedp.Evaluate[string](`document.querySelector('a[download]').getAttribute('href')`))
	if href != link+"/data.json" {
		t.Errorf("download link %q", href)
	}
	r := newClient(t, srv).get(href)
	var data struct {
		Enquiry struct {
			Name, Status string
			Slots        []string
		} `json:"enquiry"`
	}
	if err := json.Unmarshal([]byte(r.body), &data); err != nil || data.Enquiry.Name != "Sol" || data.Enquiry.Status != "new" ||
		len(data.Enquiry.Slots) != 2 {
		t.Errorf("the download: %+v %v", data, err)
	}

	// Pause.
	submit(`form[action$="/pause"] button`)
	if p := path(); p != link+"?melding=pause" {
		t.Fatalf("after pausing: %s", p)
	}
	if s := text("#status-h + p"); s != "På pause" {
		t.Errorf("status %q", s)
	}
	axe("own page, paused (nb)")

	// Withdraw and delete: a confirmation step, then the link is dead.
	load(t, ctx, chromedp.Click(chromedp.CSS(`a[href$="/slett"]`), chromedp.NodeVisible))
	axe("confirm delete (nb)")
	submit(`form[action$="/slett"] button`)
	if p := path(); p != "/henvendelse/slettet" {
		t.Fatalf("after deleting: %s", p)
	}
	axe("deleted (nb)")
	if st := visit(link); st != 404 {
		t.Errorf("the spent link: %d", st)
	}
	if h := text("h1"); h != "Denne lenken virker ikke lenger" {
		t.Errorf("h1 %q", h)
	}
	axe("spent link (nb)")
	if len(e.staffSees(t)) != 0 {
		t.Error("the enquiry is still there")
	}
	e.noTokens(t, token)

	// The referral page, for a partner.
	partner := newClient(t, srv)
	e.signInFull(t, partner, "per@example.no", map[string]string{})
	useStaffSession(t, srv.URL, partner, ctx, narrow)
	if st := visit("/kontor/henvisning"); st != 200 {
		t.Fatalf("the referral page: %d", st)
	}
	axe("referral (nb)")
	if u, _ := url.Parse(srv.URL); u != nil {
		reqs.checkHosts(t, u.Host)
	}
}

// useStaffSession hands a session made through the pages by a client
// without JavaScript to the browser tabs.
func useStaffSession(t *testing.T, base string, c *client, tabs ...context.Context) {
	t.Helper()
	for _, ctx := range tabs {
		if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: auth.CookieNamePlain,
			Value: c.cookie(auth.CookieNamePlain), URL: base + "/"}); err != nil {
			t.Fatal(err)
		}
	}
}
