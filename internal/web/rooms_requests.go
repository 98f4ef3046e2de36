package web

// Requests for a room, the house's side: the list
// (/kontor/romforesporsler) and a request (/kontor/romforesporsler/{id}),
// approved (which books the room, checked like every booking, and mails
// the person) or declined (with a message, mailed too). A request names a
// person: only those who may read the house's personal data see it, and
// every list and every read is in the audit log (the store writes it).

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/i18n"
	"github.com/fellesrom/fellesrom/internal/mail"
	"github.com/fellesrom/fellesrom/internal/store"
)

type roomsRequestItem struct {
	Request store.RoomRequest
	Venue   string
	When    Phrase
	Sent    Phrase
	Href    string
}

type roomsRequestsView struct {
	*roomsView
	New, Decided []roomsRequestItem
}

// roomsRequestScope answers 404 to a user who may read no house's
// personal data.
func (s *site) roomsRequestScope(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) (*officeScope, bool) {
	sc, err := s.officeScope(r.Context(), me)
	if err != nil {
		s.serverError(w, r, lang, err)
		return nil, false
	}
	if !sc.canAny(auth.ReadPersonalData) {
		s.notFound(w, r, lang)
		return nil, false
	}
	return sc, true
}

// roomsRequestsPage is GET /kontor/romforesporsler.
func (s *site) roomsRequestsPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	sc, ok := s.roomsRequestScope(w, r, lang, me)
	if !ok {
		return
	}
	ctx := r.Context()
	reqs, err := s.store.RoomRequests(officeCtx(r, me), sc.orgIDs(auth.ReadPersonalData))
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	venues, err := s.store.Venues(ctx)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	names := map[string]string{}
	for _, vn := range venues {
		names[vn.ID] = vn.Name
	}
	v := &roomsRequestsView{roomsView: s.newRoomsView(r, lang, "/kontor/romforesporsler", me, sc, "requests",
		"rooms.requests_title")}
	for _, q := range reqs {
		it := roomsRequestItem{Request: q, Venue: names[q.VenueID], When: roomsWhenOf(v.officeView, q),
			Sent: v.When(q.CreatedAt), Href: v.Href("/kontor/romforesporsler/" + q.ID)}
		if q.Status == store.RoomRequestNew {
			v.New = append(v.New, it)
		} else {
			v.Decided = append(v.Decided, it)
		}
	}
	s.render(w, r, http.StatusOK, "rooms_requests", v)
}

type roomsDecideView struct {
	*roomsFormView
	Request  store.RoomRequest
	When     Phrase
	Sent     Phrase
	Decided  Phrase
	Decline  string // the decline form's action
	KindText string
	Room     string // the room asked for, or ""
}

var roomsApproveFields = []string{"room", "holder", "title", "date", "start_time", "minutes", "kind", "until", "message"}

// roomsRequestLoad checks the request of the path against the user's
// rights by its house alone, and only then reads it (an audited read).
func (s *site) roomsRequestLoad(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) (*roomsDecideView, bool) {
	sc, ok := s.roomsRequestScope(w, r, lang, me)
	if !ok {
		return nil, false
	}
	ctx := r.Context()
	id := officePathID(r, "id")
	org, err := s.store.RoomRequestOrg(ctx, id)
	if id == "" || errors.Is(err, store.ErrNotFound) || err == nil && !sc.can(auth.ReadPersonalData, org) {
		s.notFound(w, r, lang)
		return nil, false
	}
	if err != nil {
		s.serverError(w, r, lang, err)
		return nil, false
	}
	req, err := s.store.ReadRoomRequest(officeCtx(r, me), id)
	if err != nil {
		s.officeErr(w, r, lang, err)
		return nil, false
	}
	vn, err := s.store.Venue(ctx, req.VenueID)
	if err != nil {
		s.officeErr(w, r, lang, err)
		return nil, false
	}
	rooms, err := s.store.Rooms(ctx, vn.ID)
	if err != nil || len(rooms) == 0 {
		s.officeErr(w, r, lang, errors.Join(err, store.ErrNotFound))
		return nil, false
	}
	place := roomsPlace{Room: rooms[0], Venue: vn}
	path := "/kontor/romforesporsler/" + id
	fv := s.newRoomsForm(r, lang, path, me, sc, place, "rooms.request_title", "Name", req.OrgName)
	fv.Section = "requests"
	v := &roomsDecideView{roomsFormView: fv, Request: req, When: roomsWhenOf(fv.officeView, req), Sent: fv.When(req.CreatedAt),
		Decided: fv.When(req.DecidedAt), Decline: fv.Href(path + "/avslag"), KindText: "rooms.group_kind_" + req.GroupKind}
	var ropts []officeOption
	for _, rm := range rooms {
		ropts = append(ropts, officeOption{Value: rm.ID, Text: roomsRoomLabel(fv.officeView, rm)})
		if rm.ID == req.RoomID {
			v.Room = rm.Name
		}
	}
	v.opts("room", ropts)
	v.opts("kind", officeEnum(fv.officeView, "rooms.ask_kind_", store.RoomRequestKinds))
	return v, true
}

// roomsRequestFill puts the request in the approval form.
func roomsRequestFill(v *roomsDecideView) {
	q := v.Request
	local := q.StartsAt.In(roomsLoc())
	v.set("room", q.RoomID)
	if q.RoomID == "" {
		v.set("room", v.Place.Room.ID)
	}
	v.set("holder", q.OrgName)
	v.set("date", local.Format("2006-01-02"))
	v.set("start_time", local.Format("15:04"))
	v.set("minutes", strconv.Itoa(q.Minutes))
	v.set("kind", q.Kind)
	v.set("until", q.Until)
}

// roomsRequestPage is GET /kontor/romforesporsler/{id}.
func (s *site) roomsRequestPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	v, ok := s.roomsRequestLoad(w, r, lang, me)
	if !ok {
		return
	}
	roomsRequestFill(v)
	roomsMinuteOptions(v.officeView, "minutes")
	s.render(w, r, http.StatusOK, "rooms_request_decide", v)
}

// roomsRequestApprovePost is POST /kontor/romforesporsler/{id}: approve
// it, booking the room as the form says.
func (s *site) roomsRequestApprovePost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	v, ok := s.roomsRequestLoad(w, r, lang, me)
	if !ok || !s.officeParse(w, r, lang) {
		return
	}
	q := v.Request
	if q.Status != store.RoomRequestNew {
		s.officeDone(w, r, lang, "/kontor/romforesporsler/"+q.ID, "avgjort")
		return
	}
	v.keep(r.PostForm, roomsApproveFields...)
	roomsMinuteOptions(v.officeView, "minutes")
	room := v.Val("room")
	var place *roomsPlace
	for _, o := range v.options["room"][0].Options {
		if o.Value == room {
			rm, err := s.store.RoomByID(r.Context(), room)
			if err != nil {
				s.officeErr(w, r, lang, err)
				return
			}
			place = &roomsPlace{rm, v.Place.Venue}
		}
	}
	if place == nil {
		v.fail("room", "rooms.err_room")
	} else if !v.sc.can(auth.EditListing, place.Venue.OrgID) {
		s.notFound(w, r, lang)
		return
	}
	holder := v.required("holder", store.MaxBookingText, "rooms.err_holder")
	title := v.line("title", store.MaxBookingText)
	kind := officeChoice(v.officeView, "kind", store.RoomRequestKinds, "rooms.err_kind")
	start := roomsDayTime(v.officeView, "date", "start_time")
	minutes := v.integer("minutes", 5, 24*60, 0)
	if minutes == 0 && v.Err("minutes") == nil {
		v.fail("minutes", "rooms.err_minutes")
	}
	until := roomsDay(v.officeView, "until")
	if until != "" && !start.IsZero() && until < start.Format("2006-01-02") {
		v.fail("until", "rooms.err_until_before")
	}
	message := v.text("message", store.MaxRoomRequestPurpose)
	if len(v.Errors) > 0 {
		s.officeFail(w, r, "rooms_request_decide", v)
		return
	}
	d := store.RoomDecision{Approve: true, Holder: holder, Message: message}
	if kind == "once" {
		d.Once = &store.RoomBooking{RoomID: place.Room.ID, StartsAt: start.UTC(),
			EndsAt: start.Add(time.Duration(minutes) * time.Minute).UTC(), Purpose: "meeting", Title: title}
	} else {
		rule := "FREQ=WEEKLY;BYDAY=" + officeRRuleDays[start.Weekday()]
		if kind == "biweekly" {
			rule = "FREQ=WEEKLY;INTERVAL=2;BYDAY=" + officeRRuleDays[start.Weekday()]
		}
		d.Series = &store.RoomSeries{RoomID: place.Room.ID, Start: start.UTC(), Minutes: minutes, Rule: rule, Until: until,
			Title: title}
	}
	d.Mail = func(q store.RoomRequest) (store.OutboxMail, error) {
		// The time in words, in the language the person asked in.
		lv := &officeView{staffView: staffView{page: page{cat: v.cat, Lang: roomsMailLang(q.Lang)}}}
		words := ""
		if d.Series != nil {
			words = lv.SeriesWords(*d.Series).Text
		} else {
			words = lv.S("rooms.when_once", "Day", lv.DayLong(d.Once.StartsAt).Text, "Span", lv.Span(d.Once.StartsAt, d.Once.EndsAt))
		}
		return roomsAnswerMail(q, "room_request_approved", place.Room.Name, v.Place.Venue.Name, words)
	}
	_, err := s.store.DecideRoomRequest(officeCtx(r, me), q.ID, d, s.now())
	switch {
	case errors.Is(err, store.ErrRoomRequestDecided):
		s.officeDone(w, r, lang, "/kontor/romforesporsler/"+q.ID, "avgjort")
		return
	case err != nil && s.roomsStoreErr(r.Context(), v.roomsFormView, err):
		s.officeFail(w, r, "rooms_request_decide", v)
		return
	case err != nil:
		s.officeErr(w, r, lang, err)
		return
	}
	s.officeDone(w, r, lang, "/kontor/romforesporsler", "godkjent")
}

// roomsRequestDeclinePost is POST /kontor/romforesporsler/{id}/avslag.
func (s *site) roomsRequestDeclinePost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	v, ok := s.roomsRequestLoad(w, r, lang, me)
	if !ok || !s.officeParse(w, r, lang) {
		return
	}
	q := v.Request
	if q.Status != store.RoomRequestNew {
		s.officeDone(w, r, lang, "/kontor/romforesporsler/"+q.ID, "avgjort")
		return
	}
	roomsRequestFill(v)
	roomsMinuteOptions(v.officeView, "minutes")
	v.keep(r.PostForm, "decline_message")
	message := v.text("decline_message", store.MaxRoomRequestPurpose)
	if len(v.Errors) > 0 {
		s.officeFail(w, r, "rooms_request_decide", v)
		return
	}
	_, err := s.store.DecideRoomRequest(officeCtx(r, me), q.ID, store.RoomDecision{Message: message,
		Mail: func(q store.RoomRequest) (store.OutboxMail, error) {
			return roomsAnswerMail(q, "room_request_declined", "", v.Place.Venue.Name, "")
		}}, s.now())
	if errors.Is(err, store.ErrRoomRequestDecided) {
		s.officeDone(w, r, lang, "/kontor/romforesporsler/"+q.ID, "avgjort")
		return
	}
	if err != nil {
		s.officeErr(w, r, lang, err)
		return
	}
	s.officeDone(w, r, lang, "/kontor/romforesporsler", "avslatt")
}

// roomsAnswerMail is the mail to the person who asked, in the language
// they asked in.
func roomsAnswerMail(q store.RoomRequest, kind, room, venue, when string) (store.OutboxMail, error) {
	lang := roomsMailLang(q.Lang)
	subject, body, err := mail.Compose(nil, lang, kind, map[string]any{"Name": q.ContactName, "Org": q.OrgName,
		"Venue": venue, "Room": room, "When": when, "Message": q.Message})
	if err != nil {
		return store.OutboxMail{}, err
	}
	return store.OutboxMail{To: q.Email, Subject: subject, Body: body, Lang: lang, Kind: kind}, nil
}

// roomsMailLang is the language of a mail to the person who asked.
func roomsMailLang(lang string) string {
	if !i18n.Supported(lang) {
		return i18n.Default
	}
	return lang
}
