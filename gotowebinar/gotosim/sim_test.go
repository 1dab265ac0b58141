package gotosim_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"webinarsync/gotowebinar"
	"webinarsync/gotowebinar/gotosim"
)

func TestRun_BurstArrivesSignedAndDecodable(t *testing.T) {
	t.Parallel()
	// Virtual time: the burst's pace is measured exactly, not waited for.
	synctest.Test(t, func(t *testing.T) {
		recv := newMemReceiver(t, nil)
		sim := gotosim.New(gotosim.Config{Seed: 1, Interval: 20 * time.Millisecond, Client: recv.client()})
		sim.AddCallback(recv.URL())

		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		done := make(chan error, 1)
		start := time.Now()
		go func() { done <- sim.Run(ctx) }()
		got := recv.waitFor(gotosim.BurstSize, 5*time.Second)
		if d := got[gotosim.BurstSize-1].at.Sub(start); d > 2*time.Second {
			t.Errorf("the burst took %v, want about a second", d)
		}
		secret := [][]byte{[]byte(sim.SecretKey())}
		var created, added int
		for i, d := range got[:gotosim.BurstSize] {
			if ct := d.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("delivery %d: Content-Type %q", i, ct)
			}
			ts := d.header.Get(gotowebinar.HeaderSignatureTimestamp)
			if _, err := time.Parse(time.RFC3339, ts); err != nil {
				t.Errorf("delivery %d: timestamp header %q: %v", i, ts, err)
			}
			if err := gotowebinar.VerifySignature(secret, ts, d.header.Get(gotowebinar.HeaderSignature), d.body); err != nil {
				t.Errorf("delivery %d: %v", i, err)
			}
			ev, err := gotowebinar.DecodeEvent(d.body)
			if err != nil {
				t.Fatalf("delivery %d: DecodeEvent(%s): %v", i, d.body, err)
			}
			switch ev.EventName {
			case gotowebinar.EventWebinarCreated:
				created++
			case gotowebinar.EventRegistrantAdded:
				added++
			}
		}
		if created != 3 || added != 15 {
			t.Errorf("burst had %d webinar.created and %d registrant.added, want 3 and 15", created, added)
		}
		recv.waitFor(gotosim.BurstSize+3, 5*time.Second) // the steady pace follows
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("Run returned %v, want context.Canceled", err)
		}
		st := sim.Stats()
		if st.Acknowledged < gotosim.BurstSize+2 || st.Delivered != st.Acknowledged+st.Refused+st.Failed {
			t.Errorf("Stats() = %+v", st)
		}
	})
}

func TestRun_WaitsForSomeoneToListen(t *testing.T) {
	t.Parallel()
	// A bubble: synctest.Wait knows when Run is blocked, no sleep guesses.
	synctest.Test(t, func(t *testing.T) {
		recv := newMemReceiver(t, nil)
		sim := gotosim.New(gotosim.Config{Seed: 1, Interval: 10 * time.Millisecond, Client: recv.client()})
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		done := make(chan error, 1)
		go func() { done <- sim.Run(ctx) }()
		time.Sleep(time.Minute) // many Intervals, in virtual time
		synctest.Wait()
		select {
		case err := <-done:
			t.Fatalf("Run returned %v with nobody listening, want it to wait", err)
		default:
		}
		if st := sim.Stats(); st.Generated != 0 {
			t.Fatalf("generated %d events with nobody listening", st.Generated)
		}
		sim.AddCallback(recv.URL())
		got := recv.waitFor(1, 5*time.Second)
		if ev, err := gotowebinar.DecodeEvent(got[0].body); err != nil || ev.EventName != gotowebinar.EventWebinarCreated {
			t.Errorf("first delivery is %s (%v), want the burst's first webinar.created", got[0].body, err)
		}
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("Run returned %v, want context.Canceled", err)
		}
	})
}

func TestRun_RefusesASecondRun(t *testing.T) {
	t.Parallel()
	// A bubble: synctest.Wait knows when the first Run is under way, and a
	// second Run that failed to refuse would end at its virtual deadline.
	synctest.Test(t, func(t *testing.T) {
		sim := gotosim.New(gotosim.Config{})
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		done := make(chan error, 1)
		go func() { done <- sim.Run(ctx) }()
		synctest.Wait() // the first Run waits for a listener
		select {
		case err := <-done:
			t.Fatalf("the first Run returned %v, want it to wait for a listener", err)
		default:
		}
		second, stop := context.WithTimeout(ctx, time.Minute)
		defer stop()
		if err := sim.Run(second); err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("second Run returned %v, want an error at once", err)
		}
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("the first Run returned %v, want context.Canceled", err)
		}
	})
}

func TestDeliver_RetriesOn5xxButNotOn4xx(t *testing.T) {
	t.Parallel()
	body := gotosim.NewGenerator(1, nil).Next()
	tests := []struct {
		name       string
		answers    []int // answer to each POST; the last repeats
		wantPosts  int
		wantStatus int
		wantErr    bool
	}{
		{"ok at once", []int{200}, 1, 200, false},
		{"5xx then ok", []int{503, 500, 204}, 3, 204, false},
		{"4xx is final", []int{401}, 1, 401, true},
		{"5xx until giving up", []int{502}, 4, 502, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// Virtual time: the backoff between attempts is not waited for.
			synctest.Test(t, func(t *testing.T) {
				recv := newMemReceiver(t, func(n int) int { return tt.answers[min(n, len(tt.answers)-1)] })
				sim := gotosim.New(gotosim.Config{RetryBackoff: time.Millisecond, Client: recv.client()})
				sim.AddCallback(recv.URL())
				status, err := sim.Deliver(t.Context(), body)
				if status != tt.wantStatus || (err != nil) != tt.wantErr {
					t.Errorf("Deliver = %d, %v; want %d, error %v", status, err, tt.wantStatus, tt.wantErr)
				}
				if n := len(recv.received()); n != tt.wantPosts {
					t.Errorf("%d POSTs, want %d", n, tt.wantPosts)
				}
				if st := sim.Stats(); st.Delivered != tt.wantPosts {
					t.Errorf("Stats().Delivered = %d, want %d", st.Delivered, tt.wantPosts)
				}
			})
		})
	}
}

func TestDeliver_RetriesWhenNobodyAnswers(t *testing.T) {
	t.Parallel()
	// Virtual time: the backoff between attempts is not waited for.
	synctest.Test(t, func(t *testing.T) {
		recv := newMemReceiver(t, nil)
		recv.close() // connection refused from now on
		sim := gotosim.New(gotosim.Config{RetryBackoff: time.Millisecond, Client: recv.client()})
		sim.AddCallback(recv.URL())
		status, err := sim.Deliver(t.Context(), gotosim.NewGenerator(1, nil).Next())
		if status != 0 || err == nil {
			t.Errorf("Deliver = %d, %v; want 0 and an error", status, err)
		}
		if st := sim.Stats(); st.Failed != 4 || st.Delivered != 4 {
			t.Errorf("Stats() = %+v, want 4 failed attempts", st)
		}
	})
}

func TestDeliver_StopsRetryingWhenContextEnds(t *testing.T) {
	t.Parallel()
	// Virtual time: the context's deadline and the hour's backoff are exact.
	synctest.Test(t, func(t *testing.T) {
		recv := newMemReceiver(t, func(int) int { return 500 })
		sim := gotosim.New(gotosim.Config{RetryBackoff: time.Hour, Client: recv.client()})
		sim.AddCallback(recv.URL())
		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		start := time.Now()
		if _, err := sim.Deliver(ctx, gotosim.NewGenerator(1, nil).Next()); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Deliver error %v, want context.DeadlineExceeded", err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("Deliver took %v after its context ended", d)
		}
	})
}

func TestDeliver_NoCallback(t *testing.T) {
	t.Parallel()
	sim := gotosim.New(gotosim.Config{})
	if _, err := sim.Deliver(t.Context(), []byte(`{"eventName":"registrant.added"}`)); !errors.Is(err, gotosim.ErrNoCallbacks) {
		t.Errorf("Deliver error %v, want ErrNoCallbacks", err)
	}
}

func TestREST_WebhookLifecycleGatesDeliveries(t *testing.T) {
	t.Parallel()
	sim, api := startSim(t, gotosim.Config{Seed: 1})
	tok := sim.IssueToken()
	recv := newReceiver(t, nil)
	added := gotosim.NewGenerator(1, nil)
	var addedBody, createdBody []byte
	for addedBody == nil || createdBody == nil {
		b := added.Next()
		switch {
		case strings.Contains(string(b), `"eventName":"registrant.added"`):
			addedBody = b
		case strings.Contains(string(b), `"eventName":"webinar.created"`):
			createdBody = b
		}
	}
	deliveries := func() int { return len(recv.received()) }

	// A new secret key signs from now on.
	old := sim.SecretKey()
	status, b := call(t, "POST", api.URL+"/webhooks/secretkey", tok, map[string]string{})
	var key struct {
		ID        int64  `json:"id"`
		Value     string `json:"value"`
		ValidFrom string `json:"validFrom"`
	}
	mustUnmarshal(t, b, &key)
	if status != 200 || key.Value == "" || key.Value == old || sim.SecretKey() != key.Value || key.ID == 0 {
		t.Fatalf("POST /webhooks/secretkey = %d %s; SecretKey() = %q", status, b, sim.SecretKey())
	}

	// Created INACTIVE, after a GET of the callback.
	status, b = call(t, "POST", api.URL+"/webhooks", tok, []map[string]string{{
		"callbackUrl": recv.URL(), "eventName": "registrant.added", "eventVersion": "1.0.0", "product": "g2w",
	}})
	var created struct {
		Embedded struct {
			Webhooks []gotosim.WebhookJSON `json:"webhooks"`
		} `json:"_embedded"`
	}
	mustUnmarshal(t, b, &created)
	if status != 200 || len(created.Embedded.Webhooks) != 1 || created.Embedded.Webhooks[0].State != "INACTIVE" {
		t.Fatalf("POST /webhooks = %d %s", status, b)
	}
	wh := created.Embedded.Webhooks[0]
	if n := recv.getCount(); n != 1 {
		t.Errorf("callback validated with %d GETs, want 1", n)
	}

	// Subscribed, but the webhook is still INACTIVE: nothing goes out.
	status, b = call(t, "POST", api.URL+"/userSubscriptions", tok, []map[string]string{{"webhookKey": wh.WebhookKey}})
	var subs struct {
		Embedded struct {
			UserSubscriptions []gotosim.SubscriptionJSON `json:"userSubscriptions"`
		} `json:"_embedded"`
	}
	mustUnmarshal(t, b, &subs)
	if status != 200 || len(subs.Embedded.UserSubscriptions) != 1 {
		t.Fatalf("POST /userSubscriptions = %d %s", status, b)
	}
	sub := subs.Embedded.UserSubscriptions[0]
	if sub.UserSubscriptionState != "ACTIVE" || sub.ActivationState != "INACTIVE" || sub.CallbackURL != recv.URL() || sub.EventName != "registrant.added" {
		t.Errorf("new subscription %+v", sub)
	}
	if _, err := sim.Deliver(t.Context(), addedBody); !errors.Is(err, gotosim.ErrNoCallbacks) || deliveries() != 0 {
		t.Errorf("with the webhook INACTIVE: Deliver error %v, %d deliveries", err, deliveries())
	}

	// Activated: both ACTIVE, so registrant.added goes out, and only it.
	if status, b = call(t, "PUT", api.URL+"/webhooks", tok, []map[string]string{{"webhookKey": wh.WebhookKey, "state": "ACTIVE"}}); status != 204 {
		t.Fatalf("PUT /webhooks = %d %s", status, b)
	}
	status, b = call(t, "GET", api.URL+"/userSubscriptions/"+sub.UserSubscriptionKey, tok, nil)
	mustUnmarshal(t, b, &sub)
	if status != 200 || sub.ActivationState != "ACTIVE" {
		t.Errorf("GET /userSubscriptions/{key} = %d %s, want activationState ACTIVE", status, b)
	}
	if status, err := sim.Deliver(t.Context(), addedBody); status != 200 || err != nil || deliveries() != 1 {
		t.Fatalf("with both ACTIVE: Deliver = %d, %v; %d deliveries", status, err, deliveries())
	}
	d := recv.received()[0]
	ts := d.header.Get(gotowebinar.HeaderSignatureTimestamp)
	if err := gotowebinar.VerifySignature([][]byte{[]byte(key.Value)}, ts, d.header.Get(gotowebinar.HeaderSignature), d.body); err != nil {
		t.Errorf("delivery does not verify with the new secret key: %v", err)
	}
	if err := gotowebinar.VerifySignature([][]byte{[]byte(old)}, ts, d.header.Get(gotowebinar.HeaderSignature), d.body); err == nil {
		t.Error("delivery still verifies with the old secret key")
	}
	if _, err := sim.Deliver(t.Context(), createdBody); !errors.Is(err, gotosim.ErrNoCallbacks) {
		t.Errorf("webinar.created went out with only a registrant.added webhook: %v", err)
	}

	// The subscription paused: nothing; resumed: again.
	for _, state := range []string{"INACTIVE", "ACTIVE"} {
		if status, b = call(t, "PUT", api.URL+"/userSubscriptions", tok, []map[string]string{{"userSubscriptionKey": sub.UserSubscriptionKey, "userSubscriptionState": state}}); status != 204 {
			t.Fatalf("PUT /userSubscriptions = %d %s", status, b)
		}
		_, err := sim.Deliver(t.Context(), addedBody)
		if (state == "INACTIVE") != errors.Is(err, gotosim.ErrNoCallbacks) {
			t.Errorf("subscription %s: Deliver error %v", state, err)
		}
	}

	// Listings.
	if status, b = call(t, "GET", api.URL+"/webhooks?product=g2w", tok, nil); status != 200 || !strings.Contains(string(b), wh.WebhookKey) {
		t.Errorf("GET /webhooks?product=g2w = %d %s", status, b)
	}
	if status, _ = call(t, "GET", api.URL+"/webhooks", tok, nil); status != 400 {
		t.Errorf("GET /webhooks without product = %d, want 400", status)
	}
	if status, b = call(t, "GET", api.URL+"/G2W/rest/v2/webhooks/"+wh.WebhookKey, tok, nil); status != 200 || !strings.Contains(string(b), `"state":"ACTIVE"`) {
		t.Errorf("GET /G2W/rest/v2/webhooks/{key} = %d %s", status, b)
	}

	// Deleted: nothing goes out, the subscription is gone too.
	before := deliveries()
	if status, b = call(t, "DELETE", api.URL+"/webhooks", tok, []string{wh.WebhookKey}); status != 202 {
		t.Fatalf("DELETE /webhooks = %d %s", status, b)
	}
	if status, _ = call(t, "GET", api.URL+"/webhooks/"+wh.WebhookKey, tok, nil); status != 404 {
		t.Errorf("GET a deleted webhook = %d, want 404", status)
	}
	if status, b = call(t, "GET", api.URL+"/userSubscriptions?product=g2w", tok, nil); status != 200 || strings.Contains(string(b), sub.UserSubscriptionKey) {
		t.Errorf("GET /userSubscriptions after deleting its webhook = %d %s", status, b)
	}
	if _, err := sim.Deliver(t.Context(), addedBody); !errors.Is(err, gotosim.ErrNoCallbacks) || deliveries() != before {
		t.Errorf("after DELETE: Deliver error %v, %d new deliveries", err, deliveries()-before)
	}
}

func TestREST_DeleteSubscriptionStopsDeliveries(t *testing.T) {
	t.Parallel()
	sim, api := startSim(t, gotosim.Config{})
	tok := sim.IssueToken()
	recv := newReceiver(t, nil)
	_, b := call(t, "POST", api.URL+"/webhooks", tok, []map[string]string{{
		"callbackUrl": recv.URL(), "eventName": "registrant.joined", "eventVersion": "1.0.0", "product": "g2w",
	}})
	var created struct {
		Embedded struct{ Webhooks []gotosim.WebhookJSON } `json:"_embedded"`
	}
	mustUnmarshal(t, b, &created)
	key := created.Embedded.Webhooks[0].WebhookKey
	call(t, "PUT", api.URL+"/webhooks", tok, []map[string]string{{"webhookKey": key, "state": "ACTIVE"}})
	_, b = call(t, "POST", api.URL+"/userSubscriptions", tok, []map[string]string{{"webhookKey": key}})
	var subs struct {
		Embedded struct{ UserSubscriptions []gotosim.SubscriptionJSON } `json:"_embedded"`
	}
	mustUnmarshal(t, b, &subs)
	joined := []byte(`{"eventName":"registrant.joined","eventKey":"k","webinarKey":1,"registrantKey":2}`)
	if _, err := sim.Deliver(t.Context(), joined); err != nil {
		t.Fatalf("Deliver with an active subscription: %v", err)
	}
	if status, b := call(t, "DELETE", api.URL+"/userSubscriptions", tok, []string{subs.Embedded.UserSubscriptions[0].UserSubscriptionKey}); status != 202 {
		t.Fatalf("DELETE /userSubscriptions = %d %s", status, b)
	}
	if _, err := sim.Deliver(t.Context(), joined); !errors.Is(err, gotosim.ErrNoCallbacks) {
		t.Errorf("Deliver after deleting the subscription: %v", err)
	}
}

func TestREST_CreateWebhookRefusesACallbackThatIsNot200(t *testing.T) {
	t.Parallel()
	sim, api := startSim(t, gotosim.Config{})
	tok := sim.IssueToken()
	recv := newReceiver(t, nil)
	recv.answerGET(http.StatusNotFound)
	status, b := call(t, "POST", api.URL+"/webhooks", tok, []map[string]string{{
		"callbackUrl": recv.URL(), "eventName": "registrant.added", "eventVersion": "1.0.0", "product": "g2w",
	}})
	if status != 400 || !strings.Contains(string(b), "404") {
		t.Errorf("POST /webhooks with a 404 callback = %d %s, want 400 naming the 404", status, b)
	}
	if _, b = call(t, "GET", api.URL+"/webhooks?product=g2w", tok, nil); strings.Contains(string(b), "webhookKey") {
		t.Errorf("a webhook was created anyway: %s", b)
	}
}

func TestREST_RefusesBadRequests(t *testing.T) {
	t.Parallel()
	sim, api := startSim(t, gotosim.Config{})
	tok := sim.IssueToken()
	recv := newReceiver(t, nil)
	tests := []struct {
		name, method, path string
		body               any
		want               int
	}{
		{"unknown event", "POST", "/webhooks", []map[string]string{{"callbackUrl": recv.URL(), "eventName": "registrant.left", "eventVersion": "1.0.0", "product": "g2w"}}, 400},
		{"no callback", "POST", "/webhooks", []map[string]string{{"eventName": "registrant.added", "eventVersion": "1.0.0", "product": "g2w"}}, 400},
		{"not a list", "POST", "/webhooks", map[string]string{"callbackUrl": recv.URL()}, 400},
		{"webhookState is not the v2 field", "PUT", "/webhooks", []map[string]string{{"webhookKey": "x", "webhookState": "ACTIVE"}}, 400},
		{"unknown webhook", "PUT", "/webhooks", []map[string]string{{"webhookKey": "nope", "state": "ACTIVE"}}, 404},
		{"subscription to unknown webhook", "POST", "/userSubscriptions", []map[string]string{{"webhookKey": "nope"}}, 404},
		{"unknown subscription", "GET", "/userSubscriptions/nope", nil, 404},
		{"wrong method", "PATCH", "/webhooks", nil, 405},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if status, b := call(t, tt.method, api.URL+tt.path, tok, tt.body); status != tt.want {
				t.Errorf("%s %s = %d %s, want %d", tt.method, tt.path, status, b, tt.want)
			}
		})
	}
}

func TestREST_RefusesMissingOrExpiredTokens(t *testing.T) {
	t.Parallel()
	clk := newClock()
	sim, api := startSim(t, gotosim.Config{Now: clk.Now, TokenTTL: time.Minute})
	expired := sim.IssueToken()
	clk.Advance(2 * time.Minute)
	valid := sim.IssueToken()
	tests := []struct {
		name, auth string
		want       int
	}{
		{"no Authorization", "", 403},
		{"unknown token", "Bearer not-a-token", 403},
		{"expired token", "Bearer " + expired, 403},
		{"not a bearer", "Basic " + valid, 403},
		{"valid token", "Bearer " + valid, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", api.URL+"/webhooks?product=g2w", nil)
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.want)
			}
			if tt.want == 403 {
				var e map[string]string
				if err := json.NewDecoder(resp.Body).Decode(&e); err != nil || e["int_err_code"] != "InvalidToken" || e["msg"] != "Invalid token passed" {
					t.Errorf("403 body %v (%v), want GoTo's InvalidToken", e, err)
				}
			}
		})
	}
}
