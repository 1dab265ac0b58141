package gotowebinar_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"webinarsync/gotowebinar"
)

// keyFields are every key field of every event, as raw JSON, decoded with
// encoding/json's own field matching (case-insensitive, last duplicate
// wins) so they line up with what DecodeEvent saw.
type keyFields struct {
	EventKey          json.RawMessage `json:"eventKey"`
	WebinarKey        json.RawMessage `json:"webinarKey"`
	RegistrantKey     json.RawMessage `json:"registrantKey"`
	SessionKey        json.RawMessage `json:"sessionKey"`
	WebinarCreatorKey json.RawMessage `json:"webinarCreatorKey"`
	AccountKey        json.RawMessage `json:"accountKey"`
	OrganizerKey      json.RawMessage `json:"organizerKey"`
	RecurrenceKey     json.RawMessage `json:"recurrenceKey"`
}

// wantKey is the Key raw JSON must decode to: a bare number digit for digit,
// a string as its trimmed text, null or absence as "".
func wantKey(t *testing.T, name string, raw json.RawMessage) string {
	t.Helper()
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return ""
	case raw[0] == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			t.Fatalf("%s: re-decoding %s: %v", name, raw, err)
		}
		return strings.TrimSpace(s)
	}
	for _, c := range raw {
		if c < '0' || c > '9' {
			t.Errorf("%s: DecodeEvent accepted the bare %s, which is not all digits", name, raw)
			break
		}
	}
	return string(raw)
}

// keyText is the key a raw JSON value stands for, and whether it is one:
// a string, or a bare run of digits.
func keyText(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return "", true
	case raw[0] == '"':
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return "", false
		}
		return strings.TrimSpace(s), true
	}
	for _, c := range raw {
		if c < '0' || c > '9' {
			return "", false
		}
	}
	return string(raw), true
}

func checkKey(t *testing.T, name string, k gotowebinar.Key, raw json.RawMessage) {
	t.Helper()
	if want := wantKey(t, name, raw); string(k) != want {
		t.Errorf("%s = %q from %s, want %q", name, k, raw, want)
	}
}

func FuzzDecodeEvent(f *testing.F) {
	for _, s := range []string{
		sampleRegistrantAdded("a1b2c3d4-0000-4000-8000-000000000001"),
		sampleRegistrantJoined("a1b2c3d4-0000-4000-8000-000000000002"),
		sampleWebinarEvent(gotowebinar.EventWebinarCreated, "a1b2c3d4-0000-4000-8000-000000000003", "NEW"),
		sampleWebinarEvent(gotowebinar.EventWebinarChanged, "a1b2c3d4-0000-4000-8000-000000000004", "DELETED"),
		// The AsyncAPI's shapes: string keys, {question, answer}, Unix ms, time objects.
		`{"eventName":"registrant.added","eventKey":"e5","webinarKey":"12345678901234567890","registrantKey":"98765432109876543210","industry":"x","responses":[{"question":"q","answer":"a"}]}`,
		`{"eventName":"registrant.joined","eventKey":"e6","webinarKey":"12345678901234567890","registrantKey":"98765432109876543210","sessionKey":"1","joinTime":1710946862345}`,
		`{"eventName":"webinar.changed","eventKey":"e7","webinarKey":12345678901234567890,"times":[{"startTime":"2024-03-20T15:00:00+02:00","endTime":"2024-03-20T16:00:00.5Z","timeZone":"Europe/Paris"}]}`,
		// Odd ones.
		`{"eventName":"registrant.added","eventKey":"e8","webinarKey":1,"registrantKey":2,"responses":"[[\"q\",\"SHORT_ANSWER\",[\"a\"]]]"}`,
		`{"eventName":"registrant.joined","webinarKey":1,"registrantKey":2,"joinTime":"1710946862345"}`,
		`{"eventName":"session.ended","eventKey":"e9","anything":{"nested":[1,2,3]}}`,
		`{"eventName":"registrant.added","eventKey":null,"webinarKey":null,"registrantKey":2}`,
		`{"eventName":"registrant.added","webinarKey":1.5,"registrantKey":2}`,
		`{"eventName":"registrant.added","webinarKey":{"x":1},"registrantKey":2}`,
		`{"eventName":"registrant.added","WEBINARKEY":1,"webinarKey":"2","registrantKey":3}`,
		`{"eventName":"webinar.created","webinarKey":1,"times":[[null,1710946862345]]}`,
		`{}`,
		`[]`,
		`null`,
		"  \n{\"eventName\":\"x\"}\t ",
		`{"eventName":"registrant.added","webinarKey":100000000000000000000000000000,"registrantKey":999999999999999999999999999999}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, err := gotowebinar.DecodeEvent(body)
		if err != nil {
			if !errors.Is(err, gotowebinar.ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			if ev != nil {
				t.Fatalf("an event came back with error %v", err)
			}
			return
		}
		trimmed := bytes.TrimSpace(body)
		if !bytes.Equal(ev.Raw, trimmed) {
			t.Fatalf("Raw = %q, want the trimmed input %q", ev.Raw, trimmed)
		}
		if ev.EventKey == "" {
			t.Fatalf("decoded event has no eventKey")
		}
		var kf keyFields
		if err := json.Unmarshal(trimmed, &kf); err != nil {
			t.Fatalf("DecodeEvent accepted %q, which does not decode as an object: %v", trimmed, err)
		}
		// An eventKey that is no key (0.0, true, {}) cannot identify the
		// event; an unknown event is still kept, under a key derived from its
		// body (a known event with such a key fails its typed decoding).
		if want, ok := keyText(kf.EventKey); !ok || want == "" {
			if !strings.HasPrefix(string(ev.EventKey), "sha256:") {
				t.Errorf("eventKey %q: want one derived from the body for %s", ev.EventKey, kf.EventKey)
			}
		} else if string(ev.EventKey) != want {
			t.Errorf("eventKey = %q from %s, want %q", ev.EventKey, kf.EventKey, want)
		}

		typed := 0
		switch {
		case ev.RegistrantAdded != nil:
			typed++
			a := ev.RegistrantAdded
			checkKey(t, "webinarKey", a.WebinarKey, kf.WebinarKey)
			checkKey(t, "registrantKey", a.RegistrantKey, kf.RegistrantKey)
			checkKey(t, "webinarCreatorKey", a.WebinarCreatorKey, kf.WebinarCreatorKey)
			if a.WebinarKey == "" || a.RegistrantKey == "" {
				t.Errorf("registrant.added decoded without its keys")
			}
		case ev.RegistrantJoined != nil:
			typed++
			j := ev.RegistrantJoined
			checkKey(t, "webinarKey", j.WebinarKey, kf.WebinarKey)
			checkKey(t, "registrantKey", j.RegistrantKey, kf.RegistrantKey)
			checkKey(t, "sessionKey", j.SessionKey, kf.SessionKey)
			checkKey(t, "webinarCreatorKey", j.WebinarCreatorKey, kf.WebinarCreatorKey)
			if j.WebinarKey == "" || j.RegistrantKey == "" {
				t.Errorf("registrant.joined decoded without its keys")
			}
		case ev.Webinar != nil:
			typed++
			w := ev.Webinar
			checkKey(t, "webinarKey", w.WebinarKey, kf.WebinarKey)
			checkKey(t, "accountKey", w.AccountKey, kf.AccountKey)
			checkKey(t, "organizerKey", w.OrganizerKey, kf.OrganizerKey)
			checkKey(t, "recurrenceKey", w.RecurrenceKey, kf.RecurrenceKey)
			if w.WebinarKey == "" {
				t.Errorf("%s decoded without webinarKey", ev.EventName)
			}
		}
		known := false
		for _, name := range gotowebinar.EventNames() {
			known = known || ev.EventName == name
		}
		// A known event is applied (one typed payload) or kept raw with a
		// reason; an unknown one is never applied.
		if (typed == 1) != (known && ev.Undecoded == "") || typed > 1 {
			t.Errorf("eventName %q: %d typed payloads set (undecoded: %q)", ev.EventName, typed, ev.Undecoded)
		}
		if !known && ev.WebinarKey() != "" {
			t.Errorf("unknown event reports webinarKey %q", ev.WebinarKey())
		}
		// Decoding is a pure function of the trimmed body.
		again, err := gotowebinar.DecodeEvent(trimmed)
		if err != nil || again.EventKey != ev.EventKey {
			t.Errorf("re-decoding the trimmed body: %v, eventKey %q vs %q", err, again.EventKey, ev.EventKey)
		}
	})
}

func FuzzVerifySignature(f *testing.F) {
	f.Add([]byte(kaKey), kaTimestamp, []byte(kaBody), kaSignature, uint(0))
	f.Add([]byte("k"), "1", []byte{}, "", uint(3))
	f.Add([]byte("another-key"), "2024-03-20T15:01:02Z", []byte(sampleRegistrantAdded("e1")), "not base64!", uint(77))
	f.Add([]byte{0, 1, 2, 255}, "ts:with:colons", []byte("\x00\xff{}"), "AAAA", uint(1))
	f.Fuzz(func(t *testing.T, key []byte, ts string, body []byte, anySig string, pos uint) {
		keys := [][]byte{key}
		sig := gotowebinar.Sign(key, ts, body)

		// Whatever arrives, verification answers without panicking, and a
		// nil answer means the signature really is our MAC.
		if err := gotowebinar.VerifySignature(keys, ts, anySig, body); err == nil {
			got, decErr := base64.StdEncoding.DecodeString(anySig)
			want, _ := base64.StdEncoding.DecodeString(sig)
			if decErr != nil || !bytes.Equal(got, want) {
				t.Fatalf("signature %q verified but is not the MAC %q", anySig, sig)
			}
		}

		if ts == "" {
			if err := gotowebinar.VerifySignature(keys, ts, sig, body); !errors.Is(err, gotowebinar.ErrMissingSigTime) {
				t.Fatalf("no timestamp: %v", err)
			}
			return
		}
		if len(key) > 0 { // an empty key is no secret; see TestVerifySignature_RefusesSignatureMadeWithEmptyKey
			if err := gotowebinar.VerifySignature(keys, ts, sig, body); err != nil {
				t.Fatalf("correctly signed input refused: %v", err)
			}
			// Rotation: a second, unrelated key does not get in the way.
			if err := gotowebinar.VerifySignature([][]byte{append([]byte("x"), key...), key}, ts, sig, body); err != nil {
				t.Fatalf("correctly signed input refused beside another key: %v", err)
			}
		}
		if len(body) > 0 {
			tampered := bytes.Clone(body)
			i := int(pos % uint(len(body)))
			tampered[i] ^= byte(1 + pos%255)
			if err := gotowebinar.VerifySignature(keys, ts, sig, tampered); err == nil {
				t.Fatalf("body byte %d flipped: verified, want a refusal", i)
			}
		}
		tamperedTS := []byte(ts)
		i := int(pos % uint(len(tamperedTS)))
		tamperedTS[i] ^= byte(1 + pos%255)
		if err := gotowebinar.VerifySignature(keys, string(tamperedTS), sig, body); err == nil {
			t.Fatalf("timestamp byte %d flipped: verified, want a refusal", i)
		}
	})
}
