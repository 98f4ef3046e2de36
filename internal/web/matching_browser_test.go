package web_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	netmail "net/mail"
	"regexp"
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

// matchingMail is a mail as it arrived, with its text and attachment.
type matchingMail struct {
	To, Subject, Body string
	Calendar          string // a text/calendar attachment, if any
	CalendarType      string
}

// matchingDeliver runs the mail job once and returns what arrived at the
// SMTP server since seen.
func matchingDeliver(t *testing.T, st *store.Store, smtp *mailtest.Server, sender *mail.Sender, seen *int) []matchingMail {
	t.Helper()
	if _, err := jobs.SendMail(context.Background(), st, sender, slog.New(slog.DiscardHandler), jobs.MailOptions{}); err != nil {
		t.Fatal(err)
	}
	all := smtp.Received()
	var out []matchingMail
	decode := func(enc string, r io.Reader) string {
		switch strings.ToLower(enc) {
		case "quoted-printable":
			r = quotedprintable.NewReader(r)
		case "base64":
			r = base64.NewDecoder(base64.StdEncoding, r)
		}
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		return strings.ReplaceAll(string(b), "\r\n", "\n")
	}
	for _, rc := range all[*seen:] {
		msg, err := netmail.ReadMessage(bytes.NewReader(rc.Data))
		if err != nil {
			t.Fatal(err)
		}
		subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		m := matchingMail{To: rc.To[0], Subject: subject}
		mt, params, _ := mime.ParseMediaType(msg.Header.Get("Content-Type"))
		if strings.HasPrefix(mt, "multipart/") {
			mr := multipart.NewReader(msg.Body, params["boundary"])
			for {
				p, err := mr.NextPart()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				text := decode(p.Header.Get("Content-Transfer-Encoding"), p)
				if ct := p.Header.Get("Content-Type"); strings.HasPrefix(ct, "text/calendar") {
					m.Calendar, m.CalendarType = text, ct
				} else if m.Body == "" {
					m.Body = text
				}
			}
		} else {
			m.Body = decode(msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
		}
		out = append(out, m)
	}
	*seen = len(all)
	return out
}

var reAnswerLink = regexp.MustCompile(`https?://[^\s/]+(/svar/[A-Za-z0-9_-]{43})\?svar=(ja|nei)`)

// TestMatchingBrowser drives the coordinator's side of the flow in
// Chromium: five people wait in house1's pool; the coordinator signs in,
// finds the pool flagged, forms a group of five (first with a mistake),
// the invitation mails arrive over SMTP; one person declines and goes back
// to the pool, four accept by their links; the coordinator starts the group
// with a room and a starter, and the four receive a mail with the start-up
// meeting as a text/calendar attachment. axe-core finds no violation on
// any page of the flow.
func TestMatchingBrowser(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	f := newOfficeFixture(t, st)
	smtp := mailtest.Start(t, mailtest.Options{})
	sender, err := mail.NewSender(mail.Config{Host: smtp.Host, Port: smtp.Port, From: "fellesrom <ikke-svar@fellesrom.example>",
		Timeout: 5 * time.Second, TLSConfig: smtp.ClientTLS()})
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	ids := matchingSeed(t, f, "house1", 5, "Anne")
	srv := f.srv
	ctx := browsertest.Tab(t)
	axe := func(name string) {
		t.Helper()
		browsertest.RequireNoAxeViolations(t, ctx, name)
	}
	open := func(path string) int64 {
		t.Helper()
		return load(t, ctx, chromedp.Navigate(srv.URL+path))
	}
	js := func(script string) {
		t.Helper()
		do(t, ctx, chromedp.Evaluate[chromedp.Void](script))
	}
	setVal := func(id, value string) {
		t.Helper()
		js(`document.getElementById(` + jsString(id) + `).value = ` + jsString(value))
	}
	typeIn := func(id, text string) {
		t.Helper()
		setVal(id, "")
		do(t, ctx, chromedp.SendKeys(chromedp.ID(id), text, chromedp.NodeVisible))
	}
	submit := func(sel string) int64 {
		t.Helper()
		return load(t, ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
	}
	path := func() string { return pagePath(t, ctx) }
	text := func(sel string) string {
		t.Helper()
		return val(t, ctx, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
	}
	count := func(sel string) int {
		t.Helper()
		return val(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll(`+jsString(sel)+`).length`))
	}

	// The coordinator of house1 signs in with TOTP.
	f.browserSignIn(browserActions(t, ctx, f.srv.URL), "coordHouse")

	// The inbox, one enquiry, the form for a phone enquiry.
	open("/kontor/henvendelser")
	axe("inbox")
	if n := count(".office-list > li"); n != 5 {
		t.Errorf("the inbox lists %d enquiries, want 5", n)
	}
	open("/kontor/henvendelser/" + ids[0])
	axe("enquiry")
	open("/kontor/henvendelser/ny")
	axe("new enquiry")
	if s := submit("form.office-form button[type=submit]"); s != 400 {
		t.Errorf("an empty enquiry: %d", s)
	}
	axe("new enquiry with errors")

	// The pool is flagged; the five are ticked; form a group.
	open("/kontor/grupper-i-emning")
	axe("pools")
	if n := count(".badge-open"); n != 1 {
		t.Fatalf("%d pools flagged, want 1", n)
	}
	if n := count(`section.office-inline-form input[name=e]:checked`); n != 5 {
		t.Errorf("%d people ticked in the pool, want 5", n)
	}
	if s := submit("section.office-inline-form form button[type=submit]"); s != 200 {
		t.Fatalf("form a group: %d", s)
	}
	axe("form a group")
	// A mistake first: a new group without a name.
	setVal("group_municipality", "5501")
	setVal("group_theme", f.themes[0].ID)
	setVal("slot", "tue-evening")
	if s := submit("form.office-form button[type=submit]"); s != 400 {
		t.Fatalf("a new group without a name: %d", s)
	}
	axe("form a group with errors")
	if n := count(`.error-summary a[href="#group_name"]`); n != 1 {
		t.Errorf("no error for the missing name")
	}
	typeIn("group_name", "Sorggruppe Tromsø vår")
	if s := submit("form.office-form button[type=submit]"); s != 200 {
		t.Fatalf("invite: %d", s)
	}
	formation := path()
	if !strings.HasPrefix(formation, "/kontor/grupper-i-emning/") || !strings.HasSuffix(formation, "?melding=invitert") {
		t.Fatalf("after inviting: %s", formation)
	}
	formation = strings.TrimSuffix(formation, "?melding=invitert")
	axe("formation")

	// The invitations arrive, one per person, with accept and decline links.
	mails := matchingDeliver(t, st, smtp, sender, &seen)
	links := map[string][2]string{}
	for _, m := range mails {
		got := reAnswerLink.FindAllStringSubmatch(m.Body, -1)
		if len(got) != 2 || got[0][2] != "ja" || got[1][2] != "nei" || got[0][1] != got[1][1] {
			t.Fatalf("the invitation to %s has links %v:\n%s", m.To, got, m.Body)
		}
		if !strings.Contains(m.Body, "Tromsø") || !strings.Contains(m.Body, "Sorg") || !strings.Contains(m.Body, "tirsdag kveld") {
			t.Errorf("the invitation does not say theme, place and time:\n%s", m.Body)
		}
		links[m.To] = [2]string{got[0][1] + "?svar=ja", got[1][1] + "?svar=nei"}
	}
	if len(links) != 5 {
		t.Fatalf("%d invitations arrived, want 5", len(links))
	}

	// The fifth declines, without a reason: back in the pool.
	before, _ := st.ReadEnquiry(context.Background(), ids[4])
	if s := open(links["anne5@example.no"][1]); s != 200 {
		t.Fatalf("the answer page: %d", s)
	}
	axe("answer page")
	if body := text("main"); strings.Contains(body, "Anne1") || strings.Contains(body, "anne") {
		t.Error("the answer page shows other people")
	}
	submit(`form:has(input[value="nei"]) button`)
	axe("answer page, declined")
	after, _ := st.ReadEnquiry(context.Background(), ids[4])
	if after.Status != store.EnquiryWaiting || !after.WaitingSince.Equal(before.WaitingSince) {
		t.Errorf("declined: %s, waiting since %v (was %v)", after.Status, after.WaitingSince, before.WaitingSince)
	}
	// The others accept.
	for _, who := range []string{"anne1@example.no", "anne2@example.no", "anne3@example.no", "anne4@example.no"} {
		open(links[who][0])
		submit(`form:has(input[value="ja"]) button`)
		if n := count(".notice"); n != 1 {
			t.Errorf("%s: no confirmation after accepting", who)
		}
	}

	// The coordinator starts the group with a room and a starter.
	open(formation)
	axe("formation, ready to start")
	if !strings.Contains(text("#answers"), "Anne4: ja") {
		t.Errorf("answers: %q", text("#answers"))
	}
	setVal("date", "2026-03-10")
	setVal("time", "18:00")
	setVal("room", f.rooms["house1"].ID)
	setVal("starter", f.users["starter"].ID)
	if s := submit("form.office-form button[type=submit]"); s != 200 || path() != formation+"?melding=startet" {
		t.Fatalf("start: %d %s", s, path())
	}
	axe("formation, started")

	// The four receive the start-up meeting as an iCalendar invitation.
	mails = matchingDeliver(t, st, smtp, sender, &seen)
	if len(mails) != 4 {
		t.Fatalf("%d start mails, want 4", len(mails))
	}
	for _, m := range mails {
		if !strings.Contains(m.CalendarType, "method=REQUEST") || !strings.Contains(m.Calendar, "METHOD:REQUEST") ||
			!strings.Contains(m.Calendar, "DTSTART;TZID=Europe/Oslo:20260310T180000") ||
			!strings.Contains(m.Calendar, "BEGIN:VTIMEZONE") || !strings.Contains(m.Calendar, "Gata 3") {
			t.Errorf("the calendar to %s (%s):\n%s", m.To, m.CalendarType, m.Calendar)
		}
		if strings.Contains(m.Calendar, "anne") && !strings.Contains(m.Calendar, m.To) {
			t.Errorf("the calendar to %s names someone else", m.To)
		}
	}

	// The one who declined waits in the pool again.
	open("/kontor/grupper-i-emning")
	if !strings.Contains(text("#pools-h + section"), "Anne5") {
		t.Error("the one who declined is not in the pool")
	}
}
