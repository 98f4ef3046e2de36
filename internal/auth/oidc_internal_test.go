package auth

import (
	"encoding/json"
	"testing"

	"github.com/fellesrom/fellesrom/internal/store"
)

// emailVerified on the claims as a provider sends them: only true, or an
// absent claim at a provider trusted for its addresses and of its domains.
func TestEmailVerified(t *testing.T) {
	trusted := store.OIDCProvider{TrustEmail: true, EmailDomains: []string{"huset.no", "avd.huset.no"}}
	plain := store.OIDCProvider{EmailDomains: []string{"huset.no"}}
	for _, c := range []struct {
		payload string
		p       store.OIDCProvider
		domain  string
		want    bool
	}{
		{`{"email_verified": true}`, plain, "huset.no", true},
		{`{"email_verified": "TRUE"}`, plain, "huset.no", true},
		{`{"email_verified": false}`, plain, "huset.no", false},
		{`{}`, plain, "huset.no", false},
		{`{}`, trusted, "huset.no", true},
		{`{}`, trusted, "avd.huset.no", true},
		{`{}`, trusted, "example.org", false},
		{`{}`, trusted, "", false},
		{`{"email_verified": false}`, trusted, "huset.no", false},
		{`{"email_verified": "false"}`, trusted, "huset.no", false},
		{`{"email_verified": null}`, trusted, "huset.no", false},
		{`{"email_verified": 1}`, trusted, "huset.no", false},
		{`{"email_verified": "yes"}`, trusted, "huset.no", false},
		{`{"email_verified": true}`, trusted, "example.org", true}, // the domain check is FinishSSO's
	} {
		var claims ssoClaims
		if err := json.Unmarshal([]byte(c.payload), &claims); err != nil {
			t.Fatal(err)
		}
		if got := emailVerified(c.p, claims.EmailVerified, c.domain); got != c.want {
			t.Errorf("%s, trust_email %v, domain %q: %v, want %v", c.payload, c.p.TrustEmail, c.domain, got, c.want)
		}
	}
}
