package ui

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"webinarsync/gotowebinar"
	"webinarsync/gotowebinar/login"
	"webinarsync/gotowebinar/reconcile"
	"webinarsync/store"
	"webinarsync/tunnel"
)

// snapshot is the app's state as the home page and /api/status show it.
type snapshot struct {
	Login        LoginStatus
	Tunnel       tunnel.State
	Webhooks     []WebhookStatus
	Counts       store.Counts
	LastDelivery time.Time
	SecretKeys   int
	WebhookURL   string              // where GoTo should deliver, "" without a public URL
	OrganizerKey *OrganizerKeyStatus // nil: logged out
	Deliveries   DeliveryStatus
	Forward      *ForwardStatus // nil: no forwarding in this app
	// Database says in words what the start-up checks found wrong with the
	// database file, "" when nothing.
	Database string
	// RingCentral is the second provider's side; nil when not set up.
	RingCentral *RingCentralStatus
}

// DeliveryStatus is what became of the requests to the webhook path
// lately, in words where people read it.
type DeliveryStatus struct {
	LastHour struct {
		Stored     int `json:"stored"`
		Duplicates int `json:"duplicates"`
		Refused    int `json:"refused"` // 401: the signature check failed
		Failed     int `json:"failed"`  // 400, 413, 503
	} `json:"lastHour"`
	LastRefusal *Refusal `json:"lastRefusal,omitempty"`
	// SignatureFailing: the last deliveries all failed the signature with
	// every key we know: GoTo signs with a key this computer lacks.
	SignatureFailing bool `json:"signatureFailing"`
}

// Refusal is the latest delivery refused or not stored.
type Refusal struct {
	At     time.Time `json:"at"`
	Result string    `json:"result"` // refused, too_large, malformed, store_failed
	Reason string    `json:"reason"` // in words
}

// snapshot gathers the state from the login, the webhooks, the tunnel and
// the store, in words.
func (s *Server) snapshot(r *http.Request) (snapshot, error) {
	var snap snapshot
	snap.Tunnel = tunnel.State{Phase: tunnel.PhaseOff}
	if s.tunnel != nil {
		snap.Tunnel = s.tunnel()
	}
	if snap.Tunnel.URL != "" {
		snap.WebhookURL = strings.TrimRight(snap.Tunnel.URL, "/") + gotowebinar.WebhookPath
	}
	snap.SecretKeys = s.keys()
	st := login.State{Status: login.LoggedOut}
	if s.login != nil {
		st = s.login.State()
	}
	var hooks reconcile.Status
	if s.webhooks != nil {
		hooks = s.webhooks.Status()
	}
	snap.Login = loginWords(st, hooks, s.demo, snap.SecretKeys > 0, snap.WebhookURL)
	if st.Status != login.LoggedOut {
		k := organizerKeyWords(st)
		snap.OrganizerKey = &k
	}
	if s.login == nil && !s.demo {
		snap.Login.Detail = "" // no GoTo side at all: nothing to say about it
	}
	snap.Webhooks = webhookWords(st, hooks, s.demo, snap.WebhookURL, s.lastDelivery)
	if len(snap.Webhooks) == 0 {
		// No webhooks at all: still list what we would subscribe to.
		for _, name := range gotowebinar.EventNames() {
			snap.Webhooks = append(snap.Webhooks, WebhookStatus{EventName: name})
		}
	}
	if s.deliveries != nil {
		snap.Deliveries = deliveryWords(s.deliveries.Summary(s.now()))
	}
	snap.Database = healthWords(s.store.Health(), s.store.Dir())
	snap.RingCentral = s.ringCentralStatus(snap.Tunnel.URL)
	if s.forward != nil {
		fs := forwardWords(s.forward.State(), s.now())
		snap.Forward = &fs
	}
	var err error
	if snap.Counts, err = s.store.Counts(); err != nil {
		return snap, fmt.Errorf("counts: %w", err)
	}
	if snap.LastDelivery, err = s.store.LastDelivery(); err != nil {
		return snap, fmt.Errorf("last delivery: %w", err)
	}
	return snap, nil
}

// lastDelivery is when an event was last delivered, zero before the first.
func (s *Server) lastDelivery(eventName string) time.Time {
	entries, err := s.store.Events(store.EventQuery{Name: eventName, Limit: 1})
	if err != nil || len(entries) == 0 {
		return time.Time{}
	}
	return entries[0].ReceivedAt
}

// statusJSON is the shape of GET /api/status.
type statusJSON struct {
	Demo         bool            `json:"demo"`
	DataDir      string          `json:"dataDir"` // so a second start can tell whether it is the same webinarsync
	Login        LoginStatus     `json:"login"`
	Tunnel       tunnel.State    `json:"tunnel"`
	Webhooks     []WebhookStatus `json:"webhooks"`
	Counts       store.Counts    `json:"counts"`
	LastDelivery *string         `json:"lastDelivery"` // RFC 3339, null before the first delivery
	SecretKeys   int             `json:"secretKeys"`
	WebhookURL   string          `json:"webhookURL"`
	Sync         *SyncStatus     `json:"sync,omitempty"` // the catch-up sync, when there is one
	// OrganizerKey is the logged-in organizer's key and where it came
	// from; absent when logged out.
	OrganizerKey *OrganizerKeyStatus `json:"organizerKey,omitempty"`
	// Deliveries is what became of the requests to the webhook path lately.
	Deliveries DeliveryStatus `json:"deliveries"`
	// Database is what the start-up checks found wrong with the database
	// file, in words; absent when nothing.
	Database string `json:"database,omitempty"`
	// Forward is forwarding to the organizer's endpoint, when there is one.
	Forward *ForwardStatus `json:"forward,omitempty"`
	// RingCentral is the second provider's login, subscription and
	// deliveries, when it is set up.
	RingCentral *RingCentralStatus `json:"ringCentral,omitempty"`
}

// status serves GET /api/status.
func (s *Server) status(w http.ResponseWriter, r *http.Request) error {
	snap, err := s.snapshot(r)
	if err != nil {
		return err
	}
	out := statusJSON{
		Demo:         s.demo,
		DataDir:      s.store.Dir(),
		Login:        snap.Login,
		Tunnel:       snap.Tunnel,
		Webhooks:     snap.Webhooks,
		Counts:       snap.Counts,
		SecretKeys:   snap.SecretKeys,
		WebhookURL:   snap.WebhookURL,
		OrganizerKey: snap.OrganizerKey,
		Deliveries:   snap.Deliveries,
		Database:     snap.Database,
		Forward:      snap.Forward,
		RingCentral:  snap.RingCentral,
	}
	if !snap.LastDelivery.IsZero() {
		t := snap.LastDelivery.UTC().Format(time.RFC3339)
		out.LastDelivery = &t
	}
	if s.sync != nil {
		st := syncWords(s.sync.Status())
		out.Sync = &st
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// readiness says in one sentence whether GoTo's events can reach us, and
// if not, the first thing the organizer should fix.
func (snap snapshot) readiness(demo bool) (ok bool, words string) {
	if snap.Database != "" {
		return false, snap.Database
	}
	switch snap.Login.State {
	case LoginLoggedOut:
		return false, "Not receiving events: log in to GoTo so we can set up the webhooks."
	case LoginExpired:
		return false, "Not receiving events: your GoTo session expired. Log in again."
	}
	switch snap.Tunnel.Phase {
	case tunnel.PhaseOff, tunnel.PhaseClosed:
		return false, "Not receiving events: the tunnel is off, so GoTo cannot reach this computer."
	case tunnel.PhaseFailed:
		return false, "Not receiving events: the tunnel failed, so GoTo cannot reach this computer."
	case tunnel.PhaseConnecting, tunnel.PhaseReconnecting:
		return false, "Waiting for the tunnel to connect; events GoTo sends meanwhile are retried."
	}
	active := 0
	for _, wh := range snap.Webhooks {
		if strings.EqualFold(wh.ActivationState, "ACTIVE") {
			active++
		}
	}
	switch {
	case snap.Deliveries.SignatureFailing:
		return false, "GoTo delivers, but every delivery fails the signature check with every key on file: " +
			"GoTo signs with a key this computer lacks (another webinarsync with the same OAuth client may have renewed it). " +
			"Renew the signing key below; until then GoTo keeps retrying what it sent."
	case len(snap.Webhooks) == 0:
		return false, "Not receiving events: no webhooks are set up at GoTo yet."
	case active < len(snap.Webhooks):
		return false, fmt.Sprintf("Only %d of %d webhooks are active: the events of the others will not arrive.", active, len(snap.Webhooks))
	}
	if demo {
		return true, "Ready: the built-in simulator delivers events to this computer."
	}
	return true, "Ready: GoTo delivers events to this computer as they happen."
}
