package i18n

import (
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/fellesrom/fellesrom/internal/domain"
)

func TestLoad(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range Languages {
		if len(c.IDs(l)) == 0 {
			t.Errorf("no messages for %s", l)
		}
	}
	if got := c.Locales(); !slices.Equal(got, []string{"en", "nb", "nn", "se"}) {
		t.Errorf("locales %v", got)
	}
}

// Bokmål and English are complete: they have the same messages.
func TestBokmalAndEnglishHaveTheSameIDs(t *testing.T) {
	c := DefaultCatalog()
	nb, en := c.IDs("nb"), c.IDs("en")
	for _, id := range nb {
		if !c.Has("en", id) {
			t.Errorf("en lacks %q", id)
		}
	}
	for _, id := range en {
		if !c.Has("nb", id) {
			t.Errorf("nb lacks %q (en has it)", id)
		}
	}
}

// Other languages translate a part of Bokmål, and nothing else.
func TestOtherLocalesAreSubsetsOfBokmal(t *testing.T) {
	c := DefaultCatalog()
	for _, l := range c.Locales() {
		for _, id := range c.IDs(l) {
			if !c.Has("nb", id) {
				t.Errorf("%s has %q, which nb does not", l, id)
			}
		}
	}
	if n, nb := len(c.IDs("nn")), len(c.IDs("nb")); n != nb {
		t.Logf("nn has %d of %d messages", n, nb)
	}
}

var action = regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)

func fields(s string) []string {
	var out []string
	for _, m := range action.FindAllStringSubmatch(s, -1) {
		if !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	slices.Sort(out)
	return out
}

// raw reads a locale file as id → every text of the message (the plural
// forms of a plural message), and fails on a duplicate id, which
// encoding/json would silently drop.
func raw(t *testing.T, lang string) map[string][]string {
	t.Helper()
	areas, err := fs.Glob(locales, "locales/*."+lang+".json")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, f := range append([]string{path.Join("locales", lang+".json")}, areas...) {
		rawFile(t, f, out)
	}
	return out
}

// rawFile adds the texts of one catalogue file to out.
func rawFile(t *testing.T, file string, out map[string][]string) {
	t.Helper()
	lang := path.Base(file)
	b, err := fs.ReadFile(locales, file)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("%s: not an object", file)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		id := tok.(string)
		if _, dup := out[id]; dup {
			t.Errorf("%s: %q twice", lang, id)
		}
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("%s: %s: %v", lang, id, err)
		}
		switch v := v.(type) {
		case string:
			out[id] = []string{v}
		case map[string]any:
			for form, s := range v {
				if !slices.Contains([]string{"zero", "one", "two", "few", "many", "other", "description"}, form) {
					t.Errorf("%s: %s: unknown plural form %q", lang, id, form)
				}
				if form != "description" {
					out[id] = append(out[id], fmt.Sprint(s))
				}
			}
		default:
			t.Errorf("%s: %s: a message is a string or an object of plural forms", lang, id)
		}
	}
	if _, err := dec.Token(); err != nil && err != io.EOF {
		t.Fatal(err)
	}
}

// A translation uses the same template fields as Bokmål, so that no page
// shows "<no value>", and no message is empty: every file of a language,
// the areas' (<area>.<lang>.json) too.
func TestTemplateFieldsMatchBokmal(t *testing.T) {
	nb := raw(t, "nb")
	for _, l := range DefaultCatalog().Locales() {
		for id, texts := range raw(t, l) {
			if len(nb[id]) == 0 {
				t.Errorf("%s: %s is not in Bokmål", l, id)
				continue
			}
			// A plural form may leave a field out ("one" without the
			// count); together the forms use the fields Bokmål uses.
			want := fields(strings.Join(nb[id], " "))
			for _, s := range texts {
				if strings.TrimSpace(s) == "" {
					t.Errorf("%s: %s is empty", l, id)
				}
				for _, f := range fields(s) {
					if !slices.Contains(want, f) {
						t.Errorf("%s: %s uses the field %s, which nb does not", l, id, f)
					}
				}
			}
			if got := fields(strings.Join(texts, " ")); !slices.Equal(got, want) {
				t.Errorf("%s: %s uses fields %v, nb uses %v", l, id, got, want)
			}
		}
	}
}

// A group is a mulighet (an opportunity), never a tilbud (a service offer).
func TestNoTilbud(t *testing.T) {
	files, err := fs.Glob(locales, "locales/*.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, _ := fs.ReadFile(locales, f)
		for i, line := range strings.Split(string(b), "\n") {
			if strings.Contains(strings.ToLower(line), "tilbud") {
				t.Errorf("%s:%d says \"tilbud\": %s", f, i+1, strings.TrimSpace(line))
			}
		}
	}
}

func TestFallback(t *testing.T) {
	c := DefaultCatalog()
	if s, l := c.Lookup("se", "front.h1", nil); l != "se" || s != "Gávnna iešveahkkejoavkku" {
		t.Errorf("se front.h1 = %q in %s", s, l)
	}
	// A message a language lacks is the Bokmål one, and says so.
	small, err := load(fstest.MapFS{
		"locales/nb.json": {Data: []byte(`{"a": "A", "b": "B"}`)},
		"locales/se.json": {Data: []byte(`{"a": "Á"}`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if s, l := small.Lookup("se", "b", nil); l != "nb" || s != "B" {
		t.Errorf("se b = %q in %s, want the Bokmål text", s, l)
	}
	if s, l := c.Lookup("se", "common.search", nil); l != "se" || s != "Ohcat" {
		t.Errorf("se common.search = %q in %s", s, l)
	}
	if s, l := c.Lookup("nn", "front.h1", nil); l != "nn" || s != "Finn ei sjølvhjelpsgruppe" {
		t.Errorf("nn front.h1 = %q in %s", s, l)
	}
	if s, l := c.Lookup("xx", "front.h1", nil); l != "nb" || s == "" {
		t.Errorf("unknown language: %q in %s", s, l)
	}
	if s, _ := c.Lookup("nb", "no.such.message", nil); s != "no.such.message" {
		t.Errorf("missing message gives %q", s)
	}
	if s, _ := c.Lookup("en", "group.join_via_house", map[string]any{"Org": "Selvhjelpshuset"}); s != "Contact Selvhjelpshuset." {
		t.Errorf("template: %q", s)
	}
}

func TestPlural(t *testing.T) {
	c := DefaultCatalog()
	for _, tc := range []struct {
		lang string
		n    int
		want string
	}{
		{"nb", 1, "Fant 1 gruppe"}, {"nb", 2, "Fant 2 grupper"}, {"nb", 0, "Fant 0 grupper"},
		{"en", 1, "Found 1 group"}, {"en", 12, "Found 12 groups"},
		{"nn", 1, "Fann 1 gruppe"}, {"se", 1, "1 joavku"}, {"se", 2, "2 joavkku"}, {"se", 3, "3 joavkku"},
	} {
		if got, _ := c.Plural(tc.lang, "finder.found", tc.n, nil); got != tc.want {
			t.Errorf("%s %d: %q, want %q", tc.lang, tc.n, got, tc.want)
		}
	}
}

// The words for every value of the domain's enumerations are in the
// catalogue, in every complete language.
func TestEnumWords(t *testing.T) {
	c := DefaultCatalog()
	var ids []string
	for _, f := range domain.Formats {
		ids = append(ids, "format."+string(f))
	}
	for _, s := range domain.Statuses {
		ids = append(ids, "status."+string(s))
	}
	for _, a := range domain.AgeGroups {
		ids = append(ids, "age."+string(a))
	}
	for _, g := range domain.Genders {
		ids = append(ids, "gender."+string(g))
	}
	for _, k := range domain.OrgKinds {
		ids = append(ids, "orgkind."+string(k))
	}
	for _, tod := range domain.TimesOfDay {
		ids = append(ids, "time."+string(tod))
	}
	for _, in := range []domain.Intake{domain.IntakeClosed, domain.IntakeOpen, domain.IntakeVaries} {
		ids = append(ids, "model.intake."+string(in))
	}
	for _, l := range []domain.Leadership{domain.LeadStarter, domain.LeadChair, domain.LeadPeer} {
		ids = append(ids, "model.lead."+string(l))
	}
	for d := range 7 {
		ids = append(ids, fmt.Sprintf("weekday.%d", d))
	}
	for m := 1; m <= 12; m++ {
		ids = append(ids, fmt.Sprintf("month.%d", m))
	}
	for _, l := range LanguageNames {
		ids = append(ids, "lang."+l)
	}
	for _, id := range ids {
		for _, l := range []string{"nb", "en", "nn"} {
			if !c.Has(l, id) {
				t.Errorf("%s lacks %q", l, id)
			}
		}
	}
}

func TestAreaFilesJoinTheirLanguage(t *testing.T) {
	fsys := fstest.MapFS{
		"locales/nb.json":        {Data: []byte(`{"a": "A"}`)},
		"locales/office.nb.json": {Data: []byte(`{"office.b": "B"}`)},
		"locales/en.json":        {Data: []byte(`{"a": "A (en)"}`)},
	}
	c, err := load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Has("nb", "a") || !c.Has("nb", "office.b") || c.Has("office", "office.b") {
		t.Errorf("nb ids %v, locales %v", c.IDs("nb"), c.Locales())
	}
	if text, lang := c.Lookup("en", "office.b", nil); text != "B" || lang != "nb" {
		t.Errorf("en falls back to nb for an area message: %q %q", text, lang)
	}
	fsys["locales/more.nb.json"] = &fstest.MapFile{Data: []byte(`{"a": "again"}`)}
	if _, err := load(fsys); err == nil {
		t.Error("a message defined in two files of one language was accepted")
	}
}
