package ui

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The Deliveries page lists new requests as they arrive, without a
// reload: a refused one and a stored one appear on top, newest first, and
// the row opens the detail with its copy buttons.
func TestBrowser_DeliveriesPageUpdatesLive(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts a browser")
	}
	d := newDeliverySite(t, "our-key")
	d.deliver(t, addedEvent("before-1", 1), signedWith("our-key"))
	ui := New(Config{Store: d.st, Deliveries: d.log, Addr: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler)})
	srv := httptest.NewServer(ui.Handler())
	// Close ends the open stream first, as the app does on shutdown.
	t.Cleanup(func() { ui.Close(); srv.Close() })
	ctx, problems := browser(t)

	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/deliveries"),
		chromedp.WaitVisible(chromedp.CSS(`#deliveries-rows tr`)),
		chromedp.WaitVisible(chromedp.CSS(`#deliveries-conn[data-state="open"]`)),
	); err != nil {
		t.Fatalf("opening the Deliveries page: %v (page problems: %q)", err, problems())
	}
	if rows := tableRows(t, ctx, `#deliveries-rows tr`); len(rows) != 1 {
		t.Fatalf("rows before = %q", rows)
	}

	if code := d.deliver(t, addedEvent("live-bad", 2), signedWith("their-key")); code != http.StatusUnauthorized {
		t.Fatalf("badly signed: %d", code)
	}
	if code := d.deliver(t, addedEvent("live-good", 3), signedWith("our-key")); code != http.StatusOK {
		t.Fatalf("good: %d", code)
	}
	if err := chromedp.Do(ctx,
		chromedp.WaitVisible(chromedp.CSS(`#deliveries-rows tr:nth-child(3)`)),
	); err != nil {
		t.Fatalf("the new deliveries did not appear: %v (page problems: %q)", err, problems())
	}
	rows := tableRows(t, ctx, `#deliveries-rows tr`)
	if len(rows) != 3 {
		t.Fatalf("rows = %q, want 3", rows)
	}
	for i, want := range []string{"live-good", "live-bad", "before-1"} {
		if !strings.Contains(strings.Join(rows[i], " "), want) {
			t.Errorf("row %d = %q, want %s (newest first)", i, rows[i], want)
		}
	}
	if !strings.Contains(rows[1][1], "its signature matches none of the keys on file") {
		t.Errorf("the refused row reads %q", rows[1][1])
	}

	// The refused row opens its detail, with the copy buttons shown.
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#deliveries-rows tr:nth-child(2) a`)),
		chromedp.WaitVisible(chromedp.CSS(`button[data-copy="delivery-body"]`)),
		chromedp.WaitVisible(chromedp.CSS(`button[data-copy="delivery-curl"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#delivery-verify`)),
	); err != nil {
		t.Fatalf("opening the refused delivery: %v (page problems: %q)", err, problems())
	}
	if body := text(t, ctx, `#delivery-body`); !strings.Contains(body, `"eventKey": "live-bad"`) {
		t.Errorf("the detail's body reads %q", body)
	}
	noPageProblems(t, problems)
	screenshot(t, ctx, "deliveries")
}
