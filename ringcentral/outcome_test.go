package ringcentral_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"webinarsync/ringcentral"
)

// Every request's outcome reaches the status: refusals are counted and the
// last one kept, deliveries with a token we do not know are counted in a
// row until one with ours arrives, and the counts cover the last hour (in
// virtual time).
func TestDeliveries_CountsTheLastHourAndARunOfWrongTokens(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		seen := &ringcentral.Deliveries{}
		rc := ringcentral.NewReceiver(func() []string { return []string{ourToken} }, newSink(), nil)
		rc.Observer = seen
		post := func(token, uuid string) {
			serve(rc, delivery(ringcentral.HeaderVerificationToken, token, registrantBody(uuid)))
		}
		handshake := httptest.NewRequest(http.MethodPost, ringcentral.WebhookPath, nil)
		handshake.Header.Set(ringcentral.HeaderValidationToken, handshakeToken)
		serve(rc, handshake)

		post(ourToken, "u1")
		post(ourToken, "u1") // a redelivery
		post("", "u2")       // a stranger without a token: says nothing about ours
		for i := range 3 {
			post("another-install's-token", fmt.Sprint("u-other-", i))
		}
		s := seen.Summary(time.Now())
		if s.Stored != 1 || s.Duplicates != 1 || s.Refused != 4 || s.Handshakes != 1 || s.RefusedInARow != 3 {
			t.Errorf("summary %+v: want 1 stored, 1 duplicate, 4 refused, 1 handshake, 3 in a row", s)
		}
		if s.LastRefusal == nil || !errors.Is(s.LastRefusal.Check, ringcentral.ErrWrongToken) || s.LastRefusal.UUID != "u-other-2" {
			t.Errorf("last refusal %+v, want the last wrong token", s.LastRefusal)
		}

		post(ourToken, "u3") // ours again (the subscription was re-made): the run ends
		if s := seen.Summary(time.Now()); s.RefusedInARow != 0 || s.Stored != 2 {
			t.Errorf("after a delivery with our token: %+v", s)
		}

		time.Sleep(61 * time.Minute)
		s = seen.Summary(time.Now())
		if s.Stored != 0 || s.Duplicates != 0 || s.Refused != 0 || s.Handshakes != 0 || s.LastRefusal == nil {
			t.Errorf("an hour on: %+v, want nothing counted and the last refusal still kept", s)
		}
	})
}

func TestDeliveries_KeepsTheLatest256(t *testing.T) {
	t.Parallel()
	d := &ringcentral.Deliveries{}
	now := time.Date(2026, 3, 10, 18, 0, 0, 0, time.UTC)
	for i := range 300 {
		d.Observe(ringcentral.Outcome{At: now, Result: ringcentral.Stored, UUID: fmt.Sprint(i)})
	}
	d.Observe(ringcentral.Outcome{At: now, Result: ringcentral.Malformed, UUID: "last"})
	s := d.Summary(now)
	if s.Stored != 255 || s.Failed != 1 || s.LastRefusal == nil || s.LastRefusal.UUID != "last" {
		t.Errorf("summary %+v, want the latest 256 only", s)
	}
}

// An erasure must not leave a person's details in the kept outcomes.
func TestDeliveries_ScrubBlanksTheBodyAndHeadersOfWhatItMatches(t *testing.T) {
	t.Parallel()
	d := &ringcentral.Deliveries{}
	now := time.Now()
	d.Observe(ringcentral.Outcome{At: now, Result: ringcentral.Refused, Check: ringcentral.ErrWrongToken, UUID: "a",
		Body: []byte(`{"email":"john.doe@example.com"}`), Header: http.Header{"X-A": {"1"}}})
	d.Observe(ringcentral.Outcome{At: now, Result: ringcentral.Refused, Check: ringcentral.ErrWrongToken, UUID: "b", Body: []byte(`{}`)})
	n := d.Scrub(func(o ringcentral.Outcome) bool { return strings.Contains(string(o.Body), "john.doe@example.com") })
	if n != 1 {
		t.Errorf("scrubbed %d, want 1", n)
	}
	s := d.Summary(now)
	if s.Refused != 2 || s.LastRefusal.UUID != "b" || s.LastRefusal.Body == nil {
		t.Errorf("summary %+v", s)
	}
	d.Scrub(func(ringcentral.Outcome) bool { return true })
	if s := d.Summary(now); s.LastRefusal.Body != nil || s.LastRefusal.Header != nil || s.Refused != 2 {
		t.Errorf("after scrubbing all: %+v", s)
	}
}

func TestCheckCode_RoundTripsEveryCheck(t *testing.T) {
	t.Parallel()
	for _, err := range []error{nil, ringcentral.ErrMissingToken, ringcentral.ErrWrongToken, ringcentral.ErrNoToken} {
		code := ringcentral.CheckCode(fmt.Errorf("context: %w", err))
		if err == nil {
			code = ringcentral.CheckCode(nil)
		}
		if back := ringcentral.CheckFromCode(code); back != err {
			t.Errorf("%v → %q → %v", err, code, back)
		}
	}
	if code := ringcentral.CheckCode(errors.New("something else")); code != "other" {
		t.Errorf("an unknown check → %q, want other", code)
	}
	if err := ringcentral.CheckFromCode("from_a_newer_version"); err == nil || !strings.Contains(err.Error(), "from_a_newer_version") {
		t.Errorf("an unknown code → %v", err)
	}
}

// The outcome keeps the request's headers for a look later, but neither a
// replayable token nor a stranger's megabyte of them.
func TestReceiver_KeepsBoundedHeadersWithTheTokensShortened(t *testing.T) {
	t.Parallel()
	rc, _, seen := newReceiver(t, newSink(), ourToken)
	r := delivery(ringcentral.HeaderVerificationToken, ourToken, registrantBody("uuid-headers"))
	r.Header.Set(ringcentral.HeaderValidationToken, "short")
	r.Header.Set("X-Huge", strings.Repeat("h", 1<<20))
	for i := range 200 {
		r.Header.Set(fmt.Sprintf("X-Many-%03d", i), strings.Repeat("m", 100))
	}
	serve(rc, r)
	out := seen.last(t)
	size := 0
	for name, values := range out.Header {
		for _, v := range values {
			size += len(name) + len(v)
		}
	}
	if size > 9<<10 {
		t.Errorf("kept %d bytes of headers, want about 8 KiB at most", size)
	}
	if v := out.Header.Get(ringcentral.HeaderVerificationToken); v != ourToken[:4]+"…" {
		t.Errorf("kept Verification-Token %q, want it shortened to %q", v, ourToken[:4]+"…")
	}
	if v := out.Header.Get(ringcentral.HeaderValidationToken); v != "…" {
		t.Errorf("kept a short Validation-Token as %q, want none of it", v)
	}
	if v := out.Header.Get("Content-Type"); v == "" {
		t.Errorf("Content-Type not kept: %v", out.Header)
	}
}
