package store

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// filled is a data dir holding a real database with some events, closed:
// a copy of filledOnce's, so that the 200 deliveries, each its own fsynced
// commit, are stored once per test binary and not once per test.
func filled(t *testing.T) (dir, path string) {
	t.Helper()
	src, err := filledOnce()
	if err != nil {
		t.Fatalf("filling the shared database: %v", err)
	}
	dir = t.TempDir()
	entries, err := os.ReadDir(src)
	must(t, err)
	for _, e := range entries {
		if !e.Type().IsRegular() {
			t.Fatalf("filled: %s in the data dir is not a file", e.Name())
		}
		fi, err := e.Info()
		must(t, err)
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		must(t, err)
		must(t, os.WriteFile(filepath.Join(dir, e.Name()), b, fi.Mode().Perm()))
	}
	fi, err := os.Stat(src)
	must(t, err)
	must(t, os.Chmod(dir, fi.Mode().Perm())) // as Open left it
	return dir, filepath.Join(dir, FileName)
}

// filledOnce makes filled's data dir on first use; TestMain removes it.
var filledOnce = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "webinarsync-filled-")
	if err != nil {
		return "", err
	}
	filledDir.Store(&dir)
	s, err := Open(dir, Options{})
	if err != nil {
		return "", err
	}
	for i := range 200 {
		d, err := testDelivery(addedBody(fmt.Sprintf("ek-%d", i), "111", fmt.Sprint(9000000+i), "2026-03-01T10:00:00Z"))
		if err != nil {
			s.Close()
			return "", err
		}
		if stored, err := s.PutEvent(context.Background(), d); err != nil || !stored {
			s.Close()
			return "", fmt.Errorf("PutEvent %d: stored = %v, %v", i, stored, err)
		}
	}
	return dir, s.Close()
})

var filledDir atomic.Pointer[string]

func TestOpen_RefusesDamagedAndForeignFiles(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		spoil   func(t *testing.T, path string)
		foreign bool
		why     string
	}{
		{name: "zero bytes", spoil: func(t *testing.T, path string) { must(t, os.Truncate(path, 0)) }, why: "0 bytes"},
		{name: "truncated", spoil: func(t *testing.T, path string) {
			fi, err := os.Stat(path)
			must(t, err)
			must(t, os.Truncate(path, fi.Size()/2))
		}, why: "truncated"},
		{name: "first pages overwritten", spoil: func(t *testing.T, path string) {
			f, err := os.OpenFile(path, os.O_WRONLY, 0)
			must(t, err)
			_, err = f.WriteAt(make([]byte, 8192), 0)
			must(t, err)
			must(t, f.Close())
		}},
		{name: "random bytes", spoil: func(t *testing.T, path string) {
			must(t, os.WriteFile(path, randomBytes(1<<16), 0o600))
		}},
		{name: "another program's bbolt file", foreign: true, spoil: func(t *testing.T, path string) {
			must(t, os.Remove(path))
			db, err := bolt.Open(path, 0o600, nil)
			must(t, err)
			must(t, db.Update(func(tx *bolt.Tx) error {
				b, err := tx.CreateBucket([]byte("widgets"))
				if err != nil {
					return err
				}
				return b.Put([]byte("k"), []byte("v"))
			}))
			must(t, db.Close())
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir, path := filled(t)
			tc.spoil(t, path)
			before, err := os.ReadFile(path)
			must(t, err)
			for _, open := range []func(string, Options) (*Store, error){Open, OpenReadOnly} {
				s, err := open(dir, Options{})
				if err == nil {
					s.Close()
					t.Fatal("opened, want an error")
				}
				if tc.foreign {
					if !errors.Is(err, ErrForeign) {
						t.Fatalf("err = %v, want ErrForeign", err)
					}
				} else {
					de, ok := errors.AsType[*DamagedError](err)
					if !ok {
						t.Fatalf("err = %#v (%v), want *DamagedError", err, err)
					}
					if de.Path != path || !strings.Contains(de.Why, tc.why) {
						t.Errorf("DamagedError{Path: %q, Why: %q}, want path %q and why with %q", de.Path, de.Why, path, tc.why)
					}
					if !strings.Contains(err.Error(), "webinarsync restore") {
						t.Errorf("message %q does not say what to do", err)
					}
				}
			}
			// Never started empty over it.
			after, err := os.ReadFile(path)
			must(t, err)
			if string(after) != string(before) {
				t.Error("the refused file was changed")
			}
		})
	}
}

func TestOpen_AcceptsOursAndEmptyBolt(t *testing.T) {
	t.Parallel()
	dir, _ := filled(t)
	s, err := Open(dir, Options{})
	must(t, err)
	if c := mustCounts(t, s); c.Events != 200 {
		t.Errorf("events = %d, want 200", c.Events)
	}
	s.Close()

	// A bbolt file with no buckets at all is what a first start leaves
	// when it stops before creating them: ours to fill.
	dir = t.TempDir()
	db, err := bolt.Open(filepath.Join(dir, FileName), 0o600, nil)
	must(t, err)
	must(t, db.Close())
	s, err = Open(dir, Options{})
	must(t, err)
	s.Close()
}

func TestOpen_ConsistencyCheckRunsInTheBackground(t *testing.T) {
	t.Parallel()
	dir, _ := filled(t)
	s, err := Open(dir, Options{})
	must(t, err)
	defer s.Close()
	select {
	case <-s.health.done:
	case <-time.After(10 * time.Second):
		t.Fatal("the check did not finish")
	}
	h := s.Health()
	if h.Check != CheckPassed || len(h.Problems) != 0 || h.CheckedAt.IsZero() {
		t.Errorf("Health = %+v, want CheckPassed", h)
	}
}

func TestOpen_ConsistencyCheckReportsABadPage(t *testing.T) {
	t.Parallel()
	dir, path := filled(t)
	// Drop one page from the freelist: every read still works, but the
	// page is now neither in use nor free, which only the check notices.
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	must(t, err)
	meta := func(off int64) (txid, freelist uint64) {
		var m [80]byte
		_, err := f.ReadAt(m[:], off)
		must(t, err)
		return binary.LittleEndian.Uint64(m[64:]), binary.LittleEndian.Uint64(m[48:])
	}
	tx0, fl := meta(0)
	if tx1, fl1 := meta(4096); tx1 > tx0 {
		fl = fl1
	}
	var hdr [16]byte
	_, err = f.ReadAt(hdr[:], int64(fl)*4096)
	must(t, err)
	count := binary.LittleEndian.Uint16(hdr[10:])
	if count == 0 || count == 0xffff {
		t.Fatalf("freelist holds %d pages: the test needs a short, non-empty one", count)
	}
	binary.LittleEndian.PutUint16(hdr[10:], count-1)
	_, err = f.WriteAt(hdr[:], int64(fl)*4096)
	must(t, err)
	must(t, f.Close())

	s, err := Open(dir, Options{})
	must(t, err)
	defer s.Close()
	<-s.health.done
	h := s.Health()
	t.Logf("problems: %q", h.Problems)
	if h.Check != CheckFailed || len(h.Problems) == 0 {
		t.Errorf("Health = %+v, want CheckFailed with problems", h)
	}
}

func TestOpen_TightensLoosePermissions(t *testing.T) {
	t.Parallel()
	dir, path := filled(t)
	must(t, os.Chmod(dir, 0o755))
	must(t, os.Chmod(path, 0o644))
	s, err := Open(dir, Options{})
	must(t, err)
	defer s.Close()
	for p, want := range map[string]os.FileMode{dir: 0o700, path: 0o600} {
		fi, err := os.Stat(p)
		must(t, err)
		if fi.Mode().Perm() != want {
			t.Errorf("%s is %v, want %v", p, fi.Mode().Perm(), want)
		}
	}
	if h := s.Health(); h.Permissions != nil {
		t.Errorf("Health.Permissions = %v, want nil", h.Permissions)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}
