package auth

import (
	"context"
	"errors"
	"time"

	"github.com/fellesrom/fellesrom/internal/mail"
	"github.com/fellesrom/fellesrom/internal/store"
)

// Password reset by e-mail. Anyone may ask for a link for an address; the
// answer never tells whether the address has an account. For an account
// that is not disabled and has a password, a mail goes out with a link
// whose random token (32 bytes; the database keeps its SHA-256) works once
// and for ResetTTL; only the newest link of an account works. Setting a new
// password through it ends every session of the account, clears its failed
// sign-ins and lock, and sends a mail that says the password changed. The
// second factor stays as it was: the next sign-in asks for the code.

// ResetTTL is how long a password reset link works.
const ResetTTL = time.Hour

// Limits of reset requests, beyond the network's (Limits.PerSource per
// window): at most ResetMailsPerAddress requests for one address in
// ResetAddressWindow, known address or not, so that nobody can flood an
// inbox.
const (
	ResetMailsPerAddress = 3
	ResetAddressWindow   = time.Hour
)

// mailLang is lang if mails can be in it, else Bokmål.
func mailLang(lang string) string {
	for _, l := range MailLanguages {
		if l == lang {
			return l
		}
	}
	return "nb"
}

// limitIn counts an attempt for key in a fixed window of its own.
func (s *Service) limitIn(ctx context.Context, key string, max int, window time.Duration) error {
	now := s.Now()
	start := now.Truncate(window)
	n, err := s.st.HitRateLimit(ctx, key, start)
	if err != nil {
		return err
	}
	if n > max {
		return &RateLimitedError{RetryAfter: start.Add(window).Sub(now), first: n == max+1}
	}
	return nil
}

// RequestPasswordReset asks for a password reset link for the address
// email, sent in lang with the link that link makes. It returns nil whether
// or not the address has an account, after about the same work; too many
// requests from the network or for the address give *RateLimitedError.
func (s *Service) RequestPasswordReset(ctx context.Context, email, lang string, link LinkFunc, m Meta) error {
	email = store.NormalizeEmail(email)
	lang = mailLang(lang)
	now := s.Now()
	acct, err := s.accountKey(ctx, email)
	if err != nil {
		return err
	}
	if err := s.limit(ctx, "reset:src:"+m.Source, s.limits.PerSource); err != nil {
		return s.limitedAs(ctx, m, err, "reset_source")
	}
	if err := s.limitIn(ctx, "reset:acct:"+acct, ResetMailsPerAddress, ResetAddressWindow); err != nil {
		return s.limitedAs(ctx, m, err, "reset_account")
	}
	// Both answers do this work; rows of old links hold nothing to keep.
	if _, err := s.st.PrunePasswordResets(ctx, now.Add(-24*time.Hour)); err != nil {
		return err
	}
	u, err := s.st.UserByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if u.Disabled || u.PasswordHash == "" {
		// A disabled account gets nothing; an account without a password
		// signs in through its organisation's single sign-on, and a reset
		// must not give it a password behind that sign-on's back.
		return nil
	}
	token, hash := NewToken()
	subject, body, err := mail.Compose(nil, lang, "password_reset", map[string]any{
		"Name": u.Name, "Link": link(lang, "/nytt-passord/"+token), "Minutes": int(ResetTTL / time.Minute)})
	if err != nil {
		return err
	}
	ctx = store.WithActor(ctx, store.Actor{Source: m.Source})
	return s.st.CreatePasswordReset(ctx, u.ID, hash, now, now.Add(ResetTTL),
		store.OutboxMail{To: u.Email, Subject: subject, Body: body, Lang: lang, Kind: "password_reset"})
}

// OpenPasswordReset returns the account of a password reset token, for the
// page of its link. Every call counts against the network's limit
// (*RateLimitedError); a token that cannot be used gives ErrLinkInvalid,
// whatever the reason.
func (s *Service) OpenPasswordReset(ctx context.Context, token string, m Meta) (store.User, error) {
	if err := s.tokenLimit(ctx, m); err != nil {
		return store.User{}, err
	}
	if !WellFormed(token) {
		return store.User{}, ErrLinkInvalid
	}
	u, err := s.st.PasswordResetUser(ctx, HashToken(token), s.Now())
	if errors.Is(err, store.ErrTokenInvalid) {
		return store.User{}, ErrLinkInvalid
	}
	return u, err
}

// ResetPassword sets a new password through the reset token: the policy
// applies (*PolicyError); on success every session of the account has
// ended, its failed sign-ins and lock are cleared, password.reset is in the
// audit log, and a mail in lang says that the password changed. The user
// then signs in as before, with the second factor if they have one.
func (s *Service) ResetPassword(ctx context.Context, token, password, lang string, m Meta) error {
	u, err := s.OpenPasswordReset(ctx, token, m)
	if err != nil {
		return err
	}
	if err := CheckPassword(password, u.Email, u.Name); err != nil {
		return err
	}
	h, err := HashPassword(password, s.params)
	if err != nil {
		return err
	}
	lang = mailLang(lang)
	subject, body, err := mail.Compose(nil, lang, "password_changed", map[string]any{"Name": u.Name})
	if err != nil {
		return err
	}
	ctx = store.WithActor(ctx, store.Actor{Source: m.Source})
	_, err = s.st.ResetPassword(ctx, HashToken(token), u.ID, s.Now(), h,
		store.OutboxMail{To: u.Email, Subject: subject, Body: body, Lang: lang, Kind: "password_changed"})
	if errors.Is(err, store.ErrTokenInvalid) {
		return ErrLinkInvalid
	}
	return err
}
