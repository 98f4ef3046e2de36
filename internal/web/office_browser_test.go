package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/fellesrom/fellesrom/internal/browsertest"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// TestOfficeBrowser drives Chromium through the directory the way a
// person would: a coordinator creates a group with a weekly schedule
// (first with mistakes), edits it, changes its status with a reason and
// sees it in the history; then an administrator looks after the themes,
// the group models and the log. axe-core checks every page of the
// directory, with and without errors, in Bokmål and English, and the
// pages fit a 320 px screen.
func TestOfficeBrowser(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	f := newOfficeFixture(t, st)
	srv := f.srv
	host := srv.Listener.Addr().String()
	ctx := browsertest.Tab(t)
	reqs := record(t, ctx)
	axed := 0
	axe := func(name string) {
		t.Helper()
		browsertest.RequireNoAxeViolations(t, ctx, name)
		axed++
	}
	a := browserActions(t, ctx, srv.URL)
	open, setVal, typeIn, click, submit, path, text := a.open, a.setVal, a.typeIn, a.click, a.submit, a.path, a.text
	signIn := func(email string) {
		t.Helper()
		open("/logg-inn")
		typeIn("email", email)
		typeIn("password", staffPassword)
		submit(".staff-form button")
		if p := path(); p != "/kontor/totp" {
			t.Fatalf("%s after the password: %s", email, p)
		}
		secret := strings.ReplaceAll(text("#totp-secret"), " ", "")
		typeIn("code", code(t, secret, f.clock.Now()))
		submit(".staff-form button")
		if p := path(); p != "/kontor?melding=totp" {
			t.Fatalf("%s after enrolment: %s", email, p)
		}
	}
	// withErrors sends a form whose field id is emptied, and checks the
	// page that comes back with errors.
	withErrors := func(name, formPath, emptyID string) {
		t.Helper()
		open(formPath)
		setVal(emptyID, "")
		if s := submit("form.office-form button[type=submit]"); s != 400 {
			t.Errorf("%s: %d, want 400", name, s)
		}
		if n := val(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('.error-summary a').length`)); n == 0 {
			t.Errorf("%s: no error summary", name)
		}
		axe(name)
	}

	// The coordinator of house1 signs in; the start page does not yet
	// link the directory (see the report), so the menu of a page does.
	h1 := f.orgs["house1"]
	signIn(officeEmails["coordHouse"])
	open("/kontor/grupper")
	axe("groups (nb)")
	if n := val(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('.office-nav a').length`)); n != 6 {
		t.Errorf("a coordinator's menu has %d links, want 6 (organisations, venues, groups, CSV, feeds, yearly report)", n)
	}
	submit(".office-inline-form button")
	if p := path(); p != "/kontor/grupper/ny?organisasjon="+h1.ID {
		t.Fatalf("new group: %s", p)
	}
	axe("new group (nb)")

	// Mistakes first: no name, no model, a date without a time, no place.
	typeIn("name_en", "Grief group")
	setVal("start_date", "2026-03-03")
	if s := submit("form.office-form button[type=submit]"); s != 400 {
		t.Fatalf("the form with mistakes: %d", s)
	}
	axe("new group with errors (nb)")
	if links := val(t, ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('.error-summary a')].map(a => a.getAttribute('href'))`)); strings.Join(links, " ") != "#name_nb #model #start_time #venue" {
		t.Errorf("error summary links %v", links)
	}
	if v := val(t, ctx, chromedp.Value(chromedp.ID("name_en"))); v != "Grief group" {
		t.Errorf("the English name typed is gone: %q", v)
	}
	// Following a link of the summary moves to the field.
	click(`.error-summary a[href="#name_nb"]`)
	if id := val(t, ctx, chromedp.Evaluate[string](`location.hash`)); id != "#name_nb" {
		t.Errorf("the summary link went to %q", id)
	}
	typeIn("name_nb", "Sorggruppe Tromsø")
	setVal("model", f.model.ID)
	setVal("start_time", "18:00")
	setVal("duration", "90")
	click(`label[for="repeat-1"]`) // every week
	setVal("venue", f.venues["house1"].ID)
	setVal("room", f.rooms["house1"].ID)
	click(`label[for="themes"]`)
	submit("form.office-form button[type=submit]")
	if p := path(); !strings.HasPrefix(p, "/kontor/grupper/") || !strings.HasSuffix(p, "?melding=opprettet") {
		t.Fatalf("after creating: %s", p)
	}
	id := strings.TrimSuffix(strings.TrimPrefix(path(), "/kontor/grupper/"), "?melding=opprettet")
	if s := text("#main dl.facts"); !strings.Contains(s, "Hver tirsdag kl. 18.00–19.30") {
		t.Errorf("the group page says %q", s)
	}
	axe("group page (nb)")
	g, err := st.Group(context.Background(), id)
	if err != nil || g.Schedule.RRule != "FREQ=WEEKLY;BYDAY=TU" || g.VenueID != f.venues["house1"].ID || len(g.ThemeIDs) != 1 {
		t.Fatalf("created %+v %v", g, err)
	}

	// Edit it: every other week.
	submit(`a[href="/kontor/grupper/` + id + `/endre"]`)
	axe("edit group (nb)")
	click(`label[for="repeat-2"]`)
	submit("form.office-form button[type=submit]")
	if p := path(); p != "/kontor/grupper/"+id+"?melding=lagret" {
		t.Fatalf("after editing: %s", p)
	}
	if s := text("#main dl.facts"); !strings.Contains(s, "Annenhver tirsdag") {
		t.Errorf("after editing, the group page says %q", s)
	}

	// The status: first without a reason, then with one.
	setVal("status", "running")
	if s := submit("form.office-status button"); s != 400 {
		t.Errorf("status without a reason: %d", s)
	}
	axe("status without a reason (nb)")
	typeIn("reason", "Gruppa er full og har startet.")
	submit("form.office-status button")
	if p := path(); p != "/kontor/grupper/"+id+"?melding=status" {
		t.Fatalf("after the status: %s", p)
	}
	hist := text("#status-history")
	if !strings.Contains(hist, "I gang") || !strings.Contains(hist, "Gruppa er full og har startet.") || !strings.Contains(hist, "Hans Huset") {
		t.Errorf("the history says %q", hist)
	}
	if s := text("#change-history"); !strings.Contains(s, "Opprettet") || !strings.Contains(s, "tidspunkt") {
		t.Errorf("the changes say %q", s)
	}
	axe("group history (nb)")
	f.clock.Add(time.Minute)
	submit("form.office-verify button")
	if s := text("#verified-at"); !strings.Contains(s, "2. mars 2026") {
		t.Errorf("verified: %q", s)
	}
	if g, _ := st.Group(context.Background(), id); g.Status != domain.StatusRunning || g.VerifiedAt.IsZero() {
		t.Errorf("stored %s, verified %v", g.Status, g.VerifiedAt)
	}

	// Every other page a coordinator has, in Bokmål and English.
	v1, r1 := f.venues["house1"], f.rooms["house1"]
	for _, p := range []string{"", "/en"} {
		lang := map[string]string{"": "nb", "/en": "en"}[p]
		for _, page := range []struct{ name, path string }{
			{"organisations", "/kontor/organisasjoner"},
			{"edit organisation", "/kontor/organisasjoner/" + h1.ID},
			{"new organisation", "/kontor/organisasjoner/ny?forelder=" + h1.ID},
			{"venues", "/kontor/steder"},
			{"edit venue", "/kontor/steder/" + v1.ID},
			{"new venue", "/kontor/steder/ny?organisasjon=" + h1.ID},
			{"new room", "/kontor/steder/" + v1.ID + "/rom/ny"},
			{"edit room", "/kontor/steder/" + v1.ID + "/rom/" + r1.ID},
			{"group page", "/kontor/grupper/" + id},
			{"groups, filtered", "/kontor/grupper?status=running&organisasjon=" + h1.ID},
		} {
			if p == "" && (page.name == "group page") {
				continue // done above
			}
			if s := open(p + page.path); s != 200 {
				t.Errorf("%s%s: %d", p, page.path, s)
			}
			axe(page.name + " (" + lang + ")")
		}
		if p == "/en" {
			for _, page := range []struct{ name, path string }{{"groups", "/kontor/grupper"}, {"new group", "/kontor/grupper/ny?organisasjon=" + h1.ID},
				{"edit group", "/kontor/grupper/" + id + "/endre"}} {
				open(p + page.path)
				axe(page.name + " (en)")
			}
			withErrors("new group with errors (en)", "/en/kontor/grupper/ny?organisasjon="+h1.ID, "name_nb")
		}
		withErrors("organisation with errors ("+lang+")", p+"/kontor/organisasjoner/"+h1.ID, "name")
		withErrors("venue with errors ("+lang+")", p+"/kontor/steder/"+v1.ID, "name")
		withErrors("room with errors ("+lang+")", p+"/kontor/steder/"+v1.ID+"/rom/"+r1.ID, "name")
	}
	open("/en/kontor/grupper/" + id)
	setVal("status", "running")
	submit("form.office-status button")
	axe("status with errors (en)")

	// A 320 px screen: nothing wider than it.
	narrow := browsertest.Tab(t, browsertest.WithViewport(320, 640))
	for _, p := range []string{"/kontor/organisasjoner", "/kontor/organisasjoner/" + h1.ID, "/kontor/steder/" + v1.ID,
		"/kontor/grupper", "/kontor/grupper/" + id, "/kontor/grupper/" + id + "/endre"} {
		load(t, narrow, chromedp.Navigate(srv.URL+p))
		if w := val(t, narrow, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > 320 {
			t.Errorf("%s: %d px wide at 320", p, w)
		}
	}

	// The administrator: themes, group models and the log.
	submit("form.signout button")
	f.clock.Add(30 * time.Second)
	signIn(officeEmails["admin"])
	for _, p := range []string{"", "/en"} {
		lang := map[string]string{"": "nb", "/en": "en"}[p]
		for _, page := range []struct{ name, path string }{
			{"themes", "/kontor/tema"}, {"new theme", "/kontor/tema/ny"}, {"edit theme", "/kontor/tema/" + f.themes[0].ID},
			{"models", "/kontor/modeller"}, {"new model", "/kontor/modeller/ny"}, {"edit model", "/kontor/modeller/" + f.model.ID},
			{"log", "/kontor/logg"}, {"log search", "/kontor/logg?handling=group.&type=group&organisasjon=" + h1.ID},
			{"log, bad search", "/kontor/logg?fra=2026-13-01&type=Gruppe"},
			{"new organisation at the top", "/kontor/organisasjoner/ny"},
		} {
			open(p + page.path)
			axe(page.name + " (" + lang + ")")
		}
		withErrors("theme with errors ("+lang+")", p+"/kontor/tema/"+f.themes[0].ID, "name_nb")
		withErrors("model with errors ("+lang+")", p+"/kontor/modeller/"+f.model.ID, "name_nb")
	}
	if n := val(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('.office-nav a').length`)); n != 10 {
		t.Errorf("an administrator's menu has %d links, want 10 (organisations, venues, groups, CSV, feeds, yearly report, themes, models, log, mail)", n)
	}
	open("/kontor/logg?type=group&objekt=" + id)
	if s := text("ol.office-audit"); !strings.Contains(s, "Hans Huset") || !strings.Contains(s, "group.update") {
		t.Errorf("the log of the group says %q", s)
	}
	for _, p := range []string{"/kontor/logg", "/kontor/tema/ny", "/kontor/modeller/ny"} {
		load(t, narrow, chromedp.Navigate(srv.URL+p))
		if w := val(t, narrow, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > 320 {
			t.Errorf("%s: %d px wide at 320", p, w)
		}
	}
	// Every request goes to the server.
	reqs.checkHosts(t, host)
	t.Logf("axe-core: %d pages, 0 violations", axed)
}

// jsString quotes s for a JavaScript string literal.
func jsString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`, "<", `\x3c`)
	return "'" + r.Replace(s) + "'"
}
