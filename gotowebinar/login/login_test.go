package login_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"webinarsync/gotowebinar"
	"webinarsync/gotowebinar/gotosim"
	"webinarsync/gotowebinar/gotosim/simtest"
	"webinarsync/gotowebinar/login"
	"webinarsync/store"
)

func quietLog() *slog.Logger { return slog.New(slog.DiscardHandler) }

func openStore(t testing.TB, dir string) *store.Store {
	t.Helper()
	st, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

func newLogin(t testing.TB, st *store.Store, ep login.Endpoints) *login.Login {
	t.Helper()
	lg, err := login.New(login.Config{Store: st, Logger: quietLog(), Endpoints: ep})
	if err != nil {
		t.Fatal(err)
	}
	return lg
}

func logIn(t testing.TB, lg *login.Login) {
	t.Helper()
	if err := gotosim.LogIn(t.Context(), lg, simtest.RedirectURI); err != nil {
		t.Fatalf("login: %v", err)
	}
}

// withoutClient is the simulator's endpoints with no OAuth client: it
// comes from the settings page.
func withoutClient(g *simtest.Server) login.Endpoints {
	ep := g.Endpoints()
	ep.ClientID, ep.ClientSecret = "", ""
	return ep
}

// recordingFlow remembers the state and code GoTo's redirect brought.
type recordingFlow struct {
	*login.Login
	state, code string
}

func (f *recordingFlow) Finish(ctx context.Context, state, code, redirectURI string) error {
	f.state, f.code = state, code
	return f.Login.Finish(ctx, state, code, redirectURI)
}

// loggedInDataDir is a data dir whose store holds a login at g, closed
// again as a stopped app leaves it.
func loggedInDataDir(t testing.TB, g *simtest.Server) string {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	logIn(t, newLogin(t, st, g.Endpoints()))
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

func pending(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

func TestTokens_SurviveAStoreReopen(t *testing.T) {
	t.Parallel()
	g := simtest.Start(t)
	dir := loggedInDataDir(t, g)

	st := openStore(t, dir)
	lg := newLogin(t, st, g.Endpoints())
	if l := lg.State(); l.Status != login.LoggedIn || !l.Configured || l.Identity.Name() != "Maren Solberg (maren.solberg@example.com)" {
		t.Fatalf("State() after reopening = %+v", l)
	}
	if key, ok := lg.OrganizerKey(); !ok || key == "" {
		t.Errorf("OrganizerKey() after reopening = %q, %v", key, ok)
	}
	client := gotowebinar.NewClient(lg.Endpoints().APIURL, lg.TokenSource(),
		gotowebinar.WithHTTPClient(lg.HTTPClient()), gotowebinar.WithRateLimit(-1))
	if _, err := client.ListWebhooks(t.Context()); err != nil {
		t.Fatalf("the reopened login cannot call GoTo: %v", err)
	}
	if n := g.Count("POST", "/oauth/token"); n != 1 {
		t.Errorf("%d token requests, want only the first login's", n)
	}
}

// Once GoTo has refused the refresh, the login stays expired however many
// callers are still handed the old access token (it has not run out by
// the clock): only a refresh that works, or a new login, clears it. The
// home page once flipped back to "logged in" when the catch-up sync asked
// for a token right after the webhook setup's refresh was refused.
func TestTokens_ARefusedRefreshStaysExpiredWhileTheOldTokenIsHandedOut(t *testing.T) {
	t.Parallel()
	first, second := simtest.Start(t), simtest.Start(t)
	dir := loggedInDataDir(t, first)
	// The second GoTo knows none of the first's tokens: it refuses the refresh.
	lg := newLogin(t, openStore(t, dir), second.Endpoints())
	ts := lg.TokenSource()
	stale, err := ts.Token()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Refresh(t.Context(), stale); !errors.Is(err, gotowebinar.ErrLoginExpired) {
		t.Fatalf("Refresh at a GoTo that does not know the token: %v, want ErrLoginExpired", err)
	}
	if s := lg.State().Status; s != login.Expired {
		t.Fatalf("State after the refused refresh = %s, want expired", s)
	}
	if _, err := ts.Token(); err != nil {
		t.Fatalf("Token: %v", err)
	}
	if s := lg.State().Status; s != login.Expired {
		t.Errorf("State after the old token was handed out again = %s, want still expired", s)
	}
}

func TestLogout_ForgetsTheTokensInTheStore(t *testing.T) {
	t.Parallel()
	g := simtest.Start(t)
	st := openStore(t, t.TempDir())
	lg := newLogin(t, st, g.Endpoints())
	logIn(t, lg)
	if err := lg.Logout(); err != nil {
		t.Fatal(err)
	}
	if l := lg.State(); l.Status != login.LoggedOut || l.Identity != (gotowebinar.Identity{}) || !l.Configured {
		t.Errorf("State() after logout = %+v", l)
	}
	if _, ok := lg.OrganizerKey(); ok {
		t.Error("OrganizerKey() still known after logout")
	}
	if _, err := lg.TokenSource().Token(); !errors.Is(err, gotowebinar.ErrNotLoggedIn) {
		t.Errorf("TokenSource().Token() after logout = %v, want ErrNotLoggedIn", err)
	}
	if l := newLogin(t, st, g.Endpoints()).State(); l.Status != login.LoggedOut {
		t.Errorf("a restart after logout is %+v", l)
	}
}

func TestClientSettings_NeverShowTheFullSecret(t *testing.T) {
	t.Parallel()
	st := openStore(t, t.TempDir())
	lg := newLogin(t, st, login.Endpoints{})
	const secret = "s3cr3t-value-that-must-stay-hidden-7f3a"
	if lg.State().Configured {
		t.Fatal("configured without a client")
	}
	if err := lg.SaveClientSettings("  my-client ", secret); err != nil {
		t.Fatal(err)
	}
	if !lg.State().Configured {
		t.Error("not configured after saving a client id and secret")
	}
	check := func(when string) {
		t.Helper()
		s := lg.ClientSettings()
		if s.ClientID != "my-client" || !s.ClientSecretSet || s.ClientSecretHint != "7f3a" || s.ClientIDFromEnv || s.ClientSecretFromEnv {
			t.Errorf("%s: ClientSettings() = %+v", when, s)
		}
		if shown := fmt.Sprintf("%#v", s); strings.Contains(shown, secret) || strings.Contains(shown, secret[:12]) {
			t.Errorf("%s: ClientSettings() holds the secret: %s", when, shown)
		}
		if s.AuthURL != gotowebinar.DefaultAuthURL || s.TokenURL != gotowebinar.DefaultTokenURL || s.APIURL != gotowebinar.DefaultAPIURL {
			t.Errorf("%s: endpoints %q, %q, %q; want GoTo's own", when, s.AuthURL, s.TokenURL, s.APIURL)
		}
	}
	check("after saving")
	// An empty secret keeps the saved one.
	if err := lg.SaveClientSettings("my-client", ""); err != nil {
		t.Fatal(err)
	}
	check("after saving an empty secret")
	restarted := newLogin(t, st, login.Endpoints{}) // and it is in the store
	if s := restarted.ClientSettings(); s.ClientID != "my-client" || s.ClientSecretHint != "7f3a" {
		t.Errorf("a restart's ClientSettings() = %+v", s)
	}

	// Only a secret of 16 characters or more is hinted at.
	for _, tt := range []struct {
		secret, hint string
	}{
		{"0123456789abcdef", "cdef"},
		{"0123456789abcde", ""},
		{"short", ""},
	} {
		lg := newLogin(t, openStore(t, t.TempDir()), login.Endpoints{})
		if err := lg.SaveClientSettings("id", tt.secret); err != nil {
			t.Fatal(err)
		}
		if s := lg.ClientSettings(); !s.ClientSecretSet || s.ClientSecretHint != tt.hint {
			t.Errorf("secret of %d characters: set %v, hint %q; want %q", len(tt.secret), s.ClientSecretSet, s.ClientSecretHint, tt.hint)
		}
	}
}

// The client saved on the settings page is the one logins use, and an
// empty secret saved later keeps it.
func TestClientSettings_SavedClientLogsIn(t *testing.T) {
	t.Parallel()
	g := simtest.Start(t)
	lg := newLogin(t, openStore(t, t.TempDir()), withoutClient(g))
	if err := lg.SaveClientSettings(simtest.ClientID, simtest.ClientSecret); err != nil {
		t.Fatal(err)
	}
	logIn(t, lg)
	if err := lg.SaveClientSettings(simtest.ClientID, ""); err != nil {
		t.Fatal(err)
	}
	logIn(t, lg)
	if l := lg.State(); l.Status != login.LoggedIn {
		t.Errorf("State() = %+v", l)
	}
}

func TestClientSettings_EnvironmentOverridesSavedValues(t *testing.T) {
	t.Parallel()
	st := openStore(t, t.TempDir())
	if err := newLogin(t, st, login.Endpoints{}).SaveClientSettings("saved-id", "saved-secret-abcd"); err != nil {
		t.Fatal(err)
	}
	const envSecret = "env-secret-0123456789"
	lg := newLogin(t, st, login.Endpoints{ClientID: "env-id", ClientSecret: envSecret})
	s := lg.ClientSettings()
	if !s.ClientIDFromEnv || !s.ClientSecretFromEnv || s.ClientID != "env-id" || !s.ClientSecretSet || s.ClientSecretHint != "6789" {
		t.Errorf("ClientSettings() = %+v", s)
	}
	if strings.Contains(fmt.Sprintf("%#v", s), envSecret) {
		t.Error("ClientSettings() holds the environment's secret")
	}
	if id := lg.ClientID(); id != "env-id" {
		t.Errorf("ClientID() = %q, want the environment's", id)
	}
	// Saving does not overwrite with, or store, what the environment sets.
	if err := lg.SaveClientSettings("typed-id", "typed-secret-wxyz"); err != nil {
		t.Fatal(err)
	}
	if s := lg.ClientSettings(); s.ClientID != "env-id" || s.ClientSecretHint != "6789" {
		t.Errorf("after saving, ClientSettings() = %+v", s)
	}
	if s := newLogin(t, st, login.Endpoints{}).ClientSettings(); s.ClientID != "saved-id" || s.ClientSecretHint != "abcd" {
		t.Errorf("the saved client became %q (secret …%s)", s.ClientID, s.ClientSecretHint)
	}

	// Only what the environment sets wins: the rest is still saved.
	half := newLogin(t, st, login.Endpoints{ClientID: "env-id"})
	if err := half.SaveClientSettings("typed-id", "typed-secret-wxyz"); err != nil {
		t.Fatal(err)
	}
	if s := half.ClientSettings(); s.ClientID != "env-id" || !s.ClientIDFromEnv || s.ClientSecretFromEnv || s.ClientSecretHint != "wxyz" {
		t.Errorf("with only GOTO_CLIENT_ID set, ClientSettings() = %+v", s)
	}
	if s := newLogin(t, st, login.Endpoints{}).ClientSettings(); s.ClientID != "saved-id" || s.ClientSecretHint != "wxyz" {
		t.Errorf("with only GOTO_CLIENT_ID set, the saved client became %q (secret …%s)", s.ClientID, s.ClientSecretHint)
	}
}

// The environment's client is the one logins use, whatever was saved.
func TestClientSettings_EnvironmentClientLogsIn(t *testing.T) {
	t.Parallel()
	g := simtest.Start(t)
	st := openStore(t, t.TempDir())
	if err := newLogin(t, st, withoutClient(g)).SaveClientSettings("saved-id", "saved-secret-abcd"); err != nil {
		t.Fatal(err)
	}
	lg := newLogin(t, st, g.Endpoints())
	logIn(t, lg)
	if l := lg.State(); l.Status != login.LoggedIn {
		t.Errorf("State() = %+v", l)
	}
}

func TestBegin_WithoutAClientIsErrNoClient(t *testing.T) {
	t.Parallel()
	g := simtest.Start(t)
	lg := newLogin(t, openStore(t, t.TempDir()), withoutClient(g))
	if l := lg.State(); l.Configured || l.Status != login.LoggedOut {
		t.Errorf("State() without a client = %+v", l)
	}
	if _, _, err := lg.Begin(t.Context(), simtest.RedirectURI); !errors.Is(err, login.ErrNoClient) {
		t.Errorf("Begin without a client = %v, want ErrNoClient", err)
	}
	// An id without a secret is no client either.
	if err := lg.SaveClientSettings(simtest.ClientID, ""); err != nil {
		t.Fatal(err)
	}
	if _, _, err := lg.Begin(t.Context(), simtest.RedirectURI); !errors.Is(err, login.ErrNoClient) {
		t.Errorf("Begin with a client id but no secret = %v, want ErrNoClient", err)
	}
	if n := g.Count("GET", "/oauth/authorize") + g.Count("POST", "/oauth/token"); n != 0 {
		t.Errorf("%d requests to GoTo without a client", n)
	}
}

func TestFinish_UnknownStateIsErrNotStarted(t *testing.T) {
	t.Parallel()
	g := simtest.Start(t)
	lg := newLogin(t, openStore(t, t.TempDir()), g.Endpoints())
	if err := lg.Finish(t.Context(), "never-started", "code", simtest.RedirectURI); !errors.Is(err, login.ErrNotStarted) {
		t.Errorf("Finish with an unknown state = %v, want ErrNotStarted", err)
	}
	// A login under way is not spoiled by a stranger's state, nor may it
	// come back to another redirect URI.
	_, state, err := lg.Begin(t.Context(), simtest.RedirectURI)
	if err != nil {
		t.Fatal(err)
	}
	if err := lg.Finish(t.Context(), state+"x", "code", simtest.RedirectURI); !errors.Is(err, login.ErrNotStarted) {
		t.Errorf("Finish with another state = %v, want ErrNotStarted", err)
	}
	if err := lg.Finish(t.Context(), state, "code", "http://127.0.0.1:9999/oauth/callback"); !errors.Is(err, login.ErrNotStarted) {
		t.Errorf("Finish at another redirect URI = %v, want ErrNotStarted", err)
	}
	if n := g.Count("POST", "/oauth/token"); n != 0 {
		t.Errorf("%d token requests for logins not started here", n)
	}
	if l := lg.State(); l.Status != login.LoggedOut {
		t.Errorf("State() = %+v", l)
	}

	// A state is good for one callback only.
	f := &recordingFlow{Login: lg}
	if err := gotosim.LogIn(t.Context(), f, simtest.RedirectURI); err != nil {
		t.Fatal(err)
	}
	if err := lg.Finish(t.Context(), f.state, f.code, simtest.RedirectURI); !errors.Is(err, login.ErrNotStarted) {
		t.Errorf("Finish with a state used already = %v, want ErrNotStarted", err)
	}
	if l := lg.State(); l.Status != login.LoggedIn {
		t.Errorf("State() after a replayed callback = %+v", l)
	}
}

func TestWatch_IsSignalledAfterALogin(t *testing.T) {
	t.Parallel()
	g := simtest.Start(t)
	lg := newLogin(t, openStore(t, t.TempDir()), g.Endpoints())
	first, second := lg.Watch(), lg.Watch()
	if pending(first) || pending(second) {
		t.Fatal("a watcher was signalled before any login")
	}
	if err := lg.Finish(t.Context(), "never-started", "code", simtest.RedirectURI); err == nil {
		t.Fatal("Finish with an unknown state worked")
	}
	if pending(first) {
		t.Error("a failed login signalled the watcher")
	}
	logIn(t, lg)
	if !pending(first) || !pending(second) {
		t.Error("a watcher was not signalled after a login")
	}
	// Signals do not pile up: two logins unwatched leave one.
	logIn(t, lg)
	logIn(t, lg)
	if !pending(first) || pending(first) {
		t.Error("two logins unwatched should leave exactly one signal")
	}
	if err := lg.Logout(); err != nil {
		t.Fatal(err)
	}
	if pending(first) {
		t.Error("a logout signalled the watcher")
	}
}
