package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"webinarsync/ringcentral/rcsim"
)

// The app credentials and JWT the demo's RingCentral stand-in knows.
const (
	demoRCClientID     = "webinarsync-demo"
	demoRCClientSecret = "webinarsync-demo-secret"
	demoRCJWT          = "webinarsync-demo-jwt"
)

// demoRingCentral is RingCentral's stand-in on a loopback port, for -demo:
// the app logs in to it with a JWT credential and keeps its subscription
// there with the same code it uses against RingCentral, so the demo shows
// both providers side by side.
type demoRingCentral struct {
	sim    *rcsim.Sim
	srv    *http.Server
	log    *slog.Logger
	config RingCentral // the stand-in's address and the credentials it knows
	every  time.Duration
}

func startDemoRingCentral(log *slog.Logger, interval time.Duration, seed int64) (*demoRingCentral, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("demo: starting the RingCentral stand-in: %w", err)
	}
	sim := rcsim.New(rcsim.Config{ClientID: demoRCClientID, ClientSecret: demoRCClientSecret, JWT: demoRCJWT,
		Logger: log, Seed: uint64(seed)})
	d := &demoRingCentral{
		sim: sim,
		srv: &http.Server{Handler: sim.Handler(), ReadHeaderTimeout: 5 * time.Second},
		log: log,
		// Slower than GoTo's events (every 2 s unless tests set it): the
		// demo is about both, not a flood.
		every: 3 * cmp.Or(interval, 2*time.Second),
	}
	base := "http://" + ln.Addr().String()
	d.config = RingCentral{ServerURL: base, ClientID: demoRCClientID, ClientSecret: demoRCClientSecret, JWT: demoRCJWT}
	go func() {
		if err := d.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("demo: the RingCentral stand-in stopped serving", "err", err)
		}
	}()
	log.Info("demo: RingCentral stand-in running", "url", base)
	return d, nil
}

// generate registers someone for an upcoming session every few seconds,
// once our subscription is there to be told, until ctx ends.
func (d *demoRingCentral) generate(ctx context.Context) {
	tick := time.NewTicker(d.every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if len(d.sim.Subscriptions()) == 0 {
			continue // not subscribed yet: nobody would be told
		}
		d.joinSomeone()
		session, ok := d.upcoming()
		if !ok {
			continue
		}
		if _, err := d.sim.AddRegistrant(ctx, session, "", "", ""); err != nil && ctx.Err() == nil {
			d.log.Warn("demo: the RingCentral stand-in could not deliver a registration", "err", err)
		}
	}
}

// joinSomeone lets a registrant of a running session join it, if one has
// not yet: the live board shows RingCentral's joins as it polls them.
func (d *demoRingCentral) joinSomeone() {
	for _, s := range d.sim.Sessions() {
		if s.Status != "Active" {
			continue
		}
		joined := map[string]bool{}
		for _, p := range d.sim.Participants(s.ID) {
			joined[p.RegistrantID] = true
		}
		for _, r := range d.sim.Registrants(s.ID) {
			if !joined[r.ID] {
				_, _ = d.sim.Join(s.ID, r.ID)
				return
			}
		}
	}
}

// upcoming is a session not held yet, to register people for.
func (d *demoRingCentral) upcoming() (string, bool) {
	for _, s := range d.sim.Sessions() {
		if s.Status == "Scheduled" {
			return s.ID, true
		}
	}
	return "", false
}

// close stops the stand-in's server; it runs last, so a cleanup on exit
// still reaches it.
func (d *demoRingCentral) close() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = d.srv.Shutdown(ctx)
}
