package auth

import (
	"slices"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
)

// Permission is something a principal may be allowed to do in an
// organisation (with everything under it) or in the whole installation.
type Permission string

const (
	// ViewListing: see the back office's view of an organisation's
	// listings (groups, venues, rooms, the organisation), no personal data.
	ViewListing Permission = "listing.view"
	// EditListing: change an organisation's listings or the organisation.
	EditListing Permission = "listing.edit"
	// ManageTaxonomy: themes and group models (installation-wide).
	ManageTaxonomy Permission = "taxonomy.manage"
	// ManageUsers: create, change and disable any user, make administrators.
	ManageUsers Permission = "users.manage"
	// InviteCoordinator, InviteStarter, InvitePartner: invite a user with
	// that role to an organisation (see InvitePermission).
	InviteCoordinator Permission = "invite.coordinator"
	InviteStarter     Permission = "invite.starter"
	InvitePartner     Permission = "invite.partner"
	// ReadAudit: search the audit log.
	ReadAudit Permission = "audit.read"
	// ReadPersonalData: read the personal data an organisation holds
	// (enquiries). Every such read is logged by the caller.
	ReadPersonalData Permission = "personal.read"
	// SubmitReferral: fill the enquiry form with a person present, for the
	// house to see once the person confirms it. It reads nothing.
	SubmitReferral Permission = "referral.submit"
)

// Permissions are every permission.
var Permissions = []Permission{ViewListing, EditListing, ManageTaxonomy, ManageUsers, InviteCoordinator, InviteStarter,
	InvitePartner, ReadAudit, ReadPersonalData, SubmitReferral}

// InvitePermission is the permission to invite a user with role r.
func InvitePermission(r store.Role) Permission {
	return Permission("invite." + string(r))
}

// rank orders the roles: a user may give only roles up to their own.
func rank(r store.Role) int {
	switch r {
	case store.RoleCoordinator:
		return 3
	case store.RoleStarter:
		return 2
	case store.RolePartner:
		return 1
	}
	return 0
}

// Principal is who acts: a signed-in staff user, their roles, and whether
// their session has given the second factor.
type Principal struct {
	UserID      string
	Admin       bool
	Memberships []store.Membership
	MFA         bool
}

// RequiresMFA reports whether a user must give a second factor: every role
// that can see personal data (administrators, coordinators, starters).
// Partners may sign in with a password alone.
func RequiresMFA(admin bool, ms []store.Membership) bool {
	if admin {
		return true
	}
	for _, m := range ms {
		if m.Role == store.RoleCoordinator || m.Role == store.RoleStarter {
			return true
		}
	}
	return false
}

// NeedsMFA reports whether the principal must have given a second factor.
func (p Principal) NeedsMFA() bool { return RequiresMFA(p.Admin, p.Memberships) }

// Tree is the organisation tree: each organisation's parent ("" at a root).
type Tree map[string]string

// NewTree builds the tree of the organisations.
func NewTree(orgs []domain.Organisation) Tree {
	t := make(Tree, len(orgs))
	for _, o := range orgs {
		t[o.ID] = o.ParentID
	}
	return t
}

// Within reports whether org is top or under it. A cycle in the tree (which
// the data should never have) ends the walk.
func (t Tree) Within(org, top string) bool {
	if org == "" || top == "" {
		return false
	}
	for range len(t) + 1 {
		if org == top {
			return true
		}
		parent, ok := t[org]
		if !ok || parent == "" {
			return false
		}
		org = parent
	}
	return false
}

// hasRole reports whether p has a role that ok accepts in org or above it.
func (p Principal) hasRole(org string, t Tree, ok func(store.Role) bool) bool {
	for _, m := range p.Memberships {
		if ok(m.Role) && t.Within(org, m.OrgID) {
			return true
		}
	}
	return false
}

// Allowed reports whether p may do perm in the organisation orgID (and so,
// for a coordinator, anywhere under an organisation they coordinate). For
// installation-wide permissions orgID is ignored. A principal that needs a
// second factor and has not given it may do nothing.
//
//	administrator: everything, everywhere
//	coordinator:   view and edit listings, read personal data, invite any
//	               role, in their organisations and everything under them
//	starter:       nothing yet (what is assigned to them comes later)
//	partner:       view listings and submit referrals, in their
//	               organisations and under them
func Allowed(p Principal, perm Permission, orgID string, t Tree) bool {
	if p.UserID == "" || !slices.Contains(Permissions, perm) {
		return false
	}
	if p.NeedsMFA() && !p.MFA {
		return false
	}
	if p.Admin {
		return true
	}
	switch perm {
	case ViewListing, SubmitReferral:
		return p.hasRole(orgID, t, func(r store.Role) bool { return r == store.RoleCoordinator || r == store.RolePartner })
	case EditListing, ReadPersonalData:
		return p.hasRole(orgID, t, func(r store.Role) bool { return r == store.RoleCoordinator })
	case InviteCoordinator, InviteStarter, InvitePartner:
		target := store.Role(perm[len("invite."):])
		return p.hasRole(orgID, t, func(r store.Role) bool {
			return r == store.RoleCoordinator && rank(target) <= rank(r)
		})
	}
	return false // ManageTaxonomy, ManageUsers, ReadAudit: administrators only
}
