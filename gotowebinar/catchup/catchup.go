// Package catchup pulls from GoTo's REST API what webhooks could not
// bring (the laptop slept, the tunnel was down, the app was not running),
// merged with what webhooks delivered (store/merge.go), in steps across
// all webinars (work.go): the webinars in a window around today; every
// webinar's registrant listing; who attended each webinar's sessions; and
// last, one by one, the registrants we know no more of than the listing
// says, the nearest webinars first. So a first sync shows everyone
// registered and who attended within seconds, and the slow part fills in
// afterwards. It runs at start, after login, every Config.Every and on
// "Sync now". Its progress is kept in the store after every step, so a
// sync cut short (quit, crash, network gone) resumes where it stopped
// instead of asking GoTo again. It also makes the registrant changes an
// organizer asks for (registrants.go). It reports typed states; ui words
// them.
package catchup

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"webinarsync/gotowebinar"
	"webinarsync/gotowebinar/login"
	"webinarsync/store"
)

// Window tunes the sync. The zero value is what the app uses.
type Window struct {
	Past    time.Duration // how far back webinars are synced; 0 = 90 days
	Future  time.Duration // how far ahead; 0 = 365 days
	Every   time.Duration // between syncs while running; 0 = 15 minutes
	Workers int           // requests in flight at once; 0 = 4
	Manual  bool          // no sync at start or on a timer: only "Sync now" and login (tests)
}

func (w Window) withDefaults() Window {
	w.Past = cmp.Or(w.Past, 90*24*time.Hour)
	w.Future = cmp.Or(w.Future, 365*24*time.Hour)
	w.Every = cmp.Or(w.Every, 15*time.Minute)
	w.Workers = cmp.Or(w.Workers, 4)
	return w
}

// Settings the sync keeps in the store.
const (
	settingRun  = "sync.run"  // run of the sync in progress, as JSON
	settingLast = "sync.last" // Outcome of the last sync that ended, as JSON
)

// resumeWithin is how old an interrupted sync may be and still be resumed;
// an older one starts over, since much will have changed at GoTo.
const resumeWithin = 24 * time.Hour

// ErrNoOrganizerKey: logged in, but GoTo did not say who the organizer
// is, so there is nothing to ask GoTo for.
var ErrNoOrganizerKey = errors.New("GoTo's login did not name the organizer key")

// Login is the GoTo login as the sync needs it.
type Login interface {
	State() login.State
	OrganizerKey() (gotowebinar.Key, bool)
}

// Config is what New needs.
type Config struct {
	Store  *store.Store
	Client *gotowebinar.Client
	Login  Login
	Logins <-chan struct{} // a signal after every login; nil: none
	Logger *slog.Logger    // nil: discard
	Window Window
	Now    func() time.Time // nil: time.Now
}

// CatchUp is the catch-up sync of one GoTo account into the store.
type CatchUp struct {
	store  *store.Store
	client *gotowebinar.Client
	login  Login
	logins <-chan struct{}
	log    *slog.Logger
	cfg    Window
	now    func() time.Time

	wake  chan struct{} // "Sync now"
	runMu sync.Mutex    // one sync at a time

	requests atomic.Int64 // this attempt's requests; the Client counts them

	mu          sync.Mutex // guards status, the run being synced and detailsDone
	status      Status
	run         *run
	detailsDone int // registrants of the run's details step asked for (it saves a webinar at a time)
}

// New builds a CatchUp, with the last sync's outcome from the store.
func New(c Config) *CatchUp {
	cu := &CatchUp{
		store: c.Store, client: c.Client, login: c.Login, logins: c.Logins,
		log: cmp.Or(c.Logger, slog.New(slog.DiscardHandler)), cfg: c.Window.withDefaults(),
		now: c.Now, wake: make(chan struct{}, 1),
	}
	if cu.now == nil {
		cu.now = time.Now
	}
	var last Outcome
	if ok, err := cu.store.SettingJSON(settingLast, &last); err == nil && ok {
		// As before a restart: its start and what went wrong, not only the outcome.
		cu.status.Last, cu.status.Started, cu.status.Problem = &last, last.Started, last.Problem
	}
	return cu
}

// SyncNow starts a sync unless one is running, and returns at once.
func (c *CatchUp) SyncNow() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// Run syncs at start, after each login, every Window.Every and on
// SyncNow, until ctx ends.
func (c *CatchUp) Run(ctx context.Context) {
	timer := time.NewTimer(0)
	if c.cfg.Manual {
		timer.Stop()
	}
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.wake:
		case <-c.logins:
		case <-timer.C:
		}
		_ = c.Sync(ctx) // the status says how it went
		if ctx.Err() != nil {
			return
		}
		if !c.cfg.Manual {
			timer.Reset(c.cfg.Every)
			c.mu.Lock()
			c.status.Next = c.now().Add(c.cfg.Every)
			c.mu.Unlock()
		}
	}
}

// Sync runs one sync to its end, resuming an interrupted one, and returns
// what stopped it early, if anything.
func (c *CatchUp) Sync(ctx context.Context) error {
	c.runMu.Lock()
	defer c.runMu.Unlock()
	org, ok := c.login.OrganizerKey()
	if !ok {
		err := gotowebinar.ErrNotLoggedIn
		if c.login.State().Status != login.LoggedOut {
			err = ErrNoOrganizerKey
		}
		c.mu.Lock()
		c.status.Problem = nil
		c.mu.Unlock()
		return err
	}
	r, resumed := c.loadRun(org)
	c.requests.Store(0)
	c.mu.Lock()
	c.run, c.detailsDone = r, 0
	c.status.Running, c.status.Resumed = true, resumed
	c.status.Started, c.status.Phase, c.status.Problem = c.now(), Phase{}, nil
	c.mu.Unlock()
	if resumed {
		c.log.Info("sync: resuming an interrupted sync", "started", r.Started, "webinars", len(r.Webinars),
			"registrantsListed", len(r.Registrants), "attendanceMerged", len(r.Attendance), "detailed", len(r.Detailed))
	}
	err := c.sync(gotowebinar.CountRequests(ctx, &c.requests), org, r)
	c.finish(ctx, r, err)
	return err
}

// finish records how a sync ended: its progress to resume from, or its
// outcome.
func (c *CatchUp) finish(ctx context.Context, r *run, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	started, at := c.status.Started, c.status.Phase.Step
	out := Outcome{Step: at}
	for _, p := range c.stepsLocked(r) {
		if p.Step == at {
			out.StepDone, out.StepTotal = p.Done, p.Total
		}
	}
	c.status.Running, c.status.Phase, c.run = false, Phase{}, nil
	requests := c.requests.Load()
	r.Requests += requests
	out.Started, out.Finished, out.Tally, out.Requests = started, c.now(), r.Tally, requests
	out.Elapsed, out.Errors, out.WebinarsDone, out.WebinarsTotal = c.now().Sub(started), r.Errors, len(r.Detailed), len(r.Webinars)
	if err != nil {
		p := Trouble{Problem: gotowebinar.Classify(err)}
		r.Problem = &p
		c.status.Problem = r.Problem
		if serr := c.saveRunLocked(r); serr != nil {
			c.log.Error("sync: saving its progress", "err", serr)
		}
		if ctx.Err() != nil {
			return // an app stopping is not news
		}
		c.log.Warn("sync: stopped early; the next sync resumes it", "err", err)
		out.Stopped, out.Problem = true, r.Problem
		c.saveOutcomeLocked(out)
		return
	}
	if r.Problem != nil && r.Problem.Item == WholeSync {
		r.Problem = nil // what stopped an earlier attempt is over now
	}
	out.Step, out.StepDone, out.StepTotal = Idle, 0, 0 // it went through them all
	out.OK, out.Problem = r.Errors == 0, r.Problem
	c.status.Problem = r.Problem
	c.saveOutcomeLocked(out)
	if serr := c.store.SetSetting(settingRun, ""); serr != nil {
		c.log.Error("sync: clearing its progress", "err", serr)
	}
	c.log.Info("sync: done", "webinars", len(r.Webinars), "requests", requests, "elapsed", out.Elapsed.Round(time.Millisecond),
		"perSecond", fmt.Sprintf("%.2f", float64(requests)/max(out.Elapsed.Seconds(), 0.001)), "errors", r.Errors)
}

func (c *CatchUp) saveOutcomeLocked(out Outcome) {
	c.status.Last, c.status.Finished = &out, out.Finished
	if err := c.store.SetSettingJSON(settingLast, out); err != nil {
		c.log.Error("sync: saving its result", "err", err)
	}
}

// loadRun returns the interrupted sync of this organizer to resume, or a
// new one over the window around now.
func (c *CatchUp) loadRun(org gotowebinar.Key) (*run, bool) {
	now := c.now()
	var r run
	ok, err := c.store.SettingJSON(settingRun, &r)
	switch {
	case err != nil:
		c.log.Warn("sync: the saved progress is unreadable; starting over", "err", err)
	case ok && r.Version != runVersion:
		// An older version's progress (see runVersion): starting over.
		c.log.Info("sync: the saved progress is an older version's; starting over", "version", r.Version)
	case ok && r.Organizer == string(org) && now.Sub(r.Started) < resumeWithin:
		if r.Need == nil {
			r.Need = map[string][]string{}
		}
		if r.Sessions == nil {
			r.Sessions = map[string]*sessionsProgress{}
		}
		return &r, true
	}
	return &run{
		Version: runVersion, Organizer: string(org), Started: now,
		From: now.Add(-c.cfg.Past).UTC().Truncate(time.Second), To: now.Add(c.cfg.Future).UTC().Truncate(time.Second),
		Need: map[string][]string{}, Sessions: map[string]*sessionsProgress{},
	}, false
}

func (c *CatchUp) saveRunLocked(r *run) error {
	if err := c.store.SetSettingJSON(settingRun, r); err != nil {
		return fmt.Errorf("saving the sync's progress: %w", err)
	}
	return nil
}

// update changes the run under the lock and saves it.
func (c *CatchUp) update(r *run, f func()) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	f()
	return c.saveRunLocked(r)
}

// phase says which step the sync is in.
func (c *CatchUp) phase(s Step) {
	c.mu.Lock()
	c.status.Phase = Phase{Step: s}
	c.mu.Unlock()
}

// working says which webinar the step works on now.
func (c *CatchUp) working(key, title string) {
	c.mu.Lock()
	c.status.Phase.Webinar, c.status.Phase.WebinarKey = title, key
	c.mu.Unlock()
}

// noteError counts an error that spoils one item, not the sync.
func (c *CatchUp) noteError(r *run, t Trouble, err error) {
	c.log.Warn("sync: an item could not be synced", "item", t.Item, "webinar", t.Webinar, "registrant", t.Registrant, "err", err)
	t.Problem = gotowebinar.Classify(err)
	c.mu.Lock()
	defer c.mu.Unlock()
	r.Errors++
	r.Problem = &t
}
