package ui

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"webinarsync/gotowebinar/gotosim"
)

// The live board in a real browser: Debian's chromium, headless, against
// the UI and the webhook receiver on httptest servers. CI installs chromium
// (.ci/run) and sets CI=true, which makes a missing browser a failure.

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

// browser starts a headless chromium with a fresh profile and no outside
// traffic, and collects the page's errors (script exceptions, CSP reports).
func browser(t *testing.T) (context.Context, func() []string) {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
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
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 1100),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc()
	})
	// The first Run starts the browser; it must not carry a timeout.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
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
	tctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(cancel)
	return tctx, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), problems...)
	}
}

func TestBrowser_LiveBoardShowsANewJoinWithoutReload(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	ctx, problems := browser(t)
	a := newLiveApp(t)
	live := liveWebinar
	live.Times = []gotosim.Session{{Key: sessionOne, Start: time.Now().Add(-20 * time.Minute), End: time.Now().Add(40 * time.Minute)}}
	a.createWebinar(live)
	for i := 1; i <= 8; i++ {
		a.register(live, person(i))
	}
	for i := 1; i <= 3; i++ {
		a.join(live, sessionOne, person(i), time.Now().Add(-time.Duration(4-i)*time.Minute))
	}
	newcomer := person(7)
	row := `#live-joins tr[data-registrant="` + newcomer.Key + `"]`

	err := chromedp.Do(ctx,
		chromedp.Navigate(a.web.URL+liveURL(live.Key)),
		chromedp.WaitVisible(chromedp.CSS(`#live-conn[data-state="open"]`)),
	)
	if err != nil {
		t.Fatalf("opening the board: %v (page problems: %q)", err, problems())
	}
	// A mark that a reload would wipe.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.stillThisPage = true`)); err != nil {
		t.Fatal(err)
	}
	a.join(live, sessionOne, newcomer, time.Now())
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(row))); err != nil {
		t.Fatalf("the join never showed: %v (page problems: %q)", err, problems())
	}
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(row)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "Person Nr7") || !strings.Contains(text, newcomer.Email) || !strings.Contains(text, "Org 7") {
		t.Errorf("the new row reads %q, want the name, email and organization", text)
	}
	if same, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.stillThisPage === true`)); err != nil || !same {
		t.Errorf("the page reloaded (%v); it must update in place", err)
	}
	first, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(`#live-joins tr`), "data-registrant"))
	if err != nil || first.Value != newcomer.Key {
		t.Errorf("the newest join is not on top: first row %q, %v", first.Value, err)
	}
	if gone, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("noshow-`+newcomer.Key+`") === null`)); err != nil || !gone {
		t.Errorf("the newcomer is still listed as a no-show (%v)", err)
	}
	// The figures follow: 4 of 8 joined.
	_, err = chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("live-figures").textContent.includes("50%")`,
		chromedp.WithPollingTimeout(5*time.Second)))
	if err != nil {
		figures, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#live-figures`)))
		t.Errorf("figures %q, want 4 of 8 joined: 50%% (%v)", figures, err)
	}
	if p := problems(); len(p) > 0 {
		t.Errorf("the page reported problems (a CSP violation shows here): %q", p)
	}

	if os.Getenv("WEBINARSYNC_SCREENSHOTS") == "1" {
		time.Sleep(4 * time.Second) // let the highlight of the new row fade
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		path := filepath.Join("testdata", "screenshots", "live.png")
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot saved to ui/%s", path)
	}
}
