package web_test

import (
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

var reSnippet = regexp.MustCompile(`(?s)<textarea id="snippet"[^>]*>(.*?)</textarea>`)

func TestWidget(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		f := setup(t, st)

		// Kautokeino's groups: the open and the closed one, the closed
		// one without its meeting place; links to the top window; no
		// cookie; framing allowed for this page only.
		w := f.do(t, "GET", "/widget?kommune=5612")
		body := w.Body.String()
		if w.Code != 200 {
			t.Fatalf("widget: %d\n%s", w.Code, body)
		}
		for _, want := range []string{`<html lang="nb">`, "<title>Selvhjelpsgrupper: Kautokeino – Guovdageaidnu</title>",
			"Åpent testmøte", "Pårørendegruppe Guovdageaidnu", `href="/gruppe/test-apent" target="_top"`, `/static/widget.`,
			`href="/finn?municipality=5612" target="_top"`} {
			if !strings.Contains(body, want) {
				t.Errorf("the widget lacks %q", want)
			}
		}
		for _, no := range []string{closedStreet, "Lukketstua", "Avsluttet testgruppe", "<script", "site.css", "http://", "https://"} {
			if strings.Contains(body, no) {
				t.Errorf("the widget has %q", no)
			}
		}
		h := w.Header()
		if len(h.Values("Set-Cookie")) != 0 {
			t.Errorf("the widget sets a cookie: %v", h.Values("Set-Cookie"))
		}
		csp := h.Get("Content-Security-Policy")
		if !strings.Contains(csp, "frame-ancestors *") || strings.Contains(csp, "'none'; base") && !strings.Contains(csp, "default-src 'none'") ||
			h.Get("X-Frame-Options") != "" {
			t.Errorf("the widget cannot be framed: %q %q", csp, h.Get("X-Frame-Options"))
		}
		for _, other := range []string{"/", "/widget/lag", "/gruppe/test-apent", "/organisasjon/" + f.house.Slug + "/utskrift"} {
			w := f.do(t, "GET", other)
			if !strings.Contains(w.Header().Get("Content-Security-Policy"), "frame-ancestors 'none'") || w.Header().Get("X-Frame-Options") != "DENY" {
				t.Errorf("%s may be framed", other)
			}
		}

		// A house and a theme, in English; a count.
		w = f.do(t, "GET", "/en/widget?hus="+f.house.Slug+"&tema=sorg&antall=1")
		body = w.Body.String()
		if w.Code != 200 || !strings.Contains(body, "Self-help groups: Testhuset Kautokeino, ") ||
			strings.Count(body, "<li>") != 1 || !strings.Contains(body, "See all 2 groups on fellesrom") {
			t.Errorf("house widget: %d\n%s", w.Code, body)
		}
		// Unknown things: a clear 404 in the frame.
		for _, bad := range []string{"/widget?kommune=9999", "/widget?tema=finnes-ikke", "/widget?hus=finnes-ikke", "/widget?antall=0",
			"/widget?antall=x"} {
			w := f.do(t, "GET", bad)
			if w.Code != 404 || !strings.Contains(w.Body.String(), "Denne listen finnes ikke lenger") {
				t.Errorf("%s: %d", bad, w.Code)
			}
		}

		// The builder: the empty form, then a snippet.
		w = f.do(t, "GET", "/widget/lag")
		if w.Code != 200 || !strings.Contains(w.Body.String(), `<label for="kommune">Kommune</label>`) ||
			strings.Contains(w.Body.String(), `id="snippet"`) {
			t.Errorf("the builder: %d", w.Code)
		}
		w = f.do(t, "GET", "/widget/lag?lag=1&kommune=5612&tema=sorg&hus=&antall=5&sprak=en")
		m := reSnippet.FindStringSubmatch(w.Body.String())
		if w.Code != 200 || m == nil {
			t.Fatalf("no snippet: %d\n%s", w.Code, w.Body.String())
		}
		snippet := html.UnescapeString(m[1])
		want := `<iframe src="https://example.com/en/widget?antall=5&amp;kommune=5612&amp;tema=sorg" ` +
			`title="Self-help groups: Kautokeino – Guovdageaidnu, Grief" width="100%" height="600" loading="lazy"></iframe>`
		if snippet != want {
			t.Errorf("snippet\n%s\nwant\n%s", snippet, want)
		}
		src := html.UnescapeString(strings.TrimPrefix(regexp.MustCompile(`src="([^"]*)"`).FindStringSubmatch(snippet)[1], "https://example.com"))
		if w := f.do(t, "GET", src); w.Code != 200 || !strings.Contains(w.Body.String(), "Open test meeting") {
			t.Errorf("the snippet's widget %s: %d", src, w.Code)
		}
		// Mistakes: next to the field, what was typed kept.
		w = f.do(t, "GET", "/widget/lag?lag=1&kommune=9999&tema=sorg&antall=500&sprak=xx")
		body = w.Body.String()
		for _, want := range []string{`id="kommune-error"`, `id="antall-error"`, `id="sprak-error"`, `value="500"`,
			`<option value="sorg" selected>`} {
			if !strings.Contains(body, want) {
				t.Errorf("the builder with mistakes lacks %q", want)
			}
		}
		if w.Code != 400 || strings.Contains(body, `id="snippet"`) {
			t.Errorf("the builder with mistakes: %d", w.Code)
		}
	})
}
