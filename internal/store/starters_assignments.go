package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/fellesrom/fellesrom/internal/domain"
)

// A starter's assignments to groups, as the starters' pages see them:
// formation.go's StarterAssignment (made when a group starts, or here by a
// coordinator) with the planned follow-up and hand-over dates, when the
// starter marked the follow-up done, and the group's organisation and
// status. Handing over a group that is starting goes through formation.go's
// HandOver, which hands over every open assignment of the group and moves
// the group to running.

// Assignment is a starter's assignment to a group.
type Assignment struct {
	StarterAssignment
	FollowUpOn     string    // the planned follow-up, YYYY-MM-DD; "" = not planned
	HandOverOn     string    // the planned hand-over, YYYY-MM-DD; "" = not planned
	FollowUpDoneAt time.Time // when the starter marked the follow-up done
	OrgID          string    // the group's organisation
	GroupStatus    domain.Status
}

// Open reports whether the assignment is still under way: not handed
// over, and its group has not ended.
func (a Assignment) Open() bool {
	return a.HandedOverAt.IsZero() && a.GroupStatus != domain.StatusEnded
}

const assignmentDetailColumns = `a.id, a.group_id, a.user_id, a.start_date, a.follow_up_after, a.follow_up_sent_at,
	a.handed_over_at, a.created_at, a.follow_up_on, a.hand_over_on, a.follow_up_done_at, g.organisation_id, g.status`

func scanAssignmentDetail(sc interface{ Scan(...any) error }) (Assignment, error) {
	var a Assignment
	var sent, handed, done sql.NullTime
	var status string
	if err := sc.Scan(&a.ID, &a.GroupID, &a.UserID, &a.StartDate, &a.FollowUpAfter, &sent, &handed, &a.CreatedAt,
		&a.FollowUpOn, &a.HandOverOn, &done, &a.OrgID, &status); err != nil {
		return a, err
	}
	a.StartDate, a.CreatedAt, a.GroupStatus = a.StartDate.UTC(), a.CreatedAt.UTC(), domain.Status(status)
	for _, x := range []struct {
		n *sql.NullTime
		t *time.Time
	}{{&sent, &a.FollowUpSentAt}, {&handed, &a.HandedOverAt}, {&done, &a.FollowUpDoneAt}} {
		if x.n.Valid {
			*x.t = x.n.Time.UTC()
		}
	}
	return a, nil
}

func queryAssignmentDetails(ctx context.Context, q querier, where string, args ...any) ([]Assignment, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+assignmentDetailColumns+` FROM starter_assignments a
		JOIN groups g ON g.id = a.group_id WHERE `+where+` ORDER BY a.start_date DESC, a.created_at DESC, a.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Assignment
	for rows.Next() {
		a, err := scanAssignmentDetail(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// The open ones first, each part newest first.
	slices.SortStableFunc(out, func(a, b Assignment) int {
		switch {
		case a.Open() == b.Open():
			return 0
		case a.Open():
			return -1
		}
		return 1
	})
	return out, nil
}

// Assignment returns one assignment, or ErrNotFound. It reads no personal data.
func (s *Store) Assignment(ctx context.Context, id string) (Assignment, error) {
	as, err := queryAssignmentDetails(ctx, s.read, `a.id = $1`, id)
	if err != nil {
		return Assignment{}, err
	}
	if len(as) == 0 {
		return Assignment{}, ErrNotFound
	}
	return as[0], nil
}

// AssignmentsOfUser lists a starter's own assignments: the open ones
// first, each part newest first. It reads no personal data.
func (s *Store) AssignmentsOfUser(ctx context.Context, userID string) ([]Assignment, error) {
	if userID == "" {
		return nil, nil
	}
	return queryAssignmentDetails(ctx, s.read, `a.user_id = $1`, userID)
}

// AssignmentFilter selects assignments for a coordinator's list.
type AssignmentFilter struct {
	OrgIDs []string // the organisations whose groups are listed (required: nil lists nothing)
	UserID string   // only this starter's
	Open   bool     // only those under way
}

// Assignments lists the assignments to the groups of f.OrgIDs: the open
// ones first, each part newest first. It reads no personal data.
func (s *Store) Assignments(ctx context.Context, f AssignmentFilter) ([]Assignment, error) {
	if len(f.OrgIDs) == 0 {
		return nil, nil
	}
	args := make([]any, 0, len(f.OrgIDs)+1)
	for _, o := range f.OrgIDs {
		args = append(args, o)
	}
	where := `g.organisation_id IN (` + placeholders(1, len(f.OrgIDs)) + `)`
	if f.UserID != "" {
		args = append(args, f.UserID)
		where += fmt.Sprintf(" AND a.user_id = $%d", len(args))
	}
	if f.Open {
		where += ` AND a.handed_over_at IS NULL AND g.status <> 'ended'`
	}
	return queryAssignmentDetails(ctx, s.read, where, args...)
}

// AssignRequest is what AssignStarter needs.
type AssignRequest struct {
	GroupID       string
	UserID        string    // the starter's account
	StartDate     time.Time // when the starter starts with the group
	FollowUpAfter int       // meetings before the follow-up reminder; 0: DefaultFollowUp
	FollowUpOn    string    // planned follow-up, YYYY-MM-DD or ""
	HandOverOn    string    // planned hand-over, YYYY-MM-DD or ""
}

// AssignStarter assigns a starter to a group by hand (a second starter, or
// a group not formed from the pool; StartGroup assigns one when a group
// starts). The group must be planned, recruiting, starting or running; the
// account must be enabled and have the starter role in the group's
// organisation or above it (as for StartGroup's choice of starter); a
// starter with an open assignment to the group already is refused. Each is
// ErrAssignment. It records assignment.create.
func (s *Store) AssignStarter(ctx context.Context, req AssignRequest, now time.Time) (Assignment, error) {
	now = now.UTC().Truncate(time.Microsecond)
	follow := req.FollowUpAfter
	if follow == 0 {
		follow = DefaultFollowUp
	}
	switch {
	case follow < 1 || follow > 20:
		return Assignment{}, fmt.Errorf("%w: the follow-up comes after 1 to 20 meetings", ErrAssignment)
	case req.StartDate.IsZero():
		return Assignment{}, fmt.Errorf("%w: an assignment needs a start date", ErrAssignment)
	}
	if err := validPlan(req.FollowUpOn, req.HandOverOn); err != nil {
		return Assignment{}, err
	}
	var id string
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var org, status string
		err := tx.QueryRowContext(ctx, `SELECT organisation_id, status FROM groups WHERE id = $1`+s.lockSuffix(), req.GroupID).
			Scan(&org, &status)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		switch domain.Status(status) {
		case domain.StatusPlanned, domain.StatusRecruiting, domain.StatusStarting, domain.StatusRunning:
		default:
			return fmt.Errorf("%w: the group is %s", ErrAssignment, status)
		}
		var disabled bool
		err = tx.QueryRowContext(ctx, `SELECT disabled FROM users WHERE id = $1`, req.UserID).Scan(&disabled)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if disabled {
			return fmt.Errorf("%w: the account is disabled", ErrAssignment)
		}
		ok, err := starterAbove(ctx, tx, req.UserID, org)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: not a starter of the group's organisation", ErrAssignment)
		}
		open, err := queryAssignmentDetails(ctx, tx, `a.group_id = $1 AND a.user_id = $2 AND a.handed_over_at IS NULL`,
			req.GroupID, req.UserID)
		if err != nil {
			return err
		}
		if len(open) > 0 {
			return fmt.Errorf("%w: the starter is assigned to the group already", ErrAssignment)
		}
		id = NewID()
		if _, err := tx.ExecContext(ctx, `INSERT INTO starter_assignments (id, group_id, user_id, start_date,
			follow_up_after, created_at, follow_up_on, hand_over_on) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			id, req.GroupID, req.UserID, req.StartDate.UTC().Truncate(time.Microsecond), follow, now, req.FollowUpOn,
			req.HandOverOn); err != nil {
			return err
		}
		return auditTx(ctx, tx, AuditEntry{Action: "assignment.create", ObjectType: "assignment", ObjectID: id, OrgID: org,
			Detail: map[string]any{"group": req.GroupID, "starter": req.UserID}})
	})
	if err != nil {
		return Assignment{}, err
	}
	return s.Assignment(ctx, id)
}

// starterAbove reports whether the user has the starter role in org or an
// organisation above it.
func starterAbove(ctx context.Context, tx *sql.Tx, userID, org string) (bool, error) {
	rows, err := tx.QueryContext(ctx, `SELECT organisation_id FROM memberships WHERE user_id = $1 AND role = 'starter'`, userID)
	if err != nil {
		return false, err
	}
	var orgs []string
	for rows.Next() {
		var o string
		if err := rows.Scan(&o); err != nil {
			rows.Close()
			return false, err
		}
		orgs = append(orgs, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return false, err
	}
	for seen := 0; org != "" && seen < 1000; seen++ {
		if slices.Contains(orgs, org) {
			return true, nil
		}
		var parent sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT parent_id FROM organisations WHERE id = $1`, org).Scan(&parent)
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		org = parent.String
	}
	return false, nil
}

func validPlan(followUpOn, handOverOn string) error {
	for _, d := range []string{followUpOn, handOverOn} {
		if d != "" && !ValidDate(d) {
			return fmt.Errorf("%w: the date %q is not YYYY-MM-DD", ErrAssignment, d)
		}
	}
	return nil
}

// PlanAssignment sets an assignment's planned follow-up and hand-over
// dates (YYYY-MM-DD, "" for none), and records assignment.plan with the
// names of what changed.
func (s *Store) PlanAssignment(ctx context.Context, id, followUpOn, handOverOn string) error {
	followUpOn, handOverOn = strings.TrimSpace(followUpOn), strings.TrimSpace(handOverOn)
	if err := validPlan(followUpOn, handOverOn); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		as, err := queryAssignmentDetails(ctx, tx, `a.id = $1`, id)
		if err != nil {
			return err
		}
		if len(as) == 0 {
			return ErrNotFound
		}
		a := as[0]
		if err := execOne(ctx, tx, `UPDATE starter_assignments SET follow_up_on = $2, hand_over_on = $3 WHERE id = $1`,
			id, followUpOn, handOverOn); err != nil {
			return err
		}
		var changed []string
		if a.FollowUpOn != followUpOn {
			changed = append(changed, "follow_up_on")
		}
		if a.HandOverOn != handOverOn {
			changed = append(changed, "hand_over_on")
		}
		return auditTx(ctx, tx, AuditEntry{Action: "assignment.plan", ObjectType: "assignment", ObjectID: id, OrgID: a.OrgID,
			Detail: map[string]any{"group": a.GroupID, "changed": changed}})
	})
}

// FollowUpDone records that the starter has made the follow-up contact
// with the group (a follow-up recorded already is ErrAssignmentDone), and
// records assignment.follow_up_done.
func (s *Store) FollowUpDone(ctx context.Context, id string, now time.Time) error {
	now = now.UTC().Truncate(time.Microsecond)
	return s.tx(ctx, func(tx *sql.Tx) error {
		as, err := queryAssignmentDetails(ctx, tx, `a.id = $1`, id)
		if err != nil {
			return err
		}
		if len(as) == 0 {
			return ErrNotFound
		}
		if err := execOne(ctx, tx, `UPDATE starter_assignments SET follow_up_done_at = $2
			WHERE id = $1 AND follow_up_done_at IS NULL`, id, now); err != nil {
			if errors.Is(err, ErrNotFound) {
				return ErrAssignmentDone
			}
			return err
		}
		return auditTx(ctx, tx, AuditEntry{Action: "assignment.follow_up_done", ObjectType: "assignment", ObjectID: id,
			OrgID: as[0].OrgID, Detail: map[string]any{"group": as[0].GroupID}})
	})
}

// HandOverAssignment records that the starter handed the group over: the
// group runs itself. A group that is starting is handed over by
// formation.go's HandOver (every open assignment of the group, the group
// moved to running, formation.handover); for a group in another status
// only this assignment is marked, with assignment.handover. An assignment
// handed over already is ErrAssignmentDone.
func (s *Store) HandOverAssignment(ctx context.Context, id string, now time.Time) error {
	now = now.UTC().Truncate(time.Microsecond)
	a, err := s.Assignment(ctx, id)
	if err != nil {
		return err
	}
	if !a.HandedOverAt.IsZero() {
		return ErrAssignmentDone
	}
	if a.GroupStatus == domain.StatusStarting {
		err := s.HandOver(ctx, a.GroupID, now)
		if !errors.Is(err, ErrFormation) {
			return err
		}
		// The group left "starting" meanwhile: mark this assignment only.
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := execOne(ctx, tx, `UPDATE starter_assignments SET handed_over_at = $2
			WHERE id = $1 AND handed_over_at IS NULL`, id, now); err != nil {
			if errors.Is(err, ErrNotFound) {
				return ErrAssignmentDone
			}
			return err
		}
		return auditTx(ctx, tx, AuditEntry{Action: "assignment.handover", ObjectType: "assignment", ObjectID: id,
			OrgID: a.OrgID, Detail: map[string]any{"group": a.GroupID}})
	})
}
