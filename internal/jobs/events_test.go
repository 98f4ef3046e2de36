package jobs_test

import (
	"bytes"
	"context"
	"io"
	"mime"
	"mime/quotedprintable"
	netmail "net/mail"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/jobs"
	"github.com/fellesrom/fellesrom/internal/mail/mailtest"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

var eventLink = regexp.MustCompile(`https://selvhjelp\.example\.no(/[a-z]{2})?/avmelding/([A-Za-z0-9_-]{43})`)

// The events job reminds those with a place the day before — by e-mail
// over real SMTP in their language, or by a text message, each with a link
// that opens their sign-up — once, however often it runs; 30 days after
// the event it deletes the sign-ups and leaves the counts. The log counts;
// it names no one.
func TestEventsJob(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := store.WithActor(context.Background(), store.Actor{ID: "coord"})
		logger, logs := newLogger()
		house := domain.Organisation{Kind: domain.OrgSelfHelpHouse, Slug: "huset", Name: "Selvhjelpshuset Tromsø"}
		if err := s.SaveOrganisation(ctx, &house); err != nil {
			t.Fatal(err)
		}
		venue := domain.Venue{OrgID: house.ID, Name: "Huset", Street: "Storgata 1", PostalCode: "9008", City: "Tromsø",
			MunicipalityID: "5501"}
		if err := s.SaveVenue(ctx, &venue); err != nil {
			t.Fatal(err)
		}
		oslo, _ := time.LoadLocation("Europe/Oslo")
		start := time.Date(2026, 3, 12, 18, 0, 0, 0, oslo)
		msg := jobs.EventMessenger("https://selvhjelp.example.no", nil)
		t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
		e := store.Event{Slug: "infomote", OrgID: house.ID, Kind: store.EventInformationMeeting,
			Title: domain.Text{"nb": "Informasjonsmøte", "en": "Information meeting"}, StartsAt: start,
			EndsAt: start.Add(2 * time.Hour), VenueID: venue.ID, Capacity: 2, SignupOpen: true, Listed: true,
			Online: true, OnlineURL: "https://video.example.no/mote"}
		if err := s.SaveEvent(ctx, &e, t0, msg); err != nil {
			t.Fatal(err)
		}
		person := store.WithActor(context.Background(), store.Actor{ID: "person"})
		for _, p := range []store.Signup{
			{Name: "Ingrid Qorvyx", ContactKind: "email", Contact: "ingrid.qorvyx@example.no", Lang: "nb"},
			{Name: "Sam Qorvyx", ContactKind: "email", Contact: "sam.qorvyx@example.no", Lang: "en"},
			{Name: "Máret Qorvyx", ContactKind: "phone", Contact: "98 76 54 32", Lang: "se"},
		} {
			p.ConsentVersion = "test"
			if err := s.SignUp(person, e.ID, &p, t0, msg); err != nil {
				t.Fatal(err)
			}
		}
		// The confirmations out of the way.
		srv := mailtest.Start(t, mailtest.Options{Username: smtpUser, Password: smtpPass})
		sender := newSender(t, smtpConfig(srv))
		if stats, err := jobs.SendMail(ctx, s, sender, logger, jobs.MailOptions{}); err != nil || stats.Sent != 2 {
			t.Fatalf("the confirmations: %+v %v", stats, err)
		}
		sms, err := s.ClaimOutbox(ctx, store.ChannelSMS, time.Now(), 10, time.Minute)
		if err != nil || len(sms) != 1 || sms[0].Kind != store.EventMailWaiting {
			t.Fatalf("the text message: %+v %v", sms, err)
		}
		if err := s.MarkSent(ctx, sms[0], time.Now()); err != nil {
			t.Fatal(err)
		}

		at := store.EventReminderAt(e) // 2026-03-11 10:00 in Oslo
		opts := func(now time.Time) jobs.EventsOptions {
			return jobs.EventsOptions{LinkBase: "https://selvhjelp.example.no", Now: func() time.Time { return now }}
		}
		if res, err := jobs.RunEvents(ctx, s, logger, opts(at.Add(-time.Minute))); err != nil || res != (jobs.EventsResult{}) {
			t.Errorf("before the reminder time: %+v %v", res, err)
		}
		res, err := jobs.RunEvents(ctx, s, logger, opts(at))
		if err != nil || res != (jobs.EventsResult{Reminded: 2}) {
			t.Fatalf("the reminders: %+v %v", res, err)
		}
		if res, err := jobs.RunEvents(ctx, s, logger, opts(at.Add(time.Hour))); err != nil || res != (jobs.EventsResult{}) {
			t.Errorf("a second run reminds again: %+v %v", res, err)
		}

		if stats, err := jobs.SendMail(ctx, s, sender, logger, jobs.MailOptions{}); err != nil || stats.Sent != 2 {
			t.Fatalf("sent %+v %v", stats, err)
		}
		got := map[string][2]string{}
		for _, r := range srv.Received()[2:] {
			m, err := netmail.ReadMessage(bytes.NewReader(r.Data))
			if err != nil {
				t.Fatal(err)
			}
			subject, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
			body, _ := io.ReadAll(quotedprintable.NewReader(m.Body))
			got[r.To[0]] = [2]string{subject, string(body)}
		}
		for to, want := range map[string][3]string{
			"ingrid.qorvyx@example.no": {"I morgen: Informasjonsmøte", "Torsdag 12. mars 2026 kl. 18.00–20.00", ""},
			"sam.qorvyx@example.no":    {"Tomorrow: Information meeting", "Thursday 12 March 2026, 18:00–20:00", "/en"},
		} {
			m := got[to]
			if m[0] != want[0] || !strings.Contains(m[1], want[1]) || !strings.Contains(m[1], "https://video.example.no/mote") {
				t.Errorf("%s: %q\n%s", to, m[0], m[1])
			}
			link := eventLink.FindStringSubmatch(m[1])
			if link == nil || link[1] != want[2] {
				t.Errorf("%s: no link under %q:\n%s", to, want[2], m[1])
				continue
			}
			if su, _, err := s.SignupByToken(ctx, auth.HashToken(link[2])); err != nil || su.Contact != to {
				t.Errorf("%s: the link opens %+v %v", to, su, err)
			}
		}
		// Máret waits: no reminder for her.
		if sms, _ := s.ClaimOutbox(ctx, store.ChannelSMS, time.Now(), 10, time.Minute); len(sms) != 0 {
			t.Errorf("a reminder to the waiting list: %+v", sms)
		}

		// Thirty days after the event: the sign-ups go, the counts stay.
		later := e.EndsAt.Add(store.EventSignupRetention)
		if res, err := jobs.RunEvents(ctx, s, logger, opts(later.Add(-time.Minute))); err != nil || res != (jobs.EventsResult{}) {
			t.Errorf("before the deletion: %+v %v", res, err)
		}
		if res, err := jobs.RunEvents(ctx, s, logger, opts(later)); err != nil || res != (jobs.EventsResult{Events: 1, Deleted: 3}) {
			t.Errorf("the deletion: %+v %v", res, err)
		}
		g, err := s.Event(ctx, e.ID)
		if err != nil || g.Counts != (store.EventCounts{Confirmed: 2, Waiting: 1}) || g.SignupsDeletedAt.IsZero() {
			t.Errorf("after the deletion: %+v %v", g, err)
		}
		log := logs.String()
		if !strings.Contains(log, "reminded=2") || !strings.Contains(log, "signups_deleted=3") {
			t.Errorf("the log does not count:\n%s", log)
		}
		for _, secret := range []string{e.ID, "Ingrid", "Sam", "Máret", "qorvyx", "98765432", "avmelding"} {
			if strings.Contains(log, secret) {
				t.Errorf("the log shows %q:\n%s", secret, log)
			}
		}
		if _, err := jobs.EventsJob(s, logger, jobs.EventsOptions{LinkBase: "http://selvhjelp.example.no"}); err == nil {
			t.Error("the job starts with links over plain http to another host")
		}
	})
}
