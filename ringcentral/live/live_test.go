package live_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"webinarsync/ringcentral"
	"webinarsync/ringcentral/live"
	"webinarsync/ringcentral/rcsim"
	"webinarsync/store"
)

type loggedIn bool

func (l loggedIn) LoggedIn() bool { return bool(l) }

const jwt = "eyJhbGciOiJSUzI1NiJ9.test.credential"

// newPoller wires the stand-in in memory (so synctest's clock runs its
// rate limits too), a real store, and the poller between them.
func newPoller(t *testing.T, in bool) (*rcsim.Sim, *store.Store, *live.Poller) {
	t.Helper()
	st, err := store.Open(t.TempDir(), store.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	sim := rcsim.New(rcsim.Config{ClientID: "app", ClientSecret: "secret", JWT: jwt, Empty: true})
	hc := &http.Client{Transport: rcsim.Transport(sim.Handler())}
	ep := ringcentral.Endpoints{ServerURL: "https://platform.ringcentral.com"}
	ts := ringcentral.NewTokenSource(ringcentral.TokenSourceConfig{OAuth: ringcentral.OAuthConfig(ep, "app", "secret", ""), HTTP: hc, JWT: jwt}, nil)
	client := ringcentral.NewClient(ep.ServerURL, ts, ringcentral.WithHTTPClient(hc))
	return sim, st, live.New(live.Config{Store: st, Client: client, Login: loggedIn(in)})
}

// Joins during a running session reach the store (and so the live board)
// within one poll, each once however often the list is read; once the
// session ends, the polling of it stops.
func TestPoller_StoresEachJoinOnceWhileTheSessionRuns(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		sim, st, p := newPoller(t, true)
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		web, sess, err := sim.AddWebinar(ctx, "Product Roadmap Live", time.Now(), time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		ada, _ := sim.AddRegistrant(ctx, sess.ID, "Ada", "Lovelace", "ada@example.com")
		bo, _ := sim.AddRegistrant(ctx, sess.ID, "Bo", "Chen", "bo@example.com")
		if err := sim.StartSession(ctx, sess.ID); err != nil {
			t.Fatal(err)
		}
		go p.Run(ctx)
		webinar := store.ProviderKey("ringcentral", web.ID)

		joined := time.Now()
		if _, err := sim.Join(sess.ID, ada.ID); err != nil {
			t.Fatal(err)
		}
		time.Sleep(live.DefaultEvery + time.Second)
		joins, err := st.JoinsAfter(webinar, 0)
		if err != nil || len(joins) != 1 || joins[0].FirstName != "Ada" || joins[0].SessionKey != store.ProviderKey("ringcentral", sess.ID) {
			t.Fatalf("one poll after Ada joined, the store lists %+v (%v)", joins, err)
		}
		if lag := joins[0].JoinTime.Sub(joined); lag != 0 {
			t.Errorf("the join is stored at %v after it happened, want its own time", lag)
		}
		if _, err := sim.Join(sess.ID, bo.ID); err != nil {
			t.Fatal(err)
		}
		time.Sleep(3 * live.DefaultEvery)
		if joins, _ := st.JoinsAfter(webinar, 0); len(joins) != 2 {
			t.Errorf("after four polls the store lists %d joins, want Ada's and Bo's once each", len(joins))
		}
		if w, _ := st.Webinar(webinar); w.Joined != 2 {
			t.Errorf("the webinar counts %d joined, want 2", w.Joined)
		}

		if err := sim.EndSession(ctx, sess.ID); err != nil {
			t.Fatal(err)
		}
		time.Sleep(live.DefaultLook + live.DefaultEvery)
		before := len(sim.APIRequests())
		time.Sleep(10 * time.Minute)
		synctest.Wait()
		// Only the look for running sessions, once a minute.
		if n := len(sim.APIRequests()) - before; n > 10 {
			t.Errorf("%d requests in the 10 minutes after the session ended, want only the looks", n)
		}
		for _, r := range sim.APIRequests() {
			if r.Status == http.StatusTooManyRequests {
				t.Fatalf("RingCentral's limit was exceeded: %s %s answered 429", r.Method, r.Path)
			}
		}
	})
}

// Logged out, the poller asks RingCentral nothing.
func TestPoller_AsksNothingWhileLoggedOut(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		sim, _, p := newPoller(t, false)
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		go p.Run(ctx)
		time.Sleep(5 * time.Minute)
		synctest.Wait()
		if n := len(sim.APIRequests()); n != 0 {
			t.Errorf("%d requests while logged out, want none", n)
		}
	})
}
