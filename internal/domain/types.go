// Package domain holds the plain types and rules of fellesrom: organisations,
// groups of every model, venues, themes, schedules. It imports nothing internal.
package domain

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Languages the public site is written in, in fallback order.
var SiteLanguages = []string{"nb", "nn", "en", "se"}

// Text is a text that the public reads, with a value per language code
// ("nb", "nn", "en", "se", …).
type Text map[string]string

// In returns the text in lang, falling back nb → nn → en → any.
func (t Text) In(lang string) string {
	if v := t[lang]; v != "" {
		return v
	}
	for _, l := range []string{"nb", "nn", "en"} {
		if v := t[l]; v != "" {
			return v
		}
	}
	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if t[k] != "" {
			return t[k]
		}
	}
	return ""
}

// LangOf returns the language code of the value In(lang) would return, for
// a lang attribute on text shown in a fallback language.
func (t Text) LangOf(lang string) string {
	if t[lang] != "" {
		return lang
	}
	for _, l := range []string{"nb", "nn", "en"} {
		if t[l] != "" {
			return l
		}
	}
	keys := make([]string, 0, len(t))
	for k, v := range t {
		if v != "" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	if len(keys) > 0 {
		return keys[0]
	}
	return lang
}

// Marshal encodes the text as JSON for storage.
func (t Text) Marshal() string {
	if t == nil {
		return "{}"
	}
	b, _ := json.Marshal(map[string]string(t))
	return string(b)
}

// ParseText decodes a stored JSON text.
func ParseText(s string) (Text, error) {
	t := Text{}
	if s == "" {
		return t, nil
	}
	err := json.Unmarshal([]byte(s), &t)
	return t, err
}

// OrgKind is the kind of an organisation in the tree.
type OrgKind string

const (
	OrgNationalCentre   OrgKind = "national_centre"
	OrgDistrictOffice   OrgKind = "district_office"
	OrgSelfHelpHouse    OrgKind = "self_help_house"
	OrgVolunteerCentre  OrgKind = "volunteer_centre"
	OrgLearningMastery  OrgKind = "learning_mastery_centre"
	OrgMunicipality     OrgKind = "municipality"
	OrgUserOrganisation OrgKind = "user_organisation"
	OrgFellowship       OrgKind = "fellowship"
	OrgOther            OrgKind = "other"
)

// OrgKinds lists every organisation kind in display order.
var OrgKinds = []OrgKind{OrgNationalCentre, OrgDistrictOffice, OrgSelfHelpHouse, OrgVolunteerCentre,
	OrgLearningMastery, OrgMunicipality, OrgUserOrganisation, OrgFellowship, OrgOther}

// Format is how a group meets.
type Format string

const (
	FormatInPerson  Format = "in_person"
	FormatTelephone Format = "telephone"
	FormatVideo     Format = "video"
	FormatHybrid    Format = "hybrid"
)

// Formats lists every format.
var Formats = []Format{FormatInPerson, FormatTelephone, FormatVideo, FormatHybrid}

// Status is a group's place in its lifecycle.
type Status string

const (
	StatusPlanned    Status = "planned"
	StatusRecruiting Status = "recruiting"
	StatusStarting   Status = "starting"
	StatusRunning    Status = "running"
	StatusPaused     Status = "paused"
	StatusEnded      Status = "ended"
)

// Statuses lists every lifecycle status in order.
var Statuses = []Status{StatusPlanned, StatusRecruiting, StatusStarting, StatusRunning, StatusPaused, StatusEnded}

// PublicStatuses are the statuses the public finder shows.
var PublicStatuses = []Status{StatusPlanned, StatusRecruiting, StatusStarting, StatusRunning, StatusPaused}

// JoinMethod is how a person joins a group.
type JoinMethod string

const (
	JoinViaHouse   JoinMethod = "via_house"   // enquire through the house; matching
	JoinJustCome   JoinMethod = "just_come"   // open meeting
	JoinContactOrg JoinMethod = "contact_org" // contact the organisation
)

// JoinMethods lists every join method.
var JoinMethods = []JoinMethod{JoinViaHouse, JoinJustCome, JoinContactOrg}

// Intake says whether a model's groups close at the start or take people continuously.
type Intake string

const (
	IntakeClosed Intake = "closed"
	IntakeOpen   Intake = "open"
	IntakeVaries Intake = "varies"
)

// Leadership says who leads a model's meetings.
type Leadership string

const (
	LeadStarter Leadership = "starter" // an igangsetter starts it, then it runs itself
	LeadChair   Leadership = "chair"   // a member chairs each meeting
	LeadPeer    Leadership = "peer"    // a trained peer (likeperson) leads
	LeadOther   Leadership = "other"
)

// AgeGroup is who a group is for by age.
type AgeGroup string

const (
	AgeAdults      AgeGroup = "adults"       // 18 and over
	AgeYoungAdults AgeGroup = "young_adults" // 18–30
	AgeAll         AgeGroup = "all"
)

// AgeGroups lists every age group.
var AgeGroups = []AgeGroup{AgeAdults, AgeYoungAdults, AgeAll}

// Gender is who a group is for by gender.
type Gender string

const (
	GenderEveryone Gender = "everyone"
	GenderWomen    Gender = "women"
	GenderMen      Gender = "men"
)

// Genders lists every gender value.
var Genders = []Gender{GenderEveryone, GenderWomen, GenderMen}

// County is a Norwegian county (fylke).
type County struct {
	ID   string // two digits
	Name string
}

// Municipality is a Norwegian municipality (kommune).
type Municipality struct {
	ID          string // four digits; the first two are the county
	CountyID    string
	Name        string // Norwegian name
	SamiName    string // the Sami name, where the municipality has one
	AdmCentre   string
	Population  int
	AreaKm2     float64
	WrittenForm string // "bokmål", "nynorsk" or "nøytral"
}

// DisplayName is the name with the Sami name beside it where there is one.
func (m Municipality) DisplayName() string {
	if m.SamiName != "" && m.SamiName != m.Name {
		return m.Name + " – " + m.SamiName
	}
	return m.Name
}

// Organisation is a node in the organisation tree.
type Organisation struct {
	ID             string
	ParentID       string
	Kind           OrgKind
	Slug           string
	Name           string
	Description    Text
	Email          string
	Phone          string
	Website        string
	VenueID        string // its own address, if public
	OpeningHours   Text
	Municipalities []string // municipality IDs it serves
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Theme is a term in the managed theme taxonomy.
type Theme struct {
	ID        string
	Slug      string
	Name      Text
	SortOrder int
	Active    bool
}

// ThemeOpen is the slug of the "open across themes" term.
const ThemeOpen = "open"

// Model is a group model (Selvhjelp Norge closed group, 12-step open meeting, …),
// held as data.
type Model struct {
	ID          string
	Slug        string
	Name        Text
	Description Text
	Intake      Intake
	Leadership  Leadership
	WhoMayCome  Text
	SizeMin     int // 0 when there is no typical size
	SizeMax     int
	DefaultJoin JoinMethod
	SortOrder   int
}

// Venue is a place where groups meet.
type Venue struct {
	ID               string
	OrgID            string
	Name             string
	Street           string
	PostalCode       string
	City             string
	MunicipalityID   string
	Lat, Lon         float64
	HasCoordinates   bool
	StepFree         bool
	HearingLoop      bool
	AccessibleToilet bool
	AddressPublic    bool
	Directions       Text
}

// Room is a room inside a house's venue.
type Room struct {
	ID          string
	VenueID     string
	Name        string
	Capacity    int
	Equipment   []string // codes of RoomEquipment, in that order
	StepFree    bool     // the room itself is reached without steps
	HearingLoop bool     // the room has a hearing loop
}

// RoomEquipment are the kinds of equipment a room may have, in the order
// forms and pages list them.
var RoomEquipment = []string{"screen", "projector", "whiteboard", "flipchart", "kitchen", "coffee", "video", "wifi"}

// Group is a self-help group of any model.
type Group struct {
	ID              string
	Slug            string
	Name            Text
	Description     Text
	ModelID         string
	OrgID           string
	Format          Format
	Languages       []string // ISO 639-1 codes
	AgeGroup        AgeGroup
	Gender          Gender
	ForRelatives    bool
	Status          Status
	TakesNewMembers bool
	Capacity        int // 0 when not set
	Join            JoinMethod
	Schedule        Schedule
	VenueID         string // empty for telephone and video groups
	RoomID          string
	MunicipalityID  string // where it meets or belongs
	ThemeIDs        []string
	VerifiedAt      time.Time
	CreatedAt       time.Time
	UpdatedAt       time.Time

	// How to join a telephone, video or hybrid meeting: a https link, a
	// telephone number and a short note ("PIN 1234"). Public only where
	// OnlineVisible says so; a closed group's link is given by the house.
	OnlineURL   string
	OnlinePhone string
	OnlineNotes string
}

// Online says whether the group meets (also) by telephone or video.
func (g Group) Online() bool { return g.Format != FormatInPerson && g.Format != "" }

// OnlineVisible says whether the public may see how to join a group online
// (the link, the number, the note). Like the address rule: a closed group's
// link is never public, the house gives it to those who join; an open
// meeting (just come) publishes it.
func OnlineVisible(g Group, m Model) bool {
	if !g.Online() || g.Join != JoinJustCome || m.Intake == IntakeClosed {
		return false
	}
	return g.OnlineURL != "" || g.OnlinePhone != "" || g.OnlineNotes != ""
}

// StatusChange is one entry in a group's lifecycle history.
type StatusChange struct {
	Status    Status
	Reason    string
	ChangedAt time.Time
	ChangedBy string
}

// OpenToNewcomers says whether a group takes new members now: it says so,
// and it is in a status where people can come.
func (g Group) OpenToNewcomers() bool {
	if !g.TakesNewMembers {
		return false
	}
	switch g.Status {
	case StatusRecruiting, StatusRunning, StatusPlanned, StatusStarting:
		return true
	}
	return false
}

// AddressVisible says whether the public may see where a group meets.
// A closed group's meeting place is never public (the members are
// confidential strangers); an open meeting's is, if the venue allows it.
func AddressVisible(g Group, m Model, v Venue) bool {
	if v.ID == "" || !v.AddressPublic {
		return false
	}
	if m.Intake == IntakeClosed || g.Join == JoinViaHouse {
		return false
	}
	return true
}

// ValidLanguage reports whether s looks like an ISO 639-1 code.
func ValidLanguage(s string) bool {
	if len(s) != 2 {
		return false
	}
	return s[0] >= 'a' && s[0] <= 'z' && s[1] >= 'a' && s[1] <= 'z'
}

// Limits of the online fields of a group.
const (
	MaxOnlineURL   = 500
	MaxOnlineNotes = 200
)

// ValidOnlineURL reports whether s is a link a person may be sent to: an
// absolute https address with a host, no spaces, at most MaxOnlineURL bytes.
func ValidOnlineURL(s string) bool {
	if len(s) > MaxOnlineURL || !strings.HasPrefix(s, "https://") || strings.ContainsAny(s, " \t\r\n<>\"") {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "https" && u.Host != "" && u.User == nil
}

// NormalisePhone removes the spaces, dots, hyphens and brackets people write
// in telephone numbers.
func NormalisePhone(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\u00a0', '.', '-', '(', ')':
			return -1
		}
		return r
	}, strings.TrimSpace(s))
}

// ValidPhone reports whether s (normalised) is a telephone number in the
// E.164 manner: an optional "+", 8 to 15 digits, and optionally the digits
// a phone dials after connecting (",,1234#", for a conference PIN).
func ValidPhone(s string) bool {
	s = NormalisePhone(s)
	s = strings.TrimPrefix(s, "+")
	num, dial, _ := strings.Cut(s, ",")
	if len(num) < 8 || len(num) > 15 {
		return false
	}
	for _, r := range num {
		if r < '0' || r > '9' {
			return false
		}
	}
	for _, r := range dial {
		if !(r >= '0' && r <= '9') && r != ',' && r != '#' && r != '*' {
			return false
		}
	}
	return true
}
