package sms_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fellesrom/fellesrom/internal/sms"
	"github.com/fellesrom/fellesrom/internal/sms/smstest"
)

const (
	number = "+4741234567"
	text   = "Hei Kari! Sorggruppa møtes torsdag kl. 18 på Selvhjelpshuset. «Velkommen»\nSvar STOPP for å avslutte."
	token  = "hemmelig-token-123"
)

func gateway(t *testing.T, url string) *sms.Gateway {
	t.Helper()
	g, err := sms.NewGateway(sms.Config{URL: url, Token: token, From: "fellesrom", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// smsErr returns err as an *sms.Error, or fails; the error never shows the
// number or the text.
func smsErr(t *testing.T, err error) *sms.Error {
	t.Helper()
	var e *sms.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T), want an *sms.Error", err, err)
	}
	for _, s := range []string{number, "41234567", "Kari", "Sorggruppa", token} {
		if strings.Contains(e.Error(), s) {
			t.Errorf("the error shows %q: %v", s, e)
		}
	}
	return e
}

// A message arrives as JSON {"to","from","text"} with the bearer token.
func TestSend(t *testing.T) {
	gw := smstest.Start(t)
	if err := gateway(t, gw.URL).Send(context.Background(), number, text); err != nil {
		t.Fatal(err)
	}
	got := gw.Requests()
	if len(got) != 1 {
		t.Fatalf("%d requests", len(got))
	}
	r := got[0]
	if r.Method != http.MethodPost || r.Path != "/v1/sms" || r.ContentType != "application/json" ||
		r.Authorization != "Bearer "+token || r.To != number || r.From != "fellesrom" || r.Text != text {
		t.Errorf("request %+v", r)
	}
}

// Over HTTPS, with the client of the configuration (trusting the test's
// certificate).
func TestSendTLS(t *testing.T) {
	var auth string
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth = r.Header.Get("Authorization")
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	g, err := sms.NewGateway(sms.Config{URL: srv.URL, Token: token, From: "+4700000000", Client: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Send(context.Background(), number, text); err != nil || auth != "Bearer "+token {
		t.Errorf("send over TLS: %v, authorization %q", err, auth)
	}
	// Without trusting the certificate nothing is sent.
	g, _ = sms.NewGateway(sms.Config{URL: srv.URL, Token: token, From: "fellesrom"})
	if e := smsErr(t, g.Send(context.Background(), number, text)); e.Permanent || e.Stage != "request" {
		t.Errorf("untrusted certificate: %+v", e)
	}
}

// What the gateway answers decides: 2xx sent; 4xx refused for good, except
// 401, 403, 408 and 429; 3xx and 5xx worth another try.
func TestAnswers(t *testing.T) {
	for _, c := range []struct {
		status    int
		permanent bool
	}{
		{400, true}, {404, true}, {413, true}, {422, true},
		{401, false}, {403, false}, {408, false}, {429, false},
		{301, false}, {500, false}, {502, false}, {503, false},
	} {
		gw := smstest.Start(t, c.status)
		e := smsErr(t, gateway(t, gw.URL).Send(context.Background(), number, text))
		if e.Code != c.status || e.Permanent != c.permanent || e.Stage != "response" || e.Timeout {
			t.Errorf("%d: %+v, want permanent=%v", c.status, e, c.permanent)
		}
		if want := "sms response: " + strconv.Itoa(c.status) + " " + http.StatusText(c.status); !strings.HasPrefix(e.Error(), want) {
			t.Errorf("%d: message %q", c.status, e.Error())
		}
	}
	// 500 then 200: the second try gets through.
	gw := smstest.Start(t, 500)
	g := gateway(t, gw.URL)
	if e := smsErr(t, g.Send(context.Background(), number, text)); e.Permanent || e.Code != 500 {
		t.Errorf("first: %+v", e)
	}
	if err := g.Send(context.Background(), number, text); err != nil {
		t.Errorf("second: %v", err)
	}
	if n := len(gw.Requests()); n != 2 {
		t.Errorf("%d requests", n)
	}
}

// A gateway that does not answer: a timeout, worth another try.
func TestHangingGateway(t *testing.T) {
	gw := smstest.Start(t)
	gw.Hang()
	g, err := sms.NewGateway(sms.Config{URL: gw.URL, From: "fellesrom", Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	e := smsErr(t, g.Send(context.Background(), number, text))
	if !e.Timeout || e.Permanent || e.Code != 0 || e.Stage != "request" || !strings.Contains(e.Error(), "timeout") {
		t.Errorf("hanging gateway: %+v", e)
	}
	// The program stopping is not a timeout of the gateway.
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for len(gw.Requests()) < 2 {
			time.Sleep(5 * time.Millisecond)
		}
		cancel()
	}()
	g, _ = sms.NewGateway(sms.Config{URL: gw.URL, From: "fellesrom", Timeout: time.Minute})
	if e := smsErr(t, g.Send(ctx, number, text)); e.Timeout || e.Permanent || !strings.Contains(e.Reason, "stopped") {
		t.Errorf("stopped: %+v", e)
	}
}

// Nobody listening: worth another try; the error names no URL.
func TestConnectionRefused(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL + "/v1/sms?konto=hemmelig"
	srv.Close()
	e := smsErr(t, gateway(t, url).Send(context.Background(), number, text))
	if e.Permanent || e.Timeout || e.Code != 0 || strings.Contains(e.Error(), "konto") || strings.Contains(e.Error(), "/v1/sms") {
		t.Errorf("refused: %+v (%s)", e, e)
	}
}

// A message that cannot be sent as it is fails for good, before any request.
func TestBadMessages(t *testing.T) {
	gw := smstest.Start(t)
	g := gateway(t, gw.URL)
	for name, c := range map[string][2]string{
		"national number": {"41234567", text},
		"spaces":          {"+47 412 34 567", text},
		"leading zero":    {"+0041234567", text},
		"too short":       {"+123456", text},
		"too long":        {"+1234567890123456", text},
		"letters":         {"+47412345ab", text},
		"empty text":      {number, " \n "},
		"too long text":   {number, strings.Repeat("ø", sms.MaxText+1)},
		"control":         {number, "hei\x1b[2J"},
		"not UTF-8":       {number, "hei \xff"},
	} {
		e := smsErr(t, g.Send(context.Background(), c[0], c[1]))
		if !e.Permanent || e.Stage != "message" {
			t.Errorf("%s: %+v", name, e)
		}
	}
	if n := len(gw.Requests()); n != 0 {
		t.Errorf("%d requests for bad messages", n)
	}
	if err := g.Send(context.Background(), "+4741234567", strings.Repeat("ø", sms.MaxText)); err != nil {
		t.Errorf("the longest text: %v", err)
	}
}

func TestValidNumber(t *testing.T) {
	for s, want := range map[string]bool{"+4741234567": true, "+14155552671": true, "+4700000000": true, "+1234567": true,
		"+123456789012345": true, "+1234567890123456": false, "+123456": false, "4741234567": false, "+47 41234567": false,
		"": false, "+": false, "++4741234567": false, "+0123456789": false} {
		if got := sms.ValidNumber(s); got != want {
			t.Errorf("ValidNumber(%q) = %v", s, got)
		}
	}
}

func TestConfig(t *testing.T) {
	for _, k := range []string{sms.EnvURL, sms.EnvToken, sms.EnvTokenFile, sms.EnvFrom, sms.EnvTimeout} {
		t.Setenv(k, "")
	}
	c, err := sms.ConfigFromEnv()
	if err != nil || c.Configured() || c.Describe() != "not configured" {
		t.Errorf("unset: %+v %v", c, err)
	}
	if _, err := sms.NewGateway(c); !errors.Is(err, sms.ErrNotConfigured) {
		t.Errorf("NewGateway without a URL: %v", err)
	}
	t.Setenv(sms.EnvURL, "https://sms.example.no/v1/messages")
	t.Setenv(sms.EnvFrom, "Selvhjelp")
	t.Setenv(sms.EnvToken, token)
	t.Setenv(sms.EnvTimeout, "3s")
	c, err = sms.ConfigFromEnv()
	if err != nil || c.URL != "https://sms.example.no/v1/messages" || c.From != "Selvhjelp" || c.Token != token || c.Timeout != 3*time.Second {
		t.Fatalf("set: %+v %v", c, err)
	}
	if d := c.Describe(); d != "https://sms.example.no with a token" || strings.Contains(d, token) {
		t.Errorf("Describe: %q", d)
	}
	// The token from a file.
	f := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(f, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(sms.EnvTokenFile, f)
	if _, err := sms.ConfigFromEnv(); err == nil {
		t.Error("a token and a token file")
	}
	t.Setenv(sms.EnvToken, "")
	if c, err := sms.ConfigFromEnv(); err != nil || c.Token != token {
		t.Errorf("token file: %q %v", c.Token, err)
	}
	for name, env := range map[string][2]string{
		"plain http to another host": {sms.EnvURL, "http://sms.example.no/v1"},
		"a password in the URL":      {sms.EnvURL, "https://user:pw@sms.example.no/v1"},
		"not a URL":                  {sms.EnvURL, "sms.example.no"},
		"ftp":                        {sms.EnvURL, "ftp://sms.example.no/"},
		"sender too long":            {sms.EnvFrom, "Selvhjelpshuset"},
		"sender with æ":              {sms.EnvFrom, "Selvhjelpæ"},
		"sender digits only":         {sms.EnvFrom, "12345"},
		"no sender":                  {sms.EnvFrom, ""},
		"bad timeout":                {sms.EnvTimeout, "tre sekunder"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Setenv(env[0], env[1])
			if _, err := sms.ConfigFromEnv(); err == nil {
				t.Errorf("%s=%q accepted", env[0], env[1])
			}
		})
	}
	// Plain http is for a gateway on this machine only.
	t.Setenv(sms.EnvURL, "http://127.0.0.1:9999/sms")
	if _, err := sms.ConfigFromEnv(); err != nil {
		t.Errorf("http to loopback: %v", err)
	}
}
