package gotosim

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"webinarsync/gotowebinar"
)

// The states of GoTo's webhooks and user subscriptions.
const (
	StateActive   = "ACTIVE"
	StateInactive = "INACTIVE"
)

type webhook struct {
	key, callbackURL, eventName, eventVersion, product, state string
	created                                                   time.Time
}

type subscription struct {
	key, webhookKey string
	callbackURL     string // "" delivers to the webhook's callbackUrl
	state           string
	created         time.Time
}

// WebhookJSON is a webhook as GoTo's v2 API shows it.
type WebhookJSON struct {
	WebhookKey   string `json:"webhookKey"`
	CallbackURL  string `json:"callbackUrl"`
	EventName    string `json:"eventName"`
	EventVersion string `json:"eventVersion"`
	Product      string `json:"product"`
	State        string `json:"state"`
	CreateTime   string `json:"createTime"`
}

// SubscriptionJSON is a user subscription as GoTo's v2 API shows it.
type SubscriptionJSON struct {
	UserSubscriptionKey   string `json:"userSubscriptionKey"`
	WebhookKey            string `json:"webhookKey"`
	CallbackURL           string `json:"callbackUrl"`
	EventName             string `json:"eventName"`
	EventVersion          string `json:"eventVersion"`
	Product               string `json:"product"`
	UserSubscriptionState string `json:"userSubscriptionState"`
	ActivationState       string `json:"activationState"`
	CreateTime            string `json:"createTime"`
}

// supportedEvents are the eventNames GoTo's spec accepts for a webhook;
// survey.submitted is accepted but never generated.
var supportedEvents = []string{
	gotowebinar.EventRegistrantAdded, gotowebinar.EventRegistrantJoined,
	gotowebinar.EventWebinarCreated, gotowebinar.EventWebinarChanged, "survey.submitted",
}

// requireToken answers 403 InvalidToken, as GoTo does, unless the request
// carries a live access token issued by this sim.
func (s *Sim) requireToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		scheme, tok, _ := strings.Cut(auth, " ")
		if !strings.EqualFold(scheme, "Bearer") || !s.tokenValid(strings.TrimSpace(tok)) {
			writeJSON(w, http.StatusForbidden, map[string]string{"int_err_code": "InvalidToken", "msg": "Invalid token passed"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Sim) tokenValid(tok string) bool {
	if tok == "" {
		return false
	}
	s.mu.Lock()
	exp, ok := s.tokens[tok]
	s.mu.Unlock()
	if !ok {
		_, exp, ok = s.verifyToken("access", tok)
	}
	return ok && s.now().Before(exp)
}

func (s *Sim) createSecretKey(w http.ResponseWriter, r *http.Request) {
	var req struct {
		ValidFrom string `json:"validFrom"`
	}
	if err := decodeBody(r, &req, true); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	validFrom := s.now().UTC()
	if req.ValidFrom != "" {
		t, err := time.Parse(time.RFC3339, req.ValidFrom)
		if err != nil {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("validFrom %q is not an ISO-8601 date time such as 2019-07-01T22:00:00Z", req.ValidFrom))
			return
		}
		validFrom = t.UTC()
	}
	k := secretKey{id: randomID(), value: randomToken(), validFrom: validFrom}
	s.mu.Lock()
	s.secrets = append(s.secrets, k)
	s.mu.Unlock()
	s.log.Info("gotosim: new webhook secret key", "id", k.id, "validFrom", validFrom)
	// The spec types id as an integer.
	writeJSON(w, http.StatusOK, map[string]any{"id": k.id, "value": k.value, "validFrom": validFrom.Format(time.RFC3339)})
}

func (s *Sim) createWebhooks(w http.ResponseWriter, r *http.Request) {
	type createReq struct {
		CallbackURL  string `json:"callbackUrl"`
		EventName    string `json:"eventName"`
		EventVersion string `json:"eventVersion"`
		Product      string `json:"product"`
	}
	var reqs []createReq
	if err := decodeBody(r, &reqs, false); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if len(reqs) == 0 {
		writeError(w, http.StatusBadRequest, "the body must be a non-empty list of webhooks")
		return
	}
	for i, q := range reqs {
		var problem string
		switch {
		case q.CallbackURL == "":
			problem = "callbackUrl is required"
		case q.Product != Product:
			problem = fmt.Sprintf("product must be %q, not %q", Product, q.Product)
		case !slices.Contains(supportedEvents, q.EventName):
			problem = fmt.Sprintf("eventName %q is not supported", q.EventName)
		case q.EventVersion != EventVersion:
			problem = fmt.Sprintf("eventVersion must be %q, not %q", EventVersion, q.EventVersion)
		}
		if problem != "" {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("webhook %d: %s", i, problem))
			return
		}
	}
	for _, u := range distinct(reqs, func(q createReq) string { return q.CallbackURL }) {
		if err := s.checkCallback(r.Context(), u); err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
	}
	now := s.now().UTC()
	s.mu.Lock()
	out := make([]WebhookJSON, 0, len(reqs))
	for _, q := range reqs {
		wh := &webhook{key: randomUUID(), callbackURL: q.CallbackURL, eventName: q.EventName,
			eventVersion: q.EventVersion, product: q.Product, state: StateInactive, created: now}
		s.webhooks = append(s.webhooks, wh)
		out = append(out, wh.json())
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"_embedded": map[string]any{"webhooks": out}})
}

func (s *Sim) listWebhooks(w http.ResponseWriter, r *http.Request) {
	if !checkProduct(w, r) {
		return
	}
	s.mu.Lock()
	out := make([]WebhookJSON, 0, len(s.webhooks))
	for _, wh := range s.webhooks {
		out = append(out, wh.json())
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"_embedded": map[string]any{"webhooks": out}})
}

func (s *Sim) getWebhook(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("webhookKey")
	s.mu.Lock()
	wh := s.webhookLocked(key)
	var out WebhookJSON
	if wh != nil {
		out = wh.json()
	}
	s.mu.Unlock()
	if wh == nil {
		writeNotFound(w, "webhook", key)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Sim) updateWebhooks(w http.ResponseWriter, r *http.Request) {
	var reqs []struct {
		WebhookKey  string `json:"webhookKey"`
		CallbackURL string `json:"callbackUrl"`
		State       string `json:"state"`
	}
	if err := decodeBody(r, &reqs, false); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if len(reqs) == 0 {
		writeError(w, http.StatusBadRequest, "the body must be a non-empty list of webhook updates")
		return
	}
	s.mu.Lock()
	for _, q := range reqs {
		if s.webhookLocked(q.WebhookKey) == nil {
			s.mu.Unlock()
			writeNotFound(w, "webhook", q.WebhookKey)
			return
		}
	}
	s.mu.Unlock()
	for _, q := range reqs {
		if err := s.checkUpdate(r.Context(), "webhook "+q.WebhookKey, "state", q.State, q.CallbackURL); err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
	}
	s.mu.Lock()
	for _, q := range reqs {
		wh := s.webhookLocked(q.WebhookKey)
		if wh == nil {
			continue // deleted meanwhile
		}
		if q.State != "" {
			wh.state = q.State
		}
		if q.CallbackURL != "" {
			wh.callbackURL = q.CallbackURL
		}
	}
	s.targetsChangedLocked()
	s.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// checkUpdate checks one entry of a PUT of webhooks or subscriptions as
// GoTo does: a state field (named stateField) of ACTIVE or INACTIVE, or a
// callback URL that answers GET with 200, or both.
func (s *Sim) checkUpdate(ctx context.Context, what, stateField, state, callbackURL string) error {
	switch {
	case state == "" && callbackURL == "":
		return fmt.Errorf("%s: nothing to update: give %s (ACTIVE or INACTIVE) or callbackUrl", what, stateField)
	case state != "" && state != StateActive && state != StateInactive:
		return fmt.Errorf("%s: %s must be ACTIVE or INACTIVE, not %q", what, stateField, state)
	case callbackURL != "":
		return s.checkCallback(ctx, callbackURL)
	}
	return nil
}

// deleteWebhooks removes webhooks and their subscriptions. The spec answers
// 202 Accepted.
func (s *Sim) deleteWebhooks(w http.ResponseWriter, r *http.Request) {
	var keys []string
	if err := decodeBody(r, &keys, false); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range keys {
		if s.webhookLocked(k) == nil {
			writeNotFound(w, "webhook", k)
			return
		}
	}
	s.webhooks = slices.DeleteFunc(s.webhooks, func(wh *webhook) bool { return slices.Contains(keys, wh.key) })
	s.subs = slices.DeleteFunc(s.subs, func(sub *subscription) bool { return slices.Contains(keys, sub.webhookKey) })
	s.targetsChangedLocked()
	w.WriteHeader(http.StatusAccepted)
}

func (s *Sim) createSubscriptions(w http.ResponseWriter, r *http.Request) {
	type createReq struct {
		WebhookKey            string `json:"webhookKey"`
		CallbackURL           string `json:"callbackUrl"`
		UserSubscriptionState string `json:"userSubscriptionState"`
	}
	var reqs []createReq
	if err := decodeBody(r, &reqs, false); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if len(reqs) == 0 {
		writeError(w, http.StatusBadRequest, "the body must be a non-empty list of user subscriptions")
		return
	}
	s.mu.Lock()
	for _, q := range reqs {
		if s.webhookLocked(q.WebhookKey) == nil {
			s.mu.Unlock()
			writeNotFound(w, "webhook", q.WebhookKey)
			return
		}
	}
	s.mu.Unlock()
	for _, q := range reqs {
		if q.UserSubscriptionState != "" && q.UserSubscriptionState != StateActive && q.UserSubscriptionState != StateInactive {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("userSubscriptionState must be ACTIVE or INACTIVE, not %q", q.UserSubscriptionState))
			return
		}
	}
	for _, u := range distinct(reqs, func(q createReq) string { return q.CallbackURL }) {
		if err := s.checkCallback(r.Context(), u); err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
	}
	now := s.now().UTC()
	s.mu.Lock()
	out := make([]SubscriptionJSON, 0, len(reqs))
	for _, q := range reqs {
		wh := s.webhookLocked(q.WebhookKey)
		if wh == nil {
			s.mu.Unlock()
			writeNotFound(w, "webhook", q.WebhookKey) // deleted while we validated
			return
		}
		sub := &subscription{key: randomUUID(), webhookKey: q.WebhookKey, callbackURL: q.CallbackURL,
			state: cmp.Or(q.UserSubscriptionState, StateActive), created: now}
		s.subs = append(s.subs, sub)
		out = append(out, sub.json(wh))
	}
	s.targetsChangedLocked()
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"_embedded": map[string]any{"userSubscriptions": out}})
}

func (s *Sim) listSubscriptions(w http.ResponseWriter, r *http.Request) {
	if !checkProduct(w, r) {
		return
	}
	s.mu.Lock()
	out := make([]SubscriptionJSON, 0, len(s.subs))
	for _, sub := range s.subs {
		out = append(out, sub.json(s.webhookLocked(sub.webhookKey)))
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"_embedded": map[string]any{"userSubscriptions": out}})
}

func (s *Sim) getSubscription(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("userSubscriptionKey")
	s.mu.Lock()
	sub := s.subscriptionLocked(key)
	var out SubscriptionJSON
	if sub != nil {
		out = sub.json(s.webhookLocked(sub.webhookKey))
	}
	s.mu.Unlock()
	if sub == nil {
		writeNotFound(w, "user subscription", key)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Sim) updateSubscriptions(w http.ResponseWriter, r *http.Request) {
	var reqs []struct {
		UserSubscriptionKey   string `json:"userSubscriptionKey"`
		WebhookKey            string `json:"webhookKey"` // the spec lists it; we check it when given
		CallbackURL           string `json:"callbackUrl"`
		UserSubscriptionState string `json:"userSubscriptionState"`
	}
	if err := decodeBody(r, &reqs, false); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if len(reqs) == 0 {
		writeError(w, http.StatusBadRequest, "the body must be a non-empty list of user subscription updates")
		return
	}
	s.mu.Lock()
	for _, q := range reqs {
		sub := s.subscriptionLocked(q.UserSubscriptionKey)
		if sub == nil {
			s.mu.Unlock()
			writeNotFound(w, "user subscription", q.UserSubscriptionKey)
			return
		}
		if q.WebhookKey != "" && q.WebhookKey != sub.webhookKey {
			s.mu.Unlock()
			writeError(w, http.StatusBadRequest, fmt.Sprintf("user subscription %s belongs to webhook %s, not %s", sub.key, sub.webhookKey, q.WebhookKey))
			return
		}
	}
	s.mu.Unlock()
	for _, q := range reqs {
		if err := s.checkUpdate(r.Context(), "user subscription "+q.UserSubscriptionKey, "userSubscriptionState",
			q.UserSubscriptionState, q.CallbackURL); err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
	}
	s.mu.Lock()
	for _, q := range reqs {
		sub := s.subscriptionLocked(q.UserSubscriptionKey)
		if sub == nil {
			continue // deleted meanwhile
		}
		if q.UserSubscriptionState != "" {
			sub.state = q.UserSubscriptionState
		}
		if q.CallbackURL != "" {
			sub.callbackURL = q.CallbackURL
		}
	}
	s.targetsChangedLocked()
	s.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// deleteSubscriptions removes user subscriptions. The spec answers 202
// Accepted.
func (s *Sim) deleteSubscriptions(w http.ResponseWriter, r *http.Request) {
	var keys []string
	if err := decodeBody(r, &keys, false); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range keys {
		if s.subscriptionLocked(k) == nil {
			writeNotFound(w, "user subscription", k)
			return
		}
	}
	s.subs = slices.DeleteFunc(s.subs, func(sub *subscription) bool { return slices.Contains(keys, sub.key) })
	s.targetsChangedLocked()
	w.WriteHeader(http.StatusAccepted)
}

// targets lists the URLs an event named eventName goes to: every
// AddCallback URL, then the callback of each subscription whose webhook is
// for that event and whose activationState is ACTIVE. A URL is listed once.
func (s *Sim) targets(eventName string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := slices.Clone(s.callbacks)
	for _, sub := range s.subs {
		wh := s.webhookLocked(sub.webhookKey)
		if wh == nil || wh.eventName != eventName || activation(wh, sub) != StateActive {
			continue
		}
		if u := cmp.Or(sub.callbackURL, wh.callbackURL); !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	return out
}

// listeningLocked reports whether any event would be delivered somewhere.
func (s *Sim) listeningLocked() bool {
	if len(s.callbacks) > 0 {
		return true
	}
	for _, sub := range s.subs {
		if wh := s.webhookLocked(sub.webhookKey); wh != nil && activation(wh, sub) == StateActive {
			return true
		}
	}
	return false
}

// checkCallback validates a callback URL as GoTo does: a GET that must
// answer 200 OK. Plain http is allowed, unlike GoTo, for loopback tests.
func (s *Sim) checkCallback(ctx context.Context, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("callbackUrl %q is not an absolute https URL", raw)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, raw, nil)
	if err != nil {
		return fmt.Errorf("callbackUrl %q: %w", raw, err)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return fmt.Errorf("callback url validation failed: GET %s: %w", raw, err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("callback url validation failed: GET %s answered %d, want 200 OK", raw, resp.StatusCode)
	}
	return nil
}

func (s *Sim) webhookLocked(key string) *webhook {
	for _, wh := range s.webhooks {
		if wh.key == key {
			return wh
		}
	}
	return nil
}

func (s *Sim) subscriptionLocked(key string) *subscription {
	for _, sub := range s.subs {
		if sub.key == key {
			return sub
		}
	}
	return nil
}

// activation is ACTIVE only when both the webhook and the subscription are.
func activation(wh *webhook, sub *subscription) string {
	if wh != nil && wh.state == StateActive && sub.state == StateActive {
		return StateActive
	}
	return StateInactive
}

func (wh *webhook) json() WebhookJSON {
	return WebhookJSON{
		WebhookKey: wh.key, CallbackURL: wh.callbackURL, EventName: wh.eventName,
		EventVersion: wh.eventVersion, Product: wh.product, State: wh.state,
		CreateTime: isoMillis(wh.created),
	}
}

func (sub *subscription) json(wh *webhook) SubscriptionJSON {
	out := SubscriptionJSON{
		UserSubscriptionKey: sub.key, WebhookKey: sub.webhookKey, CallbackURL: sub.callbackURL,
		UserSubscriptionState: sub.state, ActivationState: activation(wh, sub), CreateTime: isoMillis(sub.created),
	}
	if wh != nil {
		out.CallbackURL = cmp.Or(sub.callbackURL, wh.callbackURL)
		out.EventName, out.EventVersion, out.Product = wh.eventName, wh.eventVersion, wh.product
	}
	return out
}

// checkProduct enforces the product query parameter the spec requires on
// listings.
func checkProduct(w http.ResponseWriter, r *http.Request) bool {
	if p := r.URL.Query().Get("product"); p != Product {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("query parameter product must be %q, got %q", Product, p))
		return false
	}
	return true
}

// decodeBody reads a JSON body strictly: an unknown field is an error, so a
// client sending, say, "webhookState" instead of "state" hears about it
// rather than silently changing nothing. An empty body is allowed only when
// emptyOK.
func decodeBody(r *http.Request, v any, emptyOK bool) error {
	b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("reading the request body: %w", err)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		if emptyOK {
			return nil
		}
		return errors.New("the request body is empty; want JSON")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("the request body is not what this endpoint takes: %w", err)
	}
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client went away; nothing to do
}

// writeError answers in the shape of GoTo Webinar's API errors.
func writeError(w http.ResponseWriter, status int, msg string) {
	code := "InvalidRequest"
	if status == http.StatusNotFound {
		code = "NotFound"
	}
	writeJSON(w, status, map[string]string{"errorCode": code, "description": msg, "incident": randomUUID()})
}

func writeNotFound(w http.ResponseWriter, what, key string) {
	writeError(w, http.StatusNotFound, fmt.Sprintf("%s %q not found", what, key))
}

// distinct returns the non-empty values of key over items, in order, once each.
func distinct[T any](items []T, key func(T) string) []string {
	var out []string
	for _, it := range items {
		if k := key(it); k != "" && !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}
