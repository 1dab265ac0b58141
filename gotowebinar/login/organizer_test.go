package login_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"webinarsync/gotowebinar"
	"webinarsync/gotowebinar/gotosim"
	"webinarsync/gotowebinar/gotosim/simtest"
	"webinarsync/gotowebinar/login"
	"webinarsync/store"
)

const (
	identityMe = "/identity/v1/Users/me"
	adminMe    = "/admin/rest/v1/me"
)

// canSync checks that the login's organizer key is the simulator's and
// opens GoTo Webinar's organizer API, as the catch-up sync uses it.
func canSync(t *testing.T, lg *login.Login, sim *gotosim.Sim) {
	t.Helper()
	key, ok := lg.OrganizerKey()
	if !ok || key != gotowebinar.Key(sim.OrganizerKey()) {
		t.Fatalf("OrganizerKey() = %q, %v; want %s", key, ok, sim.OrganizerKey())
	}
	client := gotowebinar.NewClient(lg.Endpoints().APIURL, lg.TokenSource(),
		gotowebinar.WithHTTPClient(lg.HTTPClient()), gotowebinar.WithRateLimit(-1))
	now := time.Now()
	if _, err := client.ListWebinars(t.Context(), key, now.Add(-24*time.Hour), now.Add(24*time.Hour)); err != nil {
		t.Fatalf("listing the organizer's webinars with the key found: %v", err)
	}
}

func TestFinish_TodaysTokenFindsTheKeyInTheProfile(t *testing.T) {
	t.Parallel()
	g := simtest.Start(t)
	lg := newLogin(t, openStore(t, t.TempDir()), g.Endpoints())
	watch := lg.Watch()
	logIn(t, lg)
	st := lg.State()
	if st.KeySource != login.KeyFromIdentity || st.OrganizerKey != gotowebinar.Key(g.Sim.OrganizerKey()) || st.FindingKey || len(st.KeyRefusals) != 0 {
		t.Errorf("State() = %+v; want the key from the profile", st)
	}
	// The profile fills in who it is: the token names only an e-mail.
	if got := st.Identity.Name(); got != "Maren Solberg (maren.solberg@example.com)" {
		t.Errorf("Identity.Name() = %q", got)
	}
	if n, m := g.Count("GET", identityMe), g.Count("GET", adminMe); n != 1 || m != 0 {
		t.Errorf("%d profile and %d admin requests, want 1 and 0", n, m)
	}
	if !pending(watch) {
		t.Error("the watcher was not signalled")
	}
	canSync(t, lg, g.Sim)
}

func TestFinish_ProfileRefusedAsksTheAdminAPI(t *testing.T) {
	t.Parallel()
	g := simtest.StartWith(t, gotosim.Config{RefuseIdentity: http.StatusForbidden})
	lg := newLogin(t, openStore(t, t.TempDir()), g.Endpoints())
	logIn(t, lg)
	// The admin API's keys are bare numbers beyond 2^53: exact, not rounded.
	if st := lg.State(); st.KeySource != login.KeyFromAdmin || st.OrganizerKey != gotowebinar.Key(g.Sim.OrganizerKey()) ||
		st.Identity.AccountKey != gotowebinar.Key(g.Sim.Generator().AccountKey()) || st.Identity.Name() != "Maren Solberg (maren.solberg@example.com)" {
		t.Errorf("State() = %+v; want the key and account from the admin API", st)
	}
	if n, m := g.Count("GET", identityMe), g.Count("GET", adminMe); n != 1 || m != 1 {
		t.Errorf("%d profile and %d admin requests, want 1 and 1", n, m)
	}
	canSync(t, lg, g.Sim)
}

func TestFinish_NoSourceNamesTheKey_ThePastedOneServes(t *testing.T) {
	t.Parallel()
	g := simtest.StartWith(t, gotosim.Config{RefuseIdentity: http.StatusForbidden, RefuseAdmin: http.StatusForbidden})
	dir := t.TempDir()
	st := openStore(t, dir)
	lg := newLogin(t, st, g.Endpoints())
	watch := lg.Watch()
	logIn(t, lg)
	if !pending(watch) {
		t.Error("a login without a key did not signal the watcher")
	}
	s := lg.State()
	if s.Status != login.LoggedIn || s.OrganizerKey != "" || s.KeySource != "" {
		t.Errorf("State() = %+v; want logged in without a key", s)
	}
	want := []login.KeyRefusal{
		{Source: login.KeyFromIdentity, Problem: gotowebinar.Problem{Kind: gotowebinar.ProblemForbidden, Status: 403, Reason: "the token lacks the scope identity:scim.me"}},
		{Source: login.KeyFromAdmin, Problem: gotowebinar.Problem{Kind: gotowebinar.ProblemForbidden, Status: 403, Reason: "only account admins may read this"}},
	}
	if !slices.Equal(s.KeyRefusals, want) {
		t.Errorf("KeyRefusals = %+v, want %+v", s.KeyRefusals, want)
	}
	if _, ok := lg.OrganizerKey(); ok {
		t.Error("OrganizerKey() known without a source")
	}
	// The name comes from the token's principal alone.
	if got := s.Identity.Name(); got != gotosim.OrganizerEmail {
		t.Errorf("Identity.Name() = %q, want the principal", got)
	}

	for _, bad := range []string{"abc", "12 34", "-1", strings.Repeat("9", login.MaxOrganizerKeyLen+1)} {
		if err := lg.SetOrganizerKey(bad); !errors.Is(err, login.ErrBadOrganizerKey) {
			t.Errorf("SetOrganizerKey(%q) = %v, want ErrBadOrganizerKey", bad, err)
		}
	}
	if pending(watch) {
		t.Error("a refused key signalled the watcher")
	}
	if err := lg.SetOrganizerKey(" " + g.Sim.OrganizerKey() + " "); err != nil {
		t.Fatal(err)
	}
	if !pending(watch) {
		t.Error("the pasted key did not signal the watcher: the sync would not start")
	}
	if s := lg.State(); s.KeySource != login.KeyFromSettings || len(s.KeyRefusals) != 2 {
		t.Errorf("State() after pasting = %+v; want the key from the settings page, and why GoTo gave none", s)
	}
	canSync(t, lg, g.Sim)

	// A restart keeps it and asks nobody again.
	restarted := newLogin(t, st, g.Endpoints())
	if err := restarted.FindOrganizerKey(t.Context()); err != nil {
		t.Errorf("FindOrganizerKey after a restart = %v", err)
	}
	if s := restarted.State(); s.KeySource != login.KeyFromSettings {
		t.Errorf("State() after a restart = %+v", s)
	}
	canSync(t, restarted, g.Sim)
	if n := g.Count("GET", identityMe) + g.Count("GET", adminMe); n != 2 {
		t.Errorf("%d requests for the key, want the first login's 2", n)
	}

	// Clearing it leaves no key, and says why again.
	if err := restarted.SetOrganizerKey(""); err != nil {
		t.Fatal(err)
	}
	if s := restarted.State(); s.OrganizerKey != "" || s.KeySource != "" || len(s.KeyRefusals) != 2 {
		t.Errorf("State() after clearing the key = %+v", s)
	}
	if s := newLogin(t, st, g.Endpoints()).State(); s.OrganizerKey != "" {
		t.Errorf("a restart after clearing the key = %+v", s)
	}
}

func TestFinish_LegacyTokenNamesTheKeyAndNobodyIsAsked(t *testing.T) {
	t.Parallel()
	g := simtest.StartWith(t, gotosim.Config{LegacyTokenKeys: true})
	lg := newLogin(t, openStore(t, t.TempDir()), g.Endpoints())
	logIn(t, lg)
	if st := lg.State(); st.KeySource != login.KeyFromToken || st.OrganizerKey != gotowebinar.Key(g.Sim.OrganizerKey()) {
		t.Errorf("State() = %+v; want the key from the token", st)
	}
	if n := g.Count("GET", identityMe) + g.Count("GET", adminMe); n != 0 {
		t.Errorf("%d requests for a key the token named", n)
	}
	canSync(t, lg, g.Sim)
}

func TestRestart_SavedKeyIsNotAskedForAgain(t *testing.T) {
	t.Parallel()
	g := simtest.Start(t)
	st := openStore(t, t.TempDir())
	logIn(t, newLogin(t, st, g.Endpoints()))

	lg := newLogin(t, st, g.Endpoints())
	watch := lg.Watch()
	if err := lg.FindOrganizerKey(t.Context()); err != nil {
		t.Errorf("FindOrganizerKey = %v", err)
	}
	if s := lg.State(); s.KeySource != login.KeyFromIdentity || s.Identity.Name() != "Maren Solberg (maren.solberg@example.com)" {
		t.Errorf("State() after a restart = %+v", s)
	}
	if pending(watch) {
		t.Error("a key known already signalled the watcher")
	}
	canSync(t, lg, g.Sim)
	if n := g.Count("GET", identityMe); n != 1 {
		t.Errorf("%d profile requests, want only the login's", n)
	}
}

// A login saved before the key had sources (or whose search found none)
// looks at start, and the sync hears of it.
func TestFindOrganizerKey_RestoredLoginWithoutAKeyLooksAtStart(t *testing.T) {
	t.Parallel()
	g := simtest.Start(t)
	st := openStore(t, t.TempDir())
	refuse := func(w http.ResponseWriter, r *http.Request, _ []byte) bool {
		if r.URL.Path == identityMe || r.URL.Path == adminMe {
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
			return true
		}
		return false
	}
	g.SetFront(refuse)
	logIn(t, newLogin(t, st, g.Endpoints()))
	g.SetFront(nil)

	lg := newLogin(t, st, g.Endpoints())
	if s := lg.State(); s.OrganizerKey != "" || len(s.KeyRefusals) != 2 || s.KeyRefusals[0].Problem.Kind != gotowebinar.ProblemGoToDown {
		t.Fatalf("State() restored = %+v; want no key, GoTo down", s)
	}
	watch := lg.Watch()
	if err := lg.FindOrganizerKey(t.Context()); err != nil {
		t.Fatalf("FindOrganizerKey = %v", err)
	}
	if !pending(watch) {
		t.Error("finding the key did not signal the watcher")
	}
	if s := lg.State(); s.KeySource != login.KeyFromIdentity || len(s.KeyRefusals) != 0 {
		t.Errorf("State() = %+v", s)
	}
	canSync(t, lg, g.Sim)

	// Logged out, there is nothing to look for.
	if err := lg.Logout(); err != nil {
		t.Fatal(err)
	}
	if err := lg.FindOrganizerKey(t.Context()); !errors.Is(err, gotowebinar.ErrNotLoggedIn) {
		t.Errorf("FindOrganizerKey logged out = %v", err)
	}
}

// A key pasted while GoTo's services said nothing gives way to theirs at
// the next login, and a logout forgets it.
func TestSetOrganizerKey_GoTosWordWins(t *testing.T) {
	t.Parallel()
	g := simtest.Start(t)
	st := openStore(t, t.TempDir())
	lg := newLogin(t, st, g.Endpoints())
	// Pasted before any login: kept for when GoTo names none.
	if err := lg.SetOrganizerKey("123"); err != nil {
		t.Fatal(err)
	}
	logIn(t, lg)
	if s := lg.State(); s.KeySource != login.KeyFromIdentity || s.OrganizerKey != gotowebinar.Key(g.Sim.OrganizerKey()) {
		t.Errorf("State() = %+v; want the profile's key, not the pasted one", s)
	}
	// Pasting now changes nothing: GoTo said which it is.
	if err := lg.SetOrganizerKey("456"); err != nil {
		t.Fatal(err)
	}
	canSync(t, lg, g.Sim)

	if err := lg.Logout(); err != nil {
		t.Fatal(err)
	}
	g.SetFront(func(w http.ResponseWriter, r *http.Request, _ []byte) bool {
		if r.URL.Path == identityMe || r.URL.Path == adminMe {
			http.Error(w, "", http.StatusForbidden)
			return true
		}
		return false
	})
	logIn(t, lg)
	if s := lg.State(); s.OrganizerKey != "" {
		t.Errorf("after a logout, the next login has key %q from %q; want none", s.OrganizerKey, s.KeySource)
	}
}

// A 401 from the profile may be an access token that expired early: it is
// refreshed once. A 401 that outlasts the refresh is the profile refusing
// this token, not the login expiring: the admin API gets its turn.
func TestFinish_ProfileRefusingTheTokenRefreshesItOnce(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name     string
		refusals int // 401s the profile answers
		source   login.KeySource
	}{
		{"once", 1, login.KeyFromIdentity},
		{"always", 99, login.KeyFromAdmin},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := simtest.Start(t)
			var refused atomic.Int32
			g.SetFront(func(w http.ResponseWriter, r *http.Request, _ []byte) bool {
				if r.URL.Path == identityMe && refused.Add(1) <= int32(tt.refusals) {
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(http.StatusUnauthorized)
					_, _ = io.WriteString(w, `{"error":"invalid_token"}`)
					return true
				}
				return false
			})
			lg := newLogin(t, openStore(t, t.TempDir()), g.Endpoints())
			logIn(t, lg)
			if s := lg.State(); s.Status != login.LoggedIn || s.KeySource != tt.source {
				t.Errorf("State() = %+v; want logged in with the key from %s", s, tt.source)
			}
			if n := g.Count("POST", "/oauth/token"); n != 2 {
				t.Errorf("%d token requests, want the login's and one refresh", n)
			}
			if n := g.Count("GET", identityMe); n != 2 {
				t.Errorf("%d profile requests, want 2: before and after the refresh", n)
			}
			canSync(t, lg, g.Sim)
		})
	}
}

// A profile that does not answer is passed over in time: the admin API
// still gets its turn, and the login does not wait for ever.
func TestFinish_ProfileThatHangsIsPassedOver(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		sim := gotosim.New(gotosim.Config{ClientID: simtest.ClientID, ClientSecret: simtest.ClientSecret})
		sh := sim.Handler()
		hc := &http.Client{Transport: memTransport{http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == identityMe {
				<-r.Context().Done() // never answers
				return
			}
			sh.ServeHTTP(w, r)
		})}}
		const base = "http://gotosim.test"
		st, err := store.Open(t.TempDir(), store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		lg, err := login.New(login.Config{Store: st, Logger: quietLog(), HTTPClient: hc, Endpoints: login.Endpoints{
			ClientID: simtest.ClientID, ClientSecret: simtest.ClientSecret,
			AuthURL: base + "/oauth/authorize", TokenURL: base + "/oauth/token", APIURL: base + "/G2W/rest/v2"}})
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		authURL, _, err := lg.Begin(t.Context(), simtest.RedirectURI)
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		sh.ServeHTTP(rec, httptest.NewRequest("GET", authURL, nil))
		loc, err := url.Parse(rec.Header().Get("Location"))
		if err != nil {
			t.Fatal(err)
		}
		if err := lg.Finish(t.Context(), loc.Query().Get("state"), loc.Query().Get("code"), simtest.RedirectURI); err != nil {
			t.Fatal(err)
		}
		waited := time.Since(start)
		s := lg.State()
		if s.KeySource != login.KeyFromAdmin || s.OrganizerKey != gotowebinar.Key(sim.OrganizerKey()) {
			t.Errorf("State() = %+v; want the key from the admin API", s)
		}
		if waited < 5*time.Second || waited > 10*time.Second {
			t.Errorf("the login waited %v for the profile; want its 5 s, bounded", waited)
		}
	})
}

// memTransport serves each request with a handler in the caller's
// goroutine: no sockets, so a synctest bubble sees every wait.
type memTransport struct{ h http.Handler }

func (m memTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		defer req.Body.Close()
	}
	in := req.Clone(req.Context())
	in.RequestURI = req.URL.RequestURI()
	in.URL = &url.URL{Path: req.URL.Path, RawQuery: req.URL.RawQuery}
	if in.Body == nil {
		in.Body = http.NoBody
	}
	rec := httptest.NewRecorder()
	m.h.ServeHTTP(rec, in)
	resp := rec.Result()
	resp.Request = req
	if err := req.Context().Err(); err != nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil, err
	}
	return resp, nil
}
