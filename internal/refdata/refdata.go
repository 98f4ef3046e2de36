// Package refdata embeds the reference data of Norway: the 357 municipalities
// and 15 counties of 2025 (see SOURCE.md).
package refdata

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/fellesrom/fellesrom/internal/domain"
)

//go:embed kommuner-2025.json
var kommunerJSON []byte

//go:embed fylker-2025.json
var fylkerJSON []byte

type kommune struct {
	ID         string  `json:"k_id"`
	Name       string  `json:"k_name"`
	NameNo     string  `json:"k_name_no"`
	AdmCenter  string  `json:"k_adm_center"`
	Population int     `json:"k_population"`
	Area       float64 `json:"k_area"`
	Language   string  `json:"k_language"`
}

type fylke struct {
	ID   string `json:"f_id"`
	Name string `json:"f_name"`
}

// Counties returns the counties, in the file's order.
func Counties() ([]domain.County, error) {
	var fs []fylke
	if err := json.Unmarshal(fylkerJSON, &fs); err != nil {
		return nil, fmt.Errorf("fylker: %w", err)
	}
	out := make([]domain.County, len(fs))
	for i, f := range fs {
		out[i] = domain.County{ID: f.ID, Name: f.Name}
	}
	return out, nil
}

// Municipalities returns the municipalities, in the file's order.
func Municipalities() ([]domain.Municipality, error) {
	var ks []kommune
	if err := json.Unmarshal(kommunerJSON, &ks); err != nil {
		return nil, fmt.Errorf("kommuner: %w", err)
	}
	out := make([]domain.Municipality, len(ks))
	for i, k := range ks {
		m := domain.Municipality{ID: k.ID, CountyID: k.ID[:2], Name: k.NameNo, AdmCentre: k.AdmCenter,
			Population: k.Population, AreaKm2: k.Area, WrittenForm: strings.ToLower(k.Language)}
		if k.Name != k.NameNo {
			m.SamiName = k.Name
		}
		out[i] = m
	}
	return out, nil
}
