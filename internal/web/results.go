package web

import (
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/finder"
)

// resultView is one group in a list of results.
type resultView struct {
	URL      string
	Name     domain.Text
	Model    domain.Text
	Themes   []domain.Text
	Place    string
	Schedule Phrase
	Format   string // message id
	Status   string // message id, for a status worth saying in a list
	TakesNew bool
	Distance string
}

// result is one listing as a line in a list of groups.
func (s *site) result(p page, l finder.Listing) resultView {
	r := resultView{
		URL:      p.Href("/gruppe/" + l.Group.Slug),
		Name:     l.Group.Name,
		Model:    l.Model.Name,
		Place:    l.Municipality.DisplayName(),
		Schedule: ScheduleWords(s.cat, p.Lang, l.Group.Schedule),
		Format:   "format." + string(l.Group.Format),
		TakesNew: l.Group.OpenToNewcomers(),
	}
	for _, t := range l.Themes {
		r.Themes = append(r.Themes, t.Name)
	}
	switch l.Group.Status {
	case domain.StatusPlanned, domain.StatusStarting, domain.StatusPaused, domain.StatusEnded:
		r.Status = "status." + string(l.Group.Status)
	}
	if l.HasDistance {
		d := 1
		if l.DistanceKm >= 10 {
			d = 0
		}
		r.Distance = p.Decimal(l.DistanceKm, d)
	}
	return r
}
