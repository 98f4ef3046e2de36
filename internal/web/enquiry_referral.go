package web

import (
	"net/http"
	"net/url"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/store"
)

// A partner's referral (/kontor/henvisning): a GP's office, NAV or a
// learning and mastery centre fills the enquiry form with the person
// present. The enquiry goes to the house of the person's municipality,
// unconfirmed, and the link goes to the person's own contact: no
// coordinator sees it before the person confirms, and the partner never
// sees it again (there is no page that lists referrals).

// enquiryMayRefer reports whether p may refer (auth.SubmitReferral): an
// administrator, or a partner or coordinator of some organisation (with
// the second factor where their roles need it). A partner has no
// personal-data permission, and this needs none: the referral is written,
// never read.
func enquiryMayRefer(p auth.Principal) bool { return allowedAnywhere(p, auth.SubmitReferral) }

// EnquiryMayRefer reports whether the signed-in user has the referral
// page, for a link to it in the back office's menu.
func (v staffView) EnquiryMayRefer() bool {
	return v.Me != nil && v.Me.Stage() == auth.StageDone && enquiryMayRefer(v.Me.Principal())
}

func (s *site) newEnquiryReferral(r *http.Request, lang string, me *auth.Current) *enquiryFormView {
	ov := s.newOfficeView(r, lang, "/kontor/henvisning", me, "referral", "enquiry.referral_title")
	ov.Notice = ""
	if r.URL.Query().Get("melding") == "henvist" {
		ov.Notice = "enquiry.notice_referred"
	}
	return s.newEnquiryForm(r, lang, "/kontor/henvisning", enquiryReferral, "enquiry.referral_title", ov)
}

// enquiryReferralPage is GET /kontor/henvisning.
func (s *site) enquiryReferralPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	if !enquiryMayRefer(me.Principal()) {
		s.notFound(w, r, lang)
		return
	}
	v := s.newEnquiryReferral(r, lang, me)
	enquiryDefaults(v.officeView)
	s.enquiryReferralRender(w, r, lang, http.StatusOK, v)
}

func (s *site) enquiryReferralRender(w http.ResponseWriter, r *http.Request, lang string, status int, v *enquiryFormView) {
	cat, err := s.enquiryCatalog(r.Context())
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	enquiryOptions(v, cat, nil)
	s.render(w, r, status, "enquiry_referral", v)
}

// enquiryReferralPost is POST /kontor/henvisning.
func (s *site) enquiryReferralPost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	if !enquiryMayRefer(me.Principal()) {
		s.notFound(w, r, lang)
		return
	}
	if !s.officeParse(w, r, lang) {
		return
	}
	cat, err := s.enquiryCatalog(r.Context())
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	v := s.newEnquiryReferral(r, lang, me)
	v.Notice = ""
	v.keep(r.PostForm, enquiryFields...)
	e := store.Enquiry{Channel: "referral", ReferredBy: me.User.ID, ConsentVersion: EnquiryConsentVersion, Lang: lang}
	enquiryRead(v, cat, &e)
	if len(v.Errors) > 0 {
		s.enquiryReferralRender(w, r, lang, http.StatusBadRequest, v)
		return
	}
	if err := s.enquirySubmit(w, r, lang, &e, "enquiry_referral"); err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	s.seeOther(w, r, withQuery(prefix(lang)+"/kontor/henvisning", url.Values{"melding": {"henvist"}}))
}
