package ngrok

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	ngrokgo "golang.ngrok.com/ngrok/v2"

	"webinarsync/tunnel"
)

// Fakes of ngrok's side only: the agent ngrok-go would give us, and the
// endpoints it would open. Connections arrive on real loopback sockets.

const testToken = "2abQWERTYuiopASDFGhjklZXCVbnm_1234567890qwertyxyz9"

// fakeCloud builds the tunnel's agents; listen scripts what each agent's
// Listen does.
type fakeCloud struct {
	listen func(ctx context.Context, a *fakeAgent) (endpoint, error)

	mu     sync.Mutex
	agents []*fakeAgent
}

func (f *fakeCloud) newAgent(cfg Config, onEvent ngrokgo.EventHandler) (agent, error) {
	a := &fakeAgent{cloud: f, cfg: cfg, emit: onEvent, disconnected: make(chan struct{})}
	f.mu.Lock()
	f.agents = append(f.agents, a)
	f.mu.Unlock()
	return a, nil
}

func (f *fakeCloud) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.agents)
}

func (f *fakeCloud) agent(i int) *fakeAgent {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.agents[i]
}

type fakeAgent struct {
	cloud *fakeCloud
	cfg   Config
	emit  ngrokgo.EventHandler // what ngrok-go calls on its session goroutine

	mu              sync.Mutex
	url             string
	blockDisconnect chan struct{} // when set, Disconnect hangs until it is closed
	disconnectOnce  sync.Once
	disconnected    chan struct{}
}

func (a *fakeAgent) Listen(ctx context.Context, u string) (endpoint, error) {
	a.mu.Lock()
	a.url = u
	a.mu.Unlock()
	return a.cloud.listen(ctx, a)
}

func (a *fakeAgent) Disconnect() error {
	a.mu.Lock()
	block := a.blockDisconnect
	a.mu.Unlock()
	if block != nil {
		<-block
	}
	a.disconnectOnce.Do(func() { close(a.disconnected) })
	return nil
}

func (a *fakeAgent) listenedURL() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.url
}

// fakeEndpoint is an ngrok endpoint whose connections arrive on a real
// loopback listener.
type fakeEndpoint struct {
	net.Listener

	mu          sync.Mutex
	url         *url.URL
	closeBlocks bool // CloseWithContext hangs until ctx ends, as a stuck ngrok would
	closedByUs  chan struct{}
	closeOnce   sync.Once
}

func newFakeEndpoint(t *testing.T, rawURL string) *fakeEndpoint {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return &fakeEndpoint{Listener: ln, url: u, closedByUs: make(chan struct{})}
}

func (e *fakeEndpoint) URL() *url.URL {
	e.mu.Lock()
	defer e.mu.Unlock()
	u := *e.url
	return &u
}

func (e *fakeEndpoint) setURL(t *testing.T, rawURL string) {
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	e.mu.Lock()
	e.url = u
	e.mu.Unlock()
}

func (e *fakeEndpoint) CloseWithContext(ctx context.Context) error {
	e.mu.Lock()
	blocks := e.closeBlocks
	e.mu.Unlock()
	if blocks {
		<-ctx.Done()
		return ctx.Err()
	}
	e.closeOnce.Do(func() { close(e.closedByUs) })
	return e.Listener.Close()
}

// dial connects to the endpoint as ngrok's edge would, and says which
// endpoint it came through.
func (e *fakeEndpoint) dial(t *testing.T, hello string) {
	t.Helper()
	c, err := net.Dial("tcp", e.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if _, err := c.Write([]byte(hello)); err != nil {
		t.Fatal(err)
	}
}

// serveOnce answers every Listen with ep.
func serveOnce(ep endpoint) func(context.Context, *fakeAgent) (endpoint, error) {
	return func(context.Context, *fakeAgent) (endpoint, error) { return ep, nil }
}

func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// startFake starts a Tunnel on fakes, with quick retries.
func startFake(t *testing.T, cloud *fakeCloud, cfg Config) *Tunnel {
	t.Helper()
	if cfg.Authtoken == "" {
		cfg.Authtoken = testToken
	}
	if cfg.Logger == nil {
		cfg.Logger = quietLogger()
	}
	tun, err := start(context.Background(), cfg, cloud.newAgent, 10*time.Millisecond, 40*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		tun.Close(ctx)
	})
	return tun
}

// waitFor reads Changes until a state satisfies ok.
func waitFor(t *testing.T, tun *Tunnel, what string, ok func(tunnel.State) bool) tunnel.State {
	t.Helper()
	deadline := time.After(3 * time.Second)
	var seen []tunnel.State
	for {
		select {
		case s, open := <-tun.Changes():
			if !open {
				t.Fatalf("Changes closed before %s; saw %+v", what, seen)
			}
			seen = append(seen, s)
			if ok(s) {
				return s
			}
		case <-deadline:
			t.Fatalf("no %s within 3 s; saw %+v; now %+v", what, seen, tun.State())
		}
	}
}

func phaseIs(p tunnel.Phase) func(tunnel.State) bool {
	return func(s tunnel.State) bool { return s.Phase == p }
}

// syncBuffer collects log output written from several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// codeError is how ngrok-go hands over an error from ngrok's cloud.
type codeError struct{ code, msg string }

func (e *codeError) Error() string { return e.msg }
func (e *codeError) Code() string  { return e.code }

var _ ngrokgo.Error = (*codeError)(nil)

var errSessionReset = errors.New("session closed: read tcp 10.0.0.2:51234->3.20.1.1:443: connection reset by peer")
