package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
)

// officeGroupsPerPage is the length of a page of the list of groups.
const officeGroupsPerPage = 50

// officeGroupRow is a group in the list.
type officeGroupRow struct {
	Group    domain.Group
	OrgName  string
	Edit     bool
	Verified Phrase
}

type officeGroupsView struct {
	*officeView
	Rows       []officeGroupRow
	Total      int
	Page       int
	Pages      int
	PrevURL    string
	NextURL    string
	CanCreate  bool
	Filtered   bool
	FirstShown int
	LastShown  int
}

// officeGroupsPage is GET /kontor/grupper?status=&organisasjon=&side=: the
// groups of the organisations the user may see, by slug, paged.
func (s *site) officeGroupsPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	ctx := r.Context()
	sc, err := s.officeScope(ctx, me)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	if !sc.canAny(auth.ViewListing) {
		s.notFound(w, r, lang)
		return
	}
	q := r.URL.Query()
	org := q.Get("organisasjon")
	if org != "" {
		if _, ok := sc.byID[org]; !ok || !sc.can(auth.ViewListing, org) {
			s.notFound(w, r, lang)
			return
		}
	}
	v := &officeGroupsView{officeView: s.newOfficeView(r, lang, "/kontor/grupper", me, "groups", "office.groups_title")}
	v.set("status", q.Get("status"))
	v.set("organisasjon", org)
	v.set("ny_organisasjon", org)
	v.opts("status", append([]officeOption{{Value: "", Text: v.S("office.groups_all_statuses")}},
		officeEnum(v.officeView, "status.", domain.Statuses)...))
	v.opts("organisasjon", append([]officeOption{{Value: "", Text: v.S("office.groups_all_orgs")}},
		officeOrgOptions(sc.ordered(auth.ViewListing))...))
	v.opts("ny_organisasjon", officeOrgOptions(sc.ordered(auth.EditListing)))
	v.CanCreate = sc.canAny(auth.EditListing)
	status := domain.Status(q.Get("status"))
	if status != "" && !slices.Contains(domain.Statuses, status) {
		v.fail("status", "office.err_choose")
	}
	v.Page = 1
	if p := q.Get("side"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 10000 {
			v.fail("", "office.err_page")
		} else {
			v.Page = n
		}
	}
	keep := url.Values{}
	for _, k := range []string{"status", "organisasjon"} {
		if x := q.Get(k); x != "" && v.Err(k) == nil {
			keep.Set(k, x)
		}
	}
	v.query = url.Values{}
	for k, x := range keep {
		v.query[k] = x
	}
	v.Filtered = len(keep) > 0
	if len(v.Errors) > 0 {
		s.render(w, r, http.StatusBadRequest, "office_groups", v)
		return
	}
	f := store.OfficeGroupFilter{OrgIDs: sc.orgIDs(auth.ViewListing), Status: status,
		Limit: officeGroupsPerPage, Offset: (v.Page - 1) * officeGroupsPerPage}
	if org != "" {
		f.OrgIDs = []string{org}
	}
	gs, total, err := s.store.OfficeGroups(ctx, f)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	v.Total = total
	v.Pages = max(1, (total+officeGroupsPerPage-1)/officeGroupsPerPage)
	if v.Page > v.Pages {
		s.notFound(w, r, lang)
		return
	}
	for _, g := range gs {
		row := officeGroupRow{Group: g, OrgName: sc.byID[g.OrgID].Name, Edit: sc.can(auth.EditListing, g.OrgID)}
		if !g.VerifiedAt.IsZero() {
			row.Verified = dateWords(v.cat, v.Lang, g.VerifiedAt)
		}
		v.Rows = append(v.Rows, row)
	}
	if len(gs) > 0 {
		v.FirstShown = f.Offset + 1
		v.LastShown = f.Offset + len(gs)
	}
	page := func(n int) string {
		u := url.Values{}
		for k, x := range keep {
			u[k] = x
		}
		if n > 1 {
			u.Set("side", strconv.Itoa(n))
		}
		return withQuery(v.Href("/kontor/grupper"), u)
	}
	if v.Page > 1 {
		v.PrevURL = page(v.Page - 1)
		v.Prev = v.PrevURL
	}
	if v.Page < v.Pages {
		v.NextURL = page(v.Page + 1)
		v.Next = v.NextURL
	}
	if v.Page > 1 {
		v.query.Set("side", strconv.Itoa(v.Page))
		v.Title = v.S("title.paged", "Title", v.Title, "Page", v.Page, "Pages", v.Pages)
	}
	s.render(w, r, http.StatusOK, "office_groups", v)
}
