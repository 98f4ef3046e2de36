package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

func TestSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := store.User{Email: "a@example.no", Name: "A"}
		v := store.User{Email: "b@example.no", Name: "B"}
		for _, x := range []*store.User{&u, &v} {
			if err := s.CreateUser(ctx, x); err != nil {
				t.Fatal(err)
			}
		}
		t0 := time.Date(2026, 3, 1, 9, 0, 0, 123456789, time.UTC)
		idle := 30 * time.Minute
		mk := func(hash, user string, at time.Time) store.Session {
			x := store.Session{IDHash: hash, UserID: user, CreatedAt: at, LastSeenAt: at, ExpiresAt: at.Add(12 * time.Hour),
				Agent: "Firefox, Linux", Source: "192.0.2.0/24"}
			if err := s.CreateSession(ctx, &x); err != nil {
				t.Fatal(err)
			}
			return x
		}
		a := mk("a", u.ID, t0)
		mk("b", u.ID, t0.Add(time.Minute))
		mk("c", v.ID, t0)

		got, err := s.Session(ctx, "a")
		if err != nil || got != a || got.MFA {
			t.Fatalf("session %+v %v, want %+v", got, err, a)
		}
		// Within the write interval: no write.
		x, err := s.TouchSession(ctx, "a", t0.Add(30*time.Second), t0.Add(30*time.Second-idle), time.Minute)
		if err != nil || !x.LastSeenAt.Equal(a.LastSeenAt) {
			t.Errorf("touch within a minute: %+v %v", x, err)
		}
		// After it: last seen moves.
		t1 := t0.Add(20 * time.Minute)
		if x, err = s.TouchSession(ctx, "a", t1, t1.Add(-idle), time.Minute); err != nil || !x.LastSeenAt.Equal(t1.Truncate(time.Microsecond)) {
			t.Errorf("touch after 20 minutes: %+v %v", x, err)
		}
		if got, _ := s.Session(ctx, "a"); !got.LastSeenAt.Equal(t1.Truncate(time.Microsecond)) {
			t.Errorf("last seen %v", got.LastSeenAt)
		}
		// Idle for 30 minutes: gone.
		t2 := t1.Add(idle)
		if _, err := s.TouchSession(ctx, "a", t2, t2.Add(-idle), time.Minute); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("idle session: %v", err)
		}
		if _, err := s.Session(ctx, "a"); !errors.Is(err, store.ErrNotFound) {
			t.Error("the idle session was not deleted")
		}
		// Past the absolute end, however active.
		mk("d", u.ID, t0)
		for at := t0; at.Before(t0.Add(12 * time.Hour)); at = at.Add(20 * time.Minute) {
			if _, err := s.TouchSession(ctx, "d", at, at.Add(-idle), time.Minute); err != nil {
				t.Fatalf("active session at %v: %v", at, err)
			}
		}
		end := t0.Add(12 * time.Hour)
		if _, err := s.TouchSession(ctx, "d", end, end.Add(-idle), time.Minute); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("session past its absolute end: %v", err)
		}

		// Rotation: the old token stops working, the new one has MFA.
		rot := store.Session{IDHash: "b2", UserID: u.ID, CreatedAt: t1, LastSeenAt: t1, ExpiresAt: t1.Add(time.Hour), MFA: true}
		if err := s.RotateSession(ctx, "b", &rot); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Session(ctx, "b"); !errors.Is(err, store.ErrNotFound) {
			t.Error("the old session survived rotation")
		}
		if err := s.RotateSession(ctx, "b", &store.Session{IDHash: "b3", UserID: u.ID}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("rotating a gone session: %v", err)
		}
		if got, _ := s.Session(ctx, "b2"); !got.MFA {
			t.Error("the new session lacks MFA")
		}

		mk("e", u.ID, t1)
		mk("f", u.ID, t1)
		list, err := s.UserSessions(ctx, u.ID)
		if err != nil || len(list) != 3 {
			t.Fatalf("sessions of u: %d %v", len(list), err)
		}
		if ok, _ := s.DeleteUserSession(ctx, v.ID, "e"); ok {
			t.Error("a user ended another user's session")
		}
		if ok, _ := s.DeleteUserSession(ctx, u.ID, "e"); !ok {
			t.Error("a user could not end their own session")
		}
		if n, err := s.DeleteUserSessions(ctx, u.ID, "f"); n != 1 || err != nil {
			t.Errorf("end all others: %d %v", n, err)
		}
		if list, _ := s.UserSessions(ctx, u.ID); len(list) != 1 || list[0].IDHash != "f" {
			t.Errorf("left %+v", list)
		}
		if list, _ := s.UserSessions(ctx, v.ID); len(list) != 1 {
			t.Errorf("the other user's sessions: %+v", list)
		}
		if ok, _ := s.DeleteSession(ctx, "f"); !ok {
			t.Error("delete")
		}
		if ok, _ := s.DeleteSession(ctx, "f"); ok {
			t.Error("deleted twice")
		}
		// Expired ones are swept.
		if n, err := s.DeleteExpiredSessions(ctx, t0.Add(13*time.Hour), t0.Add(13*time.Hour-idle)); n != 1 || err != nil {
			t.Errorf("sweep: %d %v", n, err)
		}
	})
}
