package web

// The person's cancellation page, {p}/avmelding/{token}, reached by the
// private link in every message about their sign-up: what they signed up
// for, whether they have a place or their number on the waiting list,
// and a button that cancels (POST only: mail scanners open links).
// Cancelling deletes the sign-up at once, with its messages, and gives
// the place to the first on the waiting list.

import (
	"errors"
	"net/http"
	"time"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/store"
)

type eventsCancelView struct {
	eventsView
	Item      eventItem
	Su        store.Signup
	Action    string
	Over      bool // the event is over: nothing to cancel, the sign-up goes on the clock
	DeletedOn Phrase
}

// eventsOpen opens the sign-up of the request's token, or answers with the
// one page for a link that does not work (404, whatever the reason), or
// with 429 past the network's limit.
func (s *site) eventsOpen(w http.ResponseWriter, r *http.Request, lang string) (store.Signup, store.Event, bool) {
	token := r.PathValue("token")
	retry, limited, err := s.enquiryHit(r, "events:token:"+store.SourceOf(r.RemoteAddr), "token", enquiryLimit.PerToken, enquiryLimit.Window)
	if err != nil {
		s.serverError(w, r, lang, err)
		return store.Signup{}, store.Event{}, false
	}
	if limited {
		v := s.newEventsView(r, lang, "/avmelding/"+token, nil, "events.invalid_title")
		status, minutes := enquiryTooMany(w, retry)
		v.fail("", "events.rate_limited", "Minutes", minutes)
		s.render(w, r, status, "events_invalid", v)
		return store.Signup{}, store.Event{}, false
	}
	if !auth.WellFormed(token) {
		s.eventsInvalid(w, r, lang, token)
		return store.Signup{}, store.Event{}, false
	}
	su, e, err := s.store.SignupByToken(r.Context(), auth.HashToken(token))
	if errors.Is(err, store.ErrNotFound) {
		s.eventsInvalid(w, r, lang, token)
		return su, e, false
	}
	if err != nil {
		s.serverError(w, r, lang, err)
		return su, e, false
	}
	return su, e, true
}

// eventsInvalid is the page of a link that does not work: 404, with no
// hint whether it ever did.
func (s *site) eventsInvalid(w http.ResponseWriter, r *http.Request, lang, token string) {
	v := s.newEventsView(r, lang, "/avmelding/"+token, nil, "events.invalid_title")
	s.render(w, r, http.StatusNotFound, "events_invalid", v)
}

// eventsCancelPage is GET {p}/avmelding/{token}.
func (s *site) eventsCancelPage(w http.ResponseWriter, r *http.Request, lang string) {
	su, e, ok := s.eventsOpen(w, r, lang)
	if !ok {
		return
	}
	s.eventsCancelRender(w, r, lang, http.StatusOK, su, e)
}

func (s *site) eventsCancelRender(w http.ResponseWriter, r *http.Request, lang string, status int, su store.Signup, e store.Event) {
	world, err := s.eventsWorld(r.Context())
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	token := r.PathValue("token")
	v := &eventsCancelView{eventsView: s.newEventsView(r, lang, "/avmelding/"+token, nil, "events.cancel_title"), Su: su}
	v.Item = world.item(v.officeView, e, s.now())
	v.Action = v.Href("/avmelding/" + token)
	v.Over = !s.now().Before(e.StartsAt)
	v.DeletedOn = dateWords(s.cat, lang, e.EndsAt.Add(store.EventSignupRetention).Add(time.Hour))
	s.render(w, r, status, "events_cancel", v)
}

// eventsCancelPost is POST {p}/avmelding/{token}: cancel and delete now.
func (s *site) eventsCancelPost(w http.ResponseWriter, r *http.Request, lang string) {
	_, e, ok := s.eventsOpen(w, r, lang)
	if !ok {
		return
	}
	msg, err := s.eventsMessenger(r)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	_, err = s.store.CancelSignup(eventsPersonCtx(r), auth.HashToken(r.PathValue("token")), s.now(), msg)
	if errors.Is(err, store.ErrNotFound) {
		s.eventsInvalid(w, r, lang, r.PathValue("token"))
		return
	}
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	s.seeOther(w, r, prefix(lang)+"/arrangement/"+e.Slug+"?melding=avmeldt")
}
