package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

var reRoomsID = regexp.MustCompile(`\brooms\.[a-z][a-z0-9_.]*[a-z0-9]\b`)

// checkRoomsHTML: what every page of the area must be, and no message id
// of the area left unresolved.
func checkRoomsHTML(t *testing.T, target string, r resp, lang string) {
	t.Helper()
	checkOfficeHTML(t, target, r, lang)
	body := regexp.MustCompile(`class="[^"]*"|id="[^"]*"|"rooms_[a-z_]+"`).ReplaceAllString(r.body, "")
	if m := reRoomsID.FindString(body); m != "" {
		t.Errorf("%s: the catalogue lacks %q", target, m)
	}
}

func roomsOslo(y int, m time.Month, d, hh, mm int) time.Time {
	loc, _ := time.LoadLocation("Europe/Oslo")
	return time.Date(y, m, d, hh, mm, 0, 0, loc).UTC()
}

// roomsSeed gives house1's room a weekly series for house1's group
// (Tuesdays 18:00–19:30) and a one-off event, as the coordinator.
func roomsSeed(t *testing.T, f *officeFixture) (store.RoomSeries, store.OneOffBooking) {
	t.Helper()
	ctx := store.WithActor(context.Background(), store.Actor{ID: f.users["coordHouse"].ID})
	sr := store.RoomSeries{RoomID: f.rooms["house1"].ID, GroupID: f.groups["house1"].ID, Start: roomsOslo(2026, 3, 3, 18, 0),
		Minutes: 90, Rule: "FREQ=WEEKLY;BYDAY=TU"}
	if err := f.st.SaveSeries(ctx, &sr, f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	b := store.RoomBooking{RoomID: f.rooms["house1"].ID, StartsAt: roomsOslo(2026, 3, 5, 10, 0), EndsAt: roomsOslo(2026, 3, 5, 14, 0),
		Purpose: "event", Title: "Temadag om sorg"}
	if err := f.st.BookOnce(ctx, &b, store.BookingHolder{OrgID: f.orgs["house1"].ID}); err != nil {
		t.Fatal(err)
	}
	ob, err := f.st.OneOff(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	return sr, ob
}

// TestRoomsPages: every page of the area in Bokmål and English, as the
// house's coordinator, with what a coordinator would look for on it.
func TestRoomsPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newOfficeFixture(t, st)
		sr, _ := roomsSeed(t, f)
		c := f.signIn(t, "coordHouse")
		room := f.rooms["house1"].ID
		for _, lang := range []string{"nb", "en"} {
			p := ""
			if lang == "en" {
				p = "/en"
			}
			for _, tc := range []struct {
				path string
				want []string
			}{
				{"/kontor/rom", []string{"Rommet house1", "Stua house1", "/rom/" + f.venues["house1"].ID + "/forespor"}},
				{"/kontor/rom/uke", []string{"<caption", "Gruppe house1", "18.00–19.30", `scope="row"`, "2026-W09"}},
				{"/kontor/rom/uke?uke=2026-W10", []string{"Gruppe house1", "2026-W11", "2026-W09"}},
				{"/kontor/rom/" + room, []string{"Gruppe house1", "Temadag om sorg", "/kontor/rom/" + room + "/kalender"}},
				{"/kontor/rom/" + room + "/uke", []string{"Gruppe house1", "Temadag om sorg", "10.00–14.00"}},
				{"/kontor/rom/" + room + "/serie/ny", []string{`name="start_date"`, `name="who"`}},
				{"/kontor/rom/" + room + "/serie/ny?gruppe=" + f.groups["house1"].ID, []string{`value="18:00"`, `value="2026-03-03"`}},
				{"/kontor/rom/" + room + "/serie/" + sr.ID, []string{"Gruppe house1", `name="from"`, `name="end_from"`}},
				{"/kontor/rom/" + room + "/booking/ny", []string{`name="purpose"`}},
				{"/kontor/romforesporsler", nil},
				{"/kontor/rombruk?maned=2026-03", []string{"Gruppe house1", "<caption", "bruk.csv"}},
				{"/rom/" + room + "/forespor", []string{`name="org_name"`, `name="stamp"`, "Rommet house1"}},
				{"/rom/" + f.venues["house1"].ID + "/forespor", []string{"Stua house1", `name="org_name"`}},
				{"/rom/forespor/sendt", nil},
			} {
				r := c.get(p + tc.path)
				if r.status != http.StatusOK {
					t.Errorf("%s %s: %d", lang, tc.path, r.status)
					continue
				}
				checkRoomsHTML(t, lang+" "+tc.path, r, lang)
				for _, w := range tc.want {
					if !strings.Contains(r.body, w) && !strings.Contains(r.body, strings.ReplaceAll(w, ".", ":")) {
						t.Errorf("%s %s: no %q", lang, tc.path, w)
					}
				}
			}
		}
		// Bad input: a week that does not exist, a month that does not, a room of nobody's.
		for path, want := range map[string]int{
			"/kontor/rom/uke?uke=2026-W54":                    400,
			"/kontor/rom/uke?uke=x":                           400,
			"/kontor/rombruk?maned=2026-13":                   400,
			"/kontor/rom/" + store.NewID():                    404,
			"/kontor/rom/ikke-en-id":                          404,
			"/kontor/rom/" + f.rooms["house2"].ID:             404,
			"/kontor/rom/" + room + "/serie/" + store.NewID(): 404,
			"/rom/" + store.NewID() + "/forespor":             404,
			"/rom/" + room + "/kalender.ics":                  404,
			"/rom/" + room + "/kalender.ics?token=abc":        404,
		} {
			if r := c.get(path); r.status != want {
				t.Errorf("%s: %d, want %d", path, r.status, want)
			}
		}
	})
}

// TestRoomsSeriesForms: a new series that clashes shows what it clashes
// with, and when, and keeps what was typed; a free one is stored; days off
// and back, a change from a day, the end.
func TestRoomsSeriesForms(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newOfficeFixture(t, st)
		sr, _ := roomsSeed(t, f)
		c := f.signIn(t, "coordHouse")
		room := f.rooms["house1"].ID
		base := "/kontor/rom/" + room
		form := url.Values{"who": {"other"}, "holder": {"Anonyme Alkoholikere"}, "title": {"Åpent møte"},
			"start_date": {"2026-03-10"}, "start_time": {"19:00"}, "minutes": {"60"}, "repeat": {"biweekly"}}
		r := c.post(base+"/serie/ny", form)
		if r.status != http.StatusBadRequest || !strings.Contains(r.body, `id="clashes"`) ||
			!strings.Contains(r.body, "Gruppe house1") || !strings.Contains(r.body, "10. mars 2026") ||
			!strings.Contains(r.body, `value="Anonyme Alkoholikere"`) || !strings.Contains(r.body, `href="#clashes"`) {
			t.Fatalf("a clash: %d\n%s", r.status, errorSummary(r.body))
		}
		checkRoomsHTML(t, "clash", r, "nb")
		form.Set("start_time", "19:30")
		r = c.post(base+"/serie/ny", form)
		if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location(), base+"/serie/") {
			t.Fatalf("free: %d %q\n%s", r.status, r.location(), errorSummary(r.body))
		}
		aa := strings.TrimSuffix(strings.TrimPrefix(r.location(), base+"/serie/"), "?melding=serie")
		got, err := st.Series(context.Background(), aa)
		if err != nil || got.Holder != "Anonyme Alkoholikere" || got.Rule != "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU" ||
			!got.Start.Equal(roomsOslo(2026, 3, 10, 19, 30)) {
			t.Fatalf("stored: %v %+v", err, got)
		}
		// Bad fields: each error next to its field.
		r = c.post(base+"/serie/ny", url.Values{"who": {"group"}, "group": {f.groups["house2"].ID}, "start_date": {"30.2.2026"},
			"start_time": {"25:00"}, "minutes": {"0"}, "repeat": {"custom"}, "rrule": {"FREQ=DAILY"}})
		for _, id := range []string{"group-error", "start_date-error", "start_time-error", "minutes-error"} {
			if !strings.Contains(r.body, `id="`+id+`"`) {
				t.Errorf("bad fields: no %s", id)
			}
		}
		// A day off, then a one-off booking that day, then the day given back clashes.
		wantRedirect(t, "day off", c.post(base+"/serie/"+sr.ID+"/unntak", url.Values{"day": {"2026-03-17"},
			"except_reason": {"holiday"}}), base+"/serie/"+sr.ID+"?melding=unntak")
		wantRedirect(t, "one-off", c.post(base+"/booking/ny", url.Values{"who": {"org"}, "org": {f.orgs["house1"].ID},
			"title": {"Kurs"}, "purpose": {"event"}, "date": {"2026-03-17"}, "start_time": {"17:00"}, "minutes": {"120"}}),
			base+"?melding=booket")
		r = c.post(base+"/serie/"+sr.ID+"/unntak", url.Values{"give_back": {"2026-03-17"}})
		if r.status != http.StatusBadRequest || !strings.Contains(r.body, "Kurs") {
			t.Errorf("giving back a booked day: %d", r.status)
		}
		// A day the series does not meet.
		r = c.post(base+"/serie/"+sr.ID+"/unntak", url.Values{"day": {"2026-03-18"}, "except_reason": {"holiday"}})
		if r.status != http.StatusBadRequest || !strings.Contains(r.body, `id="day-error"`) {
			t.Errorf("a Wednesday off: %d", r.status)
		}
		// A change from 1 April: to Thursdays.
		change := url.Values{"from": {"2026-04-01"}, "who": {"group"}, "group": {f.groups["house1"].ID}, "start_date": {"2026-04-02"},
			"start_time": {"18:00"}, "minutes": {"90"}, "repeat": {"weekly"}}
		r = c.post(base+"/serie/"+sr.ID, change)
		if r.status != http.StatusSeeOther {
			t.Fatalf("change: %d\n%s", r.status, errorSummary(r.body))
		}
		old, _ := st.Series(context.Background(), sr.ID)
		if old.Until != "2026-03-31" {
			t.Errorf("the old series ends %q", old.Until)
		}
		// The end, from a day before it began: deleted.
		next := strings.TrimSuffix(strings.TrimPrefix(r.location(), base+"/serie/"), "?melding=endret")
		wantRedirect(t, "end", c.post(base+"/serie/"+next+"/avslutt", url.Values{"end_from": {"2026-04-01"}}), base+"?melding=slettet")
		// Cancel the one-off.
		bs, _ := st.OneOffs(context.Background(), []string{room}, roomsOslo(2026, 3, 17, 0, 0))
		for _, b := range bs {
			if b.Title == "Kurs" {
				wantRedirect(t, "cancel", c.post(base+"/booking/"+b.ID+"/avlys", nil), base+"?melding=avlyst")
			}
		}
		if !auditHas(t, st, "room_series.create", "room_series.except", "room_booking.create", "room_series.end",
			"room_series.delete", "room_booking.cancel") {
			t.Error("audit rows missing")
		}
	})
}

// TestRoomsFeed: the room's feed opens only with its current token, and
// names only open groups and events.
func TestRoomsFeed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newOfficeFixture(t, st)
		roomsSeed(t, f)
		c := f.signIn(t, "coordHouse")
		room := f.rooms["house1"].ID
		r := c.post("/kontor/rom/"+room+"/kalender", nil)
		m := regexp.MustCompile(`id="feed-url" value="([^"]+)"`).FindStringSubmatch(r.body)
		if r.status != http.StatusOK || m == nil {
			t.Fatalf("feed: %d", r.status)
		}
		checkRoomsHTML(t, "feed made", r, "nb")
		u, _ := url.Parse(strings.ReplaceAll(m[1], "&amp;", "&"))
		anon := newClient(t, f.srv)
		feed := anon.get(u.Path + "?" + u.RawQuery)
		if feed.status != http.StatusOK || feed.header.Get("Content-Type") != "text/calendar; charset=utf-8" ||
			feed.header.Get("Cache-Control") != "no-store" || feed.header.Get("Referrer-Policy") != "no-referrer" {
			t.Fatalf("feed: %d %v", feed.status, feed.header)
		}
		body := strings.ReplaceAll(feed.body, "\r\n ", "")
		for _, want := range []string{"BEGIN:VCALENDAR", "RRULE:FREQ=WEEKLY;BYDAY=TU", "SUMMARY:Opptatt",
			"SUMMARY:Temadag om sorg", "DTSTART;TZID=Europe/Oslo:20260303T180000", "BEGIN:VTIMEZONE"} {
			if !strings.Contains(body, want) {
				t.Errorf("feed lacks %q", want)
			}
		}
		if strings.Contains(body, "Gruppe house1") {
			t.Error("the feed names a closed group")
		}
		// A new address: the old one stops working.
		c.post("/kontor/rom/"+room+"/kalender", nil)
		if r := anon.get(u.Path + "?" + u.RawQuery); r.status != http.StatusNotFound {
			t.Errorf("old token: %d", r.status)
		}
		wantRedirect(t, "stop", c.post("/kontor/rom/"+room+"/kalender", url.Values{"stop": {"1"}}),
			"/kontor/rom/"+room+"?melding=stoppet")
	})
}

// TestRoomsSummaryCSV: the month's use of house1's rooms as CSV.
func TestRoomsSummaryCSV(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newOfficeFixture(t, st)
		roomsSeed(t, f)
		c := f.signIn(t, "partner")
		r := c.get("/kontor/rombruk.csv?maned=2026-03&hus=" + f.orgs["house1"].ID)
		if r.status != http.StatusOK || r.header.Get("Content-Type") != "text/csv; charset=utf-8" ||
			!strings.Contains(r.header.Get("Content-Disposition"), "rombruk-huset-tromso-2026-03.csv") {
			t.Fatalf("csv: %d %v", r.status, r.header)
		}
		// Tuesdays in March 2026: 3, 10, 17, 24, 31 (5 × 1.5 h); the event 4 h.
		want := "Rom,Brukt av,Hva,Møter,Timer\nRommet house1,Gruppe house1,gruppe,5,7.5\nRommet house1,Huset Tromsø,organisasjon,1,4.0\n"
		if r.body != want {
			t.Errorf("csv:\n%s\nwant\n%s", r.body, want)
		}
		if r := c.get("/kontor/rombruk?maned=2026-03&hus=" + f.orgs["other"].ID); r.status != http.StatusNotFound {
			t.Errorf("another house's use: %d", r.status)
		}
	})
}

var reRoomsStamp = regexp.MustCompile(`name="stamp" value="([^"]+)"`)

// roomsAsk fills the public form of a room as another organisation.
func roomsAsk(t *testing.T, f *officeFixture, c *client, path string, v url.Values) resp {
	t.Helper()
	m := reRoomsStamp.FindStringSubmatch(c.get(path).body)
	if m == nil {
		t.Fatalf("%s: no stamp", path)
	}
	f.clock.Add(5 * time.Second)
	v.Set("stamp", m[1])
	return c.post(path, v)
}

func roomsAskValues() url.Values {
	return url.Values{"org_name": {"Sorgstøtte Nord"}, "contact_name": {"Ragnhild Qvigstad"}, "email": {"ragnhild@example.no"},
		"phone": {"912 34 567"}, "group_kind": {"peer"}, "purpose": {"Samtalegruppe for etterlatte"}, "not_treatment": {"1"},
		"kind": {"weekly"}, "date": {"2026-03-12"}, "start_time": {"18:00"}, "minutes": {"120"}, "until": {"2026-06-18"},
		"consent": {"1"}}
}

// TestRoomsRequests: a request through the public form (the errors next
// to their fields, the spam guard), in the house's list (an audited
// read), approved over a clash (shown) and then at a free time (booked,
// mailed), and a second one declined (mailed).
func TestRoomsRequests(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newOfficeFixture(t, st)
		roomsSeed(t, f)
		house := f.orgs["house1"]
		house.Email = "post@huset-tromso.example"
		if err := st.SaveOrganisation(context.Background(), &house); err != nil {
			t.Fatal(err)
		}
		room := f.rooms["house1"].ID
		ask := "/en/rom/" + room + "/forespor"
		anon := newClient(t, f.srv)
		// Errors next to the fields, what was typed kept.
		bad := roomsAskValues()
		bad.Del("not_treatment")
		bad.Set("email", "ragnhild")
		bad.Set("date", "2026-03-01")
		r := roomsAsk(t, f, anon, ask, bad)
		for _, id := range []string{"not_treatment-error", "email-error", "date-error"} {
			if r.status != http.StatusBadRequest || !strings.Contains(r.body, `id="`+id+`"`) {
				t.Errorf("bad form: %d, no %s", r.status, id)
			}
		}
		if !strings.Contains(r.body, `value="Ragnhild Qvigstad"`) {
			t.Error("the form forgot what was typed")
		}
		checkRoomsHTML(t, "bad request form", r, "en")
		// Too fast: the spam guard.
		fast := roomsAskValues()
		fast.Set("stamp", reRoomsStamp.FindStringSubmatch(anon.get(ask).body)[1])
		if r := anon.post(ask, fast); r.status != http.StatusBadRequest {
			t.Errorf("a form sent at once: %d", r.status)
		}
		wantRedirect(t, "request", roomsAsk(t, f, anon, ask, roomsAskValues()), "/en/rom/forespor/sendt")
		// The house's list, as its coordinator.
		c := f.signIn(t, "coordHouse")
		r = c.get("/kontor/romforesporsler")
		if !strings.Contains(r.body, "Sorgstøtte Nord") {
			t.Fatalf("the list: %d", r.status)
		}
		reqs, _ := st.RoomRequests(context.Background(), nil)
		if len(reqs) != 1 || reqs[0].Lang != "en" || reqs[0].RoomID != room {
			t.Fatalf("stored: %+v", reqs)
		}
		id := reqs[0].ID
		r = c.get("/kontor/romforesporsler/" + id)
		if r.status != http.StatusOK || !strings.Contains(r.body, "ragnhild@example.no") || !strings.Contains(r.body, `value="Sorgstøtte Nord"`) {
			t.Fatalf("the request: %d", r.status)
		}
		checkRoomsHTML(t, "request", r, "nb")
		// Thursdays at 18:00 are free; move it to Tuesdays and it clashes with the group.
		form := url.Values{"room": {room}, "holder": {"Sorgstøtte Nord"}, "kind": {"weekly"}, "date": {"2026-03-10"},
			"start_time": {"18:00"}, "minutes": {"120"}, "until": {"2026-06-18"}, "message": {"Nøkkelen henger i gangen."}}
		r = c.post("/kontor/romforesporsler/"+id, form)
		if r.status != http.StatusBadRequest || !strings.Contains(r.body, "Gruppe house1") || !strings.Contains(r.body, `id="clashes"`) {
			t.Fatalf("approval over a clash: %d", r.status)
		}
		form.Set("date", "2026-03-12")
		wantRedirect(t, "approve", c.post("/kontor/romforesporsler/"+id, form), "/kontor/romforesporsler?melding=godkjent")
		series, _ := st.RoomSeriesList(context.Background(), []string{room}, "")
		found := false
		for _, sr := range series {
			found = found || sr.Holder == "Sorgstøtte Nord" && sr.RequestID == id && sr.Until == "2026-06-18"
		}
		if !found {
			t.Errorf("no series from the request: %+v", series)
		}
		if r := c.post("/kontor/romforesporsler/"+id+"/avslag", nil); r.location() != "/kontor/romforesporsler/"+id+"?melding=avgjort" {
			t.Errorf("deciding twice: %d %q", r.status, r.location())
		}
		// A second one, declined.
		again := roomsAskValues()
		again.Set("kind", "once")
		again.Set("date", "2026-03-20")
		wantRedirect(t, "request 2", roomsAsk(t, f, anon, "/rom/"+f.venues["house1"].ID+"/forespor", again), "/rom/forespor/sendt")
		reqs, _ = st.RoomRequests(context.Background(), nil)
		wantRedirect(t, "decline", c.post("/kontor/romforesporsler/"+reqs[0].ID+"/avslag",
			url.Values{"decline_message": {"Rommet er opptatt den dagen."}}), "/kontor/romforesporsler?melding=avslatt")
		mails, err := st.ClaimMail(context.Background(), time.Now().Add(time.Hour), 10, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]store.OutboxMail{}
		for _, m := range mails {
			kinds[m.Kind] = m
		}
		if m := kinds["room_request_approved"]; m.To != "ragnhild@example.no" || m.Lang != "en" ||
			!strings.Contains(m.Body, "Every Thursday, 18:00–20:00, until 18 June 2026") || !strings.Contains(m.Body, "Nøkkelen henger") {
			t.Errorf("the approval mail: %+v", m)
		}
		if m := kinds["room_request_new"]; m.To != "post@huset-tromso.example" || !strings.Contains(m.Body, "/kontor/romforesporsler") ||
			strings.Contains(m.Body, "Ragnhild") || strings.Contains(m.Body, "Sorgstøtte") {
			t.Errorf("the mail to the house: %+v", m)
		}
		if m := kinds["room_request_declined"]; m.To != "ragnhild@example.no" || !strings.Contains(m.Body, "opptatt den dagen") {
			t.Errorf("the decline mail: %+v", m)
		}
		if !auditHas(t, st, "room_request.create", "room_request.list", "room_request.read", "room_request.approve",
			"room_request.decline") {
			t.Error("audit rows missing")
		}
	})
}
