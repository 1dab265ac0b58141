// Package reconcile keeps RingCentral pointed at us: one webinar
// subscription of ours, for the four webinar event filters, delivering to
// the tunnel's current URL with our verification token. It reuses the
// subscription it made, renews it before it expires, makes a new one when
// it is gone, expired or blacklisted, moves it when the URL changes, and
// deletes it on cleanup. It reports typed states; ui words them.
package reconcile

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"webinarsync/ringcentral"
	"webinarsync/store"
)

const (
	// resyncEvery is how often a healthy subscription is checked again
	// (one Light call: RingCentral allows 50 a minute).
	resyncEvery = 15 * time.Minute
	// DefaultLifetime is what a subscription is asked to live. A day, not
	// RingCentral's ten years: a laptop that stops for good leaves nothing
	// delivering into the void for long.
	DefaultLifetime = 24 * time.Hour
	// DefaultRenewAhead is how long before its expiry a subscription is
	// renewed: the app may sleep with the laptop for hours.
	DefaultRenewAhead = 6 * time.Hour
	// maxRetryWait bounds the wait between retries after a failure.
	maxRetryWait = 5 * time.Minute
	// setting is where the subscription of ours and its token are kept.
	setting = "ringcentral/subscription"
)

// ErrNoPublicURL: the tunnel has no URL yet, so there is nothing to point at.
var ErrNoPublicURL = errors.New("the tunnel has no public URL yet")

// Login is the RingCentral login as reconciliation needs it.
type Login interface {
	LoggedIn() bool
	// MarkExpired records that RingCentral refused our access token even
	// after a refresh, so the login's card asks to log in again.
	MarkExpired()
}

// Config is what New needs.
type Config struct {
	Store  *store.Store
	Client *ringcentral.Client
	Login  Login
	Logins <-chan struct{} // a signal after every login; nil: none
	Logger *slog.Logger    // nil: discard
	// Lifetime and RenewAhead: 0 is DefaultLifetime and DefaultRenewAhead.
	Lifetime, RenewAhead time.Duration
}

// Reconciler keeps our subscription at RingCentral as it should be.
// Build it with New; Run drives it.
type Reconciler struct {
	store      *store.Store
	client     *ringcentral.Client
	login      Login
	logins     <-chan struct{}
	log        *slog.Logger
	lifetime   time.Duration
	renewAhead time.Duration

	runMu sync.Mutex    // one run at a time
	wake  chan struct{} // run now
	later chan struct{} // a run failed: retry after a backoff

	mu        sync.Mutex
	publicURL string // the tunnel's base URL, "" until known
	waiting   bool   // the last run waited for the tunnel's URL
	problem   *ringcentral.Problem
	sub       *ringcentral.Subscription // as the last run saw or made it
	checked   time.Time
	token     string // our verification token, once made or loaded
}

// saved is what survives a restart: the subscription of ours and the token
// it delivers with.
type saved struct {
	ID    string `json:"id,omitempty"`
	Token string `json:"token"`
}

// New builds a Reconciler.
func New(c Config) *Reconciler {
	if c.Lifetime > 0 && c.RenewAhead >= c.Lifetime {
		c.RenewAhead = c.Lifetime / 4 // else every check would renew
	}
	return &Reconciler{
		store:      c.Store,
		client:     c.Client,
		login:      c.Login,
		logins:     c.Logins,
		log:        cmp.Or(c.Logger, slog.New(slog.DiscardHandler)),
		lifetime:   cmp.Or(c.Lifetime, DefaultLifetime),
		renewAhead: cmp.Or(c.RenewAhead, DefaultRenewAhead),
		wake:       make(chan struct{}, 1),
		later:      make(chan struct{}, 1),
	}
}

// Tokens are the verification tokens a delivery may carry: ours, once
// made. The receiver calls it per delivery.
func (r *Reconciler) Tokens() []string {
	r.mu.Lock()
	tok := r.token
	r.mu.Unlock()
	if tok == "" {
		var s saved
		if _, err := r.store.SettingJSON(setting, &s); err != nil || s.Token == "" {
			return nil
		}
		tok = s.Token
		r.mu.Lock()
		r.token = tok
		r.mu.Unlock()
	}
	return []string{tok}
}

// Repoint points our subscription at publicBaseURL (the tunnel's URL,
// without the webhook path) and reconciles now. Not being logged in, or
// having no URL yet, is not an error: it runs again after login or the
// next Repoint. A failure that may pass is retried in the background.
func (r *Reconciler) Repoint(ctx context.Context, publicBaseURL string) error {
	r.mu.Lock()
	r.publicURL = strings.TrimRight(publicBaseURL, "/")
	r.mu.Unlock()
	err := r.Reconcile(ctx)
	switch {
	case errors.Is(err, ringcentral.ErrNotLoggedIn), errors.Is(err, ErrNoPublicURL):
		return nil
	case retryable(err):
		kick(r.later)
	}
	return err
}

// Run retries failed runs, reconciles after each login, renews before
// expiry and checks every resyncEvery, until ctx ends.
func (r *Reconciler) Run(ctx context.Context) {
	wait := time.Duration(0)
	timer := time.NewTimer(r.nextCheck())
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
		case <-r.wake:
		case <-timer.C:
		}
		err := r.Reconcile(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case retryable(err):
			wait = min(max(2*wait, 2*time.Second), maxRetryWait)
			r.log.Warn("keeping the RingCentral subscription failed; retrying", "in", wait, "err", err)
			timer.Reset(wait)
		default:
			wait = 0
			timer.Reset(r.nextCheck())
		}
	}
}

// nextCheck is when to look again: at resyncEvery, or sooner when the
// subscription is due for renewal by then.
func (r *Reconciler) nextCheck() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	next := resyncEvery
	if r.sub != nil && !r.sub.ExpirationTime.IsZero() {
		due := time.Until(r.sub.ExpirationTime.Add(-r.renewAhead))
		// At least a minute: a renewal RingCentral capped short of
		// renewAhead must not make a check every second.
		next = min(next, max(due, time.Minute))
	}
	return next
}

// retryable: the failure may pass by itself (RingCentral or the network),
// unlike a missing login or tunnel, which waits for the organizer.
func retryable(err error) bool {
	if err == nil || errors.Is(err, ringcentral.ErrNotLoggedIn) || errors.Is(err, ErrNoPublicURL) ||
		errors.Is(err, context.Canceled) {
		return false
	}
	return ringcentral.Classify(err).Kind != ringcentral.ProblemLoginExpired
}

// Reconcile runs once.
func (r *Reconciler) Reconcile(ctx context.Context) error {
	r.runMu.Lock()
	defer r.runMu.Unlock()
	r.mu.Lock()
	base := r.publicURL
	r.mu.Unlock()
	switch {
	case r.login == nil || !r.login.LoggedIn():
		return ringcentral.ErrNotLoggedIn
	case base == "":
		r.mu.Lock()
		r.waiting = true
		r.mu.Unlock()
		return ErrNoPublicURL
	}
	address := base + ringcentral.WebhookPath
	sub, err := r.reconcile(ctx, address)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.waiting, r.problem, r.checked = false, nil, time.Now()
	if err != nil {
		p := ringcentral.Classify(err)
		if p.Kind == ringcentral.ProblemLoginExpired {
			r.login.MarkExpired()
		}
		r.problem = &p
		r.log.Warn("RingCentral subscription setup failed", "err", err, "address", address)
		return err
	}
	r.sub = &sub
	return nil
}

func (r *Reconciler) reconcile(ctx context.Context, address string) (ringcentral.Subscription, error) {
	s, err := r.load()
	if err != nil {
		return ringcentral.Subscription{}, err
	}
	if s.ID != "" {
		ours, found, err := r.find(ctx, s.ID)
		if err != nil {
			return ringcentral.Subscription{}, err
		}
		if found {
			switch r.judge(ours, address) {
			case keep:
				return ours, nil
			case renew:
				renewed, err := r.client.RenewSubscription(ctx, ours.ID)
				if err == nil {
					r.log.Info("renewed the RingCentral subscription", "id", ours.ID, "until", renewed.ExpirationTime)
					return renewed, nil
				}
				if !ringcentral.IsNotFound(err) {
					return ringcentral.Subscription{}, fmt.Errorf("renewing the RingCentral subscription: %w", err)
				}
			case replace:
				// Blacklisted, expired, or at another address: a
				// subscription's address cannot change, and a blacklisted
				// one cannot be revived, so it goes and a new one comes.
				r.log.Info("replacing the RingCentral subscription", "id", ours.ID, "status", ours.Status, "address", ours.Address)
				if err := r.client.DeleteSubscription(ctx, ours.ID); err != nil && !ringcentral.IsNotFound(err) {
					return ringcentral.Subscription{}, fmt.Errorf("deleting the old RingCentral subscription: %w", err)
				}
			}
		}
	}
	if err := r.dropStrays(ctx, address, s.ID); err != nil {
		return ringcentral.Subscription{}, err
	}
	made, err := r.client.CreateSubscription(ctx, ringcentral.NewSubscription{
		Address: address, VerificationToken: s.Token, ExpiresIn: r.lifetime,
	})
	if err != nil {
		return ringcentral.Subscription{}, fmt.Errorf("creating the RingCentral subscription: %w", err)
	}
	s.ID = made.ID
	if err := r.store.SetSettingJSON(setting, s); err != nil {
		return made, fmt.Errorf("saving the RingCentral subscription: %w", err)
	}
	r.log.Info("created the RingCentral subscription", "id", made.ID, "address", address, "until", made.ExpirationTime)
	return made, nil
}

// load reads what was saved, making and saving our token first if there
// is none: the receiver must know it before RingCentral first delivers.
func (r *Reconciler) load() (saved, error) {
	var s saved
	if _, err := r.store.SettingJSON(setting, &s); err != nil {
		return saved{}, fmt.Errorf("reading the RingCentral subscription: %w", err)
	}
	if s.Token == "" {
		s.Token = newToken()
		if err := r.store.SetSettingJSON(setting, s); err != nil {
			return saved{}, fmt.Errorf("saving the RingCentral verification token: %w", err)
		}
	}
	r.mu.Lock()
	r.token = s.Token
	r.mu.Unlock()
	return s, nil
}

// dropStrays deletes subscriptions at our address other than the one on
// record: a create whose answer was lost, or whose id could not be saved,
// would otherwise deliver every event twice until it expired.
func (r *Reconciler) dropStrays(ctx context.Context, address, known string) error {
	subs, err := r.client.Subscriptions(ctx)
	if err != nil {
		return fmt.Errorf("listing the RingCentral subscriptions: %w", err)
	}
	for _, s := range subs {
		if s.Address != address || s.ID == known {
			continue
		}
		r.log.Info("deleting a RingCentral subscription of ours left from before", "id", s.ID)
		if err := r.client.DeleteSubscription(ctx, s.ID); err != nil && !ringcentral.IsNotFound(err) {
			return fmt.Errorf("deleting a stray RingCentral subscription: %w", err)
		}
	}
	return nil
}

// find looks ours up among the subscriptions RingCentral lists.
func (r *Reconciler) find(ctx context.Context, id string) (ringcentral.Subscription, bool, error) {
	subs, err := r.client.Subscriptions(ctx)
	if err != nil {
		return ringcentral.Subscription{}, false, fmt.Errorf("listing the RingCentral subscriptions: %w", err)
	}
	i := slices.IndexFunc(subs, func(s ringcentral.Subscription) bool { return s.ID == id })
	if i < 0 {
		return ringcentral.Subscription{}, false, nil
	}
	return subs[i], true, nil
}

type verdict int

const (
	keep verdict = iota
	renew
	replace
)

// judge says what to do with our subscription as RingCentral lists it.
func (r *Reconciler) judge(s ringcentral.Subscription, address string) verdict {
	now := time.Now()
	switch {
	case !s.Active(now) || s.Address != address || !coversOurFilters(s):
		return replace
	case !s.ExpirationTime.IsZero() && s.ExpirationTime.Before(now.Add(r.renewAhead)):
		return renew
	}
	return keep
}

// coversOurFilters reports whether every filter we subscribe to is on s
// and none of them disabled.
func coversOurFilters(s ringcentral.Subscription) bool {
	// By kind, not text: RingCentral may echo a filter with a query or
	// another case (ringcentral.KindOf), which is still ours.
	for _, f := range ringcentral.EventFilters() {
		k := ringcentral.KindOf(f)
		if !slices.ContainsFunc(s.EventFilters, func(g string) bool { return ringcentral.KindOf(g) == k }) {
			return false
		}
		if slices.ContainsFunc(s.DisabledFilters, func(d ringcentral.DisabledFilter) bool { return ringcentral.KindOf(d.Filter) == k }) {
			return false
		}
	}
	return true
}

// Cleanup deletes our subscription at RingCentral (-cleanup-on-exit).
func (r *Reconciler) Cleanup(ctx context.Context) error {
	r.runMu.Lock()
	defer r.runMu.Unlock()
	var s saved
	if _, err := r.store.SettingJSON(setting, &s); err != nil {
		return fmt.Errorf("reading the RingCentral subscription: %w", err)
	}
	if s.ID == "" {
		return nil
	}
	if err := r.client.DeleteSubscription(ctx, s.ID); err != nil && !ringcentral.IsNotFound(err) {
		return fmt.Errorf("deleting the RingCentral subscription: %w", err)
	}
	s.ID = ""
	if err := r.store.SetSettingJSON(setting, s); err != nil {
		return fmt.Errorf("forgetting the RingCentral subscription: %w", err)
	}
	r.mu.Lock()
	r.sub = nil
	r.mu.Unlock()
	return nil
}

// Status is what the reconciler knows, for the pages. It makes no call.
type Status struct {
	WaitingForTunnel bool
	Problem          *ringcentral.Problem      // the last run failed; nil when it did not
	Subscription     *ringcentral.Subscription // as the last run left it; nil before one
	CheckedAt        time.Time
}

// Status reports the state as the last run left it.
func (r *Reconciler) Status() Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := Status{WaitingForTunnel: r.waiting, Problem: r.problem, CheckedAt: r.checked}
	if r.sub != nil {
		sub := *r.sub
		st.Subscription = &sub
	}
	return st
}

// newToken is a verification token RingCentral sends back on every
// delivery: 128 random bits, which no stranger guesses.
func newToken() string { return rand.Text() }

// kick signals ch without blocking; one pending signal is enough.
func kick(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}
