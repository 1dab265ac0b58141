package ringcentral_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"webinarsync/ringcentral"
	"webinarsync/ringcentral/rcsim"
)

func subscribe(t *testing.T, e *env) ringcentral.Subscription {
	t.Helper()
	sub, err := e.client.CreateSubscription(t.Context(), ringcentral.NewSubscription{
		Address: hookURL, VerificationToken: "our-secret", ExpiresIn: 24 * time.Hour})
	if err != nil {
		t.Fatalf("CreateSubscription = %v", err)
	}
	return sub
}

func TestSubscription_Lifecycle(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, rcsim.Config{AccessTTL: 30 * 24 * time.Hour})
		sub := subscribe(t, e)
		if sub.ID == "" || sub.Status != ringcentral.SubscriptionActive || sub.Address != hookURL ||
			!slices.Equal(sub.EventFilters, ringcentral.EventFilters()) || !sub.ExpirationTime.Equal(time.Now().Add(24*time.Hour)) {
			t.Fatalf("created %+v", sub)
		}
		if !sub.Active(time.Now()) {
			t.Error("a new subscription is not Active")
		}

		list, err := e.client.Subscriptions(t.Context())
		if err != nil || len(list) != 1 || list[0].ID != sub.ID {
			t.Fatalf("Subscriptions = %+v, %v; want the one created", list, err)
		}

		time.Sleep(20 * time.Hour)
		renewed, err := e.client.RenewSubscription(t.Context(), sub.ID)
		if err != nil || !renewed.ExpirationTime.Equal(time.Now().Add(24*time.Hour)) {
			t.Fatalf("RenewSubscription = %+v, %v; want a day from now", renewed, err)
		}

		filters := ringcentral.EventFilters()[:2]
		updated, err := e.client.UpdateSubscription(t.Context(), sub.ID, filters, time.Hour)
		if err != nil || !slices.Equal(updated.EventFilters, filters) || !updated.ExpirationTime.Equal(time.Now().Add(time.Hour)) {
			t.Fatalf("UpdateSubscription = %+v, %v", updated, err)
		}

		if err := e.client.DeleteSubscription(t.Context(), sub.ID); err != nil {
			t.Fatalf("DeleteSubscription = %v", err)
		}
		if _, err := e.client.Subscription(t.Context(), sub.ID); !ringcentral.IsNotFound(err) {
			t.Errorf("Subscription after delete = %v, want not found", err)
		}
	})
}

func TestSubscription_ExpiredOneIsGone(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, rcsim.Config{AccessTTL: 30 * 24 * time.Hour})
		sub := subscribe(t, e)
		time.Sleep(24*time.Hour + time.Second)
		if _, err := e.client.RenewSubscription(t.Context(), sub.ID); ringcentral.Classify(err).Kind != ringcentral.ProblemNotFound {
			t.Errorf("renewing an expired subscription = %v, want not found", err)
		}
		if list, err := e.client.Subscriptions(t.Context()); err != nil || len(list) != 0 {
			t.Errorf("Subscriptions = %+v, %v; want none", list, err)
		}
	})
}

func TestCreateSubscription_RefusedWhenTheHandshakeFails(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		handshake func(w http.ResponseWriter, token string)
		wantCode  string
	}{
		{"no echo", func(w http.ResponseWriter, _ string) { w.WriteHeader(http.StatusOK) }, "SUB-520"},
		{"a wrong echo", func(w http.ResponseWriter, _ string) {
			w.Header().Set("Validation-Token", "something else")
		}, "SUB-520"},
		{"not 200", func(w http.ResponseWriter, tok string) {
			w.Header().Set("Validation-Token", tok)
			w.WriteHeader(http.StatusAccepted)
		}, "SUB-525"},
		{"over 1 KiB", func(w http.ResponseWriter, tok string) {
			w.Header().Set("Validation-Token", tok)
			w.Write([]byte(strings.Repeat("x", 1000)))
		}, "SUB-525"},
		{"later than 3 s", func(w http.ResponseWriter, tok string) {
			time.Sleep(4 * time.Second)
			w.Header().Set("Validation-Token", tok)
		}, "CMN-101"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				e := newEnv(t, rcsim.Config{})
				e.hook.set(func(h *hook) { h.handshake = tt.handshake })
				_, err := e.client.CreateSubscription(t.Context(), ringcentral.NewSubscription{Address: hookURL})
				p := ringcentral.Classify(err)
				if p.Kind != ringcentral.ProblemAddressRefused || p.Code != tt.wantCode || p.Status != http.StatusBadRequest {
					t.Fatalf("CreateSubscription = %v, classified %+v; want %s with %s", err, p, ringcentral.ProblemAddressRefused, tt.wantCode)
				}
				if len(e.sim.Subscriptions()) != 0 {
					t.Error("the sim kept a refused subscription")
				}
				time.Sleep(5 * time.Second) // lets a late handshake answer finish
			})
		})
	}
}

func TestCreateSubscription_UnreachableAddressRefused(t *testing.T) {
	t.Parallel()
	unreachable := &http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) {
		return nil, errors.New("connection refused")
	})}
	e := newEnv(t, rcsim.Config{Client: unreachable})
	_, err := e.client.CreateSubscription(t.Context(), ringcentral.NewSubscription{Address: hookURL})
	if p := ringcentral.Classify(err); p.Kind != ringcentral.ProblemAddressRefused || p.Code != "CMN-101" {
		t.Errorf("Classify = %+v, want %s with CMN-101", p, ringcentral.ProblemAddressRefused)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestSubscription_BlacklistedAfterTenMinutesOfFailures(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, rcsim.Config{})
		sub := subscribe(t, e)
		e.hook.set(func(h *hook) { h.deliver = http.StatusServiceUnavailable })
		sess := firstSession(t, e.sim, "Scheduled")
		for i, wait := range []time.Duration{0, 5 * time.Minute, 5*time.Minute - time.Second} {
			time.Sleep(wait)
			if _, err := e.sim.AddRegistrant(t.Context(), sess.ID, "", "", ""); err == nil {
				t.Fatalf("delivery %d succeeded against a failing hook", i)
			}
		}
		if got, _ := e.client.Subscription(t.Context(), sub.ID); got.Status != ringcentral.SubscriptionActive {
			t.Fatalf("after 9m59s of failures the status is %q, want Active", got.Status)
		}
		time.Sleep(time.Second)
		e.sim.AddRegistrant(t.Context(), sess.ID, "", "", "")
		got, err := e.client.Subscription(t.Context(), sub.ID)
		if err != nil || got.Status != ringcentral.SubscriptionBlacklisted || got.Active(time.Now()) ||
			!got.BlacklistedAt.Equal(time.Now()) || !strings.Contains(got.BlacklistedReason, "503") {
			t.Fatalf("after 10 minutes of failures: %+v, %v; want Blacklisted with the 503 as reason", got, err)
		}
		before := len(e.hook.deliveries())
		if err := e.sim.Deliver(t.Context(), rcsim.Notification{Event: ringcentral.FilterRegistrants}); !errors.Is(err, rcsim.ErrNoSubscription) {
			t.Errorf("Deliver to a blacklisted subscription = %v, want ErrNoSubscription", err)
		}
		if len(e.hook.deliveries()) != before {
			t.Error("a blacklisted subscription was delivered to")
		}
	})
}

func TestSubscription_DeliveriesCarryTheVerificationToken(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		header string
	}{
		{"as the spec says", "Verification-Token"},
		{"as the current guide shows", "Validation-Token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				e := newEnv(t, rcsim.Config{ValidationTokenOnDeliveries: tt.header == "Validation-Token"})
				subscribe(t, e)
				if err := e.sim.StartSession(context.Background(), firstSession(t, e.sim, "Scheduled").ID); err != nil {
					t.Fatalf("StartSession = %v", err)
				}
				got := e.hook.deliveries()
				if len(got) != 1 || got[0].Get(tt.header) != "our-secret" {
					t.Fatalf("deliveries %v, want one with %s: our-secret", got, tt.header)
				}
			})
		})
	}
}
