// Package i18n holds the message catalogue of the public site: every word a
// person reads that is not data (group names, descriptions) comes from here.
//
// The messages live in locales/<lang>.json, one file per language, embedded
// in the program, in the JSON format of github.com/nicksnyder/go-i18n/v2: a
// flat object from message ID to text, or to an object with the CLDR plural
// forms ("one", "other", …) for texts that depend on a number. Texts may use
// Go template actions such as {{.Count}}.
//
// Bokmål (nb) is the source language and is complete; English (en) is
// complete too. Nynorsk (nn) and Northern Sami (se) may leave messages out: a
// message missing in a language is shown in Bokmål, and the caller learns so
// (see [Catalog.Lookup]) to mark it with a lang attribute.
//
// A part of the site may keep its messages in files of its own,
// locales/<area>.<lang>.json; they join the language's catalogue.
//
// To add a language, add locales/<code>.json with the messages you can
// translate (at least "layout.language_self", the language's own name for
// itself, which the language switcher shows) and add the code to
// [Languages]. The web package then serves every page under /<code>/, and
// the tests check the new file against Bokmål.
package i18n

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed locales/*.json
var locales embed.FS

// Default is the language every other one falls back to.
const Default = "nb"

// Languages are the languages of the site, the default first.
var Languages = []string{"nb", "nn", "en", "se"}

// LanguageNames are the ISO 639-1 codes of the languages whose names the
// catalogue has, as messages "lang.<code>".
var LanguageNames = []string{"nb", "nn", "no", "en", "se", "sv", "da", "fi", "de", "fr", "es", "pl", "uk", "ar",
	"so", "ti", "fa", "ur", "ru", "lt", "tr"}

// Supported reports whether lang is one of [Languages].
func Supported(lang string) bool { return slices.Contains(Languages, lang) }

// Catalog is the loaded message catalogue. It is safe for concurrent use.
type Catalog struct {
	bundle     *goi18n.Bundle
	localizers map[string]*goi18n.Localizer
	ids        map[string]map[string]bool // lang → message IDs it has
}

// Load reads the embedded message files.
func Load() (*Catalog, error) { return load(locales) }

var (
	defaultOnce sync.Once
	defaultCat  *Catalog
	errDefault  error
)

// DefaultCatalog loads the embedded catalogue once and returns it; it panics if the
// embedded files are broken, which the tests of this package rule out.
func DefaultCatalog() *Catalog {
	defaultOnce.Do(func() { defaultCat, errDefault = Load() })
	if errDefault != nil {
		panic(errDefault)
	}
	return defaultCat
}

func load(fsys fs.FS) (*Catalog, error) {
	c := &Catalog{bundle: goi18n.NewBundle(language.MustParse(Default)), localizers: map[string]*goi18n.Localizer{},
		ids: map[string]map[string]bool{}}
	files, err := fs.Glob(fsys, "locales/*.json")
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	for _, f := range files {
		// locales/<lang>.json, or locales/<area>.<lang>.json for the
		// messages of one part of the site (office.nb.json).
		lang := strings.TrimSuffix(path.Base(f), ".json")
		if i := strings.LastIndexByte(lang, '.'); i >= 0 {
			lang = lang[i+1:]
		}
		b, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		mf, err := c.bundle.ParseMessageFileBytes(b, f)
		if err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", f, err)
		}
		if c.ids[lang] == nil {
			c.ids[lang] = map[string]bool{}
		}
		for _, m := range mf.Messages {
			if c.ids[lang][m.ID] {
				return nil, fmt.Errorf("i18n: %s: message %q is defined twice for %s", f, m.ID, lang)
			}
			c.ids[lang][m.ID] = true
		}
	}
	if len(c.ids[Default]) == 0 {
		return nil, fmt.Errorf("i18n: no messages for the default language %s", Default)
	}
	for lang := range c.ids {
		c.localizers[lang] = goi18n.NewLocalizer(c.bundle, lang)
	}
	return c, nil
}

// Has reports whether lang has its own text for the message id.
func (c *Catalog) Has(lang, id string) bool { return c.ids[lang][id] }

// IDs returns the message IDs that lang has, sorted.
func (c *Catalog) IDs(lang string) []string {
	out := make([]string, 0, len(c.ids[lang]))
	for id := range c.ids[lang] {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// Locales returns the languages that have a message file, sorted.
func (c *Catalog) Locales() []string {
	out := make([]string, 0, len(c.ids))
	for l := range c.ids {
		out = append(out, l)
	}
	slices.Sort(out)
	return out
}

// Lookup returns the message id in lang, with data for its template
// actions, and the language the text is in: lang, or the default language
// when lang does not have the message. A message no language has comes back
// as its id, so that a page still renders; the tests make sure that does not
// happen.
func (c *Catalog) Lookup(lang, id string, data map[string]any) (text, textLang string) {
	return c.lookup(lang, id, data, nil)
}

// Plural is Lookup for a message with plural forms; n chooses the form and
// is given to the template as .Count.
func (c *Catalog) Plural(lang, id string, n int, data map[string]any) (text, textLang string) {
	if data == nil {
		data = map[string]any{}
	}
	if _, ok := data["Count"]; !ok {
		data["Count"] = n
	}
	return c.lookup(lang, id, data, n)
}

func (c *Catalog) lookup(lang, id string, data map[string]any, count any) (string, string) {
	if !c.ids[lang][id] {
		lang = Default
	}
	loc := c.localizers[lang]
	if loc == nil {
		loc, lang = c.localizers[Default], Default
	}
	cfg := &goi18n.LocalizeConfig{MessageID: id, TemplateData: data, PluralCount: count}
	s, err := loc.Localize(cfg)
	if err != nil && s == "" {
		return id, lang
	}
	return s, lang
}

// T returns the message id in lang; see Lookup.
func (c *Catalog) T(lang, id string, data map[string]any) string {
	s, _ := c.Lookup(lang, id, data)
	return s
}
