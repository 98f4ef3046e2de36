package csvio

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/fellesrom/fellesrom/internal/store"
)

// ErrPlanChanged is returned when the plan made again differs from the one
// the user confirmed (the file or the directory changed in between).
var ErrPlanChanged = errors.New("csvio: the plan changed since the dry run")

// Result counts what an import did.
type Result struct {
	Created, Changed, Venues int
}

// Apply carries out the plan in one transaction (store.ApplyImport): all
// of it or, if any row fails as it is written, nothing; the error is then a
// *store.RowError naming the row's line. Every change writes its audit
// row; the directory version changes once. want is the fingerprint of the
// plan the user saw.
func Apply(ctx context.Context, st *store.Store, p *Plan, want, by string) (Result, error) {
	var res Result
	if p.Fingerprint() != want {
		return res, ErrPlanChanged
	}
	if len(p.Missing) > 0 {
		return res, ErrPlanChanged
	}
	imp := store.Import{Reason: "CSV import"}
	for _, k := range sortedKeys(p.NewVenues) {
		v := *p.NewVenues[k]
		imp.NewVenues = append(imp.NewVenues, store.ImportVenue{Key: k, Venue: &v})
		res.Venues++
	}
	for _, r := range p.Rows {
		if r.Action != Create && r.Action != Change {
			continue
		}
		switch {
		case r.Group != nil:
			g := *r.Group
			imp.Rows = append(imp.Rows, store.ImportRow{Line: r.Line, Group: &g, VenueKey: r.VenueKey})
		case r.Venue != nil:
			v := *r.Venue
			imp.Rows = append(imp.Rows, store.ImportRow{Line: r.Line, Venue: &v})
		default:
			continue
		}
		if r.Action == Create {
			res.Created++
		} else {
			res.Changed++
		}
	}
	if err := st.ApplyImport(ctx, imp, by); err != nil {
		return Result{}, fmt.Errorf("csvio: %w", err)
	}
	return res, nil
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
