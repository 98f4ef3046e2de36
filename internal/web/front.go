package web

import (
	"net/http"

	"github.com/fellesrom/fellesrom/internal/domain"
)

// frontView is the front page: what a self-help group is and is not, a
// search box, and the themes.
type frontView struct {
	page
	Themes []domain.Theme
}

func (s *site) front(w http.ResponseWriter, r *http.Request, lang string) {
	cat, err := s.finder.Catalog(r.Context())
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	v := &frontView{page: s.newPage(lang, "/"), Themes: cat.Themes}
	v.Title = v.S("front.title")
	v.Nav = "home"
	s.render(w, r, http.StatusOK, "front", v)
}
