package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"webinarsync/gotowebinar"
	"webinarsync/record"
)

// testdata/goto-only-before-providers.db is a GoTo-only database written by
// the version before the provider seam (10df0f7), by
// testdata/gen_goto_only_before_providers.go, which says how to make it
// again. These are the values that program put in.
const (
	beforeProvidersFixture = "testdata/goto-only-before-providers.db"

	bpW1 = "7602839144925633282" // by webhooks, then synced; its session synced with attendance
	bpW2 = "4815162342108765432" // by webhooks
	bpW3 = "9990001112223334445" // deleted
	bpW4 = "1357924680135792468" // known only from the sync
	bpS1 = "5550100000000000001"

	bpErasedEmail = "siobhan.obriain@example.ie" // Siobhán: registered to W1 and W2, joined W1, then erased
	bpForged      = `{"eventName":"registrant.added","eventKey":"ffffffff-0000-4000-8000-00000000f00d","webinarKey":7602839144925633282,"registrantKey":999,"email":"mallory@example.com"}`
)

// beforeProvidersBodies are the deliveries as the old version was given
// them, in order: the one at index i is log seq i+1 (a copy of the
// generator's list).
var beforeProvidersBodies = []string{
	`{"eventName":"webinar.created","eventVersion":"1.0.0","product":"g2w","eventKey":"a0c7e1f0-0001-4a5e-9d1e-000000000001","timestamp":"2025-06-01T09:00:00.000Z","accountKey":3141592653589793238,"organizerKey":7098512343098123456,"webinarKey":7602839144925633282,"webinarTitle":"Quarterly Launch","description":"What is new this quarter","experienceType":"CLASSIC","recurrenceType":"single_session","webinarCreationDate":"2025-06-01T08:59:58.000Z","status":"NEW","times":[["2025-06-10T15:00:00Z","2025-06-10T16:00:00Z"]],"timeZone":"Europe/Berlin"}`,
	`{"eventName":"webinar.changed","eventVersion":"1.0.0","product":"g2w","eventKey":"a0c7e1f0-0002-4a5e-9d1e-000000000002","timestamp":"2025-06-02T10:00:00.000Z","accountKey":3141592653589793238,"organizerKey":7098512343098123456,"webinarKey":7602839144925633282,"webinarTitle":"Quarterly Launch — Q3-Ausblick","description":"Was dieses Quartal neu ist","experienceType":"CLASSIC","recurrenceType":"single_session","webinarCreationDate":"2025-06-01T08:59:58.000Z","status":"UPDATED","times":[["2025-06-10T15:00:00Z","2025-06-10T16:30:00Z"]],"timeZone":"Europe/Berlin"}`,
	`{"eventName":"webinar.created","eventVersion":"1.0.0","product":"g2w","eventKey":"a0c7e1f0-0003-4a5e-9d1e-000000000003","timestamp":"2025-06-02T11:00:00.000Z","accountKey":3141592653589793238,"organizerKey":7098512343098123456,"webinarKey":4815162342108765432,"webinarTitle":"Atelier d'été : l'IA en pratique","experienceType":"CLASSIC","recurrenceType":"single_session","webinarCreationDate":"2025-06-02T10:59:00.000Z","status":"NEW","times":[["2025-06-12T08:00:00Z","2025-06-12T09:30:00Z"]],"timeZone":"Europe/Paris"}`,
	`{"eventName":"webinar.created","eventVersion":"1.0.0","product":"g2w","eventKey":"a0c7e1f0-0004-4a5e-9d1e-000000000004","timestamp":"2025-06-02T12:00:00.000Z","accountKey":3141592653589793238,"organizerKey":7098512343098123456,"webinarKey":9990001112223334445,"webinarTitle":"Dry run (delete me)","experienceType":"CLASSIC","recurrenceType":"single_session","status":"NEW","times":[["2025-06-05T08:00:00Z","2025-06-05T08:30:00Z"]],"timeZone":"UTC"}`,
	`{"eventName":"registrant.added","eventVersion":"1.0.0","product":"g2w","eventKey":"b1d2e3f4-0001-4b6f-8e2f-000000000001","timestamp":"2025-06-03T08:00:00.000Z","webinarKey":7602839144925633282,"webinarTitle":"Quarterly Launch — Q3-Ausblick","experienceType":"CLASSIC","recurrenceType":"single_session","registrantKey":100000000000000001,"firstName":"Zoë","lastName":"Ångström","email":"zoe.angstrom@example.se","status":"Approved","registrationDate":"2025-06-03T08:00:00.000Z","joinUrl":"https://global.gotowebinar.com/join/7602839144925633282/100000000000000001","responses":[["How did you hear about us?","MULTIPLE_CHOICE",["Newsletter"]],["Your question for the panel","SHORT_ANSWER",["Wie skaliert das über 10 000 Teilnehmer?"]]]}`,
	`{"eventName":"registrant.added","eventVersion":"1.0.0","product":"g2w","eventKey":"b1d2e3f4-0002-4b6f-8e2f-000000000002","timestamp":"2025-06-03T08:05:00.000Z","webinarKey":7602839144925633282,"webinarTitle":"Quarterly Launch — Q3-Ausblick","registrantKey":100000000000000002,"firstName":"José","lastName":"Núñez","email":"jose.nunez@example.es","organization":"Núñez y Asociados","status":"Approved","registrationDate":"2025-06-03T08:05:00.000Z","joinUrl":"https://global.gotowebinar.com/join/7602839144925633282/100000000000000002","responses":[{"question":"How did you hear about us?","answer":"Colleague"}]}`,
	`{"eventName":"registrant.added","eventVersion":"1.0.0","product":"g2w","eventKey":"b1d2e3f4-0003-4b6f-8e2f-000000000003","timestamp":"2025-06-03T08:10:00.000Z","webinarKey":7602839144925633282,"registrantKey":100000000000000003,"firstName":"Łukasz","lastName":"Żółć","email":"lukasz.zolc@example.pl","status":"Approved","registrationDate":"2025-06-03T08:10:00.000Z"}`,
	`{"eventName":"registrant.added","eventVersion":"1.0.0","product":"g2w","eventKey":"b1d2e3f4-0004-4b6f-8e2f-000000000004","timestamp":"2025-06-03T08:15:00.000Z","webinarKey":7602839144925633282,"registrantKey":100000000000000004,"firstName":"明","lastName":"王","email":"wang.ming@example.cn","country":"中国","status":"Approved","registrationDate":"2025-06-03T08:15:00.000Z","responses":"[[\"How did you hear about us?\",\"MULTIPLE_CHOICE\",[\"微信\"]]]"}`,
	`{"eventName":"registrant.added","eventVersion":"1.0.0","product":"g2w","eventKey":"b1d2e3f4-0005-4b6f-8e2f-000000000005","timestamp":"2025-06-03T08:20:00.000Z","webinarKey":7602839144925633282,"registrantKey":100000000000000005,"firstName":"Αλέξανδρος","lastName":"Παπαδόπουλος","email":"alexandros@example.gr","status":"Waiting","registrationDate":"2025-06-03T08:20:00.000Z"}`,
	`{"eventName":"registrant.added","eventVersion":"1.0.0","product":"g2w","eventKey":"b1d2e3f4-0006-4b6f-8e2f-000000000006","timestamp":"2025-06-03T08:25:00.000Z","webinarKey":7602839144925633282,"registrantKey":100000000000000006,"firstName":"Ольга","lastName":"Иванова","email":"olga.ivanova@example.ru","jobTitle":"Инженер","status":"Approved","registrationDate":"2025-06-03T08:25:00.000Z"}`,
	`{"eventName":"registrant.added","eventVersion":"1.0.0","product":"g2w","eventKey":"b1d2e3f4-0007-4b6f-8e2f-000000000007","timestamp":"2025-06-03T08:30:00.000Z","webinarKey":7602839144925633282,"registrantKey":100000000000000007,"firstName":"محمد","lastName":"الأحمد","email":"mohammed@example.ae","status":"Approved","registrationDate":"2025-06-03T08:30:00.000Z","responses":[["Your question for the panel","SHORT_ANSWER",["متى يتوفر الدعم للعربية؟"]]]}`,
	`{"eventName":"registrant.added","eventVersion":"1.0.0","product":"g2w","eventKey":"b1d2e3f4-0008-4b6f-8e2f-000000000008","timestamp":"2025-06-03T08:35:00.000Z","webinarKey":7602839144925633282,"registrantKey":100000000000000008,"firstName":"Siobhán","lastName":"Ó Briain","email":"Siobhan.OBriain@example.ie","status":"Approved","registrationDate":"2025-06-03T08:35:00.000Z","responses":[["Your question for the panel","SHORT_ANSWER",["Is there a recording?"]]]}`,
	`{"eventName":"registrant.added","eventVersion":"1.0.0","product":"g2w","eventKey":"b1d2e3f4-0009-4b6f-8e2f-000000000009","timestamp":"2025-06-04T09:00:00.000Z","webinarKey":4815162342108765432,"webinarTitle":"Atelier d'été : l'IA en pratique","registrantKey":200000000000000009,"firstName":"Jörg","lastName":"Müller","email":"joerg.mueller@example.de","status":"Approved","registrationDate":"2025-06-04T09:00:00.000Z","responses":[["Niveau","MULTIPLE_CHOICE",["Avancé"]]]}`,
	`{"eventName":"registrant.added","eventVersion":"1.0.0","product":"g2w","eventKey":"b1d2e3f4-0010-4b6f-8e2f-000000000010","timestamp":"2025-06-04T09:05:00.000Z","webinarKey":4815162342108765432,"registrantKey":200000000000000010,"firstName":"Ngozi","lastName":"Okonkwo-Adébáyọ̀","email":"ngozi@example.ng","status":"Approved","registrationDate":"2025-06-04T09:05:00.000Z","responses":[["Niveau","MULTIPLE_CHOICE",["Débutant"]]]}`,
	`{"eventName":"registrant.added","eventVersion":"1.0.0","product":"g2w","eventKey":"b1d2e3f4-0011-4b6f-8e2f-000000000011","timestamp":"2025-06-04T09:10:00.000Z","webinarKey":4815162342108765432,"registrantKey":200000000000000011,"firstName":"Siobhán","lastName":"Ó Briain","email":"siobhan.obriain@example.ie","status":"Approved","registrationDate":"2025-06-04T09:10:00.000Z"}`,
	`{"eventName":"registrant.added","eventVersion":"1.0.0","product":"g2w","eventKey":"b1d2e3f4-0012-4b6f-8e2f-000000000012","timestamp":"2025-06-04T09:15:00.000Z","webinarKey":4815162342108765432,"registrantKey":200000000000000012,"firstName":"愛子","lastName":"山田","email":"aiko.yamada@example.jp","status":"Denied","registrationDate":"2025-06-04T09:15:00.000Z"}`,
	`{"eventName":"registrant.added","eventVersion":"1.0.0","product":"g2w","eventKey":"b1d2e3f4-0013-4b6f-8e2f-000000000013","timestamp":"2025-06-04T10:00:00.000Z","webinarKey":9990001112223334445,"registrantKey":300000000000000013,"firstName":"Test","lastName":"Person","email":"dry.run@example.com","status":"Approved","registrationDate":"2025-06-04T10:00:00.000Z"}`,
	`{"eventName":"registrant.joined","eventVersion":"1.0.0","product":"g2w","eventKey":"c2e3f405-0001-4c70-9f30-000000000001","timestamp":"2025-06-10T15:01:00.000Z","webinarKey":7602839144925633282,"sessionKey":5550100000000000001,"registrantKey":100000000000000001,"firstName":"Zoë","lastName":"Ångström","email":"zoe.angstrom@example.se","joinTime":"2025-06-10T15:01:00.000Z"}`,
	`{"eventName":"registrant.joined","eventVersion":"1.0.0","product":"g2w","eventKey":"c2e3f405-0002-4c70-9f30-000000000002","timestamp":"2025-06-10T15:02:00.000Z","webinarKey":7602839144925633282,"sessionKey":5550100000000000001,"registrantKey":100000000000000003,"firstName":"Łukasz","lastName":"Żółć","email":"lukasz.zolc@example.pl","joinTime":"2025-06-10T15:02:00.000Z"}`,
	`{"eventName":"registrant.joined","eventVersion":"1.0.0","product":"g2w","eventKey":"c2e3f405-0003-4c70-9f30-000000000003","timestamp":"2025-06-10T15:03:00.000Z","webinarKey":7602839144925633282,"sessionKey":5550100000000000001,"registrantKey":100000000000000004,"firstName":"明","lastName":"王","email":"wang.ming@example.cn","joinTime":"2025-06-10T15:03:00.000Z"}`,
	`{"eventName":"registrant.joined","eventVersion":"1.0.0","product":"g2w","eventKey":"c2e3f405-0004-4c70-9f30-000000000004","timestamp":"2025-06-10T15:04:00.000Z","webinarKey":7602839144925633282,"sessionKey":5550100000000000001,"registrantKey":100000000000000008,"firstName":"Siobhán","lastName":"Ó Briain","email":"Siobhan.OBriain@example.ie","joinTime":"2025-06-10T15:04:00.000Z"}`,
	`{"eventName":"registrant.joined","eventVersion":"1.0.0","product":"g2w","eventKey":"c2e3f405-0005-4c70-9f30-000000000005","timestamp":"2025-06-10T15:06:00.000Z","webinarKey":7602839144925633282,"sessionKey":5550100000000000001,"registrantKey":100000000000000006,"firstName":"Ольга","lastName":"Иванова","email":"olga.ivanova@example.ru","joinTime":"2025-06-10T15:06:00.000Z"}`,
	`{"eventName":"registrant.joined","eventVersion":"1.0.0","product":"g2w","eventKey":"c2e3f405-0006-4c70-9f30-000000000006","timestamp":"2025-06-10T15:20:00.000Z","webinarKey":7602839144925633282,"sessionKey":5550100000000000001,"registrantKey":100000000000000001,"firstName":"Zoë","lastName":"Ångström","email":"zoe.angstrom@example.se","joinTime":"2025-06-10T15:20:00.000Z"}`,
	`{"eventName":"registrant.joined","eventVersion":"1.0.0","product":"g2w","eventKey":"c2e3f405-0007-4c70-9f30-000000000007","timestamp":"2025-06-12T08:02:00.000Z","webinarKey":4815162342108765432,"sessionKey":6660100000000000001,"registrantKey":200000000000000009,"firstName":"Jörg","lastName":"Müller","email":"joerg.mueller@example.de","joinTime":"2025-06-12T08:02:00.000Z"}`,
}

// beforeProvidersTombstones are the log records whose bodies the old
// version replaced: seq -> why.
var beforeProvidersTombstones = map[uint64]string{
	4:  TombstoneWebinarDeleted, // W3 created
	12: TombstoneErased,         // Siobhán registers for W1
	15: TombstoneErased,         // Siobhán registers for W2
	17: TombstoneWebinarDeleted, // someone registers for W3
	21: TombstoneErased,         // Siobhán joins W1
}

// openBeforeProvidersCopy opens a copy of the fixture with today's code.
func openBeforeProvidersCopy(t *testing.T) (string, *Store) {
	t.Helper()
	dir := copyBeforeProviders(t)
	return dir, openBeforeProviders(t, dir)
}

// copyBeforeProviders copies the fixture into a new data dir.
func copyBeforeProviders(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	src, err := os.Open(beforeProvidersFixture)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(filepath.Join(dir, FileName), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

func openBeforeProviders(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatalf("Open of a database from before providers: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	<-s.health.done
	if h := s.Health(); h.Check != CheckPassed || len(h.Problems) > 0 {
		t.Fatalf("consistency check of the upgraded file: %+v", h)
	}
	return s
}

// TestOpen_ADatabaseFromBeforeProvidersKeepsEverythingAndTakesRingCentral
// opens a database the version before the provider seam wrote and finds
// everything a user saw in it; RingCentral's webinars, registrants and
// deliveries then go in beside it, under their own keys, without touching
// it, and all of it is there after a restart.
func TestOpen_ADatabaseFromBeforeProvidersKeepsEverythingAndTakesRingCentral(t *testing.T) {
	t.Parallel()
	dir, s := openBeforeProvidersCopy(t)
	checkBeforeProvidersData(t, s)
	if c, err := s.Counts(); err != nil || c != (Counts{Webinars: 3, Registrants: 11, Joins: 6, Events: 24}) {
		t.Fatalf("Counts = %+v, %v; want what the old version counted", c, err)
	}

	putRingCentralBesideBeforeProviders(t, s)
	checkBeforeProvidersData(t, s)
	checkRingCentralBesideBeforeProviders(t, s)
	wantCounts := Counts{Webinars: 4, Registrants: 13, Joins: 7, Events: 26}
	if c, err := s.Counts(); err != nil || c != wantCounts {
		t.Fatalf("Counts with RingCentral beside = %+v, %v; want %+v", c, err, wantCounts)
	}

	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openBeforeProviders(t, dir)
	checkBeforeProvidersData(t, s)
	checkRingCentralBesideBeforeProviders(t, s)
	if c, err := s.Counts(); err != nil || c != wantCounts {
		t.Fatalf("Counts after a restart = %+v, %v; want %+v", c, err, wantCounts)
	}
}

// TestOpen_ADatabaseFromBeforeProvidersStillRefusesItsRedeliveriesAndKeepsTheErasedOut
// checks what the old version promised about the future: a redelivery of
// an event it stored (even one whose body it replaced) is refused, the
// person it erased and the webinar it deleted are not copied back by a
// sync, and its forwarding outbox and delivery records carry on.
func TestOpen_ADatabaseFromBeforeProvidersStillRefusesItsRedeliveriesAndKeepsTheErasedOut(t *testing.T) {
	t.Parallel()
	dir, s := openBeforeProvidersCopy(t)
	ctx := context.Background()

	// The outbox the old version filled (forwarding was turned on before
	// the joins; Siobhán's was dropped by the erasure).
	if n, err := s.OutboxPending(); err != nil || n != 6 {
		t.Fatalf("OutboxPending = %d, %v; want 6", n, err)
	}
	it, e, ok, err := s.OutboxNext()
	if err != nil || !ok || it.Seq != 18 || e.Seq != 18 || e.Provider != "" || string(e.Raw) != beforeProvidersBodies[17] {
		t.Fatalf("OutboxNext = %+v, seq %d provider %q raw %s, %v, %v; want the first join (seq 18) as received", it, e.Seq, e.Provider, e.Raw, ok, err)
	}

	// The delivery records, the refused one with its body.
	dl, err := NewDeliveryLog(s, func() [][]byte { return nil }, DeliveryLimits{})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := dl.List(DeliveryQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []uint64
	for _, r := range recs {
		ids = append(ids, r.ID)
	}
	// The old version dropped the deleted webinar's records (4, 17) but
	// kept the erased person's stored ones, which hold no body or name.
	wantIDs := []uint64{25, 24, 23, 22, 21, 20, 19, 18, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 3, 2, 1}
	if !slices.Equal(ids, wantIDs) {
		t.Fatalf("delivery records %v, want %v", ids, wantIDs)
	}
	forged, err := dl.Delivery(25)
	if err != nil || forged.Result != gotowebinar.Refused || !forged.Quarantined || string(forged.Body) != bpForged || forged.Check != "bad_signature" {
		t.Fatalf("Delivery(25) = %+v, %v; want the quarantined forgery with its body", forged, err)
	}
	if r := recs[1]; r.Result != gotowebinar.Stored || r.EventKey != "c2e3f405-0007-4c70-9f30-000000000007" || r.Seq != 24 {
		t.Fatalf("delivery record 24 = %+v; want the stored join, linked to seq 24", r)
	}
	dl.Close()

	// Every old delivery, redelivered, is refused: those whose bodies are
	// tombstones too, so neither Siobhán nor W3 comes back this way.
	for i, b := range beforeProvidersBodies {
		stored, err := s.PutEvent(ctx, delivery(t, b))
		if err != nil || stored {
			t.Fatalf("redelivery of old event seq %d: stored %v, %v; want refused as a duplicate", i+1, stored, err)
		}
	}

	// A sync that still lists Siobhán, her attendance, and W3.
	now := time.Date(2025, 6, 11, 9, 0, 0, 0, time.UTC)
	siobhan := record.Profile{FirstName: "Siobhán", LastName: "Ó Briain", Email: "Siobhan.OBriain@example.ie"}
	if res, err := s.MergeRegistrants(bpW1, []record.Registrant{{Key: "100000000000000008", Profile: siobhan, Status: "APPROVED",
		RegisteredAt: time.Date(2025, 6, 3, 8, 35, 0, 0, time.UTC)}}, now, true); err != nil || res != (MergeResult{}) {
		t.Fatalf("MergeRegistrants of the erased person = %+v, %v; want nothing merged", res, err)
	}
	if res, err := s.MergeRegistrants(bpW2, []record.Registrant{{Key: "200000000000000011", Profile: siobhan, Status: "APPROVED"}}, now, false); err != nil || res != (MergeResult{}) {
		t.Fatalf("MergeRegistrants of the erased person in W2 = %+v, %v; want nothing merged", res, err)
	}
	if res, err := s.MergeWebinars([]record.Webinar{{Key: bpW3, Title: "Dry run (delete me)"}}, now); err != nil || res != (MergeResult{}) {
		t.Fatalf("MergeWebinars of the deleted webinar = %+v, %v; want nothing merged", res, err)
	}
	if err := s.MergeSessionAttendance(bpW1, record.Session{Key: bpS1, Start: time.Date(2025, 6, 10, 15, 0, 0, 0, time.UTC),
		End: time.Date(2025, 6, 10, 16, 25, 0, 0, time.UTC), Attended: 6}, beforeProvidersAttendees(), now); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openBeforeProviders(t, dir)
	if m, err := s.FindPerson(bpErasedEmail); err != nil || len(m) > 0 {
		t.Fatalf("FindPerson(erased) = %+v, %v; want none", m, err)
	}
	if _, err := s.Webinar(bpW3); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Webinar(deleted) err = %v; want ErrNotFound", err)
	}
	checkBeforeProvidersData(t, s) // the same attendance report again changes nothing
	if c, err := s.Counts(); err != nil || c != (Counts{Webinars: 3, Registrants: 11, Joins: 6, Events: 24}) {
		t.Fatalf("Counts = %+v, %v; want what the old version counted", c, err)
	}
}

// beforeProvidersAttendees is W1's session report as the old version
// merged it, Siobhán included.
func beforeProvidersAttendees() []record.Attendee {
	span := func(from, to string) record.Span {
		return record.Span{Start: fixtureTime(from), End: fixtureTime(to)}
	}
	return []record.Attendee{
		{RegistrantKey: "100000000000000001", FirstName: "Zoë", LastName: "Ångström", Email: "zoe.angstrom@example.se", Seconds: 4200,
			Intervals: []record.Span{span("2025-06-10T15:01:00Z", "2025-06-10T15:10:00Z"), span("2025-06-10T15:20:00Z", "2025-06-10T16:21:00Z")}},
		{RegistrantKey: "100000000000000003", FirstName: "Łukasz", LastName: "Żółć", Email: "lukasz.zolc@example.pl", Seconds: 1800,
			Intervals: []record.Span{span("2025-06-10T15:02:00Z", "2025-06-10T15:32:00Z")}},
		{RegistrantKey: "100000000000000004", FirstName: "明", LastName: "王", Email: "wang.ming@example.cn", Seconds: 4980,
			Intervals: []record.Span{span("2025-06-10T15:03:00Z", "2025-06-10T16:26:00Z")}},
		{RegistrantKey: "100000000000000006", FirstName: "Ольга", LastName: "Иванова", Email: "olga.ivanova@example.ru", Seconds: 600,
			Intervals: []record.Span{span("2025-06-10T15:06:00Z", "2025-06-10T15:16:00Z")}},
		{RegistrantKey: "100000000000000008", FirstName: "Siobhán", LastName: "Ó Briain", Email: "Siobhan.OBriain@example.ie", Seconds: 3000,
			Intervals: []record.Span{span("2025-06-10T15:04:00Z", "2025-06-10T15:54:00Z")}},
		{RegistrantKey: "100000000000000013", FirstName: "Bjørn", LastName: "Ødegård", Email: "bjorn.odegard@example.no", Seconds: 2400,
			Intervals: []record.Span{span("2025-06-10T15:45:00Z", "2025-06-10T16:25:00Z")}},
	}
}

func fixtureTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// checkBeforeProvidersData checks what a user saw of the old version's
// data: its webinars, registrants, joins, attendance, event log and
// settings, as that version wrote them.
func checkBeforeProvidersData(t *testing.T, s *Store) {
	t.Helper()
	webinars := map[string]string{
		bpW1: `"Quarterly Launch — Q3-Ausblick" UPDATED desc="Was dieses Quartal neu ist" 2025-06-10T15:00:00Z..2025-06-10T16:30:00Z Europe/Berlin times=1 ` +
			`reg=8 joined=4 joins=5 attended=5 created=2025-06-01T08:59:58Z updated=2025-06-10T17:00:00Z org=7098512343098123456 acct=3141592653589793238 rec=8800000000000000001/single_session CLASSIC`,
		bpW2: `"Atelier d'été : l'IA en pratique" NEW desc="" 2025-06-12T08:00:00Z..2025-06-12T09:30:00Z Europe/Paris times=1 ` +
			`reg=3 joined=1 joins=1 attended=0 created=2025-06-02T10:59:00Z updated=2025-06-02T11:00:00Z org=7098512343098123456 acct=3141592653589793238 rec=/single_session CLASSIC`,
		bpW4: `"Office hours: Fragen & Antworten"  desc="Offene Sprechstunde" 2025-06-20T14:00:00Z..2025-06-27T15:00:00Z Europe/Vienna times=2 ` +
			`reg=0 joined=0 joins=0 attended=0 created= updated=2025-06-10T17:00:00Z org=7098512343098123456 acct=3141592653589793238 rec=8800000000000000004/series CLASSIC`,
	}
	all, err := s.Webinars()
	if err != nil {
		t.Fatal(err)
	}
	var gotoKeys []string
	for _, w := range all {
		if ProviderOf(w.WebinarKey) == ProviderGoTo {
			gotoKeys = append(gotoKeys, w.WebinarKey)
		}
	}
	slices.Sort(gotoKeys)
	if want := []string{bpW4, bpW2, bpW1}; !slices.Equal(gotoKeys, want) {
		t.Fatalf("GoTo webinars %v, want %v (W3 deleted)", gotoKeys, want)
	}
	for key, want := range webinars {
		w, err := s.Webinar(key)
		if err != nil {
			t.Fatalf("Webinar(%s): %v", key, err)
		}
		if got := describeWebinar(w); got != want {
			t.Errorf("Webinar(%s)\n got %s\nwant %s", key, got, want)
		}
	}
	if _, err := s.Webinar(bpW3); !errors.Is(err, ErrNotFound) {
		t.Errorf("Webinar(deleted W3) err = %v; want ErrNotFound", err)
	}

	const (
		heard = "How did you hear about us?"
		panel = "Your question for the panel"
	)
	checkSameLines(t, "registrants of W1", describeRegistrants(t, s, bpW1), []string{
		"100000000000000001 Zoë Ångström <zoe.angstrom@example.se> Approved registered=2025-06-03T08:00:00Z joins=2 first=2025-06-10T15:01:00Z attended=true 4200s " +
			heard + "=Newsletter|" + panel + "=Wie skaliert das über 10 000 Teilnehmer?",
		"100000000000000002 José Núñez <jose.nunez@example.es> Approved registered=2025-06-03T08:05:00Z joins=0 first= attended=false 0s " + heard + "=Colleague",
		"100000000000000003 Łukasz Żółć <lukasz.zolc@example.pl> Approved registered=2025-06-03T08:10:00Z joins=1 first=2025-06-10T15:02:00Z attended=true 1800s ",
		"100000000000000004 明 王 <wang.ming@example.cn> Approved registered=2025-06-03T08:15:00Z joins=1 first=2025-06-10T15:03:00Z attended=true 4980s " + heard + "=微信",
		"100000000000000005 Αλέξανδρος Παπαδόπουλος <alexandros@example.gr> Approved registered=2025-06-03T08:20:00Z joins=0 first= attended=false 0s ",
		"100000000000000006 Ольга Иванова <olga.ivanova@example.ru> Approved registered=2025-06-03T08:25:00Z joins=1 first=2025-06-10T15:06:00Z attended=true 600s ",
		"100000000000000007 محمد الأحمد <mohammed@example.ae> Approved registered=2025-06-03T08:30:00Z joins=0 first= attended=false 0s " + panel + "=متى يتوفر الدعم للعربية؟",
		"100000000000000013 Bjørn Ødegård <bjorn.odegard@example.no> Approved registered=2025-06-09T12:00:00Z joins=0 first= attended=true 2400s " + heard + "=LinkedIn",
	})
	checkSameLines(t, "registrants of W2", describeRegistrants(t, s, bpW2), []string{
		"200000000000000009 Jörg Müller <joerg.mueller@example.de> Approved registered=2025-06-04T09:00:00Z joins=1 first=2025-06-12T08:02:00Z attended=false 0s Niveau=Avancé",
		"200000000000000010 Ngozi Okonkwo-Adébáyọ̀ <ngozi@example.ng> Approved registered=2025-06-04T09:05:00Z joins=0 first= attended=false 0s Niveau=Débutant",
		"200000000000000012 愛子 山田 <aiko.yamada@example.jp> Denied registered=2025-06-04T09:15:00Z joins=0 first= attended=false 0s ",
	})
	if r, err := s.Registrant(bpW1, "100000000000000006"); err != nil || r.JobTitle != "Инженер" {
		t.Errorf("Registrant(Ольга) = %+v, %v; want her job title", r, err)
	}
	if r, err := s.Registrant(bpW1, "100000000000000013"); err != nil || r.Organization != "Ødegård AS" || r.City != "Tromsø" || r.RegistrationSource != "LinkedIn" {
		t.Errorf("Registrant(Bjørn, from the sync) = %+v, %v; want his details", r, err)
	}
	for _, k := range [][2]string{{bpW1, "100000000000000008"}, {bpW2, "200000000000000011"}} {
		if _, err := s.Registrant(k[0], k[1]); !errors.Is(err, ErrNotFound) {
			t.Errorf("Registrant(erased %s) err = %v; want ErrNotFound", k[1], err)
		}
	}
	if m, err := s.FindPerson(bpErasedEmail); err != nil || len(m) > 0 {
		t.Errorf("FindPerson(erased) = %+v, %v; want none", m, err)
	}

	for _, c := range []struct {
		webinar             string
		statuses, questions []string
	}{
		{bpW1, []string{"Approved"}, []string{heard, panel}},
		{bpW2, []string{"Approved", "Denied"}, []string{"Niveau"}},
	} {
		if got, err := s.Statuses(c.webinar); err != nil || !slices.Equal(got, c.statuses) {
			t.Errorf("Statuses(%s) = %q, %v; want %q", c.webinar, got, err, c.statuses)
		}
		if got, err := s.Questions(c.webinar); err != nil || !slices.Equal(got, c.questions) {
			t.Errorf("Questions(%s) = %q, %v; want %q", c.webinar, got, err, c.questions)
		}
	}

	checkSameLines(t, "joins of W1", describeJoins(t, s, bpW1), []string{
		"seq=23 c2e3f405-0006-4c70-9f30-000000000006 100000000000000001 Zoë Ångström 5550100000000000001 2025-06-10T15:20:00Z",
		"seq=22 c2e3f405-0005-4c70-9f30-000000000005 100000000000000006 Ольга Иванова 5550100000000000001 2025-06-10T15:06:00Z",
		"seq=20 c2e3f405-0003-4c70-9f30-000000000003 100000000000000004 明 王 5550100000000000001 2025-06-10T15:03:00Z",
		"seq=19 c2e3f405-0002-4c70-9f30-000000000002 100000000000000003 Łukasz Żółć 5550100000000000001 2025-06-10T15:02:00Z",
		"seq=18 c2e3f405-0001-4c70-9f30-000000000001 100000000000000001 Zoë Ångström 5550100000000000001 2025-06-10T15:01:00Z",
	})
	checkSameLines(t, "joins of W2", describeJoins(t, s, bpW2), []string{
		"seq=24 c2e3f405-0007-4c70-9f30-000000000007 200000000000000009 Jörg Müller 6660100000000000001 2025-06-12T08:02:00Z",
	})

	sessions, err := s.Sessions(bpW1)
	if err != nil || len(sessions) != 1 || sessions[0].SessionKey != bpS1 || sessions[0].RegistrantsAttended != 6 ||
		!sessions[0].StartTime.Equal(fixtureTime("2025-06-10T15:00:00Z")) || !sessions[0].EndTime.Equal(fixtureTime("2025-06-10T16:25:00Z")) {
		t.Errorf("Sessions(W1) = %+v, %v; want the synced session", sessions, err)
	}
	att, err := s.Attendance(bpW1)
	if err != nil {
		t.Fatal(err)
	}
	var gotAtt []string
	for _, a := range att {
		var ivs []string
		for _, iv := range a.Intervals {
			ivs = append(ivs, iv.JoinTime.UTC().Format(time.RFC3339)+".."+iv.LeaveTime.UTC().Format(time.RFC3339))
		}
		gotAtt = append(gotAtt, fmt.Sprintf("%s %s %s %s %s %ds %s", a.SessionKey, a.RegistrantKey, a.FirstName, a.LastName, a.Email, a.AttendanceTimeInSeconds, strings.Join(ivs, ",")))
	}
	slices.Sort(gotAtt)
	checkSameLines(t, "attendance of W1", gotAtt, []string{
		"5550100000000000001 100000000000000001 Zoë Ångström zoe.angstrom@example.se 4200s 2025-06-10T15:01:00Z..2025-06-10T15:10:00Z,2025-06-10T15:20:00Z..2025-06-10T16:21:00Z",
		"5550100000000000001 100000000000000003 Łukasz Żółć lukasz.zolc@example.pl 1800s 2025-06-10T15:02:00Z..2025-06-10T15:32:00Z",
		"5550100000000000001 100000000000000004 明 王 wang.ming@example.cn 4980s 2025-06-10T15:03:00Z..2025-06-10T16:26:00Z",
		"5550100000000000001 100000000000000006 Ольга Иванова olga.ivanova@example.ru 600s 2025-06-10T15:06:00Z..2025-06-10T15:16:00Z",
		"5550100000000000001 100000000000000013 Bjørn Ødegård bjorn.odegard@example.no 2400s 2025-06-10T15:45:00Z..2025-06-10T16:25:00Z",
	})

	checkBeforeProvidersLog(t, s)

	for name, want := range map[string]string{"goto.organizerKey": "7098512343098123456", "ngrok.domain": "quarterly-webinars.ngrok.app", "forward.on": "1"} {
		if got, err := s.Setting(name); err != nil || got != want {
			t.Errorf("Setting(%s) = %q, %v; want %q", name, got, err, want)
		}
	}
	if r, err := s.Retention(); err != nil || r.Days != 400 {
		t.Errorf("Retention = %+v, %v; want 400 days", r, err)
	}
	keys := s.SecretKeys()
	if len(keys) != 1 || keys[0].ID != "sk-2025-06" || keys[0].Value != "c2VjcmV0LWtleS1mcm9tLWdvdG8tMjAyNS0wNg==" || !keys[0].ValidFrom.Equal(fixtureTime("2025-06-01T08:00:00Z")) {
		t.Errorf("SecretKeys = %+v; want the old one", keys)
	}
}

// checkBeforeProvidersLog checks the old version's event log entry by
// entry: GoTo's (Provider ""), each body byte for byte as received, or the
// tombstone the old version left in its place.
func checkBeforeProvidersLog(t *testing.T, s *Store) {
	t.Helper()
	entries, err := s.Events(EventQuery{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	old := map[uint64]LogEntry{}
	for _, e := range entries {
		if e.Seq <= uint64(len(beforeProvidersBodies)) {
			old[e.Seq] = e
		}
	}
	if len(old) != len(beforeProvidersBodies) {
		t.Fatalf("the log holds %d of the old version's %d entries", len(old), len(beforeProvidersBodies))
	}
	for i, body := range beforeProvidersBodies {
		seq := uint64(i + 1)
		e := old[seq]
		var env struct {
			EventName  string          `json:"eventName"`
			EventKey   string          `json:"eventKey"`
			Timestamp  time.Time       `json:"timestamp"`
			WebinarKey json.RawMessage `json:"webinarKey"`
		}
		if err := json.Unmarshal([]byte(body), &env); err != nil {
			t.Fatal(err)
		}
		if e.Provider != "" || e.EventKey != env.EventKey || e.EventName != env.EventName || e.WebinarKey != string(env.WebinarKey) ||
			!e.ReceivedAt.Equal(env.Timestamp.Add(time.Second)) || e.ForwardedFor != "203.0.113.7" || e.Join != nil {
			t.Errorf("log seq %d = provider %q key %s name %s webinar %s received %s from %s join %v; want GoTo's %s %s %s",
				seq, e.Provider, e.EventKey, e.EventName, e.WebinarKey, e.ReceivedAt, e.ForwardedFor, e.Join, env.EventKey, env.EventName, env.WebinarKey)
		}
		if reason, ok := beforeProvidersTombstones[seq]; ok {
			if e.Tombstone == nil || e.Tombstone.Reason != reason || e.Tombstone.Bytes != len(body) ||
				bytes.Contains(bytes.ToLower(e.Raw), []byte("siobh")) || bytes.Contains(bytes.ToLower(e.Raw), []byte("obriain")) {
				t.Errorf("log seq %d = tombstone %+v raw %s; want a %s tombstone for %d bytes, naming no one", seq, e.Tombstone, e.Raw, reason, len(body))
			}
			continue
		}
		if e.Tombstone != nil || string(e.Raw) != body {
			t.Errorf("log seq %d: tombstone %+v, raw\n%s\nwant as received\n%s", seq, e.Tombstone, e.Raw, body)
		}
		if one, err := s.Event(seq); err != nil || !bytes.Equal(one.Raw, []byte(body)) || one.Provider != "" {
			t.Errorf("Event(%d) = provider %q raw %s, %v; want GoTo's body as received", seq, one.Provider, one.Raw, err)
		}
	}
}

// putRingCentralBesideBeforeProviders stores RingCentral's data whose ids
// are GoTo's keys of the old data, digit for digit: namespacing keeps them
// apart.
func putRingCentralBesideBeforeProviders(t *testing.T, s *Store) {
	t.Helper()
	ctx := context.Background()
	observed := time.Date(2026, 3, 12, 9, 0, 0, 0, time.UTC)
	rcW := ProviderKey("ringcentral", bpW1)
	res, err := s.MergeWebinars([]record.Webinar{{Key: rcW, Title: "Produktdemo — RingCentral", TimeZone: "America/Los_Angeles",
		Times: []record.Span{{Start: time.Date(2026, 3, 12, 17, 0, 0, 0, time.UTC), End: time.Date(2026, 3, 12, 18, 0, 0, 0, time.UTC)}}}}, observed)
	if err != nil || res != (MergeResult{Added: 1}) {
		t.Fatalf("MergeWebinars(RingCentral) = %+v, %v; want one added", res, err)
	}
	res, err = s.MergeRegistrants(rcW, []record.Registrant{
		{Key: ProviderKey("ringcentral", "100000000000000001"), Profile: record.Profile{FirstName: "Zoë", LastName: "Ngata", Email: "zoe.ngata@example.nz"},
			Status: "registered", RegisteredAt: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC),
			Responses: []record.Response{{Question: "Team size", Answers: []string{"11–50"}}}},
		{Key: ProviderKey("ringcentral", "8c4e0d2a-77b1-4e0f-9a55-31c0d1e2f3a4"), Profile: record.Profile{FirstName: "Søren", LastName: "Kierkegaard", Email: "soren@example.dk"},
			Status: "registered", RegisteredAt: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)},
	}, observed, true)
	if err != nil || res != (MergeResult{Added: 2}) {
		t.Fatalf("MergeRegistrants(RingCentral) = %+v, %v; want two added", res, err)
	}
	for _, e := range ringCentralBesideBeforeProviders() {
		for range 2 { // a redelivery is stored once
			if _, err := s.PutProviderEvent(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Neither was taken for a redelivery of GoTo's event of the same id.
	if stored, err := s.PutProviderEvent(ctx, ringCentralBesideBeforeProviders()[0]); err != nil || stored {
		t.Fatalf("RingCentral redelivery: stored %v, %v; want refused", stored, err)
	}
}

// ringCentralBesideBeforeProviders are RingCentral deliveries: one whose id
// is an old GoTo eventKey, and a join polled for the RingCentral webinar.
func ringCentralBesideBeforeProviders() []*ProviderEvent {
	return []*ProviderEvent{
		{Provider: "ringcentral", ID: "a0c7e1f0-0001-4a5e-9d1e-000000000001", Name: "/webinar/registration/v1/company/sessions/registrants",
			WebinarID: bpW1, Raw: []byte(`{"uuid":"a0c7e1f0-0001-4a5e-9d1e-000000000001","event":"/webinar/registration/v1/company/sessions/registrants","body":{"email":"soren@example.dk","firstName":"Søren"}}`),
			ReceivedAt: time.Date(2026, 3, 2, 10, 0, 1, 0, time.UTC), ForwardedFor: "198.51.100.9"},
		{Provider: "ringcentral", ID: "join:" + bpS1 + ":p-7", Name: "participant.joined", WebinarID: bpW1,
			Raw:        []byte(`{"id":"p-7","email":"zoe.ngata@example.nz","joinTime":"2026-03-12T17:02:00Z"}`),
			ReceivedAt: time.Date(2026, 3, 12, 17, 2, 5, 0, time.UTC),
			Join: &record.Join{SessionKey: ProviderKey("ringcentral", bpS1), RegistrantKey: ProviderKey("ringcentral", "100000000000000001"),
				FirstName: "Zoë", LastName: "Ngata", Email: "zoe.ngata@example.nz", At: time.Date(2026, 3, 12, 17, 2, 0, 0, time.UTC)}},
	}
}

func checkRingCentralBesideBeforeProviders(t *testing.T, s *Store) {
	t.Helper()
	rcW := ProviderKey("ringcentral", bpW1)
	w, err := s.Webinar(rcW)
	if err != nil || w.Title != "Produktdemo — RingCentral" || w.Registrants != 2 || w.Joined != 1 || w.Joins != 1 || ProviderOf(w.WebinarKey) != "ringcentral" {
		t.Errorf("Webinar(RingCentral) = %+v, %v; want its title, two registrants, one join", w, err)
	}
	checkSameLines(t, "RingCentral registrants", describeRegistrants(t, s, rcW), []string{
		"ringcentral:100000000000000001 Zoë Ngata <zoe.ngata@example.nz> Registered registered=2026-03-01T10:00:00Z joins=1 first=2026-03-12T17:02:00Z attended=false 0s Team size=11–50",
		"ringcentral:8c4e0d2a-77b1-4e0f-9a55-31c0d1e2f3a4 Søren Kierkegaard <soren@example.dk> Registered registered=2026-03-02T10:00:00Z joins=0 first= attended=false 0s ",
	})
	checkSameLines(t, "RingCentral joins", describeJoins(t, s, rcW), []string{
		"seq=26 ringcentral:join:5550100000000000001:p-7 ringcentral:100000000000000001 Zoë Ngata ringcentral:5550100000000000001 2026-03-12T17:02:00Z",
	})
	entries, err := s.Events(EventQuery{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		if e.Provider != "" {
			got = append(got, fmt.Sprintf("%d %s %s %s %s %s", e.Seq, e.Provider, e.EventKey, e.EventName, e.WebinarKey, e.Raw))
		}
	}
	want := ringCentralBesideBeforeProviders()
	checkSameLines(t, "RingCentral log entries", got, []string{
		fmt.Sprintf("26 ringcentral ringcentral:%s %s %s %s", want[1].ID, want[1].Name, rcW, want[1].Raw),
		fmt.Sprintf("25 ringcentral ringcentral:%s %s %s %s", want[0].ID, want[0].Name, rcW, want[0].Raw),
	})
}

func describeWebinar(w Webinar) string {
	return fmt.Sprintf("%q %s desc=%q %s..%s %s times=%d reg=%d joined=%d joins=%d attended=%d created=%s updated=%s org=%s acct=%s rec=%s/%s %s",
		w.Title, w.Status, w.Description, timeText(w.StartTime), timeText(w.EndTime), w.TimeZone, len(w.Times),
		w.Registrants, w.Joined, w.Joins, w.Attended, timeText(w.CreatedAt), timeText(w.UpdatedAt),
		w.OrganizerKey, w.AccountKey, w.RecurrenceKey, w.RecurrenceType, w.ExperienceType)
}

func describeRegistrants(t *testing.T, s *Store, webinarKey string) []string {
	t.Helper()
	rs, total, err := s.Registrants(webinarKey, RegistrantQuery{Limit: 100, Sort: SortRegisteredAsc})
	if err != nil || total != len(rs) {
		t.Fatalf("Registrants(%s): %d of %d, %v", webinarKey, len(rs), total, err)
	}
	var out []string
	for _, r := range rs {
		var answers []string
		for _, a := range r.Responses {
			answers = append(answers, a.Question+"="+a.Answer())
		}
		out = append(out, fmt.Sprintf("%s %s %s <%s> %s registered=%s joins=%d first=%s attended=%v %ds %s",
			r.RegistrantKey, r.FirstName, r.LastName, r.Email, r.Status, timeText(r.RegistrationDate), r.Joins, timeText(r.FirstJoinTime),
			r.Attended, r.AttendanceTimeInSeconds, strings.Join(answers, "|")))
	}
	return out
}

func describeJoins(t *testing.T, s *Store, webinarKey string) []string {
	t.Helper()
	js, err := s.Joins(webinarKey, 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, j := range js {
		out = append(out, fmt.Sprintf("seq=%d %s %s %s %s %s %s", j.Seq, j.EventKey, j.RegistrantKey, j.FirstName, j.LastName, j.SessionKey, timeText(j.JoinTime)))
	}
	return out
}

func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func checkSameLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if slices.Equal(got, want) {
		return
	}
	t.Errorf("%s:\n got %d:\n  %s\nwant %d:\n  %s", what, len(got), strings.Join(got, "\n  "), len(want), strings.Join(want, "\n  "))
}

// TestJoinsAfter_ADatabaseFromBeforeTheSeqIndex: a live board asks for the
// joins after the last it showed. A database from before the joins' seq
// index answers the same read-only (by walking every join) and once
// opened (by the index it is given), and an erased person's joins leave
// the index with them.
func TestJoinsAfter_ADatabaseFromBeforeTheSeqIndex(t *testing.T) {
	t.Parallel()
	seqs := func(s *Store, webinar string, after uint64) []uint64 {
		t.Helper()
		js, err := s.JoinsAfter(webinar, after)
		if err != nil {
			t.Fatalf("JoinsAfter(%s, %d): %v", webinar, after, err)
		}
		var out []uint64
		for _, j := range js {
			out = append(out, j.Seq)
		}
		return out
	}
	check := func(what string, s *Store) {
		t.Helper()
		for _, c := range []struct {
			webinar string
			after   uint64
			want    []uint64
		}{
			{bpW1, 0, []uint64{18, 19, 20, 22, 23}},
			{bpW1, 19, []uint64{20, 22, 23}},
			{bpW1, 23, nil},
			{bpW2, 0, []uint64{24}},
		} {
			if got := seqs(s, c.webinar, c.after); !slices.Equal(got, c.want) {
				t.Errorf("%s: joins of %s after %d = %v, want %v", what, c.webinar, c.after, got, c.want)
			}
		}
	}

	dir := copyBeforeProviders(t)
	ro, err := OpenReadOnly(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	check("read-only, no index", ro)
	if err := ro.Close(); err != nil {
		t.Fatal(err)
	}
	s := openBeforeProviders(t, dir)
	check("opened, indexed", s)
	// A join after the upgrade comes after every join from before it.
	put(t, s, joinedBody("c2e3f405-0008-4c70-9f30-000000000008", bpW1, "100000000000000002", bpS1, "2025-06-10T15:30:00.000Z"))
	if got, want := seqs(s, bpW1, 19), []uint64{20, 22, 23, 25}; !slices.Equal(got, want) {
		t.Errorf("with a join after the upgrade, joins of W1 after 19 = %v, want %v", got, want)
	}

	// Zoë joined W1 twice (seqs 18 and 23).
	if _, err := s.ErasePerson(t.Context(), "zoe.angstrom@example.se"); err != nil {
		t.Fatal(err)
	}
	if got, want := seqs(s, bpW1, 0), []uint64{19, 20, 22, 25}; !slices.Equal(got, want) {
		t.Errorf("after erasing Zoë, joins of W1 = %v, want %v", got, want)
	}
	err = s.view(func(tx *bolt.Tx) error {
		data := tx.Bucket([]byte(bucketWebinarData)).Bucket([]byte(bpW1))
		if n, m := data.Bucket([]byte(subJoinSeqs)).Stats().KeyN, data.Bucket([]byte(subJoins)).Stats().KeyN; n != m {
			t.Errorf("after erasing Zoë, the seq index of W1 holds %d joins, the joins %d", n, m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// Back to an older version for a while: it stores a join but not
	// its seq, nor the mark saying the index is whole. The next start
	// here indexes it.
	put(t, s, joinedBody("c2e3f405-0009-4c70-9f30-000000000009", bpW1, "100000000000000004", bpS1, "2025-06-10T15:40:00.000Z"))
	err = s.db.Update(func(tx *bolt.Tx) error {
		data := tx.Bucket([]byte(bucketWebinarData)).Bucket([]byte(bpW1))
		if err := data.Bucket([]byte(subJoinSeqs)).Delete(u64(26)); err != nil {
			return err
		}
		return tx.Bucket([]byte(bucketMeta)).Delete([]byte(metaJoinSeqsAt))
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openBeforeProviders(t, dir)
	if got, want := seqs(s, bpW1, 22), []uint64{25, 26}; !slices.Equal(got, want) {
		t.Errorf("with a join an older version stored, joins of W1 after 22 = %v, want %v", got, want)
	}
}
