package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// matchingSeed puts confirmed, waiting enquiries in an organisation of the
// office fixture: people in Tromsø who take part in person, on the first
// theme, with e-mail contacts; it returns their IDs.
func matchingSeed(t testing.TB, f *officeFixture, org string, n int, name string) []string {
	t.Helper()
	var ids []string
	for i := range n {
		ids = append(ids, matchingSeedOne(t, f, org, fmt.Sprintf("%s%d", name, i+1), "5501", false, 20-i))
	}
	return ids
}

// matchingSeedOne puts one person in the pool: living in muni, waiting
// for days.
func matchingSeedOne(t testing.TB, f *officeFixture, org, name, muni string, notOwn bool, days int) string {
	t.Helper()
	ctx := store.WithActor(context.Background(), store.Actor{ID: f.users["coordHouse"].ID})
	e := store.Enquiry{OrgID: f.orgs[org].ID, Channel: "phone", Name: name, ContactKind: "email",
		Contact: strings.ToLower(name) + "@example.no", Municipality: muni, TravelKm: 25, NotOwnMunicipality: notOwn,
		Formats: []string{"in_person"}, Themes: []string{f.themes[0].ID}, Adult: true, ConsentVersion: "2026-11",
		ConsentRecordedBy: f.users["coordHouse"].ID, OwnWords: "Jeg vil snakke om sorg"}
	_, hash := store.NewLinkToken()
	at := f.clock.Now().Add(-time.Duration(days) * 24 * time.Hour)
	if err := f.st.CreateEnquiry(ctx, &e, hash, at, store.DefaultRetention); err != nil {
		t.Fatal(err)
	}
	if err := f.st.SetEnquiryStatus(ctx, e.ID, store.StatusChange{To: store.EnquiryWaiting}, at, store.DefaultRetention); err != nil {
		t.Fatal(err)
	}
	return e.ID
}

// matchingForm invites people to the fixture's group of org (a closed,
// recruiting group), through the store; it returns the tokens by enquiry.
func matchingForm(t testing.TB, f *officeFixture, org string, ids []string) map[string]string {
	t.Helper()
	return matchingFormGroup(t, f, f.groups[org].ID, org, ids)
}

var reMatchingID = regexp.MustCompile(`\b(?:matching|office)\.[a-z][a-z0-9_.]*[a-z0-9]\b`)

// checkMatchingHTML checks a page of the area: what every staff page must
// be, and no message id left unresolved.
func checkMatchingHTML(t *testing.T, target string, r resp) {
	t.Helper()
	checkStaffHTML(t, target, r, "nb")
	body := regexp.MustCompile(`class="[^"]*"|id="[^"]*"|[\w.-]+@[\w.-]+`).ReplaceAllString(r.body, "")
	if m := reMatchingID.FindString(body); m != "" {
		t.Errorf("%s: the catalogue lacks %q", target, m)
	}
}

// TestMatchingRoles: a coordinator of house1 reads house1's enquiries and
// gets 404 for house2's, by GET and by every POST with a forged ID; the
// district's coordinator reads both; a starter and a partner get 404 on
// every route of the area; the signed-out go to the sign-in page.
func TestMatchingRoles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newOfficeFixture(t, st)
		mine := matchingSeed(t, f, "house1", 4, "Anne")
		theirs := matchingSeed(t, f, "house2", 1, "Bodil")[0]
		g1, g2 := f.groups["house1"].ID, f.groups["house2"].ID
		more := matchingSeed(t, f, "house1", 4, "Berit")
		matchingForm(t, f, "house1", more)
		matchingForm(t, f, "house2", append(matchingSeed(t, f, "house2", 3, "Bodil"), theirs)[:1])
		routes := []struct {
			method, path string
			form         url.Values
		}{
			{"GET", "/kontor/henvendelser", nil},
			{"POST", "/kontor/henvendelser", url.Values{"name": {"Anne"}}},
			{"GET", "/kontor/henvendelser/ny", nil},
			{"POST", "/kontor/henvendelser/oppslag", url.Values{"lookup_kind": {"email"}, "lookup_contact": {"anne1@example.no"}}},
			{"GET", "/kontor/henvendelser/" + mine[0], nil},
			{"GET", "/kontor/grupper-i-emning", nil},
			{"POST", "/kontor/grupper-i-emning/ny", url.Values{"e": mine}},
			{"GET", "/kontor/grupper-i-emning/" + g1, nil},
		}
		forged := []struct {
			method, path string
			form         url.Values
		}{
			{"GET", "/kontor/henvendelser/" + theirs, nil},
			{"POST", "/kontor/henvendelser/" + theirs, url.Values{"intake_note": {"x"}}},
			{"POST", "/kontor/henvendelser/" + theirs + "/status", url.Values{"to": {"paused"}}},
			{"POST", "/kontor/henvendelser/" + theirs + "/videreformidle", url.Values{"pass_consent": {"1"}}},
			{"POST", "/kontor/grupper-i-emning/ny", url.Values{"e": {mine[0], mine[1], mine[2], theirs}}},
			{"POST", "/kontor/grupper-i-emning/ny", url.Values{"e": mine, "gruppe": {g2}}},
			{"POST", "/kontor/henvendelser/ny", url.Values{"organisation": {f.orgs["house2"].ID}}},
			{"GET", "/kontor/grupper-i-emning/" + g2, nil},
			{"POST", "/kontor/grupper-i-emning/" + g2 + "/start", url.Values{}},
			{"POST", "/kontor/grupper-i-emning/" + g2 + "/overlevert", url.Values{}},
			{"GET", "/kontor/grupper-i-emning?gruppe=" + g2, nil},
		}
		send := func(c *client, method, path string, form url.Values) resp {
			if method == "GET" {
				return c.get(path)
			}
			return c.post(path, form)
		}
		for _, key := range []string{"coordHouse", "coordDistrict", "admin", "starter", "partner", "anonymous"} {
			c := f.signIn(t, key)
			for _, rt := range routes {
				r := send(c, rt.method, rt.path, rt.form)
				switch key {
				case "coordHouse", "coordDistrict", "admin":
					if r.status != http.StatusOK {
						t.Errorf("%s %s %s: %d, want 200", key, rt.method, rt.path, r.status)
					} else {
						checkMatchingHTML(t, key+" "+rt.path, r)
					}
				case "anonymous":
					if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location(), "/logg-inn") {
						t.Errorf("anonymous %s %s: %d %q", rt.method, rt.path, r.status, r.location())
					}
				default:
					if r.status != http.StatusNotFound {
						t.Errorf("%s %s %s: %d, want 404", key, rt.method, rt.path, r.status)
					}
				}
			}
			if key != "coordHouse" && key != "starter" && key != "partner" {
				continue
			}
			for _, rt := range forged {
				r := send(c, rt.method, rt.path, rt.form)
				if r.status != http.StatusNotFound {
					t.Errorf("%s %s %s (another house's): %d, want 404", key, rt.method, rt.path, r.status)
				}
				if strings.Contains(r.body, "Bodil") {
					t.Errorf("%s %s %s: shows another house's person", key, rt.method, rt.path)
				}
			}
		}
		// Nothing of house2's enquiry changed, and no read of it was
		// recorded for the coordinator of house1.
		e, err := st.ReadEnquiry(context.Background(), theirs)
		if err != nil || e.Status != store.EnquiryWaiting || e.IntakeNote != "" {
			t.Errorf("house2's enquiry after forged posts: %s %q %v", e.Status, e.IntakeNote, err)
		}
		reads, _ := st.AuditLog(context.Background(), store.AuditFilter{Action: "enquiry.read", ObjectID: theirs,
			ActorID: f.users["coordHouse"].ID})
		if len(reads) != 0 {
			t.Errorf("a forged read was recorded as a read: %+v", reads)
		}
	})
}

// TestMatchingAuditedReads: the inbox writes one enquiry.list row naming
// what it showed, and an enquiry's page one enquiry.read row, by the
// coordinator.
func TestMatchingAuditedReads(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newOfficeFixture(t, st)
		ids := matchingSeed(t, f, "house1", 2, "Anne")
		c := f.signIn(t, "coordHouse")
		me := f.users["coordHouse"].ID
		ctx := context.Background()
		r := c.get("/kontor/henvendelser")
		if r.status != 200 || !strings.Contains(r.body, "Anne1") || !strings.Contains(r.body, "Anne2") {
			t.Fatalf("inbox: %d", r.status)
		}
		lists, _ := st.AuditLog(ctx, store.AuditFilter{Action: "enquiry.list", ActorID: me})
		if len(lists) != 1 || !strings.Contains(fmt.Sprint(lists[0].Detail["ids"]), ids[0]) {
			t.Errorf("list audit: %+v", lists)
		}
		r = c.get("/kontor/henvendelser/" + ids[1])
		if r.status != 200 || !strings.Contains(r.body, "anne2@example.no") || !strings.Contains(r.body, "Jeg vil snakke om sorg") {
			t.Fatalf("enquiry page: %d", r.status)
		}
		if !regexp.MustCompile(`<textarea id="intake_note"[^>]*aria-describedby="intake_note-warning`).MatchString(r.body) ||
			!strings.Contains(r.body, `id="intake_note-warning"`) {
			t.Error("the intake note is not described by its warning")
		}
		reads, _ := st.AuditLog(ctx, store.AuditFilter{Action: "enquiry.read", ObjectID: ids[1], ActorID: me})
		if len(reads) != 1 {
			t.Errorf("read audit: %+v", reads)
		}
		// The name filter is posted, never put in a URL, and filters.
		r = c.post("/kontor/henvendelser", url.Values{"name": {"anne2"}})
		if r.status != 200 || strings.Contains(r.body, "Anne1") || !strings.Contains(r.body, "Anne2") {
			t.Errorf("filter by name: %d", r.status)
		}
		// Closing asks for a reason; the intake note is kept.
		r = c.post("/kontor/henvendelser/"+ids[0]+"/status", url.Values{"to": {"closed"}})
		if r.status != http.StatusBadRequest || !strings.Contains(r.body, `id="reason-error"`) {
			t.Errorf("closing without a reason: %d", r.status)
		}
		wantRedirect(t, "note", c.post("/kontor/henvendelser/"+ids[0], url.Values{"intake_note": {"Ønsker kveld"}}),
			"/kontor/henvendelser/"+ids[0]+"?melding=lagret")
		wantRedirect(t, "close", c.post("/kontor/henvendelser/"+ids[0]+"/status", url.Values{"to": {"closed"}, "reason": {"no_group"}}),
			"/kontor/henvendelser/"+ids[0]+"?melding=status")
		e, _ := st.ReadEnquiry(ctx, ids[0])
		if e.Status != store.EnquiryClosed || e.IntakeNote != "Ønsker kveld" {
			t.Errorf("after note and close: %s %q", e.Status, e.IntakeNote)
		}
	})
}

// TestMatchingNewEnquiry: staff enter a phone enquiry with the person's
// consent; without the box ticked it is refused and what was typed is kept;
// the look-up finds it by its phone number afterwards.
func TestMatchingNewEnquiry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newOfficeFixture(t, st)
		c := f.signIn(t, "coordHouse")
		form := url.Values{"organisation": {f.orgs["house1"].ID}, "channel": {"phone"}, "name": {"Kåre"},
			"contact_kind": {"phone"}, "contact": {"912 34 567"}, "municipality": {"5501"}, "travel_km": {"10"},
			"format": {"in_person", "video"}, "slot": {"tue-evening"}, "language": {"nb"}, "adult": {"1"},
			"theme": {f.themes[0].ID}, "own_words": {"Savner mora mi"}}
		r := c.post("/kontor/henvendelser/ny", form)
		if r.status != http.StatusBadRequest || !strings.Contains(r.body, `id="consent-error"`) ||
			!strings.Contains(r.body, `value="Kåre"`) || !strings.Contains(r.body, "Savner mora mi") {
			t.Fatalf("without consent: %d", r.status)
		}
		checkMatchingHTML(t, "new with errors", r)
		form.Set("consent", "1")
		r = c.post("/kontor/henvendelser/ny", form)
		if r.status != http.StatusSeeOther {
			t.Fatalf("with consent: %d", r.status)
		}
		id := strings.TrimSuffix(strings.TrimPrefix(r.location(), "/kontor/henvendelser/"), "?melding=opprettet")
		e, err := st.ReadEnquiry(context.Background(), id)
		if err != nil || e.Status != store.EnquiryNew || e.ConsentRecordedBy != f.users["coordHouse"].ID || e.Contact != "+4791234567" {
			t.Fatalf("stored %+v %v", e, err)
		}
		ms, _ := st.ClaimOutbox(context.Background(), store.ChannelSMS, time.Now().Add(time.Hour), 10, time.Minute)
		if len(ms) != 1 || ms[0].Ref != "enquiry:"+id || !strings.Contains(ms[0].Body, "/min-henvendelse/") {
			t.Errorf("the person's link by SMS: %+v", ms)
		}
		r = c.post("/kontor/henvendelser/oppslag", url.Values{"lookup_kind": {"phone"}, "lookup_contact": {"+47 91234567"}})
		if r.status != 200 || !strings.Contains(r.body, "/kontor/henvendelser/"+id) {
			t.Errorf("look-up: %d", r.status)
		}
		if strings.Contains(r.header.Get("Location"), "912") {
			t.Error("the number in a URL")
		}
	})
}

// TestMatchingAnswerAndStart: the answer page and starting a group,
// without a browser: accept and decline by POST only (a GET changes
// nothing), an expired invitation, a room that is taken (the clash is
// shown), and the start.
func TestMatchingAnswerAndStart(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newOfficeFixture(t, st)
		ids := matchingSeed(t, f, "house1", 5, "Anne")
		tokens := matchingForm(t, f, "house1", ids)
		anon := f.signIn(t, "anonymous")
		r := anon.get("/svar/" + tokens[ids[0]] + "?svar=ja")
		if r.status != 200 || r.header.Get("Cache-Control") != "no-store" || r.header.Get("Referrer-Policy") != "no-referrer" ||
			!strings.Contains(r.body, "Sorg") || strings.Contains(r.body, "Anne") {
			t.Fatalf("answer page: %d %v", r.status, r.header)
		}
		checkMatchingHTML(t, "answer page", r)
		if e, _ := st.ReadEnquiry(context.Background(), ids[0]); e.Status != store.EnquiryInvited {
			t.Errorf("a GET answered: %s", e.Status)
		}
		for i, id := range ids[:4] {
			wantRedirect(t, "accept", anon.post("/svar/"+tokens[id], url.Values{"svar": {"ja"}}), "/svar/"+tokens[id])
			if i == 0 {
				r := anon.get("/svar/" + tokens[id])
				if !strings.Contains(r.body, "Du har sagt ja") {
					t.Errorf("after accepting: %s", r.body)
				}
			}
		}
		if r := anon.post("/svar/"+tokens[ids[4]], url.Values{"svar": {"kanskje"}}); r.status != http.StatusBadRequest {
			t.Errorf("a bad answer: %d", r.status)
		}
		if r := anon.get("/svar/" + strings.Repeat("A", 43)); r.status != http.StatusNotFound {
			t.Errorf("an unknown token: %d", r.status)
		}
		// The room is taken at 18:00 by another booking (house1's other group).
		other := matchingSeed(t, f, "house1", 1, "Berit")
		g := f.groups["house1"]
		c := f.signIn(t, "coordHouse")
		start := url.Values{"date": {"2026-03-10"}, "time": {"18:00"}, "minutes": {"90"}, "room": {f.rooms["house1"].ID},
			"starter": {f.users["starter"].ID}, "follow_up": {"4"}}
		// First a clash: book the room through another formed group.
		g2 := matchingOtherGroup(t, f)
		tok2 := matchingFormGroup(t, f, g2, "house1", other)
		anon.post("/svar/"+tok2[other[0]], url.Values{"svar": {"ja"}})
		wantRedirect(t, "start the other group", c.post("/kontor/grupper-i-emning/"+g2+"/start", start),
			"/kontor/grupper-i-emning/"+g2+"?melding=startet")
		r = c.post("/kontor/grupper-i-emning/"+g.ID+"/start", start)
		if r.status != http.StatusConflict || !strings.Contains(r.body, `id="clashes"`) || !strings.Contains(r.body, "Ny gruppe") {
			t.Fatalf("a clash: %d", r.status)
		}
		checkMatchingHTML(t, "clash", r)
		start.Set("time", "19:30")
		wantRedirect(t, "start", c.post("/kontor/grupper-i-emning/"+g.ID+"/start", start),
			"/kontor/grupper-i-emning/"+g.ID+"?melding=startet")
		for _, id := range ids[:4] {
			if e, _ := st.ReadEnquiry(context.Background(), id); e.Status != store.EnquiryPlaced {
				t.Errorf("placed: %s", e.Status)
			}
		}
		if e, _ := st.ReadEnquiry(context.Background(), ids[4]); e.Status != store.EnquiryWaiting {
			t.Errorf("the one who did not answer: %s", e.Status)
		}
		r = c.get("/kontor/grupper-i-emning/" + g.ID)
		checkMatchingHTML(t, "started", r)
		// The starter (not a coordinator) hands it over; a partner cannot.
		p := f.signIn(t, "partner")
		if r := p.post("/kontor/grupper-i-emning/"+g.ID+"/overlevert", url.Values{}); r.status != http.StatusNotFound {
			t.Errorf("a partner hands over: %d", r.status)
		}
		s := f.signIn(t, "starter")
		if r := s.get("/kontor/grupper-i-emning/" + g.ID); r.status != 200 || strings.Contains(r.body, "Anne") {
			t.Errorf("the starter's view: %d (names shown: %v)", r.status, strings.Contains(r.body, "Anne"))
		}
		wantRedirect(t, "hand over", s.post("/kontor/grupper-i-emning/"+g.ID+"/overlevert", url.Values{}),
			"/kontor/grupper-i-emning/"+g.ID+"?melding=overlevert")
		if gg, _ := st.Group(context.Background(), g.ID); gg.Status != "running" {
			t.Errorf("after the hand-over: %s", gg.Status)
		}
		// Re-forming: the running group takes in one new member in a new round.
		if r := c.get("/kontor/grupper-i-emning/" + g.ID); !strings.Contains(r.body, "?gruppe="+g.ID) {
			t.Error("no link to take in new members")
		}
		nw := matchingSeed(t, f, "house1", 1, "Dag")
		r = c.post("/kontor/grupper-i-emning/ny", url.Values{"step": {"send"}, "gruppe": {g.ID}, "e": nw, "deadline": {"2026-03-20"},
			"needed": {"1"}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("re-forming: %d", r.status)
		}
		if fm, _ := st.FormationOf(context.Background(), g.ID); fm.Reformed != 1 {
			t.Errorf("re-formed %+v", fm)
		}
		// An expired invitation.
		late := matchingSeed(t, f, "house1", 1, "Cecilie")
		tok3 := matchingFormGroup(t, f, matchingOtherGroup(t, f), "house1", late)
		f.clock.Add(8 * 24 * time.Hour)
		r = anon.get("/svar/" + tok3[late[0]])
		if r.status != http.StatusGone || !strings.Contains(r.body, "har gått ut") {
			t.Errorf("expired: %d", r.status)
		}
		if r := anon.post("/svar/"+tok3[late[0]], url.Values{"svar": {"ja"}}); r.status != http.StatusGone {
			t.Errorf("accepting an expired invitation: %d", r.status)
		}
	})
}

// matchingOtherGroup makes another planned closed group in house1.
func matchingOtherGroup(t testing.TB, f *officeFixture) string {
	t.Helper()
	g := f.groups["house1"]
	g.ID, g.Slug, g.Name, g.Status = "", "ny-gruppe-"+store.NewID()[:8], map[string]string{"nb": "Ny gruppe"}, "planned"
	if err := f.st.SaveGroup(store.WithActor(context.Background(), store.Actor{ID: "test"}), &g, "test", ""); err != nil {
		t.Fatal(err)
	}
	return g.ID
}

// matchingFormGroup invites people to a group, through the store.
func matchingFormGroup(t testing.TB, f *officeFixture, group, org string, ids []string) map[string]string {
	t.Helper()
	tokens := map[string]string{}
	ctx := store.WithActor(context.Background(), store.Actor{ID: f.users["admin"].ID})
	_, err := f.st.FormGroup(ctx, store.FormationRequest{GroupID: group, Needed: 1, Deadline: f.clock.Now().Add(7 * 24 * time.Hour),
		EnquiryIDs: ids, OrgIDs: []string{f.orgs[org].ID}, Message: func(e store.Enquiry, token string) (store.OutboxMail, error) {
			tokens[e.ID] = token
			return store.OutboxMail{To: e.Contact, Subject: "Invitasjon", Body: "/svar/" + token, Kind: "formation_invite"}, nil
		}}, f.clock.Now(), store.DefaultRetention)
	if err != nil {
		t.Fatal(err)
	}
	return tokens
}

// TestMatchingFormRules: through the pages, a person who asked not to meet
// in their own municipality blocks a group meeting there; two invitees of a
// small municipality give a warning that must be acknowledged; the
// suggestions rank people and say why the others do not fit.
func TestMatchingFormRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newOfficeFixture(t, st)
		c := f.signIn(t, "coordHouse")
		a := matchingSeedOne(t, f, "house1", "Astrid", "5501", false, 30)
		b := matchingSeedOne(t, f, "house1", "Bjørn", "5501", true, 25)
		tr1 := matchingSeedOne(t, f, "house1", "Trine", "1835", false, 20)
		tr2 := matchingSeedOne(t, f, "house1", "Tor", "1835", false, 10)
		form := url.Values{"step": {"send"}, "e": {a, b, tr1, tr2}, "group_name": {"Sorg i Tromsø"},
			"group_org": {f.orgs["house1"].ID}, "group_model": {f.model.ID}, "group_theme": {f.themes[0].ID},
			"group_format": {"in_person"}, "group_municipality": {"5501"}, "deadline": {"2026-03-09"}, "needed": {"4"}}
		r := c.post("/kontor/grupper-i-emning/ny", form)
		if r.status != http.StatusBadRequest || !strings.Contains(r.body, "Bjørn: vil ikke møtes i egen kommune") {
			t.Fatalf("own municipality: %d", r.status)
		}
		checkMatchingHTML(t, "form with problems", r)
		if !strings.Contains(r.body, "Træna") || !strings.Contains(r.body, `id="ack"`) {
			t.Error("no small-municipality warning")
		}
		// Without Bjørn, in Tromsø: the warning stays and needs the box.
		x := matchingSeedOne(t, f, "house1", "Xenia", "5501", false, 5)
		form["e"] = []string{a, x, tr1, tr2}
		r = c.post("/kontor/grupper-i-emning/ny", form)
		if r.status != http.StatusBadRequest || !strings.Contains(r.body, `id="ack-error"`) || strings.Contains(r.body, "Bjørn –") {
			t.Fatalf("warning not acknowledged: %d", r.status)
		}
		form.Set("ack", "1")
		r = c.post("/kontor/grupper-i-emning/ny", form)
		if r.status != http.StatusSeeOther || !strings.HasSuffix(r.location(), "?melding=invitert") {
			t.Fatalf("acknowledged: %d %q", r.status, r.location())
		}
		if e, _ := st.ReadEnquiry(context.Background(), b); e.Status != store.EnquiryWaiting {
			t.Errorf("Bjørn: %s", e.Status)
		}
		// Suggestions for a group in Tromsø: Bjørn does not fit, and why.
		r = c.get("/kontor/grupper-i-emning?format=in_person&kommune=5501&tid=&tema=" + f.themes[0].ID)
		if r.status != 200 || !strings.Contains(r.body, "Bjørn – Tromsø") || !strings.Contains(r.body, "passer ikke: vil ikke møtes i egen kommune") {
			t.Errorf("suggestions: %d", r.status)
		}
		checkMatchingHTML(t, "suggestions", r)
		if r := c.get("/kontor/grupper-i-emning?format=in_person&kommune=9999"); r.status != http.StatusBadRequest {
			t.Errorf("a bad municipality: %d", r.status)
		}
	})
}

// TestMatchingPassOn: an enquiry on a theme that an organisation's peer
// group and an open meeting share shows both ways in; passing it on needs
// the person's consent, mails the organisation the first name and contact,
// and closes the enquiry (reason passed_on).
func TestMatchingPassOn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newOfficeFixture(t, st)
		ctx := store.WithActor(context.Background(), store.Actor{ID: "test"})
		lf := domain.Organisation{Kind: domain.OrgUserOrganisation, Slug: "landsforeningen", Name: "Landsforeningen",
			Email: "post@landsforeningen.example"}
		if err := st.SaveOrganisation(ctx, &lf); err != nil {
			t.Fatal(err)
		}
		for _, x := range []struct {
			slug, name string
			join       domain.JoinMethod
			org        string
		}{{"likepersoner", "Likepersongruppe", domain.JoinContactOrg, lf.ID}, {"apent-mote", "Åpent møte", domain.JoinJustCome, f.orgs["other"].ID}} {
			g := domain.Group{Slug: x.slug, Name: domain.Text{"nb": x.name}, ModelID: f.model2.ID, OrgID: x.org,
				Format: domain.FormatInPerson, AgeGroup: domain.AgeAll, Gender: domain.GenderEveryone, Status: domain.StatusRunning,
				TakesNewMembers: true, Join: x.join, MunicipalityID: "5501", ThemeIDs: []string{f.themes[0].ID}}
			if err := st.SaveGroup(ctx, &g, "test", ""); err != nil {
				t.Fatal(err)
			}
		}
		id := matchingSeedOne(t, f, "house1", "Per", "5501", false, 3)
		c := f.signIn(t, "coordHouse")
		r := c.get("/kontor/henvendelser/" + id)
		if r.status != 200 || !strings.Contains(r.body, "Likepersongruppe") || !strings.Contains(r.body, "Åpent møte") ||
			!strings.Contains(r.body, `name="pass_org"`) {
			t.Fatalf("ways in: %d", r.status)
		}
		r = c.post("/kontor/henvendelser/"+id+"/videreformidle", url.Values{"pass_org": {lf.ID}})
		if r.status != http.StatusBadRequest || !strings.Contains(r.body, `id="pass_consent-error"`) {
			t.Fatalf("without consent: %d", r.status)
		}
		wantRedirect(t, "pass on", c.post("/kontor/henvendelser/"+id+"/videreformidle", url.Values{"pass_org": {lf.ID}, "pass_consent": {"1"}}),
			"/kontor/henvendelser/"+id+"?melding=videreformid")
		e, _ := st.ReadEnquiry(context.Background(), id)
		hist, _ := st.EnquiryHistory(context.Background(), id)
		if e.Status != store.EnquiryClosed || hist[len(hist)-1].Reason != "passed_on" {
			t.Errorf("after passing on: %s %+v", e.Status, hist[len(hist)-1])
		}
		ms, _ := st.ClaimOutbox(context.Background(), store.ChannelEmail, time.Now().Add(time.Hour), 10, time.Minute)
		if len(ms) != 1 || ms[0].To != lf.Email || ms[0].Ref != "enquiry:"+id || !strings.Contains(ms[0].Body, "Per") ||
			!strings.Contains(ms[0].Body, "per@example.no") {
			t.Errorf("the mail to the organisation: %+v", ms)
		}
	})
}

// BenchmarkMatchingPools measures the pools page (an audited read of every
// waiting person of the tree, the pools, the page) with 2,000 people
// waiting in one house, spread over 8 municipalities and 2 themes, on
// SQLite.
//
//	go test ./internal/web/ -run XXX -bench MatchingPools -benchtime 5x
func BenchmarkMatchingPools(b *testing.B) {
	st := storetest.Open(b, store.SQLite)
	f := newOfficeFixture(b, st)
	ctx := store.WithActor(context.Background(), store.Actor{ID: "bench"})
	munis := []string{"5501", "5503", "5510", "5512", "1804", "1806", "1820", "1835"}
	slots := []string{"mon-evening", "tue-evening", "wed-afternoon", "thu-evening"}
	for i := range 2000 {
		e := store.Enquiry{OrgID: f.orgs["house1"].ID, Channel: "phone", Name: fmt.Sprintf("Person %d", i), ContactKind: "email",
			Contact: fmt.Sprintf("p%d@example.no", i), Municipality: munis[i%len(munis)], TravelKm: []int{0, 25, 100}[i%3],
			NotOwnMunicipality: i%7 == 0, Formats: [][]string{{"in_person"}, {"in_person", "video"}, {"phone", "video"}}[i%3],
			Slots: slots[i%len(slots) : i%len(slots)+1], Themes: []string{f.themes[i%2].ID}, ConsentVersion: "x",
			ConsentRecordedBy: "bench"}
		_, hash := store.NewLinkToken()
		at := f.clock.Now().Add(-time.Duration(i) * time.Hour)
		if err := st.CreateEnquiry(ctx, &e, hash, at, store.DefaultRetention); err != nil {
			b.Fatal(err)
		}
		if err := st.SetEnquiryStatus(ctx, e.ID, store.StatusChange{To: store.EnquiryWaiting}, at, store.DefaultRetention); err != nil {
			b.Fatal(err)
		}
	}
	// signIn wants a *testing.T for its checks; a broken fixture fails the
	// tests of this file long before this benchmark.
	c := f.signIn(&testing.T{}, "coordHouse")
	b.ResetTimer()
	for b.Loop() {
		if r := c.get("/kontor/grupper-i-emning"); r.status != 200 {
			b.Fatal(r.status)
		}
	}
}
