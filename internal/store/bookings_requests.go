package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Requests for a room from other organisations, sent through the public
// form: the house approves one (which books the room, checked like every
// booking) or declines it, and the person who asked gets a mail either
// way. A request names a person and how to reach them: the organisation's
// name, the contact person, the e-mail address, the phone number, what the
// room is for and the house's answer are sealed (table.column:id), staff
// reads are audited (room_request.list, room_request.read), and the row
// with its mails is deleted by PurgeRoomRequests 90 days after the
// decision (RoomRequestKeep), or, undecided, 90 days after the day wished
// for (or after it was sent, if that is later). The booking made from it
// stays, with the outside organisation's name as holder (no person).

// Statuses of a room request.
const (
	RoomRequestNew      = "new"
	RoomRequestApproved = "approved"
	RoomRequestDeclined = "declined"
)

// RoomRequestGroupKinds are what a room is asked for: any kind of group, or
// another meeting (the only rule of the house is that it is not part of a
// public treatment offer).
var RoomRequestGroupKinds = []string{"self_help", "twelve_step", "peer", "other"}

// RoomRequestKinds are the times wished for: once, every week, every other week.
var RoomRequestKinds = []string{"once", "weekly", "biweekly"}

// RoomRequestKeep is how long a request is kept after its decision.
const RoomRequestKeep = 90 * 24 * time.Hour

// Lengths of a request's fields, in characters.
const (
	MaxRoomRequestName    = 200
	MaxRoomRequestPurpose = 2000
)

// ErrRoomRequestDecided is a decision on a request that is decided already.
var ErrRoomRequestDecided = errors.New("store: the room request is decided already")

// ErrRoomRequest is a request that cannot be stored as sent.
var ErrRoomRequest = errors.New("store: the room request cannot be stored")

// RoomRequest is a request for a room.
type RoomRequest struct {
	ID      string
	VenueID string
	RoomID  string // the room asked for; "" for any room of the venue
	OrgID   string // the house that decides: the venue's organisation
	Status  string
	// Sealed at rest:
	OrgName     string
	ContactName string
	Email       string
	Phone       string
	Purpose     string
	Message     string // the house's answer
	// Plain:
	GroupKind      string // one of RoomRequestGroupKinds
	Kind           string // one of RoomRequestKinds
	StartsAt       time.Time
	Minutes        int
	Until          string // the last day of a series wished for, "" open
	Lang           string
	ConsentVersion string
	DecidedBy      string
	DecidedAt      time.Time
	CreatedAt      time.Time
	DeleteAfter    time.Time
}

func init() {
	for _, c := range []string{"org_name", "contact_name", "email", "phone", "purpose", "message"} {
		sealedColumns = append(sealedColumns, sealedColumn{"room_requests", "id", c})
	}
}

// RoomRequestRef is the outbox ref of a request's mails.
func RoomRequestRef(id string) string { return "roomrequest:" + id }

func roomRequestText(s string, limit int, multiline bool) bool {
	return utf8.ValidString(s) && utf8.RuneCountInString(s) <= limit &&
		!strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\t')) })
}

// validateRoomRequest checks what the form sends (the form says which field).
func validateRoomRequest(r *RoomRequest) error {
	var bad []string
	if !roomRequestText(r.OrgName, MaxRoomRequestName, false) || strings.TrimSpace(r.OrgName) == "" {
		bad = append(bad, "org_name")
	}
	if !roomRequestText(r.ContactName, MaxRoomRequestName, false) || strings.TrimSpace(r.ContactName) == "" {
		bad = append(bad, "contact_name")
	}
	if e, ok := NormalizeContact("email", r.Email); ok {
		r.Email = e
	} else {
		bad = append(bad, "email")
	}
	if r.Phone != "" {
		if p, ok := NormalizeContact("phone", r.Phone); ok {
			r.Phone = p
		} else {
			bad = append(bad, "phone")
		}
	}
	if !roomRequestText(r.Purpose, MaxRoomRequestPurpose, true) {
		bad = append(bad, "purpose")
	}
	if !requestInList(RoomRequestGroupKinds, r.GroupKind) {
		bad = append(bad, "group_kind")
	}
	if !requestInList(RoomRequestKinds, r.Kind) {
		bad = append(bad, "kind")
	}
	if r.StartsAt.IsZero() {
		bad = append(bad, "starts_at")
	}
	if r.Minutes < 15 || r.Minutes > 24*60 {
		bad = append(bad, "minutes")
	}
	if r.Until != "" && (r.Kind == "once" || !ValidBookingDay(r.Until) || r.Until < DayOf(r.StartsAt)) {
		bad = append(bad, "until")
	}
	if r.ConsentVersion == "" || len(r.ConsentVersion) > 40 {
		bad = append(bad, "consent")
	}
	if r.Lang == "" {
		r.Lang = "nb"
	}
	if len(bad) > 0 {
		return fmt.Errorf("%w: %s", ErrRoomRequest, strings.Join(bad, ", "))
	}
	return nil
}

func requestInList(xs []string, x string) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

// undecidedDeleteAfter is when an undecided request is deleted: 90 days
// after the day wished for, or after it was sent if that is later.
func undecidedDeleteAfter(r RoomRequest) time.Time {
	t := r.CreatedAt
	if r.StartsAt.After(t) {
		t = r.StartsAt
	}
	return t.Add(RoomRequestKeep)
}

// CreateRoomRequest stores a request from the public form (its ID,
// OrgID, Status, CreatedAt and DeleteAfter are set here), with the audit
// row room_request.create (IDs only). The venue must belong to an
// organisation, and the room, if given, to the venue (else ErrNotFound).
// notify, if not nil, is a mail to the house (with no personal data in
// it), enqueued in the same transaction with the request's ref.
func (s *Store) CreateRoomRequest(ctx context.Context, r *RoomRequest, now time.Time, notify *OutboxMail) error {
	if err := validateRoomRequest(r); err != nil {
		return err
	}
	now = now.UTC().Truncate(time.Microsecond)
	r.StartsAt = r.StartsAt.UTC().Truncate(time.Microsecond)
	return s.tx(ctx, func(tx *sql.Tx) error {
		var org string
		err := tx.QueryRowContext(ctx, `SELECT COALESCE(organisation_id, '') FROM venues WHERE id = $1`, r.VenueID).Scan(&org)
		if errors.Is(err, sql.ErrNoRows) || err == nil && org == "" {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if r.RoomID != "" {
			var venue string
			err := tx.QueryRowContext(ctx, `SELECT venue_id FROM rooms WHERE id = $1`, r.RoomID).Scan(&venue)
			if errors.Is(err, sql.ErrNoRows) || err == nil && venue != r.VenueID {
				return ErrNotFound
			}
			if err != nil {
				return err
			}
		}
		r.ID, r.OrgID, r.Status, r.CreatedAt = NewID(), org, RoomRequestNew, now
		r.DecidedBy, r.DecidedAt, r.Message = "", time.Time{}, ""
		r.DeleteAfter = undecidedDeleteAfter(*r)
		sealed := map[string]string{}
		for col, v := range map[string]string{"org_name": r.OrgName, "contact_name": r.ContactName, "email": r.Email,
			"phone": r.Phone, "purpose": r.Purpose} {
			x, err := s.seal("room_requests", col, r.ID, v)
			if err != nil {
				return err
			}
			sealed[col] = x
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO room_requests (id, venue_id, room_id, organisation_id, status,
			org_name, contact_name, email, phone, purpose, group_kind, kind, starts_at, minutes, until_day, lang,
			consent_version, created_at, delete_after)
			VALUES ($1, $2, $3, $4, 'new', $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
			r.ID, r.VenueID, nullString(r.RoomID), r.OrgID, sealed["org_name"], sealed["contact_name"], sealed["email"],
			sealed["phone"], sealed["purpose"], r.GroupKind, r.Kind, r.StartsAt, r.Minutes, r.Until, r.Lang,
			r.ConsentVersion, r.CreatedAt, r.DeleteAfter); err != nil {
			return err
		}
		if notify != nil {
			m := *notify
			m.Ref = RoomRequestRef(r.ID)
			if _, err := s.EnqueueMailTx(ctx, tx, m); err != nil {
				return err
			}
		}
		return auditTx(ctx, tx, AuditEntry{Action: "room_request.create", ObjectType: "room_request", ObjectID: r.ID,
			OrgID: r.OrgID, Detail: map[string]any{"venue": r.VenueID, "room": r.RoomID, "kind": r.Kind}})
	})
}

const roomRequestColumns = `id, venue_id, COALESCE(room_id, ''), organisation_id, status, org_name, contact_name, email,
	phone, purpose, message, group_kind, kind, starts_at, minutes, until_day, lang, consent_version, decided_by,
	decided_at, created_at, delete_after`

func (s *Store) scanRoomRequest(sc interface{ Scan(...any) error }) (RoomRequest, error) {
	var r RoomRequest
	var decided sql.NullTime
	if err := sc.Scan(&r.ID, &r.VenueID, &r.RoomID, &r.OrgID, &r.Status, &r.OrgName, &r.ContactName, &r.Email,
		&r.Phone, &r.Purpose, &r.Message, &r.GroupKind, &r.Kind, &r.StartsAt, &r.Minutes, &r.Until, &r.Lang,
		&r.ConsentVersion, &r.DecidedBy, &decided, &r.CreatedAt, &r.DeleteAfter); err != nil {
		return r, err
	}
	r.StartsAt, r.CreatedAt, r.DeleteAfter = r.StartsAt.UTC(), r.CreatedAt.UTC(), r.DeleteAfter.UTC()
	if decided.Valid {
		r.DecidedAt = decided.Time.UTC()
	}
	for col, p := range map[string]*string{"org_name": &r.OrgName, "contact_name": &r.ContactName, "email": &r.Email,
		"phone": &r.Phone, "purpose": &r.Purpose, "message": &r.Message} {
		plain, err := s.open("room_requests", col, r.ID, *p)
		if err != nil {
			return r, err
		}
		*p = plain
	}
	return r, nil
}

func (s *Store) roomRequestsWhere(ctx context.Context, q querier, where string, args ...any) ([]RoomRequest, error) {
	return queryAll(ctx, q, s.scanRoomRequest, `SELECT `+roomRequestColumns+` FROM room_requests WHERE `+where+
		` ORDER BY created_at DESC, id`, args...)
}

// RoomRequestOrg is the house that decides a request (the pages check
// rights against it before they read the request), or ErrNotFound.
func (s *Store) RoomRequestOrg(ctx context.Context, id string) (string, error) {
	var org string
	err := s.read.QueryRowContext(ctx, `SELECT organisation_id FROM room_requests WHERE id = $1`, id).Scan(&org)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	return org, err
}

// RoomRequestCounts counts the undecided requests of the organisations
// (nil: all), without reading them.
func (s *Store) RoomRequestCounts(ctx context.Context, orgIDs []string) (int, error) {
	where, args := "status = 'new'", []any{}
	if orgIDs != nil {
		if len(orgIDs) == 0 {
			return 0, nil
		}
		args = bookingIDArgs(orgIDs)
		where += ` AND organisation_id IN (` + placeholders(1, len(orgIDs)) + `)`
	}
	var n int
	err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM room_requests WHERE `+where, args...).Scan(&n)
	return n, err
}

// RoomRequests lists the requests of the organisations (nil: every one),
// newest first, opened: a staff read of personal data, with one audit row
// room_request.list naming the requests listed.
func (s *Store) RoomRequests(ctx context.Context, orgIDs []string) ([]RoomRequest, error) {
	where, args := "1 = 1", []any{}
	if orgIDs != nil {
		if len(orgIDs) == 0 {
			return nil, nil
		}
		args = bookingIDArgs(orgIDs)
		where = `organisation_id IN (` + placeholders(1, len(orgIDs)) + `)`
	}
	out, err := s.roomRequestsWhere(ctx, s.read, where, args...)
	if err != nil || len(out) == 0 {
		return out, err
	}
	ids := make([]string, len(out))
	for i, r := range out {
		ids[i] = r.ID
	}
	return out, s.Audit(ctx, AuditEntry{Action: "room_request.list", ObjectType: "room_request",
		Detail: map[string]any{"requests": ids}})
}

// ReadRoomRequest returns a request, opened, with the audit row
// room_request.read; ErrNotFound when there is none.
func (s *Store) ReadRoomRequest(ctx context.Context, id string) (RoomRequest, error) {
	out, err := s.roomRequestsWhere(ctx, s.read, `id = $1`, id)
	if err != nil {
		return RoomRequest{}, err
	}
	if len(out) == 0 {
		return RoomRequest{}, ErrNotFound
	}
	r := out[0]
	return r, s.Audit(ctx, AuditEntry{Action: "room_request.read", ObjectType: "room_request", ObjectID: id, OrgID: r.OrgID})
}

// RoomDecision is the house's answer to a request.
type RoomDecision struct {
	Approve bool
	Message string // to the person who asked; kept sealed until the request is deleted
	// On approval, what is booked: a one-off booking (Once) or a series
	// (Series), with the outside organisation's name as holder; the request
	// is set as their RequestID.
	Once   *RoomBooking
	Series *RoomSeries
	Holder string
	// Mail composes the mail to the person who asked (the request as
	// stored, with its decision); it goes in the same transaction, with the
	// request's ref.
	Mail func(r RoomRequest) (OutboxMail, error)
}

// DecideRoomRequest approves or declines a new request, in one
// transaction: on approval the booking, checked like every booking (a
// *RoomClashError, and nothing is written); then the request's decision
// and its deletion date (RoomRequestKeep on), the mail, and the audit row
// room_request.approve or room_request.decline (IDs only). A request
// decided already is ErrRoomRequestDecided.
func (s *Store) DecideRoomRequest(ctx context.Context, id string, d RoomDecision, now time.Time) (RoomRequest, error) {
	now = now.UTC().Truncate(time.Microsecond)
	if d.Mail == nil {
		return RoomRequest{}, errors.New("store: a decision needs its Mail")
	}
	if !roomRequestText(d.Message, MaxRoomRequestPurpose, true) {
		return RoomRequest{}, fmt.Errorf("%w: message", ErrRoomRequest)
	}
	var sp *seriesPattern
	if d.Approve {
		switch {
		case d.Series != nil && d.Once == nil:
			d.Series.Holder = d.Holder
			p, err := prepareSeries(d.Series)
			if err != nil {
				return RoomRequest{}, err
			}
			sp = p
		case d.Once != nil && d.Series == nil:
			if strings.TrimSpace(d.Holder) == "" {
				return RoomRequest{}, fmt.Errorf("%w: a booking is for an organisation", ErrSeries)
			}
		default:
			return RoomRequest{}, errors.New("store: an approval books once or a series")
		}
	}
	var r RoomRequest
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.lockRowTx(ctx, tx, "room_requests", id); err != nil {
			return err
		}
		out, err := s.roomRequestsWhere(ctx, tx, `id = $1`, id)
		if err != nil {
			return err
		}
		if len(out) == 0 {
			return ErrNotFound
		}
		r = out[0]
		if r.Status != RoomRequestNew {
			return ErrRoomRequestDecided
		}
		detail := map[string]any{}
		if d.Approve {
			if d.Once != nil {
				d.Once.CreatedAt = now
				if err := s.bookOnceTx(ctx, tx, d.Once, BookingHolder{Holder: d.Holder, RequestID: r.ID}); err != nil {
					return err
				}
				detail["booking"], detail["room"] = d.Once.ID, d.Once.RoomID
			} else {
				sr := d.Series
				sr.ID, sr.CreatedBy, sr.CreatedAt, sr.UpdatedAt, sr.RequestID = NewID(), ActorOf(ctx).ID, now, now, r.ID
				if err := s.checkRoomTx(ctx, tx, sr.RoomID, bookingUse{seriesID: sr.ID, seriesPattern: sp}, now); err != nil {
					sr.ID = ""
					return err
				}
				if err := writeSeriesTx(ctx, tx, sr, true); err != nil {
					return err
				}
				detail["series"], detail["room"] = sr.ID, sr.RoomID
			}
			r.Status = RoomRequestApproved
		} else {
			r.Status = RoomRequestDeclined
		}
		r.Message, r.DecidedBy, r.DecidedAt, r.DeleteAfter = d.Message, ActorOf(ctx).ID, now, now.Add(RoomRequestKeep)
		msg, err := s.seal("room_requests", "message", r.ID, r.Message)
		if err != nil {
			return err
		}
		if err := execOne(ctx, tx, `UPDATE room_requests SET status = $2, message = $3, decided_by = $4, decided_at = $5,
			delete_after = $6 WHERE id = $1`, r.ID, r.Status, msg, r.DecidedBy, r.DecidedAt, r.DeleteAfter); err != nil {
			return err
		}
		m, err := d.Mail(r)
		if err != nil {
			return err
		}
		m.Ref = RoomRequestRef(r.ID)
		if _, err := s.EnqueueMailTx(ctx, tx, m); err != nil {
			return err
		}
		action := "room_request.decline"
		if d.Approve {
			action = "room_request.approve"
		}
		return auditTx(ctx, tx, AuditEntry{Action: action, ObjectType: "room_request", ObjectID: r.ID, OrgID: r.OrgID,
			Detail: detail})
	})
	return r, err
}

// PurgeRoomRequests deletes the requests whose time is up (delete_after
// at or before now), each in its own transaction with its mails in the
// outbox (sent or not), leaving the bookings made from them (their
// RequestID cleared); one audit row room_request.delete each (the ID
// only). It returns how many it deleted. Run it from a job, for instance
// hourly (jobs.RoomsJob).
func (s *Store) PurgeRoomRequests(ctx context.Context, now time.Time) (int, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id FROM room_requests WHERE delete_after <= $1 ORDER BY delete_after`,
		now.UTC())
	if err != nil {
		return 0, err
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		deleted := false
		err := s.tx(ctx, func(tx *sql.Tx) error {
			var org string
			err := tx.QueryRowContext(ctx, `SELECT organisation_id FROM room_requests WHERE id = $1 AND delete_after <= $2`+
				s.lockSuffix(), id, now.UTC()).Scan(&org)
			if errors.Is(err, sql.ErrNoRows) {
				return nil // decided again or gone since
			}
			if err != nil {
				return err
			}
			for _, q := range []string{`DELETE FROM outbox WHERE ref = $1`} {
				if _, err := tx.ExecContext(ctx, q, RoomRequestRef(id)); err != nil {
					return err
				}
			}
			for _, q := range []string{`UPDATE room_bookings SET request_id = NULL WHERE request_id = $1`,
				`UPDATE room_series SET request_id = NULL WHERE request_id = $1`,
				`DELETE FROM room_requests WHERE id = $1`} {
				if _, err := tx.ExecContext(ctx, q, id); err != nil {
					return err
				}
			}
			deleted = true
			return auditTx(ctx, tx, AuditEntry{ActorID: "system", Action: "room_request.delete", ObjectType: "room_request",
				ObjectID: id, OrgID: org})
		})
		if err != nil {
			return n, err
		}
		if deleted {
			n++
		}
	}
	return n, nil
}
