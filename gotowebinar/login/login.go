// Package login owns the organizer's GoTo login: the OAuth client (from
// the environment or the settings page), the authorization-code flow with
// state and PKCE, the tokens kept in the store and refreshed, and who is
// logged in. It says what state the login is in; ui says it in words.
package login

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"webinarsync/gotowebinar"
	"webinarsync/store"
)

// Endpoints says where GoTo is and which OAuth client we are to it. Empty
// endpoints mean GoTo's own; an empty client id or secret falls back to
// what the organizer saved on the settings page.
type Endpoints struct {
	ClientID     string // GOTO_CLIENT_ID
	ClientSecret string // GOTO_CLIENT_SECRET
	AuthURL      string // GOTO_AUTH_URL
	TokenURL     string // GOTO_TOKEN_URL
	APIURL       string // GOTO_API_URL
}

// WithDefaults fills the empty endpoints with GoTo's own.
func (e Endpoints) WithDefaults() Endpoints {
	e.AuthURL = cmp.Or(e.AuthURL, gotowebinar.DefaultAuthURL)
	e.TokenURL = cmp.Or(e.TokenURL, gotowebinar.DefaultTokenURL)
	e.APIURL = cmp.Or(e.APIURL, gotowebinar.DefaultAPIURL)
	return e
}

// Settings kept in the store.
const (
	settingClientID     = "goto.clientID"
	settingClientSecret = "goto.clientSecret"
	settingLogin        = "goto.login" // saved as JSON
)

// pendingTTL bounds how long a login may wait for GoTo's redirect.
const pendingTTL = 10 * time.Minute

// maxPending bounds the logins waiting at once: somebody who keeps
// starting logins only ever needs the newest.
const maxPending = 16

// ErrNotStarted: GoTo's redirect names a login this app did not start (or
// started more than ten minutes ago).
var ErrNotStarted = errors.New("this login was not started here, or took too long")

// ErrNoClient: the OAuth client id and secret are not known yet.
var ErrNoClient = errors.New("the GoTo OAuth client id and secret are not set")

// Status is where the login is in its life.
type Status string

// The login's statuses.
const (
	LoggedOut Status = "logged_out"
	LoggedIn  Status = "logged_in"
	Expired   Status = "expired" // GoTo refused to refresh it: log in again
)

// State is the login as pages show it.
type State struct {
	Status     Status
	Identity   gotowebinar.Identity
	Configured bool // the OAuth client is known, so a login can start

	// The organizer key (also Identity.OrganizerKey), which the catch-up
	// sync and registrant changes need, and where it came from; "" when
	// not known (organizer.go).
	OrganizerKey gotowebinar.Key
	KeySource    KeySource
	// FindingKey: GoTo's services are being asked for the key now.
	FindingKey bool
	// KeyRefusals say why each of GoTo's services gave no key, when the
	// last search found none (or only the pasted key).
	KeyRefusals []KeyRefusal
}

// ClientSettings is the OAuth client as the settings page shows it: never
// the whole secret, only whether one is set and its last characters.
type ClientSettings struct {
	ClientID            string
	ClientIDFromEnv     bool // GOTO_CLIENT_ID is set
	ClientSecretSet     bool
	ClientSecretHint    string // the secret's last 4 characters, "" when too short to hint at safely
	ClientSecretFromEnv bool   // GOTO_CLIENT_SECRET is set
	AuthURL             string
	TokenURL            string
	APIURL              string
}

// Config is what New needs.
type Config struct {
	Store      *store.Store
	Logger     *slog.Logger // nil: discard
	Endpoints  Endpoints
	HTTPClient *http.Client // nil: 30 s timeout
}

// Login is the organizer's GoTo login. Its zero value is not usable; build
// it with New.
type Login struct {
	store *store.Store
	log   *slog.Logger
	ep    Endpoints // endpoints filled in; credentials from the environment only
	hc    *http.Client

	// saveMu keeps the saves of the login in order, so an older picture
	// of it never overwrites a newer one (nor a logout).
	saveMu sync.Mutex

	mu        sync.Mutex
	tokens    *gotowebinar.TokenSource // nil when logged out
	tok       *oauth2.Token            // the newest token, to save
	identity  gotowebinar.Identity
	keySource KeySource
	refusals  []KeyRefusal
	finding   bool
	expired   bool
	pending   map[string]pending
	watchers  []chan struct{}
}

// pending is an authorization-code flow waiting for GoTo's redirect.
type pending struct {
	verifier, redirectURI, clientID string
	expires                         time.Time
}

// saved is the login as kept in the store.
type saved struct {
	Token    *oauth2.Token        `json:"token"`
	Identity gotowebinar.Identity `json:"identity"`
	// KeySource says where Identity.OrganizerKey came from, so a restart
	// does not ask again; a login saved before there were sources has
	// its key from the token.
	KeySource   KeySource    `json:"organizerKeySource,omitempty"`
	KeyRefusals []KeyRefusal `json:"organizerKeyRefusals,omitempty"`
}

// New restores a saved login, if any.
func New(c Config) (*Login, error) {
	l := &Login{
		store:   c.Store,
		log:     cmp.Or(c.Logger, slog.New(slog.DiscardHandler)),
		ep:      c.Endpoints.WithDefaults(),
		hc:      c.HTTPClient,
		pending: make(map[string]pending),
	}
	if l.hc == nil {
		l.hc = &http.Client{Timeout: 30 * time.Second}
	}
	var s saved
	ok, err := l.store.SettingJSON(settingLogin, &s)
	switch {
	case errors.Is(err, store.ErrUnreadableSetting):
		l.log.Warn("the saved GoTo login is unreadable; log in again", "err", err)
	case err != nil:
		return nil, fmt.Errorf("reading the saved GoTo login: %w", err)
	case ok && s.Token != nil:
		l.tokens = gotowebinar.NewTokenSource(l.oauthConfig(""), l.hc, s.Token, l.saveToken)
		l.tok, l.identity, l.keySource, l.refusals = s.Token, s.Identity, s.KeySource, s.KeyRefusals
		switch {
		case l.keySource == KeyFromSettings:
			// The settings page may have changed it since.
			l.identity.OrganizerKey = l.pastedKey()
			if l.identity.OrganizerKey == "" {
				l.keySource = ""
			}
		case l.identity.OrganizerKey == "":
			l.keySource = "" // FindOrganizerKey looks at start
		case l.keySource == "":
			l.keySource = KeyFromToken
		}
	}
	return l, nil
}

// Endpoints are GoTo's endpoints this login uses.
func (l *Login) Endpoints() Endpoints { return l.ep }

// HTTPClient is the client logins and API calls share.
func (l *Login) HTTPClient() *http.Client { return l.hc }

// Watch returns a channel that receives a signal after every login and
// whenever the organizer key becomes known; one pending signal is kept, so
// a slow watcher misses none that matters.
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

// credentials are the OAuth client id and secret: the environment's, else
// the settings page's.
func (l *Login) credentials() (id, secret string) {
	id, secret = l.ep.ClientID, l.ep.ClientSecret
	if id == "" {
		id, _ = l.store.Setting(settingClientID) // unreadable reads as unset
	}
	if secret == "" {
		secret, _ = l.store.Setting(settingClientSecret)
	}
	return id, secret
}

// ClientID is the OAuth client's id, "" when not known.
func (l *Login) ClientID() string {
	id, _ := l.credentials()
	return id
}

func (l *Login) oauthConfig(redirectURI string) *oauth2.Config {
	id, secret := l.credentials()
	return gotowebinar.OAuthConfig(id, secret, l.ep.AuthURL, l.ep.TokenURL, redirectURI)
}

// Configured reports whether a login can start: the OAuth client is known.
func (l *Login) Configured() bool {
	id, secret := l.credentials()
	return id != "" && secret != ""
}

// Begin starts an authorization-code flow with state and PKCE and returns
// GoTo's authorize URL to send the browser to.
func (l *Login) Begin(_ context.Context, redirectURI string) (authURL, state string, err error) {
	if !l.Configured() {
		return "", "", ErrNoClient
	}
	start := gotowebinar.StartLogin(l.oauthConfig(redirectURI))
	clientID, now := l.ClientID(), time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	for st, p := range l.pending {
		if now.After(p.expires) {
			delete(l.pending, st)
		}
	}
	if len(l.pending) >= maxPending {
		clear(l.pending)
	}
	l.pending[start.State] = pending{verifier: start.Verifier, redirectURI: redirectURI, clientID: clientID, expires: now.Add(pendingTTL)}
	return start.URL, start.State, nil
}

// Finish exchanges GoTo's code for tokens (proving the PKCE verifier of
// the login state started), keeps them, finds the organizer key when the
// token response does not name it (organizer.go), and tells the watchers.
func (l *Login) Finish(ctx context.Context, state, code, redirectURI string) error {
	l.mu.Lock()
	p, ok := l.pending[state]
	delete(l.pending, state) // a state is good for one callback only
	l.mu.Unlock()
	if !ok || time.Now().After(p.expires) || p.redirectURI != redirectURI {
		return ErrNotStarted
	}
	if l.ClientID() != p.clientID {
		return fmt.Errorf("the GoTo OAuth client changed during the login: %w", ErrNotStarted)
	}
	conf := l.oauthConfig(redirectURI)
	tok, err := gotowebinar.ExchangeCode(ctx, conf, l.hc, code, p.verifier)
	if err != nil {
		return err
	}
	identity := identityFromToken(tok)
	var source KeySource
	if identity.OrganizerKey != "" {
		source = KeyFromToken
	}
	ts := gotowebinar.NewTokenSource(conf, l.hc, tok, l.saveToken)
	l.saveMu.Lock()
	if err := l.save(saved{Token: tok, Identity: identity, KeySource: source}); err != nil {
		l.saveMu.Unlock()
		return err
	}
	l.mu.Lock()
	l.tokens, l.tok, l.expired = ts, tok, false
	l.identity, l.keySource, l.refusals = identity, source, nil
	l.finding = source == "" // asked for below, before anyone is told of the login
	l.mu.Unlock()
	l.saveMu.Unlock()
	l.log.Info("logged in to GoTo", "organizer", identity.Name(), "organizerKey", identity.OrganizerKey, "accountKey", identity.AccountKey)
	if source == "" {
		// Today's token response does not say who the organizer is.
		l.findKey(ctx, ts)
	}
	l.notify()
	return nil
}

// identityFromToken is who GoTo's token response says the token is for:
// the old token host's fields, else today's principal, the e-mail.
func identityFromToken(tok *oauth2.Token) gotowebinar.Identity {
	id := gotowebinar.IdentityFromToken(tok)
	if p, _ := tok.Extra("principal").(string); id.Email == "" && strings.Contains(p, "@") {
		id.Email = strings.TrimSpace(p)
	}
	return id
}

// saveToken persists a refreshed token, keeping the identity from login.
// (The token source calls it while refreshing: it must not ask the token
// source for anything.)
func (l *Login) saveToken(tok *oauth2.Token) {
	l.mu.Lock()
	if l.tokens == nil {
		// Logged out while this refresh was under way: saving it would
		// log the organizer back in at the next start.
		l.mu.Unlock()
		return
	}
	l.tok = tok
	fromToken := identityFromToken(tok)
	if l.keySource == KeyFromSettings {
		fromToken.OrganizerKey = "" // the pasted key is the last resort
	}
	l.identity = fromToken.Merge(l.identity)
	newKey := l.keySource == "" && l.identity.OrganizerKey != ""
	if newKey {
		l.keySource = KeyFromToken
	}
	l.mu.Unlock()
	if err := l.persist(); err != nil {
		// The token still works for this run; the next start logs in again.
		l.log.Error("could not save the refreshed GoTo token", "err", err)
	}
	if newKey {
		l.notify()
	}
}

// persist saves the login as it is now; a logout meanwhile saves nothing.
func (l *Login) persist() error {
	l.saveMu.Lock()
	defer l.saveMu.Unlock()
	l.mu.Lock()
	if l.tokens == nil {
		l.mu.Unlock()
		return nil
	}
	s := saved{Token: l.tok, Identity: l.identity, KeySource: l.keySource, KeyRefusals: slices.Clone(l.refusals)}
	l.mu.Unlock()
	return l.save(s)
}

func (l *Login) save(s saved) error {
	if err := l.store.SetSettingJSON(settingLogin, s); err != nil {
		return fmt.Errorf("saving the GoTo login: %w", err)
	}
	return nil
}

// State says where the login is.
func (l *Login) State() State {
	configured := l.Configured()
	l.mu.Lock()
	defer l.mu.Unlock()
	st := State{Status: LoggedOut, Identity: l.identity, Configured: configured,
		OrganizerKey: l.identity.OrganizerKey, KeySource: l.keySource, FindingKey: l.finding, KeyRefusals: slices.Clone(l.refusals)}
	switch {
	case l.tokens == nil:
		st = State{Status: LoggedOut, Configured: configured}
	case l.expired:
		st.Status = Expired
	default:
		st.Status = LoggedIn
	}
	return st
}

// OrganizerKey is the logged-in organizer's key; ok is false when nobody
// is logged in or no source named it (organizer.go).
func (l *Login) OrganizerKey() (gotowebinar.Key, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.identity.OrganizerKey, l.tokens != nil && l.identity.OrganizerKey != ""
}

// MarkExpired records that GoTo refused our access token outright: the
// organizer has to log in again (a refresh that works clears it).
func (l *Login) MarkExpired() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.tokens != nil {
		l.expired = true
	}
}

// Logout forgets the tokens, and the organizer key pasted on the settings
// page: whoever logs in next may be another organizer.
func (l *Login) Logout() error {
	l.saveMu.Lock()
	defer l.saveMu.Unlock()
	if err := l.store.SetSetting(settingLogin, ""); err != nil {
		return fmt.Errorf("forgetting the GoTo login: %w", err)
	}
	if err := l.store.SetSetting(settingOrganizerKey, ""); err != nil {
		return fmt.Errorf("forgetting the organizer key: %w", err)
	}
	l.mu.Lock()
	l.tokens, l.tok, l.identity, l.expired = nil, nil, gotowebinar.Identity{}, false
	l.keySource, l.refusals, l.finding = "", nil, false
	l.mu.Unlock()
	l.log.Info("logged out of GoTo")
	return nil
}

// ClientSettings shows the OAuth client for the settings page.
func (l *Login) ClientSettings() ClientSettings {
	id, secret := l.credentials()
	s := ClientSettings{
		ClientID:            id,
		ClientIDFromEnv:     l.ep.ClientID != "",
		ClientSecretSet:     secret != "",
		ClientSecretFromEnv: l.ep.ClientSecret != "",
		AuthURL:             l.ep.AuthURL,
		TokenURL:            l.ep.TokenURL,
		APIURL:              l.ep.APIURL,
	}
	if len(secret) >= 16 {
		s.ClientSecretHint = secret[len(secret)-4:]
	}
	return s
}

// SaveClientSettings keeps the OAuth client from the settings page. An
// empty secret keeps the saved one; values the environment sets are not
// saved.
func (l *Login) SaveClientSettings(clientID, clientSecret string) error {
	clientID, clientSecret = strings.TrimSpace(clientID), strings.TrimSpace(clientSecret)
	if l.ep.ClientID == "" {
		if err := l.store.SetSetting(settingClientID, clientID); err != nil {
			return fmt.Errorf("saving the GoTo client id: %w", err)
		}
	}
	if l.ep.ClientSecret == "" && clientSecret != "" {
		if err := l.store.SetSetting(settingClientSecret, clientSecret); err != nil {
			return fmt.Errorf("saving the GoTo client secret: %w", err)
		}
	}
	return nil
}
