package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/fellesrom/fellesrom/internal/domain"
)

// Harvested feeds (issue 6 item 3). An organisation registers a feed of
// groups; internal/harvest reads it and plans what changes, and
// ApplyHarvest writes a run — every group it creates, updates, links or
// marks removed, the log of the run and the audit — in one transaction.
// group_sources keeps, per harvested group, the hash of the fields as last
// harvested (HarvestHash): a group whose fields differ from it was edited
// here, and a change from the feed is then a conflict, never an overwrite.

// Feed formats.
const (
	FeedMeetingGuide = "meetingguide"
	FeedHSDS         = "hsds"
	FeedCSV          = "csv"
)

// FeedFormats are the formats a feed can have.
var FeedFormats = []string{FeedMeetingGuide, FeedHSDS, FeedCSV}

// MinFeedInterval is the shortest time between two harvests of a feed.
const MinFeedInterval = 15 * time.Minute

// Feed is a registered feed.
type Feed struct {
	ID             string
	OrgID          string
	URL            string
	Format         string
	ModelID        string // the model of its groups
	MunicipalityID string // for groups the feed places nowhere; "" none
	Interval       time.Duration
	Enabled        bool
	// AllowMassRemoval lets one run mark more than half of the feed's
	// groups removed (otherwise such a run is refused as suspicious).
	AllowMassRemoval bool
	ETag             string // of the last harvest, for a conditional GET
	LastModified     string
	LastRunAt        time.Time
	NextRunAt        time.Time
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// ValidateFeed checks a feed before it is stored (the URL's safety is
// checked by internal/harvest; here only that it is there).
func ValidateFeed(f *Feed) error {
	var errs []error
	if f.OrgID == "" || f.ModelID == "" {
		errs = append(errs, errors.New("a feed needs an organisation and a model"))
	}
	if !strings.HasPrefix(f.URL, "https://") && !strings.HasPrefix(f.URL, "http://") {
		errs = append(errs, errors.New("a feed needs an http or https URL"))
	}
	if len(f.URL) > 2000 {
		errs = append(errs, errors.New("the feed's URL is too long"))
	}
	if !slices.Contains(FeedFormats, f.Format) {
		errs = append(errs, fmt.Errorf("unknown feed format %q", f.Format))
	}
	if f.Interval < MinFeedInterval {
		errs = append(errs, fmt.Errorf("a feed is harvested at most every %v", MinFeedInterval))
	}
	return errors.Join(errs...)
}

const feedColumns = `id, organisation_id, url, format, model_id, COALESCE(municipality_id, ''), interval_minutes,
	enabled, allow_mass_removal, etag, last_modified, last_run_at, next_run_at, created_at, updated_at`

func scanFeed(sc interface{ Scan(...any) error }) (Feed, error) {
	var f Feed
	var minutes int
	var last sql.NullTime
	err := sc.Scan(&f.ID, &f.OrgID, &f.URL, &f.Format, &f.ModelID, &f.MunicipalityID, &minutes, &f.Enabled,
		&f.AllowMassRemoval, &f.ETag, &f.LastModified, &last, &f.NextRunAt, &f.CreatedAt, &f.UpdatedAt)
	f.Interval = time.Duration(minutes) * time.Minute
	if last.Valid {
		f.LastRunAt = last.Time.UTC()
	}
	f.NextRunAt, f.CreatedAt, f.UpdatedAt = f.NextRunAt.UTC(), f.CreatedAt.UTC(), f.UpdatedAt.UTC()
	return f, err
}

// SaveFeed registers a feed (ID empty; its first harvest is due at once)
// or changes one. A changed URL or format forgets the ETag.
func (s *Store) SaveFeed(ctx context.Context, f *Feed) error {
	if err := ValidateFeed(f); err != nil {
		return err
	}
	now := utcNow()
	return s.tx(ctx, func(tx *sql.Tx) error {
		f.UpdatedAt = now
		minutes := int(f.Interval / time.Minute)
		if f.ID == "" {
			f.ID, f.CreatedAt, f.NextRunAt = NewID(), now, now
			if _, err := tx.ExecContext(ctx, `INSERT INTO feeds (id, organisation_id, url, format, model_id, municipality_id,
				interval_minutes, enabled, allow_mass_removal, next_run_at, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`, f.ID, f.OrgID, f.URL, f.Format, f.ModelID,
				nullString(f.MunicipalityID), minutes, f.Enabled, f.AllowMassRemoval, f.NextRunAt, now, now); err != nil {
				return err
			}
			return auditTx(ctx, tx, AuditEntry{Action: "feed.create", ObjectType: "feed", ObjectID: f.ID, OrgID: f.OrgID,
				Detail: map[string]any{"format": f.Format}})
		}
		prev, err := scanFeed(tx.QueryRowContext(ctx, `SELECT `+feedColumns+` FROM feeds WHERE id = $1`, f.ID))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if prev.URL != f.URL || prev.Format != f.Format {
			f.ETag, f.LastModified = "", ""
		}
		f.CreatedAt = prev.CreatedAt
		if err := execOne(ctx, tx, `UPDATE feeds SET url = $1, format = $2, model_id = $3, municipality_id = $4,
			interval_minutes = $5, enabled = $6, allow_mass_removal = $7, etag = $8, last_modified = $9, next_run_at = $10,
			updated_at = $11 WHERE id = $12`, f.URL, f.Format, f.ModelID, nullString(f.MunicipalityID), minutes, f.Enabled,
			f.AllowMassRemoval, f.ETag, f.LastModified, f.NextRunAt, now, f.ID); err != nil {
			return err
		}
		return auditChange(ctx, tx, "feed", f.ID, f.OrgID, prev, *f)
	})
}

// Feed returns one feed.
func (s *Store) Feed(ctx context.Context, id string) (Feed, error) {
	f, err := scanFeed(s.read.QueryRowContext(ctx, `SELECT `+feedColumns+` FROM feeds WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return f, ErrNotFound
	}
	return f, err
}

// Feeds returns the feeds of the organisations given (all when orgIDs is
// nil), by URL.
func (s *Store) Feeds(ctx context.Context, orgIDs []string) ([]Feed, error) {
	q := `SELECT ` + feedColumns + ` FROM feeds`
	var args []any
	if orgIDs != nil {
		if len(orgIDs) == 0 {
			return nil, nil
		}
		for _, id := range orgIDs {
			args = append(args, id)
		}
		q += ` WHERE organisation_id IN (` + placeholders(1, len(orgIDs)) + `)`
	}
	return queryAll(ctx, s.read, scanFeed, q+` ORDER BY url, id`, args...)
}

// DueFeeds returns the enabled feeds whose next harvest is due at now,
// the longest due first.
func (s *Store) DueFeeds(ctx context.Context, now time.Time) ([]Feed, error) {
	return queryAll(ctx, s.read, scanFeed, `SELECT `+feedColumns+` FROM feeds
		WHERE enabled = $1 AND next_run_at <= $2 ORDER BY next_run_at, id`, true, now.UTC())
}

// RunFeedNow makes a feed due at once (the back office's "harvest now").
func (s *Store) RunFeedNow(ctx context.Context, id string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		f, err := feedInTx(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := execOne(ctx, tx, `UPDATE feeds SET next_run_at = $1 WHERE id = $2`, utcNow(), id); err != nil {
			return err
		}
		return auditTx(ctx, tx, AuditEntry{Action: "feed.run_now", ObjectType: "feed", ObjectID: id, OrgID: f.OrgID})
	})
}

// GroupSource is a harvested group's link to its feed, with the group as
// it is now.
type GroupSource struct {
	FeedID      string
	Key         string
	Hash        string // HarvestHash of the fields as last harvested
	HarvestedAt time.Time
	RemovedAt   time.Time // zero while the feed has it
	Group       domain.Group
}

// FeedSources returns the groups harvested from a feed (removed ones too).
func (s *Store) FeedSources(ctx context.Context, feedID string) ([]GroupSource, error) {
	type row struct {
		src GroupSource
		id  string
	}
	rows, err := queryAll(ctx, s.read, func(sc interface{ Scan(...any) error }) (row, error) {
		var r row
		var removed sql.NullTime
		err := sc.Scan(&r.id, &r.src.FeedID, &r.src.Key, &r.src.Hash, &r.src.HarvestedAt, &removed)
		if removed.Valid {
			r.src.RemovedAt = removed.Time.UTC()
		}
		r.src.HarvestedAt = r.src.HarvestedAt.UTC()
		return r, err
	}, `SELECT group_id, feed_id, source_key, harvested_hash, harvested_at, removed_at FROM group_sources
		WHERE feed_id = $1 ORDER BY source_key`, feedID)
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.id
	}
	gs, err := s.GroupsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]domain.Group, len(gs))
	for _, g := range gs {
		byID[g.ID] = g
	}
	out := make([]GroupSource, 0, len(rows))
	for _, r := range rows {
		r.src.Group = byID[r.id]
		out = append(out, r.src)
	}
	return out, nil
}

// HarvestedGroupIDs returns the IDs of every group that came from a feed
// (so that deduplication links only local listings).
func (s *Store) HarvestedGroupIDs(ctx context.Context, orgID string) (map[string]bool, error) {
	ids, err := queryAll(ctx, s.read, scanString, `SELECT gs.group_id FROM group_sources gs
		JOIN groups g ON g.id = gs.group_id WHERE g.organisation_id = $1`, orgID)
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, err
}

// harvestFields are the fields a feed sets on a group: what HarvestHash
// covers and what an update from the feed writes. The schedule is kept as
// its wall clock (a feed that gives only a weekday and a time moves its
// first meeting forward every run).
type harvestFields struct {
	Name, Description         domain.Text
	Format                    domain.Format
	AgeGroup                  domain.AgeGroup
	Gender                    domain.Gender
	ForRelatives              bool
	Status                    domain.Status
	TakesNewMembers           bool
	Join                      domain.JoinMethod
	Weekday, Clock, TZ, RRule string
	DurationMin               int
	MunicipalityID            string
	Languages                 []string
	OnlineURL, OnlinePhone    string
}

func fieldsOf(g domain.Group) harvestFields {
	f := harvestFields{Name: g.Name, Description: g.Description, Format: g.Format, AgeGroup: g.AgeGroup, Gender: g.Gender,
		ForRelatives: g.ForRelatives, Status: g.Status, TakesNewMembers: g.TakesNewMembers, Join: g.Join,
		TZ: g.Schedule.TZ, RRule: g.Schedule.RRule, DurationMin: g.Schedule.DurationMin, MunicipalityID: g.MunicipalityID,
		Languages: uniq(g.Languages), OnlineURL: g.OnlineURL, OnlinePhone: g.OnlinePhone}
	if f.TZ == "" {
		f.TZ = domain.DefaultTimeZone
	}
	if !g.Schedule.Start.IsZero() {
		loc, err := time.LoadLocation(f.TZ)
		if err != nil {
			loc = time.UTC
		}
		t := g.Schedule.Start.In(loc)
		f.Weekday, f.Clock = t.Weekday().String(), t.Format("15:04")
		if g.Schedule.RRule == "" {
			f.Clock = t.Format(time.RFC3339) // a single meeting: its moment
		}
	}
	if len(f.Description) == 0 {
		f.Description = nil
	}
	return f
}

// HarvestHash is the hash of the fields a feed sets on a group.
func HarvestHash(g domain.Group) string {
	b, _ := json.Marshal(fieldsOf(g))
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// SameHarvestedFields says whether two groups agree on every field a feed
// sets.
func SameHarvestedFields(a, b domain.Group) bool { return HarvestHash(a) == HarvestHash(b) }

// HarvestItem is one group as the feed gives it.
type HarvestItem struct {
	Key   string
	Group domain.Group // the feed's version; ID empty
	// Venue is where a new group meets when no venue of the organisation
	// is that place (Group.VenueID empty): created with the group, once
	// per run for groups at the same place.
	Venue *domain.Venue
}

// HarvestTarget is a feed's group and the group here it applies to.
type HarvestTarget struct {
	HarvestItem
	GroupID string
	// Base is the HarvestHash the group had when the plan was made; an
	// update is turned into a conflict if the group changed since.
	Base string
}

// HarvestNote is a line of the log about a key: a rejection or a removal.
type HarvestNote struct {
	Key     string
	GroupID string
	Detail  string
}

// HarvestPlan is what one run of a feed does.
type HarvestPlan struct {
	FeedID       string
	StartedAt    time.Time
	ETag         string
	LastModified string
	Create       []HarvestItem
	Link         []HarvestTarget // a local listing found to be the feed's group
	Update       []HarvestTarget
	Conflict     []HarvestTarget
	Remove       []HarvestNote
	Rejected     []HarvestNote
	Unchanged    int
}

// HarvestRun is a run of a feed, for the log.
type HarvestRun struct {
	ID         string
	FeedID     string
	StartedAt  time.Time
	FinishedAt time.Time
	Status     string // "ok" or "error"
	Created    int
	Updated    int
	Removed    int
	Unchanged  int
	Conflicts  int
	Error      string
}

// HarvestChange is one line of a run's log.
type HarvestChange struct {
	ID         string
	RunID      string
	Key        string
	GroupID    string
	Kind       string // created, updated, removed, conflict, rejected, linked
	Detail     string
	Proposed   bool   // a conflict still holding the feed's version
	Resolution string // "", "feed" or "local"
	ResolvedAt time.Time
}

// HarvestActor is who the store says made a harvested change.
const HarvestActor = "harvest"

// removedReason is the history's reason for a group the feed dropped.
const removedReason = "removed from its feed"

func feedInTx(ctx context.Context, tx *sql.Tx, feedID string) (Feed, error) {
	f, err := scanFeed(tx.QueryRowContext(ctx, `SELECT `+feedColumns+` FROM feeds WHERE id = $1`, feedID))
	if errors.Is(err, sql.ErrNoRows) {
		return f, ErrNotFound
	}
	return f, err
}

// FailHarvest records a run that failed: the error in the log, the feed's
// groups untouched, the next harvest an interval later.
func (s *Store) FailHarvest(ctx context.Context, feedID string, started time.Time, cause string) (HarvestRun, error) {
	now := utcNow()
	run := HarvestRun{ID: NewID(), FeedID: feedID, StartedAt: started.UTC(), FinishedAt: now, Status: "error",
		Error: shortText(cause, 2000)}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		f, err := feedInTx(ctx, tx, feedID)
		if err != nil {
			return err
		}
		if err := insertRun(ctx, tx, run); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE feeds SET last_run_at = $1, next_run_at = $2 WHERE id = $3`,
			now, now.Add(f.Interval), feedID); err != nil {
			return err
		}
		return auditTx(WithActor(ctx, Actor{ID: HarvestActor}), tx, AuditEntry{Action: "feed.harvest_failed",
			ObjectType: "feed", ObjectID: feedID, OrgID: f.OrgID, Detail: map[string]any{"run": run.ID}})
	})
	return run, err
}

func insertRun(ctx context.Context, tx *sql.Tx, r HarvestRun) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO harvest_runs (id, feed_id, started_at, finished_at, status, created,
		updated, removed, unchanged, conflicts, error) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		r.ID, r.FeedID, r.StartedAt, r.FinishedAt, r.Status, r.Created, r.Updated, r.Removed, r.Unchanged, r.Conflicts, r.Error)
	return err
}

func shortText(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// ApplyHarvest writes a run in one transaction: the groups created,
// linked, updated and marked removed, the conflicts and rejections, the
// run's log and audit, and the feed's next harvest. An update whose group
// changed since the plan was made becomes a conflict. If anything fails,
// nothing is written (record the failure with FailHarvest).
func (s *Store) ApplyHarvest(ctx context.Context, p HarvestPlan) (HarvestRun, error) {
	now := utcNow()
	ctx = WithActor(ctx, Actor{ID: HarvestActor})
	run := HarvestRun{ID: NewID(), FeedID: p.FeedID, StartedAt: p.StartedAt.UTC(), FinishedAt: now, Status: "ok",
		Unchanged: p.Unchanged}
	var changes []HarvestChange
	var proposed []string
	add := func(key, groupID, kind, detail, prop string) {
		changes = append(changes, HarvestChange{Key: key, GroupID: groupID, Kind: kind, Detail: shortText(detail, 1000)})
		proposed = append(proposed, prop)
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		f, err := feedInTx(ctx, tx, p.FeedID)
		if err != nil {
			return err
		}
		srcAt := func(gid, key string, g domain.Group) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO group_sources (group_id, feed_id, source_key, harvested_hash, harvested_at)
				VALUES ($1, $2, $3, $4, $5)`, gid, f.ID, key, HarvestHash(g), now)
			return err
		}
		venues := map[string]string{} // place → venue created in this run
		for _, it := range p.Create {
			g := it.Group
			g.ID, g.OrgID, g.CreatedAt, g.UpdatedAt = NewID(), f.OrgID, now, now
			if g.ModelID == "" {
				g.ModelID = f.ModelID
			}
			if err := ValidateGroup(&g); err != nil {
				add(it.Key, "", "rejected", err.Error(), "")
				continue
			}
			if v := it.Venue; v != nil && g.VenueID == "" && ValidateVenue(v) == nil {
				place := domain.Fold(v.Name) + "|" + domain.Fold(v.Street) + "|" + v.MunicipalityID
				if id, ok := venues[place]; ok {
					g.VenueID = id
				} else {
					nv := *v
					nv.ID, nv.OrgID = "", f.OrgID
					if err := saveVenueTx(ctx, tx, &nv); err != nil {
						return err
					}
					venues[place], g.VenueID = nv.ID, nv.ID
				}
			}
			if g.Slug, err = freeSlug(ctx, tx, "groups", g.Slug, ""); err != nil {
				return err
			}
			if err := insertGroup(ctx, tx, &g, HarvestActor); err != nil {
				return err
			}
			if err := srcAt(g.ID, it.Key, it.Group); err != nil {
				return err
			}
			if err := auditChange(ctx, tx, "group", g.ID, g.OrgID, nil, g); err != nil {
				return err
			}
			run.Created++
			add(it.Key, g.ID, "created", "", "")
		}
		for _, l := range p.Link {
			if err := srcAt(l.GroupID, l.Key, l.Group); err != nil {
				return err
			}
			add(l.Key, l.GroupID, "linked", "same name, schedule and place as a listing here; linked, not created again", "")
		}
		for _, u := range p.Update {
			prev, err := groupInTx(ctx, tx, u.GroupID)
			if err != nil {
				return err
			}
			if HarvestHash(prev) != u.Base {
				p.Conflict = append(p.Conflict, u)
				continue
			}
			if err := harvestUpdate(ctx, tx, prev, u.Group, ""); err != nil {
				add(u.Key, u.GroupID, "rejected", err.Error(), "")
				continue
			}
			if _, err := tx.ExecContext(ctx, `UPDATE group_sources SET harvested_hash = $1, harvested_at = $2, removed_at = NULL
				WHERE group_id = $3`, HarvestHash(u.Group), now, u.GroupID); err != nil {
				return err
			}
			run.Updated++
			add(u.Key, u.GroupID, "updated", strings.Join(changedFields(prev, u.Group), ", "), "")
		}
		for _, c := range p.Conflict {
			prev, err := groupInTx(ctx, tx, c.GroupID)
			if err != nil {
				return err
			}
			run.Conflicts++
			if open, err := openConflict(ctx, tx, c.GroupID, HarvestHash(c.Group)); err != nil || open {
				// The same version of the feed waits for a decision already.
				if err != nil {
					return err
				}
				continue
			}
			b, err := json.Marshal(c.Group)
			if err != nil {
				return err
			}
			add(c.Key, c.GroupID, "conflict", "edited here and changed in the feed: "+
				strings.Join(changedFields(prev, c.Group), ", "), string(b))
		}
		for _, r := range p.Remove {
			prev, err := groupInTx(ctx, tx, r.GroupID)
			if err != nil {
				return err
			}
			if prev.Status != domain.StatusEnded {
				next := prev
				next.Status = domain.StatusEnded
				if err := harvestUpdate(ctx, tx, prev, next, removedReason); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, `UPDATE group_sources SET removed_at = $1 WHERE group_id = $2`, now,
				r.GroupID); err != nil {
				return err
			}
			run.Removed++
			add(r.Key, r.GroupID, "removed", r.Detail, "")
		}
		for _, r := range p.Rejected {
			add(r.Key, r.GroupID, "rejected", r.Detail, "")
		}
		if err := insertRun(ctx, tx, run); err != nil {
			return err
		}
		for i, c := range changes {
			if _, err := tx.ExecContext(ctx, `INSERT INTO harvest_changes (id, run_id, seq, source_key, group_id, kind, detail,
				proposed) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, NewID(), run.ID, i, shortText(c.Key, 500),
				nullString(c.GroupID), c.Kind, c.Detail, proposed[i]); err != nil {
				return err
			}
		}
		etag, lm := p.ETag, p.LastModified
		if _, err := tx.ExecContext(ctx, `UPDATE feeds SET last_run_at = $1, next_run_at = $2, etag = $3, last_modified = $4
			WHERE id = $5`, now, now.Add(f.Interval), etag, lm, f.ID); err != nil {
			return err
		}
		if err := auditTx(ctx, tx, AuditEntry{Action: "feed.harvest", ObjectType: "feed", ObjectID: f.ID, OrgID: f.OrgID,
			Detail: map[string]any{"run": run.ID, "created": run.Created, "updated": run.Updated, "removed": run.Removed,
				"conflicts": run.Conflicts, "unchanged": run.Unchanged}}); err != nil {
			return err
		}
		if run.Created+run.Updated+run.Removed > 0 {
			return bumpDirectory(ctx, tx)
		}
		return nil
	})
	if err != nil {
		return HarvestRun{}, err
	}
	return run, nil
}

// openConflict says whether the group has an unresolved conflict that
// proposes a version with the hash given.
func openConflict(ctx context.Context, tx *sql.Tx, groupID, hash string) (bool, error) {
	props, err := queryAll(ctx, tx, scanString, `SELECT proposed FROM harvest_changes
		WHERE group_id = $1 AND kind = 'conflict' AND resolution = '' AND proposed <> ''`, groupID)
	if err != nil {
		return false, err
	}
	for _, p := range props {
		var g domain.Group
		if json.Unmarshal([]byte(p), &g) == nil && HarvestHash(g) == hash {
			return true, nil
		}
	}
	return false, nil
}

func groupInTx(ctx context.Context, tx *sql.Tx, id string) (domain.Group, error) {
	g, err := scanGroup(tx.QueryRowContext(ctx, `SELECT `+groupColumns+` FROM groups WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return g, ErrNotFound
	}
	if err != nil {
		return g, err
	}
	gs := []domain.Group{g}
	if err := fillGroupSets(ctx, tx, gs, "WHERE group_id = $1", id); err != nil {
		return g, err
	}
	return gs[0], nil
}

// harvestUpdate writes the fields a feed sets (harvestFields) from next
// onto the group prev, keeping everything else (slug, venue, themes, …),
// saved as any change to a group is (saveGroupTx: the status change in the
// history, the change in the audit).
func harvestUpdate(ctx context.Context, tx *sql.Tx, prev, next domain.Group, reason string) error {
	g := prev
	g.Name, g.Description, g.Format, g.AgeGroup, g.Gender = next.Name, next.Description, next.Format, next.AgeGroup, next.Gender
	g.ForRelatives, g.Status, g.TakesNewMembers, g.Join = next.ForRelatives, next.Status, next.TakesNewMembers, next.Join
	if fieldsOf(prev).Clock != fieldsOf(next).Clock || fieldsOf(prev).Weekday != fieldsOf(next).Weekday ||
		prev.Schedule.RRule != next.Schedule.RRule || prev.Schedule.TZ != next.Schedule.TZ {
		g.Schedule.Start, g.Schedule.RRule, g.Schedule.TZ = next.Schedule.Start, next.Schedule.RRule, next.Schedule.TZ
	}
	g.Schedule.DurationMin = next.Schedule.DurationMin
	if g.Schedule.TZ == "" {
		g.Schedule.TZ = domain.DefaultTimeZone
	}
	if next.MunicipalityID != "" || prev.VenueID != "" {
		g.MunicipalityID = next.MunicipalityID
	}
	g.Languages, g.OnlineURL, g.OnlinePhone = uniq(next.Languages), next.OnlineURL, next.OnlinePhone
	if err := ValidateGroup(&g); err != nil {
		return err
	}
	if reason == "" {
		reason = "changed in its feed"
	}
	return saveGroupTx(ctx, tx, &g, HarvestActor, reason)
}

// changedFields names the harvested fields in which a and b differ.
func changedFields(a, b domain.Group) []string {
	fa, fb := fieldsOf(a), fieldsOf(b)
	var ma, mb map[string]any
	ja, _ := json.Marshal(fa)
	jb, _ := json.Marshal(fb)
	_ = json.Unmarshal(ja, &ma)
	_ = json.Unmarshal(jb, &mb)
	var out []string
	for k, v := range ma {
		if !equalJSON(v, mb[k]) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

const runColumns = `id, feed_id, started_at, finished_at, status, created, updated, removed, unchanged, conflicts, error`

func scanRun(sc interface{ Scan(...any) error }) (HarvestRun, error) {
	var r HarvestRun
	var fin sql.NullTime
	err := sc.Scan(&r.ID, &r.FeedID, &r.StartedAt, &fin, &r.Status, &r.Created, &r.Updated, &r.Removed, &r.Unchanged,
		&r.Conflicts, &r.Error)
	r.StartedAt = r.StartedAt.UTC()
	if fin.Valid {
		r.FinishedAt = fin.Time.UTC()
	}
	return r, err
}

// HarvestRuns returns a feed's latest runs, the newest first.
func (s *Store) HarvestRuns(ctx context.Context, feedID string, limit int) ([]HarvestRun, error) {
	if limit <= 0 {
		limit = 50
	}
	return queryAll(ctx, s.read, scanRun, `SELECT `+runColumns+` FROM harvest_runs WHERE feed_id = $1
		ORDER BY started_at DESC, finished_at DESC, id LIMIT $2`, feedID, limit)
}

// HarvestRunByID returns one run.
func (s *Store) HarvestRunByID(ctx context.Context, id string) (HarvestRun, error) {
	r, err := scanRun(s.read.QueryRowContext(ctx, `SELECT `+runColumns+` FROM harvest_runs WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNotFound
	}
	return r, err
}

const changeColumns = `id, run_id, source_key, COALESCE(group_id, ''), kind, detail, proposed <> '', resolution, resolved_at`

func scanChange(sc interface{ Scan(...any) error }) (HarvestChange, error) {
	var c HarvestChange
	var at sql.NullTime
	err := sc.Scan(&c.ID, &c.RunID, &c.Key, &c.GroupID, &c.Kind, &c.Detail, &c.Proposed, &c.Resolution, &at)
	if at.Valid {
		c.ResolvedAt = at.Time.UTC()
	}
	return c, err
}

// HarvestChanges returns the log of a run, in the order it was written.
func (s *Store) HarvestChanges(ctx context.Context, runID string) ([]HarvestChange, error) {
	return queryAll(ctx, s.read, scanChange, `SELECT `+changeColumns+` FROM harvest_changes WHERE run_id = $1
		ORDER BY seq`, runID)
}

// HarvestChangeByID returns one line of a log.
func (s *Store) HarvestChangeByID(ctx context.Context, id string) (HarvestChange, error) {
	c, err := scanChange(s.read.QueryRowContext(ctx, `SELECT `+changeColumns+` FROM harvest_changes WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, ErrNotFound
	}
	return c, err
}

// ErrResolved is returned for a conflict that is already resolved.
var ErrResolved = errors.New("the conflict is already resolved")

// ResolveConflict resolves a conflict: takeFeed writes the feed's version
// over the local edit; otherwise the local version is kept and the feed's
// version counted as seen (the next run overwrites nothing until the feed
// changes again, which is then a new conflict). by names who resolved it.
func (s *Store) ResolveConflict(ctx context.Context, changeID string, takeFeed bool, by string) error {
	now := utcNow()
	ctx = WithActor(ctx, Actor{ID: by, Source: ActorOf(ctx).Source})
	return s.tx(ctx, func(tx *sql.Tx) error {
		var kind, prop, res, gid string
		err := tx.QueryRowContext(ctx, `SELECT kind, proposed, resolution, COALESCE(group_id, '') FROM harvest_changes
			WHERE id = $1`, changeID).Scan(&kind, &prop, &res, &gid)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && kind != "conflict") {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if res != "" || prop == "" {
			return ErrResolved
		}
		var feedVersion domain.Group
		if err := json.Unmarshal([]byte(prop), &feedVersion); err != nil {
			return fmt.Errorf("conflict %s: %w", changeID, err)
		}
		prev, err := groupInTx(ctx, tx, gid)
		if err != nil {
			return err
		}
		resolution := "local"
		if takeFeed {
			resolution = "feed"
			if err := harvestUpdate(ctx, tx, prev, feedVersion, ""); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE group_sources SET harvested_hash = $1, harvested_at = $2 WHERE group_id = $3`,
			HarvestHash(feedVersion), now, gid); err != nil {
			return err
		}
		// Every open conflict of the group is settled by this decision.
		if _, err := tx.ExecContext(ctx, `UPDATE harvest_changes SET resolution = $1, resolved_by = $2, resolved_at = $3,
			proposed = '' WHERE group_id = $4 AND kind = 'conflict' AND resolution = ''`, resolution, by, now, gid); err != nil {
			return err
		}
		if err := auditTx(ctx, tx, AuditEntry{Action: "feed.conflict_resolved", ObjectType: "group", ObjectID: gid,
			OrgID: prev.OrgID, Detail: map[string]any{"kept": resolution}}); err != nil {
			return err
		}
		if takeFeed {
			return bumpDirectory(ctx, tx)
		}
		return nil
	})
}
