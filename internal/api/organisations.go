package api

import (
	"net/http"
	"net/url"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/finder"
)

type organisation struct {
	ID             string         `json:"id"`
	Slug           string         `json:"slug"`
	Name           string         `json:"name"`
	Kind           domain.OrgKind `json:"kind"`
	ParentID       *string        `json:"parent_id"`
	Municipalities []string       `json:"municipalities"`
	Website        *string        `json:"website"`
	Email          *string        `json:"email"`
	Phone          *string        `json:"phone"`
	Description    text           `json:"description"`
}

type organisationDetail struct {
	organisation
	OpeningHours text           `json:"opening_hours"`
	Address      *venue         `json:"address"`
	Groups       []groupSummary `json:"groups"`
}

func organisationOf(o domain.Organisation) organisation {
	return organisation{ID: o.ID, Slug: o.Slug, Name: o.Name, Kind: o.Kind, ParentID: optString(o.ParentID),
		Municipalities: nonNil(append([]string(nil), o.Municipalities...)), Website: optString(o.Website),
		Email: optString(o.Email), Phone: optString(o.Phone), Description: textOf(o.Description)}
}

// listOrganisations is GET /api/v1/organisations.
func (s *server) listOrganisations(w http.ResponseWriter, r *http.Request, _ url.Values) {
	cat, err := s.finder.Catalog(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	items := make([]organisation, 0, len(cat.Organisations))
	for _, o := range cat.Organisations {
		items = append(items, organisationOf(o))
	}
	s.writeJSON(w, r, http.StatusOK, listOf(items))
}

// getOrganisation is GET /api/v1/organisations/{id}: one organisation by id
// or slug, with its public groups, and its address if that is public.
func (s *server) getOrganisation(w http.ResponseWriter, r *http.Request, _ url.Values) {
	id, ok := identifier(r)
	if !ok {
		s.fail(w, r, errNotFound("no such organisation"))
		return
	}
	cat, err := s.finder.Catalog(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	o, ok := lookupOrganisation(cat, id)
	if !ok {
		s.fail(w, r, errNotFound("no such organisation"))
		return
	}
	listings, err := s.finder.OrganisationListings(r.Context(), o.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := organisationDetail{organisation: organisationOf(o), OpeningHours: textOf(o.OpeningHours),
		Groups: make([]groupSummary, 0, len(listings))}
	if v, ok := cat.VenueByID[o.VenueID]; ok && o.VenueID != "" && v.AddressPublic {
		out.Address = venueOf(v)
	}
	now := s.now()
	for _, l := range listings {
		out.Groups = append(out.Groups, groupSummaryOf(l, now))
	}
	s.writeJSON(w, r, http.StatusOK, out)
}

func lookupOrganisation(cat *finder.Catalog, id string) (domain.Organisation, bool) {
	if o, ok := cat.OrgByID[id]; ok {
		return o, true
	}
	o, ok := cat.OrgBySlug[id]
	return o, ok
}
