package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// eachDSN is storetest.Each with the DSN.
func eachDSN(t *testing.T, fn func(t *testing.T, s *store.Store, dsn string)) {
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			s, dsn := storetest.OpenDSN(t, e)
			fn(t, s, dsn)
		})
	}
}

func testMail(i int) store.OutboxMail {
	return store.OutboxMail{To: fmt.Sprintf("person%d@example.no", i), Subject: "Invitasjon til fellesrom",
		Body: "Hei!\nDu er invitert.", Lang: "nb", Kind: "invite"}
}

func enqueue(t *testing.T, s *store.Store, m store.OutboxMail) string {
	t.Helper()
	id, err := s.EnqueueMail(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func claim(t *testing.T, s *store.Store, now time.Time, limit int) []store.OutboxMail {
	t.Helper()
	ms, err := s.ClaimMail(context.Background(), now, limit, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

func TestOutboxEnqueueAndClaim(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Now().UTC()
		first := enqueue(t, s, testMail(1))
		later := testMail(2)
		later.NextAttemptAt = now.Add(time.Hour)
		laterID := enqueue(t, s, later)
		second := enqueue(t, s, store.OutboxMail{To: "kari@example.no", Subject: "Tilbakestill passordet ditt",
			Body: "Lenke: https://fellesrom.example/x", Kind: "password_reset"})

		got := claim(t, s, now.Add(time.Second), 10)
		if len(got) != 2 || got[0].ID != first || got[1].ID != second {
			t.Fatalf("claimed %v, want %s then %s", ids(got), first, second)
		}
		m := got[0]
		if m.Status != store.MailSending || m.Attempts != 1 || m.To != "person1@example.no" || m.Body != "Hei!\nDu er invitert." ||
			m.Kind != "invite" || m.Lang != "nb" {
			t.Errorf("claimed mail %+v", m)
		}
		if want := now.Add(time.Second + time.Minute); m.LeaseUntil.Sub(want).Abs() > time.Millisecond {
			t.Errorf("lease until %v, want %v", m.LeaseUntil, want)
		}
		if got[1].Lang != "nb" {
			t.Errorf("language defaults to nb, got %q", got[1].Lang)
		}
		// Claimed mails are not claimed again while the lease holds.
		if again := claim(t, s, now.Add(30*time.Second), 10); len(again) != 0 {
			t.Fatalf("claimed again under the lease: %v", ids(again))
		}
		// A mail whose instance died is claimed again once the lease ran out,
		// and the one due later when its time has come.
		again := claim(t, s, now.Add(2*time.Hour), 10)
		if len(again) != 3 || again[0].ID != first || again[0].Attempts != 2 || again[2].ID != laterID || again[2].Attempts != 1 {
			t.Fatalf("after the lease: %v", ids(again))
		}
		// The first claim lost the mail: it cannot finish it.
		if err := s.MarkSent(ctx, m, now); !errors.Is(err, store.ErrClaimLost) {
			t.Errorf("MarkSent with a lost claim: %v", err)
		}
		if err := s.MarkSent(ctx, again[0], now); err != nil {
			t.Fatal(err)
		}
		sent, err := s.OutboxMailByID(ctx, first)
		if err != nil {
			t.Fatal(err)
		}
		if sent.Status != store.MailSent || sent.Body != "" || sent.SentAt.IsZero() || !sent.LeaseUntil.IsZero() {
			t.Errorf("sent mail %+v: want status sent, body cleared, sent_at set", sent)
		}
		if err := s.MarkSent(ctx, again[0], now); !errors.Is(err, store.ErrClaimLost) {
			t.Errorf("MarkSent twice: %v", err)
		}
		if _, err := s.OutboxMailByID(ctx, store.NewID()); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("missing mail: %v", err)
		}
		if ms, err := s.ClaimMail(ctx, now, 0, time.Minute); err != nil || ms != nil {
			t.Errorf("limit 0: %v %v", ms, err)
		}
	})
}

func ids(ms []store.OutboxMail) []string {
	var out []string
	for _, m := range ms {
		out = append(out, fmt.Sprintf("%s(#%d)", m.ID, m.Attempts))
	}
	return out
}

func TestOutboxRejectsBadMail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for name, mut := range map[string]func(*store.OutboxMail){
			"no address":         func(m *store.OutboxMail) { m.To = "" },
			"CRLF in address":    func(m *store.OutboxMail) { m.To = "ola@example.no\r\nBcc: eve@example.no" },
			"two addresses":      func(m *store.OutboxMail) { m.To = "ola@example.no, eve@example.no" },
			"a name and address": func(m *store.OutboxMail) { m.To = "Ola <ola@example.no>" },
			"not an address":     func(m *store.OutboxMail) { m.To = "ola" },
			"CRLF in subject":    func(m *store.OutboxMail) { m.Subject = "Hei\r\nBcc: eve@example.no" },
			"LF in subject":      func(m *store.OutboxMail) { m.Subject = "Hei\nBcc: eve@example.no" },
			"no subject":         func(m *store.OutboxMail) { m.Subject = " " },
			"no body":            func(m *store.OutboxMail) { m.Body = "" },
			"no kind":            func(m *store.OutboxMail) { m.Kind = "" },
			"kind with spaces":   func(m *store.OutboxMail) { m.Kind = "Invite for Ola" },
		} {
			m := testMail(1)
			mut(&m)
			_, err := s.EnqueueMail(ctx, m)
			if err == nil {
				t.Errorf("%s: enqueued", name)
				continue
			}
			if strings.Contains(err.Error(), "@") {
				t.Errorf("%s: the error shows the address: %v", name, err)
			}
		}
		if sum, err := s.OutboxStatus(ctx); err != nil || sum.Counts[store.MailPending] != 0 {
			t.Errorf("after bad mails: %v %v", sum.Counts, err)
		}
	})
}

// A mail enqueued in a transaction is committed with it, or not at all.
func TestOutboxEnqueueInTransaction(t *testing.T) {
	eachDSN(t, func(t *testing.T, s *store.Store, dsn string) {
		ctx := context.Background()
		driver := "pgx"
		if s.Engine() == store.SQLite {
			driver = "sqlite"
			dsn = "file:" + dsn + "?_pragma=busy_timeout(10000)"
		}
		db, err := sql.Open(driver, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		for _, commit := range []bool{false, true} {
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.EnqueueMailTx(ctx, tx, testMail(1)); err != nil {
				t.Fatal(err)
			}
			if commit {
				err = tx.Commit()
			} else {
				err = tx.Rollback()
			}
			if err != nil {
				t.Fatal(err)
			}
			sum, err := s.OutboxStatus(ctx)
			if err != nil {
				t.Fatal(err)
			}
			want := 0
			if commit {
				want = 1
			}
			if sum.Counts[store.MailPending] != want {
				t.Errorf("commit=%v: %d pending, want %d", commit, sum.Counts[store.MailPending], want)
			}
		}
	})
}

// Several instances claiming at once never get the same mail. On PostgreSQL
// two stores (two pools of connections, as two instances have) claim
// concurrently; SKIP LOCKED lets them pass each other.
func TestOutboxClaimIsExclusive(t *testing.T) {
	eachDSN(t, func(t *testing.T, s *store.Store, dsn string) {
		ctx := context.Background()
		other, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		other.SetKeys(storetest.Keys)
		const mails = 300
		for i := range mails {
			enqueue(t, s, testMail(i))
		}
		var (
			mu      sync.Mutex
			claimed = map[string]int{}
			calls   = map[int]int{}
			start   = make(chan struct{})
			wg      sync.WaitGroup
			errs    = make(chan error, 8)
		)
		now := time.Now().Add(time.Second)
		for w := range 8 {
			st := s
			if w%2 == 1 {
				st = other
			}
			wg.Go(func() {
				// Open this worker's connection before the start, so that
				// the workers do claim at the same time.
				if err := st.Ping(ctx); err != nil {
					errs <- err
					return
				}
				<-start
				for {
					ms, err := st.ClaimMail(ctx, now, 3, time.Minute)
					if err != nil {
						errs <- err
						return
					}
					if len(ms) == 0 {
						return
					}
					mu.Lock()
					calls[w]++
					for _, m := range ms {
						claimed[m.ID]++
					}
					mu.Unlock()
				}
			})
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if len(claimed) != mails {
			t.Errorf("%d mails claimed, want %d", len(claimed), mails)
		}
		for id, n := range claimed {
			if n != 1 {
				t.Errorf("mail %s claimed %d times", id, n)
			}
		}
		t.Logf("claims per worker: %v", calls)
		sum, err := s.OutboxStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Counts[store.MailSending] != mails || sum.Counts[store.MailPending] != 0 {
			t.Errorf("counts after claiming: %v", sum.Counts)
		}
	})
}

func TestOutboxRetryAndFailure(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		id := enqueue(t, s, testMail(1))
		now := time.Now().UTC()
		m := claim(t, s, now, 1)[0]

		next := now.Add(5 * time.Minute)
		if err := s.MarkRetry(ctx, m, "rcpt: 451 4.3.0 <person1@example.no>: try again\r\nlater", next); err != nil {
			t.Fatal(err)
		}
		got, _ := s.OutboxMailByID(ctx, id)
		if sum, err := s.OutboxStatus(ctx); err != nil || sum.Retrying != 1 || sum.Counts[store.MailPending] != 1 {
			t.Errorf("status after a retry: %+v %v", sum, err)
		}
		if got.Status != store.MailPending || got.Attempts != 1 || got.NextAttemptAt.Sub(next).Abs() > time.Millisecond ||
			!got.LeaseUntil.IsZero() {
			t.Errorf("after retry: %+v", got)
		}
		if want := "rcpt: 451 4.3.0 [address] try again later"; got.LastError != want {
			t.Errorf("last error %q, want %q", got.LastError, want)
		}
		if ms := claim(t, s, now.Add(4*time.Minute), 5); len(ms) != 0 {
			t.Errorf("claimed before the next attempt: %v", ids(ms))
		}
		m = claim(t, s, next, 5)[0]
		if m.Attempts != 2 {
			t.Errorf("second claim: attempt %d", m.Attempts)
		}
		// Giving a mail back does not count as an attempt.
		if err := s.ReleaseMail(ctx, m); err != nil {
			t.Fatal(err)
		}
		m = claim(t, s, next, 5)[0]
		if m.Attempts != 2 {
			t.Errorf("after release: attempt %d, want 2", m.Attempts)
		}
		if err := s.MarkFailed(ctx, m, "rcpt: 550 5.1.1 user unknown", now); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkRetry(ctx, m, "late", now); !errors.Is(err, store.ErrClaimLost) {
			t.Errorf("retry after failure: %v", err)
		}
		if ms := claim(t, s, now.Add(24*time.Hour), 5); len(ms) != 0 {
			t.Errorf("a failed mail was claimed: %v", ids(ms))
		}

		enqueue(t, s, testMail(2))
		sum, err := s.OutboxStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int{"pending": 1, "sending": 0, "sent": 0, "failed": 1}
		for k, v := range want {
			if sum.Counts[k] != v {
				t.Errorf("count %s = %d, want %d (%v)", k, sum.Counts[k], v, sum.Counts)
			}
		}
		if sum.OldestPending.IsZero() || time.Since(sum.OldestPending) > time.Minute {
			t.Errorf("oldest pending %v", sum.OldestPending)
		}
		if len(sum.Failed) != 1 {
			t.Fatalf("failed list %v", ids(sum.Failed))
		}
		f := sum.Failed[0]
		if f.ID != id || f.Body != "" || f.Kind != "invite" || f.LastError != "rcpt: 550 5.1.1 user unknown" || f.Attempts != 2 ||
			f.FailedAt.IsZero() {
			t.Errorf("failed entry %+v", f)
		}

		if err := s.RetryFailed(ctx, id); err != nil {
			t.Fatal(err)
		}
		got, _ = s.OutboxMailByID(ctx, id)
		if got.Status != store.MailPending || got.Attempts != 0 || !got.FailedAt.IsZero() {
			t.Errorf("after RetryFailed: %+v", got)
		}
		if err := s.RetryFailed(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("RetryFailed of a pending mail: %v", err)
		}
		if ms := claim(t, s, time.Now().Add(time.Second), 5); len(ms) != 2 {
			t.Errorf("after RetryFailed, claimed %v", ids(ms))
		}
	})
}

func TestOutboxPurge(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for i := range 5 {
			enqueue(t, s, testMail(i))
		}
		now := time.Now().UTC()
		ms := claim(t, s, now, 5)
		if len(ms) != 5 {
			t.Fatalf("claimed %d", len(ms))
		}
		day := 24 * time.Hour
		for _, err := range []error{
			s.MarkSent(ctx, ms[0], now.Add(-8*day)),         // purged
			s.MarkSent(ctx, ms[1], now.Add(-6*day)),         // kept
			s.MarkFailed(ctx, ms[2], "x", now.Add(-31*day)), // purged
			s.MarkFailed(ctx, ms[3], "x", now.Add(-29*day)), // kept
			s.ReleaseMail(ctx, ms[4]),                       // pending: never purged
		} {
			if err != nil {
				t.Fatal(err)
			}
		}
		n, err := s.PurgeOutbox(ctx, now)
		if err != nil {
			t.Fatal(err)
		}
		if n != 2 {
			t.Errorf("purged %d, want 2", n)
		}
		for i, want := range []bool{false, true, false, true, true} {
			_, err := s.OutboxMailByID(ctx, ms[i].ID)
			if exists := err == nil; exists != want {
				t.Errorf("mail %d exists=%v, want %v (%v)", i, exists, want, err)
			}
		}
		if n, err := s.PurgeOutbox(ctx, now.Add(365*day)); err != nil || n != 2 {
			t.Errorf("a year later: purged %d (%v), want 2: the pending mail stays", n, err)
		}
	})
}

func TestLeases(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		acquire := func(name, holder string, ttl time.Duration) bool {
			t.Helper()
			ok, err := s.AcquireLease(ctx, name, holder, ttl)
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		if !acquire("mail", "a", time.Minute) {
			t.Fatal("a did not get a free lease")
		}
		if acquire("mail", "b", time.Minute) {
			t.Fatal("b got a lease that a holds")
		}
		if !acquire("purge", "b", time.Minute) {
			t.Fatal("b did not get another lease")
		}
		// The holder renews, here to a short time.
		if !acquire("mail", "a", 200*time.Millisecond) {
			t.Fatal("a could not renew")
		}
		l, err := s.LeaseOf(ctx, "mail")
		if err != nil || l.Holder != "a" || time.Until(l.Until) > 200*time.Millisecond {
			t.Errorf("lease %+v %v", l, err)
		}
		// Someone else's release does nothing.
		if err := s.ReleaseLease(ctx, "mail", "b"); err != nil {
			t.Fatal(err)
		}
		if acquire("mail", "b", time.Minute) {
			t.Fatal("b got the lease after releasing a lease it did not hold")
		}
		time.Sleep(250 * time.Millisecond)
		if !acquire("mail", "b", time.Minute) {
			t.Fatal("b did not get the lease after it ran out")
		}
		if acquire("mail", "a", time.Minute) {
			t.Fatal("a got the lease back while b holds it")
		}
		if err := s.ReleaseLease(ctx, "mail", "b"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.LeaseOf(ctx, "mail"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("released lease: %v", err)
		}
		if !acquire("mail", "a", time.Minute) {
			t.Fatal("a did not get a released lease")
		}
		if _, err := s.AcquireLease(ctx, "mail", "", time.Minute); err == nil {
			t.Error("a lease without a holder")
		}
		if _, err := s.AcquireLease(ctx, "mail", "a", 0); err == nil {
			t.Error("a lease of no time")
		}

		// Many holders at once: exactly one wins, on a free lease and on one
		// that ran out.
		for round, ttl := range []time.Duration{100 * time.Millisecond, time.Minute} {
			var wg sync.WaitGroup
			var mu sync.Mutex
			var winners []string
			for h := range 10 {
				wg.Go(func() {
					holder := fmt.Sprintf("h%d", h)
					ok, err := s.AcquireLease(ctx, "race", holder, ttl)
					if err != nil {
						t.Error(err)
						return
					}
					if ok {
						mu.Lock()
						winners = append(winners, holder)
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			if len(winners) != 1 {
				t.Errorf("round %d: winners %v, want exactly one", round, winners)
			}
			time.Sleep(150 * time.Millisecond)
		}
	})
}
