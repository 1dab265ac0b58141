package catchup

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"webinarsync/gotowebinar"
	"webinarsync/gotowebinar/gotosim"
	"webinarsync/gotowebinar/gotosim/simtest"
	"webinarsync/gotowebinar/login"
	"webinarsync/store"
)

// fixtureConfig says what a fixture is made of. The zero value is a
// logged-in account against the simulator on a loopback server, with no
// rate limit on our side, small retry backoffs and the largest pages.
type fixtureConfig struct {
	pop      gotosim.Population
	pageSize int  // items per listing page; 0: the most GoTo serves
	limited  bool // the Client's default limiter (GoTo's pace) instead of none
	workers  int  // Window.Workers; 0: the default
	// inMemory calls the simulator's handler in the caller's goroutine
	// instead of over a socket, so that inside a testing/synctest bubble
	// virtual time advances whenever every goroutine waits.
	inMemory bool
	// wrap, when set, stands in front of the simulator's handler (in
	// memory only), to make GoTo misbehave.
	wrap func(http.Handler) http.Handler
	// loggedOut leaves the account logged out.
	loggedOut bool
}

// fixture is a GoTo account against the real simulator, with webinars the
// simulator made while nobody listened, and a catch-up sync over a store.
type fixture struct {
	sim      *gotosim.Sim
	srv      *simtest.Server // nil in memory
	st       *store.Store
	login    *login.Login
	client   *gotowebinar.Client
	cfg      Config // what sync was built with, to build another over the same store
	sync     *CatchUp
	webinars []gotosim.Webinar
}

func newFixture(t testing.TB, fc fixtureConfig) *fixture {
	t.Helper()
	f := &fixture{st: openTestStore(t, t.TempDir())}
	var ep login.Endpoints
	var hc *http.Client // nil: the login's own
	if fc.inMemory {
		f.sim = gotosim.New(gotosim.Config{ClientID: simtest.ClientID, ClientSecret: simtest.ClientSecret, RetryBackoff: time.Millisecond})
		h := f.sim.Handler()
		if fc.wrap != nil {
			h = fc.wrap(h)
		}
		hc = &http.Client{Transport: memTransport{h}}
		const base = "http://gotosim.test"
		ep = login.Endpoints{
			ClientID: simtest.ClientID, ClientSecret: simtest.ClientSecret,
			AuthURL: base + "/oauth/authorize", TokenURL: base + "/oauth/token", APIURL: base + "/G2W/rest/v2",
		}
	} else {
		if fc.wrap != nil {
			t.Fatal("fixtureConfig.wrap works in memory only")
		}
		f.srv = simtest.Start(t)
		f.sim = f.srv.Sim
		ep = f.srv.Endpoints()
	}
	if fc.pop.Webinars > 0 {
		f.webinars = f.sim.Generator().Populate(fc.pop)
	}

	lg, err := login.New(login.Config{Store: f.st, Endpoints: ep, HTTPClient: hc})
	if err != nil {
		t.Fatal(err)
	}
	f.login = lg
	opts := []gotowebinar.Option{gotowebinar.WithHTTPClient(lg.HTTPClient()), gotowebinar.WithRetries(5, time.Millisecond)}
	if !fc.limited {
		opts = append(opts, gotowebinar.WithRateLimit(-1))
	}
	if fc.pageSize > 0 {
		opts = append(opts, gotowebinar.WithPageSize(fc.pageSize))
	}
	f.client = gotowebinar.NewClient(lg.Endpoints().APIURL, lg.TokenSource(), opts...)
	if !fc.loggedOut {
		logIn(t, f.login, fc.inMemory)
	}
	f.cfg = Config{Store: f.st, Client: f.client, Login: f.login, Window: Window{Manual: true, Workers: fc.workers}}
	f.sync = New(f.cfg)
	return f
}

func openTestStore(t testing.TB, dir string) *store.Store {
	t.Helper()
	_, isTest := t.(*testing.T) // benchmarks measure the fsyncs too
	st, err := store.Open(dir, store.Options{NoSync: isTest})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// logIn drives the authorization-code flow as a browser would. Over a
// socket gotosim.LogIn does it; in memory it is done here with the
// login's own client, since gotosim.LogIn opens the authorize URL with an
// http.Client of its own.
func logIn(t testing.TB, lg *login.Login, inMemory bool) {
	t.Helper()
	ctx := t.Context()
	var err error
	if inMemory {
		err = logInWith(ctx, lg, lg.HTTPClient())
	} else {
		err = gotosim.LogIn(ctx, lg, simtest.RedirectURI)
	}
	if err != nil {
		t.Fatalf("login: %v", err)
	}
}

// logInWith is gotosim.LogIn with hc opening the authorize URL.
func logInWith(ctx context.Context, lg *login.Login, hc *http.Client) error {
	authURL, _, err := lg.Begin(ctx, simtest.RedirectURI)
	if err != nil {
		return err
	}
	noFollow := *hc
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, authURL, nil)
	if err != nil {
		return err
	}
	resp, err := noFollow.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil {
		return fmt.Errorf("the simulator answered %d, not a redirect back", resp.StatusCode)
	}
	q := loc.Query()
	if e := q.Get("error"); e != "" {
		return fmt.Errorf("the simulator said %s: %s", e, q.Get("error_description"))
	}
	return lg.Finish(ctx, q.Get("state"), q.Get("code"), simtest.RedirectURI)
}

// memTransport is an http.RoundTripper that serves each request with a
// handler, in the caller's goroutine, through an httptest.ResponseRecorder:
// no sockets and no goroutines, so a synctest bubble sees every wait.
type memTransport struct{ h http.Handler }

func (m memTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		var err error
		body, err = io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
	}
	// The server's own copy: a ServeMux writes to the request it routes,
	// and a RoundTripper must not change the caller's.
	sr := req.Clone(req.Context())
	sr.Body = io.NopCloser(bytes.NewReader(body))
	sr.ContentLength = int64(len(body))
	sr.Host = req.URL.Host
	sr.RequestURI = req.URL.RequestURI()
	sr.RemoteAddr = "192.0.2.1:1234"
	rec := httptest.NewRecorder()
	m.h.ServeHTTP(rec, sr)
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}

// current is what GoTo lists of a webinar's registrants: all but the cancelled.
func (f *fixture) current(w gotosim.Webinar) []gotosim.Registrant {
	var out []gotosim.Registrant
	for _, r := range f.sim.Generator().Registrants(w.Key) {
		if r.Status != "Cancelled" {
			out = append(out, r)
		}
	}
	return out
}

// apiRequests are the sim's REST requests since mark that match, their
// paths without GoTo's prefix.
func (f *fixture) apiRequests(since int, match func(gotosim.APIRequest) bool) []gotosim.APIRequest {
	var out []gotosim.APIRequest
	for _, r := range f.sim.APIRequests()[since:] {
		if match(r) {
			out = append(out, r)
		}
	}
	return out
}

func (f *fixture) webinarPath(key string) string {
	return "/organizers/" + f.sim.OrganizerKey() + "/webinars/" + key
}

// isDetail matches GET …/registrants/{key}; isPage the registrant listing.
func isDetail(r gotosim.APIRequest) bool {
	return r.Method == "GET" && strings.Contains(r.Path, "/registrants/")
}

func isPage(prefix string) func(gotosim.APIRequest) bool {
	return func(r gotosim.APIRequest) bool {
		return r.Method == "GET" && strings.HasPrefix(r.Path, prefix) && strings.HasSuffix(r.Path, "/registrants")
	}
}

// checkComplete asserts the store holds every registrant GoTo lists, with
// the details only GetRegistrant gives, and GoTo's attendance.
func (f *fixture) checkComplete(t *testing.T) {
	t.Helper()
	now := time.Now()
	for _, w := range f.webinars {
		stored, total, err := f.st.Registrants(w.Key, store.RegistrantQuery{Limit: 100000})
		if err != nil {
			t.Fatalf("webinar %s: %v", w.Key, err)
		}
		byKey := map[string]store.Registrant{}
		for _, r := range stored {
			byKey[r.RegistrantKey] = r
		}
		want := f.current(w)
		if total != len(want) {
			t.Errorf("webinar %s: %d registrants stored, GoTo lists %d", w.Key, total, len(want))
		}
		seconds, attended := map[string]int64{}, map[string]bool{}
		for _, s := range w.Times {
			if s.Key == "" || s.Start.After(now) {
				continue
			}
			for _, a := range f.sim.Generator().Attendance(w.Key, s.Key) {
				seconds[a.RegistrantKey] += a.Seconds
				attended[a.RegistrantKey] = true
			}
		}
		for _, r := range want {
			got, ok := byKey[r.Key]
			switch {
			case !ok:
				t.Errorf("webinar %s: registrant %s (%s) missing", w.Key, r.Key, r.Email)
			case got.Email != r.Email || got.JobTitle != r.JobTitle || got.Organization != r.Organization ||
				got.Comments != r.Comments || len(got.Responses) != len(r.Responses) || !strings.EqualFold(got.Status, r.Status):
				t.Errorf("registrant %s stored as %+v\nGoTo has %+v", r.Key, got, r)
			case got.Attended != attended[r.Key] || got.AttendanceTimeInSeconds != seconds[r.Key]:
				t.Errorf("registrant %s attended %v for %ds, GoTo says %ds", r.Key, got.Attended, got.AttendanceTimeInSeconds, seconds[r.Key])
			}
		}
	}
}

// primeDetails stores a share of every webinar's registrants with all
// their details, as if webhooks had brought them, so the sync asks GoTo
// one by one only for the rest.
func primeDetails(t testing.TB, f *fixture, share float64) {
	t.Helper()
	for _, w := range f.webinars {
		current := f.current(w)
		var rs []gotowebinar.Registrant
		for i, r := range current {
			if float64(i) >= share*float64(len(current)) {
				break
			}
			var answers gotowebinar.Responses
			for _, a := range r.Responses {
				answers = append(answers, gotowebinar.Response{Question: a.Question, Type: a.Type, Answers: a.Answers})
			}
			rs = append(rs, gotowebinar.Registrant{
				Responses:     answers,
				RegistrantKey: gotowebinar.Key(r.Key), FirstName: r.FirstName, LastName: r.LastName, Email: r.Email,
				Status: r.Status, RegistrationDate: gotowebinar.Time{Time: r.Registered}, Organization: r.Organization,
				JobTitle: r.JobTitle, QuestionsAndComments: r.Comments, Source: cmp.Or(r.RegistrationSource, "Website"),
			})
		}
		if _, err := f.st.MergeRegistrants(w.Key, gotowebinar.Records(rs), time.Now(), true); err != nil {
			t.Fatal(err)
		}
	}
}
