package web

// The embeddable widget: a list of groups that a municipality, a house or
// anyone shows on their own web page by pasting an <iframe>:
//
//	GET {p}/widget?kommune=0301&tema=sorg&hus=…&antall=20   the list itself
//	GET {p}/widget/lag                                      a form that builds the snippet
//
// The list is a minimal page of its own (no site header, its own small
// style sheet widget.css), with no script, no cookie and nothing from other
// hosts; its links open the group's page in the top window (target=_top),
// so a person leaves the embedding page for fellesrom rather than browsing
// it inside a frame. It is the only page that may be framed: the handler
// loosens the site's Content-Security-Policy (frame-ancestors *) and drops
// X-Frame-Options on its own response. Every group goes through the
// finder's listing, so a hidden meeting place never shows: the list names
// only the municipality, and the group's page says the rest.

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/finder"
)

func init() { staffAreas = append(staffAreas, widgetRoutes) }

func widgetRoutes(s *site, mux *http.ServeMux, lang, p string) {
	mux.Handle(p+"/widget", s.methods(lang, s.widgetPage, nil))
	mux.Handle(p+"/widget/lag", s.methods(lang, s.widgetBuilderPage, nil))
}

// Widget sizes: how many groups it lists by default and at most.
const (
	widgetDefaultCount = 20
	widgetMaxCount     = finder.MaxPerPage
)

// widgetSel is what a widget lists: any of a municipality, a theme and a
// house (an organisation), and how many.
type widgetSel struct {
	Muni  domain.Municipality
	Theme domain.Theme
	House domain.Organisation
	Count int
}

// widgetParse reads a widget's query; bad names the parameters that are
// wrong (an unknown municipality, theme or house, a count out of range).
func widgetParse(cat *finder.Catalog, q url.Values) (sel widgetSel, bad []string) {
	sel.Count = widgetDefaultCount
	if k := strings.TrimSpace(q.Get("kommune")); k != "" {
		if m, ok := cat.MunicipalityBy[k]; ok {
			sel.Muni = m
		} else {
			bad = append(bad, "kommune")
		}
	}
	if t := strings.TrimSpace(q.Get("tema")); t != "" {
		if th, ok := cat.ThemeBySlug[t]; ok {
			sel.Theme = th
		} else {
			bad = append(bad, "tema")
		}
	}
	if h := strings.TrimSpace(q.Get("hus")); h != "" {
		if o, ok := cat.OrgBySlug[h]; ok {
			sel.House = o
		} else {
			bad = append(bad, "hus")
		}
	}
	if n := strings.TrimSpace(q.Get("antall")); n != "" {
		c, err := strconv.Atoi(n)
		if err != nil || c < 1 || c > widgetMaxCount {
			bad = append(bad, "antall")
		} else {
			sel.Count = c
		}
	}
	return sel, bad
}

// query is the widget's own query, in a fixed order.
func (sel widgetSel) query() url.Values {
	v := url.Values{}
	if sel.Muni.ID != "" {
		v.Set("kommune", sel.Muni.ID)
	}
	if sel.Theme.Slug != "" {
		v.Set("tema", sel.Theme.Slug)
	}
	if sel.House.Slug != "" {
		v.Set("hus", sel.House.Slug)
	}
	if sel.Count != widgetDefaultCount {
		v.Set("antall", strconv.Itoa(sel.Count))
	}
	return v
}

// heading is the widget's heading (and the iframe's title): "Selvhjelpsgrupper:
// Oslo, sorg" in the page's language.
func (sel widgetSel) heading(p page) string {
	var parts []string
	if sel.House.Name != "" {
		parts = append(parts, sel.House.Name)
	}
	if sel.Muni.ID != "" {
		parts = append(parts, sel.Muni.DisplayName())
	}
	if sel.Theme.Slug != "" {
		parts = append(parts, sel.Theme.Name.In(p.Lang))
	}
	if len(parts) == 0 {
		return p.S("widget.heading")
	}
	return p.S("widget.heading_of", "What", strings.Join(parts, ", "))
}

// widgetListings are the groups a widget lists (at most sel.Count) and how
// many there are in all.
func (s *site) widgetListings(ctx context.Context, sel widgetSel) ([]finder.Listing, int, error) {
	if sel.House.ID != "" {
		all, err := s.finder.OrganisationListings(ctx, sel.House.ID)
		if err != nil {
			return nil, 0, err
		}
		var out []finder.Listing
		for _, l := range all {
			if sel.Muni.ID != "" && l.Municipality.ID != sel.Muni.ID {
				continue
			}
			if sel.Theme.ID != "" && !widgetHasTheme(l, sel.Theme.ID) {
				continue
			}
			out = append(out, l)
		}
		total := len(out)
		if len(out) > sel.Count {
			out = out[:sel.Count]
		}
		return out, total, nil
	}
	q := finder.Query{Page: 1, PerPage: sel.Count}
	if sel.Muni.ID != "" {
		q.Municipalities = []string{sel.Muni.ID}
	}
	if sel.Theme.Slug != "" {
		q.Themes = []string{sel.Theme.Slug}
	}
	res, err := s.finder.Search(ctx, q)
	if err != nil {
		return nil, 0, err
	}
	ls, err := s.finder.Listings(ctx, res.Hits)
	return ls, res.Total, err
}

func widgetHasTheme(l finder.Listing, id string) bool {
	for _, t := range l.Themes {
		if t.ID == id {
			return true
		}
	}
	return false
}

// widgetView is the widget's page.
type widgetView struct {
	page
	Heading string
	Failed  bool // the address names something that does not exist
	Groups  []resultView
	Total   int
	More    string // the same list in the finder, or the house's page
}

// widgetPage is GET {p}/widget.
func (s *site) widgetPage(w http.ResponseWriter, r *http.Request, lang string) {
	ctx := r.Context()
	cat, err := s.finder.Catalog(ctx)
	if err != nil {
		s.serverError(w, r, lang, err)
		return
	}
	v := &widgetView{page: s.newPage(lang, "/widget")}
	sel, bad := widgetParse(cat, r.URL.Query())
	status := http.StatusOK
	if len(bad) > 0 {
		v.Failed, status = true, http.StatusNotFound
		v.Heading = v.S("widget.heading")
	} else {
		v.Heading = sel.heading(v.page)
		ls, total, err := s.widgetListings(ctx, sel)
		if err != nil {
			s.serverError(w, r, lang, err)
			return
		}
		for _, l := range ls {
			v.Groups = append(v.Groups, s.result(v.page, l))
		}
		v.Total = total
		if sel.House.Slug != "" && sel.Muni.ID == "" && sel.Theme.Slug == "" {
			v.More = v.Href("/organisasjon/" + sel.House.Slug)
		} else {
			fq := url.Values{}
			if sel.Muni.ID != "" {
				fq.Set("municipality", sel.Muni.ID)
			}
			if sel.Theme.Slug != "" {
				fq.Set("theme", sel.Theme.Slug)
			}
			v.More = v.Href("/finn")
			if e := fq.Encode(); e != "" {
				v.More += "?" + e
			}
		}
	}
	s.widgetRender(w, r, status, "widget", "widget_doc", v)
}

// widgetRender writes a page of its own (not in the site's layout) and
// lets any site frame it.
func (s *site) widgetRender(w http.ResponseWriter, r *http.Request, status int, page, name string, v any) {
	var buf bytes.Buffer
	if err := s.tmpl.pages[page].ExecuteTemplate(&buf, name, v); err != nil {
		s.log.Error("render", "template", name, "err", err)
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	widgetFrameable(h)
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	if p, ok := v.(interface{ language() string }); ok {
		h.Set("Content-Language", p.language())
	}
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(buf.Bytes())
	}
}

// widgetFrameable lets any page frame the response: the site's policy
// (set before the handler runs) with frame-ancestors * instead of 'none',
// and no X-Frame-Options. Nothing else of the policy changes.
func widgetFrameable(h http.Header) {
	if csp := h.Get("Content-Security-Policy"); csp != "" {
		h.Set("Content-Security-Policy", strings.Replace(csp, "frame-ancestors 'none'", "frame-ancestors *", 1))
	}
	h.Del("X-Frame-Options")
}
