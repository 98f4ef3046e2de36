package matching

import (
	"cmp"
	"math"
	"slices"
)

// Suggestion is one person ranked for a planned group.
type Suggestion struct {
	Person  Person
	Score   int    // 0…100 when Fits; 0 when not
	Fits    bool   // the person can come to the planned group
	Reasons []Code // why not, when !Fits, in a fixed order (format, own_municipality, distance, time, language, theme)
}

// Points of the Score; they add up to 100.
const (
	pointsPlace    = 30
	pointsTime     = 25
	pointsTheme    = 20
	pointsFormat   = 15
	pointsLanguage = 10
)

// Suggest ranks people for the planned group t. Everyone comes back once:
// first those who fit (see the package comment), by Score, then the longest
// waiting, then ID; then those who do not, with their Reasons, by the
// longest waiting, then ID. No one is silently dropped.
//
// The Score of a person who fits (0…100):
//   - place, 30: phone and video, or their own municipality, 30; another
//     municipality 5 + 25·(1 − km/TravelKm), so nearer scores higher; in
//     person without a municipality in t, 0 for everyone;
//   - time, 25: they fit the slot, or t has none yet (it only excludes);
//   - theme, 20: they named t's theme, or t is open and they named none,
//     20; open to a cross-theme group, 10;
//   - format, 15: t's format is the only one they take, 15; one of
//     several, 10 (they have fewer other chances);
//   - language, 10.
//
// An in-person t without a municipality is judged without a place: nobody
// is excluded for distance or their own municipality. CheckGroup refuses
// such a group.
func Suggest(t Target, people []Person, d Distances) []Suggestion {
	out := make([]Suggestion, len(people))
	for i := range people {
		p := &people[i]
		s := Suggestion{Person: *p}
		s.Reasons = misfits(t, p, d, true)
		s.Fits = len(s.Reasons) == 0
		if s.Fits {
			s.Score = score(t, p, d)
		}
		out[i] = s
	}
	slices.SortFunc(out, func(a, b Suggestion) int {
		if a.Fits != b.Fits {
			if a.Fits {
				return -1
			}
			return 1
		}
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		if c := a.Person.WaitingSince.Compare(b.Person.WaitingSince); c != 0 {
			return c
		}
		return cmp.Compare(a.Person.ID, b.Person.ID)
	})
	return out
}

// score is the Score of p, who fits t.
func score(t Target, p *Person, d Distances) int {
	pts := pointsTime + pointsLanguage
	switch {
	case t.Format.Remote():
		pts += pointsPlace
	case t.Municipality == "":
	case t.Municipality == p.Municipality:
		pts += pointsPlace
	default:
		km, _ := p.reach(t.Municipality, d)
		near := 1 - km/float64(p.TravelKm)
		pts += 5 + int(math.Round(25*max(near, 0)))
	}
	if len(p.Themes) == 0 && t.Theme != "" {
		pts += pointsTheme / 2
	} else {
		pts += pointsTheme
	}
	if !slices.ContainsFunc(p.Formats, func(f Format) bool { return f != t.Format }) {
		pts += pointsFormat
	} else {
		pts += pointsFormat * 2 / 3
	}
	return pts
}
