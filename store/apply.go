package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"webinarsync/gotowebinar"
)

// Log first, views after (issue 15). The acknowledged commit holds only
// what a redelivery must find and what must survive a crash: the log
// record (raw body byte for byte), its eventKey and the event count. The
// views (webinars, registrants, joins, the by-name log index) are applied
// from the log in order by one goroutine, many deliveries per commit, so a
// webinar's record is rewritten once per round instead of once per
// delivery and acknowledgements no longer wait for it. metaApplied, in the
// same commit as the views, says how far they go; Open replays the log past
// it, so a crash between acknowledgement and application loses nothing.
// Every read (view) and every other write first waits until the views
// cover every delivery acknowledged before it, so nothing acknowledged is
// ever invisible.

// metaApplied is the log seq the views include (8-byte big-endian).
// metaJoinSeqsAt, written with it by this version only, says the joins'
// seq index is complete up to there (indexJoinSeqs).
const (
	metaApplied    = "applied"
	metaJoinSeqsAt = "joinseqsat"
)

// putApplied notes that the views, the joins' seq index included, hold
// every delivery up to seq.
func putApplied(tx *bolt.Tx, seq uint64) error {
	meta := tx.Bucket([]byte(bucketMeta))
	if err := meta.Put([]byte(metaApplied), u64(seq)); err != nil {
		return err
	}
	return meta.Put([]byte(metaJoinSeqsAt), u64(seq))
}

// applyEvery is the least time between the starts of two view commits.
// Each commit holds bbolt's one writer lock through its fsync, so a view
// commit after every acknowledged commit would halve the
// acknowledgements; waiting lets one view commit take the deliveries of
// several (10 ms still cost 8 senders a fifth of their rate). A read does
// not wait it out: it asks for a round at once, and a delivery after a
// pause is applied at once.
const applyEvery = 50 * time.Millisecond

// maxApplyRound bounds the deliveries one view commit takes, so a backlog
// (a replay after a crash, a flood) commits in pieces of bounded memory.
const maxApplyRound = 2000

// views tracks how far the views have been applied and does the applying.
type views struct {
	mu       sync.Mutex
	acked    uint64                           // highest seq acknowledged
	applied  uint64                           // highest seq in the views
	pending  map[uint64]*gotowebinar.Delivery // decoded, acknowledged, not applied yet
	advanced chan struct{}                    // closed and replaced when applied moves
	stopped  bool                             // after close: waiters return at once

	kick    chan struct{} // buffered 1: there is something to apply
	reader  chan struct{} // buffered 1: a read waits for the views: apply now
	closing chan struct{}
	done    chan struct{}
}

func newViews(acked, applied uint64) *views {
	return &views{
		acked: acked, applied: applied,
		pending:  map[uint64]*gotowebinar.Delivery{},
		advanced: make(chan struct{}),
		kick:     make(chan struct{}, 1),
		reader:   make(chan struct{}, 1),
		closing:  make(chan struct{}),
		done:     make(chan struct{}),
	}
}

// acknowledged notes deliveries just committed to the log; d may be nil
// for one the applier must decode from the log.
func (v *views) acknowledged(seq uint64, d *gotowebinar.Delivery) {
	v.mu.Lock()
	if d != nil && seq > v.applied { // the applier may have read it from the log already
		v.pending[seq] = d
	}
	v.acked = max(v.acked, seq)
	v.mu.Unlock()
	select {
	case v.kick <- struct{}{}:
	default:
	}
}

// wait returns once the views cover every delivery acknowledged before
// the call.
func (v *views) wait() {
	if v == nil {
		return // read-only, or still opening
	}
	v.mu.Lock()
	target := v.acked
	for v.applied < target && !v.stopped {
		ch := v.advanced
		v.mu.Unlock()
		select {
		case v.reader <- struct{}{}:
		default:
		}
		<-ch
		v.mu.Lock()
	}
	v.mu.Unlock()
}

// startViews reads how far the views go, replays the log past it (after a
// crash), and starts the applier.
func (s *Store) startViews() error {
	var acked, applied uint64
	err := s.db.Update(func(tx *bolt.Tx) error {
		acked = tx.Bucket([]byte(bucketLog)).Sequence()
		meta := tx.Bucket([]byte(bucketMeta))
		v := meta.Get([]byte(metaApplied))
		if v == nil {
			// Written before views were applied apart: every logged
			// delivery was applied in its own commit.
			applied = acked
			return putApplied(tx, applied)
		}
		applied = binary.BigEndian.Uint64(v)
		return nil
	})
	if err != nil {
		return fmt.Errorf("views: %w", err)
	}
	s.views = newViews(acked, applied)
	if applied < acked {
		s.log.Info("store: applying deliveries acknowledged before the last stop", "from", applied+1, "to", acked)
		for s.views.applied < s.views.acked {
			if err := s.applyRound(); err != nil {
				s.views = nil // no applier to stop
				return err
			}
		}
	}
	go s.applyLoop()
	return nil
}

func (s *Store) applyLoop() {
	v := s.views
	defer close(v.done)
	var last time.Time // when the last round began
	for {
		select {
		case <-v.kick:
		case <-v.closing:
			s.applyRest()
			return
		}
		for s.behind() {
			// At most one round every applyEvery, also when the last one
			// caught up: otherwise the next acknowledgement starts a round
			// at once, and under a steady flow the views commit every few
			// milliseconds (measured: every 13 ms at 8 senders).
			if rest := applyEvery - time.Since(last); rest > 0 {
				select {
				case <-v.reader: // someone reads: apply now
				case <-time.After(rest):
				case <-v.closing:
					s.applyRest()
					return
				}
			}
			last = time.Now()
			if err := s.applyRound(); err != nil {
				s.log.Error("store: applying deliveries to the views; retrying", "err", err)
				select {
				case <-time.After(time.Second):
				case <-v.closing:
				}
				break
			}
		}
	}
}

// applyRest applies what is left, so a clean stop leaves nothing to
// replay, and releases every waiter.
func (s *Store) applyRest() {
	v := s.views
	for s.behind() {
		if err := s.applyRound(); err != nil {
			s.log.Error("store: applying the last deliveries before closing; the next start applies them", "err", err)
			break
		}
	}
	v.mu.Lock()
	v.stopped = true
	close(v.advanced)
	v.mu.Unlock()
}

func (s *Store) behind() bool {
	s.views.mu.Lock()
	defer s.views.mu.Unlock()
	return s.views.applied < s.views.acked
}

// applyRound applies the next deliveries in log order in one commit. A
// delivery the views cannot take (bbolt refuses a write) is logged and
// passed over alone, so one bad event cannot stop all the others; its raw
// body stays in the log.
func (s *Store) applyRound() error {
	v := s.views
	v.mu.Lock()
	from, to := v.applied+1, min(v.acked, v.applied+maxApplyRound)
	batch := make(map[uint64]*gotowebinar.Delivery, to-from+1)
	for seq := from; seq <= to; seq++ {
		if d := v.pending[seq]; d != nil {
			batch[seq] = d
		}
	}
	v.mu.Unlock()
	if from > to {
		return nil
	}
	err := s.applyRange(from, to, batch)
	if err != nil {
		// Find the one that fails by applying one at a time.
		for seq := from; seq <= to; seq++ {
			if err := s.applyRange(seq, seq, batch); err != nil {
				if !errors.Is(err, errApply) {
					return err // the commit itself failed: retry later
				}
				s.log.Error("store: a delivery could not be applied to the views; its raw body stays in the event log",
					"seq", seq, "err", err)
				if err := s.skipApply(seq); err != nil {
					return err
				}
			}
			s.appliedTo(seq)
		}
		return nil
	}
	s.appliedTo(to)
	return nil
}

// errApply marks a failure of one delivery's view writes (not of the commit).
var errApply = errors.New("apply")

func (s *Store) applyRange(from, to uint64, batch map[uint64]*gotowebinar.Delivery) error {
	return s.write(func(tx *bolt.Tx) error {
		logB := tx.Bucket([]byte(bucketLog))
		for seq := from; seq <= to; seq++ {
			err := safely(func(tx *bolt.Tx) error { return applyLogged(tx, logB, seq, batch[seq]) }, tx)
			if pe, ok := errors.AsType[*panicError](err); ok {
				s.noteDamage("applying a delivery to the views", pe)
				return err // the commit's failure, not the delivery's: retried, never skipped
			}
			if err != nil {
				return fmt.Errorf("%w: log seq %d: %w", errApply, seq, err)
			}
		}
		return putApplied(tx, to)
	})
}

// skipApply moves metaApplied past a delivery the views refuse.
func (s *Store) skipApply(seq uint64) error {
	return s.write(func(tx *bolt.Tx) error {
		return putApplied(tx, seq)
	})
}

func (s *Store) appliedTo(seq uint64) {
	v := s.views
	v.mu.Lock()
	for k := v.applied + 1; k <= seq; k++ {
		delete(v.pending, k)
	}
	v.applied = max(v.applied, seq)
	close(v.advanced)
	v.advanced = make(chan struct{})
	v.mu.Unlock()
}

// applyLogged applies one logged delivery: d when the receiver's decoding
// is still at hand, else the log record's raw body decoded again.
func applyLogged(tx *bolt.Tx, logB *bolt.Bucket, seq uint64, d *gotowebinar.Delivery) error {
	seqKey := u64(seq)
	rec := logB.Get(seqKey)
	if rec == nil {
		return nil // erased or never written: nothing to apply
	}
	var entry LogEntry
	if d == nil {
		var err error
		if entry, err = decodeLogRecord(rec, true); err != nil {
			return err
		}
		if entry.Provider != "" {
			// Another provider's delivery: in the log, and in the views
			// only what it carries as a record (PutProviderEvent).
			if err := indexLogName(tx, entry.EventName, seqKey); err != nil || entry.Join == nil ||
				entry.Tombstone != nil || entry.WebinarKey == "" {
				return err
			}
			ref := gotowebinar.WebinarRef{WebinarKey: gotowebinar.Key(entry.WebinarKey)}
			return applyJoin(tx, ref, *entry.Join, seq, entry.EventKey, entry.ReceivedAt)
		}
		ev, err := gotowebinar.DecodeEvent(entry.Raw)
		if err != nil {
			// Kept raw (a tombstone, or a shape this version cannot
			// read): in the log, in no view.
			return indexLogName(tx, entry.EventName, seqKey)
		}
		d = &gotowebinar.Delivery{Event: *ev}
	} else {
		var err error
		if entry, err = decodeLogRecord(rec, false); err != nil {
			return err
		}
	}
	if err := indexLogName(tx, entry.EventName, seqKey); err != nil {
		return err
	}
	if entry.Tombstone != nil {
		return nil // erased before it was applied (erase.go): in no view
	}
	return applyEvent(tx, d, seq, entry.EventKey, entry.ReceivedAt)
}

func indexLogName(tx *bolt.Tx, name string, seqKey []byte) error {
	if name == "" {
		return nil
	}
	names, err := tx.Bucket([]byte(bucketLogNames)).CreateBucketIfNotExists([]byte(name))
	if err != nil {
		return fmt.Errorf("event name index: %w", err)
	}
	if err := names.Put(seqKey, []byte{}); err != nil {
		return fmt.Errorf("event name index: %w", err)
	}
	return nil
}

// applyEvent writes one delivery into the views. The event's own time
// orders out-of-order deliveries; arrival time stands in when GoTo sent none.
func applyEvent(tx *bolt.Tx, d *gotowebinar.Delivery, seq uint64, eventKey string, receivedAt time.Time) error {
	switch {
	case d.Webinar != nil:
		return applyWebinar(tx, d.Webinar)
	case d.RegistrantAdded != nil:
		return applyRegistrantAdded(tx, d.RegistrantAdded, receivedAt)
	case d.RegistrantJoined != nil:
		return applyRegistrantJoined(tx, d.RegistrantJoined, seq, eventKey, receivedAt)
	}
	return nil
}

// closeViews applies what is left and stops the applier.
func (s *Store) closeViews() {
	if s.views == nil {
		return
	}
	select {
	case <-s.views.closing:
	default:
		close(s.views.closing)
	}
	<-s.views.done
}
