package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/fellesrom/fellesrom/internal/domain"
)

// Forming a closed group from the pool (DOMAIN.md section 3, steps 4–6).
//
//	FormGroup ──▶ invitations (pending) ──AnswerInvitation──▶ accepted / declined (back to the pool)
//	    │                                   (T's retention job: pending past the deadline ─▶ expired)
//	    └──StartGroup (accepted ≥ needed)──▶ room booked, starter assigned, group "starting",
//	                                          accepted → placed, pending → withdrawn (back to the pool)
//	HandOver ──▶ group "running"; FormGroup on a running group re-forms it (a new round)
//
// Each step is one transaction: the rows, the enquiries' status changes
// (with their history and statistics), the mails to the people, and the
// audit rows commit together or not at all. A person who asked for "not in
// my own municipality" is never invited to, nor placed in, a group that
// meets there in person: FormGroup and StartGroup refuse it
// (ErrOwnMunicipality), whatever the page checked before.

// Statuses of an invitation.
const (
	InvitationPending   = "pending"
	InvitationAccepted  = "accepted"
	InvitationDeclined  = "declined"
	InvitationExpired   = "expired"
	InvitationWithdrawn = "withdrawn"
)

// Reasons (codes) in an enquiry's history written here.
const (
	ReasonDeclined   = "declined"    // the person declined an invitation
	ReasonAccepted   = "accepted"    // the person accepted (the status stays invited)
	ReasonNotNeeded  = "not_needed"  // the group started without their answer
	ReasonPassedOn   = "passed_on"   // passed on to an organisation's contact, with consent
	ReasonInvitedTo  = "invited"     // invited to a group being formed
	ReasonPlacedIn   = "group_start" // placed: the group started
	DefaultNeeded    = 4             // accepts a new group needs to start
	DefaultFollowUp  = 4             // meetings before the follow-up reminder
	MaxStartupMinute = 8 * 60        // the longest start-up meeting
)

// Errors of the formation.
var (
	// ErrOwnMunicipality: a person who asked not to meet in their own
	// municipality would be invited to or placed in a group meeting there.
	ErrOwnMunicipality = errors.New("store: a person asked not to meet in their own municipality, where the group meets")
	// ErrFormation: the group cannot be formed, or started, in its state.
	ErrFormation = errors.New("store: the group cannot be formed or started in its state")
	// ErrNotEnoughAccepts: fewer people accepted than the group needs.
	ErrNotEnoughAccepts = errors.New("store: not enough people accepted to start the group")
	// ErrInvitationExpired: the invitation's deadline has passed.
	ErrInvitationExpired = errors.New("store: the invitation has expired")
	// ErrInvitationAnswered: the invitation is no longer open (answered,
	// withdrawn); the returned Invitation says how.
	ErrInvitationAnswered = errors.New("store: the invitation is no longer open")
)

// PersonError is ErrOwnMunicipality (or ErrEnquiryStatus, or a format the
// person does not take) about one enquiry, named by its ID only.
type PersonError struct {
	EnquiryID string
	Err       error
}

func (e *PersonError) Error() string { return fmt.Sprintf("enquiry %s: %v", e.EnquiryID, e.Err) }
func (e *PersonError) Unwrap() error { return e.Err }

// Formation is a closed group being formed from the pool: what it needs,
// where and when it meets, and its rounds.
type Formation struct {
	GroupID        string
	OrgID          string
	Needed         int       // accepts needed to start
	Municipality   string    // where it meets in person; "" for phone and video
	Format         string    // in_person, phone, video (EnquiryFormats)
	Slot           string    // the planned day and part of day; "" = not decided
	Deadline       time.Time // answers wanted by (of the current round)
	StartupAt      time.Time // the start-up meeting, once started
	StartupMinutes int
	RoomID         string
	StartedAt      time.Time // when the current round started the group; zero before
	Reformed       int       // the current round: 0 for the first, then one more for each re-forming
	CreatedBy      string
	CreatedAt      time.Time
}

// Invitation is one person's invitation to a group being formed. It holds
// no personal data: the person is their enquiry's ID.
type Invitation struct {
	ID         string
	GroupID    string
	EnquiryID  string // "" once the enquiry is deleted
	Status     string
	Round      int
	Deadline   time.Time
	CreatedAt  time.Time
	AnsweredAt time.Time
}

// FormationRequest is what FormGroup needs.
type FormationRequest struct {
	GroupID    string
	Needed     int    // 0: DefaultNeeded, or the number invited when fewer (a re-forming)
	Slot       string // "" or a valid slot
	Deadline   time.Time
	EnquiryIDs []string // the people invited: waiting enquiries of OrgIDs, 1 to 8
	// OrgIDs are the organisations whose enquiries the actor may invite;
	// an enquiry of another is ErrNotFound.
	OrgIDs []string
	// Message composes the mail (or text message) of one person's
	// invitation with its link's token; the store sets its Ref and
	// enqueues it in the same transaction.
	Message func(e Enquiry, token string) (OutboxMail, error)
}

// FormatOfGroup is how the matching names a group's format: a telephone
// group is "phone", a hybrid group meets in person too.
func FormatOfGroup(f domain.Format) string {
	switch f {
	case domain.FormatTelephone:
		return "phone"
	case domain.FormatVideo:
		return "video"
	}
	return "in_person"
}

// NewLinkToken returns a random token for a link (32 bytes, base64url) and
// the SHA-256 that the database keeps of it (LinkTokenHash).
func NewLinkToken() (token, hash string) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, LinkTokenHash(token)
}

// LinkTokenHash is what the database keeps of a link's token: its SHA-256
// in hex. A string that cannot be a token hashes to "".
func LinkTokenHash(token string) string {
	if len(token) != 43 {
		return ""
	}
	if _, err := base64.RawURLEncoding.DecodeString(token); err != nil {
		return ""
	}
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// groupForForming is what FormGroup and StartGroup read of a group.
type groupForForming struct {
	org, status, format, join, muni, intake string
}

func readGroupForForming(ctx context.Context, tx *sql.Tx, id string) (groupForForming, error) {
	var g groupForForming
	err := tx.QueryRowContext(ctx, `SELECT g.organisation_id, g.status, g.format, g.join_method,
		COALESCE(g.municipality_id, COALESCE(v.municipality_id, '')), m.intake
		FROM groups g JOIN group_models m ON m.id = g.model_id LEFT JOIN venues v ON v.id = g.venue_id
		WHERE g.id = $1`, id).Scan(&g.org, &g.status, &g.format, &g.join, &g.muni, &g.intake)
	if errors.Is(err, sql.ErrNoRows) {
		return g, ErrNotFound
	}
	return g, err
}

// FormableGroup reports whether a group can be formed from the pool: a
// group of a closed model (or joined through the house) that is planned or
// recruiting, or running (to re-form it).
func FormableGroup(g domain.Group, m domain.Model) bool {
	if g.Join != domain.JoinViaHouse && m.Intake != domain.IntakeClosed {
		return false
	}
	switch g.Status {
	case domain.StatusPlanned, domain.StatusRecruiting, domain.StatusRunning:
		return true
	}
	return false
}

const formationColumns = `group_id, organisation_id, needed, COALESCE(municipality_id, ''), format, slot, deadline,
	startup_at, startup_minutes, COALESCE(room_id, ''), started_at, reformed, created_by, created_at`

func scanFormation(sc interface{ Scan(...any) error }) (Formation, error) {
	var f Formation
	var startup, started sql.NullTime
	if err := sc.Scan(&f.GroupID, &f.OrgID, &f.Needed, &f.Municipality, &f.Format, &f.Slot, &f.Deadline, &startup,
		&f.StartupMinutes, &f.RoomID, &started, &f.Reformed, &f.CreatedBy, &f.CreatedAt); err != nil {
		return f, err
	}
	f.Deadline, f.CreatedAt = f.Deadline.UTC(), f.CreatedAt.UTC()
	if startup.Valid {
		f.StartupAt = startup.Time.UTC()
	}
	if started.Valid {
		f.StartedAt = started.Time.UTC()
	}
	return f, nil
}

// lockSuffix locks the rows a query reads until the transaction ends, on
// PostgreSQL; SQLite has one writer at a time anyway.
func (s *Store) lockSuffix() string {
	if s.engine == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// FormGroup invites people from the pool to a group being formed, in one
// transaction: the formation row (new, or a new round of a running group
// that re-forms, or more people for a round not yet started), one
// invitation per person with the SHA-256 of a new token, each enquiry moved
// to invited (waiting only), and each person's message with the token, in
// the outbox with ref "enquiry:<id>". It records formation.invite (counts
// and enquiry IDs, no personal data).
//
// It refuses (and changes nothing) a person who asked for "not in my own
// municipality" when the group meets in person there (a *PersonError with
// ErrOwnMunicipality), a person who does not take the group's format, an
// enquiry that is not waiting (ErrEnquiryStatus), an enquiry outside
// OrgIDs (ErrNotFound), and a group that is not formable (ErrFormation).
func (s *Store) FormGroup(ctx context.Context, req FormationRequest, now time.Time, ret Retention) (Formation, error) {
	now = now.UTC().Truncate(time.Microsecond)
	ids := distinct(req.EnquiryIDs)
	switch {
	case len(ids) == 0 || len(ids) > 8:
		return Formation{}, fmt.Errorf("%w: invite 1 to 8 people", ErrFormation)
	case req.Slot != "" && !ValidSlot(req.Slot):
		return Formation{}, fmt.Errorf("%w: unknown slot", ErrFormation)
	case !req.Deadline.After(now):
		return Formation{}, fmt.Errorf("%w: the deadline must be in the future", ErrFormation)
	case req.Needed < 0 || req.Needed > 8:
		return Formation{}, fmt.Errorf("%w: 1 to 8 accepts", ErrFormation)
	case req.Message == nil:
		return Formation{}, errors.New("store: FormGroup needs a Message")
	}
	var f Formation
	err := s.tx(ctx, func(tx *sql.Tx) error {
		g, err := readGroupForForming(ctx, tx, req.GroupID)
		if err != nil {
			return err
		}
		if domain.JoinMethod(g.join) != domain.JoinViaHouse && domain.Intake(g.intake) != domain.IntakeClosed {
			return fmt.Errorf("%w: not a closed group", ErrFormation)
		}
		format := FormatOfGroup(domain.Format(g.format))
		muni := ""
		if format == "in_person" {
			if muni = g.muni; muni == "" {
				return fmt.Errorf("%w: an in-person group needs a municipality", ErrFormation)
			}
		}
		old, err := scanFormation(tx.QueryRowContext(ctx, `SELECT `+formationColumns+` FROM group_formations
			WHERE group_id = $1`+s.lockSuffix(), req.GroupID))
		exists := err == nil
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		status := domain.Status(g.status)
		round := 0
		switch {
		case !exists && (status == domain.StatusPlanned || status == domain.StatusRecruiting):
		case exists && old.StartedAt.IsZero() && status != domain.StatusEnded && status != domain.StatusPaused:
			round = old.Reformed // more people for the round under way
		case exists && status == domain.StatusRunning:
			round = old.Reformed + 1 // re-forming: a new round
		default:
			return fmt.Errorf("%w: the group is %s", ErrFormation, status)
		}
		needed := req.Needed
		if needed == 0 {
			needed = DefaultNeeded
			if round > 0 {
				needed = len(ids)
			}
		}
		f = Formation{GroupID: req.GroupID, OrgID: g.org, Needed: needed, Municipality: muni, Format: format,
			Slot: req.Slot, Deadline: req.Deadline.UTC().Truncate(time.Microsecond), Reformed: round,
			CreatedBy: ActorOf(ctx).ID, CreatedAt: now}
		if exists {
			f.CreatedBy, f.CreatedAt = old.CreatedBy, old.CreatedAt
			if round == old.Reformed {
				f.StartupAt, f.StartupMinutes, f.RoomID = old.StartupAt, old.StartupMinutes, old.RoomID
			}
			if err := execOne(ctx, tx, `UPDATE group_formations SET needed = $2, municipality_id = $3, format = $4,
				slot = $5, deadline = $6, reformed = $7, started_at = NULL, startup_at = $8, startup_minutes = $9,
				room_id = $10 WHERE group_id = $1`, f.GroupID, f.Needed, nullString(f.Municipality), f.Format, f.Slot,
				f.Deadline, f.Reformed, nullTime(f.StartupAt), f.StartupMinutes, nullString(f.RoomID)); err != nil {
				return err
			}
			if round > old.Reformed {
				// A new round: kept for the reports, apart from the
				// invitations (which go with the people's data).
				if _, err := tx.ExecContext(ctx, `INSERT INTO group_reformings (group_id, round, began_at)
					VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, f.GroupID, round, now); err != nil {
					return err
				}
			}
		} else if _, err := tx.ExecContext(ctx, `INSERT INTO group_formations (group_id, organisation_id, needed,
			municipality_id, format, slot, deadline, reformed, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, f.GroupID, f.OrgID, f.Needed, nullString(f.Municipality),
			f.Format, f.Slot, f.Deadline, f.Reformed, f.CreatedBy, f.CreatedAt); err != nil {
			return err
		}
		for _, id := range ids {
			e, err := s.enquiryWhere(ctx, tx, `id = $1 AND status <> 'unconfirmed'`+s.lockSuffix(), id)
			if err != nil {
				return err
			}
			if !slices.Contains(req.OrgIDs, e.OrgID) {
				return ErrNotFound
			}
			if err := placeable(e, format, muni); err != nil {
				return err
			}
			if e.Status != EnquiryWaiting {
				return &PersonError{e.ID, ErrEnquiryStatus}
			}
			token, hash := NewLinkToken()
			if _, err := tx.ExecContext(ctx, `INSERT INTO group_invitations (id, group_id, enquiry_id, token_hash,
				status, deadline, created_at, round) VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7)`,
				NewID(), f.GroupID, e.ID, hash, f.Deadline, now, round); err != nil {
				return err
			}
			if err := s.setEnquiryStatusTx(ctx, tx, e.ID, StatusChange{To: EnquiryInvited, Reason: ReasonInvitedTo,
				GroupID: f.GroupID}, now, ret); err != nil {
				return err
			}
			m, err := req.Message(e, token)
			if err != nil {
				return err
			}
			m.Ref = "enquiry:" + e.ID
			if _, err := s.EnqueueMailTx(ctx, tx, m); err != nil {
				return err
			}
		}
		return auditTx(ctx, tx, AuditEntry{Action: "formation.invite", ObjectType: "group", ObjectID: f.GroupID,
			OrgID: f.OrgID, Detail: map[string]any{"round": round, "invited": len(ids), "needed": f.Needed,
				"enquiries": ids}})
	})
	if err != nil {
		return Formation{}, err
	}
	return f, nil
}

// placeable checks that the person e can take part in a group of format
// meeting in muni ("" for phone and video): they take the format, and,
// in person, they did not ask to meet outside their own municipality if
// it meets there.
func placeable(e Enquiry, format, muni string) error {
	if !slices.Contains(e.Formats, format) {
		return &PersonError{e.ID, fmt.Errorf("%w: the person does not take part in this format", ErrFormation)}
	}
	if format == "in_person" && e.NotOwnMunicipality && e.Municipality == muni {
		return &PersonError{e.ID, ErrOwnMunicipality}
	}
	return nil
}

// FormationOf returns the formation of a group, or ErrNotFound.
func (s *Store) FormationOf(ctx context.Context, groupID string) (Formation, error) {
	f, err := scanFormation(s.read.QueryRowContext(ctx, `SELECT `+formationColumns+` FROM group_formations
		WHERE group_id = $1`, groupID))
	if errors.Is(err, sql.ErrNoRows) {
		return f, ErrNotFound
	}
	return f, err
}

// Formations lists the formations of the organisations given, newest
// first. It reads no personal data.
func (s *Store) Formations(ctx context.Context, orgIDs []string) ([]Formation, error) {
	if len(orgIDs) == 0 {
		return nil, nil
	}
	args := make([]any, len(orgIDs))
	for i, o := range orgIDs {
		args[i] = o
	}
	return queryAll(ctx, s.read, scanFormation, `SELECT `+formationColumns+` FROM group_formations
		WHERE organisation_id IN (`+placeholders(1, len(orgIDs))+`) ORDER BY created_at DESC, group_id`, args...)
}

const invitationColumns = `id, group_id, COALESCE(enquiry_id, ''), status, round, deadline, created_at, answered_at`

func scanInvitation(sc interface{ Scan(...any) error }) (Invitation, error) {
	var iv Invitation
	var answered sql.NullTime
	if err := sc.Scan(&iv.ID, &iv.GroupID, &iv.EnquiryID, &iv.Status, &iv.Round, &iv.Deadline, &iv.CreatedAt,
		&answered); err != nil {
		return iv, err
	}
	iv.Deadline, iv.CreatedAt = iv.Deadline.UTC(), iv.CreatedAt.UTC()
	if answered.Valid {
		iv.AnsweredAt = answered.Time.UTC()
	}
	return iv, nil
}

// Invitations lists a group's invitations of every round, the latest
// round first, then in the order they were sent. It reads no personal data.
func (s *Store) Invitations(ctx context.Context, groupID string) ([]Invitation, error) {
	return queryAll(ctx, s.read, scanInvitation, `SELECT `+invitationColumns+` FROM group_invitations WHERE group_id = $1
		ORDER BY round DESC, created_at, id`, groupID)
}

// InvitationCounts counts the invitations of a round by status.
func InvitationCounts(ivs []Invitation, round int) map[string]int {
	out := map[string]int{}
	for _, iv := range ivs {
		if iv.Round == round {
			out[iv.Status]++
		}
	}
	return out
}

// InvitationByToken returns the invitation of a link (the SHA-256 of its
// token): the person reading their invitation; no audit row.
func (s *Store) InvitationByToken(ctx context.Context, tokenHash string) (Invitation, error) {
	if tokenHash == "" {
		return Invitation{}, ErrNotFound
	}
	iv, err := scanInvitation(s.read.QueryRowContext(ctx, `SELECT `+invitationColumns+` FROM group_invitations
		WHERE token_hash = $1`, tokenHash))
	if errors.Is(err, sql.ErrNoRows) {
		return iv, ErrNotFound
	}
	return iv, err
}

// AnswerInvitation is the person's answer by their link. Accepting keeps
// the enquiry invited (its history notes "accepted"); declining asks no
// reason and puts the person back in the pool (waiting, reason "declined",
// with their old waiting_since, so they keep their place). A pending
// invitation past its deadline is ErrInvitationExpired; one already
// answered or withdrawn is ErrInvitationAnswered, with the invitation.
// It records invitation.accept or invitation.decline.
func (s *Store) AnswerInvitation(ctx context.Context, tokenHash string, accept bool, now time.Time, ret Retention) (Invitation, error) {
	now = now.UTC().Truncate(time.Microsecond)
	var iv Invitation
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		iv, err = scanInvitation(tx.QueryRowContext(ctx, `SELECT `+invitationColumns+` FROM group_invitations
			WHERE token_hash = $1`+s.lockSuffix(), tokenHash))
		if errors.Is(err, sql.ErrNoRows) || tokenHash == "" {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		switch {
		case iv.Status == InvitationExpired || iv.Status == InvitationPending && !now.Before(iv.Deadline):
			return ErrInvitationExpired
		case iv.Status != InvitationPending:
			return ErrInvitationAnswered
		}
		to := InvitationDeclined
		if accept {
			to = InvitationAccepted
		}
		if err := execOne(ctx, tx, `UPDATE group_invitations SET status = $2, answered_at = $3
			WHERE id = $1 AND status = 'pending'`, iv.ID, to, now); err != nil {
			if errors.Is(err, ErrNotFound) {
				return ErrInvitationAnswered
			}
			return err
		}
		iv.Status, iv.AnsweredAt = to, now
		var org string
		if err := tx.QueryRowContext(ctx, `SELECT organisation_id FROM groups WHERE id = $1`, iv.GroupID).Scan(&org); err != nil {
			return err
		}
		// The enquiry follows only while it is invited to this group (the
		// person may have paused it, or staff closed it, meanwhile).
		var est, egroup string
		if err := tx.QueryRowContext(ctx, `SELECT status, COALESCE(group_id, '') FROM enquiries WHERE id = $1`,
			iv.EnquiryID).Scan(&est, &egroup); err != nil {
			return err
		}
		if EnquiryStatus(est) == EnquiryInvited && egroup == iv.GroupID {
			if accept {
				if err := enquiryHistory(ctx, tx, iv.EnquiryID, EnquiryInvited, ReasonAccepted, now); err != nil {
					return err
				}
			} else if err := s.setEnquiryStatusTx(ctx, tx, iv.EnquiryID, StatusChange{To: EnquiryWaiting,
				Reason: ReasonDeclined}, now, ret); err != nil {
				return err
			}
		}
		return auditTx(ctx, tx, AuditEntry{Action: "invitation." + map[bool]string{true: "accept", false: "decline"}[accept],
			ObjectType: "enquiry", ObjectID: iv.EnquiryID, OrgID: org, Detail: map[string]any{"group": iv.GroupID}})
	})
	return iv, err
}

// RoomBooking is a one-off booking of a room.
type RoomBooking struct {
	ID        string
	RoomID    string
	GroupID   string
	StartsAt  time.Time
	EndsAt    time.Time
	Purpose   string // startup, meeting, event, other
	Title     string // never personal data
	CreatedBy string
	CreatedAt time.Time
}

// ClashError is a booking refused because the room is taken: the bookings
// it overlaps.
type ClashError struct {
	Clashes []RoomBooking
}

func (e *ClashError) Error() string {
	return fmt.Sprintf("store: the room is booked already (%d overlapping booking(s))", len(e.Clashes))
}

const bookingColumns = `id, room_id, COALESCE(group_id, ''), starts_at, ends_at, purpose, title, created_by, created_at`

func scanBooking(sc interface{ Scan(...any) error }) (RoomBooking, error) {
	var b RoomBooking
	err := sc.Scan(&b.ID, &b.RoomID, &b.GroupID, &b.StartsAt, &b.EndsAt, &b.Purpose, &b.Title, &b.CreatedBy, &b.CreatedAt)
	b.StartsAt, b.EndsAt, b.CreatedAt = b.StartsAt.UTC(), b.EndsAt.UTC(), b.CreatedAt.UTC()
	return b, err
}

func queryBookings(ctx context.Context, q querier, where string, args ...any) ([]RoomBooking, error) {
	return queryAll(ctx, q, scanBooking, `SELECT `+bookingColumns+` FROM room_bookings WHERE `+where+
		` ORDER BY starts_at, id`, args...)
}

// RoomBookings lists the bookings of a room that end after from and start
// before to.
func (s *Store) RoomBookings(ctx context.Context, roomID string, from, to time.Time) ([]RoomBooking, error) {
	return queryBookings(ctx, s.read, `room_id = $1 AND ends_at > $2 AND starts_at < $3`, roomID, from.UTC(), to.UTC())
}

// GroupBookings lists the bookings made for a group.
func (s *Store) GroupBookings(ctx context.Context, groupID string) ([]RoomBooking, error) {
	return queryBookings(ctx, s.read, `group_id = $1`, groupID)
}

// StartRequest is what StartGroup needs.
type StartRequest struct {
	GroupID       string
	StartsAt      time.Time // the start-up meeting
	Minutes       int       // its length, 15 to MaxStartupMinute
	RoomID        string    // a room of the house; "" only for phone and video groups
	StarterID     string    // the starter (igangsetter) assigned
	FollowUpAfter int       // 0: DefaultFollowUp
	// Message composes the mail to one placed person (with the start-up
	// meeting's iCalendar invitation); the store sets its Ref and enqueues
	// it in the same transaction.
	Message func(e Enquiry, b RoomBooking) (OutboxMail, error)
}

// StartGroup starts a formed group, in one transaction, once at least
// Needed people of the current round accepted (else ErrNotEnoughAccepts):
// it books the room for the start-up meeting (refusing an overlap with a
// *ClashError), assigns the starter (starter_assignments), moves the group
// to "starting" (with its history entry), places the accepted people
// (delete_after = the start-up meeting + ret.Placed), withdraws the
// invitations still pending and puts those people back in the pool
// (reason "not_needed"), and enqueues each placed person's message. A
// person who asked for "not in my own municipality" is never placed in a
// group meeting there, whether by the group's municipality or the room's
// (*PersonError with ErrOwnMunicipality). It records formation.start.
func (s *Store) StartGroup(ctx context.Context, req StartRequest, now time.Time, ret Retention) error {
	now = now.UTC().Truncate(time.Microsecond)
	startsAt := req.StartsAt.UTC().Truncate(time.Microsecond)
	follow := req.FollowUpAfter
	if follow == 0 {
		follow = DefaultFollowUp
	}
	switch {
	case req.Minutes < 15 || req.Minutes > MaxStartupMinute:
		return fmt.Errorf("%w: the start-up meeting lasts 15 minutes to 8 hours", ErrFormation)
	case follow < 1 || follow > 20:
		return fmt.Errorf("%w: the follow-up comes after 1 to 20 meetings", ErrFormation)
	case req.StarterID == "":
		return fmt.Errorf("%w: a group starts with a starter", ErrFormation)
	case req.Message == nil:
		return errors.New("store: StartGroup needs a Message")
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		f, err := scanFormation(tx.QueryRowContext(ctx, `SELECT `+formationColumns+` FROM group_formations
			WHERE group_id = $1`+s.lockSuffix(), req.GroupID))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		g, err := readGroupForForming(ctx, tx, req.GroupID)
		if err != nil {
			return err
		}
		st := domain.Status(g.status)
		if !f.StartedAt.IsZero() || !(st == domain.StatusPlanned || st == domain.StatusRecruiting || st == domain.StatusRunning) {
			return fmt.Errorf("%w: the group is %s", ErrFormation, st)
		}
		ivs, err := queryInvitations(ctx, tx, `group_id = $1 AND round = $2`, f.GroupID, f.Reformed)
		if err != nil {
			return err
		}
		var accepted, pending []Invitation
		for _, iv := range ivs {
			switch iv.Status {
			case InvitationAccepted:
				accepted = append(accepted, iv)
			case InvitationPending:
				pending = append(pending, iv)
			}
		}
		// Only those still invited to this group count (a person may have
		// paused their enquiry since they accepted).
		placed := make([]Enquiry, 0, len(accepted))
		for _, iv := range accepted {
			e, err := s.enquiryWhere(ctx, tx, `id = $1`, iv.EnquiryID)
			if err != nil {
				return err
			}
			if e.Status == EnquiryInvited && e.GroupID == f.GroupID {
				placed = append(placed, e)
			}
		}
		if len(placed) < f.Needed || len(placed) == 0 {
			return ErrNotEnoughAccepts
		}
		// Where the start-up meeting is: the room's municipality, else the group's.
		muni := f.Municipality
		b := RoomBooking{RoomID: req.RoomID, GroupID: f.GroupID, StartsAt: startsAt,
			EndsAt: startsAt.Add(time.Duration(req.Minutes) * time.Minute), Purpose: "startup", CreatedAt: now}
		if req.RoomID != "" {
			var roomOrg, roomMuni string
			err := tx.QueryRowContext(ctx, `SELECT COALESCE(v.organisation_id, ''), v.municipality_id FROM rooms r
				JOIN venues v ON v.id = r.venue_id WHERE r.id = $1`, req.RoomID).Scan(&roomOrg, &roomMuni)
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			if err != nil {
				return err
			}
			if f.Format == "in_person" {
				muni = roomMuni
			}
		} else if f.Format == "in_person" {
			return fmt.Errorf("%w: an in-person group starts in a room", ErrFormation)
		}
		for _, e := range placed {
			if f.Format == "in_person" && e.NotOwnMunicipality && (e.Municipality == muni || e.Municipality == f.Municipality) {
				return &PersonError{e.ID, ErrOwnMunicipality}
			}
		}
		if req.RoomID != "" {
			// The one check against every booking and series of the room
			// (bookings.go): a clash is a *RoomClashError, which errors.As
			// also gives as a *ClashError.
			if err := s.bookOnceTx(ctx, tx, &b, BookingHolder{OrgID: f.OrgID}); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO starter_assignments (id, group_id, user_id, start_date,
			follow_up_after, created_at) VALUES ($1, $2, $3, $4, $5, $6)`, NewID(), f.GroupID, req.StarterID, startsAt,
			follow, now); err != nil {
			return err
		}
		if err := setGroupStatusTx(ctx, tx, f.GroupID, domain.StatusStarting, ReasonPlacedIn); err != nil {
			return err
		}
		for _, e := range placed {
			if err := s.setEnquiryStatusTx(ctx, tx, e.ID, StatusChange{To: EnquiryPlaced, Reason: ReasonPlacedIn,
				GroupID: f.GroupID}, now, ret); err != nil {
				return err
			}
			// Deleted Retention.Placed after the start-up meeting, not after now.
			if _, err := tx.ExecContext(ctx, `UPDATE enquiries SET delete_after = $2 WHERE id = $1`, e.ID,
				startsAt.Add(ret.Placed)); err != nil {
				return err
			}
			m, err := req.Message(e, b)
			if err != nil {
				return err
			}
			m.Ref = "enquiry:" + e.ID
			if _, err := s.EnqueueMailTx(ctx, tx, m); err != nil {
				return err
			}
		}
		for _, iv := range pending {
			if _, err := tx.ExecContext(ctx, `UPDATE group_invitations SET status = 'withdrawn' WHERE id = $1`, iv.ID); err != nil {
				return err
			}
			var est, egroup string
			if err := tx.QueryRowContext(ctx, `SELECT status, COALESCE(group_id, '') FROM enquiries WHERE id = $1`,
				iv.EnquiryID).Scan(&est, &egroup); err != nil {
				return err
			}
			if EnquiryStatus(est) != EnquiryInvited || egroup != f.GroupID {
				continue
			}
			if err := s.setEnquiryStatusTx(ctx, tx, iv.EnquiryID, StatusChange{To: EnquiryWaiting, Reason: ReasonNotNeeded},
				now, ret); err != nil {
				return err
			}
		}
		if err := execOne(ctx, tx, `UPDATE group_formations SET startup_at = $2, startup_minutes = $3, room_id = $4,
			started_at = $5 WHERE group_id = $1`, f.GroupID, startsAt, req.Minutes, nullString(req.RoomID), now); err != nil {
			return err
		}
		return auditTx(ctx, tx, AuditEntry{Action: "formation.start", ObjectType: "group", ObjectID: f.GroupID,
			OrgID: f.OrgID, Detail: map[string]any{"round": f.Reformed, "placed": len(placed), "withdrawn": len(pending),
				"room": req.RoomID, "starter": req.StarterID}})
	})
}

func queryInvitations(ctx context.Context, q querier, where string, args ...any) ([]Invitation, error) {
	return queryAll(ctx, q, scanInvitation, `SELECT `+invitationColumns+` FROM group_invitations WHERE `+where+
		` ORDER BY created_at, id`, args...)
}

// setGroupStatusTx changes a group's status inside tx the way SaveGroup
// does: the history entry with the reason, the audit row with what
// changed, and the directory's version.
//
// Like SaveGroup, it stamps the change with the wall clock (the group's
// history is ordered by it), not with the caller's now.
func setGroupStatusTx(ctx context.Context, tx *sql.Tx, id string, to domain.Status, reason string) error {
	now := utcNow()
	prev, err := scanGroup(tx.QueryRowContext(ctx, `SELECT `+groupColumns+` FROM groups WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	prevs := []domain.Group{prev}
	if err := fillGroupSets(ctx, tx, prevs, "WHERE group_id = $1", id); err != nil {
		return err
	}
	prev = prevs[0]
	if prev.Status == to {
		return nil
	}
	next := prev
	next.Status, next.UpdatedAt = to, now
	if err := execOne(ctx, tx, `UPDATE groups SET status = $2, updated_at = $3 WHERE id = $1`, id, string(to), now); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO group_status_history (group_id, status, reason, changed_at, changed_by)
		VALUES ($1, $2, $3, $4, $5)`, id, string(to), reason, now, ActorOf(ctx).ID); err != nil {
		return err
	}
	if err := auditChange(ctx, tx, "group", id, prev.OrgID, prev, next); err != nil {
		return err
	}
	return bumpDirectory(ctx, tx)
}

// StarterAssignment is a starter assigned to a group at its start.
type StarterAssignment struct {
	ID             string
	GroupID        string
	UserID         string
	StartDate      time.Time
	FollowUpAfter  int
	FollowUpSentAt time.Time
	HandedOverAt   time.Time
	CreatedAt      time.Time
}

const assignmentColumns = `id, group_id, user_id, start_date, follow_up_after, follow_up_sent_at, handed_over_at, created_at`

func scanAssignment(sc interface{ Scan(...any) error }) (StarterAssignment, error) {
	var a StarterAssignment
	var sent, handed sql.NullTime
	if err := sc.Scan(&a.ID, &a.GroupID, &a.UserID, &a.StartDate, &a.FollowUpAfter, &sent, &handed, &a.CreatedAt); err != nil {
		return a, err
	}
	a.StartDate, a.CreatedAt = a.StartDate.UTC(), a.CreatedAt.UTC()
	if sent.Valid {
		a.FollowUpSentAt = sent.Time.UTC()
	}
	if handed.Valid {
		a.HandedOverAt = handed.Time.UTC()
	}
	return a, nil
}

func queryAssignments(ctx context.Context, q querier, where string, args ...any) ([]StarterAssignment, error) {
	return queryAll(ctx, q, scanAssignment, `SELECT `+assignmentColumns+` FROM starter_assignments WHERE `+where+
		` ORDER BY created_at, id`, args...)
}

// StarterAssignments lists a group's starter assignments, oldest first
// (one per start: re-forming adds one).
func (s *Store) StarterAssignments(ctx context.Context, groupID string) ([]StarterAssignment, error) {
	return queryAssignments(ctx, s.read, `group_id = $1`, groupID)
}

// HandOver records that the starter handed the group over (the latest
// assignment) and moves the group from starting to running, with its
// history. A group that is not starting is ErrFormation. It records
// formation.handover.
func (s *Store) HandOver(ctx context.Context, groupID string, now time.Time) error {
	now = now.UTC().Truncate(time.Microsecond)
	return s.tx(ctx, func(tx *sql.Tx) error {
		var status, org string
		err := tx.QueryRowContext(ctx, `SELECT status, organisation_id FROM groups WHERE id = $1`+s.lockSuffix(), groupID).
			Scan(&status, &org)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if domain.Status(status) != domain.StatusStarting {
			return fmt.Errorf("%w: the group is %s", ErrFormation, status)
		}
		as, err := queryAssignments(ctx, tx, `group_id = $1 AND handed_over_at IS NULL`, groupID)
		if err != nil {
			return err
		}
		for _, a := range as {
			if _, err := tx.ExecContext(ctx, `UPDATE starter_assignments SET handed_over_at = $2 WHERE id = $1`, a.ID, now); err != nil {
				return err
			}
		}
		if err := setGroupStatusTx(ctx, tx, groupID, domain.StatusRunning, "handed_over"); err != nil {
			return err
		}
		return auditTx(ctx, tx, AuditEntry{Action: "formation.handover", ObjectType: "group", ObjectID: groupID, OrgID: org})
	})
}

// FollowUp is a starter assignment whose follow-up reminder is not sent
// and whose group is not handed over yet.
type FollowUp struct {
	StarterAssignment
	OrgID string
}

// PendingFollowUps lists the assignments still waiting for their
// follow-up reminder, of groups that are starting.
func (s *Store) PendingFollowUps(ctx context.Context) ([]FollowUp, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT a.id, a.group_id, a.user_id, a.start_date, a.follow_up_after,
		a.follow_up_sent_at, a.handed_over_at, a.created_at, g.organisation_id
		FROM starter_assignments a JOIN groups g ON g.id = a.group_id
		WHERE a.follow_up_sent_at IS NULL AND a.follow_up_done_at IS NULL AND a.handed_over_at IS NULL AND g.status = 'starting'
		ORDER BY a.start_date, a.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []FollowUp
	for rows.Next() {
		var f FollowUp
		var sent, handed sql.NullTime
		if err := rows.Scan(&f.ID, &f.GroupID, &f.UserID, &f.StartDate, &f.FollowUpAfter, &sent, &handed, &f.CreatedAt,
			&f.OrgID); err != nil {
			return nil, err
		}
		f.StartDate, f.CreatedAt = f.StartDate.UTC(), f.CreatedAt.UTC()
		out = append(out, f)
	}
	return out, rows.Err()
}

// SendFollowUp marks an assignment's follow-up reminder sent and enqueues
// its mails (to the starter and the coordinators), in one transaction; an
// assignment whose reminder was sent already is ErrNotFound, and nothing
// is enqueued. It records formation.follow_up.
func (s *Store) SendFollowUp(ctx context.Context, assignmentID string, mails []OutboxMail, now time.Time) error {
	now = now.UTC().Truncate(time.Microsecond)
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := execOne(ctx, tx, `UPDATE starter_assignments SET follow_up_sent_at = $2
			WHERE id = $1 AND follow_up_sent_at IS NULL`, assignmentID, now); err != nil {
			return err
		}
		var group, org string
		if err := tx.QueryRowContext(ctx, `SELECT a.group_id, g.organisation_id FROM starter_assignments a
			JOIN groups g ON g.id = a.group_id WHERE a.id = $1`, assignmentID).Scan(&group, &org); err != nil {
			return err
		}
		for _, m := range mails {
			if _, err := s.EnqueueMailTx(ctx, tx, m); err != nil {
				return err
			}
		}
		return auditTx(ctx, tx, AuditEntry{Action: "formation.follow_up", ObjectType: "group", ObjectID: group, OrgID: org,
			Detail: map[string]any{"mails": len(mails)}})
	})
}

// PassOnEnquiry passes an enquiry on to an organisation's contact with the
// person's consent (recorded by the staff user, the context's actor): it
// enqueues the mail m (with the person's first name and contact, to the
// organisation; ref "enquiry:<id>", so that it goes with the enquiry if
// that is deleted before it is sent) and closes the enquiry with reason
// "passed_on", in one transaction. It records enquiry.pass_on with the
// organisation, never the mail.
func (s *Store) PassOnEnquiry(ctx context.Context, id, toOrgID string, m OutboxMail, now time.Time, ret Retention) error {
	now = now.UTC().Truncate(time.Microsecond)
	return s.tx(ctx, func(tx *sql.Tx) error {
		var org string
		err := tx.QueryRowContext(ctx, `SELECT organisation_id FROM enquiries WHERE id = $1 AND status <> 'unconfirmed'`, id).
			Scan(&org)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if err := s.setEnquiryStatusTx(ctx, tx, id, StatusChange{To: EnquiryClosed, Reason: ReasonPassedOn}, now, ret); err != nil {
			return err
		}
		m.Ref = "enquiry:" + id
		if _, err := s.EnqueueMailTx(ctx, tx, m); err != nil {
			return err
		}
		return auditTx(ctx, tx, AuditEntry{Action: "enquiry.pass_on", ObjectType: "enquiry", ObjectID: id, OrgID: org,
			Detail: map[string]any{"to": toOrgID, "consent": true}})
	})
}

// EnquiryOrg is the organisation that handles an enquiry, without reading
// its personal data (and so without an audit row): what a page checks a
// user's rights against before it reads the enquiry. An unconfirmed
// enquiry is ErrNotFound, as for ReadEnquiry.
func (s *Store) EnquiryOrg(ctx context.Context, id string) (string, error) {
	var org string
	err := s.read.QueryRowContext(ctx, `SELECT organisation_id FROM enquiries WHERE id = $1 AND status <> 'unconfirmed'`,
		id).Scan(&org)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	return org, err
}
