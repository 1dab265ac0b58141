package ringcentral_test

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/oauth2"

	"webinarsync/ringcentral"
	"webinarsync/ringcentral/rcsim"
)

// authorize follows the login URL to the sim's auto-approving page and
// returns the redirect's query.
func authorize(t *testing.T, e *env, loginURL string) url.Values {
	t.Helper()
	resp, err := e.hc.Get(loginURL)
	if err != nil {
		t.Fatalf("GET the login URL: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize answered %d, want 302", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return loc.Query()
}

func TestLogin_PKCEEndToEnd(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		verifier func(ringcentral.LoginStart) string
		wantErr  string // RingCentral errorCode; "" for success
	}{
		{"the right verifier", func(s ringcentral.LoginStart) string { return s.Verifier }, ""},
		{"a wrong verifier", func(ringcentral.LoginStart) string { return oauth2.GenerateVerifier() }, "OAU-106"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, rcsim.Config{})
			start := ringcentral.StartLogin(e.conf)
			u, _ := url.Parse(start.URL)
			if got := u.Query().Get("code_challenge_method"); got != "S256" {
				t.Errorf("code_challenge_method = %q, want S256", got)
			}
			back := authorize(t, e, start.URL)
			if back.Get("state") != start.State || back.Get("code") == "" {
				t.Fatalf("redirect query %v, want state %q and a code", back, start.State)
			}
			tok, err := ringcentral.ExchangeCode(t.Context(), e.conf, e.hc, back.Get("code"), tt.verifier(start))
			if tt.wantErr != "" {
				var te *ringcentral.TokenError
				if !errors.As(err, &te) || te.Code != "invalid_grant" || !slices.Contains(te.ErrorCodes, tt.wantErr) {
					t.Fatalf("ExchangeCode = %v, want invalid_grant with %s", err, tt.wantErr)
				}
				if p := ringcentral.Classify(err); p.Kind != ringcentral.ProblemLoginRefused || p.Code != tt.wantErr {
					t.Errorf("Classify = %+v, want %s with %s", p, ringcentral.ProblemLoginRefused, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ExchangeCode = %v", err)
			}
			if tok.AccessToken == "" || tok.RefreshToken == "" || ringcentral.OwnerID(tok) != rcsim.OwnerID {
				t.Errorf("token %+v owner %q, want both tokens and owner %s", tok, ringcentral.OwnerID(tok), rcsim.OwnerID)
			}
			if d := time.Until(ringcentral.RefreshExpiry(tok)); d < 7*24*time.Hour-time.Minute || d > 7*24*time.Hour {
				t.Errorf("RefreshExpiry is %v away, want about 7 days", d)
			}
		})
	}
}

func TestJWTLogin(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, jwt string
		wantKind  ringcentral.ProblemKind // "" for success
	}{
		{"the configured JWT", "eyJ.good.jwt", ""},
		{"another JWT", "eyJ.forged.jwt", ringcentral.ProblemLoginRefused},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, rcsim.Config{JWT: "eyJ.good.jwt"})
			tok, err := ringcentral.JWTLogin(t.Context(), e.conf, e.hc, tt.jwt)
			if tt.wantKind != "" {
				if got := ringcentral.Classify(err); got.Kind != tt.wantKind || got.Code == "" {
					t.Fatalf("JWTLogin = %v, classified %+v; want %s with RingCentral's errorCode", err, got, tt.wantKind)
				}
				return
			}
			if err != nil || tok.AccessToken == "" || tok.Extra("scope") == nil {
				t.Fatalf("JWTLogin = %+v, %v; want a token with its scope", tok, err)
			}
		})
	}
}

func TestTokenSource_RotatesRefreshTokensAheadOfExpiry(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, rcsim.Config{JWT: "jwt"})
		first, err := ringcentral.JWTLogin(t.Context(), e.conf, e.hc, "jwt")
		if err != nil {
			t.Fatal(err)
		}
		var saved []*oauth2.Token
		ts := ringcentral.NewTokenSource(ringcentral.TokenSourceConfig{OAuth: e.conf, HTTP: e.hc,
			Save: func(t *oauth2.Token) { saved = append(saved, t) }}, first)
		if tok, _ := ts.Token(); tok.AccessToken != first.AccessToken {
			t.Fatal("a fresh token was refreshed")
		}
		time.Sleep(time.Hour - ringcentral.RefreshEarly + time.Second)
		tok, err := ts.Token()
		if err != nil {
			t.Fatalf("Token after 55 min = %v", err)
		}
		if tok.RefreshToken == first.RefreshToken || len(saved) != 1 || saved[0].AccessToken != tok.AccessToken {
			t.Fatalf("refreshed to %+v, saved %d; want a new refresh token, saved once", tok, len(saved))
		}
		// The spent refresh token is refused: only the saved one works.
		old := ringcentral.NewTokenSource(ringcentral.TokenSourceConfig{OAuth: e.conf, HTTP: e.hc},
			&oauth2.Token{RefreshToken: first.RefreshToken})
		if _, err := old.Token(); !errors.Is(err, ringcentral.ErrLoginExpired) {
			t.Errorf("refreshing with the spent refresh token = %v, want ErrLoginExpired", err)
		}
	})
}

func TestTokenSource_ExpiredRefreshTokenMeansLogInAgain(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		jwt     string // the TokenSource's JWT; "" for a browser login
		wantErr bool
	}{
		{"browser login: log in again", "", true},
		{"JWT login: logs itself in again", "jwt", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				e := newEnv(t, rcsim.Config{JWT: "jwt", RefreshTTL: 2 * time.Hour})
				tok, err := ringcentral.JWTLogin(t.Context(), e.conf, e.hc, "jwt")
				if err != nil {
					t.Fatal(err)
				}
				if got := ringcentral.RefreshExpiry(tok); !got.Equal(time.Now().Add(2 * time.Hour)) {
					t.Errorf("RefreshExpiry = %v, want in 2h", got)
				}
				ts := ringcentral.NewTokenSource(ringcentral.TokenSourceConfig{OAuth: e.conf, HTTP: e.hc, JWT: tt.jwt}, tok)
				time.Sleep(3 * time.Hour)
				_, err = ringcentral.NewClient(serverURL, ts, ringcentral.WithHTTPClient(e.hc)).Webinars(t.Context())
				if !tt.wantErr {
					if err != nil {
						t.Fatalf("Webinars = %v, want a JWT login again", err)
					}
					return
				}
				p := ringcentral.Classify(err)
				if !errors.Is(err, ringcentral.ErrLoginExpired) || p.Kind != ringcentral.ProblemLoginExpired || p.Code != "OAU-210" {
					t.Fatalf("Webinars = %v, classified %+v; want %s with OAU-210", err, p, ringcentral.ProblemLoginExpired)
				}
			})
		})
	}
}

func TestRevoke_EndsTheWholeSession(t *testing.T) {
	t.Parallel()
	e := newEnv(t, rcsim.Config{JWT: "jwt"})
	tok, err := ringcentral.JWTLogin(t.Context(), e.conf, e.hc, "jwt")
	if err != nil {
		t.Fatal(err)
	}
	if err := ringcentral.Revoke(t.Context(), e.conf, e.hc, ringcentral.Endpoints{ServerURL: serverURL}, tok); err != nil {
		t.Fatalf("Revoke = %v", err)
	}
	_, err = ringcentral.NewClient(serverURL, oauth2.StaticTokenSource(tok), ringcentral.WithHTTPClient(e.hc)).Webinars(t.Context())
	if got := ringcentral.Classify(err).Kind; got != ringcentral.ProblemLoginExpired {
		t.Errorf("a call with the revoked access token: %v (%s), want %s", err, got, ringcentral.ProblemLoginExpired)
	}
}

func TestEndpoints_DefaultToProduction(t *testing.T) {
	t.Parallel()
	var ep ringcentral.Endpoints
	if ep.AuthURL() != "https://platform.ringcentral.com/restapi/oauth/authorize" ||
		ep.TokenURL() != "https://platform.ringcentral.com/restapi/oauth/token" ||
		ep.RevokeURL() != "https://platform.ringcentral.com/restapi/oauth/revoke" {
		t.Errorf("endpoints %s %s %s", ep.AuthURL(), ep.TokenURL(), ep.RevokeURL())
	}
}
