package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/finder"
	"github.com/fellesrom/fellesrom/internal/store"
)

// contact is how to reach an organisation.
type contact struct {
	Email   string
	Phone   string
	PhoneTo string // for tel: links
	Website string // an http(s) URL
	WebText string // the website without the scheme
}

func contactOf(o domain.Organisation) contact {
	c := contact{Email: strings.TrimSpace(o.Email), Phone: strings.TrimSpace(o.Phone)}
	c.PhoneTo = strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' || r == '+' {
			return r
		}
		return -1
	}, c.Phone)
	if w := strings.TrimSpace(o.Website); strings.HasPrefix(w, "https://") || strings.HasPrefix(w, "http://") {
		c.Website = w
		c.WebText = strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(w, "https://"), "http://"), "/")
	}
	return c
}

// Any says whether there is a way to reach the organisation.
func (c contact) Any() bool { return c.Email != "" || c.Phone != "" || c.Website != "" }

// groupView is the page of one group.
type groupView struct {
	page
	Listing      finder.Listing
	ModelExplain []Phrase
	Languages    []Phrase
	Audience     []Phrase
	Ended        bool
	Paused       bool
	TakesNew     bool
	Schedule     Phrase
	Meetings     []meeting
	Zone         string // the schedule's zone when it is not Europe/Oslo
	OrgURL       string
	Contact      contact
	Verified     Phrase
	Access       []Phrase
	ThemeURL     string // more groups on the group's first theme
	Feed         bool   // the group's meetings are in a public calendar feed
}

func (s *site) groupPage(w http.ResponseWriter, r *http.Request, lang string) {
	slug := r.PathValue("slug")
	if !validSlug(slug) {
		s.badAddress(w, r, lang)
		return
	}
	l, err := s.finder.Listing(r.Context(), slug)
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r, lang)
		return
	}
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	if slug != l.Group.Slug { // asked for by ID: send to the address with the slug
		http.Redirect(w, r, prefix(lang)+"/gruppe/"+l.Group.Slug, http.StatusMovedPermanently)
		return
	}
	g := l.Group
	v := &groupView{page: s.newPage(lang, "/gruppe/"+g.Slug), Listing: l}
	v.Title = g.Name.In(lang)
	v.Ended = g.Status == domain.StatusEnded
	v.Paused = g.Status == domain.StatusPaused
	v.TakesNew = g.OpenToNewcomers()
	v.Feed = feedsPublic(l) && feedsMeets(g)
	if id := "model.intake." + string(l.Model.Intake); s.cat.Has("nb", id) {
		v.ModelExplain = append(v.ModelExplain, v.L(id))
	}
	if id := "model.lead." + string(l.Model.Leadership); s.cat.Has("nb", id) {
		v.ModelExplain = append(v.ModelExplain, v.L(id))
	}
	for _, code := range g.Languages {
		v.Languages = append(v.Languages, v.LangName(code))
	}
	if g.AgeGroup != "" {
		v.Audience = append(v.Audience, v.L("age."+string(g.AgeGroup)))
	}
	if g.Gender != "" {
		v.Audience = append(v.Audience, v.L("gender."+string(g.Gender)))
	}
	if g.ForRelatives {
		v.Audience = append(v.Audience, v.L("group.for_relatives"))
	}
	v.Schedule = ScheduleWords(s.cat, lang, g.Schedule)
	if !v.Ended && !v.Paused && !g.Schedule.Start.IsZero() {
		v.Meetings = nextMeetings(s.cat, lang, g.Schedule, s.now(), 3)
	}
	if tz := g.Schedule.TZ; tz != "" && tz != domain.DefaultTimeZone {
		v.Zone = tz
	}
	if l.Organisation.Slug != "" {
		v.OrgURL = v.Href("/organisasjon/" + l.Organisation.Slug)
	}
	v.Contact = contactOf(l.Organisation)
	if !g.VerifiedAt.IsZero() {
		v.Verified = dateWords(s.cat, lang, g.VerifiedAt)
	}
	if l.AddressVisible {
		w := newWords(s.cat, lang, "access.value")
		for _, a := range []struct {
			id string
			on bool
		}{{"access.step_free", l.Venue.StepFree}, {"access.hearing_loop", l.Venue.HearingLoop}, {"access.toilet", l.Venue.AccessibleToilet}} {
			val := w.t("common.no")
			if a.on {
				val = w.t("common.yes")
			}
			v.Access = append(v.Access, Phrase{w.t("access.value", "What", w.t(a.id), "Value", val), w.lang})
		}
	}
	if len(l.Themes) > 0 {
		v.ThemeURL = v.HrefQuery("/finn", "theme", l.Themes[0].Slug)
	} else {
		v.ThemeURL = v.Href("/finn")
	}
	s.render(w, r, http.StatusOK, "group", v)
}
