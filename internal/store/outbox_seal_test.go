package store_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/seal"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// Personal data of the messages below, which no dump may show.
const (
	sealAddr    = "kari.nordmann@example.no"
	sealSubject = "Invitasjon til sorggruppa på Selvhjelpshuset"
	sealBody    = "Hei Kari! Gruppa for etterlatte møtes torsdag."
	sealPhone   = "+4741234567"
	sealSMS     = "Hei Kari, husk møtet i sorggruppa torsdag kl. 18."
	sealICS     = "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nSUMMARY:Oppstartsmøte sorggruppa\r\nATTENDEE:mailto:kari.nordmann@example.no\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)

func sealedMail() store.OutboxMail {
	return store.OutboxMail{To: sealAddr, Subject: sealSubject, Body: sealBody, Kind: "group_invite", Ref: "enquiry:x",
		Attachment: &store.Attachment{Name: "invitasjon.ics", ContentType: "text/calendar; method=REQUEST", Data: []byte(sealICS)}}
}

func sealedSMS() store.OutboxMail {
	return store.OutboxMail{Channel: store.ChannelSMS, To: sealPhone, Body: sealSMS, Kind: "reminder", Lang: "en"}
}

// dumpHasNone fails if the dump holds any of the values, as they are or in
// the forms a column could keep them (base64 of the attachment, the phone
// number without its plus).
func dumpHasNone(t *testing.T, dump []byte) {
	t.Helper()
	for _, plain := range []string{sealAddr, "kari.nordmann", sealSubject, "sorggruppa", sealBody, sealPhone, "41234567", sealSMS,
		"Oppstartsm", "VCALENDAR", base64.StdEncoding.EncodeToString([]byte(sealICS))[:40], "invitasjon.ics"} {
		if bytes.Contains(dump, []byte(plain)) {
			t.Errorf("the database dump holds %q in plain text", plain)
		}
	}
}

// The outbox holds nothing readable: after a mail with an invitation and a
// text message are enqueued, a dump of the database (pg_dump, or the
// SQLite file and its log) shows neither address, number, subject, text nor
// attachment; each channel's claim gets its own message back intact; once
// sent, only the sealed address is left.
func TestOutboxSealed(t *testing.T) {
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			s, dsn := storetest.OpenDSN(t, e)
			ctx := context.Background()
			mailID := enqueue(t, s, sealedMail())
			smsID := enqueue(t, s, sealedSMS())
			dumpHasNone(t, storetest.Dump(t, e, dsn))
			if n, err := s.CountSealed(ctx); err != nil || n != 6 {
				t.Errorf("CountSealed = %d, %v; want 6 (address, subject, body, attachment; number, text)", n, err)
			}

			now := time.Now().Add(time.Second)
			mails := claim(t, s, now, 10)
			if len(mails) != 1 || mails[0].ID != mailID {
				t.Fatalf("ClaimMail got %v, want the mail only", ids(mails))
			}
			m := mails[0]
			a := m.Attachment
			if m.Channel != store.ChannelEmail || m.To != sealAddr || m.Subject != sealSubject || m.Body != sealBody ||
				m.Kind != "group_invite" || m.Ref != "enquiry:x" || a == nil || a.Name != "invitasjon.ics" ||
				a.ContentType != "text/calendar; method=REQUEST" || string(a.Data) != sealICS {
				t.Errorf("claimed mail %+v (attachment %+v)", m, a)
			}
			texts, err := s.ClaimOutbox(ctx, store.ChannelSMS, now, 10, time.Minute)
			if err != nil || len(texts) != 1 || texts[0].ID != smsID {
				t.Fatalf("ClaimOutbox(sms) got %v, %v", ids(texts), err)
			}
			if x := texts[0]; x.Channel != store.ChannelSMS || x.To != sealPhone || x.Body != sealSMS || x.Subject != "" ||
				x.Attachment != nil || x.Lang != "en" {
				t.Errorf("claimed text message %+v", x)
			}
			if _, err := s.ClaimOutbox(ctx, "fax", now, 10, time.Minute); err == nil {
				t.Error("claimed from an unknown channel")
			}

			// Sent: the subject, the text and the attachment are gone; the
			// address stays, sealed, until the purge.
			if err := s.MarkSent(ctx, m, now); err != nil {
				t.Fatal(err)
			}
			if err := s.MarkSent(ctx, texts[0], now); err != nil {
				t.Fatal(err)
			}
			db := rawDB(t, e, dsn)
			rows, err := db.QueryContext(ctx, `SELECT to_addr, subject, body_text, attachment FROM outbox`)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for rows.Next() {
				var to, subj, body, att string
				if err := rows.Scan(&to, &subj, &body, &att); err != nil {
					t.Fatal(err)
				}
				n++
				if !seal.IsSealed(to) || subj != "" || body != "" || att != "" {
					t.Errorf("a sent row holds to=%.12q… subject=%q body=%q attachment=%q", to, subj, body, att)
				}
			}
			rows.Close()
			if n != 2 {
				t.Errorf("%d rows", n)
			}
			if got, err := s.OutboxMailByID(ctx, smsID); err != nil || got.To != sealPhone || got.Body != "" || got.Status != store.MailSent {
				t.Errorf("sent text message read back: %+v %v", got, err)
			}
			dumpHasNone(t, storetest.Dump(t, e, dsn))
		})
	}
}

// Rows written before sealing existed are sealed by Reseal, and read back
// the same.
func TestOutboxResealPlainRows(t *testing.T) {
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			s, dsn := storetest.OpenDSN(t, e)
			ctx := context.Background()
			db := rawDB(t, e, dsn)
			id := store.NewID()
			// As the outbox held a mail before migration 00010.
			if _, err := db.ExecContext(ctx, `INSERT INTO outbox (id, to_addr, subject, body_text, lang, kind, status, attempts,
				next_attempt_at, last_error, created_at) VALUES ($1, $2, $3, $4, 'nb', 'invite', 'pending', 0, $5, '', $5)`,
				id, sealAddr, sealSubject, sealBody, time.Now().UTC().Add(-time.Minute)); err != nil {
				t.Fatal(err)
			}
			r, err := s.Reseal(ctx, nil)
			if err != nil || r.Plain != 3 {
				t.Fatalf("Reseal: %+v %v; want 3 plain values sealed", r, err)
			}
			if e == store.SQLite {
				// The plain values written before are in the write-ahead log
				// until a checkpoint moves the sealed pages into the file.
				if _, err := db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
					t.Fatal(err)
				}
			}
			dumpHasNone(t, storetest.Dump(t, e, dsn))
			ms := claim(t, s, time.Now(), 10)
			if len(ms) != 1 || ms[0].ID != id || ms[0].To != sealAddr || ms[0].Subject != sealSubject || ms[0].Body != sealBody ||
				ms[0].Channel != store.ChannelEmail || ms[0].Attachment != nil {
				t.Errorf("after Reseal: %+v", ms)
			}
		})
	}
}

// A row whose sealed values do not open (moved from another row, or sealed
// with a key that is gone) fails at its claim, with the reason and without
// stopping the others; the list of failed mails still shows it.
func TestOutboxUnopenableRow(t *testing.T) {
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			s, dsn := storetest.OpenDSN(t, e)
			ctx := context.Background()
			good := enqueue(t, s, testMail(1))
			bad := enqueue(t, s, testMail(2))
			db := rawDB(t, e, dsn)
			if _, err := db.ExecContext(ctx, `UPDATE outbox SET to_addr = (SELECT to_addr FROM outbox WHERE id = $1) WHERE id = $2`,
				good, bad); err != nil {
				t.Fatal(err)
			}
			ms := claim(t, s, time.Now().Add(time.Second), 10)
			if len(ms) != 1 || ms[0].ID != good || ms[0].To != "person1@example.no" {
				t.Fatalf("claimed %v, want the good mail only", ids(ms))
			}
			sum, err := s.OutboxStatus(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(sum.Failed) != 1 || sum.Failed[0].ID != bad || sum.Failed[0].To != "" ||
				sum.Failed[0].LastError != "cannot open the sealed to_addr: "+seal.ErrCorrupt.Error() {
				t.Errorf("failed list %+v", sum.Failed)
			}
		})
	}
}

func TestOutboxChannelsAndCounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		enqueue(t, s, testMail(1))
		enqueue(t, s, sealedSMS())
		enqueue(t, s, sealedSMS())
		sum, err := s.OutboxStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Counts[store.MailPending] != 3 || sum.ByChannel[store.ChannelEmail][store.MailPending] != 1 ||
			sum.ByChannel[store.ChannelSMS][store.MailPending] != 2 || sum.ByChannel[store.ChannelSMS][store.MailFailed] != 0 {
			t.Errorf("counts %v by channel %v", sum.Counts, sum.ByChannel)
		}
		texts, err := s.ClaimOutbox(ctx, store.ChannelSMS, time.Now().Add(time.Second), 10, time.Minute)
		if err != nil || len(texts) != 2 {
			t.Fatalf("claimed %v %v", ids(texts), err)
		}
		// An SMS gateway's answer that quotes the number loses it.
		if err := s.MarkFailed(ctx, texts[0], "sms response: 400 invalid recipient +4791234567 (4791234567)", time.Now()); err != nil {
			t.Fatal(err)
		}
		got, _ := s.OutboxMailByID(ctx, texts[0].ID)
		if got.LastError != "sms response: 400 invalid recipient [number] [number]" {
			t.Errorf("last error %q", got.LastError)
		}
		sum, _ = s.OutboxStatus(ctx)
		if len(sum.Failed) != 1 || sum.Failed[0].Channel != store.ChannelSMS || sum.Failed[0].To != sealPhone ||
			sum.ByChannel[store.ChannelSMS][store.MailFailed] != 1 || sum.ByChannel[store.ChannelSMS][store.MailSending] != 1 {
			t.Errorf("after a failure: %+v", sum)
		}
	})
}

func TestOutboxRejectsBadMessages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for name, m := range map[string]store.OutboxMail{
			"unknown channel":       {Channel: "fax", To: sealPhone, Body: "x", Kind: "k"},
			"sms without plus":      {Channel: store.ChannelSMS, To: "4741234567", Body: "x", Kind: "k"},
			"sms national number":   {Channel: store.ChannelSMS, To: "41234567", Body: "x", Kind: "k"},
			"sms with spaces":       {Channel: store.ChannelSMS, To: "+47 412 34 567", Body: "x", Kind: "k"},
			"sms with an address":   {Channel: store.ChannelSMS, To: sealAddr, Body: "x", Kind: "k"},
			"sms too long number":   {Channel: store.ChannelSMS, To: "+4741234567123456", Body: "x", Kind: "k"},
			"sms with a subject":    {Channel: store.ChannelSMS, To: sealPhone, Subject: "Emne", Body: "x", Kind: "k"},
			"sms without text":      {Channel: store.ChannelSMS, To: sealPhone, Body: " \n", Kind: "k"},
			"sms too long":          {Channel: store.ChannelSMS, To: sealPhone, Body: strings.Repeat("æ", 1001), Kind: "k"},
			"sms control character": {Channel: store.ChannelSMS, To: sealPhone, Body: "a\x00b", Kind: "k"},
			"sms with attachment": {Channel: store.ChannelSMS, To: sealPhone, Body: "x", Kind: "k",
				Attachment: &store.Attachment{Name: "a.ics", ContentType: "text/calendar", Data: []byte("x")}},
			"sms without kind": {Channel: store.ChannelSMS, To: sealPhone, Body: "x"},
			"attachment without name": {To: sealAddr, Subject: "s", Body: "b", Kind: "k",
				Attachment: &store.Attachment{ContentType: "text/calendar", Data: []byte("x")}},
			"attachment name with path": {To: sealAddr, Subject: "s", Body: "b", Kind: "k",
				Attachment: &store.Attachment{Name: "../a.ics", ContentType: "text/calendar", Data: []byte("x")}},
			"attachment name with CRLF": {To: sealAddr, Subject: "s", Body: "b", Kind: "k",
				Attachment: &store.Attachment{Name: "a\r\nBcc: x.ics", ContentType: "text/calendar", Data: []byte("x")}},
			"attachment bad type": {To: sealAddr, Subject: "s", Body: "b", Kind: "k",
				Attachment: &store.Attachment{Name: "a.ics", ContentType: "kalender", Data: []byte("x")}},
			"attachment multipart": {To: sealAddr, Subject: "s", Body: "b", Kind: "k",
				Attachment: &store.Attachment{Name: "a.ics", ContentType: "multipart/mixed; boundary=x", Data: []byte("x")}},
			"attachment empty": {To: sealAddr, Subject: "s", Body: "b", Kind: "k",
				Attachment: &store.Attachment{Name: "a.ics", ContentType: "text/calendar"}},
			"attachment too big": {To: sealAddr, Subject: "s", Body: "b", Kind: "k",
				Attachment: &store.Attachment{Name: "a.ics", ContentType: "text/calendar", Data: make([]byte, store.MaxAttachmentSize+1)}},
			"ref with a space": {To: sealAddr, Subject: "s", Body: "b", Kind: "k", Ref: "enquiry: x"},
		} {
			_, err := s.EnqueueMail(ctx, m)
			if err == nil {
				t.Errorf("%s: enqueued", name)
				continue
			}
			if strings.Contains(err.Error(), "41234567") || strings.Contains(err.Error(), "@") {
				t.Errorf("%s: the error shows the number or address: %v", name, err)
			}
		}
		if sum, err := s.OutboxStatus(ctx); err != nil || sum.Counts[store.MailPending] != 0 {
			t.Errorf("after bad messages: %v %v", sum.Counts, err)
		}
		// Without keys nothing is stored, and nothing is claimed.
		keys := s.Keys()
		s.SetKeys(nil)
		defer s.SetKeys(keys)
		if _, err := s.EnqueueMail(ctx, sealedSMS()); !errors.Is(err, store.ErrNoKeys) {
			t.Errorf("enqueue without keys: %v", err)
		}
		if _, err := s.ClaimMail(ctx, time.Now(), 1, time.Minute); !errors.Is(err, store.ErrNoKeys) {
			t.Errorf("claim without keys: %v", err)
		}
	})
}

// BenchmarkOutboxSealed is the life of one mail with an invitation in the
// outbox (enqueue, claim, mark sent), sealing and opening included.
func BenchmarkOutboxSealed(b *testing.B) {
	for _, e := range storetest.Engines {
		b.Run(string(e), func(b *testing.B) {
			s := storetest.Open(b, e)
			ctx := context.Background()
			for b.Loop() {
				if _, err := s.EnqueueMail(ctx, sealedMail()); err != nil {
					b.Fatal(err)
				}
				ms, err := s.ClaimMail(ctx, time.Now().Add(time.Second), 1, time.Minute)
				if err != nil || len(ms) != 1 {
					b.Fatal(len(ms), err)
				}
				if err := s.MarkSent(ctx, ms[0], time.Now()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
