package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// A change of password stores the hash and its audit entry in one
// transaction: both or neither.
func TestChangePasswordHash(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := store.WithActor(context.Background(), store.Actor{ID: "u-self", Source: "192.0.2.0/24"})
		u := store.User{Email: "kari@example.no", Name: "Kari", PasswordHash: "$argon2id$old"}
		if err := s.CreateUser(ctx, &u); err != nil {
			t.Fatal(err)
		}
		changes := func() []store.AuditEntry {
			t.Helper()
			log, err := s.AuditLog(ctx, store.AuditFilter{Action: "password.change", ObjectID: u.ID})
			if err != nil {
				t.Fatal(err)
			}
			return log
		}

		if err := s.ChangePasswordHash(ctx, u.ID, "$argon2id$new", map[string]any{"by": "self"}); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.User(ctx, u.ID); got.PasswordHash != "$argon2id$new" {
			t.Errorf("hash %q", got.PasswordHash)
		}
		log := changes()
		if len(log) != 1 || log[0].ActorID != "u-self" || log[0].Source != "192.0.2.0/24" || log[0].ObjectType != "user" ||
			log[0].Detail["by"] != "self" || len(log[0].Detail) != 1 {
			t.Fatalf("audit %+v", log)
		}

		// The audit entry cannot be written (a detail that is no JSON):
		// the hash stays as it was.
		err := s.ChangePasswordHash(ctx, u.ID, "$argon2id$lost", map[string]any{"bad": make(chan int)})
		if err == nil {
			t.Fatal("a change whose audit entry failed was stored")
		}
		if got, _ := s.User(ctx, u.ID); got.PasswordHash != "$argon2id$new" {
			t.Errorf("the hash changed without its audit entry: %q", got.PasswordHash)
		}
		// No such user: nothing stored, nothing recorded.
		if err := s.ChangePasswordHash(ctx, store.NewID(), "$argon2id$x", nil); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown user: %v", err)
		}
		if err := s.ChangePasswordHash(ctx, u.ID, "", nil); err == nil {
			t.Error("an empty hash was stored")
		}
		if n := len(changes()); n != 1 {
			t.Errorf("%d password.change entries, want 1", n)
		}
	})
}
