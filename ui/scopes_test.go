package ui

import (
	"strings"
	"testing"

	"webinarsync/gotowebinar"
)

// The setup page names the exact scopes to tick, beside the redirect URI:
// GoTo grants only those ticked on the OAuth client.
func TestSetup_NamesTheScopesToTick(t *testing.T) {
	t.Parallel()
	body := get(t, setupSite{}.handler(t), "/setup").Body.String()
	mustContain(t, body, "redirect URI", "http://127.0.0.1:7777/oauth/callback", "Scopes",
		"GoTo Webinar", gotowebinar.ScopeCollab, gotowebinar.ScopeProfile)
}

// A 403 about the token's scope says which scope to tick, and what to do.
func TestDescribe_AMissingScopeNamesIt(t *testing.T) {
	t.Parallel()
	err := &gotowebinar.APIError{Status: 403, Message: "The access token does not have the required scope"}
	for _, d := range []doing{settingUpWebhooks, syncing, changingRegistrants} {
		got := describe(gotowebinar.Classify(err), d, "")
		if !strings.Contains(got, gotowebinar.ScopeCollab) || !strings.Contains(got, "developer portal") {
			t.Errorf("describe(%v) = %q, want it to name the scope %s and where to tick it", d, got, gotowebinar.ScopeCollab)
		}
	}
	// A 403 about the account's rights is not blamed on the scope.
	if got := describe(gotowebinar.Classify(&gotowebinar.APIError{Status: 403, Message: "Not an organizer"}), syncing, ""); strings.Contains(got, "scope") {
		t.Errorf("a refusal about rights reads %q", got)
	}
}
