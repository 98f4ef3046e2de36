package jobs

import (
	"context"
	"log/slog"
	"time"

	"github.com/fellesrom/fellesrom/internal/harvest"
	"github.com/fellesrom/fellesrom/internal/store"
)

// DefaultHarvestInterval is how often the harvest job looks for feeds that
// are due (each feed has its own interval, at least 15 minutes): a
// harvest asked for in the back office starts within a minute.
const DefaultHarvestInterval = time.Minute

// HarvestOptions tune the harvest job.
type HarvestOptions struct {
	// Interval is how often it looks for due feeds; default
	// DefaultHarvestInterval.
	Interval time.Duration
	// Fetch tunes the fetching (time limit, size limit, private
	// addresses); see harvest.Options.
	Fetch harvest.Options
}

// HarvestJob returns the job "harvest" (issue 6 item 3): every interval,
// under its lease (so on one instance at a time), it harvests the feeds
// whose next run is due, one after another. A feed that fails is logged
// in its own harvest log and does not stop the others; the job's log says
// how many ran and failed, never what the feeds hold.
func HarvestJob(st *store.Store, logger *slog.Logger, opts HarvestOptions) Job {
	if opts.Interval <= 0 {
		opts.Interval = DefaultHarvestInterval
	}
	if logger == nil {
		logger = slog.Default()
	}
	h := &harvest.Harvester{Store: st, Logger: logger, Options: opts.Fetch}
	return Job{Name: "harvest", Interval: opts.Interval, Run: func(ctx context.Context) error {
		ran, failed, err := h.RunDue(ctx)
		if ran > 0 {
			logger.Info("harvest: feeds run", "ran", ran, "failed", failed)
		}
		return err
	}}
}
