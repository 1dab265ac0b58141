package app

import (
	"context"
	"net/http"
	"sync"
)

// provider is one webinar platform the app serves: GoTo Webinar, and
// RingCentral Webinar when it is set up. The app wires them alike: each
// has its webhook path on the internet-facing listener, subscriptions it
// keeps pointed at the tunnel, work it keeps running, and a cleanup for
// -cleanup-on-exit. The pages take each side's typed states through ui's
// interfaces.
type provider interface {
	name() string                           // for the log: "GoTo", "RingCentral"
	webhook() (path string, h http.Handler) // its receiver, at its path
	subscriptions() repointer               // what points it at the tunnel's URL
	run(ctx context.Context, bg *sync.WaitGroup)
	cleanup(ctx context.Context) error // removes its subscriptions there; not being logged in is no error
}

// repointer is a provider's subscriptions, pointed at the tunnel's URL at
// start and whenever it changes.
type repointer interface {
	Repoint(ctx context.Context, publicBaseURL string) error
}

// webhookRoutes are the providers' webhook paths and receivers.
func webhookRoutes(ps []provider) map[string]http.Handler {
	routes := make(map[string]http.Handler, len(ps))
	for _, p := range ps {
		path, h := p.webhook()
		routes[path] = h
	}
	return routes
}
