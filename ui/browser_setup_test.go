package ui_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"webinarsync/app"
	"webinarsync/gotowebinar/gotosim"
	"webinarsync/gotowebinar/login"
	"webinarsync/ui"
)

// The setup page in a real browser, against the whole app run in-process
// with GoTo's URLs pointed at the simulator: a first start lands on it, the
// OAuth client goes in through its form, "Log in with GoTo" comes back to
// it, and the webhooks turn ACTIVE and the first event arrives on the page
// without a reload. It lives outside package ui because app imports ui.

const (
	setupClientID     = "webinarsync-setup-client"
	setupClientSecret = "setup-secret-0123456789abcdefXYZ"
)

// gatedSim is the simulator on a loopback server, holding GoTo's webhook
// activation (PUT /webhooks) until release is closed.
type gatedSim struct {
	sim     *gotosim.Sim
	srv     *httptest.Server
	release chan struct{}
	once    sync.Once
}

func startGatedSim(t *testing.T) *gatedSim {
	t.Helper()
	g := &gatedSim{
		sim:     gotosim.New(gotosim.Config{ClientID: setupClientID, ClientSecret: setupClientSecret, RetryBackoff: time.Millisecond}),
		release: make(chan struct{}),
	}
	h := g.sim.Handler()
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/webhooks") {
			select {
			case <-g.release:
			case <-r.Context().Done():
				return
			}
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		g.open()
		g.srv.Close()
	})
	return g
}

func (g *gatedSim) open() { g.once.Do(func() { close(g.release) }) }

// startApp runs webinarsync as main does, with no OAuth client set, the
// local tunnel, and GoTo at the simulator; it returns the UI's URL.
func startApp(t *testing.T, g *gatedSim) string {
	t.Helper()
	ready := make(chan string, 1)
	done := make(chan error, 1)
	ctx, stop := context.WithCancel(context.Background())
	cfg := app.Config{
		Addr: "127.0.0.1:0", DataDir: t.TempDir(), Tunnel: app.TunnelLocal,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		GoTo: login.Endpoints{
			AuthURL: g.srv.URL + "/oauth/authorize", TokenURL: g.srv.URL + "/oauth/token", APIURL: g.srv.URL + "/G2W/rest/v2",
		},
		Ready:         func(u string) { ready <- u },
		UIPoll:        200 * time.Millisecond, // the page follows each step without the organizer's 2 s wait
		GoToRateLimit: -1,                     // this simulator is the test's alone; GoTo's 9/s would add 1.5 s
	}
	go func() { done <- app.Run(ctx, cfg) }()
	t.Cleanup(func() {
		g.open() // nothing may hang on the gate while the app stops
		stop()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("app.Run: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("the app did not stop within 10s")
		}
	})
	select {
	case u := <-ready:
		return strings.TrimSuffix(u, "/")
	case err := <-done:
		t.Fatalf("the app did not start: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("the app did not start within 10s")
	}
	return ""
}

func TestBrowser_SetupPageWalksFromNothingToTheFirstEvent(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts a browser")
	}
	g := startGatedSim(t)
	uiURL := startApp(t, g)
	ctx, problems := ui.Browser(t)

	stepState := func(step string) string {
		t.Helper()
		st, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("step-`+step+`").dataset.state`))
		if err != nil {
			t.Fatalf("reading step %s: %v", step, err)
		}
		return st
	}
	waitFor := func(what, expr string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(15*time.Second))); err != nil {
			page, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main`)))
			t.Fatalf("waiting for %s: %v\npage:\n%s\nproblems: %q", what, err, page, problems())
		}
	}

	// A first start opens the setup page.
	if err := chromedp.Do(ctx, chromedp.Navigate(uiURL+"/"), chromedp.WaitVisible(chromedp.CSS(`#step-goto`))); err != nil {
		t.Fatalf("opening the app: %v (page problems: %q)", err, problems())
	}
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); loc != uiURL+"/setup" {
		t.Errorf("the first start opened %s, want the setup page", loc)
	}
	if got := [3]string{stepState("goto"), stepState("ngrok"), stepState("login")}; got != [3]string{"todo", "done", "todo"} {
		t.Errorf("steps at first start: %v, want the client and the login to do, the local tunnel done", got)
	}
	uri, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#redirect-uri`)))
	if err != nil || uri != uiURL+"/oauth/callback" {
		t.Errorf("the redirect URI reads %q (%v), want %s/oauth/callback", uri, err, uiURL)
	}
	// The copy button exists only with script, and answers a click.
	if err := chromedp.Do(ctx,
		chromedp.WaitVisible(chromedp.CSS(`button[data-copy="redirect-uri"]`)),
		chromedp.Click(chromedp.CSS(`button[data-copy="redirect-uri"]`)),
	); err != nil {
		t.Errorf("the copy button: %v", err)
	}
	waitFor("the copy button to answer", `document.querySelector('button[data-copy="redirect-uri"]').textContent !== "Copy"`)
	ui.Screenshot(t, ctx, "setup-start")

	// Step 1: the OAuth client, through the form.
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`#clientId`), setupClientID),
		chromedp.SendKeys(chromedp.CSS(`#clientSecret`), setupClientSecret),
		chromedp.Click(chromedp.CSS(`#step-goto button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#step-goto .saved`)),
	); err != nil {
		t.Fatalf("saving the OAuth client: %v (page problems: %q)", err, problems())
	}
	if st := stepState("goto"); st != "done" {
		t.Errorf("step 1 is %q after saving the client, want done", st)
	}
	html, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS(`html`)))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(html, setupClientSecret) {
		t.Error("the page shows the client secret")
	}

	// Step 3: log in. The simulator approves at once and GoTo's redirect
	// comes back here; the webhooks' activation waits for the gate.
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#setup-login`)),
		chromedp.WaitVisible(chromedp.CSS(`#step-login .setup-hooks`)),
	); err != nil {
		t.Fatalf("logging in: %v (page problems: %q)", err, problems())
	}
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); !strings.HasPrefix(loc, uiURL+"/setup") {
		t.Errorf("the login came back to %s, want the setup page", loc)
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#step-login li[data-state="ACTIVE"]').length`)); err != nil || n != 0 {
		t.Errorf("%d webhooks active before GoTo activated them (%v)", n, err)
	}
	// A mark that a reload would wipe.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.stillThisPage = true`)); err != nil {
		t.Fatal(err)
	}
	g.open()
	waitFor("the four webhooks to turn ACTIVE", `document.querySelectorAll('#step-login li[data-state="ACTIVE"]').length === 4`)
	waitFor("the wait for the first event", `document.getElementById("step-login-now").textContent.includes("register yourself for one of your webinars")`)

	ui.Screenshot(t, ctx, "setup-waiting")

	// The first event arrives.
	if _, err := g.sim.Deliver(ctx, gotosim.NewGenerator(1, nil).Next()); err != nil {
		t.Fatalf("Deliver: %v", err)
	}
	waitFor("the first event", `document.getElementById("step-login").dataset.state === "done"`)
	summary, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#setup-summary`)))
	if err != nil || !strings.Contains(summary, "All set") {
		t.Errorf("the summary reads %q (%v), want All set", summary, err)
	}
	if same, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.stillThisPage === true`)); err != nil || !same {
		t.Errorf("the page reloaded (%v); the checks must update it in place", err)
	}
	if got := [3]string{stepState("goto"), stepState("ngrok"), stepState("login")}; got != [3]string{"done", "done", "done"} {
		t.Errorf("steps at the end: %v, want all done", got)
	}
	ui.NoPageProblems(t, problems)
	ui.Screenshot(t, ctx, "setup-done")
}
