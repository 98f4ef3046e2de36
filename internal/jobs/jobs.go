// Package jobs runs the background work of fellesrom — sending the mail
// outbox, purging old rows, and later reminders and feed harvesting — so
// that each job runs on one instance at a time, about once per interval,
// however many instances share the database.
//
// Every instance runs every job's loop. To run a job, an instance takes the
// job's lease in the database (store.AcquireLease, named after the job); the
// others find it taken and wait. While the job runs, the holder renews the
// lease; if the instance dies, the lease runs out and another instance
// takes over. When the job is done, the holder keeps the lease until the job
// is next due, and no instance runs it before then: that is what makes "once
// per interval" hold across instances, not just "one at a time". When the
// instance stops, it gives the lease back.
//
// A job must not log personal data (addresses, names, texts), and its
// errors must not hold any, since the runner logs them.
package jobs

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"runtime/debug"
	"strconv"
	"sync"
	"time"

	"github.com/fellesrom/fellesrom/internal/store"
)

// Job is a piece of background work.
type Job struct {
	// Name names the job and its lease ("mail", "outbox-purge").
	Name string
	// Interval is how often the job runs, across all instances.
	Interval time.Duration
	// Run does the work. It should stop soon when ctx ends: ctx ends when the
	// program stops, and when the instance loses the job's lease.
	Run func(ctx context.Context) error
}

// DefaultLeaseTTL is how long a job's lease lasts without renewal while the
// job runs: how soon another instance takes over a job whose instance died.
const DefaultLeaseTTL = 2 * time.Minute

// Runner runs jobs on one instance.
type Runner struct {
	Store  *store.Store
	Logger *slog.Logger
	// Holder names this instance in the leases; "" means NewHolder().
	Holder string
	// LeaseTTL is DefaultLeaseTTL if 0. The lease is renewed every third of it.
	LeaseTTL time.Duration
}

// Run runs jobs with a new Runner until ctx ends; see Runner.Run.
func Run(ctx context.Context, st *store.Store, logger *slog.Logger, jobs []Job) error {
	return (&Runner{Store: st, Logger: logger}).Run(ctx, jobs)
}

// NewHolder returns a name for this instance that no other has: the host
// name, the process ID and a random part.
func NewHolder() string {
	host, _ := os.Hostname()
	if host == "" {
		host = "fellesrom"
	}
	var b [4]byte
	_, _ = crand.Read(b[:])
	return host + "-" + strconv.Itoa(os.Getpid()) + "-" + hex.EncodeToString(b[:])
}

// Run runs each job about once per interval until ctx ends, then waits for
// the running jobs to stop, gives their leases back and returns nil. It
// returns an error at once if the jobs are not valid.
func (r *Runner) Run(ctx context.Context, jobs []Job) error {
	seen := map[string]bool{}
	for _, j := range jobs {
		if j.Name == "" || j.Run == nil || j.Interval <= 0 {
			return fmt.Errorf("jobs: job %q needs a name, a function and a positive interval", j.Name)
		}
		if seen[j.Name] {
			return fmt.Errorf("jobs: two jobs are named %q", j.Name)
		}
		seen[j.Name] = true
	}
	if r.Store == nil {
		return errors.New("jobs: no store")
	}
	if r.Logger == nil {
		r.Logger = slog.Default()
	}
	if r.Holder == "" {
		r.Holder = NewHolder()
	}
	if r.LeaseTTL <= 0 {
		r.LeaseTTL = DefaultLeaseTTL
	}
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Go(func() { r.loop(ctx, j) })
	}
	wg.Wait()
	return nil
}

// poll is how often an instance looks whether job j is due: its interval,
// but at least once a minute, so that a daily job starts within a minute of
// being due.
func poll(j Job) time.Duration { return min(j.Interval, time.Minute) }

// jitter returns d ± 10%, so that instances do not poll in step.
func jitter(d time.Duration) time.Duration {
	return d - d/10 + rand.N(d/5+1)
}

func (r *Runner) loop(ctx context.Context, j Job) {
	p := poll(j)
	// The first look comes soon after the start, spread a little.
	timer := time.NewTimer(rand.N(min(p, 2*time.Second)/4 + 1))
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		r.tick(ctx, j, p)
		timer.Reset(jitter(p))
	}
}

// tick runs job j if this instance gets its lease.
func (r *Runner) tick(ctx context.Context, j Job, p time.Duration) {
	log := r.Logger.With("job", j.Name)
	start := time.Now()
	ok, err := r.Store.AcquireLease(ctx, j.Name, r.Holder, r.LeaseTTL)
	if err != nil {
		if ctx.Err() == nil {
			log.Warn("job: cannot take the lease", "err", err)
		}
		return
	}
	if !ok {
		return // another instance runs it, or it is not due
	}

	runCtx, cancel := context.WithCancel(ctx)
	renewed := make(chan struct{})
	go func() {
		defer close(renewed)
		r.renew(runCtx, cancel, j, log)
	}()
	err = r.call(runCtx, j, log)
	cancel()
	<-renewed

	bg, done := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer done()
	if ctx.Err() != nil {
		// Stopping: let another instance take over at once.
		if err := r.Store.ReleaseLease(bg, j.Name, r.Holder); err != nil {
			log.Warn("job: cannot give the lease back", "err", err)
		}
		return
	}
	if err != nil {
		log.Error("job failed", "err", err, "took", time.Since(start).Round(time.Millisecond))
	}
	// Keep the lease until the job is due again, a little early so that the
	// next poll after one interval finds it free.
	next := start.Add(j.Interval - p/5)
	if d := time.Until(next); d > 0 {
		if _, err := r.Store.AcquireLease(bg, j.Name, r.Holder, d); err != nil {
			log.Warn("job: cannot hold the lease until the next run", "err", err)
		}
	} else if err := r.Store.ReleaseLease(bg, j.Name, r.Holder); err != nil {
		log.Warn("job: cannot give the lease back", "err", err)
	}
}

// renew renews the lease of a running job every third of its time to live,
// and cancels the job if another instance has taken the lease.
func (r *Runner) renew(ctx context.Context, cancel context.CancelFunc, j Job, log *slog.Logger) {
	t := time.NewTicker(r.LeaseTTL / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		ok, err := r.Store.AcquireLease(ctx, j.Name, r.Holder, r.LeaseTTL)
		switch {
		case err != nil:
			if ctx.Err() == nil {
				log.Warn("job: cannot renew the lease", "err", err)
			}
		case !ok:
			log.Error("job: another instance took the lease; stopping the job")
			cancel()
			return
		}
	}
}

// call runs j, and turns a panic into an error.
func (r *Runner) call(ctx context.Context, j Job, log *slog.Logger) (err error) {
	defer func() {
		if p := recover(); p != nil {
			log.Error("job panicked", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return j.Run(ctx)
}
