package report

import "github.com/fellesrom/fellesrom/internal/store"

// CountMeasure is an activity figure: a sum of the numbers of anonymous
// rows (store.ReportCount) by category. Its table's id is ID, its rows the
// categories, with their total; months add up to quarters and the year.
// A sum (attendance, people reached, hours) is protected like a count: 1–4
// is "under 5".
type CountMeasure struct {
	ID         string
	Dim        string // the vocabulary of Categories (see Table.Dim)
	Categories []string
}

// CountMeasures are the activity figures, in the order reports show them
// (after the enquiries and the groups). The tables' ids and what they mean:
//
//   - meetings.held: meetings held, as the groups report them month by
//     month themselves; by the group's format (GroupFormats).
//   - meetings.attendance: people present at those meetings (each counted
//     once a month in a group, as the groups report it); by format.
//   - starters.active: starters starting a group (starter assignments begun
//     in the period); by the group's format.
//   - starters.courses: starter courses completed by starters; by kind of
//     course (store.CourseKinds). Courses held as events are in events.held
//     under "starter_course".
//   - events.held: events held (not cancelled, ended by now); by kind of
//     event (store.EventKinds).
//   - events.reached: people who attended those events, as recorded after
//     them; by kind.
//   - outreach.activities: entries of the outreach log (talks, media, stands,
//     brochures, partner meetings, other); by kind (store.OutreachKinds).
//   - outreach.reached: people those entries reached (brochures: handed
//     out); by kind.
//   - rooms.bookings: meetings in the rooms (one-off bookings and each
//     meeting of a series) that began by now; by who used the room
//     (store.RoomUseKinds: a group, an outside organisation, the house's own).
//   - rooms.hours: the hours of those meetings, each counted in whole hours
//     begun; by who used the room.
var CountMeasures = []CountMeasure{
	{"meetings.held", "format", GroupFormats},
	{"meetings.attendance", "format", GroupFormats},
	{"starters.active", "format", GroupFormats},
	{"starters.courses", "course_kind", store.CourseKinds},
	{"events.held", "event_kind", eventKinds()},
	{"events.reached", "event_kind", eventKinds()},
	{"outreach.activities", "outreach_kind", store.OutreachKinds},
	{"outreach.reached", "outreach_kind", store.OutreachKinds},
	{"rooms.bookings", "room_use", store.RoomUseKinds},
	{"rooms.hours", "room_use", store.RoomUseKinds},
}

func eventKinds() []string {
	out := make([]string, len(store.EventKinds))
	for i, k := range store.EventKinds {
		out[i] = string(k)
	}
	return out
}
