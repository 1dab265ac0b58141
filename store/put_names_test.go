package store

import (
	"context"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// putStored stores one body and says whether it was new.
func putStored(t *testing.T, s *Store, body string) bool {
	t.Helper()
	stored, err := s.PutEvent(context.Background(), delivery(t, body))
	if err != nil {
		t.Fatalf("PutEvent: %v", err)
	}
	return stored
}

// GoTo has sent a registrant.joined with the eventKey of the
// registrant.added before it: a delivery is the same event only when its
// name and its key both match, so the join is kept, each is still stored
// once, and the live board finds the join under its own seq.
func TestPutEvent_SameEventKeyUnderAnotherNameIsAnotherEvent(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	add := addedBody("shared-1", webinarKey, registrantKey, "2025-05-01T09:00:00Z")
	join := joinedBody("shared-1", webinarKey, registrantKey, "111", "2025-05-01T10:00:00Z")
	if !putStored(t, s, add) {
		t.Fatal("registrant.added not stored")
	}
	addSeq, _ := s.LastSeq()
	if !putStored(t, s, join) {
		t.Fatal("registrant.joined with the eventKey of a registrant.added was dropped as already stored")
	}
	for _, again := range []string{add, join} {
		if putStored(t, s, again) {
			t.Errorf("redelivery stored again: %.60s…", again)
		}
	}
	if c := mustCounts(t, s); c.Events != 2 || c.Joins != 1 || c.Registrants != 1 {
		t.Errorf("Counts = %+v, want 2 events, 1 join, 1 registrant", c)
	}
	joins, err := s.JoinsAfter(webinarKey, addSeq)
	if err != nil {
		t.Fatal(err)
	}
	if len(joins) != 1 || joins[0].Seq != addSeq+1 {
		t.Errorf("joins after the registration's seq %d = %+v, want the join at seq %d", addSeq, joins, addSeq+1)
	}
}

// A database written before names counted holds only eventKey -> seq.
// Events in it are still recognised when GoTo delivers them again, and an
// event of another name with one of its keys is stored, across reopening.
func TestPutEvent_DatabaseWrittenBeforeNamesCountedKeepsDeduplicating(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	add := addedBody("old-1", webinarKey, registrantKey, "2025-05-01T09:00:00Z")
	join := joinedBody("old-1", webinarKey, registrantKey, "111", "2025-05-01T10:00:00Z")
	// The old layout, written by hand: the log record and eventKey -> seq.
	err = s.db.Update(func(tx *bolt.Tx) error {
		if tx.Bucket([]byte(bucketEventsByName)) != nil {
			t.Fatal("a new database already has the by-name bucket: this is not the old layout")
		}
		d := delivery(t, add)
		logB := tx.Bucket([]byte(bucketLog))
		seq, err := logB.NextSequence()
		if err != nil {
			return err
		}
		rec, err := encodeLogRecord(LogEntry{Seq: seq, EventKey: string(d.EventKey), EventName: d.EventName,
			WebinarKey: string(d.WebinarKey()), ReceivedAt: d.ReceivedAt, Raw: d.Raw})
		if err != nil {
			return err
		}
		if err := logB.Put(u64(seq), rec); err != nil {
			return err
		}
		return tx.Bucket([]byte(bucketEvents)).Put([]byte(d.EventKey), u64(seq))
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	for round := range 2 { // as first opened, then again after a restart
		s, err := Open(dir, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if putStored(t, s, add) {
			t.Errorf("round %d: a registrant.added stored the old way was stored again", round)
		}
		if got := putStored(t, s, join); got != (round == 0) {
			t.Errorf("round %d: registrant.joined with the old event's key: stored = %v, want %v", round, got, round == 0)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
