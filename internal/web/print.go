package web

// The printable schedule of a house, {p}/organisasjon/{slug}/utskrift: one
// A4 page for a noticeboard or to hand out, with its own print style sheet
// (print.css; no site header, no script). It has the house's contact, a
// table of its groups by weekday (Monday first) and time, the listed events
// of the current month, and a QR code of the house's page.
//
// The privacy rule is the finder's: a place is printed only where the
// listing's AddressVisible allows it; every other group in a building (a
// closed group, a hidden address) says "contact the house" instead. Times
// are public on the group pages, so they are printed for every group.
// Paused and ended groups are left out.

import (
	"bytes"
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/finder"
	"github.com/fellesrom/fellesrom/internal/store"
)

func init() { staffAreas = append(staffAreas, printRoutes) }

func printRoutes(s *site, mux *http.ServeMux, lang, p string) {
	mux.Handle(p+"/organisasjon/{slug}/utskrift", s.methods(lang, s.printPage, nil))
}

// printRow is a group in the table.
type printRow struct {
	Day      string // the weekday it meets first in the week; "" when it has no schedule
	When     Phrase
	Name     domain.Text
	Model    domain.Text
	Place    string // a public place, or "" with Contact
	Contact  bool   // the place is given by the house
	TakesNew bool
	order    int // Monday 0 … Sunday 6, 7 without a schedule
	clock    int // minutes after midnight
}

// printEvent is an event of the month.
type printEvent struct {
	When      string
	Datetime  string
	Title     domain.Text
	Place     string
	Cancelled bool
}

// printView is the printable page.
type printView struct {
	page
	Org      domain.Organisation
	Venue    *domain.Venue
	Contact  contact
	Rows     []printRow
	Month    string
	Events   []printEvent
	PageURL  string // the house's page, absolute, printed under the QR code
	QR       *auth.QR
	Printed  Phrase
	BackHref string
}

// printPage is GET {p}/organisasjon/{slug}/utskrift.
func (s *site) printPage(w http.ResponseWriter, r *http.Request, lang string) {
	slug := r.PathValue("slug")
	if !validSlug(slug) {
		s.badAddress(w, r, lang)
		return
	}
	ctx := r.Context()
	cat, err := s.finder.Catalog(ctx)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	o, ok := cat.OrgBySlug[slug]
	if !ok {
		s.notFound(w, r, lang)
		return
	}
	v := &printView{page: s.newPage(lang, "/organisasjon/"+o.Slug+"/utskrift"), Org: o, Contact: contactOf(o)}
	v.Title = v.S("print.title", "Org", o.Name)
	v.BackHref = v.Href("/organisasjon/" + o.Slug)
	if ven, ok := cat.VenueByID[o.VenueID]; ok && ven.AddressPublic {
		v.Venue = &ven
	}
	listings, err := s.finder.OrganisationListings(ctx, o.ID)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	wd := newWords(s.cat, lang, "date.long")
	for _, l := range listings {
		if l.Group.Status == domain.StatusPaused || l.Group.Status == domain.StatusEnded {
			continue
		}
		v.Rows = append(v.Rows, s.printRow(v.page, wd, l))
	}
	slices.SortStableFunc(v.Rows, func(a, b printRow) int {
		return cmp.Or(cmp.Compare(a.order, b.order), cmp.Compare(a.clock, b.clock))
	})

	// The month's listed events, in Oslo's calendar.
	oslo, err := time.LoadLocation(domain.DefaultTimeZone)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	now := s.now().In(oslo)
	from := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, oslo)
	to := from.AddDate(0, 1, 0)
	v.Month = wd.t("events.month", "Month", wd.t(fmt.Sprintf("month.%d", int(from.Month()))), "Year", from.Year())
	events, err := s.store.Events(ctx, store.EventFilter{EndsAfter: from, StartsBefore: to, ListedOnly: true, OrgID: o.ID})
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	for _, e := range events {
		v.Events = append(v.Events, s.printEvent(v.page, wd, cat, e))
	}
	v.Printed = dateWords(s.cat, lang, s.now())

	base, err := s.accountLinkBase(r)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	v.PageURL = base + v.Href("/organisasjon/"+o.Slug)
	if qr, err := auth.NewQR(v.PageURL); err == nil {
		v.QR = &qr
	}

	var buf bytes.Buffer
	if err := s.tmpl.pages["print"].ExecuteTemplate(&buf, "print_doc", v); err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("Content-Language", lang)
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(buf.Bytes())
	}
}

// printRow is a listing as a row of the table.
func (s *site) printRow(p page, wd words, l finder.Listing) printRow {
	g := l.Group
	row := printRow{Name: g.Name, Model: l.Model.Name, TakesNew: g.OpenToNewcomers(), order: 7,
		When: ScheduleWords(s.cat, p.Lang, g.Schedule)}
	if days := g.Schedule.Weekdays(); len(days) > 0 {
		first := slices.MinFunc(days, mondayFirst)
		row.order = (int(first) + 6) % 7
		row.Day = ucfirst(wd.weekday(first))
		st := g.Schedule.LocalStart()
		row.clock = st.Hour()*60 + st.Minute()
	}
	switch {
	case l.AddressVisible:
		row.Place = s.feedsPlace(p, l)
	case g.Format == domain.FormatTelephone || g.Format == domain.FormatVideo:
		row.Place = p.S("format." + string(g.Format))
	default:
		row.Contact = true
	}
	return row
}

// printEvent is an event as a line of the month.
func (s *site) printEvent(p page, wd words, cat *finder.Catalog, e store.Event) printEvent {
	loc, err := time.LoadLocation(cmp.Or(e.TZ, domain.DefaultTimeZone))
	if err != nil {
		loc = time.UTC
	}
	start, end := e.StartsAt.In(loc), e.EndsAt.In(loc)
	out := printEvent{Title: e.Title, Cancelled: e.Status == "cancelled", Datetime: start.Format("2006-01-02T15:04-07:00"),
		When: ucfirst(wd.dateLong(start)) + ", " + wd.clock(start) + "–" + wd.clock(end)}
	switch {
	case e.VenueID != "":
		if ven, ok := cat.VenueByID[e.VenueID]; ok && ven.AddressPublic {
			parts := []string{ven.Name}
			if ven.Street != "" {
				parts = append(parts, ven.Street)
			}
			out.Place = strings.Join(parts, ", ")
		} else if m, ok := cat.MunicipalityBy[e.Municipality]; ok {
			out.Place = m.DisplayName()
		}
	case e.Online:
		out.Place = p.S("print.online")
	}
	return out
}
