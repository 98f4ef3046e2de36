package web

// National open data (issue 7, item 5): the enquiries of every complete
// year by county and theme, anonymous, with small counts suppressed (package
// report), at /apne-data/henvendelser.csv and /apne-data/henvendelser.json.
// The columns are described in README.md ("Reports and open data") and in
// the JSON itself. Computed at most once an hour per instance.

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/fellesrom/fellesrom/internal/i18n"
	"github.com/fellesrom/fellesrom/internal/report"
	"github.com/fellesrom/fellesrom/internal/store"
)

func init() { staffAreas = append(staffAreas, opendataRoutes) }

func opendataRoutes(s *site, mux *http.ServeMux, lang, p string) {
	if lang != i18n.Default {
		return // one address for every language
	}
	mux.Handle("/apne-data/henvendelser.csv", s.methods(lang, s.opendataCSV, nil))
	mux.Handle("/apne-data/henvendelser.json", s.methods(lang, s.opendataJSON, nil))
}

// opendataMaxAge is how long computed open data is served before it is
// computed again.
const opendataMaxAge = time.Hour

var opendataCache struct {
	sync.Mutex
	m map[*store.Store]opendataEntry
}

type opendataEntry struct {
	at   time.Time
	rows []report.OpenDataRow
}

func (s *site) opendataRows(r *http.Request) ([]report.OpenDataRow, error) {
	now := s.now()
	opendataCache.Lock()
	defer opendataCache.Unlock()
	if e, ok := opendataCache.m[s.store]; ok && now.Sub(e.at) < opendataMaxAge && !now.Before(e.at) {
		return e.rows, nil
	}
	d, _, err := s.reportData(r.Context())
	if err != nil {
		return nil, err
	}
	rows := d.OpenData(now)
	if opendataCache.m == nil {
		opendataCache.m = map[*store.Store]opendataEntry{}
	}
	opendataCache.m[s.store] = opendataEntry{now, rows}
	return rows, nil
}

// opendataStatus names a cell's state in the open data.
func opendataStatus(st report.State) string {
	switch st {
	case report.Under5:
		return "under_5"
	case report.Hidden:
		return "suppressed"
	}
	return "shown"
}

func (s *site) opendataWrite(w http.ResponseWriter, r *http.Request, ctype, name string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Disposition", `inline; filename="`+name+`"`)
	h.Set("Cache-Control", "public, max-age=3600")
	h.Set("Access-Control-Allow-Origin", "*")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// opendataCSV is GET /apne-data/henvendelser.csv.
func (s *site) opendataCSV(w http.ResponseWriter, r *http.Request, lang string) {
	rows, err := s.opendataRows(r)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	var b bytes.Buffer
	cw := csv.NewWriter(&b)
	cw.Write([]string{"year", "area_code", "area", "theme", "enquiries", "status"})
	for _, row := range rows {
		n := ""
		if row.Enquiries.State == report.Shown {
			n = strconv.Itoa(row.Enquiries.Value)
		}
		cw.Write([]string{strconv.Itoa(row.Year), row.AreaCode, row.Area, row.Theme, n, opendataStatus(row.Enquiries.State)})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	s.opendataWrite(w, r, "text/csv; charset=utf-8", "henvendelser.csv", b.Bytes())
}

// opendataColumns describes the columns of both files.
var opendataColumns = map[string]string{
	"year":      "calendar year the enquiries were made in (complete years only)",
	"area_code": "county number, or NO for the whole country",
	"area":      "county name, or Norge",
	"theme":     "theme slug the enquiries named; empty for all enquiries (an enquiry may name several themes, so themes do not add up to all)",
	"enquiries": "number of enquiries; empty (null in JSON) when not shown",
	"status":    "shown; under_5 (1 to 4, not shown); suppressed (not shown, so that no count under 5 can be worked out from totals, other areas or other periods)",
}

type opendataJSONRow struct {
	Year      int    `json:"year"`
	AreaCode  string `json:"area_code"`
	Area      string `json:"area"`
	Theme     string `json:"theme"`
	Enquiries *int   `json:"enquiries"`
	Status    string `json:"status"`
}

// opendataJSON is GET /apne-data/henvendelser.json.
func (s *site) opendataJSON(w http.ResponseWriter, r *http.Request, lang string) {
	rows, err := s.opendataRows(r)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	out := struct {
		Description string            `json:"description"`
		Columns     map[string]string `json:"columns"`
		Rows        []opendataJSONRow `json:"rows"`
	}{
		Description: "Enquiries to self-help groups by year, county and theme; anonymous aggregates with small counts suppressed",
		Columns:     opendataColumns,
		Rows:        []opendataJSONRow{},
	}
	for _, row := range rows {
		j := opendataJSONRow{Year: row.Year, AreaCode: row.AreaCode, Area: row.Area, Theme: row.Theme,
			Status: opendataStatus(row.Enquiries.State)}
		if row.Enquiries.State == report.Shown {
			n := row.Enquiries.Value
			j.Enquiries = &n
		}
		out.Rows = append(out.Rows, j)
	}
	body, err := json.MarshalIndent(out, "", " ")
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	s.opendataWrite(w, r, "application/json; charset=utf-8", "henvendelser.json", append(body, '\n'))
}
