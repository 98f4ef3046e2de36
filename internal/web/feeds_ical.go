package web

// iCalendar (RFC 5545) feeds of open groups, written by package ical with
// VTIMEZONE, RRULE and EXDATE:
//
//	GET {p}/gruppe/{slug}/kalender.ics          one open group's meetings
//	GET {p}/organisasjon/{slug}/grupper.ics     a house's open groups
//
// Only open groups have a public calendar (feedsPublic): a closed group's
// meetings are for its members, who learn time and place from the house, so
// its feed is the same 404 as a group that does not exist, and a house's feed
// leaves it out. A group that has ended or is paused is in no feed (its own
// feed is an empty calendar, so that a subscribed calendar drops it). The
// place is the venue's address only when domain.AddressVisible allows it
// (the listing of package finder decides); otherwise the municipality, or
// "by telephone" / "video meeting". The output depends on the directory
// only, so the ETag is the directory's version, the language and the path;
// If-None-Match answers 304.

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/finder"
	"github.com/fellesrom/fellesrom/internal/ical"
	"github.com/fellesrom/fellesrom/internal/store"
)

func init() { staffAreas = append(staffAreas, feedsICalRoutes) }

func feedsICalRoutes(s *site, mux *http.ServeMux, lang, p string) {
	mux.Handle(p+"/gruppe/{slug}/kalender.ics", s.methods(lang, s.feedsGroupICS, nil))
	mux.Handle(p+"/organisasjon/{slug}/grupper.ics", s.methods(lang, s.feedsHouseICS, nil))
}

// feedsPublic reports whether a group's meeting times may be published: an
// open model, a group people can just come to, not joined through the house.
func feedsPublic(l finder.Listing) bool {
	return roomsOpenGroup(l.Group, l.Model.Intake)
}

// feedsMeets reports whether a group meets now or will: not ended, not
// paused, with a schedule.
func feedsMeets(g domain.Group) bool {
	return g.Status != domain.StatusEnded && g.Status != domain.StatusPaused && !g.Schedule.Start.IsZero()
}

// feedsPlace is where a listing meets, as the public may know it.
func (s *site) feedsPlace(p page, l finder.Listing) string {
	if l.AddressVisible {
		v := l.Venue
		parts := []string{v.Name}
		if v.Street != "" {
			parts = append(parts, v.Street)
		}
		if pc := strings.TrimSpace(v.PostalCode + " " + v.City); pc != "" {
			parts = append(parts, pc)
		}
		return strings.Join(parts, ", ")
	}
	switch l.Group.Format {
	case domain.FormatTelephone, domain.FormatVideo:
		return p.S("format." + string(l.Group.Format))
	}
	return l.Municipality.DisplayName()
}

// feedsETag is the tag of a feed: the directory's version, the language and
// the request's path and query.
func (s *site) feedsETag(r *http.Request, lang string) (string, error) {
	v, err := s.store.DirectoryVersion(r.Context())
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(r.URL.Path + "?" + r.URL.RawQuery))
	return `"d` + strconv.FormatInt(v, 10) + "-" + lang + "-" + hex.EncodeToString(sum[:6]) + `"`, nil
}

// feedsNotModified sets the ETag and answers 304 when the client has it.
func feedsNotModified(w http.ResponseWriter, r *http.Request, etag string) bool {
	w.Header().Set("ETag", etag)
	w.Header().Set("Cache-Control", "no-cache")
	for _, t := range strings.Split(r.Header.Get("If-None-Match"), ",") {
		if t = strings.TrimSpace(t); t == etag || t == "W/"+etag || t == "*" {
			w.WriteHeader(http.StatusNotModified)
			return true
		}
	}
	return false
}

// feedsEvent is a listing's calendar event.
func (s *site) feedsEvent(p page, base string, l finder.Listing) (ical.Event, error) {
	ev, err := ical.EventFromSchedule(l.Group.Schedule)
	if err != nil {
		return ical.Event{}, err
	}
	g := l.Group
	ev.UID = "group-" + g.ID + "@fellesrom"
	ev.Summary = g.Name.In(p.Lang)
	ev.Location = s.feedsPlace(p, l)
	ev.URL = base + p.Href("/gruppe/"+g.Slug)
	desc := []string{l.Model.Name.In(p.Lang)}
	if l.Organisation.Name != "" {
		desc = append(desc, l.Organisation.Name)
	}
	ev.Description = strings.Join(slices.DeleteFunc(desc, func(s string) bool { return s == "" }), " – ")
	ev.LastModified = g.UpdatedAt
	return ev, nil
}

// feedsWrite writes a calendar of listings.
func (s *site) feedsWrite(w http.ResponseWriter, r *http.Request, lang, name, file string, ls []finder.Listing) {
	base, err := s.accountLinkBase(r)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	p := s.newPage(lang, "")
	cal := ical.Calendar{Name: name}
	for _, l := range ls {
		if !feedsPublic(l) || !feedsMeets(l.Group) {
			continue
		}
		ev, err := s.feedsEvent(p, base, l)
		if err != nil {
			// A schedule the writer refuses leaves the group out rather
			// than the whole feed.
			s.log.Warn("feed: a group's schedule is not written", "group", l.Group.ID, "err", err)
			continue
		}
		cal.Events = append(cal.Events, ev)
	}
	var buf bytes.Buffer
	if _, err := cal.WriteTo(&buf); err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/calendar; charset=utf-8")
	h.Set("Content-Disposition", `inline; filename="`+file+`"`)
	h.Set("Content-Language", lang)
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(buf.Bytes())
	}
}

// feedsGroupICS is GET {p}/gruppe/{slug}/kalender.ics.
func (s *site) feedsGroupICS(w http.ResponseWriter, r *http.Request, lang string) {
	slug := r.PathValue("slug")
	if !validSlug(slug) {
		s.badAddress(w, r, lang)
		return
	}
	l, err := s.finder.Listing(r.Context(), slug)
	if errors.Is(err, store.ErrNotFound) || err == nil && (l.Group.Slug != slug || !feedsPublic(l)) {
		s.notFound(w, r, lang)
		return
	}
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	etag, err := s.feedsETag(r, lang)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	if feedsNotModified(w, r, etag) {
		return
	}
	s.feedsWrite(w, r, lang, l.Group.Name.In(lang), "gruppe.ics", []finder.Listing{l})
}

// feedsHouseICS is GET {p}/organisasjon/{slug}/grupper.ics.
func (s *site) feedsHouseICS(w http.ResponseWriter, r *http.Request, lang string) {
	slug := r.PathValue("slug")
	if !validSlug(slug) {
		s.badAddress(w, r, lang)
		return
	}
	cat, err := s.finder.Catalog(r.Context())
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	o, ok := cat.OrgBySlug[slug]
	if !ok {
		s.notFound(w, r, lang)
		return
	}
	etag, err := s.feedsETag(r, lang)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	if feedsNotModified(w, r, etag) {
		return
	}
	ls, err := s.finder.OrganisationListings(r.Context(), o.ID)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	s.feedsWrite(w, r, lang, o.Name, "grupper.ics", ls)
}
