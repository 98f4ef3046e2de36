package auth_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

const acctNewPw = "sju sølvmåker over molo"

// A reset link goes only to an account that can use it; it works once, for
// an hour; it sets a new password, ends every session, clears the lock, and
// leaves the second factor as it was.
func TestPasswordReset(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		c := newClock()
		svc := service(st, c, roomy)
		_, house, _ := acctOrgs(t, st)
		u := mkUser(t, svc, auth.NewUser{Email: "kari@example.no", Name: "Kari Nordmann", Password: pw,
			Memberships: []store.Membership{{OrgID: house.ID, Role: store.RoleCoordinator}}})
		gone := mkUser(t, svc, auth.NewUser{Email: "per@example.no", Name: "Per", Password: pw})
		mkUser(t, svc, auth.NewUser{Email: "sso@example.no", Name: "Sso"}) // no password: signs in by single sign-on
		gone.Disabled = true
		if err := st.UpdateUser(ctx, &gone); err != nil {
			t.Fatal(err)
		}
		_, tok := acctSession(t, svc, c, "kari@example.no") // enrols TOTP
		_, tok2 := acctSession(t, svc, c, "kari@example.no")
		for range 3 {
			svc.SignIn(ctx, "kari@example.no", "feil passord her", meta, "")
		}

		// Known, unknown, disabled, no password: the same answer; one mail.
		for _, email := range []string{"KARI@example.no ", "nobody@example.no", "per@example.no", "sso@example.no"} {
			if err := svc.RequestPasswordReset(ctx, email, "nb", acctLink, meta); err != nil {
				t.Errorf("%s: %v", email, err)
			}
		}
		ms := acctMails(t, st)
		if len(ms) != 1 || ms[0].To != "kari@example.no" || ms[0].Kind != "password_reset" || ms[0].Lang != "nb" {
			t.Fatalf("mails %+v", ms)
		}
		for _, s := range []string{"Hei, Kari Nordmann!", "https://fellesrom.example/nb/nytt-passord/", "i 60 minutter"} {
			if !strings.Contains(ms[0].Body, s) {
				t.Errorf("the mail lacks %q:\n%s", s, ms[0].Body)
			}
		}
		first := acctToken(t, ms[0])
		// A second request: a new link, the first one dead.
		if err := svc.RequestPasswordReset(ctx, "kari@example.no", "en", acctLink, meta); err != nil {
			t.Fatal(err)
		}
		ms = acctMails(t, st)
		if len(ms) != 1 || ms[0].Subject != "New password for fellesrom" {
			t.Fatalf("the second mail: %+v", ms)
		}
		token := acctToken(t, ms[0])
		if _, err := svc.OpenPasswordReset(ctx, first, meta); !errors.Is(err, auth.ErrLinkInvalid) {
			t.Errorf("the first link after a second: %v", err)
		}
		got, err := svc.OpenPasswordReset(ctx, token, meta)
		if err != nil || got.ID != u.ID {
			t.Fatalf("open: %v", err)
		}
		var pe *auth.PolicyError
		if err := svc.ResetPassword(ctx, token, "kari nordmann", "nb", meta); !errors.As(err, &pe) || pe.ID != "auth.password_personal" {
			t.Errorf("a password of the name: %v", err)
		}
		if err := svc.ResetPassword(ctx, token, acctNewPw, "en", meta); err != nil {
			t.Fatal(err)
		}
		for _, x := range []string{tok, tok2} {
			if _, err := svc.Authenticate(ctx, x, meta); !errors.Is(err, auth.ErrNoSession) {
				t.Error("a session survived the reset")
			}
		}
		if err := svc.ResetPassword(ctx, token, acctNewPw+"!", "nb", meta); !errors.Is(err, auth.ErrLinkInvalid) {
			t.Errorf("the link used twice: %v", err)
		}
		ms = acctMails(t, st)
		if len(ms) != 1 || ms[0].Kind != "password_changed" || !strings.Contains(ms[0].Body, "has just been changed") ||
			strings.Contains(ms[0].Body, "nytt-passord") {
			t.Errorf("the changed mail: %+v", ms)
		}
		after, _ := st.User(ctx, u.ID)
		if after.FailedSignins != 0 || !after.TOTPEnabled {
			t.Errorf("after the reset: failures %d, TOTP %v", after.FailedSignins, after.TOTPEnabled)
		}
		if _, err := svc.SignIn(ctx, "kari@example.no", pw, meta, ""); !errors.Is(err, auth.ErrInvalid) {
			t.Errorf("the old password: %v", err)
		}
		res, err := svc.SignIn(ctx, "kari@example.no", acctNewPw, meta, "")
		if err != nil || res.Stage != auth.StageCode {
			t.Errorf("the new password: stage %v, %v (the code must still be asked)", res.Stage, err)
		}

		// An hour, to the second.
		svc.RequestPasswordReset(ctx, "kari@example.no", "nb", acctLink, meta)
		token = acctToken(t, acctMails(t, st)[0])
		c.Add(time.Hour - time.Second)
		if _, err := svc.OpenPasswordReset(ctx, token, meta); err != nil {
			t.Errorf("before the hour: %v", err)
		}
		c.Add(time.Second)
		if err := svc.ResetPassword(ctx, token, acctNewPw+" igjen", "nb", meta); !errors.Is(err, auth.ErrLinkInvalid) {
			t.Errorf("after the hour: %v", err)
		}
		want := []string{"password.reset_request", "password.reset_request", "password.reset", "password.reset_request"}
		if got := actions(t, st, store.AuditFilter{Action: "password."}); !slices.Equal(got, want) {
			t.Errorf("audit %v, want %v", got, want)
		}
		for _, e := range mustLog(t, st, "password.") {
			if strings.Contains(fmtDetail(e.Detail), token) || strings.Contains(fmtDetail(e.Detail), first) {
				t.Error("a token in the audit log")
			}
		}
	})
}

// Three requests per address an hour, known or not, and the network's
// limit; a limited request sends nothing.
func TestPasswordResetLimits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		c := newClock()
		c.t = c.t.Truncate(time.Hour)
		svc := service(st, c, auth.Limits{Window: 15 * time.Minute, PerSource: 8, PerAccount: 100, PerCode: 100})
		mkUser(t, svc, auth.NewUser{Email: "kari@example.no", Name: "Kari", Password: pw})
		for _, email := range []string{"kari@example.no", "nobody@example.no"} {
			for i := range 4 {
				err := svc.RequestPasswordReset(ctx, email, "nb", acctLink, meta)
				var rl *auth.RateLimitedError
				if limited := errors.As(err, &rl); limited != (i == 3) || err != nil && !limited {
					t.Errorf("%s request %d: %v", email, i+1, err)
				} else if limited && (rl.RetryAfter <= 0 || rl.RetryAfter > time.Hour) {
					t.Errorf("retry after %v", rl.RetryAfter)
				}
			}
		}
		if n := len(acctMails(t, st)); n != 3 {
			t.Errorf("%d mails, want 3", n)
		}
		// 8 from the network so far; the 9th is refused, whatever the address.
		var rl *auth.RateLimitedError
		if err := svc.RequestPasswordReset(ctx, "third@example.no", "nb", acctLink, meta); !errors.As(err, &rl) {
			t.Errorf("the network's 9th: %v", err)
		}
		c.Add(time.Hour)
		if err := svc.RequestPasswordReset(ctx, "kari@example.no", "nb", acctLink, meta); err != nil {
			t.Errorf("the next hour: %v", err)
		}
	})
}

// The answer for an unknown address takes about as long as for a known
// one: no hashing on either path, and the same work up to the mail.
func TestPasswordResetTiming(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	c := newClock()
	svc := service(st, c, roomy)
	mkUser(t, svc, auth.NewUser{Email: "kari@example.no", Name: "Kari", Password: pw})
	measure := func(email string) time.Duration {
		var ds []time.Duration
		for range 7 {
			c.Add(time.Hour) // a fresh window for the address
			start := time.Now()
			if err := svc.RequestPasswordReset(ctx, email, "nb", acctLink, meta); err != nil {
				t.Fatal(err)
			}
			ds = append(ds, time.Since(start))
		}
		slices.Sort(ds)
		return ds[3]
	}
	measure("warm@example.no")
	known, unknown := measure("kari@example.no"), measure("nobody@example.no")
	t.Logf("median: known address %v, unknown %v", known, unknown)
	if d := known - unknown; d > 20*time.Millisecond || d < -20*time.Millisecond {
		t.Errorf("the answers differ by %v", d)
	}
}
