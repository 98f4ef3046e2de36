package auth

import (
	"context"
	"errors"
	"fmt"

	"github.com/fellesrom/fellesrom/internal/store"
	"golang.org/x/text/unicode/norm"
)

// Errors of ChangePassword, besides *PolicyError (the new password),
// *RateLimitedError, ErrLocked and ErrNoSession.
var (
	// ErrWrongPassword: the current password given is not the user's. The
	// failure counted towards the lockout, as a failed sign-in does.
	ErrWrongPassword = errors.New("auth: the current password is wrong")
	// ErrSamePassword: the new password is the current one.
	ErrSamePassword = errors.New("auth: the new password is the current one")
	// ErrNoPassword: the user has no password to change (an account that
	// signs in another way); an administrator or a reset sets one.
	ErrNoPassword = errors.New("auth: the account has no password")
)

// ChangePassword changes the password of the signed-in user (ASVS 5.0
// 6.2.2, 6.2.3): oldPassword must be the current one, newPassword must
// pass CheckPassword with the user's e-mail address and name, and must
// differ from the current one.
//
// The check of the current password is a sign-in in all but name: every
// attempt counts towards the sign-in rate limit of the account (the same
// per-address counter SignIn uses), a locked account is refused without a
// check, and a wrong password counts as a failed sign-in towards the
// lockout (audit password.change_fail). The failure that locks the account
// also ends this session, as a wrong second-factor code does: the error
// then is both ErrLocked and ErrNoSession, and the caller clears the cookie.
//
// On success the new argon2id hash and the audit entry password.change
// (with no password in it) are stored in one transaction, every other
// session of the user is ended (audit session.revoke), and this session is
// replaced by a new one with a new token, which is returned for the
// cookie; the old token stops working.
//
// meta is where the request comes from, for the audit log; c.Meta when zero.
func (s *Service) ChangePassword(ctx context.Context, c *Current, oldPassword, newPassword string, meta Meta) (string, error) {
	if c == nil || c.Stage() != StageDone {
		return "", ErrNoSession
	}
	if meta == (Meta{}) {
		meta = c.Meta
	}
	// The cheap checks first: they need neither the hash nor a count.
	if err := CheckPassword(newPassword, c.User.Email, c.User.Name); err != nil {
		return "", err
	}
	if norm.NFC.String(oldPassword) == norm.NFC.String(newPassword) {
		return "", ErrSamePassword
	}

	// The user as the database has them now: another instance may have
	// locked, disabled or changed them since the session was read.
	u, err := s.st.User(ctx, c.User.ID)
	if errors.Is(err, store.ErrNotFound) {
		return "", ErrNoSession
	}
	if err != nil {
		return "", err
	}
	if u.Disabled {
		_, err := s.st.DeleteSession(ctx, c.Session.IDHash)
		return "", errors.Join(ErrNoSession, err)
	}
	if u.PasswordHash == "" {
		return "", ErrNoPassword
	}
	now := s.Now()
	acct, err := s.accountKey(ctx, u.Email)
	if err != nil {
		return "", err
	}
	if err := s.limit(ctx, "signin:acct:"+acct, s.limits.PerAccount); err != nil {
		return "", s.limited(ctx, meta, err, "account")
	}
	fail := func(detail map[string]any) {
		s.audit(ctx, u.ID, meta, store.AuditEntry{Action: "password.change_fail", ObjectType: "user", ObjectID: u.ID,
			Detail: detail})
	}
	if u.LockedUntil.After(now) {
		fail(map[string]any{"reason": "locked"})
		return "", ErrLocked
	}

	ok := false
	// No password is longer than this: do not hash megabytes to say so.
	if len(oldPassword) <= 4*MaxPasswordLen {
		var verr error
		ok, _, verr = VerifyPassword(oldPassword, u.PasswordHash, s.params)
		if verr != nil {
			return "", fmt.Errorf("auth: the stored password hash of user %s cannot be read: %w", u.ID, verr)
		}
	}
	if !ok {
		n, until, err := s.st.SigninFailed(ctx, u.ID, now, lockFor)
		if err != nil {
			return "", err
		}
		fail(map[string]any{"reason": "password", "failures": n})
		if !until.IsZero() {
			s.auditLocked(ctx, u.ID, meta, n, until)
			_, err := s.st.DeleteSession(ctx, c.Session.IDHash)
			return "", errors.Join(ErrLocked, ErrNoSession, err)
		}
		return "", ErrWrongPassword
	}

	h, err := HashPassword(newPassword, s.params)
	if err != nil {
		return "", err
	}
	// The hash and its audit entry in one transaction: no change of
	// password goes unrecorded, and no record tells of one that failed.
	actx := store.WithActor(ctx, store.Actor{ID: u.ID, Source: meta.Source})
	if err := s.st.ChangePasswordHash(actx, u.ID, h, map[string]any{"by": "self"}); err != nil {
		return "", err
	}
	c.User.PasswordHash = h

	// A new token for this browser first, then every other session ends:
	// whoever knew the old password, or held another session, is out.
	token, err := s.rotate(ctx, c, c.Session.MFA)
	if err != nil {
		// This session ended meanwhile: end them all; the user signs in anew.
		_, derr := s.st.DeleteUserSessions(ctx, u.ID, "")
		return "", errors.Join(err, derr)
	}
	if _, err := s.EndOtherSessions(ctx, c); err != nil {
		return "", err
	}
	return token, nil
}
