package web

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/demo"
	"github.com/fellesrom/fellesrom/internal/report"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// The reports' data is kept between requests; once it is older than
// reportMaxAge a request is answered from it at once and a new load, warmed
// in the background, takes its place with what changed meanwhile.
func TestReportDataReloads(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		if _, err := demo.Load(ctx, st); err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		clock := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
		s := &site{store: st, log: slog.New(slog.DiscardHandler), now: func() time.Time {
			mu.Lock()
			defer mu.Unlock()
			return clock
		}}
		d1, at1, err := s.reportData(ctx)
		if err != nil || !at1.Equal(clock) {
			t.Fatalf("first load: %v at %v", err, at1)
		}
		groups, err := st.AllGroups(ctx)
		if err != nil {
			t.Fatal(err)
		}
		g := groups[0]
		g.ID, g.Slug = "", g.Slug+"-ny"
		if err := st.SaveGroup(ctx, &g, "test", ""); err != nil {
			t.Fatal(err)
		}
		if d, _, _ := s.reportData(ctx); d != d1 {
			t.Error("a second request within reportMaxAge read the data again")
		}
		mu.Lock()
		clock = clock.Add(reportMaxAge + time.Minute)
		mu.Unlock()
		if d, at, _ := s.reportData(ctx); d != d1 || !at.Equal(at1) {
			t.Error("a request after reportMaxAge waited for the new load")
		}
		for { // the load in the background ends (the test's own timeout bounds this)
			s.reports.mu.Lock()
			loading := s.reports.loading
			s.reports.mu.Unlock()
			if !loading {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		d2, at2, err := s.reportData(ctx)
		if err != nil || d2 == d1 || !at2.Equal(at1.Add(reportMaxAge+time.Minute)) {
			t.Fatalf("after the reload: same data %v, at %v, %v", d2 == d1, at2, err)
		}
		if len(d2.Groups) != len(d1.Groups)+1 {
			t.Errorf("the reloaded data has %d groups, want %d", len(d2.Groups), len(d1.Groups)+1)
		}
	})
}

// With Deps.WarmReports (serve) the site loads and warms the reports' data
// at start, and the first request gets that data without loading again.
func TestReportDataWarmAtStart(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		if _, err := demo.Load(context.Background(), st); err != nil {
			t.Fatal(err)
		}
		s := newSite(Deps{Store: st, Logger: slog.New(slog.DiscardHandler), WarmReports: true})
		warmAtStart(t, s)
	})
	s := newSite(Deps{Store: storetest.Open(t, store.SQLite), Logger: slog.New(slog.DiscardHandler)})
	s.reports.mu.Lock()
	defer s.reports.mu.Unlock()
	if s.reports.loading || s.reports.data != nil {
		t.Error("without WarmReports the site loaded the reports' data at start")
	}
}

func warmAtStart(t *testing.T, s *site) {
	t.Helper()
	var warmed *report.Data
	for {
		s.reports.mu.Lock()
		loading, d := s.reports.loading, s.reports.data
		s.reports.mu.Unlock()
		if !loading {
			if d == nil {
				t.Fatal("the warm load left no data")
			}
			warmed = d
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	got, _, err := s.reportData(context.Background())
	if err != nil || got != warmed {
		t.Errorf("the first request did not get the warmed data: %v", err)
	}
}

// Requests that come together before anything is loaded share one load:
// every one gets the same data, read once.
func TestReportDataFirstLoadShared(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		if _, err := demo.Load(context.Background(), st); err != nil {
			t.Fatal(err)
		}
		s := newSite(Deps{Store: st, Logger: slog.New(slog.DiscardHandler)})
		const n = 8
		got := make([]*report.Data, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				d, _, err := s.reportData(context.Background())
				if err != nil {
					t.Error(err)
				}
				got[i] = d
			})
		}
		close(start)
		wg.Wait()
		for i, d := range got {
			if d == nil || d != got[0] {
				t.Fatalf("request %d got other data than request 0: the first load was not shared", i)
			}
		}
		if d, _, _ := s.reportData(context.Background()); d != got[0] {
			t.Error("a later request did not get the data of the shared load")
		}
	})
}
