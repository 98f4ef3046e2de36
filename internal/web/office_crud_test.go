package web_test

import (
	"context"
	"html"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/app"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/finder"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// wantFormErrors checks a form sent back with errors: 400, a summary that
// links to each field, the message next to each field, and the field
// marked invalid.
func wantFormErrors(t *testing.T, what string, r resp, fields ...string) {
	t.Helper()
	if r.status != http.StatusBadRequest {
		t.Fatalf("%s: %d, want 400", what, r.status)
	}
	checkOfficeHTML(t, what, r, "nb")
	for _, f := range fields {
		if !strings.Contains(r.body, `<a href="#`+f+`">`) {
			t.Errorf("%s: the summary does not link to #%s", what, f)
		}
		if !strings.Contains(r.body, `id="`+f+`-error"`) {
			t.Errorf("%s: no message next to %s", what, f)
		}
	}
	if n := strings.Count(r.body, `<li><a href="#`); n != len(fields) {
		t.Errorf("%s: %d errors in the summary, want %d:\n%s", what, n, len(fields), errorSummary(r.body))
	}
}

// wantValue checks that a text field shows a value (what the user typed).
func wantValue(t *testing.T, what, body, id, value string) {
	t.Helper()
	re := regexp.MustCompile(`id="` + regexp.QuoteMeta(id) + `"[^>]*value="([^"]*)"`)
	m := re.FindStringSubmatch(body)
	if m == nil || html.UnescapeString(m[1]) != value {
		t.Errorf("%s: field %s shows %v, want %q", what, id, m, value)
	}
}

var reLocation = regexp.MustCompile(`^/kontor/grupper/([0-9a-f-]{36})\?melding=opprettet$`)

// A coordinator creates a group with a weekly schedule, sees errors that
// keep what was typed, edits it, changes its status with a reason, which
// the history shows with their name, and verifies it; every change is in
// the audit log with the coordinator as the actor.
func TestOfficeGroupRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newOfficeFixture(t, st)
		c := f.signIn(t, "coordHouse")
		me := f.users["coordHouse"]
		h1, v1, r1 := f.orgs["house1"], f.venues["house1"], f.rooms["house1"]

		form := url.Values{"organisation": {h1.ID}, "name_nb": {""}, "name_en": {"Grief group"},
			"description_nb": {"For deg som har mistet noen – «nær» deg."}, "model": {f.model.ID},
			"themes": {f.themes[0].ID, f.themes[1].ID}, "format": {"in_person"}, "languages": {"nb", "se"},
			"age_group": {"adults"}, "gender": {"everyone"}, "join": {"via_house"}, "takes_new": {"1"}, "status": {"recruiting"},
			"capacity": {"mange"}, "start_date": {"31.2.2026"}, "start_time": {"25:00"}, "duration": {"90"}, "repeat": {"weekly"},
			"tz": {"Europe/Oslo"}, "venue": {f.venues["house2"].ID}, "room": {""}, "municipality": {""}}
		r := c.post("/kontor/grupper/ny", form)
		wantFormErrors(t, "new group with errors", r, "name_nb", "capacity", "start_date", "start_time", "venue")
		wantValue(t, "new group with errors", r.body, "capacity", "mange")
		wantValue(t, "new group with errors", r.body, "start_date", "31.2.2026")
		wantValue(t, "new group with errors", r.body, "name_en", "Grief group")
		if !strings.Contains(r.body, ">For deg som har mistet noen – «nær» deg.</textarea>") ||
			!strings.Contains(r.body, `value="se" checked`) || !strings.Contains(r.body, `value="`+f.themes[1].ID+`" checked`) {
			t.Error("the form does not keep the description, languages or themes typed")
		}
		// A custom rule that is not in the subset, and a venue for a video group.
		form.Set("name_nb", "Sorggruppe Tromsø")
		form.Set("capacity", "8")
		form.Set("start_date", "2026-03-03")
		form.Set("start_time", "18:00")
		form.Set("repeat", "custom")
		form.Set("rrule", "FREQ=DAILY")
		form.Set("venue", v1.ID)
		form.Set("format", "video")
		wantFormErrors(t, "a daily rule and a venue for video", c.post("/kontor/grupper/ny", form), "rrule", "venue")

		form.Set("format", "in_person")
		form.Set("repeat", "weekly")
		form.Set("rrule", "")
		form.Set("room", r1.ID)
		r = c.post("/kontor/grupper/ny", form)
		m := reLocation.FindStringSubmatch(r.location())
		if r.status != http.StatusSeeOther || m == nil {
			t.Fatalf("create: %d %q\n%s", r.status, r.location(), errorSummary(r.body))
		}
		g, err := st.Group(ctx, m[1])
		if err != nil {
			t.Fatal(err)
		}
		oslo, _ := time.LoadLocation("Europe/Oslo")
		if g.Slug != "sorggruppe-tromso" || g.OrgID != h1.ID || g.Schedule.RRule != "FREQ=WEEKLY;BYDAY=TU" ||
			!g.Schedule.Start.Equal(time.Date(2026, 3, 3, 18, 0, 0, 0, oslo)) || g.Schedule.DurationMin != 90 ||
			g.VenueID != v1.ID || g.RoomID != r1.ID || g.MunicipalityID != "5501" || g.Status != domain.StatusRecruiting ||
			len(g.ThemeIDs) != 2 || strings.Join(g.Languages, ",") != "nb,se" || g.Capacity != 8 || !g.TakesNewMembers ||
			g.Name["en"] != "Grief group" {
			t.Errorf("created group %+v", g)
		}
		r = c.get(r.location())
		checkOfficeHTML(t, "group page", r, "nb")
		for _, s := range []string{"Opprettet.", "Hver tirsdag kl. 18.00–19.30", "Hans Huset", "Søker deltakere", "Aldri bekreftet"} {
			if !strings.Contains(html.UnescapeString(r.body), s) {
				t.Errorf("group page lacks %q", s)
			}
		}

		// The edit form shows what is stored; a monthly rule on the first Tuesday.
		edit := "/kontor/grupper/" + g.ID + "/endre"
		r = c.get(edit)
		wantValue(t, "edit form", r.body, "start_date", "2026-03-03")
		wantValue(t, "edit form", r.body, "start_time", "18:00")
		if !strings.Contains(r.body, `value="weekly" checked`) || !strings.Contains(r.body, `value="`+r1.ID+`" selected`) {
			t.Error("the edit form does not show the weekly schedule or the room")
		}
		form = officeGroupValues(g)
		form.Set("repeat", "monthly")
		form.Set("rrule", "")
		form.Set("name_nb", "Sorggruppe i Tromsø")
		wantRedirect(t, "edit", c.post(edit, form), "/kontor/grupper/"+g.ID+"?melding=lagret")
		g2, _ := st.Group(ctx, g.ID)
		if g2.Schedule.RRule != "FREQ=MONTHLY;BYDAY=1TU" || g2.Name["nb"] != "Sorggruppe i Tromsø" || g2.Slug != g.Slug {
			t.Errorf("edited group %+v", g2)
		}
		// The last Tuesday of March 2026 is the 31st: "last" needs such a date.
		form.Set("repeat", "monthly_last")
		wantFormErrors(t, "last Tuesday from the 3rd", c.post(edit, form), "repeat")
		form.Set("start_date", "31.3.2026")
		wantRedirect(t, "last Tuesday", c.post(edit, form), "/kontor/grupper/"+g.ID+"?melding=lagret")
		if g2, _ = st.Group(ctx, g.ID); g2.Schedule.RRule != "FREQ=MONTHLY;BYDAY=-1TU" {
			t.Errorf("rule %q", g2.Schedule.RRule)
		}
		// The edit form cannot change the status.
		form.Set("status", "ended")
		wantRedirect(t, "edit with a status", c.post(edit, form), "/kontor/grupper/"+g.ID+"?melding=lagret")
		if g2, _ = st.Group(ctx, g.ID); g2.Status != domain.StatusRecruiting {
			t.Errorf("the edit form changed the status to %s", g2.Status)
		}

		// Status: a reason is needed, and another status.
		status := "/kontor/grupper/" + g.ID + "/status"
		r = c.post(status, url.Values{"status": {"running"}, "reason": {"  "}})
		wantFormErrors(t, "status without a reason", r, "reason")
		r = c.post(status, url.Values{"status": {"recruiting"}, "reason": {"Ingen endring"}})
		wantFormErrors(t, "the same status", r, "status")
		if !strings.Contains(r.body, ">Ingen endring</textarea>") {
			t.Error("the status form does not keep the reason")
		}
		wantRedirect(t, "status", c.post(status, url.Values{"status": {"running"}, "reason": {"Gruppa er full og har startet."}}),
			"/kontor/grupper/"+g.ID+"?melding=status")
		hist, _ := st.GroupHistory(ctx, g.ID)
		if len(hist) != 2 || hist[1].Status != domain.StatusRunning || hist[1].Reason != "Gruppa er full og har startet." || hist[1].ChangedBy != me.ID {
			t.Errorf("history %+v", hist)
		}
		r = c.get("/kontor/grupper/" + g.ID)
		page := html.UnescapeString(r.body)
		i := strings.Index(page, `id="status-history"`)
		if i < 0 || !strings.Contains(page[i:], "I gang") || !strings.Contains(page[i:], "Gruppa er full og har startet.") ||
			!strings.Contains(page[i:], "av Hans Huset") {
			t.Errorf("the history does not show the status change")
		}
		if !strings.Contains(page, "Endret: navn, tidspunkt") {
			t.Errorf("the changes do not name the fields")
		}

		// Verify: now, in the store and on the page.
		f.clock.Add(10 * time.Minute)
		wantRedirect(t, "verify", c.post("/kontor/grupper/"+g.ID+"/bekreft", url.Values{}), "/kontor/grupper/"+g.ID+"?melding=bekreftet")
		g2, _ = st.Group(ctx, g.ID)
		if !g2.VerifiedAt.Equal(f.clock.Now().UTC().Truncate(time.Microsecond)) {
			t.Errorf("verified at %v, want %v", g2.VerifiedAt, f.clock.Now())
		}
		if r := c.get("/kontor/grupper/" + g.ID + "?melding=bekreftet"); !strings.Contains(r.body, "2. mars 2026 kl. 09.10") {
			t.Error("the page does not show the verification")
		}

		// The audit log: every change by the coordinator, from their network.
		log, _ := st.AuditLog(ctx, store.AuditFilter{ObjectType: "group", ObjectID: g.ID})
		if len(log) != 5 { // the edit that changed nothing is not one
			t.Errorf("%d audit entries, want 5 (create, 2 edits, status, verify)", len(log))
		}
		for _, e := range log {
			if e.ActorID != me.ID || e.Source != "127.0.0.0/24" || e.OrgID != h1.ID {
				t.Errorf("audit entry %s by %q from %q in %q", e.Action, e.ActorID, e.Source, e.OrgID)
			}
		}
		if log[0].Action != "group.update" || log[0].Detail["changed"].(map[string]any)["VerifiedAt"] == nil {
			t.Errorf("last entry %+v", log[0])
		}

		// The list: filters and what it shows.
		r = c.get("/kontor/grupper?status=running")
		if !strings.Contains(r.body, "Sorggruppe i Tromsø") || strings.Contains(r.body, "Gruppe house1<") {
			t.Error("the status filter does not work")
		}
		checkOfficeHTML(t, "filtered list", r, "nb")
		if r := c.get("/en/kontor/grupper?status=recruiting"); !strings.Contains(r.body, "Gruppe house1") || !strings.Contains(r.body, "1 group") {
			t.Error("the English list")
		}
	})
}

// A coordinator of the district creates an organisation under it, with
// municipalities; errors keep what was typed; the organisation cannot be
// put under itself; the changes carry the coordinator in the audit log.
func TestOfficeOrganisationRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newOfficeFixture(t, st)
		c := f.signIn(t, "coordDistrict")
		d := f.orgs["district"]
		r := c.get("/kontor/organisasjoner/ny?forelder=" + d.ID)
		checkOfficeHTML(t, "new organisation", r, "nb")
		if !strings.Contains(r.body, `<option value="`+d.ID+`" selected>`) || strings.Contains(r.body, f.orgs["other"].ID) ||
			strings.Contains(r.body, `value="`+f.orgs["national"].ID+`"`) {
			t.Error("the parent select offers the wrong organisations")
		}
		form := url.Values{"name": {"Huset Narvik"}, "slug": {"huset-tromso"}, "kind": {"self_help_house"}, "parent": {d.ID},
			"email": {"post.narvik"}, "website": {"ftp://narvik.example"}, "phone": {"ring oss"},
			"municipalities": {"1806", "1875"}, "hours_nb": {"Tirsdag 10–14"}}
		r = c.post("/kontor/organisasjoner/ny", form)
		wantFormErrors(t, "new organisation with errors", r, "slug", "email", "phone", "website")
		wantValue(t, "errors", r.body, "email", "post.narvik")
		if !strings.Contains(r.body, `id="m-1806" name="municipalities" value="1806" checked`) || !strings.Contains(r.body, ">Tirsdag 10–14</textarea>") {
			t.Error("the form does not keep the municipalities or the opening hours")
		}
		form.Set("slug", "Huset Narvik!")
		wantFormErrors(t, "a slug with spaces", c.post("/kontor/organisasjoner/ny", form), "slug", "email", "phone", "website")
		form.Set("slug", "")
		form.Set("email", "post@narvik.example")
		form.Set("website", "https://narvik.example")
		form.Set("phone", "+47 00 00 00 01")
		r = c.post("/kontor/organisasjoner/ny", form)
		if r.status != http.StatusSeeOther {
			t.Fatalf("create: %d\n%s", r.status, errorSummary(r.body))
		}
		o, err := st.Organisation(ctx, "huset-narvik")
		if err != nil || o.ParentID != d.ID || strings.Join(o.Municipalities, ",") != "1806,1875" || o.OpeningHours["nb"] != "Tirsdag 10–14" {
			t.Fatalf("created %+v %v", o, err)
		}
		wantRedirect(t, "create", r, "/kontor/organisasjoner/"+o.ID+"?melding=opprettet")
		r = c.get("/kontor/organisasjoner/" + o.ID + "?melding=opprettet")
		if !strings.Contains(r.body, "Opprettet.") || !strings.Contains(r.body, `<details open>`) {
			t.Error("the edit page lacks the notice, or does not open the county with chosen municipalities")
		}
		// Move house2 under the new house: allowed. The district under house1: a loop.
		h2, _ := st.Organisation(ctx, f.orgs["house2"].ID)
		form = officeOrgValues(h2)
		form.Set("parent", o.ID)
		wantRedirect(t, "move house2", c.post("/kontor/organisasjoner/"+h2.ID, form), "/kontor/organisasjoner/"+h2.ID+"?melding=lagret")
		if h2, _ = st.Organisation(ctx, h2.ID); h2.ParentID != o.ID {
			t.Error("house2 not moved")
		}
		form = officeOrgValues(d)
		form.Set("parent", f.orgs["house1"].ID)
		wantFormErrors(t, "the district under its own house", c.post("/kontor/organisasjoner/"+d.ID, form), "parent")
		// The district's own parent (the national centre) is shown, and may stay.
		r = c.get("/kontor/organisasjoner/" + d.ID)
		if !strings.Contains(r.body, `<option value="`+f.orgs["national"].ID+`" selected>`) {
			t.Error("the district's edit form does not show its parent")
		}
		form.Set("parent", d.ParentID)
		form.Set("description_en", "The district office in the north.")
		wantRedirect(t, "save the district", c.post("/kontor/organisasjoner/"+d.ID, form), "/kontor/organisasjoner/"+d.ID+"?melding=lagret")
		// Its public address: one of its own venues only.
		form.Set("venue", f.venues["house1"].ID)
		wantFormErrors(t, "another's venue as the address", c.post("/kontor/organisasjoner/"+d.ID, form), "venue")
		form.Set("venue", f.venues["district"].ID)
		wantRedirect(t, "own venue as the address", c.post("/kontor/organisasjoner/"+d.ID, form), "/kontor/organisasjoner/"+d.ID+"?melding=lagret")
		log, _ := st.AuditLog(ctx, store.AuditFilter{ActorID: f.users["coordDistrict"].ID, ObjectType: "organisation"})
		if len(log) != 4 {
			t.Errorf("%d organisation entries by the coordinator, want 4", len(log))
		}
	})
}

// Venues and rooms: a venue with coordinates written the Norwegian way,
// errors next to the fields, a room with its capacity.
func TestOfficeVenueRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newOfficeFixture(t, st)
		c := f.signIn(t, "coordHouse")
		h1 := f.orgs["house1"]
		form := url.Values{"organisation": {h1.ID}, "name": {"Biblioteket"}, "street": {"Grønnegata 1"}, "postal_code": {"90"},
			"city": {"Tromsø"}, "municipality": {""}, "lat": {"69,6496"}, "lon": {""}, "step_free": {"1"}, "address_public": {"0"}}
		r := c.post("/kontor/steder/ny", form)
		wantFormErrors(t, "new venue with errors", r, "postal_code", "municipality", "lon")
		wantValue(t, "errors", r.body, "lat", "69,6496")
		if !strings.Contains(r.body, `id="step_free" name="step_free" value="1" checked`) || !strings.Contains(r.body, `value="0" checked`) {
			t.Error("the form does not keep the boxes")
		}
		form.Set("postal_code", "9008")
		form.Set("municipality", "5501")
		form.Set("lon", "18,956")
		r = c.post("/kontor/steder/ny", form)
		if r.status != http.StatusSeeOther {
			t.Fatalf("create: %d\n%s", r.status, errorSummary(r.body))
		}
		id := strings.TrimSuffix(strings.TrimPrefix(r.location(), "/kontor/steder/"), "?melding=opprettet")
		x, err := st.Venue(ctx, id)
		if err != nil || x.Lat != 69.6496 || x.Lon != 18.956 || !x.HasCoordinates || !x.StepFree || x.AddressPublic || x.OrgID != h1.ID {
			t.Fatalf("venue %+v %v", x, err)
		}
		r = c.get("/kontor/steder/" + id)
		wantValue(t, "edit venue", r.body, "lat", "69,6496")
		r = c.post("/kontor/steder/"+id+"/rom/ny", url.Values{"name": {""}, "capacity": {"ti"}})
		wantFormErrors(t, "new room with errors", r, "name", "capacity")
		wantValue(t, "room errors", r.body, "capacity", "ti")
		r = c.post("/kontor/steder/"+id+"/rom/ny", url.Values{"name": {""}, "equipment_projector": {"1"}, "room_hearing_loop": {"1"}})
		if !strings.Contains(r.body, `id="equipment_projector" name="equipment_projector" value="1" checked`) ||
			!strings.Contains(r.body, `id="room_hearing_loop" name="room_hearing_loop" value="1" checked`) {
			t.Error("the room form with an error does not keep the boxes ticked")
		}
		wantRedirect(t, "new room", c.post("/kontor/steder/"+id+"/rom/ny", url.Values{"name": {"Lesesalen"}, "capacity": {"12"},
			"equipment_coffee": {"1"}, "equipment_screen": {"1"}, "room_step_free": {"1"}}),
			"/kontor/steder/"+id+"?melding=opprettet")
		rooms, _ := st.Rooms(ctx, id)
		if len(rooms) != 1 || rooms[0].Capacity != 12 || !slices.Equal(rooms[0].Equipment, []string{"screen", "coffee"}) ||
			!rooms[0].StepFree || rooms[0].HearingLoop {
			t.Fatalf("rooms %+v", rooms)
		}
		if r := c.get("/kontor/steder/" + id + "/rom/" + rooms[0].ID); !strings.Contains(r.body, `name="equipment_screen" value="1" checked`) ||
			strings.Contains(r.body, `name="equipment_projector" value="1" checked`) {
			t.Error("the room form does not show the room's equipment")
		}
		wantRedirect(t, "edit room", c.post("/kontor/steder/"+id+"/rom/"+rooms[0].ID, url.Values{"name": {"Lesesalen"}, "capacity": {""}}),
			"/kontor/steder/"+id+"?melding=lagret")
		if rooms, _ = st.Rooms(ctx, id); rooms[0].Capacity != 0 {
			t.Errorf("capacity %d after clearing it", rooms[0].Capacity)
		}
		r = c.get("/kontor/steder?organisasjon=" + h1.ID)
		if !strings.Contains(r.body, ">Biblioteket</a>") || !strings.Contains(r.body, "Lesesalen") || strings.Contains(r.body, "Stua house2") {
			t.Error("the venues of house1")
		}
		// A partner sees the venue, but not its hidden address.
		partner := f.signIn(t, "partner")
		if r := partner.get("/kontor/steder?organisasjon=" + h1.ID); !strings.Contains(r.body, "Biblioteket") ||
			strings.Contains(r.body, "Grønnegata") || !strings.Contains(r.body, "Gata ") {
			t.Error("a partner sees a hidden address, or not a public one")
		}
		for _, e := range mustAudit(t, st, store.AuditFilter{ActorID: f.users["coordHouse"].ID}) {
			if e.ObjectType == "room" || e.ObjectType == "venue" {
				continue
			}
			if !strings.HasPrefix(e.Action, "signin") && e.Action != "totp.enable" {
				t.Errorf("unexpected entry %s", e.Action)
			}
		}
	})
}

func mustAudit(t *testing.T, st *store.Store, f store.AuditFilter) []store.AuditEntry {
	t.Helper()
	log, err := st.AuditLog(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	return log
}

// Themes and group models, by an administrator.
func TestOfficeTaxonomyRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newOfficeFixture(t, st)
		c := f.signIn(t, "admin")
		r := c.post("/kontor/tema/ny", url.Values{"name_nb": {"Sorg og savn"}, "name_se": {"Moraš"}, "slug": {"sorg"}, "sort_order": {"først"}})
		wantFormErrors(t, "theme with errors", r, "slug", "sort_order")
		wantValue(t, "theme errors", r.body, "name_se", "Moraš")
		wantRedirect(t, "new theme", c.post("/kontor/tema/ny", url.Values{"name_nb": {"Samlivsbrudd"}, "name_en": {"Divorce"},
			"name_se": {"Eallinguoimmis"}, "sort_order": {"7"}, "active": {"1"}}), "/kontor/tema?melding=opprettet")
		themes, _ := st.Themes(ctx)
		var th domain.Theme
		for _, x := range themes {
			if x.Slug == "samlivsbrudd" {
				th = x
			}
		}
		if th.ID == "" || th.Name["se"] != "Eallinguoimmis" || th.SortOrder != 7 || !th.Active {
			t.Fatalf("theme %+v", th)
		}
		wantRedirect(t, "deactivate", c.post("/kontor/tema/"+th.ID, url.Values{"name_nb": {"Samlivsbrudd"}, "slug": {"samlivsbrudd"},
			"sort_order": {"7"}}), "/kontor/tema?melding=lagret")
		themes, _ = st.Themes(ctx)
		for _, x := range themes {
			if x.ID == th.ID && (x.Active || x.Name["en"] != "") {
				t.Errorf("theme after edit %+v", x)
			}
		}
		r = c.post("/kontor/modeller/ny", url.Values{"name_nb": {"Likepersongruppe"}, "intake": {"sometimes"}, "leadership": {"peer"},
			"size_min": {"8"}, "size_max": {"4"}, "default_join": {"contact_org"}, "sort_order": {"2"}})
		wantFormErrors(t, "model with errors", r, "intake", "size_max")
		wantRedirect(t, "new model", c.post("/kontor/modeller/ny", url.Values{"name_nb": {"Likepersongruppe"}, "name_en": {"Peer group"},
			"intake": {"varies"}, "leadership": {"peer"}, "size_min": {"4"}, "size_max": {"10"}, "default_join": {"contact_org"},
			"sort_order": {"2"}, "who_nb": {"Alle med erfaring"}}), "/kontor/modeller?melding=opprettet")
		models, _ := st.Models(ctx)
		found := false
		for _, m := range models {
			if m.Slug == "likepersongruppe" && m.SizeMax == 10 && m.WhoMayCome["nb"] == "Alle med erfaring" && m.Leadership == domain.LeadPeer {
				found = true
			}
		}
		if !found {
			t.Errorf("model not created: %+v", models)
		}
		if r := c.get("/kontor/modeller"); !strings.Contains(r.body, "Likepersongruppe") || !strings.Contains(r.body, "4–10 deltakere") {
			t.Error("the list of models")
		}
		for _, e := range mustAudit(t, st, store.AuditFilter{Action: "theme."}) {
			if e.ActorID != f.users["admin"].ID && e.ActorID != "test" {
				t.Errorf("theme entry by %q", e.ActorID)
			}
		}
	})
}

// The audit log: searched by who, what, which object, organisation and
// date, newest first, a page at a time; nothing on the page can change it.
func TestOfficeAuditSearch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newOfficeFixture(t, st)
		coord := f.signIn(t, "coordHouse")
		g := f.groups["house1"]
		for i := range 3 {
			form := officeGroupValues(g)
			form.Set("capacity", string(rune('4'+i)))
			wantRedirect(t, "edit", coord.post("/kontor/grupper/"+g.ID+"/endre", form), "/kontor/grupper/"+g.ID+"?melding=lagret")
		}
		// Enough entries for two pages.
		actx := store.WithActor(ctx, store.Actor{ID: "test"})
		th := f.themes[0]
		for i := range 55 {
			th.SortOrder = 100 + i
			if err := st.SaveTheme(actx, &th); err != nil {
				t.Fatal(err)
			}
		}
		c := f.signIn(t, "admin")
		r := c.get("/kontor/logg")
		checkOfficeHTML(t, "/kontor/logg", r, "nb")
		if n := strings.Count(r.body, `<li id="entry-`); n != 50 {
			t.Errorf("%d entries on the first page, want 50", n)
		}
		if strings.Count(r.body, `method="post"`) != 1 { // signing out
			t.Error("the log page has a form that changes something")
		}
		next := regexp.MustCompile(`href="(/kontor/logg\?eldre=\d+)" rel="next"`).FindStringSubmatch(r.body)
		if next == nil {
			t.Fatal("no link to older entries")
		}
		r2 := c.get(html.UnescapeString(next[1]))
		if n := strings.Count(r2.body, `<li id="entry-`); n == 0 || n > 50 {
			t.Errorf("%d entries on the second page", n)
		}
		ids := func(body string) []int {
			var out []int
			for _, m := range regexp.MustCompile(`<li id="entry-(\d+)"`).FindAllStringSubmatch(body, -1) {
				n, _ := strconv.Atoi(m[1])
				out = append(out, n)
			}
			return out
		}
		first, second := ids(r.body), ids(r2.body)
		all := append(slices.Clone(first), second...)
		if !slices.IsSortedFunc(all, func(a, b int) int { return b - a }) || len(slices.Compact(slices.Clone(all))) != len(all) {
			t.Errorf("the pages are not newest first without repeats: %v", all)
		}

		q := url.Values{"bruker": {f.users["coordHouse"].ID}, "handling": {"group."}, "type": {"group"}, "objekt": {g.ID},
			"organisasjon": {f.orgs["house1"].ID}, "fra": {time.Now().AddDate(0, 0, -1).Format("2006-01-02")},
			"til": {time.Now().AddDate(0, 0, 1).Format("2006-01-02")}} // the log is in real time
		r = c.get("/kontor/logg?" + q.Encode())
		checkOfficeHTML(t, "search", r, "nb")
		if n := strings.Count(r.body, `<li id="entry-`); n != 3 {
			t.Errorf("%d entries by the coordinator about the group, want 3", n)
		}
		if !strings.Contains(r.body, "Hans Huset") || !strings.Contains(r.body, "Endret</dt><dd>antall plasser") ||
			!strings.Contains(r.body, `href="/kontor/grupper/`+g.ID+`"`) || !strings.Contains(r.body, "Huset Tromsø") {
			t.Error("the entries do not show who, what changed and where")
		}
		wantValue(t, "search", r.body, "handling", "group.")
		if r := c.get("/kontor/logg?handling=signin.&bruker=" + f.users["coordHouse"].ID); !strings.Contains(r.body, "signin.ok") ||
			strings.Contains(r.body, "group.update") {
			t.Error("search by action prefix")
		}
		if r := c.get("/kontor/logg?til=2000-01-01"); !strings.Contains(r.body, "Ingen oppføringer passer.") {
			t.Error("a date range before anything happened")
		}
		r = c.get("/kontor/logg?fra=2026-05-01&til=2026-04-01&type=Group!")
		wantFormErrors(t, "bad search", r, "type", "til")
		// The English page.
		if r := c.get("/en/kontor/logg?type=group"); r.status != 200 || !strings.Contains(r.body, "Entries, newest first") {
			t.Errorf("English log: %d", r.status)
		}
	})
}

// Through the whole application: a cross-site POST to any form of the
// directory is refused before any handler runs, and changes nothing; the
// same request from the site itself goes through.
func TestOfficeCrossSiteRefused(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	f := newOfficeFixture(t, st)
	srv := httptest.NewServer(app.Handler(st, finder.New(st), slog.New(slog.DiscardHandler)))
	defer srv.Close()
	c := newClient(t, srv)
	wantRedirect(t, "sign-in through the app", c.signIn(officeEmails["coordHouse"], staffPassword), "/kontor/totp")
	secret := secretOf(t, c.get("/kontor/totp").body)
	wantRedirect(t, "enrol", c.post("/kontor/totp", url.Values{"code": {code(t, secret, time.Now())}}), "/kontor?melding=totp")
	g, v := f.groups["house1"], f.venues["house1"]
	before := officeSnapshot(t, st)
	for _, h := range [][]string{{"Sec-Fetch-Site", "cross-site"}, {"Origin", "https://evil.example"}} {
		for _, p := range []string{"/kontor/grupper/" + g.ID + "/bekreft", "/kontor/grupper/" + g.ID + "/status",
			"/kontor/grupper/" + g.ID + "/endre", "/kontor/grupper/ny", "/kontor/organisasjoner/" + f.orgs["house1"].ID,
			"/kontor/organisasjoner/ny", "/kontor/steder/" + v.ID, "/kontor/steder/ny", "/kontor/steder/" + v.ID + "/rom/ny",
			"/kontor/tema/ny", "/kontor/modeller/ny"} {
			form := officeGroupValues(g)
			form.Set("reason", "fra et annet nettsted")
			form.Set("status", "ended")
			if r := c.post(p, form, h...); r.status != http.StatusForbidden {
				t.Errorf("%s with %s: %d, want 403", p, h[0], r.status)
			}
		}
	}
	if officeSnapshot(t, st) != before {
		t.Error("a cross-site request changed the directory")
	}
	wantRedirect(t, "same-origin verify", c.post("/kontor/grupper/"+g.ID+"/bekreft", url.Values{}, "Sec-Fetch-Site", "same-origin"),
		"/kontor/grupper/"+g.ID+"?melding=bekreftet")
	if g2, _ := st.Group(context.Background(), g.ID); g2.VerifiedAt.IsZero() {
		t.Error("the same-origin request did not verify the group")
	}
}
