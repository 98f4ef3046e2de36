package web

// The coordinator's inbox of enquiries: /kontor/henvendelser.

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
)

// matchingInboxFields are the inbox's filters.
var matchingInboxFields = []string{"status", "name", "municipality", "theme", "channel", "waited"}

// matchingOpenStatuses are the statuses the inbox shows by default: the
// enquiries someone still has to act on or that wait.
var matchingOpenStatuses = []store.EnquiryStatus{store.EnquiryNew, store.EnquiryIntake, store.EnquiryWaiting,
	store.EnquiryInvited, store.EnquiryPaused}

// matchingWaitedDays are the choices of "waited at least".
var matchingWaitedDays = []int{7, 30, 90}

// matchingRow is an enquiry in the inbox.
type matchingRow struct {
	E            store.Enquiry
	Municipality string
	Themes       string
	Created      int // days since created
	Waited       int // days in the pool (0 when not waiting)
	Waiting      bool
	OrgName      string
}

type matchingInboxView struct {
	matchingView
	Rows     []matchingRow
	Total    int
	Filtered bool
}

// matchingInboxPage is GET and POST /kontor/henvendelser: the enquiries of
// the user's part of the tree (an audited list), oldest in the pool first.
// The filter form is posted, so that a first name typed never lands in a
// URL; a GET shows the open enquiries.
func (s *site) matchingInboxPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	ctx := r.Context()
	sc, ok := s.matchingScopeOf(w, r, lang, me)
	if !ok {
		return
	}
	if r.Method == http.MethodPost && !s.officeParse(w, r, lang) {
		return
	}
	ref, err := s.matchingRefData(ctx)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	v := &matchingInboxView{matchingView: s.newMatchingView(r, lang, "/kontor/henvendelser", me, "enquiries", "matching.inbox_title")}
	if r.Method == http.MethodPost {
		v.keep(r.PostForm, matchingInboxFields...)
		v.Filtered = true
	}
	v.opts("status", append([]officeOption{{Value: "", Text: v.S("matching.inbox_open_statuses")},
		{Value: "all", Text: v.S("matching.inbox_all_statuses")}},
		officeEnum(v.officeView, "matching.status_", store.EnquiryStatuses[1:])...))
	v.municipalitySelect("municipality", ref.cs, ref.byCounty)
	v.options["municipality"][0].Options[0].Text = v.S("matching.inbox_any_municipality")
	themes := []officeOption{{Value: "", Text: v.S("matching.inbox_any_theme")}}
	for _, t := range ref.themeList {
		themes = append(themes, v.textOption(t.ID, t.Name))
	}
	v.opts("theme", themes)
	v.opts("channel", append([]officeOption{{Value: "", Text: v.S("matching.inbox_any_channel")}},
		officeEnum(v.officeView, "matching.channel_", store.EnquiryChannels)...))
	waited := []officeOption{{Value: "", Text: v.S("matching.inbox_any_wait")}}
	for _, d := range matchingWaitedDays {
		waited = append(waited, officeOption{Value: strconv.Itoa(d), Text: string(v.N("matching.inbox_waited_n", d))})
	}
	v.opts("waited", waited)

	f := store.EnquiryFilter{OrgIDs: sc.orgIDs, Statuses: matchingOpenStatuses}
	switch st := v.Val("status"); {
	case st == "":
	case st == "all":
		f.Statuses = nil
	case slices.Contains(store.EnquiryStatuses[1:], store.EnquiryStatus(st)):
		f.Statuses = []store.EnquiryStatus{store.EnquiryStatus(st)}
	default:
		v.fail("status", "office.err_choose")
	}
	muni := v.Val("municipality")
	if _, known := ref.munis[muni]; muni != "" && !known {
		v.fail("municipality", "office.err_municipality")
	}
	theme := v.Val("theme")
	if _, known := ref.themes[theme]; theme != "" && !known {
		v.fail("theme", "office.err_choose")
	}
	channel := v.Val("channel")
	if channel != "" && !slices.Contains(store.EnquiryChannels, channel) {
		v.fail("channel", "office.err_choose")
	}
	minWait := 0
	if x := v.Val("waited"); x != "" {
		n, err := strconv.Atoi(x)
		if err != nil || !slices.Contains(matchingWaitedDays, n) {
			v.fail("waited", "office.err_choose")
		}
		minWait = n
	}
	name := domain.Fold(strings.TrimSpace(v.line("name", store.MaxEnquiryName)))
	if len(v.Errors) > 0 {
		s.render(w, r, http.StatusBadRequest, "matching_inbox", v)
		return
	}
	list, err := s.store.Enquiries(officeCtx(r, me), f)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	now := s.now()
	for _, e := range list {
		switch {
		case muni != "" && e.Municipality != muni,
			theme != "" && !slices.Contains(e.Themes, theme),
			channel != "" && e.Channel != channel,
			name != "" && !strings.Contains(domain.Fold(e.Name), name):
			continue
		}
		row := matchingRow{E: e, Municipality: ref.muni(e.Municipality), Themes: v.themeNames(ref, e.Themes),
			Created: v.Days(e.CreatedAt, now), OrgName: sc.byID[e.OrgID].Name}
		if e.Status == store.EnquiryWaiting && !e.WaitingSince.IsZero() {
			row.Waiting, row.Waited = true, v.Days(e.WaitingSince, now)
		}
		waitedFor := row.Created
		if row.Waiting {
			waitedFor = row.Waited
		}
		if waitedFor < minWait {
			continue
		}
		v.Rows = append(v.Rows, row)
	}
	v.Total = len(v.Rows)
	s.render(w, r, http.StatusOK, "matching_inbox", v)
}

// DateOf is a date in words, without the time.
func (v matchingView) DateOf(t time.Time) Phrase {
	if t.IsZero() {
		return Phrase{}
	}
	w := newWords(v.cat, v.Lang, "date.with_time")
	if loc, err := time.LoadLocation(domain.DefaultTimeZone); err == nil {
		t = t.In(loc)
	}
	return Phrase{w.dateMedium(t), w.lang}
}
