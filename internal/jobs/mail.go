package jobs

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/fellesrom/fellesrom/internal/mail"
	"github.com/fellesrom/fellesrom/internal/store"
)

// Sender sends one mail; *mail.Sender is one. An error that is a
// *mail.Error with Permanent set fails the mail at once; any other error
// schedules another attempt.
type Sender interface {
	Send(ctx context.Context, m mail.Message) error
}

// DefaultBackoff is how long a mail waits after its 1st, 2nd, … failed
// attempt; after the last it waits as long as the last.
var DefaultBackoff = []time.Duration{
	time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour,
}

// MailOptions tune the mail job; the zero value gives the defaults.
type MailOptions struct {
	Interval    time.Duration   // how often the outbox is looked at; default 15 s
	BatchSize   int             // mails claimed at a time; default 20
	MaxBatches  int             // batches in one run at most; default 10
	MaxAttempts int             // attempts before a mail fails; default 8
	Backoff     []time.Duration // default DefaultBackoff
	// ClaimLease is how long a claim holds a batch of mails; it must cover
	// sending the whole batch. Default: BatchSize × 30 s + 1 min.
	ClaimLease time.Duration
	// Now is the clock; default time.Now.
	Now func() time.Time
}

func (o MailOptions) withDefaults() MailOptions {
	if o.Interval <= 0 {
		o.Interval = 15 * time.Second
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 20
	}
	if o.MaxBatches <= 0 {
		o.MaxBatches = 10
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 8
	}
	if len(o.Backoff) == 0 {
		o.Backoff = DefaultBackoff
	}
	if o.ClaimLease <= 0 {
		o.ClaimLease = time.Duration(o.BatchSize)*mail.DefaultTimeout + time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// backoff is the wait after failed attempt n (1 is the first).
func (o MailOptions) backoff(n int) time.Duration {
	if n < 1 {
		n = 1
	}
	if n > len(o.Backoff) {
		n = len(o.Backoff)
	}
	return o.Backoff[n-1]
}

// MailStats counts what one run of the mail job did.
type MailStats struct {
	Sent, Retry, Failed, Released int
}

// Outbox returns the jobs of the mail outbox: "mail", which sends due mails
// through a Sender for cfg, and "outbox-purge", which deletes old rows once
// a day. When cfg has no host, the mail job only says, once an hour, that
// mail is not configured and how many mails wait; it never loses one.
func Outbox(st *store.Store, cfg mail.Config, logger *slog.Logger, opts MailOptions) ([]Job, error) {
	if opts.ClaimLease <= 0 {
		// A claim must outlast sending a whole batch, each mail up to the
		// configured time limit.
		t := cfg.Timeout
		if t <= 0 {
			t = mail.DefaultTimeout
		}
		opts.ClaimLease = time.Duration(opts.withDefaults().BatchSize)*t + time.Minute
	}
	var sender Sender
	if cfg.Configured() {
		s, err := mail.NewSender(cfg)
		if err != nil {
			return nil, err
		}
		sender = s
	}
	return []Job{MailJob(st, sender, logger, opts), OutboxPurgeJob(st, logger)}, nil
}

// MailJob returns the job that sends the outbox through sender (nil: mail
// is not configured, and mails wait).
func MailJob(st *store.Store, sender Sender, logger *slog.Logger, opts MailOptions) Job {
	opts = opts.withDefaults()
	if logger == nil {
		logger = slog.Default()
	}
	var (
		mu       sync.Mutex
		lastWarn time.Time
	)
	return Job{Name: "mail", Interval: opts.Interval, Run: func(ctx context.Context) error {
		if sender == nil {
			mu.Lock()
			defer mu.Unlock()
			if !lastWarn.IsZero() && time.Since(lastWarn) < time.Hour {
				return nil
			}
			sum, err := st.OutboxStatus(ctx)
			if err != nil {
				return err
			}
			lastWarn = time.Now()
			logger.Warn("mail is not configured ("+mail.EnvHost+"); mails wait in the outbox",
				"pending", sum.Counts[store.MailPending])
			return nil
		}
		_, err := SendMail(ctx, st, sender, logger, opts)
		return err
	}}
}

// SendMail sends the due mails of the outbox once: it claims them in
// batches, sends each, and marks it sent, due again after a backoff, or
// failed (after MaxAttempts, or at once when the server refused it for
// good). The log says counts, mail IDs, kinds and SMTP codes; never an
// address, a subject or a text.
func SendMail(ctx context.Context, st *store.Store, sender Sender, logger *slog.Logger, opts MailOptions) (MailStats, error) {
	opts = opts.withDefaults()
	if logger == nil {
		logger = slog.Default()
	}
	var stats MailStats
	// Marks are written even when ctx ends in the middle, so that no mail
	// is left claimed.
	markCtx := func() (context.Context, context.CancelFunc) {
		return context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	}
	defer func() {
		if stats != (MailStats{}) {
			logger.Info("mail: outbox run", "sent", stats.Sent, "retry", stats.Retry, "failed", stats.Failed,
				"released", stats.Released)
		}
	}()
	for range opts.MaxBatches {
		if ctx.Err() != nil {
			return stats, nil
		}
		batch, err := st.ClaimMail(ctx, opts.Now(), opts.BatchSize, opts.ClaimLease)
		if err != nil {
			if ctx.Err() != nil {
				return stats, nil
			}
			return stats, err
		}
		for _, m := range batch {
			mctx, cancel := markCtx()
			if ctx.Err() != nil {
				// Stopping before this one was tried: give it back.
				if err := st.ReleaseMail(mctx, m); err != nil {
					logger.Warn("mail: cannot give a mail back", "mail", m.ID, "err", err)
				}
				stats.Released++
				cancel()
				continue
			}
			err := sender.Send(ctx, mail.Message{ID: m.ID, To: m.To, Subject: m.Subject, Body: m.Body, Lang: m.Lang})
			if err := finish(mctx, st, logger, opts, m, err, ctx.Err() != nil, &stats); err != nil {
				logger.Warn("mail: cannot record the outcome", "mail", m.ID, "err", err)
			}
			cancel()
		}
		if len(batch) < opts.BatchSize {
			break
		}
	}
	return stats, nil
}

// finish records the outcome of sending m.
func finish(ctx context.Context, st *store.Store, logger *slog.Logger, opts MailOptions, m store.OutboxMail, sendErr error,
	stopping bool, stats *MailStats) error {
	now := opts.Now()
	if sendErr == nil {
		stats.Sent++
		return st.MarkSent(ctx, m, now)
	}
	var e *mail.Error
	if !errors.As(sendErr, &e) {
		e = &mail.Error{Stage: "send", Reason: "error from the sender"}
	}
	if stopping && !e.Permanent {
		// Cut off by the program stopping: not the mail's fault.
		stats.Released++
		return st.ReleaseMail(ctx, m)
	}
	attrs := []any{"mail", m.ID, "kind", m.Kind, "attempt", m.Attempts, "stage", e.Stage, "code", e.Code}
	if e.Timeout {
		attrs = append(attrs, "timeout", true)
	}
	if e.Code == 0 {
		// No reply from the server: the reason is about the connection
		// (refused, timeout, certificate), not about the mail.
		attrs = append(attrs, "reason", e.Reason)
	}
	if e.Permanent || m.Attempts >= opts.MaxAttempts {
		stats.Failed++
		logger.Warn("mail failed", append(attrs, "permanent", e.Permanent)...)
		return st.MarkFailed(ctx, m, e.Error(), now)
	}
	next := now.Add(opts.backoff(m.Attempts))
	stats.Retry++
	logger.Info("mail not sent; will try again", append(attrs, "next", next.UTC().Format(time.RFC3339))...)
	return st.MarkRetry(ctx, m, e.Error(), next)
}

// OutboxPurgeJob returns the job that deletes, once a day, the mails sent
// more than 7 days ago and those failed more than 30 days ago.
func OutboxPurgeJob(st *store.Store, logger *slog.Logger) Job {
	if logger == nil {
		logger = slog.Default()
	}
	return Job{Name: "outbox-purge", Interval: 24 * time.Hour, Run: func(ctx context.Context) error {
		n, err := st.PurgeOutbox(ctx, time.Now())
		if err != nil {
			return err
		}
		if n > 0 {
			logger.Info("mail: purged old outbox rows", "deleted", n)
		}
		return nil
	}}
}
