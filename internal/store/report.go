package store

// Reads for reports (package report): anonymous rows only. Enquiries are
// counted from enquiry_stats, which survives the deletion of the enquiry,
// never from enquiries; groups from their status history. Computation
// (periods, scopes, suppression of small counts) is in package report.

import (
	"context"
	"database/sql"
	"strings"
	"time"
)

// ReportEnquiry is one anonymous statistics row of an enquiry, with the
// county of its municipality.
type ReportEnquiry struct {
	Month          string // YYYY-MM of the enquiry
	OrgID          string
	MunicipalityID string
	CountyID       string
	Channel        string
	ReferralKind   string
	Themes         []string // theme slugs
	Outcome        string
	PlacedMonth    string // YYYY-MM, "" if not placed
	WaitedDays     int    // days from the pool to a group; -1 if unknown
}

// ReportEnquiries returns the statistics rows of enquiries made up to and
// including the month to (YYYY-MM), in the order they were made.
func (s *Store) ReportEnquiries(ctx context.Context, to string) ([]ReportEnquiry, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT es.month, es.organisation_id, es.municipality_id,
		COALESCE(m.county_id, ''), es.channel, es.referral_kind, es.themes, es.outcome, es.placed_month,
		COALESCE(es.waited_days, -1)
		FROM enquiry_stats es LEFT JOIN municipalities m ON m.id = es.municipality_id
		WHERE es.month <= $1 ORDER BY es.id`, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ReportEnquiry
	for rows.Next() {
		var e ReportEnquiry
		var themes string
		if err := rows.Scan(&e.Month, &e.OrgID, &e.MunicipalityID, &e.CountyID, &e.Channel, &e.ReferralKind,
			&themes, &e.Outcome, &e.PlacedMonth, &e.WaitedDays); err != nil {
			return nil, err
		}
		e.Themes = strings.Fields(themes)
		out = append(out, e)
	}
	return out, rows.Err()
}

// ReportOrg is an organisation's place in the tree.
type ReportOrg struct {
	ID, ParentID, Kind string
}

// ReportOrgs returns every organisation's place in the tree.
func (s *Store) ReportOrgs(ctx context.Context) ([]ReportOrg, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, COALESCE(parent_id, ''), kind FROM organisations ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ReportOrg
	for rows.Next() {
		var o ReportOrg
		if err := rows.Scan(&o.ID, &o.ParentID, &o.Kind); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// ReportMunicipality is a municipality with its county and population.
type ReportMunicipality struct {
	ID, Name, CountyID, CountyName string
	Population                     int
}

// ReportMunicipalities returns every municipality, by number.
func (s *Store) ReportMunicipalities(ctx context.Context) ([]ReportMunicipality, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT m.id, m.name, m.county_id, c.name, m.population
		FROM municipalities m JOIN counties c ON c.id = m.county_id ORDER BY m.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ReportMunicipality
	for rows.Next() {
		var m ReportMunicipality
		if err := rows.Scan(&m.ID, &m.Name, &m.CountyID, &m.CountyName, &m.Population); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// ReportStatus is a group's status from a moment on.
type ReportStatus struct {
	Status string
	At     time.Time
}

// ReportGroup is a group as reports count it: where, how, about what, and
// its status history (oldest first).
type ReportGroup struct {
	ID, OrgID, MunicipalityID, CountyID string
	Model, Format                       string // the model's slug; in_person, telephone, video, hybrid
	Themes                              []string
	History                             []ReportStatus
	Reformed                            []time.Time // when each re-forming (a new round of a closed group) began
}

// ReportGroups returns every group with its status history. A group's
// municipality is its own, or else its venue's ("" for one without).
func (s *Store) ReportGroups(ctx context.Context) ([]ReportGroup, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT g.id, g.organisation_id,
		COALESCE(g.municipality_id, v.municipality_id, ''), COALESCE(m.county_id, ''), gm.slug, g.format
		FROM groups g JOIN group_models gm ON gm.id = g.model_id
		LEFT JOIN venues v ON v.id = g.venue_id
		LEFT JOIN municipalities m ON m.id = COALESCE(g.municipality_id, v.municipality_id)
		ORDER BY g.id`)
	if err != nil {
		return nil, err
	}
	var out []ReportGroup
	idx := map[string]int{}
	for rows.Next() {
		var g ReportGroup
		if err := rows.Scan(&g.ID, &g.OrgID, &g.MunicipalityID, &g.CountyID, &g.Model, &g.Format); err != nil {
			rows.Close()
			return nil, err
		}
		idx[g.ID] = len(out)
		out = append(out, g)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := reportEach(ctx, s.read, `SELECT gt.group_id, t.slug FROM group_themes gt JOIN themes t ON t.id = gt.theme_id
		ORDER BY gt.group_id, t.slug`, func(r *sql.Rows) error {
		var id, slug string
		if err := r.Scan(&id, &slug); err != nil {
			return err
		}
		if i, ok := idx[id]; ok {
			out[i].Themes = append(out[i].Themes, slug)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	if err := reportEach(ctx, s.read, `SELECT group_id, began_at FROM group_reformings ORDER BY group_id, round`,
		func(r *sql.Rows) error {
			var id string
			var at time.Time
			if err := r.Scan(&id, &at); err != nil {
				return err
			}
			if i, ok := idx[id]; ok {
				out[i].Reformed = append(out[i].Reformed, at.UTC())
			}
			return nil
		}); err != nil {
		return nil, err
	}
	err = reportEach(ctx, s.read, `SELECT group_id, status, changed_at FROM group_status_history
		ORDER BY group_id, changed_at, id`, func(r *sql.Rows) error {
		var id string
		var st ReportStatus
		if err := r.Scan(&id, &st.Status, &st.At); err != nil {
			return err
		}
		if i, ok := idx[id]; ok {
			st.At = st.At.UTC()
			out[i].History = append(out[i].History, st)
		}
		return nil
	})
	return out, err
}

func reportEach(ctx context.Context, db *sql.DB, query string, fn func(*sql.Rows) error, args ...any) error {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
