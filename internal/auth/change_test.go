package auth_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

const newPw = "blå hester i hagen om natta"

// signedIn signs the user in (no second factor needed) and returns the session.
func signedIn(t *testing.T, svc *auth.Service, email, password string) (*auth.Current, string) {
	t.Helper()
	ctx := context.Background()
	res, err := svc.SignIn(ctx, email, password, meta, "")
	if err != nil || res.Stage != auth.StageDone {
		t.Fatalf("sign-in: %+v %v", res, err)
	}
	cur, err := svc.Authenticate(ctx, res.Token, meta)
	if err != nil {
		t.Fatal(err)
	}
	return cur, res.Token
}

// A change needs the current password and a new one that passes the
// policy and differs; it stores a new hash, ends the other sessions, gives
// this one a new token, and is audited without the password.
func TestChangePassword(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		c := newClock()
		svc := service(st, c, roomy)
		o := house(t, st)
		u := mkUser(t, svc, auth.NewUser{Email: "kari@example.no", Name: "Kari Nordmann", Password: pw,
			Memberships: []store.Membership{{OrgID: o.ID, Role: store.RolePartner}}})
		cur, tok := signedIn(t, svc, "kari@example.no", pw)
		_, other := signedIn(t, svc, "kari@example.no", pw)

		for _, tc := range []struct {
			old, new string
			want     string // a policy id, or the error's text
		}{
			{pw, "kort", "auth.password_short"},
			{pw, "password1234", "auth.password_common"},
			{pw, "Kari.Nordmann-1990", "auth.password_personal"},
			{pw, "kari@example.no", "auth.password_personal"},
			{pw, pw, auth.ErrSamePassword.Error()},
			{pw, "gr\u00f8nne epler pa\u030a taket", auth.ErrSamePassword.Error()}, // the same in NFC
		} {
			_, err := svc.ChangePassword(ctx, cur, tc.old, tc.new, meta)
			got := "no error"
			var pe *auth.PolicyError
			if errors.As(err, &pe) {
				got = pe.ID
			} else if err != nil {
				got = err.Error()
			}
			if got != tc.want {
				t.Errorf("%q → %q: %s, want %s", tc.old, tc.new, got, tc.want)
			}
		}
		if got, _ := st.User(ctx, u.ID); got.FailedSignins != 0 {
			t.Errorf("refusals of the new password counted as %d failures", got.FailedSignins)
		}

		if _, err := svc.ChangePassword(ctx, cur, "ikke mitt passord", newPw, meta); !errors.Is(err, auth.ErrWrongPassword) {
			t.Fatalf("wrong current password: %v", err)
		}
		if got, _ := st.User(ctx, u.ID); got.FailedSignins != 1 {
			t.Errorf("a wrong current password counted %d failures, want 1", got.FailedSignins)
		}

		oldHash := cur.User.PasswordHash
		newTok, err := svc.ChangePassword(ctx, cur, pw, newPw, meta)
		if err != nil {
			t.Fatal(err)
		}
		if newTok == "" || newTok == tok || auth.HashToken(newTok) != cur.Session.IDHash {
			t.Error("no new token for this session")
		}
		for name, tk := range map[string]string{"the old token": tok, "another session": other} {
			if _, err := svc.Authenticate(ctx, tk, meta); !errors.Is(err, auth.ErrNoSession) {
				t.Errorf("%s still works: %v", name, err)
			}
		}
		if now, err := svc.Authenticate(ctx, newTok, meta); err != nil || now.Stage() != auth.StageDone {
			t.Errorf("the new token: %v", err)
		}
		got, _ := st.User(ctx, u.ID)
		if got.PasswordHash == oldHash || got.PasswordHash[:len("$argon2id$v=19$m=64,t=1,p=1$")] != "$argon2id$v=19$m=64,t=1,p=1$" {
			t.Errorf("stored hash %.30s", got.PasswordHash)
		}
		if _, err := svc.SignIn(ctx, "kari@example.no", pw, meta, ""); !errors.Is(err, auth.ErrInvalid) {
			t.Errorf("the old password still signs in: %v", err)
		}
		signedIn(t, svc, "kari@example.no", newPw)

		// actions checks that no detail holds the password or a hash.
		log := actions(t, st, store.AuditFilter{ObjectID: u.ID})
		for _, a := range []string{"password.change_fail", "password.change", "session.revoke"} {
			if !slices.Contains(log, a) {
				t.Errorf("no %s in %v", a, log)
			}
		}
		entries, _ := st.AuditLog(ctx, store.AuditFilter{Action: "password.change"})
		if n := len(slices.DeleteFunc(slices.Clone(entries), func(e store.AuditEntry) bool { return e.Action != "password.change" })); n != 1 {
			t.Errorf("%d password.change entries, want 1", n)
		}
		for _, e := range entries {
			if e.ActorID != u.ID || e.Source != meta.Source {
				t.Errorf("%s by %q from %q", e.Action, e.ActorID, e.Source)
			}
			for _, v := range e.Detail {
				if s, ok := v.(string); ok && (s == pw || s == newPw || s == "ikke mitt passord") {
					t.Errorf("%s detail holds a password", e.Action)
				}
			}
		}
	})
}

// Wrong current passwords lock the account as failed sign-ins do; the one
// that locks it ends the session; a locked account is refused unchecked;
// every attempt counts towards the account's sign-in rate limit.
func TestChangePasswordLockoutAndLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		c := newClock()
		svc := service(st, c, auth.Limits{Window: 15 * time.Minute, PerSource: 1000, PerAccount: 9, PerCode: 1000})
		u := mkUser(t, svc, auth.NewUser{Email: "per@example.no", Name: "Per", Password: pw})
		cur, _ := signedIn(t, svc, "per@example.no", pw) // attempt 1 for the address
		_, bystander := signedIn(t, svc, "per@example.no", pw)
		if _, err := svc.SignIn(ctx, "per@example.no", "feil", meta, ""); !errors.Is(err, auth.ErrInvalid) {
			t.Fatal(err)
		}
		for i := 2; i <= 4; i++ { // one failed sign-in and three wrong current passwords
			if _, err := svc.ChangePassword(ctx, cur, "feil nummer "+strconv.Itoa(i), newPw, meta); !errors.Is(err, auth.ErrWrongPassword) {
				t.Fatalf("failure %d: %v", i, err)
			}
		}
		_, err := svc.ChangePassword(ctx, cur, "feil nummer 5", newPw, meta)
		if !errors.Is(err, auth.ErrLocked) || !errors.Is(err, auth.ErrNoSession) {
			t.Fatalf("the fifth failure: %v", err)
		}
		got, _ := st.User(ctx, u.ID)
		if got.FailedSignins != 5 || !got.LockedUntil.Equal(c.Now().Add(auth.LockBase)) {
			t.Errorf("after 5 failures: %d, locked until %v", got.FailedSignins, got.LockedUntil)
		}
		if _, err := svc.SignIn(ctx, "per@example.no", pw, meta, ""); !errors.Is(err, auth.ErrInvalid) { // attempt 8
			t.Errorf("a locked account signs in: %v", err)
		}
		// Another session, not the one that guessed, lives on but cannot change the password now.
		by, err := svc.Authenticate(ctx, bystander, meta)
		if err != nil {
			t.Fatalf("the other session: %v", err)
		}
		if _, err := svc.ChangePassword(ctx, by, pw, newPw, meta); !errors.Is(err, auth.ErrLocked) || errors.Is(err, auth.ErrNoSession) { // attempt 9
			t.Errorf("change while locked: %v", err)
		}
		var rl *auth.RateLimitedError
		if _, err := svc.ChangePassword(ctx, by, pw, newPw, meta); !errors.As(err, &rl) { // attempt 10: over the limit
			t.Errorf("over the account's limit: %v", err)
		}
		if _, err := svc.SignIn(ctx, "per@example.no", pw, meta, ""); !errors.As(err, &rl) {
			t.Errorf("the change attempts do not count towards sign-in's limit: %v", err)
		}
		c.Add(auth.LockBase + time.Second)
		if _, err := svc.ChangePassword(ctx, by, pw, newPw, meta); err != nil {
			t.Errorf("after the lock and the window: %v", err)
		}
		log := actions(t, st, store.AuditFilter{ObjectID: u.ID})
		for _, a := range []string{"password.change_fail", "signin.locked", "password.change"} {
			if !slices.Contains(log, a) {
				t.Errorf("no %s in %v", a, log)
			}
		}
	})
}

// Only a session that is done (second factor given where needed) can
// change the password; an account without a password has none to change.
func TestChangePasswordNeedsAFullSession(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	c := newClock()
	svc := service(st, c, roomy)
	mkUser(t, svc, auth.NewUser{Email: "ada@example.no", Name: "Ada", Password: pw, Admin: true})
	res, err := svc.SignIn(ctx, "ada@example.no", pw, meta, "")
	if err != nil || res.Stage != auth.StageEnrol {
		t.Fatalf("sign-in: %v %v", res.Stage, err)
	}
	cur, _ := svc.Authenticate(ctx, res.Token, meta)
	if _, err := svc.ChangePassword(ctx, cur, pw, newPw, meta); !errors.Is(err, auth.ErrNoSession) {
		t.Errorf("before the second factor: %v", err)
	}
	if _, err := svc.ChangePassword(ctx, nil, pw, newPw, meta); !errors.Is(err, auth.ErrNoSession) {
		t.Errorf("no session: %v", err)
	}
	nopw := mkUser(t, svc, auth.NewUser{Email: "sso@example.no", Name: "Sso"})
	x := store.Session{IDHash: auth.HashToken("t"), UserID: nopw.ID, CreatedAt: c.Now(), LastSeenAt: c.Now(),
		ExpiresAt: c.Now().Add(time.Hour)}
	if err := st.CreateSession(ctx, &x); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ChangePassword(ctx, &auth.Current{Session: x, User: nopw}, pw, newPw, meta); !errors.Is(err, auth.ErrNoPassword) {
		t.Errorf("an account without a password: %v", err)
	}
}
