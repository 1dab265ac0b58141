package forward_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"webinarsync/forward"
	"webinarsync/gotowebinar"
	"webinarsync/store"
)

// endpoint is the organizer's endpoint: it records what it accepts, and
// answers 503 while down.
type endpoint struct {
	mu       sync.Mutex
	down     bool
	attempts int
	got      []received
}

type received struct {
	body, eventKey   string
	provider         string
	replay, signedOK bool
}

func (ep *endpoint) handler(secret func() string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ep.mu.Lock()
		defer ep.mu.Unlock()
		ep.attempts++
		if ep.down {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		err := gotowebinar.VerifySignature([][]byte{[]byte(secret())},
			r.Header.Get(gotowebinar.HeaderSignatureTimestamp), r.Header.Get(gotowebinar.HeaderSignature), body)
		ep.got = append(ep.got, received{body: string(body), eventKey: r.Header.Get(forward.HeaderEventKey),
			provider: r.Header.Get(forward.HeaderProvider),
			replay:   r.Header.Get(forward.HeaderReplay) == "true", signedOK: err == nil})
	}
}

func (ep *endpoint) setDown(down bool) { ep.mu.Lock(); ep.down = down; ep.mu.Unlock() }

func (ep *endpoint) snapshot() (attempts int, got []received) {
	ep.mu.Lock()
	defer ep.mu.Unlock()
	return ep.attempts, slices.Clone(ep.got)
}

func openStore(t *testing.T, dir string) *store.Store {
	t.Helper()
	st, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	return st
}

// addedBody is a registrant.added as GoTo sends it, spaced oddly on
// purpose: forwarding must keep the body byte for byte.
func addedBody(eventKey, webinarKey string) string {
	return fmt.Sprintf(`{"eventName":"registrant.added", "eventVersion":"1.0.0","product":"g2w","eventKey":%q,`+
		`"timestamp":"2026-03-02T08:00:00Z","webinarKey":%s,"webinarTitle":"Launch","registrantKey":5%s,`+
		`"firstName":"Ada","lastName":"Lovelace","email":"ada@example.com","status":"APPROVED"}`, eventKey, webinarKey, webinarKey)
}

func putEvent(t *testing.T, st *store.Store, body string) {
	t.Helper()
	ev, err := gotowebinar.DecodeEvent([]byte(body))
	if err != nil {
		t.Fatalf("DecodeEvent: %v", err)
	}
	if stored, err := st.PutEvent(context.Background(), &gotowebinar.Delivery{Event: *ev, ReceivedAt: time.Now()}); err != nil || !stored {
		t.Fatalf("PutEvent = %v, %v", stored, err)
	}
}

// start runs a Forwarder until the test stops it; stop waits for Run.
func start(t *testing.T, cfg forward.Config) (f *forward.Forwarder, stop func()) {
	t.Helper()
	f, err := forward.New(cfg)
	if err != nil {
		t.Fatalf("forward.New: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); f.Run(ctx) }()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return f, stop
}

// eventually polls cond: this test talks to a real HTTP server, so it
// waits in real time, bounded.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

var fastBackoff = forward.Backoff{Min: 5 * time.Millisecond, Max: 20 * time.Millisecond}

func TestForwarder_TargetDownThenUp_DeliversEverythingOnceInOrder_AcrossRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	st := openStore(t, dir)
	var secret string
	ep := &endpoint{down: true}
	srv := httptest.NewServer(ep.handler(func() string { return secret }))
	defer srv.Close()

	_, stop := start(t, forward.Config{Store: st, Target: srv.URL, Backoff: fastBackoff})
	var err error
	if secret, err = st.ForwardSecret(); err != nil {
		t.Fatal(err)
	}
	var bodies []string
	for i := range 3 {
		bodies = append(bodies, addedBody(fmt.Sprintf("ev-%d", i), "1"))
		putEvent(t, st, bodies[i])
	}
	eventually(t, "a few refused attempts", func() bool { n, _ := ep.snapshot(); return n >= 3 })

	// Restart while the target is still down: stop the sender, close and
	// reopen the store, store two more.
	stop()
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st = openStore(t, dir)
	defer st.Close()
	f, _ := start(t, forward.Config{Store: st, Target: srv.URL, Backoff: fastBackoff})
	if again, _ := st.ForwardSecret(); again != secret {
		t.Fatalf("the forwarding secret changed across the restart")
	}
	for i := 3; i < 5; i++ {
		bodies = append(bodies, addedBody(fmt.Sprintf("ev-%d", i), "1"))
		putEvent(t, st, bodies[i])
	}
	if s := f.State(); s.Pending != 5 {
		t.Errorf("pending while down = %d, want 5", s.Pending)
	}
	eventually(t, "a failure on the home page's state", func() bool {
		s := f.State()
		return s.Phase == forward.PhaseRetrying && s.LastError != nil && s.LastError.Status == 503
	})

	ep.setDown(false)
	eventually(t, "all five delivered", func() bool { _, got := ep.snapshot(); return len(got) >= 5 })
	eventually(t, "an empty outbox", func() bool { return f.State().Pending == 0 })
	_, got := ep.snapshot()
	if len(got) != 5 {
		t.Fatalf("the endpoint accepted %d events, want each of 5 once", len(got))
	}
	for i, g := range got {
		if g.body != bodies[i] {
			t.Errorf("event %d: body %s, want %s byte for byte, in order", i, g.body, bodies[i])
		}
		if !g.signedOK {
			t.Errorf("event %d: signature does not verify with the forwarding secret", i)
		}
		if g.replay || g.eventKey != fmt.Sprintf("ev-%d", i) {
			t.Errorf("event %d: replay=%v eventKey=%q", i, g.replay, g.eventKey)
		}
	}
	eventually(t, "idle", func() bool { return f.State().Phase == forward.PhaseIdle })
	if s := f.State(); s.LastError != nil || s.LastSuccess.IsZero() {
		t.Errorf("state after recovery = %+v, want idle, no error, a last success", s)
	}
}

func TestForwarder_ReplaysAWebinarsEvents(t *testing.T) {
	t.Parallel()
	st := openStore(t, t.TempDir())
	defer st.Close()
	ep := &endpoint{}
	secret, err := st.ForwardSecret()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(ep.handler(func() string { return secret }))
	defer srv.Close()
	f, _ := start(t, forward.Config{Store: st, Target: srv.URL, Backoff: fastBackoff})

	putEvent(t, st, addedBody("a-1", "1"))
	putEvent(t, st, addedBody("b-1", "2"))
	putEvent(t, st, addedBody("a-2", "1"))
	eventually(t, "the three new events", func() bool { _, got := ep.snapshot(); return len(got) == 3 })

	n, err := f.Replay(store.ReplayQuery{WebinarKey: "1"})
	if err != nil || n != 2 {
		t.Fatalf("Replay = %d, %v; want 2", n, err)
	}
	eventually(t, "the replays", func() bool { _, got := ep.snapshot(); return len(got) == 5 })
	_, got := ep.snapshot()
	for i, want := range []string{"a-1", "a-2"} {
		g := got[3+i]
		if g.eventKey != want || !g.replay || !g.signedOK || g.body != addedBody(want, "1") {
			t.Errorf("replay %d = %+v, want %s, marked as a replay, signed", i, g, want)
		}
	}
}

func TestForwarder_SavedTargetAndFlag(t *testing.T) {
	t.Parallel()
	st := openStore(t, t.TempDir())
	defer st.Close()
	f, err := forward.New(forward.Config{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	if s := f.State(); s.Phase != forward.PhaseOff {
		t.Errorf("without a target: phase %s, want off", s.Phase)
	}
	putEvent(t, st, addedBody("not-queued", "1"))
	if err := f.SaveTarget("ftp://example.com"); err == nil {
		t.Error("SaveTarget accepted an ftp URL")
	}
	if err := f.SaveTarget("https://hooks.example.com/catch"); err != nil {
		t.Fatal(err)
	}
	putEvent(t, st, addedBody("queued", "1"))
	if s := f.State(); s.Pending != 1 || s.Target != "https://hooks.example.com/catch" || s.FromFlag {
		t.Errorf("after saving a target: %+v, want 1 pending to the saved URL", s)
	}
	// The flag wins over the saved value, which is kept.
	g, err := forward.New(forward.Config{Store: st, Target: "http://127.0.0.1:9/flag"})
	if err != nil {
		t.Fatal(err)
	}
	if target, fromFlag := g.Target(); target != "http://127.0.0.1:9/flag" || !fromFlag || g.SavedTarget() != "https://hooks.example.com/catch" {
		t.Errorf("Target = %s, %v; saved %s", target, fromFlag, g.SavedTarget())
	}
}

// roundTripFunc stands in for the network inside a synctest bubble, where
// real sockets would not let virtual time advance.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestForwarder_BacksOffExponentially_CappedAtFiveMinutes(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		st := openStore(t, t.TempDir())
		defer st.Close()
		var mu sync.Mutex
		var at []time.Time
		const failFirst = 12
		client := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			mu.Lock()
			defer mu.Unlock()
			at = append(at, time.Now())
			status := http.StatusOK
			if len(at) <= failFirst {
				status = http.StatusBadGateway
			}
			return &http.Response{StatusCode: status, Status: http.StatusText(status), Body: http.NoBody, Header: http.Header{}}, nil
		})}
		f, err := forward.New(forward.Config{Store: st, Target: "https://hooks.example.com/", Client: client})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() { defer close(done); f.Run(ctx) }()
		putEvent(t, st, addedBody("ev-1", "1"))

		time.Sleep(time.Hour)
		synctest.Wait()
		cancel()
		<-done

		mu.Lock()
		defer mu.Unlock()
		if len(at) != failFirst+1 {
			t.Fatalf("%d attempts, want %d (the last one accepted, then none)", len(at), failFirst+1)
		}
		want := []time.Duration{1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300}
		for i, w := range want {
			if got := at[i+1].Sub(at[i]); got != w*time.Second {
				t.Errorf("wait before attempt %d = %v, want %v", i+2, got, w*time.Second)
			}
		}
		if s := f.State(); s.Pending != 0 || s.Phase != forward.PhaseIdle {
			t.Errorf("state = %+v, want idle with nothing pending", s)
		}
	})
}

// A RingCentral notification is forwarded as stored, byte for byte, saying
// whose it is, beside GoTo's events.
func TestForwarder_SaysWhoseEventItForwards(t *testing.T) {
	t.Parallel()
	st := openStore(t, t.TempDir())
	defer st.Close()
	ep := &endpoint{}
	secret, err := st.ForwardSecret()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(ep.handler(func() string { return secret }))
	defer srv.Close()
	start(t, forward.Config{Store: st, Target: srv.URL, Backoff: fastBackoff})

	putEvent(t, st, addedBody("a-1", "1"))
	rc := `{"uuid":"ed1cf00c","event":"/webinar/registration/v1/company/sessions/registrants","body":{"id":"555"}}`
	if _, err := st.PutProviderEvent(context.Background(), &store.ProviderEvent{Provider: "ringcentral", ID: "ed1cf00c",
		Name: "/webinar/registration/v1/company/sessions/registrants", Raw: []byte(rc), ReceivedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "both events", func() bool { _, got := ep.snapshot(); return len(got) == 2 })
	_, got := ep.snapshot()
	if got[0].provider != "goto" || got[1].provider != "ringcentral" || got[1].body != rc ||
		got[1].eventKey != "ringcentral:ed1cf00c" || !got[1].signedOK {
		t.Errorf("forwarded %+v, want GoTo's then RingCentral's, each saying whose, signed", got)
	}
}
