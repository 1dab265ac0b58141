package ui

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"webinarsync/gotowebinar"
	"webinarsync/gotowebinar/login"
	"webinarsync/store"
)

// realLogin is the real GoTo login over st, as the app builds it.
func realLogin(t *testing.T, st *store.Store, ep login.Endpoints) *login.Login {
	t.Helper()
	lg, err := login.New(login.Config{Store: st, Endpoints: ep})
	if err != nil {
		t.Fatalf("login.New: %v", err)
	}
	return lg
}

func TestSettings_PageNeverShowsTheFullSecret(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	lg := realLogin(t, st, login.Endpoints{})
	const secret = "s3cr3t-value-that-must-stay-hidden-7f3a"
	if lg.State().Configured {
		t.Fatal("configured without a client")
	}
	h := handler(t, Config{Store: st, Login: lg})

	if rec := post(t, h, "/settings", url.Values{"clientId": {"my-client"}, "clientSecret": {secret}}, nil); rec.Code != http.StatusSeeOther {
		t.Fatalf("POST /settings = %d: %s", rec.Code, rec.Body)
	}
	if !lg.State().Configured {
		t.Error("not configured after saving a client id and secret")
	}
	// An empty secret keeps the saved one.
	if rec := post(t, h, "/settings", url.Values{"clientId": {"my-client"}, "clientSecret": {""}}, nil); rec.Code != http.StatusSeeOther {
		t.Fatalf("POST /settings = %d: %s", rec.Code, rec.Body)
	}
	if cs := realLogin(t, st, login.Endpoints{}).ClientSettings(); !cs.ClientSecretSet || cs.ClientSecretHint != "7f3a" {
		t.Errorf("after saving an empty secret: %+v; want the saved one kept", cs)
	}

	for _, path := range []string{"/settings", "/settings?saved=1", "/setup", "/?skipsetup=1"} {
		rec := get(t, h, path)
		body := rec.Body.String()
		if rec.Code != http.StatusOK || strings.Contains(body, secret) || strings.Contains(body, secret[:12]) {
			t.Errorf("GET %s (status %d) shows the secret", path, rec.Code)
		}
	}
	mustContain(t, get(t, h, "/settings").Body.String(),
		"http://127.0.0.1:7777/oauth/callback", `value="my-client"`, "saved, ending in …7f3a", "never shown again",
		gotowebinar.DefaultAuthURL, gotowebinar.DefaultTokenURL, gotowebinar.DefaultAPIURL)
}

func TestSettings_EnvironmentOverridesSavedValues(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	if err := realLogin(t, st, login.Endpoints{}).SaveClientSettings("saved-id", "saved-secret"); err != nil {
		t.Fatal(err)
	}
	const envSecret = "env-secret-0123456789"
	lg := realLogin(t, st, login.Endpoints{ClientID: "env-id", ClientSecret: envSecret,
		AuthURL: "https://auth.example/oauth/authorize", TokenURL: "https://auth.example/oauth/token", APIURL: "https://api.example/G2W/rest/v2"})
	if s := lg.ClientSettings(); !s.ClientIDFromEnv || !s.ClientSecretFromEnv || s.ClientID != "env-id" || s.ClientSecretHint != "6789" {
		t.Errorf("ClientSettings() = %+v", s)
	}
	h := handler(t, Config{Store: st, Login: lg})

	// A login starts with the environment's client.
	rec := get(t, h, "/login")
	if loc := rec.Header().Get("Location"); rec.Code != http.StatusFound ||
		!strings.HasPrefix(loc, "https://auth.example/oauth/authorize?") || !strings.Contains(loc, "client_id=env-id") {
		t.Errorf("GET /login = %d to %q; want GoTo's login with the environment's client", rec.Code, loc)
	}

	// Saving does not overwrite with, or store, what the environment sets.
	if rec := post(t, h, "/settings", url.Values{"clientId": {"typed-id"}, "clientSecret": {"typed-secret-0123456789"}}, nil); rec.Code != http.StatusSeeOther {
		t.Fatalf("POST /settings = %d: %s", rec.Code, rec.Body)
	}
	if s := realLogin(t, st, login.Endpoints{}).ClientSettings(); s.ClientID != "saved-id" || s.ClientSecretHint != "" {
		t.Errorf("what is saved became %+v; want the saved-id and saved-secret kept", s)
	}

	body := get(t, h, "/settings").Body.String()
	mustContain(t, body, `value="env-id" disabled`, "Set by GOTO_CLIENT_ID in the environment",
		"Set by GOTO_CLIENT_SECRET in the environment", "https://api.example/G2W/rest/v2")
	mustNotContain(t, body, envSecret, "saved-id", "saved-secret", "typed-", `name="clientId"`, `name="clientSecret"`)
}
