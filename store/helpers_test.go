package store

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"webinarsync/gotowebinar"
)

// num is a key written as a bare JSON number, as GoTo sends keys.
type num string

// body builds a JSON object from name, value pairs in order: num values are
// written bare, json.RawMessage as is, anything else through json.Marshal.
func body(kv ...any) string {
	var b strings.Builder
	b.WriteByte('{')
	for i := 0; i+1 < len(kv); i += 2 {
		if i > 0 {
			b.WriteByte(',')
		}
		name, _ := json.Marshal(kv[i].(string))
		b.Write(name)
		b.WriteByte(':')
		switch v := kv[i+1].(type) {
		case num:
			b.WriteString(string(v))
		case json.RawMessage:
			b.Write(v)
		default:
			m, err := json.Marshal(v)
			if err != nil {
				panic(err)
			}
			b.Write(m)
		}
	}
	b.WriteByte('}')
	return b.String()
}

// addedBody is a registrant.added delivery shaped like the guide's table;
// extra pairs are appended and, being later, override the defaults.
func addedBody(eventKey, webinarKey, registrantKey, timestamp string, extra ...any) string {
	kv := []any{
		"eventName", "registrant.added", "eventVersion", "1.0.0", "product", "g2w",
		"eventKey", eventKey, "timestamp", timestamp,
		"webinarKey", num(webinarKey), "webinarTitle", "Quarterly Launch",
		"experienceType", "CLASSIC", "recurrenceType", "single_session",
		"webinarCreatorKey", num("7098512343098123456"),
		"registrantKey", num(registrantKey),
		"firstName", "Ada", "lastName", "Lovelace", "email", "ada@example.com",
		"status", "Approved", "registrationDate", timestamp,
		"joinUrl", "https://global.gotowebinar.com/join/" + webinarKey + "/" + registrantKey,
	}
	return body(append(kv, extra...)...)
}

func joinedBody(eventKey, webinarKey, registrantKey, sessionKey, joinTime string, extra ...any) string {
	kv := []any{
		"eventName", "registrant.joined", "eventVersion", "1.0.0", "product", "g2w",
		"eventKey", eventKey, "timestamp", joinTime,
		"webinarKey", num(webinarKey), "webinarTitle", "Quarterly Launch",
		"sessionKey", num(sessionKey), "registrantKey", num(registrantKey),
		"firstName", "Ada", "lastName", "Lovelace", "email", "ada@example.com",
		"joinTime", joinTime,
	}
	return body(append(kv, extra...)...)
}

func webinarBody(eventName, eventKey, webinarKey, status, timestamp string, extra ...any) string {
	kv := []any{
		"eventName", eventName, "eventVersion", "1.0.0", "product", "g2w",
		"eventKey", eventKey, "timestamp", timestamp,
		"accountKey", num("3141592653589793238"), "organizerKey", num("7098512343098123456"),
		"webinarKey", num(webinarKey), "webinarTitle", "Quarterly Launch",
		"description", "What is new this quarter", "experienceType", "CLASSIC",
		"recurrenceType", "single_session", "status", status,
		"times", json.RawMessage(`[["2025-06-10T15:00:00Z","2025-06-10T16:00:00Z"]]`),
		"timeZone", "Europe/Berlin",
	}
	return body(append(kv, extra...)...)
}

func delivery(t testing.TB, body string) *gotowebinar.Delivery {
	t.Helper()
	d, err := testDelivery(body)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// testDelivery is delivery for code without a test at hand.
func testDelivery(body string) (*gotowebinar.Delivery, error) {
	ev, err := gotowebinar.DecodeEvent([]byte(body))
	if err != nil {
		return nil, fmt.Errorf("DecodeEvent(%s): %w", body, err)
	}
	return &gotowebinar.Delivery{Event: *ev, ReceivedAt: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC), ForwardedFor: "203.0.113.7"}, nil
}

func openTest(t testing.TB) *Store {
	t.Helper()
	_, isTest := t.(*testing.T) // benchmarks measure the fsyncs too
	// Private, as the app makes its data dir: no notice that it made it so.
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	s, err := Open(dir, Options{NoSync: isTest})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// put stores each body and fails the test unless each is new.
func put(t testing.TB, s *Store, bodies ...string) {
	t.Helper()
	for _, b := range bodies {
		stored, err := s.PutEvent(context.Background(), delivery(t, b))
		if err != nil {
			t.Fatalf("PutEvent: %v", err)
		}
		if !stored {
			t.Fatalf("PutEvent(%s): stored = false, want true", b)
		}
	}
}

// putMany stores deliveries through the same code as PutEvent, in one
// transaction per call: fast enough to fill 100,000 registrants.
func putMany(t testing.TB, s *Store, ds []*gotowebinar.Delivery) {
	t.Helper()
	s.views.wait() // the views below follow on from every earlier delivery
	var last uint64
	err := s.db.Update(func(tx *bolt.Tx) error {
		for _, d := range ds {
			entry, stored, err := putEventTx(tx, d, d.ReceivedAt)
			if err != nil {
				return err
			}
			if !stored {
				continue
			}
			// Applied in the same commit, as the applier would.
			if err := indexLogName(tx, entry.EventName, u64(entry.Seq)); err != nil {
				return err
			}
			if err := applyEvent(tx, d, entry.Seq, entry.EventKey, entry.ReceivedAt); err != nil {
				return err
			}
			last = entry.Seq
		}
		if last == 0 {
			return nil
		}
		return putApplied(tx, last)
	})
	if err != nil {
		t.Fatalf("putMany: %v", err)
	}
	if last > 0 {
		s.views.acknowledged(last, nil)
		s.appliedTo(last)
	}
}

func mustCounts(t testing.TB, s *Store) Counts {
	t.Helper()
	c, err := s.Counts()
	if err != nil {
		t.Fatalf("Counts: %v", err)
	}
	return c
}

func mustWebinar(t testing.TB, s *Store, key string) Webinar {
	t.Helper()
	w, err := s.Webinar(key)
	if err != nil {
		t.Fatalf("Webinar(%s): %v", key, err)
	}
	return w
}

func mustRegistrant(t testing.TB, s *Store, webinarKey, registrantKey string) Registrant {
	t.Helper()
	r, err := s.Registrant(webinarKey, registrantKey)
	if err != nil {
		t.Fatalf("Registrant(%s, %s): %v", webinarKey, registrantKey, err)
	}
	return r
}

// raw is JSON text to put into a body as is.
func raw(s string) json.RawMessage { return json.RawMessage(s) }

// The merges with GoTo's REST answers, turned into records as GoTo's
// catch-up turns them (gotowebinar.Records).
func mergeGoToWebinars(s *Store, ws []gotowebinar.Webinar, at time.Time) (MergeResult, error) {
	return s.MergeWebinars(gotowebinar.Records(ws), at)
}

func mergeGoToRegistrants(s *Store, webinarKey string, rs []gotowebinar.Registrant, at time.Time, detailed bool) (MergeResult, error) {
	return s.MergeRegistrants(webinarKey, gotowebinar.Records(rs), at, detailed)
}

func mergeGoToAttendance(s *Store, webinarKey string, sess gotowebinar.Session, as []gotowebinar.Attendee, at time.Time) error {
	return s.MergeSessionAttendance(webinarKey, sess.Record(), gotowebinar.Records(as), at)
}
