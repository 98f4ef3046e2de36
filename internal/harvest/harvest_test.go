package harvest_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/harvest"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
	"github.com/fellesrom/fellesrom/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// feedServer serves a feed whose answer the test changes: a body with a
// content type (an ETag from its hash, If-None-Match honoured), or a
// handler that misbehaves.
type feedServer struct {
	*httptest.Server
	mu      sync.Mutex
	body    string
	ctype   string
	handler http.HandlerFunc
	stop    chan struct{}
}

func newFeedServer(t *testing.T) *feedServer {
	fs := &feedServer{stop: make(chan struct{})}
	fs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fs.mu.Lock()
		body, ctype, h := fs.body, fs.ctype, fs.handler
		fs.mu.Unlock()
		if h != nil {
			h(w, r)
			return
		}
		sum := sha256.Sum256([]byte(body))
		etag := `"` + hex.EncodeToString(sum[:8]) + `"`
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", ctype)
		fmt.Fprint(w, body)
	}))
	t.Cleanup(func() {
		close(fs.stop)
		fs.Close()
	})
	return fs
}

func (fs *feedServer) serve(ctype, body string) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.body, fs.ctype, fs.handler = body, ctype, nil
}

func (fs *feedServer) misbehave(h http.HandlerFunc) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.handler = h
}

type meeting struct{ slug, name, day, time, city, url string }

func meetingGuide(ms ...meeting) string {
	var parts []string
	for _, m := range ms {
		extra := `"city": "` + m.city + `", "address": "Storgata 1"`
		if m.url != "" {
			extra = `"conference_url": "` + m.url + `"`
		}
		parts = append(parts, fmt.Sprintf(`{"slug": %q, "name": %q, "day": %s, "time": %q, "end_time": "20:30",
			"types": ["O"], "timezone": "Europe/Oslo", %s}`, m.slug, m.name, m.day, m.time, extra))
	}
	return "[" + strings.Join(parts, ",\n") + "]"
}

type fixture struct {
	s     *store.Store
	ctx   context.Context
	house domain.Organisation
	model domain.Model
	feed  store.Feed
	h     *harvest.Harvester
	srv   *feedServer
}

func newFixture(t *testing.T, s *store.Store) *fixture {
	t.Helper()
	f := &fixture{s: s, ctx: store.WithActor(context.Background(), store.Actor{ID: "coord"}), srv: newFeedServer(t)}
	f.house = domain.Organisation{Kind: domain.OrgSelfHelpHouse, Slug: "huset", Name: "Selvhjelpshuset Tromsø"}
	f.model = domain.Model{Slug: "tolv-trinn", Name: domain.Text{"nb": "Tolvtrinnsmøte"}, Intake: domain.IntakeOpen,
		Leadership: domain.LeadChair, DefaultJoin: domain.JoinJustCome}
	for _, err := range []error{s.SaveOrganisation(f.ctx, &f.house), s.SaveModel(f.ctx, &f.model)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	f.feed = store.Feed{OrgID: f.house.ID, URL: f.srv.URL + "/meetings.json", Format: store.FeedMeetingGuide,
		ModelID: f.model.ID, MunicipalityID: "5501", Interval: time.Hour, Enabled: true}
	if err := s.SaveFeed(f.ctx, &f.feed); err != nil {
		t.Fatal(err)
	}
	f.h = &harvest.Harvester{Store: s, Logger: slog.New(slog.DiscardHandler), Options: harvest.Options{AllowPrivate: true, Timeout: 2 * time.Second,
		MaxBytes: 1 << 20}}
	return f
}

// run harvests the feed as the job would (from the store's current row).
func (f *fixture) run(t *testing.T) (store.HarvestRun, error) {
	t.Helper()
	feed, err := f.s.Feed(f.ctx, f.feed.ID)
	if err != nil {
		t.Fatal(err)
	}
	return f.h.Run(f.ctx, feed)
}

func (f *fixture) mustRun(t *testing.T) store.HarvestRun {
	t.Helper()
	r, err := f.run(t)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	return r
}

// groups are the house's groups by name in Bokmål, as a person sees them.
func (f *fixture) groups(t *testing.T) map[string]domain.Group {
	t.Helper()
	gs, err := f.s.GroupsOfOrganisation(f.ctx, f.house.ID)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]domain.Group{}
	for _, g := range gs {
		out[g.Name.In("nb")] = g
	}
	return out
}

// snapshot is every field of every group of the house.
func (f *fixture) snapshot(t *testing.T) string {
	t.Helper()
	gs, err := f.s.GroupsOfOrganisation(f.ctx, f.house.ID)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, g := range gs {
		fmt.Fprintf(&b, "%s %s %s %s %v %s\n", g.ID, g.Slug, g.Name.In("nb"), g.Status, g.Schedule.Start, g.UpdatedAt)
	}
	return b.String()
}

func (f *fixture) changes(t *testing.T, runID string) map[string][]store.HarvestChange {
	t.Helper()
	cs, err := f.s.HarvestChanges(f.ctx, runID)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]store.HarvestChange{}
	for _, c := range cs {
		out[c.Kind] = append(out[c.Kind], c)
	}
	return out
}

var (
	mA = meeting{"mandag-kveld", "Mandagsmøtet", "1", "19:00", "Tromsø", ""}
	mB = meeting{"tirsdag-lunsj", "Lunsjmøtet", "2", "12:00", "Tromsø", ""}
	mC = meeting{"onsdag-nett", "Nettmøtet", "3", "20:00", "", "https://meet.example.org/abc"}
	mD = meeting{"torsdag", "Torsdagsgruppa", "4", "18:00", "Tromsø", ""}
)

// A feed harvested again and again: its meetings become groups, a local
// listing that is the same meeting is linked rather than listed twice, an
// unchanged feed (304) changes nothing, a changed meeting is updated, a
// meeting edited here and in the feed is a conflict that overwrites
// nothing until someone resolves it, and a meeting gone from the feed is
// marked ended, not deleted.
func TestHarvestMeetingGuide(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		// The house already lists Torsdagsgruppa itself.
		oslo, _ := time.LoadLocation("Europe/Oslo")
		local := domain.Group{Slug: "torsdagsgruppa", Name: domain.Text{"nb": "Torsdagsgruppa"}, ModelID: f.model.ID,
			OrgID: f.house.ID, Format: domain.FormatInPerson, Languages: []string{"nb"}, AgeGroup: domain.AgeAdults,
			Gender: domain.GenderEveryone, Status: domain.StatusRunning, TakesNewMembers: true, Join: domain.JoinJustCome,
			MunicipalityID: "5501", Schedule: domain.Schedule{Start: time.Date(2026, 1, 1, 18, 0, 0, 0, oslo).UTC(),
				DurationMin: 90, TZ: "Europe/Oslo", RRule: "FREQ=WEEKLY;BYDAY=TH"}}
		if err := s.SaveGroup(f.ctx, &local, "coord", ""); err != nil {
			t.Fatal(err)
		}

		f.srv.serve("application/json", meetingGuide(mA, mB, mC, mD))
		r := f.mustRun(t)
		if r.Status != "ok" || r.Created != 3 {
			t.Fatalf("first run: %+v", r)
		}
		ch := f.changes(t, r.ID)
		if len(ch["linked"]) != 1 || ch["linked"][0].GroupID != local.ID || ch["linked"][0].Key != "torsdag" {
			t.Errorf("the local Torsdagsgruppa should be linked to the feed's: %+v", ch)
		}
		gs := f.groups(t)
		if len(gs) != 4 {
			t.Fatalf("groups after the first run: %d, want 4 (three new, one linked)", len(gs))
		}
		if g := gs["Nettmøtet"]; g.Format != domain.FormatVideo || g.OnlineURL != "https://meet.example.org/abc" {
			t.Errorf("the online meeting: %s %q", g.Format, g.OnlineURL)
		}
		if g := gs["Mandagsmøtet"]; g.MunicipalityID != "5501" || g.Schedule.LocalStart().Format("Mon 15:04") != "Mon 19:00" {
			t.Errorf("Mandagsmøtet: %s %s", g.MunicipalityID, g.Schedule.LocalStart().Format("Mon 15:04"))
		}
		// The two meetings at Storgata 1 share one new venue there.
		v, err := s.Venue(f.ctx, gs["Mandagsmøtet"].VenueID)
		if err != nil || v.Street != "Storgata 1" || v.OrgID != f.house.ID || gs["Lunsjmøtet"].VenueID != v.ID {
			t.Errorf("the venue: %+v %v", v, err)
		}

		// The same feed again: the server says 304.
		r = f.mustRun(t)
		if r.Status != "ok" || r.Unchanged != 4 || r.Created+r.Updated+r.Removed+r.Conflicts != 0 {
			t.Fatalf("unchanged run: %+v", r)
		}

		// Someone here edits Lunsjmøtet; the feed renames Mandagsmøtet,
		// moves Lunsjmøtet, and drops Nettmøtet.
		lunsj := gs["Lunsjmøtet"]
		lunsj.Name = domain.Text{"nb": "Lunsjmøtet i kafeen"}
		if err := s.SaveGroup(f.ctx, &lunsj, "coord", ""); err != nil {
			t.Fatal(err)
		}
		a2, b2 := mA, mB
		a2.name, b2.time = "Mandagsmøtet for alle", "12:30"
		f.srv.serve("application/json; charset=utf-8", meetingGuide(a2, b2, mD))
		r = f.mustRun(t)
		if r.Status != "ok" || r.Updated != 1 || r.Conflicts != 1 || r.Removed != 1 || r.Unchanged != 1 {
			t.Fatalf("changed run: %+v", r)
		}
		gs = f.groups(t)
		if _, ok := gs["Mandagsmøtet for alle"]; !ok {
			t.Errorf("Mandagsmøtet was not renamed: %v", gs)
		}
		if g := gs["Lunsjmøtet i kafeen"]; g.Schedule.LocalStart().Format("15:04") != "12:00" {
			t.Errorf("the local edit was overwritten: %v", g.Schedule.LocalStart())
		}
		if g := gs["Nettmøtet"]; g.Status != domain.StatusEnded {
			t.Errorf("Nettmøtet gone from the feed: status %s, want ended", g.Status)
		}
		hist, _ := s.GroupHistory(f.ctx, gs["Nettmøtet"].ID)
		if len(hist) == 0 || hist[len(hist)-1].Reason == "" {
			t.Errorf("the removal has no reason in the history: %+v", hist)
		}
		ch = f.changes(t, r.ID)
		conflict := ch["conflict"][0]
		if !conflict.Proposed || !strings.Contains(conflict.Detail, "Clock") {
			t.Errorf("the conflict: %+v", conflict)
		}
		// The next run does not overwrite it either, nor log the same
		// conflict again.
		f.srv.serve("application/json", meetingGuide(a2, b2, mD)+" ")
		if r = f.mustRun(t); r.Updated != 0 || r.Conflicts != 1 || len(f.changes(t, r.ID)["conflict"]) != 0 {
			t.Errorf("a run with an open conflict: %+v", r)
		}
		// The coordinator takes the feed's version.
		if err := s.ResolveConflict(f.ctx, conflict.ID, true, "coord"); err != nil {
			t.Fatal(err)
		}
		if err := s.ResolveConflict(f.ctx, conflict.ID, true, "coord"); !errors.Is(err, store.ErrResolved) {
			t.Errorf("resolving twice: %v", err)
		}
		gs = f.groups(t)
		if g, ok := gs["Lunsjmøtet"]; !ok || g.Schedule.LocalStart().Format("15:04") != "12:30" {
			t.Errorf("the feed's version was not taken: %v", gs)
		}
		r = f.mustRun(t)
		if r.Unchanged != 3 || r.Updated+r.Conflicts != 0 {
			t.Errorf("after the resolution: %+v", r)
		}
		// Nettmøtet comes back.
		f.srv.serve("application/json", meetingGuide(a2, b2, mC, mD))
		if r = f.mustRun(t); r.Updated != 1 || f.groups(t)["Nettmøtet"].Status != domain.StatusRunning {
			t.Errorf("a meeting back in the feed: %+v", r)
		}
	})
}

// Feeds that misbehave in every way the issue lists: each run fails with
// the error named in the log, and every group stays exactly as it was;
// then a good feed runs again.
func TestHarvestBadFeeds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		f.h.Options.Timeout = 300 * time.Millisecond
		good := meetingGuide(mA, mB, mC, mD)
		f.srv.serve("application/json", good)
		if r := f.mustRun(t); r.Created != 4 {
			t.Fatalf("good run: %+v", r)
		}
		before := f.snapshot(t)
		other := strings.Replace(f.srv.URL, "127.0.0.1", "localhost", 1)
		for _, c := range []struct {
			name, code string
			h          http.HandlerFunc
		}{
			{"malformed JSON", harvest.ErrNotFeed, body("application/json", `[{"slug": "a", "name": "A", "day": 1,`)},
			{"HTML instead", harvest.ErrContentType, body("text/html", "<html><body>Logg inn</body></html>")},
			{"another JSON", harvest.ErrNotFeed, body("application/json", `{"meetings": []}`)},
			{"HTML called JSON", harvest.ErrNotFeed, body("application/json", "<!doctype html><p>Oops</p>")},
			{"wrong types", harvest.ErrNoUsable, body("application/json",
				`[{"slug": 5, "name": ["x"], "day": "someday"}, {"slug": "b", "name": "B", "day": {"x": 1}, "time": 7}]`)},
			{"empty list", harvest.ErrMassRemoval, body("application/json", `[]`)},
			{"HTTP 500", harvest.ErrHTTPStatus, func(w http.ResponseWriter, r *http.Request) {
				http.Error(w, "internal error", http.StatusInternalServerError)
			}},
			{"50 MB body", harvest.ErrTooLarge, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				chunk := []byte(strings.Repeat(" ", 1<<16))
				w.Write([]byte("["))
				for range 50 << 4 {
					if _, err := w.Write(chunk); err != nil {
						return
					}
				}
			}},
			{"50 MB announced", harvest.ErrTooLarge, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("Content-Length", fmt.Sprint(50<<20))
				w.Write([]byte("["))
			}},
			{"hanging server", harvest.ErrTimeout, func(w http.ResponseWriter, r *http.Request) {
				select {
				case <-r.Context().Done():
				case <-f.srv.stop:
				}
			}},
			{"slow body", harvest.ErrTimeout, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Write([]byte(`[{"slug": "a",`))
				w.(http.Flusher).Flush()
				select {
				case <-r.Context().Done():
				case <-f.srv.stop:
				}
			}},
			{"redirect elsewhere", harvest.ErrRedirect, func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, other+"/meetings.json", http.StatusFound)
			}},
			{"redirect loop", harvest.ErrRedirect, func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, "/again", http.StatusFound)
			}},
		} {
			f.srv.misbehave(c.h)
			r, err := f.run(t)
			var he *harvest.Error
			if !errors.As(err, &he) || he.Code != c.code {
				t.Errorf("%s: error %v, want code %s", c.name, err, c.code)
			}
			if r.Status != "error" || harvest.CodeOf(r.Error) != c.code {
				t.Errorf("%s: the log says %s %q", c.name, r.Status, r.Error)
			}
			runs, err := s.HarvestRuns(f.ctx, f.feed.ID, 1)
			if err != nil || len(runs) != 1 || runs[0].ID != r.ID || runs[0].Error == "" {
				t.Errorf("%s: the latest run in the log: %+v %v", c.name, runs, err)
			}
			if after := f.snapshot(t); after != before {
				t.Errorf("%s changed the groups:\n%s\nwas\n%s", c.name, after, before)
			}
		}
		// The ETag of the good run is kept through the failures: the good
		// feed again is a 304.
		f.srv.serve("application/json", good)
		if r := f.mustRun(t); r.Status != "ok" || r.Unchanged != 4 {
			t.Errorf("the good feed after the bad ones: %+v", r)
		}
		// A feed that allows it may remove everything.
		feed, _ := s.Feed(f.ctx, f.feed.ID)
		feed.AllowMassRemoval = true
		if err := s.SaveFeed(f.ctx, &feed); err != nil {
			t.Fatal(err)
		}
		f.srv.serve("application/json", "[]")
		if r := f.mustRun(t); r.Removed != 4 {
			t.Errorf("allowed mass removal: %+v", r)
		}
	})
}

func body(ctype, b string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", ctype)
		fmt.Fprint(w, b)
	}
}

// Production refuses this machine and private networks.
func TestFetchRefusesPrivate(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("a private address was fetched")
	}))
	defer srv.Close()
	for _, u := range []string{srv.URL, "http://localhost/x", "http://10.1.2.3/feed", "http://[::1]/x",
		"http://169.254.169.254/latest/meta-data", "http://192.168.1.1/", "http://0.0.0.0/"} {
		_, err := harvest.Fetch(context.Background(), u, store.FeedMeetingGuide, "", "", harvest.Options{})
		var he *harvest.Error
		if !errors.As(err, &he) || he.Code != harvest.ErrPrivate {
			t.Errorf("%s: %v, want %s", u, err, harvest.ErrPrivate)
		}
	}
	for _, u := range []string{"ftp://example.org/x", "file:///etc/passwd", "https://user:pw@example.org/",
		"https://example.org/#x", "//example.org", "https://", "gopher://x"} {
		if _, err := harvest.CheckURL(u, false); err == nil {
			t.Errorf("%s accepted", u)
		}
	}
	if _, err := harvest.CheckURL("https://aa.example.org/meetings.json?x=1", false); err != nil {
		t.Errorf("a good URL: %v", err)
	}
}
