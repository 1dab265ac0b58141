package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"webinarsync/gotowebinar"
	"webinarsync/store"
	"webinarsync/ui"
)

// GoToConfig says where GoTo is and which OAuth client we are to it. Empty
// endpoints mean GoTo's own; an empty client id or secret falls back to
// what the organizer saved on the settings page.
type GoToConfig struct {
	ClientID     string // GOTO_CLIENT_ID
	ClientSecret string // GOTO_CLIENT_SECRET
	AuthURL      string // GOTO_AUTH_URL
	TokenURL     string // GOTO_TOKEN_URL
	APIURL       string // GOTO_API_URL
}

func (c GoToConfig) withDefaults() GoToConfig {
	if c.AuthURL == "" {
		c.AuthURL = gotowebinar.DefaultAuthURL
	}
	if c.TokenURL == "" {
		c.TokenURL = gotowebinar.DefaultTokenURL
	}
	if c.APIURL == "" {
		c.APIURL = gotowebinar.DefaultAPIURL
	}
	return c
}

// Settings kept in the store.
const (
	settingClientID     = "goto.clientID"
	settingClientSecret = "goto.clientSecret"
	settingLogin        = "goto.login"        // savedLogin as JSON
	settingWebhooks     = "goto.webhooks"     // webhookRecord as JSON
	settingSecretKeyFor = "goto.secretKeyFor" // the client and API our newest secret key is from
)

// loginTTL bounds how long a login may wait for GoTo's redirect.
const loginTTL = 10 * time.Minute

// errNotLoggedIn: there is no GoTo login to call the API with.
var errNotLoggedIn = errors.New("not logged in to GoTo")

// goToAccount is the organizer's GoTo account: the OAuth login, its tokens
// in the store, and our webhooks and subscriptions at GoTo, kept pointed at
// the tunnel's URL (see lifecycle.go). It implements ui.Account, ui.Auth,
// ui.Settings and ui.WebhookControl.
type goToAccount struct {
	store     *store.Store
	log       *slog.Logger
	cfg       GoToConfig // endpoints filled in; credentials from the environment only
	demo      bool
	envSecret bool     // WEBINARSYNC_WEBHOOK_SECRET is set: never ask GoTo for a key
	events    []string // the events we register webhooks for
	hc        *http.Client
	client    *gotowebinar.Client
	offline   offlineAccount

	// activationBackoff is the first wait before retrying an activation
	// GoTo refused because the webhook is not available yet.
	activationBackoff time.Duration

	mu        sync.Mutex
	tokens    *gotowebinar.TokenSource // nil when logged out
	identity  gotowebinar.Identity
	expired   bool // GoTo refused our refresh token: log in again
	pending   map[string]pendingLogin
	publicURL string // the tunnel's base URL, "" until known
	paused    bool   // the organizer removed our webhooks; set up again on request
	hooks     map[string]*hookStatus
	problem   string // what went wrong in the last lifecycle run, in words
	syncedAt  time.Time

	runMu sync.Mutex    // one lifecycle run at a time
	wake  chan struct{} // run the lifecycle now
	later chan struct{} // a run failed: retry after a backoff
	login chan struct{} // someone logged in: the catch-up sync runs (sync.go)
}

// pendingLogin is an authorization-code flow waiting for GoTo's redirect.
type pendingLogin struct {
	verifier, redirectURI, clientID string
	expires                         time.Time
}

// hookStatus is what the last lifecycle run learned about one event.
type hookStatus struct {
	webhookKey, state, subState, activation, callbackURL string
	err                                                  string
}

// savedLogin is the login as kept in the store.
type savedLogin struct {
	Token    *oauth2.Token        `json:"token"`
	Identity gotowebinar.Identity `json:"identity"`
}

// goToAccountConfig is what newGoToAccount needs.
type goToAccountConfig struct {
	Store        *store.Store
	Logger       *slog.Logger
	GoTo         GoToConfig
	Demo         bool
	EnvSecret    bool
	SurveyEvents bool          // also register survey.submitted
	HTTPClient   *http.Client  // nil: 30 s timeout
	RateLimit    float64       // requests per second; 0 = gotowebinar.DefaultRequestsPerSecond, <0 = none
	RetryBackoff time.Duration // first API retry wait; 0 = the client's default
	PageSize     int           // items per page of GoTo's listings; 0 = the most GoTo serves
}

// newGoToAccount restores a saved login, if any.
func newGoToAccount(c goToAccountConfig) (*goToAccount, error) {
	a := &goToAccount{
		store:             c.Store,
		log:               c.Logger,
		cfg:               c.GoTo.withDefaults(),
		demo:              c.Demo,
		envSecret:         c.EnvSecret,
		events:            gotowebinar.EventNames(),
		hc:                c.HTTPClient,
		offline:           offlineAccount{store: c.Store, secretFromEnv: c.EnvSecret},
		activationBackoff: 250 * time.Millisecond,
		pending:           make(map[string]pendingLogin),
		hooks:             make(map[string]*hookStatus),
		wake:              make(chan struct{}, 1),
		later:             make(chan struct{}, 1),
		login:             make(chan struct{}, 1),
	}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	if a.hc == nil {
		a.hc = &http.Client{Timeout: 30 * time.Second}
	}
	if c.SurveyEvents {
		a.events = append(a.events, gotowebinar.EventSurveySubmitted)
	}
	opts := []gotowebinar.Option{gotowebinar.WithHTTPClient(a.hc), gotowebinar.WithLogger(a.log)}
	if c.RateLimit != 0 {
		opts = append(opts, gotowebinar.WithRateLimit(c.RateLimit))
	}
	if c.RetryBackoff > 0 {
		opts = append(opts, gotowebinar.WithRetries(5, c.RetryBackoff))
	}
	if c.PageSize > 0 {
		opts = append(opts, gotowebinar.WithPageSize(c.PageSize))
	}
	a.client = gotowebinar.NewClient(a.cfg.APIURL, accountTokens{a}, opts...)

	raw, err := a.store.Setting(settingLogin)
	if err != nil {
		return nil, fmt.Errorf("reading the saved GoTo login: %w", err)
	}
	if raw != "" {
		var saved savedLogin
		if err := json.Unmarshal([]byte(raw), &saved); err != nil || saved.Token == nil {
			a.log.Warn("the saved GoTo login is unreadable; log in again", "err", err)
		} else {
			id, secret := a.credentials()
			conf := gotowebinar.OAuthConfig(id, secret, a.cfg.AuthURL, a.cfg.TokenURL, "")
			a.tokens = gotowebinar.NewTokenSource(conf, a.hc, saved.Token, a.saveToken)
			a.identity = saved.Identity
		}
	}
	return a, nil
}

// credentials are the OAuth client id and secret: the environment's, else
// the settings page's.
func (a *goToAccount) credentials() (id, secret string) {
	id, secret = a.cfg.ClientID, a.cfg.ClientSecret
	if id == "" {
		id, _ = a.store.Setting(settingClientID) // unreadable reads as unset
	}
	if secret == "" {
		secret, _ = a.store.Setting(settingClientSecret)
	}
	return id, secret
}

// LoginConfigured reports whether a login can start: the OAuth client is known.
func (a *goToAccount) LoginConfigured() bool {
	id, secret := a.credentials()
	return id != "" && secret != ""
}

// BeginLogin starts an authorization-code flow with state and PKCE and
// returns GoTo's authorize URL to send the browser to.
func (a *goToAccount) BeginLogin(_ context.Context, redirectURI string) (authURL, state string, err error) {
	id, secret := a.credentials()
	if id == "" || secret == "" {
		return "", "", errors.New("the GoTo OAuth client id and secret are not set: enter them in Settings")
	}
	start := gotowebinar.StartLogin(gotowebinar.OAuthConfig(id, secret, a.cfg.AuthURL, a.cfg.TokenURL, redirectURI))
	now := time.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	for st, p := range a.pending {
		if now.After(p.expires) {
			delete(a.pending, st)
		}
	}
	if len(a.pending) >= 16 {
		// Somebody keeps starting logins; the newest is the one that matters.
		clear(a.pending)
	}
	a.pending[start.State] = pendingLogin{verifier: start.Verifier, redirectURI: redirectURI, clientID: id, expires: now.Add(loginTTL)}
	return start.URL, start.State, nil
}

// FinishLogin exchanges GoTo's code for tokens (proving the PKCE verifier
// of the login state started), keeps them, and sets up the webhooks in
// the background.
func (a *goToAccount) FinishLogin(ctx context.Context, state, code, redirectURI string) error {
	a.mu.Lock()
	p, ok := a.pending[state]
	delete(a.pending, state) // a state is good for one callback only
	a.mu.Unlock()
	if !ok || time.Now().After(p.expires) || p.redirectURI != redirectURI {
		return ui.ErrLoginNotStarted
	}
	id, secret := a.credentials()
	if id != p.clientID {
		return fmt.Errorf("the GoTo OAuth client changed during the login: %w", ui.ErrLoginNotStarted)
	}
	conf := gotowebinar.OAuthConfig(id, secret, a.cfg.AuthURL, a.cfg.TokenURL, redirectURI)
	tok, err := gotowebinar.ExchangeCode(ctx, conf, a.hc, code, p.verifier)
	if err != nil {
		return err
	}
	identity := gotowebinar.IdentityFromToken(tok)
	if err := a.storeLogin(savedLogin{Token: tok, Identity: identity}); err != nil {
		return err
	}
	a.mu.Lock()
	a.tokens = gotowebinar.NewTokenSource(conf, a.hc, tok, a.saveToken)
	a.identity, a.expired, a.paused, a.problem = identity, false, false, ""
	a.mu.Unlock()
	a.log.Info("logged in to GoTo", "organizer", identity.Name(), "organizerKey", identity.OrganizerKey, "accountKey", identity.AccountKey)
	if identity.OrganizerKey == "" {
		a.log.Warn("GoTo's token response named no organizer_key; webinarsync does not need it for webhooks, but it is not known")
	}
	a.kick(a.wake)
	a.kick(a.login)
	return nil
}

// saveToken persists a refreshed token, keeping the identity from login.
func (a *goToAccount) saveToken(tok *oauth2.Token) {
	a.mu.Lock()
	if a.tokens == nil {
		// Logged out while this refresh was under way: saving it would
		// log the organizer back in at the next start.
		a.mu.Unlock()
		return
	}
	id := gotowebinar.IdentityFromToken(tok).Merge(a.identity)
	a.identity = id
	a.mu.Unlock()
	if err := a.storeLogin(savedLogin{Token: tok, Identity: id}); err != nil {
		// The token still works for this run; the next start logs in again.
		a.log.Error("could not save the refreshed GoTo token", "err", err)
	}
}

func (a *goToAccount) storeLogin(l savedLogin) error {
	b, err := json.Marshal(l)
	if err != nil {
		return fmt.Errorf("saving the GoTo login: %w", err)
	}
	if err := a.store.SetSetting(settingLogin, string(b)); err != nil {
		return fmt.Errorf("saving the GoTo login: %w", err)
	}
	return nil
}

// Login says who is logged in, in the organizer's words.
func (a *goToAccount) Login(ctx context.Context) ui.LoginStatus {
	a.mu.Lock()
	loggedIn, expired, name, problem := a.tokens != nil, a.expired, a.identity.Name(), a.problem
	a.mu.Unlock()
	switch {
	case a.demo:
		st := ui.LoginStatus{State: ui.LoginDemo, Organizer: name + " — built-in simulator",
			Detail: "Demo mode: logged in to the built-in GoTo simulator with the same OAuth login and webhook setup a real GoTo account gets."}
		if !loggedIn {
			st.Organizer = "Built-in simulator"
			st.Detail = "Demo mode: not logged in to the built-in simulator. Restart with -demo to log in again."
		}
		return st
	case !loggedIn && !a.LoginConfigured():
		st := a.offline.Login(ctx)
		st.Detail += " To log in, enter your GoTo OAuth client in Settings."
		return st
	case !loggedIn:
		detail := "Log in with GoTo so webinarsync can set up its webhooks."
		if a.envSecret || len(a.store.SecretKeys()) > 0 {
			detail += " Meanwhile, deliveries signed with a known secret key are still received and stored."
		}
		return ui.LoginStatus{State: ui.LoginLoggedOut, Detail: detail}
	case expired:
		return ui.LoginStatus{State: ui.LoginExpired, Organizer: name,
			Detail: "Your GoTo session expired: log in again. Events GoTo still delivers are received and stored meanwhile."}
	}
	return ui.LoginStatus{State: ui.LoginLoggedIn, Organizer: name, Detail: problem}
}

// Webhooks shows each event's webhook as the last lifecycle run left it.
// It makes no call to GoTo: pages and /api/status render often.
func (a *goToAccount) Webhooks(ctx context.Context) []ui.WebhookStatus {
	a.mu.Lock()
	loggedIn, expired, problem, paused := a.tokens != nil, a.expired, a.problem, a.paused
	hooks := make(map[string]hookStatus, len(a.hooks))
	for name, h := range a.hooks {
		hooks[name] = *h
	}
	a.mu.Unlock()
	if !loggedIn && !a.demo {
		out := a.offline.Webhooks(ctx)
		if rec, err := a.loadRecord(); err == nil && len(rec.Webhooks) > 0 {
			// Logged out without removing them: they may well still deliver.
			for i := range out {
				out[i].Error = "Not checked while logged out of GoTo; it may still deliver. Log in to see its state."
			}
		}
		return out
	}
	out := make([]ui.WebhookStatus, 0, len(a.events))
	for _, name := range a.events {
		ws := ui.WebhookStatus{EventName: name, LastDelivery: lastDelivery(a.store, name)}
		h, known := hooks[name]
		if known {
			ws.WebhookKey, ws.State, ws.UserSubscriptionState = h.webhookKey, h.state, h.subState
			ws.ActivationState, ws.CallbackURL, ws.Error = h.activation, h.callbackURL, h.err
		}
		switch {
		case ws.Error != "":
		case !loggedIn:
			ws.Error = "Not registered: not logged in to GoTo."
		case expired:
			ws.Error = "Not checked since your GoTo session expired: log in again."
		case paused:
			ws.Error = "Removed at GoTo at your request. Use \"Set up webhooks\" to register it again."
		case problem != "" && (!known || ws.ActivationState != gotowebinar.StateActive):
			ws.Error = problem
		case !known:
			ws.Error = "Being set up at GoTo…"
		}
		out = append(out, ws)
	}
	return out
}

// Logout forgets the tokens; with removeWebhooks it first deletes our
// subscriptions and webhooks at GoTo, and stays logged in if that fails so
// the organizer can try again.
func (a *goToAccount) Logout(ctx context.Context, removeWebhooks bool) error {
	if removeWebhooks {
		if err := a.cleanup(ctx); err != nil && !errors.Is(err, errNotLoggedIn) {
			return err
		}
	}
	if err := a.store.SetSetting(settingLogin, ""); err != nil {
		return fmt.Errorf("forgetting the GoTo login: %w", err)
	}
	a.mu.Lock()
	a.tokens, a.identity, a.expired, a.problem = nil, gotowebinar.Identity{}, false, ""
	a.mu.Unlock()
	a.log.Info("logged out of GoTo", "removedWebhooks", removeWebhooks)
	return nil
}

// GoToSettings shows the OAuth client for the settings page; of the
// secret only its last characters.
func (a *goToAccount) GoToSettings() ui.GoToSettings {
	id, secret := a.credentials()
	s := ui.GoToSettings{
		ClientID:            id,
		ClientIDFromEnv:     a.cfg.ClientID != "",
		ClientSecretSet:     secret != "",
		ClientSecretFromEnv: a.cfg.ClientSecret != "",
		AuthURL:             a.cfg.AuthURL,
		TokenURL:            a.cfg.TokenURL,
		APIURL:              a.cfg.APIURL,
		Simulator:           a.demo,
	}
	if len(secret) >= 16 {
		s.ClientSecretHint = secret[len(secret)-4:]
	}
	return s
}

// SaveGoToSettings keeps the OAuth client from the settings page. An empty
// secret keeps the saved one; values the environment sets are not saved.
func (a *goToAccount) SaveGoToSettings(clientID, clientSecret string) error {
	clientID, clientSecret = strings.TrimSpace(clientID), strings.TrimSpace(clientSecret)
	if a.cfg.ClientID == "" {
		if err := a.store.SetSetting(settingClientID, clientID); err != nil {
			return err
		}
	}
	if a.cfg.ClientSecret == "" && clientSecret != "" {
		if err := a.store.SetSetting(settingClientSecret, clientSecret); err != nil {
			return err
		}
	}
	return nil
}

// accountTokens is the Client's token source: whatever login the account
// holds now, so one Client (and its rate limit) serves every login.
type accountTokens struct{ a *goToAccount }

func (t accountTokens) current() (*gotowebinar.TokenSource, error) {
	t.a.mu.Lock()
	defer t.a.mu.Unlock()
	if t.a.tokens == nil {
		return nil, errNotLoggedIn
	}
	return t.a.tokens, nil
}

func (t accountTokens) Token() (*oauth2.Token, error) {
	return t.TokenContext(context.Background())
}

func (t accountTokens) TokenContext(ctx context.Context) (*oauth2.Token, error) {
	ts, err := t.current()
	if err != nil {
		return nil, err
	}
	tok, err := ts.TokenContext(ctx)
	t.noteRefresh(ts, err)
	return tok, err
}

func (t accountTokens) Refresh(ctx context.Context, stale *oauth2.Token) (*oauth2.Token, error) {
	ts, err := t.current()
	if err != nil {
		return nil, err
	}
	tok, err := ts.Refresh(ctx, stale)
	t.noteRefresh(ts, err)
	return tok, err
}

// noteRefresh marks the login expired when GoTo refused to refresh it, and
// fresh again once a refresh worked (a login elsewhere may have fixed it).
func (t accountTokens) noteRefresh(ts *gotowebinar.TokenSource, err error) {
	t.a.mu.Lock()
	defer t.a.mu.Unlock()
	if t.a.tokens != ts {
		return // logged out or in again meanwhile
	}
	switch {
	case errors.Is(err, gotowebinar.ErrLoginExpired):
		if !t.a.expired {
			t.a.log.Warn("GoTo refused to refresh the login; the organizer has to log in again", "err", err)
		}
		t.a.expired = true
	case err == nil:
		t.a.expired = false
	}
}

// kick signals ch without blocking; one pending signal is enough.
func (a *goToAccount) kick(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}
