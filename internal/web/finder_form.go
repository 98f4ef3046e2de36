package web

import (
	"html/template"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/finder"
)

// The form of the finder: what it offers, and what it keeps of what a
// person sent.

// option is a checkbox or an option of a select in the finder form.
type option struct {
	ID      string // element id, for checkboxes
	Value   string
	Label   Phrase
	Checked bool
}

// municipalityOptions writes the select's optgroups of municipalities by
// county. With 357 options this is most of the finder page: through the
// template engine it cost about 1.5 ms a page, written here a few
// microseconds. Every text is escaped.
func municipalityOptions(cat *finder.Catalog, selected map[string]bool) template.HTML {
	byCounty := map[string][]domain.Municipality{}
	for _, m := range cat.Municipalities {
		byCounty[m.CountyID] = append(byCounty[m.CountyID], m)
	}
	var b strings.Builder
	b.Grow(24 * len(cat.Municipalities))
	for _, c := range cat.Counties {
		if len(byCounty[c.ID]) == 0 {
			continue
		}
		b.WriteString(`<optgroup label="` + template.HTMLEscapeString(c.Name) + `">`)
		for _, m := range byCounty[c.ID] {
			b.WriteString("\n<option value=\"" + template.HTMLEscapeString(m.ID) + `"`)
			if selected[m.ID] {
				b.WriteString(" selected")
			}
			b.WriteString(">" + template.HTMLEscapeString(m.DisplayName()) + "</option>")
		}
		b.WriteString("\n</optgroup>\n")
	}
	return template.HTML(b.String())
}

// nearFromForm turns the form's latitude and longitude fields (lat, lon)
// into the finder's near parameter, so that the finder page and the API take
// the same parameters. Both fields empty means no place; then the distance
// the form always sends means nothing either. A decimal comma and a Unicode
// minus are read as a point and a hyphen.
func nearFromForm(v url.Values) error {
	_, hasLat := v["lat"]
	_, hasLon := v["lon"]
	if !hasLat && !hasLon {
		return nil
	}
	num := func(s string) string {
		s = strings.TrimSpace(s)
		s = strings.ReplaceAll(s, ",", ".")
		return strings.ReplaceAll(s, "−", "-")
	}
	lat, lon := num(v.Get("lat")), num(v.Get("lon"))
	v.Del("lat")
	v.Del("lon")
	switch {
	case lat == "" && lon == "":
		if strings.TrimSpace(v.Get("near")) == "" {
			v.Del("km")
		}
		return nil
	case lat == "" || lon == "" || strings.Contains(lat+lon, " "):
		return &finder.QueryError{Param: "near", Reason: "latitude and longitude"}
	}
	v.Set("near", lat+","+lon)
	return nil
}

// splitValues returns the values of a parameter split at commas.
func splitValues(v url.Values, key string) map[string]bool {
	out := map[string]bool{}
	for _, s := range v[key] {
		for p := range strings.SplitSeq(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out[p] = true
			}
		}
	}
	return out
}

func sortOptions(opts []option) {
	domain.SortByName(opts, func(o option) string { return o.Label.Text })
}

// fillForm fills the form from what the person sent: every field keeps what
// they chose, except a value that is wrong and long.
func (s *site) fillForm(v *finderView, cat *finder.Catalog, form url.Values, fe *finder.QueryError) {
	bad := func(param string) bool { return fe != nil && fe.Param == param }
	if q := form.Get("q"); utf8.ValidString(q) && utf8.RuneCountInString(q) <= finder.MaxTextRunes {
		v.Q = q
	} else if !bad("q") && len(q) <= 4*finder.MaxTextRunes {
		v.Q = strings.ToValidUTF8(q, "")
	}
	short := func(s string) string {
		if len(s) > 32 {
			return ""
		}
		return strings.TrimSpace(s)
	}
	if _, ok := form["lat"]; ok {
		v.Lat, v.Lon = short(form.Get("lat")), short(form.Get("lon"))
	} else if la, lo, ok := strings.Cut(form.Get("near"), ","); ok {
		v.Lat, v.Lon = short(la), short(lo)
		if _, err := strconv.ParseFloat(v.Lat, 64); err == nil {
			v.Lat = strings.Replace(v.Lat, ".", v.S("number.decimal"), 1)
		}
		if _, err := strconv.ParseFloat(v.Lon, 64); err == nil {
			v.Lon = strings.Replace(v.Lon, ".", v.S("number.decimal"), 1)
		}
	}
	if v.Lat != "" || v.Lon != "" {
		v.Active++
	}

	checked := func(key string) map[string]bool { return splitValues(form, key) }
	themes := checked("theme")
	for _, t := range cat.Themes {
		v.Themes = append(v.Themes, option{ID: "f-theme-" + t.Slug, Value: t.Slug,
			Label: Phrase{t.Name.In(v.Lang), t.Name.LangOf(v.Lang)}, Checked: themes[t.Slug]})
	}
	models := checked("model")
	for _, m := range cat.Models {
		v.Models = append(v.Models, option{ID: "f-model-" + m.Slug, Value: m.Slug,
			Label: Phrase{m.Name.In(v.Lang), m.Name.LangOf(v.Lang)}, Checked: models[m.Slug]})
	}
	formats := checked("format")
	for _, f := range domain.Formats {
		v.Formats = append(v.Formats, option{ID: "f-format-" + string(f), Value: string(f),
			Label: v.L("format." + string(f)), Checked: formats[string(f)]})
	}
	days := checked("day")
	for i := range 7 {
		d := time.Weekday((i + 1) % 7)
		p := finder.DayParam(d)
		ph := v.L("weekday." + strconv.Itoa(int(d)))
		ph.Text = ucfirst(ph.Text)
		v.Days = append(v.Days, option{ID: "f-day-" + p, Value: p, Label: ph, Checked: days[p] || days[strings.ToUpper(p)]})
	}
	times := checked("time")
	for _, t := range domain.TimesOfDay {
		v.Times = append(v.Times, option{ID: "f-time-" + string(t), Value: string(t),
			Label: v.L("time." + string(t)), Checked: times[string(t)]})
	}
	munis := checked("municipality")
	v.AnyMuni = len(munis) == 0
	v.Municipalities = municipalityOptions(cat, munis)
	langs := checked("lang")
	v.AnyLang = len(langs) == 0
	for _, code := range cat.Languages {
		ph := v.LangName(code)
		ph.Text = ucfirst(ph.Text)
		v.Languages = append(v.Languages, option{Value: code, Label: ph, Checked: langs[code]})
	}
	sortOptions(v.Languages)
	km := 25
	if n, err := strconv.Atoi(form.Get("km")); err == nil && !bad("km") {
		km = n
	}
	for _, n := range kmChoices {
		v.Km = append(v.Km, option{Value: strconv.Itoa(n), Label: v.L("finder.km_option", "Km", n), Checked: n == km})
	}
	switch form.Get("open") {
	case "1", "true", "on":
		v.Open = true
		v.Active++
	}
	// Count the filters in use that the form shows as chosen.
	for _, group := range [][]option{v.Themes, v.Models, v.Formats, v.Days, v.Times, v.Languages} {
		if slices.ContainsFunc(group, func(o option) bool { return o.Checked }) {
			v.Active++
		}
	}
	if !v.AnyMuni {
		v.Active++
	}
}

// finderWith pairs the finder view with a value for a shared template part.
type finderWith struct {
	*finderView
	V any
}

// With pairs the view with a value for a shared template part.
func (v *finderView) With(x any) finderWith { return finderWith{v, x} }

// checkboxGroup is a fieldset of checkboxes for one parameter.
type checkboxGroup struct {
	ID      string
	Param   string
	Legend  string // message id
	Options []option
}

func (v *finderView) ThemeGroup() checkboxGroup {
	return checkboxGroup{"f-theme", "theme", "finder.theme_legend", v.Themes}
}
func (v *finderView) ModelGroup() checkboxGroup {
	return checkboxGroup{"f-model", "model", "finder.model_legend", v.Models}
}
func (v *finderView) FormatGroup() checkboxGroup {
	return checkboxGroup{"f-format", "format", "finder.format_legend", v.Formats}
}
func (v *finderView) DayGroup() checkboxGroup {
	return checkboxGroup{"f-day", "day", "finder.day_legend", v.Days}
}
func (v *finderView) TimeGroup() checkboxGroup {
	return checkboxGroup{"f-time", "time", "finder.time_legend", v.Times}
}
