package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// officeRights are what each user of the fixture may do, written out by
// hand from the rules of the issue (not computed with auth.Allowed, which
// is what the test checks): where they may see listings, where they may
// edit them, and whether they manage the taxonomy and read the log.
var officeRights = map[string]struct {
	view, edit  []string
	root, admin bool
}{
	"admin":         {view: officeOrgKeys, edit: officeOrgKeys, root: true, admin: true},
	"coordDistrict": {view: []string{"district", "house1", "house2"}, edit: []string{"district", "house1", "house2"}},
	"coordHouse":    {view: []string{"house1"}, edit: []string{"house1"}},
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
	check  func(t *testing.T, body string) // on an allowed GET: what the page shows
	done   func(t *testing.T)              // after an allowed POST: the change is in the store
}

// TestOfficeRoleMatrix walks every route of the directory, for objects in
// the user's own organisation, a child, the parent, a sibling and an
// unrelated organisation, as each kind of user, and checks that each
// request is allowed or denied as the rules say. A denied request gets 404
// (the signed-out: the sign-in page) and changes nothing: the whole
// directory and the audit log are read back after every POST and compared.
func TestOfficeRoleMatrix(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newOfficeFixture(t, st)
		total, allowed := 0, 0
		for _, who := range officeUserKeys {
			c := f.signIn(t, who)
			probes := officeProbes(t, f, who)
			before := officeSnapshot(t, st)
			for _, p := range probes {
				total++
				if p.allow {
					allowed++
				}
				f.clock.Add(time.Second) // a verification now differs from the last one
				var r resp
				if p.method == http.MethodPost {
					r = c.post(p.path, p.form())
				} else {
					r = c.get(p.path)
				}
				what := fmt.Sprintf("%s: %s %s (%s)", who, p.method, p.name, p.path)
				switch {
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
					if r.status != http.StatusOK {
						t.Errorf("%s: %d, want 200", what, r.status)
					} else if p.check != nil {
						p.check(t, r.body)
					}
				default:
					if r.status != http.StatusSeeOther {
						t.Errorf("%s: %d, want 303\n%s", what, r.status, errorSummary(r.body))
					} else if p.done != nil {
						p.done(t)
					}
				}
				if p.method != http.MethodPost {
					continue
				}
				after := officeSnapshot(t, st)
				if changed := after != before; changed != (p.allow && who != "anonymous") {
					t.Errorf("%s: the directory changed: %v", what, changed)
				}
				before = after
			}
		}
		t.Logf("role matrix: %d requests, %d allowed, %d denied", total, allowed, total-allowed)
	})
}

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
