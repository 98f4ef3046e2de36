package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/fellesrom/fellesrom/internal/app"
	"github.com/fellesrom/fellesrom/internal/finder"
	"github.com/fellesrom/fellesrom/internal/store"
)

// client talks to a test server. Every response it receives is checked
// against the contract and for the headers every API response carries, and
// searched for strings that must never leave the server.
type client struct {
	t         *testing.T
	base      string
	hc        *http.Client
	forbidden []string // e.g. the street of a closed group's meeting place
	expect500 bool     // the test breaks the database on purpose
	logs      *syncBuffer
}

// response is what a test sees of an answer.
type response struct {
	status int
	header http.Header
	body   []byte
}

// newClient serves st the way the program does, through app.Handler.
func newClient(t *testing.T, st *store.Store) *client {
	t.Helper()
	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, nil))
	ts := httptest.NewServer(app.Handler(st, finder.New(st), logger))
	t.Cleanup(ts.Close)
	return &client{t: t, base: ts.URL, hc: ts.Client(), logs: logs}
}

// withT returns a copy of c that reports to t (a subtest).
func (c *client) withT(t *testing.T) *client {
	cc := *c
	cc.t = t
	return &cc
}

func (c *client) get(target string) response { c.t.Helper(); return c.do(http.MethodGet, target) }

// do sends method to target, a path with its raw query string, exactly as
// written (so that malformed escapes reach the server).
func (c *client) do(method, target string) response {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+target, nil)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, target, err)
	}
	res, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, target, err)
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		c.t.Fatalf("%s %s: read body: %v", method, target, err)
	}
	r := response{status: res.StatusCode, header: res.Header, body: body}
	// Redirects (the mux cleaning "/../") are followed; the answer checked
	// is the final one, for the final request.
	final := res.Request
	for _, p := range theContract(c.t).check(final.Method, final.URL.EscapedPath(), r.status, r.header, r.body) {
		c.t.Errorf("contract: %s %s → %d: %s", method, clip([]byte(target), 200), r.status, p)
	}
	c.checkHeaders(method, target, r)
	for _, s := range c.forbidden {
		if bytes.Contains(body, []byte(s)) {
			c.t.Errorf("privacy: %s %s → %d: the response contains %q", method, clip([]byte(target), 200), r.status, s)
		}
	}
	if r.status >= 500 && !c.expect500 {
		c.t.Errorf("%s %s → %d: a server error for client input: %s", method, clip([]byte(target), 200), r.status, clip(body, 500))
	}
	return r
}

// checkHeaders checks what every API response carries: CORS for any
// origin, no cookies, caching only for successful reads.
func (c *client) checkHeaders(method, target string, r response) {
	c.t.Helper()
	h := r.header
	if got := h.Get("Access-Control-Allow-Origin"); got != "*" {
		c.t.Errorf("%s %s: Access-Control-Allow-Origin %q", method, target, got)
	}
	if v := h.Values("Set-Cookie"); len(v) > 0 {
		c.t.Errorf("%s %s: sets a cookie", method, target)
	}
	want := "no-store"
	if r.status == http.StatusOK {
		want = "public, max-age=60"
	}
	if got := h.Get("Cache-Control"); got != want {
		c.t.Errorf("%s %s → %d: Cache-Control %q, want %q", method, target, r.status, got, want)
	}
	if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
		c.t.Errorf("%s %s: X-Content-Type-Options %q", method, target, got)
	}
	if ct := h.Get("Content-Type"); r.status != http.StatusOK || !strings.HasSuffix(target, ".yaml") {
		if ct != "application/json; charset=utf-8" {
			c.t.Errorf("%s %s → %d: Content-Type %q", method, target, r.status, ct)
		}
	}
}

// decode decodes a JSON response into a T.
func decode[T any](t *testing.T, r response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("decode %T: %v\n%s", v, err, clip(r.body, 1000))
	}
	return v
}

// apiErr is the error body.
type apiErr struct {
	Error struct {
		Status  int    `json:"status"`
		Code    string `json:"code"`
		Message string `json:"message"`
		Param   string `json:"param"`
	} `json:"error"`
}

// wantError checks that r is an error with status, code and (if not empty) param.
func wantError(t *testing.T, what string, r response, status int, code, param string) apiErr {
	t.Helper()
	if r.status != status {
		t.Errorf("%s: status %d, want %d: %s", what, r.status, status, clip(r.body, 300))
		return apiErr{}
	}
	e := decode[apiErr](t, r)
	if e.Error.Status != status || e.Error.Code != code || e.Error.Param != param || e.Error.Message == "" {
		t.Errorf("%s: error %+v, want status %d code %s param %q", what, e.Error, status, code, param)
	}
	return e
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
