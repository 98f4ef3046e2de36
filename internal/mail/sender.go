package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"os"
	"strings"
	"time"
	"unicode"
)

// Sender sends mails over SMTP. It is safe for concurrent use; each Send
// has a connection of its own.
type Sender struct {
	cfg  Config
	from *mail.Address
	helo string
	now  func() time.Time
}

// NewSender checks cfg and returns a Sender for it. It returns
// ErrNotConfigured if cfg has no host.
func NewSender(cfg Config) (*Sender, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	from, err := parseFrom(cfg.From)
	if err != nil {
		return nil, err
	}
	helo := cfg.HeloName
	if helo == "" {
		helo = "localhost"
		if h, err := os.Hostname(); err == nil && strings.Contains(h, ".") && !hasControl(h) && !strings.ContainsAny(h, " ") {
			helo = h
		}
	}
	return &Sender{cfg: cfg, from: from, helo: helo, now: time.Now}, nil
}

// Error is why a mail was not sent. Its message holds the stage, the SMTP
// reply code and the server's reason with any word that has an @ in it
// blanked out; never the address, the subject or the text of the mail.
type Error struct {
	// Stage is where it failed: message (the mail itself is wrong), connect,
	// tls, greeting, ehlo, starttls, auth, mail, rcpt, data.
	Stage string
	// Code is the SMTP reply code, 0 if the server gave none (a network
	// error, a timeout, a refusal by this side).
	Code int
	// Permanent says that trying again will not help: the server refused
	// this mail with a 5xx reply to MAIL, RCPT or DATA, or the mail cannot
	// be sent as it is. A 5xx reply before MAIL (to EHLO, STARTTLS, AUTH)
	// is a fault of the server or the configuration, not of the mail, and
	// is not permanent.
	Permanent bool
	// Timeout says that the server did not answer in time.
	Timeout bool
	// Reason is a short text without personal data.
	Reason string
	err    error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("smtp " + e.Stage + ": ")
	if e.Code != 0 {
		fmt.Fprintf(&b, "%d ", e.Code)
	}
	b.WriteString(e.Reason)
	return b.String()
}

// Unwrap returns the underlying error, for errors.Is; its message may hold
// what the server said unfiltered, so log the Error itself, not it.
func (e *Error) Unwrap() error { return e.err }

// reason makes a text fit for an Error: one line, at most 200 bytes, and no
// word with an @ in it, since a server may quote the address.
func reason(s string) string {
	words := strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) })
	for i, w := range words {
		if strings.Contains(w, "@") {
			words[i] = "[address]"
		}
	}
	s = strings.ToValidUTF8(strings.Join(words, " "), "?")
	if len(s) > 200 {
		s = strings.ToValidUTF8(s[:200], "") + "…"
	}
	return s
}

// fail makes the Error of a failure at stage.
func fail(ctx context.Context, stage string, err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	e = &Error{Stage: stage, err: err}
	var tp *textproto.Error
	var ne net.Error
	switch {
	case errors.As(err, &tp):
		e.Code = tp.Code
		e.Reason = reason(tp.Msg)
		e.Permanent = tp.Code >= 500 && (stage == "mail" || stage == "rcpt" || stage == "data")
	case ctx.Err() != nil:
		e.Reason = "stopped: " + ctx.Err().Error()
		e.Timeout = errors.Is(ctx.Err(), context.DeadlineExceeded)
	case errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		e.Timeout = true
		e.Reason = "timeout: the server did not answer in time"
	default:
		e.Reason = reason(err.Error())
	}
	return e
}

// Send sends m. The whole conversation has the configured time limit (and
// ends earlier if ctx does). An error is an *Error.
func (s *Sender) Send(ctx context.Context, m Message) error {
	msg, err := build(s.from, m, s.now())
	if err != nil {
		return &Error{Stage: "message", Permanent: true, Reason: err.Error(), err: errBadMessage}
	}
	rcpt := m.To // checked by build

	// The time limit is on the connection; ctx ending (when the program
	// stops) is seen by AfterFunc below, so that it shows as ctx's error.
	deadline := time.Now().Add(s.cfg.timeout())
	dialer := &net.Dialer{Deadline: deadline}
	conn, err := dialer.DialContext(ctx, "tcp", s.cfg.Addr())
	if err != nil {
		return fail(ctx, "connect", err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(deadline); err != nil {
		return fail(ctx, "connect", err)
	}
	// When ctx ends, every read and write on the connection fails at once.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	tlsConfig := s.tlsConfig()
	var c net.Conn = conn
	if s.cfg.mode() == TLSImplicit {
		tc := tls.Client(conn, tlsConfig)
		if err := tc.HandshakeContext(ctx); err != nil {
			return fail(ctx, "tls", err)
		}
		c = tc
	}
	client, err := smtp.NewClient(c, s.cfg.Host) // reads the greeting
	if err != nil {
		return fail(ctx, "greeting", err)
	}
	defer client.Close()
	if err := client.Hello(s.helo); err != nil {
		return fail(ctx, "ehlo", err)
	}
	// net/smtp says EHLO with the next command; NOOP makes a refusal of EHLO
	// show as such, not as a refusal of the mail.
	if err := client.Noop(); err != nil {
		return fail(ctx, "ehlo", err)
	}
	if s.cfg.mode() == TLSStartTLS {
		if ok, _ := client.Extension("STARTTLS"); !ok {
			return &Error{Stage: "starttls", Reason: "the server does not offer STARTTLS; refusing to send in plain text"}
		}
		if err := client.StartTLS(tlsConfig); err != nil {
			return fail(ctx, "starttls", err)
		}
	}
	if s.cfg.Username != "" {
		auth, err := s.auth(client)
		if err != nil {
			return err
		}
		if err := client.Auth(auth); err != nil {
			return fail(ctx, "auth", err)
		}
	}
	if !isASCII(rcpt) {
		if ok, _ := client.Extension("SMTPUTF8"); !ok {
			return &Error{Stage: "rcpt", Permanent: true, Reason: "the address is not ASCII and the server does not offer SMTPUTF8"}
		}
	}
	if err := client.Mail(s.from.Address); err != nil {
		return fail(ctx, "mail", err)
	}
	if err := client.Rcpt(rcpt); err != nil {
		return fail(ctx, "rcpt", err)
	}
	w, err := client.Data()
	if err != nil {
		return fail(ctx, "data", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fail(ctx, "data", err)
	}
	if err := w.Close(); err != nil { // the server's answer to the whole mail
		return fail(ctx, "data", err)
	}
	// The server has taken the mail; an error in saying goodbye changes nothing.
	_ = client.Quit()
	return nil
}

func (s *Sender) tlsConfig() *tls.Config {
	var c *tls.Config
	if s.cfg.TLSConfig != nil {
		c = s.cfg.TLSConfig.Clone()
	} else {
		c = &tls.Config{}
	}
	if c.ServerName == "" {
		c.ServerName = s.cfg.Host
	}
	if c.MinVersion < tls.VersionTLS12 {
		c.MinVersion = tls.VersionTLS12
	}
	return c
}

// auth chooses PLAIN or LOGIN from what the server offers.
func (s *Sender) auth(client *smtp.Client) (smtp.Auth, error) {
	ok, params := client.Extension("AUTH")
	if !ok {
		return nil, &Error{Stage: "auth", Reason: "the server does not offer AUTH, but a username is configured"}
	}
	mechs := strings.Fields(strings.ToUpper(params))
	has := func(m string) bool {
		for _, x := range mechs {
			if x == m {
				return true
			}
		}
		return false
	}
	switch {
	case has("PLAIN"):
		// PlainAuth refuses to send the password unless the connection is
		// TLS or goes to localhost.
		return smtp.PlainAuth("", s.cfg.Username, s.cfg.Password, s.cfg.Host), nil
	case has("LOGIN"):
		return &loginAuth{user: s.cfg.Username, pass: s.cfg.Password, host: s.cfg.Host}, nil
	}
	return nil, &Error{Stage: "auth", Reason: "the server offers neither PLAIN nor LOGIN authentication"}
}

// loginAuth is the LOGIN mechanism (draft-murchison-sasl-login), which
// net/smtp lacks and some servers still only offer.
type loginAuth struct {
	user, pass, host string
	step             int
}

func (a *loginAuth) Start(server *smtp.ServerInfo) (string, []byte, error) {
	if !server.TLS && !isLoopback(server.Name) {
		return "", nil, errors.New("refusing to send the password over a connection without TLS")
	}
	if server.Name != a.host {
		return "", nil, errors.New("wrong host name")
	}
	a.step = 0
	return "LOGIN", nil, nil
}

func (a *loginAuth) Next(fromServer []byte, more bool) ([]byte, error) {
	if !more {
		return nil, nil
	}
	prompt := strings.ToLower(string(fromServer))
	a.step++
	switch {
	case strings.Contains(prompt, "user"):
		return []byte(a.user), nil
	case strings.Contains(prompt, "pass"):
		return []byte(a.pass), nil
	case a.step == 1:
		return []byte(a.user), nil
	case a.step == 2:
		return []byte(a.pass), nil
	}
	return nil, errors.New("unexpected LOGIN challenge")
}
