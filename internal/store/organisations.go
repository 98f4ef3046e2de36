package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/fellesrom/fellesrom/internal/domain"
)

// SaveOrganisation creates the organisation (when its ID is empty) or updates
// it, with the municipalities it serves.
func (s *Store) SaveOrganisation(ctx context.Context, o *domain.Organisation) error {
	if o.Name == "" || o.Slug == "" {
		return errors.New("an organisation needs a name and a slug")
	}
	if !slices.Contains(domain.OrgKinds, o.Kind) {
		return fmt.Errorf("unknown organisation kind %q", o.Kind)
	}
	now := utcNow()
	return s.tx(ctx, func(tx *sql.Tx) error {
		args := []any{nullString(o.ParentID), string(o.Kind), o.Slug, o.Name, o.Description.Marshal(), o.Email,
			o.Phone, o.Website, nullString(o.VenueID), o.OpeningHours.Marshal(), now}
		var prev any
		if o.ID == "" {
			o.ID = NewID()
			o.CreatedAt = now
			if _, err := tx.ExecContext(ctx, `INSERT INTO organisations (parent_id, kind, slug, name, description,
				email, phone, website, venue_id, opening_hours, updated_at, id, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`, append(args, o.ID, now)...); err != nil {
				return err
			}
		} else {
			old, err := scanOrganisation(tx.QueryRowContext(ctx, `SELECT `+orgColumns+` FROM organisations WHERE id = $1`, o.ID))
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			if err != nil {
				return err
			}
			if old.Municipalities, err = orgMunicipalities(ctx, tx, o.ID); err != nil {
				return err
			}
			o.CreatedAt = old.CreatedAt
			prev = old
			if err := execOne(ctx, tx, `UPDATE organisations SET parent_id = $1, kind = $2, slug = $3, name = $4,
				description = $5, email = $6, phone = $7, website = $8, venue_id = $9, opening_hours = $10,
				updated_at = $11 WHERE id = $12`, append(args, o.ID)...); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM organisation_municipalities WHERE organisation_id = $1`, o.ID); err != nil {
				return err
			}
		}
		o.UpdatedAt = now
		o.Municipalities = uniq(o.Municipalities)
		for _, m := range o.Municipalities {
			if _, err := tx.ExecContext(ctx, `INSERT INTO organisation_municipalities (organisation_id, municipality_id)
				VALUES ($1, $2)`, o.ID, m); err != nil {
				return fmt.Errorf("municipality %s: %w", m, err)
			}
		}
		var err error
		if prev == nil {
			err = auditChange(ctx, tx, "organisation", o.ID, o.ID, nil, o)
		} else {
			err = auditChange(ctx, tx, "organisation", o.ID, o.ID, prev, *o)
		}
		if err != nil {
			return err
		}
		return bumpDirectory(ctx, tx)
	})
}

const orgColumns = `id, COALESCE(parent_id, ''), kind, slug, name, description, email, phone, website,
	COALESCE(venue_id, ''), opening_hours, created_at, updated_at`

func scanOrganisation(sc interface{ Scan(...any) error }) (domain.Organisation, error) {
	var o domain.Organisation
	var desc, hours string
	err := sc.Scan(&o.ID, &o.ParentID, &o.Kind, &o.Slug, &o.Name, &desc, &o.Email, &o.Phone, &o.Website,
		&o.VenueID, &hours, &o.CreatedAt, &o.UpdatedAt)
	if err != nil {
		return o, err
	}
	if o.Description, err = domain.ParseText(desc); err == nil {
		o.OpeningHours, err = domain.ParseText(hours)
	}
	return o, err
}

// Organisations lists every organisation, with the municipalities each serves.
func (s *Store) Organisations(ctx context.Context) ([]domain.Organisation, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+orgColumns+` FROM organisations ORDER BY name, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []domain.Organisation
	index := map[string]int{}
	for rows.Next() {
		o, err := scanOrganisation(rows)
		if err != nil {
			return nil, err
		}
		index[o.ID] = len(out)
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	mrows, err := s.read.QueryContext(ctx, `SELECT organisation_id, municipality_id FROM organisation_municipalities
		ORDER BY organisation_id, municipality_id`)
	if err != nil {
		return nil, err
	}
	defer mrows.Close()
	for mrows.Next() {
		var oid, mid string
		if err := mrows.Scan(&oid, &mid); err != nil {
			return nil, err
		}
		if i, ok := index[oid]; ok {
			out[i].Municipalities = append(out[i].Municipalities, mid)
		}
	}
	domain.SortByName(out, func(o domain.Organisation) string { return o.Name })
	return out, mrows.Err()
}

// Organisation returns one organisation by ID or slug.
func (s *Store) Organisation(ctx context.Context, idOrSlug string) (domain.Organisation, error) {
	o, err := scanOrganisation(s.read.QueryRowContext(ctx, `SELECT `+orgColumns+` FROM organisations
		WHERE id = $1 OR slug = $1`, idOrSlug))
	if errors.Is(err, sql.ErrNoRows) {
		return o, ErrNotFound
	}
	if err != nil {
		return o, err
	}
	o.Municipalities, err = orgMunicipalities(ctx, s.read, o.ID)
	return o, err
}

func orgMunicipalities(ctx context.Context, db querier, orgID string) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT municipality_id FROM organisation_municipalities
		WHERE organisation_id = $1 ORDER BY municipality_id`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var m string
		if err := rows.Scan(&m); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// SaveVenue creates the venue (when its ID is empty) or updates it.
func (s *Store) SaveVenue(ctx context.Context, v *domain.Venue) error {
	if err := ValidateVenue(v); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := saveVenueTx(ctx, tx, v); err != nil {
			return err
		}
		return bumpDirectory(ctx, tx)
	})
}

// ValidateVenue checks a venue before it is stored.
func ValidateVenue(v *domain.Venue) error {
	if v.MunicipalityID == "" {
		return errors.New("a venue needs a municipality")
	}
	if v.HasCoordinates && (v.Lat < -90 || v.Lat > 90 || v.Lon < -180 || v.Lon > 180) {
		return errors.New("coordinates out of range")
	}
	return nil
}

// saveVenueTx is SaveVenue inside tx, without the directory-version bump
// (the caller bumps once per transaction). v must be valid.
func saveVenueTx(ctx context.Context, tx *sql.Tx, v *domain.Venue) error {
	var lat, lon sql.NullFloat64
	if v.HasCoordinates {
		lat, lon = sql.NullFloat64{Float64: v.Lat, Valid: true}, sql.NullFloat64{Float64: v.Lon, Valid: true}
	}
	args := []any{nullString(v.OrgID), v.Name, v.Street, v.PostalCode, v.City, v.MunicipalityID, lat, lon,
		v.StepFree, v.HearingLoop, v.AccessibleToilet, v.AddressPublic, v.Directions.Marshal()}
	if v.ID == "" {
		v.ID = NewID()
		if _, err := tx.ExecContext(ctx, `INSERT INTO venues (organisation_id, name, street, postal_code, city,
			municipality_id, lat, lon, step_free, hearing_loop, accessible_toilet, address_public, directions, id)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`, append(args, v.ID)...); err != nil {
			return err
		}
		return auditChange(ctx, tx, "venue", v.ID, v.OrgID, nil, v)
	}
	prev, err := scanVenue(tx.QueryRowContext(ctx, `SELECT `+venueColumns+` FROM venues WHERE id = $1`, v.ID))
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	if err := execOne(ctx, tx, `UPDATE venues SET organisation_id = $1, name = $2, street = $3,
		postal_code = $4, city = $5, municipality_id = $6, lat = $7, lon = $8, step_free = $9, hearing_loop = $10,
		accessible_toilet = $11, address_public = $12, directions = $13 WHERE id = $14`, append(args, v.ID)...); err != nil {
		return err
	}
	return auditChange(ctx, tx, "venue", v.ID, v.OrgID, prev, *v)
}

const venueColumns = `id, COALESCE(organisation_id, ''), name, street, postal_code, city, municipality_id,
	lat, lon, step_free, hearing_loop, accessible_toilet, address_public, directions`

func scanVenue(sc interface{ Scan(...any) error }) (domain.Venue, error) {
	var v domain.Venue
	var lat, lon sql.NullFloat64
	var dir string
	if err := sc.Scan(&v.ID, &v.OrgID, &v.Name, &v.Street, &v.PostalCode, &v.City, &v.MunicipalityID, &lat, &lon,
		&v.StepFree, &v.HearingLoop, &v.AccessibleToilet, &v.AddressPublic, &dir); err != nil {
		return v, err
	}
	if lat.Valid && lon.Valid {
		v.Lat, v.Lon, v.HasCoordinates = lat.Float64, lon.Float64, true
	}
	var err error
	v.Directions, err = domain.ParseText(dir)
	return v, err
}

// Venues lists every venue.
func (s *Store) Venues(ctx context.Context) ([]domain.Venue, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+venueColumns+` FROM venues ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []domain.Venue
	for rows.Next() {
		v, err := scanVenue(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Venue returns one venue.
func (s *Store) Venue(ctx context.Context, id string) (domain.Venue, error) {
	v, err := scanVenue(s.read.QueryRowContext(ctx, `SELECT `+venueColumns+` FROM venues WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return v, ErrNotFound
	}
	return v, err
}

// SaveRoom creates the room (when its ID is empty) or updates it.
func (s *Store) SaveRoom(ctx context.Context, r *domain.Room) error {
	if r.VenueID == "" || r.Name == "" {
		return errors.New("a room needs a venue and a name")
	}
	// Equipment in the order of domain.RoomEquipment, each once.
	var eq []string
	for _, code := range domain.RoomEquipment {
		if slices.Contains(r.Equipment, code) {
			eq = append(eq, code)
		}
	}
	if len(eq) != len(distinct(r.Equipment)) {
		return fmt.Errorf("unknown room equipment in %q", r.Equipment)
	}
	r.Equipment = eq
	return s.tx(ctx, func(tx *sql.Tx) error {
		if r.ID == "" {
			r.ID = NewID()
			if _, err := tx.ExecContext(ctx, `INSERT INTO rooms (id, venue_id, name, capacity, equipment, step_free,
				hearing_loop) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
				r.ID, r.VenueID, r.Name, r.Capacity, strings.Join(r.Equipment, " "), r.StepFree, r.HearingLoop); err != nil {
				return err
			}
			return auditChange(ctx, tx, "room", r.ID, "", nil, r)
		}
		old, err := scanRoom(tx.QueryRowContext(ctx, `SELECT `+roomColumns+` FROM rooms WHERE id = $1`, r.ID))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if err := execOne(ctx, tx, `UPDATE rooms SET venue_id = $2, name = $3, capacity = $4, equipment = $5,
			step_free = $6, hearing_loop = $7 WHERE id = $1`,
			r.ID, r.VenueID, r.Name, r.Capacity, strings.Join(r.Equipment, " "), r.StepFree, r.HearingLoop); err != nil {
			return err
		}
		return auditChange(ctx, tx, "room", r.ID, "", old, *r)
	})
}

// Rooms lists the rooms of a venue.
func (s *Store) Rooms(ctx context.Context, venueID string) ([]domain.Room, error) {
	return queryAll(ctx, s.read, scanRoom, `SELECT `+roomColumns+` FROM rooms WHERE venue_id = $1 ORDER BY name, id`, venueID)
}

const roomColumns = `id, venue_id, name, capacity, equipment, step_free, hearing_loop`

func scanRoom(sc interface{ Scan(...any) error }) (domain.Room, error) {
	var r domain.Room
	var equipment string
	err := sc.Scan(&r.ID, &r.VenueID, &r.Name, &r.Capacity, &equipment, &r.StepFree, &r.HearingLoop)
	if equipment != "" {
		r.Equipment = strings.Fields(equipment)
	}
	return r, err
}
