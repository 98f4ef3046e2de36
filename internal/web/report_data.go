package web

import (
	"context"
	"sync"
	"time"

	"github.com/fellesrom/fellesrom/internal/report"
)

// reportMaxAge is how old the figures of the dashboards, the yearly report
// and the open data may be: after it, the next request starts a new load
// in the background and is answered from the figures it has.
const reportMaxAge = 5 * time.Minute

// reportCache keeps the data of the reports between requests, with the
// protection of small counts it has worked out, which is the costly part
// (under 2 s for a year of 357 municipalities): a load in the
// background works out this year's and last year's before it replaces the
// data, so that only the first request after the start waits for any of it.
type reportCache struct {
	mu      sync.Mutex
	data    *report.Data
	at      time.Time
	loading bool
	first   *reportLoad // the first load, while it runs
}

// reportLoad is a load that requests wait for.
type reportLoad struct {
	done chan struct{}
	data *report.Data
	at   time.Time
	err  error
}

// reportData returns the data of the reports and when it was read.
func (s *site) reportData(ctx context.Context) (*report.Data, time.Time, error) {
	c := &s.reports
	now := s.now()
	c.mu.Lock()
	d, at := c.data, c.at
	stale := d != nil && (now.Sub(at) >= reportMaxAge || now.Before(at)) && !c.loading
	if stale {
		c.loading = true
	}
	c.mu.Unlock()
	if stale {
		go s.reloadReports()
	}
	if d != nil {
		return d, at, nil
	}
	// Nothing loaded yet: the first request loads, the others that come
	// meanwhile wait for that load rather than each reading everything.
	c.mu.Lock()
	l, loader := c.first, c.first == nil && c.data == nil
	if loader {
		l = &reportLoad{done: make(chan struct{}), at: now}
		c.first = l
	} else if l == nil {
		d, at := c.data, c.at // loaded since the look above
		c.mu.Unlock()
		return d, at, nil
	}
	c.mu.Unlock()
	if loader {
		// Not the request's own deadline: others wait for this load.
		lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		l.data, l.err = report.Load(lctx, s.store, now)
		cancel()
		c.mu.Lock()
		if l.err == nil && (c.data == nil || c.at.Before(now)) {
			c.data, c.at = l.data, now
		}
		c.first = nil
		c.mu.Unlock()
		close(l.done)
	}
	select {
	case <-l.done:
		if l.err != nil {
			return nil, time.Time{}, l.err
		}
		return l.data, l.at, nil
	case <-ctx.Done():
		return nil, time.Time{}, ctx.Err()
	}
}

// reloadReports reads the data again, warms it and puts it in place.
func (s *site) reloadReports() {
	c := &s.reports
	defer func() {
		c.mu.Lock()
		c.loading = false
		c.mu.Unlock()
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	at := s.now()
	d, err := report.Load(ctx, s.store, at)
	if err != nil {
		s.log.Error("reports: loading the figures", "err", err)
		return
	}
	y := at.In(outreachOslo()).Year()
	d.Warm(y, y-1)
	c.mu.Lock()
	c.data, c.at = d, at
	c.mu.Unlock()
}
