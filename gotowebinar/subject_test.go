package gotowebinar_test

import (
	"testing"

	"webinarsync/gotowebinar"
)

func TestEvent_SubjectNamesThePersonOrTheWebinar(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ body, want string }{
		{`{"eventName":"registrant.added","eventKey":"a","webinarKey":1,"registrantKey":2,"firstName":"Ada","lastName":"Lovelace","email":"ada@example.com"}`, "Ada Lovelace <ada@example.com>"},
		{`{"eventName":"registrant.joined","eventKey":"b","webinarKey":1,"registrantKey":2,"email":"zoe@example.se"}`, "zoe@example.se"},
		{`{"eventName":"webinar.created","eventKey":"c","webinarKey":1,"webinarTitle":"Q3 update"}`, "Q3 update"},
		{`{"eventName":"survey.submitted","eventKey":"d"}`, ""},
	} {
		ev, err := gotowebinar.DecodeEvent([]byte(tc.body))
		if err != nil {
			t.Fatalf("DecodeEvent(%s): %v", tc.body, err)
		}
		if got := ev.Subject(); got != tc.want {
			t.Errorf("Subject of %s = %q, want %q", tc.body, got, tc.want)
		}
	}
}
