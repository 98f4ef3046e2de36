package store_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

func TestChangesAreAudited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := store.WithActor(context.Background(), store.Actor{ID: "user-1", Source: "192.0.2.0/24"})
		f := setup(t, s)
		g := f.group
		g.Capacity = 6
		g.Languages = []string{"se", "nb"} // same set, other order: not a change
		if err := s.SaveGroup(ctx, &g, "user-2", ""); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveGroup(ctx, &g, "user-2", ""); err != nil { // nothing changed
			t.Fatal(err)
		}
		log, err := s.AuditLog(ctx, store.AuditFilter{ObjectType: "group", ObjectID: g.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(log) != 2 || log[0].Action != "group.update" || log[1].Action != "group.create" {
			t.Fatalf("group audit %+v", log)
		}
		changed, _ := log[0].Detail["changed"].(map[string]any)
		if len(changed) != 1 || changed["Capacity"] == nil {
			t.Errorf("changed fields %v, want only Capacity", changed)
		}
		if log[0].ActorID != "user-2" || log[0].Source != "192.0.2.0/24" || log[0].OrgID != f.house.ID {
			t.Errorf("entry %+v", log[0])
		}

		v := f.venue
		v.AddressPublic = false
		if err := s.SaveVenue(ctx, &v); err != nil {
			t.Fatal(err)
		}
		o := f.house
		o.Municipalities = []string{"5612", "5501"}
		o.Phone = "+47 00 00 00 00"
		if err := s.SaveOrganisation(ctx, &o); err != nil {
			t.Fatal(err)
		}
		th := f.theme
		th.Name = domain.Text{"nb": "Sorg og savn"}
		if err := s.SaveTheme(ctx, &th); err != nil {
			t.Fatal(err)
		}
		m := f.model
		m.SizeMax = 7
		if err := s.SaveModel(ctx, &m); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct{ typ, field string }{{"venue", "AddressPublic"}, {"organisation", "Phone"}, {"theme", "Name"}, {"model", "SizeMax"}} {
			log, err := s.AuditLog(ctx, store.AuditFilter{ObjectType: c.typ, Action: c.typ + ".update"})
			if err != nil || len(log) != 1 {
				t.Fatalf("%s: %v %v", c.typ, log, err)
			}
			changed, _ := log[0].Detail["changed"].(map[string]any)
			if len(changed) != 1 || changed[c.field] == nil || log[0].ActorID != "user-1" {
				t.Errorf("%s: %+v", c.typ, log[0])
			}
		}
		// Filters: by actor, by action prefix, by time, paging.
		all, _ := s.AuditLog(ctx, store.AuditFilter{})
		if len(all) < 10 {
			t.Errorf("%d entries in all", len(all))
		}
		mine, _ := s.AuditLog(ctx, store.AuditFilter{ActorID: "user-1"})
		for _, e := range mine {
			if e.ActorID != "user-1" {
				t.Errorf("actor filter: %+v", e)
			}
		}
		creates, _ := s.AuditLog(ctx, store.AuditFilter{Action: "theme."})
		if len(creates) != 3 {
			t.Errorf("theme.*: %d entries, want 2 creates and 1 update", len(creates))
		}
		page1, _ := s.AuditLog(ctx, store.AuditFilter{Limit: 3})
		page2, _ := s.AuditLog(ctx, store.AuditFilter{Limit: 3, BeforeID: page1[2].ID})
		if len(page2) != 3 || page2[0].ID >= page1[2].ID {
			t.Errorf("paging: %v then %v", page1, page2)
		}
		if none, _ := s.AuditLog(ctx, store.AuditFilter{From: time.Now().Add(time.Hour)}); len(none) != 0 {
			t.Errorf("from the future: %d", len(none))
		}
	})
}

func TestAuditLogCannotBeChanged(t *testing.T) {
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			s, dsn := storetest.OpenDSN(t, e)
			ctx := context.Background()
			if err := s.Audit(ctx, store.AuditEntry{Action: "signin.ok", ActorID: "u"}); err != nil {
				t.Fatal(err)
			}
			driver := "sqlite"
			if e == store.Postgres {
				driver = "pgx"
			}
			db, err := sql.Open(driver, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			for _, q := range []string{"UPDATE audit_log SET actor_id = 'someone else'", "DELETE FROM audit_log"} {
				if _, err := db.ExecContext(ctx, q); err == nil {
					t.Errorf("%s: allowed", q)
				} else if !strings.Contains(err.Error(), "audit") {
					t.Errorf("%s: %v", q, err)
				}
			}
			if e == store.Postgres {
				if _, err := db.ExecContext(ctx, "TRUNCATE audit_log"); err == nil {
					t.Error("TRUNCATE allowed")
				}
			}
			log, _ := s.AuditLog(ctx, store.AuditFilter{Action: "signin."})
			if len(log) != 1 || log[0].ActorID != "u" {
				t.Errorf("entry after the attempts: %+v", log)
			}
		})
	}
}

func TestSourceOf(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.77:5123":         "192.0.2.0/24",
		"[2001:db8:1:2:3::4]:443": "2001:db8:1::/48",
		"::ffff:198.51.100.9":     "198.51.100.0/24",
		"not an address":          "",
		"203.0.113.200":           "203.0.113.0/24",
	} {
		if got := store.SourceOf(in); got != want {
			t.Errorf("SourceOf(%q) = %q, want %q", in, got, want)
		}
	}
}
