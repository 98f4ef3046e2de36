// Package matching is the pure logic of forming closed self-help groups from
// the people who wait for one: it sorts waiting people into pools, tells
// whether a pool could make a group, ranks people for a planned group, and
// checks a group before the invitations go out (the "confidential strangers"
// rule). It knows nothing of the database or of HTTP: the store and the pages
// turn their rows into these types and call it. Nothing here logs.
//
// One rule runs through the package: people fit each other when there is one
// meeting they can all come to. A meeting is a Target: a format, a slot, a
// language, a theme (or none, for an open cross-theme group) and, in person,
// a municipality. A person can come to it when
//   - their Formats include its format;
//   - they have no slot limits, or their Slots include its slot;
//   - they speak its language (no Languages means "nb");
//   - its theme is one of their Themes, or they named no theme (open to a
//     cross-theme group); an open meeting takes only people who named no theme;
//   - in person, it is in their own municipality and they did not ask for
//     "not in my own municipality", or it is in another municipality within
//     their TravelKm by Distances (an unknown distance is out of reach).
//     Phone and video meetings have no place.
package matching

import (
	"slices"
	"strings"
	"time"
)

// Sizes of a closed group, and the size of municipality under which two
// invitees living there may well know each other.
const (
	MinGroup          = 4
	MaxGroup          = 8
	SmallMunicipality = 5000
)

// Format is how a group meets.
type Format string

// The formats.
const (
	InPerson Format = "in_person"
	Phone    Format = "phone"
	Video    Format = "video"
)

// Formats lists the formats in the order they are shown.
var Formats = []Format{InPerson, Phone, Video}

// ParseFormat returns the Format s names.
func ParseFormat(s string) (Format, bool) {
	f := Format(s)
	return f, slices.Contains(Formats, f)
}

// Remote reports whether a group of this format meets without a place.
func (f Format) Remote() bool { return f == Phone || f == Video }

// Slot is a day and part of day, "mon-morning" … "sun-evening".
type Slot string

// Days and Parts make up the slots, in week order.
var (
	Days  = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
	Parts = []string{"morning", "afternoon", "evening"}
)

var allSlots = func() []Slot {
	out := make([]Slot, 0, len(Days)*len(Parts))
	for _, d := range Days {
		for _, p := range Parts {
			out = append(out, Slot(d+"-"+p))
		}
	}
	return out
}()

// AllSlots returns the 21 slots of a week in order, Monday morning first.
func AllSlots() []Slot { return slices.Clone(allSlots) }

// ParseSlot returns the Slot s names ("wed-evening"); it accepts exactly the
// values AllSlots returns.
func ParseSlot(s string) (Slot, bool) {
	day, part, ok := strings.Cut(s, "-")
	if !ok || !slices.Contains(Days, day) || !slices.Contains(Parts, part) {
		return "", false
	}
	return Slot(s), true
}

// Day and Part split a slot; both are "" for an invalid slot.
func (s Slot) Day() string {
	if _, ok := ParseSlot(string(s)); !ok {
		return ""
	}
	d, _, _ := strings.Cut(string(s), "-")
	return d
}

// Part is the part of day of s: "morning", "afternoon" or "evening".
func (s Slot) Part() string {
	if _, ok := ParseSlot(string(s)); !ok {
		return ""
	}
	_, p, _ := strings.Cut(string(s), "-")
	return p
}

// Person is someone who waits for a group, as the matching sees them: no
// name, no contact, no words of their own.
type Person struct {
	ID                 string    // enquiry id (opaque)
	Municipality       string    // municipality number, "0301"
	County             string    // county number, "03"
	Population         int       // inhabitants of the person's municipality (refdata)
	TravelKm           int       // how far they can travel; 0 = only their own municipality / online
	NotOwnMunicipality bool      // "not in my own municipality": never placed in a group meeting there
	Formats            []Format  // at least one
	Slots              []Slot    // empty = any time
	Themes             []string  // theme ids; empty = open to a cross-theme group
	Languages          []string  // "nb", "en", …; empty = nb
	WaitingSince       time.Time // when they started to wait
}

// DefaultLanguage is the language of a person who named none, and of a
// Target without one.
const DefaultLanguage = "nb"

// Distances gives the km between two municipalities, known=false when there
// are no coordinates for one of them. A nil Distances knows no distance.
type Distances func(a, b string) (km float64, known bool)

// Target is a planned group, or the meeting a pool's core could hold.
type Target struct {
	Municipality string // where it meets in person; "" for phone and video
	Format       Format
	Slot         Slot   // "" = not decided
	Theme        string // "" = an open, cross-theme group
	Language     string // "" = nb
}

// Code names why a person does not fit a group, or a problem with a group.
// The pages turn codes into words; codes never carry personal data.
type Code string

// Reasons a person cannot come to a meeting (Suggestion.Reasons, and
// Problem.Code in CheckGroup).
const (
	ReasonFormat          Code = "format"           // does not take part in this format
	ReasonOwnMunicipality Code = "own_municipality" // asked not to meet in their own municipality, and it meets there
	ReasonDistance        Code = "distance"         // the place is further than they can travel, or the distance is unknown
	ReasonTime            Code = "time"             // the slot is not one of theirs
	ReasonLanguage        Code = "language"         // does not speak the group's language
	ReasonTheme           Code = "theme"            // wants another theme (or, for an open group, a theme at all)
)

// Problems with a group as a whole (CheckGroup).
const (
	ProblemSize              Code = "size"               // fewer than MinGroup or more than MaxGroup people; Count says how many
	ProblemDuplicate         Code = "duplicate"          // the same person is invited twice
	ProblemNoMunicipality    Code = "no_municipality"    // an in-person group without a municipality
	ProblemSmallMunicipality Code = "small_municipality" // Count invitees live in the same small Municipality
)

func langOf(l string) string {
	if l == "" {
		return DefaultLanguage
	}
	return l
}

func (p *Person) speaks(lang string) bool {
	if len(p.Languages) == 0 {
		return lang == DefaultLanguage
	}
	return slices.Contains(p.Languages, lang)
}

func (p *Person) freeAt(s Slot) bool {
	return len(p.Slots) == 0 || slices.Contains(p.Slots, s)
}

// takesTheme reports whether p would join a group on theme ("" = open).
func (p *Person) takesTheme(theme string) bool {
	if len(p.Themes) == 0 {
		return true
	}
	return theme != "" && slices.Contains(p.Themes, theme)
}

// reach tells whether p can come to an in-person meeting in municipality m,
// and how far it is for them (0 in their own municipality).
func (p *Person) reach(m string, d Distances) (km float64, why Code) {
	if m == p.Municipality {
		if p.NotOwnMunicipality {
			return 0, ReasonOwnMunicipality
		}
		return 0, ""
	}
	if p.TravelKm <= 0 || d == nil {
		return 0, ReasonDistance
	}
	km, known := d(p.Municipality, m)
	if !known || km > float64(p.TravelKm) {
		return km, ReasonDistance
	}
	return km, ""
}

// misfits returns why p cannot come to t, in a fixed order; nothing when p
// can. checkDistance=false skips the distance check (CheckGroup has no
// distances); an in-person target without a municipality skips the place.
func misfits(t Target, p *Person, d Distances, checkDistance bool) []Code {
	var out []Code
	if !slices.Contains(p.Formats, t.Format) {
		out = append(out, ReasonFormat)
	}
	if t.Format == InPerson && t.Municipality != "" {
		if _, why := p.reach(t.Municipality, d); why == ReasonOwnMunicipality || (why != "" && checkDistance) {
			out = append(out, why)
		}
	}
	if t.Slot != "" && !p.freeAt(t.Slot) {
		out = append(out, ReasonTime)
	}
	if !p.speaks(langOf(t.Language)) {
		out = append(out, ReasonLanguage)
	}
	if !p.takesTheme(t.Theme) {
		out = append(out, ReasonTheme)
	}
	return out
}
