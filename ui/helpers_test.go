package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"webinarsync/gotowebinar"
	"webinarsync/gotowebinar/login"
	"webinarsync/gotowebinar/reconcile"
	"webinarsync/store"
)

// Keys as GoTo sends them: bare JSON numbers, some beyond 2^64.
const (
	launchKey   = "98765432109876543210"
	workshopKey = "12345678901234567890"
	cancelKey   = "55555555555555555555"
)

// testNow is the moment the pages are rendered at.
var testNow = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

// openStore opens a real store in a temporary directory.
func openStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(t.TempDir(), store.Options{NoSync: true, Logger: slog.New(slog.DiscardHandler)}) // no durability tested here
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// put decodes body as the receiver would and stores it as received at.
func put(t *testing.T, st *store.Store, at time.Time, body string) {
	t.Helper()
	ev, err := gotowebinar.DecodeEvent([]byte(body))
	if err != nil {
		t.Fatalf("DecodeEvent(%s): %v", body, err)
	}
	d := &gotowebinar.Delivery{Event: *ev, ReceivedAt: at, ForwardedFor: "203.0.113.7"}
	if stored, err := st.PutEvent(context.Background(), d); err != nil || !stored {
		t.Fatalf("PutEvent(%s) = %v, %v; want stored", ev.EventKey, stored, err)
	}
}

// jsonText marshals v for a hand-built body.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// webinarEvent is a webinar.created or webinar.changed body as the guide
// documents it, times as [start, end] pairs.
func webinarEvent(name, eventKey, webinarKey, title, status string, start time.Time) string {
	end := start.Add(time.Hour)
	return fmt.Sprintf(`{"eventName":%q,"eventVersion":"1.0.0","product":"g2w","eventKey":%q,`+
		`"timestamp":%q,"accountKey":3141592653589793238,"organizerKey":7098512343098123456,`+
		`"webinarKey":%s,"webinarTitle":%s,"description":"What is new this quarter",`+
		`"experienceType":"CLASSIC","recurrenceType":"single_session","recurrenceKey":null,`+
		`"webinarCreationDate":"2026-01-05T10:00:00Z","status":%q,`+
		`"times":[[%q,%q]],"startTime":%q,"endTime":%q,"timeZone":"Europe/Berlin"}`,
		name, eventKey, start.Add(-30*24*time.Hour).Format(time.RFC3339), webinarKey, jsonText(title), status,
		start.Format(time.RFC3339), end.Format(time.RFC3339), start.Format(time.RFC3339), end.Format(time.RFC3339))
}

// registrant is what a registrant.added body varies by.
type registrant struct {
	key, first, last, email, org, status string
	registered                           time.Time
	responses                            string // JSON, "" for none
}

func registrantAdded(eventKey, webinarKey, title string, r registrant) string {
	responses := r.responses
	if responses == "" {
		responses = "[]"
	}
	if r.status == "" {
		r.status = "Approved"
	}
	return fmt.Sprintf(`{"eventName":"registrant.added","eventVersion":"1.0.0","product":"g2w","eventKey":%q,`+
		`"timestamp":%q,"webinarKey":%s,"webinarTitle":%s,"experienceType":"CLASSIC",`+
		`"recurrenceType":"single_session","webinarCreatorKey":7098512343098123456,`+
		`"registrantKey":%s,"firstName":%s,"lastName":%s,"email":%s,"organization":%s,`+
		`"jobTitle":"Engineer","Industry":"Software","country":"Deutschland","status":%q,`+
		`"registrationDate":%q,"registrationSource":"newsletter",`+
		`"joinUrl":"https://global.gotowebinar.com/join/%s/%s","responses":%s}`,
		eventKey, r.registered.Format(time.RFC3339), webinarKey, jsonText(title),
		r.key, jsonText(r.first), jsonText(r.last), jsonText(r.email), jsonText(r.org), r.status,
		r.registered.Format(time.RFC3339), webinarKey, r.key, responses)
}

func registrantJoined(eventKey, webinarKey, registrantKey, first, last string, at time.Time) string {
	return fmt.Sprintf(`{"eventName":"registrant.joined","eventVersion":"1.0.0","product":"g2w","eventKey":%q,`+
		`"timestamp":%q,"webinarKey":%s,"webinarTitle":"Quarterly Launch","sessionKey":24681357924681357924,`+
		`"registrantKey":%s,"firstName":%s,"lastName":%s,"email":"someone@example.com","joinTime":%q}`,
		eventKey, at.Format(time.RFC3339), webinarKey, registrantKey, jsonText(first), jsonText(last), at.Format(time.RFC3339))
}

// fakeLogin stands in for the GoTo login (gotowebinar/login, tested there
// against the simulator). Logout forgets the login as the real one does.
type fakeLogin struct {
	mu        sync.Mutex
	state     login.State
	client    login.ClientSettings
	finishErr error
	logoutErr error

	begun    []string // redirect URIs
	finished []string // "state code redirectURI"
	saved    []string // "id|secret"
	logouts  int
}

// loggedIn is a login as GoTo's token names Grace Hopper.
func loggedIn() *fakeLogin {
	return &fakeLogin{state: login.State{Status: login.LoggedIn, Configured: true,
		Identity: gotowebinar.Identity{FirstName: "Grace", LastName: "Hopper", Email: "grace@example.com"}}}
}

func (f *fakeLogin) State() login.State {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.state
}

func (f *fakeLogin) Begin(_ context.Context, redirectURI string) (string, string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.begun = append(f.begun, redirectURI)
	state := fmt.Sprintf("state-%d", len(f.begun))
	return "https://authentication.example/oauth/authorize?state=" + state, state, nil
}

func (f *fakeLogin) Finish(_ context.Context, state, code, redirectURI string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.finished = append(f.finished, state+" "+code+" "+redirectURI)
	return f.finishErr
}

func (f *fakeLogin) Logout() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.logouts++
	if f.logoutErr != nil {
		return f.logoutErr
	}
	f.state.Status, f.state.Identity = login.LoggedOut, gotowebinar.Identity{}
	return nil
}

func (f *fakeLogin) ClientSettings() login.ClientSettings {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.client
}

func (f *fakeLogin) SaveClientSettings(id, secret string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.saved = append(f.saved, id+"|"+secret)
	return nil
}

// SetOrganizerKey keeps a pasted key as the real login does when GoTo
// named none (its checks are tested in gotowebinar/login).
func (f *fakeLogin) SetOrganizerKey(key string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.state.OrganizerKey, f.state.KeySource = gotowebinar.Key(key), login.KeyFromSettings
	if key == "" {
		f.state.KeySource = ""
	}
	return nil
}

func (f *fakeLogin) calls() (logouts int, finished, saved []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.logouts, slices.Clone(f.finished), slices.Clone(f.saved)
}

// fakeWebhooks stands in for the reconciler of our webhooks at GoTo
// (gotowebinar/reconcile) and counts the buttons' calls.
type fakeWebhooks struct {
	mu        sync.Mutex
	status    reconcile.Status
	removeErr error
	removed   int
	setUp     int
	renewed   int
	renewErr  error
}

func (f *fakeWebhooks) Status() reconcile.Status {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.status
}

func (f *fakeWebhooks) Remove(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.removed++
	return f.removeErr
}

func (f *fakeWebhooks) SetUp(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.setUp++
	return nil
}

func (f *fakeWebhooks) RenewKey(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.renewed++
	return f.renewErr
}

func (f *fakeWebhooks) calls() (removed, setUp int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.removed, f.setUp
}

// activeHook is one event's webhook as a run that found all well left it.
func activeHook(event, key, callback string) reconcile.Hook {
	return reconcile.Hook{EventName: event, Known: true, WebhookKey: key, State: gotowebinar.StateActive,
		SubscriptionState: gotowebinar.StateActive, ActivationState: gotowebinar.StateActive, CallbackURL: callback}
}

const testAddr = "127.0.0.1:7777"

// handler is the UI over st, as the app builds it.
func handler(t *testing.T, cfg Config) http.Handler {
	t.Helper()
	if cfg.Addr == "" {
		cfg.Addr = testAddr
	}
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	s := New(cfg)
	s.now = func() time.Time { return testNow }
	return s.Handler()
}

// get requests path as a browser on this computer would.
func get(t *testing.T, h http.Handler, path string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Host = testAddr
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// post sends a form as a same-origin browser would.
func post(t *testing.T, h http.Handler, path string, form url.Values, header map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Host = testAddr
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// mustContain fails unless body holds every want, in that order.
func mustContain(t *testing.T, body string, wants ...string) {
	t.Helper()
	rest := body
	for _, w := range wants {
		i := strings.Index(rest, w)
		if i < 0 {
			if strings.Contains(body, w) {
				t.Errorf("body has %q, but not in the expected order", w)
			} else {
				t.Errorf("body lacks %q", w)
			}
			continue
		}
		rest = rest[i+len(w):]
	}
	if t.Failed() {
		t.Logf("body:\n%s", body)
	}
}

func mustNotContain(t *testing.T, body string, unwanted ...string) {
	t.Helper()
	for _, u := range unwanted {
		if strings.Contains(body, u) {
			t.Errorf("body has %q, want it absent", u)
		}
	}
}

// seedLaunch stores a realistic webinar: created, three registrants with
// UTF-8 names (one answered custom questions), two of whom joined.
func seedLaunch(t *testing.T, st *store.Store) {
	t.Helper()
	start := time.Date(2026, 3, 1, 15, 0, 0, 0, time.UTC)
	at := testNow.Add(-time.Hour)
	put(t, st, at, webinarEvent("webinar.created", "ev-w-1", launchKey, "Quarterly Launch — Q1 2026", "NEW", start))
	regs := []registrant{
		{key: "11111111111111111111", first: "Jürgen", last: "Müller", email: "juergen@example.de", org: "Bäckerei Müller GmbH",
			registered: time.Date(2026, 2, 1, 8, 0, 0, 0, time.UTC),
			responses:  `[["How did you hear about us?","MULTIPLE_CHOICE",["Newsletter"]],["What should we cover?","SHORT_ANSWER",["Pricing & roadmap"]]]`},
		{key: "22222222222222222222", first: "Zoë", last: "Ångström", email: "zoe@example.se", org: "Nordic Ltd",
			registered: time.Date(2026, 2, 2, 8, 0, 0, 0, time.UTC)},
		{key: "33333333333333333333", first: "李", last: "小龙", email: "li@example.cn", org: "Dragon Co", status: "Waiting",
			registered: time.Date(2026, 2, 3, 8, 0, 0, 0, time.UTC)},
	}
	for i, r := range regs {
		put(t, st, at.Add(time.Duration(i+1)*time.Minute), registrantAdded(fmt.Sprintf("ev-r-%d", i), launchKey, "Quarterly Launch — Q1 2026", r))
	}
	put(t, st, at.Add(10*time.Minute), registrantJoined("ev-j-1", launchKey, regs[0].key, regs[0].first, regs[0].last, start.Add(-5*time.Minute)))
	put(t, st, at.Add(11*time.Minute), registrantJoined("ev-j-2", launchKey, regs[1].key, regs[1].first, regs[1].last, start.Add(2*time.Minute)))
}
