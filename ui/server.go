// Package ui owns the organizer's web interface: templ pages for the
// webinars, registrants and event log, the CSV downloads, the JSON status
// and the middleware that keeps all of it to this computer.
package ui

import (
	"cmp"
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"webinarsync/assets"
	"webinarsync/store"
	"webinarsync/tunnel"
)

// Config holds what the UI needs from the rest of the app.
type Config struct {
	Store  *store.Store
	Logger *slog.Logger // nil: slog.Default()
	Addr   string       // the UI's listen address (host:port), for the Host check; port "0" or "" = any port
	Demo   bool         // running against the built-in simulator: say so on every page
	// SecretKeys counts the keys deliveries are checked against (stored,
	// from the environment, the simulator's); nil counts the stored ones.
	SecretKeys func() int

	// Each dependency below is optional: without it, its routes are not
	// served and its panels are not shown.

	Login    Login    // the GoTo login and its OAuth client
	Webhooks Webhooks // our webhooks at GoTo
	// Deliveries are the recent requests to the webhook path.
	Deliveries Deliveries
	Tunnel     func() tunnel.State // nil: tunnel off
	// TunnelSettings is the ngrok section of the settings page.
	TunnelSettings TunnelSettings
	// Sync is the catch-up sync from GoTo's REST API.
	Sync Syncer
	// Registrants adds and removes registrants at GoTo.
	Registrants RegistrantControl
	// Forward forwards stored events to the organizer's endpoint.
	Forward Forwarding
	// RingCentral is the second provider, when it is set up.
	RingCentral RingCentral
	// RingCentralLogin is its browser login and logout.
	RingCentralLogin RingCentralLogin
	// RingCentralSettings is its section of the settings page.
	RingCentralSettings RingCentralSettings

	// Poll is how often the home and setup pages check for changes in the
	// browser; 0 means every 3 s on the home page and 2 s on setup. Tests
	// shorten it.
	Poll time.Duration
}

// Server renders the UI. Build it with New.
type Server struct {
	store  *store.Store
	tunnel func() tunnel.State
	log    *slog.Logger
	addr   string
	keys   func() int
	demo   bool
	now    func() time.Time

	login          Login
	webhooks       Webhooks
	deliveries     Deliveries
	tunnelSettings TunnelSettings
	sync           Syncer
	registrants    RegistrantControl
	forward        Forwarding
	ringCentral    RingCentral
	rcLogin        RingCentralLogin
	rcSettings     RingCentralSettings

	hops hops          // one-time passes for the login's hop between hosts
	poll time.Duration // Config.Poll

	heartbeat  time.Duration // live streams' idle heartbeat; tests shorten it
	boardEvery time.Duration // least time between two renderings of the live boards; tests shorten it
	streams    *streams      // the live streams' broker and shutdown
}

// New builds a Server from cfg.
func New(cfg Config) *Server {
	s := &Server{
		store:  cfg.Store,
		tunnel: cfg.Tunnel,
		log:    cfg.Logger,
		addr:   cfg.Addr,
		demo:   cfg.Demo,
		now:    time.Now,
		keys:   cfg.SecretKeys,

		poll:           cfg.Poll,
		login:          cfg.Login,
		webhooks:       cfg.Webhooks,
		deliveries:     cfg.Deliveries,
		tunnelSettings: cfg.TunnelSettings,
		sync:           cfg.Sync,
		registrants:    cfg.Registrants,
		forward:        cfg.Forward,
		ringCentral:    cfg.RingCentral,
		rcLogin:        cfg.RingCentralLogin,
		rcSettings:     cfg.RingCentralSettings,

		heartbeat:  defaultHeartbeat,
		boardEvery: boardEvery,
		streams:    newStreams(),
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.keys == nil {
		s.keys = func() int { return len(s.store.SecretKeys()) }
	}
	return s
}

// pollSeconds is how often a page's script checks for changes, in the
// data-poll attribute's seconds: Config.Poll, else fallback.
func (s *Server) pollSeconds(fallback time.Duration) string {
	return strconv.FormatFloat(cmp.Or(s.poll, fallback).Seconds(), 'f', -1, 64)
}

// Handler is the whole UI: every route, behind the Host check, the
// cross-origin protection for state-changing requests and the security
// headers.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	s.routes(mux)
	// CrossOriginProtection lets safe methods through and refuses unsafe
	// ones (POST, …) sent by another site, so wrapping the whole mux covers
	// every state-changing route, including ones added later.
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(refuseCrossOrigin))
	return securityHeaders(s.checkHost(cop.Handler(mux)))
}

// routes registers every route, in one place.
func (s *Server) routes(mux *http.ServeMux) {
	mux.Handle("GET /{$}", s.page(s.home))
	mux.Handle("GET /webinars/{webinarKey}", s.page(s.webinar))
	mux.Handle("GET /webinars/{webinarKey}/live", s.page(s.live))
	mux.Handle("GET /webinars/{webinarKey}/live/events", s.page(s.liveEvents))
	mux.Handle("GET /events", s.page(s.events))
	mux.Handle("GET /events/stream", s.page(s.eventStream))
	mux.Handle("GET /search", s.page(s.search))
	mux.Handle("GET /api/status", s.page(s.status))
	mux.Handle("GET /setup", s.page(s.setup))
	mux.Handle("GET /backup", s.page(s.backup))
	mux.Handle("GET /webinars/{webinarKey}/registrants/{registrantKey}/erase", s.page(s.confirmErase))
	mux.Handle("POST /webinars/{webinarKey}/registrants/{registrantKey}/erase", s.page(s.eraseRegistrant))
	mux.Handle("GET /webinars/{webinarKey}/delete", s.page(s.confirmDeleteWebinar))
	mux.Handle("POST /webinars/{webinarKey}/delete", s.page(s.deleteWebinar))
	mux.Handle("POST /erase", s.page(s.eraseByAddress))
	mux.Handle("POST /api/erase", s.page(s.apiErase))
	mux.Handle("POST /settings/retention", s.page(s.saveRetention))
	// Every download as CSV and as its .xlsx twin at the same path.
	for _, f := range []format{csvFormat, xlsxFormat} {
		mux.Handle("GET /webinars/{webinarKey}/registrants"+f.ext, s.page(s.webinarRegistrants(f)))
		mux.Handle("GET /webinars/{webinarKey}/noshows"+f.ext, s.page(s.noShows(f)))
		mux.Handle("GET /webinars/{webinarKey}/attendees"+f.ext, s.page(s.attendees(f)))
		mux.Handle("GET /registrants"+f.ext, s.page(s.allRegistrants(f)))
	}
	mux.Handle("GET "+assets.Prefix, assets.Handler())
	mux.Handle("/", s.page(s.notFound))
	// Each dependency's routes exist only with it; without, they are 404.
	if s.login != nil {
		mux.Handle("POST /logout", s.page(s.logout))
		mux.Handle("GET /login", s.page(s.startLogin))
		mux.Handle("GET /oauth/callback", s.page(s.oauthCallback))
		mux.Handle("GET /settings", s.page(s.settingsPage))
		mux.Handle("POST /settings", s.page(s.saveSettings))
		mux.Handle("POST /settings/keys/{keyID}/revoke", s.page(s.revokeKey))
		mux.Handle("POST /settings/organizer", s.page(s.saveOrganizerKey))
	}
	if s.rcLogin != nil {
		mux.Handle("GET "+RingCentralLoginPath, s.page(s.startRingCentralLogin))
		mux.Handle("GET "+RingCentralCallbackPath, s.page(s.ringCentralCallback))
		mux.Handle("POST "+RingCentralLogoutPath, s.page(s.logoutRingCentral))
	}
	if s.rcSettings != nil {
		mux.Handle("POST "+RingCentralSettingsPath, s.page(s.saveRingCentralSettings))
	}
	if s.tunnelSettings != nil {
		mux.Handle("POST /settings/ngrok", s.page(s.saveNgrokSettings))
	}
	if s.webhooks != nil {
		mux.Handle("POST /webhooks/cleanup", s.page(s.removeWebhooks))
		mux.Handle("POST /webhooks/setup", s.page(s.setUpWebhooks))
		mux.Handle("POST /webhooks/renew-key", s.page(s.renewKey))
	}
	if s.records() != nil {
		mux.Handle("GET /deliveries", s.page(s.deliveriesPage))
		mux.Handle("GET /deliveries/events", s.page(s.deliveryEvents))
		mux.Handle("GET /deliveries/{id}", s.page(s.deliveryPage))
		mux.Handle("POST /deliveries/{id}/verify", s.page(s.verifyDelivery))
	}
	if s.forward != nil {
		mux.Handle("POST /events/replay", s.page(s.replay))
		mux.Handle("POST /settings/forward", s.page(s.saveForward))
	}
	if s.sync != nil {
		mux.Handle("POST /sync", s.page(s.syncNow))
		mux.Handle("GET /sync/progress", s.page(s.syncProgress))
	}
	if s.registrants != nil {
		mux.Handle("POST /webinars/{webinarKey}/registrants", s.page(s.addRegistrant))
		mux.Handle("GET /webinars/{webinarKey}/registrants/{registrantKey}/remove", s.page(s.confirmRemove))
		mux.Handle("POST /webinars/{webinarKey}/registrants/{registrantKey}/remove", s.page(s.removeRegistrant))
	}
}

// accountContext bounds the calls a page makes to GoTo (its API may hang).
func accountContext(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), 10*time.Second)
}
