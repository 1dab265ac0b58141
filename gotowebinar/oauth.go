package gotowebinar

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// GoTo's endpoints, used unless the environment says otherwise.
const (
	DefaultAuthURL  = "https://authentication.logmeininc.com/oauth/authorize"
	DefaultTokenURL = "https://authentication.logmeininc.com/oauth/token"
	DefaultAPIURL   = "https://api.getgo.com/G2W/rest/v2"
)

// RefreshEarly is how long before its expiry an access token is refreshed,
// so a call never starts with a token about to lapse (GoTo's last 60 min).
const RefreshEarly = 5 * time.Minute

// ErrLoginExpired marks a refresh GoTo refused: the organizer has to log
// in again. Network trouble while refreshing is not this.
var ErrLoginExpired = errors.New("the GoTo login has expired")

// The scopes webinarsync asks for. GoTo grants only those ticked on the
// OAuth client in its developer portal, so the setup page names each.
const (
	// ScopeCollab is GoTo Webinar's API: webinars, registrants, webhooks.
	ScopeCollab = "collab:"
	// ScopeProfile reads the user's own profile, whose id is the organizer key.
	ScopeProfile = "identity:scim.me"
)

// OAuthConfig is the authorization-code configuration for GoTo. The client
// authenticates to the token endpoint with HTTP Basic, as GoTo asks.
func OAuthConfig(clientID, clientSecret, authURL, tokenURL, redirectURL string) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     clientID,
		ClientSecret: clientSecret,
		Scopes:       []string{ScopeCollab, ScopeProfile},
		Endpoint: oauth2.Endpoint{
			AuthURL:   authURL,
			TokenURL:  tokenURL,
			AuthStyle: oauth2.AuthStyleInHeader,
		},
		RedirectURL: redirectURL,
	}
}

// LoginStart is an authorization-code flow begun: send the browser to
// URL, keep State and Verifier until GoTo redirects back.
type LoginStart struct {
	URL      string
	State    string // echoed back by GoTo; ties the callback to this start
	Verifier string // PKCE: proves the code is exchanged by whoever asked
}

// StartLogin begins an authorization-code flow with a fresh state and a
// PKCE S256 challenge.
func StartLogin(conf *oauth2.Config) LoginStart {
	state := rand.Text()
	verifier := oauth2.GenerateVerifier()
	return LoginStart{
		URL:      conf.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier)),
		State:    state,
		Verifier: verifier,
	}
}

// ExchangeCode trades the code GoTo redirected back with for tokens,
// proving the PKCE verifier. hc (nil: a client with a 30 s timeout) makes
// the request.
func ExchangeCode(ctx context.Context, conf *oauth2.Config, hc *http.Client, code, verifier string) (*oauth2.Token, error) {
	tok, err := conf.Exchange(withHTTPClient(ctx, hc), code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, fmt.Errorf("gotowebinar: exchanging the authorization code: %w", err)
	}
	return tok, nil
}

func withHTTPClient(ctx context.Context, hc *http.Client) context.Context {
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	return context.WithValue(ctx, oauth2.HTTPClient, hc)
}

// Identity is who a token belongs to, as GoTo's token response says.
type Identity struct {
	OrganizerKey Key    `json:"organizerKey,omitempty"`
	AccountKey   Key    `json:"accountKey,omitempty"`
	Email        string `json:"email,omitempty"`
	FirstName    string `json:"firstName,omitempty"`
	LastName     string `json:"lastName,omitempty"`
}

// IdentityFromToken reads organizer_key, account_key, email, firstName and
// lastName from GoTo's token response; fields it lacks stay empty.
func IdentityFromToken(tok *oauth2.Token) Identity {
	return Identity{
		OrganizerKey: extraKey(tok, "organizer_key"),
		AccountKey:   extraKey(tok, "account_key"),
		Email:        extraString(tok, "email"),
		FirstName:    extraString(tok, "firstName"),
		LastName:     extraString(tok, "lastName"),
	}
}

// Merge fills the fields id lacks from older (a refresh may answer with
// fewer fields than the login did).
func (id Identity) Merge(older Identity) Identity {
	if id.OrganizerKey == "" {
		id.OrganizerKey = older.OrganizerKey
	}
	if id.AccountKey == "" {
		id.AccountKey = older.AccountKey
	}
	if id.Email == "" {
		id.Email = older.Email
	}
	if id.FirstName == "" && id.LastName == "" {
		id.FirstName, id.LastName = older.FirstName, older.LastName
	}
	return id
}

// Name is how to show the organizer: "First Last (email)", or what is known.
func (id Identity) Name() string {
	name := strings.TrimSpace(id.FirstName + " " + id.LastName)
	switch {
	case name != "" && id.Email != "":
		return name + " (" + id.Email + ")"
	case name != "":
		return name
	case id.Email != "":
		return id.Email
	case id.OrganizerKey != "":
		return "organizer " + string(id.OrganizerKey)
	}
	return ""
}

func extraString(tok *oauth2.Token, name string) string {
	s, _ := tok.Extra(name).(string)
	return strings.TrimSpace(s)
}

// extraKey reads a key sent as a string or as a number. oauth2 decodes
// numbers to float64, exact only up to 2^53; a larger one is dropped
// rather than kept wrong.
func extraKey(tok *oauth2.Token, name string) Key {
	switch v := tok.Extra(name).(type) {
	case string:
		return Key(strings.TrimSpace(v))
	case float64:
		if v >= 0 && v <= 1<<53 && v == math.Trunc(v) {
			return Key(strconv.FormatFloat(v, 'f', -1, 64))
		}
	}
	return ""
}

// TokenSource hands out access tokens for the Client: the current one
// while it has more than RefreshEarly to live, else a refreshed one. Each
// new token is passed to save (to persist it) before it is used; a refresh
// answer without a refresh_token keeps the old one. It implements
// Refresher, so a token GoTo refuses early is replaced at once.
type TokenSource struct {
	conf *oauth2.Config
	hc   *http.Client
	save func(*oauth2.Token)
	now  func() time.Time

	mu      sync.Mutex
	tok     *oauth2.Token
	refused error // set once GoTo refused the refresh token; a new login brings a new TokenSource
}

// NewTokenSource starts from tok (as saved after the login). save, which
// may be nil, is called with every refreshed token; hc (nil: a client with
// a 30 s timeout) makes the refresh requests.
func NewTokenSource(conf *oauth2.Config, hc *http.Client, tok *oauth2.Token, save func(*oauth2.Token)) *TokenSource {
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	return &TokenSource{conf: conf, hc: hc, save: save, now: time.Now, tok: tok}
}

// Token returns a token with more than RefreshEarly to live, refreshing
// when needed.
func (ts *TokenSource) Token() (*oauth2.Token, error) {
	return ts.TokenContext(context.Background())
}

// TokenContext is Token with a refresh bounded by ctx.
func (ts *TokenSource) TokenContext(ctx context.Context) (*oauth2.Token, error) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.tok != nil && ts.tok.AccessToken != "" &&
		(ts.tok.Expiry.IsZero() || ts.tok.Expiry.Add(-RefreshEarly).After(ts.now())) {
		return cloneToken(ts.tok), nil
	}
	return ts.refreshLocked(ctx)
}

// Refresh returns a new token unless the current one already differs
// from stale (another call refreshed meanwhile).
func (ts *TokenSource) Refresh(ctx context.Context, stale *oauth2.Token) (*oauth2.Token, error) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.tok != nil && stale != nil && ts.tok.AccessToken != stale.AccessToken && ts.tok.AccessToken != "" {
		return cloneToken(ts.tok), nil
	}
	return ts.refreshLocked(ctx)
}

func (ts *TokenSource) refreshLocked(ctx context.Context) (*oauth2.Token, error) {
	if ts.tok == nil || ts.tok.RefreshToken == "" {
		return nil, fmt.Errorf("%w: there is no refresh token", ErrLoginExpired)
	}
	if ts.refused != nil {
		// GoTo refused this refresh token already: asking again cannot help.
		return nil, ts.refused
	}
	old := ts.tok.RefreshToken
	// A token with only the refresh token makes oauth2 refresh at once.
	tok, err := ts.conf.TokenSource(withHTTPClient(ctx, ts.hc), &oauth2.Token{RefreshToken: old}).Token()
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode >= 400 && re.Response.StatusCode < 500 &&
			re.Response.StatusCode != http.StatusTooManyRequests {
			// GoTo refused the refresh token or our client: only a new
			// login helps. (429 is "not now", not a refusal.)
			ts.refused = fmt.Errorf("%w: refreshing the access token: %w", ErrLoginExpired, err)
			return nil, ts.refused
		}
		return nil, fmt.Errorf("gotowebinar: refreshing the access token: %w", err)
	}
	if tok.RefreshToken == "" {
		tok.RefreshToken = old
	}
	ts.tok = tok
	if ts.save != nil {
		ts.save(cloneToken(tok))
	}
	return cloneToken(tok), nil
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

// cloneToken copies the exported fields and keeps the response extras.
func cloneToken(t *oauth2.Token) *oauth2.Token {
	c := *t
	return &c
}
