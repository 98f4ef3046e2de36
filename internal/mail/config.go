// Package mail sends the mails of fellesrom over SMTP and composes their
// texts from the message catalogue.
//
// Mails are not sent from a request: store code enqueues them in the outbox
// (store.EnqueueMail, in the transaction of what caused them), and the mail
// job of package jobs sends them with a [Sender]. Texts come from the
// catalogue through [Compose], so that every mail exists in every language
// of the site.
//
// A Sender speaks SMTP over net/smtp: it connects with a time limit, says
// EHLO, requires STARTTLS (unless configured otherwise), authenticates with
// PLAIN or LOGIN when a username is set, and sends one mail per connection
// as text/plain in UTF-8, quoted-printable, or, with an [Attachment] (an
// iCalendar invitation), as multipart/mixed with the text and the file in
// base64. Errors are [*Error] values that say whether retrying can help,
// and carry no personal data.
package mail

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"os"
	"strconv"
	"strings"
	"time"
)

// TLSMode says how a Sender protects the connection.
type TLSMode string

const (
	// TLSStartTLS connects in plain text and upgrades with STARTTLS, and
	// refuses to go on if the server does not offer it (submission, port 587).
	// The default.
	TLSStartTLS TLSMode = "starttls"
	// TLSImplicit speaks TLS from the start (port 465).
	TLSImplicit TLSMode = "tls"
	// TLSNone sends in plain text. Only allowed to a loopback host, for
	// development with a local mail catcher.
	TLSNone TLSMode = "none"
)

// DefaultTimeout limits one mail's whole conversation with the server.
const DefaultTimeout = 30 * time.Second

// Environment variables that ConfigFromEnv reads.
const (
	EnvHost         = "FELLESROM_SMTP_HOST"
	EnvPort         = "FELLESROM_SMTP_PORT"
	EnvUsername     = "FELLESROM_SMTP_USERNAME"
	EnvPassword     = "FELLESROM_SMTP_PASSWORD"
	EnvPasswordFile = "FELLESROM_SMTP_PASSWORD_FILE"
	EnvFrom         = "FELLESROM_SMTP_FROM"
	EnvTLS          = "FELLESROM_SMTP_TLS"
	EnvTimeout      = "FELLESROM_SMTP_TIMEOUT"
)

// Config is how to reach the SMTP server. The zero Config (no Host) means
// mail is not configured: mails then wait in the outbox.
type Config struct {
	Host     string
	Port     int // 0: 587 for starttls, 465 for tls, 25 for none
	Username string
	Password string
	From     string  // "fellesrom <ikke-svar@fellesrom.example>" or a plain address
	TLS      TLSMode // "" means starttls
	// Timeout limits the whole conversation for one mail, connecting
	// included; 0 means DefaultTimeout.
	Timeout time.Duration
	// HeloName is the name given in EHLO; "" means this machine's host name
	// if it has a dot in it, else "localhost".
	HeloName string
	// TLSConfig, if set, is the base of the TLS configuration (tests set
	// RootCAs to trust their own certificate). ServerName defaults to Host,
	// and the minimum version is TLS 1.2.
	TLSConfig *tls.Config
}

// Configured reports whether a server is configured.
func (c Config) Configured() bool { return c.Host != "" }

// ErrNotConfigured is returned by NewSender for a Config without a host.
var ErrNotConfigured = errors.New("mail: no SMTP server is configured (" + EnvHost + ")")

func (c Config) mode() TLSMode {
	if c.TLS == "" {
		return TLSStartTLS
	}
	return c.TLS
}

func (c Config) port() int {
	if c.Port != 0 {
		return c.Port
	}
	switch c.mode() {
	case TLSImplicit:
		return 465
	case TLSNone:
		return 25
	}
	return 587
}

func (c Config) timeout() time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return DefaultTimeout
}

// Addr is host:port of the server.
func (c Config) Addr() string { return net.JoinHostPort(c.Host, strconv.Itoa(c.port())) }

// Describe says where mail goes, without secrets, for the log.
func (c Config) Describe() string {
	if !c.Configured() {
		return "not configured"
	}
	s := c.Addr() + " with " + string(c.mode())
	if c.Username != "" {
		s += " and authentication"
	}
	return s
}

// isLoopback reports whether host names this machine for certain.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Validate checks a configured Config.
func (c Config) Validate() error {
	if !c.Configured() {
		return ErrNotConfigured
	}
	var errs []error
	if strings.ContainsFunc(c.Host, func(r rune) bool { return r <= ' ' || r == 0x7f || r == '/' }) {
		errs = append(errs, fmt.Errorf("%s: not a host name", EnvHost))
	}
	if c.Port < 0 || c.Port > 65535 {
		errs = append(errs, fmt.Errorf("%s: %d is not a port", EnvPort, c.Port))
	}
	switch c.mode() {
	case TLSStartTLS, TLSImplicit:
	case TLSNone:
		if !isLoopback(c.Host) {
			errs = append(errs, fmt.Errorf("%s=none sends mail and passwords in plain text: only allowed to a loopback host such as 127.0.0.1, not %s", EnvTLS, c.Host))
		}
	default:
		errs = append(errs, fmt.Errorf("%s: %q, want starttls, tls or none", EnvTLS, c.TLS))
	}
	if c.From == "" {
		errs = append(errs, fmt.Errorf("%s: the sender address is missing", EnvFrom))
	} else if _, err := parseFrom(c.From); err != nil {
		errs = append(errs, fmt.Errorf("%s: %v", EnvFrom, err))
	}
	if (c.Username == "") != (c.Password == "") {
		errs = append(errs, fmt.Errorf("%s and %s go together", EnvUsername, EnvPassword))
	}
	if strings.ContainsAny(c.Username+c.Password, "\r\n\x00") {
		errs = append(errs, errors.New("the SMTP username and password cannot hold line breaks"))
	}
	if c.Timeout < 0 {
		errs = append(errs, fmt.Errorf("%s cannot be negative", EnvTimeout))
	}
	return errors.Join(errs...)
}

func parseFrom(s string) (*mail.Address, error) {
	if hasControl(s) {
		return nil, errors.New("the sender address cannot hold line breaks")
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		return nil, fmt.Errorf("not an address: %v", err)
	}
	if !isASCII(a.Address) {
		return nil, errors.New("the sender address must be ASCII")
	}
	return a, nil
}

// ConfigFromEnv reads the configuration from the environment:
//
//	FELLESROM_SMTP_HOST           the server; unset: mail is not configured, and mails wait
//	FELLESROM_SMTP_PORT           default 587 (starttls), 465 (tls), 25 (none)
//	FELLESROM_SMTP_USERNAME       authenticate (PLAIN or LOGIN) as this user
//	FELLESROM_SMTP_PASSWORD       … with this password,
//	FELLESROM_SMTP_PASSWORD_FILE  … or with the password in this file
//	FELLESROM_SMTP_FROM           the sender, "fellesrom <ikke-svar@example.no>"
//	FELLESROM_SMTP_TLS            starttls (default), tls, or none (loopback only)
//	FELLESROM_SMTP_TIMEOUT        per mail, a Go duration; default 30s
//
// With no host it returns a Config that is not Configured and no error. A
// configured Config is validated.
func ConfigFromEnv() (Config, error) { return configFrom(os.Getenv) }

func configFrom(getenv func(string) string) (Config, error) {
	c := Config{
		Host:     strings.TrimSpace(getenv(EnvHost)),
		Username: getenv(EnvUsername),
		Password: getenv(EnvPassword),
		From:     strings.TrimSpace(getenv(EnvFrom)),
		TLS:      TLSMode(strings.ToLower(strings.TrimSpace(getenv(EnvTLS)))),
	}
	if !c.Configured() {
		return Config{}, nil
	}
	if p := strings.TrimSpace(getenv(EnvPort)); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n <= 0 || n > 65535 {
			return c, fmt.Errorf("%s: %q is not a port", EnvPort, p)
		}
		c.Port = n
	}
	if f := getenv(EnvPasswordFile); f != "" {
		if c.Password != "" {
			return c, fmt.Errorf("set %s or %s, not both", EnvPassword, EnvPasswordFile)
		}
		b, err := os.ReadFile(f)
		if err != nil {
			return c, fmt.Errorf("%s: %w", EnvPasswordFile, err)
		}
		c.Password = strings.TrimRight(string(b), "\r\n")
	}
	if d := strings.TrimSpace(getenv(EnvTimeout)); d != "" {
		t, err := time.ParseDuration(d)
		if err != nil || t <= 0 {
			return c, fmt.Errorf("%s: %q is not a duration such as 30s", EnvTimeout, d)
		}
		c.Timeout = t
	}
	return c, c.Validate()
}
