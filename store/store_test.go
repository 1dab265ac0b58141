package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

func TestOpen_CreatesPrivateDirAndFile(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "config", "webinarsync")
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	if s.Dir() != dir {
		t.Errorf("Dir() = %q, want %q", s.Dir(), dir)
	}
	for path, want := range map[string]os.FileMode{dir: 0o700, filepath.Join(dir, FileName): 0o600} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s mode = %v, want %v", path, got, want)
		}
	}
}

func TestOpen_SecondOpenFailsFastWithErrLockedNamingDir(t *testing.T) {
	t.Parallel()
	// Virtual time: bbolt's lock retries sleep, so the default LockTimeout
	// is measured exactly instead of waited for.
	synctest.Test(t, func(t *testing.T) {
		dir := t.TempDir()
		s, err := Open(dir, Options{})
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		defer s.Close()

		start := time.Now()
		s2, err := Open(dir, Options{})
		elapsed := time.Since(start)
		if err == nil {
			s2.Close()
			t.Fatal("second Open succeeded, want ErrLocked")
		}
		if !errors.Is(err, ErrLocked) {
			t.Errorf("err = %v, want ErrLocked", err)
		}
		if !strings.Contains(err.Error(), dir) {
			t.Errorf("err = %q, want it to name %s", err, dir)
		}
		if elapsed >= 2*time.Second {
			t.Errorf("second Open took %v, want < 2s", elapsed)
		}
		// The failed attempt must not have released the first store's lock.
		if r, err := OpenReadOnly(dir, Options{LockTimeout: 100 * time.Millisecond}); !errors.Is(err, ErrLocked) {
			if r != nil {
				r.Close()
			}
			t.Errorf("after a failed second Open, OpenReadOnly: %v, want ErrLocked", err)
		}
		put(t, s, addedBody("ev-1", "1", "2", "2025-05-01T09:00:00Z"))
	})
}

func TestOpenReadOnly_FailsWithErrLockedWhileWriterHoldsDB(t *testing.T) {
	t.Parallel()
	// Virtual time: bbolt's lock retries sleep, so LockTimeout is measured
	// exactly instead of waited for.
	synctest.Test(t, func(t *testing.T) {
		dir := t.TempDir()
		s, err := Open(dir, Options{})
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		defer s.Close()

		start := time.Now()
		r, err := OpenReadOnly(dir, Options{LockTimeout: 200 * time.Millisecond})
		if err == nil {
			r.Close()
			t.Fatal("OpenReadOnly succeeded while a writer holds the lock")
		}
		if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), dir) {
			t.Errorf("err = %v, want ErrLocked naming %s", err, dir)
		}
		if elapsed := time.Since(start); elapsed > time.Second {
			t.Errorf("OpenReadOnly took %v with a 200ms LockTimeout", elapsed)
		}
	})
}

func TestOpenReadOnly_ReadsWhatTheWriterStoredAndRefusesWrites(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	put(t, s, addedBody("ev-1", "1111111111111111111", "2222222222222222222", "2025-05-01T09:00:00Z"))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	r, err := OpenReadOnly(dir, Options{})
	if err != nil {
		t.Fatalf("OpenReadOnly: %v", err)
	}
	defer r.Close()
	// Two readers share the lock, as `webinarsync export` twice would.
	r2, err := OpenReadOnly(dir, Options{LockTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatalf("second OpenReadOnly: %v", err)
	}
	r2.Close()

	if c := mustCounts(t, r); c.Registrants != 1 || c.Events != 1 {
		t.Errorf("Counts = %+v", c)
	}
	var csv strings.Builder
	if err := r.ExportCSV(&csv, ""); err != nil {
		t.Fatalf("ExportCSV: %v", err)
	}
	if !strings.Contains(csv.String(), "2222222222222222222") {
		t.Errorf("CSV lacks the registrant:\n%s", csv.String())
	}
	if _, err := r.PutEvent(context.Background(), delivery(t, addedBody("ev-2", "1", "2", "2025-05-01T09:00:00Z"))); err == nil {
		t.Error("PutEvent on a read-only store succeeded")
	}
}

func TestOpenReadOnly_MissingDatabaseIsNotExist(t *testing.T) {
	t.Parallel()
	_, err := OpenReadOnly(filepath.Join(t.TempDir(), "nothing"), Options{})
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("err = %v, want os.ErrNotExist", err)
	}
}

func TestReopen_KeepsEverything(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	const wk, rk = "9876543210987654321012345", "12345678901234567890"
	put(t, s,
		webinarBody("webinar.created", "ev-w", wk, "NEW", "2025-05-01T08:00:00Z"),
		addedBody("ev-a", wk, rk, "2025-05-01T09:00:00Z",
			"responses", raw(`[["Favourite colour?","SHORT_ANSWER",["blue"]]]`)),
		joinedBody("ev-j", wk, rk, "555", "2025-06-10T15:01:00Z"),
	)
	if err := s.AddSecretKey(SecretKey{ID: "sk1", Value: "c2VjcmV0", ValidFrom: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSetting("oauth.token", `{"access_token":"x"}`); err != nil {
		t.Fatal(err)
	}
	before := mustCounts(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = Open(dir, Options{})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	if after := mustCounts(t, s); after != before || after != (Counts{Webinars: 1, Registrants: 1, Joins: 1, Events: 3}) {
		t.Errorf("Counts after reopen = %+v, before %+v", after, before)
	}
	r := mustRegistrant(t, s, wk, rk)
	if r.Joins != 1 || r.Email != "ada@example.com" || len(r.Responses) != 1 {
		t.Errorf("registrant after reopen = %+v", r)
	}
	if keys := s.SecretKeys(); len(keys) != 1 || keys[0].Value != "c2VjcmV0" {
		t.Errorf("SecretKeys after reopen = %+v", keys)
	}
	if v, _ := s.Setting("oauth.token"); v != `{"access_token":"x"}` {
		t.Errorf("Setting after reopen = %q", v)
	}
	// A redelivery after a restart is still recognised.
	stored, err := s.PutEvent(context.Background(), delivery(t, joinedBody("ev-j", wk, rk, "555", "2025-06-10T15:01:00Z")))
	if err != nil || stored {
		t.Errorf("redelivery after reopen: stored=%v err=%v", stored, err)
	}
}

func TestSecretKeys_AddIsIdempotentAndListsNewestFirst(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	old := SecretKey{ID: "a", Value: "v1", ValidFrom: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	newer := SecretKey{ID: "b", Value: "v2", ValidFrom: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	for _, k := range []SecretKey{old, newer, old, newer} {
		if err := s.AddSecretKey(k); err != nil {
			t.Fatal(err)
		}
	}
	keys := s.SecretKeys()
	if len(keys) != 2 || keys[0].ID != "b" || keys[1].ID != "a" {
		t.Fatalf("SecretKeys = %+v, want b then a", keys)
	}
	keys[0].Value = "mutated"
	if s.SecretKeys()[0].Value != "v2" {
		t.Error("SecretKeys returned the store's own slice")
	}
	if err := s.AddSecretKey(SecretKey{}); err == nil {
		t.Error("AddSecretKey without ID succeeded")
	}
}

func TestSetting_EmptyValueDeletes(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	if v, err := s.Setting("missing"); v != "" || err != nil {
		t.Errorf("unset Setting = %q, %v", v, err)
	}
	if err := s.SetSetting("tunnel", "ngrok"); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.Setting("tunnel"); v != "ngrok" {
		t.Errorf("Setting = %q", v)
	}
	if err := s.SetSetting("tunnel", ""); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.Setting("tunnel"); v != "" {
		t.Errorf("Setting after delete = %q", v)
	}
}

func TestSubscribe_SendsStoredEventsButNotRedeliveries(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	ch, cancel := s.Subscribe()
	defer cancel()
	b := addedBody("ev-1", "1", "2", "2025-05-01T09:00:00Z")
	put(t, s, b)
	if stored, err := s.PutEvent(context.Background(), delivery(t, b)); err != nil || stored {
		t.Fatalf("redelivery: stored=%v err=%v", stored, err)
	}
	select {
	case e := <-ch:
		if e.EventKey != "ev-1" || e.Seq != 1 || e.WebinarKey != "1" {
			t.Errorf("entry = %+v", e)
		}
	case <-time.After(time.Second):
		t.Fatal("no entry")
	}
	select {
	case e := <-ch:
		t.Errorf("redelivery was published: %+v", e)
	default:
	}
	cancel()
	if _, ok := <-ch; ok {
		t.Error("channel open after cancel")
	}
}

func TestPutEvent_CanceledContextStoresNothing(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.PutEvent(ctx, delivery(t, addedBody("ev-1", "1", "2", "2025-05-01T09:00:00Z")))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if c := mustCounts(t, s); c.Events != 0 {
		t.Errorf("Counts = %+v", c)
	}
}
