package web

// Harvested feeds (issue 6 item 3): /kontor/kilder lists the feeds of the
// organisations whose listings the user edits; /kontor/kilder/ny registers
// one; /kontor/kilder/{id} changes it and shows its runs;
// /kontor/kilder/{id}/hent asks for a harvest now (the harvest job takes
// it within a minute); /kontor/kilder/{id}/kjoring/{run} is the log of a
// run, with a form for every open conflict;
// /kontor/kilder/{id}/konflikt/{change} resolves one. Everything needs
// auth.EditListing in the feed's organisation (coordinators and
// administrators); anyone else gets 404, as for the rest of the directory.

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/harvest"
	"github.com/fellesrom/fellesrom/internal/i18n"
	"github.com/fellesrom/fellesrom/internal/store"
)

func init() {
	staffAreas = append(staffAreas, officeFeedsRoutes)
	officeNotices["hentes"] = "feeds.notice_queued"
	officeNotices["lost"] = "feeds.notice_resolved"
}

func officeFeedsRoutes(s *site, mux *http.ServeMux, lang, p string) {
	h := s.staffHandlers(lang)
	k := p + "/kontor/kilder"
	mux.Handle(k, h(s.officeFeedsPage, nil))
	mux.Handle(k+"/ny", h(s.officeFeedNewPage, s.officeFeedNewPost))
	mux.Handle(k+"/{id}", h(s.officeFeedEditPage, s.officeFeedEditPost))
	mux.Handle(k+"/{id}/hent", h(nil, s.officeFeedRunNowPost))
	mux.Handle(k+"/{id}/kjoring/{run}", h(s.officeFeedRunPage, nil))
	mux.Handle(k+"/{id}/konflikt/{change}", h(nil, s.officeFeedResolvePost))
}

// officeFeedIntervals are the intervals a feed may have, in minutes.
var officeFeedIntervals = []int{15, 60, 360, 1440}

var officeFeedFields = []string{"organisation", "url", "format", "model", "municipality", "interval", "enabled", "mass_removal"}

// officeFeedItem is a feed in the list, with its latest run.
type officeFeedItem struct {
	Feed  store.Feed
	Model string
	Last  *store.HarvestRun
}

type officeFeedSection struct {
	Org   domain.Organisation
	Feeds []officeFeedItem
}

type officeFeedsView struct {
	*officeView
	Sections []officeFeedSection
}

// FormatLabel is the message id of a feed's format.
func (v *officeView) FeedFormatLabel(f string) string { return "feeds.fmt." + f }

// RunError is the sentence of a run's error: its code's, and the detail
// (in English, as the log keeps it).
func (v *officeView) RunError(text string) Phrase {
	code := harvest.CodeOf(text)
	if code == "" || !v.cat.Has(i18n.Default, "feeds.err."+code) {
		code = "other"
	}
	return v.L("feeds.err." + code)
}

// RunDetail is the technical part of a run's error.
func (v *officeView) RunDetail(text string) string {
	if code := harvest.CodeOf(text); code != "" {
		return text[len(code)+2:]
	}
	return text
}

// officeFeedsPage is GET /kontor/kilder.
func (s *site) officeFeedsPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	ctx := r.Context()
	sc, err := s.officeScope(ctx, me)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	if !sc.canAny(auth.EditListing) {
		s.notFound(w, r, lang)
		return
	}
	feeds, err := s.store.Feeds(ctx, sc.orgIDs(auth.EditListing))
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	models, err := s.officeFeedModels(r)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	v := &officeFeedsView{officeView: s.newOfficeView(r, lang, "/kontor/kilder", me, "feeds", "feeds.title")}
	byOrg := map[string][]officeFeedItem{}
	for _, f := range feeds {
		it := officeFeedItem{Feed: f, Model: models[f.ModelID].Name.In(lang)}
		if runs, err := s.store.HarvestRuns(ctx, f.ID, 1); err != nil {
			s.serverError(w, r, lang, err)
			return
		} else if len(runs) == 1 {
			it.Last = &runs[0]
		}
		byOrg[f.OrgID] = append(byOrg[f.OrgID], it)
	}
	for _, ref := range sc.ordered(auth.EditListing) {
		v.Sections = append(v.Sections, officeFeedSection{Org: ref.Org, Feeds: byOrg[ref.Org.ID]})
	}
	s.render(w, r, http.StatusOK, "office_feeds", v)
}

func (s *site) officeFeedModels(r *http.Request) (map[string]domain.Model, error) {
	ms, err := s.store.Models(r.Context())
	out := map[string]domain.Model{}
	for _, m := range ms {
		out[m.ID] = m
	}
	return out, err
}

type officeFeedView struct {
	*officeView
	Feed   store.Feed
	New    bool
	Action string
	Runs   []store.HarvestRun
}

func officeFeedForm(v *officeView, f store.Feed) {
	v.set("organisation", f.OrgID)
	v.set("url", f.URL)
	v.set("format", f.Format)
	v.set("model", f.ModelID)
	v.set("municipality", f.MunicipalityID)
	v.set("interval", strconv.Itoa(int(f.Interval/time.Minute)))
	v.set("enabled", officeBool(f.Enabled))
	v.set("mass_removal", officeBool(f.AllowMassRemoval))
}

func (s *site) officeFeedOptions(r *http.Request, v *officeFeedView, sc *officeScope) error {
	ctx := r.Context()
	v.opts("organisation", officeOrgOptions(sc.ordered(auth.EditListing)))
	var formats []officeOption
	for _, f := range store.FeedFormats {
		formats = append(formats, officeOption{Value: f, Text: v.S("feeds.fmt." + f)})
	}
	v.opts("format", formats)
	models, err := s.store.Models(ctx)
	if err != nil {
		return err
	}
	mo := []officeOption{{Value: "", Text: v.S("office.choose")}}
	for _, m := range models {
		mo = append(mo, v.textOption(m.ID, m.Name))
	}
	v.opts("model", mo)
	var iv []officeOption
	for _, n := range officeFeedIntervals {
		iv = append(iv, officeOption{Value: strconv.Itoa(n), Text: v.S("feeds.interval." + strconv.Itoa(n))})
	}
	v.opts("interval", iv)
	cs, by, _, err := s.officeMunicipalities(ctx)
	if err != nil {
		return err
	}
	v.municipalitySelect("municipality", cs, by)
	return nil
}

func (s *site) newOfficeFeedView(r *http.Request, lang string, me *auth.Current, f store.Feed, isNew bool) *officeFeedView {
	if isNew {
		v := &officeFeedView{officeView: s.newOfficeView(r, lang, "/kontor/kilder/ny", me, "feeds", "feeds.new_title"), New: true}
		v.Action = v.Href("/kontor/kilder/ny")
		return v
	}
	path := "/kontor/kilder/" + f.ID
	v := &officeFeedView{officeView: s.newOfficeView(r, lang, path, me, "feeds", "feeds.edit_title"), Feed: f}
	v.Action = v.Href(path)
	return v
}

// officeFeedNewPage is GET /kontor/kilder/ny[?organisasjon=ID].
func (s *site) officeFeedNewPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
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
	v := s.newOfficeFeedView(r, lang, me, store.Feed{}, true)
	v.query = url.Values{"organisasjon": {org}}
	officeFeedForm(v.officeView, store.Feed{OrgID: org, Format: store.FeedMeetingGuide, Interval: time.Hour, Enabled: true})
	s.officeFeedRender(w, r, lang, http.StatusOK, v, sc)
}

// officeFeedNewPost is POST /kontor/kilder/ny.
func (s *site) officeFeedNewPost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	if !s.officeParse(w, r, lang) {
		return
	}
	sc, err := s.officeScope(r.Context(), me)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	if org := r.PostForm.Get("organisation"); org == "" || !sc.target(org) {
		s.notFound(w, r, lang)
		return
	}
	v := s.newOfficeFeedView(r, lang, me, store.Feed{}, true)
	v.keep(r.PostForm, officeFeedFields...)
	s.officeFeedSave(w, r, lang, me, sc, v, store.Feed{})
}

// officeFeedLoad loads the feed of the path and checks that the user may
// edit its organisation's listings; otherwise it answers 404.
func (s *site) officeFeedLoad(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) (*officeScope, store.Feed, bool) {
	return officeLoadOwned(s, w, r, lang, me, s.store.Feed, func(f store.Feed) string { return f.OrgID })
}

// officeFeedEditPage is GET /kontor/kilder/{id}: the feed's form and runs.
func (s *site) officeFeedEditPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	sc, f, ok := s.officeFeedLoad(w, r, lang, me)
	if !ok {
		return
	}
	v := s.newOfficeFeedView(r, lang, me, f, false)
	officeFeedForm(v.officeView, f)
	s.officeFeedRender(w, r, lang, http.StatusOK, v, sc)
}

// officeFeedEditPost is POST /kontor/kilder/{id}.
func (s *site) officeFeedEditPost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	sc, f, ok := s.officeFeedLoad(w, r, lang, me)
	if !ok {
		return
	}
	if !s.officeParse(w, r, lang) {
		return
	}
	if org := r.PostForm.Get("organisation"); org != f.OrgID && !sc.target(org) {
		s.notFound(w, r, lang)
		return
	}
	v := s.newOfficeFeedView(r, lang, me, f, false)
	v.keep(r.PostForm, officeFeedFields...)
	s.officeFeedSave(w, r, lang, me, sc, v, f)
}

func (s *site) officeFeedRender(w http.ResponseWriter, r *http.Request, lang string, status int, v *officeFeedView, sc *officeScope) {
	if err := s.officeFeedOptions(r, v, sc); err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	if !v.New {
		runs, err := s.store.HarvestRuns(r.Context(), v.Feed.ID, 30)
		if err != nil {
			s.serverError(w, r, lang, err)
			return
		}
		v.Runs = runs
	}
	s.render(w, r, status, "office_feeds_form", v)
}

func (s *site) officeFeedSave(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current, sc *officeScope, v *officeFeedView, f store.Feed) {
	ctx := r.Context()
	f.OrgID = v.Val("organisation")
	f.URL = v.required("url", 2000, "feeds.err_url_missing")
	if f.URL != "" && v.Err("url") == nil {
		if _, err := harvest.CheckURL(f.URL, false); err != nil {
			msg := "feeds.err_url"
			if he, ok := err.(*harvest.Error); ok && he.Code == harvest.ErrPrivate {
				msg = "feeds.err_url_private"
			}
			v.fail("url", msg)
		}
	}
	f.Format = officeChoice(v.officeView, "format", store.FeedFormats, "feeds.err_format")
	models, err := s.officeFeedModels(r)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	f.ModelID = v.Val("model")
	if _, ok := models[f.ModelID]; !ok {
		v.fail("model", "feeds.err_model")
	}
	_, _, known, err := s.officeMunicipalities(ctx)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	f.MunicipalityID = v.Val("municipality")
	if f.MunicipalityID != "" && !known[f.MunicipalityID] {
		v.fail("municipality", "office.err_municipality")
	}
	n, err := strconv.Atoi(v.Val("interval"))
	if err != nil || !slices.Contains(officeFeedIntervals, n) {
		v.fail("interval", "feeds.err_interval")
	}
	f.Interval = time.Duration(n) * time.Minute
	f.Enabled = v.checked("enabled")
	f.AllowMassRemoval = v.checked("mass_removal")
	if len(v.Errors) > 0 {
		s.officeFeedRender(w, r, lang, http.StatusBadRequest, v, sc)
		return
	}
	isNew := f.ID == ""
	if err := s.store.SaveFeed(officeCtx(r, me), &f); err != nil {
		s.officeErr(w, r, lang, err)
		return
	}
	notice := "lagret"
	if isNew {
		notice = "opprettet"
	}
	s.officeDone(w, r, lang, "/kontor/kilder/"+f.ID, notice)
}

// officeFeedRunNowPost is POST /kontor/kilder/{id}/hent: the feed is due
// at once, and the harvest job takes it within a minute.
func (s *site) officeFeedRunNowPost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	_, f, ok := s.officeFeedLoad(w, r, lang, me)
	if !ok {
		return
	}
	if err := s.store.RunFeedNow(officeCtx(r, me), f.ID); err != nil {
		s.officeErr(w, r, lang, err)
		return
	}
	s.officeDone(w, r, lang, "/kontor/kilder/"+f.ID, "hentes")
}

// officeFeedChange is a line of a run's log, with its group.
type officeFeedChange struct {
	store.HarvestChange
	GroupName string
	GroupLang string
}

type officeFeedRunView struct {
	*officeView
	Feed    store.Feed
	Run     store.HarvestRun
	Changes []officeFeedChange
}

// KindLabel is the message id of a kind of change.
func (v *officeFeedRunView) KindLabel(kind string) string { return "feeds.kind." + kind }

// officeFeedRunLoad loads the run of the path, which must be the feed's.
func (s *site) officeFeedRunLoad(w http.ResponseWriter, r *http.Request, lang string, f store.Feed, runID string) (store.HarvestRun, bool) {
	if !store.ValidID(runID) {
		s.notFound(w, r, lang)
		return store.HarvestRun{}, false
	}
	run, err := s.store.HarvestRunByID(r.Context(), runID)
	if err != nil {
		s.officeErr(w, r, lang, err)
		return run, false
	}
	if run.FeedID != f.ID {
		s.notFound(w, r, lang)
		return run, false
	}
	return run, true
}

// officeFeedRunPage is GET /kontor/kilder/{id}/kjoring/{run}.
func (s *site) officeFeedRunPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	_, f, ok := s.officeFeedLoad(w, r, lang, me)
	if !ok {
		return
	}
	run, ok := s.officeFeedRunLoad(w, r, lang, f, r.PathValue("run"))
	if !ok {
		return
	}
	ctx := r.Context()
	changes, err := s.store.HarvestChanges(ctx, run.ID)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	var ids []string
	for _, c := range changes {
		if c.GroupID != "" {
			ids = append(ids, c.GroupID)
		}
	}
	groups, err := s.store.GroupsByID(ctx, ids)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	byID := map[string]domain.Group{}
	for _, g := range groups {
		byID[g.ID] = g
	}
	path := "/kontor/kilder/" + f.ID + "/kjoring/" + run.ID
	v := &officeFeedRunView{officeView: s.newOfficeView(r, lang, path, me, "feeds", "feeds.run_title"), Feed: f, Run: run}
	for _, c := range changes {
		fc := officeFeedChange{HarvestChange: c}
		if g, ok := byID[c.GroupID]; ok {
			fc.GroupName, fc.GroupLang = g.Name.In(lang), officeLangIf(g.Name.LangOf(lang), lang)
		}
		v.Changes = append(v.Changes, fc)
	}
	s.render(w, r, http.StatusOK, "office_feeds_run", v)
}

// officeFeedResolvePost is POST /kontor/kilder/{id}/konflikt/{change}
// with choice=feed (take the feed's version) or choice=local (keep the
// local one).
func (s *site) officeFeedResolvePost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	_, f, ok := s.officeFeedLoad(w, r, lang, me)
	if !ok {
		return
	}
	id := r.PathValue("change")
	if !store.ValidID(id) {
		s.notFound(w, r, lang)
		return
	}
	c, err := s.store.HarvestChangeByID(r.Context(), id)
	if err != nil {
		s.officeErr(w, r, lang, err)
		return
	}
	run, ok := s.officeFeedRunLoad(w, r, lang, f, c.RunID)
	if !ok {
		return
	}
	if !s.officeParse(w, r, lang) {
		return
	}
	back := "/kontor/kilder/" + f.ID + "/kjoring/" + run.ID
	choice := r.PostForm.Get("choice")
	if choice != "feed" && choice != "local" {
		s.badAddress(w, r, lang)
		return
	}
	err = s.store.ResolveConflict(officeCtx(r, me), c.ID, choice == "feed", me.User.ID)
	switch {
	case err == nil:
	case errors.Is(err, store.ErrResolved):
		// Someone else was first: the page shows what was decided.
	default:
		s.officeErr(w, r, lang, err)
		return
	}
	s.officeDone(w, r, lang, back, "lost")
}
