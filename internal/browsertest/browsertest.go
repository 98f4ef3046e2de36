// Package browsertest drives headless Chromium for tests, and checks pages
// for accessibility with axe-core.
//
// One browser serves the whole test process. [Tab] starts it on first use and
// gives each test a tab of its own; [Close] stops it. Call Close after m.Run,
// for example through testdb.Main:
//
//	func TestMain(m *testing.M) { testdb.Main(m, browsertest.Close) }
//
// The browser is Debian's /usr/bin/chromium, run headless with a fresh
// temporary profile. If the test process dies, the kernel kills the browser
// (chromedp sets a parent-death signal).
//
// axe-core comes from npm: tests/axe/package.json pins it, and
// `npm ci --prefix tests/axe` installs it.
//
// Environment:
//
//   - FELLESROM_CHROMIUM: the browser program, if not /usr/bin/chromium.
//   - FELLESROM_AXE: the file axe.min.js, if not
//     tests/axe/node_modules/axe-core/axe.min.js under the directory of go.mod.
//   - FELLESROM_BROWSER=skip: skip (t.Skip) the tests that need the browser or
//     axe when either is missing. Without it they fail.
package browsertest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Environment variables that the package reads.
const (
	EnvChromium = "FELLESROM_CHROMIUM"
	EnvAxe      = "FELLESROM_AXE"
	EnvBrowser  = "FELLESROM_BROWSER"
)

// DefaultChromium is where Debian's package chromium puts the browser.
const DefaultChromium = "/usr/bin/chromium"

// axeRelPath is where `npm ci --prefix tests/axe` puts axe-core, relative to
// the directory of go.mod.
const axeRelPath = "tests/axe/node_modules/axe-core/axe.min.js"

// Default viewport of a tab.
const (
	DefaultWidth  = 1280
	DefaultHeight = 800
)

// startTimeout bounds the start of the browser.
const startTimeout = 60 * time.Second

var (
	mu            sync.Mutex
	browserCtx    context.Context // the first tab; Tab makes its siblings
	browserCancel context.CancelFunc
	allocCancel   context.CancelFunc
	output        *tailBuffer

	axeOnce sync.Once
	axeSrc  string
	errAxe  error
)

// unavailableError says that the browser or axe-core is missing or does not
// work. With FELLESROM_BROWSER=skip it makes the test skip instead of fail.
type unavailableError struct{ err error }

func (e *unavailableError) Error() string { return e.err.Error() }
func (e *unavailableError) Unwrap() error { return e.err }

// Option changes a tab that [Tab] makes.
type Option func(*tabConfig)

type tabConfig struct {
	width, height int
	timeout       time.Duration
}

// WithViewport sets the size of the viewport in CSS pixels (default 1280×800).
func WithViewport(width, height int) Option {
	return func(c *tabConfig) { c.width, c.height = width, height }
}

// WithTimeout bounds everything done with the context of the tab. By default
// the context ends 10 seconds before the deadline of the test (go test
// -timeout), so that a hung page fails the test with an error instead of a
// panic of the whole test binary. Zero means no bound.
func WithTimeout(d time.Duration) Option {
	return func(c *tabConfig) { c.timeout = d }
}

// Tab returns a chromedp context for a new tab in the shared browser; it is
// cancelled (and the tab closed) at t.Cleanup. Use it with chromedp.Run and
// chromedp.Do, for example:
//
//	ctx := browsertest.Tab(t)
//	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL)); err != nil { … }
//	browsertest.RequireNoAxeViolations(t, ctx, "home page")
func Tab(t testing.TB, opts ...Option) context.Context {
	t.Helper()
	cfg := tabConfig{width: DefaultWidth, height: DefaultHeight, timeout: -1}
	for _, o := range opts {
		o(&cfg)
	}
	parent, err := browser()
	if err != nil {
		Fatal(t, err)
	}
	// Each tab gets a browser context of its own, so no cookie (a staff
	// session, say) passes from one test to the next: Chromium keeps cookies
	// by host, not by port, and every test server is on 127.0.0.1.
	tabCtx, cancel := chromedp.NewContext(parent, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	// The first action opens the tab. It must not run with a timeout.
	if err := chromedp.Do(tabCtx, chromedp.EmulateViewport(int64(cfg.width), int64(cfg.height))); err != nil {
		t.Fatalf("browsertest: open a tab: %v%s", err, output.tailNote())
	}
	ctx := tabCtx
	switch {
	case cfg.timeout > 0:
		var c context.CancelFunc
		ctx, c = context.WithTimeout(tabCtx, cfg.timeout)
		t.Cleanup(c)
	case cfg.timeout < 0:
		if d, ok := t.(interface{ Deadline() (time.Time, bool) }); ok {
			if deadline, ok := d.Deadline(); ok {
				var c context.CancelFunc
				ctx, c = context.WithDeadline(tabCtx, deadline.Add(-10*time.Second))
				t.Cleanup(c)
			}
		}
	}
	return ctx
}

// Close stops the shared browser, if it runs, and removes its profile. A
// later Tab starts a new one. Call it after m.Run.
func Close() {
	mu.Lock()
	defer mu.Unlock()
	if browserCtx == nil {
		return
	}
	ctx, cancel := context.WithTimeout(browserCtx, 10*time.Second)
	_ = chromedp.Cancel(ctx) // closes the browser gracefully
	cancel()
	browserCancel()
	allocCancel() // waits for the process, and removes the profile
	browserCtx, browserCancel, allocCancel = nil, nil, nil
}

const browserHint = "Install it with `apt-get install chromium` (scripts/setup-test-deps does it), " +
	"or set " + EnvChromium + " to a Chromium or Chrome program. " +
	"To skip the tests that need the browser instead, set " + EnvBrowser + "=skip."

// browser starts the shared browser on the first call, and returns the
// context of its first tab.
func browser() (context.Context, error) {
	mu.Lock()
	defer mu.Unlock()
	if browserCtx != nil {
		return browserCtx, nil
	}
	path := os.Getenv(EnvChromium)
	if path == "" {
		path = DefaultChromium
	}
	if fi, err := os.Stat(path); err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
		return nil, &unavailableError{fmt.Errorf("browsertest: the browser %s is missing or not a program. %s", path, browserHint)}
	}

	out := &tailBuffer{max: 8 << 10}
	aCtx, aCancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		// chromedp makes a fresh temporary --user-data-dir and removes it.
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true), // needed as root
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("no-default-browser-check", true),
		// Without these, Chromium tries to reach Google's hosts, which a
		// closed network refuses many times over.
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("mute-audio", true),
		chromedp.CombinedOutput(out),
	)
	bCtx, bCancel := chromedp.NewContext(aCtx)

	// The first Run starts the browser; it must not have a timeout, since
	// that would stop the browser later. Bound it from outside instead.
	done := make(chan error, 1)
	go func() { done <- chromedp.Do(bCtx) }()
	var err error
	select {
	case err = <-done:
	case <-time.After(startTimeout):
		err = fmt.Errorf("no answer after %v", startTimeout)
	}
	if err != nil {
		bCancel()
		aCancel()
		note := out.tailNote()
		if strings.Contains(err.Error(), strings.TrimSpace(out.String())) {
			note = "" // the error has the output already
		}
		return nil, &unavailableError{fmt.Errorf("browsertest: %s did not start: %v%s\n%s", path, err, note, browserHint)}
	}
	browserCtx, browserCancel, allocCancel, output = bCtx, bCancel, aCancel, out
	return browserCtx, nil
}

// Fatal ends the test with err, an error of this package such as one from
// [Axe]: with t.Skip if it says that the browser or axe-core is missing and
// FELLESROM_BROWSER=skip, else with t.Fatal.
func Fatal(t testing.TB, err error) {
	t.Helper()
	var ue *unavailableError
	if errors.As(err, &ue) && os.Getenv(EnvBrowser) == "skip" {
		t.Skipf("browsertest: skipped, because %s=skip: %v", EnvBrowser, err)
	}
	t.Fatal(err)
}

// Violation is one rule of axe that a page breaks.
type Violation struct {
	ID          string // the rule, e.g. "image-alt"
	Impact      string // "minor", "moderate", "serious" or "critical"
	Description string
	Help        string
	HelpURL     string
	// Nodes are the elements that break the rule, each as its CSS selector
	// and the start of its HTML, e.g. `img <img src="/a.png">`. A selector
	// into an iframe or a shadow root joins the parts with " >>> ".
	Nodes []string
	// Summaries[i] says what is wrong with Nodes[i], as axe words it.
	Summaries []string
}

// axeTags are the rule sets that Axe runs: WCAG 2.0 and 2.1, levels A and
// AA. best-practice is not among them.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa"}

// axeRun runs axe on the document and returns the violations as JSON-ready
// values. %s is the JSON array of the tags.
const axeRun = `(async () => {
	const r = await axe.run(document, {
		runOnly: {type: 'tag', values: %s},
		resultTypes: ['violations'],
	});
	const sel = t => Array.isArray(t) ? t.join(' >>> ') : String(t);
	return r.violations.map(v => ({
		id: v.id,
		impact: v.impact || '',
		description: v.description,
		help: v.help,
		helpUrl: v.helpUrl,
		nodes: v.nodes.map(n => {
			const html = n.html.length > 300 ? n.html.slice(0, 300) + '…' : n.html;
			return n.target.map(sel).join(' >>> ') + ' ' + html;
		}),
		summaries: v.nodes.map(n => {
			const [head, ...rest] = (n.failureSummary || '').split('\n').map(s => s.trim()).filter(s => s);
			return rest.length ? head + ' ' + rest.join('; ') : (head || '');
		}),
	}));
})()`

// Axe injects axe-core into the current page of ctx and runs it with WCAG
// 2.0/2.1 A and AA rules (runOnly tags wcag2a, wcag2aa, wcag21a, wcag21aa;
// best-practice is not included), returning the violations.
//
// The script goes in through the DevTools protocol (Runtime.evaluate), which
// the Content-Security-Policy of the page does not restrict. Axe checks the
// top document; it does not inject itself into iframes.
func Axe(ctx context.Context) ([]Violation, error) {
	src, err := axeSource()
	if err != nil {
		return nil, err
	}
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof window.axe === 'object' && typeof window.axe.run === 'function'`))
	if err != nil {
		return nil, fmt.Errorf("browsertest: axe: %w", err)
	}
	if !loaded {
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](src+"\n;void 0")); err != nil {
			return nil, fmt.Errorf("browsertest: inject axe-core: %w", err)
		}
	}
	tags := `["` + strings.Join(axeTags, `","`) + `"]`
	type result struct {
		ID          string   `json:"id"`
		Impact      string   `json:"impact"`
		Description string   `json:"description"`
		Help        string   `json:"help"`
		HelpURL     string   `json:"helpUrl"`
		Nodes       []string `json:"nodes"`
		Summaries   []string `json:"summaries"`
	}
	rs, err := chromedp.Run(ctx, chromedp.Evaluate[[]result](fmt.Sprintf(axeRun, tags), chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, fmt.Errorf("browsertest: run axe: %w", err)
	}
	vs := make([]Violation, len(rs))
	for i, r := range rs {
		vs[i] = Violation(r)
	}
	return vs, nil
}

// RequireNoAxeViolations runs Axe and t.Errorf's every violation in readable
// form (rule id, help, each node). pageName names the page in the messages.
func RequireNoAxeViolations(t testing.TB, ctx context.Context, pageName string) {
	t.Helper()
	vs, err := Axe(ctx)
	if err != nil {
		Fatal(t, err)
	}
	for _, v := range vs {
		var b strings.Builder
		fmt.Fprintf(&b, "%s: axe rule %q (%s): %s\n  %s", pageName, v.ID, v.Impact, v.Help, v.HelpURL)
		for i, n := range v.Nodes {
			fmt.Fprintf(&b, "\n  - %s", n)
			if i < len(v.Summaries) && v.Summaries[i] != "" {
				fmt.Fprintf(&b, "\n    %s", v.Summaries[i])
			}
		}
		t.Errorf("%s", b.String())
	}
}

const axeHint = "Install it with `npm ci --prefix tests/axe` from the directory of go.mod " +
	"(scripts/setup-test-deps does it), or set " + EnvAxe + " to the file axe.min.js. " +
	"To skip the tests that need the browser instead, set " + EnvBrowser + "=skip."

// axeSource reads axe.min.js once.
func axeSource() (string, error) {
	axeOnce.Do(func() {
		path, err := axePath()
		if err != nil {
			errAxe = &unavailableError{err}
			return
		}
		b, err := os.ReadFile(path)
		if err != nil {
			errAxe = &unavailableError{fmt.Errorf("browsertest: axe-core not found: %v. %s", err, axeHint)}
			return
		}
		axeSrc = string(b)
	})
	return axeSrc, errAxe
}

// axePath returns FELLESROM_AXE, or the axe.min.js of tests/axe under the
// directory of go.mod, found by walking up from the working directory.
func axePath() (string, error) {
	if p := os.Getenv(EnvAxe); p != "" {
		return p, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, axeRelPath), nil
		}
		if filepath.Dir(dir) == dir {
			return "", fmt.Errorf("browsertest: no go.mod in %s or above it, so axe-core cannot be found; set %s", wd, EnvAxe)
		}
	}
}

// tailBuffer keeps the last max bytes written to it, for error messages.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if len(b.buf) > b.max {
		b.buf = append(b.buf[:0], b.buf[len(b.buf)-b.max:]...)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}

// tailNote returns the last lines that the browser printed, as a note for an
// error message, or "".
func (b *tailBuffer) tailNote() string {
	if b == nil {
		return ""
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	lines := bytes.Split(bytes.TrimSpace(b.buf), []byte("\n"))
	if len(lines) > 20 {
		lines = lines[len(lines)-20:]
	}
	s := string(bytes.Join(lines, []byte("\n")))
	if s == "" {
		return ""
	}
	return "\nlast lines of the browser's output:\n" + s
}
