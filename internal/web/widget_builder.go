package web

// The widget builder, {p}/widget/lag: a form (GET, no script) where a
// municipality or a house chooses what the widget lists and in which
// language, and gets the <iframe> snippet to paste into its page, with a
// title for screen readers, and a link to see the list.

import (
	"html"
	"net/http"
	"slices"
	"strconv"

	"github.com/fellesrom/fellesrom/internal/i18n"
)

// widgetHeight is the height of the snippet's iframe, in CSS pixels.
const widgetHeight = 600

// widgetBuilderView is the builder's page.
type widgetBuilderView struct {
	*officeView
	Snippet string // the HTML to paste; empty before the form is sent
	Preview string // the widget's address
}

// widgetBuilderPage is GET {p}/widget/lag.
func (s *site) widgetBuilderPage(w http.ResponseWriter, r *http.Request, lang string) {
	ctx := r.Context()
	cat, err := s.finder.Catalog(ctx)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	v := &widgetBuilderView{officeView: s.newOfficeView(r, lang, "/widget/lag", nil, "", "widget.builder_title")}
	q := r.URL.Query()
	for _, k := range []string{"kommune", "tema", "hus", "antall", "sprak"} {
		v.set(k, q.Get(k))
	}
	if v.Val("sprak") == "" {
		v.set("sprak", lang)
	}
	if v.Val("antall") == "" {
		v.set("antall", strconv.Itoa(widgetDefaultCount))
	}

	// The options: municipalities by county, themes, organisations, languages.
	munis := []officeOptGroup{{Options: []officeOption{{Value: "", Text: v.S("widget.all_municipalities")}}}}
	for _, c := range cat.Counties {
		g := officeOptGroup{Label: c.Name}
		for _, m := range cat.Municipalities {
			if m.CountyID == c.ID {
				g.Options = append(g.Options, officeOption{Value: m.ID, Text: m.DisplayName()})
			}
		}
		munis = append(munis, g)
	}
	v.options["kommune"] = munis
	themes := []officeOption{{Value: "", Text: v.S("widget.all_themes")}}
	for _, t := range cat.Themes {
		themes = append(themes, v.textOption(t.Slug, t.Name))
	}
	v.opts("tema", themes)
	houses := []officeOption{{Value: "", Text: v.S("widget.all_houses")}}
	for _, o := range cat.Organisations {
		houses = append(houses, officeOption{Value: o.Slug, Text: o.Name})
	}
	v.opts("hus", houses)
	var langs []officeOption
	for _, l := range i18n.Languages {
		name, nameLang := s.cat.Lookup(l, "layout.language_self", nil)
		if nameLang == l {
			langs = append(langs, officeOption{Value: l, Text: name, Lang: officeLangIf(l, lang)})
		}
	}
	v.opts("sprak", langs)

	if q.Get("lag") == "" { // the empty form
		s.render(w, r, http.StatusOK, "widget_builder", v)
		return
	}
	sel, bad := widgetParse(cat, q)
	for _, b := range bad {
		v.fail(b, "widget.err_"+b, "Max", widgetMaxCount)
	}
	wl := v.Val("sprak")
	if !slices.ContainsFunc(langs, func(o officeOption) bool { return o.Value == wl }) {
		v.fail("sprak", "widget.err_sprak")
	}
	if len(v.Errors) > 0 {
		s.render(w, r, http.StatusBadRequest, "widget_builder", v)
		return
	}
	base, err := s.accountLinkBase(r)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	target := prefix(wl) + "/widget"
	if e := sel.query().Encode(); e != "" {
		target += "?" + e
	}
	v.Preview = target
	title := sel.heading(s.newPage(wl, ""))
	v.Snippet = `<iframe src="` + html.EscapeString(base+target) + `" title="` + html.EscapeString(title) + `" width="100%" height="` +
		strconv.Itoa(widgetHeight) + `" loading="lazy"></iframe>`
	s.render(w, r, http.StatusOK, "widget_builder", v)
}
