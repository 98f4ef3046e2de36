package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/jobs"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// printEvents adds to the fixture's house a listed event on the first day
// of this month and one next month (which the page must leave out).
func printEvents(t *testing.T, f *fixture) {
	t.Helper()
	oslo, _ := time.LoadLocation("Europe/Oslo")
	now := time.Now().In(oslo)
	ctx := store.WithActor(context.Background(), store.Actor{ID: "test"})
	for i, title := range []string{"Informasjonsmøte i Guovdageaidnu", "Neste måneds møte"} {
		start := time.Date(now.Year(), now.Month()+time.Month(i), 1, 12, 0, 0, 0, oslo)
		ev := store.Event{Slug: "utskrift-" + string(rune('a'+i)), OrgID: f.house.ID, Kind: store.EventInformationMeeting,
			Title: domain.Text{"nb": title}, StartsAt: start, EndsAt: start.Add(2 * time.Hour), VenueID: f.openVenue.ID,
			Municipality: "5612", Listed: true}
		if err := f.st.SaveEvent(ctx, &ev, start.Add(-30*24*time.Hour), jobs.EventMessenger("http://127.0.0.1", nil)); err != nil {
			t.Fatal(err)
		}
	}
}

func TestPrintSchedule(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := setup(t, st)
		printEvents(t, f)
		target := "/organisasjon/" + f.house.Slug + "/utskrift"
		w := f.do(t, "GET", target)
		body := w.Body.String()
		if w.Code != 200 {
			t.Fatalf("%s: %d", target, w.Code)
		}
		for _, want := range []string{`<html lang="nb">`, "<title>Utskrift: Testhuset Kautokeino – fellesrom</title>",
			"/static/print.", "Testhuset Kautokeino", "00 11 22 33", "post@testhuset.example",
			"Åpent testmøte", "Åpenstua, Åpenveien 3, 9520 Guovdageaidnu", "Pårørendegruppe Guovdageaidnu", "Kontakt huset",
			"<td>Mandag</td>", "<td>Tirsdag</td>", "Informasjonsmøte i Guovdageaidnu", "<svg viewBox=", "https://example.com/organisasjon/" + f.house.Slug} {
			if !strings.Contains(body, want) {
				t.Errorf("the printable page lacks %q", want)
			}
		}
		for _, no := range []string{closedStreet, "Lukketstua", "Avsluttet testgruppe", "Neste måneds møte", "<script", "site.css"} {
			if strings.Contains(body, no) {
				t.Errorf("the printable page has %q", no)
			}
		}
		// Monday's open meeting comes before Tuesday's closed group.
		if strings.Index(body, "Åpent testmøte") > strings.Index(body, "Pårørendegruppe Guovdageaidnu") {
			t.Error("the table is not in weekday order")
		}
		// The closed group's row says to contact the house, not a place.
		row := body[strings.Index(body, "Pårørendegruppe Guovdageaidnu"):]
		row = row[:strings.Index(row, "</tr>")]
		if !strings.Contains(row, "Kontakt huset") {
			t.Errorf("the closed group's row: %s", row)
		}
		if w := f.do(t, "GET", "/en"+target); w.Code != 200 || !strings.Contains(w.Body.String(), "Contact the house") {
			t.Errorf("in English: %d", w.Code)
		}
		if w := f.do(t, "GET", "/organisasjon/finnes-ikke/utskrift"); w.Code != 404 {
			t.Errorf("an unknown house: %d", w.Code)
		}
	})
}
