package matching_test

import (
	"math/rand/v2"
	"testing"

	"github.com/fellesrom/fellesrom/internal/matching"
)

// benchPeople is 2,000 people waiting across 357 municipalities in 15
// counties, with 20 themes and every slot.
func benchPeople() ([]pp, *world) {
	r := rand.New(rand.NewPCG(11, 12))
	w := randomWorld(r, 357, 15)
	themes := []string{"angst", "sorg", "samliv", "rus-parorende", "ensomhet", "utbrenthet", "kreft", "spiseforstyrrelser",
		"selvmord-etterlatte", "barnloshet", "kronisk-smerte", "stress", "traumer", "overgrep", "gjeld", "mobbing",
		"adhd", "autisme-parorende", "demens-parorende", "samlivsbrudd"}
	return randomPeople(r, w, 2000, themes, matching.AllSlots()), w
}

func BenchmarkPools(b *testing.B) {
	people, w := benchPeople()
	b.ReportAllocs()
	var pools []matching.Pool
	for b.Loop() {
		pools = matching.Pools(people, w.dist, now)
	}
	formed := 0
	for _, p := range pools {
		if p.CanForm {
			formed++
		}
	}
	b.ReportMetric(float64(len(pools)), "pools")
	b.ReportMetric(float64(formed), "can-form")
}

func BenchmarkSuggest(b *testing.B) {
	people, w := benchPeople()
	target := matching.Target{Municipality: w.munis[0].id, Format: matching.InPerson, Slot: "tue-evening", Theme: "sorg", Language: "nb"}
	b.ReportAllocs()
	fits := 0
	for b.Loop() {
		fits = 0
		for _, s := range matching.Suggest(target, people, w.dist) {
			if s.Fits {
				fits++
			}
		}
	}
	b.ReportMetric(float64(fits), "fit")
}
