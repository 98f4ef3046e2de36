package web

// The list of starters and volunteers: /kontor/igangsettere, filtered by
// area (a municipality or a county), language, and "free now".

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/i18n"
	"github.com/fellesrom/fellesrom/internal/store"
)

// startersRow is a profile in a list, with its words.
type startersRow struct {
	P            store.StarterProfile
	Municipality string
	OrgName      string
}

type startersListView struct {
	startersView
	Rows     []startersRow
	Filtered bool
}

// startersRows are the rows of profiles.
func startersRows(ps []store.StarterProfile, ref *startersRef, sc *startersScope) []startersRow {
	out := make([]startersRow, 0, len(ps))
	for _, p := range ps {
		out = append(out, startersRow{P: p, Municipality: ref.muni(p.Municipality), OrgName: sc.byID[p.OrgID].Name})
	}
	return out
}

// startersListPage is GET /kontor/igangsettere?omrade=&sprak=&ledig=1.
func (s *site) startersListPage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
	sc, ok := s.startersScopeOf(w, r, lang, me)
	if !ok {
		return
	}
	ctx := r.Context()
	ref, err := s.startersRefData(ctx)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	q := r.URL.Query()
	v := &startersListView{startersView: s.newStartersView(r, lang, "/kontor/igangsettere", me, "starters", "starters.list_title")}
	v.set("omrade", q.Get("omrade"))
	v.set("sprak", q.Get("sprak"))
	v.set("ledig", officeBool(q.Get("ledig") == "1"))
	v.query = url.Values{}
	for _, k := range []string{"omrade", "sprak", "ledig"} {
		if x := q.Get(k); x != "" {
			v.query.Set(k, x)
		}
	}
	v.Filtered = len(v.query) > 0
	v.areaSelect("omrade", ref, "starters.area_any")
	v.opts("sprak", append([]officeOption{{Value: "", Text: v.S("starters.lang_any")}}, v.langOptions()...))
	f := store.StarterFilter{OrgIDs: sc.orgIDs, Language: v.Val("sprak")}
	var areaOK bool
	if f.Municipality, f.County, areaOK = ref.parseArea(v.Val("omrade")); !areaOK {
		v.fail("omrade", "starters.err_area")
	}
	if f.Language != "" && !slices.Contains(i18n.LanguageNames, f.Language) {
		v.fail("sprak", "office.err_choose")
	}
	if v.checked("ledig") {
		f.FreeOn = s.startersToday()
	}
	if len(v.Errors) > 0 {
		s.render(w, r, http.StatusBadRequest, "starters_list", v)
		return
	}
	ps, err := s.store.StarterProfiles(officeCtx(r, me), f)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	v.Rows = startersRows(ps, ref, sc)
	s.render(w, r, http.StatusOK, "starters_list", v)
}
