package jobs

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/fellesrom/fellesrom/internal/mail"
	"github.com/fellesrom/fellesrom/internal/sms"
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

// MailOptions tune the mail job and the SMS job; the zero value gives the
// defaults.
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

// MailStats counts what one run of the mail job (or the SMS job) did.
type MailStats struct {
	Sent, Retry, Failed, Released int
}

// Channels configure the senders of the outbox. A zero config means the
// channel is not configured: its messages wait in the outbox.
type Channels struct {
	Mail mail.Config
	SMS  sms.Config
}

// Outbox returns the jobs of the outbox for e-mail only: "mail" and
// "outbox-purge" (OutboxJobs adds SMS).
func Outbox(st *store.Store, cfg mail.Config, logger *slog.Logger, opts MailOptions) ([]Job, error) {
	list, err := OutboxJobs(st, Channels{Mail: cfg}, logger, opts)
	if err != nil {
		return nil, err
	}
	return []Job{list[0], list[2]}, nil
}

// OutboxJobs returns the jobs of the outbox: "mail", which sends due mails
// over SMTP as ch.Mail says; "sms", which sends due text messages to the
// gateway of ch.SMS; and "outbox-purge", which deletes old rows once a day.
// A channel without configuration only says, once an hour, that it is not
// configured and how many of its messages wait; it never loses one.
func OutboxJobs(st *store.Store, ch Channels, logger *slog.Logger, opts MailOptions) ([]Job, error) {
	// A claim must outlast sending a whole batch, each message up to the
	// configured time limit.
	lease := func(t, def time.Duration) MailOptions {
		o := opts
		if o.ClaimLease <= 0 {
			if t <= 0 {
				t = def
			}
			o.ClaimLease = time.Duration(o.withDefaults().BatchSize)*t + time.Minute
		}
		return o
	}
	var mailer Sender
	if ch.Mail.Configured() {
		s, err := mail.NewSender(ch.Mail)
		if err != nil {
			return nil, err
		}
		mailer = s
	}
	var texter sms.Sender
	if ch.SMS.Configured() {
		g, err := sms.NewGateway(ch.SMS)
		if err != nil {
			return nil, err
		}
		texter = g
	}
	return []Job{
		MailJob(st, mailer, logger, lease(ch.Mail.Timeout, mail.DefaultTimeout)),
		SMSJob(st, texter, logger, lease(ch.SMS.Timeout, sms.DefaultTimeout)),
		OutboxPurgeJob(st, logger),
	}, nil
}

// outboxChannel is what differs between the channels of the outbox: the
// job's name (also the word the log uses), the store's channel, how a
// message is sent, and what to say when no sender is configured.
type outboxChannel struct {
	job, channel  string
	send          func(ctx context.Context, m store.OutboxMail) error // nil: not configured
	notConfigured string
}

func mailChannel(sender Sender) outboxChannel {
	c := outboxChannel{job: "mail", channel: store.ChannelEmail,
		notConfigured: "mail is not configured (" + mail.EnvHost + "); mails wait in the outbox"}
	if sender != nil {
		c.send = func(ctx context.Context, m store.OutboxMail) error {
			msg := mail.Message{ID: m.ID, To: m.To, Subject: m.Subject, Body: m.Body, Lang: m.Lang}
			if a := m.Attachment; a != nil {
				msg.Attachment = &mail.Attachment{Name: a.Name, ContentType: a.ContentType, Data: a.Data}
			}
			return sender.Send(ctx, msg)
		}
	}
	return c
}

func smsChannel(sender sms.Sender) outboxChannel {
	c := outboxChannel{job: "sms", channel: store.ChannelSMS,
		notConfigured: "sms is not configured (" + sms.EnvURL + "); text messages wait in the outbox"}
	if sender != nil {
		c.send = func(ctx context.Context, m store.OutboxMail) error { return sender.Send(ctx, m.To, m.Body) }
	}
	return c
}

// MailJob returns the job that sends the outbox's mails through sender
// (nil: mail is not configured, and mails wait).
func MailJob(st *store.Store, sender Sender, logger *slog.Logger, opts MailOptions) Job {
	return outboxJob(st, mailChannel(sender), logger, opts)
}

// SMSJob returns the job that sends the outbox's text messages through
// sender (nil: SMS is not configured, and text messages wait).
func SMSJob(st *store.Store, sender sms.Sender, logger *slog.Logger, opts MailOptions) Job {
	return outboxJob(st, smsChannel(sender), logger, opts)
}

func outboxJob(st *store.Store, ch outboxChannel, logger *slog.Logger, opts MailOptions) Job {
	opts = opts.withDefaults()
	if logger == nil {
		logger = slog.Default()
	}
	var (
		mu       sync.Mutex
		lastWarn time.Time
	)
	return Job{Name: ch.job, Interval: opts.Interval, Run: func(ctx context.Context) error {
		if ch.send == nil {
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
			logger.Warn(ch.notConfigured, "pending", sum.ByChannel[ch.channel][store.MailPending])
			return nil
		}
		_, err := sendOutbox(ctx, st, ch, logger, opts)
		return err
	}}
}

// SendMail sends the due mails of the outbox once: it claims them in
// batches, sends each, and marks it sent, due again after a backoff, or
// failed (after MaxAttempts, or at once when the server refused it for
// good). The log says counts, mail IDs, kinds and SMTP codes; never an
// address, a subject or a text.
func SendMail(ctx context.Context, st *store.Store, sender Sender, logger *slog.Logger, opts MailOptions) (MailStats, error) {
	return sendOutbox(ctx, st, mailChannel(sender), logger, opts)
}

// SendSMS is SendMail for the outbox's text messages, with the same
// attempts and backoff: a gateway's 4xx (other than 401, 403, 408 and 429)
// fails a message at once; a 5xx, a timeout or a broken connection
// schedules another attempt. The log says counts, IDs, kinds and HTTP
// statuses; never a number or a text.
func SendSMS(ctx context.Context, st *store.Store, sender sms.Sender, logger *slog.Logger, opts MailOptions) (MailStats, error) {
	return sendOutbox(ctx, st, smsChannel(sender), logger, opts)
}

func sendOutbox(ctx context.Context, st *store.Store, ch outboxChannel, logger *slog.Logger, opts MailOptions) (MailStats, error) {
	opts = opts.withDefaults()
	if logger == nil {
		logger = slog.Default()
	}
	var stats MailStats
	if ch.send == nil {
		return stats, errors.New(ch.notConfigured)
	}
	// Marks are written even when ctx ends in the middle, so that no
	// message is left claimed.
	markCtx := func() (context.Context, context.CancelFunc) {
		return context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	}
	defer func() {
		if stats != (MailStats{}) {
			logger.Info(ch.job+": outbox run", "sent", stats.Sent, "retry", stats.Retry, "failed", stats.Failed,
				"released", stats.Released)
		}
	}()
	for range opts.MaxBatches {
		if ctx.Err() != nil {
			return stats, nil
		}
		batch, err := st.ClaimOutbox(ctx, ch.channel, opts.Now(), opts.BatchSize, opts.ClaimLease)
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
					logger.Warn(ch.job+": cannot give a message back", ch.job, m.ID, "err", err)
				}
				stats.Released++
				cancel()
				continue
			}
			err := ch.send(ctx, m)
			if err := finish(mctx, st, logger, ch, opts, m, err, ctx.Err() != nil, &stats); err != nil {
				logger.Warn(ch.job+": cannot record the outcome", ch.job, m.ID, "err", err)
			}
			cancel()
		}
		if len(batch) < opts.BatchSize {
			break
		}
	}
	return stats, nil
}

// failure is why a message was not sent, from a *mail.Error or an
// *sms.Error; none of it is personal data.
type failure struct {
	stage              string
	code               int // SMTP reply code or HTTP status; 0: no answer
	permanent, timeout bool
	reason             string // the cause alone
	description        string // the whole error, as the outbox keeps it
}

func describe(ch outboxChannel, err error) failure {
	var me *mail.Error
	var se *sms.Error
	switch {
	case errors.As(err, &me):
		return failure{me.Stage, me.Code, me.Permanent, me.Timeout, me.Reason, me.Error()}
	case errors.As(err, &se):
		return failure{se.Stage, se.Code, se.Permanent, se.Timeout, se.Reason, se.Error()}
	}
	prefix := "smtp"
	if ch.channel == store.ChannelSMS {
		prefix = "sms"
	}
	return failure{stage: "send", reason: "error from the sender", description: prefix + " send: error from the sender"}
}

// finish records the outcome of sending m.
func finish(ctx context.Context, st *store.Store, logger *slog.Logger, ch outboxChannel, opts MailOptions, m store.OutboxMail,
	sendErr error, stopping bool, stats *MailStats) error {
	now := opts.Now()
	if sendErr == nil {
		stats.Sent++
		return st.MarkSent(ctx, m, now)
	}
	f := describe(ch, sendErr)
	if stopping && !f.permanent {
		// Cut off by the program stopping: not the message's fault.
		stats.Released++
		return st.ReleaseMail(ctx, m)
	}
	attrs := []any{ch.job, m.ID, "kind", m.Kind, "attempt", m.Attempts, "stage", f.stage, "code", f.code}
	if f.timeout {
		attrs = append(attrs, "timeout", true)
	}
	if f.code == 0 {
		// No reply from the server: the reason is about the connection
		// (refused, timeout, certificate), not about the message.
		attrs = append(attrs, "reason", f.reason)
	}
	if f.permanent || m.Attempts >= opts.MaxAttempts {
		stats.Failed++
		logger.Warn(ch.job+" failed", append(attrs, "permanent", f.permanent)...)
		return st.MarkFailed(ctx, m, f.description, now)
	}
	next := now.Add(opts.backoff(m.Attempts))
	stats.Retry++
	logger.Info(ch.job+" not sent; will try again", append(attrs, "next", next.UTC().Format(time.RFC3339))...)
	return st.MarkRetry(ctx, m, f.description, next)
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
