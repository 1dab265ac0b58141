// Package retention owns when the store's retention pass runs: at start
// and then once a day (Store.Prune replaces raw event bodies older than
// the organizer's retention period by tombstones, drops delivery records
// as old, and finishes a compaction an erasure left to do).
package retention

import (
	"context"
	"log/slog"
	"time"

	"webinarsync/internal/clock"
	"webinarsync/store"
)

// DefaultEvery is how often the pass runs while the app does.
const DefaultEvery = 24 * time.Hour

// Schedule runs the retention pass at start and every Every. Its zero
// value, with Store set, is what the app uses.
type Schedule struct {
	Store  *store.Store
	Logger *slog.Logger     // nil: slog.Default()
	Every  time.Duration    // 0: DefaultEvery
	Now    func() time.Time // nil: time.Now
}

// Run runs passes until ctx ends. A pass that fails is logged and tried
// again at the next one.
func (s *Schedule) Run(ctx context.Context) {
	every, now, log := s.Every, s.Now, s.Logger
	if every <= 0 {
		every = DefaultEvery
	}
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	for {
		p, err := s.Store.Prune(ctx, now())
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			log.Error("retention: the pass failed; it runs again later", "err", err,
				"pruned", p.Events, "deliveriesDropped", p.Deliveries)
		case p.Events > 0 || p.Deliveries > 0 || p.Compacted:
			log.Info("retention: pruned what is older than the retention period", "days", p.Days,
				"eventBodies", p.Events, "deliveryRecords", p.Deliveries, "outbox", p.Outbox, "compacted", p.Compacted)
		}
		if clock.Sleep(ctx, every) != nil {
			return
		}
	}
}
