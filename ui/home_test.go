package ui

import (
	"net/http"
	"testing"
	"time"

	"webinarsync/tunnel"
)

func TestHome_ListsWebinarsWithCounts(t *testing.T) {
	st := openStore(t)
	seedLaunch(t, st)
	put(t, st, testNow.Add(-30*time.Minute), webinarEvent("webinar.created", "ev-w-2", cancelKey, "Old Workshop", "NEW",
		time.Date(2026, 1, 20, 9, 0, 0, 0, time.UTC)))
	put(t, st, testNow.Add(-20*time.Minute), webinarEvent("webinar.changed", "ev-w-3", cancelKey, "Old Workshop", "DELETED",
		time.Date(2026, 1, 20, 9, 0, 0, 0, time.UTC)))

	rec := get(t, handler(t, Config{Store: st}), "/")
	if rec.Code != http.StatusOK {
		t.Fatalf("status = %d, want 200", rec.Code)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	body := rec.Body.String()
	mustContain(t, body,
		// Totals: 2 webinars, 3 registrants, 2 joins, 8 events.
		`<div class="figure-value">2</div><div class="figure-label">webinars</div>`,
		`<div class="figure-value">3</div><div class="figure-label">registrants</div>`,
		`<div class="figure-value">2</div><div class="figure-label">joins</div>`,
		`<div class="figure-value">8</div><div class="figure-label">events received</div>`,
		// The newest-starting webinar first, linked, with its schedule in UTC and its own zone.
		`href="/webinars/`+launchKey+`"`, `Quarterly Launch — Q1 2026`,
		`Sun 1 Mar 2026, 15:00–16:00 UTC`, `Sun 1 Mar, 16:00–17:00 Europe/Berlin time`,
		// It was on 1 Mar and the page is rendered on 2 Mar: GoTo still says NEW.
		`<td>Ended</td>`,
		`<td class="num">3</td>`, `<td class="num">2</td>`,
		`aria-label="67% of registrants joined"`, `width="67"`,
		// The deleted one, struck through.
		`<tr class="deleted">`, `<s>Old Workshop</s>`, `Deleted at GoTo`,
	)
	mustNotContain(t, body, "No webinars yet")
}

func TestHome_EmptyStateSaysWhatToDo(t *testing.T) {
	rec := get(t, handler(t, Config{Store: openStore(t)}), "/")
	if rec.Code != http.StatusOK {
		t.Fatalf("status = %d, want 200", rec.Code)
	}
	mustContain(t, rec.Body.String(),
		"Not receiving events: log in to GoTo",
		"Not logged in",
		"No webinars yet.", "Events appear here as GoTo delivers them",
	)
}

func TestHome_ShowsAccountTunnelAndWebhooks(t *testing.T) {
	st := openStore(t)
	put(t, st, testNow.Add(-12*time.Second), webinarEvent("webinar.created", "ev-w-1", workshopKey, "Workshop", "NEW", testNow))
	account := &fakeAccount{
		login: LoginStatus{State: LoginDemo, Organizer: "Grace Hopper"},
		webhooks: []WebhookStatus{
			{EventName: "registrant.added", WebhookKey: "w1", State: "ACTIVE", UserSubscriptionState: "ACTIVE", ActivationState: "ACTIVE",
				CallbackURL: "https://demo.example/webhooks/gotowebinar", LastDelivery: testNow.Add(-3 * time.Minute)},
			{EventName: "registrant.joined", WebhookKey: "w2", State: "INACTIVE", UserSubscriptionState: "ACTIVE", ActivationState: "INACTIVE",
				Error: "GoTo refused to activate this webhook: the callback URL did not answer."},
		},
	}
	tun := func() tunnel.State {
		return tunnel.State{Kind: "local", Phase: tunnel.PhaseOnline, URL: "https://demo.example", Since: testNow.Add(-2 * time.Hour)}
	}
	rec := get(t, handler(t, Config{Store: st, Account: account, Tunnel: tun, Demo: true}), "/")
	mustContain(t, rec.Body.String(),
		`Demo mode.`, `built-in simulator`,
		`Only 1 of 2 webhooks are active`,
		`Simulator`, `Grace Hopper`,
		`action="/logout"`, `name="removeWebhooks"`, `also remove our webhooks at GoTo`,
		`Online (local)`, `https://demo.example/webhooks/gotowebinar`,
		`12 s ago`,
		`registrant.added`, `badge-ok`, `3 min ago`,
		`registrant.joined`, `Inactive`, `the callback URL did not answer`,
	)
}
