package catchup

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"slices"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"webinarsync/gotowebinar"
	"webinarsync/record"
)

// sync takes r through the steps it has not finished, each across all
// webinars: the listings cost a request per page of 200 and the details a
// request per registrant, so listings first put everyone registered and
// who attended on screen in seconds, and the details fill in afterwards.
func (c *CatchUp) sync(ctx context.Context, org gotowebinar.Key, r *run) error {
	for _, step := range []func(context.Context, gotowebinar.Key, *run) error{
		c.listWebinars, c.listAllRegistrants, c.attendance, c.details,
	} {
		if err := step(ctx, org, r); err != nil {
			return err
		}
	}
	return nil
}

// listWebinars lists and merges the window's webinars, nearest first.
func (c *CatchUp) listWebinars(ctx context.Context, org gotowebinar.Key, r *run) error {
	if r.Listed {
		return nil
	}
	c.phase(ListWebinars)
	ws, err := c.client.ListWebinars(ctx, org, r.From, r.To)
	if err != nil {
		return err
	}
	res, err := c.store.MergeWebinars(gotowebinar.Records(ws), c.now())
	if err != nil {
		return err
	}
	keys := nearestFirst(ws, c.now())
	return c.update(r, func() {
		r.Webinars, r.Listed = keys, true
		r.Tally.Webinars, r.Tally.NewWebinars = len(ws), res.Added
	})
}

// nearestFirst orders webinars by how near their nearest session is to
// now, so that those about to be held or just held come first in every
// step (an organizer looks at those); one without times goes last.
func nearestFirst(ws []gotowebinar.Webinar, now time.Time) []string {
	const unknown = time.Duration(1<<63 - 1)
	distance := func(w gotowebinar.Webinar) time.Duration {
		d := unknown
		for _, t := range w.Times {
			switch {
			case t.StartTime.IsZero():
			case !now.Before(t.StartTime.Time) && now.Before(t.EndTime.Time):
				return 0 // running
			default:
				d = min(d, now.Sub(t.StartTime.Time).Abs())
			}
		}
		return d
	}
	sorted := slices.Clone(ws)
	slices.SortStableFunc(sorted, func(a, b gotowebinar.Webinar) int { return cmp.Compare(distance(a), distance(b)) })
	keys := make([]string, 0, len(sorted))
	for _, w := range sorted {
		keys = append(keys, string(w.WebinarKey))
	}
	return keys
}

// todo is the run's webinars not in done, in the run's order.
func (c *CatchUp) todo(r *run, done func() []string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, key := range r.Webinars {
		if !slices.Contains(done(), key) {
			out = append(out, key)
		}
	}
	return out
}

// refused reports whether GoTo refused a webinar in an earlier step.
func (c *CatchUp) refused(r *run, key string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Contains(r.Refused, key)
}

// refuse notes that GoTo refused a webinar (cancelled meanwhile, say), so
// the later steps skip it rather than count the same error again.
func (c *CatchUp) refuse(r *run, key, title string, err error) {
	c.noteError(r, Trouble{Item: WebinarItem, Webinar: title, WebinarKey: key}, err)
	c.mu.Lock()
	defer c.mu.Unlock()
	if !slices.Contains(r.Refused, key) {
		r.Refused = append(r.Refused, key)
	}
}

// listAllRegistrants merges every webinar's registrant listing, two
// webinars at once: while one waits for its first page (which says how
// many more there are), the other's requests use the rate GoTo allows.
func (c *CatchUp) listAllRegistrants(ctx context.Context, org gotowebinar.Key, r *run) error {
	c.phase(ListRegistrants)
	todo := c.todo(r, func() []string { return r.Registrants })
	return each(ctx, min(2, c.cfg.Workers), todo, func(ctx context.Context, key string) error {
		title := c.title(key)
		c.working(key, title)
		listed, added, err := c.listRegistrants(ctx, org, key)
		var need []string
		switch {
		case err == nil:
			// Known now, so the details step needs no listing again.
			if need, err = c.store.NeedsDetail(key, listed); err != nil {
				return err
			}
		case gotowebinar.Isolated(err) && ctx.Err() == nil:
			c.refuse(r, key, title, err)
		default:
			return err
		}
		return c.update(r, func() {
			r.Registrants = append(r.Registrants, key)
			if len(need) > 0 {
				r.Need[key] = need
			}
			r.Tally.Registrants += len(listed)
			r.Tally.NewRegistrants += added
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
		res, err := c.store.MergeRegistrants(key, gotowebinar.Records(p.Registrants), c.now(), false)
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

// attendance merges who attended the sessions of every webinar that has
// begun, two webinars at once (each waits for its sessions before asking
// for attendees).
func (c *CatchUp) attendance(ctx context.Context, org gotowebinar.Key, r *run) error {
	c.phase(Attendance)
	var todo []string
	c.mu.Lock()
	total := len(r.Attendance)
	c.mu.Unlock()
	for _, key := range c.todo(r, func() []string { return r.Attendance }) {
		if c.started(key) { // before then GoTo has no sessions to list
			todo = append(todo, key)
		}
	}
	c.mu.Lock()
	r.AttendanceTotal = total + len(todo)
	c.mu.Unlock()
	return each(ctx, min(2, c.cfg.Workers), todo, func(ctx context.Context, key string) error {
		if !c.refused(r, key) {
			if err := c.webinarAttendance(ctx, org, r, key); err != nil {
				return err
			}
		}
		return c.update(r, func() {
			r.Attendance = append(r.Attendance, key)
			delete(r.Sessions, key)
		})
	})
}

// webinarAttendance merges who attended a webinar's sessions: the
// sessions first, then everyone who attended any of them in one paged
// listing, or session by session where that takes fewer requests
// (listingPays) or GoTo does not offer the listing. Errors that spoil this
// webinar only are counted, not returned.
func (c *CatchUp) webinarAttendance(ctx context.Context, org gotowebinar.Key, r *run, key string) error {
	title := c.title(key)
	c.working(key, title)
	c.mu.Lock()
	p := r.Sessions[key]
	if p == nil {
		p = &sessionsProgress{}
		r.Sessions[key] = p
	}
	listed, perSession := p.Listed, r.PerSession || len(p.Attended) > 0
	c.mu.Unlock()
	// The sessions are listed although each attendee row names its own:
	// MergeSessionAttendance keeps a session's times (the attendees CSV
	// shows them) and replaces what an earlier report said of it, so a
	// session nobody attended must be merged too, and only the listing
	// names it. It costs one request per webinar (GoTo pages 200 sessions),
	// no more than the one attendees listing it saves a single-session
	// webinar over asking session by session.
	if !listed {
		sessions, err := c.client.ListSessions(ctx, org, gotowebinar.Key(key))
		switch {
		case gotowebinar.Isolated(err) && ctx.Err() == nil:
			c.refuse(r, key, title, err)
			return nil
		case err != nil:
			return err
		}
		if err := c.update(r, func() { p.Listed, p.Sessions = true, sessions }); err != nil {
			return err
		}
	}
	if len(p.Sessions) == 0 {
		return nil // begun, but GoTo lists no session yet
	}
	if !perSession && listingPays(p.Sessions, c.client.PageSize()) {
		rows, err := c.listWebinarAttendees(ctx, org, key)
		switch {
		case err == nil:
			return c.mergeAttendance(r, key, p.Sessions, rows)
		case notOffered(err) && ctx.Err() == nil:
			// The sessions listing just found this webinar, so the 404 is
			// about the listing: ask session by session for the rest of
			// this run (the next run tries again).
			c.log.Info("sync: GoTo has no attendees listing for a whole webinar; asking session by session", "webinar", key, "err", err)
			if err := c.update(r, func() { r.PerSession = true }); err != nil {
				return err
			}
		case gotowebinar.Isolated(err) && ctx.Err() == nil:
			c.noteError(r, Trouble{Item: AttendanceItem, Webinar: title, WebinarKey: key}, err)
			return nil
		default:
			return err
		}
	}
	return c.sessionAttendance(ctx, org, r, key, title, p)
}

// listingPays reports whether listing a webinar's attendees at once takes
// no more requests than asking session by session, as the sessions'
// registrantsAttended tell: GoTo answers for one session in one unpaged
// list, but pages the whole webinar's, so a single session with more
// attendees than a page costs fewer requests alone. Where the counts are
// missing (0), the one listing is the better guess.
func listingPays(sessions []gotowebinar.Session, pageSize int) bool {
	attended := 0
	for _, s := range sessions {
		attended += s.RegistrantsAttended
	}
	return max(1, (attended+pageSize-1)/pageSize) <= len(sessions)
}

// notOffered reports whether GoTo answered as if it had no such endpoint.
func notOffered(err error) bool {
	var e *gotowebinar.APIError
	return errors.As(err, &e) && (e.Status == http.StatusNotFound || e.Status == http.StatusMethodNotAllowed)
}

// listWebinarAttendees lists who attended any session of a webinar, page by
// page (the first, then the rest at once), one row per registrant and
// session. Unlike registrants, rows are merged only once all pages are in:
// a session's merge replaces its attendance, so it needs all of it.
func (c *CatchUp) listWebinarAttendees(ctx context.Context, org gotowebinar.Key, key string) ([]gotowebinar.Attendee, error) {
	size := c.client.PageSize()
	first, err := c.client.WebinarAttendeesPage(ctx, org, gotowebinar.Key(key), 0, size)
	if err != nil {
		return nil, err
	}
	pages := [][]gotowebinar.Attendee{first.Attendees}
	if !first.Last(0) {
		size = cmp.Or(first.Page.Size, size)
		var rest []int
		for n := 1; n < first.Page.TotalPages; n++ {
			rest = append(rest, n)
		}
		pages = append(pages, make([][]gotowebinar.Attendee, len(rest))...)
		err := each(ctx, c.cfg.Workers, rest, func(ctx context.Context, n int) error {
			p, err := c.client.WebinarAttendeesPage(ctx, org, gotowebinar.Key(key), n, size)
			pages[n] = p.Attendees // each page its own slot
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	// A session ending while we paged shifts the rest: listed twice.
	type row struct{ session, registrant gotowebinar.Key }
	seen := map[row]bool{}
	var out []gotowebinar.Attendee
	for _, p := range pages {
		for _, a := range p {
			if k := (row{a.SessionKey, a.RegistrantKey}); !seen[k] {
				seen[k] = true
				out = append(out, a)
			}
		}
	}
	return out, nil
}

// mergeAttendance merges a webinar's attendee rows session by session:
// every listed session, with nobody when no row names it (so what an
// earlier report said of it goes), and a session the rows name that began
// after the listing, with its key alone (the next sync lists its times).
func (c *CatchUp) mergeAttendance(r *run, key string, sessions []gotowebinar.Session, rows []gotowebinar.Attendee) error {
	bySession := map[gotowebinar.Key][]gotowebinar.Attendee{}
	for _, a := range rows {
		if a.SessionKey == "" && len(sessions) == 1 {
			a.SessionKey = sessions[0].SessionKey // the spec requires the key; with one session it can only be that
		}
		bySession[a.SessionKey] = append(bySession[a.SessionKey], a)
	}
	all := slices.Clone(sessions)
	var later []gotowebinar.Key
	for k := range bySession {
		if k != "" && !slices.ContainsFunc(sessions, func(s gotowebinar.Session) bool { return s.SessionKey == k }) {
			later = append(later, k)
		}
	}
	slices.Sort(later)
	for _, k := range later {
		all = append(all, gotowebinar.Session{SessionKey: k, WebinarKey: gotowebinar.Key(key)})
	}
	if n := len(bySession[""]); n > 0 {
		c.log.Warn("sync: attendee rows without a session key left out", "webinar", key, "rows", n)
	}
	for _, s := range all {
		if err := c.store.MergeSessionAttendance(key, s.Record(), gotowebinar.Records(bySession[s.SessionKey]), c.now()); err != nil {
			return err
		}
	}
	return c.update(r, func() { r.Tally.Sessions += len(all) })
}

// sessionAttendance merges a webinar's attendance one session at a time,
// for a GoTo without the webinar-level listing.
func (c *CatchUp) sessionAttendance(ctx context.Context, org gotowebinar.Key, r *run, key, title string, p *sessionsProgress) error {
	var todo []gotowebinar.Session
	c.mu.Lock()
	for _, s := range p.Sessions {
		if !slices.Contains(p.Attended, string(s.SessionKey)) {
			todo = append(todo, s)
		}
	}
	c.mu.Unlock()
	return each(ctx, c.cfg.Workers, todo, func(ctx context.Context, s gotowebinar.Session) error {
		attendees, err := c.client.ListSessionAttendees(ctx, org, gotowebinar.Key(key), s.SessionKey)
		switch {
		case gotowebinar.Isolated(err) && ctx.Err() == nil:
			c.noteError(r, Trouble{Item: AttendanceItem, Webinar: title, WebinarKey: key}, err)
		case err != nil:
			return err
		default:
			if err := c.store.MergeSessionAttendance(key, s.Record(), gotowebinar.Records(attendees), c.now()); err != nil {
				return err
			}
		}
		return c.update(r, func() {
			p.Attended = append(p.Attended, string(s.SessionKey))
			r.Tally.Sessions++
		})
	})
}

// details asks GoTo one by one for the registrants the listings told us
// too little of, the nearest webinars' first. The store remembers each
// one fetched, so the run is saved only as each webinar's are done, and a
// sync resumed asks only for those still missing.
func (c *CatchUp) details(ctx context.Context, org gotowebinar.Key, r *run) error {
	c.phase(Details)
	type job struct{ webinar, title, registrant string }
	var jobs []job
	left := map[string]int{}  // per webinar, registrants not yet asked for
	asked := map[string]int{} // per webinar, registrants asked for in this attempt
	var done []string         // webinars with nothing (more) to ask
	for _, key := range c.todo(r, func() []string { return r.Detailed }) {
		c.mu.Lock()
		keys := r.Need[key]
		c.mu.Unlock()
		need, err := c.store.NeedsDetail(key, keys)
		if err != nil {
			return err
		}
		if len(need) == 0 {
			done = append(done, key)
			continue
		}
		title := c.title(key)
		for _, reg := range need {
			jobs = append(jobs, job{key, title, reg})
		}
		left[key], asked[key] = len(need), len(need)
	}
	err := c.update(r, func() {
		if !r.DetailsPlanned {
			r.DetailsPlanned, r.DetailsTotal = true, len(jobs)
		}
		// Resumed: what is missing now is what is left of the first count.
		c.detailsDone = max(r.DetailsTotal-len(jobs), 0)
		for _, key := range done {
			r.Detailed = append(r.Detailed, key)
			delete(r.Need, key)
		}
	})
	if err != nil {
		return err
	}
	return each(ctx, c.cfg.Workers, jobs, func(ctx context.Context, j job) error {
		c.working(j.webinar, j.title)
		reg, err := c.client.GetRegistrant(ctx, org, gotowebinar.Key(j.webinar), gotowebinar.Key(j.registrant))
		switch {
		case gotowebinar.IsNotFound(err):
			// Cancelled since the listing: nothing more to learn.
			err = c.store.MarkDetailed(j.webinar, j.registrant, c.now())
		case gotowebinar.Isolated(err) && ctx.Err() == nil:
			c.noteError(r, Trouble{Item: RegistrantItem, Webinar: j.title, WebinarKey: j.webinar, Registrant: j.registrant}, err)
			err = nil
		case err == nil:
			_, err = c.store.MergeRegistrants(j.webinar, []record.Registrant{reg.Record()}, c.now(), true)
		}
		if err != nil {
			return err
		}
		c.mu.Lock()
		c.detailsDone++
		left[j.webinar]--
		last := left[j.webinar] == 0
		c.mu.Unlock()
		if !last {
			return nil
		}
		return c.update(r, func() {
			r.Detailed = append(r.Detailed, j.webinar)
			delete(r.Need, j.webinar)
			r.Tally.Details += asked[j.webinar]
		})
	})
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
