package ui

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// The pages fit the screens organizers use, a laptop (1280×900) and a
// phone (420×900): nothing makes the page scroll sideways (wide tables
// scroll inside their own frame), and they follow the system's light or
// dark scheme. The live board's full screen is dark whatever the system.
func TestBrowser_PagesFitTheScreenAndFollowTheColorScheme(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts a browser")
	}
	site := thePagesSite(t)
	for _, page := range []struct {
		name, path string
		alwaysDark bool
	}{
		{"home", "/", false},
		{"webinar", "/webinars/" + workshopKey, false},
		{"live board", "/webinars/" + workshopKey + "/live", false},
		{"live board full screen", "/webinars/" + workshopKey + "/live?full=1", true},
		{"event log", "/events", false},
		{"search", "/search?q=m%C3%BCller", false},
	} {
		t.Run(page.name, func(t *testing.T) {
			t.Parallel()
			ctx, problems := browser(t)
			// One load, then each screen and scheme by emulation: the pages
			// lay out by CSS alone (no script reads the size or the scheme),
			// so the browser redoes the layout and styles exactly as it would
			// for a new load, without 0.3 s of loading each time.
			open(t, ctx, site.url+page.path, 1280, 900, "light")
			for _, size := range []struct{ w, h int64 }{{1280, 900}, {420, 900}} {
				for _, scheme := range []string{"light", "dark"} {
					emulate(t, ctx, size.w, size.h, scheme)
					where := fmt.Sprintf("%s at %d×%d, %s", page.path, size.w, size.h, scheme)
					noSidewaysScroll(t, ctx, where)
					dark := backgroundIsDark(t, ctx)
					if want := scheme == "dark" || page.alwaysDark; dark != want {
						t.Errorf("%s: the page background is dark: %v, want %v", where, dark, want)
					}
				}
			}
			noPageProblems(t, problems)
		})
	}
}

// At 1280×900 the first screen shows webinars, not the plumbing: the
// first row of the list is above the fold, and the status is one line.
func TestBrowser_HomeShowsWebinarsInTheFirstScreen(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts a browser")
	}
	site := thePagesSite(t)
	ctx, problems := browser(t)
	open(t, ctx, site.url+"/", 1280, 900, "light")
	type box struct{ Top, Bottom, Height float64 }
	first, err := chromedp.Run(ctx, chromedp.Evaluate[box](`(() => {
		const r = document.querySelector("table.webinars tbody tr").getBoundingClientRect();
		return {Top: r.top, Bottom: r.bottom, Height: innerHeight};
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	if first.Bottom > first.Height {
		t.Errorf("the first webinar ends %.0f px down, below the first screen (%.0f px)", first.Bottom, first.Height)
	}
	// Without a tunnel nothing can arrive, so the status below the list
	// opened by itself, with the hooks refresh.js keeps current.
	opened, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("status").open &&
		document.getElementById("status-tunnel").offsetParent !== null`))
	if err != nil {
		t.Fatal(err)
	}
	if !opened {
		t.Error("the status stayed folded though the app cannot receive events (no tunnel in this test)")
	}
	noPageProblems(t, problems)
}

// On a laptop the registrants table fits its frame: no column is cut
// off and every registration date stays on one line.
func TestBrowser_RegistrantsTableFitsALaptop(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts a browser")
	}
	site := thePagesSite(t)
	ctx, problems := browser(t)
	open(t, ctx, site.url+"/webinars/"+workshopKey, 1280, 900, "light")
	type fit struct {
		Scroll, Client float64
		Wrapped        []string
		Columns        []string
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[fit](`(() => {
		const frame = document.querySelector("table.registrants").closest(".table-scroll");
		const wrapped = Array.from(document.querySelectorAll("table.registrants tbody td:nth-child(5) time"))
			.filter(el => el.getClientRects().length > 1 || el.getBoundingClientRect().height > 2 * parseFloat(getComputedStyle(el).lineHeight || "20"))
			.map(el => el.textContent);
		const columns = Array.from(document.querySelectorAll("table.registrants thead th"), th => th.textContent.trim() + " " + Math.round(th.getBoundingClientRect().width));
		return {Scroll: frame.scrollWidth, Client: frame.clientWidth, Wrapped: wrapped, Columns: columns};
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	if got.Scroll > got.Client+1 {
		t.Errorf("the registrants table is %.0f px wide in a %.0f px frame: its last columns are cut off (columns: %q)", got.Scroll, got.Client, got.Columns)
	}
	if len(got.Wrapped) > 0 {
		t.Errorf("registration dates wrap over lines: %q", got.Wrapped)
	}
	noPageProblems(t, problems)
}

// open loads url in a viewport of w×h with the system's colour scheme set
// to scheme, and waits until the page has painted.
func open(t *testing.T, ctx context.Context, url string, w, h int64, scheme string) {
	t.Helper()
	if err := chromedp.Do(ctx,
		emulateScreen(w, h, scheme),
		chromedp.Navigate(url),
		chromedp.WaitReady(chromedp.CSS(`body`)),
	); err != nil {
		t.Fatalf("opening %s at %d×%d (%s): %v", url, w, h, scheme, err)
	}
	painted(t, ctx)
}

// emulate switches the open page to a viewport of w×h and the colour
// scheme to scheme, and waits until the page has painted again.
func emulate(t *testing.T, ctx context.Context, w, h int64, scheme string) {
	t.Helper()
	if err := chromedp.Do(ctx, emulateScreen(w, h, scheme)); err != nil {
		t.Fatalf("emulating %d×%d (%s): %v", w, h, scheme, err)
	}
	painted(t, ctx)
}

// emulateScreen sets the viewport and the system's colour scheme.
func emulateScreen(w, h int64, scheme string) chromedp.Action[chromedp.Void] {
	media := chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
		})
		return err
	})
	return chromedp.Steps(chromedp.EmulateViewport(w, h), media)
}

// painted waits until the fonts are loaded and two frames have painted, so
// that what the test measures is the page as shown.
func painted(t *testing.T, ctx context.Context) {
	t.Helper()
	settled := `document.fonts.ready.then(() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true)))))`
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](settled, chromedp.EvalAwaitPromise)); err != nil {
		t.Fatalf("waiting for the page to paint: %v", err)
	}
}

// noSidewaysScroll fails when the document is wider than the window, and
// names the elements that stick out.
func noSidewaysScroll(t *testing.T, ctx context.Context, where string) {
	t.Helper()
	type width struct {
		Scroll, Inner float64
		Culprits      []string
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[width](`(() => {
		const inner = window.innerWidth;
		const culprits = Array.from(document.querySelectorAll("body *"))
			.filter(el => el.getBoundingClientRect().right > inner + 1 && !el.closest(".table-scroll, [hidden]"))
			.slice(0, 5)
			.map(el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className && typeof el.className === "string" ? "." + el.className.trim().replace(/\s+/g, ".") : ""));
		return {Scroll: document.scrollingElement.scrollWidth, Inner: inner, Culprits: culprits};
	})()`))
	if err != nil {
		t.Fatalf("%s: measuring: %v", where, err)
	}
	if got.Scroll > got.Inner {
		t.Errorf("%s: the page scrolls sideways: %.0f px wide in a %.0f px window (sticking out: %q)", where, got.Scroll, got.Inner, got.Culprits)
	}
}

// backgroundIsDark reports whether the body's background is dark.
func backgroundIsDark(t *testing.T, ctx context.Context) bool {
	t.Helper()
	bg, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.body).backgroundColor`))
	if err != nil {
		t.Fatal(err)
	}
	// "rgb(15, 19, 26)": dark when the channels average below the middle.
	fields := strings.FieldsFunc(bg, func(r rune) bool { return r < '0' || r > '9' })
	if len(fields) < 3 {
		t.Fatalf("background %q is not an rgb() colour", bg)
	}
	sum := 0
	for _, f := range fields[:3] {
		n, _ := strconv.Atoi(f)
		sum += n
	}
	return sum/3 < 128
}
