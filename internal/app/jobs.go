package app

import (
	"context"
	"log/slog"

	"github.com/fellesrom/fellesrom/internal/jobs"
	"github.com/fellesrom/fellesrom/internal/mail"
	"github.com/fellesrom/fellesrom/internal/store"
)

// StartJobs starts the background jobs (the mail outbox and its purge); each
// runs on one instance at a time, under a lease in the database. The returned
// func waits until they have stopped after ctx ends.
func StartJobs(ctx context.Context, st *store.Store, mailCfg mail.Config, logger *slog.Logger) (wait func(), err error) {
	list, err := jobs.Outbox(st, mailCfg, logger, jobs.MailOptions{})
	if err != nil {
		return nil, err
	}
	logger.Info("mail", "smtp", mailCfg.Describe())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := jobs.Run(ctx, st, logger, list); err != nil {
			logger.Error("jobs stopped", "err", err)
		}
	}()
	return func() { <-done }, nil
}
