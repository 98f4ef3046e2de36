package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net"
	"net/http"
	"strings"

	"github.com/fellesrom/fellesrom/internal/store"
)

// Cookie names. The __Host- prefix makes the browser refuse the cookie
// unless it is Secure, has Path=/ and no Domain: no subdomain and no plain
// HTTP page can set or overwrite it. Plain HTTP on loopback (development,
// tests) uses the other name, without Secure.
const (
	CookieNameSecure = "__Host-fellesrom"
	CookieNamePlain  = "fellesrom_session"
)

// tokenBytes is the size of a session token before base64url.
const tokenBytes = 32

// NewToken returns a random token (32 bytes, base64url) and its hash.
func NewToken() (string, string) {
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	t := base64.RawURLEncoding.EncodeToString(b)
	return t, HashToken(t)
}

// HashToken is what the database keeps of a token: its SHA-256, in hex.
func HashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// WellFormed reports whether s can be a token this package made.
func WellFormed(s string) bool {
	if len(s) != base64.RawURLEncoding.EncodedLen(tokenBytes) {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil
}

// Secure reports whether the session cookie of r is Secure (and __Host-).
func (s *Service) Secure(r *http.Request) bool {
	switch s.mode {
	case CookieSecure:
		return true
	case CookiePlain:
		return false
	}
	if r.TLS != nil {
		return true
	}
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return false
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return false
	}
	return true
}

// CookieName is the name of the session cookie for r.
func (s *Service) CookieName(r *http.Request) string {
	if s.Secure(r) {
		return CookieNameSecure
	}
	return CookieNamePlain
}

// SetCookie sends the session cookie: HttpOnly, SameSite=Lax, Path=/,
// Secure where it can be, and no expiry (it ends with the browser; the
// server ends it after IdleTimeout or AbsoluteTimeout whatever the browser
// keeps).
func (s *Service) SetCookie(w http.ResponseWriter, r *http.Request, token string) {
	http.SetCookie(w, &http.Cookie{Name: s.CookieName(r), Value: token, Path: "/", Secure: s.Secure(r),
		HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// ClearCookie tells the browser to forget the session cookie.
func (s *Service) ClearCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: s.CookieName(r), Value: "", Path: "/", Secure: s.Secure(r),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// TokenOf is the session token r carries, or "". Only the cookie name for
// the request's kind counts: over HTTPS a plain-named cookie (which any
// page of the domain could have set) is ignored.
func (s *Service) TokenOf(r *http.Request) string {
	c, err := r.Cookie(s.CookieName(r))
	if err != nil || !WellFormed(c.Value) {
		return ""
	}
	return c.Value
}

// Stage is how far a session has come.
type Stage int

const (
	// StageDone: signed in; the second factor given, or not needed.
	StageDone Stage = iota
	// StageCode: the password was right; the TOTP code is next.
	StageCode
	// StageEnrol: the user must have a second factor and has none yet:
	// enrolment is the only thing they can do.
	StageEnrol
)

// Current is the session of a request, with its user.
type Current struct {
	Session store.Session
	User    store.User
	Meta    Meta
	// HasPasskey: the user has a passkey (passkey.go). Looked up only while
	// the second factor is not given yet (it matters for Stage, and for the
	// code step, which offers the passkey).
	HasPasskey bool // [passkeys]
}

// Stage is how far the session has come.
func (c *Current) Stage() Stage { return stageWith(c.User, c.Session.MFA, c.HasPasskey) }

// stageFor is the stage of a new session of u, looking up whether u has a
// passkey when the second factor is still to come.
func (s *Service) stageFor(ctx context.Context, u store.User, mfa bool) (Stage, error) {
	if mfa {
		return StageDone, nil
	}
	passkey, err := s.st.HasPasskey(ctx, u.ID)
	if err != nil {
		return 0, err
	}
	return stageWith(u, mfa, passkey), nil
}

// stageWith is the stage of a session of u: mfa says whether its second
// factor was given, passkey whether u has a passkey, which is a second
// factor as TOTP is.
func stageWith(u store.User, mfa, passkey bool) Stage {
	switch {
	case mfa: // a second factor given here, or asserted by a trusted provider
		return StageDone
	case u.TOTPEnabled, passkey:
		return StageCode
	case RequiresMFA(u.Admin, u.Memberships):
		return StageEnrol
	}
	return StageDone
}

// Principal is who the session acts as, for Allowed.
func (c *Current) Principal() Principal {
	return Principal{UserID: c.User.ID, Admin: c.User.Admin, Memberships: c.User.Memberships, MFA: c.Session.MFA}
}

// Authenticate returns the session of a token, if it is valid: not idle for
// IdleTimeout, not older than AbsoluteTimeout, of a user who is not
// disabled. It notes the session as seen.
func (s *Service) Authenticate(ctx context.Context, token string, m Meta) (*Current, error) {
	if !WellFormed(token) {
		return nil, ErrNoSession
	}
	now := s.Now()
	sess, err := s.st.TouchSession(ctx, HashToken(token), now, now.Add(-IdleTimeout), touchInterval)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNoSession
	}
	if err != nil {
		return nil, err
	}
	u, err := s.st.User(ctx, sess.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNoSession
	}
	if err != nil {
		return nil, err
	}
	if u.Disabled {
		_, err := s.st.DeleteSession(ctx, sess.IDHash)
		return nil, errors.Join(ErrNoSession, err)
	}
	c := &Current{Session: sess, User: u, Meta: m}
	if !sess.MFA { // [passkeys] only then does a passkey matter
		if c.HasPasskey, err = s.st.HasPasskey(ctx, u.ID); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// startSession makes a new session and returns its token.
func (s *Service) startSession(ctx context.Context, u store.User, mfa bool, m Meta) (string, store.Session, error) {
	token, hash := NewToken()
	now := s.Now()
	x := store.Session{IDHash: hash, UserID: u.ID, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(AbsoluteTimeout),
		MFA: mfa, Agent: m.Agent, Source: m.Source}
	return token, x, s.st.CreateSession(ctx, &x)
}

// rotate replaces the session of c by a new one (a new token) with mfa, and
// returns the new token. The absolute end stays that of the old session.
func (s *Service) rotate(ctx context.Context, c *Current, mfa bool) (string, error) {
	token, hash := NewToken()
	now := s.Now()
	x := store.Session{IDHash: hash, UserID: c.User.ID, CreatedAt: now, LastSeenAt: now, ExpiresAt: c.Session.ExpiresAt,
		MFA: mfa, Agent: c.Meta.Agent, Source: c.Meta.Source}
	if x.Agent == "" {
		x.Agent, x.Source = c.Session.Agent, c.Session.Source
	}
	if err := s.st.RotateSession(ctx, c.Session.IDHash, &x); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return "", ErrNoSession
		}
		return "", err
	}
	c.Session = x
	return token, nil
}

// sessionRef names a session in the audit log without its hash.
func sessionRef(hash string) string {
	if len(hash) > 8 {
		return hash[:8]
	}
	return hash
}

// SignOut ends the session and records signout.
func (s *Service) SignOut(ctx context.Context, c *Current) error {
	if _, err := s.st.DeleteSession(ctx, c.Session.IDHash); err != nil {
		return err
	}
	s.audit(ctx, c.User.ID, c.Meta, store.AuditEntry{Action: "signout", ObjectType: "user", ObjectID: c.User.ID,
		Detail: map[string]any{"session": sessionRef(c.Session.IDHash)}})
	return nil
}

// Sessions lists the user's own sessions, the most recent first.
func (s *Service) Sessions(ctx context.Context, c *Current) ([]store.Session, error) {
	now := s.Now()
	all, err := s.st.UserSessions(ctx, c.User.ID)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, x := range all {
		if x.ExpiresAt.After(now) && x.LastSeenAt.After(now.Add(-IdleTimeout)) {
			out = append(out, x)
		}
	}
	return out, nil
}

// EndSession ends one of the user's own sessions (by its hash, as Sessions
// lists it) and records session.revoke. It reports false if the user has
// no such session.
func (s *Service) EndSession(ctx context.Context, c *Current, idHash string) (bool, error) {
	ok, err := s.st.DeleteUserSession(ctx, c.User.ID, idHash)
	if err != nil || !ok {
		return false, err
	}
	s.audit(ctx, c.User.ID, c.Meta, store.AuditEntry{Action: "session.revoke", ObjectType: "user", ObjectID: c.User.ID,
		Detail: map[string]any{"session": sessionRef(idHash), "current": idHash == c.Session.IDHash}})
	return true, nil
}

// EndOtherSessions ends every session of the user but this one, records
// session.revoke, and returns how many it ended.
func (s *Service) EndOtherSessions(ctx context.Context, c *Current) (int, error) {
	n, err := s.st.DeleteUserSessions(ctx, c.User.ID, c.Session.IDHash)
	if err != nil || n == 0 {
		return n, err
	}
	s.audit(ctx, c.User.ID, c.Meta, store.AuditEntry{Action: "session.revoke", ObjectType: "user", ObjectID: c.User.ID,
		Detail: map[string]any{"others": n}})
	return n, nil
}

// PendingTOTP returns the secret of the user's enrolment, making one if
// there is none yet (a page reload shows the same secret).
func (s *Service) PendingTOTP(ctx context.Context, c *Current) (string, error) {
	if c.User.TOTPEnabled {
		return "", errors.New("auth: TOTP is already enabled")
	}
	if c.User.TOTPSecret != "" {
		return c.User.TOTPSecret, nil
	}
	secret := NewTOTPSecret()
	if err := s.st.SetPendingTOTP(ctx, c.User.ID, secret); err != nil {
		return "", err
	}
	c.User.TOTPSecret = secret
	return secret, nil
}

// ConfirmTOTP enables the pending secret when code is its current code,
// records totp.enable, and replaces the session by one with the second
// factor given; it returns the new token. A wrong code gives ErrInvalidCode.
func (s *Service) ConfirmTOTP(ctx context.Context, c *Current, code string) (string, error) {
	if c.User.TOTPEnabled || c.User.TOTPSecret == "" {
		return "", ErrInvalidCode
	}
	if err := s.limit(ctx, "totp:enrol:"+c.User.ID, s.limits.PerCode); err != nil {
		return "", err
	}
	now := s.Now()
	step, ok := MatchTOTP(c.User.TOTPSecret, code, now, c.User.TOTPLastStep)
	if !ok {
		return "", ErrInvalidCode
	}
	actx := store.WithActor(ctx, store.Actor{ID: c.User.ID, Source: c.Meta.Source})
	if err := s.st.EnableTOTP(actx, c.User.ID, c.User.TOTPSecret, step); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return "", ErrInvalidCode
		}
		return "", err
	}
	c.User.TOTPEnabled, c.User.TOTPLastStep = true, step
	return s.rotate(ctx, c, true)
}
