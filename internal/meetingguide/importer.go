package meetingguide

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fellesrom/fellesrom/internal/domain"
)

// ImportOptions say how a harvested feed's meetings become fellesrom groups.
type ImportOptions struct {
	// Source names the feed (its registration's ID or URL); with a meeting's
	// slug it makes the stable key of the group it becomes.
	Source string
	// ModelID and OrgID of the groups: the harvester picks the model (the
	// twelve-step model for an AA, NA or Al-Anon feed) and the organisation
	// that registered the feed. The format's types say nothing of the
	// fellowship; a feed is one fellowship's.
	ModelID, OrgID string
	// Lang is the language of the feed's texts (default "nb").
	Lang string
	// Municipality finds a municipality's number from a meeting's regions
	// (widest first) and city; nil or "": none found.
	Municipality func(regions []string, city string) string
	// Now is the moment the schedule's first meeting is counted from.
	Now time.Time
}

// Imported is one meeting as a fellesrom group, with its venue if it meets
// in a place. IDs are empty: the harvester matches on Key.
type Imported struct {
	Key      string // Source + "#" + slug: stable while the feed keeps its slugs
	Group    domain.Group
	Venue    domain.Venue // zero when the meeting is only online
	HasVenue bool
	// ClosedMeeting: the feed's type "C", a meeting only for those who have
	// the problem themselves; fellesrom keeps that on the model, so the
	// harvester must show it (in the description or by the model).
	ClosedMeeting bool
	// TempClosed: type "TC", the place is closed for now.
	TempClosed bool
	// UnmappedTypes are codes of types.json that fellesrom has no field for
	// (e.g. "B", Big Book), kept here so nothing is dropped silently.
	UnmappedTypes []string
	// ConferenceURL and ConferencePhone of an online meeting as the feed
	// gave them; Group.OnlineURL and OnlinePhone hold them when they pass
	// fellesrom's rules (an https link, a number of 8 to 15 digits).
	ConferenceURL, ConferencePhone string
}

// typeEffects say what a code does to an imported group; languageTypes
// covers the language codes.
var typeEffects = map[string]func(*Imported){
	TypeOpen:          func(*Imported) {},
	TypeClosed:        func(im *Imported) { im.ClosedMeeting = true },
	TypeWomen:         func(im *Imported) { im.Group.Gender = domain.GenderWomen },
	TypeMen:           func(im *Imported) { im.Group.Gender = domain.GenderMen },
	TypeYoung:         func(im *Imported) { im.Group.AgeGroup = domain.AgeYoungAdults },
	TypeWheelchair:    func(im *Imported) { im.Venue.StepFree = true },
	TypeWheelchairWC:  func(im *Imported) { im.Venue.AccessibleToilet = true },
	TypeTempClosed:    func(im *Imported) { im.TempClosed = true },
	typeOnlineNonSpec: func(*Imported) {}, // online: read from the conference fields
}

// ToGroups maps meetings to groups. A meeting whose schedule cannot be made
// is still returned (without a schedule) with a problem; unknown type codes
// are reported (Parse reports them too), codes without a fellesrom field
// are listed in UnmappedTypes.
func ToGroups(ms []Meeting, o ImportOptions) ([]Imported, []Problem) {
	lang := o.Lang
	if lang == "" {
		lang = "nb"
	}
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	var out []Imported
	var problems []Problem
	for i, m := range ms {
		report := func(field, reason string) {
			problems = append(problems, Problem{Index: i, Slug: m.Slug, Field: field, Reason: reason})
		}
		im := Imported{Key: o.Source + "#" + m.Slug, ConferenceURL: m.ConferenceURL, ConferencePhone: m.ConferencePhone}
		g := &im.Group
		g.Slug = domain.ShortSlug(m.Slug)
		g.Name = domain.Text{lang: m.Name}
		desc := m.Notes
		if m.GroupNotes != "" {
			desc = strings.TrimSpace(desc + "\n\n" + m.GroupNotes)
		}
		if desc != "" {
			g.Description = domain.Text{lang: desc}
		}
		g.ModelID, g.OrgID = o.ModelID, o.OrgID
		g.AgeGroup, g.Gender = domain.AgeAdults, domain.GenderEveryone
		g.Status, g.TakesNewMembers, g.Join = domain.StatusRunning, true, domain.JoinJustCome
		g.UpdatedAt = m.Updated

		hasPlace := m.Address != "" || m.FormattedAddress != "" || m.Location != ""
		if hasPlace {
			im.HasVenue = true
			v := &im.Venue
			v.OrgID, v.Name, v.AddressPublic = o.OrgID, m.Location, true
			v.Street, v.PostalCode, v.City = m.Address, m.PostalCode, m.City
			if v.Street == "" && m.FormattedAddress != "" {
				v.Street, _, _ = strings.Cut(m.FormattedAddress, ",")
				v.Street = strings.TrimSpace(v.Street)
			}
			if v.Name == "" {
				v.Name = v.Street
			}
			if m.HasCoordinates && !m.Approximate {
				v.Lat, v.Lon, v.HasCoordinates = m.Latitude, m.Longitude, true
			}
			if m.LocationNotes != "" {
				v.Directions = domain.Text{lang: m.LocationNotes}
			}
		}
		switch {
		case hasPlace && m.Online():
			g.Format = domain.FormatHybrid
		case hasPlace:
			g.Format = domain.FormatInPerson
		case m.ConferenceURL != "":
			g.Format = domain.FormatVideo
		case m.ConferencePhone != "":
			g.Format = domain.FormatTelephone
		default:
			g.Format = domain.FormatInPerson
			report("location", "neither a place nor a conference link")
		}
		online(m, g, report)
		if o.Municipality != nil {
			g.MunicipalityID = o.Municipality(m.Regions, m.City)
			im.Venue.MunicipalityID = g.MunicipalityID
		}
		for _, t := range m.Types {
			if iso, ok := typeLanguages[t]; ok {
				if !slices.Contains(g.Languages, iso) {
					g.Languages = append(g.Languages, iso)
				}
				continue
			}
			if fn, ok := typeEffects[t]; ok {
				fn(&im)
				continue
			}
			if KnownType(t) {
				im.UnmappedTypes = append(im.UnmappedTypes, t)
				continue
			}
			report("types", "unknown type code "+strconv.Quote(shorten(t, 20)))
		}
		if len(g.Languages) == 0 {
			g.Languages = []string{lang}
		}
		if !im.HasVenue {
			im.Venue = domain.Venue{}
		}
		sched, err := schedule(m, now)
		if err != "" {
			report("day", err)
		} else {
			g.Schedule = sched
		}
		out = append(out, im)
	}
	return out, problems
}

// schedule makes a weekly schedule from a meeting's days and times, its
// first meeting the first of those days at or after now.
func schedule(m Meeting, now time.Time) (domain.Schedule, string) {
	if len(m.Days) == 0 || m.Time == "" {
		return domain.Schedule{}, "no day and time (by appointment); no schedule"
	}
	tz := m.TimeZone
	if tz == "" {
		tz = domain.DefaultTimeZone
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return domain.Schedule{}, "unknown time zone; no schedule"
	}
	t, err := parseClock(m.Time)
	if err != nil || t == "" {
		return domain.Schedule{}, "not a time of day; no schedule"
	}
	h, mi := clock(t)
	local := now.In(loc)
	var start time.Time
	for add := 0; add < 8; add++ {
		d := time.Date(local.Year(), local.Month(), local.Day()+add, h, mi, 0, 0, loc)
		if slices.Contains(m.Days, d.Weekday()) && !d.Before(now) {
			start = d
			break
		}
	}
	s := domain.Schedule{Start: start.UTC(), TZ: tz}
	if end, err := parseClock(m.EndTime); err == nil && end != "" {
		eh, em := clock(end)
		dur := (eh*60 + em) - (h*60 + mi)
		if dur <= 0 {
			dur += 24 * 60 // past midnight
		}
		s.DurationMin = dur
	}
	days := slices.Clone(m.Days)
	slices.Sort(days)
	codes := make([]string, len(days))
	for i, d := range days {
		codes[i] = strings.ToUpper(dayCodes[d])
	}
	s.RRule = "FREQ=WEEKLY;BYDAY=" + strings.Join(codes, ",")
	if err := s.Validate(); err != nil {
		return domain.Schedule{}, "schedule refused: " + err.Error()
	}
	return s, ""
}

func clock(s string) (h, m int) {
	h, _ = strconv.Atoi(s[:2])
	m, _ = strconv.Atoi(s[3:5])
	return h, m
}

// online reads how to join a meeting online into g: the link if it is
// https, the number if it is one, and the notes (the link's, else the
// phone's) as one line of at most domain.MaxOnlineNotes characters.
func online(m Meeting, g *domain.Group, report func(field, reason string)) {
	if m.ConferenceURL != "" {
		if domain.ValidOnlineURL(m.ConferenceURL) {
			g.OnlineURL = m.ConferenceURL
		} else {
			report("conference_url", "not an https address; left out")
		}
	}
	if m.ConferencePhone != "" {
		if domain.ValidPhone(m.ConferencePhone) {
			g.OnlinePhone = domain.NormalisePhone(m.ConferencePhone)
		} else {
			report("conference_phone", "not a telephone number; left out")
		}
	}
	notes := m.ConferenceURLNotes
	if notes == "" || g.OnlineURL == "" && m.ConferencePhoneNotes != "" {
		notes = m.ConferencePhoneNotes
	}
	notes = strings.Join(strings.Fields(notes), " ")
	if r := []rune(notes); len(r) > domain.MaxOnlineNotes {
		notes = strings.TrimSpace(string(r[:domain.MaxOnlineNotes-1])) + "…"
	}
	g.OnlineNotes = notes
}
