package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// OIDCProvider is an OpenID Connect provider through which the staff of an
// organisation (and of the organisations under it) sign in.
type OIDCProvider struct {
	ID    string
	OrgID string
	Name  string // on the button: "Entra ID for Huset Tromsø"
	// Issuer is the provider's issuer URL; discovery reads
	// Issuer + "/.well-known/openid-configuration".
	Issuer   string
	ClientID string
	// ClientSecret is stored sealed (package seal). It leaves the store
	// only for package auth; no page shows it. On update, "" keeps the
	// stored secret.
	ClientSecret string
	Scopes       []string // always with "openid"
	EmailDomains []string // lower-case: the e-mail domains the provider serves
	// TrustMFA: a second factor in the ID token's amr claim counts as the
	// sign-in's second factor (see auth.AMRSecondFactor).
	TrustMFA bool
	// TrustEmail: the provider's email claim counts as verified even when
	// the ID token has no email_verified claim (Entra ID sends none; only
	// for a provider that manages its organisation's addresses itself).
	TrustEmail bool
	Enabled    bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
	// HasSecret reports whether a client secret is stored (read only).
	HasSecret bool
}

// Limits of a provider's settings.
const (
	maxProviderName = 100
	maxClientID     = 255
	maxClientSecret = 1024
	maxIssuer       = 255
	maxDomains      = 50
)

// ParseList splits a list typed by a person (separated by spaces, commas,
// semicolons or line breaks) into its distinct items, in order.
func ParseList(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == ',' || r == ';' }) {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// NormalizeDomain is the form an e-mail domain is stored and compared in:
// trimmed, NFC, lower-case, without a leading "@" or a trailing dot.
func NormalizeDomain(d string) string {
	d = strings.ToLower(norm.NFC.String(strings.TrimSpace(d)))
	d = strings.TrimPrefix(d, "@")
	return strings.TrimSuffix(d, ".")
}

// ValidDomain reports whether d (normalised) can be an e-mail domain: at
// least two labels of letters, digits and inner hyphens.
func ValidDomain(d string) bool {
	if len(d) > 253 || !strings.Contains(d, ".") {
		return false
	}
	for label := range strings.SplitSeq(d, ".") {
		if label == "" || len(label) > 63 || strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") {
			return false
		}
		for _, r := range label {
			if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-') {
				return false
			}
		}
	}
	return true
}

// ValidScope reports whether s is an OAuth 2.0 scope token (RFC 6749 3.3).
func ValidScope(s string) bool {
	if s == "" || len(s) > 100 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x21 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// ValidIssuer reports whether s can be an issuer URL: https with a host,
// no query, fragment or user; plain http only for a loopback host
// (development).
func ValidIssuer(s string) bool {
	if s == "" || len(s) > maxIssuer || strings.ContainsAny(s, " \t\r\n") {
		return false
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return false
	}
	switch u.Scheme {
	case "https":
		return true
	case "http":
		h := u.Hostname()
		return h == "localhost" || h == "127.0.0.1" || h == "::1"
	}
	return false
}

// ValidateOIDCProvider normalises and checks a provider before it is stored.
func ValidateOIDCProvider(p *OIDCProvider) error {
	p.Name = strings.TrimSpace(p.Name)
	p.Issuer = strings.TrimSpace(p.Issuer)
	p.ClientID = strings.TrimSpace(p.ClientID)
	var errs []error
	if p.OrgID == "" {
		errs = append(errs, errors.New("a provider needs an organisation"))
	}
	if p.Name == "" || len([]rune(p.Name)) > maxProviderName {
		errs = append(errs, errors.New("a provider needs a name of at most 100 characters"))
	}
	if !ValidIssuer(p.Issuer) {
		errs = append(errs, errors.New("the issuer must be an https URL"))
	}
	if p.ClientID == "" || len(p.ClientID) > maxClientID || strings.ContainsAny(p.ClientID, " \t\r\n") {
		errs = append(errs, errors.New("a provider needs a client ID"))
	}
	if len(p.ClientSecret) > maxClientSecret {
		errs = append(errs, errors.New("the client secret is too long"))
	}
	scopes := []string{"openid"}
	for _, s := range p.Scopes {
		if !ValidScope(s) {
			errs = append(errs, fmt.Errorf("scope %q is not a scope", s))
		} else if !slices.Contains(scopes, s) {
			scopes = append(scopes, s)
		}
	}
	p.Scopes = scopes
	var domains []string
	for _, d := range p.EmailDomains {
		d = NormalizeDomain(d)
		if !ValidDomain(d) {
			errs = append(errs, fmt.Errorf("%q is not an e-mail domain", d))
		} else if !slices.Contains(domains, d) {
			domains = append(domains, d)
		}
	}
	if len(domains) > maxDomains {
		errs = append(errs, fmt.Errorf("at most %d e-mail domains", maxDomains))
	}
	p.EmailDomains = domains
	return errors.Join(errs...)
}

const providerColumns = `id, organisation_id, name, issuer, client_id, client_secret, scopes, email_domains,
	trust_mfa, trust_email, enabled, created_at, updated_at`

func scanProvider(sc interface{ Scan(...any) error }) (OIDCProvider, error) {
	var p OIDCProvider
	var scopes, domains string
	err := sc.Scan(&p.ID, &p.OrgID, &p.Name, &p.Issuer, &p.ClientID, &p.ClientSecret, &scopes, &domains,
		&p.TrustMFA, &p.TrustEmail, &p.Enabled, &p.CreatedAt, &p.UpdatedAt)
	p.Scopes, p.EmailDomains = strings.Fields(scopes), strings.Fields(domains)
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	p.HasSecret = p.ClientSecret != ""
	return p, err
}

// providerAudit is what the audit log records of a provider's settings:
// everything but the secret, of which only whether it changed.
type providerAudit struct {
	OrgID        string
	Name         string
	Issuer       string
	ClientID     string
	Scopes       []string
	EmailDomains []string
	TrustMFA     bool
	TrustEmail   bool
	Enabled      bool
}

func auditOf(p OIDCProvider) providerAudit {
	return providerAudit{p.OrgID, p.Name, p.Issuer, p.ClientID, p.Scopes, p.EmailDomains, p.TrustMFA, p.TrustEmail, p.Enabled}
}

// openProvider opens the provider's sealed client secret.
func (s *Store) openProvider(p *OIDCProvider) (err error) {
	p.ClientSecret, err = s.open("oidc_providers", "client_secret", p.ID, p.ClientSecret)
	return err
}

// SaveOIDCProvider creates a provider (ID "") or updates one, and records
// oidc_provider.create or oidc_provider.update with what changed (of the
// client secret only that it changed). On update an empty ClientSecret
// keeps the stored one.
func (s *Store) SaveOIDCProvider(ctx context.Context, p *OIDCProvider) error {
	if err := ValidateOIDCProvider(p); err != nil {
		return err
	}
	now := utcNow()
	return s.tx(ctx, func(tx *sql.Tx) error {
		if p.ID == "" {
			p.ID = NewID()
			p.CreatedAt, p.UpdatedAt = now, now
			secret, err := s.seal("oidc_providers", "client_secret", p.ID, p.ClientSecret)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO oidc_providers (`+providerColumns+`)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)`, p.ID, p.OrgID, p.Name, p.Issuer, p.ClientID,
				secret, strings.Join(p.Scopes, " "), strings.Join(p.EmailDomains, " "), p.TrustMFA, p.TrustEmail, p.Enabled, now); err != nil {
				return err
			}
			p.HasSecret = p.ClientSecret != ""
			return auditTx(ctx, tx, AuditEntry{Action: "oidc_provider.create", ObjectType: "oidc_provider", ObjectID: p.ID,
				OrgID: p.OrgID, Detail: map[string]any{"issuer": p.Issuer, "enabled": p.Enabled, "trust_mfa": p.TrustMFA,
					"trust_email": p.TrustEmail}})
		}
		old, err := scanProvider(tx.QueryRowContext(ctx, `SELECT `+providerColumns+` FROM oidc_providers WHERE id = $1`, p.ID))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if err := s.openProvider(&old); err != nil {
			return err
		}
		secretChanged := p.ClientSecret != "" && p.ClientSecret != old.ClientSecret
		if p.ClientSecret == "" {
			p.ClientSecret = old.ClientSecret
		}
		secret, err := s.seal("oidc_providers", "client_secret", p.ID, p.ClientSecret)
		if err != nil {
			return err
		}
		p.CreatedAt, p.UpdatedAt = old.CreatedAt, now
		if err := execOne(ctx, tx, `UPDATE oidc_providers SET organisation_id = $2, name = $3, issuer = $4, client_id = $5,
			client_secret = $6, scopes = $7, email_domains = $8, trust_mfa = $9, trust_email = $10, enabled = $11,
			updated_at = $12 WHERE id = $1`,
			p.ID, p.OrgID, p.Name, p.Issuer, p.ClientID, secret, strings.Join(p.Scopes, " "),
			strings.Join(p.EmailDomains, " "), p.TrustMFA, p.TrustEmail, p.Enabled, now); err != nil {
			return err
		}
		p.HasSecret = p.ClientSecret != ""
		changed := changes(auditOf(old), auditOf(*p))
		if secretChanged {
			changed["ClientSecret"] = true
		}
		if len(changed) == 0 {
			return nil
		}
		return auditTx(ctx, tx, AuditEntry{Action: "oidc_provider.update", ObjectType: "oidc_provider", ObjectID: p.ID,
			OrgID: p.OrgID, Detail: map[string]any{"changed": changed}})
	})
}

// OIDCProvider returns a provider by ID.
func (s *Store) OIDCProvider(ctx context.Context, id string) (OIDCProvider, error) {
	p, err := scanProvider(s.read.QueryRowContext(ctx, `SELECT `+providerColumns+` FROM oidc_providers WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, ErrNotFound
	}
	if err != nil {
		return p, err
	}
	return p, s.openProvider(&p)
}

// OIDCProviders lists every provider, enabled or not, by name.
func (s *Store) OIDCProviders(ctx context.Context) ([]OIDCProvider, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+providerColumns+` FROM oidc_providers ORDER BY name, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []OIDCProvider
	for rows.Next() {
		p, err := scanProvider(rows)
		if err != nil {
			return nil, err
		}
		if err := s.openProvider(&p); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// UserIdentity is an account at a provider linked to a staff user.
type UserIdentity struct {
	ProviderID string
	Subject    string
	UserID     string
	CreatedAt  time.Time
}

// IdentityUser returns the user linked to a provider's subject, or
// ErrNotFound.
func (s *Store) IdentityUser(ctx context.Context, providerID, subject string) (string, error) {
	var id string
	err := s.read.QueryRowContext(ctx, `SELECT user_id FROM user_identities WHERE provider_id = $1 AND subject = $2`,
		providerID, subject).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	return id, err
}

// UserIdentities lists the identities linked to a user.
func (s *Store) UserIdentities(ctx context.Context, userID string) ([]UserIdentity, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT provider_id, subject, user_id, created_at FROM user_identities
		WHERE user_id = $1 ORDER BY created_at, provider_id`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []UserIdentity
	for rows.Next() {
		var x UserIdentity
		if err := rows.Scan(&x.ProviderID, &x.Subject, &x.UserID, &x.CreatedAt); err != nil {
			return nil, err
		}
		x.CreatedAt = x.CreatedAt.UTC()
		out = append(out, x)
	}
	return out, rows.Err()
}

// ErrIdentityTaken is returned when a link would give a user a second
// subject at the same provider, or the subject is linked already. The
// errors ErrSubjectTaken and ErrUserLinked say which; both are
// ErrIdentityTaken for errors.Is.
var ErrIdentityTaken = errors.New("the user or the subject is linked already")

var (
	// ErrSubjectTaken: the provider's subject is linked to a user already
	// (another one, or this one).
	ErrSubjectTaken = fmt.Errorf("the subject is linked already: %w", ErrIdentityTaken)
	// ErrUserLinked: the user has a subject at the provider already.
	ErrUserLinked = fmt.Errorf("the user has an identity at this provider already: %w", ErrIdentityTaken)
)

// MaxSubject is the longest subject a provider may give (the sign-in
// refuses longer ones too).
const MaxSubject = 255

// LinkIdentity links a provider's subject to a user and records sso.link,
// in one transaction. A user has at most one subject per provider: an
// address that the provider gives to another account later does not take
// the user over.
func (s *Store) LinkIdentity(ctx context.Context, providerID, subject, userID string) error {
	return s.linkIdentity(ctx, "sso.link", providerID, subject, userID)
}

// LinkIdentityByHand links a provider's subject to a user as an
// administrator does it on the user's page, and records identity.link (the
// actor is the context's), in one transaction. It refuses a subject linked
// to anyone already (ErrSubjectTaken), a user who has a subject at the
// provider already (ErrUserLinked), and an unknown provider or user
// (ErrNotFound). The subject is never written to the audit log.
func (s *Store) LinkIdentityByHand(ctx context.Context, providerID, subject, userID string) error {
	return s.linkIdentity(ctx, "identity.link", providerID, subject, userID)
}

func (s *Store) linkIdentity(ctx context.Context, action, providerID, subject, userID string) error {
	if providerID == "" || subject == "" || userID == "" {
		return errors.New("a link needs a provider, a subject and a user")
	}
	if len(subject) > MaxSubject {
		return errors.New("the subject is too long")
	}
	now := utcNow()
	return s.tx(ctx, func(tx *sql.Tx) error {
		var orgID string
		err := tx.QueryRowContext(ctx, `SELECT organisation_id FROM oidc_providers WHERE id = $1`, providerID).Scan(&orgID)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE id = $1`, userID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return ErrNotFound
		}
		var subjects, users int
		if err := tx.QueryRowContext(ctx, `SELECT
			COALESCE(SUM(CASE WHEN subject = $3 THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN user_id = $2 THEN 1 ELSE 0 END), 0)
			FROM user_identities WHERE provider_id = $1 AND (user_id = $2 OR subject = $3)`,
			providerID, userID, subject).Scan(&subjects, &users); err != nil {
			return err
		}
		switch {
		case subjects > 0:
			return ErrSubjectTaken
		case users > 0:
			return ErrUserLinked
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO user_identities (provider_id, subject, user_id, created_at)
			VALUES ($1, $2, $3, $4)`, providerID, subject, userID, now); err != nil {
			return err
		}
		return auditTx(ctx, tx, AuditEntry{Action: action, ObjectType: "user", ObjectID: userID, OrgID: orgID,
			Detail: map[string]any{"provider": providerID}})
	})
}

// UnlinkIdentity ends the link between a user and their subject at a
// provider, and records identity.unlink (the actor is the context's; the
// subject is not written), in one transaction. The next sign-in through
// the provider finds the user by e-mail again, or not at all. ErrNotFound:
// the user has no identity at the provider.
func (s *Store) UnlinkIdentity(ctx context.Context, providerID, userID string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM user_identities WHERE provider_id = $1 AND user_id = $2`, providerID, userID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return ErrNotFound
		}
		var orgID string
		if err := tx.QueryRowContext(ctx, `SELECT organisation_id FROM oidc_providers WHERE id = $1`, providerID).Scan(&orgID); err != nil {
			return err
		}
		return auditTx(ctx, tx, AuditEntry{Action: "identity.unlink", ObjectType: "user", ObjectID: userID, OrgID: orgID,
			Detail: map[string]any{"provider": providerID}})
	})
}

// OIDCLogin is a sign-in under way: what the callback needs to finish it.
type OIDCLogin struct {
	StateHash    string // SHA-256 (hex) of the state; the state itself is not stored
	ProviderID   string
	Nonce        string
	PKCEVerifier string
	ReturnTo     string // a path of the back office, or ""
	Lang         string
	CreatedAt    time.Time
	ExpiresAt    time.Time
}

// CreateOIDCLogin stores a sign-in under way.
func (s *Store) CreateOIDCLogin(ctx context.Context, l *OIDCLogin) error {
	if l.StateHash == "" || l.ProviderID == "" || l.Nonce == "" || l.PKCEVerifier == "" {
		return errors.New("a sign-in needs a state, a provider, a nonce and a verifier")
	}
	if l.Lang == "" {
		l.Lang = "nb"
	}
	l.CreatedAt = l.CreatedAt.UTC().Truncate(time.Microsecond)
	l.ExpiresAt = l.ExpiresAt.UTC().Truncate(time.Microsecond)
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO oidc_logins (state_hash, provider_id, nonce, pkce_verifier, return_to,
			lang, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, l.StateHash, l.ProviderID, l.Nonce,
			l.PKCEVerifier, l.ReturnTo, l.Lang, l.CreatedAt, l.ExpiresAt)
		return err
	})
}

// TakeOIDCLogin deletes the sign-in of a state hash and returns it, if it
// had not expired at now. The delete decides: of two callbacks with the
// same state, on any instances, one gets the row and the other ErrNotFound.
func (s *Store) TakeOIDCLogin(ctx context.Context, stateHash string, now time.Time) (OIDCLogin, error) {
	var l OIDCLogin
	err := s.tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `DELETE FROM oidc_logins WHERE state_hash = $1
			RETURNING state_hash, provider_id, nonce, pkce_verifier, return_to, lang, created_at, expires_at`, stateHash).Scan(
			&l.StateHash, &l.ProviderID, &l.Nonce, &l.PKCEVerifier, &l.ReturnTo, &l.Lang, &l.CreatedAt, &l.ExpiresAt)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		return err
	})
	if err != nil {
		return OIDCLogin{}, err
	}
	l.CreatedAt, l.ExpiresAt = l.CreatedAt.UTC(), l.ExpiresAt.UTC()
	if !l.ExpiresAt.After(now.UTC()) {
		return OIDCLogin{}, ErrNotFound
	}
	return l, nil
}

// DeleteExpiredOIDCLogins deletes the sign-ins that expired before now.
func (s *Store) DeleteExpiredOIDCLogins(ctx context.Context, now time.Time) (int64, error) {
	var n int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM oidc_logins WHERE expires_at <= $1`, now.UTC())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}
