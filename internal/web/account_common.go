package web

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/store"
)

// Staff accounts: the staff page with invitations (/kontor/brukere), the
// page of an invitation's link (/invitasjon/{token}), and password reset
// (/glemt-passord, /nytt-passord/{token}). What is common to them is here:
// the routes, the absolute links in mails, and the rules for pages whose
// URL carries a token.

func init() {
	staffAreas = append(staffAreas, accountRoutes)
	// The sign-in page's notice after a password reset (the sign-in page
	// shows the notice of ?melding=…).
	signinNotices["nytt-passord"] = "account.notice_password_changed"
}

func accountRoutes(s *site, mux *http.ServeMux, lang, p string) {
	mux.Handle(p+"/kontor/brukere", s.methods(lang, s.staff(s.accountUsersPage, false), s.staff(s.accountUsersPost, false)))
	mux.Handle(p+"/kontor/brukere/invitasjoner", s.methods(lang, nil, s.staff(s.accountInvitesPost, false)))
	mux.Handle(p+"/invitasjon/{token}", accountTokenPage(s.methods(lang, s.accountInvitePage, s.accountInvitePost)))
	mux.Handle(p+"/glemt-passord", s.methods(lang, s.accountForgotPage, s.accountForgotPost))
	mux.Handle(p+"/nytt-passord/{token}", accountTokenPage(s.methods(lang, s.accountResetPage, s.accountResetPost)))
}

// AccountManagesStaff reports whether the signed-in user has the staff
// page, /kontor/brukere, for a link to it in the back office's menu: an
// administrator or a coordinator (what auth.ManagesStaff decides with the
// tree; every membership's organisation is in the tree).
func (v staffView) AccountManagesStaff() bool {
	if v.Me == nil || v.Me.Stage() != auth.StageDone {
		return false
	}
	if v.Me.User.Admin {
		return true
	}
	for _, m := range v.Me.User.Memberships {
		if m.Role == store.RoleCoordinator {
			return true
		}
	}
	return false
}

// Links in mails are built on EnvPublicURL (FELLESROM_PUBLIC_URL, see
// sso_signin.go), checked more strictly than single sign-on does: a link
// that carries a token must never point at a host the setting did not
// name, so a broken setting sends no mail rather than falling back to the
// request's Host.

// accountPublicURL reads and checks FELLESROM_PUBLIC_URL: an https URL with a
// host and nothing else (http only for a loopback host), or "".
func accountPublicURL() (string, error) {
	raw := strings.TrimSpace(os.Getenv(EnvPublicURL))
	if raw == "" {
		return "", nil
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" ||
		(u.Path != "" && u.Path != "/") || !accountValidHost(u.Host) ||
		!(u.Scheme == "https" || u.Scheme == "http" && accountLoopback(u.Host)) {
		return "", errors.New(EnvPublicURL + " must be an https URL with a host and no path, such as https://fellesrom.example.no")
	}
	return u.Scheme + "://" + strings.ToLower(u.Host), nil
}

// CheckPublicURL is what serve checks at start: a FELLESROM_PUBLIC_URL
// that does not parse stops the server, and so does none at all when the
// server listens on anything but a loopback address. Without it, links in
// mails and the passkey origin would follow the Host header the client
// sends (see accountLinkBase); that is acceptable only on a developer's
// own machine.
func CheckPublicURL(listen string) error {
	base, err := accountPublicURL()
	if err != nil || base != "" {
		return err
	}
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		host = listen
	}
	if host == "" || !accountLoopback(host) {
		return fmt.Errorf("set %s to the site's address (such as https://fellesrom.example.no): "+
			"the server listens on %s, beyond this machine, and links in mails must not follow the client's Host header",
			EnvPublicURL, listen)
	}
	return nil
}

// accountValidHost reports whether h is a host name or address, with an optional
// port, and nothing else.
func accountValidHost(h string) bool {
	if h == "" || len(h) > 260 {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' ||
			c == ':' || c == '[' || c == ']') {
			return false
		}
	}
	host, port, err := net.SplitHostPort(h)
	if err != nil {
		host, port = h, ""
	}
	if port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return false
		}
	}
	host = strings.Trim(host, "[]")
	return host != "" && !strings.HasPrefix(host, ".") && !strings.HasPrefix(host, "-")
}

func accountLoopback(h string) bool {
	host, _, err := net.SplitHostPort(h)
	if err != nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

var accountWarnHost sync.Once

// accountLinkBase is the scheme and host of links in mails:
// FELLESROM_PUBLIC_URL if it is set, else the request's Host, over https
// whenever the session cookie would be Secure (auth.Service.Secure: TLS,
// or any host but a loopback one, unless FELLESROM_SECURE_COOKIES says
// otherwise).
//
// The fallback trusts the Host header, which the client sets: anyone who
// can reach the server directly with a forged Host could make a reset mail
// link to their own host, and a person who followed that link would hand
// them the token. A proxy that passes only its own host names closes that
// hole; FELLESROM_PUBLIC_URL closes it for good, and production should set
// it. The program warns once when it builds a link without it.
func (s *site) accountLinkBase(r *http.Request) (string, error) {
	base, err := accountPublicURL()
	if err != nil || base != "" {
		return base, err
	}
	if !accountValidHost(r.Host) {
		return "", errors.New("the request has no usable Host for a link")
	}
	accountWarnHost.Do(func() {
		s.log.Warn("mail links are built from the request's Host; set " + EnvPublicURL + " to the site's address")
	})
	scheme := "https"
	if !s.auth.Secure(r) {
		scheme = "http"
	}
	return scheme + "://" + strings.ToLower(r.Host), nil
}

// accountLinker makes the links of mails sent while answering r.
func (s *site) accountLinker(r *http.Request) (auth.LinkFunc, error) {
	base, err := s.accountLinkBase(r)
	if err != nil {
		return nil, err
	}
	return func(lang, path string) string { return base + prefix(lang) + path }, nil
}

// accountTokenPage wraps the handler of a page whose URL carries a token: every
// answer, error pages too, is no-store and sends no Referer (the site
// sends Referrer-Policy: no-referrer anyway; this does not depend on it).
func accountTokenPage(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(&accountNoStore{ResponseWriter: w}, r)
	})
}

type accountNoStore struct {
	http.ResponseWriter
	done bool
}

func (w *accountNoStore) set() {
	if !w.done {
		w.done = true
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Referrer-Policy", "no-referrer")
	}
}

func (w *accountNoStore) WriteHeader(code int) {
	w.set()
	w.ResponseWriter.WriteHeader(code)
}

func (w *accountNoStore) Write(b []byte) (int, error) {
	w.set()
	return w.ResponseWriter.Write(b)
}

func (w *accountNoStore) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// accountLinkView is a page reached from a link with a token.
type accountLinkView struct {
	staffView
	Email    string // the account's or the invitation's address
	Done     bool   // the form is not shown
	Heading  string // message id of the h1, for the invalid page
	Message  string // message id of the page's text, for the invalid page
	SignedIn bool
}

// MinPassword is the shortest password the policy takes.
func (accountLinkView) MinPassword() int { return auth.MinPasswordLen }

// Action is the page's own path, where its form posts.
func (v *accountLinkView) Action() string { return v.Href(v.path) }

// accountInvalidLink is the one page for a token that cannot be used: unknown,
// used, expired, revoked or of a disabled account. Always 410.
func (s *site) accountInvalidLink(w http.ResponseWriter, r *http.Request, lang, path, message string) {
	v := &accountLinkView{staffView: s.newStaffView(lang, path, nil), Heading: "account.invalid_h1", Message: message}
	v.Title = v.S("account.invalid_title")
	s.render(w, r, http.StatusGone, "account_invalid", v)
}

// accountTooMany answers a token attempt over the network's limit.
func (s *site) accountTooMany(w http.ResponseWriter, r *http.Request, lang, path string, rl *auth.RateLimitedError) {
	v := &accountLinkView{staffView: s.newStaffView(lang, path, nil), Heading: "account.limited_h1", Message: "account.limited_p"}
	v.Title = v.S("account.limited_h1")
	s.render(w, r, s.rateLimited(w, &v.staffView, rl, ""), "account_invalid", v)
}

// accountPasswordError puts a refused password's message on the field.
func accountPasswordError(v *staffView, field string, err error) bool {
	var pe *auth.PolicyError
	if !errors.As(err, &pe) {
		return false
	}
	kv := make([]any, 0, 2*len(pe.Data))
	for k, x := range pe.Data {
		kv = append(kv, k, x)
	}
	v.fail(field, pe.ID, kv...)
	return true
}

// accountClipPassword keeps a typed password to a length no password has, so that
// nobody makes the server hash megabytes.
func accountClipPassword(p string) string {
	if len(p) > 4*auth.MaxPasswordLen {
		return p[:4*auth.MaxPasswordLen]
	}
	return p
}
