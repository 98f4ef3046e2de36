package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"testing"

	"github.com/fellesrom/fellesrom/internal/seal"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

func rawDB(t *testing.T, e store.Engine, dsn string) *sql.DB {
	t.Helper()
	driver := "sqlite"
	if e == store.Postgres {
		driver = "pgx"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Secrets are sealed before they reach the database: a dump holds no TOTP
// secret and no client secret; a sealed value moved to another row does
// not open; values stored before sealing existed are sealed by Reseal;
// after a key rotation Reseal moves every value to the new key, and the
// old key can go.
func TestSealedSecrets(t *testing.T) {
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			s, dsn := storetest.OpenDSN(t, e)
			ctx := store.WithActor(context.Background(), store.Actor{ID: "cli"})
			house := newOrg(t, s, "huset", "")
			const totp, secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "klient-hemmelighet-123"
			a := store.User{Email: "a@example.no", Name: "A", TOTPSecret: totp}
			b := store.User{Email: "b@example.no", Name: "B"}
			for _, u := range []*store.User{&a, &b} {
				if err := s.CreateUser(ctx, u); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.SetPendingTOTP(ctx, b.ID, "OTHERSECRETOTHERSECRETOTHERSECRE"); err != nil {
				t.Fatal(err)
			}
			if err := s.EnableTOTP(ctx, b.ID, "WRONG", 1); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("enabled with a wrong secret: %v", err)
			}
			if err := s.EnableTOTP(ctx, b.ID, "OTHERSECRETOTHERSECRETOTHERSECRE", 1); err != nil {
				t.Errorf("enable with the pending secret: %v", err)
			}
			p := store.OIDCProvider{OrgID: house.ID, Name: "Entra", Issuer: "https://login.example.no/t/v2.0",
				ClientID: "c", ClientSecret: secret, Enabled: true, TrustEmail: true}
			if err := s.SaveOIDCProvider(ctx, &p); err != nil {
				t.Fatal(err)
			}
			if got, err := s.User(ctx, a.ID); err != nil || got.TOTPSecret != totp {
				t.Fatalf("TOTP secret read back: %q %v", got.TOTPSecret, err)
			}
			if got, err := s.OIDCProvider(ctx, p.ID); err != nil || got.ClientSecret != secret || !got.TrustEmail {
				t.Fatalf("provider read back: %+v %v", got, err)
			}
			dump := storetest.Dump(t, e, dsn)
			for _, plain := range []string{totp, "OTHERSECRETOTHERSECRETOTHERSECRE", secret} {
				if bytes.Contains(dump, []byte(plain)) {
					t.Errorf("the database dump holds %q in plain text", plain)
				}
			}
			if n, err := s.CountSealed(ctx); err != nil || n != 3 {
				t.Errorf("CountSealed = %d, %v; want 3", n, err)
			}

			// A sealed value copied into another user's row does not open.
			db := rawDB(t, e, dsn)
			if _, err := db.ExecContext(ctx, `UPDATE users SET totp_secret = (SELECT totp_secret FROM users WHERE id = $1) WHERE id = $2`,
				a.ID, b.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := s.User(ctx, b.ID); !errors.Is(err, seal.ErrCorrupt) {
				t.Errorf("a secret moved between rows: %v", err)
			}
			// A value stored in plain text (before sealing) is sealed by Reseal.
			if _, err := db.ExecContext(ctx, `UPDATE users SET totp_secret = $1 WHERE id = $2`, "PLAINPLAINPLAINPLAIN", b.ID); err != nil {
				t.Fatal(err)
			}
			r, err := s.Reseal(ctx, nil)
			if err != nil || r.Plain != 1 || r.Current != 2 || r.Resealed != 0 {
				t.Fatalf("reseal of a plain value: %+v %v", r, err)
			}
			if got, err := s.User(ctx, b.ID); err != nil || got.TOTPSecret != "PLAINPLAINPLAINPLAIN" {
				t.Errorf("after reseal: %q %v", got.TOTPSecret, err)
			}

			// Rotation: a new first key; Reseal moves everything to it.
			old := s.Keys()
			s.SetKeys(old.Rotate())
			t.Cleanup(func() { s.SetKeys(old) })
			if n, _ := s.CountSealedWith(ctx, old.Primary()); n != 3 {
				t.Errorf("before reseal %d values with the old key, want 3", n)
			}
			if r, err := s.Reseal(ctx, nil); err != nil || r.Resealed != 3 || r.Plain != 0 || r.Current != 0 {
				t.Fatalf("reseal after rotation: %+v %v", r, err)
			}
			if n, _ := s.CountSealedWith(ctx, old.Primary()); n != 0 {
				t.Errorf("after reseal %d values still with the old key", n)
			}
			retired, err := s.Keys().Retire(old.Primary())
			if err != nil {
				t.Fatal(err)
			}
			s.SetKeys(retired)
			if got, err := s.User(ctx, a.ID); err != nil || got.TOTPSecret != totp {
				t.Errorf("after retiring the old key: %q %v", got.TOTPSecret, err)
			}
			if got, err := s.OIDCProvider(ctx, p.ID); err != nil || got.ClientSecret != secret {
				t.Errorf("provider after retiring the old key: %v", err)
			}
		})
	}
}
