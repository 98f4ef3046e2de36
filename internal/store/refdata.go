package store

import (
	"context"
	"database/sql"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/refdata"
)

// loadReferenceData upserts the embedded counties and municipalities.
func (s *Store) loadReferenceData(ctx context.Context) error {
	counties, err := refdata.Counties()
	if err != nil {
		return err
	}
	munis, err := refdata.Municipalities()
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, c := range counties {
			if _, err := tx.ExecContext(ctx, `INSERT INTO counties (id, name) VALUES ($1, $2)
				ON CONFLICT (id) DO UPDATE SET name = excluded.name`, c.ID, c.Name); err != nil {
				return err
			}
		}
		for _, m := range munis {
			if _, err := tx.ExecContext(ctx, `INSERT INTO municipalities
				(id, county_id, name, sami_name, adm_centre, population, area_km2, written_form)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
				ON CONFLICT (id) DO UPDATE SET county_id = excluded.county_id, name = excluded.name,
				sami_name = excluded.sami_name, adm_centre = excluded.adm_centre, population = excluded.population,
				area_km2 = excluded.area_km2, written_form = excluded.written_form`,
				m.ID, m.CountyID, m.Name, m.SamiName, m.AdmCentre, m.Population, m.AreaKm2, m.WrittenForm); err != nil {
				return err
			}
		}
		return nil
	})
}

// Counties lists the counties by number.
func (s *Store) Counties(ctx context.Context) ([]domain.County, error) {
	rows, err := s.read.QueryContext(ctx, "SELECT id, name FROM counties ORDER BY id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []domain.County
	for rows.Next() {
		var c domain.County
		if err := rows.Scan(&c.ID, &c.Name); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Municipalities lists the municipalities by name.
func (s *Store) Municipalities(ctx context.Context) ([]domain.Municipality, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, county_id, name, sami_name, adm_centre, population, area_km2, written_form
		FROM municipalities ORDER BY name, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []domain.Municipality
	for rows.Next() {
		var m domain.Municipality
		if err := rows.Scan(&m.ID, &m.CountyID, &m.Name, &m.SamiName, &m.AdmCentre, &m.Population, &m.AreaKm2, &m.WrittenForm); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	domain.SortByName(out, func(m domain.Municipality) string { return m.Name })
	return out, rows.Err()
}
