package web

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/fellesrom/fellesrom/internal/i18n"
)

// Message ids in templates: {{.T "id"}}, {{$.S "id" …}}, {{.N "id" n}},
// {{.L "id"}}.
var templateID = regexp.MustCompile(`(?:\.|\$\.)(?:T|S|N|L)\s+"([a-z][a-z0-9_.]*)"`)

// Message ids in Go code: v.L("id"), v.S("id"), p.T("id"), w.t("id"),
// cat.Lookup(lang, "id" …), s.cat.Has("nb", "id"), errorFields.
var codeID = regexp.MustCompile(`(?:\.(?:L|S|T|t|N)\(|Lookup\([a-zA-Z.]+, |Plural\([a-zA-Z.]+, |Has\([a-zA-Z."]+, |newWords\([a-zA-Z.]+, [a-zA-Z.]+, |errorPage\(w, r, lang, http\.Status\w+, )"([a-z][a-z0-9_.]*)"`)

var fieldMsg = regexp.MustCompile(`\{"f?-?[a-z-]*", "(error\.[a-z_]+)"\}`)

// Every message id the templates and the code use is in the catalogue in
// Bokmål and English. (Ids built from values, such as "format."+f, are
// checked in package i18n against the domain's enumerations.)
func TestMessageIDsExist(t *testing.T) {
	cat := i18n.DefaultCatalog()
	seen := map[string]string{}
	err := fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(templateFS, p)
		for _, m := range templateID.FindAllStringSubmatch(string(b), -1) {
			seen[m[1]] = p
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, re := range []*regexp.Regexp{codeID, fieldMsg} {
			for _, m := range re.FindAllStringSubmatch(string(b), -1) {
				seen[m[1]] = f
			}
		}
	}
	if len(seen) < 100 {
		t.Errorf("found only %d message ids; is the pattern right?", len(seen))
	}
	for id, where := range seen {
		if strings.HasSuffix(id, ".") { // a prefix of ids built from values
			n := 0
			for _, have := range cat.IDs("nb") {
				if strings.HasPrefix(have, id) {
					n++
				}
			}
			if n == 0 {
				t.Errorf("%s builds ids from %q, and nb has none", where, id)
			}
			continue
		}
		for _, l := range []string{"nb", "en"} {
			if !cat.Has(l, id) {
				t.Errorf("%s uses %q, which %s lacks", where, id, l)
			}
		}
	}
	for _, must := range []string{"front.h1", "finder.found", "group.venue_hidden", "error.near", "schedule.weekly", "access.value"} {
		if _, ok := seen[must]; !ok {
			t.Errorf("the scan did not find %q", must)
		}
	}
}
