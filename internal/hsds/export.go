package hsds

import (
	"archive/zip"
	"bufio"
	"context"
	_ "embed"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"strconv"

	"github.com/fellesrom/fellesrom/internal/finder"
)

// allHits returns every public group, in the finder's order.
func (h *Handler) allHits(ctx context.Context) ([]finder.Hit, error) {
	res, err := h.d.Finder.Search(ctx, finder.Query{Page: 1, PerPage: math.MaxInt32})
	return res.Hits, err
}

// Export is the full export as one JSON document: every table of the
// directory that fellesrom publishes, each an array of HSDS objects.
// Services are nested as in GET /services/{id} without the organization
// (which is under organizations).
func (h *Handler) exportJSON(w http.ResponseWriter, r *http.Request, cat *finder.Catalog) error {
	ctx := r.Context()
	hits, err := h.allHits(ctx)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Disposition", `attachment; filename="hsds.json"`)
	return h.writeJSON(ctx, newJSON(w, "application/json"), cat, hits)
}

func (h *Handler) writeJSON(ctx context.Context, jw *jsonWriter, cat *finder.Catalog, hits []finder.Hit) error {
	bw := jw.bw
	fmt.Fprintf(bw, `{"version":%q,"taxonomies":[`, Version)
	if err := jw.enc.Encode(TheTaxonomy()); err != nil {
		return err
	}
	bw.WriteString(`],"taxonomy_terms":[`)
	for i, t := range cat.Themes {
		if i > 0 {
			bw.WriteByte(',')
		}
		if err := jw.enc.Encode(Term(t)); err != nil {
			return err
		}
	}
	bw.WriteString(`],"organizations":[`)
	exOrgs, err := h.originals(ctx, cat, nil, cat.Organisations)
	if err != nil {
		return err
	}
	for i, o := range cat.Organisations {
		if i > 0 {
			bw.WriteByte(',')
		}
		v, err := orgOut(cat, o, nil, exOrgs)
		if err != nil {
			return err
		}
		if err := jw.enc.Encode(v); err != nil {
			return err
		}
	}
	bw.WriteString(`],"services":[`)
	first := true
	err = h.eachListing(ctx, cat, hits, func(l finder.Listing, ex originals) error {
		if !first {
			bw.WriteByte(',')
		}
		first = false
		s, err := serviceOut(cat, l, true, true, ex)
		if err != nil {
			return err
		}
		return jw.enc.Encode(s)
	})
	if err != nil {
		return err
	}
	bw.WriteString("]}\n")
	return bw.Flush()
}

//go:embed tabular.json
var tabularJSON []byte

// Table is one CSV file of the tabular data package: its resource name in
// tabular.json, its file, and its columns in the standard's order.
type Table struct {
	Name, Path string
	Columns    []string
}

// Tables are the tables the CSV data package holds.
var Tables = []Table{
	{"organization", "organizations.csv", []string{"id", "name", "alternate_name", "description", "email", "website", "tax_status", "tax_id", "year_incorporated", "legal_status", "logo", "uri", "parent_organization_id"}},
	{"service", "services.csv", []string{"id", "organization_id", "program_id", "name", "alternate_name", "description", "url", "email", "status", "interpretation_services", "application_process", "fees_description", "wait_time", "fees", "accreditations", "eligibility_description", "minimum_age", "maximum_age", "assured_date", "assurer_email", "licenses", "alert", "last_modified"}},
	{"location", "locations.csv", []string{"id", "location_type", "url", "organization_id", "name", "alternate_name", "description", "transportation", "latitude", "longitude", "external_identifier", "external_identifier_type"}},
	{"address", "addresses.csv", []string{"id", "location_id", "attention", "address_1", "address_2", "city", "region", "state_province", "postal_code", "country", "address_type"}},
	{"accessibility", "accessibility.csv", []string{"id", "location_id", "description", "details", "url"}},
	{"service_at_location", "service_at_location.csv", []string{"id", "service_id", "location_id", "description"}},
	{"schedule", "schedules.csv", []string{"id", "service_id", "location_id", "service_at_location_id", "valid_from", "valid_to", "dtstart", "timezone", "until", "count", "wkst", "freq", "interval", "byday", "byweekno", "bymonthday", "byyearday", "description", "opens_at", "closes_at", "schedule_link", "attending_type", "notes"}},
	{"language", "languages.csv", []string{"id", "service_id", "location_id", "phone_id", "name", "code", "note"}},
	{"contact", "contacts.csv", []string{"id", "organization_id", "service_id", "service_at_location_id", "location_id", "name", "title", "department", "email"}},
	{"phone", "phones.csv", []string{"id", "location_id", "service_id", "organization_id", "contact_id", "service_at_location_id", "number", "extension", "type", "description"}},
	{"taxonomy", "taxonomies.csv", []string{"id", "name", "description", "uri", "version"}},
	{"taxonomy_term", "taxonomy_terms.csv", []string{"id", "code", "name", "description", "parent_id", "taxonomy", "language", "taxonomy_id", "term_uri"}},
	{"attribute", "attributes.csv", []string{"id", "link_id", "taxonomy_term_id", "link_type", "link_entity", "value"}},
}

// DataPackage returns datapackage.json: a Frictionless tabular data
// package describing Tables, with the field types and descriptions of the
// standard's tabular.json.
func DataPackage() ([]byte, error) {
	var tab struct {
		Properties map[string]struct {
			Items struct {
				Name, Path, Description string
				Properties              map[string]struct {
					Name, Type, Title, Description, Format string
				}
			}
		}
	}
	if err := json.Unmarshal(tabularJSON, &tab); err != nil {
		return nil, err
	}
	type field struct {
		Name        string `json:"name"`
		Type        string `json:"type"`
		Title       string `json:"title,omitempty"`
		Description string `json:"description,omitempty"`
		Format      string `json:"format,omitempty"`
	}
	type resource struct {
		Name        string `json:"name"`
		Path        string `json:"path"`
		Profile     string `json:"profile"`
		Format      string `json:"format"`
		Mediatype   string `json:"mediatype"`
		Encoding    string `json:"encoding"`
		Description string `json:"description,omitempty"`
		Schema      struct {
			Fields []field `json:"fields"`
		} `json:"schema"`
	}
	pkg := struct {
		Name      string     `json:"name"`
		Title     string     `json:"title"`
		Profile   string     `json:"profile"`
		Version   string     `json:"version"`
		Resources []resource `json:"resources"`
	}{Name: "fellesrom-hsds", Title: "fellesrom: HSDS 3.0 export", Profile: "tabular-data-package", Version: Version}
	for _, t := range Tables {
		def, ok := tab.Properties[t.Name]
		if !ok {
			return nil, fmt.Errorf("tabular.json has no table %q", t.Name)
		}
		res := resource{Name: t.Name, Path: t.Path, Profile: "tabular-data-resource", Format: "csv",
			Mediatype: "text/csv", Encoding: "utf-8", Description: def.Items.Description}
		for _, c := range t.Columns {
			p, ok := def.Items.Properties[c]
			if !ok {
				return nil, fmt.Errorf("tabular.json: %s has no field %q", t.Name, c)
			}
			f := field{Name: c, Type: p.Type, Title: p.Title, Description: p.Description}
			if p.Format != "uuid" {
				f.Format = p.Format
			}
			res.Schema.Fields = append(res.Schema.Fields, f)
		}
		pkg.Resources = append(pkg.Resources, res)
	}
	return json.MarshalIndent(pkg, "", "  ")
}

// tableWriter collects a table's rows in a temporary file, so that the
// export holds no table in memory and the zip is written one file at a time.
type tableWriter struct {
	t    Table
	f    *os.File
	bw   *bufio.Writer
	w    *csv.Writer
	seen map[string]bool
}

// row writes a row of the named columns; a row whose ID was written
// before (a venue shared by groups) is skipped.
func (tw *tableWriter) row(vals map[string]string) error {
	id := vals["id"]
	if tw.seen[id] {
		return nil
	}
	tw.seen[id] = true
	rec := make([]string, len(tw.t.Columns))
	for i, c := range tw.t.Columns {
		rec[i] = vals[c]
	}
	return tw.w.Write(rec)
}

func num(p *int) string {
	if p == nil {
		return ""
	}
	return strconv.Itoa(*p)
}

func numOmit0(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

func float(p *float64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatFloat(*p, 'f', -1, 64)
}

func (h *Handler) exportZip(w http.ResponseWriter, r *http.Request, cat *finder.Catalog) error {
	ctx := r.Context()
	hits, err := h.allHits(ctx)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "fellesrom-hsds-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	tables := map[string]*tableWriter{}
	for _, t := range Tables {
		f, err := os.Create(dir + "/" + t.Path)
		if err != nil {
			return err
		}
		defer f.Close()
		bw := bufio.NewWriter(f)
		tw := &tableWriter{t: t, f: f, bw: bw, w: csv.NewWriter(bw), seen: map[string]bool{}}
		if err := tw.w.Write(t.Columns); err != nil {
			return err
		}
		tables[t.Name] = tw
	}
	if err := writeTables(ctx, h, cat, hits, tables); err != nil {
		return err
	}
	pkg, err := DataPackage()
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="hsds.zip"`)
	zw := zip.NewWriter(w)
	f, err := zw.Create("datapackage.json")
	if err != nil {
		return err
	}
	if _, err := f.Write(pkg); err != nil {
		return err
	}
	for _, t := range Tables {
		tw := tables[t.Name]
		tw.w.Flush()
		if err := tw.w.Error(); err != nil {
			return err
		}
		if err := tw.bw.Flush(); err != nil {
			return err
		}
		if _, err := tw.f.Seek(0, io.SeekStart); err != nil {
			return err
		}
		zf, err := zw.Create(t.Path)
		if err != nil {
			return err
		}
		if _, err := io.Copy(zf, tw.f); err != nil {
			return err
		}
	}
	return zw.Close()
}

func writeTables(ctx context.Context, h *Handler, cat *finder.Catalog, hits []finder.Hit, tables map[string]*tableWriter) error {
	if err := tables["taxonomy"].row(map[string]string{"id": TaxonomyID, "name": TaxonomyName,
		"description": TheTaxonomy().Description, "version": TheTaxonomy().Version}); err != nil {
		return err
	}
	for _, t := range cat.Themes {
		tt := Term(t)
		if err := tables["taxonomy_term"].row(map[string]string{"id": tt.ID, "code": tt.Code, "name": tt.Name,
			"description": tt.Description, "taxonomy": tt.Taxonomy, "language": tt.Language, "taxonomy_id": tt.TaxonomyID}); err != nil {
			return err
		}
	}
	for _, o := range cat.Organisations {
		org := MapOrganization(cat, o)
		if err := tables["organization"].row(map[string]string{"id": org.ID, "name": org.Name, "description": org.Description,
			"email": org.Email, "website": org.Website, "parent_organization_id": org.ParentOrganizationID}); err != nil {
			return err
		}
		for _, c := range org.Contacts {
			if err := tables["contact"].row(map[string]string{"id": c.ID, "organization_id": c.OrganizationID,
				"name": c.Name, "email": c.Email}); err != nil {
				return err
			}
			for _, p := range c.Phones {
				if err := phoneRow(tables, p); err != nil {
					return err
				}
			}
		}
		for _, p := range org.Phones {
			if err := phoneRow(tables, p); err != nil {
				return err
			}
		}
		for _, l := range org.Locations {
			if err := locationRows(tables, l); err != nil {
				return err
			}
		}
	}
	return h.eachListing(ctx, nil, hits, func(l finder.Listing, _ originals) error {
		s := MapService(cat, l, true)
		if err := tables["service"].row(map[string]string{"id": s.ID, "organization_id": s.OrganizationID, "name": s.Name,
			"alternate_name": s.AlternateName, "description": s.Description, "status": s.Status,
			"application_process": s.ApplicationProcess, "fees_description": s.FeesDescription,
			"eligibility_description": s.EligibilityDescription, "minimum_age": num(s.MinimumAge),
			"maximum_age": num(s.MaximumAge), "last_modified": s.LastModified}); err != nil {
			return err
		}
		for _, p := range s.Phones {
			if err := phoneRow(tables, p); err != nil {
				return err
			}
		}
		for _, sc := range s.Schedules {
			if err := tables["schedule"].row(map[string]string{"id": sc.ID, "service_id": sc.ServiceID, "dtstart": sc.DTStart,
				"timezone": float(sc.Timezone), "until": sc.Until, "count": numOmit0(sc.Count), "wkst": sc.Wkst, "freq": sc.Freq,
				"interval": numOmit0(sc.Interval), "byday": sc.ByDay, "description": sc.Description, "opens_at": sc.OpensAt,
				"closes_at": sc.ClosesAt, "notes": sc.Notes}); err != nil {
				return err
			}
		}
		for _, lg := range s.Languages {
			if err := tables["language"].row(map[string]string{"id": lg.ID, "service_id": lg.ServiceID, "name": lg.Name, "code": lg.Code}); err != nil {
				return err
			}
		}
		for _, a := range s.Attributes {
			if err := tables["attribute"].row(map[string]string{"id": a.ID, "link_id": a.LinkID, "taxonomy_term_id": a.TaxonomyTermID,
				"link_type": a.LinkType, "link_entity": a.LinkEntity}); err != nil {
				return err
			}
		}
		for _, sal := range s.ServiceAtLocations {
			if err := tables["service_at_location"].row(map[string]string{"id": sal.ID, "service_id": sal.ServiceID,
				"location_id": sal.LocationID, "description": sal.Description}); err != nil {
				return err
			}
			if sal.Location != nil {
				if err := locationRows(tables, *sal.Location); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

func phoneRow(tables map[string]*tableWriter, p Phone) error {
	return tables["phone"].row(map[string]string{"id": p.ID, "location_id": p.LocationID, "service_id": p.ServiceID,
		"organization_id": p.OrganizationID, "contact_id": p.ContactID, "number": p.Number, "type": p.Type,
		"description": p.Description})
}

func locationRows(tables map[string]*tableWriter, l Location) error {
	if tables["location"].seen[l.ID] {
		return nil
	}
	if err := tables["location"].row(map[string]string{"id": l.ID, "location_type": l.LocationType, "url": l.URL, "organization_id": l.OrganizationID,
		"name": l.Name, "description": l.Description, "transportation": l.Transportation,
		"latitude": float(l.Latitude), "longitude": float(l.Longitude)}); err != nil {
		return err
	}
	for _, a := range l.Addresses {
		if err := tables["address"].row(map[string]string{"id": a.ID, "location_id": a.LocationID, "address_1": a.Address1,
			"city": a.City, "region": a.Region, "state_province": a.StateProvince, "postal_code": a.PostalCode,
			"country": a.Country, "address_type": a.AddressType}); err != nil {
			return err
		}
	}
	for _, a := range l.Accessibility {
		if err := tables["accessibility"].row(map[string]string{"id": a.ID, "location_id": a.LocationID, "description": a.Description}); err != nil {
			return err
		}
	}
	for _, p := range l.Phones {
		if err := phoneRow(tables, p); err != nil {
			return err
		}
	}
	return nil
}
