package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// What Open does before trusting a file: a damaged or foreign database is
// refused with a typed error instead of being opened, panicked on, or
// silently replaced by an empty one; loose permissions are tightened; and
// a background consistency check reports what bbolt finds.

// DamagedError: the database file exists but cannot be read as a bbolt
// database (truncated, zero bytes, overwritten, bad pages).
type DamagedError struct {
	Path string
	Why  string // what is wrong, in words
	Err  error  // bbolt's error or the recovered panic, when there is one
}

func (e *DamagedError) Error() string {
	return fmt.Sprintf("the database at %s is damaged (%s): restore a backup with `webinarsync restore`, "+
		"or move the file away to start empty", e.Path, e.Why)
}

func (e *DamagedError) Unwrap() error { return e.Err }

// ErrForeign: the file is a healthy bbolt database, but not webinarsync's.
var ErrForeign = errors.New("not a webinarsync database")

// ForeignError names the file that is someone else's; it matches ErrForeign.
type ForeignError struct{ Path string }

func (e *ForeignError) Error() string {
	return fmt.Sprintf("the file at %s is a database, but not webinarsync's: use another -data dir, "+
		"or move the file away to start empty", e.Path)
}

func (e *ForeignError) Is(target error) bool { return target == ErrForeign }

// formatMarker, in the meta bucket, says the file is ours; files from
// before the marker are recognised by their buckets.
const (
	metaFormat  = "format"
	formatValue = "webinarsync/1"
)

// CheckMaxSize is the largest file the start-up consistency check reads:
// it holds the writer lock while it runs, and below this size it takes well
// under a second, so deliveries wait at most that long once.
const CheckMaxSize = 64 << 20

// preflight refuses what bbolt would silently treat as new: a zero-byte
// file would be initialised as an empty database over whatever was lost.
func preflight(path string) error {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store: open %s: %w (may you read it?)", path, err)
	}
	if !fi.Mode().IsRegular() {
		return &DamagedError{Path: path, Why: "it is not a regular file"}
	}
	if fi.Size() == 0 {
		return &DamagedError{Path: path, Why: "the file is empty (0 bytes)"}
	}
	return nil
}

// openBolt is bolt.Open turning bbolt's errors about the file's contents,
// and any panic or fault on a corrupt page, into a *DamagedError. bbolt
// panics holding the file open and locked, so the file is caught through
// OpenFile and closed: the lock must not outlive a refused open (restore
// runs in the same process).
func openBolt(path string, opts *bolt.Options) (db *bolt.DB, err error) {
	var file *os.File
	opts.OpenFile = func(name string, flag int, mode os.FileMode) (*os.File, error) {
		f, err := os.OpenFile(name, flag, mode)
		file = f
		return f, err
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if _, ok := errors.AsType[*DamagedError](err); ok && db == nil && file != nil {
			file.Close()
		}
	}()
	defer recoverDamage(path, &err)
	if why := truncated(path); why != "" {
		return nil, &DamagedError{Path: path, Why: why}
	}
	db, err = bolt.Open(path, 0o600, opts)
	if err == nil || errors.Is(err, berrors.ErrTimeout) || errors.Is(err, fs.ErrPermission) || errors.Is(err, fs.ErrNotExist) {
		return db, err
	}
	if _, ok := errors.AsType[*fs.PathError](err); ok {
		return nil, err // the file system, not the contents
	}
	return nil, &DamagedError{Path: path, Why: whyDamaged(err), Err: err}
}

// truncated reads the high-water mark from the file's newest valid meta
// page (the bbolt file format: a 16-byte page header, then magic, version,
// page size, flags, root, sequence, freelist, pgid, txid and an FNV-64a
// checksum of what precedes it) and says so when it lies past the end of
// the file. bbolt itself would read past the end and fault or panic, which
// says nothing useful.
func truncated(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return "" // bbolt will say why
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return ""
	}
	const magic = 0xED0CDAED
	var need int64
	var newest uint64
	next := int64(0)
	for range 2 { // meta 0 at 0; meta 1 one page in, as big as meta 0 says
		var m [80]byte
		if _, err := f.ReadAt(m[:], next); err != nil || binary.LittleEndian.Uint32(m[16:]) != magic {
			return ""
		}
		pageSize := int64(binary.LittleEndian.Uint32(m[24:]))
		h := fnv.New64a()
		h.Write(m[16:72])
		if h.Sum64() == binary.LittleEndian.Uint64(m[72:]) {
			if txid := binary.LittleEndian.Uint64(m[64:]); txid >= newest {
				newest, need = txid, int64(binary.LittleEndian.Uint64(m[56:]))*pageSize
			}
		}
		next = pageSize
	}
	if need > fi.Size() {
		return fmt.Sprintf("the file is truncated: %d bytes of %d", fi.Size(), need)
	}
	return ""
}

func whyDamaged(err error) string {
	switch {
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrChecksum):
		return "its header pages are unreadable or overwritten"
	case errors.Is(err, berrors.ErrVersionMismatch):
		return "it was written by an incompatible version of the database library"
	}
	return err.Error()
}

// recoverDamage turns a panic (bbolt panics on some corrupt pages) or a
// memory fault (a page past the end of a truncated file) in the calling
// function into a *DamagedError. Faults become panics only for goroutines
// that ask, hence SetPanicOnFault.
func recoverDamage(path string, err *error) {
	if r := recover(); r != nil {
		*err = &DamagedError{Path: path, Why: fmt.Sprintf("reading it failed: %v", r), Err: fmt.Errorf("panic: %v", r)}
	}
}

// verify looks at a database bbolt has opened, before Open creates its
// buckets in it: the file must not be shorter than its own header says,
// and a file with buckets must have ours.
func (s *Store) verify(existed bool) error { return verifyDB(s.db, existed) }

func verifyDB(db *bolt.DB, existed bool) (err error) {
	path := db.Path()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer recoverDamage(path, &err)
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("store: open %s: %w", path, err)
	}
	return db.View(func(tx *bolt.Tx) error {
		if tx.Size() > fi.Size() {
			return &DamagedError{Path: path, Why: fmt.Sprintf("the file is truncated: %d bytes of %d", fi.Size(), tx.Size())}
		}
		if !existed {
			return nil
		}
		var names []string
		if err := tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			names = append(names, string(name))
			b.Cursor().First() // reads the bucket's root page: a bad one fails here, not later
			return nil
		}); err != nil {
			return &DamagedError{Path: path, Why: "its bucket list is unreadable", Err: err}
		}
		if meta := tx.Bucket([]byte(bucketMeta)); meta != nil && string(meta.Get([]byte(metaFormat))) == formatValue {
			return nil
		}
		// An empty bbolt file is one our first start left before creating
		// its buckets; files from before the marker have these two.
		if len(names) == 0 || (tx.Bucket([]byte(bucketEvents)) != nil && tx.Bucket([]byte(bucketMeta)) != nil) {
			return nil
		}
		return &ForeignError{Path: path}
	})
}

// CheckState is how far the start-up consistency check has got.
type CheckState int

const (
	CheckRunning CheckState = iota // not finished yet
	CheckPassed                    // bbolt found nothing wrong
	CheckFailed                    // Health.Problems says what bbolt found
	CheckSkipped                   // the file is larger than CheckMaxSize
)

// Health is what the start-up checks found, for the home page to word.
type Health struct {
	Check     CheckState
	CheckedAt time.Time
	Problems  []string // bbolt's findings, at most maxProblems
	Size      int64    // the file's size when the check began
	// Permissions is a *PermissionError when the data dir or file is
	// readable by others and could not be tightened; nil otherwise.
	Permissions error
}

const maxProblems = 10

// health is the Store's copy of Health, written once by the check.
type health struct {
	mu      sync.Mutex
	h       Health
	running []string      // damage met while running (noteDamage)
	done    chan struct{} // closed when the check is over
}

// noteDamage records a failure that means the file is damaged (bbolt
// panics on a page it cannot read), met by a write or by the views, so the
// home page says the database needs attention instead of the process
// dying. The delivery that met it gets a 5xx, so GoTo retries.
func (s *Store) noteDamage(where string, err error) {
	if s.health == nil {
		return
	}
	s.log.Error("store: the database file looks damaged; restore a backup or move it away", "while", where, "err", err)
	s.health.mu.Lock()
	defer s.health.mu.Unlock()
	if len(s.health.running) < maxProblems {
		s.health.running = append(s.health.running, where+": "+err.Error())
	}
}

// Health says what the start-up checks found. The consistency check runs
// in the background; until it ends, Check is CheckRunning.
func (s *Store) Health() Health {
	if s.health == nil { // read-only stores skip the checks
		return Health{Check: CheckSkipped}
	}
	s.health.mu.Lock()
	defer s.health.mu.Unlock()
	h := s.health.h
	h.Problems = append([]string(nil), h.Problems...)
	if len(s.health.running) > 0 {
		h.Check = CheckFailed
		h.Problems = append(h.Problems, s.health.running...)
	}
	return h
}

// startCheck runs bbolt's consistency check in the background on files up
// to CheckMaxSize. It uses a writable transaction: bbolt documents Check as
// safe only there while other writers run (a read-only one races with the
// freelist and would report pages a later commit freed).
func (s *Store) startCheck(permissions error) {
	s.health.mu.Lock()
	s.health.h = Health{Permissions: permissions}
	s.health.mu.Unlock()
	fi, err := os.Stat(s.db.Path())
	if err == nil {
		s.health.h.Size = fi.Size()
	}
	if err != nil || fi.Size() > CheckMaxSize {
		s.health.h.Check = CheckSkipped
		close(s.health.done)
		return
	}
	go func() {
		defer close(s.health.done)
		s.swap.RLock() // not while a compaction replaces the file
		problems, err := checkDB(s.db)
		s.swap.RUnlock()
		if errors.Is(err, berrors.ErrDatabaseNotOpen) {
			return // closed before the check began
		}
		if err != nil {
			problems = append(problems, err.Error())
		}
		s.health.mu.Lock()
		s.health.h.CheckedAt = time.Now()
		s.health.h.Problems = problems
		s.health.h.Check = CheckPassed
		if len(problems) > 0 {
			s.health.h.Check = CheckFailed
		}
		s.health.mu.Unlock()
		if len(problems) > 0 {
			s.log.Error("the database failed its consistency check: make a backup now and keep the file; "+
				"restore an older backup if data is missing", "path", s.db.Path(), "problems", problems)
		}
	}()
}

// checkDB runs tx.Check in a writable transaction that it rolls back.
func checkDB(db *bolt.DB) (problems []string, err error) {
	tx, err := db.Begin(true)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	for err := range tx.Check() {
		if len(problems) < maxProblems {
			problems = append(problems, err.Error())
		}
	}
	return problems, nil
}

// PermissionError: the data dir or file is readable by other users and
// could not be made private.
type PermissionError struct {
	Path string
	Mode fs.FileMode // the mode it has
	Err  error
}

func (e *PermissionError) Error() string {
	return fmt.Sprintf("%s is readable by other users (%v) and could not be made private: %v; "+
		"run `chmod 700` on the data dir and `chmod 600` on the file", e.Path, e.Mode.Perm(), e.Err)
}

func (e *PermissionError) Unwrap() error { return e.Err }

// tightenPermissions makes an existing data dir 0700 and its database file
// 0600: both may predate the rule, or a copy (a restored backup, an
// unpacked archive) may have brought looser modes. What cannot be changed is
// returned as a *PermissionError for the home page, not a reason to stop.
func tightenPermissions(dir string, log *slog.Logger) error {
	if runtime.GOOS == "windows" {
		return nil // modes there do not say who may read; the user's profile does
	}
	var errs []error
	for _, f := range []struct {
		path string
		want fs.FileMode
	}{{dir, 0o700}, {filepath.Join(dir, FileName), 0o600}} {
		fi, err := os.Stat(f.path)
		if err != nil || fi.Mode().Perm()&0o077 == 0 {
			continue // a missing file is created 0600 by bbolt
		}
		if err := os.Chmod(f.path, f.want); err != nil {
			errs = append(errs, &PermissionError{Path: f.path, Mode: fi.Mode(), Err: err})
			continue
		}
		log.Info("made the data private: others could read it", "path", f.path, "was", fi.Mode().Perm(), "now", f.want)
	}
	if len(errs) > 0 {
		return errs[0]
	}
	return nil
}
