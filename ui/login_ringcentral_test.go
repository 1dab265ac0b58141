package ui

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"webinarsync/ringcentral"
	rccatchup "webinarsync/ringcentral/catchup"
	rclogin "webinarsync/ringcentral/login"
	"webinarsync/ringcentral/rcsim"
	rcreconcile "webinarsync/ringcentral/reconcile"
)

// The app's RingCentral credentials, as the stand-in knows them.
const (
	rcClientID     = "app-id"
	rcClientSecret = "app-secret"
)

// rcWorld is the UI on a loopback server over a real store and a real
// RingCentral login, the stand-in on a loopback server of its own, and a
// browser that keeps cookies and follows redirects.
type rcWorld struct {
	sim     *rcsim.Sim
	simURL  string
	lg      *rclogin.Login
	side    *rcSide
	ui      string // the UI's base URL, http://127.0.0.1:<port>
	browser *http.Client
	hops    []*url.URL // every URL the browser was redirected to, in order
	hopsMu  sync.Mutex
}

// newRCWorld builds a world whose login has clientID and clientSecret
// ("" = not set); the stand-in accepts only rcClientID and rcClientSecret.
func newRCWorld(t *testing.T, clientID, clientSecret string) *rcWorld {
	t.Helper()
	sim := rcsim.New(rcsim.Config{ClientID: rcClientID, ClientSecret: rcClientSecret, Empty: true})
	simSrv := httptest.NewServer(sim.Handler())
	t.Cleanup(simSrv.Close)
	st := openStore(t)
	quiet := slog.New(slog.DiscardHandler)
	lg, err := rclogin.New(rclogin.Config{Store: st, Logger: quiet, Endpoints: ringcentral.Endpoints{ServerURL: simSrv.URL},
		HTTPClient: simSrv.Client(), ClientID: clientID, ClientSecret: clientSecret})
	if err != nil {
		t.Fatal(err)
	}
	w := &rcWorld{sim: sim, simURL: simSrv.URL, lg: lg, side: &rcSide{lg: lg}}
	// The listener first: the UI's address is its redirect URI's.
	uiSrv := httptest.NewUnstartedServer(nil)
	s := New(Config{Store: st, Logger: quiet, Addr: uiSrv.Listener.Addr().String(), RingCentral: w.side, RingCentralLogin: lg})
	uiSrv.Config.Handler = s.Handler()
	uiSrv.Start()
	t.Cleanup(uiSrv.Close)
	w.ui = uiSrv.URL
	w.browser = w.newBrowser(t)
	return w
}

// newBrowser is a browser of its own: its own cookies.
func (w *rcWorld) newBrowser(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 10 * time.Second, CheckRedirect: func(r *http.Request, via []*http.Request) error {
		w.hopsMu.Lock()
		w.hops = append(w.hops, r.URL)
		w.hopsMu.Unlock()
		return nil
	}}
}

// visited returns the redirects followed so far whose path is path.
func (w *rcWorld) visited(path string) []*url.URL {
	w.hopsMu.Lock()
	defer w.hopsMu.Unlock()
	var out []*url.URL
	for _, u := range w.hops {
		if u.Path == path {
			out = append(out, u)
		}
	}
	return out
}

// rcPage is a response as the browser ends up with it.
type rcPage struct {
	status int
	url    *url.URL // where the browser ended up
	body   string
}

// do sends req with browser b, following redirects, and reads the answer.
func do(t *testing.T, b *http.Client, req *http.Request) rcPage {
	t.Helper()
	resp, err := b.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return rcPage{status: resp.StatusCode, url: resp.Request.URL, body: string(body)}
}

func (w *rcWorld) get(t *testing.T, b *http.Client, rawURL string) rcPage {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	return do(t, b, req)
}

// postLogout presses "Log out" on the card, with headers as the browser
// sends them.
func (w *rcWorld) postLogout(t *testing.T, form url.Values, header map[string]string) rcPage {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, w.ui+RingCentralLogoutPath, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return do(t, w.browser, req)
}

// logIn does the whole browser login from the card's button.
func (w *rcWorld) logIn(t *testing.T) rcPage {
	t.Helper()
	p := w.get(t, w.browser, w.ui+RingCentralLoginPath)
	if p.status != http.StatusOK || p.url.Path != "/" || p.url.Fragment != "" && p.url.Fragment != "status" {
		t.Fatalf("the login ended at %s with %d: %s", p.url, p.status, p.body)
	}
	if st := w.lg.State(); st.Status != rclogin.LoggedIn {
		t.Fatalf("after the browser login, State() = %+v", st)
	}
	return p
}

// start presses the button but stops at RingCentral's login page, whose
// URL it returns.
func (w *rcWorld) start(t *testing.T) *url.URL {
	t.Helper()
	b := *w.browser
	b.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := b.Get(w.ui + RingCentralLoginPath)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	authURL, err := resp.Location()
	if resp.StatusCode != http.StatusFound || err != nil || !strings.HasPrefix(authURL.String(), w.simURL+"/restapi/oauth/authorize") {
		t.Fatalf("GET %s = %d to %v; want RingCentral's login page", RingCentralLoginPath, resp.StatusCode, authURL)
	}
	return authURL
}

// requests counts the requests that reached the stand-in at path.
func (w *rcWorld) requests(path string) int {
	n := 0
	for _, r := range w.sim.APIRequests() {
		if r.Path == path {
			n++
		}
	}
	return n
}

// rcSide is the RingCentral side as the app composes it (app.ringCentral,
// which ui cannot import), down to the login: nothing subscribed yet. It
// records the login's status at each Cleanup.
type rcSide struct {
	lg       *rclogin.Login
	mu       sync.Mutex
	cleanups []rclogin.Status
}

func (s *rcSide) LoginState() rclogin.State              { return s.lg.State() }
func (s *rcSide) SubscriptionStatus() rcreconcile.Status { return rcreconcile.Status{} }
func (s *rcSide) SyncStatus() rccatchup.Status           { return rccatchup.Status{} }
func (s *rcSide) SyncNow()                               {}
func (s *rcSide) DeliverySummary(time.Time) ringcentral.DeliverySummary {
	return ringcentral.DeliverySummary{}
}

func (s *rcSide) cleanedUp() []rclogin.Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.cleanups)
}

func (s *rcSide) Cleanup(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cleanups = append(s.cleanups, s.lg.State().Status)
	return nil
}

func TestRingCentralLogin_ThroughTheBrowserEndsLoggedIn(t *testing.T) {
	t.Parallel()
	// The organizer may open the UI as localhost: the login hops to the
	// redirect URI's host first, so the state cookie comes back.
	for _, host := range []string{"127.0.0.1", "localhost"} {
		t.Run(host, func(t *testing.T) {
			t.Parallel()
			w := newRCWorld(t, rcClientID, rcClientSecret)
			home := w.get(t, w.browser, w.ui+"/")
			mustContain(t, home.body, "Not logged in to RingCentral.", `href="/login/ringcentral"`, "Log in with RingCentral")
			mustNotContain(t, home.body, `action="/logout/ringcentral"`)

			req, err := http.NewRequest(http.MethodGet, w.ui+RingCentralLoginPath, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Host = strings.Replace(req.URL.Host, "127.0.0.1", host, 1)
			p := do(t, w.browser, req)
			if p.status != http.StatusOK || p.url.Path != "/" || p.url.Fragment != "status" && p.url.Fragment != "" {
				t.Fatalf("the login ended at %s with %d", p.url, p.status)
			}
			mustContain(t, p.body, "Logged in as user "+rcsim.OwnerID, `action="/logout/ringcentral"`, "Log out")
			mustNotContain(t, p.body, `href="/login/ringcentral"`)
			if st := w.lg.State(); st.Status != rclogin.LoggedIn || st.Method != rclogin.MethodBrowser || st.OwnerID != rcsim.OwnerID {
				t.Errorf("State() = %+v, want logged in by browser as %s", st, rcsim.OwnerID)
			}

			if hopped := len(w.visited(RingCentralLoginPath)); hopped != map[string]int{"localhost": 1}[host] {
				t.Errorf("%d hops to the redirect URI's host before RingCentral", hopped)
			}
			auth := w.visited("/restapi/oauth/authorize")
			if len(auth) != 1 {
				t.Fatalf("RingCentral's login page was visited %d times", len(auth))
			}
			q := auth[0].Query()
			if q.Get("redirect_uri") != w.ui+RingCentralCallbackPath || q.Get("code_challenge_method") != "S256" || q.Get("client_id") != rcClientID {
				t.Errorf("the login asked RingCentral for %v; want PKCE S256, our client and %s", q, w.ui+RingCentralCallbackPath)
			}

			var status struct {
				RingCentral RingCentralStatus `json:"ringCentral"`
			}
			api := w.get(t, w.browser, w.ui+"/api/status")
			if err := json.Unmarshal([]byte(api.body), &status); err != nil {
				t.Fatalf("/api/status: %v: %s", err, api.body)
			}
			if status.RingCentral.Login != string(rclogin.LoggedIn) || status.RingCentral.Owner != rcsim.OwnerID {
				t.Errorf("/api/status says RingCentral %+v", status.RingCentral)
			}

			// RingCentral's redirect is good once: replayed, it logs nobody in.
			callbacks := w.visited(RingCentralCallbackPath)
			if len(callbacks) != 1 {
				t.Fatalf("%d callbacks", len(callbacks))
			}
			replay := w.get(t, w.browser, callbacks[0].String())
			if replay.status != http.StatusBadRequest {
				t.Errorf("a replayed callback = %d, want 400", replay.status)
			}
			mustContain(t, replay.body, "This login did not start here")
			if n := w.requests("/restapi/oauth/token"); n != 1 {
				t.Errorf("%d token requests, want the login's one", n)
			}
		})
	}
}

func TestRingCentralCallback_ConsentDeniedSaysSoInPlainWords(t *testing.T) {
	t.Parallel()
	w := newRCWorld(t, rcClientID, rcClientSecret)
	authURL := w.start(t)
	// The stand-in approves at once; a RingCentral organizer who clicks
	// "Deny" is sent back like this.
	back := url.Values{"error": {"access_denied"}, "error_description": {"The user has denied access"},
		"state": {authURL.Query().Get("state")}}
	p := w.get(t, w.browser, w.ui+RingCentralCallbackPath+"?"+back.Encode())
	if p.status != http.StatusBadRequest {
		t.Errorf("a denied login = %d, want 400", p.status)
	}
	mustContain(t, p.body, "RingCentral did not log you in", "You did not allow webinarsync into your RingCentral account, so nothing changed.",
		`href="/login/ringcentral"`, "Log in with RingCentral")
	if st := w.lg.State(); st.Status != rclogin.LoggedOut {
		t.Errorf("State() = %+v, want logged out", st)
	}
	if n := w.requests("/restapi/oauth/token"); n != 0 {
		t.Errorf("%d token requests for a denied login", n)
	}
}

func TestRingCentralCallback_AStaleOrForeignStateOffersToTryAgain(t *testing.T) {
	t.Parallel()
	for name, answer := range map[string]func(t *testing.T, w *rcWorld) rcPage{
		"never started": func(t *testing.T, w *rcWorld) rcPage {
			return w.get(t, w.browser, w.ui+RingCentralCallbackPath+"?code=c0de&state=made-up")
		},
		"started in another browser": func(t *testing.T, w *rcWorld) rcPage {
			// Someone else's login page, followed by this browser to our callback.
			return w.get(t, w.newBrowser(t), w.start(t).String())
		},
		"forgotten by the app (restarted, or ten minutes passed)": func(t *testing.T, w *rcWorld) rcPage {
			cb, err := url.Parse(w.ui + RingCentralCallbackPath)
			if err != nil {
				t.Fatal(err)
			}
			w.browser.Jar.SetCookies(cb, []*http.Cookie{{Name: rcStateCookie(cb.String()), Value: "from-before", Path: RingCentralCallbackPath}})
			return w.get(t, w.browser, cb.String()+"?code=c0de&state=from-before")
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := newRCWorld(t, rcClientID, rcClientSecret)
			p := answer(t, w)
			if p.status != http.StatusBadRequest {
				t.Errorf("callback = %d, want 400", p.status)
			}
			mustContain(t, p.body, "This login did not start here", "in the last ten minutes", `href="/login/ringcentral"`, "Log in with RingCentral")
			if st := w.lg.State(); st.Status != rclogin.LoggedOut {
				t.Errorf("State() = %+v, want logged out", st)
			}
			if n := w.requests("/restapi/oauth/token"); n != 0 {
				t.Errorf("%d token requests for a login not started here", n)
			}
		})
	}
}

func TestRingCentralCallback_ARefusedExchangeSaysRingCentralsReason(t *testing.T) {
	t.Parallel()
	w := newRCWorld(t, rcClientID, "not-the-secret")
	p := w.get(t, w.browser, w.ui+RingCentralLoginPath)
	if p.status != http.StatusBadGateway || p.url.Path != RingCentralCallbackPath {
		t.Errorf("a refused login ended at %s with %d, want 502 at the callback", p.url, p.status)
	}
	mustContain(t, p.body, "RingCentral did not log you in", "RingCentral refused the login: Invalid client credentials.",
		"RINGCENTRAL_CLIENT_SECRET", w.ui+RingCentralCallbackPath)
	if st := w.lg.State(); st.Status != rclogin.LoggedOut {
		t.Errorf("State() = %+v, want logged out", st)
	}
}

func TestRingCentralLogin_WithoutAClientIDSaysWhatToSet(t *testing.T) {
	t.Parallel()
	w := newRCWorld(t, "", "")
	mustNotContain(t, w.get(t, w.browser, w.ui+"/").body, `href="/login/ringcentral"`)
	p := w.get(t, w.browser, w.ui+RingCentralLoginPath)
	if p.status != http.StatusConflict {
		t.Errorf("GET %s without a client id = %d, want 409", RingCentralLoginPath, p.status)
	}
	mustContain(t, p.body, "The RingCentral login is not set up", "RINGCENTRAL_CLIENT_ID", "RINGCENTRAL_CLIENT_SECRET",
		w.ui+RingCentralCallbackPath, "RINGCENTRAL_JWT")
}

// Another site linking to the login must not start one: it would log the
// organizer in to an account of its choosing.
func TestRingCentralLogin_RefusesALoginStartedByAnotherSite(t *testing.T) {
	t.Parallel()
	w := newRCWorld(t, rcClientID, rcClientSecret)
	req, err := http.NewRequest(http.MethodGet, w.ui+RingCentralLoginPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	p := do(t, w.browser, req)
	if p.status != http.StatusForbidden || len(w.visited("/restapi/oauth/authorize")) != 0 {
		t.Errorf("a login started by another site = %d at %s, want 403 before RingCentral", p.status, p.url)
	}
	mustContain(t, p.body, "Another web page tried to start a RingCentral login here")
}

func TestRingCentralLogout_RevokesAndTheCardOffersTheLoginAgain(t *testing.T) {
	t.Parallel()
	w := newRCWorld(t, rcClientID, rcClientSecret)
	home := w.logIn(t)
	mustContain(t, home.body, `action="/logout/ringcentral"`, `name="removeSubscription"`, "also delete our subscription at RingCentral")
	tok, err := w.lg.TokenSource().Token()
	if err != nil {
		t.Fatal(err)
	}

	p := w.postLogout(t, url.Values{"removeSubscription": {"on"}}, map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": w.ui})
	if p.status != http.StatusOK || p.url.Path != "/" {
		t.Fatalf("the logout ended at %s with %d: %s", p.url, p.status, p.body)
	}
	mustContain(t, p.body, "Not logged in to RingCentral.", `href="/login/ringcentral"`, "Log in with RingCentral")
	mustNotContain(t, p.body, `action="/logout/ringcentral"`)
	if st := w.lg.State(); st.Status != rclogin.LoggedOut {
		t.Errorf("State() = %+v, want logged out", st)
	}
	// The box ticked deletes the subscription first, while still logged in.
	if got := w.side.cleanedUp(); !slices.Equal(got, []rclogin.Status{rclogin.LoggedIn}) {
		t.Errorf("Cleanup ran with the login %v, want once, logged in", got)
	}
	// RingCentral no longer takes the token we had.
	if n := w.requests("/restapi/oauth/revoke"); n != 1 {
		t.Errorf("%d revoke requests, want 1", n)
	}
	req, err := http.NewRequest(http.MethodGet, w.simURL+"/webinar/configuration/v1/webinars", nil)
	if err != nil {
		t.Fatal(err)
	}
	tok.SetAuthHeader(req)
	if resp := do(t, http.DefaultClient, req); resp.status != http.StatusUnauthorized {
		t.Errorf("the old token after logout = %d, want 401", resp.status)
	}

	// Unticked, the subscription is left alone.
	w.logIn(t)
	w.postLogout(t, nil, nil)
	if n := len(w.side.cleanedUp()); n != 1 {
		t.Errorf("Cleanup ran %d times, want once (only with the box ticked)", n)
	}
}

func TestRingCentralLogout_RefusesAFormFromAnotherSite(t *testing.T) {
	t.Parallel()
	w := newRCWorld(t, rcClientID, rcClientSecret)
	w.logIn(t)
	p := w.postLogout(t, url.Values{"removeSubscription": {"on"}},
		map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://elsewhere.example"})
	if p.status != http.StatusForbidden {
		t.Errorf("a cross-site logout = %d, want 403", p.status)
	}
	mustContain(t, p.body, "This form was sent from another website")
	if st := w.lg.State(); st.Status != rclogin.LoggedIn {
		t.Errorf("State() = %+v, want still logged in", st)
	}
	if n, cleanups := w.requests("/restapi/oauth/revoke"), w.side.cleanedUp(); n != 0 || len(cleanups) != 0 {
		t.Errorf("a cross-site logout revoked %d times and cleaned up %d times", n, len(cleanups))
	}
}

func TestRingCentralCard_AnExpiredLoginOffersTheLoginAgain(t *testing.T) {
	t.Parallel()
	w := newRCWorld(t, rcClientID, rcClientSecret)
	w.logIn(t)
	w.lg.MarkExpired() // RingCentral refused the access token
	home := w.get(t, w.browser, w.ui+"/")
	mustContain(t, home.body, "Log in again", `Your RingCentral login expired: log in again with &#34;Log in with RingCentral&#34;.`,
		`href="/login/ringcentral"`)
	mustNotContain(t, home.body, `action="/logout/ringcentral"`)
}
