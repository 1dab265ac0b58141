package app

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"webinarsync/gotowebinar/gotosim"
	"webinarsync/gotowebinar/login"
)

// The OAuth client the demo registers with its simulator.
const (
	demoClientID     = "webinarsync-demo"
	demoClientSecret = "webinarsync-demo-secret"
)

// demoGoTo is the built-in GoTo simulator serving on a loopback port, for
// -demo: the app logs in to it and registers its webhooks there with the
// same code it uses against GoTo.
type demoGoTo struct {
	sim *gotosim.Sim
	srv *http.Server
	log *slog.Logger
	// endpoints are the simulator's, with the OAuth client it knows.
	endpoints login.Endpoints
}

// demoWorldFile, in the demo data dir, keeps the simulator's world across
// restarts: the same seed gives the same organizer, webinars and keys (not
// another copy of every webinar), and the same token key lets the
// simulator accept the login an earlier run of it issued.
const demoWorldFile = "demo-simulator.json"

type demoWorld struct {
	Seed     int64     `json:"seed"`
	TokenKey []byte    `json:"tokenKey"`
	Since    time.Time `json:"since"` // when the webinars before the demo began start
}

// loadDemoWorld reads the data dir's simulator world, or makes and saves
// one the first time.
func loadDemoWorld(dir string, log *slog.Logger) demoWorld {
	path := filepath.Join(dir, demoWorldFile)
	var w demoWorld
	if b, err := os.ReadFile(path); err == nil && json.Unmarshal(b, &w) == nil && w.Seed != 0 && len(w.TokenKey) > 0 {
		return w
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	w = demoWorld{Seed: int64(binary.BigEndian.Uint64(b[:])>>1) | 1, TokenKey: make([]byte, 32),
		Since: time.Now().Add(-20 * 24 * time.Hour).UTC().Truncate(time.Second)}
	_, _ = rand.Read(w.TokenKey)
	if data, err := json.Marshal(w); err == nil {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			log.Warn("demo: could not save the simulator's world; the next start makes another", "err", err)
		}
	}
	return w
}

func startDemoGoTo(log *slog.Logger, interval time.Duration, dataDir string) (*demoGoTo, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("demo: starting the GoTo simulator: %w", err)
	}
	world := loadDemoWorld(dataDir, log)
	sim := gotosim.New(gotosim.Config{Logger: log, Interval: interval, ClientID: demoClientID, ClientSecret: demoClientSecret,
		Seed: world.Seed, TokenKey: world.TokenKey})
	// Webinars from before the demo began, which no webhook told us of: the
	// catch-up sync finds them, with their registrants and attendance.
	sim.Generator().Populate(gotosim.Population{Webinars: 3, Registrants: 40, Sessions: 1, Attend: 65,
		Start: world.Since, Every: 6 * 24 * time.Hour})
	d := &demoGoTo{
		sim: sim,
		srv: &http.Server{Handler: sim.Handler(), ReadHeaderTimeout: 5 * time.Second},
		log: log,
	}
	base := "http://" + ln.Addr().String()
	d.endpoints = login.Endpoints{
		ClientID: demoClientID, ClientSecret: demoClientSecret,
		AuthURL: base + "/oauth/authorize", TokenURL: base + "/oauth/token", APIURL: base + "/G2W/rest/v2",
	}
	go func() {
		if err := d.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("demo: the GoTo simulator stopped serving", "err", err)
		}
	}()
	log.Info("demo: GoTo simulator running", "url", base)
	return d, nil
}

// generate makes events until ctx ends; the simulator waits until a
// subscription of ours is active before it sends the first.
func (d *demoGoTo) generate(ctx context.Context) {
	if err := d.sim.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		d.log.Error("demo: the simulator stopped generating events", "err", err)
	}
}

// close stops the simulator's server; it runs last, so a cleanup on exit
// still reaches it.
func (d *demoGoTo) close() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = d.srv.Shutdown(ctx)
}
