package hsds

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/finder"
	"github.com/fellesrom/fellesrom/internal/store"
)

// The export of imported objects: an object with an original (hsds_extra)
// is written as the original merged with what fellesrom changed since the
// import (Merge), so an imported document exported again is the same, and
// a change made in fellesrom is written. The rule on hidden meeting places
// wins over the original: a service whose meeting place the public may not
// see gets fellesrom's own location (the municipality only), and nested
// organizations and services lose the locations of the original.

// originals are the originals of the objects one answer writes.
type originals struct {
	services, sals, orgs, venues map[string]store.HSDSExtra
}

func (h *Handler) originals(ctx context.Context, cat *finder.Catalog, ls []finder.Listing, orgs []domain.Organisation) (originals, error) {
	var ex originals
	if any, err := h.anyOriginals(ctx, cat.Version); err != nil || !any {
		return ex, err
	}
	var gids, vids, oids []string
	for _, l := range ls {
		gids = append(gids, l.Group.ID)
		if l.Group.VenueID != "" {
			vids = append(vids, l.Group.VenueID)
		}
	}
	for _, o := range orgs {
		oids = append(oids, o.ID)
		if o.VenueID != "" {
			vids = append(vids, o.VenueID)
		}
	}
	var err error
	if ex.services, err = h.d.Store.HSDSExtras(ctx, "service", gids); err != nil {
		return ex, err
	}
	if ex.sals, err = h.d.Store.HSDSExtras(ctx, "service_at_location", gids); err != nil {
		return ex, err
	}
	if ex.orgs, err = h.d.Store.HSDSExtras(ctx, "organization", oids); err != nil {
		return ex, err
	}
	ex.venues, err = h.d.Store.HSDSExtras(ctx, "location", vids)
	return ex, err
}

// anyOriginals says whether anything was imported, asked once per
// directory version: a directory with nothing imported pays no look-ups.
func (h *Handler) anyOriginals(ctx context.Context, version int64) (bool, error) {
	h.stampMu.Lock()
	defer h.stampMu.Unlock()
	if h.imported.known && h.imported.version == version {
		return h.imported.any, nil
	}
	n, err := h.d.Store.HSDSExtraTotal(ctx)
	if err != nil {
		return false, err
	}
	h.imported.known, h.imported.version, h.imported.any = true, version, n > 0
	return n > 0, nil
}

// setRaw replaces a field of an original with fellesrom's value; an empty
// value removes it.
func setRaw(raw map[string]json.RawMessage, key string, v any) {
	b, err := json.Marshal(v)
	if err != nil || string(b) == "null" || string(b) == "[]" {
		delete(raw, key)
		return
	}
	raw[key] = b
}

func decodeRaw(b []byte) (map[string]json.RawMessage, error) {
	var raw map[string]json.RawMessage
	err := json.Unmarshal(b, &raw)
	return raw, err
}

// venueChanged says whether an imported venue was changed since.
func (ex originals) venueChanged(v domain.Venue) bool {
	e, ok := ex.venues[v.ID]
	if !ok {
		return false
	}
	cur, err := json.Marshal(baseOfVenue(v))
	if err != nil {
		return true
	}
	eq, err := EqualJSON(cur, e.Base)
	return err != nil || !eq
}

// placeVisible says whether the public may see where a group meets: its
// venue's address, or an open meeting's link and number.
func placeVisible(l finder.Listing) bool {
	g := l.Group
	if l.AddressVisible {
		return true
	}
	return (g.Format == domain.FormatTelephone || g.Format == domain.FormatVideo) && domain.OnlineVisible(g, l.Model)
}

// serviceOut writes a group as a service: with no original, as mapped;
// with one, the original with what changed. inOrg leaves the organization
// out (a service inside its organization).
func serviceOut(cat *finder.Catalog, l finder.Listing, full, inOrg bool, ex originals) (any, error) {
	e, ok := ex.services[l.Group.ID]
	if !ok {
		s := MapService(cat, l, full)
		if inOrg {
			s.Organization = nil
		}
		return s, nil
	}
	// The original is written whole, whatever full asks.
	raw, err := decodeRaw(e.Raw)
	if err != nil {
		return nil, err
	}
	out, _, err := patchService(cat, l, raw, e.Base, inOrg, ex)
	return out, err
}

// patchService writes the original of a service (raw) with what changed
// in fellesrom since its import (base), and the rule on hidden meeting
// places applied. place says whether the service's location must be
// fellesrom's own: it changed, or the public may not see it.
func patchService(cat *finder.Catalog, l finder.Listing, raw map[string]json.RawMessage, base []byte, inOrg bool,
	ex originals) (out json.RawMessage, place bool, err error) {
	var b groupBase
	if err := json.Unmarshal(base, &b); err != nil {
		return nil, false, err
	}
	m := MapService(cat, l, true)
	g := l.Group
	cur := baseOfGroup(g)
	p := Service{ID: m.ID}
	changed := false
	if cur.Name != b.Name {
		p.Name, changed = m.Name, true
	}
	if cur.Description != b.Description {
		p.Description, changed = m.Description, true
	}
	if cur.Status != b.Status {
		p.Status, changed = m.Status, true
	}
	if cur.AgeGroup != b.AgeGroup {
		p.MinimumAge, p.MaximumAge, changed = m.MinimumAge, m.MaximumAge, true
	}
	if !slices.Equal(cur.Languages, b.Languages) {
		setRaw(raw, "languages", m.Languages)
		changed = true
	}
	if !slices.Equal(cur.ThemeIDs, b.ThemeIDs) {
		setRaw(raw, "attributes", m.Attributes)
		changed = true
	}
	if !cur.Start.Equal(b.Start) || cur.Minutes != b.Minutes || cur.TZ != b.TZ || cur.RRule != b.RRule {
		setRaw(raw, "schedules", m.Schedules)
		changed = true
	}
	if cur.OnlinePhone != b.OnlinePhone {
		setRaw(raw, "phones", m.Phones)
		changed = true
	}
	// The listing names the venue only when its address is public.
	placeChanged := cur.Format != b.Format || cur.OnlineURL != b.OnlineURL || cur.OnlinePhone != b.OnlinePhone ||
		l.AddressVisible && (cur.VenueID != b.VenueID || ex.venueChanged(l.Venue))
	visible := placeVisible(l)
	if _, had := raw["service_at_locations"]; placeChanged || had && !visible {
		setRaw(raw, "service_at_locations", m.ServiceAtLocations)
		changed = changed || placeChanged
	}
	if inOrg {
		delete(raw, "organization")
	} else if org := rawObject(raw, "organization"); org != nil && !visible {
		// The organization's locations of the original may be where the
		// group meets: only fellesrom's own (its public address) are written.
		if m.Organization != nil {
			setRaw(org, "locations", m.Organization.Locations)
		} else {
			delete(org, "locations")
		}
		setRaw(raw, "organization", org)
	}
	if changed {
		p.LastModified = m.LastModified
	}
	out, err = Merge(raw, p)
	return out, placeChanged || !visible, err
}

// salOut writes a group's service_at_location: with no original, as
// mapped (with its service when withService); with one, the original with
// its service and location as they are now.
func salOut(cat *finder.Catalog, l finder.Listing, full, withService bool, ex originals) (any, bool, error) {
	sal, ok := MapSAL(cat, l, full)
	if !ok {
		return nil, false, nil
	}
	e, ok := ex.sals[l.Group.ID]
	if !ok {
		if withService {
			svc := MapService(cat, l, false)
			sal.Service = &svc
		}
		return sal, true, nil
	}
	raw, err := decodeRaw(e.Raw)
	if err != nil {
		return nil, false, err
	}
	svcRaw := rawObject(raw, "service")
	if svcRaw == nil {
		svcRaw = map[string]json.RawMessage{}
	}
	svc, place, err := patchService(cat, l, svcRaw, e.Base, false, ex)
	if err != nil {
		return nil, false, err
	}
	if _, had := raw["service"]; had || withService {
		raw["service"] = svc
	}
	if place {
		loc, _ := MapSAL(cat, l, true)
		setRaw(raw, "location", loc.Location)
		if _, had := raw["location_id"]; had {
			setRaw(raw, "location_id", loc.LocationID)
		}
	}
	out, err := Merge(raw, ServiceAtLocation{})
	return json.RawMessage(out), true, err
}

// orgOut writes an organisation: with no original, as mapped; with one, the
// original with what changed. services are its services as written (nil:
// none are written, as in a list).
func orgOut(cat *finder.Catalog, o domain.Organisation, services []any, ex originals) (any, error) {
	org := MapOrganization(cat, o)
	org.Services = services
	e, ok := ex.orgs[o.ID]
	if !ok {
		return org, nil
	}
	raw, err := decodeRaw(e.Raw)
	if err != nil {
		return nil, err
	}
	var b orgBase
	if err := json.Unmarshal(e.Base, &b); err != nil {
		return nil, err
	}
	cur := baseOfOrg(o)
	p := Organization{ID: org.ID}
	if cur.Name != b.Name {
		p.Name = org.Name
	}
	if cur.Description != b.Description {
		p.Description = org.Description
	}
	if cur.Email != b.Email {
		p.Email = org.Email
	}
	if cur.Website != b.Website {
		p.Website = org.Website
	}
	if cur.Phone != b.Phone {
		setRaw(raw, "phones", org.Phones)
		setRaw(raw, "contacts", org.Contacts)
	}
	// The original's locations are written only while they are the
	// organisation's own public address, unchanged.
	keep := cur.VenueID == b.VenueID
	if v, ok := cat.VenueByID[o.VenueID]; !ok || !v.AddressPublic || ex.venueChanged(v) {
		keep = false
	}
	var locs []Location
	if json.Unmarshal(raw["locations"], &locs) == nil {
		for _, l := range locs {
			if LocalID("location", l.ID) != o.VenueID {
				keep = false
			}
		}
	}
	if !keep {
		setRaw(raw, "locations", org.Locations)
	}
	_, had := raw["services"]
	switch {
	case services == nil || len(services) == 0 && !had:
		delete(raw, "services")
	default:
		b, err := json.Marshal(services)
		if err != nil {
			return nil, err
		}
		raw["services"] = b
	}
	out, err := Merge(raw, p)
	return json.RawMessage(out), err
}
