package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/fellesrom/fellesrom/internal/seal"
)

// ErrNoKeys is returned when a value must be sealed or opened and the store
// was given no keys (see SetKeys).
var ErrNoKeys = errors.New("store: no keys (the key file was not loaded)")

// SetKeys gives the store the keyring that seals personal data and secrets
// (see package seal). Call it once, before the store is used.
func (s *Store) SetKeys(k *seal.Keyring) { s.keys = k }

// Keys returns the store's keyring (nil if none was set).
func (s *Store) Keys() *seal.Keyring { return s.keys }

// sealedColumn is a column whose values are sealed with the context
// table.column:id. Every such column is listed in sealedColumns, so that
// Reseal can find them all.
type sealedColumn struct{ table, id, column string }

// sealedColumns lists every sealed column of the schema. A package that
// adds one registers it here (from an init function in its own file).
var sealedColumns = []sealedColumn{
	{"users", "id", "totp_secret"},
	{"oidc_providers", "id", "client_secret"},
}

func sealContext(table, column, id string) string { return table + "." + column + ":" + id }

// seal seals plain for the column of the row id; "" stays "" (nothing stored).
func (s *Store) seal(table, column, id, plain string) (string, error) {
	if plain == "" {
		return "", nil
	}
	if s.keys == nil {
		return "", ErrNoKeys
	}
	return s.keys.SealString(plain, sealContext(table, column, id)), nil
}

// open opens a value of the column of the row id; "" stays "".
func (s *Store) open(table, column, id, sealed string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	if s.keys == nil {
		return "", ErrNoKeys
	}
	plain, err := s.keys.OpenString(sealed, sealContext(table, column, id))
	if err != nil {
		return "", fmt.Errorf("%s.%s of %s: %w", table, column, id, err)
	}
	return plain, nil
}

// ResealResult counts what Reseal did.
type ResealResult struct {
	Resealed int // values sealed again with the primary key
	Plain    int // values stored before sealing existed, now sealed
	Current  int // values already sealed with the primary key
}

// Reseal seals every stored sealed value with the keyring's primary key:
// values sealed with an older key (after a rotation) and values stored in
// plain text (written before sealing existed). progress, if not nil, is
// called after each column. Each row is updated in its own short
// transaction and only if unchanged since it was read, so Reseal can run
// while the application serves.
func (s *Store) Reseal(ctx context.Context, progress func(table, column string, r ResealResult)) (ResealResult, error) {
	var total ResealResult
	if s.keys == nil {
		return total, ErrNoKeys
	}
	primary := s.keys.Primary()
	for _, c := range sealedColumns {
		var r ResealResult
		rows, err := s.db.QueryContext(ctx, fmt.Sprintf(`SELECT %s, %s FROM %s WHERE %s IS NOT NULL AND %s <> ''`,
			c.id, c.column, c.table, c.column, c.column))
		if err != nil {
			return total, fmt.Errorf("reseal %s.%s: %w", c.table, c.column, err)
		}
		type row struct{ id, value string }
		var todo []row
		for rows.Next() {
			var x row
			if err := rows.Scan(&x.id, &x.value); err != nil {
				rows.Close()
				return total, err
			}
			if seal.KeyOf(x.value) == primary {
				r.Current++
				continue
			}
			todo = append(todo, x)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return total, err
		}
		for _, x := range todo {
			plain := x.value
			if seal.IsSealed(x.value) {
				if plain, err = s.open(c.table, c.column, x.id, x.value); err != nil {
					return total, err
				}
				r.Resealed++
			} else {
				r.Plain++
			}
			fresh, err := s.seal(c.table, c.column, x.id, plain)
			if err != nil {
				return total, err
			}
			err = s.tx(ctx, func(tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, fmt.Sprintf(`UPDATE %s SET %s = $1 WHERE %s = $2 AND %s = $3`,
					c.table, c.column, c.id, c.column), fresh, x.id, x.value)
				return err
			})
			if err != nil {
				return total, fmt.Errorf("reseal %s.%s: %w", c.table, c.column, err)
			}
		}
		total.Resealed += r.Resealed
		total.Plain += r.Plain
		total.Current += r.Current
		if progress != nil {
			progress(c.table, c.column, r)
		}
	}
	if total.Plain > 0 && s.engine == SQLite {
		// The plain values are still in the write-ahead log until a
		// checkpoint; write it back to the database file and empty it.
		if _, err := s.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			return total, fmt.Errorf("reseal: checkpoint: %w", err)
		}
	}
	return total, nil
}

// CountSealed counts the sealed values stored in every sealed column (for
// a check at start-up that the key file belongs to the database).
func (s *Store) CountSealed(ctx context.Context) (int, error) {
	return s.countSealedLike(ctx, "s1.%")
}

// CountSealedWith counts the stored values sealed with the key id (before
// the key is retired, there must be none).
func (s *Store) CountSealedWith(ctx context.Context, id string) (int, error) {
	return s.countSealedLike(ctx, "s1."+id+".%")
}

func (s *Store) countSealedLike(ctx context.Context, pattern string) (int, error) {
	total := 0
	for _, c := range sealedColumns {
		var n int
		if err := s.read.QueryRowContext(ctx, fmt.Sprintf(`SELECT COUNT(*) FROM %s WHERE %s LIKE $1`,
			c.table, c.column), pattern).Scan(&n); err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}
