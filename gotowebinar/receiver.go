package gotowebinar

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"webinarsync/internal/bodyread"
)

// WebhookPath is where GoTo delivers events on the webhook listener.
const WebhookPath = "/webhooks/gotowebinar"

// MaxBodyBytes bounds a delivery body; GoTo's events are a few KiB, so
// this is ample for them and little for a stranger to make us hold.
const MaxBodyBytes = 256 << 10

// DefaultBodyBudget is how many body bytes all deliveries in flight may
// hold together when Receiver.BodyBudget is not set: 32 maximal bodies,
// hundreds of GoTo's.
const DefaultBodyBudget = bodyread.DefaultBudget

// busyRetryAfter is the Retry-After, in seconds, of a 503 for a full budget.
const busyRetryAfter = "5"

// Sink stores verified deliveries. PutEvent must return only once the
// event is durable; stored is false for a redelivery it already had.
type Sink interface {
	PutEvent(ctx context.Context, d *Delivery) (stored bool, err error)
}

// ErrSinkBusy is what a Sink's error wraps when it cannot take deliveries
// for a moment (the store compacting its file): the delivery gets 503 with
// Retry-After, and GoTo sends it again.
var ErrSinkBusy = errors.New("busy for a moment")

// Receiver is the http.Handler for GoTo's webhook deliveries: it verifies
// the signature, decodes the event and acknowledges it only after the Sink
// has committed it, so GoTo retries anything we did not keep.
type Receiver struct {
	keys func() [][]byte
	sink Sink
	log  *slog.Logger
	now  func() time.Time

	// Observer, when set before serving, is told what became of every
	// delivery, so a refused one is seen, not only logged.
	Observer Observer

	// BodyBudget, when set before serving, bounds the body bytes all
	// deliveries being read or handled may hold together (0:
	// DefaultBodyBudget; never less than MaxBodyBytes, or a large genuine
	// delivery could never get in). A delivery that finds it spent gets 503
	// with Retry-After, which GoTo retries, so a crowd of strangers costs
	// at most this much memory.
	BodyBudget int64
	inFlight   atomic.Int64 // body bytes reserved now
}

// NewReceiver builds a Receiver. keys returns every secret key a delivery
// may be signed with (called per delivery, so rotations apply at once).
func NewReceiver(keys func() [][]byte, sink Sink, log *slog.Logger) *Receiver {
	if log == nil {
		log = slog.Default()
	}
	return &Receiver{keys: keys, sink: sink, log: log, now: time.Now}
}

// ServeHTTP answers GET (GoTo validates callback URLs with one) and
// stores signed POSTs.
func (rc *Receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "webinarsync is ready to receive GoTo Webinar events\n")
	case http.MethodPost:
		rc.receive(w, r)
	default:
		// Internet-facing: say no more than for any other path.
		http.NotFound(w, r)
	}
}

func (rc *Receiver) receive(w http.ResponseWriter, r *http.Request) {
	received := rc.now()
	// Built only when something is logged: a stored delivery logs nothing
	// (at the default level), and With cost up to 4% of ingest (issue 15).
	log := func() *slog.Logger {
		return rc.log.With("remote", r.RemoteAddr, "forwardedFor", r.Header.Get("X-Forwarded-For"))
	}

	out := Outcome{At: received, Method: r.Method, RemoteAddr: r.RemoteAddr, ForwardedFor: r.Header.Get("X-Forwarded-For")}
	var body []byte
	defer func() {
		if rc.Observer == nil {
			return
		}
		out.Took = rc.now().Sub(received)
		out.Header = shortHeader(r.Header)
		if out.Result != Stored && out.Result != Duplicate && len(body) > 0 {
			// A copy: a slice would pin the whole body for as long as
			// the Observer keeps the outcome.
			out.Body = bytes.Clone(body[:min(len(body), KeptBodyBytes)])
		}
		if out.Result != Stored && out.Result != Duplicate {
			out.Signature = r.Header.Get(HeaderSignature)
		}
		rc.Observer.Observe(out)
	}()

	// Refuse what cannot be genuine before reading a byte of its body, and
	// close the connection rather than drain it for a stranger.
	timestamp, signature := r.Header.Get(HeaderSignatureTimestamp), r.Header.Get(HeaderSignature)
	if _, err := checkSignatureHeaders(timestamp, signature); err != nil && !hexMAC(signature) {
		out.Result, out.Check = Refused, err
		log().Warn("webhook refused: signature check failed", "reason", err.Error(), "contentLength", r.ContentLength)
		bodyread.Refuse(w, "signature check failed: "+err.Error(), http.StatusUnauthorized)
		return
	}
	if r.ContentLength > MaxBodyBytes {
		out.Result = TooLarge
		log().Warn("webhook refused: body too large", "limitBytes", MaxBodyBytes, "contentLength", r.ContentLength)
		bodyread.Refuse(w, fmt.Sprintf("body larger than %d bytes", MaxBodyBytes), http.StatusRequestEntityTooLarge)
		return
	}

	body, reserved, err := rc.readBody(w, r)
	defer rc.inFlight.Add(-reserved)
	out.Bytes = len(body)
	if err != nil {
		var tooBig *http.MaxBytesError
		switch {
		case errors.Is(err, bodyread.ErrBudgetSpent):
			out.Result = Busy
			log().Warn("webhook refused for now: too many bodies in flight; GoTo will retry",
				"budgetBytes", rc.bodyBudget(), "contentLength", r.ContentLength)
			w.Header().Set("Retry-After", busyRetryAfter)
			bodyread.Refuse(w, "too many deliveries at once; please retry", http.StatusServiceUnavailable)
		case errors.As(err, &tooBig):
			out.Result = TooLarge
			log().Warn("webhook refused: body too large", "limitBytes", MaxBodyBytes)
			bodyread.Refuse(w, fmt.Sprintf("body larger than %d bytes", MaxBodyBytes), http.StatusRequestEntityTooLarge)
		default:
			out.Result = Cut
			log().Warn("webhook refused: reading body failed", "err", err)
			http.Error(w, "could not read body", http.StatusBadRequest)
		}
		return
	}

	err = VerifySignature(rc.keys(), timestamp, signature, body)
	if err != nil {
		out.Result, out.Check = Refused, err
		log().Warn("webhook refused: signature check failed", "reason", err.Error(), "bytes", len(body))
		http.Error(w, "signature check failed: "+err.Error(), http.StatusUnauthorized)
		return
	}

	ev, err := DecodeEvent(body)
	if err != nil {
		out.Result = Malformed
		log().Warn("webhook refused: signed but malformed", "err", err, "bytes", len(body))
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	out.EventName, out.EventKey, out.Subject = ev.EventName, string(ev.EventKey), ev.Subject()

	if ev.Undecoded != "" {
		log().Warn("webhook kept raw only: its fields are not what GoTo documents", "eventKey", ev.EventKey, "why", ev.Undecoded)
	}
	d := &Delivery{Event: *ev, ReceivedAt: received, ForwardedFor: r.Header.Get("X-Forwarded-For")}
	stored, err := rc.sink.PutEvent(r.Context(), d)
	if errors.Is(err, ErrSinkBusy) {
		out.Result = Busy
		log().Info("webhook not stored for now: the store is busy for a moment; GoTo will retry", "eventKey", ev.EventKey, "eventName", ev.EventName)
		w.Header().Set("Retry-After", busyRetryAfter)
		http.Error(w, "busy for a moment; please retry", http.StatusServiceUnavailable)
		return
	}
	if err != nil {
		out.Result = StoreFailed
		// 5xx makes GoTo deliver again later; nothing was acknowledged.
		log().Error("webhook not stored; GoTo will retry", "eventKey", ev.EventKey, "eventName", ev.EventName, "err", err)
		http.Error(w, "could not store the event; please retry", http.StatusServiceUnavailable)
		return
	}
	if rc.log.Enabled(r.Context(), slog.LevelDebug) {
		log().Debug("webhook stored", "eventKey", ev.EventKey, "eventName", ev.EventName, "new", stored,
			"took", rc.now().Sub(received))
	}
	// 200 with an empty body and the outcome in a header: a sender that
	// does not read the body keeps its connection (a body made such
	// clients reconnect for 13% of deliveries, issue 15).
	out.Result = Duplicate
	if stored {
		out.Result = Stored
	}
	w.Header().Set(HeaderResult, string(out.Result))
	w.WriteHeader(http.StatusOK)
}

// HeaderResult on a 200 says what became of the delivery: "stored" (new,
// on disk) or "duplicate" (stored before; nothing changed).
const HeaderResult = "X-Webinarsync-Result"

func (rc *Receiver) bodyBudget() int64 { return bodyread.Budget(rc.BodyBudget, MaxBodyBytes) }

// readBody reads at most MaxBodyBytes within the receiver's body budget
// (bodyread.Read); reserved is what the caller must give back.
func (rc *Receiver) readBody(w http.ResponseWriter, r *http.Request) (body []byte, reserved int64, err error) {
	return bodyread.Read(w, r, &rc.inFlight, rc.bodyBudget(), MaxBodyBytes)
}

// WebhookHandler serves the webhook path and nothing else: it is what the
// tunnel exposes to the internet, so every other path is a 404.
func WebhookHandler(rc *Receiver) http.Handler {
	mux := http.NewServeMux()
	mux.Handle(WebhookPath, rc)
	return mux
}

// hexMAC reports whether signature is a 32-byte MAC in hex: not our
// scheme, but the likeliest other one, so its body is read and kept for
// the Deliveries page to test against our keys (it is refused all the same).
func hexMAC(signature string) bool {
	if len(signature) != 2*sha256.Size {
		return false
	}
	_, err := hex.DecodeString(signature)
	return err == nil
}
