package matching_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/fellesrom/fellesrom/internal/matching"
	gocmp "github.com/google/go-cmp/cmp"
)

func TestCheckGroup(t *testing.T) {
	person := func(id, m string, pop int) pp {
		return pp{ID: id, Municipality: m, Population: pop, Formats: []matching.Format{matching.InPerson, matching.Video}, WaitingSince: days(1)}
	}
	five := func() []pp {
		return []pp{person("a", "0301", 717710), person("b", "0301", 717710), person("c", "3201", 131000),
			person("d", "3203", 100000), person("e", "3434", 5000)}
	}
	inOslo := matching.Target{Municipality: "0301", Format: matching.InPerson, Language: "nb"}
	video := matching.Target{Format: matching.Video}
	tests := []struct {
		name           string
		target         matching.Target
		invitees       func() []pp
		errs, warnings []matching.Problem
	}{
		{name: "a good group", target: inOslo, invitees: five},
		{name: "three are too few", target: inOslo, invitees: func() []pp { return five()[:3] },
			errs: []matching.Problem{{Code: matching.ProblemSize, Count: 3}}},
		{name: "nine are too many", target: inOslo, invitees: func() []pp {
			ps := five()
			for i := range 4 {
				ps = append(ps, person(fmt.Sprint("x", i), "0301", 717710))
			}
			return ps
		}, errs: []matching.Problem{{Code: matching.ProblemSize, Count: 9}}},
		{name: "eight are fine", target: inOslo, invitees: func() []pp {
			ps := five()
			for i := range 3 {
				ps = append(ps, person(fmt.Sprint("x", i), "0301", 717710))
			}
			return ps
		}},
		{name: "the same person twice", target: inOslo, invitees: func() []pp {
			ps := five()
			return append(ps[:4], ps[0], ps[0])
		}, errs: []matching.Problem{{Code: matching.ProblemDuplicate, PersonID: "a"}}},
		{name: "not in my own municipality, in person", target: inOslo, invitees: func() []pp {
			ps := five()
			ps[1].NotOwnMunicipality = true
			ps[2].NotOwnMunicipality = true // lives in Bærum: fine
			return ps
		}, errs: []matching.Problem{{Code: matching.ReasonOwnMunicipality, PersonID: "b"}}},
		{name: "not in my own municipality, by video", target: video, invitees: func() []pp {
			ps := five()
			ps[1].NotOwnMunicipality = true
			return ps
		}},
		{name: "format", target: inOslo, invitees: func() []pp {
			ps := five()
			ps[3].Formats = []matching.Format{matching.Phone}
			return ps
		}, errs: []matching.Problem{{Code: matching.ReasonFormat, PersonID: "d"}}},
		{name: "in person without a place", target: matching.Target{Format: matching.InPerson}, invitees: five,
			errs: []matching.Problem{{Code: matching.ProblemNoMunicipality}}},
		{name: "two in a small municipality", target: inOslo, invitees: func() []pp {
			ps := five()
			ps[2], ps[3] = person("c", "3432", 2000), person("d", "3432", 2000)
			ps[4] = person("e", "3433", 4999) // alone there: fine
			return ps
		}, warnings: []matching.Problem{{Code: matching.ProblemSmallMunicipality, Municipality: "3432", Count: 2}}},
		{name: "small municipalities by phone too", target: video, invitees: func() []pp {
			ps := five()
			ps[0], ps[1], ps[2] = person("a", "3433", 4999), person("b", "3433", 4999), person("c", "3433", 4999)
			ps[3], ps[4] = person("d", "3432", 2000), person("e", "3432", 2000)
			return ps
		}, warnings: []matching.Problem{
			{Code: matching.ProblemSmallMunicipality, Municipality: "3432", Count: 2},
			{Code: matching.ProblemSmallMunicipality, Municipality: "3433", Count: 3},
		}},
		{name: "5,000 is not small", target: inOslo, invitees: func() []pp {
			ps := five()
			ps[3] = person("d", "3434", 5000)
			return ps
		}},
		{name: "slot, language and theme warn", target: matching.Target{Municipality: "0301", Format: matching.InPerson,
			Slot: "tue-evening", Theme: "sorg", Language: "nb"}, invitees: func() []pp {
			ps := five()
			ps[0].Slots = []matching.Slot{"wed-evening"}
			ps[1].Languages = []string{"en"}
			ps[2].Themes = []string{"angst"}
			ps[3].Themes = []string{"sorg"}
			return ps
		}, warnings: []matching.Problem{
			{Code: matching.ReasonTime, PersonID: "a"},
			{Code: matching.ReasonLanguage, PersonID: "b"},
			{Code: matching.ReasonTheme, PersonID: "c"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs, warnings := matching.CheckGroup(tt.target, tt.invitees())
			if diff := gocmp.Diff(tt.errs, errs); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
			if diff := gocmp.Diff(tt.warnings, warnings); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
		})
	}
}

// For any random group: CheckGroup refuses exactly the people who would
// meet in their own municipality against their wish, and warns exactly
// about the small municipalities where two or more invitees live.
func TestCheckGroupProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	w := randomWorld(r, 8, 2)
	sawOwn, sawSmall := 0, 0
	for iter := range 2000 {
		people := randomPeople(r, w, 2+r.IntN(9), []string{"sorg"}, matching.AllSlots())
		target := matching.Target{Format: matching.Formats[r.IntN(3)], Municipality: w.munis[r.IntN(len(w.munis))].id}
		if target.Format.Remote() && r.IntN(2) == 0 {
			target.Municipality = ""
		}
		errs, warnings := matching.CheckGroup(target, people)

		var wantOwn, gotOwn []string
		for _, p := range people {
			if target.Format == matching.InPerson && p.NotOwnMunicipality && p.Municipality == target.Municipality {
				wantOwn = append(wantOwn, p.ID)
			}
		}
		for _, e := range errs {
			if e.Code == matching.ReasonOwnMunicipality {
				gotOwn = append(gotOwn, e.PersonID)
			}
		}
		if !slices.Equal(wantOwn, gotOwn) {
			t.Fatalf("iter %d: own_municipality for %v, want %v (target %+v)", iter, gotOwn, wantOwn, target)
		}
		sawOwn += len(wantOwn)

		living := map[string]int{}
		for _, p := range people {
			living[p.Municipality]++
		}
		var wantSmall, gotSmall []string
		for m, n := range living {
			if n >= 2 && w.byID[m].pop < matching.SmallMunicipality {
				wantSmall = append(wantSmall, fmt.Sprint(m, "×", n))
			}
		}
		slices.Sort(wantSmall)
		for _, wa := range warnings {
			if wa.Code == matching.ProblemSmallMunicipality {
				if wa.PersonID != "" {
					t.Fatalf("iter %d: the warning names a person: %+v", iter, wa)
				}
				gotSmall = append(gotSmall, fmt.Sprint(wa.Municipality, "×", wa.Count))
			}
		}
		if !slices.Equal(wantSmall, gotSmall) {
			t.Fatalf("iter %d: small municipalities %v, want %v", iter, gotSmall, wantSmall)
		}
		sawSmall += len(wantSmall)

		sizeErr := slices.ContainsFunc(errs, func(p matching.Problem) bool { return p.Code == matching.ProblemSize })
		if n := len(people); sizeErr != (n < matching.MinGroup || n > matching.MaxGroup) {
			t.Fatalf("iter %d: %d people, size error %v", iter, n, sizeErr)
		}
	}
	if sawOwn < 50 || sawSmall < 50 {
		t.Errorf("the random groups test too little: %d own-municipality cases, %d small municipalities", sawOwn, sawSmall)
	}
}
