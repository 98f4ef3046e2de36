package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Session is a signed-in browser. Only the SHA-256 of the cookie's token is
// stored (IDHash, hex), so that the table signs nobody in.
type Session struct {
	IDHash     string
	UserID     string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time // the absolute end, whatever the activity
	MFA        bool      // the second factor was given in this session
	Agent      string    // a short summary of the browser, such as "Firefox, Linux"
	Source     string    // the network it signed in from, truncated (SourceOf)
}

const sessionColumns = `id_hash, user_id, created_at, last_seen_at, expires_at, mfa, agent, source`

func scanSession(sc interface{ Scan(...any) error }) (Session, error) {
	var x Session
	err := sc.Scan(&x.IDHash, &x.UserID, &x.CreatedAt, &x.LastSeenAt, &x.ExpiresAt, &x.MFA, &x.Agent, &x.Source)
	x.CreatedAt, x.LastSeenAt, x.ExpiresAt = x.CreatedAt.UTC(), x.LastSeenAt.UTC(), x.ExpiresAt.UTC()
	return x, err
}

func insertSession(ctx context.Context, tx *sql.Tx, x *Session) error {
	if x.IDHash == "" || x.UserID == "" {
		return errors.New("a session needs a token hash and a user")
	}
	x.CreatedAt = x.CreatedAt.UTC().Truncate(time.Microsecond)
	x.LastSeenAt = x.LastSeenAt.UTC().Truncate(time.Microsecond)
	x.ExpiresAt = x.ExpiresAt.UTC().Truncate(time.Microsecond)
	_, err := tx.ExecContext(ctx, `INSERT INTO sessions (`+sessionColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		x.IDHash, x.UserID, x.CreatedAt, x.LastSeenAt, x.ExpiresAt, x.MFA, x.Agent, x.Source)
	return err
}

// CreateSession stores a new session.
func (s *Store) CreateSession(ctx context.Context, x *Session) error {
	return s.tx(ctx, func(tx *sql.Tx) error { return insertSession(ctx, tx, x) })
}

// RotateSession replaces a session by a new one in one transaction: the old
// token stops working the moment the new one starts (against session
// fixation, at sign-in and after the second factor). It fails with
// ErrNotFound if the old session is gone.
func (s *Store) RotateSession(ctx context.Context, oldHash string, x *Session) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = $1`, oldHash)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err == nil {
				err = ErrNotFound
			}
			return err
		}
		return insertSession(ctx, tx, x)
	})
}

// Session returns a session by the hash of its token, expired or not.
func (s *Store) Session(ctx context.Context, idHash string) (Session, error) {
	x, err := scanSession(s.read.QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE id_hash = $1`, idHash))
	if errors.Is(err, sql.ErrNoRows) {
		return x, ErrNotFound
	}
	return x, err
}

// TouchSession returns the session if it is still valid at now: not past
// its absolute end, and seen after idleSince (now minus the idle timeout).
// An invalid session is deleted and gives ErrNotFound. The time it was last
// seen is written at most once every interval, so that a page view does not
// always cost a write.
func (s *Store) TouchSession(ctx context.Context, idHash string, now, idleSince time.Time, interval time.Duration) (Session, error) {
	now = now.UTC().Truncate(time.Microsecond)
	x, err := s.Session(ctx, idHash)
	if err != nil {
		return x, err
	}
	if !x.ExpiresAt.After(now) || !x.LastSeenAt.After(idleSince) {
		if _, err := s.DeleteSession(ctx, idHash); err != nil {
			return x, err
		}
		return x, ErrNotFound
	}
	if now.Sub(x.LastSeenAt) < interval {
		return x, nil
	}
	// Conditional, so that a session another instance has just ended or
	// that expired meanwhile is not revived.
	err = s.tx(ctx, func(tx *sql.Tx) error {
		return execOne(ctx, tx, `UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1 AND expires_at > $2
			AND last_seen_at > $3`, idHash, now, idleSince.UTC())
	})
	x.LastSeenAt = now
	return x, err
}

// DeleteSession ends a session; it reports whether there was one.
func (s *Store) DeleteSession(ctx context.Context, idHash string) (bool, error) {
	var n int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = $1`, idHash)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n > 0, err
}

// DeleteUserSession ends one of a user's sessions; it reports whether the
// user had it (a user can end only their own).
func (s *Store) DeleteUserSession(ctx context.Context, userID, idHash string) (bool, error) {
	var n int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = $1 AND user_id = $2`, idHash, userID)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n > 0, err
}

// UserSessions lists a user's sessions, the most recently seen first.
func (s *Store) UserSessions(ctx context.Context, userID string) ([]Session, error) {
	return queryAll(ctx, s.read, scanSession, `SELECT `+sessionColumns+` FROM sessions WHERE user_id = $1
		ORDER BY last_seen_at DESC, created_at DESC, id_hash`, userID)
}

// DeleteUserSessions ends every session of a user but the one whose hash is
// except ("" ends them all), and returns how many it ended.
func (s *Store) DeleteUserSessions(ctx context.Context, userID, except string) (int, error) {
	var n int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2`, userID, except)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// DeleteExpiredSessions removes sessions past their absolute end or idle
// since idleSince, and returns how many.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now, idleSince time.Time) (int, error) {
	var n int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2`,
			now.UTC(), idleSince.UTC())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}
