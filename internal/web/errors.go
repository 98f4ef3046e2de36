package web

import (
	"github.com/fellesrom/fellesrom/internal/logpath"
	"net/http"
)

// errorView is a page that says what went wrong and where to go instead.
type errorView struct {
	page
	Heading string // message id
	Message string // message id
}

func (s *site) errorPage(w http.ResponseWriter, r *http.Request, lang string, status int, title, message string) {
	v := &errorView{page: s.newPage(lang, "/"), Heading: title, Message: message}
	v.Title = v.S(title)
	s.render(w, r, status, "error", v)
}

// notFound is the 404 page.
func (s *site) notFound(w http.ResponseWriter, r *http.Request, lang string) {
	s.errorPage(w, r, lang, http.StatusNotFound, "error.not_found_title", "error.not_found_p")
}

// badAddress is the 400 page for a path that cannot name anything, such as
// a slug with characters no slug has.
func (s *site) badAddress(w http.ResponseWriter, r *http.Request, lang string) {
	s.errorPage(w, r, lang, http.StatusBadRequest, "error.bad_address_title", "error.bad_address_p")
}

// methodNotAllowed is the 405 page.
func (s *site) methodNotAllowed(w http.ResponseWriter, r *http.Request, lang string) {
	s.errorPage(w, r, lang, http.StatusMethodNotAllowed, "error.method_title", "error.method_p")
}

// serverError logs err (never the query string, which may say what a person
// searched for) and shows the 500 page.
func (s *site) serverError(w http.ResponseWriter, r *http.Request, lang string, err error) {
	s.log.Error("web: page failed", "path", logpath.Of(r), "err", err)
	s.errorPage(w, r, lang, http.StatusInternalServerError, "error.server_title", "error.server_p")
}

// validSlug reports whether s can be the slug (or the UUID) of a group or
// an organisation: lower-case ASCII letters, digits and hyphens.
func validSlug(s string) bool {
	if s == "" || len(s) > 120 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
