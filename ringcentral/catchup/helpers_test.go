package catchup_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"webinarsync/ringcentral"
	"webinarsync/ringcentral/catchup"
	"webinarsync/ringcentral/rcsim"
	"webinarsync/store"
)

// login is a RingCentral login that is there or not: the login itself is
// ringcentral/login's and tested there.
type login struct{ on atomic.Bool }

func (l *login) LoggedIn() bool { return l.on.Load() }

// fixtureConfig says what a fixture is made of; the zero value is a
// logged-in account over the sim's generated world.
type fixtureConfig struct {
	loggedOut bool
	// wrap, when set, stands in front of the sim, to make RingCentral say
	// what the sim cannot be told to.
	wrap  func(http.Handler) http.Handler
	every time.Duration
}

// fixture is RingCentral's stand-in, in memory so a pass runs in a
// synctest bubble under the sim's real Heavy limit, a real store, and the
// catch-up between them.
type fixture struct {
	sim    *rcsim.Sim
	st     *store.Store
	login  *login
	logins chan struct{}
	tokens *ringcentral.TokenSource
	cu     *catchup.CatchUp
}

const jwt = "eyJhbGciOiJSUzI1NiJ9.test.credential"

func newFixture(t *testing.T, fc fixtureConfig) *fixture {
	t.Helper()
	st, err := store.Open(t.TempDir(), store.Options{Logger: quiet(), NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	f := &fixture{st: st, login: &login{}, logins: make(chan struct{}, 1)}
	f.login.on.Store(!fc.loggedOut)
	f.sim = rcsim.New(rcsim.Config{ClientID: "app", ClientSecret: "secret", JWT: jwt, Seed: 14})
	h := f.sim.Handler()
	if fc.wrap != nil {
		h = fc.wrap(h)
	}
	// As the app calls RingCentral after a JWT login: the token source
	// logs in at first use.
	hc := &http.Client{Transport: rcsim.Transport(h)}
	ep := ringcentral.Endpoints{ServerURL: "https://platform.ringcentral.com"}
	f.tokens = ringcentral.NewTokenSource(ringcentral.TokenSourceConfig{
		OAuth: ringcentral.OAuthConfig(ep, "app", "secret", ""), HTTP: hc, JWT: jwt}, nil)
	client := ringcentral.NewClient(ep.ServerURL, f.tokens, ringcentral.WithHTTPClient(hc))
	f.cu = catchup.New(catchup.Config{Store: st, Client: client, Login: f.login, Logins: f.logins,
		Logger: quiet(), Every: fc.every})
	return f
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func key(id string) string { return store.ProviderKey("ringcentral", id) }

// heavy is the Heavy requests the sim metered, and how many it refused.
func (f *fixture) heavy() (n, refused int) {
	for _, r := range f.sim.APIRequests() {
		if r.Group == "heavy" {
			n++
			if r.Status == http.StatusTooManyRequests {
				refused++
			}
		}
	}
	return n, refused
}

// busiestMinute is the most Heavy requests the sim admitted in any 60 s.
func (f *fixture) busiestMinute() int {
	var at []time.Time
	for _, r := range f.sim.APIRequests() {
		if r.Group == "heavy" && r.Status == 0 {
			at = append(at, r.At)
		}
	}
	most := 0
	for i := range at {
		n := 0
		for j := i; j < len(at) && at[j].Sub(at[i]) < time.Minute; j++ {
			n++
		}
		most = max(most, n)
	}
	return most
}

// sync runs one pass and returns how long it took in virtual time.
func (f *fixture) sync(t *testing.T) time.Duration {
	t.Helper()
	start := time.Now()
	if err := f.cu.Sync(t.Context()); err != nil {
		t.Fatalf("Sync: %v", err)
	}
	return time.Since(start)
}

// want is what the store should hold after a pass over the sim's world.
func (f *fixture) want() catchup.Counts {
	var c catchup.Counts
	c.Webinars = len(f.sim.Webinars())
	for _, s := range f.sim.Sessions() {
		c.Registrants += len(f.sim.Registrants(s.ID))
		if s.Status == "Finished" || s.Status == "Active" {
			c.Sessions++
			c.Attendees += len(f.sim.Participants(s.ID))
		}
	}
	return c
}

// snapshot is everything the store holds of RingCentral's webinars, to
// show that a pass changed nothing.
func (f *fixture) snapshot(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	ws, err := f.st.Webinars()
	if err != nil {
		t.Fatal(err)
	}
	enc := json.NewEncoder(&b)
	for _, w := range ws {
		regs, _, err := f.st.Registrants(w.WebinarKey, store.RegistrantQuery{Limit: 100000})
		if err != nil {
			t.Fatal(err)
		}
		sessions, err := f.st.Sessions(w.WebinarKey)
		if err != nil {
			t.Fatal(err)
		}
		att, err := f.st.Attendance(w.WebinarKey)
		if err != nil {
			t.Fatal(err)
		}
		_ = enc.Encode([]any{w, regs, sessions, att})
	}
	return b.String()
}

// editParticipants makes RingCentral's participant listings say what edit
// makes of them; the sim's world has only registered attendees.
func editParticipants(edit func(sessionID string, recs []any) []any) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			parts := strings.Split(r.URL.Path, "/") // /webinar/history/v1/webinars/{w}/sessions/{s}/participants
			if len(parts) != 9 || parts[8] != "participants" {
				next.ServeHTTP(w, r)
				return
			}
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			var body map[string]any
			if rec.Code == http.StatusOK && json.Unmarshal(rec.Body.Bytes(), &body) == nil {
				recs, _ := body["records"].([]any)
				body["records"] = edit(parts[7], recs)
			}
			maps.Copy(w.Header(), rec.Header())
			w.WriteHeader(rec.Code)
			if body != nil {
				_ = json.NewEncoder(w).Encode(body)
				return
			}
			_, _ = w.Write(rec.Body.Bytes())
		})
	}
}

// refuse answers 403 to requests whose path contains fragment, as
// RingCentral does to a webinar we may not read.
func refuse(fragment string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.Contains(r.URL.Path, fragment) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusForbidden)
				_, _ = io.WriteString(w, `{"errors":[{"errorCode":"CMN-408","message":"In order to call this API endpoint, user needs to have [WebinarSettings] permission"}]}`)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}
