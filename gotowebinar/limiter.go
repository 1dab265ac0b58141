package gotowebinar

import (
	"context"
	"sync"
	"time"
)

// Limiter is a token bucket that every request of a Client waits on:
// tokens accrue at a fixed rate up to a burst, each request start takes
// one. It is kept as GCRA's theoretical arrival time (tat). A start is
// taken only when it is due, never booked ahead, so an urgent caller (the
// webhook setup an organizer is waiting for, see Client.Urgently) can go before
// the catch-up sync's queue instead of behind it.
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

	mu      sync.Mutex
	tat     time.Time     // theoretical arrival time: when the bucket is full again
	hold    time.Time     // nobody starts before this
	urgent  int           // urgent callers waiting and urgent scopes open; the others let them go first
	changed chan struct{} // closed when the last of those is done
}

// NewLimiter returns a bucket of perSecond tokens per second holding at most
// burst (at least 1). perSecond must be positive.
func NewLimiter(perSecond float64, burst int) *Limiter {
	return &Limiter{interval: time.Duration(float64(time.Second) / perSecond), burst: max(burst, 1), changed: make(chan struct{})}
}

type urgentKey struct{}

// urgently marks the requests made under ctx as ones a person is waiting
// for: they start before any request not so marked.
func urgently(ctx context.Context) context.Context {
	return context.WithValue(ctx, urgentKey{}, true)
}

// open starts an urgent scope: until done, only urgent callers start, so
// a run of urgent requests is not interleaved with the others.
func (l *Limiter) open() (done func()) {
	if l == nil {
		return func() {}
	}
	l.mu.Lock()
	l.urgent++
	l.mu.Unlock()
	var once sync.Once
	return func() { once.Do(l.doneUrgent) }
}

func isUrgent(ctx context.Context) bool {
	u, _ := ctx.Value(urgentKey{}).(bool)
	return u
}

// Wait blocks until the caller may start a request, or ctx ends. A nil
// Limiter never waits.
func (l *Limiter) Wait(ctx context.Context) error {
	if l == nil {
		return ctx.Err()
	}
	urgent := isUrgent(ctx)
	if urgent {
		defer l.open()()
	}
	for {
		due, yield, ok := l.take(time.Now(), urgent)
		if ok {
			return nil
		}
		if err := l.sleep(ctx, time.Until(due), yield); err != nil {
			return err
		}
	}
}

// take starts the caller now if a token is due and no urgent caller goes
// first; else it says when to look again, and whether to wait for the
// urgent callers instead.
func (l *Limiter) take(now time.Time, urgent bool) (due time.Time, yield <-chan struct{}, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	due = l.tat.Add(-time.Duration(l.burst-1) * l.interval)
	if due.Before(l.hold) {
		due = l.hold
	}
	if now.Before(due) {
		return due, nil, false
	}
	if !urgent && l.urgent > 0 {
		return due, l.changed, false
	}
	if l.tat.Before(now) {
		l.tat = now
	}
	l.tat = l.tat.Add(l.interval)
	return time.Time{}, nil, true
}

// sleep waits d, or for yield to close, or for ctx to end.
func (l *Limiter) sleep(ctx context.Context, d time.Duration, yield <-chan struct{}) error {
	if yield == nil && d <= 0 {
		return ctx.Err()
	}
	var tick <-chan time.Time
	if yield == nil {
		t := time.NewTimer(d)
		defer t.Stop()
		tick = t.C
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-tick:
	case <-yield:
	}
	return nil
}

// doneUrgent lets the others go once no urgent caller is left.
func (l *Limiter) doneUrgent() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.urgent--
	if l.urgent == 0 {
		close(l.changed)
		l.changed = make(chan struct{})
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
	if l.tat.Before(until) {
		l.tat = until
	}
}
