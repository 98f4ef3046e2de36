package finder

import (
	"context"
	"math"

	"github.com/fellesrom/fellesrom/internal/domain"
)

// Listing is a group as the public sees it, joined with what pages and the
// API show beside it. Where the group's meeting place is not public (a closed
// group, or a hidden address) Venue is empty: only the municipality is
// known to the public. Every public view of a group is built here, so the
// rule is kept in one place.
type Listing struct {
	Group          domain.Group
	Model          domain.Model
	Organisation   domain.Organisation
	Municipality   domain.Municipality
	Themes         []domain.Theme
	Venue          domain.Venue // empty unless AddressVisible
	AddressVisible bool
	OnlineVisible  bool // the group's link, number and note are public (domain.OnlineVisible)
	DistanceKm     float64
	HasDistance    bool
}

func (c *Catalog) listing(g domain.Group) Listing {
	l := Listing{Group: g, Model: c.ModelByID[g.ModelID], Organisation: c.OrgByID[g.OrgID]}
	v, hasVenue := c.VenueByID[g.VenueID]
	muni := g.MunicipalityID
	if muni == "" && hasVenue {
		muni = v.MunicipalityID
	}
	l.Municipality = c.MunicipalityBy[muni]
	for _, id := range g.ThemeIDs {
		if t, ok := c.ThemeByID[id]; ok {
			l.Themes = append(l.Themes, t)
		}
	}
	if hasVenue && domain.AddressVisible(g, l.Model, v) {
		l.Venue, l.AddressVisible = v, true
	}
	// A hidden meeting place leaves no trace in the public view.
	if !l.AddressVisible {
		l.Group.VenueID, l.Group.RoomID = "", ""
	}
	// Likewise a closed group's meeting link: the house gives it.
	l.OnlineVisible = domain.OnlineVisible(g, l.Model)
	if !l.OnlineVisible {
		l.Group.OnlineURL, l.Group.OnlinePhone, l.Group.OnlineNotes = "", "", ""
	}
	return l
}

// GridDegrees is the size of the grid that a hidden meeting place's
// coordinates are snapped to for distance search: 0.1° of latitude is about
// 11 km; the longitude step is twice that, about 5–11 km in Norway.
const GridDegrees = 0.1

// publicPoint is where the finder may say a group is, for distance search.
// Exact coordinates would let anyone locate a hidden meeting place by
// repeating a search with a shrinking radius, so a group whose address is not
// public is placed at its organisation's public address if it has one, and
// otherwise at the centre of a coarse grid cell around the meeting place.
func (c *Catalog) publicPoint(g domain.Group, m domain.Model, v domain.Venue) (lat, lon float64, ok bool) {
	if v.ID == "" || !v.HasCoordinates {
		return 0, 0, false
	}
	if domain.AddressVisible(g, m, v) {
		return v.Lat, v.Lon, true
	}
	if o, found := c.OrgByID[g.OrgID]; found {
		if ov, found := c.VenueByID[o.VenueID]; found && ov.AddressPublic && ov.HasCoordinates {
			return ov.Lat, ov.Lon, true
		}
	}
	snap := func(x, step float64) float64 { return (math.Floor(x/step) + 0.5) * step }
	return snap(v.Lat, GridDegrees), snap(v.Lon, 2*GridDegrees), true
}

// Listings loads the groups of a page of hits, in the order of the hits.
func (f *Finder) Listings(ctx context.Context, hits []Hit) ([]Listing, error) {
	idx, err := f.current(ctx)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.GroupID
	}
	groups, err := f.st.GroupsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]domain.Group, len(groups))
	for _, g := range groups {
		byID[g.ID] = g
	}
	out := make([]Listing, 0, len(hits))
	for _, h := range hits {
		g, ok := byID[h.GroupID]
		if !ok {
			continue // deleted since the index was built
		}
		l := idx.cat.listing(g)
		l.DistanceKm, l.HasDistance = h.DistanceKm, h.HasDistance
		out = append(out, l)
	}
	return out, nil
}

// Listing returns one group by ID or slug as the public sees it, also when
// it has ended. It returns store.ErrNotFound for an unknown group.
func (f *Finder) Listing(ctx context.Context, idOrSlug string) (Listing, error) {
	idx, err := f.current(ctx)
	if err != nil {
		return Listing{}, err
	}
	g, err := f.st.Group(ctx, idOrSlug)
	if err != nil {
		return Listing{}, err
	}
	return idx.cat.listing(g), nil
}

// OrganisationListings returns an organisation's groups that the public may
// see (every status but ended), by name.
func (f *Finder) OrganisationListings(ctx context.Context, orgID string) ([]Listing, error) {
	idx, err := f.current(ctx)
	if err != nil {
		return nil, err
	}
	groups, err := f.st.GroupsOfOrganisation(ctx, orgID)
	if err != nil {
		return nil, err
	}
	var out []Listing
	for _, g := range groups {
		if g.Status != domain.StatusEnded {
			out = append(out, idx.cat.listing(g))
		}
	}
	return out, nil
}
