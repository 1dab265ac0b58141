package ui

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
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

// liveApp is the UI and the webhook receiver over one store.
type liveApp struct {
	t    testing.TB
	st   *store.Store
	ui   *Server
	web  *httptest.Server // the UI
	hook *httptest.Server // the webhook listener
	n    int              // event keys handed out
	mu   sync.Mutex
}

func newLiveApp(t testing.TB) *liveApp {
	t.Helper()
	st, err := store.Open(t.TempDir(), store.Options{})
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	discard := slog.New(slog.NewTextHandler(io.Discard, nil))
	ui := New(Config{Store: st, Addr: "127.0.0.1:0", Logger: discard})
	ui.heartbeat = time.Hour
	a := &liveApp{t: t, st: st, ui: ui}
	a.web = httptest.NewServer(ui.Handler())
	rcv := gotowebinar.NewReceiver(func() [][]byte { return [][]byte{[]byte(liveSecret)} }, st, discard)
	a.hook = httptest.NewServer(gotowebinar.WebhookHandler(rcv))
	t.Cleanup(func() {
		ui.Close()
		a.web.Close()
		a.hook.Close()
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
	req, err := http.NewRequest(http.MethodPost, a.hook.URL+gotowebinar.WebhookPath, strings.NewReader(string(body)))
	if err != nil {
		a.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(gotowebinar.HeaderSignatureTimestamp, ts)
	req.Header.Set(gotowebinar.HeaderSignature, gotowebinar.Sign([]byte(liveSecret), ts, body))
	resp, err := a.hook.Client().Do(req)
	if err != nil {
		a.t.Fatalf("delivering: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		a.t.Fatalf("delivery answered %d: %s", resp.StatusCode, b)
	}
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
	resp   *http.Response
	cancel context.CancelFunc
	events chan sseEvent
	done   chan struct{} // closed when the stream ends
}

// openStream GETs a stream URL (path on a.web) with optional headers.
func (a *liveApp) openStream(path string, header map[string]string) *sseClient {
	a.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.web.URL+path, nil)
	if err != nil {
		a.t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		a.t.Fatalf("GET %s: %v", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		cancel()
		a.t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
	}
	c := &sseClient{resp: resp, cancel: cancel, events: make(chan sseEvent, 10000), done: make(chan struct{})}
	go c.read()
	a.t.Cleanup(c.close)
	return c
}

func (c *sseClient) close() {
	c.cancel()
	c.resp.Body.Close()
	<-c.done
}

func (c *sseClient) read() {
	defer close(c.done)
	br := bufio.NewReader(c.resp.Body)
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
	timeout := time.After(within)
	for {
		select {
		case e := <-c.events:
			if event == "" || e.Event == event {
				return e
			}
		case <-c.done:
			// Drain what was read before the end.
			select {
			case e := <-c.events:
				if event == "" || e.Event == event {
					return e
				}
				continue
			default:
			}
			t.Fatalf("stream ended while waiting for a %q message", event)
		case <-timeout:
			t.Fatalf("no %q message within %v", event, within)
		}
	}
}

// quiet fails if a message of type event arrives within d.
func (c *sseClient) quiet(t testing.TB, event string, d time.Duration) {
	t.Helper()
	timeout := time.After(d)
	for {
		select {
		case e := <-c.events:
			if e.Event == event {
				t.Fatalf("unexpected %q message: id %s, %s", event, e.ID, e.Data)
			}
		case <-timeout:
			return
		}
	}
}
