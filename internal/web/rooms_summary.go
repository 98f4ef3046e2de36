package web

// The use of a house's rooms in a month: /kontor/rombruk?maned=2026-03&hus=
// (a table: room, who used it, meetings, hours) and the same as CSV,
// /kontor/rombruk.csv. For the house's reports to its funders: what its
// rooms were used for, by which groups and organisations.

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
)

type roomsSummaryLine struct {
	Room     string
	Who      Phrase
	Kind     string // message id: a group, an organisation, an outside organisation
	Meetings int
	Minutes  int
}

type roomsSummaryView struct {
	*roomsView
	Month, PrevMonth, NextMonth string // 2026-03
	MonthName                   string
	House                       string
	Houses                      []officeOption
	Lines                       []roomsSummaryLine
	Meetings, Minutes           int
	CSV                         string
}

// Hours is minutes as hours with one decimal, in the page's language.
func (v *roomsSummaryView) Hours(minutes int) string { return v.Decimal(float64(minutes)/60, 1) }

// roomsSummaryLoad reads the month and the house of the query and sums
// up the use of the house's rooms; false when it has answered.
func (s *site) roomsSummaryLoad(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) (*roomsSummaryView, bool) {
	sc, ok := s.roomsScopeOf(w, r, lang, me)
	if !ok {
		return nil, false
	}
	ctx := r.Context()
	q := r.URL.Query()
	month := q.Get("maned")
	if month == "" {
		month = s.now().In(roomsLoc()).Format("2006-01")
	}
	from, _, err := store.MonthSpan(month)
	if err != nil {
		s.badAddress(w, r, lang)
		return nil, false
	}
	places, err := s.roomsPlaces(ctx, sc, auth.ViewListing)
	if err != nil {
		s.serverError(w, r, lang, err)
		return nil, false
	}
	v := &roomsSummaryView{roomsView: s.newRoomsView(r, lang, "/kontor/rombruk", me, sc, "summary", "rooms.summary_title"),
		Month: month}
	for _, p := range places {
		if !slices.ContainsFunc(v.Houses, func(o officeOption) bool { return o.Value == p.Venue.OrgID }) {
			v.Houses = append(v.Houses, officeOption{Value: p.Venue.OrgID, Text: sc.byID[p.Venue.OrgID].Name})
		}
	}
	domain.SortByName(v.Houses, func(o officeOption) string { return o.Text })
	v.House = q.Get("hus")
	if v.House == "" && len(v.Houses) > 0 {
		v.House = v.Houses[0].Value
	}
	if len(v.Houses) > 0 && !slices.ContainsFunc(v.Houses, func(o officeOption) bool { return o.Value == v.House }) {
		s.notFound(w, r, lang)
		return nil, false
	}
	local := from.In(roomsLoc())
	w2 := newWords(v.cat, v.Lang, "month.1")
	v.MonthName = w2.t("rooms.month_year", "Month", w2.t("month."+strconv.Itoa(int(local.Month()))), "Year", local.Year())
	v.PrevMonth, v.NextMonth = local.AddDate(0, -1, 0).Format("2006-01"), local.AddDate(0, 1, 0).Format("2006-01")
	v.Title = v.S("rooms.summary_title_month", "Month", v.MonthName)
	v.Prev = v.HrefQuery("/kontor/rombruk", "maned", v.PrevMonth, "hus", v.House)
	v.Next = v.HrefQuery("/kontor/rombruk", "maned", v.NextMonth, "hus", v.House)
	v.query = url.Values{"maned": {month}, "hus": {v.House}}
	v.opts("hus", v.Houses)
	v.set("hus", v.House)
	v.set("maned", month)
	v.CSV = v.HrefQuery("/kontor/rombruk.csv", "maned", month, "hus", v.House)
	var ids []string
	names := map[string]string{}
	for _, p := range places {
		if p.Venue.OrgID == v.House {
			ids = append(ids, p.Room.ID)
			names[p.Room.ID] = p.Room.Name
			if len(slices.DeleteFunc(slices.Clone(places), func(x roomsPlace) bool {
				return x.Venue.OrgID != v.House || x.Venue.ID == p.Venue.ID
			})) > 0 {
				names[p.Room.ID] = p.Venue.Name + ": " + p.Room.Name
			}
		}
	}
	lines, err := s.store.RoomUseMonth(ctx, ids, month)
	if err != nil {
		s.serverError(w, r, lang, err)
		return nil, false
	}
	var gids []string
	for _, l := range lines {
		gids = append(gids, l.GroupID)
	}
	who, err := s.roomsNamesOf(ctx, sc, gids)
	if err != nil {
		s.serverError(w, r, lang, err)
		return nil, false
	}
	for _, l := range lines {
		kind := "rooms.kind_group"
		switch {
		case l.GroupID != "":
		case l.OrgID != "":
			kind = "rooms.kind_org"
		default:
			kind = "rooms.kind_outside"
		}
		v.Lines = append(v.Lines, roomsSummaryLine{Room: names[l.RoomID], Who: who.who(v.officeView, l.GroupID, l.OrgID, l.Holder),
			Kind: kind, Meetings: l.Meetings, Minutes: l.Minutes})
		v.Meetings += l.Meetings
		v.Minutes += l.Minutes
	}
	return v, true
}

// roomsSummaryPage is GET /kontor/rombruk.
func (s *site) roomsSummaryPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	if v, ok := s.roomsSummaryLoad(w, r, lang, me); ok {
		s.render(w, r, http.StatusOK, "rooms_summary", v)
	}
}

// roomsSummaryCSV is GET /kontor/rombruk.csv: the same lines, with a
// header row in the page's language; hours with a point.
func (s *site) roomsSummaryCSV(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	v, ok := s.roomsSummaryLoad(w, r, lang, me)
	if !ok {
		return
	}
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	cw.Write([]string{v.S("rooms.col_room"), v.S("rooms.col_who"), v.S("rooms.col_kind"), v.S("rooms.col_meetings"),
		v.S("rooms.col_hours")})
	for _, l := range v.Lines {
		cw.Write([]string{csvCell(l.Room), csvCell(l.Who.Text), v.S(l.Kind), strconv.Itoa(l.Meetings),
			strconv.FormatFloat(float64(l.Minutes)/60, 'f', 1, 64)})
	}
	cw.Flush()
	house := domain.Slugify(v.sc.byID[v.House].Name)
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="rombruk-`+house+`-`+v.Month+`.csv"`)
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(buf.Bytes())
	}
}

// csvCell keeps a spreadsheet from reading a cell as a formula.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
