package mail

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Message is one mail to send: plain text to one address, with at most one
// attachment.
type Message struct {
	// ID is the outbox ID. The Message-ID is made from it, so that a mail
	// sent again after a lost answer has the same Message-ID, and a receiver
	// can tell it is the same mail. Empty: a random one.
	ID      string
	To      string // one plain address, "ola@example.no"
	Subject string // one line
	Body    string // plain text; line ends \n or \r\n
	Lang    string // language of the text, for Content-Language; may be empty
	// Attachment, if set, is sent after the text: the mail is then
	// multipart/mixed, the text its first part.
	Attachment *Attachment
}

func hasControl(s string) bool { return strings.ContainsFunc(s, unicode.IsControl) }

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// errBadMessage is the cause of an Error at the stage "message". The
// message of these errors never holds the address or the text.
var errBadMessage = errors.New("the mail cannot be sent as it is")

// recipient checks the address of m and returns it. Only a plain
// addr-spec is accepted: no name, no second address, no line break that
// could add a header.
func recipient(to string) (string, error) {
	if to == "" || hasControl(to) || len(to) > 320 {
		return "", errors.New("the address is empty, too long or holds a line break")
	}
	a, err := mail.ParseAddress(to)
	if err != nil || a.Name != "" || a.Address != to {
		return "", errors.New("the address is not one plain address")
	}
	return a.Address, nil
}

// messageID returns a Message-ID for m from the domain of the sender.
func messageID(id string, from *mail.Address) string {
	local := id
	if local == "" || strings.ContainsFunc(local, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.')
	}) {
		var b [16]byte
		_, _ = rand.Read(b[:])
		local = hex.EncodeToString(b[:])
	}
	domain := "fellesrom.invalid"
	if at := strings.LastIndexByte(from.Address, '@'); at >= 0 && isASCII(from.Address[at+1:]) && from.Address[at+1:] != "" {
		domain = from.Address[at+1:]
	}
	return "<" + local + "@" + domain + ">"
}

// encodeHeader returns the header line "name: value", folded. A value of
// printable ASCII is folded at spaces; any other is written as RFC 2047
// encoded-words (Q encoding, UTF-8), split between characters so that no
// line is longer than 76 characters.
func encodeHeader(name, value string) string {
	var b strings.Builder
	b.WriteString(name)
	b.WriteString(":")
	line := len(name) + 1
	if !strings.ContainsFunc(value, func(r rune) bool { return r < ' ' || r > '~' }) {
		for i, w := range strings.Split(value, " ") {
			if i > 0 && line+1+len(w) > 78 {
				b.WriteString("\r\n")
				line = 0
			}
			b.WriteString(" " + w)
			line += 1 + len(w)
		}
		b.WriteString("\r\n")
		return b.String()
	}
	const prefix, suffix = "=?utf-8?q?", "?="
	var word strings.Builder
	emit := func() {
		b.WriteString(" " + prefix + word.String() + suffix)
		line += 1 + len(prefix) + word.Len() + len(suffix)
		word.Reset()
	}
	for _, r := range value {
		enc := qEncode(r)
		if word.Len() > 0 && line+1+len(prefix)+word.Len()+len(enc)+len(suffix) > 76 {
			emit()
			b.WriteString("\r\n")
			line = 0
		}
		word.WriteString(enc)
	}
	emit()
	b.WriteString("\r\n")
	return b.String()
}

// qEncode is one character in the Q encoding of RFC 2047.
func qEncode(r rune) string {
	switch {
	case r == ' ':
		return "_"
	case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("!*+-/", r):
		return string(r)
	}
	var buf [utf8.UTFMax]byte
	n := utf8.EncodeRune(buf[:], r)
	var out strings.Builder
	for _, c := range buf[:n] {
		fmt.Fprintf(&out, "=%02X", c)
	}
	return out.String()
}

// build makes the whole message, headers and body, with CRLF line ends.
// Values that could break a header (CR, LF, other control characters) are
// refused, never cleaned up.
func build(from *mail.Address, m Message, date time.Time) ([]byte, error) {
	to, err := recipient(m.To)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(m.Subject) == "" || hasControl(m.Subject) || !utf8.ValidString(m.Subject) {
		return nil, errors.New("the subject is empty, not UTF-8, or holds a line break")
	}
	if !utf8.ValidString(m.Body) || strings.ContainsRune(m.Body, 0) {
		return nil, errors.New("the body is not UTF-8 text")
	}
	if m.Lang != "" && (len(m.Lang) > 20 || strings.ContainsFunc(m.Lang, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-')
	})) {
		return nil, errors.New("the language is not a language tag")
	}

	var att part
	if m.Attachment != nil {
		if att, err = checkAttachment(m.Attachment); err != nil {
			return nil, err
		}
	}

	var b bytes.Buffer
	b.WriteString(encodeHeader("From", from.String()))
	// A non-ASCII address stays as it is (RFC 6532); the sender only sends
	// it to a server that offers SMTPUTF8.
	b.WriteString("To: " + to + "\r\n")
	b.WriteString(encodeHeader("Subject", m.Subject))
	b.WriteString("Date: " + date.Format(time.RFC1123Z) + "\r\n")
	b.WriteString("Message-ID: " + messageID(m.ID, from) + "\r\n")
	b.WriteString("MIME-Version: 1.0\r\n")
	if m.Lang != "" {
		b.WriteString("Content-Language: " + m.Lang + "\r\n")
	}
	b.WriteString("Auto-Submitted: auto-generated\r\n")
	if m.Attachment == nil {
		writeText(&b, m.Body)
		return b.Bytes(), nil
	}
	boundary := newBoundary()
	b.WriteString(foldParams("Content-Type", mime.FormatMediaType("multipart/mixed", map[string]string{"boundary": boundary})))
	b.WriteString("\r\n--" + boundary + "\r\n")
	writeText(&b, m.Body)
	b.WriteString("\r\n--" + boundary + "\r\n")
	b.WriteString(foldParams("Content-Type", att.contentType))
	b.WriteString("Content-Transfer-Encoding: base64\r\n")
	b.WriteString(foldParams("Content-Disposition", att.disposition))
	b.WriteString("\r\n")
	writeBase64(&b, att.data)
	b.WriteString("\r\n--" + boundary + "--\r\n")
	return b.Bytes(), nil
}

// writeText writes the headers of a plain text in UTF-8, quoted-printable,
// the blank line and the text, which ends with a line break.
func writeText(b *bytes.Buffer, text string) {
	b.WriteString("Content-Type: text/plain; charset=utf-8\r\n")
	b.WriteString("Content-Transfer-Encoding: quoted-printable\r\n")
	b.WriteString("\r\n")
	body := strings.ReplaceAll(text, "\r\n", "\n")
	body = strings.ReplaceAll(body, "\r", "\n")
	if !strings.HasSuffix(body, "\n") {
		body += "\n"
	}
	qp := quotedprintable.NewWriter(b) // writes \n as CRLF
	// Writing to a bytes.Buffer does not fail.
	_, _ = qp.Write([]byte(body))
	_ = qp.Close()
}
