package store

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

const defaultLimit = 50

// Webinars lists every known webinar, soonest-starting last-first (newest start first).
// A webinar without times sorts by when it last changed.
func (s *Store) Webinars() ([]Webinar, error) {
	var ws []Webinar
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(bucketWebinars))
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var w Webinar
			if err := json.Unmarshal(v, &w); err != nil {
				return fmt.Errorf("decode webinar %s: %w", k, err)
			}
			ws = append(ws, w)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: webinars: %w", err)
	}
	slices.SortFunc(ws, func(a, b Webinar) int {
		if c := webinarSortTime(b).Compare(webinarSortTime(a)); c != 0 {
			return c
		}
		return cmp.Compare(a.WebinarKey, b.WebinarKey)
	})
	return ws, nil
}

func webinarSortTime(w Webinar) time.Time {
	return firstNonZero(w.StartTime, w.UpdatedAt, w.CreatedAt)
}

// Webinar returns one webinar or ErrNotFound.
func (s *Store) Webinar(webinarKey string) (Webinar, error) {
	var w Webinar
	err := s.view(func(tx *bolt.Tx) error {
		var found bool
		var err error
		w, found, err = getWebinar(tx, webinarKey)
		if err == nil && !found {
			err = ErrNotFound
		}
		return err
	})
	if err != nil {
		return Webinar{}, fmt.Errorf("store: webinar %s: %w", webinarKey, err)
	}
	return w, nil
}

// Registrants returns one page of a webinar's registrants and how many match in all.
// It walks the registration-date index, whose entries carry the searchable
// text, and decodes only the page's records. Without a search the total
// comes from counters and the walk stops at the page's end, so a first page
// costs about Limit reads however many registrants there are.
func (s *Store) Registrants(webinarKey string, q RegistrantQuery) (page []Registrant, total int, err error) {
	limit := q.Limit
	if limit <= 0 {
		limit = defaultLimit
	}
	offset := max(q.Offset, 0)
	search := strings.ToLower(strings.TrimSpace(q.Search))
	status := strings.TrimSpace(q.Status)
	err = s.view(func(tx *bolt.Tx) error {
		w, found, err := getWebinar(tx, webinarKey)
		if err != nil {
			return err
		}
		if !found {
			return ErrNotFound
		}
		data, _ := webinarData(tx, webinarKey, false)
		if data == nil {
			return nil
		}
		regs, index := data.Bucket([]byte(subRegistrants)), data.Bucket([]byte(subByRegDate))
		if regs == nil || index == nil {
			return nil
		}
		var joined map[string]bool
		if q.NotJoined {
			if joined, err = joinedRegistrants(data, q.Session); err != nil {
				return err
			}
		}
		counted := search == "" && !q.NotJoined
		switch {
		case !counted:
		case status == "":
			total = w.Registrants
		default:
			total = statusCount(data.Bucket([]byte(subStatuses)), status)
		}
		c := index.Cursor()
		first, next := c.Last, c.Prev
		if q.Sort == SortRegisteredAsc {
			first, next = c.First, c.Next
		}
		matched := 0
		for k, v := first(); k != nil; k, v = next() {
			if counted && len(page) == limit {
				break
			}
			if !matchesSearchText(v, search, status) || joined[string(k[8:])] {
				continue
			}
			matched++
			if matched <= offset || len(page) == limit {
				continue // only the page's records are read
			}
			regKey := k[8:]
			rv := regs.Get(regKey)
			if rv == nil {
				return fmt.Errorf("registrant %s indexed but missing", regKey)
			}
			r, err := decodeRegistrant(rv)
			if err != nil {
				return fmt.Errorf("registrant %s: %w", regKey, err)
			}
			page = append(page, r.Registrant)
		}
		if !counted {
			total = matched
		}
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("store: registrants of %s: %w", webinarKey, err)
	}
	return page, total, nil
}

// matchesSearchText applies a lower-cased search and a status (any case) to
// an index entry's searchText.
func matchesSearchText(text []byte, search, status string) bool {
	if search == "" && status == "" {
		return true
	}
	fields := bytes.Split(text, []byte{0})
	if len(fields) != 4 {
		return false
	}
	if status != "" && !strings.EqualFold(string(fields[3]), status) {
		return false
	}
	if search == "" {
		return true
	}
	for _, f := range fields[:3] {
		if bytes.Contains(f, []byte(search)) {
			return true
		}
	}
	return false
}

// statusCount sums the counts of the statuses equal to status ignoring case.
func statusCount(b *bolt.Bucket, status string) int {
	if b == nil {
		return 0
	}
	n := 0
	_ = b.ForEach(func(k, _ []byte) error {
		if strings.EqualFold(string(k), status) {
			n += int(counter(b, string(k)))
		}
		return nil
	})
	return n
}

// Registrant returns one registrant or ErrNotFound.
func (s *Store) Registrant(webinarKey, registrantKey string) (Registrant, error) {
	var r registrantRecord
	err := s.view(func(tx *bolt.Tx) error {
		data, _ := webinarData(tx, webinarKey, false)
		if data == nil {
			return ErrNotFound
		}
		var found bool
		var err error
		r, found, err = getRegistrant(data.Bucket([]byte(subRegistrants)), registrantKey)
		if err == nil && !found {
			err = ErrNotFound
		}
		return err
	})
	if err != nil {
		return Registrant{}, fmt.Errorf("store: registrant %s of %s: %w", registrantKey, webinarKey, err)
	}
	return r.Registrant, nil
}

// Statuses lists the distinct registrant statuses seen for a webinar.
func (s *Store) Statuses(webinarKey string) ([]string, error) {
	var out []string
	err := s.viewWebinarData(webinarKey, func(data *bolt.Bucket) error {
		b := data.Bucket([]byte(subStatuses))
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, _ []byte) error {
			out = append(out, string(k))
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: statuses of %s: %w", webinarKey, err)
	}
	return out, nil
}

// Questions lists a webinar's custom question texts in first-seen order.
func (s *Store) Questions(webinarKey string) ([]string, error) {
	var out []string
	err := s.viewWebinarData(webinarKey, func(data *bolt.Bucket) error {
		var err error
		out, err = decodeStrings(data.Get([]byte(keyQuestions)))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: questions of %s: %w", webinarKey, err)
	}
	return out, nil
}

// Joins lists a webinar's joins, newest join time first, each with its Seq, at
// most limit (0 = all).
func (s *Store) Joins(webinarKey string, limit int) ([]Join, error) {
	var out []Join
	err := s.viewWebinarData(webinarKey, func(data *bolt.Bucket) error {
		b := data.Bucket([]byte(subJoins))
		if b == nil {
			return nil
		}
		events := data.Tx().Bucket([]byte(bucketEvents))
		c := b.Cursor()
		for k, v := c.Last(); k != nil && (limit <= 0 || len(out) < limit); k, v = c.Prev() {
			var j Join
			if err := json.Unmarshal(v, &j); err != nil {
				return fmt.Errorf("decode join %s: %w", k[8:], err)
			}
			j.Seq = seqOf(events, k[8:])
			out = append(out, j)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: joins of %s: %w", webinarKey, err)
	}
	return out, nil
}

// viewWebinarData runs fn on a known webinar's data bucket in a read
// transaction; ErrNotFound for an unknown webinar.
func (s *Store) viewWebinarData(webinarKey string, fn func(data *bolt.Bucket) error) error {
	return s.view(func(tx *bolt.Tx) error {
		if _, found, err := getWebinar(tx, webinarKey); err != nil {
			return err
		} else if !found {
			return ErrNotFound
		}
		data, _ := webinarData(tx, webinarKey, false)
		if data == nil {
			return nil
		}
		return fn(data)
	})
}

// Events returns one page of the event log, newest first.
func (s *Store) Events(q EventQuery) ([]LogEntry, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = defaultLimit
	}
	var out []LogEntry
	err := s.view(func(tx *bolt.Tx) error {
		logB := tx.Bucket([]byte(bucketLog))
		if logB == nil {
			return nil
		}
		// With a name, walk that name's index of seqs instead of the whole log.
		keys := logB
		if q.Name != "" {
			names := tx.Bucket([]byte(bucketLogNames))
			if names == nil {
				return nil
			}
			if keys = names.Bucket([]byte(q.Name)); keys == nil {
				return nil
			}
		}
		c := keys.Cursor()
		var k []byte
		if q.Before == 0 {
			k, _ = c.Last()
		} else if k, _ = c.Seek(u64(q.Before)); k == nil {
			k, _ = c.Last()
		} else {
			k, _ = c.Prev()
		}
		for ; k != nil && len(out) < limit; k, _ = c.Prev() {
			v := logB.Get(k)
			if v == nil {
				return fmt.Errorf("event %x indexed but missing", k)
			}
			e, err := decodeLogRecord(v, true)
			if err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: events: %w", err)
	}
	return out, nil
}

// Event returns one log entry by Seq or ErrNotFound.
func (s *Store) Event(seq uint64) (LogEntry, error) {
	var e LogEntry
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(bucketLog))
		if b == nil {
			return ErrNotFound
		}
		v := b.Get(u64(seq))
		if v == nil {
			return ErrNotFound
		}
		var err error
		e, err = decodeLogRecord(v, true)
		return err
	})
	if err != nil {
		return LogEntry{}, fmt.Errorf("store: event %d: %w", seq, err)
	}
	return e, nil
}

// EventNames lists the distinct eventNames in the log.
func (s *Store) EventNames() ([]string, error) {
	var out []string
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(bucketLogNames))
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, _ []byte) error {
			out = append(out, string(k))
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: event names: %w", err)
	}
	return out, nil
}
