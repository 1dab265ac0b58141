package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"webinarsync/gotowebinar"
)

func openDeliveryLog(t testing.TB, s *Store, keys func() [][]byte, lim DeliveryLimits) *DeliveryLog {
	t.Helper()
	l, err := NewDeliveryLog(s, keys, lim)
	if err != nil {
		t.Fatalf("NewDeliveryLog: %v", err)
	}
	t.Cleanup(l.Close)
	return l
}

func flush(t testing.TB, l *DeliveryLog) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := l.Flush(ctx); err != nil {
		t.Fatalf("Flush: %v", err)
	}
}

// refusedOutcome is a delivery signed with key (a wrong one, for us).
func refusedOutcome(at time.Time, key, body string) gotowebinar.Outcome {
	ts := strconv.FormatInt(at.UnixMilli(), 10)
	sig := gotowebinar.Sign([]byte(key), ts, []byte(body))
	h := http.Header{}
	h.Set(gotowebinar.HeaderSignatureTimestamp, ts)
	h.Set("Content-Type", "application/json")
	return gotowebinar.Outcome{At: at, Result: gotowebinar.Refused, Check: gotowebinar.ErrBadSignature,
		Method: http.MethodPost, RemoteAddr: "198.51.100.9:4242", Header: h, Body: []byte(body),
		Bytes: len(body), Signature: sig}
}

func TestDeliveryLog_FloodFillsTheRingWithinItsCapsAndLeavesStoredEventsAlone(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	lim := DeliveryLimits{RingCount: 50, RingBytes: 256 << 10, Queue: 10_000, QueueBytes: 1 << 30}
	l := openDeliveryLog(t, s, func() [][]byte { return nil }, lim)
	at := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	for i := range 3 {
		b := addedBody(fmt.Sprintf("ev-%d", i), "111", fmt.Sprint(i), "2025-06-01T12:00:00Z")
		put(t, s, b)
		l.Observe(gotowebinar.Outcome{At: at, Result: gotowebinar.Stored, EventName: "registrant.added", EventKey: fmt.Sprintf("ev-%d", i)})
	}
	flush(t, l)

	body := `{"eventName":"registrant.added","eventKey":"x","pad":"` + string(bytes.Repeat([]byte("a"), 20<<10)) + `"}`
	for i := range 2000 {
		l.Observe(refusedOutcome(at.Add(time.Duration(i)*time.Millisecond), "stranger", body))
	}
	flush(t, l)

	st, err := l.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.RingCount > lim.RingCount || st.RingBytes > lim.RingBytes {
		t.Errorf("ring after the flood: %d records, %d bytes; caps %d and %d", st.RingCount, st.RingBytes, lim.RingCount, lim.RingBytes)
	}
	if st.RingCount == 0 {
		t.Error("the ring kept nothing of the flood")
	}
	if st.LinkCount != 3 {
		t.Errorf("links = %d, want the 3 stored deliveries", st.LinkCount)
	}
	if c := mustCounts(t, s); c.Events != 3 {
		t.Errorf("events in the store = %d, want 3", c.Events)
	}
	// The ring keeps the newest; the stored ones are still listed.
	all, err := l.List(DeliveryQuery{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != st.RingCount+3 {
		t.Fatalf("listed %d records, want %d", len(all), st.RingCount+3)
	}
	if !all[0].At.Equal(at.Add(1999 * time.Millisecond)) {
		t.Errorf("newest listed at %v, want the last of the flood", all[0].At)
	}
	stored, err := l.List(DeliveryQuery{Result: gotowebinar.Stored})
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) != 3 || stored[0].EventKey != "ev-2" || stored[0].Seq == 0 {
		t.Errorf("stored records = %+v, want 3 linking to their events, newest first", stored)
	}
}

// A lone request shows on the Deliveries page at once; under a flood the
// records are written at most every recordEvery, so their commits do not
// take turns with every acknowledgement's.
func TestDeliveryLog_ALoneRecordAtOnceAFloodEveryFiftyMilliseconds(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := openTest(t)
		l := openDeliveryLog(t, s, func() [][]byte { return nil }, DeliveryLimits{})
		ids, cancel := l.SubscribeDeliveries()
		defer cancel()
		shownAfter := func() time.Duration {
			t.Helper()
			start := time.Now()
			l.Observe(refusedOutcome(start, "k", `{}`))
			select {
			case <-ids:
			case <-time.After(time.Second):
				t.Fatal("the record never showed")
			}
			return time.Since(start)
		}
		if d := shownAfter(); d != 0 {
			t.Errorf("a lone record showed after %v, want at once", d)
		}
		if d := shownAfter(); d < recordEvery/2 || d > recordEvery {
			t.Errorf("a record right after another showed after %v, want within %v but not at once", d, recordEvery)
		}
		time.Sleep(time.Second)
		if d := shownAfter(); d != 0 {
			t.Errorf("a lone record a second later showed after %v, want at once", d)
		}
	})
}

// Paced commits still keep up: 8,000 requests a second for two seconds
// are all recorded, none dropped.
func TestDeliveryLog_PacedWriterKeepsUpWithAFlood(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := openTest(t)
		l := openDeliveryLog(t, s, func() [][]byte { return nil }, DeliveryLimits{RingCount: 20000})
		const total = 16000
		for i := range total {
			l.Observe(refusedOutcome(time.Now(), "k", `{}`))
			if i%8 == 7 {
				time.Sleep(time.Millisecond)
			}
		}
		flush(t, l)
		st, err := l.Stats()
		if err != nil {
			t.Fatal(err)
		}
		if l.Dropped() != 0 || st.RingCount != total {
			t.Errorf("%d recorded, %d dropped of %d; want all recorded", st.RingCount, l.Dropped(), total)
		}
	})
}

func TestDeliveryLog_ObserveNeverWaitsForTheDisk(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	l := openDeliveryLog(t, s, func() [][]byte { return nil }, DeliveryLimits{Queue: 8})
	// Hold bbolt's one write transaction: the writer cannot commit.
	tx, err := s.db.Begin(true)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now()
	start := time.Now()
	for range 1000 {
		l.Observe(refusedOutcome(at, "k", `{}`))
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("1000 Observe calls took %v with the disk held", took)
	}
	if l.Dropped() == 0 {
		t.Error("a full queue dropped nothing")
	}
	_ = tx.Rollback()
	flush(t, l)
	st, err := l.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if int64(st.RingCount)+l.Dropped() != 1000 {
		t.Errorf("kept %d + dropped %d, want 1000 accounted for", st.RingCount, l.Dropped())
	}
}

func TestDeliveryLog_RefusalsShowAfterARestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	l, err := NewDeliveryLog(s, func() [][]byte { return nil }, DeliveryLimits{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	l.Observe(gotowebinar.Outcome{At: now.Add(-2 * time.Minute), Result: gotowebinar.Stored, EventKey: "a"})
	l.Observe(refusedOutcome(now.Add(-time.Minute), "stranger", `{"eventName":"registrant.added","eventKey":"b"}`))
	l.Close()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	l, err = NewDeliveryLog(s, func() [][]byte { return nil }, DeliveryLimits{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	sum := l.Summary(now)
	if sum.Stored != 1 || sum.Refused != 1 {
		t.Errorf("last hour after a restart: %d stored, %d refused; want 1 and 1", sum.Stored, sum.Refused)
	}
	if sum.LastRefusal == nil || !errors.Is(sum.LastRefusal.Check, gotowebinar.ErrBadSignature) {
		t.Errorf("last refusal after a restart = %+v, want the bad signature", sum.LastRefusal)
	}
}

func TestDeliveryLog_VerifyAgainStoresWhatALaterKeyVerifies(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	var mu sync.Mutex
	keys := [][]byte{[]byte("old-key")}
	l := openDeliveryLog(t, s, func() [][]byte { mu.Lock(); defer mu.Unlock(); return keys }, DeliveryLimits{})
	b := addedBody("late-1", "111", "7", "2025-06-01T12:00:00Z")
	l.Observe(refusedOutcome(time.Now(), "new-key", b))
	flush(t, l)
	recs, err := l.List(DeliveryQuery{})
	if err != nil || len(recs) != 1 {
		t.Fatalf("List = %v, %v", recs, err)
	}
	id := recs[0].ID
	if !recs[0].Quarantined || recs[0].EventKey != "late-1" {
		t.Errorf("refused GoTo-shaped delivery: quarantined %v, eventKey %q", recs[0].Quarantined, recs[0].EventKey)
	}

	got, err := l.VerifyAgain(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(got.Check, gotowebinar.ErrBadSignature) || got.Stored {
		t.Fatalf("with the old key only: %+v, want refused again", got)
	}
	if c := mustCounts(t, s); c.Events != 0 {
		t.Fatalf("an unverified delivery was applied: %d events", c.Events)
	}

	mu.Lock()
	keys = append(keys, []byte("new-key"))
	mu.Unlock()
	got, err = l.VerifyAgain(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if got.Check != nil || !got.Stored || got.Seq == 0 {
		t.Fatalf("with the new key: %+v, want stored", got)
	}
	if c := mustCounts(t, s); c.Events != 1 {
		t.Errorf("events = %d after the rescue, want 1", c.Events)
	}
	rec, err := l.Delivery(id)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Result != gotowebinar.Stored || rec.Rescued.IsZero() || rec.Seq != got.Seq {
		t.Errorf("record after the rescue: %+v", rec)
	}
}

// BenchmarkDeliveryLog_Observe is what recording costs a delivery on its
// way to the answer: the queueing, not the write.
func BenchmarkDeliveryLog_Observe(b *testing.B) {
	s := openTest(b)
	l := openDeliveryLog(b, s, func() [][]byte { return nil }, DeliveryLimits{Queue: 1 << 16})
	o := gotowebinar.Outcome{At: time.Now(), Result: gotowebinar.Stored, EventKey: "k", Header: http.Header{"Content-Type": {"application/json"}}}
	for b.Loop() {
		l.Observe(o)
	}
	b.StopTimer()
	flush(b, l)
}
