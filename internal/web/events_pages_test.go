package web_test

import (
	"bytes"
	"context"
	"database/sql"
	"net/url"
	"strings"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"

	"github.com/fellesrom/fellesrom/internal/store"
)

// The public calendar: listed events only, by month, the filters checked
// against what exists (a wrong value is a 400 with the message next to
// the field), the event's page in every language, an unlisted event
// reached by its link only and not indexed, a cancelled one marked, and
// the calendars read by go-ical.
func TestEventsPublicPages(t *testing.T) {
	evEach(t, func(t *testing.T, st *store.Store, db *sql.DB) {
		e := newEvEnv(t, st)
		ctx := store.WithActor(context.Background(), store.Actor{ID: "test"})
		info := e.event(t, "infomote-mars", 20, 3, true)
		course := e.event(t, "kurs-april", 0, 35, false)
		course.Kind, course.Title = store.EventStarterCourse, map[string]string{"nb": "Igangsetterkurs", "se": "Álggaheaddjikursa"}
		course.OrgID, course.VenueID, course.CoOrganisers = e.orgs["house2"].ID, e.venues["house2"].ID, nil
		hidden := e.event(t, "seminar-for-inviterte", 30, 5, false)
		hidden.Listed, hidden.Kind, hidden.Title = false, store.EventSeminar, map[string]string{"nb": "Seminar for inviterte"}
		gone := e.event(t, "avlyst-mote", 0, 6, false)
		gone.Title = map[string]string{"nb": "Møte som ble avlyst"}
		msg := func(n store.EventNotice) (store.OutboxMail, string, error) { return store.OutboxMail{}, "", nil }
		for _, ev := range []*store.Event{&course, &hidden, &gone} {
			if err := st.SaveEvent(ctx, ev, e.clock.Now(), msg); err != nil {
				t.Fatal(err)
			}
		}
		if err := st.CancelEvent(ctx, gone.ID, e.clock.Now(), msg); err != nil {
			t.Fatal(err)
		}
		c := newClient(t, e.srv)

		r := c.get("/arrangementer")
		checkOfficeHTML(t, "/arrangementer", r, "nb")
		for _, want := range []string{"Informasjonsmøte om selvhjelp", "Igangsetterkurs", "Møte som ble avlyst", "Avlyst",
			"Mars 2026", "April 2026", "3 arrangementer", `href="/arrangement/infomote-mars"`} {
			if !strings.Contains(r.body, want) {
				t.Errorf("the calendar lacks %q", want)
			}
		}
		if strings.Contains(r.body, "Seminar for inviterte") {
			t.Error("the calendar shows an unlisted event")
		}
		if i, j := strings.Index(r.body, "Mars 2026"), strings.Index(r.body, "April 2026"); i > j {
			t.Error("the months are out of order")
		}
		for q, want := range map[string][]string{
			"hus=huset-bodo":                {"Igangsetterkurs", "1 arrangement"},
			"hus=annen-forening":            {"Informasjonsmøte om selvhjelp", "Møte som ble avlyst", "2 arrangementer"},
			"type=starter_course":           {"Igangsetterkurs"},
			"kommune=5501&type=other":       {"0 arrangementer"},
			"kommune=5501&hus=huset-tromso": {"Informasjonsmøte om selvhjelp"},
		} {
			r := c.get("/arrangementer?" + q)
			if r.status != 200 {
				t.Errorf("%s: %d", q, r.status)
			}
			for _, w := range want {
				if !strings.Contains(r.body, w) {
					t.Errorf("%s: the calendar lacks %q", q, w)
				}
			}
			if strings.Contains(q, "huset-bodo") && strings.Contains(r.body, "Informasjonsmøte om selvhjelp") {
				t.Errorf("%s: shows another house's event", q)
			}
		}
		for _, q := range []string{"hus=finnes-ikke", "type=fest", "kommune=9999", "hus=Huset_Tromso", "hus=" + strings.Repeat("a", 300)} {
			r := c.get("/arrangementer?" + q)
			if r.status != 400 {
				t.Errorf("%s: %d, want 400", q, r.status)
			}
			if r.status == 400 && !strings.Contains(r.body, `class="error-summary"`) {
				t.Errorf("%s: no error summary", q)
			}
		}
		if r := c.get("/arrangementer?type=fest"); !strings.Contains(r.body, `id="type-error"`) {
			t.Error("the error of a wrong kind is not next to its field")
		}

		// The event's page in every language, and its calendar.
		for _, lang := range []string{"nb", "nn", "en", "se"} {
			p := "/arrangement/" + info.Slug
			if lang != "nb" {
				p = "/" + lang + p
			}
			r := c.get(p)
			checkOfficeHTML(t, p, r, lang)
			if r.status != 200 {
				t.Errorf("%s: %d", p, r.status)
			}
		}
		if r := c.get("/se/arrangement/" + course.Slug); !strings.Contains(r.body, "Álggaheaddjikursa") {
			t.Error("the Sami title is not on the Sami page")
		}
		if r := c.get("/arrangement/" + hidden.Slug); r.status != 200 || !strings.Contains(r.header.Get("X-Robots-Tag"), "noindex") {
			t.Errorf("the unlisted event's page: %d %q", r.status, r.header.Get("X-Robots-Tag"))
		}
		if r := c.get("/arrangement/" + gone.Slug); r.status != 200 || !strings.Contains(r.body, "Arrangementet er avlyst.") ||
			strings.Contains(r.body, `name="stamp"`) {
			t.Errorf("the cancelled event's page: %d", r.status)
		}
		if r := c.post("/arrangement/"+gone.Slug, evForm("Per", "per@example.no")); r.status != 409 {
			t.Errorf("signing up for a cancelled event: %d", r.status)
		}
		if r := c.get("/arrangement/finnes-ikke"); r.status != 404 {
			t.Errorf("an unknown event: %d", r.status)
		}
		if r := c.get("/arrangement/Ugyldig_slug"); r.status != 400 {
			t.Errorf("a bad slug: %d", r.status)
		}
		if r := c.get("/arrangement/" + info.ID); r.status != 301 || r.location() != "/arrangement/"+info.Slug {
			t.Errorf("by ID: %d %q", r.status, r.location())
		}

		r = c.get("/en/arrangement/" + info.Slug + "/kalender.ics")
		if r.status != 200 || r.header.Get("Content-Type") != "text/calendar; charset=utf-8" {
			t.Fatalf("the event's calendar: %d %q", r.status, r.header.Get("Content-Type"))
		}
		cal, err := goical.NewDecoder(strings.NewReader(r.body)).Decode()
		if err != nil {
			t.Fatalf("go-ical: %v\n%s", err, r.body)
		}
		evs := cal.Events()
		if len(evs) != 1 {
			t.Fatalf("%d events in the calendar", len(evs))
		}
		summary, _ := evs[0].Props.Text("SUMMARY")
		loc, _ := evs[0].Props.Text("LOCATION")
		u := evs[0].Props.Get("URL").Value
		start, err := evs[0].DateTimeStart(nil)
		if summary != "Information meeting on self-help" || loc != "Stua house1 (Rommet house1), Gata 3, 9008 Tromsø" ||
			!strings.HasSuffix(u, "/en/arrangement/"+info.Slug) || err != nil || !start.Equal(info.StartsAt) ||
			evs[0].Props.Get("DTSTART").Params.Get("TZID") != "Europe/Oslo" {
			t.Errorf("the event in the calendar: %q %q %q %v %v", summary, loc, u, start, err)
		}

		// The house's feed: what it organises or co-organises, listed,
		// cancelled ones marked.
		r = c.get("/organisasjon/annen-forening/arrangementer.ics")
		if r.status != 200 {
			t.Fatalf("the house's calendar: %d", r.status)
		}
		cal, err = goical.NewDecoder(bytes.NewReader([]byte(r.body))).Decode()
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, x := range cal.Events() {
			s, _ := x.Props.Text("SUMMARY")
			st, _ := x.Status()
			got[s] = string(st)
		}
		if len(got) != 2 || got["Informasjonsmøte om selvhjelp"] != "CONFIRMED" || got["Møte som ble avlyst"] != "CANCELLED" {
			t.Errorf("the house's calendar: %v", got)
		}
		if r := c.get("/organisasjon/finnes-ikke/arrangementer.ics"); r.status != 404 {
			t.Errorf("an unknown house's calendar: %d", r.status)
		}
		if r := c.post("/arrangementer", url.Values{}); r.status != 405 {
			t.Errorf("POST to the calendar: %d", r.status)
		}
	})
}

// The back office: a coordinator creates an event in a room (the room is
// booked), a clash with another booking of the room is shown next to the
// room, a capacity below the places taken is refused, the sign-ups are an
// audited read, cancelling one moves the waiting list up, attendance is
// recorded once the event has begun, and cancelling needs a tick and tells
// everyone. A partner sees the list, with counts and no names.
func TestEventsOffice(t *testing.T) {
	evEach(t, func(t *testing.T, st *store.Store, db *sql.DB) {
		e := newEvEnv(t, st)
		e.logTo(t)
		coord := e.signIn(t, "coordHouse")
		now := e.clock.Now().In(e.oslo)
		day := now.AddDate(0, 0, 12).Format("2006-01-02")
		form := url.Values{"organisation": {e.orgs["house1"].ID}, "kind": {"public_meeting"}, "title_nb": {"Folkemøte om ensomhet"},
			"title_en": {"Public meeting on loneliness"}, "description_nb": {"Velkommen."}, "start_date": {day},
			"start_time": {"18:00"}, "end_time": {"20:00"}, "venue": {e.venues["house1"].ID}, "room": {e.rooms["house1"].ID},
			"capacity": {"2"}, "signup_open": {"1"}, "listed": {"1"}, "co_organisers": {e.orgs["other"].ID}}

		r := coord.get("/kontor/arrangementer/ny?organisasjon=" + e.orgs["house1"].ID)
		checkOfficeHTML(t, "new event", r, "nb")
		bad := url.Values{}
		for k, v := range form {
			bad[k] = v
		}
		bad.Set("title_nb", "")
		bad.Set("end_time", "17:00")
		bad.Set("online_url", "ftp://x")
		r = coord.post("/kontor/arrangementer/ny", bad)
		if r.status != 400 || !strings.Contains(r.body, `id="title_nb-error"`) || !strings.Contains(r.body, `id="end_time-error"`) ||
			!strings.Contains(r.body, `id="online_url-error"`) || !strings.Contains(r.body, `value="Public meeting on loneliness"`) {
			t.Errorf("a form with mistakes: %d\n%s", r.status, errorSummary(r.body))
		}
		r = coord.post("/kontor/arrangementer/ny", form)
		if r.status != 303 || !strings.HasPrefix(r.location(), "/kontor/arrangementer/") {
			t.Fatalf("create: %d %q %s", r.status, r.location(), errorSummary(r.body))
		}
		id := strings.TrimSuffix(strings.TrimPrefix(r.location(), "/kontor/arrangementer/"), "?melding=opprettet")
		ev, err := st.Event(context.Background(), id)
		if err != nil || ev.Slug != "folkemote-om-ensomhet-"+day || ev.BookingID == "" || ev.Capacity != 2 ||
			len(ev.CoOrganisers) != 1 || ev.Title["en"] != "Public meeting on loneliness" {
			t.Fatalf("created %+v %v", ev, err)
		}
		r = coord.get(r.location())
		checkOfficeHTML(t, "event page", r, "nb")
		if !strings.Contains(r.body, "Arrangementet er opprettet.") || !strings.Contains(r.body, "0 av 2 plasser tatt") {
			t.Errorf("the event's page:\n%s", errorSummary(r.body))
		}
		// Another event in the same room at the same time: the clash is
		// shown next to the room.
		form2 := url.Values{}
		for k, v := range form {
			form2[k] = v
		}
		form2.Set("title_nb", "Kurs i samme rom")
		form2.Set("start_time", "19:00")
		form2.Set("end_time", "21:00")
		r = coord.post("/kontor/arrangementer/ny", form2)
		if r.status != 409 || !strings.Contains(r.body, `id="room-error"`) || !strings.Contains(r.body, "Rommet er opptatt") ||
			!strings.Contains(r.body, "Folkemøte om ensomhet") {
			t.Errorf("a clash: %d\n%s", r.status, errorSummary(r.body))
		}

		// Three sign up through the public page: two places, one waiting.
		c := newClient(t, e.srv)
		for _, p := range [][2]string{{"Astrid", "astrid@example.no"}, {"Bernt", "bernt@example.no"}, {"Cecilie", "cecilie@example.no"}} {
			if r := e.signUp(t, c, "/arrangement/"+ev.Slug, evForm(p[0], p[1])); r.status != 303 {
				t.Fatalf("%s signs up: %d %s", p[0], r.status, errorSummary(r.body))
			}
		}
		e.deliver(t)
		// The list: counts, no names; the sign-ups: names, audited.
		r = coord.get("/kontor/arrangementer")
		checkOfficeHTML(t, "events list", r, "nb")
		if !strings.Contains(r.body, "2 av 2 plasser tatt, 1 på venteliste, 0 avmeldt") || strings.Contains(r.body, "Astrid") {
			t.Errorf("the list:\n%s", r.body)
		}
		r = coord.get("/kontor/arrangementer/" + ev.ID + "/pameldte")
		checkOfficeHTML(t, "sign-ups", r, "nb")
		if !strings.Contains(r.body, "Astrid") || !strings.Contains(r.body, "cecilie@example.no") {
			t.Errorf("the sign-ups:\n%s", r.body)
		}
		var n int
		if err := db.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'signup.list' AND object_id = $1 AND actor_id = $2`,
			ev.ID, e.users["coordHouse"].ID).Scan(&n); err != nil || n != 1 {
			t.Errorf("signup.list rows: %d %v", n, err)
		}
		// Capacity below the places taken.
		v := evValues(ev)
		v.Set("capacity", "1")
		if r = coord.post("/kontor/arrangementer/"+ev.ID, v); r.status != 409 || !strings.Contains(r.body, `id="capacity-error"`) {
			t.Errorf("capacity below: %d", r.status)
		}
		// Staff cancel Astrid (she phoned): Cecilie moves up, with a mail.
		list, err := st.EventSignups(context.Background(), ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		r = coord.post("/kontor/arrangementer/"+ev.ID+"/pameldte/"+list[0].ID+"/avmeld", nil)
		if r.status != 303 {
			t.Fatalf("staff cancel: %d", r.status)
		}
		if mails := e.deliver(t); len(mails) != 1 || mails[0].To != "cecilie@example.no" || !strings.HasPrefix(mails[0].Subject, "Du har fått plass") {
			t.Errorf("after staff cancelled: %+v", mails)
		}
		// Attendance: not before the event.
		if r = coord.post("/kontor/arrangementer/"+ev.ID+"/oppmote", url.Values{"attended": {"12"}}); r.status != 400 ||
			!strings.Contains(r.body, "Oppmøtet kan føres når arrangementet har begynt.") {
			t.Errorf("attendance before: %d", r.status)
		}
		// The partner: the list with counts, nothing more.
		partner := e.signIn(t, "partner")
		if r = partner.get("/kontor/arrangementer"); r.status != 200 || !strings.Contains(r.body, "Folkemøte om ensomhet") ||
			strings.Contains(r.body, `href="/kontor/arrangementer/`+ev.ID) {
			t.Errorf("the partner's list: %d", r.status)
		}
		if r = partner.get("/kontor/arrangementer/" + ev.ID + "/pameldte"); r.status != 404 {
			t.Errorf("the partner reads the sign-ups: %d", r.status)
		}
		// Cancelling needs the tick; then both are told, and the room is free.
		if r = coord.post("/kontor/arrangementer/"+ev.ID+"/avlys", nil); r.status != 400 || !strings.Contains(r.body, `id="bekreft-error"`) {
			t.Errorf("cancel without the tick: %d", r.status)
		}
		if r = coord.post("/kontor/arrangementer/"+ev.ID+"/avlys", url.Values{"bekreft": {"1"}}); r.status != 303 {
			t.Fatalf("cancel: %d", r.status)
		}
		mails := e.deliver(t)
		if len(mails) != 2 || !strings.HasPrefix(mails[0].Subject, "Avlyst: Folkemøte om ensomhet") {
			t.Errorf("the cancellation's mails: %+v", mails)
		}
		if r = coord.post("/kontor/arrangementer/ny", form2); r.status != 303 {
			t.Errorf("the room after the cancellation: %d %s", r.status, errorSummary(r.body))
		}
		if r = coord.post("/kontor/arrangementer/"+ev.ID, evValues(ev)); r.status != 409 {
			t.Errorf("changing a cancelled event: %d", r.status)
		}
		// Once it has begun, the attendance.
		e.clock.Add(13 * 24 * time.Hour)
		coord = e.signIn(t, "coordHouse")
		if r = coord.post("/kontor/arrangementer/"+ev.ID+"/oppmote", url.Values{"attended": {"12"}}); r.status != 303 {
			t.Errorf("attendance: %d %s", r.status, errorSummary(r.body))
		}
		if got, _ := st.Event(context.Background(), ev.ID); got.Attended != 12 {
			t.Errorf("attended %d", got.Attended)
		}
		r = coord.get("/kontor/arrangementer?vis=tidligere")
		if !strings.Contains(r.body, "12 kom") {
			t.Errorf("the past list lacks the attendance")
		}
	})
}
