package app

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"webinarsync/gotowebinar"
	"webinarsync/store"
	"webinarsync/ui"
)

// The catch-up sync pulls from GoTo's REST API what webhooks could not
// bring (the laptop slept, the tunnel was down, the app was not running):
// the webinars in a window around today, their registrants (the listing,
// then one by one only those we know no more of than the listing says),
// and the attendance of their sessions; and merges it with what webhooks
// delivered (store/merge.go). It runs at start, after login, every
// SyncConfig.Every and on "Sync now". Its progress is kept in the store
// after every step, so a sync cut short (quit, crash, network gone)
// resumes where it stopped instead of asking GoTo again.

// SyncConfig tunes the catch-up sync. The zero value is what the app uses.
type SyncConfig struct {
	Past    time.Duration // how far back webinars are synced; 0 = 90 days
	Future  time.Duration // how far ahead; 0 = 365 days
	Every   time.Duration // between syncs while running; 0 = 15 minutes
	Workers int           // requests in flight at once; 0 = 4
	Manual  bool          // no sync at start or on a timer: only "Sync now" and login (tests)
}

func (c SyncConfig) withDefaults() SyncConfig {
	c.Past = cmp.Or(c.Past, 90*24*time.Hour)
	c.Future = cmp.Or(c.Future, 365*24*time.Hour)
	c.Every = cmp.Or(c.Every, 15*time.Minute)
	c.Workers = cmp.Or(c.Workers, 4)
	return c
}

// Settings the sync keeps in the store.
const (
	settingSyncRun  = "sync.run"  // syncRun of the sync in progress, as JSON
	settingSyncLast = "sync.last" // syncOutcome of the last sync that ended, as JSON
)

// resumeWithin is how old an interrupted sync may be and still be resumed;
// an older one starts over, since much will have changed at GoTo.
const resumeWithin = 24 * time.Hour

// syncRun is a sync's progress, saved after every step.
type syncRun struct {
	Organizer string                      `json:"organizer"`
	Started   time.Time                   `json:"started"`
	From      time.Time                   `json:"from"`
	To        time.Time                   `json:"to"`
	Listed    bool                        `json:"listed"`   // the window's webinars are listed and merged
	Webinars  []string                    `json:"webinars"` // their keys, in GoTo's order
	Done      []string                    `json:"done"`     // webinars synced completely
	Partial   map[string]*webinarProgress `json:"partial"`  // webinars begun
	Requests  int64                       `json:"requests"` // by earlier attempts at this run
	Errors    int                         `json:"errors"`
	Problem   string                      `json:"problem,omitempty"` // the latest error, in words
	Tally     syncTally                   `json:"tally"`
}

// webinarProgress is how far a webinar got.
type webinarProgress struct {
	Registrants    bool                  `json:"registrants"`        // the listing is merged
	Listed         []string              `json:"listed,omitempty"`   // registrant keys it listed, until details are done
	Details        bool                  `json:"details"`            // registrants we lacked are fetched one by one
	SessionsListed bool                  `json:"sessionsListed"`     // sessions are listed
	Sessions       []gotowebinar.Session `json:"sessions,omitempty"` // …these
	Attended       []string              `json:"attended,omitempty"` // sessions whose attendees are merged
}

// syncTally counts what a sync found, for its result in words.
type syncTally struct {
	Webinars, NewWebinars       int
	Registrants, NewRegistrants int
	Details                     int
	Sessions                    int
}

// syncOutcome is how the last sync ended.
type syncOutcome struct {
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
	OK       bool      `json:"ok"`
	Result   string    `json:"result"`
	Problem  string    `json:"problem,omitempty"`
}

// catchUp is the catch-up sync of one GoTo account into the store. It
// implements ui.Syncer.
type catchUp struct {
	store *store.Store
	acct  *goToAccount
	log   *slog.Logger
	cfg   SyncConfig
	now   func() time.Time

	wake  chan struct{} // "Sync now"
	runMu sync.Mutex    // one sync at a time

	requests atomic.Int64 // this attempt's requests; the Client counts them

	mu     sync.Mutex // guards status and the run being synced
	status ui.SyncStatus
	run    *syncRun
}

func newCatchUp(st *store.Store, acct *goToAccount, log *slog.Logger, cfg SyncConfig) *catchUp {
	c := &catchUp{store: st, acct: acct, log: log, cfg: cfg.withDefaults(), now: time.Now, wake: make(chan struct{}, 1)}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if raw, err := st.Setting(settingSyncLast); err == nil && raw != "" {
		var last syncOutcome
		if json.Unmarshal([]byte(raw), &last) == nil {
			c.status.Started, c.status.Finished = last.Started, last.Finished
			c.status.LastOK, c.status.LastResult, c.status.Problem = last.OK, last.Result, last.Problem
		}
	}
	return c
}

// SyncStatus is the sync's progress and last result.
func (c *catchUp) SyncStatus() ui.SyncStatus {
	_, ok := c.acct.organizerKey()
	c.mu.Lock()
	defer c.mu.Unlock()
	st := c.status
	st.Available = ok
	if st.Running {
		st.Requests = c.requests.Load()
		if c.run != nil {
			st.WebinarsTotal, st.WebinarsDone, st.Errors = len(c.run.Webinars), len(c.run.Done), c.run.Errors
		}
	}
	return st
}

// SyncNow starts a sync unless one is running.
func (c *catchUp) SyncNow() { c.acct.kick(c.wake) }

// Run syncs at start, after each login, every cfg.Every and on SyncNow,
// until ctx ends.
func (c *catchUp) Run(ctx context.Context) {
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
		case <-c.acct.login:
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
func (c *catchUp) Sync(ctx context.Context) error {
	c.runMu.Lock()
	defer c.runMu.Unlock()
	org, ok := c.acct.organizerKey()
	if !ok {
		c.mu.Lock()
		c.status.Problem = ""
		if c.acct.loggedIn() {
			c.status.Problem = "GoTo's login did not name your organizer key, so there is nothing to sync: log out and in again."
		}
		c.mu.Unlock()
		return errNotLoggedIn
	}
	run, resumed := c.loadRun(org)
	c.requests.Store(0)
	c.mu.Lock()
	c.run = run
	c.status.Running, c.status.Resumed = true, resumed
	c.status.Started, c.status.Phase, c.status.Problem = c.now(), "", ""
	c.mu.Unlock()
	if resumed {
		c.log.Info("sync: resuming an interrupted sync", "started", run.Started, "webinarsDone", len(run.Done), "of", len(run.Webinars))
	}

	err := c.sync(gotowebinar.CountRequests(ctx, &c.requests), org, run)

	c.mu.Lock()
	defer c.mu.Unlock()
	started := c.status.Started
	c.status.Running, c.status.Phase, c.run = false, "", nil
	requests := c.requests.Load()
	run.Requests += requests
	if err != nil {
		run.Problem = syncProblemWords(err)
		if ctx.Err() == nil {
			c.log.Warn("sync: stopped early; the next sync resumes it", "err", err)
		}
		c.status.Problem = run.Problem
		if serr := c.saveRunLocked(run); serr != nil {
			c.log.Error("sync: saving its progress", "err", serr)
		}
		if ctx.Err() == nil {
			// Shown until a sync gets through; an app stopping is not news.
			c.finishLocked(syncOutcome{Started: started, Finished: c.now(), Result: "Stopped early: " + run.Problem +
				fmt.Sprintf(" %s of %s webinars were done; the next sync continues from there.", num(len(run.Done)), num(len(run.Webinars)))})
		}
		return err
	}
	elapsed := c.now().Sub(started)
	out := syncOutcome{Started: started, Finished: c.now(), OK: run.Errors == 0, Result: resultWords(run, requests, elapsed), Problem: run.Problem}
	c.status.Problem = run.Problem
	c.finishLocked(out)
	if serr := c.store.SetSetting(settingSyncRun, ""); serr != nil {
		c.log.Error("sync: clearing its progress", "err", serr)
	}
	c.log.Info("sync: done", "webinars", len(run.Webinars), "requests", requests, "elapsed", elapsed.Round(time.Millisecond),
		"perSecond", fmt.Sprintf("%.2f", float64(requests)/max(elapsed.Seconds(), 0.001)), "errors", run.Errors)
	return nil
}

func (c *catchUp) finishLocked(out syncOutcome) {
	c.status.Finished, c.status.LastOK, c.status.LastResult = out.Finished, out.OK, out.Result
	b, err := json.Marshal(out)
	if err == nil {
		err = c.store.SetSetting(settingSyncLast, string(b))
	}
	if err != nil {
		c.log.Error("sync: saving its result", "err", err)
	}
}

// loadRun returns the interrupted sync of this organizer to resume, or a
// new one over the window around now.
func (c *catchUp) loadRun(org gotowebinar.Key) (*syncRun, bool) {
	now := c.now()
	if raw, err := c.store.Setting(settingSyncRun); err == nil && raw != "" {
		var run syncRun
		if err := json.Unmarshal([]byte(raw), &run); err != nil {
			c.log.Warn("sync: the saved progress is unreadable; starting over", "err", err)
		} else if run.Organizer == string(org) && now.Sub(run.Started) < resumeWithin {
			if run.Partial == nil {
				run.Partial = map[string]*webinarProgress{}
			}
			return &run, true
		}
	}
	return &syncRun{
		Organizer: string(org), Started: now,
		From: now.Add(-c.cfg.Past).UTC().Truncate(time.Second), To: now.Add(c.cfg.Future).UTC().Truncate(time.Second),
		Partial: map[string]*webinarProgress{},
	}, false
}

// save keeps the run's progress in the store.
func (c *catchUp) save(run *syncRun) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.saveRunLocked(run)
}

func (c *catchUp) saveRunLocked(run *syncRun) error {
	b, err := json.Marshal(run)
	if err != nil {
		return fmt.Errorf("saving the sync's progress: %w", err)
	}
	return c.store.SetSetting(settingSyncRun, string(b))
}

// update changes the run under the lock and saves it.
func (c *catchUp) update(run *syncRun, f func()) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	f()
	return c.saveRunLocked(run)
}

func (c *catchUp) phase(words string) {
	c.mu.Lock()
	c.status.Phase = words
	c.mu.Unlock()
}

// noteError counts an error that spoils one item, not the sync.
func (c *catchUp) noteError(run *syncRun, what string, err error) {
	c.log.Warn("sync: "+what, "err", err)
	c.mu.Lock()
	defer c.mu.Unlock()
	run.Errors++
	run.Problem = strings.TrimSuffix(what, ".") + ": " + syncProblemWords(err)
}

func (c *catchUp) sync(ctx context.Context, org gotowebinar.Key, run *syncRun) error {
	client := c.acct.client
	if !run.Listed {
		c.phase("Listing your webinars at GoTo")
		ws, err := client.ListWebinars(ctx, org, run.From, run.To)
		if err != nil {
			return err
		}
		res, err := c.store.MergeWebinars(ws, c.now())
		if err != nil {
			return err
		}
		err = c.update(run, func() {
			run.Webinars = run.Webinars[:0]
			for _, w := range ws {
				run.Webinars = append(run.Webinars, string(w.WebinarKey))
			}
			run.Listed = true
			run.Tally.Webinars, run.Tally.NewWebinars = len(ws), res.Added
		})
		if err != nil {
			return err
		}
	}
	var todo []string
	c.mu.Lock()
	for _, key := range run.Webinars {
		if !slices.Contains(run.Done, key) {
			todo = append(todo, key)
		}
	}
	c.mu.Unlock()
	// Two webinars at once: while one waits for an answer it needs before
	// going on (its first page, its sessions), the other's requests use
	// the rate GoTo allows.
	return each(ctx, min(2, c.cfg.Workers), todo, func(ctx context.Context, key string) error {
		err := c.syncWebinar(ctx, org, run, key)
		switch {
		case err == nil:
		case isolated(err) && ctx.Err() == nil:
			// GoTo refused this webinar only (cancelled meanwhile, say).
			c.noteError(run, "Webinar "+c.title(key)+" could not be synced", err)
		default:
			return err
		}
		return c.update(run, func() {
			run.Done = append(run.Done, key)
			delete(run.Partial, key)
		})
	})
}

func (c *catchUp) syncWebinar(ctx context.Context, org gotowebinar.Key, run *syncRun, key string) error {
	c.mu.Lock()
	p := run.Partial[key]
	if p == nil {
		p = &webinarProgress{}
		run.Partial[key] = p
	}
	c.mu.Unlock()
	title := c.title(key)

	if !p.Registrants {
		c.phase("Registrants of " + title)
		listed, added, err := c.listRegistrants(ctx, org, key)
		if err != nil {
			return err
		}
		err = c.update(run, func() {
			p.Registrants, p.Listed = true, listed
			run.Tally.Registrants += len(listed)
			run.Tally.NewRegistrants += added
		})
		if err != nil {
			return err
		}
	}

	if !p.Details {
		need, err := c.store.NeedsDetail(key, p.Listed)
		if err != nil {
			return err
		}
		var fetched atomic.Int64
		c.phase(fmt.Sprintf("Registration details of %s: 0 of %s", title, num(len(need))))
		err = each(ctx, c.cfg.Workers, need, func(ctx context.Context, regKey string) error {
			r, err := c.acct.client.GetRegistrant(ctx, org, gotowebinar.Key(key), gotowebinar.Key(regKey))
			switch {
			case gotowebinar.IsNotFound(err):
				// Cancelled since the listing: nothing more to learn.
				err = c.store.MarkDetailed(key, regKey, c.now())
			case isolated(err) && ctx.Err() == nil:
				c.noteError(run, "Registrant "+regKey+" of "+title+" could not be read", err)
				err = nil
			case err == nil:
				_, err = c.store.MergeRegistrants(key, []gotowebinar.Registrant{r}, c.now(), true)
			}
			if err == nil {
				c.phase(fmt.Sprintf("Registration details of %s: %s of %s", title, num(int(fetched.Add(1))), num(len(need))))
			}
			return err
		})
		if err != nil {
			return err
		}
		err = c.update(run, func() {
			p.Details, p.Listed = true, nil
			run.Tally.Details += len(need)
		})
		if err != nil {
			return err
		}
	}

	if !p.SessionsListed {
		var sessions []gotowebinar.Session
		if c.started(key) {
			c.phase("Sessions of " + title)
			var err error
			if sessions, err = c.acct.client.ListSessions(ctx, org, gotowebinar.Key(key)); err != nil {
				return err
			}
		}
		err := c.update(run, func() { p.SessionsListed, p.Sessions = true, sessions })
		if err != nil {
			return err
		}
	}

	var todo []gotowebinar.Session
	c.mu.Lock()
	for _, s := range p.Sessions {
		if !slices.Contains(p.Attended, string(s.SessionKey)) {
			todo = append(todo, s)
		}
	}
	c.mu.Unlock()
	if len(todo) > 0 {
		c.phase("Attendance of " + title)
	}
	return each(ctx, c.cfg.Workers, todo, func(ctx context.Context, s gotowebinar.Session) error {
		attendees, err := c.acct.client.ListSessionAttendees(ctx, org, gotowebinar.Key(key), s.SessionKey)
		switch {
		case isolated(err) && ctx.Err() == nil:
			c.noteError(run, "The attendance of a session of "+title+" could not be read", err)
		case err != nil:
			return err
		default:
			if err := c.store.MergeSessionAttendance(key, s, attendees, c.now()); err != nil {
				return err
			}
		}
		return c.update(run, func() {
			p.Attended = append(p.Attended, string(s.SessionKey))
			run.Tally.Sessions++
		})
	})
}

// listRegistrants lists a webinar's registrants page by page (the first,
// then the rest at once), merging each page as it comes, and returns the
// keys GoTo listed and how many were new.
func (c *catchUp) listRegistrants(ctx context.Context, org gotowebinar.Key, key string) ([]string, int, error) {
	client := c.acct.client
	limit := client.PageSize()
	var mu sync.Mutex
	var keys []string
	added := 0
	merge := func(p gotowebinar.RegistrantPage) error {
		res, err := c.store.MergeRegistrants(key, p.Registrants, c.now(), false)
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		added += res.Added
		for _, r := range p.Registrants {
			keys = append(keys, string(r.RegistrantKey))
		}
		return nil
	}
	first, err := client.RegistrantsPage(ctx, org, gotowebinar.Key(key), 0, limit)
	if err != nil {
		return nil, 0, err
	}
	if err := merge(first); err != nil {
		return nil, 0, err
	}
	if !first.LastPage(0, limit) {
		size := cmp.Or(first.Limit, limit)
		var pages []int
		for n := 1; n*size < first.Total; n++ {
			pages = append(pages, n)
		}
		err := each(ctx, c.cfg.Workers, pages, func(ctx context.Context, n int) error {
			p, err := client.RegistrantsPage(ctx, org, gotowebinar.Key(key), n, size)
			if err != nil {
				return err
			}
			return merge(p)
		})
		if err != nil {
			return nil, 0, err
		}
	}
	// Someone registering while we paged shifts the rest: listed twice.
	slices.Sort(keys)
	return slices.Compact(keys), added, nil
}

// title names a webinar for the progress, from the store.
func (c *catchUp) title(key string) string {
	if w, err := c.store.Webinar(key); err == nil && w.Title != "" {
		return "“" + w.Title + "”"
	}
	return "webinar " + key
}

// started reports whether a webinar's first session has begun: before
// then GoTo has no sessions to list.
func (c *catchUp) started(key string) bool {
	w, err := c.store.Webinar(key)
	if err != nil || w.StartTime.IsZero() {
		return true // not known: ask
	}
	return !w.StartTime.After(c.now())
}

// each runs fn on every item with at most n at once. It starts no more
// after the first error or when ctx ends, and returns that error.
func each[T any](ctx context.Context, n int, items []T, fn func(context.Context, T) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	sem := make(chan struct{}, max(n, 1))
	var wg sync.WaitGroup
	for _, it := range items {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := fn(ctx, it); err != nil {
				cancel(err)
			}
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return ctx.Err()
}

// isolated reports whether err spoils one item only: GoTo refused that
// request (a 4xx other than a refused token or its rate limit), or its
// answer could not be read. Anything else (the network, GoTo down, the
// login, the disk) stops the sync, to be resumed.
func isolated(err error) bool {
	var apiErr *gotowebinar.APIError
	if errors.As(err, &apiErr) {
		return apiErr.Status >= 400 && apiErr.Status < 500 && !apiErr.InvalidToken() && apiErr.Status != http.StatusTooManyRequests
	}
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	return errors.As(err, &syntaxErr) || errors.As(err, &typeErr)
}

// syncProblemWords says what stopped or spoiled a sync, for organizers.
func syncProblemWords(err error) string {
	var apiErr *gotowebinar.APIError
	var netErr net.Error
	var urlErr *url.Error
	switch {
	case errors.Is(err, context.Canceled):
		return "The sync was interrupted (webinarsync stopped)."
	case errors.Is(err, errNotLoggedIn):
		return "Not logged in to GoTo."
	case errors.Is(err, gotowebinar.ErrLoginExpired), gotowebinar.IsInvalidToken(err):
		return "Your GoTo session expired: log in again."
	case errors.As(err, &apiErr):
		reason := cmp.Or(apiErr.Message, apiErr.Code, http.StatusText(apiErr.Status))
		switch {
		case apiErr.Status == http.StatusTooManyRequests:
			return "GoTo kept asking us to slow down (too many requests); the next sync continues."
		case apiErr.Status >= 500:
			return fmt.Sprintf("GoTo had a problem on its side (HTTP %d); the next sync continues.", apiErr.Status)
		case apiErr.Status == http.StatusNotFound:
			return "GoTo no longer has it (deleted or cancelled)."
		case apiErr.Status == http.StatusForbidden:
			return "GoTo refused: your account may not be allowed to read this (" + reason + ")."
		}
		return "GoTo refused: " + reason + "."
	case errors.Is(err, context.DeadlineExceeded):
		return "GoTo did not answer in time; the next sync continues."
	case errors.As(err, &urlErr), errors.As(err, &netErr):
		return "Could not reach GoTo: check this computer's internet connection. The next sync continues."
	case isolated(err):
		return "GoTo's answer was not what we expected; details are in the log."
	}
	return "Something went wrong; details are in the log."
}

// resultWords says what a sync found, in a sentence.
func resultWords(run *syncRun, requests int64, elapsed time.Duration) string {
	t := run.Tally
	var b strings.Builder
	fmt.Fprintf(&b, "%s", plural(t.Webinars, "webinar", "webinars"))
	if t.NewWebinars > 0 {
		fmt.Fprintf(&b, " (%s new)", num(t.NewWebinars))
	}
	fmt.Fprintf(&b, ", %s listed", plural(t.Registrants, "registrant", "registrants"))
	if t.NewRegistrants > 0 {
		fmt.Fprintf(&b, " (%s new)", num(t.NewRegistrants))
	}
	if t.Details > 0 {
		fmt.Fprintf(&b, ", %s completed one by one", num(t.Details))
	}
	if t.Sessions > 0 {
		fmt.Fprintf(&b, ", attendance of %s", plural(t.Sessions, "session", "sessions"))
	}
	fmt.Fprintf(&b, "; %s to GoTo in %s", plural(int(requests), "request", "requests"), elapsed.Round(time.Second))
	if s := elapsed.Seconds(); s >= 1 && requests > 0 {
		fmt.Fprintf(&b, " (%.1f/s)", float64(requests)/s)
	}
	b.WriteString(".")
	if run.Errors > 0 {
		fmt.Fprintf(&b, " %s; the last: %s", plural(run.Errors, "error", "errors"), run.Problem)
	}
	return b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return num(n) + " " + many
}

// num writes n with thousands separators, as the UI does.
func num(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + num(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// organizerKey is the logged-in organizer's key; ok is false when nobody
// is logged in or GoTo's login did not name it.
func (a *goToAccount) organizerKey() (gotowebinar.Key, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.identity.OrganizerKey, a.tokens != nil && a.identity.OrganizerKey != ""
}

func (a *goToAccount) loggedIn() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.tokens != nil
}
