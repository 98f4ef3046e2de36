package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fellesrom/fellesrom/internal/domain"
)

// Events (issue 5 item 3): a house's information meetings, public
// meetings, seminars for services and starter courses, with co-organisers,
// in a room of the house (booked in room_bookings) or online, and sign-up
// with a capacity and a waiting list.
//
//	SignUp ──▶ confirmed (a place) or waiting (the event is full)
//	CancelSignup (the person's link) / StaffCancelSignup ──▶ row deleted,
//	      cancelled_count + 1, and the first waiting person moves up in the
//	      same transaction, with a message to them
//	SaveEvent raising the capacity ──▶ waiting people move up the same way
//	RemindSignup (the events job, the day before) ──▶ reminded_at
//	PurgeEventSignups (the events job, 30 days after the event) ──▶ every
//	      sign-up deleted with its messages; the counts stay on the event row
//
// A sign-up is personal data: the name and the contact are sealed (package
// seal), the contact is looked up by a keyed hash only, messages to the
// person carry the outbox ref "signup:<id>" and go with the sign-up, a
// staff read of the list writes an audit row (signup.list), and the audit
// log names sign-ups by ID only. Every change to an event or a sign-up
// writes its audit row in the same transaction.

// EventKind is the sort of an event.
type EventKind string

const (
	EventInformationMeeting EventKind = "information_meeting" // informasjonsmøte
	EventPublicMeeting      EventKind = "public_meeting"      // folkemøte
	EventSeminar            EventKind = "seminar"             // seminar for health and social services
	EventStarterCourse      EventKind = "starter_course"      // igangsetterkurs
	EventOther              EventKind = "other"
)

// EventKinds are the kinds of event, in the order of a form.
var EventKinds = []EventKind{EventInformationMeeting, EventPublicMeeting, EventSeminar, EventStarterCourse, EventOther}

// Statuses of an event and of a sign-up.
const (
	EventScheduled = "scheduled"
	EventCancelled = "cancelled"

	SignupConfirmed = "confirmed" // has a place
	SignupWaiting   = "waiting"   // on the waiting list
)

// Kinds of the messages to a person signed up (mail.<kind>.subject and
// .body, sms.<kind> in the catalogue).
const (
	EventMailConfirmed = "event_signup"    // you have a place
	EventMailWaiting   = "event_waiting"   // the event is full: you are on the waiting list
	EventMailAgain     = "event_again"     // the contact was signed up already: a new link
	EventMailMovedUp   = "event_moved_up"  // someone cancelled: you have a place now
	EventMailChanged   = "event_changed"   // the time or the place changed
	EventMailCancelled = "event_cancelled" // the event is cancelled
	EventMailReminder  = "event_reminder"  // the day before
)

// Limits of an event's fields.
const (
	MaxEventTitle       = 200
	MaxEventDescription = 5000
	MaxEventCapacity    = 100000
	MaxEventLength      = 14 * 24 * time.Hour
	MaxSignupName       = 100
	// EventSignupRetention is how long the sign-ups of an event are kept
	// after it ends: then PurgeEventSignups deletes them.
	EventSignupRetention = 30 * 24 * time.Hour
	// EventReminderHour is the hour of the day before an event (in the
	// event's zone) from which its reminders go out.
	EventReminderHour = 10
)

// Errors of events and sign-ups.
var (
	// ErrEventCancelled: the event is cancelled; it cannot be changed.
	ErrEventCancelled = errors.New("store: the event is cancelled")
	// ErrSignupClosed: the event takes no sign-ups (closed, cancelled, begun).
	ErrSignupClosed = errors.New("store: the event takes no sign-ups")
	// ErrEventNotOver: attendance is recorded once the event has begun.
	ErrEventNotOver = errors.New("store: the event has not begun")
)

// CapacityError refuses a capacity below the number of people who have a
// place already.
type CapacityError struct{ Confirmed int }

func (e *CapacityError) Error() string {
	return fmt.Sprintf("store: %d people have a place already", e.Confirmed)
}

// Event is one event.
type Event struct {
	ID           string
	Slug         string
	OrgID        string   // the organiser
	CoOrganisers []string // other organisations that hold it together with the organiser
	Kind         EventKind
	Title        domain.Text // nb required
	Description  domain.Text
	StartsAt     time.Time // UTC
	EndsAt       time.Time // UTC
	TZ           string    // the place's zone, Europe/Oslo unless it says otherwise
	VenueID      string    // "" for an online event
	RoomID       string    // a room of the venue, booked for the event's time
	BookingID    string    // the room's booking (set by SaveEvent)
	Online       bool
	OnlineURL    string // sent to those with a place; never on the public page
	Municipality string // the venue's, or chosen for an online event; "" for none
	Capacity     int    // places; 0: no limit
	SignupOpen   bool
	Listed       bool   // in the public calendar and the house's feed
	Status       string // scheduled, cancelled
	Attended     int    // recorded by staff after the event; -1: not recorded
	Counts       EventCounts
	// SignupsDeletedAt is when the sign-ups were deleted; zero before.
	SignupsDeletedAt time.Time
	CreatedBy        string
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// EventCounts are the numbers of an event's sign-ups: counted from the
// sign-ups while they exist, from the event row once they are deleted.
type EventCounts struct {
	Confirmed int // with a place
	Waiting   int // on the waiting list
	Cancelled int // cancelled by the person or by staff
}

// Full reports whether every place is taken.
func (e Event) Full() bool { return e.Capacity > 0 && e.Counts.Confirmed >= e.Capacity }

// Open reports whether the event takes sign-ups at now.
func (e Event) Open(now time.Time) bool {
	return e.Status == EventScheduled && e.SignupOpen && now.Before(e.StartsAt)
}

// Location is the event's time zone (Europe/Oslo if TZ is not a zone).
func (e Event) Location() *time.Location {
	if loc, err := domain.LoadLocation(e.TZ); err == nil && e.TZ != "" && e.TZ != "UTC" && e.TZ != "Local" {
		return loc
	}
	loc, _ := domain.LoadLocation(domain.DefaultTimeZone)
	return loc
}

// EventReminderAt is when the reminders of an event go out: at
// EventReminderHour on the day before it starts, in its zone.
func EventReminderAt(e Event) time.Time {
	loc := e.Location()
	s := e.StartsAt.In(loc)
	return time.Date(s.Year(), s.Month(), s.Day()-1, EventReminderHour, 0, 0, 0, loc).UTC()
}

// Signup is one person signed up for an event, with the sealed fields open.
type Signup struct {
	ID             string
	EventID        string
	Status         string // confirmed, waiting
	Name           string // personal data, sealed at rest
	ContactKind    string // email, phone
	Contact        string // personal data, sealed at rest; normalised (NormalizeContact)
	Lang           string // language of what the person is sent
	ConsentVersion string
	CreatedAt      time.Time
	MovedUpAt      time.Time
	RemindedAt     time.Time
	// Position is the place on the waiting list (1 = next to move up); 0
	// for a confirmed sign-up. Set by the functions that read one.
	Position int
	// Again is set by SignUp when the contact had signed up for the event
	// already: the sign-up returned is the earlier one.
	Again bool
}

// SignupRef is the outbox's ref of the messages to a person signed up.
func SignupRef(id string) string { return "signup:" + id }

func init() {
	for _, c := range []string{"name", "contact"} {
		sealedColumns = append(sealedColumns, sealedColumn{"event_signups", "id", c})
	}
}

// EventNotice is what a message to a person signed up says: its kind
// (EventMail…), the event, the person, and where the event is.
type EventNotice struct {
	Kind     string
	Event    Event
	Signup   Signup
	OrgName  string       // the organiser
	Venue    domain.Venue // zero for an online event
	RoomName string
}

// EventMessenger composes the message of a notice: a mail, or a text
// message to a phone number, with a new private link when the kind carries
// one; it returns the SHA-256 of that link's token ("" for none). The
// store sets the message's Ref and enqueues it in the transaction that
// causes it.
type EventMessenger func(n EventNotice) (m OutboxMail, tokenHash string, err error)

// --- reading ---

const eventColumns = `e.id, e.slug, e.organisation_id, e.kind, e.title, e.description, e.starts_at, e.ends_at, e.tz,
	COALESCE(e.venue_id, ''), COALESCE(e.room_id, ''), COALESCE(e.booking_id, ''), e.online, e.online_url,
	COALESCE(e.municipality_id, ''), e.capacity, e.signup_open, e.listed, e.status, COALESCE(e.attended, -1),
	CASE WHEN e.signups_deleted_at IS NULL THEN (SELECT COUNT(*) FROM event_signups s
		WHERE s.event_id = e.id AND s.status = 'confirmed') ELSE e.signed_up_count END,
	CASE WHEN e.signups_deleted_at IS NULL THEN (SELECT COUNT(*) FROM event_signups s
		WHERE s.event_id = e.id AND s.status = 'waiting') ELSE e.waiting_count END,
	e.cancelled_count, e.signups_deleted_at, e.created_by, e.created_at, e.updated_at`

func scanEvent(sc interface{ Scan(...any) error }) (Event, error) {
	var e Event
	var title, desc string
	var deleted sql.NullTime
	var confirmed, waiting int64
	if err := sc.Scan(&e.ID, &e.Slug, &e.OrgID, &e.Kind, &title, &desc, &e.StartsAt, &e.EndsAt, &e.TZ, &e.VenueID,
		&e.RoomID, &e.BookingID, &e.Online, &e.OnlineURL, &e.Municipality, &e.Capacity, &e.SignupOpen, &e.Listed,
		&e.Status, &e.Attended, &confirmed, &waiting, &e.Counts.Cancelled, &deleted, &e.CreatedBy, &e.CreatedAt,
		&e.UpdatedAt); err != nil {
		return e, err
	}
	e.Counts.Confirmed, e.Counts.Waiting = int(confirmed), int(waiting)
	var err error
	if e.Title, err = domain.ParseText(title); err == nil {
		e.Description, err = domain.ParseText(desc)
	}
	e.StartsAt, e.EndsAt, e.CreatedAt, e.UpdatedAt = e.StartsAt.UTC(), e.EndsAt.UTC(), e.CreatedAt.UTC(), e.UpdatedAt.UTC()
	if deleted.Valid {
		e.SignupsDeletedAt = deleted.Time.UTC()
	}
	return e, err
}

// queryEvents reads events with their co-organisers.
func queryEvents(ctx context.Context, q querier, where, tail string, args ...any) ([]Event, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+eventColumns+` FROM events e WHERE `+where+` `+tail, args...)
	if err != nil {
		return nil, err
	}
	var out []Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return out, nil
	}
	index := make(map[string]int, len(out))
	ids := make([]any, len(out))
	for i, e := range out {
		index[e.ID], ids[i] = i, e.ID
	}
	// In chunks, so that a long list stays under every engine's limit of
	// parameters.
	for from := 0; from < len(ids); from += 500 {
		chunk := ids[from:min(from+500, len(ids))]
		orows, err := q.QueryContext(ctx, `SELECT event_id, organisation_id FROM event_organisers
			WHERE event_id IN (`+placeholders(1, len(chunk))+`) ORDER BY organisation_id`, chunk...)
		if err != nil {
			return nil, err
		}
		for orows.Next() {
			var ev, org string
			if err := orows.Scan(&ev, &org); err != nil {
				orows.Close()
				return nil, err
			}
			i := index[ev]
			out[i].CoOrganisers = append(out[i].CoOrganisers, org)
		}
		orows.Close()
		if err := orows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func eventWhere(ctx context.Context, q querier, where string, args ...any) (Event, error) {
	es, err := queryEvents(ctx, q, where, "", args...)
	if err != nil {
		return Event{}, err
	}
	if len(es) == 0 {
		return Event{}, ErrNotFound
	}
	return es[0], nil
}

// Event returns an event by ID or slug.
func (s *Store) Event(ctx context.Context, idOrSlug string) (Event, error) {
	return eventWhere(ctx, s.read, `e.id = $1 OR e.slug = $1`, idOrSlug)
}

// EventFilter selects events. Empty fields match everything.
type EventFilter struct {
	// EndsAfter: events that end after this (the calendar's "from now on").
	EndsAfter time.Time
	// StartsBefore: events that start before this.
	StartsBefore time.Time
	// ListedOnly: only events shown in the public calendar.
	ListedOnly bool
	// OrgID: events the organisation organises or co-organises.
	OrgID string
	// OrgIDs: events organised by one of these (the staff's scope); nil
	// means every organisation, an empty slice none.
	OrgIDs       []string
	Kind         EventKind
	Municipality string
	// Limit is the most events returned; 0 means 1000.
	Limit int
	// Desc lists the latest first.
	Desc bool
}

// Events lists the events of the filter, the earliest first (the latest
// with Desc).
func (s *Store) Events(ctx context.Context, f EventFilter) ([]Event, error) {
	var conds []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	conds = append(conds, "1 = 1")
	if !f.EndsAfter.IsZero() {
		conds = append(conds, "e.ends_at > "+arg(f.EndsAfter.UTC()))
	}
	if !f.StartsBefore.IsZero() {
		conds = append(conds, "e.starts_at < "+arg(f.StartsBefore.UTC()))
	}
	if f.ListedOnly {
		conds = append(conds, "e.listed = "+arg(true))
	}
	if f.OrgID != "" {
		p := arg(f.OrgID)
		conds = append(conds, "(e.organisation_id = "+p+" OR EXISTS (SELECT 1 FROM event_organisers o WHERE o.event_id = e.id AND o.organisation_id = "+p+"))")
	}
	if f.OrgIDs != nil {
		if len(f.OrgIDs) == 0 {
			return nil, nil
		}
		var ps []string
		for _, id := range f.OrgIDs {
			ps = append(ps, arg(id))
		}
		conds = append(conds, "e.organisation_id IN ("+strings.Join(ps, ", ")+")")
	}
	if f.Kind != "" {
		conds = append(conds, "e.kind = "+arg(string(f.Kind)))
	}
	if f.Municipality != "" {
		conds = append(conds, "e.municipality_id = "+arg(f.Municipality))
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 1000
	}
	order := "ORDER BY e.starts_at, e.id"
	if f.Desc {
		order = "ORDER BY e.starts_at DESC, e.id DESC"
	}
	return queryEvents(ctx, s.read, strings.Join(conds, " AND "), order+" LIMIT "+arg(limit), args...)
}

// --- saving ---

// validateEvent checks what the store needs (the pages check each field
// with a message of its own first) and normalises e.
func validateEvent(e *Event) error {
	var errs []error
	if e.Slug == "" || len(e.Slug) > 120 {
		errs = append(errs, errors.New("an event needs a slug"))
	}
	if e.OrgID == "" {
		errs = append(errs, errors.New("an event needs an organisation"))
	}
	if !slices.Contains(EventKinds, e.Kind) {
		errs = append(errs, fmt.Errorf("unknown kind of event %q", e.Kind))
	}
	if e.Title.In("nb") == "" || e.Title["nb"] == "" {
		errs = append(errs, errors.New("an event needs a title in Bokmål"))
	}
	for l, t := range e.Title {
		if utf8.RuneCountInString(t) > MaxEventTitle || strings.ContainsAny(t, "\r\n") {
			errs = append(errs, fmt.Errorf("the title (%s) must be one line of at most %d characters", l, MaxEventTitle))
		}
	}
	for l, t := range e.Description {
		if utf8.RuneCountInString(t) > MaxEventDescription {
			errs = append(errs, fmt.Errorf("the description (%s) is too long", l))
		}
	}
	if e.TZ == "" {
		e.TZ = domain.DefaultTimeZone
	}
	if _, err := domain.LoadLocation(e.TZ); err != nil || e.TZ == "UTC" || e.TZ == "Local" {
		errs = append(errs, fmt.Errorf("unknown time zone %q", e.TZ))
	}
	e.StartsAt, e.EndsAt = e.StartsAt.UTC().Truncate(time.Microsecond), e.EndsAt.UTC().Truncate(time.Microsecond)
	switch {
	case e.StartsAt.IsZero():
		errs = append(errs, errors.New("an event needs a start"))
	case !e.EndsAt.After(e.StartsAt):
		errs = append(errs, errors.New("an event must end after it starts"))
	case e.EndsAt.Sub(e.StartsAt) > MaxEventLength:
		errs = append(errs, errors.New("an event lasts at most 14 days"))
	}
	if e.VenueID == "" && !e.Online {
		errs = append(errs, errors.New("an event is at a venue or online"))
	}
	if e.RoomID != "" && e.VenueID == "" {
		errs = append(errs, errors.New("a room belongs to a venue"))
	}
	e.OnlineURL = strings.TrimSpace(e.OnlineURL)
	if e.OnlineURL != "" {
		u, err := url.Parse(e.OnlineURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(e.OnlineURL) > 500 ||
			mailUnsafe(e.OnlineURL) {
			errs = append(errs, errors.New("the online link must be an http or https URL"))
		}
		if !e.Online {
			e.OnlineURL = ""
		}
	}
	if e.Capacity < 0 || e.Capacity > MaxEventCapacity {
		errs = append(errs, fmt.Errorf("the capacity is 0 (no limit) to %d", MaxEventCapacity))
	}
	var co []string
	for _, id := range e.CoOrganisers {
		if id != "" && id != e.OrgID && !slices.Contains(co, id) {
			co = append(co, id)
		}
	}
	slices.Sort(co)
	e.CoOrganisers = co
	return errors.Join(errs...)
}

// SaveEvent creates an event (e.ID empty) or changes one, in one
// transaction: the event row and its co-organisers; the room's booking
// (purpose "event", for the event's time; a changed room or time books
// again, and a clash with another booking of the room is a *ClashError and
// changes nothing); for a changed event with sign-ups, a message to each
// person when the time or the place changed (EventMailChanged, and the
// reminder goes again); and when the capacity grows, the waiting people
// who now have a place move up, each with a message (EventMailMovedUp). A
// capacity below the places taken is a *CapacityError; a cancelled event
// is ErrEventCancelled. It records event.create or event.update.
func (s *Store) SaveEvent(ctx context.Context, e *Event, now time.Time, msg EventMessenger) error {
	now = now.UTC().Truncate(time.Microsecond)
	if err := validateEvent(e); err != nil {
		return err
	}
	isNew := e.ID == ""
	return s.tx(ctx, func(tx *sql.Tx) error {
		var old Event
		if !isNew {
			var err error
			if old, err = s.lockedEvent(ctx, tx, e.ID); err != nil {
				return err
			}
			if old.Status == EventCancelled {
				return ErrEventCancelled
			}
			if e.Capacity > 0 && e.Capacity < old.Counts.Confirmed {
				return &CapacityError{Confirmed: old.Counts.Confirmed}
			}
		}
		// Where: the venue's municipality is the event's.
		if e.VenueID != "" {
			var muni string
			err := tx.QueryRowContext(ctx, `SELECT municipality_id FROM venues WHERE id = $1`, e.VenueID).Scan(&muni)
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("%w: the venue", ErrNotFound)
			}
			if err != nil {
				return err
			}
			e.Municipality = muni
		}
		if e.RoomID != "" {
			var venue string
			err := tx.QueryRowContext(ctx, `SELECT venue_id FROM rooms WHERE id = $1`, e.RoomID).Scan(&venue)
			if errors.Is(err, sql.ErrNoRows) || err == nil && venue != e.VenueID {
				return fmt.Errorf("%w: the room is not one of the venue's", ErrNotFound)
			}
			if err != nil {
				return err
			}
		}
		// The room's booking: kept when neither the room nor the time
		// changed, else booked again.
		e.BookingID = old.BookingID
		same := !isNew && old.BookingID != "" && old.RoomID == e.RoomID && old.StartsAt.Equal(e.StartsAt) &&
			old.EndsAt.Equal(e.EndsAt)
		if !same {
			if old.BookingID != "" {
				if err := s.dropEventBooking(ctx, tx, old.ID, old.BookingID); err != nil {
					return err
				}
				e.BookingID = ""
			}
			if e.RoomID != "" {
				id, err := s.bookEventRoom(ctx, tx, *e, now)
				if err != nil {
					return err
				}
				e.BookingID = id
			}
		} else if old.Title["nb"] != e.Title["nb"] {
			if _, err := tx.ExecContext(ctx, `UPDATE room_bookings SET title = $2 WHERE id = $1`, e.BookingID,
				bookingTitle(*e)); err != nil {
				return err
			}
		}
		e.UpdatedAt = now
		if isNew {
			e.ID, e.CreatedAt, e.CreatedBy = NewID(), now, ActorOf(ctx).ID
			e.Status, e.Attended = EventScheduled, -1
			if _, err := tx.ExecContext(ctx, `INSERT INTO events (id, slug, organisation_id, kind, title, description,
				starts_at, ends_at, tz, venue_id, room_id, booking_id, online, online_url, municipality_id, capacity,
				signup_open, listed, status, created_by, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $21)`,
				e.ID, e.Slug, e.OrgID, string(e.Kind), e.Title.Marshal(), e.Description.Marshal(), e.StartsAt, e.EndsAt,
				e.TZ, nullString(e.VenueID), nullString(e.RoomID), nullString(e.BookingID), e.Online, e.OnlineURL,
				nullString(e.Municipality), e.Capacity, e.SignupOpen, e.Listed, e.Status, e.CreatedBy, now); err != nil {
				return err
			}
		} else {
			e.CreatedAt, e.CreatedBy, e.Status, e.Attended = old.CreatedAt, old.CreatedBy, old.Status, old.Attended
			e.Counts, e.SignupsDeletedAt = old.Counts, old.SignupsDeletedAt
			if err := execOne(ctx, tx, `UPDATE events SET slug = $2, organisation_id = $3, kind = $4, title = $5,
				description = $6, starts_at = $7, ends_at = $8, tz = $9, venue_id = $10, room_id = $11, booking_id = $12,
				online = $13, online_url = $14, municipality_id = $15, capacity = $16, signup_open = $17, listed = $18,
				updated_at = $19 WHERE id = $1`,
				e.ID, e.Slug, e.OrgID, string(e.Kind), e.Title.Marshal(), e.Description.Marshal(), e.StartsAt, e.EndsAt,
				e.TZ, nullString(e.VenueID), nullString(e.RoomID), nullString(e.BookingID), e.Online, e.OnlineURL,
				nullString(e.Municipality), e.Capacity, e.SignupOpen, e.Listed, now); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM event_organisers WHERE event_id = $1`, e.ID); err != nil {
				return err
			}
		}
		for _, org := range e.CoOrganisers {
			if _, err := tx.ExecContext(ctx, `INSERT INTO event_organisers (event_id, organisation_id) VALUES ($1, $2)`,
				e.ID, org); err != nil {
				return err
			}
		}
		detail := map[string]any{"kind": string(e.Kind), "capacity": e.Capacity, "listed": e.Listed,
			"signup_open": e.SignupOpen, "room": e.RoomID}
		action := "event.create"
		if !isNew {
			action = "event.update"
			changed := eventChanges(old, *e)
			detail["changed"] = changed
			moved := slices.Contains(changed, "time") || slices.Contains(changed, "place")
			if moved && e.SignupsDeletedAt.IsZero() && now.Before(e.StartsAt) {
				n, err := s.noticeAllTx(ctx, tx, *e, EventMailChanged, now, msg, slices.Contains(changed, "time"))
				if err != nil {
					return err
				}
				detail["told"] = n
			}
			if e.SignupsDeletedAt.IsZero() && now.Before(e.StartsAt) {
				n, err := s.moveUpTx(ctx, tx, e, now, msg)
				if err != nil {
					return err
				}
				if n > 0 {
					detail["moved_up"] = n
				}
			}
		}
		return auditTx(ctx, tx, AuditEntry{Action: action, ObjectType: "event", ObjectID: e.ID, OrgID: e.OrgID,
			Detail: detail})
	})
}

// eventChanges names what changed between two versions of an event.
func eventChanges(a, b Event) []string {
	var out []string
	add := func(changed bool, what string) {
		if changed {
			out = append(out, what)
		}
	}
	add(a.Slug != b.Slug, "slug")
	add(a.OrgID != b.OrgID, "organisation")
	add(!slices.Equal(a.CoOrganisers, b.CoOrganisers), "co_organisers")
	add(a.Kind != b.Kind, "kind")
	add(a.Title.Marshal() != b.Title.Marshal(), "title")
	add(a.Description.Marshal() != b.Description.Marshal(), "description")
	add(!a.StartsAt.Equal(b.StartsAt) || !a.EndsAt.Equal(b.EndsAt) || a.TZ != b.TZ, "time")
	add(a.VenueID != b.VenueID || a.RoomID != b.RoomID || a.Online != b.Online || a.OnlineURL != b.OnlineURL, "place")
	add(a.Municipality != b.Municipality, "municipality")
	add(a.Capacity != b.Capacity, "capacity")
	add(a.SignupOpen != b.SignupOpen, "signup_open")
	add(a.Listed != b.Listed, "listed")
	if out == nil {
		out = []string{}
	}
	return out
}

// lockedEvent locks an event's row until the transaction ends (FOR UPDATE
// on PostgreSQL; SQLite has one writer), then reads it. The two take two
// statements on purpose: on PostgreSQL a statement that waited for the
// lock still counts the sign-ups as its own snapshot saw them, from before
// the transaction it waited for committed; the read after the lock sees
// what that transaction wrote.
func (s *Store) lockedEvent(ctx context.Context, tx *sql.Tx, id string) (Event, error) {
	var got string
	err := tx.QueryRowContext(ctx, `SELECT id FROM events WHERE id = $1`+s.lockSuffix(), id).Scan(&got)
	if errors.Is(err, sql.ErrNoRows) {
		return Event{}, ErrNotFound
	}
	if err != nil {
		return Event{}, err
	}
	return eventWhere(ctx, tx, `e.id = $1`, id)
}

func bookingTitle(e Event) string { return e.Title.In("nb") }

// bookEventRoom books the event's room for its time, for the event's
// organisation, and returns the booking's ID. It goes through the one
// writer of one-off bookings (bookOnceTx), whose double-booking check
// compares it with every other booking and every series of the room (a
// *RoomClashError, which errors.As also gives as a *ClashError), with the
// room's row locked on PostgreSQL so that two writers take turns.
func (s *Store) bookEventRoom(ctx context.Context, tx *sql.Tx, e Event, now time.Time) (string, error) {
	b := RoomBooking{RoomID: e.RoomID, StartsAt: e.StartsAt, EndsAt: e.EndsAt, Purpose: "event", Title: bookingTitle(e),
		CreatedAt: now}
	if err := s.bookOnceTx(ctx, tx, &b, BookingHolder{OrgID: e.OrgID}); err != nil {
		return "", err
	}
	return b.ID, nil
}

// dropEventBooking deletes an event's booking (the room is free again).
func (s *Store) dropEventBooking(ctx context.Context, tx *sql.Tx, eventID, bookingID string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE events SET booking_id = NULL WHERE id = $1`, eventID); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM room_bookings WHERE id = $1 AND purpose = 'event'`, bookingID)
	return err
}

// CancelEvent cancels an event, in one transaction: its status, the room
// given back (the booking deleted), and a message to everyone signed up
// (EventMailCancelled). The sign-ups stay until PurgeEventSignups, so that
// the counts are kept. It records event.cancel.
func (s *Store) CancelEvent(ctx context.Context, id string, now time.Time, msg EventMessenger) error {
	now = now.UTC().Truncate(time.Microsecond)
	return s.tx(ctx, func(tx *sql.Tx) error {
		e, err := s.lockedEvent(ctx, tx, id)
		if err != nil {
			return err
		}
		if e.Status == EventCancelled {
			return ErrEventCancelled
		}
		if e.BookingID != "" {
			if err := s.dropEventBooking(ctx, tx, e.ID, e.BookingID); err != nil {
				return err
			}
		}
		if err := execOne(ctx, tx, `UPDATE events SET status = 'cancelled', updated_at = $2 WHERE id = $1`, e.ID, now); err != nil {
			return err
		}
		e.Status, e.BookingID = EventCancelled, ""
		told := 0
		if e.SignupsDeletedAt.IsZero() && now.Before(e.EndsAt) {
			if told, err = s.noticeAllTx(ctx, tx, e, EventMailCancelled, now, msg, false); err != nil {
				return err
			}
		}
		return auditTx(ctx, tx, AuditEntry{Action: "event.cancel", ObjectType: "event", ObjectID: e.ID, OrgID: e.OrgID,
			Detail: map[string]any{"told": told}})
	})
}

// RecordAttendance records how many came to an event, once it has begun
// (ErrEventNotOver before). It records event.attendance.
func (s *Store) RecordAttendance(ctx context.Context, id string, attended int, now time.Time) error {
	if attended < 0 || attended > 1000000 {
		return errors.New("store: attendance is a number from 0")
	}
	now = now.UTC().Truncate(time.Microsecond)
	return s.tx(ctx, func(tx *sql.Tx) error {
		var org string
		var starts time.Time
		err := tx.QueryRowContext(ctx, `SELECT organisation_id, starts_at FROM events WHERE id = $1`+s.lockSuffix(), id).
			Scan(&org, &starts)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if now.Before(starts) {
			return ErrEventNotOver
		}
		if err := execOne(ctx, tx, `UPDATE events SET attended = $2, updated_at = $3 WHERE id = $1`, id, attended, now); err != nil {
			return err
		}
		return auditTx(ctx, tx, AuditEntry{Action: "event.attendance", ObjectType: "event", ObjectID: id, OrgID: org,
			Detail: map[string]any{"attended": attended}})
	})
}

// --- sign-ups ---

const signupColumns = `id, event_id, status, name, contact_kind, contact, lang, consent_version, created_at,
	moved_up_at, reminded_at`

func (s *Store) scanSignup(sc interface{ Scan(...any) error }) (Signup, error) {
	var su Signup
	var name, contact string
	var moved, reminded sql.NullTime
	if err := sc.Scan(&su.ID, &su.EventID, &su.Status, &name, &su.ContactKind, &contact, &su.Lang, &su.ConsentVersion,
		&su.CreatedAt, &moved, &reminded); err != nil {
		return su, err
	}
	su.CreatedAt = su.CreatedAt.UTC()
	if moved.Valid {
		su.MovedUpAt = moved.Time.UTC()
	}
	if reminded.Valid {
		su.RemindedAt = reminded.Time.UTC()
	}
	var err error
	if su.Name, err = s.open("event_signups", "name", su.ID, name); err != nil {
		return su, err
	}
	su.Contact, err = s.open("event_signups", "contact", su.ID, contact)
	return su, err
}

func (s *Store) querySignups(ctx context.Context, q querier, where string, args ...any) ([]Signup, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+signupColumns+` FROM event_signups WHERE `+where+
		` ORDER BY seq`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Signup
	for rows.Next() {
		su, err := s.scanSignup(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, su)
	}
	return out, rows.Err()
}

// positions numbers the waiting sign-ups of one event (in the order of
// querySignups) from 1.
func positions(sus []Signup) {
	n := 0
	for i := range sus {
		if sus[i].Status == SignupWaiting {
			n++
			sus[i].Position = n
		}
	}
}

// validateSignup checks a sign-up and normalises its contact.
func validateSignup(su *Signup) error {
	var errs []error
	su.Name = strings.TrimSpace(su.Name)
	if su.Name == "" || utf8.RuneCountInString(su.Name) > MaxSignupName || mailUnsafe(su.Name) {
		errs = append(errs, errors.New("a sign-up needs a name of at most 100 characters on one line"))
	}
	if c, ok := NormalizeContact(su.ContactKind, su.Contact); ok {
		su.Contact = c
	} else {
		errs = append(errs, errors.New("a sign-up needs one e-mail address or phone number"))
	}
	if su.ConsentVersion == "" {
		errs = append(errs, errors.New("a sign-up needs the version of the consent given"))
	}
	if su.Lang == "" {
		su.Lang = "nb"
	}
	return errors.Join(errs...)
}

// SignUp signs a person up for an event, in one transaction that holds the
// event's row (FOR UPDATE on PostgreSQL; SQLite has one writer), so that
// two people never take the last place both: a place while there is one
// (confirmed), else the waiting list. The sign-up is stored with its name
// and contact sealed, and its message (EventMailConfirmed or
// EventMailWaiting, with the person's link: its hash is kept as the
// sign-up's token) is enqueued with the ref "signup:<id>". A contact signed
// up for the event already gets a message with a new link (EventMailAgain)
// instead, and su becomes that sign-up with Again set: the answer looks
// the same either way. An event that takes no sign-ups is ErrSignupClosed.
// It records signup.create (or signup.again) with the status, no personal
// data.
func (s *Store) SignUp(ctx context.Context, eventID string, su *Signup, now time.Time, msg EventMessenger) error {
	now = now.UTC().Truncate(time.Microsecond)
	if err := validateSignup(su); err != nil {
		return err
	}
	if msg == nil {
		return errors.New("store: SignUp needs a messenger")
	}
	idx, err := s.signupIndex(su.ContactKind, su.Contact)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		e, err := s.lockedEvent(ctx, tx, eventID)
		if err != nil {
			return err
		}
		if !e.Open(now) {
			return ErrSignupClosed
		}
		place, err := s.eventPlace(ctx, tx, e)
		if err != nil {
			return err
		}
		var existing string
		err = tx.QueryRowContext(ctx, `SELECT id FROM event_signups WHERE event_id = $1 AND contact_index = $2`,
			e.ID, idx).Scan(&existing)
		switch {
		case err == nil:
			old, err := s.querySignups(ctx, tx, `id = $1`, existing)
			if err != nil || len(old) == 0 {
				return cmpErr(err, ErrNotFound)
			}
			*su = old[0]
			su.Again = true
			if su.Status == SignupWaiting {
				if su.Position, err = waitingPosition(ctx, tx, *su); err != nil {
					return err
				}
			}
			if err := s.noticeTx(ctx, tx, place.notice(EventMailAgain, e, *su), msg); err != nil {
				return err
			}
			return auditTx(ctx, tx, AuditEntry{Action: "signup.again", ObjectType: "event_signup", ObjectID: su.ID,
				OrgID: e.OrgID, Detail: map[string]any{"event": e.ID}})
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		su.ID, su.EventID, su.CreatedAt = NewID(), e.ID, now
		su.Status, su.Position = SignupConfirmed, 0
		if e.Full() {
			su.Status, su.Position = SignupWaiting, e.Counts.Waiting+1
		}
		kind := EventMailConfirmed
		if su.Status == SignupWaiting {
			kind = EventMailWaiting
		}
		m, hash, err := msg(place.notice(kind, e, *su))
		if err != nil {
			return err
		}
		if hash == "" {
			return errors.New("store: the first message of a sign-up carries its link")
		}
		name, err := s.seal("event_signups", "name", su.ID, su.Name)
		if err != nil {
			return err
		}
		contact, err := s.seal("event_signups", "contact", su.ID, su.Contact)
		if err != nil {
			return err
		}
		// The order of the waiting list: one more than the last sign-up's
		// (the event's row is held, so no two sign-ups get one number).
		if _, err := tx.ExecContext(ctx, `INSERT INTO event_signups (id, event_id, seq, status, name, contact_kind, contact,
			contact_index, lang, consent_version, token_hash, created_at) VALUES ($1, $2,
			(SELECT COALESCE(MAX(seq), 0) + 1 FROM event_signups WHERE event_id = $2), $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			su.ID, su.EventID, su.Status, name, su.ContactKind, contact, idx, su.Lang, su.ConsentVersion, hash, now); err != nil {
			return err
		}
		m.Ref = SignupRef(su.ID)
		if _, err := s.EnqueueMailTx(ctx, tx, m); err != nil {
			return err
		}
		return auditTx(ctx, tx, AuditEntry{Action: "signup.create", ObjectType: "event_signup", ObjectID: su.ID,
			OrgID: e.OrgID, Detail: map[string]any{"event": e.ID, "status": su.Status}})
	})
}

func cmpErr(err, def error) error {
	if err != nil {
		return err
	}
	return def
}

// signupIndex is the keyed hash a sign-up's contact is looked up by.
func (s *Store) signupIndex(kind, contact string) (string, error) {
	if s.keys == nil {
		return "", ErrNoKeys
	}
	return s.keys.Index("signup-contact:"+kind, contact), nil
}

// waitingPosition is a waiting sign-up's place on its event's list.
func waitingPosition(ctx context.Context, q querier, su Signup) (int, error) {
	var n int64
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM event_signups WHERE event_id = $1 AND status = 'waiting'
		AND seq <= (SELECT seq FROM event_signups WHERE id = $2)`, su.EventID, su.ID).Scan(&n)
	return int(n), err
}

// eventPlace is where an event is, for its messages.
type eventPlace struct {
	org   string
	venue domain.Venue
	room  string
}

func (p eventPlace) notice(kind string, e Event, su Signup) EventNotice {
	return EventNotice{Kind: kind, Event: e, Signup: su, OrgName: p.org, Venue: p.venue, RoomName: p.room}
}

func (s *Store) eventPlace(ctx context.Context, q querier, e Event) (eventPlace, error) {
	var p eventPlace
	if err := q.QueryRowContext(ctx, `SELECT name FROM organisations WHERE id = $1`, e.OrgID).Scan(&p.org); err != nil {
		return p, err
	}
	if e.VenueID != "" {
		v, err := scanVenue(q.QueryRowContext(ctx, `SELECT `+venueColumns+` FROM venues WHERE id = $1`, e.VenueID))
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return p, err
		}
		if err == nil {
			p.venue = v
		}
	}
	if e.RoomID != "" {
		err := q.QueryRowContext(ctx, `SELECT name FROM rooms WHERE id = $1`, e.RoomID).Scan(&p.room)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return p, err
		}
	}
	return p, nil
}

// noticeTx composes and enqueues one message to a person signed up, with
// the ref of the sign-up, and keeps the hash of a new link it carries.
func (s *Store) noticeTx(ctx context.Context, tx *sql.Tx, n EventNotice, msg EventMessenger) error {
	if msg == nil {
		return errors.New("store: no messenger for the message to a person signed up")
	}
	m, hash, err := msg(n)
	if err != nil {
		return err
	}
	if hash != "" {
		if err := execOne(ctx, tx, `UPDATE event_signups SET link_hash = $2 WHERE id = $1`, n.Signup.ID, hash); err != nil {
			return err
		}
	}
	m.Ref = SignupRef(n.Signup.ID)
	_, err = s.EnqueueMailTx(ctx, tx, m)
	return err
}

// noticeAllTx sends a message of kind to everyone signed up for e, with a
// place or waiting; resetReminder lets the reminder go again (a new time).
func (s *Store) noticeAllTx(ctx context.Context, tx *sql.Tx, e Event, kind string, now time.Time, msg EventMessenger,
	resetReminder bool) (int, error) {
	sus, err := s.querySignups(ctx, tx, `event_id = $1`, e.ID)
	if err != nil || len(sus) == 0 {
		return 0, err
	}
	positions(sus)
	place, err := s.eventPlace(ctx, tx, e)
	if err != nil {
		return 0, err
	}
	for _, su := range sus {
		if err := s.noticeTx(ctx, tx, place.notice(kind, e, su), msg); err != nil {
			return 0, err
		}
	}
	if resetReminder {
		if _, err := tx.ExecContext(ctx, `UPDATE event_signups SET reminded_at = NULL WHERE event_id = $1`, e.ID); err != nil {
			return 0, err
		}
	}
	return len(sus), nil
}

// moveUpTx gives the free places of e to the waiting people, first come
// first served, each with a message (EventMailMovedUp); it returns how
// many moved up. The caller holds the event's row.
func (s *Store) moveUpTx(ctx context.Context, tx *sql.Tx, e *Event, now time.Time, msg EventMessenger) (int, error) {
	if e.Status != EventScheduled || !now.Before(e.StartsAt) {
		return 0, nil
	}
	var confirmed int64
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM event_signups WHERE event_id = $1 AND status = 'confirmed'`,
		e.ID).Scan(&confirmed); err != nil {
		return 0, err
	}
	where := `event_id = $1 AND status = 'waiting' ORDER BY seq`
	args := []any{e.ID}
	if e.Capacity > 0 {
		free := e.Capacity - int(confirmed)
		if free <= 0 {
			return 0, nil
		}
		where += ` LIMIT $2`
		args = append(args, free)
	}
	rows, err := tx.QueryContext(ctx, `SELECT id FROM event_signups WHERE `+where, args...)
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
	if err := rows.Err(); err != nil || len(ids) == 0 {
		return 0, err
	}
	place, err := s.eventPlace(ctx, tx, *e)
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		if err := execOne(ctx, tx, `UPDATE event_signups SET status = 'confirmed', moved_up_at = $2 WHERE id = $1`,
			id, now); err != nil {
			return 0, err
		}
		sus, err := s.querySignups(ctx, tx, `id = $1`, id)
		if err != nil || len(sus) == 0 {
			return 0, cmpErr(err, ErrNotFound)
		}
		if err := s.noticeTx(ctx, tx, place.notice(EventMailMovedUp, *e, sus[0]), msg); err != nil {
			return 0, err
		}
		if err := auditTx(ctx, tx, AuditEntry{Action: "signup.move_up", ObjectType: "event_signup", ObjectID: id,
			OrgID: e.OrgID, Detail: map[string]any{"event": e.ID}}); err != nil {
			return 0, err
		}
	}
	e.Counts.Confirmed += len(ids)
	e.Counts.Waiting -= len(ids)
	return len(ids), nil
}

// SignupByToken returns the sign-up of a link (the SHA-256 of its token:
// the first link or the newest one) and its event: the person reading
// their own sign-up, so no audit row.
func (s *Store) SignupByToken(ctx context.Context, tokenHash string) (Signup, Event, error) {
	if tokenHash == "" {
		return Signup{}, Event{}, ErrNotFound
	}
	sus, err := s.querySignups(ctx, s.read, `token_hash = $1 OR link_hash = $1`, tokenHash)
	if err != nil || len(sus) == 0 {
		return Signup{}, Event{}, cmpErr(err, ErrNotFound)
	}
	su := sus[0]
	if su.Status == SignupWaiting {
		if su.Position, err = waitingPosition(ctx, s.read, su); err != nil {
			return su, Event{}, err
		}
	}
	e, err := eventWhere(ctx, s.read, `e.id = $1`, su.EventID)
	return su, e, err
}

// CancelSignup is the person's cancellation by their link: see
// cancelSignupTx. It records signup.cancel with by "person".
func (s *Store) CancelSignup(ctx context.Context, tokenHash string, now time.Time, msg EventMessenger) (Event, error) {
	if tokenHash == "" {
		return Event{}, ErrNotFound
	}
	return s.cancelSignup(ctx, `token_hash = $1 OR link_hash = $1`, tokenHash, "", now, msg, "person")
}

// StaffCancelSignup cancels a sign-up of the event on the person's behalf
// (they phoned): see cancelSignupTx. It records signup.cancel with by
// "staff".
func (s *Store) StaffCancelSignup(ctx context.Context, eventID, signupID string, now time.Time, msg EventMessenger) error {
	_, err := s.cancelSignup(ctx, `id = $1 AND event_id = $2`, signupID, eventID, now, msg, "staff")
	return err
}

// cancelSignup deletes a sign-up, in one transaction that holds the
// event's row: the row with its sealed name and contact, every message to
// the person in the outbox (ref "signup:<id>"), one more on the event's
// cancelled count, and, when the sign-up had a place, the first waiting
// person moves up with a message (moveUpTx).
func (s *Store) cancelSignup(ctx context.Context, where, a1, a2 string, now time.Time, msg EventMessenger, by string) (Event, error) {
	now = now.UTC().Truncate(time.Microsecond)
	var e Event
	err := s.tx(ctx, func(tx *sql.Tx) error {
		args := []any{a1}
		if a2 != "" {
			args = append(args, a2)
		}
		var id, eventID string
		err := tx.QueryRowContext(ctx, `SELECT id, event_id FROM event_signups WHERE `+where, args...).Scan(&id, &eventID)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		// The event first, then the sign-up again under its lock: two
		// cancellations of one event take turns.
		if e, err = s.lockedEvent(ctx, tx, eventID); err != nil {
			return err
		}
		var status string
		err = tx.QueryRowContext(ctx, `SELECT status FROM event_signups WHERE id = $1`, id).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE ref = $1`, SignupRef(id)); err != nil {
			return err
		}
		if err := execOne(ctx, tx, `DELETE FROM event_signups WHERE id = $1`, id); err != nil {
			return err
		}
		if err := execOne(ctx, tx, `UPDATE events SET cancelled_count = cancelled_count + 1 WHERE id = $1`, e.ID); err != nil {
			return err
		}
		e.Counts.Cancelled++
		if status == SignupConfirmed {
			e.Counts.Confirmed--
		} else {
			e.Counts.Waiting--
		}
		if err := auditTx(ctx, tx, AuditEntry{Action: "signup.cancel", ObjectType: "event_signup", ObjectID: id,
			OrgID: e.OrgID, Detail: map[string]any{"event": e.ID, "status": status, "by": by}}); err != nil {
			return err
		}
		if status == SignupConfirmed {
			_, err := s.moveUpTx(ctx, tx, &e, now, msg)
			return err
		}
		return nil
	})
	return e, err
}

// EventSignups lists the sign-ups of an event for staff — those with a
// place, then the waiting list in its order — with names and contacts
// opened, and records signup.list (how many, no personal data).
func (s *Store) EventSignups(ctx context.Context, eventID string) ([]Signup, error) {
	var out []Signup
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var org string
		err := tx.QueryRowContext(ctx, `SELECT organisation_id FROM events WHERE id = $1`, eventID).Scan(&org)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if out, err = s.querySignups(ctx, tx, `event_id = $1`, eventID); err != nil {
			return err
		}
		slices.SortStableFunc(out, func(a, b Signup) int {
			return map[string]int{SignupConfirmed: 0, SignupWaiting: 1}[a.Status] -
				map[string]int{SignupConfirmed: 0, SignupWaiting: 1}[b.Status]
		})
		positions(out)
		return auditTx(ctx, tx, AuditEntry{Action: "signup.list", ObjectType: "event", ObjectID: eventID, OrgID: org,
			Detail: map[string]any{"signups": len(out)}})
	})
	return out, err
}

// --- the events job ---

// EventRemindersDue lists the sign-ups whose reminder is due at now: with
// a place, not reminded, of an event that is scheduled, starts after now,
// and whose reminder time (EventReminderAt) has come; not those who signed
// up or moved up after that time (their message is fresh). IDs only.
func (s *Store) EventRemindersDue(ctx context.Context, now time.Time) ([]string, error) {
	now = now.UTC()
	es, err := queryEvents(ctx, s.read, `e.status = 'scheduled' AND e.starts_at > $1 AND e.starts_at < $2
		AND e.signups_deleted_at IS NULL`, `ORDER BY e.starts_at, e.id`, now, now.Add(50*time.Hour))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range es {
		at := EventReminderAt(e)
		if now.Before(at) {
			continue
		}
		rows, err := s.read.QueryContext(ctx, `SELECT id FROM event_signups WHERE event_id = $1 AND status = 'confirmed'
			AND reminded_at IS NULL AND created_at < $2 AND (moved_up_at IS NULL OR moved_up_at < $2)
			ORDER BY seq`, e.ID, at)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			out = append(out, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// RemindSignup sends one sign-up its reminder (EventMailReminder), in a
// transaction that checks again that it is due (see EventRemindersDue)
// and marks it reminded. It returns false, and sends nothing, when the
// reminder is no longer due (sent, cancelled, the event changed). It
// records signup.remind.
func (s *Store) RemindSignup(ctx context.Context, id string, now time.Time, msg EventMessenger) (bool, error) {
	now = now.UTC().Truncate(time.Microsecond)
	sent := false
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var eventID string
		err := tx.QueryRowContext(ctx, `SELECT event_id FROM event_signups WHERE id = $1`, id).Scan(&eventID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		e, err := s.lockedEvent(ctx, tx, eventID)
		if err != nil {
			return err
		}
		at := EventReminderAt(e)
		if e.Status != EventScheduled || !now.Before(e.StartsAt) || now.Before(at) || !e.SignupsDeletedAt.IsZero() {
			return nil
		}
		sus, err := s.querySignups(ctx, tx, `id = $1 AND status = 'confirmed' AND reminded_at IS NULL AND created_at < $2
			AND (moved_up_at IS NULL OR moved_up_at < $2)`, id, at)
		if err != nil || len(sus) == 0 {
			return err
		}
		place, err := s.eventPlace(ctx, tx, e)
		if err != nil {
			return err
		}
		if err := execOne(ctx, tx, `UPDATE event_signups SET reminded_at = $2 WHERE id = $1`, id, now); err != nil {
			return err
		}
		if err := s.noticeTx(ctx, tx, place.notice(EventMailReminder, e, sus[0]), msg); err != nil {
			return err
		}
		sent = true
		return auditTx(ctx, tx, AuditEntry{Action: "signup.remind", ObjectType: "event_signup", ObjectID: id,
			OrgID: e.OrgID, Detail: map[string]any{"event": e.ID}})
	})
	return sent, err
}

// EventsToPurge lists the events whose sign-ups are due for deletion at
// now: ended more than EventSignupRetention ago, sign-ups not deleted yet.
func (s *Store) EventsToPurge(ctx context.Context, now time.Time) ([]string, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id FROM events WHERE signups_deleted_at IS NULL AND ends_at <= $1
		ORDER BY ends_at, id`, now.UTC().Add(-EventSignupRetention))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// PurgeEventSignups deletes every sign-up of an event whose time has come
// (see EventsToPurge), in one transaction: the rows with their sealed
// names and contacts, every message to those people in the outbox (ref
// "signup:<id>", sent or not), and it writes the counts of places and
// waiting on the event row, with signups_deleted_at. It returns how many
// sign-ups it deleted (0, and nothing done, when the event is not due).
// It records signup.purge with the counts.
func (s *Store) PurgeEventSignups(ctx context.Context, eventID string, now time.Time) (int, error) {
	now = now.UTC().Truncate(time.Microsecond)
	n := 0
	err := s.tx(ctx, func(tx *sql.Tx) error {
		e, err := s.lockedEvent(ctx, tx, eventID)
		if err != nil {
			return err
		}
		if !e.SignupsDeletedAt.IsZero() || e.EndsAt.After(now.Add(-EventSignupRetention)) {
			return nil
		}
		rows, err := tx.QueryContext(ctx, `SELECT id FROM event_signups WHERE event_id = $1`, e.ID)
		if err != nil {
			return err
		}
		var ids []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE ref = $1`, SignupRef(id)); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM event_signups WHERE event_id = $1`, e.ID); err != nil {
			return err
		}
		if err := execOne(ctx, tx, `UPDATE events SET signed_up_count = $2, waiting_count = $3, signups_deleted_at = $4
			WHERE id = $1`, e.ID, e.Counts.Confirmed, e.Counts.Waiting, now); err != nil {
			return err
		}
		n = len(ids)
		return auditTx(ctx, tx, AuditEntry{Action: "signup.purge", ObjectType: "event", ObjectID: e.ID, OrgID: e.OrgID,
			Detail: map[string]any{"deleted": n, "confirmed": e.Counts.Confirmed, "waiting": e.Counts.Waiting,
				"cancelled": e.Counts.Cancelled}})
	})
	return n, err
}
