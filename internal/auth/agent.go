package auth

import (
	"net/http"
	"strings"

	"github.com/fellesrom/fellesrom/internal/store"
)

// Meta is what a request tells about where it comes from, as far as it may
// be kept: the network truncated, and a summary of the browser.
type Meta struct {
	Source string // store.SourceOf the remote address: "192.0.2.0/24"
	Agent  string // "Firefox, Linux"
}

// MetaOf reads the Meta of a request. (Behind a proxy the remote address is
// the proxy's; trusting X-Forwarded-For is a setting for later.)
func MetaOf(r *http.Request) Meta {
	return Meta{Source: store.SourceOf(r.RemoteAddr), Agent: AgentSummary(r.UserAgent())}
}

// AgentSummary names the browser and the system of a User-Agent header in
// a few words, so that a person recognises their sessions. The raw header
// is never stored: with its version numbers it is close to a fingerprint.
func AgentSummary(ua string) string {
	var browser, system string
	has := func(s string) bool { return strings.Contains(ua, s) }
	switch {
	case has("Edg/") || has("Edge/"):
		browser = "Edge"
	case has("OPR/") || has("Opera"):
		browser = "Opera"
	case has("SamsungBrowser/"):
		browser = "Samsung Internet"
	case has("Firefox/") || has("FxiOS/"):
		browser = "Firefox"
	case has("HeadlessChrome/"):
		browser = "Chrome (headless)"
	case has("Chrome/") || has("CriOS/") || has("Chromium/"):
		browser = "Chrome"
	case has("Safari/") && has("Version/"):
		browser = "Safari"
	}
	switch {
	case has("iPhone") || has("iPad") || has("iPod"):
		system = "iOS"
	case has("Android"):
		system = "Android"
	case has("CrOS"):
		system = "ChromeOS"
	case has("Windows"):
		system = "Windows"
	case has("Macintosh") || has("Mac OS X"):
		system = "macOS"
	case has("Linux"):
		system = "Linux"
	}
	switch {
	case browser != "" && system != "":
		return browser + ", " + system
	case browser != "":
		return browser
	default:
		return system
	}
}
