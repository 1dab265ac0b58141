package ringcentral

import (
	"errors"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Result is what became of one request to the webhook path.
type Result string

// The results a request can have.
const (
	Stored      Result = "stored"       // new, on disk
	Duplicate   Result = "duplicate"    // a redelivery of one on disk
	Refused     Result = "refused"      // 401: the verification token check failed (Outcome.Check says which)
	TooLarge    Result = "too_large"    // 413
	Malformed   Result = "malformed"    // 400: a verified body that is not a JSON object
	StoreFailed Result = "store_failed" // 503: RingCentral retries
	Busy        Result = "busy"         // 503 with Retry-After: too many bodies in flight, or the store busy
	Cut         Result = "cut"          // the connection ended before the body was read
	Handshake   Result = "handshake"    // the Validation-Token handshake of a subscription being created or renewed
)

// The checks a delivery can fail, named in Outcome.Check.
var (
	ErrMissingToken = errors.New("no Verification-Token or Validation-Token header")
	ErrWrongToken   = errors.New("the verification token is not one of ours")
	ErrNoToken      = errors.New("no verification token is on file yet to check it with")
)

// KeptBodyBytes bounds the body an Outcome keeps of a request that was not
// stored: enough for any notification, little for a flood.
const KeptBodyBytes = 64 << 10

// Outcome is one request to the webhook path and what became of it.
type Outcome struct {
	At           time.Time
	Result       Result
	Check        error // with Refused: ErrMissingToken, ErrWrongToken or ErrNoToken
	Kind         Kind  // "" when the body was not read
	Event        string
	UUID         string
	Bytes        int
	Took         time.Duration
	Method       string
	RemoteAddr   string
	ForwardedFor string
	// Header is the request's headers, bounded, with the token values
	// shortened: enough to tell two apart, not enough to replay.
	Header http.Header
	// Body is what was read of a request that was not stored, up to
	// KeptBodyBytes, so it can be looked at; nil for a stored one (the
	// notification keeps it).
	Body []byte
}

// Bounds on the headers an Outcome keeps: a stranger may send a megabyte
// of them, and Deliveries keeps hundreds of outcomes.
const (
	keptHeaderValueBytes = 512
	keptHeaderBytes      = 8 << 10
)

// keptHeader copies h within keptHeaderBytes, each value cut to
// keptHeaderValueBytes and the two token headers shortened.
func keptHeader(h http.Header) http.Header {
	out := make(http.Header, len(h))
	total := 0
	for _, name := range slices.Sorted(maps.Keys(h)) { // sorted: the same headers are kept every time
		token := name == HeaderVerificationToken || name == HeaderValidationToken
		for _, v := range h[name] {
			switch {
			case token:
				v = shortToken(v)
			case len(v) > keptHeaderValueBytes:
				v = strings.ToValidUTF8(v[:keptHeaderValueBytes], "") + "…"
			}
			total += len(name) + len(v)
			if total > keptHeaderBytes {
				return out
			}
			out[name] = append(out[name], v)
		}
	}
	return out
}

// shortToken keeps the first 4 characters of a token of 16 or more, and
// none of a shorter one, whose few characters would give too much away.
func shortToken(v string) string {
	if len(v) < 16 {
		return "…"
	}
	return v[:4] + "…"
}

// namedCheck pairs a check with its name in a record on disk.
type namedCheck struct {
	code string
	err  error
}

// namedChecks lists every check a delivery can fail.
func namedChecks() [3]namedCheck {
	return [...]namedCheck{
		{"missing_token", ErrMissingToken},
		{"wrong_token", ErrWrongToken},
		{"no_token", ErrNoToken},
	}
}

// CheckCode names a failed check for a record on disk: "" for nil,
// "other" for an error not defined here.
func CheckCode(err error) string {
	if err == nil {
		return ""
	}
	for _, c := range namedChecks() {
		if errors.Is(err, c.err) {
			return c.code
		}
	}
	return "other"
}

// CheckFromCode is the inverse of CheckCode; an unknown code gives a plain
// error so that a record from a newer version still reads.
func CheckFromCode(code string) error {
	if code == "" {
		return nil
	}
	for _, c := range namedChecks() {
		if c.code == code {
			return c.err
		}
	}
	return errors.New("verification token check failed (" + code + ")")
}

// Observer is told of every outcome, after the answer is decided. It must
// not block: RingCentral waits for the answer, and gives up after 3 s.
type Observer interface {
	Observe(Outcome)
}

// recentKept bounds the outcomes Deliveries keeps in memory.
const recentKept = 256

// Deliveries keeps the latest outcomes in memory, for the status: counts
// over the last hour, the last refusal, and how many deliveries in a row
// carried a token we do not know. Its zero value is ready.
type Deliveries struct {
	mu     sync.Mutex
	recent []Outcome // oldest first, at most recentKept
	streak int       // wrong-token refusals since the last verified delivery
}

// Observe records one outcome.
func (d *Deliveries) Observe(o Outcome) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.recent) == recentKept {
		d.recent = append(d.recent[:0], d.recent[1:]...)
	}
	d.recent = append(d.recent, o)
	switch o.Result {
	case Refused:
		// A stranger without any token says nothing about ours.
		if errors.Is(o.Check, ErrWrongToken) || errors.Is(o.Check, ErrNoToken) {
			d.streak++
		}
	case Stored, Duplicate, Malformed, StoreFailed:
		d.streak = 0 // its token was ours
	}
}

// Scrub blanks what the outcomes match picks say about their notification
// (body, headers), keeping them for the counts: an erasure must not leave a
// person's details in the status's last refusal. It returns how many it
// scrubbed.
func (d *Deliveries) Scrub(match func(Outcome) bool) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := 0
	for i, o := range d.recent {
		if match(o) {
			d.recent[i].Body, d.recent[i].Header = nil, nil
			n++
		}
	}
	return n
}

// DeliverySummary is the deliveries as the status shows them.
type DeliverySummary struct {
	// In the last hour; Failed: 400, 413, 503 and cut.
	Stored, Duplicates, Refused, Failed, Handshakes int
	LastRefusal                                     *Outcome  // the latest refused or failed one, nil when none is kept
	LastDelivery                                    time.Time // the latest one stored or sent again, zero when none is kept
	// RefusedInARow counts deliveries refused for a token we do not know
	// (or with none on file) since the last one with ours: a few in a row
	// mean RingCentral delivers for a subscription whose token we lack
	// (another install made it, say).
	RefusedInARow int
}

// Summary counts the outcomes of the hour before now.
func (d *Deliveries) Summary(now time.Time) DeliverySummary {
	d.mu.Lock()
	defer d.mu.Unlock()
	s := DeliverySummary{RefusedInARow: d.streak}
	for i := len(d.recent) - 1; i >= 0; i-- {
		o := d.recent[i]
		failed := o.Result != Stored && o.Result != Duplicate && o.Result != Handshake
		if failed && s.LastRefusal == nil {
			s.LastRefusal = &o
		}
		if (o.Result == Stored || o.Result == Duplicate) && s.LastDelivery.IsZero() {
			s.LastDelivery = o.At
		}
		if now.Sub(o.At) > time.Hour {
			continue
		}
		switch o.Result {
		case Stored:
			s.Stored++
		case Duplicate:
			s.Duplicates++
		case Handshake:
			s.Handshakes++
		case Refused:
			s.Refused++
		default:
			s.Failed++
		}
	}
	return s
}
