package web

import (
	"strings"
	"testing"

	"github.com/fellesrom/fellesrom/internal/i18n"
	"github.com/fellesrom/fellesrom/internal/mail"
	"github.com/fellesrom/fellesrom/internal/store"
)

// TestRoomsMessages: the words for every value the rooms' pages build
// message ids from, in Bokmål, Nynorsk and English; every mail of the area
// composed in every language, with every field filled and none empty.
func TestRoomsMessages(t *testing.T) {
	cat := i18n.DefaultCatalog()
	var ids []string
	add := func(prefix string, values []string) {
		for _, v := range values {
			ids = append(ids, prefix+v)
		}
	}
	add("rooms.purpose_", store.BookingPurposes)
	add("rooms.reason_", store.ExceptionReasons)
	add("rooms.group_kind_", store.RoomRequestGroupKinds)
	add("rooms.ask_kind_", store.RoomRequestKinds)
	add("rooms.request_status_", []string{store.RoomRequestNew, store.RoomRequestApproved, store.RoomRequestDeclined})
	add("rooms.who_", []string{"group", "org", "other"})
	add("rooms.when_", []string{"once", "weekly", "biweekly", "weekly_until", "biweekly_until"})
	add("office.repeat.", roomsRepeats)
	for _, id := range ids {
		for _, l := range []string{"nb", "nn", "en"} {
			if !cat.Has(l, id) {
				t.Errorf("%s lacks %q", l, id)
			}
		}
	}
	data := map[string]any{"Name": "Ragnhild", "Org": "Sorgstøtte", "Venue": "Huset", "Room": "Peisestua",
		"When": "Hver torsdag", "Message": "Velkommen", "Link": "https://fellesrom.example/kontor/romforesporsler"}
	for _, kind := range []string{"room_request_new", "room_request_approved", "room_request_declined"} {
		for _, l := range i18n.Languages {
			subject, body, err := mail.Compose(cat, l, kind, data)
			if err != nil || subject == "" || !strings.Contains(body, "Huset") {
				t.Errorf("%s in %s: %v %q", kind, l, err, subject)
			}
			if kind != "room_request_new" && !strings.Contains(body, "Velkommen") {
				t.Errorf("%s in %s: the house's message is missing", kind, l)
			}
		}
	}
	// No message left for the house: no heading for it.
	data["Message"] = ""
	_, body, _ := mail.Compose(cat, "nb", "room_request_declined", data)
	if strings.Contains(body, "Melding fra huset") {
		t.Error("an empty message still has its heading")
	}
}
