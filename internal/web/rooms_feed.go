package web

// The private calendar feed of a room: /rom/{id}/kalender.ics?token=…
//
// A room's bookings tell when closed groups meet, so the feed is not
// public: its address carries a secret token that the house makes on the
// room's page and can replace at any time (the old address stops working
// at once). The token is in the query, which the access log never holds;
// only its SHA-256 is stored. Even so the feed names only what is public
// anyway: an open group (a model that is not closed and a group that is not
// joined through the house) by its name, an event by its title; every
// other booking — a closed group, another organisation's meeting — is just
// "Booked". A wrong token, or a room without a feed, is the same 404 as a
// room that does not exist.

import (
	"bytes"
	"net/http"
	"time"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/ical"
	"github.com/fellesrom/fellesrom/internal/store"
)

// roomsFeedPage wraps the feed: no-store, no Referer, not indexed.
func roomsFeedPage(h http.Handler) http.Handler {
	inner := accountTokenPage(h)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Robots-Tag", "noindex, nofollow")
		inner.ServeHTTP(w, r)
	})
}

// roomsFeedPast is how far back the feed reaches.
const roomsFeedPast = 30 * 24 * time.Hour

// roomsFeed is GET /rom/{id}/kalender.ics.
func (s *site) roomsFeed(w http.ResponseWriter, r *http.Request, lang string) {
	ctx := r.Context()
	id := officePathID(r, "id")
	ok, err := s.store.RoomFeedOpens(ctx, id, r.URL.Query().Get("token"))
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	if id == "" || !ok {
		s.notFound(w, r, lang)
		return
	}
	rm, err := s.store.RoomByID(ctx, id)
	if err != nil {
		s.officeErr(w, r, lang, err)
		return
	}
	vn, err := s.store.Venue(ctx, rm.VenueID)
	if err != nil {
		s.officeErr(w, r, lang, err)
		return
	}
	from := s.now().Add(-roomsFeedPast)
	series, err := s.store.RoomSeriesList(ctx, []string{rm.ID}, store.DayOf(from))
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	once, err := s.store.OneOffs(ctx, []string{rm.ID}, from)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	var gids []string
	for _, sr := range series {
		gids = append(gids, sr.GroupID)
	}
	for _, b := range once {
		gids = append(gids, b.GroupID)
	}
	open, err := s.roomsOpenGroups(r, gids)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	p := s.newPage(lang, "")
	booked := p.S("rooms.feed_booked")
	label := func(groupID, purpose, title string) string {
		if name, ok := open[groupID]; ok {
			return name.In(lang)
		}
		if purpose == "event" && title != "" {
			return title
		}
		return booked
	}
	loc := roomsLoc()
	where := p.S("rooms.feed_location", "Room", rm.Name, "Venue", vn.Name)
	cal := ical.Calendar{Name: where}
	for _, sr := range series {
		ev, err := ical.EventFromSchedule(sr.Schedule())
		if err != nil {
			s.serverError(w, r, lang, err)
			return
		}
		ev.UID, ev.Summary, ev.Location, ev.LastModified = "room-series-"+sr.ID+"@fellesrom", label(sr.GroupID, "", ""),
			where, sr.UpdatedAt
		cal.Events = append(cal.Events, ev)
	}
	for _, b := range once {
		cal.Events = append(cal.Events, ical.Event{UID: "room-booking-" + b.ID + "@fellesrom", Start: b.StartsAt.In(loc),
			End: b.EndsAt.In(loc), Summary: label(b.GroupID, b.Purpose, b.Title), Location: where, LastModified: b.CreatedAt})
	}
	var buf bytes.Buffer
	if _, err := cal.WriteTo(&buf); err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/calendar; charset=utf-8")
	h.Set("Content-Disposition", `inline; filename="rom.ics"`)
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(buf.Bytes())
	}
}

// roomsOpenGroups are the names of the groups among ids that are open (a
// model that is not closed, not joined through the house): the ones whose
// time and place may be known.
func (s *site) roomsOpenGroups(r *http.Request, ids []string) (map[string]domain.Text, error) {
	out := map[string]domain.Text{}
	var want []string
	for _, id := range ids {
		if id != "" {
			want = append(want, id)
		}
	}
	if len(want) == 0 {
		return out, nil
	}
	gs, err := s.store.GroupsByID(r.Context(), want)
	if err != nil {
		return nil, err
	}
	models, err := s.store.Models(r.Context())
	if err != nil {
		return nil, err
	}
	intake := map[string]domain.Intake{}
	for _, m := range models {
		intake[m.ID] = m.Intake
	}
	for _, g := range gs {
		if roomsOpenGroup(g, intake[g.ModelID]) {
			out[g.ID] = g.Name
		}
	}
	return out, nil
}

// roomsOpenGroup reports whether a group's meetings may show in a feed.
func roomsOpenGroup(g domain.Group, intake domain.Intake) bool {
	return intake != domain.IntakeClosed && g.Join != domain.JoinViaHouse
}
