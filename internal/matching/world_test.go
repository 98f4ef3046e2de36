package matching_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/fellesrom/fellesrom/internal/matching"
)

// now is the fixed "now" of the tests.
var now = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

// muni is a municipality of a test world, on a flat map in km.
type muni struct {
	id, county string
	pop        int
	x, y       float64
	located    bool // false: no coordinates, so distances to it are unknown
}

// world is a made-up country.
type world struct {
	munis []muni
	byID  map[string]muni
}

func newWorld(ms ...muni) *world {
	w := &world{munis: ms, byID: map[string]muni{}}
	for _, m := range ms {
		w.byID[m.id] = m
	}
	return w
}

// dist is the world's Distances.
func (w *world) dist(a, b string) (float64, bool) {
	ma, okA := w.byID[a]
	mb, okB := w.byID[b]
	if !okA || !okB || !ma.located || !mb.located {
		return 0, false
	}
	return math.Hypot(ma.x-mb.x, ma.y-mb.y), true
}

// randomWorld makes n municipalities in counties: clusters of a county
// near each other, one in ten without coordinates, a third under 5,000
// inhabitants.
func randomWorld(r *rand.Rand, n, counties int) *world {
	var ms []muni
	for i := range n {
		c := i % counties
		m := muni{
			id:      fmt.Sprintf("%02d%02d", c+1, i/counties+1),
			county:  fmt.Sprintf("%02d", c+1),
			x:       float64(c)*60 + r.Float64()*50,
			y:       r.Float64() * 50,
			located: r.IntN(10) != 0,
		}
		switch r.IntN(3) {
		case 0:
			m.pop = 200 + r.IntN(4800) // small
		case 1:
			m.pop = 4990 + r.IntN(20) // around the line
		default:
			m.pop = 5000 + r.IntN(700000)
		}
		ms = append(ms, m)
	}
	return newWorld(ms...)
}

// randomPerson draws a person living in w, with choices from small sets so
// that people often fit each other.
func randomPerson(r *rand.Rand, w *world, id int, themes []string, slots []matching.Slot) matching.Person {
	m := w.munis[r.IntN(len(w.munis))]
	p := matching.Person{
		ID:                 fmt.Sprintf("e%04d", id),
		Municipality:       m.id,
		County:             m.county,
		Population:         m.pop,
		TravelKm:           []int{0, 0, 10, 30, 80}[r.IntN(5)],
		NotOwnMunicipality: r.IntN(5) == 0,
		WaitingSince:       now.Add(-time.Duration(r.IntN(400*24)) * time.Hour),
	}
	for _, f := range matching.Formats {
		if r.IntN(3) == 0 {
			p.Formats = append(p.Formats, f)
		}
	}
	if len(p.Formats) == 0 {
		p.Formats = []matching.Format{matching.InPerson}
	}
	if r.IntN(3) != 0 {
		for range 1 + r.IntN(3) {
			p.Slots = append(p.Slots, slots[r.IntN(len(slots))])
		}
	}
	switch r.IntN(3) {
	case 0: // open
	case 1:
		p.Themes = []string{themes[r.IntN(len(themes))]}
	default:
		p.Themes = []string{themes[r.IntN(len(themes))], themes[r.IntN(len(themes))]}
	}
	switch r.IntN(6) {
	case 0:
		p.Languages = []string{"en"}
	case 1:
		p.Languages = []string{"nb", "en"}
	case 2:
		p.Languages = []string{"se", "nb"}
	}
	return p
}

func randomPeople(r *rand.Rand, w *world, n int, themes []string, slots []matching.Slot) []matching.Person {
	out := make([]matching.Person, n)
	for i := range out {
		out[i] = randomPerson(r, w, i, themes, slots)
	}
	return out
}

func shuffled[T any](r *rand.Rand, xs []T) []T {
	out := slices.Clone(xs)
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}
