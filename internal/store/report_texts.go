package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"
)

// The free-text sections of a house's yearly report to its funder (issue
// 7, item 4), written in the back office (/kontor/arsrapport) and put into
// the exported report as written. They are the house's account of its
// work, not personal data: the form asks for nothing that identifies a
// person, so they are not sealed; the audit log records which section was
// changed and its length, never the text.

// The sections, in the order of the report.
const (
	ReportTextDone  = "done"  // what was done
	ReportTextPlans = "plans" // plans
	ReportTextStory = "story" // the story behind the numbers
)

// ReportTextSections are the sections in the order of the report.
var ReportTextSections = []string{ReportTextDone, ReportTextStory, ReportTextPlans}

// ReportTextMax is the longest text of a section, in characters.
const ReportTextMax = 20000

// ReportText is one section of an organisation's report for a year.
type ReportText struct {
	OrgID     string
	Year      int
	Section   string
	Body      string
	UpdatedAt time.Time
	UpdatedBy string // the staff user
}

// ReportTexts returns the sections an organisation has written for a year,
// by section (a section never written is absent).
func (s *Store) ReportTexts(ctx context.Context, orgID string, year int) (map[string]ReportText, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT organisation_id, year, section, body, updated_at, updated_by
		FROM report_texts WHERE organisation_id = $1 AND year = $2`, orgID, year)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]ReportText{}
	for rows.Next() {
		var t ReportText
		if err := rows.Scan(&t.OrgID, &t.Year, &t.Section, &t.Body, &t.UpdatedAt, &t.UpdatedBy); err != nil {
			return nil, err
		}
		t.UpdatedAt = t.UpdatedAt.UTC()
		out[t.Section] = t
	}
	return out, rows.Err()
}

// SaveReportTexts stores the sections of an organisation's report for a
// year, by section: an empty text removes the section. Sections not in
// bodies are left as they are. Each change is audited (the section and the
// text's length) in the same transaction; it returns how many changed.
func (s *Store) SaveReportTexts(ctx context.Context, orgID string, year int, bodies map[string]string) (int, error) {
	if year < 2000 || year > 2999 {
		return 0, fmt.Errorf("report texts: year %d out of range", year)
	}
	for sec, b := range bodies {
		if !slices.Contains(ReportTextSections, sec) {
			return 0, fmt.Errorf("report texts: unknown section %q", sec)
		}
		if !utf8.ValidString(b) || utf8.RuneCountInString(b) > ReportTextMax {
			return 0, fmt.Errorf("report texts: section %s is not valid text of at most %d characters", sec, ReportTextMax)
		}
	}
	now := utcNow()
	actor := ActorOf(ctx).ID
	changed := 0
	err := s.tx(ctx, func(tx *sql.Tx) error {
		changed = 0
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM organisations WHERE id = $1`, orgID).Scan(&one); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			return err
		}
		for _, sec := range ReportTextSections {
			body, ok := bodies[sec]
			if !ok {
				continue
			}
			var old string
			had := true
			err := tx.QueryRowContext(ctx, `SELECT body FROM report_texts WHERE organisation_id = $1 AND year = $2 AND section = $3`,
				orgID, year, sec).Scan(&old)
			if errors.Is(err, sql.ErrNoRows) {
				had = false
			} else if err != nil {
				return err
			}
			e := AuditEntry{Action: "report_text.save", ObjectType: "organisation", ObjectID: orgID, OrgID: orgID, At: now,
				Detail: map[string]any{"year": year, "section": sec, "chars": utf8.RuneCountInString(body)}}
			switch {
			case !had && body == "", had && old == body:
				continue
			case body == "":
				_, err = tx.ExecContext(ctx, `DELETE FROM report_texts WHERE organisation_id = $1 AND year = $2 AND section = $3`,
					orgID, year, sec)
				e.Action = "report_text.remove"
				e.Detail = map[string]any{"year": year, "section": sec}
			case had:
				_, err = tx.ExecContext(ctx, `UPDATE report_texts SET body = $4, updated_at = $5, updated_by = $6
					WHERE organisation_id = $1 AND year = $2 AND section = $3`, orgID, year, sec, body, now, actor)
			default:
				_, err = tx.ExecContext(ctx, `INSERT INTO report_texts (organisation_id, year, section, body, updated_at, updated_by)
					VALUES ($1, $2, $3, $4, $5, $6)`, orgID, year, sec, body, now, actor)
			}
			if err != nil {
				return err
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
