package web

// A one-off booking of a room: /kontor/rom/{id}/booking/ny. The start-up
// meeting of a group is booked by its start (matching_formation.go);
// events by their page; this is for everything else.

import (
	"net/http"
	"time"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/store"
)

var roomsBookingFields = []string{"date", "start_time", "minutes", "purpose"}

// roomsBookingPurposes are the kinds the form offers (a start-up meeting
// is booked by the start of a group).
var roomsBookingPurposes = []string{"meeting", "event", "other"}

func (s *site) roomsBookingForm(r *http.Request, lang string, me *auth.Current, sc *officeScope, p roomsPlace) (*roomsFormView, error) {
	v := s.newRoomsForm(r, lang, "/kontor/rom/"+p.Room.ID+"/booking/ny", me, sc, p, "rooms.booking_new_title", "Room", p.Room.Name)
	if err := s.roomsWhoOptions(r.Context(), v); err != nil {
		return nil, err
	}
	return v, nil
}

func roomsBookingOptions(v *roomsFormView) {
	roomsMinuteOptions(v.officeView, "minutes")
	v.opts("purpose", officeEnum(v.officeView, "rooms.purpose_", roomsBookingPurposes))
}

// roomsBookingNewPage is GET /kontor/rom/{id}/booking/ny.
func (s *site) roomsBookingNewPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	sc, p, ok := s.roomsLoad(w, r, lang, me, auth.EditListing)
	if !ok {
		return
	}
	v, err := s.roomsBookingForm(r, lang, me, sc, p)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	v.set("who", "org")
	v.set("org", p.Venue.OrgID)
	v.set("minutes", "120")
	v.set("purpose", "meeting")
	roomsBookingOptions(v)
	s.render(w, r, http.StatusOK, "rooms_booking", v)
}

// roomsBookingNewPost is POST /kontor/rom/{id}/booking/ny.
func (s *site) roomsBookingNewPost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	sc, p, ok := s.roomsLoad(w, r, lang, me, auth.EditListing)
	if !ok || !s.officeParse(w, r, lang) {
		return
	}
	v, err := s.roomsBookingForm(r, lang, me, sc, p)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	v.keep(r.PostForm, append(roomsBookingFields, roomsWhoFields...)...)
	roomsBookingOptions(v)
	group, org, holder, title := roomsWhoRead(v)
	purpose := officeChoice(v.officeView, "purpose", roomsBookingPurposes, "office.err_choose")
	start := roomsDayTime(v.officeView, "date", "start_time")
	minutes := v.integer("minutes", 5, 24*60, 0)
	if minutes == 0 && v.Err("minutes") == nil {
		v.fail("minutes", "rooms.err_minutes")
	}
	if len(v.Errors) == 0 {
		b := store.RoomBooking{RoomID: p.Room.ID, GroupID: group, StartsAt: start.UTC(),
			EndsAt: start.Add(time.Duration(minutes) * time.Minute).UTC(), Purpose: purpose, Title: title, CreatedAt: s.now()}
		err := s.store.BookOnce(officeCtx(r, me), &b, store.BookingHolder{OrgID: org, Holder: holder})
		if err != nil && !s.roomsStoreErr(r.Context(), v, err) {
			s.officeErr(w, r, lang, err)
			return
		}
	}
	if len(v.Errors) > 0 {
		s.officeFail(w, r, "rooms_booking", v)
		return
	}
	s.officeDone(w, r, lang, "/kontor/rom/"+p.Room.ID, "booket")
}
