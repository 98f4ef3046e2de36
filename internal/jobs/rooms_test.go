package jobs_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/jobs"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// TestRoomsJob: the job deletes a declined request 90 days after the
// answer, and logs the count, never the request.
func TestRoomsJob(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := store.WithActor(context.Background(), store.Actor{ID: "coord"})
		org := domain.Organisation{Kind: domain.OrgSelfHelpHouse, Slug: "huset", Name: "Huset"}
		if err := st.SaveOrganisation(ctx, &org); err != nil {
			t.Fatal(err)
		}
		v := domain.Venue{OrgID: org.ID, Name: "Huset", MunicipalityID: "5501"}
		if err := st.SaveVenue(ctx, &v); err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		r := store.RoomRequest{VenueID: v.ID, OrgName: "Lag", ContactName: "Solveig Sørensen", Email: "solveig@example.no",
			GroupKind: "other", Kind: "once", StartsAt: now.Add(48 * time.Hour), Minutes: 60, ConsentVersion: "t"}
		if err := st.CreateRoomRequest(ctx, &r, now, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := st.DecideRoomRequest(ctx, r.ID, store.RoomDecision{Mail: func(q store.RoomRequest) (store.OutboxMail, error) {
			return store.OutboxMail{To: q.Email, Subject: "Svar", Body: "Nei", Kind: "room_request_declined"}, nil
		}}, now); err != nil {
			t.Fatal(err)
		}
		var logs bytes.Buffer
		logger := slog.New(slog.NewTextHandler(&logs, nil))
		clock := now.Add(89 * 24 * time.Hour)
		job := jobs.RoomsJob(st, logger, jobs.RoomsOptions{Now: func() time.Time { return clock }})
		if job.Name != "rooms" || job.Interval != time.Hour {
			t.Errorf("job %q every %s", job.Name, job.Interval)
		}
		if err := job.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		if _, err := st.ReadRoomRequest(ctx, r.ID); err != nil {
			t.Errorf("deleted before its time: %v", err)
		}
		clock = now.Add(91 * 24 * time.Hour)
		if err := job.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		if _, err := st.ReadRoomRequest(ctx, r.ID); err == nil {
			t.Error("not deleted after 90 days")
		}
		if !strings.Contains(logs.String(), "count=1") || strings.Contains(logs.String(), "Solveig") ||
			strings.Contains(logs.String(), r.ID) {
			t.Errorf("log: %s", logs.String())
		}
	})
}
