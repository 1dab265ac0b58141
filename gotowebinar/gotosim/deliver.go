package gotosim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"webinarsync/gotowebinar"
	"webinarsync/internal/clock"
)

// maxAttempts bounds the POSTs per event and callback. GoTo retries for
// much longer; a few tries keep tests and the demo moving.
const maxAttempts = 4

// requestTimeout bounds one POST even when Config.Client has no timeout.
const requestTimeout = 10 * time.Second

// burstGap paces the initial burst so it lands within about a second yet
// still reads as a stream in a live view.
const burstGap = 50 * time.Millisecond

// Run generates events and delivers them until ctx ends, then returns
// ctx.Err(). It first waits until someone listens (an AddCallback URL or an
// active subscription), so the initial burst is not lost while the app is
// still registering its webhooks. The burst goes out within about a second,
// then one event every Config.Interval. Deliveries are made in order; a
// callback that fails is retried a few times and then given up on.
func (s *Sim) Run(ctx context.Context) error {
	if !s.running.CompareAndSwap(false, true) {
		return errors.New("gotosim: Run is already running")
	}
	defer s.running.Store(false)

	if err := s.waitForListener(ctx); err != nil {
		return err
	}
	s.log.Info("gotosim: generating events", "interval", s.interval)
	gap := min(burstGap, s.interval)
	for s.gen.Pending() > 0 {
		s.emit(ctx, s.gen.Next())
		if err := clock.Sleep(ctx, gap); err != nil {
			return err
		}
	}
	ticker := time.NewTicker(s.interval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ticker.C:
			s.emit(ctx, s.gen.Next())
		}
	}
}

func (s *Sim) waitForListener(ctx context.Context) error {
	for {
		s.mu.Lock()
		listening, changed := s.listeningLocked(), s.changed
		s.mu.Unlock()
		if listening {
			return nil
		}
		s.log.Info("gotosim: waiting for a callback or an active subscription before generating events")
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-changed:
		}
	}
}

func (s *Sim) emit(ctx context.Context, body []byte) {
	s.mu.Lock()
	s.stats.Generated++
	s.mu.Unlock()
	status, err := s.Deliver(ctx, body)
	switch {
	case errors.Is(err, ErrNoCallbacks):
		s.log.Debug("gotosim: event dropped, nobody listens for it", "event", eventName(body))
	case err != nil && ctx.Err() == nil:
		s.log.Warn("gotosim: delivery failed", "event", eventName(body), "status", status, "err", err)
	default:
		s.log.Debug("gotosim: event delivered", "event", eventName(body), "status", status)
	}
}

// Deliver signs body with the current secret key and POSTs it to every
// callback that listens for its eventName (see AddCallback and the user
// subscriptions), in parallel. Network errors and 5xx answers are retried
// with backoff; other answers are final. It returns the final status from
// the last callback (0 if it never answered) and an error naming each
// callback that did not answer 2xx, or ErrNoCallbacks.
func (s *Sim) Deliver(ctx context.Context, body []byte) (status int, err error) {
	targets := s.targets(eventName(body))
	if len(targets) == 0 {
		s.mu.Lock()
		s.stats.Dropped++
		s.mu.Unlock()
		return 0, ErrNoCallbacks
	}
	statuses := make([]int, len(targets))
	errs := make([]error, len(targets))
	var wg sync.WaitGroup
	for i, u := range targets {
		wg.Go(func() { statuses[i], errs[i] = s.deliverTo(ctx, u, body) })
	}
	wg.Wait()
	return statuses[len(statuses)-1], errors.Join(errs...)
}

// deliverTo POSTs body to one callback, retrying as GoTo does: on network
// errors and 5xx only.
func (s *Sim) deliverTo(ctx context.Context, callback string, body []byte) (int, error) {
	wait := s.backoff
	for attempt := 1; ; attempt++ {
		status, err := s.post(ctx, callback, body)
		if err != nil && ctx.Err() != nil {
			// We gave up, not the callback: not an attempt to count.
			return status, fmt.Errorf("deliver to %s: %w", callback, ctx.Err())
		}
		s.mu.Lock()
		s.stats.Delivered++
		switch {
		case err == nil && status >= 200 && status < 300:
			s.stats.Acknowledged++
		case err == nil && status < 500:
			s.stats.Refused++
		default:
			s.stats.Failed++
		}
		s.mu.Unlock()
		switch {
		case err == nil && status >= 200 && status < 300:
			return status, nil
		case err == nil && status < 500:
			return status, fmt.Errorf("deliver to %s: refused with %d", callback, status)
		case attempt == maxAttempts:
			if err == nil {
				err = fmt.Errorf("answered %d", status)
			}
			return status, fmt.Errorf("deliver to %s: gave up after %d attempts: %w", callback, attempt, err)
		}
		s.log.Debug("gotosim: retrying delivery", "callback", callback, "attempt", attempt, "status", status, "err", err)
		if err := clock.Sleep(ctx, wait); err != nil {
			return status, fmt.Errorf("deliver to %s: %w", callback, err)
		}
		wait *= 2
	}
}

// post makes one signed POST; a fresh timestamp and the then-current key
// sign each attempt, as a retry is a new request.
func (s *Sim) post(ctx context.Context, callback string, body []byte) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, callback, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("building the request: %w", err)
	}
	ts := s.now().UTC().Format(time.RFC3339)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "gotosim (GoTo Webinar webhook simulator)")
	req.Header.Set(gotowebinar.HeaderSignatureTimestamp, ts)
	req.Header.Set(gotowebinar.HeaderSignature, gotowebinar.Sign([]byte(s.SecretKey()), ts, body))
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
	return resp.StatusCode, nil
}

// eventName reads the eventName of a body, "" if it has none.
func eventName(body []byte) string {
	var e struct {
		EventName string `json:"eventName"`
	}
	_ = json.Unmarshal(body, &e) // a body without one goes to AddCallback URLs only
	return e.EventName
}
