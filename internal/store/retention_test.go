package store_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

func TestParseRetention(t *testing.T) {
	day := 24 * time.Hour
	for in, want := range map[string]store.Retention{
		"": store.DefaultRetention,
		"unconfirmed=7d,placed=30d,closed=30d,ask=91d,answer=30d": store.DefaultRetention,
		" ask = 13w , answer=14d ,":                               {Unconfirmed: 7 * day, Placed: 30 * day, Closed: 30 * day, AskEvery: 91 * day, AnswerWithin: 14 * day},
		"unconfirmed=48h,placed=1d,closed=366d":                   {Unconfirmed: 2 * day, Placed: day, Closed: 366 * day, AskEvery: 91 * day, AnswerWithin: 30 * day},
	} {
		got, err := store.ParseRetention(in)
		if err != nil || got != want {
			t.Errorf("ParseRetention(%q) = %+v, %v; want %+v", in, got, err, want)
		}
		if again, err := store.ParseRetention(got.String()); err != nil || again != got {
			t.Errorf("%q does not read back: %+v %v", got.String(), again, err)
		}
	}
	if s := store.DefaultRetention.String(); s != "unconfirmed=7d,placed=30d,closed=30d,ask=91d,answer=30d" {
		t.Errorf("DefaultRetention.String() = %q", s)
	}
	for _, bad := range []string{"ask", "ask=", "ask=91", "ask=91x", "ask=d", "ask=0d", "ask=-1d", "ask=+1d", "ask=1.5d",
		"ask=367d", "ask=53w", "ask=9000h", "ask=99999999999999999999d", "ask=30m", "keep=30d", "ask=91d,ask=30d",
		"unconfirmed=7d;placed=30d"} {
		if _, err := store.ParseRetention(bad); err == nil || !strings.Contains(err.Error(), store.EnvRetention) {
			t.Errorf("ParseRetention(%q) accepted or unclear: %v", bad, err)
		}
	}
	if err := (store.Retention{}).Validate(); err == nil {
		t.Error("a zero clock is valid")
	}
}

// A person generated for the retention proof: distinctive strings that a
// search of the database can only find if they were left behind.
type retentionPerson struct {
	n       int
	path    string // what happens to them: see TestRetentionLeavesNoTrace
	e       store.Enquiry
	hashes  []string // the SHA-256 of every link the person was given
	kept    bool     // still rightly kept when the clock has run
	outcome string   // the outcome in enquiry_stats ("" for none)
	month   string   // the month of their statistics row
	asks    int      // questions they got
}

// Fixed width, so that no person's strings hold another's.
func (p *retentionPerson) name() string  { return fmt.Sprintf("Zyxqvor-%03d", p.n) }
func (p *retentionPerson) email() string { return fmt.Sprintf("zyxqvor%03d@example.no", p.n) }
func (p *retentionPerson) phone() string { return fmt.Sprintf("98%06d", 700000+p.n) }
func (p *retentionPerson) words() string {
	return fmt.Sprintf("Qorvyx-ord-%03d om sorgen etter mor", p.n)
}
func (p *retentionPerson) note() string    { return fmt.Sprintf("Vyrnox-notat-%03d: ønsker kveld", p.n) }
func (p *retentionPerson) usesPhone() bool { return p.n%2 == 1 }
func (p *retentionPerson) String() string  { return fmt.Sprintf("person %d (%s)", p.n, p.path) }

func (p *retentionPerson) kind() string {
	if p.usesPhone() {
		return "phone"
	}
	return "email"
}

// contact is the person's contact as stored (normalised).
func (p *retentionPerson) contact() string {
	if p.usesPhone() {
		return "+47" + p.phone()
	}
	return p.email()
}

func linkHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// stringsOnly lists what must not be left of the person: their name,
// contact, own words and note; with ids, also their enquiry's ID, the
// keyed hash of the contact and the hashes of their links.
func (p *retentionPerson) stringsOnly(ids bool) []string {
	out := []string{p.name(), p.words(), p.note()}
	if p.usesPhone() {
		out = append(out, "+47"+p.phone(), p.phone())
	} else {
		out = append(out, p.email())
	}
	if ids {
		out = append(out, p.e.ID, storetest.Keys.Index("enquiry-contact:"+p.kind(), p.contact()))
		out = append(out, p.hashes...)
	}
	return out
}

// The proof of the retention clock (issue 4, item 9): people go through
// every path, the clock runs for most of a year, and then nothing is left
// of those it deleted — in any row of any table, sealed values opened —
// while the statistics count exactly what happened. Before and while the
// clock runs, a backup of the database holds nothing readable about anyone.
func TestRetentionLeavesNoTrace(t *testing.T) {
	for _, eng := range storetest.Engines {
		t.Run(string(eng), func(t *testing.T) {
			s, dsn := storetest.OpenDSN(t, eng)
			db := rawDB(t, eng, dsn)
			f := setup(t, s)
			coord := store.WithActor(context.Background(), store.Actor{ID: "coordinator-1", Source: "192.0.2.0/24"})
			personCtx := store.WithActor(context.Background(), store.Actor{ID: "person"})
			ret := store.DefaultRetention
			day := 24 * time.Hour
			t0 := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
			late := t0.Add(200 * day) // 2026-07-24

			// The paths, three people each:
			//   withdrawn   confirmed, in the pool, withdrew (deleted at once)
			//   placed      placed in a group on day 10: deleted 30 days later
			//   closed      closed on day 10 (one of them: no group possible)
			//   unanswered  waiting, new or paused; asked after 91 days, no answer: deleted 30 days later
			//   unconfirmed never confirmed their link: deleted after 7 days
			//   answered    waiting; asked, answered, asked again 91 days after the question, answered: kept
			//   recent      came to the pool on day 201: kept, not asked yet
			//   placedlate  placed on day 240: kept (30 days have not passed)
			paths := []string{"withdrawn", "placed", "closed", "unanswered", "unconfirmed", "answered", "recent", "placedlate"}
			var people []*retentionPerson
			for i := range 3 * len(paths) {
				p := &retentionPerson{n: i + 1, path: paths[i%len(paths)]}
				people = append(people, p)
				start := t0.Add(time.Duration(i) * time.Minute)
				if p.path == "recent" || p.path == "placedlate" {
					start = late.Add(time.Duration(i) * time.Minute)
				}
				p.e = store.Enquiry{OrgID: f.house.ID, Channel: "web", Name: p.name(), ContactKind: p.kind(),
					Contact: p.contact(), OwnWords: p.words(), Municipality: "5501", TravelKm: 20,
					Formats: []string{"in_person"}, Themes: []string{f.theme.ID}, Adult: true, ConsentVersion: "2026-01",
					Lang: []string{"nb", "en", "nn"}[i%3]}
				if p.usesPhone() {
					p.e.Contact = p.phone() // as typed in the form: national, without +47
				}
				first := linkHash(fmt.Sprintf("token-%d", p.n))
				p.hashes = append(p.hashes, first)
				if err := s.CreateEnquiry(personCtx, &p.e, first, start, ret); err != nil {
					t.Fatal(err)
				}
				p.month = start.Format("2006-01")
				if p.path == "unconfirmed" {
					continue
				}
				move := func(to store.EnquiryStatus, reason string, at time.Time) {
					t.Helper()
					c := store.StatusChange{To: to, Reason: reason}
					if to == store.EnquiryInvited || to == store.EnquiryPlaced {
						c.GroupID = f.group.ID
					}
					if err := s.SetEnquiryStatus(coord, p.e.ID, c, at, ret); err != nil {
						t.Fatalf("%s → %s: %v", p, to, err)
					}
				}
				if err := s.ConfirmEnquiry(personCtx, p.e.ID, start.Add(time.Hour)); err != nil {
					t.Fatal(err)
				}
				e, err := s.ReadEnquiry(coord, p.e.ID)
				if err != nil {
					t.Fatal(err)
				}
				e.IntakeNote = p.note()
				if err := s.UpdateEnquiry(coord, &e); err != nil {
					t.Fatal(err)
				}
				p.outcome = store.OutcomeWaiting
				switch {
				case p.path == "unanswered" && i%3 == 0:
					// Stays new: asked 91 days after confirming.
				case p.path == "unanswered" && i%3 == 1:
					move(store.EnquiryWaiting, "", start.Add(day))
					move(store.EnquiryPaused, "", start.Add(3*day))
				default:
					move(store.EnquiryWaiting, "", start.Add(day))
				}
				switch p.path {
				case "withdrawn":
					if err := s.DeleteEnquiry(personCtx, p.e.ID, store.OutcomeWithdrawn); err != nil {
						t.Fatal(err)
					}
					p.outcome = store.OutcomeWithdrawn
				case "placed", "placedlate":
					at := start.Add(10 * day)
					if p.path == "placedlate" {
						at = start.Add(40 * day)
					}
					move(store.EnquiryInvited, "", at.Add(-5*day))
					move(store.EnquiryPlaced, "", at)
					p.outcome, p.kept = store.OutcomePlaced, p.path == "placedlate"
				case "closed":
					reason := ""
					p.outcome = store.OutcomeClosed
					if i%3 == 0 {
						reason, p.outcome = store.OutcomeNoGroup, store.OutcomeNoGroup
					}
					move(store.EnquiryClosed, reason, start.Add(10*day))
				case "answered", "recent":
					p.kept = true
				}
			}
			byID := map[string]*retentionPerson{}
			for _, p := range people {
				byID[p.e.ID] = p
			}

			// (a) A backup holds nothing readable about anyone.
			noneInDump := func(when string) {
				t.Helper()
				dump := storetest.Dump(t, eng, dsn)
				for _, p := range people {
					for _, str := range p.stringsOnly(false) {
						if bytes.Contains(dump, []byte(str)) {
							t.Errorf("%s: the dump holds %q of %s", when, str, p)
						}
					}
				}
			}
			noneInDump("before the clock")
			statsBefore := enquiryStats(t, db)

			// The clock: a run every day, at noon, for 260 days. The
			// person's answer clears asked_at (as their page does), two
			// days after the question.
			var total store.RetentionResult
			ask := func(e store.Enquiry) (store.OutboxMail, string, error) {
				p := byID[e.ID]
				p.asks++
				token := fmt.Sprintf("token-%d-%d", p.n, p.asks)
				p.hashes = append(p.hashes, linkHash(token))
				m := store.OutboxMail{To: e.Contact, Lang: e.Lang, Kind: "still_interested",
					Body: "Hei, " + e.Name + "! Svar her: https://fellesrom.example/min-henvendelse/" + token}
				if e.ContactKind == "phone" {
					m.Channel = store.ChannelSMS
				} else {
					m.Subject = "Ønsker du fortsatt en gruppe?"
				}
				return m, linkHash(token), nil
			}
			answered := map[string]time.Time{}
			for k := 1; k <= 260; k++ {
				now := t0.Add(time.Duration(k)*day + 3*time.Hour)
				res, err := s.RunRetention(context.Background(), now, ret, ask)
				if err != nil {
					t.Fatalf("day %d: %v", k, err)
				}
				total = addResults(total, res)
				for _, p := range people {
					if p.path != "answered" || p.asks == 0 {
						continue
					}
					if _, done := answered[fmt.Sprint(p.n, p.asks)]; done {
						continue
					}
					e, err := s.EnquiryByToken(personCtx, p.hashes[len(p.hashes)-1])
					if err != nil {
						t.Fatalf("%s: the new link does not work: %v", p, err)
					}
					if e.AskedAt.IsZero() || now.Sub(e.AskedAt) < 2*day {
						continue
					}
					if _, err := db.Exec(`UPDATE enquiries SET asked_at = NULL WHERE id = $1`, p.e.ID); err != nil {
						t.Fatal(err)
					}
					answered[fmt.Sprint(p.n, p.asks)] = now
				}
				if k == 100 {
					// The questions wait in the outbox: sealed, like everything else.
					noneInDump("with questions in the outbox")
				}
			}

			// What the clock did, in counts.
			count := func(path string) int {
				n := 0
				for _, p := range people {
					if p.path == path {
						n++
					}
				}
				return n
			}
			want := store.RetentionResult{Unconfirmed: count("unconfirmed"), Placed: count("placed"), Closed: count("closed"),
				Unanswered: count("unanswered"), Asked: count("unanswered") + 2*count("answered")}
			if total != want {
				t.Errorf("the clock did %+v, want %+v", total, want)
			}
			for _, p := range people {
				wantAsks := map[string]int{"unanswered": 1, "answered": 2}[p.path]
				if p.asks != wantAsks {
					t.Errorf("%s was asked %d times, want %d", p, p.asks, wantAsks)
				}
				_, err := s.EnquiryByToken(personCtx, p.hashes[len(p.hashes)-1])
				if p.kept != (err == nil) {
					t.Errorf("%s: kept %v, but their link gives %v", p, p.kept, err)
				}
				if len(p.hashes) > 1 {
					if _, err := s.EnquiryByToken(personCtx, p.hashes[0]); !errors.Is(err, store.ErrNotFound) {
						t.Errorf("%s: the link replaced by a question still works: %v", p, err)
					}
				}
			}
			for _, p := range people {
				if p.path != "answered" {
					continue
				}
				// The second question came 91 days after the first, not
				// 91 days after confirming (which had passed long before).
				var asks []time.Time
				hist, err := s.EnquiryHistory(coord, p.e.ID)
				if err != nil {
					t.Fatal(err)
				}
				for _, h := range hist {
					if h.Reason == store.ReasonAsked {
						asks = append(asks, h.At)
					}
				}
				if len(asks) != 2 || asks[1].Sub(asks[0]) < ret.AskEvery || asks[1].Sub(asks[0]) > ret.AskEvery+day {
					t.Errorf("%s was asked at %v", p, asks)
				}
			}

			// (b) Every row of every table, sealed values opened: nothing of
			// the deleted people; the audit log keeps their IDs only.
			rows := everyRow(t, eng, db)
			for _, p := range people {
				for table, texts := range rows {
					for _, str := range p.stringsOnly(true) {
						if p.kept || table == "audit_log" && str == p.e.ID {
							continue
						}
						for _, row := range texts {
							if strings.Contains(row, str) {
								t.Errorf("%s: %s holds %q: %s", p, table, str, row)
								break
							}
						}
					}
				}
			}
			// The search does see sealed values: the people kept are found,
			// name, words and note opened from their sealed columns.
			all := strings.Join(slices.Concat(slices.Collect(maps.Values(rows))...), "\n")
			for _, p := range people {
				if !p.kept {
					continue
				}
				for _, str := range p.stringsOnly(true)[:3] {
					if !strings.Contains(all, str) {
						t.Errorf("%s is kept, but the search of every row does not find %q", p, str)
					}
				}
			}
			var n int
			if err := db.QueryRow(`SELECT COUNT(*) FROM enquiries`).Scan(&n); err != nil || n != count("answered")+count("recent")+count("placedlate") {
				t.Errorf("%d enquiries left (%v)", n, err)
			}

			// (c) The statistics count exactly what happened, and the
			// clock changed nothing in them but the outcome of the
			// unanswered and the link to the deleted rows.
			statsAfter := enquiryStats(t, db)
			wantCount := map[string]int{}
			for _, p := range people {
				if p.outcome != "" {
					o := p.outcome
					if p.path == "unanswered" {
						o = store.OutcomeUnanswered
					}
					wantCount[p.month+" "+o]++
				}
			}
			if got := countStats(statsAfter); !maps.Equal(got, wantCount) {
				t.Errorf("statistics after the clock: %v, want %v", got, wantCount)
			}
			if len(statsBefore) != len(statsAfter) {
				t.Fatalf("%d statistics rows before the clock, %d after", len(statsBefore), len(statsAfter))
			}
			for i, b := range statsBefore {
				a := statsAfter[i]
				if b.enquiryID == "" {
					// Deleted before the clock ran (withdrawn): unchanged.
					if a != b || b.outcome != store.OutcomeWithdrawn {
						t.Errorf("statistics row %+v, before the clock %+v", a, b)
					}
					continue
				}
				p := byID[b.enquiryID]
				if p == nil {
					t.Fatalf("a statistics row before the clock belongs to no one: %+v", b)
				}
				wantA := b
				if !p.kept {
					wantA.enquiryID = ""
				}
				if p.path == "unanswered" {
					wantA.outcome = store.OutcomeUnanswered
				}
				if a != wantA {
					t.Errorf("%s: statistics row %+v, want %+v", p, a, wantA)
				}
				if a.municipality != "5501" || a.themes != f.theme.Slug || a.month != p.month {
					t.Errorf("%s: statistics row %+v", p, a)
				}
			}
		})
	}
}

func addResults(a, b store.RetentionResult) store.RetentionResult {
	return store.RetentionResult{Unconfirmed: a.Unconfirmed + b.Unconfirmed, Withdrawn: a.Withdrawn + b.Withdrawn,
		Placed: a.Placed + b.Placed, Closed: a.Closed + b.Closed, Asked: a.Asked + b.Asked,
		Unanswered: a.Unanswered + b.Unanswered, Expired: a.Expired + b.Expired, Failed: a.Failed + b.Failed}
}

// statsRow is a row of enquiry_stats.
type statsRow struct {
	id                                                         int64
	enquiryID, month, org, municipality, channel, kind, themes string
	outcome, placedMonth                                       string
	waitedDays                                                 int64
}

func enquiryStats(t *testing.T, db *sql.DB) []statsRow {
	t.Helper()
	rows, err := db.Query(`SELECT id, COALESCE(enquiry_id, ''), month, organisation_id, municipality_id, channel,
		referral_kind, themes, outcome, placed_month, COALESCE(waited_days, -1) FROM enquiry_stats ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []statsRow
	for rows.Next() {
		var r statsRow
		if err := rows.Scan(&r.id, &r.enquiryID, &r.month, &r.org, &r.municipality, &r.channel, &r.kind, &r.themes,
			&r.outcome, &r.placedMonth, &r.waitedDays); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// countStats counts statistics rows by "<month> <outcome>".
func countStats(rows []statsRow) map[string]int {
	out := map[string]int{}
	for _, r := range rows {
		out[r.month+" "+r.outcome]++
	}
	return out
}

// everyRow renders every row of every table as text, sealed values
// opened (storetest.EveryRow).
func everyRow(t *testing.T, eng store.Engine, db *sql.DB) map[string][]string {
	t.Helper()
	return storetest.EveryRow(t, eng, db)
}

// Invitations past their deadline expire, and a person still invited goes
// back to the pool, keeping their place in it.
func TestRetentionExpiresInvitations(t *testing.T) {
	for _, eng := range storetest.Engines {
		t.Run(string(eng), func(t *testing.T) {
			s, dsn := storetest.OpenDSN(t, eng)
			db := rawDB(t, eng, dsn)
			f := setup(t, s)
			ctx := store.WithActor(context.Background(), store.Actor{ID: "coordinator-1"})
			ret := store.DefaultRetention
			day := 24 * time.Hour
			t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
			invite := func(n int, deadline time.Time, status string) (enquiry, invitation string) {
				t.Helper()
				e := testEnquiry(f.house.ID, f.theme.ID)
				e.Contact = fmt.Sprintf("9123456%d", n)
				if err := s.CreateEnquiry(ctx, &e, fmt.Sprintf("hash-%d", n), t0, ret); err != nil {
					t.Fatal(err)
				}
				if err := s.ConfirmEnquiry(ctx, e.ID, t0); err != nil {
					t.Fatal(err)
				}
				for _, c := range []store.StatusChange{{To: store.EnquiryWaiting}, {To: store.EnquiryInvited, GroupID: f.group.ID}} {
					if err := s.SetEnquiryStatus(ctx, e.ID, c, t0.Add(day), ret); err != nil {
						t.Fatal(err)
					}
				}
				invitation = store.NewID()
				if _, err := db.Exec(`INSERT INTO group_invitations (id, group_id, enquiry_id, token_hash, status, deadline,
					created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`, invitation, f.group.ID, e.ID, "inv-"+invitation, status,
					deadline, t0.Add(day)); err != nil {
					t.Fatal(err)
				}
				return e.ID, invitation
			}
			deadline := t0.Add(8 * day)
			lapsed, lapsedInv := invite(1, deadline, "pending")
			accepted, acceptedInv := invite(2, deadline, "accepted")
			later, laterInv := invite(3, t0.Add(20*day), "pending")
			movedOn, movedOnInv := invite(4, deadline, "pending")
			// Placed by the coordinator, though the invitation was never answered.
			if err := s.SetEnquiryStatus(ctx, movedOn, store.StatusChange{To: store.EnquiryPlaced}, t0.Add(3*day), ret); err != nil {
				t.Fatal(err)
			}

			never := func(store.Enquiry) (store.OutboxMail, string, error) {
				return store.OutboxMail{}, "", errors.New("nobody is due a question")
			}
			if res, err := s.RunRetention(ctx, deadline.Add(-time.Second), ret, never); err != nil || res != (store.RetentionResult{}) {
				t.Errorf("before the deadline: %+v %v", res, err)
			}
			res, err := s.RunRetention(ctx, deadline, ret, never)
			if err != nil || res != (store.RetentionResult{Expired: 2}) {
				t.Errorf("at the deadline: %+v %v", res, err)
			}
			for inv, want := range map[string]string{lapsedInv: "expired", acceptedInv: "accepted", laterInv: "pending",
				movedOnInv: "expired"} {
				var got string
				if err := db.QueryRow(`SELECT status FROM group_invitations WHERE id = $1`, inv).Scan(&got); err != nil || got != want {
					t.Errorf("invitation %s: %q, want %q (%v)", inv, got, want, err)
				}
			}
			for id, want := range map[string]store.EnquiryStatus{lapsed: store.EnquiryWaiting, accepted: store.EnquiryInvited,
				later: store.EnquiryInvited, movedOn: store.EnquiryPlaced} {
				e, err := s.ReadEnquiry(ctx, id)
				if err != nil || e.Status != want {
					t.Errorf("enquiry: %s, want %s (%v)", e.Status, want, err)
				}
				if id == lapsed && (e.GroupID != "" || !e.WaitingSince.Equal(t0.Add(day))) {
					t.Errorf("back in the pool: group %q, waiting since %v", e.GroupID, e.WaitingSince)
				}
			}
			hist, _ := s.EnquiryHistory(ctx, lapsed)
			if last := hist[len(hist)-1]; last.Status != store.EnquiryWaiting || last.Reason != store.ReasonInvitationExpired ||
				last.ActorID != "coordinator-1" {
				t.Errorf("history: %+v", last)
			}
			var outcome string
			if err := db.QueryRow(`SELECT outcome FROM enquiry_stats WHERE enquiry_id = $1`, lapsed).Scan(&outcome); err != nil ||
				outcome != store.OutcomeWaiting {
				t.Errorf("statistics: %q %v", outcome, err)
			}
			if log, _ := s.AuditLog(ctx, store.AuditFilter{Action: "invitation.expire"}); len(log) != 2 {
				t.Errorf("audit: %+v", log)
			}
			if res, err := s.RunRetention(ctx, deadline.Add(time.Hour), ret, never); err != nil || res != (store.RetentionResult{}) {
				t.Errorf("a second run: %+v %v", res, err)
			}
		})
	}
}

// One enquiry that cannot be asked does not stop the clock for the others,
// and the error names no one.
func TestRetentionCarriesOnPastFailures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := store.WithActor(context.Background(), store.Actor{ID: "coordinator-1"})
		f := setup(t, s)
		ret := store.DefaultRetention
		t0 := time.Date(2026, 2, 2, 10, 0, 0, 0, time.UTC)
		var ids []string
		for n := range 3 {
			e := testEnquiry(f.house.ID, f.theme.ID)
			e.Contact = fmt.Sprintf("9123457%d", n)
			if err := s.CreateEnquiry(ctx, &e, fmt.Sprintf("hash-%d", n), t0, ret); err != nil {
				t.Fatal(err)
			}
			if n < 2 {
				if err := s.ConfirmEnquiry(ctx, e.ID, t0); err != nil {
					t.Fatal(err)
				}
			}
			ids = append(ids, e.ID)
		}
		if _, err := s.RunRetention(ctx, t0, ret, nil); err == nil {
			t.Error("no asker accepted")
		}
		if _, err := s.RunRetention(ctx, t0, store.Retention{}, func(store.Enquiry) (store.OutboxMail, string, error) {
			return store.OutboxMail{}, "", nil
		}); err == nil {
			t.Error("a zero clock accepted")
		}
		ask := func(e store.Enquiry) (store.OutboxMail, string, error) {
			if e.ID == ids[0] {
				return store.OutboxMail{}, "", fmt.Errorf("cannot write to enquiry %s", e.ID)
			}
			return store.OutboxMail{Channel: store.ChannelSMS, To: e.Contact, Body: "Fortsatt interessert?", Kind: "still_interested"}, "", nil
		}
		res, err := s.RunRetention(ctx, t0.Add(ret.AskEvery), ret, ask)
		if res != (store.RetentionResult{Unconfirmed: 1, Asked: 1, Failed: 1}) || err == nil {
			t.Errorf("run: %+v %v", res, err)
		}
		if err != nil && strings.Contains(err.Error(), ids[0]) {
			t.Errorf("the error names the enquiry: %v", err)
		}
		first, _ := s.ReadEnquiry(ctx, ids[0])
		second, _ := s.ReadEnquiry(ctx, ids[1])
		if !first.AskedAt.IsZero() || !second.AskedAt.Equal(t0.Add(ret.AskEvery)) {
			t.Errorf("asked at %v and %v", first.AskedAt, second.AskedAt)
		}
		// The person's page can show until when they can answer.
		if !first.DeleteAfter.IsZero() || !second.DeleteAfter.Equal(second.AskedAt.Add(ret.AnswerWithin)) {
			t.Errorf("deleted after %v and %v", first.DeleteAfter, second.DeleteAfter)
		}
		// The question kept its link: the asker gave no new one.
		if e, err := s.EnquiryByToken(ctx, "hash-1"); err != nil || e.ID != ids[1] {
			t.Errorf("the link after a question without a new one: %v", err)
		}
	})
}
