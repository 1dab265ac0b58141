// Package reconcile keeps GoTo pointed at us: a secret key, one webhook
// per event (ours, reused, never duplicated), activated, with the
// organizer subscribed, all at the tunnel's current URL. It runs after
// login, at start, when the tunnel's URL changes, and every resyncEvery to
// notice what changed at GoTo. It reports typed states; ui words them.
package reconcile

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"webinarsync/gotowebinar"
	"webinarsync/gotowebinar/login"
	"webinarsync/store"
)

// resyncEvery is how often a healthy setup is checked again.
const resyncEvery = 15 * time.Minute

// maxRetryWait bounds the wait between retries after a failure.
const maxRetryWait = 5 * time.Minute

// ErrNoPublicURL: the tunnel has no URL yet, so there is nothing to point at.
var ErrNoPublicURL = errors.New("the tunnel has no public URL yet")

// Login is the GoTo login as reconciliation needs it.
type Login interface {
	State() login.State
	// ClientID names the OAuth client: GoTo's secret keys belong to it.
	ClientID() string
	// MarkExpired records that GoTo refused our access token outright.
	MarkExpired()
}

// Config is what New needs.
type Config struct {
	Store  *store.Store
	Client *gotowebinar.Client
	Login  Login
	Logins <-chan struct{} // a signal after every login; nil: none
	Logger *slog.Logger    // nil: discard
	// APIURL is the GoTo API the client talks to: a secret key made at one
	// API is no use at another.
	APIURL string
	// EnvSecret: WEBINARSYNC_WEBHOOK_SECRET is set, so never ask GoTo for a key.
	EnvSecret bool
	// Survey also registers the undocumented survey.submitted event.
	Survey bool
	// ActivationBackoff is the first wait before retrying an activation
	// GoTo refused because the webhook is not available yet; 0 = 250 ms.
	ActivationBackoff time.Duration
}

// Reconciler keeps our webhooks and subscriptions at GoTo as they should
// be. Build it with New.
type Reconciler struct {
	store             *store.Store
	client            *gotowebinar.Client
	login             Login
	logins            <-chan struct{}
	log               *slog.Logger
	apiURL            string
	envSecret         bool
	events            []string
	activationBackoff time.Duration

	runMu sync.Mutex    // one run at a time
	wake  chan struct{} // run now
	later chan struct{} // a run failed: retry after a backoff

	mu        sync.Mutex
	publicURL string // the tunnel's base URL, "" until known
	paused    bool   // the organizer removed our webhooks; set up again on request
	waiting   bool   // the last run waited for the tunnel's URL
	problem   *gotowebinar.Problem
	hooks     map[string]*Hook
}

// New builds a Reconciler; Run drives it.
func New(c Config) *Reconciler {
	r := &Reconciler{
		store:             c.Store,
		client:            c.Client,
		login:             c.Login,
		logins:            c.Logins,
		log:               cmp.Or(c.Logger, slog.New(slog.DiscardHandler)),
		apiURL:            c.APIURL,
		envSecret:         c.EnvSecret,
		events:            gotowebinar.EventNames(),
		activationBackoff: cmp.Or(c.ActivationBackoff, 250*time.Millisecond),
		wake:              make(chan struct{}, 1),
		later:             make(chan struct{}, 1),
		hooks:             make(map[string]*Hook),
	}
	if c.Survey {
		r.events = append(r.events, gotowebinar.EventSurveySubmitted)
	}
	return r
}

// Events are the events we register webhooks for.
func (r *Reconciler) Events() []string { return r.events }

// Repoint points our webhooks at publicBaseURL (the tunnel's URL, without
// the webhook path) and reconciles now. Call it at start and for every
// tunnel URL change. Not being logged in is not an error: it runs again
// after login. A failure that may pass is retried in the background.
func (r *Reconciler) Repoint(ctx context.Context, publicBaseURL string) error {
	r.mu.Lock()
	r.publicURL = strings.TrimRight(publicBaseURL, "/")
	r.mu.Unlock()
	err := r.Reconcile(ctx)
	switch {
	case errors.Is(err, gotowebinar.ErrNotLoggedIn), errors.Is(err, ErrNoPublicURL):
		return nil
	case retryable(err):
		kick(r.later)
	}
	return err
}

// Run retries failed runs, reconciles after each login, and checks the
// setup every resyncEvery, until ctx ends.
func (r *Reconciler) Run(ctx context.Context) {
	wait := time.Duration(0)
	timer := time.NewTimer(resyncEvery)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-r.later:
			wait = min(max(2*wait, 2*time.Second), maxRetryWait)
			timer.Reset(wait)
			continue
		case <-r.logins:
			// A new login sets up what the organizer removed before.
			r.mu.Lock()
			r.paused, r.problem = false, nil
			r.mu.Unlock()
		case <-r.wake:
		case <-timer.C:
		}
		err := r.Reconcile(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case retryable(err):
			wait = min(max(2*wait, 2*time.Second), maxRetryWait)
			r.log.Warn("setting up the GoTo webhooks failed; retrying", "in", wait, "err", err)
			timer.Reset(wait)
		default:
			wait = 0
			timer.Reset(resyncEvery)
		}
	}
}

// retryable: the failure may pass by itself (GoTo or the network), unlike
// a missing login or tunnel, which waits for the organizer or a Repoint.
func retryable(err error) bool {
	return err != nil && !errors.Is(err, gotowebinar.ErrNotLoggedIn) && !errors.Is(err, ErrNoPublicURL) &&
		!errors.Is(err, gotowebinar.ErrLoginExpired) && !gotowebinar.IsInvalidToken(err) &&
		!errors.Is(err, context.Canceled)
}

// Reconcile runs once: secret key, webhooks, activation, subscriptions.
func (r *Reconciler) Reconcile(ctx context.Context) error {
	r.runMu.Lock()
	defer r.runMu.Unlock()
	r.mu.Lock()
	base, paused := r.publicURL, r.paused
	r.mu.Unlock()
	switch {
	case r.login.State().Status == login.LoggedOut:
		return gotowebinar.ErrNotLoggedIn
	case paused:
		return nil
	case base == "":
		r.mu.Lock()
		r.waiting = true
		r.mu.Unlock()
		return ErrNoPublicURL
	}
	// An expired login is tried anyway: a refresh may work again. GoTo's
	// rate budget goes to this first: the organizer waits for the
	// webhooks, the catch-up sync can wait a second.
	callback := base + gotowebinar.WebhookPath
	ctx, done := r.client.Urgently(ctx)
	err := r.reconcile(ctx, callback)
	done()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.waiting, r.problem = false, nil
	if err != nil {
		if gotowebinar.IsInvalidToken(err) {
			r.login.MarkExpired()
		}
		p := gotowebinar.Classify(err)
		r.problem = &p
		r.log.Warn("GoTo webhook setup failed", "err", err, "callback", callback)
	}
	return err
}

func (r *Reconciler) reconcile(ctx context.Context, callback string) error {
	if err := r.ensureSecretKey(ctx); err != nil {
		return err
	}
	var rec record
	if err := r.loadRecord(&rec); err != nil {
		return err
	}
	keep, err := r.reconcileWebhooks(ctx, &rec, callback)
	if err != nil {
		return err
	}
	if err := r.activate(ctx, keep); err != nil {
		return err
	}
	return r.subscribe(ctx, &rec, keep, callback)
}

// SetUp reconciles now, also after Remove.
func (r *Reconciler) SetUp(ctx context.Context) error {
	r.mu.Lock()
	r.paused = false
	r.mu.Unlock()
	err := r.Reconcile(ctx)
	if retryable(err) {
		kick(r.later)
	}
	if errors.Is(err, ErrNoPublicURL) {
		return nil // it runs when the tunnel has a URL
	}
	return err
}

// Remove deletes our subscriptions and webhooks at GoTo and keeps them
// away until SetUp, a new login or a restart.
func (r *Reconciler) Remove(ctx context.Context) error {
	if err := r.Cleanup(ctx); err != nil {
		return err
	}
	r.mu.Lock()
	r.paused = true
	r.mu.Unlock()
	return nil
}

// kick signals ch without blocking; one pending signal is enough.
func kick(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// RenewKey asks GoTo for a new webhook secret key and keeps it: for when
// GoTo signs with a key we lack (another install with the same OAuth
// client made one). Older keys stay accepted for store.KeyGrace.
func (r *Reconciler) RenewKey(ctx context.Context) error {
	if r.login.State().Status == login.LoggedOut {
		return gotowebinar.ErrNotLoggedIn
	}
	if r.envSecret {
		return ErrKeyFromEnvironment
	}
	r.runMu.Lock()
	defer r.runMu.Unlock()
	ctx, done := r.client.Urgently(ctx)
	defer done()
	return r.newSecretKey(ctx, r.login.ClientID()+" "+r.apiURL)
}

// ErrKeyFromEnvironment: WEBINARSYNC_WEBHOOK_SECRET names the key, so
// webinarsync does not ask GoTo for one.
var ErrKeyFromEnvironment = errors.New("the webhook secret key comes from WEBINARSYNC_WEBHOOK_SECRET")
