package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"time"
)

// HitRateLimit counts one event for key in the fixed window that starts at
// windowStart, and returns the count including it. The increment is a
// single INSERT … ON CONFLICT DO UPDATE … RETURNING, atomic on both engines,
// so that every instance sharing the database counts into the same row.
// Keys must not hold raw personal data: hash e-mail addresses with a server
// key, and use truncated network addresses (SourceOf).
func (s *Store) HitRateLimit(ctx context.Context, key string, windowStart time.Time) (int, error) {
	var n int
	err := s.tx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO rate_limits (key, window_start, count) VALUES ($1, $2, 1)
			ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limits.count + 1
			RETURNING count`, key, windowStart.UTC().Truncate(time.Microsecond)).Scan(&n)
	})
	return n, err
}

// RateLimitCount returns the count of key in the window that starts at
// windowStart, without counting.
func (s *Store) RateLimitCount(ctx context.Context, key string, windowStart time.Time) (int, error) {
	var n int
	err := s.read.QueryRowContext(ctx, `SELECT count FROM rate_limits WHERE key = $1 AND window_start = $2`,
		key, windowStart.UTC().Truncate(time.Microsecond)).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return n, err
}

// PruneRateLimits deletes the counters of windows that started before
// before, and returns how many.
func (s *Store) PruneRateLimits(ctx context.Context, before time.Time) (int, error) {
	var n int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM rate_limits WHERE window_start < $1`, before.UTC())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// ServerKey returns the installation's random key of that name, making it
// (size random bytes) on first use. Every instance gets the same key.
func (s *Store) ServerKey(ctx context.Context, name string, size int) ([]byte, error) {
	b := make([]byte, size)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	var v string
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO server_keys (name, value, created_at) VALUES ($1, $2, $3)
			ON CONFLICT (name) DO NOTHING`, name, base64.StdEncoding.EncodeToString(b), utcNow()); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT value FROM server_keys WHERE name = $1`, name).Scan(&v)
	})
	if err != nil {
		return nil, err
	}
	return base64.StdEncoding.DecodeString(v)
}
