package web_test

import (
	"context"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/fellesrom/fellesrom/internal/browsertest"
	"github.com/fellesrom/fellesrom/internal/store"
	"github.com/fellesrom/fellesrom/internal/store/storetest"
)

// requests records every request a tab makes.
type requests struct {
	mu   sync.Mutex
	urls []string
}

func record(t *testing.T, ctx context.Context) *requests {
	t.Helper()
	r := &requests{}
	err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			r.mu.Lock()
			r.urls = append(r.urls, e.Request.URL)
			r.mu.Unlock()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// checkHosts fails the test for every request to another host than host.
func (r *requests) checkHosts(t *testing.T, host string) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.urls) == 0 {
		t.Error("no requests were recorded")
	}
	for _, s := range r.urls {
		// A data: URL reaches no host: Chromium draws the icons of its
		// date and time fields, and its own error pages, from them.
		if strings.HasPrefix(s, "data:") {
			continue
		}
		u, err := url.Parse(s)
		if err != nil || u.Host != host || u.Scheme != "http" {
			t.Errorf("a request to another host: %s", short(s))
		}
	}
}

// do runs steps in the tab, and fails the test on an error.
func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// val runs an action that gives a value.
func val[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// load runs steps that make the tab load a page, and waits for it.
func load(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) int64 {
	t.Helper()
	resp, err := chromedp.RunResponse(ctx, steps...)
	if err != nil {
		t.Fatal(err)
	}
	return resp.Status
}

func location(t *testing.T, ctx context.Context) *url.URL {
	t.Helper()
	u, err := url.Parse(val(t, ctx, chromedp.Location()))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

var reFound = regexp.MustCompile(`^Fant (\d+) grupper?$`)

// TestBrowser drives Chromium through the site the way a person would,
// checks the pages with axe-core, at 320 px, and that the browser talks to
// no other host.
func TestBrowser(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	f := setup(t, st)
	srv := httptest.NewServer(f.h)
	t.Cleanup(srv.Close)
	host := srv.Listener.Addr().String()

	t.Run("search", func(t *testing.T) {
		ctx := browsertest.Tab(t)
		reqs := record(t, ctx)
		load(t, ctx, chromedp.Navigate(srv.URL+"/"))
		// Type into the search field and press Enter, as a person would.
		if st := load(t, ctx, chromedp.SendKeys(chromedp.ID("q"), "pårørende"+kb.Enter, chromedp.NodeVisible)); st != 200 {
			t.Fatalf("status %d", st)
		}
		u := location(t, ctx)
		if u.Path != "/finn" || u.Query().Get("q") != "pårørende" {
			t.Fatalf("the search went to %s", u)
		}
		heading := strings.TrimSpace(val(t, ctx, chromedp.Text(chromedp.ID("results-h"), chromedp.NodeVisible)))
		names := val(t, ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('.result h3 a'), a => a.textContent.trim())`))
		m := reFound.FindStringSubmatch(heading)
		if m == nil {
			t.Fatalf("result heading %q", heading)
		}
		total, _ := strconv.Atoi(m[1])
		if total == 0 || len(names) == 0 {
			t.Fatalf("no groups found for pårørende (%q)", heading)
		}
		relatives := 0
		for _, n := range names {
			if strings.Contains(strings.ToLower(n), "pårørende") {
				relatives++
			}
		}
		if relatives == 0 {
			t.Errorf("no result is a pårørende group: %q", names)
		}
		t.Logf("%s: %d on the first page, %d named pårørende", heading, len(names), relatives)

		// Open the filters, tick "takes new members now", and show the groups.
		if !val(t, ctx, chromedp.Evaluate[bool](`document.querySelector('details.filters').open`)) {
			do(t, ctx, chromedp.Click(chromedp.CSS("details.filters > summary"), chromedp.NodeVisible))
		}
		do(t, ctx, chromedp.Click(chromedp.ID("f-open-1"), chromedp.NodeVisible))
		load(t, ctx, chromedp.Click(chromedp.CSS(".filter-body .actions button"), chromedp.NodeVisible))
		u = location(t, ctx)
		if u.Query().Get("open") != "1" || u.Query().Get("q") != "pårørende" {
			t.Errorf("the filtered search is %s", u.RawQuery)
		}
		heading = strings.TrimSpace(val(t, ctx, chromedp.Text(chromedp.ID("results-h"), chromedp.NodeVisible)))
		if !val(t, ctx, chromedp.Evaluate[bool](`document.getElementById('f-open-1').checked`)) {
			t.Error("the checkbox is not ticked after the search")
		}
		if m := reFound.FindStringSubmatch(heading); m == nil {
			t.Errorf("result heading %q", heading)
		} else if n, _ := strconv.Atoi(m[1]); n > total || n == 0 {
			t.Errorf("%d groups take new members, of %d", n, total)
		}
		for _, b := range val(t, ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('.result .intake'), p => p.textContent.trim())`)) {
			if !strings.HasPrefix(b, "Tar imot nye nå") {
				t.Errorf("a result that does not take new members: %q", b)
			}
		}
		reqs.checkHosts(t, host)
	})

	pages := []struct{ name, path string }{
		{"front page", "/"},
		{"finder with results", "/finn?q=p%C3%A5r%C3%B8rende"},
		{"finder with filters and a place", "/finn?open=1&near=69.01,23.04&km=50&format=in_person"},
		{"finder with a 400 error", "/finn?q=sorg&theme=no-such-theme"},
		{"finder with a place error", "/finn?lat=91&lon=x"},
		{"group page (closed group)", "/gruppe/" + f.closed.Slug},
		{"group page (open meeting)", "/gruppe/" + f.open.Slug},
		{"group page (ended)", "/gruppe/" + f.ended.Slug},
		{"house page", "/organisasjon/" + f.house.Slug},
		{"house page (demo)", "/organisasjon/selvhjelpshuset-tromso"},
		{"not found", "/gruppe/finnes-ikke"},
	}
	var paths []struct{ name, path string }
	for _, p := range pages {
		paths = append(paths, struct{ name, path string }{p.name + " (nb)", p.path})
		paths = append(paths, struct{ name, path string }{p.name + " (en)", "/en" + p.path})
	}
	paths = append(paths, struct{ name, path string }{"front page (se)", "/se/"},
		struct{ name, path string }{"finder (se)", "/se/finn?theme=sorg"},
		struct{ name, path string }{"group page (nn)", "/nn/gruppe/" + f.closed.Slug})

	t.Run("axe", func(t *testing.T) {
		ctx := browsertest.Tab(t)
		reqs := record(t, ctx)
		for _, p := range paths {
			load(t, ctx, chromedp.Navigate(srv.URL+p.path))
			// Check what is inside the disclosures too.
			do(t, ctx, chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('details').forEach(d => d.open = true)`))
			browsertest.RequireNoAxeViolations(t, ctx, p.name)
		}
		reqs.checkHosts(t, host)
	})

	t.Run("320px", func(t *testing.T) {
		ctx := browsertest.Tab(t, browsertest.WithViewport(320, 640))
		reqs := record(t, ctx)
		for _, p := range paths {
			load(t, ctx, chromedp.Navigate(srv.URL+p.path))
			closed := val(t, ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
			opened := val(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('details').forEach(d => d.open = true), document.documentElement.scrollWidth`))
			if closed > 320 || opened > 320 {
				t.Errorf("%s: %d px wide (%d with every disclosure open), more than the 320 px viewport", p.name, closed, opened)
			}
		}
		reqs.checkHosts(t, host)
	})

	t.Run("geolocation button", func(t *testing.T) {
		ctx := browsertest.Tab(t)
		load(t, ctx, chromedp.Navigate(srv.URL+"/en/finn?near=69.01,23.04"))
		do(t, ctx, chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('details').forEach(d => d.open = true)`))
		label := val(t, ctx, chromedp.Text(chromedp.CSS(".geo button"), chromedp.NodeVisible))
		if label != "Use my location" {
			t.Errorf("button %q", label)
		}
	})
}

// pagePath is the path and query of the tab's page.
func pagePath(t *testing.T, ctx context.Context) string {
	t.Helper()
	u := location(t, ctx)
	if u.RawQuery != "" {
		return u.Path + "?" + u.RawQuery
	}
	return u.Path
}

// checkPage runs axe-core on the tab's page and checks that it is no wider
// than a 320 px screen.
func checkPage(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	browsertest.RequireNoAxeViolations(t, ctx, name)
	if w := val(t, ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > browsertest.DefaultWidth {
		t.Errorf("%s: %d px wide", name, w)
	}
}

// actions are the steps a browser test takes in one tab, bound to the
// test, the tab's context and the server's address.
type actions struct {
	t    *testing.T
	ctx  context.Context
	base string
}

func browserActions(t *testing.T, ctx context.Context, base string) actions {
	return actions{t, ctx, base}
}

// open loads the page at path; it returns the status of the response.
func (a actions) open(path string) int64 {
	a.t.Helper()
	return load(a.t, a.ctx, chromedp.Navigate(a.base+path))
}

// js runs a script in the page.
func (a actions) js(script string) {
	a.t.Helper()
	do(a.t, a.ctx, chromedp.Evaluate[chromedp.Void](script))
}

// setVal sets the value of the field id without typing.
func (a actions) setVal(id, value string) {
	a.t.Helper()
	a.js(`document.getElementById(` + jsString(id) + `).value = ` + jsString(value))
}

// typeIn empties the field id and types text into it.
func (a actions) typeIn(id, text string) {
	a.t.Helper()
	a.setVal(id, "")
	do(a.t, a.ctx, chromedp.SendKeys(chromedp.ID(id), text, chromedp.NodeVisible))
}

// click clicks the element sel.
func (a actions) click(sel string) {
	a.t.Helper()
	do(a.t, a.ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
}

// submit clicks sel and waits for the page it loads; it returns its status.
func (a actions) submit(sel string) int64 {
	a.t.Helper()
	return load(a.t, a.ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
}

// path is the path of the page shown.
func (a actions) path() string { return pagePath(a.t, a.ctx) }

// text is the text of the element sel.
func (a actions) text(sel string) string {
	a.t.Helper()
	return val(a.t, a.ctx, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
}
