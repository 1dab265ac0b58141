package store

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// With the data dir full (simulated: its temporary file refuses every
// write, as a full disk does), an export still works, spooled in the
// system's temporary directory, and leaves no file behind in either place.
func TestExport_WithAFullDataDirSpoolsInTheSystemTempDir(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	for i := range 50 {
		put(t, s, addedBody(fmt.Sprint("full-", i), webinarKey, fmt.Sprint(500+i), "2025-05-01T09:00:00Z"))
	}
	var dirs []string
	var mu sync.Mutex
	s.createSpool = func(dir string) (*os.File, error) {
		mu.Lock()
		dirs = append(dirs, dir)
		mu.Unlock()
		if dir == s.dir {
			f, err := os.CreateTemp(dir, ".export-*.tmp")
			if err != nil {
				return nil, err
			}
			f.Close()
			return os.Open(f.Name()) // read-only: every write fails
		}
		return os.CreateTemp(dir, ".export-*.tmp")
	}
	var out bytes.Buffer
	if err := s.ExportCSV(&out, webinarKey); err != nil {
		t.Fatalf("ExportCSV with a full data dir: %v", err)
	}
	if rows := strings.Count(out.String(), "\n"); rows != 51 {
		t.Errorf("the export has %d lines, want a header and 50 rows", rows)
	}
	if len(dirs) != 2 || dirs[0] != s.dir || dirs[1] != os.TempDir() {
		t.Errorf("spooled in %q, want the data dir, then %s", dirs, os.TempDir())
	}
	if left, _ := filepath.Glob(filepath.Join(s.dir, ".export-*")); len(left) > 0 {
		t.Errorf("left behind: %q", left)
	}
}

// A failure to read the database is not taken for a full disk: it is
// reported as it is, without a second try elsewhere.
func TestExport_AReadFailureIsNotRetriedElsewhere(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	tries := 0
	s.createSpool = func(dir string) (*os.File, error) { tries++; return os.CreateTemp(dir, ".export-*.tmp") }
	err := s.spool(io.Discard, func(io.Writer) error { return ErrNotFound })
	if err != ErrNotFound || tries != 1 {
		t.Errorf("spool = %v after %d tries, want ErrNotFound after 1", err, tries)
	}
}
