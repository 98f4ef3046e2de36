package web

// The rooms' overview (/kontor/rom) and the week views: of every room of
// the user's houses (/kontor/rom/uke, a table per venue, days down and
// rooms across) and of one room (/kontor/rom/{id}/uke). A table has a
// caption, a header for each day and each room, and scrolls sideways in
// its own focusable region on a narrow screen; a meeting into the next
// day is shown on the day it starts, with its end's day named.

import (
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
)

// roomsVenue is a venue with its rooms.
type roomsVenue struct {
	Venue domain.Venue
	Org   string
	Rooms []domain.Room
	Edit  bool
}

func roomsByVenue(places []roomsPlace, sc *officeScope) []roomsVenue {
	var out []roomsVenue
	for _, p := range places {
		if n := len(out); n == 0 || out[n-1].Venue.ID != p.Venue.ID {
			out = append(out, roomsVenue{Venue: p.Venue, Org: sc.byID[p.Venue.OrgID].Name,
				Edit: sc.can(auth.EditListing, p.Venue.OrgID)})
		}
		out[len(out)-1].Rooms = append(out[len(out)-1].Rooms, p.Room)
	}
	return out
}

type roomsOverviewView struct {
	*roomsView
	Venues   []roomsVenue
	NewCount int
}

// roomsOverviewPage is GET /kontor/rom.
func (s *site) roomsOverviewPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	sc, ok := s.roomsScopeOf(w, r, lang, me)
	if !ok {
		return
	}
	places, err := s.roomsPlaces(r.Context(), sc, auth.ViewListing)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	v := &roomsOverviewView{roomsView: s.newRoomsView(r, lang, "/kontor/rom", me, sc, "rooms", "rooms.overview_title"),
		Venues: roomsByVenue(places, sc)}
	if v.requests {
		if v.NewCount, err = s.store.RoomRequestCounts(r.Context(), sc.orgIDs(auth.ReadPersonalData)); err != nil {
			s.serverError(w, r, lang, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "rooms_overview", v)
}

// roomsWeekItem is a meeting in a cell of the week.
type roomsWeekItem struct {
	Span  string
	Who   Phrase
	Title string
	Href  string // the series or the room's page, for those who may change it
}

type roomsWeekRow struct {
	Day   Phrase
	Date  string // 2026-11-23
	Cells [][]roomsWeekItem
}

type roomsWeekTable struct {
	ID      string
	Caption string
	Rooms   []roomsPlace
	Rows    []roomsWeekRow
}

type roomsWeekView struct {
	*roomsView
	Week                         roomsWeek
	PrevWeek, ThisWeek, NextWeek string // ?uke= of the weeks around
	Tables                       []roomsWeekTable
	Place                        *roomsPlace // the room, on a room's week
	Houses                       []officeOption
	House                        string
}

// PagePath is the page's path, for the week links.
func (v *roomsWeekView) PagePath() string { return v.path }

// WeekFrom and WeekTo are the first and last day of the week.
func (v *roomsWeekView) WeekFrom() Phrase { return v.DayLong(v.Week.Monday.Add(12 * time.Hour)) }
func (v *roomsWeekView) WeekTo() Phrase {
	return v.DayLong(v.Week.Monday.AddDate(0, 0, 6).Add(12 * time.Hour))
}

// roomsWeekTables lays the meetings of the rooms out in tables, one per venue.
func (s *site) roomsWeekTables(r *http.Request, v *roomsWeekView, places []roomsPlace) error {
	ctx := r.Context()
	ids := make([]string, len(places))
	col := map[string]int{}
	for i, p := range places {
		ids[i] = p.Room.ID
	}
	use, err := s.store.RoomUse(ctx, ids, v.Week.Monday, v.Week.End())
	if err != nil {
		return err
	}
	var gids []string
	for _, o := range use {
		gids = append(gids, o.GroupID)
	}
	names, err := s.roomsNamesOf(ctx, v.sc, gids)
	if err != nil {
		return err
	}
	days := v.Week.Days()
	tableOf := map[string]int{}
	for _, p := range places {
		t, ok := tableOf[p.Venue.ID]
		if !ok {
			t = len(v.Tables)
			tableOf[p.Venue.ID] = t
			tbl := roomsWeekTable{ID: "uke-" + p.Venue.ID, Caption: v.S("rooms.week_caption", "Venue", p.Venue.Name,
				"Week", v.Week.Week)}
			if v.Place != nil {
				tbl.Caption = v.S("rooms.week_caption_room", "Room", p.Room.Name, "Week", v.Week.Week)
			}
			for _, d := range days {
				tbl.Rows = append(tbl.Rows, roomsWeekRow{Day: v.DayLong(d.Add(12 * time.Hour)), Date: d.Format("2006-01-02")})
			}
			v.Tables = append(v.Tables, tbl)
		}
		col[p.Room.ID] = len(v.Tables[t].Rooms)
		v.Tables[t].Rooms = append(v.Tables[t].Rooms, p)
		for i := range v.Tables[t].Rows {
			v.Tables[t].Rows[i].Cells = append(v.Tables[t].Rows[i].Cells, nil)
		}
	}
	venueOf := map[string]roomsPlace{}
	for _, p := range places {
		venueOf[p.Room.ID] = p
	}
	for _, o := range use {
		p := venueOf[o.RoomID]
		t := v.Tables[tableOf[p.Venue.ID]]
		row := slices.IndexFunc(days, func(d time.Time) bool { return !o.StartsAt.Before(d) && o.StartsAt.Before(d.AddDate(0, 0, 1)) })
		if row < 0 {
			row = 0 // began the Sunday before and runs into Monday
		}
		it := roomsWeekItem{Span: v.Span(o.StartsAt, o.EndsAt), Who: names.who(v.officeView, o.GroupID, o.OrgID, o.Holder),
			Title: o.Title}
		if it.Title == it.Who.Text {
			it.Title = ""
		}
		if v.sc.can(auth.EditListing, p.Venue.OrgID) {
			if o.SeriesID != "" {
				it.Href = v.Href("/kontor/rom/" + o.RoomID + "/serie/" + o.SeriesID)
			} else {
				it.Href = v.Href("/kontor/rom/" + o.RoomID)
			}
		}
		c := col[o.RoomID]
		t.Rows[row].Cells[c] = append(t.Rows[row].Cells[c], it)
	}
	return nil
}

func (s *site) roomsWeekView(w http.ResponseWriter, r *http.Request, lang, path string, me *auth.Current, sc *officeScope,
	title string, kv ...any) (*roomsWeekView, bool) {
	week, ok := parseRoomsWeek(r.URL.Query().Get("uke"), s.now())
	if !ok {
		s.badAddress(w, r, lang)
		return nil, false
	}
	v := &roomsWeekView{roomsView: s.newRoomsView(r, lang, path, me, sc, "week", title, kv...), Week: week,
		PrevWeek: roomsWeekOf(week.Monday.AddDate(0, 0, -3)).Param(), NextWeek: roomsWeekOf(week.Monday.AddDate(0, 0, 10)).Param(),
		ThisWeek: roomsWeekOf(s.now()).Param()}
	v.Title = v.S(title, append(kv, "Week", week.Week, "Year", week.Year)...)
	v.query = url.Values{"uke": {week.Param()}}
	v.Prev, v.Next = v.HrefQuery(path, "uke", v.PrevWeek), v.HrefQuery(path, "uke", v.NextWeek)
	return v, true
}

// roomsHouseWeekPage is GET /kontor/rom/uke: every room of the user's
// houses (?hus= one organisation's).
func (s *site) roomsHouseWeekPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	sc, ok := s.roomsScopeOf(w, r, lang, me)
	if !ok {
		return
	}
	places, err := s.roomsPlaces(r.Context(), sc, auth.ViewListing)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	v, ok := s.roomsWeekView(w, r, lang, "/kontor/rom/uke", me, sc, "rooms.week_title")
	if !ok {
		return
	}
	v.House = r.URL.Query().Get("hus")
	v.Houses = []officeOption{{Value: "", Text: v.S("rooms.all_houses")}}
	for _, p := range places {
		if !slices.ContainsFunc(v.Houses, func(o officeOption) bool { return o.Value == p.Venue.OrgID }) {
			v.Houses = append(v.Houses, officeOption{Value: p.Venue.OrgID, Text: sc.byID[p.Venue.OrgID].Name})
		}
	}
	if v.House != "" {
		if !slices.ContainsFunc(v.Houses, func(o officeOption) bool { return o.Value == v.House }) {
			s.notFound(w, r, lang)
			return
		}
		places = slices.DeleteFunc(places, func(p roomsPlace) bool { return p.Venue.OrgID != v.House })
		v.query.Set("hus", v.House)
	}
	v.opts("hus", v.Houses)
	v.set("hus", v.House)
	if err := s.roomsWeekTables(r, v, places); err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	s.render(w, r, http.StatusOK, "rooms_week", v)
}

// roomsRoomWeekPage is GET /kontor/rom/{id}/uke.
func (s *site) roomsRoomWeekPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	sc, p, ok := s.roomsLoad(w, r, lang, me, auth.ViewListing)
	if !ok {
		return
	}
	v, ok := s.roomsWeekView(w, r, lang, "/kontor/rom/"+p.Room.ID+"/uke", me, sc, "rooms.room_week_title", "Room", p.Room.Name)
	if !ok {
		return
	}
	v.Place = &p
	if err := s.roomsWeekTables(r, v, []roomsPlace{p}); err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	s.render(w, r, http.StatusOK, "rooms_week", v)
}

// roomsSeriesWords is a series in words: "Hver tirsdag kl. 18.00–19.30,
// til og med 30. juni 2027".
func (v *officeView) SeriesWords(sr store.RoomSeries) Phrase {
	return ScheduleWords(v.cat, v.Lang, sr.Schedule())
}
