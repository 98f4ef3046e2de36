package web

// Who is free to start a group in an area: /kontor/igangsettere/ledige,
// the starters of the user's part of the tree who are available in the
// period, at one of the group's times, in its language, with room for
// another group, nearest first (store.RankFreeStarters).

import (
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/i18n"
	"github.com/fellesrom/fellesrom/internal/store"
)

// startersFreeRow is a free starter with the words of their nearness.
type startersFreeRow struct {
	F            store.FreeStarter
	Municipality string
	OrgName      string
	Near         string
}

type startersFreeView struct {
	startersView
	Rows  []startersFreeRow
	Asked bool // the form was sent: show the answer
}

// startersFreePage is GET /kontor/igangsettere/ledige?omrade=&fra=&til=&tid=&sprak=.
func (s *site) startersFreePage(w http.ResponseWriter, r *http.Request, lang string, me *auth.Current) {
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
	v := &startersFreeView{startersView: s.newStartersView(r, lang, "/kontor/igangsettere/ledige", me, "starters_free",
		"starters.free_title")}
	v.keep(q, "omrade", "fra", "til", "tid", "sprak")
	v.Asked = q.Has("omrade")
	if !v.Asked {
		v.set("fra", s.startersToday())
	}
	v.query = url.Values{}
	for _, k := range []string{"omrade", "fra", "til", "tid", "sprak"} {
		if x := q[k]; len(x) > 0 {
			v.query[k] = x
		}
	}
	v.areaSelect("omrade", ref, "starters.area_anywhere")
	v.opts("sprak", append([]officeOption{{Value: "", Text: v.S("starters.lang_any")}}, v.langOptions()...))
	if !v.Asked {
		s.render(w, r, http.StatusOK, "starters_free", v)
		return
	}
	fq := store.FreeQuery{OrgIDs: sc.orgIDs, Language: v.Val("sprak")}
	var areaOK bool
	if fq.Municipality, fq.County, areaOK = ref.parseArea(v.Val("omrade")); !areaOK {
		v.fail("omrade", "starters.err_area")
	}
	if fq.Language != "" && !slices.Contains(i18n.LanguageNames, fq.Language) {
		v.fail("sprak", "office.err_choose")
	}
	fq.From = v.date("fra", false)
	fq.Until = v.date("til", false)
	if fq.From == "" && fq.Until != "" {
		fq.From = fq.Until
	}
	if fq.From != "" && fq.Until != "" && fq.Until < fq.From {
		v.fail("til", "starters.err_dates_order")
	}
	fq.Slots = v.readSlots("tid")
	if len(v.Errors) > 0 {
		v.Asked = false
		s.render(w, r, http.StatusBadRequest, "starters_free", v)
		return
	}
	free, err := s.store.FreeStarters(officeCtx(r, me), fq)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	for _, f := range free {
		row := startersFreeRow{F: f, Municipality: ref.muni(f.Municipality), OrgName: sc.byID[f.OrgID].Name}
		switch {
		case f.Nearness == store.NearMunicipality:
			row.Near = v.S("starters.near_municipality")
		case f.Nearness == store.NearCounty && f.HasKm:
			row.Near = v.S("starters.near_county_km", "Km", strconv.Itoa(int(math.Round(f.Km))))
		case f.Nearness == store.NearCounty:
			row.Near = v.S("starters.near_county")
		case f.HasKm:
			row.Near = v.S("starters.near_km", "Km", strconv.Itoa(int(math.Round(f.Km))))
		case fq.Municipality != "" || fq.County != "":
			row.Near = v.S("starters.near_elsewhere")
		}
		v.Rows = append(v.Rows, row)
	}
	s.render(w, r, http.StatusOK, "starters_free", v)
}
