package gotowebinar_test

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"webinarsync/gotowebinar"
)

// Every delivery's outcome reaches the status: a refused one is seen, not
// only logged, and deliveries that all fail the signature with every key
// we know say that GoTo signs with a key we lack.
func TestDeliveries_RefusalsAreCountedAndAStreakOfBadSignaturesIsNoticed(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	rcv, _ := newReceiver(t, st, "our-key")
	seen := &gotowebinar.Deliveries{}
	rcv.Observer = seen
	body := func(i int) string {
		return fmt.Sprintf(`{"eventName":"registrant.added","eventKey":"k-%d","webinarKey":1,"registrantKey":%d}`, i, i)
	}

	if rec := serve(rcv, signedRequest("our-key", body(1))); rec.Code != http.StatusOK {
		t.Fatalf("a good delivery: %d", rec.Code)
	}
	unsigned := signedRequest("our-key", body(2))
	unsigned.Header.Del(gotowebinar.HeaderSignature)
	serve(rcv, unsigned) // a stranger: not a sign of a changed key
	for i := 3; i < 6; i++ {
		serve(rcv, signedRequest("another-install's-key", body(i)))
	}
	s := seen.Summary(time.Now())
	if s.Stored != 1 || s.Refused != 4 || !s.SignatureFailing {
		t.Errorf("summary %+v: want 1 stored, 4 refused, signature failing", s)
	}
	if s.LastRefusal == nil || !errors.Is(s.LastRefusal.Check, gotowebinar.ErrBadSignature) || s.LastRefusal.Result != gotowebinar.Refused {
		t.Errorf("last refusal %+v, want the bad signature", s.LastRefusal)
	}
	// One that verifies again (the key was renewed) ends the streak.
	serve(rcv, signedRequest("our-key", body(6)))
	if s := seen.Summary(time.Now()); s.SignatureFailing || s.Stored != 2 {
		t.Errorf("after a good delivery: %+v", s)
	}
	// Two failures are not yet a pattern; outcomes older than an hour drop from the counts.
	serve(rcv, signedRequest("another-install's-key", body(7)))
	serve(rcv, signedRequest("another-install's-key", body(8)))
	if s := seen.Summary(time.Now().Add(2 * time.Hour)); s.SignatureFailing || s.Refused != 0 || s.LastRefusal == nil {
		t.Errorf("two hours on: %+v, want no alarm, nothing counted, the last refusal kept", s)
	}
}
