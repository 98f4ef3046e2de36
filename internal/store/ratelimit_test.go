package store_test

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// Two instances on one database count into the same row, with no lost
// increments under concurrency.
func TestRateLimitAcrossInstances(t *testing.T) {
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			a, dsn := storetest.OpenDSN(t, e)
			b, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			b.SetKeys(storetest.Keys)
			defer b.Close()
			w := time.Date(2026, 3, 1, 9, 15, 0, 0, time.UTC)
			var wg sync.WaitGroup
			for i := range 40 {
				wg.Go(func() {
					s := a
					if i%2 == 1 {
						s = b
					}
					if _, err := s.HitRateLimit(ctx, "signin:src:192.0.2.0/24", w); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
			if n, err := b.HitRateLimit(ctx, "signin:src:192.0.2.0/24", w); n != 41 || err != nil {
				t.Errorf("count %d %v, want 41", n, err)
			}
			if n, _ := a.RateLimitCount(ctx, "signin:src:192.0.2.0/24", w); n != 41 {
				t.Errorf("read count %d", n)
			}
			if n, _ := a.RateLimitCount(ctx, "signin:src:192.0.2.0/24", w.Add(15*time.Minute)); n != 0 {
				t.Errorf("next window %d", n)
			}
			if n, _ := a.HitRateLimit(ctx, "other", w); n != 1 {
				t.Errorf("another key %d", n)
			}
			if n, err := a.PruneRateLimits(ctx, w.Add(time.Second)); n != 2 || err != nil {
				t.Errorf("prune %d %v", n, err)
			}
			// Server keys: made once, the same for every instance.
			k1, err := a.ServerKey(ctx, "test", 32)
			if err != nil || len(k1) != 32 {
				t.Fatal(len(k1), err)
			}
			k2, _ := b.ServerKey(ctx, "test", 32)
			if !bytes.Equal(k1, k2) {
				t.Error("two instances got different keys")
			}
		})
	}
}
