package gotowebinar_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"webinarsync/gotowebinar"
)

// added builds a minimal registrant.added body with extra raw JSON members.
func added(extra string) string {
	body := `{"eventName":"registrant.added","eventKey":"ek","webinarKey":1,"registrantKey":2`
	if extra != "" {
		body += "," + extra
	}
	return body + "}"
}

// joined builds a minimal registrant.joined body with extra raw JSON members.
func joined(extra string) string {
	body := `{"eventName":"registrant.joined","eventKey":"ek","webinarKey":1,"registrantKey":2`
	if extra != "" {
		body += "," + extra
	}
	return body + "}"
}

// webinarCreated builds a minimal webinar.created body with extra raw JSON members.
func webinarCreated(extra string) string {
	body := `{"eventName":"webinar.created","eventKey":"ek","webinarKey":1`
	if extra != "" {
		body += "," + extra
	}
	return body + "}"
}

func mustDecode(t *testing.T, body string) *gotowebinar.Event {
	t.Helper()
	ev, err := gotowebinar.DecodeEvent([]byte(body))
	if err != nil {
		t.Fatalf("DecodeEvent(%s): %v", body, err)
	}
	return ev
}

func TestDecodeEvent_ReadsGuideSamplesOfAllFourEvents(t *testing.T) {
	t.Parallel()
	t.Run("registrant.added", func(t *testing.T) {
		ev := mustDecode(t, sampleRegistrantAdded("ek-added"))
		ra := ev.RegistrantAdded
		if ra == nil || ev.RegistrantJoined != nil || ev.Webinar != nil {
			t.Fatalf("want only RegistrantAdded set, got %+v", ev)
		}
		if ev.EventName != gotowebinar.EventRegistrantAdded || ev.EventKey != "ek-added" || ev.EventVersion != "1.0.0" || ev.Product != "g2w" {
			t.Errorf("envelope = %+v", ev.Envelope)
		}
		if !ev.Timestamp.Equal(time.Date(2024, 3, 15, 10, 0, 1, 123e6, time.UTC)) {
			t.Errorf("timestamp = %v", ev.Timestamp)
		}
		want := map[string]string{
			"WebinarKey":          sampleWebinarKey,
			"RegistrantKey":       sampleRegistrantKey,
			"WebinarCreatorKey":   sampleCreatorKey,
			"FirstName":           "Ada",
			"LastName":            "Lovelace",
			"Email":               "ada@example.com",
			"Phone":               "+44 20 7946 0000",
			"Address":             "12 St James's Square",
			"City":                "London",
			"State":               "Greater London",
			"Country":             "United Kingdom",
			"ZipCode":             "SW1Y 4JH",
			"Organization":        "Analytical Engines Ltd",
			"JobTitle":            "Programmer",
			"Industry":            "Computing",
			"Comments":            "Looking forward to it",
			"NumberOfEmployees":   "1-20",
			"PurchasingRole":      "Decision Maker",
			"PurchasingTimeFrame": "1-3 months",
			"Status":              "Approved",
			"WebinarTitle":        "Notes on the Engine",
			"ExperienceType":      "CLASSIC",
			"RecurrenceType":      "single_session",
			"RegistrationSource":  "Email",
			"JoinURL":             "https://global.gotowebinar.com/join/1/2",
		}
		v := reflect.ValueOf(*ra)
		for field, w := range want {
			if got := fmt.Sprint(v.FieldByName(field).Interface()); got != w {
				t.Errorf("%s = %q, want %q", field, got, w)
			}
		}
		if !ra.RegistrationDate.Equal(time.Date(2024, 3, 15, 10, 0, 0, 0, time.UTC)) {
			t.Errorf("registrationDate = %v", ra.RegistrationDate)
		}
		wantResponses := gotowebinar.Responses{
			{Question: "Favourite number?", Type: "MULTIPLE_CHOICE", Answers: []string{"7", "42"}},
			{Question: "Why attend?", Type: "SHORT_ANSWER", Answers: []string{"Curiosity"}},
		}
		if !reflect.DeepEqual(ra.Responses, wantResponses) {
			t.Errorf("responses = %#v, want %#v", ra.Responses, wantResponses)
		}
		if ev.WebinarKey() != sampleWebinarKey {
			t.Errorf("Event.WebinarKey() = %q", ev.WebinarKey())
		}
	})
	t.Run("registrant.joined", func(t *testing.T) {
		ev := mustDecode(t, sampleRegistrantJoined("ek-joined"))
		rj := ev.RegistrantJoined
		if rj == nil || ev.RegistrantAdded != nil || ev.Webinar != nil {
			t.Fatalf("want only RegistrantJoined set, got %+v", ev)
		}
		if rj.WebinarKey != sampleWebinarKey || rj.RegistrantKey != sampleRegistrantKey || rj.SessionKey != sampleSessionKey || rj.WebinarCreatorKey != sampleCreatorKey {
			t.Errorf("keys = %q %q %q %q", rj.WebinarKey, rj.RegistrantKey, rj.SessionKey, rj.WebinarCreatorKey)
		}
		if rj.FirstName != "Ada" || rj.LastName != "Lovelace" || rj.Email != "ada@example.com" || rj.WebinarTitle != "Notes on the Engine" {
			t.Errorf("person = %+v", rj)
		}
		if !rj.JoinTime.Equal(time.Date(2024, 3, 20, 15, 1, 2, 0, time.UTC)) {
			t.Errorf("joinTime = %v", rj.JoinTime)
		}
		if ev.WebinarKey() != sampleWebinarKey {
			t.Errorf("Event.WebinarKey() = %q", ev.WebinarKey())
		}
	})
	for _, tc := range []struct{ name, status string }{
		{gotowebinar.EventWebinarCreated, "NEW"},
		{gotowebinar.EventWebinarChanged, "UPDATED"},
		{gotowebinar.EventWebinarChanged, "DELETED"},
	} {
		t.Run(tc.name+"/"+tc.status, func(t *testing.T) {
			ev := mustDecode(t, sampleWebinarEvent(tc.name, "ek-"+tc.status, tc.status))
			w := ev.Webinar
			if w == nil || ev.RegistrantAdded != nil || ev.RegistrantJoined != nil {
				t.Fatalf("want only Webinar set, got %+v", ev)
			}
			if ev.EventName != tc.name || w.Status != tc.status {
				t.Errorf("eventName %q status %q", ev.EventName, w.Status)
			}
			if w.WebinarKey != sampleWebinarKey || w.AccountKey != "11111111111111111111" || w.OrganizerKey != "22222222222222222222" || w.RecurrenceKey != "" {
				t.Errorf("keys = %q %q %q %q", w.WebinarKey, w.AccountKey, w.OrganizerKey, w.RecurrenceKey)
			}
			if w.WebinarTitle != "Notes on the Engine" || w.Description != "A first program" || w.TimeZone != "Europe/London" {
				t.Errorf("webinar = %+v", w)
			}
			start := time.Date(2024, 3, 20, 15, 0, 0, 0, time.UTC)
			end := start.Add(time.Hour)
			if len(w.Times) != 1 || !w.Times[0].StartTime.Equal(start) || !w.Times[0].EndTime.Equal(end) {
				t.Errorf("times = %+v", w.Times)
			}
			if !w.StartTime.Equal(start) || !w.EndTime.Equal(end) || !w.WebinarCreationDate.Equal(time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)) {
				t.Errorf("start %v end %v created %v", w.StartTime, w.EndTime, w.WebinarCreationDate)
			}
			if ev.WebinarKey() != sampleWebinarKey {
				t.Errorf("Event.WebinarKey() = %q", ev.WebinarKey())
			}
		})
	}
}

func TestDecodeEvent_KeepsBareNumberKeysByteExact(t *testing.T) {
	t.Parallel()
	for _, key := range []string{
		"0",
		"1",
		"9007199254740992",            // 2^53
		"9007199254740993",            // 2^53+1: float64 would round it
		"18446744073709551615",        // max uint64
		"18446744073709551616",        // 2^64
		"98765432109876543210123",     // the example
		"100000000000000000000000001", // 27 digits
	} {
		t.Run(key, func(t *testing.T) {
			for _, body := range []string{
				fmt.Sprintf(`{"eventName":"registrant.added","eventKey":%s,"webinarKey":%s,"registrantKey":%s,"webinarCreatorKey":%s}`, key, key, key, key),
				fmt.Sprintf(`{"eventName":"registrant.joined","eventKey":%s,"webinarKey":%s,"registrantKey":%s,"sessionKey":%s}`, key, key, key, key),
				fmt.Sprintf(`{"eventName":"webinar.changed","eventKey":%s,"webinarKey":%s,"accountKey":%s,"organizerKey":%s,"recurrenceKey":%s}`, key, key, key, key, key),
			} {
				ev := mustDecode(t, body)
				var got []gotowebinar.Key
				switch {
				case ev.RegistrantAdded != nil:
					a := ev.RegistrantAdded
					got = []gotowebinar.Key{ev.EventKey, a.EventKey, a.WebinarKey, a.RegistrantKey, a.WebinarCreatorKey}
				case ev.RegistrantJoined != nil:
					j := ev.RegistrantJoined
					got = []gotowebinar.Key{ev.EventKey, j.WebinarKey, j.RegistrantKey, j.SessionKey}
				case ev.Webinar != nil:
					w := ev.Webinar
					got = []gotowebinar.Key{ev.EventKey, w.WebinarKey, w.AccountKey, w.OrganizerKey, w.RecurrenceKey}
				}
				for i, k := range got {
					if string(k) != key || k.String() != key {
						t.Errorf("%s: key %d = %q, want %q", ev.EventName, i, k, key)
					}
				}
			}
		})
	}
}

func TestDecodeEvent_KeepsStringKeys(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ json, want string }{
		{`"98765432109876543210123"`, "98765432109876543210123"},
		{`"9007199254740993"`, "9007199254740993"},
		{`"  42  "`, "42"},
		{`"abc-DEF_123"`, "abc-DEF_123"},
		{`"\u0031\u0032"`, "12"},
	} {
		t.Run(tc.json, func(t *testing.T) {
			ev := mustDecode(t, fmt.Sprintf(`{"eventName":"registrant.joined","eventKey":%s,"webinarKey":%s,"registrantKey":%s,"sessionKey":%s}`, tc.json, tc.json, tc.json, tc.json))
			j := ev.RegistrantJoined
			for i, k := range []gotowebinar.Key{ev.EventKey, j.WebinarKey, j.RegistrantKey, j.SessionKey} {
				if string(k) != tc.want {
					t.Errorf("key %d = %q, want %q", i, k, tc.want)
				}
			}
		})
	}
}

func TestDecodeEvent_ReadsJoinTimeInEveryForm(t *testing.T) {
	t.Parallel()
	plus2 := time.FixedZone("", 2*3600)
	for _, tc := range []struct {
		name, json string
		want       time.Time
	}{
		{"ISO with Z", `"2024-03-20T15:01:02Z"`, time.Date(2024, 3, 20, 15, 1, 2, 0, time.UTC)},
		{"ISO with +02:00", `"2024-03-20T17:01:02+02:00"`, time.Date(2024, 3, 20, 17, 1, 2, 0, plus2)},
		{"ISO with +0200", `"2024-03-20T17:01:02+0200"`, time.Date(2024, 3, 20, 17, 1, 2, 0, plus2)},
		{"ISO with milliseconds", `"2024-03-20T15:01:02.345Z"`, time.Date(2024, 3, 20, 15, 1, 2, 345e6, time.UTC)},
		{"ISO with milliseconds and offset", `"2024-03-20T17:01:02.345+02:00"`, time.Date(2024, 3, 20, 17, 1, 2, 345e6, plus2)},
		{"ISO without zone is UTC", `"2024-03-20T15:01:02"`, time.Date(2024, 3, 20, 15, 1, 2, 0, time.UTC)},
		{"Unix milliseconds as number", `1710946862345`, time.Date(2024, 3, 20, 15, 1, 2, 345e6, time.UTC)},
		{"Unix milliseconds as digit string", `"1710946862345"`, time.Date(2024, 3, 20, 15, 1, 2, 345e6, time.UTC)},
		{"null", `null`, time.Time{}},
		{"empty string", `""`, time.Time{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev := mustDecode(t, joined(`"joinTime":`+tc.json))
			got := ev.RegistrantJoined.JoinTime
			if !got.Equal(tc.want) || got.IsZero() != tc.want.IsZero() {
				t.Errorf("joinTime %s = %v, want %v", tc.json, got.Time, tc.want)
			}
			if !tc.want.IsZero() {
				_, gotOff := got.Zone()
				_, wantOff := tc.want.Zone()
				if gotOff != wantOff {
					t.Errorf("joinTime %s offset = %d, want %d", tc.json, gotOff, wantOff)
				}
			}
		})
	}
}

func TestTime_MarshalsRFC3339OrNull(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(struct{ A, B gotowebinar.Time }{B: gotowebinar.Time{Time: time.Date(2024, 3, 20, 15, 1, 2, 345e6, time.UTC)}})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"A":null,"B":"2024-03-20T15:01:02.345Z"}`; string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
	var back struct{ A, B gotowebinar.Time }
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !back.A.IsZero() || !back.B.Equal(time.Date(2024, 3, 20, 15, 1, 2, 345e6, time.UTC)) {
		t.Errorf("round trip = %+v", back)
	}
}

func TestDecodeEvent_ReadsIndustryInEitherCase(t *testing.T) {
	t.Parallel()
	for _, member := range []string{`"Industry":"Computing"`, `"industry":"Computing"`} {
		t.Run(member, func(t *testing.T) {
			if got := mustDecode(t, added(member)).RegistrantAdded.Industry; got != "Computing" {
				t.Errorf("Industry = %q", got)
			}
		})
	}
}

func TestDecodeEvent_ReadsResponsesInEveryShape(t *testing.T) {
	t.Parallel()
	ab := gotowebinar.Responses{{Question: "q", Type: "MULTIPLE_CHOICE", Answers: []string{"a", "b"}}}
	plain := gotowebinar.Responses{{Question: "q", Answers: []string{"a"}}}
	for _, tc := range []struct {
		name, json string
		want       gotowebinar.Responses
	}{
		{"guide tuples", `[["q","MULTIPLE_CHOICE",["a","b"]]]`, ab},
		{"guide tuples in a string", `"[[\"q\",\"MULTIPLE_CHOICE\",[\"a\",\"b\"]]]"`, ab},
		{"AsyncAPI objects", `[{"question":"q","answer":"a"}]`, plain},
		{"AsyncAPI objects in a string", `"[{\"question\":\"q\",\"answer\":\"a\"}]"`, plain},
		{"tuple with a bare answer", `[["q","SHORT_ANSWER","free text"]]`, gotowebinar.Responses{{Question: "q", Type: "SHORT_ANSWER", Answers: []string{"free text"}}}},
		{"tuple with a number answer", `[["q","SHORT_ANSWER",[42]]]`, gotowebinar.Responses{{Question: "q", Type: "SHORT_ANSWER", Answers: []string{"42"}}}},
		{"object with list of answers", `[{"question":"q","answers":["a","b"]}]`, gotowebinar.Responses{{Question: "q", Answers: []string{"a", "b"}}}},
		{"API objects", `[{"questionText":"q","questionType":"MULTIPLE_CHOICE","responseText":"a"}]`, gotowebinar.Responses{{Question: "q", Type: "MULTIPLE_CHOICE", Answers: []string{"a"}}}},
		{"two questions", `[["q1","SHORT_ANSWER",["x"]],["q2","MULTIPLE_CHOICE",["y","z"]]]`, gotowebinar.Responses{
			{Question: "q1", Type: "SHORT_ANSWER", Answers: []string{"x"}},
			{Question: "q2", Type: "MULTIPLE_CHOICE", Answers: []string{"y", "z"}},
		}},
		{"empty list", `[]`, nil},
		{"empty string", `""`, nil},
		{"null", `null`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := mustDecode(t, added(`"responses":`+tc.json)).RegistrantAdded.Responses
			if len(got) == 0 && len(tc.want) == 0 {
				return
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("responses %s = %#v, want %#v", tc.json, got, tc.want)
			}
		})
	}
}

func TestResponse_AnswerJoinsAnswers(t *testing.T) {
	t.Parallel()
	if got := (gotowebinar.Response{Answers: []string{"a", "b"}}).Answer(); got != "a; b" {
		t.Errorf("Answer() = %q", got)
	}
	if got := (gotowebinar.Response{}).Answer(); got != "" {
		t.Errorf("Answer() of none = %q", got)
	}
}

func TestDecodeEvent_ReadsWebinarTimesAsObjectsOrPairs(t *testing.T) {
	t.Parallel()
	s1 := time.Date(2024, 3, 20, 15, 0, 0, 0, time.UTC)
	s2 := time.Date(2024, 3, 27, 15, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name, json string
		want       [][2]time.Time
		zone       string
	}{
		{"objects", `[{"startTime":"2024-03-20T15:00:00Z","endTime":"2024-03-20T16:00:00Z"},{"startTime":"2024-03-27T15:00:00Z","endTime":"2024-03-27T16:00:00Z"}]`,
			[][2]time.Time{{s1, s1.Add(time.Hour)}, {s2, s2.Add(time.Hour)}}, ""},
		{"objects with timeZone", `[{"startTime":"2024-03-20T15:00:00Z","endTime":"2024-03-20T16:00:00Z","timeZone":"Europe/Paris"}]`,
			[][2]time.Time{{s1, s1.Add(time.Hour)}}, "Europe/Paris"},
		{"pairs", `[["2024-03-20T15:00:00Z","2024-03-20T16:00:00Z"],["2024-03-27T15:00:00Z","2024-03-27T16:00:00Z"]]`,
			[][2]time.Time{{s1, s1.Add(time.Hour)}, {s2, s2.Add(time.Hour)}}, ""},
		{"pairs of Unix milliseconds", `[[1710946800000,1710950400000]]`,
			[][2]time.Time{{s1, s1.Add(time.Hour)}}, ""},
		{"empty", `[]`, nil, ""},
		{"null", `null`, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := mustDecode(t, webinarCreated(`"times":`+tc.json)).Webinar.Times
			if len(got) != len(tc.want) {
				t.Fatalf("times = %+v, want %d ranges", got, len(tc.want))
			}
			for i, w := range tc.want {
				if !got[i].StartTime.Equal(w[0]) || !got[i].EndTime.Equal(w[1]) || got[i].TimeZone != tc.zone {
					t.Errorf("times[%d] = %+v, want %v–%v %q", i, got[i], w[0], w[1], tc.zone)
				}
			}
		})
	}
}

func TestDecodeEvent_TreatsNullFieldsAsEmpty(t *testing.T) {
	t.Parallel()
	ev := mustDecode(t, `{"eventName":"registrant.added","eventVersion":null,"product":null,"eventKey":"ek","timestamp":null,
		"webinarKey":1,"registrantKey":2,"webinarCreatorKey":null,"firstName":null,"lastName":null,"email":null,"phone":null,
		"Industry":null,"registrationDate":null,"responses":null,"status":null,"joinUrl":null}`)
	ra := ev.RegistrantAdded
	if ra.WebinarCreatorKey != "" || ra.FirstName != "" || ra.Email != "" || ra.Industry != "" || ra.Status != "" || ra.JoinURL != "" {
		t.Errorf("null strings not empty: %+v", ra)
	}
	if !ra.RegistrationDate.IsZero() || !ev.Timestamp.IsZero() || ra.Responses != nil || ev.EventVersion != "" {
		t.Errorf("null time/responses not zero: %+v", ra)
	}

	w := mustDecode(t, webinarCreated(`"times":null,"startTime":null,"endTime":null,"recurrenceKey":null,"accountKey":null,"description":null`)).Webinar
	if w.Times != nil || !w.StartTime.IsZero() || !w.EndTime.IsZero() || w.RecurrenceKey != "" || w.AccountKey != "" {
		t.Errorf("null webinar fields not empty: %+v", w)
	}
	j := mustDecode(t, joined(`"sessionKey":null,"joinTime":null`)).RegistrantJoined
	if j.SessionKey != "" || !j.JoinTime.IsZero() {
		t.Errorf("null joined fields not empty: %+v", j)
	}
}

func TestDecodeEvent_KeepsUnknownEventWithOnlyEnvelopeAndRaw(t *testing.T) {
	t.Parallel()
	body := `{"eventName":"session.ended","eventVersion":"2.0.0","product":"g2w","eventKey":"ek-unknown","timestamp":"2024-03-20T16:00:00Z","webinarKey":{"nested":true},"anything":[1,2,3]}`
	ev := mustDecode(t, body)
	if ev.RegistrantAdded != nil || ev.RegistrantJoined != nil || ev.Webinar != nil {
		t.Fatalf("unknown event got a typed payload: %+v", ev)
	}
	want := gotowebinar.Envelope{EventName: "session.ended", EventVersion: "2.0.0", Product: "g2w", EventKey: "ek-unknown",
		Timestamp: gotowebinar.Time{Time: time.Date(2024, 3, 20, 16, 0, 0, 0, time.UTC)}}
	if ev.EventName != want.EventName || ev.EventVersion != want.EventVersion || ev.Product != want.Product || ev.EventKey != want.EventKey || !ev.Timestamp.Equal(want.Timestamp.Time) {
		t.Errorf("envelope = %+v, want %+v", ev.Envelope, want)
	}
	if string(ev.Raw) != body {
		t.Errorf("Raw = %s", ev.Raw)
	}
	if ev.WebinarKey() != "" {
		t.Errorf("WebinarKey() of unknown event = %q", ev.WebinarKey())
	}
}

// The DecodeEvent doc says it fails "only when the body is not a JSON object
// or a known event's fields have the wrong types", and the receiver contract
// says an unknown eventName is acknowledged and kept raw. An envelope field
// of an unexpected shape on an event we do not know must not lose it.
func TestDecodeEvent_KeepsUnknownEventWhoseEnvelopeHasOddTypes(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		`{"eventName":"webinar.deleted","eventVersion":2,"eventKey":"ek-odd-1"}`,
		`{"eventName":"webinar.deleted","eventKey":"ek-odd-2","timestamp":"Wed Mar 20 16:00:00 UTC 2024"}`,
		`{"eventName":"webinar.deleted","eventKey":"ek-odd-3","product":["g2w"]}`,
	} {
		t.Run(body, func(t *testing.T) {
			ev, err := gotowebinar.DecodeEvent([]byte(body))
			if err != nil {
				t.Fatalf("DecodeEvent = %v; want the unknown event kept with its Raw body", err)
			}
			if ev.EventName != "webinar.deleted" || string(ev.Raw) != body {
				t.Errorf("event = %+v", ev)
			}
		})
	}
}

func TestDecodeEvent_DerivesStableKeyWhenEventKeyIsMissing(t *testing.T) {
	t.Parallel()
	bodies := []string{
		`{"eventName":"registrant.added","webinarKey":1,"registrantKey":2,"email":"a@example.com"}`,
		`{"eventName":"registrant.added","eventKey":null,"webinarKey":1,"registrantKey":2,"email":"a@example.com"}`,
		`{"eventName":"registrant.added","eventKey":"","webinarKey":1,"registrantKey":2,"email":"a@example.com"}`,
		`{"eventName":"registrant.added","webinarKey":1,"registrantKey":3,"email":"a@example.com"}`,
		`{"eventName":"something.new","payload":1}`,
	}
	seen := map[gotowebinar.Key]string{}
	for _, body := range bodies {
		first := mustDecode(t, body).EventKey
		again := mustDecode(t, "\n  "+body+"\n").EventKey
		if first == "" {
			t.Errorf("%s: no derived eventKey", body)
		}
		if first != again {
			t.Errorf("%s: derived key not stable: %q then %q", body, first, again)
		}
		if other, dup := seen[first]; dup {
			t.Errorf("different bodies got the same derived key %q:\n%s\n%s", first, other, body)
		}
		seen[first] = body
	}
	// A key GoTo sent is never replaced.
	if got := mustDecode(t, added("")).EventKey; got != "ek" {
		t.Errorf("given eventKey replaced by %q", got)
	}
}

// A signed event GoTo sends in a shape we do not know is kept as received
// (GoTo never redelivers what we refuse) but applied to nothing.
func TestDecodeEvent_KeepsRawKnownEventWithoutItsKeys(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		`{"eventName":"registrant.added","eventKey":"ek","registrantKey":2}`,
		`{"eventName":"registrant.added","eventKey":"ek","webinarKey":1}`,
		`{"eventName":"registrant.added","eventKey":"ek","webinarKey":null,"registrantKey":2}`,
		`{"eventName":"registrant.added","eventKey":"ek","webinarKey":"","registrantKey":2}`,
		`{"eventName":"registrant.added","eventKey":"ek","webinarKey":"   ","registrantKey":2}`,
		`{"eventName":"registrant.joined","eventKey":"ek","registrantKey":2,"sessionKey":3}`,
		`{"eventName":"registrant.joined","eventKey":"ek","webinarKey":1,"sessionKey":3}`,
		`{"eventName":"webinar.created","eventKey":"ek","webinarTitle":"t"}`,
		`{"eventName":"webinar.changed","eventKey":"ek","webinarKey":null}`,
	} {
		t.Run(body, func(t *testing.T) { wantKeptRaw(t, body) })
	}
}

func TestDecodeEvent_KeepsRawFieldsOfUnexpectedTypes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, body string }{
		{"webinarKey an object", added(`"webinarKey":{"x":1}`)},
		{"webinarKey a fraction", added(`"webinarKey":1.5`)},
		{"webinarKey an exponent", added(`"webinarKey":1e21`)},
		{"webinarKey negative", added(`"webinarKey":-1`)},
		{"webinarKey a bool", added(`"webinarKey":true`)},
		{"webinarKey a list", added(`"webinarKey":[1]`)},
		{"registrantKey an object", joined(`"registrantKey":{"x":1}`)},
		{"sessionKey a fraction", joined(`"sessionKey":2.5`)},
		{"webinar webinarKey a fraction", webinarCreated(`"webinarKey":1.5`)},
		{"eventKey an object", added(`"eventKey":{"x":1}`)},
		{"firstName a number", added(`"firstName":5`)},
		{"email a list", added(`"email":["a@example.com"]`)},
		{"registrationDate a bool", added(`"registrationDate":true`)},
		{"registrationDate unreadable", added(`"registrationDate":"next tuesday"`)},
		{"joinTime an object", joined(`"joinTime":{"ms":1}`)},
		{"responses a number", added(`"responses":5`)},
		{"responses item a number", added(`"responses":[5]`)},
		{"responses question an object", added(`"responses":[[{"q":1},"SHORT_ANSWER",["a"]]]`)},
		{"times an object", webinarCreated(`"times":{"startTime":"2024-03-20T15:00:00Z"}`)},
		{"times a number", webinarCreated(`"times":5`)},
		{"times pair of bools", webinarCreated(`"times":[[true,false]]`)},
		{"status a number", webinarCreated(`"status":1`)},
	} {
		t.Run(tc.name, func(t *testing.T) { wantKeptRaw(t, tc.body) })
	}
}

func wantKeptRaw(t *testing.T, body string) {
	t.Helper()
	ev, err := gotowebinar.DecodeEvent([]byte(body))
	if err != nil {
		t.Fatalf("DecodeEvent(%s) = %v; want it kept raw", body, err)
	}
	if ev.RegistrantAdded != nil || ev.RegistrantJoined != nil || ev.Webinar != nil {
		t.Errorf("DecodeEvent(%s) applied a typed event", body)
	}
	if ev.Undecoded == "" || string(ev.Raw) != body || ev.EventKey == "" {
		t.Errorf("DecodeEvent(%s): Undecoded %q, Raw %q, key %q; want a reason, the body, a key", body, ev.Undecoded, ev.Raw, ev.EventKey)
	}
}

func TestDecodeEvent_RefusesBodiesThatAreNotJSONObjects(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, body string }{
		{"empty", ``},
		{"whitespace", " \n\t "},
		{"null", `null`},
		{"array", `[{"eventName":"registrant.added"}]`},
		{"string", `"registrant.added"`},
		{"number", `12345`},
		{"truncated object", `{"eventName":"registrant.added","webinarKey":1`},
		{"missing value", `{"eventName":}`},
		{"trailing garbage", `{"eventName":"x"} {}`},
		{"single quotes", `{'eventName':'x'}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev, err := gotowebinar.DecodeEvent([]byte(tc.body))
			if !errors.Is(err, gotowebinar.ErrMalformed) {
				t.Errorf("DecodeEvent(%s) = %+v, %v; want ErrMalformed", tc.body, ev, err)
			}
			if err != nil && ev != nil {
				t.Errorf("DecodeEvent returned an event with its error")
			}
		})
	}
}

func TestDecodeEvent_RawKeepsTheTrimmedBody(t *testing.T) {
	t.Parallel()
	body := sampleRegistrantAdded("ek-raw")
	in := []byte("\r\n \t" + body + "\n\n")
	ev := mustDecode(t, string(in))
	if string(ev.Raw) != body {
		t.Errorf("Raw = %q, want the body without surrounding whitespace", ev.Raw)
	}
	// Raw must not alias the caller's buffer, which the receiver may reuse.
	for i := range in {
		in[i] = 'x'
	}
	if string(ev.Raw) != body {
		t.Errorf("Raw aliases the input buffer")
	}
	if !json.Valid(ev.Raw) {
		t.Errorf("Raw is not valid JSON")
	}
}

func TestDecodeEvent_FieldNamesMatchCaseInsensitively(t *testing.T) {
	t.Parallel()
	ev := mustDecode(t, `{"EventName":"registrant.added","EVENTKEY":"ek","WebinarKey":1,"registrantkey":2,"FIRSTNAME":"Ada"}`)
	if ev.RegistrantAdded == nil || ev.RegistrantAdded.FirstName != "Ada" || ev.RegistrantAdded.RegistrantKey != "2" {
		t.Errorf("event = %+v", ev)
	}
}

func TestParseTime_ReadsEveryDocumentedForm(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want time.Time
		bad  bool
	}{
		{in: "2024-03-20T15:01:02Z", want: time.Date(2024, 3, 20, 15, 1, 2, 0, time.UTC)},
		{in: "2024-03-20T15:01:02.5Z", want: time.Date(2024, 3, 20, 15, 1, 2, 5e8, time.UTC)},
		{in: "2024-03-20T17:01:02+02:00", want: time.Date(2024, 3, 20, 15, 1, 2, 0, time.UTC)},
		{in: "2024-03-20T17:01:02.123+0200", want: time.Date(2024, 3, 20, 15, 1, 2, 123e6, time.UTC)},
		{in: "2024-03-20T15:01Z", want: time.Date(2024, 3, 20, 15, 1, 0, 0, time.UTC)},
		{in: "2024-03-20 15:01:02", want: time.Date(2024, 3, 20, 15, 1, 2, 0, time.UTC)},
		{in: "2024-03-20", want: time.Date(2024, 3, 20, 0, 0, 0, 0, time.UTC)},
		{in: "1710946862345", want: time.Date(2024, 3, 20, 15, 1, 2, 345e6, time.UTC)},
		{in: " 1710946862345 ", want: time.Date(2024, 3, 20, 15, 1, 2, 345e6, time.UTC)},
		{in: "", want: time.Time{}},
		{in: "yesterday", bad: true},
		{in: "2024-13-40T99:00:00Z", bad: true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := gotowebinar.ParseTime(tc.in)
			if tc.bad {
				if err == nil {
					t.Errorf("ParseTime(%q) = %v, want an error", tc.in, got)
				}
				return
			}
			if err != nil || !got.Equal(tc.want) {
				t.Errorf("ParseTime(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestEventNames_ListsTheFourEvents(t *testing.T) {
	t.Parallel()
	got := strings.Join(gotowebinar.EventNames(), ",")
	if got != "registrant.added,registrant.joined,webinar.created,webinar.changed" {
		t.Errorf("EventNames() = %s", got)
	}
}

func TestDecodeEvent_DoesNotRetainInputBufferForDerivedKey(t *testing.T) {
	t.Parallel()
	body := []byte(`{"eventName":"registrant.added","webinarKey":1,"registrantKey":2}`)
	ev := mustDecode(t, string(body))
	again := mustDecode(t, string(bytes.Clone(body)))
	if ev.EventKey != again.EventKey || !strings.HasPrefix(string(ev.EventKey), "sha256:") {
		t.Errorf("derived keys %q %q", ev.EventKey, again.EventKey)
	}
}

// GoTo's Unix-millisecond times are decoded into time.Time, which
// encoding/json refuses to encode outside years 0–9999. A time decoded
// beyond that range cannot be stored (the store fails with "Time.MarshalJSON:
// year outside of range [0,9999]" and the receiver answers 503, so GoTo
// retries a delivery that can never succeed). Decoding must either refuse
// such a time (ErrMalformed) or not yield it.
func TestDecodeEvent_NeverYieldsTimesOutsideYears0To9999(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		joined(`"joinTime":1e300`),
		joined(`"joinTime":99999999999999999999`),
		joined(`"joinTime":"253402300800000"`), // 10000-01-01 as a digit string
		joined(`"joinTime":253402300800000`),
		joined(`"timestamp":253402300800000`),
		added(`"registrationDate":"253402300800000"`),
		webinarCreated(`"startTime":-62167219200001`), // 1 ms before 0000-01-01
		webinarCreated(`"times":[[1,253402300800000]]`),
	} {
		t.Run(body, func(t *testing.T) {
			ev, err := gotowebinar.DecodeEvent([]byte(body))
			if err != nil {
				if !errors.Is(err, gotowebinar.ErrMalformed) {
					t.Errorf("error %v does not wrap ErrMalformed", err)
				}
				return
			}
			for name, tm := range eventTimes(ev) {
				if y := tm.Year(); y < 0 || y > 9999 {
					t.Errorf("%s decoded to %v (year %d): json cannot encode it, so the store refuses the event forever", name, tm, y)
				}
			}
		})
	}
}

// eventTimes lists every time of a decoded event by field name.
func eventTimes(ev *gotowebinar.Event) map[string]time.Time {
	out := map[string]time.Time{"timestamp": ev.Timestamp.Time}
	switch {
	case ev.RegistrantAdded != nil:
		out["registrationDate"] = ev.RegistrantAdded.RegistrationDate.Time
	case ev.RegistrantJoined != nil:
		out["joinTime"] = ev.RegistrantJoined.JoinTime.Time
	case ev.Webinar != nil:
		w := ev.Webinar
		out["startTime"], out["endTime"], out["webinarCreationDate"] = w.StartTime.Time, w.EndTime.Time, w.WebinarCreationDate.Time
		for i, tr := range w.Times {
			out[fmt.Sprintf("times[%d].startTime", i)] = tr.StartTime.Time
			out[fmt.Sprintf("times[%d].endTime", i)] = tr.EndTime.Time
		}
	}
	return out
}

// Answers that arrive in a shape we do not parse are kept as text: losing a
// registration over them would be worse.
func TestDecodeEvent_KeepsResponsesInUnexpectedShapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, field string
		want        gotowebinar.Response
	}{
		{"plain text", `"responses":"Favourite number? 7"`, gotowebinar.Response{Question: "Responses", Answers: []string{"Favourite number? 7"}}},
		{"one object", `"responses":{"question":"q","answer":"a"}`, gotowebinar.Response{Question: "q", Answers: []string{"a"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := `{"eventName":"registrant.added","eventKey":"ek","webinarKey":1,"registrantKey":2,` + tt.field + `}`
			ev, err := gotowebinar.DecodeEvent([]byte(body))
			if err != nil {
				t.Fatalf("DecodeEvent: %v", err)
			}
			got := ev.RegistrantAdded.Responses
			if len(got) != 1 || got[0].Question != tt.want.Question || got[0].Answer() != tt.want.Answer() {
				t.Errorf("responses = %+v, want [%+v]", got, tt.want)
			}
		})
	}
}

func TestDecodeEvent_KeepsUnknownEventWhoseNameIsNotText(t *testing.T) {
	t.Parallel()
	ev, err := gotowebinar.DecodeEvent([]byte(`{"eventName":5,"eventKey":"k"}`))
	if err != nil {
		t.Fatalf("DecodeEvent: %v", err)
	}
	if ev.RegistrantAdded != nil || ev.RegistrantJoined != nil || ev.Webinar != nil || ev.EventKey != "k" {
		t.Errorf("decoded %+v, want an unknown event with key k", ev.Envelope)
	}
}
