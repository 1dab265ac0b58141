package gotowebinar

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// EventSurveySubmitted is listed by GoTo's published spec for webhooks but
// its fields are not documented; we only ever store it raw.
const EventSurveySubmitted = "survey.submitted"

// What GoTo's v2 webhook API calls its product, event version and states.
const (
	Product       = "g2w"
	EventVersion  = "1.0.0"
	StateActive   = "ACTIVE"
	StateInactive = "INACTIVE"
)

// Webhook is one of the application's webhooks at GoTo.
type Webhook struct {
	WebhookKey   Key       `json:"webhookKey"`
	CallbackURL  string    `json:"callbackUrl"`
	EventName    string    `json:"eventName"`
	EventVersion string    `json:"eventVersion"`
	Product      string    `json:"product"`
	State        string    `json:"state"`
	CreateTime   time.Time `json:"createTime,omitzero"`
}

// UnmarshalJSON reads a webhook liberally: the state as "state" (the v2
// spec) or "webhookState" (older documents), keys as strings or numbers,
// and a createTime GoTo may send in any of its time forms, or not at all.
func (w *Webhook) UnmarshalJSON(b []byte) error {
	var raw struct {
		WebhookKey   Key             `json:"webhookKey"`
		CallbackURL  string          `json:"callbackUrl"`
		EventName    string          `json:"eventName"`
		EventVersion string          `json:"eventVersion"`
		Product      string          `json:"product"`
		State        string          `json:"state"`
		WebhookState string          `json:"webhookState"`
		CreateTime   json.RawMessage `json:"createTime"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	*w = Webhook{
		WebhookKey: raw.WebhookKey, CallbackURL: raw.CallbackURL, EventName: raw.EventName,
		EventVersion: raw.EventVersion, Product: raw.Product, State: raw.State,
		CreateTime: lenientTime(raw.CreateTime),
	}
	if w.State == "" {
		w.State = raw.WebhookState
	}
	return nil
}

// UserSubscription is the organizer's subscription to one webhook.
type UserSubscription struct {
	UserSubscriptionKey   Key       `json:"userSubscriptionKey"`
	WebhookKey            Key       `json:"webhookKey"`
	CallbackURL           string    `json:"callbackUrl"`
	EventName             string    `json:"eventName"`
	EventVersion          string    `json:"eventVersion"`
	Product               string    `json:"product"`
	UserSubscriptionState string    `json:"userSubscriptionState"`
	ActivationState       string    `json:"activationState"` // ACTIVE only when the webhook and the subscription both are
	CreateTime            time.Time `json:"createTime,omitzero"`
}

// UnmarshalJSON reads a user subscription liberally, as Webhook does.
func (s *UserSubscription) UnmarshalJSON(b []byte) error {
	var raw struct {
		UserSubscriptionKey   Key             `json:"userSubscriptionKey"`
		WebhookKey            Key             `json:"webhookKey"`
		CallbackURL           string          `json:"callbackUrl"`
		EventName             string          `json:"eventName"`
		EventVersion          string          `json:"eventVersion"`
		Product               string          `json:"product"`
		UserSubscriptionState string          `json:"userSubscriptionState"`
		State                 string          `json:"state"`
		ActivationState       string          `json:"activationState"`
		CreateTime            json.RawMessage `json:"createTime"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("user subscription: %w", err)
	}
	*s = UserSubscription{
		UserSubscriptionKey: raw.UserSubscriptionKey, WebhookKey: raw.WebhookKey, CallbackURL: raw.CallbackURL,
		EventName: raw.EventName, EventVersion: raw.EventVersion, Product: raw.Product,
		UserSubscriptionState: raw.UserSubscriptionState, ActivationState: raw.ActivationState,
		CreateTime: lenientTime(raw.CreateTime),
	}
	if s.UserSubscriptionState == "" {
		s.UserSubscriptionState = raw.State
	}
	return nil
}

// NewWebhook is one webhook to create (the spec's CreateWebhookRequest).
// CreateWebhooks fills an empty EventVersion and Product.
type NewWebhook struct {
	CallbackURL  string `json:"callbackUrl"`
	EventName    string `json:"eventName"`
	EventVersion string `json:"eventVersion"`
	Product      string `json:"product"`
}

// WebhookUpdate changes one webhook (the spec's UpdateWebhooksRequest);
// empty fields are left as they are.
type WebhookUpdate struct {
	WebhookKey  Key    `json:"webhookKey"`
	CallbackURL string `json:"callbackUrl,omitempty"`
	State       string `json:"state,omitempty"`
}

// NewUserSubscription subscribes the organizer to one webhook (the spec's
// CreateUserSubscriptionRequest). An empty CallbackURL means the webhook's.
type NewUserSubscription struct {
	WebhookKey            Key    `json:"webhookKey"`
	CallbackURL           string `json:"callbackUrl,omitempty"`
	UserSubscriptionState string `json:"userSubscriptionState,omitempty"`
}

// UserSubscriptionUpdate changes one subscription (the spec's
// UpdateUserSubscriptionsRequest, which requires both keys).
type UserSubscriptionUpdate struct {
	UserSubscriptionKey   Key    `json:"userSubscriptionKey"`
	WebhookKey            Key    `json:"webhookKey"`
	CallbackURL           string `json:"callbackUrl,omitempty"`
	UserSubscriptionState string `json:"userSubscriptionState,omitempty"`
}

// SecretKey is a webhook secret key GoTo signs deliveries with.
type SecretKey struct {
	ID        Key       `json:"id"`
	Value     string    `json:"value"`
	ValidFrom time.Time `json:"validFrom"`
}

// CreateSecretKey asks GoTo for a new secret key for the application,
// valid from validFrom (the zero time: at once). Deliveries are signed
// with the newest key whose validFrom has passed.
func (c *Client) CreateSecretKey(ctx context.Context, validFrom time.Time) (SecretKey, error) {
	req := map[string]string{}
	if !validFrom.IsZero() {
		req["validFrom"] = validFrom.UTC().Format(time.RFC3339)
	}
	var raw struct {
		ID        Key             `json:"id"`
		Value     string          `json:"value"`
		ValidFrom json.RawMessage `json:"validFrom"`
	}
	if err := c.call(ctx, http.MethodPost, "/webhooks/secretkey", nil, req, &raw); err != nil {
		return SecretKey{}, err
	}
	if raw.Value == "" {
		return SecretKey{}, errors.New("gotowebinar: POST /webhooks/secretkey: GoTo's answer has no key value")
	}
	k := SecretKey{ID: raw.ID, Value: raw.Value, ValidFrom: lenientTime(raw.ValidFrom)}
	if k.ValidFrom.IsZero() {
		k.ValidFrom = validFrom
	}
	return k, nil
}

// productQuery is the ?product=g2w the listings require.
var productQuery = url.Values{"product": {Product}}

// ListWebhooks lists the application's webhooks for GoTo Webinar.
func (c *Client) ListWebhooks(ctx context.Context) ([]Webhook, error) {
	return list[Webhook](ctx, c, "/webhooks", "webhooks")
}

// CreateWebhooks creates webhooks in one call and returns them as GoTo
// answered (INACTIVE until activated). When GoTo answers without a body,
// the result is empty and the caller should list them.
func (c *Client) CreateWebhooks(ctx context.Context, hooks []NewWebhook) ([]Webhook, error) {
	if len(hooks) == 0 {
		return nil, nil
	}
	body := make([]NewWebhook, len(hooks))
	for i, h := range hooks {
		if h.EventVersion == "" {
			h.EventVersion = EventVersion
		}
		if h.Product == "" {
			h.Product = Product
		}
		body[i] = h
	}
	return mutate[Webhook](ctx, c, http.MethodPost, "/webhooks", "webhooks", body)
}

// UpdateWebhooks changes the state or callback URL of webhooks in one call.
func (c *Client) UpdateWebhooks(ctx context.Context, updates []WebhookUpdate) error {
	if len(updates) == 0 {
		return nil
	}
	return c.call(ctx, http.MethodPut, "/webhooks", nil, updates, nil)
}

// DeleteWebhooks deletes webhooks (and with them their subscriptions).
func (c *Client) DeleteWebhooks(ctx context.Context, keys []Key) error {
	if len(keys) == 0 {
		return nil
	}
	return c.call(ctx, http.MethodDelete, "/webhooks", nil, keys, nil)
}

// ListUserSubscriptions lists the organizer's subscriptions for GoTo Webinar.
func (c *Client) ListUserSubscriptions(ctx context.Context) ([]UserSubscription, error) {
	return list[UserSubscription](ctx, c, "/userSubscriptions", "userSubscriptions")
}

// CreateUserSubscriptions subscribes the organizer to webhooks in one call.
func (c *Client) CreateUserSubscriptions(ctx context.Context, subs []NewUserSubscription) ([]UserSubscription, error) {
	if len(subs) == 0 {
		return nil, nil
	}
	return mutate[UserSubscription](ctx, c, http.MethodPost, "/userSubscriptions", "userSubscriptions", subs)
}

// UpdateUserSubscriptions changes subscriptions' state or callback URL.
func (c *Client) UpdateUserSubscriptions(ctx context.Context, updates []UserSubscriptionUpdate) error {
	if len(updates) == 0 {
		return nil
	}
	return c.call(ctx, http.MethodPut, "/userSubscriptions", nil, updates, nil)
}

// DeleteUserSubscriptions deletes subscriptions.
func (c *Client) DeleteUserSubscriptions(ctx context.Context, keys []Key) error {
	if len(keys) == 0 {
		return nil
	}
	return c.call(ctx, http.MethodDelete, "/userSubscriptions", nil, keys, nil)
}

func list[T any](ctx context.Context, c *Client, path, field string) ([]T, error) {
	raw, err := c.send(ctx, http.MethodGet, path, productQuery, nil)
	if err != nil {
		return nil, err
	}
	out, err := decodeList[T](raw, field)
	if err != nil {
		return nil, fmt.Errorf("gotowebinar: GET %s: GoTo's answer is not a list of %s: %w", path, field, err)
	}
	return out, nil
}

func mutate[T any](ctx context.Context, c *Client, method, path, field string, body any) ([]T, error) {
	payload, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("gotowebinar: %s %s: encoding the request: %w", method, path, err)
	}
	raw, err := c.send(ctx, method, path, nil, payload)
	if err != nil {
		return nil, err
	}
	out, err := decodeList[T](raw, field)
	if err != nil {
		return nil, fmt.Errorf("gotowebinar: %s %s: GoTo's answer is not a list of %s: %w", method, path, field, err)
	}
	return out, nil
}

// decodeList reads a list however GoTo wraps it: {"_embedded":{field:[…]}}
// (the v2 spec), {field:[…]}, a bare array, or nothing at all (204, or an
// empty _embedded when there are none).
func decodeList[T any](raw []byte, field string) ([]T, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	if raw[0] == '[' {
		var out []T
		err := json.Unmarshal(raw, &out)
		return out, err
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, err
	}
	if emb, ok := obj["_embedded"]; ok {
		var inner map[string]json.RawMessage
		if err := json.Unmarshal(emb, &inner); err != nil {
			return nil, fmt.Errorf("_embedded: %w", err)
		}
		obj = inner
	}
	items, ok := obj[field]
	if !ok || string(bytes.TrimSpace(items)) == "null" {
		return nil, nil
	}
	var out []T
	err := json.Unmarshal(items, &out)
	return out, err
}

// lenientTime reads a time GoTo may send as ISO text or milliseconds; what
// it cannot read is the zero time, since no decision hangs on it.
func lenientTime(raw json.RawMessage) time.Time {
	var t Time
	if len(raw) == 0 || t.UnmarshalJSON(raw) != nil {
		return time.Time{}
	}
	return t.Time
}
