package gotosim_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"webinarsync/gotowebinar/gotosim"
)

const redirectURL = "http://127.0.0.1:7777/oauth/callback"

func oauthConfig(api string) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     "client-id",
		ClientSecret: "client-secret",
		Endpoint: oauth2.Endpoint{
			AuthURL:  api + "/oauth/authorize",
			TokenURL: api + "/oauth/token",
		},
		RedirectURL: redirectURL,
	}
}

// authorize follows the sim's auto-approval and returns the redirect it
// answers with.
func authorize(t *testing.T, authURL string) *url.URL {
	t.Helper()
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("GET %s = %d, want 302", authURL, resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestOAuth_CodeWithPKCEThenRefresh(t *testing.T) {
	t.Parallel()
	clk := newClock()
	_, api := startSim(t, gotosim.Config{Now: clk.Now, TokenTTL: time.Minute, ClientID: "client-id", ClientSecret: "client-secret"})
	conf := oauthConfig(api.URL)
	verifier := oauth2.GenerateVerifier()

	loc := authorize(t, conf.AuthCodeURL("st4te", oauth2.S256ChallengeOption(verifier)))
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != redirectURL || loc.Query().Get("state") != "st4te" || loc.Query().Get("code") == "" {
		t.Fatalf("redirected to %s, want %s with code and state", loc, redirectURL)
	}
	ctx := context.WithValue(t.Context(), oauth2.HTTPClient, http.DefaultClient)
	tok, err := conf.Exchange(ctx, loc.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("Exchange: %v", err)
	}
	// Today's shape: a principal, not who the organizer is (identity_test.go).
	if tok.TokenType != "Bearer" || tok.RefreshToken == "" || tok.Extra("principal") != gotosim.OrganizerEmail || tok.Extra("organizer_key") != nil {
		t.Errorf("token %+v, principal %v, organizer_key %v", tok, tok.Extra("principal"), tok.Extra("organizer_key"))
	}
	if status, b := call(t, "GET", api.URL+"/webhooks?product=g2w", tok.AccessToken, nil); status != 200 {
		t.Fatalf("REST call with the new token = %d %s", status, b)
	}

	// Expired: refused until refreshed.
	clk.Advance(2 * time.Minute)
	if status, _ := call(t, "GET", api.URL+"/webhooks?product=g2w", tok.AccessToken, nil); status != 403 {
		t.Errorf("REST call with an expired token = %d, want 403", status)
	}
	fresh, err := conf.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if fresh.AccessToken == tok.AccessToken {
		t.Error("refresh returned the same access token")
	}
	if status, b := call(t, "GET", api.URL+"/webhooks?product=g2w", fresh.AccessToken, nil); status != 200 {
		t.Errorf("REST call with the refreshed token = %d %s", status, b)
	}
}

func TestOAuth_TokenRefusesBadExchanges(t *testing.T) {
	t.Parallel()
	_, api := startSim(t, gotosim.Config{ClientID: "client-id", ClientSecret: "client-secret"})
	conf := oauthConfig(api.URL)
	ctx := context.WithValue(t.Context(), oauth2.HTTPClient, http.DefaultClient)
	verifier := oauth2.GenerateVerifier()
	code := func() string {
		return authorize(t, conf.AuthCodeURL("s", oauth2.S256ChallengeOption(verifier))).Query().Get("code")
	}

	if _, err := conf.Exchange(ctx, code(), oauth2.VerifierOption(oauth2.GenerateVerifier())); err == nil || !strings.Contains(err.Error(), "invalid_grant") {
		t.Errorf("wrong code_verifier: %v, want invalid_grant", err)
	}
	if _, err := conf.Exchange(ctx, code()); err == nil {
		t.Error("missing code_verifier was accepted")
	}
	other := *conf
	other.RedirectURL = "http://127.0.0.1:7777/elsewhere"
	if _, err := other.Exchange(ctx, code(), oauth2.VerifierOption(verifier)); err == nil {
		t.Error("a different redirect_uri was accepted")
	}
	wrongSecret := *conf
	wrongSecret.ClientSecret = "guess"
	if _, err := wrongSecret.Exchange(ctx, code(), oauth2.VerifierOption(verifier)); err == nil || !strings.Contains(err.Error(), "invalid_client") {
		t.Errorf("wrong client secret: %v, want invalid_client", err)
	}
	c := code()
	if _, err := conf.Exchange(ctx, c, oauth2.VerifierOption(verifier)); err != nil {
		t.Fatalf("good exchange: %v", err)
	}
	if _, err := conf.Exchange(ctx, c, oauth2.VerifierOption(verifier)); err == nil {
		t.Error("a code was accepted twice")
	}
	// Credentials in the form instead of Basic are fine too.
	form := *conf
	form.Endpoint.AuthStyle = oauth2.AuthStyleInParams
	if _, err := form.Exchange(ctx, code(), oauth2.VerifierOption(verifier)); err != nil {
		t.Errorf("client credentials in the form: %v", err)
	}
}

func TestOAuth_AuthorizeRedirectsErrors(t *testing.T) {
	t.Parallel()
	_, api := startSim(t, gotosim.Config{})
	q := url.Values{"response_type": {"token"}, "client_id": {"c"}, "redirect_uri": {redirectURL}, "state": {"s"}}
	loc := authorize(t, api.URL+"/oauth/authorize?"+q.Encode())
	if loc.Query().Get("error") != "unsupported_response_type" || loc.Query().Get("state") != "s" {
		t.Errorf("redirected to %s, want error=unsupported_response_type with the state", loc)
	}
	resp, err := http.Get(api.URL + "/oauth/authorize?response_type=code&client_id=c")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("authorize without redirect_uri = %d, want 400", resp.StatusCode)
	}
}
