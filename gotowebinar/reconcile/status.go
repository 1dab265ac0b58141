package reconcile

import (
	"cmp"

	"webinarsync/gotowebinar"
)

// Condition is what is wrong with one event's webhook, if anything.
type Condition string

// The conditions of a Hook.
const (
	Fine          Condition = ""
	Removed       Condition = "removed"        // removed at GoTo (cleanup)
	NotSubscribed Condition = "not_subscribed" // the organizer holds no subscription to it yet
	NotActivated  Condition = "not_activated"  // GoTo has not activated the subscription yet
	Refused       Condition = "refused"        // GoTo refused to create it; Refusal says why
)

// Hook is one event's webhook as the last run left it.
type Hook struct {
	EventName         string
	Known             bool // a run found or made a webhook for this event
	WebhookKey        string
	State             string // the webhook's state at GoTo
	SubscriptionState string // the organizer's subscription's state
	ActivationState   string // the subscription's activation state
	CallbackURL       string
	Condition         Condition
	Refusal           gotowebinar.Problem // with Refused
}

// Status is what the reconciler knows, for the pages. It makes no call to
// GoTo: pages and /api/status render often.
type Status struct {
	Paused           bool                 // removed at the organizer's request
	WaitingForTunnel bool                 // the last run waited for the tunnel's URL
	Problem          *gotowebinar.Problem // the last run failed; nil when it did not
	Recorded         bool                 // webhooks of ours are on record (they may deliver while logged out)
	Hooks            []Hook               // one per event we register, in order
}

// Status reports the state as the last run left it.
func (r *Reconciler) Status() Status {
	var rec record
	_ = r.loadRecord(&rec) // unreadable reads as none: the next run says so
	r.mu.Lock()
	defer r.mu.Unlock()
	st := Status{Paused: r.paused, WaitingForTunnel: r.waiting, Problem: r.problem, Recorded: len(rec.Webhooks) > 0}
	for _, name := range r.events {
		h := Hook{EventName: name}
		if known := r.hooks[name]; known != nil {
			h = *known
		}
		st.Hooks = append(st.Hooks, h)
	}
	return st
}

// hook returns the event's entry, made on first use; r.mu is held.
func (r *Reconciler) hook(name string) *Hook {
	h := r.hooks[name]
	if h == nil {
		h = &Hook{EventName: name}
		r.hooks[name] = h
	}
	return h
}

// noteWebhooks records what we know of each kept webhook.
func (r *Reconciler) noteWebhooks(keep map[string]gotowebinar.Webhook) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, name := range r.events {
		w, ok := keep[name]
		if !ok {
			continue
		}
		h := r.hook(name)
		if h.WebhookKey != string(w.WebhookKey) {
			*h = Hook{EventName: name}
		}
		h.Known, h.WebhookKey, h.State, h.CallbackURL, h.Condition = true, string(w.WebhookKey), w.State, w.CallbackURL, Fine
	}
}

// noteSubscriptions records each kept webhook's subscription.
func (r *Reconciler) noteSubscriptions(keep map[string]gotowebinar.Webhook, subs []gotowebinar.UserSubscription) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for name, w := range keep {
		h := r.hooks[name]
		if h == nil {
			continue
		}
		h.SubscriptionState, h.ActivationState, h.Condition = "", "", Fine
		for _, s := range subs {
			if s.WebhookKey == w.WebhookKey {
				h.SubscriptionState, h.ActivationState = s.UserSubscriptionState, s.ActivationState
				h.CallbackURL = cmp.Or(s.CallbackURL, h.CallbackURL)
				break
			}
		}
		switch {
		case h.SubscriptionState == "":
			h.Condition = NotSubscribed
		case h.ActivationState != gotowebinar.StateActive:
			h.Condition = NotActivated
		}
	}
}

// noteRefusal records GoTo refusing one event's webhook.
func (r *Reconciler) noteRefusal(name string, p gotowebinar.Problem) {
	r.mu.Lock()
	defer r.mu.Unlock()
	h := r.hook(name)
	h.Condition, h.Refusal = Refused, p
}
