package ngrok

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"webinarsync/gotowebinar"
	"webinarsync/store"
	"webinarsync/tunnel"
)

// TestTunnel_OnlyWebhookPathThroughTunnel serves what the app serves on
// the tunnel, gotowebinar.WebhookHandler, and asks for the UI's paths the
// way an outsider would: through the public URL.
func TestTunnel_OnlyWebhookPathThroughTunnel(t *testing.T) {
	t.Parallel()
	st, err := store.Open(t.TempDir(), store.Options{Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })

	ep := newFakeEndpoint(t, "https://my-name.ngrok-free.app")
	cloud := &fakeCloud{listen: serveOnce(ep)}
	tun := startFake(t, cloud, Config{Domain: "my-name.ngrok-free.app"})

	rcv := gotowebinar.NewReceiver(func() [][]byte { return [][]byte{[]byte("k")} }, st, quietLogger())
	srv := &http.Server{Handler: gotowebinar.WebhookHandler(rcv), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(tun.Listener()) // from before ngrok is online, as the app does
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	public := waitFor(t, tun, "online", phaseIs(tunnel.PhaseOnline)).URL

	// ngrok's edge: every request for the public URL arrives on the endpoint.
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "tcp", ep.Addr().String())
		},
	}}
	do := func(method, path string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(method, strings.Replace(public, "https://", "http://", 1)+path, strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Forwarded-For", "203.0.113.7")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}

	for _, path := range []string{"/", "/api/status", "/events", "/settings", "/login", "/registrants.csv", "/webinars/123/registrants.csv", "/webhooks", "/webhooks/gotowebinar/x"} {
		if code, _ := do(http.MethodGet, path); code != http.StatusNotFound {
			t.Errorf("GET %s through the tunnel = %d, want 404", path, code)
		}
	}
	if code, _ := do(http.MethodPost, "/settings"); code != http.StatusNotFound {
		t.Errorf("POST /settings through the tunnel = %d, want 404", code)
	}
	if code, body := do(http.MethodGet, gotowebinar.WebhookPath); code != http.StatusOK {
		t.Errorf("GET %s through the tunnel = %d %q, want 200", gotowebinar.WebhookPath, code, body)
	}
	// An unsigned POST reaches the receiver, which refuses it.
	if code, _ := do(http.MethodPost, gotowebinar.WebhookPath); code != http.StatusUnauthorized {
		t.Errorf("unsigned POST %s = %d, want 401", gotowebinar.WebhookPath, code)
	}
}
