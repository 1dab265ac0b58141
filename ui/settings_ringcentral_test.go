package ui

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"webinarsync/gotowebinar/login"
	"webinarsync/ringcentral"
	rclogin "webinarsync/ringcentral/login"
	"webinarsync/ringcentral/rcsim"
)

// Credentials long enough to be hinted at; the stand-in accepts only these.
const (
	rcLongSecret = "app-secret-that-must-stay-hidden-7f3a"
	rcLongJWT    = "eyJhbGciOi.payload-that-must-stay-hidden.sig-9c2e"
)

// newRCSettingsWorld is the UI as the app builds it (the GoTo login, and
// the RingCentral side with its settings) over a real store, beside the
// stand-in on loopback. env holds RINGCENTRAL_* values; only the server
// URL is always the environment's (the stand-in's).
func newRCSettingsWorld(t *testing.T, env rclogin.Config) *rcWorld {
	t.Helper()
	sim := rcsim.New(rcsim.Config{ClientID: rcClientID, ClientSecret: rcLongSecret, JWT: rcLongJWT, Empty: true})
	simSrv := httptest.NewServer(sim.Handler())
	t.Cleanup(simSrv.Close)
	st := openStore(t)
	quiet := slog.New(slog.DiscardHandler)
	env.Store, env.Logger, env.HTTPClient = st, quiet, simSrv.Client()
	env.Endpoints = ringcentral.Endpoints{ServerURL: simSrv.URL}
	lg, err := rclogin.New(env)
	if err != nil {
		t.Fatal(err)
	}
	w := &rcWorld{sim: sim, simURL: simSrv.URL, lg: lg, side: &rcSide{lg: lg}}
	// GoTo's client is set, so the home page is shown rather than setup.
	goTo := realLogin(t, st, login.Endpoints{})
	if err := goTo.SaveClientSettings("goto-client", "goto-secret"); err != nil {
		t.Fatal(err)
	}
	uiSrv := httptest.NewUnstartedServer(nil)
	s := New(Config{Store: st, Logger: quiet, Addr: uiSrv.Listener.Addr().String(), Login: goTo,
		RingCentral: w.side, RingCentralLogin: lg, RingCentralSettings: lg})
	uiSrv.Config.Handler = s.Handler()
	uiSrv.Start()
	t.Cleanup(uiSrv.Close)
	w.ui = uiSrv.URL
	w.browser = w.newBrowser(t)
	return w
}

// postRCSettings sends the settings page's RingCentral form, with headers
// as the browser sends them.
func (w *rcWorld) postRCSettings(t *testing.T, form url.Values, header map[string]string) rcPage {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, w.ui+RingCentralSettingsPath, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return do(t, w.browser, req)
}

// sameOrigin is how the browser sends our own pages' forms.
func (w *rcWorld) sameOrigin() map[string]string {
	return map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": w.ui}
}

// mustNotShowSecrets fails if any page or /api/status holds a secret.
func (w *rcWorld) mustNotShowSecrets(t *testing.T, secrets ...string) {
	t.Helper()
	for _, path := range []string{"/", "/settings", "/settings?saved=1", "/setup", "/api/status", "/events", "/deliveries"} {
		p := w.get(t, w.browser, w.ui+path)
		for _, secret := range secrets {
			if strings.Contains(p.body, secret) || strings.Contains(p.body, secret[:12]) {
				t.Errorf("GET %s (%d) shows %q", path, p.status, secret)
			}
		}
	}
}

func TestRingCentralSettings_SavingTheClientOffersTheLoginAndItWorks(t *testing.T) {
	t.Parallel()
	w := newRCSettingsWorld(t, rclogin.Config{})
	home := w.get(t, w.browser, w.ui+"/").body
	mustContain(t, home, `id="status-ringcentral"`, "Not set up", "on the Settings page", `href="/settings#ringcentral"`)
	mustNotContain(t, home, `href="/login/ringcentral"`)
	mustContain(t, w.get(t, w.browser, w.ui+"/settings").body, `id="ringcentral"`, w.ui+RingCentralCallbackPath, `name="clientId"`, `name="jwt"`)

	p := w.postRCSettings(t, url.Values{"clientId": {rcClientID}, "clientSecret": {rcLongSecret}}, w.sameOrigin())
	if p.status != http.StatusOK || p.url.Path != "/settings" || p.url.Query().Get("saved") != "1" {
		t.Fatalf("saving ended at %s with %d: %s", p.url, p.status, p.body)
	}
	mustContain(t, p.body, "Saved.", `id="rcClientId" name="clientId" value="app-id"`, "saved, ending in …7f3a", "never shown again")
	mustContain(t, w.get(t, w.browser, w.ui+"/").body, "Not logged in to RingCentral.", `href="/login/ringcentral"`, "Log in with RingCentral")
	w.logIn(t)
	w.mustNotShowSecrets(t, rcLongSecret)
}

func TestRingCentralSettings_AJWTSavedLogsInRightAwayAndIsNeverShown(t *testing.T) {
	t.Parallel()
	w := newRCSettingsWorld(t, rclogin.Config{})
	p := w.postRCSettings(t, url.Values{"clientId": {rcClientID}, "clientSecret": {rcLongSecret}, "jwt": {rcLongJWT}}, w.sameOrigin())
	if p.status != http.StatusOK || p.url.Path != "/settings" {
		t.Fatalf("saving ended at %s with %d: %s", p.url, p.status, p.body)
	}
	if st := w.lg.State(); st.Status != rclogin.LoggedIn || st.Method != rclogin.MethodJWT {
		t.Errorf("State() after saving a JWT = %+v, want logged in with it", st)
	}
	mustContain(t, p.body, "A JWT credential is saved; it is never shown again.")
	mustContain(t, w.get(t, w.browser, w.ui+"/").body, "with your JWT credential")
	w.mustNotShowSecrets(t, rcLongSecret, rcLongJWT)

	// A JWT RingCentral refuses is saved, and the page says the login failed.
	p = w.postRCSettings(t, url.Values{"clientId": {rcClientID}, "jwt": {"eyJ.forged-credential.0000"}}, w.sameOrigin())
	if p.status != http.StatusBadGateway {
		t.Errorf("saving a refused JWT = %d, want 502", p.status)
	}
	mustContain(t, p.body, "Saved, but the JWT login failed", "RingCentral refused the login")
}

func TestRingCentralSettings_TheEnvironmentWinsAndThePageSaysSo(t *testing.T) {
	t.Parallel()
	const envID = "env-client-id"
	w := newRCSettingsWorld(t, rclogin.Config{ClientID: envID, ClientSecret: rcLongSecret, JWT: rcLongJWT})
	body := w.get(t, w.browser, w.ui+"/settings").body
	mustContain(t, body, `id="rcServerUrl" value="`+w.simURL+`" disabled`, "Set by RINGCENTRAL_SERVER_URL in the environment",
		`id="rcClientId" value="env-client-id" disabled`, "Set by RINGCENTRAL_CLIENT_ID in the environment",
		"Set by RINGCENTRAL_CLIENT_SECRET in the environment", "Set by RINGCENTRAL_JWT in the environment")
	mustNotContain(t, body, `name="jwt"`, `name="serverUrl"`, "Forget the values saved here")
	w.mustNotShowSecrets(t, rcLongSecret, rcLongJWT)

	// What is typed beside the environment is not used.
	w.postRCSettings(t, url.Values{"clientId": {"typed-id"}, "clientSecret": {"typed-secret-0000-0000"}}, w.sameOrigin())
	if s := w.lg.Settings(); s.ClientID != envID || s.ClientSecretHint != "7f3a" {
		t.Errorf("after saving beside the environment, Settings() = %+v", s)
	}
}

func TestRingCentralSettings_RefusesAFormFromAnotherSite(t *testing.T) {
	t.Parallel()
	w := newRCSettingsWorld(t, rclogin.Config{})
	p := w.postRCSettings(t, url.Values{"clientId": {"attacker-app"}, "jwt": {"eyJ.attacker.jwt"}},
		map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://elsewhere.example"})
	if p.status != http.StatusForbidden {
		t.Errorf("a cross-site save = %d, want 403", p.status)
	}
	if s := w.lg.Settings(); s.SetUp() || w.lg.SetUp() {
		t.Errorf("a cross-site save changed the settings: %+v", s)
	}
}

func TestRingCentralSettings_ForgettingThemSaysNotSetUpAgain(t *testing.T) {
	t.Parallel()
	w := newRCSettingsWorld(t, rclogin.Config{})
	w.postRCSettings(t, url.Values{"clientId": {rcClientID}, "clientSecret": {rcLongSecret}}, w.sameOrigin())
	mustContain(t, w.get(t, w.browser, w.ui+"/settings").body, "Forget the values saved here")
	p := w.postRCSettings(t, url.Values{"forget": {"1"}}, w.sameOrigin())
	if p.status != http.StatusOK || w.lg.SetUp() {
		t.Fatalf("forgetting = %d, SetUp() = %v", p.status, w.lg.SetUp())
	}
	mustNotContain(t, p.body, "saved, ending in", "Forget the values saved here")
	mustContain(t, w.get(t, w.browser, w.ui+"/").body, "Not set up", `href="/settings#ringcentral"`)
	// A server URL that is no URL saves nothing.
	if p := w.postRCSettings(t, url.Values{"clientId": {"x"}, "serverUrl": {"not a url"}}, w.sameOrigin()); p.status != http.StatusBadRequest || w.lg.SetUp() {
		t.Errorf("a bad server URL = %d, SetUp() = %v; want 400 and nothing saved", p.status, w.lg.SetUp())
	}
}

// Forgetting the credentials while logged in deletes our subscription
// first (it would deliver to a path that answers 404 from now on) and then
// logs out.
func TestRingCentralSettings_ForgettingThemLogsOutAfterDeletingOurSubscription(t *testing.T) {
	t.Parallel()
	w := newRCSettingsWorld(t, rclogin.Config{})
	w.postRCSettings(t, url.Values{"clientId": {rcClientID}, "clientSecret": {rcLongSecret}, "jwt": {rcLongJWT}}, w.sameOrigin())
	if st := w.lg.State(); st.Status != rclogin.LoggedIn {
		t.Fatalf("State() after saving a JWT = %+v, want logged in", st)
	}
	w.postRCSettings(t, url.Values{"forget": {"1"}}, w.sameOrigin())
	if got := w.side.cleanedUp(); !slices.Equal(got, []rclogin.Status{rclogin.LoggedIn}) {
		t.Errorf("cleanups %v, want one while still logged in", got)
	}
	if st := w.lg.State(); st.Status != rclogin.LoggedOut {
		t.Errorf("State() after forgetting = %+v, want logged out", st)
	}
}
