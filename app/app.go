// Package app owns webinarsync's lifecycle: it opens the store, starts the
// UI server and the webhook listener behind a tunnel, keeps the GoTo
// account's webhooks pointed at the tunnel, catches up from GoTo's REST API
// on what webhooks missed, runs the simulator in -demo, and shuts
// everything down without losing an acknowledged event.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"webinarsync/forward"
	"webinarsync/gotowebinar"
	"webinarsync/gotowebinar/catchup"
	"webinarsync/gotowebinar/gotosim"
	"webinarsync/gotowebinar/login"
	"webinarsync/retention"
	"webinarsync/store"
	"webinarsync/tunnel"
	"webinarsync/ui"
)

// ShutdownBudget is how long a graceful stop may take.
const ShutdownBudget = 5 * time.Second

// webhookReadHeaderTimeout cuts off clients that trickle headers
// (slowloris) on the internet-facing listener.
const webhookReadHeaderTimeout = 5 * time.Second

// Config is everything main gathers from flags and the environment.
type Config struct {
	Addr          string // UI listen address, 127.0.0.1:7777
	DataDir       string // "" = DefaultDataDir(Demo)
	Demo          bool
	Tunnel        string // TunnelAuto, TunnelNgrok or TunnelLocal ("" = local)
	WebhookAddr   string // listen address of the local tunnel
	PublicURL     string // public base URL when the organizer brings a reverse proxy
	WebhookSecret string // WEBINARSYNC_WEBHOOK_SECRET
	NgrokToken    string // NGROK_AUTHTOKEN; wins over the settings page
	NgrokDomain   string // NGROK_DOMAIN; wins over the settings page
	DemoInterval  time.Duration
	Logger        *slog.Logger
	// GoTo is GoTo's endpoints and our OAuth client (GOTO_* environment);
	// -demo points it at the built-in simulator.
	GoTo login.Endpoints
	// RingCentral is RingCentral's endpoints and our app's credentials
	// (RINGCENTRAL_* environment), winning over the settings page; with
	// neither, only GoTo is served.
	RingCentral RingCentral
	// CleanupOnExit deletes our webhooks and subscriptions at GoTo when
	// the app stops (-cleanup-on-exit).
	CleanupOnExit bool
	// ForwardTo (-forward-to) is where every newly stored event is
	// forwarded; it wins over the URL saved on the settings page.
	ForwardTo string
	// SurveyEvents also registers the undocumented survey.submitted event.
	SurveyEvents bool
	// Sync tunes the catch-up sync from GoTo's REST API: its window (90
	// days back, 365 ahead) and how often it runs (15 min).
	Sync catchup.Window
	// Terminal, when set, gets one readable line per delivery (main sets
	// it to standard output unless -v asks for the detailed log).
	Terminal io.Writer
	// UIPoll is how often the home and setup pages check for changes; 0 is
	// the UI's default (tests shorten it).
	UIPoll time.Duration
	// GoToRateLimit is requests per second to GoTo's API: 0 stays under
	// GoTo's limit, <0 is none (tests against a simulator of their own).
	GoToRateLimit float64
	// Ready, when set, is called once both listeners are up, with the UI's
	// URL (main opens the browser there; tests use it to find the app).
	Ready func(uiURL string)
}

// DefaultDataDir is os.UserConfigDir()/webinarsync; the demo keeps its
// simulated data apart so it never mixes with real registrants.
func DefaultDataDir(demo bool) (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("finding your config directory: %w", err)
	}
	name := "webinarsync"
	if demo {
		name = "webinarsync-demo"
	}
	return filepath.Join(dir, name), nil
}

// Run serves until ctx ends, then shuts down within ShutdownBudget.
func Run(ctx context.Context, cfg Config) error {
	cfg, err := cfg.checked()
	if err != nil {
		return err
	}
	r := &running{cfg: cfg, log: cfg.Logger}
	// Everything started in the background stops when runCtx ends, before
	// the store closes.
	runCtx, stopRun := context.WithCancel(ctx)
	defer stopRun()
	if err = r.open(ctx); err == nil {
		err = r.serve(ctx, runCtx)
	}
	stopRun()
	r.bg.Wait()
	r.shutdown()
	return err
}

// checked fills in the defaults and refuses a config that cannot work,
// before anything starts.
func (cfg Config) checked() (Config, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.DataDir == "" {
		dir, err := DefaultDataDir(cfg.Demo)
		if err != nil {
			return cfg, err
		}
		cfg.DataDir = dir
	}
	if err := loopbackOnly(cfg.Addr); err != nil {
		return cfg, err
	}
	if cfg.ForwardTo != "" {
		if err := forward.CheckTarget(cfg.ForwardTo); err != nil {
			return cfg, fmt.Errorf("-forward-to %q: %w", cfg.ForwardTo, err)
		}
	}
	switch tunnelKind(cfg) {
	case TunnelLocal, TunnelNgrok:
	default:
		return cfg, fmt.Errorf("unknown -tunnel %q: use auto, ngrok or local", cfg.Tunnel)
	}
	return cfg, nil
}

// running is one run of the app: what open made, serve uses and shutdown
// closes. Any field may be nil when open stopped early.
type running struct {
	cfg    Config
	log    *slog.Logger
	store  *store.Store
	uiLn   net.Listener
	demo   *demoGoTo
	rcDemo *demoRingCentral // -demo's RingCentral stand-in
	goTo   *goTo
	rc     *ringCentral // always wired, so the settings page can set it up
	// providers are GoTo and RingCentral, wired alike; RingCentral's
	// webhook path and work stay idle until it is set up.
	providers []provider
	tun       tunnel.Tunnel
	ui        *ui.Server
	forward   *forward.Forwarder
	hookSrv   *http.Server
	uiSrv     *http.Server
	uiURL     string
	bg        sync.WaitGroup

	deliveries *store.DeliveryLog // closed after the servers, before the store
}

// open opens the store, claims the UI's address, and wires the GoTo side,
// the tunnel and both servers.
func (r *running) open(ctx context.Context) error {
	cfg, log := r.cfg, r.log
	if err := r.claim(ctx); err != nil {
		return err
	}
	if cfg.Demo {
		if err := r.startDemos(&cfg); err != nil {
			return err
		}
	}
	st := r.store
	var err error
	r.goTo, err = newGoTo(goToConfig{Store: st, Logger: log, Endpoints: cfg.GoTo,
		EnvSecret: cfg.WebhookSecret != "", Survey: cfg.SurveyEvents, Window: cfg.Sync, RateLimit: cfg.GoToRateLimit})
	if err != nil {
		return err
	}
	ngrokCfg := &ngrokSettings{store: st, envToken: cfg.NgrokToken, envDom: cfg.NgrokDomain, log: log.With("component", "ngrok")}
	if r.tun, err = openTunnel(ctx, cfg, ngrokCfg); err != nil {
		return err
	}
	keys := secretKeys(st, cfg.WebhookSecret)
	if err := r.wireReceiver(cfg, keys); err != nil {
		return err
	}
	if r.rc, err = newRingCentral(st, cfg.RingCentral, nil, r.deliveries, log); err != nil {
		return err
	}
	r.providers = []provider{r.goTo, r.rc}
	r.hookSrv = webhookServer(webhookRoutes(r.providers), log)
	r.ui = ui.New(ui.Config{
		Store: st, Logger: log.With("component", "ui"), Addr: r.uiLn.Addr().String(), Demo: cfg.Demo,
		SecretKeys: func() int { return len(keys()) },
		Login:      r.goTo.login, Webhooks: r.goTo.webhooks, Deliveries: r.deliveries, Tunnel: r.tun.State, TunnelSettings: ngrokCfg,
		Sync: r.goTo.sync, Registrants: r.goTo.registrants, Poll: cfg.UIPoll, Forward: r.forward,
		RingCentral: r.rc, RingCentralLogin: r.rc.login, RingCentralSettings: r.rc.login,
	})
	r.uiSrv = &http.Server{
		Handler:           r.ui.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	inst := instance{PID: os.Getpid(), UIURL: r.uiURL, Started: time.Now().UTC()}
	if err := inst.write(cfg.DataDir); err != nil {
		log.Warn("could not record this instance; `webinarsync export` will not find the running app", "err", err)
	}
	return nil
}

// claim opens the store and the UI's listener: the two things another
// webinarsync may hold, each refused with words that say which.
func (r *running) claim(ctx context.Context) error {
	cfg := r.cfg
	st, err := store.Open(cfg.DataDir, store.Options{Logger: r.log})
	if errors.Is(err, store.ErrLocked) {
		return lockedError(cfg.DataDir, err)
	}
	if err != nil {
		return fmt.Errorf("opening the data dir: %w", err)
	}
	r.store = st
	if r.uiLn, err = net.Listen("tcp", cfg.Addr); err != nil {
		if url, theirDir, ok := webinarsyncAt(ctx, cfg.Addr); ok {
			return anotherInstance(cfg.Addr, url, theirDir, cfg.DataDir, err) // ours opened: not theirs
		}
		return fmt.Errorf("opening the UI on %s (is another program using it? try -addr 127.0.0.1:7778): %w", cfg.Addr, err)
	}
	r.uiURL = "http://" + r.uiLn.Addr().String() + "/"
	return nil
}

// startDemos starts -demo's stand-ins and points cfg at them.
func (r *running) startDemos(cfg *Config) error {
	var err error
	if r.demo, err = startDemoGoTo(r.log.With("component", "simulator"), cfg.DemoInterval, cfg.DataDir); err != nil {
		return err
	}
	cfg.GoTo = r.demo.endpoints
	// One seed, so a restart finds the same RingCentral world again.
	if r.rcDemo, err = startDemoRingCentral(r.log.With("component", "ringcentral-standin"), cfg.DemoInterval, 1); err != nil {
		return err
	}
	cfg.RingCentral = r.rcDemo.config
	return nil
}

// wireReceiver makes GoTo's receiver and what observes it: the forwarder,
// the durable record of every delivery and the terminal's lines.
func (r *running) wireReceiver(cfg Config, keys func() [][]byte) error {
	var err error
	// Before the receiver exists: it turns on the outbox that events
	// stored from now on are queued in.
	if r.forward, err = forward.New(forward.Config{Store: r.store, Target: cfg.ForwardTo,
		Logger: r.log.With("component", "forward")}); err != nil {
		return err
	}
	rcv := gotowebinar.NewReceiver(keys, r.store, r.log.With("component", "receiver"))
	// The durable record of every delivery; Observe never blocks the
	// receiver (it queues for one writer), and it seeds the status from disk.
	if r.deliveries, err = store.NewDeliveryLog(r.store, keys, store.DeliveryLimits{}); err != nil {
		return err
	}
	rcv.Observer = r.deliveries
	if cfg.Terminal != nil {
		rcv.Observer = ui.Observers{r.deliveries, ui.NewTerminal(cfg.Terminal)}
	}
	r.goTo.receiver = rcv
	return nil
}

// webhookServer serves each provider's receiver on the internet-facing
// listener, at its webhook path and nowhere else: every other path is a
// 404, so nothing of the UI is reachable through the tunnel.
func webhookServer(routes map[string]http.Handler, log *slog.Logger) *http.Server {
	mux := http.NewServeMux()
	for path, h := range routes {
		mux.Handle(path, h)
	}
	return &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: webhookReadHeaderTimeout,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		// GoTo's headers are a few hundred bytes; net/http's 1 MiB default
		// let 500 strangers hold 856 MB.
		MaxHeaderBytes: 16 << 10,
	}
}

// serve runs both servers and the background work until ctx ends or a
// server fails.
func (r *running) serve(ctx, runCtx context.Context) error {
	errc := make(chan error, 2)
	go func() { errc <- serveOn(r.hookSrv, r.tun.Listener(), "webhook listener") }()
	go func() { errc <- serveOn(r.uiSrv, r.uiLn, "UI server") }()

	ts := r.tun.State()
	hookURL := "(none yet: " + string(ts.Phase) + ")"
	if ts.URL != "" {
		hookURL = ts.URL + gotowebinar.WebhookPath
	}
	r.log.Info("webinarsync is running", "ui", r.uiURL, "tunnel", ts.Kind, "webhookURL", hookURL,
		"dataDir", r.cfg.DataDir, "demo", r.cfg.Demo)
	for _, p := range r.providers {
		p.run(runCtx, &r.bg)
	}
	r.bg.Go(func() { r.forward.Run(runCtx) }) // ends before the store closes
	// Raw bodies and delivery records older than the retention period go,
	// at start and daily.
	retain := &retention.Schedule{Store: r.store, Logger: r.log.With("component", "retention")}
	r.bg.Go(func() { retain.Run(runCtx) })
	if r.demo != nil {
		r.bg.Go(func() { r.demo.generate(runCtx) })
	}
	if r.rcDemo != nil {
		r.bg.Go(func() { r.rcDemo.generate(runCtx) })
	}
	r.bg.Go(func() {
		if r.demo != nil {
			// The real login, driven by code: the reconciler then registers
			// the webhooks at the simulator as it would at GoTo.
			redirect := "http://" + r.uiLn.Addr().String() + ui.CallbackPath
			if err := gotosim.LogIn(runCtx, r.goTo.login, redirect); err != nil && runCtx.Err() == nil {
				r.log.Error("demo: logging in to the simulator failed", "err", err)
			}
		}
		watchTunnel(runCtx, r.tun, r.providers, r.log)
	})
	if r.cfg.Ready != nil {
		r.cfg.Ready(r.uiURL)
	}
	select {
	case <-ctx.Done():
		return nil
	case err := <-errc:
		return err
	}
}

// shutdown closes what open made, in order, within ShutdownBudget: the
// one way out, whether the run ended or never fully started.
func (r *running) shutdown() {
	log := r.log
	sctx, cancel := context.WithTimeout(context.Background(), ShutdownBudget)
	defer cancel()
	if r.cfg.CleanupOnExit {
		// Leave time in the budget for the listeners to stop.
		cctx, ccancel := context.WithTimeout(sctx, ShutdownBudget*3/5)
		for _, p := range r.providers {
			if err := p.cleanup(cctx); err != nil {
				log.Warn("could not remove our subscriptions at "+p.name()+" on exit", "err", err)
			}
		}
		ccancel()
	}
	// Stop taking deliveries first: Shutdown waits for in-flight handlers,
	// and a handler answers only after its event is committed, so nothing
	// acknowledged is lost when the store closes after this.
	stopServer(sctx, r.hookSrv, "webhook listener", log)
	if r.tun != nil {
		if err := r.tun.Close(sctx); err != nil {
			log.Warn("tunnel did not close cleanly", "err", err)
		}
	}
	if r.ui != nil {
		r.ui.Close() // end the live boards' streams before waiting for handlers
	}
	stopServer(sctx, r.uiSrv, "UI server", log)
	if r.uiSrv == nil && r.uiLn != nil {
		r.uiLn.Close()
	}
	if r.demo != nil {
		r.demo.close() // after the cleanup above, which still reaches it
	}
	if r.rcDemo != nil {
		r.rcDemo.close()
	}
	if r.store == nil {
		return
	}
	if r.uiSrv != nil {
		removeInstance(r.cfg.DataDir)
	}
	if r.deliveries != nil {
		r.deliveries.Close() // writes the outcomes still queued
	}
	if err := r.store.Close(); err != nil {
		log.Error("closing the database", "err", err)
	}
	if r.uiSrv != nil {
		log.Info("webinarsync stopped; your data is kept", "dataDir", r.cfg.DataDir,
			"export", "webinarsync export -data "+r.cfg.DataDir+" -o registrants.csv")
	}
}

// stopServer waits for srv's handlers, and cuts the connections still
// open past the budget rather than hang.
func stopServer(ctx context.Context, srv *http.Server, what string, log *slog.Logger) {
	if srv == nil {
		return
	}
	if err := srv.Shutdown(ctx); err != nil {
		log.Warn(what+" did not stop cleanly", "err", err)
		srv.Close()
	}
}

// loopbackOnly refuses a UI address other machines could reach: the UI has
// no login of its own, so only this computer may use it.
func loopbackOnly(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-addr %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("-addr %s: the UI only listens on this computer (127.0.0.1, ::1 or localhost), since it has no login of its own", addr)
	}
	return nil
}

func serveOn(srv *http.Server, ln net.Listener, what string) error {
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// secretKeys gathers every key a delivery may be signed with: the stored
// ones GoTo gave us that are still accepted, and WEBINARSYNC_WEBHOOK_SECRET.
func secretKeys(st *store.Store, envSecret string) func() [][]byte {
	return func() [][]byte {
		stored := st.AcceptedSecretKeys(time.Now())
		keys := make([][]byte, 0, len(stored)+1)
		for _, k := range stored {
			keys = append(keys, []byte(k.Value))
		}
		if envSecret != "" {
			keys = append(keys, []byte(envSecret))
		}
		return keys
	}
}

// watchTunnel points every provider's subscriptions at the tunnel's URL
// now and whenever it changes, until ctx ends or the tunnel closes.
func watchTunnel(ctx context.Context, tun tunnel.Tunnel, ps []provider, log *slog.Logger) {
	// Side by side: one provider answering slowly (RingCentral under its
	// rate limits) must not hold up another's new address.
	repoint := func(url string) {
		var wg sync.WaitGroup
		for _, p := range ps {
			wg.Go(func() {
				if err := p.subscriptions().Repoint(ctx, url); err != nil && ctx.Err() == nil {
					log.Warn("pointing the "+p.name()+" subscriptions at the tunnel failed; retrying in the background", "url", url, "err", err)
				}
			})
		}
		wg.Wait()
	}
	last := ""
	if st := tun.State(); st.Phase == tunnel.PhaseOnline && st.URL != "" {
		last = st.URL
		repoint(last)
	}
	changes := tun.Changes()
	for {
		select {
		case <-ctx.Done():
			return
		case st, ok := <-changes:
			if !ok {
				return
			}
			if st.Phase != tunnel.PhaseOnline || st.URL == "" || st.URL == last {
				continue
			}
			last = st.URL
			repoint(last)
		}
	}
}
