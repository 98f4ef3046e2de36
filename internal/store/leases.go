package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// A lease is a named right that at most one holder has at a time, across
// every instance that shares the database, until it runs out or its holder
// gives it back. Jobs take a lease so that each runs on one instance at a
// time (see package jobs). The times are the instances' clocks, which must
// agree to well within the shortest lease (NTP does).

// AcquireLease takes the lease name for holder until ttl from now, and
// reports whether it did. It succeeds when nobody holds the lease, when the
// lease has run out, or when holder holds it already (then it extends or
// shortens it to ttl from now, which is how a holder renews it).
func (s *Store) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	if name == "" || holder == "" {
		return false, errors.New("acquire lease: a lease needs a name and a holder")
	}
	if ttl <= 0 {
		return false, errors.New("acquire lease: the time to live must be positive")
	}
	now := utcNow()
	// One statement: the insert, or the update of a lease that ran out or is
	// the holder's own. A lease someone else holds is left alone, and no row
	// is affected.
	res, err := s.db.ExecContext(ctx, `INSERT INTO job_leases (name, holder, until) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until
		WHERE job_leases.until < $4 OR job_leases.holder = excluded.holder`,
		name, holder, now.Add(ttl), now)
	if err != nil {
		return false, fmt.Errorf("acquire lease %s: %w", name, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("acquire lease %s: %w", name, err)
	}
	return n == 1, nil
}

// ReleaseLease gives the lease name back, if holder holds it, so that another
// holder may take it at once.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM job_leases WHERE name = $1 AND holder = $2`, name, holder); err != nil {
		return fmt.Errorf("release lease %s: %w", name, err)
	}
	return nil
}

// Lease is who holds a lease, and until when.
type Lease struct {
	Name   string
	Holder string
	Until  time.Time
}

// LeaseOf returns the lease name as it is recorded (it may have run out), or
// ErrNotFound.
func (s *Store) LeaseOf(ctx context.Context, name string) (Lease, error) {
	l := Lease{Name: name}
	err := s.db.QueryRowContext(ctx, `SELECT holder, until FROM job_leases WHERE name = $1`, name).Scan(&l.Holder, &l.Until)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return l, ErrNotFound
		}
		return l, fmt.Errorf("lease %s: %w", name, err)
	}
	l.Until = l.Until.UTC()
	return l, nil
}
