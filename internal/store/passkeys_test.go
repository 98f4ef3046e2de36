package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

func TestPasskeys(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := store.User{Email: "a@example.no", Name: "A"}
		v := store.User{Email: "b@example.no", Name: "B"}
		for _, x := range []*store.User{&u, &v} {
			if err := s.CreateUser(ctx, x); err != nil {
				t.Fatal(err)
			}
		}
		if ok, err := s.HasPasskey(ctx, u.ID); err != nil || ok {
			t.Fatalf("has passkey before any: %v %v", ok, err)
		}
		t0 := time.Date(2026, 3, 1, 9, 0, 0, 123456789, time.UTC)
		p := store.Passkey{UserID: u.ID, CredentialID: "cred-1", Name: "Laptop", Data: []byte(`{"a":1}`), CreatedAt: t0}
		if err := s.CreatePasskey(ctx, &p); err != nil {
			t.Fatal(err)
		}
		// The same credential cannot be stored twice, not even for another user.
		if err := s.CreatePasskey(ctx, &store.Passkey{UserID: v.ID, CredentialID: "cred-1", Data: []byte(`{}`)}); err == nil {
			t.Error("a credential ID stored twice")
		}
		if ok, err := s.HasPasskey(ctx, u.ID); err != nil || !ok {
			t.Fatalf("has passkey: %v %v", ok, err)
		}
		if ok, _ := s.HasPasskey(ctx, v.ID); ok {
			t.Error("the other user has a passkey")
		}
		list, err := s.UserPasskeys(ctx, u.ID)
		if err != nil || len(list) != 1 || list[0].ID != p.ID || string(list[0].Data) != `{"a":1}` ||
			!list[0].CreatedAt.Equal(t0.Truncate(time.Microsecond)) || !list[0].LastUsedAt.IsZero() || list[0].Name != "Laptop" {
			t.Fatalf("passkeys %+v %v", list, err)
		}
		t1 := t0.Add(time.Hour)
		if err := s.UsePasskey(ctx, u.ID, "cred-1", []byte(`{"a":2}`), t1); err != nil {
			t.Fatal(err)
		}
		if err := s.UsePasskey(ctx, v.ID, "cred-1", []byte(`{}`), t1); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("use of another user's passkey: %v", err)
		}
		list, _ = s.UserPasskeys(ctx, u.ID)
		if string(list[0].Data) != `{"a":2}` || !list[0].LastUsedAt.Equal(t1.Truncate(time.Microsecond)) {
			t.Errorf("after use: %+v", list[0])
		}
		if _, err := s.DeletePasskey(ctx, v.ID, p.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("delete by another user: %v", err)
		}
		if x, err := s.DeletePasskey(ctx, u.ID, p.ID); err != nil || x.CredentialID != "cred-1" {
			t.Errorf("delete: %+v %v", x, err)
		}
		if ok, _ := s.HasPasskey(ctx, u.ID); ok {
			t.Error("the passkey is still there")
		}

		// Challenges: one per session, of a kind, taken once, until they expire.
		sess := store.Session{IDHash: "h", UserID: u.ID, CreatedAt: t0, LastSeenAt: t0, ExpiresAt: t0.Add(12 * time.Hour)}
		if err := s.CreateSession(ctx, &sess); err != nil {
			t.Fatal(err)
		}
		if err := s.PutPasskeyChallenge(ctx, "h", "login", []byte("one"), t0.Add(5*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if err := s.PutPasskeyChallenge(ctx, "h", "login", []byte("two"), t0.Add(5*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if d, err := s.TakePasskeyChallenge(ctx, "h", "login", t0); err != nil || string(d) != "two" {
			t.Errorf("take: %q %v", d, err)
		}
		if _, err := s.TakePasskeyChallenge(ctx, "h", "login", t0); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("taken twice: %v", err)
		}
		s.PutPasskeyChallenge(ctx, "h", "register", []byte("r"), t0.Add(5*time.Minute))
		if _, err := s.TakePasskeyChallenge(ctx, "h", "login", t0); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the wrong kind: %v", err)
		}
		if _, err := s.TakePasskeyChallenge(ctx, "h", "register", t0); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a challenge of the wrong kind was kept: %v", err)
		}
		s.PutPasskeyChallenge(ctx, "h", "login", []byte("old"), t0.Add(5*time.Minute))
		if _, err := s.TakePasskeyChallenge(ctx, "h", "login", t0.Add(5*time.Minute)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("expired: %v", err)
		}
		// A rotated (deleted) session takes its challenge with it.
		s.PutPasskeyChallenge(ctx, "h", "login", []byte("x"), t0.Add(5*time.Minute))
		if _, err := s.DeleteSession(ctx, "h"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.TakePasskeyChallenge(ctx, "h", "login", t0); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("after the session ended: %v", err)
		}
	})
}
