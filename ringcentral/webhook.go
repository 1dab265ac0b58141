package ringcentral

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"webinarsync/gotowebinar"

	"webinarsync/internal/bodyread"
)

// WebhookPath is where RingCentral delivers notifications on the webhook listener.
const WebhookPath = "/webhooks/ringcentral"

// The headers RingCentral sends. Validation-Token carries the handshake;
// a delivery carries our verification token in Verification-Token (spec,
// older guide) or Validation-Token (current guide), so both are accepted.
const (
	HeaderValidationToken   = "Validation-Token"
	HeaderVerificationToken = "Verification-Token"
)

// HeaderResult on a 200 says what became of the delivery: "stored" (new,
// on disk) or "duplicate" (stored before).
const HeaderResult = "X-Webinarsync-Result"

// MaxBodyBytes bounds a delivery body: RingCentral's notifications are a
// few KiB, so this is ample for them and little for a stranger.
const MaxBodyBytes = 256 << 10

// DefaultBodyBudget is how many body bytes all deliveries in flight may
// hold together when Receiver.BodyBudget is not set.
const DefaultBodyBudget = bodyread.DefaultBudget

// busyRetryAfter is the Retry-After, in seconds, of a 503 for a moment's busyness.
const busyRetryAfter = "5"

// Sink stores verified deliveries. PutNotification must return only once
// the notification is durable; stored is false for a redelivery (same
// UUID) it already had.
type Sink interface {
	PutNotification(ctx context.Context, d *Delivery) (stored bool, err error)
}

// ErrSinkBusy is what a Sink's error wraps when it cannot take deliveries
// for a moment: the delivery gets 503 with Retry-After. It is GoTo's, so
// the store's one busy error serves both providers.
var ErrSinkBusy = gotowebinar.ErrSinkBusy

// Receiver is the http.Handler for RingCentral's webhook path: it answers
// the validation handshake, checks each delivery's verification token and
// acknowledges a notification only after the Sink has committed it, so
// RingCentral retries anything we did not keep.
type Receiver struct {
	tokens func() []string
	sink   Sink
	log    *slog.Logger
	now    func() time.Time

	// Observer, when set before serving, is told what became of every
	// request, so a refused one is seen, not only logged.
	Observer Observer

	// BodyBudget, when set before serving, bounds the body bytes all
	// deliveries being read or handled may hold together (0:
	// DefaultBodyBudget; never less than MaxBodyBytes). A delivery that
	// finds it spent gets 503 with Retry-After, so a crowd of strangers
	// costs at most this much memory.
	BodyBudget int64
	inFlight   atomic.Int64 // body bytes reserved now
}

// NewReceiver builds a Receiver. tokens returns every verification token
// currently valid, newest first; it is called per delivery, so a rotation
// applies at once.
func NewReceiver(tokens func() []string, sink Sink, log *slog.Logger) *Receiver {
	if log == nil {
		log = slog.Default()
	}
	return &Receiver{tokens: tokens, sink: sink, log: log, now: time.Now}
}

// WebhookHandler serves the webhook path and nothing else: it is what the
// tunnel exposes to the internet, so every other path is a 404.
func WebhookHandler(rc *Receiver) http.Handler {
	mux := http.NewServeMux()
	mux.Handle(WebhookPath, rc)
	return mux
}

// ServeHTTP answers the validation handshake, GET as a readiness check,
// and stores verified POSTs.
func (rc *Receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	validation := r.Header.Get(HeaderValidationToken)
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		if validation != "" {
			rc.handshake(w, r, validation)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "webinarsync is ready to receive RingCentral Webinar events\n")
	case http.MethodPost:
		if validation != "" && r.ContentLength == 0 {
			// Answered before anything else: RingCentral gives up after
			// 3 s, and needs neither our tokens nor the store for it.
			rc.handshake(w, r, validation)
			return
		}
		rc.receive(w, r)
	default:
		// Internet-facing: say no more than for any other path.
		http.NotFound(w, r)
	}
}

// handshake answers a Validation-Token request and records it.
func (rc *Receiver) handshake(w http.ResponseWriter, r *http.Request, token string) {
	at := rc.now()
	answerHandshake(w, token)
	if rc.Observer != nil {
		rc.Observer.Observe(Outcome{At: at, Result: Handshake, Took: rc.now().Sub(at), Method: r.Method,
			RemoteAddr: r.RemoteAddr, ForwardedFor: r.Header.Get("X-Forwarded-For"), Header: keptHeader(r.Header)})
	}
}

// answerHandshake echoes the token with 200 and an empty JSON-typed body:
// the whole answer must stay under 1 KiB, and the guide asks for the
// content type to avoid SUB-525.
func answerHandshake(w http.ResponseWriter, token string) {
	w.Header().Set(HeaderValidationToken, token)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
}

// receive handles a POST that is not a bodiless handshake.
func (rc *Receiver) receive(w http.ResponseWriter, r *http.Request) {
	received := rc.now()
	// Built only when something is logged: a stored delivery logs nothing
	// at the default level, and With per delivery costs (GoTo's issue 15).
	log := func() *slog.Logger {
		return rc.log.With("provider", "ringcentral", "remote", r.RemoteAddr, "forwardedFor", r.Header.Get("X-Forwarded-For"))
	}
	out := Outcome{At: received, Method: r.Method, RemoteAddr: r.RemoteAddr, ForwardedFor: r.Header.Get("X-Forwarded-For")}
	var body []byte
	defer func() { rc.observe(&out, r, body, received) }()

	verification, validation := r.Header.Get(HeaderVerificationToken), r.Header.Get(HeaderValidationToken)
	// Refuse what cannot be genuine before reading a byte of its body.
	if verification == "" && validation == "" {
		out.Result, out.Check = Refused, ErrMissingToken
		log().Warn("ringcentral webhook refused: verification token check failed", "reason", ErrMissingToken.Error(), "contentLength", r.ContentLength)
		bodyread.Refuse(w, "verification token check failed: "+ErrMissingToken.Error(), http.StatusUnauthorized)
		return
	}
	if r.ContentLength > MaxBodyBytes {
		out.Result = TooLarge
		log().Warn("ringcentral webhook refused: body too large", "limitBytes", MaxBodyBytes, "contentLength", r.ContentLength)
		bodyread.Refuse(w, fmt.Sprintf("body larger than %d bytes", MaxBodyBytes), http.StatusRequestEntityTooLarge)
		return
	}
	body, reserved, err := rc.readBody(w, r)
	defer rc.inFlight.Add(-reserved)
	out.Bytes = len(body)
	if err != nil {
		rc.readFailed(w, r, err, &out, log)
		return
	}
	if len(body) == 0 && validation != "" {
		out.Result = Handshake // a handshake with a body of unknown length that turned out empty
		answerHandshake(w, validation)
		return
	}
	if err := rc.checkToken(verification, validation); err != nil {
		out.Result, out.Check = Refused, err
		if claimed, derr := DecodeNotification(body); derr == nil {
			out.Kind, out.Event, out.UUID = claimed.Kind, claimed.Event, claimed.UUID // what it claims to be, for the deliveries page
		}
		log().Warn("ringcentral webhook refused: verification token check failed", "reason", err.Error(), "bytes", len(body))
		// One answer for every failed check: a stranger learns nothing of
		// whether a token is on file (the record says which check failed).
		http.Error(w, "verification token check failed", http.StatusUnauthorized)
		return
	}
	n, err := DecodeNotification(body)
	if err != nil {
		out.Result = Malformed
		log().Warn("ringcentral webhook refused: verified but malformed", "err", err, "bytes", len(body))
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	out.Kind, out.Event, out.UUID = n.Kind, n.Event, n.UUID
	if n.Undecoded != "" {
		log().Warn("ringcentral webhook kept raw only: not in a shape we read", "uuid", n.UUID, "why", n.Undecoded)
	}
	d := &Delivery{Notification: *n, ReceivedAt: received, ForwardedFor: r.Header.Get("X-Forwarded-For")}
	out.Result = rc.store(w, r, d, log)
}

// observe tells the Observer what became of a delivery, keeping a copy of
// the body of one that was not stored.
func (rc *Receiver) observe(out *Outcome, r *http.Request, body []byte, received time.Time) {
	if rc.Observer == nil {
		return
	}
	out.Took = rc.now().Sub(received)
	out.Header = keptHeader(r.Header)
	if out.Result != Stored && out.Result != Duplicate && len(body) > 0 {
		// A copy: a slice would pin the whole body for as long as the
		// Observer keeps the outcome.
		out.Body = bytes.Clone(body[:min(len(body), KeptBodyBytes)])
	}
	rc.Observer.Observe(*out)
}

// store hands a verified delivery to the sink and answers with what it did.
func (rc *Receiver) store(w http.ResponseWriter, r *http.Request, d *Delivery, log func() *slog.Logger) Result {
	var stored bool
	var err error
	if rc.sink == nil {
		err = errors.New("the receiver has no sink")
	} else {
		stored, err = rc.sink.PutNotification(r.Context(), d)
	}
	if errors.Is(err, ErrSinkBusy) {
		log().Info("ringcentral webhook not stored for now: the store is busy for a moment; RingCentral will retry",
			"uuid", d.UUID, "event", d.Event, "err", err)
		w.Header().Set("Retry-After", busyRetryAfter)
		http.Error(w, "busy for a moment; please retry", http.StatusServiceUnavailable)
		return Busy
	}
	if err != nil {
		// 5xx makes RingCentral deliver again; nothing was acknowledged.
		log().Error("ringcentral webhook not stored; RingCentral will retry", "uuid", d.UUID, "event", d.Event, "kind", d.Kind, "err", err)
		http.Error(w, "could not store the notification; please retry", http.StatusServiceUnavailable)
		return StoreFailed
	}
	if rc.log.Enabled(r.Context(), slog.LevelDebug) {
		log().Debug("ringcentral webhook stored", "uuid", d.UUID, "kind", d.Kind, "new", stored, "took", rc.now().Sub(d.ReceivedAt))
	}
	result := Duplicate
	if stored {
		result = Stored
	}
	// 200 with an empty body and the outcome in a header: a sender that
	// does not read the body keeps its connection.
	w.Header().Set(HeaderResult, string(result))
	w.WriteHeader(http.StatusOK)
	return result
}

// readFailed answers a body that could not be read whole.
func (rc *Receiver) readFailed(w http.ResponseWriter, r *http.Request, err error, out *Outcome, log func() *slog.Logger) {
	var tooBig *http.MaxBytesError
	switch {
	case errors.Is(err, bodyread.ErrBudgetSpent):
		out.Result = Busy
		log().Warn("ringcentral webhook refused for now: too many bodies in flight; RingCentral will retry",
			"budgetBytes", rc.bodyBudget(), "contentLength", r.ContentLength)
		w.Header().Set("Retry-After", busyRetryAfter)
		bodyread.Refuse(w, "too many deliveries at once; please retry", http.StatusServiceUnavailable)
	case errors.As(err, &tooBig):
		out.Result = TooLarge
		log().Warn("ringcentral webhook refused: body too large", "limitBytes", MaxBodyBytes)
		bodyread.Refuse(w, fmt.Sprintf("body larger than %d bytes", MaxBodyBytes), http.StatusRequestEntityTooLarge)
	default:
		out.Result = Cut
		log().Warn("ringcentral webhook refused: reading body failed", "err", err)
		http.Error(w, "could not read body", http.StatusBadRequest)
	}
}

// checkToken compares the delivery's tokens with every one of ours in
// constant time. Both sides are hashed first, so neither the comparison
// nor its length check says anything about our token's length.
func (rc *Receiver) checkToken(verification, validation string) error {
	var ours []string
	if rc.tokens != nil {
		ours = rc.tokens()
	}
	var got [][sha256.Size]byte
	for _, t := range [...]string{verification, validation} {
		if t != "" {
			got = append(got, sha256.Sum256([]byte(t)))
		}
	}
	known, match := 0, 0
	for _, t := range ours {
		if t == "" {
			continue // an empty token must never match
		}
		known++
		sum := sha256.Sum256([]byte(t))
		for _, g := range got {
			match |= subtle.ConstantTimeCompare(sum[:], g[:])
		}
	}
	switch {
	case known == 0:
		return ErrNoToken
	case match != 1:
		return ErrWrongToken
	}
	return nil
}

func (rc *Receiver) bodyBudget() int64 { return bodyread.Budget(rc.BodyBudget, MaxBodyBytes) }

// readBody reads at most MaxBodyBytes within the receiver's body budget
// (bodyread.Read); reserved is what the caller must give back.
func (rc *Receiver) readBody(w http.ResponseWriter, r *http.Request) (body []byte, reserved int64, err error) {
	return bodyread.Read(w, r, &rc.inFlight, rc.bodyBudget(), MaxBodyBytes)
}
