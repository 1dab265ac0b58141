package store

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	bolt "go.etcd.io/bbolt"

	"webinarsync/gotowebinar"
)

const (
	webinarKey    = "4687452063914637827"
	registrantKey = "9012345678901234567"
)

func TestPutEvent_RedeliveryChangesNothing(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	b := addedBody("ev-1", webinarKey, registrantKey, "2025-05-01T09:00:00Z", "organization", "Analytical Engines")
	put(t, s, b)
	before := mustRegistrant(t, s, webinarKey, registrantKey)
	wBefore := mustWebinar(t, s, webinarKey)

	// Redelivered with other content: GoTo's eventKey decides, not the body.
	changed := addedBody("ev-1", webinarKey, registrantKey, "2025-05-02T09:00:00Z", "organization", "Changed Ltd")
	for _, body := range []string{b, changed} {
		stored, err := s.PutEvent(context.Background(), delivery(t, body))
		if err != nil || stored {
			t.Fatalf("redelivery: stored=%v err=%v, want false, nil", stored, err)
		}
	}
	if after := mustRegistrant(t, s, webinarKey, registrantKey); !sameState(t, before, after) {
		t.Errorf("registrant changed by redelivery:\n%+v\n%+v", before, after)
	}
	if w := mustWebinar(t, s, webinarKey); !sameState(t, wBefore, w) {
		t.Errorf("webinar changed by redelivery:\n%+v\n%+v", wBefore, w)
	}
	if c := mustCounts(t, s); c != (Counts{Webinars: 1, Registrants: 1, Events: 1}) {
		t.Errorf("Counts = %+v", c)
	}
}

func TestPutEvent_ConcurrentRedeliveriesStoreOnce(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	b := addedBody("ev-dup", webinarKey, registrantKey, "2025-05-01T09:00:00Z")
	var storedN, errN atomic.Int32
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() {
			stored, err := s.PutEvent(context.Background(), delivery(t, b))
			if err != nil {
				errN.Add(1)
			}
			if stored {
				storedN.Add(1)
			}
		})
	}
	wg.Wait()
	if storedN.Load() != 1 || errN.Load() != 0 {
		t.Errorf("stored=true %d times, %d errors; want once, none", storedN.Load(), errN.Load())
	}
	if c := mustCounts(t, s); c != (Counts{Webinars: 1, Registrants: 1, Events: 1}) {
		t.Errorf("Counts = %+v", c)
	}
	if evs, _ := s.Events(EventQuery{}); len(evs) != 1 {
		t.Errorf("log has %d entries, want 1", len(evs))
	}
	if w := mustWebinar(t, s, webinarKey); w.Registrants != 1 {
		t.Errorf("webinar counts %d registrants", w.Registrants)
	}
}

func TestPutEvent_ConcurrentDistinctEventsAreAllStored(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for i := range 200 {
		wg.Go(func() {
			b := addedBody(fmt.Sprintf("ev-%d", i), webinarKey, fmt.Sprint(1000+i%150), "2025-05-01T09:00:00Z")
			if i%3 == 0 {
				b = joinedBody(fmt.Sprintf("ev-%d", i), webinarKey, fmt.Sprint(1000+i%150), "77", "2025-06-10T15:00:00Z")
			}
			if stored, err := s.PutEvent(context.Background(), delivery(t, b)); err != nil || !stored {
				errs <- fmt.Errorf("event %d: stored=%v err=%v", i, stored, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	c := mustCounts(t, s)
	w := mustWebinar(t, s, webinarKey)
	if c.Events != 200 || c.Joins != 67 || c.Registrants != 150 || w.Registrants != 150 || w.Joins != 67 {
		t.Errorf("Counts = %+v, webinar = %+v", c, w)
	}
	if total := registrantsTotal(t, s, webinarKey, RegistrantQuery{Search: "ada"}); total != 150 {
		t.Errorf("registrants found by scan = %d, want the counter's 150", total)
	}
}

func TestWebinar_CreatedThenChangedThenDeleted(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	put(t, s, webinarBody("webinar.created", "ev-1", webinarKey, "NEW", "2025-05-01T08:00:00Z",
		"webinarCreationDate", "2025-05-01T08:00:00Z", "recurrenceKey", nil))
	w := mustWebinar(t, s, webinarKey)
	wantStart := time.Date(2025, 6, 10, 15, 0, 0, 0, time.UTC)
	if w.Status != "NEW" || w.Title != "Quarterly Launch" || !w.StartTime.Equal(wantStart) ||
		!w.EndTime.Equal(wantStart.Add(time.Hour)) || w.TimeZone != "Europe/Berlin" ||
		w.AccountKey != "3141592653589793238" || w.OrganizerKey != "7098512343098123456" ||
		len(w.Times) != 1 || w.CreatedAt.IsZero() {
		t.Fatalf("after created: %+v", w)
	}

	put(t, s, webinarBody("webinar.changed", "ev-2", webinarKey, "UPDATED", "2025-05-02T08:00:00Z",
		"webinarTitle", "Quarterly Launch (moved)",
		"times", raw(`[{"startTime":"2025-06-11T15:00:00Z","endTime":"2025-06-11T16:00:00Z"},{"startTime":"2025-06-12T15:00:00Z","endTime":"2025-06-12T17:00:00Z"}]`)))
	w = mustWebinar(t, s, webinarKey)
	if w.Status != "UPDATED" || w.Title != "Quarterly Launch (moved)" || len(w.Times) != 2 ||
		!w.StartTime.Equal(time.Date(2025, 6, 11, 15, 0, 0, 0, time.UTC)) ||
		!w.EndTime.Equal(time.Date(2025, 6, 12, 17, 0, 0, 0, time.UTC)) || w.CreatedAt.IsZero() {
		t.Fatalf("after changed: %+v", w)
	}

	put(t, s, webinarBody("webinar.changed", "ev-3", webinarKey, "DELETED", "2025-05-03T08:00:00Z"))
	if w = mustWebinar(t, s, webinarKey); w.Status != "DELETED" {
		t.Fatalf("after deleted: status %q", w.Status)
	}
	if c := mustCounts(t, s); c.Webinars != 1 || c.Events != 3 {
		t.Errorf("Counts = %+v", c)
	}
}

func TestWebinar_OutOfOrderEventsKeepTheNewestState(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	put(t, s,
		// webinar.changed (newest) arrives first, then DELETED, then the
		// older created and an older change.
		webinarBody("webinar.changed", "ev-2", webinarKey, "UPDATED", "2025-05-02T08:00:00Z", "webinarTitle", "Second title"),
		webinarBody("webinar.changed", "ev-3", webinarKey, "DELETED", "2025-05-03T08:00:00Z", "webinarTitle", "Second title"),
		webinarBody("webinar.created", "ev-1", webinarKey, "NEW", "2025-05-01T08:00:00Z",
			"webinarTitle", "First title", "webinarCreationDate", "2025-05-01T07:59:00Z"),
		webinarBody("webinar.changed", "ev-2b", webinarKey, "UPDATED", "2025-05-02T09:00:00Z", "webinarTitle", "Stale title"),
	)
	w := mustWebinar(t, s, webinarKey)
	if w.Status != "DELETED" || w.Title != "Second title" {
		t.Errorf("status %q title %q, want DELETED, Second title", w.Status, w.Title)
	}
	if !w.CreatedAt.Equal(time.Date(2025, 5, 1, 7, 59, 0, 0, time.UTC)) {
		t.Errorf("CreatedAt = %v: an older event should still fill a gap", w.CreatedAt)
	}
	if !w.UpdatedAt.Equal(time.Date(2025, 5, 3, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("UpdatedAt = %v", w.UpdatedAt)
	}

	// Same instant, or no timestamp at all: cannot prove it is newer.
	put(t, s,
		webinarBody("webinar.changed", "ev-4", webinarKey, "UPDATED", "2025-05-03T08:00:00Z"),
		webinarBody("webinar.changed", "ev-5", webinarKey, "UPDATED", ""),
	)
	if w = mustWebinar(t, s, webinarKey); w.Status != "DELETED" {
		t.Errorf("status %q, want DELETED to stick", w.Status)
	}
	// A provably newer event restores it (GoTo does not, but we would follow).
	put(t, s, webinarBody("webinar.changed", "ev-6", webinarKey, "UPDATED", "2025-05-04T08:00:00Z"))
	if w = mustWebinar(t, s, webinarKey); w.Status != "UPDATED" {
		t.Errorf("status %q after a newer UPDATED", w.Status)
	}
}

func TestWebinar_RegistrantEventBeforeWebinarEventCreatesStub(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	put(t, s, addedBody("ev-1", webinarKey, registrantKey, "2025-05-01T09:00:00Z", "webinarTitle", "From the registration"))
	w := mustWebinar(t, s, webinarKey)
	if w.Status != "" || w.Title != "From the registration" || w.ExperienceType != "CLASSIC" ||
		w.RecurrenceType != "single_session" || w.Registrants != 1 {
		t.Fatalf("stub = %+v", w)
	}
	put(t, s, webinarBody("webinar.created", "ev-0", webinarKey, "NEW", "2025-04-01T08:00:00Z"))
	w = mustWebinar(t, s, webinarKey)
	if w.Status != "NEW" || w.Title != "Quarterly Launch" || w.Registrants != 1 || w.StartTime.IsZero() {
		t.Errorf("after webinar.created: %+v", w)
	}
	// Later registrant events no longer override the webinar's own title.
	put(t, s, addedBody("ev-2", webinarKey, "77", "2025-05-02T09:00:00Z", "webinarTitle", "Other"))
	if w = mustWebinar(t, s, webinarKey); w.Title != "Quarterly Launch" || w.Registrants != 2 {
		t.Errorf("after another registrant: %+v", w)
	}
}

func TestRegistrant_JoinBeforeRegistrationIsCountedAndCompletedLater(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	put(t, s, joinedBody("ev-j1", webinarKey, registrantKey, "111", "2025-06-10T15:02:00Z",
		"firstName", "Grace", "lastName", "Hopper", "email", "grace@example.com"))

	r := mustRegistrant(t, s, webinarKey, registrantKey)
	if r.Status != "" || r.FirstName != "Grace" || r.Joins != 1 || !r.Joined() {
		t.Fatalf("registrant from join = %+v", r)
	}
	w := mustWebinar(t, s, webinarKey)
	if w.Status != "" || w.Registrants != 1 || w.Joined != 1 || w.Joins != 1 {
		t.Fatalf("webinar = %+v", w)
	}

	put(t, s,
		addedBody("ev-a", webinarKey, registrantKey, "2025-05-01T09:00:00Z",
			"firstName", "Grace", "lastName", "Hopper", "email", "grace@example.com", "organization", "US Navy"),
		joinedBody("ev-j2", webinarKey, registrantKey, "222", "2025-06-11T15:00:00Z",
			"firstName", "Grace", "lastName", "Hopper", "email", "grace@example.com"),
	)
	r = mustRegistrant(t, s, webinarKey, registrantKey)
	if r.Status != "Approved" || r.Organization != "US Navy" || r.Joins != 2 ||
		!r.RegistrationDate.Equal(time.Date(2025, 5, 1, 9, 0, 0, 0, time.UTC)) ||
		!r.FirstJoinTime.Equal(time.Date(2025, 6, 10, 15, 2, 0, 0, time.UTC)) ||
		!r.LastJoinTime.Equal(time.Date(2025, 6, 11, 15, 0, 0, 0, time.UTC)) {
		t.Errorf("completed registrant = %+v", r)
	}
	w = mustWebinar(t, s, webinarKey)
	if w.Registrants != 1 || w.Joined != 1 || w.Joins != 2 {
		t.Errorf("webinar counts = %d/%d/%d, want 1/1/2", w.Registrants, w.Joined, w.Joins)
	}
	if c := mustCounts(t, s); c != (Counts{Webinars: 1, Registrants: 1, Joins: 2, Events: 3}) {
		t.Errorf("Counts = %+v", c)
	}
	// The index moved to the registration date: it sorts before a later registrant.
	put(t, s, addedBody("ev-b", webinarKey, "5", "2025-05-02T09:00:00Z"))
	page, _ := registrants(t, s, webinarKey, RegistrantQuery{Sort: SortRegisteredAsc})
	if keys := registrantKeys(page); !slices.Equal(keys, []string{registrantKey, "5"}) {
		t.Errorf("ascending order = %v", keys)
	}
	if st, _ := s.Statuses(webinarKey); !slices.Equal(st, []string{"Approved"}) {
		t.Errorf("Statuses = %v", st)
	}
	// What registrant.added filled in is searchable and filterable.
	page, total := registrants(t, s, webinarKey, RegistrantQuery{Search: "us navy", Status: "approved"})
	if total != 1 || len(page) != 1 || page[0].RegistrantKey != registrantKey {
		t.Errorf("search after completion = %v (total %d)", registrantKeys(page), total)
	}
}

func TestJoins_NewestFirstWithSessionKeys(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	put(t, s,
		joinedBody("ev-1", webinarKey, "1", "26001234567890123456", "2025-06-10T15:00:00Z"),
		joinedBody("ev-3", webinarKey, "3", "26001234567890123457", "2025-06-11T15:00:00Z"),
		joinedBody("ev-2", webinarKey, "2", "26001234567890123456", "2025-06-10T15:05:00Z"),
	)
	js, err := s.Joins(webinarKey, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, j := range js {
		got = append(got, j.EventKey+"@"+j.SessionKey)
	}
	want := []string{"ev-3@26001234567890123457", "ev-2@26001234567890123456", "ev-1@26001234567890123456"}
	if !slices.Equal(got, want) {
		t.Errorf("Joins = %v, want %v", got, want)
	}
	if js, _ := s.Joins(webinarKey, 2); len(js) != 2 || js[0].EventKey != "ev-3" {
		t.Errorf("Joins limit 2 = %+v", js)
	}
	if _, err := s.Joins("404", 0); !errors.Is(err, ErrNotFound) {
		t.Errorf("Joins of unknown webinar: %v", err)
	}
}

func TestRegistrant_NewerEventWinsButEmptyFieldsNeverErase(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	put(t, s,
		addedBody("ev-2", webinarKey, registrantKey, "2025-05-02T09:00:00Z",
			"firstName", "Ada", "phone", "", "organization", "New Org", "status", "Approved",
			"responses", raw(`[["Role?","MULTIPLE_CHOICE",["Dev","Ops"]]]`)),
		// Older: fills the phone gap, but does not undo the name, org or status.
		addedBody("ev-1", webinarKey, registrantKey, "2025-05-01T09:00:00Z",
			"firstName", "Augusta", "phone", "+44 20 7946 0000", "organization", "Old Org", "status", "Waiting",
			"responses", raw(`[["Role?","MULTIPLE_CHOICE",["Sales"]]]`)),
		// Newer with empty fields: keeps what is known.
		addedBody("ev-3", webinarKey, registrantKey, "2025-05-03T09:00:00Z",
			"firstName", "", "lastName", "", "email", "", "organization", "", "status", "Cancelled"),
	)
	r := mustRegistrant(t, s, webinarKey, registrantKey)
	if r.FirstName != "Ada" || r.LastName != "Lovelace" || r.Email != "ada@example.com" ||
		r.Organization != "New Org" || r.Phone != "+44 20 7946 0000" || r.Status != "Cancelled" {
		t.Errorf("merged registrant = %+v", r)
	}
	if len(r.Responses) != 1 || r.Responses[0].Answer() != "Dev; Ops" {
		t.Errorf("responses = %+v", r.Responses)
	}
	if !r.UpdatedAt.Equal(time.Date(2025, 5, 3, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("UpdatedAt = %v", r.UpdatedAt)
	}
	if st, _ := s.Statuses(webinarKey); !slices.Equal(st, []string{"Cancelled"}) {
		t.Errorf("Statuses = %v, want only the current status", st)
	}
	if c := mustCounts(t, s); c.Registrants != 1 {
		t.Errorf("Counts = %+v", c)
	}
}

func TestPutEvent_UnknownEventIsLoggedButMaterializesNothing(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	b := body("eventName", "webinar.rescheduled", "eventKey", "ev-x", "timestamp", "2025-05-01T09:00:00Z",
		"webinarKey", num(webinarKey), "somethingNew", raw(`{"a":[1,2,3]}`))
	put(t, s, b)
	if c := mustCounts(t, s); c != (Counts{Events: 1}) {
		t.Errorf("Counts = %+v", c)
	}
	if ws, _ := s.Webinars(); len(ws) != 0 {
		t.Errorf("Webinars = %+v", ws)
	}
	evs, err := s.Events(EventQuery{})
	if err != nil || len(evs) != 1 {
		t.Fatalf("Events = %+v, %v", evs, err)
	}
	if e := evs[0]; e.EventName != "webinar.rescheduled" || string(e.Raw) != b || e.ForwardedFor != "203.0.113.7" ||
		!e.ReceivedAt.Equal(time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)) {
		t.Errorf("entry = %+v", e)
	}
	if names, _ := s.EventNames(); !slices.Equal(names, []string{"webinar.rescheduled"}) {
		t.Errorf("EventNames = %v", names)
	}
}

func TestPutEvent_RawBodyIsKeptByteForByte(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	b := "{\n  \"eventName\": \"registrant.added\",  \"eventKey\": \"ev-1\",\n  \"webinarKey\": 123456789012345678901234567,\n  \"registrantKey\": 98765432109876543210, \"firstName\": \"Jos\\u00e9\"\n}"
	put(t, s, b)
	e, err := s.Event(1)
	if err != nil {
		t.Fatal(err)
	}
	if string(e.Raw) != b {
		t.Errorf("Raw = %q, want %q", e.Raw, b)
	}
	if r := mustRegistrant(t, s, "123456789012345678901234567", "98765432109876543210"); r.FirstName != "José" {
		t.Errorf("registrant = %+v", r)
	}
}

// TestKeys_ExactDigitsThroughStoreAndCSV puts keys of every length up to 30
// digits (20 and 25 among them, and random digits) through PutEvent, the
// reads and the CSV: a key is text, never a number.
func TestKeys_ExactDigitsThroughStoreAndCSV(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	rng := rand.New(rand.NewPCG(1, 2))
	digits := func(n int) string {
		b := []byte{byte('1' + rng.IntN(9))}
		for len(b) < n {
			b = append(b, byte('0'+rng.IntN(10)))
		}
		return string(b)
	}
	type pair struct{ webinar, registrant, session string }
	var pairs []pair
	for n := 1; n <= 30; n++ {
		pairs = append(pairs, pair{digits(n), digits(31 - n), digits(n)})
	}
	pairs = append(pairs,
		pair{"99999999999999999999", "18446744073709551616", "9007199254740993"},               // 20 digits, 2^64, 2^53+1
		pair{"1234567890123456789012345", "9999999999999999999999999", "12345678901234567890"}, // 25 digits
	)
	for i, p := range pairs {
		put(t, s,
			addedBody(fmt.Sprintf("a-%d", i), p.webinar, p.registrant, "2025-05-01T09:00:00Z"),
			joinedBody(fmt.Sprintf("j-%d", i), p.webinar, p.registrant, p.session, "2025-06-10T15:00:00Z"),
		)
	}
	var all bytes.Buffer
	if err := s.ExportCSV(&all, ""); err != nil {
		t.Fatal(err)
	}
	allRows, err := csv.NewReader(&all).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	inCSV := map[string]bool{}
	for _, row := range allRows[1:] {
		inCSV[row[0]+"/"+row[2]] = true
	}
	for _, p := range pairs {
		w := mustWebinar(t, s, p.webinar)
		r := mustRegistrant(t, s, p.webinar, p.registrant)
		js, err := s.Joins(p.webinar, 0)
		if err != nil || len(js) != 1 {
			t.Fatalf("Joins(%s) = %v, %v", p.webinar, js, err)
		}
		if w.WebinarKey != p.webinar || r.RegistrantKey != p.registrant || r.WebinarKey != p.webinar ||
			js[0].SessionKey != p.session || js[0].RegistrantKey != p.registrant {
			t.Errorf("keys changed: %+v -> webinar %s registrant %s join %+v", p, w.WebinarKey, r.RegistrantKey, js[0])
		}
		var one bytes.Buffer
		if err := s.ExportCSV(&one, p.webinar); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&one).ReadAll()
		if err != nil || len(rows) != 2 || rows[1][0] != p.registrant {
			t.Errorf("CSV of %s: %q, %v; want registrantKey %s", p.webinar, rows, err, p.registrant)
		}
		if !inCSV[p.webinar+"/"+p.registrant] {
			t.Errorf("all-webinars CSV lacks %s/%s", p.webinar, p.registrant)
		}
	}
}

// sameState compares stored values field by field, times included.
func sameState(t *testing.T, a, b any) bool {
	t.Helper()
	return fmt.Sprintf("%+v", a) == fmt.Sprintf("%+v", b)
}

func registrants(t *testing.T, s *Store, wk string, q RegistrantQuery) ([]Registrant, int) {
	t.Helper()
	page, total, err := s.Registrants(wk, q)
	if err != nil {
		t.Fatalf("Registrants(%+v): %v", q, err)
	}
	return page, total
}

func registrantsTotal(t *testing.T, s *Store, wk string, q RegistrantQuery) int {
	t.Helper()
	_, total := registrants(t, s, wk, q)
	return total
}

func registrantKeys(rs []Registrant) []string {
	var keys []string
	for _, r := range rs {
		keys = append(keys, r.RegistrantKey)
	}
	return keys
}

// A delivery that fails inside a shared commit makes the writer rerun the
// others; each must still be stored once and report stored=true, and the
// failing one gets its own error.
func TestPutEvent_FailingEventInBatchDoesNotDisturbOthers(t *testing.T) {
	t.Parallel()
	// In a bubble, synctest.Wait tells when all 41 deliveries are queued
	// behind the held commit, so the next commit surely takes them together.
	synctest.Test(t, func(t *testing.T) {
		s, err := Open(t.TempDir(), Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		<-s.health.done // the start-up check's reads could wait on the held commit
		release := make(chan struct{})
		go s.batch(func(*bolt.Tx) error { <-release; return nil })
		synctest.Wait()                       // the held commit is under way, alone
		tooLong := strings.Repeat("k", 40000) // over bbolt's key size limit
		var wg sync.WaitGroup
		var storedN, failedN atomic.Int32
		for i := range 41 {
			eventKey := fmt.Sprint("ev-", i)
			d := delivery(t, addedBody(eventKey, webinarKey, fmt.Sprint(i+1), "2025-05-01T09:00:00Z"))
			if i == 20 {
				// The decoder no longer lets such a key through; set it as a
				// stand-in for any write bbolt refuses.
				eventKey = tooLong
				d.EventKey = gotowebinar.Key(tooLong)
			}
			wg.Go(func() {
				stored, err := s.PutEvent(context.Background(), d)
				switch {
				case err != nil && eventKey == tooLong:
					failedN.Add(1)
				case err != nil:
					t.Errorf("PutEvent %s: %v", eventKey, err)
				case stored:
					storedN.Add(1)
				}
			})
		}
		synctest.Wait()
		close(release)
		wg.Wait()
		if storedN.Load() != 40 || failedN.Load() != 1 {
			t.Errorf("stored %d, failed %d; want 40, 1", storedN.Load(), failedN.Load())
		}
		if c := mustCounts(t, s); c != (Counts{Webinars: 1, Registrants: 40, Events: 40}) {
			t.Errorf("Counts = %+v", c)
		}
	})
}

// A time JSON cannot hold (beyond year 9999) would make the delivery fail
// on every retry; it is stored as unknown instead. The decoder may already
// refuse such times; the store does not rely on it.
func TestPutEvent_OutOfRangeTimesAreDroppedNotFatal(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	far := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	before := time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)

	j := delivery(t, joinedBody("ek-t1", "1", "2", "3", "2025-06-10T15:00:00Z"))
	j.RegistrantJoined.JoinTime.Time = far
	a := delivery(t, addedBody("ek-t2", "1", "2", "2025-05-01T09:00:00Z"))
	a.RegistrantAdded.RegistrationDate.Time = far
	a.RegistrantAdded.Timestamp.Time = before
	w := delivery(t, webinarBody("webinar.created", "ek-t3", "1", "NEW", "2025-05-01T08:00:00Z",
		"times", raw(`[["2025-06-10T15:00:00Z","2025-06-10T16:00:00Z"],["2025-06-11T15:00:00Z","2025-06-11T16:00:00Z"]]`)))
	w.Webinar.Timestamp.Time = far
	w.Webinar.StartTime.Time = far
	w.Webinar.Times[0].StartTime.Time = far
	w.Webinar.Times[1].EndTime.Time = before
	w.ReceivedAt = far
	for _, d := range []*gotowebinar.Delivery{j, a, w} {
		if stored, err := s.PutEvent(context.Background(), d); err != nil || !stored {
			t.Fatalf("PutEvent %s: stored=%v err=%v", d.EventKey, stored, err)
		}
	}
	r := mustRegistrant(t, s, "1", "2")
	if !r.RegistrationDate.IsZero() || r.Joins != 1 || !r.FirstJoinTime.Equal(time.Date(2025, 6, 10, 15, 0, 0, 0, time.UTC)) {
		t.Errorf("registrant = %+v", r)
	}
	wb := mustWebinar(t, s, "1")
	if wb.Status != "NEW" || !wb.StartTime.Equal(time.Date(2025, 6, 11, 15, 0, 0, 0, time.UTC)) ||
		!wb.EndTime.Equal(time.Date(2025, 6, 10, 16, 0, 0, 0, time.UTC)) || len(wb.Times) != 2 || !wb.UpdatedAt.IsZero() {
		t.Errorf("webinar = %+v", wb)
	}
	if _, err := s.Webinars(); err != nil {
		t.Errorf("Webinars: %v", err)
	}
	if err := s.ExportCSV(io.Discard, ""); err != nil {
		t.Errorf("ExportCSV: %v", err)
	}
	if es, err := s.Events(EventQuery{}); err != nil || len(es) != 3 || es[0].ReceivedAt.Year() > 9999 {
		t.Errorf("Events = %+v, %v", es, err)
	}
}
