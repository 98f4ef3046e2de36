package web_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/finder"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/web"
)

// officeOrgKeys name the organisations of the office fixture: a national
// centre, a district office under it, two houses under the district, and
// an unrelated organisation beside them all.
var officeOrgKeys = []string{"national", "district", "house1", "house2", "other"}

// officeUserKeys name the users: an administrator, a coordinator of the
// district, a coordinator of house1, a starter in house1, a partner of the
// district, and nobody signed in.
var officeUserKeys = []string{"admin", "coordDistrict", "coordHouse", "starter", "partner", "anonymous"}

// officeFixture is a small tree with a venue, a room and a group in every
// organisation, a user of each kind, and the site on a clock the test moves.
type officeFixture struct {
	st      *store.Store
	svc     *auth.Service
	clock   *testClock
	h       http.Handler
	srv     *httptest.Server
	orgs    map[string]domain.Organisation
	venues  map[string]domain.Venue
	rooms   map[string]domain.Room
	groups  map[string]domain.Group
	model   domain.Model
	model2  domain.Model
	themes  []domain.Theme
	users   map[string]store.User
	secrets map[string]string
}

var officeEmails = map[string]string{"admin": "ada@example.no", "coordDistrict": "dina@example.no",
	"coordHouse": "hans@example.no", "starter": "siri@example.no", "partner": "per@example.no"}

var officeNames = map[string]string{"admin": "Ada Admin", "coordDistrict": "Dina Distrikt",
	"coordHouse": "Hans Huset", "starter": "Siri Starter", "partner": "Per Partner"}

func newOfficeFixture(t testing.TB, st *store.Store) *officeFixture {
	t.Helper()
	ctx := store.WithActor(context.Background(), store.Actor{ID: "test"})
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	f := &officeFixture{st: st, clock: &testClock{t: time.Date(2026, 3, 2, 8, 0, 10, 0, time.UTC)},
		orgs: map[string]domain.Organisation{}, venues: map[string]domain.Venue{}, rooms: map[string]domain.Room{},
		groups: map[string]domain.Group{}, users: map[string]store.User{}, secrets: map[string]string{}}
	f.svc = auth.New(st, auth.Options{Params: cheapParams, Now: f.clock.Now, Limits: roomyLimits})
	f.model = domain.Model{Slug: "selvhjelp-norge", Name: domain.Text{"nb": "Selvhjelpsgruppe", "en": "Self-help group"},
		Intake: domain.IntakeClosed, Leadership: domain.LeadStarter, SizeMin: 4, SizeMax: 8, DefaultJoin: domain.JoinViaHouse}
	must(st.SaveModel(ctx, &f.model))
	f.model2 = domain.Model{Slug: "tolv-trinn", Name: domain.Text{"nb": "Tolvtrinnsmøte", "en": "Twelve-step meeting"},
		Intake: domain.IntakeOpen, Leadership: domain.LeadChair, DefaultJoin: domain.JoinJustCome, SortOrder: 1}
	must(st.SaveModel(ctx, &f.model2))
	for i, slug := range []string{"sorg", "angst"} {
		th := domain.Theme{Slug: slug, Name: domain.Text{"nb": map[string]string{"sorg": "Sorg", "angst": "Angst"}[slug],
			"en": map[string]string{"sorg": "Grief", "angst": "Anxiety"}[slug]}, SortOrder: i, Active: true}
		must(st.SaveTheme(ctx, &th))
		f.themes = append(f.themes, th)
	}
	def := map[string]struct {
		name, slug string
		kind       domain.OrgKind
		parent     string
	}{
		"national": {"Selvhjelp Test Nasjonalt", "test-nasjonalt", domain.OrgNationalCentre, ""},
		"district": {"Distrikt Nord", "distrikt-nord", domain.OrgDistrictOffice, "national"},
		"house1":   {"Huset Tromsø", "huset-tromso", domain.OrgSelfHelpHouse, "district"},
		"house2":   {"Huset Bodø", "huset-bodo", domain.OrgSelfHelpHouse, "district"},
		"other":    {"Annen forening", "annen-forening", domain.OrgUserOrganisation, ""},
	}
	oslo, _ := time.LoadLocation("Europe/Oslo")
	for _, k := range officeOrgKeys {
		d := def[k]
		o := domain.Organisation{Name: d.name, Slug: d.slug, Kind: d.kind, Municipalities: []string{"5501"},
			Description: domain.Text{"nb": "Om " + d.name}}
		if d.parent != "" {
			o.ParentID = f.orgs[d.parent].ID
		}
		must(st.SaveOrganisation(ctx, &o))
		f.orgs[k] = o
		v := domain.Venue{OrgID: o.ID, Name: "Stua " + k, Street: "Gata " + strconv.Itoa(len(f.venues)+1), PostalCode: "9008",
			City: "Tromsø", MunicipalityID: "5501", Lat: 69.65, Lon: 18.95, HasCoordinates: true, AddressPublic: true}
		must(st.SaveVenue(ctx, &v))
		f.venues[k] = v
		rm := domain.Room{VenueID: v.ID, Name: "Rommet " + k, Capacity: 10}
		must(st.SaveRoom(ctx, &rm))
		f.rooms[k] = rm
		g := domain.Group{Slug: "gruppe-" + k, Name: domain.Text{"nb": "Gruppe " + k}, ModelID: f.model.ID, OrgID: o.ID,
			Format: domain.FormatInPerson, Languages: []string{"nb"}, AgeGroup: domain.AgeAdults, Gender: domain.GenderEveryone,
			Status: domain.StatusRecruiting, TakesNewMembers: true, Join: domain.JoinViaHouse, Capacity: 8,
			Schedule: domain.Schedule{Start: time.Date(2026, 3, 3, 18, 0, 0, 0, oslo).UTC(), DurationMin: 90,
				TZ: "Europe/Oslo", RRule: "FREQ=WEEKLY;BYDAY=TU"},
			VenueID: v.ID, RoomID: rm.ID, MunicipalityID: "5501", ThemeIDs: []string{f.themes[0].ID}}
		must(st.SaveGroup(ctx, &g, "test", ""))
		f.groups[k] = g
	}
	mk := func(key string, admin bool, ms ...store.Membership) {
		u, err := f.svc.CreateUser(ctx, auth.NewUser{Email: officeEmails[key], Name: officeNames[key], Password: staffPassword,
			Admin: admin, Memberships: ms})
		must(err)
		f.users[key] = u
	}
	mk("admin", true)
	mk("coordDistrict", false, store.Membership{OrgID: f.orgs["district"].ID, Role: store.RoleCoordinator})
	mk("coordHouse", false, store.Membership{OrgID: f.orgs["house1"].ID, Role: store.RoleCoordinator})
	mk("starter", false, store.Membership{OrgID: f.orgs["house1"].ID, Role: store.RoleStarter})
	mk("partner", false, store.Membership{OrgID: f.orgs["district"].ID, Role: store.RolePartner})
	f.h = http.NewCrossOriginProtection().Handler(web.New(web.Deps{Store: st, Finder: finder.New(st),
		Logger: slog.New(slog.DiscardHandler), Now: f.clock.Now, Auth: f.svc}))
	f.srv = httptest.NewServer(f.h)
	t.Cleanup(f.srv.Close)
	return f
}

// signIn signs a user in with password and TOTP (enrolling it the first
// time), and returns the client; "anonymous" gets a client that is not
// signed in.
func (f *officeFixture) signIn(t *testing.T, key string) *client {
	t.Helper()
	c := newClient(t, f.srv)
	if key == "anonymous" {
		return c
	}
	r := c.signIn(officeEmails[key], staffPassword)
	switch r.location() {
	case "/kontor":
	case "/kontor/totp":
		secret := secretOf(t, c.get("/kontor/totp").body)
		f.secrets[key] = secret
		wantRedirect(t, key+" enrols", c.post("/kontor/totp", url.Values{"code": {code(t, secret, f.clock.Now())}}), "/kontor?melding=totp")
	case "/logg-inn/kode":
		f.clock.Add(30 * time.Second)
		wantRedirect(t, key+" code", c.post("/logg-inn/kode", url.Values{"code": {code(t, f.secrets[key], f.clock.Now())}}), "/kontor")
	default:
		t.Fatalf("%s signs in: %d %q", key, r.status, r.location())
	}
	return c
}

var reOfficeID = regexp.MustCompile(`\boffice\.[a-z][a-z0-9_.]*[a-z0-9]\b`)

// checkOfficeHTML checks what every page of the directory must be: what
// every staff page must be, and no message id of this part left unresolved.
func checkOfficeHTML(t *testing.T, target string, r resp, lang string) {
	t.Helper()
	checkStaffHTML(t, target, r, lang)
	body := regexp.MustCompile(`class="[^"]*"|id="[^"]*"|"office_[a-z_]+"`).ReplaceAllString(r.body, "")
	if m := reOfficeID.FindString(body); m != "" {
		t.Errorf("%s: the catalogue lacks %q", target, m)
	}
	if strings.Contains(r.body, `method="get"`) && strings.Contains(r.body, `name="password"`) {
		t.Errorf("%s: a password in a GET form", target)
	}
}

// officeGroupValues is the form of a group as the edit page fills it.
func officeGroupValues(g domain.Group) url.Values {
	v := url.Values{"organisation": {g.OrgID}, "name_nb": {g.Name["nb"]}, "name_en": {g.Name["en"]}, "slug": {g.Slug},
		"description_nb": {g.Description["nb"]}, "description_en": {g.Description["en"]}, "model": {g.ModelID},
		"themes": g.ThemeIDs, "format": {string(g.Format)}, "languages": g.Languages, "age_group": {string(g.AgeGroup)},
		"gender": {string(g.Gender)}, "join": {string(g.Join)}, "tz": {g.Schedule.TZ}, "venue": {g.VenueID},
		"room": {g.RoomID}, "municipality": {g.MunicipalityID}, "status": {string(g.Status)}}
	if g.Capacity > 0 {
		v.Set("capacity", strconv.Itoa(g.Capacity))
	}
	if g.ForRelatives {
		v.Set("for_relatives", "1")
	}
	if g.TakesNewMembers {
		v.Set("takes_new", "1")
	}
	if !g.Schedule.Start.IsZero() {
		local := g.Schedule.LocalStart()
		v.Set("start_date", local.Format("2006-01-02"))
		v.Set("start_time", local.Format("15:04"))
		v.Set("duration", strconv.Itoa(g.Schedule.DurationMin))
		v.Set("repeat", "once")
		if g.Schedule.RRule != "" {
			v.Set("repeat", "custom")
			v.Set("rrule", g.Schedule.RRule)
		}
	}
	return v
}

// officeOrgValues is the form of an organisation as the edit page fills it.
func officeOrgValues(o domain.Organisation) url.Values {
	return url.Values{"name": {o.Name}, "slug": {o.Slug}, "kind": {string(o.Kind)}, "parent": {o.ParentID},
		"description_nb": {o.Description["nb"]}, "description_en": {o.Description["en"]}, "email": {o.Email},
		"phone": {o.Phone}, "website": {o.Website}, "hours_nb": {o.OpeningHours["nb"]}, "hours_en": {o.OpeningHours["en"]},
		"venue": {o.VenueID}, "municipalities": o.Municipalities}
}

// officeVenueValues is the form of a venue as the edit page fills it.
func officeVenueValues(x domain.Venue) url.Values {
	v := url.Values{"organisation": {x.OrgID}, "name": {x.Name}, "street": {x.Street}, "postal_code": {x.PostalCode},
		"city": {x.City}, "municipality": {x.MunicipalityID}, "address_public": {"0"},
		"directions_nb": {x.Directions["nb"]}, "directions_en": {x.Directions["en"]}}
	if x.HasCoordinates {
		v.Set("lat", fmt.Sprint(x.Lat))
		v.Set("lon", fmt.Sprint(x.Lon))
	}
	if x.AddressPublic {
		v.Set("address_public", "1")
	}
	for k, b := range map[string]bool{"step_free": x.StepFree, "hearing_loop": x.HearingLoop, "toilet": x.AccessibleToilet} {
		if b {
			v.Set(k, "1")
		}
	}
	return v
}

// browserSignIn signs the office user key in for the first time in a's
// tab: e-mail and password, then enrolling the authenticator app with a
// code from its secret.
func (f *officeFixture) browserSignIn(a actions, key string) {
	a.t.Helper()
	a.open("/logg-inn")
	a.typeIn("email", officeEmails[key])
	a.typeIn("password", staffPassword)
	a.submit(".staff-form button")
	secret := strings.ReplaceAll(a.text("#totp-secret"), " ", "")
	a.typeIn("code", code(a.t, secret, f.clock.Now()))
	a.submit(".staff-form button")
}
