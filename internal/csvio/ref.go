package csvio

import (
	"context"
	"strings"
	"time"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
)

// Ref is what a plan is made against: the directory as it is, and who may
// change what.
type Ref struct {
	Orgs    []domain.Organisation
	Allowed map[string]bool // organisations whose listings the user may edit (import) or view (export)
	Default string          // the organisation of a row that names none
	Edit    map[string]bool // export: organisations whose hidden addresses the user may see (nil: all allowed)
	Themes  []domain.Theme
	Models  []domain.Model
	Munis   []domain.Municipality
	Groups  []domain.Group // every group (slugs must be unique)
	Venues  []domain.Venue
	Now     time.Time

	orgByID     map[string]domain.Organisation
	muniByID    map[string]domain.Municipality
	modelByID   map[string]domain.Model
	themeByID   map[string]domain.Theme
	venueByID   map[string]domain.Venue
	groupByKey  map[string]int   // slug and ID → index in Groups
	groupByName map[string][]int // organisation ID + folded name → indexes in Groups
}

// Load reads the directory for a plan or an export. allowed are the
// organisations the user may act on; def is the default organisation.
func Load(ctx context.Context, st *store.Store, allowed []string, def string) (*Ref, error) {
	r := &Ref{Allowed: map[string]bool{}, Default: def, Now: time.Now()}
	for _, a := range allowed {
		r.Allowed[a] = true
	}
	var err error
	if r.Orgs, err = st.Organisations(ctx); err != nil {
		return nil, err
	}
	if r.Themes, err = st.Themes(ctx); err != nil {
		return nil, err
	}
	if r.Models, err = st.Models(ctx); err != nil {
		return nil, err
	}
	if r.Munis, err = st.Municipalities(ctx); err != nil {
		return nil, err
	}
	if r.Groups, err = st.AllGroups(ctx); err != nil {
		return nil, err
	}
	if r.Venues, err = st.Venues(ctx); err != nil {
		return nil, err
	}
	r.index()
	return r, nil
}

func (r *Ref) index() {
	r.orgByID = map[string]domain.Organisation{}
	for _, o := range r.Orgs {
		r.orgByID[o.ID] = o
	}
	r.muniByID = map[string]domain.Municipality{}
	for _, m := range r.Munis {
		r.muniByID[m.ID] = m
	}
	r.modelByID = map[string]domain.Model{}
	for _, m := range r.Models {
		r.modelByID[m.ID] = m
	}
	r.themeByID = map[string]domain.Theme{}
	for _, t := range r.Themes {
		r.themeByID[t.ID] = t
	}
	r.groupByKey, r.groupByName = map[string]int{}, map[string][]int{}
	for i, g := range r.Groups {
		r.groupByKey[g.Slug], r.groupByKey[g.ID] = i, i
		k := g.OrgID + "|" + fold(g.Name.In("nb"))
		r.groupByName[k] = append(r.groupByName[k], i)
	}
	r.venueByID = map[string]domain.Venue{}
	for _, v := range r.Venues {
		r.venueByID[v.ID] = v
	}
}

func fold(s string) string { return domain.Fold(strings.TrimSpace(s)) }

// org finds an organisation by slug, name or ID.
func (r *Ref) org(s string) (domain.Organisation, bool) {
	for _, o := range r.Orgs {
		if o.ID == s || o.Slug == s || fold(o.Name) == fold(s) {
			return o, true
		}
	}
	return domain.Organisation{}, false
}

// municipality finds a municipality by number or by name (Norwegian or
// Sami); ambiguous says that the name belongs to more than one.
func (r *Ref) municipality(s string) (m domain.Municipality, ok, ambiguous bool) {
	s = strings.TrimSpace(s)
	if x, found := r.muniByID[s]; found {
		return x, true, false
	}
	if len(s) == 3 {
		if x, found := r.muniByID["0"+s]; found {
			return x, true, false
		}
	}
	n := 0
	for _, x := range r.Munis {
		if fold(x.Name) == fold(s) || (x.SamiName != "" && fold(x.SamiName) == fold(s)) || fold(x.DisplayName()) == fold(s) {
			m, n = x, n+1
		}
	}
	return m, n == 1, n > 1
}

func (r *Ref) model(s string) (domain.Model, bool) {
	for _, m := range r.Models {
		if m.ID == s || m.Slug == strings.ToLower(strings.TrimSpace(s)) || textIs(m.Name, s) {
			return m, true
		}
	}
	return domain.Model{}, false
}

func (r *Ref) theme(s string) (domain.Theme, bool) {
	for _, t := range r.Themes {
		if t.ID == s || t.Slug == strings.ToLower(strings.TrimSpace(s)) || textIs(t.Name, s) {
			return t, true
		}
	}
	return domain.Theme{}, false
}

func textIs(t domain.Text, s string) bool {
	for _, v := range t {
		if v != "" && fold(v) == fold(s) {
			return true
		}
	}
	return false
}
