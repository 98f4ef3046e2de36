package mail

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"mime"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Attachment is a file sent with a mail, such as an iCalendar invitation.
type Attachment struct {
	// Name is the file name the receiver sees ("invitasjon.ics"): no path,
	// no line break, at most MaxAttachmentName bytes.
	Name string
	// ContentType is the media type with any parameters ("text/calendar;
	// method=REQUEST"). A text/calendar attachment is always sent as
	// "text/calendar; charset=utf-8; method=…" (REQUEST unless the type
	// names another method), with a name that ends in .ics.
	ContentType string
	Data        []byte // at most MaxAttachmentSize bytes
}

// Limits of an attachment.
const (
	MaxAttachmentSize = 512 << 10
	MaxAttachmentName = 100
)

// part is an attachment checked and ready to write: its Content-Type and
// Content-Disposition header values.
type part struct {
	contentType, disposition string
	data                     []byte
}

// checkAttachment checks a and makes its headers.
func checkAttachment(a *Attachment) (part, error) {
	var p part
	name := a.Name
	if name == "" || len(name) > MaxAttachmentName || !utf8.ValidString(name) ||
		strings.ContainsFunc(name, func(r rune) bool { return unicode.IsControl(r) || r == '/' || r == '\\' || r == '"' }) {
		return p, errors.New("the attachment's name is empty, too long, or holds a line break, a quote or a path")
	}
	if len(a.Data) == 0 || len(a.Data) > MaxAttachmentSize {
		return p, errors.New("the attachment is empty or larger than 512 KiB")
	}
	mt, params, err := mime.ParseMediaType(a.ContentType)
	if err != nil || !strings.Contains(mt, "/") || strings.HasPrefix(mt, "multipart/") || strings.HasPrefix(mt, "message/") {
		return p, errors.New("the attachment's content type is not a media type of one part")
	}
	if mt == "text/calendar" {
		method := strings.ToUpper(params["method"])
		if method == "" {
			method = "REQUEST"
		}
		if strings.ContainsFunc(method, func(r rune) bool { return !(r >= 'A' && r <= 'Z' || r == '-') }) {
			return p, errors.New("the calendar method is not a word such as REQUEST")
		}
		if !utf8.Valid(a.Data) {
			return p, errors.New("the calendar is not UTF-8 text")
		}
		p.contentType = "text/calendar; charset=utf-8; method=" + method
		if !strings.HasSuffix(strings.ToLower(name), ".ics") {
			name += ".ics"
		}
	} else {
		p.contentType = mime.FormatMediaType(mt, params)
		if p.contentType == "" {
			return p, errors.New("the attachment's content type has parameters that cannot be written")
		}
	}
	p.disposition = mime.FormatMediaType("attachment", map[string]string{"filename": name})
	if p.disposition == "" {
		return p, errors.New("the attachment's name cannot be written in a header")
	}
	p.data = a.Data
	return p, nil
}

// foldParams writes the header "name: value"; a line longer than 78
// characters is folded with each parameter of the value ("; x=y") on a line
// of its own.
func foldParams(name, value string) string {
	if len(name)+2+len(value) <= 78 {
		return name + ": " + value + "\r\n"
	}
	return name + ": " + strings.ReplaceAll(value, "; ", ";\r\n ") + "\r\n"
}

// newBoundary returns a random multipart boundary, which no quoted-printable
// or base64 text can hold by chance.
func newBoundary() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return "=_fellesrom_" + hex.EncodeToString(b[:])
}

// writeBase64 writes data in base64, in lines of 76 characters.
func writeBase64(b *bytes.Buffer, data []byte) {
	enc := base64.StdEncoding.EncodeToString(data)
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	if enc != "" {
		b.WriteString(enc + "\r\n")
	}
}
