package harvest_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

func hsdsService(id, name, status, opens string) string {
	return fmt.Sprintf(`{"id": %q, "organization_id": "org-1", "name": %q, "status": %q,
		"description": "Et åpent møte.", "languages": [{"id": "l-%s", "code": "nb"}],
		"schedules": [{"id": "s-%s", "freq": "WEEKLY", "byday": "WE", "opens_at": %q, "closes_at": "20:00",
			"notes": "Europe/Oslo"}]}`, id, name, status, id, id, opens)
}

// An HSDS API of two pages: both pages are read; a service that turns
// defunct ends its group; one with an unknown status is rejected and said
// so in the log.
func TestHarvestHSDS(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		feed, _ := s.Feed(f.ctx, f.feed.ID)
		feed.Format, feed.URL = store.FeedHSDS, f.srv.URL+"/hsds/services"
		if err := s.SaveFeed(f.ctx, &feed); err != nil {
			t.Fatal(err)
		}
		f.feed = feed
		page := func(n int, services ...string) string {
			return fmt.Sprintf(`{"total_items": 3, "total_pages": 2, "page_number": %d, "size": 2, "first_page": %t,
				"last_page": %t, "empty": false, "contents": [%s]}`, n, n == 1, n == 2, strings.Join(services, ","))
		}
		second := page(2, hsdsService("c", "Kveldsmøtet", "active", "19:00"))
		f.srv.misbehave(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			if r.URL.Query().Get("page") == "2" {
				fmt.Fprint(w, second)
				return
			}
			fmt.Fprint(w, page(1, hsdsService("a", "Onsdagsmøtet", "active", "18:00"),
				hsdsService("b", "Rart møte", "sleeping", "18:00")))
		})
		r := f.mustRun(t)
		if r.Created != 2 {
			t.Fatalf("run: %+v", r)
		}
		if ch := f.changes(t, r.ID); len(ch["rejected"]) != 1 || ch["rejected"][0].Key != "b" ||
			!strings.Contains(ch["rejected"][0].Detail, "status") {
			t.Errorf("the rejection: %+v", ch["rejected"])
		}
		g := f.groups(t)["Onsdagsmøtet"]
		if g.Schedule.LocalStart().Format("Mon 15:04") != "Wed 18:00" || g.Schedule.DurationMin != 120 ||
			g.Description.In("nb") != "Et åpent møte." {
			t.Errorf("Onsdagsmøtet: %+v", g)
		}
		second = page(2, hsdsService("c", "Kveldsmøtet", "defunct", "19:00"))
		if r = f.mustRun(t); r.Updated != 1 || f.groups(t)["Kveldsmøtet"].Status != domain.StatusEnded {
			t.Errorf("defunct: %+v", r)
		}
	})
}

// A CSV file in the documented layout: the feed's model and municipality
// fill what the rows leave out; a bad row is rejected with its line.
func TestHarvestCSV(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		feed, _ := s.Feed(f.ctx, f.feed.ID)
		feed.Format, feed.URL = store.FeedCSV, f.srv.URL+"/grupper.csv"
		if err := s.SaveFeed(f.ctx, &feed); err != nil {
			t.Fatal(err)
		}
		f.feed = feed
		f.srv.serve("text/csv; charset=utf-8", "external_id;name;municipality;weekday;time;length\n"+
			"g1;Sorggruppa;Tromsø;mandag;18:00;90\n"+
			"g2;Pårørendegruppa;;onsdag;25:99;60\n"+
			"g3;Angstgruppa;;fredag;17:00;60\n")
		r := f.mustRun(t)
		ch := f.changes(t, r.ID)
		if r.Created != 2 {
			t.Fatalf("run: %+v %+v", r, ch)
		}
		if len(ch["rejected"]) != 1 || ch["rejected"][0].Key != "g2" || !strings.Contains(ch["rejected"][0].Detail, "line 3") {
			t.Errorf("the rejection: %+v", ch["rejected"])
		}
		gs := f.groups(t)
		if g := gs["Angstgruppa"]; g.MunicipalityID != "5501" || g.ModelID != f.model.ID {
			t.Errorf("Angstgruppa: %+v", g)
		}
		// The same file served as HTML is another format: an error.
		f.srv.serve("text/csv", "<html><body>Innlogging</body></html>")
		if _, err := f.run(t); err == nil || !strings.Contains(err.Error(), "not_feed") {
			t.Errorf("HTML as CSV: %v", err)
		}
	})
}
