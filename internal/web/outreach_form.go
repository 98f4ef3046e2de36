package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/store"
)

// An entry of the outreach log: new, changed, deleted.

type outreachFormView struct {
	*officeView
	Entry store.OutreachEntry
	New   bool
}

// Action is where the form posts.
func (v *outreachFormView) Action() string {
	if v.New {
		return v.Href("/kontor/informasjonsarbeid/ny")
	}
	return v.Href("/kontor/informasjonsarbeid/" + v.Entry.ID)
}

func (s *site) newOutreachFormView(r *http.Request, lang string, me *auth.Current, sc *officeScope, e store.OutreachEntry) *outreachFormView {
	v := &outreachFormView{Entry: e, New: e.ID == ""}
	path, title := "/kontor/informasjonsarbeid/"+e.ID, "outreach.edit_title"
	if v.New {
		path, title = "/kontor/informasjonsarbeid/ny", "outreach.new_title"
	}
	v.officeView = s.newOfficeView(r, lang, path, me, "outreach", title)
	v.opts("organisation", officeOrgOptions(sc.ordered(auth.EditListing)))
	v.opts("kind", officeEnum(v.officeView, "outreach.kind.", store.OutreachKinds))
	v.set("organisation", e.OrgID)
	v.set("day", e.Day)
	v.set("kind", e.Kind)
	v.set("audience", e.Audience)
	if e.Reached > 0 {
		v.set("reached", strconv.Itoa(e.Reached))
	}
	v.set("note", e.Note)
	return v
}

var outreachFields = []string{"organisation", "day", "kind", "audience", "reached", "note"}

// read reads the posted form into e, with the errors next to their fields.
func (v *outreachFormView) read(e *store.OutreachEntry) {
	e.OrgID = v.Val("organisation")
	e.Day = v.line("day", 10)
	if e.Day == "" {
		v.fail("day", "outreach.err_day")
	} else if !store.ValidDay(e.Day) && v.Err("day") == nil {
		v.fail("day", "outreach.err_date")
	}
	e.Kind = officeChoice(v.officeView, "kind", store.OutreachKinds, "outreach.err_kind")
	e.Audience = v.line("audience", store.MaxOutreachAudience)
	e.Reached = v.integer("reached", 0, store.MaxOutreachReached, 0)
	e.Note = v.text("note", store.MaxOutreachNote)
}

// outreachNewPage is GET /kontor/informasjonsarbeid/ny[?organisasjon=…].
func (s *site) outreachNewPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	sc, err := s.officeScope(r.Context(), me)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	org := sc.newTarget(r.URL.Query().Get("organisasjon"))
	if org == "" {
		s.notFound(w, r, lang)
		return
	}
	day := s.now().In(outreachOslo()).Format(time.DateOnly)
	v := s.newOutreachFormView(r, lang, me, sc, store.OutreachEntry{OrgID: org, Day: day})
	s.render(w, r, http.StatusOK, "outreach_form", v)
}

// outreachNewPost is POST /kontor/informasjonsarbeid/ny.
func (s *site) outreachNewPost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	sc, err := s.officeScope(r.Context(), me)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	if !sc.canAny(auth.EditListing) {
		s.notFound(w, r, lang)
		return
	}
	if !s.officeParse(w, r, lang) {
		return
	}
	v := s.newOutreachFormView(r, lang, me, sc, store.OutreachEntry{})
	v.keep(r.PostForm, outreachFields...)
	var e store.OutreachEntry
	v.read(&e)
	if !sc.target(e.OrgID) {
		s.notFound(w, r, lang)
		return
	}
	if len(v.Errors) > 0 {
		s.officeFail(w, r, "outreach_form", v)
		return
	}
	if err := s.store.SaveOutreach(officeCtx(r, me), &e, s.now()); err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	s.officeDone(w, r, lang, "/kontor/informasjonsarbeid", "lagret")
}

// outreachLoad loads the entry of the path and checks that the user keeps
// its organisation's log; otherwise it answers 404.
func (s *site) outreachLoad(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) (*officeScope, store.OutreachEntry, bool) {
	id := officePathID(r, "id")
	if id == "" {
		s.notFound(w, r, lang)
		return nil, store.OutreachEntry{}, false
	}
	e, err := s.store.Outreach(r.Context(), id)
	if err != nil {
		s.officeErr(w, r, lang, err)
		return nil, e, false
	}
	sc, err := s.officeScope(r.Context(), me)
	if err != nil {
		s.serverError(w, r, lang, err)
		return nil, e, false
	}
	if !sc.can(auth.EditListing, e.OrgID) {
		s.notFound(w, r, lang)
		return nil, e, false
	}
	return sc, e, true
}

// outreachEditPage is GET /kontor/informasjonsarbeid/{id}.
func (s *site) outreachEditPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	sc, e, ok := s.outreachLoad(w, r, lang, me)
	if !ok {
		return
	}
	s.render(w, r, http.StatusOK, "outreach_form", s.newOutreachFormView(r, lang, me, sc, e))
}

// outreachEditPost is POST /kontor/informasjonsarbeid/{id}; an entry moved
// to another organisation needs the right there too.
func (s *site) outreachEditPost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	sc, e, ok := s.outreachLoad(w, r, lang, me)
	if !ok || !s.officeParse(w, r, lang) {
		return
	}
	v := s.newOutreachFormView(r, lang, me, sc, e)
	v.keep(r.PostForm, outreachFields...)
	v.read(&e)
	if !sc.target(e.OrgID) {
		s.notFound(w, r, lang)
		return
	}
	if len(v.Errors) > 0 {
		s.officeFail(w, r, "outreach_form", v)
		return
	}
	if err := s.store.SaveOutreach(officeCtx(r, me), &e, s.now()); err != nil {
		s.officeErr(w, r, lang, err)
		return
	}
	s.officeDone(w, r, lang, "/kontor/informasjonsarbeid", "lagret")
}

// outreachDeletePost is POST /kontor/informasjonsarbeid/{id}/slett.
func (s *site) outreachDeletePost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	_, e, ok := s.outreachLoad(w, r, lang, me)
	if !ok {
		return
	}
	if err := s.store.DeleteOutreach(officeCtx(r, me), e.ID, s.now()); err != nil {
		s.officeErr(w, r, lang, err)
		return
	}
	s.officeDone(w, r, lang, "/kontor/informasjonsarbeid", "slettet")
}
