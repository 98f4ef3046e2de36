package matching_test

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/matching"
	"github.com/google/go-cmp/cmp"
)

func TestSlots(t *testing.T) {
	all := matching.AllSlots()
	if len(all) != 21 || all[0] != "mon-morning" || all[2] != "mon-evening" || all[20] != "sun-evening" {
		t.Fatalf("AllSlots = %v", all)
	}
	for _, s := range all {
		if got, ok := matching.ParseSlot(string(s)); !ok || got != s {
			t.Errorf("ParseSlot(%q) = %q, %v", s, got, ok)
		}
	}
	if s := matching.Slot("wed-evening"); s.Day() != "wed" || s.Part() != "evening" {
		t.Errorf("wed-evening: day %q part %q", s.Day(), s.Part())
	}
	for _, bad := range []string{"", "mon", "mon-", "-evening", "Mon-evening", "mon-night", "mon-evening-", "monday-evening", "mon_evening"} {
		if _, ok := matching.ParseSlot(bad); ok {
			t.Errorf("ParseSlot(%q) accepted", bad)
		}
	}
	all[0] = "changed"
	if matching.AllSlots()[0] != "mon-morning" {
		t.Error("AllSlots shares its slice")
	}
	for _, f := range []string{"in_person", "phone", "video"} {
		if _, ok := matching.ParseFormat(f); !ok {
			t.Errorf("ParseFormat(%q) refused", f)
		}
	}
	if _, ok := matching.ParseFormat("letter"); ok {
		t.Error("ParseFormat(letter) accepted")
	}
}

// oslo is a small fixed world: Oslo and its neighbours, two small
// municipalities in Innlandet, and one without coordinates.
var oslo = newWorld(
	muni{id: "0301", county: "03", pop: 717710, x: 0, y: 0, located: true},
	muni{id: "3201", county: "32", pop: 131000, x: 12, y: 0, located: true}, // Bærum, 12 km
	muni{id: "3203", county: "32", pop: 100000, x: 24, y: 0, located: true}, // Asker, 24 km
	muni{id: "3432", county: "34", pop: 2000, x: 200, y: 0, located: true},  // small
	muni{id: "3433", county: "34", pop: 4999, x: 205, y: 0, located: true},  // small, just
	muni{id: "3434", county: "34", pop: 5000, x: 210, y: 0, located: true},  // not small
	muni{id: "5612", county: "56", pop: 1200, x: 0, y: 0, located: false},   // no coordinates
)

type pp = matching.Person

func days(n int) time.Time { return now.Add(-time.Duration(n) * 24 * time.Hour) }

func inPerson() []matching.Format { return []matching.Format{matching.InPerson} }

func TestPools(t *testing.T) {
	tue := []matching.Slot{"tue-evening"}
	people := []pp{
		{ID: "a", Municipality: "0301", County: "03", Formats: inPerson(), Themes: []string{"sorg"}, Slots: tue, WaitingSince: days(90)},
		{ID: "b", Municipality: "0301", County: "03", Formats: inPerson(), WaitingSince: days(60)},
		{ID: "c", Municipality: "0301", County: "03", Formats: []matching.Format{matching.InPerson, matching.Video},
			Themes: []string{"sorg"}, Slots: []matching.Slot{"tue-evening", "wed-evening"}, WaitingSince: days(30)},
		// Can travel to Bærum, but no one in the Oslo pool lives there.
		{ID: "d", Municipality: "0301", County: "03", NotOwnMunicipality: true, TravelKm: 20, Formats: inPerson(),
			Themes: []string{"sorg"}, WaitingSince: days(100)},
		{ID: "e", Municipality: "0301", County: "03", Formats: inPerson(), Themes: []string{"angst"}, WaitingSince: days(10)},
		{ID: "f", Municipality: "0301", County: "03", Formats: inPerson(), Themes: []string{"sorg"}, Slots: tue,
			Languages: []string{"en", "nb"}, WaitingSince: days(5)},
		{ID: "g", Municipality: "3201", County: "32", Formats: []matching.Format{matching.Phone}, Themes: []string{"angst"}, WaitingSince: days(1)},
		{ID: "h", Municipality: "3201", County: "32", Formats: nil, WaitingSince: days(1)}, // no format: no pool
	}
	pools := matching.Pools(people, oslo.dist, now)

	type summary struct {
		Members, Core []string
		CanForm       bool
		Meeting       matching.Target
	}
	got := map[string]summary{}
	var keys []string
	for _, p := range pools {
		s := summary{Core: p.Core, CanForm: p.CanForm, Meeting: p.Meeting}
		for _, m := range p.Members {
			s.Members = append(s.Members, m.Person.ID)
			if m.Waited != now.Sub(m.Person.WaitingSince) {
				t.Errorf("%s: %s waited %v", p.Key, m.Person.ID, m.Waited)
			}
		}
		if p.Key != matching.PoolKey(p.Format, p.County, p.Theme) {
			t.Errorf("key %q for %v %q %q", p.Key, p.Format, p.County, p.Theme)
		}
		got[p.Key] = s
		keys = append(keys, p.Key)
	}
	want := map[string]summary{
		"in_person:03:sorg": {
			Members: []string{"d", "a", "b", "c", "f"}, // longest waiting first; b is there as cross-theme
			Core:    []string{"a", "b", "c", "f"},
			CanForm: true,
			Meeting: matching.Target{Municipality: "0301", Format: matching.InPerson, Slot: "tue-evening", Theme: "sorg", Language: "nb"},
		},
		"in_person:03:open":  {Members: []string{"b"}, Core: []string{"b"}, Meeting: matching.Target{Municipality: "0301", Format: matching.InPerson, Language: "nb"}},
		"in_person:03:angst": {Members: []string{"b", "e"}, Core: []string{"b", "e"}, Meeting: matching.Target{Municipality: "0301", Format: matching.InPerson, Theme: "angst", Language: "nb"}},
		"video::sorg":        {Members: []string{"c"}, Core: []string{"c"}, Meeting: matching.Target{Format: matching.Video, Slot: "tue-evening", Theme: "sorg", Language: "nb"}},
		"phone::angst":       {Members: []string{"g"}, Core: []string{"g"}, Meeting: matching.Target{Format: matching.Phone, Theme: "angst", Language: "nb"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("pools (-want +got):\n%s", diff)
	}
	// The pool that can form comes first, then by the longest wait.
	wantKeys := []string{"in_person:03:sorg", "in_person:03:angst", "in_person:03:open", "video::sorg", "phone::angst"}
	if !slices.Equal(keys, wantKeys) {
		t.Errorf("order %v, want %v", keys, wantKeys)
	}
}

// Fitting is sharing one meeting: people who share a slot two by two but
// have no slot in common do not make a group.
func TestPoolsNeedOneCommonSlot(t *testing.T) {
	mk := func(id string, slots ...matching.Slot) pp {
		return pp{ID: id, Municipality: "0301", County: "03", Formats: inPerson(), Slots: slots, WaitingSince: days(1)}
	}
	people := []pp{mk("x", "mon-evening", "tue-evening"), mk("y", "tue-evening", "wed-evening"),
		mk("z", "wed-evening", "mon-evening"), mk("w")}
	pools := matching.Pools(people, oslo.dist, now)
	if len(pools) != 1 || pools[0].CanForm || len(pools[0].Core) != 3 {
		t.Fatalf("pools = %+v", pools)
	}
	people = append(people, mk("v", "tue-evening"))
	pools = matching.Pools(people, oslo.dist, now)
	if !pools[0].CanForm || pools[0].Meeting.Slot != "tue-evening" || !slices.Equal(pools[0].Core, []string{"v", "w", "x", "y"}) {
		t.Fatalf("with v: %+v", pools[0])
	}
}

// Of two cores of the same size, the one with the longest waiting person
// wins, though the other meets earlier in the week.
func TestPoolsCoreTieGoesToLongestWait(t *testing.T) {
	mk := func(id string, waited int, slot matching.Slot) pp {
		return pp{ID: id, Municipality: "0301", County: "03", Formats: inPerson(), Slots: []matching.Slot{slot}, WaitingSince: days(waited)}
	}
	people := []pp{mk("m1", 50, "mon-evening"), mk("m2", 50, "mon-evening"), mk("m3", 50, "mon-evening"), mk("m4", 50, "mon-evening"),
		mk("old", 100, "tue-evening"), mk("t1", 5, "tue-evening"), mk("t2", 5, "tue-evening"), mk("t3", 5, "tue-evening")}
	pools := matching.Pools(people, oslo.dist, now)
	if !slices.Equal(pools[0].Core, []string{"old", "t1", "t2", "t3"}) || pools[0].Meeting.Slot != "tue-evening" {
		t.Fatalf("core %v at %q", pools[0].Core, pools[0].Meeting.Slot)
	}
}

// In person, people from several municipalities fit where all can reach;
// a person who will not meet at home needs the group elsewhere.
func TestPoolsMeetingPlace(t *testing.T) {
	mk := func(id, m string, km int, notOwn bool) pp {
		return pp{ID: id, Municipality: m, County: "32", TravelKm: km, NotOwnMunicipality: notOwn, Formats: inPerson(), WaitingSince: days(1)}
	}
	people := []pp{
		mk("a", "3201", 0, false),
		mk("b", "3201", 0, false),
		mk("c", "3203", 15, false), // Asker → Bærum is 12 km
		mk("d", "3203", 30, true),  // will not meet in Asker; Bærum is within reach
	}
	pools := matching.Pools(people, oslo.dist, now)
	if len(pools) != 1 || !pools[0].CanForm || pools[0].Meeting.Municipality != "3201" {
		t.Fatalf("pools = %+v", pools)
	}
	people[2].TravelKm = 10 // now Bærum is too far for c
	pools = matching.Pools(people, oslo.dist, now)
	if pools[0].CanForm || len(pools[0].Core) != 3 {
		t.Fatalf("c too far: %+v", pools[0])
	}
	// Unknown distance is out of reach.
	people[2].TravelKm = 15
	people[0].Municipality, people[1].Municipality = "5612", "5612"
	people[2].Municipality, people[3].Municipality = "5612", "3201"
	pools = matching.Pools(people, oslo.dist, now)
	if pools[0].CanForm {
		t.Fatalf("unknown distance: %+v", pools[0])
	}
	// With no Distances at all, only people of one municipality fit.
	pools = matching.Pools(people, nil, now)
	if pools[0].CanForm || !slices.Equal(pools[0].Core, []string{"a", "b", "c"}) {
		t.Fatalf("nil Distances: %+v", pools[0])
	}
}

// fitsTogether is the rule of the package comment, written out plainly:
// is there one meeting of the pool that every one of ps can come to? The
// places tried are the municipalities of the pool's members.
func fitsTogether(ps []pp, pool matching.Pool, d matching.Distances) bool {
	named := pool.Theme == ""
	for _, p := range ps {
		if !slices.Contains(p.Formats, pool.Format) {
			return false
		}
		switch {
		case len(p.Themes) == 0:
		case pool.Theme == "" || !slices.Contains(p.Themes, pool.Theme):
			return false
		default:
			named = true
		}
	}
	if !named {
		return false
	}
	slotOK := false
	for _, s := range matching.AllSlots() {
		all := true
		for _, p := range ps {
			all = all && (len(p.Slots) == 0 || slices.Contains(p.Slots, s))
		}
		slotOK = slotOK || all
	}
	langOK := false
	for _, l := range []string{"nb", "en", "se"} {
		all := true
		for _, p := range ps {
			all = all && (slices.Contains(p.Languages, l) || (len(p.Languages) == 0 && l == "nb"))
		}
		langOK = langOK || all
	}
	if !slotOK || !langOK {
		return false
	}
	if pool.Format != matching.InPerson {
		return true
	}
	for _, m := range pool.Members {
		place := m.Person.Municipality
		all := true
		for _, p := range ps {
			if place == p.Municipality {
				all = all && !p.NotOwnMunicipality
				continue
			}
			km, known := d(p.Municipality, place)
			all = all && p.TravelKm > 0 && known && km <= float64(p.TravelKm)
		}
		if all {
			return true
		}
	}
	return false
}

// subsets calls fn with every k-subset of xs until fn returns true.
func subsets(xs []pp, k int, fn func([]pp) bool) bool {
	set := make([]pp, 0, k)
	var rec func(from int) bool
	rec = func(from int) bool {
		if len(set) == k {
			return fn(set)
		}
		for i := from; i <= len(xs)-(k-len(set)); i++ {
			set = append(set, xs[i])
			if rec(i + 1) {
				return true
			}
			set = set[:len(set)-1]
		}
		return false
	}
	return rec(0)
}

// Against brute force on random small pools: CanForm exactly when some 4
// members fit each other, the core fits, and no larger set does.
func TestPoolsAgainstBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	themes := []string{"sorg", "angst"}
	slots := []matching.Slot{"mon-evening", "tue-evening", "wed-morning"}
	formed, notFormed := 0, 0 // of pools with at least MinGroup members
	for iter := range 1000 {
		w := randomWorld(r, 2+r.IntN(3), 1)
		people := randomPeople(r, w, 4+r.IntN(11), themes, slots)
		pools := matching.Pools(people, w.dist, now)
		for _, pool := range pools {
			var ms []pp
			for _, m := range pool.Members {
				ms = append(ms, m.Person)
			}
			fit := func(s []pp) bool { return fitsTogether(s, pool, w.dist) }
			want := subsets(ms, matching.MinGroup, fit)
			if pool.CanForm != want {
				t.Fatalf("iter %d %s: CanForm %v, brute force %v; members %+v", iter, pool.Key, pool.CanForm, want, ms)
			}
			if pool.CanForm != (len(pool.Core) >= matching.MinGroup) {
				t.Fatalf("iter %d %s: CanForm %v with core %v", iter, pool.Key, pool.CanForm, pool.Core)
			}
			var core []pp
			for _, m := range ms { // in member order
				if slices.Contains(pool.Core, m.ID) {
					core = append(core, m)
				}
			}
			if len(core) != len(pool.Core) {
				t.Fatalf("iter %d %s: core %v not members in order", iter, pool.Key, pool.Core)
			}
			if len(core) > 0 && !fit(core) {
				t.Fatalf("iter %d %s: core %v does not fit", iter, pool.Key, pool.Core)
			}
			if subsets(ms, len(core)+1, fit) {
				t.Fatalf("iter %d %s: a set larger than core %v fits", iter, pool.Key, pool.Core)
			}
			// The meeting is one that every core member can come to.
			if len(core) > 0 {
				for _, s := range matching.Suggest(pool.Meeting, core, w.dist) {
					if !s.Fits {
						t.Fatalf("iter %d %s: %s does not fit the meeting %+v: %v", iter, pool.Key, s.Person.ID, pool.Meeting, s.Reasons)
					}
				}
			}
			switch {
			case pool.CanForm:
				formed++
			case len(ms) >= matching.MinGroup:
				notFormed++
			}
		}
	}
	t.Logf("of the pools of %d or more: %d could form, %d could not", matching.MinGroup, formed, notFormed)
	if formed < 200 || notFormed < 200 {
		t.Errorf("the random pools test too little: %d could form, %d could not", formed, notFormed)
	}
}

// Everyone is in the pools the rule puts them in, and nowhere else.
func TestPoolsMembership(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	w := randomWorld(r, 20, 4)
	people := randomPeople(r, w, 300, []string{"sorg", "angst", "rus", "samliv"}, matching.AllSlots())
	want := map[string][]string{} // key → ids
	themesIn := map[string]map[string]bool{}
	bucket := func(p pp, f matching.Format) string {
		if f == matching.InPerson {
			return string(f) + ":" + p.County
		}
		return string(f) + ":"
	}
	for _, p := range people {
		for _, f := range p.Formats {
			b := bucket(p, f)
			if themesIn[b] == nil {
				themesIn[b] = map[string]bool{}
			}
			for _, th := range p.Themes {
				themesIn[b][th] = true
			}
		}
	}
	for _, p := range people {
		for _, f := range p.Formats {
			if len(p.Themes) == 0 {
				want[matching.PoolKey(f, p.County, "")] = append(want[matching.PoolKey(f, p.County, "")], p.ID)
				for th := range themesIn[bucket(p, f)] {
					want[matching.PoolKey(f, p.County, th)] = append(want[matching.PoolKey(f, p.County, th)], p.ID)
				}
				continue
			}
			for _, th := range slices.Compact(slices.Sorted(slices.Values(p.Themes))) {
				want[matching.PoolKey(f, p.County, th)] = append(want[matching.PoolKey(f, p.County, th)], p.ID)
			}
		}
	}
	got := map[string][]string{}
	for _, pool := range matching.Pools(people, w.dist, now) {
		if _, dup := got[pool.Key]; dup {
			t.Errorf("two pools %s", pool.Key)
		}
		if pool.Format.Remote() != (pool.County == "") {
			t.Errorf("%s: county %q", pool.Key, pool.County)
		}
		for i, m := range pool.Members {
			got[pool.Key] = append(got[pool.Key], m.Person.ID)
			if i > 0 {
				prev := pool.Members[i-1]
				if prev.Waited < m.Waited || (prev.Waited == m.Waited && prev.Person.ID > m.Person.ID) {
					t.Errorf("%s: %s before %s", pool.Key, prev.Person.ID, m.Person.ID)
				}
			}
		}
	}
	for k := range want {
		slices.Sort(want[k])
	}
	for k := range got {
		slices.Sort(got[k])
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("membership (-want +got):\n%s", diff)
	}
}

// The same people in any order give the same pools and suggestions.
func TestDeterministic(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	w := randomWorld(r, 30, 5)
	people := randomPeople(r, w, 400, []string{"sorg", "angst", "rus"}, matching.AllSlots()[:6])
	// Ties on waiting time, so that IDs must break them.
	for i := range people {
		if i%3 == 0 {
			people[i].WaitingSince = days(7)
		}
	}
	first := matching.Pools(people, w.dist, now)
	target := matching.Target{Municipality: w.munis[0].id, Format: matching.InPerson, Slot: "mon-evening", Theme: "sorg", Language: "nb"}
	firstS := matching.Suggest(target, people, w.dist)
	for range 5 {
		if again := matching.Pools(shuffled(r, people), w.dist, now); !reflect.DeepEqual(first, again) {
			t.Fatal("Pools depends on the order of people")
		}
		if again := matching.Suggest(target, shuffled(r, people), w.dist); !reflect.DeepEqual(firstS, again) {
			t.Fatal("Suggest depends on the order of people")
		}
	}
}
