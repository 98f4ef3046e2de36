package web_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/fellesrom/fellesrom/internal/demo"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/finder"
	"github.com/fellesrom/fellesrom/internal/meetingguide"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
	"github.com/fellesrom/fellesrom/internal/web"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The Meeting Guide feed of the demo directory, served by the site: only open
// meetings at public places or online with how to join, each linking to its
// group page.
func TestMeetingGuideFeed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		if _, err := demo.Load(ctx, st); err != nil {
			t.Fatal(err)
		}
		h := web.New(web.Deps{Store: st, Finder: finder.New(st), Logger: slog.New(slog.DiscardHandler)})
		r := httptest.NewRequest(http.MethodGet, "http://fellesrom.test/feeds/meeting-guide.json", nil)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusOK || w.Header().Get("ETag") == "" {
			t.Fatalf("status %d, ETag %q", w.Code, w.Header().Get("ETag"))
		}
		validateMeetingGuide(t, w.Body.Bytes())
		ms, problems, err := meetingguide.Parse(w.Body, 10<<20)
		if err != nil || len(problems) > 0 || len(ms) == 0 {
			t.Fatalf("%d meetings, %v, %v", len(ms), problems, err)
		}
		models, err := st.Models(ctx)
		if err != nil {
			t.Fatal(err)
		}
		intake := map[string]domain.Intake{}
		for _, m := range models {
			intake[m.ID] = m.Intake
		}
		online := 0
		for _, m := range ms {
			slug, ok := strings.CutPrefix(m.URL, "https://fellesrom.test/gruppe/")
			if !ok {
				t.Fatalf("%s: url %q", m.Slug, m.URL)
			}
			g, err := st.Group(ctx, slug)
			if err != nil {
				t.Fatalf("%s: %v", m.Slug, err)
			}
			if g.Join != domain.JoinJustCome || intake[g.ModelID] == domain.IntakeClosed {
				t.Errorf("%s is in the feed but not an open meeting", slug)
			}
			// A meeting is at a place, or online with how to join.
			switch {
			case g.VenueID != "":
			case m.ConferenceURL != "" && m.ConferenceURL == g.OnlineURL, m.ConferencePhone != "" && m.ConferencePhone == g.OnlinePhone:
				online++
			default:
				t.Errorf("%s is in the feed with neither a place nor a way to join online", slug)
			}
			page := httptest.NewRecorder()
			h.ServeHTTP(page, httptest.NewRequest(http.MethodGet, "/gruppe/"+slug, nil))
			if page.Code != http.StatusOK {
				t.Errorf("group page of %s: %d", slug, page.Code)
			}
		}
		if online == 0 {
			t.Error("no online meeting in the feed; the demo has open telephone and video meetings")
		}
	})
}

// validateMeetingGuide checks a feed against the package's JSON Schema.
func validateMeetingGuide(t *testing.T, body []byte) {
	t.Helper()
	raw, err := os.ReadFile("../meetingguide/testdata/meeting-guide.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource("meeting-guide.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("meeting-guide.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(v); err != nil {
		t.Fatalf("the feed does not validate: %v", err)
	}
}
