package web

import (
	"net/http"

	"github.com/fellesrom/fellesrom/internal/domain"
)

// orgLink is a link to an organisation.
type orgLink struct {
	Name string
	URL  string
	Kind string // message id
}

// organisationView is the page of an organisation or a self-help house.
type organisationView struct {
	page
	Org            domain.Organisation
	Kind           string // message id
	Venue          *domain.Venue
	Contact        contact
	Municipalities []string
	Groups         []resultView
	Parent         *orgLink
	Children       []orgLink
}

func (s *site) organisationPage(w http.ResponseWriter, r *http.Request, lang string) {
	slug := r.PathValue("slug")
	if !validSlug(slug) {
		s.badAddress(w, r, lang)
		return
	}
	ctx := r.Context()
	cat, err := s.finder.Catalog(ctx)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	o, ok := cat.OrgBySlug[slug]
	if !ok {
		if byID, found := cat.OrgByID[slug]; found {
			http.Redirect(w, r, prefix(lang)+"/organisasjon/"+byID.Slug, http.StatusMovedPermanently)
			return
		}
		s.notFound(w, r, lang)
		return
	}
	v := &organisationView{page: s.newPage(lang, "/organisasjon/"+o.Slug), Org: o, Kind: "orgkind." + string(o.Kind),
		Contact: contactOf(o)}
	v.Title = o.Name
	if ven, ok := cat.VenueByID[o.VenueID]; ok && ven.AddressPublic {
		v.Venue = &ven
	}
	for _, id := range o.Municipalities {
		if m, ok := cat.MunicipalityBy[id]; ok {
			v.Municipalities = append(v.Municipalities, m.DisplayName())
		}
	}
	listings, err := s.finder.OrganisationListings(ctx, o.ID)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	for _, l := range listings {
		v.Groups = append(v.Groups, s.result(v.page, l))
	}
	if p, ok := cat.OrgByID[o.ParentID]; ok && o.ParentID != "" {
		v.Parent = &orgLink{Name: p.Name, URL: v.Href("/organisasjon/" + p.Slug), Kind: "orgkind." + string(p.Kind)}
	}
	for _, c := range cat.Organisations {
		if c.ParentID == o.ID {
			v.Children = append(v.Children, orgLink{Name: c.Name, URL: v.Href("/organisasjon/" + c.Slug),
				Kind: "orgkind." + string(c.Kind)})
		}
	}
	s.render(w, r, http.StatusOK, "organisation", v)
}
