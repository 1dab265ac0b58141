package ui

import (
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"webinarsync/tunnel"
)

// The home page's status follows the tunnel and the deliveries by itself:
// an organizer waiting for ngrok to connect, or for the first event, sees
// it happen without reloading.
func TestBrowser_HomeStatusFollowsTheTunnelWithoutReload(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts a browser")
	}
	st := openStore(t)
	var mu sync.Mutex
	state := tunnel.State{Kind: "ngrok", Phase: tunnel.PhaseConnecting, Since: time.Now()}
	tunnelState := func() tunnel.State { mu.Lock(); defer mu.Unlock(); return state }
	srv := httptest.NewServer(New(Config{Store: st, Tunnel: tunnelState, Addr: "127.0.0.1:0", Poll: 100 * time.Millisecond}).Handler())
	t.Cleanup(srv.Close)

	ctx, problems := browser(t)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/?skipsetup=1"),
		chromedp.WaitVisible(chromedp.CSS(`#status-tunnel`)),
	); err != nil {
		t.Fatalf("opening the home page: %v (page problems: %q)", err, problems())
	}
	// Mark the page: a reload would lose the mark.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.notReloaded = true`)); err != nil {
		t.Fatal(err)
	}

	mu.Lock()
	state = tunnel.State{Kind: "ngrok", Phase: tunnel.PhaseOnline, URL: "https://quiet-fox.ngrok-free.app", Since: time.Now()}
	mu.Unlock()
	put(t, st, time.Now(), registrantAdded("ev-status-1", launchKey, "Quarterly Launch", registrant{
		key: "11111111111111111111", first: "Ada", last: "Lovelace", email: "ada@example.com", registered: time.Now()}))

	_, err := chromedp.Run(ctx, chromedp.Poll[bool](
		`document.getElementById("status-tunnel").textContent.includes("quiet-fox.ngrok-free.app") &&
		 !document.getElementById("status-delivery").textContent.includes("None yet") && window.notReloaded === true`,
		chromedp.WithPollingTimeout(3*time.Second)))
	if err != nil {
		tun, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#status-tunnel`)))
		t.Errorf("the status did not follow without a reload: tunnel card %q (%v)", tun, err)
	}
	noPageProblems(t, problems)
}
