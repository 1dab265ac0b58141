package main

import (
	"crypto/rand"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"webinarsync/store"
)

// A damaged or foreign database file stops webinarsync at start with words
// that say what is wrong and what to do, and a non-zero exit; never a panic,
// never an empty database over the old file.
func TestRun_DamagedOrForeignDatabaseSaysWhatToDo(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		spoil func(t *testing.T, path string)
		want  []string
	}{
		{"zero bytes", func(t *testing.T, path string) { check(t, os.Truncate(path, 0)) },
			[]string{"is damaged", "empty (0 bytes)", "webinarsync restore", "move the file away"}},
		{"truncated", func(t *testing.T, path string) {
			fi, err := os.Stat(path)
			check(t, err)
			check(t, os.Truncate(path, fi.Size()/2))
		}, []string{"is damaged", "the file is truncated", "webinarsync restore"}},
		{"random bytes", func(t *testing.T, path string) {
			b := make([]byte, 1<<16)
			rand.Read(b)
			check(t, os.WriteFile(path, b, 0o600))
		}, []string{"is damaged", "webinarsync restore"}},
		{"another program's bbolt file", func(t *testing.T, path string) {
			check(t, os.Remove(path))
			db, err := bolt.Open(path, 0o600, nil)
			check(t, err)
			check(t, db.Update(func(tx *bolt.Tx) error {
				_, err := tx.CreateBucket([]byte("widgets"))
				return err
			}))
			check(t, db.Close())
		}, []string{"not webinarsync's", "another -data dir"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			st, err := store.Open(dir, store.Options{})
			check(t, err)
			check(t, st.Close())
			path := filepath.Join(dir, store.FileName)
			tc.spoil(t, path)
			before, err := os.ReadFile(path)
			check(t, err)

			err = run([]string{"-no-browser", "-tunnel", "local", "-addr", "127.0.0.1:0", "-data", dir}, io.Discard, io.Discard)
			if err == nil {
				t.Fatal("run started on the spoiled file")
			}
			t.Logf("webinarsync: %v", err)
			if errors.As(err, new(*usageError)) {
				t.Errorf("run = %v: a usage error (exit 2), want exit 1", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("message %q lacks %q", err, w)
				}
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("message %q does not name the file", err)
			}
			if strings.Contains(err.Error(), "goroutine ") {
				t.Errorf("message carries a stack trace: %q", err)
			}
			after, err := os.ReadFile(path)
			check(t, err)
			if string(after) != string(before) {
				t.Error("run changed the refused file")
			}
		})
	}
}

func check(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
