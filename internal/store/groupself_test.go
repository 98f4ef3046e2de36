package store_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// groupselfActions are the audit actions of a group, oldest first.
func groupselfActions(t *testing.T, s *store.Store, groupID string) []string {
	t.Helper()
	es, err := s.AuditLog(context.Background(), store.AuditFilter{ObjectType: "group", ObjectID: groupID, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(es) - 1; i >= 0; i-- {
		out = append(out, es[i].Action)
	}
	return out
}

func pendingWithRef(t *testing.T, s *store.Store, eng store.Engine, dsn, ref string) int {
	t.Helper()
	var n int
	if err := rawDB(t, eng, dsn).QueryRow(`SELECT COUNT(*) FROM outbox WHERE ref = $1 AND status = 'pending'`, ref).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A group's link: made, found by its hash, replaced (the old hash finds
// nothing at once, and the mail of the old link that still waited is gone),
// stopped; each step in the group's audit log.
func TestGroupLink(t *testing.T) {
	for _, eng := range storetest.Engines {
		t.Run(string(eng), func(t *testing.T) {
			s, dsn := storetest.OpenDSN(t, eng)
			f := setup(t, s)
			ctx := store.WithActor(context.Background(), store.Actor{ID: "coordinator-1"})
			now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
			mail := func(n string) store.OutboxMail {
				return store.OutboxMail{To: "kontakt@example.no", Subject: "Lenke " + n, Body: "https://x/gruppelenke/" + n,
					Kind: "groupself_link", Lang: "nb"}
			}
			if _, err := s.GroupLinkOf(ctx, f.group.ID); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("a link before one was made: %v", err)
			}
			if err := s.SetGroupLink(ctx, f.group.ID, "hash-1", mail("1"), now); err != nil {
				t.Fatal(err)
			}
			l, err := s.GroupLinkOf(ctx, f.group.ID)
			if err != nil || l.CreatedBy != "coordinator-1" || !l.CreatedAt.Equal(now) {
				t.Fatalf("link %+v %v", l, err)
			}
			g, err := s.GroupByLink(ctx, "hash-1")
			if err != nil || g.ID != f.group.ID || g.Name["nb"] != "Sorggruppe" {
				t.Fatalf("group by link: %+v %v", g, err)
			}
			ref := store.GroupLinkRef(f.group.ID)
			if n := pendingWithRef(t, s, eng, dsn, ref); n != 1 {
				t.Errorf("%d mails wait with the link, want 1", n)
			}
			if err := s.SetGroupLink(ctx, f.group.ID, "hash-2", mail("2"), now.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			if _, err := s.GroupByLink(ctx, "hash-1"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("the old link still works: %v", err)
			}
			if g, err := s.GroupByLink(ctx, "hash-2"); err != nil || g.ID != f.group.ID {
				t.Errorf("the new link: %v", err)
			}
			if n := pendingWithRef(t, s, eng, dsn, ref); n != 1 {
				t.Errorf("%d mails wait after the new link, want only its own", n)
			}
			if err := s.StopGroupLink(ctx, f.group.ID, now.Add(2*time.Hour)); err != nil {
				t.Fatal(err)
			}
			if _, err := s.GroupByLink(ctx, "hash-2"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("a stopped link works: %v", err)
			}
			if n := pendingWithRef(t, s, eng, dsn, ref); n != 0 {
				t.Errorf("%d mails of a stopped link wait", n)
			}
			if err := s.StopGroupLink(ctx, f.group.ID, now); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("stopping no link: %v", err)
			}
			if err := s.SetGroupLink(ctx, store.NewID(), "hash-3", mail("3"), now); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("a link for no group: %v", err)
			}
			if _, err := s.GroupByLink(ctx, ""); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("the empty hash: %v", err)
			}
			want := []string{"groupself.link_new", "groupself.link_rotate", "groupself.link_stop"}
			if got := groupselfActions(t, s, f.group.ID); !slices.Equal(got[len(got)-3:], want) {
				t.Errorf("audit %v, want it to end with %v", got, want)
			}
		})
	}
}

func TestReportMonths(t *testing.T) {
	for _, c := range []struct {
		now  time.Time
		want string
	}{
		{time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), "2026-03 2026-02 2026-01"},
		{time.Date(2026, 3, 31, 22, 30, 0, 0, time.UTC), "2026-04 2026-03 2026-02"}, // 00.30 on 1 April in Oslo
		{time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC), "2026-01 2025-12 2025-11"},
	} {
		if got := strings.Join(store.ReportMonths(c.now), " "); got != c.want {
			t.Errorf("%v: %s, want %s", c.now, got, c.want)
		}
	}
	for m, ok := range map[string]bool{"2026-03": true, "2026-13": false, "2026-3": false, "26-03-01": false, "": false} {
		if store.ValidMonth(m) != ok {
			t.Errorf("ValidMonth(%q) != %v", m, ok)
		}
	}
}

// Monthly reports: written for the open months only, all or nothing,
// changed and removed, each change in the audit log with its numbers.
func TestGroupReports(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		ctx := store.WithActor(context.Background(), store.Actor{ID: store.GroupContactActor})
		now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		save := func(in ...store.GroupReportInput) (int, error) { return s.SaveGroupReports(ctx, f.group.ID, in, now) }
		reports := func() string {
			rs, err := s.GroupReports(ctx, f.group.ID)
			if err != nil {
				t.Fatal(err)
			}
			var b []string
			for _, r := range rs {
				b = append(b, r.Month+":"+strconv.Itoa(r.Meetings)+"/"+strconv.Itoa(r.Present))
			}
			return strings.Join(b, " ")
		}
		if n, err := save(store.GroupReportInput{Month: "2026-01", Meetings: 3, Present: 5},
			store.GroupReportInput{Month: "2026-02", Meetings: 4, Present: 6}); err != nil || n != 2 {
			t.Fatalf("save: %d %v", n, err)
		}
		if got := reports(); got != "2026-02:4/6 2026-01:3/5" {
			t.Errorf("reports %q", got)
		}
		// The same numbers again change nothing; a closed month, bad numbers
		// or a month twice change nothing at all.
		for _, bad := range [][]store.GroupReportInput{
			{{Month: "2026-02", Meetings: 4, Present: 6}},
			{{Month: "2026-02", Meetings: 9, Present: 9}, {Month: "2025-12", Meetings: 1, Present: 4}},
			{{Month: "2026-04", Meetings: 1, Present: 4}},
			{{Month: "2026-02", Meetings: 0, Present: 4}},
			{{Month: "2026-02", Meetings: 63, Present: 4}},
			{{Month: "2026-02", Meetings: 4, Present: 501}},
			{{Month: "2026-02", Meetings: -1, Present: 0}},
			{{Month: "2026-02", Meetings: 1, Present: 1}, {Month: "2026-02", Remove: true}},
		} {
			n, err := save(bad...)
			if n != 0 || (err == nil) != (len(bad) == 1 && bad[0].Meetings == 4 && bad[0].Present == 6) {
				t.Errorf("%+v: %d %v", bad, n, err)
			}
		}
		if _, err := save(store.GroupReportInput{Month: "2025-12", Meetings: 1}); !errors.Is(err, store.ErrReportClosed) {
			t.Errorf("a closed month: %v", err)
		}
		if got := reports(); got != "2026-02:4/6 2026-01:3/5" {
			t.Errorf("after refused saves: %q", got)
		}
		if n, err := save(store.GroupReportInput{Month: "2026-02", Meetings: 5, Present: 6},
			store.GroupReportInput{Month: "2026-01", Remove: true}, store.GroupReportInput{Month: "2026-03", Remove: true}); err != nil || n != 2 {
			t.Fatalf("change and remove: %d %v", n, err)
		}
		if n, err := save(store.GroupReportInput{Month: "2026-03"}); err != nil || n != 1 {
			t.Fatalf("a month without meetings: %d %v", n, err)
		}
		if got := reports(); got != "2026-03:0/0 2026-02:5/6" {
			t.Errorf("reports %q", got)
		}
		es, err := s.AuditLog(ctx, store.AuditFilter{ObjectID: f.group.ID, Action: "groupself.report", Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for i := len(es) - 1; i >= 0; i-- {
			e := es[i]
			if e.ActorID != store.GroupContactActor || e.ObjectType != "group" || e.OrgID != f.house.ID {
				t.Errorf("audit entry %+v", e)
			}
			got = append(got, e.Action+" "+e.Detail["month"].(string))
		}
		want := []string{"groupself.report 2026-01", "groupself.report 2026-02", "groupself.report 2026-02",
			"groupself.report_remove 2026-01", "groupself.report 2026-03"}
		if !slices.Equal(got, want) {
			t.Errorf("audit %v, want %v", got, want)
		}
		if d := es[2].Detail; d["meetings"] != float64(5) || d["present"] != float64(6) {
			t.Errorf("the change's detail %v", d)
		}
		if _, err := s.SaveGroupReports(ctx, store.NewID(), []store.GroupReportInput{{Month: "2026-03"}}, now); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a report of no group: %v", err)
		}
	})
}

// A group's request: sealed at rest, listed for its organisation, marked
// done and open again, purged 90 days after it was done; the mails to the
// house go with it.
func TestGroupRequests(t *testing.T) {
	for _, eng := range storetest.Engines {
		t.Run(string(eng), func(t *testing.T) {
			s, dsn := storetest.OpenDSN(t, eng)
			f := setup(t, s)
			contact := store.WithActor(context.Background(), store.Actor{ID: store.GroupContactActor})
			coord := store.WithActor(context.Background(), store.Actor{ID: "coordinator-1"})
			now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
			const words = "Vi ønsker oss et rom uten trapper fra april, helst torsdager"
			r := store.GroupRequest{GroupID: f.group.ID, Kind: store.RequestRoom, Message: "  " + words + "\n"}
			m := store.OutboxMail{To: "koordinator@example.no", Subject: "Ønske fra en gruppe", Body: "Se kontoret", Kind: "groupself_request"}
			if err := s.CreateGroupRequest(contact, &r, []store.OutboxMail{m}, now); err != nil {
				t.Fatal(err)
			}
			if r.OrgID != f.house.ID || r.Message != words || !store.ValidID(r.ID) {
				t.Errorf("request %+v", r)
			}
			var raw string
			if err := rawDB(t, eng, dsn).QueryRow(`SELECT message FROM group_requests WHERE id = $1`, r.ID).Scan(&raw); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(raw, "trapper") || !strings.HasPrefix(raw, "s1.") {
				t.Errorf("the message is stored as %q", raw)
			}
			if n := pendingWithRef(t, s, eng, dsn, ""); n != 1 {
				t.Errorf("%d mails wait, want the one to the house", n)
			}
			for _, bad := range []store.GroupRequest{
				{GroupID: f.group.ID, Kind: "party", Message: "x"},
				{GroupID: f.group.ID, Kind: store.RequestTime, Message: "  "},
				{GroupID: f.group.ID, Kind: store.RequestTime, Message: strings.Repeat("å", store.MaxRequestMessage+1)},
				{GroupID: store.NewID(), Kind: store.RequestTime, Message: "x"},
			} {
				if err := s.CreateGroupRequest(contact, &bad, nil, now); err == nil {
					t.Errorf("%+v stored", bad)
				}
			}
			other := newOrg(t, s, "annet-hus", "")
			list := func(f store.GroupRequestFilter) []store.GroupRequest {
				rs, err := s.GroupRequests(coord, f)
				if err != nil {
					t.Fatal(err)
				}
				return rs
			}
			if rs := list(store.GroupRequestFilter{OrgIDs: []string{f.house.ID}}); len(rs) != 1 || rs[0].Message != words {
				t.Errorf("the house's requests: %+v", rs)
			}
			if rs := list(store.GroupRequestFilter{OrgIDs: []string{other.ID}}); len(rs) != 0 {
				t.Errorf("another house sees %+v", rs)
			}
			if rs := list(store.GroupRequestFilter{OrgIDs: []string{}}); len(rs) != 0 {
				t.Errorf("no organisation sees %+v", rs)
			}
			if rs := list(store.GroupRequestFilter{GroupID: f.group.ID}); len(rs) != 1 {
				t.Errorf("the group's requests: %+v", rs)
			}
			if err := s.SetGroupRequestDone(coord, r.ID, true, now.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			got, err := s.GroupRequestByID(coord, r.ID)
			if err != nil || !got.DoneAt.Equal(now.Add(time.Hour)) || got.DoneBy != "coordinator-1" {
				t.Errorf("done: %+v %v", got, err)
			}
			if err := s.SetGroupRequestDone(coord, r.ID, true, now); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("done twice: %v", err)
			}
			if err := s.SetGroupRequestDone(coord, r.ID, false, now); err != nil {
				t.Fatal(err)
			}
			if got, _ := s.GroupRequestByID(coord, r.ID); !got.DoneAt.IsZero() || got.DoneBy != "" {
				t.Errorf("open again: %+v", got)
			}
			if err := s.SetGroupRequestDone(coord, store.NewID(), true, now); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("no such request: %v", err)
			}
			// A second, open request stays; the done one goes 90 days after.
			r2 := store.GroupRequest{GroupID: f.group.ID, Kind: store.RequestTime, Message: "En annen dag"}
			if err := s.CreateGroupRequest(contact, &r2, nil, now); err != nil {
				t.Fatal(err)
			}
			if err := s.SetGroupRequestDone(coord, r.ID, true, now); err != nil {
				t.Fatal(err)
			}
			if n, err := s.PurgeGroupRequests(coord, now.Add(89*24*time.Hour)); err != nil || n != 0 {
				t.Errorf("purged early: %d %v", n, err)
			}
			if n, err := s.PurgeGroupRequests(coord, now.Add(91*24*time.Hour)); err != nil || n != 1 {
				t.Errorf("purge: %d %v", n, err)
			}
			if rs := list(store.GroupRequestFilter{}); len(rs) != 1 || rs[0].ID != r2.ID {
				t.Errorf("after the purge: %+v", rs)
			}
			acts := groupselfActions(t, s, f.group.ID)
			want := []string{"groupself.request", "groupself.request_done", "groupself.request_reopen", "groupself.request",
				"groupself.request_done"}
			if !slices.Equal(acts[len(acts)-5:], want) {
				t.Errorf("audit %v", acts)
			}
			es, _ := s.AuditLog(coord, store.AuditFilter{Action: "groupself.request", Limit: 100})
			for _, e := range es {
				for _, v := range e.Detail {
					if s, ok := v.(string); ok && strings.Contains(s, "rom") {
						t.Errorf("the audit log holds the words: %+v", e)
					}
				}
			}
		})
	}
}

// The coordinators of the group's house get its requests; without any,
// those of the organisation above it; disabled users and other roles never.
func TestRequestRecipients(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := store.WithActor(context.Background(), store.Actor{ID: "cli"})
		f := setup(t, s)
		district := newOrg(t, s, "distrikt", "")
		f.house.ParentID = district.ID
		if err := s.SaveOrganisation(ctx, &f.house); err != nil {
			t.Fatal(err)
		}
		mk := func(email string, disabled bool, ms ...store.Membership) {
			u := store.User{Email: email, Name: email, Disabled: disabled, Memberships: ms}
			if err := s.CreateUser(ctx, &u); err != nil {
				t.Fatal(err)
			}
		}
		got := func() string {
			rs, err := s.RequestRecipients(ctx, f.group.ID)
			if err != nil {
				t.Fatal(err)
			}
			return strings.Join(rs, " ")
		}
		if r := got(); r != "" {
			t.Errorf("nobody to tell: %q", r)
		}
		mk("distrikt@example.no", false, store.Membership{OrgID: district.ID, Role: store.RoleCoordinator})
		mk("starter@example.no", false, store.Membership{OrgID: f.house.ID, Role: store.RoleStarter})
		mk("borte@example.no", true, store.Membership{OrgID: f.house.ID, Role: store.RoleCoordinator})
		if r := got(); r != "distrikt@example.no" {
			t.Errorf("without a coordinator in the house: %q", r)
		}
		mk("huset@example.no", false, store.Membership{OrgID: f.house.ID, Role: store.RoleCoordinator},
			store.Membership{OrgID: f.house.ID, Role: store.RolePartner})
		if r := got(); r != "huset@example.no" {
			t.Errorf("with one: %q", r)
		}
		if _, err := s.RequestRecipients(ctx, store.NewID()); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("no group: %v", err)
		}
	})
}

// Changes through the link go through SaveGroup with the contact as the
// actor: the lifecycle history and the audit log say so.
func TestGroupContactStatus(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		ctx := store.WithActor(context.Background(), store.Actor{ID: store.GroupContactActor})
		g := f.group
		g.Status = domain.StatusPaused
		if err := s.SaveGroup(ctx, &g, store.GroupContactActor, "Sommerpause"); err != nil {
			t.Fatal(err)
		}
		h, err := s.GroupHistory(ctx, g.ID)
		if err != nil {
			t.Fatal(err)
		}
		if last := h[len(h)-1]; last.Status != domain.StatusPaused || last.ChangedBy != store.GroupContactActor || last.Reason != "Sommerpause" {
			t.Errorf("history %+v", last)
		}
		es, _ := s.AuditLog(ctx, store.AuditFilter{ObjectID: g.ID, Limit: 1})
		if len(es) != 1 || es[0].ActorID != store.GroupContactActor || es[0].Action != "group.update" {
			t.Errorf("audit %+v", es)
		}
	})
}
