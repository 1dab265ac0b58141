// Package rcsim is a stand-in for RingCentral Webinar, for tests and for
// `webinarsync -demo`. It owns what RingCentral owns in real life:
//
//   - OAuth (oauth.go): an auto-approving authorize page, the token
//     endpoint with authorization code + PKCE, JWT login and rotating
//     refresh tokens that expire, and revoke, answering errors in
//     RingCentral's shape;
//   - webinar webhook subscriptions (subscriptions.go) with the
//     Validation-Token handshake, expiry, renewal and blacklisting after
//     failed deliveries (deliver.go);
//   - the webinar REST resources (resources.go), token paged, over a small
//     believable world (world.go) that helpers change while delivering the
//     matching notifications;
//   - RingCentral's rate-limit groups (limits.go) with the X-Rate-Limit-*
//     headers and 429 penalties.
//
// Every time comes from Config.Now, so tests can run it under
// testing/synctest. The notification bodies are inferred (RingCentral
// documents none): tests must not over-fit them.
package rcsim

import (
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// Config tunes a Sim. The zero value works: any client, no JWT login.
type Config struct {
	// ClientID and ClientSecret, when set, are the only client credentials
	// the OAuth endpoints accept.
	ClientID, ClientSecret string
	// JWT is the credential the jwt-bearer grant accepts; "" refuses JWT
	// logins.
	JWT string

	Now    func() time.Time // nil = time.Now
	Client *http.Client     // makes validation requests and deliveries; nil = a client with a 10 s timeout
	Logger *slog.Logger     // nil = discard

	AccessTTL  time.Duration // access-token lifetime; 0 = 1 h
	RefreshTTL time.Duration // refresh-token lifetime; 0 = 7 days
	Limits     Limits        // rate-limit groups; zero fields = RingCentral's defaults

	// ValidationTokenOnDeliveries sends the verification token in a
	// Validation-Token header, as RingCentral's current guide shows,
	// instead of Verification-Token (its spec and older guide).
	ValidationTokenOnDeliveries bool

	Seed  uint64 // the generated world; the same seed makes the same world
	Empty bool   // start with no webinars
}

// OwnerID is the RingCentral user the sim logs in as.
const OwnerID = "256440016"

// AccountID is that user's account.
const AccountID = "400131"

// Stats counts deliveries; a validation request is not one.
type Stats struct {
	Delivered    int // POSTs made
	Acknowledged int // answered 2xx in time
	Failed       int // anything else
	Throttled    int // REST and OAuth requests answered 429
}

// Sim is a simulated RingCentral Webinar. Its methods are safe for
// concurrent use.
type Sim struct {
	cfg    Config
	log    *slog.Logger
	client *http.Client
	now    func() time.Time

	mu      sync.Mutex
	codes   map[string]authCode
	access  map[string]grant // access token → its grant
	refresh map[string]grant // refresh token → its grant
	subs    []*subscription  // in creation order
	world   world
	stats   Stats

	meter meter
}

// New returns a Sim with a generated world (none with Config.Empty).
func New(cfg Config) *Sim {
	s := &Sim{
		cfg:     cfg,
		log:     cfg.Logger,
		client:  cfg.Client,
		codes:   make(map[string]authCode),
		access:  make(map[string]grant),
		refresh: make(map[string]grant),
	}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if s.client == nil {
		s.client = &http.Client{
			Timeout: 10 * time.Second,
			// RingCentral does not follow a webhook address's redirects.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	// RingCentral's times have milliseconds: holding no finer ones lets
	// tests compare what the sim holds with what its API says.
	s.now = func() time.Time { return now().UTC().Truncate(time.Millisecond) }
	if s.cfg.AccessTTL <= 0 {
		s.cfg.AccessTTL = time.Hour
	}
	if s.cfg.RefreshTTL <= 0 {
		s.cfg.RefreshTTL = 7 * 24 * time.Hour
	}
	s.meter.limits = cfg.Limits.withDefaults()
	s.world = newWorld(cfg.Seed)
	if !cfg.Empty {
		s.world.populate(s.now())
	}
	return s
}

// Handler serves the OAuth endpoints under /restapi/oauth/ and the webinar
// APIs under /webinar/, as RingCentral's one platform host does.
func (s *Sim) Handler() http.Handler {
	api := http.NewServeMux()
	s.subscriptionRoutes(api)
	s.resourceRoutes(api)

	mux := http.NewServeMux()
	mux.HandleFunc("GET /restapi/oauth/authorize", s.limited(groupAuth, s.authorize))
	mux.HandleFunc("POST /restapi/oauth/token", s.limited(groupAuth, s.token))
	mux.HandleFunc("POST /restapi/oauth/revoke", s.limited(groupAuth, s.revoke))
	mux.Handle("/webinar/", s.requireToken(api))
	return mux
}

// Stats returns the delivery and throttling counts so far.
func (s *Sim) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.Throttled = s.meter.throttled()
	return st
}

// randomToken returns 256 random bits as text, for codes and tokens.
func randomToken() string { return rand.Text() + rand.Text() }

// randomUUID returns a random UUID, the shape of subscription ids and
// notification uuids.
func randomUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// isoTime is how RingCentral writes times: UTC, milliseconds, Z.
func isoTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}
