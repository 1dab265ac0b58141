package store

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	bolt "go.etcd.io/bbolt"
)

// A lone write commits at once: no batch window is waited out (virtual
// time would move if one were).
func TestCommitter_LoneWriteWaitsForNoTimer(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s, err := Open(t.TempDir(), Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		start := time.Now()
		for range 3 {
			if err := s.batch(func(tx *bolt.Tx) error { return tx.Bucket([]byte(bucketMeta)).Put([]byte("k"), []byte("v")) }); err != nil {
				t.Fatal(err)
			}
		}
		if waited := time.Since(start); waited != 0 {
			t.Errorf("three lone writes waited %v for company; want no wait", waited)
		}
	})
}

// Writes that queue while a commit runs share the next one: 50 queued
// writes take one more transaction, not 50.
func TestCommitter_QueuedWritesShareOneCommit(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s, err := Open(t.TempDir(), Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		<-s.health.done // the start-up check's reads could wait on the held commit
		release := make(chan struct{})
		go s.batch(func(*bolt.Tx) error { <-release; return nil })
		synctest.Wait() // the held commit is under way, alone
		var mu sync.Mutex
		txs := map[int]bool{}
		var wg sync.WaitGroup
		for range 50 {
			wg.Go(func() {
				err := s.batch(func(tx *bolt.Tx) error {
					mu.Lock()
					txs[tx.ID()] = true
					mu.Unlock()
					return nil
				})
				if err != nil {
					t.Error(err)
				}
			})
		}
		synctest.Wait() // all 50 queued behind the held commit
		close(release)
		wg.Wait()
		if len(txs) != 1 {
			t.Errorf("50 queued writes took %d commits, want 1", len(txs))
		}
	})
}

// Senders answered by one commit come back a moment apart, and share the
// next commit instead of the first committing alone and the rest after it
// (issue 15: 8 senders split into two groups of 4 forever). One that does
// not come back holds the others up by at most maxCompanyWait.
func TestCommitter_SendersAnsweredTogetherShareTheNextCommit(t *testing.T) {
	t.Parallel()
	for _, back := range []int{8, 7} {
		t.Run(fmt.Sprintf("%d of 8 come back", back), func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) { sendersComeBack(t, back) })
		})
	}
}

func sendersComeBack(t *testing.T, back int) {
	s, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	<-s.health.done
	var mu sync.Mutex
	var firstCall, lastCommit time.Time
	txs := map[int]int{} // tx id -> writes
	write := func() {
		mu.Lock()
		if firstCall.IsZero() {
			firstCall = time.Now()
		}
		mu.Unlock()
		err := s.batch(func(tx *bolt.Tx) error {
			time.Sleep(250 * time.Microsecond) // a commit's work: 2 ms for 8
			mu.Lock()
			txs[tx.ID()]++
			lastCommit = time.Now()
			mu.Unlock()
			return nil
		})
		if err != nil {
			t.Error(err)
		}
	}
	// The first round: 8 writes queued behind a held commit share one.
	release := make(chan struct{})
	go s.batch(func(*bolt.Tx) error { <-release; return nil })
	synctest.Wait()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(write)
	}
	synctest.Wait()
	close(release)
	wg.Wait()
	if len(txs) != 1 {
		t.Fatalf("8 queued writes took %d commits, want 1", len(txs))
	}
	clear(txs)
	firstCall = time.Time{}
	// The second: they come back 50 µs apart, as answers reach senders.
	for i := range back {
		wg.Go(func() {
			time.Sleep(time.Duration(i) * 50 * time.Microsecond)
			write()
		})
	}
	wg.Wait()
	if len(txs) != 1 {
		t.Errorf("%d senders coming back within %v took %d commits %v, want 1", back, time.Duration(back-1)*50*time.Microsecond, len(txs), txs)
	}
	// All back: on a moment after the last, not the whole wait; one
	// missing: at most the whole wait.
	work := time.Duration(back) * 250 * time.Microsecond
	limit := maxCompanyWait
	if back == 8 {
		limit = 7*50*time.Microsecond + 8*250*time.Microsecond/8
	}
	if waited := lastCommit.Sub(firstCall) - work; waited > limit {
		t.Errorf("the commit waited %v for company, want at most %v", waited, limit)
	}

	// After a pause, one alone commits at once: nobody is coming back.
	time.Sleep(time.Second)
	firstCall = time.Time{}
	write()
	if waited := lastCommit.Sub(firstCall) - 250*time.Microsecond; waited != 0 {
		t.Errorf("a lone write after a pause waited %v for company, want none", waited)
	}
}

// After Close, a write says the store is closed instead of hanging.
func TestCommitter_WriteAfterCloseFails(t *testing.T) {
	t.Parallel()
	s, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.batch(func(*bolt.Tx) error { return nil }); err != ErrClosed {
		t.Errorf("write after Close = %v, want ErrClosed", err)
	}
}

// A write that panics (bbolt does, on a page it cannot read) fails that
// write, keeps the writer serving the next one, and the health the home
// page shows says the database needs attention.
func TestCommitter_APanicInAWriteFailsItAndMarksTheDatabase(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	<-s.health.done
	err := s.batch(func(*bolt.Tx) error { panic("page 7: invalid page type") })
	if _, ok := errors.AsType[*panicError](err); !ok {
		t.Fatalf("the panicking write returned %v, want a panicError", err)
	}
	put(t, s, addedBody("after-panic", webinarKey, "1", "2025-05-01T09:00:00Z"))
	h := s.Health()
	if h.Check != CheckFailed || len(h.Problems) != 1 || !strings.Contains(h.Problems[0], "invalid page type") {
		t.Errorf("Health = %+v, want CheckFailed naming the damage", h)
	}
}
