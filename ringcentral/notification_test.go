package ringcentral_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"webinarsync/ringcentral"
)

// envelope wraps a body in RingCentral's documented envelope.
func envelope(uuid, event, body string) string {
	return `{"uuid":"` + uuid + `","event":"` + event + `","timestamp":"2026-03-10T18:07:52.534Z",` +
		`"subscriptionId":"95fecfc9-9cdc-4e94-a78a-89fd65889d37","ownerId":"256440016","body":` + body + `}`
}

func decode(t *testing.T, body string) *ringcentral.Notification {
	t.Helper()
	n, err := ringcentral.DecodeNotification([]byte(body))
	if err != nil {
		t.Fatalf("DecodeNotification(%.80s): %v", body, err)
	}
	return n
}

func TestKindOf_MatchesTheFilterPathIgnoringItsQuery(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		event string
		want  ringcentral.Kind
	}{
		{"/webinar/configuration/v1/company/sessions", ringcentral.KindSessions},
		{"/webinar/configuration/v1/company/sessions?webinarId=123456789", ringcentral.KindSessions},
		{"/webinar/configuration/v1/company/sessions/987654321", ringcentral.KindSessions},
		{"/webinar/configuration/v1/company/sessions?next=https://example.com/x", ringcentral.KindSessions},
		{"/webinar/runtime/v1/company/sessions/state", ringcentral.KindSessionState},
		{"/webinar/runtime/v1/company/sessions/state?hostUserId=7&webinarId=1", ringcentral.KindSessionState},
		{"/webinar/registration/v1/company/sessions/state", ringcentral.KindRegistrationState},
		{"/webinar/registration/v1/company/sessions/state/", ringcentral.KindRegistrationState},
		{"/webinar/registration/v1/company/sessions/registrants?webinarId=123456789", ringcentral.KindRegistrants},
		{"https://platform.ringcentral.com/webinar/registration/v1/company/sessions/registrants", ringcentral.KindRegistrants},
		{"/Webinar/Registration/v1/company/sessions/Registrants", ringcentral.KindRegistrants},
		// Not a segment boundary, another service, nothing at all.
		{"/webinar/configuration/v1/company/sessionsX", ringcentral.KindUnknown},
		{"/webinar/registration/v1/company/sessions", ringcentral.KindUnknown},
		{"/restapi/v1.0/account/~/extension/~/message-store", ringcentral.KindUnknown},
		{"", ringcentral.KindUnknown},
	} {
		if got := ringcentral.KindOf(tc.event); got != tc.want {
			t.Errorf("KindOf(%q) = %q, want %q", tc.event, got, tc.want)
		}
	}
	for _, k := range ringcentral.Kinds() {
		if got := ringcentral.KindOf(k.Filter()); got != k {
			t.Errorf("KindOf(%q.Filter()) = %q", k, got)
		}
	}
}

func TestDecodeNotification_ReadsTheEnvelopeAndTheIdsOfEachKind(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, event, body                           string
		kind                                        ringcentral.Kind
		webinar, session, registrant, sessionStatus string
	}{
		{"session configured", "/webinar/configuration/v1/company/sessions",
			`{"eventType":"Updated","id":"987654321","webinarId":"123456789","webinar":{"id":"123456789"},"status":"Scheduled"}`,
			ringcentral.KindSessions, "123456789", "987654321", "", "Scheduled"},
		{"session went live", "/webinar/runtime/v1/company/sessions/state?webinarId=123456789",
			`{"id":"987654321","webinarId":"123456789","status":"Active","runtimeStatus":"Live","endTime":null}`,
			ringcentral.KindSessionState, "123456789", "987654321", "", "Active"},
		{"registration closed", "/webinar/registration/v1/company/sessions/state",
			`{"id":"987654321","registrationStatus":"Closed","registrantCount":10}`,
			ringcentral.KindRegistrationState, "", "987654321", "", ""},
		{"registrant created", "/webinar/registration/v1/company/sessions/registrants",
			`{"eventType":"Created","sessionId":"987654321","webinarId":"123456789","id":"555000111","email":"john.doe@example.com"}`,
			ringcentral.KindRegistrants, "123456789", "987654321", "555000111", ""},
		{"ids as numbers", "/webinar/registration/v1/company/sessions/registrants",
			`{"sessionId":987654321,"webinarId":12345678901234567890123,"id":555000111}`,
			ringcentral.KindRegistrants, "12345678901234567890123", "987654321", "555000111", ""},
		{"ids in nested objects", "/webinar/configuration/v1/company/sessions",
			`{"session":{"id":"987654321","status":"finished"},"webinar":{"id":123456789,"title":"All-Hands"}}`,
			ringcentral.KindSessions, "123456789", "987654321", "", "Finished"},
		{"registrant under its own names", "/webinar/registration/v1/company/sessions/registrants",
			`{"registrantId":"555000111","session":{"id":"987654321","status":"Active"},"id":"ignored"}`,
			ringcentral.KindRegistrants, "", "987654321", "555000111", "Active"},
		{"a nested place of another shape is not a place", "/webinar/runtime/v1/company/sessions/state",
			`{"id":"987654321","webinar":"All-Hands","session":[1],"status":"Idle"}`,
			ringcentral.KindSessionState, "", "987654321", "", ""},
		{"text ids are trimmed", "/webinar/runtime/v1/company/sessions/state",
			`{"sessionId":"  987654321 ","id":"other"}`,
			ringcentral.KindSessionState, "", "987654321", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			raw := envelope("ed1cf00c-0420-4bf5-a0ae-e659cc9f77e0", tc.event, tc.body)
			n := decode(t, raw)
			if n.Undecoded != "" {
				t.Fatalf("Undecoded = %q, want it read in full", n.Undecoded)
			}
			if n.UUID != "ed1cf00c-0420-4bf5-a0ae-e659cc9f77e0" || n.Event != tc.event || n.Kind != tc.kind ||
				n.SubscriptionID != "95fecfc9-9cdc-4e94-a78a-89fd65889d37" || n.OwnerID != "256440016" ||
				!n.Timestamp.Equal(time.Date(2026, 3, 10, 18, 7, 52, 534e6, time.UTC)) {
				t.Errorf("envelope = %+v", n)
			}
			if n.WebinarID != tc.webinar || n.SessionID != tc.session || n.RegistrantID != tc.registrant || n.SessionStatus != tc.sessionStatus {
				t.Errorf("webinar %q session %q registrant %q status %q; want %q %q %q %q",
					n.WebinarID, n.SessionID, n.RegistrantID, n.SessionStatus, tc.webinar, tc.session, tc.registrant, tc.sessionStatus)
			}
			if string(n.Raw) != raw {
				t.Errorf("Raw is not the body byte for byte")
			}
		})
	}
}

func TestDecodeNotification_ReadsTimestampsAsISOTextOrUnixMillis(t *testing.T) {
	t.Parallel()
	want := time.Date(2026, 3, 10, 18, 7, 52, 534e6, time.UTC)
	for _, tc := range []struct {
		raw  string
		want time.Time
	}{
		{`"2026-03-10T18:07:52.534Z"`, want},
		{`"2026-03-10T19:07:52.534+01:00"`, want},
		{`"2026-03-10T19:07:52.534+0100"`, want},
		{`"2026-03-10T18:07:52.534"`, want}, // no zone: UTC
		{`1773166072534`, want},
		{`1773166072534.9`, want},
		{`"1773166072534"`, want},
		{`"2026-03-10T18:07:52Z"`, want.Truncate(time.Second)},
		// Unreadable or beyond year 9999: left zero, the notification kept.
		{`"last Tuesday"`, time.Time{}},
		{`253402300800000`, time.Time{}},
		{`99999999999999999999999`, time.Time{}},
		{`-5`, time.Time{}},
		{`{"ms":1}`, time.Time{}},
		{`true`, time.Time{}},
		{`null`, time.Time{}},
	} {
		n := decode(t, `{"uuid":"u","event":"/webinar/runtime/v1/company/sessions/state","timestamp":`+tc.raw+`,"body":{"id":"1"}}`)
		if !n.Timestamp.Equal(tc.want) {
			t.Errorf("timestamp %s = %v, want %v", tc.raw, n.Timestamp, tc.want)
		}
		if n.Undecoded != "" {
			t.Errorf("timestamp %s: Undecoded %q; an odd timestamp must not stop the body being read", tc.raw, n.Undecoded)
		}
	}
}

// An unknown event, or a body we cannot read, is kept: the envelope and the
// raw body, with Undecoded saying why, and none of the body's ids.
func TestDecodeNotification_KeepsWhatItCannotReadRawAndSaysWhy(t *testing.T) {
	t.Parallel()
	const sessions = "/webinar/configuration/v1/company/sessions"
	const registrants = "/webinar/registration/v1/company/sessions/registrants"
	for _, tc := range []struct {
		name, raw, why string
		kind           ringcentral.Kind
	}{
		{"unknown event", envelope("u1", "/webinar/configuration/v1/company/webinars", `{"id":"1","webinarId":"2"}`),
			"not one of the four webinar filters", ringcentral.KindUnknown},
		{"no event", `{"uuid":"u1","body":{"id":"1"}}`, "no event filter", ringcentral.KindUnknown},
		{"event of another type", `{"uuid":"u1","event":{"path":"x"},"body":{"id":"1"}}`, "no event filter", ringcentral.KindUnknown},
		{"no body", `{"uuid":"u1","event":"` + sessions + `"}`, "no body", ringcentral.KindSessions},
		{"body a list", envelope("u1", sessions, `[{"id":"1"}]`), "not a JSON object", ringcentral.KindSessions},
		{"no session id", envelope("u1", sessions, `{"webinarId":"2","title":"x"}`), "no session id", ringcentral.KindSessions},
		{"registrant without its session", envelope("u1", registrants, `{"id":"3","webinarId":"2"}`), "no session id", ringcentral.KindRegistrants},
		{"registrant without an id", envelope("u1", registrants, `{"sessionId":"1","webinarId":"2"}`), "no registrant id", ringcentral.KindRegistrants},
		{"id an object", envelope("u1", sessions, `{"sessionId":{"value":1},"id":"1"}`), "sessionId", ringcentral.KindSessions},
		{"id a fraction", envelope("u1", sessions, `{"id":1.5}`), "id", ringcentral.KindSessions},
		{"id a boolean", envelope("u1", registrants, `{"id":"3","sessionId":true}`), "sessionId", ringcentral.KindRegistrants},
		{"webinar id too long", envelope("u1", sessions, `{"id":"1","webinarId":"`+strings.Repeat("7", 129)+`"}`), "longer than 128", ringcentral.KindSessions},
		{"a 40,000-digit id", envelope("u1", sessions, `{"id":`+strings.Repeat("7", 40000)+`}`), "longer than 128", ringcentral.KindSessions},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			n := decode(t, tc.raw)
			if !strings.Contains(n.Undecoded, tc.why) {
				t.Errorf("Undecoded = %q, want it to say %q", n.Undecoded, tc.why)
			}
			if n.Kind != tc.kind || n.UUID != "u1" || string(n.Raw) != tc.raw {
				t.Errorf("kind %q uuid %q, raw kept %v; want %q, u1, true", n.Kind, n.UUID, string(n.Raw) == tc.raw, tc.kind)
			}
			if n.WebinarID != "" || n.SessionID != "" || n.RegistrantID != "" || n.SessionStatus != "" {
				t.Errorf("ids of a body not read: %+v", n)
			}
		})
	}
}

func TestDecodeNotification_RefusesOnlyWhatIsNotAJSONObject(t *testing.T) {
	t.Parallel()
	for _, body := range []string{``, `   `, `[1,2]`, `"text"`, `null`, `{"uuid":"u",`, `{"a":1}}`, "\u00a0{}"} {
		n, err := ringcentral.DecodeNotification([]byte(body))
		if !errors.Is(err, ringcentral.ErrMalformed) || n != nil {
			t.Errorf("DecodeNotification(%q) = %v, %v; want ErrMalformed", body, n, err)
		}
	}
	n := decode(t, " \r\n{}\t")
	if string(n.Raw) != " \r\n{}\t" || n.Kind != ringcentral.KindUnknown {
		t.Errorf("an empty object with JSON whitespace = %+v, want kept byte for byte", n)
	}
}

// RingCentral documents a uuid on every notification; one without gets a
// uuid from its body, the same on every redelivery, so it is stored once.
func TestDecodeNotification_DerivesAStableUUIDWhenThereIsNone(t *testing.T) {
	t.Parallel()
	body := `{"event":"/webinar/runtime/v1/company/sessions/state","body":{"id":"1","status":"Finished"}}`
	a, b := decode(t, body), decode(t, body)
	if !strings.HasPrefix(a.UUID, "sha256:") || a.UUID != b.UUID {
		t.Errorf("derived uuids %q and %q, want the same sha256: one", a.UUID, b.UUID)
	}
	if padded := decode(t, "\n"+body+"\n"); padded.UUID != a.UUID {
		t.Errorf("the same body with a trailing newline got uuid %q, want %q", padded.UUID, a.UUID)
	}
	other := decode(t, strings.Replace(body, `"1"`, `"2"`, 1))
	if other.UUID == a.UUID {
		t.Errorf("two different bodies share the derived uuid %q", a.UUID)
	}
	for _, uuid := range []string{`""`, `null`, `"` + strings.Repeat("u", 129) + `"`, `{"id":1}`} {
		n := decode(t, `{"uuid":`+uuid+`,"event":"x"}`)
		if !strings.HasPrefix(n.UUID, "sha256:") {
			t.Errorf("uuid %.20s gave %q, want one derived from the body", uuid, n.UUID)
		}
	}
	if n := decode(t, `{"uuid":12345,"event":"x"}`); n.UUID != "12345" {
		t.Errorf("a numeric uuid gave %q, want its digits", n.UUID)
	}
}
