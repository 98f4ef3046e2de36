package ical

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/fellesrom/fellesrom/internal/domain"
)

// EventFromSchedule is the event of a group's schedule: Start in the
// schedule's zone, End after its duration (none when it has no duration),
// its RRULE and EXDATEs. The caller adds UID, Summary and the rest.
func EventFromSchedule(s domain.Schedule) (Event, error) {
	if err := s.Validate(); err != nil {
		if errors.Is(err, domain.ErrRule) {
			return Event{}, fmt.Errorf("%w: %w", ErrRule, err)
		}
		return Event{}, fmt.Errorf("%w: schedule: %w", ErrValue, err)
	}
	loc, err := s.Location()
	if err != nil {
		return Event{}, fmt.Errorf("%w: %w", ErrZone, err)
	}
	ev := Event{Start: s.Start.In(loc), RRule: s.RRule, ExDates: slices.Clone(s.ExDates)}
	if s.DurationMin > 0 {
		ev.End = ev.Start.Add(time.Duration(s.DurationMin) * time.Minute)
	}
	return ev, nil
}
