package harvest_test

import (
	"net"
	"net/url"
	"strings"
	"testing"

	"github.com/fellesrom/fellesrom/internal/harvest"
)

// FuzzFeedURL: any string is accepted or refused with an *Error, never a
// crash; what is accepted is an absolute http(s) URL with a host and no
// user or fragment, and (without allowPrivate) not a literal address of
// this machine or a private network, nor localhost.
func FuzzFeedURL(f *testing.F) {
	for _, s := range []string{"https://example.org/meetings.json", "http://127.0.0.1:8080/x", "http://[::1]/",
		"http://[::ffff:127.0.0.1]/", "http://0x7f000001/", "http://2130706433/", "https://LOCALHOST./", "http://a@b/",
		"javascript:alert(1)", "https://example.org:99999/", "http://10.0.0.1/", "https://exa mple.org/", "http:///x",
		"https://xn--bcher-kva.example/", "http://169.254.169.254/", "https://example.org/#frag", "http://[fe80::1%25eth0]/"} {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, raw string, allowPrivate bool) {
		u, err := harvest.CheckURL(raw, allowPrivate)
		if err != nil {
			if _, ok := err.(*harvest.Error); !ok {
				t.Fatalf("%q: error of type %T", raw, err)
			}
			return
		}
		if u.Scheme != "http" && u.Scheme != "https" {
			t.Fatalf("%q: scheme %q accepted", raw, u.Scheme)
		}
		if u.Hostname() == "" || u.User != nil || u.Fragment != "" {
			t.Fatalf("%q: accepted without a host, or with a user or fragment", raw)
		}
		if again, err := url.Parse(u.String()); err != nil || again.Host != u.Host {
			t.Fatalf("%q: accepted, but %q reads differently", raw, u.String())
		}
		if allowPrivate {
			return
		}
		host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
		if host == "localhost" {
			t.Fatalf("%q: localhost accepted", raw)
		}
		if ip := net.ParseIP(host); ip != nil && (ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() ||
			ip.IsUnspecified()) {
			t.Fatalf("%q: the private address %s accepted", raw, ip)
		}
	})
}
