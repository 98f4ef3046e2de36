package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/fellesrom/fellesrom/internal/domain"
)

// Rooms and bookings (issue 5, item 1): recurring bookings of a room
// (series, with exceptions), one-off bookings (room_bookings, which the
// start of a group writes too), and what the week views, the calendar feed
// and the summary of a month read: every meeting in a room in a span of
// time. Every write that adds a meeting to a room goes through checkRoomTx
// (bookings_check.go) in its transaction, and writes an audit row.
//
// What a booking holds is about rooms and groups, never about people: who
// uses the room is a group, an organisation of the tree, or an outside
// organisation by name (holder), with a title.

// ExceptionReasons are why a series does not meet on a day.
var ExceptionReasons = []string{"holiday", "cancelled", "other"}

// BookingPurposes are the kinds of a one-off booking.
var BookingPurposes = []string{"startup", "meeting", "event", "other"}

// MaxBookingText is the longest title or holder name, in characters.
const MaxBookingText = 200

// SeriesException is a day a series does not meet.
type SeriesException struct {
	Day    string // 2026-12-24, in the room's zone
	Reason string // one of ExceptionReasons
}

// RoomSeries is a recurring booking of a room.
type RoomSeries struct {
	ID      string
	RoomID  string
	GroupID string // the group that meets ("" when an organisation uses the room)
	OrgID   string // the organisation that uses the room (a group's own when GroupID is set)
	Holder  string // an outside organisation by name, when neither GroupID nor OrgID is set
	Title   string // never personal data
	// Start is the first meeting (UTC); its wall clock in RoomTimeZone is
	// the time of every meeting. SaveSeries moves it to the first day on or
	// after it that the rule has.
	Start   time.Time
	Minutes int
	// Rule is FREQ=WEEKLY or MONTHLY with INTERVAL and BYDAY (the subset of
	// domain.ParseRule); an UNTIL or COUNT given becomes Until.
	Rule       string
	Until      string // the last day (2027-06-30), "" for no end
	Exceptions []SeriesException
	RequestID  string // the room request it was approved from
	CreatedBy  string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Schedule is the series as a domain.Schedule: its start, length and zone,
// the rule with its UNTIL, and the exceptions as EXDATEs (for calendars,
// words and tests).
func (sr RoomSeries) Schedule() domain.Schedule {
	sc := domain.Schedule{Start: sr.Start, DurationMin: sr.Minutes, TZ: RoomTimeZone, RRule: sr.Rule}
	p, err := seriesPatternOf(sr)
	if err != nil {
		return sc
	}
	if p.until != seriesNoEnd {
		y, m, d := p.until.date()
		until := time.Date(y, m, d, 23, 59, 59, 0, p.loc).UTC()
		if r, err := domain.ParseRule(sr.Rule); err == nil {
			r.Until = until
			sc.RRule = r.String()
		}
	}
	for _, x := range sr.Exceptions {
		if d, ok := parseBookDay(x.Day); ok {
			sc.ExDates = append(sc.ExDates, p.at(d).start)
		}
	}
	return sc
}

// FirstDay is the day of the first meeting (2026-03-03).
func (sr RoomSeries) FirstDay() string { return DayOf(sr.Start) }

// BookingHolder is who uses the room in a one-off booking besides a group.
type BookingHolder struct {
	OrgID     string // an organisation of the tree ("" with a group: the group's)
	Holder    string // an outside organisation by name
	RequestID string // the room request it was approved from
}

// OneOffBooking is a one-off booking with who uses the room.
type OneOffBooking struct {
	RoomBooking
	BookingHolder
}

// Occupancy is one meeting in a room: a one-off booking, or one meeting
// of a series.
type Occupancy struct {
	RoomID    string
	StartsAt  time.Time // UTC
	EndsAt    time.Time
	BookingID string // a one-off booking
	SeriesID  string // a series
	GroupID   string
	OrgID     string
	Holder    string
	Title     string
	Purpose   string // of a one-off booking ("" for a series)
}

// bookingText checks a title or holder name: one line of at most
// MaxBookingText characters.
func bookingText(s string) error {
	if utf8.RuneCountInString(s) > MaxBookingText || strings.ContainsFunc(s, unicode.IsControl) ||
		!utf8.ValidString(s) {
		return fmt.Errorf("%w: a title or name is one line of at most %d characters", ErrSeries, MaxBookingText)
	}
	return nil
}

// --- reading ---

const oneOffColumns = bookingColumns + `, COALESCE(organisation_id, ''), holder, COALESCE(request_id, '')`

func queryBookingsFull(ctx context.Context, q querier, where string, args ...any) ([]OneOffBooking, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+oneOffColumns+` FROM room_bookings WHERE `+where+
		` ORDER BY starts_at, id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []OneOffBooking
	for rows.Next() {
		var b OneOffBooking
		if err := rows.Scan(&b.ID, &b.RoomID, &b.GroupID, &b.StartsAt, &b.EndsAt, &b.Purpose, &b.Title, &b.CreatedBy,
			&b.CreatedAt, &b.OrgID, &b.Holder, &b.RequestID); err != nil {
			return nil, err
		}
		b.StartsAt, b.EndsAt, b.CreatedAt = b.StartsAt.UTC(), b.EndsAt.UTC(), b.CreatedAt.UTC()
		out = append(out, b)
	}
	return out, rows.Err()
}

const seriesColumns = `id, room_id, COALESCE(group_id, ''), COALESCE(organisation_id, ''), holder, title, starts_at,
	minutes, rule, until_day, COALESCE(request_id, ''), created_by, created_at, updated_at`

// seriesWhere reads series (with their exceptions) of a condition.
func (s *Store) seriesWhere(ctx context.Context, q querier, where string, args ...any) ([]RoomSeries, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+seriesColumns+` FROM room_series WHERE `+where+` ORDER BY starts_at, id`,
		args...)
	if err != nil {
		return nil, err
	}
	var out []RoomSeries
	for rows.Next() {
		var sr RoomSeries
		if err := rows.Scan(&sr.ID, &sr.RoomID, &sr.GroupID, &sr.OrgID, &sr.Holder, &sr.Title, &sr.Start, &sr.Minutes,
			&sr.Rule, &sr.Until, &sr.RequestID, &sr.CreatedBy, &sr.CreatedAt, &sr.UpdatedAt); err != nil {
			rows.Close()
			return nil, err
		}
		sr.Start, sr.CreatedAt, sr.UpdatedAt = sr.Start.UTC(), sr.CreatedAt.UTC(), sr.UpdatedAt.UTC()
		out = append(out, sr)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return out, nil
	}
	ids := make([]any, len(out))
	at := map[string]int{}
	for i, sr := range out {
		ids[i] = sr.ID
		at[sr.ID] = i
	}
	// Exceptions, in batches of ids.
	for lo := 0; lo < len(ids); lo += 500 {
		batch := ids[lo:min(lo+500, len(ids))]
		xr, err := q.QueryContext(ctx, `SELECT series_id, day, reason FROM room_series_exceptions WHERE series_id IN (`+
			placeholders(1, len(batch))+`) ORDER BY series_id, day`, batch...)
		if err != nil {
			return nil, err
		}
		for xr.Next() {
			var id string
			var x SeriesException
			if err := xr.Scan(&id, &x.Day, &x.Reason); err != nil {
				xr.Close()
				return nil, err
			}
			out[at[id]].Exceptions = append(out[at[id]].Exceptions, x)
		}
		xr.Close()
		if err := xr.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Series returns a series, or ErrNotFound.
func (s *Store) Series(ctx context.Context, id string) (RoomSeries, error) {
	out, err := s.seriesWhere(ctx, s.read, `id = $1`, id)
	if err != nil {
		return RoomSeries{}, err
	}
	if len(out) == 0 {
		return RoomSeries{}, ErrNotFound
	}
	return out[0], nil
}

// RoomSeriesList lists the series of the rooms that meet on or after the
// day from (2026-03-02; "" for all), by first meeting.
func (s *Store) RoomSeriesList(ctx context.Context, roomIDs []string, from string) ([]RoomSeries, error) {
	if len(roomIDs) == 0 {
		return nil, nil
	}
	args := bookingIDArgs(roomIDs)
	where := `room_id IN (` + placeholders(1, len(args)) + `)`
	if from != "" {
		args = append(args, from)
		where += fmt.Sprintf(` AND (until_day = '' OR until_day >= $%d)`, len(args))
	}
	return s.seriesWhere(ctx, s.read, where, args...)
}

// GroupSeries lists the series of a group.
func (s *Store) GroupSeries(ctx context.Context, groupID string) ([]RoomSeries, error) {
	return s.seriesWhere(ctx, s.read, `group_id = $1`, groupID)
}

// OneOff returns a one-off booking, or ErrNotFound.
func (s *Store) OneOff(ctx context.Context, id string) (OneOffBooking, error) {
	out, err := queryBookingsFull(ctx, s.read, `id = $1`, id)
	if err != nil {
		return OneOffBooking{}, err
	}
	if len(out) == 0 {
		return OneOffBooking{}, ErrNotFound
	}
	return out[0], nil
}

// OneOffs lists the one-off bookings of the rooms that end after from.
func (s *Store) OneOffs(ctx context.Context, roomIDs []string, from time.Time) ([]OneOffBooking, error) {
	if len(roomIDs) == 0 {
		return nil, nil
	}
	args := append(bookingIDArgs(roomIDs), from.UTC())
	return queryBookingsFull(ctx, s.read, `room_id IN (`+placeholders(1, len(roomIDs))+`) AND ends_at > $`+
		fmt.Sprint(len(args)), args...)
}

func bookingIDArgs(ids []string) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

// RoomByID returns a room, or ErrNotFound.
func (s *Store) RoomByID(ctx context.Context, id string) (domain.Room, error) {
	r, err := scanRoom(s.read.QueryRowContext(ctx, `SELECT `+roomColumns+` FROM rooms WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNotFound
	}
	return r, err
}

// RoomUse lists every meeting in the rooms that overlaps [from, to): the
// one-off bookings and each meeting of each series, by start, then room.
func (s *Store) RoomUse(ctx context.Context, roomIDs []string, from, to time.Time) ([]Occupancy, error) {
	if len(roomIDs) == 0 || !to.After(from) {
		return nil, nil
	}
	from, to = from.UTC(), to.UTC()
	loc := roomLoc()
	args := append(bookingIDArgs(roomIDs), from, to)
	n := len(roomIDs)
	once, err := queryBookingsFull(ctx, s.read, fmt.Sprintf(`room_id IN (%s) AND ends_at > $%d AND starts_at < $%d`,
		placeholders(1, n), n+1, n+2), args...)
	if err != nil {
		return nil, err
	}
	var out []Occupancy
	for _, b := range once {
		out = append(out, Occupancy{RoomID: b.RoomID, StartsAt: b.StartsAt, EndsAt: b.EndsAt, BookingID: b.ID,
			GroupID: b.GroupID, OrgID: b.OrgID, Holder: b.Holder, Title: b.Title, Purpose: b.Purpose})
	}
	fromDay, toDay := bookDayOf(from, loc)-2, bookDayOf(to, loc)+1
	series, err := s.seriesWhere(ctx, s.read, fmt.Sprintf(`room_id IN (%s) AND starts_at < $%d
		AND (until_day = '' OR until_day >= $%d)`, placeholders(1, n), n+1, n+2),
		append(bookingIDArgs(roomIDs), to, fromDay.String())...)
	if err != nil {
		return nil, err
	}
	for _, sr := range series {
		p, err := seriesPatternOf(sr)
		if err != nil {
			return nil, err
		}
		for _, m := range p.spans(fromDay, toDay) {
			if m.start.Before(to) && m.end.After(from) {
				out = append(out, Occupancy{RoomID: sr.RoomID, StartsAt: m.start, EndsAt: m.end, SeriesID: sr.ID,
					GroupID: sr.GroupID, OrgID: sr.OrgID, Holder: sr.Holder, Title: sr.Title})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Occupancy) int {
		if c := a.StartsAt.Compare(b.StartsAt); c != 0 {
			return c
		}
		return strings.Compare(a.RoomID, b.RoomID)
	})
	return out, nil
}

// --- writing ---

// lockRowTx locks the row id of table until the transaction ends
// (PostgreSQL), or answers ErrNotFound.
func (s *Store) lockRowTx(ctx context.Context, tx *sql.Tx, table, id string) error {
	var x string
	err := tx.QueryRowContext(ctx, `SELECT id FROM `+table+` WHERE id = $1`+s.lockSuffix(), id).Scan(&x)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// roomOrgTx is the organisation that owns the room's venue ("" for none).
func roomOrgTx(ctx context.Context, q querier, roomID string) (string, error) {
	var org string
	err := q.QueryRowContext(ctx, `SELECT COALESCE(v.organisation_id, '') FROM rooms r JOIN venues v ON v.id = r.venue_id
		WHERE r.id = $1`, roomID).Scan(&org)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	return org, err
}

// RoomOrg is the organisation that owns the room's venue ("" for none),
// or ErrNotFound: what the pages check rights against.
func (s *Store) RoomOrg(ctx context.Context, roomID string) (string, error) {
	return roomOrgTx(ctx, s.read, roomID)
}

// groupOrgTx is a group's organisation.
func bookingGroupOrg(ctx context.Context, q querier, groupID string) (string, error) {
	var org string
	err := q.QueryRowContext(ctx, `SELECT organisation_id FROM groups WHERE id = $1`, groupID).Scan(&org)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	return org, err
}

// bookOnceTx books a room once inside tx: the double-booking check
// (checkRoomTx: a *RoomClashError, which errors.As also gives as a
// *ClashError), then the row, with b's ID and CreatedBy set. b.CreatedAt
// is the time of writing (now, if zero). Every one-off booking is written
// here, the start-up meeting of a group too.
func (s *Store) bookOnceTx(ctx context.Context, tx *sql.Tx, b *RoomBooking, h BookingHolder) error {
	if !b.EndsAt.After(b.StartsAt) {
		return errors.New("store: a booking must end after it starts")
	}
	if !slices.Contains(BookingPurposes, b.Purpose) {
		return fmt.Errorf("store: a booking's purpose is one of %v", BookingPurposes)
	}
	// A title is a label: one cut to its length (an event's long title)
	// is better than a refused booking.
	if r := []rune(b.Title); len(r) > MaxBookingText {
		b.Title = string(r[:MaxBookingText])
	}
	for _, t := range []string{b.Title, h.Holder} {
		if err := bookingText(t); err != nil {
			return err
		}
	}
	if b.CreatedAt.IsZero() {
		b.CreatedAt = utcNow()
	}
	b.StartsAt, b.EndsAt = b.StartsAt.UTC().Truncate(time.Microsecond), b.EndsAt.UTC().Truncate(time.Microsecond)
	b.CreatedAt = b.CreatedAt.UTC().Truncate(time.Microsecond)
	if b.GroupID != "" && h.OrgID == "" {
		org, err := bookingGroupOrg(ctx, tx, b.GroupID)
		if err != nil {
			return err
		}
		h.OrgID = org
	}
	id := NewID()
	if err := s.checkRoomTx(ctx, tx, b.RoomID, bookingUse{bookingID: id, once: &meetSpan{b.StartsAt, b.EndsAt}},
		b.CreatedAt); err != nil {
		return err
	}
	b.ID, b.CreatedBy = id, ActorOf(ctx).ID
	_, err := tx.ExecContext(ctx, `INSERT INTO room_bookings (id, room_id, group_id, starts_at, ends_at, purpose, title,
		created_by, created_at, organisation_id, holder, request_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		b.ID, b.RoomID, nullString(b.GroupID), b.StartsAt, b.EndsAt, b.Purpose, b.Title, b.CreatedBy, b.CreatedAt,
		nullString(h.OrgID), h.Holder, nullString(h.RequestID))
	return err
}

// BookOnce books a room once (see bookOnceTx), with the audit row
// room_booking.create. A clash is a *RoomClashError, and nothing is
// written.
func (s *Store) BookOnce(ctx context.Context, b *RoomBooking, h BookingHolder) error {
	if b.GroupID == "" && h.OrgID == "" && strings.TrimSpace(h.Holder) == "" {
		return fmt.Errorf("%w: a booking is for a group or an organisation", ErrSeries)
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.bookOnceTx(ctx, tx, b, h); err != nil {
			b.ID = ""
			return err
		}
		org, err := roomOrgTx(ctx, tx, b.RoomID)
		if err != nil {
			return err
		}
		return auditTx(ctx, tx, AuditEntry{Action: "room_booking.create", ObjectType: "room_booking", ObjectID: b.ID,
			OrgID: org, Detail: map[string]any{"room": b.RoomID, "group": b.GroupID, "starts_at": b.StartsAt,
				"ends_at": b.EndsAt, "purpose": b.Purpose}})
	})
}

// CancelBooking deletes a one-off booking, with the audit row
// room_booking.cancel.
func (s *Store) CancelBooking(ctx context.Context, id string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		bs, err := queryBookingsFull(ctx, tx, `id = $1`, id)
		if err != nil {
			return err
		}
		if len(bs) == 0 {
			return ErrNotFound
		}
		if err := execOne(ctx, tx, `DELETE FROM room_bookings WHERE id = $1`, id); err != nil {
			return err
		}
		org, err := roomOrgTx(ctx, tx, bs[0].RoomID)
		if err != nil {
			return err
		}
		return auditTx(ctx, tx, AuditEntry{Action: "room_booking.cancel", ObjectType: "room_booking", ObjectID: id,
			OrgID: org, Detail: map[string]any{"room": bs[0].RoomID, "starts_at": bs[0].StartsAt}})
	})
}

// prepareSeries normalises a series to be written and checks who uses the
// room; it returns the series' pattern.
func prepareSeries(sr *RoomSeries) (*seriesPattern, error) {
	if err := normaliseSeries(sr); err != nil {
		return nil, err
	}
	sr.Title, sr.Holder = strings.TrimSpace(sr.Title), strings.TrimSpace(sr.Holder)
	for _, t := range []string{sr.Title, sr.Holder} {
		if err := bookingText(t); err != nil {
			return nil, err
		}
	}
	if sr.GroupID == "" && sr.OrgID == "" && sr.Holder == "" {
		return nil, fmt.Errorf("%w: a series is for a group or an organisation", ErrSeries)
	}
	return seriesPatternOf(*sr)
}

// writeSeriesTx inserts (insert) or updates the series row and replaces
// its exceptions.
func writeSeriesTx(ctx context.Context, tx *sql.Tx, sr *RoomSeries, insert bool) error {
	if insert {
		if _, err := tx.ExecContext(ctx, `INSERT INTO room_series (id, room_id, group_id, organisation_id, holder, title,
			starts_at, minutes, rule, until_day, request_id, created_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`, sr.ID, sr.RoomID, nullString(sr.GroupID),
			nullString(sr.OrgID), sr.Holder, sr.Title, sr.Start, sr.Minutes, sr.Rule, sr.Until, nullString(sr.RequestID),
			sr.CreatedBy, sr.CreatedAt, sr.UpdatedAt); err != nil {
			return err
		}
	} else {
		if err := execOne(ctx, tx, `UPDATE room_series SET room_id = $2, group_id = $3, organisation_id = $4, holder = $5,
			title = $6, starts_at = $7, minutes = $8, rule = $9, until_day = $10, updated_at = $11 WHERE id = $1`,
			sr.ID, sr.RoomID, nullString(sr.GroupID), nullString(sr.OrgID), sr.Holder, sr.Title, sr.Start, sr.Minutes,
			sr.Rule, sr.Until, sr.UpdatedAt); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM room_series_exceptions WHERE series_id = $1`, sr.ID); err != nil {
			return err
		}
	}
	for _, x := range sr.Exceptions {
		if _, err := tx.ExecContext(ctx, `INSERT INTO room_series_exceptions (series_id, day, reason) VALUES ($1, $2, $3)`,
			sr.ID, x.Day, x.Reason); err != nil {
			return err
		}
	}
	return nil
}

// seriesTx reads one series inside tx, locked on PostgreSQL.
func (s *Store) seriesTx(ctx context.Context, tx *sql.Tx, id string) (RoomSeries, error) {
	if err := s.lockRowTx(ctx, tx, "room_series", id); err != nil {
		return RoomSeries{}, err
	}
	out, err := s.seriesWhere(ctx, tx, `id = $1`, id)
	if err != nil {
		return RoomSeries{}, err
	}
	if len(out) == 0 {
		return RoomSeries{}, ErrNotFound
	}
	return out[0], nil
}

func seriesDetail(sr RoomSeries) map[string]any {
	return map[string]any{"room": sr.RoomID, "group": sr.GroupID, "organisation": sr.OrgID, "start": sr.Start,
		"minutes": sr.Minutes, "rule": sr.Rule, "until": sr.Until, "exceptions": len(sr.Exceptions)}
}

// SaveSeries stores a new series (ID "") or changes one in place, after
// the double-booking check (a *RoomClashError: nothing is written). The
// series is normalised first (see normaliseSeries): sr comes back as
// stored. A group's series is its organisation's (OrgID). Audit rows
// room_series.create and room_series.update.
func (s *Store) SaveSeries(ctx context.Context, sr *RoomSeries, now time.Time) error {
	p, err := prepareSeries(sr)
	if err != nil {
		return err
	}
	now = now.UTC().Truncate(time.Microsecond)
	isNew := sr.ID == ""
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if sr.GroupID != "" {
			org, err := bookingGroupOrg(ctx, tx, sr.GroupID)
			if err != nil {
				return err
			}
			sr.OrgID = org
		}
		action := "room_series.update"
		if isNew {
			sr.ID, sr.CreatedBy, sr.CreatedAt, action = NewID(), ActorOf(ctx).ID, now, "room_series.create"
		} else {
			old, err := s.seriesTx(ctx, tx, sr.ID)
			if err != nil {
				return err
			}
			sr.CreatedBy, sr.CreatedAt, sr.RequestID = old.CreatedBy, old.CreatedAt, old.RequestID
		}
		sr.UpdatedAt = now
		if err := s.checkRoomTx(ctx, tx, sr.RoomID, bookingUse{seriesID: sr.ID, seriesPattern: p}, now); err != nil {
			return err
		}
		if err := writeSeriesTx(ctx, tx, sr, isNew); err != nil {
			return err
		}
		org, err := roomOrgTx(ctx, tx, sr.RoomID)
		if err != nil {
			return err
		}
		return auditTx(ctx, tx, AuditEntry{Action: action, ObjectType: "room_series", ObjectID: sr.ID, OrgID: org,
			Detail: seriesDetail(*sr)})
	})
	if err != nil && isNew {
		sr.ID = ""
	}
	return err
}

// ChangeSeries changes a series from the day from on (2026-08-01),
// keeping its meetings before that day as they were: when it has met
// before from, it ends the day before and next is stored as a new series
// starting on or after from (its ID set); otherwise next replaces it in
// place. next is checked like a new series (*RoomClashError: nothing is
// written). Audit rows room_series.end and room_series.create, or
// room_series.update.
func (s *Store) ChangeSeries(ctx context.Context, id, from string, next *RoomSeries, now time.Time) error {
	fromDay, ok := parseBookDay(from)
	if !ok {
		return fmt.Errorf("%w: the day of the change is not a date", ErrSeries)
	}
	loc := roomLoc()
	if bookDayOf(next.Start, loc) < fromDay {
		local := next.Start.In(loc)
		y, m, d := fromDay.date()
		next.Start = time.Date(y, m, d, local.Hour(), local.Minute(), 0, 0, loc).UTC()
	}
	p, err := prepareSeries(next)
	if err != nil {
		return err
	}
	now = now.UTC().Truncate(time.Microsecond)
	return s.tx(ctx, func(tx *sql.Tx) error {
		old, err := s.seriesTx(ctx, tx, id)
		if err != nil {
			return err
		}
		if next.GroupID != "" {
			org, err := bookingGroupOrg(ctx, tx, next.GroupID)
			if err != nil {
				return err
			}
			next.OrgID = org
		}
		org, err := roomOrgTx(ctx, tx, old.RoomID)
		if err != nil {
			return err
		}
		split := bookDayOf(old.Start, loc) < fromDay
		next.UpdatedAt, next.RequestID = now, old.RequestID
		if split {
			if err := endSeriesTx(ctx, tx, &old, fromDay-1, now); err != nil {
				return err
			}
			if err := auditTx(ctx, tx, AuditEntry{Action: "room_series.end", ObjectType: "room_series", ObjectID: old.ID,
				OrgID: org, Detail: map[string]any{"until": old.Until, "changed": true}}); err != nil {
				return err
			}
			next.ID, next.CreatedBy, next.CreatedAt = NewID(), ActorOf(ctx).ID, now
		} else {
			next.ID, next.CreatedBy, next.CreatedAt = old.ID, old.CreatedBy, old.CreatedAt
		}
		if err := s.checkRoomTx(ctx, tx, next.RoomID, bookingUse{seriesID: next.ID, seriesPattern: p}, now); err != nil {
			return err
		}
		if err := writeSeriesTx(ctx, tx, next, split); err != nil {
			return err
		}
		action := "room_series.update"
		if split {
			action = "room_series.create"
		}
		detail := seriesDetail(*next)
		detail["replaces"] = old.ID
		return auditTx(ctx, tx, AuditEntry{Action: action, ObjectType: "room_series", ObjectID: next.ID, OrgID: org,
			Detail: detail})
	})
}

// endSeriesTx sets a series' last day to last (if that is earlier) and
// drops its exceptions after it.
func endSeriesTx(ctx context.Context, tx *sql.Tx, sr *RoomSeries, last bookDay, now time.Time) error {
	if sr.Until == "" || last.String() < sr.Until {
		sr.Until = last.String()
	}
	sr.Exceptions = slices.DeleteFunc(sr.Exceptions, func(x SeriesException) bool { return x.Day > sr.Until })
	if err := execOne(ctx, tx, `UPDATE room_series SET until_day = $2, updated_at = $3 WHERE id = $1`, sr.ID, sr.Until,
		now); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM room_series_exceptions WHERE series_id = $1 AND day > $2`, sr.ID, sr.Until)
	return err
}

// EndSeries stops a series from the day from on: its last day becomes the
// day before, or, when it has not met before from, it is deleted (and
// reports deleted). Audit row room_series.end or room_series.delete.
func (s *Store) EndSeries(ctx context.Context, id, from string, now time.Time) (deleted bool, err error) {
	fromDay, ok := parseBookDay(from)
	if !ok {
		return false, fmt.Errorf("%w: the day is not a date", ErrSeries)
	}
	now = now.UTC().Truncate(time.Microsecond)
	err = s.tx(ctx, func(tx *sql.Tx) error {
		sr, err := s.seriesTx(ctx, tx, id)
		if err != nil {
			return err
		}
		org, err := roomOrgTx(ctx, tx, sr.RoomID)
		if err != nil {
			return err
		}
		if bookDayOf(sr.Start, roomLoc()) >= fromDay {
			deleted = true
			if err := execOne(ctx, tx, `DELETE FROM room_series WHERE id = $1`, id); err != nil {
				return err
			}
			return auditTx(ctx, tx, AuditEntry{Action: "room_series.delete", ObjectType: "room_series", ObjectID: id,
				OrgID: org, Detail: map[string]any{"room": sr.RoomID}})
		}
		if err := endSeriesTx(ctx, tx, &sr, fromDay-1, now); err != nil {
			return err
		}
		return auditTx(ctx, tx, AuditEntry{Action: "room_series.end", ObjectType: "room_series", ObjectID: id,
			OrgID: org, Detail: map[string]any{"until": sr.Until}})
	})
	return deleted, err
}

// ErrNotMeeting is an exception asked for a day the series does not meet.
var ErrNotMeeting = errors.New("store: the series does not meet that day")

// SetException makes day (2026-12-24) an exception of the series (on,
// with a reason) or a meeting again (off). A day given back is checked
// like a new meeting (*RoomClashError: nothing is written). Audit rows
// room_series.except and room_series.unexcept.
func (s *Store) SetException(ctx context.Context, id, dayS, reason string, on bool, now time.Time) error {
	d, ok := parseBookDay(dayS)
	if !ok {
		return fmt.Errorf("%w: the day is not a date", ErrSeries)
	}
	if on && !slices.Contains(ExceptionReasons, reason) {
		return fmt.Errorf("%w: an exception's reason", ErrSeries)
	}
	now = now.UTC().Truncate(time.Microsecond)
	return s.tx(ctx, func(tx *sql.Tx) error {
		sr, err := s.seriesTx(ctx, tx, id)
		if err != nil {
			return err
		}
		p, err := seriesPatternOf(sr)
		if err != nil {
			return err
		}
		if !p.meets(d) {
			return ErrNotMeeting
		}
		org, err := roomOrgTx(ctx, tx, sr.RoomID)
		if err != nil {
			return err
		}
		action := "room_series.except"
		if on {
			if _, err := tx.ExecContext(ctx, `DELETE FROM room_series_exceptions WHERE series_id = $1 AND day = $2`,
				id, dayS); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO room_series_exceptions (series_id, day, reason)
				VALUES ($1, $2, $3)`, id, dayS, reason); err != nil {
				return err
			}
		} else {
			action = "room_series.unexcept"
			if !p.except[d] {
				return nil
			}
			// The meeting given back, against every other booking and series.
			m := p.at(d)
			if err := s.checkRoomTx(ctx, tx, sr.RoomID, bookingUse{seriesID: id, once: &m}, now); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM room_series_exceptions WHERE series_id = $1 AND day = $2`,
				id, dayS); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE room_series SET updated_at = $2 WHERE id = $1`, id, now); err != nil {
			return err
		}
		return auditTx(ctx, tx, AuditEntry{Action: action, ObjectType: "room_series", ObjectID: id, OrgID: org,
			Detail: map[string]any{"day": dayS, "reason": reason}})
	})
}
