package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"

	"webinarsync/gotowebinar"
)

// Compaction. bbolt reuses freed pages but never wipes them, so what an
// erasure deleted stays in the file's bytes until the file is rewritten.
// Compact copies the live data into a fresh file (bolt.Compact) and renames
// it over the old one while the app keeps running: it takes s.swap
// exclusively, with TryLock in a loop (a blocking Lock would queue every
// new reader behind a long export), copies, swaps s.db and lets go. While
// it holds the file, deliveries fail at once with ErrBusy (503 with
// Retry-After: GoTo sends them again) instead of waiting; other writes
// wait for it, and reads wait only while the copy runs.

// ErrBusy: the database is being compacted and takes no delivery for a
// moment. It wraps gotowebinar.ErrSinkBusy, so the receiver answers 503
// with Retry-After without knowing the store.
var ErrBusy = fmt.Errorf("store: compacting the database: %w", gotowebinar.ErrSinkBusy)

// ErrNotCompacted: an erasure or deletion is done (nothing shows or
// exports it any more), but the file could not be compacted yet, so old
// copies may remain in its free pages until a later compaction (the daily
// retention pass, or the next start) succeeds.
var ErrNotCompacted = errors.New("erased, but the database file is not compacted yet")

// metaCompactPending is set in the commit that deletes personal data and
// cleared in the compacted file, so a compaction that failed (busy, disk
// full, a crash) is done later.
const metaCompactPending = "compact.pending"

const (
	// compactWait bounds how long Compact tries to have the file to itself.
	compactWait = 20 * time.Second
	// compactFailFast is the end of compactWait during which deliveries are
	// turned away (503), so a steady flood cannot keep the file busy for ever.
	compactFailFast = 2 * time.Second
	// compactTxSize bounds each transaction of the copy.
	compactTxSize = 64 << 20
)

// upkeep is the state of the store's data lifecycle (compaction, erasure).
// Its zero value is ready.
type upkeep struct {
	compactMu sync.Mutex  // one compaction at a time
	failFast  atomic.Bool // deliveries get ErrBusy instead of waiting

	mu       sync.Mutex
	swapping chan struct{}  // closed when the compaction under way ends; nil when none
	logs     []*DeliveryLog // delivery records kept in this store: flushed and scrubbed by an erasure
}

// tryWrite is write for the committer: deliveries must not wait out a
// compaction, so while one holds the file it fails at once with ErrBusy.
func (s *Store) tryWrite(fn func(*bolt.Tx) error) error {
	if s.upkeep.failFast.Load() || !s.swap.TryRLock() {
		return ErrBusy
	}
	defer s.swap.RUnlock()
	return s.db.Update(fn)
}

// waitCompaction returns once the compaction under way, if any, is over.
func (s *Store) waitCompaction() {
	s.upkeep.mu.Lock()
	ch := s.upkeep.swapping
	s.upkeep.mu.Unlock()
	if ch != nil {
		<-ch
		return
	}
	s.swap.RLock() // held by a compaction about to say so: wait it out
	s.swap.RUnlock()
}

// CompactIfPending compacts the file when an erasure, a deletion or a
// retention pass left a compaction to do.
func (s *Store) CompactIfPending(ctx context.Context) (compacted bool, err error) {
	var pending bool
	if err := s.view(func(tx *bolt.Tx) error {
		pending = tx.Bucket([]byte(bucketMeta)).Get([]byte(metaCompactPending)) != nil
		return nil
	}); err != nil {
		return false, fmt.Errorf("store: compact: %w", err)
	}
	if !pending {
		return false, nil
	}
	return true, s.Compact(ctx)
}

// Compact rewrites the database into a fresh file holding only live data
// and puts it in place of the old one, while the store stays in use. It
// fails with an error wrapping ErrBusy when it cannot have the file to
// itself within 20 s (or before ctx ends): long reads (a big export) hold
// it. Deliveries get ErrBusy for the seconds of the copy.
func (s *Store) Compact(ctx context.Context) error {
	if s.writer == nil {
		return errors.New("store: compact: the store is open read-only")
	}
	s.upkeep.compactMu.Lock()
	defer s.upkeep.compactMu.Unlock()

	done := make(chan struct{})
	s.upkeep.mu.Lock()
	s.upkeep.swapping = done
	s.upkeep.mu.Unlock()
	defer func() {
		s.upkeep.failFast.Store(false)
		s.upkeep.mu.Lock()
		s.upkeep.swapping = nil
		s.upkeep.mu.Unlock()
		close(done)
	}()

	if err := s.acquire(ctx); err != nil {
		return err
	}
	defer s.swap.Unlock()
	s.upkeep.failFast.Store(true)
	start := time.Now()
	size, err := s.compactLocked()
	if err != nil {
		return fmt.Errorf("store: compact: %w", err)
	}
	s.log.Info("store: database compacted", "bytes", size, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// acquire takes s.swap exclusively with TryLock, never a blocking Lock:
// first while deliveries go on, then, for the last compactFailFast, with
// deliveries turned away so their commits no longer hold it.
func (s *Store) acquire(ctx context.Context) error {
	deadline := time.Now().Add(compactWait)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	failFastFrom := deadline.Add(-compactFailFast)
	pause := 100 * time.Microsecond
	for !s.swap.TryLock() {
		now := time.Now()
		if ctx.Err() != nil || now.After(deadline) {
			return fmt.Errorf("could not have the database to itself within %s (long reads or writes held it): %w",
				compactWait, ErrBusy)
		}
		if now.After(failFastFrom) {
			s.upkeep.failFast.Store(true)
		}
		time.Sleep(pause)
		pause = min(2*pause, 5*time.Millisecond)
	}
	return nil
}

// compactLocked copies the database into a temporary file in the data dir
// and renames it over the old one. The caller holds s.swap exclusively.
// On an error before the rename the old file stays as it was.
func (s *Store) compactLocked() (int64, error) {
	f, err := os.CreateTemp(s.dir, ".compact-*.db")
	if err != nil {
		return 0, fmt.Errorf("temporary file in %s: %w (is the disk full?)", s.dir, err)
	}
	tmp := f.Name()
	f.Close()
	renamed := false
	defer func() {
		if !renamed {
			os.Remove(tmp)
		}
	}()
	// NoSync during the copy, one sync at the end: the temporary file is
	// worthless until renamed.
	dst, err := bolt.Open(tmp, 0o600, &bolt.Options{Timeout: time.Second, NoSync: true})
	if err != nil {
		return 0, fmt.Errorf("temporary file: %w", err)
	}
	err = bolt.Compact(dst, s.db, compactTxSize)
	if err == nil {
		err = dst.Update(func(tx *bolt.Tx) error {
			if m := tx.Bucket([]byte(bucketMeta)); m != nil {
				return m.Delete([]byte(metaCompactPending))
			}
			return nil
		})
	}
	if err == nil {
		err = dst.Sync()
	}
	if err != nil {
		return 0, errors.Join(fmt.Errorf("copying: %w (is the disk full?)", err), dst.Close())
	}
	dst.NoSync = false
	var size int64
	if fi, err := os.Stat(tmp); err == nil {
		size = fi.Size()
	}
	path := filepath.Join(s.dir, FileName)

	if runtime.GOOS == "windows" {
		// Windows renames no open file: close both, rename, open again.
		if err := dst.Close(); err != nil {
			return 0, fmt.Errorf("closing the copy: %w", err)
		}
		if err := s.db.Close(); err != nil {
			return 0, fmt.Errorf("closing the database: %w", err)
		}
		if err := os.Rename(tmp, path); err != nil {
			// Reopen the old file; the copy is removed.
			db, oerr := openBolt(path, &bolt.Options{Timeout: 5 * time.Second})
			if oerr == nil {
				s.db = db
			}
			return 0, errors.Join(fmt.Errorf("replacing the file: %w", err), oerr)
		}
		renamed = true
		db, err := openBolt(path, &bolt.Options{Timeout: 5 * time.Second})
		if err != nil {
			return 0, fmt.Errorf("reopening the compacted file: %w", err)
		}
		s.db = db
		return size, nil
	}
	// Elsewhere the copy is renamed while open: its lock moves with it,
	// so no other process can take the file in between.
	if err := os.Rename(tmp, path); err != nil {
		return 0, errors.Join(fmt.Errorf("replacing the file: %w", err), dst.Close())
	}
	renamed = true
	syncDir(s.dir)
	old := s.db
	s.db = dst
	if err := old.Close(); err != nil {
		s.log.Warn("store: closing the database file replaced by its compacted copy", "err", err)
	}
	return size, nil
}
