package web

import (
	"net/http"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/domain"
)

// officeOrgNode is an organisation in the tree of the list.
type officeOrgNode struct {
	Org      domain.Organisation
	Edit     bool
	Children []*officeOrgNode
}

type officeOrgsView struct {
	*officeView
	Roots   []*officeOrgNode
	NewRoot bool // may create an organisation at the top
}

// officeOrgsPage is GET /kontor/organisasjoner: the organisations the user
// may see, as a tree, with links to edit those they may edit.
func (s *site) officeOrgsPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	sc, err := s.officeScope(r.Context(), me)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	if !sc.canAny(auth.ViewListing) {
		s.notFound(w, r, lang)
		return
	}
	v := &officeOrgsView{officeView: s.newOfficeView(r, lang, "/kontor/organisasjoner", me, "orgs", "office.orgs_title")}
	v.NewRoot = sc.can(auth.EditListing, "")
	var node func(id string) *officeOrgNode
	node = func(id string) *officeOrgNode {
		n := &officeOrgNode{Org: sc.byID[id], Edit: sc.can(auth.EditListing, id)}
		for _, k := range sc.kids[id] {
			n.Children = append(n.Children, node(k))
		}
		return n
	}
	for _, ref := range sc.ordered(auth.ViewListing) {
		if ref.Depth == 0 {
			v.Roots = append(v.Roots, node(ref.Org.ID))
		}
	}
	s.render(w, r, http.StatusOK, "office_orgs", v)
}
