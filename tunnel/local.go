package tunnel

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"
)

// Local is a plain TCP listener: for -demo, tests, and organizers who bring
// their own public URL (a reverse proxy in front of -webhook-addr).
type Local struct {
	ln      net.Listener
	state   State
	changes chan State
	once    sync.Once
	mu      sync.Mutex
}

// Listen opens a local tunnel on addr. publicURL is the base URL GoTo
// should call; empty means the listener's own http://host:port.
func Listen(addr, publicURL string) (*Local, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("tunnel: listen on %s: %w", addr, err)
	}
	if publicURL == "" {
		publicURL = "http://" + ln.Addr().String()
	}
	l := &Local{
		ln:      ln,
		state:   State{Kind: "local", Phase: PhaseOnline, URL: strings.TrimRight(publicURL, "/"), Since: time.Now()},
		changes: make(chan State, 1),
	}
	l.changes <- l.state
	return l, nil
}

// Listener yields the connections arriving on the local address.
func (l *Local) Listener() net.Listener { return l.ln }

// State is online from Listen until Close.
func (l *Local) State() State {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.state
}

// Changes delivers the initial state and is closed by Close.
func (l *Local) Changes() <-chan State { return l.changes }

// Close stops the listener.
func (l *Local) Close(context.Context) error {
	var err error
	l.once.Do(func() {
		l.mu.Lock()
		l.state.Phase, l.state.Since = PhaseClosed, time.Now()
		l.mu.Unlock()
		// The HTTP server's Shutdown may have closed it already.
		if err = l.ln.Close(); errors.Is(err, net.ErrClosed) {
			err = nil
		}
		close(l.changes)
	})
	if err != nil {
		return fmt.Errorf("tunnel: close: %w", err)
	}
	return nil
}
