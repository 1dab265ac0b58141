package app

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"webinarsync/gotowebinar"
	"webinarsync/ringcentral"
)

// answer is what the webhook listener says to a request, in full.
type answer struct {
	status      int
	contentType string
	body        string
	token       string // the Validation-Token echoed
}

func ask(t *testing.T, method, url string, header map[string]string) answer {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{resp.StatusCode, resp.Header.Get("Content-Type"), string(b), resp.Header.Get("Validation-Token")}
}

// postSettings sends the settings page's RingCentral form as our own page does.
func postSettings(t *testing.T, uiURL string, form url.Values) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, uiURL+"settings/ringcentral", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/settings" {
		t.Fatalf("saving the RingCentral settings ended at %s with %d", resp.Request.URL, resp.StatusCode)
	}
}

// RingCentral's webhook path exists only while RingCentral is set up: set
// up on the settings page, it answers the handshake; cleared, it is a 404
// exactly like a path nobody serves.
func TestWebhookListener_ServesRingCentralOnlyWhileItIsSetUp(t *testing.T) {
	t.Parallel()
	app := start(t, Config{DataDir: t.TempDir(), WebhookSecret: "s"})
	base := strings.TrimSuffix(getStatus(t, app.uiURL).WebhookURL, gotowebinar.WebhookPath)
	handshake := map[string]string{"Validation-Token": "vt-123"}
	unknown := ask(t, http.MethodPost, base+"/webhooks/nobody", handshake)
	if unknown.status != http.StatusNotFound {
		t.Fatalf("an unknown path = %d, want 404", unknown.status)
	}
	notServed := func(when string) {
		t.Helper()
		for _, m := range []string{http.MethodGet, http.MethodPost} {
			if got := ask(t, m, base+ringcentral.WebhookPath, handshake); got != (answer{unknown.status, unknown.contentType, unknown.body, ""}) {
				t.Errorf("%s: %s %s = %+v, want the unknown path's %+v", when, m, ringcentral.WebhookPath, got, unknown)
			}
		}
	}
	notServed("with nothing set up")
	if rc := ringCentralStatus(t, app.uiURL); rc.SetUp || !strings.HasPrefix(rc.LoginWords, "Not set up") {
		t.Errorf("/api/status ringCentral = %+v, want not set up", rc)
	}

	postSettings(t, app.uiURL, url.Values{"clientId": {"page-client"}, "clientSecret": {"page-secret-0000-0000"}})
	if got := ask(t, http.MethodPost, base+ringcentral.WebhookPath, handshake); got.status != http.StatusOK || got.token != "vt-123" {
		t.Errorf("the handshake once set up = %+v, want 200 with the token echoed", got)
	}
	if rc := ringCentralStatus(t, app.uiURL); !rc.SetUp || rc.Login != "logged_out" {
		t.Errorf("/api/status ringCentral after saving = %+v, want set up, logged out", rc)
	}

	postSettings(t, app.uiURL, url.Values{"forget": {"1"}})
	notServed("after clearing the settings")
}
