package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// evFix is a house with a venue and two rooms in Tromsø, a partner
// organisation, and a messenger that records what it was asked to send.
type evFix struct {
	s       *store.Store
	ctx     context.Context // the coordinator
	person  context.Context // a person signing up by the public form
	house   domain.Organisation
	partner domain.Organisation
	venue   domain.Venue
	rooms   []domain.Room
	now     time.Time
	mu      sync.Mutex
	notices []store.EventNotice
	tokens  map[string]string // sign-up ID → the newest link's token
	n       int
}

func newEvFix(t *testing.T, s *store.Store) *evFix {
	t.Helper()
	f := &evFix{s: s, ctx: store.WithActor(context.Background(), store.Actor{ID: "coord-1", Source: "192.0.2.0/24"}),
		person: store.WithActor(context.Background(), store.Actor{ID: "person", Source: "198.51.100.0/24"}),
		now:    time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC), tokens: map[string]string{}}
	f.house = newOrg(t, s, "huset", "")
	f.partner = newOrg(t, s, "lms-unn", "")
	f.venue = domain.Venue{OrgID: f.house.ID, Name: "Selvhjelpshuset", Street: "Storgata 1", MunicipalityID: "5501",
		AddressPublic: true}
	if err := s.SaveVenue(f.ctx, &f.venue); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Peisestua", "Kurssalen"} {
		r := domain.Room{VenueID: f.venue.ID, Name: name, Capacity: 30}
		if err := s.SaveRoom(f.ctx, &r); err != nil {
			t.Fatal(err)
		}
		f.rooms = append(f.rooms, r)
	}
	return f
}

// msg is the fixture's messenger: a mail (or a text message to a phone)
// that names the person and carries a new link for every kind but the
// cancellation of the event.
func (f *evFix) msg(n store.EventNotice) (store.OutboxMail, string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.notices = append(f.notices, n)
	token, hash := store.NewLinkToken()
	if n.Kind == store.EventMailCancelled {
		token, hash = "", ""
	} else {
		f.tokens[n.Signup.ID] = token
	}
	m := store.OutboxMail{To: n.Signup.Contact, Subject: "Om " + n.Event.Title.In("nb"),
		Body: "Hei " + n.Signup.Name + "! " + n.Kind + " " + token, Lang: n.Signup.Lang, Kind: n.Kind}
	if n.Signup.ContactKind == "phone" {
		m = store.OutboxMail{Channel: store.ChannelSMS, To: n.Signup.Contact, Body: m.Body, Lang: m.Lang, Kind: m.Kind}
	}
	return m, hash, nil
}

// kinds are the kinds of the notices since the last call, by person name.
func (f *evFix) kinds() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, n := range f.notices {
		out = append(out, n.Signup.Name+":"+n.Kind)
	}
	f.notices = nil
	return out
}

// event saves a new information meeting a week on, from 18 to 20 in Oslo.
func (f *evFix) event(t *testing.T, capacity int, room string) store.Event {
	t.Helper()
	f.n++
	oslo, _ := time.LoadLocation("Europe/Oslo")
	start := time.Date(2026, 3, 10+f.n, 18, 0, 0, 0, oslo)
	e := store.Event{Slug: fmt.Sprintf("infomote-%d", f.n), OrgID: f.house.ID, CoOrganisers: []string{f.partner.ID},
		Kind: store.EventInformationMeeting, Title: domain.Text{"nb": "Informasjonsmøte om selvhjelp", "en": "Information meeting"},
		Description: domain.Text{"nb": "Kom og hør."}, StartsAt: start, EndsAt: start.Add(2 * time.Hour),
		VenueID: f.venue.ID, RoomID: room, Capacity: capacity, SignupOpen: true, Listed: true}
	if err := f.s.SaveEvent(f.ctx, &e, f.now, f.msg); err != nil {
		t.Fatal(err)
	}
	return e
}

func (f *evFix) signUp(t *testing.T, e store.Event, name, contact string) store.Signup {
	t.Helper()
	kind := "email"
	if !strings.Contains(contact, "@") {
		kind = "phone"
	}
	su := store.Signup{Name: name, ContactKind: kind, Contact: contact, Lang: "nb", ConsentVersion: "2026-11"}
	if err := f.s.SignUp(f.person, e.ID, &su, f.now, f.msg); err != nil {
		t.Fatal(err)
	}
	return su
}

func (f *evFix) get(t *testing.T, id string) store.Event {
	t.Helper()
	e, err := f.s.Event(f.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestEventSaveAndBook(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newEvFix(t, s)
		e := f.event(t, 20, f.rooms[0].ID)
		got := f.get(t, e.Slug)
		if got.ID != e.ID || got.Title["en"] != "Information meeting" || !got.StartsAt.Equal(e.StartsAt) ||
			got.Municipality != "5501" || !slices.Equal(got.CoOrganisers, []string{f.partner.ID}) || got.Attended != -1 ||
			got.Status != store.EventScheduled || got.BookingID == "" || got.TZ != "Europe/Oslo" {
			t.Fatalf("read back %+v", got)
		}
		bs, err := s.RoomBookings(f.ctx, f.rooms[0].ID, e.StartsAt.Add(-time.Hour), e.EndsAt.Add(time.Hour))
		if err != nil || len(bs) != 1 || bs[0].ID != got.BookingID || bs[0].Purpose != "event" ||
			!bs[0].StartsAt.Equal(e.StartsAt) || !bs[0].EndsAt.Equal(e.EndsAt) || bs[0].Title != "Informasjonsmøte om selvhjelp" {
			t.Fatalf("the booking: %+v %v", bs, err)
		}

		// Another event in the same room at an overlapping time is refused,
		// and nothing of it is stored.
		clash := store.Event{Slug: "kurs", OrgID: f.house.ID, Kind: store.EventStarterCourse, Title: domain.Text{"nb": "Kurs"},
			StartsAt: e.StartsAt.Add(time.Hour), EndsAt: e.EndsAt.Add(time.Hour), VenueID: f.venue.ID, RoomID: f.rooms[0].ID}
		var ce *store.ClashError
		if err := s.SaveEvent(f.ctx, &clash, f.now, f.msg); !errors.As(err, &ce) || len(ce.Clashes) != 1 || ce.Clashes[0].ID != got.BookingID {
			t.Fatalf("a clash: %v", err)
		}
		if _, err := s.Event(f.ctx, "kurs"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the refused event was stored: %v", err)
		}
		// In the other room it goes.
		clash.ID, clash.RoomID = "", f.rooms[1].ID
		if err := s.SaveEvent(f.ctx, &clash, f.now, f.msg); err != nil {
			t.Fatal(err)
		}
		// Moving the first event an hour later, in its room, clashes with
		// nothing but itself: it is booked again.
		moved := got
		moved.StartsAt, moved.EndsAt = got.StartsAt.Add(30*time.Minute), got.EndsAt.Add(30*time.Minute)
		if err := s.SaveEvent(f.ctx, &moved, f.now, f.msg); err != nil {
			t.Fatal(err)
		}
		bs, _ = s.RoomBookings(f.ctx, f.rooms[0].ID, e.StartsAt.Add(-time.Hour), e.EndsAt.Add(2*time.Hour))
		if len(bs) != 1 || bs[0].ID != moved.BookingID || !bs[0].StartsAt.Equal(moved.StartsAt) || moved.BookingID == got.BookingID {
			t.Errorf("after moving: %+v, event's booking %s", bs, moved.BookingID)
		}
		// Online instead: the room is free.
		online := f.get(t, e.ID)
		online.VenueID, online.RoomID, online.Online, online.OnlineURL = "", "", true, "https://video.example.no/rom/1"
		if err := s.SaveEvent(f.ctx, &online, f.now, f.msg); err != nil {
			t.Fatal(err)
		}
		if bs, _ = s.RoomBookings(f.ctx, f.rooms[0].ID, e.StartsAt.Add(-time.Hour), e.EndsAt.Add(2*time.Hour)); len(bs) != 0 {
			t.Errorf("an online event keeps its room: %+v", bs)
		}
		if g := f.get(t, e.ID); g.BookingID != "" || g.OnlineURL != "https://video.example.no/rom/1" || g.Municipality != "5501" {
			t.Errorf("online: %+v", g)
		}
		// Cancelling gives the room back.
		if err := s.CancelEvent(f.ctx, clash.ID, f.now, f.msg); err != nil {
			t.Fatal(err)
		}
		if bs, _ = s.RoomBookings(f.ctx, f.rooms[1].ID, clash.StartsAt, clash.EndsAt); len(bs) != 0 {
			t.Errorf("a cancelled event keeps its room: %+v", bs)
		}
		if err := s.CancelEvent(f.ctx, clash.ID, f.now, f.msg); !errors.Is(err, store.ErrEventCancelled) {
			t.Errorf("cancelled twice: %v", err)
		}
		c := f.get(t, clash.ID)
		if err := s.SaveEvent(f.ctx, &c, f.now, f.msg); !errors.Is(err, store.ErrEventCancelled) {
			t.Errorf("a cancelled event saved: %v", err)
		}

		// Lists: the calendar of the partner holds what it co-organises.
		evs, err := s.Events(f.ctx, store.EventFilter{EndsAfter: f.now, ListedOnly: true, OrgID: f.partner.ID})
		if err != nil || len(evs) != 1 || evs[0].ID != e.ID {
			t.Errorf("the partner's events: %v %v", evs, err)
		}
		evs, err = s.Events(f.ctx, store.EventFilter{EndsAfter: f.now, Kind: store.EventStarterCourse, Municipality: "5501"})
		if err != nil || len(evs) != 1 || evs[0].ID != clash.ID {
			t.Errorf("starter courses in 5501: %v %v", evs, err)
		}
		if evs, _ := s.Events(f.ctx, store.EventFilter{OrgIDs: []string{}}); len(evs) != 0 {
			t.Errorf("no organisations, events %v", evs)
		}

		// Attendance, once the event has begun.
		if err := s.RecordAttendance(f.ctx, e.ID, 17, f.now); !errors.Is(err, store.ErrEventNotOver) {
			t.Errorf("attendance before: %v", err)
		}
		if err := s.RecordAttendance(f.ctx, e.ID, 17, e.EndsAt); err != nil {
			t.Fatal(err)
		}
		if g := f.get(t, e.ID); g.Attended != 17 {
			t.Errorf("attended %d", g.Attended)
		}
		log, err := s.AuditLog(f.ctx, store.AuditFilter{Action: "event."})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, a := range log {
			actions = append(actions, a.Action)
		}
		slices.Sort(actions)
		if want := []string{"event.attendance", "event.cancel", "event.create", "event.create", "event.update", "event.update"}; !slices.Equal(actions, want) {
			t.Errorf("audit %v, want %v", actions, want)
		}
	})
}

func TestEventWaitingList(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newEvFix(t, s)
		e := f.event(t, 2, "")
		anne := f.signUp(t, e, "Anne", "anne@example.no")
		bjorn := f.signUp(t, e, "Bjørn", "+47 912 34 567")
		cato := f.signUp(t, e, "Cato", "cato@example.no")
		dina := f.signUp(t, e, "Dina", "dina@example.no")
		for _, c := range []struct {
			su     store.Signup
			status string
			pos    int
		}{{anne, store.SignupConfirmed, 0}, {bjorn, store.SignupConfirmed, 0}, {cato, store.SignupWaiting, 1}, {dina, store.SignupWaiting, 2}} {
			if c.su.Status != c.status || c.su.Position != c.pos || c.su.Again {
				t.Errorf("%s: %s %d", c.su.Name, c.su.Status, c.su.Position)
			}
		}
		if got := f.kinds(); !slices.Equal(got, []string{"Anne:event_signup", "Bjørn:event_signup", "Cato:event_waiting", "Dina:event_waiting"}) {
			t.Errorf("messages %v", got)
		}
		if g := f.get(t, e.ID); g.Counts != (store.EventCounts{Confirmed: 2, Waiting: 2}) || !g.Full() {
			t.Errorf("counts %+v", g.Counts)
		}
		// The same address again: the earlier sign-up, a new link, no new row.
		again := f.signUp(t, e, "Anne A.", "ANNE@example.no")
		if !again.Again || again.ID != anne.ID || again.Status != store.SignupConfirmed || again.Name != "Anne" {
			t.Errorf("again: %+v", again)
		}
		if got := f.kinds(); !slices.Equal(got, []string{"Anne:event_again"}) {
			t.Errorf("messages %v", got)
		}
		// Anne's first link and her newest both open her sign-up.
		su, ev, err := s.SignupByToken(f.person, store.LinkTokenHash(f.tokens[anne.ID]))
		if err != nil || su.ID != anne.ID || ev.ID != e.ID || su.Name != "Anne" {
			t.Fatalf("by the new link: %+v %v", su, err)
		}
		su, _, err = s.SignupByToken(f.person, store.LinkTokenHash(f.tokens[dina.ID]))
		if err != nil || su.Position != 2 || su.Contact != "dina@example.no" {
			t.Errorf("Dina by her link: %+v %v", su, err)
		}

		// Anne cancels by her link: Cato moves up, with a message, in the
		// same transaction; Anne's messages leave the outbox.
		mails, err := s.OutboxStatus(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		before := mails.Counts[store.MailPending]
		if _, err := s.CancelSignup(f.person, store.LinkTokenHash(f.tokens[anne.ID]), f.now, f.msg); err != nil {
			t.Fatal(err)
		}
		if got := f.kinds(); !slices.Equal(got, []string{"Cato:event_moved_up"}) {
			t.Errorf("messages %v", got)
		}
		if mails, _ := s.OutboxStatus(f.ctx); mails.Counts[store.MailPending] != before-2+1 {
			t.Errorf("outbox: %d pending, before %d", mails.Counts[store.MailPending], before)
		}
		if _, _, err := s.SignupByToken(f.person, store.LinkTokenHash(f.tokens[anne.ID])); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the link of a cancelled sign-up: %v", err)
		}
		if _, err := s.CancelSignup(f.person, store.LinkTokenHash(f.tokens[anne.ID]), f.now, f.msg); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("cancelled twice: %v", err)
		}
		list, err := s.EventSignups(f.ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, su := range list {
			names = append(names, fmt.Sprintf("%s:%s:%d", su.Name, su.Status, su.Position))
		}
		if want := []string{"Bjørn:confirmed:0", "Cato:confirmed:0", "Dina:waiting:1"}; !slices.Equal(names, want) {
			t.Errorf("the list %v, want %v", names, want)
		}
		if list[0].Contact != "+4791234567" || list[1].MovedUpAt.IsZero() {
			t.Errorf("the list: %+v", list)
		}
		if g := f.get(t, e.ID); g.Counts != (store.EventCounts{Confirmed: 2, Waiting: 1, Cancelled: 1}) {
			t.Errorf("counts %+v", g.Counts)
		}
		// A waiting person who cancels moves no one.
		if _, err := s.CancelSignup(f.person, store.LinkTokenHash(f.tokens[dina.ID]), f.now, f.msg); err != nil {
			t.Fatal(err)
		}
		if got := f.kinds(); len(got) != 0 {
			t.Errorf("messages %v", got)
		}
		// Two more wait; raising the capacity by one moves the first up;
		// staff cancelling Bjørn (he phoned) moves the other.
		erik := f.signUp(t, e, "Erik", "erik@example.no")
		frida := f.signUp(t, e, "Frida", "frida@example.no")
		f.kinds()
		g := f.get(t, e.ID)
		g.Capacity = 3
		if err := s.SaveEvent(f.ctx, &g, f.now, f.msg); err != nil {
			t.Fatal(err)
		}
		if got := f.kinds(); !slices.Equal(got, []string{"Erik:event_moved_up"}) {
			t.Errorf("raising the capacity: %v", got)
		}
		if err := s.StaffCancelSignup(f.ctx, e.ID, bjorn.ID, f.now, f.msg); err != nil {
			t.Fatal(err)
		}
		if got := f.kinds(); !slices.Equal(got, []string{"Frida:event_moved_up"}) {
			t.Errorf("staff cancelling: %v", got)
		}
		if err := s.StaffCancelSignup(f.ctx, "00000000-0000-4000-8000-000000000000", cato.ID, f.now, f.msg); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a sign-up of another event: %v", err)
		}
		// Below the places taken: refused.
		g = f.get(t, e.ID)
		g.Capacity = 2
		var capErr *store.CapacityError
		if err := s.SaveEvent(f.ctx, &g, f.now, f.msg); !errors.As(err, &capErr) || capErr.Confirmed != 3 {
			t.Errorf("capacity below: %v", err)
		}
		// Changing the time tells everyone.
		g = f.get(t, e.ID)
		g.StartsAt, g.EndsAt = g.StartsAt.Add(time.Hour), g.EndsAt.Add(time.Hour)
		if err := s.SaveEvent(f.ctx, &g, f.now, f.msg); err != nil {
			t.Fatal(err)
		}
		got := f.kinds()
		slices.Sort(got)
		if !slices.Equal(got, []string{"Cato:event_changed", "Erik:event_changed", "Frida:event_changed"}) {
			t.Errorf("a new time: %v", got)
		}
		// Cancelling the event tells everyone, and sign-ups close.
		if err := s.CancelEvent(f.ctx, e.ID, f.now, f.msg); err != nil {
			t.Fatal(err)
		}
		if got := f.kinds(); len(got) != 3 || !strings.HasSuffix(got[0], ":event_cancelled") {
			t.Errorf("cancelled: %v", got)
		}
		su = store.Signup{Name: "Gro", ContactKind: "email", Contact: "gro@example.no", ConsentVersion: "v"}
		if err := s.SignUp(f.person, e.ID, &su, f.now, f.msg); !errors.Is(err, store.ErrSignupClosed) {
			t.Errorf("a cancelled event takes a sign-up: %v", err)
		}
		_ = erik
		_ = frida
		// The audit log names sign-ups by ID, never a name or contact.
		log, err := s.AuditLog(f.ctx, store.AuditFilter{Action: "signup."})
		if err != nil {
			t.Fatal(err)
		}
		count := map[string]int{}
		for _, a := range log {
			count[a.Action]++
			d := fmtDetail(a.Detail)
			for _, p := range []string{"Anne", "anne@", "Bjørn", "4791234567", "Cato", "Dina"} {
				if strings.Contains(d, p) {
					t.Errorf("audit %s holds %q: %s", a.Action, p, d)
				}
			}
		}
		if count["signup.create"] != 6 || count["signup.again"] != 1 || count["signup.cancel"] != 3 ||
			count["signup.move_up"] != 3 || count["signup.list"] != 1 {
			t.Errorf("audit %v", count)
		}
	})
}

// Two people take the last place at the same moment: exactly one gets it,
// the other waits; on PostgreSQL the two transactions run at once on two
// connections.
func TestEventCapacityRace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newEvFix(t, s)
		for round := range 15 {
			e := f.event(t, 2, "")
			f.signUp(t, e, "Først", fmt.Sprintf("forst%d@example.no", round))
			start := make(chan struct{})
			var wg sync.WaitGroup
			results := make([]store.Signup, 2)
			errs := make([]error, 2)
			for i := range 2 {
				wg.Go(func() {
					<-start
					su := store.Signup{Name: fmt.Sprintf("Person %d", i), ContactKind: "email",
						Contact: fmt.Sprintf("p%d-%d@example.no", round, i), ConsentVersion: "v"}
					errs[i] = s.SignUp(f.person, e.ID, &su, f.now, f.msg)
					results[i] = su
				})
			}
			close(start)
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			statuses := []string{results[0].Status, results[1].Status}
			slices.Sort(statuses)
			if !slices.Equal(statuses, []string{store.SignupConfirmed, store.SignupWaiting}) {
				t.Fatalf("round %d: %v", round, statuses)
			}
			if g := f.get(t, e.ID); g.Counts != (store.EventCounts{Confirmed: 2, Waiting: 1}) {
				t.Fatalf("round %d: counts %+v", round, g.Counts)
			}
		}
		// Two cancellations of people with a place at once: the two first
		// waiting move up, each once.
		e := f.event(t, 2, "")
		var sus []store.Signup
		for i := range 5 {
			sus = append(sus, f.signUp(t, e, fmt.Sprintf("P%d", i), fmt.Sprintf("c%d@example.no", i)))
		}
		f.kinds()
		start := make(chan struct{})
		var wg sync.WaitGroup
		for _, su := range sus[:2] {
			wg.Go(func() {
				<-start
				if _, err := s.CancelSignup(f.person, store.LinkTokenHash(f.tokens[su.ID]), f.now, f.msg); err != nil {
					t.Error(err)
				}
			})
		}
		close(start)
		wg.Wait()
		got := f.kinds()
		slices.Sort(got)
		if !slices.Equal(got, []string{"P2:event_moved_up", "P3:event_moved_up"}) {
			t.Errorf("moved up %v", got)
		}
		if g := f.get(t, e.ID); g.Counts != (store.EventCounts{Confirmed: 2, Waiting: 1, Cancelled: 2}) {
			t.Errorf("counts %+v", g.Counts)
		}
	})
}

func TestEventReminders(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newEvFix(t, s)
		e := f.event(t, 1, "") // Oslo 2026-03-11 18:00; reminders from 2026-03-10 10:00 Oslo (09:00 UTC)
		at := store.EventReminderAt(e)
		if want := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC); !at.Equal(want) {
			t.Fatalf("reminder at %v, want %v", at, want)
		}
		anne := f.signUp(t, e, "Anne", "anne@example.no")
		f.signUp(t, e, "Bjørn", "bjorn@example.no") // waits: no reminder
		f.kinds()
		due := func(now time.Time) []string {
			ids, err := s.EventRemindersDue(f.ctx, now)
			if err != nil {
				t.Fatal(err)
			}
			return ids
		}
		if ids := due(at.Add(-time.Minute)); len(ids) != 0 {
			t.Errorf("due before time: %v", ids)
		}
		ids := due(at)
		if !slices.Equal(ids, []string{anne.ID}) {
			t.Fatalf("due %v", ids)
		}
		// Two instances of the job: one reminder.
		sent1, err1 := s.RemindSignup(f.ctx, anne.ID, at, f.msg)
		sent2, err2 := s.RemindSignup(f.ctx, anne.ID, at.Add(time.Minute), f.msg)
		if err1 != nil || err2 != nil || !sent1 || sent2 {
			t.Errorf("reminded %v %v (%v %v)", sent1, sent2, err1, err2)
		}
		if got := f.kinds(); !slices.Equal(got, []string{"Anne:event_reminder"}) {
			t.Errorf("messages %v", got)
		}
		if ids := due(at.Add(time.Hour)); len(ids) != 0 {
			t.Errorf("due again: %v", ids)
		}
		// Someone who gets a place after the reminders went out is not
		// reminded (their message is fresh); nor after the start.
		if _, err := s.CancelSignup(f.person, store.LinkTokenHash(f.tokens[anne.ID]), at.Add(2*time.Hour), f.msg); err != nil {
			t.Fatal(err)
		}
		if got := f.kinds(); !slices.Equal(got, []string{"Bjørn:event_moved_up"}) {
			t.Errorf("messages %v", got)
		}
		if ids := due(at.Add(3 * time.Hour)); len(ids) != 0 {
			t.Errorf("due for a late place: %v", ids)
		}
		// A new time: the reminder goes again, the day before the new day.
		g := f.get(t, e.ID)
		g.StartsAt, g.EndsAt = g.StartsAt.Add(48*time.Hour), g.EndsAt.Add(48*time.Hour)
		if err := s.SaveEvent(f.ctx, &g, at.Add(4*time.Hour), f.msg); err != nil {
			t.Fatal(err)
		}
		f.kinds()
		if ids := due(store.EventReminderAt(g)); len(ids) != 1 {
			t.Errorf("due after the move: %v", ids)
		}
		if ids := due(g.StartsAt.Add(time.Minute)); len(ids) != 0 {
			t.Errorf("due after the start: %v", ids)
		}
	})
}

// The sign-ups of an event are deleted 30 days after it: the counts stay
// on the event, and no table holds anything of the people, even with
// their sealed values opened; a backup taken before held none of it in
// the clear either.
func TestEventSignupPurge(t *testing.T) {
	for _, eng := range storetest.Engines {
		t.Run(string(eng), func(t *testing.T) {
			s, dsn := storetest.OpenDSN(t, eng)
			f := newEvFix(t, s)
			e := f.event(t, 2, f.rooms[0].ID)
			other := f.event(t, 0, "")
			people := []struct{ name, contact string }{{"Qzwerty Vollan", "qzwerty@example.no"},
				{"Xylofon Brattli", "+47 987 65 432"}, {"Jorvik Solbakk", "jorvik.solbakk@example.no"},
				{"Plumbo Hegg", "plumbo@example.no"}}
			for _, p := range people {
				f.signUp(t, e, p.name, p.contact)
			}
			f.signUp(t, other, "Tessa Tidlig", "tessa@example.no")
			var cancelled store.Signup
			for id, tok := range f.tokens {
				su, _, err := s.SignupByToken(f.person, store.LinkTokenHash(tok))
				if err == nil && su.Name == "Jorvik Solbakk" {
					cancelled = su
					if _, err := s.CancelSignup(f.person, store.LinkTokenHash(tok), f.now, f.msg); err != nil {
						t.Fatal(err)
					}
					_ = id
				}
			}
			if cancelled.ID == "" {
				t.Fatal("no Jorvik")
			}
			if err := s.RecordAttendance(f.ctx, e.ID, 2, e.EndsAt); err != nil {
				t.Fatal(err)
			}
			secrets := []string{"Qzwerty", "qzwerty@example.no", "Xylofon", "+4798765432", "98765432", "Jorvik",
				"Plumbo", "plumbo@example.no"}
			dump := storetest.Dump(t, eng, dsn)
			for _, sec := range secrets {
				if bytes.Contains(dump, []byte(sec)) {
					t.Errorf("a backup holds %q in the clear", sec)
				}
			}

			if ids, err := s.EventsToPurge(f.ctx, e.EndsAt.Add(store.EventSignupRetention-time.Minute)); err != nil || len(ids) != 0 {
				t.Errorf("due early: %v %v", ids, err)
			}
			later := e.EndsAt.Add(store.EventSignupRetention)
			ids, err := s.EventsToPurge(f.ctx, later)
			if err != nil || !slices.Equal(ids, []string{e.ID}) {
				t.Fatalf("due %v %v", ids, err)
			}
			if n, err := s.PurgeEventSignups(f.ctx, e.ID, later); err != nil || n != 3 {
				t.Fatalf("purged %d %v", n, err)
			}
			if n, err := s.PurgeEventSignups(f.ctx, e.ID, later); err != nil || n != 0 {
				t.Errorf("purged again %d %v", n, err)
			}
			g := f.get(t, e.ID)
			if g.Counts != (store.EventCounts{Confirmed: 2, Waiting: 1, Cancelled: 1}) || g.Attended != 2 || g.SignupsDeletedAt.IsZero() {
				t.Errorf("after the purge: %+v", g)
			}
			if evs, _ := s.Events(f.ctx, store.EventFilter{}); len(evs) != 2 || evs[0].Counts.Confirmed != 2 {
				t.Errorf("events after the purge: %+v", evs)
			}
			// The other event's sign-up is untouched.
			if o := f.get(t, other.ID); o.Counts.Confirmed != 1 {
				t.Errorf("the other event: %+v", o.Counts)
			}

			db := rawDB(t, eng, dsn)
			rows := everyRow(t, eng, db)
			for table, texts := range rows {
				for _, row := range texts {
					for _, sec := range secrets {
						if strings.Contains(row, sec) {
							t.Errorf("%s holds %q: %s", table, sec, row)
						}
					}
				}
			}
			var n int
			if err := db.QueryRow(`SELECT COUNT(*) FROM event_signups WHERE event_id = $1`, e.ID).Scan(&n); err != nil || n != 0 {
				t.Errorf("%d sign-ups left (%v)", n, err)
			}
			if err := db.QueryRow(`SELECT COUNT(*) FROM outbox WHERE ref LIKE 'signup:%'`).Scan(&n); err != nil || n != 1 {
				t.Errorf("%d messages to people signed up left (%v), want the other event's one", n, err)
			}
			dump = storetest.Dump(t, eng, dsn)
			for _, sec := range secrets {
				if bytes.Contains(dump, []byte(sec)) {
					t.Errorf("a backup after the purge holds %q", sec)
				}
			}
			// The purge's audit row: counts only.
			log, err := s.AuditLog(f.ctx, store.AuditFilter{Action: "signup.purge"})
			if err != nil || len(log) != 1 || fmtDetail(log[0].Detail) != `{"cancelled":1,"confirmed":2,"deleted":3,"waiting":1}` {
				t.Errorf("audit %+v %v", log, err)
			}
		})
	}
}

// BenchmarkEventSignUp measures one sign-up (the transaction that holds
// the event's row, seals the name and contact, and enqueues the sealed
// message), and the events job's look for due reminders among 500 coming
// events with nothing due.
func BenchmarkEventSignUp(b *testing.B) {
	for _, eng := range storetest.Engines {
		b.Run(string(eng), func(b *testing.B) {
			s := storetest.Open(b, eng)
			f := &evFix{s: s, ctx: store.WithActor(context.Background(), store.Actor{ID: "coord-1"}),
				person: store.WithActor(context.Background(), store.Actor{ID: "person"}),
				now:    time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC), tokens: map[string]string{}}
			house := domain.Organisation{Kind: domain.OrgSelfHelpHouse, Slug: "huset", Name: "Huset"}
			venue := domain.Venue{MunicipalityID: "5501", Name: "Huset"}
			if err := s.SaveOrganisation(f.ctx, &house); err != nil {
				b.Fatal(err)
			}
			venue.OrgID = house.ID
			if err := s.SaveVenue(f.ctx, &venue); err != nil {
				b.Fatal(err)
			}
			f.house, f.venue = house, venue
			var e store.Event
			for i := range 500 {
				start := f.now.Add(time.Duration(72+i) * time.Hour)
				e = store.Event{Slug: fmt.Sprintf("e-%d", i), OrgID: house.ID, Kind: store.EventPublicMeeting,
					Title: domain.Text{"nb": "Folkemøte"}, StartsAt: start, EndsAt: start.Add(time.Hour), VenueID: venue.ID,
					Capacity: 50, SignupOpen: true, Listed: true}
				if err := s.SaveEvent(f.ctx, &e, f.now, f.msg); err != nil {
					b.Fatal(err)
				}
			}
			b.Run("signup", func(b *testing.B) {
				i := 0
				for b.Loop() {
					i++
					su := store.Signup{Name: "Person", ContactKind: "email", Contact: fmt.Sprintf("p%d@example.no", i),
						ConsentVersion: "v"}
					if err := s.SignUp(f.person, e.ID, &su, f.now, f.msg); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("reminders-due", func(b *testing.B) {
				for b.Loop() {
					if ids, err := s.EventRemindersDue(f.ctx, f.now); err != nil || len(ids) != 0 {
						b.Fatal(ids, err)
					}
				}
			})
		})
	}
}
