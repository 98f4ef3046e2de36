package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"
)

// Role is what a staff user may do in an organisation and everything under
// it. Administrators are not a role of an organisation but a flag of the
// user (User.Admin): they act on the whole installation.
type Role string

const (
	RoleCoordinator Role = "coordinator" // runs an organisation and everything under it
	RoleStarter     Role = "starter"     // igangsetter: sees what is assigned to them
	RolePartner     Role = "partner"     // a referring service: read-only, no personal data
)

// Roles are the roles of an organisation, from the most to the least rights.
var Roles = []Role{RoleCoordinator, RoleStarter, RolePartner}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Membership is a role of a user in an organisation.
type Membership struct {
	OrgID string
	Role  Role
}

// User is a staff account. Its secrets (the password hash, the TOTP secret)
// never leave the store and package auth.
type User struct {
	ID            string
	Email         string // trimmed, lower-case, NFC: see NormalizeEmail
	Name          string
	PasswordHash  string // argon2id PHC string; "" when the user has no password
	Admin         bool
	Disabled      bool
	TOTPSecret    string // base32; set at enrolment, in force once TOTPEnabled
	TOTPEnabled   bool
	TOTPLastStep  int64 // the last TOTP time step used; no step is used twice
	FailedSignins int   // failed sign-ins since the last successful one
	LockedUntil   time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
	LastSigninAt  time.Time
	Memberships   []Membership
}

// ErrEmailTaken is returned when another user has the e-mail address.
var ErrEmailTaken = errors.New("another user has this e-mail address")

// NormalizeEmail is the form an e-mail address is stored and looked up in:
// without surrounding space, in Unicode NFC, lower-case.
func NormalizeEmail(s string) string {
	return strings.ToLower(norm.NFC.String(strings.TrimSpace(s)))
}

const userColumns = `id, email, name, COALESCE(password_hash, ''), admin, disabled, COALESCE(totp_secret, ''),
	totp_enabled, totp_last_step, failed_signins, locked_until, created_at, updated_at, last_signin_at`

func scanUser(sc interface{ Scan(...any) error }) (User, error) {
	var u User
	var locked, last sql.NullTime
	err := sc.Scan(&u.ID, &u.Email, &u.Name, &u.PasswordHash, &u.Admin, &u.Disabled, &u.TOTPSecret, &u.TOTPEnabled,
		&u.TOTPLastStep, &u.FailedSignins, &locked, &u.CreatedAt, &u.UpdatedAt, &last)
	if err != nil {
		return u, err
	}
	u.LockedUntil, u.LastSigninAt = locked.Time.UTC(), last.Time.UTC()
	if !locked.Valid {
		u.LockedUntil = time.Time{}
	}
	if !last.Valid {
		u.LastSigninAt = time.Time{}
	}
	u.CreatedAt, u.UpdatedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC()
	return u, nil
}

// openUser opens the user's sealed TOTP secret.
func (s *Store) openUser(u *User) (err error) {
	u.TOTPSecret, err = s.open("users", "totp_secret", u.ID, u.TOTPSecret)
	return err
}

func validateUser(u *User) error {
	u.Email = NormalizeEmail(u.Email)
	u.Name = strings.TrimSpace(u.Name)
	if u.Email == "" || !strings.Contains(u.Email, "@") || len(u.Email) > 254 {
		return errors.New("a user needs an e-mail address")
	}
	if u.Name == "" || len(u.Name) > 200 {
		return errors.New("a user needs a name")
	}
	for _, m := range u.Memberships {
		if !m.Role.Valid() {
			return fmt.Errorf("unknown role %q", m.Role)
		}
		if m.OrgID == "" {
			return errors.New("a membership needs an organisation")
		}
	}
	return nil
}

// CreateUser adds a staff user with their memberships, and records
// user.create in the audit log (without the e-mail address or any secret).
func (s *Store) CreateUser(ctx context.Context, u *User) error {
	if err := validateUser(u); err != nil {
		return err
	}
	now := utcNow()
	return s.tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE email = $1`, u.Email).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return ErrEmailTaken
		}
		u.ID = NewID()
		u.CreatedAt, u.UpdatedAt = now, now
		totp, err := s.seal("users", "totp_secret", u.ID, u.TOTPSecret)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO users (id, email, name, password_hash, admin, disabled,
			totp_secret, totp_enabled, totp_last_step, failed_signins, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, $10)`,
			u.ID, u.Email, u.Name, nullString(u.PasswordHash), u.Admin, u.Disabled, nullString(totp),
			u.TOTPEnabled, u.TOTPLastStep, now); err != nil {
			return err
		}
		if err := insertMemberships(ctx, tx, u.ID, u.Memberships, now); err != nil {
			return err
		}
		return auditTx(ctx, tx, AuditEntry{Action: "user.create", ObjectType: "user", ObjectID: u.ID,
			Detail: map[string]any{"admin": u.Admin, "roles": rolesDetail(u.Memberships)}})
	})
}

func insertMemberships(ctx context.Context, tx *sql.Tx, userID string, ms []Membership, now time.Time) error {
	seen := map[Membership]bool{}
	for _, m := range ms {
		if seen[m] {
			continue
		}
		seen[m] = true
		if _, err := tx.ExecContext(ctx, `INSERT INTO memberships (user_id, organisation_id, role, created_at)
			VALUES ($1, $2, $3, $4)`, userID, m.OrgID, string(m.Role), now); err != nil {
			return fmt.Errorf("membership in %s: %w", m.OrgID, err)
		}
	}
	return nil
}

func rolesDetail(ms []Membership) []string {
	out := make([]string, 0, len(ms))
	for _, m := range ms {
		out = append(out, string(m.Role)+":"+m.OrgID)
	}
	slices.Sort(out)
	return out
}

// User returns a user by ID, with their memberships.
func (s *Store) User(ctx context.Context, id string) (User, error) {
	return s.userWhere(ctx, `id = $1`, id)
}

// UserByEmail returns the user with the e-mail address (in any case).
func (s *Store) UserByEmail(ctx context.Context, email string) (User, error) {
	return s.userWhere(ctx, `email = $1`, NormalizeEmail(email))
}

func (s *Store) userWhere(ctx context.Context, where string, arg any) (User, error) {
	u, err := scanUser(s.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return u, ErrNotFound
	}
	if err != nil {
		return u, err
	}
	if err := s.openUser(&u); err != nil {
		return u, err
	}
	u.Memberships, err = s.memberships(ctx, s.read, u.ID)
	return u, err
}

func (s *Store) memberships(ctx context.Context, db querier, userID string) ([]Membership, error) {
	rows, err := db.QueryContext(ctx, `SELECT organisation_id, role FROM memberships WHERE user_id = $1
		ORDER BY organisation_id, role`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Membership
	for rows.Next() {
		var m Membership
		if err := rows.Scan(&m.OrgID, &m.Role); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Users lists every user, by e-mail address, with their memberships.
func (s *Store) Users(ctx context.Context) ([]User, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY email`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []User
	index := map[string]int{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		if err := s.openUser(&u); err != nil {
			return nil, err
		}
		index[u.ID] = len(out)
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	mrows, err := s.read.QueryContext(ctx, `SELECT user_id, organisation_id, role FROM memberships ORDER BY user_id, organisation_id, role`)
	if err != nil {
		return nil, err
	}
	defer mrows.Close()
	for mrows.Next() {
		var uid string
		var m Membership
		if err := mrows.Scan(&uid, &m.OrgID, &m.Role); err != nil {
			return nil, err
		}
		if i, ok := index[uid]; ok {
			out[i].Memberships = append(out[i].Memberships, m)
		}
	}
	return out, mrows.Err()
}

// CountUsers counts the users; cheap, for "is there an administrator yet".
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n)
	return n, err
}

// UpdateUser changes a user's e-mail address, name, administrator and
// disabled flags and memberships, and records user.update with what changed.
// Disabling a user ends their sessions. Secrets are changed elsewhere.
func (s *Store) UpdateUser(ctx context.Context, u *User) error {
	if err := validateUser(u); err != nil {
		return err
	}
	now := utcNow()
	return s.tx(ctx, func(tx *sql.Tx) error {
		old, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, u.ID))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if old.Memberships, err = s.memberships(ctx, tx, u.ID); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE email = $1 AND id <> $2`, u.Email, u.ID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return ErrEmailTaken
		}
		if err := execOne(ctx, tx, `UPDATE users SET email = $2, name = $3, admin = $4, disabled = $5, updated_at = $6
			WHERE id = $1`, u.ID, u.Email, u.Name, u.Admin, u.Disabled, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM memberships WHERE user_id = $1`, u.ID); err != nil {
			return err
		}
		if err := insertMemberships(ctx, tx, u.ID, u.Memberships, now); err != nil {
			return err
		}
		if u.Disabled && !old.Disabled {
			if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, u.ID); err != nil {
				return err
			}
		}
		changed := map[string]any{}
		if old.Email != u.Email {
			changed["Email"] = true // that it changed; the addresses stay out of the log
		}
		if old.Name != u.Name {
			changed["Name"] = true
		}
		if old.Admin != u.Admin {
			changed["Admin"] = []any{old.Admin, u.Admin}
		}
		if old.Disabled != u.Disabled {
			changed["Disabled"] = []any{old.Disabled, u.Disabled}
		}
		if a, b := rolesDetail(old.Memberships), rolesDetail(u.Memberships); !slices.Equal(a, b) {
			changed["Roles"] = []any{a, b}
		}
		if len(changed) == 0 {
			return nil
		}
		return auditTx(ctx, tx, AuditEntry{Action: "user.update", ObjectType: "user", ObjectID: u.ID,
			Detail: map[string]any{"changed": changed}})
	})
}

// SetPasswordHash stores a new password hash. It writes no audit entry: a
// rehash with new parameters is not a change of password, and the caller
// that changes a password records that.
func (s *Store) SetPasswordHash(ctx context.Context, userID, hash string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		return execOne(ctx, tx, `UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1`,
			userID, nullString(hash), utcNow())
	})
}

// SetPendingTOTP stores the secret of an enrolment that the user has not
// confirmed yet. It fails with ErrNotFound if TOTP is already enabled.
func (s *Store) SetPendingTOTP(ctx context.Context, userID, secret string) error {
	sealed, err := s.seal("users", "totp_secret", userID, secret)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		return execOne(ctx, tx, `UPDATE users SET totp_secret = $2, updated_at = $3 WHERE id = $1 AND NOT totp_enabled`,
			userID, sealed, utcNow())
	})
}

// EnableTOTP turns on the pending TOTP secret, whose code for step the user
// has just given (the step is used up), and records totp.enable. It fails
// with ErrNotFound if there is no pending secret, TOTP is already on, or the
// step is not newer than the last one used.
func (s *Store) EnableTOTP(ctx context.Context, userID, secret string, step int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		// The secret is sealed with a random nonce: compare it opened.
		var stored string
		err := tx.QueryRowContext(ctx, `SELECT COALESCE(totp_secret, '') FROM users WHERE id = $1`, userID).Scan(&stored)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if stored, err = s.open("users", "totp_secret", userID, stored); err != nil {
			return err
		}
		if stored == "" || stored != secret {
			return ErrNotFound
		}
		if err := execOne(ctx, tx, `UPDATE users SET totp_enabled = TRUE, totp_last_step = $2, updated_at = $3
			WHERE id = $1 AND NOT totp_enabled AND totp_last_step < $2`,
			userID, step, utcNow()); err != nil {
			return err
		}
		return auditTx(ctx, tx, AuditEntry{Action: "totp.enable", ObjectType: "user", ObjectID: userID})
	})
}

// ResetTOTP turns TOTP off and forgets the secret (a lost phone), ends the
// user's sessions, and records totp.reset.
func (s *Store) ResetTOTP(ctx context.Context, userID string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := execOne(ctx, tx, `UPDATE users SET totp_enabled = FALSE, totp_secret = NULL, updated_at = $2
			WHERE id = $1`, userID, utcNow()); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID); err != nil {
			return err
		}
		return auditTx(ctx, tx, AuditEntry{Action: "totp.reset", ObjectType: "user", ObjectID: userID})
	})
}

// UseTOTPStep marks a TOTP time step as used, if it is newer than the last
// one used. It reports false when it is not: the code was used already (on
// this instance or another), and must be refused.
func (s *Store) UseTOTPStep(ctx context.Context, userID string, step int64) (bool, error) {
	var ok bool
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET totp_last_step = $2 WHERE id = $1 AND totp_last_step < $2`,
			userID, step)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		ok = n == 1
		return err
	})
	return ok, err
}

// SigninFailed counts a failed sign-in (or second factor) of the user. lock
// gives, for the new number of failures in a row, how long the account is
// then locked (0: not). It returns the number and the end of the lock,
// which is zero when this failure did not lock the account.
func (s *Store) SigninFailed(ctx context.Context, userID string, now time.Time, lock func(failures int) time.Duration) (int, time.Time, error) {
	var n int
	var until time.Time
	err := s.tx(ctx, func(tx *sql.Tx) error {
		// The increment is one statement: instances never lose a count.
		if err := tx.QueryRowContext(ctx, `UPDATE users SET failed_signins = failed_signins + 1 WHERE id = $1
			RETURNING failed_signins`, userID).Scan(&n); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			return err
		}
		if d := lock(n); d > 0 {
			until = now.UTC().Add(d).Truncate(time.Microsecond)
			_, err := tx.ExecContext(ctx, `UPDATE users SET locked_until = $2 WHERE id = $1`, userID, until)
			return err
		}
		return nil
	})
	return n, until, err
}

// SigninSucceeded resets the failures and the lock and notes the time.
func (s *Store) SigninSucceeded(ctx context.Context, userID string, now time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		return execOne(ctx, tx, `UPDATE users SET failed_signins = 0, locked_until = NULL, last_signin_at = $2 WHERE id = $1`,
			userID, now.UTC().Truncate(time.Microsecond))
	})
}

// ChangePasswordHash stores a user's new password hash and records
// password.change (object the user, with detail, which must hold no
// password or hash; the actor is the context's) in one transaction: the
// change and its audit entry commit together or not at all. ErrNotFound:
// no such user.
func (s *Store) ChangePasswordHash(ctx context.Context, userID, hash string, detail map[string]any) error {
	if hash == "" {
		return errors.New("a password change needs a hash")
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := execOne(ctx, tx, `UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1`,
			userID, hash, utcNow()); err != nil {
			return err
		}
		return auditTx(ctx, tx, AuditEntry{Action: "password.change", ObjectType: "user", ObjectID: userID, Detail: detail})
	})
}
