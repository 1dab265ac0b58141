package app

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"webinarsync/gotowebinar"
)

// Three badly signed POSTs, tried as a new user would, leave a trace in
// /api/status with their reason, not only WARN lines in a terminal.
func TestRun_RefusedDeliveriesShowInTheStatus(t *testing.T) {
	t.Parallel()
	app := start(t, Config{DataDir: t.TempDir(), WebhookSecret: hostileSecret})
	hook := getStatus(t, app.uiURL).WebhookURL
	for i := range 3 {
		body, ts, _ := signedRegistrant(hostileSecret, i)
		req, _ := http.NewRequest(http.MethodPost, hook, bytes.NewReader(body))
		req.Header.Set(gotowebinar.HeaderSignatureTimestamp, ts)
		req.Header.Set(gotowebinar.HeaderSignature, gotowebinar.Sign([]byte("not-our-key"), ts, body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("a badly signed delivery: %d", resp.StatusCode)
		}
	}
	resp, err := http.Get(app.uiURL + "api/status")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st struct {
		Deliveries struct {
			LastHour struct {
				Refused int `json:"refused"`
			} `json:"lastHour"`
			LastRefusal *struct {
				Reason string `json:"reason"`
			} `json:"lastRefusal"`
			SignatureFailing bool `json:"signatureFailing"`
		} `json:"deliveries"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	d := st.Deliveries
	if d.LastHour.Refused != 3 || !d.SignatureFailing || d.LastRefusal == nil || d.LastRefusal.Reason != "its signature matches none of the keys on file" {
		t.Errorf("/api/status deliveries = %+v", d)
	}
}
