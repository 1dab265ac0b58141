package gotosim

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"time"
)

// codeTTL is how long an authorization code may wait to be exchanged.
const codeTTL = 10 * time.Minute

// The organizer the sim logs in as.
const (
	OrganizerEmail     = "maren.solberg@example.com"
	OrganizerFirstName = "Maren"
	OrganizerLastName  = "Solberg"
)

type authCode struct {
	clientID, redirectURI, challenge string
	expires                          time.Time
}

// authorize approves every request at once (there is nobody to ask) and
// redirects back with a code, or with an error when the request is wrong.
func (s *Sim) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	redirect, err := url.Parse(q.Get("redirect_uri"))
	if q.Get("redirect_uri") == "" || err != nil || !redirect.IsAbs() {
		// RFC 6749 §4.1.2.1: never redirect to a URI we cannot trust.
		http.Error(w, "redirect_uri is missing or not an absolute URL", http.StatusBadRequest)
		return
	}
	clientID := q.Get("client_id")
	if clientID == "" || (s.clientID != "" && clientID != s.clientID) {
		http.Error(w, "client_id is missing or unknown", http.StatusBadRequest)
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
	switch {
	case q.Get("response_type") != "code":
		back(url.Values{"error": {"unsupported_response_type"}, "error_description": {"response_type must be code"}})
		return
	case challenge != "" && method != "S256":
		back(url.Values{"error": {"invalid_request"}, "error_description": {"code_challenge_method must be S256"}})
		return
	case challenge == "" && method != "":
		back(url.Values{"error": {"invalid_request"}, "error_description": {"code_challenge_method without code_challenge"}})
		return
	}
	code := randomToken()
	s.mu.Lock()
	s.codes[code] = authCode{clientID: clientID, redirectURI: q.Get("redirect_uri"), challenge: challenge, expires: s.now().Add(codeTTL)}
	s.mu.Unlock()
	back(url.Values{"code": {code}})
}

// token exchanges an authorization code (checking PKCE and redirect_uri)
// or a refresh token for an access token, answering as GoTo does today:
// the standard fields, the scope and the principal (the organizer's
// e-mail), but not who the organizer is; with Config.LegacyTokenKeys, as
// GoTo's old token host did, with the organizer's keys and name.
func (s *Sim) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "the body is not a form: "+err.Error())
		return
	}
	clientID, secret, basic := r.BasicAuth()
	if basic {
		// RFC 6749 §2.3.1: Basic credentials are form-encoded first.
		clientID, _ = url.QueryUnescape(clientID)
		secret, _ = url.QueryUnescape(secret)
	} else {
		clientID, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if clientID == "" || (s.clientID != "" && (clientID != s.clientID ||
		subtle.ConstantTimeCompare([]byte(secret), []byte(s.secret)) != 1)) {
		w.Header().Set("WWW-Authenticate", `Basic realm="gotosim"`)
		oauthError(w, http.StatusUnauthorized, "invalid_client", "client authentication failed")
		return
	}
	var refresh string
	switch grant := r.PostForm.Get("grant_type"); grant {
	case "authorization_code":
		code := r.PostForm.Get("code")
		s.mu.Lock()
		ac, ok := s.codes[code]
		delete(s.codes, code) // a code is good for one exchange only
		s.mu.Unlock()
		var problem string
		switch {
		case !ok || !s.now().Before(ac.expires):
			problem = "the authorization code is unknown, used or expired"
		case ac.clientID != clientID:
			problem = "the authorization code was issued to another client"
		case ac.redirectURI != r.PostForm.Get("redirect_uri"):
			problem = "redirect_uri differs from the one authorized"
		case ac.challenge != "" && r.PostForm.Get("code_verifier") == "":
			problem = "code_verifier is missing"
		case ac.challenge != "" && s256(r.PostForm.Get("code_verifier")) != ac.challenge:
			problem = "code_verifier does not match code_challenge"
		}
		if problem != "" {
			oauthError(w, http.StatusBadRequest, "invalid_grant", problem)
			return
		}
		refresh = randomToken()
		if len(s.tokenKey) > 0 {
			refresh = s.signToken("refresh", time.Time{}, clientID)
		}
		s.mu.Lock()
		s.refresh[refresh] = clientID
		s.mu.Unlock()
	case "refresh_token":
		refresh = r.PostForm.Get("refresh_token")
		s.mu.Lock()
		owner, ok := s.refresh[refresh]
		s.mu.Unlock()
		if !ok {
			owner, _, ok = s.verifyToken("refresh", refresh)
		}
		if !ok || owner != clientID {
			oauthError(w, http.StatusBadRequest, "invalid_grant", "the refresh token is unknown")
			return
		}
	default:
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "grant_type must be authorization_code or refresh_token, not "+grant)
		return
	}
	exp := s.now().Add(s.tokenTTL)
	access := randomToken()
	if len(s.tokenKey) > 0 {
		access = s.signToken("access", exp, clientID)
	}
	s.mu.Lock()
	s.tokens[access] = exp
	s.mu.Unlock()
	w.Header().Set("Cache-Control", "no-store")
	body := map[string]any{
		"access_token":  access,
		"token_type":    "Bearer",
		"expires_in":    int(s.tokenTTL / time.Second),
		"refresh_token": refresh, // GoTo keeps the refresh token across refreshes
		"scope":         s.grantedScope(),
		"principal":     OrganizerEmail,
	}
	if s.legacyToken {
		// The old token host's shape: it named the organizer itself.
		body = map[string]any{
			"access_token":  access,
			"token_type":    "Bearer",
			"expires_in":    int(s.tokenTTL / time.Second),
			"refresh_token": refresh,
			"scope":         "collab:",
			"organizer_key": s.gen.OrganizerKey(),
			"account_key":   s.gen.AccountKey(),
			"account_type":  "",
			"email":         OrganizerEmail,
			"firstName":     OrganizerFirstName,
			"lastName":      OrganizerLastName,
			"version":       "3",
		}
	}
	writeJSON(w, http.StatusOK, body)
}

func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func oauthError(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}
