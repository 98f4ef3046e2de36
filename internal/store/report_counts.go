package store

// Reads for the activity figures of reports (package report): anonymous
// rows only — a month, where (organisation, municipality, county), a
// category and a number — never who took part.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ReportCount is a number of something in a month, where, of a category:
// one anonymous row of an activity figure. Measure is the figure's id in
// package report (see report.CountMeasures).
type ReportCount struct {
	Measure        string
	Month          string // YYYY-MM (Europe/Oslo)
	OrgID          string
	MunicipalityID string // "" if it has none (a group by phone, an organisation without a venue)
	CountyID       string
	Category       string
	N              int
}

// RoomUseKinds are who used a room: a group's meeting, an outside
// organisation (a holder by name), or the house's own use (everything else).
var RoomUseKinds = []string{"group", "outside", "own"}

// orgMuni is the municipality of an organisation: its venue's, or else
// that of its first venue.
const orgMuni = `COALESCE((SELECT v.municipality_id FROM venues v WHERE v.id = org.venue_id),
	(SELECT MIN(v.municipality_id) FROM venues v WHERE v.organisation_id = org.id), '')`

// ReportCounts returns the rows of every activity figure up to now:
//   - meetings.held, meetings.attendance: the groups' own monthly reports
//     (meetings held; people present), by the group's format;
//   - starters.active: starter assignments begun (a starter starting a
//     group), by the group's format;
//   - starters.courses: courses completed by starters, by kind (the
//     organiser's, or else the starter's house), from starter_course_stats,
//     which outlives a deleted profile;
//   - events.held, events.reached: events held (not cancelled, ended
//     before now) and the attendance recorded for them, by kind;
//   - outreach.activities, outreach.reached: the outreach log's entries
//     and the people they reached, by kind;
//   - rooms.bookings, rooms.hours: meetings in rooms (one-off bookings and
//     each meeting of a series) that began before now and the hours they
//     took (each counted in whole hours begun), by RoomUseKinds, where the
//     room's venue is.
func (s *Store) ReportCounts(ctx context.Context, now time.Time) ([]ReportCount, error) {
	loc := roomLoc()
	var out []ReportCount
	add := func(measure string, at time.Time, month, org, muni, county, cat string, n int) {
		if month == "" {
			month = at.In(loc).Format("2006-01")
		}
		out = append(out, ReportCount{Measure: measure, Month: month, OrgID: org, MunicipalityID: muni, CountyID: county,
			Category: cat, N: n})
	}
	const groupCols = `g.organisation_id, COALESCE(g.municipality_id, v.municipality_id, ''), COALESCE(m.county_id, ''), g.format`
	err := reportEach(ctx, s.read, `SELECT gr.month, `+groupCols+`, gr.meetings, gr.present
		FROM group_reports gr JOIN groups g ON g.id = gr.group_id LEFT JOIN venues v ON v.id = g.venue_id
		LEFT JOIN municipalities m ON m.id = COALESCE(g.municipality_id, v.municipality_id)
		ORDER BY gr.month, gr.group_id`, func(r *sql.Rows) error {
		var month, org, muni, county, format string
		var meetings, present int
		if err := r.Scan(&month, &org, &muni, &county, &format, &meetings, &present); err != nil {
			return err
		}
		add("meetings.held", time.Time{}, month, org, muni, county, format, meetings)
		add("meetings.attendance", time.Time{}, month, org, muni, county, format, present)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("report: group reports: %w", err)
	}
	err = reportEach(ctx, s.read, `SELECT sa.start_date, `+groupCols+`
		FROM starter_assignments sa JOIN groups g ON g.id = sa.group_id LEFT JOIN venues v ON v.id = g.venue_id
		LEFT JOIN municipalities m ON m.id = COALESCE(g.municipality_id, v.municipality_id)
		WHERE sa.start_date < $1 ORDER BY sa.start_date, sa.id`, func(r *sql.Rows) error {
		var at time.Time
		var org, muni, county, format string
		if err := r.Scan(&at, &org, &muni, &county, &format); err != nil {
			return err
		}
		add("starters.active", at, "", org, muni, county, format, 1)
		return nil
	}, now.UTC())
	if err != nil {
		return nil, fmt.Errorf("report: starter assignments: %w", err)
	}
	err = reportEach(ctx, s.read, `SELECT cs.month, cs.organisation_id, cs.municipality_id, COALESCE(m.county_id, ''), cs.kind
		FROM starter_course_stats cs LEFT JOIN municipalities m ON m.id = cs.municipality_id
		WHERE cs.month <= $1 ORDER BY cs.month, cs.course_id`, func(r *sql.Rows) error {
		var month, org, muni, county, kind string
		if err := r.Scan(&month, &org, &muni, &county, &kind); err != nil {
			return err
		}
		add("starters.courses", time.Time{}, month, org, muni, county, kind, 1)
		return nil
	}, now.In(loc).Format("2006-01"))
	if err != nil {
		return nil, fmt.Errorf("report: starter courses: %w", err)
	}
	err = reportEach(ctx, s.read, `SELECT e.starts_at, e.organisation_id, COALESCE(e.municipality_id, v.municipality_id, ''),
		COALESCE(m.county_id, ''), e.kind, COALESCE(e.attended, -1)
		FROM events e LEFT JOIN venues v ON v.id = e.venue_id
		LEFT JOIN municipalities m ON m.id = COALESCE(e.municipality_id, v.municipality_id)
		WHERE e.status = 'scheduled' AND e.ends_at <= $1 ORDER BY e.starts_at, e.id`, func(r *sql.Rows) error {
		var at time.Time
		var org, muni, county, kind string
		var attended int
		if err := r.Scan(&at, &org, &muni, &county, &kind, &attended); err != nil {
			return err
		}
		add("events.held", at, "", org, muni, county, kind, 1)
		if attended >= 0 {
			add("events.reached", at, "", org, muni, county, kind, attended)
		}
		return nil
	}, now.UTC())
	if err != nil {
		return nil, fmt.Errorf("report: events: %w", err)
	}
	err = reportEach(ctx, s.read, `SELECT substr(o.day, 1, 7), o.organisation_id, `+orgMuni+`, o.kind, o.reached
		FROM outreach_entries o JOIN organisations org ON org.id = o.organisation_id
		WHERE o.day < $1 ORDER BY o.day, o.id`, func(r *sql.Rows) error {
		var month, org, muni, kind string
		var reached int
		if err := r.Scan(&month, &org, &muni, &kind, &reached); err != nil {
			return err
		}
		add("outreach.activities", time.Time{}, month, org, muni, "", kind, 1)
		add("outreach.reached", time.Time{}, month, org, muni, "", kind, reached)
		return nil
	}, now.In(loc).AddDate(0, 0, 1).Format("2006-01-02"))
	if err != nil {
		return nil, fmt.Errorf("report: outreach: %w", err)
	}
	if err := s.reportRooms(ctx, now, add); err != nil {
		return nil, fmt.Errorf("report: rooms: %w", err)
	}
	// Counties of the rows that know only their municipality.
	counties := map[string]string{}
	err = reportEach(ctx, s.read, `SELECT id, county_id FROM municipalities`, func(r *sql.Rows) error {
		var id, c string
		if err := r.Scan(&id, &c); err != nil {
			return err
		}
		counties[id] = c
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].CountyID == "" {
			out[i].CountyID = counties[out[i].MunicipalityID]
		}
	}
	return out, nil
}

// reportRooms adds the use of every room, from its first booking until now.
func (s *Store) reportRooms(ctx context.Context, now time.Time,
	add func(measure string, at time.Time, month, org, muni, county, cat string, n int)) error {
	type room struct{ org, muni, county string }
	rooms := map[string]room{}
	var ids []string
	err := reportEach(ctx, s.read, `SELECT r.id, COALESCE(v.organisation_id, ''), v.municipality_id, m.county_id
		FROM rooms r JOIN venues v ON v.id = r.venue_id JOIN municipalities m ON m.id = v.municipality_id
		ORDER BY r.id`, func(r *sql.Rows) error {
		var id string
		var x room
		if err := r.Scan(&id, &x.org, &x.muni, &x.county); err != nil {
			return err
		}
		rooms[id] = x
		ids = append(ids, id)
		return nil
	})
	if err != nil || len(ids) == 0 {
		return err
	}
	var first sql.NullTime
	for _, table := range []string{"room_bookings", "room_series"} {
		var t time.Time
		err := s.read.QueryRowContext(ctx, `SELECT starts_at FROM `+table+` ORDER BY starts_at LIMIT 1`).Scan(&t)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		} else if err != nil {
			return err
		}
		if !first.Valid || t.Before(first.Time) {
			first = sql.NullTime{Time: t, Valid: true}
		}
	}
	if !first.Valid || !first.Time.Before(now) {
		return nil
	}
	use, err := s.RoomUse(ctx, ids, first.Time.UTC(), now.UTC())
	if err != nil {
		return err
	}
	for _, u := range use {
		if !u.StartsAt.Before(now) {
			continue
		}
		x := rooms[u.RoomID]
		kind := "own"
		switch {
		case u.GroupID != "":
			kind = "group"
		case u.Holder != "":
			kind = "outside"
		}
		org := x.org
		if u.OrgID != "" {
			org = u.OrgID
		}
		hours := int((u.EndsAt.Sub(u.StartsAt) + time.Hour - 1) / time.Hour)
		add("rooms.bookings", u.StartsAt, "", org, x.muni, x.county, kind, 1)
		add("rooms.hours", u.StartsAt, "", org, x.muni, x.county, kind, hours)
	}
	return nil
}
