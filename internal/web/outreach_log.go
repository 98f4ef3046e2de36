package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
)

// The outreach log (issue 5, item 5): files outreach_*.go, templates
// outreach_*.html, messages locales/outreach.*.json.
//
//	GET      {p}/kontor/informasjonsarbeid             the log: entries and totals per month and kind,
//	                                                   filtered by organisation, period and kind
//	GET/POST {p}/kontor/informasjonsarbeid/ny          a new entry
//	GET/POST {p}/kontor/informasjonsarbeid/{id}        an entry changed
//	POST     {p}/kontor/informasjonsarbeid/{id}/slett  an entry deleted
//
// Who: the log is the house's own record of its work, kept by those who
// run it: auth.EditListing in the entry's organisation (administrators,
// and coordinators of the organisation or one above it) reads and writes
// it. Starters and partners get 404, as does a coordinator for an entry of
// another house. The entries hold no personal data (the audience is a group
// of people or a service, and the note's hint says so), but they are the
// house's internal record, not the partners'.

func init() { staffAreas = append(staffAreas, outreachRoutes) }

func outreachRoutes(s *site, mux *http.ServeMux, lang, p string) {
	mux.Handle(p+"/kontor/informasjonsarbeid", s.methods(lang, s.staff(s.outreachLogPage, false), nil))
	mux.Handle(p+"/kontor/informasjonsarbeid/ny", s.methods(lang, s.staff(s.outreachNewPage, false),
		s.staff(s.outreachNewPost, false)))
	mux.Handle(p+"/kontor/informasjonsarbeid/{id}", s.methods(lang, s.staff(s.outreachEditPage, false),
		s.staff(s.outreachEditPost, false)))
	mux.Handle(p+"/kontor/informasjonsarbeid/{id}/slett", s.methods(lang, nil, s.staff(s.outreachDeletePost, false)))
}

// outreachNotices are the confirmations after a change, by ?melding=.
var outreachNotices = map[string]string{
	"lagret":  "outreach.notice_saved",
	"slettet": "outreach.notice_deleted",
}

// OutreachLink reports whether the signed-in user has the outreach log,
// for a link in the back office's menu.
func (v staffView) OutreachLink() bool { return staffEditsListings(v.Me) }

// outreachRow is an entry as the list shows it.
type outreachRow struct {
	store.OutreachEntry
	Date    Phrase
	KindW   Phrase
	OrgName string
}

// outreachKindTotal is a kind's total in a month.
type outreachKindTotal struct {
	Kind      Phrase
	Entries   int
	Reached   int
	Brochures bool // Reached counts brochures
}

// outreachMonth is a month's totals.
type outreachMonth struct {
	Month string
	Label Phrase
	Kinds []outreachKindTotal
}

type outreachLogView struct {
	*officeView
	ShowOrg bool // entries of more than one organisation: each names its own
	Entries []outreachRow
	Total   int
	Months  []outreachMonth
	NewOrg  string // the organisation a new entry is for
}

// outreachOslo is the zone of the log's dates.
func outreachOslo() *time.Location {
	loc, err := time.LoadLocation(domain.DefaultTimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// outreachDate is a date of the log in words: "12. februar 2026".
func outreachDate(v *officeView, day string) Phrase {
	t, err := time.ParseInLocation(time.DateOnly, day, outreachOslo())
	if err != nil {
		return Phrase{Text: day}
	}
	w := newWords(v.cat, v.Lang, "date.medium")
	return Phrase{w.dateMedium(t), w.lang}
}

// subtree is the organisation id and every organisation under it.
func (sc *officeScope) subtree(id string) []string {
	out := []string{id}
	for i := 0; i < len(out); i++ {
		out = append(out, sc.kids[out[i]]...)
	}
	return out
}

// outreachLogPage is GET /kontor/informasjonsarbeid: the entries of the
// organisation chosen (and those under it) or of every one the user keeps
// the log of, in the period chosen (by default the last twelve months),
// of one kind or all, with the totals per month and kind.
func (s *site) outreachLogPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
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
	q := r.URL.Query()
	org := q.Get("organisasjon")
	if org != "" && !sc.target(org) {
		s.notFound(w, r, lang)
		return
	}
	v := &outreachLogView{officeView: s.newOfficeView(r, lang, "/kontor/informasjonsarbeid", me, "outreach", "outreach.log_title")}
	if n, ok := outreachNotices[q.Get("melding")]; ok {
		v.Notice = n
	}
	v.query = url.Values{}
	for _, k := range []string{"organisasjon", "fra", "til", "type"} {
		if x := q.Get(k); x != "" {
			v.query.Set(k, x)
		}
	}
	refs := sc.ordered(auth.EditListing)
	orgOpts := []officeOption{{Value: "", Text: v.S("outreach.all_orgs")}}
	orgOpts = append(orgOpts, officeOrgOptions(refs)...)
	v.opts("organisasjon", orgOpts)
	kindOpts := []officeOption{{Value: "", Text: v.S("outreach.all_kinds")}}
	kindOpts = append(kindOpts, officeEnum(v.officeView, "outreach.kind.", store.OutreachKinds)...)
	v.opts("type", kindOpts)
	now := s.now().In(outreachOslo())
	v.set("fra", time.Date(now.Year(), now.Month()-11, 1, 0, 0, 0, 0, now.Location()).Format(time.DateOnly))
	for _, k := range []string{"organisasjon", "fra", "til", "type"} {
		if _, ok := q[k]; ok {
			v.keep(q, k)
		}
	}
	date := func(name string) time.Time {
		x := strings.TrimSpace(v.Val(name))
		if x == "" {
			return time.Time{}
		}
		t, err := time.ParseInLocation(time.DateOnly, x, outreachOslo())
		if err != nil {
			v.fail(name, "outreach.err_date")
		}
		return t
	}
	from, to := date("fra"), date("til")
	if !to.IsZero() {
		to = to.AddDate(0, 0, 1) // the form's "to" is the last day shown
	}
	if !from.IsZero() && !to.IsZero() && !to.After(from) && v.Err("til") == nil {
		v.fail("til", "outreach.err_period")
	}
	kind := v.Val("type")
	if kind != "" && !slices.Contains(store.OutreachKinds, kind) {
		v.fail("type", "outreach.err_kind")
	}
	var orgIDs []string
	if org != "" {
		orgIDs = sc.subtree(org)
		v.NewOrg = org
	} else {
		orgIDs = sc.orgIDs(auth.EditListing)
		if len(refs) > 0 {
			v.NewOrg = refs[0].Org.ID
		}
	}
	v.ShowOrg = orgIDs == nil || len(orgIDs) > 1
	if len(v.Errors) > 0 {
		s.render(w, r, http.StatusBadRequest, "outreach_log", v)
		return
	}
	entries, total, err := s.store.OutreachEntries(ctx, store.OutreachFilter{OrgIDs: orgIDs, From: from, To: to, Kind: kind})
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	v.Total = total
	for _, e := range entries {
		v.Entries = append(v.Entries, outreachRow{OutreachEntry: e, Date: outreachDate(v.officeView, e.Day),
			KindW: v.L("outreach.kind." + e.Kind), OrgName: sc.byID[e.OrgID].Name})
	}
	totals, err := s.store.OutreachTotals(ctx, orgIDs, from, to)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	for i := len(totals) - 1; i >= 0; i-- { // newest month first
		t := totals[i]
		if kind != "" && t.Kind != kind {
			continue
		}
		if len(v.Months) == 0 || v.Months[len(v.Months)-1].Month != t.Month {
			v.Months = append(v.Months, outreachMonth{Month: t.Month, Label: groupselfMonth(v.officeView, t.Month)})
		}
		m := &v.Months[len(v.Months)-1]
		m.Kinds = append(m.Kinds, outreachKindTotal{Kind: v.L("outreach.kind." + t.Kind), Entries: t.Entries,
			Reached: t.Reached, Brochures: t.Kind == store.OutreachBrochures})
	}
	for i := range v.Months { // kinds in their own order within a month
		k := v.Months[i].Kinds
		slices.Reverse(k)
	}
	s.render(w, r, http.StatusOK, "outreach_log", v)
}
