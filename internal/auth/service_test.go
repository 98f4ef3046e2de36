package auth_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// clock is a clock the test moves.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 2, 8, 0, 10, 0, time.UTC)} }

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

var meta = auth.Meta{Source: "192.0.2.0/24", Agent: "Firefox, Linux"}

func service(st *store.Store, c *clock, limits auth.Limits) *auth.Service {
	return auth.New(st, auth.Options{Params: cheap, Now: c.Now, Limits: limits})
}

var roomy = auth.Limits{Window: 15 * time.Minute, PerSource: 1000, PerAccount: 1000, PerCode: 1000}

func house(t *testing.T, st *store.Store) domain.Organisation {
	t.Helper()
	o := domain.Organisation{Kind: domain.OrgSelfHelpHouse, Slug: "huset", Name: "Huset"}
	if err := st.SaveOrganisation(context.Background(), &o); err != nil {
		t.Fatal(err)
	}
	return o
}

func mkUser(t *testing.T, svc *auth.Service, n auth.NewUser) store.User {
	t.Helper()
	ctx := store.WithActor(context.Background(), store.Actor{ID: "test"})
	u, err := svc.CreateUser(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

const pw = "grønne epler på taket"

func actions(t *testing.T, st *store.Store, f store.AuditFilter) []string {
	t.Helper()
	log, err := st.AuditLog(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(log) - 1; i >= 0; i-- {
		e := log[i]
		for _, secret := range []string{pw, "kari@", "$argon2"} {
			if strings.Contains(strings.ToLower(fmtDetail(e.Detail)), strings.ToLower(secret)) {
				t.Errorf("%s detail holds %q: %v", e.Action, secret, e.Detail)
			}
		}
		out = append(out, e.Action)
	}
	return out
}

func fmtDetail(d map[string]any) string {
	var b strings.Builder
	for k, v := range d {
		b.WriteString(k + "=")
		if s, ok := v.(string); ok {
			b.WriteString(s)
		}
		b.WriteString(";")
	}
	return b.String()
}

// An administrator signs in, must enrol TOTP, enrols, signs out, and signs
// in again with password and code; a code is never accepted twice.
func TestSignInWithTOTP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		c := newClock()
		svc := service(st, c, roomy)
		u := mkUser(t, svc, auth.NewUser{Email: "Kari@Example.no", Name: "Kari", Password: pw, Admin: true})

		if _, err := svc.SignIn(ctx, "kari@example.no", pw+"x", meta, ""); !errors.Is(err, auth.ErrInvalid) {
			t.Fatalf("wrong password: %v", err)
		}
		res, err := svc.SignIn(ctx, " KARI@example.no ", pw, meta, "")
		if err != nil || res.Stage != auth.StageEnrol || res.User.ID != u.ID {
			t.Fatalf("sign-in: %+v %v", res, err)
		}
		cur, err := svc.Authenticate(ctx, res.Token, meta)
		if err != nil || cur.Stage() != auth.StageEnrol || cur.Session.MFA || cur.Session.Agent != "Firefox, Linux" {
			t.Fatalf("session %+v %v", cur, err)
		}
		if auth.Allowed(cur.Principal(), auth.ReadAudit, "", nil) {
			t.Error("an administrator without a second factor may read the audit log")
		}
		secret, err := svc.PendingTOTP(ctx, cur)
		if err != nil {
			t.Fatal(err)
		}
		if again, _ := svc.PendingTOTP(ctx, cur); again != secret {
			t.Error("a reload made a new secret")
		}
		if _, err := svc.ConfirmTOTP(ctx, cur, "000000"); !errors.Is(err, auth.ErrInvalidCode) {
			t.Errorf("wrong enrolment code: %v", err)
		}
		code, _ := auth.TOTPCode(secret, c.Now())
		tok2, err := svc.ConfirmTOTP(ctx, cur, code)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Authenticate(ctx, res.Token, meta); !errors.Is(err, auth.ErrNoSession) {
			t.Error("the token from before enrolment still works")
		}
		cur, err = svc.Authenticate(ctx, tok2, meta)
		if err != nil || cur.Stage() != auth.StageDone || !cur.Session.MFA || !auth.Allowed(cur.Principal(), auth.ReadAudit, "", nil) {
			t.Fatalf("after enrolment: %+v %v", cur, err)
		}
		if err := svc.SignOut(ctx, cur); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Authenticate(ctx, tok2, meta); !errors.Is(err, auth.ErrNoSession) {
			t.Error("the session survived sign-out")
		}

		// Again: the password, then the code. The code of the enrolment's
		// step was used: refused, even though it is still in the window.
		res, err = svc.SignIn(ctx, "kari@example.no", pw, meta, "")
		if err != nil || res.Stage != auth.StageCode {
			t.Fatalf("second sign-in: %+v %v", res, err)
		}
		cur, _ = svc.Authenticate(ctx, res.Token, meta)
		if auth.Allowed(cur.Principal(), auth.ViewListing, "x", nil) {
			t.Error("allowed before the code")
		}
		if _, err := svc.VerifyCode(ctx, cur, code); !errors.Is(err, auth.ErrInvalidCode) {
			t.Errorf("replayed code: %v", err)
		}
		c.Add(30 * time.Second)
		code, _ = auth.TOTPCode(secret, c.Now())
		tok3, err := svc.VerifyCode(ctx, cur, code)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Authenticate(ctx, res.Token, meta); !errors.Is(err, auth.ErrNoSession) {
			t.Error("the token from before the code still works")
		}
		if _, err := svc.VerifyCode(ctx, cur, code); err == nil {
			t.Error("the same code twice")
		}
		cur, err = svc.Authenticate(ctx, tok3, meta)
		if err != nil || cur.Stage() != auth.StageDone {
			t.Fatalf("after the code: %v", err)
		}
		got, _ := st.User(ctx, u.ID)
		if got.FailedSignins != 0 || got.LastSigninAt.IsZero() {
			t.Errorf("user after sign-in: %+v", got)
		}
		want := []string{"user.create", "signin.fail", "signin.ok", "totp.enable", "signout", "signin.password", "signin.mfa_fail", "signin.ok"}
		if got := actions(t, st, store.AuditFilter{}); !slices.Equal(got, want) {
			t.Errorf("audit %v\nwant  %v", got, want)
		}
		log, _ := st.AuditLog(ctx, store.AuditFilter{Action: "signin.ok"})
		if log[0].ActorID != u.ID || log[0].Source != "192.0.2.0/24" || log[0].Detail["mfa"] != true {
			t.Errorf("signin.ok %+v", log[0])
		}
	})
}

// A partner needs no second factor; a sign-in replaces the browser's old
// session; sessions end when idle for 30 minutes, and after 12 hours.
func TestSessionLifetime(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		c := newClock()
		svc := service(st, c, roomy)
		h := house(t, st)
		mkUser(t, svc, auth.NewUser{Email: "p@example.no", Name: "P", Password: pw,
			Memberships: []store.Membership{{OrgID: h.ID, Role: store.RolePartner}}})
		res, err := svc.SignIn(ctx, "p@example.no", pw, meta, "")
		if err != nil || res.Stage != auth.StageDone {
			t.Fatalf("%+v %v", res, err)
		}
		res2, err := svc.SignIn(ctx, "p@example.no", pw, meta, res.Token)
		if err != nil || res2.Token == res.Token {
			t.Fatal(err)
		}
		if _, err := svc.Authenticate(ctx, res.Token, meta); !errors.Is(err, auth.ErrNoSession) {
			t.Error("signing in again kept the old session")
		}
		tok := res2.Token
		for range 2 {
			c.Add(29 * time.Minute)
			if _, err := svc.Authenticate(ctx, tok, meta); err != nil {
				t.Fatalf("active after 29 minutes: %v", err)
			}
		}
		c.Add(30*time.Minute + time.Second)
		if _, err := svc.Authenticate(ctx, tok, meta); !errors.Is(err, auth.ErrNoSession) {
			t.Errorf("idle for 30 minutes: %v", err)
		}
		res, _ = svc.SignIn(ctx, "p@example.no", pw, meta, "")
		start := c.Now()
		for c.Now().Before(start.Add(12*time.Hour - 20*time.Minute)) {
			c.Add(20 * time.Minute)
			if _, err := svc.Authenticate(ctx, res.Token, meta); err != nil {
				t.Fatalf("active at %v: %v", c.Now().Sub(start), err)
			}
		}
		c.Add(20 * time.Minute)
		if _, err := svc.Authenticate(ctx, res.Token, meta); !errors.Is(err, auth.ErrNoSession) {
			t.Errorf("after 12 hours: %v", err)
		}
		for _, bad := range []string{"", "x", strings.Repeat("A", 43), strings.Repeat("!", 43)} {
			if _, err := svc.Authenticate(ctx, bad, meta); !errors.Is(err, auth.ErrNoSession) {
				t.Errorf("token %q: %v", bad, err)
			}
		}
	})
}

// Lockout and rate limits live in the database: two instances share them.
func TestLockoutAcrossInstances(t *testing.T) {
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			stA, dsn := storetest.OpenDSN(t, e)
			stB, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			stB.SetKeys(storetest.Keys)
			defer stB.Close()
			c := newClock()
			a, b := service(stA, c, roomy), service(stB, c, roomy)
			u := mkUser(t, a, auth.NewUser{Email: "kari@example.no", Name: "Kari", Password: pw})
			svcs := []*auth.Service{a, b}
			fail := func(n int) {
				t.Helper()
				for i := range n {
					if _, err := svcs[i%2].SignIn(ctx, "kari@example.no", "feil passord her", meta, ""); !errors.Is(err, auth.ErrInvalid) {
						t.Fatalf("failure %d: %v", i, err)
					}
				}
			}
			fail(5)
			got, _ := stB.User(ctx, u.ID)
			if got.FailedSignins != 5 || !got.LockedUntil.Equal(c.Now().Add(15*time.Minute)) {
				t.Fatalf("after 5 failures: %d, locked until %v", got.FailedSignins, got.LockedUntil)
			}
			// Locked: the right password gives the same answer as a wrong one.
			for _, s := range svcs {
				if _, err := s.SignIn(ctx, "kari@example.no", pw, meta, ""); !errors.Is(err, auth.ErrInvalid) {
					t.Errorf("locked account signed in: %v", err)
				}
			}
			c.Add(15*time.Minute + time.Second)
			if _, err := b.SignIn(ctx, "kari@example.no", pw, meta, ""); err != nil {
				t.Errorf("after the lock: %v", err)
			}
			// The count starts again after a success; five more lock for 15
			// minutes, the next five (without a success) for 30.
			fail(5)
			c.Add(15*time.Minute + time.Second)
			fail(5)
			got, _ = stA.User(ctx, u.ID)
			if !got.LockedUntil.Equal(c.Now().Add(30 * time.Minute)) {
				t.Errorf("the second lock in a row ends %v, want 30 minutes", got.LockedUntil.Sub(c.Now()))
			}
			c.Add(16 * time.Minute)
			if _, err := a.SignIn(ctx, "kari@example.no", pw, meta, ""); !errors.Is(err, auth.ErrInvalid) {
				t.Error("the doubled lock ended after 16 minutes")
			}
			c.Add(15 * time.Minute)
			if _, err := a.SignIn(ctx, "kari@example.no", pw, meta, ""); err != nil {
				t.Errorf("after the doubled lock: %v", err)
			}
			log, _ := stA.AuditLog(ctx, store.AuditFilter{Action: "signin.locked"})
			if len(log) != 3 || log[0].ObjectID != u.ID || log[0].Detail["failures"] != float64(10) {
				t.Errorf("signin.locked entries: %+v", log)
			}
			fails, _ := stA.AuditLog(ctx, store.AuditFilter{Action: "signin.fail", Limit: 1000})
			reasons := map[any]int{}
			for _, e := range fails {
				reasons[e.Detail["reason"]]++
			}
			if reasons["password"] != 15 || reasons["locked"] != 3 {
				t.Errorf("failure reasons %v", reasons)
			}
		})
	}
}

func TestRateLimitsAcrossInstances(t *testing.T) {
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			stA, dsn := storetest.OpenDSN(t, e)
			stB, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			stB.SetKeys(storetest.Keys)
			defer stB.Close()
			c := newClock()
			c.t = c.t.Truncate(15 * time.Minute)
			limits := auth.Limits{Window: 15 * time.Minute, PerSource: 10, PerAccount: 3, PerCode: 3}
			a, b := service(stA, c, limits), service(stB, c, limits)
			mkUser(t, a, auth.NewUser{Email: "kari@example.no", Name: "Kari", Password: pw})
			// Per account, known address or not: the fourth attempt is refused.
			for _, email := range []string{"kari@example.no", "nobody@example.no"} {
				for i := range 4 {
					_, err := []*auth.Service{a, b}[i%2].SignIn(ctx, email, "feil passord her", meta, "")
					var rl *auth.RateLimitedError
					if limited := errors.As(err, &rl); limited != (i == 3) {
						t.Errorf("%s attempt %d: %v", email, i+1, err)
					} else if limited && (rl.RetryAfter <= 0 || rl.RetryAfter > 15*time.Minute) {
						t.Errorf("retry after %v", rl.RetryAfter)
					}
				}
			}
			// Per network: 10 attempts, whatever the addresses.
			for i := range 2 {
				if _, err := b.SignIn(ctx, "other"+string(rune('a'+i))+"@example.no", "x", meta, ""); !errors.Is(err, auth.ErrInvalid) {
					t.Errorf("attempt %d from the network: %v", 9+i, err)
				}
			}
			var rl *auth.RateLimitedError
			if _, err := a.SignIn(ctx, "third@example.no", "x", meta, ""); !errors.As(err, &rl) {
				t.Errorf("the 11th attempt from the network: %v", err)
			}
			other := meta
			other.Source = "198.51.100.0/24"
			if _, err := a.SignIn(ctx, "third@example.no", "x", other, ""); !errors.Is(err, auth.ErrInvalid) {
				t.Errorf("another network: %v", err)
			}
			c.Add(15 * time.Minute)
			if _, err := b.SignIn(ctx, "kari@example.no", pw, meta, ""); err != nil {
				t.Errorf("the next window: %v", err)
			}
			// The table holds no address.
			for _, k := range []string{"kari", "nobody", "example"} {
				var n int
				if err := rawCount(stA, k, &n); err != nil || n != 0 {
					t.Errorf("a rate-limit key holds %q: %d %v", k, n, err)
				}
			}
			if got := actions(t, stA, store.AuditFilter{Action: "signin.rate_limited"}); len(got) != 3 {
				t.Errorf("rate-limit audit entries %v, want one per limit and window", got)
			}
		})
	}
}

// rawCount counts rate-limit keys containing s, through the store's own
// reading (the test knows no SQL of the store).
func rawCount(st *store.Store, s string, n *int) error {
	// Keys are never returned by the store; HitRateLimit on a key made of
	// the address would start at 1 if no such key exists.
	k := "signin:acct:" + s
	got, err := st.RateLimitCount(context.Background(), k, time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC))
	*n = got
	return err
}

// A wrong address and a wrong password give the same error, and the
// same work: one argon2id check with the production parameters (a dummy
// hash when there is no such user), so the answer takes as long either
// way. The work is counted, not timed: timing belongs in benchmarks.
func TestUnknownEmailIndistinguishable(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	c := newClock()
	svc := auth.New(st, auth.Options{Now: c.Now, Limits: roomy}) // the production parameters
	mkUser(t, svc, auth.NewUser{Email: "kari@example.no", Name: "Kari", Password: pw})
	var checked []string
	auth.SetVerifyHook(svc, func(hash string) { checked = append(checked, hash[:strings.LastIndex(hash, "$")]) })
	signIn := func(email string) ([]string, error) {
		checked = nil
		_, err := svc.SignIn(ctx, email, "feil passord her", meta, "")
		return checked, err
	}
	known, errKnown := signIn("kari@example.no")
	unknown, errUnknown := signIn("nobody@example.no")
	if errKnown != errUnknown || !errors.Is(errKnown, auth.ErrInvalid) {
		t.Errorf("errors differ: %v / %v", errKnown, errUnknown)
	}
	const production = "$argon2id$v=19$m=65536,t=3,p=2$"
	if len(known) != 1 || len(unknown) != 1 || !strings.HasPrefix(known[0], production) ||
		!strings.HasPrefix(unknown[0], production) {
		t.Errorf("argon2id checks (parameters and salt): known address %q, unknown %q", known, unknown)
	}
	if len(unknown) == 1 && len(known) == 1 && unknown[0] == known[0] {
		t.Error("the unknown address was checked against the real user's hash")
	}
	log, _ := st.AuditLog(ctx, store.AuditFilter{Action: "signin.fail"})
	for _, e := range log {
		if e.Detail["reason"] == "unknown" && (e.ObjectID != "" || e.ActorID != "" || len(e.Detail) != 1) {
			t.Errorf("an unknown address left traces: %+v", e)
		}
		if e.Detail["reason"] == "password" && e.ObjectID == "" {
			t.Errorf("a known address's failure without the user: %+v", e)
		}
	}
}

func TestCodeLockoutAndSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		c := newClock()
		svc := service(st, c, roomy)
		h := house(t, st)
		u := mkUser(t, svc, auth.NewUser{Email: "k@example.no", Name: "K", Password: pw,
			Memberships: []store.Membership{{OrgID: h.ID, Role: store.RoleCoordinator}}})
		other := mkUser(t, svc, auth.NewUser{Email: "o@example.no", Name: "O", Password: pw})
		res, _ := svc.SignIn(ctx, "k@example.no", pw, meta, "")
		if res.Stage != auth.StageEnrol {
			t.Fatalf("a coordinator without TOTP: stage %v", res.Stage)
		}
		cur, _ := svc.Authenticate(ctx, res.Token, meta)
		secret, _ := svc.PendingTOTP(ctx, cur)
		code, _ := auth.TOTPCode(secret, c.Now())
		if _, err := svc.ConfirmTOTP(ctx, cur, code); err != nil {
			t.Fatal(err)
		}
		// Three sessions; end one, then all others.
		var toks []string
		for range 3 {
			c.Add(30 * time.Second)
			res, _ := svc.SignIn(ctx, "k@example.no", pw, meta, "")
			cur, _ := svc.Authenticate(ctx, res.Token, meta)
			code, _ := auth.TOTPCode(secret, c.Now())
			tok, err := svc.VerifyCode(ctx, cur, code)
			if err != nil {
				t.Fatal(err)
			}
			toks = append(toks, tok)
		}
		cur, _ = svc.Authenticate(ctx, toks[0], meta)
		list, err := svc.Sessions(ctx, cur)
		if err != nil || len(list) != 4 { // the enrolment's session too
			t.Fatalf("sessions %d %v", len(list), err)
		}
		ores, _ := svc.SignIn(ctx, "o@example.no", pw, meta, "")
		ocur, _ := svc.Authenticate(ctx, ores.Token, meta)
		if ok, _ := svc.EndSession(ctx, ocur, auth.HashToken(toks[1])); ok {
			t.Error("a user ended another user's session")
		}
		if ok, err := svc.EndSession(ctx, cur, auth.HashToken(toks[1])); !ok || err != nil {
			t.Errorf("end own session: %v %v", ok, err)
		}
		if _, err := svc.Authenticate(ctx, toks[1], meta); err == nil {
			t.Error("the ended session works")
		}
		if n, err := svc.EndOtherSessions(ctx, cur); n != 2 || err != nil {
			t.Errorf("end others: %d %v", n, err)
		}
		if _, err := svc.Authenticate(ctx, toks[2], meta); err == nil {
			t.Error("another session works after 'end all others'")
		}
		if _, err := svc.Authenticate(ctx, toks[0], meta); err != nil {
			t.Errorf("the current session ended: %v", err)
		}
		if _, err := svc.Authenticate(ctx, ores.Token, meta); err != nil {
			t.Error("the other user's session ended")
		}
		if got := actions(t, st, store.AuditFilter{Action: "session.revoke"}); len(got) != 2 {
			t.Errorf("session.revoke entries: %v", got)
		}

		// Five wrong codes lock the account and end the half-done session.
		res, _ = svc.SignIn(ctx, "k@example.no", pw, meta, "")
		cur, _ = svc.Authenticate(ctx, res.Token, meta)
		for i := 1; i <= 5; i++ {
			_, err := svc.VerifyCode(ctx, cur, "000000")
			want := auth.ErrInvalidCode
			if i == 5 {
				want = auth.ErrLocked
			}
			if !errors.Is(err, want) {
				t.Fatalf("wrong code %d: %v", i, err)
			}
			cur.User, _ = st.User(ctx, u.ID)
		}
		if _, err := svc.Authenticate(ctx, res.Token, meta); err == nil {
			t.Error("the session survived the lockout")
		}
		if got := actions(t, st, store.AuditFilter{Action: "signin.locked"}); len(got) != 1 {
			t.Errorf("signin.locked %v", got)
		}
		// Disabled: the session ends, the sign-in fails like any other.
		o, _ := st.User(ctx, other.ID)
		o.Disabled = true
		if err := st.UpdateUser(ctx, &o); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.SignIn(ctx, "o@example.no", pw, meta, ""); !errors.Is(err, auth.ErrInvalid) {
			t.Errorf("disabled user: %v", err)
		}
		// The policy applies to new users.
		if _, err := svc.CreateUser(ctx, auth.NewUser{Email: "x@example.no", Name: "X", Password: "fellesrom2026"}); err == nil {
			t.Error("a weak password was accepted")
		}
	})
}

func TestCookieModeAndAgent(t *testing.T) {
	for in, want := range map[string]auth.CookieMode{"": auth.CookieAuto, "auto": auth.CookieAuto, "always": auth.CookieSecure,
		"true": auth.CookieSecure, "never": auth.CookiePlain, "0": auth.CookiePlain} {
		if got, err := auth.ParseCookieMode(in); got != want || err != nil {
			t.Errorf("%q: %v %v", in, got, err)
		}
	}
	if _, err := auth.ParseCookieMode("sometimes"); err == nil {
		t.Error("accepted sometimes")
	}
	for ua, want := range map[string]string{
		"Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0":                                                                  "Firefox, Linux",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 Edg/126.0":                   "Edge, Windows",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1": "Safari, iOS",
		"Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36":                                "Chrome, Android",
		"curl/8.5.0": "",
	} {
		if got := auth.AgentSummary(ua); got != want {
			t.Errorf("%s: %q, want %q", ua, got, want)
		}
	}
}
