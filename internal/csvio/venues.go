package csvio

import (
	"strconv"
	"strings"

	"github.com/fellesrom/fellesrom/internal/domain"
)

// PlanVenues makes the dry run of a venues file.
func PlanVenues(t *Table, ref *Ref) *Plan {
	if ref.orgByID == nil {
		ref.index()
	}
	p := &Plan{Kind: "venues", NewVenues: map[string]*domain.Venue{}}
	p.columns(t, VenueColumns, "name")
	if len(p.Missing) > 0 {
		return p
	}
	seen := map[string]int{}
	for _, rec := range t.Rows {
		p.Rows = append(p.Rows, venueRow(rowReader{t, rec}, ref, seen))
	}
	return p
}

func venueRow(rr rowReader, ref *Ref, seen map[string]int) Row {
	row := Row{Line: rr.rec.Line}
	name, orgID, muni := rr.common(ref, &row)
	var prev *domain.Venue
	if ext := rr.cell("external_id"); ext != "" {
		if v, ok := ref.venueByID[ext]; ok {
			prev = &v
		} else {
			row.fail("external_id", "csvio.err_no_such_id", ext)
		}
	} else if name != "" && orgID != "" {
		for _, v := range ref.Venues {
			if v.OrgID == orgID && fold(v.Name) == fold(name) && (muni == "" || v.MunicipalityID == muni) {
				if prev != nil {
					row.fail("name", "csvio.err_ambiguous_venue", name)
					break
				}
				x := v
				prev = &x
			}
		}
	}
	if prev != nil && !ref.Allowed[prev.OrgID] {
		row.fail("external_id", "csvio.err_not_yours", rr.cell("external_id"))
		prev = nil
	}
	var v domain.Venue
	if prev != nil {
		v = *prev
		v.Directions = cloneText(prev.Directions)
		row.Key = prev.ID
	} else {
		v.Directions = domain.Text{}
		if muni == "" && rr.cell("municipality") == "" {
			row.fail("municipality", "csvio.err_required", "")
		}
	}
	if orgID != "" && (prev == nil || rr.cell("organisation") != "") {
		v.OrgID = orgID
	}
	if name != "" {
		v.Name = name
	}
	if muni != "" {
		v.MunicipalityID = muni
	}
	for col, dst := range map[string]*string{"street": &v.Street, "city": &v.City} {
		if c := rr.cell(col); c != "" {
			*dst = c
		}
	}
	if c := rr.cell("postal_code"); c != "" {
		if rePostal.MatchString(c) {
			v.PostalCode = c
		} else {
			row.fail("postal_code", "csvio.err_postal_code", c)
		}
	}
	la, lo := rr.cell("lat"), rr.cell("lon")
	if la != "" || lo != "" {
		lat, ok1 := decimal(la)
		lon, ok2 := decimal(lo)
		switch {
		case !ok1 || lat < -90 || lat > 90:
			row.fail("lat", "csvio.err_coordinate", la)
		case !ok2 || lon < -180 || lon > 180:
			row.fail("lon", "csvio.err_coordinate", lo)
		default:
			v.Lat, v.Lon, v.HasCoordinates = lat, lon, true
		}
	}
	for col, dst := range map[string]*bool{"step_free": &v.StepFree, "hearing_loop": &v.HearingLoop,
		"accessible_toilet": &v.AccessibleToilet, "address_public": &v.AddressPublic} {
		if c := rr.cell(col); c != "" {
			b, ok := parseBool(c)
			if !ok {
				row.fail(col, "csvio.err_bool", c)
			}
			*dst = b
		}
	}
	if c := rr.cell("directions"); c != "" {
		v.Directions["nb"] = c
	}
	if c := rr.cell("directions_en"); c != "" {
		v.Directions["en"] = c
	}
	key := v.ID
	if prev == nil {
		key = "new|" + v.OrgID + "|" + fold(name) + "|" + v.MunicipalityID
	}
	if first, dup := seen[key]; dup && len(row.Problems) == 0 {
		row.fail("name", "csvio.err_duplicate", strconv.Itoa(first))
	}
	switch {
	case len(row.Problems) > 0:
		row.Action, row.Key = Reject, ""
		return row
	case prev == nil:
		row.Action = Create
	default:
		row.Changed = venueDiff(*prev, v)
		row.Action = Change
		if len(row.Changed) == 0 {
			row.Action = Same
		}
	}
	seen[key] = row.Line
	if row.Action != Same {
		row.Venue = &v
	}
	return row
}

func decimal(s string) (float64, bool) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", ".")
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil && s != "" && !strings.ContainsAny(s, "eEnNiI")
}

func venueDiff(a, b domain.Venue) []string {
	var out []string
	add := func(c string, differ bool) {
		if differ {
			out = append(out, c)
		}
	}
	add("name", a.Name != b.Name)
	add("organisation", a.OrgID != b.OrgID)
	add("street", a.Street != b.Street)
	add("postal_code", a.PostalCode != b.PostalCode)
	add("city", a.City != b.City)
	add("municipality", a.MunicipalityID != b.MunicipalityID)
	add("lat", a.HasCoordinates != b.HasCoordinates || a.Lat != b.Lat || a.Lon != b.Lon)
	add("step_free", a.StepFree != b.StepFree)
	add("hearing_loop", a.HearingLoop != b.HearingLoop)
	add("accessible_toilet", a.AccessibleToilet != b.AccessibleToilet)
	add("address_public", a.AddressPublic != b.AddressPublic)
	add("directions", a.Directions["nb"] != b.Directions["nb"])
	add("directions_en", a.Directions["en"] != b.Directions["en"])
	return out
}

// common reads the columns every row has: the name (required), the
// organisation (ref.Default when empty; one the user may edit) and the
// municipality (by name or number; "" when empty), failing row where they
// do not read.
func (rr rowReader) common(ref *Ref, row *Row) (name, orgID, muni string) {
	name = rr.cell("name")
	row.Name = name
	if name == "" {
		row.fail("name", "csvio.err_required", "")
	} else if len(name) > 200 {
		row.fail("name", "csvio.err_too_long", name)
	}
	orgID = ref.Default
	if v := rr.cell("organisation"); v != "" {
		if o, ok := ref.org(v); ok {
			orgID = o.ID
		} else {
			row.fail("organisation", "csvio.err_unknown_org", v)
			orgID = ""
		}
	}
	if orgID != "" && !ref.Allowed[orgID] {
		row.fail("organisation", "csvio.err_org_not_allowed", rr.cell("organisation"))
	}
	if v := rr.cell("municipality"); v != "" {
		m, ok, amb := ref.municipality(v)
		switch {
		case amb:
			row.fail("municipality", "csvio.err_ambiguous_municipality", v)
		case !ok:
			row.fail("municipality", "csvio.err_unknown_municipality", v)
		default:
			muni = m.ID
		}
	}
	return name, orgID, muni
}
