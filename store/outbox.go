package store

import (
	"cmp"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The outbox: stored events waiting to be forwarded to the organizer's own
// endpoint (package forward sends them). A newly stored event is enqueued
// in the same transaction that stores it, so no event can be stored and
// not queued, or queued and not stored, whatever crashes when.

const (
	// bucketOutbox maps an 8-byte big-endian position to an outboxRecord;
	// the lowest position is the next to send.
	bucketOutbox = "outbox"
	// settingForwarding is "1" while newly stored events are to be queued.
	// It lives in the database so PutEvent's transaction reads it.
	settingForwarding = "forward.on"
	// settingForwardSecret is the key forwarded events are signed with.
	settingForwardSecret = "forward.secret"
)

// OutboxItem is one queued send.
type OutboxItem struct {
	ID         uint64    `json:"-"`      // position in the outbox: sends go in this order
	Seq        uint64    `json:"seq"`    // the event's log seq
	Replay     bool      `json:"replay"` // queued again by the organizer, not new
	EnqueuedAt time.Time `json:"enqueuedAt"`
}

// ReplayQuery picks stored events to queue again: one event by Seq, or
// every event of WebinarKey and/or received in [From, To).
type ReplayQuery struct {
	Seq        uint64
	WebinarKey string
	From, To   time.Time // zero = open-ended
}

// ErrEmptyReplay: a ReplayQuery that names nothing; replaying the whole
// log by accident would flood the organizer's endpoint.
var ErrEmptyReplay = errors.New("say which event, webinar or time range to replay")

func (q ReplayQuery) empty() bool {
	return q.Seq == 0 && q.WebinarKey == "" && q.From.IsZero() && q.To.IsZero()
}

func (q ReplayQuery) matches(e LogEntry) bool {
	if q.WebinarKey != "" && e.WebinarKey != q.WebinarKey {
		return false
	}
	if !q.From.IsZero() && e.ReceivedAt.Before(q.From) {
		return false
	}
	return q.To.IsZero() || e.ReceivedAt.Before(q.To)
}

// SetForwarding turns the queueing of newly stored events on or off.
// Events stored while it is off are never queued (a replay can send them).
func (s *Store) SetForwarding(on bool) error {
	v := ""
	if on {
		v = "1"
	}
	if err := s.SetSetting(settingForwarding, v); err != nil {
		return fmt.Errorf("store: set forwarding: %w", err)
	}
	return nil
}

// enqueueIfForwarding queues the event stored as seq when forwarding is
// on; PutEvent calls it inside the transaction that stored the event.
func enqueueIfForwarding(tx *bolt.Tx, seq uint64, at time.Time) error {
	settings := tx.Bucket([]byte(bucketSettings))
	if settings == nil || string(settings.Get([]byte(settingForwarding))) != "1" {
		return nil
	}
	if err := enqueueTx(tx, OutboxItem{Seq: seq, EnqueuedAt: at}); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	return nil
}

func enqueueTx(tx *bolt.Tx, it OutboxItem) error {
	b, err := tx.CreateBucketIfNotExists([]byte(bucketOutbox))
	if err != nil {
		return err
	}
	id, err := b.NextSequence()
	if err != nil {
		return err
	}
	v, err := json.Marshal(it)
	if err != nil {
		return err
	}
	return b.Put(u64(id), v)
}

// EnqueueReplay queues the events q picks again, marked as replays, in
// the order they were stored, and reports how many. A Seq that is not
// stored is ErrNotFound.
func (s *Store) EnqueueReplay(q ReplayQuery, now time.Time) (int, error) {
	if q.empty() {
		return 0, fmt.Errorf("store: replay: %w", ErrEmptyReplay)
	}
	n := 0
	err := s.update(func(tx *bolt.Tx) error {
		n = 0
		logB := tx.Bucket([]byte(bucketLog))
		if q.Seq != 0 {
			v := logB.Get(u64(q.Seq))
			if v == nil {
				return ErrNotFound
			}
			if e, err := decodeLogRecord(v, false); err != nil || e.Tombstone != nil {
				return cmp.Or(err, ErrNotFound) // its body was erased: nothing to send
			}
			n = 1
			return enqueueTx(tx, OutboxItem{Seq: q.Seq, Replay: true, EnqueuedAt: now.UTC()})
		}
		return logB.ForEach(func(k, v []byte) error {
			e, err := decodeLogRecord(v, false)
			if err != nil {
				return err
			}
			if !q.matches(e) || e.Tombstone != nil {
				return nil
			}
			n++
			return enqueueTx(tx, OutboxItem{Seq: binary.BigEndian.Uint64(k), Replay: true, EnqueuedAt: now.UTC()})
		})
	})
	if err != nil {
		return 0, fmt.Errorf("store: replay: %w", err)
	}
	return n, nil
}

// OutboxNext returns the oldest queued send with its event (Raw
// included); ok is false when the outbox is empty. An item whose event
// was erased since is dropped on the way.
func (s *Store) OutboxNext() (it OutboxItem, e LogEntry, ok bool, err error) {
	var orphans []uint64
	err = s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(bucketOutbox))
		if b == nil {
			return nil
		}
		logB := tx.Bucket([]byte(bucketLog))
		c := b.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			var cand OutboxItem
			if err := json.Unmarshal(v, &cand); err != nil {
				return fmt.Errorf("outbox item %d: %w", binary.BigEndian.Uint64(k), err)
			}
			cand.ID = binary.BigEndian.Uint64(k)
			rec := logB.Get(u64(cand.Seq))
			if rec == nil {
				orphans = append(orphans, cand.ID)
				continue
			}
			entry, err := decodeLogRecord(rec, true)
			if err != nil {
				return err
			}
			if entry.Tombstone != nil { // its body was erased: nothing to send
				orphans = append(orphans, cand.ID)
				continue
			}
			it, e, ok = cand, entry, true
			return nil
		}
		return nil
	})
	if err != nil {
		return OutboxItem{}, LogEntry{}, false, fmt.Errorf("store: outbox next: %w", err)
	}
	for _, id := range orphans {
		if err := s.OutboxDone(id); err != nil {
			return OutboxItem{}, LogEntry{}, false, err
		}
	}
	return it, e, ok, nil
}

// OutboxDone removes a sent item.
func (s *Store) OutboxDone(id uint64) error {
	err := s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(bucketOutbox))
		if b == nil {
			return nil
		}
		return b.Delete(u64(id))
	})
	if err != nil {
		return fmt.Errorf("store: outbox done %d: %w", id, err)
	}
	return nil
}

// OutboxPending counts the queued sends.
func (s *Store) OutboxPending() (int, error) {
	n := 0
	err := s.view(func(tx *bolt.Tx) error {
		if b := tx.Bucket([]byte(bucketOutbox)); b != nil {
			n = b.Stats().KeyN
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: outbox pending: %w", err)
	}
	return n, nil
}

// ForwardSecret is the key forwarded events are signed with, made (32
// random bytes, base64) the first time it is asked for and kept after, so
// the organizer's endpoint keeps verifying across restarts.
func (s *Store) ForwardSecret() (string, error) {
	// Read first: asking is frequent (each send), making it is once.
	if v, err := s.Setting(settingForwardSecret); err != nil || v != "" {
		return v, err
	}
	var secret string
	err := s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(bucketSettings))
		if v := b.Get([]byte(settingForwardSecret)); len(v) > 0 {
			secret = string(v)
			return nil
		}
		raw := make([]byte, 32)
		if _, err := rand.Read(raw); err != nil {
			return err
		}
		secret = base64.RawURLEncoding.EncodeToString(raw)
		return b.Put([]byte(settingForwardSecret), []byte(secret))
	})
	if err != nil {
		return "", fmt.Errorf("store: forward secret: %w", err)
	}
	return secret, nil
}
