package web

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/finder"
	"github.com/fellesrom/fellesrom/internal/i18n"
	"github.com/fellesrom/fellesrom/internal/mail"
	"github.com/fellesrom/fellesrom/internal/store"
)

// The enquiry form: the public form, the person's correction of what they
// sent, and a partner's referral share its fields (template enquiry_fields
// in enquiry_parts.html) and the way they are read.

// Modes of the form.
const (
	enquiryPublic   = "public"   // /henvendelse: with consent and the spam guard
	enquiryEdit     = "edit"     // /min-henvendelse/{token}/endre: no consent again
	enquiryReferral = "referral" // /kontor/henvisning: a partner, with the person present
)

// enquiryFields are the fields of the form, as posted.
var enquiryFields = []string{"own_words", "theme", "municipality", "travel_km", "not_own", "format", "slot", "language",
	"name", "contact_kind", "contact", "adult", "consent", "referral_kind"}

// enquiryTravel are the distances of the travel select, in km; 0 is "only
// my own municipality".
var enquiryTravel = []int{0, 10, 25, 50, 100}

// enquiryFormView is a page with the enquiry form.
type enquiryFormView struct {
	*officeView
	Mode   string
	Action string
	Stamp  string // the signed time the public form was served
	Ret    enquiryRetentionView
	Back   string // the person's own page, when correcting
	Spam   string // message id of a refused post, shown above the form
	munis  []domain.Municipality
}

// MunicipalityOptions are the options of the municipality select, the 357
// in Norwegian order (store.Municipalities), written here rather than by
// the template engine, which took a millisecond and a half for them (as
// the finder found). Every text is escaped.
func (v *enquiryFormView) MunicipalityOptions() template.HTML {
	chosen := v.Val("municipality")
	var b strings.Builder
	b.Grow(32 * (len(v.munis) + 1))
	b.WriteString(`<option value="">` + template.HTMLEscapeString(v.S("enquiry.municipality_choose")) + "</option>")
	for _, m := range v.munis {
		b.WriteString("\n<option value=\"" + template.HTMLEscapeString(m.ID) + `"`)
		if m.ID == chosen {
			b.WriteString(" selected")
		}
		b.WriteString(">" + template.HTMLEscapeString(m.DisplayName()) + "</option>")
	}
	return template.HTML(b.String())
}

// enquiryID is the message id of a value: prefix+value (the messages of
// every value are checked by TestEnquiryMessages).
func enquiryID(prefix, value string) string { return prefix + value }

func (v *enquiryFormView) Public() bool   { return v.Mode == enquiryPublic }
func (v *enquiryFormView) Referral() bool { return v.Mode == enquiryReferral }
func (v *enquiryFormView) Edit() bool     { return v.Mode == enquiryEdit }

// HasOptions reports whether the field has options to choose from.
func (v *enquiryFormView) HasOptions(name string) bool {
	for _, g := range v.options[name] {
		if len(g.Options) > 0 {
			return true
		}
	}
	return false
}

// enquirySlotCell is a box of the days and times: a part of a day.
type enquirySlotCell struct {
	ID, Value, Label string
	Checked          bool
}

// enquirySlotRow is a day, with a box for each part of it.
type enquirySlotRow struct {
	Day   Phrase
	Cells []enquirySlotCell
}

// SlotRows are the days, Monday first (a fieldset each: a table of seven
// rows does not fit a 320 px screen); the first box has the id "slot",
// which the error summary links to.
func (v *enquiryFormView) SlotRows() []enquirySlotRow {
	var out []enquirySlotRow
	for i, d := range store.SlotDays {
		day := v.L("weekday." + strconv.Itoa((i+1)%7))
		row := enquirySlotRow{Day: Phrase{ucfirst(day.Text), day.Lang}}
		for _, p := range store.SlotParts {
			value := d + "-" + p
			id := "slot-" + value
			if len(out) == 0 && len(row.Cells) == 0 {
				id = "slot"
			}
			row.Cells = append(row.Cells, enquirySlotCell{ID: id, Value: value, Checked: v.Has("slot", value),
				Label: v.S(enquiryID("enquiry.slot_", p))})
		}
		out = append(out, row)
	}
	return out
}

// newEnquiryForm is the view of the form on path.
func (s *site) newEnquiryForm(r *http.Request, lang, path, mode, titleID string, ov *officeView) *enquiryFormView {
	if ov == nil {
		ov = s.newOfficeView(r, lang, path, nil, "", titleID)
	}
	return &enquiryFormView{officeView: ov, Mode: mode, Action: ov.Href(path), Ret: enquiryRetentionWords(enquiryRetention)}
}

// enquiryOptions sets the options of the form's selects and boxes. keep are
// theme IDs to offer even if they are no longer active (a correction keeps
// the themes the person chose).
func enquiryOptions(v *enquiryFormView, cat *finder.Catalog, keep []string) {
	var themes []officeOption
	for _, t := range cat.Themes {
		themes = append(themes, v.textOption(t.Slug, t.Name))
	}
	for _, id := range keep {
		if t, ok := cat.ThemeByID[id]; ok && !t.Active {
			themes = append(themes, v.textOption(t.Slug, t.Name))
		}
	}
	v.opts("theme", themes)
	v.munis = cat.Municipalities
	var travel []officeOption
	for _, km := range enquiryTravel {
		text := v.S("enquiry.travel_km", "Km", km)
		if km == 0 {
			text = v.S("enquiry.travel_own")
		}
		travel = append(travel, officeOption{Value: strconv.Itoa(km), Text: text})
	}
	v.opts("travel_km", travel)
	v.opts("format", officeEnum(v.officeView, "enquiry.format_", store.EnquiryFormats))
	var langs []officeOption
	for _, code := range enquiryLanguages(cat) {
		ph := v.LangName(code)
		langs = append(langs, officeOption{Value: code, Text: ucfirst(ph.Text), Lang: officeLangIf(ph.Lang, v.Lang)})
	}
	domain.SortByName(langs, func(o officeOption) string { return o.Text })
	v.opts("language", langs)
	v.opts("contact_kind", officeEnum(v.officeView, "enquiry.contact_kind_", []string{"email", "phone"}))
	v.opts("referral_kind", officeEnum(v.officeView, "enquiry.referral_kind_", store.ReferralKinds))
}

// enquiryLanguages are the languages a person can ask for: those the
// finder knows groups meet in, and always Bokmål, Northern Sami and
// English, even before any group meets in them.
func enquiryLanguages(cat *finder.Catalog) []string {
	out := []string{i18n.Default, "se", "en"}
	for _, l := range cat.Languages {
		if !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}

// enquiryFill puts a stored enquiry in the form.
func enquiryFill(v *officeView, e store.Enquiry, cat *finder.Catalog) {
	v.set("own_words", e.OwnWords)
	v.form["theme"] = nil
	for _, id := range e.Themes {
		if t, ok := cat.ThemeByID[id]; ok {
			v.form["theme"] = append(v.form["theme"], t.Slug)
		}
	}
	v.set("municipality", e.Municipality)
	v.set("travel_km", strconv.Itoa(e.TravelKm))
	v.set("not_own", officeBool(e.NotOwnMunicipality))
	v.form["format"] = slices.Clone(e.Formats)
	v.form["slot"] = slices.Clone(e.Slots)
	v.form["language"] = slices.Clone(e.Languages)
	v.set("name", e.Name)
	v.set("contact_kind", e.ContactKind)
	v.set("contact", e.Contact)
	v.set("adult", officeBool(e.Adult))
	v.set("referral_kind", e.ReferralKind)
}

// enquiryDefaults are the answers of a fresh form: Bokmål, 25 km, e-mail.
func enquiryDefaults(v *officeView) {
	v.set("travel_km", "25")
	v.form["language"] = []string{i18n.Default}
	v.set("contact_kind", "email")
}

// enquiryRead reads the posted form into e (its other fields are kept) and
// puts an error on every field that is wrong, in the order of the page.
func enquiryRead(v *enquiryFormView, cat *finder.Catalog, e *store.Enquiry) {
	fail := func(field, id string, kv ...any) {
		if v.Err(field) == nil {
			v.fail(field, id, kv...)
		}
	}
	if v.Referral() {
		e.ReferralKind = officeChoice(v.officeView, "referral_kind", store.ReferralKinds, "enquiry.err_referral_kind")
	}
	e.OwnWords = enquiryText(v, "own_words", store.MaxEnquiryOwnWords, true)
	e.Themes = nil
	for _, slug := range v.form["theme"] {
		t, ok := cat.ThemeBySlug[slug]
		if !ok || !t.Active && !v.Edit() {
			fail("theme", "enquiry.err_theme")
			continue
		}
		if !slices.Contains(e.Themes, t.ID) {
			e.Themes = append(e.Themes, t.ID)
		}
	}
	e.Municipality = v.Val("municipality")
	if _, ok := cat.MunicipalityBy[e.Municipality]; !ok {
		if e.Municipality == "" {
			fail("municipality", "enquiry.err_municipality_missing")
		} else {
			fail("municipality", "enquiry.err_municipality")
		}
	}
	km, err := strconv.Atoi(v.Val("travel_km"))
	if err != nil || !slices.Contains(enquiryTravel, km) {
		fail("travel_km", "enquiry.err_travel")
	}
	e.TravelKm = km
	e.NotOwnMunicipality = enquiryBox(v, "not_own")
	e.Formats = nil
	for _, f := range v.form["format"] {
		if !slices.Contains(store.EnquiryFormats, f) {
			fail("format", "enquiry.err_format")
		} else if !slices.Contains(e.Formats, f) {
			e.Formats = append(e.Formats, f)
		}
	}
	if len(e.Formats) == 0 {
		fail("format", "enquiry.err_format_missing")
	}
	// Not in my own municipality, and no travel: no group could meet in person.
	if e.NotOwnMunicipality && km == 0 && slices.Contains(e.Formats, "in_person") {
		fail("travel_km", "enquiry.err_travel_not_own")
	}
	e.Slots = nil
	for _, sl := range v.form["slot"] {
		if !store.ValidSlot(sl) {
			fail("slot", "enquiry.err_slot")
		} else if !slices.Contains(e.Slots, sl) {
			e.Slots = append(e.Slots, sl)
		}
	}
	langs := enquiryLanguages(cat)
	e.Languages = nil
	for _, l := range v.form["language"] {
		if !slices.Contains(langs, l) {
			fail("language", "enquiry.err_language")
		} else if !slices.Contains(e.Languages, l) {
			e.Languages = append(e.Languages, l)
		}
	}
	e.Name = enquiryText(v, "name", store.MaxEnquiryName, false)
	if e.Name == "" {
		fail("name", "enquiry.err_name_missing")
	}
	e.ContactKind = v.Val("contact_kind")
	if e.ContactKind != "email" && e.ContactKind != "phone" {
		fail("contact_kind", "enquiry.err_contact_kind")
	}
	raw := strings.TrimSpace(v.Val("contact"))
	switch c, ok := store.NormalizeContact(e.ContactKind, raw); {
	case raw == "":
		fail("contact", "enquiry.err_contact_missing")
	case len(raw) > 300:
		fail("contact", "enquiry.err_contact_long")
	case ok:
		e.Contact = c
	case e.ContactKind == "phone":
		fail("contact", "enquiry.err_phone")
	case e.ContactKind == "email":
		fail("contact", "enquiry.err_email")
	}
	e.Adult = enquiryBox(v, "adult")
	if !e.Adult {
		id := "enquiry.err_adult"
		if v.Referral() {
			id = "enquiry.err_adult_referral"
		}
		fail("adult", id)
	}
	if !v.Edit() && !enquiryBox(v, "consent") {
		id := "enquiry.err_consent"
		if v.Referral() {
			id = "enquiry.err_consent_referral"
		}
		fail("consent", id)
	}
}

// enquiryBox reads a box: "1" ticked, nothing not.
func enquiryBox(v *enquiryFormView, name string) bool { return v.Val(name) == "1" }

// enquiryText reads a text field of at most limit characters: one line
// unless multiline, no control characters.
func enquiryText(v *enquiryFormView, name string, limit int, multiline bool) string {
	s := strings.TrimSpace(strings.ReplaceAll(v.Val(name), "\r\n", "\n"))
	switch {
	case utf8.RuneCountInString(s) > limit:
		v.fail(name, "enquiry.err_too_long", "Max", limit)
	case strings.ContainsFunc(s, func(r rune) bool {
		return unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\t')) || r == utf8.RuneError
	}):
		v.fail(name, "enquiry.err_control")
	}
	return s
}

// enquiryCatalog is the finder's catalogue: themes, municipalities and
// languages, as the finder shows them.
func (s *site) enquiryCatalog(ctx context.Context) (*finder.Catalog, error) {
	return s.finder.Catalog(ctx)
}

// enquiryFormPage is GET /henvendelse.
func (s *site) enquiryFormPage(w http.ResponseWriter, r *http.Request, lang string) {
	v := s.newEnquiryForm(r, lang, "/henvendelse", enquiryPublic, "enquiry.form_title", nil)
	v.Nav = "enquiry" // the main menu's item, when it has one
	enquiryDefaults(v.officeView)
	s.enquiryFormRender(w, r, lang, http.StatusOK, v)
}

// enquiryFormRender renders the public form with a fresh stamp.
func (s *site) enquiryFormRender(w http.ResponseWriter, r *http.Request, lang string, status int, v *enquiryFormView) {
	cat, err := s.enquiryCatalog(r.Context())
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	enquiryOptions(v, cat, nil)
	if v.Stamp, err = s.enquiryStamp(r.Context()); err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	s.render(w, r, status, "enquiry_form", v)
}

// enquiryFormPost is POST /henvendelse.
func (s *site) enquiryFormPost(w http.ResponseWriter, r *http.Request, lang string) {
	if !s.officeParse(w, r, lang) {
		return
	}
	ctx := r.Context()
	v := s.newEnquiryForm(r, lang, "/henvendelse", enquiryPublic, "enquiry.form_title", nil)
	v.Nav = "enquiry"
	v.keep(r.PostForm, enquiryFields...)
	retry, limited, err := s.enquiryHit(r, "enquiry:src:"+store.SourceOf(r.RemoteAddr), "source", enquiryLimit.PerSource, enquiryLimit.Window)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	if limited {
		status, minutes := enquiryTooMany(w, retry)
		v.fail("", "enquiry.rate_limited", "Minutes", minutes)
		s.enquiryFormRender(w, r, lang, status, v)
		return
	}
	cat, err := s.enquiryCatalog(ctx)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	// The spam guard first: its message heads the summary.
	if strings.TrimSpace(r.PostForm.Get("nettside")) != "" {
		v.Spam = "enquiry.spam_honeypot"
	} else if v.Spam, err = s.enquiryStampProblem(ctx, r.PostForm.Get("stamp")); err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	if v.Spam != "" {
		v.fail("", v.Spam)
	}
	e := store.Enquiry{Channel: "web", ConsentVersion: EnquiryConsentVersion, Lang: lang}
	enquiryRead(v, cat, &e)
	if len(v.Errors) > 0 {
		s.enquiryFormRender(w, r, lang, http.StatusBadRequest, v)
		return
	}
	if err := s.enquirySubmit(w, r, lang, &e, "enquiry_link"); err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	s.seeOther(w, r, withQuery(prefix(lang)+"/henvendelse/sendt", url.Values{"til": {e.ContactKind}}))
}

// enquirySubmit stores a new enquiry (web form or referral) for the house
// of its municipality, with the mail or text message that carries the
// person's link, kind being the message's kind. On the public form, a
// contact that has had its share of links is quietly left alone: nothing
// is stored or sent.
func (s *site) enquirySubmit(w http.ResponseWriter, r *http.Request, lang string, e *store.Enquiry, kind string) error {
	ctx := r.Context()
	if e.Channel == "web" {
		ckey, err := s.enquiryContactKey(ctx, e.ContactKind, e.Contact)
		if err != nil {
			return err
		}
		if _, limited, err := s.enquiryHit(r, ckey, "contact", enquiryLimit.PerContact, enquiryLimit.Contact); err != nil || limited {
			return err
		}
	}
	house, err := s.store.ServingOrganisation(ctx, e.Municipality)
	if err != nil {
		return err
	}
	e.OrgID = house.ID
	link, err := s.accountLinker(r)
	if err != nil {
		return err
	}
	token, hash := auth.NewToken()
	msg, err := enquiryMessage(*e, kind, link(lang, "/min-henvendelse/"+token))
	if err != nil {
		return err
	}
	actor := enquiryPersonCtx(r)
	if e.Channel == "referral" {
		actor = store.WithActor(ctx, store.Actor{ID: e.ReferredBy, Source: store.SourceOf(r.RemoteAddr)})
	}
	return s.store.CreatePersonEnquiry(actor, e, hash, s.now(), enquiryRetention, msg)
}

// enquiryMessage is the mail (for an e-mail address) or the text message
// (for a phone number) that carries the person's link, in their language.
func enquiryMessage(e store.Enquiry, kind, link string) (store.OutboxMail, error) {
	data := map[string]any{"Name": e.Name, "Link": link, "Days": enquiryRetentionWords(enquiryRetention).Unconfirmed}
	if e.ContactKind == "phone" {
		text, _ := i18n.DefaultCatalog().Lookup(e.Lang, "sms."+kind, data)
		return store.OutboxMail{Channel: store.ChannelSMS, To: e.Contact, Body: text, Lang: e.Lang, Kind: kind}, nil
	}
	subject, body, err := mail.Compose(nil, e.Lang, kind, data)
	if err != nil {
		return store.OutboxMail{}, err
	}
	return store.OutboxMail{To: e.Contact, Subject: subject, Body: body, Lang: e.Lang, Kind: kind}, nil
}

// enquirySentView is the page after the form: what happens next.
type enquirySentView struct {
	*officeView
	Phone bool
	Ret   enquiryRetentionView
}

// enquirySentPage is GET /henvendelse/sendt.
func (s *site) enquirySentPage(w http.ResponseWriter, r *http.Request, lang string) {
	v := &enquirySentView{officeView: s.newOfficeView(r, lang, "/henvendelse/sendt", nil, "", "enquiry.sent_title"),
		Phone: r.URL.Query().Get("til") == "phone", Ret: enquiryRetentionWords(enquiryRetention)}
	if v.Phone {
		v.query = url.Values{"til": {"phone"}}
	}
	s.render(w, r, http.StatusOK, "enquiry_sent", v)
}

// enquiryGonePage is GET /henvendelse/slettet: after a withdrawal.
func (s *site) enquiryGonePage(w http.ResponseWriter, r *http.Request, lang string) {
	v := s.newOfficeView(r, lang, "/henvendelse/slettet", nil, "", "enquiry.gone_title")
	s.render(w, r, http.StatusOK, "enquiry_gone", v)
}

// enquiryDate is a day as "3. mars 2026", in Norway's time zone.
func (v *officeView) EnquiryDate(t time.Time) Phrase {
	if t.IsZero() {
		return Phrase{}
	}
	w := newWords(v.cat, v.Lang, "date.medium")
	if loc, err := time.LoadLocation(domain.DefaultTimeZone); err == nil {
		t = t.In(loc)
	}
	return Phrase{w.dateMedium(t), w.lang}
}
