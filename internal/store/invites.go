package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Invitations and password resets are single-use tokens sent by e-mail.
// The store keeps only the SHA-256 of a token (its hash, in hex), so that a
// copy of the database accepts no invitation and resets no password. The
// caller (package auth) makes the token, hashes it and composes the mail;
// the store writes the row and the mail in one transaction, and uses a token
// with a conditional UPDATE, so that two instances can never both use it.

// ErrTokenInvalid is the one answer to a token that is unknown, used,
// expired, revoked, or whose user cannot use it (disabled): the caller
// shows the same page for all.
var ErrTokenInvalid = errors.New("store: the link is unknown, used or expired")

// Invite is an invitation to become staff: a role in an organisation, or
// administrator of the installation (Admin, with no organisation or role).
type Invite struct {
	ID        string
	Email     string // NormalizeEmail
	Name      string // as the inviter wrote it; the invitee may change it
	OrgID     string // "" for an administrator
	Role      Role   // "" for an administrator
	Admin     bool
	Lang      string // the language of the mail: nb, nn or en
	CreatedBy string // the inviter's user ID ("" once they are deleted)
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    time.Time // zero until accepted
}

// Pending reports whether the invitation can still be accepted at now.
func (i Invite) Pending(now time.Time) bool { return i.UsedAt.IsZero() && now.Before(i.ExpiresAt) }

const inviteColumns = `id, email, name, COALESCE(organisation_id, ''), COALESCE(role, ''), admin, lang,
	COALESCE(created_by, ''), created_at, expires_at, used_at`

func scanInvite(sc interface{ Scan(...any) error }) (Invite, error) {
	var i Invite
	var used sql.NullTime
	err := sc.Scan(&i.ID, &i.Email, &i.Name, &i.OrgID, &i.Role, &i.Admin, &i.Lang, &i.CreatedBy, &i.CreatedAt,
		&i.ExpiresAt, &used)
	i.CreatedAt, i.ExpiresAt = i.CreatedAt.UTC(), i.ExpiresAt.UTC()
	if used.Valid {
		i.UsedAt = used.Time.UTC()
	}
	return i, err
}

// tokenTime is t as both engines keep it.
func tokenTime(t time.Time) time.Time { return t.UTC().Round(0).Truncate(time.Microsecond) }

func validHash(h string) bool {
	if len(h) != 64 {
		return false
	}
	for i := 0; i < len(h); i++ {
		if c := h[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

func validateInvite(i *Invite) error {
	i.Email = NormalizeEmail(i.Email)
	i.Name = strings.TrimSpace(i.Name)
	if i.Email == "" || !strings.Contains(i.Email, "@") || len(i.Email) > 254 || mailUnsafe(i.Email) {
		return errors.New("an invitation needs an e-mail address")
	}
	if len(i.Name) > 200 || mailUnsafe(i.Name) {
		return errors.New("the name of an invitation: at most 200 characters on one line")
	}
	switch {
	case i.Admin && (i.OrgID != "" || i.Role != ""):
		return errors.New("an invitation to be administrator has no organisation or role")
	case !i.Admin && (i.OrgID == "" || !i.Role.Valid()):
		return fmt.Errorf("an invitation needs an organisation and a role (not %q)", i.Role)
	}
	if i.Lang == "" || len(i.Lang) > 10 || mailUnsafe(i.Lang) {
		return errors.New("an invitation needs the language of its mail")
	}
	if !i.ExpiresAt.After(i.CreatedAt) {
		return errors.New("an invitation must expire after it is made")
	}
	return nil
}

// inviteDetail is what the audit log says of an invitation: never the
// address, the name or anything of the token.
func inviteDetail(i Invite) map[string]any {
	d := map[string]any{"admin": i.Admin, "lang": i.Lang}
	if !i.Admin {
		d["role"] = string(i.Role)
	}
	return d
}

// CreateInvite stores the invitation inv, whose token has the hash
// tokenHash, with its mail, and records invite.create (with the actor of
// ctx), all in one transaction: there is never an invitation without its
// mail, or a mail without its invitation. inv.CreatedAt and inv.ExpiresAt
// are the caller's (its clock). A pending invitation of the same address
// to the same role replaces the old one, whose link stops working. It sets
// inv.ID.
func (s *Store) CreateInvite(ctx context.Context, inv *Invite, tokenHash string, m OutboxMail) error {
	inv.CreatedAt, inv.ExpiresAt, inv.UsedAt = tokenTime(inv.CreatedAt), tokenTime(inv.ExpiresAt), time.Time{}
	if err := validateInvite(inv); err != nil {
		return err
	}
	if !validHash(tokenHash) {
		return errors.New("an invitation needs the SHA-256 of its token")
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM invites WHERE email = $1 AND used_at IS NULL
			AND COALESCE(organisation_id, '') = $2 AND COALESCE(role, '') = $3 AND admin = $4`,
			inv.Email, inv.OrgID, string(inv.Role), inv.Admin)
		if err != nil {
			return err
		}
		replaced, err := res.RowsAffected()
		if err != nil {
			return err
		}
		inv.ID = NewID()
		if _, err := tx.ExecContext(ctx, `INSERT INTO invites (id, token_hash, email, name, organisation_id, role,
			admin, lang, created_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			inv.ID, tokenHash, inv.Email, inv.Name, nullString(inv.OrgID), nullString(string(inv.Role)), inv.Admin,
			inv.Lang, nullString(inv.CreatedBy), inv.CreatedAt, inv.ExpiresAt); err != nil {
			return fmt.Errorf("store an invitation: %w", err)
		}
		if _, err := s.EnqueueMailTx(ctx, tx, m); err != nil {
			return err
		}
		d := inviteDetail(*inv)
		if replaced > 0 {
			d["replaced"] = replaced
		}
		return auditTx(ctx, tx, AuditEntry{Action: "invite.create", ObjectType: "invite", ObjectID: inv.ID,
			OrgID: inv.OrgID, Detail: d})
	})
}

// Invite returns an invitation by its ID.
func (s *Store) Invite(ctx context.Context, id string) (Invite, error) {
	i, err := scanInvite(s.read.QueryRowContext(ctx, `SELECT `+inviteColumns+` FROM invites WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return i, ErrNotFound
	}
	return i, err
}

// InviteByToken returns the invitation whose token has the hash, if it is
// pending at now; any other gives ErrTokenInvalid.
func (s *Store) InviteByToken(ctx context.Context, tokenHash string, now time.Time) (Invite, error) {
	i, err := scanInvite(s.read.QueryRowContext(ctx, `SELECT `+inviteColumns+` FROM invites WHERE token_hash = $1`,
		tokenHash))
	if errors.Is(err, sql.ErrNoRows) || err == nil && !i.Pending(now) {
		return Invite{}, ErrTokenInvalid
	}
	return i, err
}

// Invites lists the invitations not accepted yet (pending or expired), the
// newest first.
func (s *Store) Invites(ctx context.Context) ([]Invite, error) {
	return queryAll(ctx, s.read, scanInvite, `SELECT `+inviteColumns+` FROM invites WHERE used_at IS NULL
		ORDER BY created_at DESC, id`)
}

// RevokeInvite deletes an invitation that was not accepted, and records
// invite.revoke. It gives ErrNotFound if there is none.
func (s *Store) RevokeInvite(ctx context.Context, id string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		i, err := scanInvite(tx.QueryRowContext(ctx, `SELECT `+inviteColumns+` FROM invites WHERE id = $1
			AND used_at IS NULL`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if err := execOne(ctx, tx, `DELETE FROM invites WHERE id = $1 AND used_at IS NULL`, id); err != nil {
			return err
		}
		return auditTx(ctx, tx, AuditEntry{Action: "invite.revoke", ObjectType: "invite", ObjectID: id,
			OrgID: i.OrgID, Detail: inviteDetail(i)})
	})
}

// ResendInvite gives an invitation that was not accepted a new token (the
// old one stops working at once) and a new expiry, queues its new mail, and
// records invite.resend, in one transaction. It gives ErrNotFound if there
// is no such invitation.
func (s *Store) ResendInvite(ctx context.Context, id, tokenHash string, now, expires time.Time, m OutboxMail) error {
	if !validHash(tokenHash) {
		return errors.New("an invitation needs the SHA-256 of its token")
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		i, err := scanInvite(tx.QueryRowContext(ctx, `SELECT `+inviteColumns+` FROM invites WHERE id = $1
			AND used_at IS NULL`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if err := execOne(ctx, tx, `UPDATE invites SET token_hash = $2, created_at = $3, expires_at = $4
			WHERE id = $1 AND used_at IS NULL`, id, tokenHash, tokenTime(now), tokenTime(expires)); err != nil {
			return err
		}
		if _, err := s.EnqueueMailTx(ctx, tx, m); err != nil {
			return err
		}
		return auditTx(ctx, tx, AuditEntry{Action: "invite.resend", ObjectType: "invite", ObjectID: id,
			OrgID: i.OrgID, Detail: inviteDetail(i)})
	})
}

// AcceptInvite uses the invitation whose token has the hash, at now, in one
// transaction with what it gives:
//
//   - newUser != nil: a new user (newUser, with its password hash) with the
//     invitation's role or administrator flag; user.create is recorded.
//   - newUser == nil: the role is added to the existing user whose address
//     the invitation is for (existingID, who has signed in).
//
// It records invite.accept with the user as the actor. An invitation that
// is unknown, used or expired, or a user who is disabled or does not have
// the invitation's address, gives ErrTokenInvalid; a new user whose address
// has meanwhile got an account gives ErrEmailTaken. Of two instances that
// accept the same invitation at once, one wins.
func (s *Store) AcceptInvite(ctx context.Context, tokenHash string, now time.Time, newUser *User, existingID string) (Invite, error) {
	now = tokenTime(now)
	var inv Invite
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		inv, err = scanInvite(tx.QueryRowContext(ctx, `SELECT `+inviteColumns+` FROM invites WHERE token_hash = $1`, tokenHash))
		if errors.Is(err, sql.ErrNoRows) || err == nil && !inv.Pending(now) {
			return ErrTokenInvalid
		}
		if err != nil {
			return err
		}
		// The conditional update is what makes the token single-use.
		res, err := tx.ExecContext(ctx, `UPDATE invites SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL
			AND expires_at > $2`, tokenHash, now)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			if err == nil {
				err = ErrTokenInvalid
			}
			return err
		}
		var ms []Membership
		if !inv.Admin {
			ms = []Membership{{OrgID: inv.OrgID, Role: inv.Role}}
		}
		userID := existingID
		existing := newUser == nil
		if existing {
			u, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, existingID))
			if errors.Is(err, sql.ErrNoRows) || err == nil && (u.Disabled || u.Email != inv.Email) {
				return ErrTokenInvalid
			}
			if err != nil {
				return err
			}
			if inv.Admin {
				if err := execOne(ctx, tx, `UPDATE users SET admin = TRUE, updated_at = $2 WHERE id = $1`, u.ID, now); err != nil {
					return err
				}
			} else if _, err := tx.ExecContext(ctx, `INSERT INTO memberships (user_id, organisation_id, role, created_at)
				VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, u.ID, inv.OrgID, string(inv.Role), now); err != nil {
				return err
			}
		} else {
			newUser.Email, newUser.Admin, newUser.Memberships = inv.Email, inv.Admin, ms
			if err := validateUser(newUser); err != nil {
				return err
			}
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE email = $1`, newUser.Email).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return ErrEmailTaken
			}
			newUser.ID = NewID()
			newUser.CreatedAt, newUser.UpdatedAt = now, now
			if _, err := tx.ExecContext(ctx, `INSERT INTO users (id, email, name, password_hash, admin, disabled,
				totp_enabled, totp_last_step, failed_signins, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, FALSE, FALSE, 0, 0, $6, $6)`,
				newUser.ID, newUser.Email, newUser.Name, nullString(newUser.PasswordHash), newUser.Admin, now); err != nil {
				return err
			}
			if err := insertMemberships(ctx, tx, newUser.ID, ms, now); err != nil {
				return err
			}
			userID = newUser.ID
		}
		actx := WithActor(ctx, Actor{ID: userID, Source: ActorOf(ctx).Source})
		if !existing {
			if err := auditTx(actx, tx, AuditEntry{Action: "user.create", ObjectType: "user", ObjectID: userID,
				Detail: map[string]any{"admin": inv.Admin, "roles": rolesDetail(ms), "invite": inv.ID}}); err != nil {
				return err
			}
		}
		d := inviteDetail(inv)
		d["user"], d["existing"] = userID, existing
		return auditTx(actx, tx, AuditEntry{Action: "invite.accept", ObjectType: "invite", ObjectID: inv.ID,
			OrgID: inv.OrgID, Detail: d})
	})
	if err != nil {
		return Invite{}, err
	}
	inv.UsedAt = now
	return inv, nil
}

// PruneInvites deletes invitations that expired or were accepted before
// before (they hold an address), and returns how many.
func (s *Store) PruneInvites(ctx context.Context, before time.Time) (int, error) {
	return s.prune(ctx, `DELETE FROM invites WHERE expires_at < $1 OR used_at < $1`, before)
}

func (s *Store) prune(ctx context.Context, q string, before time.Time) (int, error) {
	var n int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, q, tokenTime(before))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// PasswordReset is a pending password reset of a user.
type PasswordReset struct {
	UserID    string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    time.Time
}

// CreatePasswordReset stores a password reset of the user, whose token has
// the hash, with its mail, in one transaction; an earlier reset of the user
// that was not used stops working (only the newest link works). It records
// password.reset_request.
func (s *Store) CreatePasswordReset(ctx context.Context, userID, tokenHash string, now, expires time.Time, m OutboxMail) error {
	if !validHash(tokenHash) || userID == "" {
		return errors.New("a password reset needs a user and the SHA-256 of its token")
	}
	if !expires.After(now) {
		return errors.New("a password reset must expire after it is made")
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM password_resets WHERE user_id = $1 AND used_at IS NULL`, userID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO password_resets (token_hash, user_id, created_at, expires_at)
			VALUES ($1, $2, $3, $4)`, tokenHash, userID, tokenTime(now), tokenTime(expires)); err != nil {
			return fmt.Errorf("store a password reset: %w", err)
		}
		if _, err := s.EnqueueMailTx(ctx, tx, m); err != nil {
			return err
		}
		return auditTx(ctx, tx, AuditEntry{Action: "password.reset_request", ObjectType: "user", ObjectID: userID})
	})
}

// PasswordResetUser returns the user of the pending password reset whose
// token has the hash, at now. A token that is unknown, used or expired, or
// of a disabled user or one without a password, gives ErrTokenInvalid.
func (s *Store) PasswordResetUser(ctx context.Context, tokenHash string, now time.Time) (User, error) {
	var userID string
	var expires time.Time
	var used sql.NullTime
	err := s.read.QueryRowContext(ctx, `SELECT user_id, expires_at, used_at FROM password_resets WHERE token_hash = $1`,
		tokenHash).Scan(&userID, &expires, &used)
	if errors.Is(err, sql.ErrNoRows) || err == nil && (used.Valid || !now.Before(expires)) {
		return User{}, ErrTokenInvalid
	}
	if err != nil {
		return User{}, err
	}
	u, err := s.User(ctx, userID)
	if errors.Is(err, ErrNotFound) || err == nil && (u.Disabled || u.PasswordHash == "") {
		return User{}, ErrTokenInvalid
	}
	return u, err
}

// ResetPassword uses the password reset whose token has the hash, at now,
// for its user, who must be userID (as PasswordResetUser gave it): in one transaction it stores the new password hash, clears
// the failed sign-ins and the lock, ends every session of the user, makes
// the user's other reset links useless, queues the mail m (which tells the
// user that the password changed) and records password.reset with the user
// as actor. It returns how many sessions it ended. Any
// token PasswordResetUser refuses gives ErrTokenInvalid; of two instances
// that use the same token at once, one wins.
func (s *Store) ResetPassword(ctx context.Context, tokenHash, userID string, now time.Time, passwordHash string, m OutboxMail) (int, error) {
	if passwordHash == "" {
		return 0, errors.New("a password reset needs the new password's hash")
	}
	now = tokenTime(now)
	var ended int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var owner string
		err := tx.QueryRowContext(ctx, `UPDATE password_resets SET used_at = $2
			WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING user_id`, tokenHash, now).Scan(&owner)
		if errors.Is(err, sql.ErrNoRows) || err == nil && owner != userID {
			return ErrTokenInvalid
		}
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $2, failed_signins = 0, locked_until = NULL,
			updated_at = $3 WHERE id = $1 AND NOT disabled AND password_hash IS NOT NULL`, userID, passwordHash, now)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			if err == nil {
				err = ErrTokenInvalid
			}
			return err
		}
		if res, err = tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID); err != nil {
			return err
		}
		if ended, err = res.RowsAffected(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM password_resets WHERE user_id = $1 AND used_at IS NULL`, userID); err != nil {
			return err
		}
		if _, err := s.EnqueueMailTx(ctx, tx, m); err != nil {
			return err
		}
		actx := WithActor(ctx, Actor{ID: userID, Source: ActorOf(ctx).Source})
		return auditTx(actx, tx, AuditEntry{Action: "password.reset", ObjectType: "user", ObjectID: userID,
			Detail: map[string]any{"sessions_ended": ended}})
	})
	if err != nil {
		return 0, err
	}
	return int(ended), nil
}

// PrunePasswordResets deletes password resets that expired before before,
// and returns how many.
func (s *Store) PrunePasswordResets(ctx context.Context, before time.Time) (int, error) {
	return s.prune(ctx, `DELETE FROM password_resets WHERE expires_at < $1`, before)
}
