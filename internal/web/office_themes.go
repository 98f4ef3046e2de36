package web

import (
	"net/http"
	"strconv"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/domain"
)

// Themes: the managed taxonomy, for administrators (auth.ManageTaxonomy).

// officeTaxonomy checks that the user may manage the taxonomy; otherwise
// it answers 404.
func (s *site) officeTaxonomy(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) bool {
	if !auth.Allowed(me.Principal(), auth.ManageTaxonomy, "", nil) {
		s.notFound(w, r, lang)
		return false
	}
	return true
}

type officeThemesView struct {
	*officeView
	Themes []domain.Theme
}

// officeThemesPage is GET /kontor/tema.
func (s *site) officeThemesPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	if !s.officeTaxonomy(w, r, lang, me) {
		return
	}
	themes, err := s.store.Themes(r.Context())
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	v := &officeThemesView{officeView: s.newOfficeView(r, lang, "/kontor/tema", me, "themes", "office.themes_title"), Themes: themes}
	s.render(w, r, http.StatusOK, "office_themes", v)
}

type officeThemeView struct {
	*officeView
	Theme  domain.Theme
	New    bool
	Action string
}

// officeTextLangs are the languages a theme's name is written in.
var officeThemeLangs = []string{"nb", "nn", "en", "se"}

var officeThemeFields = []string{"slug", "name_nb", "name_nn", "name_en", "name_se", "sort_order", "active"}

func officeThemeForm(v *officeView, t domain.Theme) {
	v.set("slug", t.Slug)
	for _, l := range officeThemeLangs {
		v.set("name_"+l, t.Name[l])
	}
	v.set("sort_order", strconv.Itoa(t.SortOrder))
	v.set("active", officeBool(t.Active))
}

func (s *site) newOfficeThemeView(r *http.Request, lang string, me *auth.Current, t domain.Theme) *officeThemeView {
	if t.ID == "" {
		v := &officeThemeView{officeView: s.newOfficeView(r, lang, "/kontor/tema/ny", me, "themes", "office.theme_new_title"), New: true}
		v.Action = v.Href("/kontor/tema/ny")
		return v
	}
	path := "/kontor/tema/" + t.ID
	v := &officeThemeView{officeView: s.newOfficeView(r, lang, path, me, "themes", "office.theme_edit_title", "Name", t.Name.In(lang)), Theme: t}
	v.Action = v.Href(path)
	return v
}

// officeThemeLoad loads the theme of the path.
func (s *site) officeThemeLoad(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) ([]domain.Theme, domain.Theme, bool) {
	if !s.officeTaxonomy(w, r, lang, me) {
		return nil, domain.Theme{}, false
	}
	themes, err := s.store.Themes(r.Context())
	if err != nil {
		s.serverError(w, r, lang, err)
		return nil, domain.Theme{}, false
	}
	if id := officePathID(r, "id"); id != "" {
		for _, t := range themes {
			if t.ID == id {
				return themes, t, true
			}
		}
	}
	s.notFound(w, r, lang)
	return nil, domain.Theme{}, false
}

// officeThemeNewPage is GET /kontor/tema/ny.
func (s *site) officeThemeNewPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	if !s.officeTaxonomy(w, r, lang, me) {
		return
	}
	v := s.newOfficeThemeView(r, lang, me, domain.Theme{})
	officeThemeForm(v.officeView, domain.Theme{Active: true})
	s.render(w, r, http.StatusOK, "office_theme_form", v)
}

// officeThemeNewPost is POST /kontor/tema/ny.
func (s *site) officeThemeNewPost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	if !s.officeTaxonomy(w, r, lang, me) {
		return
	}
	themes, err := s.store.Themes(r.Context())
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	s.officeThemeSave(w, r, lang, me, themes, domain.Theme{})
}

// officeThemeEditPage is GET /kontor/tema/{id}.
func (s *site) officeThemeEditPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	_, t, ok := s.officeThemeLoad(w, r, lang, me)
	if !ok {
		return
	}
	v := s.newOfficeThemeView(r, lang, me, t)
	officeThemeForm(v.officeView, t)
	s.render(w, r, http.StatusOK, "office_theme_form", v)
}

// officeThemeEditPost is POST /kontor/tema/{id}.
func (s *site) officeThemeEditPost(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	themes, t, ok := s.officeThemeLoad(w, r, lang, me)
	if ok {
		s.officeThemeSave(w, r, lang, me, themes, t)
	}
}

func (s *site) officeThemeSave(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current, themes []domain.Theme, t domain.Theme) {
	if !s.officeParse(w, r, lang) {
		return
	}
	v := s.newOfficeThemeView(r, lang, me, t)
	v.keep(r.PostForm, officeThemeFields...)
	for _, l := range officeThemeLangs {
		name := v.line("name_"+l, 100)
		if l == "nb" && name == "" && v.Err("name_nb") == nil {
			v.fail("name_nb", "office.err_name")
		}
		t.Name = officeWithText(t.Name, l, name)
	}
	t.Slug = v.slugField(t.Name["nb"])
	for _, other := range themes {
		if other.Slug == t.Slug && other.ID != t.ID && v.Err("slug") == nil {
			v.fail("slug", "office.err_slug_taken")
		}
	}
	t.SortOrder = v.integer("sort_order", -10000, 10000, 0)
	t.Active = v.checked("active")
	if len(v.Errors) > 0 {
		s.officeFail(w, r, "office_theme_form", v)
		return
	}
	isNew := t.ID == ""
	if err := s.store.SaveTheme(officeCtx(r, me), &t); err != nil {
		s.officeErr(w, r, lang, err)
		return
	}
	notice := "lagret"
	if isNew {
		notice = "opprettet"
	}
	s.officeDone(w, r, lang, "/kontor/tema", notice)
}
