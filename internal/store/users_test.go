package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

func newOrg(t *testing.T, s *store.Store, slug, parent string) domain.Organisation {
	t.Helper()
	o := domain.Organisation{Kind: domain.OrgSelfHelpHouse, Slug: slug, Name: slug, ParentID: parent}
	if err := s.SaveOrganisation(context.Background(), &o); err != nil {
		t.Fatal(err)
	}
	return o
}

func TestUsers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := store.WithActor(context.Background(), store.Actor{ID: "cli", Source: "192.0.2.0/24"})
		house := newOrg(t, s, "huset", "")
		u := store.User{Email: "  Kari.Nordmann@Example.NO ", Name: " Kari Nordmann ", PasswordHash: "$argon2id$x",
			Memberships: []store.Membership{{OrgID: house.ID, Role: store.RoleCoordinator}, {OrgID: house.ID, Role: store.RolePartner}}}
		if err := s.CreateUser(ctx, &u); err != nil {
			t.Fatal(err)
		}
		if u.Email != "kari.nordmann@example.no" || u.Name != "Kari Nordmann" || !store.ValidID(u.ID) {
			t.Errorf("created %+v", u)
		}
		got, err := s.UserByEmail(ctx, "KARI.nordmann@example.no")
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != u.ID || got.PasswordHash != "$argon2id$x" || len(got.Memberships) != 2 || got.TOTPEnabled ||
			!got.LockedUntil.IsZero() || !got.LastSigninAt.IsZero() || got.CreatedAt.IsZero() {
			t.Errorf("read back %+v", got)
		}
		dup := store.User{Email: "kari.nordmann@EXAMPLE.no", Name: "Another"}
		if err := s.CreateUser(ctx, &dup); !errors.Is(err, store.ErrEmailTaken) {
			t.Errorf("duplicate e-mail: %v", err)
		}
		for _, bad := range []store.User{{Email: "", Name: "x"}, {Email: "a@b", Name: " "}, {Email: "a@b", Name: "x",
			Memberships: []store.Membership{{OrgID: house.ID, Role: "boss"}}}} {
			if err := s.CreateUser(ctx, &bad); err == nil {
				t.Errorf("accepted %+v", bad)
			}
		}
		if _, err := s.User(ctx, store.NewID()); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown user: %v", err)
		}
		// No password: single sign-on only.
		sso := store.User{Email: "sso@example.no", Name: "Sso", Admin: true}
		if err := s.CreateUser(ctx, &sso); err != nil {
			t.Fatal(err)
		}
		all, err := s.Users(ctx)
		if err != nil || len(all) != 2 || all[0].Email != "kari.nordmann@example.no" || len(all[0].Memberships) != 2 ||
			all[1].PasswordHash != "" || !all[1].Admin {
			t.Fatalf("users %+v %v", all, err)
		}
		if n, _ := s.CountUsers(ctx); n != 2 {
			t.Errorf("count %d", n)
		}

		// Update: roles and flags are audited, the addresses are not logged.
		u.Memberships = []store.Membership{{OrgID: house.ID, Role: store.RoleStarter}}
		u.Email = "kari@example.no"
		u.Disabled = true
		if err := s.CreateSession(ctx, &store.Session{IDHash: "h1", UserID: u.ID, CreatedAt: time.Now(), LastSeenAt: time.Now(),
			ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if err := s.UpdateUser(ctx, &u); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Session(ctx, "h1"); !errors.Is(err, store.ErrNotFound) {
			t.Error("disabling a user did not end their sessions")
		}
		log, _ := s.AuditLog(ctx, store.AuditFilter{ObjectType: "user", ObjectID: u.ID})
		if len(log) != 2 || log[0].Action != "user.update" || log[1].Action != "user.create" || log[1].ActorID != "cli" {
			t.Fatalf("audit %+v", log)
		}
		for _, e := range log {
			for _, secret := range []string{"kari", "argon2", "Nordmann"} {
				if containsDeep(e.Detail, secret) {
					t.Errorf("%s detail holds %q: %v", e.Action, secret, e.Detail)
				}
			}
		}
		sso.Email = "kari@example.no"
		if err := s.UpdateUser(ctx, &sso); !errors.Is(err, store.ErrEmailTaken) {
			t.Errorf("update to a taken address: %v", err)
		}
		if err := s.SetPasswordHash(ctx, u.ID, "$argon2id$y"); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.User(ctx, u.ID); got.PasswordHash != "$argon2id$y" {
			t.Errorf("password hash %q", got.PasswordHash)
		}
	})
}

func containsDeep(v any, s string) bool {
	switch v := v.(type) {
	case string:
		return len(s) > 0 && len(v) >= len(s) && (v == s || indexFold(v, s))
	case []any:
		for _, x := range v {
			if containsDeep(x, s) {
				return true
			}
		}
	case map[string]any:
		for k, x := range v {
			if containsDeep(k, s) || containsDeep(x, s) {
				return true
			}
		}
	}
	return false
}

func indexFold(a, b string) bool {
	for i := 0; i+len(b) <= len(a); i++ {
		if equalFoldASCII(a[i:i+len(b)], b) {
			return true
		}
	}
	return false
}

func equalFoldASCII(a, b string) bool {
	for i := range len(a) {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

func TestTOTPAndLockoutColumns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := store.User{Email: "a@example.no", Name: "A", PasswordHash: "h"}
		if err := s.CreateUser(ctx, &u); err != nil {
			t.Fatal(err)
		}
		if err := s.EnableTOTP(ctx, u.ID, "SECRET", 10); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("enabled without a pending secret: %v", err)
		}
		if err := s.SetPendingTOTP(ctx, u.ID, "SECRET"); err != nil {
			t.Fatal(err)
		}
		if err := s.EnableTOTP(ctx, u.ID, "OTHER", 10); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("enabled another secret than the pending one: %v", err)
		}
		if err := s.EnableTOTP(ctx, u.ID, "SECRET", 10); err != nil {
			t.Fatal(err)
		}
		if err := s.SetPendingTOTP(ctx, u.ID, "NEW"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("replaced the secret of enabled TOTP: %v", err)
		}
		got, _ := s.User(ctx, u.ID)
		if !got.TOTPEnabled || got.TOTPSecret != "SECRET" || got.TOTPLastStep != 10 {
			t.Errorf("after enabling: %+v", got)
		}
		for _, c := range []struct {
			step int64
			ok   bool
		}{{10, false}, {9, false}, {11, true}, {11, false}, {13, true}, {12, false}} {
			if ok, err := s.UseTOTPStep(ctx, u.ID, c.step); err != nil || ok != c.ok {
				t.Errorf("step %d: %v %v, want %v", c.step, ok, err, c.ok)
			}
		}
		now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		lock := func(n int) time.Duration {
			if n%3 == 0 {
				return time.Duration(n) * time.Minute
			}
			return 0
		}
		for i := 1; i <= 3; i++ {
			n, until, err := s.SigninFailed(ctx, u.ID, now, lock)
			if err != nil || n != i || (i < 3) != until.IsZero() {
				t.Errorf("failure %d: %d %v %v", i, n, until, err)
			}
		}
		got, _ = s.User(ctx, u.ID)
		if got.FailedSignins != 3 || !got.LockedUntil.Equal(now.Add(3*time.Minute)) {
			t.Errorf("after 3 failures: %d %v", got.FailedSignins, got.LockedUntil)
		}
		if err := s.SigninSucceeded(ctx, u.ID, now); err != nil {
			t.Fatal(err)
		}
		got, _ = s.User(ctx, u.ID)
		if got.FailedSignins != 0 || !got.LockedUntil.IsZero() || !got.LastSigninAt.Equal(now) {
			t.Errorf("after success: %+v", got)
		}
		if _, _, err := s.SigninFailed(ctx, store.NewID(), now, lock); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("failure of an unknown user: %v", err)
		}
		if err := s.ResetTOTP(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		got, _ = s.User(ctx, u.ID)
		if got.TOTPEnabled || got.TOTPSecret != "" {
			t.Errorf("after reset: %+v", got)
		}
		log, _ := s.AuditLog(ctx, store.AuditFilter{Action: "totp."})
		if len(log) != 2 || log[0].Action != "totp.reset" || log[1].Action != "totp.enable" || log[1].ObjectID != u.ID {
			t.Errorf("audit %+v", log)
		}
	})
}

// A session belongs to an existing user.
func TestSessionNeedsUser(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		now := time.Now()
		if err := s.CreateSession(context.Background(), &store.Session{IDHash: "y", UserID: store.NewID(), CreatedAt: now,
			LastSeenAt: now, ExpiresAt: now}); err == nil {
			t.Error("a session of no user was stored")
		}
	})
}
