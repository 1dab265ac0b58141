package rcsim

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"time"
)

// codeTTL is how long an authorization code may wait: RingCentral
// redirects back with expires_in=60.
const codeTTL = time.Minute

// grantJWTBearer is the grant_type of a JWT login.
const grantJWTBearer = "urn:ietf:params:oauth:grant-type:jwt-bearer"

// scope is what the sim grants: the app's permissions, whatever was asked.
const scope = "ReadWebinars EditWebinars SubscriptionWebhook"

type authCode struct {
	clientID, redirectURI, challenge, method string
	expires                                  time.Time
}

// grant is one issued token: which OAuth session it belongs to (revoke
// ends a whole session) and when it lapses.
type grant struct {
	session  string
	clientID string
	expires  time.Time
}

// authorize approves at once (there is nobody to ask) and redirects back
// with a code, or with an RFC 6749 error when the request is wrong.
func (s *Sim) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	redirect, err := url.Parse(q.Get("redirect_uri"))
	if q.Get("redirect_uri") == "" || err != nil || !redirect.IsAbs() {
		// RFC 6749 §4.1.2.1: never redirect to a URI we cannot trust.
		oauthError(w, http.StatusBadRequest, "invalid_request", "OAU-109", "Redirect URIs do not match")
		return
	}
	clientID := q.Get("client_id")
	if clientID == "" || (s.cfg.ClientID != "" && clientID != s.cfg.ClientID) {
		oauthError(w, http.StatusBadRequest, "invalid_client", "OAU-153", "Invalid client: "+clientID)
		return
	}
	back := func(params url.Values) {
		v := redirect.Query()
		for k, vs := range params {
			v[k] = vs
		}
		if st := q.Get("state"); st != "" {
			v.Set("state", st)
		}
		u := *redirect
		u.RawQuery = v.Encode()
		http.Redirect(w, r, u.String(), http.StatusFound)
	}
	challenge, method := q.Get("code_challenge"), q.Get("code_challenge_method")
	if method == "" && challenge != "" {
		method = "plain" // RingCentral's default
	}
	switch {
	case q.Get("response_type") != "code":
		back(url.Values{"error": {"unsupported_response_type"}, "error_description": {"response_type must be code"}})
		return
	case challenge != "" && method != "S256" && method != "plain":
		back(url.Values{"error": {"invalid_request"}, "error_description": {"code_challenge_method must be S256 or plain"}})
		return
	}
	code := randomToken()
	s.mu.Lock()
	s.codes[code] = authCode{clientID: clientID, redirectURI: q.Get("redirect_uri"), challenge: challenge, method: method, expires: s.now().Add(codeTTL)}
	s.mu.Unlock()
	back(url.Values{"code": {code}, "expires_in": {"60"}})
}

// clientAuth checks the client: Basic for a confidential app, or a body
// client_id alone for a public one using PKCE. Both at once is refused,
// as RingCentral refuses it.
func (s *Sim) clientAuth(w http.ResponseWriter, r *http.Request) (clientID string, ok bool) {
	id, secret, basic := r.BasicAuth()
	if basic {
		// RFC 6749 §2.3.1: Basic credentials are form-encoded first.
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
		if r.PostForm.Get("client_id") != "" || r.PostForm.Get("client_secret") != "" {
			oauthError(w, http.StatusBadRequest, "invalid_client", "OAU-153", "Invalid client: credentials sent twice")
			return "", false
		}
	} else {
		id = r.PostForm.Get("client_id")
	}
	switch {
	case id == "":
		oauthError(w, http.StatusUnauthorized, "invalid_client", "OAU-123", "Client authentication is required")
		return "", false
	case s.cfg.ClientID != "" && id != s.cfg.ClientID:
		oauthError(w, http.StatusUnauthorized, "invalid_client", "OAU-146", "Invalid client credentials")
		return "", false
	case basic && s.cfg.ClientSecret != "" && subtle.ConstantTimeCompare([]byte(secret), []byte(s.cfg.ClientSecret)) != 1:
		oauthError(w, http.StatusUnauthorized, "invalid_client", "OAU-146", "Invalid client credentials")
		return "", false
	case !basic && r.PostForm.Get("code_verifier") == "" && r.PostForm.Get("grant_type") != "refresh_token":
		// Only a PKCE client may leave its secret out.
		oauthError(w, http.StatusUnauthorized, "invalid_client", "OAU-123", "Client authentication is required")
		return "", false
	}
	return id, true
}

// token answers the authorization_code, jwt-bearer and refresh_token
// grants with RingCentral's TokenInfo. Refresh tokens rotate: each is good
// for one refresh.
func (s *Sim) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "OAU-101", "the body is not a form")
		return
	}
	clientID, ok := s.clientAuth(w, r)
	if !ok {
		return
	}
	var session string
	switch grantType := r.PostForm.Get("grant_type"); grantType {
	case "authorization_code":
		session, ok = s.codeGrant(w, r, clientID)
	case grantJWTBearer:
		session, ok = s.jwtGrant(w, r, clientID)
	case "refresh_token":
		session, ok = s.refreshGrant(w, r, clientID)
	default:
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "OAU-251", "Unauthorized for this grant type")
		return
	}
	if ok {
		s.issue(w, session, clientID)
	}
}

func (s *Sim) codeGrant(w http.ResponseWriter, r *http.Request, clientID string) (string, bool) {
	code := r.PostForm.Get("code")
	s.mu.Lock()
	ac, ok := s.codes[code]
	delete(s.codes, code) // a code is good for one exchange only
	s.mu.Unlock()
	verifier := r.PostForm.Get("code_verifier")
	var errCode, problem string
	switch {
	case !ok || ac.clientID != clientID:
		errCode, problem = "OAU-106", "Invalid authorization code"
	case !s.now().Before(ac.expires):
		errCode, problem = "OAU-108", "Authorization code is expired"
	case ac.redirectURI != r.PostForm.Get("redirect_uri"):
		errCode, problem = "OAU-109", "Redirect URIs do not match"
	case ac.challenge != "" && !pkceMatches(ac.method, ac.challenge, verifier):
		// RingCentral's code for this is not in its documents; the
		// code is what it is invalid for.
		errCode, problem = "OAU-106", "Invalid authorization code: code_verifier does not match code_challenge"
	}
	if problem != "" {
		oauthError(w, http.StatusBadRequest, "invalid_grant", errCode, problem)
		return "", false
	}
	return randomToken(), true
}

func pkceMatches(method, challenge, verifier string) bool {
	if verifier == "" {
		return false
	}
	if method == "plain" {
		return subtle.ConstantTimeCompare([]byte(verifier), []byte(challenge)) == 1
	}
	sum := sha256.Sum256([]byte(verifier))
	return subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(challenge)) == 1
}

func (s *Sim) jwtGrant(w http.ResponseWriter, r *http.Request, _ string) (string, bool) {
	a := r.PostForm.Get("assertion")
	if s.cfg.JWT == "" || subtle.ConstantTimeCompare([]byte(a), []byte(s.cfg.JWT)) != 1 {
		// The errorCode for a bad JWT is not in RingCentral's documents.
		oauthError(w, http.StatusBadRequest, "invalid_grant", "OAU-230", "Invalid JWT token")
		return "", false
	}
	return randomToken(), true
}

func (s *Sim) refreshGrant(w http.ResponseWriter, r *http.Request, clientID string) (string, bool) {
	rt := r.PostForm.Get("refresh_token")
	s.mu.Lock()
	g, ok := s.refresh[rt]
	delete(s.refresh, rt) // single use: the answer carries the next one
	s.mu.Unlock()
	switch {
	case !ok || g.clientID != clientID:
		oauthError(w, http.StatusBadRequest, "invalid_grant", "OAU-211", "Token is revoked")
		return "", false
	case !s.now().Before(g.expires):
		oauthError(w, http.StatusBadRequest, "invalid_grant", "OAU-210", "Token expired")
		return "", false
	}
	// A refresh ends the old access token at once.
	s.mu.Lock()
	for t, ag := range s.access {
		if ag.session == g.session {
			delete(s.access, t)
		}
	}
	s.mu.Unlock()
	return g.session, true
}

// issue writes a new access and refresh token for session.
func (s *Sim) issue(w http.ResponseWriter, session, clientID string) {
	now := s.now()
	access, refresh := randomToken(), randomToken()
	s.mu.Lock()
	s.access[access] = grant{session: session, clientID: clientID, expires: now.Add(s.cfg.AccessTTL)}
	s.refresh[refresh] = grant{session: session, clientID: clientID, expires: now.Add(s.cfg.RefreshTTL)}
	s.mu.Unlock()
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token":             access,
		"token_type":               "bearer",
		"expires_in":               int(s.cfg.AccessTTL / time.Second),
		"refresh_token":            refresh,
		"refresh_token_expires_in": int(s.cfg.RefreshTTL / time.Second),
		"scope":                    scope,
		"owner_id":                 OwnerID,
		"endpoint_id":              session[:22],
	})
}

// revoke ends the whole OAuth session the token belongs to.
func (s *Sim) revoke(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "OAU-101", "the body is not a form")
		return
	}
	if _, ok := s.clientAuth(w, r); !ok {
		return
	}
	tok := r.Form.Get("token")
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.access[tok]
	if !ok {
		g, ok = s.refresh[tok]
	}
	if ok {
		for _, m := range []map[string]grant{s.access, s.refresh} {
			for t, tg := range m {
				if tg.session == g.session {
					delete(m, t)
				}
			}
		}
	}
	w.WriteHeader(http.StatusOK)
}

// IssueToken returns a live access token without the OAuth dance, for
// tests of REST clients.
func (s *Sim) IssueToken() string {
	tok := randomToken()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.access[tok] = grant{session: randomToken(), expires: s.now().Add(s.cfg.AccessTTL)}
	return tok
}

// oauthError answers in RingCentral's OAuth error shape: RFC 6749's error
// and error_description plus its errors[].
func oauthError(w http.ResponseWriter, status int, code, rcCode, desc string) {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, status, map[string]any{
		"error":             code,
		"error_description": desc,
		"errors":            []apiError{{Code: rcCode, Message: desc}},
	})
}
