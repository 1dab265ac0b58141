package store

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
)

// spool runs write (which reads in one bbolt transaction) against a
// temporary file in the data dir, and copies the file to w only once the
// transaction is over. A reader that stalls (a paused download,
// `webinarsync export | less`) must not hold a read transaction open: bbolt
// then cannot grow the file, so deliveries would wait, and Close would hang.
// Memory stays constant; the file is readable by its owner only and removed.
//
// When the data dir cannot take the file (full, read-only), the export is
// spooled in the system's temporary directory instead: an export is most
// wanted exactly when the disk is in trouble. At most maxSpools exports
// spool at once, so many downloads cannot fill a disk between them.
func (s *Store) spool(w io.Writer, write func(io.Writer) error) error {
	s.spools <- struct{}{}
	defer func() { <-s.spools }()
	f, err := s.spoolIn(s.dir, write)
	if err != nil {
		var full *spoolFileError
		if !errors.As(err, &full) {
			return err
		}
		s.log.Warn("store: export: the data dir cannot take the temporary file; using the system's temporary directory",
			"dataDir", s.dir, "err", full.err)
		if f, err = s.spoolIn(os.TempDir(), write); err != nil {
			return err
		}
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if _, err := io.Copy(w, f); err != nil {
		return fmt.Errorf("store: export: sending: %w", err)
	}
	return nil
}

// maxSpools bounds the exports spooling at once.
const maxSpools = 4

// spoolFileError is a failure of the temporary file itself (creating or
// writing it), as opposed to one of reading the database.
type spoolFileError struct{ err error }

func (e *spoolFileError) Error() string { return "store: export: temporary file: " + e.err.Error() }
func (e *spoolFileError) Unwrap() error { return e.err }

// fileWriter remembers the first failure of writing the file, so spool can
// tell a full disk from a failed read.
type fileWriter struct {
	f   io.Writer
	err error
}

func (fw *fileWriter) Write(p []byte) (int, error) {
	n, err := fw.f.Write(p)
	if err != nil && fw.err == nil {
		fw.err = err
	}
	return n, err
}

// spoolIn writes the export into a new temporary file in dir and returns it
// rewound, or a *spoolFileError when the file could not be made or written.
func (s *Store) spoolIn(dir string, write func(io.Writer) error) (*os.File, error) {
	create := s.createSpool
	if create == nil {
		create = func(dir string) (*os.File, error) { return os.CreateTemp(dir, ".export-*.tmp") }
	}
	f, err := create(dir)
	if err != nil {
		return nil, &spoolFileError{err}
	}
	fw := &fileWriter{f: f}
	bw := bufio.NewWriterSize(fw, 64<<10)
	err = write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
		if err != nil {
			fw.err = err
		}
	}
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		if fw.err != nil {
			return nil, &spoolFileError{fw.err}
		}
		return nil, err
	}
	return f, nil
}
