package web

import (
	"context"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/i18n"
	"github.com/fellesrom/fellesrom/internal/report"
)

// reportNames names the tables of a report and their rows, for the
// dashboards and the yearly report alike: a table by the catalogue's
// "report.table.<id>"; a row by its table's vocabulary (report.Table.Dim):
// themes and group models by their names in the store, the rest by
// "report.key.<dim>.<key>". What the catalogue does not name yet (a new
// table, a new kind) is named by its id or key, and the table's id kept in
// Missing for the log.
type reportNames struct {
	p       page
	themes  map[string]domain.Text
	models  map[string]domain.Text
	Missing []string
}

func (s *site) reportNames(ctx context.Context, p page) (*reportNames, error) {
	n := &reportNames{p: p, themes: map[string]domain.Text{}, models: map[string]domain.Text{}}
	themes, err := s.store.Themes(ctx)
	if err != nil {
		return nil, err
	}
	for _, t := range themes {
		n.themes[t.Slug] = t.Name
	}
	models, err := s.store.Models(ctx)
	if err != nil {
		return nil, err
	}
	for _, m := range models {
		n.models[m.Slug] = m.Name
	}
	return n, nil
}

func (n *reportNames) has(id string) bool {
	return n.p.cat.Has(n.p.Lang, id) || n.p.cat.Has(i18n.Default, id)
}

// Table is the title of the table id.
func (n *reportNames) Table(id string) Phrase {
	if k := "report.table." + id; n.has(k) {
		return n.p.L(k)
	}
	n.Missing = append(n.Missing, id)
	return Phrase{Text: id}
}

// Key is the name of a row of t, starting with a capital letter.
func (n *reportNames) Key(t *report.Table, key string) Phrase {
	var names map[string]domain.Text
	switch t.Dim {
	case "theme":
		names = n.themes
	case "model":
		names = n.models
	}
	if name, ok := names[key]; ok {
		return Phrase{name.In(n.p.Lang), name.LangOf(n.p.Lang)}
	}
	if k := "report.key." + t.Dim + "." + key; n.has(k) {
		ph := n.p.L(k)
		ph.Text = ucfirst(ph.Text)
		return ph
	}
	return Phrase{Text: key}
}
