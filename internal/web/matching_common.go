package web

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/matching"
	"github.com/fellesrom/fellesrom/internal/store"
)

// The coordinator's side of the matching flow (issue 4, items 4–7): the
// inbox of enquiries, the pools of waiting people, forming a group, the
// answer page of an invitation, and starting the group (files
// matching_*.go, templates matching_*.html, messages
// locales/matching.*.json).
//
// Authorisation. Every page is for a user who may read the personal data
// of an organisation (auth.ReadPersonalData: coordinators, in their
// organisation and under it, and administrators). Each handler loads the
// object it is about — an enquiry's organisation (without reading its
// personal data), a group's — and checks that permission against it
// before it reads anything else; anything else answers 404, as for
// something that does not exist, to GET and POST alike. Starters and
// partners have no such permission and get 404 everywhere, except that the
// starter assigned to a group may hand it over (matching_formation.go).
// Every page is sent with Cache-Control: no-store (staff pages are).
//
// Personal data never goes into a URL: filters that could name a person
// (a first name, a contact) are posted, never put in the query.

func init() { staffAreas = append(staffAreas, matchingRoutes) }

func matchingRoutes(s *site, mux *http.ServeMux, lang, p string) {
	h := s.staffHandlers(lang)
	k := p + "/kontor/"
	mux.Handle(k+"henvendelser", h(s.matchingInboxPage, s.matchingInboxPage))
	mux.Handle(k+"henvendelser/ny", h(s.matchingNewPage, s.matchingNewPost))
	mux.Handle(k+"henvendelser/oppslag", h(nil, s.matchingLookupPost))
	mux.Handle(k+"henvendelser/{id}", h(s.matchingEnquiryPage, s.matchingNotePost))
	mux.Handle(k+"henvendelser/{id}/status", h(nil, s.matchingStatusPost))
	mux.Handle(k+"henvendelser/{id}/videreformidle", h(nil, s.matchingPassOnPost))
	mux.Handle(k+"grupper-i-emning", h(s.matchingPoolsPage, nil))
	mux.Handle(k+"grupper-i-emning/ny", h(nil, s.matchingFormPost))
	mux.Handle(k+"grupper-i-emning/{id}", h(s.matchingFormationPage, nil))
	mux.Handle(k+"grupper-i-emning/{id}/start", h(nil, s.matchingStartPost))
	mux.Handle(k+"grupper-i-emning/{id}/overlevert", h(nil, s.matchingHandOverPost))
	mux.Handle(p+"/svar/{token}", enquiryTokenPage(s.methods(lang, s.matchingAnswerPage, s.matchingAnswerPost)))
}

// matchingRetention is the retention clock of what the pages change (the
// same as the person's side states in the consent text).
var matchingRetention = enquiryRetention

// matchingNotices are the confirmations after a change, by ?melding=.
var matchingNotices = map[string]string{
	"opprettet":    "matching.notice_created",
	"lagret":       "matching.notice_saved",
	"status":       "matching.notice_status",
	"invitert":     "matching.notice_invited",
	"startet":      "matching.notice_started",
	"overlevert":   "matching.notice_handed_over",
	"videreformid": "matching.notice_passed_on",
}

// matchingView is what every page of the area has: the directory's view
// (its form helpers and parts), and the links of the area's own menu.
type matchingView struct {
	*officeView
}

func (s *site) newMatchingView(r *http.Request, lang, path string, me *auth.Current, section, titleID string, kv ...any) matchingView {
	v := matchingView{s.newOfficeView(r, lang, path, me, section, titleID, kv...)}
	if n, ok := matchingNotices[r.URL.Query().Get("melding")]; ok {
		v.Notice = n
	}
	return v
}

// MatchingMayRead reports whether the signed-in user reads enquiries
// anywhere (an administrator, or a coordinator), for the links to the
// inbox and the pools in the back office's menu.
func (v staffView) MatchingMayRead() bool {
	return v.Me != nil && v.Me.Stage() == auth.StageDone && allowedAnywhere(v.Me.Principal(), auth.ReadPersonalData)
}

// MatchingLinks are the area's pages, for its menu (template matching_nav).
func (v matchingView) MatchingLinks() []officeLink {
	return []officeLink{{"/kontor/henvendelser", "matching.nav_inbox", "enquiries"},
		{"/kontor/henvendelser/ny", "matching.nav_new", "enquiry_new"},
		{"/kontor/grupper-i-emning", "matching.nav_pools", "pools"}}
}

// matchingScope is the office scope and the organisations whose enquiries
// the user may read (every one, for an administrator).
type matchingScope struct {
	*officeScope
	orgIDs []string
}

// may reports whether the user may read the personal data of org.
func (sc *matchingScope) may(org string) bool {
	return org != "" && sc.can(auth.ReadPersonalData, org)
}

// matchingScopeOf loads the scope, and answers 404 to a user who may read
// no enquiry anywhere.
func (s *site) matchingScopeOf(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) (*matchingScope, bool) {
	sc, err := s.officeScope(r.Context(), me)
	if err != nil {
		s.serverError(w, r, lang, err)
		return nil, false
	}
	ms := &matchingScope{officeScope: sc}
	for _, o := range sc.orgs {
		if ms.may(o.ID) {
			ms.orgIDs = append(ms.orgIDs, o.ID)
		}
	}
	if len(ms.orgIDs) == 0 {
		s.notFound(w, r, lang)
		return nil, false
	}
	return ms, true
}

// matchingEnquiryLoad checks the enquiry of the path against the user's
// rights by its organisation alone, and only then reads it (an audited
// read). Another house's enquiry, or one that does not exist, is a 404.
func (s *site) matchingEnquiryLoad(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) (*matchingScope, store.Enquiry, bool) {
	id := officePathID(r, "id")
	if id == "" {
		s.notFound(w, r, lang)
		return nil, store.Enquiry{}, false
	}
	sc, ok := s.matchingScopeOf(w, r, lang, me)
	if !ok {
		return nil, store.Enquiry{}, false
	}
	org, err := s.store.EnquiryOrg(r.Context(), id)
	if err != nil {
		s.officeErr(w, r, lang, err)
		return nil, store.Enquiry{}, false
	}
	if !sc.may(org) {
		s.notFound(w, r, lang)
		return nil, store.Enquiry{}, false
	}
	e, err := s.store.ReadEnquiry(officeCtx(r, me), id)
	if err != nil {
		s.officeErr(w, r, lang, err)
		return nil, e, false
	}
	return sc, e, true
}

// matchingRef is what the pages know of the reference data and the
// taxonomy: municipalities, counties, themes.
type matchingRef struct {
	munis     map[string]domain.Municipality
	counties  map[string]domain.County
	themes    map[string]domain.Theme
	cs        []domain.County
	byCounty  map[string][]domain.Municipality
	themeList []domain.Theme
}

func (s *site) matchingRefData(ctx context.Context) (*matchingRef, error) {
	cs, by, _, err := s.officeMunicipalities(ctx)
	if err != nil {
		return nil, err
	}
	ths, err := s.store.Themes(ctx)
	if err != nil {
		return nil, err
	}
	ref := &matchingRef{munis: map[string]domain.Municipality{}, counties: map[string]domain.County{},
		themes: map[string]domain.Theme{}, cs: cs, byCounty: by, themeList: ths}
	for _, c := range cs {
		ref.counties[c.ID] = c
		for _, m := range by[c.ID] {
			ref.munis[m.ID] = m
		}
	}
	for _, t := range ths {
		ref.themes[t.ID] = t
	}
	return ref, nil
}

// muni is a municipality's name, or its number when unknown.
func (ref *matchingRef) muni(id string) string {
	if m, ok := ref.munis[id]; ok {
		return m.DisplayName()
	}
	return id
}

// person is an enquiry as the matching sees it: no name, no contact.
func (ref *matchingRef) person(e store.Enquiry) matching.Person {
	m := ref.munis[e.Municipality]
	p := matching.Person{ID: e.ID, Municipality: e.Municipality, County: m.CountyID, Population: m.Population,
		TravelKm: e.TravelKm, NotOwnMunicipality: e.NotOwnMunicipality, Languages: slices.Clone(e.Languages),
		WaitingSince: e.WaitingSince}
	// The theme "open across themes" is no theme to the matching: the
	// person is open to a cross-theme group.
	for _, t := range e.Themes {
		if ref.themes[t].Slug != domain.ThemeOpen {
			p.Themes = append(p.Themes, t)
		}
	}
	if p.WaitingSince.IsZero() {
		p.WaitingSince = e.CreatedAt
	}
	for _, f := range e.Formats {
		if x, ok := matching.ParseFormat(f); ok {
			p.Formats = append(p.Formats, x)
		}
	}
	for _, sl := range e.Slots {
		if x, ok := matching.ParseSlot(sl); ok {
			p.Slots = append(p.Slots, x)
		}
	}
	return p
}

// matchingDistances are the distances between municipalities, from the
// mean of each municipality's venues' coordinates (the reference data has
// none of its own); unknown where a municipality has no venue with
// coordinates.
func (s *site) matchingDistances(ctx context.Context) (matching.Distances, error) {
	pts, err := s.store.MunicipalityPoints(ctx)
	if err != nil {
		return nil, err
	}
	return func(a, b string) (float64, bool) {
		pa, ok1 := pts[a]
		pb, ok2 := pts[b]
		if !ok1 || !ok2 {
			return 0, false
		}
		return store.DistanceKm(pa, pb), true
	}, nil
}

// Days is the number of whole days from t to now ("waited 12 days").
func (v matchingView) Days(t time.Time, now time.Time) int {
	if t.IsZero() || now.Before(t) {
		return 0
	}
	return int(now.Sub(t) / (24 * time.Hour))
}

// SlotWords is a time slot in words: "tirsdag kveld".
func (v matchingView) SlotWords(slot string) string {
	d, p, ok := strings.Cut(slot, "-")
	if !ok {
		return ""
	}
	return v.S("matching.slot_words", "Day", v.S("matching.day."+d), "Part", v.S("matching.part."+p))
}

// ThemeNames are the names of themes by ID, in the page's language.
func (v matchingView) themeNames(ref *matchingRef, ids []string) string {
	var out []string
	for _, id := range ids {
		if t, ok := ref.themes[id]; ok {
			out = append(out, t.Name.In(v.Lang))
		}
	}
	if len(out) == 0 {
		return v.S("matching.theme_open")
	}
	return strings.Join(out, ", ")
}

// matchingFormats are the formats of an enquiry in words.
func (v matchingView) formatWords(fs []string) string {
	var out []string
	for _, f := range fs {
		out = append(out, v.S("matching.format."+f))
	}
	return strings.Join(out, ", ")
}

// matchingUsers are the names of staff users by ID, for histories.
func (s *site) matchingUserNames(ctx context.Context, ids []string) map[string]string {
	names, err := s.store.UserNames(ctx, ids)
	if err != nil || names == nil {
		return map[string]string{}
	}
	return names
}
