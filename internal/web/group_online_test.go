package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fellesrom/fellesrom/internal/api"
	"github.com/fellesrom/fellesrom/internal/demo"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/finder"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
	"github.com/fellesrom/fellesrom/internal/web"
)

// An open online meeting's page says how to join; a closed group's link,
// number and note never reach its public page or the JSON API, as with its
// address.
func TestGroupPageOnline(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		if _, err := demo.Load(ctx, st); err != nil {
			t.Fatal(err)
		}
		groups, err := st.AllGroups(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var open, closed *domain.Group
		for i, g := range groups {
			switch {
			case open == nil && g.Format == domain.FormatVideo && g.Join == domain.JoinJustCome && g.OnlineURL != "" && g.Status == domain.StatusRunning:
				open = &groups[i]
			case closed == nil && g.Format == domain.FormatVideo && g.Join == domain.JoinViaHouse && g.Status == domain.StatusRunning:
				closed = &groups[i]
			}
		}
		if open == nil || closed == nil {
			t.Fatalf("the demo has no open video meeting with a link (%v) or no closed video group (%v)", open, closed)
		}
		closed.OnlineURL, closed.OnlinePhone, closed.OnlineNotes = "https://meet.example.org/lukket-gruppe-77", "+4799887766", "PIN 4711"
		if err := st.SaveGroup(ctx, closed, "test", ""); err != nil {
			t.Fatal(err)
		}
		f := finder.New(st)
		site := web.New(web.Deps{Store: st, Finder: f, Logger: slog.New(slog.DiscardHandler)})
		jsonAPI := api.New(api.Deps{Store: st, Finder: f})
		get := func(path string) string {
			t.Helper()
			h := site
			if strings.HasPrefix(path, "/api/") {
				h = jsonAPI
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
			if w.Code != http.StatusOK {
				t.Fatalf("GET %s: %d", path, w.Code)
			}
			b, _ := io.ReadAll(w.Body)
			return string(b)
		}
		if body := get("/gruppe/" + open.Slug); !strings.Contains(body, `href="`+open.OnlineURL+`"`) {
			t.Errorf("the open meeting %s does not show its link %s", open.Slug, open.OnlineURL)
		}
		for _, path := range []string{"/gruppe/" + closed.Slug, "/api/v1/groups/" + closed.Slug} {
			body := get(path)
			for _, secret := range []string{"lukket-gruppe-77", "99887766", "4711"} {
				if strings.Contains(body, secret) {
					t.Errorf("%s shows the closed group's %q", path, secret)
				}
			}
		}
	})
}
