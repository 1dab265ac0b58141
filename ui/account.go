package ui

import (
	"context"
	"time"

	"webinarsync/gotowebinar"
	"webinarsync/gotowebinar/login"
	"webinarsync/gotowebinar/reconcile"
	"webinarsync/store"
)

// Login is the organizer's GoTo login as the UI drives it: its state, the
// authorization-code flow with state and PKCE on either side of GoTo's
// login page, and the OAuth client and organizer key the settings page
// reads and writes.
type Login interface {
	State() login.State
	// Begin returns GoTo's authorize URL for a new login and the state
	// GoTo will send back with the code.
	Begin(ctx context.Context, redirectURI string) (authURL, state string, err error)
	// Finish exchanges the code of the login begun with state. It returns
	// an error wrapping login.ErrNotStarted for an unknown state.
	Finish(ctx context.Context, state, code, redirectURI string) error
	// Logout forgets the tokens.
	Logout() error
	ClientSettings() login.ClientSettings
	// SaveClientSettings keeps the client id and secret; an empty secret
	// keeps the saved one. Values from the environment are not saved.
	SaveClientSettings(clientID, clientSecret string) error
	// SetOrganizerKey keeps the organizer key pasted on the settings page
	// ("" forgets it), for when GoTo names none; it wraps
	// login.ErrBadOrganizerKey when key is not one.
	SetOrganizerKey(key string) error
}

// Webhooks are our webhooks and subscriptions at GoTo.
type Webhooks interface {
	Status() reconcile.Status
	// Remove deletes our subscriptions and webhooks at GoTo.
	Remove(ctx context.Context) error
	// SetUp registers them again (and re-checks them).
	SetUp(ctx context.Context) error
	// RenewKey asks GoTo for a new signing key; older ones keep working.
	RenewKey(ctx context.Context) error
}

// Deliveries are the recent requests to the webhook path and what became
// of them.
type Deliveries interface {
	Summary(now time.Time) gotowebinar.DeliverySummary
}

// DeliveryRecords is Deliveries with the durable record behind it
// (store.DeliveryLog): when Config.Deliveries is one, the Deliveries page
// is served.
type DeliveryRecords interface {
	Deliveries
	List(q store.DeliveryQuery) ([]store.DeliveryRecord, error)
	Delivery(id uint64) (store.DeliveryRecord, error)
	// Alternatives are the other signature computations that match a kept
	// record with today's keys.
	Alternatives(rec store.DeliveryRecord) []gotowebinar.Alternative
	// VerifyAgain re-runs the signature check with today's keys and
	// stores the event when it passes.
	VerifyAgain(ctx context.Context, id uint64) (store.Recheck, error)
	// SubscribeDeliveries tells of new and changed records by id.
	SubscribeDeliveries() (ids <-chan uint64, cancel func())
}

// Login states, as /api/status and the pages name them.
const (
	LoginLoggedOut = "logged_out"
	LoginLoggedIn  = "logged_in"
	LoginDemo      = "demo"
	LoginExpired   = "expired"
)

// LoginStatus is the organizer's GoTo login, in words.
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
