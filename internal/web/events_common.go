package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/jobs"
	"github.com/fellesrom/fellesrom/internal/store"
)

// Events with sign-up (issue 5 item 3): files events_*.go, templates
// events_*.html, messages locales/events.*.json.
//
//	GET      {p}/arrangementer                          the public calendar by month (filters: hus, type, kommune)
//	GET/POST {p}/arrangement/{slug}                     an event, with the sign-up form
//	GET      {p}/arrangement/{slug}/pameldt             after signing up: a place or the waiting list
//	GET      {p}/arrangement/{slug}/kalender.ics        the event as iCalendar
//	GET      {p}/organisasjon/{slug}/arrangementer.ics  a house's listed events as iCalendar
//	GET/POST {p}/avmelding/{token}                      the person's cancellation page (no account)
//	GET      {p}/kontor/arrangementer                   the back office: events of the user's organisations
//	GET/POST {p}/kontor/arrangementer/ny                a new event
//	GET/POST {p}/kontor/arrangementer/{id}              change an event; its counts
//	POST     {p}/kontor/arrangementer/{id}/avlys        cancel it (everyone signed up is told)
//	POST     {p}/kontor/arrangementer/{id}/oppmote      record how many came
//	GET      {p}/kontor/arrangementer/{id}/pameldte     the sign-ups (an audited read)
//	POST     {p}/kontor/arrangementer/{id}/pameldte/{signup}/avmeld  cancel one on the person's behalf
//
// Authorisation in the back office: the list needs auth.ViewListing in
// some organisation and shows the events of the organisations where it
// holds (no personal data, counts only); creating, changing, cancelling
// and attendance need auth.EditListing in the event's organisation; the
// sign-ups need auth.ReadPersonalData there, and every read of them is in
// the audit log (signup.list). Anything else answers 404, as for an event
// that does not exist.
//
// The public pages hold no personal data; the sign-up form is guarded as
// the enquiry form is (a honeypot, a signed time stamp, a limit per
// network, and a limit of links per contact past which the form answers
// as if it had sent one). The cancellation link carries a random token
// of 32 bytes, of which the database keeps the SHA-256; its page is
// no-store, sends no Referer, asks not to be indexed, and cancels only by
// POST (mail scanners open links). The access log shows its path without
// the token (package logpath, "/avmelding/").

func init() { staffAreas = append(staffAreas, eventsRoutes) }

func eventsRoutes(s *site, mux *http.ServeMux, lang, p string) {
	mux.Handle(p+"/arrangementer", s.methods(lang, s.eventsCalendarPage, nil))
	mux.Handle(p+"/arrangement/{slug}", s.methods(lang, s.eventsPage, s.eventsSignUpPost))
	mux.Handle(p+"/arrangement/{slug}/pameldt", s.methods(lang, s.eventsSignedPage, nil))
	mux.Handle(p+"/arrangement/{slug}/kalender.ics", s.methods(lang, s.eventsEventICS, nil))
	mux.Handle(p+"/organisasjon/{slug}/arrangementer.ics", s.methods(lang, s.eventsHouseICS, nil))
	mux.Handle(p+"/avmelding/{token}", enquiryTokenPage(s.methods(lang, s.eventsCancelPage, s.eventsCancelPost)))
	h := s.staffHandlers(lang)
	k := p + "/kontor/arrangementer"
	mux.Handle(k, h(s.eventsOfficePage, nil))
	mux.Handle(k+"/ny", h(s.eventsNewPage, s.eventsNewPost))
	mux.Handle(k+"/{id}", h(s.eventsEditPage, s.eventsEditPost))
	mux.Handle(k+"/{id}/avlys", h(nil, s.eventsCancelEventPost))
	mux.Handle(k+"/{id}/oppmote", h(nil, s.eventsAttendancePost))
	mux.Handle(k+"/{id}/pameldte", h(s.eventsSignupsPage, nil))
	mux.Handle(k+"/{id}/pameldte/{signup}/avmeld", h(nil, s.eventsStaffCancelPost))
}

// EventsConsentVersion names the consent text of the sign-up form (the
// messages events.consent_*), stored with each sign-up. Change it whenever
// the text's meaning changes.
const EventsConsentVersion = "2026-11-events"

// eventsNotices are the confirmations after a change, by ?melding=.
var eventsNotices = map[string]string{
	"opprettet": "events.notice_created",
	"lagret":    "events.notice_saved",
	"avlyst":    "events.notice_cancelled",
	"oppmote":   "events.notice_attendance",
	"avmeldt":   "events.notice_signed_off",
	"fjernet":   "events.notice_removed",
}

// EventsMay reports whether the signed-in user has the back office's list
// of events, for the staff menu (message events.nav): whoever may see
// listings in some organisation.
func (v staffView) EventsMay() bool {
	return v.Me != nil && v.Me.Stage() == auth.StageDone && allowedAnywhere(v.Me.Principal(), auth.ViewListing)
}

// eventsView is what every page of the area has: the directory's view (its
// form helpers and parts).
type eventsView struct {
	*officeView
}

func (s *site) newEventsView(r *http.Request, lang, path string, me *auth.Current, titleID string, kv ...any) eventsView {
	v := eventsView{s.newOfficeView(r, lang, path, me, "events", titleID, kv...)}
	if n, ok := eventsNotices[r.URL.Query().Get("melding")]; ok {
		v.Notice = n
	}
	return v
}

// eventsMessenger composes the messages to people signed up, with links
// to this site (FELLESROM_PUBLIC_URL, or the request's host on a
// developer's machine).
func (s *site) eventsMessenger(r *http.Request) (store.EventMessenger, error) {
	base, err := s.accountLinkBase(r)
	if err != nil {
		return nil, err
	}
	return jobs.EventMessenger(base, s.cat), nil
}

// eventsPersonCtx is the request's context with a member of the public as
// the actor of store changes.
func eventsPersonCtx(r *http.Request) context.Context {
	return store.WithActor(r.Context(), store.Actor{ID: "person", Source: store.SourceOf(r.RemoteAddr)})
}

// eventsLinkOrg is an organisation, with a link to its public page.
type eventsLinkOrg struct {
	Name, URL string
}

// eventItem is an event as the pages show it.
type eventItem struct {
	E            store.Event
	URL          string // the public page
	When         Phrase
	Datetime     string // for the datetime attribute
	Kind         string // message id
	Org          eventsLinkOrg
	Co           []eventsLinkOrg
	Place        string // where, as the public may see it
	Municipality string
	Available    string // message id: places, full, closed, cancelled …
	Open         bool   // takes sign-ups now
}

// eventsWorld is what the pages need to show events: organisations,
// venues, rooms and municipalities by ID.
type eventsWorld struct {
	orgs   map[string]domain.Organisation
	venues map[string]domain.Venue
	rooms  map[string]domain.Room
	munis  map[string]domain.Municipality
}

func (s *site) eventsWorld(ctx context.Context) (*eventsWorld, error) {
	w := &eventsWorld{orgs: map[string]domain.Organisation{}, venues: map[string]domain.Venue{},
		rooms: map[string]domain.Room{}, munis: map[string]domain.Municipality{}}
	orgs, err := s.store.Organisations(ctx)
	if err != nil {
		return nil, err
	}
	for _, o := range orgs {
		w.orgs[o.ID] = o
	}
	venues, err := s.store.Venues(ctx)
	if err != nil {
		return nil, err
	}
	for _, x := range venues {
		w.venues[x.ID] = x
	}
	rooms, err := s.store.AllRooms(ctx)
	if err != nil {
		return nil, err
	}
	for _, rs := range rooms {
		for _, rm := range rs {
			w.rooms[rm.ID] = rm
		}
	}
	ms, err := s.store.Municipalities(ctx)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		w.munis[m.ID] = m
	}
	return w, nil
}

// notice is the event with where it is, for the words of a message, a
// page or a calendar.
func (w *eventsWorld) notice(e store.Event) store.EventNotice {
	n := store.EventNotice{Event: e, OrgName: w.orgs[e.OrgID].Name}
	if x, ok := w.venues[e.VenueID]; ok {
		n.Venue = x
	}
	if rm, ok := w.rooms[e.RoomID]; ok {
		n.RoomName = rm.Name
	}
	return n
}

// item is an event as the page v shows it at now.
func (w *eventsWorld) item(v *officeView, e store.Event, now time.Time) eventItem {
	it := eventItem{E: e, URL: v.Href("/arrangement/" + e.Slug), Kind: "events.kind_" + string(e.Kind)}
	text, lang := jobs.EventWhen(v.cat, v.Lang, e)
	it.When = Phrase{text, lang}
	it.Datetime = e.StartsAt.In(e.Location()).Format("2006-01-02T15:04-07:00")
	if o, ok := w.orgs[e.OrgID]; ok {
		it.Org = eventsLinkOrg{o.Name, v.Href("/organisasjon/" + o.Slug)}
	}
	for _, id := range e.CoOrganisers {
		if o, ok := w.orgs[id]; ok {
			it.Co = append(it.Co, eventsLinkOrg{o.Name, v.Href("/organisasjon/" + o.Slug)})
		}
	}
	domain.SortByName(it.Co, func(o eventsLinkOrg) string { return o.Name })
	it.Place = jobs.EventPlaceText(v.cat, v.Lang, w.notice(e), false)
	if m, ok := w.munis[e.Municipality]; ok {
		it.Municipality = m.DisplayName()
	}
	it.Open = e.Open(now)
	switch {
	case e.Status == store.EventCancelled:
		it.Available = "events.avail_cancelled"
	case !now.Before(e.EndsAt):
		it.Available = "events.avail_over"
	case !now.Before(e.StartsAt):
		it.Available = "events.avail_under_way"
	case !e.SignupOpen:
		it.Available = "events.avail_closed"
	case e.Full():
		it.Available = "events.avail_full"
	case e.Capacity > 0:
		it.Available = "events.avail_places"
	default:
		it.Available = "events.avail_open"
	}
	return it
}

// eventsMonth is the events of one month, for the calendar.
type eventsMonth struct {
	Heading string
	ID      string // for the heading's id
	Items   []eventItem
}

// eventsByMonth groups items (in time order) by the month they start in,
// in their zone.
func eventsByMonth(v *officeView, items []eventItem) []eventsMonth {
	var out []eventsMonth
	for _, it := range items {
		t := it.E.StartsAt.In(it.E.Location())
		id := t.Format("2006-01")
		if len(out) == 0 || out[len(out)-1].ID != id {
			out = append(out, eventsMonth{ID: id, Heading: ucfirst(v.S("events.month", "Month",
				v.S("month."+strconv.Itoa(int(t.Month()))), "Year", t.Year()))})
		}
		out[len(out)-1].Items = append(out[len(out)-1].Items, it)
	}
	return out
}

// eventsSlug makes a slug for an event: its title and its date.
func eventsSlug(title string, start time.Time) string {
	s := domain.Slugify(title)
	if len(s) > 100 {
		s = strings.TrimRight(s[:100], "-")
	}
	if s == "" {
		s = "arrangement"
	}
	return s + "-" + start.Format("2006-01-02")
}
