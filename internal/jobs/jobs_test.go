package jobs_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/jobs"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
	"github.com/fellesrom/fellesrom/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// logBuffer collects a logger's output for a test.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func newLogger() (*slog.Logger, *logBuffer) {
	buf := &logBuffer{}
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})), buf
}

// runFor runs the runners on the jobs for d, and waits until they stop.
func runFor(t *testing.T, d time.Duration, jobList []jobs.Job, runners ...*jobs.Runner) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var wg sync.WaitGroup
	for _, r := range runners {
		wg.Go(func() {
			if err := r.Run(ctx, jobList); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}

// counter is a job body that counts runs and how many run at once.
type counter struct {
	runs, running, maxRunning atomic.Int32
}

func (c *counter) run(d time.Duration) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		n := c.running.Add(1)
		defer c.running.Add(-1)
		for {
			m := c.maxRunning.Load()
			if n <= m || c.maxRunning.CompareAndSwap(m, n) {
				break
			}
		}
		c.runs.Add(1)
		select {
		case <-time.After(d):
		case <-ctx.Done():
		}
		return nil
	}
}

// Two instances run a job about once per interval between them, never at
// the same time.
func TestRunnerRunsOnceAcrossInstances(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		logger, _ := newLogger()
		var c counter
		job := jobs.Job{Name: "tick", Interval: 200 * time.Millisecond, Run: c.run(20 * time.Millisecond)}
		a := &jobs.Runner{Store: s, Logger: logger, Holder: "a"}
		b := &jobs.Runner{Store: s, Logger: logger, Holder: "b"}
		runFor(t, 1300*time.Millisecond, []jobs.Job{job}, a, b)
		// About 1.3 s / 200 ms ≈ 6 runs; each instance on its own would make
		// as many again.
		t.Logf("%d runs", c.runs.Load())
		if n := c.runs.Load(); n < 3 || n > 9 {
			t.Errorf("%d runs in 1.3 s with an interval of 200 ms", n)
		}
		if m := c.maxRunning.Load(); m != 1 {
			t.Errorf("%d runs at the same time", m)
		}
	})
}

// A job that runs longer than its lease keeps it: the holder renews it, and
// the other instance never runs the job at the same time.
func TestRunnerRenewsTheLease(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		logger, logs := newLogger()
		var c counter
		job := jobs.Job{Name: "long", Interval: 50 * time.Millisecond, Run: c.run(500 * time.Millisecond)}
		a := &jobs.Runner{Store: s, Logger: logger, Holder: "a", LeaseTTL: 150 * time.Millisecond}
		b := &jobs.Runner{Store: s, Logger: logger, Holder: "b", LeaseTTL: 150 * time.Millisecond}
		runFor(t, 1200*time.Millisecond, []jobs.Job{job}, a, b)
		if m := c.maxRunning.Load(); m != 1 {
			t.Errorf("%d runs at the same time", m)
		}
		if n := c.runs.Load(); n < 2 {
			t.Errorf("%d runs", n)
		}
		if out := logs.String(); out != "" {
			t.Logf("log:\n%s", out)
		}
	})
}

// A panic in a job is logged, and the runner goes on.
func TestRunnerRecoversFromPanic(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		logger, logs := newLogger()
		var runs, other atomic.Int32
		list := []jobs.Job{
			{Name: "panicky", Interval: 100 * time.Millisecond, Run: func(context.Context) error {
				if n := runs.Add(1); n == 1 {
					var xs []int
					_ = xs[n] // panics: index out of range
				}
				return nil
			}},
			{Name: "failing", Interval: 100 * time.Millisecond, Run: func(context.Context) error {
				other.Add(1)
				return errors.New("database went away")
			}},
		}
		runFor(t, 450*time.Millisecond, list, &jobs.Runner{Store: s, Logger: logger, Holder: "a"})
		if runs.Load() < 2 || other.Load() < 2 {
			t.Errorf("runs after a panic: %d; of the failing job: %d", runs.Load(), other.Load())
		}
		out := logs.String()
		for _, want := range []string{"job panicked", "index out of range", "job failed", "database went away"} {
			if !bytes.Contains([]byte(out), []byte(want)) {
				t.Errorf("the log lacks %q:\n%s", want, out)
			}
		}
	})
}

// When the program stops, a running job's context ends, Run returns, and
// the lease is given back for another instance to take at once.
func TestRunnerStops(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		logger, _ := newLogger()
		started := make(chan struct{}, 1)
		job := jobs.Job{Name: "blocking", Interval: time.Hour, Run: func(ctx context.Context) error {
			started <- struct{}{}
			<-ctx.Done()
			return ctx.Err()
		}}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- (&jobs.Runner{Store: s, Logger: logger, Holder: "a"}).Run(ctx, []jobs.Job{job}) }()
		select {
		case <-started:
		case <-time.After(5 * time.Second):
			t.Fatal("the job did not start")
		}
		if l, err := s.LeaseOf(context.Background(), "blocking"); err != nil || l.Holder != "a" {
			t.Errorf("lease while running: %+v %v", l, err)
		}
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Run did not return")
		}
		if _, err := s.LeaseOf(context.Background(), "blocking"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("lease after stopping: %v", err)
		}
		if ok, err := s.AcquireLease(context.Background(), "blocking", "b", time.Minute); err != nil || !ok {
			t.Errorf("another instance cannot take over: %v %v", ok, err)
		}
	})
}

func TestRunnerRejectsBadJobs(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	f := func(context.Context) error { return nil }
	for _, list := range [][]jobs.Job{
		{{Name: "", Interval: time.Second, Run: f}},
		{{Name: "x", Interval: 0, Run: f}},
		{{Name: "x", Interval: time.Second}},
		{{Name: "x", Interval: time.Second, Run: f}, {Name: "x", Interval: time.Minute, Run: f}},
	} {
		if err := jobs.Run(context.Background(), s, nil, list); err == nil {
			t.Errorf("accepted %+v", list)
		}
	}
	if h1, h2 := jobs.NewHolder(), jobs.NewHolder(); h1 == h2 || h1 == "" {
		t.Errorf("holders %q %q", h1, h2)
	}
}
