package mail_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	netmail "net/mail"
	"net/textproto"
	"strings"
	"testing"

	"github.com/fellesrom/fellesrom/internal/mail"
	"github.com/fellesrom/fellesrom/internal/mail/mailtest"
)

// invitation is an iCalendar invitation as the group flow sends it: CRLF
// line ends, non-ASCII text, and a line longer than 78 characters.
const invitation = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//fellesrom//NONSGML v1//NB\r\nMETHOD:REQUEST\r\n" +
	"BEGIN:VEVENT\r\nUID:0b6f1c2e@fellesrom.example\r\nDTSTAMP:20260301T120000Z\r\nDTSTART:20260312T170000Z\r\n" +
	"DTEND:20260312T183000Z\r\nSUMMARY:Oppstartsmøte – Sorg og savn (Selvhjelpshuset i Tromsø), rom «Nordlys»\r\n" +
	"ORGANIZER:mailto:ikke-svar@fellesrom.example\r\nATTENDEE;RSVP=TRUE:mailto:ola.nordmann@example.no\r\n" +
	"END:VEVENT\r\nEND:VCALENDAR\r\n"

// mimePart is one part of a received multipart message, decoded.
type mimePart struct {
	header textproto.MIMEHeader
	data   []byte
}

// parts reads a received multipart/mixed message: it checks the lines
// (CRLF, 7-bit, at most 78 characters), the top headers, and decodes each
// part by its transfer encoding.
func parts(t *testing.T, data []byte) (*netmail.Message, []mimePart) {
	t.Helper()
	for i, line := range bytes.Split(data, []byte("\r\n")) {
		if bytes.ContainsAny(line, "\r\n") || len(line) > 78 {
			t.Errorf("line %d: bare CR or LF, or %d bytes long: %q", i+1, len(line), line)
		}
		if bytes.ContainsFunc(line, func(r rune) bool { return r >= 0x80 }) {
			t.Fatalf("line %d is not 7-bit: %q", i+1, line)
		}
	}
	msg, err := netmail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/mixed" || params["boundary"] == "" {
		t.Fatalf("Content-Type %q: %v", msg.Header.Get("Content-Type"), err)
	}
	if msg.Header.Get("Mime-Version") != "1.0" || msg.Header.Get("Content-Transfer-Encoding") != "" {
		t.Errorf("top headers %v", msg.Header)
	}
	var out []mimePart
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextRawPart() // no decoding by the reader: the test does it
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		var r io.Reader = p
		switch cte := p.Header.Get("Content-Transfer-Encoding"); cte {
		case "quoted-printable":
			r = quotedprintable.NewReader(p)
		case "base64":
			r = base64.NewDecoder(base64.StdEncoding, p)
		default:
			t.Fatalf("part %d: Content-Transfer-Encoding %q", len(out), cte)
		}
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, mimePart{header: p.Header, data: b})
	}
	return msg, out
}

// A mail with an iCalendar invitation arrives as multipart/mixed: the
// text, then the calendar as text/calendar; method=REQUEST with a .ics
// name, byte for byte.
func TestSendCalendarInvitation(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{Username: user, Password: pass})
	m := testMessage
	m.Attachment = &mail.Attachment{Name: "invitasjon", ContentType: "text/calendar; method=REQUEST", Data: []byte(invitation)}
	if err := sender(t, config(srv, mail.TLSStartTLS)).Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	got := srv.Received()
	if len(got) != 1 {
		t.Fatalf("%d mails arrived", len(got))
	}
	msg, ps := parts(t, got[0].Data)
	if s := decodeHeader(t, msg, "Subject"); s != m.Subject {
		t.Errorf("subject %q", s)
	}
	if len(ps) != 2 {
		t.Fatalf("%d parts, want 2", len(ps))
	}
	text, cal := ps[0], ps[1]
	if ct := text.header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
		t.Errorf("text part: Content-Type %q", ct)
	}
	if want := strings.ReplaceAll(m.Body, "\n", "\r\n"); string(text.data) != want {
		t.Errorf("text part:\n%q\nwant\n%q", text.data, want)
	}
	if ct := cal.header.Get("Content-Type"); ct != "text/calendar; charset=utf-8; method=REQUEST" {
		t.Errorf("calendar part: Content-Type %q", ct)
	}
	disp, params, err := mime.ParseMediaType(cal.header.Get("Content-Disposition"))
	if err != nil || disp != "attachment" || params["filename"] != "invitasjon.ics" {
		t.Errorf("calendar part: Content-Disposition %v %v %v", disp, params, err)
	}
	if string(cal.data) != invitation {
		t.Errorf("calendar:\n%q\nwant\n%q", cal.data, invitation)
	}
}

// Another kind of file, with a name that is not ASCII, keeps its type and
// its name.
func TestSendOtherAttachment(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{Username: user, Password: pass})
	m := testMessage
	data := bytes.Repeat([]byte{0, 1, 2, 0xff, '\r', '\n'}, 100)
	m.Attachment = &mail.Attachment{Name: "møteplan for våren 2026.pdf", ContentType: "application/pdf", Data: data}
	if err := sender(t, config(srv, mail.TLSStartTLS)).Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	_, ps := parts(t, srv.Received()[0].Data)
	if len(ps) != 2 {
		t.Fatalf("%d parts", len(ps))
	}
	a := ps[1]
	_, params, err := mime.ParseMediaType(a.header.Get("Content-Disposition"))
	if err != nil || params["filename"] != "møteplan for våren 2026.pdf" {
		t.Errorf("name %v %v", params, err)
	}
	if ct := a.header.Get("Content-Type"); ct != "application/pdf" || !bytes.Equal(a.data, data) {
		t.Errorf("attachment %q, %d bytes", ct, len(a.data))
	}
}

// An attachment that cannot be sent as it is fails for good before the
// server is asked, and the error shows neither the name nor the data.
func TestBadAttachments(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{Username: user, Password: pass})
	s := sender(t, config(srv, mail.TLSStartTLS))
	for name, a := range map[string]mail.Attachment{
		"no name":            {ContentType: "text/calendar", Data: []byte(invitation)},
		"name with CRLF":     {Name: "a\r\nBcc: eve@example.no", ContentType: "text/calendar", Data: []byte(invitation)},
		"name with a path":   {Name: "../../etc/passwd", ContentType: "text/plain", Data: []byte("x")},
		"name with a quote":  {Name: `a".ics`, ContentType: "text/calendar", Data: []byte(invitation)},
		"no type":            {Name: "a.ics", Data: []byte(invitation)},
		"type with CRLF":     {Name: "a.ics", ContentType: "text/calendar\r\nBcc: eve@example.no", Data: []byte(invitation)},
		"multipart":          {Name: "a.eml", ContentType: "multipart/mixed; boundary=x", Data: []byte("x")},
		"no data":            {Name: "a.ics", ContentType: "text/calendar"},
		"too big":            {Name: "a.bin", ContentType: "application/octet-stream", Data: make([]byte, mail.MaxAttachmentSize+1)},
		"calendar not UTF-8": {Name: "a.ics", ContentType: "text/calendar", Data: []byte("BEGIN:VCALENDAR\xff")},
		"odd method":         {Name: "a.ics", ContentType: "text/calendar; method=\"REQUEST; x\"", Data: []byte(invitation)},
	} {
		m := testMessage
		m.Attachment = &a
		e := smtpErr(t, s.Send(context.Background(), m))
		if !e.Permanent || e.Stage != "message" || strings.Contains(e.Error(), "passwd") {
			t.Errorf("%s: %+v", name, e)
		}
	}
	if n := len(srv.Received()); n != 0 {
		t.Errorf("%d mails arrived", n)
	}
	// The same mail with a good attachment goes (and the server has had a
	// connection before it stops: mailtest's Close waits for Serve).
	m := testMessage
	m.Attachment = &mail.Attachment{Name: "a.ics", ContentType: "text/calendar", Data: []byte(invitation)}
	if err := s.Send(context.Background(), m); err != nil || len(srv.Received()) != 1 {
		t.Errorf("a good attachment: %v", err)
	}
}
