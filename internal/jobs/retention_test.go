package jobs_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	netmail "net/mail"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/jobs"
	"github.com/fellesrom/fellesrom/internal/mail/mailtest"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// retentionPeople stores a house and, confirmed at confirmed, one enquiry
// per contact: "email:<lang>" or "phone:<lang>"; the rest of the value is
// the contact. It returns their IDs in order.
func retentionPeople(t *testing.T, s *store.Store, confirmed time.Time, people ...[3]string) []string {
	t.Helper()
	ctx := store.WithActor(context.Background(), store.Actor{ID: "person"})
	house := domain.Organisation{Kind: domain.OrgSelfHelpHouse, Slug: "huset", Name: "Huset"}
	if err := s.SaveOrganisation(ctx, &house); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i, p := range people {
		e := store.Enquiry{OrgID: house.ID, Channel: "web", Name: p[2], ContactKind: p[0], Contact: p[1],
			OwnWords: "Jeg vil snakke med noen som har mistet et barn", Municipality: "0301", Formats: []string{"video"},
			Adult: true, ConsentVersion: "2026-01", Lang: strings.Split(p[2], "-")[1]}
		if err := s.CreateEnquiry(ctx, &e, "first-link-"+string(rune('a'+i)), confirmed, store.DefaultRetention); err != nil {
			t.Fatal(err)
		}
		if err := s.ConfirmEnquiry(ctx, e.ID, confirmed); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, e.ID)
	}
	return ids
}

var personLink = regexp.MustCompile(`https://selvhjelp\.example\.no(/[a-z]{2})?/min-henvendelse/([A-Za-z0-9_-]{43})`)

// The job asks every person who has waited 91 days whether they are still
// interested: by e-mail over real SMTP, in their language, or by a text
// message, each with a new private link that opens their enquiry (the old
// one no longer does). The log counts; it names no one.
func TestRetentionJobAsks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		logger, logs := newLogger()
		t0 := time.Date(2026, 1, 12, 10, 0, 0, 0, time.UTC)
		people := [][3]string{
			{"email", "ingrid.qorvyx@example.no", "Ingrid-nb"},
			{"email", "sam.qorvyx@example.no", "Sam-en"},
			{"phone", "98 76 54 32", "Máret-se"},
		}
		ids := retentionPeople(t, s, t0, people...)
		opts := jobs.RetentionOptions{LinkBase: "https://Selvhjelp.example.no/", Now: func() time.Time { return t0.Add(91 * 24 * time.Hour) }}

		res, err := jobs.RunRetention(ctx, s, logger, opts)
		if err != nil || res != (store.RetentionResult{Asked: 3}) {
			t.Fatalf("run: %+v %v", res, err)
		}
		if res, err := jobs.RunRetention(ctx, s, logger, opts); err != nil || res != (store.RetentionResult{}) {
			t.Errorf("a second run asks again: %+v %v", res, err)
		}

		srv := mailtest.Start(t, mailtest.Options{Username: smtpUser, Password: smtpPass})
		if stats, err := jobs.SendMail(ctx, s, newSender(t, smtpConfig(srv)), logger, jobs.MailOptions{}); err != nil || stats.Sent != 2 {
			t.Fatalf("sent %+v %v", stats, err)
		}
		type message struct{ to, subject, body string }
		got := map[string]message{}
		for _, r := range srv.Received() {
			msg, err := netmail.ReadMessage(bytes.NewReader(r.Data))
			if err != nil {
				t.Fatal(err)
			}
			subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
			body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
			if err != nil {
				t.Fatal(err)
			}
			got[r.To[0]] = message{r.To[0], subject, string(body)}
		}
		sms, err := s.ClaimOutbox(ctx, store.ChannelSMS, time.Now(), 10, time.Minute)
		if err != nil || len(sms) != 1 {
			t.Fatalf("text messages: %d %v", len(sms), err)
		}
		got[sms[0].To] = message{sms[0].To, sms[0].Subject, sms[0].Body}
		if len(got) != 3 {
			t.Fatalf("%d messages", len(got))
		}

		for i, want := range []struct{ to, subject, prefix, text string }{
			{"ingrid.qorvyx@example.no", "Ønsker du fortsatt en selvhjelpsgruppe?", "", "Hører vi ikke fra deg innen 30 dager"},
			{"sam.qorvyx@example.no", "Would you still like a self-help group?", "/en", "within 30 days"},
			// The Sami text, and the link to the Sami site.
			{"+4798765432", "", "/se", "Vástit 30 beaivvi siste"},
		} {
			m := got[want.to]
			if m.to != want.to || m.subject != want.subject || !strings.Contains(m.body, want.text) {
				t.Errorf("message %d: to %q, subject %q, body:\n%s", i, m.to, m.subject, m.body)
			}
			link := personLink.FindStringSubmatch(m.body)
			if link == nil || link[1] != want.prefix {
				t.Errorf("message %d: no link to the person's page under %q:\n%s", i, want.prefix, m.body)
				continue
			}
			e, err := s.EnquiryByToken(ctx, auth.HashToken(link[2]))
			if err != nil || e.ID != ids[i] || e.AskedAt.IsZero() {
				t.Errorf("message %d: the link opens %q (asked at %v), want %q: %v", i, e.ID, e.AskedAt, ids[i], err)
			}
			if _, err := s.EnquiryByToken(ctx, "first-link-"+string(rune('a'+i))); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("message %d: the old link still works: %v", i, err)
			}
			if i < 2 && !strings.Contains(m.body, people[i][2]) {
				t.Errorf("message %d does not greet %s", i, people[i][2])
			}
		}

		log := logs.String()
		if !strings.Contains(log, "asked=3") {
			t.Errorf("the log does not count the questions:\n%s", log)
		}
		for _, secret := range append(ids, "Ingrid", "Sam-en", "Máret", "qorvyx", "98765432", "min-henvendelse") {
			if strings.Contains(log, secret) {
				t.Errorf("the log shows %q:\n%s", secret, log)
			}
		}
	})
}

// The job runs under its lease, on one of two instances, and keeps the
// lease until its next run is due.
func TestRetentionJobRunsUnderLease(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		logger, _ := newLogger()
		retentionPeople(t, s, time.Now().Add(-100*24*time.Hour), [3]string{"email", "kari@example.no", "Kari-nb"})
		job, err := jobs.RetentionJob(s, logger, jobs.RetentionOptions{LinkBase: "https://selvhjelp.example.no"})
		if err != nil {
			t.Fatal(err)
		}
		if job.Name != "retention" || job.Interval != time.Hour {
			t.Errorf("job %q every %v", job.Name, job.Interval)
		}
		start := time.Now()
		runCtx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		for _, holder := range []string{"a", "b"} {
			wg.Go(func() {
				if err := (&jobs.Runner{Store: s, Logger: logger, Holder: holder}).Run(runCtx, []jobs.Job{job}); err != nil {
					t.Error(err)
				}
			})
		}
		ran := func() bool {
			l, err := s.LeaseOf(ctx, "retention")
			return err == nil && l.Until.Sub(start) > 50*time.Minute
		}
		for deadline := time.Now().Add(10 * time.Second); !ran() && time.Now().Before(deadline); {
			time.Sleep(20 * time.Millisecond)
		}
		cancel()
		wg.Wait()
		if !ran() {
			t.Error("the job did not run, or does not hold its lease until the next run")
		}
		sum, err := s.OutboxStatus(ctx)
		if err != nil || sum.Counts[store.MailPending] != 1 {
			t.Errorf("questions in the outbox: %+v %v", sum.Counts, err)
		}
	})
}

// Options the job cannot run with stop the server at start.
func TestRetentionJobOptions(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	for _, base := range []string{"", "selvhjelp.example.no", "http://selvhjelp.example.no", "https://selvhjelp.example.no/sti",
		"https://selvhjelp.example.no?x=1", "https://kari@selvhjelp.example.no", "ftp://selvhjelp.example.no", "https://"} {
		if _, err := jobs.RetentionJob(st, nil, jobs.RetentionOptions{LinkBase: base}); err == nil {
			t.Errorf("link base %q accepted", base)
		}
	}
	for _, base := range []string{"https://selvhjelp.example.no", "https://selvhjelp.example.no:8443/", "http://127.0.0.1:8080",
		"http://localhost:8080", "http://[::1]:8080"} {
		if _, err := jobs.RetentionJob(st, nil, jobs.RetentionOptions{LinkBase: base}); err != nil {
			t.Errorf("link base %q: %v", base, err)
		}
	}
	bad := store.DefaultRetention
	bad.AnswerWithin = time.Minute
	if _, err := jobs.RetentionJob(st, nil, jobs.RetentionOptions{LinkBase: "https://selvhjelp.example.no", Retention: bad}); err == nil ||
		!strings.Contains(err.Error(), store.EnvRetention) {
		t.Errorf("a clock of a minute: %v", err)
	}
}
