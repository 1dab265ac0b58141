package store

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// Backup writes a copy of the whole database to w, taken in one read
// transaction: deliveries keep being stored meanwhile, and the copy holds
// exactly what was committed when it began. It returns the bytes written.
//
// A regular file is written from inside the transaction. Anything else (an
// HTTP response, a pipe) gets the copy from a private temporary file in
// the data dir after the transaction ends, as spool does for exports: a
// stalled reader must not hold the transaction, or bbolt could not grow the
// file and deliveries would wait.
func (s *Store) Backup(w io.Writer) (int64, error) {
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			return s.writeCopy(f)
		}
	}
	tmp, err := os.CreateTemp(s.dir, ".backup-*")
	if err != nil {
		return 0, fmt.Errorf("store: backup: temporary file in %s: %w (is the disk full?)", s.dir, err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	if _, err := s.writeCopy(tmp); err != nil {
		return 0, err
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return 0, fmt.Errorf("store: backup: rewinding temporary file: %w", err)
	}
	n, err := io.Copy(w, tmp)
	if err != nil {
		return n, fmt.Errorf("store: backup: sending: %w", err)
	}
	return n, nil
}

func (s *Store) writeCopy(w io.Writer) (n int64, err error) {
	err = s.view(func(tx *bolt.Tx) error {
		n, err = tx.WriteTo(w)
		return err
	})
	if err != nil {
		return n, fmt.Errorf("store: backup: %w", err)
	}
	return n, nil
}

// CheckFile says whether the file at path is a healthy webinarsync
// database: readable by bbolt, ours (not another program's, not empty), and
// passing bbolt's full consistency check. It returns a *DamagedError, a
// *ForeignError, or nil. Restore runs it before replacing anything.
func CheckFile(path string) error {
	if err := preflight(path); err != nil {
		return err
	}
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	db, err := openBolt(path, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if errors.Is(err, berrors.ErrTimeout) {
		return fmt.Errorf("%s is open in a running webinarsync: copy it with `webinarsync backup` instead (%w)", path, ErrLocked)
	}
	if err != nil {
		return err
	}
	defer db.Close()
	if err := verifyDB(db, true); err != nil {
		return err
	}
	return db.View(func(tx *bolt.Tx) error {
		if m := tx.Bucket([]byte(bucketMeta)); m == nil {
			return &ForeignError{Path: path} // an empty bbolt file restores nothing
		}
		// Read-only, nothing else writes: the cheap, safe kind of Check.
		var problems []error
		for err := range tx.Check() {
			if len(problems) < maxProblems {
				problems = append(problems, err)
			}
		}
		if len(problems) > 0 {
			return &DamagedError{Path: path, Why: "it fails the consistency check: " + errors.Join(problems...).Error(), Err: problems[0]}
		}
		return nil
	})
}

// Restore replaces dir's database with a copy of the backup at from. It
// refuses while a webinarsync holds dir (an error wrapping ErrLocked), and
// before touching anything checks the backup with CheckFile. The previous
// file, if any, is kept beside it as webinarsync.db.before-restore-<time>,
// whose path it returns ("" when there was none). The current file may be
// damaged: that is what restores are for.
func Restore(dir, from string, now time.Time) (keptAside string, err error) {
	if err := CheckFile(from); err != nil {
		return "", fmt.Errorf("not restoring %s: %w", from, err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("store: restore: create data dir: %w", err)
	}
	path := filepath.Join(dir, FileName)
	if same, _ := sameFile(from, path); same {
		return "", fmt.Errorf("%s is the database itself: name a backup file", from)
	}
	// Only the lock says whether a webinarsync runs here; bbolt takes it
	// before it reads anything, so a damaged file is still probed.
	if _, err := os.Stat(path); err == nil {
		db, err := openBolt(path, &bolt.Options{ReadOnly: true, Timeout: 300 * time.Millisecond})
		if errors.Is(err, berrors.ErrTimeout) {
			return "", fmt.Errorf("webinarsync is running with the data dir %s: stop it, then restore (%w)", dir, ErrLocked)
		}
		if err == nil {
			// Held until the swap where the OS allows (not Windows, which
			// cannot rename an open file), so a start meanwhile waits.
			if runtime.GOOS == "windows" {
				db.Close()
			} else {
				defer db.Close()
			}
		}
	}
	tmp, err := copyToTemp(from, dir)
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp) // gone after the rename; cleans up a failure
	if _, err := os.Stat(path); err == nil {
		keptAside = path + ".before-restore-" + now.Format("20060102-150405")
		if err := os.Rename(path, keptAside); err != nil {
			return "", fmt.Errorf("store: restore: moving the current database aside: %w", err)
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		return keptAside, fmt.Errorf("store: restore: %w (the previous database is at %s: rename it back to %s)", err, keptAside, FileName)
	}
	syncDir(dir)
	return keptAside, nil
}

// copyToTemp copies from into a private temporary file in dir, synced.
func copyToTemp(from, dir string) (string, error) {
	src, err := os.Open(from)
	if err != nil {
		return "", fmt.Errorf("store: restore: %w", err)
	}
	defer src.Close()
	dst, err := os.CreateTemp(dir, ".restore-*")
	if err != nil {
		return "", fmt.Errorf("store: restore: temporary file in %s: %w", dir, err)
	}
	_, err = io.Copy(dst, src)
	if err == nil {
		err = dst.Sync()
	}
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(dst.Name())
		return "", fmt.Errorf("store: restore: copying %s: %w (is the disk full?)", from, err)
	}
	return dst.Name(), nil
}

func sameFile(a, b string) (bool, error) {
	fa, err := os.Stat(a)
	if err != nil {
		return false, err
	}
	fb, err := os.Stat(b)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return os.SameFile(fa, fb), nil
}

// syncDir makes renames in dir durable; not possible (nor needed) on Windows.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
