package web_test

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// officeRights are what each user of the fixture may do, written out by
// hand from the rules of the issue (not computed with auth.Allowed, which
// is what the test checks): where they may see listings, where they may
// edit them, whether they manage the taxonomy, providers, mail and users'
// identities and read the log (admin), and whether they have the staff page
// with invitations (staff).
var officeRights = map[string]struct {
	view, edit         []string
	root, admin, staff bool
}{
	"admin":         {view: officeOrgKeys, edit: officeOrgKeys, root: true, admin: true, staff: true},
	"coordDistrict": {view: []string{"district", "house1", "house2"}, edit: []string{"district", "house1", "house2"}, staff: true},
	"coordHouse":    {view: []string{"house1"}, edit: []string{"house1"}, staff: true},
	"starter":       {},
	"partner":       {view: []string{"district", "house1", "house2"}},
	"anonymous":     {},
}

// officeProbe is one request of the matrix.
type officeProbe struct {
	name   string
	method string
	path   string
	form   func() url.Values // for a POST; built when sent, from what the store holds then
	allow  bool
	// want is the status of an allowed request: 0 is 200 for a GET and
	// 303 for a POST (the form shown again with its errors is 400).
	want int
	// same: an allowed POST that changes nothing the snapshot holds
	// (a refused form, an unknown session, the user's own settings).
	same bool
	// json: an endpoint of the passkey script, which answers the
	// signed-out with 401 and JSON instead of the sign-in page.
	json bool
	// catchAll: the probe means to reach no route of its own.
	catchAll bool
	check    func(t *testing.T, body string) // on an allowed GET: what the page shows
	done     func(t *testing.T)              // after an allowed POST: the change is in the store
}

// TestOfficeRoleMatrix walks every route of the back office — the
// directory, the staff page and users' identities, single sign-on, the
// mail outbox, the audit log and everyone's own settings — as each kind of
// user, for objects in the user's own organisation, a child, the parent, a
// sibling and an unrelated organisation, and checks that each request is
// allowed or denied as the rules say. A denied request gets 404 (the
// signed-out: the sign-in page, or 401 from a JSON endpoint) and changes
// nothing: the directory, the users, their identities, the invitations,
// the providers, the outbox and the audit log are read back around every
// POST and compared. The routes are read from the package's own
// registrations (staffRoutes): a route or a method that no probe reaches
// fails the test, so a new back-office route needs its line here.
func TestOfficeRoleMatrix(t *testing.T) {
	cover := newRouteCoverage(t)
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newOfficeFixture(t, st)
		// WebAuthn takes no IP address: the passkey endpoints need a name.
		addr := f.srv.Listener.Addr().String()
		t.Setenv("FELLESROM_PUBLIC_URL", "http://localhost"+addr[strings.LastIndex(addr, ":"):])
		x := newMatrixExtras(t, f)
		total, allowed := 0, 0
		for _, who := range officeUserKeys {
			c := f.signIn(t, who)
			probes := append(officeProbes(t, f, who), staffProbes(t, f, x, who)...)
			for _, area := range matrixAreas {
				probes = append(probes, area(t, f, x, who)...)
			}
			for _, p := range probes {
				total++
				if p.allow {
					allowed++
				}
				what := fmt.Sprintf("%s: %s %s (%s)", who, p.method, p.name, p.path)
				pattern, ok := cover.hit(p.method, strings.SplitN(p.path, "?", 2)[0])
				if !ok || pattern == "/kontor/" && !p.catchAll {
					t.Errorf("%s: reaches no route of the back office that answers %s (%q)", what, p.method, pattern)
				}
				f.clock.Add(time.Second) // a verification now differs from the last one
				var r resp
				var before string
				if p.method == http.MethodPost {
					before = matrixSnapshot(t, st, x)
					r = c.post(p.path, p.form())
				} else {
					r = c.get(p.path)
				}
				switch {
				case who == "anonymous" && p.json:
					if r.status != http.StatusUnauthorized || !strings.Contains(r.body, `"next":"/logg-inn"`) {
						t.Errorf("%s: %d %q, want 401 to the sign-in page", what, r.status, r.body)
					}
				case who == "anonymous":
					want := "/logg-inn"
					if p.method == http.MethodGet {
						want = "/logg-inn?neste=" + url.QueryEscape(strings.SplitN(p.path, "?", 2)[0])
					}
					if r.status != http.StatusSeeOther || r.location() != want {
						t.Errorf("%s: %d to %q, want the sign-in page", what, r.status, r.location())
					}
				case !p.allow:
					if r.status != http.StatusNotFound {
						t.Errorf("%s: %d, want 404", what, r.status)
					}
				case p.method == http.MethodGet:
					if want := cmp.Or(p.want, http.StatusOK); r.status != want {
						t.Errorf("%s: %d, want %d", what, r.status, want)
					} else if p.check != nil {
						p.check(t, r.body)
					}
				default:
					if want := cmp.Or(p.want, http.StatusSeeOther); r.status != want {
						t.Errorf("%s: %d, want %d\n%s", what, r.status, want, errorSummary(r.body))
					} else if p.done != nil {
						p.done(t)
					}
				}
				if p.method != http.MethodPost {
					continue
				}
				after := matrixSnapshot(t, st, x)
				if changed := after != before; changed != (p.allow && !p.same && who != "anonymous") {
					t.Errorf("%s: the store changed: %v", what, changed)
				}
			}
		}
		t.Logf("role matrix: %d requests, %d allowed, %d denied", total, allowed, total-allowed)
	})
	if m := cover.missing(); len(m) > 0 {
		t.Errorf("routes of the back office that the role matrix never requests (add their probes to matrixAreas):\n%s",
			strings.Join(m, "\n"))
	}
}

// matrixAreas are the probes of further parts of the back office: the test
// file of an area appends a function from an init function, as the area
// appends its routes to staffAreas. Each returns the requests for one user
// (who is one of officeUserKeys; "anonymous" too), with allow set from the
// area's own rules, written out by hand.
var matrixAreas []func(t *testing.T, f *officeFixture, x *matrixExtras, who string) []officeProbe

// errorSummary is the text of a page's error summary, for a failure message.
func errorSummary(body string) string {
	i := strings.Index(body, `class="error-summary"`)
	if i < 0 {
		return ""
	}
	j := strings.Index(body[i:], "</div>")
	return body[i : i+max(j, 0)]
}

// officeSnapshot is everything the directory holds, and the newest entry
// of the audit log, as one string.
func officeSnapshot(t *testing.T, st *store.Store) string {
	t.Helper()
	ctx := context.Background()
	orgs, err1 := st.Organisations(ctx)
	venues, err2 := st.Venues(ctx)
	rooms, err3 := st.AllRooms(ctx)
	groups, err4 := st.AllGroups(ctx)
	themes, err5 := st.Themes(ctx)
	models, err6 := st.Models(ctx)
	log, err7 := st.AuditLog(ctx, store.AuditFilter{Limit: 1})
	for _, err := range []error{err1, err2, err3, err4, err5, err6, err7} {
		if err != nil {
			t.Fatal(err)
		}
	}
	var hist []domain.StatusChange
	for _, g := range groups {
		h, err := st.GroupHistory(ctx, g.ID)
		if err != nil {
			t.Fatal(err)
		}
		hist = append(hist, h...)
	}
	b, _ := json.Marshal([]any{orgs, venues, rooms, groups, themes, models, log, hist})
	return string(b)
}

// officeProbes are the requests of the matrix for one user.
func officeProbes(t *testing.T, f *officeFixture, who string) []officeProbe {
	ctx := context.Background()
	rights := officeRights[who]
	view := func(k string) bool { return slices.Contains(rights.view, k) }
	edit := func(k string) bool { return slices.Contains(rights.edit, k) }
	any := len(rights.view) > 0
	mark := strings.ToLower(who)
	var ps []officeProbe
	add := func(p officeProbe) { ps = append(ps, p) }

	// The lists show what the user may see, and edit links only where
	// they may edit.
	add(officeProbe{name: "organisations", method: "GET", path: "/kontor/organisasjoner", allow: any, check: func(t *testing.T, body string) {
		for _, k := range officeOrgKeys {
			id := f.orgs[k].ID
			if got := strings.Contains(body, "organisasjon="+id); got != view(k) {
				t.Errorf("%s: organisations list shows %s: %v", who, k, got)
			}
			if got := strings.Contains(body, `href="/kontor/organisasjoner/`+id+`"`); got != edit(k) {
				t.Errorf("%s: organisations list offers to edit %s: %v", who, k, got)
			}
		}
	}})
	add(officeProbe{name: "venues", method: "GET", path: "/kontor/steder", allow: any, check: func(t *testing.T, body string) {
		for _, k := range officeOrgKeys {
			if got := strings.Contains(body, ">"+f.venues[k].Name+"<"); got != view(k) {
				t.Errorf("%s: venues list shows %s: %v", who, k, got)
			}
			if got := strings.Contains(body, `href="/kontor/steder/`+f.venues[k].ID+`"`); got != edit(k) {
				t.Errorf("%s: venues list links %s: %v", who, k, got)
			}
		}
	}})
	add(officeProbe{name: "groups", method: "GET", path: "/kontor/grupper", allow: any, check: func(t *testing.T, body string) {
		for _, k := range officeOrgKeys {
			if got := strings.Contains(body, "Gruppe "+k+"<"); got != view(k) {
				t.Errorf("%s: groups list shows %s: %v", who, k, got)
			}
			if got := strings.Contains(body, `href="/kontor/grupper/`+f.groups[k].ID+`"`); got != edit(k) {
				t.Errorf("%s: groups list links %s: %v", who, k, got)
			}
		}
	}})
	add(officeProbe{name: "new organisation, no parent given", method: "GET", path: "/kontor/organisasjoner/ny", allow: rights.root || len(rights.edit) > 0})
	add(officeProbe{name: "new organisation at the top", method: "POST", path: "/kontor/organisasjoner/ny", allow: rights.root,
		form: func() url.Values {
			return url.Values{"name": {"Toppen " + mark}, "slug": {"toppen-" + mark}, "kind": {"other"}, "parent": {""}}
		}})

	for _, k := range officeOrgKeys {
		org, venue, room, group := f.orgs[k], f.venues[k], f.rooms[k], f.groups[k]
		slug := mark + "-" + k
		add(officeProbe{name: "edit organisation " + k, method: "GET", path: "/kontor/organisasjoner/" + org.ID, allow: edit(k)})
		add(officeProbe{name: "save organisation " + k, method: "POST", path: "/kontor/organisasjoner/" + org.ID, allow: edit(k),
			form: func() url.Values {
				o, err := f.st.Organisation(ctx, org.ID)
				if err != nil {
					t.Fatal(err)
				}
				v := officeOrgValues(o)
				v.Set("phone", "+47 00 00 0"+fmt.Sprint(len(mark)))
				v.Set("hours_nb", "Endret av "+mark)
				return v
			},
			done: func(t *testing.T) {
				if o, _ := f.st.Organisation(ctx, org.ID); o.OpeningHours["nb"] != "Endret av "+mark {
					t.Errorf("%s: organisation %s not saved", who, k)
				}
			}})
		add(officeProbe{name: "new organisation under " + k, method: "GET", path: "/kontor/organisasjoner/ny?forelder=" + org.ID, allow: edit(k)})
		add(officeProbe{name: "create organisation under " + k, method: "POST", path: "/kontor/organisasjoner/ny", allow: edit(k),
			form: func() url.Values {
				return url.Values{"name": {"Ny " + slug}, "slug": {"ny-" + slug}, "kind": {"self_help_house"}, "parent": {org.ID}}
			},
			done: func(t *testing.T) {
				if o, err := f.st.Organisation(ctx, "ny-"+slug); err != nil || o.ParentID != org.ID {
					t.Errorf("%s: organisation under %s not created: %v", who, k, err)
				}
			}})
		add(officeProbe{name: "venues of " + k, method: "GET", path: "/kontor/steder?organisasjon=" + org.ID, allow: view(k)})
		add(officeProbe{name: "new venue in " + k, method: "GET", path: "/kontor/steder/ny?organisasjon=" + org.ID, allow: edit(k)})
		add(officeProbe{name: "create venue in " + k, method: "POST", path: "/kontor/steder/ny", allow: edit(k),
			form: func() url.Values {
				return url.Values{"organisation": {org.ID}, "name": {"Sted " + slug}, "municipality": {"5501"}, "address_public": {"0"}}
			}})
		add(officeProbe{name: "edit venue of " + k, method: "GET", path: "/kontor/steder/" + venue.ID, allow: edit(k)})
		add(officeProbe{name: "save venue of " + k, method: "POST", path: "/kontor/steder/" + venue.ID, allow: edit(k),
			form: func() url.Values {
				x, err := f.st.Venue(ctx, venue.ID)
				if err != nil {
					t.Fatal(err)
				}
				v := officeVenueValues(x)
				v.Set("directions_nb", "Veien, skrevet av "+mark)
				return v
			},
			done: func(t *testing.T) {
				if x, _ := f.st.Venue(ctx, venue.ID); x.Directions["nb"] != "Veien, skrevet av "+mark || x.Name != venue.Name {
					t.Errorf("%s: venue of %s not saved: %+v", who, k, x)
				}
			}})
		add(officeProbe{name: "new room in " + k, method: "GET", path: "/kontor/steder/" + venue.ID + "/rom/ny", allow: edit(k)})
		add(officeProbe{name: "create room in " + k, method: "POST", path: "/kontor/steder/" + venue.ID + "/rom/ny", allow: edit(k),
			form: func() url.Values { return url.Values{"name": {"Rom " + slug}, "capacity": {"6"}} }})
		add(officeProbe{name: "edit room of " + k, method: "GET", path: "/kontor/steder/" + venue.ID + "/rom/" + room.ID, allow: edit(k)})
		add(officeProbe{name: "save room of " + k, method: "POST", path: "/kontor/steder/" + venue.ID + "/rom/" + room.ID, allow: edit(k),
			form: func() url.Values { return url.Values{"name": {room.Name}, "capacity": {fmt.Sprint(10 + len(mark))}} }})
		add(officeProbe{name: "groups of " + k, method: "GET", path: "/kontor/grupper?organisasjon=" + org.ID, allow: view(k)})
		add(officeProbe{name: "new group in " + k, method: "GET", path: "/kontor/grupper/ny?organisasjon=" + org.ID, allow: edit(k)})
		add(officeProbe{name: "create group in " + k, method: "POST", path: "/kontor/grupper/ny", allow: edit(k),
			form: func() url.Values {
				return url.Values{"organisation": {org.ID}, "name_nb": {"Ny gruppe " + slug}, "slug": {"gruppe-" + slug},
					"model": {f.model.ID}, "format": {"video"}, "languages": {"nb"}, "age_group": {"adults"}, "gender": {"everyone"},
					"join": {"via_house"}, "status": {"planned"}, "start_date": {"2026-04-07"}, "start_time": {"19:00"},
					"duration": {"60"}, "repeat": {"biweekly"}, "tz": {"Europe/Oslo"}, "municipality": {"5501"}}
			},
			done: func(t *testing.T) {
				if g, err := f.st.Group(ctx, "gruppe-"+slug); err != nil || g.OrgID != org.ID || g.Schedule.RRule != "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU" {
					t.Errorf("%s: group in %s: %+v %v", who, k, g, err)
				}
			}})
		add(officeProbe{name: "group page of " + k, method: "GET", path: "/kontor/grupper/" + group.ID, allow: edit(k)})
		add(officeProbe{name: "edit group of " + k, method: "GET", path: "/kontor/grupper/" + group.ID + "/endre", allow: edit(k)})
		add(officeProbe{name: "save group of " + k, method: "POST", path: "/kontor/grupper/" + group.ID + "/endre", allow: edit(k),
			form: func() url.Values {
				g, err := f.st.Group(ctx, group.ID)
				if err != nil {
					t.Fatal(err)
				}
				v := officeGroupValues(g)
				v.Set("description_nb", "Skrevet av "+mark)
				return v
			},
			done: func(t *testing.T) {
				if g, _ := f.st.Group(ctx, group.ID); g.Description["nb"] != "Skrevet av "+mark || g.Schedule.RRule != group.Schedule.RRule {
					t.Errorf("%s: group of %s not saved: %+v", who, k, g)
				}
			}})
		add(officeProbe{name: "status of the group of " + k, method: "POST", path: "/kontor/grupper/" + group.ID + "/status", allow: edit(k),
			form: func() url.Values {
				g, _ := f.st.Group(ctx, group.ID)
				next := domain.StatusRunning
				if g.Status == next {
					next = domain.StatusPaused
				}
				return url.Values{"status": {string(next)}, "reason": {"Grunn fra " + mark}}
			},
			done: func(t *testing.T) {
				h, _ := f.st.GroupHistory(ctx, group.ID)
				if len(h) == 0 || h[len(h)-1].Reason != "Grunn fra "+mark || h[len(h)-1].ChangedBy != f.users[who].ID {
					t.Errorf("%s: status of %s not in the history: %+v", who, k, h)
				}
			}})
		add(officeProbe{name: "verify the group of " + k, method: "POST", path: "/kontor/grupper/" + group.ID + "/bekreft", allow: edit(k),
			form: func() url.Values { return url.Values{} },
			done: func(t *testing.T) {
				if g, _ := f.st.Group(ctx, group.ID); !g.VerifiedAt.Equal(f.clock.Now().UTC().Truncate(time.Microsecond)) {
					t.Errorf("%s: group of %s verified at %v, want %v", who, k, g.VerifiedAt, f.clock.Now())
				}
			}})
	}

	// Objects named in a form that the user may not use: moving out of
	// one's part of the tree, a room of another venue.
	h1, h2, other := f.orgs["house1"], f.orgs["house2"], f.orgs["other"]
	add(officeProbe{name: "move house1 under the unrelated organisation", method: "POST", path: "/kontor/organisasjoner/" + h1.ID,
		allow: rights.admin, form: func() url.Values {
			o, _ := f.st.Organisation(ctx, h1.ID)
			v := officeOrgValues(o)
			v.Set("parent", other.ID)
			return v
		},
		done: func(t *testing.T) {
			if o, _ := f.st.Organisation(ctx, h1.ID); o.ParentID != other.ID {
				t.Errorf("%s: house1 not moved", who)
			}
		}})
	// Back again (for the administrator; for the others the parent stays).
	add(officeProbe{name: "move house1 back under the district", method: "POST", path: "/kontor/organisasjoner/" + h1.ID,
		allow: edit("house1"), form: func() url.Values {
			o, _ := f.st.Organisation(ctx, h1.ID)
			v := officeOrgValues(o)
			v.Set("parent", f.orgs["district"].ID)
			return v
		}})
	add(officeProbe{name: "move the group of house1 to house2", method: "POST", path: "/kontor/grupper/" + f.groups["house1"].ID + "/endre",
		allow: edit("house1") && edit("house2"), form: func() url.Values {
			g, _ := f.st.Group(ctx, f.groups["house1"].ID)
			v := officeGroupValues(g)
			v.Set("organisation", h2.ID)
			return v
		},
		done: func(t *testing.T) {
			if g, _ := f.st.Group(ctx, f.groups["house1"].ID); g.OrgID != h2.ID {
				t.Errorf("%s: group not moved", who)
			}
		}})
	add(officeProbe{name: "move the group back to house1", method: "POST", path: "/kontor/grupper/" + f.groups["house1"].ID + "/endre",
		allow: edit("house1"), form: func() url.Values {
			g, _ := f.st.Group(ctx, f.groups["house1"].ID)
			v := officeGroupValues(g)
			v.Set("organisation", h1.ID)
			return v
		}})
	add(officeProbe{name: "a room of house2 under the venue of house1", method: "GET",
		path: "/kontor/steder/" + f.venues["house1"].ID + "/rom/" + f.rooms["house2"].ID, allow: false})
	add(officeProbe{name: "a room of house2 under the venue of house1", method: "POST",
		path: "/kontor/steder/" + f.venues["house1"].ID + "/rom/" + f.rooms["house2"].ID, allow: false,
		form: func() url.Values { return url.Values{"name": {"Kapret"}} }})

	// Themes, group models and the log: administrators only.
	theme, model := f.themes[1], f.model2
	add(officeProbe{name: "themes", method: "GET", path: "/kontor/tema", allow: rights.admin})
	add(officeProbe{name: "new theme", method: "GET", path: "/kontor/tema/ny", allow: rights.admin})
	add(officeProbe{name: "create theme", method: "POST", path: "/kontor/tema/ny", allow: rights.admin,
		form: func() url.Values {
			return url.Values{"name_nb": {"Tema " + mark}, "slug": {"tema-" + mark}, "sort_order": {"5"}, "active": {"1"}}
		}})
	add(officeProbe{name: "edit theme", method: "GET", path: "/kontor/tema/" + theme.ID, allow: rights.admin})
	add(officeProbe{name: "save theme", method: "POST", path: "/kontor/tema/" + theme.ID, allow: rights.admin,
		form: func() url.Values {
			return url.Values{"name_nb": {"Angst"}, "name_en": {"Anxiety " + mark}, "slug": {theme.Slug}, "sort_order": {"1"}, "active": {"1"}}
		}})
	add(officeProbe{name: "models", method: "GET", path: "/kontor/modeller", allow: rights.admin})
	add(officeProbe{name: "new model", method: "GET", path: "/kontor/modeller/ny", allow: rights.admin})
	add(officeProbe{name: "create model", method: "POST", path: "/kontor/modeller/ny", allow: rights.admin,
		form: func() url.Values {
			return url.Values{"name_nb": {"Modell " + mark}, "slug": {"modell-" + mark}, "intake": {"varies"}, "leadership": {"peer"},
				"default_join": {"contact_org"}, "sort_order": {"3"}}
		}})
	add(officeProbe{name: "edit model", method: "GET", path: "/kontor/modeller/" + model.ID, allow: rights.admin})
	add(officeProbe{name: "save model", method: "POST", path: "/kontor/modeller/" + model.ID, allow: rights.admin,
		form: func() url.Values {
			return url.Values{"name_nb": {model.Name["nb"]}, "slug": {model.Slug}, "intake": {"open"}, "leadership": {"chair"},
				"default_join": {"just_come"}, "sort_order": {"1"}, "who_nb": {"Alle, skrevet av " + mark}}
		}})
	add(officeProbe{name: "audit log", method: "GET", path: "/kontor/logg", allow: rights.admin})
	add(officeProbe{name: "audit log of a group", method: "GET", path: "/kontor/logg?type=group&objekt=" + f.groups["house1"].ID, allow: rights.admin})
	return ps
}

// matrixExtras is what the matrix needs beyond the office fixture: a
// provider of single sign-on for the district, an identity linked to the
// partner, a pending invitation to house1, and a failed mail in the outbox.
type matrixExtras struct {
	prov     store.OIDCProvider
	inviteID string
	mailID   string
}

func newMatrixExtras(t *testing.T, f *officeFixture) *matrixExtras {
	t.Helper()
	ctx := store.WithActor(context.Background(), store.Actor{ID: "test"})
	x := &matrixExtras{prov: store.OIDCProvider{OrgID: f.orgs["district"].ID, Name: "Distrikt Nord (Entra ID)",
		Issuer: "https://login.example.no/tenant/v2.0", ClientID: "client-1", ClientSecret: "secret-1",
		Scopes: []string{"openid", "email"}, EmailDomains: []string{"example.no"}, Enabled: true}}
	if err := f.st.SaveOIDCProvider(ctx, &x.prov); err != nil {
		t.Fatal(err)
	}
	if err := f.st.LinkIdentityByHand(ctx, x.prov.ID, "sub-standing", f.users["partner"].ID); err != nil {
		t.Fatal(err)
	}
	inv := store.Invite{Email: "staende@example.no", Name: "Stående invitasjon", OrgID: f.orgs["house1"].ID,
		Role: store.RolePartner, Lang: "nb", CreatedBy: f.users["admin"].ID, CreatedAt: f.clock.Now(),
		ExpiresAt: f.clock.Now().Add(auth.InviteTTL)}
	if err := f.st.CreateInvite(ctx, &inv, auth.HashToken("standing"), store.OutboxMail{To: inv.Email, Subject: "Invitasjon",
		Body: "Tekst", Kind: "invite"}); err != nil {
		t.Fatal(err)
	}
	x.inviteID = inv.ID
	id, err := f.st.EnqueueMail(ctx, store.OutboxMail{To: "feil@example.no", Subject: "Emne", Body: "Tekst", Kind: "invite"})
	if err != nil {
		t.Fatal(err)
	}
	ms, err := f.st.ClaimMail(ctx, time.Now(), 10, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.ID == id {
			if err := f.st.MarkFailed(ctx, m, "550 5.1.1 mailbox unavailable", time.Now()); err != nil {
				t.Fatal(err)
			}
		}
	}
	if m, err := f.st.OutboxMailByID(ctx, id); err != nil || m.Status != store.MailFailed {
		t.Fatalf("the failed mail: %+v %v", m, err)
	}
	x.mailID = id
	return x
}

// matrixSnapshot is officeSnapshot with the users (and their identities),
// the invitations, the providers and the outbox.
func matrixSnapshot(t *testing.T, st *store.Store, x *matrixExtras) string {
	t.Helper()
	ctx := context.Background()
	users, err := st.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	type userState struct {
		ID, Email, Name, PasswordHash string
		Admin, Disabled, TOTP         bool
		Failed                        int
		Memberships                   []store.Membership
		Identities                    []store.UserIdentity
	}
	var us []userState
	for _, u := range users {
		ids, err := st.UserIdentities(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		us = append(us, userState{u.ID, u.Email, u.Name, u.PasswordHash, u.Admin, u.Disabled, u.TOTPEnabled, u.FailedSignins,
			u.Memberships, ids})
	}
	invites, err1 := st.Invites(ctx)
	providers, err2 := st.OIDCProviders(ctx)
	outbox, err3 := st.OutboxStatus(ctx)
	failed, err4 := st.OutboxMailByID(ctx, x.mailID)
	for _, err := range []error{err1, err2, err3, err4} {
		if err != nil {
			t.Fatal(err)
		}
	}
	b, _ := json.Marshal([]any{us, invites, providers, outbox, failed.Status, failed.Attempts})
	return officeSnapshot(t, st) + string(b)
}

// ssoValues is the form of a provider as its edit page fills it (the
// secret field empty keeps the stored secret).
func ssoValues(p store.OIDCProvider) url.Values {
	v := url.Values{"org": {p.OrgID}, "name": {p.Name}, "issuer": {p.Issuer}, "client_id": {p.ClientID},
		"scopes": {strings.Join(p.Scopes, " ")}, "domains": {strings.Join(p.EmailDomains, " ")}}
	for k, on := range map[string]bool{"trust_mfa": p.TrustMFA, "trust_email": p.TrustEmail, "enabled": p.Enabled} {
		if on {
			v.Set(k, "1")
		}
	}
	return v
}

// staffProbes are the requests of the matrix beyond the directory, for one
// user: everyone's own pages, the staff page, users' identities, single
// sign-on and the outbox.
func staffProbes(t *testing.T, f *officeFixture, x *matrixExtras, who string) []officeProbe {
	ctx := context.Background()
	rights := officeRights[who]
	signedIn := who != "anonymous"
	mark := strings.ToLower(who)
	var ps []officeProbe
	add := func(p officeProbe) { ps = append(ps, p) }
	starter, partner := f.users["starter"], f.users["partner"]

	// Everyone's own: the start page, the second factor, sessions,
	// password and passkeys. The forms are sent so that nothing changes
	// (a refused form, an unknown session or passkey), since the session
	// must live on; what an allowed request may do is shown by its status.
	add(officeProbe{name: "start page", method: "GET", path: "/kontor", allow: signedIn})
	add(officeProbe{name: "an unknown page", method: "GET", path: "/kontor/finnes-ikke", catchAll: true})
	add(officeProbe{name: "second factor", method: "GET", path: "/kontor/totp", allow: signedIn})
	totpWant := http.StatusBadRequest // a code that is no code, for one who has not enrolled
	if f.secrets[who] != "" {
		totpWant = http.StatusSeeOther // enrolled: back to the page
	}
	add(officeProbe{name: "confirm a second factor", method: "POST", path: "/kontor/totp", allow: signedIn, same: true, want: totpWant,
		form: func() url.Values { return url.Values{"code": {"x"}} }})
	add(officeProbe{name: "sessions", method: "GET", path: "/kontor/okter", allow: signedIn})
	add(officeProbe{name: "end an unknown session", method: "POST", path: "/kontor/okter", allow: signedIn, same: true,
		form: func() url.Values { return url.Values{"id": {strings.Repeat("0", 64)}} }})
	add(officeProbe{name: "password", method: "GET", path: "/kontor/passord", allow: signedIn})
	add(officeProbe{name: "change the password, refused", method: "POST", path: "/kontor/passord", allow: signedIn, same: true,
		want: http.StatusBadRequest, form: func() url.Values {
			return url.Values{"current-password": {"x"}, "new-password": {"kort"}, "new-password-again": {"annet"}}
		}})
	add(officeProbe{name: "passkeys", method: "GET", path: "/kontor/passkey", allow: signedIn})
	add(officeProbe{name: "remove an unknown passkey", method: "POST", path: "/kontor/passkey", allow: signedIn, same: true,
		form: func() url.Values { return url.Values{"id": {store.NewID()}} }})
	add(officeProbe{name: "start a passkey", method: "POST", path: "/kontor/passkey/start", allow: signedIn, same: true, json: true,
		want: http.StatusOK, form: func() url.Values { return url.Values{} }})
	add(officeProbe{name: "finish a passkey, broken", method: "POST", path: "/kontor/passkey/finish", allow: signedIn, same: true,
		json: true, want: http.StatusBadRequest, form: func() url.Values { return url.Values{"x": {"y"}} }})

	// The staff page: administrators and coordinators. Only an
	// administrator is offered a user's page.
	inviteEmail := "invitert-" + mark + "@example.no"
	add(officeProbe{name: "users", method: "GET", path: "/kontor/brukere", allow: rights.staff, check: func(t *testing.T, body string) {
		if !strings.Contains(body, officeNames["starter"]) {
			t.Errorf("%s: the staff page lacks the starter of house1", who)
		}
		if got := strings.Contains(body, `href="/kontor/brukere/`+starter.ID+`"`); got != rights.admin {
			t.Errorf("%s: the staff page links the user's page: %v", who, got)
		}
	}})
	add(officeProbe{name: "invite", method: "POST", path: "/kontor/brukere", allow: rights.staff,
		form: func() url.Values {
			return url.Values{"email": {inviteEmail}, "name": {"Invitert " + who}, "org": {f.orgs["house1"].ID},
				"role": {"partner"}, "lang": {"nb"}}
		},
		done: func(t *testing.T) {
			invs, _ := f.st.Invites(ctx)
			if !slices.ContainsFunc(invs, func(i store.Invite) bool { return i.Email == inviteEmail }) {
				t.Errorf("%s: no invitation", who)
			}
		}})
	// Send one's own invitation again and withdraw it; those who may not
	// try the standing invitation of house1.
	invitation := func() string {
		invs, _ := f.st.Invites(ctx)
		for _, i := range invs {
			if i.Email == inviteEmail {
				return i.ID
			}
		}
		return x.inviteID
	}
	for _, action := range []string{"resend", "revoke"} {
		add(officeProbe{name: action + " an invitation", method: "POST", path: "/kontor/brukere/invitasjoner", allow: rights.staff,
			form: func() url.Values { return url.Values{"id": {invitation()}, "action": {action}} },
			done: func(t *testing.T) {
				if action == "revoke" && invitation() != x.inviteID {
					t.Errorf("%s: the invitation is still there", who)
				}
			}})
	}

	// A user's page and identities: administrators.
	add(officeProbe{name: "a user's page", method: "GET", path: "/kontor/brukere/" + starter.ID, allow: rights.admin,
		check: func(t *testing.T, body string) {
			if !strings.Contains(body, "<h1>"+officeNames["starter"]+"</h1>") || !strings.Contains(body, officeEmails["starter"]) {
				t.Errorf("%s: the user's page lacks the user", who)
			}
		}})
	add(officeProbe{name: "a user's page, with an identity", method: "GET", path: "/kontor/brukere/" + partner.ID, allow: rights.admin,
		check: func(t *testing.T, body string) {
			if !strings.Contains(body, "sub-standing") || !strings.Contains(body, `name="provider" value="`+x.prov.ID+`"`) {
				t.Errorf("%s: the user's page lacks the identity and its unlink button", who)
			}
		}})
	subject := "sub-" + mark
	add(officeProbe{name: "link an identity", method: "POST", path: "/kontor/brukere/" + starter.ID + "/identiteter", allow: rights.admin,
		form: func() url.Values {
			return url.Values{"action": {"link"}, "provider": {x.prov.ID}, "subject": {subject}}
		},
		done: func(t *testing.T) {
			if id, err := f.st.IdentityUser(ctx, x.prov.ID, subject); err != nil || id != starter.ID {
				t.Errorf("%s: not linked: %q %v", who, id, err)
			}
		}})
	// An administrator unlinks what they linked; the others try the
	// partner's standing identity.
	unlinkUser := partner
	if rights.admin {
		unlinkUser = starter
	}
	add(officeProbe{name: "unlink an identity", method: "POST", path: "/kontor/brukere/" + unlinkUser.ID + "/identiteter", allow: rights.admin,
		form: func() url.Values { return url.Values{"action": {"unlink"}, "provider": {x.prov.ID}} },
		done: func(t *testing.T) {
			if ids, _ := f.st.UserIdentities(ctx, unlinkUser.ID); len(ids) != 0 {
				t.Errorf("%s: still linked: %+v", who, ids)
			}
		}})

	// Single sign-on: administrators.
	add(officeProbe{name: "providers", method: "GET", path: "/kontor/sso", allow: rights.admin, check: func(t *testing.T, body string) {
		if !strings.Contains(body, x.prov.Name) || strings.Contains(body, "secret-1") {
			t.Errorf("%s: the list of providers", who)
		}
	}})
	add(officeProbe{name: "new provider", method: "GET", path: "/kontor/sso/ny", allow: rights.admin})
	newName := "Innlogging " + mark
	add(officeProbe{name: "create a provider", method: "POST", path: "/kontor/sso/ny", allow: rights.admin,
		form: func() url.Values {
			v := ssoValues(store.OIDCProvider{OrgID: f.orgs["house1"].ID, Name: newName, Issuer: "https://login.example.no/" + mark,
				ClientID: "c-" + mark, Scopes: []string{"openid", "email"}, EmailDomains: []string{"example.no"}, Enabled: true,
				TrustEmail: true})
			v.Set("client_secret", "s-"+mark)
			return v
		},
		done: func(t *testing.T) {
			all, _ := f.st.OIDCProviders(ctx)
			if !slices.ContainsFunc(all, func(p store.OIDCProvider) bool { return p.Name == newName && p.TrustEmail && !p.TrustMFA }) {
				t.Errorf("%s: no new provider", who)
			}
		}})
	add(officeProbe{name: "edit a provider", method: "GET", path: "/kontor/sso/" + x.prov.ID, allow: rights.admin})
	add(officeProbe{name: "save a provider", method: "POST", path: "/kontor/sso/" + x.prov.ID, allow: rights.admin,
		form: func() url.Values {
			p, err := f.st.OIDCProvider(ctx, x.prov.ID)
			if err != nil {
				t.Fatal(err)
			}
			p.TrustEmail = !p.TrustEmail
			return ssoValues(p)
		},
		done: func(t *testing.T) {
			if p, _ := f.st.OIDCProvider(ctx, x.prov.ID); !p.TrustEmail || p.ClientSecret != "secret-1" {
				t.Errorf("%s: provider not saved: trust_email %v", who, p.TrustEmail)
			}
		}})

	// The outbox: administrators.
	add(officeProbe{name: "mail outbox", method: "GET", path: "/kontor/epost", allow: rights.admin})
	add(officeProbe{name: "send a failed mail again", method: "POST", path: "/kontor/epost/" + x.mailID + "/prov-igjen", allow: rights.admin,
		form: func() url.Values { return url.Values{} },
		done: func(t *testing.T) {
			if m, _ := f.st.OutboxMailByID(ctx, x.mailID); m.Status != store.MailPending {
				t.Errorf("%s: the mail is %s", who, m.Status)
			}
		}})
	return ps
}
