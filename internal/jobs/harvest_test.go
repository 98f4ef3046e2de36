package jobs_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/harvest"
	"github.com/fellesrom/fellesrom/internal/jobs"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// The harvest job runs the feeds that are due, each once: a good one
// creates its groups, a failing one is logged in its own harvest log and
// does not stop the other; neither is due again until its interval has
// passed. The job's log counts; it names no feed's content.
func TestHarvestJob(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := store.WithActor(context.Background(), store.Actor{ID: "coord"})
		logger, logs := newLogger()
		house := domain.Organisation{Kind: domain.OrgSelfHelpHouse, Slug: "huset", Name: "Selvhjelpshuset"}
		model := domain.Model{Slug: "apent", Name: domain.Text{"nb": "Åpent møte"}, Intake: domain.IntakeOpen,
			Leadership: domain.LeadChair, DefaultJoin: domain.JoinJustCome}
		for _, err := range []error{s.SaveOrganisation(ctx, &house), s.SaveModel(ctx, &model)} {
			if err != nil {
				t.Fatal(err)
			}
		}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/broken.json" {
				http.Error(w, "no", http.StatusBadGateway)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `[{"slug": "a", "name": "Kveldsmøtet Ola Nordmann", "day": 2, "time": "19:00", "city": "Tromsø"}]`)
		}))
		defer srv.Close()
		var feeds []store.Feed
		for _, p := range []string{"/broken.json", "/good.json"} {
			f := store.Feed{OrgID: house.ID, URL: srv.URL + p, Format: store.FeedMeetingGuide, ModelID: model.ID,
				MunicipalityID: "5501", Interval: time.Hour, Enabled: true}
			if err := s.SaveFeed(ctx, &f); err != nil {
				t.Fatal(err)
			}
			feeds = append(feeds, f)
		}
		job := jobs.HarvestJob(s, logger, jobs.HarvestOptions{Fetch: harvest.Options{AllowPrivate: true}})
		if job.Name != "harvest" || job.Interval != jobs.DefaultHarvestInterval {
			t.Errorf("job: %s %v", job.Name, job.Interval)
		}
		for range 2 {
			if err := job.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		for i, want := range []string{"error", "ok"} {
			runs, err := s.HarvestRuns(ctx, feeds[i].ID, 10)
			if err != nil || len(runs) != 1 || runs[0].Status != want {
				t.Errorf("feed %d: runs %+v %v, want one %s", i, runs, err, want)
			}
		}
		if gs, _ := s.GroupsOfOrganisation(ctx, house.ID); len(gs) != 1 {
			t.Errorf("groups: %d", len(gs))
		}
		out := logs.String()
		if !strings.Contains(out, "ran=2 failed=1") || strings.Contains(out, "Nordmann") || strings.Contains(out, "Kveldsmøtet") {
			t.Errorf("log:\n%s", out)
		}
	})
}
