package mail_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	netmail "net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/fellesrom/fellesrom/internal/i18n"
	"github.com/fellesrom/fellesrom/internal/mail"
	"github.com/fellesrom/fellesrom/internal/mail/mailtest"
)

const (
	user = "fellesrom-sender"
	pass = "hemmelig passord æøå"
	from = "fellesrom <ikke-svar@fellesrom.example>"
)

// config is a sender configuration for srv.
func config(srv *mailtest.Server, mode mail.TLSMode) mail.Config {
	return mail.Config{Host: srv.Host, Port: srv.Port, Username: user, Password: pass, From: from, TLS: mode,
		Timeout: 5 * time.Second, HeloName: "test.fellesrom.example", TLSConfig: srv.ClientTLS()}
}

func sender(t *testing.T, c mail.Config) *mail.Sender {
	t.Helper()
	s, err := mail.NewSender(c)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// smtpErr returns err as a *mail.Error, or fails.
func smtpErr(t *testing.T, err error) *mail.Error {
	t.Helper()
	var e *mail.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T), want a *mail.Error", err, err)
	}
	if strings.Contains(e.Error(), "@") {
		t.Errorf("the error shows an address: %v", e)
	}
	return e
}

var testMessage = mail.Message{
	ID:      "0b6f1c2e-5d4a-4e8b-9f00-1234567890ab",
	To:      "ola.nordmann@example.no",
	Subject: "Invitasjon til selvhjelpsgruppa i Tromsø – ÆØÅ æøå, og en emnelinje som er så lang at den må brettes over flere linjer",
	Body: "Hei Ola!\n\nVelkommen til gruppa «Sorg og savn» på Selvhjelpshuset i Tromsø.\n" +
		".Denne linja begynner med et punktum.\n" +
		"En lang linje: " + strings.Repeat("blåbærsyltetøy ", 10) + "\n" +
		"Mellomrom på slutten   \n" +
		"Subject: dette er ikke en header\n",
	Lang: "nb",
}

// parse reads a received message and checks what every mail must have.
func parse(t *testing.T, data []byte) (*netmail.Message, string) {
	t.Helper()
	for i, line := range bytes.Split(data, []byte("\r\n")) {
		if bytes.ContainsAny(line, "\r\n") {
			t.Errorf("line %d has a bare CR or LF", i+1)
		}
		if len(line) > 78 {
			t.Errorf("line %d is %d bytes long: %q", i+1, len(line), line)
		}
		for _, c := range line {
			if c >= 0x80 {
				t.Fatalf("line %d is not 7-bit: %q", i+1, line)
			}
		}
	}
	msg, err := netmail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		t.Fatal(err)
	}
	for h, want := range map[string]string{
		"Mime-Version":              "1.0",
		"Content-Type":              "text/plain; charset=utf-8",
		"Content-Transfer-Encoding": "quoted-printable",
		"Auto-Submitted":            "auto-generated",
	} {
		if got := msg.Header.Get(h); got != want {
			t.Errorf("%s: %q, want %q", h, got, want)
		}
	}
	if d, err := msg.Header.Date(); err != nil || time.Since(d).Abs() > time.Minute {
		t.Errorf("Date: %v %v", d, err)
	}
	return msg, string(body)
}

func decodeHeader(t *testing.T, msg *netmail.Message, name string) string {
	t.Helper()
	s, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get(name))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return s
}

func TestSendSTARTTLSWithAuthPlain(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{Username: user, Password: pass})
	if err := sender(t, config(srv, mail.TLSStartTLS)).Send(context.Background(), testMessage); err != nil {
		t.Fatal(err)
	}
	got := srv.Received()
	if len(got) != 1 {
		t.Fatalf("%d mails arrived", len(got))
	}
	r := got[0]
	if !r.TLS || r.AuthAs != user || r.From != "ikke-svar@fellesrom.example" || len(r.To) != 1 || r.To[0] != testMessage.To {
		t.Errorf("envelope: TLS %v, auth %q, from %q, to %v", r.TLS, r.AuthAs, r.From, r.To)
	}
	msg, body := parse(t, r.Data)
	if s := decodeHeader(t, msg, "Subject"); s != testMessage.Subject {
		t.Errorf("subject %q, want %q", s, testMessage.Subject)
	}
	if !strings.Contains(msg.Header.Get("Subject"), "=?utf-8?q?") {
		t.Errorf("subject not encoded: %q", msg.Header.Get("Subject"))
	}
	if f, err := msg.Header.AddressList("From"); err != nil || len(f) != 1 || f[0].Address != "ikke-svar@fellesrom.example" || f[0].Name != "fellesrom" {
		t.Errorf("From: %v %v", f, err)
	}
	if to, err := msg.Header.AddressList("To"); err != nil || len(to) != 1 || to[0].Address != testMessage.To {
		t.Errorf("To: %v %v", to, err)
	}
	if id := msg.Header.Get("Message-Id"); id != "<"+testMessage.ID+"@fellesrom.example>" {
		t.Errorf("Message-ID %q", id)
	}
	if l := msg.Header.Get("Content-Language"); l != "nb" {
		t.Errorf("Content-Language %q", l)
	}
	want := strings.ReplaceAll(testMessage.Body, "\n", "\r\n")
	if body != want {
		t.Errorf("body:\n%q\nwant\n%q", body, want)
	}
	// The body's "Subject:" line stayed in the body.
	if len(msg.Header["Subject"]) != 1 {
		t.Errorf("Subject headers: %v", msg.Header["Subject"])
	}
}

func TestSendAuthLogin(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{Username: user, Password: pass, Mechanisms: []string{sasl.Login}})
	if err := sender(t, config(srv, mail.TLSStartTLS)).Send(context.Background(), testMessage); err != nil {
		t.Fatal(err)
	}
	if got := srv.Received(); len(got) != 1 || got[0].AuthAs != user || !got[0].TLS {
		t.Fatalf("received %+v", got)
	}
}

func TestSendImplicitTLS(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{TLS: mailtest.Implicit, Username: user, Password: pass})
	if err := sender(t, config(srv, mail.TLSImplicit)).Send(context.Background(), testMessage); err != nil {
		t.Fatal(err)
	}
	if got := srv.Received(); len(got) != 1 || !got[0].TLS || got[0].AuthAs != user {
		t.Fatalf("received %+v", got)
	}
}

// TLS "none" is for a mail catcher on this machine.
func TestSendPlainTextToLoopback(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{TLS: mailtest.NoTLS, Username: user, Password: pass})
	if err := sender(t, config(srv, mail.TLSNone)).Send(context.Background(), testMessage); err != nil {
		t.Fatal(err)
	}
	if got := srv.Received(); len(got) != 1 || got[0].TLS || got[0].AuthAs != user {
		t.Fatalf("received %+v", got)
	}
}

func TestRefusesWithoutSTARTTLS(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{TLS: mailtest.NoTLS, Username: user, Password: pass})
	err := sender(t, config(srv, mail.TLSStartTLS)).Send(context.Background(), testMessage)
	e := smtpErr(t, err)
	if e.Stage != "starttls" || e.Permanent {
		t.Errorf("error %+v: want a starttls error that is not permanent (the mail may go later)", e)
	}
	if srv.AuthTries() != 0 || len(srv.Received()) != 0 {
		t.Errorf("the password or the mail went over plain text: %d auth tries, %d mails", srv.AuthTries(), len(srv.Received()))
	}
}

func TestRefusesAnUntrustedCertificate(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{Username: user, Password: pass})
	c := config(srv, mail.TLSStartTLS)
	c.TLSConfig = nil // the system's roots, which do not know the test's certificate
	e := smtpErr(t, sender(t, c).Send(context.Background(), testMessage))
	if e.Stage != "starttls" || e.Permanent || srv.AuthTries() != 0 {
		t.Errorf("error %+v, %d auth tries", e, srv.AuthTries())
	}
}

func TestWrongPassword(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{Username: user, Password: pass})
	c := config(srv, mail.TLSStartTLS)
	c.Password = "feil"
	e := smtpErr(t, sender(t, c).Send(context.Background(), testMessage))
	if e.Stage != "auth" || e.Code != 535 || e.Permanent {
		t.Errorf("error %+v: want 535 at auth, not permanent (the configuration is wrong, not the mail)", e)
	}
}

func TestPermanentRejection(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{Username: user, Password: pass, RejectRcpt: &smtp.SMTPError{
		Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "<ola.nordmann@example.no>: Recipient address rejected: User unknown"}})
	e := smtpErr(t, sender(t, config(srv, mail.TLSStartTLS)).Send(context.Background(), testMessage))
	if e.Stage != "rcpt" || e.Code != 550 || !e.Permanent {
		t.Errorf("error %+v: want a permanent 550 at rcpt", e)
	}
	if want := "smtp rcpt: 550 5.1.1 [address] Recipient address rejected: User unknown"; e.Error() != want {
		t.Errorf("error text %q, want %q", e.Error(), want)
	}
}

func TestTemporaryRejection(t *testing.T) {
	for _, o := range []mailtest.Options{
		{RejectRcpt: &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Try again later"}},
		{RejectData: &smtp.SMTPError{Code: 452, EnhancedCode: smtp.EnhancedCode{4, 3, 1}, Message: "Insufficient system storage"}},
	} {
		srv := mailtest.Start(t, o)
		c := config(srv, mail.TLSStartTLS)
		c.Username, c.Password = "", ""
		e := smtpErr(t, sender(t, c).Send(context.Background(), testMessage))
		if e.Permanent || e.Code/100 != 4 {
			t.Errorf("error %+v: want a temporary 4xx", e)
		}
	}
	srv := mailtest.Start(t, mailtest.Options{RejectData: &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "Message refused"}})
	c := config(srv, mail.TLSStartTLS)
	c.Username, c.Password = "", ""
	if e := smtpErr(t, sender(t, c).Send(context.Background(), testMessage)); !e.Permanent || e.Stage != "data" || e.Code != 554 {
		t.Errorf("554 after DATA: %+v", e)
	}
}

func TestHangingServer(t *testing.T) {
	silent := mailtest.Silent(t)
	c := mail.Config{Host: "127.0.0.1", Port: silent, From: from, Timeout: 300 * time.Millisecond}
	start := time.Now()
	e := smtpErr(t, sender(t, c).Send(context.Background(), testMessage))
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("gave up after %v, want about 300ms", took)
	}
	if !e.Timeout || e.Permanent || e.Stage != "greeting" {
		t.Errorf("error %+v: want a timeout at the greeting", e)
	}

	// A server that takes the mail and never answers.
	srv := mailtest.Start(t, mailtest.Options{HangData: true})
	c = config(srv, mail.TLSStartTLS)
	c.Username, c.Password, c.Timeout = "", "", 500*time.Millisecond
	e = smtpErr(t, sender(t, c).Send(context.Background(), testMessage))
	if !e.Timeout || e.Permanent || e.Stage != "data" {
		t.Errorf("error %+v: want a timeout after DATA", e)
	}

	// The caller's context ends it sooner.
	c = mail.Config{Host: "127.0.0.1", Port: silent, From: from, Timeout: time.Minute}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start = time.Now()
	e = smtpErr(t, sender(t, c).Send(ctx, testMessage))
	if took := time.Since(start); took > 2*time.Second || e.Permanent {
		t.Errorf("with a context of 200ms: %+v after %v", e, took)
	}
}

func TestNoHeaderInjection(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	c := config(srv, mail.TLSStartTLS)
	c.Username, c.Password = "", ""
	s := sender(t, c)
	for name, m := range map[string]mail.Message{
		"CRLF in subject":        {To: "ola@example.no", Subject: "Hei\r\nBcc: eve@example.no", Body: "x"},
		"LF in subject":          {To: "ola@example.no", Subject: "Hei\nBcc: eve@example.no", Body: "x"},
		"CR in subject":          {To: "ola@example.no", Subject: "Hei\rBcc: eve@example.no", Body: "x"},
		"CRLF in address":        {To: "ola@example.no\r\nBcc: eve@example.no", Subject: "Hei", Body: "x"},
		"two addresses":          {To: "ola@example.no, eve@example.no", Subject: "Hei", Body: "x"},
		"a name with an address": {To: "Ola <ola@example.no>", Subject: "Hei", Body: "x"},
		"SMTP command in address": {To: "ola@example.no>\r\nRCPT TO:<eve@example.no", Subject: "Hei",
			Body: "x"},
		"no address": {To: "", Subject: "Hei", Body: "x"},
		"no subject": {To: "ola@example.no", Subject: "", Body: "x"},
		"bad lang":   {To: "ola@example.no", Subject: "Hei", Body: "x", Lang: "nb\r\nBcc: eve@example.no"},
	} {
		e := smtpErr(t, s.Send(context.Background(), m))
		if e.Stage != "message" || !e.Permanent {
			t.Errorf("%s: %+v, want a permanent error at the message stage", name, e)
		}
	}
	if n := len(srv.Received()); n != 0 {
		t.Errorf("%d mails arrived", n)
	}
	// A CRLF in the body is a line break, not the end of the headers.
	err := s.Send(context.Background(), mail.Message{To: "ola@example.no", Subject: "Hei", Body: "\r\nBcc: eve@example.no\r\n\r\n.\r\nQUIT\r\n"})
	if err != nil {
		t.Fatal(err)
	}
	got := srv.Received()
	if len(got) != 1 || len(got[0].To) != 1 {
		t.Fatalf("received %+v", got)
	}
	msg, body := parse(t, got[0].Data)
	if msg.Header.Get("Bcc") != "" || !strings.Contains(body, "Bcc: eve@example.no\r\n\r\n.\r\nQUIT") {
		t.Errorf("headers %v, body %q", msg.Header, body)
	}
}

func TestNonASCIIAddressNeedsSMTPUTF8(t *testing.T) {
	m := testMessage
	m.To = "kåre@blåbær.example"
	srv := mailtest.Start(t, mailtest.Options{})
	c := config(srv, mail.TLSStartTLS)
	c.Username, c.Password = "", ""
	if e := smtpErr(t, sender(t, c).Send(context.Background(), m)); !e.Permanent {
		t.Errorf("without SMTPUTF8: %+v", e)
	}
	srv = mailtest.Start(t, mailtest.Options{SMTPUTF8: true})
	c = config(srv, mail.TLSStartTLS)
	c.Username, c.Password = "", ""
	if err := sender(t, c).Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if got := srv.Received(); len(got) != 1 || got[0].To[0] != m.To {
		t.Errorf("received %+v", got)
	}
}

func TestConfigFromEnv(t *testing.T) {
	clear := func() {
		for _, k := range []string{mail.EnvHost, mail.EnvPort, mail.EnvUsername, mail.EnvPassword, mail.EnvPasswordFile,
			mail.EnvFrom, mail.EnvTLS, mail.EnvTimeout} {
			t.Setenv(k, "")
		}
	}
	clear()
	c, err := mail.ConfigFromEnv()
	if err != nil || c.Configured() || c.Describe() != "not configured" {
		t.Errorf("no host: %+v %v", c, err)
	}
	if _, err := mail.NewSender(c); !errors.Is(err, mail.ErrNotConfigured) {
		t.Errorf("NewSender without a host: %v", err)
	}

	pwFile := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pwFile, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(mail.EnvHost, "smtp.example.no")
	t.Setenv(mail.EnvUsername, "fellesrom")
	t.Setenv(mail.EnvPasswordFile, pwFile)
	t.Setenv(mail.EnvFrom, "fellesrom <ikke-svar@example.no>")
	t.Setenv(mail.EnvTimeout, "10s")
	c, err = mail.ConfigFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if c.Password != "s3cret" || c.Addr() != "smtp.example.no:587" || c.Timeout != 10*time.Second {
		t.Errorf("config %+v", c)
	}
	if d := c.Describe(); d != "smtp.example.no:587 with starttls and authentication" || strings.Contains(d, "s3cret") {
		t.Errorf("describe %q", d)
	}
	t.Setenv(mail.EnvTLS, "TLS")
	if c, err := mail.ConfigFromEnv(); err != nil || c.Addr() != "smtp.example.no:465" {
		t.Errorf("tls: %v %v", c.Addr(), err)
	}

	for name, env := range map[string]map[string]string{
		"plain text to another host": {mail.EnvTLS: "none"},
		"unknown TLS mode":           {mail.EnvTLS: "ssl"},
		"bad port":                   {mail.EnvPort: "smtp"},
		"no sender":                  {mail.EnvFrom: ""},
		"bad sender":                 {mail.EnvFrom: "ikke en adresse"},
		"two passwords":              {mail.EnvPassword: "x"},
		"bad timeout":                {mail.EnvTimeout: "10"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Setenv(mail.EnvTLS, "")
			for k, v := range env {
				t.Setenv(k, v)
			}
			if _, err := mail.ConfigFromEnv(); err == nil {
				t.Error("accepted")
			}
		})
	}
	t.Setenv(mail.EnvHost, "127.0.0.1")
	t.Setenv(mail.EnvTLS, "none")
	if c, err := mail.ConfigFromEnv(); err != nil || c.Addr() != "127.0.0.1:25" {
		t.Errorf("none to loopback: %v %v", c.Addr(), err)
	}
}

func TestCompose(t *testing.T) {
	cat := i18n.DefaultCatalog()
	data := map[string]any{"Site": "https://fellesrom.example"}
	for _, tc := range []struct{ lang, subject, body, footer string }{
		{"nb", "Prøvemelding fra fellesrom", "Dette er en prøvemelding fra https://fellesrom.example.", "sendt automatisk av fellesrom"},
		{"en", "Test message from fellesrom", "This is a test message from https://fellesrom.example.", "sent automatically by fellesrom"},
		{"nn", "Prøvemelding frå fellesrom", "Dette er ei prøvemelding frå https://fellesrom.example.", "send automatisk av fellesrom"},
		{"se", "Geahččalandieđáhus fellesrom:is", "Dát lea geahččalandieđáhus dás: https://fellesrom.example.", "automáhtalaččat"},
	} {
		subject, body, err := mail.Compose(cat, tc.lang, "test", data)
		if err != nil {
			t.Fatalf("%s: %v", tc.lang, err)
		}
		if subject != tc.subject || !strings.Contains(body, tc.body) || !strings.Contains(body, "\n-- \n") || !strings.Contains(body, tc.footer) {
			t.Errorf("%s: %q\n%s", tc.lang, subject, body)
		}
	}
	if _, _, err := mail.Compose(nil, "nb", "no_such_kind", data); err == nil {
		t.Error("a kind the catalogue does not have")
	}
	if _, _, err := mail.Compose(nil, "nb", "test", nil); err == nil {
		t.Error("data without the field the text uses")
	}

	// What Compose makes goes through SMTP and arrives as it was.
	srv := mailtest.Start(t, mailtest.Options{Username: user, Password: pass})
	subject, body, err := mail.Compose(cat, "nb", "test", data)
	if err != nil {
		t.Fatal(err)
	}
	s := sender(t, config(srv, mail.TLSStartTLS))
	if err := s.Send(context.Background(), mail.Message{To: "kari@example.no", Subject: subject, Body: body, Lang: "nb"}); err != nil {
		t.Fatal(err)
	}
	got := srv.Received()
	if len(got) != 1 {
		t.Fatalf("%d mails", len(got))
	}
	msg, gotBody := parse(t, got[0].Data)
	if s := decodeHeader(t, msg, "Subject"); s != "Prøvemelding fra fellesrom" {
		t.Errorf("subject %q", s)
	}
	if gotBody != strings.ReplaceAll(body, "\n", "\r\n") {
		t.Errorf("body %q", gotBody)
	}
}

// The configuration's TLS settings are a base: the sender keeps TLS 1.2 at least.
func TestTLSConfigIsNotChanged(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	base := &tls.Config{RootCAs: srv.RootCAs}
	c := config(srv, mail.TLSStartTLS)
	c.Username, c.Password, c.TLSConfig = "", "", base
	if err := sender(t, c).Send(context.Background(), testMessage); err != nil {
		t.Fatal(err)
	}
	if base.ServerName != "" || base.MinVersion != 0 {
		t.Errorf("the sender changed the caller's tls.Config: %+v", base)
	}
}

// Every kind of mail in the catalogue has a subject and a body in Bokmål and
// English, so that Compose works for it in every language of the site.
func TestCatalogueMailKinds(t *testing.T) {
	cat := i18n.DefaultCatalog()
	kinds := 0
	for _, id := range cat.IDs("nb") {
		if !strings.HasPrefix(id, "mail.") || id == "mail.footer" {
			continue
		}
		kind, part, ok := strings.Cut(strings.TrimPrefix(id, "mail."), ".")
		if !ok || (part != "subject" && part != "body") {
			t.Errorf("%s: mail messages are mail.<kind>.subject and mail.<kind>.body", id)
			continue
		}
		if part == "subject" {
			kinds++
		}
		for _, l := range []string{"nb", "en"} {
			for _, p := range []string{"subject", "body"} {
				if want := "mail." + kind + "." + p; !cat.Has(l, want) {
					t.Errorf("%s has %s but %s lacks %s", "nb", id, l, want)
				}
			}
		}
	}
	if kinds == 0 || !cat.Has("en", "mail.footer") || !cat.Has("nn", "mail.footer") {
		t.Errorf("%d kinds of mail; footer in en %v, nn %v", kinds, cat.Has("en", "mail.footer"), cat.Has("nn", "mail.footer"))
	}
}
