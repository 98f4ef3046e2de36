package auth

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/i18n"
	"github.com/fellesrom/fellesrom/internal/mail"
	"github.com/fellesrom/fellesrom/internal/store"
)

// Invitations. An administrator or a coordinator invites someone by e-mail
// to a role in an organisation (or, an administrator, to be administrator).
// The mail carries a link with a random token of 32 bytes; the database
// keeps only its SHA-256 (store.Invite), the link works once and for
// InviteTTL. Whoever follows it sets their name and password (a new
// account), or, if the address has an account already, signs in and
// confirms; the role is then theirs. Every step is in the audit log
// (invite.create, invite.resend, invite.revoke, invite.accept), never with
// the token or the address.

// InviteTTL is how long an invitation link works.
const InviteTTL = 72 * time.Hour

// InviteRetention is how long an invitation is kept after it expired or
// was accepted (it holds an address): the staff page shows expired ones
// for a while, so that they can be sent again.
const InviteRetention = 30 * 24 * time.Hour

// MailLanguages are the languages an invitation's mail can be in.
var MailLanguages = []string{"nb", "nn", "en"}

// Errors of invitations and password resets.
var (
	// ErrNotAllowed: the user may not do this (the page answers as if the
	// thing did not exist, or with 403 on a form).
	ErrNotAllowed = errors.New("auth: not allowed")
	// ErrLinkInvalid is the one answer to a token that is malformed,
	// unknown, used, expired or revoked, or whose account is disabled.
	ErrLinkInvalid = errors.New("auth: the link is no longer valid")
	// ErrSignInFirst: the invitation is for an address that has an
	// account; its owner must be signed in (fully) to accept it.
	ErrSignInFirst = errors.New("auth: sign in with the invited account first")
	// ErrBadInvite: the invitation's e-mail address, name or language, or
	// the name given when accepting it, cannot be used.
	ErrBadInvite = errors.New("auth: the invitation is incomplete")
)

// InviteRequest is an invitation as the inviter fills it in.
type InviteRequest struct {
	Email string
	Name  string
	OrgID string     // "" with Admin
	Role  store.Role // "" with Admin
	Admin bool       // make an administrator of the installation
	Lang  string     // the language of the mail: one of MailLanguages
}

// LinkFunc makes the absolute URL of the page at path ("/invitasjon/<token>")
// in the language lang, for a mail.
type LinkFunc func(lang, path string) string

// MayInvite reports whether p may invite someone with role to the
// organisation org, or (admin) make an administrator: administrators
// anything, coordinators the roles up to their own in their organisations
// and everything under them (InvitePermission), starters and partners
// nothing. The organisation must be in the tree.
func MayInvite(p Principal, t Tree, admin bool, role store.Role, org string) bool {
	if admin {
		return Allowed(p, ManageUsers, "", t)
	}
	if _, ok := t[org]; !ok || !role.Valid() {
		return false
	}
	return Allowed(p, InvitePermission(role), org, t)
}

// SeesStaffOf reports whether p sees the staff of the organisation org and
// the invitations to it: administrators everywhere, coordinators where
// they may invite.
func SeesStaffOf(p Principal, t Tree, org string) bool {
	return MayInvite(p, t, false, store.RolePartner, org)
}

// ManagesStaff reports whether p may see the staff page at all: an
// administrator, or a coordinator of some organisation.
func ManagesStaff(p Principal, t Tree) bool {
	if Allowed(p, ManageUsers, "", t) {
		return true
	}
	for org := range t {
		if SeesStaffOf(p, t, org) {
			return true
		}
	}
	return false
}

// SeesInvite reports whether p sees (and may revoke or resend) inv.
func SeesInvite(p Principal, t Tree, inv store.Invite) bool {
	return MayInvite(p, t, inv.Admin, inv.Role, inv.OrgID)
}

// ValidEmail reports whether s (trimmed) can be an e-mail address a mail
// is sent to: one @ between a local part and a domain with a dot, no
// spaces, no control characters, nothing that belongs in a header rather
// than an address, at most 254 bytes.
func ValidEmail(s string) bool {
	s = strings.TrimSpace(s)
	if len(s) < 3 || len(s) > 254 || strings.ContainsAny(s, " <>,;:\"()[]\\") ||
		strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) }) {
		return false
	}
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && !strings.Contains(domain, "@") && strings.Contains(domain, ".") &&
		!strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".") && !strings.Contains(domain, "..")
}

// validName reports whether s (trimmed) can be a person's name: not empty,
// at most 200 bytes, on one line.
func validName(s string) bool {
	return s != "" && len(s) <= 200 && !strings.ContainsFunc(s, unicode.IsControl)
}

// tree loads the organisation tree and the organisations by ID.
func (s *Service) tree(ctx context.Context) (Tree, map[string]domain.Organisation, error) {
	orgs, err := s.st.Organisations(ctx)
	if err != nil {
		return nil, nil, err
	}
	byID := make(map[string]domain.Organisation, len(orgs))
	for _, o := range orgs {
		byID[o.ID] = o
	}
	return NewTree(orgs), byID, nil
}

// actorCtx is ctx with c's user as the actor of store changes.
func actorCtx(ctx context.Context, c *Current) context.Context {
	return store.WithActor(ctx, store.Actor{ID: c.User.ID, Source: c.Meta.Source})
}

// inviteMail composes the mail of an invitation with the link of token.
func (s *Service) inviteMail(inv store.Invite, inviter, orgName, token string, link LinkFunc) (store.OutboxMail, error) {
	cat := i18n.DefaultCatalog()
	role := cat.T(inv.Lang, "staff.role_admin", nil)
	if !inv.Admin {
		role = cat.T(inv.Lang, "account.mail_role_in", map[string]any{
			"Role": cat.T(inv.Lang, "staff.role_"+string(inv.Role), nil), "Org": orgName})
	}
	name := inv.Name
	if name == "" {
		name = inv.Email
	}
	subject, body, err := mail.Compose(cat, inv.Lang, "invite", map[string]any{
		"Name": name, "Inviter": inviter, "Role": role, "Link": link(inv.Lang, "/invitasjon/"+token),
		"Hours": int(InviteTTL / time.Hour)})
	if err != nil {
		return store.OutboxMail{}, err
	}
	return store.OutboxMail{To: inv.Email, Subject: subject, Body: body, Lang: inv.Lang, Kind: "invite"}, nil
}

// Invite invites someone as c's user, if they may (MayInvite; else
// ErrNotAllowed): it stores the invitation and its mail, with the link
// that link makes, in one transaction. A pending invitation of the same
// address to the same role is replaced. The inviter never learns whether
// the address has an account.
func (s *Service) Invite(ctx context.Context, c *Current, req InviteRequest, link LinkFunc) (store.Invite, error) {
	t, orgs, err := s.tree(ctx)
	if err != nil {
		return store.Invite{}, err
	}
	if req.Admin {
		req.OrgID, req.Role = "", ""
	}
	if !MayInvite(c.Principal(), t, req.Admin, req.Role, req.OrgID) {
		return store.Invite{}, ErrNotAllowed
	}
	req.Name = strings.TrimSpace(req.Name)
	if !ValidEmail(req.Email) || !validName(req.Name) || !slices.Contains(MailLanguages, req.Lang) {
		return store.Invite{}, ErrBadInvite
	}
	now := s.Now()
	token, hash := NewToken()
	inv := store.Invite{Email: store.NormalizeEmail(req.Email), Name: req.Name, OrgID: req.OrgID, Role: req.Role,
		Admin: req.Admin, Lang: req.Lang, CreatedBy: c.User.ID, CreatedAt: now, ExpiresAt: now.Add(InviteTTL)}
	m, err := s.inviteMail(inv, c.User.Name, orgs[req.OrgID].Name, token, link)
	if err != nil {
		return store.Invite{}, err
	}
	if err := s.st.CreateInvite(actorCtx(ctx, c), &inv, hash, m); err != nil {
		return store.Invite{}, err
	}
	return inv, nil
}

// Invites lists the invitations c's user sees (SeesInvite) that were not
// accepted, pending or expired, the newest first. Invitations past
// InviteRetention are deleted first.
func (s *Service) Invites(ctx context.Context, c *Current) ([]store.Invite, error) {
	if _, err := s.st.PruneInvites(ctx, s.Now().Add(-InviteRetention)); err != nil {
		return nil, err
	}
	t, _, err := s.tree(ctx)
	if err != nil {
		return nil, err
	}
	all, err := s.st.Invites(ctx)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, inv := range all {
		if SeesInvite(c.Principal(), t, inv) {
			out = append(out, inv)
		}
	}
	return out, nil
}

// seenInvite returns the invitation id if c's user sees it and it was not
// accepted; ErrNotAllowed otherwise (whether it exists or not).
func (s *Service) seenInvite(ctx context.Context, c *Current, id string) (store.Invite, Tree, map[string]domain.Organisation, error) {
	if !store.ValidID(id) {
		return store.Invite{}, nil, nil, ErrNotAllowed
	}
	t, orgs, err := s.tree(ctx)
	if err != nil {
		return store.Invite{}, nil, nil, err
	}
	inv, err := s.st.Invite(ctx, id)
	if errors.Is(err, store.ErrNotFound) || err == nil && (!inv.UsedAt.IsZero() || !SeesInvite(c.Principal(), t, inv)) {
		return store.Invite{}, nil, nil, ErrNotAllowed
	}
	return inv, t, orgs, err
}

// RevokeInvite withdraws an invitation c's user sees: its link stops
// working. An invitation they do not see, or that was accepted, gives
// ErrNotAllowed.
func (s *Service) RevokeInvite(ctx context.Context, c *Current, id string) error {
	if _, _, _, err := s.seenInvite(ctx, c, id); err != nil {
		return err
	}
	err := s.st.RevokeInvite(actorCtx(ctx, c), id)
	if errors.Is(err, store.ErrNotFound) {
		return ErrNotAllowed
	}
	return err
}

// ResendInvite sends an invitation c's user sees again, with a new token
// (the old link stops working) and a new expiry, in the language of the
// first mail, and in the inviter's name of whoever resends it.
func (s *Service) ResendInvite(ctx context.Context, c *Current, id string, link LinkFunc) error {
	inv, _, orgs, err := s.seenInvite(ctx, c, id)
	if err != nil {
		return err
	}
	now := s.Now()
	token, hash := NewToken()
	m, err := s.inviteMail(inv, c.User.Name, orgs[inv.OrgID].Name, token, link)
	if err != nil {
		return err
	}
	err = s.st.ResendInvite(actorCtx(ctx, c), id, hash, now, now.Add(InviteTTL), m)
	if errors.Is(err, store.ErrNotFound) {
		return ErrNotAllowed
	}
	return err
}

// OpenedInvite is a pending invitation, as the page of its link shows it.
type OpenedInvite struct {
	Invite  store.Invite
	OrgName string
	// Existing is the account the address has, if any: its owner signs in
	// and confirms instead of choosing a password.
	Existing *store.User
}

// tokenLimit counts an attempt to use a token from m's network: every view
// and every form of an invitation or a reset link, valid or not.
func (s *Service) tokenLimit(ctx context.Context, m Meta) error {
	if err := s.limit(ctx, "token:src:"+m.Source, s.limits.PerSource); err != nil {
		return s.limitedAs(ctx, m, err, "token")
	}
	return nil
}

// limitedAs audits the first refusal of a window of one of this file's
// limits as account.rate_limited, and passes the error on.
func (s *Service) limitedAs(ctx context.Context, m Meta, err error, what string) error {
	var rl *RateLimitedError
	if errors.As(err, &rl) && rl.first {
		s.audit(ctx, "", m, store.AuditEntry{Action: "account.rate_limited", Detail: map[string]any{"limit": what}})
	}
	return err
}

// OpenInvite returns the pending invitation of a token, for the page of
// its link. Every call counts against the network's limit
// (*RateLimitedError); a token that cannot be used gives ErrLinkInvalid,
// whatever the reason.
func (s *Service) OpenInvite(ctx context.Context, token string, m Meta) (OpenedInvite, error) {
	if err := s.tokenLimit(ctx, m); err != nil {
		return OpenedInvite{}, err
	}
	if !WellFormed(token) {
		return OpenedInvite{}, ErrLinkInvalid
	}
	inv, err := s.st.InviteByToken(ctx, HashToken(token), s.Now())
	if errors.Is(err, store.ErrTokenInvalid) {
		return OpenedInvite{}, ErrLinkInvalid
	}
	if err != nil {
		return OpenedInvite{}, err
	}
	o := OpenedInvite{Invite: inv}
	if !inv.Admin {
		org, err := s.st.Organisation(ctx, inv.OrgID)
		if err != nil {
			return OpenedInvite{}, err
		}
		o.OrgName = org.Name
	}
	u, err := s.st.UserByEmail(ctx, inv.Email)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return OpenedInvite{}, err
	case u.Disabled:
		// A disabled account is not brought back by an invitation.
		return OpenedInvite{}, ErrLinkInvalid
	default:
		o.Existing = &u
	}
	return o, nil
}

// Acceptance is what the invitee sends: for a new account their name and
// password; for an existing one nothing (they are signed in).
type Acceptance struct {
	Name     string
	Password string
}

// AcceptInvite accepts the invitation of token.
//
// For an address without an account it checks the password against the
// policy (*PolicyError), creates the user with the invitation's role in the
// same transaction that uses the token, and starts a session: the result's
// Stage says whether the user must now enrol a second factor. oldToken, a
// session the browser had, is ended.
//
// For an address with an account, c must be that account's session with
// the sign-in done (else ErrSignInFirst); the role is added, and the
// session is replaced by a new one (its rights changed).
//
// A token that cannot be used gives ErrLinkInvalid; every call counts
// against the network's limit.
func (s *Service) AcceptInvite(ctx context.Context, token string, a Acceptance, m Meta, c *Current, oldToken string) (Result, error) {
	o, err := s.OpenInvite(ctx, token, m)
	if err != nil {
		return Result{}, err
	}
	now := s.Now()
	hash := HashToken(token)
	if o.Existing != nil {
		if c == nil || c.Stage() != StageDone || c.User.ID != o.Existing.ID {
			return Result{}, ErrSignInFirst
		}
		if _, err := s.st.AcceptInvite(actorCtx(ctx, c), hash, now, nil, c.User.ID); err != nil {
			if errors.Is(err, store.ErrTokenInvalid) {
				return Result{}, ErrLinkInvalid
			}
			return Result{}, err
		}
		u, err := s.st.User(ctx, c.User.ID)
		if err != nil {
			return Result{}, err
		}
		c.User = u
		tok, err := s.rotate(ctx, c, c.Session.MFA)
		if err != nil {
			return Result{}, err
		}
		return Result{Token: tok, Stage: c.Stage(), User: u}, nil
	}

	name := strings.TrimSpace(a.Name)
	if name == "" {
		name = o.Invite.Name
	}
	if !validName(name) {
		return Result{}, ErrBadInvite
	}
	if err := CheckPassword(a.Password, o.Invite.Email, name); err != nil {
		return Result{}, err
	}
	h, err := HashPassword(a.Password, s.params)
	if err != nil {
		return Result{}, err
	}
	u := store.User{Name: name, PasswordHash: h}
	actx := store.WithActor(ctx, store.Actor{Source: m.Source})
	if _, err := s.st.AcceptInvite(actx, hash, now, &u, ""); err != nil {
		switch {
		case errors.Is(err, store.ErrTokenInvalid):
			return Result{}, ErrLinkInvalid
		case errors.Is(err, store.ErrEmailTaken):
			return Result{}, ErrSignInFirst // the account was made meanwhile
		}
		return Result{}, err
	}
	if oldToken != "" && WellFormed(oldToken) {
		if _, err := s.st.DeleteSession(ctx, HashToken(oldToken)); err != nil {
			return Result{}, err
		}
	}
	sessionToken, _, err := s.startSession(ctx, u, false, m)
	if err != nil {
		return Result{}, err
	}
	if err := s.st.SigninSucceeded(ctx, u.ID, now); err != nil {
		return Result{}, err
	}
	stage, err := s.stageFor(ctx, u, false)
	if err != nil {
		return Result{}, err
	}
	detail := map[string]any{"method": "invite", "mfa": false}
	if stage == StageEnrol {
		detail["next"] = "totp_enrol"
	}
	s.audit(ctx, u.ID, m, store.AuditEntry{Action: "signin.ok", ObjectType: "user", ObjectID: u.ID, Detail: detail})
	return Result{Token: sessionToken, Stage: stage, User: u}, nil
}
