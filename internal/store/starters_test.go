package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// starterFix is a district with two houses (Tromsø and Bodø), a venue in
// each (for distances), a closed group model, and a coordinator as actor.
type starterFix struct {
	s                *store.Store
	ctx              context.Context
	district, h1, h2 domain.Organisation
	model            domain.Model
	now              time.Time
	n                int
}

func newStarterFix(t *testing.T, s *store.Store) *starterFix {
	t.Helper()
	f := &starterFix{s: s, ctx: store.WithActor(context.Background(), store.Actor{ID: "coord-1", Source: "192.0.2.0/24"}),
		now: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
	f.district = newOrg(t, s, "distrikt", "")
	f.h1 = newOrg(t, s, "huset-tromso", f.district.ID)
	f.h2 = newOrg(t, s, "huset-bodo", f.district.ID)
	f.model = domain.Model{Slug: "selvhjelp", Name: domain.Text{"nb": "Selvhjelpsgruppe"}, Intake: domain.IntakeClosed,
		Leadership: domain.LeadStarter, DefaultJoin: domain.JoinViaHouse}
	if err := s.SaveModel(f.ctx, &f.model); err != nil {
		t.Fatal(err)
	}
	// Venues give the municipalities points: Tromsø, Harstad, Bodø, Oslo.
	for i, v := range []struct {
		muni     string
		lat, lon float64
	}{{"5501", 69.65, 18.96}, {"5503", 68.80, 16.54}, {"1804", 67.28, 14.40}, {"0301", 59.91, 10.75}} {
		x := domain.Venue{OrgID: f.h1.ID, Name: fmt.Sprintf("Sted %d", i), MunicipalityID: v.muni, Lat: v.lat, Lon: v.lon,
			HasCoordinates: true}
		if err := s.SaveVenue(f.ctx, &x); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// account makes a user with the starter role in org.
func (f *starterFix) account(t *testing.T, name string, org string) store.User {
	t.Helper()
	f.n++
	u := store.User{Email: fmt.Sprintf("starter%d@example.no", f.n), Name: name,
		Memberships: []store.Membership{{OrgID: org, Role: store.RoleStarter}}}
	if err := f.s.CreateUser(f.ctx, &u); err != nil {
		t.Fatal(err)
	}
	return u
}

// group makes a closed group of org in status st.
func (f *starterFix) group(t *testing.T, org string, st domain.Status) domain.Group {
	t.Helper()
	f.n++
	g := domain.Group{Slug: fmt.Sprintf("gruppe-%d", f.n), Name: domain.Text{"nb": fmt.Sprintf("Gruppe %d", f.n)},
		ModelID: f.model.ID, OrgID: org, Format: domain.FormatInPerson, Languages: []string{"nb"}, AgeGroup: domain.AgeAdults,
		Gender: domain.GenderEveryone, Status: st, Join: domain.JoinViaHouse, MunicipalityID: "5501"}
	if err := f.s.SaveGroup(f.ctx, &g, "coord-1", ""); err != nil {
		t.Fatal(err)
	}
	return g
}

func (f *starterFix) profile(t *testing.T, p store.StarterProfile) store.StarterProfile {
	t.Helper()
	if err := f.s.SaveStarterProfile(f.ctx, &p, f.now); err != nil {
		t.Fatalf("save %s: %v", p.Name, err)
	}
	return p
}

func profileNames[T interface{ ~[]E }, E any](xs T, name func(E) string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = name(x)
	}
	return out
}

func starterNames(ps []store.StarterProfile) []string {
	return profileNames(ps, func(p store.StarterProfile) string { return p.Name })
}

// TestStarterProfiles: a volunteer without an account and a starter with
// one; what the store refuses; reads and lists write audit rows naming the
// profiles, and no audit row holds a name, an address or a number; courses;
// deletion takes the courses along.
func TestStarterProfiles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newStarterFix(t, s)
		siri := f.account(t, "Siri Starter", f.h1.ID)
		vera := f.profile(t, store.StarterProfile{OrgID: f.h1.ID, Name: " Vera Frivillig ", Phone: "912 34 567",
			Municipality: "5503", Languages: []string{"nb", "se", "nb"}, Slots: []string{"thu-evening", "mon-evening"},
			AvailableFrom: "2026-01-01", MaxGroups: 1})
		if vera.Name != "Vera Frivillig" || vera.Phone != "+4791234567" || !slices.Equal(vera.Languages, []string{"nb", "se"}) ||
			!slices.Equal(vera.Slots, []string{"mon-evening", "thu-evening"}) {
			t.Errorf("normalised: %+v", vera)
		}
		sp := f.profile(t, store.StarterProfile{OrgID: f.h1.ID, UserID: siri.ID, Name: "Siri Starter",
			Email: "Siri.Starter@Example.NO", Municipality: "5501", MaxGroups: 2})
		if sp.Email != "siri.starter@example.no" || !slices.Equal(sp.Languages, []string{"nb"}) {
			t.Errorf("defaults: %+v", sp)
		}
		bodil := f.profile(t, store.StarterProfile{OrgID: f.h2.ID, Name: "Bodil Bodø", Email: "bodil@example.no",
			Municipality: "1804", Languages: []string{"nb", "en"}, MaxGroups: 1})

		// Refused: no contact, a bad contact, a bad date, until before
		// from, too many groups, an unknown slot, an account with a profile.
		for name, p := range map[string]store.StarterProfile{
			"no contact":   {OrgID: f.h1.ID, Name: "X", Municipality: "5501", MaxGroups: 1},
			"bad e-mail":   {OrgID: f.h1.ID, Name: "X", Email: "x@", Municipality: "5501", MaxGroups: 1},
			"bad phone":    {OrgID: f.h1.ID, Name: "X", Phone: "12", Municipality: "5501", MaxGroups: 1},
			"bad date":     {OrgID: f.h1.ID, Name: "X", Phone: "91234567", Municipality: "5501", AvailableFrom: "1.3.2026"},
			"until<from":   {OrgID: f.h1.ID, Name: "X", Phone: "91234567", Municipality: "5501", AvailableFrom: "2026-05-01", AvailableUntil: "2026-04-01"},
			"max groups":   {OrgID: f.h1.ID, Name: "X", Phone: "91234567", Municipality: "5501", MaxGroups: 11},
			"slot":         {OrgID: f.h1.ID, Name: "X", Phone: "91234567", Municipality: "5501", Slots: []string{"mon-night"}},
			"no name":      {OrgID: f.h1.ID, Name: " ", Phone: "91234567", Municipality: "5501"},
			"no org":       {Name: "X", Phone: "91234567", Municipality: "5501"},
			"unknown muni": {OrgID: f.h1.ID, Name: "X", Phone: "91234567", Municipality: "9999"},
		} {
			if err := s.SaveStarterProfile(f.ctx, &p, f.now); err == nil {
				t.Errorf("%s: saved", name)
			}
		}
		dup := store.StarterProfile{OrgID: f.h1.ID, UserID: siri.ID, Name: "Siri igjen", Phone: "91234567", Municipality: "5501"}
		if err := s.SaveStarterProfile(f.ctx, &dup, f.now); !errors.Is(err, store.ErrStarterAccountTaken) {
			t.Errorf("a second profile for an account: %v", err)
		}

		// An update records the names of the fields, not their values.
		vera.Phone, vera.MaxGroups = "+47 98 76 54 32", 2
		if err := s.SaveStarterProfile(f.ctx, &vera, f.now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		upd, _ := s.AuditLog(f.ctx, store.AuditFilter{Action: "starter.update", ObjectID: vera.ID})
		if len(upd) != 1 || fmt.Sprint(upd[0].Detail["changed"]) != "[max_groups phone]" || upd[0].OrgID != f.h1.ID {
			t.Errorf("starter.update: %+v", upd)
		}

		// Courses.
		for _, c := range []store.StarterCourse{
			{ProfileID: vera.ID, Kind: store.CourseStarter, CompletedOn: "2025-10-04", OrganiserID: f.district.ID, Title: "Igangsetterkurs"},
			{ProfileID: vera.ID, Kind: store.CourseRefresher, CompletedOn: "2026-02-01", OrganiserID: f.h1.ID, Title: "Samling"},
		} {
			if err := s.AddStarterCourse(f.ctx, &c, f.now); err != nil {
				t.Fatal(err)
			}
		}
		for name, c := range map[string]store.StarterCourse{
			"kind":    {ProfileID: vera.ID, Kind: "diploma", CompletedOn: "2025-10-04"},
			"date":    {ProfileID: vera.ID, Kind: store.CourseOther, CompletedOn: "2025-13-04"},
			"profile": {ProfileID: store.NewID(), Kind: store.CourseOther, CompletedOn: "2025-10-04"},
			"title":   {ProfileID: vera.ID, Kind: store.CourseOther, CompletedOn: "2025-10-04", Title: strings.Repeat("x", 201)},
		} {
			if err := s.AddStarterCourse(f.ctx, &c, f.now); err == nil {
				t.Errorf("course %s: added", name)
			}
		}

		// A staff read: the profile, its courses, one audit row.
		got, err := s.ReadStarterProfile(f.ctx, vera.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Phone != "+4798765432" || got.County != "55" || len(got.Courses) != 2 || !got.Trained() ||
			got.Courses[0].Title != "Igangsetterkurs" || got.Courses[0].OrganiserID != f.district.ID {
			t.Errorf("read: %+v", got)
		}
		reads, _ := s.AuditLog(f.ctx, store.AuditFilter{Action: "starter.read", ObjectID: vera.ID, ActorID: "coord-1"})
		if len(reads) != 1 {
			t.Errorf("starter.read rows: %d", len(reads))
		}
		if org, err := s.StarterProfileOrg(f.ctx, bodil.ID); err != nil || org != f.h2.ID {
			t.Errorf("StarterProfileOrg: %q %v", org, err)
		}
		if _, err := s.ReadStarterProfile(f.ctx, store.NewID()); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown profile: %v", err)
		}
		if own, err := s.StarterProfileOfUser(f.ctx, siri.ID); err != nil || own.ID != sp.ID {
			t.Errorf("own profile: %+v %v", own, err)
		}

		// Lists: only the organisations asked for, filtered, in name order,
		// each list one audit row naming what it showed.
		for _, tc := range []struct {
			f    store.StarterFilter
			want []string
		}{
			{store.StarterFilter{OrgIDs: []string{f.h1.ID}}, []string{"Siri Starter", "Vera Frivillig"}},
			{store.StarterFilter{OrgIDs: []string{f.h1.ID, f.h2.ID}}, []string{"Bodil Bodø", "Siri Starter", "Vera Frivillig"}},
			{store.StarterFilter{OrgIDs: []string{f.h2.ID}, County: "55"}, nil},
			{store.StarterFilter{OrgIDs: []string{f.h1.ID, f.h2.ID}, County: "55"}, []string{"Siri Starter", "Vera Frivillig"}},
			{store.StarterFilter{OrgIDs: []string{f.h1.ID, f.h2.ID}, Municipality: "1804"}, []string{"Bodil Bodø"}},
			{store.StarterFilter{OrgIDs: []string{f.h1.ID, f.h2.ID}, Language: "se"}, []string{"Vera Frivillig"}},
			{store.StarterFilter{OrgIDs: []string{f.h1.ID, f.h2.ID}, FreeOn: "2025-12-31"}, []string{"Bodil Bodø", "Siri Starter"}},
			{store.StarterFilter{}, nil},
		} {
			before, _ := s.AuditLog(f.ctx, store.AuditFilter{Action: "starter.list"})
			ps, err := s.StarterProfiles(f.ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if got := starterNames(ps); !slices.Equal(got, tc.want) {
				t.Errorf("%+v: %v, want %v", tc.f, got, tc.want)
			}
			after, _ := s.AuditLog(f.ctx, store.AuditFilter{Action: "starter.list"})
			if len(tc.want) == 0 {
				if len(after) != len(before) {
					t.Errorf("%+v: an empty list wrote an audit row", tc.f)
				}
				continue
			}
			if len(after) != len(before)+1 {
				t.Fatalf("%+v: %d starter.list rows, want one more than %d", tc.f, len(after), len(before))
			}
			ids, _ := json.Marshal(after[0].Detail["ids"])
			for _, p := range ps {
				if !strings.Contains(string(ids), p.ID) {
					t.Errorf("%+v: the audit row does not name %s", tc.f, p.Name)
				}
			}
		}

		// Deleting a course, and a course of another profile.
		c := got.Courses[1]
		if err := s.DeleteStarterCourse(f.ctx, bodil.ID, c.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a course through another profile: %v", err)
		}
		if err := s.DeleteStarterCourse(f.ctx, vera.ID, c.ID); err != nil {
			t.Fatal(err)
		}
		// Deleting the profile takes its courses along; the account stays.
		if err := s.DeleteStarterProfile(f.ctx, vera.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.StarterProfileOrg(f.ctx, vera.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("deleted profile: %v", err)
		}
		if err := s.DeleteStarterProfile(f.ctx, vera.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("deleted twice: %v", err)
		}
		if _, err := s.User(f.ctx, siri.ID); err != nil {
			t.Error(err)
		}

		// Nothing personal in any audit row of this area.
		all, _ := s.AuditLog(f.ctx, store.AuditFilter{Action: "starter.", Limit: 1000})
		if len(all) < 10 {
			t.Errorf("only %d starter.* audit rows", len(all))
		}
		for _, e := range all {
			b, _ := json.Marshal(e)
			for _, secret := range []string{"Vera", "Siri", "Bodil", "91234567", "98765432", "example.no", "5503", "Igangsetterkurs"} {
				if strings.Contains(string(b), secret) {
					t.Errorf("%s holds %q: %s", e.Action, secret, b)
				}
			}
		}
	})
}

// TestFreeStarters: who is free to start a group in Tromsø on Tuesday
// evenings from 1 April, ranked by nearness: the same municipality, the same
// county, then the rest by distance; those who are away, have no Tuesday
// evening, are busy up to their most at once, or speak another language
// are left out. An assignment handed over, or of a group that ended, frees
// a place again.
func TestFreeStarters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newStarterFix(t, s)
		mk := func(name, org, muni string, user string, p store.StarterProfile) store.StarterProfile {
			p.Name, p.OrgID, p.Municipality, p.UserID, p.Email = name, org, muni, user, strings.ToLower(strings.Fields(name)[0])+"@example.no"
			switch {
			case p.MaxGroups == 0:
				p.MaxGroups = 1
			case p.MaxGroups < 0: // none at the moment
				p.MaxGroups = 0
			}
			return f.profile(t, p)
		}
		busy := f.account(t, "Bente Opptatt", f.h1.ID)
		two := f.account(t, "Tove To", f.h1.ID)
		mk("Anne Tromsø", f.h1.ID, "5501", "", store.StarterProfile{Slots: []string{"tue-evening"}})
		mk("Hanne Harstad", f.h1.ID, "5503", "", store.StarterProfile{})
		mk("Bodil Bodø", f.h2.ID, "1804", "", store.StarterProfile{Languages: []string{"nb", "en"}})
		mk("Ola Oslo", f.h2.ID, "0301", "", store.StarterProfile{})
		mk("Kari Kvæfjord", f.h1.ID, "5510", "", store.StarterProfile{}) // no venue there: distance unknown
		mk("Borte Bort", f.h1.ID, "5501", "", store.StarterProfile{AvailableUntil: "2026-03-31"})
		mk("Senere Sen", f.h1.ID, "5501", "", store.StarterProfile{AvailableFrom: "2026-06-01"})
		mk("Morgen Morgensen", f.h1.ID, "5501", "", store.StarterProfile{Slots: []string{"tue-morning", "wed-evening"}})
		mk("Null Null", f.h1.ID, "5501", "", store.StarterProfile{MaxGroups: -1})
		bente := mk("Bente Opptatt", f.h1.ID, "5501", busy.ID, store.StarterProfile{MaxGroups: 1})
		tove := mk("Tove To", f.h1.ID, "5503", two.ID, store.StarterProfile{MaxGroups: 2})
		mk("Zero Zero", f.h1.ID, "5501", "", store.StarterProfile{MaxGroups: -1, Slots: []string{"tue-evening"}})
		g1 := f.group(t, f.h1.ID, domain.StatusRunning)
		g2 := f.group(t, f.h1.ID, domain.StatusRecruiting)
		for _, x := range []struct{ g, u string }{{g1.ID, busy.ID}, {g1.ID, two.ID}} {
			if _, err := s.AssignStarter(f.ctx, store.AssignRequest{GroupID: x.g, UserID: x.u, StartDate: f.now}, f.now); err != nil {
				t.Fatal(err)
			}
		}
		q := store.FreeQuery{OrgIDs: []string{f.h1.ID, f.h2.ID}, Municipality: "5501", From: "2026-04-01", Until: "2026-05-31",
			Slots: []string{"tue-evening"}}
		free := func(q store.FreeQuery) []store.FreeStarter {
			t.Helper()
			fs, err := s.FreeStarters(f.ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			return fs
		}
		names := func(fs []store.FreeStarter) []string {
			return profileNames(fs, func(x store.FreeStarter) string { return x.Name })
		}
		got := free(q)
		// Left out: Borte (away from April), Senere (from June), Morgen (no
		// Tuesday evening), Null and Zero (no groups now), Bente (busy).
		want := []string{"Anne Tromsø", "Hanne Harstad", "Tove To", "Kari Kvæfjord", "Bodil Bodø", "Ola Oslo"}
		if !slices.Equal(names(got), want) {
			t.Errorf("free in Tromsø: %v, want %v", names(got), want)
		}
		for _, x := range got {
			switch x.Name {
			case "Anne Tromsø":
				if x.Nearness != store.NearMunicipality || !x.HasKm || x.Km != 0 || !slices.Equal(x.Slots, []string{"tue-evening"}) {
					t.Errorf("Anne: %+v", x)
				}
			case "Hanne Harstad", "Tove To":
				if x.Nearness != store.NearCounty || !x.HasKm || x.Km < 100 || x.Km > 200 {
					t.Errorf("%s: %+v", x.Name, x)
				}
				if x.Name == "Tove To" && x.Active != 1 {
					t.Errorf("Tove's active assignments: %d", x.Active)
				}
			case "Bodil Bodø", "Ola Oslo":
				if x.Nearness != store.NearElsewhere || !x.HasKm {
					t.Errorf("%s: %+v", x.Name, x)
				}
			case "Kari Kvæfjord":
				if x.Nearness != store.NearCounty || x.HasKm {
					t.Errorf("Kari: %+v", x)
				}
			}
		}
		// Only one organisation's starters; a language; a county as the area.
		if got := names(free(store.FreeQuery{OrgIDs: []string{f.h2.ID}, Municipality: "5501", From: "2026-04-01"})); !slices.Equal(got, []string{"Bodil Bodø", "Ola Oslo"}) {
			t.Errorf("house2's starters: %v", got)
		}
		if got := names(free(store.FreeQuery{OrgIDs: []string{f.h1.ID, f.h2.ID}, County: "18", Language: "en", From: "2026-04-01"})); !slices.Equal(got, []string{"Bodil Bodø"}) {
			t.Errorf("English in Nordland: %v", got)
		}
		// Handing over frees Bente; an ended group frees a place too.
		as, _ := s.Assignments(f.ctx, store.AssignmentFilter{OrgIDs: []string{f.h1.ID}, UserID: busy.ID})
		if len(as) != 1 {
			t.Fatalf("Bente's assignments: %+v", as)
		}
		if err := s.HandOverAssignment(f.ctx, as[0].ID, f.now); err != nil {
			t.Fatal(err)
		}
		if got := names(free(q)); !slices.Contains(got, "Bente Opptatt") || got[1] != "Bente Opptatt" {
			t.Errorf("after the hand-over: %v", got)
		}
		if _, err := s.AssignStarter(f.ctx, store.AssignRequest{GroupID: g2.ID, UserID: two.ID, StartDate: f.now}, f.now); err != nil {
			t.Fatal(err)
		}
		if got := names(free(q)); slices.Contains(got, "Tove To") {
			t.Errorf("Tove with two groups is free: %v", got)
		}
		g1.Status = domain.StatusEnded
		if err := s.SaveGroup(f.ctx, &g1, "coord-1", "ended"); err != nil {
			t.Fatal(err)
		}
		p, _ := s.ReadStarterProfile(f.ctx, tove.ID)
		if p.Active != 1 || !slices.Contains(names(free(q)), "Tove To") {
			t.Errorf("an ended group still counts: %d active", p.Active)
		}
		// The answer is an audited read naming exactly what it returned.
		last := free(q)
		rows, _ := s.AuditLog(f.ctx, store.AuditFilter{Action: "starter.list", Limit: 1})
		ids, _ := json.Marshal(rows[0].Detail["ids"])
		var named []string
		json.Unmarshal(ids, &named)
		if len(named) != len(last) || rows[0].Detail["purpose"] != "free" || rows[0].ActorID != "coord-1" {
			t.Errorf("audit names %d, answer has %d (%+v)", len(named), len(last), rows[0])
		}
		for _, x := range last {
			if !slices.Contains(named, x.ID) {
				t.Errorf("the audit row does not name %s", x.Name)
			}
		}
		if x := last[slices.IndexFunc(last, func(x store.FreeStarter) bool { return x.ID == bente.ID })]; x.Active != 0 {
			t.Errorf("Bente after the hand-over: %d active", x.Active)
		}
	})
}

// TestRankFreeStartersProperty checks RankFreeStarters against its
// definition on random profiles and queries: it keeps exactly those that
// are free, and orders them by nearness, then distance, then active
// assignments.
func TestRankFreeStartersProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 15))
	munis := []string{"5501", "5503", "5510", "1804", "1806", "0301"}
	county := func(m string) string { return m[:2] }
	km := func(a, b string) (float64, bool) {
		if a == "5510" || b == "5510" {
			return 0, false
		}
		ia, ib := slices.Index(munis, a), slices.Index(munis, b)
		return float64((ia - ib) * (ia - ib) * 37), true
	}
	day := func() string {
		if rng.IntN(3) == 0 {
			return ""
		}
		return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rng.IntN(200)).Format(time.DateOnly)
	}
	slots := func() []string {
		var out []string
		for range rng.IntN(3) {
			out = append(out, store.SlotDays[rng.IntN(7)]+"-"+store.SlotParts[rng.IntN(3)])
		}
		return out
	}
	for round := range 500 {
		var ps []store.StarterProfile
		for i := range 1 + rng.IntN(12) {
			p := store.StarterProfile{ID: fmt.Sprint(i), Name: fmt.Sprintf("P%02d", rng.IntN(30)),
				Municipality: munis[rng.IntN(len(munis))], Languages: [][]string{{"nb"}, {"nb", "en"}, {"se"}}[rng.IntN(3)],
				Slots: slots(), AvailableFrom: day(), AvailableUntil: day(), MaxGroups: rng.IntN(3), Active: rng.IntN(3)}
			if p.AvailableFrom != "" && p.AvailableUntil != "" && p.AvailableUntil < p.AvailableFrom {
				p.AvailableFrom, p.AvailableUntil = p.AvailableUntil, p.AvailableFrom
			}
			p.County = county(p.Municipality)
			ps = append(ps, p)
		}
		q := store.FreeQuery{From: day(), Slots: slots(), Language: []string{"", "nb", "en"}[rng.IntN(3)]}
		if q.From != "" && rng.IntN(2) == 0 {
			q.Until = q.From[:8] + "28"
			if q.Until < q.From {
				q.Until = q.From
			}
		}
		switch rng.IntN(3) {
		case 0:
			q.Municipality = munis[rng.IntN(len(munis))]
		case 1:
			q.County = []string{"55", "18"}[rng.IntN(2)]
		}
		got := store.RankFreeStarters(ps, q, county, km)
		until := q.Until
		if until == "" {
			until = q.From
		}
		want := map[string]bool{}
		for _, p := range ps {
			ok := p.Active < p.MaxGroups &&
				(q.From == "" || p.AvailableFrom == "" || p.AvailableFrom <= until) &&
				(q.From == "" || p.AvailableUntil == "" || p.AvailableUntil >= q.From) &&
				(q.Language == "" || slices.Contains(p.Languages, q.Language))
			if ok && len(p.Slots) > 0 && len(q.Slots) > 0 {
				ok = slices.ContainsFunc(q.Slots, func(s string) bool { return slices.Contains(p.Slots, s) })
			}
			want[p.ID] = ok
		}
		seen := map[string]bool{}
		for i, x := range got {
			seen[x.ID] = true
			if !want[x.ID] {
				t.Fatalf("round %d: %+v is not free for %+v", round, x.StarterProfile, q)
			}
			near := store.NearElsewhere
			switch {
			case q.Municipality != "" && x.Municipality == q.Municipality:
				near = store.NearMunicipality
			case q.Municipality != "" && county(x.Municipality) == county(q.Municipality),
				q.Municipality == "" && q.County != "" && county(x.Municipality) == q.County:
				near = store.NearCounty
			}
			if x.Nearness != near {
				t.Fatalf("round %d: nearness %d, want %d for %+v, %+v", round, x.Nearness, near, x.StarterProfile, q)
			}
			if i == 0 {
				continue
			}
			prev := got[i-1]
			switch {
			case prev.Nearness < x.Nearness:
			case prev.Nearness > x.Nearness:
				t.Fatalf("round %d: nearness out of order", round)
			case prev.HasKm && !x.HasKm:
			case !prev.HasKm && x.HasKm:
				t.Fatalf("round %d: unknown distance before a known one", round)
			case prev.HasKm && prev.Km > x.Km:
				t.Fatalf("round %d: farther first", round)
			case (!prev.HasKm || prev.Km == x.Km) && prev.Active > x.Active:
				t.Fatalf("round %d: busier first", round)
			}
		}
		for id, ok := range want {
			if ok && !seen[id] {
				t.Fatalf("round %d: free profile %s left out for %+v", round, id, q)
			}
		}
	}
}

// TestAssignments: assigning by hand, planning, follow-up and hand-over,
// with their refusals and audit rows; handing over a starting group goes
// through formation's HandOver.
func TestAssignments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newStarterFix(t, s)
		siri := f.account(t, "Siri Starter", f.h1.ID)
		dina := f.account(t, "Dina Distrikt", f.district.ID)
		bo := f.account(t, "Bo Bodø", f.h2.ID)
		off := f.account(t, "Av Slått", f.h1.ID)
		off.Disabled = true
		if err := s.UpdateUser(f.ctx, &off); err != nil {
			t.Fatal(err)
		}
		g := f.group(t, f.h1.ID, domain.StatusStarting)
		ended := f.group(t, f.h1.ID, domain.StatusEnded)
		running := f.group(t, f.h1.ID, domain.StatusRunning)
		assign := func(group, user string) (store.Assignment, error) {
			return s.AssignStarter(f.ctx, store.AssignRequest{GroupID: group, UserID: user, StartDate: f.now,
				FollowUpOn: "2026-04-01", HandOverOn: "2026-05-01"}, f.now)
		}
		a, err := assign(g.ID, siri.ID)
		if err != nil {
			t.Fatal(err)
		}
		if a.FollowUpAfter != store.DefaultFollowUp || a.FollowUpOn != "2026-04-01" || a.HandOverOn != "2026-05-01" ||
			a.OrgID != f.h1.ID || a.GroupStatus != domain.StatusStarting || !a.Open() {
			t.Errorf("assignment: %+v", a)
		}
		// A starter of the district may start a group of house1; one of
		// house2 may not; nor a disabled account, nor twice, nor an ended group.
		b, err := assign(g.ID, dina.ID)
		if err != nil {
			t.Errorf("a starter from above: %v", err)
		}
		for name, x := range map[string][2]string{"sibling": {g.ID, bo.ID}, "disabled": {g.ID, off.ID},
			"twice": {g.ID, siri.ID}, "ended": {ended.ID, siri.ID}} {
			if _, err := assign(x[0], x[1]); !errors.Is(err, store.ErrAssignment) {
				t.Errorf("%s: %v", name, err)
			}
		}
		if _, err := assign(store.NewID(), siri.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown group: %v", err)
		}
		if _, err := s.AssignStarter(f.ctx, store.AssignRequest{GroupID: g.ID, UserID: bo.ID, StartDate: f.now,
			FollowUpOn: "snart"}, f.now); !errors.Is(err, store.ErrAssignment) {
			t.Errorf("a bad date: %v", err)
		}

		// Lists: by organisation, by starter.
		if as, _ := s.Assignments(f.ctx, store.AssignmentFilter{OrgIDs: []string{f.h2.ID}}); len(as) != 0 {
			t.Errorf("house2 sees %d assignments", len(as))
		}
		if as, _ := s.AssignmentsOfUser(f.ctx, siri.ID); len(as) != 1 || as[0].ID != a.ID {
			t.Errorf("Siri's: %+v", as)
		}

		// Planning, and the follow-up once.
		if err := s.PlanAssignment(f.ctx, a.ID, "2026-04-08", "2026-05-01"); err != nil {
			t.Fatal(err)
		}
		plan, _ := s.AuditLog(f.ctx, store.AuditFilter{Action: "assignment.plan", ObjectID: a.ID})
		if len(plan) != 1 || fmt.Sprint(plan[0].Detail["changed"]) != "[follow_up_on]" {
			t.Errorf("assignment.plan: %+v", plan)
		}
		if err := s.PlanAssignment(f.ctx, a.ID, "8. april", ""); !errors.Is(err, store.ErrAssignment) {
			t.Errorf("a bad planned date: %v", err)
		}
		if err := s.FollowUpDone(f.ctx, a.ID, f.now); err != nil {
			t.Fatal(err)
		}
		if err := s.FollowUpDone(f.ctx, a.ID, f.now); !errors.Is(err, store.ErrAssignmentDone) {
			t.Errorf("follow-up twice: %v", err)
		}
		a, _ = s.Assignment(f.ctx, a.ID)
		if a.FollowUpOn != "2026-04-08" || !a.FollowUpDoneAt.Equal(f.now) || !a.FollowUpSentAt.IsZero() {
			t.Errorf("after the follow-up: %+v", a)
		}

		// Handing over a starting group: formation's HandOver, every
		// starter of the group, the group running.
		if err := s.HandOverAssignment(f.ctx, a.ID, f.now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if g2, _ := s.Group(f.ctx, g.ID); g2.Status != domain.StatusRunning {
			t.Errorf("group after the hand-over: %s", g2.Status)
		}
		for _, id := range []string{a.ID, b.ID} {
			if x, _ := s.Assignment(f.ctx, id); x.HandedOverAt.IsZero() || x.Open() {
				t.Errorf("assignment %s not handed over: %+v", id, x)
			}
		}
		if hs, _ := s.AuditLog(f.ctx, store.AuditFilter{Action: "formation.handover", ObjectID: g.ID}); len(hs) != 1 {
			t.Errorf("formation.handover rows: %d", len(hs))
		}
		if err := s.HandOverAssignment(f.ctx, a.ID, f.now); !errors.Is(err, store.ErrAssignmentDone) {
			t.Errorf("handed over twice: %v", err)
		}
		// A running group: this assignment only, the group as it was.
		c, err := assign(running.ID, siri.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.HandOverAssignment(f.ctx, c.ID, f.now); err != nil {
			t.Fatal(err)
		}
		if hs, _ := s.AuditLog(f.ctx, store.AuditFilter{Action: "assignment.handover", ObjectID: c.ID}); len(hs) != 1 ||
			hs[0].OrgID != f.h1.ID {
			t.Errorf("assignment.handover rows: %+v", hs)
		}
		if open, _ := s.Assignments(f.ctx, store.AssignmentFilter{OrgIDs: []string{f.h1.ID}, Open: true}); len(open) != 0 {
			t.Errorf("open after every hand-over: %+v", open)
		}
		if err := s.FollowUpDone(f.ctx, store.NewID(), f.now); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown assignment: %v", err)
		}
	})
}

// BenchmarkFreeStarters answers "who is free in Tromsø on Tuesday
// evenings" among 500 profiles of a district (half with an account and an
// assignment), with the audit row it writes.
//
//	go test ./internal/store/ -run XXX -bench FreeStarters -benchtime 200x -count 5
func BenchmarkFreeStarters(b *testing.B) {
	for _, engine := range storetest.Engines {
		b.Run(string(engine), func(b *testing.B) {
			s := storetest.Open(b, engine)
			ctx := store.WithActor(context.Background(), store.Actor{ID: "coord-1"})
			district := benchOrg(b, s, "distrikt", "")
			house := benchOrg(b, s, "huset", district.ID)
			model := domain.Model{Slug: "selvhjelp", Name: domain.Text{"nb": "Selvhjelpsgruppe"}, Intake: domain.IntakeClosed,
				Leadership: domain.LeadStarter, DefaultJoin: domain.JoinViaHouse}
			if err := s.SaveModel(ctx, &model); err != nil {
				b.Fatal(err)
			}
			g := domain.Group{Slug: "gruppe", Name: domain.Text{"nb": "Gruppe"}, ModelID: model.ID, OrgID: house.ID,
				Format: domain.FormatVideo, Languages: []string{"nb"}, AgeGroup: domain.AgeAdults, Gender: domain.GenderEveryone,
				Status: domain.StatusRunning, Join: domain.JoinViaHouse}
			if err := s.SaveGroup(ctx, &g, "coord-1", ""); err != nil {
				b.Fatal(err)
			}
			munis := []string{"5501", "5503", "5510", "1804", "0301"}
			now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
			for i := range 500 {
				p := store.StarterProfile{OrgID: []string{district.ID, house.ID}[i%2], Name: fmt.Sprintf("Person %03d", i),
					Phone: fmt.Sprintf("+479%07d", i), Municipality: munis[i%len(munis)], MaxGroups: 1 + i%3,
					Slots: [][]string{nil, {"tue-evening"}, {"mon-morning", "wed-evening"}}[i%3]}
				if i%2 == 0 {
					u := store.User{Email: fmt.Sprintf("p%d@example.no", i), Name: p.Name,
						Memberships: []store.Membership{{OrgID: house.ID, Role: store.RoleStarter}}}
					if err := s.CreateUser(ctx, &u); err != nil {
						b.Fatal(err)
					}
					p.UserID = u.ID
					if _, err := s.AssignStarter(ctx, store.AssignRequest{GroupID: g.ID, UserID: u.ID, StartDate: now}, now); err != nil {
						b.Fatal(err)
					}
				}
				if err := s.SaveStarterProfile(ctx, &p, now); err != nil {
					b.Fatal(err)
				}
			}
			q := store.FreeQuery{OrgIDs: []string{district.ID, house.ID}, Municipality: "5501", From: "2026-04-01",
				Slots: []string{"tue-evening"}}
			b.ResetTimer()
			for b.Loop() {
				fs, err := s.FreeStarters(ctx, q)
				if err != nil || len(fs) == 0 {
					b.Fatal(len(fs), err)
				}
			}
		})
	}
}

func benchOrg(b *testing.B, s *store.Store, slug, parent string) domain.Organisation {
	o := domain.Organisation{Kind: domain.OrgSelfHelpHouse, Slug: slug, Name: slug, ParentID: parent}
	if err := s.SaveOrganisation(context.Background(), &o); err != nil {
		b.Fatal(err)
	}
	return o
}
