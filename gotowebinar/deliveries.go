package gotowebinar

import (
	"errors"
	"net/http"
	"sync"
	"time"
)

// Result is what became of one request to the webhook path.
type Result string

// The results a delivery can have.
const (
	Stored      Result = "stored"       // new, on disk
	Duplicate   Result = "duplicate"    // a redelivery of one on disk
	Refused     Result = "refused"      // 401: the signature check failed (Outcome.Check says which)
	TooLarge    Result = "too_large"    // 413
	Malformed   Result = "malformed"    // 400: signed, but not a JSON object
	StoreFailed Result = "store_failed" // 503: GoTo retries
	Cut         Result = "cut"          // the connection ended before the body was read
)

// KeptBodyBytes bounds the body an Outcome keeps of a delivery that was
// not stored: enough for any GoTo event, little for a flood.
const KeptBodyBytes = 64 << 10

// Outcome is one request to the webhook path and what became of it.
type Outcome struct {
	At           time.Time
	Result       Result
	Check        error // with Refused: the check that failed, one of the Err… of signature.go
	EventName    string
	EventKey     string
	Bytes        int
	Took         time.Duration
	Method       string
	RemoteAddr   string
	ForwardedFor string
	// Header is the request's headers, the signature's value shortened.
	Header http.Header
	// Body is what was read of a delivery that was not stored, up to
	// KeptBodyBytes, so it can be looked at and verified again; nil for a
	// stored one (the event keeps it).
	Body []byte
}

// shortHeader copies h with the signature's value shortened: enough to
// tell two apart, not enough to replay.
func shortHeader(h http.Header) http.Header {
	out := h.Clone()
	if sig := out.Get(HeaderSignature); len(sig) > 12 {
		out.Set(HeaderSignature, sig[:8]+"…")
	}
	return out
}

// Observer is told of every outcome, after the answer is decided. It must
// not block: deliveries wait for it.
type Observer interface {
	Observe(Outcome)
}

// failingAfter is how many deliveries in a row must fail the signature
// check, with none passing, before we say GoTo signs with a key we lack.
const failingAfter = 3

// recentKept bounds the outcomes Deliveries keeps in memory.
const recentKept = 256

// Deliveries keeps the latest outcomes in memory, for the status: counts
// over the last hour, the last refusal, and whether deliveries keep
// failing the signature with every key we know. Its zero value is ready.
type Deliveries struct {
	mu     sync.Mutex
	recent []Outcome // oldest first, at most recentKept
	streak int       // signature failures since the last verified delivery
}

// Observe records one outcome.
func (d *Deliveries) Observe(o Outcome) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.recent) == recentKept {
		d.recent = append(d.recent[:0], d.recent[1:]...)
	}
	d.recent = append(d.recent, o)
	switch {
	case o.Result == Refused && errors.Is(o.Check, ErrBadSignature):
		d.streak++
	case o.Result != Refused && o.Result != TooLarge:
		d.streak = 0 // it verified: our keys work
	}
}

// DeliverySummary is the deliveries as the status shows them.
type DeliverySummary struct {
	Stored, Duplicates, Refused, Failed int      // in the last hour; Failed: 400, 413 and 503
	LastRefusal                         *Outcome // the latest refused or failed one, nil when none is kept
	// SignatureFailing: the last few deliveries all failed the signature
	// check with every key we know, and none passed since: GoTo signs with
	// a key we do not have (another install renewed it, say).
	SignatureFailing bool
}

// Summary counts the outcomes of the hour before now.
func (d *Deliveries) Summary(now time.Time) DeliverySummary {
	d.mu.Lock()
	defer d.mu.Unlock()
	s := DeliverySummary{SignatureFailing: d.streak >= failingAfter}
	for i := len(d.recent) - 1; i >= 0; i-- {
		o := d.recent[i]
		if o.Result != Stored && o.Result != Duplicate && s.LastRefusal == nil {
			s.LastRefusal = &o
		}
		if now.Sub(o.At) > time.Hour {
			continue
		}
		switch o.Result {
		case Stored:
			s.Stored++
		case Duplicate:
			s.Duplicates++
		case Refused:
			s.Refused++
		default:
			s.Failed++
		}
	}
	return s
}
