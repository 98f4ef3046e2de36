package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// A feed is registered, due at once, and after a run due an interval
// later; a bad feed is refused; a failed run is in the log and changes no
// group; a run whose update meets a group edited since the plan was made
// records a conflict instead of overwriting it; a resolution keeps the
// local version and the next run overwrites nothing.
func TestFeeds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := store.WithActor(context.Background(), store.Actor{ID: "coord-1", Source: "test"})
		f := setup(t, s)
		for _, bad := range []store.Feed{
			{OrgID: f.house.ID, ModelID: f.model.ID, URL: "ftp://x", Format: store.FeedCSV, Interval: time.Hour},
			{OrgID: f.house.ID, ModelID: f.model.ID, URL: "https://x", Format: "rss", Interval: time.Hour},
			{OrgID: f.house.ID, ModelID: f.model.ID, URL: "https://x", Format: store.FeedCSV, Interval: time.Minute},
		} {
			if err := s.SaveFeed(ctx, &bad); err == nil {
				t.Errorf("feed %+v saved", bad)
			}
		}
		feed := store.Feed{OrgID: f.house.ID, ModelID: f.model.ID, URL: "https://example.org/m.json",
			Format: store.FeedMeetingGuide, MunicipalityID: "5501", Interval: time.Hour, Enabled: true}
		if err := s.SaveFeed(ctx, &feed); err != nil {
			t.Fatal(err)
		}
		due, err := s.DueFeeds(ctx, time.Now().Add(time.Second))
		if err != nil || len(due) != 1 || due[0].ID != feed.ID || due[0].MunicipalityID != "5501" {
			t.Fatalf("due: %+v %v", due, err)
		}
		if fs, _ := s.Feeds(ctx, []string{f.house.ID}); len(fs) != 1 {
			t.Errorf("the house's feeds: %+v", fs)
		}
		if fs, _ := s.Feeds(ctx, []string{}); len(fs) != 0 {
			t.Errorf("no organisations' feeds: %+v", fs)
		}

		g := domain.Group{Slug: "mandag", Name: domain.Text{"nb": "Mandagsmøtet"}, ModelID: f.model.ID, OrgID: f.house.ID,
			Format: domain.FormatInPerson, Languages: []string{"nb"}, AgeGroup: domain.AgeAdults,
			Gender: domain.GenderEveryone, Status: domain.StatusRunning, Join: domain.JoinViaHouse, MunicipalityID: "5501"}
		run, err := s.ApplyHarvest(ctx, store.HarvestPlan{FeedID: feed.ID, StartedAt: time.Now(), ETag: `"v1"`,
			Create:   []store.HarvestItem{{Key: "mandag", Group: g}},
			Rejected: []store.HarvestNote{{Key: "x", Detail: "no name"}}})
		if err != nil || run.Created != 1 {
			t.Fatalf("apply: %+v %v", run, err)
		}
		if due, _ := s.DueFeeds(ctx, time.Now().Add(time.Minute)); len(due) != 0 {
			t.Errorf("due again right after a run: %+v", due)
		}
		if got, _ := s.Feed(ctx, feed.ID); got.ETag != `"v1"` || got.LastRunAt.IsZero() {
			t.Errorf("the feed after a run: %+v", got)
		}
		srcs, err := s.FeedSources(ctx, feed.ID)
		if err != nil || len(srcs) != 1 || srcs[0].Group.Name.In("nb") != "Mandagsmøtet" ||
			srcs[0].Hash != store.HarvestHash(srcs[0].Group) {
			t.Fatalf("sources: %+v %v", srcs, err)
		}
		if err := s.RunFeedNow(ctx, feed.ID); err != nil {
			t.Fatal(err)
		}
		if due, _ := s.DueFeeds(ctx, time.Now().Add(time.Second)); len(due) != 1 {
			t.Errorf("not due after run now: %+v", due)
		}

		// A failed run.
		failed, err := s.FailHarvest(ctx, feed.ID, time.Now(), "timeout: too slow")
		if err != nil || failed.Status != "error" {
			t.Fatalf("fail: %+v %v", failed, err)
		}
		runs, _ := s.HarvestRuns(ctx, feed.ID, 10)
		if len(runs) != 2 || runs[0].Error != "timeout: too slow" {
			t.Errorf("runs: %+v", runs)
		}

		// Someone edits the group after the plan was made.
		src := srcs[0]
		next := src.Group
		next.Name = domain.Text{"nb": "Mandagsmøtet for alle"}
		local, _ := s.Group(ctx, src.Group.ID)
		local.Name = domain.Text{"nb": "Mandagsmøtet i kafeen"}
		if err := s.SaveGroup(ctx, &local, "coord-1", ""); err != nil {
			t.Fatal(err)
		}
		run, err = s.ApplyHarvest(ctx, store.HarvestPlan{FeedID: feed.ID, StartedAt: time.Now(),
			Update: []store.HarvestTarget{{HarvestItem: store.HarvestItem{Key: "mandag", Group: next},
				GroupID: src.Group.ID, Base: src.Hash}}})
		if err != nil || run.Conflicts != 1 || run.Updated != 0 {
			t.Fatalf("stale update: %+v %v", run, err)
		}
		if now, _ := s.Group(ctx, src.Group.ID); now.Name.In("nb") != "Mandagsmøtet i kafeen" {
			t.Errorf("the local edit was overwritten: %s", now.Name.In("nb"))
		}
		cs, _ := s.HarvestChanges(ctx, run.ID)
		if len(cs) != 1 || cs[0].Kind != "conflict" || !cs[0].Proposed {
			t.Fatalf("changes: %+v", cs)
		}
		if err := s.ResolveConflict(ctx, cs[0].ID, false, "coord-1"); err != nil {
			t.Fatal(err)
		}
		if c, _ := s.HarvestChangeByID(ctx, cs[0].ID); c.Resolution != "local" || c.Proposed || c.ResolvedAt.IsZero() {
			t.Errorf("resolved: %+v", c)
		}
		if now, _ := s.Group(ctx, src.Group.ID); now.Name.In("nb") != "Mandagsmøtet i kafeen" {
			t.Errorf("keeping the local version changed it: %s", now.Name.In("nb"))
		}
		srcs, _ = s.FeedSources(ctx, feed.ID)
		if srcs[0].Hash != store.HarvestHash(next) {
			t.Errorf("the feed's version is not counted as seen")
		}
		if err := s.ResolveConflict(ctx, "nope", true, "coord-1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("an unknown conflict: %v", err)
		}
	})
}
