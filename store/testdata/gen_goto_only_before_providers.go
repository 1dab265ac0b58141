//go:build ignore

// This program writes goto-only-before-providers.db: a GoTo-only database
// as webinarsync wrote it before the provider seam (commit 10df0f7, the
// parent of 67e90b8), which store/provider_upgrade_test.go opens with
// today's code. It uses that commit's store API (merges taking gotowebinar
// types), so it only builds in a checkout of 10df0f7. To regenerate:
//
//	git -C /path/to/webinarsync worktree add /tmp/old-webinarsync 10df0f7
//	cp store/testdata/gen_goto_only_before_providers.go /tmp/old-webinarsync/store/testdata/
//	(cd /tmp/old-webinarsync && go run ./store/testdata/gen_goto_only_before_providers.go \
//		-o /path/to/webinarsync/store/testdata/goto-only-before-providers.db)
//	git -C /path/to/webinarsync worktree remove --force /tmp/old-webinarsync
//
// The bodies below are repeated in provider_upgrade_test.go, which checks
// them byte for byte: change both together.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"time"

	"webinarsync/gotowebinar"
	"webinarsync/store"
)

// The webinars: W1 and W2 come by webhooks, W3 too and is then deleted,
// W4 is known only from a catch-up sync.
const (
	w1 = "7602839144925633282"
	w2 = "4815162342108765432"
	w3 = "9990001112223334445"
	w4 = "1357924680135792468"
	s1 = "5550100000000000001" // W1's session
	s2 = "6660100000000000001" // W2's session
)

// bodies are the deliveries in the order they arrive, each received a
// second after its timestamp. Siobhán (two registrations, one join) is
// erased at the end; W3 is deleted.
var bodies = []string{
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

// forwardFrom is the index of the first body stored after forwarding was
// turned on: the outbox holds what came from there on.
const forwardFrom = 17

func main() {
	out := flag.String("o", "goto-only-before-providers.db", "where to write the database")
	flag.Parse()
	if err := run(*out); err != nil {
		log.Fatal(err)
	}
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func gt(s string) gotowebinar.Time { return gotowebinar.Time{Time: at(s)} }

func run(out string) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "webinarsync-fixture-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	st, err := store.Open(dir, store.Options{})
	if err != nil {
		return err
	}
	// On an error the program exits without closing: the file is thrown away.

	// Settings an organizer's app has by then.
	for name, value := range map[string]string{
		"goto.organizerKey": "7098512343098123456",
		"ngrok.domain":      "quarterly-webinars.ngrok.app",
	} {
		if err := st.SetSetting(name, value); err != nil {
			return err
		}
	}
	if err := st.SetRetention(400); err != nil {
		return err
	}
	if err := st.AddSecretKey(store.SecretKey{ID: "sk-2025-06", Value: "c2VjcmV0LWtleS1mcm9tLWdvdG8tMjAyNS0wNg==", ValidFrom: at("2025-06-01T08:00:00Z")}); err != nil {
		return err
	}
	dl, err := store.NewDeliveryLog(st, func() [][]byte { return [][]byte{[]byte("c2VjcmV0LWtleS1mcm9tLWdvdG8tMjAyNS0wNg==")} }, store.DeliveryLimits{})
	if err != nil {
		return err
	}

	for i, b := range bodies {
		if i == forwardFrom {
			if err := st.SetForwarding(true); err != nil {
				return err
			}
		}
		ev, err := gotowebinar.DecodeEvent([]byte(b))
		if err != nil {
			return fmt.Errorf("body %d: %w", i, err)
		}
		if ev.Undecoded != "" {
			return fmt.Errorf("body %d: undecoded: %s", i, ev.Undecoded)
		}
		d := &gotowebinar.Delivery{Event: *ev, ReceivedAt: ev.Timestamp.Add(time.Second), ForwardedFor: "203.0.113.7"}
		stored, err := st.PutEvent(ctx, d)
		if err != nil || !stored {
			return fmt.Errorf("body %d: stored %v: %v", i, stored, err)
		}
		dl.Observe(gotowebinar.Outcome{At: d.ReceivedAt, Result: gotowebinar.Stored, EventName: ev.EventName,
			EventKey: string(ev.EventKey), Bytes: len(b), Took: 3 * time.Millisecond, Method: "POST",
			RemoteAddr: "127.0.0.1:50000", ForwardedFor: "203.0.113.7"})
	}
	// A forged delivery, refused and quarantined.
	forged := `{"eventName":"registrant.added","eventKey":"ffffffff-0000-4000-8000-00000000f00d","webinarKey":7602839144925633282,"registrantKey":999,"email":"mallory@example.com"}`
	dl.Observe(gotowebinar.Outcome{At: at("2025-06-11T07:00:00Z"), Result: gotowebinar.Refused, Check: gotowebinar.ErrBadSignature,
		EventName: "registrant.added", EventKey: "ffffffff-0000-4000-8000-00000000f00d", Bytes: len(forged),
		Took: time.Millisecond, Method: "POST", RemoteAddr: "127.0.0.1:50001", ForwardedFor: "198.51.100.23",
		Body: []byte(forged), Signature: "dGhpcyBpcyBub3QgdGhlIHNpZ25hdHVyZQ=="})
	if err := dl.Flush(ctx); err != nil {
		return err
	}

	// The catch-up sync: webinars (W4 known only from it), registrants of
	// W1 (Bjørn from REST only, Alexandros approved since), and W1's
	// session with its attendance.
	observed := at("2025-06-10T17:00:00Z")
	if _, err := st.MergeWebinars([]gotowebinar.Webinar{
		{WebinarKey: w1, Subject: "Quarterly Launch — Q3-Ausblick", RecurrenceKey: "8800000000000000001", OrganizerKey: "7098512343098123456",
			AccountKey: "3141592653589793238", TimeZone: "Europe/Berlin", ExperienceType: "classic", RecurrenceType: "single_session",
			Times: []gotowebinar.TimeRange{{StartTime: gt("2025-06-10T15:00:00Z"), EndTime: gt("2025-06-10T16:30:00Z")}}},
		{WebinarKey: w4, Subject: "Office hours: Fragen & Antworten", Description: "Offene Sprechstunde", OrganizerKey: "7098512343098123456",
			AccountKey: "3141592653589793238", TimeZone: "Europe/Vienna", ExperienceType: "CLASSIC", RecurrenceType: "series", RecurrenceKey: "8800000000000000004",
			Times: []gotowebinar.TimeRange{
				{StartTime: gt("2025-06-20T14:00:00Z"), EndTime: gt("2025-06-20T15:00:00Z")},
				{StartTime: gt("2025-06-27T14:00:00Z"), EndTime: gt("2025-06-27T15:00:00Z")},
			}},
	}, observed); err != nil {
		return err
	}
	if _, err := st.MergeRegistrants(w1, []gotowebinar.Registrant{
		{RegistrantKey: "100000000000000005", FirstName: "Αλέξανδρος", LastName: "Παπαδόπουλος", Email: "alexandros@example.gr",
			RegistrationDate: gt("2025-06-03T08:20:00Z"), Status: "APPROVED"},
		{RegistrantKey: "100000000000000013", FirstName: "Bjørn", LastName: "Ødegård", Email: "bjorn.odegard@example.no",
			RegistrationDate: gt("2025-06-09T12:00:00Z"), Status: "APPROVED", Organization: "Ødegård AS", City: "Tromsø",
			Source: "LinkedIn", JoinURL: "https://global.gotowebinar.com/join/7602839144925633282/100000000000000013",
			Responses: gotowebinar.Responses{{Question: "How did you hear about us?", Type: "MULTIPLE_CHOICE", Answers: []string{"LinkedIn"}}}},
	}, observed, true); err != nil {
		return err
	}
	iv := func(from, to string) gotowebinar.AttendanceInterval {
		return gotowebinar.AttendanceInterval{JoinTime: gt(from), LeaveTime: gt(to)}
	}
	if err := st.MergeSessionAttendance(w1, gotowebinar.Session{SessionKey: s1, WebinarKey: w1,
		StartTime: gt("2025-06-10T15:00:00Z"), EndTime: gt("2025-06-10T16:25:00Z"), RegistrantsAttended: 6,
	}, []gotowebinar.Attendee{
		{RegistrantKey: "100000000000000001", SessionKey: s1, FirstName: "Zoë", LastName: "Ångström", Email: "zoe.angstrom@example.se",
			AttendanceTimeInSeconds: 4200, Attendance: []gotowebinar.AttendanceInterval{iv("2025-06-10T15:01:00Z", "2025-06-10T15:10:00Z"), iv("2025-06-10T15:20:00Z", "2025-06-10T16:21:00Z")}},
		{RegistrantKey: "100000000000000003", SessionKey: s1, FirstName: "Łukasz", LastName: "Żółć", Email: "lukasz.zolc@example.pl",
			AttendanceTimeInSeconds: 1800, Attendance: []gotowebinar.AttendanceInterval{iv("2025-06-10T15:02:00Z", "2025-06-10T15:32:00Z")}},
		{RegistrantKey: "100000000000000004", SessionKey: s1, FirstName: "明", LastName: "王", Email: "wang.ming@example.cn",
			AttendanceTimeInSeconds: 4980, Attendance: []gotowebinar.AttendanceInterval{iv("2025-06-10T15:03:00Z", "2025-06-10T16:26:00Z")}},
		{RegistrantKey: "100000000000000006", SessionKey: s1, FirstName: "Ольга", LastName: "Иванова", Email: "olga.ivanova@example.ru",
			AttendanceTimeInSeconds: 600, Attendance: []gotowebinar.AttendanceInterval{iv("2025-06-10T15:06:00Z", "2025-06-10T15:16:00Z")}},
		{RegistrantKey: "100000000000000008", SessionKey: s1, FirstName: "Siobhán", LastName: "Ó Briain", Email: "Siobhan.OBriain@example.ie",
			AttendanceTimeInSeconds: 3000, Attendance: []gotowebinar.AttendanceInterval{iv("2025-06-10T15:04:00Z", "2025-06-10T15:54:00Z")}},
		{RegistrantKey: "100000000000000013", SessionKey: s1, FirstName: "Bjørn", LastName: "Ødegård", Email: "bjorn.odegard@example.no",
			AttendanceTimeInSeconds: 2400, Attendance: []gotowebinar.AttendanceInterval{iv("2025-06-10T15:45:00Z", "2025-06-10T16:25:00Z")}},
	}, observed); err != nil {
		return err
	}

	// A person asks to be forgotten, and the dry run is deleted; each
	// compacts the file.
	if _, err := st.ErasePerson(ctx, "siobhan.obriain@EXAMPLE.ie"); err != nil {
		return fmt.Errorf("erase: %w", err)
	}
	if _, err := st.DeleteWebinar(ctx, w3); err != nil {
		return fmt.Errorf("delete webinar: %w", err)
	}
	if err := report(st, dl); err != nil {
		return err
	}
	dl.Close()
	if err := st.Close(); err != nil {
		return err
	}
	return copyFile(filepath.Join(dir, store.FileName), out)
}

// report prints what the old version reads back, for the test's expectations.
func report(st *store.Store, dl *store.DeliveryLog) error {
	c, err := st.Counts()
	if err != nil {
		return err
	}
	fmt.Printf("counts %+v\n", c)
	ws, err := st.Webinars()
	if err != nil {
		return err
	}
	for _, w := range ws {
		fmt.Printf("webinar %s %q status=%s reg=%d joined=%d joins=%d attended=%d start=%s end=%s updated=%s tz=%s\n",
			w.WebinarKey, w.Title, w.Status, w.Registrants, w.Joined, w.Joins, w.Attended, w.StartTime, w.EndTime, w.UpdatedAt, w.TimeZone)
		rs, total, err := st.Registrants(w.WebinarKey, store.RegistrantQuery{Limit: 100, Sort: store.SortRegisteredAsc})
		if err != nil {
			return err
		}
		fmt.Printf("  registrants %d\n", total)
		for _, r := range rs {
			fmt.Printf("  %s %s %s <%s> %s joins=%d first=%s att=%v secs=%d jt=%s lt=%s resp=%v\n", r.RegistrantKey, r.FirstName, r.LastName, r.Email,
				r.Status, r.Joins, r.FirstJoinTime, r.Attended, r.AttendanceTimeInSeconds, r.JoinTime, r.LeaveTime, r.Responses)
		}
		js, err := st.Joins(w.WebinarKey, 100)
		if err != nil {
			return err
		}
		for _, j := range js {
			fmt.Printf("  join %s %s %s %s seq=%d\n", j.EventKey, j.RegistrantKey, j.SessionKey, j.JoinTime, j.Seq)
		}
		st2, _ := st.Statuses(w.WebinarKey)
		q, _ := st.Questions(w.WebinarKey)
		fmt.Printf("  statuses %q questions %q\n", st2, q)
		ss, _ := st.Sessions(w.WebinarKey)
		fmt.Printf("  sessions %+v\n", ss)
	}
	es, err := st.Events(store.EventQuery{Limit: 100})
	if err != nil {
		return err
	}
	for _, e := range es {
		fmt.Printf("event %d %s %s w=%s tomb=%v raw=%d\n", e.Seq, e.EventKey, e.EventName, e.WebinarKey, e.Tombstone != nil, len(e.Raw))
	}
	n, err := st.OutboxPending()
	if err != nil {
		return err
	}
	fmt.Printf("outbox %d\n", n)
	recs, err := dl.List(store.DeliveryQuery{})
	if err != nil {
		return err
	}
	fmt.Printf("deliveries %d\n", len(recs))
	for _, r := range recs {
		fmt.Printf("  delivery %d %s %s %s seq=%d quarantined=%v body=%d\n", r.ID, r.Result, r.EventName, r.EventKey, r.Seq, r.Quarantined, len(r.Body))
	}
	return nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
