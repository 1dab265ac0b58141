package store

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"webinarsync/gotowebinar"
)

// Queries for live views: a live board shows a snapshot, then follows the
// change feed (Subscribe), catching up by log seq.

// JoinsAfter returns the webinar's joins whose deliveries were stored after
// log seq after, in the order they were stored, each with its Seq: what a
// view that has shown everything up to after has still to show. Every
// delivery with a lower seq is committed before one with a higher seq, so
// a view that follows JoinsAfter never skips a join.
func (s *Store) JoinsAfter(webinarKey string, after uint64) ([]Join, error) {
	var out []Join
	err := s.viewWebinarData(webinarKey, func(data *bolt.Bucket) error {
		b := data.Bucket([]byte(subJoins))
		if b == nil {
			return nil
		}
		if seqs := data.Bucket([]byte(subJoinSeqs)); seqs != nil {
			// By log seq: only the joins after, however many are stored.
			c := seqs.Cursor()
			for k, jk := c.Seek(u64(after + 1)); k != nil; k, jk = c.Next() {
				v := b.Get(jk)
				if v == nil {
					continue // erased
				}
				j, err := decodeJoinAt(jk, v, binary.BigEndian.Uint64(k))
				if err != nil {
					return err
				}
				out = append(out, j)
			}
			return nil
		}
		// A database opened read-only from before the seq index: the joins
		// are in join-time order, which need not be arrival order, so they
		// are walked whole; only the new joins are decoded.
		events := data.Tx().Bucket([]byte(bucketEvents))
		return b.ForEach(func(k, v []byte) error {
			seq := seqOf(events, k[8:])
			if seq <= after {
				return nil
			}
			j, err := decodeJoinAt(k, v, seq)
			if err != nil {
				return err
			}
			out = append(out, j)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: joins of %s after %d: %w", webinarKey, after, err)
	}
	slices.SortFunc(out, func(a, b Join) int { return cmp.Compare(a.Seq, b.Seq) })
	return out, nil
}

// decodeJoinAt decodes the join stored under key (timeKey + eventKey) and
// gives it the log seq it arrived at.
func decodeJoinAt(key, v []byte, seq uint64) (Join, error) {
	var j Join
	if err := json.Unmarshal(v, &j); err != nil {
		return Join{}, fmt.Errorf("decode join %s: %w", key[8:], err)
	}
	j.Seq = seq
	return j, nil
}

// ViewsSeq is the Seq up to which the views (webinars, registrants,
// joins) hold every delivery, once they cover each one acknowledged before
// the call. A reader of the views that goes on from it misses nothing;
// LastSeq can be ahead of the views for a moment after an
// acknowledgement, and a join between the two would be skipped.
func (s *Store) ViewsSeq() (uint64, error) {
	if s.views == nil {
		return s.LastSeq() // read-only: nothing is applied later
	}
	s.views.wait()
	s.views.mu.Lock()
	defer s.views.mu.Unlock()
	return s.views.applied, nil
}

// LastSeq is the Seq of the newest stored delivery, 0 before the first.
func (s *Store) LastSeq() (uint64, error) {
	var seq uint64
	err := s.view(func(tx *bolt.Tx) error {
		if b := tx.Bucket([]byte(bucketLog)); b != nil {
			seq = b.Sequence()
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: last seq: %w", err)
	}
	return seq, nil
}

// LastJoinTimes maps each webinar that has joins to its latest join time,
// read from the join indexes' keys without decoding any join.
func (s *Store) LastJoinTimes() (map[string]time.Time, error) {
	out := map[string]time.Time{}
	err := s.view(func(tx *bolt.Tx) error {
		all := tx.Bucket([]byte(bucketWebinarData))
		if all == nil {
			return nil
		}
		return all.ForEachBucket(func(key []byte) error {
			joins := all.Bucket(key).Bucket([]byte(subJoins))
			if joins == nil {
				return nil
			}
			if k, _ := joins.Cursor().Last(); len(k) >= 8 {
				out[string(key)] = timeFromKey(k[:8])
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: last join times: %w", err)
	}
	return out, nil
}

// joinedRegistrants is the set of registrants of a webinar's data bucket
// who joined session, or any session when session is "": those a webhook
// saw join, and those GoTo's attendance report lists (a session held while
// webinarsync was not running).
func joinedRegistrants(data *bolt.Bucket, session string) (map[string]bool, error) {
	joined := map[string]bool{}
	if att := data.Bucket([]byte(subAttendance)); att != nil {
		// Attendance keys are sessionKey, NUL, registrantKey.
		var prefix []byte
		if session != "" {
			prefix = append([]byte(session), 0)
		}
		c := att.Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			if i := bytes.IndexByte(k, 0); i >= 0 {
				joined[string(k[i+1:])] = true
			}
		}
	}
	b := data.Bucket([]byte(subJoins))
	if b == nil {
		return joined, nil
	}
	err := b.ForEach(func(k, v []byte) error {
		var j struct {
			SessionKey    string `json:"sessionKey"`
			RegistrantKey string `json:"registrantKey"`
		}
		if err := json.Unmarshal(v, &j); err != nil {
			return fmt.Errorf("decode join %s: %w", k[8:], err)
		}
		if session == "" || j.SessionKey == session {
			joined[j.RegistrantKey] = true
		}
		return nil
	})
	return joined, err
}

// indexJoinSeqs gives every webinar its joins' seq index again, from the
// joins and the events, unless this version wrote the views last: in a
// database from before the index, or one an older version has written
// joins to since, the index would miss joins.
func indexJoinSeqs(tx *bolt.Tx) error {
	meta := tx.Bucket([]byte(bucketMeta))
	if at := meta.Get([]byte(metaJoinSeqsAt)); at != nil && bytes.Equal(at, meta.Get([]byte(metaApplied))) {
		return nil
	}
	all := tx.Bucket([]byte(bucketWebinarData))
	events := tx.Bucket([]byte(bucketEvents))
	var webinars [][]byte
	err := all.ForEachBucket(func(webinar []byte) error {
		webinars = append(webinars, bytes.Clone(webinar))
		return nil
	})
	if err != nil {
		return err
	}
	for _, webinar := range webinars { // not while walking the webinars: this writes
		data := all.Bucket(webinar)
		joins := data.Bucket([]byte(subJoins))
		if joins == nil {
			continue
		}
		if data.Bucket([]byte(subJoinSeqs)) != nil {
			if err := data.DeleteBucket([]byte(subJoinSeqs)); err != nil {
				return fmt.Errorf("webinar %s: join seq index: %w", webinar, err)
			}
		}
		seqs, err := data.CreateBucket([]byte(subJoinSeqs))
		if err != nil {
			return fmt.Errorf("webinar %s: join seq index: %w", webinar, err)
		}
		var keys [][]byte
		if err := joins.ForEach(func(k, _ []byte) error {
			keys = append(keys, bytes.Clone(k))
			return nil
		}); err != nil {
			return err
		}
		for _, k := range keys {
			if seq := seqOf(events, k[8:]); seq != 0 {
				if err := seqs.Put(u64(seq), k); err != nil {
					return fmt.Errorf("webinar %s: join seq index: %w", webinar, err)
				}
			}
		}
	}
	if applied := meta.Get([]byte(metaApplied)); applied != nil {
		return meta.Put([]byte(metaJoinSeqsAt), bytes.Clone(applied))
	}
	return nil // older still: startViews notes how far the views go, and this with it
}

// seqOf is the log seq of the join delivered with eventKey, 0 if unknown.
// A registrant.joined whose eventKey another event holds is found under
// its name (see keepEventKey).
func seqOf(events *bolt.Bucket, eventKey []byte) uint64 {
	if events == nil {
		return 0
	}
	v := events.Get(eventKey)
	if named := events.Tx().Bucket([]byte(bucketEventsByName)); named != nil {
		if own := named.Get(namedEventKey(gotowebinar.EventRegistrantJoined, eventKey)); own != nil {
			v = own
		}
	}
	if len(v) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(v)
}

// timeFromKey undoes timeKey; the zero time for its clamped ends.
func timeFromKey(k []byte) time.Time {
	n := binary.BigEndian.Uint64(k)
	if n == 0 || n == 1<<64-1 {
		return time.Time{}
	}
	return time.Unix(0, int64(n^1<<63)).UTC()
}
