package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

func TestOIDCProviders(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := store.WithActor(context.Background(), store.Actor{ID: "admin-1", Source: "192.0.2.0/24"})
		org := domain.Organisation{Slug: "huset", Name: "Huset", Kind: domain.OrgSelfHelpHouse}
		if err := s.SaveOrganisation(ctx, &org); err != nil {
			t.Fatal(err)
		}
		p := store.OIDCProvider{OrgID: org.ID, Name: " Entra ID ", Issuer: "https://login.example.no/tenant/v2.0",
			ClientID: "client-1", ClientSecret: "s3cret", Scopes: []string{"email", "profile", "email"},
			EmailDomains: []string{"@Huset.NO", "huset.no", "avd.huset.no."}, Enabled: true}
		if err := s.SaveOIDCProvider(ctx, &p); err != nil {
			t.Fatal(err)
		}
		got, err := s.OIDCProvider(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "Entra ID" || !slices.Equal(got.Scopes, []string{"openid", "email", "profile"}) ||
			!slices.Equal(got.EmailDomains, []string{"huset.no", "avd.huset.no"}) || got.ClientSecret != "s3cret" ||
			!got.HasSecret || !got.Enabled || got.TrustMFA {
			t.Errorf("stored provider %+v", got)
		}

		// An update with no secret keeps the stored one; the log says what
		// changed, and of the secret only that it did.
		p.ClientSecret, p.TrustMFA = "", true
		if err := s.SaveOIDCProvider(ctx, &p); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.OIDCProvider(ctx, p.ID); got.ClientSecret != "s3cret" || !got.TrustMFA {
			t.Errorf("after an update without a secret: %+v", got)
		}
		p.ClientSecret = "new-secret"
		if err := s.SaveOIDCProvider(ctx, &p); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.OIDCProvider(ctx, p.ID); got.ClientSecret != "new-secret" {
			t.Error("the new secret was not stored")
		}
		log, err := s.AuditLog(ctx, store.AuditFilter{Action: "oidc_provider."})
		if err != nil {
			t.Fatal(err)
		}
		if len(log) != 3 || log[2].Action != "oidc_provider.create" || log[0].ActorID != "admin-1" || log[0].OrgID != org.ID {
			t.Fatalf("audit %+v", log)
		}
		if c := log[0].Detail["changed"].(map[string]any); c["ClientSecret"] != true || len(c) != 1 {
			t.Errorf("secret change logged as %v", c)
		}
		if c := log[1].Detail["changed"].(map[string]any); c["TrustMFA"] == nil || c["ClientSecret"] != nil {
			t.Errorf("trust change logged as %v", c)
		}
		for _, e := range log {
			for _, v := range []string{"s3cret", "new-secret"} {
				if strings.Contains(fmtDetail(e.Detail), v) {
					t.Errorf("%s holds the secret", e.Action)
				}
			}
		}

		// Bad settings are refused.
		for _, bad := range []store.OIDCProvider{
			{OrgID: org.ID, Name: "x", Issuer: "http://login.example.no", ClientID: "c"},
			{OrgID: org.ID, Name: "x", Issuer: "https://login.example.no?x=1", ClientID: "c"},
			{OrgID: org.ID, Name: "", Issuer: "https://login.example.no", ClientID: "c"},
			{OrgID: org.ID, Name: "x", Issuer: "https://login.example.no", ClientID: ""},
			{OrgID: org.ID, Name: "x", Issuer: "https://login.example.no", ClientID: "c", EmailDomains: []string{"no"}},
			{OrgID: org.ID, Name: "x", Issuer: "https://login.example.no", ClientID: "c", Scopes: []string{`a"b`}},
			{Name: "x", Issuer: "https://login.example.no", ClientID: "c"},
		} {
			if err := s.SaveOIDCProvider(ctx, &bad); err == nil {
				t.Errorf("saved %+v", bad)
			}
		}
		all, err := s.OIDCProviders(ctx)
		if err != nil || len(all) != 1 {
			t.Fatalf("providers %v %v", all, err)
		}
		missing := store.OIDCProvider{ID: store.NewID(), OrgID: org.ID, Name: "x", Issuer: "https://a.example.no", ClientID: "c"}
		if err := s.SaveOIDCProvider(ctx, &missing); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("update of a missing provider: %v", err)
		}

		// Identities: one subject per user per provider, one user per subject.
		u := store.User{Email: "kari@huset.no", Name: "Kari"}
		v := store.User{Email: "per@huset.no", Name: "Per"}
		for _, x := range []*store.User{&u, &v} {
			if err := s.CreateUser(ctx, x); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.IdentityUser(ctx, p.ID, "sub-1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown subject: %v", err)
		}
		if err := s.LinkIdentity(ctx, p.ID, "sub-1", u.ID); err != nil {
			t.Fatal(err)
		}
		if id, err := s.IdentityUser(ctx, p.ID, "sub-1"); err != nil || id != u.ID {
			t.Errorf("linked subject: %q %v", id, err)
		}
		if err := s.LinkIdentity(ctx, p.ID, "sub-2", u.ID); !errors.Is(err, store.ErrIdentityTaken) {
			t.Errorf("a second subject for the user: %v", err)
		}
		if err := s.LinkIdentity(ctx, p.ID, "sub-1", v.ID); !errors.Is(err, store.ErrIdentityTaken) {
			t.Errorf("the subject for another user: %v", err)
		}
		ids, err := s.UserIdentities(ctx, u.ID)
		if err != nil || len(ids) != 1 || ids[0].Subject != "sub-1" || ids[0].ProviderID != p.ID {
			t.Errorf("identities %+v %v", ids, err)
		}
		if log, _ := s.AuditLog(ctx, store.AuditFilter{Action: "sso.link"}); len(log) != 1 || log[0].ObjectID != u.ID {
			t.Errorf("sso.link entries %+v", log)
		}
		testIdentitiesByHand(t, s, p, u, v)

		// Sign-ins under way: single use, and dead once expired.
		now := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
		mk := func(hash string, ttl time.Duration) {
			l := store.OIDCLogin{StateHash: hash, ProviderID: p.ID, Nonce: "n-" + hash, PKCEVerifier: "v-" + hash,
				ReturnTo: "/kontor", Lang: "en", CreatedAt: now, ExpiresAt: now.Add(ttl)}
			if err := s.CreateOIDCLogin(ctx, &l); err != nil {
				t.Fatal(err)
			}
		}
		mk("a", 10*time.Minute)
		mk("b", 10*time.Minute)
		mk("c", time.Minute)
		l, err := s.TakeOIDCLogin(ctx, "a", now.Add(time.Minute))
		if err != nil || l.Nonce != "n-a" || l.PKCEVerifier != "v-a" || l.ReturnTo != "/kontor" || l.Lang != "en" ||
			!l.ExpiresAt.Equal(now.Add(10*time.Minute)) {
			t.Errorf("taken %+v %v", l, err)
		}
		if _, err := s.TakeOIDCLogin(ctx, "a", now.Add(time.Minute)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a state used twice: %v", err)
		}
		if _, err := s.TakeOIDCLogin(ctx, "c", now.Add(2*time.Minute)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("an expired state: %v", err)
		}
		mk("d", time.Minute)
		if n, err := s.DeleteExpiredOIDCLogins(ctx, now.Add(5*time.Minute)); err != nil || n != 1 {
			t.Errorf("deleted %d expired sign-ins, %v", n, err)
		}
		if _, err := s.TakeOIDCLogin(ctx, "b", now.Add(5*time.Minute)); err != nil {
			t.Errorf("b: %v", err)
		}
	})
}

func fmtDetail(d map[string]any) string {
	b, _ := json.Marshal(d)
	return string(b)
}

// testIdentitiesByHand: an administrator links and unlinks identities (u
// has sub-1 at p already), with audit entries that never hold the subject.
func testIdentitiesByHand(t *testing.T, s *store.Store, p store.OIDCProvider, u, v store.User) {
	t.Helper()
	ctx := store.WithActor(context.Background(), store.Actor{ID: "admin-2", Source: "198.51.100.0/24"})
	for _, c := range []struct {
		what, provider, subject, user string
		want                          error
	}{
		{"the subject of another user", p.ID, "sub-1", v.ID, store.ErrSubjectTaken},
		{"the user's own subject again", p.ID, "sub-1", u.ID, store.ErrSubjectTaken},
		{"a second subject for the user", p.ID, "sub-9", u.ID, store.ErrUserLinked},
		{"an unknown provider", store.NewID(), "sub-9", v.ID, store.ErrNotFound},
		{"an unknown user", p.ID, "sub-9", store.NewID(), store.ErrNotFound},
	} {
		if err := s.LinkIdentityByHand(ctx, c.provider, c.subject, c.user); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.what, err, c.want)
		}
	}
	if !errors.Is(store.ErrSubjectTaken, store.ErrIdentityTaken) || !errors.Is(store.ErrUserLinked, store.ErrIdentityTaken) {
		t.Error("the two refusals are not ErrIdentityTaken")
	}
	for _, bad := range []string{"", strings.Repeat("x", store.MaxSubject+1)} {
		if err := s.LinkIdentityByHand(ctx, p.ID, bad, v.ID); err == nil {
			t.Errorf("a subject of %d bytes was linked", len(bad))
		}
	}
	if err := s.LinkIdentityByHand(ctx, p.ID, "sub-per", v.ID); err != nil {
		t.Fatal(err)
	}
	if id, err := s.IdentityUser(ctx, p.ID, "sub-per"); err != nil || id != v.ID {
		t.Errorf("linked by hand: %q %v", id, err)
	}

	// Unlink: the subject is free again, for the same user or another.
	if err := s.UnlinkIdentity(ctx, p.ID, u.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.IdentityUser(ctx, p.ID, "sub-1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("after unlink: %v", err)
	}
	if ids, _ := s.UserIdentities(ctx, u.ID); len(ids) != 0 {
		t.Errorf("identities after unlink %+v", ids)
	}
	if err := s.UnlinkIdentity(ctx, p.ID, u.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unlink twice: %v", err)
	}
	if err := s.UnlinkIdentity(ctx, store.NewID(), v.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unlink at an unknown provider: %v", err)
	}
	if err := s.LinkIdentityByHand(ctx, p.ID, "sub-1", u.ID); err != nil {
		t.Errorf("link again after unlink: %v", err)
	}
	for action, users := range map[string][]string{"identity.link": {u.ID, v.ID}, "identity.unlink": {u.ID}} {
		log, err := s.AuditLog(ctx, store.AuditFilter{Action: action})
		if err != nil || len(log) != len(users) {
			t.Fatalf("%s: %d entries, %v", action, len(log), err)
		}
		for i, e := range log {
			if e.ActorID != "admin-2" || e.Source != "198.51.100.0/24" || e.ObjectType != "user" || e.ObjectID != users[i] ||
				e.OrgID != p.OrgID || e.Detail["provider"] != p.ID || strings.Contains(fmtDetail(e.Detail), "sub-") {
				t.Errorf("%s entry %+v", action, e)
			}
		}
	}
}
