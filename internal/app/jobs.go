package app

import (
	"context"
	"log/slog"

	"github.com/fellesrom/fellesrom/internal/jobs"
	"github.com/fellesrom/fellesrom/internal/mail"
	"github.com/fellesrom/fellesrom/internal/sms"
	"github.com/fellesrom/fellesrom/internal/store"
)

// JobsConfig is what the background jobs need from the configuration.
type JobsConfig struct {
	Mail      mail.Config     // FELLESROM_SMTP_*
	SMS       sms.Config      // FELLESROM_SMS_*
	Retention store.Retention // FELLESROM_RETENTION
	// LinkBase is the site's address for links in what the jobs send
	// (FELLESROM_PUBLIC_URL, or the loopback address served).
	LinkBase string
}

// StartJobs starts the background jobs (the outbox's mail and SMS senders
// and its purge, the retention clock, events' reminders and the deletion of
// their sign-ups, the starters' follow-up reminders, the deletion of
// answered room requests, the harvest of registered feeds); each runs on
// one instance at a time,
// under a lease in the database. The returned func waits until they have
// stopped after ctx ends.
func StartJobs(ctx context.Context, st *store.Store, c JobsConfig, logger *slog.Logger) (wait func(), err error) {
	list, err := jobs.OutboxJobs(st, jobs.Channels{Mail: c.Mail, SMS: c.SMS}, logger, jobs.MailOptions{})
	if err != nil {
		return nil, err
	}
	retention, err := jobs.RetentionJob(st, logger, jobs.RetentionOptions{Retention: c.Retention, LinkBase: c.LinkBase})
	if err != nil {
		return nil, err
	}
	events, err := jobs.EventsJob(st, logger, jobs.EventsOptions{LinkBase: c.LinkBase})
	if err != nil {
		return nil, err
	}
	list = append(list, retention, events, jobs.FollowUpJob(st, logger, jobs.FollowUpOptions{LinkBase: c.LinkBase}),
		jobs.RoomsJob(st, logger, jobs.RoomsOptions{}), jobs.HarvestJob(st, logger, jobs.HarvestOptions{}))
	logger.Info("mail", "smtp", c.Mail.Describe(), "sms", c.SMS.Describe())
	logger.Info("retention", "clock", c.Retention.String())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := jobs.Run(ctx, st, logger, list); err != nil {
			logger.Error("jobs stopped", "err", err)
		}
	}()
	return func() { <-done }, nil
}
