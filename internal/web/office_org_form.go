package web

// The form of an organisation: /kontor/organisasjoner/ny and
// /kontor/organisasjoner/{id}.

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
)

// officeCountyBoxes are the municipalities of a county, as boxes.
type officeCountyBoxes struct {
	County  domain.County
	Boxes   []officeOption
	Checked int
}

type officeOrgView struct {
	*officeView
	Org      domain.Organisation // as stored; empty for a new one
	New      bool
	Action   string
	Counties []officeCountyBoxes
}

// officeOrgForm is the form of an organisation, filled from o.
func officeOrgForm(v *officeView, o domain.Organisation) {
	v.set("name", o.Name)
	v.set("slug", o.Slug)
	v.set("kind", string(o.Kind))
	v.set("parent", o.ParentID)
	v.set("description_nb", o.Description["nb"])
	v.set("description_en", o.Description["en"])
	v.set("email", o.Email)
	v.set("phone", o.Phone)
	v.set("website", o.Website)
	v.set("hours_nb", o.OpeningHours["nb"])
	v.set("hours_en", o.OpeningHours["en"])
	v.set("venue", o.VenueID)
	v.form["municipalities"] = append([]string(nil), o.Municipalities...)
}

var officeOrgFields = []string{"name", "slug", "kind", "parent", "description_nb", "description_en", "email", "phone",
	"website", "hours_nb", "hours_en", "venue", "municipalities"}

// officeOrgOptions fills the selects and boxes of the form.
func (s *site) officeOrgOptions(ctx context.Context, v *officeOrgView, sc *officeScope) error {
	v.opts("kind", officeEnum(v.officeView, "orgkind.", domain.OrgKinds))
	var parents []officeOption
	if sc.can(auth.EditListing, "") {
		parents = append(parents, officeOption{Value: "", Text: v.S("office.org_parent_none")})
	} else if cur := v.Org.ParentID; cur != "" && !v.New && !sc.can(auth.EditListing, cur) {
		// The parent stays what it is; the user may not choose another
		// above their own organisations.
		parents = append(parents, officeOption{Value: cur, Text: sc.byID[cur].Name})
	}
	for _, ref := range sc.ordered(auth.EditListing) {
		if !v.New && sc.tree.Within(ref.Org.ID, v.Org.ID) {
			continue // not under itself
		}
		parents = append(parents, officeOption{Value: ref.Org.ID, Text: ref.Org.Name, Depth: ref.Depth})
	}
	v.opts("parent", parents)
	if !v.New {
		venues, err := s.store.Venues(ctx)
		if err != nil {
			return err
		}
		vs := []officeOption{{Value: "", Text: v.S("office.org_venue_none")}}
		for _, x := range venues {
			if x.OrgID == v.Org.ID {
				vs = append(vs, officeOption{Value: x.ID, Text: officeVenueLabel(x)})
			}
		}
		v.opts("venue", vs)
	}
	cs, by, _, err := s.officeMunicipalities(ctx)
	if err != nil {
		return err
	}
	for _, c := range cs {
		cb := officeCountyBoxes{County: c}
		for _, m := range by[c.ID] {
			cb.Boxes = append(cb.Boxes, officeOption{Value: m.ID, Text: m.DisplayName()})
			if v.Has("municipalities", m.ID) {
				cb.Checked++
			}
		}
		v.Counties = append(v.Counties, cb)
	}
	return nil
}

// officeVenueLabel names a venue in a list: its name and street.
func officeVenueLabel(x domain.Venue) string {
	parts := []string{}
	for _, p := range []string{x.Name, x.Street, x.City} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ", ")
}

// officeOrgNewPage is GET /kontor/organisasjoner/ny?forelder=ID: the form of
// a new organisation under a parent the user may edit.
func (s *site) officeOrgNewPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	sc, err := s.officeScope(r.Context(), me)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	parent := r.URL.Query().Get("forelder")
	if parent == "" && !sc.can(auth.EditListing, "") {
		if refs := sc.ordered(auth.EditListing); len(refs) > 0 {
			parent = refs[0].Org.ID
		}
	}
	if !sc.target(parent) {
		s.notFound(w, r, lang)
		return
	}
	v := s.officeOrgView(r, lang, me, domain.Organisation{}, true)
	officeOrgForm(v.officeView, domain.Organisation{ParentID: parent, Kind: domain.OrgSelfHelpHouse})
	if parent != "" {
		v.query = url.Values{"forelder": {parent}}
	}
	if err := s.officeOrgOptions(r.Context(), v, sc); err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	s.render(w, r, http.StatusOK, "office_org_form", v)
}

func (s *site) officeOrgView(r *http.Request, lang string, me *auth.Current, o domain.Organisation, isNew bool) *officeOrgView {
	if isNew {
		v := &officeOrgView{officeView: s.newOfficeView(r, lang, "/kontor/organisasjoner/ny", me, "orgs", "office.org_new_title"), New: true}
		v.Action = v.Href("/kontor/organisasjoner/ny")
		return v
	}
	path := "/kontor/organisasjoner/" + o.ID
	v := &officeOrgView{officeView: s.newOfficeView(r, lang, path, me, "orgs", "office.org_edit_title", "Name", o.Name), Org: o}
	v.Action = v.Href(path)
	return v
}

// officeOrgNewPost is POST /kontor/organisasjoner/ny.
func (s *site) officeOrgNewPost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	if !s.officeParse(w, r, lang) {
		return
	}
	sc, err := s.officeScope(r.Context(), me)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	if !sc.target(r.PostForm.Get("parent")) {
		s.notFound(w, r, lang)
		return
	}
	v := s.officeOrgView(r, lang, me, domain.Organisation{}, true)
	v.keep(r.PostForm, officeOrgFields...)
	v.set("venue", "")
	o := domain.Organisation{}
	s.officeOrgSave(w, r, lang, me, sc, v, o)
}

// officeOrgEditPage is GET /kontor/organisasjoner/{id}.
func (s *site) officeOrgEditPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	sc, o, ok := s.officeOrgLoad(w, r, lang, me)
	if !ok {
		return
	}
	v := s.officeOrgView(r, lang, me, o, false)
	officeOrgForm(v.officeView, o)
	if err := s.officeOrgOptions(r.Context(), v, sc); err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	s.render(w, r, http.StatusOK, "office_org_form", v)
}

// officeOrgLoad loads the organisation of the path and checks that the user
// may edit it; otherwise it answers 404.
func (s *site) officeOrgLoad(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) (*officeScope, domain.Organisation, bool) {
	id := officePathID(r, "id")
	if id == "" {
		s.notFound(w, r, lang)
		return nil, domain.Organisation{}, false
	}
	sc, err := s.officeScope(r.Context(), me)
	if err != nil {
		s.serverError(w, r, lang, err)
		return nil, domain.Organisation{}, false
	}
	if _, exists := sc.byID[id]; !exists || !sc.can(auth.EditListing, id) {
		s.notFound(w, r, lang)
		return nil, domain.Organisation{}, false
	}
	o, err := s.store.Organisation(r.Context(), id)
	if err != nil {
		s.officeErr(w, r, lang, err)
		return nil, domain.Organisation{}, false
	}
	return sc, o, true
}

// officeOrgEditPost is POST /kontor/organisasjoner/{id}.
func (s *site) officeOrgEditPost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	sc, o, ok := s.officeOrgLoad(w, r, lang, me)
	if !ok {
		return
	}
	if !s.officeParse(w, r, lang) {
		return
	}
	// A new parent must be one the user may edit: a coordinator cannot
	// move an organisation out of their part of the tree.
	if parent := r.PostForm.Get("parent"); parent != o.ParentID && !sc.target(parent) {
		s.notFound(w, r, lang)
		return
	}
	v := s.officeOrgView(r, lang, me, o, false)
	v.keep(r.PostForm, officeOrgFields...)
	s.officeOrgSave(w, r, lang, me, sc, v, o)
}

// officeOrgSave reads the form into o and saves it, or shows the form
// again with what is wrong.
func (s *site) officeOrgSave(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current, sc *officeScope, v *officeOrgView, o domain.Organisation) {
	ctx := r.Context()
	o.Name = v.required("name", 200, "office.err_name")
	o.Slug = v.slugField(o.Name)
	o.Kind = officeChoice(v.officeView, "kind", domain.OrgKinds, "office.err_choose")
	o.ParentID = v.Val("parent")
	if o.ParentID != "" {
		if _, ok := sc.byID[o.ParentID]; !ok {
			v.fail("parent", "office.err_choose")
		} else if !v.New && sc.tree.Within(o.ParentID, o.ID) {
			v.fail("parent", "office.err_parent_loop")
		}
	}
	o.Description = officeWithText(o.Description, "nb", v.text("description_nb", 5000))
	o.Description = officeWithText(o.Description, "en", v.text("description_en", 5000))
	o.Email = v.line("email", 254)
	if o.Email != "" && !officeEmailOK(o.Email) {
		v.fail("email", "office.err_email")
	}
	o.Phone = v.line("phone", 40)
	if o.Phone != "" && !officePhoneOK(o.Phone) {
		v.fail("phone", "office.err_phone")
	}
	o.Website = v.line("website", 300)
	if o.Website != "" && !officeWebsiteOK(o.Website) {
		v.fail("website", "office.err_website")
	}
	o.OpeningHours = officeWithText(o.OpeningHours, "nb", v.text("hours_nb", 1000))
	o.OpeningHours = officeWithText(o.OpeningHours, "en", v.text("hours_en", 1000))
	if !v.New {
		o.VenueID = v.Val("venue")
		if o.VenueID != "" {
			if !store.ValidID(o.VenueID) {
				v.fail("venue", "office.err_choose")
			} else if x, err := s.store.Venue(ctx, o.VenueID); errors.Is(err, store.ErrNotFound) || err == nil && x.OrgID != o.ID {
				v.fail("venue", "office.err_choose")
			} else if err != nil {
				s.serverError(w, r, lang, err)
				return
			}
		}
	}
	_, _, known, err := s.officeMunicipalities(ctx)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	o.Municipalities = nil
	for _, m := range v.form["municipalities"] {
		if !known[m] {
			v.fail("municipalities", "office.err_municipalities")
			break
		}
		o.Municipalities = append(o.Municipalities, m)
	}
	if o.Slug != "" && v.Err("slug") == nil {
		if other, err := s.store.Organisation(ctx, o.Slug); err == nil && other.ID != o.ID {
			v.fail("slug", "office.err_slug_taken")
		}
	}
	if len(v.Errors) == 0 {
		isNew := o.ID == ""
		if err := s.store.SaveOrganisation(officeCtx(r, me), &o); err != nil {
			s.officeErr(w, r, lang, err)
			return
		}
		notice := "lagret"
		if isNew {
			notice = "opprettet"
		}
		s.officeDone(w, r, lang, "/kontor/organisasjoner/"+o.ID, notice)
		return
	}
	if err := s.officeOrgOptions(ctx, v, sc); err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	s.officeFail(w, r, "office_org_form", v)
}

// officeEmailOK is a plain check of an e-mail address: something@host.tld,
// no spaces.
func officeEmailOK(s string) bool {
	local, host, ok := strings.Cut(s, "@")
	return ok && local != "" && strings.Contains(host, ".") && !strings.ContainsAny(s, " ,;<>\"") &&
		!strings.Contains(host, "@") && !strings.HasPrefix(host, ".") && !strings.HasSuffix(host, ".")
}

// officePhoneOK allows digits, spaces, +, -, parentheses and dots.
func officePhoneOK(s string) bool {
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune(" +-().", r):
		default:
			return false
		}
	}
	return digits >= 3
}

// officeWebsiteOK requires an absolute http or https address with a host.
func officeWebsiteOK(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && u.User == nil &&
		!strings.ContainsAny(s, " \"<>")
}
