package csvio

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
)

// Action is what an import would do with a row.
type Action string

const (
	Create Action = "create"
	Change Action = "change"
	Same   Action = "unchanged"
	Reject Action = "reject"
)

// Problem is why a row is rejected: the column, a message id of the
// catalogue (area csvio) and the cell's value.
type Problem struct {
	Column  string
	Message string
	Value   string
}

// Row is the plan of one row of the file.
type Row struct {
	Line     int
	Action   Action
	Name     string
	Key      string   // the ID of the group or venue it changes
	Changed  []string // the columns that differ
	Problems []Problem
	NewVenue string // a venue this row creates (groups only)

	Group    *domain.Group `json:",omitempty"`
	Venue    *domain.Venue `json:",omitempty"`
	VenueKey string        `json:",omitempty"`
}

// Plan is a dry run of an import.
type Plan struct {
	Kind      string // "groups" or "venues"
	Rows      []Row
	NewVenues map[string]*domain.Venue // by key, created before the groups
	Ignored   []string                 // columns of the file fellesrom does not read
	Missing   []string                 // required columns the file lacks
}

// Count is the number of rows with the action.
func (p *Plan) Count(a Action) int {
	n := 0
	for _, r := range p.Rows {
		if r.Action == a {
			n++
		}
	}
	return n
}

// Fingerprint identifies the plan: the import applies a plan only if the
// plan made again has the same fingerprint as the one shown.
func (p *Plan) Fingerprint() string {
	h := sha256.New()
	_ = json.NewEncoder(h).Encode(p)
	return hex.EncodeToString(h.Sum(nil))
}

func (r *Row) fail(col, msg, val string) {
	r.Problems = append(r.Problems, Problem{Column: col, Message: msg, Value: val})
}

type rowReader struct {
	t   *Table
	rec Record
}

// cell returns the trimmed cell of a column ("" when the file lacks it).
func (rr rowReader) cell(col string) string {
	v, _ := rr.t.Get(rr.rec, col)
	return strings.TrimSpace(v)
}

func (p *Plan) columns(t *Table, known []string, required ...string) {
	for _, h := range t.Header {
		if h != "" && !slices.Contains(known, h) && !slices.Contains(p.Ignored, h) {
			p.Ignored = append(p.Ignored, h)
		}
	}
	for _, c := range required {
		if !t.Has(c) {
			p.Missing = append(p.Missing, c)
		}
	}
}

var languageWords = map[string]string{"norsk": "nb", "bokmål": "nb", "nynorsk": "nn", "engelsk": "en", "english": "en",
	"samisk": "se", "nordsamisk": "se", "sámegiella": "se", "norwegian": "nb", "arabisk": "ar", "polsk": "pl",
	"somali": "so", "ukrainsk": "uk", "russisk": "ru", "tigrinja": "ti"}

var reSlug = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)
var rePostal = regexp.MustCompile(`^[0-9]{4}$`)

// PlanGroups makes the dry run of a groups file.
func PlanGroups(t *Table, ref *Ref) *Plan {
	if ref.orgByID == nil {
		ref.index()
	}
	p := &Plan{Kind: "groups", NewVenues: map[string]*domain.Venue{}}
	p.columns(t, GroupColumns, "name")
	if len(p.Missing) > 0 {
		return p
	}
	slugs := map[string]bool{}
	for _, g := range ref.Groups {
		slugs[g.Slug] = true
	}
	seen := map[string]int{} // matched group ID or new key → line
	for _, rec := range t.Rows {
		row := groupRow(rowReader{t, rec}, ref, p, slugs, seen)
		p.Rows = append(p.Rows, row)
	}
	// A new venue nobody kept (its rows were rejected) is not created.
	used := map[string]bool{}
	for _, r := range p.Rows {
		if r.Action != Reject && r.VenueKey != "" {
			used[r.VenueKey] = true
		}
	}
	for k := range p.NewVenues {
		if !used[k] {
			delete(p.NewVenues, k)
		}
	}
	return p
}

func groupRow(rr rowReader, ref *Ref, p *Plan, slugs map[string]bool, seen map[string]int) Row {
	row := Row{Line: rr.rec.Line}
	name, orgID, muni := rr.common(ref, &row)

	// The venue: an existing one of the organisation by name, or a new one.
	venueID, venueKey := "", ""
	if vn := rr.cell("venue_name"); vn != "" && orgID != "" {
		var found []domain.Venue
		for _, v := range ref.Venues {
			if v.OrgID == orgID && fold(v.Name) == fold(vn) {
				found = append(found, v)
			}
		}
		if len(found) > 1 {
			if st := rr.cell("street"); st != "" {
				found = slices.DeleteFunc(found, func(v domain.Venue) bool { return fold(v.Street) != fold(st) })
			}
		}
		switch {
		case len(found) >= 1:
			venueID = found[0].ID
			if muni == "" {
				muni = found[0].MunicipalityID
			}
		case muni == "":
			row.fail("venue_name", "csvio.err_venue_needs_municipality", vn)
		default:
			nv := &domain.Venue{OrgID: orgID, Name: vn, Street: rr.cell("street"), PostalCode: rr.cell("postal_code"),
				City: rr.cell("city"), MunicipalityID: muni}
			if nv.PostalCode != "" && !rePostal.MatchString(nv.PostalCode) {
				row.fail("postal_code", "csvio.err_postal_code", nv.PostalCode)
			}
			for col, dst := range map[string]*bool{"step_free": &nv.StepFree, "hearing_loop": &nv.HearingLoop, "accessible_toilet": &nv.AccessibleToilet} {
				b, ok := parseBool(rr.cell(col))
				if !ok {
					row.fail(col, "csvio.err_bool", rr.cell(col))
				}
				*dst = b
			}
			venueKey = orgID + "|" + fold(vn) + "|" + muni
			if _, ok := p.NewVenues[venueKey]; !ok {
				p.NewVenues[venueKey] = nv
			}
			row.NewVenue = vn
		}
	}

	// The group it changes: by external id, else by name and municipality
	// within the organisation.
	var prev *domain.Group
	ext := rr.cell("external_id")
	if ext != "" {
		if i, ok := ref.groupByKey[ext]; ok {
			prev = &ref.Groups[i]
		}
		if prev == nil && store.ValidID(ext) {
			row.fail("external_id", "csvio.err_no_such_id", ext)
		}
	}
	if prev == nil && name != "" && orgID != "" {
		for _, i := range ref.groupByName[orgID+"|"+fold(name)] {
			g := &ref.Groups[i]
			if muni == "" || g.MunicipalityID == muni {
				if prev != nil {
					row.fail("name", "csvio.err_ambiguous_group", name)
					break
				}
				prev = g
			}
		}
	}
	if prev != nil && !ref.Allowed[prev.OrgID] {
		row.fail("external_id", "csvio.err_not_yours", ext)
		prev = nil
	}

	var g domain.Group
	if prev != nil {
		g = *prev
		g.Name, g.Description = cloneText(prev.Name), cloneText(prev.Description)
		g.ThemeIDs, g.Languages = slices.Clone(prev.ThemeIDs), slices.Clone(prev.Languages)
		row.Key = prev.ID
	} else {
		g = domain.Group{Format: domain.FormatInPerson, Languages: []string{"nb"}, AgeGroup: domain.AgeAdults,
			Gender: domain.GenderEveryone, Status: domain.StatusRunning, TakesNewMembers: true,
			Name: domain.Text{}, Description: domain.Text{}}
	}
	if orgID != "" && (prev == nil || rr.cell("organisation") != "") {
		g.OrgID = orgID
	}
	if name != "" {
		g.Name["nb"] = name
	}
	if v := rr.cell("name_en"); v != "" {
		g.Name["en"] = v
	}
	if v := rr.cell("description"); v != "" {
		g.Description["nb"] = v
	}
	if v := rr.cell("description_en"); v != "" {
		g.Description["en"] = v
	}
	if v := rr.cell("themes"); v != "" {
		g.ThemeIDs = nil
		for _, x := range splitList(v) {
			if th, ok := ref.theme(x); ok {
				g.ThemeIDs = append(g.ThemeIDs, th.ID)
			} else {
				row.fail("themes", "csvio.err_unknown_theme", x)
			}
		}
	}
	var model domain.Model
	if v := rr.cell("model"); v != "" {
		if m, ok := ref.model(v); ok {
			g.ModelID, model = m.ID, m
		} else {
			row.fail("model", "csvio.err_unknown_model", v)
		}
	} else if prev == nil {
		row.fail("model", "csvio.err_required", "")
	}
	if v := rr.cell("format"); v != "" {
		if f, ok := enum(v, domain.Formats, formatWords); ok {
			g.Format = f
		} else {
			row.fail("format", "csvio.err_value", v)
		}
	}
	if v := rr.cell("languages"); v != "" {
		g.Languages = nil
		for _, x := range splitList(v) {
			l := strings.ToLower(x)
			if w, ok := languageWords[l]; ok {
				l = w
			}
			if !domain.ValidLanguage(l) {
				row.fail("languages", "csvio.err_language", x)
				continue
			}
			g.Languages = append(g.Languages, l)
		}
	}
	if muni != "" {
		g.MunicipalityID = muni
	}
	if venueID != "" {
		g.VenueID = venueID
		if prev == nil || prev.VenueID != venueID {
			g.RoomID = ""
		}
	}
	if v := rr.cell("status"); v != "" {
		if s, ok := enum(v, domain.Statuses, statusWords); ok {
			g.Status = s
		} else {
			row.fail("status", "csvio.err_value", v)
		}
	}
	if v := rr.cell("takes_new_members"); v != "" {
		if b, ok := parseBool(v); ok {
			g.TakesNewMembers = b
		} else {
			row.fail("takes_new_members", "csvio.err_bool", v)
		}
	}
	if v := rr.cell("join"); v != "" {
		if j, ok := enum(v, domain.JoinMethods, joinWords); ok {
			g.Join = j
		} else {
			row.fail("join", "csvio.err_value", v)
		}
	} else if prev == nil {
		g.Join = model.DefaultJoin
		if g.Join == "" {
			g.Join = domain.JoinViaHouse
		}
	}
	if v := rr.cell("online_url"); v != "" {
		if domain.ValidOnlineURL(v) {
			g.OnlineURL = v
		} else {
			row.fail("online_url", "csvio.err_online_url", v)
		}
	}
	if v := rr.cell("online_phone"); v != "" {
		if domain.ValidPhone(v) {
			g.OnlinePhone = domain.NormalisePhone(v)
		} else {
			row.fail("online_phone", "csvio.err_online_phone", v)
		}
	}
	if v := rr.cell("online_notes"); v != "" {
		if utf8.RuneCountInString(v) <= domain.MaxOnlineNotes && !strings.ContainsAny(v, "\r\n") {
			g.OnlineNotes = v
		} else {
			row.fail("online_notes", "csvio.err_online_notes", "")
		}
	}
	groupSchedule(rr, ref, &row, &g, prev)

	if prev == nil && len(row.Problems) == 0 {
		g.Slug = newSlug(ext, name, slugs)
	}
	if len(row.Problems) == 0 {
		if err := store.ValidateGroup(&g); errors.Is(err, store.ErrOnlineNeedURL) {
			row.fail("online_url", "csvio.err_online_needed", "")
		} else if errors.Is(err, store.ErrOnlineNeedDial) {
			row.fail("online_phone", "csvio.err_online_needed", "")
		} else if err != nil {
			row.fail("", "csvio.err_invalid", err.Error())
		}
	}
	key := g.ID
	if prev == nil {
		key = "new|" + g.OrgID + "|" + fold(name) + "|" + g.MunicipalityID
	}
	if first, dup := seen[key]; dup && len(row.Problems) == 0 {
		row.fail("name", "csvio.err_duplicate", strconv.Itoa(first))
	}
	switch {
	case len(row.Problems) > 0:
		row.Action = Reject
		row.Key, row.NewVenue = "", ""
		return row
	case prev == nil:
		row.Action = Create
		slugs[g.Slug] = true
	default:
		row.Changed = groupDiff(*prev, g)
		row.Action = Change
		if len(row.Changed) == 0 {
			row.Action = Same
		}
	}
	seen[key] = row.Line
	if row.Action != Same {
		row.Group = &g
		row.VenueKey = venueKey
	}
	return row
}

func cloneText(t domain.Text) domain.Text {
	out := domain.Text{}
	for k, v := range t {
		out[k] = v
	}
	return out
}

// newSlug is the external id when it is a free slug, else one made from the name.
func newSlug(ext, name string, taken map[string]bool) string {
	if ext != "" && reSlug.MatchString(ext) && len(ext) <= 120 && !store.ValidID(ext) && !taken[ext] {
		return ext
	}
	base := domain.Slugify(name)
	if len(base) > 110 {
		base = strings.TrimRight(base[:110], "-")
	}
	if base == "" {
		base = "gruppe"
	}
	s := base
	for i := 2; taken[s]; i++ {
		s = base + "-" + strconv.Itoa(i)
	}
	return s
}

// groupSchedule reads weekday, time, length, frequency and first_date. Empty
// cells keep the schedule as it is.
func groupSchedule(rr rowReader, ref *Ref, row *Row, g *domain.Group, prev *domain.Group) {
	wd, tm, ln, fq, fd := rr.cell("weekday"), rr.cell("time"), rr.cell("length"), rr.cell("frequency"), rr.cell("first_date")
	if wd == "" && tm == "" && ln == "" && fq == "" && fd == "" {
		return
	}
	var old domain.Schedule
	if prev != nil {
		old = prev.Schedule
	}
	has := !old.Start.IsZero()
	loc, err := old.Location()
	if err != nil {
		loc, _ = domain.LoadLocation(domain.DefaultTimeZone)
	}
	local := old.Start.In(loc)
	bad := len(row.Problems)
	var days []time.Weekday
	if wd != "" {
		var ok bool
		if days, ok = parseWeekdays(wd); !ok {
			row.fail("weekday", "csvio.err_weekday", wd)
		}
	} else if has {
		days = old.Weekdays()
	}
	y, mo, d, dateOK := 0, time.Month(0), 0, false
	if fd != "" {
		if y, mo, d, dateOK = parseDate(fd); !dateOK {
			row.fail("first_date", "csvio.err_date", fd)
		}
		if dateOK && len(days) == 0 {
			days = []time.Weekday{time.Date(y, mo, d, 12, 0, 0, 0, loc).Weekday()}
		}
	}
	h, m := local.Hour(), local.Minute()
	if tm != "" {
		var ok bool
		if h, m, ok = parseClock(tm); !ok {
			row.fail("time", "csvio.err_time", tm)
		}
	} else if !has {
		row.fail("time", "csvio.err_required", "")
	}
	length := old.DurationMin
	if ln != "" {
		var ok bool
		if length, ok = parseLength(ln); !ok {
			row.fail("length", "csvio.err_length", ln)
		}
	}
	if len(days) == 0 && wd == "" {
		row.fail("weekday", "csvio.err_required", "")
	}
	if len(row.Problems) > bad {
		return
	}
	if fq == "" && has {
		fq, _ = frequencyText(old.RRule, local)
	}
	rule, ok := parseFrequency(fq, days)
	if !ok {
		row.fail("frequency", "csvio.err_frequency", fq)
		return
	}
	if !dateOK {
		if has && slices.Contains(days, local.Weekday()) {
			y, mo, d = local.Date()
		} else {
			y, mo, d = firstDay(ref.Now.In(loc), days[0], rule)
		}
	}
	ns := domain.Schedule{Start: time.Date(y, mo, d, h, m, 0, 0, loc).UTC(), DurationMin: length, TZ: old.TZ, RRule: rule, ExDates: old.ExDates}
	if ns.TZ == "" {
		ns.TZ = domain.DefaultTimeZone
	}
	if has && sameSchedule(old, ns) {
		return
	}
	g.Schedule = ns
}

// firstDay is the first day on or after today that fits the weekday (and
// for a monthly rule, its place in the month).
func firstDay(today time.Time, day time.Weekday, rule string) (int, time.Month, int) {
	n := 0
	if r, err := domain.ParseRule(rule); err == nil && r.Freq == domain.FreqMonthly && len(r.ByDay) == 1 {
		n = r.ByDay[0].N
	}
	t := time.Date(today.Year(), today.Month(), today.Day(), 12, 0, 0, 0, today.Location())
	for i := 0; i < 400; i++ {
		c := t.AddDate(0, 0, i)
		if c.Weekday() != day {
			continue
		}
		last := c.AddDate(0, 0, 7).Month() != c.Month()
		if n == 0 || (n > 0 && (c.Day()-1)/7+1 == n) || (n == -1 && last) {
			return c.Date()
		}
	}
	return t.Date()
}

// sameSchedule compares two schedules by what they mean: the same start,
// length and zone, and the same next meetings.
func sameSchedule(a, b domain.Schedule) bool {
	if !a.Start.Equal(b.Start) || a.DurationMin != b.DurationMin || a.TZ != b.TZ && !(a.TZ == "" || b.TZ == "") {
		return false
	}
	if a.RRule == b.RRule {
		return true
	}
	if (a.RRule == "") != (b.RRule == "") {
		return false
	}
	return slices.EqualFunc(a.Next(a.Start, 30), b.Next(b.Start, 30), time.Time.Equal)
}

// groupDiff names the columns where two groups differ.
func groupDiff(a, b domain.Group) []string {
	var out []string
	add := func(c string, differ bool) {
		if differ {
			out = append(out, c)
		}
	}
	add("name", a.Name["nb"] != b.Name["nb"])
	add("name_en", a.Name["en"] != b.Name["en"])
	add("description", a.Description["nb"] != b.Description["nb"])
	add("description_en", a.Description["en"] != b.Description["en"])
	add("themes", !slices.Equal(uniq(a.ThemeIDs), uniq(b.ThemeIDs)))
	add("model", a.ModelID != b.ModelID)
	add("format", a.Format != b.Format)
	add("languages", !slices.Equal(uniq(a.Languages), uniq(b.Languages)))
	add("organisation", a.OrgID != b.OrgID)
	add("municipality", a.MunicipalityID != b.MunicipalityID)
	add("venue_name", a.VenueID != b.VenueID)
	add("schedule", !(a.Schedule.Start.IsZero() && b.Schedule.Start.IsZero()) && !sameSchedule(a.Schedule, b.Schedule))
	add("status", a.Status != b.Status)
	add("takes_new_members", a.TakesNewMembers != b.TakesNewMembers)
	add("join", a.Join != b.Join)
	add("online_url", a.OnlineURL != b.OnlineURL)
	add("online_phone", a.OnlinePhone != b.OnlinePhone)
	add("online_notes", a.OnlineNotes != b.OnlineNotes)
	return out
}

func uniq(xs []string) []string {
	out := slices.Clone(xs)
	slices.Sort(out)
	return slices.Compact(out)
}
