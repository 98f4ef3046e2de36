package web

// The public request form for a room (/rom/{id}/forespor, id a room or a
// venue): another organisation asks the house to lend it a room, once or
// every (other) week. No account; the enquiry form's spam guard (a hidden
// field, a signed time stamp, a limit per network in the database); the
// request is stored sealed (it names a person) and the house is told by
// mail, without personal data, that one has come. The only rule of the
// house is that the group is not part of a public treatment offer: the
// form says so and asks the person to confirm it.

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/mail"
	"github.com/fellesrom/fellesrom/internal/store"
)

// RoomsConsentVersion names the consent text of the request form (the
// messages rooms.ask_consent*), stored with each request.
const RoomsConsentVersion = "2026-11"

// roomsAskLimit: posts of the form from one network per window.
var roomsAskLimit = struct {
	Window    time.Duration
	PerSource int
}{15 * time.Minute, 10}

var roomsAskFields = []string{"org_name", "contact_name", "email", "phone", "group_kind", "purpose", "not_treatment",
	"room", "kind", "date", "start_time", "minutes", "until", "consent"}

type roomsAskView struct {
	*officeView
	Venue   domain.Venue
	House   domain.Organisation
	Room    *domain.Room // the room asked about; nil: any room of the venue
	Rooms   []domain.Room
	Address bool // the venue's address may be shown
	Action  string
	Stamp   string
	Spam    string
	Keep    int // days a request is kept after the answer
}

// roomsAskLoad finds the room or venue of the path and its house.
func (s *site) roomsAskLoad(w http.ResponseWriter, r *http.Request, lang string) (*roomsAskView, bool) {
	ctx := r.Context()
	id := officePathID(r, "id")
	if id == "" {
		s.notFound(w, r, lang)
		return nil, false
	}
	var room *domain.Room
	venueID := id
	if rm, err := s.store.RoomByID(ctx, id); err == nil {
		room, venueID = &rm, rm.VenueID
	} else if !errors.Is(err, store.ErrNotFound) {
		s.serverError(w, r, lang, err)
		return nil, false
	}
	vn, err := s.store.Venue(ctx, venueID)
	if err == nil && vn.OrgID == "" {
		err = store.ErrNotFound
	}
	var house domain.Organisation
	if err == nil {
		house, err = s.store.Organisation(ctx, vn.OrgID)
	}
	if err != nil {
		s.officeErr(w, r, lang, err)
		return nil, false
	}
	rooms, err := s.store.Rooms(ctx, vn.ID)
	if err != nil {
		s.serverError(w, r, lang, err)
		return nil, false
	}
	if len(rooms) == 0 {
		s.notFound(w, r, lang)
		return nil, false
	}
	path := "/rom/" + id + "/forespor"
	v := &roomsAskView{officeView: s.newOfficeView(r, lang, path, nil, "", "rooms.ask_title", "Venue", vn.Name),
		Venue: vn, House: house, Room: room, Rooms: rooms, Address: vn.AddressPublic,
		Keep: int(store.RoomRequestKeep.Hours() / 24)}
	v.Action = v.Href(path)
	return v, true
}

func (s *site) roomsAskRender(w http.ResponseWriter, r *http.Request, lang string, status int, v *roomsAskView) {
	v.opts("group_kind", officeEnum(v.officeView, "rooms.group_kind_", store.RoomRequestGroupKinds))
	v.opts("kind", officeEnum(v.officeView, "rooms.ask_kind_", store.RoomRequestKinds))
	roomsMinuteOptions(v.officeView, "minutes")
	rooms := []officeOption{{Value: "", Text: v.S("rooms.ask_any_room")}}
	for _, rm := range v.Rooms {
		rooms = append(rooms, officeOption{Value: rm.ID, Text: roomsRoomLabel(v.officeView, rm)})
	}
	v.opts("room", rooms)
	var err error
	if v.Stamp, err = s.enquiryStamp(r.Context()); err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	s.render(w, r, status, "rooms_request", v)
}

// roomsRoomLabel is "Peisestua (10 plasser)".
func roomsRoomLabel(v *officeView, rm domain.Room) string {
	if rm.Capacity > 0 {
		return v.S("rooms.room_with_capacity", "Room", rm.Name, "N", rm.Capacity)
	}
	return rm.Name
}

// roomsRequestFormPage is GET /rom/{id}/forespor.
func (s *site) roomsRequestFormPage(w http.ResponseWriter, r *http.Request, lang string) {
	v, ok := s.roomsAskLoad(w, r, lang)
	if !ok {
		return
	}
	v.set("kind", "once")
	v.set("minutes", "120")
	if v.Room != nil {
		v.set("room", v.Room.ID)
	}
	s.roomsAskRender(w, r, lang, http.StatusOK, v)
}

// roomsRequestFormPost is POST /rom/{id}/forespor.
func (s *site) roomsRequestFormPost(w http.ResponseWriter, r *http.Request, lang string) {
	v, ok := s.roomsAskLoad(w, r, lang)
	if !ok || !s.officeParse(w, r, lang) {
		return
	}
	ctx := r.Context()
	v.keep(r.PostForm, roomsAskFields...)
	retry, limited, err := s.enquiryHit(r, "roomrequest:src:"+store.SourceOf(r.RemoteAddr), "room_request",
		roomsAskLimit.PerSource, roomsAskLimit.Window)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	if limited {
		status, minutes := enquiryTooMany(w, retry)
		v.fail("", "rooms.rate_limited", "Minutes", minutes)
		s.roomsAskRender(w, r, lang, status, v)
		return
	}
	if strings.TrimSpace(r.PostForm.Get("nettside")) != "" {
		v.Spam = "enquiry.spam_honeypot"
	} else if v.Spam, err = s.enquiryStampProblem(ctx, r.PostForm.Get("stamp")); err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	if v.Spam != "" {
		v.fail("", v.Spam)
	}
	req := roomsAskRead(v, s.now())
	if len(v.Errors) > 0 {
		s.roomsAskRender(w, r, lang, http.StatusBadRequest, v)
		return
	}
	notify, err := s.roomsNewRequestMail(r, v)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	person := store.WithActor(ctx, store.Actor{ID: "person", Source: store.SourceOf(r.RemoteAddr)})
	if err := s.store.CreateRoomRequest(person, &req, s.now(), notify); err != nil {
		s.officeErr(w, r, lang, err)
		return
	}
	s.seeOther(w, r, prefix(lang)+"/rom/forespor/sendt")
}

// roomsAskRead reads the form, with an error next to each wrong field.
func roomsAskRead(v *roomsAskView, now time.Time) store.RoomRequest {
	req := store.RoomRequest{VenueID: v.Venue.ID, Lang: v.Lang, ConsentVersion: RoomsConsentVersion}
	req.OrgName = v.required("org_name", store.MaxRoomRequestName, "rooms.err_org_name")
	req.ContactName = v.required("contact_name", store.MaxRoomRequestName, "rooms.err_contact_name")
	switch raw := strings.TrimSpace(v.Val("email")); {
	case raw == "":
		v.fail("email", "rooms.err_email_missing")
	default:
		if e, ok := store.NormalizeContact("email", raw); ok {
			req.Email = e
		} else {
			v.fail("email", "rooms.err_email")
		}
	}
	if raw := strings.TrimSpace(v.Val("phone")); raw != "" {
		if p, ok := store.NormalizeContact("phone", raw); ok {
			req.Phone = p
		} else {
			v.fail("phone", "rooms.err_phone")
		}
	}
	req.GroupKind = officeChoice(v.officeView, "group_kind", store.RoomRequestGroupKinds, "rooms.err_group_kind")
	req.Purpose = v.text("purpose", store.MaxRoomRequestPurpose)
	if !v.checked("not_treatment") {
		v.fail("not_treatment", "rooms.err_not_treatment")
	}
	id := v.Val("room")
	if len(v.Rooms) == 1 && v.Room != nil {
		id = v.Room.ID // the one room; the form has no select then
	}
	if id != "" {
		found := false
		for _, rm := range v.Rooms {
			found = found || rm.ID == id
		}
		if !found {
			v.fail("room", "rooms.err_room")
		}
		req.RoomID = id
	}
	req.Kind = officeChoice(v.officeView, "kind", store.RoomRequestKinds, "rooms.err_kind")
	start := roomsDayTime(v.officeView, "date", "start_time")
	if !start.IsZero() {
		if start.Before(now) {
			v.fail("date", "rooms.err_past")
		} else if start.After(now.AddDate(2, 0, 0)) {
			v.fail("date", "rooms.err_far")
		}
		req.StartsAt = start.UTC()
	}
	req.Minutes = v.integer("minutes", 15, 24*60, 0)
	if req.Minutes == 0 && v.Err("minutes") == nil {
		v.fail("minutes", "rooms.err_minutes")
	}
	req.Until = roomsDay(v.officeView, "until")
	if req.Until != "" {
		switch {
		case req.Kind == "once":
			req.Until = "" // a date left in the field of a series
		case !start.IsZero() && req.Until < start.Format("2006-01-02"):
			v.fail("until", "rooms.err_until_before")
		}
	}
	if !v.checked("consent") {
		v.fail("consent", "rooms.err_consent")
	}
	return req
}

// roomsNewRequestMail is the mail to the house that a request has come
// (nil when the house has no address): no name, no address, no purpose,
// only where to read it.
func (s *site) roomsNewRequestMail(r *http.Request, v *roomsAskView) (*store.OutboxMail, error) {
	to := v.House.Email
	if _, ok := store.NormalizeContact("email", to); !ok {
		return nil, nil
	}
	link, err := s.accountLinker(r)
	if err != nil {
		return nil, err
	}
	subject, body, err := mail.Compose(nil, "nb", "room_request_new", map[string]any{"Venue": v.Venue.Name,
		"Link": link("nb", "/kontor/romforesporsler")})
	if err != nil {
		return nil, err
	}
	return &store.OutboxMail{To: to, Subject: subject, Body: body, Lang: "nb", Kind: "room_request_new"}, nil
}

// roomsRequestSentPage is GET /rom/forespor/sendt.
func (s *site) roomsRequestSentPage(w http.ResponseWriter, r *http.Request, lang string) {
	v := &roomsAskView{officeView: s.newOfficeView(r, lang, "/rom/forespor/sendt", nil, "", "rooms.ask_sent_title"),
		Keep: int(store.RoomRequestKeep.Hours() / 24)}
	s.render(w, r, http.StatusOK, "rooms_request_sent", v)
}

// roomsWhenOf is a request's wished time in words: "tirsdag 1. september
// 2026 kl. 18.00–20.00", every week: "Hver tirsdag kl. 18.00–20.00 fra
// 1. september 2026".
func roomsWhenOf(v *officeView, req store.RoomRequest) Phrase {
	day := v.DayLong(req.StartsAt)
	span := v.Span(req.StartsAt, req.StartsAt.Add(time.Duration(req.Minutes)*time.Minute))
	switch req.Kind {
	case "weekly", "biweekly":
		id := "rooms.when_" + req.Kind
		if req.Until != "" {
			id += "_until"
		}
		return Phrase{v.S(id, "Weekday", newWords(v.cat, v.Lang, "weekday.1").weekday(req.StartsAt.In(roomsLoc()).Weekday()),
			"Span", span, "From", v.DayLong(req.StartsAt).Text, "Until", v.DayOf(req.Until).Text), day.Lang}
	}
	return Phrase{v.S("rooms.when_once", "Day", day.Text, "Span", span), day.Lang}
}
