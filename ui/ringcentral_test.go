package ui

import (
	"strings"
	"testing"
	"time"

	"webinarsync/ringcentral"
	rccatchup "webinarsync/ringcentral/catchup"
	rclogin "webinarsync/ringcentral/login"
	rcreconcile "webinarsync/ringcentral/reconcile"
)

// The RingCentral card says whether events arrive and, when not, what to do.
func TestRingCentralWords_SayWhetherEventsArriveAndWhatToDo(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	active := &ringcentral.Subscription{ID: "s1", Status: ringcentral.SubscriptionActive, ExpirationTime: now.Add(20 * time.Hour)}
	black := &ringcentral.Subscription{ID: "s1", Status: ringcentral.SubscriptionBlacklisted,
		BlacklistedReason: "Webhook responses with code: [503]"}
	for _, tc := range []struct {
		name       string
		sub        rcreconcile.Status
		subscribed bool
		want       string
	}{
		{"active", rcreconcile.Status{Subscription: active}, true, "delivers webinar events here"},
		{"blacklisted", rcreconcile.Status{Subscription: black}, false, "stopped delivering after our address failed for ten minutes (Webhook responses with code: [503])"},
		{"waiting", rcreconcile.Status{WaitingForTunnel: true}, false, "Waiting for the tunnel"},
		{"expired", rcreconcile.Status{Subscription: &ringcentral.Subscription{Status: ringcentral.SubscriptionActive, ExpirationTime: now.Add(-time.Minute)}}, false, "has ended"},
	} {
		subscribed, _, words := rcSubscriptionWords(tc.sub, now)
		if subscribed != tc.subscribed || !strings.Contains(words, tc.want) {
			t.Errorf("%s: %v %q, want %v and %q", tc.name, subscribed, words, tc.subscribed, tc.want)
		}
	}
	for _, tc := range []struct {
		st   rclogin.State
		want string
	}{
		{rclogin.State{Status: rclogin.LoggedIn, Method: rclogin.MethodJWT, OwnerID: "256440016"}, "Logged in as user 256440016 with your JWT credential"},
		{rclogin.State{Status: rclogin.Expired, Method: rclogin.MethodJWT, JWT: true}, "make a new credential"},
		{rclogin.State{Status: rclogin.Expired, Method: rclogin.MethodBrowser}, `log in again with "Log in with RingCentral"`},
		{rclogin.State{}, "Not set up: set RINGCENTRAL_CLIENT_ID"},
	} {
		if got, _ := rcLoginWords(tc.st, false); !strings.Contains(got, tc.want) {
			t.Errorf("rcLoginWords(%+v) = %q, want %q in it", tc.st, got, tc.want)
		}
	}
	p := ringcentral.Problem{Kind: ringcentral.ProblemAddressRefused, Code: "SUB-520", Reason: "Validation token is not returned"}
	if got := rcProblemWords(p); !strings.Contains(got, "could not reach this computer") || !strings.Contains(got, "Validation token is not returned") {
		t.Errorf("rcProblemWords(address refused) = %q", got)
	}
	running := rccatchup.Status{Running: true, Phase: rccatchup.Phase{Step: rccatchup.Attendance, Webinar: "All-Hands", Done: 1, Total: 3}}
	if got, trouble := rcSyncWords(running, now); trouble || got != "Catching up: attendance of All-Hands (2 of 3 webinars); RingCentral allows 10 such requests a minute." {
		t.Errorf("rcSyncWords(running) = %q, %v", got, trouble)
	}
	stopped := rccatchup.Status{Stopped: true, Problem: &ringcentral.Problem{Kind: ringcentral.ProblemRateLimited}}
	if got, trouble := rcSyncWords(stopped, now); !trouble || !strings.Contains(got, "slow down") {
		t.Errorf("rcSyncWords(stopped) = %q, %v", got, trouble)
	}
}
