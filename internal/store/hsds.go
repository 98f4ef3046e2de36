package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/fellesrom/fellesrom/internal/domain"
)

// HSDSExtra is what is kept of an object imported from an HSDS document
// (table hsds_extra): the original object's JSON (Raw), and the fields
// fellesrom modelled of it at the import (Base, JSON made by package hsds),
// so that the export writes the original again with only what was changed
// in fellesrom since.
type HSDSExtra struct {
	Kind      string // "organization", "location", "service"
	ID        string // the fellesrom object's ID
	HSDSID    string // the original's id
	Raw       []byte
	Base      []byte
	UpdatedAt time.Time
}

// HSDSImport is a decoded HSDS document as fellesrom objects, written by
// ImportHSDS in one transaction. An object whose ID exists is updated in
// place, otherwise created with that ID. A Nested object (an organization
// inside a service, a location inside a service_at_location) is created
// when missing but neither updated nor given a new original when it
// exists (its original, if it has one, is kept): the document's own
// objects are what it imports.
type HSDSImport struct {
	Organisations []HSDSItem[domain.Organisation]
	Venues        []HSDSItem[domain.Venue]
	Groups        []HSDSItem[domain.Group]
	// Links are the originals of service_at_locations: Kind
	// "service_at_location", ID the group's (written after the groups).
	Links []HSDSExtra
}

// HSDSItem is one object of an import with its original.
type HSDSItem[T any] struct {
	Value  *T
	Extra  HSDSExtra
	Nested bool
}

// HSDSImportResult counts what an import did.
type HSDSImportResult struct {
	Created, Updated, Unchanged int
}

// ImportHSDS writes an imported HSDS document in one transaction: the
// organisations, venues and groups with their audit rows, the originals in
// hsds_extra, an audit row for the import, and one change of the directory
// version. If anything fails nothing is written. by names who imports.
func (s *Store) ImportHSDS(ctx context.Context, imp HSDSImport, by string) (HSDSImportResult, error) {
	var res HSDSImportResult
	ctx = WithActor(ctx, Actor{ID: by, Source: ActorOf(ctx).Source})
	for _, o := range imp.Organisations {
		if o.Value.ID == "" || o.Value.Name == "" {
			return res, errors.New("an imported organisation needs an id and a name")
		}
	}
	for _, v := range imp.Venues {
		if v.Value.ID == "" {
			return res, errors.New("an imported venue needs an id")
		}
		if err := ValidateVenue(v.Value); err != nil {
			return res, fmt.Errorf("location %s: %w", v.Extra.HSDSID, err)
		}
	}
	for _, g := range imp.Groups {
		if g.Value.ID == "" {
			return res, errors.New("an imported group needs an id")
		}
	}
	// Work on copies: a failed import leaves the caller's values as they were.
	orgs := make([]domain.Organisation, len(imp.Organisations))
	venues := make([]domain.Venue, len(imp.Venues))
	groups := make([]domain.Group, len(imp.Groups))
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res = HSDSImportResult{}
		count := func(created, changed bool) {
			switch {
			case created:
				res.Created++
			case changed:
				res.Updated++
			default:
				res.Unchanged++
			}
		}
		for i, it := range imp.Organisations {
			orgs[i] = *it.Value
			created, changed, err := importOrgTx(ctx, tx, &orgs[i], it.Nested)
			if err != nil {
				return fmt.Errorf("organization %s: %w", it.Extra.HSDSID, err)
			}
			count(created, changed)
			if it.Nested && !created {
				continue // left as it was, with its original if it has one
			}
			if err := putExtra(ctx, tx, it.Extra, orgs[i].ID); err != nil {
				return err
			}
		}
		for i, it := range imp.Venues {
			venues[i] = *it.Value
			created, changed, err := importVenueTx(ctx, tx, &venues[i], it.Nested)
			if err != nil {
				return fmt.Errorf("location %s: %w", it.Extra.HSDSID, err)
			}
			count(created, changed)
			if it.Nested && !created {
				continue // left as it was, with its original if it has one
			}
			if err := putExtra(ctx, tx, it.Extra, venues[i].ID); err != nil {
				return err
			}
		}
		for i, it := range imp.Groups {
			groups[i] = *it.Value
			created, changed, err := importGroupTx(ctx, tx, &groups[i], by)
			if err != nil {
				return fmt.Errorf("service %s: %w", it.Extra.HSDSID, err)
			}
			count(created, changed)
			if err := putExtra(ctx, tx, it.Extra, groups[i].ID); err != nil {
				return err
			}
		}
		for _, e := range imp.Links {
			if err := putExtra(ctx, tx, e, e.ID); err != nil {
				return err
			}
		}
		if err := auditTx(ctx, tx, AuditEntry{Action: "hsds.import", ObjectType: "hsds", Detail: map[string]any{
			"organisations": len(orgs), "venues": len(venues), "groups": len(groups),
			"created": res.Created, "updated": res.Updated, "unchanged": res.Unchanged}}); err != nil {
			return err
		}
		return bumpDirectory(ctx, tx)
	})
	if err != nil {
		return HSDSImportResult{}, err
	}
	for i, it := range imp.Organisations {
		*it.Value = orgs[i]
	}
	for i, it := range imp.Venues {
		*it.Value = venues[i]
	}
	for i, it := range imp.Groups {
		*it.Value = groups[i]
	}
	return res, nil
}

// freeSlug returns slug, or slug-2, slug-3, … the first that no other row
// of table than id uses.
func freeSlug(ctx context.Context, tx *sql.Tx, table, slug, id string) (string, error) {
	try := slug
	for n := 2; ; n++ {
		var other string
		err := tx.QueryRowContext(ctx, `SELECT id FROM `+table+` WHERE slug = $1`, try).Scan(&other)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && other == id) {
			return try, nil
		}
		if err != nil {
			return "", err
		}
		if n > 1000 {
			return "", fmt.Errorf("no free slug for %q", slug)
		}
		try = slug + "-" + strconv.Itoa(n)
	}
}

func importOrgTx(ctx context.Context, tx *sql.Tx, o *domain.Organisation, nested bool) (created, changed bool, err error) {
	old, err := scanOrganisation(tx.QueryRowContext(ctx, `SELECT `+orgColumns+` FROM organisations WHERE id = $1`, o.ID))
	exists := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, false, err
	}
	if exists && nested {
		*o = old
		return false, false, nil
	}
	if o.Kind == "" {
		o.Kind = domain.OrgOther
	}
	if o.Slug, err = freeSlug(ctx, tx, "organisations", o.Slug, o.ID); err != nil {
		return false, false, err
	}
	now := utcNow()
	args := []any{nullString(o.ParentID), string(o.Kind), o.Slug, o.Name, o.Description.Marshal(), o.Email,
		o.Phone, o.Website, nullString(o.VenueID), o.OpeningHours.Marshal(), now, o.ID}
	if !exists {
		o.CreatedAt, o.UpdatedAt = now, now
		if _, err := tx.ExecContext(ctx, `INSERT INTO organisations (parent_id, kind, slug, name, description,
			email, phone, website, venue_id, opening_hours, updated_at, id, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`, append(args, now)...); err != nil {
			return false, false, err
		}
		return true, true, auditChange(ctx, tx, "organisation", o.ID, o.ID, nil, o)
	}
	o.CreatedAt = old.CreatedAt
	o.Municipalities = nil // served municipalities are not imported
	if c := changes(old, *o); len(c) == 0 {
		*o = old
		return false, false, nil
	}
	o.UpdatedAt = now
	if err := execOne(ctx, tx, `UPDATE organisations SET parent_id = $1, kind = $2, slug = $3, name = $4,
		description = $5, email = $6, phone = $7, website = $8, venue_id = $9, opening_hours = $10,
		updated_at = $11 WHERE id = $12`, args...); err != nil {
		return false, false, err
	}
	return false, true, auditChange(ctx, tx, "organisation", o.ID, o.ID, old, *o)
}

func importVenueTx(ctx context.Context, tx *sql.Tx, v *domain.Venue, nested bool) (created, changed bool, err error) {
	old, err := scanVenue(tx.QueryRowContext(ctx, `SELECT `+venueColumns+` FROM venues WHERE id = $1`, v.ID))
	if err == nil {
		if nested || len(changes(old, *v)) == 0 {
			*v = old
			return false, false, nil
		}
		return false, true, saveVenueTx(ctx, tx, v)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return false, false, err
	}
	var lat, lon sql.NullFloat64
	if v.HasCoordinates {
		lat, lon = sql.NullFloat64{Float64: v.Lat, Valid: true}, sql.NullFloat64{Float64: v.Lon, Valid: true}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO venues (organisation_id, name, street, postal_code, city,
		municipality_id, lat, lon, step_free, hearing_loop, accessible_toilet, address_public, directions, id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`, nullString(v.OrgID), v.Name, v.Street,
		v.PostalCode, v.City, v.MunicipalityID, lat, lon, v.StepFree, v.HearingLoop, v.AccessibleToilet,
		v.AddressPublic, v.Directions.Marshal(), v.ID); err != nil {
		return false, false, err
	}
	return true, true, auditChange(ctx, tx, "venue", v.ID, v.OrgID, nil, v)
}

func importGroupTx(ctx context.Context, tx *sql.Tx, g *domain.Group, by string) (created, changed bool, err error) {
	prevs, err := groupInTx(ctx, tx, g.ID)
	exists := err == nil
	if err != nil && !errors.Is(err, ErrNotFound) {
		return false, false, err
	}
	if g.Slug, err = freeSlug(ctx, tx, "groups", g.Slug, g.ID); err != nil {
		return false, false, err
	}
	if err := ValidateGroup(g); err != nil {
		return false, false, err
	}
	if exists {
		cmp := *g
		cmp.CreatedAt, cmp.UpdatedAt = prevs.CreatedAt, prevs.UpdatedAt
		cmp.ThemeIDs, cmp.Languages = uniq(g.ThemeIDs), uniq(g.Languages)
		prevs.ThemeIDs, prevs.Languages = uniq(prevs.ThemeIDs), uniq(prevs.Languages)
		if len(changes(prevs, cmp)) == 0 {
			*g = prevs
			return false, false, nil
		}
		return false, true, saveGroupTx(ctx, tx, g, by, "HSDS import")
	}
	now := utcNow()
	g.CreatedAt, g.UpdatedAt = now, now
	if err := insertGroup(ctx, tx, g, by); err != nil {
		return false, false, err
	}
	return true, true, auditChange(ctx, tx, "group", g.ID, g.OrgID, nil, g)
}

// putExtra writes an object's original.
func putExtra(ctx context.Context, tx *sql.Tx, e HSDSExtra, id string) error {
	if len(e.Raw) == 0 {
		return nil
	}
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM hsds_extra WHERE kind = $1 AND id = $2`, e.Kind, id).Scan(&one)
	switch {
	case err == nil:
		return execOne(ctx, tx, `UPDATE hsds_extra SET hsds_id = $1, raw = $2, base = $3, updated_at = $4
			WHERE kind = $5 AND id = $6`, e.HSDSID, string(e.Raw), string(e.Base), utcNow(), e.Kind, id)
	case errors.Is(err, sql.ErrNoRows):
		_, err := tx.ExecContext(ctx, `INSERT INTO hsds_extra (kind, id, hsds_id, raw, base, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, e.Kind, id, e.HSDSID, string(e.Raw), string(e.Base), utcNow())
		return err
	default:
		return err
	}
}

// HSDSExtras returns the originals of the objects of a kind among ids, by
// fellesrom ID.
func (s *Store) HSDSExtras(ctx context.Context, kind string, ids []string) (map[string]HSDSExtra, error) {
	out := map[string]HSDSExtra{}
	const batch = 500
	for len(ids) > 0 {
		n := min(len(ids), batch)
		args := []any{kind}
		q := `SELECT kind, id, hsds_id, raw, base, updated_at FROM hsds_extra WHERE kind = $1 AND id IN (`
		for i, id := range ids[:n] {
			if i > 0 {
				q += ", "
			}
			args = append(args, id)
			q += "$" + strconv.Itoa(len(args))
		}
		rows, err := s.read.QueryContext(ctx, q+")", args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var e HSDSExtra
			var raw, base string
			if err := rows.Scan(&e.Kind, &e.ID, &e.HSDSID, &raw, &base, &e.UpdatedAt); err != nil {
				rows.Close()
				return nil, err
			}
			e.Raw, e.Base = []byte(raw), []byte(base)
			out[e.ID] = e
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		ids = ids[n:]
	}
	return out, nil
}

// HSDSExtraTotal is the number of originals kept.
func (s *Store) HSDSExtraTotal(ctx context.Context) (int, error) {
	var n int
	err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM hsds_extra`).Scan(&n)
	return n, err
}

// HSDSExtraCount is the number of originals kept of a kind.
func (s *Store) HSDSExtraCount(ctx context.Context, kind string) (int, error) {
	var n int
	err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM hsds_extra WHERE kind = $1`, kind).Scan(&n)
	return n, err
}

// HSDSExtraIDs returns the fellesrom IDs of the originals of a kind by
// their HSDS ids.
func (s *Store) HSDSExtraIDs(ctx context.Context, kind string) (map[string]string, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT hsds_id, id FROM hsds_extra WHERE kind = $1`, kind)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var h, id string
		if err := rows.Scan(&h, &id); err != nil {
			return nil, err
		}
		out[h] = id
	}
	return out, rows.Err()
}
