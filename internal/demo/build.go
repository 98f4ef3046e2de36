package demo

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/fellesrom/fellesrom/internal/domain"
)

// asOf is the day the demo set is written as of: verification dates lie in
// the 18 months before it, planned groups start after it. A fixed day keeps
// the set the same on every run.
var asOf = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

// weighted picks an index with probability proportional to its weight.
func weighted(r *rand.Rand, weights ...int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	n := r.IntN(total)
	for i, w := range weights {
		if n < w {
			return i
		}
		n -= w
	}
	return len(weights) - 1
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// catalog holds what groups refer to, by the demo set's own keys.
type catalog struct {
	loc    *time.Location
	models map[string]domain.Model        // by slug
	themes map[string]string              // slug → ID
	orgs   map[string]domain.Organisation // by slug
	venues map[string]domain.Venue        // venueKey(muni, name) → venue
	rooms  map[string][]domain.Room       // venue ID → rooms
}

func venueKey(muni, name string) string { return muni + "|" + name }

// draft is a group before the generator has filled in the rest.
type draft struct {
	kind   *kind
	org    string
	town   *town
	venue  string // venue name in town; "" for none
	room   bool   // meet in one of the venue's rooms
	format domain.Format
	status domain.Status
	place  domain.Text
}

var statusWeights = map[string][]int{ // planned, recruiting, starting, running, paused, ended
	modelSN:    {6, 22, 7, 50, 7, 8},
	modelStep:  {4, 0, 0, 86, 5, 5},
	modelPeer:  {5, 15, 3, 65, 6, 6},
	modelOther: {8, 20, 5, 55, 6, 6},
}

var formatWeights = map[string][]int{ // in person, telephone, video, hybrid
	modelSN:    {78, 8, 9, 5},
	modelStep:  {80, 4, 12, 4},
	modelPeer:  {70, 5, 18, 7},
	modelOther: {80, 5, 10, 5},
}

var weekdayNb = [...]string{"søndag", "mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag"}
var weekdayNn = [...]string{"sundag", "måndag", "tysdag", "onsdag", "torsdag", "fredag", "laurdag"}

// build makes the group of d, drawing what d leaves open from r. The slug is
// left to the caller.
func (c *catalog) build(r *rand.Rand, d draft) (*domain.Group, error) {
	k := d.kind
	model, ok := c.models[k.model]
	if !ok {
		return nil, fmt.Errorf("demo: no group model %q", k.model)
	}
	org, ok := c.orgs[d.org]
	if !ok {
		return nil, fmt.Errorf("demo: no organisation %q", d.org)
	}
	status := d.status
	if status == "" {
		status = domain.Statuses[weighted(r, statusWeights[k.model]...)]
	}
	format := d.format
	if format == "" {
		format = k.format
	}
	if format == "" {
		format = domain.FormatInPerson
	}
	sched := c.schedule(r, k, status)

	g := &domain.Group{
		ModelID:      model.ID,
		OrgID:        org.ID,
		Format:       format,
		Languages:    append([]string(nil), k.langs...),
		AgeGroup:     k.age,
		Gender:       k.gender,
		ForRelatives: k.rel,
		Status:       status,
		Join:         k.join,
		Schedule:     sched,
		Description:  cloneText(k.desc),
	}
	if g.Join == "" {
		g.Join = model.DefaultJoin
	}
	place := d.place
	if place == nil && k.placeNamed() {
		wd := sched.LocalStart().Weekday()
		place = domain.Text{"nb": d.town.name + " " + weekdayNb[wd], "nn": d.town.name + " " + weekdayNn[wd],
			"en": d.town.name + " " + wd.String()}
	}
	g.Name = domain.Text{}
	for lang, v := range k.name {
		if strings.Contains(v, "{place}") {
			p := place[lang]
			if p == "" {
				p = place.In(lang)
			}
			v = strings.ReplaceAll(v, "{place}", p)
		}
		g.Name[lang] = v
	}
	for _, slug := range k.themes {
		id, ok := c.themes[slug]
		if !ok {
			return nil, fmt.Errorf("demo: no theme %q", slug)
		}
		g.ThemeIDs = append(g.ThemeIDs, id)
	}

	// Capacity and whether the group takes new members now.
	switch k.model {
	case modelSN:
		g.Capacity = []int{8, 8, 8, 7, 6}[r.IntN(5)]
		switch status {
		case domain.StatusPlanned, domain.StatusRecruiting:
			g.TakesNewMembers = true
		case domain.StatusRunning:
			g.TakesNewMembers = r.IntN(10) == 0 // re-forming to take new members
		}
	case modelStep:
		g.TakesNewMembers = status == domain.StatusRunning || status == domain.StatusPlanned
	default:
		g.Capacity = []int{6, 8, 10, 12, 15}[r.IntN(5)]
		switch status {
		case domain.StatusPlanned, domain.StatusRecruiting, domain.StatusStarting:
			g.TakesNewMembers = true
		case domain.StatusRunning:
			g.TakesNewMembers = r.IntN(10) < 7
		}
	}

	// Where it meets. Telephone and video groups have no venue but belong
	// to the organiser's municipality.
	g.MunicipalityID = d.town.muni
	if format == domain.FormatInPerson || format == domain.FormatHybrid {
		v, ok := c.venues[venueKey(d.town.muni, d.venue)]
		if !ok {
			return nil, fmt.Errorf("demo: no venue %q in %s", d.venue, d.town.name)
		}
		g.VenueID, g.MunicipalityID = v.ID, v.MunicipalityID
		if rooms := c.rooms[v.ID]; d.room && len(rooms) > 0 {
			var fit []domain.Room
			for _, rm := range rooms {
				if rm.Capacity >= g.Capacity {
					fit = append(fit, rm)
				}
			}
			if len(fit) == 0 {
				fit = rooms
			}
			g.RoomID = pick(r, fit).ID
		}
	}

	// How to join online: an open meeting (just come) publishes its link
	// or number; a closed group's is given by the house, so none is kept.
	if format != domain.FormatInPerson && g.Join == domain.JoinJustCome {
		setOnline(g)
	}

	// When it was made and last checked.
	day := 24 * time.Hour
	created := sched.Start.Add(-time.Duration(14+r.IntN(77)) * day)
	if created.After(asOf) {
		created = asOf.Add(-time.Duration(1+r.IntN(30)) * day)
	}
	created = dayTime(created, 8+r.IntN(8), r.IntN(60))
	verified := dayTime(asOf.Add(-time.Duration(r.IntN(540))*day), 8+r.IntN(8), r.IntN(60))
	if verified.Before(created) {
		span := int(asOf.Sub(created)/day) + 1
		verified = dayTime(created.Add(time.Duration(r.IntN(span))*day), 8+r.IntN(8), r.IntN(60))
		if verified.Before(created) {
			verified = created
		}
	}
	g.CreatedAt, g.VerifiedAt, g.UpdatedAt = created, verified, verified
	return g, nil
}

func cloneText(t domain.Text) domain.Text {
	out := make(domain.Text, len(t))
	for k, v := range t {
		out[k] = v
	}
	return out
}

// dayTime is t's UTC day at hh:mm.
func dayTime(t time.Time, hh, mm int) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, hh, mm, 0, 0, time.UTC)
}

// dateRange is the span a group of a status starts in.
func dateRange(model string, s domain.Status) (from, to time.Time) {
	d := func(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 0, 0, 0, 0, time.UTC) }
	switch s {
	case domain.StatusPlanned:
		return d(2026, 11, 25), d(2026, 12, 18)
	case domain.StatusRecruiting:
		if model == modelSN {
			return d(2026, 11, 9), d(2026, 12, 18)
		}
		return d(2025, 6, 2), d(2026, 10, 30)
	case domain.StatusStarting:
		return d(2026, 10, 19), d(2026, 11, 20)
	case domain.StatusPaused:
		return d(2025, 1, 6), d(2026, 4, 30)
	case domain.StatusEnded:
		return d(2025, 1, 6), d(2025, 12, 12)
	}
	return d(2025, 1, 6), d(2026, 9, 30)
}

// schedule draws when a group of kind k meets, in the RRULE subset of
// domain.Schedule: weekly, every other week, or the nth weekday of the month.
func (c *catalog) schedule(r *rand.Rand, k *kind, status domain.Status) domain.Schedule {
	model := k.model
	var freq int // 0 weekly, 1 every other week, 2 monthly
	switch model {
	case modelStep:
		freq = weighted(r, 86, 4, 10)
	case modelSN:
		freq = weighted(r, 55, 35, 10)
	case modelPeer:
		freq = weighted(r, 25, 35, 40)
	default:
		freq = weighted(r, 40, 35, 25)
	}
	var wd time.Weekday
	if model == modelStep {
		wd = time.Weekday(weighted(r, 12, 16, 16, 16, 16, 12, 12)) // Sunday first
	} else {
		wd = time.Weekday(weighted(r, 0, 20, 22, 22, 20, 6, 0))
	}
	var hh, mm int
	switch {
	case k.morning:
		hh, mm = pick(r, [][2]int{{10, 0}, {10, 30}, {11, 0}, {12, 0}})[0], 0
		if r.IntN(3) == 0 {
			mm = 30
		}
	case model == modelStep:
		t := pick(r, [][2]int{{12, 0}, {18, 0}, {19, 0}, {19, 0}, {19, 30}, {19, 30}, {20, 0}, {20, 0}})
		hh, mm = t[0], t[1]
	default:
		times := [][2]int{{12, 0}, {13, 0}, {17, 0}, {17, 30}, {18, 0}, {18, 30}, {19, 0}, {19, 30}, {20, 0}}
		t := times[weighted(r, 5, 5, 10, 10, 25, 15, 20, 7, 3)]
		hh, mm = t[0], t[1]
	}
	var dur int
	switch model {
	case modelSN:
		dur = pick(r, []int{90, 90, 120})
	case modelStep:
		dur = pick(r, []int{60, 60, 90})
	case modelPeer:
		dur = pick(r, []int{75, 90, 120})
	default:
		dur = pick(r, []int{60, 90, 120})
	}

	from, to := dateRange(model, status)
	day := from.AddDate(0, 0, r.IntN(int(to.Sub(from).Hours()/24)+1))
	var start time.Time
	var rule domain.Rule
	switch freq {
	case 2:
		n := []int{1, 2, 3, 4, -1}[weighted(r, 25, 25, 20, 10, 20)]
		first := time.Date(day.Year(), day.Month(), 1, hh, mm, 0, 0, c.loc)
		start = nthWeekday(first, wd, n)
		rule = domain.Rule{Freq: domain.FreqMonthly, Interval: 1, ByDay: []domain.WeekdayNum{{Day: wd, N: n}}}
	default:
		off := (int(wd) - int(day.Weekday()) + 7) % 7
		start = time.Date(day.Year(), day.Month(), day.Day()+off, hh, mm, 0, 0, c.loc)
		rule = domain.Rule{Freq: domain.FreqWeekly, Interval: 1 + freq, ByDay: []domain.WeekdayNum{{Day: wd}}}
	}
	if status == domain.StatusEnded {
		until := start.AddDate(0, 0, 70+r.IntN(260))
		if limit := asOf.AddDate(0, 0, -20); until.After(limit) {
			until = limit
		}
		rule.Until = until.UTC().Truncate(time.Second)
	}
	s := domain.Schedule{Start: start.UTC(), DurationMin: dur, TZ: domain.DefaultTimeZone, RRule: rule.String()}

	// Some weekly groups take a break over Christmas.
	if freq < 2 && status != domain.StatusEnded && status != domain.StatusPaused && r.IntN(10) < 3 {
		from := time.Date(2026, 12, 20, 0, 0, 0, 0, c.loc)
		to := time.Date(2027, 1, 3, 0, 0, 0, 0, c.loc)
		for _, t := range s.Next(from, 3) {
			if t.Before(to) {
				s.ExDates = append(s.ExDates, t.UTC())
			}
		}
	}
	return s
}

// nthWeekday is the n-th wd of first's month (n = -1: the last), at first's
// clock time.
func nthWeekday(first time.Time, wd time.Weekday, n int) time.Time {
	y, m, _ := first.Date()
	hh, mm, _ := first.Clock()
	if n > 0 {
		d := 1 + (int(wd)-int(first.Weekday())+7)%7 + 7*(n-1)
		return time.Date(y, m, d, hh, mm, 0, 0, first.Location())
	}
	last := time.Date(y, m+1, 0, hh, mm, 0, 0, first.Location())
	d := last.Day() - (int(last.Weekday())-int(wd)+7)%7
	return time.Date(y, m, d, hh, mm, 0, 0, first.Location())
}

// jitter returns a point at most km from (lat, lon), spread evenly over the disc.
func jitter(r *rand.Rand, lat, lon, km float64) (float64, float64) {
	d := km * math.Sqrt(r.Float64())
	a := 2 * math.Pi * r.Float64()
	dlat := d / 111.2 * math.Cos(a)
	dlon := d / (111.2 * math.Cos(lat*math.Pi/180)) * math.Sin(a)
	return round6(lat + dlat), round6(lon + dlon)
}

func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }

// setOnline gives an open online group a plausible meeting link (on the
// reserved domain example.org) and, for a telephone group, a number and a
// PIN; derived from the group's name and first meeting, so that the demo's
// random draws are not disturbed.
func setOnline(g *domain.Group) {
	h := fnv.New32a()
	h.Write([]byte(g.Name["nb"] + "|" + g.MunicipalityID + "|" + g.Schedule.Start.String()))
	n := h.Sum32()
	meeting := 100000000 + n%900000000
	switch g.Format {
	case domain.FormatTelephone:
		g.OnlinePhone = fmt.Sprintf("+4721%06d", n%1000000)
		g.OnlineNotes = fmt.Sprintf("PIN %04d", n%10000)
	default:
		g.OnlineURL = fmt.Sprintf("https://video.example.org/j/%d", meeting)
		g.OnlineNotes = fmt.Sprintf("Passord: %04d", n%10000)
	}
}
