package ui

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// fakeAuth stands in for the GoTo login, which lives in app (tested there
// against the simulator).
type fakeAuth struct {
	configured bool
	finishErr  error

	mu       sync.Mutex
	begun    []string // redirect URIs
	finished []string // "state code redirectURI"
}

func (a *fakeAuth) LoginConfigured() bool { return a.configured }

func (a *fakeAuth) BeginLogin(_ context.Context, redirectURI string) (string, string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.begun = append(a.begun, redirectURI)
	state := fmt.Sprintf("state-%d", len(a.begun))
	return "https://authentication.example/oauth/authorize?state=" + state, state, nil
}

func (a *fakeAuth) FinishLogin(_ context.Context, state, code, redirectURI string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.finished = append(a.finished, state+" "+code+" "+redirectURI)
	return a.finishErr
}

// fakeSettings stands in for the settings kept in app.
type fakeSettings struct {
	s     GoToSettings
	saved []string
}

func (f *fakeSettings) GoToSettings() GoToSettings { return f.s }
func (f *fakeSettings) SaveGoToSettings(id, secret string) error {
	f.saved = append(f.saved, id+"|"+secret)
	return nil
}

func TestLogin_RedirectsToGoToWithAStateCookie(t *testing.T) {
	auth := &fakeAuth{configured: true}
	rec := get(t, handler(t, Config{Store: openStore(t), Auth: auth}), "/login")
	if rec.Code != http.StatusFound || !strings.HasPrefix(rec.Header().Get("Location"), "https://authentication.example/oauth/authorize") {
		t.Fatalf("GET /login = %d to %q", rec.Code, rec.Header().Get("Location"))
	}
	if len(auth.begun) != 1 || auth.begun[0] != "http://127.0.0.1:7777/oauth/callback" {
		t.Errorf("BeginLogin redirect URIs %v", auth.begun)
	}
	c := rec.Result().Cookies()
	if len(c) != 1 || c[0].Value != "state-1" || !c[0].HttpOnly || c[0].SameSite != http.SameSiteLaxMode || c[0].Path != CallbackPath {
		t.Errorf("state cookie %+v", c)
	}
}

func TestLogin_FromLocalhostMovesToTheRedirectURIsHostFirst(t *testing.T) {
	auth := &fakeAuth{configured: true}
	req := loginRequest(t, "GET", "/login")
	req.Host = "localhost:7777"
	rec := serveRequest(handler(t, Config{Store: openStore(t), Auth: auth}), req)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "http://127.0.0.1:7777/login" || len(auth.begun) != 0 {
		t.Errorf("GET localhost:7777/login = %d to %q; want 127.0.0.1 first, so the state cookie comes back", rec.Code, rec.Header().Get("Location"))
	}
}

func TestLogin_WithoutAnOAuthClientGoesToSettings(t *testing.T) {
	h := handler(t, Config{Store: openStore(t), Auth: &fakeAuth{}, Settings: &fakeSettings{}})
	if rec := get(t, h, "/login"); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/settings" {
		t.Errorf("GET /login = %d to %q, want /settings", rec.Code, rec.Header().Get("Location"))
	}
	body := get(t, h, "/?skipsetup=1").Body.String() // a first start goes to /setup
	mustContain(t, body, `href="/settings"`, "Set up the GoTo login")
	mustNotContain(t, body, `href="/login"`)
}

func TestOAuthCallback_FinishesTheLoginItStarted(t *testing.T) {
	auth := &fakeAuth{configured: true}
	h := handler(t, Config{Store: openStore(t), Auth: auth})
	cookie := get(t, h, "/login").Result().Cookies()[0]

	req := loginRequest(t, "GET", "/oauth/callback?code=c0de&state=state-1")
	req.AddCookie(cookie)
	rec := serveRequest(h, req)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/" {
		t.Fatalf("callback = %d to %q: %s", rec.Code, rec.Header().Get("Location"), rec.Body)
	}
	if len(auth.finished) != 1 || auth.finished[0] != "state-1 c0de http://127.0.0.1:7777/oauth/callback" {
		t.Errorf("FinishLogin calls %v", auth.finished)
	}
}

func TestOAuthCallback_RefusesAStateThatDoesNotMatch(t *testing.T) {
	auth := &fakeAuth{configured: true}
	h := handler(t, Config{Store: openStore(t), Auth: auth})
	cookie := get(t, h, "/login").Result().Cookies()[0]
	for name, build := range map[string]func() *http.Request{
		"other state": func() *http.Request {
			r := loginRequest(t, "GET", "/oauth/callback?code=c&state=state-2")
			r.AddCookie(cookie)
			return r
		},
		"no cookie": func() *http.Request { return loginRequest(t, "GET", "/oauth/callback?code=c&state=state-1") },
	} {
		rec := serveRequest(h, build())
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "This login did not start here") {
			t.Errorf("%s: %d %s", name, rec.Code, rec.Body)
		}
	}
	if len(auth.finished) != 0 {
		t.Errorf("FinishLogin was called for a mismatched state: %v", auth.finished)
	}
	// The app's own check (a state it never began) reads the same.
	auth.finishErr = fmt.Errorf("wrapped: %w", ErrLoginNotStarted)
	req := loginRequest(t, "GET", "/oauth/callback?code=c&state=state-1")
	req.AddCookie(cookie)
	if rec := serveRequest(h, req); rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "This login did not start here") {
		t.Errorf("unknown state at the Auth: %d", rec.Code)
	}
}

func TestOAuthCallback_SaysWhatGoToSaid(t *testing.T) {
	h := handler(t, Config{Store: openStore(t), Auth: &fakeAuth{configured: true}})
	rec := get(t, h, "/oauth/callback?error=access_denied&error_description=The+user+said+no&state=x")
	if rec.Code != http.StatusBadRequest {
		t.Errorf("status %d", rec.Code)
	}
	mustContain(t, rec.Body.String(), "GoTo did not log you in", "GoTo said: access_denied (The user said no)")
}

func TestSettings_ShowsTheRedirectURIAndOnlyAHintOfTheSecret(t *testing.T) {
	set := &fakeSettings{s: GoToSettings{ClientID: "abc-client", ClientSecretSet: true, ClientSecretHint: "9f2e",
		AuthURL: "https://authentication.logmeininc.com/oauth/authorize", TokenURL: "https://t", APIURL: "https://a"}}
	h := handler(t, Config{Store: openStore(t), Settings: set})
	body := get(t, h, "/settings").Body.String()
	mustContain(t, body, "http://127.0.0.1:7777/oauth/callback", `value="abc-client"`, "saved, ending in …9f2e", "never shown again")

	rec := post(t, h, "/settings", url.Values{"clientId": {"new-id"}, "clientSecret": {"new-secret"}}, nil)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/settings?saved=1" {
		t.Errorf("POST /settings = %d to %q", rec.Code, rec.Header().Get("Location"))
	}
	if len(set.saved) != 1 || set.saved[0] != "new-id|new-secret" {
		t.Errorf("saved %v", set.saved)
	}
	mustContain(t, get(t, h, "/settings?saved=1").Body.String(), "Saved.")
}

// webhookControl counts the buttons' calls.
type webhookControl struct{ removed, setUp int }

func (c *webhookControl) RemoveWebhooks(context.Context) error { c.removed++; return nil }
func (c *webhookControl) SetUpWebhooks(context.Context) error  { c.setUp++; return nil }

func TestWebhookButtons_RemoveAndSetUp(t *testing.T) {
	ctl := &webhookControl{}
	account := &fakeAccount{login: LoginStatus{State: LoginLoggedIn}}
	h := handler(t, Config{Store: openStore(t), Account: account, Webhooks: ctl})
	mustContain(t, get(t, h, "/").Body.String(), `action="/webhooks/setup"`, `action="/webhooks/cleanup"`, "Remove our webhooks at GoTo")
	for _, path := range []string{"/webhooks/cleanup", "/webhooks/setup"} {
		if rec := post(t, h, path, nil, nil); rec.Code != http.StatusSeeOther {
			t.Errorf("POST %s = %d", path, rec.Code)
		}
	}
	if ctl.removed != 1 || ctl.setUp != 1 {
		t.Errorf("removed %d, set up %d", ctl.removed, ctl.setUp)
	}
	// Another site cannot press them.
	if rec := post(t, h, "/webhooks/cleanup", nil, map[string]string{"Sec-Fetch-Site": "cross-site"}); rec.Code != http.StatusForbidden || ctl.removed != 1 {
		t.Errorf("cross-site cleanup = %d", rec.Code)
	}
}

func loginRequest(t *testing.T, method, target string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, "http://"+testAddr+target, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = testAddr
	return req
}

func serveRequest(h http.Handler, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}
