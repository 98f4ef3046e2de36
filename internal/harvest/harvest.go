package harvest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"

	"github.com/fellesrom/fellesrom/internal/csvio"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
)

// Plan decides what a run does with the feed's groups (items), given the
// groups harvested from it before (sources) and the organisation's own
// listings (locals, not harvested from any feed):
//   - a new key becomes a new group, unless a local listing has the same
//     name, schedule and place: then that listing is linked to the key;
//   - a known key whose fields are as last harvested is unchanged;
//   - a known key whose fields changed in the feed is updated, unless the
//     group was edited here since (its fields differ from what was
//     harvested): then it is a conflict, and nothing is overwritten;
//   - a key that is gone is marked removed (never deleted).
//
// More than half of the feed's groups gone in one run is refused as
// suspicious (an empty or truncated feed), unless the feed allows it.
func Plan(feed store.Feed, items []store.HarvestItem, rejected []store.HarvestNote, sources []store.GroupSource,
	locals []domain.Group) (store.HarvestPlan, error) {
	p := store.HarvestPlan{FeedID: feed.ID, Rejected: rejected}
	byKey := make(map[string]store.GroupSource, len(sources))
	active := 0
	for _, s := range sources {
		byKey[s.Key] = s
		if s.RemovedAt.IsZero() {
			active++
		}
	}
	seen := map[string]bool{}
	linked := map[string]bool{}
	for _, it := range items {
		seen[it.Key] = true
		src, ok := byKey[it.Key]
		if !ok {
			if l, found := sameListing(it.Group, locals, linked); found {
				linked[l.ID] = true
				p.Link = append(p.Link, store.HarvestTarget{HarvestItem: it, GroupID: l.ID})
				continue
			}
			p.Create = append(p.Create, it)
			continue
		}
		if src.Group.ID == "" {
			p.Rejected = append(p.Rejected, store.HarvestNote{Key: it.Key, Detail: "its group no longer exists here"})
			continue
		}
		feedHash, cur := store.HarvestHash(it.Group), store.HarvestHash(src.Group)
		t := store.HarvestTarget{HarvestItem: it, GroupID: src.Group.ID, Base: cur}
		switch {
		case !src.RemovedAt.IsZero():
			p.Update = append(p.Update, t) // back in the feed
		case feedHash == src.Hash || feedHash == cur:
			p.Unchanged++
		case cur != src.Hash:
			p.Conflict = append(p.Conflict, t)
		default:
			p.Update = append(p.Update, t)
		}
	}
	for _, s := range sources {
		if !seen[s.Key] && s.RemovedAt.IsZero() && s.Group.ID != "" {
			p.Remove = append(p.Remove, store.HarvestNote{Key: s.Key, GroupID: s.Group.ID, Detail: "no longer in the feed"})
		}
	}
	if len(p.Remove) > 0 && len(p.Remove)*2 > active && !feed.AllowMassRemoval {
		return p, fail(ErrMassRemoval, "%d of the feed's %d groups are gone from it; more than half at once is "+
			"refused as suspicious (allow it on the feed if it is meant)", len(p.Remove), active)
	}
	return p, nil
}

// sameListing finds a local listing that is the feed's group: the same
// name, the same schedule (weekday, time and rule) and the same place
// (venue, or municipality).
func sameListing(g domain.Group, locals []domain.Group, taken map[string]bool) (domain.Group, bool) {
	for _, l := range locals {
		if taken[l.ID] || domain.Fold(l.Name.In("nb")) != domain.Fold(g.Name.In("nb")) {
			continue
		}
		if !sameWhen(l.Schedule, g.Schedule) {
			continue
		}
		if (g.VenueID != "" && l.VenueID == g.VenueID) || (l.MunicipalityID != "" && l.MunicipalityID == g.MunicipalityID) {
			return l, true
		}
	}
	return domain.Group{}, false
}

func sameWhen(a, b domain.Schedule) bool {
	if a.Start.IsZero() || b.Start.IsZero() {
		return a.Start.IsZero() && b.Start.IsZero()
	}
	return a.RRule == b.RRule && a.LocalStart().Weekday() == b.LocalStart().Weekday() &&
		a.LocalStart().Format("15:04") == b.LocalStart().Format("15:04")
}

// Harvester runs feeds.
type Harvester struct {
	Store   *store.Store
	Logger  *slog.Logger
	Options Options
}

// Run harvests one feed now and records the run: on success the changes,
// on any error the error alone (the feed's groups stay as they were). The
// error returned is the run's, or the store's if it could not record it.
func (h *Harvester) Run(ctx context.Context, feed store.Feed) (store.HarvestRun, error) {
	o := h.Options.withDefaults()
	logger := h.Logger
	if logger == nil {
		logger = slog.Default()
	}
	ctx = store.WithActor(ctx, store.Actor{ID: store.HarvestActor})
	started := o.Now().UTC()
	plan, err := h.plan(ctx, feed, o)
	var run store.HarvestRun
	if err == nil {
		plan.StartedAt = started
		run, err = h.Store.ApplyHarvest(ctx, plan)
		if err != nil && ctx.Err() == nil {
			err = fail("apply", "the changes could not be written: %v", err)
		}
	}
	if err != nil {
		if ctx.Err() != nil {
			return run, ctx.Err()
		}
		run, ferr := h.Store.FailHarvest(context.WithoutCancel(ctx), feed.ID, started, err.Error())
		if ferr != nil {
			// The store itself fails: the job's error, not the feed's.
			return run, fmt.Errorf("harvest: recording the failure of feed %s: %w", feed.ID, ferr)
		}
		logger.Warn("harvest: feed failed", "feed", feed.ID, "err", CodeOf(err.Error()))
		return run, err
	}
	logger.Info("harvest: run", "feed", feed.ID, "created", run.Created, "updated", run.Updated, "removed", run.Removed,
		"unchanged", run.Unchanged, "conflicts", run.Conflicts, "linked", len(plan.Link), "rejected", len(plan.Rejected))
	return run, nil
}

func (h *Harvester) plan(ctx context.Context, feed store.Feed, o Options) (store.HarvestPlan, error) {
	sources, err := h.Store.FeedSources(ctx, feed.ID)
	if err != nil {
		return store.HarvestPlan{}, err
	}
	etag, lm := feed.ETag, feed.LastModified
	resp, err := Fetch(ctx, feed.URL, feed.Format, etag, lm, o)
	if err != nil {
		return store.HarvestPlan{}, err
	}
	if resp.NotModified {
		p := store.HarvestPlan{FeedID: feed.ID, ETag: etag, LastModified: lm}
		for _, s := range sources {
			if s.RemovedAt.IsZero() {
				p.Unchanged++
			}
		}
		return p, nil
	}
	body := resp.Body
	if feed.Format == store.FeedHSDS {
		if body, err = h.allPages(ctx, feed, body, o); err != nil {
			return store.HarvestPlan{}, err
		}
	}
	ref, err := h.ref(ctx, feed, o)
	if err != nil {
		return store.HarvestPlan{}, err
	}
	items, rejected, err := Parse(body, ref)
	if err != nil {
		return store.HarvestPlan{}, err
	}
	groups, err := h.Store.GroupsOfOrganisation(ctx, feed.OrgID)
	if err != nil {
		return store.HarvestPlan{}, err
	}
	harvested, err := h.Store.HarvestedGroupIDs(ctx, feed.OrgID)
	if err != nil {
		return store.HarvestPlan{}, err
	}
	var locals []domain.Group
	for _, g := range groups {
		if !harvested[g.ID] && g.Status != domain.StatusEnded {
			locals = append(locals, g)
		}
	}
	p, err := Plan(feed, items, rejected, sources, locals)
	p.ETag, p.LastModified = resp.ETag, resp.LastModified
	return p, err
}

// allPages reads the further pages of an HSDS list (?page=2…, at most
// MaxPages) and returns one document with every service.
func (h *Harvester) allPages(ctx context.Context, feed store.Feed, first []byte, o Options) ([]byte, error) {
	n := hsdsPages(first)
	if n <= 1 {
		return first, nil
	}
	if n > MaxPages {
		return nil, fail(ErrTooLarge, "the HSDS list has %d pages, more than the %d read in one run", n, MaxPages)
	}
	var all []json.RawMessage
	add := func(body []byte) error {
		var top struct {
			Contents []json.RawMessage `json:"contents"`
		}
		if err := json.Unmarshal(body, &top); err != nil {
			return fail(ErrNotFeed, "an HSDS page is not JSON: %s", shorten(err.Error(), 200))
		}
		all = append(all, top.Contents...)
		return nil
	}
	if err := add(first); err != nil {
		return nil, err
	}
	u, _ := url.Parse(feed.URL)
	for i := 2; i <= n; i++ {
		q := u.Query()
		q.Set("page", strconv.Itoa(i))
		u.RawQuery = q.Encode()
		resp, err := Fetch(ctx, u.String(), feed.Format, "", "", o)
		if err != nil {
			return nil, err
		}
		if err := add(resp.Body); err != nil {
			return nil, err
		}
		if int64(len(all)) > o.MaxBytes/64 {
			return nil, fail(ErrTooLarge, "the HSDS list has more services than one run reads")
		}
	}
	b, err := json.Marshal(map[string]any{"contents": all})
	if err != nil {
		return nil, fmt.Errorf("harvest: %w", err)
	}
	return b, nil
}

func (h *Harvester) ref(ctx context.Context, feed store.Feed, o Options) (Ref, error) {
	ref := Ref{Feed: feed, Now: o.Now()}
	var err error
	if ref.Munis, err = h.Store.Municipalities(ctx); err != nil {
		return ref, err
	}
	venues, err := h.Store.Venues(ctx)
	if err != nil {
		return ref, err
	}
	for _, v := range venues {
		if v.OrgID == feed.OrgID {
			ref.Venues = append(ref.Venues, v)
		}
	}
	if feed.Format == store.FeedCSV {
		c := &csvio.Ref{Allowed: map[string]bool{feed.OrgID: true}, Default: feed.OrgID, Munis: ref.Munis,
			Venues: ref.Venues, Now: ref.Now}
		if c.Orgs, err = h.Store.Organisations(ctx); err != nil {
			return ref, err
		}
		if c.Themes, err = h.Store.Themes(ctx); err != nil {
			return ref, err
		}
		if c.Models, err = h.Store.Models(ctx); err != nil {
			return ref, err
		}
		ref.CSV = c
	}
	return ref, nil
}

// RunDue harvests every feed that is due, one after another, and returns
// how many ran and how many failed. It stops when ctx ends.
func (h *Harvester) RunDue(ctx context.Context) (ran, failed int, err error) {
	o := h.Options.withDefaults()
	feeds, err := h.Store.DueFeeds(ctx, o.Now())
	if err != nil {
		return 0, 0, err
	}
	for _, f := range feeds {
		if ctx.Err() != nil {
			return ran, failed, ctx.Err()
		}
		ran++
		if _, err := h.Run(ctx, f); err != nil {
			var he *Error
			if !errors.As(err, &he) {
				return ran, failed + 1, err // the store, not the feed
			}
			failed++
		}
	}
	return ran, failed, nil
}
