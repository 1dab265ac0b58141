package store

import (
	"errors"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// ErrClosed is returned by writes after Close.
var ErrClosed = errors.New("store: closed")

// maxGroup bounds the calls one commit takes, so a flood cannot make one
// transaction (and the memory of its dirty pages) grow without end.
const maxGroup = 1000

// committer is the store's one writer of deliveries: group commit with no
// fixed window. When idle it commits a lone call at once; while a commit
// and its fsync run, newer calls queue, and the next commit takes all of
// them. Only when the previous commit answered several senders does it
// wait, less than an fsync, for them to come back. bbolt's Batch instead
// always waits MaxBatchDelay for company, which cost a lone delivery 2 ms
// and 64 senders their throughput (issue 15).
type committer struct {
	s       *Store
	queue   chan *commitCall // unbuffered: a blocked sender is a queued call
	closing chan struct{}
	done    chan struct{}
}

type commitCall struct {
	fn  func(*bolt.Tx) error
	err chan error
}

func newCommitter(s *Store) *committer {
	c := &committer{s: s, queue: make(chan *commitCall), closing: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c
}

// do runs fn in a shared, fsynced commit and returns its error or the
// commit's. fn may run more than once (when another call in its group
// fails), so it must only touch tx, as with bbolt's Batch.
func (c *committer) do(fn func(*bolt.Tx) error) error {
	call := &commitCall{fn: fn, err: make(chan error, 1)}
	select {
	case c.queue <- call:
	case <-c.closing:
		return ErrClosed
	}
	return <-call.err
}

// close commits what is queued and stops the writer.
func (c *committer) close() {
	select {
	case <-c.closing:
	default:
		close(c.closing)
	}
	<-c.done
}

func (c *committer) run() {
	defer close(c.done)
	group := make([]*commitCall, 0, 64)
	last, took := 0, time.Duration(0) // the previous group's size and commit time
	var ended time.Time
	for {
		select {
		case call := <-c.queue:
			group = append(group[:0], call)
		case <-c.closing:
			return
		}
		group = c.take(group, maxGroup, 0)
		// Senders that were all answered by the last commit come back
		// together, a moment apart: committing the first alone at once
		// would split them into a group of one and a group of the rest,
		// which then take turns (8 senders: half the commits wasted,
		// issue 15). So right after a commit that answered several, wait
		// a little for as many, then a moment for one more (groups that
		// split merge again). A lone sender, or one after a pause, never
		// waits.
		if last > 1 && len(group) <= last && time.Since(ended) < 2*took {
			group = c.take(group, last, min(maxCompanyWait, took/2))
			if len(group) >= last {
				group = c.take(group, len(group)+1, took/8)
			}
		}
		began := time.Now()
		c.commit(group)
		last, took = len(group), time.Since(began)
		ended = time.Now()
		clear(group) // let the calls' closures go
	}
}

// maxCompanyWait is the longest a commit waits for the senders of the
// previous group to come back: less than one fsync.
const maxCompanyWait = time.Millisecond

// take adds queued calls to group until it holds want (at most maxGroup),
// waiting up to wait for them; with wait 0 it takes only what is queued.
func (c *committer) take(group []*commitCall, want int, wait time.Duration) []*commitCall {
	want = min(want, maxGroup)
	var until <-chan time.Time
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		until = t.C
	}
	for len(group) < want {
		if until == nil {
			select {
			case call := <-c.queue:
				group = append(group, call)
				continue
			default:
				return group
			}
		}
		select {
		case call := <-c.queue:
			group = append(group, call)
		case <-until:
			return group
		case <-c.closing:
			return group
		}
	}
	return group
}

// commit runs the group in one transaction. A call whose fn fails is
// taken out and run alone, so its error is its own and the others still
// commit, as bbolt's Batch does.
func (c *committer) commit(group []*commitCall) {
	for len(group) > 0 {
		failed := -1
		err := c.s.tryWrite(func(tx *bolt.Tx) error {
			for i, call := range group {
				if err := safely(call.fn, tx); err != nil {
					failed = i
					return err
				}
			}
			return nil
		})
		if pe, ok := errors.AsType[*panicError](err); ok {
			c.s.noteDamage("storing a delivery", pe)
		}
		if failed < 0 {
			for _, call := range group {
				call.err <- err
			}
			return
		}
		lone := group[failed]
		group = slices.Delete(group, failed, failed+1)
		if len(group) == 0 {
			lone.err <- err
			return
		}
		lone.err <- c.s.tryWrite(func(tx *bolt.Tx) error { return safely(lone.fn, tx) })
	}
}

// safely turns a panic in fn into an error, so one bad call cannot take
// the writer, and every delivery waiting on it, down.
func safely(fn func(*bolt.Tx) error, tx *bolt.Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &panicError{p}
		}
	}()
	return fn(tx)
}

// panicError is a panic recovered in a transaction: in bbolt, a page it
// cannot read.
type panicError struct{ value any }

func (e *panicError) Error() string { return fmt.Sprintf("panic in a transaction: %v", e.value) }
