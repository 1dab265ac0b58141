package ringcentral_test

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/oauth2"

	"webinarsync/ringcentral"
	"webinarsync/ringcentral/rcsim"
)

// serverURL is where the sim answers; nothing leaves the process.
const serverURL = "https://platform.rcsim.test"

// hookURL is our webhook address as the sim sees it.
const hookURL = "https://hooks.rcsim.test/webhooks/ringcentral"

// env is a sim, our side of the webhook, and a logged-in Client, all
// talking in memory.
type env struct {
	sim    *rcsim.Sim
	hc     *http.Client // reaches the sim
	conf   *oauth2.Config
	client *ringcentral.Client
	hook   *hook
}

func newEnv(t *testing.T, cfg rcsim.Config, opts ...ringcentral.Option) *env {
	t.Helper()
	h := &hook{}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Transport: rcsim.Transport(h)}
	}
	cfg.ClientID, cfg.ClientSecret = "app-id", "app-secret"
	sim := rcsim.New(cfg)
	hc := &http.Client{Transport: rcsim.Transport(sim.Handler()),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	e := &env{sim: sim, hc: hc, hook: h,
		conf: ringcentral.OAuthConfig(ringcentral.Endpoints{ServerURL: serverURL}, "app-id", "app-secret", "http://127.0.0.1:7777/oauth/ringcentral/callback")}
	tok := &oauth2.Token{AccessToken: sim.IssueToken(), TokenType: "bearer"}
	e.client = ringcentral.NewClient(serverURL, oauth2.StaticTokenSource(tok),
		append([]ringcentral.Option{ringcentral.WithHTTPClient(hc)}, opts...)...)
	return e
}

// hook is our webhook endpoint in tests: it answers the handshake as
// told and records deliveries.
type hook struct {
	mu        sync.Mutex
	handshake func(w http.ResponseWriter, token string) // nil echoes properly
	deliver   int                                       // status for deliveries; 0 = 200
	got       []http.Header
}

func (h *hook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	handshake, status := h.handshake, h.deliver
	h.mu.Unlock()
	if tok := r.Header.Get("Validation-Token"); tok != "" && r.ContentLength <= 0 {
		if handshake != nil {
			handshake(w, tok)
			return
		}
		w.Header().Set("Validation-Token", tok)
		w.WriteHeader(http.StatusOK)
		return
	}
	h.mu.Lock()
	h.got = append(h.got, r.Header.Clone())
	h.mu.Unlock()
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
}

func (h *hook) set(f func(*hook)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	f(h)
}

func (h *hook) deliveries() []http.Header {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]http.Header(nil), h.got...)
}

// firstSession is the sim's first session of the given status.
func firstSession(t *testing.T, sim *rcsim.Sim, status string) rcsim.Session {
	t.Helper()
	for _, s := range sim.Sessions() {
		if s.Status == status {
			return s
		}
	}
	t.Fatalf("the sim has no %s session", status)
	return rcsim.Session{}
}

func TestClient_WaitsOutRetryAfterOn429(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		retryAfter time.Duration
		want       time.Duration
	}{
		{"with Retry-After", 7 * time.Second, 7 * time.Second},
		{"without Retry-After the default penalty", 0, ringcentral.DefaultPenalty},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				e := newEnv(t, rcsim.Config{})
				e.sim.Throttle(1, tt.retryAfter)
				start := time.Now()
				if _, err := e.client.Webinars(t.Context()); err != nil {
					t.Fatalf("Webinars = %v", err)
				}
				if got := time.Since(start); got != tt.want {
					t.Errorf("took %v, want %v", got, tt.want)
				}
				reqs := e.sim.APIRequests()
				if len(reqs) != 2 || reqs[0].Status != http.StatusTooManyRequests || reqs[1].At.Sub(reqs[0].At) != tt.want {
					t.Errorf("the sim saw %+v, want a 429 and a retry %v later", reqs, tt.want)
				}
			})
		})
	}
}

func TestClient_WaitsAWindowWhenRemainingReachesZero(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, rcsim.Config{Empty: true, Limits: rcsim.Limits{Heavy: 2}}, ringcentral.WithPageSize(50))
		_, sess, err := e.sim.AddWebinar(t.Context(), "Limits", time.Now().Add(time.Hour), time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.sim.AddRegistrants(sess.ID, 250); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		regs, err := e.client.Registrants(t.Context(), sess.ID, false)
		if err != nil {
			t.Fatalf("Registrants = %v", err)
		}
		if len(regs) != 250 {
			t.Errorf("got %d registrants, want 250", len(regs))
		}
		// Five pages at two per window: two waits of a window each.
		if got := time.Since(start); got != 2*time.Minute {
			t.Errorf("took %v, want 2m", got)
		}
		if n := e.sim.Stats().Throttled; n != 0 {
			t.Errorf("the sim refused %d requests; the client should have waited instead", n)
		}
	})
}

func TestClient_RetriesServerErrorsOnlyForSafeCalls(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		call      func(context.Context, *ringcentral.Client) error
		wantCalls int32
		wantErr   bool
	}{
		{"GET is retried", func(ctx context.Context, c *ringcentral.Client) error {
			_, err := c.Subscriptions(ctx)
			return err
		}, 2, false},
		{"POST is not", func(ctx context.Context, c *ringcentral.Client) error {
			_, err := c.CreateSubscription(ctx, ringcentral.NewSubscription{Address: hookURL})
			return err
		}, 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				var calls atomic.Int32
				h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if calls.Add(1) == 1 {
						w.WriteHeader(http.StatusServiceUnavailable)
						return
					}
					w.Write([]byte(`{"records":[]}`))
				})
				c := ringcentral.NewClient(serverURL, oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "x"}),
					ringcentral.WithHTTPClient(&http.Client{Transport: rcsim.Transport(h)}))
				err := tt.call(t.Context(), c)
				if (err != nil) != tt.wantErr || calls.Load() != tt.wantCalls {
					t.Fatalf("err = %v after %d calls; want error %v after %d", err, calls.Load(), tt.wantErr, tt.wantCalls)
				}
				if err != nil && ringcentral.Classify(err).Kind != ringcentral.ProblemDown {
					t.Errorf("Classify = %+v, want %s", ringcentral.Classify(err), ringcentral.ProblemDown)
				}
			})
		})
	}
}

func TestClient_RefreshesOnceOn401(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, rcsim.Config{JWT: "jwt-cred"})
		tok, err := ringcentral.JWTLogin(t.Context(), e.conf, e.hc, "jwt-cred")
		if err != nil {
			t.Fatal(err)
		}
		stale := *tok
		stale.AccessToken = "refused"
		var saved int
		ts := ringcentral.NewTokenSource(ringcentral.TokenSourceConfig{OAuth: e.conf, HTTP: e.hc, Save: func(*oauth2.Token) { saved++ }}, &stale)
		c := ringcentral.NewClient(serverURL, ts, ringcentral.WithHTTPClient(e.hc))
		if _, err := c.Webinars(t.Context()); err != nil {
			t.Fatalf("Webinars = %v, want a refresh and success", err)
		}
		if saved != 1 {
			t.Errorf("saved %d tokens, want 1", saved)
		}
	})
}

func TestClient_WithoutLoginIsNotLoggedIn(t *testing.T) {
	t.Parallel()
	_, err := ringcentral.NewClient(serverURL, nil).Webinars(t.Context())
	if got := ringcentral.Classify(err).Kind; got != ringcentral.ProblemNotLoggedIn {
		t.Errorf("Classify = %s, want %s", got, ringcentral.ProblemNotLoggedIn)
	}
}
