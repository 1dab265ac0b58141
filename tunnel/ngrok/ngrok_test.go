package ngrok

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	ngrokgo "golang.ngrok.com/ngrok/v2"

	"webinarsync/tunnel"
)

func TestStart_WithoutAuthtokenFailsAtOnceNamingTheVariable(t *testing.T) {
	t.Parallel()
	for _, tok := range []string{"", "  \t\n"} {
		began := time.Now()
		tun, err := Start(context.Background(), Config{Authtoken: tok, Domain: "my-name.ngrok-free.app"})
		if took := time.Since(began); took > 100*time.Millisecond {
			t.Errorf("Start took %s without a token", took)
		}
		if !errors.Is(err, ErrNoAuthtoken) || tun != nil {
			t.Fatalf("Start(%q) = %v, %v; want nil, ErrNoAuthtoken", tok, tun, err)
		}
		for _, want := range []string{"NGROK_AUTHTOKEN", "https://dashboard.ngrok.com/get-started/your-authtoken"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not name %s", err, want)
			}
		}
	}

	cloud := &fakeCloud{listen: func(context.Context, *fakeAgent) (endpoint, error) {
		t.Error("ngrok was called without a token")
		return nil, errors.New("unreachable")
	}}
	if _, err := start(context.Background(), Config{Authtoken: " "}, cloud.newAgent, time.Second, time.Second); !errors.Is(err, ErrNoAuthtoken) {
		t.Fatalf("err = %v, want ErrNoAuthtoken", err)
	}
	if n := cloud.count(); n != 0 {
		t.Fatalf("%d agents built without a token", n)
	}
}

func TestTunnel_GoesOnlineWithEndpointURL(t *testing.T) {
	t.Parallel()
	ep := newFakeEndpoint(t, "https://my-name.ngrok-free.app")
	cloud := &fakeCloud{listen: serveOnce(ep)}
	tun := startFake(t, cloud, Config{Domain: " my-name.ngrok-free.app "})

	if s := tun.State(); s.Phase != tunnel.PhaseConnecting && s.Phase != tunnel.PhaseOnline {
		t.Fatalf("state right after Start = %+v, want connecting", s)
	}
	s := waitFor(t, tun, "online", phaseIs(tunnel.PhaseOnline))
	if s.URL != "https://my-name.ngrok-free.app" || s.Kind != "ngrok" || s.Error != "" || s.Since.IsZero() {
		t.Fatalf("online state = %+v", s)
	}
	a := cloud.agent(0)
	if a.cfg.Authtoken != testToken {
		t.Errorf("agent got token %q", MaskToken(a.cfg.Authtoken))
	}
	if got := a.listenedURL(); got != "https://my-name.ngrok-free.app" {
		t.Errorf("Listen asked for %q, want the static domain as an https URL", got)
	}
}

func TestTunnel_WithoutDomainAsksForARandomURL(t *testing.T) {
	t.Parallel()
	ep := newFakeEndpoint(t, "https://1a2b-3c4d.ngrok-free.app/")
	cloud := &fakeCloud{listen: serveOnce(ep)}
	tun := startFake(t, cloud, Config{})
	s := waitFor(t, tun, "online", phaseIs(tunnel.PhaseOnline))
	if s.URL != "https://1a2b-3c4d.ngrok-free.app" {
		t.Errorf("URL = %q, want it without the trailing slash", s.URL)
	}
	if got := cloud.agent(0).listenedURL(); got != "" {
		t.Errorf("Listen asked for %q, want no URL", got)
	}
}

func TestEndpointURL_TakesAHostNameOrAnHTTPSURL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"my-name.ngrok-free.app", "https://my-name.ngrok-free.app"},
		{"https://my-name.ngrok-free.app", "https://my-name.ngrok-free.app"},
		{"https://my-name.ngrok-free.app/", "https://my-name.ngrok-free.app"},
		{"hooks.example.com:443", "https://hooks.example.com:443"},
	} {
		got, err := endpointURL(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("endpointURL(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"http://my-name.ngrok-free.app", "tcp://x.ngrok.io:1234", "https://my-name.ngrok-free.app/webhooks", "https://", "my name.ngrok-free.app", "https://u:p@x.ngrok.app"} {
		if got, err := endpointURL(bad); err == nil {
			t.Errorf("endpointURL(%q) = %q, want an error", bad, got)
		} else if !strings.Contains(Describe(err), "NGROK_DOMAIN") {
			t.Errorf("Describe(%v) = %q, want it to name NGROK_DOMAIN", err, Describe(err))
		}
	}
}

func TestTunnel_BadDomainFailsWithoutAskingNgrok(t *testing.T) {
	t.Parallel()
	cloud := &fakeCloud{listen: func(context.Context, *fakeAgent) (endpoint, error) {
		t.Error("ngrok was asked for a domain we knew was wrong")
		return nil, errors.New("unreachable")
	}}
	tun := startFake(t, cloud, Config{Domain: "https://my-name.ngrok-free.app/webhooks/gotowebinar"})
	s := waitFor(t, tun, "failed", phaseIs(tunnel.PhaseFailed))
	if !strings.Contains(s.Error, "NGROK_DOMAIN") || !strings.Contains(s.Error, "host name") {
		t.Errorf("Error = %q", s.Error)
	}
	if n := cloud.count(); n != 0 {
		t.Errorf("%d agents built", n)
	}
}

func TestTunnel_DisconnectThenReconnectPublishesStates(t *testing.T) {
	t.Parallel()
	ep := newFakeEndpoint(t, "https://my-name.ngrok-free.app")
	cloud := &fakeCloud{listen: serveOnce(ep)}
	tun := startFake(t, cloud, Config{Domain: "my-name.ngrok-free.app"})
	online := waitFor(t, tun, "online", phaseIs(tunnel.PhaseOnline))
	a := cloud.agent(0)

	a.emit(&ngrokgo.EventAgentDisconnected{Error: errSessionReset})
	s := waitFor(t, tun, "reconnecting", phaseIs(tunnel.PhaseReconnecting))
	if s.URL != online.URL {
		t.Errorf("reconnecting URL = %q, want %q kept", s.URL, online.URL)
	}
	if !strings.Contains(s.Error, "connection reset") {
		t.Errorf("reconnecting Error = %q, want the reason", s.Error)
	}

	a.emit(&ngrokgo.EventAgentHeartbeatReceived{Latency: time.Millisecond}) // no state of its own
	a.emit(&ngrokgo.EventAgentConnectSucceeded{})
	s = waitFor(t, tun, "online again", phaseIs(tunnel.PhaseOnline))
	if s.URL != online.URL || s.Error != "" {
		t.Errorf("online again = %+v", s)
	}
	if cloud.count() != 1 {
		t.Errorf("%d agents: ngrok-go reconnects by itself, we should not", cloud.count())
	}
}

func TestTunnel_NewURLAfterReconnectIsPublished(t *testing.T) {
	t.Parallel()
	ep := newFakeEndpoint(t, "https://aaaa.ngrok-free.app")
	cloud := &fakeCloud{listen: serveOnce(ep)}
	tun := startFake(t, cloud, Config{})
	waitFor(t, tun, "online", phaseIs(tunnel.PhaseOnline))
	a := cloud.agent(0)

	a.emit(&ngrokgo.EventAgentDisconnected{Error: errSessionReset})
	waitFor(t, tun, "reconnecting", phaseIs(tunnel.PhaseReconnecting))
	ep.setURL(t, "https://bbbb.ngrok-free.app")
	a.emit(&ngrokgo.EventAgentConnectSucceeded{})
	s := waitFor(t, tun, "online at the new URL", phaseIs(tunnel.PhaseOnline))
	if s.URL != "https://bbbb.ngrok-free.app" {
		t.Fatalf("URL = %q, want the new one", s.URL)
	}
	if tun.State().URL != s.URL {
		t.Errorf("State().URL = %q", tun.State().URL)
	}
}

func TestTunnel_ListenFailureIsFailedWithWords(t *testing.T) {
	t.Parallel()
	// Virtual time: a second of retry periods passes at once, and
	// synctest.Wait lets any retry happen before the count below.
	synctest.Test(t, func(t *testing.T) {
		refused := errors.New("failed to connect: authentication failed: The authtoken you specified does not look like a proper ngrok authtoken.\n" +
			"Your authtoken: " + testToken + "\nInstructions to install your authtoken are on your ngrok dashboard:\n" +
			"https://dashboard.ngrok.com/get-started/your-authtoken\r\n\r\nERR_NGROK_105\r\n")
		cloud := &fakeCloud{listen: func(context.Context, *fakeAgent) (endpoint, error) { return nil, refused }}
		var logs syncBuffer
		tun := startFake(t, cloud, Config{Logger: slog.New(slog.NewTextHandler(&logs, nil))})

		s := waitFor(t, tun, "failed", phaseIs(tunnel.PhaseFailed))
		for _, want := range []string{"ngrok refused the authtoken", "https://dashboard.ngrok.com/get-started/your-authtoken", "ERR_NGROK_105"} {
			if !strings.Contains(s.Error, want) {
				t.Errorf("Error %q lacks %q", s.Error, want)
			}
		}
		if s.URL != "" {
			t.Errorf("failed state has URL %q", s.URL)
		}
		time.Sleep(time.Second) // 25 or more retry periods (10 to 40 ms each)
		synctest.Wait()
		if n := cloud.count(); n != 1 {
			t.Errorf("a refused token was tried %d times; it cannot work until the settings change", n)
		}
		if strings.Contains(s.Error, testToken) || strings.Contains(logs.String(), testToken) {
			t.Errorf("the token leaked:\nstate: %s\nlog: %s", s.Error, logs.String())
		}
		if !strings.Contains(logs.String(), "ERR_NGROK_105") {
			t.Errorf("the failure was not logged: %s", logs.String())
		}
	})
}

func TestTunnel_TransientListenFailureIsRetried(t *testing.T) {
	t.Parallel()
	ep := newFakeEndpoint(t, "https://my-name.ngrok-free.app")
	cloud := &fakeCloud{}
	cloud.listen = func(context.Context, *fakeAgent) (endpoint, error) {
		if cloud.count() == 1 {
			return nil, &codeError{"ERR_NGROK_108", "Your account is limited to 1 simultaneous ngrok agent sessions.\n\nERR_NGROK_108"}
		}
		return ep, nil
	}
	tun := startFake(t, cloud, Config{Domain: "my-name.ngrok-free.app"})
	s := waitFor(t, tun, "failed", phaseIs(tunnel.PhaseFailed))
	if !strings.Contains(s.Error, "another ngrok agent is already running") || !strings.Contains(s.Error, "trying again in") {
		t.Errorf("Error = %q", s.Error)
	}
	waitFor(t, tun, "online after a retry", phaseIs(tunnel.PhaseOnline))
	if !isClosed(cloud.agent(0).disconnected) {
		t.Error("the failed attempt's agent was not disconnected")
	}
}

func TestTunnel_ListenUsesADeadline(t *testing.T) {
	t.Parallel()
	const timeout = 150 * time.Millisecond
	for name, listen := range map[string]func(ctx context.Context, hung <-chan struct{}) (endpoint, error){
		"Listen honours ctx": func(ctx context.Context, _ <-chan struct{}) (endpoint, error) {
			<-ctx.Done()
			return nil, ctx.Err()
		},
		"Listen ignores ctx": func(_ context.Context, hung <-chan struct{}) (endpoint, error) {
			<-hung
			return nil, errors.New("too late")
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			// Virtual time: the deadline is measured exactly, not waited for.
			synctest.Test(t, func(t *testing.T) {
				hung := make(chan struct{}) // made in the bubble, closed last in it
				t.Cleanup(func() { close(hung) })
				cloud := &fakeCloud{listen: func(ctx context.Context, _ *fakeAgent) (endpoint, error) { return listen(ctx, hung) }}
				began := time.Now()
				tun := startFake(t, cloud, Config{ListenTimeout: timeout})
				s := waitFor(t, tun, "failed", phaseIs(tunnel.PhaseFailed))
				if took := time.Since(began); took > timeout+time.Second {
					t.Errorf("failed after %s; the deadline is %s", took, timeout)
				}
				if !strings.Contains(s.Error, "ngrok did not answer within 150ms") || !strings.Contains(s.Error, "internet connection") {
					t.Errorf("Error = %q, want the timeout in words", s.Error)
				}
			})
		})
	}
}

func TestTunnel_RefusedTokenDuringConnectFailsBeforeTheDeadline(t *testing.T) {
	t.Parallel()
	// ngrok-go reports each refused attempt as a disconnect event while
	// Listen keeps retrying until its deadline.
	cloud := &fakeCloud{listen: func(ctx context.Context, a *fakeAgent) (endpoint, error) {
		a.emit(&ngrokgo.EventAgentDisconnected{Error: errors.New("authentication failed: The authtoken you specified is properly formed, but it is invalid.\n" +
			"Your authtoken: " + testToken + "\n\nERR_NGROK_107\n")})
		<-ctx.Done()
		return nil, ctx.Err()
	}}
	began := time.Now()
	tun := startFake(t, cloud, Config{ListenTimeout: 10 * time.Second})
	s := waitFor(t, tun, "failed", phaseIs(tunnel.PhaseFailed))
	if took := time.Since(began); took > 2*time.Second {
		t.Errorf("took %s: a refused token should not wait for the deadline", took)
	}
	if !strings.Contains(s.Error, "ngrok refused the authtoken") || !strings.Contains(s.Error, "ERR_NGROK_107") || strings.Contains(s.Error, testToken) {
		t.Errorf("Error = %q", s.Error)
	}
}

func TestTunnel_EventHandlerNeverBlocks(t *testing.T) {
	t.Parallel()
	ep := newFakeEndpoint(t, "https://my-name.ngrok-free.app")
	cloud := &fakeCloud{listen: serveOnce(ep)}
	tun := startFake(t, cloud, Config{})
	waitFor(t, tun, "online", phaseIs(tunnel.PhaseOnline))
	a := cloud.agent(0)

	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 10_000 {
			if i%2 == 0 {
				a.emit(&ngrokgo.EventAgentDisconnected{Error: errSessionReset})
			} else {
				a.emit(&ngrokgo.EventAgentConnectSucceeded{})
			}
			a.emit(&ngrokgo.EventAgentHeartbeatReceived{})
		}
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the event handler blocked with nobody reading Changes")
	}

	want := tun.State()
	if want.Phase != tunnel.PhaseOnline {
		t.Fatalf("State() = %+v, want online after the last connect", want)
	}
	var last tunnel.State
	for n := 0; ; n++ {
		select {
		case s := <-tun.Changes():
			last = s
			continue
		default:
		}
		if n > cap(tun.changes) {
			t.Errorf("%d states buffered", n)
		}
		break
	}
	if last != want {
		t.Errorf("latest on Changes = %+v, want %+v", last, want)
	}
}

func TestTunnel_ReconfigureStartsAgainWithTheNewSettings(t *testing.T) {
	t.Parallel()
	first := newFakeEndpoint(t, "https://aaaa.ngrok-free.app")
	second := newFakeEndpoint(t, "https://my-name.ngrok-free.app")
	cloud := &fakeCloud{}
	cloud.listen = func(context.Context, *fakeAgent) (endpoint, error) {
		if cloud.count() == 1 {
			return first, nil
		}
		return second, nil
	}
	tun := startFake(t, cloud, Config{})
	waitFor(t, tun, "online", phaseIs(tunnel.PhaseOnline))

	if err := tun.Reconfigure(context.Background(), Config{Authtoken: "  "}); !errors.Is(err, ErrNoAuthtoken) {
		t.Fatalf("Reconfigure without a token = %v", err)
	}
	if s := tun.State(); s.Phase != tunnel.PhaseOnline {
		t.Fatalf("a refused Reconfigure changed the state: %+v", s)
	}

	const newToken = "3xyNEWnewNEWnewNEWnewNEWnewNEWnewNEWnew_abcd"
	if err := tun.Reconfigure(context.Background(), Config{Authtoken: newToken, Domain: "my-name.ngrok-free.app", Logger: quietLogger()}); err != nil {
		t.Fatal(err)
	}
	old := cloud.agent(0)
	if !isClosed(first.closedByUs) || !isClosed(old.disconnected) {
		t.Error("the old endpoint and agent were not released")
	}
	s := waitFor(t, tun, "online at the new URL", func(s tunnel.State) bool {
		return s.Phase == tunnel.PhaseOnline && s.URL == "https://my-name.ngrok-free.app"
	})
	a := cloud.agent(1)
	if a.cfg.Authtoken != newToken || a.listenedURL() != "https://my-name.ngrok-free.app" {
		t.Errorf("new agent: token %s, url %q", MaskToken(a.cfg.Authtoken), a.listenedURL())
	}

	old.emit(&ngrokgo.EventAgentDisconnected{Error: errSessionReset}) // a straggler
	time.Sleep(20 * time.Millisecond)
	if got := tun.State(); got.Phase != tunnel.PhaseOnline || got.URL != s.URL {
		t.Errorf("the old agent's event changed the state: %+v", got)
	}
}

func TestTunnel_ReconfigureAfterAFailureConnects(t *testing.T) {
	t.Parallel()
	ep := newFakeEndpoint(t, "https://my-name.ngrok-free.app")
	cloud := &fakeCloud{}
	cloud.listen = func(_ context.Context, a *fakeAgent) (endpoint, error) {
		if a.cfg.Authtoken == testToken {
			return nil, errors.New("authentication failed: ERR_NGROK_107")
		}
		return ep, nil
	}
	tun := startFake(t, cloud, Config{})
	waitFor(t, tun, "failed", phaseIs(tunnel.PhaseFailed))
	if err := tun.Reconfigure(context.Background(), Config{Authtoken: "4goodGOODgoodGOODgoodGOODgood_1234", Logger: quietLogger()}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, tun, "connecting", phaseIs(tunnel.PhaseConnecting))
	waitFor(t, tun, "online", phaseIs(tunnel.PhaseOnline))
}

func TestTunnel_CloseReleasesEndpointAndAgent(t *testing.T) {
	t.Parallel()
	ep := newFakeEndpoint(t, "https://my-name.ngrok-free.app")
	cloud := &fakeCloud{listen: serveOnce(ep)}
	tun := startFake(t, cloud, Config{})
	waitFor(t, tun, "online", phaseIs(tunnel.PhaseOnline))

	if err := tun.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !isClosed(ep.closedByUs) || !isClosed(cloud.agent(0).disconnected) {
		t.Error("Close left the endpoint or the agent open")
	}
	s := waitFor(t, tun, "closed", phaseIs(tunnel.PhaseClosed))
	if _, open := <-tun.Changes(); open {
		t.Error("Changes still open after the closed state")
	}
	if tun.State() != s {
		t.Errorf("State() = %+v, want %+v", tun.State(), s)
	}
	if err := tun.Close(context.Background()); err != nil {
		t.Errorf("second Close = %v", err)
	}
	if err := tun.Reconfigure(context.Background(), Config{Authtoken: testToken}); err == nil {
		t.Error("Reconfigure after Close succeeded")
	}
}

func TestTunnel_CloseWithinDeadline(t *testing.T) {
	t.Parallel()
	ep := newFakeEndpoint(t, "https://my-name.ngrok-free.app")
	ep.closeBlocks = true
	cloud := &fakeCloud{listen: serveOnce(ep)}
	tun := startFake(t, cloud, Config{})
	waitFor(t, tun, "online", phaseIs(tunnel.PhaseOnline))
	hang := make(chan struct{})
	t.Cleanup(func() { close(hang) })
	a := cloud.agent(0)
	a.mu.Lock()
	a.blockDisconnect = hang
	a.mu.Unlock()

	accepted := make(chan error, 1)
	go func() {
		_, err := tun.Listener().Accept()
		accepted <- err
	}()

	const budget = 200 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), budget)
	defer cancel()
	began := time.Now()
	err := tun.Close(ctx)
	if took := time.Since(began); took > budget+300*time.Millisecond {
		t.Errorf("Close took %s with a %s budget", took, budget)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Close = %v, want it to say the deadline passed", err)
	}
	select {
	case err := <-accepted:
		if !errors.Is(err, net.ErrClosed) {
			t.Errorf("Accept = %v, want net.ErrClosed", err)
		}
	case <-time.After(time.Second):
		t.Error("Accept still blocked after Close")
	}
	for range tun.Changes() {
	}
	if s := tun.State(); s.Phase != tunnel.PhaseClosed {
		t.Errorf("state = %+v", s)
	}
	began = time.Now()
	if err := tun.Close(context.Background()); err != nil || time.Since(began) > 50*time.Millisecond {
		t.Errorf("second Close = %v after %s", err, time.Since(began))
	}
}

func TestLogger_RedactsTheAuthtoken(t *testing.T) {
	t.Parallel()
	var buf syncBuffer
	log := redactingLogger(slog.New(slog.NewJSONHandler(&buf, nil)), testToken)
	echoed := errors.New("The authtoken you specified is properly formed, but it is invalid.\nYour authtoken: " + testToken + "\n\nERR_NGROK_107")
	log.Error("failed to reconnect session", "err", echoed, "raw", testToken)
	log.With("tok", testToken).WithGroup("g").Info("token "+testToken, "x", []string{testToken}, slog.Group("inner", "y", testToken))
	out := buf.String()
	if strings.Contains(out, testToken) {
		t.Fatalf("the token reached the log:\n%s", out)
	}
	if !strings.Contains(out, MaskToken(testToken)) || !strings.Contains(out, "ERR_NGROK_107") {
		t.Errorf("redaction lost the useful parts:\n%s", out)
	}
}

func isClosed(c chan struct{}) bool {
	select {
	case <-c:
		return true
	case <-time.After(time.Second):
		return false
	}
}

func TestOff_SaysWhatIsMissingAndConnectsOnceATokenArrives(t *testing.T) {
	t.Parallel()
	ep := newFakeEndpoint(t, "https://my-name.ngrok-free.app")
	cloud := &fakeCloud{listen: serveOnce(ep)}
	tun := off(context.Background(), cloud.newAgent, 10*time.Millisecond, 40*time.Millisecond)
	t.Cleanup(func() { tun.Close(context.Background()) })

	s := tun.State()
	if s.Phase != tunnel.PhaseOff || s.Kind != "ngrok" || !strings.Contains(s.Error, "NGROK_AUTHTOKEN") ||
		!strings.Contains(s.Error, "https://dashboard.ngrok.com/get-started/your-authtoken") {
		t.Fatalf("state without a token = %+v", s)
	}
	got := make(chan string, 1)
	go func() {
		c, err := tun.Listener().Accept()
		if err != nil {
			got <- err.Error()
			return
		}
		defer c.Close()
		b := make([]byte, 1)
		c.Read(b)
		got <- string(b)
	}()

	if err := tun.Reconfigure(context.Background(), Config{Authtoken: "", Domain: "x"}); !errors.Is(err, ErrNoAuthtoken) {
		t.Fatalf("Reconfigure without a token = %v", err)
	}
	if cloud.count() != 0 {
		t.Fatal("ngrok was called without a token")
	}
	if err := tun.Reconfigure(context.Background(), Config{Authtoken: testToken, Logger: quietLogger()}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, tun, "online", phaseIs(tunnel.PhaseOnline))
	ep.dial(t, "x")
	select {
	case hello := <-got:
		if hello != "x" {
			t.Errorf("accepted %q", hello)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("the Listener served before the token did not accept")
	}
}
