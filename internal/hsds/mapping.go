package hsds

import (
	"crypto/sha1"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/finder"
)

// Version is the HSDS version spoken.
const Version = "3.0"

// TaxonomyName is the one taxonomy the themes belong to.
const TaxonomyName = "fellesrom-themes"

// namespace is the UUID namespace of the identifiers this package derives
// (languages, schedules, locations that are not venues, …): a name-based
// (version 5) UUID, so that every export gives the same identifiers.
var namespace = [16]byte{0x6f, 0x3d, 0x0b, 0x7e, 0x55, 0x21, 0x4c, 0x1a, 0x9b, 0x3e, 0x1f, 0x2c, 0x8d, 0x47, 0x60, 0x15}

// derivedID returns a version 5 UUID of the parts.
func derivedID(parts ...string) string {
	h := sha1.New()
	h.Write(namespace[:])
	h.Write([]byte(strings.Join(parts, "\x00")))
	b := h.Sum(nil)[:16]
	b[6] = b[6]&0x0f | 0x50
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// TaxonomyID is the identifier of the "fellesrom-themes" taxonomy.
var TaxonomyID = derivedID("taxonomy", TaxonomyName)

// TheTaxonomy is the one taxonomy.
func TheTaxonomy() Taxonomy {
	return Taxonomy{ID: TaxonomyID, Name: TaxonomyName, Version: "1",
		Description: "The themes of self-help groups in fellesrom (what a group is about)."}
}

// Term maps a theme.
func Term(t domain.Theme) TaxonomyTerm {
	return TaxonomyTerm{ID: t.ID, Code: t.Slug, Name: t.Name.In("nb"), Description: t.Name.In("en"),
		Taxonomy: TaxonomyName, Language: "nb", TaxonomyID: TaxonomyID}
}

// MapOrganization maps an organisation with its public contact and, when
// its own venue's address is public, its location.
func MapOrganization(cat *finder.Catalog, o domain.Organisation) Organization {
	out := Organization{ID: o.ID, Name: o.Name, Description: o.Description.In("nb"),
		Email: o.Email, ParentOrganizationID: o.ParentID}
	if u, err := url.Parse(o.Website); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" {
		out.Website = o.Website
	}
	if o.Email != "" || o.Phone != "" {
		c := Contact{ID: derivedID("contact", o.ID), OrganizationID: o.ID, Name: o.Name, Email: o.Email}
		if o.Phone != "" {
			c.Phones = []Phone{{ID: derivedID("contact-phone", o.ID), ContactID: c.ID, Number: o.Phone, Type: "voice"}}
			out.Phones = []Phone{{ID: derivedID("phone", o.ID), OrganizationID: o.ID, Number: o.Phone, Type: "voice"}}
		}
		out.Contacts = []Contact{c}
	}
	if v, ok := cat.VenueByID[o.VenueID]; ok && v.AddressPublic {
		out.Locations = []Location{venueLocation(cat, v)}
	}
	return out
}

func venueLocation(cat *finder.Catalog, v domain.Venue) Location {
	loc := Location{ID: v.ID, LocationType: "physical", OrganizationID: v.OrgID, Name: v.Name,
		Transportation: v.Directions.In("nb")}
	if v.HasCoordinates {
		lat, lon := v.Lat, v.Lon
		loc.Latitude, loc.Longitude = &lat, &lon
	}
	m := cat.MunicipalityBy[v.MunicipalityID]
	if v.Street != "" {
		loc.Addresses = []Address{{ID: derivedID("address", v.ID), LocationID: v.ID, Address1: v.Street,
			City: v.City, Region: m.Name, StateProvince: cat.CountyByID[countyOf(v.MunicipalityID)].Name,
			PostalCode: v.PostalCode, Country: "NO", AddressType: "physical"}}
	}
	for _, a := range []struct {
		ok   bool
		what string
	}{{v.StepFree, "step_free"}, {v.HearingLoop, "hearing_loop"}, {v.AccessibleToilet, "accessible_toilet"}} {
		if a.ok {
			loc.Accessibility = append(loc.Accessibility, Accessibility{ID: derivedID("accessibility", v.ID, a.what),
				LocationID: v.ID, Description: a.what})
		}
	}
	return loc
}

func countyOf(muni string) string {
	if len(muni) < 2 {
		return ""
	}
	return muni[:2]
}

// ServiceLocation is where a group meets as the public may know it: its
// venue when the address is public; for a telephone or video group a
// virtual location, with the meeting link as its url and the number to
// call as its phone when they are public (domain.OnlineVisible: an open
// meeting; a closed group's are given by the house); otherwise (a closed
// group, a hidden address) a location that names only the municipality,
// with no address and no coordinates.
func ServiceLocation(cat *finder.Catalog, l finder.Listing) (Location, bool) {
	g := l.Group
	if l.AddressVisible {
		return venueLocation(cat, l.Venue), true
	}
	if g.Format == domain.FormatTelephone || g.Format == domain.FormatVideo {
		name := "Telefon"
		if g.Format == domain.FormatVideo {
			name = "Video"
		}
		loc := Location{ID: derivedID("virtual", g.ID), LocationType: "virtual", OrganizationID: g.OrgID, Name: name,
			Description: "Meets by " + string(g.Format) + "; the house gives the details to those who join."}
		if domain.OnlineVisible(g, l.Model) {
			loc.Description = "Meets by " + string(g.Format) + "."
			if g.OnlineNotes != "" {
				loc.Description += " " + g.OnlineNotes
			}
			loc.URL = g.OnlineURL
			if p, ok := onlinePhone(g); ok {
				loc.Phones = []Phone{p}
			}
		}
		return loc, true
	}
	if l.Municipality.ID == "" {
		return Location{}, false
	}
	return Location{ID: derivedID("municipality", l.Municipality.ID), LocationType: "physical",
		Name:        l.Municipality.DisplayName(),
		Description: "The meeting place is given to those who join; only the municipality is public."}, true
}

// onlinePhone is the number to call in to a group's meetings, with its
// note: one phone of the service and, for a telephone or video group, of
// its virtual location.
func onlinePhone(g domain.Group) (Phone, bool) {
	if g.OnlinePhone == "" {
		return Phone{}, false
	}
	p := Phone{ID: derivedID("online-phone", g.ID), ServiceID: g.ID, Number: g.OnlinePhone, Type: "voice", Description: g.OnlineNotes}
	if g.Format == domain.FormatTelephone || g.Format == domain.FormatVideo {
		p.LocationID = derivedID("virtual", g.ID)
	}
	return p, true
}

// SALID is the identifier of a group's service_at_location.
func SALID(groupID string) string { return derivedID("service_at_location", groupID) }

var statusOf = map[domain.Status]string{domain.StatusPlanned: "active", domain.StatusRecruiting: "active",
	domain.StatusStarting: "active", domain.StatusRunning: "active", domain.StatusPaused: "temporarily closed",
	domain.StatusEnded: "defunct"}

var joinText = map[domain.JoinMethod]string{
	domain.JoinViaHouse:   "Contact the house; it puts people who want to join together into a new group.",
	domain.JoinJustCome:   "Open meeting: just come.",
	domain.JoinContactOrg: "Contact the organisation.",
}

// MapService maps a group. full adds what is nested: schedules, languages,
// themes, the service_at_location with its location and the organization.
func MapService(cat *finder.Catalog, l finder.Listing, full bool) Service {
	g := l.Group
	s := Service{ID: g.ID, OrganizationID: g.OrgID, Name: g.Name.In("nb"), Description: g.Description.In("nb"),
		Status: statusOf[g.Status], ApplicationProcess: joinText[g.Join], FeesDescription: "Free of charge.",
		LastModified: g.UpdatedAt.UTC().Format(time.RFC3339)}
	if en := g.Name["en"]; en != "" && en != s.Name {
		s.AlternateName = en
	}
	var elig []string
	switch g.AgeGroup {
	case domain.AgeAdults:
		s.MinimumAge = new(18)
	case domain.AgeYoungAdults:
		s.MinimumAge, s.MaximumAge = new(18), new(30)
	}
	switch g.Gender {
	case domain.GenderWomen:
		elig = append(elig, "For women.")
	case domain.GenderMen:
		elig = append(elig, "For men.")
	}
	if g.ForRelatives {
		elig = append(elig, "For relatives and those close to someone.")
	}
	if w := l.Model.WhoMayCome.In("en"); w != "" {
		elig = append(elig, w)
	}
	s.EligibilityDescription = strings.Join(elig, " ")
	// An open meeting's number to call in to is the service's phone.
	if p, ok := onlinePhone(g); ok && domain.OnlineVisible(g, l.Model) {
		s.Phones = []Phone{p}
	}
	if !full {
		return s
	}
	if sc, ok := MapSchedule(g); ok {
		s.Schedules = []Schedule{sc}
	}
	for _, code := range g.Languages {
		s.Languages = append(s.Languages, Language{ID: derivedID("language", g.ID, code), ServiceID: g.ID, Code: code})
	}
	for _, t := range l.Themes {
		term := Term(t)
		s.Attributes = append(s.Attributes, Attribute{ID: derivedID("attribute", g.ID, t.ID), LinkID: g.ID,
			TaxonomyTermID: t.ID, LinkType: "service", LinkEntity: "service", TaxonomyTerm: &term})
	}
	if loc, ok := ServiceLocation(cat, l); ok {
		s.ServiceAtLocations = []ServiceAtLocation{{ID: SALID(g.ID), ServiceID: g.ID, LocationID: loc.ID, Location: &loc}}
	}
	if o, ok := cat.OrgByID[g.OrgID]; ok {
		org := MapOrganization(cat, o)
		s.Organization = &org
	}
	return s
}

// MapSAL maps a group's service_at_location; full nests its location.
func MapSAL(cat *finder.Catalog, l finder.Listing, full bool) (ServiceAtLocation, bool) {
	loc, ok := ServiceLocation(cat, l)
	if !ok {
		return ServiceAtLocation{}, false
	}
	sal := ServiceAtLocation{ID: SALID(l.Group.ID), ServiceID: l.Group.ID, LocationID: loc.ID}
	if full {
		sal.Location = &loc
	}
	return sal, true
}

var byDayCode = [...]string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}

// MapSchedule maps a group's schedule: the RRULE as fields, times in the
// schedule's zone, timezone as its UTC offset in hours at the first meeting.
func MapSchedule(g domain.Group) (Schedule, bool) {
	sch := g.Schedule
	if sch.Start.IsZero() {
		return Schedule{}, false
	}
	start := sch.LocalStart()
	_, off := start.Zone()
	tz := float64(off) / 3600
	out := Schedule{ID: derivedID("schedule", g.ID), ServiceID: g.ID, DTStart: start.Format("2006-01-02"),
		Timezone: &tz, OpensAt: start.Format("15:04"), Notes: sch.TZ}
	if sch.DurationMin > 0 {
		out.ClosesAt = start.Add(time.Duration(sch.DurationMin) * time.Minute).Format("15:04")
	}
	if sch.RRule == "" {
		out.Description = "One meeting."
		return out, true
	}
	r, err := domain.ParseRule(sch.RRule)
	if err != nil {
		return out, true
	}
	out.Freq, out.Interval, out.Count, out.Wkst = string(r.Freq), r.Interval, r.Count, "MO"
	if !r.Until.IsZero() {
		out.Until = r.Until.In(start.Location()).Format("2006-01-02")
	}
	days := make([]string, 0, len(r.ByDay))
	for _, d := range r.ByDay {
		if d.N != 0 {
			days = append(days, fmt.Sprint(d.N)+byDayCode[d.Day])
		} else {
			days = append(days, byDayCode[d.Day])
		}
	}
	if len(days) == 0 {
		days = append(days, byDayCode[start.Weekday()])
	}
	out.ByDay = strings.Join(days, ",")
	return out, true
}
