package rcsim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// deliveryTimeout is how long RingCentral waits for a delivery's 200.
const deliveryTimeout = 3 * time.Second

// ErrNoSubscription is returned by Deliver when no active subscription
// asks for the notification's event.
var ErrNoSubscription = errors.New("rcsim: no active subscription for this event")

// Notification is what Deliver sends: an event filter path and a body.
// The envelope (uuid, timestamp, subscriptionId, ownerId) is added per
// subscription.
type Notification struct {
	Event     string // a filter path without query, e.g. /webinar/registration/v1/company/sessions/registrants
	WebinarID string // matches filters with ?webinarId=
	Body      any
}

// Deliver POSTs n to every active subscription whose filters ask for it,
// with the subscription's verification token in a Verification-Token (or,
// with Config.ValidationTokenOnDeliveries, Validation-Token) header. A
// delivery not answered 2xx within 3 s is a failure; a subscription whose
// deliveries have failed for 10 minutes of the sim's clock is blacklisted
// and gets no more. The error joins every failure.
func (s *Sim) Deliver(ctx context.Context, n Notification) error {
	type target struct {
		sub    *subscription
		filter string
		token  string
	}
	var targets []target
	s.mu.Lock()
	s.dropExpiredLocked(s.now())
	for _, sub := range s.subs {
		if sub.status != statusActive {
			continue
		}
		if f, ok := matchFilter(sub.filters, n); ok {
			targets = append(targets, target{sub, f, sub.token})
		}
	}
	s.mu.Unlock()
	if len(targets) == 0 {
		return ErrNoSubscription
	}
	var errs []error
	for _, t := range targets {
		err := s.post(ctx, t.sub.id, t.sub.address, t.token, t.filter, n.Body)
		s.settle(t.sub, err)
		if err != nil {
			errs = append(errs, fmt.Errorf("rcsim: delivering to subscription %s: %w", t.sub.id, err))
		}
	}
	return errors.Join(errs...)
}

// matchFilter finds the subscription's filter that n falls under: same
// path, and the same webinar when the filter names one. The envelope's
// event is that filter, as subscribed.
func matchFilter(filters []string, n Notification) (string, bool) {
	for _, f := range filters {
		path, query, _ := strings.Cut(f, "?")
		if path != n.Event {
			continue
		}
		v, _ := url.ParseQuery(query)
		if w := v.Get("webinarId"); w != "" && w != n.WebinarID {
			continue
		}
		return f, true
	}
	return "", false
}

func (s *Sim) post(ctx context.Context, subID, address, token, event string, body any) error {
	envelope, err := json.Marshal(map[string]any{
		"uuid":           randomUUID(),
		"event":          event,
		"timestamp":      isoTime(s.now()),
		"subscriptionId": subID,
		"ownerId":        OwnerID,
		"body":           body,
	})
	if err != nil {
		return fmt.Errorf("encoding the notification: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, deliveryTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, address, bytes.NewReader(envelope))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json; charset=UTF-8")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	if token != "" {
		h := headerVerifying
		if s.cfg.ValidationTokenOnDeliveries {
			h = headerValidation
		}
		req.Header.Set(h, token)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return fmt.Errorf("I/O operation is failed. Details: [%w]", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("Webhook responses with code: [%d], reason: [%s]", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	return nil
}

// settle counts a delivery and blacklists a subscription that has failed
// for blacklistAfter.
func (s *Sim) settle(sub *subscription, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.stats.Delivered++
	if err == nil {
		s.stats.Acknowledged++
		sub.failingSince = time.Time{}
		return
	}
	s.stats.Failed++
	if sub.failingSince.IsZero() {
		sub.failingSince = now
	}
	if now.Sub(sub.failingSince) >= blacklistAfter && sub.status == statusActive {
		sub.status, sub.blacklistedAt, sub.reason = statusBlacklisted, now, err.Error()
		s.log.Info("rcsim: subscription blacklisted", "id", sub.id, "reason", sub.reason)
	}
}
