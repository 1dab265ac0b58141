package login_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"webinarsync/ringcentral"
	"webinarsync/ringcentral/login"
	"webinarsync/ringcentral/rcsim"
)

// Credentials long enough to be hinted at, as the sim knows them.
const (
	longSecret = "app-secret-that-must-stay-hidden-7f3a"
	longJWT    = "eyJhbGciOi.payload-that-must-stay-hidden.sig-9c2e"
)

// newPageEnv starts a sim that accepts clientID with longSecret and
// longJWT, and a login over a real store with no credentials from the
// environment: only the settings page may set them.
func newPageEnv(t *testing.T) (*env, *login.Login) {
	t.Helper()
	sim := rcsim.New(rcsim.Config{ClientID: clientID, ClientSecret: longSecret, JWT: longJWT, Empty: true})
	e := &env{sim: sim, hc: &http.Client{Transport: rcsim.Transport(sim.Handler())}, dir: t.TempDir()}
	e.st = e.open(t)
	t.Cleanup(func() { _ = e.st.Close() })
	return e, mustNew(t, e.pageConfig())
}

// pageConfig is the login's configuration with nothing but the server
// from the environment.
func (e *env) pageConfig() login.Config {
	return login.Config{Store: e.st, Logger: quietLog(), Endpoints: endpoints, HTTPClient: e.hc}
}

func TestSettings_SavedOnThePageLogInWithoutARestart(t *testing.T) {
	t.Parallel()
	e, lg := newPageEnv(t)
	if lg.SetUp() || lg.State().Configured {
		t.Fatal("set up before anything was saved")
	}
	// A wrong secret first: the login uses what is saved at each step.
	if err := lg.SetSettings(login.SettingsUpdate{ClientID: " " + clientID + " ", ClientSecret: "wrong-secret", JWT: longJWT}); err != nil {
		t.Fatal(err)
	}
	if !lg.SetUp() || !lg.State().Configured || !lg.State().JWT {
		t.Fatalf("after saving, SetUp() = %v, State() = %+v", lg.SetUp(), lg.State())
	}
	if err := lg.LogInWithJWT(t.Context()); ringcentral.Classify(err).Kind != ringcentral.ProblemLoginRefused {
		t.Fatalf("LogInWithJWT with a wrong secret = %v, want refused", err)
	}
	if err := lg.SetSettings(login.SettingsUpdate{ClientID: clientID, ClientSecret: longSecret}); err != nil {
		t.Fatal(err)
	}
	logInWithJWT(t, lg) // the JWT saved before is kept
	if s := lg.State(); s.Status != login.LoggedIn || s.Method != login.MethodJWT {
		t.Errorf("State() after the JWT login = %+v", s)
	}
	e.logInByBrowser(t, lg)
	if s := lg.State(); s.Status != login.LoggedIn || s.Method != login.MethodBrowser {
		t.Errorf("State() after the browser login = %+v", s)
	}
}

func TestSettings_NeverShowTheSecretOrTheJWT(t *testing.T) {
	t.Parallel()
	e, lg := newPageEnv(t)
	if err := lg.SetSettings(login.SettingsUpdate{ClientID: clientID, ClientSecret: longSecret, JWT: longJWT}); err != nil {
		t.Fatal(err)
	}
	check := func(when string, s login.Settings) {
		t.Helper()
		want := login.Settings{ClientID: clientID, ClientSecretSet: true, ClientSecretHint: "7f3a", JWTSet: true, JWTHint: "9c2e",
			ServerURL: serverURL, ServerURLFromEnv: true}
		if s != want {
			t.Errorf("%s: Settings() = %+v, want %+v", when, s, want)
		}
		shown := fmt.Sprintf("%#v", s)
		for _, secret := range []string{longSecret, longSecret[:12], longJWT, longJWT[:12]} {
			if strings.Contains(shown, secret) {
				t.Errorf("%s: Settings() holds %q: %s", when, secret, shown)
			}
		}
	}
	check("after saving", lg.Settings())
	// Empty fields keep the saved secret and JWT.
	if err := lg.SetSettings(login.SettingsUpdate{ClientID: clientID}); err != nil {
		t.Fatal(err)
	}
	check("after saving empty fields", lg.Settings())
	e.restart(t)
	lg = mustNew(t, e.pageConfig())
	check("after a restart", lg.Settings())

	// Short ones are not hinted at.
	if err := lg.SetSettings(login.SettingsUpdate{ClientSecret: "0123456789abcde", JWT: "0123456789abcdef"}); err != nil {
		t.Fatal(err)
	}
	if s := lg.Settings(); s.ClientSecretHint != "" || s.JWTHint != "cdef" || s.ClientID != "" {
		t.Errorf("Settings() = %+v; want no hint of a 15-character secret, the JWT's, and the id forgotten", s)
	}
}

func TestSettings_TheEnvironmentWinsAndIsNotSavedOver(t *testing.T) {
	t.Parallel()
	e, pageOnly := newPageEnv(t)
	if err := pageOnly.SetSettings(login.SettingsUpdate{ClientID: "saved-id", ClientSecret: "saved-secret-0000-abcd", JWT: "saved-jwt-0000-0000-wxyz"}); err != nil {
		t.Fatal(err)
	}
	c := e.pageConfig()
	c.ClientID, c.ClientSecret, c.JWT = clientID, longSecret, longJWT
	lg := mustNew(t, c)
	s := lg.Settings()
	if !s.ClientIDFromEnv || !s.ClientSecretFromEnv || !s.JWTFromEnv || s.ClientID != clientID || s.ClientSecretHint != "7f3a" || s.JWTHint != "9c2e" {
		t.Errorf("Settings() = %+v; want the environment's", s)
	}
	logInWithJWT(t, lg) // the sim knows only the environment's
	authURL, err := lg.Start(redirectURI)
	if err != nil {
		t.Fatal(err)
	}
	if q := query(t, authURL); q.Get("client_id") != clientID {
		t.Errorf("the browser login starts with client %q, want the environment's", q.Get("client_id"))
	}
	// Saving writes none of what the environment sets.
	if err := lg.SetSettings(login.SettingsUpdate{ClientID: "typed-id", ClientSecret: "typed-secret", JWT: "typed-jwt"}); err != nil {
		t.Fatal(err)
	}
	if err := lg.SetSettings(login.SettingsUpdate{Forget: true}); err != nil {
		t.Fatal(err)
	}
	if s := lg.Settings(); s.ClientID != clientID || !s.JWTSet || !lg.SetUp() {
		t.Errorf("forgetting the page's values changed the environment's: %+v", s)
	}
	if s := pageOnly.Settings(); s.ClientID != "saved-id" || s.ClientSecretHint != "abcd" || s.JWTHint != "wxyz" {
		t.Errorf("what is saved became %+v; want the page's values kept", s)
	}
}

func TestSettings_ForgettingThemEndsTheSetUp(t *testing.T) {
	t.Parallel()
	_, lg := newPageEnv(t)
	if err := lg.SetSettings(login.SettingsUpdate{ClientID: clientID, ClientSecret: longSecret, JWT: longJWT}); err != nil {
		t.Fatal(err)
	}
	if err := lg.SetSettings(login.SettingsUpdate{Forget: true}); err != nil {
		t.Fatal(err)
	}
	if s := lg.Settings(); lg.SetUp() || s.SetUp() || s != (login.Settings{ServerURL: serverURL, ServerURLFromEnv: true}) {
		t.Errorf("after forgetting, SetUp() = %v, Settings() = %+v", lg.SetUp(), s)
	}
	if _, err := lg.Start(redirectURI); !errors.Is(err, login.ErrNoClient) {
		t.Errorf("Start after forgetting = %v, want ErrNoClient", err)
	}
	// A JWT alone is set up too: it is what RingCentral is served for.
	if err := lg.SetSettings(login.SettingsUpdate{JWT: longJWT}); err != nil {
		t.Fatal(err)
	}
	if !lg.SetUp() {
		t.Error("a JWT alone is not set up")
	}
}

func TestSettings_TheSavedServerURLIsUsedFromTheNextStart(t *testing.T) {
	t.Parallel()
	e, _ := newPageEnv(t)
	c := e.pageConfig()
	c.Endpoints = ringcentral.Endpoints{} // no RINGCENTRAL_SERVER_URL
	lg := mustNew(t, c)
	if s := lg.Settings(); s.ServerURL != ringcentral.DefaultServerURL || s.ServerURLFromEnv || s.SavedServerURL != "" {
		t.Errorf("Settings() with nothing saved = %+v; want RingCentral's own server", s)
	}
	for _, bad := range []string{"platform.devtest.ringcentral.com", "ftp://x.example", "https://", "https://u:p@x.example"} {
		if err := lg.SetSettings(login.SettingsUpdate{ClientID: "id", ServerURL: bad}); !errors.Is(err, login.ErrBadServerURL) {
			t.Errorf("SetSettings with server URL %q = %v, want ErrBadServerURL", bad, err)
		}
	}
	if lg.SetUp() {
		t.Error("a refused server URL saved the rest of the form")
	}
	const sandbox = "https://platform.devtest.ringcentral.com"
	if err := lg.SetSettings(login.SettingsUpdate{ServerURL: sandbox + "/"}); err != nil {
		t.Fatal(err)
	}
	if s := lg.Settings(); s.ServerURL != ringcentral.DefaultServerURL || s.SavedServerURL != sandbox {
		t.Errorf("Settings() after saving = %+v; want the sandbox saved, RingCentral's own in use", s)
	}
	if got := mustNew(t, c).Endpoints().APIBase(); got != sandbox {
		t.Errorf("the next start talks to %q, want %q", got, sandbox)
	}
	// RINGCENTRAL_SERVER_URL wins, and is not saved over.
	if err := lg.SetSettings(login.SettingsUpdate{}); err != nil {
		t.Fatal(err)
	}
	env := mustNew(t, e.pageConfig())
	if err := env.SetSettings(login.SettingsUpdate{ServerURL: sandbox}); err != nil {
		t.Fatal(err)
	}
	if got := mustNew(t, c).Endpoints().APIBase(); got != ringcentral.DefaultServerURL {
		t.Errorf("saving beside RINGCENTRAL_SERVER_URL saved %q", got)
	}
}
