package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// The house of a municipality: a self-help house that serves it, else a
// volunteer centre that does, else the national centre, else the root.
func TestServingOrganisation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, err := s.ServingOrganisation(ctx, "5501"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("no organisations: %v", err)
		}
		save := func(kind domain.OrgKind, slug, name, parent string, munis ...string) domain.Organisation {
			t.Helper()
			o := domain.Organisation{Kind: kind, Slug: slug, Name: name, ParentID: parent, Municipalities: munis}
			if err := s.SaveOrganisation(ctx, &o); err != nil {
				t.Fatal(err)
			}
			return o
		}
		root := save(domain.OrgOther, "rot", "Rot", "")
		want := func(muni string, o domain.Organisation) {
			t.Helper()
			got, err := s.ServingOrganisation(ctx, muni)
			if err != nil || got.ID != o.ID {
				t.Errorf("%s: %s %v, want %s", muni, got.Name, err, o.Name)
			}
		}
		want("5501", root)
		centre := save(domain.OrgNationalCentre, "senter", "Senteret", root.ID)
		want("5501", centre)
		// A district office or a partner that serves the municipality is not
		// where enquiries go.
		save(domain.OrgDistrictOffice, "distrikt", "Distrikt", centre.ID, "5501")
		save(domain.OrgLearningMastery, "lms", "LMS", centre.ID, "5501")
		want("5501", centre)
		vol := save(domain.OrgVolunteerCentre, "frivillig", "Frivilligsentralen", centre.ID, "5501", "1804")
		want("5501", vol)
		save(domain.OrgSelfHelpHouse, "huset-o", "Ørsta-huset", centre.ID, "5501")
		save(domain.OrgSelfHelpHouse, "huset-a", "Åsen-huset", centre.ID, "5501")
		zed := save(domain.OrgSelfHelpHouse, "huset-z", "Zeta-huset", centre.ID, "5501")
		// Norwegian order: … z, æ, ø, å.
		want("5501", zed)
		want("1804", vol)
		want("0301", centre)
	})
}

// An enquiry from the web form is stored with the message that carries its
// link, in one transaction; the message carries the enquiry's ref, so that
// deleting the enquiry deletes the message; a message that cannot be sent
// leaves no enquiry behind.
func TestCreatePersonEnquiry(t *testing.T) {
	for _, eng := range storetest.Engines {
		t.Run(string(eng), func(t *testing.T) {
			s, dsn := storetest.OpenDSN(t, eng)
			person := store.WithActor(context.Background(), store.Actor{ID: "person", Source: "192.0.2.0/24"})
			house := newOrg(t, s, "huset", "")
			now := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
			db := rawDB(t, eng, dsn)
			count := func(q string, args ...any) int {
				t.Helper()
				var n int
				if err := db.QueryRow(q, args...).Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}

			e := testEnquiry(house.ID, "")
			e.Themes, e.ContactKind, e.Contact = nil, "email", "Solveig@Example.NO"
			bad := store.OutboxMail{To: "solveig@example.no", Subject: "Bekreft", Body: "", Kind: "enquiry_link"}
			if err := s.CreatePersonEnquiry(person, &e, "hash-1", now, store.DefaultRetention, bad); err == nil {
				t.Fatal("an enquiry stored with a mail that cannot be sent")
			}
			if n := count(`SELECT COUNT(*) FROM enquiries`); n != 0 {
				t.Errorf("%d enquiries after a failed mail", n)
			}
			staff := e
			staff.Channel, staff.ConsentRecordedBy = "phone", "coordinator-1"
			if err := s.CreatePersonEnquiry(person, &staff, "hash-2", now, store.DefaultRetention, bad); err == nil {
				t.Error("a phone enquiry through the person's form")
			}

			m := store.OutboxMail{To: "solveig@example.no", Subject: "Bekreft henvendelsen din", Body: "Lenke: https://x.example/min-henvendelse/abc",
				Kind: "enquiry_link", Lang: "nb"}
			if err := s.CreatePersonEnquiry(person, &e, "hash-1", now, store.DefaultRetention, m); err != nil {
				t.Fatal(err)
			}
			if e.Status != store.EnquiryUnconfirmed || e.Contact != "solveig@example.no" ||
				!e.DeleteAfter.Equal(now.Add(store.DefaultRetention.Unconfirmed)) {
				t.Errorf("created %+v", e)
			}
			mine, err := s.EnquiryByToken(person, "hash-1")
			if err != nil || mine.ID != e.ID || mine.Name != "Solveig" || mine.Status != store.EnquiryUnconfirmed {
				t.Fatalf("by token: %+v %v", mine, err)
			}
			if n := count(`SELECT COUNT(*) FROM outbox WHERE ref = $1`, store.EnquiryRef(e.ID)); n != 1 {
				t.Errorf("%d messages with the enquiry's ref", n)
			}
			if _, err := s.ReadEnquiry(person, e.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("staff read an unconfirmed enquiry: %v", err)
			}
			log, _ := s.AuditLog(person, store.AuditFilter{Action: "enquiry.create"})
			if len(log) != 1 || log[0].ActorID != "person" || log[0].Detail["channel"] != "web" {
				t.Errorf("audit: %+v", log)
			}

			// A text message for a phone contact.
			p := testEnquiry(house.ID, "")
			p.Themes = nil
			sms := store.OutboxMail{Channel: store.ChannelSMS, To: "+4791234567", Body: "Bekreft: https://x.example/min-henvendelse/def",
				Kind: "enquiry_link", Lang: "nb"}
			if err := s.CreatePersonEnquiry(person, &p, "hash-3", now, store.DefaultRetention, sms); err != nil {
				t.Fatal(err)
			}
			got, err := s.ClaimOutbox(person, store.ChannelSMS, time.Now().Add(time.Hour), 10, time.Minute)
			if err != nil || len(got) != 1 || got[0].To != "+4791234567" {
				t.Errorf("claimed text messages: %+v %v", got, err)
			}

			// Withdrawn: the enquiry and its messages are gone.
			if err := s.DeleteEnquiry(person, e.ID, store.OutcomeWithdrawn); err != nil {
				t.Fatal(err)
			}
			if n := count(`SELECT COUNT(*) FROM outbox WHERE ref = $1`, store.EnquiryRef(e.ID)); n != 0 {
				t.Errorf("%d messages left after the enquiry was deleted", n)
			}
			if _, err := s.EnquiryByToken(person, "hash-1"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("the link works after deletion: %v", err)
			}
		})
	}
}

// "Still interested?": only an enquiry that was asked can answer; the answer
// clears the question, keeps the status and is in the history.
func TestStillInterested(t *testing.T) {
	for _, eng := range storetest.Engines {
		t.Run(string(eng), func(t *testing.T) {
			s, dsn := storetest.OpenDSN(t, eng)
			person := store.WithActor(context.Background(), store.Actor{ID: "person"})
			coord := store.WithActor(context.Background(), store.Actor{ID: "coordinator-1"})
			house := newOrg(t, s, "huset", "")
			now := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
			e := testEnquiry(house.ID, "")
			e.Themes = nil
			m := store.OutboxMail{Channel: store.ChannelSMS, To: "+4791234567", Body: "Bekreft", Kind: "enquiry_link"}
			if err := s.CreatePersonEnquiry(person, &e, "hash-1", now, store.DefaultRetention, m); err != nil {
				t.Fatal(err)
			}
			if err := s.StillInterested(person, e.ID, now); !errors.Is(err, store.ErrNotAsked) {
				t.Errorf("not asked: %v", err)
			}
			if err := s.StillInterested(person, store.NewID(), now); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("unknown: %v", err)
			}
			if err := s.ConfirmEnquiry(person, e.ID, now); err != nil {
				t.Fatal(err)
			}
			if err := s.SetEnquiryStatus(coord, e.ID, store.StatusChange{To: store.EnquiryWaiting}, now, store.DefaultRetention); err != nil {
				t.Fatal(err)
			}
			// What the retention job does when it asks.
			asked := now.Add(store.DefaultRetention.AskEvery)
			db := rawDB(t, eng, dsn)
			if _, err := db.Exec(`UPDATE enquiries SET asked_at = $2, delete_after = $3 WHERE id = $1`, e.ID, asked,
				asked.Add(store.DefaultRetention.AnswerWithin)); err != nil {
				t.Fatal(err)
			}
			if err := s.StillInterested(person, e.ID, asked.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			got, _ := s.EnquiryByToken(person, "hash-1")
			if !got.AskedAt.IsZero() || !got.DeleteAfter.IsZero() || got.Status != store.EnquiryWaiting {
				t.Errorf("after the answer: asked %v, delete after %v, %s", got.AskedAt, got.DeleteAfter, got.Status)
			}
			h, _ := s.EnquiryHistory(person, e.ID)
			if last := h[len(h)-1]; last.Reason != "still_interested" || last.Status != store.EnquiryWaiting || last.ActorID != "person" {
				t.Errorf("history: %+v", h)
			}
			if err := s.StillInterested(person, e.ID, asked.Add(2*time.Hour)); !errors.Is(err, store.ErrNotAsked) {
				t.Errorf("answered twice: %v", err)
			}
		})
	}
}

// A person who corrects their municipality to one another house serves
// moves their enquiry to that house, statistics row and all.
func TestMoveEnquiry(t *testing.T) {
	for _, eng := range storetest.Engines {
		t.Run(string(eng), func(t *testing.T) {
			s, dsn := storetest.OpenDSN(t, eng)
			person := store.WithActor(context.Background(), store.Actor{ID: "person"})
			a, b := newOrg(t, s, "huset-a", ""), newOrg(t, s, "huset-b", "")
			now := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
			e := testEnquiry(a.ID, "")
			e.Themes = nil
			m := store.OutboxMail{Channel: store.ChannelSMS, To: "+4791234567", Body: "Bekreft", Kind: "enquiry_link"}
			if err := s.CreatePersonEnquiry(person, &e, "hash-1", now, store.DefaultRetention, m); err != nil {
				t.Fatal(err)
			}
			if err := s.ConfirmEnquiry(person, e.ID, now); err != nil {
				t.Fatal(err)
			}
			e.Municipality = "1804"
			if err := s.UpdateEnquiry(person, &e); err != nil {
				t.Fatal(err)
			}
			if err := s.MoveEnquiry(person, e.ID, b.ID); err != nil {
				t.Fatal(err)
			}
			if err := s.MoveEnquiry(person, e.ID, b.ID); err != nil {
				t.Errorf("moved to where it is: %v", err)
			}
			coord := store.WithActor(context.Background(), store.Actor{ID: "coordinator-1"})
			if l, _ := s.Enquiries(coord, store.EnquiryFilter{OrgIDs: []string{a.ID}}); len(l) != 0 {
				t.Errorf("the old house still lists it")
			}
			if l, _ := s.Enquiries(coord, store.EnquiryFilter{OrgIDs: []string{b.ID}}); len(l) != 1 {
				t.Errorf("the new house does not list it")
			}
			var org, muni string
			if err := rawDB(t, eng, dsn).QueryRow(`SELECT organisation_id, municipality_id FROM enquiry_stats WHERE enquiry_id = $1`, e.ID).
				Scan(&org, &muni); err != nil || org != b.ID || muni != "1804" {
				t.Errorf("statistics row: %s %s %v", org, muni, err)
			}
			log, _ := s.AuditLog(person, store.AuditFilter{Action: "enquiry.move"})
			if len(log) != 1 || log[0].Detail["from"] != a.ID || log[0].Detail["to"] != b.ID {
				t.Errorf("audit: %+v", log)
			}
		})
	}
}
