package web_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http"
	netmail "net/mail"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/finder"
	"github.com/fellesrom/fellesrom/internal/jobs"
	"github.com/fellesrom/fellesrom/internal/mail"
	"github.com/fellesrom/fellesrom/internal/mail/mailtest"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
	"github.com/fellesrom/fellesrom/internal/web"
)

// evEnv is the office fixture (a tree of organisations, each with a venue
// and a room, users of every role, the site on a clock the test moves)
// with a real SMTP server behind the outbox.
type evEnv struct {
	*officeFixture
	smtp   *mailtest.Server
	sender *mail.Sender
	seen   int
	oslo   *time.Location
}

func newEvEnv(t *testing.T, st *store.Store) *evEnv {
	t.Helper()
	e := &evEnv{officeFixture: newOfficeFixture(t, st)}
	e.smtp = mailtest.Start(t, mailtest.Options{})
	var err error
	e.sender, err = mail.NewSender(mail.Config{Host: e.smtp.Host, Port: e.smtp.Port, From: "fellesrom <ikke-svar@fellesrom.example>",
		Timeout: 5 * time.Second, TLSConfig: e.smtp.ClientTLS()})
	if err != nil {
		t.Fatal(err)
	}
	e.oslo, _ = time.LoadLocation("Europe/Oslo")
	return e
}

// logTo rebuilds the site with a logger that writes to the test's log.
func (e *evEnv) logTo(t *testing.T) {
	e.h = http.NewCrossOriginProtection().Handler(web.New(web.Deps{Store: e.st, Finder: finder.New(e.st),
		Logger: slog.New(slog.NewTextHandler(testWriter{t}, nil)), Now: e.clock.Now, Auth: e.svc}))
	e.srv.Config.Handler = e.h
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}

// evMail is a mail as it arrived at the SMTP server, with its calendar
// attachment if it had one.
type evMail struct {
	To, Subject, Lang, Body string
	ICS                     []byte
}

// deliver runs the mail job once and returns the mails that arrived since
// the last call.
func (e *evEnv) deliver(t *testing.T) []evMail {
	t.Helper()
	if _, err := jobs.SendMail(context.Background(), e.st, e.sender, slog.New(slog.DiscardHandler), jobs.MailOptions{}); err != nil {
		t.Fatal(err)
	}
	all := e.smtp.Received()
	var out []evMail
	for _, r := range all[e.seen:] {
		msg, err := netmail.ReadMessage(bytes.NewReader(r.Data))
		if err != nil {
			t.Fatal(err)
		}
		subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		m := evMail{To: r.To[0], Subject: subject, Lang: msg.Header.Get("Content-Language")}
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
				var rd io.Reader = p
				if p.Header.Get("Content-Transfer-Encoding") == "base64" {
					rd = base64.NewDecoder(base64.StdEncoding, p)
				}
				b, _ := io.ReadAll(rd)
				if strings.HasPrefix(p.Header.Get("Content-Type"), "text/calendar") {
					m.ICS = b
				} else {
					m.Body = string(b)
				}
			}
		} else {
			b, _ := io.ReadAll(quotedprintable.NewReader(msg.Body))
			m.Body = string(b)
		}
		m.Body = strings.ReplaceAll(m.Body, "\r\n", "\n")
		out = append(out, m)
	}
	e.seen = len(all)
	return out
}

var reEvLink = regexp.MustCompile(`https?://[^\s/]+(/(?:[a-z]{2}/)?avmelding/([A-Za-z0-9_-]{43}))`)

// linkOf is the path of the cancellation link in a mail.
func linkOf(t *testing.T, m evMail) string {
	t.Helper()
	ms := reEvLink.FindAllStringSubmatch(m.Body, -1)
	if len(ms) != 1 {
		t.Fatalf("the mail to %s has %d cancellation links:\n%s", m.To, len(ms), m.Body)
	}
	return ms[0][1]
}

// event creates an event of house1 through the store, days from the
// fixture's clock at 18:00 in Oslo, for two hours.
func (e *evEnv) event(t *testing.T, slug string, capacity, days int, room bool) store.Event {
	t.Helper()
	now := e.clock.Now().In(e.oslo)
	start := time.Date(now.Year(), now.Month(), now.Day()+days, 18, 0, 0, 0, e.oslo)
	ev := store.Event{Slug: slug, OrgID: e.orgs["house1"].ID, CoOrganisers: []string{e.orgs["other"].ID},
		Kind: store.EventInformationMeeting, Title: domain.Text{"nb": "Informasjonsmøte om selvhjelp", "en": "Information meeting on self-help"},
		Description: domain.Text{"nb": "Hva er en selvhjelpsgruppe?\n\nKom og hør."}, StartsAt: start, EndsAt: start.Add(2 * time.Hour),
		VenueID: e.venues["house1"].ID, Capacity: capacity, SignupOpen: true, Listed: true}
	if room {
		ev.RoomID = e.rooms["house1"].ID
	}
	ctx := store.WithActor(context.Background(), store.Actor{ID: "test"})
	if err := e.st.SaveEvent(ctx, &ev, e.clock.Now(), jobs.EventMessenger("http://127.0.0.1", nil)); err != nil {
		t.Fatal(err)
	}
	return ev
}

var reEvStamp = regexp.MustCompile(`name="stamp" value="([^"]+)"`)

// signUp opens the event's page as a person would, takes some seconds,
// and posts the form.
func (e *evEnv) signUp(t *testing.T, c *client, path string, form url.Values) resp {
	t.Helper()
	r := c.get(path)
	m := reEvStamp.FindStringSubmatch(r.body)
	if r.status != 200 || m == nil {
		t.Fatalf("%s: %d, stamp %v", path, r.status, m != nil)
	}
	e.clock.Add(5 * time.Second)
	f := url.Values{"stamp": {strings.ReplaceAll(m[1], "&#43;", "+")}}
	for k, v := range form {
		f[k] = v
	}
	return c.post(path, f)
}

func evForm(name, contact string) url.Values {
	kind := "email"
	if !strings.Contains(contact, "@") {
		kind = "phone"
	}
	return url.Values{"name": {name}, "contact_kind": {kind}, "contact": {contact}, "consent": {"1"}}
}

// A person signs up for a full event and goes on the waiting list; one
// with a place cancels by the link in their mail, and the first waiting
// moves up with a mail of their own — over the real SMTP server, on both
// engines.
func TestEventsSignUpAndWaitingList(t *testing.T) {
	evEach(t, func(t *testing.T, st *store.Store, db *sql.DB) {
		e := newEvEnv(t, st)
		e.logTo(t)
		ev := e.event(t, "infomote-tromso", 1, 8, true)
		c := newClient(t, e.srv)
		page := "/arrangement/" + ev.Slug

		r := c.get(page)
		checkOfficeHTML(t, page, r, "nb")
		for _, want := range []string{"Informasjonsmøte om selvhjelp", "Ledige plasser", "Meld meg på", "Huset Tromsø",
			"Annen forening", "Stua house1", "Gata 3", "1 plass", page + "/kalender.ics"} {
			if !strings.Contains(r.body, want) {
				t.Errorf("the event's page lacks %q", want)
			}
		}
		// Mistakes: errors next to the fields, what was typed kept.
		r = e.signUp(t, c, page, url.Values{"name": {"Ragnhild"}, "contact_kind": {"email"}, "contact": {"ragnhild@"}})
		if r.status != 400 || !strings.Contains(r.body, `id="contact-error"`) || !strings.Contains(r.body, `id="consent-error"`) ||
			!strings.Contains(r.body, `value="Ragnhild"`) || !strings.Contains(r.body, `value="ragnhild@"`) {
			t.Errorf("a form with mistakes: %d\n%s", r.status, errorSummary(r.body))
		}
		// Too fast, and the honeypot.
		r = c.post(page, evForm("Robot", "robot@example.no"))
		if r.status != 400 || !strings.Contains(r.body, "Skjemaet var ødelagt") {
			t.Errorf("no stamp: %d %s", r.status, errorSummary(r.body))
		}

		// Ragnhild takes the one place.
		r = e.signUp(t, c, page, evForm("Ragnhild", "Ragnhild@Example.no"))
		if r.status != 303 || r.location() != page+"/pameldt?plass=1&til=email" {
			t.Fatalf("sign-up: %d %q %s", r.status, r.location(), errorSummary(r.body))
		}
		r = c.get(r.location())
		checkOfficeHTML(t, "signed", r, "nb")
		if !strings.Contains(r.body, "Du er påmeldt") {
			t.Errorf("after signing up:\n%s", r.body)
		}
		// Sverre comes too late: the waiting list, number 1.
		r = c.get(page)
		if !strings.Contains(r.body, "Fullt – venteliste") || !strings.Contains(r.body, "Sett meg på venteliste") {
			t.Error("the full event's page does not say so")
		}
		r = e.signUp(t, c, page, evForm("Sverre", "sverre@example.no"))
		if r.location() != page+"/pameldt?nummer=1&plass=0&til=email" {
			t.Fatalf("waiting: %d %q", r.status, r.location())
		}
		if r = c.get(r.location()); !strings.Contains(r.body, "Du står på venteliste") || !strings.Contains(r.body, "nummer 1 på ventelisten") {
			t.Errorf("the waiting page:\n%s", r.body)
		}

		mails := e.deliver(t)
		if len(mails) != 2 {
			t.Fatalf("%d mails", len(mails))
		}
		byTo := map[string]evMail{}
		for _, m := range mails {
			byTo[m.To] = m
		}
		rm, sm := byTo["ragnhild@example.no"], byTo["sverre@example.no"]
		if rm.Subject != "Du er påmeldt: Informasjonsmøte om selvhjelp" || !strings.Contains(rm.Body, "Hei, Ragnhild!") ||
			!strings.Contains(rm.Body, "kl. 18.00–20.00") || !strings.Contains(rm.Body, "Stua house1 (Rommet house1), Gata 3, 9008 Tromsø") {
			t.Errorf("Ragnhild's mail: %q\n%s", rm.Subject, rm.Body)
		}
		if len(rm.ICS) == 0 {
			t.Error("Ragnhild's mail has no calendar")
		} else if cal, err := goical.NewDecoder(bytes.NewReader(rm.ICS)).Decode(); err != nil || len(cal.Events()) != 1 {
			t.Errorf("the calendar in the mail: %v", err)
		}
		if sm.Subject != "Du står på venteliste: Informasjonsmøte om selvhjelp" || !strings.Contains(sm.Body, "nummer 1 på ventelisten") ||
			len(sm.ICS) != 0 {
			t.Errorf("Sverre's mail: %q\n%s", sm.Subject, sm.Body)
		}

		// Ragnhild's link: her page, and her cancellation (POST only).
		link := linkOf(t, rm)
		r = c.get(link)
		checkOfficeHTML(t, "cancel page", r, "nb")
		if r.header.Get("Cache-Control") != "no-store" || r.header.Get("Referrer-Policy") != "no-referrer" ||
			!strings.Contains(r.header.Get("X-Robots-Tag"), "noindex") {
			t.Errorf("the cancel page's headers: %v", r.header)
		}
		if !strings.Contains(r.body, "Du er påmeldt som Ragnhild.") || !strings.Contains(r.body, "Du har plass.") {
			t.Errorf("the cancel page:\n%s", r.body)
		}
		if r = c.post(link, nil); r.status != 303 || r.location() != page+"?melding=avmeldt" {
			t.Fatalf("cancelling: %d %q", r.status, r.location())
		}
		if r = c.get(r.location()); !strings.Contains(r.body, "Du er meldt av") {
			t.Error("no notice after cancelling")
		}
		if r = c.get(link); r.status != 404 || !strings.Contains(r.body, "Denne lenken virker ikke lenger") {
			t.Errorf("the spent link: %d", r.status)
		}
		// Sverre moved up, and was told.
		mails = e.deliver(t)
		if len(mails) != 1 || mails[0].To != "sverre@example.no" || mails[0].Subject != "Du har fått plass: Informasjonsmøte om selvhjelp" ||
			len(mails[0].ICS) == 0 {
			t.Fatalf("after the cancellation: %+v", mails)
		}
		sverre := linkOf(t, mails[0])
		if r = c.get(sverre); !strings.Contains(r.body, "Du har plass.") {
			t.Errorf("Sverre's page after moving up:\n%s", r.body)
		}
		// His first link works too.
		if r = c.get(linkOf(t, sm)); r.status != 200 {
			t.Errorf("Sverre's first link: %d", r.status)
		}
		got, _ := st.Event(context.Background(), ev.ID)
		if got.Counts != (store.EventCounts{Confirmed: 1, Cancelled: 1}) {
			t.Errorf("counts %+v", got.Counts)
		}
		// Signing up twice with one address: the same answer, a mail with
		// a new link, no second sign-up.
		r = e.signUp(t, c, page, evForm("Sverre S.", "SVERRE@example.no"))
		if r.location() != page+"/pameldt?plass=1&til=email" {
			t.Errorf("again: %q", r.location())
		}
		if mails = e.deliver(t); len(mails) != 1 || mails[0].Subject != "Påmeldingen din: Informasjonsmøte om selvhjelp" {
			t.Errorf("the mail of a second sign-up: %+v", mails)
		}
		if got, _ := st.Event(context.Background(), ev.ID); got.Counts.Confirmed != 1 || got.Counts.Waiting != 0 {
			t.Errorf("counts after a second sign-up: %+v", got.Counts)
		}
		// In English: the page and the sign-up, and the mail in English.
		r = c.get("/en" + page)
		checkOfficeHTML(t, "/en"+page, r, "en")
		if !strings.Contains(r.body, "Information meeting on self-help") || !strings.Contains(r.body, "Full – waiting list") {
			t.Error("the English page")
		}
		e.signUp(t, c, "/en"+page, evForm("Tove", "tove@example.no"))
		if mails = e.deliver(t); len(mails) != 1 || mails[0].Lang != "en" || !strings.Contains(mails[0].Body, "number 1 on the waiting list") ||
			!strings.HasPrefix(linkOf(t, mails[0]), "/en/avmelding/") {
			t.Errorf("the English mail: %+v", mails)
		}
		// A phone number: a text message.
		e.signUp(t, c, page, evForm("Ulf", "912 34 567"))
		var sms int
		if err := db.QueryRow(`SELECT COUNT(*) FROM outbox WHERE channel = 'sms' AND kind = 'event_waiting'`).Scan(&sms); err != nil || sms != 1 {
			t.Errorf("text messages: %d %v", sms, err)
		}
	})
}

// evEach runs fn on each engine with a fresh store and its DSN.
func evEach(t *testing.T, fn func(t *testing.T, st *store.Store, db *sql.DB)) {
	for _, eng := range storetest.Engines {
		t.Run(string(eng), func(t *testing.T) {
			st, dsn := storetest.OpenDSN(t, eng)
			driver := "sqlite"
			if eng == store.Postgres {
				driver = "pgx"
			}
			db, err := sql.Open(driver, dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			fn(t, st, db)
		})
	}
}
