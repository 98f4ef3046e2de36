package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/fellesrom/fellesrom/internal/browsertest"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// TestStartersBrowser drives the starters' pages in Chromium: the
// coordinator of the district signs in, makes a volunteer's profile (first
// with mistakes), records a course, asks who is free in Tromsø on Tuesday
// evenings, assigns Siri to a group and plans the follow-up; then Siri
// signs in on a 320 px phone, sees her groups with the start-up meeting and
// the people's first names, marks the follow-up done and hands the group
// over. axe-core finds no violation on any page, and no page is wider than
// the screen.
func TestStartersBrowser(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	f := newOfficeFixture(t, st)
	d := startersSeed(t, f)
	srv := f.srv

	steps := func(ctx context.Context) (open func(string) int64, typeIn func(id, text string), setVal func(id, v string),
		submit func(sel string) int64, text func(sel string) string, count func(sel string) int) {
		open = func(path string) int64 {
			t.Helper()
			return load(t, ctx, chromedp.Navigate(srv.URL+path))
		}
		setVal = func(id, value string) {
			t.Helper()
			do(t, ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById(`+jsString(id)+`).value = `+jsString(value)))
		}
		typeIn = func(id, s string) {
			t.Helper()
			setVal(id, "")
			do(t, ctx, chromedp.SendKeys(chromedp.ID(id), s, chromedp.NodeVisible))
		}
		submit = func(sel string) int64 {
			t.Helper()
			return load(t, ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
		}
		text = func(sel string) string {
			t.Helper()
			return val(t, ctx, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
		}
		count = func(sel string) int {
			t.Helper()
			return val(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll(`+jsString(sel)+`).length`))
		}
		return
	}
	signIn := func(ctx context.Context, who string) {
		t.Helper()
		open, typeIn, _, submit, text, _ := steps(ctx)
		open("/logg-inn")
		typeIn("email", officeEmails[who])
		typeIn("password", staffPassword)
		submit(".staff-form button")
		secret := strings.ReplaceAll(text("#totp-secret"), " ", "")
		typeIn("code", code(t, secret, f.clock.Now()))
		submit(".staff-form button")
	}

	ctx := browsertest.Tab(t)
	reqs := record(t, ctx)
	open, typeIn, setVal, submit, text, count := steps(ctx)
	path := func() string { return pagePath(t, ctx) }
	signIn(ctx, "coordDistrict")

	open("/kontor/igangsettere")
	checkPage(t, ctx, "starters")
	if n := count(".office-list > li"); n != 5 {
		t.Errorf("the district's coordinator sees %d profiles, want 5 (district, house1, house2, Siri, Stina)", n)
	}
	open("/kontor/igangsettere?omrade=f55&sprak=se&ledig=1")
	checkPage(t, ctx, "starters, filtered")

	// A new profile: an empty form first, then right.
	open("/kontor/igangsettere/ny")
	checkPage(t, ctx, "new profile")
	if s := submit("form.office-form button[type=submit]"); s != 400 {
		t.Fatalf("an empty profile: %d", s)
	}
	checkPage(t, ctx, "new profile with errors")
	if n := count(`.error-summary a[href="#name"]`) + count(`.error-summary a[href="#email"]`) + count(`.error-summary a[href="#municipality"]`); n != 3 {
		t.Errorf("%d of the errors for name, contact and municipality", n)
	}
	typeIn("name", "Vera Frivillig")
	typeIn("phone", "912 34 567")
	setVal("municipality", "5503")
	do(t, ctx, chromedp.Click(chromedp.ID("slot-tue-evening"), chromedp.NodeVisible))
	if s := submit("form.office-form button[type=submit]"); s != 200 || !strings.HasSuffix(path(), "?melding=opprettet") {
		t.Fatalf("the profile: %d %s", s, path())
	}
	checkPage(t, ctx, "profile")
	profile := strings.TrimSuffix(path(), "?melding=opprettet")

	// A course, first without a date.
	setVal("course_organiser", f.orgs["district"].ID)
	typeIn("course_title", "Grunnkurs")
	if s := submit(`form[action$="/kurs"] button[type=submit]`); s != 400 {
		t.Fatalf("a course without a date: %d", s)
	}
	checkPage(t, ctx, "profile with a course error")
	setVal("course_date", "2025-10-04")
	if s := submit(`form[action$="/kurs"] button[type=submit]`); s != 200 || path() != profile+"?melding=kurs" {
		t.Fatalf("the course: %d %s", s, path())
	}
	if !strings.Contains(text("#courses-h + ul"), "Grunnkurs") {
		t.Error("the course is not listed")
	}

	// Who is free in Tromsø on Tuesday evenings.
	open("/kontor/igangsettere/ledige")
	checkPage(t, ctx, "who is free")
	setVal("omrade", "k5501")
	do(t, ctx, chromedp.Click(chromedp.ID("tid-tue-evening"), chromedp.NodeVisible))
	if s := submit("form.office-form button[type=submit]"); s != 200 {
		t.Fatalf("who is free: %d", s)
	}
	checkPage(t, ctx, "who is free, answered")
	names := text("ol.office-list")
	if !strings.Contains(names, "Vera Frivillig") || !strings.Contains(names, officeNames["starter"]) || strings.Contains(names, "Stina") {
		t.Errorf("who is free: %q", names)
	}
	if i, j := strings.Index(names, officeNames["starter"]), strings.Index(names, "Vera Frivillig"); i > j {
		t.Error("Vera in Harstad before Siri in Tromsø")
	}
	open("/kontor/igangsettere/ledige?omrade=x&fra=snart")
	checkPage(t, ctx, "who is free, with errors")

	// Siri's profile, the assignments, and the plan of her first one.
	open("/kontor/igangsettere/" + d.siri.ID)
	checkPage(t, ctx, "Siri's profile")
	open("/kontor/igangsetteroppdrag")
	checkPage(t, ctx, "assignments")
	open("/kontor/igangsetteroppdrag?alle=1")
	checkPage(t, ctx, "assignments, all")
	open("/kontor/igangsetteroppdrag/" + d.a1.ID)
	checkPage(t, ctx, "assignment")
	setVal("follow_up_on", "2026-04-07")
	setVal("hand_over_on", "2026-05-05")
	if s := submit("form.office-form button[type=submit]"); s != 200 || !strings.HasSuffix(path(), "?melding=planlagt") {
		t.Fatalf("the plan: %d %s", s, path())
	}
	checkPage(t, ctx, "assignment, planned")
	reqs.checkHosts(t, srv.Listener.Addr().String())

	// Siri on her phone.
	phone := browsertest.Tab(t, browsertest.WithViewport(320, 640))
	preqs := record(t, phone)
	signIn(phone, "starter")
	popen, _, _, psubmit, ptext, pcount := steps(phone)
	popen("/kontor/mine-grupper")
	checkPage(t, phone, "my groups")
	narrow := func(name string) {
		t.Helper()
		if w := val(t, phone, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > 320 {
			t.Errorf("%s: %d px wide on a 320 px screen", name, w)
		}
	}
	narrow("my groups")
	main := ptext("main")
	for _, want := range []string{"Sorggruppe house1", "Oppstartsmøte", "Gata 3", "Anne1", "anne2@example.no", "Oppfølging planlagt 7. april 2026"} {
		if !strings.Contains(main, want) {
			t.Errorf("my groups lacks %q", want)
		}
	}
	for _, never := range []string{"Bodil", "Hemmelige ord", "Inntaksnotat"} {
		if strings.Contains(main, never) {
			t.Errorf("my groups shows %q", never)
		}
	}
	if s := psubmit(`form[action$="/oppfolging"] button`); s != 200 {
		t.Fatalf("follow-up: %d", s)
	}
	checkPage(t, phone, "my groups, followed up")
	narrow("my groups, followed up")
	if n := pcount(`form[action$="/oppfolging"]`); n != 0 {
		t.Error("the follow-up button is still there")
	}
	if s := psubmit(`form[action$="/overlevert"] button`); s != 200 {
		t.Fatalf("hand-over: %d", s)
	}
	checkPage(t, phone, "my groups, handed over")
	narrow("my groups, handed over")
	if main := ptext("main"); strings.Contains(main, "Anne1") || !strings.Contains(main, "Tidligere grupper") {
		t.Errorf("after the hand-over: %q", main)
	}
	preqs.checkHosts(t, srv.Listener.Addr().String())
}
