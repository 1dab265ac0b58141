package app

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"webinarsync/gotowebinar"
	"webinarsync/gotowebinar/gotosim"
	"webinarsync/store"
	"webinarsync/ui"
)

const (
	simClientID     = "client-id"
	simClientSecret = "client-secret"
	testRedirectURI = "http://127.0.0.1:7777/oauth/callback"
)

// goToSim is the real simulator on a loopback server. Every request is
// recorded; front, when set, may answer one itself to make GoTo misbehave.
type goToSim struct {
	sim *gotosim.Sim
	srv *httptest.Server

	mu    sync.Mutex
	reqs  []simRequest
	front func(w http.ResponseWriter, r *http.Request, body []byte) bool
}

type simRequest struct {
	method, path string
	body         []byte
}

func startGoToSim(t testing.TB) *goToSim {
	t.Helper()
	g := &goToSim{sim: gotosim.New(gotosim.Config{ClientID: simClientID, ClientSecret: simClientSecret, RetryBackoff: time.Millisecond})}
	h := g.sim.Handler()
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		g.mu.Lock()
		g.reqs = append(g.reqs, simRequest{method: r.Method, path: strings.TrimPrefix(r.URL.Path, "/G2W/rest/v2"), body: body})
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

func (g *goToSim) setFront(f func(w http.ResponseWriter, r *http.Request, body []byte) bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.front = f
}

func (g *goToSim) config() GoToConfig {
	return GoToConfig{
		ClientID: simClientID, ClientSecret: simClientSecret,
		AuthURL: g.srv.URL + "/oauth/authorize", TokenURL: g.srv.URL + "/oauth/token", APIURL: g.srv.URL + "/G2W/rest/v2",
	}
}

func (g *goToSim) requests(method, path string) []simRequest {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []simRequest
	for _, r := range g.reqs {
		if r.method == method && r.path == path {
			out = append(out, r)
		}
	}
	return out
}

func (g *goToSim) count(method, path string) int { return len(g.requests(method, path)) }

// list reads a listing from the sim as GoTo's own console would.
func (g *goToSim) list(t *testing.T, path string, v any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, g.srv.URL+path+"?product=g2w", nil)
	req.Header.Set("Authorization", "Bearer "+g.sim.IssueToken())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

func (g *goToSim) webhooks(t *testing.T) []gotosim.WebhookJSON {
	t.Helper()
	var out struct {
		Embedded struct {
			Webhooks []gotosim.WebhookJSON `json:"webhooks"`
		} `json:"_embedded"`
	}
	g.list(t, "/webhooks", &out)
	return out.Embedded.Webhooks
}

func (g *goToSim) subscriptions(t *testing.T) []gotosim.SubscriptionJSON {
	t.Helper()
	var out struct {
		Embedded struct {
			UserSubscriptions []gotosim.SubscriptionJSON `json:"userSubscriptions"`
		} `json:"_embedded"`
	}
	g.list(t, "/userSubscriptions", &out)
	return out.Embedded.UserSubscriptions
}

func quietLog() *slog.Logger { return slog.New(slog.DiscardHandler) }

func openTestStore(t testing.TB, dir string) *store.Store {
	t.Helper()
	st, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// listen serves our real webhook receiver over st, as Run does, and
// returns its base URL.
func listen(t *testing.T, st *store.Store) string {
	t.Helper()
	rcv := gotowebinar.NewReceiver(secretKeys(st, ""), st, quietLog())
	srv := httptest.NewServer(gotowebinar.WebhookHandler(rcv))
	t.Cleanup(srv.Close)
	return srv.URL
}

func newTestAccount(t testing.TB, st *store.Store, gc GoToConfig, tweak ...func(*goToAccountConfig)) *goToAccount {
	t.Helper()
	c := goToAccountConfig{Store: st, Logger: quietLog(), GoTo: gc, RateLimit: -1, RetryBackoff: time.Millisecond}
	for _, f := range tweak {
		f(&c)
	}
	a, err := newGoToAccount(c)
	if err != nil {
		t.Fatal(err)
	}
	a.activationBackoff = time.Millisecond
	return a
}

func logIn(t testing.TB, a *goToAccount) {
	t.Helper()
	if err := autoLogin(t.Context(), a, testRedirectURI); err != nil {
		t.Fatalf("login: %v", err)
	}
}

// checkSetup asserts GoTo holds exactly our four webhooks, active, each
// with one active subscription delivering to callback.
func checkSetup(t *testing.T, g *goToSim, callback string) []gotosim.WebhookJSON {
	t.Helper()
	hooks := g.webhooks(t)
	var names []string
	for _, h := range hooks {
		names = append(names, h.EventName)
		if h.State != "ACTIVE" || h.CallbackURL != callback {
			t.Errorf("webhook %s: state %s, callback %s; want ACTIVE at %s", h.EventName, h.State, h.CallbackURL, callback)
		}
	}
	slices.Sort(names)
	want := slices.Sorted(slices.Values(gotowebinar.EventNames()))
	if !slices.Equal(names, want) {
		t.Errorf("GoTo has webhooks for %v, want exactly one each for %v", names, want)
	}
	subs := g.subscriptions(t)
	if len(subs) != len(hooks) {
		t.Errorf("%d subscriptions for %d webhooks", len(subs), len(hooks))
	}
	for _, s := range subs {
		if s.ActivationState != "ACTIVE" || s.CallbackURL != callback {
			t.Errorf("subscription to %s: activation %s, callback %s", s.EventName, s.ActivationState, s.CallbackURL)
		}
	}
	return hooks
}

func TestLifecycle_FromNothingRegistersActiveSubscribedWebhooks(t *testing.T) {
	g := startGoToSim(t)
	st := openTestStore(t, t.TempDir())
	base := listen(t, st)
	a := newTestAccount(t, st, g.config())
	logIn(t, a)
	if err := a.Repoint(t.Context(), base); err != nil {
		t.Fatalf("Repoint: %v", err)
	}
	callback := base + gotowebinar.WebhookPath
	checkSetup(t, g, callback)

	// The secret key GoTo signs with now is stored, with its validFrom.
	keys := st.SecretKeys()
	if len(keys) != 1 || keys[0].Value != g.sim.SecretKey() || keys[0].ValidFrom.IsZero() {
		t.Errorf("stored secret keys %+v; GoTo signs with %q", keys, g.sim.SecretKey())
	}
	// And a delivery GoTo makes now lands in the store.
	if _, err := g.sim.Deliver(t.Context(), gotosim.NewGenerator(1, nil).Next()); err != nil {
		t.Fatalf("Deliver: %v", err)
	}
	if c, _ := st.Counts(); c.Events != 1 {
		t.Errorf("%d events stored after one delivery", c.Events)
	}

	status := a.Webhooks(t.Context())
	if len(status) != 4 {
		t.Fatalf("%d webhook statuses", len(status))
	}
	for _, ws := range status {
		if ws.WebhookKey == "" || ws.State != "ACTIVE" || ws.UserSubscriptionState != "ACTIVE" || ws.ActivationState != "ACTIVE" ||
			ws.CallbackURL != callback || ws.Error != "" {
			t.Errorf("status %+v", ws)
		}
		if ws.EventName == gotowebinar.EventWebinarCreated && ws.LastDelivery.IsZero() {
			t.Error("webinar.created shows no last delivery")
		}
	}
	if l := a.Login(t.Context()); l.State != ui.LoginLoggedIn || l.Organizer != "Maren Solberg (maren.solberg@example.com)" {
		t.Errorf("Login() = %+v", l)
	}
}

func TestLifecycle_RunTwiceOrRestartedCreatesNoDuplicates(t *testing.T) {
	g := startGoToSim(t)
	dir := t.TempDir()
	st := openTestStore(t, dir)
	base := listen(t, st)
	a := newTestAccount(t, st, g.config())
	logIn(t, a)
	if err := a.Repoint(t.Context(), base); err != nil {
		t.Fatal(err)
	}
	first := checkSetup(t, g, base+gotowebinar.WebhookPath)
	if err := a.Sync(t.Context()); err != nil {
		t.Fatal(err)
	}
	// A restart: a new account over the same store.
	again := newTestAccount(t, st, g.config())
	if err := again.Repoint(t.Context(), base); err != nil {
		t.Fatal(err)
	}
	second := checkSetup(t, g, base+gotowebinar.WebhookPath)
	if !slices.EqualFunc(first, second, func(x, y gotosim.WebhookJSON) bool { return x.WebhookKey == y.WebhookKey }) {
		t.Error("the webhooks were replaced instead of reused")
	}
	if n := g.count("POST", "/webhooks"); n != 1 {
		t.Errorf("%d POST /webhooks, want 1", n)
	}
	if n := g.count("POST", "/userSubscriptions"); n != 1 {
		t.Errorf("%d POST /userSubscriptions, want 1", n)
	}
	if n := g.count("POST", "/webhooks/secretkey"); n != 1 {
		t.Errorf("%d secret keys made, want 1", n)
	}
}

func TestLifecycle_NewURLRepointsWebhooksAndSubscriptions(t *testing.T) {
	g := startGoToSim(t)
	st := openTestStore(t, t.TempDir())
	oldBase, newBase := listen(t, st), listen(t, st)
	a := newTestAccount(t, st, g.config())
	logIn(t, a)
	if err := a.Repoint(t.Context(), oldBase); err != nil {
		t.Fatal(err)
	}
	before := checkSetup(t, g, oldBase+gotowebinar.WebhookPath)

	// The tunnel came back at another URL, after a restart.
	restarted := newTestAccount(t, st, g.config())
	if err := restarted.Repoint(t.Context(), newBase); err != nil {
		t.Fatalf("Repoint to the new URL: %v", err)
	}
	after := checkSetup(t, g, newBase+gotowebinar.WebhookPath)
	if !slices.EqualFunc(before, after, func(x, y gotosim.WebhookJSON) bool { return x.WebhookKey == y.WebhookKey }) {
		t.Error("new webhooks were made instead of re-pointing ours")
	}
	if n := g.count("POST", "/webhooks"); n != 1 {
		t.Errorf("%d POST /webhooks, want 1", n)
	}
	var moved, subMoved int
	for _, r := range g.requests("PUT", "/webhooks") {
		if strings.Contains(string(r.body), newBase) {
			moved++
		}
	}
	for _, r := range g.requests("PUT", "/userSubscriptions") {
		if strings.Contains(string(r.body), newBase) && strings.Contains(string(r.body), "userSubscriptionKey") {
			subMoved++
		}
	}
	if moved != 1 || subMoved != 1 {
		t.Errorf("%d PUT /webhooks and %d PUT /userSubscriptions with the new callbackUrl, want one batch each", moved, subMoved)
	}
	for _, ws := range restarted.Webhooks(t.Context()) {
		if ws.CallbackURL != newBase+gotowebinar.WebhookPath {
			t.Errorf("status of %s shows callback %s", ws.EventName, ws.CallbackURL)
		}
	}
}

func TestLifecycle_RetriesActivationUntilGoToKnowsTheWebhook(t *testing.T) {
	g := startGoToSim(t)
	var mu sync.Mutex
	refusals := 2
	g.setFront(func(w http.ResponseWriter, r *http.Request, body []byte) bool {
		mu.Lock()
		defer mu.Unlock()
		if r.Method == "PUT" && strings.HasSuffix(r.URL.Path, "/webhooks") && strings.Contains(string(body), `"state":"ACTIVE"`) && refusals > 0 {
			refusals--
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"errorCode":"NotFound","description":"webhook not found"}`)
			return true
		}
		return false
	})
	st := openTestStore(t, t.TempDir())
	base := listen(t, st)
	a := newTestAccount(t, st, g.config())
	logIn(t, a)
	if err := a.Repoint(t.Context(), base); err != nil {
		t.Fatalf("Repoint: %v", err)
	}
	checkSetup(t, g, base+gotowebinar.WebhookPath)
	if n := g.count("PUT", "/webhooks"); n != 3 {
		t.Errorf("%d activation attempts, want 3 (two refusals, then done)", n)
	}
}

func TestLifecycle_DeletesOurDuplicatesButLeavesOthersAlone(t *testing.T) {
	g := startGoToSim(t)
	st := openTestStore(t, t.TempDir())
	base := listen(t, st)
	a := newTestAccount(t, st, g.config())
	logIn(t, a)
	if err := a.Repoint(t.Context(), base); err != nil {
		t.Fatal(err)
	}
	// Another copy of webinarsync with the same OAuth client, and a
	// duplicate of ours (as if a crash had left one behind).
	other, dup := listen(t, st), ""
	for i, cb := range []string{other + gotowebinar.WebhookPath, base + gotowebinar.WebhookPath} {
		req, _ := http.NewRequest("POST", g.srv.URL+"/webhooks", strings.NewReader(
			`[{"callbackUrl":"`+cb+`","eventName":"registrant.added","eventVersion":"1.0.0","product":"g2w"}]`))
		req.Header.Set("Authorization", "Bearer "+g.sim.IssueToken())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var out struct {
			Embedded struct{ Webhooks []gotosim.WebhookJSON } `json:"_embedded"`
		}
		json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		if i == 1 {
			dup = out.Embedded.Webhooks[0].WebhookKey
		}
	}
	rec, _ := a.loadRecord()
	rec.Webhooks = append(rec.Webhooks, gotowebinar.Key(dup))
	if err := a.saveRecord(rec); err != nil {
		t.Fatal(err)
	}

	if err := a.Sync(t.Context()); err != nil {
		t.Fatal(err)
	}
	var ours, theirs int
	for _, h := range g.webhooks(t) {
		switch {
		case h.WebhookKey == dup:
			t.Error("our duplicate webhook is still there")
		case strings.HasPrefix(h.CallbackURL, other):
			theirs++
		default:
			ours++
		}
	}
	if ours != 4 || theirs != 1 {
		t.Errorf("%d of ours and %d of the other copy's, want 4 and 1", ours, theirs)
	}
}

func TestLifecycle_SurveyIsOptInAndARefusalLeavesTheOthers(t *testing.T) {
	t.Run("accepted", func(t *testing.T) {
		g := startGoToSim(t)
		st := openTestStore(t, t.TempDir())
		a := newTestAccount(t, st, g.config(), func(c *goToAccountConfig) { c.SurveyEvents = true })
		logIn(t, a)
		if err := a.Repoint(t.Context(), listen(t, st)); err != nil {
			t.Fatal(err)
		}
		if n := len(g.webhooks(t)); n != 5 {
			t.Errorf("%d webhooks with survey.submitted opted in, want 5", n)
		}
	})
	t.Run("refused", func(t *testing.T) {
		g := startGoToSim(t)
		g.setFront(func(w http.ResponseWriter, r *http.Request, body []byte) bool {
			if r.Method == "POST" && strings.Contains(string(body), "survey.submitted") {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusBadRequest)
				io.WriteString(w, `{"errorCode":"InvalidRequest","description":"eventName survey.submitted is not supported"}`)
				return true
			}
			return false
		})
		st := openTestStore(t, t.TempDir())
		base := listen(t, st)
		a := newTestAccount(t, st, g.config(), func(c *goToAccountConfig) { c.SurveyEvents = true })
		logIn(t, a)
		if err := a.Repoint(t.Context(), base); err != nil {
			t.Fatalf("Repoint: %v", err)
		}
		checkSetup(t, g, base+gotowebinar.WebhookPath)
		statuses := a.Webhooks(t.Context())
		last := statuses[len(statuses)-1]
		if last.EventName != gotowebinar.EventSurveySubmitted || !strings.Contains(last.Error, "GoTo refused a webhook for survey.submitted") {
			t.Errorf("survey status %+v", last)
		}
	})
}

func TestLogout_WithRemoveWebhooksDeletesThemAtGoTo(t *testing.T) {
	g := startGoToSim(t)
	st := openTestStore(t, t.TempDir())
	a := newTestAccount(t, st, g.config())
	logIn(t, a)
	if err := a.Repoint(t.Context(), listen(t, st)); err != nil {
		t.Fatal(err)
	}
	if err := a.Logout(t.Context(), true); err != nil {
		t.Fatalf("Logout: %v", err)
	}
	if h, s := g.webhooks(t), g.subscriptions(t); len(h)+len(s) != 0 {
		t.Errorf("after logout with removal GoTo still has %d webhooks and %d subscriptions", len(h), len(s))
	}
	if l := a.Login(t.Context()); l.State != ui.LoginLoggedOut {
		t.Errorf("Login() after logout = %+v", l)
	}
	if v, _ := st.Setting(settingLogin); v != "" {
		t.Error("the tokens are still stored after logout")
	}
	// Without the option, logout leaves GoTo alone.
	logIn(t, a)
	if err := a.Sync(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := a.Logout(t.Context(), false); err != nil {
		t.Fatal(err)
	}
	if n := len(g.webhooks(t)); n != 4 {
		t.Errorf("a plain logout left %d webhooks, want the 4 untouched", n)
	}
}

func TestRemoveWebhooks_LeavesNothingAndStaysRemovedUntilSetUp(t *testing.T) {
	g := startGoToSim(t)
	st := openTestStore(t, t.TempDir())
	base := listen(t, st)
	a := newTestAccount(t, st, g.config())
	logIn(t, a)
	if err := a.Repoint(t.Context(), base); err != nil {
		t.Fatal(err)
	}
	if err := a.RemoveWebhooks(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := a.Sync(t.Context()); err != nil { // the periodic check
		t.Fatal(err)
	}
	if h, s := g.webhooks(t), g.subscriptions(t); len(h)+len(s) != 0 {
		t.Errorf("GoTo has %d webhooks and %d subscriptions after removal", len(h), len(s))
	}
	if ws := a.Webhooks(t.Context()); ws[0].Error == "" || ws[0].WebhookKey != "" {
		t.Errorf("status after removal %+v", ws[0])
	}
	if err := a.SetUpWebhooks(t.Context()); err != nil {
		t.Fatal(err)
	}
	checkSetup(t, g, base+gotowebinar.WebhookPath)
}

func TestTokens_SurviveAStoreReopen(t *testing.T) {
	g := startGoToSim(t)
	dir := t.TempDir()
	st, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	logIn(t, newTestAccount(t, st, g.config()))
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	st = openTestStore(t, dir)
	a := newTestAccount(t, st, g.config())
	if l := a.Login(t.Context()); l.State != ui.LoginLoggedIn || !strings.Contains(l.Organizer, "Maren Solberg") {
		t.Fatalf("Login() after reopening = %+v", l)
	}
	if err := a.Repoint(t.Context(), listen(t, st)); err != nil {
		t.Fatalf("the reopened login cannot call GoTo: %v", err)
	}
	if n := g.count("POST", "/oauth/token"); n != 1 {
		t.Errorf("%d token requests, want only the first login's", n)
	}
}

func TestSettings_PageNeverShowsTheFullSecret(t *testing.T) {
	st := openTestStore(t, t.TempDir())
	a := newTestAccount(t, st, GoToConfig{})
	const secret = "s3cr3t-value-that-must-stay-hidden-7f3a"
	if a.LoginConfigured() {
		t.Fatal("configured without a client")
	}
	if err := a.SaveGoToSettings("my-client", secret); err != nil {
		t.Fatal(err)
	}
	if !a.LoginConfigured() {
		t.Error("not configured after saving a client id and secret")
	}
	// An empty secret keeps the saved one.
	if err := a.SaveGoToSettings("my-client", ""); err != nil {
		t.Fatal(err)
	}
	if _, s := a.credentials(); s != secret {
		t.Error("saving an empty secret forgot the saved one")
	}
	h := ui.New(ui.Config{Store: st, Account: a, Auth: a, Settings: a, Webhooks: a, Addr: "127.0.0.1:7777", Logger: quietLog()}).Handler()
	req := httptest.NewRequest("GET", "/settings", nil)
	req.Host = "127.0.0.1:7777"
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	body := rec.Body.String()
	if rec.Code != 200 || strings.Contains(body, secret) || strings.Contains(body, secret[:12]) {
		t.Errorf("settings page (status %d) shows the secret", rec.Code)
	}
	for _, want := range []string{"my-client", "…7f3a", "http://127.0.0.1:7777/oauth/callback", gotowebinar.DefaultAPIURL} {
		if !strings.Contains(body, want) {
			t.Errorf("settings page lacks %q", want)
		}
	}
}

func TestSettings_EnvironmentOverridesSavedValues(t *testing.T) {
	st := openTestStore(t, t.TempDir())
	saved := newTestAccount(t, st, GoToConfig{})
	if err := saved.SaveGoToSettings("saved-id", "saved-secret"); err != nil {
		t.Fatal(err)
	}
	a := newTestAccount(t, st, GoToConfig{ClientID: "env-id", ClientSecret: "env-secret-0123456789"})
	if id, secret := a.credentials(); id != "env-id" || secret != "env-secret-0123456789" {
		t.Errorf("credentials = %q, %q; want the environment's", id, secret)
	}
	s := a.GoToSettings()
	if !s.ClientIDFromEnv || !s.ClientSecretFromEnv || s.ClientID != "env-id" {
		t.Errorf("GoToSettings() = %+v", s)
	}
	// Saving does not overwrite with, or store, what the environment sets.
	if err := a.SaveGoToSettings("typed-id", "typed-secret"); err != nil {
		t.Fatal(err)
	}
	if v, _ := st.Setting(settingClientID); v != "saved-id" {
		t.Errorf("saved client id became %q", v)
	}
	h := ui.New(ui.Config{Store: st, Account: a, Auth: a, Settings: a, Addr: "127.0.0.1:7777", Logger: quietLog()}).Handler()
	req := httptest.NewRequest("GET", "/settings", nil)
	req.Host = "127.0.0.1:7777"
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	for _, want := range []string{"Set by GOTO_CLIENT_ID in the environment", "Set by GOTO_CLIENT_SECRET in the environment"} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("settings page lacks %q", want)
		}
	}
	if strings.Contains(rec.Body.String(), "env-secret-0123456789") {
		t.Error("settings page shows the environment's secret")
	}
}

func TestProblemWords_AreForOrganizers(t *testing.T) {
	cb := "https://abc.ngrok.app/webhooks/gotowebinar"
	tests := []struct {
		err  error
		want string
	}{
		{&gotowebinar.APIError{Status: 400, Message: "callback url validation failed: GET … answered 404"}, "GoTo could not reach this computer at " + cb},
		{&gotowebinar.APIError{Status: 429}, "slow down"},
		{&gotowebinar.APIError{Status: 503}, "GoTo had a problem on its side"},
		{&gotowebinar.APIError{Status: 403, Code: "InvalidToken"}, "log in again"},
		{context.DeadlineExceeded, "did not answer in time"},
		{gotowebinar.ErrLoginExpired, "log in again"},
	}
	for _, tt := range tests {
		if got := problemWords(tt.err, cb); !strings.Contains(got, tt.want) {
			t.Errorf("problemWords(%v) = %q, want it to say %q", tt.err, got, tt.want)
		}
	}
}

// GoTo created the webhooks but its answer was lost (a 502 from a proxy):
// the lifecycle adopts them instead of creating them twice.
func TestLifecycle_AdoptsWebhooksWhoseCreationAnswerWasLost(t *testing.T) {
	g := startGoToSim(t)
	var mu sync.Mutex
	lost := 1
	g.setFront(func(w http.ResponseWriter, r *http.Request, body []byte) bool {
		mu.Lock()
		defer mu.Unlock()
		if r.Method != "POST" || !strings.HasSuffix(r.URL.Path, "/webhooks") || lost == 0 {
			return false
		}
		lost--
		g.sim.Handler().ServeHTTP(httptest.NewRecorder(), r) // GoTo does the work…
		w.WriteHeader(http.StatusBadGateway)                 // …but we never hear of it
		return true
	})
	st := openTestStore(t, t.TempDir())
	base := listen(t, st)
	a := newTestAccount(t, st, g.config())
	logIn(t, a)
	if err := a.Repoint(t.Context(), base); err != nil {
		t.Fatalf("Repoint: %v", err)
	}
	checkSetup(t, g, base+gotowebinar.WebhookPath)
	if n := g.count("POST", "/webhooks"); n != 1 {
		t.Errorf("%d POST /webhooks, want 1: the lost answer's webhooks are adopted, not created again", n)
	}
}
