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

// The outbox holds mails and text messages (SMS) until a job sends them, so
// that no message lives only in one process: a message is enqueued in the
// transaction of what caused it, and whichever instance runs the sender job
// of its channel claims it, sends it (over SMTP, or to the SMS gateway) and
// marks it sent, due for another try, or failed. Both channels go through
// the same states, with the same functions; "mail" below means either.
//
// A mail moves through these states:
//
//	pending ──ClaimMail──▶ sending ──MarkSent──▶ sent     (purged after 7 days)
//	   ▲                      │
//	   └──────MarkRetry───────┤
//	   └──────ReleaseMail─────┤
//	   └──RetryFailed─ failed ◀─MarkFailed                 (purged after 30 days)
//
// A claim holds a lease: a mail whose instance died while sending it is
// claimed again once the lease has run out, so a mail can be sent twice but
// is never lost. Every claim counts as an attempt.
//
// The rows hold personal data (the address or number, the subject, the text
// and the attachment), all of it sealed (package seal, with the context
// outbox.<column>:<id>): a dump of the database shows nothing readable
// about whom the site writes to or what it says. Every function here opens
// them, so callers see plain values. The subject, the body and the
// attachment are cleared when a mail is sent; the sealed address stays
// until PurgeOutbox deletes the row. LastError holds SMTP codes, HTTP
// statuses and reasons only, never an address, a number or a text.

// Statuses of a mail in the outbox.
const (
	MailPending = "pending"
	MailSending = "sending"
	MailSent    = "sent"
	MailFailed  = "failed"
)

// MailStatuses are the statuses of a mail, in the order of its life.
var MailStatuses = []string{MailPending, MailSending, MailSent, MailFailed}

// How long the outbox keeps mails that are done with.
const (
	SentMailRetention   = 7 * 24 * time.Hour
	FailedMailRetention = 30 * 24 * time.Hour
)

// ErrClaimLost is returned by MarkSent, MarkRetry, MarkFailed and ReleaseMail
// when the mail is no longer held by that claim: its lease ran out and
// another claim took it, or it was finished already.
var ErrClaimLost = errors.New("store: the claim on the mail was lost")

// Channels of the outbox: how a message goes out.
const (
	ChannelEmail = "email" // over SMTP (the default)
	ChannelSMS   = "sms"   // to the SMS gateway
)

// OutboxChannels are the channels of the outbox.
var OutboxChannels = []string{ChannelEmail, ChannelSMS}

// MaxAttachmentSize is the largest attachment a mail may carry.
const MaxAttachmentSize = 512 << 10

// Attachment is a file a mail carries, such as an iCalendar invitation
// (ContentType "text/calendar; method=REQUEST", Name "invitasjon.ics").
type Attachment struct {
	Name        string // the file name the receiver sees; no path, no line break
	ContentType string // a media type with its parameters
	Data        []byte // at most MaxAttachmentSize bytes
}

// OutboxMail is a message in the outbox: a mail, or a text message when
// Channel is ChannelSMS. EnqueueMail and EnqueueMailTx take both.
type OutboxMail struct {
	ID      string
	Channel string // ChannelEmail ("" when enqueuing means e-mail) or ChannelSMS
	// To is, for e-mail, one address, addr-spec only ("ola@example.no"); for
	// SMS a number in E.164 form ("+4791234567").
	To         string
	Subject    string      // e-mail only (a text message has none); cleared once sent
	Body       string      // plain text; cleared once sent
	Attachment *Attachment // e-mail only, at most one; cleared once sent
	Lang       string      // language of the text (i18n code), "nb" if empty
	// Ref names what the message is about ("enquiry:<id>"), so that deleting
	// that deletes its messages too; IDs only, never personal data. May be empty.
	Ref           string
	Kind          string // what sort of mail: "invite", "password_reset", …; never personal
	Status        string
	Attempts      int // claims so far
	NextAttemptAt time.Time
	LeaseUntil    time.Time // zero unless sending
	LastError     string    // SMTP code or HTTP status and reason of the last failure, no personal data
	CreatedAt     time.Time
	SentAt        time.Time
	FailedAt      time.Time
}

func validMailKind(k string) bool {
	if k == "" || len(k) > 40 || k[0] < 'a' || k[0] > 'z' {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

// mailUnsafe reports whether s holds a control character (CR and LF among
// them), which would let a value break out of a mail header.
func mailUnsafe(s string) bool {
	return strings.ContainsFunc(s, unicode.IsControl)
}

func validateMail(m *OutboxMail) error {
	switch m.Channel {
	case "", ChannelEmail:
		m.Channel = ChannelEmail
	case ChannelSMS:
		return validateSMS(m)
	default:
		return fmt.Errorf("outbox channel %q: want email or sms", m.Channel)
	}
	var errs []error
	switch {
	case strings.TrimSpace(m.To) == "":
		errs = append(errs, errors.New("a mail needs an address"))
	case len(m.To) > 320 || mailUnsafe(m.To) || strings.ContainsAny(m.To, " <>,;") || !strings.Contains(m.To, "@"):
		// The address itself is personal data: never in an error message.
		errs = append(errs, errors.New("the address of a mail is not a plain address"))
	}
	if strings.TrimSpace(m.Subject) == "" {
		errs = append(errs, errors.New("a mail needs a subject"))
	} else if mailUnsafe(m.Subject) || len(m.Subject) > 500 {
		errs = append(errs, errors.New("the subject of a mail must be one line of at most 500 bytes"))
	}
	if strings.TrimSpace(m.Body) == "" {
		errs = append(errs, errors.New("a mail needs a body"))
	}
	if m.Attachment != nil {
		errs = append(errs, validateAttachment(m.Attachment))
	}
	errs = append(errs, validateCommon(m))
	return errors.Join(errs...)
}

// validateCommon checks the kind, the ref and the language of m (either
// channel), and defaults the language to nb.
func validateCommon(m *OutboxMail) error {
	var errs []error
	if !validMailKind(m.Kind) {
		errs = append(errs, fmt.Errorf("mail kind %q: lower-case letters, digits and _ . - only", m.Kind))
	}
	if len(m.Ref) > 100 || strings.ContainsFunc(m.Ref, func(r rune) bool { return r <= ' ' || r >= 0x7f }) {
		errs = append(errs, errors.New("mail ref: at most 100 printable ASCII characters without spaces"))
	}
	if m.Lang == "" {
		m.Lang = "nb"
	} else if len(m.Lang) > 10 || mailUnsafe(m.Lang) {
		errs = append(errs, errors.New("mail language: an i18n code such as nb"))
	}
	return errors.Join(errs...)
}

// EnqueueMail puts a mail or a text message in the outbox, due at
// m.NextAttemptAt (now if zero), and returns its ID. Fields other than
// Channel, To, Subject, Body, Attachment, Lang, Kind, Ref and NextAttemptAt are
// ignored. The address or number, the subject, the text and the attachment
// are sealed before they are stored.
func (s *Store) EnqueueMail(ctx context.Context, m OutboxMail) (string, error) {
	var id string
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		id, err = s.EnqueueMailTx(ctx, tx, m)
		return err
	})
	return id, err
}

// EnqueueMailTx is EnqueueMail inside the transaction tx, so that a mail and
// what caused it (an invitation, a password reset) are committed together or
// not at all. Store code calls it from within s.tx:
//
//	err := s.tx(ctx, func(tx *sql.Tx) error {
//		… insert the invitation …
//		_, err := s.EnqueueMailTx(ctx, tx, store.OutboxMail{…})
//		return err
//	})
func (s *Store) EnqueueMailTx(ctx context.Context, tx *sql.Tx, m OutboxMail) (string, error) {
	if err := validateMail(&m); err != nil {
		return "", fmt.Errorf("enqueue mail: %w", err)
	}
	now := utcNow()
	due := m.NextAttemptAt
	if due.IsZero() {
		due = now
	}
	id := NewID()
	sealed, err := s.sealOutbox(id, m)
	if err != nil {
		return "", fmt.Errorf("enqueue mail: %w", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO outbox
		(id, channel, to_addr, subject, body_text, attachment, lang, kind, ref, status, attempts, next_attempt_at, last_error, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', 0, $10, '', $11)`,
		id, m.Channel, sealed.to, sealed.subject, sealed.body, sealed.attachment, m.Lang, m.Kind, m.Ref, outboxTime(due), now)
	if err != nil {
		return "", fmt.Errorf("enqueue mail: %w", err)
	}
	return id, nil
}

// outboxTime is t as both engines keep it: UTC, to the microsecond, without a
// monotonic clock reading (which would end up in SQLite's text form).
func outboxTime(t time.Time) time.Time { return t.UTC().Round(0).Truncate(time.Microsecond) }

const outboxColumns = `id, channel, to_addr, subject, body_text, attachment, lang, kind, ref, status, attempts, next_attempt_at,
	lease_until, last_error, created_at, sent_at, failed_at`

// outboxRow is a row of the outbox as stored: the mail with its sealed
// values, which openOutbox opens.
type outboxRow struct {
	OutboxMail
	sealed sealedOutbox
}

func scanOutboxRow(sc interface{ Scan(...any) error }) (outboxRow, error) {
	var r outboxRow
	m := &r.OutboxMail
	var lease, sent, failed sql.NullTime
	err := sc.Scan(&m.ID, &m.Channel, &r.sealed.to, &r.sealed.subject, &r.sealed.body, &r.sealed.attachment, &m.Lang, &m.Kind,
		&m.Ref, &m.Status, &m.Attempts, &m.NextAttemptAt, &lease, &m.LastError, &m.CreatedAt, &sent, &failed)
	if err != nil {
		return r, err
	}
	m.NextAttemptAt = m.NextAttemptAt.UTC()
	m.CreatedAt = m.CreatedAt.UTC()
	if lease.Valid {
		m.LeaseUntil = lease.Time.UTC()
	}
	if sent.Valid {
		m.SentAt = sent.Time.UTC()
	}
	if failed.Valid {
		m.FailedAt = failed.Time.UTC()
	}
	return r, nil
}

// scanOutboxMail scans a row and opens its sealed values.
func (s *Store) scanOutboxMail(sc interface{ Scan(...any) error }) (OutboxMail, error) {
	r, err := scanOutboxRow(sc)
	if err != nil {
		return r.OutboxMail, err
	}
	err = s.openOutbox(&r)
	return r.OutboxMail, err
}

// ClaimMail claims up to limit mails (e-mail only) that are due at now —
// pending ones whose next attempt has come, and sending ones whose lease
// has run out (their instance died) — marks them sending with a lease until
// now+leaseFor, counts the attempt, and returns them, oldest due first. It
// is ClaimOutbox for ChannelEmail.
//
// A mail is claimed by one caller only, with any number of instances: on
// PostgreSQL the rows are locked with FOR UPDATE SKIP LOCKED, so concurrent
// claimers take different mails without waiting for each other; SQLite has
// one writer, and the claim is a single UPDATE … RETURNING.
//
// leaseFor must cover sending all of them; a mail still held when its lease
// runs out is claimed again by the next claimer.
func (s *Store) ClaimMail(ctx context.Context, now time.Time, limit int, leaseFor time.Duration) ([]OutboxMail, error) {
	return s.ClaimOutbox(ctx, ChannelEmail, now, limit, leaseFor)
}

// ClaimOutbox is ClaimMail for the messages of channel (ChannelEmail or
// ChannelSMS). A claimed message whose sealed values do not open (a key
// missing from the key file, a value changed in the database) cannot be
// sent: it is marked failed at once, with the reason, and not returned.
func (s *Store) ClaimOutbox(ctx context.Context, channel string, now time.Time, limit int, leaseFor time.Duration) ([]OutboxMail, error) {
	if !slices.Contains(OutboxChannels, channel) {
		return nil, fmt.Errorf("claim mail: unknown channel %q", channel)
	}
	if limit <= 0 {
		return nil, nil
	}
	if leaseFor <= 0 {
		return nil, errors.New("claim mail: the lease must be positive")
	}
	if s.keys == nil {
		return nil, fmt.Errorf("claim mail: %w", ErrNoKeys)
	}
	now = outboxTime(now)
	lock := ""
	if s.engine == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	q := `UPDATE outbox SET status = 'sending', attempts = attempts + 1, lease_until = $2
		WHERE id IN (SELECT id FROM outbox
			WHERE channel = $4 AND ((status = 'pending' AND next_attempt_at <= $1) OR (status = 'sending' AND lease_until < $1))
			ORDER BY next_attempt_at, created_at, id LIMIT $3` + lock + `)
		RETURNING ` + outboxColumns
	var claimed []outboxRow
	err := s.tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, q, now, now.Add(leaseFor), limit, channel)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanOutboxRow(rows)
			if err != nil {
				return err
			}
			claimed = append(claimed, r)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("claim mail: %w", err)
	}
	// Opened after the claim is committed, so that one row that does not
	// open cannot stop the outbox: it fails, and the rest go on.
	out := make([]OutboxMail, 0, len(claimed))
	for _, r := range claimed {
		if err := s.openOutbox(&r); err != nil {
			if err := s.MarkFailed(ctx, r.OutboxMail, err.Error(), now); err != nil && !errors.Is(err, ErrClaimLost) {
				return nil, fmt.Errorf("claim mail: %w", err)
			}
			continue
		}
		out = append(out, r.OutboxMail)
	}
	// RETURNING keeps no order.
	slices.SortFunc(out, func(a, b OutboxMail) int {
		if c := a.NextAttemptAt.Compare(b.NextAttemptAt); c != 0 {
			return c
		}
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

// finishMail changes a claimed mail, if the claim m still holds it.
func (s *Store) finishMail(ctx context.Context, what string, m OutboxMail, set string, args ...any) error {
	args = append([]any{m.ID, m.Attempts}, args...)
	res, err := s.db.ExecContext(ctx, `UPDATE outbox SET `+set+`
		WHERE id = $1 AND attempts = $2 AND status = 'sending'`, args...)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	} else if n == 0 {
		return fmt.Errorf("%s %s: %w", what, m.ID, ErrClaimLost)
	}
	return nil
}

// cleanMailError makes a failure reason safe to keep: one line, at most 300
// bytes, no word with an @ in it (a server may quote the address), and no
// word that looks like a telephone number (seven digits or more).
func cleanMailError(reason string) string {
	words := strings.FieldsFunc(reason, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) })
	for i, w := range words {
		switch {
		case strings.Contains(w, "@"):
			words[i] = "[address]"
		case countDigits(w) >= 7:
			words[i] = "[number]"
		}
	}
	s := strings.ToValidUTF8(strings.Join(words, " "), "?")
	if len(s) > 300 {
		cut := 300
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

func countDigits(w string) int {
	n := 0
	for i := 0; i < len(w); i++ {
		if w[i] >= '0' && w[i] <= '9' {
			n++
		}
	}
	return n
}

// MarkSent records that the claimed mail m was sent at now, and clears its
// subject, body and attachment, which are not needed any more. The sealed
// address stays until the row is purged.
func (s *Store) MarkSent(ctx context.Context, m OutboxMail, now time.Time) error {
	return s.finishMail(ctx, "mark mail sent", m,
		`status = 'sent', sent_at = $3, lease_until = NULL, subject = '', body_text = '', attachment = '', last_error = ''`,
		outboxTime(now))
}

// MarkRetry puts the claimed mail m back to pending, due again at next, with
// the reason of the failure (an SMTP code and text; words with an @ are
// blanked out).
func (s *Store) MarkRetry(ctx context.Context, m OutboxMail, reason string, next time.Time) error {
	return s.finishMail(ctx, "mark mail for retry", m,
		`status = 'pending', next_attempt_at = $3, lease_until = NULL, last_error = $4`, outboxTime(next), cleanMailError(reason))
}

// MarkFailed gives up on the claimed mail m at now, with the reason. It stays
// in the list of failed mails (OutboxStatus) until RetryFailed or the purge.
func (s *Store) MarkFailed(ctx context.Context, m OutboxMail, reason string, now time.Time) error {
	return s.finishMail(ctx, "mark mail failed", m,
		`status = 'failed', failed_at = $3, lease_until = NULL, last_error = $4`, outboxTime(now), cleanMailError(reason))
}

// ReleaseMail gives the claimed mail m back without an attempt, for when the
// sender stops before trying it (the program shuts down).
func (s *Store) ReleaseMail(ctx context.Context, m OutboxMail) error {
	return s.finishMail(ctx, "release mail", m,
		`status = 'pending', attempts = attempts - 1, lease_until = NULL`)
}

// RetryFailed puts the failed mail id back to pending, due now, with a fresh
// count of attempts. It returns ErrNotFound if there is no failed mail id.
func (s *Store) RetryFailed(ctx context.Context, id string) error {
	res, err := s.db.ExecContext(ctx, `UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = $2,
		failed_at = NULL, lease_until = NULL WHERE id = $1 AND status = 'failed'`, id, utcNow())
	if err != nil {
		return fmt.Errorf("retry mail: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return ErrNotFound
	}
	return nil
}

// OutboxMailByID returns a mail of the outbox, opened, for tests and the
// back office.
func (s *Store) OutboxMailByID(ctx context.Context, id string) (OutboxMail, error) {
	m, err := s.scanOutboxMail(s.db.QueryRowContext(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return m, ErrNotFound
	}
	return m, err
}

// OutboxSummary is the state of the outbox for the back office.
type OutboxSummary struct {
	Counts map[string]int // by status, both channels; every status is present
	// ByChannel counts by channel, then by status; every channel of
	// OutboxChannels and every status is present.
	ByChannel     map[string]map[string]int
	Retrying      int       // pending mails that failed at least once
	OldestPending time.Time // when the oldest pending mail was enqueued; zero if none
	// Failed are the failed mails, newest first (at most FailedListLimit),
	// with their channel and recipient, without their subject, body and
	// attachment. To is personal data: a page that shows it writes an audit
	// row.
	Failed []OutboxMail
}

// FailedListLimit is the most failed mails OutboxStatus lists.
const FailedListLimit = 500

// OutboxStatus counts the mails by status and lists the failed ones.
func (s *Store) OutboxStatus(ctx context.Context) (OutboxSummary, error) {
	sum := OutboxSummary{Counts: map[string]int{}, ByChannel: map[string]map[string]int{}}
	for _, ch := range OutboxChannels {
		sum.ByChannel[ch] = map[string]int{}
	}
	for _, st := range MailStatuses {
		sum.Counts[st] = 0
		for _, ch := range OutboxChannels {
			sum.ByChannel[ch][st] = 0
		}
	}
	rows, err := s.read.QueryContext(ctx, `SELECT channel, status, count(*) FROM outbox GROUP BY channel, status`)
	if err != nil {
		return sum, fmt.Errorf("outbox status: %w", err)
	}
	for rows.Next() {
		var ch, st string
		var n int
		if err := rows.Scan(&ch, &st, &n); err != nil {
			rows.Close()
			return sum, err
		}
		sum.Counts[st] += n
		if sum.ByChannel[ch] != nil {
			sum.ByChannel[ch][st] = n
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return sum, err
	}
	if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE status = 'pending' AND attempts > 0`).
		Scan(&sum.Retrying); err != nil {
		return sum, fmt.Errorf("outbox status: %w", err)
	}
	var oldest sql.NullTime
	// min() of a TIMESTAMP column comes back as text on SQLite; ORDER BY … LIMIT 1 keeps the type.
	err = s.read.QueryRowContext(ctx, `SELECT created_at FROM outbox WHERE status = 'pending'
		ORDER BY created_at LIMIT 1`).Scan(&oldest)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return sum, fmt.Errorf("outbox status: %w", err)
	}
	if oldest.Valid {
		sum.OldestPending = oldest.Time.UTC()
	}
	cols := strings.NewReplacer("subject", "''", "body_text", "''", "attachment", "''").Replace(outboxColumns)
	rows, err = s.read.QueryContext(ctx, `SELECT `+cols+`
		FROM outbox WHERE status = 'failed' ORDER BY failed_at DESC, id LIMIT $1`, FailedListLimit)
	if err != nil {
		return sum, fmt.Errorf("outbox status: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanOutboxRow(rows)
		if err != nil {
			return sum, fmt.Errorf("outbox status: %w", err)
		}
		if err := s.openOutbox(&r); err != nil {
			// A mail that failed because its address does not open
			// (ClaimOutbox) is listed without it; LastError says why.
			r.To = ""
		}
		sum.Failed = append(sum.Failed, r.OutboxMail)
	}
	return sum, rows.Err()
}

// PurgeOutbox deletes the mails sent more than SentMailRetention before now
// and those failed more than FailedMailRetention before now, and returns how
// many it deleted. Pending and sending mails are never deleted.
func (s *Store) PurgeOutbox(ctx context.Context, now time.Time) (int64, error) {
	now = outboxTime(now)
	res, err := s.db.ExecContext(ctx, `DELETE FROM outbox
		WHERE (status = 'sent' AND sent_at < $1) OR (status = 'failed' AND failed_at < $2)`,
		now.Add(-SentMailRetention), now.Add(-FailedMailRetention))
	if err != nil {
		return 0, fmt.Errorf("purge outbox: %w", err)
	}
	return res.RowsAffected()
}
