// Package ngrok owns the ngrok tunnel: an in-process ngrok agent
// (golang.ngrok.com/ngrok/v2) whose endpoint brings GoTo's webhook
// deliveries to the app's webhook listener, and the tunnel's state
// (connecting, online with its URL, reconnecting, failed with a reason in
// words, closed) for the UI and for re-pointing GoTo's webhooks.
//
// It never runs the ngrok agent program, whose local API on :4040 has no
// authentication and would expose registrant data. The authtoken is never
// logged or shown whole (see MaskToken). What the tunnel serves is the
// app's choice: it serves gotowebinar.WebhookHandler, so only the webhook
// path answers. ngrok adds X-Forwarded-For to each request it forwards;
// the receiver records it with the delivery, nothing here touches it.
package ngrok

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"sync"
	"time"

	ngrokgo "golang.ngrok.com/ngrok/v2"

	"webinarsync/internal/clock"
	"webinarsync/tunnel"
)

// DefaultListenTimeout bounds each attempt to open the endpoint.
const DefaultListenTimeout = 20 * time.Second

// How long to wait before trying again after a failure that may pass.
const (
	retryMin = 2 * time.Second
	retryMax = time.Minute
)

// releaseBudget bounds closing an endpoint nobody waits for.
const releaseBudget = 5 * time.Second

// Config is what the ngrok tunnel needs; the zero ListenTimeout and Logger
// are useful.
type Config struct {
	Authtoken string // NGROK_AUTHTOKEN or the settings page; never logged or shown whole
	// Domain is an optional static domain (NGROK_DOMAIN), e.g.
	// "my-name.ngrok-free.app" or "https://my-name.ngrok-free.app", so the
	// URL, and GoTo's webhooks, survive restarts.
	Domain string
	Logger *slog.Logger // nil = slog.Default()
	// ListenTimeout is the deadline for each attempt to open the endpoint
	// (ngrok-go retries a refused token forever); 0 = DefaultListenTimeout.
	ListenTimeout time.Duration
}

func (c Config) normalized() (Config, error) {
	c.Authtoken = strings.TrimSpace(c.Authtoken)
	if c.Authtoken == "" {
		return c, ErrNoAuthtoken
	}
	c.Domain = strings.TrimSpace(c.Domain)
	if c.ListenTimeout <= 0 {
		c.ListenTimeout = DefaultListenTimeout
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	c.Logger = redactingLogger(c.Logger, c.Authtoken)
	return c, nil
}

// endpointURL is the URL to ask ngrok for: "" for a random one, else the
// static domain as https://host.
func endpointURL(domain string) (string, error) {
	if domain == "" {
		return "", nil
	}
	raw := domain
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Host == "" || strings.ContainsAny(u.Host, " \t"):
		return "", &errDomain{domain, "is not a host name"}
	case u.Scheme != "https":
		return "", &errDomain{domain, "must be an https address"}
	case u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "":
		return "", &errDomain{domain, "has more than a host name"}
	}
	return "https://" + u.Host, nil
}

// Tunnel is the ngrok tunnel. It implements tunnel.Tunnel.
type Tunnel struct {
	newAgent           newAgentFunc
	retryMin, retryMax time.Duration
	base               context.Context // Start's: bounds the background work
	ln                 *listener

	mu      sync.Mutex
	cfg     Config
	state   tunnel.State
	changes chan tunnel.State
	closed  bool
	run     *run  // connecting and staying connected with cfg; nil while stopped
	cur     *conn // the open endpoint; nil while there is none
	// The current attempt to open an endpoint: events of older agents are
	// ignored, abort ends its Listen early, cause is the last error ngrok
	// reported meanwhile (why a Listen that times out did not get through).
	attempt uint64
	abort   context.CancelCauseFunc
	cause   error
}

var _ tunnel.Tunnel = (*Tunnel)(nil)

// run is one supervisor goroutine's life.
type run struct {
	cfg    Config
	cancel context.CancelFunc
	done   chan struct{}
}

// conn is an open endpoint and the agent carrying it.
type conn struct {
	id       uint64
	ag       agent
	ep       endpoint
	lost     chan struct{} // closed when the endpoint stops accepting
	lostOnce sync.Once
}

// Start checks the token and returns at once, in PhaseConnecting, while
// it connects to ngrok in the background for as long as ctx lives. It
// returns ErrNoAuthtoken, without calling ngrok, when cfg has no token.
// Release it with Close.
func Start(ctx context.Context, cfg Config) (*Tunnel, error) {
	return start(ctx, cfg, newNgrokAgent, retryMin, retryMax)
}

func start(ctx context.Context, cfg Config, newAgent newAgentFunc, rmin, rmax time.Duration) (*Tunnel, error) {
	cfg, err := cfg.normalized()
	if err != nil {
		return nil, err
	}
	t := newTunnel(ctx, newAgent, rmin, rmax)
	t.mu.Lock()
	defer t.mu.Unlock()
	t.cfg = cfg
	t.setLocked(tunnel.PhaseConnecting, "", "")
	t.startLocked()
	return t, nil
}

// Off returns a Tunnel that is not connected, for an app started without
// an authtoken: it is in PhaseOff, its Error says live events need
// NGROK_AUTHTOKEN, its Listener waits like a connecting one's, and
// Reconfigure with a token connects it (ctx as in Start).
func Off(ctx context.Context) *Tunnel {
	return off(ctx, newNgrokAgent, retryMin, retryMax)
}

func off(ctx context.Context, newAgent newAgentFunc, rmin, rmax time.Duration) *Tunnel {
	t := newTunnel(ctx, newAgent, rmin, rmax)
	t.mu.Lock()
	defer t.mu.Unlock()
	t.cfg = Config{Logger: slog.Default(), ListenTimeout: DefaultListenTimeout}
	t.setLocked(tunnel.PhaseOff, "", ErrNoAuthtoken.Error())
	return t
}

func newTunnel(ctx context.Context, newAgent newAgentFunc, rmin, rmax time.Duration) *Tunnel {
	t := &Tunnel{
		newAgent: newAgent,
		retryMin: rmin,
		retryMax: rmax,
		base:     ctx,
		changes:  make(chan tunnel.State, 8),
	}
	t.ln = newListener(t.endpointLost)
	return t
}

// Listener yields the connections of whichever endpoint is current: the
// app serves it once, from before ngrok is online until Close.
func (t *Tunnel) Listener() net.Listener { return t.ln }

// State is the tunnel's current state. URL is set only while online or
// reconnecting.
func (t *Tunnel) State() tunnel.State {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.state
}

// Changes delivers each new state, the latest always (a slow receiver
// misses older ones). It is closed by Close.
func (t *Tunnel) Changes() <-chan tunnel.State { return t.changes }

// Reconfigure starts again with a new token or domain (the settings page):
// it closes the current endpoint and agent within ctx, then connects in
// the background as Start does. With no token it returns ErrNoAuthtoken
// and changes nothing.
func (t *Tunnel) Reconfigure(ctx context.Context, cfg Config) error {
	cfg, err := cfg.normalized()
	if err != nil {
		return err
	}
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return errors.New("ngrok tunnel: reconfigure: the tunnel is closed")
	}
	r, c := t.run, t.cur
	t.run, t.cur = nil, nil
	t.cfg = cfg
	t.attempt++ // the old agent's events no longer count
	t.ln.use(nil)
	t.setLocked(tunnel.PhaseConnecting, "", "")
	t.mu.Unlock()

	t.stop(ctx, r)
	if c != nil {
		if err := closeConn(ctx, c); err != nil {
			cfg.Logger.Warn("the previous ngrok tunnel did not close cleanly", "err", err)
		}
	}

	t.mu.Lock()
	defer t.mu.Unlock()
	// Closed meanwhile, or a later Reconfigure started already (with the
	// latest config either way).
	if !t.closed && t.run == nil {
		t.startLocked()
	}
	return nil
}

// Close stops accepting, closes the endpoint (CloseWithContext) and
// disconnects the agent within ctx, then closes Changes. Calling it again
// does nothing.
func (t *Tunnel) Close(ctx context.Context) error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil
	}
	t.closed = true
	r, c := t.run, t.cur
	t.run, t.cur = nil, nil
	t.state = tunnel.State{Kind: "ngrok", Phase: tunnel.PhaseClosed, Since: time.Now()}
	t.mu.Unlock()

	t.ln.Close()
	t.stop(ctx, r)
	var err error
	if c != nil {
		err = closeConn(ctx, c)
	}

	t.mu.Lock()
	t.publishLocked(t.state)
	close(t.changes)
	t.mu.Unlock()
	if err != nil {
		return fmt.Errorf("ngrok tunnel: close: %w", err)
	}
	return nil
}

// stop ends r's supervisor and waits for it within ctx.
func (t *Tunnel) stop(ctx context.Context, r *run) {
	if r == nil {
		return
	}
	r.cancel()
	select {
	case <-r.done:
	case <-ctx.Done():
	}
}

func (t *Tunnel) startLocked() {
	ctx, cancel := context.WithCancel(t.base)
	r := &run{cfg: t.cfg, cancel: cancel, done: make(chan struct{})}
	t.run = r
	r.cfg.Logger.Info("connecting to ngrok", "authtoken", MaskToken(r.cfg.Authtoken), "domain", r.cfg.Domain)
	go t.supervise(ctx, r)
}

// supervise opens an endpoint, keeps it while ngrok-go reconnects its
// session, and opens a new one when it is lost; failures that may pass
// are retried with backoff, the others wait for Reconfigure.
func (t *Tunnel) supervise(ctx context.Context, r *run) {
	defer close(r.done)
	log := r.cfg.Logger
	wait := t.retryMin
	for ctx.Err() == nil {
		c, err := t.open(ctx, r)
		if ctx.Err() != nil {
			if c != nil {
				go release(c)
			}
			return
		}
		if err != nil {
			words := redact(describe(err, r.cfg.ListenTimeout), r.cfg.Authtoken)
			if permanent(err) {
				if t.setFor(r, tunnel.PhaseFailed, "", words) {
					log.Error("ngrok tunnel failed; change the settings to try again", "reason", words)
				}
				return
			}
			if !t.setFor(r, tunnel.PhaseFailed, "", fmt.Sprintf("%s; trying again in %s", words, seconds(wait))) {
				return
			}
			log.Warn("ngrok tunnel failed; trying again", "reason", words, "in", wait)
			if clock.Sleep(ctx, wait) != nil {
				return
			}
			wait = min(2*wait, t.retryMax)
			t.setFor(r, tunnel.PhaseConnecting, "", "last try: "+words)
			continue
		}
		if !t.install(r, c) {
			go release(c)
			return
		}
		log.Info("ngrok tunnel online", "url", urlOf(c.ep))
		wait = t.retryMin

		select {
		case <-ctx.Done():
			return // Close or Reconfigure releases the endpoint
		case <-c.lost:
		}
		// ngrok ended the endpoint (its session gave up): open a new one.
		t.mu.Lock()
		mine := t.run == r && t.cur == c
		if mine {
			t.cur = nil
			t.setLocked(tunnel.PhaseConnecting, "", "the ngrok endpoint closed; connecting again")
		}
		t.mu.Unlock()
		if !mine {
			return
		}
		log.Warn("the ngrok endpoint closed; connecting again")
		release(c)
		if clock.Sleep(ctx, t.retryMin) != nil {
			return
		}
	}
}

// open makes one attempt: a new agent, and its Listen within the deadline.
func (t *Tunnel) open(ctx context.Context, r *run) (*conn, error) {
	u, err := endpointURL(r.cfg.Domain)
	if err != nil {
		return nil, err
	}
	actx, abort := context.WithCancelCause(ctx)
	defer abort(nil)

	t.mu.Lock()
	if t.run != r {
		t.mu.Unlock()
		return nil, context.Canceled
	}
	t.attempt++
	id := t.attempt
	t.abort, t.cause = abort, nil
	t.mu.Unlock()

	ag, err := t.newAgent(r.cfg, func(e ngrokgo.Event) { t.onEvent(id, e) })
	if err != nil {
		return nil, err
	}
	ep, err := listenWithin(actx, ag, u, r.cfg.ListenTimeout)
	if err != nil {
		// Before trying again: a free account allows one session at a time.
		dctx, cancel := context.WithTimeout(context.Background(), releaseBudget)
		_ = within(dctx, ag.Disconnect)
		cancel()
		t.mu.Lock()
		cause := t.cause
		t.mu.Unlock()
		// "Did not answer in time" says less than what ngrok said meanwhile.
		var lt *errListenTimeout
		switch {
		case cause == nil || errors.Is(err, cause):
		case errorCode(cause) == "" && errors.As(err, &lt):
			err = &errListenTimeout{after: lt.after, last: cause}
		default:
			err = errors.Join(cause, err)
		}
		return nil, err
	}
	return &conn{id: id, ag: ag, ep: ep, lost: make(chan struct{})}, nil
}

// listenWithin gives up on ag.Listen when ctx ends or the timeout passes,
// even if Listen itself does not; an endpoint that arrives late is closed.
func listenWithin(ctx context.Context, ag agent, u string, timeout time.Duration) (endpoint, error) {
	lctx, cancel := context.WithTimeoutCause(ctx, timeout, &errListenTimeout{after: timeout})
	defer cancel()
	type result struct {
		ep  endpoint
		err error
	}
	done := make(chan result, 1)
	go func() {
		ep, err := ag.Listen(lctx, u)
		done <- result{ep, err}
	}()
	select {
	case res := <-done:
		if res.err != nil && lctx.Err() != nil {
			return nil, errors.Join(context.Cause(lctx), res.err)
		}
		return res.ep, res.err
	case <-lctx.Done():
		go func() {
			if res := <-done; res.ep != nil {
				closeEndpoint(res.ep)
			}
		}()
		return nil, context.Cause(lctx)
	}
}

// install makes c the current endpoint, unless r was stopped meanwhile.
func (t *Tunnel) install(r *run, c *conn) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed || t.run != r {
		return false
	}
	t.cur = c
	t.ln.use(c.ep)
	t.setLocked(tunnel.PhaseOnline, urlOf(c.ep), "")
	return true
}

// onEvent turns an ngrok-go event into a state. ngrok-go calls it on its
// session's goroutine, so it only takes the lock and publishes.
func (t *Tunnel) onEvent(id uint64, e ngrokgo.Event) {
	var warn string
	t.mu.Lock()
	log := t.cfg.Logger
	t.eventLocked(id, e, &warn)
	t.mu.Unlock()
	if warn != "" {
		log.Warn("ngrok connection lost; ngrok is reconnecting", "reason", warn)
	}
}

func (t *Tunnel) eventLocked(id uint64, e ngrokgo.Event, warn *string) {
	if t.closed || id != t.attempt {
		return
	}
	online := t.cur != nil && t.cur.id == id
	switch ev := e.(type) {
	case *ngrokgo.EventAgentConnectSucceeded:
		if online {
			// The endpoint's URL may differ after a reconnect; the app
			// re-points GoTo's webhooks when it sees a new one.
			t.setLocked(tunnel.PhaseOnline, urlOf(t.cur.ep), "")
		}
	case *ngrokgo.EventAgentDisconnected:
		// nil: the session ended for good (the endpoint's end tells us);
		// a context error: we stopped it ourselves.
		if ev.Error == nil || errors.Is(ev.Error, context.Canceled) || errors.Is(ev.Error, context.DeadlineExceeded) {
			return
		}
		words := redact(describe(ev.Error, t.cfg.ListenTimeout), t.cfg.Authtoken)
		if online {
			t.setLocked(tunnel.PhaseReconnecting, urlOf(t.cur.ep), words)
			*warn = words
			return
		}
		t.cause = ev.Error
		if permanent(ev.Error) && t.abort != nil {
			t.abort(ev.Error) // no use waiting for the deadline
			return
		}
		t.setLocked(tunnel.PhaseConnecting, "", "still trying: "+words)
	}
}

// endpointLost is the listener telling that ep stopped accepting.
func (t *Tunnel) endpointLost(ep endpoint) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if c := t.cur; c != nil && c.ep == ep {
		c.lostOnce.Do(func() { close(c.lost) })
	}
}

// setFor sets the state on behalf of r, unless r was stopped meanwhile.
func (t *Tunnel) setFor(r *run, phase tunnel.Phase, url, errText string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.run != r || t.closed {
		return false
	}
	t.setLocked(phase, url, errText)
	return true
}

func (t *Tunnel) setLocked(phase tunnel.Phase, url, errText string) {
	s := t.state
	if t.closed || (s.Phase == phase && s.URL == url && s.Error == errText) {
		return
	}
	if s.Phase != phase || s.URL != url {
		s.Since = time.Now()
	}
	s.Kind, s.Phase, s.URL, s.Error = "ngrok", phase, url, errText
	t.state = s
	t.publishLocked(s)
}

// publishLocked never blocks: when the receiver lags, the oldest state
// gives way to the newest. Only holders of t.mu send, so it terminates.
func (t *Tunnel) publishLocked(s tunnel.State) {
	for {
		select {
		case t.changes <- s:
			return
		default:
		}
		select {
		case <-t.changes:
		default:
		}
	}
}

func urlOf(ep endpoint) string {
	u := ep.URL()
	if u == nil {
		return ""
	}
	return strings.TrimRight(u.String(), "/")
}

// closeConn closes c's endpoint and disconnects its agent within ctx.
func closeConn(ctx context.Context, c *conn) error {
	var errs []error
	err := within(ctx, func() error { return c.ep.CloseWithContext(ctx) })
	if err != nil && !errors.Is(err, net.ErrClosed) {
		errs = append(errs, fmt.Errorf("closing the endpoint: %w", err))
	}
	if err := within(ctx, c.ag.Disconnect); err != nil {
		errs = append(errs, fmt.Errorf("disconnecting from ngrok: %w", err))
	}
	return errors.Join(errs...)
}

// release closes c when nobody waits for it.
func release(c *conn) {
	ctx, cancel := context.WithTimeout(context.Background(), releaseBudget)
	defer cancel()
	_ = closeConn(ctx, c)
}

func closeEndpoint(ep endpoint) {
	ctx, cancel := context.WithTimeout(context.Background(), releaseBudget)
	defer cancel()
	_ = within(ctx, func() error { return ep.CloseWithContext(ctx) })
}

// within runs f but stops waiting for it when ctx ends; ngrok-go does not
// always honour the contexts it is given.
func within(ctx context.Context, f func() error) error {
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}
