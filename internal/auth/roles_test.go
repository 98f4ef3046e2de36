package auth_test

import (
	"slices"
	"testing"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/store"
)

// The tree of the matrix:
//
//	national ─┬─ district ─┬─ house (own) ── branch (child)
//	          │            └─ sibling
//	other ──── otherchild  (another tree)
var tree = auth.Tree{
	"national": "", "district": "national", "house": "district", "branch": "house", "sibling": "district",
	"other": "", "otherchild": "other",
}

// Where, seen from a principal whose organisation is "house".
var places = []struct{ name, org string }{
	{"own", "house"}, {"child", "branch"}, {"parent", "district"}, {"sibling", "sibling"},
	{"other tree", "otherchild"}, {"installation", ""}, {"unknown", "no-such-org"},
}

// TestRoleMatrix checks every role against every permission in every place.
// The expectations are written out, not computed: what the issue asks for.
func TestRoleMatrix(t *testing.T) {
	member := func(r store.Role) []store.Membership { return []store.Membership{{OrgID: "house", Role: r}} }
	inScope := map[string]bool{"own": true, "child": true}
	type principal struct {
		name string
		p    auth.Principal
		// allow says whether the principal may do perm at place.
		allow func(perm auth.Permission, place string) bool
	}
	scoped := func(perms ...auth.Permission) func(auth.Permission, string) bool {
		return func(perm auth.Permission, place string) bool { return inScope[place] && slices.Contains(perms, perm) }
	}
	never := func(auth.Permission, string) bool { return false }
	principals := []principal{
		{"administrator", auth.Principal{UserID: "u", Admin: true, MFA: true}, func(auth.Permission, string) bool { return true }},
		{"administrator without second factor", auth.Principal{UserID: "u", Admin: true}, never},
		{"coordinator", auth.Principal{UserID: "u", Memberships: member(store.RoleCoordinator), MFA: true},
			scoped(auth.ViewListing, auth.EditListing, auth.ReadPersonalData, auth.InviteCoordinator, auth.InviteStarter, auth.InvitePartner,
				auth.SubmitReferral)},
		{"coordinator without second factor", auth.Principal{UserID: "u", Memberships: member(store.RoleCoordinator)}, never},
		{"starter", auth.Principal{UserID: "u", Memberships: member(store.RoleStarter), MFA: true}, never},
		{"starter without second factor", auth.Principal{UserID: "u", Memberships: member(store.RoleStarter)}, never},
		{"partner", auth.Principal{UserID: "u", Memberships: member(store.RolePartner)}, scoped(auth.ViewListing, auth.SubmitReferral)},
		{"partner with second factor", auth.Principal{UserID: "u", Memberships: member(store.RolePartner), MFA: true},
			scoped(auth.ViewListing, auth.SubmitReferral)},
		{"nobody", auth.Principal{}, never},
		{"no roles", auth.Principal{UserID: "u", MFA: true}, never},
	}
	n := 0
	for _, pr := range principals {
		for _, perm := range append(slices.Clone(auth.Permissions), "no.such.permission") {
			for _, pl := range places {
				want := pr.allow(perm, pl.name) && perm != "no.such.permission"
				if got := auth.Allowed(pr.p, perm, pl.org, tree); got != want {
					t.Errorf("%s, %s, %s organisation: %v, want %v", pr.name, perm, pl.name, got, want)
				}
				n++
			}
		}
	}
	if n != len(principals)*(len(auth.Permissions)+1)*len(places) || len(auth.Permissions) < 9 {
		t.Fatalf("%d cases", n)
	}
}

func TestRoleCombinations(t *testing.T) {
	// Partner of the district and coordinator of the branch: sees the house,
	// edits only the branch.
	p := auth.Principal{UserID: "u", MFA: true, Memberships: []store.Membership{
		{OrgID: "district", Role: store.RolePartner}, {OrgID: "branch", Role: store.RoleCoordinator}}}
	for _, c := range []struct {
		perm auth.Permission
		org  string
		want bool
	}{
		{auth.ViewListing, "house", true}, {auth.ViewListing, "sibling", true}, {auth.EditListing, "house", false},
		{auth.EditListing, "branch", true}, {auth.ReadPersonalData, "house", false}, {auth.ReadPersonalData, "branch", true},
		{auth.InviteCoordinator, "branch", true}, {auth.InvitePartner, "house", false}, {auth.ViewListing, "other", false},
	} {
		if got := auth.Allowed(p, c.perm, c.org, tree); got != c.want {
			t.Errorf("%s in %s: %v", c.perm, c.org, got)
		}
	}
	if p.NeedsMFA() != true || (auth.Principal{Memberships: []store.Membership{{OrgID: "x", Role: store.RolePartner}}}).NeedsMFA() {
		t.Error("NeedsMFA")
	}
	for _, r := range store.Roles {
		if perm := auth.InvitePermission(r); !slices.Contains(auth.Permissions, perm) {
			t.Errorf("no permission to invite %s", r)
		}
	}
	// A cycle in the data ends the walk instead of looping.
	cyc := auth.Tree{"a": "b", "b": "a"}
	if cyc.Within("a", "c") || !cyc.Within("a", "b") {
		t.Error("cycle")
	}
	if !tree.Within("branch", "national") || tree.Within("national", "branch") || tree.Within("", "") {
		t.Error("Within")
	}
}
