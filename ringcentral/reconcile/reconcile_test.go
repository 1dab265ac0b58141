package reconcile_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/oauth2"

	"webinarsync/ringcentral"
	"webinarsync/ringcentral/rcsim"
	"webinarsync/ringcentral/reconcile"
	"webinarsync/store"
)

const tunnelURL = "https://calm-otter.ngrok.app"

// loggedIn is a RingCentral login that is there: the login itself is
// ringcentral/login's and tested there.
type loggedIn struct{}

func (loggedIn) LoggedIn() bool { return true }

func (loggedIn) MarkExpired() {}

// fixture is RingCentral's stand-in and our side, wired in memory so the
// whole exchange runs in a synctest bubble: the sim's handshakes and
// deliveries reach our receiver, which stores into a real store.
type fixture struct {
	sim  *rcsim.Sim
	st   *store.Store
	rec  *reconcile.Reconciler
	down atomic.Bool // our webhook answers 503, as a laptop gone would
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{}
	st, err := store.Open(t.TempDir(), store.Options{Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	f.st = st
	ours := ringcentral.WebhookHandler(ringcentral.NewReceiver(func() []string { return f.rec.Tokens() }, sink{st}, quiet()))
	webhook := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f.down.Load() && r.Header.Get("Validation-Token") == "" {
			http.Error(w, "gone", http.StatusServiceUnavailable)
			return
		}
		ours.ServeHTTP(w, r)
	})
	f.sim = rcsim.New(rcsim.Config{Empty: true, ClientID: "app", ClientSecret: "secret", JWT: jwt,
		Client: &http.Client{Transport: rcsim.Transport(webhook)}})
	f.rec = reconcile.New(reconcile.Config{Store: st, Client: jwtClient(f.sim), Login: loggedIn{}, Logger: quiet()})
	return f
}

const jwt = "eyJhbGciOiJSUzI1NiJ9.test.credential"

// jwtClient calls the sim as the app does after a JWT login: the token
// source logs in at first use and again when the access token expires.
func jwtClient(sim *rcsim.Sim) *ringcentral.Client {
	hc := &http.Client{Transport: rcsim.Transport(sim.Handler())}
	ep := ringcentral.Endpoints{ServerURL: "https://platform.ringcentral.com"}
	ts := ringcentral.NewTokenSource(ringcentral.TokenSourceConfig{
		OAuth: ringcentral.OAuthConfig(ep, "app", "secret", ""), HTTP: hc, JWT: jwt}, nil)
	return ringcentral.NewClient(ep.ServerURL, ts, ringcentral.WithHTTPClient(hc))
}

// sink stores notifications as the app does.
type sink struct{ st *store.Store }

func (s sink) PutNotification(ctx context.Context, d *ringcentral.Delivery) (bool, error) {
	return s.st.PutProviderEvent(ctx, &store.ProviderEvent{Provider: "ringcentral", ID: d.UUID,
		Name: string(d.Kind), WebinarID: d.WebinarID, Raw: d.Raw, ReceivedAt: d.ReceivedAt})
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// only returns the one subscription the sim holds.
func (f *fixture) only(t *testing.T) rcsim.SubscriptionInfo {
	t.Helper()
	subs := f.sim.Subscriptions()
	if len(subs) != 1 {
		t.Fatalf("RingCentral holds %d subscriptions, want exactly ours: %+v", len(subs), subs)
	}
	return subs[0]
}

// A first run makes our subscription after RingCentral's handshake, and
// RingCentral's deliveries then reach the store, once each.
func TestReconcile_SubscribesAfterTheHandshakeAndDeliveriesAreStored(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t)
		ctx := t.Context()
		if err := f.rec.Repoint(ctx, tunnelURL+"/"); err != nil {
			t.Fatalf("Repoint: %v", err)
		}
		sub := f.only(t)
		if sub.Address != tunnelURL+ringcentral.WebhookPath || sub.Status != "Active" {
			t.Errorf("subscription at %s, %s; want Active at our webhook", sub.Address, sub.Status)
		}
		st := f.rec.Status()
		if st.Problem != nil || st.Subscription == nil || st.Subscription.ID != sub.ID {
			t.Errorf("Status = %+v, want the subscription and no problem", st)
		}
		if got := time.Until(st.Subscription.ExpirationTime); got < 23*time.Hour || got > 25*time.Hour {
			t.Errorf("it expires in %v, want a day", got)
		}

		_, sess, err := f.sim.AddWebinar(ctx, "Quarterly All-Hands", time.Now().Add(48*time.Hour), time.Hour)
		if err != nil {
			t.Fatalf("AddWebinar: %v", err)
		}
		if _, err := f.sim.AddRegistrant(ctx, sess.ID, "Zoë", "Ngata", "zoe@example.com"); err != nil {
			t.Fatalf("AddRegistrant: %v", err)
		}
		if c, _ := f.st.Counts(); c.Events != 2 {
			t.Errorf("%d events stored, want the session's and the registrant's", c.Events)
		}
		// A second run changes nothing at RingCentral.
		if err := f.rec.Reconcile(ctx); err != nil {
			t.Fatal(err)
		}
		if again := f.only(t); again.ID != sub.ID {
			t.Errorf("a second run made subscription %s, want %s kept", again.ID, sub.ID)
		}
	})
}

// Run renews the subscription before it expires, on the virtual clock.
func TestReconcile_RenewsBeforeExpiry(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t)
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		if err := f.rec.Repoint(ctx, tunnelURL); err != nil {
			t.Fatal(err)
		}
		first := f.only(t)
		go f.rec.Run(ctx)
		// Three days: without renewals it would have expired twice.
		time.Sleep(72 * time.Hour)
		synctest.Wait()
		now := f.only(t)
		if now.ID != first.ID {
			t.Errorf("the subscription was replaced (%s → %s), want it renewed", first.ID, now.ID)
		}
		if left := time.Until(now.Expires); left < reconcile.DefaultRenewAhead {
			t.Errorf("after three days it expires in %v, want more than %v", left, reconcile.DefaultRenewAhead)
		}
	})
}

// A subscription RingCentral blacklisted after our webhook failed for ten
// minutes is replaced by a new one on the next run.
func TestReconcile_ReplacesABlacklistedSubscription(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t)
		ctx := t.Context()
		if err := f.rec.Repoint(ctx, tunnelURL); err != nil {
			t.Fatal(err)
		}
		old := f.only(t)
		f.down.Store(true)
		_, sess, _ := f.sim.AddWebinar(ctx, "Launch", time.Now().Add(time.Hour), time.Hour)
		for range 12 {
			time.Sleep(time.Minute)
			_, _ = f.sim.AddRegistrant(ctx, sess.ID, "", "", "")
		}
		if got := f.only(t); got.Status != "Blacklisted" {
			t.Fatalf("after 12 minutes of failures the subscription is %s, want Blacklisted", got.Status)
		}
		f.down.Store(false)
		if err := f.rec.Reconcile(ctx); err != nil {
			t.Fatalf("Reconcile: %v", err)
		}
		now := f.only(t)
		if now.ID == old.ID || now.Status != "Active" {
			t.Errorf("after the run: %s %s, want a new Active subscription", now.ID, now.Status)
		}
		if _, err := f.sim.AddRegistrant(ctx, sess.ID, "Ana", "Lima", "ana@example.com"); err != nil {
			t.Errorf("a delivery to the new subscription: %v", err)
		}
	})
}

// A new tunnel URL moves the subscription there; cleanup leaves nothing.
func TestReconcile_FollowsTheTunnelAndCleansUp(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t)
		ctx := t.Context()
		if err := f.rec.Repoint(ctx, tunnelURL); err != nil {
			t.Fatal(err)
		}
		const moved = "https://brave-heron.ngrok.app"
		if err := f.rec.Repoint(ctx, moved); err != nil {
			t.Fatal(err)
		}
		if got := f.only(t); got.Address != moved+ringcentral.WebhookPath {
			t.Errorf("after the move the subscription delivers to %s", got.Address)
		}
		if err := f.rec.Cleanup(ctx); err != nil {
			t.Fatalf("Cleanup: %v", err)
		}
		if subs := f.sim.Subscriptions(); len(subs) != 0 {
			t.Errorf("after cleanup RingCentral holds %+v", subs)
		}
	})
}

// A webhook that does not answer the handshake leaves no subscription and
// a problem the page can word.
func TestReconcile_AFailedHandshakeIsAProblemNotASubscription(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t)
		f.sim = rcsim.New(rcsim.Config{Empty: true, ClientID: "app", ClientSecret: "secret", JWT: jwt,
			Client: &http.Client{Transport: rcsim.Transport(http.NotFoundHandler())}})
		rec := reconcile.New(reconcile.Config{Store: f.st, Client: jwtClient(f.sim), Login: loggedIn{}, Logger: quiet()})
		if err := rec.Reconcile(t.Context()); err != reconcile.ErrNoPublicURL {
			t.Errorf("Reconcile before the tunnel has a URL: %v, want ErrNoPublicURL", err)
		}
		err := rec.Repoint(t.Context(), tunnelURL)
		if err == nil {
			t.Fatal("Repoint succeeded with a webhook that never answers the handshake")
		}
		st := rec.Status()
		if st.Problem == nil || st.Problem.Kind != ringcentral.ProblemAddressRefused {
			t.Errorf("Status().Problem = %+v, want %s", st.Problem, ringcentral.ProblemAddressRefused)
		}
		if subs := f.sim.Subscriptions(); len(subs) != 0 {
			t.Errorf("RingCentral holds %+v", subs)
		}
	})
}

// A subscription at our address that we have no record of (its create's
// answer was lost, say) is deleted rather than left delivering twice.
func TestReconcile_DropsAStraySubscriptionAtOurAddress(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t)
		ctx := t.Context()
		f.rec.Tokens() // nothing on file yet
		stray, err := jwtClient(f.sim).CreateSubscription(ctx, ringcentral.NewSubscription{
			Address: tunnelURL + ringcentral.WebhookPath, ExpiresIn: time.Hour})
		if err != nil {
			t.Fatalf("making the stray: %v", err)
		}
		if err := f.rec.Repoint(ctx, tunnelURL); err != nil {
			t.Fatal(err)
		}
		if got := f.only(t); got.ID == stray.ID {
			t.Errorf("the stray %s was kept instead of ours", stray.ID)
		}
	})
}

// expiring is a login RingCentral has stopped accepting: it records being
// told so.
type expiring struct{ marked atomic.Bool }

func (*expiring) LoggedIn() bool { return true }
func (e *expiring) MarkExpired() { e.marked.Store(true) }

// An access token RingCentral refuses outright marks the login expired, so
// the card asks to log in again instead of saying "Logged in".
func TestReconcile_ARefusedTokenMarksTheLoginExpired(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t)
		hc := &http.Client{Transport: rcsim.Transport(f.sim.Handler())}
		client := ringcentral.NewClient("https://platform.ringcentral.com",
			oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "revoked-long-ago"}), ringcentral.WithHTTPClient(hc))
		lg := &expiring{}
		rec := reconcile.New(reconcile.Config{Store: f.st, Client: client, Login: lg, Logger: quiet()})
		if err := rec.Repoint(t.Context(), tunnelURL); err == nil {
			t.Fatal("Repoint succeeded with a token RingCentral refuses")
		}
		if !lg.marked.Load() {
			t.Error("the login was not marked expired")
		}
		if p := rec.Status().Problem; p == nil || p.Kind != ringcentral.ProblemLoginExpired {
			t.Errorf("Status().Problem = %+v, want %s", p, ringcentral.ProblemLoginExpired)
		}
	})
}
