package api

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/fellesrom/fellesrom/internal/finder"
)

type municipality struct {
	ID          string  `json:"id"`
	Name        string  `json:"name"`
	SamiName    *string `json:"sami_name"`
	CountyID    string  `json:"county_id"`
	Population  int     `json:"population"`
	WrittenForm *string `json:"written_form"`
}

type county struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// listMunicipalities is GET /api/v1/municipalities[?county=NN,…].
func (s *server) listMunicipalities(w http.ResponseWriter, r *http.Request, v url.Values) {
	counties, err := countyFilter(v)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cat, err := s.finder.Catalog(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, c := range counties {
		if _, ok := cat.CountyByID[c]; !ok {
			s.fail(w, r, errBadParameter("county", "unknown value"))
			return
		}
	}
	items := make([]municipality, 0, len(cat.Municipalities))
	for _, m := range cat.Municipalities {
		if len(counties) > 0 && !slices.Contains(counties, m.CountyID) {
			continue
		}
		items = append(items, municipality{ID: m.ID, Name: m.Name, SamiName: optString(m.SamiName),
			CountyID: m.CountyID, Population: m.Population, WrittenForm: optString(m.WrittenForm)})
	}
	s.writeJSON(w, r, http.StatusOK, listOf(items))
}

// countyFilter reads county the way finder.ParseQuery does: repeated or
// comma-separated two-digit numbers.
func countyFilter(v url.Values) ([]string, error) {
	var out []string
	for _, s := range v["county"] {
		for p := range strings.SplitSeq(s, ",") {
			if p = strings.TrimSpace(p); p != "" && !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	if len(out) > finder.MaxValues {
		return nil, errBadParameter("county", "too many values")
	}
	for _, c := range out {
		if len(c) != 2 || c[0] < '0' || c[0] > '9' || c[1] < '0' || c[1] > '9' {
			return nil, errBadParameter("county", "a county is two digits, such as 03")
		}
	}
	return out, nil
}

// listCounties is GET /api/v1/counties.
func (s *server) listCounties(w http.ResponseWriter, r *http.Request, _ url.Values) {
	cat, err := s.finder.Catalog(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	items := make([]county, 0, len(cat.Counties))
	for _, c := range cat.Counties {
		items = append(items, county{ID: c.ID, Name: c.Name})
	}
	s.writeJSON(w, r, http.StatusOK, listOf(items))
}
