package ui

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"webinarsync/gotowebinar"
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
	WebhookURL   string // where GoTo should deliver, "" without a public URL
}

// snapshot gathers the state from the account, the tunnel and the store.
func (s *Server) snapshot(r *http.Request) (snapshot, error) {
	var snap snapshot
	if s.account != nil {
		ctx, cancel := accountContext(r)
		snap.Login = s.account.Login(ctx)
		snap.Webhooks = s.account.Webhooks(ctx)
		cancel()
	}
	if snap.Login.State == "" {
		snap.Login.State = LoginLoggedOut
	}
	if snap.Webhooks == nil {
		// Logged out, no webhooks: still list what we would subscribe to.
		for _, name := range gotowebinar.EventNames() {
			snap.Webhooks = append(snap.Webhooks, WebhookStatus{EventName: name})
		}
	}
	snap.Tunnel = tunnel.State{Phase: tunnel.PhaseOff}
	if s.tunnel != nil {
		snap.Tunnel = s.tunnel()
	}
	if snap.Tunnel.URL != "" {
		snap.WebhookURL = strings.TrimRight(snap.Tunnel.URL, "/") + gotowebinar.WebhookPath
	}
	var err error
	if snap.Counts, err = s.store.Counts(); err != nil {
		return snap, fmt.Errorf("counts: %w", err)
	}
	if snap.LastDelivery, err = s.store.LastDelivery(); err != nil {
		return snap, fmt.Errorf("last delivery: %w", err)
	}
	snap.SecretKeys = s.keys()
	return snap, nil
}

// statusJSON is the shape of GET /api/status.
type statusJSON struct {
	Demo         bool            `json:"demo"`
	Login        LoginStatus     `json:"login"`
	Tunnel       tunnel.State    `json:"tunnel"`
	Webhooks     []WebhookStatus `json:"webhooks"`
	Counts       store.Counts    `json:"counts"`
	LastDelivery *string         `json:"lastDelivery"` // RFC 3339, null before the first delivery
	SecretKeys   int             `json:"secretKeys"`
	WebhookURL   string          `json:"webhookURL"`
	Sync         *SyncStatus     `json:"sync,omitempty"` // the catch-up sync, when there is one
}

// status serves GET /api/status.
func (s *Server) status(w http.ResponseWriter, r *http.Request) error {
	snap, err := s.snapshot(r)
	if err != nil {
		return err
	}
	out := statusJSON{
		Demo:       s.demo,
		Login:      snap.Login,
		Tunnel:     snap.Tunnel,
		Webhooks:   snap.Webhooks,
		Counts:     snap.Counts,
		SecretKeys: snap.SecretKeys,
		WebhookURL: snap.WebhookURL,
	}
	if !snap.LastDelivery.IsZero() {
		t := snap.LastDelivery.UTC().Format(time.RFC3339)
		out.LastDelivery = &t
	}
	if s.sync != nil {
		st := s.sync.SyncStatus()
		out.Sync = &st
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// readiness says in one sentence whether GoTo's events can reach us, and
// if not, the first thing the organizer should fix.
func (snap snapshot) readiness(demo bool) (ok bool, words string) {
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
