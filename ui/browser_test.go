package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"webinarsync/gotowebinar/gotosim"
)

// The live board in a real browser: Debian's Chromium headless shell (or
// headless chromium) against the UI and the webhook receiver on httptest
// servers. The browser helpers are in browser_helpers_test.go.

func TestBrowser_LiveBoardShowsANewJoinWithoutReload(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts a browser")
	}
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
	ctx, problems := browser(t)

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
	noPageProblems(t, problems)

	if wantScreenshots() {
		// The highlight of the new row fades out before the picture: wait
		// for every animation that ends (the live badge's pulse does not).
		faded := `Promise.all(document.getAnimations()
			.filter(a => a.effect.getComputedTiming().iterations !== Infinity)
			.map(a => a.finished.catch(() => null))).then(() => true)`
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](faded, chromedp.EvalAwaitPromise)); err != nil {
			t.Fatalf("waiting for the highlight to fade: %v", err)
		}
		screenshot(t, ctx, "live")
	}
}
