// Package login owns the organizer's RingCentral login: the browser login
// (authorization code with state and PKCE) or the JWT login, the tokens
// kept in the store and refreshed ahead of expiry, and whether RingCentral
// still accepts them. It says what state the login is in; ui says it in
// words.
package login

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"webinarsync/ringcentral"
	"webinarsync/store"
)

// Where the login and the settings page's values are kept; the login as
// JSON. The names are a storage contract: databases written today must
// restore tomorrow.
const (
	settingLogin        = "ringcentral.login"
	settingClientID     = "ringcentral.clientID"
	settingClientSecret = "ringcentral.clientSecret"
	settingJWT          = "ringcentral.jwt"
	settingServerURL    = "ringcentral.serverURL"
)

// pendingTTL bounds how long a browser login may wait for RingCentral's
// redirect.
const pendingTTL = 10 * time.Minute

// maxPending bounds the browser logins waiting at once: somebody who keeps
// starting logins only ever needs the newest.
const maxPending = 16

// ErrNotStarted: RingCentral's redirect names a login this app did not
// start, started more than ten minutes ago, or finished already.
var ErrNotStarted = errors.New("ringcentral login: this login was not started here, or took too long")

// ErrNoClient: no RingCentral client id is set, so no login can start.
var ErrNoClient = errors.New("ringcentral login: the client id is not set")

// ErrNoJWT: a JWT login was asked for, but no JWT credential is set.
var ErrNoJWT = errors.New("ringcentral login: the JWT credential is not set")

// ErrBadServerURL: the server URL typed on the settings page is not an
// http(s) address of a host.
var ErrBadServerURL = errors.New("ringcentral login: the server URL must be a full https:// address")

// Status is where the login is in its life.
type Status string

// The login's statuses.
const (
	LoggedOut Status = "logged_out"
	LoggedIn  Status = "logged_in"
	Expired   Status = "expired" // the refresh was refused or its token lapsed: log in again
)

// Method is how the organizer logged in.
type Method string

// The login methods.
const (
	MethodBrowser Method = "browser" // authorization code with PKCE
	MethodJWT     Method = "jwt"     // the JWT credential from RingCentral's developer console
)

// State is the login as pages show it.
type State struct {
	Status  Status
	Method  Method // "" when logged out
	OwnerID string // the RingCentral user (extension) logged in
	// RefreshExpiry is when the refresh token lapses, so a page can say
	// "log in again by …"; zero when unknown or logged out. A JWT login
	// logs itself in again then.
	RefreshExpiry time.Time
	Configured    bool // a client id is set, so a login can start
	JWT           bool // a JWT credential is set, so LogInWithJWT can work
}

// Config is what New needs. The app fills the credentials from
// RINGCENTRAL_CLIENT_ID, RINGCENTRAL_CLIENT_SECRET and RINGCENTRAL_JWT,
// and Endpoints from RINGCENTRAL_SERVER_URL; "" means not set, and the
// value saved on the settings page (if any) is used instead.
type Config struct {
	Store      *store.Store
	Logger     *slog.Logger // nil: discard
	Endpoints  ringcentral.Endpoints
	HTTPClient *http.Client // nil: 30 s timeout

	ClientID, ClientSecret, JWT string
}

// Login is the organizer's RingCentral login. Its zero value is not
// usable; build it with New.
type Login struct {
	store *store.Store
	log   *slog.Logger
	ep    ringcentral.Endpoints // the environment's server URL, else the saved one, read at New
	hc    *http.Client

	// The environment's values; "" falls back to the settings page's,
	// read from the store at each use so a change applies at once.
	envClientID, envClientSecret, envJWT string
	envServerURL                         bool // RINGCENTRAL_SERVER_URL is set

	// saveMu keeps the saves of the login in order, so an older picture
	// of it never overwrites a newer one (nor a logout).
	saveMu sync.Mutex

	mu            sync.Mutex
	tokens        *ringcentral.TokenSource // nil when logged out
	tok           *oauth2.Token            // the newest token, to save
	method        Method
	ownerID       string
	refreshExpiry time.Time
	relogin       bool // tokens logs in again with the JWT when a refresh is refused
	refused       bool // RingCentral refused to refresh (or log in again): kept across restarts
	rejected      bool // RingCentral refused the access token (MarkExpired): until a new token
	pending       map[string]pending
	watchers      []chan struct{}
}

// pending is a browser login waiting for RingCentral's redirect.
type pending struct {
	verifier, redirectURI string
	expires               time.Time
}

// saved is the login as kept in the store. The owner and the refresh
// token's expiry are kept beside the token because its extras, where
// RingCentral put them, do not survive JSON.
type saved struct {
	Token         *oauth2.Token `json:"token"`
	Method        Method        `json:"method"`
	OwnerID       string        `json:"ownerId,omitempty"`
	RefreshExpiry time.Time     `json:"refreshExpiry,omitzero"`
	Refused       bool          `json:"refused,omitempty"`
}

// New restores a saved login, if any. A saved login that no longer reads
// is logged and treated as logged out: the organizer logs in again.
func New(c Config) (*Login, error) {
	if c.Store == nil {
		return nil, errors.New("ringcentral login: no store")
	}
	l := &Login{
		store:           c.Store,
		log:             cmp.Or(c.Logger, slog.New(slog.DiscardHandler)),
		ep:              c.Endpoints,
		hc:              c.HTTPClient,
		envClientID:     strings.TrimSpace(c.ClientID),
		envClientSecret: strings.TrimSpace(c.ClientSecret),
		envJWT:          strings.TrimSpace(c.JWT),
		envServerURL:    strings.TrimSpace(c.Endpoints.ServerURL) != "",
		pending:         make(map[string]pending),
	}
	if l.hc == nil {
		l.hc = &http.Client{Timeout: 30 * time.Second}
	}
	if !l.envServerURL {
		// Read once: the API Client the app builds on Endpoints keeps it.
		saved, err := l.store.Setting(settingServerURL)
		if err != nil {
			return nil, fmt.Errorf("reading the saved RingCentral server URL: %w", err)
		}
		l.ep.ServerURL = saved
	}
	var s saved
	ok, err := l.store.SettingJSON(settingLogin, &s)
	switch {
	case errors.Is(err, store.ErrUnreadableSetting):
		l.log.Warn("the saved RingCentral login is unreadable; log in again", "err", err)
	case err != nil:
		return nil, fmt.Errorf("reading the saved RingCentral login: %w", err)
	case ok && s.Token != nil:
		l.useLocked(s.Token, cmp.Or(s.Method, MethodBrowser), l.credentials())
		// The extras are gone after JSON: what was saved beside the token says it.
		l.ownerID, l.refreshExpiry, l.refused = s.OwnerID, s.RefreshExpiry, s.Refused
	}
	return l, nil
}

// Endpoints are the RingCentral platform this login talks to; the API
// Client is built on Endpoints().APIBase().
func (l *Login) Endpoints() ringcentral.Endpoints { return l.ep }

// HTTPClient is the client logins and API calls share.
func (l *Login) HTTPClient() *http.Client { return l.hc }

// creds are the app's credentials in use.
type creds struct{ clientID, clientSecret, jwt string }

// credentials are the environment's values, else the settings page's. An
// unreadable saved value reads as unset, as GoTo's do.
func (l *Login) credentials() creds {
	c := creds{clientID: l.envClientID, clientSecret: l.envClientSecret, jwt: l.envJWT}
	if c.clientID == "" {
		c.clientID, _ = l.store.Setting(settingClientID)
	}
	if c.clientSecret == "" {
		c.clientSecret, _ = l.store.Setting(settingClientSecret)
	}
	if c.jwt == "" {
		c.jwt, _ = l.store.Setting(settingJWT)
	}
	return c
}

func (l *Login) oauthConfig(redirectURI string) *oauth2.Config {
	c := l.credentials()
	return ringcentral.OAuthConfig(l.ep, c.clientID, c.clientSecret, redirectURI)
}

// SetUp reports whether RingCentral is set up at all: a client id or a
// JWT credential is known, from the environment or the settings page.
func (l *Login) SetUp() bool {
	c := l.credentials()
	return c.clientID != "" || c.jwt != ""
}

// State says where the login is.
func (l *Login) State() State {
	now, c := time.Now(), l.credentials()
	l.mu.Lock()
	defer l.mu.Unlock()
	st := State{Status: LoggedOut, Configured: c.clientID != "", JWT: c.jwt != ""}
	if l.tokens == nil {
		return st
	}
	st.Method, st.OwnerID, st.RefreshExpiry = l.method, l.ownerID, l.refreshExpiry
	// A refresh token past its expiry is refused: say so before a call
	// finds out, unless the JWT logs in again by itself.
	lapsed := !l.relogin && !l.refreshExpiry.IsZero() && !now.Before(l.refreshExpiry)
	st.Status = LoggedIn
	if l.refused || l.rejected || lapsed {
		st.Status = Expired
	}
	return st
}

// LoggedIn reports whether there is a login RingCentral still accepts.
func (l *Login) LoggedIn() bool { return l.State().Status == LoggedIn }

// Watch returns a channel that receives a signal after every login; one
// pending signal is kept, so a slow watcher misses none that matters.
func (l *Login) Watch() <-chan struct{} {
	ch := make(chan struct{}, 1)
	l.mu.Lock()
	l.watchers = append(l.watchers, ch)
	l.mu.Unlock()
	return ch
}

// notify signals the watchers.
func (l *Login) notify() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, ch := range l.watchers {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// LogInWithJWT logs in with the JWT credential: no browser, no redirect.
// RingCentral refusing it is a *ringcentral.TokenError.
func (l *Login) LogInWithJWT(ctx context.Context) error {
	c := l.credentials()
	switch {
	case c.clientID == "":
		return ErrNoClient
	case c.jwt == "":
		return ErrNoJWT
	}
	conf := ringcentral.OAuthConfig(l.ep, c.clientID, c.clientSecret, "")
	tok, err := ringcentral.JWTLogin(ctx, conf, l.hc, c.jwt)
	if err != nil {
		return fmt.Errorf("logging in to RingCentral with the JWT: %w", err)
	}
	return l.install(tok, MethodJWT)
}

// Start begins a browser login with a random state and a PKCE S256
// challenge, and returns RingCentral's authorize URL to send the browser
// to. redirectURI is where RingCentral sends it back: Finish takes it
// from there.
func (l *Login) Start(redirectURI string) (authURL string, err error) {
	if l.credentials().clientID == "" {
		return "", ErrNoClient
	}
	start := ringcentral.StartLogin(l.oauthConfig(redirectURI))
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	for st, p := range l.pending {
		if !now.Before(p.expires) {
			delete(l.pending, st)
		}
	}
	if len(l.pending) >= maxPending {
		clear(l.pending)
	}
	l.pending[start.State] = pending{verifier: start.Verifier, redirectURI: redirectURI, expires: now.Add(pendingTTL)}
	return start.URL, nil
}

// Finish exchanges the code RingCentral redirected back with (proving the
// PKCE verifier of the login that state started), keeps the tokens and
// tells the watchers. A state is good for one callback only.
func (l *Login) Finish(ctx context.Context, state, code string) error {
	now := time.Now()
	l.mu.Lock()
	p, ok := l.pending[state]
	delete(l.pending, state)
	l.mu.Unlock()
	if !ok || !now.Before(p.expires) {
		return ErrNotStarted
	}
	tok, err := ringcentral.ExchangeCode(ctx, l.oauthConfig(p.redirectURI), l.hc, code, p.verifier)
	if err != nil {
		return fmt.Errorf("finishing the RingCentral login: %w", err)
	}
	return l.install(tok, MethodBrowser)
}

// install saves a new login's token and makes it the current login.
func (l *Login) install(tok *oauth2.Token, method Method) error {
	s := saved{Token: tok, Method: method, OwnerID: ringcentral.OwnerID(tok), RefreshExpiry: refreshExpiry(tok)}
	c := l.credentials()
	l.saveMu.Lock()
	if err := l.save(s); err != nil {
		l.saveMu.Unlock()
		return err
	}
	l.mu.Lock()
	l.useLocked(tok, method, c)
	l.ownerID, l.refreshExpiry = s.OwnerID, s.RefreshExpiry
	l.mu.Unlock()
	l.saveMu.Unlock()
	l.log.Info("logged in to RingCentral", "method", method, "owner", s.OwnerID, "refreshExpiry", s.RefreshExpiry)
	l.notify()
	return nil
}

// useLocked makes tok the current login, with a token source of its own:
// a refresh under way for an older login then saves nothing. Only a JWT
// login logs in again with the JWT; l.mu is held (or l is not shared yet).
// c are the credentials it refreshes with: those it logged in with.
func (l *Login) useLocked(tok *oauth2.Token, method Method, c creds) {
	var jwt string
	if method == MethodJWT {
		jwt = c.jwt
	}
	var ts *ringcentral.TokenSource
	ts = ringcentral.NewTokenSource(ringcentral.TokenSourceConfig{
		OAuth: ringcentral.OAuthConfig(l.ep, c.clientID, c.clientSecret, ""),
		HTTP:  l.hc,
		JWT:   jwt,
		Save:  func(t *oauth2.Token) { l.saveToken(ts, t) },
	}, tok)
	l.tokens, l.tok, l.method, l.relogin = ts, tok, method, jwt != ""
	l.ownerID, l.refreshExpiry = "", time.Time{}
	l.refused, l.rejected = false, false
}

// refreshExpiry is tok's, in UTC without a monotonic reading, as it reads
// back from the store: a State is then the same before and after a restart.
func refreshExpiry(tok *oauth2.Token) time.Time { return ringcentral.RefreshExpiry(tok).UTC() }

// saveToken keeps a token ts refreshed (or got by logging in again with
// the JWT). ts calls it while refreshing: it must not ask ts for anything.
func (l *Login) saveToken(ts *ringcentral.TokenSource, tok *oauth2.Token) {
	l.mu.Lock()
	if l.tokens != ts {
		// Logged out, or in anew, while this refresh was under way:
		// saving it would bring the old login back.
		l.mu.Unlock()
		return
	}
	l.tok = tok
	l.ownerID = cmp.Or(ringcentral.OwnerID(tok), l.ownerID)
	l.refreshExpiry = refreshExpiry(tok)
	// A new token is one RingCentral has not refused.
	l.refused, l.rejected = false, false
	l.mu.Unlock()
	if err := l.persist(ts); err != nil {
		// The token still works for this run; the next start may have
		// to log in again.
		l.log.Error("could not save the refreshed RingCentral token", "err", err)
	}
}

// persist saves the login as it is now, unless ts is no longer it.
func (l *Login) persist(ts *ringcentral.TokenSource) error {
	l.saveMu.Lock()
	defer l.saveMu.Unlock()
	l.mu.Lock()
	if l.tokens != ts {
		l.mu.Unlock()
		return nil
	}
	s := saved{Token: l.tok, Method: l.method, OwnerID: l.ownerID, RefreshExpiry: l.refreshExpiry, Refused: l.refused}
	l.mu.Unlock()
	return l.save(s)
}

func (l *Login) save(s saved) error {
	if err := l.store.SetSettingJSON(settingLogin, s); err != nil {
		return fmt.Errorf("saving the RingCentral login: %w", err)
	}
	return nil
}

// MarkExpired records that RingCentral refused the access token even
// after a refresh (a 401 the Client saw): the organizer has to log in
// again, unless a later refresh brings a token it accepts.
func (l *Login) MarkExpired() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.tokens != nil && !l.rejected {
		l.rejected = true
		l.log.Warn("RingCentral refused the access token; the organizer may have to log in again")
	}
}

// Logout forgets the login and ends it at RingCentral. The login is
// forgotten first, so a failed revoke (logged, not returned) leaves no
// token behind here; RingCentral lets an unrevoked one lapse.
func (l *Login) Logout(ctx context.Context) error {
	l.saveMu.Lock()
	if err := l.store.SetSetting(settingLogin, ""); err != nil {
		l.saveMu.Unlock()
		return fmt.Errorf("forgetting the RingCentral login: %w", err)
	}
	l.mu.Lock()
	ts := l.tokens
	l.tokens, l.tok, l.method, l.ownerID, l.refreshExpiry = nil, nil, "", "", time.Time{}
	l.relogin, l.refused, l.rejected = false, false, false
	l.mu.Unlock()
	l.saveMu.Unlock()
	if ts == nil {
		return nil
	}
	// Current waits for a refresh under way, so the newest token (and
	// with it the whole session) is revoked.
	if tok := ts.Current(); tok != nil {
		if err := ringcentral.Revoke(ctx, l.oauthConfig(""), l.hc, l.ep, tok); err != nil {
			l.log.Warn("could not revoke the RingCentral login; it lapses by itself", "err", err)
		}
	}
	l.log.Info("logged out of RingCentral")
	return nil
}

// Settings are the app's credentials as the settings page shows them:
// never a whole secret or JWT, only whether one is set and its last
// characters.
type Settings struct {
	ClientID            string
	ClientIDFromEnv     bool // RINGCENTRAL_CLIENT_ID is set
	ClientSecretSet     bool
	ClientSecretHint    string // the secret's last 4 characters, "" when too short to hint at safely
	ClientSecretFromEnv bool   // RINGCENTRAL_CLIENT_SECRET is set
	JWTSet              bool
	JWTHint             string // the JWT's last 4 characters, as the secret's
	JWTFromEnv          bool   // RINGCENTRAL_JWT is set
	// ServerURL is the platform in use; SavedServerURL the one saved on
	// the page ("" for RingCentral's own), used from the next start.
	ServerURL        string
	ServerURLFromEnv bool // RINGCENTRAL_SERVER_URL is set
	SavedServerURL   string
}

// SetUp reports whether the settings let RingCentral be served: a client
// id or a JWT credential.
func (s Settings) SetUp() bool { return s.ClientID != "" || s.JWTSet }

// SettingsUpdate is what the settings page saves. Values the environment
// sets are never saved over.
type SettingsUpdate struct {
	ClientID     string // "" forgets the saved one
	ClientSecret string // "" keeps the saved one
	JWT          string // "" keeps the saved one
	ServerURL    string // "" is RingCentral's own
	// Forget drops everything saved on the page, secret and JWT included.
	Forget bool
}

// Settings shows the app's credentials for the settings page.
func (l *Login) Settings() Settings {
	c := l.credentials()
	saved, _ := l.store.Setting(settingServerURL) // unreadable reads as unset
	return Settings{
		ClientID:            c.clientID,
		ClientIDFromEnv:     l.envClientID != "",
		ClientSecretSet:     c.clientSecret != "",
		ClientSecretHint:    hint(c.clientSecret),
		ClientSecretFromEnv: l.envClientSecret != "",
		JWTSet:              c.jwt != "",
		JWTHint:             hint(c.jwt),
		JWTFromEnv:          l.envJWT != "",
		ServerURL:           l.ep.APIBase(),
		ServerURLFromEnv:    l.envServerURL,
		SavedServerURL:      saved,
	}
}

// hint is a secret's last 4 characters, only when it is long enough that
// they give nothing useful away.
func hint(secret string) string {
	if len(secret) < 16 {
		return ""
	}
	return secret[len(secret)-4:]
}

// SetSettings keeps the app's credentials from the settings page; the
// login uses them from its next step on (the server URL from the next
// start). A bad server URL saves nothing.
func (l *Login) SetSettings(u SettingsUpdate) error {
	if u.Forget {
		u = SettingsUpdate{Forget: true}
	}
	server, err := checkServerURL(u.ServerURL)
	if err != nil {
		return err
	}
	secret, jwt := strings.TrimSpace(u.ClientSecret), strings.TrimSpace(u.JWT)
	for _, v := range []struct {
		name, value, what string
		// write: the environment does not set it, and the page changes
		// it (an empty secret or JWT keeps the saved one, unless forgotten).
		write bool
	}{
		{settingClientID, strings.TrimSpace(u.ClientID), "client id", l.envClientID == ""},
		{settingClientSecret, secret, "client secret", l.envClientSecret == "" && (secret != "" || u.Forget)},
		{settingJWT, jwt, "JWT credential", l.envJWT == "" && (jwt != "" || u.Forget)},
		{settingServerURL, server, "server URL", !l.envServerURL},
	} {
		if !v.write {
			continue
		}
		if err := l.store.SetSetting(v.name, v.value); err != nil {
			return fmt.Errorf("saving the RingCentral %s: %w", v.what, err)
		}
	}
	return nil
}

// checkServerURL is a typed server URL without its trailing slash; ""
// stays "" (RingCentral's own).
func checkServerURL(raw string) (string, error) {
	raw = strings.TrimRight(strings.TrimSpace(raw), "/")
	if raw == "" {
		return "", nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%w: %q", ErrBadServerURL, raw)
	}
	return raw, nil
}
