package login_test

import (
	"context"
	"errors"
	"net/http"
	"runtime"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/oauth2"

	"webinarsync/ringcentral"
	"webinarsync/ringcentral/login"
	"webinarsync/ringcentral/rcsim"
)

const week = 7 * 24 * time.Hour // the sim's refresh-token lifetime

func TestLogin_BrowserLoginEndToEnd(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, rcsim.Config{})
		lg := e.newLogin(t, "")
		watch := lg.Watch()
		if s := lg.State(); s != (login.State{Status: login.LoggedOut, Configured: true}) {
			t.Fatalf("State() before login = %+v", s)
		}
		authURL, err := lg.Start(redirectURI)
		if err != nil {
			t.Fatal(err)
		}
		q := query(t, authURL)
		if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("state") == "" ||
			q.Get("client_id") != clientID || q.Get("redirect_uri") != redirectURI {
			t.Errorf("the authorize URL asks %v; want PKCE S256, a state, our client and redirect URI", q)
		}
		if again, _ := lg.Start(redirectURI); query(t, again).Get("state") == q.Get("state") {
			t.Error("two logins started with the same state")
		}
		if err := e.browse(t, authURL, lg.Finish); err != nil {
			t.Fatalf("Finish = %v", err)
		}
		want := login.State{Status: login.LoggedIn, Method: login.MethodBrowser, OwnerID: rcsim.OwnerID,
			RefreshExpiry: time.Now().Add(week).UTC(), Configured: true}
		if s := lg.State(); s != want || !lg.LoggedIn() {
			t.Errorf("State() after login = %+v, want %+v", s, want)
		}
		if !signalled(watch) {
			t.Error("the watcher was not signalled after the login")
		}
		if _, err := e.client(lg).Webinars(t.Context()); err != nil {
			t.Errorf("the new login cannot call RingCentral: %v", err)
		}
	})
}

func TestFinish_UnknownOrStaleStateIsErrNotStarted(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, rcsim.Config{})
		lg := e.newLogin(t, "")
		if err := lg.Finish(t.Context(), "never-started", "code"); !errors.Is(err, login.ErrNotStarted) {
			t.Errorf("Finish with an unknown state = %v, want ErrNotStarted", err)
		}

		// A login another instance started is unknown here.
		other := e.newLogin(t, "")
		authURL, err := other.Start(redirectURI)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.browse(t, authURL, lg.Finish); !errors.Is(err, login.ErrNotStarted) {
			t.Errorf("Finish of a login started elsewhere = %v, want ErrNotStarted", err)
		}

		// A login left waiting too long is stale.
		authURL, err = lg.Start(redirectURI)
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(10*time.Minute + time.Second)
		if err := e.browse(t, authURL, lg.Finish); !errors.Is(err, login.ErrNotStarted) {
			t.Errorf("Finish after 10 minutes = %v, want ErrNotStarted", err)
		}
		if n := e.tokenRequests(); n != 0 {
			t.Errorf("%d token requests for logins not started here", n)
		}
		if s := lg.State(); s.Status != login.LoggedOut {
			t.Errorf("State() = %+v", s)
		}

		// A state is good for one callback only, and a replay does not
		// spoil the login it finished.
		var state, code string
		authURL, err = lg.Start(redirectURI)
		if err != nil {
			t.Fatal(err)
		}
		err = e.browse(t, authURL, func(ctx context.Context, st, c string) error {
			state, code = st, c
			return lg.Finish(ctx, st, c)
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := lg.Finish(t.Context(), state, code); !errors.Is(err, login.ErrNotStarted) {
			t.Errorf("Finish with a state used already = %v, want ErrNotStarted", err)
		}
		if s := lg.State(); s.Status != login.LoggedIn {
			t.Errorf("State() after a replayed callback = %+v", s)
		}
	})
}

func TestLogin_WithoutCredentialsCannotStart(t *testing.T) {
	t.Parallel()
	e := newEnv(t, rcsim.Config{})
	c := e.config("")
	c.ClientID, c.ClientSecret = "", ""
	lg := mustNew(t, c)
	if s := lg.State(); s.Configured || s.JWT || s.Status != login.LoggedOut {
		t.Errorf("State() without a client = %+v", s)
	}
	if _, err := lg.Start(redirectURI); !errors.Is(err, login.ErrNoClient) {
		t.Errorf("Start without a client = %v, want ErrNoClient", err)
	}
	if err := lg.LogInWithJWT(t.Context()); !errors.Is(err, login.ErrNoClient) {
		t.Errorf("LogInWithJWT without a client = %v, want ErrNoClient", err)
	}
	noJWT := e.newLogin(t, "")
	if err := noJWT.LogInWithJWT(t.Context()); !errors.Is(err, login.ErrNoJWT) {
		t.Errorf("LogInWithJWT without a JWT = %v, want ErrNoJWT", err)
	}
	if n := len(e.sim.APIRequests()); n != 0 {
		t.Errorf("%d requests to RingCentral without credentials", n)
	}
}

func TestLogInWithJWT(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, jwt string
		want      ringcentral.ProblemKind // "" for a login
	}{
		{"the app's JWT logs in", jwtCredential, ""},
		{"a JWT RingCentral refuses", "eyJ.forged.jwt", ringcentral.ProblemLoginRefused},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				e := newEnv(t, rcsim.Config{})
				lg := e.newLogin(t, tt.jwt)
				watch := lg.Watch()
				err := lg.LogInWithJWT(t.Context())
				if tt.want != "" {
					if p := ringcentral.Classify(err); p.Kind != tt.want || p.Code == "" {
						t.Errorf("LogInWithJWT = %v, classified %+v; want %s with RingCentral's errorCode", err, p, tt.want)
					}
					if s := lg.State(); s.Status != login.LoggedOut || !s.JWT {
						t.Errorf("State() after a refused JWT = %+v", s)
					}
					if signalled(watch) {
						t.Error("a refused login signalled the watcher")
					}
					return
				}
				if err != nil {
					t.Fatalf("LogInWithJWT = %v", err)
				}
				want := login.State{Status: login.LoggedIn, Method: login.MethodJWT, OwnerID: rcsim.OwnerID,
					RefreshExpiry: time.Now().Add(week).UTC(), Configured: true, JWT: true}
				if s := lg.State(); s != want {
					t.Errorf("State() = %+v, want %+v", s, want)
				}
				if !signalled(watch) {
					t.Error("the watcher was not signalled after the login")
				}
				if _, err := e.client(lg).Webinars(t.Context()); err != nil {
					t.Errorf("the JWT login cannot call RingCentral: %v", err)
				}
			})
		})
	}
}

func TestLogin_ARestartRestoresIt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		jwt   string
		logIn func(*testing.T, *env, *login.Login)
	}{
		{"browser", "", func(t *testing.T, e *env, lg *login.Login) { e.logInByBrowser(t, lg) }},
		{"JWT", jwtCredential, func(t *testing.T, _ *env, lg *login.Login) { logInWithJWT(t, lg) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				e := newEnv(t, rcsim.Config{})
				first := e.newLogin(t, tt.jwt)
				tt.logIn(t, e, first)
				want := first.State()
				e.restart(t)

				lg := e.newLogin(t, tt.jwt)
				if s := lg.State(); s != want {
					t.Errorf("State() after a restart = %+v, want %+v", s, want)
				}
				if _, err := e.client(lg).Webinars(t.Context()); err != nil {
					t.Fatalf("the restored login cannot call RingCentral: %v", err)
				}
				if n := e.tokenRequests(); n != 1 {
					t.Errorf("%d token requests, want only the first login's", n)
				}
			})
		})
	}
}

func TestNew_AnUnreadableSavedLoginIsLoggedOut(t *testing.T) {
	t.Parallel()
	e := newEnv(t, rcsim.Config{})
	// The setting's name is a storage contract, hence spelled out here.
	if err := e.st.SetSetting("ringcentral.login", "{not json"); err != nil {
		t.Fatal(err)
	}
	lg := e.newLogin(t, jwtCredential)
	if s := lg.State(); s.Status != login.LoggedOut {
		t.Errorf("State() with an unreadable saved login = %+v", s)
	}
	logInWithJWT(t, lg)
	e.restart(t)
	if s := e.newLogin(t, jwtCredential).State(); s.Status != login.LoggedIn {
		t.Errorf("a new login did not replace the unreadable one: %+v", s)
	}
}

func TestTokenSource_BeforeLoginIsNotLoggedInThenServesTheLogin(t *testing.T) {
	t.Parallel()
	e := newEnv(t, rcsim.Config{})
	lg := e.newLogin(t, jwtCredential)
	client := e.client(lg) // built at start, before any login
	if _, err := lg.TokenSource().Token(); !errors.Is(err, ringcentral.ErrNotLoggedIn) {
		t.Errorf("Token() before login = %v, want ErrNotLoggedIn", err)
	}
	_, err := client.Webinars(t.Context())
	if p := ringcentral.Classify(err); p.Kind != ringcentral.ProblemNotLoggedIn {
		t.Errorf("a call before login = %v, classified %+v; want %s", err, p, ringcentral.ProblemNotLoggedIn)
	}
	if n := len(e.sim.APIRequests()); n != 0 {
		t.Errorf("%d requests to RingCentral before login", n)
	}
	logInWithJWT(t, lg)
	if _, err := client.Webinars(t.Context()); err != nil {
		t.Errorf("the client built before login cannot call after it: %v", err)
	}
}

func TestTokens_RefreshAheadOfExpirySavesTheNewToken(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, rcsim.Config{})
		lg := e.newLogin(t, "")
		e.logInByBrowser(t, lg)
		client := e.client(lg)
		prev, err := lg.TokenSource().Token()
		if err != nil {
			t.Fatal(err)
		}
		// Each refresh spends the refresh token before it: only the
		// newest saved one lets a restart go on.
		for i := range 3 {
			time.Sleep(time.Hour - ringcentral.RefreshEarly + time.Second)
			if _, err := client.Webinars(t.Context()); err != nil {
				t.Fatalf("refresh %d: %v", i+1, err)
			}
			tok, err := lg.TokenSource().Token()
			if err != nil || tok.AccessToken == prev.AccessToken || tok.RefreshToken == prev.RefreshToken {
				t.Fatalf("refresh %d: Token() = %+v, %v; want new tokens", i+1, tok, err)
			}
			prev = tok
		}
		if n := e.tokenRequests(); n != 4 {
			t.Errorf("%d token requests, want the login and 3 refreshes", n)
		}
		if s := lg.State(); s.Status != login.LoggedIn || !s.RefreshExpiry.Equal(time.Now().Add(week)) {
			t.Errorf("State() after refreshing = %+v; want logged in, the refresh token good for a week from now", s)
		}
		want := lg.State()

		e.restart(t)
		restored := e.newLogin(t, "")
		if s := restored.State(); s != want {
			t.Errorf("State() after a restart = %+v, want %+v", s, want)
		}
		if tok, err := restored.TokenSource().Token(); err != nil || tok.AccessToken != prev.AccessToken {
			t.Errorf("the restart's token = %+v, %v; want the newest refreshed", tok, err)
		}
		if _, err := e.client(restored).Webinars(t.Context()); err != nil {
			t.Errorf("the restored login cannot call RingCentral: %v", err)
		}
	})
}

func TestLogin_AnExpiredRefreshAsksToLogInAgain(t *testing.T) {
	t.Parallel()
	lapse := func(t *testing.T, _ *env, _ *login.Login) { time.Sleep(3 * time.Hour) } // past the 2 h refresh token
	revoke := func(t *testing.T, e *env, lg *login.Login) {
		// Logged out elsewhere: RingCentral ends the whole session.
		tok, err := lg.TokenSource().Token()
		if err != nil {
			t.Fatal(err)
		}
		if err := ringcentral.Revoke(t.Context(), ringcentral.OAuthConfig(endpoints, clientID, clientSecret, ""), e.hc, endpoints, tok); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name       string
		jwt        string // RINGCENTRAL_JWT at login
		restartJWT string // …and after a restart before the refusal
		refuse     func(*testing.T, *env, *login.Login)
		wantCode   string // RingCentral's errorCode; "" when the login goes on
	}{
		{"browser login, refresh token lapsed", "", "", lapse, "OAU-210"},
		{"browser login, session revoked", "", "", revoke, "OAU-211"},
		{"JWT login, refresh token lapsed: logs in again", jwtCredential, jwtCredential, lapse, ""},
		{"JWT login, session revoked: logs in again", jwtCredential, jwtCredential, revoke, ""},
		{"JWT login whose JWT is refused too", jwtCredential, "eyJ.revoked.jwt", revoke, "OAU-230"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				e := newEnv(t, rcsim.Config{RefreshTTL: 2 * time.Hour})
				lg := e.newLogin(t, tt.jwt)
				if tt.jwt == "" {
					e.logInByBrowser(t, lg)
				} else {
					logInWithJWT(t, lg)
				}
				e.restart(t)
				lg = e.newLogin(t, tt.restartJWT)
				tt.refuse(t, e, lg)
				_, err := e.client(lg).Webinars(t.Context())
				if tt.wantCode == "" {
					if err != nil {
						t.Fatalf("Webinars = %v, want the JWT to log in again", err)
					}
					if s := lg.State(); s.Status != login.LoggedIn || !s.RefreshExpiry.Equal(time.Now().Add(2*time.Hour)) {
						t.Errorf("State() = %+v; want logged in with a new refresh token", s)
					}
					return
				}
				if p := ringcentral.Classify(err); !errors.Is(err, ringcentral.ErrLoginExpired) || p.Kind != ringcentral.ProblemLoginExpired || p.Code != tt.wantCode {
					t.Errorf("Webinars = %v, classified %+v; want %s with %s", err, p, ringcentral.ProblemLoginExpired, tt.wantCode)
				}
				if s := lg.State(); s.Status != login.Expired || lg.LoggedIn() {
					t.Errorf("State() = %+v, want %s", s, login.Expired)
				}
				e.restart(t)
				if s := e.newLogin(t, tt.restartJWT).State(); s.Status != login.Expired {
					t.Errorf("State() after a restart = %+v, want still %s", s, login.Expired)
				}
			})
		})
	}
}

func TestMarkExpired_LastsUntilANewTokenIsAccepted(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, rcsim.Config{})
		lg := e.newLogin(t, "")
		lg.MarkExpired()
		if s := lg.State(); s.Status != login.LoggedOut {
			t.Errorf("MarkExpired while logged out made it %+v", s)
		}
		e.logInByBrowser(t, lg)
		lg.MarkExpired()
		if s := lg.State(); s.Status != login.Expired {
			t.Errorf("State() after MarkExpired = %+v, want %s", s, login.Expired)
		}
		// The refused token handed out again does not clear it…
		if _, err := lg.TokenSource().Token(); err != nil {
			t.Fatal(err)
		}
		if s := lg.State(); s.Status != login.Expired {
			t.Errorf("State() after the same token again = %+v, want %s", s, login.Expired)
		}
		// …a refreshed one RingCentral accepts does.
		time.Sleep(time.Hour)
		if _, err := e.client(lg).Webinars(t.Context()); err != nil {
			t.Fatal(err)
		}
		if s := lg.State(); s.Status != login.LoggedIn {
			t.Errorf("State() after a refresh = %+v, want %s", s, login.LoggedIn)
		}
	})
}

func TestLogout_RevokesAndForgets(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, rcsim.Config{})
		lg := e.newLogin(t, "")
		watch := lg.Watch()
		e.logInByBrowser(t, lg)
		signalled(watch)
		tok, err := lg.TokenSource().Token()
		if err != nil {
			t.Fatal(err)
		}
		if err := lg.Logout(t.Context()); err != nil {
			t.Fatalf("Logout = %v", err)
		}
		if s := lg.State(); s != (login.State{Status: login.LoggedOut, Configured: true}) {
			t.Errorf("State() after logout = %+v", s)
		}
		if signalled(watch) {
			t.Error("a logout signalled the watcher")
		}
		if _, err := lg.TokenSource().Token(); !errors.Is(err, ringcentral.ErrNotLoggedIn) {
			t.Errorf("Token() after logout = %v, want ErrNotLoggedIn", err)
		}
		// RingCentral ended the session: neither token works any more.
		_, err = ringcentral.NewClient(serverURL, oauth2.StaticTokenSource(tok), ringcentral.WithHTTPClient(e.hc)).Webinars(t.Context())
		if p := ringcentral.Classify(err); p.Kind != ringcentral.ProblemLoginExpired {
			t.Errorf("a call with the logged-out access token = %v, want %s", err, ringcentral.ProblemLoginExpired)
		}
		spent := ringcentral.NewTokenSource(ringcentral.TokenSourceConfig{
			OAuth: ringcentral.OAuthConfig(endpoints, clientID, clientSecret, ""), HTTP: e.hc}, &oauth2.Token{RefreshToken: tok.RefreshToken})
		if _, err := spent.Token(); !errors.Is(err, ringcentral.ErrLoginExpired) {
			t.Errorf("refreshing the logged-out refresh token = %v, want ErrLoginExpired", err)
		}
		if err := lg.Logout(t.Context()); err != nil {
			t.Errorf("Logout when logged out = %v", err)
		}
		e.restart(t)
		if s := e.newLogin(t, "").State(); s.Status != login.LoggedOut {
			t.Errorf("a restart after logout is %+v", s)
		}
	})
}

func TestLogout_ForgetsEvenWhenRevokingFails(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, rcsim.Config{})
		simH := e.sim.Handler()
		down := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/restapi/oauth/revoke" {
				http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
				return
			}
			simH.ServeHTTP(w, r)
		})
		c := e.config(jwtCredential)
		c.HTTPClient = &http.Client{Transport: rcsim.Transport(down)}
		lg := mustNew(t, c)
		logInWithJWT(t, lg)
		if err := lg.Logout(t.Context()); err != nil {
			t.Fatalf("Logout with RingCentral refusing the revoke = %v, want nil", err)
		}
		if s := lg.State(); s.Status != login.LoggedOut {
			t.Errorf("State() = %+v", s)
		}
		e.restart(t)
		c.Store = e.st
		if s := mustNew(t, c).State(); s.Status != login.LoggedOut {
			t.Errorf("a restart after logout is %+v", s)
		}
	})
}

func TestWatch_SignalsAfterEveryLogin(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		// More logins in a minute than RingCentral's Auth group allows.
		e := newEnv(t, rcsim.Config{Limits: rcsim.Limits{Auth: -1}})
		lg := e.newLogin(t, jwtCredential)
		first, second := lg.Watch(), lg.Watch()
		if signalled(first) || signalled(second) {
			t.Fatal("a watcher was signalled before any login")
		}
		if err := lg.Finish(t.Context(), "never-started", "code"); err == nil {
			t.Fatal("Finish with an unknown state worked")
		}
		if signalled(first) {
			t.Error("a failed login signalled the watcher")
		}
		logInWithJWT(t, lg)
		if !signalled(first) || !signalled(second) {
			t.Error("a watcher was not signalled after a JWT login")
		}
		e.logInByBrowser(t, lg)
		if !signalled(first) {
			t.Error("the watcher was not signalled after a browser login")
		}
		// Signals do not pile up: two logins unwatched leave one.
		logInWithJWT(t, lg)
		e.logInByBrowser(t, lg)
		if !signalled(first) || signalled(first) {
			t.Error("two logins unwatched should leave exactly one signal")
		}
		// A refresh is no new login.
		time.Sleep(time.Hour)
		if _, err := e.client(lg).Webinars(t.Context()); err != nil {
			t.Fatal(err)
		}
		if signalled(first) {
			t.Error("a refresh signalled the watcher")
		}
	})
}

// A refresh that ends after the organizer logged out, or in anew, must
// not bring the old login back, now or at the next start.
func TestTokens_ARefreshUnderWayNeverOverwritesANewerLogin(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		then  func(*testing.T, *login.Login)
		wantM login.Method // the login a restart finds; "" for none
	}{
		{"a logout", func(t *testing.T, lg *login.Login) {
			if err := lg.Logout(t.Context()); err != nil {
				t.Error(err)
			}
		}, ""},
		{"a new JWT login", func(t *testing.T, lg *login.Login) { logInWithJWT(t, lg) }, login.MethodJWT},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				e := newEnv(t, rcsim.Config{})
				simH, release := e.sim.Handler(), make(chan struct{})
				held := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Path == "/restapi/oauth/token" && r.ParseForm() == nil && r.PostForm.Get("grant_type") == "refresh_token" {
						<-release
					}
					simH.ServeHTTP(w, r)
				})
				c := e.config(jwtCredential)
				c.HTTPClient = &http.Client{Transport: rcsim.Transport(held)}
				lg := mustNew(t, c)
				e.logInByBrowser(t, lg)
				time.Sleep(time.Hour)
				refreshed := make(chan error, 1)
				go func() {
					_, err := e.client(lg).Webinars(context.Background())
					refreshed <- err
				}()
				synctest.Wait() // the refresh is at RingCentral
				thenDone := make(chan struct{})
				go func() {
					defer close(thenDone)
					tt.then(t, lg)
				}()
				// Logout waits on the token source's mutex for the
				// refresh, which synctest.Wait does not see as blocked:
				// wait for the newer login to show instead.
				for lg.State().Method != tt.wantM {
					runtime.Gosched()
				}
				close(release)
				<-refreshed
				<-thenDone

				if s := lg.State(); s.Method != tt.wantM {
					t.Errorf("State() = %+v, want method %q", s, tt.wantM)
				}
				want, _ := lg.TokenSource().Token()
				e.restart(t)
				c.Store = e.st
				restored := mustNew(t, c)
				if s := restored.State(); s.Method != tt.wantM {
					t.Errorf("State() after a restart = %+v, want method %q", s, tt.wantM)
				}
				if got, _ := restored.TokenSource().Token(); want != nil && (got == nil || got.AccessToken != want.AccessToken) {
					t.Errorf("a restart found token %+v, want the newer login's %+v", got, want)
				}
			})
		})
	}
}
