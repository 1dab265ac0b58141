package app

import (
	"context"
	"time"

	"webinarsync/gotowebinar"
	"webinarsync/store"
	"webinarsync/ui"
)

// offlineAccount is the GoTo side while nobody is logged in: deliveries
// are still received whenever a secret key is known. goToAccount shows it
// until a login exists.
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

// Logout has nothing to forget: there is no login.
func (offlineAccount) Logout(context.Context, bool) error { return nil }

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
