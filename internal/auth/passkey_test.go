package auth_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// TestPasskeyService checks what needs no authenticator: a passkey makes
// the password step ask for a second factor, the options of the
// ceremonies, single-use challenges, refusals, and the last second factor.
// (A real authenticator signs in TestPasskeyBrowser.)
func TestPasskeyService(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		c := newClock()
		svc := service(st, c, roomy)
		u := mkUser(t, svc, auth.NewUser{Email: "ada@example.no", Name: "Ada", Password: pw, Admin: true})
		const origin = "https://fellesrom.example.no"

		// Without a second factor an administrator must enrol.
		res, err := svc.SignIn(ctx, u.Email, pw, meta, "")
		if err != nil || res.Stage != auth.StageEnrol {
			t.Fatalf("sign-in: %v %v", res.Stage, err)
		}
		me, err := svc.Authenticate(ctx, res.Token, meta)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.BeginPasskeyLogin(ctx, me, origin); !errors.Is(err, auth.ErrNoSession) {
			t.Errorf("passkey sign-in while enrolling: %v", err)
		}
		if _, err := svc.BeginPasskeyRegistration(ctx, me, "not a url"); err == nil {
			t.Error("a registration without an origin")
		}
		opts, err := svc.BeginPasskeyRegistration(ctx, me, origin)
		if err != nil {
			t.Fatal(err)
		}
		var cc struct {
			PublicKey struct {
				Challenge string `json:"challenge"`
				RP        struct {
					ID string `json:"id"`
				} `json:"rp"`
				User struct {
					Name string `json:"name"`
				} `json:"user"`
			} `json:"publicKey"`
		}
		if err := json.Unmarshal(opts, &cc); err != nil || cc.PublicKey.RP.ID != "fellesrom.example.no" ||
			cc.PublicKey.User.Name != u.Email || len(cc.PublicKey.Challenge) < 20 {
			t.Errorf("creation options %s %v", opts, err)
		}
		// A broken answer is refused, and uses up the challenge.
		if _, err := svc.FinishPasskeyRegistration(ctx, me, origin, "x", []byte(`{"id":"x"}`)); !errors.Is(err, auth.ErrPasskey) {
			t.Errorf("a broken answer: %v", err)
		}
		if _, err := svc.FinishPasskeyRegistration(ctx, me, origin, "x", []byte(`{"id":"x"}`)); !errors.Is(err, auth.ErrPasskey) {
			t.Errorf("a second answer: %v", err)
		}
		// An old challenge is refused.
		if _, err := svc.BeginPasskeyRegistration(ctx, me, origin); err != nil {
			t.Fatal(err)
		}
		c.Add(auth.PasskeyChallengeTTL)
		if _, err := st.TakePasskeyChallenge(ctx, me.Session.IDHash, "register", c.Now()); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a challenge after %v: %v", auth.PasskeyChallengeTTL, err)
		}
		if n := len(actions(t, st, store.AuditFilter{Action: "passkey.fail", Limit: 10})); n != 2 {
			t.Errorf("%d passkey.fail", n)
		}

		// With a passkey (stored directly: no authenticator here) the
		// password step asks for the second factor, and the code step
		// offers the passkey.
		pk := store.Passkey{UserID: u.ID, CredentialID: "Y3JlZA", Name: "Laptop", Data: []byte(`{"id":"Y3JlZA==","publicKey":"AQID"}`)}
		if err := st.CreatePasskey(ctx, &pk); err != nil {
			t.Fatal(err)
		}
		res, err = svc.SignIn(ctx, u.Email, pw, meta, res.Token)
		if err != nil || res.Stage != auth.StageCode {
			t.Fatalf("sign-in with a passkey: %v %v", res.Stage, err)
		}
		me, err = svc.Authenticate(ctx, res.Token, meta)
		if err != nil || !me.HasPasskey || me.Stage() != auth.StageCode {
			t.Fatalf("the code step: %+v %v", me, err)
		}
		if _, err := svc.BeginPasskeyRegistration(ctx, me, origin); !errors.Is(err, auth.ErrNoSession) {
			t.Errorf("registration before the second factor: %v", err)
		}
		opts, err = svc.BeginPasskeyLogin(ctx, me, origin)
		if err != nil || !strings.Contains(string(opts), `"allowCredentials":[{"type":"public-key","id":"Y3JlZA"`) {
			t.Errorf("assertion options %s %v", opts, err)
		}
		if _, err := svc.FinishPasskeyLogin(ctx, me, origin, []byte(`{"id":"Y3JlZA"}`)); !errors.Is(err, auth.ErrPasskey) {
			t.Errorf("a broken assertion: %v", err)
		}
		// The refusal counted as a failed sign-in.
		if got, _ := st.User(ctx, u.ID); got.FailedSignins != 1 {
			t.Errorf("%d failed sign-ins", got.FailedSignins)
		}
		// The only second factor of an administrator stays.
		if _, err := svc.RemovePasskey(ctx, me, pk.ID); !errors.Is(err, auth.ErrLastFactor) {
			t.Errorf("remove the last factor: %v", err)
		}
		if ok, err := svc.RemovePasskey(ctx, me, store.NewID()); ok || err != nil {
			t.Errorf("remove an unknown passkey: %v %v", ok, err)
		}
		if got := auth.CleanPasskeyName("  Min   " + strings.Repeat("ø", 80)); got != "Min "+strings.Repeat("ø", auth.MaxPasskeyName-4) {
			t.Errorf("clean name %q", got)
		}
	})
}
