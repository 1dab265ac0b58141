// Package catchup copies from RingCentral's webinar REST API into the
// store what no webhook told us of: webinars and their session times,
// every session's registrants, and who attended the sessions held or
// running. RingCentral's webhook bodies are undocumented hints; REST is the
// truth, and the store's merges (store/merge.go, store/attendance.go) keep
// what webhooks brought while filling the gaps. Every webinar read is in
// RingCentral's Heavy rate-limit group (10 a minute), so a pass over a few
// webinars takes minutes: it reports its progress as it goes, skips a
// webinar RingCentral refuses, and runs at start, after each login, every
// Config.Every and on Kick. It reports typed states; ui words them.
package catchup

import (
	"cmp"
	"context"
	"log/slog"
	"sync"
	"time"

	"webinarsync/ringcentral"
	"webinarsync/store"
)

// Provider is the store's name for RingCentral: every key this package
// writes is namespaced with it (store.ProviderKey).
const Provider = "ringcentral"

// DefaultEvery is the time between passes while Run runs.
const DefaultEvery = 15 * time.Minute

// Login is the RingCentral login as the catch-up needs it.
type Login interface {
	LoggedIn() bool
}

// Config is what New needs.
type Config struct {
	Store  *store.Store
	Client *ringcentral.Client
	Login  Login
	Logins <-chan struct{} // a signal after every login; nil: none
	Logger *slog.Logger    // nil: discard
	Every  time.Duration   // between passes in Run; 0: DefaultEvery
}

// CatchUp is the catch-up sync of one RingCentral login into the store.
// Build it with New; Run drives it, Sync runs one pass.
type CatchUp struct {
	store  *store.Store
	client *ringcentral.Client
	login  Login
	logins <-chan struct{}
	log    *slog.Logger
	every  time.Duration

	wake  chan struct{} // Kick
	hint  chan struct{} // Hint
	runMu sync.Mutex    // one pass at a time

	mu     sync.Mutex // guards status
	status Status
}

// New builds a CatchUp.
func New(c Config) *CatchUp {
	return &CatchUp{
		store:  c.Store,
		client: c.Client,
		login:  c.Login,
		logins: c.Logins,
		log:    cmp.Or(c.Logger, slog.New(slog.DiscardHandler)),
		every:  cmp.Or(c.Every, DefaultEvery),
		wake:   make(chan struct{}, 1),
		hint:   make(chan struct{}, 1),
	}
}

// HintEvery is the least time between two passes that notifications ask
// for: a pass costs about ten of RingCentral's "Heavy" requests a minute,
// which the live board's polling shares, and registrations can come by
// the hundred.
const HintEvery = 2 * time.Minute

// Hint says a notification told of a change: a pass follows, at once when
// none ran for HintEvery, else when HintEvery has passed since the last
// began. Many hints make one pass. It returns at once.
func (c *CatchUp) Hint() {
	select {
	case c.hint <- struct{}{}:
	default:
	}
}

// Kick asks Run for a pass now ("Sync now") and returns at once; a pass
// asked for while one runs follows it.
func (c *CatchUp) Kick() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// Run passes at start (once logged in: a pass without a login asks
// nothing), after each login signal, every Config.Every and on Kick, until
// ctx ends.
func (c *CatchUp) Run(ctx context.Context) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	var last time.Time // when the last pass began
	due := time.Now()  // when the timer fires
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.logins:
		case <-c.wake:
		case <-timer.C:
		case <-c.hint:
			if wait := time.Until(last.Add(HintEvery)); wait > 0 {
				// Fold this hint and those to come into one pass at the end
				// of the wait, unless the timer comes sooner.
				if time.Until(due) > wait {
					timer.Reset(wait)
					due = time.Now().Add(wait)
				}
				continue
			}
		}
		last = time.Now()
		_ = c.Sync(ctx) // the status says how it went
		if ctx.Err() != nil {
			return
		}
		timer.Reset(c.every)
		due = time.Now().Add(c.every)
		c.mu.Lock()
		c.status.Next = time.Now().Add(c.every)
		c.mu.Unlock()
	}
}

func (c *CatchUp) loggedIn() bool { return c.login != nil && c.login.LoggedIn() }

// Sync runs one pass to its end and returns what stopped it early, if
// anything: ringcentral.ErrNotLoggedIn without a login (and then nothing
// is asked), or an error that is not one webinar's alone (the network,
// RingCentral down, the login refused, a rate limit that outlasted our
// retries, ctx ending). A webinar RingCentral refuses is skipped and noted
// in the status, not returned.
func (c *CatchUp) Sync(ctx context.Context) error {
	c.runMu.Lock()
	defer c.runMu.Unlock()
	if !c.loggedIn() {
		p := ringcentral.Classify(ringcentral.ErrNotLoggedIn)
		c.mu.Lock()
		c.status.Problem = &p
		c.mu.Unlock()
		return ringcentral.ErrNotLoggedIn
	}
	c.mu.Lock()
	c.status.Running, c.status.Stopped, c.status.Problem = true, false, nil
	c.status.Phase = Phase{Step: Listing}
	c.status.Merged, c.status.Changed, c.status.Skipped = Counts{}, Counts{}, nil
	c.status.Started = time.Now()
	c.mu.Unlock()

	err := c.pass(ctx)

	c.mu.Lock()
	defer c.mu.Unlock()
	st := &c.status
	st.Running, st.Phase, st.Finished = false, Phase{}, time.Now()
	if err != nil {
		p := ringcentral.Classify(err)
		st.Stopped, st.Problem = true, &p
		if ctx.Err() == nil { // an app stopping is not news
			c.log.Warn("ringcentral catch-up: stopped early; the next pass starts over", "err", err)
		}
		return err
	}
	if n := len(st.Skipped); n > 0 {
		p := st.Skipped[n-1].Problem
		st.Problem = &p
	}
	c.log.Info("ringcentral catch-up: done", "elapsed", st.Finished.Sub(st.Started).Round(time.Millisecond),
		"merged", st.Merged, "changed", st.Changed, "skipped", len(st.Skipped))
	return nil
}

// progress changes the status under the lock.
func (c *CatchUp) progress(f func(st *Status)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f(&c.status)
}
