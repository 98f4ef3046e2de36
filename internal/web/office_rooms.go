package web

// The rooms of a venue: /kontor/steder/{id}/rom/ny and /kontor/steder/{id}/rom/{room}.

import (
	"net/http"
	"strconv"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/domain"
)

type officeRoomView struct {
	*officeView
	Venue  domain.Venue
	Room   domain.Room
	New    bool
	Action string
}

// EquipmentCodes are the kinds of equipment the form offers.
func (v *officeRoomView) EquipmentCodes() []string { return domain.RoomEquipment }

// officeRoomLoad loads the venue of the path (checked as for the venue's
// own page) and, when the path has one, its room.
func (s *site) officeRoomLoad(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current, withRoom bool) (domain.Venue, domain.Room, bool) {
	_, x, ok := s.officeVenueLoad(w, r, lang, me)
	if !ok {
		return x, domain.Room{}, false
	}
	if !withRoom {
		return x, domain.Room{VenueID: x.ID}, true
	}
	id := officePathID(r, "room")
	rooms, err := s.store.Rooms(r.Context(), x.ID)
	if err != nil {
		s.serverError(w, r, lang, err)
		return x, domain.Room{}, false
	}
	for _, rm := range rooms {
		if id != "" && rm.ID == id {
			return x, rm, true
		}
	}
	s.notFound(w, r, lang) // no such room in this venue
	return x, domain.Room{}, false
}

func (s *site) newOfficeRoomView(r *http.Request, lang string, me *auth.Current, x domain.Venue, rm domain.Room) *officeRoomView {
	if rm.ID == "" {
		path := "/kontor/steder/" + x.ID + "/rom/ny"
		v := &officeRoomView{officeView: s.newOfficeView(r, lang, path, me, "venues", "office.room_new_title", "Venue", x.Name), Venue: x, Room: rm, New: true}
		v.Action = v.Href(path)
		return v
	}
	path := "/kontor/steder/" + x.ID + "/rom/" + rm.ID
	v := &officeRoomView{officeView: s.newOfficeView(r, lang, path, me, "venues", "office.room_edit_title", "Name", rm.Name, "Venue", x.Name), Venue: x, Room: rm}
	v.Action = v.Href(path)
	return v
}

func officeRoomForm(v *officeView, rm domain.Room) {
	v.set("name", rm.Name)
	if rm.Capacity > 0 {
		v.set("capacity", strconv.Itoa(rm.Capacity))
	}
	for _, code := range rm.Equipment {
		v.set("equipment_"+code, "1")
	}
	v.set("room_step_free", officeBool(rm.StepFree))
	v.set("room_hearing_loop", officeBool(rm.HearingLoop))
}

// officeRoomNewPage is GET /kontor/steder/{id}/rom/ny.
func (s *site) officeRoomNewPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	x, rm, ok := s.officeRoomLoad(w, r, lang, me, false)
	if !ok {
		return
	}
	v := s.newOfficeRoomView(r, lang, me, x, rm)
	officeRoomForm(v.officeView, rm)
	s.render(w, r, http.StatusOK, "office_room_form", v)
}

// officeRoomNewPost is POST /kontor/steder/{id}/rom/ny.
func (s *site) officeRoomNewPost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	x, rm, ok := s.officeRoomLoad(w, r, lang, me, false)
	if ok {
		s.officeRoomSave(w, r, lang, me, x, rm)
	}
}

// officeRoomEditPage is GET /kontor/steder/{id}/rom/{room}.
func (s *site) officeRoomEditPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	x, rm, ok := s.officeRoomLoad(w, r, lang, me, true)
	if !ok {
		return
	}
	v := s.newOfficeRoomView(r, lang, me, x, rm)
	officeRoomForm(v.officeView, rm)
	s.render(w, r, http.StatusOK, "office_room_form", v)
}

// officeRoomEditPost is POST /kontor/steder/{id}/rom/{room}.
func (s *site) officeRoomEditPost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	x, rm, ok := s.officeRoomLoad(w, r, lang, me, true)
	if ok {
		s.officeRoomSave(w, r, lang, me, x, rm)
	}
}

func (s *site) officeRoomSave(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current, x domain.Venue, rm domain.Room) {
	if !s.officeParse(w, r, lang) {
		return
	}
	v := s.newOfficeRoomView(r, lang, me, x, rm)
	v.keep(r.PostForm, "name", "capacity", "room_step_free", "room_hearing_loop")
	rm.Name = v.required("name", 100, "office.err_name")
	rm.Capacity = v.integer("capacity", 0, 1000, 0)
	rm.Equipment = nil
	for _, code := range domain.RoomEquipment {
		v.keep(r.PostForm, "equipment_"+code)
		if v.checked("equipment_" + code) {
			rm.Equipment = append(rm.Equipment, code)
		}
	}
	rm.StepFree, rm.HearingLoop = v.checked("room_step_free"), v.checked("room_hearing_loop")
	if len(v.Errors) > 0 {
		s.officeFail(w, r, "office_room_form", v)
		return
	}
	isNew := rm.ID == ""
	rm.VenueID = x.ID
	if err := s.store.SaveRoom(officeCtx(r, me), &rm); err != nil {
		s.officeErr(w, r, lang, err)
		return
	}
	notice := "lagret"
	if isNew {
		notice = "opprettet"
	}
	s.officeDone(w, r, lang, "/kontor/steder/"+x.ID, notice)
}
