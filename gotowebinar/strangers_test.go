package gotowebinar_test

import (
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"webinarsync/gotowebinar"
)

// untouchedBody fails the test if the handler reads from it.
type untouchedBody struct {
	t    *testing.T
	read bool
}

func (b *untouchedBody) Read(p []byte) (int, error) {
	b.read = true
	return 0, io.EOF
}

func (b *untouchedBody) Close() error { return nil }

// outcomes collects what the Receiver reports.
type outcomes struct {
	mu  sync.Mutex
	all []gotowebinar.Outcome
}

func (o *outcomes) Observe(out gotowebinar.Outcome) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.all = append(o.all, out)
}

func (o *outcomes) last(t *testing.T) gotowebinar.Outcome {
	t.Helper()
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.all) == 0 {
		t.Fatal("the Observer was told nothing")
	}
	return o.all[len(o.all)-1]
}

// What cannot be genuine is refused from its headers alone: the body of a
// stranger is never read, the connection is closed rather than drained,
// and the Observer still hears which check failed.
func TestReceiver_RefusesStrangersBeforeReadingTheBody(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		edit   func(h http.Header)
		length int64
		code   int
		result gotowebinar.Result
		check  error
	}{
		{"unsigned", func(h http.Header) { h.Del(gotowebinar.HeaderSignature) }, 100, http.StatusUnauthorized, gotowebinar.Refused, gotowebinar.ErrMissingSig},
		{"no timestamp", func(h http.Header) { h.Del(gotowebinar.HeaderSignatureTimestamp) }, 100, http.StatusUnauthorized, gotowebinar.Refused, gotowebinar.ErrMissingSigTime},
		{"not base64", func(h http.Header) { h.Set(gotowebinar.HeaderSignature, strings.Repeat("*", 44)) }, 100, http.StatusUnauthorized, gotowebinar.Refused, gotowebinar.ErrSignatureFormat},
		{"base64 of 31 bytes", func(h http.Header) {
			h.Set(gotowebinar.HeaderSignature, base64.StdEncoding.EncodeToString(make([]byte, 31)))
		}, 100, http.StatusUnauthorized, gotowebinar.Refused, gotowebinar.ErrSignatureFormat},
		{"base64 of 33 bytes", func(h http.Header) {
			h.Set(gotowebinar.HeaderSignature, base64.StdEncoding.EncodeToString(make([]byte, 33)))
		}, 100, http.StatusUnauthorized, gotowebinar.Refused, gotowebinar.ErrSignatureFormat},
		// "-_" where standard base64 has "+/".
		{"URL-safe base64", func(h http.Header) {
			h.Set(gotowebinar.HeaderSignature, base64.URLEncoding.EncodeToString([]byte(strings.Repeat("\xfb", 32))))
		}, 100, http.StatusUnauthorized, gotowebinar.Refused, gotowebinar.ErrSignatureFormat},
		{"a megabyte of signature", func(h http.Header) { h.Set(gotowebinar.HeaderSignature, strings.Repeat("A", 1<<20)) }, 100, http.StatusUnauthorized, gotowebinar.Refused, gotowebinar.ErrSignatureFormat},
		{"declares more than the limit", func(h http.Header) {}, gotowebinar.MaxBodyBytes + 1, http.StatusRequestEntityTooLarge, gotowebinar.TooLarge, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			st := openStore(t)
			rc, logs := newReceiver(t, st, testSecret)
			seen := &outcomes{}
			rc.Observer = seen
			r := signedRequest(testSecret, sampleRegistrantAdded("ek-stranger"))
			tc.edit(r.Header)
			body := &untouchedBody{t: t}
			r.Body, r.ContentLength = body, tc.length

			w := serve(gotowebinar.WebhookHandler(rc), r)
			if w.Code != tc.code {
				t.Errorf("POST = %d, want %d", w.Code, tc.code)
			}
			if body.read {
				t.Error("the body was read; want a refusal from the headers alone")
			}
			if got := w.Header().Get("Connection"); got != "close" {
				t.Errorf("Connection: %q, want close (not drain the stranger's body)", got)
			}
			out := seen.last(t)
			if out.Result != tc.result || !errors.Is(out.Check, tc.check) || (tc.check == nil && out.Check != nil) {
				t.Errorf("outcome %s / %v, want %s / %v", out.Result, out.Check, tc.result, tc.check)
			}
			if tc.check != nil && !strings.Contains(logs.String(), tc.check.Error()) {
				t.Errorf("the log does not name the failed check %q:\n%s", tc.check, logs)
			}
			if c := counts(t, st); c.Events != 0 {
				t.Errorf("a stranger's delivery was stored: %+v", c)
			}
		})
	}
}

// slowDelivery is a signed delivery whose body the test feeds by hand:
// ServeHTTP runs in the background until the test finishes the body.
type slowDelivery struct {
	rest []byte
	pw   *io.PipeWriter
	done chan *httptest.ResponseRecorder
}

// startSlow starts a delivery of body on h, declaring its length or not,
// and returns once the handler has read its first byte, so its bytes are
// reserved.
func startSlow(h http.Handler, body string, declared bool) *slowDelivery {
	pr, pw := io.Pipe()
	r := signedRequest(testSecret, body)
	r.Body = pr
	if !declared {
		r.ContentLength = -1
	}
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

// The body bytes all deliveries in flight hold together are bounded: when
// slow deliveries hold the budget, the next one gets 503 with Retry-After
// at once (GoTo retries) rather than more memory; once they end, deliveries
// get in again.
func TestReceiver_BoundsBodyBytesInFlight(t *testing.T) {
	t.Parallel()
	for _, declared := range []bool{true, false} {
		name := "content-length"
		if !declared {
			name = "chunked"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			st := openStore(t)
			rc, _ := newReceiver(t, st, testSecret)
			seen := &outcomes{}
			rc.Observer = seen
			// The least budget there is: one maximal body.
			rc.BodyBudget = 1

			base := sampleRegistrantAdded("ek-hog")
			hog := startSlow(rc, base+strings.Repeat(" ", gotowebinar.MaxBodyBytes-len(base)), true)

			r := signedRequest(testSecret, sampleRegistrantAdded("ek-waiting"))
			if !declared {
				r.ContentLength = -1
			}
			w := serve(rc, r)
			if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" {
				t.Errorf("POST while the budget is spent = %d, Retry-After %q; want 503 with Retry-After", w.Code, w.Header().Get("Retry-After"))
			}
			if out := seen.last(t); out.Result != gotowebinar.Busy {
				t.Errorf("outcome %s, want %s", out.Result, gotowebinar.Busy)
			}

			if w := hog.finish(); w.Code != http.StatusOK {
				t.Fatalf("the slow delivery = %d %q, want 200", w.Code, w.Body)
			}
			r = signedRequest(testSecret, sampleRegistrantAdded("ek-waiting"))
			if !declared {
				r.ContentLength = -1
			}
			if w := serve(rc, r); w.Code != http.StatusOK {
				t.Errorf("POST after the slow one ended = %d %q, want 200: the budget was not given back", w.Code, w.Body)
			}
			if c := counts(t, st); c.Events != 2 {
				t.Errorf("stored %d events, want 2", c.Events)
			}
		})
	}
}

// A body of unknown length reserves as it grows: a chunked delivery that
// outgrows what is left of the budget is refused with 503 part-way.
func TestReceiver_ChunkedBodyStopsWhenTheBudgetRunsOut(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	rc, _ := newReceiver(t, st, testSecret)
	rc.BodyBudget = 1 // one maximal body
	half := gotowebinar.MaxBodyBytes / 2
	base := sampleRegistrantAdded("ek-half")
	holder := startSlow(rc, base+strings.Repeat(" ", half-len(base)), true)

	big := sampleRegistrantAdded("ek-big")
	big += strings.Repeat(" ", gotowebinar.MaxBodyBytes-len(big))
	r := signedRequest(testSecret, big)
	r.ContentLength = -1
	if w := serve(rc, r); w.Code != http.StatusServiceUnavailable {
		t.Errorf("chunked body past the budget = %d, want 503", w.Code)
	}
	if w := holder.finish(); w.Code != http.StatusOK {
		t.Errorf("the delivery holding half the budget = %d %q, want 200", w.Code, w.Body)
	}
}
