package store

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// Options tune Open. The zero value is what the app uses.
type Options struct {
	LockTimeout time.Duration // how long to wait for another process's lock; 0 = 1s
	Logger      *slog.Logger  // nil = slog.Default()

	// NoSync skips the fsyncs: for tests of everything but durability,
	// which wait on the disk for nothing otherwise (the kill -9 tests keep
	// them: the page cache survives a killed process anyway). The app
	// never sets it.
	NoSync bool
}

// Store is the open database.
type Store struct {
	db  *bolt.DB
	dir string
	log *slog.Logger

	// swap is held shared by every use of db (view, update, batch) and
	// exclusively only while the file is replaced under a running app.
	swap   sync.RWMutex
	writer *committer // group commit for deliveries; nil when read-only
	views  *views     // applies the log to the views (apply.go); nil when read-only
	upkeep upkeep     // compaction and erasure (compact.go, erase.go)

	health *health // start-up checks (open_check.go); nil when read-only

	spools      chan struct{}                      // exports spooling now (spool.go)
	createSpool func(dir string) (*os.File, error) // nil = os.CreateTemp; tests make a full disk

	// secrets mirrors the secrets bucket, newest ValidFrom first: the
	// receiver reads it on every delivery and must not wait for a disk read.
	secretsMu sync.RWMutex
	secrets   []SecretKey

	subsMu sync.Mutex
	subs   map[chan LogEntry]struct{}
	closed bool
}

// FileName is the database file inside the data dir.
const FileName = "webinarsync.db"

const defaultLockTimeout = time.Second

// Top-level buckets. Per-webinar data lives in a sub-bucket of bucketWebinarData
// named by the webinarKey, holding the sub-buckets below it.
const (
	bucketEvents      = "events"      // eventKey -> seq (8-byte big-endian)
	bucketLog         = "log"         // seq -> log record (see encodeLogRecord)
	bucketLogNames    = "lognames"    // eventName -> {seq -> ""}: the log filtered by name without a scan
	bucketMeta        = "meta"        // counters and store-wide values
	bucketWebinars    = "webinars"    // webinarKey -> Webinar JSON, counts included
	bucketWebinarData = "webinardata" // webinarKey -> per-webinar sub-buckets
	bucketSecrets     = "secrets"     // id -> SecretKey JSON
	bucketSettings    = "settings"    // name -> value

	subRegistrants = "registrants" // registrantKey -> registrantRecord JSON
	subByRegDate   = "byregdate"   // timeKey(registration) + registrantKey -> searchText
	subJoins       = "joins"       // timeKey(join) + eventKey -> Join JSON
	subJoinSeqs    = "joinseqs"    // log seq (8-byte big-endian) -> its key in subJoins
	subStatuses    = "statuses"    // registrant status -> count (8-byte big-endian)
	keyQuestions   = "questions"   // JSON []string, first-seen order

	metaWebinars    = "webinars"
	metaRegistrants = "registrants"
	metaJoins       = "joins"
	metaEvents      = "events"
	metaQuestions   = "questions" // union of all webinars' questions, first-seen order
)

// Open opens (creating if needed) dir/webinarsync.db. dir is created 0700,
// the file 0600. When another process holds the lock, Open fails within
// LockTimeout with an error wrapping ErrLocked that names dir.
func Open(dir string, opt Options) (*Store, error) {
	if dir == "" {
		return nil, errors.New("store: open: no data dir given")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("store: create data dir: %w", err)
	}
	permErr := tightenPermissions(dir, cmp.Or(opt.Logger, slog.Default()))
	_, statErr := os.Stat(filepath.Join(dir, FileName))
	s, err := open(dir, opt, false)
	if err != nil {
		return nil, err
	}
	if err := s.verify(statErr == nil); err != nil {
		return nil, errors.Join(err, s.db.Close())
	}
	err = s.update(func(tx *bolt.Tx) error {
		for _, name := range []string{bucketEvents, bucketLog, bucketLogNames, bucketMeta,
			bucketWebinars, bucketWebinarData, bucketSecrets, bucketSettings} {
			if _, err := tx.CreateBucketIfNotExists([]byte(name)); err != nil {
				return fmt.Errorf("bucket %s: %w", name, err)
			}
		}
		if err := indexJoinSeqs(tx); err != nil {
			return err
		}
		return tx.Bucket([]byte(bucketMeta)).Put([]byte(metaFormat), []byte(formatValue))
	})
	if err == nil {
		err = s.startViews()
	}
	if err == nil {
		err = s.loadSecrets()
	}
	if err != nil {
		s.writer.close()
		s.closeViews()
		return nil, errors.Join(fmt.Errorf("store: open %s: %w", s.db.Path(), err), s.db.Close())
	}
	s.startCheck(permErr)
	return s, nil
}

// OpenReadOnly opens an existing database for reading, failing with
// ErrLocked (within LockTimeout) while a writer holds it.
func OpenReadOnly(dir string, opt Options) (*Store, error) {
	s, err := open(dir, opt, true)
	if err != nil {
		return nil, err
	}
	if err := s.verify(true); err != nil {
		return nil, errors.Join(err, s.db.Close())
	}
	if err := s.loadSecrets(); err != nil {
		return nil, errors.Join(fmt.Errorf("store: open %s: %w", s.db.Path(), err), s.db.Close())
	}
	return s, nil
}

func open(dir string, opt Options, readOnly bool) (*Store, error) {
	timeout := opt.LockTimeout
	if timeout <= 0 {
		timeout = defaultLockTimeout
	}
	path := filepath.Join(dir, FileName)
	if err := preflight(path); err != nil {
		return nil, err
	}
	db, err := openBolt(path, &bolt.Options{Timeout: timeout, ReadOnly: readOnly, NoSync: opt.NoSync})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("another webinarsync is already using the data dir %s (%w)", dir, ErrLocked)
	}
	if _, ok := errors.AsType[*DamagedError](err); ok {
		return nil, err // says the path and what to do
	}
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	log := opt.Logger
	if log == nil {
		log = slog.Default()
	}
	s := &Store{db: db, dir: dir, log: log, subs: make(map[chan LogEntry]struct{}), spools: make(chan struct{}, maxSpools)}
	if !readOnly {
		s.health = &health{done: make(chan struct{})}
		s.writer = newCommitter(s)
	}
	return s, nil
}

// view runs fn in a read transaction that sees every delivery
// acknowledged before the call.
func (s *Store) view(fn func(*bolt.Tx) error) error {
	s.views.wait()
	s.swap.RLock()
	defer s.swap.RUnlock()
	return s.db.View(fn)
}

// update runs fn in a write transaction of its own, after the views
// cover every delivery acknowledged before the call (so a write that reads
// a view, a merge say, builds on every delivery before it).
func (s *Store) update(fn func(*bolt.Tx) error) error {
	s.views.wait()
	return s.write(fn)
}

// write runs fn in a write transaction at once: for the log's own writers
// (the committer, the applier), which the views must never hold up.
func (s *Store) write(fn func(*bolt.Tx) error) error {
	s.swap.RLock()
	defer s.swap.RUnlock()
	return s.db.Update(fn)
}

// batch runs fn in a commit shared with whatever else is queued (see
// committer). fn may run more than once, so it must only touch tx.
func (s *Store) batch(fn func(*bolt.Tx) error) error {
	if s.writer == nil {
		return s.update(fn)
	}
	s.views.wait()
	for {
		// Only deliveries are turned away while the file is compacted;
		// the other batched writes wait for it.
		err := s.writer.do(fn)
		if !errors.Is(err, ErrBusy) {
			return err
		}
		s.waitCompaction()
	}
}

// Close closes the database and ends every Subscribe channel.
func (s *Store) Close() error {
	s.subsMu.Lock()
	if !s.closed {
		s.closed = true
		for ch := range s.subs {
			close(ch)
		}
		clear(s.subs)
	}
	s.subsMu.Unlock()
	if s.writer != nil {
		s.writer.close()
	}
	s.closeViews()
	s.swap.Lock() // a compaction under way finishes first
	defer s.swap.Unlock()
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	return nil
}

// Dir is the data dir.
func (s *Store) Dir() string { return s.dir }

// Counts returns totals.
func (s *Store) Counts() (Counts, error) {
	var c Counts
	err := s.view(func(tx *bolt.Tx) error {
		meta := tx.Bucket([]byte(bucketMeta))
		c = Counts{
			Webinars:    int(counter(meta, metaWebinars)),
			Registrants: int(counter(meta, metaRegistrants)),
			Joins:       int(counter(meta, metaJoins)),
			Events:      int(counter(meta, metaEvents)),
		}
		return nil
	})
	if err != nil {
		return Counts{}, fmt.Errorf("store: counts: %w", err)
	}
	return c, nil
}

// LastDelivery is when the newest stored delivery arrived (zero if none).
func (s *Store) LastDelivery() (time.Time, error) {
	var t time.Time
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(bucketLog))
		if b == nil {
			return nil
		}
		k, v := b.Cursor().Last()
		if k == nil {
			return nil
		}
		e, err := decodeLogRecord(v, false)
		t = e.ReceivedAt
		return err
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("store: last delivery: %w", err)
	}
	return t, nil
}

// Subscribe returns a channel that receives each newly stored log entry
// (without Raw), for live views. Redeliveries are not sent. A subscriber
// that falls behind by more than 64 entries misses entries rather than
// slowing deliveries; it can catch up with Events. cancel ends the
// subscription; Close ends them all by closing the channel.
func (s *Store) Subscribe() (entries <-chan LogEntry, cancel func()) {
	ch := make(chan LogEntry, 64)
	s.subsMu.Lock()
	defer s.subsMu.Unlock()
	if s.closed {
		close(ch)
		return ch, func() {}
	}
	s.subs[ch] = struct{}{}
	return ch, func() {
		s.subsMu.Lock()
		defer s.subsMu.Unlock()
		if _, ok := s.subs[ch]; ok {
			delete(s.subs, ch)
			close(ch)
		}
	}
}

func (s *Store) publish(e LogEntry) {
	e.Raw = nil // live views re-read what they show; Raw can be large
	s.subsMu.Lock()
	defer s.subsMu.Unlock()
	for ch := range s.subs {
		select {
		case ch <- e:
		default:
		}
	}
}

// counter reads an 8-byte big-endian counter; a missing bucket or key is 0.
func counter(b *bolt.Bucket, name string) uint64 {
	if b == nil {
		return 0
	}
	v := b.Get([]byte(name))
	if len(v) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(v)
}

// addCounter adds delta to a counter, never going below zero.
func addCounter(b *bolt.Bucket, name string, delta int) error {
	n := int64(counter(b, name)) + int64(delta)
	if n <= 0 {
		return b.Delete([]byte(name))
	}
	return b.Put([]byte(name), u64(uint64(n)))
}

func u64(n uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, n)
	return b
}

// timeKey encodes t so that byte order is time order, prefixed to keys of
// indexes that must be read newest- or oldest-first without sorting. The
// sign bit is flipped so instants before 1970 sort first; the zero time
// sorts before everything.
func timeKey(t time.Time) []byte {
	var n uint64
	switch {
	case t.Before(time.Unix(0, math.MinInt64)): // includes the zero time
		n = 0
	case t.After(time.Unix(0, math.MaxInt64)):
		n = 1<<64 - 1
	default:
		n = uint64(t.UnixNano()) ^ 1<<63
	}
	return u64(n)
}
