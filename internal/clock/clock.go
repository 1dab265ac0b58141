// Package clock owns waiting that a context can cut short: the one
// sleep every retry and pacing loop uses, so each stops when its caller does.
package clock

import (
	"context"
	"time"
)

// Sleep waits for d, or until ctx ends, and then returns ctx.Err(): nil
// after a full wait. d <= 0 does not wait.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
