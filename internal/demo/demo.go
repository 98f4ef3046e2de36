// Package demo fills a store with a realistic Norwegian demo set: group
// models, themes, Selvhjelp Norge with district offices, self-help houses and
// partners across the country (among them Sami municipalities in the north),
// user organisations, twelve-step fellowships, their venues and rooms, and
// about two hundred groups of every model, format and status. Generate adds
// any number of further groups for benchmarks.
//
// Everything is made up: names of organisations are generic, e-mail
// addresses and websites use the reserved .example domain, and telephone
// numbers begin with 00, which no Norwegian number does. Street names are
// real, house numbers and coordinates approximate.
//
// The set is deterministic: the same texts, places, schedules and slugs on
// every run (IDs are random UUIDs). Dates are written as of 1 November 2026.
package demo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/refdata"
	"github.com/fellesrom/fellesrom/internal/store"
)

// ErrNotEmpty is returned by Load when the store already has organisations.
var ErrNotEmpty = errors.New("demo: the store already has organisations; demo data is only loaded into an empty store")

// Summary counts what a call added to the store.
type Summary struct{ Organisations, Venues, Rooms, Themes, Models, Groups, Enquiries, Events int }

func (s *Summary) add(o Summary) {
	s.Organisations += o.Organisations
	s.Venues += o.Venues
	s.Rooms += o.Rooms
	s.Themes += o.Themes
	s.Models += o.Models
	s.Groups += o.Groups
	s.Enquiries += o.Enquiries
	s.Events += o.Events
}

// By is the name the demo set's changes are recorded under.
const By = "demo"

// loadSeed seeds the generator of the demo set; changing it changes the set.
const loadSeed = 20261101

// Load fills an empty store with a realistic Norwegian demo set. It refuses
// (returns ErrNotEmpty) when the store already has organisations, so
// `serve --demo` can call it on every start safely. Group models and themes
// that already exist with the demo set's slugs are used as they are.
//
// Load is not one transaction: if it fails half-way, the store keeps what was
// written, and a second Load returns ErrNotEmpty.
func Load(ctx context.Context, st *store.Store) (Summary, error) {
	var sum Summary
	orgs, err := st.Organisations(ctx)
	if err != nil {
		return sum, err
	}
	if len(orgs) > 0 {
		return sum, ErrNotEmpty
	}
	c, err := newCatalog()
	if err != nil {
		return sum, err
	}

	// Group models and themes: keep what is there.
	have, err := st.Models(ctx)
	if err != nil {
		return sum, err
	}
	for _, m := range have {
		c.models[m.Slug] = m
	}
	for _, m := range models() {
		if _, ok := c.models[m.Slug]; ok {
			continue
		}
		if err := st.SaveModel(ctx, &m); err != nil {
			// Another instance may be loading the set at the same time.
			if other, ok := findModel(ctx, st, m.Slug); ok {
				c.models[m.Slug] = other
				continue
			}
			return sum, fmt.Errorf("demo: model %s: %w", m.Slug, err)
		}
		c.models[m.Slug] = m
		sum.Models++
	}
	haveThemes, err := st.Themes(ctx)
	if err != nil {
		return sum, err
	}
	for _, t := range haveThemes {
		c.themes[t.Slug] = t.ID
	}
	for _, t := range themes() {
		if _, ok := c.themes[t.Slug]; ok {
			continue
		}
		if err := st.SaveTheme(ctx, &t); err != nil {
			if id, ok := findTheme(ctx, st, t.Slug); ok {
				c.themes[t.Slug] = id
				continue
			}
			return sum, fmt.Errorf("demo: theme %s: %w", t.Slug, err)
		}
		c.themes[t.Slug] = t.ID
		sum.Themes++
	}

	// Organisations, parents first.
	munis, err := refdata.Municipalities()
	if err != nil {
		return sum, err
	}
	for i, spec := range orgSpecs {
		o := domain.Organisation{Kind: spec.kind, Slug: spec.slug, Name: spec.name, Description: spec.desc,
			Email: spec.email(), Phone: phoneNumber(spec.phone), Website: spec.website(), OpeningHours: spec.hours,
			Municipalities: spec.munis}
		if spec.parent != "" {
			o.ParentID = c.orgs[spec.parent].ID
		}
		for _, m := range munis {
			for _, county := range spec.counties {
				if m.CountyID == county {
					o.Municipalities = append(o.Municipalities, m.ID)
				}
			}
		}
		if err := st.SaveOrganisation(ctx, &o); err != nil {
			if i == 0 {
				// Another instance may have loaded the set at the same time.
				if orgs, err2 := st.Organisations(ctx); err2 == nil && len(orgs) > 0 {
					return sum, ErrNotEmpty
				}
			}
			return sum, fmt.Errorf("demo: organisation %s: %w", spec.slug, err)
		}
		c.orgs[spec.slug] = o
		sum.Organisations++
	}

	// Venues and rooms; an organisation's own public venue is its address.
	for _, vs := range venueSpecs {
		t := townByKey[vs.town]
		v := domain.Venue{Name: vs.name, Street: vs.street, PostalCode: vs.postal, City: t.name, MunicipalityID: t.muni,
			Lat: round6(t.lat + vs.dlat), Lon: round6(t.lon + vs.dlon), HasCoordinates: true,
			StepFree: vs.stepFree, HearingLoop: vs.loop, AccessibleToilet: vs.toilet, AddressPublic: vs.public,
			Directions: vs.directions}
		if vs.org != "" {
			v.OrgID = c.orgs[vs.org].ID
		}
		if err := st.SaveVenue(ctx, &v); err != nil {
			return sum, fmt.Errorf("demo: venue %s: %w", vs.name, err)
		}
		c.venues[venueKey(v.MunicipalityID, v.Name)] = v
		sum.Venues++
		for _, rs := range vs.rooms {
			rm := domain.Room{VenueID: v.ID, Name: rs.name, Capacity: rs.capacity}
			if err := st.SaveRoom(ctx, &rm); err != nil {
				return sum, fmt.Errorf("demo: room %s in %s: %w", rs.name, vs.name, err)
			}
			c.rooms[v.ID] = append(c.rooms[v.ID], rm)
			sum.Rooms++
		}
		if vs.orgOwnVenue && vs.public {
			o := c.orgs[vs.org]
			o.VenueID = v.ID
			if err := st.SaveOrganisation(ctx, &o); err != nil {
				return sum, fmt.Errorf("demo: organisation %s: %w", o.Slug, err)
			}
			c.orgs[vs.org] = o
		}
	}

	// Groups.
	groups, err := c.planGroups()
	if err != nil {
		return sum, err
	}
	if err := st.InsertGroups(ctx, groups, By); err != nil {
		return sum, fmt.Errorf("demo: groups: %w", err)
	}
	sum.Groups = len(groups)

	// People waiting in the pools (sealed like any enquiry).
	if sum.Enquiries, err = loadEnquiries(ctx, st, c, time.Now().UTC()); err != nil {
		return sum, err
	}
	// What the houses hold beside the groups.
	if sum.Events, err = loadEvents(ctx, st, c, time.Now().UTC()); err != nil {
		return sum, err
	}
	return sum, nil
}

func findModel(ctx context.Context, st *store.Store, slug string) (domain.Model, bool) {
	ms, err := st.Models(ctx)
	if err != nil {
		return domain.Model{}, false
	}
	for _, m := range ms {
		if m.Slug == slug {
			return m, true
		}
	}
	return domain.Model{}, false
}

func findTheme(ctx context.Context, st *store.Store, slug string) (string, bool) {
	ts, err := st.Themes(ctx)
	if err != nil {
		return "", false
	}
	for _, t := range ts {
		if t.Slug == slug {
			return t.ID, true
		}
	}
	return "", false
}

func newCatalog() (*catalog, error) {
	loc, err := time.LoadLocation(domain.DefaultTimeZone)
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	return &catalog{loc: loc, models: map[string]domain.Model{}, themes: map[string]string{},
		orgs: map[string]domain.Organisation{}, venues: map[string]domain.Venue{}, rooms: map[string][]domain.Room{}}, nil
}

// homeTown is the town of an organisation of the demo set.
func homeTown(org string) *town {
	for _, o := range orgSpecs {
		if o.slug == org {
			return townByKey[o.town]
		}
	}
	return nil
}

// homeVenue is the name of the venue an organisation forms its groups in:
// its own venue with rooms.
func homeVenue(org string) string {
	for _, v := range venueSpecs {
		if v.org == org && len(v.rooms) > 0 {
			return v.name
		}
	}
	return ""
}

// planGroups builds the demo set's groups from plan.
func (c *catalog) planGroups() ([]*domain.Group, error) {
	r := rand.New(rand.NewPCG(loadSeed, 1))
	slugs := map[string]bool{}
	var out []*domain.Group
	for i, row := range plan {
		k, ok := kinds[row.kind]
		if !ok {
			return nil, fmt.Errorf("demo: plan row %d: no kind %q", i, row.kind)
		}
		t := homeTown(row.org)
		if row.town != "" {
			t = townByKey[row.town]
		}
		if t == nil {
			return nil, fmt.Errorf("demo: plan row %d: no town for %s", i, row.org)
		}
		d := draft{kind: k, org: row.org, town: t, venue: row.venue, format: row.format, status: row.status, place: row.place}
		if d.venue == "" {
			d.venue, d.room = homeVenue(row.org), true
		}
		g, err := c.build(r, d)
		if err != nil {
			return nil, fmt.Errorf("demo: plan row %d: %w", i, err)
		}
		base := domain.Slugify(g.Name["nb"])
		if !k.placeNamed() {
			base += "-" + domain.Slugify(t.name)
		}
		g.Slug = base
		for n := 2; slugs[g.Slug]; n++ {
			g.Slug = base + "-" + strconv.Itoa(n)
		}
		slugs[g.Slug] = true
		out = append(out, g)
	}
	return out, nil
}
