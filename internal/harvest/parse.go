package harvest

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fellesrom/fellesrom/internal/csvio"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/hsds"
	"github.com/fellesrom/fellesrom/internal/meetingguide"
	"github.com/fellesrom/fellesrom/internal/store"
)

// Ref is what parsing needs from the directory.
type Ref struct {
	Feed   store.Feed
	Munis  []domain.Municipality
	Venues []domain.Venue // the feed's organisation's
	// CSV is the csvio reference (organisations, themes, models,
	// municipalities, venues; no groups), for a CSV feed.
	CSV *csvio.Ref
	Now time.Time
}

// Parse reads a feed's document into the groups it lists, each with its
// key, and the entries it rejects. The error is for the document as a
// whole (another format than the feed's, no usable entry).
func Parse(body []byte, ref Ref) ([]store.HarvestItem, []store.HarvestNote, error) {
	var items []store.HarvestItem
	var rejected []store.HarvestNote
	var err error
	switch ref.Feed.Format {
	case store.FeedMeetingGuide:
		items, rejected, err = parseMeetingGuide(body, ref)
	case store.FeedHSDS:
		var objs []hsds.Object
		if objs, err = decodeHSDS(body); err == nil {
			items, rejected = servicesToGroups(objs, ref)
		}
	case store.FeedCSV:
		items, rejected, err = parseCSV(body, ref)
	default:
		err = fail(ErrNotFeed, "unknown feed format %q", ref.Feed.Format)
	}
	if err != nil {
		return nil, nil, err
	}
	// What the store would refuse is rejected here, with its reason.
	kept := items[:0]
	seen := map[string]bool{}
	for _, it := range items {
		switch {
		case it.Key == "":
			rejected = append(rejected, store.HarvestNote{Key: "?", Detail: "an entry without a key"})
		case seen[it.Key]:
			rejected = append(rejected, store.HarvestNote{Key: it.Key, Detail: "the key appears twice in the feed"})
		default:
			if err := store.ValidateGroup(&it.Group); err != nil {
				rejected = append(rejected, store.HarvestNote{Key: it.Key, Detail: err.Error()})
				continue
			}
			seen[it.Key] = true
			kept = append(kept, it)
		}
	}
	if len(kept) == 0 && len(rejected) > 0 {
		return nil, rejected, fail(ErrNoUsable, "none of the feed's %d entries could be used; the first: %s",
			len(rejected), shorten(rejected[0].Key+": "+rejected[0].Detail, 300))
	}
	return kept, rejected, nil
}

// base is a new group of the feed with the defaults every format starts
// from.
func base(ref Ref) domain.Group {
	return domain.Group{OrgID: ref.Feed.OrgID, ModelID: ref.Feed.ModelID, Format: domain.FormatInPerson,
		AgeGroup: domain.AgeAdults, Gender: domain.GenderEveryone, Status: domain.StatusRunning, TakesNewMembers: true,
		Join: domain.JoinJustCome, MunicipalityID: ref.Feed.MunicipalityID}
}

func parseMeetingGuide(body []byte, ref Ref) ([]store.HarvestItem, []store.HarvestNote, error) {
	ms, problems, err := meetingguide.Parse(bytes.NewReader(body), int64(len(body))+1)
	if err != nil {
		return nil, nil, fail(ErrNotFeed, "not a Meeting Guide feed (a JSON array of meetings): %s",
			shorten(strings.TrimPrefix(err.Error(), "meeting guide feed: "), 200))
	}
	kept := map[string]bool{}
	for _, m := range ms {
		kept[m.Slug] = true
	}
	var rejected []store.HarvestNote
	noted := map[string]bool{}
	for _, p := range problems {
		if kept[p.Slug] && p.Slug != "" {
			continue // a meeting kept with an oddity
		}
		key := p.Slug
		if key == "" {
			key = "#" + strconv.Itoa(p.Index+1)
		}
		if noted[key] {
			continue
		}
		noted[key] = true
		rejected = append(rejected, store.HarvestNote{Key: key, Detail: shorten(p.Field+": "+p.Reason, 300)})
	}
	if len(ms) == 0 && len(rejected) == 0 && len(bytes.TrimSpace(body)) > 2 {
		return nil, nil, fail(ErrNotFeed, "no meetings in the feed")
	}
	ims, _ := meetingguide.ToGroups(ms, meetingguide.ImportOptions{Source: "", ModelID: ref.Feed.ModelID,
		OrgID: ref.Feed.OrgID, Municipality: municipalityFinder(ref.Munis), Now: ref.Now})
	items := make([]store.HarvestItem, 0, len(ims))
	for _, im := range ims {
		g := im.Group
		g.Slug = strings.TrimPrefix(g.Slug, "-")
		if g.Slug == "" {
			g.Slug = "mote"
		}
		g.UpdatedAt = time.Time{}
		if g.MunicipalityID == "" {
			g.MunicipalityID = ref.Feed.MunicipalityID
		}
		if im.TempClosed {
			g.Status = domain.StatusPaused
		}
		g.OnlineURL, g.OnlinePhone = im.ConferenceURL, im.ConferencePhone
		var venue *domain.Venue
		if im.HasVenue {
			nv := im.Venue
			if nv.MunicipalityID == "" {
				nv.MunicipalityID = g.MunicipalityID
			}
			venue = &nv
			for _, v := range ref.Venues {
				if domain.Fold(v.Name) == domain.Fold(im.Venue.Name) &&
					(im.Venue.Street == "" || domain.Fold(v.Street) == domain.Fold(im.Venue.Street)) {
					g.VenueID, venue = v.ID, nil
					if g.MunicipalityID == "" {
						g.MunicipalityID = v.MunicipalityID
					}
					break
				}
			}
		}
		items = append(items, store.HarvestItem{Key: strings.TrimPrefix(im.Key, "#"), Group: g, Venue: venue})
	}
	return items, rejected, nil
}

// municipalityFinder finds a municipality by a region's or the city's
// name (the narrowest that matches).
func municipalityFinder(ms []domain.Municipality) func([]string, string) string {
	byName := map[string]string{}
	for _, m := range ms {
		byName[domain.Fold(m.Name)] = m.ID
	}
	return func(regions []string, city string) string {
		for _, n := range append([]string{city}, reverse(regions)...) {
			if id, ok := byName[domain.Fold(strings.TrimSpace(n))]; ok && n != "" {
				return id
			}
		}
		return ""
	}
}

func reverse(xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[len(xs)-1-i] = x
	}
	return out
}

// decodeHSDS reads a page of HSDS services (or one service).
func decodeHSDS(body []byte) ([]hsds.Object, error) {
	objs, err := hsds.Decode("service", body)
	if err != nil {
		return nil, fail(ErrNotFeed, "not an HSDS service list: %s",
			shorten(strings.TrimPrefix(err.Error(), hsds.ErrDocument.Error()+": "), 200))
	}
	return objs, nil
}

// hsdsPages reads total_pages of an HSDS page ("contents" with paging).
func hsdsPages(body []byte) int {
	var top struct {
		TotalPages json.Number `json:"total_pages"`
	}
	if json.Unmarshal(body, &top) != nil {
		return 1
	}
	n, err := strconv.Atoi(top.TotalPages.String())
	if err != nil || n < 1 {
		return 1
	}
	return n
}

// servicesToGroups maps the services of an HSDS feed to groups of the
// feed (hsds.ToGroup, the mapping the HSDS import uses).
func servicesToGroups(objs []hsds.Object, ref Ref) ([]store.HarvestItem, []store.HarvestNote) {
	var items []store.HarvestItem
	var rejected []store.HarvestNote
	for _, o := range objs {
		sv, ok := o.Value.(*hsds.Service)
		if !ok {
			continue
		}
		g := base(ref)
		g.Slug = slug(sv.Name)
		g, err := hsds.ToGroup(sv, g, nil, ref.Now)
		if err != nil {
			rejected = append(rejected, store.HarvestNote{Key: sv.ID, Detail: err.Error()})
			continue
		}
		items = append(items, store.HarvestItem{Key: sv.ID, Group: g})
	}
	return items, rejected
}

// slug makes a slug of a name (domain.ShortSlug), "gruppe" if nothing of
// it is left.
func slug(name string) string {
	if s := domain.ShortSlug(name); s != "" {
		return s
	}
	return "gruppe"
}

func parseCSV(body []byte, ref Ref) ([]store.HarvestItem, []store.HarvestNote, error) {
	if ref.CSV == nil {
		return nil, nil, errors.New("harvest: a CSV feed needs the directory")
	}
	if t := bytes.TrimSpace(body); len(t) > 0 && (t[0] == '<' || t[0] == '{' || t[0] == '[') {
		return nil, nil, fail(ErrNotFeed, "not a CSV file (it starts like HTML or JSON)")
	}
	t, err := csvio.Decode(bytes.NewReader(body))
	if err != nil {
		return nil, nil, fail(ErrNotFeed, "not a CSV file: %s", shorten(err.Error(), 200))
	}
	fillDefaults(t, ref)
	p := csvio.PlanGroups(t, ref.CSV)
	if len(p.Missing) > 0 {
		return nil, nil, fail(ErrNotFeed, "the CSV file lacks the column(s) %s", strings.Join(p.Missing, ", "))
	}
	var items []store.HarvestItem
	var rejected []store.HarvestNote
	for i, row := range p.Rows {
		key := ""
		if i < len(t.Rows) {
			key, _ = t.Get(t.Rows[i], "external_id")
		}
		if key == "" {
			key = "line " + strconv.Itoa(row.Line)
			if row.Group != nil {
				key = "name:" + domain.Fold(row.Group.Name.In("nb")) + "|" + row.Group.MunicipalityID
			}
		}
		if row.Action == csvio.Reject || row.Group == nil {
			var why []string
			for _, pr := range row.Problems {
				w := pr.Column + " (" + pr.Message + ")"
				if pr.Value != "" {
					w += ": " + shorten(pr.Value, 80)
				}
				why = append(why, strings.TrimSpace(w))
			}
			rejected = append(rejected, store.HarvestNote{Key: key, Detail: "line " + strconv.Itoa(row.Line) + ": " +
				strings.Join(why, ", ")})
			continue
		}
		g := *row.Group
		g.ID, g.OrgID = "", ref.Feed.OrgID
		if g.ModelID == "" {
			g.ModelID = ref.Feed.ModelID
		}
		if g.MunicipalityID == "" {
			g.MunicipalityID = ref.Feed.MunicipalityID
		}
		items = append(items, store.HarvestItem{Key: key, Group: g})
	}
	return items, rejected, nil
}

// fillDefaults fills the feed's model and municipality into the rows that
// name none (the layout requires a model for a new group, and an
// in-person group needs a place; a feed has its own of both).
func fillDefaults(t *csvio.Table, ref Ref) {
	model := ""
	for _, m := range ref.CSV.Models {
		if m.ID == ref.Feed.ModelID {
			model = m.Slug
		}
	}
	for col, val := range map[string]string{"model": model, "municipality": ref.Feed.MunicipalityID} {
		if val == "" {
			continue
		}
		i := slices.Index(t.Header, col)
		if i < 0 {
			t.Header = append(t.Header, col)
			i = len(t.Header) - 1
		}
		for j := range t.Rows {
			r := &t.Rows[j]
			for len(r.Fields) <= i {
				r.Fields = append(r.Fields, "")
			}
			if strings.TrimSpace(r.Fields[i]) == "" {
				r.Fields[i] = val
			}
		}
	}
}
