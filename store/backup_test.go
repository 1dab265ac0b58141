package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// A backup taken while deliveries keep arriving restores with every event
// acknowledged before it began.
func TestBackup_DuringAFloodRestoresEveryEventAcknowledgedBefore(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	must(t, err)
	defer s.Close()

	const senders = 8
	var (
		mu    sync.Mutex
		acked []string // registrant keys whose event PutEvent confirmed
		stop  atomic.Bool
		wg    sync.WaitGroup
		fail  atomic.Value
	)
	for g := range senders {
		wg.Go(func() {
			for i := 0; !stop.Load(); i++ {
				reg := fmt.Sprintf("%d%06d", g+1, i)
				d := delivery(t, addedBody("ek-"+reg, "111", reg, "2026-03-01T10:00:00Z"))
				if _, err := s.PutEvent(context.Background(), d); err != nil {
					fail.Store(err)
					return
				}
				mu.Lock()
				acked = append(acked, reg)
				mu.Unlock()
			}
		})
	}
	waitFor := func(n int) {
		for {
			mu.Lock()
			got := len(acked)
			mu.Unlock()
			if got >= n || fail.Load() != nil {
				return
			}
			time.Sleep(time.Millisecond)
		}
	}
	waitFor(300)
	mu.Lock()
	before := append([]string(nil), acked...)
	mu.Unlock()
	var buf bytes.Buffer // not a file: goes through the temporary copy
	if _, err := s.Backup(&buf); err != nil {
		t.Fatalf("Backup: %v", err)
	}
	waitFor(len(before) + 100) // deliveries went on during and after it
	stop.Store(true)
	wg.Wait()
	if err := fail.Load(); err != nil {
		t.Fatalf("PutEvent during the backup: %v", err)
	}

	backup := filepath.Join(t.TempDir(), "backup.db")
	must(t, os.WriteFile(backup, buf.Bytes(), 0o600))
	must(t, CheckFile(backup))
	target := t.TempDir()
	if aside, err := Restore(target, backup, time.Now()); err != nil || aside != "" {
		t.Fatalf("Restore = %q, %v", aside, err)
	}
	r, err := Open(target, Options{})
	must(t, err)
	defer r.Close()
	for _, reg := range before {
		if _, err := r.Registrant("111", reg); err != nil {
			t.Fatalf("registrant %s, acknowledged before the backup: %v", reg, err)
		}
	}
	c := mustCounts(t, r)
	if c.Events < len(before) {
		t.Errorf("restored %d events, want at least %d", c.Events, len(before))
	}
	t.Logf("%d events acknowledged before the backup, %d in it, %d in all", len(before), c.Events, len(acked))
}

func TestRestore_KeepsThePreviousFileAsideAndRefusesWhileOpen(t *testing.T) {
	t.Parallel()
	src, _ := filled(t)
	s, err := Open(src, Options{})
	must(t, err)
	backup := filepath.Join(t.TempDir(), "b.db")
	f, err := os.Create(backup)
	must(t, err)
	if _, err := s.Backup(f); err != nil { // a regular file: written directly
		t.Fatal(err)
	}
	must(t, f.Close())
	must(t, s.Close())

	dir := t.TempDir()
	cur, err := Open(dir, Options{})
	must(t, err)
	put(t, cur, addedBody("ek-other", "222", "77", "2026-03-01T10:00:00Z"))
	if _, err := Restore(dir, backup, time.Now()); !errors.Is(err, ErrLocked) {
		t.Fatalf("Restore while open = %v, want ErrLocked", err)
	}
	must(t, cur.Close())

	now := time.Date(2026, 11, 30, 18, 4, 5, 0, time.UTC)
	aside, err := Restore(dir, backup, now)
	must(t, err)
	if want := filepath.Join(dir, FileName+".before-restore-20261130-180405"); aside != want {
		t.Errorf("kept aside at %q, want %q", aside, want)
	}
	must(t, CheckFile(aside)) // the previous database, whole
	r, err := Open(dir, Options{})
	must(t, err)
	defer r.Close()
	if c := mustCounts(t, r); c.Events != 200 {
		t.Errorf("restored %d events, want the backup's 200", c.Events)
	}
	if _, err := r.Webinar("222"); !errors.Is(err, ErrNotFound) {
		t.Errorf("webinar of the replaced file: %v, want ErrNotFound", err)
	}
}

func TestRestore_RefusesADamagedOrForeignBackupAndChangesNothing(t *testing.T) {
	t.Parallel()
	dir, path := filled(t)
	before, err := os.ReadFile(path)
	must(t, err)
	bad := filepath.Join(t.TempDir(), "bad.db")
	must(t, os.WriteFile(bad, before[:len(before)/2], 0o600))
	empty := filepath.Join(t.TempDir(), "empty.db")
	must(t, os.WriteFile(empty, nil, 0o600))
	for _, from := range []string{bad, empty, filepath.Join(t.TempDir(), "missing.db")} {
		_, err := Restore(dir, from, time.Now())
		if err == nil || !strings.Contains(err.Error(), "not restoring") {
			t.Errorf("Restore(%s) = %v, want a refusal", filepath.Base(from), err)
		}
	}
	after, err := os.ReadFile(path)
	must(t, err)
	if !bytes.Equal(before, after) {
		t.Error("a refused restore changed the database")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("data dir holds %d entries after refused restores, want 1", len(entries))
	}
}
