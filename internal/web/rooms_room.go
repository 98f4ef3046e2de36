package web

// A room's page (/kontor/rom/{id}): its series, its coming one-off
// bookings (with a button to cancel each), its calendar feed; and the
// actions that come back to it: cancelling a booking, a new address for
// the feed.

import (
	"errors"
	"net/http"
	"time"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/store"
)

type roomsSeriesItem struct {
	Series store.RoomSeries
	Who    Phrase
	Words  Phrase
	Href   string
}

type roomsOnceItem struct {
	Booking store.OneOffBooking
	Who     Phrase
	Day     Phrase
	Span    string
	Cancel  string // the form's action, for those who may cancel it
}

type roomsRoomView struct {
	*roomsView
	Place    roomsPlace
	Edit     bool
	Series   []roomsSeriesItem
	Once     []roomsOnceItem
	FeedMade time.Time
	FeedURL  string // the feed's new address, right after it was made
	AskURL   string // the public request form of the room
}

// roomsRoomRender shows a room's page; feedURL is a new feed address.
func (s *site) roomsRoomRender(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current, sc *officeScope,
	p roomsPlace, status int, feedURL string) {
	ctx := r.Context()
	v := &roomsRoomView{roomsView: s.newRoomsView(r, lang, "/kontor/rom/"+p.Room.ID, me, sc, "rooms", "rooms.room_title",
		"Room", p.Room.Name, "Venue", p.Venue.Name), Place: p, Edit: sc.can(auth.EditListing, p.Venue.OrgID), FeedURL: feedURL}
	v.AskURL = v.Href("/rom/" + p.Room.ID + "/forespor")
	if feedURL != "" {
		v.Notice = "rooms.notice_feed_made"
	}
	now := s.now()
	series, err := s.store.RoomSeriesList(ctx, []string{p.Room.ID}, store.DayOf(now))
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	once, err := s.store.OneOffs(ctx, []string{p.Room.ID}, now)
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
	names, err := s.roomsNamesOf(ctx, sc, gids)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	for _, sr := range series {
		it := roomsSeriesItem{Series: sr, Who: names.who(v.officeView, sr.GroupID, sr.OrgID, sr.Holder),
			Words: v.SeriesWords(sr)}
		if v.Edit {
			it.Href = v.Href("/kontor/rom/" + p.Room.ID + "/serie/" + sr.ID)
		}
		v.Series = append(v.Series, it)
	}
	for _, b := range once {
		it := roomsOnceItem{Booking: b, Who: names.who(v.officeView, b.GroupID, b.OrgID, b.Holder), Day: v.DayLong(b.StartsAt),
			Span: v.Span(b.StartsAt, b.EndsAt)}
		if v.Edit {
			it.Cancel = v.Href("/kontor/rom/" + p.Room.ID + "/booking/" + b.ID + "/avlys")
		}
		v.Once = append(v.Once, it)
	}
	if v.Edit {
		if v.FeedMade, err = s.store.RoomFeedMade(ctx, p.Room.ID); err != nil {
			s.serverError(w, r, lang, err)
			return
		}
	}
	s.render(w, r, status, "rooms_room", v)
}

// roomsRoomPage is GET /kontor/rom/{id}.
func (s *site) roomsRoomPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	sc, p, ok := s.roomsLoad(w, r, lang, me, auth.ViewListing)
	if ok {
		s.roomsRoomRender(w, r, lang, me, sc, p, http.StatusOK, "")
	}
}

// roomsBookingCancelPost is POST /kontor/rom/{id}/booking/{bid}/avlys.
func (s *site) roomsBookingCancelPost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	_, p, ok := s.roomsLoad(w, r, lang, me, auth.EditListing)
	if !ok {
		return
	}
	id := officePathID(r, "bid")
	b, err := s.store.OneOff(r.Context(), id)
	if id == "" || errors.Is(err, store.ErrNotFound) || err == nil && b.RoomID != p.Room.ID {
		s.notFound(w, r, lang)
		return
	}
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	if err := s.store.CancelBooking(officeCtx(r, me), id); err != nil {
		s.officeErr(w, r, lang, err)
		return
	}
	s.officeDone(w, r, lang, "/kontor/rom/"+p.Room.ID, "avlyst")
}

// roomsFeedPost is POST /kontor/rom/{id}/kalender: a new secret address
// for the room's feed, shown once on the page that answers (the old one
// stops working); with stop=1, no address at all.
func (s *site) roomsFeedPost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	sc, p, ok := s.roomsLoad(w, r, lang, me, auth.EditListing)
	if !ok || !s.officeParse(w, r, lang) {
		return
	}
	ctx := officeCtx(r, me)
	if r.PostForm.Get("stop") == "1" {
		if err := s.store.StopRoomFeed(ctx, p.Room.ID); err != nil {
			s.officeErr(w, r, lang, err)
			return
		}
		s.officeDone(w, r, lang, "/kontor/rom/"+p.Room.ID, "stoppet")
		return
	}
	link, err := s.accountLinker(r)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	token, err := s.store.RotateRoomFeed(ctx, p.Room.ID, s.now())
	if err != nil {
		s.officeErr(w, r, lang, err)
		return
	}
	s.roomsRoomRender(w, r, lang, me, sc, p, http.StatusOK, link(lang, "/rom/"+p.Room.ID+"/kalender.ics")+"?token="+token)
}
