package reconcile_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"webinarsync/gotowebinar"
	"webinarsync/gotowebinar/gotosim"
	"webinarsync/gotowebinar/gotosim/simtest"
	"webinarsync/gotowebinar/login"
	"webinarsync/gotowebinar/reconcile"
	"webinarsync/store"
)

func quietLog() *slog.Logger { return slog.New(slog.DiscardHandler) }

func openStore(t testing.TB, dir string) *store.Store {
	t.Helper()
	st, err := store.Open(dir, store.Options{NoSync: true}) // no durability tested here
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// listen serves our real webhook receiver over st, verifying with the
// secret keys stored there, and returns its base URL.
func listen(t testing.TB, st *store.Store) string {
	t.Helper()
	keys := func() [][]byte {
		var out [][]byte
		for _, k := range st.SecretKeys() {
			out = append(out, []byte(k.Value))
		}
		return out
	}
	srv := httptest.NewServer(gotowebinar.WebhookHandler(gotowebinar.NewReceiver(keys, st, quietLog())))
	t.Cleanup(srv.Close)
	return srv.URL
}

// rig is the GoTo side as the app wires it (see app/goto.go): a login
// over the store, one API client on its tokens, and the reconciler.
type rig struct {
	login *login.Login
	rec   *reconcile.Reconciler
}

// newRig builds a login, client and reconciler over st against the
// simulator; a second rig over the same store is a restart.
func newRig(t testing.TB, g *simtest.Server, st *store.Store, tweak ...func(*reconcile.Config)) *rig {
	t.Helper()
	lg, err := login.New(login.Config{Store: st, Logger: quietLog(), Endpoints: g.Endpoints()})
	if err != nil {
		t.Fatal(err)
	}
	client := gotowebinar.NewClient(lg.Endpoints().APIURL, lg.TokenSource(),
		gotowebinar.WithHTTPClient(lg.HTTPClient()), gotowebinar.WithLogger(quietLog()),
		gotowebinar.WithRateLimit(-1), gotowebinar.WithRetries(5, time.Millisecond))
	c := reconcile.Config{
		Store: st, Client: client, Login: lg, Logins: lg.Watch(), Logger: quietLog(),
		APIURL: lg.Endpoints().APIURL, ActivationBackoff: time.Millisecond,
	}
	for _, f := range tweak {
		f(&c)
	}
	return &rig{login: lg, rec: reconcile.New(c)}
}

func withSurvey(c *reconcile.Config) { c.Survey = true }

func logIn(t testing.TB, lg *login.Login) {
	t.Helper()
	if err := gotosim.LogIn(t.Context(), lg, simtest.RedirectURI); err != nil {
		t.Fatalf("login: %v", err)
	}
}

// checkSetup asserts GoTo holds exactly our four webhooks, active, each
// with one active subscription delivering to callback.
func checkSetup(t *testing.T, g *simtest.Server, callback string) []gotosim.WebhookJSON {
	t.Helper()
	hooks := g.Webhooks(t)
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
	subs := g.Subscriptions(t)
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

// checkStatus asserts the reconciler reports every hook fine, active and
// subscribed at callback, and no problem.
func checkStatus(t *testing.T, r *reconcile.Reconciler, callback string) {
	t.Helper()
	st := r.Status()
	if st.Problem != nil || st.Paused || st.WaitingForTunnel || !st.Recorded {
		t.Errorf("Status() = problem %v, paused %v, waiting %v, recorded %v", st.Problem, st.Paused, st.WaitingForTunnel, st.Recorded)
	}
	if len(st.Hooks) != len(r.Events()) {
		t.Fatalf("%d hooks in the status for %d events", len(st.Hooks), len(r.Events()))
	}
	for i, h := range st.Hooks {
		if h.EventName != r.Events()[i] || !h.Known || h.WebhookKey == "" || h.State != gotowebinar.StateActive ||
			h.SubscriptionState != gotowebinar.StateActive || h.ActivationState != gotowebinar.StateActive ||
			h.CallbackURL != callback || h.Condition != reconcile.Fine {
			t.Errorf("hook %d: %+v", i, h)
		}
	}
}

// createAtGoTo creates a webhook at GoTo behind our back, as another copy
// of webinarsync (or a crashed run of ours) would, and returns its key.
func createAtGoTo(t *testing.T, g *simtest.Server, callback, eventName string) gotowebinar.Key {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, g.URL()+"/G2W/rest/v2/webhooks", strings.NewReader(
		`[{"callbackUrl":"`+callback+`","eventName":"`+eventName+`","eventVersion":"1.0.0","product":"g2w"}]`))
	req.Header.Set("Authorization", "Bearer "+g.Sim.IssueToken())
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Embedded struct {
			Webhooks []gotosim.WebhookJSON `json:"webhooks"`
		} `json:"_embedded"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || len(out.Embedded.Webhooks) != 1 {
		t.Fatalf("creating a webhook at GoTo: status %d, %v, %+v", resp.StatusCode, err, out)
	}
	return gotowebinar.Key(out.Embedded.Webhooks[0].WebhookKey)
}

// waitFor polls cond until it holds, failing the test after ten seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
