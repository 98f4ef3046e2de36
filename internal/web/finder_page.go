package web

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/fellesrom/fellesrom/internal/finder"
)

// fieldError is a message about one field of the form.
type fieldError struct {
	Anchor  string // id of the field, "" if the message is about no field
	Message Phrase
}

// finderView is the finder: the form, and the results or what is wrong with
// the search.
type finderView struct {
	page
	Q              string
	Lat, Lon       string
	Themes         []option
	Models         []option
	Formats        []option
	Days           []option
	Times          []option
	Municipalities template.HTML // the options, by county
	AnyMuni        bool
	Languages      []option
	AnyLang        bool
	Km             []option
	Open           bool

	Errors      []fieldError
	errorFor    map[string]*Phrase
	FiltersOpen bool
	NearOpen    bool
	Active      int // filters in use

	Searched  bool // there are results to show (no error)
	Total     int
	PageNo    int
	Pages     int
	Results   []resultView
	PrevURL   string
	NextURL   string
	FirstURL  string
	BeyondEnd bool
}

// Err is the message for a field, or nil.
func (v *finderView) Err(field string) *Phrase { return v.errorFor[field] }

// The distances the form offers; 25 km is the finder's default.
var kmChoices = []int{5, 10, 25, 50, 100, 200}

// errorFields maps a parameter of the finder to the id of its field in the
// form ("" for none) and the message that says what is right.
var errorFields = map[string]struct{ anchor, msg string }{
	"q":            {"f-q", "error.q"},
	"theme":        {"f-theme", "error.theme"},
	"model":        {"f-model", "error.model"},
	"municipality": {"f-municipality", "error.municipality"},
	"county":       {"", "error.county"},
	"format":       {"f-format", "error.format"},
	"day":          {"f-day", "error.day"},
	"time":         {"f-time", "error.time"},
	"lang":         {"f-lang", "error.lang"},
	"open":         {"f-open", "error.open"},
	"near":         {"f-lat", "error.near"},
	"km":           {"f-km", "error.km"},
	"page":         {"", "error.page"},
	"per_page":     {"", "error.per_page"},
}

// fieldsInFilters are the fields inside the filter disclosure.
var fieldsInFilters = []string{"theme", "model", "municipality", "format", "day", "time", "lang", "open", "near", "km"}

func (s *site) finderPage(w http.ResponseWriter, r *http.Request, lang string) {
	ctx := r.Context()
	cat, err := s.finder.Catalog(ctx)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	v := &finderView{page: s.newPage(lang, "/finn"), errorFor: map[string]*Phrase{}}
	v.Nav = "find"
	v.Script = true

	// A query string that does not decode is an error of its own; what did
	// decode is kept in the form.
	form, perr := url.ParseQuery(r.URL.RawQuery)
	if form == nil {
		form = url.Values{}
	}
	q, res, err := s.search(r, cloneValues(form))
	var fe *finder.QueryError
	if err != nil && !errors.As(err, &fe) {
		s.serverError(w, r, lang, err)
		return
	}
	s.fillForm(v, cat, form, fe)
	status := http.StatusOK
	if perr != nil || fe != nil {
		status = http.StatusBadRequest
		v.showErrors(form, perr, fe)
	} else {
		listings, err := s.finder.Listings(ctx, res.Hits)
		if err != nil {
			s.serverError(w, r, lang, err)
			return
		}
		for _, l := range listings {
			v.Results = append(v.Results, s.result(v.page, l))
		}
		v.showResults(q, res)
	}
	for _, f := range fieldsInFilters {
		if v.errorFor[f] != nil {
			v.FiltersOpen = true
		}
	}
	if v.errorFor["near"] != nil || v.errorFor["km"] != nil || v.Lat != "" || v.Lon != "" {
		v.NearOpen = true
	}
	s.render(w, r, status, "finder", v)
}

// search runs the search the parameters ask for: the finder's own (see
// finder.ParseQuery), with the form's latitude and longitude fields read as
// near. A wrong parameter gives a *finder.QueryError.
func (s *site) search(r *http.Request, vals url.Values) (finder.Query, finder.Result, error) {
	if err := nearFromForm(vals); err != nil {
		return finder.Query{}, finder.Result{}, err
	}
	q, err := finder.ParseQuery(vals)
	if err != nil {
		return q, finder.Result{}, err
	}
	res, err := s.finder.Search(r.Context(), q)
	return q, res, err
}

// showErrors says what is wrong with the search.
func (v *finderView) showErrors(form url.Values, perr error, fe *finder.QueryError) {
	if perr != nil {
		v.Errors = append(v.Errors, fieldError{Message: v.L("error.malformed")})
	}
	if fe != nil {
		v.addError(fe)
	}
	v.Title = v.S("error.bad_request_title")
	// Switching language keeps what was right in the search, and nothing long.
	keep := url.Values{}
	for k, vs := range form {
		if fe != nil && (k == fe.Param || fe.Param == "near" && (k == "lat" || k == "lon")) {
			continue
		}
		for _, x := range vs {
			if len(x) <= 100 {
				keep.Add(k, x)
			}
		}
	}
	v.query = keep
}

// showResults shows a page of results, with links to the pages beside it.
func (v *finderView) showResults(q finder.Query, res finder.Result) {
	v.Searched = true
	v.Total, v.PageNo, v.Pages = res.Total, res.Page, res.Pages()
	base := q.Values()
	pageURL := func(n int) string {
		u := cloneValues(base)
		if n > 1 {
			u.Set("page", strconv.Itoa(n))
		}
		if e := u.Encode(); e != "" {
			return v.Href("/finn") + "?" + e
		}
		return v.Href("/finn")
	}
	if v.PageNo > 1 && v.PageNo <= v.Pages {
		v.PrevURL = pageURL(v.PageNo - 1)
	}
	if v.PageNo < v.Pages {
		v.NextURL = pageURL(v.PageNo + 1)
	}
	v.BeyondEnd = v.PageNo > v.Pages && v.Total > 0
	v.FirstURL = pageURL(1)
	v.Prev, v.Next = v.PrevURL, v.NextURL
	v.query = cloneValues(base)
	if v.PageNo > 1 {
		v.query.Set("page", strconv.Itoa(v.PageNo))
	}
	switch {
	case q.Text != "":
		v.Title = v.S("finder.title_search", "Q", clip(q.Text, 40))
	case q.Filtered():
		v.Title = v.S("finder.title_filtered")
	default:
		v.Title = v.S("finder.title")
	}
	if v.PageNo > 1 && v.Pages > 1 {
		v.Title = v.S("title.paged", "Title", v.Title, "Page", v.PageNo, "Pages", v.Pages)
	}
}

func (v *finderView) addError(fe *finder.QueryError) {
	f, ok := errorFields[fe.Param]
	if !ok {
		v.Errors = append(v.Errors, fieldError{Message: v.L("error.other")})
		return
	}
	var ph Phrase
	switch fe.Param {
	case "q":
		ph = v.L(f.msg, "Max", finder.MaxTextRunes)
	case "page":
		ph = v.L(f.msg, "Max", finder.MaxPage)
	case "per_page":
		ph = v.L(f.msg, "Max", finder.MaxPerPage)
	default:
		ph = v.L(f.msg)
	}
	v.Errors = append(v.Errors, fieldError{Anchor: f.anchor, Message: ph})
	if f.anchor != "" {
		v.errorFor[fe.Param] = &ph
	}
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}
