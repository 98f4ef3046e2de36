package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// The texts of a yearly report: saved, read back per organisation and
// year, changed, removed by an empty text; every change audited with the
// section and length and never the text; nothing saved for an unknown
// organisation, section or year.
func TestReportTexts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		ctx := store.WithActor(context.Background(), store.Actor{ID: "coordinator-1"})
		got := func(year int) map[string]string {
			t.Helper()
			ts, err := s.ReportTexts(ctx, f.house.ID, year)
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]string{}
			for k, v := range ts {
				if v.OrgID != f.house.ID || v.Year != year || v.Section != k || v.UpdatedBy != "coordinator-1" || v.UpdatedAt.IsZero() {
					t.Errorf("section %s: %+v", k, v)
				}
				out[k] = v.Body
			}
			return out
		}
		n, err := s.SaveReportTexts(ctx, f.house.ID, 2026, map[string]string{"done": "Vi startet 12 grupper, čoahkkimat.", "plans": "", "story": "Flere ringer."})
		if err != nil || n != 2 {
			t.Fatalf("first save: %d changed, %v", n, err)
		}
		if g := got(2026); len(g) != 2 || g["done"] != "Vi startet 12 grupper, čoahkkimat." || g["story"] != "Flere ringer." {
			t.Errorf("after the first save: %v", g)
		}
		if g := got(2025); len(g) != 0 {
			t.Errorf("2025 has %v", g)
		}
		// The same again changes nothing; then one changed, one removed.
		if n, err := s.SaveReportTexts(ctx, f.house.ID, 2026, map[string]string{"done": "Vi startet 12 grupper, čoahkkimat."}); err != nil || n != 0 {
			t.Errorf("the same again: %d changed, %v", n, err)
		}
		if n, err := s.SaveReportTexts(ctx, f.house.ID, 2026, map[string]string{"done": "Nytt.", "story": ""}); err != nil || n != 2 {
			t.Errorf("change and remove: %d changed, %v", n, err)
		}
		if g := got(2026); len(g) != 1 || g["done"] != "Nytt." {
			t.Errorf("after the change: %v", g)
		}
		es, err := s.AuditLog(ctx, store.AuditFilter{ObjectType: "organisation", ObjectID: f.house.ID, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range es {
			if !strings.HasPrefix(e.Action, "report_text.") {
				continue
			}
			actions = append(actions, e.Action+":"+e.Detail["section"].(string))
			if e.ActorID != "coordinator-1" || e.OrgID != f.house.ID {
				t.Errorf("audit entry %+v", e)
			}
			for _, v := range e.Detail {
				if s, ok := v.(string); ok && strings.Contains(s, " ") {
					t.Errorf("the audit entry holds text: %v", e.Detail)
				}
			}
		}
		if want := "report_text.remove:story report_text.save:done report_text.save:story report_text.save:done"; strings.Join(actions, " ") != want {
			t.Errorf("audit: %v, want %s", actions, want)
		}
		for _, bad := range []struct {
			org  string
			year int
			m    map[string]string
		}{
			{f.house.ID, 2026, map[string]string{"other": "x"}},
			{f.house.ID, 1999, map[string]string{"done": "x"}},
			{f.house.ID, 2026, map[string]string{"done": strings.Repeat("x", store.ReportTextMax+1)}},
		} {
			if _, err := s.SaveReportTexts(ctx, bad.org, bad.year, bad.m); err == nil {
				t.Errorf("saved %v in %d", bad.m, bad.year)
			}
		}
		if _, err := s.SaveReportTexts(ctx, "00000000-0000-4000-8000-000000000000", 2026, map[string]string{"done": "x"}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("an unknown organisation: %v", err)
		}
		if g := got(2026); len(g) != 1 || g["done"] != "Nytt." {
			t.Errorf("after the refused saves: %v", g)
		}
	})
}
