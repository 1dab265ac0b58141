package login_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"testing"

	"webinarsync/ringcentral"
	"webinarsync/ringcentral/login"
	"webinarsync/ringcentral/rcsim"
	"webinarsync/store"
)

// Where the sim and our callback answer; nothing leaves the process.
const (
	serverHost   = "platform.rcsim.test"
	serverURL    = "https://" + serverHost
	callbackHost = "127.0.0.1:7777"
	redirectURI  = "http://" + callbackHost + "/oauth/ringcentral/callback"
)

// The app's credentials, as the sim knows them.
const (
	clientID      = "app-id"
	clientSecret  = "app-secret"
	jwtCredential = "eyJ.good.jwt"
)

var endpoints = ringcentral.Endpoints{ServerURL: serverURL}

func quietLog() *slog.Logger { return slog.New(slog.DiscardHandler) }

// env is a sim and a real store, talking in memory, so a test may run in
// a synctest bubble.
type env struct {
	sim *rcsim.Sim
	hc  *http.Client // reaches the sim, as the app's HTTP client would
	dir string
	st  *store.Store
}

// newEnv starts a sim that accepts our app and jwtCredential.
func newEnv(t *testing.T, cfg rcsim.Config) *env {
	t.Helper()
	cfg.ClientID, cfg.ClientSecret, cfg.JWT = clientID, clientSecret, jwtCredential
	sim := rcsim.New(cfg)
	e := &env{sim: sim, hc: &http.Client{Transport: rcsim.Transport(sim.Handler())}, dir: t.TempDir()}
	e.st = e.open(t)
	t.Cleanup(func() { _ = e.st.Close() })
	return e
}

func (e *env) open(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(e.dir, store.Options{Logger: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// restart closes the store and opens it again, as a new run of the app.
func (e *env) restart(t *testing.T) {
	t.Helper()
	if err := e.st.Close(); err != nil {
		t.Fatal(err)
	}
	e.st = e.open(t)
}

// config is the app's configuration of the login; jwt "" is no
// RINGCENTRAL_JWT.
func (e *env) config(jwt string) login.Config {
	return login.Config{Store: e.st, Logger: quietLog(), Endpoints: endpoints, HTTPClient: e.hc,
		ClientID: clientID, ClientSecret: clientSecret, JWT: jwt}
}

func (e *env) newLogin(t *testing.T, jwt string) *login.Login {
	t.Helper()
	return mustNew(t, e.config(jwt))
}

func mustNew(t *testing.T, c login.Config) *login.Login {
	t.Helper()
	lg, err := login.New(c)
	if err != nil {
		t.Fatal(err)
	}
	return lg
}

// client is the API client the app builds on the login.
func (e *env) client(lg *login.Login) *ringcentral.Client {
	return ringcentral.NewClient(lg.Endpoints().APIBase(), lg.TokenSource(), ringcentral.WithHTTPClient(lg.HTTPClient()))
}

// tokenRequests counts the requests the sim's token endpoint got.
func (e *env) tokenRequests() int {
	n := 0
	for _, r := range e.sim.APIRequests() {
		if r.Path == "/restapi/oauth/token" {
			n++
		}
	}
	return n
}

// finishFunc is what our callback does with RingCentral's redirect.
type finishFunc func(ctx context.Context, state, code string) error

// browse follows authURL as a browser would: to the sim's authorize page,
// which approves at once, and back to our callback, which finishes the
// login with finish. It returns finish's error.
func (e *env) browse(t *testing.T, authURL string, finish finishFunc) error {
	t.Helper()
	var (
		called bool
		err    error
	)
	callback := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if r.URL.Path != "/oauth/ringcentral/callback" || q.Get("error") != "" {
			t.Errorf("RingCentral redirected to %s", r.URL)
		}
		called, err = true, finish(r.Context(), q.Get("state"), q.Get("code"))
		w.WriteHeader(http.StatusNoContent)
	})
	browser := &http.Client{Transport: rcsim.Transport(byHost{serverHost: e.sim.Handler(), callbackHost: callback})}
	resp, gerr := browser.Get(authURL)
	if gerr != nil {
		t.Fatalf("the browser: %v", gerr)
	}
	resp.Body.Close()
	if !called {
		t.Fatalf("the browser never came back to the callback: %s at %s", resp.Status, resp.Request.URL)
	}
	return err
}

// logInByBrowser does the whole browser login, failing the test if it fails.
func (e *env) logInByBrowser(t *testing.T, lg *login.Login) {
	t.Helper()
	authURL, err := lg.Start(redirectURI)
	if err != nil {
		t.Fatalf("Start = %v", err)
	}
	if err := e.browse(t, authURL, lg.Finish); err != nil {
		t.Fatalf("Finish = %v", err)
	}
}

func logInWithJWT(t *testing.T, lg *login.Login) {
	t.Helper()
	if err := lg.LogInWithJWT(t.Context()); err != nil {
		t.Fatalf("LogInWithJWT = %v", err)
	}
}

// byHost serves each host with its own handler, as the internet would.
type byHost map[string]http.Handler

func (b byHost) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h, ok := b[r.Host]
	if !ok {
		http.Error(w, "no such host", http.StatusBadGateway)
		return
	}
	h.ServeHTTP(w, r)
}

// signalled reports whether ch holds a signal, taking it.
func signalled(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

func query(t *testing.T, raw string) url.Values {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}
