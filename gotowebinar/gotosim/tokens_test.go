package gotosim_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"webinarsync/gotowebinar/gotosim"
)

// A Sim made again with the same Seed and TokenKey (the demo restarted)
// has the same world and accepts the tokens the first one issued; one with
// another key does not.
func TestTokenKey_ARestartedSimAcceptsItsTokens(t *testing.T) {
	t.Parallel()
	cfg := gotosim.Config{Seed: 42, TokenKey: []byte("demo key"), ClientID: "client-id", ClientSecret: "client-secret"}
	first, api := startSim(t, cfg)
	conf := oauthConfig(api.URL)
	verifier := oauth2.GenerateVerifier()
	loc := authorize(t, conf.AuthCodeURL("s", oauth2.S256ChallengeOption(verifier)))
	ctx := context.WithValue(t.Context(), oauth2.HTTPClient, http.DefaultClient)
	tok, err := conf.Exchange(ctx, loc.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("Exchange: %v", err)
	}

	again, api2 := startSim(t, cfg)
	if again.OrganizerKey() != first.OrganizerKey() {
		t.Errorf("organizer key %s after the restart, was %s", again.OrganizerKey(), first.OrganizerKey())
	}
	p := gotosim.Population{Webinars: 2, Registrants: 3, Sessions: 1, Start: time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC), Every: 24 * time.Hour}
	w1, w2 := first.Generator().Populate(p), again.Generator().Populate(p)
	if len(w1) != 2 || len(w2) != 2 || w1[0].Key != w2[0].Key || w1[1].Key != w2[1].Key {
		t.Errorf("populated webinars differ after the restart: %v vs %v", w1, w2)
	}
	if status, b := call(t, "GET", api2.URL+"/webhooks?product=g2w", tok.AccessToken, nil); status != 200 {
		t.Errorf("the restarted sim refused the earlier access token: %d %s", status, b)
	}
	conf2 := oauthConfig(api2.URL)
	if _, err := conf2.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); err != nil {
		t.Errorf("the restarted sim refused the earlier refresh token: %v", err)
	}

	cfg.TokenKey = []byte("another key")
	_, api3 := startSim(t, cfg)
	if status, _ := call(t, "GET", api3.URL+"/webhooks?product=g2w", tok.AccessToken, nil); status != 403 {
		t.Errorf("a sim with another key accepted the token: %d", status)
	}
	if _, err := oauthConfig(api3.URL).TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); err == nil {
		t.Error("a sim with another key accepted the refresh token")
	}
}
