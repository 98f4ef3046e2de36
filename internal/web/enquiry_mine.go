package web

import (
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/finder"
	"github.com/fellesrom/fellesrom/internal/store"
)

// The person's own page, reached by the private link in their mail or text
// message, with no account: confirm, see everything stored, correct it,
// download it, pause and resume, answer "still interested?", and withdraw
// and delete at once. Every change is made with the actor "person".

// enquiryNotices are the confirmations on the person's page, by ?melding=.
var enquiryNotices = map[string]string{
	"bekreftet": "enquiry.notice_confirmed",
	"lagret":    "enquiry.notice_saved",
	"pause":     "enquiry.notice_paused",
	"fortsett":  "enquiry.notice_resumed",
	"fortsatt":  "enquiry.notice_still",
}

// enquiryHistoryReasons are the reasons of a status change the page names.
var enquiryHistoryReasons = []string{"confirmed", "still_interested", "declined", "no_group"}

// enquiryOpen opens the enquiry of the request's token, or answers with the
// one page for a link that does not work (404, whatever the reason: a
// malformed or unknown token, a deleted enquiry, an unconfirmed one past
// its deletion date), or with 429 past the network's limit.
func (s *site) enquiryOpen(w http.ResponseWriter, r *http.Request, lang string) (store.Enquiry, string, bool) {
	token := r.PathValue("token")
	retry, limited, err := s.enquiryHit(r, "enquiry:token:"+store.SourceOf(r.RemoteAddr), "token", enquiryLimit.PerToken, enquiryLimit.Window)
	if err != nil {
		s.serverError(w, r, lang, err)
		return store.Enquiry{}, "", false
	}
	if limited {
		v := s.newOfficeView(r, lang, "/min-henvendelse/"+token, nil, "", "enquiry.limited_title")
		status, minutes := enquiryTooMany(w, retry)
		v.fail("", "enquiry.token_limited", "Minutes", minutes)
		s.render(w, r, status, "enquiry_invalid", v)
		return store.Enquiry{}, "", false
	}
	if !auth.WellFormed(token) {
		s.enquiryInvalid(w, r, lang, token)
		return store.Enquiry{}, "", false
	}
	e, err := s.store.EnquiryByToken(r.Context(), auth.HashToken(token))
	if err == nil && e.Status == store.EnquiryUnconfirmed && !e.DeleteAfter.IsZero() && s.now().After(e.DeleteAfter) {
		// Past its time: the consent text promised it would be gone, and
		// the retention job will delete it.
		err = store.ErrNotFound
	}
	if errors.Is(err, store.ErrNotFound) {
		s.enquiryInvalid(w, r, lang, token)
		return e, "", false
	}
	if err != nil {
		s.serverError(w, r, lang, err)
		return e, "", false
	}
	return e, token, true
}

// enquiryInvalid is the page of a link that does not work: 404, with no
// hint whether it ever did.
func (s *site) enquiryInvalid(w http.ResponseWriter, r *http.Request, lang, token string) {
	v := s.newOfficeView(r, lang, "/min-henvendelse/"+token, nil, "", "enquiry.invalid_title")
	s.render(w, r, http.StatusNotFound, "enquiry_invalid", v)
}

// enquiryUnknownPage answers a path under a token that is no page.
func (s *site) enquiryUnknownPage(w http.ResponseWriter, r *http.Request, lang string) {
	s.notFound(w, r, lang)
}

// enquiryDone redirects to the person's page with a notice.
func (s *site) enquiryDone(w http.ResponseWriter, r *http.Request, lang, token, notice string) {
	p := prefix(lang) + "/min-henvendelse/" + token
	if notice != "" {
		p += "?melding=" + notice
	}
	s.seeOther(w, r, p)
}

// enquiryHistoryRow is a status change as the person reads it.
type enquiryHistoryRow struct {
	When   Phrase
	Status Phrase
	By     Phrase
	Reason Phrase
}

// enquiryMineView is the person's page: everything stored about them.
type enquiryMineView struct {
	*officeView
	E            store.Enquiry
	token        string
	House        domain.Organisation
	Municipality string
	Themes       []Phrase
	Formats      []Phrase
	Slots        []string
	Languages    []Phrase
	History      []enquiryHistoryRow
	Ret          enquiryRetentionView
	AnswerBy     time.Time // the date to answer "still interested?" by
}

// Link is a page of the person's link: "" for the page itself, or
// "/endre", "/slett", …
func (v *enquiryMineView) Link(suffix string) string {
	return v.Href("/min-henvendelse/" + v.token + suffix)
}

func (v *enquiryMineView) Unconfirmed() bool { return v.E.Status == store.EnquiryUnconfirmed }
func (v *enquiryMineView) CanPause() bool    { return store.CanMove(v.E.Status, store.EnquiryPaused) }
func (v *enquiryMineView) CanResume() bool {
	return v.E.Status == store.EnquiryPaused && store.CanMove(v.E.Status, store.EnquiryWaiting)
}
func (v *enquiryMineView) Asked() bool { return !v.E.AskedAt.IsZero() }

// Lines renders a text the person or the house wrote, its line breaks kept.
func (v *enquiryMineView) Lines(s string) template.HTML {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	for i, l := range lines {
		lines[i] = template.HTMLEscapeString(l)
	}
	return template.HTML(strings.Join(lines, "<br>"))
}

// StatusText is the enquiry's status in plain words, and what it means.
func (v *enquiryMineView) StatusText() Phrase {
	return v.L(enquiryID("enquiry.status_", string(v.E.Status)))
}
func (v *enquiryMineView) StatusMeans() Phrase {
	return v.L(enquiryID("enquiry.status_", string(v.E.Status)+"_p"))
}

// Travel is how far the person can travel, in words.
func (v *enquiryMineView) Travel() string {
	if v.E.TravelKm == 0 {
		return v.S("enquiry.travel_own")
	}
	return v.S("enquiry.travel_km", "Km", v.E.TravelKm)
}

// Channel says how the enquiry came.
func (v *enquiryMineView) Channel() Phrase {
	if v.E.Channel == "referral" {
		return v.L(enquiryID("enquiry.channel_referral_", v.E.ReferralKind))
	}
	return v.L(enquiryID("enquiry.channel_", v.E.Channel))
}

func (s *site) newEnquiryMineView(r *http.Request, lang, token string, e store.Enquiry, cat *finder.Catalog) (*enquiryMineView, error) {
	v := &enquiryMineView{officeView: s.newOfficeView(r, lang, "/min-henvendelse/"+token, nil, "", "enquiry.mine_title"),
		E: e, token: token, Ret: enquiryRetentionWords(enquiryRetention)}
	v.Notice = enquiryNotices[r.URL.Query().Get("melding")]
	if !e.AskedAt.IsZero() {
		v.AnswerBy = e.DeleteAfter // the retention job's end of the time to answer
		if v.AnswerBy.IsZero() {
			v.AnswerBy = e.AskedAt.Add(enquiryRetention.AnswerWithin)
		}
	}
	house, err := s.store.Organisation(r.Context(), e.OrgID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	v.House = house
	v.Municipality = cat.MunicipalityBy[e.Municipality].DisplayName()
	for _, id := range e.Themes {
		if t, ok := cat.ThemeByID[id]; ok {
			v.Themes = append(v.Themes, Phrase{t.Name.In(lang), t.Name.LangOf(lang)})
		}
	}
	for _, f := range e.Formats {
		v.Formats = append(v.Formats, v.L(enquiryID("enquiry.format_", f)))
	}
	for _, sl := range e.Slots {
		d, p, _ := strings.Cut(sl, "-")
		day := v.S("weekday." + strconv.Itoa((slices.Index(store.SlotDays, d)+1)%7))
		v.Slots = append(v.Slots, ucfirst(day)+" "+strings.ToLower(v.S(enquiryID("enquiry.slot_", p))))
	}
	for _, l := range e.Languages {
		ph := v.LangName(l)
		v.Languages = append(v.Languages, Phrase{ucfirst(ph.Text), ph.Lang})
	}
	hist, err := s.store.EnquiryHistory(r.Context(), e.ID)
	if err != nil {
		return nil, err
	}
	for i := len(hist) - 1; i >= 0; i-- { // newest first
		h := hist[i]
		row := enquiryHistoryRow{When: v.When(h.At), Status: v.L(enquiryID("enquiry.status_", string(h.Status))),
			By: v.L(enquiryID("enquiry.by_", enquiryActorKind(h.ActorID)))}
		if slices.Contains(enquiryHistoryReasons, h.Reason) {
			row.Reason = v.L(enquiryID("enquiry.reason_", h.Reason))
		}
		v.History = append(v.History, row)
	}
	return v, nil
}

// enquiryActorKind is who made a change, as the person is told: they
// themselves, the house (a staff user), or the system.
func enquiryActorKind(actor string) string {
	switch actor {
	case "person":
		return "person"
	case "system", "":
		return "system"
	}
	return "house"
}

// enquiryMinePage is GET /min-henvendelse/{token}.
func (s *site) enquiryMinePage(w http.ResponseWriter, r *http.Request, lang string) {
	e, token, ok := s.enquiryOpen(w, r, lang)
	if !ok {
		return
	}
	cat, err := s.enquiryCatalog(r.Context())
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	v, err := s.newEnquiryMineView(r, lang, token, e, cat)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	s.render(w, r, http.StatusOK, "enquiry_mine", v)
}

// enquiryConfirmPost is POST /min-henvendelse/{token}/bekreft.
func (s *site) enquiryConfirmPost(w http.ResponseWriter, r *http.Request, lang string) {
	e, token, ok := s.enquiryOpen(w, r, lang)
	if !ok {
		return
	}
	notice := ""
	if e.Status == store.EnquiryUnconfirmed {
		err := s.store.ConfirmEnquiry(enquiryPersonCtx(r), e.ID, s.now())
		if err != nil && !errors.Is(err, store.ErrNotFound) { // not found: confirmed a moment ago
			s.serverError(w, r, lang, err)
			return
		}
		notice = "bekreftet"
	}
	s.enquiryDone(w, r, lang, token, notice)
}

// enquiryStatusPost is POST /min-henvendelse/{token}/pause (to paused) and
// …/fortsett (from paused to waiting). A move the enquiry cannot make
// changes nothing.
func (s *site) enquiryStatusPost(to store.EnquiryStatus, notice string) pageHandler {
	return func(w http.ResponseWriter, r *http.Request, lang string) {
		e, token, ok := s.enquiryOpen(w, r, lang)
		if !ok {
			return
		}
		if !store.CanMove(e.Status, to) || to == store.EnquiryWaiting && e.Status != store.EnquiryPaused {
			s.enquiryDone(w, r, lang, token, "")
			return
		}
		done := notice
		err := s.store.SetEnquiryStatus(enquiryPersonCtx(r), e.ID, store.StatusChange{To: to}, s.now(), enquiryRetention)
		if errors.Is(err, store.ErrEnquiryStatus) {
			done = "" // it moved a moment ago
		} else if err != nil {
			s.serverError(w, r, lang, err)
			return
		}
		s.enquiryDone(w, r, lang, token, done)
	}
}

// enquiryStillPost is POST /min-henvendelse/{token}/fortsatt-interessert.
func (s *site) enquiryStillPost(w http.ResponseWriter, r *http.Request, lang string) {
	e, token, ok := s.enquiryOpen(w, r, lang)
	if !ok {
		return
	}
	notice := "fortsatt"
	err := s.store.StillInterested(enquiryPersonCtx(r), e.ID, s.now())
	if errors.Is(err, store.ErrNotAsked) {
		notice = ""
	} else if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	s.enquiryDone(w, r, lang, token, notice)
}

// enquiryEditPage is GET /min-henvendelse/{token}/endre: the form, with
// what is stored.
func (s *site) enquiryEditPage(w http.ResponseWriter, r *http.Request, lang string) {
	e, token, ok := s.enquiryOpen(w, r, lang)
	if !ok {
		return
	}
	cat, err := s.enquiryCatalog(r.Context())
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	v := s.newEnquiryEdit(r, lang, token)
	enquiryFill(v.officeView, e, cat)
	enquiryOptions(v, cat, e.Themes)
	s.render(w, r, http.StatusOK, "enquiry_edit", v)
}

func (s *site) newEnquiryEdit(r *http.Request, lang, token string) *enquiryFormView {
	v := s.newEnquiryForm(r, lang, "/min-henvendelse/"+token+"/endre", enquiryEdit, "enquiry.edit_title", nil)
	v.Back = v.Href("/min-henvendelse/" + token)
	return v
}

// enquiryEditPost is POST /min-henvendelse/{token}/endre: the person's
// correction. An enquiry whose municipality another house serves moves to
// that house.
func (s *site) enquiryEditPost(w http.ResponseWriter, r *http.Request, lang string) {
	if !s.officeParse(w, r, lang) {
		return
	}
	e, token, ok := s.enquiryOpen(w, r, lang)
	if !ok {
		return
	}
	ctx := enquiryPersonCtx(r)
	cat, err := s.enquiryCatalog(ctx)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	v := s.newEnquiryEdit(r, lang, token)
	v.keep(r.PostForm, enquiryFields...)
	oldThemes := e.Themes
	enquiryRead(v, cat, &e)
	if len(v.Errors) > 0 {
		enquiryOptions(v, cat, oldThemes)
		s.render(w, r, http.StatusBadRequest, "enquiry_edit", v)
		return
	}
	e.Lang = lang
	if err := s.store.UpdateEnquiry(ctx, &e); err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	house, err := s.store.ServingOrganisation(ctx, e.Municipality)
	if err == nil && house.ID != e.OrgID {
		err = s.store.MoveEnquiry(ctx, e.ID, house.ID)
	}
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	s.enquiryDone(w, r, lang, token, "lagret")
}

// enquiryDeletePage is GET /min-henvendelse/{token}/slett: are you sure?
func (s *site) enquiryDeletePage(w http.ResponseWriter, r *http.Request, lang string) {
	_, token, ok := s.enquiryOpen(w, r, lang)
	if !ok {
		return
	}
	v := &enquiryMineView{officeView: s.newOfficeView(r, lang, "/min-henvendelse/"+token+"/slett", nil, "", "enquiry.delete_title"),
		token: token}
	s.render(w, r, http.StatusOK, "enquiry_delete", v)
}

// enquiryDeletePost is POST /min-henvendelse/{token}/slett: the enquiry and
// everything in it are deleted now; an anonymous statistics row stays.
func (s *site) enquiryDeletePost(w http.ResponseWriter, r *http.Request, lang string) {
	e, _, ok := s.enquiryOpen(w, r, lang)
	if !ok {
		return
	}
	err := s.store.DeleteEnquiry(enquiryPersonCtx(r), e.ID, store.OutcomeWithdrawn)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.serverError(w, r, lang, err)
		return
	}
	s.seeOther(w, r, prefix(lang)+"/henvendelse/slettet")
}

// enquiryExport is everything stored about the person, as they download
// it. Every field of store.Enquiry is here (a test makes sure); a staff
// user's ID is not, only whether one was involved.
type enquiryExport struct {
	Enquiry    enquiryExportData    `json:"enquiry"`
	History    []enquiryExportEvent `json:"history"`
	ExportedAt time.Time            `json:"exported_at"`
}

type enquiryExportData struct {
	ID                     string               `json:"id"`
	Status                 string               `json:"status"`
	Channel                string               `json:"channel"`
	ReferralKind           string               `json:"referral_kind"`
	ReferredByPartner      bool                 `json:"referred_by_partner"`
	Name                   string               `json:"name"`
	ContactKind            string               `json:"contact_kind"`
	Contact                string               `json:"contact"`
	OwnWords               string               `json:"own_words"`
	IntakeNote             string               `json:"intake_note"`
	Municipality           enquiryExportNamed   `json:"municipality"`
	TravelKm               int                  `json:"travel_km"`
	NotOwnMunicipality     bool                 `json:"not_own_municipality"`
	Formats                []string             `json:"formats"`
	Slots                  []string             `json:"slots"`
	Languages              []string             `json:"languages"`
	Themes                 []enquiryExportNamed `json:"themes"`
	Adult                  bool                 `json:"adult"`
	ConsentVersion         string               `json:"consent_version"`
	ConsentRecordedByStaff bool                 `json:"consent_recorded_by_staff"`
	Lang                   string               `json:"lang"`
	House                  enquiryExportNamed   `json:"house"`
	GroupID                string               `json:"group_id"`
	CreatedAt              *time.Time           `json:"created_at"`
	ConfirmedAt            *time.Time           `json:"confirmed_at"`
	StatusChangedAt        *time.Time           `json:"status_changed_at"`
	WaitingSince           *time.Time           `json:"waiting_since"`
	AskedAt                *time.Time           `json:"asked_at"`
	DeleteAfter            *time.Time           `json:"delete_after"`
}

type enquiryExportNamed struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type enquiryExportEvent struct {
	At     time.Time `json:"at"`
	Status string    `json:"status"`
	By     string    `json:"by"` // person, house, system
	Reason string    `json:"reason"`
}

func enquiryTimePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// enquiryDataJSON is GET /min-henvendelse/{token}/data.json.
func (s *site) enquiryDataJSON(w http.ResponseWriter, r *http.Request, lang string) {
	e, _, ok := s.enquiryOpen(w, r, lang)
	if !ok {
		return
	}
	ctx := r.Context()
	cat, err := s.enquiryCatalog(ctx)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	hist, err := s.store.EnquiryHistory(ctx, e.ID)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	house, err := s.store.Organisation(ctx, e.OrgID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.serverError(w, r, lang, err)
		return
	}
	d := enquiryExportData{ID: e.ID, Status: string(e.Status), Channel: e.Channel, ReferralKind: e.ReferralKind,
		ReferredByPartner: e.ReferredBy != "", Name: e.Name, ContactKind: e.ContactKind, Contact: e.Contact,
		OwnWords: e.OwnWords, IntakeNote: e.IntakeNote,
		Municipality: enquiryExportNamed{e.Municipality, cat.MunicipalityBy[e.Municipality].Name},
		TravelKm:     e.TravelKm, NotOwnMunicipality: e.NotOwnMunicipality,
		Formats: nonNil(e.Formats), Slots: nonNil(e.Slots), Languages: nonNil(e.Languages), Themes: []enquiryExportNamed{},
		Adult: e.Adult, ConsentVersion: e.ConsentVersion, ConsentRecordedByStaff: e.ConsentRecordedBy != "", Lang: e.Lang,
		House: enquiryExportNamed{house.ID, house.Name}, GroupID: e.GroupID,
		CreatedAt: enquiryTimePtr(e.CreatedAt), ConfirmedAt: enquiryTimePtr(e.ConfirmedAt),
		StatusChangedAt: enquiryTimePtr(e.StatusChangedAt), WaitingSince: enquiryTimePtr(e.WaitingSince),
		AskedAt: enquiryTimePtr(e.AskedAt), DeleteAfter: enquiryTimePtr(e.DeleteAfter)}
	for _, id := range e.Themes {
		t := cat.ThemeByID[id]
		d.Themes = append(d.Themes, enquiryExportNamed{t.Slug, t.Name.In(lang)})
	}
	out := enquiryExport{Enquiry: d, History: []enquiryExportEvent{}, ExportedAt: s.now().UTC().Truncate(time.Second)}
	for _, h := range hist {
		out.History = append(out.History, enquiryExportEvent{At: h.At, Status: string(h.Status),
			By: enquiryActorKind(h.ActorID), Reason: h.Reason})
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="henvendelse.json"`)
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(append(b, '\n'))
	}
}

func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}
