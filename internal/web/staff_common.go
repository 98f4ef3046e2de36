package web

import (
	"errors"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/i18n"
)

// The staff pages: sign-in, sign-out and the back office under /kontor.
// Every one is sent with Cache-Control: no-store, works without
// JavaScript, and changes state only by POST (which app's
// http.CrossOriginProtection guards against cross-site requests; the
// session cookie is SameSite=Lax besides).

func (s *site) staffRoutes(mux *http.ServeMux, lang, p string) {
	mux.Handle(p+"/logg-inn", s.methods(lang, s.signinPage, s.signinPost))
	mux.Handle(p+"/logg-inn/kode", s.methods(lang, s.codePage, s.codePost))
	mux.Handle(p+"/logg-ut", s.methods(lang, nil, s.signoutPost))
	mux.Handle(p+"/kontor", s.methods(lang, s.staff(s.staffHome, false), nil))
	mux.Handle(p+"/kontor/totp", s.methods(lang, s.staff(s.totpPage, true), s.staff(s.totpPost, true)))
	mux.Handle(p+"/kontor/okter", s.methods(lang, s.staff(s.sessionsPage, false), s.staff(s.sessionsPost, false)))
	// Each part of the back office registers its own routes in its own file.
	for _, register := range staffAreas {
		register(s, mux, lang, p)
	}
	// Anything else under /kontor/ is a 404 for the signed-in, and a
	// sign-in page for everyone else: no one learns what exists.
	mux.Handle(p+"/kontor/", s.methods(lang, s.staff(func(w http.ResponseWriter, r *http.Request, lang string, _ *auth.Current) {
		s.notFound(w, r, lang)
	}, false), nil))
}

// staffAreas are the parts of the back office beyond sign-in; each file that
// adds one appends its route function here from an init function.
var staffAreas []func(s *site, mux *http.ServeMux, lang, p string)

// methods answers GET and HEAD with get, POST with post (either may be nil),
// and anything else with 405.
func (s *site) methods(lang string, get, post pageHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var h pageHandler
		switch r.Method {
		case http.MethodGet, http.MethodHead:
			h = get
		case http.MethodPost:
			h = post
		}
		if h == nil {
			allow := []string{}
			if get != nil {
				allow = append(allow, "GET", "HEAD")
			}
			if post != nil {
				allow = append(allow, "POST")
			}
			w.Header().Set("Allow", strings.Join(allow, ", "))
			s.methodNotAllowed(w, r, lang)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		h(w, r, lang)
	})
}

// staffHandler is a page for a signed-in user.
type staffHandler func(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current)

// staff lets through a user who is signed in. Anyone else goes to the
// sign-in page (with the page as the way back, for a GET); a user who owes
// the TOTP code goes to the code step; a user who must enrol a second
// factor and has none goes to enrolment, unless enrol is set (the page is
// the enrolment).
func (s *site) staff(h staffHandler, enrol bool) pageHandler {
	return func(w http.ResponseWriter, r *http.Request, lang string) {
		me, err := s.current(r)
		if err != nil {
			s.serverError(w, r, lang, err)
			return
		}
		back := ""
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			back = safeNext(r.URL.Path)
		}
		if me == nil {
			q := url.Values{}
			if back != "" {
				q.Set("neste", back)
			}
			if s.auth.TokenOf(r) != "" {
				s.auth.ClearCookie(w, r)
				q.Set("melding", "utlopt")
			}
			s.seeOther(w, r, withQuery(prefix(lang)+"/logg-inn", q))
			return
		}
		switch me.Stage() {
		case auth.StageCode:
			q := url.Values{}
			if back != "" {
				q.Set("neste", back)
			}
			s.seeOther(w, r, withQuery(prefix(lang)+"/logg-inn/kode", q))
			return
		case auth.StageEnrol:
			if !enrol {
				s.seeOther(w, r, prefix(lang)+"/kontor/totp")
				return
			}
		}
		h(w, r, lang, me)
	}
}

// current is the session of the request, or nil.
func (s *site) current(r *http.Request) (*auth.Current, error) {
	tok := s.auth.TokenOf(r)
	if tok == "" {
		return nil, nil
	}
	me, err := s.auth.Authenticate(r.Context(), tok, auth.MetaOf(r))
	if errors.Is(err, auth.ErrNoSession) {
		return nil, nil
	}
	return me, err
}

// seeOther redirects with 303, which a browser follows with a GET.
func (s *site) seeOther(w http.ResponseWriter, r *http.Request, to string) {
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, to, http.StatusSeeOther)
}

func withQuery(p string, q url.Values) string {
	if len(q) == 0 {
		return p
	}
	return p + "?" + q.Encode()
}

// safeNext returns the path to go back to after sign-in if it is one of
// the back office's own pages ("/kontor…", in any language), else "".
// Nothing else passes: no scheme, no host, no "//", no backslash, no
// query, so that the sign-in page can never send anyone elsewhere.
func safeNext(p string) string {
	if p == "" || len(p) > 200 || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") {
		return ""
	}
	for i := 0; i < len(p); i++ {
		if c := p[i]; c < 0x21 || c > 0x7e || c == '\\' || c == '?' || c == '#' || c == '%' || c == '@' || c == ':' {
			return ""
		}
	}
	if path.Clean(p) != p {
		return ""
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Path != p {
		return ""
	}
	rest := p
	for _, l := range i18n.Languages {
		if pre := prefix(l); pre != "" && strings.HasPrefix(p, pre+"/") {
			rest = p[len(pre):]
		}
	}
	if rest != "/kontor" && !strings.HasPrefix(rest, "/kontor/") {
		return ""
	}
	return p
}

// staffView is what every staff page has.
type staffView struct {
	page
	Me       *auth.Current // nil on the sign-in pages
	Section  string        // the current item of the back office's menu
	Notice   string        // message id of a notice at the top, or ""
	Errors   []fieldError
	errorFor map[string]*Phrase
}

func (s *site) newStaffView(lang, path string, me *auth.Current) staffView {
	return staffView{page: s.newPage(lang, path), Me: me, errorFor: map[string]*Phrase{}}
}

func (staffView) private() bool { return true }

// Err is the message for a field, or nil.
func (v *staffView) Err(field string) *Phrase { return v.errorFor[field] }

// fail adds an error about a field (anchor is the field's id, "" for none).
func (v *staffView) fail(anchor, id string, kv ...any) {
	ph := v.L(id, kv...)
	v.Errors = append(v.Errors, fieldError{Anchor: anchor, Message: ph})
	if anchor != "" {
		v.errorFor[anchor] = &ph
	}
}

// When formats a time as "2. mars 2026 kl. 09.15" in Europe/Oslo.
func (v staffView) When(t time.Time) Phrase {
	if t.IsZero() {
		return Phrase{}
	}
	w := newWords(v.cat, v.Lang, "date.with_time")
	if loc, err := time.LoadLocation(domain.DefaultTimeZone); err == nil {
		t = t.In(loc)
	}
	return Phrase{w.t("date.with_time", "Date", w.dateMedium(t), "Time", w.clock(t)), w.lang}
}

// rateLimited answers a sign-in attempt over the limits: 429, with when to
// try again.
func (s *site) rateLimited(w http.ResponseWriter, v *staffView, rl *auth.RateLimitedError, anchor string) int {
	minutes := int(rl.RetryAfter.Minutes()) + 1
	w.Header().Set("Retry-After", strconv.Itoa(int(rl.RetryAfter.Seconds())+1))
	v.fail(anchor, "auth.rate_limited", "Minutes", minutes)
	return http.StatusTooManyRequests
}

// staffWith pairs a staff view with a value for a shared template part.
type staffWith struct {
	*staffView
	V any
}

// With pairs the view with a value for a shared template part.
func (v *staffView) With(x any) staffWith { return staffWith{v, x} }

// allowedAnywhere reports whether p may do perm in some organisation (or,
// for an administrator, anywhere): for the links of the back office's menu.
func allowedAnywhere(p auth.Principal, perm auth.Permission) bool {
	if p.Admin {
		return auth.Allowed(p, perm, "", nil)
	}
	for _, m := range p.Memberships {
		if auth.Allowed(p, perm, m.OrgID, auth.Tree{}) {
			return true
		}
	}
	return false
}

// staffHandlers returns h(get, post), the handler of a back-office route:
// GET (and HEAD) by get, POST by post (either may be nil), each for a
// signed-in user past their second factor. The role matrix reads routes
// registered as mux.Handle(pattern, h(get, post)).
func (s *site) staffHandlers(lang string) func(get, post staffHandler) http.Handler {
	return func(get, post staffHandler) http.Handler {
		var g, ps pageHandler
		if get != nil {
			g = s.staff(get, false)
		}
		if post != nil {
			ps = s.staff(post, false)
		}
		return s.methods(lang, g, ps)
	}
}
