package gotowebinar_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/oauth2"

	"webinarsync/gotowebinar"
	"webinarsync/gotowebinar/gotosim"
)

const (
	testClientID     = "client-id"
	testClientSecret = "client-secret"
	testRedirect     = "http://127.0.0.1:7777/oauth/callback"
)

// simClock is a settable gotosim.Config.Now.
type simClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *simClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.t.IsZero() {
		return time.Now()
	}
	return c.t
}

// Advance moves the sim's clock d past the real one.
func (c *simClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.t.IsZero() {
		c.t = time.Now()
	}
	c.t = c.t.Add(d)
}

// request is one request the sim was sent.
type request struct {
	method, path string
	query        url.Values
	body         []byte
}

// simEnv is the real simulator, on a loopback server or in memory, with
// every request recorded and an optional front handler to make GoTo
// misbehave.
type simEnv struct {
	sim   *gotosim.Sim
	srv   *httptest.Server // nil when the sim is served in memory
	url   string           // the sim's root
	hc    *http.Client     // reaches the sim and callbacks in memory; nil over loopback
	clock *simClock

	mu   sync.Mutex
	reqs []request
}

// Hosts of the in-memory sim and of the callback it validates.
const (
	memSimHost      = "gotosim.test"
	memCallbackHost = "callback.test"
)

// startSim serves a sim on a loopback server; front, when set, may answer
// a request itself (returning true) before the sim sees it.
func startSim(t *testing.T, front func(w http.ResponseWriter, r *http.Request, body []byte) bool) *simEnv {
	t.Helper()
	env := newSimEnv(nil)
	env.srv = httptest.NewServer(env.handler(front))
	t.Cleanup(env.srv.Close)
	env.url = env.srv.URL
	return env
}

// startSimInMemory is startSim without the network, for synctest bubbles,
// whose clock cannot advance while a goroutine waits on a real socket. The
// sim validates callback URLs on memCallbackHost, which answers 200.
func startSimInMemory(t *testing.T, front func(w http.ResponseWriter, r *http.Request, body []byte) bool) *simEnv {
	t.Helper()
	routes := memTransport{memCallbackHost: http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})}
	hc := &http.Client{Transport: routes}
	env := newSimEnv(hc)
	routes[memSimHost] = env.handler(front)
	env.url, env.hc = "http://"+memSimHost, hc
	return env
}

// newSimEnv makes the sim; hc (nil: the sim's default) is how it reaches
// callbacks.
func newSimEnv(hc *http.Client) *simEnv {
	env := &simEnv{clock: &simClock{}}
	// A fixed seed: the same simulated data on every run.
	env.sim = gotosim.New(gotosim.Config{Seed: 42, Now: env.clock.Now, ClientID: testClientID, ClientSecret: testClientSecret, Client: hc})
	return env
}

// handler records each request, lets front answer it, or hands it to the sim.
func (e *simEnv) handler(front func(w http.ResponseWriter, r *http.Request, body []byte) bool) http.Handler {
	h := e.sim.Handler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		e.mu.Lock()
		e.reqs = append(e.reqs, request{method: r.Method, path: r.URL.Path, query: r.URL.Query(), body: body})
		e.mu.Unlock()
		if front != nil && front(w, r, body) {
			return
		}
		h.ServeHTTP(w, r)
	})
}

// memTransport serves each request in memory with the handler of its host.
type memTransport map[string]http.Handler

func (m memTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		defer req.Body.Close()
	}
	h, ok := m[req.URL.Host]
	if !ok {
		return nil, fmt.Errorf("dial tcp: lookup %s: no such host", req.URL.Host)
	}
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	// The handler sees the request as a server would: a path, not a URL.
	in := req.Clone(req.Context())
	in.RequestURI = req.URL.RequestURI()
	in.URL = &url.URL{Path: req.URL.Path, RawPath: req.URL.RawPath, RawQuery: req.URL.RawQuery}
	in.RemoteAddr = "192.0.2.1:50000"
	if in.Body == nil {
		in.Body = http.NoBody
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, in)
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}

// callbackURL is a webhook callback that answers GoTo's validation GET
// with 200, as our webhook listener does.
func (e *simEnv) callbackURL(t *testing.T) string {
	if e.hc != nil {
		return "http://" + memCallbackHost + gotowebinar.WebhookPath
	}
	return callbackServer(t)
}

func (e *simEnv) count(method, path string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, r := range e.reqs {
		if r.method == method && r.path == path {
			n++
		}
	}
	return n
}

func (e *simEnv) requests(method, path string) []request {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []request
	for _, r := range e.reqs {
		if r.method == method && r.path == path {
			out = append(out, r)
		}
	}
	return out
}

func (e *simEnv) conf() *oauth2.Config {
	return gotowebinar.OAuthConfig(testClientID, testClientSecret, e.url+"/oauth/authorize", e.url+"/oauth/token", testRedirect)
}

// login runs the authorization-code flow against the sim as a browser
// would and returns the tokens.
func (e *simEnv) login(t *testing.T) *oauth2.Token {
	t.Helper()
	conf := e.conf()
	start := gotowebinar.StartLogin(conf)
	u, err := url.Parse(start.URL)
	if err != nil {
		t.Fatal(err)
	}
	if q := u.Query(); q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("state") != start.State {
		t.Fatalf("authorize URL %s lacks state or PKCE S256", start.URL)
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if e.hc != nil {
		noFollow.Transport = e.hc.Transport
	}
	resp, err := noFollow.Get(start.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Query().Get("state") != start.State {
		t.Fatalf("authorize redirected to %q", resp.Header.Get("Location"))
	}
	tok, err := gotowebinar.ExchangeCode(t.Context(), conf, e.hc, loc.Query().Get("code"), start.Verifier)
	if err != nil {
		t.Fatalf("ExchangeCode: %v", err)
	}
	return tok
}

// savedTokens records what a TokenSource asks to save.
type savedTokens struct {
	mu   sync.Mutex
	toks []*oauth2.Token
}

func (s *savedTokens) save(t *oauth2.Token) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.toks = append(s.toks, t)
}

func (s *savedTokens) all() []*oauth2.Token {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*oauth2.Token(nil), s.toks...)
}

func newClient(e *simEnv, ts oauth2.TokenSource, opts ...gotowebinar.Option) *gotowebinar.Client {
	opts = append([]gotowebinar.Option{gotowebinar.WithRateLimit(0), gotowebinar.WithRetries(5, time.Millisecond)}, opts...)
	return gotowebinar.NewClient(e.url+"/G2W/rest/v2", ts, append(e.clientOptions(), opts...)...)
}

// clientOptions make a Client reach the sim the way this env serves it.
func (e *simEnv) clientOptions() []gotowebinar.Option {
	if e.hc == nil {
		return nil
	}
	return []gotowebinar.Option{gotowebinar.WithHTTPClient(e.hc)}
}

// callbackServer answers GoTo's validation GET with 200, as our webhook
// listener does.
func callbackServer(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	t.Cleanup(srv.Close)
	return srv.URL + gotowebinar.WebhookPath
}

func TestLogin_TokenResponseNamesTheOrganizer(t *testing.T) {
	t.Parallel()
	// The old token host's shape, which named the organizer; today's names
	// only a principal, and gotowebinar/login asks GoTo's profile instead.
	env := newSimEnv(nil)
	env.sim = gotosim.New(gotosim.Config{Seed: 42, Now: env.clock.Now, ClientID: testClientID, ClientSecret: testClientSecret, LegacyTokenKeys: true})
	env.srv = httptest.NewServer(env.handler(nil))
	t.Cleanup(env.srv.Close)
	env.url = env.srv.URL
	tok := env.login(t)
	id := gotowebinar.IdentityFromToken(tok)
	if id.OrganizerKey != gotowebinar.Key(env.sim.OrganizerKey()) || id.AccountKey == "" || id.Email != gotosim.OrganizerEmail {
		t.Errorf("identity %+v, want organizer %s", id, env.sim.OrganizerKey())
	}
	if got := id.Name(); got != "Maren Solberg (maren.solberg@example.com)" {
		t.Errorf("Name() = %q", got)
	}
	// The token request authenticated with HTTP Basic, not form fields.
	reqs := env.requests("POST", "/oauth/token")
	if len(reqs) != 1 || strings.Contains(string(reqs[0].body), "client_secret") {
		t.Errorf("token request body %q carries the client secret; want HTTP Basic", reqs[0].body)
	}
}

func TestClient_RefreshesOnInvalidTokenThenRetriesOnce(t *testing.T) {
	t.Parallel()
	env := startSim(t, nil)
	tok := env.login(t)
	var saved savedTokens
	ts := gotowebinar.NewTokenSource(env.conf(), nil, tok, saved.save)
	c := newClient(env, ts)

	// GoTo's clock runs past the token's hour while ours says it is fresh:
	// GoTo answers 403 InvalidToken, as for a revoked token.
	env.clock.Advance(2 * time.Hour)
	if _, err := c.ListWebhooks(t.Context()); err != nil {
		t.Fatalf("ListWebhooks after the token went stale at GoTo: %v", err)
	}
	if n := env.count("GET", "/G2W/rest/v2/webhooks"); n != 2 {
		t.Errorf("%d GET /webhooks, want 2 (refused, then retried)", n)
	}
	if n := env.count("POST", "/oauth/token"); n != 2 {
		t.Errorf("%d token requests, want 2 (login, one refresh)", n)
	}
	got := saved.all()
	if len(got) != 1 || got[0].AccessToken == tok.AccessToken || got[0].RefreshToken != tok.RefreshToken {
		t.Fatalf("saved %d tokens (%+v); want the one refreshed token, same refresh token", len(got), got)
	}
	if cur := ts.Current(); cur.AccessToken != got[0].AccessToken {
		t.Error("the token source does not hand out the refreshed token")
	}
}

func TestClient_GivesUpWhenTheRefreshedTokenIsRefusedToo(t *testing.T) {
	t.Parallel()
	env := startSim(t, func(w http.ResponseWriter, r *http.Request, _ []byte) bool {
		if strings.HasSuffix(r.URL.Path, "/webhooks") {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, `{"int_err_code":"InvalidToken","msg":"Invalid token passed"}`)
			return true
		}
		return false
	})
	ts := gotowebinar.NewTokenSource(env.conf(), nil, env.login(t), nil)
	_, err := newClient(env, ts).ListWebhooks(t.Context())
	if !gotowebinar.IsInvalidToken(err) {
		t.Fatalf("err = %v, want InvalidToken", err)
	}
	if n := env.count("GET", "/G2W/rest/v2/webhooks"); n != 2 {
		t.Errorf("%d calls, want 2: one refresh, one retry, no loop", n)
	}
	var apiErr *gotowebinar.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 403 || apiErr.Code != "InvalidToken" || apiErr.Message != "Invalid token passed" {
		t.Errorf("APIError %+v", apiErr)
	}
}

func TestTokenSource_KeepsTheRefreshTokenWhenTheAnswerOmitsIt(t *testing.T) {
	t.Parallel()
	var env *simEnv
	env = startSim(t, func(w http.ResponseWriter, r *http.Request, body []byte) bool {
		if r.URL.Path != "/oauth/token" || !strings.Contains(string(body), "grant_type=refresh_token") {
			return false
		}
		rec := httptest.NewRecorder()
		env.sim.Handler().ServeHTTP(rec, r)
		var m map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
			t.Errorf("sim token answer: %v", err)
		}
		delete(m, "refresh_token")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rec.Code)
		json.NewEncoder(w).Encode(m)
		return true
	})
	tok := env.login(t)
	var saved savedTokens
	ts := gotowebinar.NewTokenSource(env.conf(), nil, tok, saved.save)
	fresh, err := ts.Refresh(t.Context(), tok)
	if err != nil {
		t.Fatal(err)
	}
	if fresh.RefreshToken != tok.RefreshToken || fresh.AccessToken == tok.AccessToken {
		t.Errorf("refreshed token %+v lost the refresh token", fresh)
	}
	if got := saved.all(); len(got) != 1 || got[0].RefreshToken != tok.RefreshToken {
		t.Errorf("saved %+v, want the old refresh token kept", got)
	}
	// And it still refreshes with it.
	if _, err := ts.Refresh(t.Context(), fresh); err != nil {
		t.Errorf("second refresh with the kept refresh token: %v", err)
	}
}

func TestTokenSource_RefreshesAheadOfExpiry(t *testing.T) {
	t.Parallel()
	env := startSim(t, nil)
	tok := env.login(t)
	tok.Expiry = time.Now().Add(gotowebinar.RefreshEarly / 2) // still valid, but not for long
	var saved savedTokens
	got, err := gotowebinar.NewTokenSource(env.conf(), nil, tok, saved.save).Token()
	if err != nil {
		t.Fatal(err)
	}
	if got.AccessToken == tok.AccessToken || len(saved.all()) != 1 {
		t.Error("a token about to expire was handed out instead of refreshed")
	}
	// A fresh one is handed out as it is.
	again, err := gotowebinar.NewTokenSource(env.conf(), nil, got, saved.save).Token()
	if err != nil || again.AccessToken != got.AccessToken {
		t.Errorf("a fresh token was refreshed: %v", err)
	}
}

func TestTokenSource_RefusedRefreshMeansLogInAgain(t *testing.T) {
	t.Parallel()
	env := startSim(t, nil)
	tok := &oauth2.Token{AccessToken: "stale", RefreshToken: "unknown-to-goto", Expiry: time.Now().Add(-time.Minute)}
	_, err := gotowebinar.NewTokenSource(env.conf(), nil, tok, nil).Token()
	if !errors.Is(err, gotowebinar.ErrLoginExpired) {
		t.Errorf("err = %v, want ErrLoginExpired", err)
	}
	// GoTo unreachable is not an expired login.
	env.srv.Close()
	_, err = gotowebinar.NewTokenSource(env.conf(), nil, tok, nil).Token()
	if err == nil || errors.Is(err, gotowebinar.ErrLoginExpired) {
		t.Errorf("err = %v, want a network error that is not ErrLoginExpired", err)
	}
}

func TestClient_WebhookLifecycleAgainstTheSim(t *testing.T) {
	t.Parallel()
	env := startSim(t, nil)
	c := newClient(env, oauth2.StaticTokenSource(env.login(t)))
	ctx := t.Context()
	cb := callbackServer(t)

	key, err := c.CreateSecretKey(ctx, time.Time{})
	if err != nil || key.ID == "" || key.Value != env.sim.SecretKey() || key.ValidFrom.IsZero() {
		t.Fatalf("CreateSecretKey = %+v, %v; sim signs with %q", key, err, env.sim.SecretKey())
	}
	var news []gotowebinar.NewWebhook
	for _, name := range gotowebinar.EventNames() {
		news = append(news, gotowebinar.NewWebhook{CallbackURL: cb, EventName: name})
	}
	created, err := c.CreateWebhooks(ctx, news)
	if err != nil || len(created) != 4 {
		t.Fatalf("CreateWebhooks = %d, %v", len(created), err)
	}
	for _, h := range created {
		if h.State != gotowebinar.StateInactive || h.WebhookKey == "" || h.CallbackURL != cb || h.CreateTime.IsZero() {
			t.Errorf("created %+v", h)
		}
	}
	var ups []gotowebinar.WebhookUpdate
	for _, h := range created {
		ups = append(ups, gotowebinar.WebhookUpdate{WebhookKey: h.WebhookKey, State: gotowebinar.StateActive})
	}
	if err := c.UpdateWebhooks(ctx, ups); err != nil {
		t.Fatalf("UpdateWebhooks: %v", err)
	}
	listed, err := c.ListWebhooks(ctx)
	if err != nil || len(listed) != 4 || listed[0].State != gotowebinar.StateActive {
		t.Fatalf("ListWebhooks = %+v, %v", listed, err)
	}
	subs, err := c.CreateUserSubscriptions(ctx, []gotowebinar.NewUserSubscription{{WebhookKey: created[0].WebhookKey, CallbackURL: cb, UserSubscriptionState: gotowebinar.StateActive}})
	if err != nil || len(subs) != 1 || subs[0].ActivationState != gotowebinar.StateActive {
		t.Fatalf("CreateUserSubscriptions = %+v, %v", subs, err)
	}
	if err := c.UpdateUserSubscriptions(ctx, []gotowebinar.UserSubscriptionUpdate{{
		UserSubscriptionKey: subs[0].UserSubscriptionKey, WebhookKey: subs[0].WebhookKey, UserSubscriptionState: gotowebinar.StateInactive,
	}}); err != nil {
		t.Fatalf("UpdateUserSubscriptions: %v", err)
	}
	all, err := c.ListUserSubscriptions(ctx)
	if err != nil || len(all) != 1 || all[0].UserSubscriptionState != gotowebinar.StateInactive || all[0].ActivationState != gotowebinar.StateInactive {
		t.Fatalf("ListUserSubscriptions = %+v, %v", all, err)
	}
	if err := c.DeleteUserSubscriptions(ctx, []gotowebinar.Key{subs[0].UserSubscriptionKey}); err != nil {
		t.Fatalf("DeleteUserSubscriptions (answered 202): %v", err)
	}
	keys := []gotowebinar.Key{}
	for _, h := range created {
		keys = append(keys, h.WebhookKey)
	}
	if err := c.DeleteWebhooks(ctx, keys); err != nil {
		t.Fatalf("DeleteWebhooks (answered 202): %v", err)
	}
	if left, err := c.ListWebhooks(ctx); err != nil || len(left) != 0 {
		t.Errorf("after DeleteWebhooks: %d left, %v", len(left), err)
	}
	for _, r := range env.requests("GET", "/G2W/rest/v2/webhooks") {
		if r.query.Get("product") != "g2w" {
			t.Errorf("GET /webhooks without product=g2w: %v", r.query)
		}
	}
}

// fixedAPI answers every call with one status and body.
func fixedAPI(t *testing.T, status int, body string) *gotowebinar.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if body != "" {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return gotowebinar.NewClient(srv.URL, oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "t"}), gotowebinar.WithRateLimit(0))
}

func TestClient_ReadsEveryShapeGoToAnswersWith(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		status   int
		body     string
		wantKeys []gotowebinar.Key
		wantSt   string
	}{
		{"v2 _embedded", 200, `{"_embedded":{"webhooks":[{"webhookKey":"a-1","eventName":"registrant.added","state":"ACTIVE"}]}}`, []gotowebinar.Key{"a-1"}, "ACTIVE"},
		{"bare array, webhookState", 200, `[{"webhookKey":"a-1","webhookState":"INACTIVE"}]`, []gotowebinar.Key{"a-1"}, "INACTIVE"},
		{"numeric key", 201, `[{"webhookKey":12345678901234567890123,"state":"ACTIVE"}]`, []gotowebinar.Key{"12345678901234567890123"}, "ACTIVE"},
		{"unwrapped field", 200, `{"webhooks":[{"webhookKey":"b"}]}`, []gotowebinar.Key{"b"}, ""},
		{"empty _embedded", 200, `{"_embedded":{}}`, nil, ""},
		{"no content", 204, ``, nil, ""},
		{"createTime in ms", 200, `[{"webhookKey":"c","createTime":1700000000000}]`, []gotowebinar.Key{"c"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := fixedAPI(t, tt.status, tt.body).ListWebhooks(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.wantKeys) {
				t.Fatalf("got %d webhooks, want %d", len(got), len(tt.wantKeys))
			}
			for i, h := range got {
				if h.WebhookKey != tt.wantKeys[i] || h.State != tt.wantSt {
					t.Errorf("webhook %d = %+v", i, h)
				}
			}
		})
	}
	// Mutations take 200, 201, 202 and 204 alike.
	for _, status := range []int{200, 201, 202, 204} {
		if err := fixedAPI(t, status, "").DeleteWebhooks(t.Context(), []gotowebinar.Key{"x"}); err != nil {
			t.Errorf("DELETE answered %d: %v", status, err)
		}
	}
	// A secret key id is an integer in the spec; a string is fine too.
	for _, body := range []string{`{"id":123456789012,"value":"v","validFrom":"2026-01-02T03:04:05Z"}`, `{"id":"k-1","value":"v"}`} {
		k, err := fixedAPI(t, 200, body).CreateSecretKey(t.Context(), time.Time{})
		if err != nil || k.ID == "" || k.Value != "v" {
			t.Errorf("CreateSecretKey from %s = %+v, %v", body, k, err)
		}
	}
}

func TestClient_ErrorsCarryGoTosCodeAndMessage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status          int
		body, code, msg string
	}{
		{403, `{"int_err_code":"InvalidToken","msg":"Invalid token passed"}`, "InvalidToken", "Invalid token passed"},
		{400, `{"errorCode":"InvalidRequest","description":"callbackUrl is required","incident":"x"}`, "InvalidRequest", "callbackUrl is required"},
		{404, `{"errorCode":"NotFound","description":"webhook \"x\" not found"}`, "NotFound", `webhook "x" not found`},
		{409, `plain text`, "", "plain text"},
	}
	for _, tt := range tests {
		err := fixedAPI(t, tt.status, tt.body).UpdateWebhooks(t.Context(), []gotowebinar.WebhookUpdate{{WebhookKey: "x", State: "ACTIVE"}})
		var apiErr *gotowebinar.APIError
		if !errors.As(err, &apiErr) || apiErr.Status != tt.status || apiErr.Code != tt.code || apiErr.Message != tt.msg {
			t.Errorf("%d %s: err %v (%+v)", tt.status, tt.body, err, apiErr)
		}
	}
	if !gotowebinar.IsNotFound(fixedAPI(t, 404, "").DeleteWebhooks(t.Context(), []gotowebinar.Key{"x"})) {
		t.Error("IsNotFound is false for a 404")
	}
}

func TestClient_Honours429AndRetryAfter(t *testing.T) {
	t.Parallel()
	// Virtual time: Retry-After's second passes without being waited for.
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		var storm int
		env := startSimInMemory(t, func(w http.ResponseWriter, r *http.Request, _ []byte) bool {
			if !strings.HasSuffix(r.URL.Path, "/webhooks") {
				return false
			}
			mu.Lock()
			defer mu.Unlock()
			if storm > 0 {
				storm--
				if storm == 0 {
					w.Header().Set("Retry-After", "1")
				}
				w.WriteHeader(http.StatusTooManyRequests)
				return true
			}
			return false
		})
		c := newClient(env, oauth2.StaticTokenSource(env.login(t)))
		cb := env.callbackURL(t)

		// A storm of three 429s, the last asking for a second's pause: the
		// call (a POST, retried since GoTo did nothing) succeeds after it.
		mu.Lock()
		storm = 3
		mu.Unlock()
		start := time.Now()
		created, err := c.CreateWebhooks(t.Context(), []gotowebinar.NewWebhook{{CallbackURL: cb, EventName: gotowebinar.EventRegistrantAdded}})
		if err != nil || len(created) != 1 {
			t.Fatalf("CreateWebhooks through a 429 storm: %v", err)
		}
		if d := time.Since(start); d < time.Second {
			t.Errorf("retried after %v, want at least Retry-After's 1s", d)
		}
		if n := env.count("POST", "/G2W/rest/v2/webhooks"); n != 4 {
			t.Errorf("%d POSTs, want 4 (three 429s, then created)", n)
		}

		// A storm longer than the retries: the 429 comes back as the error.
		mu.Lock()
		storm = 100
		mu.Unlock()
		_, err = c.ListWebhooks(t.Context())
		var apiErr *gotowebinar.APIError
		if !errors.As(err, &apiErr) || apiErr.Status != http.StatusTooManyRequests {
			t.Errorf("endless 429s: err %v, want the 429", err)
		}
	})
}

func TestClient_RetriesGETOn5xxButNeverPOST(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	fails := map[string]int{}
	env := startSim(t, func(w http.ResponseWriter, r *http.Request, _ []byte) bool {
		mu.Lock()
		defer mu.Unlock()
		if fails[r.Method] > 0 && strings.HasSuffix(r.URL.Path, "/webhooks") {
			fails[r.Method]--
			w.WriteHeader(http.StatusServiceUnavailable)
			return true
		}
		return false
	})
	c := newClient(env, oauth2.StaticTokenSource(env.login(t)))
	mu.Lock()
	fails["GET"], fails["POST"] = 2, 1
	mu.Unlock()
	if _, err := c.ListWebhooks(t.Context()); err != nil {
		t.Errorf("GET after two 503s: %v", err)
	}
	_, err := c.CreateWebhooks(t.Context(), []gotowebinar.NewWebhook{{CallbackURL: callbackServer(t), EventName: gotowebinar.EventRegistrantAdded}})
	var apiErr *gotowebinar.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 503 {
		t.Errorf("POST after a 503: %v, want the 503 (a retry might create a second webhook)", err)
	}
	if n := env.count("POST", "/G2W/rest/v2/webhooks"); n != 1 {
		t.Errorf("%d POSTs, want 1", n)
	}
}

func TestClient_NeverExceedsTheRateLimit(t *testing.T) {
	t.Parallel()
	// Virtual time: the limiter's spacing is measured exactly, not waited for.
	synctest.Test(t, func(t *testing.T) {
		env := startSimInMemory(t, nil)
		c := gotowebinar.NewClient(env.url, oauth2.StaticTokenSource(env.login(t)), env.clientOptions()...) // the default limit
		start := time.Now()
		var wg sync.WaitGroup
		for range 10 {
			wg.Go(func() {
				if _, err := c.ListWebhooks(t.Context()); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		// Ten requests at under 10 per second: the tenth starts after 9 gaps
		// (each a whole number of nanoseconds, as the limiter keeps them).
		if d, least := time.Since(start), 9*(time.Second/gotowebinar.DefaultRequestsPerSecond); d < least {
			t.Errorf("10 requests took %v, want at least %v", d, least)
		}
		if got := env.sim.MaxPerSecond(); got > 10 {
			t.Errorf("%d requests arrived within one second, want at most 10", got)
		}
	})
}
