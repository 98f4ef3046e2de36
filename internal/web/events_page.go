package web

// An event's public page, {p}/arrangement/{slug}, with the sign-up form,
// and the page after signing up, {p}/arrangement/{slug}/pameldt.

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/fellesrom/fellesrom/internal/store"
)

// eventsSignupFields are the fields of the sign-up form, as posted.
var eventsSignupFields = []string{"name", "contact_kind", "contact", "consent"}

type eventsPageView struct {
	eventsView
	Item      eventItem
	Unlisted  bool
	Action    string
	Stamp     string // the spam guard's signed time
	Spam      string
	ICS       string
	Retention int // days the sign-ups are kept after the event
}

// eventsLoad loads the event of the path's slug (or redirects from its ID),
// or answers 400 or 404.
func (s *site) eventsLoad(w http.ResponseWriter, r *http.Request, lang, suffix string) (store.Event, bool) {
	slug := r.PathValue("slug")
	if !validSlug(slug) {
		s.badAddress(w, r, lang)
		return store.Event{}, false
	}
	e, err := s.store.Event(r.Context(), slug)
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r, lang)
		return e, false
	}
	if err != nil {
		s.serverError(w, r, lang, err)
		return e, false
	}
	if e.Slug != slug {
		http.Redirect(w, r, prefix(lang)+"/arrangement/"+e.Slug+suffix, http.StatusMovedPermanently)
		return e, false
	}
	return e, true
}

func (s *site) newEventsPageView(r *http.Request, lang string, e store.Event, world *eventsWorld) *eventsPageView {
	path := "/arrangement/" + e.Slug
	v := &eventsPageView{eventsView: s.newEventsView(r, lang, path, nil, "events.page_title", "Title", e.Title.In(lang))}
	v.Title = e.Title.In(lang)
	v.Nav = "events"
	v.Item = world.item(v.officeView, e, s.now())
	v.Unlisted = !e.Listed
	v.Action = v.Href(path)
	v.ICS = v.Href(path + "/kalender.ics")
	v.Retention = int(store.EventSignupRetention.Hours() / 24)
	v.opts("contact_kind", officeEnum(v.officeView, "events.contact_kind_", []string{"email", "phone"}))
	return v
}

// eventsPage is GET {p}/arrangement/{slug}.
func (s *site) eventsPage(w http.ResponseWriter, r *http.Request, lang string) {
	e, ok := s.eventsLoad(w, r, lang, "")
	if !ok {
		return
	}
	world, err := s.eventsWorld(r.Context())
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	v := s.newEventsPageView(r, lang, e, world)
	v.set("contact_kind", "email")
	s.eventsPageRender(w, r, lang, http.StatusOK, v)
}

func (s *site) eventsPageRender(w http.ResponseWriter, r *http.Request, lang string, status int, v *eventsPageView) {
	if v.Item.Open {
		var err error
		if v.Stamp, err = s.enquiryStamp(r.Context()); err != nil {
			s.serverError(w, r, lang, err)
			return
		}
	}
	if v.Unlisted {
		w.Header().Set("X-Robots-Tag", "noindex")
	}
	s.render(w, r, status, "events_page", v)
}

// eventsSignUpPost is POST {p}/arrangement/{slug}: the sign-up.
func (s *site) eventsSignUpPost(w http.ResponseWriter, r *http.Request, lang string) {
	e, ok := s.eventsLoad(w, r, lang, "")
	if !ok {
		return
	}
	if !s.officeParse(w, r, lang) {
		return
	}
	ctx := r.Context()
	world, err := s.eventsWorld(ctx)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	v := s.newEventsPageView(r, lang, e, world)
	v.keep(r.PostForm, eventsSignupFields...)
	if !v.Item.Open {
		v.fail("", "events.err_closed")
		s.eventsPageRender(w, r, lang, http.StatusConflict, v)
		return
	}
	retry, limited, err := s.enquiryHit(r, "events:src:"+store.SourceOf(r.RemoteAddr), "source", enquiryLimit.PerSource, enquiryLimit.Window)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	if limited {
		status, minutes := enquiryTooMany(w, retry)
		v.fail("", "events.rate_limited", "Minutes", minutes)
		s.eventsPageRender(w, r, lang, status, v)
		return
	}
	// The spam guard first: its message heads the summary.
	if strings.TrimSpace(r.PostForm.Get("nettside")) != "" {
		v.Spam = "events.spam_honeypot"
	} else if v.Spam, err = s.enquiryStampProblem(ctx, r.PostForm.Get("stamp")); err != nil {
		s.serverError(w, r, lang, err)
		return
	} else if v.Spam != "" {
		v.Spam = strings.Replace(v.Spam, "enquiry.", "events.", 1)
	}
	if v.Spam != "" {
		v.fail("", v.Spam)
	}
	su := store.Signup{Lang: lang, ConsentVersion: EventsConsentVersion}
	su.Name = v.required("name", store.MaxSignupName, "events.err_name")
	su.ContactKind = v.Val("contact_kind")
	if su.ContactKind != "email" && su.ContactKind != "phone" {
		v.fail("contact_kind", "events.err_contact_kind")
	}
	raw := strings.TrimSpace(v.Val("contact"))
	switch c, ok := store.NormalizeContact(su.ContactKind, raw); {
	case raw == "":
		v.fail("contact", "events.err_contact_missing")
	case len(raw) > 300:
		v.fail("contact", "events.err_contact_long")
	case ok:
		su.Contact = c
	case su.ContactKind == "phone":
		v.fail("contact", "events.err_phone")
	case su.ContactKind == "email":
		v.fail("contact", "events.err_email")
	}
	if !v.checked("consent") {
		v.fail("consent", "events.err_consent")
	}
	if len(v.Errors) > 0 {
		s.eventsPageRender(w, r, lang, http.StatusBadRequest, v)
		return
	}
	done := url.Values{"til": {su.ContactKind}}
	// Links to one contact are limited: past the limit the form answers as
	// if it had sent one, and nothing is stored or sent.
	ckey, err := s.enquiryContactKey(ctx, "events:"+su.ContactKind, su.Contact)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	if _, limited, err := s.enquiryHit(r, ckey, "contact", enquiryLimit.PerContact, enquiryLimit.Contact); err != nil {
		s.serverError(w, r, lang, err)
		return
	} else if limited {
		s.seeOther(w, r, withQuery(prefix(lang)+"/arrangement/"+e.Slug+"/pameldt", done))
		return
	}
	msg, err := s.eventsMessenger(r)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	err = s.store.SignUp(eventsPersonCtx(r), e.ID, &su, s.now(), msg)
	if errors.Is(err, store.ErrSignupClosed) {
		v.Item.Open = false
		v.fail("", "events.err_closed")
		s.eventsPageRender(w, r, lang, http.StatusConflict, v)
		return
	}
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	done.Set("plass", "1")
	if su.Status == store.SignupWaiting {
		done.Set("plass", "0")
		done.Set("nummer", strconv.Itoa(su.Position))
	}
	s.seeOther(w, r, withQuery(prefix(lang)+"/arrangement/"+e.Slug+"/pameldt", done))
}

type eventsSignedView struct {
	eventsView
	Item     eventItem
	Phone    bool
	Place    bool // a place; else on the waiting list (or not said)
	Waiting  bool
	Position int
}

// eventsSignedPage is GET {p}/arrangement/{slug}/pameldt?til=&plass=&nummer=.
func (s *site) eventsSignedPage(w http.ResponseWriter, r *http.Request, lang string) {
	e, ok := s.eventsLoad(w, r, lang, "/pameldt")
	if !ok {
		return
	}
	world, err := s.eventsWorld(r.Context())
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	q := r.URL.Query()
	v := &eventsSignedView{eventsView: s.newEventsView(r, lang, "/arrangement/"+e.Slug+"/pameldt", nil, "events.signed_title")}
	v.Item = world.item(v.officeView, e, s.now())
	v.Phone = q.Get("til") == "phone"
	v.Place = q.Get("plass") == "1"
	if q.Get("plass") == "0" {
		v.Waiting = true
		if n, err := strconv.Atoi(q.Get("nummer")); err == nil && n > 0 && n <= store.MaxEventCapacity {
			v.Position = n
		}
	}
	v.query = url.Values{}
	for _, k := range []string{"til", "plass", "nummer"} {
		if x := q.Get(k); x != "" && len(x) < 10 {
			v.query.Set(k, x)
		}
	}
	if v.Place {
		v.Title = v.S("events.signed_place_h1")
	} else if v.Waiting {
		v.Title = v.S("events.signed_waiting_h1")
	}
	s.render(w, r, http.StatusOK, "events_signed", v)
}
