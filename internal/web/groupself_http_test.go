package web_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	"net/http/httptest"
	netmail "net/mail"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/app"
	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/finder"
	"github.com/fellesrom/fellesrom/internal/jobs"
	"github.com/fellesrom/fellesrom/internal/mail"
	"github.com/fellesrom/fellesrom/internal/mail/mailtest"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
	"github.com/fellesrom/fellesrom/internal/web"
)

func init() { matrixAreas = append(matrixAreas, groupselfProbes, outreachProbes) }

// groupselfPost is a mail as it arrived at the SMTP server.
type groupselfPost struct{ To, Subject, Body string }

// groupselfMail is a real SMTP server and the sender of the outbox job.
type groupselfMail struct {
	t      testing.TB
	st     *store.Store
	smtp   *mailtest.Server
	sender *mail.Sender
	seen   int
}

func newGroupselfMail(t testing.TB, st *store.Store) *groupselfMail {
	t.Helper()
	smtp := mailtest.Start(t, mailtest.Options{})
	sender, err := mail.NewSender(mail.Config{Host: smtp.Host, Port: smtp.Port, From: "fellesrom <ikke-svar@fellesrom.example>",
		Timeout: 5 * time.Second, TLSConfig: smtp.ClientTLS()})
	if err != nil {
		t.Fatal(err)
	}
	return &groupselfMail{t: t, st: st, smtp: smtp, sender: sender}
}

// deliver runs the mail job once and returns what arrived since the last call.
func (m *groupselfMail) deliver() []groupselfPost {
	m.t.Helper()
	if _, err := jobs.SendMail(context.Background(), m.st, m.sender, slog.New(slog.DiscardHandler), jobs.MailOptions{}); err != nil {
		m.t.Fatal(err)
	}
	all := m.smtp.Received()
	var out []groupselfPost
	for _, rc := range all[m.seen:] {
		msg, err := netmail.ReadMessage(bytes.NewReader(rc.Data))
		if err != nil {
			m.t.Fatal(err)
		}
		subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		var r io.Reader = msg.Body
		switch strings.ToLower(msg.Header.Get("Content-Transfer-Encoding")) {
		case "quoted-printable":
			r = quotedprintable.NewReader(r)
		case "base64":
			r = base64.NewDecoder(base64.StdEncoding, r)
		}
		b, _ := io.ReadAll(r)
		out = append(out, groupselfPost{To: rc.To[0], Subject: subject, Body: strings.ReplaceAll(string(b), "\r\n", "\n")})
	}
	m.seen = len(all)
	return out
}

var reGroupLink = regexp.MustCompile(`https?://[^/\s]+(/[a-z]{2})?(/gruppelenke/[A-Za-z0-9_-]{43})\b`)

// groupLinkOf is the path of the group's link in a mail.
func groupLinkOf(t testing.TB, p groupselfPost) string {
	t.Helper()
	m := reGroupLink.FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("no group link in the mail %q", p.Body)
	}
	return m[1] + m[2]
}

// sendGroupLink has the client (a coordinator) send the group's link to
// addr, and returns the link's path from the mail that arrives.
func sendGroupLink(t *testing.T, c *client, gm *groupselfMail, groupID, addr, lang string) string {
	t.Helper()
	r := c.post("/kontor/grupper/"+groupID+"/gruppelenke", url.Values{"email": {addr}, "mail_lang": {lang}})
	wantRedirect(t, "send the link", r, "/kontor/grupper/"+groupID+"/gruppelenke?melding=sendt")
	posts := gm.deliver()
	if len(posts) != 1 || posts[0].To != addr {
		t.Fatalf("mails after sending the link: %+v", posts)
	}
	return groupLinkOf(t, posts[0])
}

// TestGroupselfLink follows a group's link from the coordinator's mail
// through everything the contact can do, without JavaScript: the pages'
// headers, status and new members with the lifecycle history, a report
// with mistakes (kept as typed) and then right, a request that reaches the
// house by mail and in its list, and a new link that kills the old one at
// once; then a stopped link and an ended group.
func TestGroupselfLink(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newOfficeFixture(t, st)
		gm := newGroupselfMail(t, st)
		g := f.groups["house1"]
		coord := f.signIn(t, "coordHouse")
		// A link that never was, and one that is not a token.
		anon := newClient(t, f.srv)
		for _, p := range []string{"/gruppelenke/" + strings.Repeat("A", 43), "/gruppelenke/kort", "/en/gruppelenke/" + strings.Repeat("b", 43)} {
			r := anon.get(p)
			if r.status != 404 || !strings.Contains(r.body, "Lenken virker ikke") && !strings.Contains(r.body, "The link does not work") {
				t.Errorf("%s: %d", p, r.status)
			}
			groupselfHeaders(t, p, r)
		}

		link := sendGroupLink(t, coord, gm, g.ID, "kontakt@example.no", "nb")
		page := anon.get(link)
		if page.status != 200 {
			t.Fatalf("the contact's page: %d", page.status)
		}
		groupselfHeaders(t, "the contact's page", page)
		checkStaffHTML(t, "the contact's page", page, "nb")
		for _, want := range []string{"<h1>Gruppe house1</h1>", "Huset Tromsø", "Vi møtes", "Februar 2026", "Mars 2026", "Januar 2026"} {
			if !strings.Contains(page.body, want) {
				t.Errorf("the contact's page lacks %q", want)
			}
		}
		if strings.Contains(page.body, "Desember 2025") {
			t.Error("the page offers a month that is closed")
		}

		// Paused, with a reason; then a status it already has.
		r := anon.post(link+"/status", url.Values{"status": {"paused"}, "reason": {"Sommerpause til august"}})
		wantRedirect(t, "pause", r, link+"?melding=status")
		got, _ := st.Group(ctx, g.ID)
		h, _ := st.GroupHistory(ctx, g.ID)
		if got.Status != domain.StatusPaused || h[len(h)-1].ChangedBy != store.GroupContactActor || h[len(h)-1].Reason != "Sommerpause til august" {
			t.Errorf("after the pause: %s, %+v", got.Status, h[len(h)-1])
		}
		r = anon.post(link+"/status", url.Values{"status": {"paused"}, "reason": {"Fortsatt pause"}})
		if r.status != 400 || !strings.Contains(r.body, "allerede denne statusen") || !strings.Contains(r.body, "Fortsatt pause</textarea>") {
			t.Errorf("the same status: %d %s", r.status, errorSummary(r.body))
		}
		r = anon.post(link+"/nye-medlemmer", url.Values{"takes_new": {"0"}})
		wantRedirect(t, "no new members", r, link+"?melding=medlemmer")
		if got, _ := st.Group(ctx, g.ID); got.TakesNewMembers {
			t.Error("still takes new members")
		}

		// A report with mistakes keeps what was typed, with the errors at
		// their fields; then the right numbers.
		r = anon.post(link+"/rapport", url.Values{"meetings-2026-02": {"4"}, "present-2026-02": {""}, "meetings-2026-01": {"0"},
			"present-2026-01": {"3"}, "meetings-2026-03": {"mange"}})
		if r.status != 400 {
			t.Fatalf("a report with mistakes: %d", r.status)
		}
		for _, want := range []string{`id="present-2026-02-error"`, `id="present-2026-01-error"`, `id="meetings-2026-03-error"`,
			`name="meetings-2026-02" value="4"`, `name="present-2026-01" value="3"`, `name="meetings-2026-03" value="mange"`,
			`href="#present-2026-02"`} {
			if !strings.Contains(r.body, want) {
				t.Errorf("the report with mistakes lacks %s", want)
			}
		}
		if rs, _ := st.GroupReports(ctx, g.ID); len(rs) != 0 {
			t.Errorf("a report with mistakes saved %+v", rs)
		}
		r = anon.post(link+"/rapport", url.Values{"meetings-2026-02": {"4"}, "present-2026-02": {"6"}, "meetings-2026-01": {" 3 "},
			"present-2026-01": {"5"}})
		wantRedirect(t, "the report", r, link+"?melding=rapport")
		if rs, _ := st.GroupReports(ctx, g.ID); len(rs) != 2 || rs[0].Month != "2026-02" || rs[0].Meetings != 4 || rs[0].Present != 6 {
			t.Errorf("reports %+v", rs)
		}
		if p := anon.get(link); !strings.Contains(p.body, `name="present-2026-02" value="6"`) {
			t.Error("the page does not show the numbers reported")
		}

		// A request: without words it is refused and keeps the kind; with
		// them it reaches the house's coordinator, who sees it in the list.
		r = anon.post(link+"/onske", url.Values{"request_kind": {"room"}, "request_message": {"  "}})
		if r.status != 400 || !strings.Contains(r.body, `id="request_message-error"`) ||
			!regexp.MustCompile(`value="room" checked`).MatchString(r.body) {
			t.Errorf("a request without words: %d", r.status)
		}
		const words = "Vi trenger et rom uten trapper fra april"
		r = anon.post(link+"/onske", url.Values{"request_kind": {"room"}, "request_message": {words}})
		wantRedirect(t, "the request", r, link+"?melding=onske")
		posts := gm.deliver()
		if len(posts) != 1 || posts[0].To != officeEmails["coordHouse"] || !strings.Contains(posts[0].Subject, "Gruppe house1") ||
			!strings.Contains(posts[0].Body, "/kontor/gruppeonsker") || strings.Contains(posts[0].Body, "trapper") {
			t.Errorf("the house's mail: %+v", posts)
		}
		list := coord.get("/kontor/gruppeonsker")
		checkStaffHTML(t, "requests", list, "nb")
		if !strings.Contains(list.body, words) || !strings.Contains(list.body, "Et annet rom") {
			t.Errorf("the house's list lacks the request")
		}
		reqs, _ := st.GroupRequests(ctx, store.GroupRequestFilter{GroupID: g.ID})
		if len(reqs) != 1 {
			t.Fatalf("requests %+v", reqs)
		}
		wantRedirect(t, "done", coord.post("/kontor/gruppeonsker/"+reqs[0].ID, url.Values{"done": {"1"}}), "/kontor/gruppeonsker?melding=ordnet")
		if q, _ := st.GroupRequestByID(ctx, reqs[0].ID); q.DoneAt.IsZero() || q.DoneBy != f.users["coordHouse"].ID {
			t.Errorf("not done: %+v", q)
		}
		if p := anon.get(link); !strings.Contains(p.body, "Ordnet ") {
			t.Error("the contact does not see that the request is done")
		}

		// The coordinator's page of the link shows the numbers and the request.
		lp := coord.get("/kontor/grupper/" + g.ID + "/gruppelenke")
		checkOfficeHTML(t, "the link's page", lp, "nb")
		for _, want := range []string{"Februar 2026: møter: 4, deltakere: 6", words, "Lenken ble sendt", "Hans Huset"} {
			if !strings.Contains(lp.body, want) {
				t.Errorf("the link's page lacks %q", want)
			}
		}
		// The group's history has every change, by the contact.
		es, _ := st.AuditLog(ctx, store.AuditFilter{ObjectType: "group", ObjectID: g.ID, Limit: 100})
		var acts []string
		for i := len(es) - 1; i >= 0; i-- {
			if es[i].ActorID == store.GroupContactActor {
				acts = append(acts, es[i].Action)
			}
		}
		if want := []string{"group.update", "group.update", "groupself.report", "groupself.report", "groupself.request"}; !slices.Equal(acts, want) {
			t.Errorf("the contact's changes in the audit log: %v, want %v", acts, want)
		}

		// A new link: the old one fails at once, for pages and forms alike.
		link2 := sendGroupLink(t, coord, gm, g.ID, "ny-kontakt@example.no", "en")
		if !strings.HasPrefix(link2, "/en/gruppelenke/") || link2 == link {
			t.Errorf("the new link %q", link2)
		}
		before, _ := st.Group(ctx, g.ID)
		for _, p := range []string{link, link + "/status"} {
			var r resp
			if strings.HasSuffix(p, "/status") {
				r = anon.post(p, url.Values{"status": {"running"}})
			} else {
				r = anon.get(p)
			}
			if r.status != 404 || !strings.Contains(r.body, "Lenken virker ikke") {
				t.Errorf("the old link %s: %d", p, r.status)
			}
		}
		if after, _ := st.Group(ctx, g.ID); after.Status != before.Status {
			t.Error("the old link changed the status")
		}
		if p := anon.get(link2); p.status != 200 || !strings.Contains(p.body, "contact person") {
			t.Errorf("the new link: %d", p.status)
		}

		// Stopped: the new link fails too.
		wantRedirect(t, "stop", coord.post("/kontor/grupper/"+g.ID+"/gruppelenke/stopp", nil),
			"/kontor/grupper/"+g.ID+"/gruppelenke?melding=stoppet")
		if r := anon.get(link2); r.status != 404 {
			t.Errorf("a stopped link: %d", r.status)
		}

		// An ended group: the contact can still report, not change status.
		link3 := sendGroupLink(t, coord, gm, g.ID, "kontakt@example.no", "nb")
		wantRedirect(t, "end", anon.post(link3+"/status", url.Values{"status": {"ended"}}), link3+"?melding=status")
		p := anon.get(link3)
		if strings.Contains(p.body, `action="`+link3+`/status"`) || !strings.Contains(p.body, "Gruppen er avsluttet. Vil dere") {
			t.Error("an ended group's page still offers the status")
		}
		if r := anon.post(link3+"/status", url.Values{"status": {"running"}}); r.status != 400 {
			t.Errorf("an ended group's status from the link: %d", r.status)
		}
		wantRedirect(t, "a last report", anon.post(link3+"/rapport", url.Values{"meetings-2026-03": {"1"}, "present-2026-03": {"4"}}),
			link3+"?melding=rapport")
	})
}

// groupselfHeaders checks what every answer under a group's link must have.
func groupselfHeaders(t *testing.T, what string, r resp) {
	t.Helper()
	for k, want := range map[string]string{"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex, nofollow"} {
		if got := r.header.Get(k); got != want {
			t.Errorf("%s: %s %q, want %q", what, k, got, want)
		}
	}
}

// groupselfExtras is what the matrix's probes of group self-service and
// the outreach log need, made once per fixture: a request from the group
// of each organisation, and an outreach entry of each.
type groupselfExtras struct {
	requests map[string]string // organisation key → request ID
	entries  map[string]string // organisation key → outreach entry ID
}

var groupselfExtrasOf sync.Map // *officeFixture → *groupselfExtras

func groupselfExtrasFor(t *testing.T, f *officeFixture) *groupselfExtras {
	t.Helper()
	if x, ok := groupselfExtrasOf.Load(f); ok {
		return x.(*groupselfExtras)
	}
	ctx := store.WithActor(context.Background(), store.Actor{ID: store.GroupContactActor})
	x := &groupselfExtras{requests: map[string]string{}, entries: map[string]string{}}
	for _, k := range officeOrgKeys {
		r := store.GroupRequest{GroupID: f.groups[k].ID, Kind: store.RequestTime, Message: "Ønske fra " + k}
		if err := f.st.CreateGroupRequest(ctx, &r, nil, f.clock.Now()); err != nil {
			t.Fatal(err)
		}
		x.requests[k] = r.ID
		e := store.OutreachEntry{OrgID: f.orgs[k].ID, Day: "2026-02-10", Kind: store.OutreachTalk, Audience: "Publikum " + k, Reached: 10}
		if err := f.st.SaveOutreach(store.WithActor(ctx, store.Actor{ID: "test"}), &e, f.clock.Now()); err != nil {
			t.Fatal(err)
		}
		x.entries[k] = e.ID
	}
	groupselfExtrasOf.Store(f, x)
	t.Cleanup(func() { groupselfExtrasOf.Delete(f) })
	return x
}

// groupselfProbes are the matrix's requests of group self-service for one
// user. The rules, written out: a group's link page, sending and stopping
// the link, and marking its requests done need the right to edit the
// group's organisation's listings (administrators; coordinators of it or
// above it); the requests page lists the requests of exactly those
// organisations, for anyone who may edit somewhere. Starters and partners
// get 404 everywhere, as does a coordinator for another house's group.
func groupselfProbes(t *testing.T, f *officeFixture, _ *matrixExtras, who string) []officeProbe {
	ctx := context.Background()
	x := groupselfExtrasFor(t, f)
	rights := officeRights[who]
	edit := func(k string) bool { return slices.Contains(rights.edit, k) }
	mark := strings.ToLower(who)
	var ps []officeProbe
	add := func(p officeProbe) { ps = append(ps, p) }
	add(officeProbe{name: "requests from groups", method: "GET", path: "/kontor/gruppeonsker", allow: len(rights.edit) > 0,
		check: func(t *testing.T, body string) {
			for _, k := range officeOrgKeys {
				if got := strings.Contains(body, "Ønske fra "+k+"<"); got != edit(k) {
					t.Errorf("%s: the requests page shows the request of %s: %v", who, k, got)
				}
			}
		}})
	for _, k := range officeOrgKeys {
		g := f.groups[k]
		base := "/kontor/grupper/" + g.ID + "/gruppelenke"
		addr := "kontakt-" + mark + "-" + k + "@example.no"
		add(officeProbe{name: "the link of the group of " + k, method: "GET", path: base, allow: edit(k)})
		add(officeProbe{name: "send the link of the group of " + k, method: "POST", path: base, allow: edit(k),
			form: func() url.Values { return url.Values{"email": {addr}, "mail_lang": {"nb"}} },
			done: func(t *testing.T) {
				if l, err := f.st.GroupLinkOf(ctx, g.ID); err != nil || l.CreatedBy != f.users[who].ID {
					t.Errorf("%s: no link for the group of %s: %+v %v", who, k, l, err)
				}
			}})
		add(officeProbe{name: "stop the link of the group of " + k, method: "POST", path: base + "/stopp", allow: edit(k),
			form: func() url.Values { return url.Values{} },
			done: func(t *testing.T) {
				if _, err := f.st.GroupLinkOf(ctx, g.ID); err == nil {
					t.Errorf("%s: the link of %s still works", who, k)
				}
			}})
		id := x.requests[k]
		add(officeProbe{name: "the request of the group of " + k + " done or open", method: "POST", path: "/kontor/gruppeonsker/" + id,
			allow: edit(k), form: func() url.Values {
				q, err := f.st.GroupRequestByID(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				return url.Values{"done": {map[bool]string{true: "1", false: "0"}[q.DoneAt.IsZero()]}}
			}})
	}
	add(officeProbe{name: "a request that does not exist", method: "POST", path: "/kontor/gruppeonsker/" + store.NewID(), allow: false,
		form: func() url.Values { return url.Values{"done": {"1"}} }})
	return ps
}

// outreachProbes are the matrix's requests of the outreach log for one
// user. The rules, written out: the log is read and written with the
// right to edit listings in the entry's organisation (administrators;
// coordinators of it or above it); the list shows exactly the entries of
// those organisations; an entry moved to another organisation needs the
// right there too. Starters and partners get 404.
func outreachProbes(t *testing.T, f *officeFixture, _ *matrixExtras, who string) []officeProbe {
	ctx := context.Background()
	x := groupselfExtrasFor(t, f)
	rights := officeRights[who]
	edit := func(k string) bool { return slices.Contains(rights.edit, k) }
	mark := strings.ToLower(who)
	var ps []officeProbe
	add := func(p officeProbe) { ps = append(ps, p) }
	add(officeProbe{name: "the outreach log", method: "GET", path: "/kontor/informasjonsarbeid", allow: len(rights.edit) > 0,
		check: func(t *testing.T, body string) {
			for _, k := range officeOrgKeys {
				if got := strings.Contains(body, "Publikum "+k+"<"); got != edit(k) {
					t.Errorf("%s: the outreach log shows the entry of %s: %v", who, k, got)
				}
			}
		}})
	add(officeProbe{name: "a new outreach entry, no organisation given", method: "GET", path: "/kontor/informasjonsarbeid/ny",
		allow: len(rights.edit) > 0})
	for _, k := range officeOrgKeys {
		org, id := f.orgs[k], x.entries[k]
		add(officeProbe{name: "the outreach log of " + k, method: "GET", path: "/kontor/informasjonsarbeid?organisasjon=" + org.ID,
			allow: edit(k)})
		add(officeProbe{name: "new outreach entry in " + k, method: "GET", path: "/kontor/informasjonsarbeid/ny?organisasjon=" + org.ID,
			allow: edit(k)})
		audience := "Ny " + mark + " " + k
		add(officeProbe{name: "create an outreach entry in " + k, method: "POST", path: "/kontor/informasjonsarbeid/ny", allow: edit(k),
			form: func() url.Values {
				return url.Values{"organisation": {org.ID}, "day": {"2026-03-01"}, "kind": {"stand"}, "audience": {audience}, "reached": {"30"}}
			},
			done: func(t *testing.T) {
				es, _, _ := f.st.OutreachEntries(ctx, store.OutreachFilter{OrgIDs: []string{org.ID}})
				if !slices.ContainsFunc(es, func(e store.OutreachEntry) bool { return e.Audience == audience }) {
					t.Errorf("%s: no new entry in %s", who, k)
				}
			}})
		add(officeProbe{name: "edit the outreach entry of " + k, method: "GET", path: "/kontor/informasjonsarbeid/" + id, allow: edit(k)})
		note := "Endret av " + mark
		add(officeProbe{name: "save the outreach entry of " + k, method: "POST", path: "/kontor/informasjonsarbeid/" + id, allow: edit(k),
			form: func() url.Values {
				e, _ := f.st.Outreach(ctx, id)
				return url.Values{"organisation": {e.OrgID}, "day": {e.Day}, "kind": {e.Kind}, "audience": {e.Audience},
					"reached": {fmt.Sprint(e.Reached)}, "note": {note}}
			},
			done: func(t *testing.T) {
				if e, _ := f.st.Outreach(ctx, id); e.Note != note {
					t.Errorf("%s: the entry of %s not saved: %+v", who, k, e)
				}
			}})
		// An entry of its own to delete, for each user.
		del := store.OutreachEntry{OrgID: org.ID, Day: "2026-02-20", Kind: store.OutreachBrochures, Audience: "Slett " + mark, Reached: 50}
		if err := f.st.SaveOutreach(store.WithActor(ctx, store.Actor{ID: "test"}), &del, f.clock.Now()); err != nil {
			t.Fatal(err)
		}
		add(officeProbe{name: "delete an outreach entry of " + k, method: "POST", path: "/kontor/informasjonsarbeid/" + del.ID + "/slett",
			allow: edit(k), form: func() url.Values { return url.Values{} },
			done: func(t *testing.T) {
				if _, err := f.st.Outreach(ctx, del.ID); err == nil {
					t.Errorf("%s: the entry of %s is still there", who, k)
				}
			}})
	}
	// Moving house1's entry to the unrelated organisation needs the right
	// in both (an administrator, who moves it back).
	h1, other := f.orgs["house1"], f.orgs["other"]
	id := x.entries["house1"]
	move := func(to string) func() url.Values {
		return func() url.Values {
			e, _ := f.st.Outreach(ctx, id)
			return url.Values{"organisation": {to}, "day": {e.Day}, "kind": {e.Kind}, "audience": {e.Audience}, "reached": {"10"},
				"note": {e.Note}}
		}
	}
	add(officeProbe{name: "move the outreach entry of house1 to the unrelated organisation", method: "POST",
		path: "/kontor/informasjonsarbeid/" + id, allow: edit("house1") && edit("other"), form: move(other.ID)})
	if rights.admin { // for the others it never moved
		add(officeProbe{name: "move the outreach entry back to house1", method: "POST", path: "/kontor/informasjonsarbeid/" + id,
			allow: true, form: move(h1.ID)})
	}
	return ps
}

// Past the limit of requests from one network, the link's pages answer
// 429 with Retry-After, a valid link too, and the first refusal of the
// window is in the audit log, once.
func TestGroupselfRateLimit(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	f := newOfficeFixture(t, st)
	ctx := store.WithActor(context.Background(), store.Actor{ID: "test"})
	const token = "dGhpcy1pcy1hLXRva2VuLW9mLTMyLWJ5dGVzLWxvbmc"
	if err := st.SetGroupLink(ctx, f.groups["house1"].ID, auth.HashToken(token), store.OutboxMail{To: "k@example.no",
		Subject: "Lenke", Body: "Lenke", Kind: "groupself_link"}, f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	old := *web.GroupselfLimit
	web.GroupselfLimit.PerSource = 3
	t.Cleanup(func() { *web.GroupselfLimit = old })
	c := newClient(t, f.srv)
	for i := range 3 {
		if r := c.get("/gruppelenke/" + token); r.status != 200 {
			t.Fatalf("request %d: %d", i+1, r.status)
		}
	}
	for range 2 {
		r := c.get("/gruppelenke/" + token)
		if r.status != 429 || r.header.Get("Retry-After") == "" || !strings.Contains(r.body, "For mange forespørsler") {
			t.Errorf("past the limit: %d %q", r.status, r.header.Get("Retry-After"))
		}
		groupselfHeaders(t, "past the limit", r)
	}
	if r := c.post("/gruppelenke/"+token+"/status", url.Values{"status": {"paused"}}); r.status != 429 {
		t.Errorf("a form past the limit: %d", r.status)
	}
	if g, _ := st.Group(ctx, f.groups["house1"].ID); g.Status == domain.StatusPaused {
		t.Error("a form past the limit changed the group")
	}
	es, _ := st.AuditLog(ctx, store.AuditFilter{Action: "groupself.rate_limited"})
	if len(es) != 1 || es[0].Source != "127.0.0.0/24" {
		t.Errorf("audit %+v", es)
	}
}

// Through the whole application, the access log shows the link's pages
// without the token.
func TestGroupselfAccessLog(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	var buf bytes.Buffer
	h := app.Handler(st, finder.New(st), slog.New(slog.NewTextHandler(&buf, nil)))
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	f := newOfficeFixture(t, st)
	ctx := store.WithActor(context.Background(), store.Actor{ID: "test"})
	const token = "dGhpcy1pcy1hLXRva2VuLW9mLTMyLWJ5dGVzLWxvbmc"
	if err := st.SetGroupLink(ctx, f.groups["house1"].ID, auth.HashToken(token), store.OutboxMail{To: "k@example.no",
		Subject: "Lenke", Body: "Lenke", Kind: "groupself_link"}, time.Now()); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, srv)
	if r := c.get("/gruppelenke/" + token); r.status != 200 {
		t.Fatalf("the page: %d", r.status)
	}
	month := store.ReportMonths(time.Now())[0] // the application's clock
	if r := c.post("/en/gruppelenke/"+token+"/rapport", url.Values{"meetings-" + month: {"x"}}, "Origin", srv.URL); r.status != 400 {
		t.Errorf("the form: %d", r.status)
	}
	log := buf.String()
	if strings.Contains(log, token) || strings.Contains(log, auth.HashToken(token)) {
		t.Errorf("the log holds the token:\n%s", log)
	}
	for _, want := range []string{"/gruppelenke/…", "/en/gruppelenke/…"} {
		if !strings.Contains(log, want) {
			t.Errorf("the log lacks %s:\n%s", want, log)
		}
	}
}
