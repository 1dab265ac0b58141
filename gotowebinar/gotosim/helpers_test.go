package gotosim_test

import (
	"bytes"
	"cmp"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"webinarsync/gotowebinar/gotosim"
)

// receiver is a webhook callback that records what GoTo (the sim) sends.
type receiver struct {
	t      *testing.T
	srv    *httptest.Server
	status func(post int) int // answer to the n-th POST (from 0); nil = 200
	get    int                // answer to GET (URL validation); 0 = 200

	mu    sync.Mutex
	posts []delivery
	gets  int
}

type delivery struct {
	body   []byte
	header http.Header
	at     time.Time
}

func newReceiver(t *testing.T, status func(post int) int) *receiver {
	t.Helper()
	r := &receiver{t: t, status: status}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
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

func (r *receiver) URL() string { return r.srv.URL + "/webhooks/gotowebinar" }

func (r *receiver) received() []delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]delivery(nil), r.posts...)
}

// waitFor polls until the receiver has at least n deliveries.
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

// call makes one REST call with a bearer token ("" sends none) and a JSON
// body (nil sends none), returning the status and the body.
func call(t *testing.T, method, url, token string, body any) (int, []byte) {
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
	resp, err := http.DefaultClient.Do(req)
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
