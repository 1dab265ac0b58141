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
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"webinarsync/gotowebinar"
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
	GoTo GoToConfig
	// CleanupOnExit deletes our webhooks and subscriptions at GoTo when
	// the app stops (-cleanup-on-exit).
	CleanupOnExit bool
	// SurveyEvents also registers the undocumented survey.submitted event.
	SurveyEvents bool
	// Sync tunes the catch-up sync from GoTo's REST API (sync.go): its
	// window (90 days back, 365 ahead) and how often it runs (15 min).
	Sync SyncConfig
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
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	if cfg.DataDir == "" {
		dir, err := DefaultDataDir(cfg.Demo)
		if err != nil {
			return err
		}
		cfg.DataDir = dir
	}

	st, err := store.Open(cfg.DataDir, store.Options{Logger: log})
	if err != nil {
		if errors.Is(err, store.ErrLocked) {
			return lockedError(cfg.DataDir, err)
		}
		return fmt.Errorf("opening the data dir: %w", err)
	}
	defer func() {
		if err := st.Close(); err != nil {
			log.Error("closing the database", "err", err)
		}
	}()

	ngrokCfg := &ngrokSettings{store: st, envToken: cfg.NgrokToken, envDom: cfg.NgrokDomain,
		log: log.With("component", "ngrok")}
	tun, err := openTunnel(ctx, cfg, ngrokCfg)
	if err != nil {
		return err
	}

	// Everything started below stops when runCtx ends, before the store closes.
	runCtx, stopRun := context.WithCancel(ctx)
	defer stopRun()
	var bg sync.WaitGroup

	var demo *demoGoTo
	if cfg.Demo {
		if demo, err = startDemoGoTo(log.With("component", "simulator"), cfg.DemoInterval); err != nil {
			_ = tun.Close(context.Background())
			return err
		}
		defer demo.close()
		cfg.GoTo = demo.goTo
	}
	account, err := newGoToAccount(goToAccountConfig{
		Store: st, Logger: log.With("component", "goto"), GoTo: cfg.GoTo, Demo: cfg.Demo,
		EnvSecret: cfg.WebhookSecret != "", SurveyEvents: cfg.SurveyEvents,
	})
	if err != nil {
		_ = tun.Close(context.Background())
		return err
	}
	catchUp := newCatchUp(st, account, log.With("component", "sync"), cfg.Sync)
	keys := secretKeys(st, cfg.WebhookSecret)
	rcv := gotowebinar.NewReceiver(keys, st, log.With("component", "receiver"))
	hookSrv := &http.Server{
		Handler:           gotowebinar.WebhookHandler(rcv),
		ReadHeaderTimeout: webhookReadHeaderTimeout,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}

	if err := loopbackOnly(cfg.Addr); err != nil {
		_ = tun.Close(context.Background())
		return err
	}
	uiLn, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		_ = tun.Close(context.Background())
		if url, ok := webinarsyncAt(ctx, cfg.Addr); ok {
			return &AlreadyRunningError{UIURL: url, Cause: err}
		}
		return fmt.Errorf("opening the UI on %s (is another program using it? try -addr 127.0.0.1:7778): %w", cfg.Addr, err)
	}
	uiServer := ui.New(ui.Config{
		Store: st, Account: account, Tunnel: tun.State, Logger: log.With("component", "ui"),
		Addr: uiLn.Addr().String(), Demo: cfg.Demo,
		SecretKeys: func() int { return len(keys()) },
		Auth:       account, Settings: account, Webhooks: account, TunnelSettings: ngrokCfg,
		Sync: catchUp, Registrants: account,
	})
	uiSrv := &http.Server{
		Handler:           uiServer.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	uiURL := "http://" + uiLn.Addr().String() + "/"

	inst := instance{PID: os.Getpid(), UIURL: uiURL, Started: time.Now().UTC()}
	if err := inst.write(cfg.DataDir); err != nil {
		log.Warn("could not record this instance; `webinarsync export` will not find the running app", "err", err)
	}
	defer removeInstance(cfg.DataDir)

	errc := make(chan error, 2)
	go func() { errc <- serve(hookSrv, tun.Listener(), "webhook listener") }()
	go func() { errc <- serve(uiSrv, uiLn, "UI server") }()

	ts := tun.State()
	hookURL := "(none yet: " + string(ts.Phase) + ")"
	if ts.URL != "" {
		hookURL = ts.URL + gotowebinar.WebhookPath
	}
	log.Info("webinarsync is running", "ui", uiURL, "tunnel", ts.Kind, "webhookURL", hookURL,
		"dataDir", cfg.DataDir, "demo", cfg.Demo)
	bg.Go(func() { account.Run(runCtx) })
	bg.Go(func() { catchUp.Run(runCtx) })
	if demo != nil {
		bg.Go(func() { demo.generate(runCtx) })
	}
	bg.Go(func() {
		if demo != nil {
			// The real login, driven by code: the lifecycle then registers
			// the webhooks at the simulator as it would at GoTo.
			if err := autoLogin(runCtx, account, "http://"+uiLn.Addr().String()+ui.CallbackPath); err != nil && runCtx.Err() == nil {
				log.Error("demo: logging in to the simulator failed", "err", err)
			}
		}
		watchTunnel(runCtx, tun, account, log)
	})
	if cfg.Ready != nil {
		cfg.Ready(uiURL)
	}

	var runErr error
	select {
	case <-ctx.Done():
	case runErr = <-errc:
	}
	stopRun()
	bg.Wait()

	sctx, cancel := context.WithTimeout(context.Background(), ShutdownBudget)
	defer cancel()
	if cfg.CleanupOnExit {
		// Leave time in the budget for the listeners to stop.
		cctx, ccancel := context.WithTimeout(sctx, ShutdownBudget*3/5)
		if err := account.cleanup(cctx); err != nil && !errors.Is(err, errNotLoggedIn) {
			log.Warn("could not remove our webhooks at GoTo on exit", "err", err)
		}
		ccancel()
	}
	// Stop taking deliveries first: Shutdown waits for in-flight handlers,
	// and a handler answers only after its event is committed, so nothing
	// acknowledged is lost when the store closes after this.
	if err := hookSrv.Shutdown(sctx); err != nil {
		// Past the budget: cut the connections still open rather than hang.
		log.Warn("webhook listener did not stop cleanly", "err", err)
		hookSrv.Close()
	}
	if err := tun.Close(sctx); err != nil {
		log.Warn("tunnel did not close cleanly", "err", err)
	}
	uiServer.Close() // end the live boards' streams before waiting for handlers
	if err := uiSrv.Shutdown(sctx); err != nil {
		log.Warn("UI server did not stop cleanly", "err", err)
		uiSrv.Close()
	}
	log.Info("webinarsync stopped; your data is kept", "dataDir", cfg.DataDir,
		"export", "webinarsync export -data "+cfg.DataDir+" -o registrants.csv")
	return runErr
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

func serve(srv *http.Server, ln net.Listener, what string) error {
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// secretKeys gathers every key a delivery may be signed with: the stored
// ones (each GoTo gave us) and WEBINARSYNC_WEBHOOK_SECRET.
func secretKeys(st *store.Store, envSecret string) func() [][]byte {
	return func() [][]byte {
		stored := st.SecretKeys()
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

// watchTunnel points our webhooks at the tunnel's URL now and whenever it
// changes, until ctx ends or the tunnel closes.
func watchTunnel(ctx context.Context, tun tunnel.Tunnel, account *goToAccount, log *slog.Logger) {
	repoint := func(url string) {
		if err := account.Repoint(ctx, url); err != nil && ctx.Err() == nil {
			log.Warn("pointing the GoTo webhooks at the tunnel failed; retrying in the background", "url", url, "err", err)
		}
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
