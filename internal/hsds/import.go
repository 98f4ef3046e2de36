package hsds

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
)

// The mapping HSDS → directory, used by Import and by the harvest of HSDS
// feeds: organization → organisation, location → venue (a virtual location
// → a telephone or video group's online fields), service → group,
// schedule → schedule, taxonomy terms → the themes they name.

// Status of a service → status of a group.
var groupStatus = map[string]domain.Status{"active": domain.StatusRunning, "inactive": domain.StatusPaused,
	"defunct": domain.StatusEnded, "temporarily closed": domain.StatusPaused}

// ErrStatus is wrapped by ToGroup's error for a status it does not know.
var ErrStatus = errors.New("unknown status")

// ToGroup maps a service onto g (a new group's defaults, or the group as
// stored when it is imported again): name, description, status, languages,
// format and online fields (from its locations), schedule (the first one
// fellesrom can read), age, and the themes among themes its attributes
// name. A group without a slug gets one of its name.
func ToGroup(sv *Service, g domain.Group, themes []domain.Theme, now time.Time) (domain.Group, error) {
	st, ok := groupStatus[strings.ToLower(sv.Status)]
	if !ok {
		s := sv.Status
		if len(s) > 40 {
			s = s[:40]
		}
		return g, fmt.Errorf("%w %q", ErrStatus, s)
	}
	g.Status = st
	if g.Slug == "" {
		if g.Slug = domain.ShortSlug(sv.Name); g.Slug == "" {
			g.Slug = "gruppe"
		}
	}
	g.Name = domain.Text{"nb": strings.TrimSpace(sv.Name)}
	g.Description = nil
	if sv.Description != "" {
		g.Description = domain.Text{"nb": sv.Description}
	}
	g.Languages = nil
	for _, l := range sv.Languages {
		if c := strings.ToLower(l.Code); domain.ValidLanguage(c) {
			g.Languages = append(g.Languages, c)
		}
	}
	if len(g.Languages) == 0 {
		g.Languages = []string{"nb"}
	}
	if sv.MinimumAge != nil && *sv.MinimumAge == 18 {
		g.AgeGroup = domain.AgeAdults
		if sv.MaximumAge != nil && *sv.MaximumAge == 30 {
			g.AgeGroup = domain.AgeYoungAdults
		}
	}
	physical, virtual := false, false
	for _, sal := range sv.ServiceAtLocations {
		if sal.Location == nil {
			physical = true
			continue
		}
		if sal.Location.LocationType != "virtual" {
			physical = true
			continue
		}
		virtual = true
		if u := strings.TrimSpace(sal.Location.URL); domain.ValidOnlineURL(u) && g.OnlineURL == "" {
			g.OnlineURL = u
		}
		for _, p := range sal.Location.Phones {
			if n := domain.NormalisePhone(p.Number); domain.ValidPhone(n) && g.OnlinePhone == "" {
				g.OnlinePhone = n
			}
		}
	}
	switch {
	case physical && virtual:
		g.Format = domain.FormatHybrid
	case virtual && g.OnlineURL == "" && g.OnlinePhone != "":
		g.Format = domain.FormatTelephone
	case virtual:
		g.Format = domain.FormatVideo
	}
	for _, s := range sv.Schedules {
		if sch, ok := ToSchedule(s, now); ok {
			g.Schedule = sch
			break
		}
	}
	if themes != nil {
		g.ThemeIDs = nil
		for _, a := range sv.Attributes {
			if id, ok := matchTheme(a, themes); ok {
				g.ThemeIDs = append(g.ThemeIDs, id)
			}
		}
	}
	return g, nil
}

// matchTheme finds the theme an attribute names: by the term's id, its
// code (a theme's slug) or its name in any language.
func matchTheme(a Attribute, themes []domain.Theme) (string, bool) {
	var code, name string
	id := a.TaxonomyTermID
	if a.TaxonomyTerm != nil {
		code, name = a.TaxonomyTerm.Code, a.TaxonomyTerm.Name
		if id == "" {
			id = a.TaxonomyTerm.ID
		}
	}
	for _, t := range themes {
		if !t.Active {
			continue
		}
		if id != "" && t.ID == id || code != "" && strings.EqualFold(t.Slug, code) {
			return t.ID, true
		}
		for _, n := range t.Name {
			if name != "" && strings.EqualFold(n, name) {
				return t.ID, true
			}
		}
	}
	return "", false
}

// ToSchedule makes a fellesrom schedule of an HSDS one: the zone from
// notes (as fellesrom writes it) or the default, the first meeting on
// dtstart (or the next of its days) at opens_at.
func ToSchedule(s Schedule, now time.Time) (domain.Schedule, bool) {
	if s.OpensAt == "" {
		return domain.Schedule{}, false
	}
	tz := s.Notes
	loc, err := time.LoadLocation(tz)
	if tz == "" || err != nil {
		tz, loc = domain.DefaultTimeZone, nil
		if loc, err = time.LoadLocation(tz); err != nil {
			return domain.Schedule{}, false
		}
	}
	open, err := time.Parse("15:04", s.OpensAt[:min(5, len(s.OpensAt))])
	if err != nil {
		return domain.Schedule{}, false
	}
	var day time.Time
	if s.DTStart != "" {
		if day, err = time.ParseInLocation("2006-01-02", s.DTStart[:min(10, len(s.DTStart))], loc); err != nil {
			return domain.Schedule{}, false
		}
	} else {
		day = now.In(loc)
	}
	start := time.Date(day.Year(), day.Month(), day.Day(), open.Hour(), open.Minute(), 0, 0, loc)
	out := domain.Schedule{TZ: tz}
	if s.Freq != "" {
		rule := "FREQ=" + strings.ToUpper(s.Freq)
		if s.Interval > 1 {
			rule += ";INTERVAL=" + strconv.Itoa(s.Interval)
		}
		if s.ByDay != "" {
			rule += ";BYDAY=" + strings.ToUpper(s.ByDay)
		}
		if s.Count > 0 {
			rule += ";COUNT=" + strconv.Itoa(s.Count)
		}
		out.RRule = rule
		if s.DTStart == "" {
			if r, err := domain.ParseRule(rule); err == nil && len(r.ByDay) > 0 {
				for i := 0; i < 7 && start.Weekday() != r.ByDay[0].Day; i++ {
					start = start.AddDate(0, 0, 1)
				}
			}
		}
	}
	out.Start = start.UTC()
	if s.ClosesAt != "" {
		if cl, err := time.Parse("15:04", s.ClosesAt[:min(5, len(s.ClosesAt))]); err == nil {
			d := (cl.Hour()*60 + cl.Minute()) - (open.Hour()*60 + open.Minute())
			if d <= 0 {
				d += 24 * 60
			}
			out.DurationMin = d
		}
	}
	if out.Validate() != nil {
		return domain.Schedule{}, false
	}
	return out, true
}

// ToOrganisation maps an organization onto o (a new one, or as stored):
// name, description, email, website and its first phone.
func ToOrganisation(org *Organization, o domain.Organisation) domain.Organisation {
	o.Name = strings.TrimSpace(org.Name)
	if o.Slug == "" {
		if o.Slug = domain.ShortSlug(org.Name); o.Slug == "" {
			o.Slug = "organisasjon"
		}
	}
	if o.Kind == "" {
		o.Kind = domain.OrgOther
	}
	o.Description = nil
	if org.Description != "" {
		o.Description = domain.Text{"nb": org.Description}
	}
	o.Email, o.Website, o.Phone = org.Email, org.Website, ""
	if len(org.Phones) > 0 {
		o.Phone = org.Phones[0].Number
	}
	return o
}

// accessibilityCodes are the accessibility descriptions fellesrom writes.
var accessibilityCodes = []string{"step_free", "hearing_loop", "accessible_toilet"}

// ToVenue maps a physical location onto v (a new venue, or as stored):
// name, its first address (a physical one if it has one), coordinates
// when they are on the earth, the accessibility fellesrom records, and
// the way there. An imported address is public: its source published it.
func ToVenue(l *Location, v domain.Venue) domain.Venue {
	v.Name = l.Name
	v.Street, v.PostalCode, v.City = "", "", ""
	for i, a := range l.Addresses {
		if i == 0 || a.AddressType == "physical" {
			v.Street, v.PostalCode, v.City = a.Address1, a.PostalCode, a.City
			if a.AddressType == "physical" {
				break
			}
		}
	}
	v.HasCoordinates, v.Lat, v.Lon = false, 0, 0
	if l.Latitude != nil && l.Longitude != nil && *l.Latitude >= -90 && *l.Latitude <= 90 &&
		*l.Longitude >= -180 && *l.Longitude <= 180 {
		v.HasCoordinates, v.Lat, v.Lon = true, *l.Latitude, *l.Longitude
	}
	has := map[string]bool{}
	for _, a := range l.Accessibility {
		has[a.Description] = true
	}
	v.StepFree, v.HearingLoop, v.AccessibleToilet = has[accessibilityCodes[0]], has[accessibilityCodes[1]], has[accessibilityCodes[2]]
	v.Directions = nil
	if l.Transportation != "" {
		v.Directions = domain.Text{"nb": l.Transportation}
	}
	v.AddressPublic = true
	return v
}

// What fellesrom modelled of an imported object (hsds_extra.base): the
// export compares it with the object now, and writes what differs.
type (
	groupBase struct {
		Name, Description      string
		Status                 domain.Status
		Languages, ThemeIDs    []string
		Format                 domain.Format
		AgeGroup               domain.AgeGroup
		OnlineURL, OnlinePhone string
		VenueID                string
		Start                  time.Time
		Minutes                int
		TZ, RRule              string
	}
	orgBase struct {
		Name, Description, Email, Phone, Website, VenueID string
	}
	venueBase struct {
		Name, Street, PostalCode, City          string
		HasCoordinates                          bool
		Lat, Lon                                float64
		StepFree, HearingLoop, AccessibleToilet bool
		Directions                              string
	}
)

func baseOfGroup(g domain.Group) groupBase {
	return groupBase{Name: g.Name.In("nb"), Description: g.Description.In("nb"), Status: g.Status,
		Languages: sortedSet(g.Languages), ThemeIDs: sortedSet(g.ThemeIDs), Format: g.Format, AgeGroup: g.AgeGroup,
		OnlineURL: g.OnlineURL, OnlinePhone: g.OnlinePhone, VenueID: g.VenueID, Start: g.Schedule.Start.UTC(),
		Minutes: g.Schedule.DurationMin, TZ: g.Schedule.TZ, RRule: g.Schedule.RRule}
}

func baseOfOrg(o domain.Organisation) orgBase {
	return orgBase{Name: o.Name, Description: o.Description.In("nb"), Email: o.Email, Phone: o.Phone,
		Website: o.Website, VenueID: o.VenueID}
}

func baseOfVenue(v domain.Venue) venueBase {
	return venueBase{Name: v.Name, Street: v.Street, PostalCode: v.PostalCode, City: v.City,
		HasCoordinates: v.HasCoordinates, Lat: v.Lat, Lon: v.Lon, StepFree: v.StepFree, HearingLoop: v.HearingLoop,
		AccessibleToilet: v.AccessibleToilet, Directions: v.Directions.In("nb")}
}

func sortedSet(xs []string) []string {
	out := make([]string, 0, len(xs))
	seen := map[string]bool{}
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// ImportOptions are what an import needs beyond the document.
type ImportOptions struct {
	ModelID        string // the group model of new groups (required for services)
	MunicipalityID string // of new venues, and of new in-person groups without one
	// OrgID is the organisation of a service whose organization neither
	// the document nor the directory holds; "" refuses such a service.
	OrgID string
	By    string // who imports (audit)
	Now   time.Time
}

// ImportKinds are the kinds of document Import reads.
var ImportKinds = []string{"organization", "service", "location", "service_at_location"}

// LocalID is the fellesrom ID of an imported object: its HSDS id when that
// is a UUID as fellesrom writes them (so the export has the same ids),
// otherwise one derived from it, the same at every import.
func LocalID(kind, hsdsID string) string {
	if store.ValidID(hsdsID) {
		return hsdsID
	}
	return derivedID("import", kind, hsdsID)
}

// Import reads an HSDS document — one object or a page of them, of kind
// "organization" (with its locations and services), "service" (with its
// organization and locations), "location" or "service_at_location"
// (its service and its location) — and writes it into the
// directory in one transaction, keeping each object's original so that the
// export gives it back. Imported again, the objects are updated in place.
// A document that cannot be read, or an object that cannot be stored,
// changes nothing.
func Import(ctx context.Context, st *store.Store, kind string, data []byte, opt ImportOptions) (store.HSDSImportResult, error) {
	var none store.HSDSImportResult
	switch kind {
	case "organization", "service", "location", "service_at_location":
	default:
		return none, fmt.Errorf("%w: cannot import %q (organization, service, location or service_at_location)", ErrDocument, kind)
	}
	objs, err := Decode(kind, data)
	if err != nil {
		return none, err
	}
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	themes, err := st.Themes(ctx)
	if err != nil {
		return none, err
	}
	im := &importer{ctx: ctx, st: st, opt: opt, themes: themes, orgs: map[string]int{}, venues: map[string]int{}, groups: map[string]int{}}
	for _, o := range objs {
		var err error
		switch v := o.Value.(type) {
		case *Organization:
			_, err = im.org(o.Raw, v, false)
		case *Service:
			_, err = im.service(o.Raw, v, "", nil, nil)
		case *ServiceAtLocation:
			err = im.link(o.Raw, v)
		case *Location:
			_, err = im.venue(o.Raw, v, "", false)
		}
		if err != nil {
			return none, err
		}
	}
	return st.ImportHSDS(ctx, im.imp, opt.By)
}

type importer struct {
	ctx    context.Context
	st     *store.Store
	opt    ImportOptions
	themes []domain.Theme
	imp    store.HSDSImport
	// index in imp of each object by fellesrom ID
	orgs, venues, groups map[string]int
}

func extra(kind, id, hsdsID string, raw map[string]json.RawMessage, base any) (store.HSDSExtra, error) {
	r, err := json.Marshal(raw)
	if err != nil {
		return store.HSDSExtra{}, err
	}
	b, err := json.Marshal(base)
	if err != nil {
		return store.HSDSExtra{}, err
	}
	return store.HSDSExtra{Kind: kind, ID: id, HSDSID: hsdsID, Raw: r, Base: b}, nil
}

// rawList reads the objects of an array field of raw.
func rawList(raw map[string]json.RawMessage, key string) []map[string]json.RawMessage {
	var out []map[string]json.RawMessage
	if json.Unmarshal(raw[key], &out) != nil {
		return nil
	}
	return out
}

func rawObject(raw map[string]json.RawMessage, key string) map[string]json.RawMessage {
	var out map[string]json.RawMessage
	if json.Unmarshal(raw[key], &out) != nil {
		return nil
	}
	return out
}

// org adds an organization (and the locations and services it holds) and
// returns its fellesrom ID.
func (im *importer) org(raw map[string]json.RawMessage, v *Organization, nested bool) (string, error) {
	id := LocalID("organization", v.ID)
	if i, ok := im.orgs[id]; ok {
		if !nested && im.imp.Organisations[i].Nested {
			im.imp.Organisations[i].Nested = false
		}
		return id, nil
	}
	o, err := im.st.Organisation(im.ctx, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		o = domain.Organisation{ID: id}
	case err != nil:
		return "", err
	}
	if strings.TrimSpace(v.Name) == "" {
		return "", fmt.Errorf("%w: organization %s: no name", ErrDocument, v.ID)
	}
	mapped := ToOrganisation(v, o)
	im.orgs[id] = len(im.imp.Organisations)
	im.imp.Organisations = append(im.imp.Organisations, store.HSDSItem[domain.Organisation]{Value: &mapped, Nested: nested})
	i := len(im.imp.Organisations) - 1
	if !nested {
		locs := rawList(raw, "locations")
		for k := range v.Locations {
			if k >= len(locs) || v.Locations[k].LocationType == "virtual" {
				continue
			}
			vid, err := im.venue(locs[k], &v.Locations[k], id, false)
			if err != nil {
				return "", err
			}
			if mapped.VenueID == "" {
				mapped.VenueID = vid
			}
		}
		svcs := rawList(raw, "services")
		for k := range svcs {
			var sv Service
			b, _ := json.Marshal(svcs[k])
			if err := json.Unmarshal(b, &sv); err != nil {
				return "", fmt.Errorf("%w: organization %s: service %d: %v", ErrDocument, v.ID, k, err)
			}
			if sv.ID == "" {
				return "", fmt.Errorf("%w: organization %s: service %d: no id", ErrDocument, v.ID, k)
			}
			if _, err := im.service(svcs[k], &sv, id, nil, nil); err != nil {
				return "", err
			}
		}
	}
	e, err := extra("organization", id, v.ID, raw, baseOfOrg(mapped))
	if err != nil {
		return "", err
	}
	im.imp.Organisations[i].Extra = e
	return id, nil
}

// venue adds a physical location and returns its fellesrom ID.
func (im *importer) venue(raw map[string]json.RawMessage, l *Location, orgID string, nested bool) (string, error) {
	id := LocalID("location", l.ID)
	if _, ok := im.venues[id]; ok {
		return id, nil
	}
	v, err := im.st.Venue(im.ctx, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		v = domain.Venue{ID: id, MunicipalityID: im.opt.MunicipalityID}
	case err != nil:
		return "", err
	}
	if v.MunicipalityID == "" {
		return "", fmt.Errorf("location %s: no municipality to place it in", l.ID)
	}
	if v.OrgID == "" {
		if orgID == "" && l.OrganizationID != "" {
			if _, ok := im.orgs[LocalID("organization", l.OrganizationID)]; ok {
				orgID = LocalID("organization", l.OrganizationID)
			} else if _, err := im.st.Organisation(im.ctx, LocalID("organization", l.OrganizationID)); err == nil {
				orgID = LocalID("organization", l.OrganizationID)
			}
		}
		v.OrgID = orgID
	}
	mapped := ToVenue(l, v)
	e, err := extra("location", id, l.ID, raw, baseOfVenue(mapped))
	if err != nil {
		return "", err
	}
	im.venues[id] = len(im.imp.Venues)
	im.imp.Venues = append(im.imp.Venues, store.HSDSItem[domain.Venue]{Value: &mapped, Extra: e, Nested: nested})
	return id, nil
}

// link adds a service_at_location: its service, meeting at its location.
func (im *importer) link(raw map[string]json.RawMessage, v *ServiceAtLocation) error {
	if v.Service == nil || v.Service.ID == "" || v.Location == nil || v.Location.ID == "" {
		return fmt.Errorf("%w: service_at_location %s: a service and a location, each with an id, are needed", ErrDocument, v.ID)
	}
	gid, err := im.service(rawObject(raw, "service"), v.Service, "", v, rawObject(raw, "location"))
	if err != nil {
		return err
	}
	// Its base is its group's: what the export compares.
	e, err := extra("service_at_location", gid, v.ID, raw, json.RawMessage(im.imp.Groups[im.groups[gid]].Extra.Base))
	if err != nil {
		return err
	}
	im.imp.Links = append(im.imp.Links, e)
	return nil
}

// service adds a service (with its organization and physical locations);
// at is the service_at_location it was read from, if any (its location is
// where the service meets). It returns the group's ID.
func (im *importer) service(raw map[string]json.RawMessage, sv *Service, orgID string, at *ServiceAtLocation,
	atLoc map[string]json.RawMessage) (string, error) {
	id := LocalID("service", sv.ID)
	if _, ok := im.groups[id]; ok {
		return "", fmt.Errorf("%w: service %s appears twice", ErrDocument, sv.ID)
	}
	if orgID == "" && sv.Organization != nil && sv.Organization.ID != "" {
		var err error
		if orgID, err = im.org(rawObject(raw, "organization"), sv.Organization, true); err != nil {
			return "", err
		}
	}
	if orgID == "" && sv.OrganizationID != "" {
		oid := LocalID("organization", sv.OrganizationID)
		if _, ok := im.orgs[oid]; ok {
			orgID = oid
		} else if _, err := im.st.Organisation(im.ctx, oid); err == nil {
			orgID = oid
		}
	}
	if orgID == "" {
		orgID = im.opt.OrgID
	}
	if orgID == "" {
		return "", fmt.Errorf("%w: service %s: its organization is neither in the document nor in the directory", ErrDocument, sv.ID)
	}
	gs, err := im.st.GroupsByID(im.ctx, []string{id})
	if err != nil {
		return "", err
	}
	var g domain.Group
	if len(gs) == 1 {
		g = gs[0]
	} else {
		if im.opt.ModelID == "" {
			return "", errors.New("import: a model for new groups is needed")
		}
		g = domain.Group{ID: id, OrgID: orgID, ModelID: im.opt.ModelID, Format: domain.FormatInPerson,
			AgeGroup: domain.AgeAdults, Gender: domain.GenderEveryone, TakesNewMembers: true,
			Join: domain.JoinJustCome, MunicipalityID: im.opt.MunicipalityID}
	}
	g.OrgID = orgID
	sals := rawList(raw, "service_at_locations")
	places := sv.ServiceAtLocations
	nestedLoc := true
	if at != nil {
		// read from a service_at_location: it is where the service meets
		one := *sv
		one.ServiceAtLocations = []ServiceAtLocation{*at}
		sv, places, sals, nestedLoc = &one, one.ServiceAtLocations, []map[string]json.RawMessage{{"location": mustJSON(atLoc)}}, false
	}
	mapped, err := ToGroup(sv, g, im.themes, im.opt.Now)
	if err != nil {
		return "", fmt.Errorf("%w: service %s: %v", ErrDocument, sv.ID, err)
	}
	mapped.VenueID = ""
	for k, sal := range places {
		if sal.Location == nil || sal.Location.LocationType == "virtual" || k >= len(sals) {
			continue
		}
		vid, err := im.venue(rawObject(sals[k], "location"), sal.Location, orgID, nestedLoc)
		if err != nil {
			return "", err
		}
		if mapped.VenueID == "" {
			mapped.VenueID = vid
			mapped.RoomID = ""
		}
	}
	if mapped.VenueID == "" {
		mapped.VenueID, mapped.RoomID = g.VenueID, g.RoomID
	}
	e, err := extra("service", id, sv.ID, raw, baseOfGroup(mapped))
	if err != nil {
		return "", err
	}
	im.groups[id] = len(im.imp.Groups)
	im.imp.Groups = append(im.imp.Groups, store.HSDSItem[domain.Group]{Value: &mapped, Extra: e})
	return id, nil
}

func mustJSON(m map[string]json.RawMessage) json.RawMessage {
	b, err := json.Marshal(m)
	if err != nil {
		return nil
	}
	return b
}
