package store

import (
	"context"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	bolt "go.etcd.io/bbolt"

	"webinarsync/gotowebinar"
)

// mixedDeliveries is a webinar, registrations, joins (one before its
// registration) and a change, as a day of deliveries brings them.
func mixedDeliveries(t *testing.T) []*gotowebinar.Delivery {
	t.Helper()
	bodies := []string{
		webinarBody("webinar.created", "w-1", webinarKey, "NEW", "2025-05-01T08:00:00Z", "webinarTitle", "Replay"),
		joinedBody("j-early", webinarKey, "77", "5", "2025-06-10T15:01:00Z", "firstName", "Early", "email", "early@example.com"),
	}
	for i := range 30 {
		bodies = append(bodies, addedBody(fmt.Sprint("a-", i), webinarKey, fmt.Sprint(100+i), "2025-05-02T09:00:00Z",
			"firstName", fmt.Sprint("Person", i), "email", fmt.Sprintf("p%d@example.com", i)))
	}
	for i := range 10 {
		bodies = append(bodies, joinedBody(fmt.Sprint("j-", i), webinarKey, fmt.Sprint(100+i), "5", "2025-06-10T15:00:00Z"))
	}
	bodies = append(bodies,
		addedBody("a-late", webinarKey, "77", "2025-05-03T09:00:00Z", "firstName", "Early", "lastName", "Bird"),
		webinarBody("webinar.changed", "w-2", webinarKey, "UPDATED", "2025-05-04T08:00:00Z", "webinarTitle", "Replay, renamed"))
	ds := make([]*gotowebinar.Delivery, len(bodies))
	for i, b := range bodies {
		ds[i] = delivery(t, b)
	}
	return ds
}

// everything is what the pages read, to compare two stores by.
type everything struct {
	Counts      Counts
	Webinar     Webinar
	Registrants []Registrant
	Joins       []Join
	Joined      []LogEntry
}

func readEverything(t *testing.T, s *Store) everything {
	t.Helper()
	var e everything
	var err error
	if e.Counts, err = s.Counts(); err != nil {
		t.Fatal(err)
	}
	if e.Webinar, err = s.Webinar(webinarKey); err != nil {
		t.Fatal(err)
	}
	if e.Registrants, _, err = s.Registrants(webinarKey, RegistrantQuery{Limit: 1000}); err != nil {
		t.Fatal(err)
	}
	if e.Joins, err = s.Joins(webinarKey, 1000); err != nil {
		t.Fatal(err)
	}
	if e.Joined, err = s.Events(EventQuery{Name: "registrant.joined", Limit: 1000}); err != nil {
		t.Fatal(err)
	}
	return e
}

// kill -9 between acknowledgement and the views' commit leaves the log
// ahead of the views on disk. The next Open applies the rest from the raw
// bodies: the pages then show exactly what they show without a crash, and
// redeliveries stay refused.
func TestViews_OpenAppliesWhatACrashLeftInTheLogOnly(t *testing.T) {
	t.Parallel()
	whole := openTest(t)
	for _, d := range mixedDeliveries(t) {
		if stored, err := whole.PutEvent(context.Background(), d); err != nil || !stored {
			t.Fatalf("PutEvent %s: %v, %v", d.EventKey, stored, err)
		}
	}
	want := readEverything(t, whole)
	if want.Counts.Registrants != 31 || want.Counts.Joins != 11 || want.Webinar.Title != "Replay, renamed" {
		t.Fatalf("the uncrashed store reads %+v", want.Counts)
	}

	dir := t.TempDir()
	crashed, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// What the acknowledged commits wrote, and nothing of the views: the
	// state on disk when the process dies before the applier commits.
	err = crashed.db.Update(func(tx *bolt.Tx) error {
		for _, d := range mixedDeliveries(t) {
			if _, _, err := putEventTx(tx, d, d.ReceivedAt); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := crashed.Close(); err != nil {
		t.Fatal(err)
	}
	reopened, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer reopened.Close()
	got := readEverything(t, reopened)
	for i := range got.Joined {
		got.Joined[i].Seq, want.Joined[i].Seq = 0, 0
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("after the replay the store reads\n%+v\nwant (no crash)\n%+v", got, want)
	}
	for _, d := range mixedDeliveries(t)[:3] {
		if stored, err := reopened.PutEvent(context.Background(), d); err != nil || stored {
			t.Errorf("redelivery of %s after the replay: stored=%v err=%v, want refused", d.EventKey, stored, err)
		}
	}
}

// Every read that follows an acknowledgement sees the delivery, though
// the views are applied after the acknowledgement.
func TestViews_AReadAfterAnAcknowledgementSeesIt(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Go(func() {
			for i := range 40 {
				key := fmt.Sprint(1000000 + w*1000 + i)
				d := delivery(t, addedBody(fmt.Sprint("ack-", key), webinarKey, key, "2025-05-02T09:00:00Z"))
				if stored, err := s.PutEvent(context.Background(), d); err != nil || !stored {
					t.Errorf("PutEvent: %v, %v", stored, err)
					return
				}
				if _, err := s.Registrant(webinarKey, key); err != nil {
					t.Errorf("registrant %s read right after its acknowledgement: %v", key, err)
					return
				}
			}
		})
	}
	wg.Wait()
	if c := mustCounts(t, s); c.Registrants != 640 || c.Events != 640 {
		t.Errorf("Counts = %+v, want 640 registrants and events", c)
	}
}

// Under a steady flow the views commit at most every applyEvery, also
// when each round catches up before the next delivery: each view commit
// holds bbolt's one writer through an fsync that acknowledgements wait on.
// A lone delivery after a pause is applied at once.
func TestViews_ASteadyFlowCommitsTheViewsEveryFiftyMilliseconds(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := openTest(t)
		v := s.views
		// nextRound waits for the views to move and says when they did.
		nextRound := func() <-chan time.Time {
			v.mu.Lock()
			ch := v.advanced
			v.mu.Unlock()
			at := make(chan time.Time, 1)
			go func() { <-ch; at <- time.Now() }()
			return at
		}
		put := func(i int) {
			t.Helper()
			key := fmt.Sprint(2000000 + i)
			if _, err := s.PutEvent(context.Background(), delivery(t, addedBody("steady-"+key, webinarKey, key, "2025-05-02T09:00:00Z"))); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(time.Second)
		moved, start := nextRound(), time.Now()
		put(0)
		if d := (<-moved).Sub(start); d != 0 {
			t.Errorf("a lone delivery reached the views after %v, want at once", d)
		}
		// 100 deliveries, one every 5 ms: each round catches up long
		// before the next arrives.
		var rounds int
		done := make(chan struct{})
		go func() {
			defer close(done)
			for {
				select {
				case <-nextRound():
					rounds++
				case <-time.After(time.Second):
					return
				}
			}
		}()
		start = time.Now()
		for i := 1; i <= 100; i++ {
			put(i)
			time.Sleep(5 * time.Millisecond)
		}
		took := time.Since(start)
		<-done
		if most := int(took/applyEvery) + 2; rounds > most || rounds < 5 {
			t.Errorf("the views committed %d times for 100 deliveries over %v, want at most %d (one every %v)",
				rounds, took, most, applyEvery)
		}
		if c := mustCounts(t, s); c.Registrants != 101 {
			t.Errorf("Counts = %+v, want 101 registrants", c)
		}
	})
}

// A delivery the views cannot take (here a registrantKey bbolt refuses
// as a key) stays in the log, and neither stops nor undoes the others.
func TestViews_ADeliveryTheViewsRefuseHoldsUpNoOther(t *testing.T) {
	t.Parallel()
	// Quiet: the error it logs names the 40,000-digit key.
	s, err := Open(t.TempDir(), Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	bad := delivery(t, addedBody("bad", webinarKey, "1", "2025-05-02T09:00:00Z"))
	bad.RegistrantAdded.RegistrantKey = gotowebinar.Key(strings.Repeat("9", 40000))
	put(t, s, addedBody("before", webinarKey, "2", "2025-05-02T09:00:00Z"))
	if stored, err := s.PutEvent(context.Background(), bad); err != nil || !stored {
		t.Fatalf("the acknowledgement does not depend on the views: stored=%v err=%v", stored, err)
	}
	put(t, s, addedBody("after", webinarKey, "3", "2025-05-02T09:00:00Z"))
	for _, key := range []string{"2", "3"} {
		if _, err := s.Registrant(webinarKey, key); err != nil {
			t.Errorf("registrant %s: %v", key, err)
		}
	}
	if e, err := s.Events(EventQuery{Limit: 10}); err != nil || len(e) != 3 {
		t.Errorf("the log holds %d events (%v), want all 3", len(e), err)
	}
}
