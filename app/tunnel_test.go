package app

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestTunnelKind_AutoIsNgrokUnlessDemoOrOwnPublicURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		cfg  Config
		want string
	}{
		{Config{Tunnel: TunnelAuto}, TunnelNgrok},
		{Config{Tunnel: TunnelAuto, Demo: true}, TunnelLocal},
		{Config{Tunnel: TunnelAuto, PublicURL: "https://hooks.example.com"}, TunnelLocal},
		{Config{Tunnel: TunnelLocal}, TunnelLocal},
		{Config{Tunnel: ""}, TunnelLocal},
		{Config{Tunnel: TunnelNgrok, Demo: true}, TunnelNgrok},
	}
	for _, tt := range tests {
		if got := tunnelKind(tt.cfg); got != tt.want {
			t.Errorf("tunnelKind(%+v) = %q, want %q", tt.cfg, got, tt.want)
		}
	}
}

// Without a token the app still starts, serves its UI, and says plainly
// that live events need NGROK_AUTHTOKEN. No call reaches ngrok.
func TestRun_NgrokWithoutTokenStartsAndNamesTheVariable(t *testing.T) {
	t.Parallel()
	app := start(t, Config{DataDir: t.TempDir(), Tunnel: TunnelNgrok})
	resp, err := http.Get(app.uiURL + "api/status")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var s struct {
		Tunnel struct{ Kind, State, Error, URL string } `json:"tunnel"`
	}
	if err := jsonDecode(resp, &s); err != nil {
		t.Fatal(err)
	}
	if s.Tunnel.Kind != "ngrok" || s.Tunnel.State != "off" || s.Tunnel.URL != "" {
		t.Errorf("tunnel = %+v, want ngrok off without URL", s.Tunnel)
	}
	if !strings.Contains(s.Tunnel.Error, "NGROK_AUTHTOKEN") || !strings.Contains(s.Tunnel.Error, "dashboard.ngrok.com") {
		t.Errorf("tunnel error %q does not name NGROK_AUTHTOKEN and the dashboard", s.Tunnel.Error)
	}
	if code, home := get(t, app.uiURL); code != http.StatusOK || !strings.Contains(home, "NGROK_AUTHTOKEN") {
		t.Errorf("home page (%d) does not say live events need NGROK_AUTHTOKEN", code)
	}
}

// The settings page keeps the ngrok token and domain, never shows the
// token whole, and lets the environment win.
func TestNgrokSettings_RoundTripNeverShowsTheToken(t *testing.T) {
	t.Parallel()
	const token = "2abcdefghijklmnopqrstuvwxyz_SECRETTOKEN_9"
	dir := t.TempDir()
	app := start(t, Config{DataDir: dir})
	form := url.Values{"authtoken": {token}, "domain": {"quiet-fox.ngrok-free.app"}}
	req, _ := http.NewRequest(http.MethodPost, app.uiURL+"settings/ngrok", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /settings/ngrok = %d, want 303", resp.StatusCode)
	}
	_, page := get(t, app.uiURL+"settings")
	if strings.Contains(page, token) || strings.Contains(page, "SECRETTOKEN") {
		t.Error("the settings page shows the ngrok token")
	}
	if !strings.Contains(page, "quiet-fox.ngrok-free.app") || !strings.Contains(page, "A token is saved") {
		t.Error("the settings page does not show the saved domain and that a token is saved")
	}
	app.shutdown(t)

	// Saved values survive a restart; the environment wins over them.
	ns := &ngrokSettings{store: openTestStore(t, dir), envToken: "env-token-1234567890", log: quietLog()}
	cfg, err := ns.config()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Authtoken != "env-token-1234567890" || cfg.Domain != "quiet-fox.ngrok-free.app" {
		t.Errorf("config = token %q domain %q, want the environment's token and the saved domain", cfg.Authtoken, cfg.Domain)
	}
	if s := ns.NgrokSettings(); !s.TokenFromEnv || strings.Contains(s.TokenHint, "1234567890") {
		t.Errorf("settings view %+v reveals the token or hides that it comes from the environment", s)
	}
}

func jsonDecode(resp *http.Response, v any) error { return json.NewDecoder(resp.Body).Decode(v) }

func TestRun_RefusesAUIAddressOtherMachinesCouldReach(t *testing.T) {
	t.Parallel()
	for _, addr := range []string{"0.0.0.0:0", "192.0.2.1:7777", ":7777"} {
		err := Run(t.Context(), Config{Addr: addr, DataDir: t.TempDir(), Logger: quietLog()})
		if err == nil || !strings.Contains(err.Error(), "only listens on this computer") {
			t.Errorf("Run with -addr %s = %v, want a refusal in words", addr, err)
		}
	}
	for _, addr := range []string{"127.0.0.1:0", "[::1]:0", "localhost:0"} {
		if err := loopbackOnly(addr); err != nil {
			t.Errorf("loopbackOnly(%s) = %v", addr, err)
		}
	}
}
