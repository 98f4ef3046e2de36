package auth_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// acctLink makes the links of mails in these tests.
func acctLink(lang, path string) string { return "https://fellesrom.example/" + lang + path }

var reAcctToken = regexp.MustCompile(`https://fellesrom\.example/[a-z]+/(?:invitasjon|nytt-passord)/([A-Za-z0-9_-]{43})\b`)

// acctMails takes the mails waiting in the outbox (and marks them sent).
func acctMails(t *testing.T, st *store.Store) []store.OutboxMail {
	t.Helper()
	ctx := context.Background()
	far := time.Now().Add(1000 * time.Hour)
	ms, err := st.ClaimMail(ctx, far, 100, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if err := st.MarkSent(ctx, m, far); err != nil {
			t.Fatal(err)
		}
	}
	return ms
}

// acctToken is the token of the one link in a mail.
func acctToken(t *testing.T, m store.OutboxMail) string {
	t.Helper()
	got := reAcctToken.FindAllStringSubmatch(m.Body, -1)
	if len(got) != 1 {
		t.Fatalf("the %s mail has %d links:\n%s", m.Kind, len(got), m.Body)
	}
	return got[0][1]
}

// acctOrgs is a district with a house under it, and another house.
func acctOrgs(t *testing.T, st *store.Store) (district, house, other domain.Organisation) {
	t.Helper()
	ctx := context.Background()
	district = domain.Organisation{Kind: domain.OrgDistrictOffice, Slug: "distrikt", Name: "Distrikt Nord"}
	if err := st.SaveOrganisation(ctx, &district); err != nil {
		t.Fatal(err)
	}
	house = domain.Organisation{Kind: domain.OrgSelfHelpHouse, Slug: "huset", Name: "Huset Tromsø", ParentID: district.ID}
	other = domain.Organisation{Kind: domain.OrgSelfHelpHouse, Slug: "sor", Name: "Huset Sør"}
	for _, o := range []*domain.Organisation{&house, &other} {
		if err := st.SaveOrganisation(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	return
}

// acctSession signs a user in, with the TOTP code if they have TOTP on.
func acctSession(t *testing.T, svc *auth.Service, c *clock, email string) (*auth.Current, string) {
	t.Helper()
	ctx := context.Background()
	res, err := svc.SignIn(ctx, email, pw, meta, "")
	if err != nil {
		t.Fatal(err)
	}
	cur, err := svc.Authenticate(ctx, res.Token, meta)
	if err != nil {
		t.Fatal(err)
	}
	tok := res.Token
	switch cur.Stage() {
	case auth.StageEnrol:
		secret, _ := svc.PendingTOTP(ctx, cur)
		code, _ := auth.TOTPCode(secret, c.Now())
		if tok, err = svc.ConfirmTOTP(ctx, cur, code); err != nil {
			t.Fatal(err)
		}
	case auth.StageCode:
		c.Add(30 * time.Second)
		code, _ := auth.TOTPCode(cur.User.TOTPSecret, c.Now())
		if tok, err = svc.VerifyCode(ctx, cur, code); err != nil {
			t.Fatal(err)
		}
	}
	cur, err = svc.Authenticate(ctx, tok, meta)
	if err != nil || cur.Stage() != auth.StageDone {
		t.Fatalf("session: %v", err)
	}
	return cur, tok
}

// Who may invite whom where: administrators anything, coordinators the
// roles up to their own in their part of the tree, starters and partners
// nothing; a refused invitation writes nothing.
func TestInvitePermissions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		c := newClock()
		svc := service(st, c, roomy)
		district, house, other := acctOrgs(t, st)
		mkUser(t, svc, auth.NewUser{Email: "ada@example.no", Name: "Ada", Password: pw, Admin: true})
		mkUser(t, svc, auth.NewUser{Email: "kari@example.no", Name: "Kari", Password: pw,
			Memberships: []store.Membership{{OrgID: district.ID, Role: store.RoleCoordinator}}})
		mkUser(t, svc, auth.NewUser{Email: "sigrid@example.no", Name: "Sigrid", Password: pw,
			Memberships: []store.Membership{{OrgID: house.ID, Role: store.RoleStarter}}})
		mkUser(t, svc, auth.NewUser{Email: "per@example.no", Name: "Per", Password: pw,
			Memberships: []store.Membership{{OrgID: house.ID, Role: store.RolePartner}}})
		// A coordinator who has not enrolled the second factor may do nothing.
		res, _ := svc.SignIn(ctx, "kari@example.no", pw, meta, "")
		half, _ := svc.Authenticate(ctx, res.Token, meta)

		admin, _ := acctSession(t, svc, c, "ada@example.no")
		coord, _ := acctSession(t, svc, c, "kari@example.no")
		starter, _ := acctSession(t, svc, c, "sigrid@example.no")
		partner, _ := acctSession(t, svc, c, "per@example.no")
		if !auth.ManagesStaff(admin.Principal(), nil) {
			t.Error("an administrator does not manage staff")
		}
		type try struct {
			who   *auth.Current
			org   string
			role  store.Role
			admin bool
			ok    bool
		}
		for i, x := range []try{
			{admin, "", "", true, true},
			{admin, other.ID, store.RoleCoordinator, false, true},
			{admin, house.ID, store.RolePartner, false, true},
			{coord, district.ID, store.RoleCoordinator, false, true},
			{coord, house.ID, store.RoleStarter, false, true},
			{coord, house.ID, store.RolePartner, false, true},
			{coord, other.ID, store.RolePartner, false, false}, // another house
			{coord, "", "", true, false},                       // above their own role
			{coord, house.ID, "chief", false, false},
			{coord, "no-such-org", store.RolePartner, false, false},
			{starter, house.ID, store.RolePartner, false, false},
			{partner, house.ID, store.RolePartner, false, false},
			{half, house.ID, store.RolePartner, false, false},
		} {
			before, _ := st.Invites(ctx)
			_, err := svc.Invite(ctx, x.who, auth.InviteRequest{Email: "ny@example.no", Name: "Ny", OrgID: x.org, Role: x.role,
				Admin: x.admin, Lang: "nb"}, acctLink)
			if x.ok && err != nil || !x.ok && !errors.Is(err, auth.ErrNotAllowed) {
				t.Errorf("%d: %s invites %s/%v to %s: %v", i, x.who.User.Name, x.role, x.admin, x.org, err)
			}
			after, _ := st.Invites(ctx)
			if !x.ok && len(after) != len(before) {
				t.Errorf("%d: a refused invitation was written", i)
			}
			if got := auth.MayInvite(x.who.Principal(), treeOf(t, st), x.admin, x.role, x.org); got != x.ok {
				t.Errorf("%d: MayInvite %v", i, got)
			}
		}
		for _, who := range []*auth.Current{starter, partner, half} {
			if auth.ManagesStaff(who.Principal(), treeOf(t, st)) {
				t.Errorf("%s manages staff", who.User.Name)
			}
		}
		if !auth.ManagesStaff(coord.Principal(), treeOf(t, st)) || auth.SeesStaffOf(coord.Principal(), treeOf(t, st), other.ID) {
			t.Error("the coordinator's scope is wrong")
		}
		// Replaced invitations of the same address and role: 3 kept (admin,
		// coordinator of other, partner of house … replaced by the
		// coordinator's, starter of house, coordinator of the district).
		ms := acctMails(t, st)
		if len(ms) != 6 {
			t.Errorf("%d mails, want one per allowed invitation", len(ms))
		}
		// The coordinator sees the invitations in their part of the tree.
		list, err := svc.Invites(ctx, coord)
		if err != nil || len(list) != 3 {
			t.Errorf("the coordinator sees %d invitations: %v", len(list), err)
		}
		for _, inv := range list {
			if inv.Admin || inv.OrgID == other.ID {
				t.Errorf("the coordinator sees %+v", inv)
			}
		}
		all, _ := svc.Invites(ctx, admin)
		var foreign, adminInv store.Invite
		for _, inv := range all {
			if inv.OrgID == other.ID {
				foreign = inv
			}
			if inv.Admin {
				adminInv = inv
			}
		}
		for _, id := range []string{foreign.ID, adminInv.ID, "x", store.NewID()} {
			if err := svc.RevokeInvite(ctx, coord, id); !errors.Is(err, auth.ErrNotAllowed) {
				t.Errorf("the coordinator revoked %q: %v", id, err)
			}
			if err := svc.ResendInvite(ctx, coord, id, acctLink); !errors.Is(err, auth.ErrNotAllowed) {
				t.Errorf("the coordinator resent %q: %v", id, err)
			}
		}
		if err := svc.RevokeInvite(ctx, admin, foreign.ID); err != nil {
			t.Errorf("the administrator revokes: %v", err)
		}
		if err := svc.RevokeInvite(ctx, admin, foreign.ID); !errors.Is(err, auth.ErrNotAllowed) {
			t.Errorf("revoked twice: %v", err)
		}
		// Bad fields.
		for _, req := range []auth.InviteRequest{
			{Email: "ikke-en-adresse", Name: "Ny", OrgID: house.ID, Role: store.RolePartner, Lang: "nb"},
			{Email: "ny@example.no", Name: " ", OrgID: house.ID, Role: store.RolePartner, Lang: "nb"},
			{Email: "ny@example.no", Name: "Ny", OrgID: house.ID, Role: store.RolePartner, Lang: "de"},
			{Email: "ny@example.no\r\nBcc: x@evil.example", Name: "Ny", OrgID: house.ID, Role: store.RolePartner, Lang: "nb"},
		} {
			if _, err := svc.Invite(ctx, coord, req, acctLink); !errors.Is(err, auth.ErrBadInvite) {
				t.Errorf("%+v: %v", req, err)
			}
		}
	})
}

func treeOf(t *testing.T, st *store.Store) auth.Tree {
	t.Helper()
	orgs, err := st.Organisations(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return auth.NewTree(orgs)
}

// An invitation's mail carries a single-use link; the database keeps only
// its hash; accepting it makes the account, with the role, and a session
// that must enrol TOTP first; it expires after 72 hours; a resend kills
// the old link; an address with an account signs in and confirms.
func TestInviteAccept(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		c := newClock()
		svc := service(st, c, roomy)
		_, house, _ := acctOrgs(t, st)
		mkUser(t, svc, auth.NewUser{Email: "ada@example.no", Name: "Ada Admin", Password: pw, Admin: true})
		admin, _ := acctSession(t, svc, c, "ada@example.no")

		inv, err := svc.Invite(ctx, admin, auth.InviteRequest{Email: " Ola@Example.no", Name: "Ola Nordmann", OrgID: house.ID,
			Role: store.RoleCoordinator, Lang: "en"}, acctLink)
		if err != nil {
			t.Fatal(err)
		}
		if !inv.ExpiresAt.Equal(c.Now().Add(72*time.Hour).Truncate(time.Microsecond)) || inv.Email != "ola@example.no" {
			t.Errorf("invitation %+v", inv)
		}
		ms := acctMails(t, st)
		if len(ms) != 1 || ms[0].To != "ola@example.no" || ms[0].Lang != "en" || ms[0].Kind != "invite" ||
			ms[0].Subject != "Invitation to fellesrom" {
			t.Fatalf("mails %+v", ms)
		}
		body := ms[0].Body
		for _, s := range []string{"Hello Ola Nordmann", "Ada Admin has invited you", "Role: Coordinator at Huset Tromsø",
			"https://fellesrom.example/en/invitasjon/", "for 72 hours"} {
			if !strings.Contains(body, s) {
				t.Errorf("the mail lacks %q:\n%s", s, body)
			}
		}
		token := acctToken(t, ms[0])
		if _, err := st.InviteByToken(ctx, token, c.Now()); err == nil {
			t.Error("the database knows the token itself")
		}

		// The page of the link; a malformed or unknown token: one answer.
		o, err := svc.OpenInvite(ctx, token, meta)
		if err != nil || o.Invite.ID != inv.ID || o.OrgName != "Huset Tromsø" || o.Existing != nil {
			t.Fatalf("open: %+v %v", o, err)
		}
		other := "B"
		if token[42] == 'B' {
			other = "C"
		}
		for _, bad := range []string{"", "x", strings.Repeat("A", 43), token[:42] + other, token + "A", token[:42]} {
			if _, err := svc.OpenInvite(ctx, bad, meta); !errors.Is(err, auth.ErrLinkInvalid) {
				t.Errorf("token %q: %v", bad, err)
			}
		}
		// A weak password is refused and uses nothing.
		var pe *auth.PolicyError
		if _, err := svc.AcceptInvite(ctx, token, auth.Acceptance{Name: "Ola Nordmann", Password: "ola nordmann"}, meta, nil, ""); !errors.As(err, &pe) {
			t.Errorf("weak password: %v", err)
		}
		// Resend: the old link dies, the new one works.
		if err := svc.ResendInvite(ctx, admin, inv.ID, acctLink); err != nil {
			t.Fatal(err)
		}
		ms = acctMails(t, st)
		if len(ms) != 1 {
			t.Fatalf("%d mails after the resend", len(ms))
		}
		if _, err := svc.OpenInvite(ctx, token, meta); !errors.Is(err, auth.ErrLinkInvalid) {
			t.Errorf("the old link after a resend: %v", err)
		}
		token = acctToken(t, ms[0])
		res, err := svc.AcceptInvite(ctx, token, auth.Acceptance{Name: " ", Password: pw}, meta, nil, "")
		if err != nil || res.Stage != auth.StageEnrol || res.User.Name != "Ola Nordmann" {
			t.Fatalf("accept: %+v %v", res, err)
		}
		cur, err := svc.Authenticate(ctx, res.Token, meta)
		if err != nil || cur.Stage() != auth.StageEnrol || cur.User.Email != "ola@example.no" ||
			len(cur.User.Memberships) != 1 || cur.User.Memberships[0].Role != store.RoleCoordinator {
			t.Fatalf("the new session: %+v %v", cur, err)
		}
		if auth.Allowed(cur.Principal(), auth.ViewListing, house.ID, treeOf(t, st)) {
			t.Error("allowed before the second factor")
		}
		if _, err := svc.AcceptInvite(ctx, token, auth.Acceptance{Name: "Ola", Password: pw}, meta, nil, ""); !errors.Is(err, auth.ErrLinkInvalid) {
			t.Errorf("the link used twice: %v", err)
		}
		if _, err := svc.SignIn(ctx, "ola@example.no", pw, meta, ""); err != nil {
			t.Errorf("sign-in with the chosen password: %v", err)
		}

		// Expiry: 72 hours to the second.
		_, err = svc.Invite(ctx, admin, auth.InviteRequest{Email: "per@example.no", Name: "Per", OrgID: house.ID,
			Role: store.RolePartner, Lang: "nb"}, acctLink)
		if err != nil {
			t.Fatal(err)
		}
		ms = acctMails(t, st)
		perToken := acctToken(t, ms[0])
		if !strings.Contains(ms[0].Body, "Hei, Per!") || !strings.Contains(ms[0].Body, "Samarbeidspartner (bare lesetilgang) i Huset Tromsø") {
			t.Errorf("the Bokmål mail:\n%s", ms[0].Body)
		}
		c.Add(72*time.Hour - time.Second)
		if _, err := svc.OpenInvite(ctx, perToken, meta); err != nil {
			t.Errorf("a second before it expires: %v", err)
		}
		c.Add(time.Second)
		if _, err := svc.OpenInvite(ctx, perToken, meta); !errors.Is(err, auth.ErrLinkInvalid) {
			t.Errorf("after 72 hours: %v", err)
		}
		if _, err := svc.AcceptInvite(ctx, perToken, auth.Acceptance{Name: "Per", Password: pw}, meta, nil, ""); !errors.Is(err, auth.ErrLinkInvalid) {
			t.Errorf("accept after 72 hours: %v", err)
		}

		// An address that has an account: sign in first, then the role is
		// added and the session renewed.
		admin, _ = acctSession(t, svc, c, "ada@example.no")
		if _, err := svc.Invite(ctx, admin, auth.InviteRequest{Email: "ola@example.no", Name: "Ola", OrgID: house.ID,
			Role: store.RolePartner, Lang: "nn"}, acctLink); err != nil {
			t.Fatal(err)
		}
		ms = acctMails(t, st)
		if !strings.Contains(ms[0].Body, "Følg lenka") {
			t.Errorf("the Nynorsk mail:\n%s", ms[0].Body)
		}
		olaToken := acctToken(t, ms[0])
		o, err = svc.OpenInvite(ctx, olaToken, meta)
		if err != nil || o.Existing == nil || o.Existing.Email != "ola@example.no" {
			t.Fatalf("open for an existing account: %+v %v", o, err)
		}
		for _, who := range []*auth.Current{nil, admin} {
			if _, err := svc.AcceptInvite(ctx, olaToken, auth.Acceptance{Password: pw}, meta, who, ""); !errors.Is(err, auth.ErrSignInFirst) {
				t.Errorf("accepted without the account's session: %v", err)
			}
		}
		ola, olaTok := acctSession(t, svc, c, "ola@example.no")
		res, err = svc.AcceptInvite(ctx, olaToken, auth.Acceptance{}, meta, ola, "")
		if err != nil || res.Token == olaTok || len(res.User.Memberships) != 2 {
			t.Fatalf("accept as the account: %+v %v", res, err)
		}
		if _, err := svc.Authenticate(ctx, olaTok, meta); !errors.Is(err, auth.ErrNoSession) {
			t.Error("the session from before the new role still works")
		}
		if _, err := svc.Authenticate(ctx, res.Token, meta); err != nil {
			t.Errorf("the renewed session: %v", err)
		}
		got := actions(t, st, store.AuditFilter{Action: "invite."})
		want := []string{"invite.create", "invite.resend", "invite.accept", "invite.create", "invite.create", "invite.accept"}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("audit %v, want %v", got, want)
		}
		for _, e := range mustLog(t, st, "invite.") {
			if strings.Contains(fmtDetail(e.Detail), token) || strings.Contains(fmtDetail(e.Detail), "@") {
				t.Errorf("%s holds the token or an address", e.Action)
			}
		}
	})
}

func mustLog(t *testing.T, st *store.Store, action string) []store.AuditEntry {
	t.Helper()
	log, err := st.AuditLog(context.Background(), store.AuditFilter{Action: action, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return log
}

// Every view and form of a link counts against the network's limit.
func TestTokenRateLimit(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	c := newClock()
	c.t = c.t.Truncate(15 * time.Minute)
	svc := service(st, c, auth.Limits{Window: 15 * time.Minute, PerSource: 5, PerAccount: 100, PerCode: 100})
	for i := range 5 {
		if _, err := svc.OpenInvite(ctx, strings.Repeat("A", 43), meta); !errors.Is(err, auth.ErrLinkInvalid) {
			t.Fatalf("attempt %d: %v", i+1, err)
		}
	}
	var rl *auth.RateLimitedError
	if _, err := svc.OpenInvite(ctx, strings.Repeat("A", 43), meta); !errors.As(err, &rl) {
		t.Errorf("the 6th attempt: %v", err)
	}
	if _, err := svc.OpenPasswordReset(ctx, strings.Repeat("A", 43), meta); !errors.As(err, &rl) {
		t.Errorf("a reset link after the limit: %v", err)
	}
	other := meta
	other.Source = "198.51.100.0/24"
	if _, err := svc.OpenPasswordReset(ctx, strings.Repeat("A", 43), other); !errors.Is(err, auth.ErrLinkInvalid) {
		t.Errorf("another network: %v", err)
	}
	c.Add(15 * time.Minute)
	if _, err := svc.OpenInvite(ctx, strings.Repeat("A", 43), meta); !errors.Is(err, auth.ErrLinkInvalid) {
		t.Errorf("the next window: %v", err)
	}
	if got := actions(t, st, store.AuditFilter{Action: "account.rate_limited"}); len(got) != 1 {
		t.Errorf("rate-limit entries %v, want one for the window", got)
	}
}

func TestValidEmail(t *testing.T) {
	for s, want := range map[string]bool{"kari@example.no": true, " kari@example.no ": true, "ø@æ.no": true,
		"kari": false, "kari@": false, "@example.no": false, "kari@example": false, "kari@@example.no": false,
		"kari @example.no": false, "<kari@example.no>": false, "kari@example.no,per@example.no": false,
		"kari@example.no\nBcc: x@y.no": false, "kari@.no": false, "kari@example..no": false, "kari@example.no.": false} {
		if got := auth.ValidEmail(s); got != want {
			t.Errorf("ValidEmail(%q) = %v", s, got)
		}
	}
}
