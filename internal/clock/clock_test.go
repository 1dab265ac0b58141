package clock_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"webinarsync/internal/clock"
)

func TestSleep_WaitsTheWholeDuration(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		if err := clock.Sleep(t.Context(), time.Minute); err != nil {
			t.Fatalf("Sleep = %v, want nil", err)
		}
		if got := time.Since(start); got != time.Minute {
			t.Errorf("slept %v, want 1m", got)
		}
	})
}

func TestSleep_StopsWhenTheContextEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		start := time.Now()
		if err := clock.Sleep(ctx, time.Hour); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Sleep = %v, want context.DeadlineExceeded", err)
		}
		if got := time.Since(start); got != time.Second {
			t.Errorf("slept %v, want 1s", got)
		}
	})
}

func TestSleep_NonPositiveReturnsAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		for _, d := range []time.Duration{0, -time.Second} {
			start := time.Now()
			if err := clock.Sleep(ctx, d); err != nil || time.Since(start) != 0 {
				t.Errorf("Sleep(%v) = %v after %v, want nil at once", d, err, time.Since(start))
			}
		}
		cancel()
		if err := clock.Sleep(ctx, 0); !errors.Is(err, context.Canceled) {
			t.Errorf("Sleep(0) on an ended context = %v, want context.Canceled", err)
		}
	})
}
