package report

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Pages and the background warm may ask for the same family at once: it
// is worked out once, and every one of them gets that one.
func TestProtectionWorkedOutOnce(t *testing.T) {
	d := NewData(nil, nil, nil, nil)
	var calls atomic.Int32
	work := func() map[Scope][][]State {
		calls.Add(1)
		time.Sleep(50 * time.Millisecond) // long enough for the others to ask meanwhile
		return map[Scope][][]State{{Kind: National}: {{Hidden}}}
	}
	start := make(chan struct{})
	got := make([]map[Scope][][]State, 8)
	var wg sync.WaitGroup
	for i := range got {
		wg.Go(func() {
			<-start
			got[i] = d.protection("t|2026", work)
		})
	}
	close(start)
	wg.Wait()
	if n := calls.Load(); n != 1 {
		t.Errorf("worked out %d times", n)
	}
	for i, fam := range got {
		if fam[Scope{Kind: National}][0][0] != Hidden {
			t.Errorf("request %d got %v", i, fam)
		}
	}
}
