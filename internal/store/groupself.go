package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fellesrom/fellesrom/internal/domain"
)

// Group self-service (issue 5, item 4): a group's contact person, who has no
// account, keeps the group's entry up to date through a private link: the
// group's status (meeting, paused, ended) and whether it takes new members
// (both through SaveGroup, with the actor GroupContactActor, so that they
// join the group's lifecycle history and audit log), the meetings held and
// the number present each month, and requests to the house for another
// room or time. Every change is in the audit log as an action on the group
// (object type "group"), with numbers and codes only.

// GroupContactActor is the actor of every change made through a group's
// private link.
const GroupContactActor = "group-contact"

func init() {
	sealedColumns = append(sealedColumns, sealedColumn{"group_requests", "id", "message"})
}

// GroupLinkRef is the outbox's ref of the mail that carries a group's
// link: a new link or a stopped one deletes such a mail not yet sent.
func GroupLinkRef(groupID string) string { return "grouplink:" + groupID }

// GroupLink is a group's private link, as the back office sees it: never
// the token, which only the mail carries.
type GroupLink struct {
	GroupID   string
	CreatedAt time.Time
	CreatedBy string // the staff user who sent it
}

// SetGroupLink gives the group a new private link whose token hashes to
// tokenHash, replacing the one it had (which stops working at once), and
// enqueues m, the mail that carries it, with the ref GroupLinkRef: all in one
// transaction, with a mail of an earlier link that is still waiting
// deleted. It records groupself.link_new or groupself.link_rotate.
func (s *Store) SetGroupLink(ctx context.Context, groupID, tokenHash string, m OutboxMail, now time.Time) error {
	if tokenHash == "" {
		return errors.New("a group link needs a token")
	}
	now = now.UTC().Truncate(time.Microsecond)
	return s.tx(ctx, func(tx *sql.Tx) error {
		org, err := groupOrgTx(ctx, tx, groupID)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE group_links SET token_hash = $2, created_at = $3, created_by = $4
			WHERE group_id = $1`, groupID, tokenHash, now, ActorOf(ctx).ID)
		if err != nil {
			return err
		}
		action := "groupself.link_rotate"
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			action = "groupself.link_new"
			if _, err := tx.ExecContext(ctx, `INSERT INTO group_links (group_id, token_hash, created_at, created_by)
				VALUES ($1, $2, $3, $4)`, groupID, tokenHash, now, ActorOf(ctx).ID); err != nil {
				return err
			}
		}
		if err := deleteWaitingMail(ctx, tx, GroupLinkRef(groupID)); err != nil {
			return err
		}
		m.Ref = GroupLinkRef(groupID)
		if _, err := s.EnqueueMailTx(ctx, tx, m); err != nil {
			return err
		}
		return auditTx(ctx, tx, AuditEntry{Action: action, ObjectType: "group", ObjectID: groupID, OrgID: org, At: now})
	})
}

// StopGroupLink removes a group's private link (it stops working at once)
// and a mail with it that is still waiting. It records groupself.link_stop;
// a group without a link is ErrNotFound.
func (s *Store) StopGroupLink(ctx context.Context, groupID string, now time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		org, err := groupOrgTx(ctx, tx, groupID)
		if err != nil {
			return err
		}
		if err := execOne(ctx, tx, `DELETE FROM group_links WHERE group_id = $1`, groupID); err != nil {
			return err
		}
		if err := deleteWaitingMail(ctx, tx, GroupLinkRef(groupID)); err != nil {
			return err
		}
		return auditTx(ctx, tx, AuditEntry{Action: "groupself.link_stop", ObjectType: "group", ObjectID: groupID, OrgID: org,
			At: now.UTC().Truncate(time.Microsecond)})
	})
}

// deleteWaitingMail deletes the mails with the ref that wait to be sent (a
// mail being sent right now is left alone).
func deleteWaitingMail(ctx context.Context, tx *sql.Tx, ref string) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE ref = $1 AND status = 'pending'`, ref)
	return err
}

func groupOrgTx(ctx context.Context, tx *sql.Tx, groupID string) (string, error) {
	var org string
	err := tx.QueryRowContext(ctx, `SELECT organisation_id FROM groups WHERE id = $1`, groupID).Scan(&org)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	return org, err
}

// GroupLinkOf returns the group's link, or ErrNotFound when it has none.
func (s *Store) GroupLinkOf(ctx context.Context, groupID string) (GroupLink, error) {
	l := GroupLink{GroupID: groupID}
	err := s.read.QueryRowContext(ctx, `SELECT created_at, created_by FROM group_links WHERE group_id = $1`, groupID).
		Scan(&l.CreatedAt, &l.CreatedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return l, ErrNotFound
	}
	l.CreatedAt = l.CreatedAt.UTC()
	return l, err
}

// GroupByLink returns the group whose link's token hashes to tokenHash, or
// ErrNotFound.
func (s *Store) GroupByLink(ctx context.Context, tokenHash string) (domain.Group, error) {
	var id string
	err := s.read.QueryRowContext(ctx, `SELECT group_id FROM group_links WHERE token_hash = $1`, tokenHash).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Group{}, ErrNotFound
	}
	if err != nil {
		return domain.Group{}, err
	}
	g, err := s.Group(ctx, id)
	if err == nil && g.ID != id {
		return domain.Group{}, ErrNotFound
	}
	return g, err
}

// --- monthly reports ---

// Limits of a monthly report: a group meets at most twice a day, and a
// month's count of people present is at most MaxReportPresent.
const (
	MaxReportMeetings = 62
	MaxReportPresent  = 500
	// ReportMonthsOpen is how many months a report may be written or
	// changed for: the current month and the ones before it.
	ReportMonthsOpen = 3
)

// GroupReport is what a group reports for a month: how many meetings it
// held and how many people took part (each counted once in the month).
type GroupReport struct {
	GroupID   string
	Month     string // "2026-02", in Europe/Oslo
	Meetings  int
	Present   int
	UpdatedAt time.Time
}

// GroupReportInput is a report for one month as the contact sends it;
// Remove takes a month's report away.
type GroupReportInput struct {
	Month             string
	Meetings, Present int
	Remove            bool
}

// ReportMonths are the months a group may report for at now: the current
// month in Europe/Oslo and the ReportMonthsOpen-1 before it, newest first.
func ReportMonths(now time.Time) []string {
	loc, err := time.LoadLocation(domain.DefaultTimeZone)
	if err != nil {
		loc = time.UTC
	}
	t := now.In(loc)
	first := time.Date(t.Year(), t.Month(), 1, 12, 0, 0, 0, loc)
	out := make([]string, 0, ReportMonthsOpen)
	for i := range ReportMonthsOpen {
		out = append(out, first.AddDate(0, -i, 0).Format("2006-01"))
	}
	return out
}

// ValidMonth reports whether m is a month written "YYYY-MM".
func ValidMonth(m string) bool {
	if len(m) != 7 {
		return false
	}
	_, err := time.Parse("2006-01", m)
	return err == nil
}

// ErrReportClosed is returned for a report of a month that can no longer
// (or not yet) be written.
var ErrReportClosed = errors.New("a report can be written only for the current month and the two before it")

// validReport checks the numbers of a report.
func validReport(r GroupReportInput) error {
	switch {
	case r.Meetings < 0 || r.Meetings > MaxReportMeetings:
		return fmt.Errorf("meetings held: from 0 to %d", MaxReportMeetings)
	case r.Present < 0 || r.Present > MaxReportPresent:
		return fmt.Errorf("people present: from 0 to %d", MaxReportPresent)
	case r.Meetings == 0 && r.Present > 0:
		return errors.New("people present without a meeting")
	}
	return nil
}

// SaveGroupReports writes a group's reports for the months in in (each month
// at most once), all or nothing: each must be one of ReportMonths(now). A
// report equal to the stored one changes nothing. Each month that changes
// is recorded as groupself.report (month, meetings, present, and the
// numbers before) or groupself.report_remove. It returns how many months
// changed.
func (s *Store) SaveGroupReports(ctx context.Context, groupID string, in []GroupReportInput, now time.Time) (int, error) {
	open := ReportMonths(now)
	seen := map[string]bool{}
	for _, r := range in {
		if !slices.Contains(open, r.Month) {
			return 0, ErrReportClosed
		}
		if seen[r.Month] {
			return 0, fmt.Errorf("the month %s twice", r.Month)
		}
		seen[r.Month] = true
		if !r.Remove {
			if err := validReport(r); err != nil {
				return 0, err
			}
		}
	}
	now = now.UTC().Truncate(time.Microsecond)
	changed := 0
	err := s.tx(ctx, func(tx *sql.Tx) error {
		changed = 0
		org, err := groupOrgTx(ctx, tx, groupID)
		if err != nil {
			return err
		}
		for _, r := range in {
			var had bool
			var meetings, present int
			err := tx.QueryRowContext(ctx, `SELECT meetings, present FROM group_reports WHERE group_id = $1 AND month = $2`,
				groupID, r.Month).Scan(&meetings, &present)
			switch {
			case err == nil:
				had = true
			case !errors.Is(err, sql.ErrNoRows):
				return err
			}
			e := AuditEntry{ObjectType: "group", ObjectID: groupID, OrgID: org, At: now}
			switch {
			case r.Remove && !had, !r.Remove && had && meetings == r.Meetings && present == r.Present:
				continue
			case r.Remove:
				if _, err := tx.ExecContext(ctx, `DELETE FROM group_reports WHERE group_id = $1 AND month = $2`,
					groupID, r.Month); err != nil {
					return err
				}
				e.Action = "groupself.report_remove"
				e.Detail = map[string]any{"month": r.Month, "was": []int{meetings, present}}
			case had:
				if _, err := tx.ExecContext(ctx, `UPDATE group_reports SET meetings = $3, present = $4, updated_at = $5
					WHERE group_id = $1 AND month = $2`, groupID, r.Month, r.Meetings, r.Present, now); err != nil {
					return err
				}
				e.Action = "groupself.report"
				e.Detail = map[string]any{"month": r.Month, "meetings": r.Meetings, "present": r.Present,
					"was": []int{meetings, present}}
			default:
				if _, err := tx.ExecContext(ctx, `INSERT INTO group_reports (group_id, month, meetings, present, updated_at)
					VALUES ($1, $2, $3, $4, $5)`, groupID, r.Month, r.Meetings, r.Present, now); err != nil {
					return err
				}
				e.Action = "groupself.report"
				e.Detail = map[string]any{"month": r.Month, "meetings": r.Meetings, "present": r.Present}
			}
			if err := auditTx(ctx, tx, e); err != nil {
				return err
			}
			changed++
		}
		return nil
	})
	return changed, err
}

// GroupReports returns a group's reports, newest month first.
func (s *Store) GroupReports(ctx context.Context, groupID string) ([]GroupReport, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT group_id, month, meetings, present, updated_at FROM group_reports
		WHERE group_id = $1 ORDER BY month DESC`, groupID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []GroupReport
	for rows.Next() {
		var r GroupReport
		if err := rows.Scan(&r.GroupID, &r.Month, &r.Meetings, &r.Present, &r.UpdatedAt); err != nil {
			return nil, err
		}
		r.UpdatedAt = r.UpdatedAt.UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

// --- requests for another room or time ---

// The kinds of a group's request.
const (
	RequestRoom  = "room"  // another room
	RequestTime  = "time"  // another time
	RequestOther = "other" // something else about where or when
)

// RequestKinds are the kinds of a group's request, in the order a form
// offers them.
var RequestKinds = []string{RequestRoom, RequestTime, RequestOther}

// MaxRequestMessage is the longest message of a request, in characters.
const MaxRequestMessage = 1000

// GroupRequestRetention is how long a request is kept after the house
// marked it done.
const GroupRequestRetention = 90 * 24 * time.Hour

// GroupRequest is a group's request to its house.
type GroupRequest struct {
	ID        string
	GroupID   string
	OrgID     string // the group's organisation when it asked
	Kind      string // RequestRoom, RequestTime, RequestOther
	Message   string // sealed at rest
	CreatedAt time.Time
	DoneAt    time.Time // zero while open
	DoneBy    string
}

// CreateGroupRequest stores a group's request (r.GroupID, r.Kind and
// r.Message; the rest is set) and enqueues mails, the notices to the
// house's coordinators, in one transaction. It records groupself.request
// with the kind, never the message.
func (s *Store) CreateGroupRequest(ctx context.Context, r *GroupRequest, mails []OutboxMail, now time.Time) error {
	r.Message = strings.TrimSpace(r.Message)
	switch {
	case !slices.Contains(RequestKinds, r.Kind):
		return fmt.Errorf("unknown kind of request %q", r.Kind)
	case r.Message == "":
		return errors.New("a request needs a message")
	case utf8.RuneCountInString(r.Message) > MaxRequestMessage:
		return fmt.Errorf("a request's message has at most %d characters", MaxRequestMessage)
	}
	r.ID = NewID()
	r.CreatedAt = now.UTC().Truncate(time.Microsecond)
	r.DoneAt, r.DoneBy = time.Time{}, ""
	sealed, err := s.seal("group_requests", "message", r.ID, r.Message)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		org, err := groupOrgTx(ctx, tx, r.GroupID)
		if err != nil {
			return err
		}
		r.OrgID = org
		if _, err := tx.ExecContext(ctx, `INSERT INTO group_requests (id, group_id, organisation_id, kind, message, created_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, r.ID, r.GroupID, org, r.Kind, sealed, r.CreatedAt); err != nil {
			return err
		}
		for _, m := range mails {
			if _, err := s.EnqueueMailTx(ctx, tx, m); err != nil {
				return err
			}
		}
		return auditTx(ctx, tx, AuditEntry{Action: "groupself.request", ObjectType: "group", ObjectID: r.GroupID, OrgID: org,
			At: r.CreatedAt, Detail: map[string]any{"kind": r.Kind, "request": r.ID}})
	})
}

// GroupRequestFilter selects requests.
type GroupRequestFilter struct {
	// OrgIDs are the organisations whose requests are listed; nil lists
	// every organisation's, an empty non-nil slice none.
	OrgIDs  []string
	GroupID string // "" for every group
}

const groupRequestColumns = `id, group_id, organisation_id, kind, message, created_at, done_at, done_by`

func (s *Store) scanGroupRequest(sc interface{ Scan(...any) error }) (GroupRequest, error) {
	var r GroupRequest
	var done sql.NullTime
	if err := sc.Scan(&r.ID, &r.GroupID, &r.OrgID, &r.Kind, &r.Message, &r.CreatedAt, &done, &r.DoneBy); err != nil {
		return r, err
	}
	r.CreatedAt = r.CreatedAt.UTC()
	if done.Valid {
		r.DoneAt = done.Time.UTC()
	}
	var err error
	r.Message, err = s.open("group_requests", "message", r.ID, r.Message)
	return r, err
}

// GroupRequests returns the requests f selects: the open ones first, each
// part newest first.
func (s *Store) GroupRequests(ctx context.Context, f GroupRequestFilter) ([]GroupRequest, error) {
	if f.OrgIDs != nil && len(f.OrgIDs) == 0 {
		return nil, nil
	}
	var where []string
	var args []any
	if f.OrgIDs != nil {
		where = append(where, "organisation_id IN ("+placeholders(1, len(f.OrgIDs))+")")
		for _, id := range f.OrgIDs {
			args = append(args, id)
		}
	}
	if f.GroupID != "" {
		args = append(args, f.GroupID)
		where = append(where, fmt.Sprintf("group_id = $%d", len(args)))
	}
	q := `SELECT ` + groupRequestColumns + ` FROM group_requests`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += ` ORDER BY CASE WHEN done_at IS NULL THEN 0 ELSE 1 END, created_at DESC, id`
	rows, err := s.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []GroupRequest
	for rows.Next() {
		r, err := s.scanGroupRequest(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// GroupRequestByID returns one request, or ErrNotFound.
func (s *Store) GroupRequestByID(ctx context.Context, id string) (GroupRequest, error) {
	r, err := s.scanGroupRequest(s.read.QueryRowContext(ctx, `SELECT `+groupRequestColumns+` FROM group_requests WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNotFound
	}
	return r, err
}

// SetGroupRequestDone marks a request done (by the context's actor) or open
// again, and records groupself.request_done or groupself.request_reopen
// on the group. A request already in that state is left alone, and
// ErrNotFound is returned for it as for one that does not exist.
func (s *Store) SetGroupRequestDone(ctx context.Context, id string, done bool, now time.Time) error {
	now = now.UTC().Truncate(time.Microsecond)
	return s.tx(ctx, func(tx *sql.Tx) error {
		var group, org string
		if err := tx.QueryRowContext(ctx, `SELECT group_id, organisation_id FROM group_requests WHERE id = $1`, id).
			Scan(&group, &org); errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		} else if err != nil {
			return err
		}
		action := "groupself.request_done"
		if done {
			if err := execOne(ctx, tx, `UPDATE group_requests SET done_at = $2, done_by = $3 WHERE id = $1 AND done_at IS NULL`,
				id, now, ActorOf(ctx).ID); err != nil {
				return err
			}
		} else {
			action = "groupself.request_reopen"
			if err := execOne(ctx, tx, `UPDATE group_requests SET done_at = NULL, done_by = '' WHERE id = $1 AND done_at IS NOT NULL`,
				id); err != nil {
				return err
			}
		}
		return auditTx(ctx, tx, AuditEntry{Action: action, ObjectType: "group", ObjectID: group, OrgID: org, At: now,
			Detail: map[string]any{"request": id}})
	})
}

// PurgeGroupRequests deletes the requests marked done more than
// GroupRequestRetention before now, and returns how many.
func (s *Store) PurgeGroupRequests(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM group_requests WHERE done_at IS NOT NULL AND done_at < $1`,
		now.UTC().Add(-GroupRequestRetention))
	if err != nil {
		return 0, fmt.Errorf("purge group requests: %w", err)
	}
	return res.RowsAffected()
}

// RequestRecipients are the e-mail addresses that a group's request is
// sent to: the coordinators of the group's organisation (enabled users),
// or, if it has none, of the nearest organisation above it that has some.
// None at all is an empty list: the request still waits in the back office.
func (s *Store) RequestRecipients(ctx context.Context, groupID string) ([]string, error) {
	var org string
	err := s.read.QueryRowContext(ctx, `SELECT organisation_id FROM groups WHERE id = $1`, groupID).Scan(&org)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for org != "" && !seen[org] {
		seen[org] = true
		rows, err := s.read.QueryContext(ctx, `SELECT DISTINCT u.email FROM users u JOIN memberships m ON m.user_id = u.id
			WHERE m.organisation_id = $1 AND m.role = 'coordinator' AND NOT u.disabled ORDER BY u.email`, org)
		if err != nil {
			return nil, err
		}
		var out []string
		for rows.Next() {
			var e string
			if err := rows.Scan(&e); err != nil {
				rows.Close()
				return nil, err
			}
			out = append(out, e)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		if len(out) > 0 {
			return out, nil
		}
		var parent sql.NullString
		if err := s.read.QueryRowContext(ctx, `SELECT parent_id FROM organisations WHERE id = $1`, org).Scan(&parent); err != nil {
			return nil, err
		}
		org = parent.String
	}
	return []string{}, nil
}
