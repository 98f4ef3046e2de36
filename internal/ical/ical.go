// Package ical writes iCalendar (RFC 5545): an invitation to a meeting
// (METHOD:REQUEST with one VEVENT) and feeds of groups, houses, rooms and
// events (recurring events with RRULE and EXDATE).
//
// The writer checks what it is given instead of offering a Validate: an event
// without a UID, an end before its start, a time that is not in a named time
// zone or a recurrence rule fellesrom does not accept is refused with an error
// (see the Err values), and nothing of that event is written. Errors name the
// event by its UID and never repeat its text or addresses.
//
// Output: CRLF line endings, lines folded at 75 octets (never inside a UTF-8
// sequence), TEXT values escaped, DTSTART/DTEND/EXDATE in local time with a
// TZID, and a VTIMEZONE for every zone used, made from Go's zone data for the
// times the calendar uses and on (see vtimezone.go). Timestamps (DTSTAMP,
// CREATED, LAST-MODIFIED) are in UTC.
//
// What goes in is what is shown: the caller decides what may be public (a
// closed group's meeting place never is) and must not list a group's
// participants as attendees of one another's invitations.
package ical

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fellesrom/fellesrom/internal/domain"
)

// DefaultProdID is the PRODID of a calendar that does not give one.
const DefaultProdID = "-//fellesrom//fellesrom//NB"

// Errors the writer refuses input with (wrapped with the event's UID).
var (
	ErrUID   = errors.New("ical: event has no UID, or the same UID as another event")
	ErrEnd   = errors.New("ical: event ends before it starts")
	ErrZone  = errors.New("ical: time is not in a named IANA time zone (use time.In with the place's zone)")
	ErrRule  = errors.New("ical: recurrence rule not accepted")
	ErrValue = errors.New("ical: invalid value")
)

// Status is an event's STATUS.
type Status string

const (
	StatusConfirmed Status = "CONFIRMED"
	StatusTentative Status = "TENTATIVE"
	StatusCancelled Status = "CANCELLED"
)

// PartStat is an attendee's participation status.
type PartStat string

const (
	PartStatNeedsAction PartStat = "NEEDS-ACTION"
	PartStatAccepted    PartStat = "ACCEPTED"
	PartStatDeclined    PartStat = "DECLINED"
	PartStatTentative   PartStat = "TENTATIVE"
)

// Person is an organizer: a name (optional) and an e-mail address.
type Person struct {
	Name  string
	Email string
}

// Attendee is an invited person.
type Attendee struct {
	Name     string
	Email    string
	PartStat PartStat // empty: not given (NEEDS-ACTION by default)
	RSVP     bool     // a reply is asked for
}

// Event is one VEVENT.
type Event struct {
	UID      string // required, unique in the calendar; stable across updates
	Sequence int    // revision, for invitations: raise it when the event changes

	// Start and End are in the place's time zone (time.In with a location
	// from time.LoadLocation, such as Europe/Oslo); UTC and Local are refused.
	// End may be zero (no DTEND: the event has no length). For an all-day
	// event only the dates count, End is the day after the last day (zero or
	// equal to Start: one day), and the zone may be any.
	Start, End time.Time
	AllDay     bool

	Summary, Description, Location string
	URL                            string // absolute http or https URL, or empty

	Organizer *Person // required with METHOD REQUEST, CANCEL and ADD
	Attendees []Attendee

	Status Status // empty: not given

	// RRule is a recurrence rule in the subset domain.ParseRule accepts (as
	// domain.Schedule.RRule holds it); empty: a single event. A Start that is
	// not itself an occurrence is moved to the first occurrence, as
	// domain.Schedule.Next counts, so that DTSTART agrees with the rule.
	RRule   string
	ExDates []time.Time // cancelled occurrences (their start times)

	// DTStamp zero: LastModified in a calendar without METHOD (RFC 5545
	// 3.8.7.2), otherwise the time of writing. Set it (or LastModified) for
	// output that is the same each time, such as a feed with an ETag.
	Created, LastModified, DTStamp time.Time
}

// Calendar is a VCALENDAR.
type Calendar struct {
	ProdID string // empty: DefaultProdID
	Method string // empty, or an iTIP method (RFC 5546) such as REQUEST, PUBLISH, CANCEL
	Name   string // the calendar's name (NAME and X-WR-CALNAME); empty: none
	Events []Event
}

// Zone declares a time zone of a calendar written with an Encoder: its
// VTIMEZONE covers the times from From on.
type Zone struct {
	Location *time.Location
	From     time.Time
}

// WriteTo writes the calendar. It checks every event before it writes
// anything, so a refused calendar leaves w untouched.
func (c Calendar) WriteTo(w io.Writer) (int64, error) {
	if err := checkHead(c); err != nil {
		return 0, err
	}
	evs, err := prepareAll(c.Events, c.Method)
	if err != nil {
		return 0, err
	}
	var zones []Zone
	for _, ev := range evs {
		for _, t := range ev.zoneTimes() {
			i := slices.IndexFunc(zones, func(z Zone) bool { return z.Location.String() == t.Location().String() })
			if i < 0 {
				zones = append(zones, Zone{t.Location(), t})
			} else if t.Before(zones[i].From) {
				zones[i].From = t
			}
		}
	}
	lw := newLineWriter(w)
	writeHead(lw, c, zones)
	for _, ev := range evs {
		ev.write(lw)
	}
	lw.line("END:VCALENDAR")
	err = lw.flush()
	return lw.n, err
}

// Bytes returns the calendar as WriteTo writes it.
func (c Calendar) Bytes() ([]byte, error) {
	var b bytes.Buffer
	if _, err := c.WriteTo(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Encoder writes a calendar one event at a time, for feeds too large to
// build whole. The zones its events use are declared up front.
type Encoder struct {
	lw     *lineWriter
	method string
	zones  map[string]time.Time // zone name → From
	uids   map[string]bool
	closed bool
}

// NewEncoder checks head and zones and writes the calendar's properties, the
// VTIMEZONEs of zones and head.Events (all checked first: nothing is written
// when one is refused). Encode writes more events; Close ends the calendar.
func NewEncoder(w io.Writer, head Calendar, zones ...Zone) (*Encoder, error) {
	if err := checkHead(head); err != nil {
		return nil, err
	}
	e := &Encoder{method: head.Method, zones: map[string]time.Time{}, uids: map[string]bool{}}
	var merged []Zone
	for _, z := range zones {
		if z.Location == nil || z.From.IsZero() {
			return nil, fmt.Errorf("%w: a zone needs a location and a start", ErrZone)
		}
		name := z.Location.String()
		loc, err := namedZone(name)
		if err != nil {
			return nil, err
		}
		z.Location = loc
		if from, ok := e.zones[name]; ok {
			if z.From.Before(from) {
				e.zones[name] = z.From
				merged[slices.IndexFunc(merged, func(m Zone) bool { return m.Location.String() == name })].From = z.From
			}
			continue
		}
		e.zones[name] = z.From
		merged = append(merged, z)
	}
	evs, err := prepareAll(head.Events, head.Method)
	if err != nil {
		return nil, err
	}
	for _, ev := range evs {
		if err := e.covered(ev); err != nil {
			return nil, err
		}
		e.uids[ev.UID] = true
	}
	e.lw = newLineWriter(w)
	writeHead(e.lw, head, merged)
	for _, ev := range evs {
		ev.write(e.lw)
	}
	return e, e.lw.err
}

// Encode checks and writes one event; a refused event writes nothing, and
// the calendar can go on.
func (e *Encoder) Encode(ev Event) error {
	if e.closed {
		return errors.New("ical: Encode after Close")
	}
	if e.lw.err != nil {
		return e.lw.err
	}
	p, err := prepare(ev, e.method)
	if err != nil {
		return err
	}
	if e.uids[p.UID] {
		return fmt.Errorf("%w: %q", ErrUID, p.UID)
	}
	if err := e.covered(p); err != nil {
		return err
	}
	e.uids[p.UID] = true
	p.write(e.lw)
	return e.lw.err
}

// Close ends the calendar and flushes it to the writer (which it leaves open).
func (e *Encoder) Close() error {
	if e.closed {
		return e.lw.err
	}
	e.closed = true
	e.lw.line("END:VCALENDAR")
	return e.lw.flush()
}

func (e *Encoder) covered(ev prepared) error {
	for _, t := range ev.zoneTimes() {
		from, ok := e.zones[t.Location().String()]
		if !ok {
			return fmt.Errorf("%w: event %q uses zone %s, which the encoder was not given", ErrZone, ev.UID, t.Location())
		}
		if t.Before(from) {
			return fmt.Errorf("%w: event %q is before the start of zone %s", ErrZone, ev.UID, t.Location())
		}
	}
	return nil
}

var methods = []string{"PUBLISH", "REQUEST", "REPLY", "ADD", "CANCEL", "REFRESH", "COUNTER", "DECLINECOUNTER"}

func checkHead(c Calendar) error {
	if c.Method != "" && !slices.Contains(methods, c.Method) {
		return fmt.Errorf("%w: METHOD %q", ErrValue, c.Method)
	}
	return nil
}

func writeHead(lw *lineWriter, c Calendar, zones []Zone) {
	prodID := c.ProdID
	if prodID == "" {
		prodID = DefaultProdID
	}
	lw.line("BEGIN:VCALENDAR")
	lw.line("VERSION:2.0")
	lw.line("PRODID:" + escapeText(prodID))
	lw.line("CALSCALE:GREGORIAN")
	if c.Method != "" {
		lw.line("METHOD:" + c.Method)
	}
	if c.Name != "" {
		lw.line("NAME:" + escapeText(c.Name))
		lw.line("X-WR-CALNAME:" + escapeText(c.Name))
	}
	for _, z := range zones {
		vtimezone(lw, z.Location, z.From)
	}
}

// prepared is a checked event, its start moved onto its rule.
type prepared struct {
	Event
	rule  string
	stamp time.Time
	end   time.Time      // all day: the exclusive end date
	loc   *time.Location // all day: the zone of the dates given
}

func prepareAll(evs []Event, method string) ([]prepared, error) {
	out := make([]prepared, 0, len(evs))
	uids := make(map[string]bool, len(evs))
	for _, ev := range evs {
		p, err := prepare(ev, method)
		if err != nil {
			return nil, err
		}
		if uids[p.UID] {
			return nil, fmt.Errorf("%w: %q", ErrUID, p.UID)
		}
		uids[p.UID] = true
		out = append(out, p)
	}
	return out, nil
}

func prepare(ev Event, method string) (prepared, error) {
	p := prepared{Event: ev}
	if strings.TrimSpace(ev.UID) == "" {
		return p, ErrUID
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: event %q: %s", ErrValue, ev.UID, fmt.Sprintf(format, args...))
	}
	if ev.Start.IsZero() {
		return p, bad("no start")
	}
	if ev.Sequence < 0 {
		return p, bad("negative SEQUENCE")
	}
	switch ev.Status {
	case "", StatusConfirmed, StatusTentative, StatusCancelled:
	default:
		return p, bad("STATUS %q", ev.Status)
	}
	if ev.AllDay {
		p.loc = ev.Start.Location()
		p.Start = dateOf(ev.Start)
		p.end = p.Start.AddDate(0, 0, 1)
		if !ev.End.IsZero() {
			end := dateOf(ev.End)
			if end.Before(p.Start) {
				return p, fmt.Errorf("%w: event %q", ErrEnd, ev.UID)
			}
			if end.After(p.Start) {
				p.end = end
			}
		}
	} else {
		var err error
		if p.Start, err = inNamedZone(ev.Start); err != nil {
			return p, fmt.Errorf("%w (event %q, start)", err, ev.UID)
		}
		if !ev.End.IsZero() {
			if p.End, err = inNamedZone(ev.End); err != nil {
				return p, fmt.Errorf("%w (event %q, end)", err, ev.UID)
			}
			if ev.End.Before(ev.Start) {
				return p, fmt.Errorf("%w: event %q", ErrEnd, ev.UID)
			}
		}
	}
	if ev.RRule != "" {
		if err := p.alignRule(); err != nil {
			return p, err
		}
	}
	if ev.URL != "" {
		u, err := url.Parse(ev.URL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || strings.ContainsAny(ev.URL, " \t\r\n") {
			return p, bad("URL is not an absolute http(s) URL")
		}
		p.URL = u.String()
	}
	if ev.Organizer != nil {
		if _, err := mailto(ev.Organizer.Email); err != nil {
			return p, bad("organizer: %v", err)
		}
	} else if method == "REQUEST" || method == "CANCEL" || method == "ADD" {
		return p, bad("METHOD %s needs an ORGANIZER", method)
	}
	for i, a := range ev.Attendees {
		if _, err := mailto(a.Email); err != nil {
			return p, bad("attendee %d: %v", i+1, err)
		}
		switch a.PartStat {
		case "", PartStatNeedsAction, PartStatAccepted, PartStatDeclined, PartStatTentative:
		default:
			return p, bad("attendee %d: PARTSTAT %q", i+1, a.PartStat)
		}
	}
	p.stamp = ev.DTStamp
	if p.stamp.IsZero() {
		if method == "" && !ev.LastModified.IsZero() {
			p.stamp = ev.LastModified
		} else {
			p.stamp = time.Now()
		}
	}
	return p, nil
}

// alignRule checks the rule, renders it, and moves Start (and End with it)
// to the first occurrence when Start is not one.
func (p *prepared) alignRule() error {
	r, err := domain.ParseRule(p.RRule)
	if err != nil {
		return fmt.Errorf("%w: event %q: %w", ErrRule, p.UID, err)
	}
	until := r.Until
	r.Until = time.Time{}
	p.rule = r.String()
	if !until.IsZero() {
		if p.AllDay {
			p.rule += ";UNTIL=" + until.UTC().Format(dateLayout)
		} else {
			p.rule += ";UNTIL=" + until.UTC().Format(utcLayout)
		}
	}
	s := domain.Schedule{Start: p.Start, TZ: p.Start.Location().String(), RRule: p.RRule}
	if p.AllDay {
		s.Start, s.TZ = time.Date(p.Start.Year(), p.Start.Month(), p.Start.Day(), 0, 0, 0, 0, time.UTC), "UTC"
	}
	first := s.Next(s.Start, 1)
	if len(first) == 0 {
		return fmt.Errorf("%w: event %q: the rule has no occurrence from the start on", ErrRule, p.UID)
	}
	fy, fm, fd := first[0].Date()
	sy, sm, sd := s.Start.In(first[0].Location()).Date()
	if fy == sy && fm == sm && fd == sd {
		return nil
	}
	days := int(time.Date(fy, fm, fd, 12, 0, 0, 0, time.UTC).Sub(time.Date(sy, sm, sd, 12, 0, 0, 0, time.UTC)).Hours() / 24)
	if p.AllDay {
		p.end = p.end.AddDate(0, 0, days)
		p.Start = p.Start.AddDate(0, 0, days)
		return nil
	}
	length := p.End.Sub(p.Start)
	p.Start = p.Start.AddDate(0, 0, days) // the same wall clock, days later
	if !p.End.IsZero() {
		p.End = p.Start.Add(length).In(p.End.Location())
	}
	return nil
}

// zoneTimes are the event's times whose zones need a VTIMEZONE.
func (p prepared) zoneTimes() []time.Time {
	if p.AllDay {
		return nil
	}
	if p.End.IsZero() || p.End.Equal(p.Start) {
		return []time.Time{p.Start}
	}
	return []time.Time{p.Start, p.End}
}

const (
	dateLayout  = "20060102"
	localLayout = "20060102T150405"
	utcLayout   = "20060102T150405Z"
)

func (p prepared) write(lw *lineWriter) {
	lw.line("BEGIN:VEVENT")
	lw.line("UID:" + escapeText(p.UID))
	lw.line("DTSTAMP:" + p.stamp.UTC().Format(utcLayout))
	lw.line("SEQUENCE:" + strconv.Itoa(p.Sequence))
	if p.AllDay {
		lw.line("DTSTART;VALUE=DATE:" + p.Start.Format(dateLayout))
		lw.line("DTEND;VALUE=DATE:" + p.end.Format(dateLayout))
	} else {
		lw.line("DTSTART" + zoned(p.Start))
		if !p.End.IsZero() && p.End.After(p.Start) {
			lw.line("DTEND" + zoned(p.End))
		}
	}
	if p.rule != "" {
		lw.line("RRULE:" + p.rule)
	}
	for _, x := range p.exDates() {
		lw.line("EXDATE" + x)
	}
	for _, f := range [...]struct{ name, value string }{{"SUMMARY", p.Summary}, {"DESCRIPTION", p.Description}, {"LOCATION", p.Location}} {
		if v := escapeText(f.value); v != "" {
			lw.line(f.name + ":" + v)
		}
	}
	if p.URL != "" {
		lw.line("URL:" + p.URL)
	}
	if p.Status != "" {
		lw.line("STATUS:" + string(p.Status))
	}
	if o := p.Organizer; o != nil {
		to, _ := mailto(o.Email)
		lw.line("ORGANIZER" + cn(o.Name) + ":" + to)
	}
	for _, a := range p.Attendees {
		to, _ := mailto(a.Email)
		params := cn(a.Name)
		if a.PartStat != "" {
			params += ";PARTSTAT=" + string(a.PartStat)
		}
		if a.RSVP {
			params += ";RSVP=TRUE"
		}
		lw.line("ATTENDEE" + params + ":" + to)
	}
	if !p.Created.IsZero() {
		lw.line("CREATED:" + p.Created.UTC().Format(utcLayout))
	}
	if !p.LastModified.IsZero() {
		lw.line("LAST-MODIFIED:" + p.LastModified.UTC().Format(utcLayout))
	}
	lw.line("END:VEVENT")
}

// exDates are the EXDATE parameters and values, sorted, without repeats, in
// the start's zone (or as dates for an all-day event).
func (p prepared) exDates() []string {
	var out []string
	for _, x := range p.ExDates {
		var s string
		if p.AllDay {
			s = ";VALUE=DATE:" + x.In(p.loc).Format(dateLayout)
		} else {
			s = zoned(x.In(p.Start.Location()))
		}
		out = append(out, s)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// zoned formats a local time with its TZID: ";TZID=Europe/Oslo:20260303T180000".
func zoned(t time.Time) string {
	return ";TZID=" + t.Location().String() + ":" + t.Format(localLayout)
}

func cn(name string) string {
	if name = strings.TrimSpace(name); name == "" {
		return ""
	}
	return ";CN=" + paramValue(name)
}

// dateOf is t's date in its own zone, at midnight UTC.
func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// inNamedZone is t in the zone data's zone of the name of t's location, so
// that its TZID, its wall clock and its VTIMEZONE all come from one zone.
// UTC, Local, unknown names, and a fixed zone that disagrees with the zone of
// its name at t are refused.
func inNamedZone(t time.Time) (time.Time, error) {
	loc, err := namedZone(t.Location().String())
	if err != nil {
		return t, err
	}
	_, have := t.Zone()
	if _, want := t.In(loc).Zone(); have != want {
		return t, ErrZone
	}
	return t.In(loc), nil
}

// namedZone loads the zone a client can find by its TZID.
func namedZone(name string) (*time.Location, error) {
	if name == "" || name == "UTC" || name == "Local" {
		return nil, ErrZone
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/_+-", r)) {
			return nil, ErrZone
		}
	}
	loc, err := domain.LoadLocation(name)
	if err != nil {
		return nil, ErrZone
	}
	return loc, nil
}

// mailto is the CAL-ADDRESS of an e-mail address: "mailto:" and the address,
// percent-encoded where RFC 6068 asks for it. The error never repeats the
// address.
func mailto(email string) (string, error) {
	a, err := mail.ParseAddress(email)
	if err != nil || a.Name != "" || a.Address != email {
		return "", errors.New("not a plain e-mail address")
	}
	var b strings.Builder
	b.WriteString("mailto:")
	for i := 0; i < len(email); i++ {
		c := email[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~!$'()*+=@", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String(), nil
}
