package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/app"
	"github.com/fellesrom/fellesrom/internal/browsertest"
	"github.com/fellesrom/fellesrom/internal/demo"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/finder"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m, browsertest.Close) }

// fixture is the demo set, and beside it a few groups whose every detail the
// tests know: a closed group at a venue whose address is public (the group's
// meeting place must still not show), an open meeting at a public venue, and
// an ended group, all of a self-help house in Kautokeino.
type fixture struct {
	st          *store.Store
	h           http.Handler
	house       domain.Organisation
	closed      domain.Group
	closedVenue domain.Venue
	open        domain.Group
	openVenue   domain.Venue
	ended       domain.Group
}

// Streets of the fixture's venues; the closed group's must never show.
const (
	closedStreet = "Lukketveien 17"
	openStreet   = "Åpenveien 3"
)

func setup(t testing.TB, st *store.Store) *fixture {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := demo.Load(ctx, st); err != nil {
		t.Fatalf("demo: %v", err)
	}
	f := &fixture{st: st}
	models, err := st.Models(ctx)
	must(err)
	var closedModel, openModel domain.Model
	for _, m := range models {
		if m.Intake == domain.IntakeClosed && closedModel.ID == "" {
			closedModel = m
		}
		if m.Intake == domain.IntakeOpen && openModel.ID == "" {
			openModel = m
		}
	}
	if closedModel.ID == "" || openModel.ID == "" {
		t.Fatal("the demo set has no closed or no open group model")
	}
	themes, err := st.Themes(ctx)
	must(err)
	var themeIDs []string
	for _, th := range themes {
		if th.Slug == "parorende-rus" || th.Slug == "sorg" {
			themeIDs = append(themeIDs, th.ID)
		}
	}
	orgs, err := st.Organisations(ctx)
	must(err)
	var parent string
	for _, o := range orgs {
		if o.Kind == domain.OrgNationalCentre || o.Kind == domain.OrgDistrictOffice {
			parent = o.ID
		}
	}

	f.house = domain.Organisation{Kind: domain.OrgSelfHelpHouse, Slug: "testhuset-kautokeino", Name: "Testhuset Kautokeino",
		ParentID: parent, Description: domain.Text{"nb": "Et møtested for selvhjelp.", "en": "A meeting place for self-help."},
		Email: "post@testhuset.example", Phone: "00 11 22 33", Website: "https://testhuset.example",
		OpeningHours: domain.Text{"nb": "Tirsdag 10–14"}, Municipalities: []string{"5612", "5610"}}
	must(st.SaveOrganisation(ctx, &f.house))
	f.closedVenue = domain.Venue{OrgID: f.house.ID, Name: "Lukketstua", Street: closedStreet, PostalCode: "9520",
		City: "Guovdageaidnu", MunicipalityID: "5612", Lat: 69.0122, Lon: 23.0412, HasCoordinates: true, StepFree: true,
		AddressPublic: true}
	must(st.SaveVenue(ctx, &f.closedVenue))
	f.openVenue = domain.Venue{OrgID: f.house.ID, Name: "Åpenstua", Street: openStreet, PostalCode: "9520",
		City: "Guovdageaidnu", MunicipalityID: "5612", Lat: 69.0133, Lon: 23.0433, HasCoordinates: true, StepFree: true,
		HearingLoop: false, AccessibleToilet: true, AddressPublic: true, Directions: domain.Text{"nb": "Inngang fra baksiden."}}
	must(st.SaveVenue(ctx, &f.openVenue))

	oslo, err := time.LoadLocation("Europe/Oslo")
	must(err)
	start := time.Date(2026, 1, 6, 18, 0, 0, 0, oslo).UTC() // a Tuesday
	f.closed = domain.Group{Slug: "test-lukket", Name: domain.Text{"nb": "Pårørendegruppe Guovdageaidnu", "en": "Relatives' group Guovdageaidnu"},
		Description: domain.Text{"nb": "For deg som er pårørende."}, ModelID: closedModel.ID, OrgID: f.house.ID,
		Format: domain.FormatInPerson, Languages: []string{"nb", "se"}, AgeGroup: domain.AgeAdults, Gender: domain.GenderEveryone,
		ForRelatives: true, Status: domain.StatusRecruiting, TakesNewMembers: true, Join: domain.JoinViaHouse,
		Schedule: domain.Schedule{Start: start, DurationMin: 90, TZ: "Europe/Oslo", RRule: "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"},
		VenueID:  f.closedVenue.ID, MunicipalityID: "5612", ThemeIDs: themeIDs,
		VerifiedAt: time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)}
	must(st.SaveGroup(ctx, &f.closed, "test", ""))
	f.open = domain.Group{Slug: "test-apent", Name: domain.Text{"nb": "Åpent testmøte", "en": "Open test meeting"},
		Description: domain.Text{"nb": "Alle er velkomne."}, ModelID: openModel.ID, OrgID: f.house.ID,
		Format: domain.FormatInPerson, Languages: []string{"nb"}, AgeGroup: domain.AgeAll, Gender: domain.GenderEveryone,
		Status: domain.StatusRunning, TakesNewMembers: true, Join: domain.JoinJustCome,
		Schedule: domain.Schedule{Start: start, DurationMin: 60, TZ: "Europe/Oslo", RRule: "FREQ=MONTHLY;BYDAY=1MO"},
		VenueID:  f.openVenue.ID, MunicipalityID: "5612", ThemeIDs: themeIDs}
	must(st.SaveGroup(ctx, &f.open, "test", ""))
	f.ended = domain.Group{Slug: "test-avsluttet", Name: domain.Text{"nb": "Avsluttet testgruppe"},
		ModelID: closedModel.ID, OrgID: f.house.ID, Format: domain.FormatTelephone, AgeGroup: domain.AgeAdults,
		Gender: domain.GenderEveryone, Status: domain.StatusEnded, Join: domain.JoinViaHouse, MunicipalityID: "5612",
		Schedule: domain.Schedule{Start: start, DurationMin: 90, RRule: "FREQ=WEEKLY;BYDAY=TH"}}
	must(st.SaveGroup(ctx, &f.ended, "test", ""))

	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	f.h = app.Handler(st, finder.New(st), logger)
	return f
}

// get serves a request through the whole application handler.
func (f *fixture) do(t testing.TB, method, target string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	return w
}
