package gotowebinar

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// Urgent work (the webhook setup after a login) starts before a queue of
// other callers, and a run of it is not interleaved with them; the others
// go on at the bucket's rate once it is done.
func TestLimiter_UrgentCallersGoBeforeTheQueue(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		l := NewLimiter(10, 1) // one start per 100 ms
		var mu sync.Mutex
		var starts []string
		start := func(who string) {
			mu.Lock()
			starts = append(starts, who)
			mu.Unlock()
		}
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		var wg sync.WaitGroup
		for range 4 { // the catch-up sync's workers, always waiting
			wg.Go(func() {
				for l.Wait(ctx) == nil {
					start("sync")
				}
			})
		}
		time.Sleep(time.Second) // the sync is under way, its callers queued
		synctest.Wait()
		began := time.Now()
		uctx, done := urgently(t.Context()), l.open()
		for range 5 {
			if err := l.Wait(uctx); err != nil {
				t.Fatal(err)
			}
			start("urgent")
			time.Sleep(30 * time.Millisecond) // the request's round trip
		}
		done()
		if took := time.Since(began); took > 530*time.Millisecond { // a slot for the first, 4 more, one round trip
			t.Errorf("5 urgent starts took %v behind a queue of 4, want at most 530 ms", took)
		}
		time.Sleep(time.Second)
		cancel()
		wg.Wait()

		mu.Lock()
		defer mu.Unlock()
		first := -1
		for i, who := range starts {
			if who == "urgent" && first < 0 {
				first = i
			}
		}
		run := starts[first : first+5]
		for _, who := range run {
			if who != "urgent" {
				t.Fatalf("the urgent run was interleaved with the sync: %v", run)
			}
		}
		if n := len(starts) - first - 5; n < 8 || n > 11 {
			t.Errorf("%d sync starts in the second after the urgent run, want about 10", n)
		}
	})
}
