package app

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"webinarsync/gotowebinar"
	"webinarsync/gotowebinar/gotosim"
	"webinarsync/gotowebinar/gotosim/simtest"
	"webinarsync/store"
)

// webhookStates reads the login and the webhooks of /api/status, keeping
// their string fields.
func webhookStates(t *testing.T, uiURL string) (login map[string]string, hooks []map[string]string) {
	t.Helper()
	resp, err := http.Get(uiURL + "api/status")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var raw struct {
		Login    map[string]any   `json:"login"`
		Webhooks []map[string]any `json:"webhooks"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&raw); err != nil {
		t.Fatalf("/api/status: %v", err)
	}
	for _, w := range raw.Webhooks {
		hooks = append(hooks, stringsOf(w))
	}
	return stringsOf(raw.Login), hooks
}

// gotosimEvent is a realistic event body (a webinar.created).
func gotosimEvent() []byte { return gotosim.NewGenerator(1, nil).Next() }

func stringsOf(m map[string]any) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out
}

func allActive(hooks []map[string]string) bool {
	if len(hooks) != 4 {
		return false
	}
	for _, h := range hooks {
		if h["activationState"] != "ACTIVE" || h["webhookKey"] == "" {
			return false
		}
	}
	return true
}

func TestLogin_EndToEndThroughTheUIThenCleanupOnExit(t *testing.T) {
	t.Parallel()
	g := simtest.Start(t)
	app := start(t, Config{DataDir: t.TempDir(), GoTo: g.Endpoints(), CleanupOnExit: true})

	_, home := get(t, app.uiURL)
	if !strings.Contains(home, `href="/login"`) {
		t.Fatal("the home page offers no GoTo login although the OAuth client is set")
	}

	// A browser: it keeps cookies and follows GoTo's redirects.
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	resp, err := browser.Get(app.uiURL + "login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/" {
		t.Fatalf("the login ended at %s with %d, want the home page", resp.Request.URL, resp.StatusCode)
	}
	auth := g.Requests("GET", "/oauth/authorize")
	if len(auth) != 1 {
		t.Fatalf("%d authorize requests", len(auth))
	}
	tokenReq := g.Requests("POST", "/oauth/token")
	if len(tokenReq) != 1 || !strings.Contains(string(tokenReq[0].Body), "code_verifier=") {
		t.Errorf("the code exchange carried no PKCE verifier: %s", tokenReq[0].Body)
	}

	waitFor(t, "our webhooks active at GoTo", func() bool {
		login, hooks := webhookStates(t, app.uiURL)
		return login["state"] == "logged_in" && allActive(hooks)
	})
	login, _ := webhookStates(t, app.uiURL)
	if !strings.Contains(login["organizer"], "Maren Solberg") {
		t.Errorf("login %v does not name the organizer", login)
	}
	// GoTo's deliveries now land in the store.
	if _, err := g.Sim.Deliver(t.Context(), gotosimEvent()); err != nil {
		t.Fatalf("Deliver: %v", err)
	}
	waitFor(t, "the delivery", func() bool { return getStatus(t, app.uiURL).Counts.Events == 1 })

	app.shutdown(t)
	if h, s := g.Webhooks(t), g.Subscriptions(t); len(h)+len(s) != 0 {
		t.Errorf("-cleanup-on-exit left %d webhooks and %d subscriptions at GoTo", len(h), len(s))
	}
}

func TestLogin_CallbackRefusesAStateItDidNotStart(t *testing.T) {
	t.Parallel()
	g := simtest.Start(t)
	app := start(t, Config{DataDir: t.TempDir(), GoTo: g.Endpoints()})
	jar, _ := cookiejar.New(nil)
	noFollow := &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	location := func(u string) *url.URL {
		t.Helper()
		resp, err := noFollow.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, err := url.Parse(resp.Header.Get("Location"))
		if err != nil || resp.StatusCode/100 != 3 {
			t.Fatalf("GET %s = %d to %q", u, resp.StatusCode, resp.Header.Get("Location"))
		}
		return loc
	}
	callback := location(location(app.uiURL + "login").String()) // our callback, with code and state
	good := callback.Query().Get("state")

	forged := *callback
	q := forged.Query()
	q.Set("state", "forged-"+good)
	forged.RawQuery = q.Encode()
	code, body := getWith(t, noFollow, forged.String())
	if code != http.StatusBadRequest || !strings.Contains(body, "This login did not start here") {
		t.Errorf("forged state: %d %q", code, body)
	}
	if n := g.Count("POST", "/oauth/token"); n != 0 {
		t.Errorf("the forged callback exchanged the code (%d token requests)", n)
	}
	if login, _ := webhookStates(t, app.uiURL); login["state"] != "logged_out" {
		t.Errorf("logged in by a forged callback: %v", login)
	}

	// GoTo saying no to a login we started is shown in its own words;
	// the same words for a login we did not start are not repeated.
	code, body = getWith(t, noFollow, app.uiURL+"oauth/callback?error=access_denied&error_description=The+user+denied&state="+good)
	if code != http.StatusBadRequest || strings.Contains(body, "The user denied") {
		t.Errorf("error for a login no longer pending: %d %q", code, body)
	}
	again := location(location(app.uiURL + "login").String()).Query().Get("state")
	code, body = getWith(t, noFollow, app.uiURL+"oauth/callback?error=access_denied&error_description=The+user+denied&state="+again)
	if code != http.StatusBadRequest || !strings.Contains(body, "GoTo said: access_denied") {
		t.Errorf("error=access_denied: %d %q", code, body)
	}
}

func getWith(t *testing.T, c *http.Client, u string) (int, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestLogin_RefreshFailureSaysLogInAgainWhileDeliveriesAreStored(t *testing.T) {
	t.Parallel()
	// Logged in at one GoTo, whose tokens a second one does not know: the
	// refresh is refused, as when GoTo revokes a login.
	first, second := simtest.Start(t), simtest.Start(t)
	dir := t.TempDir()
	st, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	newTestGoTo(t, st, first.Endpoints())
	st.Close()

	const secret = "env-secret"
	app := start(t, Config{DataDir: dir, GoTo: second.Endpoints(), WebhookSecret: secret})
	waitFor(t, "the expired login", func() bool {
		login, _ := webhookStates(t, app.uiURL)
		return login["state"] == "expired"
	})
	login, hooks := webhookStates(t, app.uiURL)
	if !strings.Contains(login["detail"], "log in again") {
		t.Errorf("login detail %q does not say to log in again", login["detail"])
	}
	if len(hooks) != 4 || !strings.Contains(hooks[0]["error"], "log in again") {
		t.Errorf("webhooks %v", hooks)
	}
	if _, home := get(t, app.uiURL); !strings.Contains(home, `href="/login"`) || !strings.Contains(home, "Session expired") {
		t.Error("the home page does not offer to log in again")
	}
	if n := second.Count("POST", "/oauth/token"); n != 1 {
		t.Errorf("%d refresh attempts, want 1", n)
	}

	// Deliveries keep landing.
	hook := getStatus(t, app.uiURL).WebhookURL
	body, ts, sig := signedRegistrant(secret, 1)
	req, _ := http.NewRequest(http.MethodPost, hook, bytes.NewReader(body))
	req.Header.Set(gotowebinar.HeaderSignatureTimestamp, ts)
	req.Header.Set(gotowebinar.HeaderSignature, sig)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || getStatus(t, app.uiURL).Counts.Events != 1 {
		t.Errorf("a delivery with the login expired: %d, %d events stored", resp.StatusCode, getStatus(t, app.uiURL).Counts.Events)
	}
}

func TestDemo_LogsInAndRegistersWebhooksAtTheSimulator(t *testing.T) {
	t.Parallel()
	app := start(t, Config{DataDir: t.TempDir(), Demo: true, DemoInterval: 20 * time.Millisecond})
	waitFor(t, "the demo's webhooks active", func() bool {
		_, hooks := webhookStates(t, app.uiURL)
		return allActive(hooks)
	})
	login, hooks := webhookStates(t, app.uiURL)
	if login["state"] != "demo" || !strings.Contains(login["organizer"], "built-in simulator") {
		t.Errorf("demo login %v", login)
	}
	hook := getStatus(t, app.uiURL).WebhookURL
	for _, h := range hooks {
		if h["callbackUrl"] != hook || h["state"] != "ACTIVE" || h["userSubscriptionState"] != "ACTIVE" {
			t.Errorf("demo webhook %v", h)
		}
	}
	_, settings := get(t, app.uiURL+"settings")
	if !strings.Contains(settings, "built-in simulator") || strings.Contains(settings, demoClientSecret) {
		t.Error("the settings page in demo mode does not say it is the simulator, or shows its secret")
	}
}
