package gotowebinar_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"webinarsync/gotowebinar"
	"webinarsync/store"
)

const (
	testSecret    = "test-secret-KEY-do-not-log"
	testTimestamp = "1710946862345"
)

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

// lines returns the non-empty log lines written so far.
func (b *syncBuffer) lines() []string {
	var out []string
	for _, l := range strings.Split(b.String(), "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

func openStore(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(t.TempDir(), store.Options{})
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// newReceiver builds a Receiver on st that knows the given secret keys and
// logs (at Debug, so nothing is hidden) as text into the returned buffer.
func newReceiver(t testing.TB, st *store.Store, secrets ...string) (*gotowebinar.Receiver, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	keys := func() [][]byte {
		out := make([][]byte, len(secrets))
		for i, s := range secrets {
			out[i] = []byte(s)
		}
		return out
	}
	return gotowebinar.NewReceiver(keys, st, log), logs
}

// signedRequest is a POST to the webhook path signed with secret.
func signedRequest(secret, body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, gotowebinar.WebhookPath, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set(gotowebinar.HeaderSignatureTimestamp, testTimestamp)
	r.Header.Set(gotowebinar.HeaderSignature, gotowebinar.Sign([]byte(secret), testTimestamp, []byte(body)))
	return r
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func counts(t testing.TB, st *store.Store) store.Counts {
	t.Helper()
	c, err := st.Counts()
	if err != nil {
		t.Fatalf("Counts: %v", err)
	}
	return c
}

func events(t testing.TB, st *store.Store) []store.LogEntry {
	t.Helper()
	es, err := st.Events(store.EventQuery{Limit: 1000})
	if err != nil {
		t.Fatalf("Events: %v", err)
	}
	return es
}

func TestReceiver_AnswersGETWith200ForURLValidation(t *testing.T) {
	t.Parallel()
	rc, _ := newReceiver(t, openStore(t), testSecret)
	for _, method := range []string{http.MethodGet, http.MethodHead} {
		w := serve(gotowebinar.WebhookHandler(rc), httptest.NewRequest(method, gotowebinar.WebhookPath, nil))
		if w.Code != http.StatusOK {
			t.Errorf("%s %s = %d, want 200", method, gotowebinar.WebhookPath, w.Code)
		}
	}
}

// The tunnel's side serves GET and POST on the webhook path and nothing
// else: other methods get the same 404 as other paths (DESIGN.md).
func TestReceiver_RefusesOtherMethods(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	rc, _ := newReceiver(t, st, testSecret)
	for _, method := range []string{http.MethodPut, http.MethodDelete, http.MethodPatch} {
		r := signedRequest(testSecret, sampleRegistrantAdded("ek-"+method))
		r.Method = method
		if w := serve(rc, r); w.Code != http.StatusNotFound {
			t.Errorf("%s = %d, want 404", method, w.Code)
		}
	}
	if c := counts(t, st); c.Events != 0 {
		t.Errorf("stored %d events from non-POST requests", c.Events)
	}
}

func TestReceiver_StoresSignedDeliveriesOfAllFourEvents(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	rc, _ := newReceiver(t, st, testSecret)
	bodies := []string{
		sampleWebinarEvent(gotowebinar.EventWebinarCreated, "ek-created", "NEW"),
		sampleRegistrantAdded("ek-added"),
		sampleRegistrantJoined("ek-joined"),
		sampleWebinarEvent(gotowebinar.EventWebinarChanged, "ek-changed", "UPDATED"),
	}
	for _, body := range bodies {
		r := signedRequest(testSecret, body)
		r.Header.Set("X-Forwarded-For", "203.0.113.7")
		if w := serve(rc, r); w.Code != http.StatusOK {
			t.Fatalf("POST = %d %q, want 200", w.Code, w.Body)
		}
	}

	es := events(t, st)
	if len(es) != len(bodies) {
		t.Fatalf("event log has %d entries, want %d", len(es), len(bodies))
	}
	for i, e := range es { // newest first
		body := bodies[len(bodies)-1-i]
		if !bytes.Equal(e.Raw, []byte(body)) {
			t.Errorf("entry %d Raw = %s, want the delivered body", i, e.Raw)
		}
		if e.WebinarKey != sampleWebinarKey || e.ForwardedFor != "203.0.113.7" || e.ReceivedAt.IsZero() {
			t.Errorf("entry %d = %+v", i, e)
		}
	}
	reg, err := st.Registrant(sampleWebinarKey, sampleRegistrantKey)
	if err != nil {
		t.Fatalf("Registrant: %v", err)
	}
	if reg.RegistrantKey != sampleRegistrantKey || reg.WebinarKey != sampleWebinarKey || reg.Email != "ada@example.com" || reg.Industry != "Computing" || reg.Joins != 1 {
		t.Errorf("registrant = %+v", reg)
	}
	wb, err := st.Webinar(sampleWebinarKey)
	if err != nil {
		t.Fatalf("Webinar: %v", err)
	}
	if wb.WebinarKey != sampleWebinarKey || wb.Status != "UPDATED" || wb.Registrants != 1 || wb.Joins != 1 {
		t.Errorf("webinar = %+v", wb)
	}
}

func TestReceiver_RefusesMissingOrWrongSignatureWith401(t *testing.T) {
	t.Parallel()
	body := sampleRegistrantAdded("ek-sig")
	for _, tc := range []struct {
		name    string
		secrets []string // keys the receiver knows
		edit    func(r *http.Request)
		reason  error // the check the log line must name
	}{
		{"unsigned", []string{testSecret}, func(r *http.Request) { r.Header.Del(gotowebinar.HeaderSignature) }, gotowebinar.ErrMissingSig},
		{"no timestamp", []string{testSecret}, func(r *http.Request) { r.Header.Del(gotowebinar.HeaderSignatureTimestamp) }, gotowebinar.ErrMissingSigTime},
		{"signature not base64", []string{testSecret}, func(r *http.Request) { r.Header.Set(gotowebinar.HeaderSignature, "***") }, gotowebinar.ErrSignatureFormat},
		{"signed with another key", []string{testSecret}, func(r *http.Request) {
			r.Header.Set(gotowebinar.HeaderSignature, gotowebinar.Sign([]byte("attacker"), testTimestamp, []byte(body)))
		}, gotowebinar.ErrBadSignature},
		{"tampered body", []string{testSecret}, func(r *http.Request) {
			r.Body = io.NopCloser(strings.NewReader(strings.Replace(body, "Ada", "Eve", 1)))
		}, gotowebinar.ErrBadSignature},
		{"tampered timestamp", []string{testSecret}, func(r *http.Request) { r.Header.Set(gotowebinar.HeaderSignatureTimestamp, "1710946862346") }, gotowebinar.ErrBadSignature},
		{"no secret key known", nil, func(r *http.Request) {}, gotowebinar.ErrNoSecret},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := openStore(t)
			rc, logs := newReceiver(t, st, tc.secrets...)
			r := signedRequest(testSecret, body)
			tc.edit(r)
			w := serve(rc, r)
			if w.Code != http.StatusUnauthorized {
				t.Errorf("POST = %d, want 401", w.Code)
			}
			if c := counts(t, st); c.Events != 0 || c.Registrants != 0 || c.Webinars != 0 {
				t.Errorf("refused delivery stored something: %+v", c)
			}
			lines := logs.lines()
			if len(lines) != 1 {
				t.Fatalf("want exactly one log line, got %d:\n%s", len(lines), logs)
			}
			if !strings.Contains(lines[0], tc.reason.Error()) {
				t.Errorf("log line does not name the failed check %q:\n%s", tc.reason, lines[0])
			}
			for where, text := range map[string]string{"log": logs.String(), "response": w.Body.String()} {
				if strings.Contains(text, testSecret) {
					t.Errorf("the secret appears in the %s: %s", where, text)
				}
			}
		})
	}
}

// Signed JSON in a shape GoTo does not document is acknowledged and kept
// in the event log as received (GoTo never redelivers a 4xx), applied to
// nothing, with a log line saying why.
func TestReceiver_KeepsSignedOddlyShapedEventsRaw(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, body string }{
		{"known event without webinarKey", `{"eventName":"registrant.added","eventKey":"ek","registrantKey":1}`},
		{"webinarKey an object", `{"eventName":"registrant.added","eventKey":"ek","webinarKey":{"x":1},"registrantKey":1}`},
		{"zipCode a number", `{"eventName":"registrant.added","eventKey":"ek","webinarKey":1,"registrantKey":1,"zipCode":10115}`},
		{"a 40,000-digit key", `{"eventName":"registrant.added","eventKey":"ek","webinarKey":1,"registrantKey":` + strings.Repeat("7", 40000) + `}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := openStore(t)
			rc, logs := newReceiver(t, st, testSecret)
			if w := serve(rc, signedRequest(testSecret, tc.body)); w.Code != http.StatusOK {
				t.Errorf("POST = %d %q, want 200", w.Code, w.Body)
			}
			if c := counts(t, st); c.Events != 1 || c.Registrants != 0 || c.Webinars != 0 {
				t.Errorf("want the delivery in the log only, store has %+v", c)
			}
			if !strings.Contains(logs.String(), "kept raw only") {
				t.Errorf("no log line says the event was kept raw:\n%s", logs)
			}
		})
	}
}

func TestReceiver_RefusesSignedMalformedBodyWith400(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, body string }{
		{"invalid JSON", `{"eventName":"registrant.added",`},
		{"not an object", `[1,2,3]`},
		{"empty", ``},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := openStore(t)
			rc, logs := newReceiver(t, st, testSecret)
			if w := serve(rc, signedRequest(testSecret, tc.body)); w.Code != http.StatusBadRequest {
				t.Errorf("POST = %d %q, want 400", w.Code, w.Body)
			}
			if c := counts(t, st); c.Events != 0 || c.Registrants != 0 || c.Webinars != 0 {
				t.Errorf("malformed delivery stored something: %+v", c)
			}
			if strings.Contains(logs.String(), testSecret) {
				t.Errorf("the secret appears in the log")
			}
		})
	}
}

func TestReceiver_AcknowledgesAndLogsUnknownEvent(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	rc, _ := newReceiver(t, st, testSecret)
	body := `{"eventName":"session.ended","eventVersion":"1.0.0","product":"g2w","eventKey":"ek-unknown","webinarKey":98765432109876543210123,"sessionKey":1}`
	if w := serve(rc, signedRequest(testSecret, body)); w.Code != http.StatusOK {
		t.Fatalf("POST unknown event = %d %q, want 200", w.Code, w.Body)
	}
	es := events(t, st)
	if len(es) != 1 || es[0].EventName != "session.ended" || es[0].EventKey != "ek-unknown" || string(es[0].Raw) != body {
		t.Fatalf("event log = %+v", es)
	}
	if c := counts(t, st); c.Registrants != 0 || c.Joins != 0 {
		t.Errorf("unknown event materialized something: %+v", c)
	}
}

func TestReceiver_Answers503WhenTheStoreFails(t *testing.T) {
	t.Parallel()
	st, err := store.Open(t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rc, logs := newReceiver(t, st, testSecret)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	w := serve(rc, signedRequest(testSecret, sampleRegistrantAdded("ek-closed")))
	if w.Code != http.StatusServiceUnavailable {
		t.Errorf("POST to a closed store = %d %q, want 503 so GoTo retries", w.Code, w.Body)
	}
	if !strings.Contains(logs.String(), "ek-closed") {
		t.Errorf("store failure not logged with its eventKey:\n%s", logs)
	}
	if strings.Contains(logs.String(), testSecret) {
		t.Errorf("the secret appears in the log")
	}
}

func TestReceiver_IgnoresRedeliveryOfTheSameEventKey(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	rc, _ := newReceiver(t, st, testSecret)
	first := sampleRegistrantAdded("ek-redelivered")
	if w := serve(rc, signedRequest(testSecret, first)); w.Code != http.StatusOK {
		t.Fatalf("first delivery = %d %q", w.Code, w.Body)
	}
	before := counts(t, st)
	regBefore, err := st.Registrant(sampleWebinarKey, sampleRegistrantKey)
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{
		first, // the very same delivery
		strings.Replace(first, `"Ada"`, `"Changed"`, 1), // same eventKey, different content
	} {
		if w := serve(rc, signedRequest(testSecret, body)); w.Code != http.StatusOK {
			t.Errorf("redelivery = %d %q, want 200", w.Code, w.Body)
		}
	}
	if after := counts(t, st); after != before {
		t.Errorf("redelivery changed counts: %+v → %+v", before, after)
	}
	regAfter, err := st.Registrant(sampleWebinarKey, sampleRegistrantKey)
	if err != nil {
		t.Fatal(err)
	}
	if regAfter.FirstName != regBefore.FirstName || regAfter.FirstName != "Ada" {
		t.Errorf("redelivery changed the registrant: %q → %q", regBefore.FirstName, regAfter.FirstName)
	}
	if es := events(t, st); len(es) != 1 || string(es[0].Raw) != first {
		t.Errorf("event log = %d entries", len(es))
	}
}

func TestReceiver_DeduplicatesDeliveriesWithoutEventKeyByBody(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	rc, _ := newReceiver(t, st, testSecret)
	body := `{"eventName":"registrant.joined","webinarKey":1,"registrantKey":2,"joinTime":1710946862345}`
	for range 3 {
		if w := serve(rc, signedRequest(testSecret, body)); w.Code != http.StatusOK {
			t.Fatalf("POST = %d %q", w.Code, w.Body)
		}
	}
	if c := counts(t, st); c.Events != 1 || c.Joins != 1 {
		t.Errorf("counts = %+v, want one event and one join", c)
	}
}

func TestReceiver_AcknowledgesOnlyWhatTheStoreCommitted(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	st, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rc, _ := newReceiver(t, st, testSecret)
	body := sampleRegistrantAdded("ek-durable")
	if w := serve(rc, signedRequest(testSecret, body)); w.Code != http.StatusOK {
		t.Fatalf("POST = %d %q", w.Code, w.Body)
	}
	// Readable at once through the same store…
	if _, err := st.Registrant(sampleWebinarKey, sampleRegistrantKey); err != nil {
		t.Fatalf("after 200, Registrant: %v", err)
	}
	// …and after reopening the database from disk.
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st, err = store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	es := events(t, st)
	if len(es) != 1 || es[0].EventKey != "ek-durable" || string(es[0].Raw) != body {
		t.Fatalf("after reopen, event log = %+v", es)
	}
	reg, err := st.Registrant(sampleWebinarKey, sampleRegistrantKey)
	if err != nil || reg.RegistrantKey != sampleRegistrantKey {
		t.Errorf("after reopen, registrant = %+v, %v", reg, err)
	}
}

func TestReceiver_LimitsBodyTo256KiB(t *testing.T) {
	t.Parallel()
	base := sampleRegistrantAdded("ek-big")
	pad := func(n int) string { return base + strings.Repeat(" ", n-len(base)) }
	for _, tc := range []struct {
		name string
		size int
		want int
	}{
		{"exactly 256 KiB", gotowebinar.MaxBodyBytes, http.StatusOK},
		{"256 KiB + 1 byte", gotowebinar.MaxBodyBytes + 1, http.StatusRequestEntityTooLarge},
		{"4 MiB", 4 << 20, http.StatusRequestEntityTooLarge},
	} {
		for _, declared := range []bool{true, false} { // Content-Length, or chunked
			t.Run(fmt.Sprintf("%s/content-length %v", tc.name, declared), func(t *testing.T) {
				st := openStore(t)
				rc, _ := newReceiver(t, st, testSecret)
				body := pad(tc.size)
				r := signedRequest(testSecret, body)
				if !declared {
					r.ContentLength = -1
				}
				w := serve(rc, r)
				if w.Code != tc.want {
					t.Errorf("POST %d bytes = %d, want %d", len(body), w.Code, tc.want)
				}
				wantEvents := 0
				if tc.want == http.StatusOK {
					wantEvents = 1
				}
				if c := counts(t, st); c.Events != wantEvents {
					t.Errorf("stored %d events, want %d", c.Events, wantEvents)
				}
			})
		}
	}
}

func TestReceiver_AcceptsEveryKeyDuringRotation(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	var mu sync.Mutex
	known := []string{"old-key", "new-key"}
	keys := func() [][]byte {
		mu.Lock()
		defer mu.Unlock()
		var out [][]byte
		for _, k := range known {
			out = append(out, []byte(k))
		}
		return out
	}
	rc := gotowebinar.NewReceiver(keys, st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	for i, secret := range []string{"old-key", "new-key"} {
		if w := serve(rc, signedRequest(secret, sampleRegistrantJoined(fmt.Sprint("ek-rot-", i)))); w.Code != http.StatusOK {
			t.Errorf("delivery signed with %s = %d, want 200", secret, w.Code)
		}
	}
	// Keys are read per delivery: once the old key is retired it is refused.
	mu.Lock()
	known = []string{"new-key"}
	mu.Unlock()
	if w := serve(rc, signedRequest("old-key", sampleRegistrantJoined("ek-rot-retired"))); w.Code != http.StatusUnauthorized {
		t.Errorf("delivery signed with a retired key = %d, want 401", w.Code)
	}
	if c := counts(t, st); c.Events != 2 {
		t.Errorf("stored %d events, want 2", c.Events)
	}
}

func TestWebhookHandler_ServesOnlyTheWebhookPath(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	rc, _ := newReceiver(t, st, testSecret)
	srv := httptest.NewServer(gotowebinar.WebhookHandler(rc))
	defer srv.Close()

	body := sampleRegistrantAdded("ek-path")
	do := func(method, path string) int {
		t.Helper()
		req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set(gotowebinar.HeaderSignatureTimestamp, testTimestamp)
		req.Header.Set(gotowebinar.HeaderSignature, gotowebinar.Sign([]byte(testSecret), testTimestamp, []byte(body)))
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, path := range []string{
		"/", "/api/status", "/events", "/registrants.csv", "/login", "/settings",
		"/webinars/1/registrants.csv", "/webhooks", "/webhooks/", "/webhooks/gotowebinar/",
		"/webhooks/gotowebinar/x", "/webhooks/gotowebinarx", "/WEBHOOKS/GOTOWEBINAR",
	} {
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			if code := do(method, path); code != http.StatusNotFound {
				t.Errorf("%s %s = %d, want 404", method, path, code)
			}
		}
	}
	if c := counts(t, st); c.Events != 0 {
		t.Fatalf("a delivery to another path was stored: %+v", c)
	}
	if code := do(http.MethodGet, gotowebinar.WebhookPath); code != http.StatusOK {
		t.Errorf("GET %s = %d, want 200", gotowebinar.WebhookPath, code)
	}
	if code := do(http.MethodPost, gotowebinar.WebhookPath+"?source=goto"); code != http.StatusOK {
		t.Errorf("POST %s = %d, want 200", gotowebinar.WebhookPath, code)
	}
	if c := counts(t, st); c.Events != 1 {
		t.Errorf("stored %d events, want 1", c.Events)
	}
}

func TestReceiver_StoresConcurrentRedeliveriesOnce(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	rc, _ := newReceiver(t, st, testSecret)
	srv := httptest.NewServer(gotowebinar.WebhookHandler(rc))
	defer srv.Close()

	body := sampleRegistrantAdded("ek-concurrent")
	sig := gotowebinar.Sign([]byte(testSecret), testTimestamp, []byte(body))
	const n = 100
	var (
		wg       sync.WaitGroup
		stored   atomic.Int32
		failures = make(chan string, n)
		start    = make(chan struct{})
	)
	client := srv.Client()
	client.Transport.(*http.Transport).MaxIdleConnsPerHost = n
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, srv.URL+gotowebinar.WebhookPath, strings.NewReader(body))
			req.Header.Set(gotowebinar.HeaderSignatureTimestamp, testTimestamp)
			req.Header.Set(gotowebinar.HeaderSignature, sig)
			resp, err := client.Do(req)
			if err != nil {
				failures <- err.Error()
				return
			}
			text, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode/100 != 2 {
				failures <- fmt.Sprintf("%d %s", resp.StatusCode, text)
			}
			if resp.Header.Get(gotowebinar.HeaderResult) == "stored" {
				stored.Add(1)
			}
		}()
	}
	close(start)
	wg.Wait()
	close(failures)
	for f := range failures {
		t.Errorf("delivery failed: %s", f)
	}
	if got := stored.Load(); got != 1 {
		t.Errorf("%d responses said the event was newly stored, want exactly 1", got)
	}
	if es := events(t, st); len(es) != 1 {
		t.Errorf("event log has %d entries, want 1", len(es))
	}
	_, total, err := st.Registrants(sampleWebinarKey, store.RegistrantQuery{})
	if err != nil || total != 1 {
		t.Errorf("registrants = %d, %v; want 1", total, err)
	}
	if c := counts(t, st); c.Events != 1 || c.Registrants != 1 {
		t.Errorf("counts = %+v", c)
	}
}

// A signed delivery that can never be stored must not be answered with a
// 5xx: GoTo would retry it for ever. An out-of-range Unix-millisecond time
// is such a delivery today (see TestDecodeEvent_NeverYieldsTimesOutsideYears0To9999).
func TestReceiver_DoesNotAskGoToToRetryAnUnstorableTime(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		`{"eventName":"registrant.joined","eventKey":"ek-t1","webinarKey":1,"registrantKey":2,"joinTime":1e300}`,
		`{"eventName":"registrant.added","eventKey":"ek-t2","webinarKey":1,"registrantKey":2,"registrationDate":"253402300800000"}`,
	} {
		t.Run(body, func(t *testing.T) {
			st := openStore(t)
			rc, logs := newReceiver(t, st, testSecret)
			w := serve(rc, signedRequest(testSecret, body))
			if w.Code/100 == 5 {
				t.Errorf("POST = %d %q: GoTo will retry a delivery that can never be stored; want 400 (or 200 with the time dropped)\n%s", w.Code, w.Body, logs)
			}
		})
	}
}

// The contract: an unknown eventName is acknowledged and kept in the raw
// log. An envelope field of a shape we do not expect (a numeric
// eventVersion, say) on an event we do not know must not turn that into 400.
func TestReceiver_AcknowledgesUnknownEventWithOddEnvelopeTypes(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	rc, _ := newReceiver(t, st, testSecret)
	body := `{"eventName":"webinar.deleted","eventVersion":2,"eventKey":"ek-odd","webinarKey":1}`
	if w := serve(rc, signedRequest(testSecret, body)); w.Code != http.StatusOK {
		t.Errorf("POST unknown event with numeric eventVersion = %d %q, want 200", w.Code, w.Body)
	}
	if es := events(t, st); len(es) != 1 || string(es[0].Raw) != body {
		t.Errorf("event log = %+v, want the raw body kept", es)
	}
}
