package ui

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"webinarsync/gotowebinar"
	"webinarsync/gotowebinar/catchup"
	"webinarsync/gotowebinar/gotosim"
	"webinarsync/gotowebinar/gotosim/simtest"
	"webinarsync/gotowebinar/login"
	"webinarsync/store"
)

// keyRig is a real login against the simulator, with the real catch-up
// sync, as the app wires them.
type keyRig struct {
	g     *simtest.Server
	st    *store.Store
	login *login.Login
	sync  *catchup.CatchUp
	h     http.Handler
}

func newKeyRig(t *testing.T, cfg gotosim.Config) *keyRig {
	t.Helper()
	r := &keyRig{g: simtest.StartWith(t, cfg), st: openStore(t)}
	r.login = realLogin(t, r.st, r.g.Endpoints())
	client := gotowebinar.NewClient(r.login.Endpoints().APIURL, r.login.TokenSource(),
		gotowebinar.WithHTTPClient(r.login.HTTPClient()), gotowebinar.WithRateLimit(-1))
	r.sync = catchup.New(catchup.Config{Store: r.st, Client: client, Login: r.login, Window: catchup.Window{Manual: true}})
	r.h = handler(t, Config{Store: r.st, Login: r.login, Sync: r.sync})
	if err := gotosim.LogIn(t.Context(), r.login, simtest.RedirectURI); err != nil {
		t.Fatalf("login: %v", err)
	}
	return r
}

// organizerKey is /api/status's organizerKey.
func (r *keyRig) organizerKey(t *testing.T) OrganizerKeyStatus {
	t.Helper()
	rec := get(t, r.h, "/api/status")
	var out struct {
		OrganizerKey *OrganizerKeyStatus `json:"organizerKey"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &out); rec.Code != http.StatusOK || err != nil || out.OrganizerKey == nil {
		t.Fatalf("GET /api/status = %d (%v): %s; want an organizerKey", rec.Code, err, rec.Body)
	}
	return *out.OrganizerKey
}

// syncs checks that the catch-up sync runs to its end with the key known.
func (r *keyRig) syncs(t *testing.T) {
	t.Helper()
	if err := r.sync.Sync(t.Context()); err != nil {
		t.Fatalf("Sync = %v", err)
	}
	if s := r.sync.Status(); !s.Available || s.NoOrganizerKey || s.Last == nil || !s.Last.OK {
		t.Errorf("sync status = %+v; want it available and done", s)
	}
}

func TestOrganizerKey_FromTheProfileIsShownWithItsSource(t *testing.T) {
	t.Parallel()
	r := newKeyRig(t, gotosim.Config{})
	key := r.g.Sim.OrganizerKey()
	if k := r.organizerKey(t); k.Key != key || k.Source != "identity" || k.From != "from your GoTo profile" || k.Missing != "" {
		t.Errorf("/api/status organizerKey = %+v; want %s from the profile", k, key)
	}
	body := get(t, r.h, "/settings").Body.String()
	mustContain(t, body, "Organizer key", key, "from your GoTo profile")
	// GoTo's word is not overruled from here.
	mustNotContain(t, body, `action="/settings/organizer"`)
	r.syncs(t)
}

func TestOrganizerKey_LegacyTokenIsFromGoTosLogin(t *testing.T) {
	t.Parallel()
	r := newKeyRig(t, gotosim.Config{LegacyTokenKeys: true})
	if k := r.organizerKey(t); k.Key != r.g.Sim.OrganizerKey() || k.Source != "token" || k.From != "from GoTo's login" {
		t.Errorf("/api/status organizerKey = %+v; want the token's", k)
	}
	mustContain(t, get(t, r.h, "/settings").Body.String(), "from GoTo&#39;s login")
	if n := r.g.Count("GET", "/identity/v1/Users/me"); n != 0 {
		t.Errorf("%d profile requests for a key the token named", n)
	}
	r.syncs(t)
}

func TestOrganizerKey_AdminAPIWhenTheProfileRefuses(t *testing.T) {
	t.Parallel()
	r := newKeyRig(t, gotosim.Config{RefuseIdentity: http.StatusForbidden})
	if k := r.organizerKey(t); k.Key != r.g.Sim.OrganizerKey() || k.Source != "admin" || k.From != "from GoTo's admin API" {
		t.Errorf("/api/status organizerKey = %+v; want the admin API's", k)
	}
	r.syncs(t)
}

// Neither of GoTo's services names the key: the pages say what is missing
// and where to paste it (never to log in again), and pasting it starts the
// sync as a login does.
func TestOrganizerKey_NoneFound_PastingItInSettingsStartsTheSync(t *testing.T) {
	t.Parallel()
	r := newKeyRig(t, gotosim.Config{RefuseIdentity: http.StatusForbidden, RefuseAdmin: http.StatusForbidden})
	watch := r.login.Watch()

	k := r.organizerKey(t)
	if k.Key != "" || k.Source != "" || !strings.Contains(k.Missing, "organizer key") ||
		!strings.Contains(k.Missing, gotowebinar.ScopeProfile) || !strings.Contains(k.Missing, "Paste it in Settings") {
		t.Errorf("/api/status organizerKey = %+v; want why it is missing and where to paste it", k)
	}
	for _, words := range []string{k.Missing, get(t, r.h, "/").Body.String()} {
		if strings.Contains(strings.ToLower(words), "log in again") {
			t.Errorf("%q tells the organizer to log in again for a missing key", words)
		}
	}
	mustContain(t, get(t, r.h, "/").Body.String(), "GoTo did not tell us your organizer key", "paste it in Settings")
	if err := r.sync.Sync(t.Context()); err == nil {
		t.Fatal("the sync ran without an organizer key")
	}
	settings := get(t, r.h, "/settings").Body.String()
	mustContain(t, settings, "Organizer key", "GoTo did not tell us your organizer key", gotowebinar.ScopeProfile,
		`action="/settings/organizer"`, `name="organizerKey"`, "your GoTo account's admin or GoTo's support")

	// Not a key: refused in words, nothing saved, the sync not started.
	rec := post(t, r.h, "/settings/organizer", url.Values{"organizerKey": {"my-key"}}, nil)
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "not an organizer key") {
		t.Errorf("POST /settings/organizer with letters = %d: %s", rec.Code, rec.Body)
	}
	if pending(watch) {
		t.Error("a refused key signalled the sync")
	}
	// Another site cannot set it.
	if rec := post(t, r.h, "/settings/organizer", url.Values{"organizerKey": {"123"}}, map[string]string{"Sec-Fetch-Site": "cross-site"}); rec.Code != http.StatusForbidden {
		t.Errorf("a cross-site POST /settings/organizer = %d, want 403", rec.Code)
	}

	key := r.g.Sim.OrganizerKey()
	rec = post(t, r.h, "/settings/organizer", url.Values{"organizerKey": {key}}, nil)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/settings?saved=1#organizer-key" {
		t.Fatalf("POST /settings/organizer = %d to %q: %s", rec.Code, rec.Header().Get("Location"), rec.Body)
	}
	if !pending(watch) {
		t.Error("pasting the key did not signal the sync to start")
	}
	if k := r.organizerKey(t); k.Key != key || k.Source != "settings" || k.From != "entered here" || k.Missing != "" {
		t.Errorf("/api/status organizerKey after pasting = %+v", k)
	}
	// Pasted here, it can be changed here.
	mustContain(t, get(t, r.h, "/settings?saved=1").Body.String(), "Saved.", key, "entered here", `action="/settings/organizer"`, "Empty the field")
	r.syncs(t)
	mustNotContain(t, get(t, r.h, "/").Body.String(), "GoTo did not tell us your organizer key")
}

func TestOrganizerKey_AbsentFromStatusWhenLoggedOut(t *testing.T) {
	t.Parallel()
	h := handler(t, Config{Store: openStore(t), Login: &fakeLogin{state: login.State{Status: login.LoggedOut, Configured: true}}})
	rec := get(t, h, "/api/status")
	if strings.Contains(rec.Body.String(), "organizerKey") {
		t.Errorf("/api/status logged out has an organizerKey: %s", rec.Body)
	}
	mustNotContain(t, get(t, h, "/settings").Body.String(), `id="organizer-key"`)
}

func TestOrganizerKeyWords_SayWhyAndWhatToDo(t *testing.T) {
	t.Parallel()
	refused := func(src login.KeySource, kind gotowebinar.ProblemKind, status int) login.KeyRefusal {
		return login.KeyRefusal{Source: src, Problem: gotowebinar.Problem{Kind: kind, Status: status}}
	}
	loggedIn := login.State{Status: login.LoggedIn}
	for _, tc := range []struct {
		name     string
		refusals []login.KeyRefusal
		want     string
	}{
		{"profile refused", []login.KeyRefusal{refused(login.KeyFromIdentity, gotowebinar.ProblemForbidden, 403), refused(login.KeyFromAdmin, gotowebinar.ProblemForbidden, 403)},
			"GoTo did not tell us your organizer key (reading your GoTo profile needs the identity:scim.me scope ticked on the OAuth client in GoTo's developer portal). Paste it in Settings so the catch-up sync can run."},
		{"no profile", []login.KeyRefusal{refused(login.KeyFromIdentity, gotowebinar.ProblemNotFound, 404), refused(login.KeyFromAdmin, gotowebinar.ProblemNotFound, 404)},
			"GoTo did not tell us your organizer key (GoTo has no profile for this account). Paste it in Settings so the catch-up sync can run."},
		{"GoTo down", []login.KeyRefusal{refused(login.KeyFromIdentity, gotowebinar.ProblemGoToDown, 503)},
			"GoTo did not tell us your organizer key (GoTo could not be asked for your profile just now; webinarsync asks again when it next starts). Paste it in Settings so the catch-up sync can run."},
		{"nothing known", nil,
			"GoTo did not tell us your organizer key. Paste it in Settings so the catch-up sync can run."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			st := loggedIn
			st.KeyRefusals = tc.refusals
			got := organizerKeyWords(st)
			if got.Missing != tc.want || got.Key != "" || got.Looking {
				t.Errorf("organizerKeyWords = %+v\nwant Missing %q", got, tc.want)
			}
			noSignIn(t, "the organizer key", got.Missing)
		})
	}
	if got := organizerKeyWords(login.State{Status: login.LoggedIn, FindingKey: true}); !got.Looking || got.Pasteable() {
		t.Errorf("while GoTo is asked: %+v; want looking, no field", got)
	}
	for src, want := range map[login.KeySource]string{
		login.KeyFromToken: "from GoTo's login", login.KeyFromIdentity: "from your GoTo profile",
		login.KeyFromAdmin: "from GoTo's admin API", login.KeyFromSettings: "entered here",
	} {
		got := organizerKeyWords(login.State{Status: login.LoggedIn, OrganizerKey: "7098512343098123456", KeySource: src})
		if got.From != want || got.Missing != "" || got.Pasteable() != (src == login.KeyFromSettings) {
			t.Errorf("key %s: %+v; want %q", src, got, want)
		}
	}
}

// pending reports whether a watcher has a signal waiting, taking it.
func pending(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
