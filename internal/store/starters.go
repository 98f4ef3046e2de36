package store

import (
	"bytes"
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

// Starters (igangsettere) and volunteers (issue 5, item 2): a profile with
// the least data that works — a name, a contact, a municipality, the
// languages a group can be started in — the courses completed, when the
// person can start groups, and the assignments to groups.
//
// A profile belongs to an organisation (the house whose volunteer the
// person is) and is linked to a staff account with the starter role, or to
// none (a volunteer without an account: a profile only, never assigned to
// a group, since an assignment is to an account; see formation.go, which
// assigns a starter when a group starts). Starters and volunteers are staff,
// not members of the public: their profiles are not sealed (as users are
// not), but every staff read of a profile writes an audit row in the
// transaction that reads (starter.read, starter.list), and no audit row
// holds a value of a profile, only the names of the fields that changed.
//
// Dates without a time of day (availability, courses, planned follow-up and
// hand-over) are "YYYY-MM-DD" strings, "" for none.

// StarterProfile is a starter's or volunteer's profile.
type StarterProfile struct {
	ID             string
	OrgID          string // the organisation whose volunteer the person is
	UserID         string // the staff account (starter role); "" for a volunteer without one
	Name           string
	Email          string // normalised; "" when the person gave a phone only
	Phone          string // E.164; "" when the person gave an e-mail address only
	Municipality   string // where the person lives or starts groups
	Languages      []string
	Slots          []string // the parts of the week the person can start groups in; empty = any time
	AvailableFrom  string   // YYYY-MM-DD; "" = from now on
	AvailableUntil string   // YYYY-MM-DD; "" = until further notice
	MaxGroups      int      // groups at once; 0 = not starting groups at the moment
	CreatedAt      time.Time
	UpdatedAt      time.Time

	// Read only: filled by the reads.
	County  string          // the municipality's county
	Active  int             // assignments not handed over, of groups that have not ended
	Courses []StarterCourse // oldest first
}

// Trained reports whether the person has completed a starter course.
func (p StarterProfile) Trained() bool {
	return slices.ContainsFunc(p.Courses, func(c StarterCourse) bool { return c.Kind == CourseStarter })
}

// AvailableOn reports whether the person's availability covers a day of
// the period from..until (YYYY-MM-DD; until "" is from).
func (p StarterProfile) AvailableOn(from, until string) bool {
	if until == "" {
		until = from
	}
	return (p.AvailableFrom == "" || until == "" || p.AvailableFrom <= until) &&
		(p.AvailableUntil == "" || from == "" || p.AvailableUntil >= from)
}

// HasRoom reports whether the person can take another group now.
func (p StarterProfile) HasRoom() bool { return p.Active < p.MaxGroups }

// StarterCourse is a course a starter or volunteer has completed.
type StarterCourse struct {
	ID          string
	ProfileID   string
	Kind        string // CourseKinds
	CompletedOn string // YYYY-MM-DD
	OrganiserID string // the organisation that held it; "" once it is deleted
	Title       string // free text: "Igangsetterkurs, grunnkurs"
	CreatedAt   time.Time
}

// Kinds of course.
const (
	CourseStarter   = "starter"   // the starter course (igangsetterkurs)
	CourseRefresher = "refresher" // a refresher or follow-up gathering for starters
	CourseOther     = "other"
)

// CourseKinds are the kinds of course, in the order a form offers them.
var CourseKinds = []string{CourseStarter, CourseRefresher, CourseOther}

// Limits of a profile and a course.
const (
	MaxStarterName   = 100
	MaxCourseTitle   = 200
	MaxStarterGroups = 10
)

// Errors of starters and their assignments.
var (
	// ErrStarterAccountTaken: the account has a profile already.
	ErrStarterAccountTaken = errors.New("store: the account has a starter profile already")
	// ErrAssignmentDone: the follow-up or the hand-over is recorded already.
	ErrAssignmentDone = errors.New("store: already recorded for this assignment")
	// ErrAssignment: the starter cannot be assigned to the group.
	ErrAssignment = errors.New("store: the starter cannot be assigned to the group")
)

// ValidDate reports whether s is a date written YYYY-MM-DD, from 2000 to 2100.
func ValidDate(s string) bool {
	t, err := time.Parse(time.DateOnly, s)
	return err == nil && t.Year() >= 2000 && t.Year() <= 2100
}

// validLang is a language code as the catalogue names them: two or three
// lower-case ASCII letters.
func validLang(s string) bool {
	if len(s) < 2 || len(s) > 3 {
		return false
	}
	for _, r := range s {
		if r < 'a' || r > 'z' {
			return false
		}
	}
	return true
}

// validateStarter checks a profile (the pages check each field with a
// message of its own first) and normalises its contact and lists.
func validateStarter(p *StarterProfile) error {
	p.Name = strings.TrimSpace(p.Name)
	p.Email, p.Phone = strings.TrimSpace(p.Email), strings.TrimSpace(p.Phone)
	var errs []error
	if p.Name == "" || utf8.RuneCountInString(p.Name) > MaxStarterName || strings.ContainsFunc(p.Name, isControl) {
		errs = append(errs, errors.New("a profile needs a name of at most 100 characters"))
	}
	if p.OrgID == "" {
		errs = append(errs, errors.New("a profile belongs to an organisation"))
	}
	if p.Email != "" {
		if e, ok := NormalizeContact("email", p.Email); ok {
			p.Email = e
		} else {
			errs = append(errs, errors.New("the e-mail address is not usable"))
		}
	}
	if p.Phone != "" {
		if ph, ok := NormalizeContact("phone", p.Phone); ok {
			p.Phone = ph
		} else {
			errs = append(errs, errors.New("the phone number is not usable"))
		}
	}
	if p.Email == "" && p.Phone == "" {
		errs = append(errs, errors.New("a profile needs an e-mail address or a phone number"))
	}
	if p.Municipality == "" {
		errs = append(errs, errors.New("a profile needs a municipality"))
	}
	p.Languages, p.Slots = distinct(p.Languages), distinct(p.Slots)
	if len(p.Languages) == 0 {
		p.Languages = []string{"nb"}
	}
	for _, l := range p.Languages {
		if !validLang(l) {
			errs = append(errs, fmt.Errorf("unknown language %q", l))
		}
	}
	for _, sl := range p.Slots {
		if !ValidSlot(sl) {
			errs = append(errs, fmt.Errorf("unknown time slot %q", sl))
		}
	}
	slices.SortFunc(p.Slots, compareSlots)
	for _, d := range []string{p.AvailableFrom, p.AvailableUntil} {
		if d != "" && !ValidDate(d) {
			errs = append(errs, fmt.Errorf("the date %q is not YYYY-MM-DD", d))
		}
	}
	if p.AvailableFrom != "" && p.AvailableUntil != "" && p.AvailableUntil < p.AvailableFrom {
		errs = append(errs, errors.New("available until a date before available from"))
	}
	if p.MaxGroups < 0 || p.MaxGroups > MaxStarterGroups {
		errs = append(errs, errors.New("groups at once: 0 to 10"))
	}
	return errors.Join(errs...)
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// compareSlots orders slots by day of the week, then part of the day.
func compareSlots(a, b string) int {
	rank := func(s string) int {
		d, p, _ := strings.Cut(s, "-")
		return slices.Index(SlotDays, d)*len(SlotParts) + slices.Index(SlotParts, p)
	}
	return rank(a) - rank(b)
}

const starterColumns = `p.id, p.organisation_id, COALESCE(p.user_id, ''), p.name, p.email, p.phone, p.municipality_id,
	p.languages, p.slots, p.available_from, p.available_until, p.max_groups, p.created_at, p.updated_at, m.county_id,
	COALESCE(n.active, 0)`

// starterFrom joins a profile's municipality and counts its account's
// active assignments: not handed over, of a group that has not ended.
const starterFrom = ` FROM starter_profiles p JOIN municipalities m ON m.id = p.municipality_id
	LEFT JOIN (SELECT a.user_id, COUNT(*) AS active FROM starter_assignments a JOIN groups g ON g.id = a.group_id
		WHERE a.handed_over_at IS NULL AND g.status <> 'ended' GROUP BY a.user_id) n ON n.user_id = p.user_id`

func scanStarter(sc interface{ Scan(...any) error }) (StarterProfile, error) {
	var p StarterProfile
	var langs, slots string
	err := sc.Scan(&p.ID, &p.OrgID, &p.UserID, &p.Name, &p.Email, &p.Phone, &p.Municipality, &langs, &slots,
		&p.AvailableFrom, &p.AvailableUntil, &p.MaxGroups, &p.CreatedAt, &p.UpdatedAt, &p.County, &p.Active)
	p.Languages, p.Slots = strings.Fields(langs), strings.Fields(slots)
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	return p, err
}

func queryStarters(ctx context.Context, q querier, where string, args ...any) ([]StarterProfile, error) {
	return queryAll(ctx, q, scanStarter, `SELECT `+starterColumns+starterFrom+` WHERE `+where, args...)
}

// fillCourses reads the courses of the profiles.
func fillCourses(ctx context.Context, q querier, ps []StarterProfile) error {
	if len(ps) == 0 {
		return nil
	}
	index := make(map[string]int, len(ps))
	for i := range ps {
		index[ps[i].ID] = i
		ps[i].Courses = nil
	}
	ids := make([]string, 0, len(ps))
	for id := range index {
		ids = append(ids, id)
	}
	for len(ids) > 0 {
		n := min(len(ids), 500)
		args := make([]any, n)
		for i, id := range ids[:n] {
			args[i] = id
		}
		rows, err := q.QueryContext(ctx, `SELECT id, profile_id, kind, completed_on, COALESCE(organiser_id, ''), title,
			created_at FROM starter_courses WHERE profile_id IN (`+placeholders(1, n)+`) ORDER BY completed_on, created_at, id`,
			args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var c StarterCourse
			if err := rows.Scan(&c.ID, &c.ProfileID, &c.Kind, &c.CompletedOn, &c.OrganiserID, &c.Title, &c.CreatedAt); err != nil {
				rows.Close()
				return err
			}
			c.CreatedAt = c.CreatedAt.UTC()
			p := &ps[index[c.ProfileID]]
			p.Courses = append(p.Courses, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

// SaveStarterProfile creates a profile (p.ID "") or stores a changed one,
// and records starter.create (the organisation, and whether it has an
// account) or starter.update (the names of the fields that changed, never
// their values). An account that has a profile already is
// ErrStarterAccountTaken.
func (s *Store) SaveStarterProfile(ctx context.Context, p *StarterProfile, now time.Time) error {
	if err := validateStarter(p); err != nil {
		return err
	}
	now = now.UTC().Truncate(time.Microsecond)
	return s.tx(ctx, func(tx *sql.Tx) error {
		if p.UserID != "" {
			var other string
			err := tx.QueryRowContext(ctx, `SELECT id FROM starter_profiles WHERE user_id = $1 AND id <> $2`, p.UserID, p.ID).
				Scan(&other)
			if err == nil {
				return ErrStarterAccountTaken
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		args := []any{p.OrgID, nullString(p.UserID), p.Name, p.Email, p.Phone, p.Municipality,
			strings.Join(p.Languages, " "), strings.Join(p.Slots, " "), p.AvailableFrom, p.AvailableUntil, p.MaxGroups, now}
		if p.ID == "" {
			p.ID, p.CreatedAt, p.UpdatedAt = NewID(), now, now
			if _, err := tx.ExecContext(ctx, `INSERT INTO starter_profiles (organisation_id, user_id, name, email, phone,
				municipality_id, languages, slots, available_from, available_until, max_groups, updated_at, id, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $12)`, append(args, p.ID)...); err != nil {
				return err
			}
			return auditTx(ctx, tx, AuditEntry{Action: "starter.create", ObjectType: "starter", ObjectID: p.ID,
				OrgID: p.OrgID, Detail: map[string]any{"account": p.UserID != ""}})
		}
		olds, err := queryStarters(ctx, tx, `p.id = $1`, p.ID)
		if err != nil {
			return err
		}
		if len(olds) == 0 {
			return ErrNotFound
		}
		old := olds[0]
		if err := execOne(ctx, tx, `UPDATE starter_profiles SET organisation_id = $1, user_id = $2, name = $3, email = $4,
			phone = $5, municipality_id = $6, languages = $7, slots = $8, available_from = $9, available_until = $10,
			max_groups = $11, updated_at = $12 WHERE id = $13`, append(args, p.ID)...); err != nil {
			return err
		}
		p.CreatedAt, p.UpdatedAt = old.CreatedAt, now
		var changed []string
		for name, diff := range map[string]bool{
			"organisation": old.OrgID != p.OrgID, "account": old.UserID != p.UserID, "name": old.Name != p.Name,
			"email": old.Email != p.Email, "phone": old.Phone != p.Phone, "municipality": old.Municipality != p.Municipality,
			"languages": !slices.Equal(old.Languages, p.Languages), "slots": !slices.Equal(old.Slots, p.Slots),
			"available_from": old.AvailableFrom != p.AvailableFrom, "available_until": old.AvailableUntil != p.AvailableUntil,
			"max_groups": old.MaxGroups != p.MaxGroups,
		} {
			if diff {
				changed = append(changed, name)
			}
		}
		slices.Sort(changed)
		return auditTx(ctx, tx, AuditEntry{Action: "starter.update", ObjectType: "starter", ObjectID: p.ID, OrgID: p.OrgID,
			Detail: map[string]any{"changed": changed}})
	})
}

// StarterProfileOrg is the organisation of a profile, read without its
// personal data (and so without an audit row): what a page checks a
// user's rights against before it reads the profile.
func (s *Store) StarterProfileOrg(ctx context.Context, id string) (string, error) {
	var org string
	err := s.read.QueryRowContext(ctx, `SELECT organisation_id FROM starter_profiles WHERE id = $1`, id).Scan(&org)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	return org, err
}

// ReadStarterProfile is a staff read of one profile with its courses: it
// records starter.read with the reader (the context's actor) in the same
// transaction, or returns no data.
func (s *Store) ReadStarterProfile(ctx context.Context, id string) (StarterProfile, error) {
	var p StarterProfile
	err := s.tx(ctx, func(tx *sql.Tx) error {
		ps, err := queryStarters(ctx, tx, `p.id = $1`, id)
		if err != nil {
			return err
		}
		if len(ps) == 0 {
			return ErrNotFound
		}
		if err := fillCourses(ctx, tx, ps); err != nil {
			return err
		}
		p = ps[0]
		return auditTx(ctx, tx, AuditEntry{Action: "starter.read", ObjectType: "starter", ObjectID: p.ID, OrgID: p.OrgID})
	})
	if err != nil {
		return StarterProfile{}, err
	}
	return p, nil
}

// StarterProfileOfUser is the profile linked to an account, without an
// audit row: the starter reading their own. ErrNotFound when there is none.
func (s *Store) StarterProfileOfUser(ctx context.Context, userID string) (StarterProfile, error) {
	if userID == "" {
		return StarterProfile{}, ErrNotFound
	}
	ps, err := queryStarters(ctx, s.read, `p.user_id = $1`, userID)
	if err != nil {
		return StarterProfile{}, err
	}
	if len(ps) == 0 {
		return StarterProfile{}, ErrNotFound
	}
	return ps[0], fillCourses(ctx, s.read, ps)
}

// StarterAccount is the profile of an account.
type StarterAccount struct {
	ProfileID string
	OrgID     string
}

// StarterAccounts gives the profile of each account that has one. It reads
// no personal data.
func (s *Store) StarterAccounts(ctx context.Context) (map[string]StarterAccount, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT user_id, id, organisation_id FROM starter_profiles WHERE user_id IS NOT NULL`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]StarterAccount{}
	for rows.Next() {
		var u string
		var a StarterAccount
		if err := rows.Scan(&u, &a.ProfileID, &a.OrgID); err != nil {
			return nil, err
		}
		out[u] = a
	}
	return out, rows.Err()
}

// StarterFilter selects profiles for a staff list.
type StarterFilter struct {
	OrgIDs       []string // the organisations the reader may see (required: nil lists nothing)
	Municipality string   // only those in this municipality
	County       string   // only those in this county
	Language     string   // only those who can start a group in this language
	// FreeOn (YYYY-MM-DD): only those available that day who can take
	// another group (fewer active assignments than their most at once).
	FreeOn string
}

// StarterProfiles is a staff read of a list of profiles with their
// courses, in Norwegian order of name: it records one starter.list audit
// row naming every profile read, in the same transaction.
func (s *Store) StarterProfiles(ctx context.Context, f StarterFilter) ([]StarterProfile, error) {
	return s.readStarters(ctx, f.OrgIDs, "list", func(p StarterProfile) bool {
		return (f.Municipality == "" || p.Municipality == f.Municipality) && (f.County == "" || p.County == f.County) &&
			(f.Language == "" || slices.Contains(p.Languages, f.Language)) &&
			(f.FreeOn == "" || p.AvailableOn(f.FreeOn, f.FreeOn) && p.HasRoom())
	})
}

// readStarters reads the profiles of the organisations that keep passes,
// with their courses, sorted by name, and records starter.list (with the
// purpose: "list" or "free") naming them, in one transaction.
func (s *Store) readStarters(ctx context.Context, orgIDs []string, purpose string, keep func(StarterProfile) bool) ([]StarterProfile, error) {
	if len(orgIDs) == 0 {
		return nil, nil
	}
	args := make([]any, len(orgIDs))
	for i, o := range orgIDs {
		args[i] = o
	}
	var out []StarterProfile
	err := s.tx(ctx, func(tx *sql.Tx) error {
		all, err := queryStarters(ctx, tx, `p.organisation_id IN (`+placeholders(1, len(orgIDs))+`)`, args...)
		if err != nil {
			return err
		}
		out = nil
		for _, p := range all {
			if keep(p) {
				out = append(out, p)
			}
		}
		if len(out) == 0 {
			return nil
		}
		if err := fillCourses(ctx, tx, out); err != nil {
			return err
		}
		domain.SortByName(out, func(p StarterProfile) string { return p.Name })
		ids := make([]string, len(out))
		for i, p := range out {
			ids[i] = p.ID
		}
		return auditTx(ctx, tx, AuditEntry{Action: "starter.list", ObjectType: "starter",
			Detail: map[string]any{"ids": ids, "purpose": purpose}})
	})
	return out, err
}

// DeleteStarterProfile deletes a profile and its courses (the person's
// account, if any, and their assignments stay: the account is deleted on
// the staff page). It records starter.delete.
func (s *Store) DeleteStarterProfile(ctx context.Context, id string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var org string
		err := tx.QueryRowContext(ctx, `SELECT organisation_id FROM starter_profiles WHERE id = $1`, id).Scan(&org)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if err := execOne(ctx, tx, `DELETE FROM starter_profiles WHERE id = $1`, id); err != nil {
			return err
		}
		return auditTx(ctx, tx, AuditEntry{Action: "starter.delete", ObjectType: "starter", ObjectID: id, OrgID: org})
	})
}

// AddStarterCourse records a course a person completed, and records
// starter.course_add (its kind; the profile is the object).
func (s *Store) AddStarterCourse(ctx context.Context, c *StarterCourse, now time.Time) error {
	c.Title = strings.TrimSpace(c.Title)
	switch {
	case !slices.Contains(CourseKinds, c.Kind):
		return fmt.Errorf("unknown kind of course %q", c.Kind)
	case !ValidDate(c.CompletedOn):
		return fmt.Errorf("the date %q is not YYYY-MM-DD", c.CompletedOn)
	case utf8.RuneCountInString(c.Title) > MaxCourseTitle || strings.ContainsFunc(c.Title, isControl):
		return errors.New("a course's title has at most 200 characters on one line")
	}
	now = now.UTC().Truncate(time.Microsecond)
	return s.tx(ctx, func(tx *sql.Tx) error {
		var org, muni string
		err := tx.QueryRowContext(ctx, `SELECT organisation_id, municipality_id FROM starter_profiles WHERE id = $1`,
			c.ProfileID).Scan(&org, &muni)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		c.ID, c.CreatedAt = NewID(), now
		if _, err := tx.ExecContext(ctx, `INSERT INTO starter_courses (id, profile_id, kind, completed_on, organiser_id,
			title, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`, c.ID, c.ProfileID, c.Kind, c.CompletedOn,
			nullString(c.OrganiserID), c.Title, now); err != nil {
			return err
		}
		// The anonymous row the reports count, which outlives the profile.
		statOrg := org
		if c.OrganiserID != "" {
			statOrg = c.OrganiserID
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO starter_course_stats (course_id, month, organisation_id,
			municipality_id, kind) VALUES ($1, $2, $3, $4, $5)`, c.ID, c.CompletedOn[:7], statOrg, muni, c.Kind); err != nil {
			return err
		}
		return auditTx(ctx, tx, AuditEntry{Action: "starter.course_add", ObjectType: "starter", ObjectID: c.ProfileID,
			OrgID: org, Detail: map[string]any{"course": c.ID, "kind": c.Kind}})
	})
}

// DeleteStarterCourse deletes a course of a profile (a course of another
// profile is ErrNotFound), and records starter.course_delete.
func (s *Store) DeleteStarterCourse(ctx context.Context, profileID, courseID string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var org string
		err := tx.QueryRowContext(ctx, `SELECT organisation_id FROM starter_profiles WHERE id = $1`, profileID).Scan(&org)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if err := execOne(ctx, tx, `DELETE FROM starter_courses WHERE id = $1 AND profile_id = $2`, courseID, profileID); err != nil {
			return err
		}
		// A course deleted by hand was entered by mistake: out of the
		// figures too (a deleted profile's courses stay in them).
		if _, err := tx.ExecContext(ctx, `DELETE FROM starter_course_stats WHERE course_id = $1`, courseID); err != nil {
			return err
		}
		return auditTx(ctx, tx, AuditEntry{Action: "starter.course_delete", ObjectType: "starter", ObjectID: profileID,
			OrgID: org, Detail: map[string]any{"course": courseID}})
	})
}

// --- who is free to start a group ---

// Nearness of a starter to the area a group is wanted in.
const (
	NearMunicipality = iota // lives in the municipality asked for
	NearCounty              // in the same county
	NearElsewhere
)

// FreeQuery asks who is free to start a group in an area.
type FreeQuery struct {
	OrgIDs []string // the organisations whose starters the reader may see (required)
	// The area: a municipality, or (with Municipality "") a county; both
	// "" for anywhere.
	Municipality string
	County       string
	// The period the group needs a starter, YYYY-MM-DD (Until "" = From);
	// From "" is any time.
	From, Until string
	Slots       []string // the group's times; empty = any
	Language    string   // "" = any
}

// FreeStarter is a starter who is free, with how near the area they are.
type FreeStarter struct {
	StarterProfile
	Nearness int     // NearMunicipality, NearCounty, NearElsewhere
	Km       float64 // from the area's municipality, when HasKm
	HasKm    bool
	Slots    []string // the slots asked for that the person can take (all of them when either side has none)
}

// RankFreeStarters keeps the profiles that are free for q — available in
// the period, with a part of the week in common with the group's times
// (a profile without slots takes any), speaking the language, and with
// fewer active assignments than their most at once — and orders them by
// nearness: the same municipality first, then the same county, then the
// rest; within each, by distance where known (km gives the distance between
// two municipalities, ok false when unknown), then fewer active
// assignments, then name. county gives a municipality's county.
func RankFreeStarters(ps []StarterProfile, q FreeQuery, county func(string) string, km func(a, b string) (float64, bool)) []FreeStarter {
	area := q.County
	if q.Municipality != "" {
		area = county(q.Municipality)
	}
	var out []FreeStarter
	for _, p := range ps {
		common, ok := freeFor(p, q)
		if !ok {
			continue
		}
		f := FreeStarter{StarterProfile: p, Nearness: NearElsewhere, Slots: slices.Clone(common)}
		pc := p.County
		if pc == "" {
			pc = county(p.Municipality)
		}
		switch {
		case q.Municipality != "" && p.Municipality == q.Municipality:
			f.Nearness = NearMunicipality
		case area != "" && pc == area:
			f.Nearness = NearCounty
		}
		if q.Municipality != "" && km != nil {
			f.Km, f.HasKm = km(q.Municipality, p.Municipality)
			if p.Municipality == q.Municipality {
				f.Km, f.HasKm = 0, true
			}
		}
		out = append(out, f)
	}
	keys := make(map[string][]byte, len(out))
	for _, f := range out {
		if keys[f.Name] == nil {
			keys[f.Name] = domain.CollationKey(f.Name)
		}
	}
	slices.SortStableFunc(out, func(a, b FreeStarter) int {
		if a.Nearness != b.Nearness {
			return a.Nearness - b.Nearness
		}
		if a.HasKm != b.HasKm {
			if a.HasKm {
				return -1
			}
			return 1
		}
		if a.HasKm && a.Km != b.Km {
			if a.Km < b.Km {
				return -1
			}
			return 1
		}
		if a.Active != b.Active {
			return a.Active - b.Active
		}
		if c := bytes.Compare(keys[a.Name], keys[b.Name]); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}

// freeFor reports whether p is free for q, and the slots asked for that p
// can take (all those asked when either side names none).
func freeFor(p StarterProfile, q FreeQuery) ([]string, bool) {
	if !p.HasRoom() || !p.AvailableOn(q.From, q.Until) || q.Language != "" && !slices.Contains(p.Languages, q.Language) {
		return nil, false
	}
	switch {
	case len(q.Slots) == 0:
		return p.Slots, true
	case len(p.Slots) == 0:
		return q.Slots, true
	}
	var common []string
	for _, sl := range q.Slots {
		if slices.Contains(p.Slots, sl) {
			common = append(common, sl)
		}
	}
	return common, len(common) > 0
}

// FreeStarters answers who is free to start a group in an area (see
// RankFreeStarters), among the starters of q.OrgIDs, with distances from
// the mean of each municipality's venues (MunicipalityPoints). It is a
// staff read of the profiles it returns: one starter.list audit row
// (purpose "free") names them, in the transaction that reads.
func (s *Store) FreeStarters(ctx context.Context, q FreeQuery) ([]FreeStarter, error) {
	pts, err := s.MunicipalityPoints(ctx)
	if err != nil {
		return nil, err
	}
	counties := map[string]string{}
	rows, err := s.read.QueryContext(ctx, `SELECT id, county_id FROM municipalities`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id, c string
		if err := rows.Scan(&id, &c); err != nil {
			rows.Close()
			return nil, err
		}
		counties[id] = c
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	county := func(m string) string { return counties[m] }
	km := func(a, b string) (float64, bool) {
		pa, ok1 := pts[a]
		pb, ok2 := pts[b]
		if !ok1 || !ok2 {
			return 0, false
		}
		return DistanceKm(pa, pb), true
	}
	keep := func(p StarterProfile) bool { _, ok := freeFor(p, q); return ok }
	ps, err := s.readStarters(ctx, q.OrgIDs, "free", keep)
	if err != nil {
		return nil, err
	}
	return RankFreeStarters(ps, q, county, km), nil
}
