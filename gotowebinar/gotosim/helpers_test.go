package gotosim_test

import (
	"bytes"
	"cmp"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"webinarsync/gotowebinar/gotosim"
)

// receiver is a webhook callback that records what GoTo (the sim) sends.
type receiver struct {
	t      *testing.T
	srv    *httptest.Server   // nil when served in memory (see RoundTrip)
	status func(post int) int // answer to the n-th POST (from 0); nil = 200
	get    int                // answer to GET (URL validation); 0 = 200

	mu     sync.Mutex
	posts  []delivery
	gets   int
	closed bool // in memory: refuses connections, as a closed server does
}

type delivery struct {
	body   []byte
	header http.Header
	at     time.Time
}

// newReceiver serves a receiver on a loopback httptest server.
func newReceiver(t *testing.T, status func(post int) int) *receiver {
	t.Helper()
	r := &receiver{t: t, status: status}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

// memReceiverHost is where an in-memory receiver listens.
const memReceiverHost = "receiver.test"

// newMemReceiver is a receiver without the network, for synctest bubbles,
// whose clock cannot advance while a goroutine waits on a real socket: the
// sim reaches it through client.
func newMemReceiver(t *testing.T, status func(post int) int) *receiver {
	return &receiver{t: t, status: status}
}

// client reaches an in-memory receiver; give it to the sim as Config.Client.
func (r *receiver) client() *http.Client {
	return &http.Client{
		Transport: r,
		// As the sim's own client: GoTo does not follow redirects.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// RoundTrip serves a request to an in-memory receiver.
func (r *receiver) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	closed := r.closed
	r.mu.Unlock()
	if closed || req.URL.Host != memReceiverHost {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	}
	return serveInMemory(http.HandlerFunc(r.serve), req)
}

// close makes the receiver refuse connections from now on.
func (r *receiver) close() {
	if r.srv != nil {
		r.srv.Close()
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if req.Method == http.MethodGet {
		r.gets++
		w.WriteHeader(cmp.Or(r.get, http.StatusOK))
		return
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		r.t.Errorf("receiver: reading body: %v", err)
	}
	n := len(r.posts)
	r.posts = append(r.posts, delivery{body: body, header: req.Header.Clone(), at: time.Now()})
	if r.status != nil {
		w.WriteHeader(r.status(n))
	}
}

func (r *receiver) answerGET(status int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.get = status
}

func (r *receiver) getCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.gets
}

func (r *receiver) URL() string {
	if r.srv == nil {
		return "http://" + memReceiverHost + "/webhooks/gotowebinar"
	}
	return r.srv.URL + "/webhooks/gotowebinar"
}

func (r *receiver) received() []delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]delivery(nil), r.posts...)
}

// waitFor polls until the receiver has at least n deliveries, failing
// after within; in a synctest bubble both are virtual time.
func (r *receiver) waitFor(n int, within time.Duration) []delivery {
	r.t.Helper()
	deadline := time.Now().Add(within)
	for {
		got := r.received()
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("received %d deliveries within %v, want at least %d", len(got), within, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// clock is a settable Config.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2025, 3, 14, 15, 9, 26, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// startSim serves a sim's Handler on a loopback httptest server.
func startSim(t *testing.T, cfg gotosim.Config) (*gotosim.Sim, *httptest.Server) {
	t.Helper()
	sim := gotosim.New(cfg)
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	return sim, srv
}

// handlerTransport serves every request in memory with a handler.
type handlerTransport struct{ http.Handler }

func (h handlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	return serveInMemory(h.Handler, req)
}

// serveInMemory answers req with h as a server would, without a socket.
func serveInMemory(h http.Handler, req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		defer req.Body.Close()
	}
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	// The handler sees the request as a server would: a path, not a URL.
	in := req.Clone(req.Context())
	in.RequestURI = req.URL.RequestURI()
	in.URL = &url.URL{Path: req.URL.Path, RawPath: req.URL.RawPath, RawQuery: req.URL.RawQuery}
	in.RemoteAddr = "192.0.2.1:50000"
	if in.Body == nil {
		in.Body = http.NoBody
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, in)
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}

// startSimInMemory is a sim whose Handler is reached through the returned
// client, for synctest bubbles; its root URL is memSimURL.
func startSimInMemory(cfg gotosim.Config) (*gotosim.Sim, *http.Client) {
	sim := gotosim.New(cfg)
	return sim, &http.Client{Transport: handlerTransport{sim.Handler()}}
}

// memSimURL is the root of a sim served in memory.
const memSimURL = "http://gotosim.test"

// call makes one REST call with a bearer token ("" sends none) and a JSON
// body (nil sends none), returning the status and the body.
func call(t *testing.T, method, url, token string, body any) (int, []byte) {
	t.Helper()
	return callVia(t, http.DefaultClient, method, url, token, body)
}

// callVia is call through hc.
func callVia(t *testing.T, hc *http.Client, method, url, token string, body any) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, out
}

func mustUnmarshal(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decoding %s: %v", b, err)
	}
}
