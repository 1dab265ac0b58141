package ui

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"webinarsync/gotowebinar/reconcile"
	"webinarsync/store"
	"webinarsync/tunnel"
)

func TestStatusAPI_JSONShape(t *testing.T) {
	t.Parallel()
	t.Run("logged out, no tunnel, no events", func(t *testing.T) {
		t.Parallel()
		rec := get(t, handler(t, Config{Store: openStore(t)}), "/api/status")
		if rec.Code != http.StatusOK {
			t.Fatalf("status = %d, want 200", rec.Code)
		}
		if ct := rec.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
			t.Errorf("Content-Type = %q", ct)
		}
		var got map[string]json.RawMessage
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatalf("body is not a JSON object: %v\n%s", err, rec.Body)
		}
		for _, key := range []string{"demo", "login", "tunnel", "webhooks", "counts", "lastDelivery", "secretKeys", "webhookURL"} {
			if _, ok := got[key]; !ok {
				t.Errorf("no %q in %s", key, rec.Body)
			}
		}
		want := map[string]string{
			"demo":         `false`,
			"login":        `{"state":"logged_out"}`,
			"lastDelivery": `null`,
			"secretKeys":   `0`,
			"webhookURL":   `""`,
			"counts":       `{"events":0,"joins":0,"registrants":0,"webinars":0}`, // keys sorted by compact
			"webhooks":     `[{"eventName":"registrant.added"},{"eventName":"registrant.joined"},{"eventName":"webinar.created"},{"eventName":"webinar.changed"}]`,
		}
		for key, w := range want {
			if g := compact(t, got[key]); g != w {
				t.Errorf("%s = %s, want %s", key, g, w)
			}
		}
		var tun tunnel.State
		if err := json.Unmarshal(got["tunnel"], &tun); err != nil || tun.Phase != tunnel.PhaseOff {
			t.Errorf("tunnel = %s (%v), want state off", got["tunnel"], err)
		}
	})

	t.Run("demo, tunnel online, events stored", func(t *testing.T) {
		t.Parallel()
		st := openStore(t)
		seedLaunch(t, st)
		if err := st.AddSecretKey(store.SecretKey{ID: "k1", Value: "c2VjcmV0", ValidFrom: testNow}); err != nil {
			t.Fatal(err)
		}
		hooks := &fakeWebhooks{status: reconcile.Status{Recorded: true,
			Hooks: []reconcile.Hook{activeHook("registrant.added", "w1", "https://demo.example/webhooks/gotowebinar")}}}
		tun := func() tunnel.State {
			return tunnel.State{Kind: "local", Phase: tunnel.PhaseOnline, URL: "https://demo.example/", Since: testNow}
		}
		rec := get(t, handler(t, Config{Store: st, Login: loggedIn(), Webhooks: hooks, Tunnel: tun, Demo: true}), "/api/status")
		var got struct {
			Demo         bool            `json:"demo"`
			Login        LoginStatus     `json:"login"`
			Tunnel       tunnel.State    `json:"tunnel"`
			Webhooks     []WebhookStatus `json:"webhooks"`
			Counts       store.Counts    `json:"counts"`
			LastDelivery *string         `json:"lastDelivery"`
			SecretKeys   int             `json:"secretKeys"`
			WebhookURL   string          `json:"webhookURL"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatalf("decode: %v\n%s", err, rec.Body)
		}
		wantLogin := LoginStatus{State: LoginDemo, Organizer: "Grace Hopper (grace@example.com) — built-in simulator",
			Detail: "Demo mode: logged in to the built-in GoTo simulator with the same OAuth login and webhook setup a real GoTo account gets."}
		if !got.Demo || got.Login != wantLogin || got.Tunnel.URL != "https://demo.example/" || got.SecretKeys != 1 {
			t.Errorf("got %+v", got)
		}
		if got.WebhookURL != "https://demo.example/webhooks/gotowebinar" {
			t.Errorf("webhookURL = %q", got.WebhookURL)
		}
		// The last registrant.added seedLaunch stored arrived at 8:33.
		if len(got.Webhooks) != 1 || !got.Webhooks[0].LastDelivery.Equal(testNow.Add(-time.Hour+3*time.Minute)) ||
			got.Webhooks[0].ActivationState != "ACTIVE" || got.Webhooks[0].Error != "" {
			t.Errorf("webhooks = %+v", got.Webhooks)
		}
		if got.Counts != (store.Counts{Webinars: 1, Registrants: 3, Joins: 2, Events: 6}) {
			t.Errorf("counts = %+v", got.Counts)
		}
		last, err := st.LastDelivery()
		if err != nil {
			t.Fatal(err)
		}
		if got.LastDelivery == nil || *got.LastDelivery != last.UTC().Format(time.RFC3339) {
			t.Errorf("lastDelivery = %v, want %s", got.LastDelivery, last.UTC().Format(time.RFC3339))
		}
	})
}

func compact(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	b, _ := json.Marshal(v)
	return string(b)
}
