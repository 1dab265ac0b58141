package ui

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"webinarsync/gotowebinar"
	"webinarsync/gotowebinar/login"
	"webinarsync/gotowebinar/reconcile"
	"webinarsync/tunnel"
)

func TestHome_ListsWebinarsWithCounts(t *testing.T) {
	t.Parallel()
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
	)
	// The webinars come first, before the totals; both are past: no
	// Upcoming list.
	mustNotContain(t, body, `>Upcoming</h3>`)
	mustContain(t, body,
		`>Past</h3>`,
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
	if strings.Index(body, "Quarterly Launch") > strings.Index(body, `figure-label">webinars`) ||
		strings.Index(body, `figure-label">webinars`) > strings.Index(body, `id="status-tunnel"`) {
		t.Error("the page reads totals or status before the webinars; want webinars, totals, then the status")
	}
}

func TestHome_EmptyStateSaysWhatToDo(t *testing.T) {
	t.Parallel()
	rec := get(t, handler(t, Config{Store: openStore(t)}), "/")
	if rec.Code != http.StatusOK {
		t.Fatalf("status = %d, want 200", rec.Code)
	}
	// The webinars come first; the status below them is open, as
	// nothing can arrive yet.
	mustContain(t, rec.Body.String(),
		"No webinars yet.", "Events appear here as GoTo delivers them", "the status below says what is missing",
		`<details class="status-fold" id="status" open`,
		"Not receiving events: log in to GoTo",
		"Not logged in",
	)
}

func TestHome_ShowsAccountTunnelAndWebhooks(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	put(t, st, testNow.Add(-3*time.Minute), registrantAdded("ev-r-1", workshopKey, "Workshop",
		registrant{key: "11111111111111111111", first: "Ada", last: "Lovelace", email: "ada@example.com", registered: testNow.Add(-3 * time.Minute)}))
	put(t, st, testNow.Add(-12*time.Second), webinarEvent("webinar.created", "ev-w-1", workshopKey, "Workshop", "NEW", testNow))
	const callback = "https://demo.example/webhooks/gotowebinar"
	// The last run registered registrant.added; GoTo refused to activate
	// registrant.joined because it could not reach the callback.
	joined := reconcile.Hook{EventName: "registrant.joined", Known: true, WebhookKey: "w2", State: "INACTIVE",
		SubscriptionState: "ACTIVE", ActivationState: "INACTIVE", CallbackURL: callback}
	hooks := &fakeWebhooks{status: reconcile.Status{Recorded: true,
		Problem: &gotowebinar.Problem{Kind: gotowebinar.ProblemCallbackRefused, Status: 400, Reason: "callback url validation failed"},
		Hooks:   []reconcile.Hook{activeHook("registrant.added", "w1", callback), joined}}}
	tun := func() tunnel.State {
		return tunnel.State{Kind: "local", Phase: tunnel.PhaseOnline, URL: "https://demo.example", Since: testNow.Add(-2 * time.Hour)}
	}
	rec := get(t, handler(t, Config{Store: st, Login: loggedIn(), Webhooks: hooks, Tunnel: tun, Demo: true}), "/")
	mustContain(t, rec.Body.String(),
		`Demo mode.`, `built-in simulator`,
		`Only 1 of 2 webhooks are active`,
		`Simulator`, `Grace Hopper (grace@example.com) — built-in simulator`,
		`action="/logout"`, `name="removeWebhooks"`, `also remove our webhooks at GoTo`,
		`Online (local)`, callback,
		`12 s ago`,
		`registrant.added`, `badge-ok`, `3 min ago`,
		`registrant.joined`, `Inactive`,
		`GoTo could not reach this computer at `+callback+` (it checks the address before delivering). Is the tunnel online? Trying again shortly.`,
	)
}

func TestHome_LoginAndWebhooksInWords(t *testing.T) {
	t.Parallel()
	online := func() tunnel.State {
		return tunnel.State{Kind: "ngrok", Phase: tunnel.PhaseOnline, URL: "https://my-name.ngrok-free.app"}
	}
	const callback = "https://my-name.ngrok-free.app/webhooks/gotowebinar"
	allActive := func() reconcile.Status {
		var st reconcile.Status
		for i, name := range gotowebinar.EventNames() {
			st.Hooks = append(st.Hooks, activeHook(name, "wh-"+itoa(i), callback))
		}
		st.Recorded = true
		return st
	}
	for _, tc := range []struct {
		name           string
		login          *fakeLogin
		hooks          reconcile.Status
		want, unwanted []string
	}{
		{name: "logged in, all active", login: loggedIn(), hooks: allActive(),
			want:     []string{"Ready: GoTo delivers events to this computer as they happen.", "Logged in", "Grace Hopper (grace@example.com)"},
			unwanted: []string{"Log in with GoTo", "error-text"}},
		{name: "session expired", login: func() *fakeLogin { l := loggedIn(); l.state.Status = login.Expired; return l }(), hooks: allActive(),
			want: []string{"Not receiving events: your GoTo session expired. Log in again.", "Session expired",
				"Your GoTo session expired: log in again. Events GoTo still delivers are received and stored meanwhile.",
				`href="/login"`, "Not checked since your GoTo session expired: log in again."}},
		{name: "logged out, webhooks on record", login: configured(), hooks: allActive(),
			want: []string{"Not logged in", "Log in with GoTo so webinarsync can set up its webhooks.",
				"Not checked while logged out of GoTo; it may still deliver. Log in to see its state."}},
		{name: "GoTo down", login: loggedIn(), hooks: func() reconcile.Status {
			st := allActive()
			st.Hooks[3] = reconcile.Hook{EventName: st.Hooks[3].EventName}
			st.Problem = &gotowebinar.Problem{Kind: gotowebinar.ProblemGoToDown, Status: 503}
			return st
		}(),
			want: []string{"Only 3 of 4 webhooks are active",
				"GoTo had a problem on its side (HTTP 503); trying again shortly.", "webinar.changed",
				"GoTo had a problem on its side (HTTP 503); trying again shortly."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := handler(t, Config{Store: openStore(t), Login: tc.login, Webhooks: &fakeWebhooks{status: tc.hooks}, Tunnel: online})
			body := get(t, h, "/").Body.String()
			mustContain(t, body, tc.want...)
			mustNotContain(t, body, tc.unwanted...)
			mustNotContain(t, body, "sign in", "Sign in", "signed in")
		})
	}
}

func TestHome_PutsUpcomingSoonestFirstThenPastAndFoldsAHealthyStatus(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	seedLaunch(t, st) // 1 Mar: past
	put(t, st, testNow, webinarEvent("webinar.created", "ev-w-2", workshopKey, "Later Workshop", "NEW", testNow.Add(20*24*time.Hour)))
	put(t, st, testNow, webinarEvent("webinar.created", "ev-w-3", cancelKey, "Sooner Clinic", "NEW", testNow.Add(2*24*time.Hour)))
	online := func() tunnel.State {
		return tunnel.State{Kind: "local", Phase: tunnel.PhaseOnline, URL: "https://demo.example"}
	}
	var hooks reconcile.Status
	for i, name := range gotowebinar.EventNames() {
		hooks.Hooks = append(hooks.Hooks, activeHook(name, "wh-"+itoa(i), "https://demo.example/webhooks/gotowebinar"))
	}
	hooks.Recorded = true
	body := get(t, handler(t, Config{Store: st, Login: loggedIn(), Webhooks: &fakeWebhooks{status: hooks}, Tunnel: online, Demo: true}), "/").Body.String()
	mustContain(t, body, `>Upcoming</h3>`, `Sooner Clinic`, `Later Workshop`, `>Past</h3>`, `Quarterly Launch — Q1 2026`,
		`<details class="status-fold" id="status" data-poll=`, `id="status-ready" data-live class="ready ready-ok"`,
		`id="status-tunnel" data-live`, `id="status-delivery" data-live`, `id="status-webhooks" data-live`)
	mustNotContain(t, body, `id="status" open`)
	mustContain(t, body, `<form class="site-search" method="get" action="/search" role="search">`)
}

func TestSearch_FindsWebinarsByTitleAndPeopleAcrossWebinars(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	seedLaunch(t, st)
	put(t, st, testNow, registrantAdded("ev-r-9", workshopKey, "Müller Workshop", registrant{
		key: "99999999999999999999", first: "Anna", last: "Müller", email: "anna@example.at", org: "Wien AG", registered: testNow}))
	h := handler(t, Config{Store: st})

	body := get(t, h, "/search?q=m%C3%BCller").Body.String()
	mustContain(t, body, `<h2 id="search-webinars-h">Webinars <span class="badge badge-none">1</span>`,
		`href="/webinars/`+workshopKey+`">Müller Workshop</a>`,
		`<h2 id="search-people-h">People <span class="badge badge-none">2</span>`,
		`Jürgen Müller`, `Bäckerei Müller GmbH`)
	// Each person links to their webinar's list, narrowed to them.
	mustContain(t, body, `href="/webinars/`+launchKey+`?q=juergen%40example.de"`)
	mustContain(t, body, `Anna Müller`, `Wien AG`)

	body = get(t, h, "/search?q=DRAGON").Body.String()
	mustContain(t, body, `No webinar title contains “DRAGON”.`, `li@example.cn`, `Quarterly Launch — Q1 2026`)

	body = get(t, h, "/search?q=").Body.String()
	mustContain(t, body, `Type a webinar's title, or a person's name`)
}
