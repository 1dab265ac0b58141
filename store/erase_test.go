package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"webinarsync/gotowebinar"
)

// The person erased in these tests: an address GoTo spells in two cases,
// a surname and a phone number nobody else has.
const (
	eraseAddr  = "augusta.king@example.org"
	eraseName  = "Byronhurst"
	erasePhone = "+44 20 7946 0913"
)

// fileHolds reports which of needles the database file's bytes hold, in
// any ASCII case.
func fileHolds(t *testing.T, s *Store, needles ...string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(s.Dir(), FileName))
	if err != nil {
		t.Fatal(err)
	}
	low := bytes.ToLower(b)
	var found []string
	for _, n := range needles {
		if bytes.Contains(b, []byte(n)) || bytes.Contains(low, bytes.ToLower([]byte(n))) {
			found = append(found, n)
		}
	}
	return found
}

// eraseFixture fills a store with two webinars: Augusta (registered for
// both, joined and attended the first, in a refused delivery too), Grace
// and Alan, and Bob whose answer names Augusta's address.
func eraseFixture(t *testing.T, s *Store, l *DeliveryLog) {
	t.Helper()
	must(t, s.SetForwarding(true))
	augusta := []any{"firstName", "Augusta", "lastName", eraseName, "email", "Augusta.King@Example.ORG", "phone", erasePhone}
	put(t, s,
		webinarBody("webinar.created", "w1", "111", "NEW", "2025-06-01T10:00:00Z"),
		addedBody("a1", "111", "9001", "2025-06-01T10:01:00Z", augusta...),
		addedBody("a2", "111", "9002", "2025-06-01T10:02:00Z", "firstName", "Grace", "lastName", "Hopper", "email", "grace@example.com"),
		addedBody("a3", "111", "9003", "2025-06-01T10:03:00Z", "firstName", "Alan", "lastName", "Turing", "email", "alan@example.com"),
		addedBody("a4", "111", "9004", "2025-06-01T10:04:00Z", "firstName", "Bob", "lastName", "Noyce", "email", "bob@example.com",
			"responses", raw(`[{"question":"Who referred you?","answer":"AUGUSTA.KING@example.org, thanks"}]`)),
		joinedBody("j1", "111", "9001", "5001", "2025-06-10T15:01:00Z", augusta[:6]...),
		joinedBody("j2", "111", "9002", "5001", "2025-06-10T15:02:00Z", "firstName", "Grace", "lastName", "Hopper", "email", "grace@example.com"),
		addedBody("b1", "222", "9101", "2025-06-02T10:00:00Z", "webinarTitle", "Autumn Review",
			"firstName", "Augusta", "lastName", eraseName, "email", eraseAddr),
		addedBody("b2", "222", "9102", "2025-06-02T10:01:00Z", "webinarTitle", "Autumn Review",
			"firstName", "Grace", "lastName", "Hopper", "email", "grace@example.com"),
	)
	sess := gotowebinar.Session{SessionKey: "5001"}
	must(t, mergeGoToAttendance(s, "111", sess, []gotowebinar.Attendee{
		{RegistrantKey: "9001", FirstName: "Augusta", LastName: eraseName, Email: "augusta.KING@example.org", AttendanceTimeInSeconds: 1800},
		{RegistrantKey: "9002", FirstName: "Grace", LastName: "Hopper", Email: "grace@example.com", AttendanceTimeInSeconds: 2400},
	}, time.Date(2025, 6, 11, 0, 0, 0, 0, time.UTC)))
	at := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	l.Observe(refusedOutcome(at, "stranger", addedBody("r1", "111", "9001", "2025-06-01T10:01:00Z", augusta...)))
	l.Observe(refusedOutcome(at, "stranger", addedBody("r2", "111", "9002", "2025-06-01T10:02:00Z")))
	flush(t, l)
}

func TestErasePerson_LeavesNoByteOfThemInTheFileAndKeepsEveryoneElse(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	l := openDeliveryLog(t, s, func() [][]byte { return nil }, DeliveryLimits{})
	eraseFixture(t, s, l)
	if found := fileHolds(t, s, eraseAddr); len(found) == 0 {
		t.Fatal("the fixture does not hold the address: the test would prove nothing")
	}
	grace := mustRegistrant(t, s, "111", "9002")
	graceEvent := mustEventByKey(t, s, "a2")
	before := mustCounts(t, s)
	pending, _ := s.OutboxPending()

	er, err := s.ErasePerson(context.Background(), "  ADA@x ")
	if err != nil || er.Found() {
		t.Fatalf("erasing an address nobody has = %+v, %v; want nothing found", er, err)
	}
	er, err = s.ErasePerson(context.Background(), "AUGUSTA.King@example.org")
	if err != nil {
		t.Fatalf("ErasePerson: %v", err)
	}
	// Four bodies: her two registrations, her join, and Bob's registration,
	// whose answer names her address (his record keeps the rest of it).
	want := Erasure{Webinars: 2, Registrants: 2, Joins: 1, Attendance: 1, Events: 4, Deliveries: 1, Outbox: 4, Redacted: 1, Compacted: true}
	if fmt.Sprint(er) != fmt.Sprint(want) {
		t.Errorf("erasure = %+v\nwant      %+v", er, want)
	}

	if found := fileHolds(t, s, eraseAddr, strings.ToUpper(eraseAddr), "Augusta.King@Example.ORG", eraseName, erasePhone); len(found) > 0 {
		t.Errorf("the database file still holds %q after the erasure", found)
	}
	after := mustCounts(t, s)
	if after.Registrants != before.Registrants-2 || after.Joins != before.Joins-1 ||
		after.Webinars != before.Webinars || after.Events != before.Events {
		t.Errorf("counts %+v → %+v; want 2 registrants and 1 join fewer, the same webinars and events", before, after)
	}
	if got := mustRegistrant(t, s, "111", "9002"); fmt.Sprint(got) != fmt.Sprint(grace) {
		t.Errorf("Grace changed:\n%+v\n%+v", grace, got)
	}
	if got := mustEventByKey(t, s, "a2"); !bytes.Equal(got.Raw, graceEvent.Raw) || got.Tombstone != nil {
		t.Errorf("Grace's event body changed: %s", got.Raw)
	}
	for _, k := range []string{"9001"} {
		if _, err := s.Registrant("111", k); !errors.Is(err, ErrNotFound) {
			t.Errorf("Registrant(111, %s) after the erasure: %v, want ErrNotFound", k, err)
		}
	}
	w := mustWebinar(t, s, "111")
	if w.Registrants != 3 || w.Joined != 1 || w.Joins != 1 || w.Attended != 1 {
		t.Errorf("webinar 111 counts %+v; want 3 registrants, 1 joined, 1 join, 1 attended", w)
	}
	if n := mustWebinar(t, s, "222").Registrants; n != 1 {
		t.Errorf("webinar 222 has %d registrants, want 1", n)
	}
	if _, total, _ := s.Registrants("111", RegistrantQuery{Status: "Approved"}); total != 3 {
		t.Errorf("approved registrants of 111 = %d, want 3 (the status count follows)", total)
	}
	if m, n, _ := s.SearchPeople("augusta", 10); n != 0 {
		t.Errorf("search still finds %d: %+v", n, m)
	}
	bob := mustRegistrant(t, s, "111", "9004")
	if got := bob.Responses[0].Answer(); got != "[erased], thanks" {
		t.Errorf("Bob's answer naming the address = %q, want it in place of the address", got)
	}
	att, _ := s.Attendance("111")
	if len(att) != 1 || att[0].RegistrantKey != "9002" {
		t.Errorf("attendance after the erasure: %+v", att)
	}
	if got, _ := s.OutboxPending(); got != pending-4 {
		t.Errorf("outbox: %d → %d; want the 4 sends of those bodies dropped", pending, got)
	}
	e := mustEventByKey(t, s, "a1")
	if e.Tombstone == nil || e.Tombstone.Reason != TombstoneErased || e.EventName != "registrant.added" || e.Tombstone.Bytes == 0 {
		t.Errorf("her event after the erasure: %+v", e)
	}
	if len(er.Remaining) > 0 {
		t.Errorf("the address remains in %v", er.Remaining)
	}

	// GoTo redelivers her old event: still known, not stored again.
	if stored, err := s.PutEvent(context.Background(), delivery(t, addedBody("a1", "111", "9001", "2025-06-01T10:01:00Z",
		"email", eraseAddr))); err != nil || stored {
		t.Errorf("redelivery of an erased event: stored %v, %v; want a duplicate", stored, err)
	}
	// The sync lists her at GoTo still: not copied back.
	if _, err := mergeGoToRegistrants(s, "111", []gotowebinar.Registrant{{RegistrantKey: "9001", Email: eraseAddr, LastName: eraseName}},
		time.Now(), true); err != nil {
		t.Fatal(err)
	}
	if need, _ := s.NeedsDetail("111", []string{"9001", "9003"}); fmt.Sprint(need) != "[9003]" {
		t.Errorf("NeedsDetail asks for %v; want only 9003, not the erased 9001", need)
	}
	if _, err := s.Registrant("111", "9001"); !errors.Is(err, ErrNotFound) {
		t.Errorf("the sync brought her back: %v", err)
	}
	if sum := l.Summary(time.Date(2025, 6, 1, 12, 30, 0, 0, time.UTC)); sum.LastRefusal != nil &&
		bytes.Contains(bytes.ToLower(sum.LastRefusal.Body), []byte(eraseAddr)) {
		t.Error("the status's last refusal still shows her")
	}
}

func mustEventByKey(t *testing.T, s *Store, eventKey string) LogEntry {
	t.Helper()
	es, err := s.Events(EventQuery{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if e.EventKey == eventKey {
			return e
		}
	}
	t.Fatalf("no event %s", eventKey)
	return LogEntry{}
}

func TestEraseRegistrant_WithoutAnAddressErasesThatRegistrationOnly(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	put(t, s,
		addedBody("a1", "111", "9001", "2025-06-01T10:01:00Z", "email", "", "lastName", eraseName),
		addedBody("a2", "111", "9002", "2025-06-01T10:02:00Z", "email", "", "lastName", "Hopper"),
	)
	er, err := s.EraseRegistrant(context.Background(), "111", "9001")
	if err != nil || er.Registrants != 1 || er.Events != 1 {
		t.Fatalf("EraseRegistrant = %+v, %v; want 1 registrant, 1 event", er, err)
	}
	if found := fileHolds(t, s, eraseName); len(found) > 0 {
		t.Errorf("the file still holds %v", found)
	}
	mustRegistrant(t, s, "111", "9002")
	if _, err := s.EraseRegistrant(context.Background(), "111", "9001"); !errors.Is(err, ErrNotFound) {
		t.Errorf("erasing again: %v, want ErrNotFound", err)
	}
}

// Deliveries keep arriving while a person is erased and the file
// compacted: every delivery PutEvent acknowledged is there after, and a
// delivery that meets the compaction is refused at once with ErrBusy (as
// GoTo is told 503), never lost.
func TestErasePerson_WhileDeliveriesFlowLosesNoAcknowledgedEvent(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	put(t, s, addedBody("her", "111", "9001", "2025-06-01T10:01:00Z", "email", eraseAddr, "lastName", eraseName))

	const senders = 6
	var (
		mu     sync.Mutex
		acked  []string
		busy   atomic.Int64
		slow   atomic.Int64 // deliveries that waited more than a second for an answer
		stop   atomic.Bool
		wg     sync.WaitGroup
		failed atomic.Value
	)
	for g := range senders {
		wg.Go(func() {
			for i := 0; !stop.Load(); i++ {
				reg := fmt.Sprintf("%d%06d", g+1, i)
				d := delivery(t, addedBody("ek-"+reg, "111", reg, "2025-06-01T10:00:00Z", "email", reg+"@example.com"))
				for {
					start := time.Now()
					_, err := s.PutEvent(context.Background(), d)
					if time.Since(start) > time.Second {
						slow.Add(1)
					}
					if errors.Is(err, gotowebinar.ErrSinkBusy) {
						busy.Add(1)
						time.Sleep(time.Millisecond) // GoTo's retry, much sooner
						continue
					}
					if err != nil {
						failed.Store(err)
						return
					}
					break
				}
				mu.Lock()
				acked = append(acked, reg)
				mu.Unlock()
			}
		})
	}
	waitAcked := func(n int) {
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
			mu.Lock()
			got := len(acked)
			mu.Unlock()
			if got >= n || failed.Load() != nil {
				return
			}
		}
	}
	waitAcked(200)
	er, err := s.ErasePerson(context.Background(), eraseAddr)
	mu.Lock()
	n := len(acked)
	mu.Unlock()
	waitAcked(n + 100) // and deliveries go on after
	stop.Store(true)
	wg.Wait()
	if err != nil || !er.Compacted || er.Registrants != 1 {
		t.Fatalf("ErasePerson during deliveries = %+v, %v", er, err)
	}
	if err := failed.Load(); err != nil {
		t.Fatalf("a delivery failed otherwise than busy: %v", err)
	}
	if slow.Load() > 0 {
		t.Errorf("%d deliveries waited over a second for their answer", slow.Load())
	}
	t.Logf("%d acknowledged, %d answered busy", len(acked), busy.Load())
	if c := mustCounts(t, s); c.Registrants != len(acked) || c.Events != len(acked)+1 {
		t.Errorf("counts %+v; want %d registrants and %d events", c, len(acked), len(acked)+1)
	}
	for _, reg := range acked {
		if _, err := s.Registrant("111", reg); err != nil {
			t.Fatalf("acknowledged registrant %s: %v", reg, err)
		}
	}
	if found := fileHolds(t, s, eraseAddr, eraseName); len(found) > 0 {
		t.Errorf("the file still holds %v", found)
	}
}

// While a compaction holds the file, a delivery is turned away at once
// with ErrBusy, while a sync's write waits and then goes through.
func TestCompact_DeliveriesFailFastWhileOtherWritesWait(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	s.swap.Lock() // as Compact holds it
	start := time.Now()
	_, err := s.PutEvent(context.Background(), delivery(t, addedBody("a1", "111", "9001", "2025-06-01T10:01:00Z")))
	if !errors.Is(err, ErrBusy) || !errors.Is(err, gotowebinar.ErrSinkBusy) {
		t.Errorf("PutEvent while compacting = %v, want ErrBusy (gotowebinar.ErrSinkBusy)", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("PutEvent took %v to say busy", d)
	}
	merged := make(chan error, 1)
	go func() {
		_, err := mergeGoToWebinars(s, []gotowebinar.Webinar{{WebinarKey: "111", Subject: "Launch"}}, time.Now())
		merged <- err
	}()
	select {
	case err := <-merged:
		t.Fatalf("a merge went through while the file was held: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	s.swap.Unlock()
	if err := <-merged; err != nil {
		t.Fatalf("the merge after the compaction: %v", err)
	}
	put(t, s, addedBody("a1", "111", "9001", "2025-06-01T10:01:00Z"))
}

func TestCompact_KeepsEverythingAndSequences(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	for i := range 50 {
		put(t, s, addedBody(fmt.Sprint("e", i), "111", fmt.Sprint(9000+i), "2025-06-01T10:01:00Z"))
	}
	before := mustCounts(t, s)
	seq, _ := s.LastSeq()
	must(t, s.Compact(context.Background()))
	must(t, s.Compact(context.Background())) // and again, on the swapped file
	if c := mustCounts(t, s); c != before {
		t.Errorf("counts %+v after compacting, want %+v", c, before)
	}
	put(t, s, addedBody("next", "111", "9999", "2025-06-01T10:01:00Z"))
	if got, _ := s.LastSeq(); got != seq+1 {
		t.Errorf("seq after compaction = %d, want %d (sequences kept)", got, seq+1)
	}
	tmp, _ := filepath.Glob(filepath.Join(s.Dir(), ".compact-*"))
	if len(tmp) > 0 {
		t.Errorf("temporary files left: %v", tmp)
	}
	// And it opens again.
	dir := s.Dir()
	must(t, s.Close())
	s2, err := Open(dir, Options{})
	if err != nil {
		t.Fatalf("reopening the compacted file: %v", err)
	}
	defer s2.Close()
	if c := mustCounts(t, s2); c.Registrants != before.Registrants+1 {
		t.Errorf("after reopening: %+v", c)
	}
}

func TestDeleteWebinar_RemovesEverythingAboutItAndKeepsTheOthers(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	l := openDeliveryLog(t, s, func() [][]byte { return nil }, DeliveryLimits{})
	eraseFixture(t, s, l)
	l.Observe(gotowebinar.Outcome{At: time.Now(), Result: gotowebinar.Stored, EventName: "registrant.added", EventKey: "a3"})
	flush(t, l)
	if _, err := mergeGoToRegistrants(s, "111", []gotowebinar.Registrant{{RegistrantKey: "9005", Email: "carol@example.com",
		LastName: "Shaw", Responses: gotowebinar.Responses{{Question: "Only asked in 111?", Answers: []string{"yes"}}}}}, time.Now(), true); err != nil {
		t.Fatal(err)
	}
	other := mustWebinar(t, s, "222")
	otherEvent := mustEventByKey(t, s, "b2")
	before := mustCounts(t, s)

	er, err := s.DeleteWebinar(context.Background(), "111")
	if err != nil {
		t.Fatalf("DeleteWebinar: %v", err)
	}
	if er.Webinars != 1 || er.Registrants != 5 || er.Joins != 2 || er.Attendance != 2 || er.Events != 7 || er.Outbox != 7 || !er.Compacted || er.Deliveries != 3 {
		t.Errorf("deletion = %+v", er)
	}
	if _, err := s.Webinar("111"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Webinar(111) after deletion: %v", err)
	}
	if c := mustCounts(t, s); c.Webinars != before.Webinars-1 || c.Registrants != before.Registrants-5 || c.Joins != 0 || c.Events != before.Events {
		t.Errorf("counts %+v → %+v", before, c)
	}
	if got := mustWebinar(t, s, "222"); fmt.Sprint(got) != fmt.Sprint(other) {
		t.Errorf("the other webinar changed: %+v", got)
	}
	if got := mustEventByKey(t, s, "b2"); !bytes.Equal(got.Raw, otherEvent.Raw) {
		t.Errorf("the other webinar's event changed: %s", got.Raw)
	}
	if e := mustEventByKey(t, s, "a2"); e.Tombstone == nil || e.Tombstone.Reason != TombstoneWebinarDeleted {
		t.Errorf("an event of the deleted webinar: %+v", e)
	}
	if found := fileHolds(t, s, "grace@example.com", "alan@example.com", "Only asked in 111?", "Turing"); fmt.Sprint(found) != "[grace@example.com]" {
		// Grace is registered for 222 too.
		t.Errorf("the file holds %v; want only Grace, who is registered for 222 too", found)
	}
	var questions []string
	must(t, s.view(func(tx *bolt.Tx) error {
		questions, _ = decodeStrings(tx.Bucket([]byte(bucketMeta)).Get([]byte(metaQuestions)))
		return nil
	}))
	if len(questions) != 0 {
		t.Errorf("questions only 111 asked stay in the export's columns: %v", questions)
	}
	// Redelivered, listed again by the sync: not brought back.
	if stored, _ := s.PutEvent(context.Background(), delivery(t, addedBody("a2", "111", "9002", "2025-06-01T10:02:00Z"))); stored {
		t.Error("a redelivery of the deleted webinar's event was stored again")
	}
	if _, err := mergeGoToWebinars(s, []gotowebinar.Webinar{{WebinarKey: "111", Subject: "Quarterly Launch"}}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := mergeGoToRegistrants(s, "111", []gotowebinar.Registrant{{RegistrantKey: "9003"}}, time.Now(), false); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Webinar("111"); !errors.Is(err, ErrNotFound) {
		t.Errorf("the sync brought the deleted webinar back: %v", err)
	}
	if _, err := s.DeleteWebinar(context.Background(), "111"); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleting it again: %v, want ErrNotFound", err)
	}
	// News GoTo sends of it after is new, and kept.
	put(t, s, addedBody("new", "111", "9010", "2025-07-01T10:00:00Z"))
	if w := mustWebinar(t, s, "111"); w.Registrants != 1 {
		t.Errorf("the webinar back from a new delivery: %+v", w)
	}
}

func TestPrune_RemovesOnlyWhatIsOlderThanTheRetention(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	l := openDeliveryLog(t, s, func() [][]byte { return nil }, DeliveryLimits{})
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	ages := map[string]int{"old": 120, "edge": 91, "recent": 89, "new": 2} // days
	must(t, s.SetForwarding(true))
	for key, days := range ages {
		d := delivery(t, addedBody(key, "111", fmt.Sprint(len(key)*1000+days), "2025-06-01T10:00:00Z"))
		d.ReceivedAt = now.AddDate(0, 0, -days)
		if _, err := s.PutEvent(context.Background(), d); err != nil {
			t.Fatal(err)
		}
		l.Observe(refusedOutcome(now.AddDate(0, 0, -days), "stranger", `{"n":"`+key+`"}`))
		l.Observe(gotowebinar.Outcome{At: now.AddDate(0, 0, -days), Result: gotowebinar.Stored, EventKey: key})
	}
	flush(t, l)
	before := mustCounts(t, s)

	if r, _ := s.Retention(); r.Days != DefaultRetentionDays {
		t.Errorf("default retention = %d days", r.Days)
	}
	p, err := s.Prune(context.Background(), now)
	if err != nil {
		t.Fatalf("Prune: %v", err)
	}
	if p.Days != 90 || p.Events != 2 || p.Deliveries != 4 || p.Outbox != 2 || !p.Compacted {
		t.Errorf("prune = %+v; want 2 bodies, 4 delivery records, 2 sends, compacted", p)
	}
	for key, days := range ages {
		e := mustEventByKey(t, s, key)
		if old := days > 90; old != (e.Tombstone != nil) {
			t.Errorf("%s (%d days old): tombstone %+v", key, days, e.Tombstone)
		}
		if e.Tombstone != nil && e.Tombstone.Reason != TombstoneExpired {
			t.Errorf("%s: tombstone %+v", key, e.Tombstone)
		}
	}
	if c := mustCounts(t, s); c != before {
		t.Errorf("counts %+v → %+v: registrants and events must stay", before, c)
	}
	if st, _ := l.Stats(); st.RingCount != 2 || st.LinkCount != 2 {
		t.Errorf("delivery records after the prune: %+v, want 2 of each", st)
	}
	if p, err := s.Prune(context.Background(), now); err != nil || p.Events+p.Deliveries != 0 || p.Compacted {
		t.Errorf("a second pass = %+v, %v; want nothing to do", p, err)
	}

	if err := s.SetRetention(0); !errors.Is(err, ErrRetentionRange) {
		t.Errorf("SetRetention(0) = %v", err)
	}
	if err := s.SetRetention(3651); !errors.Is(err, ErrRetentionRange) {
		t.Errorf("SetRetention(3651) = %v", err)
	}
	must(t, s.SetRetention(30))
	if p, _ := s.Prune(context.Background(), now); p.Events != 1 || p.Days != 30 {
		t.Errorf("with 30 days: %+v, want the 89-day-old body pruned", p)
	}
	if e := mustEventByKey(t, s, "new"); e.Tombstone != nil {
		t.Error("the newest body was pruned")
	}
}

func TestTombstone_IsNoEvent(t *testing.T) {
	t.Parallel()
	b := tombstoneBody(Tombstone{Reason: TombstoneErased, At: time.Now(), Bytes: 12})
	ev, err := gotowebinar.DecodeEvent(b)
	if err == nil && (ev.RegistrantAdded != nil || ev.RegistrantJoined != nil || ev.Webinar != nil || ev.EventName != "") {
		t.Errorf("a tombstone decodes as an event: %+v", ev)
	}
	var v map[string]map[string]any
	if err := json.Unmarshal(b, &v); err != nil || v["tombstone"]["reason"] != TombstoneErased {
		t.Errorf("tombstone %s: %v", b, err)
	}
}

// A delivery acknowledged just before the erasure, whose views the applier
// has not written yet, does not bring the person back when it does.
func TestErasePerson_ADeliveryNotAppliedYetStaysOutOfTheViews(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	put(t, s, addedBody("a0", "111", "9000", "2025-06-01T10:00:00Z", "email", "grace@example.com"))
	d := delivery(t, addedBody("a1", "111", "9001", "2025-06-01T10:01:00Z", "email", eraseAddr, "lastName", eraseName))
	var entry LogEntry
	must(t, s.write(func(tx *bolt.Tx) error { // committed, not yet told to the views
		var err error
		entry, _, err = putEventTx(tx, d, d.ReceivedAt)
		return err
	}))
	er, err := s.ErasePerson(context.Background(), eraseAddr)
	if err != nil || er.Events != 1 {
		t.Fatalf("ErasePerson = %+v, %v; want its body replaced", er, err)
	}
	s.views.acknowledged(entry.Seq, d) // the acknowledgement arrives, with the decoded delivery
	if _, err := s.Registrant("111", "9001"); !errors.Is(err, ErrNotFound) {
		t.Errorf("the erased person came back with the views: %v", err)
	}
	if c := mustCounts(t, s); c.Registrants != 1 || c.Events != 2 {
		t.Errorf("counts %+v; want Grace alone, both events logged", c)
	}
}
