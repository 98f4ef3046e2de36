package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/fellesrom/fellesrom/internal/browsertest"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// frames are the URLs of a tab's child frames, and for a frame that did
// not load, the URL it could not load, marked "unreachable ".
func frames(t *testing.T, ctx context.Context) []string {
	t.Helper()
	tree := val(t, ctx, func(ctx context.Context, tg *chromedp.Target) (*cdppage.FrameTree, error) {
		res, err := cdp.Call(ctx, tg, cdppage.GetFrameTree, cdp.Empty{})
		return res.FrameTree, err
	})
	var out []string
	for _, c := range tree.ChildFrames {
		if c.Frame.UnreachableURL != "" || strings.HasPrefix(c.Frame.URL, "chrome-error:") {
			out = append(out, "unreachable "+c.Frame.UnreachableURL)
		} else {
			out = append(out, c.Frame.URL)
		}
	}
	return out
}

// TestWidgetBrowser builds a snippet with the form as a municipality would,
// pastes it into a page of another origin, and checks that the widget shows
// there (and an ordinary page does not), that it talks to no third party,
// and the widget, the builder and the printable schedule with axe-core.
func TestWidgetBrowser(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	f := setup(t, st)
	printEvents(t, f)
	srv := httptest.NewServer(f.h)
	t.Cleanup(srv.Close)
	host := srv.Listener.Addr().String()
	ctx := browsertest.Tab(t)
	reqs := record(t, ctx)
	narrow := browsertest.Tab(t, browsertest.WithViewport(320, 640))
	axe := func(name string) {
		t.Helper()
		checkPage(t, ctx, name)
		load(t, narrow, chromedp.Navigate(srv.URL+pagePath(t, ctx)))
		if w := val(t, narrow, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > 320 {
			t.Errorf("%s: %d px wide at 320", name, w)
		}
	}

	// The builder: choose Kautokeino and a theme, in English.
	if st := load(t, ctx, chromedp.Navigate(srv.URL+"/widget/lag")); st != 200 {
		t.Fatalf("builder: %d", st)
	}
	axe("widget builder")
	do(t, ctx, chromedp.SetValue(chromedp.ID("kommune"), "5612", chromedp.NodeVisible),
		chromedp.SetValue(chromedp.ID("tema"), "sorg", chromedp.NodeVisible),
		chromedp.SetValue(chromedp.ID("sprak"), "en", chromedp.NodeVisible))
	if st := load(t, ctx, chromedp.Click(chromedp.CSS(`form.office-form button[type=submit]`), chromedp.NodeVisible)); st != 200 {
		t.Fatalf("builder sent: %d", st)
	}
	axe("widget builder with a snippet")
	snippet := val(t, ctx, chromedp.Value(chromedp.ID("snippet")))
	if !strings.HasPrefix(snippet, `<iframe src="`+srv.URL+`/en/widget?kommune=5612&amp;tema=sorg" title="Self-help groups: `) {
		t.Fatalf("snippet %q", snippet)
	}
	// A mistake: the error next to the field, and in the summary.
	load(t, ctx, chromedp.Navigate(srv.URL+"/widget/lag?lag=1&antall=0"))
	axe("widget builder with a mistake")

	// The widget on its own: axe, narrow, nothing from other hosts.
	load(t, ctx, chromedp.Navigate(srv.URL+"/en/widget?kommune=5612&tema=sorg"))
	axe("widget")
	if n := val(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('main ul.groups > li a[target=_top]').length`)); n < 2 {
		t.Errorf("the widget lists %d groups with links to the top window", n)
	}
	if c := val(t, ctx, chromedp.Evaluate[string](`document.cookie`)); c != "" {
		t.Errorf("cookies: %q", c)
	}

	// The printable schedule.
	load(t, ctx, chromedp.Navigate(srv.URL+"/organisasjon/"+f.house.Slug+"/utskrift"))
	axe("printable schedule")
	load(t, ctx, chromedp.Navigate(srv.URL+"/en/organisasjon/"+f.house.Slug+"/utskrift"))
	axe("printable schedule (en)")
	reqs.checkHosts(t, host)

	// The municipality's page on another origin, with the snippet and, for
	// contrast, a frame of an ordinary page of the site.
	other := "<iframe src=\"" + srv.URL + "/finn\" title=\"finn\"></iframe>"
	muni := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<!doctype html><html lang="nb"><head><title>Kommunen</title></head><body><main><h1>Kommunen</h1>` +
			snippet + other + `</main></body></html>`))
	}))
	t.Cleanup(muni.Close)
	embed := browsertest.Tab(t)
	ereqs := record(t, embed)
	load(t, embed, chromedp.Navigate(muni.URL+"/"))
	fr := frames(t, embed)
	if len(fr) != 2 || fr[0] != srv.URL+"/en/widget?kommune=5612&tema=sorg" || !strings.HasPrefix(fr[1], "unreachable") {
		t.Errorf("frames on the municipality's page: %q", fr)
	}
	ereqs.mu.Lock()
	for _, s := range ereqs.urls {
		if strings.HasPrefix(s, "data:") {
			continue // the browser's own error page for the refused frame
		}
		if u, err := url.Parse(s); err != nil || u.Host != host && u.Host != muni.Listener.Addr().String() {
			t.Errorf("the embedded widget asked another host: %s", short(s))
		}
	}
	ereqs.mu.Unlock()
}
