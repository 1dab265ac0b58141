// Package gotosim is a stand-in for GoTo Webinar, for tests and for
// `webinarsync -demo`. It owns three things GoTo owns in real life:
//
//   - the OAuth authorize/token pair (auto-approving, with PKCE S256 and
//     refresh tokens);
//   - the webhook REST API of GoTo's v2 spec: secret keys, webhooks and user
//     subscriptions, with GoTo's states, callback validation by GET and its
//     403 InvalidToken answer;
//   - the webinars, registrants, sessions and attendees REST API, paged as
//     GoTo pages it, serving what the generator made (resources.go), with
//     injected 429s and an enforceable rate limit (meter.go);
//   - an event generator (Run) that signs realistic events with the current
//     secret key and POSTs them to the registered callbacks, retrying on
//     network errors and 5xx as GoTo does.
//
// The events deliberately use every spelling GoTo's documents disagree on
// (keys as bare numbers above 2^53 or as strings, both responses shapes,
// ISO and Unix-millisecond joinTimes, "Industry" and "industry", …), so the
// app's tolerant decoder is exercised for real.
package gotosim

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Config tunes a Sim. The zero value works.
type Config struct {
	Logger   *slog.Logger     // nil = discard
	Seed     int64            // deterministic event data for tests; 0 = time-based
	Interval time.Duration    // gap between generated events after the initial burst; 0 = 2s
	Client   *http.Client     // used to deliver and to validate callback URLs; nil = a client with a 10s timeout
	Now      func() time.Time // nil = time.Now

	TokenTTL     time.Duration // access-token lifetime; 0 = 1h, as GoTo's
	RetryBackoff time.Duration // wait before the first delivery retry, doubled for each next one; 0 = 200ms

	// ClientID and ClientSecret, when set, are the only OAuth client
	// credentials the token endpoint accepts; empty accepts any client.
	ClientID     string
	ClientSecret string

	// LegacyTokenKeys answers token requests in the old token host's
	// shape, which named the organizer (organizer_key, account_key, e-mail
	// and name), instead of today's, which names only a principal.
	LegacyTokenKeys bool
	// RefuseIdentity and RefuseAdmin, when not 0, are the HTTP status the
	// "who am I" endpoints answer instead (identity.go): 403 as for a
	// client without the identity:scim.me scope, or a user who is no admin.
	RefuseIdentity int
	RefuseAdmin    int

	// TokenKey, when set, signs the access and refresh tokens the sim
	// issues, so that a Sim made again with the same key (and Seed: the
	// same organizer and webinars) accepts the tokens an earlier one
	// issued, as GoTo accepts a login across restarts of webinarsync.
	TokenKey []byte
}

// Stats counts delivery attempts; a retry is another attempt. A POST cut
// short because the caller's context ended is not counted.
type Stats struct {
	Generated    int // events Run produced
	Dropped      int // events that had no callback to go to
	Delivered    int // POSTs made, retries included
	Acknowledged int // POSTs answered 2xx
	Refused      int // POSTs answered 3xx or 4xx: not retried
	Failed       int // POSTs answered 5xx or not at all: retried
}

// ErrNoCallbacks is returned by Deliver when nobody listens for the event:
// no AddCallback URL and no active subscription for its eventName.
var ErrNoCallbacks = errors.New("gotosim: no callback for this event")

// Sim is a simulated GoTo Webinar. Its methods are safe for concurrent use.
type Sim struct {
	log      *slog.Logger
	client   *http.Client
	now      func() time.Time
	interval time.Duration
	tokenTTL time.Duration
	backoff  time.Duration
	clientID string
	secret   string
	gen      *Generator
	running  atomic.Bool

	legacyToken                 bool   // Config.LegacyTokenKeys
	refuseIdentity, refuseAdmin int    // Config.RefuseIdentity, RefuseAdmin
	tokenKey                    []byte // Config.TokenKey

	mu        sync.Mutex
	secrets   []secretKey // in creation order
	callbacks []string    // AddCallback URLs
	webhooks  []*webhook  // in creation order
	subs      []*subscription
	codes     map[string]authCode
	tokens    map[string]time.Time // access token → expiry
	refresh   map[string]string    // refresh token → client_id
	changed   chan struct{}        // closed and replaced when delivery targets change
	stats     Stats

	api apiMeter // REST requests seen, injected 429s, rate limit (meter.go)
}

type secretKey struct {
	id        int64
	value     string
	validFrom time.Time
}

// New returns a Sim with a fresh webhook secret key.
func New(cfg Config) *Sim {
	s := &Sim{
		log:      cfg.Logger,
		client:   cfg.Client,
		now:      cfg.Now,
		interval: cfg.Interval,
		tokenTTL: cfg.TokenTTL,
		backoff:  cfg.RetryBackoff,
		clientID: cfg.ClientID,
		secret:   cfg.ClientSecret,
		codes:    make(map[string]authCode),
		tokens:   make(map[string]time.Time),
		refresh:  make(map[string]string),
		changed:  make(chan struct{}),

		legacyToken:    cfg.LegacyTokenKeys,
		refuseIdentity: cfg.RefuseIdentity,
		refuseAdmin:    cfg.RefuseAdmin,
		tokenKey:       cfg.TokenKey,
	}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if s.client == nil {
		s.client = &http.Client{
			Timeout: 10 * time.Second,
			// GoTo does not follow redirects from a callback URL.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.interval <= 0 {
		s.interval = 2 * time.Second
	}
	if s.tokenTTL <= 0 {
		s.tokenTTL = time.Hour
	}
	if s.backoff <= 0 {
		s.backoff = 200 * time.Millisecond
	}
	s.gen = NewGenerator(cfg.Seed, s.now)
	s.secrets = []secretKey{{id: randomID(), value: randomToken(), validFrom: s.now().UTC()}}
	return s
}

// Handler serves GoTo's OAuth endpoints (/oauth/authorize, /oauth/token),
// the "who am I" endpoints at the API origin (identity.go), and the REST
// API rooted at "/" (/webhooks…, /userSubscriptions…, /organizers/…),
// which is also reachable under GoTo's own prefix /G2W/rest/v2.
func (s *Sim) Handler() http.Handler {
	rest := http.NewServeMux()
	rest.HandleFunc("POST /webhooks/secretkey", s.createSecretKey)
	rest.HandleFunc("POST /webhooks", s.createWebhooks)
	rest.HandleFunc("GET /webhooks", s.listWebhooks)
	rest.HandleFunc("PUT /webhooks", s.updateWebhooks)
	rest.HandleFunc("DELETE /webhooks", s.deleteWebhooks)
	rest.HandleFunc("GET /webhooks/{webhookKey}", s.getWebhook)
	rest.HandleFunc("POST /userSubscriptions", s.createSubscriptions)
	rest.HandleFunc("GET /userSubscriptions", s.listSubscriptions)
	rest.HandleFunc("PUT /userSubscriptions", s.updateSubscriptions)
	rest.HandleFunc("DELETE /userSubscriptions", s.deleteSubscriptions)
	rest.HandleFunc("GET /userSubscriptions/{userSubscriptionKey}", s.getSubscription)
	s.resourceRoutes(rest) // webinars, registrants, sessions, attendees (resources.go)
	api := s.meter(s.requireToken(rest))

	mux := http.NewServeMux()
	mux.HandleFunc("GET /oauth/authorize", s.authorize)
	mux.HandleFunc("POST /oauth/token", s.token)
	mux.HandleFunc("GET "+IdentityMePath, s.usersMe)
	mux.HandleFunc("GET "+AdminMePath, s.adminMe)
	mux.Handle("/webhooks", api)
	mux.Handle("/webhooks/", api)
	mux.Handle("/userSubscriptions", api)
	mux.Handle("/userSubscriptions/", api)
	mux.Handle("/organizers/", api)
	mux.Handle("/G2W/rest/v2/", http.StripPrefix("/G2W/rest/v2", api))
	return mux
}

// SecretKey is the webhook secret key deliveries are signed with now: the
// newest key whose validFrom has passed.
func (s *Sim) SecretKey() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.currentSecretLocked().value
}

func (s *Sim) currentSecretLocked() secretKey {
	now := s.now()
	cur := s.secrets[0]
	for _, k := range s.secrets[1:] {
		if !k.validFrom.After(now) {
			cur = k
		}
	}
	return cur
}

// AddCallback makes every event go to url as well, without the REST
// registration dance; for tests and for demos that skip it.
func (s *Sim) AddCallback(url string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !slices.Contains(s.callbacks, url) {
		s.callbacks = append(s.callbacks, url)
	}
	s.targetsChangedLocked()
}

// Stats returns the delivery counts so far.
func (s *Sim) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// OrganizerKey is the organizer the sim logs in as and whose webinars it
// generates.
func (s *Sim) OrganizerKey() string { return s.gen.OrganizerKey() }

// Generator is the sim's event generator, for tests that want to know what
// was generated (its webinars, say).
func (s *Sim) Generator() *Generator { return s.gen }

// IssueToken returns a valid access token without the OAuth dance, for
// tests of REST clients.
func (s *Sim) IssueToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	tok := randomToken()
	s.tokens[tok] = s.now().Add(s.tokenTTL)
	return tok
}

// targetsChangedLocked wakes a Run waiting for someone to deliver to.
func (s *Sim) targetsChangedLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// randomToken returns 256 random bits as text, for secrets, codes and
// tokens, which must not follow the seed.
func randomToken() string { return rand.Text() + rand.Text() }

// randomUUID returns a random UUID, the shape of GoTo's webhook and
// subscription keys.
func randomUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// randomID returns a positive number of a size GoTo uses for secret key ids.
func randomID() int64 {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return int64(binary.BigEndian.Uint64(b[:])>>24) + 1
}
