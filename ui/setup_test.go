package ui

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"webinarsync/gotowebinar"
	"webinarsync/gotowebinar/login"
	"webinarsync/gotowebinar/reconcile"
	"webinarsync/tunnel"
)

// fakeNgrok stands in for the ngrok settings kept in app.
type fakeNgrok struct {
	n     NgrokSettings
	saved []string // "token|domain"
}

func (f *fakeNgrok) NgrokSettings() NgrokSettings { return f.n }
func (f *fakeNgrok) SaveNgrokSettings(_ context.Context, token, domain string) error {
	f.saved = append(f.saved, token+"|"+domain)
	return nil
}

// setupSite is what a setup test varies: the app's parts as the UI sees them.
type setupSite struct {
	settings login.ClientSettings
	ngrok    NgrokSettings
	login    login.State // Configured: an OAuth client is known, so /login can start
	hooks    reconcile.Status
	tunnel   tunnel.State
	events   int // registrant.added events stored
	demo     bool
}

func (c setupSite) handler(t *testing.T) http.Handler {
	t.Helper()
	st := openStore(t)
	for i := range c.events {
		put(t, st, testNow.Add(-time.Minute), registrantAdded("ev-setup-"+itoa(i), launchKey, "Quarterly Launch",
			registrant{key: "1000000000000000000" + itoa(i), first: "Ada", last: "Lovelace", email: "ada@example.com", registered: testNow}))
	}
	if c.login.Status == "" {
		c.login.Status = login.LoggedOut
	}
	tun := c.tunnel
	return handler(t, Config{
		Store: st, Demo: c.demo,
		Login:          &fakeLogin{state: c.login, client: c.settings},
		Webhooks:       &fakeWebhooks{status: c.hooks},
		Tunnel:         func() tunnel.State { return tun },
		TunnelSettings: &fakeNgrok{n: c.ngrok},
	})
}

// setupHooks are the four webhooks as a run under way leaves them: the
// first active ones ACTIVE, the next one not activated by GoTo yet, the
// rest still being set up.
func setupHooks(active int) reconcile.Status {
	var st reconcile.Status
	for i, name := range gotowebinar.EventNames() {
		h := reconcile.Hook{EventName: name}
		switch {
		case i < active:
			h = activeHook(name, "wh-"+itoa(i), setupNgrokOnline.URL+gotowebinar.WebhookPath)
		case i == active:
			h = activeHook(name, "wh-"+itoa(i), setupNgrokOnline.URL+gotowebinar.WebhookPath)
			h.ActivationState, h.Condition = "INACTIVE", reconcile.NotActivated
		}
		st.Hooks = append(st.Hooks, h)
	}
	st.Recorded = active > 0
	return st
}

var stepStateRE = regexp.MustCompile(`id="step-(goto|ngrok|login)" data-state="([a-z]+)"`)

// stepStates reads each step's state off the setup page.
func stepStates(t *testing.T, body string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, m := range stepStateRE.FindAllStringSubmatch(body, -1) {
		out[m[1]] = m[2]
	}
	if len(out) != 3 {
		t.Fatalf("found %d steps, want 3: %v", len(out), out)
	}
	return out
}

var (
	setupClientSet   = login.ClientSettings{ClientID: "abc-client", ClientSecretSet: true, ClientSecretHint: "9f2e"}
	setupNgrokOff    = tunnel.State{Kind: "ngrok", Phase: tunnel.PhaseOff, Error: "ngrok needs an authtoken"}
	setupNgrokOnline = tunnel.State{Kind: "ngrok", Phase: tunnel.PhaseOnline, URL: "https://my-name.ngrok-free.app"}
	setupConfigured  = login.State{Status: login.LoggedOut, Configured: true}
	setupLoggedIn    = login.State{Status: login.LoggedIn, Configured: true, Identity: gotowebinar.Identity{FirstName: "Maren", LastName: "Solberg"}}
	setupExpired     = login.State{Status: login.Expired, Configured: true, Identity: setupLoggedIn.Identity}
)

func TestSetup_EachStepSaysWhereItStands(t *testing.T) {
	t.Parallel()
	refused := setupHooks(0)
	refused.Problem = &gotowebinar.Problem{Kind: gotowebinar.ProblemForbidden, Status: http.StatusForbidden}
	for _, tc := range []struct {
		name               string
		site               setupSite
		goTo, ngrok, login string
		want, unwanted     []string
	}{
		{name: "nothing configured",
			site: setupSite{tunnel: setupNgrokOff},
			goTo: "todo", ngrok: "todo", login: "todo",
			want: []string{"0 of 3 steps done", "Create an OAuth client at GoTo", "https://developer.goto.com/", "OAuth clients",
				`<code class="url" id="redirect-uri">http://127.0.0.1:7777/oauth/callback</code>`, `data-copy="redirect-uri"`,
				`action="/settings"`, `name="next" value="/setup#step-goto"`,
				"Paste your ngrok authtoken", "https://dashboard.ngrok.com/get-started/your-authtoken", "https://dashboard.ngrok.com/domains",
				`action="/settings/ngrok"`, `name="next" value="/setup#step-ngrok"`,
				"Finish step 1 first", `href="/setup"`, "Check again", `href="/?skipsetup=1"`, "Skip setup"},
			unwanted: []string{`href="/login`, "Webhooks at GoTo"}},
		{name: "client set",
			site: setupSite{settings: setupClientSet, login: setupConfigured, tunnel: setupNgrokOff},
			goTo: "done", ngrok: "todo", login: "todo",
			want:     []string{"1 of 3 steps done", "Logging in (step 3) checks", `value="abc-client"`, "saved, ending in …9f2e", `href="/login?next=/setup"`, "Log in with GoTo"},
			unwanted: []string{"Finish step 1 first"}},
		{name: "only the client id",
			site: setupSite{settings: login.ClientSettings{ClientID: "abc-client"}, tunnel: setupNgrokOff},
			goTo: "todo", ngrok: "todo", login: "todo",
			want: []string{"the client secret is still missing"}},
		{name: "tunnel connecting",
			site: setupSite{settings: setupClientSet, login: setupConfigured, tunnel: tunnel.State{Kind: "ngrok", Phase: tunnel.PhaseConnecting}},
			goTo: "done", ngrok: "wait", login: "todo",
			want: []string{"Connecting to ngrok"}},
		{name: "tunnel failed",
			site: setupSite{settings: setupClientSet, login: setupConfigured, ngrok: NgrokSettings{TokenSet: true, TokenHint: "2ab…xyz9", InUse: true},
				tunnel: tunnel.State{Kind: "ngrok", Phase: tunnel.PhaseFailed, Error: "ngrok refused the authtoken (ERR_NGROK_105)."}},
			goTo: "done", ngrok: "problem", login: "todo",
			want: []string{"ngrok did not connect", "ngrok refused the authtoken (ERR_NGROK_105).", "saved: 2ab…xyz9"}},
		{name: "tunnel online",
			site: setupSite{settings: setupClientSet, login: setupConfigured, tunnel: setupNgrokOnline},
			goTo: "done", ngrok: "done", login: "todo",
			want: []string{"2 of 3 steps done", "Connected.", `<code class="url" id="public-url">https://my-name.ngrok-free.app</code>`}},
		{name: "local tunnel",
			site: setupSite{settings: setupClientSet, login: setupConfigured, tunnel: tunnel.State{Kind: "local", Phase: tunnel.PhaseOnline, URL: "https://hooks.example.com"}},
			goTo: "done", ngrok: "done", login: "todo",
			want: []string{"does not use ngrok", "-public-url", "https://hooks.example.com", "Use ngrok instead, from the next start"}},
		{name: "logged in, waiting for the tunnel",
			site: setupSite{settings: setupClientSet, login: setupLoggedIn, hooks: setupHooks(0), tunnel: tunnel.State{Kind: "ngrok", Phase: tunnel.PhaseConnecting}},
			goTo: "done", ngrok: "wait", login: "wait",
			want: []string{"Waiting for step 2"}},
		{name: "logged in, webhooks being set up",
			site: setupSite{settings: setupClientSet, login: setupLoggedIn, hooks: setupHooks(2), tunnel: setupNgrokOnline},
			goTo: "done", ngrok: "done", login: "wait",
			want:     []string{"2 of 4 active", "Maren Solberg", `data-event="registrant.added" data-state="ACTIVE"`, `data-state="INACTIVE"`, "Being set up at GoTo…"},
			unwanted: []string{`href="/login`}},
		{name: "logged in, GoTo refused",
			site: setupSite{settings: setupClientSet, login: setupLoggedIn, hooks: refused, tunnel: setupNgrokOnline},
			goTo: "done", ngrok: "done", login: "problem",
			want: []string{"Logged in, but setting up the webhooks at GoTo went wrong; webinarsync keeps trying.",
				"GoTo refused: your GoTo account may not be allowed to manage webhooks (Forbidden)."}},
		{name: "logged in with webhooks active",
			site: setupSite{settings: setupClientSet, login: setupLoggedIn, hooks: setupHooks(4), tunnel: setupNgrokOnline},
			goTo: "done", ngrok: "done", login: "wait",
			want:     []string{"All 4 webhooks are active", "register yourself for one of your webinars to see it arrive"},
			unwanted: []string{"Being set up", "All set"}},
		{name: "session expired",
			site: setupSite{settings: setupClientSet, login: setupExpired, hooks: setupHooks(4), tunnel: setupNgrokOnline},
			goTo: "done", ngrok: "done", login: "problem",
			want: []string{"log in again", `href="/login?next=/setup"`}},
		{name: "first event stored",
			site: setupSite{settings: setupClientSet, login: setupLoggedIn, hooks: setupHooks(4), tunnel: setupNgrokOnline, events: 1},
			goTo: "done", ngrok: "done", login: "done",
			want:     []string{"All set", `<a href="/">See your webinars</a>`, "Your first event arrived", "1 event received so far"},
			unwanted: []string{"Waiting for the first event"}},
		{name: "demo",
			site: setupSite{demo: true, settings: login.ClientSettings{ClientID: "sim", ClientSecretSet: true},
				login: setupLoggedIn, hooks: setupHooks(4),
				tunnel: tunnel.State{Kind: "local", Phase: tunnel.PhaseOnline, URL: "http://127.0.0.1:40123"}, events: 2},
			goTo: "done", ngrok: "done", login: "done",
			want:     []string{"Demo mode", "All set", "Maren Solberg — built-in simulator"},
			unwanted: []string{`href="/login`, `action="/settings"`, `action="/settings/ngrok"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := get(t, tc.site.handler(t), "/setup")
			if rec.Code != http.StatusOK {
				t.Fatalf("GET /setup = %d: %s", rec.Code, rec.Body)
			}
			body := rec.Body.String()
			got := stepStates(t, body)
			if got["goto"] != tc.goTo || got["ngrok"] != tc.ngrok || got["login"] != tc.login {
				t.Errorf("steps %v, want goto=%s ngrok=%s login=%s", got, tc.goTo, tc.ngrok, tc.login)
			}
			for _, w := range tc.want {
				mustContain(t, body, w)
			}
			mustNotContain(t, body, tc.unwanted...)
		})
	}
}

func TestSetup_SaysWhichValuesComeFromTheEnvironment(t *testing.T) {
	t.Parallel()
	site := setupSite{
		settings: login.ClientSettings{ClientID: "env-client", ClientIDFromEnv: true, ClientSecretSet: true, ClientSecretHint: "c0de", ClientSecretFromEnv: true},
		ngrok:    NgrokSettings{TokenSet: true, TokenHint: "2ab…xyz9", TokenFromEnv: true, Domain: "my-name.ngrok-free.app", DomainFromEnv: true, InUse: true},
		login:    setupConfigured, tunnel: setupNgrokOnline,
	}
	body := get(t, site.handler(t), "/setup").Body.String()
	mustContain(t, body,
		`value="env-client" disabled`, "Comes from GOTO_CLIENT_ID in the environment",
		"Comes from GOTO_CLIENT_SECRET in the environment",
		"Comes from NGROK_AUTHTOKEN in the environment",
		`value="my-name.ngrok-free.app" disabled`, "Comes from NGROK_DOMAIN in the environment")
	// Nothing to save: every value comes from the environment.
	mustNotContain(t, body, `name="clientId"`, `name="clientSecret"`, `name="authtoken"`, `name="domain"`, `<button type="submit"`)

	// Only the secret from the environment: the id is still asked for.
	site.settings = login.ClientSettings{ClientSecretSet: true, ClientSecretFromEnv: true}
	site.ngrok = NgrokSettings{}
	site.login = login.State{Status: login.LoggedOut}
	body = get(t, site.handler(t), "/setup").Body.String()
	mustContain(t, body, `name="clientId"`, "Comes from GOTO_CLIENT_SECRET in the environment", `name="authtoken"`)
	mustNotContain(t, body, "Comes from GOTO_CLIENT_ID", `name="clientSecret"`, "Comes from NGROK")
}

func TestSetup_FormsComeBackToTheSetupPageAndKeepNoSecretInSight(t *testing.T) {
	t.Parallel()
	const secret, token = "s3cr3t-client-secret-value", "2abcdEFGHijklMNOPqrstUVWxyz_0123456789"
	lg, ng := &fakeLogin{}, &fakeNgrok{}
	h := handler(t, Config{Store: openStore(t), Login: lg, TunnelSettings: ng,
		Tunnel: func() tunnel.State { return setupNgrokOff }})

	rec := post(t, h, "/settings", url.Values{"clientId": {"abc-client"}, "clientSecret": {secret}, "next": {"/setup#step-goto"}}, nil)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/setup?saved=goto#step-goto" {
		t.Errorf("POST /settings from the setup page = %d to %q", rec.Code, rec.Header().Get("Location"))
	}
	rec = post(t, h, "/settings/ngrok", url.Values{"authtoken": {token}, "domain": {"my-name.ngrok-free.app"}, "next": {"/setup#step-ngrok"}}, nil)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/setup?saved=ngrok#step-ngrok" {
		t.Errorf("POST /settings/ngrok from the setup page = %d to %q", rec.Code, rec.Header().Get("Location"))
	}
	if _, _, saved := lg.calls(); len(saved) != 1 || saved[0] != "abc-client|"+secret || len(ng.saved) != 1 || ng.saved[0] != token+"|my-name.ngrok-free.app" {
		t.Errorf("saved %v and %v", saved, ng.saved)
	}
	// "next" goes only to known places.
	for _, next := range []string{"", "https://evil.example/", "//evil.example", "/setup?x", "/settings"} {
		rec := post(t, h, "/settings", url.Values{"clientId": {"abc-client"}, "next": {next}}, nil)
		if loc := rec.Header().Get("Location"); loc != "/settings?saved=1" {
			t.Errorf("next=%q: redirected to %q, want the settings page", next, loc)
		}
	}

	for _, path := range []string{"/setup?saved=goto", "/setup?saved=ngrok"} {
		body := get(t, h, path).Body.String()
		mustContain(t, body, "Saved.")
		mustNotContain(t, body, secret, token)
		// The CSP forbids inline scripts: every script is a file, setup.js
		// among them (the layout's localtime.js is the other).
		if n, files, m := strings.Count(body, "<script"), strings.Count(body, `<script src="/assets/`), strings.Count(body, `<script src="/assets/setup.js?v=`); n != files || m != 1 {
			t.Errorf("GET %s: %d scripts, %d of them files, %d setup.js; want only files, setup.js once", path, n, files, m)
		}
		mustNotContain(t, body, "<style", " style=", "javascript:")
	}
}

func TestHome_FirstStartGoesToTheSetupPageUnlessSkipped(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		site      setupSite
		wantSetup bool
	}{
		{"nothing configured", setupSite{tunnel: setupNgrokOff}, true},
		{"ngrok set, nothing else", setupSite{ngrok: NgrokSettings{TokenSet: true}, tunnel: setupNgrokOnline}, true},
		{"client id saved", setupSite{settings: login.ClientSettings{ClientID: "abc"}}, false},
		{"client secret from the environment", setupSite{settings: login.ClientSettings{ClientSecretSet: true, ClientSecretFromEnv: true}}, false},
		{"logged in", setupSite{login: setupLoggedIn}, false},
		{"session expired", setupSite{login: setupExpired}, false},
		{"events stored", setupSite{events: 1}, false},
		{"demo", setupSite{demo: true}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := tc.site.handler(t)
			rec := get(t, h, "/")
			switch {
			case tc.wantSetup && (rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/setup"):
				t.Errorf("GET / = %d to %q, want the setup page", rec.Code, rec.Header().Get("Location"))
			case !tc.wantSetup && rec.Code != http.StatusOK:
				t.Errorf("GET / = %d to %q, want the home page", rec.Code, rec.Header().Get("Location"))
			}
			if rec.Code == http.StatusOK {
				mustContain(t, rec.Body.String(), `<a href="/setup">Setup guide</a>`)
			}
			// Skipping always shows the home page, and saves nothing.
			skipped := get(t, h, "/?skipsetup=1")
			if skipped.Code != http.StatusOK || len(skipped.Result().Cookies()) != 0 {
				t.Errorf("GET /?skipsetup=1 = %d, cookies %v; want the home page, nothing set", skipped.Code, skipped.Result().Cookies())
			}
			mustContain(t, skipped.Body.String(), `<a href="/setup">Setup guide</a>`)
		})
	}
}

func TestSetup_LoginStartedThereComesBackThere(t *testing.T) {
	t.Parallel()
	h := handler(t, Config{Store: openStore(t), Login: configured()})

	// From localhost, the move to the redirect URI's host keeps next.
	req := loginRequest(t, "GET", "/login?next=/setup")
	req.Host = "localhost:7777"
	rec := serveRequest(h, req)
	if u, err := url.Parse(rec.Header().Get("Location")); err != nil || u.Host != "127.0.0.1:7777" || u.Path != "/login" || u.Query().Get("next") != "/setup" {
		t.Errorf("GET localhost:7777/login?next=/setup went to %q", rec.Header().Get("Location"))
	}

	finish := func(login string) string {
		t.Helper()
		rec := get(t, h, login)
		state := strings.TrimPrefix(rec.Header().Get("Location"), "https://authentication.example/oauth/authorize?state=")
		req := loginRequest(t, "GET", "/oauth/callback?code=c0de&state="+state)
		for _, c := range rec.Result().Cookies() {
			req.AddCookie(c)
		}
		rec = serveRequest(h, req)
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("callback = %d: %s", rec.Code, rec.Body)
		}
		return rec.Header().Get("Location")
	}
	if loc := finish("/login?next=/setup"); loc != "/setup#step-login" {
		t.Errorf("a login begun on the setup page ended at %q, want back there", loc)
	}
	for _, login := range []string{"/login", "/login?next=https://evil.example/", "/login?next=//evil.example"} {
		if loc := finish(login); loc != "/" {
			t.Errorf("%s ended at %q, want home", login, loc)
		}
	}
}
