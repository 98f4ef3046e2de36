package web_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/browsertest"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/harvest"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

func init() { matrixAreas = append(matrixAreas, feedsProbes) }

// feedsMatrix is a feed with a run in every organisation of a fixture.
type feedsMatrix struct {
	feeds map[string]store.Feed
	runs  map[string]store.HarvestRun
}

var feedsMatrices sync.Map // *officeFixture → *feedsMatrix

func feedsMatrixOf(t *testing.T, f *officeFixture) *feedsMatrix {
	if m, ok := feedsMatrices.Load(f); ok {
		return m.(*feedsMatrix)
	}
	ctx := store.WithActor(context.Background(), store.Actor{ID: "test"})
	m := &feedsMatrix{feeds: map[string]store.Feed{}, runs: map[string]store.HarvestRun{}}
	for _, k := range officeOrgKeys {
		feed := store.Feed{OrgID: f.orgs[k].ID, URL: "https://example.org/" + k + ".json", Format: store.FeedMeetingGuide,
			ModelID: f.model.ID, Interval: time.Hour, Enabled: true}
		if err := f.st.SaveFeed(ctx, &feed); err != nil {
			t.Fatal(err)
		}
		run, err := f.st.FailHarvest(ctx, feed.ID, time.Now(), "timeout: the server did not send the whole feed in time")
		if err != nil {
			t.Fatal(err)
		}
		m.feeds[k], m.runs[k] = feed, run
	}
	feedsMatrices.Store(f, m)
	return m
}

// feedConflict records a run of the feed with a conflict about group g.
func feedConflict(t *testing.T, st *store.Store, feed store.Feed, g domain.Group, name string) (store.HarvestRun, store.HarvestChange) {
	t.Helper()
	ctx := store.WithActor(context.Background(), store.Actor{ID: "test"})
	next := g
	next.Name = domain.Text{"nb": name}
	run, err := st.ApplyHarvest(ctx, store.HarvestPlan{FeedID: feed.ID, StartedAt: time.Now(),
		Conflict: []store.HarvestTarget{{HarvestItem: store.HarvestItem{Key: "k-" + g.Slug, Group: next}, GroupID: g.ID}}})
	if err != nil {
		t.Fatal(err)
	}
	cs, err := st.HarvestChanges(ctx, run.ID)
	if err != nil || len(cs) != 1 {
		t.Fatalf("conflict: %+v %v", cs, err)
	}
	return run, cs[0]
}

// feedsProbes are the role matrix's requests of the feeds: every page and
// form needs auth.EditListing in the feed's organisation (administrators
// and coordinators of it or above it); partners and starters get 404.
func feedsProbes(t *testing.T, f *officeFixture, _ *matrixExtras, who string) []officeProbe {
	rights := officeRights[who]
	edit := func(k string) bool { return slices.Contains(rights.edit, k) }
	m := feedsMatrixOf(t, f)
	mark := strings.ToLower(who)
	ps := []officeProbe{{name: "the feeds", method: "GET", path: "/kontor/kilder", allow: len(rights.edit) > 0}}
	for _, k := range officeOrgKeys {
		feed, run := m.feeds[k], m.runs[k]
		base := "/kontor/kilder/" + feed.ID
		crun, change := feedConflict(t, f.st, feed, f.groups[k], "Konflikt "+who)
		form := func(u string) func() url.Values {
			return func() url.Values {
				return url.Values{"organisation": {f.orgs[k].ID}, "url": {u}, "format": {store.FeedMeetingGuide},
					"model": {f.model.ID}, "interval": {"60"}, "enabled": {"1"}}
			}
		}
		ps = append(ps,
			officeProbe{name: "the feeds of " + k, method: "GET", path: "/kontor/kilder/ny?organisasjon=" + f.orgs[k].ID, allow: edit(k)},
			officeProbe{name: "a new feed in " + k, method: "POST", path: "/kontor/kilder/ny", allow: edit(k),
				form: form("https://example.org/" + mark + "/" + k + ".json")},
			officeProbe{name: "the feed of " + k, method: "GET", path: base, allow: edit(k),
				check: func(t *testing.T, body string) {
					if !strings.Contains(body, "example.org/") || !strings.Contains(body, "/kjoring/"+run.ID) {
						t.Errorf("%s: the feed of %s lacks its URL or its run", who, k)
					}
				}},
			officeProbe{name: "a change of the feed of " + k, method: "POST", path: base, allow: edit(k),
				form: form("https://example.org/" + mark + "/changed-" + k + ".json")},
			officeProbe{name: "harvest the feed of " + k + " now", method: "POST", path: base + "/hent", allow: edit(k),
				form: func() url.Values { return url.Values{} }},
			officeProbe{name: "a failed run of " + k, method: "GET", path: base + "/kjoring/" + run.ID, allow: edit(k),
				check: func(t *testing.T, body string) {
					if !strings.Contains(body, "Serveren svarte ikke i tide.") {
						t.Errorf("%s: the failed run of %s does not say why", who, k)
					}
				}},
			officeProbe{name: "a run with a conflict in " + k, method: "GET", path: base + "/kjoring/" + crun.ID, allow: edit(k)},
			officeProbe{name: "resolve a conflict in " + k, method: "POST", path: base + "/konflikt/" + change.ID, allow: edit(k),
				form: func() url.Values { return url.Values{"choice": {"local"}} }},
		)
	}
	return ps
}

// TestOfficeFeeds: a coordinator registers a feed (a private address and
// a missing model are refused next to their fields, with what was typed
// kept); the feed is harvested from a local server; the log shows what
// was created and the conflict with a local edit; the coordinator takes
// the feed's version; a run that failed says why and that nothing
// changed. Another house's feed is 404.
func TestOfficeFeeds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newOfficeFixture(t, st)
		ctx := store.WithActor(context.Background(), store.Actor{ID: "test"})
		house := f.orgs["house1"]
		c := f.signIn(t, "coordHouse")
		r := c.get("/kontor/kilder")
		checkOfficeHTML(t, "/kontor/kilder", r, "nb")
		if r.status != 200 || !strings.Contains(r.body, "Ingen kilder er registrert.") {
			t.Fatalf("list: %d", r.status)
		}
		r = c.get("/kontor/kilder/ny?organisasjon=" + house.ID)
		checkOfficeHTML(t, "/kontor/kilder/ny", r, "nb")
		bad := url.Values{"organisation": {house.ID}, "url": {"http://127.0.0.1:8080/mote.json"}, "format": {"meetingguide"},
			"model": {""}, "interval": {"60"}, "enabled": {"1"}}
		r = c.post("/kontor/kilder/ny", bad)
		checkOfficeHTML(t, "/kontor/kilder/ny (errors)", r, "nb")
		if r.status != 400 || !strings.Contains(r.body, "Adressen peker til denne maskinen") ||
			!strings.Contains(r.body, "Velg en gruppemodell.") || !strings.Contains(r.body, `value="http://127.0.0.1:8080/mote.json"`) {
			t.Errorf("bad feed: %d %s", r.status, errorSummary(r.body))
		}
		good := url.Values{"organisation": {house.ID}, "url": {"https://aa.example.org/meetings.json"},
			"format": {"meetingguide"}, "model": {f.model.ID}, "municipality": {"5501"}, "interval": {"60"}, "enabled": {"1"}}
		r = c.post("/kontor/kilder/ny", good)
		if r.status != 303 || !strings.Contains(r.location(), "melding=opprettet") {
			t.Fatalf("create: %d %q %s", r.status, r.location(), errorSummary(r.body))
		}
		feeds, _ := st.Feeds(ctx, []string{house.ID})
		if len(feeds) != 1 || feeds[0].URL != "https://aa.example.org/meetings.json" || feeds[0].MunicipalityID != "5501" {
			t.Fatalf("feeds: %+v", feeds)
		}
		feed := feeds[0]

		// Serve it from a local server (the form refuses such addresses;
		// the test puts it in the store).
		body := `[{"slug": "m1", "name": "Mandagsmøtet", "day": 1, "time": "19:00", "city": "Tromsø", "address": "Storgata 1"}]`
		var mu sync.Mutex
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			defer mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, body)
		}))
		defer srv.Close()
		feed.URL = srv.URL + "/meetings.json"
		if err := st.SaveFeed(ctx, &feed); err != nil {
			t.Fatal(err)
		}
		h := &harvest.Harvester{Store: st, Logger: slog.New(slog.DiscardHandler), Options: harvest.Options{AllowPrivate: true}}
		run1, err := h.Run(ctx, feed)
		if err != nil || run1.Created != 1 {
			t.Fatalf("harvest: %+v %v", run1, err)
		}
		r = c.get("/kontor/kilder/" + feed.ID + "/kjoring/" + run1.ID)
		checkOfficeHTML(t, "run", r, "nb")
		if r.status != 200 || !strings.Contains(r.body, "Opprettet") || !strings.Contains(r.body, "Mandagsmøtet") {
			t.Errorf("run page: %d", r.status)
		}
		// A local edit, then the feed changes the same group.
		gs, _ := st.GroupsOfOrganisation(ctx, house.ID)
		var g domain.Group
		for _, x := range gs {
			if x.Name.In("nb") == "Mandagsmøtet" {
				g = x
			}
		}
		g.Name = domain.Text{"nb": "Mandagsmøtet i kafeen"}
		if err := st.SaveGroup(ctx, &g, "coord", ""); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		body = strings.Replace(body, `"19:00"`, `"19:30"`, 1)
		mu.Unlock()
		run2, err := h.Run(ctx, feed)
		if err != nil || run2.Conflicts != 1 {
			t.Fatalf("conflict run: %+v %v", run2, err)
		}
		runPath := "/kontor/kilder/" + feed.ID + "/kjoring/" + run2.ID
		r = c.get(runPath)
		checkOfficeHTML(t, "conflict", r, "nb")
		cs, _ := st.HarvestChanges(ctx, run2.ID)
		if r.status != 200 || len(cs) != 1 || !strings.Contains(r.body, "/konflikt/"+cs[0].ID) ||
			!strings.Contains(r.body, "Ta kildens versjon") {
			t.Fatalf("conflict page: %d", r.status)
		}
		r = c.post("/kontor/kilder/"+feed.ID+"/konflikt/"+cs[0].ID, url.Values{"choice": {"feed"}})
		if r.status != 303 || r.location() != runPath+"?melding=lost" {
			t.Fatalf("resolve: %d %q", r.status, r.location())
		}
		if now, _ := st.Group(ctx, g.ID); now.Name.In("nb") != "Mandagsmøtet" || now.Schedule.LocalStart().Format("15:04") != "19:30" {
			t.Errorf("after taking the feed's version: %s %s", now.Name.In("nb"), now.Schedule.LocalStart().Format("15:04"))
		}
		if r = c.get(runPath); !strings.Contains(r.body, "Løst: kildens versjon ble tatt.") {
			t.Errorf("the resolution is not shown")
		}
		// A failed run.
		mu.Lock()
		body = `{"error": "maintenance"}`
		mu.Unlock()
		run3, err := h.Run(ctx, feed)
		if err == nil || run3.Status != "error" {
			t.Fatalf("bad run: %+v %v", run3, err)
		}
		r = c.get("/kontor/kilder/" + feed.ID + "/kjoring/" + run3.ID)
		checkOfficeHTML(t, "failed run", r, "nb")
		if !strings.Contains(r.body, "Har kilden endret format?") || !strings.Contains(r.body, "Ingen grupper ble endret.") {
			t.Errorf("failed run page")
		}
		r = c.get("/kontor/kilder/" + feed.ID)
		checkOfficeHTML(t, "feed", r, "nb")
		if !strings.Contains(r.body, "Har kilden endret format?") || !strings.Contains(r.body, "1 nye, 0 endret") {
			t.Errorf("feed page lacks its runs")
		}
		// Harvest now, and another house's feed.
		r = c.post("/kontor/kilder/"+feed.ID+"/hent", nil)
		if r.status != 303 || !strings.Contains(r.location(), "melding=hentes") {
			t.Errorf("harvest now: %d %q", r.status, r.location())
		}
		other := store.Feed{OrgID: f.orgs["house2"].ID, URL: "https://example.org/x.json", Format: store.FeedCSV,
			ModelID: f.model.ID, Interval: time.Hour}
		if err := st.SaveFeed(ctx, &other); err != nil {
			t.Fatal(err)
		}
		if r = c.get("/kontor/kilder/" + other.ID); r.status != 404 {
			t.Errorf("another house's feed: %d", r.status)
		}
	})
}

// TestOfficeFeedsBrowser: the list, the form (before and after an error)
// and a run's log with a conflict pass axe-core in Chromium.
func TestOfficeFeedsBrowser(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	f := newOfficeFixture(t, st)
	m := feedsMatrixOf(t, f)
	feed := m.feeds["house1"]
	crun, _ := feedConflict(t, st, feed, f.groups["house1"], "Et nytt navn")
	ctx := browsertest.Tab(t)
	a := browserActions(t, ctx, f.srv.URL)
	f.browserSignIn(a, "coordHouse")

	for _, p := range []string{"/kontor/kilder", "/kontor/kilder/ny", "/kontor/kilder/" + feed.ID,
		"/kontor/kilder/" + feed.ID + "/kjoring/" + m.runs["house1"].ID, "/kontor/kilder/" + feed.ID + "/kjoring/" + crun.ID} {
		if s := a.open(p); s != 200 {
			t.Fatalf("%s: %d", p, s)
		}
		checkPage(t, ctx, p)
	}
	a.open("/kontor/kilder/ny")
	a.typeIn("url", "ftp://x")
	if s := a.submit("form.office-form button[type=submit]"); s != 400 {
		t.Errorf("an error: %d", s)
	}
	checkPage(t, ctx, "feed form with errors")
}
