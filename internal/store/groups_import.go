package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/fellesrom/fellesrom/internal/domain"
)

// Import is a batch of writes to the directory that is applied whole or
// not at all (a CSV import): new venues first, then the rows in order.
type Import struct {
	NewVenues []ImportVenue // created before the rows; a row names one by Key
	Rows      []ImportRow
	Reason    string // the reason written to a group's history when its status changes
}

// ImportVenue is a venue the import creates, under the key rows use.
type ImportVenue struct {
	Key   string
	Venue *domain.Venue
}

// ImportRow is one row of an import: a group or a venue to save (created
// when its ID is empty, else updated).
type ImportRow struct {
	Line     int // the line of the file, to name it when it fails
	Group    *domain.Group
	Venue    *domain.Venue
	VenueKey string // a group's venue among Import.NewVenues
}

// RowError says which row of an import failed, and why. Nothing of the
// import was written.
type RowError struct {
	Line    int
	Invalid bool // the row breaks a rule (ValidateGroup, ValidateVenue); Err says which
	Err     error
}

func (e *RowError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

func (e *RowError) Unwrap() error { return e.Err }

// ApplyImport writes the import in one transaction: every venue and group
// with its audit row, and one change of the directory version. If any row
// fails, nothing is written and the error is a *RowError naming the row.
// by names who imports. The IDs of created venues and groups are set in
// place only when the import succeeds.
func (s *Store) ApplyImport(ctx context.Context, imp Import, by string) error {
	ctx = WithActor(ctx, Actor{ID: by, Source: ActorOf(ctx).Source})
	// The line of a new venue is the first row that uses it.
	venueLine := map[string]int{}
	for _, r := range imp.Rows {
		if _, ok := venueLine[r.VenueKey]; r.VenueKey != "" && !ok {
			venueLine[r.VenueKey] = r.Line
		}
	}
	// Work on copies, so that a failed import leaves the caller's values
	// (IDs, times) as they were.
	venues := make([]domain.Venue, len(imp.NewVenues))
	groups := make([]domain.Group, len(imp.Rows))
	rowVenues := make([]domain.Venue, len(imp.Rows))
	for i, nv := range imp.NewVenues {
		venues[i] = *nv.Venue
		if err := ValidateVenue(&venues[i]); err != nil {
			return &RowError{Line: venueLine[nv.Key], Invalid: true, Err: err}
		}
	}
	for i, r := range imp.Rows {
		switch {
		case r.Group != nil:
			groups[i] = *r.Group
			if err := ValidateGroup(&groups[i]); err != nil {
				return &RowError{Line: r.Line, Invalid: true, Err: err}
			}
		case r.Venue != nil:
			rowVenues[i] = *r.Venue
			if err := ValidateVenue(&rowVenues[i]); err != nil {
				return &RowError{Line: r.Line, Invalid: true, Err: err}
			}
		}
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		ids := map[string]string{}
		for i, nv := range imp.NewVenues {
			if err := saveVenueTx(ctx, tx, &venues[i]); err != nil {
				return &RowError{Line: venueLine[nv.Key], Err: err}
			}
			ids[nv.Key] = venues[i].ID
		}
		for i, r := range imp.Rows {
			var err error
			switch {
			case r.Group != nil:
				if r.VenueKey != "" {
					groups[i].VenueID = ids[r.VenueKey]
				}
				err = saveGroupTx(ctx, tx, &groups[i], by, imp.Reason)
			case r.Venue != nil:
				err = saveVenueTx(ctx, tx, &rowVenues[i])
			}
			if err != nil {
				return &RowError{Line: r.Line, Err: err}
			}
		}
		return bumpDirectory(ctx, tx)
	})
	if err != nil {
		return err
	}
	for i, nv := range imp.NewVenues {
		*nv.Venue = venues[i]
	}
	for i, r := range imp.Rows {
		switch {
		case r.Group != nil:
			*r.Group = groups[i]
		case r.Venue != nil:
			*r.Venue = rowVenues[i]
		}
	}
	return nil
}
