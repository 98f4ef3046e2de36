package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The retention clock (issue 4, item 9). An enquiry is personal data kept
// only as long as it serves the person, and RunRetention, run by a job
// every hour, enforces it:
//
//   - unconfirmed: deleted Retention.Unconfirmed after it was sent (the
//     person never confirmed it; it has no statistics row);
//   - withdrawn: deleted at once by DeleteEnquiry; a row left in that status
//     is deleted at the next run;
//   - placed, closed: deleted Retention.Placed or Retention.Closed after the
//     move (SetEnquiryStatus sets delete_after), the outcome kept;
//   - new, intake, waiting, paused: asked "are you still interested?" once
//     Retention.AskEvery has passed since confirmation, since the person
//     came to the pool, and since the last question or answer (reasons
//     asked and still_interested in enquiry_history); the message carries a
//     new private link (the old one stops working); asked_at is set, and
//     delete_after to the end of the time to answer; an answer
//     (StillInterested) or any status change clears both, and the next
//     question comes AskEvery after this one; a question unanswered for
//     Retention.AnswerWithin deletes the enquiry with the outcome
//     unanswered;
//   - invitations past their deadline expire, and the person goes back to
//     the pool (reason invitation_expired).
//
// Each enquiry is handled in its own short transaction that checks again
// that it is due, so the clock runs beside the site and staff. Deleting
// leaves the anonymous enquiry_stats row and nothing else (DeleteEnquiry).

// EnvRetention is the setting of the retention clock (see ParseRetention).
const EnvRetention = "FELLESROM_RETENTION"

// Bounds of every duration of the retention clock.
const (
	MinRetention = time.Hour
	MaxRetention = 366 * 24 * time.Hour
)

// retentionKeys are the names of the clock's durations in the setting.
var retentionKeys = []string{"unconfirmed", "placed", "closed", "ask", "answer"}

func (r *Retention) field(key string) *time.Duration {
	switch key {
	case "unconfirmed":
		return &r.Unconfirmed
	case "placed":
		return &r.Placed
	case "closed":
		return &r.Closed
	case "ask":
		return &r.AskEvery
	case "answer":
		return &r.AnswerWithin
	}
	return nil
}

// ParseRetention reads the retention clock from its setting
// (FELLESROM_RETENTION), such as
//
//	unconfirmed=7d,placed=30d,closed=30d,ask=91d,answer=30d
//
// Each duration is a whole number of days (d), weeks (w) or hours (h),
// between an hour and 366 days. A duration left out keeps its value in
// DefaultRetention; "" gives DefaultRetention.
func ParseRetention(s string) (Retention, error) {
	r := DefaultRetention
	seen := map[string]bool{}
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		key, val, ok := strings.Cut(item, "=")
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		f := r.field(key)
		switch {
		case !ok || f == nil:
			return r, fmt.Errorf("%s: %q is not one of %s=<duration>", EnvRetention, item, strings.Join(retentionKeys, ", "))
		case seen[key]:
			return r, fmt.Errorf("%s: %s is given twice", EnvRetention, key)
		}
		seen[key] = true
		d, err := parseRetentionDuration(val)
		if err != nil {
			return r, fmt.Errorf("%s: %s: %w", EnvRetention, key, err)
		}
		*f = d
	}
	return r, r.Validate()
}

func parseRetentionDuration(s string) (time.Duration, error) {
	if len(s) < 2 {
		return 0, fmt.Errorf("%q is not a number of days (30d), weeks (13w) or hours (12h)", s)
	}
	unit := map[byte]time.Duration{'d': 24 * time.Hour, 'w': 7 * 24 * time.Hour, 'h': time.Hour}[s[len(s)-1]]
	n, err := strconv.Atoi(s[:len(s)-1])
	if unit == 0 || err != nil || n < 0 || strings.HasPrefix(s, "+") {
		return 0, fmt.Errorf("%q is not a number of days (30d), weeks (13w) or hours (12h)", s)
	}
	if int64(n) > int64(MaxRetention/unit) {
		return 0, fmt.Errorf("%s is longer than %d days", s, MaxRetention/(24*time.Hour))
	}
	return time.Duration(n) * unit, nil
}

// Validate checks that every duration of r lies between MinRetention and
// MaxRetention.
func (r Retention) Validate() error {
	var errs []error
	for _, key := range retentionKeys {
		if d := *r.field(key); d < MinRetention || d > MaxRetention {
			errs = append(errs, fmt.Errorf("%s: %s must be between 1h and %dd, not %s", EnvRetention, key,
				MaxRetention/(24*time.Hour), formatRetentionDuration(d)))
		}
	}
	return errors.Join(errs...)
}

// String gives r in the form of its setting, in days where it can:
// "unconfirmed=7d,placed=30d,closed=30d,ask=91d,answer=30d".
func (r Retention) String() string {
	parts := make([]string, len(retentionKeys))
	for i, key := range retentionKeys {
		parts[i] = key + "=" + formatRetentionDuration(*r.field(key))
	}
	return strings.Join(parts, ",")
}

func formatRetentionDuration(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return strconv.FormatInt(int64(d/(24*time.Hour)), 10) + "d"
	}
	if d%time.Hour == 0 {
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	}
	return d.String()
}

// RetentionResult counts what one run of the retention clock did. It holds
// counts only, never an ID, so that the job can log it.
type RetentionResult struct {
	Unconfirmed int // never confirmed: deleted
	Withdrawn   int // withdrawn rows left behind: deleted
	Placed      int // placed: deleted after Retention.Placed
	Closed      int // closed: deleted after Retention.Closed
	Asked       int // asked "are you still interested?"
	Unanswered  int // deleted after a question unanswered for Retention.AnswerWithin
	Expired     int // invitations past their deadline: expired, the person back in the pool
	Failed      int // enquiries or invitations that could not be handled (tried again next run)
}

// Deleted is the number of enquiries deleted.
func (r RetentionResult) Deleted() int {
	return r.Unconfirmed + r.Withdrawn + r.Placed + r.Closed + r.Unanswered
}

// Asker makes the "are you still interested?" message to the person of an
// enquiry (its channel, address or number, subject, text, language and
// kind), with a new private link, and returns the message and the SHA-256
// of the link's token (the token itself never reaches the store). "" keeps
// the enquiry's present link. RunRetention enqueues the message with ref
// "enquiry:<id>", in the transaction that records the question.
type Asker func(e Enquiry) (m OutboxMail, tokenHash string, err error)

// Reasons in enquiry_history written by the retention clock. (The
// person's answer is "still_interested", written by StillInterested.)
const (
	ReasonAsked             = "asked"              // asked "still interested?" (the status stays)
	ReasonInvitationExpired = "invitation_expired" // back to the pool: the invitation ran out
)

// askable are the statuses whose people are asked "still interested?".
var askable = []EnquiryStatus{EnquiryNew, EnquiryIntake, EnquiryWaiting, EnquiryPaused}

// askDue selects, with $1 = now − AskEvery, the enquiries due a question:
// askable, not asked, confirmed and in the pool (if they are) since before
// $1, and neither asked nor answering since $1.
const askDue = `status IN ('new', 'intake', 'waiting', 'paused') AND asked_at IS NULL
	AND confirmed_at IS NOT NULL AND confirmed_at <= $1 AND (waiting_since IS NULL OR waiting_since <= $1)
	AND NOT EXISTS (SELECT 1 FROM enquiry_history h WHERE h.enquiry_id = enquiries.id
		AND h.reason IN ('asked', 'still_interested') AND h.at > $1)`

// RunRetention runs the retention clock once at now (see the top of this
// file): it expires invitations, deletes what is due, and asks the people
// who are due a question, with messages made by ask. Each enquiry is
// handled in a transaction of its own; one that fails is counted in
// Failed, left as it was for the next run, and does not stop the others.
// The error joins what failed; its text names no enquiry. It stops early
// when ctx ends (what was done is counted).
func (s *Store) RunRetention(ctx context.Context, now time.Time, ret Retention, ask Asker) (RetentionResult, error) {
	var res RetentionResult
	if err := ret.Validate(); err != nil {
		return res, err
	}
	if ask == nil {
		return res, errors.New("retention: no asker for the \"still interested?\" messages")
	}
	now = now.UTC().Truncate(time.Microsecond)
	var errs []error
	fail := func(what, id string, err error) {
		if ctx.Err() != nil {
			return // stopping: not a failure of this enquiry
		}
		res.Failed++
		errs = append(errs, redactID(fmt.Errorf("retention: %s: %w", what, err), id))
	}

	// Invitations past their deadline: the person goes back to the pool.
	ids, err := s.retentionIDs(ctx, `SELECT id FROM group_invitations WHERE status = 'pending' AND deadline <= $1
		ORDER BY deadline, id`, now)
	if err != nil {
		return res, fmt.Errorf("retention: invitations: %w", err)
	}
	for _, id := range ids {
		if ctx.Err() != nil {
			return res, errors.Join(errs...)
		}
		done, err := s.expireInvitation(ctx, id, now, ret)
		if err != nil {
			fail("expire an invitation", id, err)
		} else if done {
			res.Expired++
		}
	}

	// Deleted on the clock in delete_after, questions unanswered for
	// AnswerWithin, and withdrawn rows left behind.
	ids, err = s.retentionIDs(ctx, `SELECT id FROM enquiries WHERE `+deleteDueWhere+` ORDER BY created_at, id`,
		now, now.Add(-ret.AnswerWithin))
	if err != nil {
		return res, fmt.Errorf("retention: deletions: %w", err)
	}
	for _, id := range ids {
		if ctx.Err() != nil {
			return res, errors.Join(errs...)
		}
		st, err := s.deleteDue(ctx, id, now, now.Add(-ret.AnswerWithin))
		if err != nil {
			fail("delete an enquiry", id, err)
			continue
		}
		switch st {
		case EnquiryUnconfirmed:
			res.Unconfirmed++
		case EnquiryWithdrawn:
			res.Withdrawn++
		case EnquiryPlaced:
			res.Placed++
		case EnquiryClosed:
			res.Closed++
		case "":
		default:
			res.Unanswered++
		}
	}

	// The people due a question.
	cut := now.Add(-ret.AskEvery)
	ids, err = s.retentionIDs(ctx, `SELECT id FROM enquiries WHERE `+askDue+` ORDER BY confirmed_at, id`, cut)
	if err != nil {
		return res, fmt.Errorf("retention: questions: %w", err)
	}
	for _, id := range ids {
		if ctx.Err() != nil {
			return res, errors.Join(errs...)
		}
		done, err := s.askStillInterested(ctx, id, cut, now, ret, ask)
		if err != nil {
			fail("ask whether still interested", id, err)
		} else if done {
			res.Asked++
		}
	}
	return res, errors.Join(errs...)
}

// redactID removes id from the text of err: the job logs errors, and an
// error from the database or from opening a sealed value may name the row.
func redactID(err error, id string) error {
	if id == "" || !strings.Contains(err.Error(), id) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), id, "…"))
}

func (s *Store) retentionIDs(ctx context.Context, query string, args ...any) ([]string, error) {
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// expireInvitation expires the pending invitation id if its deadline has
// passed, and sends its person back to the pool if they are still invited
// to that group. It reports whether it expired the invitation.
func (s *Store) expireInvitation(ctx context.Context, id string, now time.Time, ret Retention) (bool, error) {
	expired := false
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var enquiry, group string
		err := tx.QueryRowContext(ctx, `UPDATE group_invitations SET status = 'expired'
			WHERE id = $1 AND status = 'pending' AND deadline <= $2 RETURNING COALESCE(enquiry_id, ''), group_id`, id, now).
			Scan(&enquiry, &group)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // answered or withdrawn meanwhile
		}
		if err != nil {
			return err
		}
		expired = true
		if enquiry == "" {
			return auditTx(ctx, tx, AuditEntry{Action: "invitation.expire", ObjectType: "group_invitation", ObjectID: id,
				Detail: map[string]any{"group": group}})
		}
		var status, org, current string
		if err := tx.QueryRowContext(ctx, `SELECT status, organisation_id, COALESCE(group_id, '') FROM enquiries
			WHERE id = $1`, enquiry).Scan(&status, &org, &current); err != nil {
			return err
		}
		if err := auditTx(ctx, tx, AuditEntry{Action: "invitation.expire", ObjectType: "group_invitation", ObjectID: id,
			OrgID: org, Detail: map[string]any{"group": group}}); err != nil {
			return err
		}
		if EnquiryStatus(status) != EnquiryInvited || current != group {
			return nil // moved on already: nothing to undo
		}
		return s.setEnquiryStatusTx(ctx, tx, enquiry, StatusChange{To: EnquiryWaiting, Reason: ReasonInvitationExpired},
			now, ret)
	})
	return expired, err
}

// deleteDueWhere selects, with $1 = now and $2 = now − AnswerWithin, the
// enquiries to delete: withdrawn ones; those asked "still interested?" at
// $2 or before; and the others whose delete_after has come. For the
// statuses that are asked, only the question deletes: their delete_after
// is the end of the time to answer, for the person's page, and an answer
// that cleared asked_at alone must not delete them.
const deleteDueWhere = `status = 'withdrawn' OR asked_at <= $2
	OR delete_after <= $1 AND status NOT IN ('new', 'intake', 'waiting', 'paused')`

// deleteDue deletes the enquiry id if it is due (deleteDueWhere), and
// returns the status it had ("" if it was not due after all).
// The outcome in its statistics row becomes withdrawn or unanswered for
// those; the others keep theirs (placed, closed, no_group).
func (s *Store) deleteDue(ctx context.Context, id string, now, answerCut time.Time) (EnquiryStatus, error) {
	var status EnquiryStatus
	err := s.tx(ctx, func(tx *sql.Tx) error {
		// The no-op update locks the row, and PostgreSQL checks the
		// condition again after a concurrent change (an answer) commits.
		var st string
		var asked int
		err := tx.QueryRowContext(ctx, `UPDATE enquiries SET delete_after = delete_after
			WHERE (`+deleteDueWhere+`) AND id = $3
			RETURNING status, CASE WHEN asked_at IS NULL THEN 0 ELSE 1 END`, now, answerCut, id).Scan(&st, &asked)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		outcome := ""
		switch {
		case EnquiryStatus(st) == EnquiryWithdrawn:
			outcome = OutcomeWithdrawn
		case asked == 1 && slices.Contains(askable, EnquiryStatus(st)):
			outcome = OutcomeUnanswered
		}
		if err := deleteEnquiryTx(ctx, tx, id, outcome); err != nil {
			return err
		}
		status = EnquiryStatus(st)
		return nil
	})
	if err != nil {
		return "", err
	}
	return status, nil
}

// askStillInterested asks the person of enquiry id, if they are still due
// a question (askDue with cut), whether they are still interested: the
// message made by ask goes to the outbox with ref "enquiry:<id>", the new
// link's hash replaces the old, asked_at is now and delete_after the end
// of the time to answer (what the person's page shows; an answer clears
// both), and the question is kept in the history (reason asked) and the
// audit log, all in one transaction.
func (s *Store) askStillInterested(ctx context.Context, id string, cut, now time.Time, ret Retention, ask Asker) (bool, error) {
	asked := false
	err := s.tx(ctx, func(tx *sql.Tx) error {
		// askDue uses $1; the enquiry is $2.
		e, err := s.enquiryWhere(ctx, tx, askDue+` AND id = $2`, cut, id)
		if errors.Is(err, ErrNotFound) {
			return nil // answered, moved or deleted meanwhile
		}
		if err != nil {
			return err
		}
		if !slices.Contains(askable, e.Status) {
			return nil
		}
		m, hash, err := ask(e)
		if err != nil {
			return err
		}
		m.Ref = "enquiry:" + e.ID
		if m.Channel == "" {
			m.Channel = ChannelEmail
		}
		if _, err := s.EnqueueMailTx(ctx, tx, m); err != nil {
			return err
		}
		if err := execOne(ctx, tx, `UPDATE enquiries SET asked_at = $2, delete_after = $3
			WHERE id = $1 AND asked_at IS NULL AND status = $4`, e.ID, now, now.Add(ret.AnswerWithin), string(e.Status)); err != nil {
			return err
		}
		if hash != "" {
			if _, err := tx.ExecContext(ctx, `UPDATE enquiries SET token_hash = $2 WHERE id = $1`, e.ID, hash); err != nil {
				return err
			}
		}
		if err := enquiryHistory(ctx, tx, e.ID, e.Status, ReasonAsked, now); err != nil {
			return err
		}
		asked = true
		return auditTx(ctx, tx, AuditEntry{Action: "enquiry.ask", ObjectType: "enquiry", ObjectID: e.ID, OrgID: e.OrgID,
			Detail: map[string]any{"channel": m.Channel, "status": string(e.Status)}})
	})
	return asked, err
}
