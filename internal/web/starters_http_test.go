package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// startersData is what the starters' pages need in the office fixture: a
// volunteer's profile in every organisation ("Profil <key>"), a profile for
// the fixture's starter Siri (house1, with her account), a second starter
// Stina of house2 with a profile, and a group of its own started in each
// house ("Sorggruppe house1", "Sorggruppe house2": the fixture's groups are
// left to the other areas' probes): Siri starts house1's with Anne1 and
// Anne2 placed in it, Stina house2's with Bodil1 and Bodil2. Every person
// has own words and an intake note that no starter may ever see.
type startersData struct {
	profiles map[string]store.StarterProfile
	siri     store.StarterProfile
	stina    store.User
	stinaP   store.StarterProfile
	a1, a2   store.Assignment
	g1, g2   string // the started groups
	people1  []string
	people2  []string
}

var startersSeeds = struct {
	sync.Mutex
	m map[*officeFixture]*startersData
}{m: map[*officeFixture]*startersData{}}

// startersSeed makes the area's data in the fixture, once.
func startersSeed(t testing.TB, f *officeFixture) *startersData {
	t.Helper()
	startersSeeds.Lock()
	defer startersSeeds.Unlock()
	if d := startersSeeds.m[f]; d != nil {
		return d
	}
	ctx := store.WithActor(context.Background(), store.Actor{ID: f.users["admin"].ID})
	d := &startersData{profiles: map[string]store.StarterProfile{}}
	save := func(p store.StarterProfile) store.StarterProfile {
		t.Helper()
		if err := f.st.SaveStarterProfile(ctx, &p, f.clock.Now()); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, k := range officeOrgKeys {
		d.profiles[k] = save(store.StarterProfile{OrgID: f.orgs[k].ID, Name: "Profil " + k, Email: "profil-" + k + "@example.no",
			Municipality: "5501", MaxGroups: 1})
	}
	d.siri = save(store.StarterProfile{OrgID: f.orgs["house1"].ID, UserID: f.users["starter"].ID, Name: officeNames["starter"],
		Phone: "+47 911 22 333", Municipality: "5501", Languages: []string{"nb", "se"}, Slots: []string{"tue-evening"}, MaxGroups: 10})
	d.stina = store.User{Email: "stina@example.no", Name: "Stina Starter",
		Memberships: []store.Membership{{OrgID: f.orgs["house2"].ID, Role: store.RoleStarter}}}
	if err := f.st.CreateUser(ctx, &d.stina); err != nil {
		t.Fatal(err)
	}
	d.stinaP = save(store.StarterProfile{OrgID: f.orgs["house2"].ID, UserID: d.stina.ID, Name: "Stina Starter",
		Email: "stina@example.no", Municipality: "1804", MaxGroups: 1})
	d.g1, d.people1 = startersStart(t, f, "house1", f.users["starter"].ID, "Anne1", "Anne2")
	d.g2, d.people2 = startersStart(t, f, "house2", d.stina.ID, "Bodil1", "Bodil2")
	for _, x := range []struct {
		a    *store.Assignment
		user string
	}{{&d.a1, f.users["starter"].ID}, {&d.a2, d.stina.ID}} {
		as, err := f.st.AssignmentsOfUser(ctx, x.user)
		if err != nil || len(as) != 1 {
			t.Fatalf("assignments: %+v %v", as, err)
		}
		*x.a = as[0]
	}
	startersSeeds.m[f] = d
	return d
}

// startersStart makes a closed group "Sorggruppe <org>" meeting in the
// organisation's room, puts people in the pool of org, invites them to the
// group, has them accept, and starts the group with the starter on 10
// March: it returns the group and the enquiries.
func startersStart(t testing.TB, f *officeFixture, org, starter string, names ...string) (string, []string) {
	t.Helper()
	ctx := store.WithActor(context.Background(), store.Actor{ID: f.users["admin"].ID})
	person := store.WithActor(context.Background(), store.Actor{ID: "person"})
	now := f.clock.Now()
	g := f.groups[org]
	g.ID, g.Slug, g.Name = "", "sorggruppe-"+org, domain.Text{"nb": "Sorggruppe " + org}
	if err := f.st.SaveGroup(ctx, &g, "test", ""); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, n := range names {
		e := store.Enquiry{OrgID: f.orgs[org].ID, Channel: "phone", Name: n, ContactKind: "email",
			Contact: strings.ToLower(n) + "@example.no", Municipality: "5501", TravelKm: 25, Formats: []string{"in_person"},
			Themes: []string{f.themes[0].ID}, Adult: true, ConsentVersion: "2026-11", ConsentRecordedBy: f.users["admin"].ID,
			OwnWords: "Hemmelige ord fra " + n, IntakeNote: "Inntaksnotat om " + n}
		_, hash := store.NewLinkToken()
		if err := f.st.CreateEnquiry(ctx, &e, hash, now.Add(-20*24*time.Hour), store.DefaultRetention); err != nil {
			t.Fatal(err)
		}
		if err := f.st.SetEnquiryStatus(ctx, e.ID, store.StatusChange{To: store.EnquiryWaiting}, now.Add(-20*24*time.Hour),
			store.DefaultRetention); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, e.ID)
	}
	tokens := map[string]string{}
	if _, err := f.st.FormGroup(ctx, store.FormationRequest{GroupID: g.ID, Needed: len(ids),
		Deadline: now.Add(7 * 24 * time.Hour), EnquiryIDs: ids, OrgIDs: []string{f.orgs[org].ID},
		Message: func(e store.Enquiry, token string) (store.OutboxMail, error) {
			tokens[e.ID] = token
			return store.OutboxMail{To: e.Contact, Subject: "Invitasjon", Body: "/svar/" + token, Kind: "formation_invite"}, nil
		}}, now, store.DefaultRetention); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if _, err := f.st.AnswerInvitation(person, store.LinkTokenHash(tokens[id]), true, now, store.DefaultRetention); err != nil {
			t.Fatal(err)
		}
	}
	oslo, _ := time.LoadLocation("Europe/Oslo")
	at := time.Date(2026, 3, 10, 18, 0, 0, 0, oslo)
	if err := f.st.StartGroup(ctx, store.StartRequest{GroupID: g.ID, StartsAt: at, Minutes: 90,
		RoomID: f.rooms[org].ID, StarterID: starter, Message: func(e store.Enquiry, b store.RoomBooking) (store.OutboxMail, error) {
			return store.OutboxMail{To: e.Contact, Subject: "Oppstart", Body: "Velkommen", Kind: "formation_start"}, nil
		}}, now, store.DefaultRetention); err != nil {
		t.Fatal(err)
	}
	return g.ID, ids
}

// startersPersonal are the organisations whose starters each user of the
// fixture may see and change, written out by hand from the rules:
// administrators everywhere, coordinators in their part of the tree,
// nobody else anywhere.
var startersPersonal = map[string][]string{
	"admin":         officeOrgKeys,
	"coordDistrict": {"district", "house1", "house2"},
	"coordHouse":    {"house1"},
}

// startersAudit is the newest audit row of an action by a user, or nil.
func startersAudit(t *testing.T, st *store.Store, action, actor string) *store.AuditEntry {
	t.Helper()
	rows, err := st.AuditLog(context.Background(), store.AuditFilter{Action: action, ActorID: actor, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 {
		return nil
	}
	return &rows[0]
}

// auditIDs are the IDs an audit row's detail names under key.
func auditIDs(e *store.AuditEntry, key string) []string {
	if e == nil {
		return nil
	}
	b, _ := json.Marshal(e.Detail[key])
	var out []string
	json.Unmarshal(b, &out)
	return out
}

func init() { matrixAreas = append(matrixAreas, startersProbes) }

// startersProbes are the requests of the role matrix (TestOfficeRoleMatrix)
// to every route of the starters' pages, for one user. Deletions and new
// assignments use objects made for that user, so that each allowed request
// has something to change.
func startersProbes(t *testing.T, f *officeFixture, _ *matrixExtras, who string) []officeProbe {
	ctx := store.WithActor(context.Background(), store.Actor{ID: "test"})
	d := startersSeed(t, f)
	mark := strings.ToLower(who)
	personal := func(k string) bool { return slices.Contains(startersPersonal[who], k) }
	anyPersonal := len(startersPersonal[who]) > 0
	starter := who == "starter"
	var ps []officeProbe
	add := func(p officeProbe) { ps = append(ps, p) }

	// For this user: a profile and a course to delete in each
	// organisation, and a group of house1 to assign Siri to.
	doomed, courses := map[string]store.StarterProfile{}, map[string]store.StarterCourse{}
	for _, k := range officeOrgKeys {
		p := store.StarterProfile{OrgID: f.orgs[k].ID, Name: "Slettes " + mark + " " + k, Phone: "+4790000000",
			Municipality: "5501"}
		if err := f.st.SaveStarterProfile(ctx, &p, f.clock.Now()); err != nil {
			t.Fatal(err)
		}
		doomed[k] = p
		c := store.StarterCourse{ProfileID: d.profiles[k].ID, Kind: store.CourseOther, CompletedOn: "2025-01-01",
			Title: "Kurs for " + mark}
		if err := f.st.AddStarterCourse(ctx, &c, f.clock.Now()); err != nil {
			t.Fatal(err)
		}
		courses[k] = c
	}
	g := domain.Group{Slug: "startergruppe-" + mark, Name: domain.Text{"nb": "Startergruppe " + mark}, ModelID: f.model.ID,
		OrgID: f.orgs["house1"].ID, Format: domain.FormatVideo, Languages: []string{"nb"}, AgeGroup: domain.AgeAdults,
		Gender: domain.GenderEveryone, Status: domain.StatusPlanned, Join: domain.JoinViaHouse}
	if err := f.st.SaveGroup(ctx, &g, "test", ""); err != nil {
		t.Fatal(err)
	}

	// The list shows exactly the profiles of the user's part of the tree.
	add(officeProbe{name: "starters", method: "GET", path: "/kontor/igangsettere", allow: anyPersonal,
		check: func(t *testing.T, body string) {
			for _, k := range officeOrgKeys {
				if got := strings.Contains(body, ">Profil "+k+"<"); got != personal(k) {
					t.Errorf("%s: the list shows Profil %s: %v", who, k, got)
				}
			}
			if strings.Contains(body, "Stina") != personal("house2") || strings.Contains(body, officeNames["starter"]) != personal("house1") {
				t.Errorf("%s: the list shows the starters of the houses wrongly", who)
			}
			if a := startersAudit(t, f.st, "starter.list", f.users[who].ID); a == nil || !slices.Contains(auditIDs(a, "ids"), d.siri.ID) {
				t.Errorf("%s: no starter.list audit row naming what the list showed: %+v", who, a)
			}
		}})
	add(officeProbe{name: "starters filtered", method: "GET", path: "/kontor/igangsettere?omrade=f55&sprak=se&ledig=1", allow: anyPersonal,
		check: func(t *testing.T, body string) {
			if strings.Contains(body, ">Profil ") || strings.Contains(body, officeNames["starter"]) != personal("house1") {
				t.Errorf("%s: the filter for Sami in Troms, free now", who)
			}
		}})
	add(officeProbe{name: "new profile", method: "GET", path: "/kontor/igangsettere/ny", allow: anyPersonal})
	for _, k := range []string{"house1", "other"} {
		name := "Ny " + mark + " " + k
		add(officeProbe{name: "create a profile in " + k, method: "POST", path: "/kontor/igangsettere/ny", allow: personal(k),
			form: func() url.Values {
				return url.Values{"organisation": {f.orgs[k].ID}, "name": {name}, "email": {mark + "-" + k + "@example.no"},
					"municipality": {"5501"}, "languages": {"nb"}, "max_groups": {"1"}}
			},
			done: func(t *testing.T) {
				ps, _ := f.st.StarterProfiles(ctx, store.StarterFilter{OrgIDs: []string{f.orgs[k].ID}})
				if !slices.ContainsFunc(ps, func(p store.StarterProfile) bool { return p.Name == name }) {
					t.Errorf("%s: no new profile in %s", who, k)
				}
			}})
	}
	add(officeProbe{name: "who is free", method: "GET", path: "/kontor/igangsettere/ledige", allow: anyPersonal})
	add(officeProbe{name: "who is free in Tromsø on Tuesday evenings", method: "GET",
		path: "/kontor/igangsettere/ledige?omrade=k5501&fra=2026-04-01&tid=tue-evening", allow: anyPersonal,
		check: func(t *testing.T, body string) {
			for _, k := range officeOrgKeys {
				if got := strings.Contains(body, ">Profil "+k+"<"); got != personal(k) {
					t.Errorf("%s: who is free shows Profil %s: %v", who, k, got)
				}
			}
			if strings.Contains(body, "Stina") {
				t.Errorf("%s: Stina (busy, in Bodø, no Tuesday evening asked) is free", who)
			}
		}})

	for _, k := range officeOrgKeys {
		p := d.profiles[k]
		add(officeProbe{name: "profile of " + k, method: "GET", path: "/kontor/igangsettere/" + p.ID, allow: personal(k),
			check: func(t *testing.T, body string) {
				if !strings.Contains(body, "profil-"+k+"@example.no") || !strings.Contains(body, "Kurs for ") {
					t.Errorf("%s: the profile of %s lacks its contact or courses", who, k)
				}
				if a := startersAudit(t, f.st, "starter.read", f.users[who].ID); a == nil || a.ObjectID != p.ID {
					t.Errorf("%s: no starter.read of the profile of %s: %+v", who, k, a)
				}
			}})
		add(officeProbe{name: "save the profile of " + k, method: "POST", path: "/kontor/igangsettere/" + p.ID, allow: personal(k),
			form: func() url.Values {
				return url.Values{"organisation": {p.OrgID}, "name": {p.Name}, "email": {p.Email}, "phone": {"9" + fmt.Sprintf("%07d", len(mark))},
					"municipality": {"5501"}, "languages": {"nb", "en"}, "max_groups": {"1"}}
			},
			done: func(t *testing.T) {
				x, _ := f.st.ReadStarterProfile(ctx, p.ID)
				if x.Phone != "+479"+fmt.Sprintf("%07d", len(mark)) || !slices.Equal(x.Languages, []string{"nb", "en"}) {
					t.Errorf("%s: profile of %s not saved: %+v", who, k, x)
				}
			}})
		add(officeProbe{name: "a course for " + k, method: "POST", path: "/kontor/igangsettere/" + p.ID + "/kurs", allow: personal(k),
			form: func() url.Values {
				return url.Values{"course_kind": {"starter"}, "course_date": {"2025-10-04"}, "course_organiser": {f.orgs["district"].ID},
					"course_title": {"Igangsetterkurs " + mark}}
			}})
		add(officeProbe{name: "delete a course of " + k, method: "POST",
			path: "/kontor/igangsettere/" + p.ID + "/kurs/" + courses[k].ID + "/slett", allow: personal(k), form: func() url.Values { return url.Values{} }})
		add(officeProbe{name: "delete a profile of " + k, method: "POST", path: "/kontor/igangsettere/" + doomed[k].ID + "/slett",
			allow: personal(k), form: func() url.Values { return url.Values{} },
			done: func(t *testing.T) {
				if _, err := f.st.StarterProfileOrg(ctx, doomed[k].ID); err == nil {
					t.Errorf("%s: the profile in %s is still there", who, k)
				}
			}})
	}
	// Forged: a profile moved to an organisation the user may not use; a
	// course deleted through another organisation's profile.
	add(officeProbe{name: "move house1's profile to house2", method: "POST", path: "/kontor/igangsettere/" + d.profiles["house1"].ID,
		allow: personal("house1") && personal("house2"), form: func() url.Values {
			p := d.profiles["house1"]
			return url.Values{"organisation": {f.orgs["house2"].ID}, "name": {p.Name}, "email": {p.Email}, "municipality": {"5501"},
				"languages": {"nb"}, "max_groups": {"1"}}
		}})
	add(officeProbe{name: "house1's profile back", method: "POST", path: "/kontor/igangsettere/" + d.profiles["house1"].ID,
		allow: personal("house1"), form: func() url.Values {
			p := d.profiles["house1"]
			return url.Values{"organisation": {f.orgs["house1"].ID}, "name": {p.Name}, "email": {p.Email}, "municipality": {"5501"},
				"languages": {"nb"}, "max_groups": {"1"}}
		}})
	add(officeProbe{name: "house2's course through house1's profile", method: "POST",
		path: "/kontor/igangsettere/" + d.profiles["house1"].ID + "/kurs/" + courses["house2"].ID + "/slett", allow: false,
		form: func() url.Values { return url.Values{} }})

	// Assignments: Siri to this user's group of house1; to house2's group
	// (which she may not start: an error for those who see house2, a 404
	// for the others).
	add(officeProbe{name: "assign Siri", method: "POST", path: "/kontor/igangsettere/" + d.siri.ID + "/oppdrag", allow: personal("house1"),
		form: func() url.Values {
			return url.Values{"assign_group": {g.ID}, "assign_start": {"2026-04-07"}, "assign_follow_up": {"4"},
				"assign_hand_over_on": {"2026-06-01"}}
		},
		done: func(t *testing.T) {
			as, _ := f.st.StarterAssignments(ctx, g.ID)
			if len(as) != 1 || as[0].UserID != f.users["starter"].ID {
				t.Errorf("%s: Siri not assigned: %+v", who, as)
			}
		}})
	add(officeProbe{name: "assign Siri to house2's group", method: "POST", path: "/kontor/igangsettere/" + d.siri.ID + "/oppdrag",
		allow: personal("house1") && personal("house2"), want: http.StatusBadRequest,
		form: func() url.Values {
			return url.Values{"assign_group": {f.groups["house2"].ID}, "assign_start": {"2026-04-07"}, "assign_follow_up": {"4"}}
		}})
	add(officeProbe{name: "assignments", method: "GET", path: "/kontor/igangsetteroppdrag", allow: anyPersonal,
		check: func(t *testing.T, body string) {
			for _, k := range []string{"house1", "house2"} {
				if got := strings.Contains(body, ">Sorggruppe "+k+"<"); got != personal(k) {
					t.Errorf("%s: the assignments show %s's group: %v", who, k, got)
				}
			}
		}})
	add(officeProbe{name: "assignments, all", method: "GET", path: "/kontor/igangsetteroppdrag?alle=1", allow: anyPersonal})
	for i, x := range []struct {
		k string
		a store.Assignment
	}{{"house1", d.a1}, {"house2", d.a2}} {
		add(officeProbe{name: "assignment of " + x.k, method: "GET", path: "/kontor/igangsetteroppdrag/" + x.a.ID, allow: personal(x.k)})
		day := fmt.Sprintf("2026-04-%02d", 1+len(mark)+i)
		add(officeProbe{name: "plan the assignment of " + x.k, method: "POST", path: "/kontor/igangsetteroppdrag/" + x.a.ID,
			allow: personal(x.k), form: func() url.Values { return url.Values{"follow_up_on": {day}, "hand_over_on": {"2026-06-01"}} },
			done: func(t *testing.T) {
				if a, _ := f.st.Assignment(ctx, x.a.ID); a.FollowUpOn != day {
					t.Errorf("%s: the plan of %s: %+v", who, x.k, a)
				}
			}})
	}

	// The starter's own page: Siri sees her group and its people's first
	// names and contacts, never Stina's, never what the people wrote; the
	// read is recorded as hers, naming only her group's people.
	add(officeProbe{name: "my groups", method: "GET", path: "/kontor/mine-grupper", allow: starter,
		check: func(t *testing.T, body string) {
			for _, want := range []string{">Sorggruppe house1<", "Anne1", "anne1@example.no", "Anne2", "Gata 3", "Rommet house1", "Huset Tromsø"} {
				if !strings.Contains(body, want) {
					t.Errorf("my groups lacks %q", want)
				}
			}
			for _, never := range []string{"Sorggruppe house2", "Bodil", "bodil", "Hemmelige ord", "Inntaksnotat", "Stina"} {
				if strings.Contains(body, never) {
					t.Errorf("my groups shows %q", never)
				}
			}
			a := startersAudit(t, f.st, "enquiry.list", f.users["starter"].ID)
			if got := auditIDs(a, "ids"); !sameIDs(got, d.people1) {
				t.Errorf("the audit row of the starter's read names %v, want %v", got, d.people1)
			}
		}})
	add(officeProbe{name: "follow-up of Stina's group", method: "POST", path: "/kontor/mine-grupper/" + d.a2.ID + "/oppfolging",
		allow: false, form: func() url.Values { return url.Values{} }})
	add(officeProbe{name: "hand over Stina's group", method: "POST", path: "/kontor/mine-grupper/" + d.a2.ID + "/overlevert",
		allow: false, form: func() url.Values { return url.Values{} }})
	add(officeProbe{name: "follow-up done", method: "POST", path: "/kontor/mine-grupper/" + d.a1.ID + "/oppfolging",
		allow: starter, form: func() url.Values { return url.Values{} },
		done: func(t *testing.T) {
			if a, _ := f.st.Assignment(ctx, d.a1.ID); a.FollowUpDoneAt.IsZero() {
				t.Error("the follow-up is not recorded")
			}
		}})
	add(officeProbe{name: "handed over", method: "POST", path: "/kontor/mine-grupper/" + d.a1.ID + "/overlevert",
		allow: starter, form: func() url.Values { return url.Values{} },
		done: func(t *testing.T) {
			if a, _ := f.st.Assignment(ctx, d.a1.ID); a.HandedOverAt.IsZero() {
				t.Error("the hand-over is not recorded")
			}
		}})
	add(officeProbe{name: "my groups, handed over", method: "GET", path: "/kontor/mine-grupper", allow: starter,
		check: func(t *testing.T, body string) {
			if strings.Contains(body, "Anne1") || !strings.Contains(body, "Sorggruppe house1") {
				t.Error("after the hand-over, my groups still shows the people, or no longer the group")
			}
		}})
	return ps
}

// sameIDs reports whether two lists hold the same IDs.
func sameIDs(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

var reStartersID = regexp.MustCompile(`\b(?:starters|office)\.[a-z][a-z0-9_.]*[a-z0-9]\b`)

// checkStartersHTML checks a page of the area: what every staff page must
// be, and no message id left unresolved.
func checkStartersHTML(t *testing.T, target string, r resp, lang string) {
	t.Helper()
	checkStaffHTML(t, target, r, lang)
	body := regexp.MustCompile(`class="[^"]*"|id="[^"]*"|[\w.-]+@[\w.-]+`).ReplaceAllString(r.body, "")
	if m := reStartersID.FindString(body); m != "" {
		t.Errorf("%s: the catalogue lacks %q", target, m)
	}
}

// TestStartersRoles: the starter of house1 sees only her own assignments
// and, of the people in her group, first names and contacts; she gets 404
// for another starter's assignment, for every coordinator's page of the
// area, for every enquiry page (her group's people's too) and for the
// inbox, and no enquiry.read is ever recorded for her. A coordinator of
// house1 gets 404 for house2's starters, profile by profile, and never
// sees them in a list. Both engines.
func TestStartersRoles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newOfficeFixture(t, st)
		d := startersSeed(t, f)
		siri := f.signIn(t, "starter")
		r := siri.get("/kontor/mine-grupper")
		if r.status != http.StatusOK {
			t.Fatalf("my groups: %d", r.status)
		}
		checkStartersHTML(t, "my groups", r, "nb")
		for _, never := range []string{"Bodil", "Sorggruppe house2", "Hemmelige ord", "Inntaksnotat", "Stina"} {
			if strings.Contains(r.body, never) {
				t.Errorf("my groups shows %q", never)
			}
		}
		for _, path := range []string{
			"/kontor/igangsettere", "/kontor/igangsettere/ny", "/kontor/igangsettere/ledige",
			"/kontor/igangsettere/" + d.siri.ID, "/kontor/igangsettere/" + d.stinaP.ID,
			"/kontor/igangsetteroppdrag", "/kontor/igangsetteroppdrag/" + d.a1.ID, "/kontor/igangsetteroppdrag/" + d.a2.ID,
			"/kontor/henvendelser", "/kontor/henvendelser/" + d.people1[0], "/kontor/henvendelser/" + d.people2[0],
			"/kontor/grupper-i-emning", "/kontor/grupper-i-emning/" + d.g2,
		} {
			if r := siri.get(path); r.status != http.StatusNotFound || strings.Contains(r.body, "Anne1") || strings.Contains(r.body, "Bodil") {
				t.Errorf("the starter: GET %s: %d", path, r.status)
			}
		}
		for _, path := range []string{
			"/kontor/mine-grupper/" + d.a2.ID + "/oppfolging", "/kontor/mine-grupper/" + d.a2.ID + "/overlevert",
			"/kontor/mine-grupper/" + store.NewID() + "/oppfolging", "/kontor/mine-grupper/x/overlevert",
			"/kontor/igangsettere/" + d.siri.ID, "/kontor/igangsetteroppdrag/" + d.a1.ID,
			"/kontor/henvendelser/" + d.people1[0] + "/status",
		} {
			if r := siri.post(path, url.Values{"follow_up_on": {"2026-05-05"}, "name": {"Kapret"}, "to": {"paused"}}); r.status != http.StatusNotFound {
				t.Errorf("the starter: POST %s: %d", path, r.status)
			}
		}
		ctx := context.Background()
		if a, _ := st.Assignment(ctx, d.a2.ID); !a.FollowUpDoneAt.IsZero() || !a.HandedOverAt.IsZero() {
			t.Errorf("Stina's assignment changed: %+v", a)
		}
		if rows, _ := st.AuditLog(ctx, store.AuditFilter{Action: "enquiry.read", ActorID: f.users["starter"].ID}); len(rows) != 0 {
			t.Errorf("enquiry.read by the starter: %+v", rows)
		}
		lists, _ := st.AuditLog(ctx, store.AuditFilter{Action: "enquiry.list", ActorID: f.users["starter"].ID})
		if len(lists) != 1 || !sameIDs(auditIDs(&lists[0], "ids"), d.people1) {
			t.Errorf("the starter's enquiry.list rows: %+v", lists)
		}
		if rows, _ := st.AuditLog(ctx, store.AuditFilter{Action: "starter.", ActorID: f.users["starter"].ID}); len(rows) != 0 {
			t.Errorf("the starter read profiles: %+v", rows)
		}

		// A coordinator of house1: house2's starters are not there.
		hans := f.signIn(t, "coordHouse")
		for _, path := range []string{"/kontor/igangsettere", "/kontor/igangsettere/ledige?omrade=&fra=2026-04-01",
			"/kontor/igangsetteroppdrag?alle=1"} {
			r := hans.get(path)
			if r.status != http.StatusOK {
				t.Fatalf("%s: %d", path, r.status)
			}
			checkStartersHTML(t, path, r, "nb")
			if strings.Contains(r.body, "Stina") || strings.Contains(r.body, "Profil house2") || strings.Contains(r.body, "Sorggruppe house2") {
				t.Errorf("the coordinator of house1 sees house2's starters at %s", path)
			}
		}
		for _, path := range []string{"/kontor/igangsettere/" + d.stinaP.ID, "/kontor/igangsettere/" + d.profiles["house2"].ID,
			"/kontor/igangsetteroppdrag/" + d.a2.ID, "/kontor/mine-grupper"} {
			if r := hans.get(path); r.status != http.StatusNotFound {
				t.Errorf("the coordinator of house1: GET %s: %d", path, r.status)
			}
		}
		before, _ := st.AuditLog(ctx, store.AuditFilter{Limit: 1})
		for _, path := range []string{"/kontor/igangsettere/" + d.stinaP.ID, "/kontor/igangsettere/" + d.stinaP.ID + "/kurs",
			"/kontor/igangsettere/" + d.stinaP.ID + "/slett", "/kontor/igangsettere/" + d.stinaP.ID + "/oppdrag",
			"/kontor/igangsetteroppdrag/" + d.a2.ID} {
			if r := hans.post(path, url.Values{"name": {"Kapret"}, "organisation": {f.orgs["house1"].ID},
				"course_kind": {"starter"}, "course_date": {"2025-01-01"}, "assign_group": {f.groups["house1"].ID}}); r.status != http.StatusNotFound {
				t.Errorf("the coordinator of house1: POST %s: %d", path, r.status)
			}
		}
		if after, _ := st.AuditLog(ctx, store.AuditFilter{Limit: 1}); after[0].ID != before[0].ID {
			t.Errorf("a refused request wrote %s", after[0].Action)
		}
		if p, err := st.ReadStarterProfile(ctx, d.stinaP.ID); err != nil || p.Name != "Stina Starter" || len(p.Courses) != 0 {
			t.Errorf("Stina's profile changed: %+v %v", p, err)
		}
	})
}

// TestStartersPages walks the coordinator's pages with the forms' errors
// (400, next to the field, what was typed kept), the ranking of who is
// free, assigning and planning, and the starter's page with her follow-up
// and hand-over, in Bokmål and English.
func TestStartersPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newOfficeFixture(t, st)
		d := startersSeed(t, f)
		c := f.signIn(t, "coordDistrict")
		ctx := context.Background()

		// A profile with mistakes: nothing saved, the errors at their
		// fields, everything typed kept.
		form := url.Values{"organisation": {f.orgs["house1"].ID}, "name": {"Vera Frivillig"}, "email": {"vera@"},
			"phone": {"12"}, "municipality": {"5503"}, "languages": {"nb", "se"}, "slot": {"mon-evening", "thu-night"},
			"available_from": {"2026-05-01"}, "available_until": {"2026-04-01"}, "max_groups": {"11"}}
		r := c.post("/kontor/igangsettere/ny", form)
		if r.status != http.StatusBadRequest {
			t.Fatalf("a profile with mistakes: %d", r.status)
		}
		checkStartersHTML(t, "profile with errors", r, "nb")
		for _, field := range []string{"email", "phone", "slot", "available_until", "max_groups"} {
			if !strings.Contains(r.body, `id="`+field+`-error"`) || !strings.Contains(r.body, `href="#`+field+`"`) {
				t.Errorf("no error at %s", field)
			}
		}
		for _, kept := range []string{`value="Vera Frivillig"`, `value="vera@"`, `value="12"`, `value="2026-05-01"`, `value="11"`,
			`value="mon-evening" checked`, `value="se" checked`, `<option value="5503" selected>`} {
			if !strings.Contains(r.body, kept) {
				t.Errorf("the form lost %s", kept)
			}
		}
		form.Set("email", "Vera@Example.NO")
		form.Set("phone", "")
		form["slot"] = []string{"mon-evening", "tue-evening"}
		form.Set("available_until", "2026-12-31")
		form.Set("max_groups", "1")
		r = c.post("/kontor/igangsettere/ny", form)
		if r.status != http.StatusSeeOther || !strings.HasSuffix(r.location(), "?melding=opprettet") {
			t.Fatalf("the profile: %d %s\n%s", r.status, r.location(), errorSummary(r.body))
		}
		vera := strings.TrimSuffix(strings.TrimPrefix(r.location(), "/kontor/igangsettere/"), "?melding=opprettet")
		r = c.get(r.location())
		checkStartersHTML(t, "profile", r, "nb")
		if !strings.Contains(r.body, "vera@example.no") || !strings.Contains(r.body, "Profilen er opprettet.") {
			t.Errorf("the new profile's page")
		}
		// A course: a date in the future is refused, then it is recorded.
		r = c.post("/kontor/igangsettere/"+vera+"/kurs", url.Values{"course_kind": {"starter"}, "course_date": {"2027-01-01"},
			"course_organiser": {f.orgs["district"].ID}, "course_title": {"Grunnkurs"}})
		if r.status != http.StatusBadRequest || !strings.Contains(r.body, `id="course_date-error"`) || !strings.Contains(r.body, `value="Grunnkurs"`) {
			t.Errorf("a course in the future: %d", r.status)
		}
		wantRedirect(t, "a course", c.post("/kontor/igangsettere/"+vera+"/kurs", url.Values{"course_kind": {"starter"},
			"course_date": {"2025-10-04"}, "course_organiser": {f.orgs["district"].ID}, "course_title": {"Grunnkurs"}}),
			"/kontor/igangsettere/"+vera+"?melding=kurs")
		r = c.get("/kontor/igangsettere?omrade=k5503")
		if !strings.Contains(r.body, ">Vera Frivillig<") || !strings.Contains(r.body, "Igangsetterkurs 4. oktober 2025") ||
			strings.Contains(r.body, "Profil house1") {
			t.Errorf("the list of Harstad:\n%s", r.body)
		}

		// Who is free in Tromsø on Monday evenings in May: the volunteers
		// of Tromsø (any time) first, by name, then Vera in Harstad (the
		// same county); not Siri (Tuesdays only), not Stina (busy, one
		// group of one).
		r = c.get("/kontor/igangsettere/ledige?omrade=k5501&fra=2026-05-04&til=2026-05-31&tid=mon-evening&sprak=")
		if r.status != http.StatusOK {
			t.Fatalf("who is free: %d", r.status)
		}
		checkStartersHTML(t, "who is free", r, "nb")
		order := []string{">Profil district<", ">Profil house1<", ">Profil house2<", ">Vera Frivillig<"}
		last := -1
		for _, name := range order {
			i := strings.Index(r.body, name)
			if i < last {
				t.Errorf("who is free: %s out of order", name)
			}
			last = i
		}
		for _, never := range []string{officeNames["starter"], "Stina", "Profil national", "Profil other"} {
			if strings.Contains(r.body, never) {
				t.Errorf("who is free shows %s", never)
			}
		}
		if !strings.Contains(r.body, "Samme fylke, omtrent") && !strings.Contains(r.body, "Samme fylke") {
			t.Errorf("who is free does not say how near Vera is")
		}
		if r := c.get("/kontor/igangsettere/ledige?omrade=x99&fra=snart"); r.status != http.StatusBadRequest ||
			!strings.Contains(r.body, `id="omrade-error"`) || !strings.Contains(r.body, `id="fra-error"`) {
			t.Errorf("who is free with mistakes: %d", r.status)
		}

		// Assign Siri to a new group of house1, then plan it.
		g := domain.Group{Slug: "ny-sorggruppe", Name: domain.Text{"nb": "Ny sorggruppe"}, ModelID: f.model.ID,
			OrgID: f.orgs["house1"].ID, Format: domain.FormatVideo, Languages: []string{"nb"}, AgeGroup: domain.AgeAdults,
			Gender: domain.GenderEveryone, Status: domain.StatusRecruiting, Join: domain.JoinViaHouse}
		if err := st.SaveGroup(store.WithActor(ctx, store.Actor{ID: "test"}), &g, "test", ""); err != nil {
			t.Fatal(err)
		}
		r = c.post("/kontor/igangsettere/"+d.siri.ID+"/oppdrag", url.Values{"assign_group": {""}, "assign_start": {"7.4.2026"}})
		if r.status != http.StatusBadRequest || !strings.Contains(r.body, `id="assign_group-error"`) || !strings.Contains(r.body, `id="assign_start-error"`) {
			t.Errorf("assign with mistakes: %d", r.status)
		}
		wantRedirect(t, "assign", c.post("/kontor/igangsettere/"+d.siri.ID+"/oppdrag", url.Values{"assign_group": {g.ID},
			"assign_start": {"2026-04-07"}, "assign_follow_up": {"3"}, "assign_follow_up_on": {"2026-05-05"}}),
			"/kontor/igangsettere/"+d.siri.ID+"?melding=tildelt")
		r = c.post("/kontor/igangsettere/"+d.siri.ID+"/oppdrag", url.Values{"assign_group": {g.ID}, "assign_start": {"2026-04-07"}})
		if r.status != http.StatusConflict || !strings.Contains(r.body, `id="assign_group-error"`) {
			t.Errorf("assigned twice: %d", r.status)
		}
		as, _ := st.StarterAssignments(ctx, g.ID)
		if len(as) != 1 || as[0].FollowUpAfter != 3 {
			t.Fatalf("the assignment: %+v", as)
		}
		r = c.get("/kontor/igangsetteroppdrag")
		checkStartersHTML(t, "assignments", r, "nb")
		if !strings.Contains(r.body, ">Ny sorggruppe<") || !strings.Contains(r.body, "Oppfølging planlagt 5. mai 2026") {
			t.Errorf("the assignments page lacks the new one")
		}
		r = c.post("/kontor/igangsetteroppdrag/"+as[0].ID, url.Values{"follow_up_on": {"5. mai"}, "hand_over_on": {"2026-06-30"}})
		if r.status != http.StatusBadRequest || !strings.Contains(r.body, `value="5. mai"`) || !strings.Contains(r.body, `id="follow_up_on-error"`) {
			t.Errorf("a plan with a mistake: %d", r.status)
		}
		wantRedirect(t, "plan", c.post("/kontor/igangsetteroppdrag/"+as[0].ID, url.Values{"follow_up_on": {"2026-05-12"},
			"hand_over_on": {"2026-06-30"}}), "/kontor/igangsetteroppdrag/"+as[0].ID+"?melding=planlagt")

		// The starter's page in English: two groups, the start-up meeting
		// in house1's room; follow-up, hand-over.
		siri := f.signIn(t, "starter")
		r = siri.get("/en/kontor/mine-grupper")
		if r.status != http.StatusOK {
			t.Fatalf("my groups in English: %d", r.status)
		}
		checkStartersHTML(t, "my groups (en)", r, "en")
		for _, want := range []string{"Start-up meeting", "Rommet house1, Stua house1, Gata 3, 9008 Tromsø", "Ny sorggruppe",
			"Follow-up planned 12 May 2026", "anne2@example.no"} {
			if !strings.Contains(r.body, want) {
				t.Errorf("my groups (en) lacks %q", want)
			}
		}
		wantRedirect(t, "follow-up", siri.post("/kontor/mine-grupper/"+d.a1.ID+"/oppfolging", nil), "/kontor/mine-grupper?melding=oppfolging")
		if r := siri.post("/kontor/mine-grupper/"+d.a1.ID+"/oppfolging", nil); r.status != http.StatusConflict ||
			!strings.Contains(r.body, "Oppfølgingen er registrert allerede.") {
			t.Errorf("follow-up twice: %d", r.status)
		}
		grp, _ := st.Group(ctx, d.g1)
		wantRedirect(t, "hand over", siri.post("/kontor/mine-grupper/"+d.a1.ID+"/overlevert", nil), "/kontor/mine-grupper?melding=overlevert")
		if after, _ := st.Group(ctx, grp.ID); grp.Status == domain.StatusStarting && after.Status != domain.StatusRunning {
			t.Errorf("the starting group after the hand-over: %s", after.Status)
		}
		r = siri.get("/kontor/mine-grupper")
		if strings.Contains(r.body, "Anne1") || !strings.Contains(r.body, "Tidligere grupper") {
			t.Errorf("after the hand-over the people are still shown")
		}
		if r := siri.post("/kontor/mine-grupper/"+d.a1.ID+"/overlevert", nil); r.status != http.StatusConflict {
			t.Errorf("handed over twice: %d", r.status)
		}

		// Deleting Vera's profile.
		wantRedirect(t, "delete", c.post("/kontor/igangsettere/"+vera+"/slett", nil), "/kontor/igangsettere?melding=slettet")
		if r := c.get("/kontor/igangsettere/" + vera); r.status != http.StatusNotFound {
			t.Errorf("the deleted profile: %d", r.status)
		}
	})
}
