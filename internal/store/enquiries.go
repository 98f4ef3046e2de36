package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// An enquiry (henvendelse) is a person's wish to join a self-help group:
// what they would like to talk about in their own words, where and when
// they can meet, and one way to reach them. It is special-category
// personal data: the name, the contact, the person's words and the intake
// note are sealed (package seal) before they reach the database, the
// contact is looked up by a keyed hash only, every staff read writes an
// audit row, and the retention job deletes the row on a clock, leaving
// only an anonymous row in enquiry_stats.
//
// Its life:
//
//	unconfirmed ──ConfirmEnquiry──▶ new ─▶ intake ─▶ waiting ─▶ invited ─▶ placed
//	(web form, referral:                       ▲        │  ▲         │
//	 the person confirms by                    │        ▼  └─declined─┘
//	 their link first)                         └──── paused
//	any status ─▶ withdrawn (deleted at once) · closed (deleted after 30 days)

// EnquiryStatus is where an enquiry is in its life.
type EnquiryStatus string

const (
	EnquiryUnconfirmed EnquiryStatus = "unconfirmed" // waits for the person's confirmation by their link
	EnquiryNew         EnquiryStatus = "new"
	EnquiryIntake      EnquiryStatus = "intake"  // an intake talk is under way
	EnquiryWaiting     EnquiryStatus = "waiting" // in the pool
	EnquiryInvited     EnquiryStatus = "invited" // invited to a group being formed
	EnquiryPlaced      EnquiryStatus = "placed"  // in a group that has started
	EnquiryPaused      EnquiryStatus = "paused"  // the person paused their wish
	EnquiryWithdrawn   EnquiryStatus = "withdrawn"
	EnquiryClosed      EnquiryStatus = "closed"
)

// EnquiryStatuses are the statuses in the order of an enquiry's life.
var EnquiryStatuses = []EnquiryStatus{EnquiryUnconfirmed, EnquiryNew, EnquiryIntake, EnquiryWaiting, EnquiryInvited,
	EnquiryPlaced, EnquiryPaused, EnquiryWithdrawn, EnquiryClosed}

// Valid reports whether st is a known status.
func (st EnquiryStatus) Valid() bool { return slices.Contains(EnquiryStatuses, st) }

// Channels an enquiry comes through, and the kinds of referring partner.
var (
	EnquiryChannels = []string{"web", "phone", "walk_in", "referral"}
	ReferralKinds   = []string{"gp", "nav", "lms", "other"} // GP, NAV, learning and mastery centre, other service
	EnquiryFormats  = []string{"in_person", "phone", "video"}
)

// Outcomes in enquiry_stats.
const (
	OutcomeWaiting    = "waiting"
	OutcomePlaced     = "placed"
	OutcomeWithdrawn  = "withdrawn"
	OutcomeNoGroup    = "no_group"   // closed: no group was possible
	OutcomeUnanswered = "unanswered" // deleted after an unanswered "still interested?"
	OutcomeClosed     = "closed"
)

// Enquiry is one person's enquiry, with its sealed fields open.
type Enquiry struct {
	ID           string
	OrgID        string // the house that handles it
	Status       EnquiryStatus
	Channel      string // web, phone, walk_in, referral
	ReferralKind string // for referrals: gp, nav, lms, other
	ReferredBy   string // the partner user who filled the form with the person

	// Personal data, sealed at rest.
	Name        string // a first name or chosen name
	ContactKind string // "email" or "phone"
	Contact     string // normalised (NormalizeContact)
	OwnWords    string // what the person would like to talk about
	IntakeNote  string // the coordinator's note: never a diagnosis

	Municipality       string // municipality number
	TravelKm           int
	NotOwnMunicipality bool
	Formats            []string // in_person, phone, video
	Slots              []string // "mon-evening" …; empty = any time
	Languages          []string // i18n codes; empty = nb
	Themes             []string // theme IDs; empty = open to a cross-theme group
	Adult              bool     // confirmed 18 or over
	ConsentVersion     string   // the consent text accepted
	ConsentRecordedBy  string   // staff user who recorded oral consent; "" = in the form
	Lang               string   // language of what the person is sent

	GroupID         string // the group they are invited to or placed in
	CreatedAt       time.Time
	ConfirmedAt     time.Time
	StatusChangedAt time.Time
	WaitingSince    time.Time
	AskedAt         time.Time
	DeleteAfter     time.Time
}

// Limits of an enquiry's fields (in characters).
const (
	MaxEnquiryName     = 60
	MaxEnquiryOwnWords = 2000
	MaxIntakeNote      = 4000
	MaxTravelKm        = 1000
)

// Retention is the clock of the retention job (see DefaultRetention).
type Retention struct {
	Unconfirmed  time.Duration // an unconfirmed enquiry is deleted after this
	Placed       time.Duration // after the group started
	Closed       time.Duration // after it was closed
	AskEvery     time.Duration // a waiting person is asked "still interested?" this often
	AnswerWithin time.Duration // deleted this long after an unanswered question
}

// DefaultRetention is the retention clock of issue 4: withdrawn at once
// (not a duration: DeleteEnquiry), placed 30 days after the group starts,
// waiting asked every 3 months and deleted 30 days after an unanswered
// question, closed after 30 days, unconfirmed after 7 days.
var DefaultRetention = Retention{
	Unconfirmed:  7 * 24 * time.Hour,
	Placed:       30 * 24 * time.Hour,
	Closed:       30 * 24 * time.Hour,
	AskEvery:     91 * 24 * time.Hour,
	AnswerWithin: 30 * 24 * time.Hour,
}

// ErrEnquiryStatus is returned for a status change an enquiry cannot make.
var ErrEnquiryStatus = errors.New("store: the enquiry cannot change to that status")

// NormalizeContact returns the stored form of a contact: an e-mail address
// as NormalizeEmail gives it, or a phone number in E.164 (+4791234567;
// eight digits without a country code are Norwegian). ok is false when s
// is not a usable address or number.
func NormalizeContact(kind, s string) (string, bool) {
	switch kind {
	case "email":
		e := NormalizeEmail(s)
		local, domain, found := strings.Cut(e, "@")
		if !found || local == "" || len(e) > 254 || strings.ContainsFunc(e, unicode.IsSpace) ||
			strings.Contains(domain, "@") || !ValidDomain(domain) {
			return "", false
		}
		return e, true
	case "phone":
		var b strings.Builder
		for i, r := range strings.TrimSpace(s) {
			switch {
			case r >= '0' && r <= '9':
				b.WriteRune(r)
			case r == '+' && i == 0:
				b.WriteRune(r)
			case r == ' ' || r == '-' || r == '(' || r == ')' || r == '.':
			default:
				return "", false
			}
		}
		p := b.String()
		switch {
		case strings.HasPrefix(p, "00"):
			p = "+" + p[2:]
		case !strings.HasPrefix(p, "+") && len(p) == 8:
			p = "+47" + p
		}
		if !strings.HasPrefix(p, "+") || len(p) < 9 || len(p) > 16 || p[1] == '0' {
			return "", false
		}
		return p, true
	}
	return "", false
}

// validateEnquiry checks what the store needs (the pages check each field
// with a message of its own first) and normalises lists.
func validateEnquiry(e *Enquiry) error {
	e.Name = strings.TrimSpace(e.Name)
	e.OwnWords = strings.TrimSpace(e.OwnWords)
	e.IntakeNote = strings.TrimSpace(e.IntakeNote)
	var errs []error
	if e.Name == "" || utf8.RuneCountInString(e.Name) > MaxEnquiryName {
		errs = append(errs, errors.New("an enquiry needs a name of at most 60 characters"))
	}
	if c, ok := NormalizeContact(e.ContactKind, e.Contact); ok {
		e.Contact = c
	} else {
		errs = append(errs, errors.New("an enquiry needs one e-mail address or phone number"))
	}
	if utf8.RuneCountInString(e.OwnWords) > MaxEnquiryOwnWords {
		errs = append(errs, errors.New("the person's own words are too long"))
	}
	if utf8.RuneCountInString(e.IntakeNote) > MaxIntakeNote {
		errs = append(errs, errors.New("the intake note is too long"))
	}
	if e.Municipality == "" {
		errs = append(errs, errors.New("an enquiry needs a municipality"))
	}
	if e.TravelKm < 0 || e.TravelKm > MaxTravelKm {
		errs = append(errs, errors.New("the travel distance is out of range"))
	}
	if !slices.Contains(EnquiryChannels, e.Channel) {
		errs = append(errs, fmt.Errorf("unknown channel %q", e.Channel))
	}
	if (e.Channel == "referral") != (e.ReferralKind != "") ||
		e.ReferralKind != "" && !slices.Contains(ReferralKinds, e.ReferralKind) {
		errs = append(errs, errors.New("a referral, and only a referral, names the kind of partner"))
	}
	e.Formats = distinct(e.Formats)
	if len(e.Formats) == 0 {
		errs = append(errs, errors.New("an enquiry needs at least one format"))
	}
	for _, f := range e.Formats {
		if !slices.Contains(EnquiryFormats, f) {
			errs = append(errs, fmt.Errorf("unknown format %q", f))
		}
	}
	e.Slots, e.Languages, e.Themes = distinct(e.Slots), distinct(e.Languages), distinct(e.Themes)
	for _, sl := range e.Slots {
		if !ValidSlot(sl) {
			errs = append(errs, fmt.Errorf("unknown time slot %q", sl))
		}
	}
	if len(e.Languages) == 0 {
		e.Languages = []string{"nb"}
	}
	if e.Lang == "" {
		e.Lang = "nb"
	}
	if e.ConsentVersion == "" {
		errs = append(errs, errors.New("an enquiry needs the version of the consent given"))
	}
	return errors.Join(errs...)
}

// Slot days and parts of a day: a slot is "<day>-<part>", "mon-evening".
var (
	SlotDays  = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
	SlotParts = []string{"morning", "afternoon", "evening"}
)

// ValidSlot reports whether s is a known time slot.
func ValidSlot(s string) bool {
	d, p, ok := strings.Cut(s, "-")
	return ok && slices.Contains(SlotDays, d) && slices.Contains(SlotParts, p)
}

func distinct(in []string) []string {
	var out []string
	for _, s := range in {
		if s = strings.TrimSpace(s); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// The sealed columns of enquiries.
func init() {
	for _, c := range []string{"name", "contact", "own_words", "intake_note"} {
		sealedColumns = append(sealedColumns, sealedColumn{"enquiries", "id", c})
	}
}

// contactIndex is the keyed hash an enquiry's contact is looked up by.
func (s *Store) contactIndex(kind, contact string) (string, error) {
	if s.keys == nil {
		return "", ErrNoKeys
	}
	return s.keys.Index("enquiry-contact:"+kind, contact), nil
}

// sealEnquiry returns the sealed name, contact, own words and note of e.
func (s *Store) sealEnquiry(e *Enquiry) (vals [4]string, err error) {
	for i, f := range []struct{ col, v string }{{"name", e.Name}, {"contact", e.Contact}, {"own_words", e.OwnWords},
		{"intake_note", e.IntakeNote}} {
		if vals[i], err = s.seal("enquiries", f.col, e.ID, f.v); err != nil {
			return vals, err
		}
	}
	return vals, nil
}

// CreateEnquiry stores a new enquiry with the SHA-256 of its private link's
// token, and records enquiry.create (no personal data). An enquiry from the
// web form or a partner's referral is unconfirmed until the person confirms
// by their link (deleted after Retention.Unconfirmed if they do not); one
// entered by staff (phone, walk-in: the person's consent recorded by
// ConsentRecordedBy) is new at once and counted in enquiry_stats.
func (s *Store) CreateEnquiry(ctx context.Context, e *Enquiry, tokenHash string, now time.Time, ret Retention) error {
	staff := e.Channel == "phone" || e.Channel == "walk_in"
	if staff && e.ConsentRecordedBy == "" {
		return errors.New("an enquiry entered by staff needs the consent recorded by a staff user")
	}
	if !staff {
		e.ConsentRecordedBy = ""
	}
	return s.createEnquiry(ctx, e, tokenHash, now, ret, nil)
}

// CreateStaffEnquiry is CreateEnquiry for a phone or walk-in enquiry,
// together with the message that brings the person their private link:
// msg makes it from the stored enquiry (its contact normalised), and it is
// enqueued with the ref EnquiryRef(e.ID) in the same transaction, so the
// enquiry is not stored unless its message is.
func (s *Store) CreateStaffEnquiry(ctx context.Context, e *Enquiry, tokenHash string, now time.Time, ret Retention,
	msg func(Enquiry) (OutboxMail, error)) error {
	if e.Channel != "phone" && e.Channel != "walk_in" || e.ConsentRecordedBy == "" {
		return errors.New("an enquiry entered by staff is by phone or walk-in, with the consent recorded by a staff user")
	}
	return s.createEnquiry(ctx, e, tokenHash, now, ret, func(tx *sql.Tx) error {
		m, err := msg(*e)
		if err != nil {
			return err
		}
		m.Ref = EnquiryRef(e.ID)
		_, err = s.EnqueueMailTx(ctx, tx, m)
		return err
	})
}

// createEnquiry validates, seals and stores a new enquiry, and runs also
// (if not nil) in the same transaction, so that what must go with the
// enquiry (the message with its link) is committed with it or not at all.
func (s *Store) createEnquiry(ctx context.Context, e *Enquiry, tokenHash string, now time.Time, ret Retention,
	also func(tx *sql.Tx) error) error {
	if err := validateEnquiry(e); err != nil {
		return err
	}
	if tokenHash == "" {
		return errors.New("an enquiry needs the hash of its link's token")
	}
	now = now.UTC().Truncate(time.Microsecond)
	e.ID = NewID()
	e.CreatedAt, e.StatusChangedAt = now, now
	e.Status, e.ConfirmedAt, e.DeleteAfter = EnquiryUnconfirmed, time.Time{}, now.Add(ret.Unconfirmed)
	if e.Channel == "phone" || e.Channel == "walk_in" {
		e.Status, e.ConfirmedAt, e.DeleteAfter = EnquiryNew, now, time.Time{}
	}
	sealed, err := s.sealEnquiry(e)
	if err != nil {
		return err
	}
	idx, err := s.contactIndex(e.ContactKind, e.Contact)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO enquiries (id, organisation_id, status, channel, referral_kind,
			referred_by, name, contact_kind, contact, contact_index, own_words, intake_note, municipality_id, travel_km,
			not_own_municipality, formats, slots, languages, adult, consent_version, consent_recorded_by, lang,
			token_hash, created_at, confirmed_at, status_changed_at, delete_after)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22,
			$23, $24, $25, $24, $26)`,
			e.ID, e.OrgID, string(e.Status), e.Channel, e.ReferralKind, e.ReferredBy, sealed[0], e.ContactKind, sealed[1],
			idx, sealed[2], sealed[3], e.Municipality, e.TravelKm, e.NotOwnMunicipality, strings.Join(e.Formats, " "),
			strings.Join(e.Slots, " "), strings.Join(e.Languages, " "), e.Adult, e.ConsentVersion, e.ConsentRecordedBy,
			e.Lang, tokenHash, now, nullTime(e.ConfirmedAt), nullTime(e.DeleteAfter)); err != nil {
			return err
		}
		if err := setEnquiryThemes(ctx, tx, e.ID, e.Themes); err != nil {
			return err
		}
		if err := enquiryHistory(ctx, tx, e.ID, e.Status, "", now); err != nil {
			return err
		}
		if e.Status != EnquiryUnconfirmed {
			if err := insertEnquiryStats(ctx, tx, e.ID); err != nil {
				return err
			}
		}
		if also != nil {
			if err := also(tx); err != nil {
				return err
			}
		}
		return auditTx(ctx, tx, AuditEntry{Action: "enquiry.create", ObjectType: "enquiry", ObjectID: e.ID, OrgID: e.OrgID,
			Detail: map[string]any{"channel": e.Channel, "status": string(e.Status)}})
	})
}

func setEnquiryThemes(ctx context.Context, tx *sql.Tx, id string, themes []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM enquiry_themes WHERE enquiry_id = $1`, id); err != nil {
		return err
	}
	for _, t := range themes {
		if _, err := tx.ExecContext(ctx, `INSERT INTO enquiry_themes (enquiry_id, theme_id) VALUES ($1, $2)`, id, t); err != nil {
			return fmt.Errorf("theme %s: %w", t, err)
		}
	}
	return nil
}

func enquiryHistory(ctx context.Context, tx *sql.Tx, id string, st EnquiryStatus, reason string, now time.Time) error {
	actor := ActorOf(ctx).ID
	_, err := tx.ExecContext(ctx, `INSERT INTO enquiry_history (enquiry_id, at, status, actor_id, reason)
		VALUES ($1, $2, $3, $4, $5)`, id, now, string(st), actor, reason)
	return err
}

// insertEnquiryStats adds the anonymous statistics row of a confirmed
// enquiry (outcome waiting), from the enquiry's own row.
func insertEnquiryStats(ctx context.Context, tx *sql.Tx, id string) error {
	var org, muni, channel, kind string
	var created time.Time
	if err := tx.QueryRowContext(ctx, `SELECT organisation_id, municipality_id, channel, referral_kind, created_at
		FROM enquiries WHERE id = $1`, id).Scan(&org, &muni, &channel, &kind, &created); err != nil {
		return err
	}
	themes, err := enquiryThemeSlugs(ctx, tx, id)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO enquiry_stats (enquiry_id, month, organisation_id, municipality_id,
		channel, referral_kind, themes, outcome) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		id, created.UTC().Format("2006-01"), org, muni, channel, kind, strings.Join(themes, " "), OutcomeWaiting)
	return err
}

func enquiryThemeSlugs(ctx context.Context, q querier, id string) ([]string, error) {
	return queryAll(ctx, q, scanString, `SELECT t.slug FROM enquiry_themes et JOIN themes t ON t.id = et.theme_id
		WHERE et.enquiry_id = $1 ORDER BY t.slug`, id)
}

const enquiryColumns = `id, organisation_id, status, channel, referral_kind, referred_by, name, contact_kind, contact,
	own_words, intake_note, municipality_id, travel_km, not_own_municipality, formats, slots, languages, adult,
	consent_version, consent_recorded_by, lang, COALESCE(group_id, ''), created_at, confirmed_at, status_changed_at,
	waiting_since, asked_at, delete_after`

// scanEnquiry reads a row of enquiryColumns and opens its sealed fields.
func (s *Store) scanEnquiry(sc interface{ Scan(...any) error }) (Enquiry, error) {
	var e Enquiry
	var status, formats, slots, langs string
	var confirmed, waiting, asked, del sql.NullTime
	if err := sc.Scan(&e.ID, &e.OrgID, &status, &e.Channel, &e.ReferralKind, &e.ReferredBy, &e.Name, &e.ContactKind,
		&e.Contact, &e.OwnWords, &e.IntakeNote, &e.Municipality, &e.TravelKm, &e.NotOwnMunicipality, &formats, &slots,
		&langs, &e.Adult, &e.ConsentVersion, &e.ConsentRecordedBy, &e.Lang, &e.GroupID, &e.CreatedAt, &confirmed,
		&e.StatusChangedAt, &waiting, &asked, &del); err != nil {
		return e, err
	}
	e.Status = EnquiryStatus(status)
	e.Formats, e.Slots, e.Languages = strings.Fields(formats), strings.Fields(slots), strings.Fields(langs)
	e.CreatedAt, e.StatusChangedAt = e.CreatedAt.UTC(), e.StatusChangedAt.UTC()
	for _, p := range []struct {
		dst *time.Time
		v   sql.NullTime
	}{{&e.ConfirmedAt, confirmed}, {&e.WaitingSince, waiting}, {&e.AskedAt, asked}, {&e.DeleteAfter, del}} {
		if p.v.Valid {
			*p.dst = p.v.Time.UTC()
		}
	}
	var err error
	for _, f := range []struct {
		col string
		v   *string
	}{{"name", &e.Name}, {"contact", &e.Contact}, {"own_words", &e.OwnWords}, {"intake_note", &e.IntakeNote}} {
		if *f.v, err = s.open("enquiries", f.col, e.ID, *f.v); err != nil {
			return e, err
		}
	}
	return e, nil
}

func (s *Store) enquiryThemeIDs(ctx context.Context, q querier, ids []string) (map[string][]string, error) {
	out := map[string][]string{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	ph := make([]string, len(ids))
	for i, id := range ids {
		args[i], ph[i] = id, fmt.Sprintf("$%d", i+1)
	}
	rows, err := q.QueryContext(ctx, `SELECT enquiry_id, theme_id FROM enquiry_themes WHERE enquiry_id IN (`+
		strings.Join(ph, ", ")+`) ORDER BY enquiry_id, theme_id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var e, t string
		if err := rows.Scan(&e, &t); err != nil {
			return nil, err
		}
		out[e] = append(out[e], t)
	}
	return out, rows.Err()
}

func (s *Store) enquiryWhere(ctx context.Context, q querier, where string, args ...any) (Enquiry, error) {
	e, err := s.scanEnquiry(q.QueryRowContext(ctx, `SELECT `+enquiryColumns+` FROM enquiries WHERE `+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return e, ErrNotFound
	}
	if err != nil {
		return e, err
	}
	th, err := s.enquiryThemeIDs(ctx, q, []string{e.ID})
	e.Themes = th[e.ID]
	return e, err
}

// EnquiryByToken returns the enquiry of a private link (the SHA-256 of its
// token): the person reading what is stored about them. It writes no audit
// row: it is not a staff read.
func (s *Store) EnquiryByToken(ctx context.Context, tokenHash string) (Enquiry, error) {
	if tokenHash == "" {
		return Enquiry{}, ErrNotFound
	}
	return s.enquiryWhere(ctx, s.read, `token_hash = $1`, tokenHash)
}

// ReadEnquiry is a staff read of one enquiry: it records enquiry.read with
// the reader (the context's actor) in the same transaction, or returns no
// data. An unconfirmed enquiry is invisible to staff (ErrNotFound): a
// partner's referral stays hidden until the person confirms it.
func (s *Store) ReadEnquiry(ctx context.Context, id string) (Enquiry, error) {
	var e Enquiry
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		if e, err = s.enquiryWhere(ctx, tx, `id = $1 AND status <> 'unconfirmed'`, id); err != nil {
			return err
		}
		return auditTx(ctx, tx, AuditEntry{Action: "enquiry.read", ObjectType: "enquiry", ObjectID: e.ID, OrgID: e.OrgID})
	})
	if err != nil {
		return Enquiry{}, err
	}
	return e, nil
}

// EnquiryFilter selects enquiries for a staff list.
type EnquiryFilter struct {
	OrgIDs   []string        // the organisations the reader may see (required: nil lists nothing)
	Statuses []EnquiryStatus // empty: every status but unconfirmed
	GroupID  string          // only those invited to or placed in this group
	IDs      []string        // only these
}

// Enquiries is a staff read of a list of enquiries (never unconfirmed
// ones), oldest first: it records one enquiry.list audit row naming every
// enquiry read, in the same transaction.
func (s *Store) Enquiries(ctx context.Context, f EnquiryFilter) ([]Enquiry, error) {
	if len(f.OrgIDs) == 0 {
		return nil, nil
	}
	var where []string
	var args []any
	in := func(col string, vals []string) {
		ph := make([]string, len(vals))
		for i, v := range vals {
			args = append(args, v)
			ph[i] = fmt.Sprintf("$%d", len(args))
		}
		where = append(where, col+" IN ("+strings.Join(ph, ", ")+")")
	}
	in("organisation_id", f.OrgIDs)
	where = append(where, "status <> 'unconfirmed'")
	if len(f.Statuses) > 0 {
		st := make([]string, len(f.Statuses))
		for i, x := range f.Statuses {
			st[i] = string(x)
		}
		in("status", st)
	}
	if f.GroupID != "" {
		args = append(args, f.GroupID)
		where = append(where, fmt.Sprintf("group_id = $%d", len(args)))
	}
	if f.IDs != nil {
		if len(f.IDs) == 0 {
			return nil, nil
		}
		in("id", f.IDs)
	}
	var out []Enquiry
	err := s.tx(ctx, func(tx *sql.Tx) error {
		out = nil
		rows, err := tx.QueryContext(ctx, `SELECT `+enquiryColumns+` FROM enquiries WHERE `+strings.Join(where, " AND ")+
			` ORDER BY COALESCE(waiting_since, created_at), created_at, id`, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			e, err := s.scanEnquiry(rows)
			if err != nil {
				rows.Close()
				return err
			}
			out = append(out, e)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(out) == 0 {
			return nil
		}
		ids := make([]string, len(out))
		for i, e := range out {
			ids[i] = e.ID
		}
		th, err := s.enquiryThemeIDs(ctx, tx, ids)
		if err != nil {
			return err
		}
		for i := range out {
			out[i].Themes = th[out[i].ID]
		}
		return auditTx(ctx, tx, AuditEntry{Action: "enquiry.list", ObjectType: "enquiry",
			Detail: map[string]any{"ids": ids}})
	})
	return out, err
}

// ConfirmEnquiry is the person's confirmation by their link: an
// unconfirmed enquiry becomes new, visible to the house, and counted.
func (s *Store) ConfirmEnquiry(ctx context.Context, id string, now time.Time) error {
	now = now.UTC().Truncate(time.Microsecond)
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := execOne(ctx, tx, `UPDATE enquiries SET status = 'new', confirmed_at = $2, status_changed_at = $2,
			delete_after = NULL WHERE id = $1 AND status = 'unconfirmed'`, id, now); err != nil {
			return err
		}
		if err := enquiryHistory(ctx, tx, id, EnquiryNew, "confirmed", now); err != nil {
			return err
		}
		if err := insertEnquiryStats(ctx, tx, id); err != nil {
			return err
		}
		return auditTx(ctx, tx, AuditEntry{Action: "enquiry.confirm", ObjectType: "enquiry", ObjectID: id})
	})
}

// UpdateEnquiry stores what the person corrected by their link, or what
// staff changed (the intake note among it), and records enquiry.update
// with the names of the fields changed, never their values. Status, group
// and clocks are changed by SetEnquiryStatus.
func (s *Store) UpdateEnquiry(ctx context.Context, e *Enquiry) error {
	if err := validateEnquiry(e); err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		old, err := s.enquiryWhere(ctx, tx, `id = $1`, e.ID)
		if err != nil {
			return err
		}
		sealed, err := s.sealEnquiry(e)
		if err != nil {
			return err
		}
		idx, err := s.contactIndex(e.ContactKind, e.Contact)
		if err != nil {
			return err
		}
		if err := execOne(ctx, tx, `UPDATE enquiries SET name = $2, contact_kind = $3, contact = $4, contact_index = $5,
			own_words = $6, intake_note = $7, municipality_id = $8, travel_km = $9, not_own_municipality = $10,
			formats = $11, slots = $12, languages = $13, adult = $14, lang = $15 WHERE id = $1`,
			e.ID, sealed[0], e.ContactKind, sealed[1], idx, sealed[2], sealed[3], e.Municipality, e.TravelKm,
			e.NotOwnMunicipality, strings.Join(e.Formats, " "), strings.Join(e.Slots, " "),
			strings.Join(e.Languages, " "), e.Adult, e.Lang); err != nil {
			return err
		}
		if err := setEnquiryThemes(ctx, tx, e.ID, e.Themes); err != nil {
			return err
		}
		var changed []string
		for name, diff := range map[string]bool{
			"name": old.Name != e.Name, "contact": old.Contact != e.Contact || old.ContactKind != e.ContactKind,
			"own_words": old.OwnWords != e.OwnWords, "intake_note": old.IntakeNote != e.IntakeNote,
			"municipality": old.Municipality != e.Municipality, "travel_km": old.TravelKm != e.TravelKm,
			"not_own_municipality": old.NotOwnMunicipality != e.NotOwnMunicipality,
			"formats":              !slices.Equal(old.Formats, e.Formats), "slots": !slices.Equal(old.Slots, e.Slots),
			"languages": !slices.Equal(old.Languages, e.Languages), "themes": !sameSet(old.Themes, e.Themes),
			"adult": old.Adult != e.Adult, "lang": old.Lang != e.Lang,
		} {
			if diff {
				changed = append(changed, name)
			}
		}
		if len(changed) == 0 {
			return nil
		}
		slices.Sort(changed)
		return auditTx(ctx, tx, AuditEntry{Action: "enquiry.update", ObjectType: "enquiry", ObjectID: e.ID, OrgID: old.OrgID,
			Detail: map[string]any{"changed": changed}})
	})
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// enquiryMoves are the status changes an enquiry can make (withdrawn is
// not here: DeleteEnquiry deletes a withdrawn enquiry at once).
var enquiryMoves = map[EnquiryStatus][]EnquiryStatus{
	EnquiryNew:     {EnquiryIntake, EnquiryWaiting, EnquiryPaused, EnquiryClosed},
	EnquiryIntake:  {EnquiryWaiting, EnquiryPaused, EnquiryClosed},
	EnquiryWaiting: {EnquiryIntake, EnquiryInvited, EnquiryPaused, EnquiryClosed, EnquiryPlaced},
	EnquiryInvited: {EnquiryWaiting, EnquiryPlaced, EnquiryPaused, EnquiryClosed},
	EnquiryPlaced:  {EnquiryWaiting, EnquiryClosed}, // re-placed: back to the pool (a group that did not last)
	EnquiryPaused:  {EnquiryWaiting, EnquiryClosed},
	EnquiryClosed:  {EnquiryWaiting},
}

// CanMove reports whether an enquiry can change from one status to another.
func CanMove(from, to EnquiryStatus) bool { return slices.Contains(enquiryMoves[from], to) }

// StatusChange is one change of an enquiry's status.
type StatusChange struct {
	To      EnquiryStatus
	Reason  string // a code: "declined", "no_group", "still_interested", …; never free text
	GroupID string // for invited and placed: the group
}

// SetEnquiryStatus moves an enquiry to another status, keeps the history
// and the anonymous statistics in step, and sets the retention clock:
// waiting starts the pool clock (kept when a person comes back to the
// pool), placed and closed are deleted after Retention.Placed and
// Retention.Closed. It records enquiry.status.
func (s *Store) SetEnquiryStatus(ctx context.Context, id string, c StatusChange, now time.Time, ret Retention) error {
	now = now.UTC().Truncate(time.Microsecond)
	return s.tx(ctx, func(tx *sql.Tx) error {
		return s.setEnquiryStatusTx(ctx, tx, id, c, now, ret)
	})
}

func (s *Store) setEnquiryStatusTx(ctx context.Context, tx *sql.Tx, id string, c StatusChange, now time.Time, ret Retention) error {
	var from, org, group string
	var waiting sql.NullTime
	err := tx.QueryRowContext(ctx, `SELECT status, organisation_id, COALESCE(group_id, ''), waiting_since FROM enquiries
		WHERE id = $1`, id).Scan(&from, &org, &group, &waiting)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	if !CanMove(EnquiryStatus(from), c.To) {
		return fmt.Errorf("%w: %s → %s", ErrEnquiryStatus, from, c.To)
	}
	switch c.To {
	case EnquiryInvited, EnquiryPlaced:
		if c.GroupID == "" && group == "" {
			return fmt.Errorf("%w: %s needs a group", ErrEnquiryStatus, c.To)
		}
		if c.GroupID != "" {
			group = c.GroupID
		}
	case EnquiryWaiting, EnquiryClosed, EnquiryPaused, EnquiryIntake:
		group = ""
	}
	if c.To == EnquiryWaiting && !waiting.Valid {
		waiting = sql.NullTime{Time: now, Valid: true}
	}
	var del sql.NullTime
	switch c.To {
	case EnquiryPlaced:
		del = nullTime(now.Add(ret.Placed))
	case EnquiryClosed:
		del = nullTime(now.Add(ret.Closed))
	}
	if err := execOne(ctx, tx, `UPDATE enquiries SET status = $2, group_id = $3, status_changed_at = $4,
		waiting_since = $5, delete_after = $6, asked_at = NULL WHERE id = $1`,
		id, string(c.To), nullString(group), now, waiting, del); err != nil {
		return err
	}
	if err := enquiryHistory(ctx, tx, id, c.To, c.Reason, now); err != nil {
		return err
	}
	outcome, placedMonth := OutcomeWaiting, ""
	var waited sql.NullInt64
	switch c.To {
	case EnquiryPlaced:
		outcome, placedMonth = OutcomePlaced, now.Format("2006-01")
		var created time.Time
		var confirmed sql.NullTime
		if err := tx.QueryRowContext(ctx, `SELECT created_at, confirmed_at FROM enquiries WHERE id = $1`, id).
			Scan(&created, &confirmed); err != nil {
			return err
		}
		if confirmed.Valid {
			created = confirmed.Time
		}
		waited = sql.NullInt64{Int64: int64(now.Sub(created.UTC()) / (24 * time.Hour)), Valid: true}
	case EnquiryClosed:
		outcome = OutcomeClosed
		if c.Reason == OutcomeNoGroup {
			outcome = OutcomeNoGroup
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE enquiry_stats SET outcome = $2, placed_month = $3, waited_days = $4
		WHERE enquiry_id = $1`, id, outcome, placedMonth, waited); err != nil {
		return err
	}
	return auditTx(ctx, tx, AuditEntry{Action: "enquiry.status", ObjectType: "enquiry", ObjectID: id, OrgID: org,
		Detail: map[string]any{"from": from, "to": string(c.To), "reason": c.Reason}})
}

// DeleteEnquiry deletes an enquiry and everything that holds its personal
// data (themes, history, invitations, mails to the person still in the
// outbox), leaving its anonymous statistics row with the outcome given
// ("" keeps the recorded one) and no link to the deleted row. It records
// enquiry.delete with the outcome (no personal data).
func (s *Store) DeleteEnquiry(ctx context.Context, id, outcome string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		return deleteEnquiryTx(ctx, tx, id, outcome)
	})
}

func deleteEnquiryTx(ctx context.Context, tx *sql.Tx, id, outcome string) error {
	var org string
	err := tx.QueryRowContext(ctx, `SELECT organisation_id FROM enquiries WHERE id = $1`, id).Scan(&org)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	if outcome != "" {
		if _, err := tx.ExecContext(ctx, `UPDATE enquiry_stats SET outcome = $2 WHERE enquiry_id = $1`, id, outcome); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE enquiry_stats SET enquiry_id = NULL WHERE enquiry_id = $1`, id); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE ref = $1`, "enquiry:"+id); err != nil {
		return err
	}
	if err := execOne(ctx, tx, `DELETE FROM enquiries WHERE id = $1`, id); err != nil {
		return err
	}
	return auditTx(ctx, tx, AuditEntry{Action: "enquiry.delete", ObjectType: "enquiry", ObjectID: id, OrgID: org,
		Detail: map[string]any{"outcome": outcome}})
}

// EnquiryHistoryEntry is one status change of an enquiry.
type EnquiryHistoryEntry struct {
	At      time.Time
	Status  EnquiryStatus
	ActorID string
	Reason  string
}

// EnquiryHistory lists an enquiry's status changes, oldest first. It holds
// no personal data and writes no audit row.
func (s *Store) EnquiryHistory(ctx context.Context, id string) ([]EnquiryHistoryEntry, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT at, status, actor_id, reason FROM enquiry_history WHERE enquiry_id = $1
		ORDER BY at, id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []EnquiryHistoryEntry
	for rows.Next() {
		var h EnquiryHistoryEntry
		var st string
		if err := rows.Scan(&h.At, &st, &h.ActorID, &h.Reason); err != nil {
			return nil, err
		}
		h.At, h.Status = h.At.UTC(), EnquiryStatus(st)
		out = append(out, h)
	}
	return out, rows.Err()
}

// EnquiriesByContact finds, by the keyed hash of a contact, the IDs of the
// enquiries of the organisations given that have it (a coordinator who is
// phoned by someone who enquired before). It reads no personal data.
func (s *Store) EnquiriesByContact(ctx context.Context, orgIDs []string, kind, contact string) ([]string, error) {
	c, ok := NormalizeContact(kind, contact)
	if !ok || len(orgIDs) == 0 {
		return nil, nil
	}
	idx, err := s.contactIndex(kind, c)
	if err != nil {
		return nil, err
	}
	args := []any{idx}
	ph := make([]string, len(orgIDs))
	for i, o := range orgIDs {
		args = append(args, o)
		ph[i] = fmt.Sprintf("$%d", i+2)
	}
	rows, err := s.read.QueryContext(ctx, `SELECT id FROM enquiries WHERE contact_index = $1 AND status <> 'unconfirmed'
		AND organisation_id IN (`+strings.Join(ph, ", ")+`) ORDER BY created_at, id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
