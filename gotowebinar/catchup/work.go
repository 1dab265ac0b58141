package catchup

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/errgroup"

	"webinarsync/gotowebinar"
)

func (c *CatchUp) sync(ctx context.Context, org gotowebinar.Key, r *run) error {
	if !r.Listed {
		if err := c.listWebinars(ctx, org, r); err != nil {
			return err
		}
	}
	var todo []string
	c.mu.Lock()
	for _, key := range r.Webinars {
		if !slices.Contains(r.Done, key) {
			todo = append(todo, key)
		}
	}
	c.mu.Unlock()
	// Two webinars at once: while one waits for an answer it needs before
	// going on (its first page, its sessions), the other's requests use
	// the rate GoTo allows.
	return each(ctx, min(2, c.cfg.Workers), todo, func(ctx context.Context, key string) error {
		err := c.syncWebinar(ctx, org, r, key)
		switch {
		case err == nil:
		case gotowebinar.Isolated(err) && ctx.Err() == nil:
			// GoTo refused this webinar only (cancelled meanwhile, say).
			c.noteError(r, Trouble{Item: WebinarItem, Webinar: c.title(key), WebinarKey: key}, err)
		default:
			return err
		}
		return c.update(r, func() {
			r.Done = append(r.Done, key)
			delete(r.Partial, key)
		})
	})
}

// listWebinars lists and merges the window's webinars.
func (c *CatchUp) listWebinars(ctx context.Context, org gotowebinar.Key, r *run) error {
	c.phase(Phase{Step: ListWebinars})
	ws, err := c.client.ListWebinars(ctx, org, r.From, r.To)
	if err != nil {
		return err
	}
	res, err := c.store.MergeWebinars(ws, c.now())
	if err != nil {
		return err
	}
	return c.update(r, func() {
		r.Webinars = r.Webinars[:0]
		for _, w := range ws {
			r.Webinars = append(r.Webinars, string(w.WebinarKey))
		}
		r.Listed = true
		r.Tally.Webinars, r.Tally.NewWebinars = len(ws), res.Added
	})
}

// syncWebinar takes one webinar through the steps it has not done yet.
func (c *CatchUp) syncWebinar(ctx context.Context, org gotowebinar.Key, r *run, key string) error {
	c.mu.Lock()
	p := r.Partial[key]
	if p == nil {
		p = &webinarProgress{}
		r.Partial[key] = p
	}
	c.mu.Unlock()
	w := webinarJob{c: c, org: org, r: r, p: p, key: key, title: c.title(key)}
	for _, step := range []func(context.Context) error{w.registrants, w.details, w.sessions, w.attendance} {
		if err := step(ctx); err != nil {
			return err
		}
	}
	return nil
}

// webinarJob is one webinar's sync, step by step.
type webinarJob struct {
	c          *CatchUp
	org        gotowebinar.Key
	r          *run
	p          *webinarProgress
	key, title string
}

func (w webinarJob) registrants(ctx context.Context) error {
	if w.p.Registrants {
		return nil
	}
	w.c.phase(Phase{Step: ListRegistrants, Webinar: w.title, WebinarKey: w.key})
	listed, added, err := w.c.listRegistrants(ctx, w.org, w.key)
	if err != nil {
		return err
	}
	return w.c.update(w.r, func() {
		w.p.Registrants, w.p.Listed = true, listed
		w.r.Tally.Registrants += len(listed)
		w.r.Tally.NewRegistrants += added
	})
}

// details fetches one by one the registrants the listing told us too
// little of.
func (w webinarJob) details(ctx context.Context) error {
	if w.p.Details {
		return nil
	}
	c := w.c
	need, err := c.store.NeedsDetail(w.key, w.p.Listed)
	if err != nil {
		return err
	}
	var fetched atomic.Int64
	c.phase(Phase{Step: Details, Webinar: w.title, WebinarKey: w.key, Total: len(need)})
	err = each(ctx, c.cfg.Workers, need, func(ctx context.Context, regKey string) error {
		r, err := c.client.GetRegistrant(ctx, w.org, gotowebinar.Key(w.key), gotowebinar.Key(regKey))
		switch {
		case gotowebinar.IsNotFound(err):
			// Cancelled since the listing: nothing more to learn.
			err = c.store.MarkDetailed(w.key, regKey, c.now())
		case gotowebinar.Isolated(err) && ctx.Err() == nil:
			c.noteError(w.r, Trouble{Item: RegistrantItem, Webinar: w.title, WebinarKey: w.key, Registrant: regKey}, err)
			err = nil
		case err == nil:
			_, err = c.store.MergeRegistrants(w.key, []gotowebinar.Registrant{r}, c.now(), true)
		}
		if err == nil {
			c.phase(Phase{Step: Details, Webinar: w.title, WebinarKey: w.key, Done: int(fetched.Add(1)), Total: len(need)})
		}
		return err
	})
	if err != nil {
		return err
	}
	return c.update(w.r, func() {
		w.p.Details, w.p.Listed = true, nil
		w.r.Tally.Details += len(need)
	})
}

func (w webinarJob) sessions(ctx context.Context) error {
	if w.p.SessionsListed {
		return nil
	}
	var sessions []gotowebinar.Session
	if w.c.started(w.key) {
		w.c.phase(Phase{Step: ListSessions, Webinar: w.title, WebinarKey: w.key})
		var err error
		if sessions, err = w.c.client.ListSessions(ctx, w.org, gotowebinar.Key(w.key)); err != nil {
			return err
		}
	}
	return w.c.update(w.r, func() { w.p.SessionsListed, w.p.Sessions = true, sessions })
}

func (w webinarJob) attendance(ctx context.Context) error {
	c := w.c
	var todo []gotowebinar.Session
	c.mu.Lock()
	for _, s := range w.p.Sessions {
		if !slices.Contains(w.p.Attended, string(s.SessionKey)) {
			todo = append(todo, s)
		}
	}
	c.mu.Unlock()
	if len(todo) > 0 {
		c.phase(Phase{Step: Attendance, Webinar: w.title, WebinarKey: w.key})
	}
	return each(ctx, c.cfg.Workers, todo, func(ctx context.Context, s gotowebinar.Session) error {
		attendees, err := c.client.ListSessionAttendees(ctx, w.org, gotowebinar.Key(w.key), s.SessionKey)
		switch {
		case gotowebinar.Isolated(err) && ctx.Err() == nil:
			c.noteError(w.r, Trouble{Item: AttendanceItem, Webinar: w.title, WebinarKey: w.key}, err)
		case err != nil:
			return err
		default:
			if err := c.store.MergeSessionAttendance(w.key, s, attendees, c.now()); err != nil {
				return err
			}
		}
		return c.update(w.r, func() {
			w.p.Attended = append(w.p.Attended, string(s.SessionKey))
			w.r.Tally.Sessions++
		})
	})
}

// listRegistrants lists a webinar's registrants page by page (the first,
// then the rest at once), merging each page as it comes, and returns the
// keys GoTo listed and how many were new.
func (c *CatchUp) listRegistrants(ctx context.Context, org gotowebinar.Key, key string) ([]string, int, error) {
	limit := c.client.PageSize()
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
	first, err := c.client.RegistrantsPage(ctx, org, gotowebinar.Key(key), 0, limit)
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
			p, err := c.client.RegistrantsPage(ctx, org, gotowebinar.Key(key), n, size)
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

// title is a webinar's title for the progress, "" when the store has none.
func (c *CatchUp) title(key string) string {
	if w, err := c.store.Webinar(key); err == nil {
		return w.Title
	}
	return ""
}

// started reports whether a webinar's first session has begun: before
// then GoTo has no sessions to list.
func (c *CatchUp) started(key string) bool {
	w, err := c.store.Webinar(key)
	if err != nil || w.StartTime.IsZero() {
		return true // not known: ask
	}
	return !w.StartTime.After(c.now())
}

// each runs fn on every item with at most n at once, and starts no more
// after the first error or when ctx ends.
func each[T any](ctx context.Context, n int, items []T, fn func(context.Context, T) error) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(n, 1))
	for _, it := range items {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error { return fn(gctx, it) })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return ctx.Err()
}
