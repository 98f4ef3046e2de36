package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/fellesrom/fellesrom/internal/domain"
)

// SaveTheme creates the theme (when its ID is empty) or updates it.
func (s *Store) SaveTheme(ctx context.Context, t *domain.Theme) error {
	if t.Slug == "" || len(t.Name) == 0 {
		return errors.New("a theme needs a slug and a name")
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		var prev any
		if t.ID == "" {
			t.ID = NewID()
			if _, err := tx.ExecContext(ctx, `INSERT INTO themes (id, slug, name, sort_order, active) VALUES ($1, $2, $3, $4, $5)`,
				t.ID, t.Slug, t.Name.Marshal(), t.SortOrder, t.Active); err != nil {
				return err
			}
		} else {
			var old domain.Theme
			var name string
			err := tx.QueryRowContext(ctx, `SELECT id, slug, name, sort_order, active FROM themes WHERE id = $1`, t.ID).
				Scan(&old.ID, &old.Slug, &name, &old.SortOrder, &old.Active)
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			if err != nil {
				return err
			}
			old.Name, _ = domain.ParseText(name)
			prev = old
			if err := execOne(ctx, tx, `UPDATE themes SET slug = $2, name = $3, sort_order = $4, active = $5 WHERE id = $1`,
				t.ID, t.Slug, t.Name.Marshal(), t.SortOrder, t.Active); err != nil {
				return err
			}
		}
		var err error
		if prev == nil {
			err = auditChange(ctx, tx, "theme", t.ID, "", nil, t)
		} else {
			err = auditChange(ctx, tx, "theme", t.ID, "", prev, *t)
		}
		if err != nil {
			return err
		}
		return bumpDirectory(ctx, tx)
	})
}

// Themes lists the themes in their sort order.
func (s *Store) Themes(ctx context.Context) ([]domain.Theme, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, slug, name, sort_order, active FROM themes ORDER BY sort_order, slug`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []domain.Theme
	for rows.Next() {
		var t domain.Theme
		var name string
		if err := rows.Scan(&t.ID, &t.Slug, &name, &t.SortOrder, &t.Active); err != nil {
			return nil, err
		}
		if t.Name, err = domain.ParseText(name); err != nil {
			return nil, fmt.Errorf("theme %s: %w", t.Slug, err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// SaveModel creates the group model (when its ID is empty) or updates it.
func (s *Store) SaveModel(ctx context.Context, m *domain.Model) error {
	if m.Slug == "" || len(m.Name) == 0 {
		return errors.New("a group model needs a slug and a name")
	}
	args := []any{m.Slug, m.Name.Marshal(), m.Description.Marshal(), string(m.Intake), string(m.Leadership),
		m.WhoMayCome.Marshal(), m.SizeMin, m.SizeMax, string(m.DefaultJoin), m.SortOrder}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if m.ID == "" {
			m.ID = NewID()
			if _, err := tx.ExecContext(ctx, `INSERT INTO group_models (slug, name, description, intake, leadership,
				who_may_come, size_min, size_max, default_join, sort_order, id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
				append(args, m.ID)...); err != nil {
				return err
			}
			if err := auditChange(ctx, tx, "model", m.ID, "", nil, m); err != nil {
				return err
			}
		} else {
			old, err := scanModel(tx.QueryRowContext(ctx, `SELECT `+modelColumns+` FROM group_models WHERE id = $1`, m.ID))
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			if err != nil {
				return err
			}
			if err := execOne(ctx, tx, `UPDATE group_models SET slug = $1, name = $2, description = $3, intake = $4,
				leadership = $5, who_may_come = $6, size_min = $7, size_max = $8, default_join = $9, sort_order = $10 WHERE id = $11`,
				append(args, m.ID)...); err != nil {
				return err
			}
			if err := auditChange(ctx, tx, "model", m.ID, "", old, *m); err != nil {
				return err
			}
		}
		return bumpDirectory(ctx, tx)
	})
}

const modelColumns = `id, slug, name, description, intake, leadership, who_may_come,
	size_min, size_max, default_join, sort_order`

func scanModel(sc interface{ Scan(...any) error }) (domain.Model, error) {
	var m domain.Model
	var name, desc, who string
	if err := sc.Scan(&m.ID, &m.Slug, &name, &desc, &m.Intake, &m.Leadership, &who,
		&m.SizeMin, &m.SizeMax, &m.DefaultJoin, &m.SortOrder); err != nil {
		return m, err
	}
	var err error
	if m.Name, err = domain.ParseText(name); err == nil {
		if m.Description, err = domain.ParseText(desc); err == nil {
			m.WhoMayCome, err = domain.ParseText(who)
		}
	}
	if err != nil {
		return m, fmt.Errorf("model %s: %w", m.Slug, err)
	}
	return m, nil
}

// Models lists the group models in their sort order.
func (s *Store) Models(ctx context.Context) ([]domain.Model, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+modelColumns+` FROM group_models ORDER BY sort_order, slug`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []domain.Model
	for rows.Next() {
		m, err := scanModel(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// execOne runs an UPDATE that must touch exactly one row.
func execOne(ctx context.Context, tx *sql.Tx, query string, args ...any) error {
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}
