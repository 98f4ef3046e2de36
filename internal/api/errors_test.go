package api_test

import (
	"strings"
	"testing"

	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// TestServerErrors breaks the database under the server: every resource
// that needs it answers a 500 in the contract's shape, logged without the
// query string; what needs no database still answers.
func TestServerErrors(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		c := newClient(t, st)
		c.expect500 = true
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{"/api/v1/groups?q=hemmelig-ord", "/api/v1/groups/sorg-tromso", "/api/v1/organisations",
			"/api/v1/organisations/selvhjelpshuset-tromso", "/api/v1/themes", "/api/v1/models", "/api/v1/municipalities",
			"/api/v1/counties"} {
			e := wantError(t, p, c.get(p), 500, "internal_error", "")
			if e.Error.Message != "internal error" {
				t.Errorf("%s: the message says more than it should: %q", p, e.Error.Message)
			}
		}
		wantError(t, "bad page", c.get("/api/v1/groups?page=0"), 400, "bad_parameter", "page")
		wantError(t, "bad id", c.get("/api/v1/groups/%ff"), 404, "not_found", "")
		if r := c.get("/api/openapi.yaml"); r.status != 200 {
			t.Errorf("openapi.yaml without a database: %d", r.status)
		}
		logs := c.logs.String()
		if !strings.Contains(logs, "api: request failed") {
			t.Errorf("the failures are not logged:\n%s", logs)
		}
		if strings.Contains(logs, "hemmelig-ord") {
			t.Errorf("the log holds what was searched for:\n%s", logs)
		}
	})
}
