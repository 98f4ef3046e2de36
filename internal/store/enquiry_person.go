package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/fellesrom/fellesrom/internal/domain"
)

// The person's side of an enquiry (issue 4, items 1–3): which house an
// enquiry goes to, an enquiry stored together with the message that carries
// the person's private link, the person's answer to "still interested?",
// and an enquiry that follows the person to the house of another
// municipality when they correct where they live.

// ServingOrganisation is the organisation that handles enquiries from
// people in a municipality: a self-help house that serves it (in
// organisation_municipalities), else a volunteer centre that serves it,
// else the national centre, else the oldest root of the organisation tree.
// Of several of one kind, the first by name in Norwegian order. It returns
// ErrNotFound when there is no organisation at all.
func (s *Store) ServingOrganisation(ctx context.Context, municipality string) (domain.Organisation, error) {
	type cand struct{ id, kind, name string }
	var serving []cand
	rows, err := s.read.QueryContext(ctx, `SELECT o.id, o.kind, o.name FROM organisations o
		JOIN organisation_municipalities om ON om.organisation_id = o.id
		WHERE om.municipality_id = $1 AND o.kind IN ('self_help_house', 'volunteer_centre')`, municipality)
	if err != nil {
		return domain.Organisation{}, err
	}
	for rows.Next() {
		var c cand
		if err := rows.Scan(&c.id, &c.kind, &c.name); err != nil {
			rows.Close()
			return domain.Organisation{}, err
		}
		serving = append(serving, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return domain.Organisation{}, err
	}
	domain.SortByName(serving, func(c cand) string { return c.name })
	for _, kind := range []domain.OrgKind{domain.OrgSelfHelpHouse, domain.OrgVolunteerCentre} {
		for _, c := range serving {
			if c.kind == string(kind) {
				return s.Organisation(ctx, c.id)
			}
		}
	}
	var id string
	err = s.read.QueryRowContext(ctx, `SELECT id FROM organisations WHERE kind = 'national_centre' OR parent_id IS NULL
		ORDER BY CASE WHEN kind = 'national_centre' THEN 0 ELSE 1 END, created_at, id LIMIT 1`).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Organisation{}, ErrNotFound
	}
	if err != nil {
		return domain.Organisation{}, err
	}
	return s.Organisation(ctx, id)
}

// EnquiryRef is the outbox's ref of the messages to the person of an
// enquiry: DeleteEnquiry deletes them with it.
func EnquiryRef(id string) string { return "enquiry:" + id }

// CreatePersonEnquiry stores an enquiry from the web form or a partner's
// referral (unconfirmed until the person confirms by their link, deleted
// after ret.Unconfirmed otherwise) together with msg, the mail or text
// message that carries the link, in one transaction: the enquiry is not
// stored unless its message is enqueued, and the message carries the
// outbox ref EnquiryRef(e.ID), so that deleting the enquiry deletes it too.
// It records enquiry.create as CreateEnquiry does (no personal data).
func (s *Store) CreatePersonEnquiry(ctx context.Context, e *Enquiry, tokenHash string, now time.Time, ret Retention, msg OutboxMail) error {
	if e.Channel != "web" && e.Channel != "referral" {
		return fmt.Errorf("a person's enquiry comes from the web form or a referral, not %q", e.Channel)
	}
	e.ConsentRecordedBy = ""
	return s.createEnquiry(ctx, e, tokenHash, now, ret, func(tx *sql.Tx) error {
		msg.Ref = EnquiryRef(e.ID)
		_, err := s.EnqueueMailTx(ctx, tx, msg)
		return err
	})
}

// ErrNotAsked is returned by StillInterested for an enquiry whose person
// was not asked whether they are still interested.
var ErrNotAsked = errors.New("store: the person was not asked whether they are still interested")

// StillInterested is the person's answer, by their link, to the retention
// job's question: they still want a group. It clears asked_at (and a
// deletion the question may have scheduled, except for placed and closed
// enquiries, whose clocks are their own), keeps the status, and records
// the answer in the history (reason "still_interested") and the audit log
// (enquiry.still_interested).
func (s *Store) StillInterested(ctx context.Context, id string, now time.Time) error {
	now = now.UTC().Truncate(time.Microsecond)
	return s.tx(ctx, func(tx *sql.Tx) error {
		var status, org string
		var asked sql.NullTime
		err := tx.QueryRowContext(ctx, `SELECT status, organisation_id, asked_at FROM enquiries WHERE id = $1`, id).
			Scan(&status, &org, &asked)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if !asked.Valid {
			return ErrNotAsked
		}
		if err := execOne(ctx, tx, `UPDATE enquiries SET asked_at = NULL,
			delete_after = CASE WHEN status IN ('placed', 'closed', 'unconfirmed') THEN delete_after ELSE NULL END
			WHERE id = $1`, id); err != nil {
			return err
		}
		if err := enquiryHistory(ctx, tx, id, EnquiryStatus(status), "still_interested", now); err != nil {
			return err
		}
		return auditTx(ctx, tx, AuditEntry{Action: "enquiry.still_interested", ObjectType: "enquiry", ObjectID: id, OrgID: org})
	})
}

// MoveEnquiry hands an enquiry to another organisation (the house that
// serves the municipality the person corrected to), with its statistics
// row (organisation and municipality), and records enquiry.move with both organisations (no personal data).
// Moving it to where it is does nothing.
func (s *Store) MoveEnquiry(ctx context.Context, id, orgID string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var from string
		err := tx.QueryRowContext(ctx, `SELECT organisation_id FROM enquiries WHERE id = $1`, id).Scan(&from)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil || from == orgID {
			return err
		}
		if err := execOne(ctx, tx, `UPDATE enquiries SET organisation_id = $2 WHERE id = $1`, id, orgID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE enquiry_stats SET organisation_id = $2,
			municipality_id = (SELECT municipality_id FROM enquiries WHERE id = $1) WHERE enquiry_id = $1`, id, orgID); err != nil {
			return err
		}
		return auditTx(ctx, tx, AuditEntry{Action: "enquiry.move", ObjectType: "enquiry", ObjectID: id, OrgID: orgID,
			Detail: map[string]any{"from": from, "to": orgID}})
	})
}
