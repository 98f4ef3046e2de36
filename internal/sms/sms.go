// Package sms sends text messages (SMS) through a generic HTTP gateway.
//
// Text messages are not sent from a request: store code enqueues them in
// the outbox (store.EnqueueMailTx with Channel store.ChannelSMS), and the
// SMS job of package jobs sends them with a [Sender].
//
// [Gateway] is the one implementation: it POSTs
//
//	{"to": "+4791234567", "from": "fellesrom", "text": "…"}
//
// as JSON to the configured URL with "Authorization: Bearer <token>", and
// takes a 2xx answer as sent. A 4xx answer refuses the message for good,
// except 401, 403 (the gateway refuses our credentials: a fault of the
// configuration, not of the message), 408 and 429 (try later); those, a
// 3xx, a 5xx, a timeout and a broken connection are worth another try.
// Errors are [*Error] values that carry the HTTP status, never the number or
// the text.
package sms

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Sender sends one text message to a number in E.164 form.
type Sender interface {
	Send(ctx context.Context, to, text string) error
}

// DefaultTimeout limits one message's request to the gateway.
const DefaultTimeout = 10 * time.Second

// MaxText is the longest text, in characters, that a message may have
// (a gateway splits it into up to about ten concatenated SMS).
const MaxText = 1000

// Environment variables that ConfigFromEnv reads.
const (
	EnvURL       = "FELLESROM_SMS_URL"
	EnvToken     = "FELLESROM_SMS_TOKEN"
	EnvTokenFile = "FELLESROM_SMS_TOKEN_FILE"
	EnvFrom      = "FELLESROM_SMS_FROM"
	EnvTimeout   = "FELLESROM_SMS_TIMEOUT"
)

// ValidNumber reports whether s is a telephone number in E.164 form: a
// plus, a country code and the number, 7 to 15 digits in all, nothing
// else ("+4791234567").
func ValidNumber(s string) bool {
	if len(s) < 8 || len(s) > 16 || s[0] != '+' || s[1] == '0' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// CheckText returns why text cannot be sent as a message, or nil: it must
// be UTF-8, not empty, at most MaxText characters, and have no control
// characters other than line breaks and tabs.
func CheckText(text string) error {
	switch {
	case strings.TrimSpace(text) == "":
		return errors.New("the text of a message is empty")
	case !utf8.ValidString(text):
		return errors.New("the text of a message is not UTF-8")
	case utf8.RuneCountInString(text) > MaxText:
		return fmt.Errorf("the text of a message is longer than %d characters", MaxText)
	case strings.ContainsFunc(text, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' }):
		return errors.New("the text of a message holds a control character")
	}
	return nil
}

// validFrom: a number in E.164 form, or an alphanumeric sender of 1–11
// letters, digits, spaces, dots, dashes or underscores with at least one
// letter (what networks allow as a sender name).
func validFrom(s string) bool {
	if ValidNumber(s) {
		return true
	}
	if s == "" || len(s) > 11 || strings.TrimSpace(s) != s {
		return false
	}
	letter := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			letter = true
		case c >= '0' && c <= '9' || c == ' ' || c == '.' || c == '-' || c == '_':
		default:
			return false
		}
	}
	return letter
}

// Config is how to reach the gateway. The zero Config (no URL) means SMS is
// not configured: messages then wait in the outbox.
type Config struct {
	URL   string // https://sms.example.no/v1/messages; http only to a loopback host
	Token string // sent as "Authorization: Bearer <token>"; may be empty
	From  string // the sender: a name of up to 11 characters, or a number in E.164 form
	// Timeout limits one message's request, connecting included; 0 means
	// DefaultTimeout.
	Timeout time.Duration
	// Client, if set, sends the requests (tests use it to trust their own
	// certificate); its Timeout and CheckRedirect are not used.
	Client *http.Client
}

// Configured reports whether a gateway is configured.
func (c Config) Configured() bool { return c.URL != "" }

// ErrNotConfigured is returned by NewGateway for a Config without a URL.
var ErrNotConfigured = errors.New("sms: no gateway is configured (" + EnvURL + ")")

func (c Config) timeout() time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return DefaultTimeout
}

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
	u, err := url.Parse(c.URL)
	switch {
	case err != nil || u.Host == "" || u.Opaque != "":
		errs = append(errs, fmt.Errorf("%s: not an absolute URL", EnvURL))
	case u.User != nil:
		errs = append(errs, fmt.Errorf("%s: no user or password in the URL; put the token in %s", EnvURL, EnvToken))
	case u.Scheme == "https":
	case u.Scheme == "http":
		if !isLoopback(u.Hostname()) {
			errs = append(errs, fmt.Errorf("%s: http sends the token, numbers and texts in plain text: only allowed to a loopback host such as 127.0.0.1; use https", EnvURL))
		}
	default:
		errs = append(errs, fmt.Errorf("%s: the scheme must be https", EnvURL))
	}
	if !validFrom(c.From) {
		errs = append(errs, fmt.Errorf("%s: a sender name of 1–11 letters and digits, or a number such as +4791234567", EnvFrom))
	}
	if strings.ContainsFunc(c.Token, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		errs = append(errs, fmt.Errorf("%s: the token cannot hold spaces or line breaks", EnvToken))
	}
	if c.Timeout < 0 {
		errs = append(errs, fmt.Errorf("%s cannot be negative", EnvTimeout))
	}
	return errors.Join(errs...)
}

// Describe says where messages go, without the token or the path, for the log.
func (c Config) Describe() string {
	if !c.Configured() {
		return "not configured"
	}
	u, err := url.Parse(c.URL)
	if err != nil {
		return "a gateway"
	}
	s := u.Scheme + "://" + u.Host
	if c.Token != "" {
		s += " with a token"
	}
	return s
}

// ConfigFromEnv reads the configuration from the environment:
//
//	FELLESROM_SMS_URL         the gateway's URL; unset: SMS is not configured, and messages wait
//	FELLESROM_SMS_TOKEN       the bearer token,
//	FELLESROM_SMS_TOKEN_FILE  … or the file that holds it
//	FELLESROM_SMS_FROM        the sender: a name of up to 11 characters, or +4791234567
//	FELLESROM_SMS_TIMEOUT     per message, a Go duration; default 10s
//
// With no URL it returns a Config that is not Configured and no error. A
// configured Config is validated.
func ConfigFromEnv() (Config, error) { return configFrom(os.Getenv) }

func configFrom(getenv func(string) string) (Config, error) {
	c := Config{
		URL:   strings.TrimSpace(getenv(EnvURL)),
		Token: strings.TrimSpace(getenv(EnvToken)),
		From:  strings.TrimSpace(getenv(EnvFrom)),
	}
	if !c.Configured() {
		return Config{}, nil
	}
	if f := getenv(EnvTokenFile); f != "" {
		if c.Token != "" {
			return c, fmt.Errorf("set %s or %s, not both", EnvToken, EnvTokenFile)
		}
		b, err := os.ReadFile(f)
		if err != nil {
			return c, fmt.Errorf("%s: %w", EnvTokenFile, err)
		}
		c.Token = strings.TrimSpace(string(b))
	}
	if d := strings.TrimSpace(getenv(EnvTimeout)); d != "" {
		t, err := time.ParseDuration(d)
		if err != nil || t <= 0 {
			return c, fmt.Errorf("%s: %q is not a duration such as 10s", EnvTimeout, d)
		}
		c.Timeout = t
	}
	return c, c.Validate()
}

// Error is why a message was not sent. Its message holds the stage and the
// HTTP status; never the number or the text, nor what the gateway answered
// (which may quote them).
type Error struct {
	// Stage is where it failed: message (the message itself cannot be
	// sent), request (no answer: connecting, TLS, a timeout), response (the
	// gateway answered with a status other than 2xx).
	Stage string
	// Code is the HTTP status, 0 if the gateway gave none.
	Code int
	// Permanent says that trying again will not help: the gateway refused
	// the message with a 4xx (other than 401, 403, 408 and 429), or the
	// message cannot be sent as it is.
	Permanent bool
	// Timeout says that the gateway did not answer in time.
	Timeout bool
	// Reason is a short text without personal data.
	Reason string
	err    error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("sms " + e.Stage + ": ")
	if e.Code != 0 {
		b.WriteString(strconv.Itoa(e.Code) + " ")
	}
	b.WriteString(e.Reason)
	return b.String()
}

// Unwrap returns the underlying error, for errors.Is.
func (e *Error) Unwrap() error { return e.err }

// Gateway sends messages to a generic HTTP SMS gateway. It is safe for
// concurrent use.
type Gateway struct {
	cfg    Config
	client *http.Client
}

var _ Sender = (*Gateway)(nil)

// NewGateway checks cfg and returns a Gateway for it. It returns
// ErrNotConfigured if cfg has no URL.
func NewGateway(cfg Config) (*Gateway, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	var c http.Client
	if cfg.Client != nil {
		c = *cfg.Client
	}
	c.Timeout = 0 // the request's context has the limit
	// A redirect is answered as such: the token is not sent on to another
	// place, and the operator learns to set the final URL.
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Gateway{cfg: cfg, client: &c}, nil
}

// request is the JSON the gateway gets.
type request struct {
	To   string `json:"to"`
	From string `json:"from"`
	Text string `json:"text"`
}

// Send sends text to the number to. The request has the configured time
// limit (and ends earlier if ctx does). An error is an *Error.
func (g *Gateway) Send(ctx context.Context, to, text string) error {
	if !ValidNumber(to) {
		return &Error{Stage: "message", Permanent: true, Reason: "the number is not in E.164 form (+4791234567)"}
	}
	if err := CheckText(text); err != nil {
		return &Error{Stage: "message", Permanent: true, Reason: err.Error()}
	}
	body, err := json.Marshal(request{To: to, From: g.cfg.From, Text: text})
	if err != nil {
		return &Error{Stage: "message", Permanent: true, Reason: "cannot encode the message", err: err}
	}
	rctx, cancel := context.WithTimeout(ctx, g.cfg.timeout())
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, g.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return &Error{Stage: "request", Reason: "cannot make the request", err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "fellesrom")
	if g.cfg.Token != "" {
		req.Header.Set("Authorization", "Bearer "+g.cfg.Token)
	}
	resp, err := g.client.Do(req)
	if err != nil {
		return requestError(ctx, rctx, err)
	}
	// The answer's body is read (so the connection can be used again) and
	// dropped: it may quote the number or the text.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	code := resp.StatusCode
	if code >= 200 && code <= 299 {
		return nil
	}
	e := &Error{Stage: "response", Code: code, Reason: http.StatusText(code)}
	if e.Reason == "" {
		e.Reason = "unknown status"
	}
	switch {
	case code >= 300 && code <= 399:
		e.Reason += ": the gateway redirects; set " + EnvURL + " to where it points"
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		e.Reason += ": the gateway refuses the token (" + EnvToken + ")"
	case code == http.StatusRequestTimeout || code == http.StatusTooManyRequests:
	case code >= 400 && code <= 499:
		e.Permanent = true
	}
	return e
}

// requestError makes the Error of a request that got no answer. The
// message of err names the URL; only its cause is kept.
func requestError(ctx, rctx context.Context, err error) *Error {
	e := &Error{Stage: "request", err: err}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var ne net.Error
	switch {
	case ctx.Err() != nil:
		e.Reason = "stopped: " + ctx.Err().Error()
		e.Timeout = errors.Is(ctx.Err(), context.DeadlineExceeded)
	case rctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		e.Timeout = true
		e.Reason = "timeout: the gateway did not answer in time"
	default:
		e.Reason = oneLine(err.Error())
	}
	return e
}

// oneLine makes a text fit for an Error: one line of at most 200 bytes.
func oneLine(s string) string {
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " ")
	s = strings.ToValidUTF8(s, "?")
	if len(s) > 200 {
		s = strings.ToValidUTF8(s[:200], "") + "…"
	}
	return s
}
