package meetingguide

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/finder"
	"github.com/fellesrom/fellesrom/internal/store"
)

// Path is where the feed is served.
const Path = "/feeds/meeting-guide.json"

// entry is one meeting as the format writes it.
type entry struct {
	Name                 string   `json:"name"`
	Slug                 string   `json:"slug"`
	Day                  any      `json:"day,omitempty"` // a number, or an array of numbers
	Time                 string   `json:"time,omitempty"`
	EndTime              string   `json:"end_time,omitempty"`
	TimeZone             string   `json:"timezone,omitempty"`
	Types                []string `json:"types,omitempty"`
	Location             string   `json:"location,omitempty"`
	FormattedAddress     string   `json:"formatted_address,omitempty"`
	Address              string   `json:"address,omitempty"`
	City                 string   `json:"city,omitempty"`
	State                string   `json:"state,omitempty"`
	PostalCode           string   `json:"postal_code,omitempty"`
	Country              string   `json:"country,omitempty"`
	Latitude             *float64 `json:"latitude,omitempty"`
	Longitude            *float64 `json:"longitude,omitempty"`
	Approximate          string   `json:"approximate,omitempty"`
	Region               string   `json:"region,omitempty"`
	Regions              []string `json:"regions,omitempty"`
	ConferenceURL        string   `json:"conference_url,omitempty"`
	ConferenceURLNotes   string   `json:"conference_url_notes,omitempty"`
	ConferencePhone      string   `json:"conference_phone,omitempty"`
	ConferencePhoneNotes string   `json:"conference_phone_notes,omitempty"`
	Notes                string   `json:"notes,omitempty"`
	LocationNotes        string   `json:"location_notes,omitempty"`
	Group                string   `json:"group,omitempty"`
	GroupNotes           string   `json:"group_notes,omitempty"`
	Updated              string   `json:"updated,omitempty"`
	URL                  string   `json:"url,omitempty"`
	Entity               string   `json:"entity,omitempty"`
	EntityURL            string   `json:"entity_website_url,omitempty"`
}

// entry is the meeting as written; base is put before a URL that starts
// with "/".
func (m *Meeting) entry(base string) entry {
	e := entry{Name: m.Name, Slug: m.Slug, Time: m.Time, EndTime: m.EndTime, TimeZone: m.TimeZone,
		Types: m.Types, Location: m.Location, FormattedAddress: m.FormattedAddress, Address: m.Address,
		City: m.City, State: m.State, PostalCode: m.PostalCode, Country: m.Country,
		ConferenceURL: m.ConferenceURL, ConferenceURLNotes: m.ConferenceURLNotes,
		ConferencePhone: m.ConferencePhone, ConferencePhoneNotes: m.ConferencePhoneNotes,
		Notes: m.Notes, LocationNotes: m.LocationNotes, Group: m.Group, GroupNotes: m.GroupNotes,
		URL: m.URL, Entity: m.Entity, EntityURL: m.EntityURL}
	switch len(m.Days) {
	case 0:
	case 1:
		e.Day = int(m.Days[0])
	default:
		ds := make([]int, len(m.Days))
		for i, d := range m.Days {
			ds[i] = int(d)
		}
		e.Day = ds
	}
	if m.HasCoordinates {
		lat, lon := m.Latitude, m.Longitude
		e.Latitude, e.Longitude = &lat, &lon
	}
	if m.Approximate {
		e.Approximate = "yes"
	}
	switch len(m.Regions) {
	case 0:
	case 1:
		e.Region = m.Regions[0]
	default:
		e.Regions = m.Regions
	}
	if !m.Updated.IsZero() {
		e.Updated = m.Updated.UTC().Format(UpdatedLayout)
	}
	if strings.HasPrefix(e.URL, "/") {
		e.URL = base + e.URL
	}
	return e
}

// Encode writes meetings as a feed, one entry at a time (the feed is never
// built whole in memory). base is the site's origin, put before group page
// paths.
func Encode(w io.Writer, base string, meetings []Meeting) error {
	bw := bufio.NewWriterSize(w, 32<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	if _, err := bw.WriteString("["); err != nil {
		return err
	}
	for i := range meetings {
		if i > 0 {
			if err := bw.WriteByte(','); err != nil {
				return err
			}
		}
		if err := enc.Encode(meetings[i].entry(base)); err != nil {
			return err
		}
	}
	if _, err := bw.WriteString("]\n"); err != nil {
		return err
	}
	return bw.Flush()
}

// feedStatuses are the statuses whose meetings the feed lists: a paused
// group does not meet, an ended one is gone.
var feedStatuses = []domain.Status{domain.StatusPlanned, domain.StatusRecruiting, domain.StatusStarting, domain.StatusRunning}

// dayCodes name the days in slugs of groups that meet on several days.
var dayCodes = [...]string{"su", "mo", "tu", "we", "th", "fr", "sa"}

// Meetings returns the feed's meetings for groups: one per weekday of every
// open meeting whose place is public (domain.AddressVisible, the rule the
// finder's listings follow) or whose way to join online is public
// (domain.OnlineVisible: a link or a number; never a closed group's), in
// the order of groups. A group whose meeting place is hidden and that has
// no public link never appears. Texts are in Bokmål with the usual
// fallback. URLs are paths ("/gruppe/slug"); Encode adds the origin.
func Meetings(cat *finder.Catalog, groups []domain.Group) []Meeting {
	var out []Meeting
	for i := range groups {
		out = appendGroup(out, cat, &groups[i])
	}
	return out
}

func appendGroup(out []Meeting, cat *finder.Catalog, g *domain.Group) []Meeting {
	if g.Join != domain.JoinJustCome || !slices.Contains(feedStatuses, g.Status) {
		return out
	}
	model, ok := cat.ModelByID[g.ModelID]
	if !ok {
		return out
	}
	v, ok := cat.VenueByID[g.VenueID]
	place := ok && g.Format != domain.FormatTelephone && g.Format != domain.FormatVideo && domain.AddressVisible(*g, model, v)
	// The format needs a link or a number for an online meeting; a note
	// alone ("call the house") does not make one.
	online := domain.OnlineVisible(*g, model) && (g.OnlineURL != "" || g.OnlinePhone != "")
	if !place && !online {
		return out
	}
	if !place {
		v = domain.Venue{}
	}
	m := Meeting{
		Name:     g.Name.In("nb"),
		TimeZone: g.Schedule.TZ,
		Types:    Types(*g, model, v),
		Notes:    g.Description.In("nb"),
		URL:      "/gruppe/" + g.Slug,
		Updated:  g.UpdatedAt.UTC().Truncate(time.Second),
	}
	if m.TimeZone == "" {
		m.TimeZone = domain.DefaultTimeZone
	}
	if place {
		m.Location = v.Name
		m.Address, m.City, m.PostalCode, m.Country = v.Street, v.City, v.PostalCode, "NO"
		m.FormattedAddress = formatAddress(v)
		if v.HasCoordinates {
			m.Latitude, m.Longitude, m.HasCoordinates = v.Lat, v.Lon, true
		}
		m.LocationNotes = v.Directions.In("nb")
	}
	if online {
		m.ConferenceURL, m.ConferencePhone = g.OnlineURL, g.OnlinePhone
		if g.OnlineURL != "" {
			m.ConferenceURLNotes = g.OnlineNotes
		}
		if g.OnlinePhone != "" {
			m.ConferencePhoneNotes = g.OnlineNotes
		}
	}
	muni := g.MunicipalityID
	if muni == "" {
		muni = v.MunicipalityID
	}
	if mu, ok := cat.MunicipalityBy[muni]; ok {
		m.Regions = []string{mu.Name}
	}
	if o, ok := cat.OrgByID[g.OrgID]; ok {
		m.Group = o.Name
	}
	days := g.Schedule.Weekdays()
	if len(days) == 0 || g.Schedule.Start.IsZero() {
		m.Slug = g.Slug
		return append(out, m) // by appointment
	}
	start := g.Schedule.LocalStart()
	m.Time = start.Format("15:04")
	if g.Schedule.DurationMin > 0 {
		m.EndTime = start.Add(time.Duration(g.Schedule.DurationMin) * time.Minute).Format("15:04")
	}
	for _, d := range days {
		e := m
		e.Days = []time.Weekday{d}
		e.Slug = g.Slug
		if len(days) > 1 {
			e.Slug = g.Slug + "-" + dayCodes[d]
		}
		out = append(out, e)
	}
	return out
}

func formatAddress(v domain.Venue) string {
	var parts []string
	if v.Street != "" {
		parts = append(parts, v.Street)
	}
	if pc := strings.TrimSpace(v.PostalCode + " " + v.City); pc != "" {
		parts = append(parts, pc)
	}
	if len(parts) == 0 {
		return ""
	}
	return strings.Join(append(parts, "Norway"), ", ")
}

// Feed serves the feed from a snapshot of the meetings that is rebuilt when
// the directory version changes; every answer carries an ETag of the version
// and the origin, and If-None-Match gives 304.
type Feed struct {
	st   *store.Store
	f    *finder.Finder
	base func(*http.Request) (string, error)
	log  func(r *http.Request, err error)

	mu   sync.Mutex
	snap *snapshot
}

type snapshot struct {
	version  int64
	meetings []Meeting
}

// NewFeed returns the feed's handler. base gives the site's origin for a
// request; logErr reports a failure (without personal data: there is none).
func NewFeed(st *store.Store, f *finder.Finder, base func(*http.Request) (string, error), logErr func(*http.Request, error)) *Feed {
	return &Feed{st: st, f: f, base: base, log: logErr}
}

// snapshot returns meetings at least as new as version.
func (fd *Feed) snapshot(ctx context.Context, version int64) (*snapshot, error) {
	fd.mu.Lock()
	defer fd.mu.Unlock()
	if fd.snap != nil && fd.snap.version >= version {
		return fd.snap, nil
	}
	cat, err := fd.f.Catalog(ctx)
	if err != nil {
		return nil, err
	}
	groups, err := fd.st.AllGroups(ctx)
	if err != nil {
		return nil, err
	}
	fd.snap = &snapshot{version: cat.Version, meetings: Meetings(cat, groups)}
	return fd.snap, nil
}

func etag(version int64, base string) string {
	return fmt.Sprintf(`"mg-%d-%08x"`, version, crc32.ChecksumIEEE([]byte(base)))
}

func (fd *Feed) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	fail := func(err error) {
		if fd.log != nil {
			fd.log(r, err)
		}
		http.Error(w, "the feed is not available just now", http.StatusInternalServerError)
	}
	base, err := fd.base(r)
	if err != nil {
		fail(err)
		return
	}
	ctx := r.Context()
	version, err := fd.st.DirectoryVersion(ctx)
	if err != nil {
		fail(err)
		return
	}
	h := w.Header()
	h.Set("Cache-Control", "public, max-age=300")
	h.Set("Access-Control-Allow-Origin", "*")
	if match(r.Header.Get("If-None-Match"), etag(version, base)) {
		h.Set("ETag", etag(version, base))
		w.WriteHeader(http.StatusNotModified)
		return
	}
	snap, err := fd.snapshot(ctx, version)
	if err != nil {
		fail(err)
		return
	}
	h.Set("ETag", etag(snap.version, base))
	h.Set("Content-Type", "application/json; charset=utf-8")
	if r.Method == http.MethodHead {
		return
	}
	if err := Encode(w, base, snap.meetings); err != nil && fd.log != nil {
		fd.log(r, err) // the client went away, most likely
	}
}

// match reports whether an If-None-Match header names tag (or is "*").
func match(header, tag string) bool {
	for t := range strings.SplitSeq(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == tag {
			return true
		}
	}
	return false
}
