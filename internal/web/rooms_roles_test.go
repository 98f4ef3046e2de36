package web_test

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/fellesrom/fellesrom/internal/store"
)

func init() { matrixAreas = append(matrixAreas, roomsProbes) }

// roomsProbes are the requests of the role matrix for the rooms' pages,
// with the rules written out by hand: the week views, a room's page and
// the summary for those who see the listings of the room's organisation
// (coordinators, partners, administrators); every change for those who
// edit them (coordinators, administrators); the requests, which name a
// person, for those who read the organisation's personal data (the
// coordinators and administrators). Starters see none of it.
//
// Each user gets a series, a one-off booking and two requests of their own
// in every organisation's room, so that each allowed change changes
// something and no probe depends on another user's.
func roomsProbes(t *testing.T, f *officeFixture, x *matrixExtras, who string) []officeProbe {
	rights := officeRights[who]
	view := func(k string) bool { return slices.Contains(rights.view, k) }
	edit := func(k string) bool { return slices.Contains(rights.edit, k) }
	personal := edit // in this tree, the same people
	anyView, anyPersonal := len(rights.view) > 0, len(rights.edit) > 0
	idx := slices.Index(officeUserKeys, who)
	hour := fmt.Sprintf("%02d:10", 1+idx) // at night in 2027: no other area books then
	ctx := store.WithActor(context.Background(), store.Actor{ID: "test"})
	person := store.WithActor(context.Background(), store.Actor{ID: "person"})
	var ps []officeProbe
	add := func(p officeProbe) { ps = append(ps, p) }

	add(officeProbe{name: "rooms", method: "GET", path: "/kontor/rom", allow: anyView, check: func(t *testing.T, body string) {
		for _, k := range officeOrgKeys {
			if got := strings.Contains(body, ">"+f.rooms[k].Name+"<"); got != view(k) {
				t.Errorf("%s: the rooms list shows %s: %v", who, k, got)
			}
		}
	}})
	add(officeProbe{name: "the week of every room", method: "GET", path: "/kontor/rom/uke?uke=2026-W11", allow: anyView,
		check: func(t *testing.T, body string) {
			for _, k := range officeOrgKeys {
				if got := strings.Contains(body, ">"+f.rooms[k].Name+"<"); got != view(k) {
					t.Errorf("%s: the week shows %s: %v", who, k, got)
				}
			}
		}})
	add(officeProbe{name: "room use", method: "GET", path: "/kontor/rombruk?maned=2026-03", allow: anyView})
	add(officeProbe{name: "room use as CSV", method: "GET", path: "/kontor/rombruk.csv?maned=2026-03", allow: anyView})
	add(officeProbe{name: "room requests", method: "GET", path: "/kontor/romforesporsler", allow: anyPersonal})

	for _, k := range officeOrgKeys {
		room := f.rooms[k].ID
		base := "/kontor/rom/" + room
		// This user's own series, one-off booking and requests in the room.
		sr := store.RoomSeries{RoomID: room, Holder: "Forening " + who, Start: roomsOslo(2027, 3, 5, 1+idx, 10), Minutes: 45,
			Rule: "FREQ=WEEKLY;BYDAY=FR", Until: "2027-06-30"}
		if err := f.st.SaveSeries(ctx, &sr, f.clock.Now()); err != nil {
			t.Fatal(err)
		}
		b := store.RoomBooking{RoomID: room, StartsAt: roomsOslo(2027, 3, 6, 1+idx, 10), EndsAt: roomsOslo(2027, 3, 6, 1+idx, 55),
			Purpose: "meeting"}
		if err := f.st.BookOnce(ctx, &b, store.BookingHolder{Holder: "Forening " + who}); err != nil {
			t.Fatal(err)
		}
		var reqs [2]string
		for j := range reqs {
			q := store.RoomRequest{VenueID: f.venues[k].ID, OrgName: "Lag " + who, ContactName: "Kari", Email: "kari@example.no",
				GroupKind: "peer", Kind: "once", StartsAt: roomsOslo(2027, 4, 7+j, 12, 0), Minutes: 60, ConsentVersion: "t"}
			if err := f.st.CreateRoomRequest(person, &q, f.clock.Now(), nil); err != nil {
				t.Fatal(err)
			}
			reqs[j] = q.ID
		}
		add(officeProbe{name: "room " + k, method: "GET", path: base, allow: view(k)})
		add(officeProbe{name: "week of room " + k, method: "GET", path: base + "/uke", allow: view(k)})
		add(officeProbe{name: "new series form " + k, method: "GET", path: base + "/serie/ny", allow: edit(k)})
		add(officeProbe{name: "new series " + k, method: "POST", path: base + "/serie/ny", allow: edit(k), form: func() url.Values {
			return url.Values{"who": {"other"}, "holder": {"Lag " + who}, "start_date": {"2027-04-05"}, "start_time": {hour},
				"minutes": {"30"}, "repeat": {"weekly"}, "until": {"2027-05-01"}}
		}})
		add(officeProbe{name: "series " + k, method: "GET", path: base + "/serie/" + sr.ID, allow: edit(k)})
		add(officeProbe{name: "day off of series " + k, method: "POST", path: base + "/serie/" + sr.ID + "/unntak", allow: edit(k),
			form: func() url.Values { return url.Values{"day": {"2027-03-12"}, "except_reason": {"holiday"}} }})
		add(officeProbe{name: "change series " + k, method: "POST", path: base + "/serie/" + sr.ID, allow: edit(k),
			form: func() url.Values {
				return url.Values{"from": {"2027-03-26"}, "who": {"other"}, "holder": {"Forening " + who}, "start_date": {"2027-03-26"},
					"start_time": {hour}, "minutes": {"30"}, "repeat": {"weekly"}, "until": {"2027-06-30"}}
			}})
		add(officeProbe{name: "end series " + k, method: "POST", path: base + "/serie/" + sr.ID + "/avslutt", allow: edit(k),
			form: func() url.Values { return url.Values{"end_from": {"2027-03-19"}} }})
		add(officeProbe{name: "new booking form " + k, method: "GET", path: base + "/booking/ny", allow: edit(k)})
		add(officeProbe{name: "new booking " + k, method: "POST", path: base + "/booking/ny", allow: edit(k), form: func() url.Values {
			return url.Values{"who": {"other"}, "holder": {"Lag " + who}, "purpose": {"meeting"}, "date": {"2027-03-07"},
				"start_time": {hour}, "minutes": {"30"}}
		}})
		add(officeProbe{name: "cancel booking " + k, method: "POST", path: base + "/booking/" + b.ID + "/avlys", allow: edit(k),
			form: func() url.Values { return nil }})
		add(officeProbe{name: "feed of room " + k, method: "POST", path: base + "/kalender", allow: edit(k), want: 200,
			form: func() url.Values { return nil }})
		add(officeProbe{name: "room request " + k, method: "GET", path: "/kontor/romforesporsler/" + reqs[0], allow: personal(k)})
		add(officeProbe{name: "approve request " + k, method: "POST", path: "/kontor/romforesporsler/" + reqs[0], allow: personal(k),
			form: func() url.Values {
				return url.Values{"room": {room}, "holder": {"Lag " + who}, "kind": {"once"}, "date": {"2027-04-07"},
					"start_time": {hour}, "minutes": {"30"}}
			}})
		add(officeProbe{name: "decline request " + k, method: "POST", path: "/kontor/romforesporsler/" + reqs[1] + "/avslag",
			allow: personal(k), form: func() url.Values { return url.Values{"decline_message": {"Nei"}} }})
	}
	return ps
}
