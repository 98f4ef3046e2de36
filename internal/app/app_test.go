package app_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fellesrom/fellesrom/internal/app"
	"github.com/fellesrom/fellesrom/internal/finder"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
	"github.com/fellesrom/fellesrom/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

func server(t *testing.T, st *store.Store) (*httptest.Server, *bytes.Buffer) {
	t.Helper()
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	srv := httptest.NewServer(app.Handler(st, finder.New(st), logger))
	t.Cleanup(srv.Close)
	return srv, &logs
}

func TestHealthz(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		srv, _ := server(t, st)
		res, err := http.Get(srv.URL + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("healthz: %d", res.StatusCode)
		}
		st.Close() // the database stops answering
		res, err = http.Get(srv.URL + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("healthz with the database closed: %d", res.StatusCode)
		}
	})
}

func TestSecurityHeadersAndNoQueryInLogs(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	srv, logs := server(t, st)
	res, err := http.Get(srv.URL + "/?q=hemmelig-søk-etter-pårørende")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	for h, want := range map[string]string{
		"Content-Security-Policy": app.ContentSecurityPolicy,
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "no-referrer",
		"X-Frame-Options":         "DENY",
	} {
		if got := res.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	if !strings.Contains(app.ContentSecurityPolicy, "script-src 'self'") || strings.Contains(app.ContentSecurityPolicy, "unsafe") {
		t.Errorf("CSP is not strict: %s", app.ContentSecurityPolicy)
	}
	if strings.Contains(logs.String(), "hemmelig") || strings.Contains(logs.String(), "p%C3%A5r") {
		t.Errorf("the query string reached the log:\n%s", logs)
	}
	if !strings.Contains(logs.String(), "path=/") {
		t.Errorf("no access log line:\n%s", logs)
	}
}

func TestGzip(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	srv, _ := server(t, st)
	req, _ := http.NewRequest("GET", srv.URL+"/", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("not compressed: %v", res.Header)
	}
	zr, err := gzip.NewReader(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(body, []byte("<html")) {
		t.Errorf("body after gunzip: %.100s", body)
	}
	// Without Accept-Encoding: plain.
	req.Header.Del("Accept-Encoding")
	res2, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	res2.Body.Close()
	if res2.Header.Get("Content-Encoding") != "" {
		t.Error("compressed without Accept-Encoding")
	}
}

func TestCrossOriginPostRejected(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	srv, _ := server(t, st)
	req, _ := http.NewRequest("POST", srv.URL+"/", strings.NewReader("a=b"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site POST: %d, want 403", res.StatusCode)
	}
}

func TestSecurityTxtAndBodyLimit(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	srv, _ := server(t, st)
	res, err := http.Get(srv.URL + "/.well-known/security.txt")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), "Contact: mailto:") || !strings.Contains(string(body), "Expires: ") {
		t.Errorf("security.txt: %d %s", res.StatusCode, body)
	}
	big := strings.NewReader("a=" + strings.Repeat("x", app.MaxBodyBytes+10))
	req, _ := http.NewRequest("POST", srv.URL+"/", big)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("a body over the limit: %d", res.StatusCode)
	}
}

func TestHSTSOnEveryResponse(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	tlsSrv := httptest.NewTLSServer(app.Handler(st, finder.New(st), slog.New(slog.DiscardHandler)))
	defer tlsSrv.Close()
	plain, _ := server(t, st)
	for _, c := range []struct {
		client *http.Client
		url    string
	}{{tlsSrv.Client(), tlsSrv.URL + "/healthz"}, {http.DefaultClient, plain.URL + "/healthz"}, {http.DefaultClient, plain.URL + "/no-such-page"}} {
		res, err := c.client.Get(c.url)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if got := res.Header.Get("Strict-Transport-Security"); got != "max-age=63072000; includeSubDomains" {
			t.Errorf("%s: HSTS %q", c.url, got)
		}
	}
	for _, d := range []string{"object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"} {
		if !strings.Contains(app.ContentSecurityPolicy, d) {
			t.Errorf("CSP lacks %s", d)
		}
	}
}

func TestNoTokensInLogs(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	srv, logs := server(t, st)
	token := "hemmeligTOKENabcdefghijklmnopqrstuvwxyz0123"
	for _, p := range []string{"/invitasjon/" + token, "/en/nytt-passord/" + token, "/nn/invitasjon/" + token + "/x"} {
		res, err := http.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	if strings.Contains(logs.String(), "hemmelig") {
		t.Errorf("a token reached the log:\n%s", logs)
	}
	for _, want := range []string{"path=/invitasjon/…", "path=/en/nytt-passord/…"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("no %q in the log", want)
		}
	}
}
