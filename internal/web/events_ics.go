package web

// iCalendar (RFC 5545) of events, written by package ical: one event at
// {p}/arrangement/{slug}/kalender.ics, and a house's listed events (those
// it organises or co-organises, from 30 days ago on) at
// {p}/organisasjon/{slug}/arrangementer.ics, in the language of the path.
// A cancelled event stays in them with STATUS:CANCELLED, so that a
// calendar that holds it learns it. Nothing about anyone signed up is in
// them.

import (
	"errors"
	"net/http"
	"time"

	"github.com/fellesrom/fellesrom/internal/jobs"
	"github.com/fellesrom/fellesrom/internal/store"
)

// eventsFeedLimit is the most events a house's feed holds.
const eventsFeedLimit = 500

// eventsFeedPast is how far back a house's feed goes.
const eventsFeedPast = 30 * 24 * time.Hour

// eventsICS writes the calendar of events.
func (s *site) eventsICS(w http.ResponseWriter, r *http.Request, lang, name string, events []store.Event) {
	world, err := s.eventsWorld(r.Context())
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	base, err := s.accountLinkBase(r)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	var ns []store.EventNotice
	for _, e := range events {
		ns = append(ns, world.notice(e))
	}
	data, err := jobs.EventCalendar(s.cat, lang, ns, base+prefix(lang), false)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/calendar; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(data)
	}
}

// eventsEventICS is GET {p}/arrangement/{slug}/kalender.ics.
func (s *site) eventsEventICS(w http.ResponseWriter, r *http.Request, lang string) {
	e, ok := s.eventsLoad(w, r, lang, "/kalender.ics")
	if !ok {
		return
	}
	s.eventsICS(w, r, lang, "arrangement.ics", []store.Event{e})
}

// eventsHouseICS is GET {p}/organisasjon/{slug}/arrangementer.ics.
func (s *site) eventsHouseICS(w http.ResponseWriter, r *http.Request, lang string) {
	slug := r.PathValue("slug")
	if !validSlug(slug) {
		s.badAddress(w, r, lang)
		return
	}
	o, err := s.store.Organisation(r.Context(), slug)
	if errors.Is(err, store.ErrNotFound) || err == nil && o.Slug != slug {
		s.notFound(w, r, lang)
		return
	}
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	events, err := s.store.Events(r.Context(), store.EventFilter{EndsAfter: s.now().Add(-eventsFeedPast), ListedOnly: true,
		OrgID: o.ID, Limit: eventsFeedLimit})
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	s.eventsICS(w, r, lang, "arrangementer.ics", events)
}
