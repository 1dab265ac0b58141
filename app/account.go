package app

import (
	"context"
	"time"

	"webinarsync/gotowebinar"
	"webinarsync/store"
	"webinarsync/tunnel"
	"webinarsync/ui"
)

// offlineAccount is the GoTo side before OAuth login exists: nobody is
// signed in, and deliveries are still received whenever a secret is known.
type offlineAccount struct {
	store         *store.Store
	secretFromEnv bool
}

func (a offlineAccount) Login(context.Context) ui.LoginStatus {
	detail := "Not signed in to GoTo. No webhook secret key is known yet, so deliveries are refused until one is (set WEBINARSYNC_WEBHOOK_SECRET)."
	if a.secretFromEnv || len(a.store.SecretKeys()) > 0 {
		detail = "Not signed in to GoTo. Deliveries signed with a known secret key are still received and stored."
	}
	return ui.LoginStatus{State: "logged_out", Detail: detail}
}

func (a offlineAccount) Webhooks(context.Context) []ui.WebhookStatus {
	return webhookStatuses(a.store, func(ws *ui.WebhookStatus) {
		ws.Error = "Not registered at GoTo: sign in to GoTo to register it."
	})
}

// Logout has nothing to forget until OAuth tokens are kept.
func (offlineAccount) Logout(context.Context, bool) error { return nil }

// demoAccount is the built-in simulator standing in for a GoTo account.
type demoAccount struct {
	store  *store.Store
	tunnel tunnel.Tunnel
}

func (demoAccount) Login(context.Context) ui.LoginStatus {
	return ui.LoginStatus{State: "demo", Organizer: "Demo organizer (built-in simulator)",
		Detail: "Demo mode: events come from the built-in GoTo simulator, not from your GoTo account."}
}

func (a demoAccount) Webhooks(context.Context) []ui.WebhookStatus {
	callback := a.tunnel.State().URL + gotowebinar.WebhookPath
	return webhookStatuses(a.store, func(ws *ui.WebhookStatus) {
		ws.WebhookKey = "simulated"
		ws.State, ws.UserSubscriptionState, ws.ActivationState = "ACTIVE", "ACTIVE", "ACTIVE"
		ws.CallbackURL = callback
	})
}

func (demoAccount) Logout(context.Context, bool) error { return nil }

// webhookStatuses lists the four events with their last delivery time.
func webhookStatuses(st *store.Store, fill func(*ui.WebhookStatus)) []ui.WebhookStatus {
	names := gotowebinar.EventNames()
	out := make([]ui.WebhookStatus, 0, len(names))
	for _, name := range names {
		ws := ui.WebhookStatus{EventName: name, LastDelivery: lastDelivery(st, name)}
		fill(&ws)
		out = append(out, ws)
	}
	return out
}

func lastDelivery(st *store.Store, eventName string) time.Time {
	entries, err := st.Events(store.EventQuery{Name: eventName, Limit: 1})
	if err != nil || len(entries) == 0 {
		return time.Time{}
	}
	return entries[0].ReceivedAt
}
