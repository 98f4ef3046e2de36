package jobs

import (
	"context"
	"log/slog"
	"time"

	"github.com/fellesrom/fellesrom/internal/store"
)

// RoomsOptions tune the rooms job.
type RoomsOptions struct {
	Interval time.Duration    // how often it runs; default an hour
	Now      func() time.Time // default time.Now
}

// RoomsJob is the job "rooms": once an hour, under its lease, it deletes
// the requests for a room whose time is up (90 days after the house's
// answer, or after the day asked for when never answered), with their
// mails, keeping the bookings made from them (store.PurgeRoomRequests). It
// logs the count only.
func RoomsJob(st *store.Store, logger *slog.Logger, opts RoomsOptions) Job {
	if opts.Interval <= 0 {
		opts.Interval = time.Hour
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return Job{Name: "rooms", Interval: opts.Interval, Run: func(ctx context.Context) error {
		n, err := st.PurgeRoomRequests(ctx, opts.Now())
		if n > 0 {
			logger.Info("room requests deleted", "count", n)
		}
		return err
	}}
}
