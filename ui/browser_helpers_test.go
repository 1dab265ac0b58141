package ui

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/storage"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// The browser tests drive Debian's chromium, headless. One browser serves
// the whole test binary (starting it is most of a test's time); each test
// borrows a tab of its own in a browser context of its own, wiped of what
// the test before left (cookies, storage, cache, emulation). CI installs
// chromium (.ci/run) and sets CI=true, which makes a missing browser a
// failure instead of a skip.

// browserTimeout bounds one test's browser work; a test takes about a second.
const browserTimeout = 30 * time.Second

// chromiumPath finds the browser, or skips (fails under CI) without one.
// Chromium's headless shell first: the same Blink and V8 without the
// browser's own windows and services, it took the browser tests from
// 22–26 s of CPU to 11–13 s (issue 17). The full browser still serves.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium-headless-shell", "chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed, and CI=true requires the browser test: apt-get install -y chromium-headless-shell")
	}
	t.Skip("chromium is not installed; skipping the browser test (apt-get install -y chromium-headless-shell to run it)")
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
	for _, f := range slices.Backward(exitFuncs) {
		f()
	}
	os.Exit(code)
}

// exitFuncs clean up what tests share (atExit), after the last test.
var exitFuncs []func()

var exitMu sync.Mutex

// atExit has TestMain call f after the last test, in reverse order.
func atExit(f func()) {
	exitMu.Lock()
	defer exitMu.Unlock()
	exitFuncs = append(exitFuncs, f)
}

// Tabs are pooled. Opening a tab in a fresh browser context costs
// more than most tests' own work (0.5–0.7 s on two CPUs, its first page
// another 0.4 s to start a renderer, closing it 0.15 s), so a test borrows
// a tab, in a browser context of its own, and it goes back wiped
// (0.05–0.1 s). Two tabs: with the headless shell the browser tests took
// 6.5–7.9 s with two, 7.9–8.5 s with one (the full browser, which needs
// twice the CPU, was faster with one).
var tabPool = struct {
	slots chan struct{}    // how many tabs may be at work at a time
	idle  chan *pooledTab  // wiped tabs waiting for a test
	blank *httptest.Server // the page an idle tab shows
	once  sync.Once
}{slots: make(chan struct{}, 2), idle: make(chan *pooledTab, 2)}

// pooledTab is a tab of the shared browser in a browser context of its own.
type pooledTab struct {
	ctx   context.Context // the tab; a test works in a child with a timeout
	close func()          // closes the tab and disposes of its context

	mu      sync.Mutex
	origins map[string]bool // the origins its pages came from since the last wipe
}

// blankURL is an empty page on the loopback site the tests' servers are
// on. A tab waiting on it keeps its renderer process, which the next
// test's page (same site, another port) reuses; after about:blank Chromium
// would start a new one (0.3–0.4 s).
func blankURL() string {
	tabPool.once.Do(func() {
		tabPool.blank = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = io.WriteString(w, `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>idle</title>`)
		}))
		atExit(tabPool.blank.Close)
	})
	return tabPool.blank.URL + "/"
}

// newPooledTab opens a tab in a fresh browser context, on the blank page.
func newPooledTab(t *testing.T) *pooledTab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(chromium(t), chromedp.WithNewBrowserContext())
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		t.Fatalf("opening a tab: %v", err)
	}
	p := &pooledTab{ctx: ctx, close: cancel, origins: map[string]bool{}}
	err := chromedp.Listen(ctx, func(ev any) {
		if ev, ok := ev.(*page.EventFrameNavigated); ok {
			if u, err := url.Parse(ev.Frame.URL); err == nil && u.Host != "" {
				p.mu.Lock()
				p.origins[u.Scheme+"://"+u.Host] = true
				p.mu.Unlock()
			}
		}
	})
	if err == nil {
		err = chromedp.Do(ctx, chromedp.Navigate(blankURL()))
	}
	if err != nil {
		cancel()
		t.Fatalf("opening a tab: %v", err)
	}
	return p
}

// pageStorage is every kind of storage a page can write. "all" would also
// clear Chromium's shader cache, which no page can read, at 40 ms a time.
const pageStorage = "cookies,local_storage,indexeddb,cache_storage,service_workers,file_systems"

// wipe leaves the tab as a test would find a new tab in a new browser
// context: on a blank page, with no cookies, storage, cache, permissions,
// download settings, emulation or history left from the test before, and
// nothing of the other tabs' contexts touched.
// TestBrowser_ALentTabComesBackWiped checks it.
func (p *pooledTab) wipe() error {
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	// The blank page first: it ends the test's page and its scripts.
	if err := chromedp.Do(ctx, chromedp.Navigate(blankURL())); err != nil {
		return fmt.Errorf("opening the blank page: %w", err)
	}
	p.mu.Lock()
	origins := slices.Collect(maps.Keys(p.origins))
	clear(p.origins)
	p.mu.Unlock()
	id := chromedp.FromContext(ctx).BrowserContextID
	var errs []error
	for _, o := range origins {
		errs = append(errs, inTab(ctx, storage.ClearDataForOrigin, storage.ClearDataForOriginParams{Origin: o, StorageTypes: pageStorage}))
	}
	return errors.Join(append(errs,
		inTab(ctx, network.ClearBrowserCache, cdp.Empty{}),
		inBrowser(ctx, storage.ClearCookies, storage.ClearCookiesParams{BrowserContextID: id}),
		inBrowser(ctx, cdpbrowser.ResetPermissions, cdpbrowser.ResetPermissionsParams{BrowserContextID: id}),
		// Chromium has one switch for download events on the whole
		// connection, not one per context: turning it off here would
		// silence the download another test's tab waits for. Left on, the
		// events of a download nobody waits for are dropped.
		inBrowser(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
			Behavior: cdpbrowser.SetDownloadBehaviorBehaviorDefault, BrowserContextID: id, EventsEnabled: new(true)}),
		inTab(ctx, emulation.ClearDeviceMetricsOverride, cdp.Empty{}),
		inTab(ctx, emulation.SetTouchEmulationEnabled, emulation.SetTouchEmulationEnabledParams{}),
		// No media type and no features: every media override ends.
		inTab(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{}),
		inTab(ctx, page.ResetNavigationHistory, cdp.Empty{}),
	)...)
}

// inTab sends a command to the tab of ctx, inBrowser to its browser.
func inTab[P, R any](ctx context.Context, cmd cdp.Command[P, R], params P) error {
	_, err := chromedp.Call(ctx, cmd, params)
	return err
}

func inBrowser[P, R any](ctx context.Context, cmd cdp.Command[P, R], params P) error {
	_, err := chromedp.CallBrowser(ctx, cmd, params)
	return err
}

// lendTab lends the test a tab of the pool until it ends, in a context
// that bounds its browser work, and collects the page's errors.
func lendTab(t *testing.T) (*pooledTab, context.Context, func() []string) {
	t.Helper()
	// One tab at work at a time: more only make Chromium's rendering
	// fight over two CPUs and every test slower.
	tabPool.slots <- struct{}{}
	var tab *pooledTab
	select {
	case tab = <-tabPool.idle:
	default:
		func() {
			defer func() {
				if tab == nil { // newPooledTab failed the test
					<-tabPool.slots
				}
			}()
			tab = newPooledTab(t)
		}()
	}
	ctx, cancel := context.WithTimeout(tab.ctx, browserTimeout)
	t.Cleanup(func() {
		cancel()
		if err := tab.wipe(); err != nil {
			// A new tab replaces it when a test needs one.
			t.Logf("closing a tab that could not be wiped: %v", err)
			tab.close()
		} else {
			tabPool.idle <- tab
		}
		<-tabPool.slots
	})
	var mu sync.Mutex
	var problems []string
	messages := chromedp.Console(ctx)
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
	return tab, ctx, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), problems...)
	}
}

// browser lends the test a tab of its own, in a browser context of its
// own, and collects the page's errors (script exceptions, failed loads, CSP
// reports). The tab goes back to the pool, wiped, when the test ends. A
// test takes one tab: a test waiting for a second would wait for ever on
// a pool of one.
func browser(t *testing.T) (context.Context, func() []string) {
	t.Helper()
	_, ctx, problems := lendTab(t)
	return ctx, problems
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

// A tab goes back to the pool as a new tab in a new browser context would
// be: what a test leaves in it (cookies, storage, a permission, emulation)
// is gone for the next, and another context's cookies stay.
func TestBrowser_ALentTabComesBackWiped(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts a browser")
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>state</title><p>state`)
	}))
	t.Cleanup(srv.Close)
	tab, ctx, problems := lendTab(t)
	id := chromedp.FromContext(ctx).BrowserContextID
	state := func() string {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
			t.Fatal(err)
		}
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`navigator.permissions.query({name: "geolocation"}).then(geo => JSON.stringify({
			width: innerWidth, height: innerHeight, dark: matchMedia("(prefers-color-scheme: dark)").matches,
			touch: navigator.maxTouchPoints, cookie: document.cookie, local: localStorage.length,
			session: sessionStorage.length, geolocation: geo.state}))`, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	fresh := state()

	// Another context's cookie, which the wipe must leave.
	other, err := chromedp.CallBrowser(ctx, target.CreateBrowserContext, target.CreateBrowserContextParams{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		_, _ = chromedp.CallBrowser(ctx, target.DisposeBrowserContext, target.DisposeBrowserContextParams{BrowserContextID: other.BrowserContextID})
	}()
	if _, err := chromedp.CallBrowser(ctx, storage.SetCookies, storage.SetCookiesParams{
		Cookies:          []*network.CookieParam{{Name: "other", Value: "1", URL: srv.URL + "/"}},
		BrowserContextID: other.BrowserContextID,
	}); err != nil {
		t.Fatal(err)
	}

	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.cookie = "left=1; max-age=3600";
		localStorage.setItem("left", "1"); sessionStorage.setItem("left", "1"); true`)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.CallBrowser(ctx, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
		Permission: &cdpbrowser.PermissionDescriptor{Name: "geolocation"}, Setting: cdpbrowser.PermissionSettingGranted,
		Origin: srv.URL, BrowserContextID: id,
	}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(420, 900, chromedp.EmulateTouch), emulateScreen(420, 900, "dark")); err != nil {
		t.Fatal(err)
	}
	if dirty := state(); dirty == fresh {
		t.Fatalf("the test left nothing to wipe: %s", dirty)
	}

	if err := tab.wipe(); err != nil {
		t.Fatal(err)
	}
	if wiped := state(); wiped != fresh {
		t.Errorf("after the wipe the tab shows\n%s\nwant, as before the test,\n%s", wiped, fresh)
	}
	cookies, err := chromedp.CallBrowser(ctx, storage.GetCookies, storage.GetCookiesParams{BrowserContextID: other.BrowserContextID})
	if err != nil || len(cookies.Cookies) != 1 {
		t.Errorf("another context's cookies after the wipe: %v (%v), want the one", cookies, err)
	}
	noPageProblems(t, problems)
}
