package ringcentral_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"webinarsync/ringcentral"
)

// FuzzDecodeNotification: whatever the body, decoding never panics; a JSON
// object is always kept (Raw the input byte for byte, a uuid to de-duplicate
// by, the same on a second decoding); anything else is ErrMalformed; ids
// stay within what the database can index; a body not read leaves no ids.
func FuzzDecodeNotification(f *testing.F) {
	for _, seed := range []string{
		registrantBody("ed1cf00c-0420-4bf5-a0ae-e659cc9f77e0"),
		envelope("u", "/webinar/runtime/v1/company/sessions/state", `{"id":987654321,"status":"Active","runtimeStatus":"Live"}`),
		envelope("u", "/webinar/configuration/v1/company/sessions?webinarId=1", `{"session":{"id":"1"},"webinar":{"id":2}}`),
		envelope("u", "/webinar/registration/v1/company/sessions/state", `{"id":"1","registrationStatus":"Open"}`),
		`{"event":"/webinar/registration/v1/company/sessions/registrants","timestamp":1773166072534,"body":{"registrantId":1,"sessionId":2}}`,
		`{"uuid":null,"event":{"a":1},"timestamp":"x","body":[1]}`,
		`{"uuid":"u","event":"/webinar/configuration/v1/company/sessions","body":{"id":1e400}}`,
		`{"UUID":"u","Event":"/WEBINAR/configuration/v1/company/sessions/","Body":{"ID":"1"}}`,
		" {} ", `{}`, `[]`, `"x"`, ``, `{"a":`, "\xc2\x85{}", `{"body":{"id":"` + strings.Repeat("9", 200) + `"}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		n, err := ringcentral.DecodeNotification(body)
		trimmed := bytes.Trim(body, " \t\r\n")
		isObject := len(trimmed) > 0 && trimmed[0] == '{' && json.Valid(trimmed)
		if !isObject {
			if err == nil || !errors.Is(err, ringcentral.ErrMalformed) || n != nil {
				t.Fatalf("not a JSON object: got %v, %v; want ErrMalformed", n, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("a JSON object was refused: %v", err)
		}
		if !bytes.Equal(n.Raw, body) {
			t.Fatalf("Raw %q is not the input %q", n.Raw, body)
		}
		if n.UUID == "" || len(n.UUID) > 128 {
			t.Fatalf("uuid %q: want one, at most 128 characters", n.UUID)
		}
		for name, id := range map[string]string{"webinar": n.WebinarID, "session": n.SessionID, "registrant": n.RegistrantID,
			"subscription": n.SubscriptionID, "owner": n.OwnerID} {
			if len(id) > 128 {
				t.Fatalf("%s id of %d characters", name, len(id))
			}
		}
		if n.Undecoded != "" && (n.WebinarID != "" || n.SessionID != "" || n.RegistrantID != "" || n.SessionStatus != "") {
			t.Fatalf("ids kept from a body not read (%s): %+v", n.Undecoded, n)
		}
		if n.Undecoded == "" && (n.Kind == ringcentral.KindUnknown || n.SessionID == "") {
			t.Fatalf("read in full without a known kind and a session: %+v", n)
		}
		switch n.SessionStatus {
		case "", "Scheduled", "Active", "Finished":
		default:
			t.Fatalf("session status %q", n.SessionStatus)
		}
		if y := n.Timestamp.Year(); !n.Timestamp.IsZero() && (y < 1 || y > 9999) {
			t.Fatalf("timestamp %v outside years 1 to 9999", n.Timestamp)
		}
		if again, _ := ringcentral.DecodeNotification(body); again.UUID != n.UUID {
			t.Fatalf("decoded twice: uuid %q then %q", n.UUID, again.UUID)
		}
	})
}
