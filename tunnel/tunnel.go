// Package tunnel owns the public side of the webhook listener: a Tunnel
// accepts the connections GoTo's deliveries arrive on and knows the public
// URL they are addressed to.
package tunnel

import (
	"context"
	"net"
	"time"
)

// Phase is where a tunnel is in its life.
type Phase string

// The phases a tunnel passes through.
const (
	PhaseConnecting   Phase = "connecting"
	PhaseOnline       Phase = "online"
	PhaseReconnecting Phase = "reconnecting"
	PhaseFailed       Phase = "failed"
	PhaseClosed       Phase = "closed"
	PhaseOff          Phase = "off" // no tunnel configured
)

// State is a snapshot of a tunnel, safe to show to the organizer.
type State struct {
	Kind  string    `json:"kind"`            // "local", "ngrok"
	Phase Phase     `json:"state"`           // see Phase
	URL   string    `json:"url,omitempty"`   // public base URL, without the webhook path
	Error string    `json:"error,omitempty"` // what went wrong, in words
	Since time.Time `json:"since"`
}

// Tunnel is a listener reachable from GoTo.
type Tunnel interface {
	// Listener yields the connections that arrive through the tunnel.
	Listener() net.Listener
	// State is the tunnel's current state.
	State() State
	// Changes delivers each new State (URL changes included). It is closed
	// when the tunnel closes. Receivers must keep up; a slow one misses
	// intermediate states, never the latest.
	Changes() <-chan State
	// Close stops accepting and releases the tunnel within ctx.
	Close(ctx context.Context) error
}
