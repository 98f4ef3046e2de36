package api_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
)

// fixture is a small directory whose every answer the tests know exactly:
// groups of every model, format and status, a closed group at a venue that
// is itself public, an open meeting at a venue that is not, and enough
// groups in Bergen to page through.
type fixture struct {
	models  map[string]domain.Model // by slug
	themes  map[string]domain.Theme // by slug
	orgs    map[string]domain.Organisation
	venues  map[string]domain.Venue
	groups  []*domain.Group          // every group, ended ones too
	group   map[string]*domain.Group // by slug
	fillers int
}

// Secrets: strings that must appear in no API response. The closed group
// meets at Kirkestua, Kirkegata 7 (a venue whose address is public, but a
// closed group's meeting place never is); the open morning meeting meets at
// Bakgården, Skjultveien 3 (a venue whose address is not public), which is
// also the Oslo house's own address.
var secrets = []string{"Kirkestua", "Kirkegata 7", "69.65103", "18.96027", "Bakgården", "Skjultveien", "59.91011", "10.75022"}

var oslo = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		panic(err)
	}
	return loc
}()

func at(y int, m time.Month, d, hh, mm int) time.Time { return time.Date(y, m, d, hh, mm, 0, 0, oslo) }

func loadFixture(t *testing.T, st *store.Store) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{models: map[string]domain.Model{}, themes: map[string]domain.Theme{}, orgs: map[string]domain.Organisation{},
		venues: map[string]domain.Venue{}, group: map[string]*domain.Group{}}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}

	for i, m := range []domain.Model{
		{Slug: "selvhjelp", Name: domain.Text{"nb": "Selvhjelpsgruppe", "en": "Self-help group"},
			Description: domain.Text{"nb": "En lukket gruppe på 4–8 som starter sammen."}, Intake: domain.IntakeClosed,
			Leadership: domain.LeadStarter, WhoMayCome: domain.Text{"nb": "Voksne over 18"}, SizeMin: 4, SizeMax: 8,
			DefaultJoin: domain.JoinViaHouse},
		{Slug: "tolvtrinn", Name: domain.Text{"nb": "Åpent tolvtrinnsmøte", "en": "Open 12-step meeting"},
			Intake: domain.IntakeOpen, Leadership: domain.LeadChair, DefaultJoin: domain.JoinJustCome},
		{Slug: "likeperson", Name: domain.Text{"nb": "Likepersonsgruppe", "en": "Peer group", "nn": ""},
			Intake: domain.IntakeVaries, Leadership: domain.LeadPeer, DefaultJoin: domain.JoinContactOrg},
	} {
		m.SortOrder = i
		must(st.SaveModel(ctx, &m))
		f.models[m.Slug] = m
	}
	for i, th := range []domain.Theme{
		{Slug: "sorg", Name: domain.Text{"nb": "Sorg", "en": "Grief"}, Active: true},
		{Slug: "angst", Name: domain.Text{"nb": "Angst", "en": "Anxiety"}, Active: true},
		{Slug: "parorende", Name: domain.Text{"nb": "Pårørende", "en": "Relatives"}, Active: true},
		{Slug: "rus", Name: domain.Text{"nb": "Rus", "en": "Addiction"}, Active: true},
		{Slug: "gammelt-tema", Name: domain.Text{"nb": "Gammelt tema"}, Active: false},
	} {
		th.SortOrder = i
		must(st.SaveTheme(ctx, &th))
		f.themes[th.Slug] = th
	}

	saveOrg := func(key string, o domain.Organisation) {
		must(st.SaveOrganisation(ctx, &o))
		f.orgs[key] = o
	}
	saveVenue := func(key string, v domain.Venue) {
		must(st.SaveVenue(ctx, &v))
		f.venues[key] = v
	}
	saveOrg("district", domain.Organisation{Kind: domain.OrgDistrictOffice, Slug: "selvhjelp-norge-nord", Name: "Selvhjelp Norge Nord"})
	saveOrg("oslo", domain.Organisation{Kind: domain.OrgSelfHelpHouse, Slug: "selvhjelpshuset-oslo", Name: "Selvhjelpshuset Oslo",
		Municipalities: []string{"0301"}})
	saveOrg("aa", domain.Organisation{Kind: domain.OrgFellowship, Slug: "anonyme-alkoholikere", Name: "Anonyme Alkoholikere",
		Website: "https://aa.example.org"})
	saveOrg("bergen", domain.Organisation{Kind: domain.OrgSelfHelpHouse, Slug: "selvhjelpshuset-bergen", Name: "Selvhjelpshuset Bergen",
		Municipalities: []string{"4601"}})
	saveVenue("house", domain.Venue{Name: "Selvhjelpshuset", Street: "Storgata 1", PostalCode: "9008", City: "Tromsø",
		MunicipalityID: "5501", Lat: 69.6496, Lon: 18.956, HasCoordinates: true, StepFree: true, AddressPublic: true,
		Directions: domain.Text{"nb": "Inngang fra bakgården"}})
	saveVenue("closed", domain.Venue{Name: "Kirkestua", Street: "Kirkegata 7", PostalCode: "9008", City: "Tromsø",
		MunicipalityID: "5501", Lat: 69.65103, Lon: 18.96027, HasCoordinates: true, AddressPublic: true})
	saveVenue("hidden", domain.Venue{OrgID: f.orgs["oslo"].ID, Name: "Bakgården", Street: "Skjultveien 3", PostalCode: "0150",
		City: "Oslo", MunicipalityID: "0301", Lat: 59.91011, Lon: 10.75022, HasCoordinates: true, AddressPublic: false})
	saveVenue("open", domain.Venue{Name: "Frivilligsentralen", Street: "Grünerløkka gate 5", PostalCode: "0552", City: "Oslo",
		MunicipalityID: "0301", Lat: 59.923, Lon: 10.759, HasCoordinates: true, StepFree: true, HearingLoop: true,
		AccessibleToilet: true, AddressPublic: true, Directions: domain.Text{"nb": "Andre etasje", "en": "First floor"}})
	saveVenue("bodo", domain.Venue{Name: "Bodø frivilligsentral", Street: "Havnegata 2", PostalCode: "8006", City: "Bodø",
		MunicipalityID: "1804", Lat: 67.2827, Lon: 14.3751, HasCoordinates: true, AddressPublic: true})
	saveOrg("tromso", domain.Organisation{Kind: domain.OrgSelfHelpHouse, Slug: "selvhjelpshuset-tromso", Name: "Selvhjelpshuset Tromsø",
		ParentID: f.orgs["district"].ID, Description: domain.Text{"nb": "Et møtested for selvhjelp", "en": "A meeting place for self-help"},
		Email: "tromso@selvhjelp.example.org", Phone: "+47 77 00 00 00", Website: "https://tromso.example.org",
		VenueID: f.venues["house"].ID, OpeningHours: domain.Text{"nb": "Man–fre 10–15"}, Municipalities: []string{"5501", "5503"}})
	oslo := f.orgs["oslo"]
	oslo.VenueID = f.venues["hidden"].ID // the house's own address is not public either
	saveOrg("oslo", oslo)

	id := func(m map[string]domain.Theme, slugs ...string) []string {
		var out []string
		for _, s := range slugs {
			out = append(out, m[s].ID)
		}
		return out
	}
	weekly := func(start time.Time, rule string) domain.Schedule {
		return domain.Schedule{Start: start.UTC(), DurationMin: 90, TZ: "Europe/Oslo", RRule: rule}
	}
	gs := []*domain.Group{
		{Slug: "sorg-tromso", Name: domain.Text{"nb": "Sorggruppe Tromsø", "en": "Grief group Tromsø"},
			Description: domain.Text{"nb": "For deg som har mistet noen nær.", "en": "For you who have lost someone close."},
			ModelID:     f.models["selvhjelp"].ID, OrgID: f.orgs["tromso"].ID, Format: domain.FormatInPerson, Languages: []string{"nb", "se"},
			AgeGroup: domain.AgeAdults, Gender: domain.GenderEveryone, Status: domain.StatusRecruiting, TakesNewMembers: true,
			Capacity: 8, Join: domain.JoinViaHouse,
			Schedule: domain.Schedule{Start: at(2026, 9, 1, 18, 0).UTC(), DurationMin: 90, TZ: "Europe/Oslo",
				RRule: "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", ExDates: []time.Time{at(2026, 12, 22, 18, 0).UTC()}},
			VenueID: f.venues["closed"].ID, MunicipalityID: "5501", ThemeIDs: id(f.themes, "sorg"),
			VerifiedAt: time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)},
		{Slug: "aa-grunerlokka", Name: domain.Text{"nb": "Åpent AA-møte Grünerløkka"}, ModelID: f.models["tolvtrinn"].ID,
			OrgID: f.orgs["aa"].ID, Format: domain.FormatInPerson, Languages: []string{"nb", "en"}, AgeGroup: domain.AgeAll,
			Gender: domain.GenderEveryone, Status: domain.StatusRunning, TakesNewMembers: true, Join: domain.JoinJustCome,
			Schedule: weekly(at(2026, 1, 5, 19, 0), "FREQ=WEEKLY;BYDAY=MO"), VenueID: f.venues["open"].ID,
			MunicipalityID: "0301", ThemeIDs: id(f.themes, "rus")},
		{Slug: "morgenmote-oslo", Name: domain.Text{"nb": "Morgenmøte i Oslo"}, ModelID: f.models["tolvtrinn"].ID,
			OrgID: f.orgs["aa"].ID, Format: domain.FormatInPerson, Languages: []string{"nb"}, AgeGroup: domain.AgeAll,
			Gender: domain.GenderEveryone, Status: domain.StatusRunning, TakesNewMembers: true, Join: domain.JoinJustCome,
			Schedule: weekly(at(2026, 1, 8, 10, 0), "FREQ=WEEKLY;BYDAY=TH"), VenueID: f.venues["hidden"].ID,
			MunicipalityID: "0301", ThemeIDs: id(f.themes, "rus")},
		{Slug: "parorende-telefon", Name: domain.Text{"nb": "Pårørendegruppe på telefon", "en": "Relatives' group by telephone"},
			ModelID: f.models["likeperson"].ID, OrgID: f.orgs["oslo"].ID, Format: domain.FormatTelephone, Languages: []string{"nb"},
			AgeGroup: domain.AgeAdults, Gender: domain.GenderWomen, ForRelatives: true, Status: domain.StatusRunning,
			TakesNewMembers: false, Join: domain.JoinContactOrg, Schedule: weekly(at(2026, 1, 7, 13, 0), "FREQ=WEEKLY;BYDAY=WE"),
			ThemeIDs: id(f.themes, "parorende")},
		{Slug: "angst-video-kautokeino", Name: domain.Text{"nb": "Angstgruppe på video", "se": "Balloš joavku"},
			ModelID: f.models["selvhjelp"].ID, OrgID: f.orgs["tromso"].ID, Format: domain.FormatVideo, Languages: []string{"se", "nb"},
			AgeGroup: domain.AgeYoungAdults, Gender: domain.GenderEveryone, Status: domain.StatusPlanned, TakesNewMembers: true,
			Capacity: 6, Join: domain.JoinViaHouse, Schedule: weekly(at(2027, 1, 9, 11, 0), "FREQ=WEEKLY;COUNT=10"),
			MunicipalityID: "5612", ThemeIDs: id(f.themes, "angst")},
		{Slug: "sorg-parorende-avsluttet", Name: domain.Text{"nb": "Sorggruppe for pårørende (avsluttet)"},
			ModelID: f.models["selvhjelp"].ID, OrgID: f.orgs["tromso"].ID, Format: domain.FormatInPerson, Languages: []string{"nb"},
			AgeGroup: domain.AgeAdults, Gender: domain.GenderEveryone, Status: domain.StatusEnded, Join: domain.JoinViaHouse,
			Schedule: weekly(at(2025, 1, 7, 18, 0), "FREQ=WEEKLY;BYDAY=TU"), VenueID: f.venues["closed"].ID,
			MunicipalityID: "5501", ThemeIDs: id(f.themes, "sorg", "parorende")},
		{Slug: "na-bodo", Name: domain.Text{"nb": "NA-møte Bodø"}, ModelID: f.models["tolvtrinn"].ID, OrgID: f.orgs["aa"].ID,
			Format: domain.FormatInPerson, Languages: []string{"nb"}, AgeGroup: domain.AgeAll, Gender: domain.GenderEveryone,
			Status: domain.StatusPaused, TakesNewMembers: true, Join: domain.JoinJustCome,
			Schedule: weekly(at(2026, 1, 2, 19, 0), "FREQ=WEEKLY;BYDAY=FR"), VenueID: f.venues["bodo"].ID,
			MunicipalityID: "1804", ThemeIDs: id(f.themes, "rus")},
		{Slug: "parorende-rus-oslo", Name: domain.Text{"nb": "PÅRØRENDE til rusavhengige"}, ModelID: f.models["likeperson"].ID,
			OrgID: f.orgs["oslo"].ID, Format: domain.FormatHybrid, Languages: []string{"nb"}, AgeGroup: domain.AgeAdults,
			Gender: domain.GenderEveryone, ForRelatives: true, Status: domain.StatusRecruiting, TakesNewMembers: true,
			Join: domain.JoinContactOrg, Schedule: weekly(at(2026, 2, 1, 17, 30), "FREQ=MONTHLY;BYDAY=1SU"),
			VenueID: f.venues["open"].ID, MunicipalityID: "0301", ThemeIDs: id(f.themes, "parorende", "rus")},
		{Slug: "samtalegruppe-uten-tid", Name: domain.Text{"nb": "Samtalegruppe uten fast tid"}, ModelID: f.models["likeperson"].ID,
			OrgID: f.orgs["oslo"].ID, Format: domain.FormatVideo, Languages: []string{"nb"}, AgeGroup: domain.AgeAdults,
			Gender: domain.GenderEveryone, Status: domain.StatusStarting, Join: domain.JoinContactOrg,
			MunicipalityID: "0301", ThemeIDs: id(f.themes, "angst")},
	}
	for _, g := range gs {
		must(st.SaveGroup(ctx, g, "test", ""))
	}
	// Groups to page through: Bergen, every day of the week, three times of day.
	var fillers []*domain.Group
	for i := range 45 {
		fillers = append(fillers, &domain.Group{Slug: fmt.Sprintf("bergen-%02d", i+1),
			Name:    domain.Text{"nb": fmt.Sprintf("Samtalegruppe Bergen %02d", i+1)},
			ModelID: f.models["selvhjelp"].ID, OrgID: f.orgs["bergen"].ID, Format: []domain.Format{domain.FormatInPerson, domain.FormatVideo}[i%2],
			Languages: []string{"nb"}, AgeGroup: domain.AgeAdults, Gender: domain.GenderEveryone, Status: domain.StatusRunning,
			TakesNewMembers: i%3 == 0, Join: domain.JoinViaHouse,
			Schedule:       weekly(at(2026, 1, 5+i%7, 9+5*(i%3), 0), []string{"", "FREQ=WEEKLY"}[i%2]),
			MunicipalityID: "4601", ThemeIDs: id(f.themes, "angst")})
	}
	must(st.InsertGroups(ctx, fillers, "test"))
	f.fillers = len(fillers)
	for _, g := range slices.Concat(gs, fillers) {
		f.groups = append(f.groups, g)
		f.group[g.Slug] = g
	}
	return f
}

// public is whether the finder lists g.
func public(g *domain.Group) bool { return g.Status != domain.StatusEnded }

// want lists the slugs of the public groups for which pred holds, sorted.
func (f *fixture) want(pred func(*domain.Group) bool) []string {
	var out []string
	for _, g := range f.groups {
		if public(g) && pred(g) {
			out = append(out, g.Slug)
		}
	}
	slices.Sort(out)
	return out
}

func (f *fixture) themeSlugs(g *domain.Group) []string {
	var out []string
	for _, th := range f.themes {
		if slices.Contains(g.ThemeIDs, th.ID) {
			out = append(out, th.Slug)
		}
	}
	return out
}

func (f *fixture) modelSlug(g *domain.Group) string {
	for _, m := range f.models {
		if m.ID == g.ModelID {
			return m.Slug
		}
	}
	return ""
}

func (f *fixture) venueOf(g *domain.Group) (domain.Venue, bool) {
	for _, v := range f.venues {
		if v.ID == g.VenueID && g.VenueID != "" {
			return v, true
		}
	}
	return domain.Venue{}, false
}
