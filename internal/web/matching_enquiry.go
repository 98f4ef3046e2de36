package web

// One enquiry: /kontor/henvendelser/{id}, with its status changes, the
// intake note and its history; and passing it on to an organisation.

import (
	"context"
	"errors"
	"net/http"
	"slices"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/finder"
	"github.com/fellesrom/fellesrom/internal/i18n"
	"github.com/fellesrom/fellesrom/internal/mail"
	"github.com/fellesrom/fellesrom/internal/store"
)

// matchingManualMoves are the status changes made by hand on the page;
// invited and placed come from forming and starting a group.
var matchingManualMoves = []store.EnquiryStatus{store.EnquiryIntake, store.EnquiryWaiting, store.EnquiryPaused,
	store.EnquiryClosed}

// matchingCloseReasons are the reason codes of closing an enquiry.
var matchingCloseReasons = []string{store.OutcomeNoGroup, "other"}

// matchingHistoryRow is an entry of an enquiry's history.
type matchingHistoryRow struct {
	store.EnquiryHistoryEntry
	Who    string
	Reason string // in words, or ""
}

// matchingWay is another way into a group than the pool: an open meeting
// ("just come") or an organisation's peer group (passed on with consent).
type matchingWay struct {
	Listing finder.Listing
	Name    string
	PassOn  bool // an organisation's peer group whose organisation has an e-mail address
}

type matchingEnquiryView struct {
	matchingView
	E            store.Enquiry
	OrgName      string
	Municipality string
	Themes       string
	Formats      string
	Slots        []string
	Languages    []string
	RecordedBy   string
	History      []matchingHistoryRow
	Moves        []store.EnquiryStatus
	CanClose     bool
	GroupName    string
	Ways         []matchingWay
}

// Open reports whether the enquiry can still be changed by hand.
func (v *matchingEnquiryView) Open() bool { return len(v.Moves) > 0 || v.CanClose }

func (s *site) newMatchingEnquiryView(r *http.Request, lang string, me *auth.Current, e store.Enquiry) *matchingEnquiryView {
	v := &matchingEnquiryView{matchingView: s.newMatchingView(r, lang, "/kontor/henvendelser/"+e.ID, me, "enquiries",
		"matching.enquiry_title", "Name", e.Name), E: e}
	v.set("intake_note", e.IntakeNote)
	return v
}

func (s *site) matchingEnquiryRender(w http.ResponseWriter, r *http.Request, lang string, status int, v *matchingEnquiryView, sc *matchingScope) {
	ctx := r.Context()
	e := v.E
	ref, err := s.matchingRefData(ctx)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	v.OrgName = sc.byID[e.OrgID].Name
	v.Municipality = ref.muni(e.Municipality)
	v.Themes = v.themeNames(ref, e.Themes)
	v.Formats = v.formatWords(e.Formats)
	for _, sl := range e.Slots {
		v.Slots = append(v.Slots, v.SlotWords(sl))
	}
	for _, l := range e.Languages {
		v.Languages = append(v.Languages, v.LangName(l).Text)
	}
	hist, err := s.store.EnquiryHistory(ctx, e.ID)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	ids := []string{e.ConsentRecordedBy}
	for _, h := range hist {
		ids = append(ids, h.ActorID)
	}
	names := s.matchingUserNames(ctx, ids)
	v.RecordedBy = names[e.ConsentRecordedBy]
	for _, h := range hist {
		row := matchingHistoryRow{EnquiryHistoryEntry: h, Who: names[h.ActorID]}
		switch {
		case row.Who != "":
		case h.ActorID == "person":
			row.Who = v.S("matching.actor_person")
		default:
			row.Who = v.S("matching.actor_system")
		}
		if h.Reason != "" {
			if id := "matching.reason_" + h.Reason; v.cat.Has(i18n.Default, id) {
				row.Reason = v.S(id)
			} else {
				row.Reason = h.Reason
			}
		}
		v.History = append(v.History, row)
	}
	for _, to := range matchingManualMoves {
		if store.CanMove(e.Status, to) {
			if to == store.EnquiryClosed {
				v.CanClose = true
			} else {
				v.Moves = append(v.Moves, to)
			}
		}
	}
	v.opts("reason", officeEnum(v.officeView, "matching.reason_", matchingCloseReasons))
	if e.GroupID != "" {
		if g, err := s.store.Group(ctx, e.GroupID); err == nil {
			v.GroupName = g.Name.In(lang)
		}
	}
	if v.Open() {
		ways, err := s.matchingWays(ctx, ref, e, lang)
		if err != nil {
			s.serverError(w, r, lang, err)
			return
		}
		v.Ways = ways
		var orgs []officeOption
		for _, w := range ways {
			if w.PassOn && !slices.ContainsFunc(orgs, func(o officeOption) bool { return o.Value == w.Listing.Organisation.ID }) {
				orgs = append(orgs, officeOption{Value: w.Listing.Organisation.ID, Text: w.Listing.Organisation.Name})
			}
		}
		v.opts("pass_org", orgs)
	}
	s.render(w, r, status, "matching_enquiry", v)
}

// matchingWays finds the groups of open models and the peer groups of
// organisations on the person's themes, in their county or by phone or
// video (at most 10): the person can "just come" to the first, and be
// passed on, with consent, to the organisation of the second.
func (s *site) matchingWays(ctx context.Context, ref *matchingRef, e store.Enquiry, lang string) ([]matchingWay, error) {
	if s.finder == nil || len(e.Themes) == 0 {
		return nil, nil
	}
	var slugs []string
	for _, id := range e.Themes {
		if t, ok := ref.themes[id]; ok {
			slugs = append(slugs, t.Slug)
		}
	}
	var out []matchingWay
	seen := map[string]bool{}
	queries := []finder.Query{}
	if slices.Contains(e.Formats, "in_person") {
		queries = append(queries, finder.Query{Themes: slugs, Counties: []string{ref.munis[e.Municipality].CountyID},
			Formats: []domain.Format{domain.FormatInPerson, domain.FormatHybrid}, PerPage: 20, Page: 1})
	}
	var remote []domain.Format
	if slices.Contains(e.Formats, "phone") {
		remote = append(remote, domain.FormatTelephone)
	}
	if slices.Contains(e.Formats, "video") {
		remote = append(remote, domain.FormatVideo, domain.FormatHybrid)
	}
	if len(remote) > 0 {
		queries = append(queries, finder.Query{Themes: slugs, Formats: remote, PerPage: 20, Page: 1})
	}
	for _, q := range queries {
		res, err := s.finder.Search(ctx, q)
		if err != nil {
			return nil, err
		}
		ls, err := s.finder.Listings(ctx, res.Hits)
		if err != nil {
			return nil, err
		}
		for _, l := range ls {
			g := l.Group
			if seen[g.ID] || !g.OpenToNewcomers() || len(out) >= 10 {
				continue
			}
			switch g.Join {
			case domain.JoinJustCome:
			case domain.JoinContactOrg:
			default:
				continue
			}
			seen[g.ID] = true
			out = append(out, matchingWay{Listing: l, Name: g.Name.In(lang),
				PassOn: g.Join == domain.JoinContactOrg && l.Organisation.Email != ""})
		}
	}
	return out, nil
}

// matchingEnquiryPage is GET /kontor/henvendelser/{id}: one enquiry (an
// audited read).
func (s *site) matchingEnquiryPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	sc, e, ok := s.matchingEnquiryLoad(w, r, lang, me)
	if !ok {
		return
	}
	s.matchingEnquiryRender(w, r, lang, http.StatusOK, s.newMatchingEnquiryView(r, lang, me, e), sc)
}

// matchingNotePost is POST /kontor/henvendelser/{id}: the intake note.
func (s *site) matchingNotePost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	sc, e, ok := s.matchingEnquiryLoad(w, r, lang, me)
	if !ok || !s.officeParse(w, r, lang) {
		return
	}
	v := s.newMatchingEnquiryView(r, lang, me, e)
	v.keep(r.PostForm, "intake_note")
	note := v.text("intake_note", store.MaxIntakeNote)
	if len(v.Errors) > 0 {
		s.matchingEnquiryRender(w, r, lang, http.StatusBadRequest, v, sc)
		return
	}
	e.IntakeNote = note
	if err := s.store.UpdateEnquiry(officeCtx(r, me), &e); err != nil {
		s.officeErr(w, r, lang, err)
		return
	}
	s.officeDone(w, r, lang, "/kontor/henvendelser/"+e.ID, "lagret")
}

// matchingStatusPost is POST /kontor/henvendelser/{id}/status: a status
// change by hand; closing takes a reason code.
func (s *site) matchingStatusPost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	sc, e, ok := s.matchingEnquiryLoad(w, r, lang, me)
	if !ok || !s.officeParse(w, r, lang) {
		return
	}
	v := s.newMatchingEnquiryView(r, lang, me, e)
	v.keep(r.PostForm, "to", "reason")
	to := store.EnquiryStatus(v.Val("to"))
	reason := ""
	switch {
	case !slices.Contains(matchingManualMoves, to) || !store.CanMove(e.Status, to):
		v.fail("", "matching.err_move")
	case to == store.EnquiryClosed:
		reason = v.Val("reason")
		if !slices.Contains(matchingCloseReasons, reason) {
			v.fail("reason", "matching.err_close_reason")
		}
	}
	if len(v.Errors) > 0 {
		s.matchingEnquiryRender(w, r, lang, http.StatusBadRequest, v, sc)
		return
	}
	err := s.store.SetEnquiryStatus(officeCtx(r, me), e.ID, store.StatusChange{To: to, Reason: reason}, s.now(), matchingRetention)
	if errors.Is(err, store.ErrEnquiryStatus) {
		v.fail("", "matching.err_move")
		s.matchingEnquiryRender(w, r, lang, http.StatusConflict, v, sc)
		return
	}
	if err != nil {
		s.officeErr(w, r, lang, err)
		return
	}
	s.officeDone(w, r, lang, "/kontor/henvendelser/"+e.ID, "status")
}

// matchingPassOnPost is POST /kontor/henvendelser/{id}/videreformidle:
// the person agreed that their first name and contact go to the contact of
// an organisation with a peer group on their theme; the organisation gets
// a mail, and the enquiry is closed (reason passed_on).
func (s *site) matchingPassOnPost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	sc, e, ok := s.matchingEnquiryLoad(w, r, lang, me)
	if !ok || !s.officeParse(w, r, lang) {
		return
	}
	ctx := r.Context()
	v := s.newMatchingEnquiryView(r, lang, me, e)
	v.keep(r.PostForm, "pass_org", "pass_consent")
	ref, err := s.matchingRefData(ctx)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	ways, err := s.matchingWays(ctx, ref, e, lang)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	var to domain.Organisation
	for _, w := range ways {
		if w.PassOn && w.Listing.Organisation.ID == v.Val("pass_org") {
			to = w.Listing.Organisation
		}
	}
	if to.ID == "" {
		v.fail("pass_org", "office.err_choose")
	}
	if !v.checked("pass_consent") {
		v.fail("pass_consent", "matching.err_pass_consent")
	}
	if len(v.Errors) > 0 || !store.CanMove(e.Status, store.EnquiryClosed) {
		if len(v.Errors) == 0 {
			v.fail("", "matching.err_move")
		}
		s.matchingEnquiryRender(w, r, lang, http.StatusBadRequest, v, sc)
		return
	}
	mlang := "nb"
	subject, body, err := mail.Compose(s.cat, mlang, "enquiry_pass_on", map[string]any{"Org": to.Name,
		"House": sc.byID[e.OrgID].Name, "Name": e.Name, "Contact": e.Contact, "Themes": v.themeNames(ref, e.Themes)})
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	m := store.OutboxMail{To: to.Email, Subject: subject, Body: body, Lang: mlang, Kind: "enquiry_pass_on"}
	if err := s.store.PassOnEnquiry(officeCtx(r, me), e.ID, to.ID, m, s.now(), matchingRetention); err != nil {
		s.officeErr(w, r, lang, err)
		return
	}
	s.officeDone(w, r, lang, "/kontor/henvendelser/"+e.ID, "videreformid")
}
