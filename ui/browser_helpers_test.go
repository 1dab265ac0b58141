package ui

import (
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The browser tests drive Debian's chromium, headless. One browser serves
// the whole test binary (starting it is most of a test's time); each test
// gets a tab of its own in a fresh browser context (its own cookies and
// cache). CI installs chromium (.ci/run) and sets CI=true, which makes a
// missing browser a failure instead of a skip.

// browserTimeout bounds one test's browser work; a test takes about a second.
const browserTimeout = 30 * time.Second

// chromiumPath finds the browser, or skips (fails under CI) without one.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed, and CI=true requires the browser test: apt-get install -y chromium")
	}
	t.Skip("chromium is not installed; skipping the browser test (apt-get install -y chromium to run it)")
	return ""
}

// sharedChromium is the one browser of the test binary, started by the
// first test that needs it and stopped by TestMain.
var sharedChromium struct {
	mu     sync.Mutex
	ctx    context.Context // the browser's first tab; children open new tabs
	err    error
	cancel func()
}

// chromium returns the shared browser, starting it on first use.
func chromium(t *testing.T) context.Context {
	t.Helper()
	path := chromiumPath(t)
	b := &sharedChromium
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ctx == nil && b.err == nil {
		// A fresh temporary profile (chromedp makes and removes it) and no
		// outside traffic.
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(path),
			chromedp.Headless,
			chromedp.NoSandbox,
			chromedp.DisableGPU,
			chromedp.NoFirstRun,
			chromedp.NoDefaultBrowserCheck,
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.Flag("disable-default-apps", true),
			chromedp.Flag("disable-extensions", true),
			chromedp.Flag("no-pings", true),
			chromedp.WindowSize(1280, 1100),
		)
		allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancelCtx := chromedp.NewContext(allocCtx)
		// The first Run starts the browser; it must not carry a timeout.
		if err := chromedp.Do(ctx); err != nil {
			cancelCtx()
			cancelAlloc()
			b.err = err
		} else {
			b.ctx = ctx
			b.cancel = func() {
				cancelCtx()
				cancelAlloc()
			}
		}
	}
	if b.err != nil {
		t.Fatalf("starting chromium: %v", b.err)
	}
	return b.ctx
}

// stopChromium ends the shared browser, if a test started it.
func stopChromium() {
	b := &sharedChromium
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.cancel != nil {
		b.cancel()
		b.ctx, b.cancel = nil, nil
	}
}

func TestMain(m *testing.M) {
	// The browser tests mostly wait on Chromium, not on this process's
	// CPU: let more of them wait at once than -parallel's default (one per
	// CPU), unless the command line says otherwise.
	flag.Parse()
	if p := flag.Lookup("test.parallel"); p != nil && p.Value.String() == strconv.Itoa(runtime.GOMAXPROCS(0)) {
		_ = p.Value.Set(strconv.Itoa(max(4, runtime.GOMAXPROCS(0))))
	}
	code := m.Run()
	stopChromium()
	os.Exit(code)
}

// browserSlots bounds the tabs open at once across parallel tests.
var browserSlots = make(chan struct{}, 2)

// browser opens a tab of its own for the test, in a fresh browser context,
// and collects the page's errors (script exceptions, failed loads, CSP
// reports). The tab closes when the test ends.
func browser(t *testing.T) (context.Context, func() []string) {
	t.Helper()
	// At most two tabs at work at once: more only make Chromium's
	// rendering fight over two CPUs and every test slower.
	browserSlots <- struct{}{}
	t.Cleanup(func() { <-browserSlots })
	tab, closeTab := chromedp.NewContext(chromium(t), chromedp.WithNewBrowserContext())
	t.Cleanup(closeTab)
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	var mu sync.Mutex
	var problems []string
	messages := chromedp.Console(tab)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.IsException() || m.Type == chromedp.ConsoleError {
				mu.Lock()
				problems = append(problems, m.String())
				mu.Unlock()
			}
		}
	}()
	ctx, cancel := context.WithTimeout(tab, browserTimeout)
	t.Cleanup(cancel)
	return ctx, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), problems...)
	}
}

// noPageProblems fails the test if the page reported errors; a Content
// Security Policy violation shows up here.
func noPageProblems(t *testing.T, problems func() []string) {
	t.Helper()
	if p := problems(); len(p) > 0 {
		t.Errorf("the page reported problems (a CSP violation shows here): %q", p)
	}
}

// screenshot saves the whole page as testdata/screenshots/name.png when
// WEBINARSYNC_SCREENSHOTS=1 asks for it.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	if os.Getenv("WEBINARSYNC_SCREENSHOTS") != "1" {
		return
	}
	// Fonts loaded and a frame painted, so the picture shows the page done.
	settled := `document.fonts.ready.then(() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true)))))`
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](settled, chromedp.EvalAwaitPromise)); err != nil {
		t.Fatalf("screenshot %s: waiting for the page to paint: %v", name, err)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join("testdata", "screenshots", name+".png")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot saved to ui/%s", path)
}

// wantScreenshots reports whether the run saves screenshots.
func wantScreenshots() bool { return os.Getenv("WEBINARSYNC_SCREENSHOTS") == "1" }
