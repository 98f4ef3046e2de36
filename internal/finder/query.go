package finder

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fellesrom/fellesrom/internal/domain"
)

// Limits on a query.
const (
	MaxTextRunes   = 200
	MaxPage        = 10000
	MaxPerPage     = 100
	DefaultPerPage = 20
	MaxValues      = 50 // values of one filter
	MaxRadiusKm    = 2000
)

// Point is a place on the map.
type Point struct{ Lat, Lon float64 }

// Query is a search of the public directory. The finder page and the JSON
// API build it with ParseQuery from the same URL parameters.
type Query struct {
	Text           string
	Themes         []string // theme slugs; any of them
	Municipalities []string // municipality numbers; any of them
	Counties       []string // county numbers; any of them
	Near           *Point   // with RadiusKm: only groups that meet within the radius
	RadiusKm       float64
	Formats        []domain.Format
	Models         []string // model slugs
	Days           []time.Weekday
	Times          []domain.TimeOfDay
	Languages      []string
	OpenNow        bool // takes new members now
	Page           int  // from 1
	PerPage        int
}

// QueryError says which parameter of a query is wrong and why. Its message
// never repeats the value, which may be long or hostile.
type QueryError struct {
	Param  string
	Reason string
}

func (e *QueryError) Error() string { return fmt.Sprintf("parameter %q: %s", e.Param, e.Reason) }

var dayParam = map[string]time.Weekday{"mo": time.Monday, "tu": time.Tuesday, "we": time.Wednesday,
	"th": time.Thursday, "fr": time.Friday, "sa": time.Saturday, "su": time.Sunday}

// DayParam is the URL value of a weekday.
func DayParam(d time.Weekday) string {
	for k, v := range dayParam {
		if v == d {
			return k
		}
	}
	return ""
}

// values returns the values of a parameter, split at commas, without empty ones.
func values(v url.Values, key string) ([]string, error) {
	var out []string
	for _, s := range v[key] {
		for p := range strings.SplitSeq(s, ",") {
			if p = strings.TrimSpace(p); p != "" && !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	if len(out) > MaxValues {
		return nil, &QueryError{key, fmt.Sprintf("at most %d values", MaxValues)}
	}
	for _, s := range out {
		if len(s) > 64 {
			return nil, &QueryError{key, "value too long"}
		}
	}
	return out, nil
}

func single(v url.Values, key string) (string, error) {
	vs := v[key]
	var out string
	for _, s := range vs {
		if s = strings.TrimSpace(s); s != "" {
			if out != "" && out != s {
				return "", &QueryError{key, "give it once"}
			}
			out = s
		}
	}
	return out, nil
}

// ParseQuery reads a query from URL parameters: q, theme, municipality,
// county, near ("lat,lon") with km, format, model, day (mo…su), time
// (morning, afternoon, evening), lang, open (1/true), page, per_page. A
// filter may be repeated or given as a comma-separated list. Parameters it
// does not know are ignored. Names of themes and models are checked against
// the catalogue when the query runs.
func ParseQuery(v url.Values) (Query, error) {
	q := Query{Page: 1, PerPage: DefaultPerPage}
	var err error
	text, err := single(v, "q")
	if err != nil {
		return q, err
	}
	if !utf8.ValidString(text) {
		return q, &QueryError{"q", "not valid UTF-8"}
	}
	if utf8.RuneCountInString(text) > MaxTextRunes {
		return q, &QueryError{"q", fmt.Sprintf("at most %d characters", MaxTextRunes)}
	}
	q.Text = strings.TrimSpace(text)
	if q.Themes, err = values(v, "theme"); err != nil {
		return q, err
	}
	if q.Models, err = values(v, "model"); err != nil {
		return q, err
	}
	if q.Municipalities, err = values(v, "municipality"); err != nil {
		return q, err
	}
	for _, m := range q.Municipalities {
		if !digits(m, 4) {
			return q, &QueryError{"municipality", "a municipality is four digits, such as 0301"}
		}
	}
	if q.Counties, err = values(v, "county"); err != nil {
		return q, err
	}
	for _, c := range q.Counties {
		if !digits(c, 2) {
			return q, &QueryError{"county", "a county is two digits, such as 03"}
		}
	}
	formats, err := values(v, "format")
	if err != nil {
		return q, err
	}
	for _, f := range formats {
		if !slices.Contains(domain.Formats, domain.Format(f)) {
			return q, &QueryError{"format", "one of in_person, telephone, video, hybrid"}
		}
		q.Formats = append(q.Formats, domain.Format(f))
	}
	days, err := values(v, "day")
	if err != nil {
		return q, err
	}
	for _, d := range days {
		wd, ok := dayParam[strings.ToLower(d)]
		if !ok {
			return q, &QueryError{"day", "one of mo, tu, we, th, fr, sa, su"}
		}
		if !slices.Contains(q.Days, wd) {
			q.Days = append(q.Days, wd)
		}
	}
	times, err := values(v, "time")
	if err != nil {
		return q, err
	}
	for _, t := range times {
		if !slices.Contains(domain.TimesOfDay, domain.TimeOfDay(t)) {
			return q, &QueryError{"time", "one of morning, afternoon, evening"}
		}
		q.Times = append(q.Times, domain.TimeOfDay(t))
	}
	if q.Languages, err = values(v, "lang"); err != nil {
		return q, err
	}
	for _, l := range q.Languages {
		if !domain.ValidLanguage(l) {
			return q, &QueryError{"lang", "a two-letter language code, such as nb or se"}
		}
	}
	open, err := single(v, "open")
	if err != nil {
		return q, err
	}
	switch open {
	case "", "0", "false":
	case "1", "true", "on":
		q.OpenNow = true
	default:
		return q, &QueryError{"open", "1 or 0"}
	}
	near, err := single(v, "near")
	if err != nil {
		return q, err
	}
	km, err := single(v, "km")
	if err != nil {
		return q, err
	}
	if near != "" {
		la, lo, ok := strings.Cut(near, ",")
		lat, err1 := strconv.ParseFloat(strings.TrimSpace(la), 64)
		lon, err2 := strconv.ParseFloat(strings.TrimSpace(lo), 64)
		if !ok || err1 != nil || err2 != nil || lat < -90 || lat > 90 || lon < -180 || lon > 180 || lat != lat || lon != lon {
			return q, &QueryError{"near", "latitude,longitude in degrees, such as 69.65,18.96"}
		}
		q.Near = &Point{lat, lon}
		q.RadiusKm = 25
	}
	if km != "" {
		r, err := strconv.ParseFloat(km, 64)
		if err != nil || r <= 0 || r > MaxRadiusKm || r != r {
			return q, &QueryError{"km", fmt.Sprintf("a distance in kilometres from 1 to %d", MaxRadiusKm)}
		}
		if q.Near == nil {
			return q, &QueryError{"km", "needs near"}
		}
		q.RadiusKm = r
	}
	if q.Page, err = intParam(v, "page", 1, 1, MaxPage); err != nil {
		return q, err
	}
	if q.PerPage, err = intParam(v, "per_page", DefaultPerPage, 1, MaxPerPage); err != nil {
		return q, err
	}
	return q, nil
}

func intParam(v url.Values, key string, def, lo, hi int) (int, error) {
	s, err := single(v, key)
	if err != nil || s == "" {
		return def, err
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, &QueryError{key, fmt.Sprintf("a whole number from %d to %d", lo, hi)}
	}
	return n, nil
}

func digits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// Values writes the query back as URL parameters (for links to other pages
// of the same search), leaving out page.
func (q Query) Values() url.Values {
	v := url.Values{}
	if q.Text != "" {
		v.Set("q", q.Text)
	}
	for _, s := range q.Themes {
		v.Add("theme", s)
	}
	for _, s := range q.Municipalities {
		v.Add("municipality", s)
	}
	for _, s := range q.Counties {
		v.Add("county", s)
	}
	if q.Near != nil {
		v.Set("near", strconv.FormatFloat(q.Near.Lat, 'f', -1, 64)+","+strconv.FormatFloat(q.Near.Lon, 'f', -1, 64))
		v.Set("km", strconv.FormatFloat(q.RadiusKm, 'f', -1, 64))
	}
	for _, f := range q.Formats {
		v.Add("format", string(f))
	}
	for _, s := range q.Models {
		v.Add("model", s)
	}
	for _, d := range q.Days {
		v.Add("day", DayParam(d))
	}
	for _, t := range q.Times {
		v.Add("time", string(t))
	}
	for _, l := range q.Languages {
		v.Add("lang", l)
	}
	if q.OpenNow {
		v.Set("open", "1")
	}
	if q.PerPage != 0 && q.PerPage != DefaultPerPage {
		v.Set("per_page", strconv.Itoa(q.PerPage))
	}
	return v
}

// Filtered says whether the query narrows the directory at all.
func (q Query) Filtered() bool {
	return q.Text != "" || len(q.Themes)+len(q.Municipalities)+len(q.Counties)+len(q.Formats)+len(q.Models)+
		len(q.Days)+len(q.Times)+len(q.Languages) > 0 || q.Near != nil || q.OpenNow
}
