package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Retention: raw event bodies and delivery records are kept for a number
// of days (a setting, DefaultRetentionDays until changed); Prune replaces
// older bodies by a tombstone and drops older delivery records. Webinars,
// registrants and their fields stay until erased: they are what the
// organizer keeps webinarsync for.

// SettingRetention keeps the Retention, as JSON (SettingJSON).
const SettingRetention = "retention"

// The retention period's default and bounds, in days.
const (
	DefaultRetentionDays = 90
	MinRetentionDays     = 1
	MaxRetentionDays     = 3650
)

// Retention is how long raw event bodies and delivery records are kept.
type Retention struct {
	Days int `json:"days"`
}

// ErrRetentionRange: a retention period outside MinRetentionDays to
// MaxRetentionDays.
var ErrRetentionRange = errors.New("the retention period is out of range")

// Retention reads the retention period: the default until one is saved,
// or when the saved one is unreadable or out of range.
func (s *Store) Retention() (Retention, error) {
	r := Retention{Days: DefaultRetentionDays}
	ok, err := s.SettingJSON(SettingRetention, &r)
	if errors.Is(err, ErrUnreadableSetting) || (ok && (r.Days < MinRetentionDays || r.Days > MaxRetentionDays)) {
		return Retention{Days: DefaultRetentionDays}, nil
	}
	if err != nil {
		return Retention{Days: DefaultRetentionDays}, err
	}
	return r, nil
}

// SetRetention saves the retention period, or returns an error wrapping
// ErrRetentionRange.
func (s *Store) SetRetention(days int) error {
	if days < MinRetentionDays || days > MaxRetentionDays {
		return fmt.Errorf("store: retention of %d days: %w", days, ErrRetentionRange)
	}
	return s.SetSettingJSON(SettingRetention, Retention{Days: days})
}

// Pruned counts what a retention pass removed.
type Pruned struct {
	Days       int  // the retention period applied
	Events     int  // raw bodies replaced by a tombstone
	Outbox     int  // forwarding sends of them dropped
	Deliveries int  // delivery records dropped
	Compacted  bool // the file was compacted (after pruning, or an erasure's compaction left to do)
}

// pruneChunk bounds the records one write of a pass changes, so
// deliveries never wait long behind it.
const pruneChunk = 1000

// Prune replaces the raw bodies of events received more than the
// retention period before now by a tombstone (their records and what was
// applied from them stay), drops delivery records as old, and compacts the
// file when it pruned anything or a compaction was left to do. Events
// whose views are not applied yet are left for the next pass.
func (s *Store) Prune(ctx context.Context, now time.Time) (Pruned, error) {
	if s.writer == nil {
		return Pruned{}, errors.New("store: prune: the store is open read-only")
	}
	ret, err := s.Retention()
	if err != nil {
		return Pruned{}, fmt.Errorf("store: prune: %w", err)
	}
	p := Pruned{Days: ret.Days}
	cutoff := now.UTC().AddDate(0, 0, -ret.Days)
	var seqs []uint64
	var ring, links [][]byte
	err = s.view(func(tx *bolt.Tx) error {
		applied := counter(tx.Bucket([]byte(bucketMeta)), metaApplied)
		err := tx.Bucket([]byte(bucketLog)).ForEach(func(k, v []byte) error {
			seq := binary.BigEndian.Uint64(k)
			if seq > applied {
				return nil // its views are not applied yet
			}
			head, _, _ := bytes.Cut(v, []byte{0})
			var e struct {
				ReceivedAt time.Time  `json:"receivedAt"`
				Tombstone  *Tombstone `json:"tombstone"`
			}
			if err := json.Unmarshal(head, &e); err != nil {
				return fmt.Errorf("log %d: %w", seq, err)
			}
			if e.Tombstone == nil && e.ReceivedAt.Before(cutoff) {
				seqs = append(seqs, seq)
			}
			return nil
		})
		if err != nil {
			return err
		}
		ring, links = deliveriesAbout(tx, func(rec DeliveryRecord, _ []byte) bool { return rec.At.Before(cutoff) })
		return nil
	})
	if err != nil {
		return p, fmt.Errorf("store: prune: %w", err)
	}
	t := Tombstone{Reason: TombstoneExpired, At: now.UTC()}
	for len(seqs) > 0 || len(ring) > 0 || len(links) > 0 {
		if err := ctx.Err(); err != nil {
			return p, fmt.Errorf("store: prune: %w", err)
		}
		n := min(len(seqs), pruneChunk)
		nr := min(len(ring), pruneChunk)
		nl := min(len(links), pruneChunk)
		var er Erasure
		err := s.update(func(tx *bolt.Tx) error {
			er = Erasure{}
			err := tombstoneLog(tx, seqs[:n], t, func(e LogEntry) bool { return !e.ReceivedAt.Before(cutoff) }, &er, nil)
			if err == nil {
				err = dropDeliveries(tx, ring[:nr], links[:nl], &er)
			}
			if err == nil && er.Found() {
				err = tx.Bucket([]byte(bucketMeta)).Put([]byte(metaCompactPending), []byte(now.UTC().Format(time.RFC3339)))
			}
			return err
		})
		if err != nil {
			return p, fmt.Errorf("store: prune: %w", err)
		}
		p.Events, p.Outbox, p.Deliveries = p.Events+er.Events, p.Outbox+er.Outbox, p.Deliveries+er.Deliveries
		seqs, ring, links = seqs[n:], ring[nr:], links[nl:]
	}
	compacted, err := s.CompactIfPending(ctx)
	if err != nil {
		return p, fmt.Errorf("store: prune: %w: %w", ErrNotCompacted, err)
	}
	p.Compacted = compacted
	return p, nil
}
