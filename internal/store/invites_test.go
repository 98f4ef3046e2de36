package store_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// tokenHash is the hash of a fresh random token, as package auth makes it.
func tokenHash() string {
	b := make([]byte, 32)
	rand.Read(b)
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func inviteMail(to string) store.OutboxMail {
	return store.OutboxMail{To: to, Subject: "Invitasjon", Body: "Lenken: https://x.example/invitasjon/…", Lang: "nb", Kind: "invite"}
}

func pendingMails(t *testing.T, s *store.Store) int {
	t.Helper()
	sum, err := s.OutboxStatus(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return sum.Counts[store.MailPending]
}

// auditClean fails if an audit entry of the accounts holds an address, a
// name or a token hash.
func auditClean(t *testing.T, s *store.Store, secrets ...string) []string {
	t.Helper()
	log, err := s.AuditLog(context.Background(), store.AuditFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for i := len(log) - 1; i >= 0; i-- {
		e := log[i]
		d := fmt.Sprint(e.Detail) + e.ObjectID
		for _, x := range append(secrets, "@") {
			if strings.Contains(d, x) {
				t.Errorf("%s: the audit entry holds %q: %v", e.Action, x, e.Detail)
			}
		}
		actions = append(actions, e.Action)
	}
	return actions
}

// An invitation and its mail are one transaction; a token works once,
// until it expires, and not after it is replaced, resent or revoked.
func TestInvitesStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := store.WithActor(context.Background(), store.Actor{ID: "inviter", Source: "192.0.2.0/24"})
		house := newOrg(t, s, "huset", "")
		now := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
		mk := func(email string, role store.Role, admin bool) (store.Invite, string) {
			t.Helper()
			inv := store.Invite{Email: email, Name: "Ola Nordmann", OrgID: house.ID, Role: role, Admin: admin, Lang: "en",
				CreatedAt: now, ExpiresAt: now.Add(72 * time.Hour)}
			if admin {
				inv.OrgID = ""
			}
			h := tokenHash()
			if err := s.CreateInvite(ctx, &inv, h, inviteMail(store.NormalizeEmail(inv.Email))); err != nil {
				t.Fatal(err)
			}
			return inv, h
		}
		inv, h1 := mk(" Ola@Example.NO ", store.RoleStarter, false)
		if inv.ID == "" || inv.Email != "ola@example.no" || pendingMails(t, s) != 1 {
			t.Fatalf("created %+v", inv)
		}
		got, err := s.InviteByToken(ctx, h1, now.Add(71*time.Hour))
		if err != nil || got.ID != inv.ID || got.Role != store.RoleStarter || got.OrgID != house.ID || got.Lang != "en" ||
			got.Name != "Ola Nordmann" || got.CreatedBy != "" && got.CreatedBy != "inviter" {
			t.Fatalf("by token: %+v %v", got, err)
		}
		for what, at := range map[string]time.Time{"expired": now.Add(72 * time.Hour), "unknown": now} {
			h := h1
			if what == "unknown" {
				h = tokenHash()
			}
			if _, err := s.InviteByToken(ctx, h, at); !errors.Is(err, store.ErrTokenInvalid) {
				t.Errorf("%s token: %v", what, err)
			}
		}

		// A mail that cannot be queued: no invitation either.
		bad := store.Invite{Email: "per@example.no", Name: "Per", OrgID: house.ID, Role: store.RolePartner, Lang: "nb",
			CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
		if err := s.CreateInvite(ctx, &bad, tokenHash(), store.OutboxMail{To: "per@example.no", Kind: "invite"}); err == nil {
			t.Fatal("an invitation without a mail body was stored")
		}
		if all, _ := s.Invites(ctx); len(all) != 1 {
			t.Errorf("%d invitations after a failed one", len(all))
		}
		// Invalid invitations.
		for _, x := range []store.Invite{
			{Email: "x@example.no", OrgID: house.ID, Role: "chief", Lang: "nb", CreatedAt: now, ExpiresAt: now.Add(time.Hour)},
			{Email: "x@example.no", Admin: true, OrgID: house.ID, Lang: "nb", CreatedAt: now, ExpiresAt: now.Add(time.Hour)},
			{Email: "x", OrgID: house.ID, Role: store.RolePartner, Lang: "nb", CreatedAt: now, ExpiresAt: now.Add(time.Hour)},
			{Email: "x@example.no", OrgID: house.ID, Role: store.RolePartner, Lang: "nb", CreatedAt: now, ExpiresAt: now},
		} {
			if err := s.CreateInvite(ctx, &x, tokenHash(), inviteMail("x@example.no")); err == nil {
				t.Errorf("stored %+v", x)
			}
		}
		if err := s.CreateInvite(ctx, &store.Invite{Email: "x@example.no", OrgID: house.ID, Role: store.RolePartner, Lang: "nb",
			CreatedAt: now, ExpiresAt: now.Add(time.Hour)}, "not-a-hash", inviteMail("x@example.no")); err == nil {
			t.Error("stored a token itself instead of its hash")
		}

		// The same address to the same role again: the old link dies.
		inv2, h2 := mk("ola@example.no", store.RoleStarter, false)
		if _, err := s.InviteByToken(ctx, h1, now); !errors.Is(err, store.ErrTokenInvalid) {
			t.Error("the replaced invitation's token still works")
		}
		if _, err := s.Invite(ctx, inv.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the replaced invitation: %v", err)
		}
		// Resend: a new token, the old one dead, a new mail.
		h3 := tokenHash()
		later := now.Add(80 * time.Hour)
		if err := s.ResendInvite(ctx, inv2.ID, h3, later, later.Add(72*time.Hour), inviteMail("ola@example.no")); err != nil {
			t.Fatal(err)
		}
		if _, err := s.InviteByToken(ctx, h2, now); !errors.Is(err, store.ErrTokenInvalid) {
			t.Error("the token from before the resend still works")
		}
		if got, err := s.InviteByToken(ctx, h3, later.Add(71*time.Hour)); err != nil || got.ID != inv2.ID {
			t.Errorf("the resent token: %v", err)
		}
		if n := pendingMails(t, s); n != 3 {
			t.Errorf("%d mails, want 3 (two invitations, one resend)", n)
		}
		// Revoke.
		inv3, h4 := mk("kari@example.no", store.RoleCoordinator, false)
		if err := s.RevokeInvite(ctx, inv3.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.InviteByToken(ctx, h4, now); !errors.Is(err, store.ErrTokenInvalid) {
			t.Error("a revoked invitation's token works")
		}
		if err := s.RevokeInvite(ctx, inv3.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("revoke twice: %v", err)
		}
		if err := s.ResendInvite(ctx, inv3.ID, tokenHash(), now, now.Add(time.Hour), inviteMail("kari@example.no")); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("resend a revoked invitation: %v", err)
		}

		// Accept: a new user with the role, in the same transaction.
		u := store.User{Name: " Ola N. ", PasswordHash: "$argon2id$x"}
		actx := store.WithActor(context.Background(), store.Actor{Source: "192.0.2.0/24"})
		got, err = s.AcceptInvite(actx, h3, later.Add(time.Hour), &u, "")
		if err != nil || got.ID != inv2.ID {
			t.Fatalf("accept: %v", err)
		}
		nu, err := s.User(ctx, u.ID)
		if err != nil || nu.Email != "ola@example.no" || nu.Name != "Ola N." || nu.PasswordHash != "$argon2id$x" || nu.Admin ||
			len(nu.Memberships) != 1 || nu.Memberships[0] != (store.Membership{OrgID: house.ID, Role: store.RoleStarter}) {
			t.Fatalf("the new user: %+v %v", nu, err)
		}
		if _, err := s.AcceptInvite(actx, h3, later.Add(time.Hour), &store.User{Name: "Again", PasswordHash: "x"}, ""); !errors.Is(err, store.ErrTokenInvalid) {
			t.Errorf("a token used twice: %v", err)
		}
		if all, _ := s.Invites(ctx); len(all) != 0 {
			t.Errorf("accepted invitations are listed: %+v", all)
		}

		// An existing user: a role more, or administrator.
		_, h5 := mk("ola@example.no", store.RolePartner, false)
		_, h6 := mk("ola@example.no", "", true)
		_, h7 := mk("ola@example.no", store.RoleStarter, false) // a role the user has already
		other := store.User{Email: "per@example.no", Name: "Per", PasswordHash: "x"}
		if err := s.CreateUser(ctx, &other); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AcceptInvite(actx, h5, now, nil, other.ID); !errors.Is(err, store.ErrTokenInvalid) {
			t.Errorf("another user accepted: %v", err)
		}
		for _, h := range []string{h5, h6, h7} {
			if _, err := s.AcceptInvite(actx, h, now, nil, u.ID); err != nil {
				t.Fatalf("existing user: %v", err)
			}
		}
		nu, _ = s.User(ctx, u.ID)
		if !nu.Admin || len(nu.Memberships) != 2 {
			t.Errorf("after the invitations: admin %v, %+v", nu.Admin, nu.Memberships)
		}
		// A new account for an address that has one: refused, nothing used.
		_, h8 := mk("per@example.no", store.RolePartner, false)
		if _, err := s.AcceptInvite(actx, h8, now, &store.User{Name: "Per", PasswordHash: "x"}, ""); !errors.Is(err, store.ErrEmailTaken) {
			t.Errorf("a second account for an address: %v", err)
		}
		if _, err := s.InviteByToken(ctx, h8, now); err != nil {
			t.Errorf("a refused acceptance used the token: %v", err)
		}
		// A disabled user accepts nothing.
		other.Disabled = true
		if err := s.UpdateUser(ctx, &other); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AcceptInvite(actx, h8, now, nil, other.ID); !errors.Is(err, store.ErrTokenInvalid) {
			t.Errorf("a disabled user accepted: %v", err)
		}

		actions := auditClean(t, s, h1, h2, h3, "Ola", "Nordmann")
		want := map[string]int{"invite.create": 7, "invite.resend": 1, "invite.revoke": 1, "invite.accept": 4, "user.create": 2}
		count := map[string]int{}
		for _, a := range actions {
			count[a]++
		}
		for a, n := range want {
			if count[a] != n {
				t.Errorf("%d × %s, want %d (%v)", count[a], a, n, actions)
			}
		}
		log, _ := s.AuditLog(ctx, store.AuditFilter{Action: "invite.accept", Limit: 1})
		if log[0].ActorID != u.ID || log[0].Source != "192.0.2.0/24" || log[0].OrgID != house.ID {
			t.Errorf("invite.accept %+v", log[0])
		}

		// Old rows go.
		if n, err := s.PruneInvites(ctx, now.Add(1000*time.Hour)); err != nil || n != 5 {
			t.Errorf("pruned %d %v", n, err)
		}
	})
}

// Two instances that accept the same invitation at once: one wins.
func TestInviteAcceptedOnce(t *testing.T) {
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			a, dsn := storetest.OpenDSN(t, e)
			b, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			b.SetKeys(storetest.Keys)
			defer b.Close()
			house := newOrg(t, a, "huset", "")
			now := time.Now().UTC()
			inv := store.Invite{Email: "ola@example.no", Name: "Ola", OrgID: house.ID, Role: store.RolePartner, Lang: "nb",
				CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
			h := tokenHash()
			if err := a.CreateInvite(ctx, &inv, h, inviteMail(inv.Email)); err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			errs := make([]error, 6)
			for i := range errs {
				wg.Go(func() {
					st := []*store.Store{a, b}[i%2]
					_, errs[i] = st.AcceptInvite(ctx, h, now, &store.User{Name: fmt.Sprint("Ola ", i), PasswordHash: "x"}, "")
				})
			}
			wg.Wait()
			ok := 0
			for _, err := range errs {
				switch {
				case err == nil:
					ok++
				case errors.Is(err, store.ErrTokenInvalid), errors.Is(err, store.ErrEmailTaken):
				default:
					// PostgreSQL may refuse a racing insert by the unique
					// address; that is a refusal too.
					if !strings.Contains(err.Error(), "unique") && !strings.Contains(err.Error(), "duplicate") {
						t.Errorf("racing acceptance: %v", err)
					}
				}
			}
			if ok != 1 {
				t.Errorf("%d acceptances succeeded, want 1 (%v)", ok, errs)
			}
			if n, _ := a.CountUsers(ctx); n != 1 {
				t.Errorf("%d users", n)
			}
		})
	}
}

// A reset link works once, for its user only, until it expires or a newer
// one is sent; using it changes the password, clears the lock, ends every
// session and queues the mail, together.
func TestPasswordResetsStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := store.WithActor(context.Background(), store.Actor{Source: "192.0.2.0/24"})
		now := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
		u := store.User{Email: "kari@example.no", Name: "Kari", PasswordHash: "$argon2id$old"}
		other := store.User{Email: "per@example.no", Name: "Per", PasswordHash: "$argon2id$per"}
		for _, x := range []*store.User{&u, &other} {
			if err := s.CreateUser(ctx, x); err != nil {
				t.Fatal(err)
			}
		}
		for i := range 5 {
			if _, _, err := s.SigninFailed(ctx, u.ID, now, func(n int) time.Duration { return time.Duration(n) * time.Hour }); err != nil {
				t.Fatal(err)
			}
			for _, id := range []string{u.ID, other.ID} {
				x := store.Session{IDHash: tokenHash(), UserID: id, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}
				if err := s.CreateSession(ctx, &x); err != nil {
					t.Fatal(err, i)
				}
			}
		}
		mail := store.OutboxMail{To: u.Email, Subject: "Nytt passord", Body: "lenke", Kind: "password_reset"}
		h1, h2 := tokenHash(), tokenHash()
		if err := s.CreatePasswordReset(ctx, u.ID, h1, now, now.Add(time.Hour), mail); err != nil {
			t.Fatal(err)
		}
		if got, err := s.PasswordResetUser(ctx, h1, now.Add(59*time.Minute)); err != nil || got.ID != u.ID {
			t.Fatalf("reset user: %v", err)
		}
		if _, err := s.PasswordResetUser(ctx, h1, now.Add(time.Hour)); !errors.Is(err, store.ErrTokenInvalid) {
			t.Errorf("after an hour: %v", err)
		}
		// A newer link: the older one dies.
		if err := s.CreatePasswordReset(ctx, u.ID, h2, now, now.Add(time.Hour), mail); err != nil {
			t.Fatal(err)
		}
		if _, err := s.PasswordResetUser(ctx, h1, now); !errors.Is(err, store.ErrTokenInvalid) {
			t.Errorf("the older link: %v", err)
		}
		changed := store.OutboxMail{To: u.Email, Subject: "Passordet er byttet", Body: "byttet", Kind: "password_changed"}
		if _, err := s.ResetPassword(ctx, h2, other.ID, now, "$argon2id$new", changed); !errors.Is(err, store.ErrTokenInvalid) {
			t.Errorf("another user's reset: %v", err)
		}
		if _, err := s.ResetPassword(ctx, h2, u.ID, now.Add(time.Hour), "$argon2id$new", changed); !errors.Is(err, store.ErrTokenInvalid) {
			t.Errorf("an expired reset: %v", err)
		}
		if _, err := s.ResetPassword(ctx, h2, u.ID, now, "$argon2id$new", store.OutboxMail{To: u.Email}); err == nil {
			t.Error("a reset without its mail")
		}
		if got, _ := s.User(ctx, u.ID); got.PasswordHash != "$argon2id$old" {
			t.Error("a failed reset changed the password")
		}
		ended, err := s.ResetPassword(ctx, h2, u.ID, now, "$argon2id$new", changed)
		if err != nil || ended != 5 {
			t.Fatalf("reset: %d %v", ended, err)
		}
		got, _ := s.User(ctx, u.ID)
		if got.PasswordHash != "$argon2id$new" || got.FailedSignins != 0 || !got.LockedUntil.IsZero() {
			t.Errorf("after the reset: %+v", got)
		}
		if ss, _ := s.UserSessions(ctx, u.ID); len(ss) != 0 {
			t.Errorf("%d sessions left", len(ss))
		}
		if ss, _ := s.UserSessions(ctx, other.ID); len(ss) != 5 {
			t.Errorf("the other user has %d sessions", len(ss))
		}
		if _, err := s.ResetPassword(ctx, h2, u.ID, now, "$argon2id$again", changed); !errors.Is(err, store.ErrTokenInvalid) {
			t.Errorf("a reset used twice: %v", err)
		}
		if n := pendingMails(t, s); n != 3 {
			t.Errorf("%d mails, want 3", n)
		}
		// A disabled user's link does nothing.
		h3 := tokenHash()
		if err := s.CreatePasswordReset(ctx, other.ID, h3, now, now.Add(time.Hour), mail); err != nil {
			t.Fatal(err)
		}
		other.Disabled = true
		if err := s.UpdateUser(ctx, &other); err != nil {
			t.Fatal(err)
		}
		if _, err := s.PasswordResetUser(ctx, h3, now); !errors.Is(err, store.ErrTokenInvalid) {
			t.Errorf("a disabled user's link: %v", err)
		}
		if _, err := s.ResetPassword(ctx, h3, other.ID, now, "$argon2id$new", changed); !errors.Is(err, store.ErrTokenInvalid) {
			t.Errorf("a disabled user's reset: %v", err)
		}
		actions := auditClean(t, s, h1, h2, h3)
		n := 0
		for _, a := range actions {
			if a == "password.reset" {
				n++
			}
		}
		if n != 1 {
			t.Errorf("password.reset × %d: %v", n, actions)
		}
		log, _ := s.AuditLog(ctx, store.AuditFilter{Action: "password.reset", Limit: 10})
		for len(log) > 0 && log[0].Action != "password.reset" {
			log = log[1:]
		}
		if len(log) == 0 || log[0].ActorID != u.ID || log[0].ObjectID != u.ID || log[0].Detail["sessions_ended"] != float64(5) {
			t.Errorf("password.reset %+v", log[0])
		}
		if n, err := s.PrunePasswordResets(ctx, now.Add(2*time.Hour)); err != nil || n != 2 {
			t.Errorf("pruned %d %v", n, err)
		}
	})
}
