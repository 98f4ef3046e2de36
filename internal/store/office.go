package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/fellesrom/fellesrom/internal/domain"
)

// The queries of the back office's directory pages (internal/web/office_*.go).

// OfficeGroupFilter selects groups for the back office's list.
type OfficeGroupFilter struct {
	// OrgIDs are the organisations whose groups are listed; nil lists the
	// groups of every organisation (an administrator), an empty non-nil
	// slice lists none.
	OrgIDs []string
	Status domain.Status // "" for every status
	Limit  int           // default 50, at most 500
	Offset int
}

// OfficeGroups returns a page of the groups f selects, by slug (which
// follows the name, and which the database can order the same way on both
// engines), and how many there are in all. The groups come without their
// themes and languages, which the list does not show.
func (s *Store) OfficeGroups(ctx context.Context, f OfficeGroupFilter) ([]domain.Group, int, error) {
	if f.OrgIDs != nil && len(f.OrgIDs) == 0 {
		return nil, 0, nil
	}
	var where []string
	var args []any
	if f.OrgIDs != nil {
		where = append(where, "organisation_id IN ("+placeholders(1, len(f.OrgIDs))+")")
		for _, id := range f.OrgIDs {
			args = append(args, id)
		}
	}
	if f.Status != "" {
		args = append(args, string(f.Status))
		where = append(where, fmt.Sprintf("status = $%d", len(args)))
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM groups`+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, 500)
	f.Offset = max(f.Offset, 0)
	gs, err := s.queryGroups(ctx, `SELECT `+groupColumns+` FROM groups`+cond+
		fmt.Sprintf(` ORDER BY slug LIMIT %d OFFSET %d`, f.Limit, f.Offset), args...)
	return gs, total, err
}

// UserNames returns the names of the users with the given IDs, by ID. IDs
// that are not users (such as "system" or "demo") are left out.
func (s *Store) UserNames(ctx context.Context, ids []string) (map[string]string, error) {
	out := map[string]string{}
	ids = uniq(ids)
	for len(ids) > 0 {
		n := min(len(ids), 500)
		args := make([]any, n)
		for i, id := range ids[:n] {
			args[i] = id
		}
		rows, err := s.read.QueryContext(ctx, `SELECT id, name FROM users WHERE id IN (`+placeholders(1, n)+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id, name string
			if err := rows.Scan(&id, &name); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = name
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		ids = ids[n:]
	}
	return out, nil
}

// AllRooms returns every room, by venue and then by name.
func (s *Store) AllRooms(ctx context.Context) (map[string][]domain.Room, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+roomColumns+` FROM rooms ORDER BY venue_id, name, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]domain.Room{}
	for rows.Next() {
		r, err := scanRoom(rows)
		if err != nil {
			return nil, err
		}
		out[r.VenueID] = append(out[r.VenueID], r)
	}
	return out, rows.Err()
}
