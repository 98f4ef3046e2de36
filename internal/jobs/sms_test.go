package jobs_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	netmail "net/mail"
	"strings"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/jobs"
	"github.com/fellesrom/fellesrom/internal/mail/mailtest"
	"github.com/fellesrom/fellesrom/internal/sms"
	"github.com/fellesrom/fellesrom/internal/sms/smstest"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// Personal data of a text message, which must never show in a log or a dump.
const (
	phone   = "+4741234567"
	smsText = "Hei Kari, sorggruppa møtes torsdag kl. 18 på Selvhjelpshuset."
)

func smsConfig(gw *smstest.Gateway) sms.Config {
	return sms.Config{URL: gw.URL, Token: "token-123", From: "fellesrom", Timeout: 5 * time.Second}
}

func newGateway(t *testing.T, c sms.Config) *sms.Gateway {
	t.Helper()
	g, err := sms.NewGateway(c)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func enqueueSMS(t *testing.T, s *store.Store) string {
	t.Helper()
	id, err := s.EnqueueMail(context.Background(), store.OutboxMail{Channel: store.ChannelSMS, To: phone, Body: smsText,
		Kind: "reminder", Lang: "nb"})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// noPhoneOrText fails if the log shows the number or the text.
func noPhoneOrText(t *testing.T, logs string) {
	t.Helper()
	for _, s := range []string{phone, "41234567", smsText, "sorggruppa", "token-123"} {
		if strings.Contains(logs, s) {
			t.Errorf("the log shows %q:\n%s", s, logs)
		}
	}
}

// A gateway that fails with 500 and then takes the message: one retry
// after a minute, then sent; the gateway got the number and the text, and
// the row keeps neither the text nor a readable number.
func TestSMSJobRetriesThenSends(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		logger, logs := newLogger()
		gw := smstest.Start(t, 500)
		enqueueSecret(t, s) // a mail: the SMS job leaves it alone
		id := enqueueSMS(t, s)
		clk := &clock{t: time.Now().Add(time.Second)}
		opts := jobs.MailOptions{Now: clk.Now}
		g := newGateway(t, smsConfig(gw))
		if st, err := jobs.SendSMS(ctx, s, g, logger, opts); err != nil || st != (jobs.MailStats{Retry: 1}) {
			t.Fatalf("first run: %+v %v", st, err)
		}
		m := mailByID(t, s, id)
		if m.Status != store.MailPending || m.Attempts != 1 || m.LastError != "sms response: 500 Internal Server Error" ||
			m.NextAttemptAt.Sub(clk.Now().Add(time.Minute)).Abs() > time.Millisecond {
			t.Errorf("after a 500: %+v", m)
		}
		if st, _ := jobs.SendSMS(ctx, s, g, logger, opts); st != (jobs.MailStats{}) {
			t.Errorf("before the next attempt is due: %+v", st)
		}
		clk.Add(time.Minute)
		if st, err := jobs.SendSMS(ctx, s, g, logger, opts); err != nil || st != (jobs.MailStats{Sent: 1}) {
			t.Fatalf("second run: %+v %v", st, err)
		}
		reqs := gw.Requests()
		if len(reqs) != 2 {
			t.Fatalf("%d requests", len(reqs))
		}
		for _, r := range reqs {
			if r.To != phone || r.Text != smsText || r.From != "fellesrom" || r.Authorization != "Bearer token-123" {
				t.Errorf("request %+v", r)
			}
		}
		if m := mailByID(t, s, id); m.Status != store.MailSent || m.Body != "" || m.To != phone || m.Attempts != 2 {
			t.Errorf("after sending: %+v", m)
		}
		sum, _ := s.OutboxStatus(ctx)
		if sum.ByChannel[store.ChannelEmail][store.MailPending] != 1 || sum.ByChannel[store.ChannelSMS][store.MailSent] != 1 {
			t.Errorf("by channel: %v", sum.ByChannel)
		}
		out := logs.String()
		if !strings.Contains(out, "sms not sent; will try again") || !strings.Contains(out, "code=500") || !strings.Contains(out, "sent=1") {
			t.Errorf("log:\n%s", out)
		}
		noPhoneOrText(t, out)
	})
}

// A 400 fails the message at once; it shows in the list of failed mails
// with its channel, and can be put back.
func TestSMSJobPermanentFailure(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		logger, logs := newLogger()
		gw := smstest.Start(t, 400)
		id := enqueueSMS(t, s)
		st, err := jobs.SendSMS(ctx, s, newGateway(t, smsConfig(gw)), logger, jobs.MailOptions{})
		if err != nil || st != (jobs.MailStats{Failed: 1}) {
			t.Fatalf("run: %+v %v", st, err)
		}
		m := mailByID(t, s, id)
		if m.Status != store.MailFailed || m.Attempts != 1 || m.LastError != "sms response: 400 Bad Request" {
			t.Errorf("after a 400: %+v", m)
		}
		sum, _ := s.OutboxStatus(ctx)
		if len(sum.Failed) != 1 || sum.Failed[0].Channel != store.ChannelSMS || sum.Failed[0].To != phone {
			t.Errorf("failed list %+v", sum.Failed)
		}
		if err := s.RetryFailed(ctx, id); err != nil {
			t.Fatal(err)
		}
		if st, _ := jobs.SendSMS(ctx, s, newGateway(t, smsConfig(gw)), logger, jobs.MailOptions{}); st != (jobs.MailStats{Sent: 1}) {
			t.Errorf("after the retry from the back office: %+v", st)
		}
		out := logs.String()
		if !strings.Contains(out, "sms failed") || !strings.Contains(out, "code=400") || !strings.Contains(out, "permanent=true") {
			t.Errorf("log:\n%s", out)
		}
		noPhoneOrText(t, out)
	})
}

// A gateway that never answers: the request times out, and the message
// waits for another attempt with the body kept; after the last attempt it
// fails.
func TestSMSJobTimeout(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		logger, logs := newLogger()
		gw := smstest.Start(t)
		gw.Hang()
		id := enqueueSMS(t, s)
		c := smsConfig(gw)
		c.Timeout = 200 * time.Millisecond
		clk := &clock{t: time.Now().Add(time.Second)}
		opts := jobs.MailOptions{MaxAttempts: 2, Now: clk.Now}
		if st, err := jobs.SendSMS(ctx, s, newGateway(t, c), logger, opts); err != nil || st != (jobs.MailStats{Retry: 1}) {
			t.Fatalf("run: %+v %v", st, err)
		}
		m := mailByID(t, s, id)
		if m.Status != store.MailPending || m.Attempts != 1 || !strings.Contains(m.LastError, "timeout") || m.Body != smsText {
			t.Errorf("after a timeout: %+v", m)
		}
		clk.Add(time.Minute)
		if st, _ := jobs.SendSMS(ctx, s, newGateway(t, c), logger, opts); st != (jobs.MailStats{Failed: 1}) {
			t.Errorf("the last attempt: %+v", st)
		}
		if !strings.Contains(logs.String(), "timeout=true") {
			t.Errorf("log:\n%s", logs)
		}
		noPhoneOrText(t, logs.String())
	})
}

// Without a gateway, text messages wait, the log says so once with their
// number, and mail goes on; OutboxJobs makes the three jobs.
func TestSMSJobNotConfigured(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		logger, logs := newLogger()
		srv := mailtest.Start(t, mailtest.Options{Username: smtpUser, Password: smtpPass})
		list, err := jobs.OutboxJobs(s, jobs.Channels{Mail: smtpConfig(srv)}, logger, jobs.MailOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 3 || list[0].Name != "mail" || list[1].Name != "sms" || list[2].Name != "outbox-purge" {
			t.Fatalf("jobs %+v", list)
		}
		id := enqueueSMS(t, s)
		enqueueSMS(t, s)
		enqueueSecret(t, s)
		for range 2 {
			for _, j := range list[:2] {
				if err := j.Run(ctx); err != nil {
					t.Fatal(err)
				}
			}
		}
		if m := mailByID(t, s, id); m.Status != store.MailPending || m.Attempts != 0 {
			t.Errorf("text message %+v", m)
		}
		if n := len(srv.Received()); n != 1 {
			t.Errorf("%d mails arrived", n)
		}
		out := logs.String()
		if strings.Count(out, "sms is not configured") != 1 || !strings.Contains(out, "pending=2") {
			t.Errorf("log (want one warning with the count):\n%s", out)
		}
		noPhoneOrText(t, out)
		bad := jobs.Channels{SMS: sms.Config{URL: "http://sms.example.no/v1", From: "fellesrom"}}
		if _, err := jobs.OutboxJobs(s, bad, logger, jobs.MailOptions{}); err == nil {
			t.Error("a gateway over plain http to another host was accepted")
		}
	})
}

// The whole path on both engines: a mail with an iCalendar invitation and a
// text message are enqueued; a dump of the database holds none of their
// personal data; the runner's jobs send them; they arrive intact.
func TestOutboxSealedEndToEnd(t *testing.T) {
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			s, dsn := storetest.OpenDSN(t, e)
			ctx := context.Background()
			const ics = "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nSUMMARY:Oppstartsmøte i sorggruppa\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
			mailID, err := s.EnqueueMail(ctx, store.OutboxMail{To: address, Subject: subject, Body: secret + ".\n", Kind: "group_invite",
				Attachment: &store.Attachment{Name: "oppstart.ics", ContentType: "text/calendar; method=REQUEST", Data: []byte(ics)}})
			if err != nil {
				t.Fatal(err)
			}
			smsID := enqueueSMS(t, s)
			dump := storetest.Dump(t, e, dsn)
			for _, plain := range []string{address, "kari.nordmann", subject, secret, phone, "41234567", smsText, "Oppstartsm",
				"VCALENDAR", base64.StdEncoding.EncodeToString([]byte(ics))[:40]} {
				if bytes.Contains(dump, []byte(plain)) {
					t.Errorf("the database dump holds %q", plain)
				}
			}

			logger, logs := newLogger()
			srv := mailtest.Start(t, mailtest.Options{Username: smtpUser, Password: smtpPass})
			gw := smstest.Start(t)
			list, err := jobs.OutboxJobs(s, jobs.Channels{Mail: smtpConfig(srv), SMS: smsConfig(gw)}, logger,
				jobs.MailOptions{Interval: 100 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			rctx, cancel := context.WithCancel(ctx)
			done := make(chan struct{})
			go func() {
				defer close(done)
				if err := jobs.Run(rctx, s, logger, list); err != nil {
					t.Error(err)
				}
			}()
			deadline := time.Now().Add(10 * time.Second)
			for (len(srv.Received()) == 0 || len(gw.Requests()) == 0) && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			cancel()
			<-done

			if reqs := gw.Requests(); len(reqs) != 1 || reqs[0].To != phone || reqs[0].Text != smsText {
				t.Errorf("the gateway got %+v", reqs)
			}
			got := srv.Received()
			if len(got) != 1 || len(got[0].To) != 1 || got[0].To[0] != address {
				t.Fatalf("mails arrived: %+v", got)
			}
			msg, err := netmail.ReadMessage(bytes.NewReader(got[0].Data))
			if err != nil {
				t.Fatal(err)
			}
			if subj, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); subj != subject {
				t.Errorf("subject %q", subj)
			}
			_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
			if err != nil {
				t.Fatal(err)
			}
			// multipart.Reader decodes quoted-printable itself; base64 is ours.
			mr := multipart.NewReader(msg.Body, params["boundary"])
			var texts []string
			var cal []byte
			for {
				p, err := mr.NextPart()
				if err == io.EOF {
					break
				} else if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(p)
				if p.Header.Get("Content-Type") == "text/calendar; charset=utf-8; method=REQUEST" && p.FileName() == "oppstart.ics" {
					cal, _ = base64.StdEncoding.DecodeString(strings.ReplaceAll(string(b), "\r\n", ""))
				} else {
					texts = append(texts, string(b))
				}
			}
			if len(texts) != 1 || texts[0] != secret+".\r\n" || string(cal) != ics {
				t.Errorf("parts: text %q, calendar %q", texts, cal)
			}
			for _, id := range []string{mailID, smsID} {
				if m := mailByID(t, s, id); m.Status != store.MailSent || m.Body != "" || m.Subject != "" || m.Attachment != nil {
					t.Errorf("after sending: %+v", m)
				}
			}
			noPersonalData(t, logs.String())
			noPhoneOrText(t, logs.String())
		})
	}
}
