package app

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"webinarsync/gotowebinar"
	"webinarsync/gotowebinar/gotosim"
	"webinarsync/gotowebinar/login"
	"webinarsync/store"
)

// After a login, the webhooks are what the organizer waits for: they get
// GoTo's rate budget before the catch-up sync, which starts at the same
// moment with a queue of requests. On the simulator's virtual clock, under
// GoTo's limit of 10 requests a second, with the demo's population.
func TestGoTo_WebhooksActiveWithinASecondOfLoginWhileTheSyncRuns(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		st, err := store.Open(t.TempDir(), store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		routes := memRoutes{}
		hc := &http.Client{Transport: routes}
		sim := gotosim.New(gotosim.Config{ClientID: demoClientID, ClientSecret: demoClientSecret, Client: hc})
		sim.LimitRate(10)
		sim.Generator().Populate(gotosim.Population{Webinars: 3, Registrants: 40, Sessions: 1, Attend: 65,
			Start: time.Now().Add(-20 * 24 * time.Hour), Every: 6 * 24 * time.Hour})
		routes["sim.test"] = sim.Handler()
		routes["hooks.test"] = gotowebinar.WebhookHandler(gotowebinar.NewReceiver(secretKeys(st, ""), st, quietLog()))

		g, err := newGoTo(goToConfig{Store: st, Logger: quietLog(), HTTPClient: hc, Endpoints: login.Endpoints{
			ClientID: demoClientID, ClientSecret: demoClientSecret,
			AuthURL: "http://sim.test/oauth/authorize", TokenURL: "http://sim.test/oauth/token", APIURL: "http://sim.test/G2W/rest/v2",
		}})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		var bg sync.WaitGroup
		defer bg.Wait()
		defer cancel()
		g.run(ctx, &bg)
		if err := g.webhooks.Repoint(ctx, "http://hooks.test"); err != nil { // the tunnel is up before the login
			t.Fatal(err)
		}
		if err := gotosim.LogInVia(ctx, hc, g.login, "http://127.0.0.1:7777/oauth/callback"); err != nil {
			t.Fatal(err)
		}
		loggedIn := time.Now()
		for !hooksActive(g) {
			if time.Since(loggedIn) > 30*time.Second {
				t.Fatal("the webhooks never turned active")
			}
			time.Sleep(10 * time.Millisecond)
		}
		took := time.Since(loggedIn)
		t.Logf("webhooks active %v after login, with the sync running", took)
		if took > time.Second {
			t.Errorf("webhooks active %v after login, want within 1 s", took)
		}
		if g.sync.Status().Requests == 0 && !g.sync.Status().Running && g.sync.Status().Last == nil {
			t.Error("the catch-up sync never ran: nothing competed for the rate budget")
		}
	})
}

func hooksActive(g *goTo) bool {
	for _, h := range g.webhooks.Status().Hooks {
		if h.ActivationState != gotowebinar.StateActive {
			return false
		}
	}
	return true
}

// memRoutes serves each request in memory with the handler of its host,
// so the test runs on the bubble's virtual clock.
type memRoutes map[string]http.Handler

func (m memRoutes) RoundTrip(req *http.Request) (*http.Response, error) {
	h, ok := m[req.URL.Host]
	if !ok {
		return nil, &net404{host: req.URL.Host}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req.Clone(req.Context()))
	return rec.Result(), nil
}

type net404 struct{ host string }

func (e *net404) Error() string { return "no such host: " + e.host }
