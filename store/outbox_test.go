package store

import (
	"errors"
	"testing"
	"time"
)

// drain takes every queued item off the outbox, in order.
func drain(t *testing.T, s *Store) []OutboxItem {
	t.Helper()
	var out []OutboxItem
	for {
		it, e, ok, err := s.OutboxNext()
		if err != nil {
			t.Fatalf("OutboxNext: %v", err)
		}
		if !ok {
			return out
		}
		if e.Seq != it.Seq || len(e.Raw) == 0 {
			t.Fatalf("OutboxNext: item for seq %d came with event %d (raw %d bytes)", it.Seq, e.Seq, len(e.Raw))
		}
		out = append(out, it)
		if err := s.OutboxDone(it.ID); err != nil {
			t.Fatalf("OutboxDone: %v", err)
		}
	}
}

func TestOutbox_QueuesNewEventsOnlyWhileForwarding(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	put(t, s, addedBody("ev-before", "1", "11", "2025-06-01T10:00:00Z"))
	if err := s.SetForwarding(true); err != nil {
		t.Fatal(err)
	}
	put(t, s, addedBody("ev-1", "1", "12", "2025-06-01T10:01:00Z"), addedBody("ev-2", "1", "13", "2025-06-01T10:02:00Z"))
	// A redelivery is not new: nothing queued for it.
	if stored, err := s.PutEvent(t.Context(), delivery(t, addedBody("ev-1", "1", "12", "2025-06-01T10:01:00Z"))); err != nil || stored {
		t.Fatalf("redelivery: stored = %v, err = %v", stored, err)
	}
	if n, err := s.OutboxPending(); err != nil || n != 2 {
		t.Fatalf("OutboxPending = %d, %v; want 2", n, err)
	}
	items := drain(t, s)
	if len(items) != 2 || items[0].Seq != 2 || items[1].Seq != 3 || items[0].Replay {
		t.Fatalf("queued %+v, want seqs 2, 3 in order, not replays", items)
	}
	if err := s.SetForwarding(false); err != nil {
		t.Fatal(err)
	}
	put(t, s, addedBody("ev-after", "1", "14", "2025-06-01T10:03:00Z"))
	if n, _ := s.OutboxPending(); n != 0 {
		t.Errorf("after forwarding stopped, %d queued, want 0", n)
	}
}

func TestOutbox_SurvivesReopen(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetForwarding(true); err != nil {
		t.Fatal(err)
	}
	put(t, s, addedBody("ev-1", "1", "12", "2025-06-01T10:01:00Z"))
	secret, err := s.ForwardSecret()
	if err != nil || len(secret) < 40 {
		t.Fatalf("ForwardSecret = %q, %v", secret, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if again, _ := s.ForwardSecret(); again != secret {
		t.Errorf("ForwardSecret after reopen = %q, want the same %q", again, secret)
	}
	put(t, s, addedBody("ev-2", "1", "13", "2025-06-01T10:02:00Z")) // still forwarding
	if items := drain(t, s); len(items) != 2 || items[0].Seq != 1 || items[1].Seq != 2 {
		t.Errorf("after reopen queued %+v, want seqs 1, 2", items)
	}
}

func TestOutbox_ReplayPicksByWebinarTimeAndSeq(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	put(t, s,
		addedBody("ev-a1", "1", "11", "2025-06-01T10:00:00Z"),
		addedBody("ev-b1", "2", "21", "2025-06-01T10:01:00Z"),
		joinedBody("ev-a2", "1", "11", "9", "2025-06-01T11:00:00Z"),
	)
	n, err := s.EnqueueReplay(ReplayQuery{WebinarKey: "1"}, time.Now())
	if err != nil || n != 2 {
		t.Fatalf("replay webinar 1 = %d, %v; want 2", n, err)
	}
	items := drain(t, s)
	if len(items) != 2 || items[0].Seq != 1 || items[1].Seq != 3 || !items[0].Replay {
		t.Errorf("replay of webinar 1 queued %+v, want seqs 1, 3 marked replay", items)
	}
	// Every test delivery arrives at the same instant; a range around it
	// takes all three, one after it none.
	at := delivery(t, addedBody("x", "1", "1", "2025-06-01T10:00:00Z")).ReceivedAt
	if n, _ := s.EnqueueReplay(ReplayQuery{From: at, To: at.Add(time.Second)}, time.Now()); n != 3 {
		t.Errorf("replay of a range = %d, want 3", n)
	}
	if n, _ := s.EnqueueReplay(ReplayQuery{From: at.Add(time.Second)}, time.Now()); n != 0 {
		t.Errorf("replay after every event = %d, want 0", n)
	}
	drain(t, s)
	if n, err := s.EnqueueReplay(ReplayQuery{Seq: 2}, time.Now()); err != nil || n != 1 {
		t.Errorf("replay of seq 2 = %d, %v", n, err)
	}
	if _, err := s.EnqueueReplay(ReplayQuery{Seq: 99}, time.Now()); !errors.Is(err, ErrNotFound) {
		t.Errorf("replay of an unknown seq: err = %v, want ErrNotFound", err)
	}
	if _, err := s.EnqueueReplay(ReplayQuery{}, time.Now()); !errors.Is(err, ErrEmptyReplay) {
		t.Errorf("empty replay: err = %v, want ErrEmptyReplay", err)
	}
}
