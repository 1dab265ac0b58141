package gotosim_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"webinarsync/gotowebinar/gotosim"
)

// memToken logs in to an in-memory sim by the authorization-code flow and
// returns GoTo's token response.
func memToken(t *testing.T, hc *http.Client) *oauth2.Token {
	t.Helper()
	conf := oauthConfig(memSimURL)
	noFollow := &http.Client{Transport: hc.Transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(conf.AuthCodeURL("st4te"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := resp.Location()
	if err != nil {
		t.Fatalf("authorize answered %d without a redirect: %v", resp.StatusCode, err)
	}
	tok, err := conf.Exchange(context.WithValue(t.Context(), oauth2.HTTPClient, hc), loc.Query().Get("code"))
	if err != nil {
		t.Fatalf("Exchange: %v", err)
	}
	return tok
}

func TestToken_TodaysShapeNamesOnlyAPrincipal(t *testing.T) {
	t.Parallel()
	_, hc := startSimInMemory(gotosim.Config{ClientID: "client-id", ClientSecret: "client-secret"})
	tok := memToken(t, hc)
	if tok.Extra("principal") != gotosim.OrganizerEmail {
		t.Errorf("principal = %v, want %s", tok.Extra("principal"), gotosim.OrganizerEmail)
	}
	if scope, _ := tok.Extra("scope").(string); !strings.Contains(scope, "collab:") || !strings.Contains(scope, gotosim.IdentityScope) {
		t.Errorf("scope = %q, want collab: and %s", scope, gotosim.IdentityScope)
	}
	for _, gone := range []string{"organizer_key", "account_key", "email", "firstName", "lastName"} {
		if v := tok.Extra(gone); v != nil {
			t.Errorf("today's token response has %s = %v", gone, v)
		}
	}
}

func TestToken_LegacyShapeNamesTheOrganizer(t *testing.T) {
	t.Parallel()
	sim, hc := startSimInMemory(gotosim.Config{ClientID: "client-id", ClientSecret: "client-secret", LegacyTokenKeys: true})
	tok := memToken(t, hc)
	if tok.Extra("organizer_key") != sim.OrganizerKey() || tok.Extra("account_key") != sim.Generator().AccountKey() ||
		tok.Extra("email") != gotosim.OrganizerEmail || tok.Extra("firstName") != gotosim.OrganizerFirstName {
		t.Errorf("legacy token response %v, want organizer %s", tok, sim.OrganizerKey())
	}
}

func TestUsersMe_IsTheOrganizerInSCIMShape(t *testing.T) {
	t.Parallel()
	sim, hc := startSimInMemory(gotosim.Config{})
	status, body := callVia(t, hc, "GET", memSimURL+gotosim.IdentityMePath, sim.IssueToken(), nil)
	if status != http.StatusOK {
		t.Fatalf("GET %s = %d %s", gotosim.IdentityMePath, status, body)
	}
	var me struct {
		Schemas  []string `json:"schemas"`
		ID       string   `json:"id"`
		UserName string   `json:"userName"`
		Name     struct {
			GivenName  string `json:"givenName"`
			FamilyName string `json:"familyName"`
		} `json:"name"`
		Emails []struct {
			Value   string `json:"value"`
			Primary bool   `json:"primary"`
		} `json:"emails"`
	}
	if err := json.Unmarshal(body, &me); err != nil {
		t.Fatal(err)
	}
	if me.ID != sim.OrganizerKey() || me.UserName != gotosim.OrganizerEmail ||
		me.Name.GivenName != gotosim.OrganizerFirstName || me.Name.FamilyName != gotosim.OrganizerLastName ||
		len(me.Emails) != 1 || me.Emails[0].Value != gotosim.OrganizerEmail || !me.Emails[0].Primary ||
		len(me.Schemas) != 1 || me.Schemas[0] != "urn:ietf:params:scim:schemas:core:2.0:User" {
		t.Errorf("SCIM me = %s, want the organizer %s", body, sim.OrganizerKey())
	}
}

func TestAdminMe_KeysAreBareNumbers(t *testing.T) {
	t.Parallel()
	sim, hc := startSimInMemory(gotosim.Config{})
	status, body := callVia(t, hc, "GET", memSimURL+gotosim.AdminMePath, sim.IssueToken(), nil)
	if status != http.StatusOK {
		t.Fatalf("GET %s = %d %s", gotosim.AdminMePath, status, body)
	}
	var me map[string]json.RawMessage
	if err := json.Unmarshal(body, &me); err != nil {
		t.Fatal(err)
	}
	// Exactly the digits, unquoted: beyond 2^53, as GoTo's admin API sends them.
	if string(me["key"]) != sim.OrganizerKey() || string(me["accountKey"]) != sim.Generator().AccountKey() ||
		string(me["email"]) != `"`+gotosim.OrganizerEmail+`"` || string(me["firstName"]) != `"`+gotosim.OrganizerFirstName+`"` {
		t.Errorf("admin me = %s, want the organizer %s", body, sim.OrganizerKey())
	}
}

func TestWhoAmI_RefusesWithoutAValidToken(t *testing.T) {
	t.Parallel()
	_, hc := startSimInMemory(gotosim.Config{})
	for _, path := range []string{gotosim.IdentityMePath, gotosim.AdminMePath} {
		for _, tok := range []string{"", "not-a-token"} {
			if status, body := callVia(t, hc, "GET", memSimURL+path, tok, nil); status != http.StatusUnauthorized {
				t.Errorf("GET %s with token %q = %d %s, want 401", path, tok, status, body)
			}
		}
		// Only at the API origin: not under GoTo Webinar's prefix.
		if status, _ := callVia(t, hc, "GET", memSimURL+"/G2W/rest/v2"+path, "", nil); status != http.StatusNotFound && status != http.StatusForbidden {
			t.Errorf("GET /G2W/rest/v2%s = %d, want it not served there", path, status)
		}
	}
}

func TestWhoAmI_RefusesAsConfigured(t *testing.T) {
	t.Parallel()
	sim, hc := startSimInMemory(gotosim.Config{ClientID: "client-id", ClientSecret: "client-secret",
		RefuseIdentity: http.StatusForbidden, RefuseAdmin: http.StatusNotFound})
	tok := memToken(t, hc)
	if scope, _ := tok.Extra("scope").(string); strings.Contains(scope, gotosim.IdentityScope) {
		t.Errorf("scope = %q: a client SCIM refuses was not granted %s", scope, gotosim.IdentityScope)
	}
	status, body := callVia(t, hc, "GET", memSimURL+gotosim.IdentityMePath, tok.AccessToken, nil)
	var scimErr struct {
		Schemas []string `json:"schemas"`
		Status  string   `json:"status"`
		Detail  string   `json:"detail"`
	}
	if err := json.Unmarshal(body, &scimErr); status != http.StatusForbidden || err != nil ||
		scimErr.Status != "403" || !strings.Contains(scimErr.Detail, gotosim.IdentityScope) {
		t.Errorf("GET %s = %d %s, want SCIM's 403 naming the scope", gotosim.IdentityMePath, status, body)
	}
	if status, body := callVia(t, hc, "GET", memSimURL+gotosim.AdminMePath, tok.AccessToken, nil); status != http.StatusNotFound {
		t.Errorf("GET %s = %d %s, want 404", gotosim.AdminMePath, status, body)
	}
	// GoTo Webinar's own API still works with that token.
	if status, body := callVia(t, hc, "GET", memSimURL+"/G2W/rest/v2/organizers/"+sim.OrganizerKey()+"/webinars?fromTime=2025-01-01T00:00:00Z&toTime=2026-01-01T00:00:00Z", tok.AccessToken, nil); status != http.StatusOK {
		t.Errorf("GoTo Webinar's API with the same token = %d %s", status, body)
	}
}
