package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// The outreach log: entries saved, changed and deleted with their audit
// rows (without the words), refused when they break the rules.
func TestOutreachEntries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := store.WithActor(context.Background(), store.Actor{ID: "coordinator-1"})
		house := newOrg(t, s, "huset", "")
		now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		e := store.OutreachEntry{OrgID: house.ID, Day: "2026-02-12", Kind: store.OutreachTalk,
			Audience: " Fastlegene i Tromsø ", Reached: 14, Note: "Spurte om brosjyrer på samisk"}
		if err := s.SaveOutreach(ctx, &e, now); err != nil {
			t.Fatal(err)
		}
		if !store.ValidID(e.ID) || e.Audience != "Fastlegene i Tromsø" || e.CreatedBy != "coordinator-1" || !e.CreatedAt.Equal(now) {
			t.Errorf("saved %+v", e)
		}
		got, err := s.Outreach(ctx, e.ID)
		if err != nil || got != e {
			t.Errorf("read back %+v %v, want %+v", got, err, e)
		}
		e.Reached, e.Note = 15, "Rettet antall"
		if err := s.SaveOutreach(ctx, &e, now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Outreach(ctx, e.ID); got.Reached != 15 || !got.CreatedAt.Equal(now) || !got.UpdatedAt.Equal(now.Add(time.Hour)) {
			t.Errorf("changed %+v", got)
		}
		// Saving it unchanged writes no audit row.
		if err := s.SaveOutreach(ctx, &e, now.Add(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
		for _, bad := range []store.OutreachEntry{
			{OrgID: house.ID, Day: "2026-02-30", Kind: store.OutreachTalk},
			{OrgID: house.ID, Day: "12.02.2026", Kind: store.OutreachTalk},
			{OrgID: house.ID, Day: "2026-02-12", Kind: "party"},
			{OrgID: house.ID, Day: "2026-02-12", Kind: store.OutreachStand, Reached: -1},
			{OrgID: house.ID, Day: "2026-02-12", Kind: store.OutreachStand, Reached: store.MaxOutreachReached + 1},
			{OrgID: house.ID, Day: "2026-02-12", Kind: store.OutreachStand, Note: strings.Repeat("ø", store.MaxOutreachNote+1)},
			{OrgID: house.ID, Day: "2026-02-12", Kind: store.OutreachStand, Audience: strings.Repeat("ø", store.MaxOutreachAudience+1)},
			{Day: "2026-02-12", Kind: store.OutreachStand},
		} {
			if err := s.SaveOutreach(ctx, &bad, now); err == nil {
				t.Errorf("%+v saved", bad)
			}
		}
		missing := store.OutreachEntry{ID: store.NewID(), OrgID: house.ID, Day: "2026-02-12", Kind: store.OutreachTalk}
		if err := s.SaveOutreach(ctx, &missing, now); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("saving an entry that does not exist: %v", err)
		}
		if err := s.DeleteOutreach(ctx, e.ID, now); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Outreach(ctx, e.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a deleted entry: %v", err)
		}
		if err := s.DeleteOutreach(ctx, e.ID, now); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("deleting twice: %v", err)
		}
		es, err := s.AuditLog(ctx, store.AuditFilter{ObjectType: "outreach", ObjectID: e.ID})
		if err != nil {
			t.Fatal(err)
		}
		var acts []string
		for i := len(es) - 1; i >= 0; i-- {
			acts = append(acts, es[i].Action)
			if es[i].OrgID != house.ID {
				t.Errorf("%s without the organisation", es[i].Action)
			}
			if d := fmt.Sprint(es[i].Detail); strings.Contains(d, "Fastlegene") || strings.Contains(d, "Rettet") {
				t.Errorf("the audit log holds the words: %s", d)
			}
		}
		if want := []string{"outreach.create", "outreach.update", "outreach.delete"}; !slices.Equal(acts, want) {
			t.Errorf("audit %v, want %v", acts, want)
		}
		if c, _ := es[1].Detail["changed"].(map[string]any); len(c) != 2 || c["Note"] != true || c["Reached"] == nil {
			t.Errorf("the update's detail %v", es[1].Detail)
		}
	})
}

// The list and the totals: by organisation, period and kind, per month
// and kind, against sums made by hand.
func TestOutreachTotals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := store.WithActor(context.Background(), store.Actor{ID: "coordinator-1"})
		a, b := newOrg(t, s, "huset-a", ""), newOrg(t, s, "huset-b", "")
		now := time.Date(2026, 4, 2, 9, 0, 0, 0, time.UTC)
		for _, x := range []struct {
			org            string
			day, kind      string
			reached, times int
		}{
			{a.ID, "2026-01-31", store.OutreachTalk, 20, 1},
			{a.ID, "2026-02-01", store.OutreachTalk, 12, 2},
			{a.ID, "2026-02-14", store.OutreachBrochures, 150, 1},
			{a.ID, "2026-02-28", store.OutreachMedia, 0, 1},
			{a.ID, "2026-03-01", store.OutreachStand, 40, 1},
			{b.ID, "2026-02-10", store.OutreachTalk, 1000, 1},
		} {
			for range x.times {
				e := store.OutreachEntry{OrgID: x.org, Day: x.day, Kind: x.kind, Reached: x.reached}
				if err := s.SaveOutreach(ctx, &e, now); err != nil {
					t.Fatal(err)
				}
			}
		}
		feb, mar := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		str := func(ts []store.OutreachTotal) string {
			var out []string
			for _, t := range ts {
				out = append(out, fmt.Sprintf("%s %s %d/%d", t.Month, t.Kind, t.Entries, t.Reached))
			}
			return strings.Join(out, ", ")
		}
		for _, c := range []struct {
			orgs     []string
			from, to time.Time
			want     string
		}{
			{[]string{a.ID}, feb, mar, "2026-02 talk 2/24, 2026-02 media 1/0, 2026-02 brochures 1/150"},
			{[]string{a.ID}, time.Time{}, time.Time{},
				"2026-01 talk 1/20, 2026-02 talk 2/24, 2026-02 media 1/0, 2026-02 brochures 1/150, 2026-03 stand 1/40"},
			{nil, feb, mar, "2026-02 talk 3/1024, 2026-02 media 1/0, 2026-02 brochures 1/150"},
			{[]string{a.ID, b.ID}, mar, time.Time{}, "2026-03 stand 1/40"},
			{[]string{b.ID}, time.Time{}, feb, ""},
			{[]string{}, time.Time{}, time.Time{}, ""},
		} {
			ts, err := s.OutreachTotals(ctx, c.orgs, c.from, c.to)
			if err != nil {
				t.Fatal(err)
			}
			if got := str(ts); got != c.want {
				t.Errorf("totals of %v from %v to %v:\n got %s\nwant %s", c.orgs, c.from, c.to, got, c.want)
			}
		}
		// A bound in Oslo time is the Oslo date: 1 March 00.30 in Oslo is
		// still 28 February in UTC, and counts from 1 March.
		oslo, _ := time.LoadLocation("Europe/Oslo")
		if ts, _ := s.OutreachTotals(ctx, []string{a.ID}, time.Date(2026, 3, 1, 0, 30, 0, 0, oslo), time.Time{}); str(ts) != "2026-03 stand 1/40" {
			t.Errorf("from 1 March in Oslo: %s", str(ts))
		}
		list, total, err := s.OutreachEntries(ctx, store.OutreachFilter{OrgIDs: []string{a.ID}, From: feb, To: mar, Kind: store.OutreachTalk})
		if err != nil || total != 2 || len(list) != 2 || list[0].Day != "2026-02-01" {
			t.Errorf("list: %d %+v %v", total, list, err)
		}
		list, total, _ = s.OutreachEntries(ctx, store.OutreachFilter{OrgIDs: []string{a.ID}, Limit: 2})
		if total != 6 || len(list) != 2 || list[0].Day != "2026-03-01" || list[1].Day != "2026-02-28" {
			t.Errorf("newest first, limited: %d %+v", total, list)
		}
		if list, total, _ := s.OutreachEntries(ctx, store.OutreachFilter{OrgIDs: []string{}}); total != 0 || len(list) != 0 {
			t.Errorf("no organisation: %d %+v", total, list)
		}
	})
}

// BenchmarkOutreachTotals: a year's totals of one house among 50 houses
// with 20,000 entries over two years (what a report asks for).
//
//	go test ./internal/store -run XXX -bench OutreachTotals -benchtime 200x
func BenchmarkOutreachTotals(b *testing.B) {
	for _, eng := range storetest.Engines {
		b.Run(string(eng), func(b *testing.B) {
			s := storetest.Open(b, eng)
			ctx := store.WithActor(context.Background(), store.Actor{ID: "bench"})
			var orgs []string
			for i := range 50 {
				o := domain.Organisation{Kind: domain.OrgSelfHelpHouse, Slug: fmt.Sprintf("hus-%d", i), Name: fmt.Sprintf("Hus %d", i)}
				if err := s.SaveOrganisation(ctx, &o); err != nil {
					b.Fatal(err)
				}
				orgs = append(orgs, o.ID)
			}
			start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
			for i := range 20000 {
				e := store.OutreachEntry{OrgID: orgs[i%len(orgs)], Day: start.AddDate(0, 0, i%730).Format(time.DateOnly),
					Kind: store.OutreachKinds[i%len(store.OutreachKinds)], Reached: i % 40}
				if err := s.SaveOutreach(ctx, &e, start); err != nil {
					b.Fatal(err)
				}
			}
			from, to := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
			b.ResetTimer()
			for b.Loop() {
				ts, err := s.OutreachTotals(ctx, orgs[:1], from, to)
				if err != nil || len(ts) != 36 { // 12 months × the 3 kinds that house 0 has
					b.Fatalf("%d totals, %v", len(ts), err)
				}
			}
		})
	}
}
