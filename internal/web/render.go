package web

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/i18n"
)

//go:embed templates/*.html
var templateFS embed.FS

// templates are the parsed pages, each with the shared layout.
type templates struct {
	pages map[string]*template.Template
}

var pageNames = []string{"front", "finder", "group", "organisation", "error"}

func mustParseTemplates(a *assets) *templates {
	funcs := template.FuncMap{
		"asset": a.url,
	}
	t := &templates{pages: map[string]*template.Template{}}
	for _, name := range pageNames {
		tp := template.Must(template.New(name).Funcs(funcs).ParseFS(templateFS,
			"templates/layout.html", "templates/parts.html", "templates/"+name+".html"))
		t.pages[name] = tp
	}
	// Every other page is a staff page: templates/staff_parts.html and any
	// templates/<area>_parts.html join it, so that a part of the back
	// office adds pages by adding files.
	staffParts, err := fs.Glob(templateFS, "templates/*_parts.html")
	if err != nil {
		panic(err)
	}
	all, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	for _, f := range all {
		name := strings.TrimSuffix(path.Base(f), ".html")
		if _, done := t.pages[name]; done || name == "layout" || name == "parts" || strings.HasSuffix(name, "_parts") {
			continue
		}
		files := append([]string{"templates/layout.html", "templates/parts.html"}, staffParts...)
		t.pages[name] = template.Must(template.New(name).Funcs(funcs).ParseFS(templateFS, append(files, f)...))
	}
	return t
}

// Phrase is a text and the language it is in.
type Phrase struct {
	Text string
	Lang string
}

// page is what every page has: the language, the title, the links to the
// same page in the other languages. Views embed it, and templates call its
// methods to translate: {{.T "front.h1"}}.
type page struct {
	cat    *i18n.Catalog
	Lang   string
	Title  string     // the page's own title; the layout adds the site name
	path   string     // the path without the language prefix, such as "/finn"
	query  url.Values // the query to keep when switching language
	Script bool       // the page uses site.js
	Prev   string     // rel=prev link, if any
	Next   string     // rel=next link, if any
	Nav    string     // the current item of the main menu: "home" or "find"
}

func (s *site) newPage(lang, path string) page {
	return page{cat: s.cat, Lang: lang, path: path}
}

// langLink is a link to the page in another language.
type langLink struct {
	Lang    string
	Name    string
	URL     string
	Current bool
}

// Langs are the links of the language switcher.
func (p page) Langs() []langLink {
	out := make([]langLink, 0, len(i18n.Languages))
	for _, l := range i18n.Languages {
		u := prefix(l) + p.path
		if q := p.query.Encode(); q != "" {
			u += "?" + q
		}
		name, nameLang := p.cat.Lookup(l, "layout.language_self", nil)
		if nameLang != l {
			continue // a language that cannot name itself has no site yet
		}
		out = append(out, langLink{Lang: l, Name: name, URL: u, Current: l == p.Lang})
	}
	return out
}

// FullTitle is the text of the title element.
func (p page) FullTitle() string { return p.S("title.pattern", "Page", p.Title) }

// Href is a path of the site in the page's language.
func (p page) Href(path string) string { return prefix(p.Lang) + path }

// HrefQuery is a path of the site in the page's language with a query of
// key-value pairs.
func (p page) HrefQuery(path string, kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return p.Href(path) + "?" + v.Encode()
}

func kvData(kv []any) map[string]any {
	if len(kv) == 0 {
		return nil
	}
	d := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		k, _ := kv[i].(string)
		d[k] = kv[i+1]
	}
	return d
}

// S returns a message as plain text, for attributes and the title. kv are
// pairs of template field and value.
func (p page) S(id string, kv ...any) string {
	s, _ := p.cat.Lookup(p.Lang, id, kvData(kv))
	return s
}

// L returns a message and its language, for building phrases.
func (p page) L(id string, kv ...any) Phrase {
	s, l := p.cat.Lookup(p.Lang, id, kvData(kv))
	return Phrase{s, l}
}

// T returns a message as HTML, in an element with its own lang attribute if
// it is shown in another language than the page's.
func (p page) T(id string, kv ...any) template.HTML {
	return p.P(p.L(id, kv...))
}

// N is T for a message with plural forms.
func (p page) N(id string, n int, kv ...any) template.HTML {
	s, l := p.cat.Plural(p.Lang, id, n, kvData(kv))
	return p.P(Phrase{s, l})
}

// P renders a phrase, with a lang attribute if it is in another language.
func (p page) P(ph Phrase) template.HTML {
	if ph.Lang == "" || ph.Lang == p.Lang {
		return template.HTML(template.HTMLEscapeString(ph.Text))
	}
	return template.HTML(`<span lang="` + template.HTMLEscapeString(ph.Lang) + `">` +
		template.HTMLEscapeString(ph.Text) + `</span>`)
}

// Text renders a multilingual text of the data in the page's language, or
// a fallback with its own lang attribute.
func (p page) Text(t domain.Text) template.HTML {
	return p.P(Phrase{t.In(p.Lang), t.LangOf(p.Lang)})
}

// TextLang is the lang attribute a text needs on its element, or "".
func (p page) TextLang(t domain.Text) string {
	if l := t.LangOf(p.Lang); l != p.Lang {
		return l
	}
	return ""
}

// Paras renders a multilingual text as paragraphs: a blank line starts a
// new one, a line break is kept.
func (p page) Paras(t domain.Text) template.HTML {
	s := strings.TrimSpace(strings.ReplaceAll(t.In(p.Lang), "\r\n", "\n"))
	if s == "" {
		return ""
	}
	attr := ""
	if l := p.TextLang(t); l != "" {
		attr = ` lang="` + template.HTMLEscapeString(l) + `"`
	}
	var b strings.Builder
	for para := range strings.SplitSeq(s, "\n\n") {
		para = strings.TrimSpace(para)
		if para == "" {
			continue
		}
		lines := strings.Split(para, "\n")
		for i, ln := range lines {
			lines[i] = template.HTMLEscapeString(strings.TrimSpace(ln))
		}
		b.WriteString("<p" + attr + ">" + strings.Join(lines, "<br>") + "</p>")
	}
	return template.HTML(b.String())
}

// LangName is the name of a language by its ISO 639-1 code.
func (p page) LangName(code string) Phrase {
	if p.cat.Has(i18n.Default, "lang."+code) {
		return p.L("lang." + code)
	}
	return Phrase{Text: strings.ToUpper(code)}
}

// With pairs the page with a value for a shared template part.
func (p page) With(v any) withValue { return withValue{p, v} }

type withValue struct {
	page
	V any
}

// joinPhrases joins phrases with ", " in the page's language; they keep
// their own languages.
func (p page) Join(phs []Phrase) template.HTML {
	var b strings.Builder
	for i, ph := range phs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(string(p.P(ph)))
	}
	return template.HTML(b.String())
}

// Decimal formats a number with one decimal in the page's language.
func (p page) Decimal(x float64, decimals int) string {
	s := strconv.FormatFloat(x, 'f', decimals, 64)
	if sep := p.S("number.decimal"); sep != "." {
		s = strings.Replace(s, ".", sep, 1)
	}
	return s
}

// ucfirst makes the first letter of s upper case.
func ucfirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// render executes the template of a page into a buffer, then writes it with
// the headers every page has.
func (s *site) render(w http.ResponseWriter, r *http.Request, status int, name string, view any) {
	var buf bytes.Buffer
	t := s.tmpl.pages[name]
	if t == nil {
		s.log.Error("render: no template", "name", name)
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return
	}
	if err := t.ExecuteTemplate(&buf, "layout", view); err != nil {
		s.log.Error("render", "template", name, "err", err)
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// Public pages with no personal data: a cache may keep them, but must
	// ask again each time. Staff pages: nothing may keep them.
	if p, ok := view.(interface{ private() bool }); ok && p.private() {
		h.Set("Cache-Control", "no-store")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	if p, ok := view.(interface{ language() string }); ok {
		h.Set("Content-Language", p.language())
	}
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(buf.Bytes())
	}
}

func (p page) language() string { return p.Lang }

// clip shortens a text for a title.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	rs := []rune(s)
	return strings.TrimSpace(string(rs[:n])) + "…"
}
