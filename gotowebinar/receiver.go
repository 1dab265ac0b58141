package gotowebinar

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"
)

// WebhookPath is where GoTo delivers events on the webhook listener.
const WebhookPath = "/webhooks/gotowebinar"

// MaxBodyBytes bounds a delivery body; GoTo's events are a few KiB.
const MaxBodyBytes = 1 << 20

// Sink stores verified deliveries. PutEvent must return only once the
// event is durable; stored is false for a redelivery it already had.
type Sink interface {
	PutEvent(ctx context.Context, d *Delivery) (stored bool, err error)
}

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
	log := rc.log.With("remote", r.RemoteAddr, "forwardedFor", r.Header.Get("X-Forwarded-For"))

	out := Outcome{At: received, Method: r.Method, RemoteAddr: r.RemoteAddr, ForwardedFor: r.Header.Get("X-Forwarded-For")}
	var body []byte
	defer func() {
		if rc.Observer == nil {
			return
		}
		out.Took = rc.now().Sub(received)
		out.Header = shortHeader(r.Header)
		if out.Result != Stored && out.Result != Duplicate {
			out.Body = body[:min(len(body), KeptBodyBytes):min(len(body), KeptBodyBytes)]
		}
		rc.Observer.Observe(out)
	}()

	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	out.Bytes = len(body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			out.Result = TooLarge
			log.Warn("webhook refused: body too large", "limitBytes", MaxBodyBytes)
			http.Error(w, fmt.Sprintf("body larger than %d bytes", MaxBodyBytes), http.StatusRequestEntityTooLarge)
			return
		}
		out.Result = Cut
		log.Warn("webhook refused: reading body failed", "err", err)
		http.Error(w, "could not read body", http.StatusBadRequest)
		return
	}

	err = VerifySignature(rc.keys(), r.Header.Get(HeaderSignatureTimestamp), r.Header.Get(HeaderSignature), body)
	if err != nil {
		out.Result, out.Check = Refused, err
		log.Warn("webhook refused: signature check failed", "reason", err.Error(), "bytes", len(body))
		http.Error(w, "signature check failed: "+err.Error(), http.StatusUnauthorized)
		return
	}

	ev, err := DecodeEvent(body)
	if err != nil {
		out.Result = Malformed
		log.Warn("webhook refused: signed but malformed", "err", err, "bytes", len(body))
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	out.EventName, out.EventKey = ev.EventName, string(ev.EventKey)

	if ev.Undecoded != "" {
		log.Warn("webhook kept raw only: its fields are not what GoTo documents", "eventKey", ev.EventKey, "why", ev.Undecoded)
	}
	d := &Delivery{Event: *ev, ReceivedAt: received, ForwardedFor: r.Header.Get("X-Forwarded-For")}
	stored, err := rc.sink.PutEvent(r.Context(), d)
	if err != nil {
		out.Result = StoreFailed
		// 5xx makes GoTo deliver again later; nothing was acknowledged.
		log.Error("webhook not stored; GoTo will retry", "eventKey", ev.EventKey, "eventName", ev.EventName, "err", err)
		http.Error(w, "could not store the event; please retry", http.StatusServiceUnavailable)
		return
	}
	log.Debug("webhook stored", "eventKey", ev.EventKey, "eventName", ev.EventName, "new", stored,
		"took", rc.now().Sub(received))
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	out.Result = Duplicate
	if stored {
		out.Result = Stored
		io.WriteString(w, "stored\n")
	} else {
		io.WriteString(w, "already stored\n")
	}
}

// WebhookHandler serves the webhook path and nothing else: it is what the
// tunnel exposes to the internet, so every other path is a 404.
func WebhookHandler(rc *Receiver) http.Handler {
	mux := http.NewServeMux()
	mux.Handle(WebhookPath, rc)
	return mux
}
