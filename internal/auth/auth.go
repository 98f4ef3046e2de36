// Package auth signs staff in and says what they may do.
//
//   - Passwords: argon2id PHC strings with their parameters (password.go),
//     and the policy of ASVS 5.0 level 2 (policy.go).
//   - A second factor: TOTP (RFC 6238) with replay protection (totp.go),
//     required for every role that can see personal data.
//   - Sessions in the database (both engines, so that several instances
//     share them): a random token in a cookie, its SHA-256 in the table,
//     an idle and an absolute timeout, a new token at sign-in and after the
//     second factor (session.go).
//   - Rate limits per network and per account, and a lockout that doubles,
//     in the database too (signin.go); sign-in never tells whether an
//     e-mail address has an account.
//   - Roles scoped down the organisation tree: Allowed (roles.go).
//
// Every sign-in, failed sign-in, lockout, sign-out, session revocation and
// enrolment is written to the audit log (store.Audit), never with a
// password, a code or a token.
package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fellesrom/fellesrom/internal/store"
)

// Timeouts of a session.
const (
	IdleTimeout     = 30 * time.Minute
	AbsoluteTimeout = 12 * time.Hour
	// touchInterval: a session's last-seen time is written at most this often.
	touchInterval = time.Minute
)

// Lockout: after LockAfter failed sign-ins (or second factors) in a row an
// account is locked for LockBase, after the next LockAfter for twice as
// long, and so on up to LockMax. A successful sign-in resets the count.
const (
	LockAfter = 5
	LockBase  = 15 * time.Minute
	LockMax   = 24 * time.Hour
)

// Limits are the rate limits of sign-in, in fixed windows shared by every
// instance through the database.
type Limits struct {
	Window     time.Duration
	PerSource  int // attempts from one network (/24 or /48) per window
	PerAccount int // attempts for one e-mail address per window, known or not
	PerCode    int // second-factor codes of one user per window
}

// DefaultLimits: a house's staff behind one address can still sign in, a
// guessing script cannot.
var DefaultLimits = Limits{Window: 15 * time.Minute, PerSource: 50, PerAccount: 10, PerCode: 10}

// CookieMode says when the session cookie is Secure (and named with the
// __Host- prefix, which requires Secure).
type CookieMode int

const (
	// CookieAuto: Secure when the request came over TLS, or when its host is
	// not a loopback address (a TLS-terminating proxy in front); plain only
	// for http://localhost and http://127.0.0.1 in development and tests.
	CookieAuto CookieMode = iota
	// CookieSecure: always Secure and __Host-.
	CookieSecure
	// CookiePlain: never Secure (plain HTTP on a private network); not for
	// production.
	CookiePlain
)

// ParseCookieMode reads a setting such as FELLESROM_SECURE_COOKIES:
// "" or "auto", "always" (or "true", "1"), "never" (or "false", "0").
func ParseCookieMode(s string) (CookieMode, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "auto":
		return CookieAuto, nil
	case "always", "true", "1", "yes":
		return CookieSecure, nil
	case "never", "false", "0", "no":
		return CookiePlain, nil
	}
	return CookieAuto, fmt.Errorf("secure cookies: %q is not auto, always or never", s)
}

// Options configure a Service. The zero value is for production.
type Options struct {
	Params  Params           // argon2id parameters of new hashes; zero: DefaultParams
	Limits  Limits           // zero: DefaultLimits
	Cookies CookieMode       // default CookieAuto
	Now     func() time.Time // default time.Now
	Logger  *slog.Logger
	// Key is the key of the hashes of e-mail addresses in rate-limit keys;
	// nil: a random key kept in the database, shared by every instance.
	Key []byte
}

// Service signs staff in. It keeps no state of its own that matters: every
// instance on the same database gives the same answers.
type Service struct {
	st     *store.Store
	params Params
	limits Limits
	mode   CookieMode
	now    func() time.Time
	log    *slog.Logger

	keyMu sync.Mutex
	key   []byte

	dummyOnce sync.Once
	dummy     string // a hash to check when there is no user, for equal timing

	verifyHook func(hash string) // tests: sees each hash a sign-in checks

	lastSweep atomic.Int64 // unix seconds of the last sweep of old rows
}

// New returns the service of the store.
func New(st *store.Store, o Options) *Service {
	s := &Service{st: st, params: o.Params, limits: o.Limits, mode: o.Cookies, now: o.Now, log: o.Logger, key: o.Key}
	if s.params == (Params{}) {
		s.params = DefaultParams
	}
	if s.limits == (Limits{}) {
		s.limits = DefaultLimits
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	return s
}

// Store is the service's store.
func (s *Service) Store() *store.Store { return s.st }

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.now().UTC() }

// Errors of sign-in. ErrInvalid is the one answer to a wrong e-mail
// address, a wrong password, a locked or a disabled account: the caller
// shows the same message for all.
var (
	ErrInvalid     = errors.New("auth: wrong e-mail address or password, or the account is locked")
	ErrInvalidCode = errors.New("auth: wrong code")
	ErrLocked      = errors.New("auth: the account is locked")
	ErrNoSession   = errors.New("auth: no valid session")
)

// RateLimitedError says that too many attempts came from the network or
// for the account; try again after RetryAfter.
type RateLimitedError struct {
	RetryAfter time.Duration
	first      bool // the first refusal of its window
}

func (e *RateLimitedError) Error() string {
	return fmt.Sprintf("auth: too many attempts; try again in %v", e.RetryAfter.Round(time.Second))
}

// NewUser is what CreateUser needs.
type NewUser struct {
	Email       string
	Name        string
	Password    string // checked by the policy; "" for a user without a password
	Admin       bool
	Memberships []store.Membership
}

// CreateUser checks the password against the policy, hashes it and stores
// the user; the store records user.create with the actor of ctx.
func (s *Service) CreateUser(ctx context.Context, n NewUser) (store.User, error) {
	u := store.User{Email: n.Email, Name: n.Name, Admin: n.Admin, Memberships: n.Memberships}
	if n.Password != "" {
		if err := CheckPassword(n.Password, n.Email, n.Name); err != nil {
			return u, err
		}
		h, err := HashPassword(n.Password, s.params)
		if err != nil {
			return u, err
		}
		u.PasswordHash = h
	}
	err := s.st.CreateUser(ctx, &u)
	return u, err
}

// lockFor is how long an account is locked after n failures in a row.
func lockFor(n int) time.Duration {
	if n < LockAfter || n%LockAfter != 0 {
		return 0
	}
	d := LockBase
	for i := LockAfter; i < n && d < LockMax; i += LockAfter {
		d *= 2
	}
	return min(d, LockMax)
}

// audit writes an event; a failure is logged, and does not change the answer.
func (s *Service) audit(ctx context.Context, actor string, m Meta, e store.AuditEntry) {
	ctx = store.WithActor(ctx, store.Actor{ID: actor, Source: m.Source})
	if e.ActorID == "" {
		e.ActorID = actor
	}
	if err := s.st.Audit(ctx, e); err != nil {
		s.log.Error("auth: audit", "action", e.Action, "err", err)
	}
}
