// Package meetingguide reads and writes the Meeting Guide JSON feed format
// (code4recovery's "Meeting Guide API", used by the Meeting Guide app and the
// 12-step meeting finders): a JSON array of meetings with a slug, day, time,
// types from a fixed list of codes, and a place or a conference link.
//
// Feed writes the feed of fellesrom's open meetings (Handler serves it);
// Parse reads any Meeting Guide feed, tolerantly, into Meeting values, and
// ToGroups maps those to fellesrom's groups and venues for harvesting.
//
// The type codes are those of types.json (an unchanged copy of the spec
// repository's file, MIT licence); the mapping between them and fellesrom's
// fields is data, in the tables below.
package meetingguide

import (
	_ "embed"
	"encoding/json"
	"slices"
	"strconv"
	"time"

	"github.com/fellesrom/fellesrom/internal/domain"
)

// Meeting is one meeting of a Meeting Guide feed, in neutral form.
type Meeting struct {
	Slug string
	Name string
	// Days the meeting is held (Sunday is 0). Feed writes one entry per day;
	// Parse keeps a feed's array of days together. Empty: by appointment.
	Days     []time.Weekday
	Time     string // "HH:MM", 24-hour local time; empty: by appointment
	EndTime  string // "HH:MM" or empty
	TimeZone string // IANA name, or empty

	Types []string // type codes, in the order given

	Location         string // the place's name
	FormattedAddress string
	Address          string // street, when the feed gives parts
	City             string
	State            string
	PostalCode       string
	Country          string
	Latitude         float64
	Longitude        float64
	HasCoordinates   bool
	Approximate      bool
	Regions          []string // from the widest to the narrowest

	ConferenceURL        string
	ConferenceURLNotes   string
	ConferencePhone      string
	ConferencePhoneNotes string

	Notes         string
	LocationNotes string
	Group         string
	GroupNotes    string
	Updated       time.Time // UTC, to the second; zero when not given
	URL           string
	Entity        string
	EntityURL     string
}

// Online says whether the meeting can be joined by video or telephone.
func (m Meeting) Online() bool { return m.ConferenceURL != "" || m.ConferencePhone != "" }

// Problem is something in a feed that was not understood or not taken. Its
// reason never repeats a value of the feed beyond a type code.
type Problem struct {
	Index  int    // the meeting's position in the feed, from 0; -1: the feed as a whole
	Slug   string // the meeting's slug, if it has one
	Field  string // the field, if one
	Reason string
}

func (p Problem) String() string {
	s := "meeting"
	if p.Index >= 0 {
		s += " " + strconv.Itoa(p.Index)
	}
	if p.Slug != "" {
		s += " (" + p.Slug + ")"
	}
	if p.Field != "" {
		s += " " + p.Field
	}
	return s + ": " + p.Reason
}

//go:embed types.json
var typesJSON []byte

// TypeNames holds every type code of the format with its names by language
// ("en", "es", "fr", …).
var TypeNames = func() map[string]map[string]string {
	var m map[string]map[string]string
	if err := json.Unmarshal(typesJSON, &m); err != nil {
		panic("meetingguide: types.json: " + err.Error())
	}
	return m
}()

// KnownType reports whether code is one of the format's type codes.
func KnownType(code string) bool { _, ok := TypeNames[code]; return ok }

// Type codes fellesrom writes and reads with a meaning of its own.
const (
	TypeOpen          = "O" // anyone may come
	TypeClosed        = "C" // only those who have the problem themselves
	TypeWomen         = "W"
	TypeMen           = "M"
	TypeYoung         = "Y"
	TypeWheelchair    = "X"
	TypeWheelchairWC  = "XB"
	TypeTempClosed    = "TC" // the place is closed for now (meets online)
	typeOnlineNonSpec = "ONL"
)

// languageTypes maps ISO 639-1 codes (what domain.Group.Languages holds) to
// the format's language type codes. Northern Sami has no code.
var languageTypes = map[string]string{
	"af": "AF", "am": "AM", "ar": "AR", "bg": "BG", "da": "DA", "de": "DE", "el": "EL", "en": "EN",
	"fa": "FA", "fi": "FI", "fr": "FR", "he": "HE", "hi": "HI", "hr": "HR", "hu": "HU", "is": "IS",
	"it": "ITA", "ja": "JA", "ka": "KA", "ko": "KOR", "lt": "LT", "ml": "ML", "mt": "MT", "ne": "NE",
	"nl": "NL", "nb": "NO", "nn": "NO", "no": "NO", "pl": "POL", "pt": "POR", "pa": "PUN", "ru": "RUS",
	"es": "S", "sk": "SK", "sl": "SL", "sv": "SV", "th": "TH", "tl": "TL", "tr": "TUR", "uk": "UK",
}

// typeLanguages is the reverse of languageTypes ("NO" reads as Bokmål).
var typeLanguages = func() map[string]string {
	m := map[string]string{}
	for iso, code := range languageTypes {
		if iso == "nn" || iso == "no" {
			continue
		}
		m[code] = iso
	}
	return m
}()

// intakeTypes, genderTypes and ageTypes map fellesrom's values to codes.
var (
	intakeTypes = map[domain.Intake]string{domain.IntakeOpen: TypeOpen}
	genderTypes = map[domain.Gender]string{domain.GenderWomen: TypeWomen, domain.GenderMen: TypeMen}
	ageTypes    = map[domain.AgeGroup]string{domain.AgeYoungAdults: TypeYoung}
)

// Types returns the type codes of an open meeting: the model's intake, the
// group's languages, gender and age, and the venue's access. Sorted, no
// duplicates, every one from types.json.
func Types(g domain.Group, m domain.Model, v domain.Venue) []string {
	var out []string
	add := func(code string) {
		if code != "" && KnownType(code) && !slices.Contains(out, code) {
			out = append(out, code)
		}
	}
	add(intakeTypes[m.Intake])
	for _, l := range g.Languages {
		add(languageTypes[l])
	}
	add(genderTypes[g.Gender])
	add(ageTypes[g.AgeGroup])
	if v.StepFree {
		add(TypeWheelchair)
	}
	if v.AccessibleToilet {
		add(TypeWheelchairWC)
	}
	slices.Sort(out)
	return out
}
