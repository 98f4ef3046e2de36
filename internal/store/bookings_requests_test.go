package store_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

func roomRequest(f fixture, at time.Time) store.RoomRequest {
	return store.RoomRequest{VenueID: f.venue.ID, RoomID: f.room.ID, OrgName: "Sorgstøtte Nord-Troms",
		ContactName: "Ragnhild Qvigstad", Email: "Ragnhild.Qvigstad@example.no", Phone: "+47 912 34 567",
		Purpose: "Samtalegruppe for etterlatte etter selvmord", GroupKind: "peer", Kind: "weekly", StartsAt: at,
		Minutes: 120, Until: "2026-12-15", Lang: "en", ConsentVersion: "2026-11"}
}

func decisionMail(r store.RoomRequest) (store.OutboxMail, error) {
	return store.OutboxMail{To: r.Email, Subject: "Svar", Body: "Svar på forespørselen", Lang: r.Lang, Kind: "room_request_answer"}, nil
}

// TestRoomRequests: a request from the public form is sealed at rest and
// read by staff with an audit row; approving it books the room (checked
// like every booking) and mails the person; a request is decided once;
// 90 days after the decision it is gone with its mails, and the booking
// stays.
func TestRoomRequests(t *testing.T) {
	for _, eng := range storetest.Engines {
		t.Run(string(eng), func(t *testing.T) {
			s, dsn := storetest.OpenDSN(t, eng)
			f := setup(t, s)
			person := store.WithActor(context.Background(), store.Actor{ID: "person"})
			ctx := coordCtx()
			now := bookNow
			r := roomRequest(f, local(2026, 9, 1, 18, 0))
			notify := store.OutboxMail{To: "huset@example.no", Subject: "Ny forespørsel om rom", Body: "Se kontoret",
				Kind: "room_request_new"}
			if err := s.CreateRoomRequest(person, &r, now, &notify); err != nil {
				t.Fatal(err)
			}
			if r.OrgID != f.house.ID || r.Status != store.RoomRequestNew || r.Email != "ragnhild.qvigstad@example.no" ||
				r.Phone != "+4791234567" || !r.DeleteAfter.Equal(local(2026, 9, 1, 18, 0).Add(store.RoomRequestKeep)) {
				t.Errorf("stored: %+v", r)
			}
			dump := storetest.Dump(t, eng, dsn)
			for _, secret := range []string{"Qvigstad", "qvigstad@example", "91234567", "Sorgstøtte", "etterlatte"} {
				if bytes.Contains(dump, []byte(secret)) {
					t.Errorf("the database holds %q in the clear", secret)
				}
			}
			// Refused: a room of another venue, a venue of no house, bad fields.
			bad := roomRequest(f, local(2026, 9, 1, 18, 0))
			bad.RoomID = store.NewID()
			if err := s.CreateRoomRequest(person, &bad, now, nil); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("another room: %v", err)
			}
			bad = roomRequest(f, local(2026, 9, 1, 18, 0))
			bad.Email, bad.Kind, bad.Minutes = "nobody", "daily", 5
			if err := s.CreateRoomRequest(person, &bad, now, nil); !errors.Is(err, store.ErrRoomRequest) ||
				!bytes.Contains([]byte(err.Error()), []byte("email, kind, minutes")) {
				t.Errorf("bad fields: %v", err)
			}
			// Staff read it: one audit row per list and per read.
			if n, err := s.RoomRequestCounts(context.Background(), []string{f.house.ID}); err != nil || n != 1 {
				t.Errorf("count: %d %v", n, err)
			}
			list, err := s.RoomRequests(ctx, []string{f.house.ID})
			if err != nil || len(list) != 1 || list[0].ContactName != "Ragnhild Qvigstad" {
				t.Fatalf("list: %v %+v", err, list)
			}
			if org, err := s.RoomRequestOrg(context.Background(), r.ID); err != nil || org != f.house.ID {
				t.Errorf("org: %q %v", org, err)
			}
			got, err := s.ReadRoomRequest(ctx, r.ID)
			if err != nil || got.Purpose != r.Purpose || got.Lang != "en" {
				t.Fatalf("read: %v %+v", err, got)
			}
			log, _ := s.AuditLog(context.Background(), store.AuditFilter{Action: "room_request.", Limit: 10})
			var acts []string
			for _, e := range log {
				acts = append(acts, e.Action)
				if b, _ := json.Marshal(e.Detail); bytes.Contains(b, []byte("Qvigstad")) {
					t.Error("personal data in the audit log")
				}
			}
			if !slices.Equal(acts, []string{"room_request.read", "room_request.list", "room_request.create"}) {
				t.Errorf("audit: %v", acts)
			}
			// A clash on approval: nothing is written, the request stays new.
			tue := store.RoomSeries{RoomID: f.room.ID, GroupID: f.group.ID, Start: local(2026, 9, 1, 19, 0), Minutes: 60,
				Rule: "FREQ=WEEKLY;BYDAY=TU", Until: "2026-09-30"}
			if err := s.SaveSeries(ctx, &tue, now); err != nil {
				t.Fatal(err)
			}
			series := &store.RoomSeries{RoomID: f.room.ID, Start: r.StartsAt, Minutes: 120, Rule: "FREQ=WEEKLY;BYDAY=TU",
				Until: r.Until, Title: "Samtalegruppe"}
			_, err = s.DecideRoomRequest(ctx, r.ID, store.RoomDecision{Approve: true, Series: series,
				Holder: "Sorgstøtte Nord-Troms", Mail: decisionMail}, now)
			var ce *store.RoomClashError
			if !errors.As(err, &ce) || ce.Clashes[0].SeriesID != tue.ID {
				t.Fatalf("approval over a series: %v", err)
			}
			if got, _ := s.ReadRoomRequest(ctx, r.ID); got.Status != store.RoomRequestNew {
				t.Errorf("after a clash: %s", got.Status)
			}
			// 17:00–19:00 on Thursdays is free.
			series = &store.RoomSeries{RoomID: f.room.ID, Start: local(2026, 9, 3, 17, 0), Minutes: 120,
				Rule: "FREQ=WEEKLY;BYDAY=TH", Until: r.Until, Title: "Samtalegruppe"}
			decided, err := s.DecideRoomRequest(ctx, r.ID, store.RoomDecision{Approve: true, Series: series,
				Holder: "Sorgstøtte Nord-Troms", Message: "Velkommen på torsdager!", Mail: decisionMail}, now)
			if err != nil {
				t.Fatal(err)
			}
			if decided.Status != store.RoomRequestApproved || !decided.DeleteAfter.Equal(now.Add(store.RoomRequestKeep)) ||
				series.RequestID != r.ID || series.Holder != "Sorgstøtte Nord-Troms" {
				t.Errorf("approved: %+v, series %+v", decided, series)
			}
			if _, err := s.DecideRoomRequest(ctx, r.ID, store.RoomDecision{Mail: decisionMail}, now); !errors.Is(err,
				store.ErrRoomRequestDecided) {
				t.Errorf("decided twice: %v", err)
			}
			// A second request, declined; a third one, never decided.
			r2 := roomRequest(f, local(2026, 10, 5, 10, 0))
			r2.Kind, r2.Until = "once", ""
			if err := s.CreateRoomRequest(person, &r2, now, nil); err != nil {
				t.Fatal(err)
			}
			if _, err := s.DecideRoomRequest(ctx, r2.ID, store.RoomDecision{Message: "Rommet er opptatt.",
				Mail: decisionMail}, now.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			r3 := roomRequest(f, local(2026, 3, 10, 10, 0))
			if err := s.CreateRoomRequest(person, &r3, now, nil); err != nil {
				t.Fatal(err)
			}
			mails, err := s.ClaimMail(context.Background(), time.Now().Add(time.Hour), 10, time.Minute)
			if err != nil || len(mails) != 3 {
				t.Fatalf("mails: %v %d", err, len(mails))
			}
			// The clock: nothing before its time, then each one with its mails.
			if n, err := s.PurgeRoomRequests(context.Background(), now.Add(89*24*time.Hour)); err != nil || n != 0 {
				t.Errorf("before 90 days: %d %v", n, err)
			}
			if n, err := s.PurgeRoomRequests(context.Background(), local(2026, 6, 1, 12, 0)); err != nil || n != 2 {
				t.Errorf("90 days after the decisions and the day wished: %d %v", n, err)
			}
			if _, err := s.ReadRoomRequest(ctx, r.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("approved request after 90 days: %v", err)
			}
			if _, err := s.ReadRoomRequest(ctx, r2.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("declined request after 90 days: %v", err)
			}
			if kept, err := s.Series(context.Background(), series.ID); err != nil || kept.RequestID != "" ||
				kept.Holder != "Sorgstøtte Nord-Troms" {
				t.Errorf("the booking stays without its request: %v %+v", err, kept)
			}
			for _, m := range mails {
				if _, err := s.OutboxMailByID(context.Background(), m.ID); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("a mail of a deleted request stays: %v", err)
				}
			}
			if _, err := s.ReadRoomRequest(ctx, r3.ID); err != nil {
				t.Errorf("an undecided request whose day is near: %v", err)
			}
			log, _ = s.AuditLog(context.Background(), store.AuditFilter{Action: "room_request.delete", Limit: 10})
			if len(log) != 2 || log[0].ActorID != "system" {
				t.Errorf("deletion audit: %+v", log)
			}
		})
	}
}

// TestRoomFeedToken: a room's feed opens with its current token only.
func TestRoomFeedToken(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		ctx := coordCtx()
		if ok, err := s.RoomFeedOpens(ctx, f.room.ID, "anything"); ok || err != nil {
			t.Errorf("no feed yet: %v %v", ok, err)
		}
		t1, err := s.RotateRoomFeed(ctx, f.room.ID, bookNow)
		if err != nil || len(t1) != 43 {
			t.Fatalf("%q %v", t1, err)
		}
		if made, _ := s.RoomFeedMade(ctx, f.room.ID); !made.Equal(bookNow) {
			t.Errorf("made %s", made)
		}
		t2, _ := s.RotateRoomFeed(ctx, f.room.ID, bookNow)
		for tok, want := range map[string]bool{t1: false, t2: true, "": false, t2 + "x": false} {
			if ok, err := s.RoomFeedOpens(ctx, f.room.ID, tok); ok != want || err != nil {
				t.Errorf("token %q: %v %v", tok, ok, err)
			}
		}
		if ok, _ := s.RoomFeedOpens(ctx, store.NewID(), t2); ok {
			t.Error("another room's token")
		}
		if err := s.StopRoomFeed(ctx, f.room.ID); err != nil {
			t.Fatal(err)
		}
		if ok, _ := s.RoomFeedOpens(ctx, f.room.ID, t2); ok {
			t.Error("a stopped feed")
		}
	})
}

// TestRoomUseMonth: the hours of a month by group and organisation,
// across the change to summer time, a meeting past the month's end counted
// up to it.
func TestRoomUseMonth(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		ctx := coordCtx()
		// Tuesdays 18:00–19:30 in March 2026: 3, 10, 17, 24, 31 (one a holiday).
		tue := store.RoomSeries{RoomID: f.room.ID, GroupID: f.group.ID, Start: local(2026, 3, 3, 18, 0), Minutes: 90,
			Rule: "FREQ=WEEKLY;BYDAY=TU", Exceptions: []store.SeriesException{{Day: "2026-03-17", Reason: "holiday"}}}
		aa := store.RoomSeries{RoomID: f.room.ID, Holder: "AA Tromsø", Start: local(2026, 3, 4, 19, 0), Minutes: 60,
			Rule: "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE"} // 4 and 18 March
		late := store.RoomBooking{RoomID: f.room.ID, StartsAt: local(2026, 3, 31, 21, 30), EndsAt: local(2026, 4, 1, 1, 0),
			Purpose: "event", Title: "Nattkafé"}
		for _, sr := range []*store.RoomSeries{&tue, &aa} {
			if err := s.SaveSeries(ctx, sr, bookNow); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.BookOnce(ctx, &late, store.BookingHolder{OrgID: f.house.ID}); err != nil {
			t.Fatal(err)
		}
		lines, err := s.RoomUseMonth(context.Background(), []string{f.room.ID}, "2026-03")
		if err != nil {
			t.Fatal(err)
		}
		want := []store.RoomUseLine{
			{RoomID: f.room.ID, GroupID: f.group.ID, Meetings: 4, Minutes: 360},
			{RoomID: f.room.ID, OrgID: f.house.ID, Meetings: 1, Minutes: 150},
			{RoomID: f.room.ID, Holder: "AA Tromsø", Meetings: 2, Minutes: 120},
		}
		if !slices.Equal(lines, want) {
			t.Errorf("March:\n got %+v\nwant %+v", lines, want)
		}
		if _, err := s.RoomUseMonth(context.Background(), []string{f.room.ID}, "2026-13"); err == nil {
			t.Error("month 13")
		}
	})
}
