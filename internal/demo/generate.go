package demo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
)

// BatchSize is how many groups Generate writes per transaction.
const BatchSize = 2000

// shapeSeed seeds what a generated group's slug is made of (model, kind,
// town), whatever the seed given to Generate: so the n-th generated group has
// the same slug for every seed, numbers continue across calls, and groups
// made with different seeds never clash.
const shapeSeed = 0x5eedf00d

// Generate adds n generated groups (for benchmarks: 100,000 and more) spread
// over the demo organisations, in batches via store.InsertGroups, calling
// progress(done, total) after each batch (progress may be nil). It calls Load
// first if the store is empty. Deterministic for a given seed.
//
// Generated groups reuse the demo venues, plus a few hundred extra venues
// around each town that the first call adds, so that distance search has
// points to sort. A later call continues the numbering where the last
// stopped. The Summary counts what this call added, Load's part included.
func Generate(ctx context.Context, st *store.Store, n int, seed int64, progress func(done, total int)) (Summary, error) {
	var sum Summary
	orgs, err := st.Organisations(ctx)
	if err != nil {
		return sum, err
	}
	if len(orgs) == 0 {
		s, err := Load(ctx, st)
		sum.add(s)
		if err != nil {
			return sum, err
		}
	}
	c, err := readCatalog(ctx, st)
	if err != nil {
		return sum, err
	}
	added, err := c.ensureExtraVenues(ctx, st)
	sum.Venues += added
	if err != nil {
		return sum, err
	}
	if n <= 0 {
		return sum, nil
	}
	g := newGenerator(c, seed)
	offset, err := g.offset(ctx, st)
	if err != nil {
		return sum, err
	}
	batch := make([]*domain.Group, 0, min(n, BatchSize))
	for done := 0; done < n; {
		if err := ctx.Err(); err != nil {
			return sum, err
		}
		batch = batch[:0]
		for j := 0; j < BatchSize && done+j < n; j++ {
			grp, err := g.group(offset + done + j + 1)
			if err != nil {
				return sum, err
			}
			batch = append(batch, grp)
		}
		if err := st.InsertGroups(ctx, batch, By); err != nil {
			return sum, fmt.Errorf("demo: generated groups %d–%d: %w", offset+done+1, offset+done+len(batch), err)
		}
		done += len(batch)
		sum.Groups += len(batch)
		if progress != nil {
			progress(done, n)
		}
	}
	return sum, nil
}

// readCatalog finds the demo set in the store.
func readCatalog(ctx context.Context, st *store.Store) (*catalog, error) {
	c, err := newCatalog()
	if err != nil {
		return nil, err
	}
	ms, err := st.Models(ctx)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		c.models[m.Slug] = m
	}
	ts, err := st.Themes(ctx)
	if err != nil {
		return nil, err
	}
	for _, t := range ts {
		c.themes[t.Slug] = t.ID
	}
	os, err := st.Organisations(ctx)
	if err != nil {
		return nil, err
	}
	for _, o := range os {
		c.orgs[o.Slug] = o
	}
	var missing []string
	for _, o := range orgSpecs {
		if _, ok := c.orgs[o.slug]; !ok {
			missing = append(missing, o.slug)
		}
	}
	for _, m := range models() {
		if _, ok := c.models[m.Slug]; !ok {
			missing = append(missing, "model "+m.Slug)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("demo: the store has organisations but not the demo set (missing %s)", strings.Join(missing, ", "))
	}
	vs, err := st.Venues(ctx)
	if err != nil {
		return nil, err
	}
	for _, v := range vs {
		c.venues[venueKey(v.MunicipalityID, v.Name)] = v
	}
	for _, spec := range venueSpecs {
		if len(spec.rooms) == 0 {
			continue
		}
		v, ok := c.venues[venueKey(townByKey[spec.town].muni, spec.name)]
		if !ok {
			return nil, fmt.Errorf("demo: the demo venue %q is missing", spec.name)
		}
		if c.rooms[v.ID], err = st.Rooms(ctx, v.ID); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// extraKinds are the kinds of places the extra venues are.
var extraKinds = []struct {
	noun   string
	public bool
}{
	{"samfunnshus", true}, {"bibliotek", true}, {"menighetshus", false}, {"bydelshus", true},
	{"frivilligsentral", true}, {"helsestasjon, møterom", false}, {"seniorsenter", true},
	{"kulturhus", true}, {"kirkestue", false}, {"velhus", true},
}

// extraVenues are the venues Generate adds: t.extra per town, spread
// within t.radiusKm of its centre. They are the same whatever the seed.
var extraVenues = sync.OnceValue(func() []venueSpec {
	r := rand.New(rand.NewPCG(loadSeed, 2))
	taken := map[string]bool{}
	for _, v := range venueSpecs {
		taken[v.name] = true
	}
	var out []venueSpec
	for _, t := range towns {
		made := 0
		for j := 0; made < t.extra && j < len(t.districts)*len(extraKinds); j++ {
			district := t.districts[j%len(t.districts)]
			if district == "Sentrum" {
				district = t.name + " sentrum"
			}
			ek := extraKinds[(j/len(t.districts)+j)%len(extraKinds)]
			name := district + " " + ek.noun
			if taken[name] {
				continue
			}
			taken[name] = true
			lat, lon := jitter(r, t.lat, t.lon, t.radiusKm)
			out = append(out, venueSpec{town: t.key, name: name,
				street: pick(r, t.streets) + " " + fmt.Sprint(1+r.IntN(120)), postal: t.postal,
				dlat: lat - t.lat, dlon: lon - t.lon, public: ek.public,
				stepFree: r.IntN(10) < 7, loop: r.IntN(10) < 4, toilet: r.IntN(10) < 6})
			made++
		}
	}
	return out
})

// ensureExtraVenues adds the extra venues that are not in the store yet.
func (c *catalog) ensureExtraVenues(ctx context.Context, st *store.Store) (int, error) {
	added := 0
	for _, vs := range extraVenues() {
		t := townByKey[vs.town]
		if _, ok := c.venues[venueKey(t.muni, vs.name)]; ok {
			continue
		}
		v := domain.Venue{Name: vs.name, Street: vs.street, PostalCode: vs.postal, City: t.name, MunicipalityID: t.muni,
			Lat: round6(t.lat + vs.dlat), Lon: round6(t.lon + vs.dlon), HasCoordinates: true,
			StepFree: vs.stepFree, HearingLoop: vs.loop, AccessibleToilet: vs.toilet, AddressPublic: vs.public}
		if err := st.SaveVenue(ctx, &v); err != nil {
			return added, fmt.Errorf("demo: venue %s: %w", vs.name, err)
		}
		c.venues[venueKey(t.muni, v.Name)] = v
		added++
	}
	return added, nil
}

// generator makes the i-th generated group.
type generator struct {
	c        *catalog
	seed     uint64
	weights  []int
	kinds    map[string][]*kind  // model → kinds, in a fixed order
	southern map[string][]*kind  // the same without the Sami-language kinds
	shared   map[string][]string // town key → venues no organisation owns
	church   map[string][]string // town key → shared church halls
	meetings map[string][]string // town key → public venues for open meetings
}

func newGenerator(c *catalog, seed int64) *generator {
	g := &generator{c: c, seed: uint64(seed), kinds: map[string][]*kind{}, southern: map[string][]*kind{},
		shared: map[string][]string{}, church: map[string][]string{}, meetings: map[string][]string{}}
	for _, t := range towns {
		g.weights = append(g.weights, t.weight)
	}
	for _, m := range []string{modelSN, modelStep, modelPeer, modelOther} {
		for _, key := range kindKeys(m) {
			k := kinds[key]
			g.kinds[m] = append(g.kinds[m], k)
			if !slices.Contains(k.langs, "se") {
				g.southern[m] = append(g.southern[m], k)
			}
		}
	}
	fellowship := map[string]bool{}
	for _, o := range orgSpecs {
		fellowship[o.slug] = o.kind == domain.OrgFellowship
	}
	for _, vs := range slices.Concat(venueSpecs, extraVenues()) {
		if vs.org == "" {
			g.shared[vs.town] = append(g.shared[vs.town], vs.name)
			if strings.Contains(vs.name, "menighet") || strings.Contains(vs.name, "kirke") || strings.Contains(vs.name, "kyrkje") {
				g.church[vs.town] = append(g.church[vs.town], vs.name)
			}
		}
		if vs.public && (vs.org == "" || fellowship[vs.org]) {
			g.meetings[vs.town] = append(g.meetings[vs.town], vs.name)
		}
	}
	return g
}

// shape is what the i-th group's slug is made of; it does not depend on the seed.
func (g *generator) shape(i int) (*kind, *town) {
	r := rand.New(rand.NewPCG(shapeSeed, uint64(i)))
	model := []string{modelSN, modelStep, modelPeer, modelOther}[weighted(r, 55, 20, 17, 8)]
	t := towns[weighted(r, g.weights...)]
	ks := g.southern[model]
	if northern(t.muni) {
		ks = g.kinds[model]
	}
	return pick(r, ks), t
}

func northern(muni string) bool {
	c := muni[:2]
	return c == "18" || c == "55" || c == "56"
}

// slug is the i-th generated group's slug: the kind's name, the town and
// the number, which no slug of the demo set ends in.
func (g *generator) slug(i int) string {
	k, t := g.shape(i)
	name := strings.TrimSpace(strings.ReplaceAll(k.name["nb"], "{place}", ""))
	return domain.Slugify(name) + "-" + t.key + "-" + fmt.Sprintf("%06d", i)
}

func (g *generator) group(i int) (*domain.Group, error) {
	k, t := g.shape(i)
	r := rand.New(rand.NewPCG(g.seed, uint64(i)))
	d := draft{kind: k, town: t, org: k.org, format: k.format}
	if d.org == "" {
		d.org = t.local
	}
	if d.format == "" {
		d.format = domain.Formats[weighted(r, formatWeights[k.model]...)]
	}
	if d.format == domain.FormatInPerson || d.format == domain.FormatHybrid {
		switch {
		case k.model == modelStep:
			d.venue = pick(r, g.meetings[t.key])
		case k.church && len(g.church[t.key]) > 0:
			d.venue = pick(r, g.church[t.key])
		case k.org == "" && r.IntN(2) == 0 && homeVenue(d.org) != "":
			d.venue, d.room = homeVenue(d.org), true
		default:
			d.venue = pick(r, g.shared[t.key])
		}
	}
	grp, err := g.c.build(r, d)
	if err != nil {
		return nil, err
	}
	grp.Slug = g.slug(i)
	return grp, nil
}

// offset is how many groups earlier calls generated: the largest i whose
// slug exists, found by doubling and then halving.
func (g *generator) offset(ctx context.Context, st *store.Store) (int, error) {
	exists := func(i int) (bool, error) {
		_, err := st.Group(ctx, g.slug(i))
		if errors.Is(err, store.ErrNotFound) {
			return false, nil
		}
		return err == nil, err
	}
	ok, err := exists(1)
	if err != nil || !ok {
		return 0, err
	}
	lo, hi := 1, 2 // lo exists, hi is to be tested
	for {
		ok, err := exists(hi)
		if err != nil {
			return 0, err
		}
		if !ok {
			break
		}
		lo, hi = hi, hi*2
	}
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		ok, err := exists(mid)
		if err != nil {
			return 0, err
		}
		if ok {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo, nil
}
