// Package forward owns forwarding stored events to the organizer's own
// endpoint (their server, n8n, a Zapier catch hook): each newly stored
// event, and each one the organizer replays, is POSTed there from the
// store's durable outbox, byte for byte as GoTo sent it, re-signed with
// the forwarding secret in GoTo's header scheme, in order, retried with
// backoff while the endpoint is down. It reports typed states; ui says
// them in words.
package forward

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"webinarsync/gotowebinar"
	"webinarsync/store"
)

// Headers added to each forwarded event besides GoTo's signature pair.
const (
	HeaderReplay   = "X-Webinarsync-Replay"    // "true" when the organizer replayed it
	HeaderEventKey = "X-Webinarsync-Event-Key" // the event's eventKey, to dedupe on
	// HeaderProvider says whose event it is: "goto", or "ringcentral" for
	// RingCentral's notifications (their bodies are RingCentral's shape,
	// re-signed as GoTo's are, and their event key is ringcentral:<uuid>).
	HeaderProvider = "X-Webinarsync-Provider"
)

// settingTarget is the saved target; the -forward-to flag wins over it.
const settingTarget = "forward.target"

// sendTimeout bounds one POST: a hung endpoint must not stall the queue.
const sendTimeout = 30 * time.Second

// Backoff is how long to wait after a failed send: Min, doubling up to Max.
type Backoff struct {
	Min, Max time.Duration
}

// DefaultBackoff waits 1 s, 2 s, 4 s … up to 5 min between attempts.
var DefaultBackoff = Backoff{Min: time.Second, Max: 5 * time.Minute}

func (b Backoff) after(failures int) time.Duration {
	d := b.Min
	for i := 1; i < failures && d < b.Max; i++ {
		d *= 2
	}
	return min(d, b.Max)
}

// Config is what a Forwarder needs.
type Config struct {
	Store *store.Store
	// Target is the -forward-to URL; "" leaves the saved one in charge.
	Target  string
	Client  *http.Client // nil: a client with a 30 s timeout
	Backoff Backoff      // zero: DefaultBackoff
	Logger  *slog.Logger
}

// Phase is where forwarding stands.
type Phase string

const (
	PhaseOff      Phase = "off"      // no target
	PhaseIdle     Phase = "idle"     // everything queued is delivered
	PhaseSending  Phase = "sending"  // working through the queue
	PhaseRetrying Phase = "retrying" // the last send failed; waiting to try again
)

// FailureKind sorts a failed send.
type FailureKind string

const (
	FailUnreachable FailureKind = "unreachable" // no answer: refused, DNS, timeout
	FailStatus      FailureKind = "status"      // answered, but not 2xx
	FailStore       FailureKind = "store"       // the outbox could not be read or updated
)

// Failure is the last failed send.
type Failure struct {
	Kind    FailureKind `json:"kind"`
	Status  int         `json:"status,omitempty"` // the HTTP status, for FailStatus
	Detail  string      `json:"detail"`           // the error as Go says it, for logs and the curious
	At      time.Time   `json:"at"`
	NextTry time.Time   `json:"nextTry,omitzero"`
}

// State is what the home page and /api/status show.
type State struct {
	Phase       Phase     `json:"phase"`
	Target      string    `json:"target,omitempty"`
	FromFlag    bool      `json:"fromFlag,omitempty"` // the target is -forward-to, not the saved one
	Pending     int       `json:"pending"`
	Sent        int       `json:"sent"` // since the app started
	LastSuccess time.Time `json:"lastSuccess,omitzero"`
	LastError   *Failure  `json:"lastError,omitempty"`
}

// Forwarder sends the outbox to the target. Build it with New, run Run
// in one goroutine.
type Forwarder struct {
	st      *store.Store
	flag    string
	client  *http.Client
	backoff Backoff
	log     *slog.Logger
	kick    chan struct{} // capacity 1: the queue or the target changed

	mu          sync.Mutex
	saved       string
	phase       Phase
	sent        int
	lastSuccess time.Time
	lastErr     *Failure
}

// New reads the saved target and turns the store's queueing on when there
// is a target, before any delivery can be stored.
func New(cfg Config) (*Forwarder, error) {
	if cfg.Store == nil {
		return nil, errors.New("forward: no store")
	}
	if cfg.Target != "" {
		if err := CheckTarget(cfg.Target); err != nil {
			return nil, fmt.Errorf("-forward-to: %w", err)
		}
	}
	f := &Forwarder{
		st: cfg.Store, flag: cfg.Target, client: cfg.Client,
		backoff: cfg.Backoff, log: cmp.Or(cfg.Logger, slog.Default()),
		kick: make(chan struct{}, 1), phase: PhaseIdle,
	}
	if f.client == nil {
		f.client = &http.Client{Timeout: sendTimeout}
	}
	if f.backoff.Min <= 0 {
		f.backoff = DefaultBackoff
	}
	saved, err := cfg.Store.Setting(settingTarget)
	if err != nil {
		return nil, fmt.Errorf("forward: %w", err)
	}
	f.saved = saved
	if err := f.st.SetForwarding(f.target() != ""); err != nil {
		return nil, fmt.Errorf("forward: %w", err)
	}
	if f.target() != "" {
		// Made now, so the settings page can show it before the first send.
		if _, err := f.st.ForwardSecret(); err != nil {
			return nil, fmt.Errorf("forward: %w", err)
		}
	}
	return f, nil
}

// ErrBadTarget: the target is not an absolute http(s) URL.
var ErrBadTarget = errors.New("the forwarding address must be a full http:// or https:// URL")

// CheckTarget refuses what cannot be POSTed to.
func CheckTarget(target string) error {
	u, err := url.Parse(target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ErrBadTarget
	}
	return nil
}

// target is the flag's URL, else the saved one.
func (f *Forwarder) target() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return cmp.Or(f.flag, f.saved)
}

// Target is the URL events go to and whether -forward-to set it.
func (f *Forwarder) Target() (target string, fromFlag bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return cmp.Or(f.flag, f.saved), f.flag != ""
}

// SavedTarget is the target saved on the settings page (the flag may
// override it).
func (f *Forwarder) SavedTarget() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.saved
}

// SaveTarget keeps target ("" stops forwarding unless -forward-to is set)
// and applies it at once.
func (f *Forwarder) SaveTarget(target string) error {
	target = strings.TrimSpace(target)
	if target != "" {
		if err := CheckTarget(target); err != nil {
			return err
		}
	}
	if err := f.st.SetSetting(settingTarget, target); err != nil {
		return fmt.Errorf("forward: save target: %w", err)
	}
	f.mu.Lock()
	f.saved = target
	f.mu.Unlock()
	if err := f.st.SetForwarding(f.target() != ""); err != nil {
		return fmt.Errorf("forward: save target: %w", err)
	}
	f.wake()
	return nil
}

// Secret is the forwarding secret the target verifies signatures with.
func (f *Forwarder) Secret() (string, error) { return f.st.ForwardSecret() }

// Replay queues stored events again, marked as replays, and reports how
// many. Without a target they wait in the outbox until one is set.
func (f *Forwarder) Replay(q store.ReplayQuery) (int, error) {
	n, err := f.st.EnqueueReplay(q, time.Now())
	if err != nil {
		return 0, fmt.Errorf("forward: %w", err)
	}
	f.wake()
	return n, nil
}

// State reports where forwarding stands.
func (f *Forwarder) State() State {
	pending, err := f.st.OutboxPending()
	f.mu.Lock()
	defer f.mu.Unlock()
	s := State{Phase: f.phase, Target: cmp.Or(f.flag, f.saved), FromFlag: f.flag != "",
		Pending: pending, Sent: f.sent, LastSuccess: f.lastSuccess}
	if f.lastErr != nil {
		e := *f.lastErr
		s.LastError = &e
	}
	if err != nil && s.LastError == nil {
		s.LastError = &Failure{Kind: FailStore, Detail: err.Error(), At: time.Now()}
	}
	if s.Target == "" {
		s.Phase = PhaseOff
	}
	return s
}

func (f *Forwarder) wake() {
	select {
	case f.kick <- struct{}{}:
	default:
	}
}

// Run sends the outbox, oldest first, until ctx ends or the store closes.
// An item leaves the outbox only once the target answered 2xx, so a stop
// or a crash at any point loses nothing (the one in flight may be sent
// twice; the event key header lets the target dedupe).
func (f *Forwarder) Run(ctx context.Context) {
	// The change feed only wakes the sender: the outbox, not the feed,
	// says what to send, so a dropped feed entry loses nothing.
	feed, cancel := f.st.Subscribe()
	defer cancel()
	failures := 0
	for {
		target := f.target()
		var wait time.Duration // 0: wait for a wake-up
		if target != "" {
			sent, err := f.sendNext(ctx, target)
			switch {
			case ctx.Err() != nil:
				return
			case err != nil:
				failures++
				wait = f.backoff.after(failures)
				f.failed(err, wait)
			case sent:
				failures = 0
				continue
			default:
				failures = 0
				f.setPhase(PhaseIdle)
			}
		}
		if !f.sleep(ctx, feed, wait) {
			return
		}
	}
}

// sleep waits for d (0: for ever) or a wake-up; false when Run must end.
func (f *Forwarder) sleep(ctx context.Context, feed <-chan store.LogEntry, d time.Duration) bool {
	var timer <-chan time.Time
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		timer = t.C
	}
	for {
		select {
		case <-ctx.Done():
			return false
		case <-f.kick:
			return true
		case <-timer:
			return true
		case _, ok := <-feed:
			if !ok {
				return false // the store is closing
			}
			if d == 0 {
				return true
			}
			// While backing off, a new event does not cut the wait short:
			// it queues behind the one that failed.
		}
	}
}

// sendNext sends the oldest queued item; sent is false when none is queued.
func (f *Forwarder) sendNext(ctx context.Context, target string) (sent bool, err error) {
	it, e, ok, err := f.st.OutboxNext()
	if err != nil {
		return false, &sendError{kind: FailStore, err: err}
	}
	if !ok {
		return false, nil
	}
	f.setPhase(PhaseSending)
	secret, err := f.st.ForwardSecret()
	if err != nil {
		return false, &sendError{kind: FailStore, err: err}
	}
	if err := f.post(ctx, target, secret, it, e); err != nil {
		return false, err
	}
	if err := f.st.OutboxDone(it.ID); err != nil {
		return false, &sendError{kind: FailStore, err: err}
	}
	f.mu.Lock()
	f.sent++
	f.lastSuccess = time.Now()
	f.lastErr = nil
	f.mu.Unlock()
	return true, nil
}

// sendError is a failed send, sorted.
type sendError struct {
	kind   FailureKind
	status int
	err    error
}

func (e *sendError) Error() string { return e.err.Error() }
func (e *sendError) Unwrap() error { return e.err }

// post sends one event, signed as GoTo signs: a fresh timestamp per
// attempt, as a retry is a new request.
func (f *Forwarder) post(ctx context.Context, target, secret string, it store.OutboxItem, e store.LogEntry) error {
	ctx, cancel := context.WithTimeout(ctx, sendTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(e.Raw))
	if err != nil {
		return &sendError{kind: FailUnreachable, err: fmt.Errorf("building the request: %w", err)}
	}
	ts := time.Now().UTC().Format(time.RFC3339)
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "webinarsync (forwarding GoTo Webinar events)")
	h.Set(gotowebinar.HeaderSignatureTimestamp, ts)
	h.Set(gotowebinar.HeaderSignature, gotowebinar.Sign([]byte(secret), ts, e.Raw))
	h.Set(HeaderEventKey, e.EventKey)
	h.Set(HeaderProvider, cmp.Or(e.Provider, store.ProviderGoTo))
	if it.Replay {
		h.Set(HeaderReplay, "true")
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return &sendError{kind: FailUnreachable, err: err}
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return &sendError{kind: FailStatus, status: resp.StatusCode,
			err: fmt.Errorf("%s answered %s", target, resp.Status)}
	}
	return nil
}

// failed records a failed send and when the next try is.
func (f *Forwarder) failed(err error, wait time.Duration) {
	fl := &Failure{Kind: FailUnreachable, Detail: err.Error(), At: time.Now()}
	fl.NextTry = fl.At.Add(wait)
	if se, ok := errors.AsType[*sendError](err); ok {
		fl.Kind, fl.Status = se.kind, se.status
	}
	f.log.Warn("forwarding an event failed; retrying", "kind", fl.Kind, "in", wait, "err", err)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.phase = PhaseRetrying
	f.lastErr = fl
}

func (f *Forwarder) setPhase(p Phase) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.phase = p
}
