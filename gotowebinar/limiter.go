package gotowebinar

import (
	"context"
	"sync"
	"time"

	"webinarsync/internal/clock"
)

// Limiter is a token bucket that every request of the Clients sharing it
// waits on: tokens accrue at a fixed rate up to a burst, each request start
// takes one. It is kept as GCRA's theoretical arrival time, so a token is a
// reserved start time and waiting callers never start together.
//
// Hold stops every caller until a moment GoTo named: a 429 with
// Retry-After speaks of the whole account, not of the one call that got it.
//
// The worst case in any one second is burst + rate starts; GoTo allows
// about 10, so the default is burst 1 at 9 per second: 10 in the worst
// second, with a ninth of a second of slack for network jitter.
type Limiter struct {
	interval time.Duration // one token's worth of time
	burst    int

	mu    sync.Mutex
	tat   time.Time // theoretical arrival time: when the bucket is full again
	hold  time.Time // nobody starts before this
	holds uint64    // bumped by each Hold, so sleepers notice a new one
}

// NewLimiter returns a bucket of perSecond tokens per second holding at most
// burst (at least 1). perSecond must be positive.
func NewLimiter(perSecond float64, burst int) *Limiter {
	return &Limiter{interval: time.Duration(float64(time.Second) / perSecond), burst: max(burst, 1)}
}

// Wait blocks until the caller may start a request, or ctx ends. A nil
// Limiter never waits.
func (l *Limiter) Wait(ctx context.Context) error {
	if l == nil {
		return ctx.Err()
	}
	for {
		at, end, epoch := l.reserve(time.Now())
		if err := clock.Sleep(ctx, time.Until(at)); err != nil {
			l.cancel(end)
			return err
		}
		l.mu.Lock()
		held := l.holds != epoch && time.Now().Before(l.hold)
		l.mu.Unlock()
		if !held {
			return nil
		}
		// A 429 arrived while we slept: our slot fell inside the pause, so
		// queue again behind it rather than all start when it ends.
	}
}

// reserve books the next start at or after now and returns it, the bucket's
// arrival time after the booking (to undo it), and the hold epoch.
func (l *Limiter) reserve(now time.Time) (at, end time.Time, epoch uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	at = l.tat.Add(-time.Duration(l.burst-1) * l.interval)
	if at.Before(now) {
		at = now
	}
	if at.Before(l.hold) {
		at = l.hold
	}
	base := l.tat
	if base.Before(at) {
		base = at
	}
	l.tat = base.Add(l.interval)
	return at, l.tat, l.holds
}

// cancel gives a reservation back when nobody booked after it; otherwise
// its slot stays unused, which wastes a token but never crowds the others.
func (l *Limiter) cancel(end time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.tat.Equal(end) {
		l.tat = l.tat.Add(-l.interval)
	}
}

// Hold makes every caller wait until until; later starts resume at the
// bucket's rate, with no burst of those held back.
func (l *Limiter) Hold(until time.Time) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if !until.After(l.hold) {
		return
	}
	l.hold = until
	l.holds++
	if l.tat.Before(until) {
		l.tat = until
	}
}
