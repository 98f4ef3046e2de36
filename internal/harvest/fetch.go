// Package harvest reads the feeds organisations register (issue 6 item 3:
// Meeting Guide JSON, an HSDS API, or the CSV layout) and turns each into
// a run: the groups to create, update, link and mark removed, the
// conflicts with local edits, and the rows it rejects, written by
// store.ApplyHarvest in one transaction. A feed that cannot be read, or
// reads as something else than before, is an error in the feed's log and
// changes nothing.
//
// Fetching is careful, since a feed's URL is typed by a user and the
// server is someone else's: http and https only, no loopback or private
// addresses (checked at connection time, so a name that resolves to one
// is refused too), redirects only to the same scheme and host and at most
// three, a time limit for the whole body, a size limit, and a sanity check
// of the Content-Type.
package harvest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/fellesrom/fellesrom/internal/store"
)

// Defaults of Options.
const (
	DefaultTimeout  = 30 * time.Second
	DefaultMaxBytes = 10 << 20
	MaxRedirects    = 3
	// MaxPages is the most pages of an HSDS API read in one run.
	MaxPages = 50
)

// Options tune fetching.
type Options struct {
	// Timeout is the time limit for a request, the whole body included;
	// default DefaultTimeout.
	Timeout time.Duration
	// MaxBytes is the largest body read; default DefaultMaxBytes.
	MaxBytes int64
	// AllowPrivate allows loopback and private addresses (tests, and an
	// installation that harvests its own network on purpose).
	AllowPrivate bool
	// Now is the clock; default time.Now.
	Now func() time.Time
}

func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Error is why a run failed: a code (the catalogue has feeds.err.<code>)
// and a detail in English for the log. It never holds personal data.
type Error struct {
	Code   string
	Detail string
}

func (e *Error) Error() string { return e.Code + ": " + e.Detail }

// Codes of Error.
const (
	ErrBadURL      = "bad_url"
	ErrPrivate     = "private_address"
	ErrRedirect    = "redirect"
	ErrHTTPStatus  = "http_status"
	ErrContentType = "content_type"
	ErrTooLarge    = "too_large"
	ErrTimeout     = "timeout"
	ErrFetch       = "fetch"
	ErrNotFeed     = "not_feed"
	ErrNoUsable    = "no_usable"
	ErrMassRemoval = "mass_removal"
)

func fail(code, format string, args ...any) *Error {
	return &Error{Code: code, Detail: fmt.Sprintf(format, args...)}
}

// CodeOf returns the code of a run's error text ("too_large: …"), or "".
func CodeOf(text string) string {
	code, _, ok := strings.Cut(text, ": ")
	if !ok || strings.ContainsAny(code, " .") {
		return ""
	}
	return code
}

// CheckURL checks a feed's URL as typed: absolute http or https, a host,
// no user name or password, no fragment, and (unless allowPrivate) not a
// literal loopback, private or link-local address or "localhost". Names
// are checked again when connecting.
func CheckURL(raw string, allowPrivate bool) (*url.URL, error) {
	if len(raw) > 2000 {
		return nil, fail(ErrBadURL, "the URL is longer than 2000 characters")
	}
	if strings.TrimSpace(raw) != raw || strings.ContainsAny(raw, " \t\r\n\x00\\") {
		return nil, fail(ErrBadURL, "the URL has spaces or control characters")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fail(ErrBadURL, "not a URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fail(ErrBadURL, "only http and https URLs can be harvested")
	}
	if u.Opaque != "" || u.Host == "" || u.Hostname() == "" {
		return nil, fail(ErrBadURL, "the URL has no host")
	}
	if u.User != nil {
		return nil, fail(ErrBadURL, "the URL must not hold a user name or password")
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return nil, fail(ErrBadURL, "the URL must not have a fragment (#)")
	}
	if p := u.Port(); p != "" {
		if len(p) > 5 || strings.Trim(p, "0123456789") != "" {
			return nil, fail(ErrBadURL, "the URL's port is not a number")
		}
	}
	if !allowPrivate {
		host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
		if host == "localhost" || strings.HasSuffix(host, ".localhost") || strings.HasSuffix(host, ".local") ||
			strings.HasSuffix(host, ".internal") {
			return nil, fail(ErrPrivate, "the URL names this machine or a local network")
		}
		if ip := net.ParseIP(host); ip != nil && !publicIP(ip) {
			return nil, fail(ErrPrivate, "the URL's address is not a public one")
		}
	}
	return u, nil
}

// publicIP says whether ip is an address on the internet: not loopback,
// private, link-local, unspecified, multicast, or shared (100.64/10).
func publicIP(ip net.IP) bool {
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return false
	}
	if v4 := ip.To4(); v4 != nil {
		if v4[0] == 0 || (v4[0] == 100 && v4[1]&0xc0 == 64) || (v4[0] == 192 && v4[1] == 0 && v4[2] == 0) ||
			(v4[0] == 198 && v4[1]&0xfe == 18) || v4[0] >= 240 {
			return false
		}
	}
	return true
}

// client returns an HTTP client for one fetch: its own transport (no
// proxy from the environment, which would hide the address), a dialer
// that refuses non-public addresses, and the redirect rule.
func client(o Options, origin *url.URL) *http.Client {
	dialer := &net.Dialer{Timeout: o.Timeout}
	if !o.AllowPrivate {
		dialer.Control = func(network, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			if ip := net.ParseIP(host); ip == nil || !publicIP(ip) {
				return fail(ErrPrivate, "the feed's host resolves to an address that is not a public one")
			}
			return nil
		}
	}
	tr := &http.Transport{DialContext: dialer.DialContext, TLSHandshakeTimeout: o.Timeout,
		ResponseHeaderTimeout: o.Timeout, MaxIdleConns: 1, DisableKeepAlives: true}
	return &http.Client{Transport: tr, Timeout: o.Timeout, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) > MaxRedirects {
			return fail(ErrRedirect, "more than %d redirects", MaxRedirects)
		}
		if req.URL.Scheme != origin.Scheme || !strings.EqualFold(req.URL.Host, origin.Host) {
			return fail(ErrRedirect, "a redirect to another host or scheme (%s://%s) is not followed",
				req.URL.Scheme, req.URL.Host)
		}
		return nil
	}}
}

// Response is what a fetch got.
type Response struct {
	Body         []byte
	NotModified  bool // 304: the feed is as it was
	ETag         string
	LastModified string
}

// Fetch gets a feed's document. etag and lastModified are those of the
// last harvest (conditional GET). format picks the acceptable media types.
func Fetch(ctx context.Context, rawURL, format, etag, lastModified string, o Options) (Response, error) {
	o = o.withDefaults()
	u, err := CheckURL(rawURL, o.AllowPrivate)
	if err != nil {
		return Response{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return Response{}, fail(ErrBadURL, "not a URL")
	}
	req.Header.Set("User-Agent", "fellesrom-harvest/1 (+https://github.com/fellesrom/fellesrom)")
	if format == store.FeedCSV {
		req.Header.Set("Accept", "text/csv, text/plain;q=0.5")
	} else {
		req.Header.Set("Accept", "application/json")
	}
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	if lastModified != "" {
		req.Header.Set("If-Modified-Since", lastModified)
	}
	c := client(o, u)
	defer c.CloseIdleConnections()
	resp, err := c.Do(req)
	if err != nil {
		return Response{}, fetchError(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotModified && (etag != "" || lastModified != "") {
		return Response{NotModified: true, ETag: etag, LastModified: lastModified}, nil
	}
	if resp.StatusCode != http.StatusOK {
		return Response{}, fail(ErrHTTPStatus, "the server answered %s", resp.Status)
	}
	if err := checkContentType(resp.Header.Get("Content-Type"), format); err != nil {
		return Response{}, err
	}
	if resp.ContentLength > o.MaxBytes {
		return Response{}, fail(ErrTooLarge, "the feed is %d bytes, more than the limit of %d", resp.ContentLength, o.MaxBytes)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, o.MaxBytes+1))
	if err != nil {
		return Response{}, fetchError(err)
	}
	if int64(len(body)) > o.MaxBytes {
		return Response{}, fail(ErrTooLarge, "the feed is larger than the limit of %d bytes", o.MaxBytes)
	}
	return Response{Body: body, ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}, nil
}

func fetchError(err error) error {
	var he *Error
	if errors.As(err, &he) {
		return he
	}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return fail(ErrTimeout, "the server did not send the whole feed in time")
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return fail(ErrFetch, "%v", err)
}

// checkContentType refuses a body that says it is something else: HTML
// (an error page, a login wall) above all.
func checkContentType(header, format string) error {
	if header == "" {
		return nil
	}
	mt, _, err := mime.ParseMediaType(header)
	if err != nil {
		return fail(ErrContentType, "the Content-Type %q cannot be read", shorten(header, 80))
	}
	ok := false
	switch format {
	case store.FeedCSV:
		ok = mt == "text/csv" || mt == "text/plain" || mt == "application/csv" || mt == "application/vnd.ms-excel" ||
			mt == "application/octet-stream"
	default:
		ok = mt == "application/json" || strings.HasSuffix(mt, "+json") || mt == "text/json" ||
			mt == "text/plain" || mt == "application/octet-stream" || mt == "text/javascript"
	}
	if !ok {
		return fail(ErrContentType, "the server sent %s, not what a %s feed is", mt, format)
	}
	return nil
}

func shorten(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
