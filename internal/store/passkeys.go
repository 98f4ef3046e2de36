package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Passkey is a WebAuthn credential of a user, a second factor beside TOTP.
type Passkey struct {
	ID           string
	UserID       string
	CredentialID string // base64url, unique across users
	Name         string // the user's name for it, such as "Laptop"
	Data         []byte // the credential as the WebAuthn library keeps it (JSON)
	CreatedAt    time.Time
	LastUsedAt   time.Time // zero: never used to sign in
}

const passkeyColumns = `id, user_id, credential_id, name, data, created_at, last_used_at`

func scanPasskey(sc interface{ Scan(...any) error }) (Passkey, error) {
	var x Passkey
	var data string
	var used sql.NullTime
	err := sc.Scan(&x.ID, &x.UserID, &x.CredentialID, &x.Name, &data, &x.CreatedAt, &used)
	x.Data = []byte(data)
	x.CreatedAt = x.CreatedAt.UTC()
	if used.Valid {
		x.LastUsedAt = used.Time.UTC()
	}
	return x, err
}

// CreatePasskey stores a new passkey; it gives it an ID and sets CreatedAt
// if it is zero.
func (s *Store) CreatePasskey(ctx context.Context, x *Passkey) error {
	if x.UserID == "" || x.CredentialID == "" || len(x.Data) == 0 {
		return errors.New("a passkey needs a user, a credential ID and its data")
	}
	if x.ID == "" {
		x.ID = NewID()
	}
	if x.CreatedAt.IsZero() {
		x.CreatedAt = utcNow()
	}
	x.CreatedAt = x.CreatedAt.UTC().Truncate(time.Microsecond)
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO passkeys (`+passkeyColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			x.ID, x.UserID, x.CredentialID, x.Name, string(x.Data), x.CreatedAt, nullTime(x.LastUsedAt))
		return err
	})
}

// UserPasskeys lists a user's passkeys, the oldest first.
func (s *Store) UserPasskeys(ctx context.Context, userID string) ([]Passkey, error) {
	return queryAll(ctx, s.read, scanPasskey, `SELECT `+passkeyColumns+` FROM passkeys WHERE user_id = $1 ORDER BY created_at, id`, userID)
}

// HasPasskey reports whether the user has at least one passkey.
func (s *Store) HasPasskey(ctx context.Context, userID string) (bool, error) {
	var n int
	err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM passkeys WHERE user_id = $1`, userID).Scan(&n)
	return n > 0, err
}

// UsePasskey records a sign-in with a user's passkey: its new data (the
// signature counter moves) and when. ErrNotFound if the user has no such
// passkey (it was removed meanwhile).
func (s *Store) UsePasskey(ctx context.Context, userID, credentialID string, data []byte, at time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE passkeys SET data = $1, last_used_at = $2 WHERE user_id = $3 AND credential_id = $4`,
			string(data), at.UTC().Truncate(time.Microsecond), userID, credentialID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err == nil {
				err = ErrNotFound
			}
			return err
		}
		return nil
	})
}

// DeletePasskey removes one of a user's passkeys by its ID and returns it;
// ErrNotFound if the user has no such passkey.
func (s *Store) DeletePasskey(ctx context.Context, userID, id string) (Passkey, error) {
	var x Passkey
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		x, err = scanPasskey(tx.QueryRowContext(ctx, `DELETE FROM passkeys WHERE user_id = $1 AND id = $2 RETURNING `+passkeyColumns, userID, id))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		return err
	})
	return x, err
}

// PutPasskeyChallenge keeps the challenge of a ceremony (kind "register" or
// "login") for a session until expires, replacing any earlier one.
func (s *Store) PutPasskeyChallenge(ctx context.Context, sessionHash, kind string, data []byte, expires time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM passkey_challenges WHERE session_hash = $1`, sessionHash); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO passkey_challenges (session_hash, kind, data, expires_at) VALUES ($1, $2, $3, $4)`,
			sessionHash, kind, string(data), expires.UTC().Truncate(time.Microsecond))
		return err
	})
}

// TakePasskeyChallenge deletes the session's challenge and returns it if it
// is of kind and not expired at now: a challenge is answered once.
// ErrNotFound otherwise.
func (s *Store) TakePasskeyChallenge(ctx context.Context, sessionHash, kind string, now time.Time) ([]byte, error) {
	var data string
	var k string
	var exp time.Time
	err := s.tx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `DELETE FROM passkey_challenges WHERE session_hash = $1 RETURNING kind, data, expires_at`,
			sessionHash).Scan(&k, &data, &exp)
	})
	if errors.Is(err, sql.ErrNoRows) || err == nil && (k != kind || !exp.After(now)) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return []byte(data), nil
}
