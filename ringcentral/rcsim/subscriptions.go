package rcsim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

const subscriptionsPath = "/webinar/notifications/v1/subscriptions"

// Subscription rules, from RingCentral's spec and guide.
const (
	maxListed         = 20                   // records maxItems; the list is not paged
	defaultExpiresIn  = 604800               // seconds; the spec names no default
	maxExpiresIn      = 630720000            // 20 years: the older spec's maximum (today's is 10)
	validationTimeout = 3 * time.Second      // the handshake must be answered within
	maxValidationSize = 1024                 // bytes, headers included
	blacklistAfter    = 10 * time.Minute     // of failing deliveries
	statusActive      = "Active"             //
	statusBlacklisted = "Blacklisted"        //
	headerValidation  = "Validation-Token"   //
	headerVerifying   = "Verification-Token" //
	userAgent         = "RingCentral-Webhook/8.3"
)

// The filters a webinar subscription may name (before any query).
var knownFilters = []string{
	"/webinar/configuration/v1/company/sessions",
	"/webinar/runtime/v1/company/sessions/state",
	"/webinar/registration/v1/company/sessions/state",
	"/webinar/registration/v1/company/sessions/registrants",
}

type subscription struct {
	id, address, token string
	filters            []string
	status             string
	expiresIn          int // seconds
	created, expires   time.Time
	failingSince       time.Time // zero while deliveries succeed
	blacklistedAt      time.Time
	reason             string
}

func (s *Sim) subscriptionRoutes(mux *http.ServeMux) {
	const one = subscriptionsPath + "/{subscriptionId}"
	mux.HandleFunc("GET "+subscriptionsPath, s.limited(groupLight, s.listSubscriptions))
	mux.HandleFunc("POST "+subscriptionsPath, s.limited(groupMedium, s.createSubscription))
	mux.HandleFunc("GET "+one, s.limited(groupLight, s.getSubscription))
	mux.HandleFunc("PUT "+one, s.limited(groupMedium, s.updateSubscription))
	mux.HandleFunc("DELETE "+one, s.limited(groupMedium, s.deleteSubscription))
	mux.HandleFunc("POST "+one+"/renew", s.limited(groupLight, s.renewSubscription))
}

// subscriptionRequest reads create and update bodies. The token is
// accepted under both names RingCentral's documents use.
type subscriptionRequest struct {
	EventFilters []string `json:"eventFilters"`
	ExpiresIn    *int64   `json:"expiresIn"`
	DeliveryMode *struct {
		TransportType     string `json:"transportType"`
		Address           string `json:"address"`
		VerificationToken string `json:"verificationToken"`
		ValidationToken   string `json:"validationToken"`
	} `json:"deliveryMode"`
}

// check returns what is wrong with the request, or nil.
func (q subscriptionRequest) check(create bool) *apiError {
	if len(q.EventFilters) == 0 {
		return &apiError{Code: "CMN-101", Message: "Parameter [eventFilters] value is invalid", Parameter: "eventFilters"}
	}
	for _, f := range q.EventFilters {
		path, query, _ := strings.Cut(f, "?")
		v, err := url.ParseQuery(query)
		if !slices.Contains(knownFilters, path) || err != nil || hasOtherThan(v, "webinarId", "hostUserId") {
			return &apiError{Code: "CMN-101", Message: fmt.Sprintf("Parameter [eventFilters] value %q is invalid", f), Parameter: "eventFilters"}
		}
	}
	if q.ExpiresIn != nil && (*q.ExpiresIn < 1 || *q.ExpiresIn > maxExpiresIn) {
		return &apiError{Code: "CMN-101", Message: "Parameter [expiresIn] value is invalid", Parameter: "expiresIn"}
	}
	if !create {
		return nil
	}
	dm := q.DeliveryMode
	switch {
	case dm == nil || dm.TransportType != "WebHook":
		return &apiError{Code: "CMN-101", Message: "Parameter [deliveryMode.transportType] value is invalid", Parameter: "deliveryMode.transportType"}
	case !absoluteHTTP(dm.Address):
		return &apiError{Code: "CMN-101", Message: "Parameter [deliveryMode.address] value is invalid", Parameter: "deliveryMode.address"}
	}
	return nil
}

func hasOtherThan(v url.Values, names ...string) bool {
	for k := range v {
		if !slices.Contains(names, k) {
			return true
		}
	}
	return false
}

func absoluteHTTP(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

func readSubscriptionRequest(w http.ResponseWriter, r *http.Request, create bool) (subscriptionRequest, bool) {
	var q subscriptionRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&q); err != nil {
		writeErrors(w, http.StatusBadRequest, apiError{Code: "CMN-100", Message: "the body is not JSON: " + err.Error()})
		return q, false
	}
	if e := q.check(create); e != nil {
		writeErrors(w, http.StatusBadRequest, *e)
		return q, false
	}
	return q, true
}

func (s *Sim) createSubscription(w http.ResponseWriter, r *http.Request) {
	q, ok := readSubscriptionRequest(w, r, true)
	if !ok {
		return
	}
	if e := s.validate(r.Context(), q.DeliveryMode.Address); e != nil {
		writeErrors(w, http.StatusBadRequest, *e)
		return
	}
	now := s.now()
	sub := &subscription{id: randomUUID(), address: q.DeliveryMode.Address, filters: q.EventFilters,
		status: statusActive, expiresIn: defaultExpiresIn, created: now}
	sub.token = q.DeliveryMode.VerificationToken
	if sub.token == "" {
		sub.token = q.DeliveryMode.ValidationToken
	}
	if q.ExpiresIn != nil {
		sub.expiresIn = int(*q.ExpiresIn)
	}
	sub.expires = now.Add(time.Duration(sub.expiresIn) * time.Second)
	s.mu.Lock()
	s.subs = append(s.subs, sub)
	body := s.subscriptionJSON(r, sub, now)
	s.mu.Unlock()
	s.log.Info("rcsim: subscription created", "id", sub.id, "address", sub.address)
	writeJSON(w, http.StatusCreated, body)
}

func (s *Sim) listSubscriptions(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.dropExpiredLocked(now)
	records := []map[string]any{}
	for _, sub := range s.subs {
		if len(records) == maxListed {
			break
		}
		records = append(records, s.subscriptionJSON(r, sub, now))
	}
	writeJSON(w, http.StatusOK, map[string]any{"uri": baseURL(r) + subscriptionsPath, "records": records})
}

func (s *Sim) getSubscription(w http.ResponseWriter, r *http.Request) {
	s.withSubscription(w, r, func(sub *subscription, now time.Time) {
		writeJSON(w, http.StatusOK, s.subscriptionJSON(r, sub, now))
	})
}

func (s *Sim) renewSubscription(w http.ResponseWriter, r *http.Request) {
	s.withSubscription(w, r, func(sub *subscription, now time.Time) {
		sub.expires = now.Add(time.Duration(sub.expiresIn) * time.Second)
		writeJSON(w, http.StatusOK, s.subscriptionJSON(r, sub, now))
	})
}

func (s *Sim) deleteSubscription(w http.ResponseWriter, r *http.Request) {
	s.withSubscription(w, r, func(sub *subscription, _ time.Time) {
		s.subs = slices.DeleteFunc(s.subs, func(x *subscription) bool { return x == sub })
		w.WriteHeader(http.StatusNoContent)
	})
}

// updateSubscription replaces the filters and renews, after the address
// answers the handshake again.
func (s *Sim) updateSubscription(w http.ResponseWriter, r *http.Request) {
	q, ok := readSubscriptionRequest(w, r, false)
	if !ok {
		return
	}
	var address string
	s.withSubscription(w, r, func(sub *subscription, _ time.Time) { address = sub.address })
	if address == "" {
		return // answered 404
	}
	if e := s.validate(r.Context(), address); e != nil {
		writeErrors(w, http.StatusBadRequest, *e)
		return
	}
	s.withSubscription(w, r, func(sub *subscription, now time.Time) {
		sub.filters = q.EventFilters
		if q.ExpiresIn != nil {
			sub.expiresIn = int(*q.ExpiresIn)
		}
		sub.expires = now.Add(time.Duration(sub.expiresIn) * time.Second)
		writeJSON(w, http.StatusOK, s.subscriptionJSON(r, sub, now))
	})
}

// withSubscription runs f under s.mu with the path's live subscription,
// or answers 404: an expired subscription is gone.
func (s *Sim) withSubscription(w http.ResponseWriter, r *http.Request, f func(*subscription, time.Time)) {
	id := r.PathValue("subscriptionId")
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.dropExpiredLocked(now)
	for _, sub := range s.subs {
		if sub.id == id {
			f(sub, now)
			return
		}
	}
	writeErrors(w, http.StatusNotFound, apiError{Code: "CMN-102", Message: "Resource for parameter [subscriptionId] is not found", Parameter: "subscriptionId"})
}

func (s *Sim) dropExpiredLocked(now time.Time) {
	s.subs = slices.DeleteFunc(s.subs, func(x *subscription) bool { return !now.Before(x.expires) })
}

func (s *Sim) subscriptionJSON(r *http.Request, sub *subscription, now time.Time) map[string]any {
	m := map[string]any{
		"uri":            baseURL(r) + subscriptionsPath + "/" + sub.id,
		"id":             sub.id,
		"eventFilters":   sub.filters,
		"creationTime":   isoTime(sub.created),
		"expirationTime": isoTime(sub.expires),
		"expiresIn":      max(int(sub.expires.Sub(now)/time.Second), 0),
		"status":         sub.status,
		"deliveryMode":   map[string]any{"transportType": "WebHook", "address": sub.address, "encryption": false},
	}
	if sub.status == statusBlacklisted {
		m["blacklistedData"] = map[string]any{"blacklistedAt": isoTime(sub.blacklistedAt), "reason": sub.reason}
	}
	return m
}

func baseURL(r *http.Request) string {
	scheme := "https"
	if r.TLS == nil {
		scheme = "http"
	}
	return scheme + "://" + r.Host
}

// validate makes RingCentral's handshake: a POST with a Validation-Token
// header and no body, which must be answered 200 within 3 s, echoing the
// header, in at most 1024 bytes with the headers.
func (s *Sim) validate(ctx context.Context, address string) *apiError {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), validationTimeout)
	defer cancel()
	token := randomUUID()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, address, http.NoBody)
	if err != nil {
		return &apiError{Code: "CMN-101", Message: "Parameter [deliveryMode.address] value is invalid", Parameter: "deliveryMode.address"}
	}
	req.Header.Set(headerValidation, token)
	req.Header.Set("User-Agent", userAgent)
	resp, err := s.client.Do(req)
	if err != nil {
		s.log.Info("rcsim: validation request failed", "address", address, "err", err)
		return &apiError{Code: "CMN-101", Message: "Parameter [deliveryMode.address] value is invalid", Parameter: "deliveryMode.address"}
	}
	defer resp.Body.Close()
	var head bytes.Buffer
	fmt.Fprintf(&head, "HTTP/1.1 %s\r\n", resp.Status)
	_ = resp.Header.Write(&head)
	head.WriteString("\r\n")
	body := make([]byte, maxValidationSize+1)
	n, _ := io.ReadFull(resp.Body, body)
	switch {
	case resp.StatusCode != http.StatusOK:
		return &apiError{Code: "SUB-525", Message: fmt.Sprintf("WebHook server response is invalid: status %d", resp.StatusCode)}
	case resp.Header.Get(headerValidation) != token:
		return &apiError{Code: "SUB-520", Message: "Validation Token is not returned"}
	case head.Len()+n > maxValidationSize:
		return &apiError{Code: "SUB-525", Message: "WebHook server response is invalid: longer than 1024 bytes"}
	}
	return nil
}

// SubscriptionInfo is a subscription as the sim holds it, for tests.
type SubscriptionInfo struct {
	ID, Address, Token, Status string
	EventFilters               []string
	Expires                    time.Time
}

// Subscriptions returns the live subscriptions, in creation order.
func (s *Sim) Subscriptions() []SubscriptionInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropExpiredLocked(s.now())
	var out []SubscriptionInfo
	for _, sub := range s.subs {
		out = append(out, SubscriptionInfo{ID: sub.id, Address: sub.address, Token: sub.token,
			Status: sub.status, EventFilters: slices.Clone(sub.filters), Expires: sub.expires})
	}
	return out
}
