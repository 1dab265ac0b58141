package retention_test

import (
	"context"
	"log/slog"
	"testing"
	"testing/synctest"
	"time"

	"webinarsync/gotowebinar"
	"webinarsync/retention"
	"webinarsync/store"
)

// put stores a registration received at.
func put(t *testing.T, st *store.Store, eventKey string, at time.Time) {
	t.Helper()
	body := `{"eventName":"registrant.added","eventKey":"` + eventKey + `","webinarKey":111,"registrantKey":` +
		at.Format("20060102") + `,"email":"` + eventKey + `@example.com"}`
	ev, err := gotowebinar.DecodeEvent([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.PutEvent(context.Background(), &gotowebinar.Delivery{Event: *ev, ReceivedAt: at}); err != nil {
		t.Fatal(err)
	}
}

// expired reports whether the event's raw body was pruned.
func expired(t *testing.T, st *store.Store, eventKey string) bool {
	t.Helper()
	es, err := st.Events(store.EventQuery{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if e.EventKey == eventKey {
			return e.Tombstone != nil && e.Tombstone.Reason == store.TombstoneExpired
		}
	}
	t.Fatalf("no event %s", eventKey)
	return false
}

// The pass runs at start and then daily: a body is pruned on the first
// day it is older than the retention period, not before.
func TestSchedule_PrunesAtStartAndDailyWhatTurnsOld(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st, err := store.Open(t.TempDir(), store.Options{Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		if err := st.SetRetention(30); err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		put(t, st, "old", now.AddDate(0, 0, -31))
		put(t, st, "aging", now.Add(-30*24*time.Hour+36*time.Hour)) // 30 days old in a day and a half
		put(t, st, "fresh", now.AddDate(0, 0, -1))

		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() {
			defer close(done)
			(&retention.Schedule{Store: st, Logger: slog.New(slog.DiscardHandler)}).Run(ctx)
		}()
		synctest.Wait()
		if !expired(t, st, "old") || expired(t, st, "aging") || expired(t, st, "fresh") {
			t.Errorf("at start: old %v aging %v fresh %v; want only old pruned",
				expired(t, st, "old"), expired(t, st, "aging"), expired(t, st, "fresh"))
		}
		time.Sleep(24 * time.Hour)
		synctest.Wait()
		if expired(t, st, "aging") {
			t.Error("after one day: the body still 29.5 days old was pruned")
		}
		time.Sleep(24 * time.Hour)
		synctest.Wait()
		if !expired(t, st, "aging") || expired(t, st, "fresh") {
			t.Errorf("after two days: aging %v fresh %v; want aging pruned, fresh kept", expired(t, st, "aging"), expired(t, st, "fresh"))
		}
		if c, _ := st.Counts(); c.Registrants != 3 {
			t.Errorf("registrants = %d: retention must keep them", c.Registrants)
		}
		cancel()
		<-done
	})
}
