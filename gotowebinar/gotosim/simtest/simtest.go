// Package simtest serves the GoTo simulator to tests: on a loopback
// server that records every request and can be told to misbehave, with
// GoTo's endpoints for it and the login driven as a browser would.
package simtest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"webinarsync/gotowebinar/gotosim"
	"webinarsync/gotowebinar/login"
)

// The OAuth client the simulator knows.
const (
	ClientID     = "client-id"
	ClientSecret = "client-secret"
	RedirectURI  = "http://127.0.0.1:7777/oauth/callback"
)

// apiPrefix is GoTo's API path before every resource.
const apiPrefix = "/G2W/rest/v2"

// Server is the real simulator on a loopback server. Every request is
// recorded; front, when set, may answer one itself to make GoTo misbehave.
type Server struct {
	Sim *gotosim.Sim
	srv *httptest.Server

	mu    sync.Mutex
	reqs  []Request
	front func(w http.ResponseWriter, r *http.Request, body []byte) bool
}

// Request is one request the simulator got, its path without GoTo's prefix.
type Request struct {
	Method, Path string
	Body         []byte
}

// Start serves a new simulator until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	return StartWith(t, gotosim.Config{})
}

// StartWith serves a simulator made with cfg (its OAuth client and retry
// backoff filled in) until the test ends.
func StartWith(t testing.TB, cfg gotosim.Config) *Server {
	t.Helper()
	cfg.ClientID, cfg.ClientSecret = ClientID, ClientSecret
	if cfg.RetryBackoff == 0 {
		cfg.RetryBackoff = time.Millisecond
	}
	g := &Server{Sim: gotosim.New(cfg)}
	h := g.Sim.Handler()
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		g.mu.Lock()
		g.reqs = append(g.reqs, Request{Method: r.Method, Path: strings.TrimPrefix(r.URL.Path, apiPrefix), Body: body})
		front := g.front
		g.mu.Unlock()
		if front != nil && front(w, r, body) {
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(g.srv.Close)
	return g
}

// URL is the simulator's base URL.
func (g *Server) URL() string { return g.srv.URL }

// SetFront lets f answer requests first; it returns true when it did.
func (g *Server) SetFront(f func(w http.ResponseWriter, r *http.Request, body []byte) bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.front = f
}

// Endpoints are the simulator's OAuth client and endpoints.
func (g *Server) Endpoints() login.Endpoints {
	return login.Endpoints{
		ClientID: ClientID, ClientSecret: ClientSecret,
		AuthURL: g.srv.URL + "/oauth/authorize", TokenURL: g.srv.URL + "/oauth/token", APIURL: g.srv.URL + apiPrefix,
	}
}

// Requests are the requests with this method and path (without GoTo's prefix).
func (g *Server) Requests(method, path string) []Request {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []Request
	for _, r := range g.reqs {
		if r.Method == method && r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

// Count is how many requests had this method and path.
func (g *Server) Count(method, path string) int { return len(g.Requests(method, path)) }

// list reads a listing from the sim as GoTo's own console would.
func (g *Server) list(t testing.TB, path string, v any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, g.srv.URL+apiPrefix+path+"?product=g2w", nil)
	req.Header.Set("Authorization", "Bearer "+g.Sim.IssueToken())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

// Webhooks are the webhooks GoTo holds now.
func (g *Server) Webhooks(t testing.TB) []gotosim.WebhookJSON {
	t.Helper()
	var out struct {
		Embedded struct {
			Webhooks []gotosim.WebhookJSON `json:"webhooks"`
		} `json:"_embedded"`
	}
	g.list(t, "/webhooks", &out)
	return out.Embedded.Webhooks
}

// Subscriptions are the user subscriptions GoTo holds now.
func (g *Server) Subscriptions(t testing.TB) []gotosim.SubscriptionJSON {
	t.Helper()
	var out struct {
		Embedded struct {
			UserSubscriptions []gotosim.SubscriptionJSON `json:"userSubscriptions"`
		} `json:"_embedded"`
	}
	g.list(t, "/userSubscriptions", &out)
	return out.Embedded.UserSubscriptions
}
