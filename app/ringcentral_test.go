package app

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"webinarsync/ui"
)

// The demo runs RingCentral's stand-in beside GoTo's simulator: the app
// logs in with the JWT credential, subscribes after the handshake through
// the same tunnel, and RingCentral's notifications are stored and listed.
func TestDemo_RingCentralSubscribesAndItsEventsAreStored(t *testing.T) {
	t.Parallel()
	app := start(t, Config{DataDir: t.TempDir(), Demo: true, DemoInterval: 20 * time.Millisecond})
	var rc ui.RingCentralStatus
	waitFor(t, "RingCentral's subscription and its first events", func() bool {
		rc = ringCentralStatus(t, app.uiURL)
		return rc.Subscribed && rc.LastHour.Stored >= 2
	})
	if rc.Login != "logged_in" || !strings.HasSuffix(rc.WebhookURL, "/webhooks/ringcentral") || rc.LastHour.Handshakes < 1 {
		t.Errorf("RingCentral status %+v, want logged in, one handshake at least, delivering to /webhooks/ringcentral", rc)
	}
	if rc.LastDelivery.IsZero() {
		t.Error("the RingCentral status has no last delivery after events were stored")
	}
	if rc.LastHour.Refused != 0 || rc.Refusal != nil {
		t.Errorf("RingCentral deliveries were refused: %+v", rc.Refusal)
	}
	// A forged delivery, without our token, is refused and recorded where
	// the organizer looks: the Deliveries page and the card's last refusal.
	forged := `{"uuid":"forged-1","event":"/webinar/registration/v1/company/sessions/registrants","body":{"id":"1"}}`
	req, _ := http.NewRequest(http.MethodPost, rc.WebhookURL, strings.NewReader(forged))
	req.Header.Set("Verification-Token", "not-ours")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a forged RingCentral delivery got %d, want 401", resp.StatusCode)
	}
	waitFor(t, "the forged delivery on the Deliveries page", func() bool {
		_, page := get(t, app.uiURL+"deliveries")
		return strings.Contains(page, "RingCentral: refused: its verification token is not ours")
	})
	if r := ringCentralStatus(t, app.uiURL).Refusal; r == nil || r.Reason != "its verification token is not ours" {
		t.Errorf("the RingCentral card's last refusal is %+v", r)
	}
	code, page := get(t, app.uiURL+"events")
	if code != http.StatusOK || !strings.Contains(page, "RingCentral: someone registered") {
		t.Errorf("the event log (%d) does not list RingCentral's registrations", code)
	}
	// RingCentral sends no join event: the joins of its running session
	// come from reading its participants, right after the login.
	waitFor(t, "a RingCentral join read from the participants", func() bool {
		_, page := get(t, app.uiURL+"events")
		return strings.Contains(page, "RingCentral: someone joined")
	})
	// Its webinars are listed beside GoTo's, each saying whose it is, and
	// a RingCentral board shows RingCentral's subscription, not GoTo's webhooks.
	var board string
	waitFor(t, "a RingCentral webinar on the home page", func() bool {
		_, home := get(t, app.uiURL)
		_, rest, ok := strings.Cut(home, `href="/webinars/ringcentral:`)
		if !ok {
			return false
		}
		key, _, _ := strings.Cut(rest, `"`)
		board = "webinars/ringcentral:" + strings.TrimSuffix(key, "/live") + "/live"
		return strings.Contains(home, `<span class="provider">RingCentral</span>`) && strings.Contains(home, `<span class="provider">GoTo</span>`)
	})
	if code, page := get(t, app.uiURL+board); code != http.StatusOK || !strings.Contains(page, "RingCentral subscription") ||
		!strings.Contains(page, "RingCentral sends no event when someone joins") {
		t.Errorf("the RingCentral board %s (%d) does not show RingCentral's subscription and polling", board, code)
	}
}

func ringCentralStatus(t *testing.T, uiURL string) ui.RingCentralStatus {
	t.Helper()
	resp, err := http.Get(uiURL + "api/status")
	if err != nil {
		t.Fatalf("GET /api/status: %v", err)
	}
	defer resp.Body.Close()
	var s struct {
		RingCentral *ui.RingCentralStatus `json:"ringCentral"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		t.Fatalf("decoding /api/status: %v", err)
	}
	if s.RingCentral == nil {
		t.Fatal("/api/status has no ringCentral in the demo")
	}
	return *s.RingCentral
}
