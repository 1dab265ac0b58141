package ui

import (
	"context"
	"time"
)

// Account is the GoTo side as the UI sees it: who is logged in and what
// became of our webhooks. Demo mode and OAuth implement it elsewhere.
type Account interface {
	Login(ctx context.Context) LoginStatus
	Webhooks(ctx context.Context) []WebhookStatus
	Logout(ctx context.Context, removeWebhooks bool) error
}

// Login states.
const (
	LoginLoggedOut = "logged_out"
	LoginLoggedIn  = "logged_in"
	LoginDemo      = "demo"
	LoginExpired   = "expired"
)

// LoginStatus is the organizer's GoTo login.
type LoginStatus struct {
	State     string `json:"state"`               // "logged_out", "logged_in", "demo", "expired"
	Organizer string `json:"organizer,omitempty"` // name or email shown to the user
	Detail    string `json:"detail,omitempty"`    // plain words, e.g. "Your GoTo session expired: log in again."
}

// WebhookStatus is one of our webhooks at GoTo, with its subscription.
type WebhookStatus struct {
	EventName             string    `json:"eventName"`
	WebhookKey            string    `json:"webhookKey,omitempty"`
	State                 string    `json:"state,omitempty"`
	UserSubscriptionState string    `json:"userSubscriptionState,omitempty"`
	ActivationState       string    `json:"activationState,omitempty"`
	CallbackURL           string    `json:"callbackUrl,omitempty"`
	LastDelivery          time.Time `json:"lastDelivery,omitzero"`
	Error                 string    `json:"error,omitempty"`
}
