package csvio

import (
	"encoding/csv"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/fellesrom/fellesrom/internal/domain"
)

// Separator of the export: a semicolon, which a spreadsheet set to
// Norwegian opens into columns; the file starts with a byte order mark so
// that it reads the letters æ, ø and å right.
const Separator = ';'

func newWriter(w io.Writer) (*csv.Writer, error) {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return nil, err
	}
	cw := csv.NewWriter(w)
	cw.Comma = Separator
	cw.UseCRLF = true
	return cw, nil
}

// orgsInOrder are the allowed organisations, by name.
func (r *Ref) orgsInOrder() []domain.Organisation {
	var out []domain.Organisation
	for _, o := range r.Orgs {
		if r.Allowed[o.ID] {
			out = append(out, o)
		}
	}
	domain.SortByName(out, func(o domain.Organisation) string { return o.Name })
	return out
}

// WriteGroups writes the groups of the allowed organisations, a row at a
// time, flushing as it goes.
func WriteGroups(w io.Writer, r *Ref) error {
	if r.orgByID == nil {
		r.index()
	}
	cw, err := newWriter(w)
	if err != nil {
		return err
	}
	if err := cw.Write(GroupColumns); err != nil {
		return err
	}
	byOrg := map[string][]domain.Group{}
	for _, g := range r.Groups {
		byOrg[g.OrgID] = append(byOrg[g.OrgID], g)
	}
	n := 0
	for _, o := range r.orgsInOrder() {
		gs := byOrg[o.ID]
		domain.SortByName(gs, func(g domain.Group) string { return g.Name.In("nb") })
		for _, g := range gs {
			if err := cw.Write(guardAll(r.groupRecord(g, o))); err != nil {
				return err
			}
			if n++; n%200 == 0 {
				cw.Flush()
				if err := cw.Error(); err != nil {
					return err
				}
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

func (r *Ref) groupRecord(g domain.Group, o domain.Organisation) []string {
	var themes []string
	for _, id := range g.ThemeIDs {
		themes = append(themes, r.themeByID[id].Slug)
	}
	slices.Sort(themes)
	langs := uniq(g.Languages)
	v := r.shown(r.venueByID[g.VenueID])
	rec := map[string]string{
		"external_id": g.Slug, "name": g.Name["nb"], "name_en": g.Name["en"], "description": g.Description["nb"],
		"description_en": g.Description["en"], "themes": strings.Join(themes, ", "), "model": r.modelByID[g.ModelID].Slug,
		"format": string(g.Format), "languages": strings.Join(langs, ", "), "organisation": o.Slug,
		"municipality": g.MunicipalityID, "venue_name": v.Name, "street": v.Street, "postal_code": v.PostalCode,
		"city": v.City, "status": string(g.Status), "takes_new_members": yesNo(g.TakesNewMembers), "join": string(g.Join),
		"contact": contact(o),
	}
	// How to join online: for those who may edit the group, or when it is
	// public (an open meeting); a closed group's link is given by the house.
	if r.Edit == nil || r.Edit[g.OrgID] || domain.OnlineVisible(g, r.modelByID[g.ModelID]) {
		rec["online_url"], rec["online_phone"], rec["online_notes"] = g.OnlineURL, g.OnlinePhone, g.OnlineNotes
	}
	if v.ID != "" {
		rec["step_free"], rec["hearing_loop"], rec["accessible_toilet"] = yesNo(v.StepFree), yesNo(v.HearingLoop), yesNo(v.AccessibleToilet)
	}
	if !g.Schedule.Start.IsZero() {
		local := g.Schedule.LocalStart()
		rec["frequency"], rec["weekday"] = frequencyText(g.Schedule.RRule, local)
		rec["time"] = local.Format("15:04")
		rec["first_date"] = local.Format("2006-01-02")
		if g.Schedule.DurationMin > 0 {
			rec["length"] = strconv.Itoa(g.Schedule.DurationMin)
		}
	}
	out := make([]string, len(GroupColumns))
	for i, c := range GroupColumns {
		out[i] = rec[c]
	}
	return out
}

// contact is the organisation's public contact (groups are reached through
// the organisation that holds them; no person's contact is exported).
func contact(o domain.Organisation) string {
	var parts []string
	for _, s := range []string{o.Email, o.Phone} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}

// WriteVenues writes the venues of the allowed organisations.
func WriteVenues(w io.Writer, r *Ref) error {
	if r.orgByID == nil {
		r.index()
	}
	cw, err := newWriter(w)
	if err != nil {
		return err
	}
	if err := cw.Write(VenueColumns); err != nil {
		return err
	}
	byOrg := map[string][]domain.Venue{}
	for _, v := range r.Venues {
		byOrg[v.OrgID] = append(byOrg[v.OrgID], v)
	}
	for _, o := range r.orgsInOrder() {
		vs := byOrg[o.ID]
		domain.SortByName(vs, func(v domain.Venue) string { return v.Name })
		for _, v := range vs {
			v = r.shown(v)
			rec := []string{v.ID, v.Name, o.Slug, v.Street, v.PostalCode, v.City, v.MunicipalityID, "", "",
				yesNo(v.StepFree), yesNo(v.HearingLoop), yesNo(v.AccessibleToilet), yesNo(v.AddressPublic),
				v.Directions["nb"], v.Directions["en"]}
			if v.HasCoordinates {
				rec[7], rec[8] = strconv.FormatFloat(v.Lat, 'f', -1, 64), strconv.FormatFloat(v.Lon, 'f', -1, 64)
			}
			if err := cw.Write(guardAll(rec)); err != nil {
				return err
			}
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func guardAll(rec []string) []string {
	for i := range rec {
		rec[i] = guard(rec[i])
	}
	return rec
}

// shown is the venue as the user may see it: a hidden address only for
// those who may edit the venue's organisation.
func (r *Ref) shown(v domain.Venue) domain.Venue {
	if v.AddressPublic || r.Edit == nil || r.Edit[v.OrgID] {
		return v
	}
	return domain.Venue{ID: v.ID, OrgID: v.OrgID, Name: v.Name, MunicipalityID: v.MunicipalityID,
		StepFree: v.StepFree, HearingLoop: v.HearingLoop, AccessibleToilet: v.AccessibleToilet}
}
