package jobs

import (
	"context"
	crand "crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/i18n"
	"github.com/fellesrom/fellesrom/internal/ical"
	"github.com/fellesrom/fellesrom/internal/mail"
	"github.com/fellesrom/fellesrom/internal/store"
)

// The events job (issue 5 item 3): the reminders the day before an event
// to those who have a place, and the deletion of every sign-up 30 days
// after its event (store.PurgeEventSignups), leaving the counts. The
// messages to people signed up are composed here (EventMessenger), for
// the job and for the site alike.

// DefaultEventsInterval is how often the events job runs.
const DefaultEventsInterval = 15 * time.Minute

// EventLinkPath is the path of a person's cancellation page; the token
// follows it ("/avmelding/<token>", under the language's prefix).
const EventLinkPath = "/avmelding/"

// EventsOptions tune the events job.
type EventsOptions struct {
	// Interval is how often it runs; default DefaultEventsInterval.
	Interval time.Duration
	// LinkBase is the site's address for the links in the reminders
	// (FELLESROM_PUBLIC_URL, or http://<the loopback address served>):
	// an https URL with a host and no path (http on loopback only).
	LinkBase string
	// Catalog holds the texts; nil means i18n.DefaultCatalog().
	Catalog *i18n.Catalog
	// Now is the clock; default time.Now.
	Now func() time.Time
}

func (o EventsOptions) withDefaults() (EventsOptions, error) {
	if o.Interval <= 0 {
		o.Interval = DefaultEventsInterval
	}
	base, err := checkLinkBase(o.LinkBase)
	if err != nil {
		return o, errors.New("events: the links in reminders need the site's address, an https URL with a host " +
			"and no path (http only on loopback), such as https://selvhjelp.example.no")
	}
	o.LinkBase = base
	if o.Catalog == nil {
		o.Catalog = i18n.DefaultCatalog()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o, nil
}

// EventsResult counts what a run of the events job did.
type EventsResult struct {
	Reminded int // reminders sent
	Events   int // events whose sign-ups were deleted
	Deleted  int // sign-ups deleted
	Failed   int // reminders or deletions that failed (tried again next run)
}

// EventsJob returns the job "events": every interval, under its lease (so
// on one instance at a time), it sends the reminders that are due and
// deletes the sign-ups whose time has come. It fails for bad options, so
// that the server does not start with links it cannot make.
func EventsJob(st *store.Store, logger *slog.Logger, opts EventsOptions) (Job, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return Job{}, err
	}
	if logger == nil {
		logger = slog.Default()
	}
	return Job{Name: "events", Interval: opts.Interval, Run: func(ctx context.Context) error {
		_, err := runEvents(ctx, st, logger, opts)
		return err
	}}, nil
}

// RunEvents runs the events job once, as the job does, and logs what it
// did: counts only, never a name, an address or an ID.
func RunEvents(ctx context.Context, st *store.Store, logger *slog.Logger, opts EventsOptions) (EventsResult, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return EventsResult{}, err
	}
	if logger == nil {
		logger = slog.Default()
	}
	return runEvents(ctx, st, logger, opts)
}

func runEvents(ctx context.Context, st *store.Store, logger *slog.Logger, opts EventsOptions) (EventsResult, error) {
	ctx = store.WithActor(ctx, store.Actor{ID: "system"})
	now := opts.Now()
	msg := EventMessenger(opts.LinkBase, opts.Catalog)
	var res EventsResult
	var errs []error
	due, err := st.EventRemindersDue(ctx, now)
	if err != nil {
		return res, err
	}
	for _, id := range due {
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		sent, err := st.RemindSignup(ctx, id, now, msg)
		switch {
		case err != nil:
			res.Failed++
			if len(errs) < 3 {
				errs = append(errs, err)
			}
		case sent:
			res.Reminded++
		}
	}
	events, err := st.EventsToPurge(ctx, now)
	if err != nil {
		return res, err
	}
	for _, id := range events {
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		n, err := st.PurgeEventSignups(ctx, id, now)
		if err != nil {
			res.Failed++
			if len(errs) < 3 {
				errs = append(errs, err)
			}
			continue
		}
		res.Events++
		res.Deleted += n
	}
	if res != (EventsResult{}) {
		logger.Info("events: run", "reminded", res.Reminded, "events_purged", res.Events, "signups_deleted", res.Deleted,
			"failed", res.Failed)
	}
	return res, errors.Join(errs...)
}

// EventMessenger returns the store.EventMessenger of the site and the
// job: for each notice, the message from the catalogue in the person's
// language — an e-mail (mail.<kind>) or, for a phone number, a text
// message (sms.<kind>) — with a new private link to the cancellation page
// at base for every kind but the cancellation of the event (the link
// carries 32 random bytes, base64url; the store keeps its SHA-256). The
// mails that give a place (event_signup, event_moved_up, event_changed to
// a person with a place) carry the event as an iCalendar attachment.
func EventMessenger(base string, c *i18n.Catalog) store.EventMessenger {
	if c == nil {
		c = i18n.DefaultCatalog()
	}
	return func(n store.EventNotice) (store.OutboxMail, string, error) {
		lang := n.Signup.Lang
		if !i18n.Supported(lang) {
			lang = i18n.Default
		}
		prefix := ""
		if lang != i18n.Default {
			prefix = "/" + lang
		}
		e, su := n.Event, n.Signup
		when, _ := EventWhen(c, lang, e)
		data := map[string]any{"Name": su.Name, "Title": e.Title.In(lang), "When": when, "House": n.OrgName,
			"Place": EventPlaceText(c, lang, n, true), "Page": base + prefix + "/arrangement/" + e.Slug,
			"Position": su.Position, "Online": "", "Link": ""}
		if e.Online && e.OnlineURL != "" && su.Status == store.SignupConfirmed {
			data["Online"] = e.OnlineURL
		}
		hash := ""
		if n.Kind != store.EventMailCancelled {
			var b [32]byte
			if _, err := crand.Read(b[:]); err != nil {
				return store.OutboxMail{}, "", err
			}
			token := base64.RawURLEncoding.EncodeToString(b[:])
			data["Link"] = base + prefix + EventLinkPath + token
			hash = auth.HashToken(token)
		}
		m := store.OutboxMail{To: su.Contact, Lang: lang, Kind: n.Kind}
		switch su.ContactKind {
		case "email":
			subject, body, err := mail.Compose(c, lang, n.Kind, data)
			if err != nil {
				return m, "", err
			}
			m.Channel, m.Subject, m.Body = store.ChannelEmail, subject, body
			if su.Status == store.SignupConfirmed && (n.Kind == store.EventMailConfirmed || n.Kind == store.EventMailMovedUp ||
				n.Kind == store.EventMailChanged) {
				cal, err := EventCalendar(c, lang, []store.EventNotice{n}, base+prefix, true)
				if err != nil {
					return m, "", err
				}
				m.Attachment = &store.Attachment{Name: "arrangement.ics",
					ContentType: "text/calendar; charset=utf-8; method=PUBLISH", Data: cal}
			}
		case "phone":
			id := "sms." + n.Kind
			if !c.Has(i18n.Default, id) {
				return m, "", fmt.Errorf("events: the catalogue has no %s", id)
			}
			text, _ := c.Lookup(lang, id, data)
			if strings.Contains(text, "<no value>") {
				return m, "", fmt.Errorf("events: %s uses a field the data lacks", id)
			}
			m.Channel, m.Body = store.ChannelSMS, text
		default:
			return m, "", fmt.Errorf("events: unknown kind of contact %q", su.ContactKind)
		}
		return m, hash, nil
	}
}

// words of the catalogue in one language: the page's if it has the
// sentence patterns, else Bokmål (a Sami sentence never gets a Bokmål
// weekday, nor the other way round).
type eventWords struct {
	c    *i18n.Catalog
	lang string
}

func newEventWords(c *i18n.Catalog, lang string) eventWords {
	if !c.Has(lang, "date.long") || !c.Has(lang, "events.when_span") {
		lang = i18n.Default
	}
	return eventWords{c, lang}
}

func (w eventWords) t(id string, kv ...any) string {
	data := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		data[kv[i].(string)] = kv[i+1]
	}
	s, _ := w.c.Lookup(w.lang, id, data)
	return s
}

func (w eventWords) clock(t time.Time) string {
	return w.t("clock", "H", fmt.Sprintf("%02d", t.Hour()), "M", fmt.Sprintf("%02d", t.Minute()))
}

func (w eventWords) date(t time.Time) string {
	return w.t("date.long", "Weekday", w.t("weekday."+strconv.Itoa(int(t.Weekday()))), "Day", t.Day(),
		"Month", w.t("month."+strconv.Itoa(int(t.Month()))), "Year", t.Year())
}

// EventWhen says when an event is, in its zone: "tirsdag 10. mars 2026
// kl. 18.00–20.00", or from one day to another for a longer one; and the
// language the words are in.
func EventWhen(c *i18n.Catalog, lang string, e store.Event) (string, string) {
	if c == nil {
		c = i18n.DefaultCatalog()
	}
	w := newEventWords(c, lang)
	loc := e.Location()
	s, t := e.StartsAt.In(loc), e.EndsAt.In(loc)
	var out string
	y1, m1, d1 := s.Date()
	if y2, m2, d2 := t.Date(); y1 == y2 && m1 == m2 && d1 == d2 {
		out = w.t("schedule.at_range", "When", w.date(s), "From", w.clock(s), "To", w.clock(t))
	} else {
		out = w.t("events.when_span", "From", w.t("date.with_time", "Date", w.date(s), "Time", w.clock(s)),
			"To", w.t("date.with_time", "Date", w.date(t), "Time", w.clock(t)))
	}
	if r := []rune(out); len(r) > 0 {
		out = strings.ToUpper(string(r[0])) + string(r[1:])
	}
	return out, w.lang
}

// EventPlaceText says where an event is: the venue (and the room), with
// its address when full is set or the venue's address is public, and/or
// "online".
func EventPlaceText(c *i18n.Catalog, lang string, n store.EventNotice, full bool) string {
	if c == nil {
		c = i18n.DefaultCatalog()
	}
	var parts []string
	if v := n.Venue; v.ID != "" {
		name := v.Name
		if n.RoomName != "" {
			name += " (" + n.RoomName + ")"
		}
		parts = append(parts, name)
		if full || v.AddressPublic {
			if v.Street != "" {
				parts = append(parts, v.Street)
			}
			if pc := strings.TrimSpace(v.PostalCode + " " + v.City); pc != "" {
				parts = append(parts, pc)
			}
		}
	}
	place := strings.Join(parts, ", ")
	if n.Event.Online {
		online, _ := c.Lookup(lang, "events.online", nil)
		if place == "" {
			return online
		}
		also, _ := c.Lookup(lang, "events.place_and_online", map[string]any{"Place": place})
		return also
	}
	return place
}

// EventCalendar is the iCalendar (RFC 5545) of events: one VEVENT each,
// in the event's zone, cancelled ones with STATUS:CANCELLED, with the
// event's page at pageBase ("https://…/en") as its URL. publish sets
// METHOD:PUBLISH (a mail's attachment); a feed has no method. The place
// is the one the public may see (full addresses only where they are
// public), and no one's name is in it.
func EventCalendar(c *i18n.Catalog, lang string, ns []store.EventNotice, pageBase string, publish bool) ([]byte, error) {
	if c == nil {
		c = i18n.DefaultCatalog()
	}
	cal := ical.Calendar{}
	if publish {
		cal.Method = "PUBLISH"
	}
	for _, n := range ns {
		e := n.Event
		loc := e.Location()
		desc := e.Description.In(lang)
		if n.OrgName != "" {
			org, _ := c.Lookup(lang, "events.ics_organiser", map[string]any{"House": n.OrgName})
			desc = strings.TrimSpace(org + "\n\n" + desc)
		}
		ev := ical.Event{UID: e.ID + "@fellesrom", Sequence: int(e.UpdatedAt.Sub(e.CreatedAt) / time.Second),
			Start: e.StartsAt.In(loc), End: e.EndsAt.In(loc), Summary: e.Title.In(lang), Description: desc,
			Location: EventPlaceText(c, lang, n, false), URL: pageBase + "/arrangement/" + e.Slug,
			Status: ical.StatusConfirmed, Created: e.CreatedAt, LastModified: e.UpdatedAt}
		if e.Status == store.EventCancelled {
			ev.Status = ical.StatusCancelled
		}
		cal.Events = append(cal.Events, ev)
	}
	return cal.Bytes()
}
