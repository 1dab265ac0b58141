package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"webinarsync/gotowebinar"
	"webinarsync/ringcentral"
	rccatchup "webinarsync/ringcentral/catchup"
	rclive "webinarsync/ringcentral/live"
	rclogin "webinarsync/ringcentral/login"
	rcreconcile "webinarsync/ringcentral/reconcile"
	"webinarsync/store"
)

// ProviderRingCentral names RingCentral Webinar in the store's keys.
const ProviderRingCentral = "ringcentral"

// RingCentral is RingCentral's endpoints and our app's credentials (the
// RINGCENTRAL_* environment); -demo points it at the built-in stand-in.
// What it leaves empty, the settings page may set. RingCentral is served
// while a client id or a JWT credential is known, from either.
type RingCentral struct {
	ServerURL    string // RINGCENTRAL_SERVER_URL; "" = https://platform.ringcentral.com
	ClientID     string // RINGCENTRAL_CLIENT_ID
	ClientSecret string // RINGCENTRAL_CLIENT_SECRET
	JWT          string // RINGCENTRAL_JWT: log in without a browser
}

// ringCentral is the RingCentral side, wired: the login, the API client,
// the subscription reconciler, the catch-up sync, and the receiver with
// its deliveries.
type ringCentral struct {
	login      *rclogin.Login
	client     *ringcentral.Client
	webhooks   *rcreconcile.Reconciler
	sync       *rccatchup.CatchUp
	joins      *rclive.Poller // joins by polling: RingCentral sends no join event
	receiver   *ringcentral.Receiver
	deliveries *ringcentral.Deliveries
	log        *slog.Logger
}

func newRingCentral(st *store.Store, c RingCentral, hc *http.Client, records *store.DeliveryLog, log *slog.Logger) (*ringCentral, error) {
	lg, err := rclogin.New(rclogin.Config{Store: st, Logger: log.With("component", "ringcentral-login"),
		Endpoints:  ringcentral.Endpoints{ServerURL: c.ServerURL},
		HTTPClient: hc, ClientID: c.ClientID, ClientSecret: c.ClientSecret, JWT: c.JWT})
	if err != nil {
		return nil, fmt.Errorf("restoring the RingCentral login: %w", err)
	}
	opts := []ringcentral.Option{ringcentral.WithLogger(log.With("component", "ringcentral-api"))}
	if hc != nil {
		opts = append(opts, ringcentral.WithHTTPClient(hc))
	}
	// The login's endpoints: the environment's server, else the one saved
	// on the settings page.
	client := ringcentral.NewClient(lg.Endpoints().APIBase(), lg.TokenSource(), opts...)
	rc := &ringCentral{login: lg, client: client, deliveries: &ringcentral.Deliveries{}, log: log}
	rc.webhooks = rcreconcile.New(rcreconcile.Config{Store: st, Client: client, Login: lg, Logins: lg.Watch(),
		Logger: log.With("component", "ringcentral-subscription")})
	rc.sync = rccatchup.New(rccatchup.Config{Store: st, Client: client, Login: lg, Logins: lg.Watch(),
		Logger: log.With("component", "ringcentral-sync")})
	rc.joins = rclive.New(rclive.Config{Store: st, Client: client, Login: lg, Logins: lg.Watch(),
		Logger: log.With("component", "ringcentral-joins")})
	// A stored notification is a hint (RingCentral documents no bodies):
	// the catch-up reads what changed, so the pages follow within its pass.
	rc.receiver = ringcentral.NewReceiver(rc.webhooks.Tokens, providerSink{st: st, stored: rc.sync.Hint},
		log.With("component", "ringcentral-receiver"))
	rc.receiver.Observer = rcObserver{mem: rc.deliveries, records: records}
	if records != nil {
		// An erasure blanks what the card's summary keeps of them too.
		records.AlsoScrub(func(match func(eventKey string, body []byte) bool) {
			rc.deliveries.Scrub(func(o ringcentral.Outcome) bool {
				return match(store.ProviderKey(ProviderRingCentral, o.UUID), o.Body)
			})
		})
	}
	return rc, nil
}

// run keeps the subscription and, with a JWT credential and no login yet,
// logs in without the organizer.
func (rc *ringCentral) run(ctx context.Context, bg *sync.WaitGroup) {
	bg.Go(func() { rc.webhooks.Run(ctx) })
	bg.Go(func() { rc.sync.Run(ctx) })
	bg.Go(func() { rc.joins.Run(ctx) })
	if st := rc.login.State(); st.JWT && st.Status != rclogin.LoggedIn {
		bg.Go(func() {
			if err := rc.login.LogInWithJWT(ctx); err != nil && ctx.Err() == nil {
				rc.log.Warn("logging in to RingCentral with the JWT credential failed", "err", err)
			}
		})
	}
}

// Cleanup deletes our subscription at RingCentral: -cleanup-on-exit, and
// "Log out" with its box ticked.
func (rc *ringCentral) Cleanup(ctx context.Context) error { return rc.cleanup(ctx) }

// cleanup deletes our subscription at RingCentral.
func (rc *ringCentral) cleanup(ctx context.Context) error {
	err := rc.webhooks.Cleanup(ctx)
	if errors.Is(err, ringcentral.ErrNotLoggedIn) {
		return nil
	}
	return err
}

// providerSink stores RingCentral's verified notifications as the store's
// provider-neutral events.
type providerSink struct {
	st     *store.Store
	stored func() // after a new one is on disk; it must not block
}

func (s providerSink) PutNotification(ctx context.Context, d *ringcentral.Delivery) (bool, error) {
	stored, err := s.st.PutProviderEvent(ctx, &store.ProviderEvent{Provider: ProviderRingCentral, ID: d.UUID, Name: rcEventName(d.Kind, d.Event),
		WebinarID: d.WebinarID, Raw: d.Raw, ReceivedAt: d.ReceivedAt, ForwardedFor: d.ForwardedFor})
	if stored && s.stored != nil {
		s.stored()
	}
	return stored, err
}

// The RingCentral side as the pages see it (ui.RingCentral).

func (rc *ringCentral) LoginState() rclogin.State { return rc.login.State() }

func (rc *ringCentral) SubscriptionStatus() rcreconcile.Status { return rc.webhooks.Status() }

func (rc *ringCentral) SyncStatus() rccatchup.Status { return rc.sync.Status() }

func (rc *ringCentral) SyncNow() { rc.sync.Kick() }

func (rc *ringCentral) DeliverySummary(now time.Time) ringcentral.DeliverySummary {
	return rc.deliveries.Summary(now)
}

// rcObserver keeps what became of each request to RingCentral's webhook
// path: in memory for the home page's counts, and in the durable record
// the Deliveries page lists beside GoTo's, so a refused one is seen.
type rcObserver struct {
	mem     *ringcentral.Deliveries
	records *store.DeliveryLog // nil: memory only
}

func (o rcObserver) Observe(out ringcentral.Outcome) {
	o.mem.Observe(out)
	if o.records == nil {
		return
	}
	key := ""
	if out.UUID != "" {
		key = store.ProviderKey(ProviderRingCentral, out.UUID) // as the event is stored, so the record links to it
	}
	o.records.ObserveRecord(store.DeliveryRecord{Provider: ProviderRingCentral, At: out.At,
		Result: gotowebinar.Result(out.Result), Check: ringcentral.CheckCode(out.Check), EventName: rcEventName(out.Kind, out.Event), EventKey: key,
		Bytes: out.Bytes, Took: out.Took, Method: out.Method, RemoteAddr: out.RemoteAddr, ForwardedFor: out.ForwardedFor,
		Header: out.Header, Body: out.Body})
}

// rcEventName is how a RingCentral event is named in the event log and
// the delivery record: its filter, or for one we do not know the event in
// RingCentral's words without the ids a query may carry (names are listed).
func rcEventName(k ringcentral.Kind, event string) string {
	if f := k.Filter(); f != "" {
		return f
	}
	name, _, _ := strings.Cut(event, "?")
	return name
}

// The RingCentral side as a provider.

func (rc *ringCentral) name() string { return "RingCentral" }

func (rc *ringCentral) webhook() (string, http.Handler) {
	return ringcentral.WebhookPath, whileSetUp{setUp: rc.login.SetUp, h: rc.receiver}
}

// whileSetUp serves h only while RingCentral is set up: before, and after
// the settings page clears it, its path is a 404 like any unknown path,
// so the internet learns nothing of a provider we do not use.
type whileSetUp struct {
	setUp func() bool
	h     http.Handler
}

func (w whileSetUp) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	if !w.setUp() {
		http.NotFound(rw, r)
		return
	}
	w.h.ServeHTTP(rw, r)
}

func (rc *ringCentral) subscriptions() repointer { return rc.webhooks }
