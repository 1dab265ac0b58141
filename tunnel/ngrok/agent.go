package ngrok

import (
	"context"
	"net"
	"net/url"

	ngrokgo "golang.ngrok.com/ngrok/v2"
)

// agent is the part of ngrok-go's Agent this package uses. The real one
// talks to ngrok's cloud; tests give fakes of ngrok's side instead.
type agent interface {
	// Listen connects (if needed) and opens one endpoint; url is "" for a
	// random address. It must give up when ctx ends.
	Listen(ctx context.Context, url string) (endpoint, error)
	// Disconnect ends the session and every endpoint it carries.
	Disconnect() error
}

// endpoint is an open ngrok endpoint: ngrokgo.EndpointListener has all of it.
type endpoint interface {
	net.Listener
	URL() *url.URL
	CloseWithContext(ctx context.Context) error
}

// newAgentFunc builds the agent for one connection attempt; onEvent gets
// that agent's events and must not block.
type newAgentFunc func(cfg Config, onEvent ngrokgo.EventHandler) (agent, error)

// ngrokAgent is the real agent: a thin shell over ngrok-go. Tests run it
// only against a local server that hangs up, never against ngrok's cloud.
type ngrokAgent struct {
	ag   ngrokgo.Agent
	end  context.CancelFunc
	life context.Context
}

func newNgrokAgent(cfg Config, onEvent ngrokgo.EventHandler) (agent, error) {
	return newNgrokAgentWith(cfg, onEvent)
}

// newNgrokAgentWith takes extra options: tests point the real agent at a
// local server, never at ngrok's cloud.
func newNgrokAgentWith(cfg Config, onEvent ngrokgo.EventHandler, extra ...ngrokgo.AgentOption) (agent, error) {
	opts := append([]ngrokgo.AgentOption{
		ngrokgo.WithAuthtoken(cfg.Authtoken),
		ngrokgo.WithEventHandler(onEvent),
		ngrokgo.WithLogger(cfg.Logger),
		// Listen's auto-connect would bind the session's whole life to
		// Listen's deadline; Listen below connects by itself instead.
		ngrokgo.WithAutoConnect(false),
	}, extra...)
	ag, err := ngrokgo.NewAgent(opts...)
	if err != nil {
		return nil, err
	}
	life, end := context.WithCancel(context.Background())
	return &ngrokAgent{ag: ag, end: end, life: life}, nil
}

func (a *ngrokAgent) Listen(ctx context.Context, u string) (endpoint, error) {
	// ngrok-go keeps the session (and reconnects it) only while the
	// context given to Connect lives, and retries a refused token until it
	// ends. So Connect gets the agent's life, and ctx's deadline cancels it
	// only while Connect is still trying.
	connectCtx, cancel := context.WithCancel(a.life)
	stop := context.AfterFunc(ctx, cancel)
	err := a.ag.Connect(connectCtx)
	if !stop() {
		// ctx ended first: the session is going down with connectCtx.
		if err == nil {
			_ = a.ag.Disconnect()
			err = context.Cause(ctx)
		}
	}
	if err != nil {
		cancel()
		return nil, err
	}
	// On success connectCtx lives as long as the session: Disconnect ends it.
	var opts []ngrokgo.EndpointOption
	if u != "" {
		opts = append(opts, ngrokgo.WithURL(u))
	}
	ep, err := a.ag.Listen(ctx, opts...)
	if err != nil {
		return nil, err
	}
	return ep, nil
}

func (a *ngrokAgent) Disconnect() error {
	defer a.end()
	return a.ag.Disconnect()
}
