package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
)

// The demo's events: what houses hold beside the groups, dated from the
// day the demo is loaded, so the calendar always has something coming.
type demoEvent struct {
	house, co       string // organiser and co-organiser slugs ("" for none)
	kind            store.EventKind
	title, titleEn  string
	desc            string
	inDays, hour    int
	minutes         int
	capacity        int
	online          bool
	municipalityFor string // for an online event
}

var demoEvents = []demoEvent{
	{"selvhjelpshuset-oslo", "", store.EventInformationMeeting, "Informasjonsmøte: Hva er en selvhjelpsgruppe?",
		"Information meeting: what is a self-help group?",
		"Et uforpliktende møte for deg som lurer på om en selvhjelpsgruppe kan være noe for deg. Vi forteller hvordan grupper startes og svarer på spørsmål. Du trenger ikke si noe om deg selv.",
		9, 18, 90, 25, false, ""},
	{"selvhjelpshuset-oslo", "selvhjelp-norge-ost", store.EventSeminar, "Seminar for helse- og omsorgstjenesten: selvhjelp som ressurs",
		"Seminar for health and care services: self-help as a resource",
		"For fastleger, NAV-veiledere og ansatte i kommunen: hvordan henvise til selvhjelpsgrupper, og hva gruppene kan og ikke kan være.",
		23, 9, 180, 40, false, ""},
	{"selvhjelpshuset-bergen", "", store.EventStarterCourse, "Igangsetterkurs høst", "Starter course, autumn",
		"Kurs for deg som vil starte selvhjelpsgrupper som frivillig igangsetter. To kvelder; begge må følges.",
		16, 17, 180, 12, false, ""},
	{"selvhjelpshuset-tromso", "", store.EventInformationMeeting, "Informasjonsmøte på video for hele Troms",
		"Information meeting on video for all of Troms",
		"For deg som bor langt fra Tromsø: hør om grupper på telefon og video. Lenken kommer på e-post når du har meldt deg på.",
		12, 19, 60, 0, true, "5501"},
	{"selvhjelpshuset-trondheim", "", store.EventPublicMeeting, "Folkemøte: Ensomhet – hva kan vi gjøre sammen?",
		"Public meeting: loneliness, what can we do together?",
		"Åpent møte med innledninger og samtale. Alle er velkomne.",
		30, 18, 120, 80, false, ""},
}

// loadEvents adds the demo's events, booking a room of the house's own
// venue for those that meet in person.
func loadEvents(ctx context.Context, st *store.Store, c *catalog, now time.Time) (int, error) {
	oslo, err := domain.LoadLocation("Europe/Oslo")
	if err != nil {
		return 0, err
	}
	for i, d := range demoEvents {
		o, ok := c.orgs[d.house]
		if !ok {
			return i, fmt.Errorf("demo: event of unknown house %s", d.house)
		}
		day := now.In(oslo).AddDate(0, 0, d.inDays)
		start := time.Date(day.Year(), day.Month(), day.Day(), d.hour, 0, 0, 0, oslo)
		e := store.Event{Slug: fmt.Sprintf("%s-%s", domain.Slugify(d.title), start.Format("2006-01-02")), OrgID: o.ID, Kind: d.kind, Title: domain.Text{"nb": d.title, "en": d.titleEn},
			Description: domain.Text{"nb": d.desc}, StartsAt: start.UTC(),
			EndsAt: start.Add(time.Duration(d.minutes) * time.Minute).UTC(), TZ: "Europe/Oslo", Capacity: d.capacity,
			SignupOpen: true, Listed: true, Online: d.online}
		if d.co != "" {
			e.CoOrganisers = []string{c.orgs[d.co].ID}
		}
		if d.online {
			e.OnlineURL, e.Municipality = "https://video.example.no/informasjonsmote", d.municipalityFor
		} else if o.VenueID != "" {
			e.VenueID = o.VenueID
			if rooms := c.rooms[o.VenueID]; len(rooms) > 0 {
				e.RoomID = rooms[0].ID
			}
		}
		if err := st.SaveEvent(ctx, &e, now, nil); err != nil {
			return i, fmt.Errorf("demo: event %q: %w", d.title, err)
		}
	}
	return len(demoEvents), nil
}
