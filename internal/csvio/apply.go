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

// Apply carries out the plan through the store's own writes (each writes
// its audit row). want is the fingerprint of the plan the user saw.
func Apply(ctx context.Context, st *store.Store, p *Plan, want, by string) (Result, error) {
	var res Result
	if p.Fingerprint() != want {
		return res, ErrPlanChanged
	}
	if len(p.Missing) > 0 {
		return res, ErrPlanChanged
	}
	venueIDs := map[string]string{}
	for _, k := range sortedKeys(p.NewVenues) {
		v := *p.NewVenues[k]
		if err := st.SaveVenue(ctx, &v); err != nil {
			return res, fmt.Errorf("csvio: new venue: %w", err)
		}
		venueIDs[k] = v.ID
		res.Venues++
	}
	for _, r := range p.Rows {
		if r.Action != Create && r.Action != Change {
			continue
		}
		switch {
		case r.Group != nil:
			g := *r.Group
			if r.VenueKey != "" {
				g.VenueID = venueIDs[r.VenueKey]
			}
			if err := st.SaveGroup(ctx, &g, by, "CSV import"); err != nil {
				return res, fmt.Errorf("csvio: line %d: %w", r.Line, err)
			}
		case r.Venue != nil:
			v := *r.Venue
			if err := st.SaveVenue(ctx, &v); err != nil {
				return res, fmt.Errorf("csvio: line %d: %w", r.Line, err)
			}
		}
		if r.Action == Create {
			res.Created++
		} else {
			res.Changed++
		}
	}
	return res, nil
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
