package ui

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"webinarsync/gotowebinar"
	"webinarsync/gotowebinar/login"
	"webinarsync/gotowebinar/reconcile"
)

// configured is a logged-out login whose OAuth client is known.
func configured() *fakeLogin {
	return &fakeLogin{state: login.State{Status: login.LoggedOut, Configured: true}}
}

func TestLogin_RedirectsToGoToWithAStateCookie(t *testing.T) {
	t.Parallel()
	lg := configured()
	rec := get(t, handler(t, Config{Store: openStore(t), Login: lg}), "/login")
	if rec.Code != http.StatusFound || !strings.HasPrefix(rec.Header().Get("Location"), "https://authentication.example/oauth/authorize") {
		t.Fatalf("GET /login = %d to %q", rec.Code, rec.Header().Get("Location"))
	}
	if len(lg.begun) != 1 || lg.begun[0] != "http://127.0.0.1:7777/oauth/callback" {
		t.Errorf("Begin redirect URIs %v", lg.begun)
	}
	c := rec.Result().Cookies()
	if len(c) != 1 || c[0].Value != "state-1" || !c[0].HttpOnly || c[0].SameSite != http.SameSiteLaxMode || c[0].Path != CallbackPath {
		t.Errorf("state cookie %+v", c)
	}
}

func TestLogin_FromLocalhostMovesToTheRedirectURIsHostFirst(t *testing.T) {
	t.Parallel()
	lg := configured()
	req := loginRequest(t, "GET", "/login")
	req.Host = "localhost:7777"
	h := handler(t, Config{Store: openStore(t), Login: lg})
	rec := serveRequest(h, req)
	where := rec.Header().Get("Location")
	if rec.Code != http.StatusSeeOther || !strings.HasPrefix(where, "http://127.0.0.1:7777/login?pass=") || len(lg.begun) != 0 {
		t.Fatalf("GET localhost:7777/login = %d to %q; want 127.0.0.1 first, so the state cookie comes back", rec.Code, where)
	}
	// The browser calls that hop cross-site; its one-time pass lets it through, once.
	hop := func() *httptest.ResponseRecorder {
		req := loginRequest(t, "GET", strings.TrimPrefix(where, "http://127.0.0.1:7777"))
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		return serveRequest(h, req)
	}
	if rec := hop(); rec.Code != http.StatusFound || len(lg.begun) != 1 {
		t.Errorf("the hop with its pass = %d, %d logins begun; want GoTo's login page", rec.Code, len(lg.begun))
	}
	if rec := hop(); rec.Code != http.StatusForbidden {
		t.Errorf("the same pass again = %d, want 403", rec.Code)
	}
}

// Another site linking to /login must not start a login: it would log the
// organizer in to an account of its choosing.
func TestLogin_RefusesALoginStartedByAnotherSite(t *testing.T) {
	t.Parallel()
	lg := configured()
	h := handler(t, Config{Store: openStore(t), Login: lg})
	for _, site := range []string{"cross-site", "same-site"} {
		req := loginRequest(t, "GET", "/login")
		req.Header.Set("Sec-Fetch-Site", site)
		rec := serveRequest(h, req)
		if rec.Code != http.StatusForbidden || len(lg.begun) != 0 {
			t.Errorf("GET /login from %s = %d, %d logins begun; want 403 and none", site, rec.Code, len(lg.begun))
		}
		mustContain(t, rec.Body.String(), "Another web page tried to start a GoTo login")
	}
	for _, site := range []string{"same-origin", "none"} {
		req := loginRequest(t, "GET", "/login")
		req.Header.Set("Sec-Fetch-Site", site)
		if rec := serveRequest(h, req); rec.Code != http.StatusFound {
			t.Errorf("GET /login from %s = %d, want GoTo's login page", site, rec.Code)
		}
	}
	req := loginRequest(t, "GET", "/login?pass=made-up")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if rec := serveRequest(h, req); rec.Code != http.StatusForbidden {
		t.Errorf("a made-up pass = %d, want 403", rec.Code)
	}
}

func TestLogin_WithoutAnOAuthClientGoesToSettings(t *testing.T) {
	t.Parallel()
	h := handler(t, Config{Store: openStore(t), Login: &fakeLogin{state: login.State{Status: login.LoggedOut}}})
	if rec := get(t, h, "/login"); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/settings" {
		t.Errorf("GET /login = %d to %q, want /settings", rec.Code, rec.Header().Get("Location"))
	}
	body := get(t, h, "/?skipsetup=1").Body.String() // a first start goes to /setup
	mustContain(t, body, "Not logged in", "enter your GoTo OAuth client in Settings", `href="/settings"`, "Set up the GoTo login")
	mustNotContain(t, body, `href="/login"`)
}

func TestOAuthCallback_FinishesTheLoginItStarted(t *testing.T) {
	t.Parallel()
	lg := configured()
	h := handler(t, Config{Store: openStore(t), Login: lg})
	cookie := get(t, h, "/login").Result().Cookies()[0]

	req := loginRequest(t, "GET", "/oauth/callback?code=c0de&state=state-1")
	req.AddCookie(cookie)
	rec := serveRequest(h, req)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/" {
		t.Fatalf("callback = %d to %q: %s", rec.Code, rec.Header().Get("Location"), rec.Body)
	}
	if _, finished, _ := lg.calls(); len(finished) != 1 || finished[0] != "state-1 c0de http://127.0.0.1:7777/oauth/callback" {
		t.Errorf("Finish calls %v", finished)
	}
}

func TestOAuthCallback_RefusesAStateThatDoesNotMatch(t *testing.T) {
	t.Parallel()
	lg := configured()
	h := handler(t, Config{Store: openStore(t), Login: lg})
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
	if _, finished, _ := lg.calls(); len(finished) != 0 {
		t.Errorf("Finish was called for a mismatched state: %v", finished)
	}
	// The login's own check (a state it never began) reads the same.
	lg.finishErr = fmt.Errorf("wrapped: %w", login.ErrNotStarted)
	req := loginRequest(t, "GET", "/oauth/callback?code=c&state=state-1")
	req.AddCookie(cookie)
	if rec := serveRequest(h, req); rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "This login did not start here") {
		t.Errorf("unknown state at the login: %d", rec.Code)
	}
}

func TestOAuthCallback_SaysWhatGoToSaid(t *testing.T) {
	t.Parallel()
	h := handler(t, Config{Store: openStore(t), Login: configured()})
	cookie := get(t, h, "/login").Result().Cookies()[0]
	req := loginRequest(t, "GET", "/oauth/callback?error=access_denied&error_description=The+user+said+no&state=state-1")
	req.AddCookie(cookie)
	rec := serveRequest(h, req)
	if rec.Code != http.StatusBadRequest {
		t.Errorf("status %d", rec.Code)
	}
	mustContain(t, rec.Body.String(), "GoTo did not log you in", "GoTo said: access_denied (The user said no)")
}

// An error sent to the callback by anyone but GoTo, for a login we did not
// start, is not repeated to the organizer as GoTo's words.
func TestOAuthCallback_ShowsAnErrorOnlyForALoginItStarted(t *testing.T) {
	t.Parallel()
	h := handler(t, Config{Store: openStore(t), Login: configured()})
	rec := get(t, h, "/oauth/callback?error=access_denied&error_description=Call+0800+to+fix+your+account&state=x")
	if rec.Code != http.StatusBadRequest {
		t.Errorf("status %d", rec.Code)
	}
	mustContain(t, rec.Body.String(), "This login did not start here")
	mustNotContain(t, rec.Body.String(), "Call 0800", "fix your account")
}

func TestOAuthCallback_ATokenEndpointRefusalSaysWhatGoToSaid(t *testing.T) {
	t.Parallel()
	lg := configured()
	lg.finishErr = &oauth2.RetrieveError{ErrorCode: "invalid_client", ErrorDescription: "Bad client credentials"}
	h := handler(t, Config{Store: openStore(t), Login: lg})
	cookie := get(t, h, "/login").Result().Cookies()[0]
	req := loginRequest(t, "GET", "/oauth/callback?code=c0de&state=state-1")
	req.AddCookie(cookie)
	rec := serveRequest(h, req)
	if rec.Code != http.StatusBadGateway {
		t.Errorf("status %d, want 502", rec.Code)
	}
	mustContain(t, rec.Body.String(), "GoTo did not log you in",
		"GoTo said: invalid_client (Bad client credentials). Check the OAuth client in Settings, then try again.")
}

func TestSettings_ShowsTheRedirectURIAndOnlyAHintOfTheSecret(t *testing.T) {
	t.Parallel()
	lg := &fakeLogin{client: login.ClientSettings{ClientID: "abc-client", ClientSecretSet: true, ClientSecretHint: "9f2e",
		AuthURL: "https://authentication.logmeininc.com/oauth/authorize", TokenURL: "https://t", APIURL: "https://a"}}
	h := handler(t, Config{Store: openStore(t), Login: lg})
	body := get(t, h, "/settings").Body.String()
	mustContain(t, body, "http://127.0.0.1:7777/oauth/callback", `value="abc-client"`, "saved, ending in …9f2e", "never shown again")

	rec := post(t, h, "/settings", url.Values{"clientId": {"new-id"}, "clientSecret": {"new-secret"}}, nil)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/settings?saved=1" {
		t.Errorf("POST /settings = %d to %q", rec.Code, rec.Header().Get("Location"))
	}
	if _, _, saved := lg.calls(); len(saved) != 1 || saved[0] != "new-id|new-secret" {
		t.Errorf("saved %v", saved)
	}
	mustContain(t, get(t, h, "/settings?saved=1").Body.String(), "Saved.")
}

func TestWebhookButtons_RemoveAndSetUp(t *testing.T) {
	t.Parallel()
	hooks := &fakeWebhooks{}
	h := handler(t, Config{Store: openStore(t), Login: loggedIn(), Webhooks: hooks})
	mustContain(t, get(t, h, "/").Body.String(), `action="/webhooks/setup"`, `action="/webhooks/cleanup"`, "Remove our webhooks at GoTo")
	for _, path := range []string{"/webhooks/cleanup", "/webhooks/setup"} {
		if rec := post(t, h, path, nil, nil); rec.Code != http.StatusSeeOther {
			t.Errorf("POST %s = %d", path, rec.Code)
		}
	}
	if removed, setUp := hooks.calls(); removed != 1 || setUp != 1 {
		t.Errorf("removed %d, set up %d", removed, setUp)
	}
	// Another site cannot press them.
	if rec := post(t, h, "/webhooks/cleanup", nil, map[string]string{"Sec-Fetch-Site": "cross-site"}); rec.Code != http.StatusForbidden {
		t.Errorf("cross-site cleanup = %d", rec.Code)
	}
	if removed, _ := hooks.calls(); removed != 1 {
		t.Errorf("a cross-site cleanup removed the webhooks")
	}
}

func TestWebhookButtons_RemovedWebhooksSaySo(t *testing.T) {
	t.Parallel()
	var removed []reconcile.Hook
	for _, name := range gotowebinar.EventNames() {
		removed = append(removed, reconcile.Hook{EventName: name, Condition: reconcile.Removed})
	}
	hooks := &fakeWebhooks{status: reconcile.Status{Paused: true, Hooks: removed}}
	h := handler(t, Config{Store: openStore(t), Login: loggedIn(), Webhooks: hooks})
	body := get(t, h, "/").Body.String()
	mustContain(t, body, "Not receiving events", "registrant.added",
		`Removed at GoTo at your request. Use &#34;Check and set up webhooks now&#34; to register it again.`,
		`action="/webhooks/setup"`, "Check and set up webhooks now")
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
