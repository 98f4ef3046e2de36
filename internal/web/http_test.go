package web_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/fellesrom/fellesrom/internal/domain"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

var (
	reLang  = regexp.MustCompile(`<html lang="([a-z]+)">`)
	reTitle = regexp.MustCompile(`<title>([^<]*)</title>`)
	reH1    = regexp.MustCompile(`<h1[ >]`)
	// Ids of messages the catalogue lacks come out as themselves.
	reMessageID = regexp.MustCompile(`\b(?:site|title|layout|footer|common|front|finder|error|group|access|model|org|orgkind|format|status|age|gender|time|weekday|month|ordinal|schedule|list|date|number|lang)\.[a-z][a-z0-9_]*\b`)
	// Every URL the page makes the browser load.
	reLoaded = regexp.MustCompile(`<(?:link|script|img|source|iframe)\b[^>]*\b(?:href|src|srcset)="([^"]*)"|<form\b[^>]*\baction="([^"]*)"`)
	reFirstA = regexp.MustCompile(`<body>\s*<a ([^>]*)>`)
)

// page is what a test learns from a response.
type page struct {
	status int
	header http.Header
	body   string
	lang   string
	title  string
}

func get(t *testing.T, f *fixture, method, target string) page {
	t.Helper()
	w := f.do(t, method, target)
	p := page{status: w.Code, header: w.Header(), body: w.Body.String()}
	if m := reLang.FindStringSubmatch(p.body); m != nil {
		p.lang = m[1]
	}
	if m := reTitle.FindStringSubmatch(p.body); m != nil {
		p.title = html.UnescapeString(m[1])
	}
	return p
}

// checkHTML checks what every HTML page must be.
func checkHTML(t *testing.T, target string, p page) {
	t.Helper()
	target = short(target)
	if ct := p.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("%s: Content-Type %q", target, ct)
	}
	if cc := p.header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("%s: Cache-Control %q", target, cc)
	}
	if strings.Contains(p.body, "<no value>") {
		t.Errorf("%s: a message lacks template data", target)
	}
	// E-mail addresses, hosts and static files are not message ids.
	body := regexp.MustCompile(`[\w.-]+\.example\b|/static/[\w.-]+`).ReplaceAllString(p.body, "")
	if m := reMessageID.FindString(body); m != "" {
		t.Errorf("%s: the catalogue lacks %q", target, m)
	}
	if n := len(reH1.FindAllString(p.body, -1)); n != 1 {
		t.Errorf("%s: %d h1 elements", target, n)
	}
	if m := reFirstA.FindStringSubmatch(p.body); m == nil || !strings.Contains(m[1], `class="skip"`) || !strings.Contains(m[1], `href="#main"`) {
		t.Errorf("%s: the first element of the body is not the skip link", target)
	}
	if !strings.Contains(p.body, `<main id="main"`) {
		t.Errorf("%s: no main#main", target)
	}
	for _, m := range reLoaded.FindAllStringSubmatch(p.body, -1) {
		u := html.UnescapeString(m[1] + m[2])
		if !strings.HasPrefix(u, "/") || strings.HasPrefix(u, "//") {
			t.Errorf("%s: loads %q, which is not a same-origin path", target, u)
		}
	}
	if strings.Contains(p.body, " style=") || strings.Contains(p.body, "<style") {
		t.Errorf("%s: inline style, which the CSP forbids", target)
	}
	if regexp.MustCompile(`<script>|<script [^>]*>[^<]`).MatchString(p.body) || strings.Contains(p.body, " onclick=") {
		t.Errorf("%s: inline script, which the CSP forbids", target)
	}
}

type pageCase struct {
	target   string
	status   int
	lang     string
	title    string // the whole title, if set
	contains []string
	absent   []string
}

func TestPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := setup(t, st)
		long := strings.Repeat("x", 10<<10)
		cases := []pageCase{
			{target: "/", status: 200, lang: "nb", title: "Selvhjelpsgrupper i Norge – fellesrom",
				contains: []string{"Hva er en selvhjelpsgruppe?", "Ikke behandling eller terapi", "Ikke et kurs", "Ikke en sosial klubb",
					"Ikke en offentlig tjeneste", "mulighet", "igangsetter", "tolvtrinnsmøter", "likeperson", `action="/finn"`,
					`name="q"`, `href="/finn?theme=sorg"`, `hreflang="en"`}},
			{target: "/en/", status: 200, lang: "en", title: "Self-help groups in Norway – fellesrom",
				contains: []string{"What is a self-help group?", `action="/en/finn"`, `href="/en/finn?theme=sorg"`, `href="/" hreflang="nb" lang="nb"`}},
			{target: "/nn/", status: 200, lang: "nn", title: "Sjølvhjelpsgrupper i Noreg – fellesrom",
				contains: []string{"Kva er ei sjølvhjelpsgruppe?"}},
			{target: "/se/", status: 200, lang: "se",
				contains: []string{"Mii lea iešveahkkejoavku?", ">Ohcat<", `aria-current="true">Davvisámegiella`}},
			{target: "/finn", status: 200, lang: "nb", title: "Finn en gruppe – fellesrom",
				contains: []string{"Fant ", "Side 1 av", `rel="next"`, `<optgroup label="Finnmark">`, "Kautokeino – Guovdageaidnu",
					`<summary>Nær et sted</summary>`, `name="lat"`, `name="lon"`, `<legend>Tema</legend>`, `src="/static/site.`}},
			{target: "/finn?q=p%C3%A5r%C3%B8rende", status: 200, lang: "nb", title: "Søk etter «pårørende» – fellesrom",
				contains: []string{"Pårørendegruppe Guovdageaidnu", `value="pårørende"`}},
			{target: "/en/finn?q=grief", status: 200, lang: "en", title: "Search for “grief” – fellesrom", contains: []string{"Found "}},
			{target: "/finn?municipality=5612", status: 200, lang: "nb", title: "Søkeresultat – fellesrom",
				contains: []string{"Pårørendegruppe Guovdageaidnu", "Åpent testmøte", `<option value="5612" selected>Kautokeino – Guovdageaidnu</option>`},
				absent:   []string{"Avsluttet testgruppe"}},
			{target: "/finn?near=69.01,23.04&km=5", status: 200, lang: "nb",
				contains: []string{"Åpent testmøte", "km unna", `value="69,01"`}},
			{target: "/finn?lat=69%2C01&lon=23%2C04&km=5", status: 200, lang: "nb", contains: []string{"Åpent testmøte", "km unna"}},
			{target: "/finn?q=&lat=&lon=&km=25", status: 200, lang: "nb", title: "Finn en gruppe – fellesrom"},
			{target: "/finn?page=500", status: 200, lang: "nb", contains: []string{"Ingen treff på denne siden.", `<a href="/finn">Gå til første side</a>`}},
			{target: "/en/finn?q=zzzzqqq", status: 200, lang: "en", contains: []string{"No groups found"}},

			{target: "/gruppe/" + f.closed.Slug, status: 200, lang: "nb", title: "Pårørendegruppe Guovdageaidnu – fellesrom",
				contains: []string{"Møtestedet får du vite når du blir med i gruppa.", "Kautokeino – Guovdageaidnu",
					"Ta kontakt med Testhuset Kautokeino.", `href="/organisasjon/testhuset-kautokeino"`, "mailto:post@testhuset.example",
					"Annenhver tirsdag kl. 18.00–19.30", "<time datetime=", "Lukket gruppe", "norsk bokmål, nordsamisk",
					"Voksne (18 år og eldre)", "For pårørende", "Søker deltakere", "Tar imot nye deltakere nå", "Sist bekreftet 1. oktober 2026."},
				absent: []string{closedStreet, "Lukketstua", "Tilgjengelighet"}},
			{target: "/en/gruppe/" + f.closed.Slug, status: 200, lang: "en", title: "Relatives' group Guovdageaidnu – fellesrom",
				contains: []string{"You learn where the group meets when you join it.", "Contact Testhuset Kautokeino.", "Every other Tuesday, 18:00–19:30",
					"Norwegian Bokmål, Northern Sami", `<p lang="nb">For deg som er pårørende.</p>`},
				absent: []string{closedStreet}},
			{target: "/se/gruppe/" + f.closed.Slug, status: 200, lang: "se", absent: []string{closedStreet}},
			{target: "/gruppe/" + f.open.Slug, status: 200, lang: "nb", title: "Åpent testmøte – fellesrom",
				contains: []string{openStreet, "Åpenstua", "9520 Guovdageaidnu", "Bare kom.", "Første mandag i måneden kl. 18.00–19.00",
					"Trinnfri adgang: Ja", "Teleslynge: Nei", "Tilgjengelig toalett: Ja", "Inngang fra baksiden.", "Åpne møter"}},
			{target: "/en/gruppe/" + f.open.Slug, status: 200, lang: "en", title: "Open test meeting – fellesrom",
				contains: []string{openStreet, "Just come.", "First Monday of the month, 18:00–19:00", "Step-free access: Yes"}},
			{target: "/gruppe/" + f.ended.Slug, status: 200, lang: "nb", title: "Avsluttet testgruppe – fellesrom",
				contains: []string{"Denne gruppa er avsluttet og møtes ikke lenger.", "Finn andre grupper om det samme", "Avsluttet"},
				absent:   []string{"De neste møtene", "Slik blir du med"}},
			{target: "/gruppe/" + f.closed.ID, status: 301},
			{target: "/organisasjon/testhuset-kautokeino", status: 200, lang: "nb", title: "Testhuset Kautokeino – fellesrom",
				contains: []string{"Selvhjelpshus", "Et møtested for selvhjelp.", "Tirsdag 10–14", "Kautokeino – Guovdageaidnu",
					"Karasjok – Kárášjohka", "Pårørendegruppe Guovdageaidnu", "Åpent testmøte", "Del av", "https://testhuset.example"},
				absent: []string{"Avsluttet testgruppe", closedStreet}},
			{target: "/en/organisasjon/testhuset-kautokeino", status: 200, lang: "en", contains: []string{"Self-help house", "A meeting place for self-help."}},

			{target: "/gruppe/finnes-ikke", status: 404, lang: "nb", title: "Fant ikke siden – fellesrom"},
			{target: "/en/gruppe/finnes-ikke", status: 404, lang: "en", title: "Page not found – fellesrom"},
			{target: "/organisasjon/finnes-ikke", status: 404, lang: "nb"},
			{target: "/finnes-ikke", status: 404, lang: "nb"},
			{target: "/nn/finnes/ikke", status: 404, lang: "nn"},
			{target: "/static/site.css", status: 404, lang: "nb"},
			{target: "/gruppe/STOR", status: 400, lang: "nb", title: "Ugyldig adresse – fellesrom"},
			{target: "/en/gruppe/a%20b", status: 400, lang: "en", title: "Invalid address – fellesrom"},
			{target: "/organisasjon/" + strings.Repeat("a", 200), status: 400, lang: "nb"},

			{target: "/finn?q=%zz", status: 400, lang: "nb", title: "Feil i søket – fellesrom",
				contains: []string{"Adressen til søket er ødelagt", `<form class="finder"`}},
			{target: "/finn?q=%zz&theme=sorg&open=1", status: 400, lang: "nb",
				contains: []string{"Adressen til søket er ødelagt", `value="sorg" checked`, `id="f-open-1" name="open" value="1" checked`}},
			{target: "/finn?q=%ff%fe", status: 400, lang: "nb", contains: []string{"Søketeksten er for lang eller har tegn som ikke kan brukes"}},
			{target: "/finn?page=-1", status: 400, lang: "nb", contains: []string{"Sidetallet må være et helt tall fra 1 til 10000."}},
			{target: "/finn?page=0&q=sorg", status: 400, lang: "nb", contains: []string{"Sidetallet må være", `value="sorg"`}},
			{target: "/finn?page=99999999999999999999999", status: 400, lang: "nb", contains: []string{"Sidetallet må være"}},
			{target: "/finn?page=abc", status: 400, lang: "nb"},
			{target: "/finn?q=" + long + "&theme=sorg", status: 400, lang: "nb",
				contains: []string{"Søketeksten er for lang", `id="f-q-error"`, `aria-invalid="true"`, `value="sorg" checked`},
				absent:   []string{strings.Repeat("x", 100)}},
			{target: "/en/finn?q=ok&theme=no-such-theme", status: 400, lang: "en",
				contains: []string{"One of the themes does not exist", `href="#f-theme"`, `id="f-theme-error"`, `value="ok"`, "<details class=\"filters\" open>"},
				absent:   []string{"no-such-theme"}},
			{target: "/finn?format=teleport", status: 400, lang: "nb", contains: []string{"Velg blant måtene å møtes på", `id="f-format-error"`}},
			{target: "/finn?model=nope", status: 400, lang: "nb", contains: []string{`id="f-model-error"`}},
			{target: "/finn?day=xx", status: 400, lang: "nb", contains: []string{`id="f-day-error"`}},
			{target: "/finn?time=night", status: 400, lang: "nb", contains: []string{`id="f-time-error"`}},
			{target: "/finn?municipality=9999", status: 400, lang: "nb", contains: []string{"Kommunen finnes ikke", `id="f-municipality-error"`}},
			{target: "/finn?municipality=oslo", status: 400, lang: "nb", contains: []string{"Kommunen finnes ikke"}},
			{target: "/finn?county=999", status: 400, lang: "nb", contains: []string{"Fylket finnes ikke"}},
			{target: "/finn?lang=norsk", status: 400, lang: "nb", contains: []string{`id="f-lang-error"`}},
			{target: "/finn?open=maybe", status: 400, lang: "nb", contains: []string{`id="f-open-error"`}},
			{target: "/finn?near=north", status: 400, lang: "nb", contains: []string{"Skriv både breddegrad", `id="f-near-error"`, "<details class=\"near\" open>"}},
			{target: "/finn?lat=69.6&lon=", status: 400, lang: "nb", contains: []string{"Skriv både breddegrad", `value="69.6"`}},
			{target: "/finn?lat=100&lon=18", status: 400, lang: "nb", contains: []string{"Skriv både breddegrad"}},
			{target: "/finn?lat=" + long + "&lon=1", status: 400, lang: "nb", absent: []string{strings.Repeat("x", 40)}},
			{target: "/finn?km=50", status: 400, lang: "nb", contains: []string{"Velg en avstand", `id="f-km-error"`}},
			{target: "/finn?per_page=1000", status: 400, lang: "nb", contains: []string{"Antall treff per side"}},
			{target: "/finn?theme=" + strings.Repeat("a", 300), status: 400, lang: "nb", absent: []string{strings.Repeat("a", 100)}},
		}
		for _, c := range cases {
			t.Run(short(c.target), func(t *testing.T) {
				p := get(t, f, "GET", c.target)
				if p.status != c.status {
					t.Fatalf("status %d, want %d", p.status, c.status)
				}
				if c.status == 301 {
					return
				}
				checkHTML(t, c.target, p)
				if p.lang != c.lang {
					t.Errorf("lang %q, want %q", p.lang, c.lang)
				}
				if c.title != "" && p.title != c.title {
					t.Errorf("title %q, want %q", p.title, c.title)
				}
				text := html.UnescapeString(p.body)
				for _, s := range c.contains {
					if !strings.Contains(p.body, s) && !strings.Contains(text, s) {
						t.Errorf("the page lacks %q", s)
					}
				}
				for _, s := range c.absent {
					if strings.Contains(p.body, s) || strings.Contains(text, s) {
						t.Errorf("the page has %q", s)
					}
				}
			})
		}

		t.Run("titles are unique", func(t *testing.T) {
			seen := map[string]string{}
			for _, target := range []string{"/", "/finn", "/finn?q=sorg", "/gruppe/" + f.closed.Slug, "/gruppe/" + f.open.Slug,
				"/organisasjon/testhuset-kautokeino", "/gruppe/finnes-ikke", "/finn?page=-1", "/finn?page=2"} {
				p := get(t, f, "GET", target)
				if other, ok := seen[p.title]; ok {
					t.Errorf("%s and %s have the same title %q", target, other, p.title)
				}
				seen[p.title] = target
			}
		})

		t.Run("concurrent", func(t *testing.T) {
			var wg sync.WaitGroup
			for i := range 16 {
				wg.Go(func() {
					target := []string{"/finn?q=sorg", "/en/finn", "/", "/gruppe/" + f.open.Slug}[i%4]
					if w := f.do(t, "GET", target); w.Code != 200 {
						t.Errorf("%s: %d", target, w.Code)
					}
				})
			}
			wg.Wait()
		})

		t.Run("methods", func(t *testing.T) {
			for _, m := range []string{"POST", "PUT", "DELETE", "PATCH"} {
				for _, target := range []string{"/", "/finn", "/en/gruppe/" + f.closed.Slug, "/organisasjon/testhuset-kautokeino", "/static/x"} {
					p := get(t, f, m, target)
					if p.status != http.StatusMethodNotAllowed {
						t.Errorf("%s %s: %d", m, target, p.status)
					}
					if a := p.header.Get("Allow"); a != "GET, HEAD" {
						t.Errorf("%s %s: Allow %q", m, target, a)
					}
				}
			}
			if p := get(t, f, "HEAD", "/"); p.status != 200 || p.body != "" {
				t.Errorf("HEAD /: %d, %d bytes", p.status, len(p.body))
			}
			w := f.do(t, "GET", "/en")
			if w.Code != http.StatusMovedPermanently || w.Header().Get("Location") != "/en/" {
				t.Errorf("/en: %d %q", w.Code, w.Header().Get("Location"))
			}
		})
	})
}

// hrefs returns the links to group pages in a page, in order.
func groupLinks(body string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`<h3><a href="(/(?:[a-z]{2}/)?gruppe/[^"]+)"`).FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// The finder folds case: pårørende, PÅRØRENDE and Pårørende find the same.
func TestSearchFoldsCase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := setup(t, st)
		var first []string
		for i, q := range []string{"pårørende", "PÅRØRENDE", "Pårørende"} {
			p := get(t, f, "GET", "/finn?"+url.Values{"q": {q}}.Encode())
			if p.status != 200 {
				t.Fatalf("%s: %d", q, p.status)
			}
			links := groupLinks(p.body)
			if len(links) == 0 {
				t.Fatalf("%s: no hits", q)
			}
			if i == 0 {
				first = links
			} else if !slices.Equal(links, first) {
				t.Errorf("%s: %v, want %v", q, links, first)
			}
		}
	})
}

func TestPaging(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := setup(t, st)
		p1 := get(t, f, "GET", "/finn?format=in_person")
		m := regexp.MustCompile(`Side 1 av (\d+)`).FindStringSubmatch(p1.body)
		if m == nil || m[1] == "1" {
			t.Fatalf("no pages: %v", m)
		}
		if !strings.Contains(p1.body, `<link rel="next" href="/finn?format=in_person&amp;page=2">`) ||
			!strings.Contains(p1.body, `<a href="/finn?format=in_person&amp;page=2" rel="next">Neste side</a>`) {
			t.Error("page 1 has no rel=next to page 2")
		}
		if strings.Contains(p1.body, `rel="prev"`) {
			t.Error("page 1 has rel=prev")
		}
		p2 := get(t, f, "GET", "/finn?format=in_person&page=2")
		if !strings.Contains(p2.body, "Side 2 av "+m[1]) || !strings.Contains(p2.body, `<a href="/finn?format=in_person" rel="prev">Forrige side</a>`) {
			t.Error("page 2 lacks its number or rel=prev")
		}
		if !strings.Contains(p2.title, "side 2 av "+m[1]) {
			t.Errorf("page 2 title %q", p2.title)
		}
		if slices.Equal(groupLinks(p1.body), groupLinks(p2.body)) {
			t.Error("pages 1 and 2 show the same groups")
		}
		// The language switcher keeps the search.
		if !strings.Contains(p2.body, `href="/en/finn?format=in_person&amp;page=2" hreflang="en" lang="en"`) {
			t.Error("the link to English does not keep the search")
		}
	})
}

// No page shows the street of the place a group meets unless the group's
// meeting place is public: a closed group's never is. Every group of the demo
// set, in two languages.
func TestMeetingPlacePrivacy(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := setup(t, st)
		ctx := context.Background()
		groups, err := st.AllGroups(ctx)
		if err != nil {
			t.Fatal(err)
		}
		models, _ := st.Models(ctx)
		modelBy := map[string]domain.Model{}
		for _, m := range models {
			modelBy[m.ID] = m
		}
		venues, _ := st.Venues(ctx)
		venueBy := map[string]domain.Venue{}
		for _, v := range venues {
			venueBy[v.ID] = v
		}
		hidden, shown := 0, 0
		for _, g := range groups {
			v, ok := venueBy[g.VenueID]
			if !ok || v.Street == "" {
				continue
			}
			visible := domain.AddressVisible(g, modelBy[g.ModelID], v)
			if visible && g.Status == domain.StatusEnded {
				visible = false // an ended group's page says only that it has ended
			}
			for _, prefix := range []string{"", "/en"} {
				p := get(t, f, "GET", prefix+"/gruppe/"+g.Slug)
				if p.status != 200 {
					t.Fatalf("%s: %d", g.Slug, p.status)
				}
				has := strings.Contains(html.UnescapeString(p.body), v.Street)
				switch {
				case !visible && has:
					t.Errorf("%s/gruppe/%s shows the street %q of a meeting place that is not public", prefix, g.Slug, v.Street)
				case visible && !has:
					t.Errorf("%s/gruppe/%s does not show the street %q of its public meeting place", prefix, g.Slug, v.Street)
				}
			}
			if visible {
				shown++
			} else {
				hidden++
			}
		}
		if hidden < 5 || shown < 2 {
			t.Errorf("only %d hidden and %d shown meeting places: the test proves little", hidden, shown)
		}
	})
}

func TestStatic(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := setup(t, st)
		p := get(t, f, "GET", "/finn")
		for _, m := range regexp.MustCompile(`(?:href|src)="(/static/[^"]+)"`).FindAllStringSubmatch(p.body, -1) {
			w := f.do(t, "GET", m[1])
			if w.Code != 200 {
				t.Errorf("%s: %d", m[1], w.Code)
			}
			if cc := w.Header().Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
				t.Errorf("%s: Cache-Control %q", m[1], cc)
			}
			if !regexp.MustCompile(`^/static/[a-z]+\.[0-9a-f]{10}\.(css|js|svg)$`).MatchString(m[1]) {
				t.Errorf("%s has no content hash", m[1])
			}
			want := map[string]string{".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml"}
			for ext, ct := range want {
				if strings.HasSuffix(m[1], ext) && w.Header().Get("Content-Type") != ct {
					t.Errorf("%s: Content-Type %q", m[1], w.Header().Get("Content-Type"))
				}
			}
		}
	})
}

// gunzipLen returns the size of a response as sent with gzip, and its body.
func transfer(t *testing.T, f *fixture, target string) (int, string) {
	t.Helper()
	w := f.do(t, "GET", target, "Accept-Encoding", "gzip")
	if w.Code >= 500 {
		t.Fatalf("%s: %d", target, w.Code)
	}
	n := w.Body.Len()
	if w.Header().Get("Content-Encoding") != "gzip" {
		return n, w.Body.String()
	}
	zr, err := gzip.NewReader(bytes.NewReader(w.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return n, string(b)
}

// Every public page is under 50 kB transferred: HTML after gzip, with the
// CSS and JavaScript it loads (images not counted).
func TestPageWeight(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := setup(t, st)
		for _, target := range []string{"/", "/en/", "/se/", "/finn", "/finn?q=p%C3%A5r%C3%B8rende", "/en/finn?format=in_person&page=2",
			"/finn?theme=nope", "/gruppe/" + f.closed.Slug, "/en/gruppe/" + f.open.Slug, "/organisasjon/testhuset-kautokeino",
			"/organisasjon/selvhjelpshuset-oslo", "/gruppe/finnes-ikke"} {
			n, body := transfer(t, f, target)
			total, parts := n, []string{"html " + itoa(n)}
			for _, m := range regexp.MustCompile(`<(?:link rel="stylesheet"|script)[^>]*(?:href|src)="(/static/[^"]+\.(?:css|js))"`).FindAllStringSubmatch(body, -1) {
				an, _ := transfer(t, f, m[1])
				total += an
				parts = append(parts, m[1][strings.LastIndex(m[1], ".")+1:]+" "+itoa(an))
			}
			t.Logf("%-45s %6d bytes (%s)", target, total, strings.Join(parts, ", "))
			if total >= 50_000 {
				t.Errorf("%s: %d bytes transferred, over 50 000", target, total)
			}
		}
	})
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	return string(b[i:])
}

// short names a long request for a test name or message.
func short(target string) string {
	if len(target) > 70 {
		return target[:60] + "…(" + itoa(len(target)) + " bytes)"
	}
	return target
}
