package api

import (
	"net/http"
	"net/url"

	"github.com/fellesrom/fellesrom/internal/domain"
)

type theme struct {
	ID   string `json:"id"`
	Slug string `json:"slug"`
	Name text   `json:"name"`
}

type model struct {
	ID          string            `json:"id"`
	Slug        string            `json:"slug"`
	Name        text              `json:"name"`
	Description text              `json:"description"`
	Intake      domain.Intake     `json:"intake"`
	Leadership  domain.Leadership `json:"leadership"`
	WhoMayCome  text              `json:"who_may_come"`
	SizeMin     *int              `json:"size_min"`
	SizeMax     *int              `json:"size_max"`
	DefaultJoin domain.JoinMethod `json:"default_join"`
}

// listThemes is GET /api/v1/themes: the active themes in display order.
func (s *server) listThemes(w http.ResponseWriter, r *http.Request, _ url.Values) {
	cat, err := s.finder.Catalog(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	items := make([]theme, 0, len(cat.Themes))
	for _, t := range cat.Themes {
		items = append(items, theme{ID: t.ID, Slug: t.Slug, Name: textOf(t.Name)})
	}
	s.writeJSON(w, r, http.StatusOK, listOf(items))
}

// listModels is GET /api/v1/models: the group models in display order.
func (s *server) listModels(w http.ResponseWriter, r *http.Request, _ url.Values) {
	cat, err := s.finder.Catalog(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	items := make([]model, 0, len(cat.Models))
	for _, m := range cat.Models {
		items = append(items, model{ID: m.ID, Slug: m.Slug, Name: textOf(m.Name), Description: textOf(m.Description),
			Intake: m.Intake, Leadership: m.Leadership, WhoMayCome: textOf(m.WhoMayCome),
			SizeMin: optInt(m.SizeMin), SizeMax: optInt(m.SizeMax), DefaultJoin: m.DefaultJoin})
	}
	s.writeJSON(w, r, http.StatusOK, listOf(items))
}
