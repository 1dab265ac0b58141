package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"webinarsync/gotowebinar"
	"webinarsync/gotowebinar/catchup"
	"webinarsync/gotowebinar/login"
	"webinarsync/gotowebinar/reconcile"
	"webinarsync/store"
)

// goTo is the GoTo side, wired: the login, the API client everything
// shares (and so its rate limit), the webhook reconciler, the catch-up
// sync and the registrant changes.
type goTo struct {
	receiver    http.Handler // GoTo's deliveries, at gotowebinar.WebhookPath
	login       *login.Login
	client      *gotowebinar.Client
	webhooks    *reconcile.Reconciler
	sync        *catchup.CatchUp
	registrants *catchup.Registrants
}

// goToConfig is what newGoTo needs; the zero knobs are what the app uses.
type goToConfig struct {
	Store     *store.Store
	Logger    *slog.Logger
	Endpoints login.Endpoints
	EnvSecret bool // WEBINARSYNC_WEBHOOK_SECRET is set
	Survey    bool // also register survey.submitted
	Window    catchup.Window

	HTTPClient        *http.Client  // nil: 30 s timeout
	RateLimit         float64       // requests per second; 0 = gotowebinar.DefaultRequestsPerSecond, <0 = none
	RetryBackoff      time.Duration // first API retry wait; 0 = the client's default
	PageSize          int           // items per page of GoTo's listings; 0 = the most GoTo serves
	ActivationBackoff time.Duration // 0 = the reconciler's default
}

func newGoTo(c goToConfig) (*goTo, error) {
	log := c.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	lg, err := login.New(login.Config{Store: c.Store, Logger: log.With("component", "login"), Endpoints: c.Endpoints, HTTPClient: c.HTTPClient})
	if err != nil {
		return nil, fmt.Errorf("restoring the GoTo login: %w", err)
	}
	opts := []gotowebinar.Option{gotowebinar.WithHTTPClient(lg.HTTPClient()), gotowebinar.WithLogger(log.With("component", "goto-api"))}
	if c.RateLimit != 0 {
		opts = append(opts, gotowebinar.WithRateLimit(c.RateLimit))
	}
	if c.RetryBackoff > 0 {
		opts = append(opts, gotowebinar.WithRetries(5, c.RetryBackoff))
	}
	if c.PageSize > 0 {
		opts = append(opts, gotowebinar.WithPageSize(c.PageSize))
	}
	client := gotowebinar.NewClient(lg.Endpoints().APIURL, lg.TokenSource(), opts...)
	g := &goTo{login: lg, client: client}
	g.webhooks = reconcile.New(reconcile.Config{
		Store: c.Store, Client: client, Login: lg, Logins: lg.Watch(), Logger: log.With("component", "webhooks"),
		APIURL: lg.Endpoints().APIURL, EnvSecret: c.EnvSecret, Survey: c.Survey, ActivationBackoff: c.ActivationBackoff,
	})
	sc := catchup.Config{Store: c.Store, Client: client, Login: lg, Logins: lg.Watch(), Logger: log.With("component", "sync"), Window: c.Window}
	g.sync = catchup.New(sc)
	g.registrants = catchup.NewRegistrants(sc)
	return g, nil
}

// run keeps the webhooks reconciled and the sync running until ctx ends,
// and looks for a restored login's missing organizer key.
func (g *goTo) run(ctx context.Context, bg *sync.WaitGroup) {
	bg.Go(func() { g.webhooks.Run(ctx) })
	bg.Go(func() { g.sync.Run(ctx) })
	// A login restored without an organizer key asks GoTo for it once;
	// finding it signals the sync as a login does.
	bg.Go(func() { _ = g.login.FindOrganizerKey(ctx) })
}

// The GoTo side as a provider.

func (g *goTo) name() string { return "GoTo" }

func (g *goTo) webhook() (string, http.Handler) { return gotowebinar.WebhookPath, g.receiver }

func (g *goTo) subscriptions() repointer { return g.webhooks }

func (g *goTo) cleanup(ctx context.Context) error {
	if err := g.webhooks.Cleanup(ctx); err != nil && !errors.Is(err, gotowebinar.ErrNotLoggedIn) {
		return err
	}
	return nil
}
