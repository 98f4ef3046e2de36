package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/fellesrom/fellesrom/internal/seal"
	"github.com/fellesrom/fellesrom/internal/sms"
)

// The outbox's personal data is sealed: the recipient (an address or a
// number), the subject, the text and the attachment. Reseal finds them here.
func init() {
	sealedColumns = append(sealedColumns,
		sealedColumn{"outbox", "id", "to_addr"},
		sealedColumn{"outbox", "id", "subject"},
		sealedColumn{"outbox", "id", "body_text"},
		sealedColumn{"outbox", "id", "attachment"},
	)
}

// sealedOutbox are the sealed columns of an outbox row, as stored.
type sealedOutbox struct{ to, subject, body, attachment string }

// storedAttachment is an attachment as it is sealed: JSON, with the data in
// base64.
type storedAttachment struct {
	Name        string `json:"name"`
	ContentType string `json:"type"`
	Data        []byte `json:"data"`
}

// sealOutbox seals the personal values of m, a row with the ID id.
func (s *Store) sealOutbox(id string, m OutboxMail) (sealedOutbox, error) {
	var out sealedOutbox
	att := ""
	if m.Attachment != nil {
		b, err := json.Marshal(storedAttachment{m.Attachment.Name, m.Attachment.ContentType, m.Attachment.Data})
		if err != nil {
			return out, err
		}
		att = string(b)
	}
	var err error
	for _, c := range []struct {
		column, plain string
		dst           *string
	}{{"to_addr", m.To, &out.to}, {"subject", m.Subject, &out.subject}, {"body_text", m.Body, &out.body},
		{"attachment", att, &out.attachment}} {
		if *c.dst, err = s.seal("outbox", c.column, id, c.plain); err != nil {
			return out, err
		}
	}
	return out, nil
}

// openError is a sealed value of the outbox that does not open. Its message
// names the column and the cause, not the row's ID or any value.
type openError struct {
	column string
	err    error
}

func (e *openError) Error() string {
	cause := e.err
	for _, known := range []error{seal.ErrUnknownKey, seal.ErrCorrupt, seal.ErrNotSealed, ErrNoKeys} {
		if errors.Is(e.err, known) {
			cause = known
			break
		}
	}
	return "cannot open the sealed " + e.column + ": " + cause.Error()
}

func (e *openError) Unwrap() error { return e.err }

// openOutbox opens the sealed values of r into r.OutboxMail.
func (s *Store) openOutbox(r *outboxRow) error {
	m := &r.OutboxMail
	var att string
	for _, c := range []struct {
		column, sealed string
		dst            *string
	}{{"to_addr", r.sealed.to, &m.To}, {"subject", r.sealed.subject, &m.Subject}, {"body_text", r.sealed.body, &m.Body},
		{"attachment", r.sealed.attachment, &att}} {
		plain, err := s.open("outbox", c.column, m.ID, c.sealed)
		if err != nil {
			return &openError{c.column, err}
		}
		*c.dst = plain
	}
	m.Attachment = nil
	if att != "" {
		var a storedAttachment
		if err := json.Unmarshal([]byte(att), &a); err != nil {
			return &openError{"attachment", err}
		}
		m.Attachment = &Attachment{Name: a.Name, ContentType: a.ContentType, Data: a.Data}
	}
	return nil
}

// validateAttachment checks the attachment of a mail.
func validateAttachment(a *Attachment) error {
	var errs []error
	if a.Name == "" || len(a.Name) > 100 || !utf8.ValidString(a.Name) ||
		strings.ContainsFunc(a.Name, func(r rune) bool { return unicode.IsControl(r) || r == '/' || r == '\\' || r == '"' }) {
		errs = append(errs, errors.New("an attachment needs a file name of at most 100 bytes, without a path, quote or line break"))
	}
	if mt, _, err := mime.ParseMediaType(a.ContentType); err != nil || !strings.Contains(mt, "/") ||
		strings.HasPrefix(mt, "multipart/") || strings.HasPrefix(mt, "message/") {
		errs = append(errs, errors.New("an attachment needs a media type such as text/calendar"))
	}
	if len(a.Data) == 0 || len(a.Data) > MaxAttachmentSize {
		errs = append(errs, fmt.Errorf("an attachment holds 1 to %d bytes", MaxAttachmentSize))
	}
	return errors.Join(errs...)
}

// validateSMS checks a text message: a number in E.164 form, a text, no
// subject and no attachment.
func validateSMS(m *OutboxMail) error {
	var errs []error
	if !sms.ValidNumber(m.To) {
		// The number itself is personal data: never in an error message.
		errs = append(errs, errors.New("a text message needs a number in E.164 form (+4791234567)"))
	}
	if m.Subject != "" {
		errs = append(errs, errors.New("a text message has no subject"))
	}
	if m.Attachment != nil {
		errs = append(errs, errors.New("a text message has no attachment"))
	}
	if err := sms.CheckText(m.Body); err != nil {
		errs = append(errs, err)
	}
	errs = append(errs, validateCommon(m))
	return errors.Join(errs...)
}
