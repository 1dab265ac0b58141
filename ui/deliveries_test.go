package ui

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"webinarsync/gotowebinar"
	"webinarsync/gotowebinar/reconcile"
	"webinarsync/tunnel"
)

// Refused deliveries are seen on the home page and in /api/status, not
// only in a log; when webhooks are active but every delivery fails the
// signature, the page says so in red and offers to renew the signing key.
func TestHome_SaysWhenDeliveriesKeepFailingTheSignature(t *testing.T) {
	t.Parallel()
	seen := &gotowebinar.Deliveries{}
	seen.Observe(gotowebinar.Outcome{At: testNow.Add(-5 * time.Minute), Result: gotowebinar.Stored})
	for i := range 3 {
		seen.Observe(gotowebinar.Outcome{At: testNow.Add(time.Duration(i-3) * time.Minute), Result: gotowebinar.Refused, Check: gotowebinar.ErrBadSignature})
	}
	hooks := &fakeWebhooks{status: reconcile.Status{Hooks: []reconcile.Hook{activeHook("registrant.added", "w1", "https://x.example"+gotowebinar.WebhookPath)}}}
	h := handler(t, Config{Store: openStore(t), Login: loggedIn(), Webhooks: hooks, Deliveries: seen,
		Tunnel: func() tunnel.State {
			return tunnel.State{Kind: "ngrok", Phase: tunnel.PhaseOnline, URL: "https://x.example"}
		}})

	body := get(t, h, "/").Body.String()
	mustContain(t, body, "ready ready-warn", "every delivery fails the signature check with every key on file",
		`action="/webhooks/renew-key"`, "Renew the signing key", "Last hour: 1 stored, 3 refused",
		"its signature matches none of the keys on file")

	var status struct {
		Deliveries DeliveryStatus `json:"deliveries"`
	}
	rec := get(t, h, "/api/status")
	if err := json.Unmarshal(rec.Body.Bytes(), &status); err != nil {
		t.Fatal(err)
	}
	d := status.Deliveries
	if !d.SignatureFailing || d.LastHour.Refused != 3 || d.LastHour.Stored != 1 || d.LastRefusal == nil ||
		d.LastRefusal.Result != "refused" || d.LastRefusal.Reason != "its signature matches none of the keys on file" {
		t.Errorf("/api/status deliveries = %+v", d)
	}

	if rec := post(t, h, "/webhooks/renew-key", nil, nil); rec.Code != http.StatusSeeOther || hooks.renewed != 1 {
		t.Errorf("POST /webhooks/renew-key = %d, %d renewals", rec.Code, hooks.renewed)
	}
	hooks.renewErr = reconcile.ErrKeyFromEnvironment
	if rec := post(t, h, "/webhooks/renew-key", nil, nil); rec.Code != http.StatusBadGateway {
		t.Errorf("renewing with the key from the environment = %d", rec.Code)
	} else {
		mustContain(t, rec.Body.String(), "WEBINARSYNC_WEBHOOK_SECRET")
	}

	// Once a delivery verifies again, the alarm and its button go.
	seen.Observe(gotowebinar.Outcome{At: testNow, Result: gotowebinar.Stored})
	body = get(t, h, "/").Body.String()
	mustNotContain(t, body, "every delivery fails the signature check", "Renew the signing key")
	mustContain(t, body, "Last refused")
}
