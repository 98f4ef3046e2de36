package app

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestClientAddressBehindTrustedProxy(t *testing.T) {
	trusted, err := ParseTrustedProxies("10.0.0.0/8, 127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseTrustedProxies("10.0.0.0/33"); err == nil {
		t.Error("a bad network accepted")
	}
	var seen string
	h := clientAddress(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen = r.RemoteAddr }), trusted)
	for _, c := range []struct{ peer, xff, want string }{
		{"127.0.0.1:5000", "198.51.100.7", "198.51.100.7:0"},                       // one trusted proxy
		{"10.1.2.3:5000", "203.0.113.9, 198.51.100.7, 10.0.0.5", "198.51.100.7:0"}, // client forged the first hop
		{"192.0.2.1:5000", "198.51.100.7", "192.0.2.1:5000"},                       // untrusted peer: header ignored
		{"127.0.0.1:5000", "", "127.0.0.1:5000"},                                   // no header
		{"127.0.0.1:5000", "garbage, 10.0.0.1", "10.0.0.1:0"},                      // malformed hop stops the walk
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.peer
		if c.xff != "" {
			r.Header.Set("X-Forwarded-For", c.xff)
		}
		h.ServeHTTP(httptest.NewRecorder(), r)
		if seen != c.want {
			t.Errorf("peer %s, X-Forwarded-For %q: client %s, want %s", c.peer, c.xff, seen, c.want)
		}
	}
}
