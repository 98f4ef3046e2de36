package matching

import (
	"cmp"
	"math/bits"
	"slices"
	"time"
)

// Member is a person in a pool, with how long they have waited.
type Member struct {
	Person Person
	Waited time.Duration
}

// Pool is the people who wait for the same kind of group.
type Pool struct {
	// Key names the pool: "<format>:<county>:<theme>", with "open" for
	// the cross-theme pool and no county for phone and video, e.g.
	// "in_person:03:sorg", "video::open". It holds no personal data.
	Key     string
	Theme   string // "" = the open, cross-theme pool
	County  string // "" for phone and video
	Format  Format
	Members []Member // longest waiting first, then by ID

	// Core is the largest set of members who fit each other (see
	// CanForm), as IDs in the order of Members; Meeting is the meeting
	// they could all come to. CanForm is len(Core) >= MinGroup. The core
	// may be larger than MaxGroup: the coordinator picks from it.
	Core    []string
	Meeting Target
	CanForm bool
}

// Pools sorts the waiting people into pools and tells which could make a
// group now.
//
// A person is in one pool per format they accept: in person, by their
// county; by phone or video, in a pool for the whole country. Within those,
// a person with themes is in the pool of each of their themes, and a person
// with no theme is in the open pool and, as a cross-theme candidate, in
// every theme pool of their county and format (a theme pool exists only
// where someone named that theme). People without a valid format are in no
// pool.
//
// CanForm: at least MinGroup members fit each other, that is, there is one
// meeting all of them can come to (see the package comment): the pool's
// format and theme, a slot free for all (people without slot limits are
// free at any), a language all speak, and in person a municipality all can
// reach. The places tried are the municipalities the pool's members live in,
// since Pools knows no other. In a theme pool the core must hold at least
// one person who named the theme, so that four cross-theme people do not
// light up every theme pool (they are the open pool's group).
//
// Fitting each other means sharing one meeting, not fitting pairwise (three
// people free Mon/Tue, Tue/Wed and Wed/Mon share a slot two by two and no
// evening together). So the largest fitting set, in general a clique
// problem, is found exactly by trying every meeting: at most 21 slots ×
// the members' languages × the members' municipalities (1 for phone and
// video), each an AND of bit sets over the members. A pool of n members
// with L languages in M municipalities costs O(21·L·M·n/64) word
// operations after n·M distance look-ups (memoised per call). Ties go to
// the set holding the longest waiting member, then to the earlier meeting
// (language, municipality, slot in week order).
//
// Pools are ordered: those that can form first, then by the longest wait
// in the pool, then by Key.
func Pools(people []Person, d Distances, now time.Time) []Pool {
	pl := newPooler(people, d, now)
	type bucketKey struct {
		format Format
		county string
	}
	// People go into buckets, and from there into pools, longest waiting
	// first, so every pool's list is in the order of Members.
	buckets := map[bucketKey][]int{}
	for _, i := range pl.order {
		p := &people[i]
		seen := Format("")
		for _, f := range slices.Sorted(slices.Values(p.Formats)) {
			if f == seen {
				continue
			}
			seen = f
			if _, ok := ParseFormat(string(f)); !ok {
				continue
			}
			k := bucketKey{format: f}
			if f == InPerson {
				k.county = p.County
			}
			buckets[k] = append(buckets[k], i)
		}
	}

	var out []Pool
	for k, idx := range buckets {
		var open []int
		themes := map[string][]int{}
		for _, i := range idx {
			ts := people[i].Themes
			if len(ts) == 0 {
				open = append(open, i)
				continue
			}
			for _, t := range slices.Compact(slices.Sorted(slices.Values(ts))) {
				if t == "" {
					continue // not a theme id; the open pool is Theme ""
				}
				themes[t] = append(themes[t], i)
			}
		}
		if len(open) > 0 {
			out = append(out, pl.pool(open, "", k.county, k.format))
		}
		for t, named := range themes {
			out = append(out, pl.pool(pl.merge(named, open), t, k.county, k.format))
		}
	}
	slices.SortFunc(out, func(a, b Pool) int {
		if a.CanForm != b.CanForm {
			if a.CanForm {
				return -1
			}
			return 1
		}
		if c := cmp.Compare(longest(b), longest(a)); c != 0 {
			return c
		}
		return cmp.Compare(a.Key, b.Key)
	})
	return out
}

func longest(p Pool) time.Duration {
	if len(p.Members) == 0 {
		return 0
	}
	return p.Members[0].Waited
}

// PoolKey returns the Key of the pool of format, county and theme.
func PoolKey(format Format, county, theme string) string {
	if format.Remote() {
		county = ""
	}
	if theme == "" {
		theme = "open"
	}
	return string(format) + ":" + county + ":" + theme
}

// pooler holds what one call of Pools works out once per person and per
// pair of municipalities.
type pooler struct {
	people []Person
	waited []time.Duration // per person
	order  []int           // people's numbers, longest waiting first, then by ID
	rank   []int           // per person: their place in order
	slots  []uint32        // per person: bit s is set when they are free at allSlots[s]
	muni   []uint32        // per person: their municipality's number in names
	names  []string
	d      Distances
	dist   map[uint64]cachedDist // by from<<32 | to
}

type cachedDist struct {
	km    float64
	known bool
}

func newPooler(people []Person, d Distances, now time.Time) *pooler {
	n := len(people)
	pl := &pooler{people: people, waited: make([]time.Duration, n), order: make([]int, n), rank: make([]int, n),
		slots: make([]uint32, n), muni: make([]uint32, n), d: d, dist: map[uint64]cachedDist{}}
	num := map[string]uint32{}
	for i := range people {
		p := &people[i]
		pl.waited[i] = max(now.Sub(p.WaitingSince), 0)
		pl.order[i] = i
		for s, slot := range allSlots {
			if p.freeAt(slot) {
				pl.slots[i] |= 1 << s
			}
		}
		m, ok := num[p.Municipality]
		if !ok {
			m = uint32(len(pl.names))
			num[p.Municipality] = m
			pl.names = append(pl.names, p.Municipality)
		}
		pl.muni[i] = m
	}
	slices.SortFunc(pl.order, func(a, b int) int {
		if c := cmp.Compare(pl.waited[b], pl.waited[a]); c != 0 {
			return c
		}
		return cmp.Compare(people[a].ID, people[b].ID)
	})
	for r, i := range pl.order {
		pl.rank[i] = r
	}
	return pl
}

// merge merges two lists of people's numbers, each in the order of
// pl.order, into one.
func (pl *pooler) merge(a, b []int) []int {
	out := make([]int, 0, len(a)+len(b))
	for len(a) > 0 && len(b) > 0 {
		if pl.rank[a[0]] < pl.rank[b[0]] {
			out, a = append(out, a[0]), a[1:]
		} else {
			out, b = append(out, b[0]), b[1:]
		}
	}
	return append(append(out, a...), b...)
}

// reaches is Person.reach for person i and municipality number m, with the
// distances memoised.
func (pl *pooler) reaches(i int, m uint32) bool {
	p := &pl.people[i]
	if pl.muni[i] == m {
		return !p.NotOwnMunicipality
	}
	if p.TravelKm <= 0 || pl.d == nil {
		return false
	}
	k := uint64(pl.muni[i])<<32 | uint64(m)
	v, ok := pl.dist[k]
	if !ok {
		v.km, v.known = pl.d(p.Municipality, pl.names[m])
		pl.dist[k] = v
	}
	return v.known && v.km <= float64(p.TravelKm)
}

// pool makes the pool of the people idx (numbers in pl.people, in the
// order of pl.order).
func (pl *pooler) pool(idx []int, theme, county string, format Format) Pool {
	pool := Pool{Key: PoolKey(format, county, theme), Theme: theme, County: county, Format: format,
		Members: make([]Member, len(idx))}
	for j, i := range idx {
		pool.Members[j] = Member{Person: pl.people[i], Waited: pl.waited[i]}
	}
	core, meeting := pl.largestFit(idx, theme, format)
	pool.Meeting = meeting
	core.each(func(j int) bool {
		pool.Core = append(pool.Core, pl.people[idx[j]].ID)
		return true
	})
	pool.CanForm = len(pool.Core) >= MinGroup
	return pool
}

// largestFit finds the largest set of the members idx who can all come to
// one meeting of the given theme and format, and that meeting; see Pools.
// Member j of the returned set is idx[j].
func (pl *pooler) largestFit(idx []int, theme string, format Format) (bitset, Target) {
	n := len(idx)
	// All bit sets of the pool come from one allocation.
	var arena []uint64
	newSet := func() bitset {
		w := (n + 63) / 64
		if len(arena) < w {
			arena = make([]uint64, w*64)
		}
		b := arena[:w:w]
		arena = arena[w:]
		return b
	}
	full := newSet()
	full.fill(n)

	// Who named the theme: a theme pool's core needs one of them.
	named := full
	if theme != "" {
		named = newSet()
		for j, i := range idx {
			if len(pl.people[i].Themes) > 0 {
				named.set(j)
			}
		}
	}

	slots := make([]bitset, len(allSlots))
	for s := range allSlots {
		slots[s] = newSet()
		for j, i := range idx {
			if pl.slots[i]&(1<<s) != 0 {
				slots[s].set(j)
			}
		}
	}

	var langs []string
	for _, i := range idx {
		if len(pl.people[i].Languages) == 0 {
			langs = append(langs, DefaultLanguage)
		}
		langs = append(langs, pl.people[i].Languages...)
	}
	slices.Sort(langs)
	langs = slices.Compact(langs)
	langSets := make([]bitset, len(langs))
	for l, lang := range langs {
		langSets[l] = newSet()
		for j, i := range idx {
			if pl.people[i].speaks(lang) {
				langSets[l].set(j)
			}
		}
	}

	// The places: for phone and video one placeless meeting everyone can
	// come to; in person each municipality a member lives in.
	places := []uint32{0}
	placeSets := []bitset{full}
	if format == InPerson {
		places = places[:0]
		placeSets = placeSets[:0]
		for _, i := range idx {
			if pl.people[i].Municipality != "" {
				places = append(places, pl.muni[i])
			}
		}
		slices.SortFunc(places, func(a, b uint32) int { return cmp.Compare(pl.names[a], pl.names[b]) })
		places = slices.Compact(places)
		for _, m := range places {
			b := newSet()
			for j, i := range idx {
				if pl.reaches(i, m) {
					b.set(j)
				}
			}
			placeSets = append(placeSets, b)
		}
	}

	best, bestN := newSet(), 0
	var meeting Target
	base, cand := newSet(), newSet()
	for l := range langs {
		for m := range places {
			copy(base, langSets[l])
			base.and(placeSets[m])
			if base.count() < max(bestN, 1) || !base.intersects(named) {
				continue // cannot beat (or reach) the best so far
			}
			for s := range allSlots {
				copy(cand, base)
				cand.and(slots[s])
				if !cand.intersects(named) {
					continue
				}
				c := cand.count()
				if c > bestN || (c == bestN && cand.earlier(best)) {
					copy(best, cand)
					bestN = c
					meeting = Target{Format: format, Slot: allSlots[s], Theme: theme, Language: langs[l]}
					if format == InPerson {
						meeting.Municipality = pl.names[places[m]]
					}
				}
			}
		}
	}
	if bestN == 0 {
		return best, Target{}
	}
	// A core free at any time needs no slot.
	anyTime := true
	best.each(func(j int) bool {
		anyTime = len(pl.people[idx[j]].Slots) == 0
		return anyTime
	})
	if anyTime {
		meeting.Slot = ""
	}
	return best, meeting
}

// bitset is a set of member numbers.
type bitset []uint64

func (b bitset) set(i int) { b[i>>6] |= 1 << (uint(i) & 63) }

func (b bitset) and(o bitset) {
	for i := range b {
		b[i] &= o[i]
	}
}

// fill makes the set hold 0 … n-1.
func (b bitset) fill(n int) {
	for i := range b {
		b[i] = ^uint64(0)
	}
	if r := n & 63; r != 0 {
		b[len(b)-1] = (1 << uint(r)) - 1
	}
}

func (b bitset) count() (n int) {
	for _, w := range b {
		n += bits.OnesCount64(w)
	}
	return n
}

func (b bitset) intersects(o bitset) bool {
	for i := range b {
		if b[i]&o[i] != 0 {
			return true
		}
	}
	return false
}

// earlier reports whether b holds a lower member number than o at the
// first place they differ: with members sorted by wait, the set with the
// longer waiting member.
func (b bitset) earlier(o bitset) bool {
	for i := range b {
		if x := b[i] ^ o[i]; x != 0 {
			return b[i]&(x&-x) != 0
		}
	}
	return false
}

// each calls fn for every member in ascending order until fn returns false.
func (b bitset) each(fn func(int) bool) {
	for i, w := range b {
		for w != 0 {
			if !fn(i<<6 + bits.TrailingZeros64(w)) {
				return
			}
			w &= w - 1
		}
	}
}
