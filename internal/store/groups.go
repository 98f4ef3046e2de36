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

// ValidateGroup checks a group before it is stored.
func ValidateGroup(g *domain.Group) error {
	var errs []error
	if len(g.Name) == 0 || g.Name.In("nb") == "" {
		errs = append(errs, errors.New("a group needs a name"))
	}
	if g.Slug == "" {
		errs = append(errs, errors.New("a group needs a slug"))
	}
	if g.ModelID == "" || g.OrgID == "" {
		errs = append(errs, errors.New("a group needs a model and an organisation"))
	}
	if !slices.Contains(domain.Formats, g.Format) {
		errs = append(errs, fmt.Errorf("unknown format %q", g.Format))
	}
	if !slices.Contains(domain.Statuses, g.Status) {
		errs = append(errs, fmt.Errorf("unknown status %q", g.Status))
	}
	if !slices.Contains(domain.JoinMethods, g.Join) {
		errs = append(errs, fmt.Errorf("unknown way to join %q", g.Join))
	}
	if !slices.Contains(domain.AgeGroups, g.AgeGroup) {
		errs = append(errs, fmt.Errorf("unknown age group %q", g.AgeGroup))
	}
	if !slices.Contains(domain.Genders, g.Gender) {
		errs = append(errs, fmt.Errorf("unknown gender %q", g.Gender))
	}
	for _, l := range g.Languages {
		if !domain.ValidLanguage(l) {
			errs = append(errs, fmt.Errorf("language %q is not an ISO 639-1 code", l))
		}
	}
	if g.Capacity < 0 {
		errs = append(errs, errors.New("capacity cannot be negative"))
	}
	if !g.Schedule.Start.IsZero() {
		if err := g.Schedule.Validate(); err != nil {
			errs = append(errs, err)
		}
	}
	if g.Format == domain.FormatInPerson && g.VenueID == "" && g.MunicipalityID == "" {
		errs = append(errs, errors.New("an in-person group needs a venue or a municipality"))
	}
	errs = append(errs, ValidateOnline(g)...)
	return errors.Join(errs...)
}

// Errors of the online fields, for the forms to name them.
var (
	ErrOnlineURL      = errors.New("the online link must be an https address")
	ErrOnlinePhone    = errors.New("the telephone number must have 8 to 15 digits, optionally with a leading +")
	ErrOnlineNotes    = fmt.Errorf("the online note can have at most %d characters", domain.MaxOnlineNotes)
	ErrOnlineNeedURL  = errors.New("an open video group needs a link")
	ErrOnlineNeedDial = errors.New("an open telephone group needs a telephone number or a note on how to call in")
)

// ValidateOnline checks how to join a group online (for ValidateGroup, and
// for forms that show each error at its field). The fields are
// normalised (trimmed; the number without spaces). An open telephone group
// (just come) needs a number or a note, an open video group a link; a
// closed group's link is given by the house, so it may be left out.
func ValidateOnline(g *domain.Group) []error {
	g.OnlineURL = strings.TrimSpace(g.OnlineURL)
	g.OnlineNotes = strings.TrimSpace(g.OnlineNotes)
	g.OnlinePhone = domain.NormalisePhone(g.OnlinePhone)
	var errs []error
	if g.OnlineURL != "" && !domain.ValidOnlineURL(g.OnlineURL) {
		errs = append(errs, ErrOnlineURL)
	}
	if g.OnlinePhone != "" && !domain.ValidPhone(g.OnlinePhone) {
		errs = append(errs, ErrOnlinePhone)
	}
	if utf8.RuneCountInString(g.OnlineNotes) > domain.MaxOnlineNotes || strings.ContainsAny(g.OnlineNotes, "\r\n") {
		errs = append(errs, ErrOnlineNotes)
	}
	if g.Join == domain.JoinJustCome {
		switch g.Format {
		case domain.FormatVideo:
			if g.OnlineURL == "" {
				errs = append(errs, ErrOnlineNeedURL)
			}
		case domain.FormatTelephone:
			if g.OnlinePhone == "" && g.OnlineNotes == "" {
				errs = append(errs, ErrOnlineNeedDial)
			}
		}
	}
	return errs
}

func groupArgs(g *domain.Group) []any {
	var ex []string
	for _, t := range g.Schedule.ExDates {
		ex = append(ex, t.UTC().Format(time.RFC3339))
	}
	tz := g.Schedule.TZ
	if tz == "" {
		tz = domain.DefaultTimeZone
	}
	return []any{g.Slug, g.Name.Marshal(), g.Description.Marshal(), g.ModelID, g.OrgID, string(g.Format),
		string(g.AgeGroup), string(g.Gender), g.ForRelatives, string(g.Status), g.TakesNewMembers, g.Capacity,
		string(g.Join), nullTime(g.Schedule.Start), g.Schedule.DurationMin, tz, g.Schedule.RRule,
		strings.Join(ex, ","), nullString(g.VenueID), nullString(g.RoomID), nullString(g.MunicipalityID),
		nullTime(g.VerifiedAt), g.UpdatedAt, g.OnlineURL, g.OnlinePhone, g.OnlineNotes}
}

// insertGroup inserts a new group with its themes, languages and first
// history entry. g.ID, CreatedAt and UpdatedAt must be set.
func insertGroup(ctx context.Context, tx *sql.Tx, g *domain.Group, by string) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO groups (slug, name, description, model_id, organisation_id, format,
		age_group, gender, for_relatives, status, takes_new_members, capacity, join_method, schedule_start,
		schedule_minutes, schedule_tz, schedule_rrule, schedule_exdates, venue_id, room_id, municipality_id,
		verified_at, updated_at, online_url, online_phone, online_notes, id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23,
		$24, $25, $26, $27, $28)`,
		append(groupArgs(g), g.ID, g.CreatedAt)...); err != nil {
		return fmt.Errorf("group %s: %w", g.Slug, err)
	}
	if err := writeGroupSets(ctx, tx, g); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO group_status_history (group_id, status, reason, changed_at, changed_by)
		VALUES ($1, $2, $3, $4, $5)`, g.ID, string(g.Status), "", g.CreatedAt, by)
	return err
}

func writeGroupSets(ctx context.Context, tx *sql.Tx, g *domain.Group) error {
	for _, t := range uniq(g.ThemeIDs) {
		if _, err := tx.ExecContext(ctx, `INSERT INTO group_themes (group_id, theme_id) VALUES ($1, $2)`, g.ID, t); err != nil {
			return fmt.Errorf("theme %s: %w", t, err)
		}
	}
	for _, l := range uniq(g.Languages) {
		if _, err := tx.ExecContext(ctx, `INSERT INTO group_languages (group_id, lang) VALUES ($1, $2)`, g.ID, l); err != nil {
			return err
		}
	}
	return nil
}

func uniq(xs []string) []string {
	out := slices.Clone(xs)
	slices.Sort(out)
	return slices.Compact(out)
}

// SaveGroup creates the group (when its ID is empty) or updates it. A change
// of status is written to the group's history with the reason given.
// by names who made the change (a user ID, or "system", "demo", …).
func (s *Store) SaveGroup(ctx context.Context, g *domain.Group, by, reason string) error {
	if err := ValidateGroup(g); err != nil {
		return err
	}
	ctx = WithActor(ctx, Actor{ID: by, Source: ActorOf(ctx).Source})
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := saveGroupTx(ctx, tx, g, by, reason); err != nil {
			return err
		}
		return bumpDirectory(ctx, tx)
	})
}

// saveGroupTx is SaveGroup inside tx, without the directory-version bump
// (the caller bumps once per transaction). g must be valid.
func saveGroupTx(ctx context.Context, tx *sql.Tx, g *domain.Group, by, reason string) error {
	now := utcNow()
	g.UpdatedAt = now
	if g.ID == "" {
		g.ID = NewID()
		g.CreatedAt = now
		if err := insertGroup(ctx, tx, g, by); err != nil {
			return err
		}
		return auditChange(ctx, tx, "group", g.ID, g.OrgID, nil, g)
	}
	prev, err := scanGroup(tx.QueryRowContext(ctx, `SELECT `+groupColumns+` FROM groups WHERE id = $1`, g.ID))
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	prevs := []domain.Group{prev}
	if err := fillGroupSets(ctx, tx, prevs, "WHERE group_id = $1", g.ID); err != nil {
		return err
	}
	prev = prevs[0]
	g.CreatedAt = prev.CreatedAt
	old := string(prev.Status)
	if err := execOne(ctx, tx, `UPDATE groups SET slug = $1, name = $2, description = $3, model_id = $4,
		organisation_id = $5, format = $6, age_group = $7, gender = $8, for_relatives = $9, status = $10,
		takes_new_members = $11, capacity = $12, join_method = $13, schedule_start = $14, schedule_minutes = $15,
		schedule_tz = $16, schedule_rrule = $17, schedule_exdates = $18, venue_id = $19, room_id = $20,
		municipality_id = $21, verified_at = $22, updated_at = $23, online_url = $24, online_phone = $25,
		online_notes = $26 WHERE id = $27`, append(groupArgs(g), g.ID)...); err != nil {
		return err
	}
	for _, q := range []string{`DELETE FROM group_themes WHERE group_id = $1`, `DELETE FROM group_languages WHERE group_id = $1`} {
		if _, err := tx.ExecContext(ctx, q, g.ID); err != nil {
			return err
		}
	}
	if err := writeGroupSets(ctx, tx, g); err != nil {
		return err
	}
	if old != string(g.Status) {
		if _, err := tx.ExecContext(ctx, `INSERT INTO group_status_history (group_id, status, reason, changed_at, changed_by)
			VALUES ($1, $2, $3, $4, $5)`, g.ID, string(g.Status), reason, now, by); err != nil {
			return err
		}
	}
	sorted := *g
	sorted.ThemeIDs, sorted.Languages = uniq(g.ThemeIDs), uniq(g.Languages)
	return auditChange(ctx, tx, "group", g.ID, g.OrgID, prev, sorted)
}

// InsertGroups creates many new groups in one transaction (demo data, imports).
func (s *Store) InsertGroups(ctx context.Context, groups []*domain.Group, by string) error {
	now := utcNow()
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, g := range groups {
			if err := ValidateGroup(g); err != nil {
				return fmt.Errorf("group %s: %w", g.Slug, err)
			}
			if g.ID == "" {
				g.ID = NewID()
			}
			if g.CreatedAt.IsZero() {
				g.CreatedAt = now
			}
			if g.UpdatedAt.IsZero() {
				g.UpdatedAt = g.CreatedAt
			}
			if err := insertGroup(ctx, tx, g, by); err != nil {
				return err
			}
		}
		err := auditTx(WithActor(ctx, Actor{ID: by, Source: ActorOf(ctx).Source}), tx,
			AuditEntry{Action: "group.import", ObjectType: "group", Detail: map[string]any{"count": len(groups)}})
		if err != nil {
			return err
		}
		return bumpDirectory(ctx, tx)
	})
}

const groupColumns = `id, slug, name, description, model_id, organisation_id, format, age_group, gender,
	for_relatives, status, takes_new_members, capacity, join_method, schedule_start, schedule_minutes,
	schedule_tz, schedule_rrule, schedule_exdates, COALESCE(venue_id, ''), COALESCE(room_id, ''),
	COALESCE(municipality_id, ''), verified_at, created_at, updated_at, online_url, online_phone, online_notes`

func scanGroup(sc interface{ Scan(...any) error }) (domain.Group, error) {
	var g domain.Group
	var name, desc, ex string
	var start, verified sql.NullTime
	err := sc.Scan(&g.ID, &g.Slug, &name, &desc, &g.ModelID, &g.OrgID, &g.Format, &g.AgeGroup, &g.Gender,
		&g.ForRelatives, &g.Status, &g.TakesNewMembers, &g.Capacity, &g.Join, &start, &g.Schedule.DurationMin,
		&g.Schedule.TZ, &g.Schedule.RRule, &ex, &g.VenueID, &g.RoomID, &g.MunicipalityID, &verified,
		&g.CreatedAt, &g.UpdatedAt, &g.OnlineURL, &g.OnlinePhone, &g.OnlineNotes)
	if err != nil {
		return g, err
	}
	if start.Valid {
		g.Schedule.Start = start.Time.UTC()
	}
	if verified.Valid {
		g.VerifiedAt = verified.Time.UTC()
	}
	g.CreatedAt, g.UpdatedAt = g.CreatedAt.UTC(), g.UpdatedAt.UTC()
	for p := range strings.SplitSeq(ex, ",") {
		if p == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, p)
		if err != nil {
			return g, fmt.Errorf("group %s: exdate %q: %w", g.Slug, p, err)
		}
		g.Schedule.ExDates = append(g.Schedule.ExDates, t)
	}
	if g.Name, err = domain.ParseText(name); err == nil {
		g.Description, err = domain.ParseText(desc)
	}
	return g, err
}

// Group returns one group by ID or slug, with its themes and languages.
func (s *Store) Group(ctx context.Context, idOrSlug string) (domain.Group, error) {
	g, err := scanGroup(s.read.QueryRowContext(ctx, `SELECT `+groupColumns+` FROM groups WHERE id = $1 OR slug = $1`, idOrSlug))
	if errors.Is(err, sql.ErrNoRows) {
		return g, ErrNotFound
	}
	if err != nil {
		return g, err
	}
	gs := []domain.Group{g}
	if err := s.fillGroupSets(ctx, gs, "WHERE group_id = $1", g.ID); err != nil {
		return g, err
	}
	return gs[0], nil
}

// GroupsByID returns the groups with the given IDs, in the order asked for;
// IDs that do not exist are left out.
func (s *Store) GroupsByID(ctx context.Context, ids []string) ([]domain.Group, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	in := "IN (" + placeholders(1, len(ids)) + ")"
	gs, err := s.queryGroups(ctx, `SELECT `+groupColumns+` FROM groups WHERE id `+in, args...)
	if err != nil {
		return nil, err
	}
	if err := s.fillGroupSets(ctx, gs, "WHERE group_id "+in, args...); err != nil {
		return nil, err
	}
	pos := make(map[string]int, len(ids))
	for i, id := range ids {
		pos[id] = i
	}
	slices.SortFunc(gs, func(a, b domain.Group) int { return pos[a.ID] - pos[b.ID] })
	return gs, nil
}

// AllGroups returns every group with its themes and languages, in ID order.
func (s *Store) AllGroups(ctx context.Context) ([]domain.Group, error) {
	gs, err := s.queryGroups(ctx, `SELECT `+groupColumns+` FROM groups ORDER BY id`)
	if err != nil {
		return nil, err
	}
	return gs, s.fillGroupSets(ctx, gs, "")
}

// GroupsOfOrganisation returns an organisation's groups, by name.
func (s *Store) GroupsOfOrganisation(ctx context.Context, orgID string) ([]domain.Group, error) {
	gs, err := s.queryGroups(ctx, `SELECT `+groupColumns+` FROM groups WHERE organisation_id = $1`, orgID)
	if err != nil {
		return nil, err
	}
	if err := s.fillGroupSets(ctx, gs, "WHERE group_id IN (SELECT id FROM groups WHERE organisation_id = $1)", orgID); err != nil {
		return nil, err
	}
	domain.SortByName(gs, func(g domain.Group) string { return g.Name.In("nb") })
	return gs, nil
}

func (s *Store) queryGroups(ctx context.Context, q string, args ...any) ([]domain.Group, error) {
	return queryAll(ctx, s.read, scanGroup, q, args...)
}

// fillGroupSets reads themes and languages for gs; where filters the
// group_themes and group_languages rows.
func (s *Store) fillGroupSets(ctx context.Context, gs []domain.Group, where string, args ...any) error {
	return fillGroupSets(ctx, s.read, gs, where, args...)
}

// querier is a pool or a transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func fillGroupSets(ctx context.Context, db querier, gs []domain.Group, where string, args ...any) error {
	index := make(map[string]int, len(gs))
	for i, g := range gs {
		index[g.ID] = i
	}
	for _, q := range []struct {
		sql  string
		add  func(*domain.Group, string)
		sort bool
	}{
		{`SELECT group_id, theme_id FROM group_themes ` + where, func(g *domain.Group, v string) { g.ThemeIDs = append(g.ThemeIDs, v) }, true},
		{`SELECT group_id, lang FROM group_languages ` + where, func(g *domain.Group, v string) { g.Languages = append(g.Languages, v) }, true},
	} {
		rows, err := db.QueryContext(ctx, q.sql, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var gid, v string
			if err := rows.Scan(&gid, &v); err != nil {
				rows.Close()
				return err
			}
			if i, ok := index[gid]; ok {
				q.add(&gs[i], v)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	for i := range gs {
		slices.Sort(gs[i].ThemeIDs)
		slices.Sort(gs[i].Languages)
	}
	return nil
}

// GroupHistory returns a group's status changes, oldest first.
func (s *Store) GroupHistory(ctx context.Context, groupID string) ([]domain.StatusChange, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT status, reason, changed_at, changed_by FROM group_status_history
		WHERE group_id = $1 ORDER BY changed_at, id`, groupID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []domain.StatusChange
	for rows.Next() {
		var c domain.StatusChange
		if err := rows.Scan(&c.Status, &c.Reason, &c.ChangedAt, &c.ChangedBy); err != nil {
			return nil, err
		}
		c.ChangedAt = c.ChangedAt.UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}

// GroupStamp is a group's ID and the time it last changed.
type GroupStamp struct {
	ID        string
	UpdatedAt time.Time
}

// GroupStamps lists every group's ID and last change, so that a cache of
// groups can reload only those that changed.
func (s *Store) GroupStamps(ctx context.Context) ([]GroupStamp, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, updated_at FROM groups`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []GroupStamp
	for rows.Next() {
		var g GroupStamp
		if err := rows.Scan(&g.ID, &g.UpdatedAt); err != nil {
			return nil, err
		}
		g.UpdatedAt = g.UpdatedAt.UTC()
		out = append(out, g)
	}
	return out, rows.Err()
}
