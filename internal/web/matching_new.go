package web

// An enquiry entered by staff, from a phone call or a visit:
// /kontor/henvendelser/ny; and the look-up "has this phone or e-mail
// enquired before?" (/kontor/henvendelser/oppslag, posted: a contact never
// goes into a URL).

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/mail"
	"github.com/fellesrom/fellesrom/internal/matching"
	"github.com/fellesrom/fellesrom/internal/store"
)

var matchingNewFields = []string{"organisation", "channel", "name", "contact_kind", "contact", "own_words", "theme",
	"municipality", "travel_km", "not_own", "format", "slot", "language", "adult", "intake_note", "consent"}

// matchingLanguages are the languages a person can name for a group.
var matchingLanguages = []string{"nb", "nn", "en", "se", "pl", "uk", "ar", "so"}

// matchingTravel are the choices of how far a person can travel (km; 0:
// only their own municipality).
var matchingTravel = []int{0, 10, 25, 50, 100}

type matchingNewView struct {
	matchingView
	Looked  bool     // a look-up was made
	Matches []string // enquiry IDs of the look-up
	Consent string   // the consent text to read to the person
}

func (s *site) newMatchingNewView(r *http.Request, lang string, me *auth.Current, sc *matchingScope, ref *matchingRef) *matchingNewView {
	v := &matchingNewView{matchingView: s.newMatchingView(r, lang, "/kontor/henvendelser/ny", me, "enquiry_new", "matching.new_title")}
	v.opts("organisation", officeOrgOptions(sc.ordered(auth.ReadPersonalData)))
	v.opts("channel", officeEnum(v.officeView, "matching.channel_", []string{"phone", "walk_in"}))
	v.opts("contact_kind", officeEnum(v.officeView, "matching.contact_", []string{"email", "phone"}))
	v.opts("lookup_kind", officeEnum(v.officeView, "matching.contact_", []string{"email", "phone"}))
	var themes []officeOption
	for _, t := range ref.themeList {
		if t.Active {
			themes = append(themes, v.textOption(t.ID, t.Name))
		}
	}
	v.opts("theme", themes)
	v.municipalitySelect("municipality", ref.cs, ref.byCounty)
	var travel []officeOption
	for _, km := range matchingTravel {
		text := v.S("matching.travel_own")
		if km > 0 {
			text = string(v.N("matching.travel_km", km))
		}
		travel = append(travel, officeOption{Value: strconv.Itoa(km), Text: text})
	}
	v.opts("travel_km", travel)
	v.opts("format", officeEnum(v.officeView, "matching.format.", store.EnquiryFormats))
	var slots []officeOption
	for _, sl := range matching.AllSlots() {
		slots = append(slots, officeOption{Value: string(sl), Text: v.SlotWords(string(sl))})
	}
	v.opts("slot", slots)
	var langs []officeOption
	for _, l := range matchingLanguages {
		ph := v.LangName(l)
		langs = append(langs, officeOption{Value: l, Text: ucfirst(ph.Text), Lang: officeLangIf(ph.Lang, v.Lang)})
	}
	v.opts("language", langs)
	ret := matchingRetention
	v.Consent = v.S("matching.consent_text", "Waiting", int(ret.AskEvery.Hours()/24), "Placed", int(ret.Placed.Hours()/24),
		"Answer", int(ret.AnswerWithin.Hours()/24))
	return v
}

// matchingNewPage is GET /kontor/henvendelser/ny.
func (s *site) matchingNewPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	sc, ok := s.matchingScopeOf(w, r, lang, me)
	if !ok {
		return
	}
	ref, err := s.matchingRefData(r.Context())
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	v := s.newMatchingNewView(r, lang, me, sc, ref)
	if refs := sc.ordered(auth.ReadPersonalData); len(refs) > 0 {
		v.set("organisation", refs[0].Org.ID)
	}
	v.set("channel", "phone")
	v.set("contact_kind", "phone")
	v.set("lookup_kind", "phone")
	v.set("travel_km", "0")
	v.form["format"] = []string{"in_person"}
	v.form["language"] = []string{"nb"}
	s.render(w, r, http.StatusOK, "matching_new", v)
}

// matchingLookupPost is POST /kontor/henvendelser/oppslag: the enquiries of
// the user's part of the tree with this phone number or e-mail address, by
// its keyed hash (no personal data is read).
func (s *site) matchingLookupPost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	sc, ok := s.matchingScopeOf(w, r, lang, me)
	if !ok || !s.officeParse(w, r, lang) {
		return
	}
	ref, err := s.matchingRefData(r.Context())
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	v := s.newMatchingNewView(r, lang, me, sc, ref)
	v.keep(r.PostForm, "lookup_kind", "lookup_contact")
	kind := v.Val("lookup_kind")
	contact := v.line("lookup_contact", 320)
	if !slices.Contains([]string{"email", "phone"}, kind) {
		v.fail("lookup_kind", "office.err_choose")
	} else if _, ok := store.NormalizeContact(kind, contact); !ok && v.Err("lookup_contact") == nil {
		v.fail("lookup_contact", "matching.err_contact_"+kind)
	}
	v.set("channel", "phone")
	v.set("contact_kind", kind)
	v.set("contact", contact)
	v.set("travel_km", "0")
	if len(v.Errors) > 0 {
		s.render(w, r, http.StatusBadRequest, "matching_new", v)
		return
	}
	ids, err := s.store.EnquiriesByContact(r.Context(), sc.orgIDs, kind, contact)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	v.Looked, v.Matches = true, ids
	s.render(w, r, http.StatusOK, "matching_new", v)
}

// matchingNewPost is POST /kontor/henvendelser/ny: the enquiry is stored
// as new (confirmed: the person gave their consent to the staff user, who
// is recorded), and the person is sent their private link.
func (s *site) matchingNewPost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	sc, ok := s.matchingScopeOf(w, r, lang, me)
	if !ok || !s.officeParse(w, r, lang) {
		return
	}
	if !sc.may(r.PostForm.Get("organisation")) {
		s.notFound(w, r, lang)
		return
	}
	ctx := r.Context()
	ref, err := s.matchingRefData(ctx)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	v := s.newMatchingNewView(r, lang, me, sc, ref)
	v.keep(r.PostForm, matchingNewFields...)
	e := store.Enquiry{OrgID: v.Val("organisation"), ConsentVersion: EnquiryConsentVersion, ConsentRecordedBy: me.User.ID}
	e.Channel = officeChoice(v.officeView, "channel", []string{"phone", "walk_in"}, "office.err_choose")
	e.Name = v.required("name", store.MaxEnquiryName, "matching.err_name")
	e.ContactKind = officeChoice(v.officeView, "contact_kind", []string{"email", "phone"}, "office.err_choose")
	e.Contact = v.line("contact", 320)
	if e.ContactKind != "" && v.Err("contact") == nil {
		if c, ok := store.NormalizeContact(e.ContactKind, e.Contact); ok {
			e.Contact = c
		} else {
			v.fail("contact", "matching.err_contact_"+e.ContactKind)
		}
	}
	e.OwnWords = v.text("own_words", store.MaxEnquiryOwnWords)
	for _, t := range v.form["theme"] {
		if _, ok := ref.themes[t]; !ok {
			v.fail("theme", "office.err_choose")
			break
		}
		e.Themes = append(e.Themes, t)
	}
	e.Municipality = v.Val("municipality")
	if _, ok := ref.munis[e.Municipality]; !ok {
		v.fail("municipality", "office.err_municipality")
	}
	km, err := strconv.Atoi(v.Val("travel_km"))
	if err != nil || !slices.Contains(matchingTravel, km) {
		v.fail("travel_km", "office.err_choose")
	}
	e.TravelKm = km
	e.NotOwnMunicipality = v.checked("not_own")
	for _, f := range v.form["format"] {
		if !slices.Contains(store.EnquiryFormats, f) {
			v.fail("format", "office.err_choose")
			break
		}
		e.Formats = append(e.Formats, f)
	}
	if len(e.Formats) == 0 && v.Err("format") == nil {
		v.fail("format", "matching.err_format")
	}
	for _, sl := range v.form["slot"] {
		if !store.ValidSlot(sl) {
			v.fail("slot", "office.err_choose")
			break
		}
		e.Slots = append(e.Slots, sl)
	}
	for _, l := range v.form["language"] {
		if !slices.Contains(matchingLanguages, l) {
			v.fail("language", "office.err_choose")
			break
		}
		e.Languages = append(e.Languages, l)
	}
	e.Adult = v.checked("adult")
	e.IntakeNote = v.text("intake_note", store.MaxIntakeNote)
	if !v.checked("consent") {
		v.fail("consent", "matching.err_consent")
	}
	e.Lang = "nb"
	for _, l := range e.Languages {
		if slices.Contains(auth.MailLanguages, l) {
			e.Lang = l
			break
		}
	}
	if len(v.Errors) > 0 {
		s.render(w, r, http.StatusBadRequest, "matching_new", v)
		return
	}
	base, err := s.accountLinkBase(r)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	token, hash := store.NewLinkToken()
	actx := officeCtx(r, me)
	// The person's private link, to see, correct, download or delete what
	// is stored, goes out in the transaction that stores the enquiry.
	err = s.store.CreateStaffEnquiry(actx, &e, hash, s.now(), matchingRetention, func(e store.Enquiry) (store.OutboxMail, error) {
		return s.matchingPersonMessage(e, "enquiry_staff_link", map[string]any{"Name": e.Name,
			"House": sc.byID[e.OrgID].Name, "Link": base + prefix(e.Lang) + "/min-henvendelse/" + token})
	})
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	s.officeDone(w, r, lang, "/kontor/henvendelser/"+e.ID, "opprettet")
}

// matchingPersonMessage is the message of kind to the person of e: a mail
// composed from the catalogue (mail.<kind>.subject/body) to an e-mail
// contact, or a text message (matching.sms.<kind>) to a phone.
func (s *site) matchingPersonMessage(e store.Enquiry, kind string, data map[string]any) (store.OutboxMail, error) {
	if e.ContactKind == "phone" {
		text, _ := s.cat.Lookup(e.Lang, "matching.sms."+kind, data)
		return store.OutboxMail{Channel: store.ChannelSMS, To: e.Contact, Body: text, Lang: e.Lang, Kind: kind}, nil
	}
	subject, body, err := mail.Compose(s.cat, e.Lang, kind, data)
	if err != nil {
		return store.OutboxMail{}, err
	}
	return store.OutboxMail{To: e.Contact, Subject: subject, Body: body, Lang: e.Lang, Kind: kind}, nil
}
