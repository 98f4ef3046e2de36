package store

import (
	"context"
	"database/sql"
	"math"
)

// What the matching of people to groups needs from the directory (package
// matching is pure logic and reads nothing itself).

// Point is a place on the map, in degrees.
type Point struct {
	Lat, Lon float64
}

// MunicipalityPoints is a point for each municipality that has at least one
// venue with coordinates: the mean of its venues' coordinates. The
// reference data holds no coordinates of municipalities, so a municipality
// without a venue has no point (and its distances are unknown to the
// matching, which then falls back to same-municipality rules). It reads no
// personal data.
func (s *Store) MunicipalityPoints(ctx context.Context) (map[string]Point, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT municipality_id, AVG(lat), AVG(lon) FROM venues
		WHERE lat IS NOT NULL AND lon IS NOT NULL GROUP BY municipality_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]Point{}
	for rows.Next() {
		var id string
		var lat, lon sql.NullFloat64
		if err := rows.Scan(&id, &lat, &lon); err != nil {
			return nil, err
		}
		if lat.Valid && lon.Valid {
			out[id] = Point{Lat: lat.Float64, Lon: lon.Float64}
		}
	}
	return out, rows.Err()
}

// DistanceKm is the great-circle distance between two points in kilometres
// (haversine, on a sphere of the Earth's mean radius).
func DistanceKm(a, b Point) float64 {
	const r = 6371.0088
	rad := math.Pi / 180
	dLat := (b.Lat - a.Lat) * rad
	dLon := (b.Lon - a.Lon) * rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) +
		math.Cos(a.Lat*rad)*math.Cos(b.Lat*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * r * math.Asin(math.Min(1, math.Sqrt(h)))
}
