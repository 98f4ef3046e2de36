package store_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

func TestNormalizeContact(t *testing.T) {
	for _, c := range []struct{ kind, in, want string }{
		{"phone", "912 34 567", "+4791234567"},
		{"phone", "+47 912-34-567", "+4791234567"},
		{"phone", "0047 91234567", "+4791234567"},
		{"phone", "+46 70 123 45 67", "+46701234567"},
		{"phone", "(+47) 912 34 567", ""},
		{"phone", "1234", ""},
		{"phone", "9123456a", ""},
		{"email", " Kari@Example.NO ", "kari@example.no"},
		{"email", "kari@localhost", ""},
		{"email", "kari example.no", ""},
		{"email", "a@b@example.no", ""},
		{"fax", "12345678", ""},
	} {
		got, ok := store.NormalizeContact(c.kind, c.in)
		if got != c.want || ok != (c.want != "") {
			t.Errorf("NormalizeContact(%s, %q) = %q, %v; want %q", c.kind, c.in, got, ok, c.want)
		}
	}
}

// testEnquiry is an enquiry from the web form of a person in Oslo.
func testEnquiry(org, theme string) store.Enquiry {
	return store.Enquiry{OrgID: org, Channel: "web", Name: "Solveig", ContactKind: "phone", Contact: "912 34 567",
		OwnWords: "Jeg har mistet mannen min og trenger noen å snakke med", Municipality: "0301", TravelKm: 10,
		Formats: []string{"in_person", "video"}, Slots: []string{"tue-evening", "thu-evening"}, Themes: []string{theme},
		Adult: true, ConsentVersion: "2026-11", Lang: "nb"}
}

func TestEnquiryLife(t *testing.T) {
	for _, eng := range storetest.Engines {
		t.Run(string(eng), func(t *testing.T) {
			s, dsn := storetest.OpenDSN(t, eng)
			coord := store.WithActor(context.Background(), store.Actor{ID: "coordinator-1", Source: "192.0.2.0/24"})
			person := store.WithActor(context.Background(), store.Actor{ID: "person"})
			house := newOrg(t, s, "huset", "")
			theme := domain.Theme{Slug: "sorg", Name: domain.Text{"nb": "Sorg"}, Active: true}
			if err := s.SaveTheme(coord, &theme); err != nil {
				t.Fatal(err)
			}
			now := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
			e := testEnquiry(house.ID, theme.ID)
			if err := s.CreateEnquiry(person, &e, "hash-of-token", now, store.DefaultRetention); err != nil {
				t.Fatal(err)
			}
			if e.Status != store.EnquiryUnconfirmed || e.Contact != "+4791234567" ||
				!e.DeleteAfter.Equal(now.Add(store.DefaultRetention.Unconfirmed)) {
				t.Errorf("created %+v", e)
			}

			// Unconfirmed: the person sees it by their link; staff do not.
			mine, err := s.EnquiryByToken(person, "hash-of-token")
			if err != nil || mine.Name != "Solveig" || mine.OwnWords != e.OwnWords || len(mine.Themes) != 1 {
				t.Fatalf("by token: %+v %v", mine, err)
			}
			if _, err := s.ReadEnquiry(coord, e.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("staff read an unconfirmed enquiry: %v", err)
			}
			if list, err := s.Enquiries(coord, store.EnquiryFilter{OrgIDs: []string{house.ID}}); err != nil || len(list) != 0 {
				t.Errorf("staff listed an unconfirmed enquiry: %d %v", len(list), err)
			}
			if err := s.ConfirmEnquiry(person, e.ID, now.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			if err := s.ConfirmEnquiry(person, e.ID, now.Add(time.Hour)); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("confirmed twice: %v", err)
			}

			// Every staff read is audited, with the reader.
			got, err := s.ReadEnquiry(coord, e.ID)
			if err != nil || got.Status != store.EnquiryNew || got.Contact != "+4791234567" || !got.DeleteAfter.IsZero() {
				t.Fatalf("staff read: %+v %v", got, err)
			}
			list, err := s.Enquiries(coord, store.EnquiryFilter{OrgIDs: []string{house.ID}})
			if err != nil || len(list) != 1 || list[0].Name != "Solveig" {
				t.Fatalf("list: %+v %v", list, err)
			}
			if other, _ := s.Enquiries(coord, store.EnquiryFilter{OrgIDs: []string{newOrg(t, s, "annet-hus", "").ID}}); len(other) != 0 {
				t.Error("another house's list shows the enquiry")
			}
			for _, action := range []string{"enquiry.read", "enquiry.list"} {
				log, _ := s.AuditLog(coord, store.AuditFilter{Action: action})
				if len(log) != 1 || log[0].ActorID != "coordinator-1" {
					t.Errorf("%s audit rows: %+v", action, log)
				}
			}

			// The intake note, the contact and the person's words: the
			// person corrects, the coordinator notes; the log names fields.
			got.IntakeNote = "Ønsker gruppe på kveldstid, helst ikke i eget nabolag"
			got.Contact = "+47 400 00 000"
			if err := s.UpdateEnquiry(coord, &got); err != nil {
				t.Fatal(err)
			}
			log, _ := s.AuditLog(coord, store.AuditFilter{Action: "enquiry.update"})
			if len(log) != 1 || len(log[0].Detail["changed"].([]any)) != 2 {
				t.Errorf("update audit: %+v", log)
			}
			if ids, err := s.EnquiriesByContact(coord, []string{house.ID}, "phone", "40000000"); err != nil || len(ids) != 1 || ids[0] != e.ID {
				t.Errorf("look-up by phone: %v %v", ids, err)
			}
			if ids, _ := s.EnquiriesByContact(coord, []string{house.ID}, "phone", "91234567"); len(ids) != 0 {
				t.Errorf("the old number still finds the enquiry: %v", ids)
			}

			// A dump of the database holds none of it in readable form.
			dump := storetest.Dump(t, eng, dsn)
			for _, secret := range []string{"Solveig", "+4740000000", "40000000", "mistet mannen", "kveldstid"} {
				if bytes.Contains(dump, []byte(secret)) {
					t.Errorf("the dump holds %q", secret)
				}
			}

			// Status moves: not every move is allowed; the pool clock stays
			// when a person comes back; placed starts the deletion clock.
			if err := s.SetEnquiryStatus(coord, e.ID, store.StatusChange{To: store.EnquiryPlaced}, now, store.DefaultRetention); !errors.Is(err, store.ErrEnquiryStatus) {
				t.Errorf("new → placed: %v", err)
			}
			t1 := now.Add(48 * time.Hour)
			if err := s.SetEnquiryStatus(coord, e.ID, store.StatusChange{To: store.EnquiryWaiting}, t1, store.DefaultRetention); err != nil {
				t.Fatal(err)
			}
			if err := s.SetEnquiryStatus(coord, e.ID, store.StatusChange{To: store.EnquiryPaused}, t1.Add(time.Hour), store.DefaultRetention); err != nil {
				t.Fatal(err)
			}
			if err := s.SetEnquiryStatus(coord, e.ID, store.StatusChange{To: store.EnquiryWaiting}, t1.Add(48*time.Hour), store.DefaultRetention); err != nil {
				t.Fatal(err)
			}
			got, _ = s.ReadEnquiry(coord, e.ID)
			if !got.WaitingSince.Equal(t1) {
				t.Errorf("waiting since %v, want %v (the first time in the pool)", got.WaitingSince, t1)
			}
			hist, err := s.EnquiryHistory(coord, e.ID)
			if err != nil || len(hist) != 5 || hist[1].Reason != "confirmed" || hist[4].Status != store.EnquiryWaiting {
				t.Errorf("history: %+v %v", hist, err)
			}

			// Deleting leaves the anonymous statistics row and nothing else.
			if err := s.DeleteEnquiry(coord, e.ID, store.OutcomeWithdrawn); err != nil {
				t.Fatal(err)
			}
			if _, err := s.EnquiryByToken(person, "hash-of-token"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("the link still works after deletion: %v", err)
			}
			if h, _ := s.EnquiryHistory(coord, e.ID); len(h) != 0 {
				t.Errorf("history left: %v", h)
			}
			db := rawDB(t, eng, dsn)
			var n int
			var month, themes, outcome string
			if err := db.QueryRow(`SELECT COUNT(*) FROM enquiry_stats WHERE enquiry_id IS NOT NULL`).Scan(&n); err != nil || n != 0 {
				t.Errorf("statistics rows still linked: %d %v", n, err)
			}
			if err := db.QueryRow(`SELECT month, themes, outcome FROM enquiry_stats`).Scan(&month, &themes, &outcome); err != nil ||
				month != "2026-11" || themes != "sorg" || outcome != "withdrawn" {
				t.Errorf("statistics row: %s %s %s %v", month, themes, outcome, err)
			}
		})
	}
}

// Staff enter phone and walk-in enquiries with the consent recorded; they
// are visible at once. A referral names its kind.
func TestEnquiryByStaff(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := store.WithActor(context.Background(), store.Actor{ID: "coordinator-1"})
		house := newOrg(t, s, "huset", "")
		e := testEnquiry(house.ID, "")
		e.Themes, e.Channel = nil, "phone"
		if err := s.CreateEnquiry(ctx, &e, "h1", time.Now(), store.DefaultRetention); err == nil {
			t.Error("a phone enquiry without recorded consent")
		}
		e.ConsentRecordedBy = "coordinator-1"
		if err := s.CreateEnquiry(ctx, &e, "h1", time.Now(), store.DefaultRetention); err != nil || e.Status != store.EnquiryNew {
			t.Fatalf("phone enquiry: %v %v", e.Status, err)
		}
		if _, err := s.ReadEnquiry(ctx, e.ID); err != nil {
			t.Errorf("staff read of a phone enquiry: %v", err)
		}
		r := testEnquiry(house.ID, "")
		r.Themes, r.Channel = nil, "referral"
		if err := s.CreateEnquiry(ctx, &r, "h2", time.Now(), store.DefaultRetention); err == nil {
			t.Error("a referral without its kind")
		}
		r.ReferralKind = "nav"
		for _, bad := range []func(*store.Enquiry){
			func(x *store.Enquiry) { x.Name = "" },
			func(x *store.Enquiry) { x.Contact = "not a number" },
			func(x *store.Enquiry) { x.Formats = nil },
			func(x *store.Enquiry) { x.Formats = []string{"carrier-pigeon"} },
			func(x *store.Enquiry) { x.Slots = []string{"someday"} },
			func(x *store.Enquiry) { x.TravelKm = -1 },
			func(x *store.Enquiry) { x.ConsentVersion = "" },
		} {
			x := r
			bad(&x)
			if err := s.CreateEnquiry(ctx, &x, "h3", time.Now(), store.DefaultRetention); err == nil {
				t.Errorf("bad enquiry accepted: %+v", x)
			}
		}
		if err := s.CreateEnquiry(ctx, &r, "h2", time.Now(), store.DefaultRetention); err != nil || r.Status != store.EnquiryUnconfirmed {
			t.Errorf("referral: %v %v", r.Status, err)
		}
	})
}
