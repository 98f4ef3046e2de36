package api

import (
	"math"
	"slices"
	"time"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/finder"
)

// This file is the one place where a finder.Listing, the public view of a
// group, becomes JSON. Search results, a group and an organisation's groups
// all go through groupSummaryOf.

type themeRef struct {
	Slug string `json:"slug"`
	Name text   `json:"name"`
}

type modelRef struct {
	Slug string `json:"slug"`
	Name text   `json:"name"`
}

type organisationRef struct {
	ID   string `json:"id"`
	Slug string `json:"slug"`
	Name string `json:"name"`
}

type municipalityRef struct {
	ID       string  `json:"id"`
	Name     string  `json:"name"`
	SamiName *string `json:"sami_name"`
}

type audience struct {
	AgeGroup     domain.AgeGroup `json:"age_group"`
	Gender       domain.Gender   `json:"gender"`
	ForRelatives bool            `json:"for_relatives"`
}

type accessibility struct {
	StepFree         bool `json:"step_free"`
	HearingLoop      bool `json:"hearing_loop"`
	AccessibleToilet bool `json:"accessible_toilet"`
}

// venue is a public meeting place, or an organisation's public address.
type venue struct {
	Name          string        `json:"name"`
	Street        string        `json:"street"`
	PostalCode    string        `json:"postal_code"`
	City          string        `json:"city"`
	Lat           *float64      `json:"lat"`
	Lon           *float64      `json:"lon"`
	Accessibility accessibility `json:"accessibility"`
	Directions    text          `json:"directions"`
}

type schedule struct {
	Start           string   `json:"start"`
	DurationMinutes int      `json:"duration_minutes"`
	TimeZone        string   `json:"time_zone"`
	RRule           *string  `json:"rrule"`
	ExDates         []string `json:"exdates"`
	Next            []string `json:"next"`
}

// groupSummary is a group in a list.
type groupSummary struct {
	ID              string            `json:"id"`
	Slug            string            `json:"slug"`
	Name            text              `json:"name"`
	Model           modelRef          `json:"model"`
	Themes          []themeRef        `json:"themes"`
	Organisation    organisationRef   `json:"organisation"`
	Format          domain.Format     `json:"format"`
	Languages       []string          `json:"languages"`
	Audience        audience          `json:"audience"`
	Status          domain.Status     `json:"status"`
	TakesNewMembers bool              `json:"takes_new_members"`
	JoinMethod      domain.JoinMethod `json:"join_method"`
	Weekdays        []string          `json:"weekdays"`
	TimeOfDay       *string           `json:"time_of_day"`
	NextMeeting     *string           `json:"next_meeting"`
	Municipality    *municipalityRef  `json:"municipality"`
	Venue           *venue            `json:"venue,omitempty"`
	DistanceKm      *float64          `json:"distance_km,omitempty"`
}

// groupDetail is one group with everything the public may know.
type groupDetail struct {
	groupSummary
	Description text      `json:"description"`
	Capacity    *int      `json:"capacity,omitempty"`
	Schedule    *schedule `json:"schedule"`
	VerifiedAt  *string   `json:"verified_at"`
	UpdatedAt   string    `json:"updated_at"`
}

// meets says whether a group in status st holds meetings now.
func meets(st domain.Status) bool { return st != domain.StatusPaused && st != domain.StatusEnded }

func groupSummaryOf(l finder.Listing, now time.Time) groupSummary {
	g := l.Group
	out := groupSummary{
		ID:              g.ID,
		Slug:            g.Slug,
		Name:            textOf(g.Name),
		Model:           modelRef{Slug: l.Model.Slug, Name: textOf(l.Model.Name)},
		Themes:          make([]themeRef, 0, len(l.Themes)),
		Organisation:    organisationRef{ID: l.Organisation.ID, Slug: l.Organisation.Slug, Name: l.Organisation.Name},
		Format:          g.Format,
		Languages:       nonNil(slices.Clone(g.Languages)),
		Audience:        audience{AgeGroup: g.AgeGroup, Gender: g.Gender, ForRelatives: g.ForRelatives},
		Status:          g.Status,
		TakesNewMembers: g.OpenToNewcomers(),
		JoinMethod:      g.Join,
		Weekdays:        []string{},
	}
	for _, t := range l.Themes {
		out.Themes = append(out.Themes, themeRef{Slug: t.Slug, Name: textOf(t.Name)})
	}
	if s := g.Schedule; !s.Start.IsZero() {
		days := s.Weekdays()
		slices.SortFunc(days, func(a, b time.Weekday) int { return (int(a)+6)%7 - (int(b)+6)%7 }) // Monday first
		for _, d := range days {
			out.Weekdays = append(out.Weekdays, finder.DayParam(d))
		}
		tod := string(s.TimeOfDay())
		out.TimeOfDay = &tod
		if meets(g.Status) {
			if next := s.Next(now, 1); len(next) > 0 {
				out.NextMeeting = optTimestamp(next[0])
			}
		}
	}
	if m := l.Municipality; m.ID != "" {
		out.Municipality = &municipalityRef{ID: m.ID, Name: m.Name, SamiName: optString(m.SamiName)}
	}
	// The finder has already left out a meeting place the public may not
	// see; the rule is checked once more here, because a slip would put
	// people at risk.
	if l.AddressVisible && l.Venue.ID != "" && domain.AddressVisible(g, l.Model, l.Venue) {
		out.Venue = venueOf(l.Venue)
		if l.HasDistance {
			km := math.Round(l.DistanceKm*10) / 10
			out.DistanceKm = &km
		}
	}
	return out
}

func groupDetailOf(l finder.Listing, now time.Time) groupDetail {
	g := l.Group
	out := groupDetail{
		groupSummary: groupSummaryOf(l, now),
		Description:  textOf(g.Description),
		Capacity:     optInt(g.Capacity),
		VerifiedAt:   optTimestamp(g.VerifiedAt.UTC()),
		UpdatedAt:    timestamp(g.UpdatedAt.UTC()),
	}
	out.DistanceKm = nil
	if s := g.Schedule; !s.Start.IsZero() {
		loc, err := s.Location()
		if err != nil {
			loc = time.UTC
		}
		tz := s.TZ
		if tz == "" {
			tz = domain.DefaultTimeZone
		}
		sc := &schedule{Start: timestamp(s.Start.In(loc)), DurationMinutes: s.DurationMin, TimeZone: tz,
			RRule: optString(s.RRule), ExDates: []string{}, Next: []string{}}
		for _, x := range s.ExDates {
			sc.ExDates = append(sc.ExDates, timestamp(x.In(loc)))
		}
		if meets(g.Status) {
			for _, t := range s.Next(now, 5) {
				sc.Next = append(sc.Next, timestamp(t))
			}
		}
		out.Schedule = sc
	}
	return out
}

func venueOf(v domain.Venue) *venue {
	out := &venue{Name: v.Name, Street: v.Street, PostalCode: v.PostalCode, City: v.City,
		Accessibility: accessibility{StepFree: v.StepFree, HearingLoop: v.HearingLoop, AccessibleToilet: v.AccessibleToilet},
		Directions:    textOf(v.Directions)}
	if v.HasCoordinates {
		lat, lon := v.Lat, v.Lon
		out.Lat, out.Lon = &lat, &lon
	}
	return out
}
