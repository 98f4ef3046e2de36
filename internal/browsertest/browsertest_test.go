package browsertest_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/fellesrom/fellesrom/internal/browsertest"
	"github.com/fellesrom/fellesrom/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m, browsertest.Close) }

// csp is as strict as the app's: no inline script at all.
const csp = "default-src 'self'; script-src 'self'"

const page = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>%s</title></head>
<body>
<main>
<h1>%s</h1>
%s
<script>window.inlineRan = true;</script>
</main>
</body>
</html>`

// server serves a page with an image without alt text at /bad, and a proper
// one at /good, both under the strict CSP.
func server(t *testing.T) *httptest.Server {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	for x := range 4 {
		for y := range 4 {
			img.Set(x, y, color.RGBA{200, 0, 0, 255})
		}
	}
	var pngData bytes.Buffer
	if err := png.Encode(&pngData, img); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	html := func(body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Security-Policy", csp)
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, body)
		}
	}
	mux.HandleFunc("/bad", html(fmt.Sprintf(page, "Bad", "Bad", `<img src="/dot.png">`)))
	mux.HandleFunc("/good", html(fmt.Sprintf(page, "Good", "Good", `<img src="/dot.png" alt="A red dot">`)))
	mux.HandleFunc("/dot.png", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(pngData.Bytes())
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func open(t *testing.T, url string, opts ...browsertest.Option) context.Context {
	t.Helper()
	ctx := browsertest.Tab(t, opts...)
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatal(err)
	}
	// The CSP is in force: the inline script did not run.
	ran, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.inlineRan === true`))
	if err != nil {
		t.Fatal(err)
	}
	if ran {
		t.Fatal("the inline script ran: the Content-Security-Policy is not in force, so the test proves nothing about it")
	}
	return ctx
}

func TestAxeFindsImageWithoutAlt(t *testing.T) {
	t.Parallel()
	ctx := open(t, server(t).URL+"/bad")
	vs, err := browsertest.Axe(ctx)
	if err != nil {
		browsertest.Fatal(t, err)
	}
	var found bool
	for _, v := range vs {
		t.Logf("violation %s (%s): %s %q", v.ID, v.Impact, v.Help, v.Nodes)
		if v.ID == "image-alt" {
			found = true
			if len(v.Nodes) != 1 || !strings.Contains(v.Nodes[0], `<img src="/dot.png">`) {
				t.Errorf("image-alt nodes = %q, want the one img", v.Nodes)
			}
		}
	}
	if !found {
		t.Errorf("axe found no image-alt violation on a page with an img without alt; violations: %+v", vs)
	}
}

func TestAxeAcceptsProperPage(t *testing.T) {
	t.Parallel()
	ctx := open(t, server(t).URL+"/good")
	browsertest.RequireNoAxeViolations(t, ctx, "good page")
	// A second run on the same page reuses the injected axe.
	browsertest.RequireNoAxeViolations(t, ctx, "good page, again")
}

// recorder is a testing.TB that keeps the messages of Errorf.
type recorder struct {
	testing.TB
	mu     sync.Mutex
	errors []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func TestRequireNoAxeViolationsReports(t *testing.T) {
	t.Parallel()
	ctx := open(t, server(t).URL+"/bad")
	rec := &recorder{TB: t}
	browsertest.RequireNoAxeViolations(rec, ctx, "bad page")
	all := strings.Join(rec.errors, "\n")
	t.Logf("reported:\n%s", all)
	for _, want := range []string{"bad page", `"image-alt"`, `img <img src="/dot.png">`, "https://dequeuniversity.com/"} {
		if !strings.Contains(all, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
}

func TestViewport(t *testing.T) {
	t.Parallel()
	ctx := open(t, server(t).URL+"/good", browsertest.WithViewport(375, 700))
	w, err := chromedp.Run(ctx, chromedp.Evaluate[int](`window.innerWidth`))
	if err != nil {
		t.Fatal(err)
	}
	if w != 375 {
		t.Errorf("innerWidth = %d, want 375", w)
	}
}

// TestTabsShareNoCookies: a cookie set in one test's tab is not sent from the
// next test's tab, although both talk to the same host.
func TestTabsShareNoCookies(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/set" {
			http.SetCookie(w, &http.Cookie{Name: "session", Value: "one", Path: "/"})
		}
		c, _ := r.Cookie("session")
		v := "none"
		if c != nil {
			v = c.Value
		}
		fmt.Fprintf(w, "<!doctype html><html lang=en><title>c</title><p id=c>%s</p></html>", v)
	}))
	defer srv.Close()
	read := func(ctx context.Context, path string) string {
		if _, err := chromedp.Run(ctx, chromedp.Navigate(srv.URL+path)); err != nil {
			t.Fatal(err)
		}
		text, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("c"), chromedp.NodeVisible))
		if err != nil {
			t.Fatal(err)
		}
		return text
	}
	first := browsertest.Tab(t)
	read(first, "/set")
	if got := read(first, "/"); got != "one" {
		t.Fatalf("the first tab lost its own cookie: %q", got)
	}
	if got := read(browsertest.Tab(t), "/"); got != "none" {
		t.Errorf("a new tab sent the other tab's cookie: %q", got)
	}
}
