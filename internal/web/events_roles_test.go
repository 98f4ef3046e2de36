package web_test

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/jobs"
	"github.com/fellesrom/fellesrom/internal/store"
)

// The events of the back office in the role matrix (TestOfficeRoleMatrix):
// the list needs auth.ViewListing in some organisation and shows only the
// events of the organisations where it holds; a new event, an event's
// page, its changes, its cancellation and its attendance need
// auth.EditListing in the event's organisation; its sign-ups (and
// cancelling one) need auth.ReadPersonalData there. Written out by hand
// from officeRights: partners see the list of their part of the tree and
// nothing else, starters nothing.
func init() { matrixAreas = append(matrixAreas, eventsProbes) }

// eventsMatrix is what the probes made in a fixture: an event that has
// begun in every organisation (for attendance), and a counter for names.
type eventsMatrix struct {
	begun map[string]store.Event
	n     int
}

var eventsMatrices sync.Map // *officeFixture → *eventsMatrix

var evMatrixMsg = jobs.EventMessenger("http://127.0.0.1", nil)

// evValues is the form of an event as its page fills it.
func evValues(e store.Event) url.Values {
	loc := e.Location()
	s, t := e.StartsAt.In(loc), e.EndsAt.In(loc)
	v := url.Values{"organisation": {e.OrgID}, "kind": {string(e.Kind)}, "slug": {e.Slug}, "start_date": {s.Format("2006-01-02")},
		"start_time": {s.Format("15:04")}, "end_time": {t.Format("15:04")}, "venue": {e.VenueID}, "room": {e.RoomID},
		"online_url": {e.OnlineURL}, "co_organisers": e.CoOrganisers}
	if s.Format("2006-01-02") != t.Format("2006-01-02") {
		v.Set("end_date", t.Format("2006-01-02"))
	}
	for l, x := range e.Title {
		v.Set("title_"+l, x)
	}
	for l, x := range e.Description {
		v.Set("description_"+l, x)
	}
	if e.VenueID == "" {
		v.Set("municipality", e.Municipality)
	}
	if e.Capacity > 0 {
		v.Set("capacity", strconv.Itoa(e.Capacity))
	}
	for k, on := range map[string]bool{"online": e.Online, "signup_open": e.SignupOpen, "listed": e.Listed} {
		if on {
			v.Set(k, "1")
		}
	}
	return v
}

// matrixEvent makes an event of the organisation k, days from the
// fixture's clock, with one person signed up.
func matrixEvent(t *testing.T, f *officeFixture, k, title string, days int) (store.Event, store.Signup) {
	t.Helper()
	ctx := store.WithActor(context.Background(), store.Actor{ID: "test"})
	oslo, _ := time.LoadLocation("Europe/Oslo")
	now := f.clock.Now().In(oslo)
	start := time.Date(now.Year(), now.Month(), now.Day()+days, 17, 0, 0, 0, oslo)
	e := store.Event{Slug: domain.Slugify(title), OrgID: f.orgs[k].ID, Kind: store.EventPublicMeeting,
		Title: domain.Text{"nb": title}, StartsAt: start, EndsAt: start.Add(90 * time.Minute), VenueID: f.venues[k].ID,
		Capacity: 10, SignupOpen: true, Listed: true}
	if err := f.st.SaveEvent(ctx, &e, f.clock.Now().Add(-30*24*time.Hour), evMatrixMsg); err != nil {
		t.Fatal(err)
	}
	su := store.Signup{Name: "Matrise Person", ContactKind: "email", Contact: "matrise." + e.Slug + "@example.no",
		ConsentVersion: "test"}
	if err := f.st.SignUp(ctx, e.ID, &su, f.clock.Now().Add(-30*24*time.Hour), evMatrixMsg); err != nil {
		t.Fatal(err)
	}
	return e, su
}

func eventsProbes(t *testing.T, f *officeFixture, _ *matrixExtras, who string) []officeProbe {
	ctx := context.Background()
	rights := officeRights[who]
	view := func(k string) bool { return slices.Contains(rights.view, k) }
	edit := func(k string) bool { return slices.Contains(rights.edit, k) }
	mi, _ := eventsMatrices.LoadOrStore(f, &eventsMatrix{begun: map[string]store.Event{}})
	m := mi.(*eventsMatrix)
	if len(m.begun) == 0 {
		for _, k := range officeOrgKeys {
			m.begun[k], _ = matrixEvent(t, f, k, "Begynt "+k, -1)
		}
	}
	mark := strings.ToLower(who)
	evs := map[string]store.Event{}
	sus := map[string]store.Signup{}
	for _, k := range officeOrgKeys {
		m.n++
		evs[k], sus[k] = matrixEvent(t, f, k, fmt.Sprintf("Folkemote %s %s %d", mark, k, m.n), 10)
	}
	var ps []officeProbe
	add := func(p officeProbe) { ps = append(ps, p) }
	add(officeProbe{name: "events", method: "GET", path: "/kontor/arrangementer", allow: len(rights.view) > 0,
		check: func(t *testing.T, body string) {
			for _, k := range officeOrgKeys {
				id := evs[k].ID
				if got := strings.Contains(body, evs[k].Title["nb"]+"<"); got != view(k) {
					t.Errorf("%s: the events list shows %s's: %v", who, k, got)
				}
				if got := strings.Contains(body, `href="/kontor/arrangementer/`+id+`"`); got != edit(k) {
					t.Errorf("%s: the events list links %s's: %v", who, k, got)
				}
				if got := strings.Contains(body, `href="/kontor/arrangementer/`+id+`/pameldte"`); got != edit(k) {
					t.Errorf("%s: the events list links the sign-ups of %s's: %v", who, k, got)
				}
			}
			if strings.Contains(body, "Matrise Person") || strings.Contains(body, "matrise.") {
				t.Errorf("%s: the events list names a person", who)
			}
		}})
	add(officeProbe{name: "past events", method: "GET", path: "/kontor/arrangementer?vis=tidligere", allow: len(rights.view) > 0})
	add(officeProbe{name: "new event", method: "GET", path: "/kontor/arrangementer/ny", allow: len(rights.edit) > 0})
	for _, k := range officeOrgKeys {
		org, ev, su, begun := f.orgs[k], evs[k], sus[k], m.begun[k]
		slug := "nytt-" + mark + "-" + k
		add(officeProbe{name: "events of " + k, method: "GET", path: "/kontor/arrangementer?organisasjon=" + org.ID, allow: view(k)})
		add(officeProbe{name: "new event in " + k, method: "GET", path: "/kontor/arrangementer/ny?organisasjon=" + org.ID, allow: edit(k)})
		add(officeProbe{name: "create event in " + k, method: "POST", path: "/kontor/arrangementer/ny", allow: edit(k),
			form: func() url.Values {
				start := f.clock.Now().Add(time.Duration(20+len(mark)) * 24 * time.Hour).In(ev.Location())
				return url.Values{"organisation": {org.ID}, "kind": {"seminar"}, "title_nb": {"Seminar " + slug}, "slug": {slug},
					"start_date": {start.Format("2006-01-02")}, "start_time": {"09:00"}, "end_time": {"15:00"},
					"venue": {f.venues[k].ID}, "room": {f.rooms[k].ID}, "capacity": {"40"}, "signup_open": {"1"}}
			},
			done: func(t *testing.T) {
				if e, err := f.st.Event(ctx, slug); err != nil || e.OrgID != org.ID || e.BookingID == "" || e.Listed {
					t.Errorf("%s: event in %s: %+v %v", who, k, e, err)
				}
			}})
		add(officeProbe{name: "event of " + k, method: "GET", path: "/kontor/arrangementer/" + ev.ID, allow: edit(k),
			check: func(t *testing.T, body string) {
				if !strings.Contains(body, `value="`+ev.Title["nb"]+`"`) || !strings.Contains(body, "1 av 10 plasser tatt") {
					t.Errorf("%s: the page of %s's event", who, k)
				}
				if strings.Contains(body, "Matrise Person") {
					t.Errorf("%s: the event's page names a person", who)
				}
			}})
		add(officeProbe{name: "save event of " + k, method: "POST", path: "/kontor/arrangementer/" + ev.ID, allow: edit(k),
			form: func() url.Values {
				e, err := f.st.Event(ctx, ev.ID)
				if err != nil {
					t.Fatal(err)
				}
				v := evValues(e)
				v.Set("description_nb", "Endret av "+mark)
				return v
			},
			done: func(t *testing.T) {
				if e, _ := f.st.Event(ctx, ev.ID); e.Description["nb"] != "Endret av "+mark || e.Title["nb"] != ev.Title["nb"] {
					t.Errorf("%s: event of %s not saved: %+v", who, k, e)
				}
			}})
		add(officeProbe{name: "attendance of " + k, method: "POST", path: "/kontor/arrangementer/" + begun.ID + "/oppmote", allow: edit(k),
			form: func() url.Values { return url.Values{"attended": {strconv.Itoa(len(mark))}} },
			done: func(t *testing.T) {
				if e, _ := f.st.Event(ctx, begun.ID); e.Attended != len(mark) {
					t.Errorf("%s: attendance of %s: %d", who, k, e.Attended)
				}
			}})
		add(officeProbe{name: "sign-ups of " + k, method: "GET", path: "/kontor/arrangementer/" + ev.ID + "/pameldte", allow: edit(k),
			check: func(t *testing.T, body string) {
				if !strings.Contains(body, "Matrise Person") || !strings.Contains(body, su.Contact) {
					t.Errorf("%s: the sign-ups of %s", who, k)
				}
			}})
		add(officeProbe{name: "cancel a sign-up of " + k, method: "POST",
			path: "/kontor/arrangementer/" + ev.ID + "/pameldte/" + su.ID + "/avmeld", allow: edit(k),
			form: func() url.Values { return url.Values{} },
			done: func(t *testing.T) {
				if e, _ := f.st.Event(ctx, ev.ID); e.Counts.Confirmed != 0 || e.Counts.Cancelled != 1 {
					t.Errorf("%s: the sign-up of %s is not cancelled: %+v", who, k, e.Counts)
				}
			}})
		add(officeProbe{name: "cancel event of " + k, method: "POST", path: "/kontor/arrangementer/" + ev.ID + "/avlys", allow: edit(k),
			form: func() url.Values { return url.Values{"bekreft": {"1"}} },
			done: func(t *testing.T) {
				if e, _ := f.st.Event(ctx, ev.ID); e.Status != store.EventCancelled {
					t.Errorf("%s: event of %s not cancelled", who, k)
				}
			}})
	}
	return ps
}
