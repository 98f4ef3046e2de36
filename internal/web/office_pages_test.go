package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// officePagePaths are every GET page of the directory, for the fixture's objects.
func officePagePaths(f *officeFixture) []string {
	h1 := f.orgs["house1"]
	v, rm, g := f.venues["house1"], f.rooms["house1"], f.groups["house1"]
	return []string{
		"/kontor/organisasjoner", "/kontor/organisasjoner/ny", "/kontor/organisasjoner/ny?forelder=" + h1.ID,
		"/kontor/organisasjoner/" + h1.ID,
		"/kontor/steder", "/kontor/steder?organisasjon=" + h1.ID, "/kontor/steder/ny?organisasjon=" + h1.ID,
		"/kontor/steder/" + v.ID, "/kontor/steder/" + v.ID + "/rom/ny", "/kontor/steder/" + v.ID + "/rom/" + rm.ID,
		"/kontor/grupper", "/kontor/grupper?status=recruiting&organisasjon=" + h1.ID, "/kontor/grupper/ny?organisasjon=" + h1.ID,
		"/kontor/grupper/" + g.ID, "/kontor/grupper/" + g.ID + "/endre",
		"/kontor/tema", "/kontor/tema/ny", "/kontor/tema/" + f.themes[0].ID,
		"/kontor/modeller", "/kontor/modeller/ny", "/kontor/modeller/" + f.model.ID,
		"/kontor/logg", "/kontor/logg?handling=group.&type=group",
	}
}

// Every page of the directory answers an administrator in Bokmål,
// Nynorsk and English with a complete page that may not be stored, and
// the staff start page links to them.
func TestOfficePages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := newOfficeFixture(t, st)
		c := f.signIn(t, "admin")
		for _, p := range officePagePaths(f) {
			for _, lang := range []string{"nb", "nn", "en"} {
				target := p
				if lang != "nb" {
					target = "/" + lang + p
				}
				r := c.get(target)
				if r.status != http.StatusOK {
					t.Errorf("%s: %d", target, r.status)
					continue
				}
				checkOfficeHTML(t, target, r, lang)
				if lang == "nb" && !strings.Contains(r.body, `class="office-nav"`) {
					t.Errorf("%s: no menu of the directory", target)
				}
			}
		}
		// Methods: the lists take no POST; status and verify take no GET.
		g := f.groups["house1"]
		for _, m := range []struct{ method, path, allow string }{
			{"POST", "/kontor/organisasjoner", "GET, HEAD"}, {"PUT", "/kontor/grupper/ny", "GET, HEAD, POST"},
			{"GET", "/kontor/grupper/" + g.ID + "/status", "POST"}, {"GET", "/kontor/grupper/" + g.ID + "/bekreft", "POST"},
			{"DELETE", "/kontor/logg", "GET, HEAD"}, {"POST", "/kontor/logg", "GET, HEAD"},
		} {
			req, _ := http.NewRequest(m.method, f.srv.URL+m.path, nil)
			if r := c.do(req); r.status != http.StatusMethodNotAllowed || r.header.Get("Allow") != m.allow {
				t.Errorf("%s %s: %d, Allow %q", m.method, m.path, r.status, r.header.Get("Allow"))
			}
		}
		// Junk in paths and queries: 404 (an ID that is not one), 400 (a
		// filter that cannot be), never 500.
		for _, p := range []string{"/kontor/grupper/ikke-en-id", "/kontor/grupper/" + g.Slug, "/kontor/steder/%00",
			"/kontor/organisasjoner/00000000-0000-4000-8000-000000000000", "/kontor/grupper?organisasjon=x",
			"/kontor/steder/" + f.venues["house1"].ID + "/rom/" + f.rooms["house2"].ID, "/kontor/tema/x", "/kontor/modeller/x"} {
			if r := c.get(p); r.status != http.StatusNotFound {
				t.Errorf("%s: %d, want 404", p, r.status)
			}
		}
		for _, p := range []string{"/kontor/grupper?status=nope", "/kontor/grupper?side=0", "/kontor/grupper?side=x",
			"/kontor/logg?fra=i+går", "/kontor/logg?handling=" + url.QueryEscape("<script>"), "/kontor/logg?eldre=-1"} {
			r := c.get(p)
			if r.status != http.StatusBadRequest || !strings.Contains(r.body, `class="error-summary"`) {
				t.Errorf("%s: %d, want 400 with an error summary", p, r.status)
			}
			checkOfficeHTML(t, p, r, "nb")
		}
	})
}
