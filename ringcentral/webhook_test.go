package ringcentral_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"webinarsync/gotowebinar"
	"webinarsync/ringcentral"
)

const (
	ourToken = "vt-3b9f0c2a7d51e8846a0f-do-not-log"
	// handshakeToken is what RingCentral sends to validate the address: random, not ours.
	handshakeToken = "4d3c2b1a-0f9e-8d7c-6b5a-493827161504"
)

// memSink is an in-memory Sink: it keeps each delivery by UUID, once.
type memSink struct {
	mu    sync.Mutex
	byID  map[string]*ringcentral.Delivery
	calls int
	err   error // returned by every call when set
}

func newSink() *memSink { return &memSink{byID: map[string]*ringcentral.Delivery{}} }

func (s *memSink) PutNotification(_ context.Context, d *ringcentral.Delivery) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.err != nil {
		return false, s.err
	}
	if _, ok := s.byID[d.UUID]; ok {
		return false, nil
	}
	s.byID[d.UUID] = d
	return true, nil
}

func (s *memSink) stored() []*ringcentral.Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*ringcentral.Delivery
	for _, d := range s.byID {
		out = append(out, d)
	}
	return out
}

// untouchedSink fails the test if anything is handed to it.
type untouchedSink struct{ t *testing.T }

func (s untouchedSink) PutNotification(context.Context, *ringcentral.Delivery) (bool, error) {
	s.t.Error("the sink was called")
	return false, errors.New("not here")
}

// syncBuffer is a bytes.Buffer safe to read while handlers may still log.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// outcomes collects what the Receiver reports.
type outcomes struct {
	mu  sync.Mutex
	all []ringcentral.Outcome
}

func (o *outcomes) Observe(out ringcentral.Outcome) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.all = append(o.all, out)
}

func (o *outcomes) last(t *testing.T) ringcentral.Outcome {
	t.Helper()
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.all) == 0 {
		t.Fatal("the Observer was told nothing")
	}
	return o.all[len(o.all)-1]
}

// newReceiver builds a Receiver on sink that knows tokens, logs (at Debug,
// so nothing is hidden) into the returned buffer and reports to the
// returned Observer.
func newReceiver(t testing.TB, sink ringcentral.Sink, tokens ...string) (*ringcentral.Receiver, *syncBuffer, *outcomes) {
	t.Helper()
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	rc := ringcentral.NewReceiver(func() []string { return tokens }, sink, log)
	seen := &outcomes{}
	rc.Observer = seen
	return rc, logs, seen
}

// delivery is a POST to the webhook path carrying token in header.
func delivery(header, token, body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, ringcentral.WebhookPath, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json; charset=UTF-8")
	r.Header.Set("User-Agent", "RingCentral-Webhook/8.3")
	if token != "" {
		r.Header.Set(header, token)
	}
	return r
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func registrantBody(uuid string) string {
	return envelope(uuid, "/webinar/registration/v1/company/sessions/registrants?webinarId=123456789",
		`{"eventType":"Created","sessionId":"987654321","webinarId":"123456789","id":"555000111","email":"john.doe@example.com"}`)
}

func TestReceiver_AnswersTheHandshakeWithTheSameToken(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		method string
		length int64 // -1: a body of unknown length that turns out empty
	}{
		{"POST", http.MethodPost, 0},
		{"POST of unknown length", http.MethodPost, -1},
		{"GET", http.MethodGet, 0},
		{"HEAD", http.MethodHead, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// Neither our tokens nor the store are asked: the subscription
			// is being created and RingCentral waits at most 3 s.
			rc := ringcentral.NewReceiver(func() []string { t.Error("the tokens were asked for"); return nil },
				untouchedSink{t}, slog.New(slog.NewTextHandler(io.Discard, nil)))
			seen := &outcomes{}
			rc.Observer = seen
			r := httptest.NewRequest(tc.method, ringcentral.WebhookPath, http.NoBody)
			r.ContentLength = tc.length
			r.Header.Set(ringcentral.HeaderValidationToken, handshakeToken)

			w := serve(ringcentral.WebhookHandler(rc), r)
			if w.Code != http.StatusOK || w.Header().Get(ringcentral.HeaderValidationToken) != handshakeToken {
				t.Errorf("handshake = %d, Validation-Token %q; want 200 echoing %q", w.Code, w.Header().Get(ringcentral.HeaderValidationToken), handshakeToken)
			}
			if ct := w.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q, want application/json (the guide's advice against SUB-525)", ct)
			}
			if w.Body.Len() != 0 {
				t.Errorf("body %q, want none", w.Body)
			}
			if out := seen.last(t); out.Result != ringcentral.Handshake || out.Method != tc.method {
				t.Errorf("outcome %s %s, want handshake %s", out.Result, out.Method, tc.method)
			}
		})
	}
}

// RingCentral refuses a handshake answer over 1 KiB, headers included
// (SUB-525), so it is measured as bytes on a real connection.
func TestReceiver_AnswersTheHandshakeInUnder1KiBOnTheWire(t *testing.T) {
	t.Parallel()
	rc, _, _ := newReceiver(t, newSink(), ourToken)
	srv := httptest.NewServer(ringcentral.WebhookHandler(rc))
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	counted := &countingReader{r: conn}
	br := bufio.NewReader(counted)
	for _, method := range []string{http.MethodPost, http.MethodGet} {
		fmt.Fprintf(conn, "%s %s HTTP/1.1\r\nHost: example.ngrok.app\r\nValidation-Token: %s\r\nContent-Length: 0\r\n"+
			"User-Agent: RingCentral-Webhook/8.3\r\nAccept: application/json\r\n\r\n", method, ringcentral.WebhookPath, handshakeToken)
		before := counted.n - br.Buffered()
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("%s: reading the answer: %v", method, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		size := counted.n - br.Buffered() - before
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Validation-Token") != handshakeToken || len(body) != 0 {
			t.Errorf("%s: %d, Validation-Token %q, body %q", method, resp.StatusCode, resp.Header.Get("Validation-Token"), body)
		}
		if size <= 0 || size >= 1024 {
			t.Errorf("%s: the answer is %d bytes on the wire, want under 1024", method, size)
		}
	}
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func TestReceiver_StoresAVerifiedNotificationOnceUnderEitherHeaderName(t *testing.T) {
	t.Parallel()
	for _, header := range []string{ringcentral.HeaderVerificationToken, ringcentral.HeaderValidationToken} {
		t.Run(header, func(t *testing.T) {
			t.Parallel()
			sink := newSink()
			rc, logs, seen := newReceiver(t, sink, ourToken)
			body := registrantBody("ed1cf00c-0420-4bf5-a0ae-e659cc9f77e0")
			for i, want := range []string{"stored", "duplicate", "duplicate"} {
				r := delivery(header, ourToken, body)
				r.Header.Set("X-Forwarded-For", "203.0.113.7")
				w := serve(rc, r)
				if w.Code != http.StatusOK || w.Header().Get(ringcentral.HeaderResult) != want || w.Body.Len() != 0 {
					t.Errorf("delivery %d = %d %s %q, want 200 %s with an empty body", i, w.Code, w.Header().Get(ringcentral.HeaderResult), w.Body, want)
				}
				if out := seen.last(t); string(out.Result) != want || out.UUID != "ed1cf00c-0420-4bf5-a0ae-e659cc9f77e0" || out.Body != nil {
					t.Errorf("delivery %d outcome %s %q, body kept %v", i, out.Result, out.UUID, out.Body != nil)
				}
			}
			got := sink.stored()
			if len(got) != 1 {
				t.Fatalf("stored %d, want 1", len(got))
			}
			d := got[0]
			if string(d.Raw) != body || d.Kind != ringcentral.KindRegistrants || d.RegistrantID != "555000111" ||
				d.ForwardedFor != "203.0.113.7" || d.ReceivedAt.IsZero() {
				t.Errorf("stored %+v", d)
			}
			if strings.Contains(logs.String(), ourToken) {
				t.Errorf("our token appears in the log")
			}
		})
	}
}

func TestReceiver_RefusesAMissingOrWrongTokenWith401(t *testing.T) {
	t.Parallel()
	body := registrantBody("uuid-refused")
	for _, tc := range []struct {
		name     string
		ours     []string
		header   string
		token    string
		check    error
		bodyKept bool
	}{
		{"no token header", []string{ourToken}, "", "", ringcentral.ErrMissingToken, false},
		{"wrong Verification-Token", []string{ourToken}, ringcentral.HeaderVerificationToken, "guessed", ringcentral.ErrWrongToken, true},
		{"wrong Validation-Token", []string{ourToken}, ringcentral.HeaderValidationToken, ourToken + "x", ringcentral.ErrWrongToken, true},
		{"our token cut short", []string{ourToken}, ringcentral.HeaderVerificationToken, ourToken[:10], ringcentral.ErrWrongToken, true},
		{"none of ours on file", nil, ringcentral.HeaderVerificationToken, ourToken, ringcentral.ErrNoToken, true},
		{"only an empty one on file", []string{""}, ringcentral.HeaderVerificationToken, "x", ringcentral.ErrNoToken, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sink := newSink()
			rc, logs, seen := newReceiver(t, sink, tc.ours...)
			w := serve(rc, delivery(tc.header, tc.token, body))
			if w.Code != http.StatusUnauthorized {
				t.Errorf("POST = %d, want 401", w.Code)
			}
			if n := len(sink.stored()); n != 0 || sink.calls != 0 {
				t.Errorf("a refused delivery reached the sink (%d calls)", sink.calls)
			}
			out := seen.last(t)
			if out.Result != ringcentral.Refused || !errors.Is(out.Check, tc.check) {
				t.Errorf("outcome %s / %v, want refused / %v", out.Result, out.Check, tc.check)
			}
			if kept := string(out.Body) == body; kept != tc.bodyKept {
				t.Errorf("body kept in the outcome: %v, want %v", kept, tc.bodyKept)
			}
			if tc.bodyKept && (out.UUID != "uuid-refused" || out.Kind != ringcentral.KindRegistrants) {
				t.Errorf("outcome says %q %q, want what the body claims to be", out.UUID, out.Kind)
			}
			if !strings.Contains(logs.String(), tc.check.Error()) {
				t.Errorf("the log does not name the failed check %q:\n%s", tc.check, logs)
			}
			for where, text := range map[string]string{"log": logs.String(), "response": w.Body.String(), "kept headers": fmt.Sprint(out.Header)} {
				if strings.Contains(text, ourToken) {
					t.Errorf("our token appears in the %s: %s", where, text)
				}
			}
		})
	}
}

func TestReceiver_AcceptsEveryListedTokenDuringRotation(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	known := []string{"new-token-0123456789", "old-token-0123456789"} // newest first
	tokens := func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), known...)
	}
	sink := newSink()
	rc := ringcentral.NewReceiver(tokens, sink, slog.New(slog.NewTextHandler(io.Discard, nil)))
	for i, token := range []string{"old-token-0123456789", "new-token-0123456789"} {
		if w := serve(rc, delivery(ringcentral.HeaderVerificationToken, token, registrantBody(fmt.Sprint("rot-", i)))); w.Code != http.StatusOK {
			t.Errorf("delivery with %s = %d, want 200", token, w.Code)
		}
	}
	// Tokens are read per delivery: once the old one is retired it is refused.
	mu.Lock()
	known = known[:1]
	mu.Unlock()
	if w := serve(rc, delivery(ringcentral.HeaderVerificationToken, "old-token-0123456789", registrantBody("rot-retired"))); w.Code != http.StatusUnauthorized {
		t.Errorf("delivery with a retired token = %d, want 401", w.Code)
	}
	if n := len(sink.stored()); n != 2 {
		t.Errorf("stored %d, want 2", n)
	}
}

func TestReceiver_RefusesAVerifiedBodyThatIsNotAJSONObjectWith400(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, body string }{
		{"invalid JSON", `{"uuid":"u","event":`},
		{"not an object", `[1,2,3]`},
		{"empty, with our token only in Verification-Token", ``},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sink := newSink()
			rc, _, seen := newReceiver(t, sink, ourToken)
			if w := serve(rc, delivery(ringcentral.HeaderVerificationToken, ourToken, tc.body)); w.Code != http.StatusBadRequest {
				t.Errorf("POST = %d %q, want 400", w.Code, w.Body)
			}
			if sink.calls != 0 {
				t.Errorf("a malformed body reached the sink")
			}
			if out := seen.last(t); out.Result != ringcentral.Malformed || string(out.Body) != tc.body {
				t.Errorf("outcome %s with body %q, want malformed with the body kept", out.Result, out.Body)
			}
		})
	}
}

// endless is a body that never ends, counting what was read of it.
type endless struct{ n int }

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	e.n += len(p)
	return len(p), nil
}

func (e *endless) Close() error { return nil }

func TestReceiver_RefusesAnOversizeBodyWith413WithoutReadingItAll(t *testing.T) {
	t.Parallel()
	base := registrantBody("uuid-big")
	for _, tc := range []struct {
		name string
		size int
		want int
	}{
		{"exactly the limit", ringcentral.MaxBodyBytes, http.StatusOK},
		{"one byte over", ringcentral.MaxBodyBytes + 1, http.StatusRequestEntityTooLarge},
	} {
		for _, declared := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/content-length %v", tc.name, declared), func(t *testing.T) {
				t.Parallel()
				sink := newSink()
				rc, _, _ := newReceiver(t, sink, ourToken)
				r := delivery(ringcentral.HeaderVerificationToken, ourToken, base+strings.Repeat(" ", tc.size-len(base)))
				if !declared {
					r.ContentLength = -1
				}
				if w := serve(rc, r); w.Code != tc.want {
					t.Errorf("POST of %d bytes = %d, want %d", tc.size, w.Code, tc.want)
				}
				if want := tc.want == http.StatusOK; (len(sink.stored()) == 1) != want {
					t.Errorf("stored %d, want stored: %v", len(sink.stored()), want)
				}
			})
		}
	}
	t.Run("an endless body", func(t *testing.T) {
		t.Parallel()
		rc, _, seen := newReceiver(t, newSink(), ourToken)
		r := delivery(ringcentral.HeaderVerificationToken, ourToken, "")
		body := &endless{}
		r.Body, r.ContentLength = body, -1
		if w := serve(rc, r); w.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("POST of an endless body = %d, want 413", w.Code)
		}
		if limit := ringcentral.MaxBodyBytes + 64<<10; body.n > limit {
			t.Errorf("read %d bytes of it, want at most %d", body.n, limit)
		}
		if out := seen.last(t); out.Result != ringcentral.TooLarge || len(out.Body) > ringcentral.KeptBodyBytes {
			t.Errorf("outcome %s keeping %d bytes, want too_large keeping at most %d", out.Result, len(out.Body), ringcentral.KeptBodyBytes)
		}
	})
}

func TestReceiver_Answers503WhenTheSinkFailsAndRetryAfterWhenItIsBusy(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		err        error
		result     ringcentral.Result
		retryAfter bool
	}{
		{"sink fails", errors.New("writing the database: disk full"), ringcentral.StoreFailed, false},
		// The store's one busy error wraps GoTo's sentinel; it must serve RingCentral too.
		{"sink busy", fmt.Errorf("store: compacting: %w", gotowebinar.ErrSinkBusy), ringcentral.Busy, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sink := newSink()
			sink.err = tc.err
			rc, logs, seen := newReceiver(t, sink, ourToken)
			w := serve(rc, delivery(ringcentral.HeaderVerificationToken, ourToken, registrantBody("uuid-unstored")))
			if w.Code != http.StatusServiceUnavailable {
				t.Errorf("POST = %d, want 503 so RingCentral retries", w.Code)
			}
			if got := w.Header().Get("Retry-After") != ""; got != tc.retryAfter {
				t.Errorf("Retry-After %q, want one: %v", w.Header().Get("Retry-After"), tc.retryAfter)
			}
			if out := seen.last(t); out.Result != tc.result || out.Body == nil {
				t.Errorf("outcome %s, body kept %v; want %s with the body", out.Result, out.Body != nil, tc.result)
			}
			if !strings.Contains(logs.String(), "uuid-unstored") || !strings.Contains(logs.String(), tc.err.Error()) {
				t.Errorf("the log does not say which notification and why:\n%s", logs)
			}
		})
	}
}

func TestReceiver_KeepsAnUnknownEventRaw(t *testing.T) {
	t.Parallel()
	sink := newSink()
	rc, logs, _ := newReceiver(t, sink, ourToken)
	body := envelope("uuid-unknown", "/webinar/configuration/v1/company/webinars", `{"id":"123456789","eventType":"Deleted"}`)
	if w := serve(rc, delivery(ringcentral.HeaderVerificationToken, ourToken, body)); w.Code != http.StatusOK {
		t.Fatalf("POST = %d %q, want 200", w.Code, w.Body)
	}
	got := sink.stored()
	if len(got) != 1 || string(got[0].Raw) != body || got[0].Kind != ringcentral.KindUnknown || got[0].Undecoded == "" {
		t.Fatalf("stored %+v, want the raw body kept with Undecoded saying why", got)
	}
	if !strings.Contains(logs.String(), "kept raw only") {
		t.Errorf("no log line says it was kept raw:\n%s", logs)
	}
}

func TestReceiver_AnswersGETWithoutATokenAsReadyAndOtherMethodsWith404(t *testing.T) {
	t.Parallel()
	sink := newSink()
	rc, _, _ := newReceiver(t, sink, ourToken)
	w := serve(rc, httptest.NewRequest(http.MethodGet, ringcentral.WebhookPath, nil))
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "ready to receive RingCentral Webinar events") {
		t.Errorf("GET = %d %q", w.Code, w.Body)
	}
	for _, method := range []string{http.MethodPut, http.MethodDelete, http.MethodPatch, http.MethodOptions} {
		r := delivery(ringcentral.HeaderVerificationToken, ourToken, registrantBody("uuid-"+method))
		r.Method = method
		if w := serve(rc, r); w.Code != http.StatusNotFound {
			t.Errorf("%s = %d, want 404", method, w.Code)
		}
	}
	if sink.calls != 0 {
		t.Errorf("a request by another method reached the sink")
	}
}

func TestWebhookHandler_ServesOnlyTheWebhookPath(t *testing.T) {
	t.Parallel()
	sink := newSink()
	rc, _, _ := newReceiver(t, sink, ourToken)
	h := ringcentral.WebhookHandler(rc)
	for _, path := range []string{"/", "/webhooks", "/webhooks/ringcentral/", "/webhooks/ringcentralx", "/webhooks/gotowebinar", "/WEBHOOKS/RINGCENTRAL"} {
		r := delivery(ringcentral.HeaderVerificationToken, ourToken, registrantBody("uuid-path"))
		r.URL.Path = path
		if w := serve(h, r); w.Code != http.StatusNotFound {
			t.Errorf("POST %s = %d, want 404", path, w.Code)
		}
	}
	if sink.calls != 0 {
		t.Fatalf("a delivery to another path reached the sink")
	}
	if w := serve(h, delivery(ringcentral.HeaderVerificationToken, ourToken, registrantBody("uuid-path"))); w.Code != http.StatusOK {
		t.Errorf("POST %s = %d, want 200", ringcentral.WebhookPath, w.Code)
	}
}

// untouchedBody records whether the handler read from it.
type untouchedBody struct{ read bool }

func (b *untouchedBody) Read([]byte) (int, error) {
	b.read = true
	return 0, io.EOF
}

func (b *untouchedBody) Close() error { return nil }

// What cannot be genuine is refused from its headers alone: the body of a
// stranger is never read, the connection is closed rather than drained,
// and the Observer still hears what failed.
func TestReceiver_RefusesStrangersBeforeReadingTheBody(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		token  string
		length int64
		code   int
		result ringcentral.Result
		check  error
	}{
		{"no token", "", 100, http.StatusUnauthorized, ringcentral.Refused, ringcentral.ErrMissingToken},
		{"declares more than the limit", ourToken, ringcentral.MaxBodyBytes + 1, http.StatusRequestEntityTooLarge, ringcentral.TooLarge, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sink := newSink()
			rc, _, seen := newReceiver(t, sink, ourToken)
			r := delivery(ringcentral.HeaderVerificationToken, tc.token, registrantBody("uuid-stranger"))
			body := &untouchedBody{}
			r.Body, r.ContentLength = body, tc.length
			w := serve(ringcentral.WebhookHandler(rc), r)
			if w.Code != tc.code {
				t.Errorf("POST = %d, want %d", w.Code, tc.code)
			}
			if body.read {
				t.Error("the body was read; want a refusal from the headers alone")
			}
			if got := w.Header().Get("Connection"); got != "close" {
				t.Errorf("Connection: %q, want close (not drain the stranger's body)", got)
			}
			if out := seen.last(t); out.Result != tc.result || !errors.Is(out.Check, tc.check) || (tc.check == nil && out.Check != nil) {
				t.Errorf("outcome %s / %v, want %s / %v", out.Result, out.Check, tc.result, tc.check)
			}
			if sink.calls != 0 {
				t.Errorf("a stranger's delivery reached the sink")
			}
		})
	}
}

// slowDelivery is a delivery whose body the test feeds by hand: ServeHTTP
// runs in the background until the test finishes the body.
type slowDelivery struct {
	rest []byte
	pw   *io.PipeWriter
	done chan *httptest.ResponseRecorder
}

// startSlow starts a delivery of body on h and returns once the handler
// has read its first byte, so its bytes are reserved.
func startSlow(h http.Handler, body string) *slowDelivery {
	pr, pw := io.Pipe()
	r := delivery(ringcentral.HeaderVerificationToken, ourToken, body)
	r.Body = pr
	d := &slowDelivery{rest: []byte(body[1:]), pw: pw, done: make(chan *httptest.ResponseRecorder, 1)}
	go func() { d.done <- serve(h, r) }()
	pw.Write([]byte(body[:1])) // returns once the handler reads it
	return d
}

// finish sends the rest of the body and returns the answer.
func (d *slowDelivery) finish() *httptest.ResponseRecorder {
	d.pw.Write(d.rest)
	d.pw.Close()
	return <-d.done
}

// The body bytes all deliveries in flight hold together are bounded: while
// a slow delivery holds the budget, the next gets 503 with Retry-After at
// once rather than more memory; once it ends, deliveries get in again.
func TestReceiver_BoundsBodyBytesInFlight(t *testing.T) {
	t.Parallel()
	for _, declared := range []bool{true, false} {
		t.Run(fmt.Sprintf("content-length %v", declared), func(t *testing.T) {
			t.Parallel()
			sink := newSink()
			rc, _, seen := newReceiver(t, sink, ourToken)
			rc.BodyBudget = 1 // the least there is: one maximal body
			base := registrantBody("uuid-hog")
			hog := startSlow(rc, base+strings.Repeat(" ", ringcentral.MaxBodyBytes-len(base)))

			next := func() *http.Request {
				r := delivery(ringcentral.HeaderVerificationToken, ourToken, registrantBody("uuid-waiting"))
				if !declared {
					r.ContentLength = -1
				}
				return r
			}
			w := serve(rc, next())
			if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" {
				t.Errorf("POST while the budget is spent = %d, Retry-After %q; want 503 with Retry-After", w.Code, w.Header().Get("Retry-After"))
			}
			if out := seen.last(t); out.Result != ringcentral.Busy {
				t.Errorf("outcome %s, want busy", out.Result)
			}
			if w := hog.finish(); w.Code != http.StatusOK {
				t.Fatalf("the slow delivery = %d %q, want 200", w.Code, w.Body)
			}
			if w := serve(rc, next()); w.Code != http.StatusOK {
				t.Errorf("POST after the slow one ended = %d %q, want 200: the budget was not given back", w.Code, w.Body)
			}
			if n := len(sink.stored()); n != 2 {
				t.Errorf("stored %d, want 2", n)
			}
		})
	}
}
