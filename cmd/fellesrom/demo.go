package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/fellesrom/fellesrom/internal/demo"
	"github.com/fellesrom/fellesrom/internal/store"
)

// loadDemo loads the demo set into an empty database, then adds n generated
// groups, printing progress for long runs.
func loadDemo(ctx context.Context, st *store.Store, n int, seed int64, out io.Writer) error {
	start := time.Now()
	if n == 0 {
		sum, err := demo.Load(ctx, st)
		if errors.Is(err, demo.ErrNotEmpty) {
			fmt.Fprintln(out, "demo: the database already has data; left as it is")
			return nil
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "demo: %d organisations, %d venues, %d rooms, %d themes, %d models, %d groups, %d people waiting or enquiring, %d events (%s)\n",
			sum.Organisations, sum.Venues, sum.Rooms, sum.Themes, sum.Models, sum.Groups, sum.Enquiries, sum.Events, time.Since(start).Round(time.Millisecond))
		return nil
	}
	last := time.Time{}
	sum, err := demo.Generate(ctx, st, n, seed, func(done, total int) {
		if time.Since(last) > time.Second || done == total {
			last = time.Now()
			fmt.Fprintf(out, "\rdemo: %d of %d groups (%.0f%%)", done, total, 100*float64(done)/float64(total))
		}
	})
	fmt.Fprintln(out)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "demo: %d groups in all (%s)\n", sum.Groups, time.Since(start).Round(time.Millisecond))
	return nil
}
