package ringcentral

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// DefaultServerURL is RingCentral's production platform; the sandbox is
// https://platform.devtest.ringcentral.com. OAuth and every webinar API
// live on the same host.
const DefaultServerURL = "https://platform.ringcentral.com"

// GrantJWTBearer is the grant_type of a JWT login (RFC 7523).
const GrantJWTBearer = "urn:ietf:params:oauth:grant-type:jwt-bearer"

// The app permissions webinarsync needs. RingCentral grants what the app
// was created with in its developer console and ignores the scope asked
// for, so the setup page names each.
const (
	ScopeReadWebinars        = "ReadWebinars"
	ScopeSubscriptionWebhook = "SubscriptionWebhook"
)

// RefreshEarly is how long before its expiry an access token is
// refreshed, so a call never starts with a token about to lapse.
const RefreshEarly = 5 * time.Minute

// ErrLoginExpired marks a login RingCentral no longer accepts (its refresh
// token was refused or is gone): the organizer has to log in again.
// Network trouble while refreshing is not this.
var ErrLoginExpired = errors.New("the RingCentral login has expired")

// Endpoints names the RingCentral platform to talk to. The zero value is
// production.
type Endpoints struct {
	ServerURL string // "" = DefaultServerURL
}

func (e Endpoints) server() string {
	if e.ServerURL == "" {
		return DefaultServerURL
	}
	return strings.TrimRight(e.ServerURL, "/")
}

// AuthURL is where the browser is sent to log in.
func (e Endpoints) AuthURL() string { return e.server() + "/restapi/oauth/authorize" }

// TokenURL is where codes, JWTs and refresh tokens are exchanged.
func (e Endpoints) TokenURL() string { return e.server() + "/restapi/oauth/token" }

// RevokeURL ends an OAuth session.
func (e Endpoints) RevokeURL() string { return e.server() + "/restapi/oauth/revoke" }

// APIBase is the root of the REST API (the same host: RingCentral has no
// separate webinar host).
func (e Endpoints) APIBase() string { return e.server() }

// OAuthConfig is the authorization-code configuration for a confidential
// app: the client authenticates with HTTP Basic, as RingCentral asks of
// server-side apps (never in the body as well: that is refused).
func OAuthConfig(ep Endpoints, clientID, clientSecret, redirectURL string) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     clientID,
		ClientSecret: clientSecret,
		Scopes:       []string{ScopeReadWebinars, ScopeSubscriptionWebhook},
		Endpoint: oauth2.Endpoint{
			AuthURL:   ep.AuthURL(),
			TokenURL:  ep.TokenURL(),
			AuthStyle: oauth2.AuthStyleInHeader,
		},
		RedirectURL: redirectURL,
	}
}

// LoginStart is an authorization-code flow begun: send the browser to
// URL, keep State and Verifier until RingCentral redirects back.
type LoginStart struct {
	URL      string
	State    string // echoed back; ties the callback to this start
	Verifier string // PKCE: proves the code is exchanged by whoever asked
}

// StartLogin begins an authorization-code flow with a fresh state and a
// PKCE S256 challenge (RingCentral's default method is plain).
func StartLogin(conf *oauth2.Config) LoginStart {
	state := rand.Text()
	verifier := oauth2.GenerateVerifier()
	return LoginStart{
		URL:      conf.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier)),
		State:    state,
		Verifier: verifier,
	}
}

// ExchangeCode trades the code RingCentral redirected back with for
// tokens, proving the PKCE verifier. hc (nil: a client with a 30 s
// timeout) makes the request. A refusal is a *TokenError.
func ExchangeCode(ctx context.Context, conf *oauth2.Config, hc *http.Client, code, verifier string) (*oauth2.Token, error) {
	tok, err := conf.Exchange(context.WithValue(ctx, oauth2.HTTPClient, orDefaultClient(hc)), code, oauth2.VerifierOption(verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && re.Response != nil {
			err = tokenErrorFrom(re.Response, re.Body)
		}
		return nil, fmt.Errorf("ringcentral: exchanging the authorization code: %w", err)
	}
	return tok, nil
}

// JWTLogin logs in with a JWT credential made in RingCentral's developer
// console: no browser, no redirect. x/oauth2 has no grant for a ready-made
// assertion, hence this exchange.
func JWTLogin(ctx context.Context, conf *oauth2.Config, hc *http.Client, jwt string) (*oauth2.Token, error) {
	if strings.TrimSpace(jwt) == "" {
		return nil, errors.New("ringcentral: JWT login: the JWT credential is empty")
	}
	tok, err := postToken(ctx, conf, hc, url.Values{"grant_type": {GrantJWTBearer}, "assertion": {jwt}})
	if err != nil {
		return nil, fmt.Errorf("ringcentral: JWT login: %w", err)
	}
	return tok, nil
}

// Revoke ends the OAuth session tok belongs to: RingCentral then refuses
// all of its access and refresh tokens. It is not retried.
func Revoke(ctx context.Context, conf *oauth2.Config, hc *http.Client, ep Endpoints, tok *oauth2.Token) error {
	t := tok.RefreshToken
	if t == "" {
		t = tok.AccessToken
	}
	resp, raw, err := postForm(ctx, conf, hc, ep.RevokeURL(), url.Values{"token": {t}})
	if err != nil {
		return fmt.Errorf("ringcentral: revoking the login: %w", err)
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("ringcentral: revoking the login: %w", tokenErrorFrom(resp, raw))
	}
	return nil
}

// TokenError is the token endpoint refusing: RFC 6749's error and
// error_description, plus RingCentral's own errors[].errorCode.
type TokenError struct {
	Status      int
	Code        string   // "invalid_grant", "invalid_client", …
	Description string   // error_description
	ErrorCodes  []string // RingCentral's, e.g. "OAU-210"
	RetryAfter  time.Duration
}

func (e *TokenError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "the token endpoint answered %d", e.Status)
	for _, s := range []string{e.Code, strings.Join(e.ErrorCodes, ","), e.Description} {
		if s != "" {
			b.WriteString(": " + s)
		}
	}
	return b.String()
}

// LoginExpired reports whether only a new login can help: the grant or
// the client was refused. 429 and 5xx are "not now", not a refusal.
func (e *TokenError) LoginExpired() bool {
	switch {
	case e.Code == "invalid_grant":
		return true
	case e.Status == http.StatusTooManyRequests, e.Status >= 500:
		return false
	}
	return e.Status >= 400
}

func tokenErrorFrom(resp *http.Response, raw []byte) *TokenError {
	e := &TokenError{Status: resp.StatusCode, RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"))}
	var body apiErrorBody
	if json.Unmarshal(raw, &body) == nil {
		e.Code, e.Description = body.Error, body.ErrorDescription
		e.ErrorCodes = body.codes()
		if e.Description == "" {
			e.Description = body.message()
		}
	} else if s := strings.TrimSpace(string(raw)); len(s) < 300 {
		e.Description = s
	}
	return e
}

// postToken posts a grant to the token endpoint and reads the token.
func postToken(ctx context.Context, conf *oauth2.Config, hc *http.Client, form url.Values) (*oauth2.Token, error) {
	resp, raw, err := postForm(ctx, conf, hc, conf.Endpoint.TokenURL, form)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		return nil, tokenErrorFrom(resp, raw)
	}
	return decodeToken(raw)
}

// postForm posts form with the client's Basic credentials.
func postForm(ctx context.Context, conf *oauth2.Config, hc *http.Client, endpoint string, form url.Values) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	// RFC 6749 §2.3.1: the credentials are form-encoded before Basic.
	req.SetBasicAuth(url.QueryEscape(conf.ClientID), url.QueryEscape(conf.ClientSecret))
	resp, err := orDefaultClient(hc).Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, nil, fmt.Errorf("reading the token endpoint's answer: %w", err)
	}
	return resp, raw, nil
}

// decodeToken reads RingCentral's TokenInfo, keeping every field as an
// extra (owner_id, scope, refresh_token_expires_in, …).
func decodeToken(raw []byte) (*oauth2.Token, error) {
	var extra map[string]any
	if err := json.Unmarshal(raw, &extra); err != nil {
		return nil, fmt.Errorf("the token endpoint's answer is not JSON: %w", err)
	}
	var t struct {
		AccessToken  string      `json:"access_token"`
		TokenType    string      `json:"token_type"`
		RefreshToken string      `json:"refresh_token"`
		ExpiresIn    json.Number `json:"expires_in"`
	}
	if err := json.Unmarshal(raw, &t); err != nil {
		return nil, fmt.Errorf("the token endpoint's answer is not a token: %w", err)
	}
	if t.AccessToken == "" {
		return nil, errors.New("the token endpoint's answer has no access_token")
	}
	tok := &oauth2.Token{AccessToken: t.AccessToken, TokenType: t.TokenType, RefreshToken: t.RefreshToken}
	if n, err := t.ExpiresIn.Int64(); err == nil && n > 0 {
		tok.ExpiresIn = n
		tok.Expiry = time.Now().Add(time.Duration(n) * time.Second)
	}
	return tok.WithExtra(extra), nil
}

// RefreshExpiry is when tok's refresh token lapses, from the
// refresh_token_expires_in RingCentral sent with it: by then the organizer
// must log in again (a JWT login logs itself in). It is zero when unknown:
// the extras do not survive tok being saved as JSON, so keep the answer.
func RefreshExpiry(tok *oauth2.Token) time.Time {
	if tok == nil || tok.Expiry.IsZero() {
		return time.Time{}
	}
	var secs int64
	switch v := tok.Extra("refresh_token_expires_in").(type) {
	case float64:
		secs = int64(v)
	case string:
		secs, _ = strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	}
	if secs <= 0 {
		return time.Time{}
	}
	issued := tok.Expiry.Add(-time.Duration(tok.ExpiresIn) * time.Second)
	return issued.Add(time.Duration(secs) * time.Second)
}

// OwnerID is the RingCentral user (extension) the token belongs to.
func OwnerID(tok *oauth2.Token) string {
	switch v := tok.Extra("owner_id").(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return ""
}

func orDefaultClient(hc *http.Client) *http.Client {
	if hc == nil {
		return &http.Client{Timeout: 30 * time.Second}
	}
	return hc
}

// TokenSourceConfig is what a TokenSource refreshes with.
type TokenSourceConfig struct {
	OAuth *oauth2.Config
	HTTP  *http.Client        // nil: a client with a 30 s timeout
	JWT   string              // when set, a refused or absent refresh token logs in again with it
	Save  func(*oauth2.Token) // called with each new token before it is used; may be nil
}

// TokenSource hands out access tokens for the Client: the current one
// while it has more than RefreshEarly to live, else a refreshed one.
// Refreshes are serialized, since RingCentral's refresh tokens are single
// use: two racing refreshes would lose the login. It implements Refresher.
type TokenSource struct {
	cfg TokenSourceConfig

	mu      sync.Mutex
	tok     *oauth2.Token
	refused error // set once the login is refused; a new login brings a new TokenSource
}

// NewTokenSource starts from tok (as saved after the login; nil with a JWT
// logs in at first use).
func NewTokenSource(cfg TokenSourceConfig, tok *oauth2.Token) *TokenSource {
	cfg.HTTP = orDefaultClient(cfg.HTTP)
	return &TokenSource{cfg: cfg, tok: tok}
}

// Token returns a token with more than RefreshEarly to live.
func (ts *TokenSource) Token() (*oauth2.Token, error) {
	return ts.TokenContext(context.Background())
}

// TokenContext is Token with a refresh bounded by ctx.
func (ts *TokenSource) TokenContext(ctx context.Context) (*oauth2.Token, error) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if t := ts.tok; t != nil && t.AccessToken != "" && (t.Expiry.IsZero() || t.Expiry.Add(-RefreshEarly).After(time.Now())) {
		return cloneToken(t), nil
	}
	return ts.refreshLocked(ctx)
}

// Refresh returns a new token unless the current one already differs
// from stale (another call refreshed meanwhile).
func (ts *TokenSource) Refresh(ctx context.Context, stale *oauth2.Token) (*oauth2.Token, error) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.tok != nil && stale != nil && ts.tok.AccessToken != "" && ts.tok.AccessToken != stale.AccessToken {
		return cloneToken(ts.tok), nil
	}
	return ts.refreshLocked(ctx)
}

// Current is the token held now (nil before any), without refreshing.
func (ts *TokenSource) Current() *oauth2.Token {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.tok == nil {
		return nil
	}
	return cloneToken(ts.tok)
}

func (ts *TokenSource) refreshLocked(ctx context.Context) (*oauth2.Token, error) {
	if ts.refused != nil {
		return nil, ts.refused // asking again cannot help
	}
	var (
		tok *oauth2.Token
		err error
	)
	if ts.tok != nil && ts.tok.RefreshToken != "" {
		tok, err = postToken(ctx, ts.cfg.OAuth, ts.cfg.HTTP, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {ts.tok.RefreshToken}})
		if err != nil && ts.cfg.JWT != "" && refusedLogin(err) {
			tok, err = postToken(ctx, ts.cfg.OAuth, ts.cfg.HTTP, url.Values{"grant_type": {GrantJWTBearer}, "assertion": {ts.cfg.JWT}})
		}
	} else if ts.cfg.JWT != "" {
		tok, err = postToken(ctx, ts.cfg.OAuth, ts.cfg.HTTP, url.Values{"grant_type": {GrantJWTBearer}, "assertion": {ts.cfg.JWT}})
	} else {
		ts.refused = fmt.Errorf("%w: there is no refresh token", ErrLoginExpired)
		return nil, ts.refused
	}
	if err != nil {
		if refusedLogin(err) {
			ts.refused = fmt.Errorf("%w: refreshing the access token: %w", ErrLoginExpired, err)
			return nil, ts.refused
		}
		return nil, fmt.Errorf("ringcentral: refreshing the access token: %w", err)
	}
	ts.tok = tok
	if ts.cfg.Save != nil {
		ts.cfg.Save(cloneToken(tok))
	}
	return cloneToken(tok), nil
}

func refusedLogin(err error) bool {
	var te *TokenError
	return errors.As(err, &te) && te.LoginExpired()
}

// cloneToken copies the exported fields and keeps the response extras.
func cloneToken(t *oauth2.Token) *oauth2.Token {
	c := *t
	return &c
}
