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
)

// The outreach log (issue 5, item 5): a house's own record of its
// information work — talks to organisations and services, media coverage,
// stands, brochures handed out, contacts with partners — for its reports.
// It holds no personal data: the audience is a group of people or a
// service, and the note says so in its hint.

// The kinds of outreach.
const (
	OutreachTalk      = "talk"      // a talk to an organisation or a service
	OutreachMedia     = "media"     // media coverage
	OutreachStand     = "stand"     // a stand
	OutreachBrochures = "brochures" // brochures handed out (Reached counts them)
	OutreachPartner   = "partner"   // contact with a partner
	OutreachOther     = "other"
)

// OutreachKinds are the kinds of outreach, in the order forms and reports
// show them.
var OutreachKinds = []string{OutreachTalk, OutreachMedia, OutreachStand, OutreachBrochures, OutreachPartner, OutreachOther}

// Limits of an outreach entry.
const (
	MaxOutreachAudience = 200
	MaxOutreachNote     = 500
	MaxOutreachReached  = 1000000
)

// OutreachEntry is one piece of information work.
type OutreachEntry struct {
	ID        string
	OrgID     string
	Day       string // "2026-03-12"
	Kind      string // one of OutreachKinds
	Audience  string // who was reached: a group of people or a service, never a person
	Reached   int    // people reached, or brochures handed out; 0 when not counted
	Note      string
	CreatedBy string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ValidDay reports whether d is a calendar date written "YYYY-MM-DD".
func ValidDay(d string) bool {
	if len(d) != 10 {
		return false
	}
	_, err := time.Parse(time.DateOnly, d)
	return err == nil
}

// ValidateOutreach checks an entry before it is stored.
func ValidateOutreach(e *OutreachEntry) error {
	e.Audience, e.Note = strings.TrimSpace(e.Audience), strings.TrimSpace(e.Note)
	var errs []error
	if e.OrgID == "" {
		errs = append(errs, errors.New("an outreach entry needs an organisation"))
	}
	if !ValidDay(e.Day) {
		errs = append(errs, fmt.Errorf("the date %q is not YYYY-MM-DD", e.Day))
	}
	if !slices.Contains(OutreachKinds, e.Kind) {
		errs = append(errs, fmt.Errorf("unknown kind of outreach %q", e.Kind))
	}
	if utf8.RuneCountInString(e.Audience) > MaxOutreachAudience {
		errs = append(errs, fmt.Errorf("the audience has at most %d characters", MaxOutreachAudience))
	}
	if utf8.RuneCountInString(e.Note) > MaxOutreachNote {
		errs = append(errs, fmt.Errorf("the note has at most %d characters", MaxOutreachNote))
	}
	if e.Reached < 0 || e.Reached > MaxOutreachReached {
		errs = append(errs, fmt.Errorf("the number reached is from 0 to %d", MaxOutreachReached))
	}
	return errors.Join(errs...)
}

// SaveOutreach creates the entry (when its ID is empty) or updates it, and
// records outreach.create or outreach.update (with the fields that
// changed) in the same transaction.
func (s *Store) SaveOutreach(ctx context.Context, e *OutreachEntry, now time.Time) error {
	if err := ValidateOutreach(e); err != nil {
		return err
	}
	now = now.UTC().Truncate(time.Microsecond)
	return s.tx(ctx, func(tx *sql.Tx) error {
		e.UpdatedAt = now
		if e.ID == "" {
			e.ID, e.CreatedAt, e.CreatedBy = NewID(), now, ActorOf(ctx).ID
			if _, err := tx.ExecContext(ctx, `INSERT INTO outreach_entries (id, organisation_id, day, kind, audience, reached,
				note, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
				e.ID, e.OrgID, e.Day, e.Kind, e.Audience, e.Reached, e.Note, e.CreatedBy, e.CreatedAt, e.UpdatedAt); err != nil {
				return err
			}
			return auditTx(ctx, tx, AuditEntry{Action: "outreach.create", ObjectType: "outreach", ObjectID: e.ID, OrgID: e.OrgID,
				At: now, Detail: map[string]any{"kind": e.Kind, "day": e.Day}})
		}
		prev, err := scanOutreach(tx.QueryRowContext(ctx, `SELECT `+outreachColumns+` FROM outreach_entries WHERE id = $1`, e.ID))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		e.CreatedAt, e.CreatedBy = prev.CreatedAt, prev.CreatedBy
		if err := execOne(ctx, tx, `UPDATE outreach_entries SET organisation_id = $2, day = $3, kind = $4, audience = $5,
			reached = $6, note = $7, updated_at = $8 WHERE id = $1`,
			e.ID, e.OrgID, e.Day, e.Kind, e.Audience, e.Reached, e.Note, e.UpdatedAt); err != nil {
			return err
		}
		c := changes(prev, *e)
		if len(c) == 0 {
			return nil
		}
		// The audit log keeps which fields changed, with the numbers and
		// codes, not the words (the log is kept longer than the entry).
		for _, f := range []string{"Audience", "Note"} {
			if _, ok := c[f]; ok {
				c[f] = true
			}
		}
		return auditTx(ctx, tx, AuditEntry{Action: "outreach.update", ObjectType: "outreach", ObjectID: e.ID, OrgID: e.OrgID,
			At: now, Detail: map[string]any{"changed": c}})
	})
}

// DeleteOutreach deletes an entry and records outreach.delete; an entry
// that does not exist is ErrNotFound.
func (s *Store) DeleteOutreach(ctx context.Context, id string, now time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		e, err := scanOutreach(tx.QueryRowContext(ctx, `SELECT `+outreachColumns+` FROM outreach_entries WHERE id = $1`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if err := execOne(ctx, tx, `DELETE FROM outreach_entries WHERE id = $1`, id); err != nil {
			return err
		}
		return auditTx(ctx, tx, AuditEntry{Action: "outreach.delete", ObjectType: "outreach", ObjectID: id, OrgID: e.OrgID,
			At: now.UTC().Truncate(time.Microsecond), Detail: map[string]any{"kind": e.Kind, "day": e.Day}})
	})
}

const outreachColumns = `id, organisation_id, day, kind, audience, reached, note, created_by, created_at, updated_at`

func scanOutreach(sc interface{ Scan(...any) error }) (OutreachEntry, error) {
	var e OutreachEntry
	err := sc.Scan(&e.ID, &e.OrgID, &e.Day, &e.Kind, &e.Audience, &e.Reached, &e.Note, &e.CreatedBy, &e.CreatedAt, &e.UpdatedAt)
	e.CreatedAt, e.UpdatedAt = e.CreatedAt.UTC(), e.UpdatedAt.UTC()
	return e, err
}

// Outreach returns one entry, or ErrNotFound.
func (s *Store) Outreach(ctx context.Context, id string) (OutreachEntry, error) {
	e, err := scanOutreach(s.read.QueryRowContext(ctx, `SELECT `+outreachColumns+` FROM outreach_entries WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return e, ErrNotFound
	}
	return e, err
}

// OutreachFilter selects entries of the log.
type OutreachFilter struct {
	// OrgIDs are the organisations whose entries are listed; nil lists
	// every organisation's (an administrator), an empty non-nil slice none.
	OrgIDs []string
	// From and To bound the entries' dates: on or after From, before To
	// (calendar dates of the times in their own location); zero for no
	// bound.
	From, To time.Time
	Kind     string // "" for every kind
	Limit    int    // default 200, at most 1000
}

// outreachWhere is the condition and arguments of the entries of orgIDs
// (nil for all) dated from from to to (exclusive), of kind ("" for all).
func outreachWhere(orgIDs []string, from, to time.Time, kind string) (string, []any) {
	var where []string
	var args []any
	if orgIDs != nil {
		where = append(where, "organisation_id IN ("+placeholders(1, len(orgIDs))+")")
		for _, id := range orgIDs {
			args = append(args, id)
		}
	}
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if !from.IsZero() {
		add("day >= $%d", from.Format(time.DateOnly))
	}
	if !to.IsZero() {
		add("day < $%d", to.Format(time.DateOnly))
	}
	if kind != "" {
		add("kind = $%d", kind)
	}
	if len(where) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(where, " AND "), args
}

// OutreachEntries returns the entries f selects, newest date first, and how
// many there are in all.
func (s *Store) OutreachEntries(ctx context.Context, f OutreachFilter) ([]OutreachEntry, int, error) {
	if f.OrgIDs != nil && len(f.OrgIDs) == 0 {
		return nil, 0, nil
	}
	cond, args := outreachWhere(f.OrgIDs, f.From, f.To, f.Kind)
	var total int
	if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM outreach_entries`+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	if f.Limit <= 0 {
		f.Limit = 200
	}
	f.Limit = min(f.Limit, 1000)
	rows, err := s.read.QueryContext(ctx, `SELECT `+outreachColumns+` FROM outreach_entries`+cond+
		fmt.Sprintf(` ORDER BY day DESC, created_at DESC, id LIMIT %d`, f.Limit), args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []OutreachEntry
	for rows.Next() {
		e, err := scanOutreach(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, e)
	}
	return out, total, rows.Err()
}

// OutreachTotal is the outreach of one kind in one month.
type OutreachTotal struct {
	Month   string // "2026-03"
	Kind    string
	Entries int // how many entries
	Reached int // the sum of their numbers reached (brochures: handed out)
}

// OutreachTotals counts the outreach of the organisations orgIDs (nil: of
// every organisation; empty: none) dated on or after from and before to
// (calendar dates; a zero time is no bound), per month and kind: one row
// for each month and kind that has entries, by month and then in the order
// of OutreachKinds. It is what a house's reports are made of.
func (s *Store) OutreachTotals(ctx context.Context, orgIDs []string, from, to time.Time) ([]OutreachTotal, error) {
	if orgIDs != nil && len(orgIDs) == 0 {
		return nil, nil
	}
	cond, args := outreachWhere(orgIDs, from, to, "")
	rows, err := s.read.QueryContext(ctx, `SELECT substr(day, 1, 7), kind, COUNT(*), COALESCE(SUM(reached), 0)
		FROM outreach_entries`+cond+` GROUP BY substr(day, 1, 7), kind`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []OutreachTotal
	for rows.Next() {
		var t OutreachTotal
		if err := rows.Scan(&t.Month, &t.Kind, &t.Entries, &t.Reached); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b OutreachTotal) int {
		if c := strings.Compare(a.Month, b.Month); c != 0 {
			return c
		}
		return slices.Index(OutreachKinds, a.Kind) - slices.Index(OutreachKinds, b.Kind)
	})
	return out, nil
}
