package ngrok

import (
	"net"
	"sync"
)

// listener is the one net.Listener the app serves for the life of the
// process, while the ngrok endpoints behind it come and go: Accept waits
// for an endpoint, yields its connections, and moves on to the next one.
type listener struct {
	onLost func(endpoint) // the current endpoint stopped accepting

	conns     chan net.Conn // from the endpoints' pumps to Accept
	done      chan struct{} // closed by Close
	closeOnce sync.Once

	mu sync.Mutex
	ep endpoint // nil while there is none
}

func newListener(onLost func(endpoint)) *listener {
	return &listener{onLost: onLost, conns: make(chan net.Conn), done: make(chan struct{})}
}

// Accept waits for the next connection through whichever endpoint is
// current. It never reports an endpoint's end (http.Server would stop
// serving for good); only Close ends it, with net.ErrClosed.
func (l *listener) Accept() (net.Conn, error) {
	select {
	case <-l.done:
		return nil, net.ErrClosed
	default:
	}
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

// Close ends Accept at once. http.Server.Shutdown calls it and waits for
// Serve to return, so it must not wait for ngrok; the endpoints themselves
// are closed by Tunnel.Close.
func (l *listener) Close() error {
	l.closeOnce.Do(func() {
		l.mu.Lock()
		l.ep = nil
		l.mu.Unlock()
		close(l.done)
	})
	return nil
}

// Addr is the current endpoint's address, or a placeholder before ngrok
// has given one.
func (l *listener) Addr() net.Addr {
	l.mu.Lock()
	ep := l.ep
	l.mu.Unlock()
	if ep != nil {
		return ep.Addr()
	}
	return pendingAddr{}
}

// use makes ep the endpoint Accept draws from (nil: none for now). The
// previous one's connections already accepted still reach Accept.
func (l *listener) use(ep endpoint) {
	l.mu.Lock()
	defer l.mu.Unlock()
	select {
	case <-l.done:
		return
	default:
	}
	l.ep = ep
	if ep != nil {
		go l.pump(ep)
	}
}

// pump moves ep's connections to Accept until ep stops accepting.
func (l *listener) pump(ep endpoint) {
	for {
		c, err := ep.Accept()
		if err != nil {
			l.mu.Lock()
			current := l.ep == ep
			if current {
				l.ep = nil
			}
			l.mu.Unlock()
			if current {
				l.onLost(ep)
			}
			return
		}
		select {
		case l.conns <- c:
		case <-l.done:
			c.Close()
			return
		}
	}
}

type pendingAddr struct{}

func (pendingAddr) Network() string { return "ngrok" }
func (pendingAddr) String() string  { return "ngrok (not connected yet)" }
