package matching_test

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/fellesrom/fellesrom/internal/matching"
	gocmp "github.com/google/go-cmp/cmp"
)

func TestSuggestRanking(t *testing.T) {
	target := matching.Target{Municipality: "0301", Format: matching.InPerson, Slot: "tue-evening", Theme: "sorg", Language: "nb"}
	both := []matching.Format{matching.InPerson, matching.Video}
	people := []pp{
		{ID: "exact", Municipality: "0301", Formats: inPerson(), Themes: []string{"sorg"}, WaitingSince: days(10)},
		{ID: "exact-older", Municipality: "0301", Formats: inPerson(), Themes: []string{"sorg", "angst"}, Slots: []matching.Slot{"tue-evening"}, WaitingSince: days(20)},
		{ID: "open", Municipality: "0301", Formats: inPerson(), WaitingSince: days(300)},
		{ID: "two-formats", Municipality: "0301", Formats: both, Themes: []string{"sorg"}, WaitingSince: days(30)},
		{ID: "baerum", Municipality: "3201", TravelKm: 24, Formats: inPerson(), Themes: []string{"sorg"}, WaitingSince: days(1)},                          // 12 of 24 km
		{ID: "asker", Municipality: "3203", TravelKm: 24, NotOwnMunicipality: true, Formats: inPerson(), Themes: []string{"sorg"}, WaitingSince: days(1)}, // 24 of 24 km
		{ID: "not-home", Municipality: "0301", TravelKm: 50, NotOwnMunicipality: true, Formats: inPerson(), Themes: []string{"sorg"}, WaitingSince: days(400)},
		{ID: "phone", Municipality: "0301", Formats: []matching.Format{matching.Phone}, Themes: []string{"sorg"}, WaitingSince: days(50)},
		{ID: "english", Municipality: "0301", Formats: inPerson(), Themes: []string{"sorg"}, Languages: []string{"en"}, WaitingSince: days(40)},
		{ID: "wednesday", Municipality: "0301", Formats: inPerson(), Themes: []string{"sorg"}, Slots: []matching.Slot{"wed-evening"}, WaitingSince: days(35)},
		{ID: "angst", Municipality: "0301", Formats: inPerson(), Themes: []string{"angst"}, WaitingSince: days(60)},
		{ID: "far", Municipality: "3203", TravelKm: 20, Formats: inPerson(), Themes: []string{"sorg"}, WaitingSince: days(70)},
		{ID: "no-coordinates", Municipality: "5612", TravelKm: 1000, Formats: inPerson(), Themes: []string{"sorg"}, WaitingSince: days(80)},
		{ID: "stays-home", Municipality: "3201", Formats: inPerson(), Themes: []string{"sorg"}, WaitingSince: days(90)},
		{ID: "everything-wrong", Municipality: "0301", NotOwnMunicipality: true, Formats: []matching.Format{matching.Video},
			Slots: []matching.Slot{"mon-morning"}, Themes: []string{"rus"}, Languages: []string{"se"}, WaitingSince: days(2)},
	}
	type row struct {
		ID      string
		Score   int
		Fits    bool
		Reasons []matching.Code
	}
	var got []row
	for _, s := range matching.Suggest(target, people, oslo.dist) {
		got = append(got, row{s.Person.ID, s.Score, s.Fits, s.Reasons})
	}
	want := []row{
		{"exact-older", 100, true, nil},
		{"exact", 100, true, nil},
		{"two-formats", 95, true, nil},
		{"open", 90, true, nil},
		{"baerum", 88, true, nil}, // 5 + 25·(1 − 12/24) = 17.5 → 18 for the place
		{"asker", 75, true, nil},  // at the edge of their reach: 5 for the place
		{"not-home", 0, false, []matching.Code{matching.ReasonOwnMunicipality}},
		{"stays-home", 0, false, []matching.Code{matching.ReasonDistance}},
		{"no-coordinates", 0, false, []matching.Code{matching.ReasonDistance}},
		{"far", 0, false, []matching.Code{matching.ReasonDistance}},
		{"angst", 0, false, []matching.Code{matching.ReasonTheme}},
		{"phone", 0, false, []matching.Code{matching.ReasonFormat}},
		{"english", 0, false, []matching.Code{matching.ReasonLanguage}},
		{"wednesday", 0, false, []matching.Code{matching.ReasonTime}},
		{"everything-wrong", 0, false, []matching.Code{matching.ReasonFormat, matching.ReasonOwnMunicipality,
			matching.ReasonTime, matching.ReasonLanguage, matching.ReasonTheme}},
	}
	if diff := gocmp.Diff(want, got); diff != "" {
		t.Errorf("suggestions (-want +got):\n%s", diff)
	}
}

func TestSuggestOpenAndRemote(t *testing.T) {
	people := []pp{
		{ID: "open", Municipality: "3432", Formats: []matching.Format{matching.Video}, WaitingSince: days(5)},
		{ID: "themed", Municipality: "3432", Formats: []matching.Format{matching.Video}, Themes: []string{"sorg"}, WaitingSince: days(9)},
		// A video group meets nowhere: "not in my own municipality" does not stop it.
		{ID: "not-home", Municipality: "3433", NotOwnMunicipality: true, Formats: []matching.Format{matching.Video, matching.Phone}, WaitingSince: days(1)},
	}
	got := matching.Suggest(matching.Target{Format: matching.Video}, people, nil)
	if got[0].Person.ID != "open" || got[0].Score != 100 || got[1].Person.ID != "not-home" || got[1].Score != 95 ||
		got[2].Fits || !slices.Equal(got[2].Reasons, []matching.Code{matching.ReasonTheme}) {
		t.Errorf("open video group: %+v", got)
	}
	// In person without a place yet: nobody is judged on the place.
	got = matching.Suggest(matching.Target{Format: matching.InPerson}, []pp{
		{ID: "a", Municipality: "3432", NotOwnMunicipality: true, Formats: inPerson(), WaitingSince: days(1)},
	}, nil)
	if !got[0].Fits || got[0].Score != 70 {
		t.Errorf("no place: %+v", got)
	}
}

// Random targets and people: no one is placed in their own municipality
// against their wish, everyone comes back once, and the order is the
// documented one.
func TestSuggestProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	w := randomWorld(r, 12, 3)
	themes := []string{"sorg", "angst", "rus"}
	fitsOwn := 0
	for iter := range 300 {
		people := randomPeople(r, w, r.IntN(60), themes, matching.AllSlots()[:4])
		target := matching.Target{
			Municipality: w.munis[r.IntN(len(w.munis))].id,
			Format:       matching.Formats[r.IntN(3)],
			Slot:         []matching.Slot{"", "mon-morning", "mon-evening"}[r.IntN(3)],
			Theme:        []string{"", "sorg", "angst"}[r.IntN(3)],
			Language:     []string{"", "nb", "en"}[r.IntN(3)],
		}
		if target.Format.Remote() {
			target.Municipality = ""
		}
		got := matching.Suggest(target, people, w.dist)
		if len(got) != len(people) {
			t.Fatalf("iter %d: %d suggestions for %d people", iter, len(got), len(people))
		}
		ids := map[string]bool{}
		for i, s := range got {
			ids[s.Person.ID] = true
			p := s.Person
			if s.Fits == (len(s.Reasons) > 0) || s.Score < 0 || s.Score > 100 || (!s.Fits && s.Score != 0) {
				t.Fatalf("iter %d: %+v", iter, s)
			}
			own := target.Format == matching.InPerson && p.Municipality == target.Municipality
			if own && p.NotOwnMunicipality {
				if s.Fits || !slices.Contains(s.Reasons, matching.ReasonOwnMunicipality) {
					t.Fatalf("iter %d: %s placed in their own municipality %s: %+v", iter, p.ID, p.Municipality, s)
				}
			} else if slices.Contains(s.Reasons, matching.ReasonOwnMunicipality) {
				t.Fatalf("iter %d: own_municipality for %+v at %+v", iter, p, target)
			}
			if own && s.Fits {
				fitsOwn++
			}
			if slices.Contains(s.Reasons, matching.ReasonFormat) == slices.Contains(p.Formats, target.Format) {
				t.Fatalf("iter %d: format: %+v", iter, s)
			}
			if i == 0 {
				continue
			}
			prev := got[i-1]
			c := cmp.Or(
				-cmpBool(prev.Fits, s.Fits),
				cmp.Compare(s.Score, prev.Score),
				prev.Person.WaitingSince.Compare(s.Person.WaitingSince),
				cmp.Compare(prev.Person.ID, s.Person.ID))
			if c >= 0 {
				t.Fatalf("iter %d: %+v before %+v", iter, prev, s)
			}
		}
		if len(ids) != len(people) {
			t.Fatalf("iter %d: someone came back twice", iter)
		}
	}
	if fitsOwn == 0 {
		t.Error("no one was ever suggested in their own municipality: the test is too narrow")
	}
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}
