package gotowebinar

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
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
	Busy        Result = "busy"         // 503 with Retry-After: too many bodies in flight; GoTo retries
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
	Subject      string // who or what the event is about, in a person's words (Event.Subject)
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
	// Signature is the whole X-Webhook-Signature of a delivery that was
	// not stored: "Verify again" checks it, and its shape alone can tell
	// hex from base64. Empty for a stored one.
	Signature string
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

// Check codes name the Err… of signature.go in a record on disk.
var checkCodes = []struct {
	code string
	err  error
}{
	{"no_secret", ErrNoSecret},
	{"missing_signature", ErrMissingSig},
	{"missing_timestamp", ErrMissingSigTime},
	{"signature_format", ErrSignatureFormat},
	{"bad_signature", ErrBadSignature},
}

// CheckCode names a failed check for a record on disk: "" for nil, "other"
// for an error signature.go does not define.
func CheckCode(err error) string {
	if err == nil {
		return ""
	}
	for _, c := range checkCodes {
		if errors.Is(err, c.err) {
			return c.code
		}
	}
	return "other"
}

// CheckFromCode is the inverse of CheckCode; an unknown code gives a
// plain error so that a record from a newer version still reads.
func CheckFromCode(code string) error {
	if code == "" {
		return nil
	}
	for _, c := range checkCodes {
		if c.code == code {
			return c.err
		}
	}
	return errors.New("signature check failed (" + code + ")")
}

// LooksLikeGoTo reports whether a body is shaped like one of GoTo's events
// (a JSON object with eventName and eventKey), so a refused one is worth
// keeping for a second look.
func LooksLikeGoTo(body []byte) (eventName, eventKey string, ok bool) {
	var probe struct {
		EventName string          `json:"eventName"`
		EventKey  json.RawMessage `json:"eventKey"`
	}
	if json.Unmarshal(body, &probe) != nil || probe.EventName == "" || len(probe.EventKey) == 0 {
		return "", "", false
	}
	key := strings.Trim(string(probe.EventKey), `"`)
	if key == "" || key == "null" {
		return "", "", false
	}
	return probe.EventName, key, true
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
	case o.Result != Refused && o.Result != TooLarge && o.Result != Busy:
		d.streak = 0 // it verified: our keys work
	}
}

// Scrub blanks what the outcomes match picks say about their event (body,
// subject, headers, signature), keeping them for the counts: an erasure
// must not leave a person's name in the status's last refusal. It returns
// how many it scrubbed.
func (d *Deliveries) Scrub(match func(Outcome) bool) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := 0
	for i, o := range d.recent {
		if match(o) {
			d.recent[i].Body, d.recent[i].Subject, d.recent[i].Header, d.recent[i].Signature = nil, "", nil, ""
			n++
		}
	}
	return n
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
