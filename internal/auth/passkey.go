package auth

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/fellesrom/fellesrom/internal/store"
)

// Passkeys (WebAuthn) are a second factor beside TOTP: a user who must have
// a second factor may register a passkey instead of enrolling TOTP, and a
// user with a passkey may give it instead of the code at sign-in.
//
// A ceremony has two steps, each a POST from the browser's script: Begin…
// returns the options for navigator.credentials (JSON) and keeps their
// challenge with the session (store.PutPasskeyChallenge: one per session,
// PasskeyChallengeTTL); Finish… takes the challenge (used once) and checks
// the browser's answer. The relying party is the site's origin: its host
// is the RP ID.

// PasskeyChallengeTTL is how long a challenge can be answered.
const PasskeyChallengeTTL = 5 * time.Minute

// MaxPasskeyName is the longest name of a passkey, in characters.
const MaxPasskeyName = 60

// Errors of passkeys.
var (
	// ErrPasskey: the browser's answer did not check out (a wrong, removed
	// or unknown credential, a wrong origin, an old challenge).
	ErrPasskey = errors.New("auth: the passkey was not accepted")
	// ErrLastFactor: removing the passkey would leave a user who must have
	// a second factor without one.
	ErrLastFactor = errors.New("auth: the last second factor cannot be removed")
)

const (
	challengeRegister = "register"
	challengeLogin    = "login"
)

// passkeyUser is a user as the WebAuthn library sees it.
type passkeyUser struct {
	u     store.User
	creds []webauthn.Credential
}

func (p *passkeyUser) WebAuthnID() []byte   { return []byte(p.u.ID) }
func (p *passkeyUser) WebAuthnName() string { return p.u.Email }
func (p *passkeyUser) WebAuthnDisplayName() string {
	if p.u.Name != "" {
		return p.u.Name
	}
	return p.u.Email
}
func (p *passkeyUser) WebAuthnCredentials() []webauthn.Credential { return p.creds }

// relyingParty is the WebAuthn configuration for an origin such as
// https://fellesrom.example.no (scheme and host, no path).
func relyingParty(origin string) (*webauthn.WebAuthn, error) {
	u, err := url.Parse(origin)
	if err != nil || u.Hostname() == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, errors.New("auth: passkeys need the site's origin, such as https://fellesrom.example.no")
	}
	return webauthn.New(&webauthn.Config{
		RPID:          u.Hostname(),
		RPDisplayName: TOTPIssuer,
		RPOrigins:     []string{u.Scheme + "://" + u.Host},
		Timeouts: webauthn.TimeoutsConfig{
			Login:        webauthn.TimeoutConfig{Timeout: PasskeyChallengeTTL, TimeoutUVD: PasskeyChallengeTTL},
			Registration: webauthn.TimeoutConfig{Timeout: PasskeyChallengeTTL, TimeoutUVD: PasskeyChallengeTTL},
		},
	})
}

// passkeyUserOf loads the user's passkeys as WebAuthn credentials.
func (s *Service) passkeyUserOf(ctx context.Context, u store.User) (*passkeyUser, error) {
	list, err := s.st.UserPasskeys(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	p := &passkeyUser{u: u}
	for _, x := range list {
		var c webauthn.Credential
		if err := json.Unmarshal(x.Data, &c); err != nil {
			s.log.Error("auth: a stored passkey cannot be read", "passkey", x.ID, "err", err)
			continue
		}
		p.creds = append(p.creds, c)
	}
	return p, nil
}

// Passkeys lists the user's own passkeys.
func (s *Service) Passkeys(ctx context.Context, c *Current) ([]store.Passkey, error) {
	return s.st.UserPasskeys(ctx, c.User.ID)
}

func (s *Service) putChallenge(ctx context.Context, c *Current, kind string, sd *webauthn.SessionData) error {
	data, err := json.Marshal(sd)
	if err != nil {
		return err
	}
	return s.st.PutPasskeyChallenge(ctx, c.Session.IDHash, kind, data, s.Now().Add(PasskeyChallengeTTL))
}

func (s *Service) takeChallenge(ctx context.Context, c *Current, kind string) (webauthn.SessionData, error) {
	var sd webauthn.SessionData
	data, err := s.st.TakePasskeyChallenge(ctx, c.Session.IDHash, kind, s.Now())
	if errors.Is(err, store.ErrNotFound) {
		return sd, ErrPasskey
	}
	if err != nil {
		return sd, err
	}
	return sd, json.Unmarshal(data, &sd)
}

// BeginPasskeyRegistration starts the registration of a passkey by a user
// who is signed in, or who must enrol a second factor; it returns the
// options for navigator.credentials.create, as JSON.
func (s *Service) BeginPasskeyRegistration(ctx context.Context, c *Current, origin string) ([]byte, error) {
	if st := c.Stage(); st != StageDone && st != StageEnrol {
		return nil, ErrNoSession
	}
	if err := s.limit(ctx, "passkey:register:"+c.User.ID, s.limits.PerCode); err != nil {
		return nil, err
	}
	rp, err := relyingParty(origin)
	if err != nil {
		return nil, err
	}
	pu, err := s.passkeyUserOf(ctx, c.User)
	if err != nil {
		return nil, err
	}
	exclude := make([]protocol.CredentialDescriptor, len(pu.creds))
	for i := range pu.creds {
		exclude[i] = pu.creds[i].Descriptor()
	}
	creation, sd, err := rp.BeginRegistration(pu, webauthn.WithExclusions(exclude),
		webauthn.WithAuthenticatorSelection(protocol.AuthenticatorSelection{
			ResidentKey:      protocol.ResidentKeyRequirementPreferred,
			UserVerification: protocol.VerificationPreferred,
		}))
	if err != nil {
		return nil, err
	}
	if err := s.putChallenge(ctx, c, challengeRegister, sd); err != nil {
		return nil, err
	}
	return json.Marshal(creation)
}

// CleanPasskeyName trims a name the user gave a passkey and cuts it to
// MaxPasskeyName characters.
func CleanPasskeyName(name string) string {
	name = strings.Join(strings.Fields(name), " ")
	if utf8.RuneCountInString(name) > MaxPasskeyName {
		name = string([]rune(name)[:MaxPasskeyName])
	}
	return name
}

// FinishPasskeyRegistration checks the browser's answer to the challenge
// of BeginPasskeyRegistration, stores the passkey as name and records
// passkey.register. For a user who was enrolling, the passkey is the second
// factor of this session: the session is replaced (a new token, returned);
// otherwise the token is "". A bad answer gives ErrPasskey.
func (s *Service) FinishPasskeyRegistration(ctx context.Context, c *Current, origin, name string, body []byte) (string, error) {
	stage := c.Stage()
	if stage != StageDone && stage != StageEnrol {
		return "", ErrNoSession
	}
	sd, err := s.takeChallenge(ctx, c, challengeRegister)
	if err != nil {
		return "", s.passkeyFail(ctx, c, "register", "challenge", err)
	}
	rp, err := relyingParty(origin)
	if err != nil {
		return "", err
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(body)
	if err != nil {
		return "", s.passkeyFail(ctx, c, "register", "parse", ErrPasskey)
	}
	pu, err := s.passkeyUserOf(ctx, c.User)
	if err != nil {
		return "", err
	}
	cred, err := rp.CreateCredential(pu, sd, parsed)
	if err != nil {
		return "", s.passkeyFail(ctx, c, "register", "verify", ErrPasskey)
	}
	data, err := json.Marshal(cred)
	if err != nil {
		return "", err
	}
	name = CleanPasskeyName(name)
	if name == "" {
		name = c.Meta.Agent
	}
	pk := store.Passkey{UserID: c.User.ID, CredentialID: base64.RawURLEncoding.EncodeToString(cred.ID), Name: name,
		Data: data, CreatedAt: s.Now()}
	if err := s.st.CreatePasskey(ctx, &pk); err != nil {
		// The one likely cause is a credential that is already registered.
		s.log.Warn("auth: store a passkey", "err", err)
		return "", s.passkeyFail(ctx, c, "register", "store", ErrPasskey)
	}
	s.audit(ctx, c.User.ID, c.Meta, store.AuditEntry{Action: "passkey.register", ObjectType: "user", ObjectID: c.User.ID,
		Detail: map[string]any{"passkey": pk.ID}})
	c.HasPasskey = true
	if stage == StageEnrol {
		return s.rotate(ctx, c, true)
	}
	return "", nil
}

// BeginPasskeyLogin starts the second step of a sign-in with a passkey
// instead of the TOTP code; it returns the options for
// navigator.credentials.get, as JSON. A user without passkeys gets
// ErrPasskey.
func (s *Service) BeginPasskeyLogin(ctx context.Context, c *Current, origin string) ([]byte, error) {
	if c.Stage() != StageCode {
		return nil, ErrNoSession
	}
	if err := s.limit(ctx, "signin:code:"+c.User.ID, s.limits.PerCode); err != nil {
		return nil, s.limited(ctx, c.Meta, err, "code")
	}
	rp, err := relyingParty(origin)
	if err != nil {
		return nil, err
	}
	pu, err := s.passkeyUserOf(ctx, c.User)
	if err != nil {
		return nil, err
	}
	if len(pu.creds) == 0 {
		return nil, ErrPasskey
	}
	assertion, sd, err := rp.BeginLogin(pu, webauthn.WithUserVerification(protocol.VerificationPreferred))
	if err != nil {
		return nil, err
	}
	if err := s.putChallenge(ctx, c, challengeLogin, sd); err != nil {
		return nil, err
	}
	return json.Marshal(assertion)
}

// FinishPasskeyLogin checks the browser's answer to the challenge of
// BeginPasskeyLogin. A good one is the second factor: the session is
// replaced by one with it (its token returned), and passkey.ok and
// signin.ok are recorded. A bad one counts as a failed sign-in, as a wrong
// code does (passkey.fail; ErrPasskey, or ErrLocked when it locks the
// account, which ends the session).
func (s *Service) FinishPasskeyLogin(ctx context.Context, c *Current, origin string, body []byte) (string, error) {
	if c.Stage() != StageCode {
		return "", ErrNoSession
	}
	now := s.Now()
	if c.User.LockedUntil.After(now) {
		_, _ = s.st.DeleteSession(ctx, c.Session.IDHash)
		return "", ErrLocked
	}
	rp, err := relyingParty(origin)
	if err != nil {
		return "", err
	}
	reason := ""
	var cred *webauthn.Credential
	sd, err := s.takeChallenge(ctx, c, challengeLogin)
	switch {
	case errors.Is(err, ErrPasskey):
		reason = "challenge"
	case err != nil:
		return "", err
	}
	var parsed *protocol.ParsedCredentialAssertionData
	if reason == "" {
		if parsed, err = protocol.ParseCredentialRequestResponseBytes(body); err != nil {
			reason = "parse"
		}
	}
	if reason == "" {
		pu, err := s.passkeyUserOf(ctx, c.User)
		if err != nil {
			return "", err
		}
		if cred, err = rp.ValidateLogin(pu, sd, parsed); err != nil {
			reason = "verify"
		}
	}
	if reason == "" {
		data, err := json.Marshal(cred)
		if err != nil {
			return "", err
		}
		err = s.st.UsePasskey(ctx, c.User.ID, base64.RawURLEncoding.EncodeToString(cred.ID), data, now)
		switch {
		case errors.Is(err, store.ErrNotFound):
			reason = "removed"
		case err != nil:
			return "", err
		}
	}
	if reason == "" {
		token, err := s.rotate(ctx, c, true)
		if err != nil {
			return "", err
		}
		if err := s.st.SigninSucceeded(ctx, c.User.ID, now); err != nil {
			return "", err
		}
		s.audit(ctx, c.User.ID, c.Meta, store.AuditEntry{Action: "passkey.ok", ObjectType: "user", ObjectID: c.User.ID,
			Detail: map[string]any{"credential": credentialRef(cred.ID)}})
		s.audit(ctx, c.User.ID, c.Meta, store.AuditEntry{Action: "signin.ok", ObjectType: "user", ObjectID: c.User.ID,
			Detail: map[string]any{"method": "password+passkey", "mfa": true}})
		return token, nil
	}
	n, until, err := s.st.SigninFailed(ctx, c.User.ID, now, lockFor)
	if err != nil {
		return "", err
	}
	s.audit(ctx, "", c.Meta, store.AuditEntry{Action: "passkey.fail", ObjectType: "user", ObjectID: c.User.ID,
		Detail: map[string]any{"step": "login", "reason": reason, "failures": n}})
	if !until.IsZero() {
		s.auditLocked(ctx, c.User.ID, c.Meta, n, until)
		_, _ = s.st.DeleteSession(ctx, c.Session.IDHash)
		return "", ErrLocked
	}
	return "", ErrPasskey
}

// credentialRef names a credential in the audit log by the start of its ID.
func credentialRef(id []byte) string {
	s := base64.RawURLEncoding.EncodeToString(id)
	if len(s) > 12 {
		return s[:12]
	}
	return s
}

// passkeyFail records passkey.fail for a registration and returns err.
func (s *Service) passkeyFail(ctx context.Context, c *Current, step, reason string, err error) error {
	s.audit(ctx, c.User.ID, c.Meta, store.AuditEntry{Action: "passkey.fail", ObjectType: "user", ObjectID: c.User.ID,
		Detail: map[string]any{"step": step, "reason": reason}})
	return err
}

// RemovePasskey removes one of the user's own passkeys (by its ID) and
// records passkey.remove. It reports false if the user has no such
// passkey, and gives ErrLastFactor if it is the only second factor of a
// user who must have one.
func (s *Service) RemovePasskey(ctx context.Context, c *Current, id string) (bool, error) {
	list, err := s.st.UserPasskeys(ctx, c.User.ID)
	if err != nil {
		return false, err
	}
	found := false
	for _, x := range list {
		found = found || x.ID == id
	}
	if !found {
		return false, nil
	}
	if len(list) == 1 && !c.User.TOTPEnabled && RequiresMFA(c.User.Admin, c.User.Memberships) {
		return false, ErrLastFactor
	}
	x, err := s.st.DeletePasskey(ctx, c.User.ID, id)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	s.audit(ctx, c.User.ID, c.Meta, store.AuditEntry{Action: "passkey.remove", ObjectType: "user", ObjectID: c.User.ID,
		Detail: map[string]any{"passkey": x.ID}})
	return true, nil
}

// IsPasskeyJSON reports whether body looks like a JSON object (a cheap
// check before parsing).
func IsPasskeyJSON(body []byte) bool {
	body = bytes.TrimSpace(body)
	return len(body) > 1 && body[0] == '{' && body[len(body)-1] == '}'
}
