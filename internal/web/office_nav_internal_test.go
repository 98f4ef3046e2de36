package web

import (
	"bytes"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/fellesrom/fellesrom/internal/auth"
	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/i18n"
	"github.com/fellesrom/fellesrom/internal/store"
)

// The menu of the directory shows each user the parts they may use, and
// works on the staff start page's view too (the part office_nav is joined
// to every staff page), so that the start page can link the directory
// with {{template "office_nav" .}}.
func TestOfficeNav(t *testing.T) {
	s := &site{cat: i18n.DefaultCatalog(), assets: mustLoadAssets()}
	s.tmpl = mustParseTemplates(s.assets)
	for _, tc := range []struct {
		name string
		me   *auth.Current
		want []string
	}{
		{"administrator", &auth.Current{User: store.User{ID: "a", Admin: true}, Session: store.Session{MFA: true}},
			[]string{"/kontor/organisasjoner", "/kontor/steder", "/kontor/grupper", "/kontor/csv", "/kontor/kilder", "/kontor/arsrapport",
				"/kontor/tema", "/kontor/modeller", "/kontor/logg", "/kontor/epost"}},
		{"administrator without the second factor", &auth.Current{User: store.User{ID: "a", Admin: true}}, nil},
		{"coordinator", &auth.Current{User: store.User{ID: "c", Memberships: []store.Membership{{OrgID: "o", Role: store.RoleCoordinator}}},
			Session: store.Session{MFA: true}}, []string{"/kontor/organisasjoner", "/kontor/steder", "/kontor/grupper", "/kontor/csv",
			"/kontor/kilder", "/kontor/arsrapport"}},
		{"partner", &auth.Current{User: store.User{ID: "p", Memberships: []store.Membership{{OrgID: "o", Role: store.RolePartner}}}},
			[]string{"/kontor/organisasjoner", "/kontor/steder", "/kontor/grupper", "/kontor/csv"}},
		{"starter", &auth.Current{User: store.User{ID: "s", Memberships: []store.Membership{{OrgID: "o", Role: store.RoleStarter}}},
			Session: store.Session{MFA: true}}, nil},
		{"signed out", nil, nil},
	} {
		v := &staffHomeView{staffView: s.newStaffView("en", "/kontor", tc.me)}
		v.Section = "home"
		var got []string
		for _, l := range v.OfficeLinks() {
			got = append(got, l.Path)
		}
		if strings.Join(got, " ") != strings.Join(tc.want, " ") {
			t.Errorf("%s: links %v, want %v", tc.name, got, tc.want)
		}
		var b bytes.Buffer
		if err := s.tmpl.pages["staff_home"].ExecuteTemplate(&b, "office_nav", v); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if len(tc.want) == 0 && b.Len() != 0 || len(tc.want) > 0 && !strings.Contains(b.String(), `<a href="/en/kontor/grupper">Groups</a>`) {
			t.Errorf("%s: office_nav on the start page:\n%s", tc.name, b.String())
		}
	}
}

// Every message id of the directory's code and templates is in the
// catalogue in Bokmål and English; ids built from a value (a prefix ending
// in ".") have at least one message; and nothing in the office files is
// left over that no page uses.
func TestOfficeMessageIDs(t *testing.T) {
	cat := i18n.DefaultCatalog()
	re := regexp.MustCompile(`"(office\.[a-z0-9_.]+)"`)
	used := map[string]string{}
	files, _ := filepath.Glob("office_*.go")
	tmpls, _ := fs.Glob(templateFS, "templates/office_*.html")
	for _, f := range append(files, tmpls...) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		var b []byte
		var err error
		if strings.HasPrefix(f, "templates/") {
			b, err = fs.ReadFile(templateFS, f)
		} else {
			b, err = os.ReadFile(f)
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = f
		}
	}
	if len(used) < 200 {
		t.Fatalf("found only %d ids", len(used))
	}
	for id, f := range used {
		for _, lang := range []string{"nb", "en", "nn"} {
			if strings.HasSuffix(id, ".") {
				if !slices.ContainsFunc(cat.IDs(lang), func(x string) bool { return strings.HasPrefix(x, id) }) {
					t.Errorf("%s builds ids from %q, which %s lacks", f, id, lang)
				}
			} else if !cat.Has(lang, id) {
				t.Errorf("%s uses %q, which %s lacks", f, id, lang)
			}
		}
	}
	for _, id := range cat.IDs("nb") {
		if !strings.HasPrefix(id, "office.") {
			continue
		}
		if _, ok := used[id]; !ok && !slices.ContainsFunc(slices.Collect(maps.Keys(used)), func(p string) bool {
			return strings.HasSuffix(p, ".") && strings.HasPrefix(id, p)
		}) {
			t.Errorf("%q is in the catalogue, and no page uses it", id)
		}
	}
	// The enumerations whose words are office messages.
	for _, x := range domain.JoinMethods {
		if !cat.Has("nb", "office.join."+string(x)) || !cat.Has("en", "office.join."+string(x)) {
			t.Errorf("no words for the join method %s", x)
		}
	}
	for _, x := range officeIntakes {
		if !cat.Has("en", "office.intake."+string(x)) {
			t.Errorf("no words for intake %s", x)
		}
	}
	for _, x := range officeLeaderships {
		if !cat.Has("en", "office.lead."+string(x)) {
			t.Errorf("no words for leadership %s", x)
		}
	}
	for _, x := range officeRepeats {
		if !cat.Has("en", "office.repeat."+x) {
			t.Errorf("no words for repeat %s", x)
		}
	}
	for _, x := range officeFieldNames {
		if !cat.Has("en", "office.field."+x) {
			t.Errorf("no words for field %s", x)
		}
	}
}
