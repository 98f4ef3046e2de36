// Package smstest runs a local HTTP SMS gateway for tests: it records each
// request (its JSON, its Authorization header) and answers with the
// statuses it is told, or not at all.
package smstest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// Request is a request the gateway got.
type Request struct {
	Method, Path, ContentType, Authorization string
	To, From, Text                           string
	Body                                     []byte // the raw JSON
}

// Gateway is a running gateway on 127.0.0.1. It stops when the test ends.
type Gateway struct {
	URL string // where to POST

	srv     *httptest.Server
	mu      sync.Mutex
	got     []Request
	answers []int
	hang    bool
	stop    chan struct{}
}

// Start starts a gateway that answers the first requests with the statuses
// in answers, in order, and the rest with 200.
func Start(t testing.TB, answers ...int) *Gateway {
	t.Helper()
	g := &Gateway{answers: answers, stop: make(chan struct{})}
	g.srv = httptest.NewServer(http.HandlerFunc(g.serve))
	g.URL = g.srv.URL + "/v1/sms"
	t.Cleanup(func() {
		close(g.stop)
		g.srv.Close()
	})
	return g
}

// Hang makes the gateway read each request and then never answer (until
// the client gives up or the test ends).
func (g *Gateway) Hang() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.hang = true
}

func (g *Gateway) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	req := Request{Method: r.Method, Path: r.URL.Path, ContentType: r.Header.Get("Content-Type"),
		Authorization: r.Header.Get("Authorization"), Body: body}
	var j struct{ To, From, Text string }
	if json.Unmarshal(body, &j) == nil {
		req.To, req.From, req.Text = j.To, j.From, j.Text
	}
	g.mu.Lock()
	g.got = append(g.got, req)
	hang := g.hang
	status := http.StatusOK
	if len(g.answers) > 0 {
		status, g.answers = g.answers[0], g.answers[1:]
	}
	g.mu.Unlock()
	if hang {
		select {
		case <-r.Context().Done():
		case <-g.stop:
		}
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	// What real gateways do: quote the message back.
	_, _ = w.Write(body)
}

// Requests returns the requests so far.
func (g *Gateway) Requests() []Request {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]Request(nil), g.got...)
}
