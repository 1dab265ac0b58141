package ui

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"webinarsync/gotowebinar"
	"webinarsync/gotowebinar/gotosim"
	"webinarsync/store"
)

// The live board's tests run the real thing: a real store, the UI over
// httptest, a real HTTP client reading the stream, and signed deliveries
// through the real receiver on a second httptest server.

const liveSecret = "live-test-secret"

// liveWebinar is the webinar the live tests deliver to.
var liveWebinar = gotosim.Webinar{
	Key: "81234567890123456789", Title: "Launch Live", ExperienceType: "CLASSIC",
	RecurrenceType: "single_session", OrganizerKey: "7098512343098123456", AccountKey: "3141592653589793238",
	TimeZone: "Europe/Berlin",
}

// liveEvents is the live webinar's stream.
var liveEvents = liveURL(liveWebinar.Key) + "/events"

// person is registrant n of the live webinar.
func person(n int) gotosim.Registrant {
	return gotosim.Registrant{
		Key:       "5" + strings.Repeat("0", 18-len(strconv.Itoa(n))) + strconv.Itoa(n),
		FirstName: "Person", LastName: "Nr" + strconv.Itoa(n),
		Email:        "p" + strconv.Itoa(n) + "@example.com",
		Organization: "Org " + strconv.Itoa(n),
		Status:       "Approved", Registered: time.Now().Add(-time.Hour),
	}
}

// liveApp is the UI and the webhook receiver over one store, served over
// loopback (newLiveApp) or in process (newLiveAppInProcess).
type liveApp struct {
	t     testing.TB
	st    *store.Store
	ui    *Server
	uiH   http.Handler     // the UI, as the app serves it
	hookH http.Handler     // the webhook listener
	web   *httptest.Server // the UI; nil in process
	hook  *httptest.Server // the webhook listener; nil in process
	n     int              // event keys handed out
	mu    sync.Mutex
}

// newLiveApp serves the UI and the receiver on loopback httptest servers.
func newLiveApp(t testing.TB) *liveApp {
	t.Helper()
	a := newLiveAppInProcess(t)
	a.web = httptest.NewServer(a.uiH)
	a.hook = httptest.NewServer(a.hookH)
	return a
}

// newLiveAppInProcess calls the handlers directly, without sockets, so
// that a synctest bubble holds everything and its clock can jump.
func newLiveAppInProcess(t testing.TB) *liveApp {
	t.Helper()
	_, isTest := t.(*testing.T) // benchmarks measure the fsyncs too
	discard := slog.New(slog.DiscardHandler)
	st, err := store.Open(t.TempDir(), store.Options{NoSync: isTest, Logger: discard})
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	ui := New(Config{Store: st, Addr: "127.0.0.1:0", Logger: discard})
	ui.heartbeat = time.Hour
	if _, ok := t.(*testing.T); ok {
		// Tests wait for board renderings; benchmarks measure the product's pace.
		ui.boardEvery = 20 * time.Millisecond
	}
	rcv := gotowebinar.NewReceiver(func() [][]byte { return [][]byte{[]byte(liveSecret)} }, st, discard)
	a := &liveApp{t: t, st: st, ui: ui, uiH: ui.Handler(), hookH: gotowebinar.WebhookHandler(rcv)}
	t.Cleanup(func() {
		// Close first: an httptest server's Close waits for open streams.
		ui.Close()
		if a.web != nil {
			a.web.Close()
			a.hook.Close()
		}
	})
	return a
}

func (a *liveApp) eventKey() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.n++
	return "live-ev-" + strconv.Itoa(a.n)
}

// deliver signs body and posts it as GoTo would; it returns when the
// delivery is acknowledged.
func (a *liveApp) deliver(body []byte) {
	a.t.Helper()
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req, err := http.NewRequest(http.MethodPost, gotowebinar.WebhookPath, bytes.NewReader(body))
	if err != nil {
		a.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(gotowebinar.HeaderSignatureTimestamp, ts)
	req.Header.Set(gotowebinar.HeaderSignature, gotowebinar.Sign([]byte(liveSecret), ts, body))
	if code, answer := a.do(a.hook, a.hookH, req); code != http.StatusOK {
		a.t.Fatalf("delivery answered %d: %s", code, answer)
	}
}

// fetch GETs a path of the UI, as a browser on this computer would.
func (a *liveApp) fetch(path string) (int, string) {
	a.t.Helper()
	req, err := http.NewRequest(http.MethodGet, path, nil)
	if err != nil {
		a.t.Fatal(err)
	}
	return a.do(a.web, a.uiH, req)
}

// do sends req, whose URL is a path, to srv, or to h in process when srv
// is nil, and returns the answer's status and body.
func (a *liveApp) do(srv *httptest.Server, h http.Handler, req *http.Request) (int, string) {
	a.t.Helper()
	if srv == nil {
		req.Host = "127.0.0.1"
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code, rec.Body.String()
	}
	u, err := url.Parse(srv.URL)
	if err != nil {
		a.t.Fatal(err)
	}
	req.URL.Scheme, req.URL.Host = u.Scheme, u.Host
	resp, err := srv.Client().Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// barrier registers someone new and returns the id of the no-show row
// every tab of the webinar is sent for them. A stream's messages arrive in
// order, so once that row arrived, nothing about earlier changes is still
// to come: tests wait for it rather than for a fixed time.
func (a *liveApp) barrier(w gotosim.Webinar) string {
	a.mu.Lock()
	a.n++
	p := person(900000 + a.n)
	a.mu.Unlock()
	a.register(w, p)
	return "noshow-" + p.Key
}

func (a *liveApp) createWebinar(w gotosim.Webinar) {
	a.deliver(gotosim.WebinarCreatedJSON(a.eventKey(), time.Now(), w, gotosim.Form{}))
}

func (a *liveApp) register(w gotosim.Webinar, r gotosim.Registrant) {
	a.deliver(gotosim.RegistrantAddedJSON(a.eventKey(), time.Now(), w, r, gotosim.Form{}))
}

func (a *liveApp) join(w gotosim.Webinar, session string, r gotosim.Registrant, at time.Time) {
	a.deliver(gotosim.RegistrantJoinedJSON(a.eventKey(), at, w, session, r, at, gotosim.Form{}))
}

// sseEvent is one message read from a stream.
type sseEvent struct {
	Event, ID, Data string
	Comment         string
	At              time.Time // when the client read its last line
}

// sseClient reads a stream in the background.
type sseClient struct {
	header http.Header
	body   io.ReadCloser
	cancel context.CancelFunc
	events chan sseEvent
	done   chan struct{} // closed when the stream ends
}

// openStream GETs a stream URL (a path of the UI) with optional headers.
func (a *liveApp) openStream(path string, header map[string]string) *sseClient {
	a.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, path, nil)
	if err != nil {
		a.t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	c := &sseClient{cancel: cancel, events: make(chan sseEvent, 10000), done: make(chan struct{})}
	status := 0
	if a.web == nil {
		status, c.header, c.body = a.streamInProcess(req)
	} else {
		req.URL, err = url.Parse(a.web.URL + path)
		if err != nil {
			a.t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			cancel()
			a.t.Fatalf("GET %s: %v", path, err)
		}
		status, c.header, c.body = resp.StatusCode, resp.Header, resp.Body
	}
	if status != http.StatusOK {
		b, _ := io.ReadAll(c.body)
		c.body.Close()
		cancel()
		a.t.Fatalf("GET %s: %d %s", path, status, b)
	}
	go c.read()
	a.t.Cleanup(c.close)
	return c
}

// streamInProcess serves req on the UI handler in a goroutine, its body
// written into a pipe, and returns once the handler wrote its header.
func (a *liveApp) streamInProcess(req *http.Request) (int, http.Header, io.ReadCloser) {
	req.Host = "127.0.0.1"
	pr, pw := io.Pipe()
	w := &pipeResponse{header: http.Header{}, body: pw, started: make(chan struct{})}
	go func() {
		a.uiH.ServeHTTP(w, req)
		w.WriteHeader(http.StatusOK) // a handler that wrote nothing answered 200
		pw.Close()
	}()
	<-w.started
	return w.status, w.sent, pr
}

// pipeResponse is a ResponseWriter whose body the test reads as it is
// written, like a browser reading a stream.
type pipeResponse struct {
	header  http.Header
	sent    http.Header // the header as written
	status  int
	started chan struct{} // closed by the first WriteHeader
	body    *io.PipeWriter
}

func (p *pipeResponse) Header() http.Header { return p.header }

func (p *pipeResponse) WriteHeader(code int) {
	if p.status != 0 {
		return
	}
	p.status, p.sent = code, p.header.Clone()
	close(p.started)
}

func (p *pipeResponse) Write(b []byte) (int, error) {
	p.WriteHeader(http.StatusOK)
	return p.body.Write(b)
}

// Flush does nothing: each Write reaches the reader at once.
func (p *pipeResponse) Flush() {}

func (c *sseClient) close() {
	c.cancel()
	c.body.Close()
	<-c.done
}

func (c *sseClient) read() {
	defer close(c.done)
	br := bufio.NewReader(c.body)
	var ev sseEvent
	var data []string
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\n")
		switch {
		case line == "":
			if ev.Event != "" || len(data) > 0 || ev.Comment != "" {
				ev.Data = strings.Join(data, "\n")
				ev.At = time.Now()
				c.events <- ev
			}
			ev, data = sseEvent{}, nil
		case strings.HasPrefix(line, ":"):
			ev.Comment = strings.TrimSpace(line[1:])
		default:
			field, value, _ := strings.Cut(line, ":")
			value = strings.TrimPrefix(value, " ")
			switch field {
			case "event":
				ev.Event = value
			case "id":
				ev.ID = value
			case "data":
				data = append(data, value)
			}
		}
	}
}

// next returns the next message of type event (any type when ""), failing
// the test after within.
func (c *sseClient) next(t testing.TB, event string, within time.Duration) sseEvent {
	t.Helper()
	return c.await(t, fmt.Sprintf("a %q message", event), within, func(e sseEvent) bool {
		return event == "" || e.Event == event
	})
}

// joins waits for n joins, however they come: a row each, runs of rows,
// or, in a flood, the keys of those not sent as rows.
func (c *sseClient) joins(t testing.TB, n int, within time.Duration) {
	t.Helper()
	got := 0
	for got < n {
		e := c.await(t, fmt.Sprintf("join %d of %d", got+1, n), within, func(e sseEvent) bool {
			return e.Event == "join" || e.Event == "joined"
		})
		if e.Event == "joined" {
			got += len(strings.Fields(e.Data))
		} else {
			got += strings.Count(e.Data, `id="join-`)
		}
	}
}

// quietUntil fails if a message of type event arrives before the no-show
// row whose id a.barrier returned.
func (c *sseClient) quietUntil(t testing.TB, event, barrier string) {
	t.Helper()
	c.await(t, "the row "+barrier, 3*time.Second, func(e sseEvent) bool {
		if e.Event == event {
			t.Fatalf("unexpected %q message: id %s, %s", event, e.ID, e.Data)
		}
		return e.Event == "noshow" && strings.Contains(e.Data, `id="`+barrier+`"`)
	})
}

// await returns the first message that match accepts, failing the test
// when the stream ends or within passes before one arrives.
func (c *sseClient) await(t testing.TB, what string, within time.Duration, match func(sseEvent) bool) sseEvent {
	t.Helper()
	timeout := time.After(within)
	for {
		select {
		case e := <-c.events:
			if match(e) {
				return e
			}
		case <-c.done:
			// Drain what was read before the end.
			select {
			case e := <-c.events:
				if match(e) {
					return e
				}
				continue
			default:
			}
			t.Fatalf("stream ended while waiting for %s", what)
		case <-timeout:
			t.Fatalf("no %s within %v", what, within)
		}
	}
}

// holds reports whether the broker still serves t: false once dropped.
func (b *broker) holds(t *tab) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	_, ok := b.topics[t.webinar].tabs[t]
	return ok
}
