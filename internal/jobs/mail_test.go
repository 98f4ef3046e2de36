package jobs_test

import (
	"bytes"
	"context"
	"mime"
	netmail "net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/fellesrom/fellesrom/internal/jobs"
	"github.com/fellesrom/fellesrom/internal/mail"
	"github.com/fellesrom/fellesrom/internal/mail/mailtest"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

const (
	smtpUser = "fellesrom"
	smtpPass = "hemmelig"
	// Personal data that must never show in a log.
	address = "kari.nordmann@example.no"
	subject = "Hemmelig emne om Kari"
	secret  = "Kari har meldt seg på sorggruppa"
)

func smtpConfig(srv *mailtest.Server) mail.Config {
	return mail.Config{Host: srv.Host, Port: srv.Port, Username: smtpUser, Password: smtpPass,
		From: "fellesrom <ikke-svar@fellesrom.example>", Timeout: 5 * time.Second, TLSConfig: srv.ClientTLS()}
}

func newSender(t *testing.T, c mail.Config) *mail.Sender {
	t.Helper()
	s, err := mail.NewSender(c)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func enqueueSecret(t *testing.T, s *store.Store) string {
	t.Helper()
	id, err := s.EnqueueMail(context.Background(), store.OutboxMail{To: address, Subject: subject,
		Body: secret + ".\n", Kind: "invite", Lang: "nb"})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// noPersonalData fails if the log shows an address, a subject or a text.
func noPersonalData(t *testing.T, logs string) {
	t.Helper()
	for _, s := range []string{address, "kari.nordmann", subject, secret, "@example.no", "Prøvemelding", "Test message"} {
		if strings.Contains(logs, s) {
			t.Errorf("the log shows %q:\n%s", s, logs)
		}
	}
}

func mailByID(t *testing.T, s *store.Store, id string) store.OutboxMail {
	t.Helper()
	m, err := s.OutboxMailByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// clock is a settable clock for MailOptions.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestMailJobSends(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		logger, logs := newLogger()
		srv := mailtest.Start(t, mailtest.Options{Username: smtpUser, Password: smtpPass})
		var want []string
		for _, lang := range []string{"nb", "en"} {
			subj, body, err := mail.Compose(nil, lang, "test", map[string]any{"Site": "https://fellesrom.example"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.EnqueueMail(ctx, store.OutboxMail{To: lang + "@example.no", Subject: subj, Body: body, Lang: lang, Kind: "test"}); err != nil {
				t.Fatal(err)
			}
			want = append(want, subj)
		}
		id := enqueueSecret(t, s)
		want = append(want, subject)

		stats, err := jobs.SendMail(ctx, s, newSender(t, smtpConfig(srv)), logger, jobs.MailOptions{BatchSize: 2})
		if err != nil {
			t.Fatal(err)
		}
		if stats != (jobs.MailStats{Sent: 3}) {
			t.Errorf("stats %+v", stats)
		}
		got := srv.Received()
		if len(got) != 3 {
			t.Fatalf("%d mails arrived", len(got))
		}
		for i, r := range got {
			msg, err := netmail.ReadMessage(bytes.NewReader(r.Data))
			if err != nil {
				t.Fatal(err)
			}
			subj, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
			if subj != want[i] || !r.TLS || r.AuthAs != smtpUser {
				t.Errorf("mail %d: subject %q, want %q; TLS %v, auth %q", i, subj, want[i], r.TLS, r.AuthAs)
			}
			if i == 2 && msg.Header.Get("Message-Id") != "<"+id+"@fellesrom.example>" {
				t.Errorf("Message-ID %q, want the outbox ID", msg.Header.Get("Message-Id"))
			}
		}
		m := mailByID(t, s, id)
		if m.Status != store.MailSent || m.Body != "" || m.Attempts != 1 {
			t.Errorf("after sending: %+v", m)
		}
		if stats, _ := jobs.SendMail(ctx, s, newSender(t, smtpConfig(srv)), logger, jobs.MailOptions{}); stats != (jobs.MailStats{}) {
			t.Errorf("a second run: %+v", stats)
		}
		if !strings.Contains(logs.String(), "sent=3") {
			t.Errorf("the log does not count the mails:\n%s", logs)
		}
		noPersonalData(t, logs.String())
	})
}

// A 451 schedules another attempt after 1 minute, then 5; after the last
// attempt the mail fails and shows in the list of failed mails.
func TestMailJobRetriesThenFails(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		logger, logs := newLogger()
		srv := mailtest.Start(t, mailtest.Options{Username: smtpUser, Password: smtpPass,
			RejectRcpt: &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "<" + address + "> try again later"}})
		sender := newSender(t, smtpConfig(srv))
		id := enqueueSecret(t, s)
		clk := &clock{t: time.Now().Add(time.Second)}
		opts := jobs.MailOptions{MaxAttempts: 3, Now: clk.Now}
		run := func() jobs.MailStats {
			t.Helper()
			stats, err := jobs.SendMail(ctx, s, sender, logger, opts)
			if err != nil {
				t.Fatal(err)
			}
			return stats
		}

		if st := run(); st != (jobs.MailStats{Retry: 1}) {
			t.Fatalf("first run: %+v", st)
		}
		m := mailByID(t, s, id)
		if m.Status != store.MailPending || m.Attempts != 1 || m.NextAttemptAt.Sub(clk.Now().Add(time.Minute)).Abs() > time.Millisecond {
			t.Errorf("after a 451: %+v", m)
		}
		if want := "smtp rcpt: 451 4.3.0 [address] try again later"; m.LastError != want {
			t.Errorf("last error %q, want %q", m.LastError, want)
		}
		if st := run(); st != (jobs.MailStats{}) {
			t.Errorf("before the next attempt is due: %+v", st)
		}
		clk.Add(time.Minute)
		if st := run(); st != (jobs.MailStats{Retry: 1}) {
			t.Fatalf("second attempt: %+v", st)
		}
		if m := mailByID(t, s, id); m.Attempts != 2 || m.NextAttemptAt.Sub(clk.Now().Add(5*time.Minute)).Abs() > time.Millisecond {
			t.Errorf("after the second attempt: %+v", m)
		}
		clk.Add(5 * time.Minute)
		if st := run(); st != (jobs.MailStats{Failed: 1}) {
			t.Fatalf("third and last attempt: %+v", st)
		}
		sum, err := s.OutboxStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Counts[store.MailFailed] != 1 || len(sum.Failed) != 1 || sum.Failed[0].ID != id || sum.Failed[0].Attempts != 3 {
			t.Errorf("outbox status %+v", sum)
		}
		if len(srv.Received()) != 0 {
			t.Error("a mail arrived")
		}
		// A person in the back office puts it back.
		if err := s.RetryFailed(ctx, id); err != nil {
			t.Fatal(err)
		}
		if m := mailByID(t, s, id); m.Status != store.MailPending || m.Attempts != 0 {
			t.Errorf("after RetryFailed: %+v", m)
		}
		out := logs.String()
		if !strings.Contains(out, "code=451") || !strings.Contains(out, "mail failed") {
			t.Errorf("log:\n%s", out)
		}
		noPersonalData(t, out)
	})
}

func TestMailJobPermanentFailure(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		logger, logs := newLogger()
		srv := mailtest.Start(t, mailtest.Options{Username: smtpUser, Password: smtpPass,
			RejectRcpt: &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "<" + address + ">: Recipient address rejected: User unknown"}})
		id := enqueueSecret(t, s)
		stats, err := jobs.SendMail(ctx, s, newSender(t, smtpConfig(srv)), logger, jobs.MailOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if stats != (jobs.MailStats{Failed: 1}) {
			t.Errorf("stats %+v", stats)
		}
		m := mailByID(t, s, id)
		if m.Status != store.MailFailed || m.Attempts != 1 || m.LastError != "smtp rcpt: 550 5.1.1 [address] Recipient address rejected: User unknown" {
			t.Errorf("after a 550: %+v", m)
		}
		if !strings.Contains(logs.String(), "code=550") {
			t.Errorf("log:\n%s", logs)
		}
		noPersonalData(t, logs.String())
	})
}

// A server that does not answer: the mail waits for another attempt.
func TestMailJobTimeout(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		logger, logs := newLogger()
		c := mail.Config{Host: "127.0.0.1", Port: mailtest.Silent(t), From: "ikke-svar@fellesrom.example", Timeout: 300 * time.Millisecond}
		id := enqueueSecret(t, s)
		stats, err := jobs.SendMail(ctx, s, newSender(t, c), logger, jobs.MailOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if stats != (jobs.MailStats{Retry: 1}) {
			t.Errorf("stats %+v", stats)
		}
		m := mailByID(t, s, id)
		if m.Status != store.MailPending || m.Attempts != 1 || !strings.Contains(m.LastError, "timeout") || m.Body == "" {
			t.Errorf("after a timeout: %+v", m)
		}
		if !strings.Contains(logs.String(), "timeout=true") {
			t.Errorf("log:\n%s", logs)
		}
		noPersonalData(t, logs.String())
	})
}

// When the program stops in the middle of sending, the mail goes back to
// pending, and the attempt does not count.
func TestMailJobStopping(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		logger, _ := newLogger()
		c := mail.Config{Host: "127.0.0.1", Port: mailtest.Silent(t), From: "ikke-svar@fellesrom.example", Timeout: time.Minute}
		id := enqueueSecret(t, s)
		enqueueSecret(t, s)
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		stats, err := jobs.SendMail(ctx, s, newSender(t, c), logger, jobs.MailOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if stats != (jobs.MailStats{Released: 2}) {
			t.Errorf("stats %+v", stats)
		}
		if m := mailByID(t, s, id); m.Status != store.MailPending || m.Attempts != 0 {
			t.Errorf("after stopping: %+v", m)
		}
	})
}

// Without a configured server, mails wait, and the log says so.
func TestMailJobNotConfigured(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		logger, logs := newLogger()
		list, err := jobs.Outbox(s, mail.Config{}, logger, jobs.MailOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].Name != "mail" || list[1].Name != "outbox-purge" || list[1].Interval != 24*time.Hour {
			t.Fatalf("jobs %+v", list)
		}
		id := enqueueSecret(t, s)
		for range 2 {
			if err := list[0].Run(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if m := mailByID(t, s, id); m.Status != store.MailPending || m.Attempts != 0 {
			t.Errorf("mail %+v", m)
		}
		out := logs.String()
		if strings.Count(out, "mail is not configured") != 1 || !strings.Contains(out, "pending=1") {
			t.Errorf("log (want one warning with the count):\n%s", out)
		}
		if _, err := jobs.Outbox(s, mail.Config{Host: "smtp.example.no", TLS: mail.TLSNone, From: "x@example.no"}, logger, jobs.MailOptions{}); err == nil {
			t.Error("a configuration that sends in plain text to another host was accepted")
		}
	})
}

// The whole path: the runner runs the outbox jobs, which send an enqueued
// mail through SMTP and purge.
func TestOutboxJobsEndToEnd(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		logger, logs := newLogger()
		srv := mailtest.Start(t, mailtest.Options{Username: smtpUser, Password: smtpPass})
		list, err := jobs.Outbox(s, smtpConfig(srv), logger, jobs.MailOptions{Interval: 100 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		id := enqueueSecret(t, s)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			if err := jobs.Run(ctx, s, logger, list); err != nil {
				t.Error(err)
			}
		}()
		purged := func() bool { // the purge has run, and holds its lease for the day
			l, err := s.LeaseOf(context.Background(), "outbox-purge")
			return err == nil && time.Until(l.Until) >= 23*time.Hour
		}
		// Wait for both (a loaded machine can take seconds to schedule
		// the runner; the wait ends as soon as both are done).
		deadline := time.Now().Add(60 * time.Second)
		for (len(srv.Received()) == 0 || !purged()) && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		cancel()
		<-done
		if len(srv.Received()) != 1 {
			t.Fatalf("%d mails arrived", len(srv.Received()))
		}
		if m := mailByID(t, s, id); m.Status != store.MailSent {
			t.Errorf("mail %+v", m)
		}
		if l, err := s.LeaseOf(context.Background(), "outbox-purge"); err != nil || time.Until(l.Until) < 23*time.Hour {
			t.Errorf("the purge ran and holds its lease for a day: %+v %v", l, err)
		}
		noPersonalData(t, logs.String())
	})
}
