package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/fellesrom/fellesrom/internal/domain"
)

// The double-booking check: one function, checkRoomTx, that every write of
// a booking goes through (a one-off booking, a new or changed series, an
// exception taken back, a request approved, a group's start-up meeting),
// inside the writing transaction. It locks the room's row first on
// PostgreSQL (SELECT … FOR UPDATE), so that two writers of one room take
// turns and the second sees what the first wrote; SQLite has one writer.
//
// What it compares, in absolute time (a meeting at 18:00 in Europe/Oslo is
// 17:00 UTC in winter and 16:00 UTC in summer; half-open spans, so a
// meeting may begin the minute the one before ends):
//
//   - a one-off booking against every other one-off booking of the room,
//     and against every meeting of every series of the room in the days
//     around it: exact.
//   - a series against every one-off booking of the room the same way (its
//     meetings in the days around each booking): exact.
//   - a series against another series: every meeting of both from the later
//     start to the earlier end. A series ends at most SeriesMaxYears after
//     it starts, so two series with ends are compared whole: exact. When
//     neither has an end the comparison runs HorizonYears (ten years)
//     from the later of their starts and today, and at least two periods of
//     their joint pattern past the last exception. For two weekly series
//     (the common case) that is exact for all time: their days repeat every
//     lcm(7·INTERVAL₁, 7·INTERVAL₂) days (at most 924), so a clash that
//     ever happens happens in every period after the exceptions, and the
//     ten years hold several periods. The one thing ten years do not cover
//     is a pair of meetings that overlap only because the clocks change in
//     between (both touching 02:00–03:00 in the night to the last Sunday
//     of March or October); within the ten years that is found too. A
//     monthly series ("the second Tuesday") without an end against another
//     series without an end is compared for the ten years only: the nth
//     weekday of a month has no short period. Each is checked again
//     whenever either is changed, and the horizon moves with today.

// HorizonYears is how far ahead two series without an end are compared,
// from the later of their starts and today.
const HorizonYears = 10

// SeriesMaxYears is the longest a series may run: its last day is at most
// this many years after its first meeting. A longer use is a series
// extended (changed) later.
const SeriesMaxYears = 10

// RoomTimeZone is the zone of every room's bookings: a series meets at the
// same wall-clock time in it all year round.
const RoomTimeZone = domain.DefaultTimeZone

// Clash is one meeting of another booking that a booking being written
// would overlap.
type Clash struct {
	BookingID string // the one-off booking clashed with ("" for a series)
	SeriesID  string // the series clashed with ("" for a one-off booking)
	GroupID   string
	OrgID     string
	Holder    string
	Title     string
	Purpose   string    // of a one-off booking
	StartsAt  time.Time // the other booking's meeting that overlaps (UTC)
	EndsAt    time.Time
	At        time.Time // the start of the meeting being written that overlaps (UTC)
}

// RoomClashError refuses a booking that would overlap another: the first
// clashes with each other booking (up to clashesPerOther each), and how
// many more there are.
type RoomClashError struct {
	Clashes []Clash
	More    int
}

// clashesPerOther is how many meetings of one other booking a clash
// report names.
const clashesPerOther = 3

func (e *RoomClashError) Error() string {
	return fmt.Sprintf("store: the room is booked already (%d overlapping meeting(s))", len(e.Clashes)+e.More)
}

// As lets callers that know only one-off bookings (the start of a group,
// which looks for a *ClashError) see the clashes as bookings: a series'
// meeting as a booking with the series' group and title and no ID.
func (e *RoomClashError) As(target any) bool {
	p, ok := target.(**ClashError)
	if !ok {
		return false
	}
	ce := &ClashError{}
	for _, c := range e.Clashes {
		ce.Clashes = append(ce.Clashes, RoomBooking{ID: c.BookingID, GroupID: c.GroupID, StartsAt: c.StartsAt,
			EndsAt: c.EndsAt, Purpose: bookingOr(c.Purpose, "meeting"), Title: c.Title})
	}
	*p = ce
	return true
}

func bookingOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// ErrSeries is a series that cannot be stored as asked: a rule outside
// the accepted subset, no meeting at all, a length or an end out of range.
var ErrSeries = errors.New("store: the series cannot be stored")

// --- days ---

// bookDay is a date in the room's zone, counted in days from 1970-01-01.
type bookDay int

func bookDayOf(t time.Time, loc *time.Location) bookDay {
	y, m, d := t.In(loc).Date()
	return bookDayNum(y, m, d)
}

func bookDayNum(y int, m time.Month, d int) bookDay {
	return bookDay(time.Date(y, m, d, 12, 0, 0, 0, time.UTC).Unix() / 86400)
}

func (d bookDay) date() (int, time.Month, int) {
	return time.Unix(int64(d)*86400+43200, 0).UTC().Date()
}

func (d bookDay) weekday() time.Weekday { return time.Weekday(((int(d)+4)%7 + 7) % 7) } // 1970-01-01 was a Thursday

func (d bookDay) String() string {
	y, m, dd := d.date()
	return fmt.Sprintf("%04d-%02d-%02d", y, int(m), dd)
}

// parseDay reads "2026-03-03".
func parseBookDay(s string) (bookDay, bool) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil || t.Year() < 1900 || t.Year() > 2200 {
		return 0, false
	}
	return bookDayNum(t.Date()), true
}

// ValidDay reports whether s is a date as the store keeps days: 2026-03-03.
func ValidBookingDay(s string) bool { _, ok := parseBookDay(s); return ok }

// DayOf is the day (2026-03-03) of t in the room's zone.
func DayOf(t time.Time) string { return bookDayOf(t, roomLoc()).String() }

func roomLoc() *time.Location {
	loc, err := domain.LoadLocation(RoomTimeZone)
	if err != nil {
		panic(err) // the zone database is embedded in the program (time/tzdata) or on the system
	}
	return loc
}

const seriesNoEnd = bookDay(1 << 30)

// --- the pattern of a series ---

// seriesPattern is a series as the check expands it.
type seriesPattern struct {
	loc      *time.Location
	first    bookDay // the first meeting's day
	hh, mm   int
	minutes  int
	rule     domain.Rule
	until    bookDay // the last day (inclusive), noEnd for none
	except   map[bookDay]bool
	lastExcl bookDay // the latest exception (0: none)
}

// meetSpan is one meeting: [start, end) in UTC.
type meetSpan struct{ start, end time.Time }

func (p *seriesPattern) at(d bookDay) meetSpan {
	y, m, dd := d.date()
	s := time.Date(y, m, dd, p.hh, p.mm, 0, 0, p.loc)
	return meetSpan{s.UTC(), s.Add(time.Duration(p.minutes) * time.Minute).UTC()}
}

// meets reports whether the pattern has a meeting on day d, exceptions
// aside.
func (p *seriesPattern) meets(d bookDay) bool {
	if d < p.first || d > p.until {
		return false
	}
	switch p.rule.Freq {
	case domain.FreqWeekly:
		if p.rule.Interval > 1 {
			monday := p.first - bookDay((int(p.first.weekday())+6)%7)
			if week := int(d-monday) / 7; week%p.rule.Interval != 0 {
				return false
			}
		}
		wd := d.weekday()
		if len(p.rule.ByDay) == 0 {
			return wd == p.first.weekday()
		}
		return slices.ContainsFunc(p.rule.ByDay, func(w domain.WeekdayNum) bool { return w.Day == wd })
	case domain.FreqMonthly:
		fy, fm, _ := p.first.date()
		y, m, _ := d.date()
		months := (y-fy)*12 + int(m) - int(fm)
		if months%p.rule.Interval != 0 {
			return false
		}
		for _, w := range p.rule.ByDay {
			if bookNthWeekday(y, m, w) == d {
				return true
			}
		}
	}
	return false
}

// nthWeekdayDay is the w.N-th w.Day of the month (N = -1: the last), or
// -1 when the month has no such day (a fifth one).
func bookNthWeekday(y int, m time.Month, w domain.WeekdayNum) bookDay {
	if w.N > 0 {
		first := bookDayNum(y, m, 1)
		d := first + bookDay((int(w.Day)-int(first.weekday())+7)%7) + bookDay(7*(w.N-1))
		if _, mm, _ := d.date(); mm != m {
			return -1
		}
		return d
	}
	last := bookDayNum(y, m+1, 0)
	return last - bookDay((int(last.weekday())-int(w.Day)+7)%7)
}

// occurs reports whether the series meets on day d.
func (p *seriesPattern) occurs(d bookDay) bool { return p.meets(d) && !p.except[d] }

// spans are the series' meetings on the days from..to (inclusive), in order.
func (p *seriesPattern) spans(from, to bookDay) []meetSpan {
	from, to = max(from, p.first), min(to, p.until)
	var out []meetSpan
	for d := from; d <= to; d++ {
		if p.occurs(d) {
			out = append(out, p.at(d))
		}
	}
	return out
}

// period is the number of days after which a weekly pattern repeats (0 for
// a monthly one).
func (p *seriesPattern) period() int {
	if p.rule.Freq != domain.FreqWeekly {
		return 0
	}
	return 7 * p.rule.Interval
}

func bookingGCD(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// --- series and their patterns ---

// seriesPatternOf makes the pattern of a stored series.
func seriesPatternOf(sr RoomSeries) (*seriesPattern, error) {
	loc := roomLoc()
	rule, err := domain.ParseRule(sr.Rule)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSeries, err)
	}
	if rule.Count > 0 || !rule.Until.IsZero() {
		return nil, fmt.Errorf("%w: the rule's end goes in Until", ErrSeries)
	}
	local := sr.Start.In(loc)
	p := &seriesPattern{loc: loc, first: bookDayOf(sr.Start, loc), hh: local.Hour(), mm: local.Minute(), minutes: sr.Minutes,
		rule: rule, until: seriesNoEnd, except: map[bookDay]bool{}}
	if sr.Until != "" {
		u, ok := parseBookDay(sr.Until)
		if !ok {
			return nil, fmt.Errorf("%w: the last day is not a date", ErrSeries)
		}
		p.until = u
	}
	for _, x := range sr.Exceptions {
		d, ok := parseBookDay(x.Day)
		if !ok {
			return nil, fmt.Errorf("%w: an exception is not a date", ErrSeries)
		}
		p.except[d] = true
		p.lastExcl = max(p.lastExcl, d)
	}
	return p, nil
}

// normaliseSeries checks a series and puts it in the form the store keeps:
// the rule with FREQ, INTERVAL and BYDAY only (an UNTIL or COUNT becomes
// the last day), the start moved to the first meeting on or after it (at
// its wall-clock time), exceptions on days it meets, sorted. A series
// whose pattern has no meeting is ErrSeries.
func normaliseSeries(sr *RoomSeries) error {
	loc := roomLoc()
	switch {
	case sr.Start.IsZero():
		return fmt.Errorf("%w: no first meeting", ErrSeries)
	case sr.Minutes < 5 || sr.Minutes > 24*60:
		return fmt.Errorf("%w: a meeting lasts 5 minutes to 24 hours", ErrSeries)
	case len(sr.Rule) > 200:
		return fmt.Errorf("%w: the rule is too long", ErrSeries)
	}
	rule, err := domain.ParseRule(sr.Rule)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrSeries, err)
	}
	// The start may be any time: the first meeting is the first day on or
	// after it that the pattern has, at the start's wall-clock time.
	local := sr.Start.In(loc)
	sr.Start = time.Date(local.Year(), local.Month(), local.Day(), local.Hour(), local.Minute(), 0, 0, loc).UTC()
	count, until := rule.Count, rule.Until
	rule.Count, rule.Until = 0, time.Time{}
	var by []domain.WeekdayNum // each day once
	for _, w := range rule.ByDay {
		if !slices.Contains(by, w) {
			by = append(by, w)
		}
	}
	rule.ByDay = by
	if len(rule.ByDay) == 0 && rule.Freq == domain.FreqWeekly {
		rule.ByDay = []domain.WeekdayNum{{Day: local.Weekday()}}
	}
	sr.Rule = rule.String()
	p, err := seriesPatternOf(RoomSeries{Start: sr.Start, Minutes: sr.Minutes, Rule: sr.Rule})
	if err != nil {
		return err
	}
	if !until.IsZero() {
		// The last day a meeting starts at or before UNTIL.
		u := bookDayOf(until, loc)
		if p.at(u).start.After(until) {
			u--
		}
		if sr.Until == "" || u.String() < sr.Until {
			sr.Until = u.String()
		}
	}
	if sr.Until != "" {
		u, ok := parseBookDay(sr.Until)
		if !ok {
			return fmt.Errorf("%w: the last day is not a date", ErrSeries)
		}
		p.until = u
	}
	// The first meeting: a weekly rule meets within a period, a monthly one
	// within a year and a period.
	first := bookDay(-1)
	for d := p.first; d <= p.first+bookDay(7*12+400) && d <= p.until; d++ {
		if p.meets(d) {
			first = d
			break
		}
	}
	if first < 0 {
		return fmt.Errorf("%w: the pattern has no meeting", ErrSeries)
	}
	// Re-anchor on the first meeting: the same weeks (or months) stay "on",
	// since the first meeting falls in an "on" week (month) of the old anchor.
	p.first = first
	sr.Start = p.at(first).start
	if count > 0 {
		n := 0
		for d := first; d <= p.until; d++ {
			if p.meets(d) {
				if n++; n == count {
					p.until = d
					sr.Until = d.String()
					break
				}
			}
		}
	}
	if p.until != seriesNoEnd {
		fy, fm, fd := first.date()
		if p.until > bookDayNum(fy+SeriesMaxYears, fm, fd) {
			return fmt.Errorf("%w: a series runs at most %d years", ErrSeries, SeriesMaxYears)
		}
		if p.until < first {
			return fmt.Errorf("%w: the pattern has no meeting", ErrSeries)
		}
	}
	seen := map[string]bool{}
	var ex []SeriesException
	for _, x := range sr.Exceptions {
		d, ok := parseBookDay(x.Day)
		switch {
		case !ok:
			return fmt.Errorf("%w: an exception is not a date", ErrSeries)
		case !slices.Contains(ExceptionReasons, x.Reason):
			return fmt.Errorf("%w: an exception's reason", ErrSeries)
		case seen[x.Day] || !p.meets(d):
			continue // twice, or not a day the series meets (any more)
		}
		seen[x.Day] = true
		ex = append(ex, x)
	}
	slices.SortFunc(ex, func(a, b SeriesException) int { return strings.Compare(a.Day, b.Day) })
	sr.Exceptions = ex
	return nil
}

// --- the check ---

// bookingUse is what is being written: a one-off booking (a meetSpan) or a
// series (a seriesPattern), and its own ID, which the check leaves out of the
// others (a change is not compared with what it replaces).
type bookingUse struct {
	bookingID     string
	seriesID      string
	once          *meetSpan
	seriesPattern *seriesPattern
}

// checkRoomTx is the double-booking check (see the top of this file): it
// locks the room, then compares u with every other booking and series of
// the room, and returns a *RoomClashError naming what it overlaps, or nil.
// now places the horizon of two series without an end.
func (s *Store) checkRoomTx(ctx context.Context, tx *sql.Tx, roomID string, u bookingUse, now time.Time) error {
	if err := s.lockRowTx(ctx, tx, "rooms", roomID); err != nil {
		return err
	}
	loc := roomLoc()
	ce := &RoomClashError{}
	add := func(cs []Clash, total int) {
		ce.Clashes = append(ce.Clashes, cs...)
		ce.More += total - len(cs)
	}
	// The span of days that u covers, for reading the others.
	var fromT time.Time
	var lastDay bookDay
	if u.once != nil {
		fromT = u.once.start
		lastDay = bookDayOf(u.once.end, loc) + 1
	} else {
		fromT = u.seriesPattern.at(u.seriesPattern.first).start
		lastDay = u.seriesPattern.until
	}
	fromT = fromT.Add(-48 * time.Hour)
	// One-off bookings of the room.
	where := `room_id = $1 AND id <> $2 AND ends_at > $3`
	args := []any{roomID, u.bookingID, fromT}
	if u.once != nil {
		where = `room_id = $1 AND id <> $2 AND ends_at > $3 AND starts_at < $4`
		args = append(args, u.once.end)
	} else if lastDay != seriesNoEnd {
		where += ` AND starts_at < $4`
		y, m, d := (lastDay + 2).date()
		args = append(args, time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
	}
	others, err := queryBookingsFull(ctx, tx, where, args...)
	if err != nil {
		return err
	}
	for _, b := range others {
		var cs []Clash
		total := 0
		if u.once != nil {
			if u.once.start.Before(b.EndsAt) && b.StartsAt.Before(u.once.end) {
				cs, total = append(cs, bookingClash(b, u.once.start)), 1
			}
		} else {
			for _, m := range u.seriesPattern.spans(bookDayOf(b.StartsAt, loc)-2, bookDayOf(b.EndsAt, loc)+1) {
				if m.start.Before(b.EndsAt) && b.StartsAt.Before(m.end) {
					if total++; len(cs) < clashesPerOther {
						cs = append(cs, bookingClash(b, m.start))
					}
				}
			}
		}
		add(cs, total)
	}
	// Series of the room.
	series, err := s.seriesWhere(ctx, tx, `room_id = $1 AND id <> $2 AND (until_day = '' OR until_day >= $3)`,
		roomID, u.seriesID, bookDayOf(fromT, loc).String())
	if err != nil {
		return err
	}
	today := bookDayOf(now, loc)
	for _, sr := range series {
		p, err := seriesPatternOf(sr)
		if err != nil {
			return err
		}
		var cs []Clash
		total := 0
		note := func(m meetSpan, o meetSpan) {
			if total++; len(cs) < clashesPerOther {
				cs = append(cs, seriesClash(sr, o, m.start))
			}
		}
		if u.once != nil {
			for _, o := range p.spans(bookDayOf(u.once.start, loc)-2, bookDayOf(u.once.end, loc)+1) {
				if u.once.start.Before(o.end) && o.start.Before(u.once.end) {
					note(*u.once, o)
				}
			}
		} else {
			from, to := seriesPairWindow(u.seriesPattern, p, today)
			meetOverlaps(u.seriesPattern.spans(from, to), p.spans(from, to), note)
		}
		add(cs, total)
	}
	if len(ce.Clashes) == 0 {
		return nil
	}
	slices.SortStableFunc(ce.Clashes, func(a, b Clash) int { return a.At.Compare(b.At) })
	return ce
}

// pairWindow is the days over which two series are compared (see the top
// of this file).
func seriesPairWindow(a, b *seriesPattern, today bookDay) (bookDay, bookDay) {
	from := max(a.first, b.first) - 1
	to := min(a.until, b.until)
	if to == seriesNoEnd {
		start := max(a.first, b.first, today)
		y, m, d := start.date()
		to = bookDayNum(y+HorizonYears, m, d)
		if pa, pb := a.period(), b.period(); pa > 0 && pb > 0 {
			l := pa / bookingGCD(pa, pb) * pb
			to = max(to, max(start, a.lastExcl, b.lastExcl)+bookDay(2*l+7))
		}
	}
	return from, to + 1
}

// overlaps calls note for every pair of a meeting of mine and one of
// theirs that overlap; both lists are in order of start.
func meetOverlaps(mine, theirs []meetSpan, note func(m, o meetSpan)) {
	j := 0
	for _, m := range mine {
		for j < len(theirs) && !theirs[j].end.After(m.start) && !theirs[j].start.After(m.start) {
			j++
		}
		for k := j; k < len(theirs) && theirs[k].start.Before(m.end); k++ {
			if theirs[k].end.After(m.start) {
				note(m, theirs[k])
			}
		}
	}
}

func bookingClash(b OneOffBooking, at time.Time) Clash {
	return Clash{BookingID: b.ID, GroupID: b.GroupID, OrgID: b.OrgID, Holder: b.Holder, Title: b.Title,
		Purpose: b.Purpose, StartsAt: b.StartsAt, EndsAt: b.EndsAt, At: at}
}

func seriesClash(sr RoomSeries, o meetSpan, at time.Time) Clash {
	return Clash{SeriesID: sr.ID, GroupID: sr.GroupID, OrgID: sr.OrgID, Holder: sr.Holder, Title: sr.Title,
		StartsAt: o.start, EndsAt: o.end, At: at}
}
