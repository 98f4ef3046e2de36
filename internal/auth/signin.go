package auth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"

	"github.com/fellesrom/fellesrom/internal/store"
)

// Result is a successful password step.
type Result struct {
	Token string // the new session's token, for the cookie
	Stage Stage  // what comes next
	User  store.User
}

// SignIn checks an e-mail address and a password and starts a session.
//
// Every failure that could tell whether the address has an account — no
// such user, a wrong password, a locked or disabled account, a user with no
// password — gives ErrInvalid after the same work: one argon2id check (of a
// dummy hash when there is no user). Too many attempts from the network or
// for the address give *RateLimitedError, known address or not.
//
// oldToken, the session token the browser had, if any, is ended: a sign-in
// always starts a new session (against session fixation).
func (s *Service) SignIn(ctx context.Context, email, password string, m Meta, oldToken string) (Result, error) {
	email = store.NormalizeEmail(email)
	now := s.Now()
	s.sweep(ctx, now)
	acct, err := s.accountKey(ctx, email)
	if err != nil {
		return Result{}, err
	}
	if err := s.limit(ctx, "signin:src:"+m.Source, s.limits.PerSource); err != nil {
		return Result{}, s.limited(ctx, m, err, "source")
	}
	if err := s.limit(ctx, "signin:acct:"+acct, s.limits.PerAccount); err != nil {
		return Result{}, s.limited(ctx, m, err, "account")
	}

	u, err := s.st.UserByEmail(ctx, email)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return Result{}, err
	}
	known := err == nil
	hash := u.PasswordHash
	if !known || hash == "" {
		hash = s.dummyHash()
	}
	if s.verifyHook != nil {
		s.verifyHook(hash)
	}
	ok, rehash, verr := VerifyPassword(password, hash, s.params)
	if verr != nil {
		s.log.Error("auth: a stored password hash cannot be read", "user", u.ID, "err", verr)
	}
	fail := func(reason string) (Result, error) {
		e := store.AuditEntry{Action: "signin.fail", Detail: map[string]any{"reason": reason}}
		if known {
			e.ObjectType, e.ObjectID = "user", u.ID
		}
		s.audit(ctx, "", m, e)
		return Result{}, ErrInvalid
	}
	switch {
	case !known:
		return fail("unknown")
	case u.PasswordHash == "":
		return fail("no_password")
	case u.Disabled:
		return fail("disabled")
	case u.LockedUntil.After(now):
		return fail("locked")
	case !ok:
		n, until, err := s.st.SigninFailed(ctx, u.ID, now, lockFor)
		if err != nil {
			return Result{}, err
		}
		s.audit(ctx, "", m, store.AuditEntry{Action: "signin.fail", ObjectType: "user", ObjectID: u.ID,
			Detail: map[string]any{"reason": "password", "failures": n}})
		if !until.IsZero() {
			s.auditLocked(ctx, u.ID, m, n, until)
		}
		return Result{}, ErrInvalid
	}

	if rehash {
		if h, err := HashPassword(password, s.params); err == nil {
			if err := s.st.SetPasswordHash(ctx, u.ID, h); err != nil {
				s.log.Error("auth: store a rehashed password", "err", err)
			}
		}
	}
	if oldToken != "" && WellFormed(oldToken) {
		if _, err := s.st.DeleteSession(ctx, HashToken(oldToken)); err != nil {
			return Result{}, err
		}
	}
	token, _, err := s.startSession(ctx, u, false, m)
	if err != nil {
		return Result{}, err
	}
	// [passkeys] a passkey is a second factor as TOTP is.
	passkey := false
	if !u.TOTPEnabled {
		if passkey, err = s.st.HasPasskey(ctx, u.ID); err != nil {
			return Result{}, err
		}
	}
	stage := stageWith(u, false, passkey)
	if stage == StageCode {
		// The password was right; the sign-in is not done until the code is.
		next := "totp"
		if !u.TOTPEnabled {
			next = "passkey"
		}
		s.audit(ctx, u.ID, m, store.AuditEntry{Action: "signin.password", ObjectType: "user", ObjectID: u.ID,
			Detail: map[string]any{"next": next}})
	} else {
		if err := s.st.SigninSucceeded(ctx, u.ID, now); err != nil {
			return Result{}, err
		}
		detail := map[string]any{"method": "password", "mfa": false}
		if stage == StageEnrol {
			detail["next"] = "totp_enrol"
		}
		s.audit(ctx, u.ID, m, store.AuditEntry{Action: "signin.ok", ObjectType: "user", ObjectID: u.ID, Detail: detail})
	}
	return Result{Token: token, Stage: stage, User: u}, nil
}

// VerifyCode is the second step of a sign-in: the TOTP code. A right code
// that was not used before replaces the session by one with the second
// factor given and returns its token. A wrong code counts as a failed
// sign-in (ErrInvalidCode); the one that locks the account ends the session
// (ErrLocked).
func (s *Service) VerifyCode(ctx context.Context, c *Current, code string) (string, error) {
	if c.Stage() != StageCode {
		return "", ErrNoSession
	}
	now := s.Now()
	if c.User.LockedUntil.After(now) {
		_, _ = s.st.DeleteSession(ctx, c.Session.IDHash)
		return "", ErrLocked
	}
	if err := s.limit(ctx, "signin:code:"+c.User.ID, s.limits.PerCode); err != nil {
		return "", s.limited(ctx, c.Meta, err, "code")
	}
	step, ok := MatchTOTP(c.User.TOTPSecret, code, now, c.User.TOTPLastStep)
	reason := "code"
	if ok {
		// Atomic across instances: a code is used once.
		if ok, err := s.st.UseTOTPStep(ctx, c.User.ID, step); err != nil {
			return "", err
		} else if !ok {
			reason = "replay"
		} else {
			token, err := s.rotate(ctx, c, true)
			if err != nil {
				return "", err
			}
			if err := s.st.SigninSucceeded(ctx, c.User.ID, now); err != nil {
				return "", err
			}
			s.audit(ctx, c.User.ID, c.Meta, store.AuditEntry{Action: "signin.ok", ObjectType: "user", ObjectID: c.User.ID,
				Detail: map[string]any{"method": "password+totp", "mfa": true}})
			return token, nil
		}
	}
	n, until, err := s.st.SigninFailed(ctx, c.User.ID, now, lockFor)
	if err != nil {
		return "", err
	}
	s.audit(ctx, "", c.Meta, store.AuditEntry{Action: "signin.mfa_fail", ObjectType: "user", ObjectID: c.User.ID,
		Detail: map[string]any{"reason": reason, "failures": n}})
	if !until.IsZero() {
		s.auditLocked(ctx, c.User.ID, c.Meta, n, until)
		_, _ = s.st.DeleteSession(ctx, c.Session.IDHash)
		return "", ErrLocked
	}
	return "", ErrInvalidCode
}

func (s *Service) auditLocked(ctx context.Context, userID string, m Meta, failures int, until time.Time) {
	s.audit(ctx, "", m, store.AuditEntry{Action: "signin.locked", ObjectType: "user", ObjectID: userID,
		Detail: map[string]any{"failures": failures, "until": until.UTC().Format(time.RFC3339)}})
}

// dummyHash is a hash with the current parameters of a password nobody
// has, checked when there is no user, so that the answer takes as long.
func (s *Service) dummyHash() string {
	s.dummyOnce.Do(func() {
		var err error
		if s.dummy, err = HashPassword(NewTOTPSecret(), s.params); err != nil {
			panic(err)
		}
	})
	return s.dummy
}

// accountKey is the rate-limit key of an e-mail address: HMAC-SHA256 with
// the server's key, so the table holds no address and cannot be matched
// against a list of addresses without the key.
func (s *Service) accountKey(ctx context.Context, email string) (string, error) {
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	if s.key == nil {
		k, err := s.st.ServerKey(ctx, "ratelimit", 32)
		if err != nil {
			return "", err
		}
		s.key = k
	}
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(email))
	return hex.EncodeToString(m.Sum(nil)[:16]), nil
}

// limit counts an attempt for key and refuses it past max in the window.
func (s *Service) limit(ctx context.Context, key string, max int) error {
	now := s.Now()
	start := now.Truncate(s.limits.Window)
	n, err := s.st.HitRateLimit(ctx, key, start)
	if err != nil {
		return err
	}
	if n > max {
		return &RateLimitedError{RetryAfter: start.Add(s.limits.Window).Sub(now), first: n == max+1}
	}
	return nil
}

// limited audits the first refusal of a window (not every one: a flood
// must not flood the audit log) and passes the error on.
func (s *Service) limited(ctx context.Context, m Meta, err error, what string) error {
	var rl *RateLimitedError
	if errors.As(err, &rl) && rl.first {
		s.audit(ctx, "", m, store.AuditEntry{Action: "signin.rate_limited", Detail: map[string]any{"limit": what}})
	}
	return err
}

// sweep deletes expired sessions and old rate-limit counters, at most every
// ten minutes per instance.
func (s *Service) sweep(ctx context.Context, now time.Time) {
	last := s.lastSweep.Load()
	if now.Unix()-last < 600 || !s.lastSweep.CompareAndSwap(last, now.Unix()) {
		return
	}
	if _, err := s.st.DeleteExpiredSessions(ctx, now, now.Add(-IdleTimeout)); err != nil {
		s.log.Error("auth: sweep sessions", "err", err)
	}
	if _, err := s.st.PruneRateLimits(ctx, now.Add(-24*time.Hour)); err != nil {
		s.log.Error("auth: sweep rate limits", "err", err)
	}
}
