package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"webinarsync/gotowebinar"
	"webinarsync/gotowebinar/gotosim"
	"webinarsync/store"
)

// syncFixture is a logged-in account against the real simulator, with
// webinars the simulator made while nobody listened, and a catch-up sync.
type syncFixture struct {
	g        *goToSim
	st       *store.Store
	acct     *goToAccount
	sync     *catchUp
	webinars []gotosim.Webinar
}

func newSyncFixture(t testing.TB, p gotosim.Population, tweak func(*goToAccountConfig), cfg SyncConfig) *syncFixture {
	t.Helper()
	f := &syncFixture{g: startGoToSim(t), st: openTestStore(t, t.TempDir())}
	f.webinars = f.g.sim.Generator().Populate(p)
	tweaks := []func(*goToAccountConfig){}
	if tweak != nil {
		tweaks = append(tweaks, tweak)
	}
	f.acct = newTestAccount(t, f.st, f.g.config(), tweaks...)
	logIn(t, f.acct)
	cfg.Manual = true
	f.sync = newCatchUp(f.st, f.acct, quietLog(), cfg)
	return f
}

// current is what GoTo lists of a webinar's registrants: all but the cancelled.
func (f *syncFixture) current(w gotosim.Webinar) []gotosim.Registrant {
	var out []gotosim.Registrant
	for _, r := range f.g.sim.Generator().Registrants(w.Key) {
		if r.Status != "Cancelled" {
			out = append(out, r)
		}
	}
	return out
}

// apiRequests counts the sim's REST requests whose path (without GoTo's
// prefix) matches, since mark.
func (f *syncFixture) apiRequests(since int, match func(gotosim.APIRequest) bool) []gotosim.APIRequest {
	var out []gotosim.APIRequest
	for _, r := range f.g.sim.APIRequests()[since:] {
		if match(r) {
			out = append(out, r)
		}
	}
	return out
}

func (f *syncFixture) webinarPath(w gotosim.Webinar) string {
	return "/organizers/" + f.g.sim.OrganizerKey() + "/webinars/" + w.Key
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
func (f *syncFixture) checkComplete(t *testing.T) {
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
			for _, a := range f.g.sim.Generator().Attendance(w.Key, s.Key) {
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

func TestSync_FullSyncOfSeveralWebinarsWithManyPages(t *testing.T) {
	now := time.Now()
	f := newSyncFixture(t, gotosim.Population{Webinars: 5, Registrants: 40, Sessions: 2, Attend: 60, Start: now.Add(-11 * 24 * time.Hour), Every: 3 * 24 * time.Hour},
		func(c *goToAccountConfig) { c.PageSize = 3 }, SyncConfig{})
	// Some registrations arrived by webhook already: no need to ask for them one by one.
	known := f.current(f.webinars[0])[:10]
	for i, r := range known {
		body := gotosim.RegistrantAddedJSON(fmt.Sprintf("ev-%d", i), now.Add(-time.Hour), f.webinars[0], r, gotosim.Form{Responses: gotosim.ResponsesTuples})
		ev, err := gotowebinar.DecodeEvent(body)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.st.PutEvent(t.Context(), &gotowebinar.Delivery{Event: *ev, ReceivedAt: now}); err != nil {
			t.Fatal(err)
		}
	}

	if err := f.sync.Sync(t.Context()); err != nil {
		t.Fatalf("Sync: %v", err)
	}
	f.checkComplete(t)
	st := f.sync.SyncStatus()
	if !st.LastOK || st.Running || st.Problem != "" || !strings.Contains(st.LastResult, "5 webinars") {
		t.Errorf("status after the sync = %+v", st)
	}

	// Every page walked, no detail asked twice, none asked for what a webhook brought.
	listings := f.apiRequests(0, func(r gotosim.APIRequest) bool {
		return r.Method == "GET" && strings.HasSuffix(r.Path, "/organizers/"+f.g.sim.OrganizerKey()+"/webinars")
	})
	if len(listings) != 2 || !strings.Contains(listings[1].Query, "page=1") || !strings.Contains(listings[0].Query, "size=3") {
		t.Errorf("webinar listings: %+v, want pages 0 and 1 of 3", listings)
	}
	details := map[string]int{}
	for _, r := range f.apiRequests(0, isDetail) {
		details[r.Path]++
	}
	wantDetails := 0
	for i, w := range f.webinars {
		n := len(f.current(w))
		pages := f.apiRequests(0, isPage(f.webinarPath(w)))
		if len(pages) != (n+2)/3 {
			t.Errorf("webinar %d: %d registrant pages, want %d (%d registrants, 3 a page)", i, len(pages), (n+2)/3, n)
		}
		wantDetails += n
	}
	wantDetails -= len(known)
	for path, n := range details {
		if n > 1 {
			t.Errorf("%s asked %d times", path, n)
		}
	}
	for _, r := range known {
		if details[f.webinarPath(f.webinars[0])+"/registrants/"+r.Key] > 0 {
			t.Errorf("registrant %s was asked for although a webhook brought it", r.Key)
		}
	}
	if len(details) != wantDetails {
		t.Errorf("%d registrants asked for one by one, want %d", len(details), wantDetails)
	}

	// Again: nothing new, so only the listings, no detail, and no change.
	mark := len(f.g.sim.APIRequests())
	counts, _ := f.st.Counts()
	if err := f.sync.Sync(t.Context()); err != nil {
		t.Fatalf("second Sync: %v", err)
	}
	if again := f.apiRequests(mark, isDetail); len(again) != 0 {
		t.Errorf("the second sync asked for %d registrants again", len(again))
	}
	if c, _ := f.st.Counts(); c != counts {
		t.Errorf("counts %+v → %+v after syncing the same data again", counts, c)
	}
	f.checkComplete(t)
}

func TestSync_InterruptedSyncResumesWithoutFetchingWhatWasDone(t *testing.T) {
	now := time.Now()
	const workers = 3
	f := newSyncFixture(t, gotosim.Population{Webinars: 4, Registrants: 30, Sessions: 1, Attend: 50, Start: now.Add(-5 * 24 * time.Hour)},
		func(c *goToAccountConfig) { c.PageSize = 7 }, SyncConfig{Workers: workers})

	// Cut the sync short at the 45th registrant asked for one by one.
	ctx, cancel := context.WithCancel(t.Context())
	var mu sync.Mutex
	n := 0
	f.g.setFront(func(w http.ResponseWriter, r *http.Request, _ []byte) bool {
		if r.Method == "GET" && strings.Contains(r.URL.Path, "/registrants/") {
			mu.Lock()
			if n++; n == 45 {
				cancel()
			}
			mu.Unlock()
		}
		return false
	})
	if err := f.sync.Sync(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("the cut sync returned %v, want context.Canceled", err)
	}
	f.g.setFront(nil)
	raw, _ := f.st.Setting(settingSyncRun)
	var saved syncRun
	if err := json.Unmarshal([]byte(raw), &saved); err != nil || !saved.Listed || len(saved.Done) == len(saved.Webinars) {
		t.Fatalf("saved progress %s (%v): want the webinars listed and some left to do", raw, err)
	}
	first := f.g.sim.APIRequests()
	mark := len(first)

	if err := f.sync.Sync(t.Context()); err != nil {
		t.Fatalf("the resumed Sync: %v", err)
	}
	if st := f.sync.SyncStatus(); !st.Resumed || !st.LastOK {
		t.Errorf("status = %+v, want a resumed sync that ended well", st)
	}
	f.checkComplete(t)
	if raw, _ := f.st.Setting(settingSyncRun); raw != "" {
		t.Errorf("progress kept after the sync ended: %s", raw)
	}

	// What the first attempt finished is not asked for again.
	if again := f.apiRequests(mark, func(r gotosim.APIRequest) bool { return strings.HasSuffix(r.Path, "/webinars") }); len(again) != 0 {
		t.Errorf("the webinars were listed again: %+v", again)
	}
	for _, key := range saved.Done {
		prefix := "/organizers/" + f.g.sim.OrganizerKey() + "/webinars/" + key
		if again := f.apiRequests(mark, func(r gotosim.APIRequest) bool { return strings.HasPrefix(r.Path, prefix) }); len(again) != 0 {
			t.Errorf("webinar %s was done, yet the resumed sync asked %d things of it (%s …)", key, len(again), again[0].Path)
		}
	}
	for key, p := range saved.Partial {
		if p.Registrants {
			if again := f.apiRequests(mark, isPage("/organizers/"+f.g.sim.OrganizerKey()+"/webinars/"+key)); len(again) != 0 {
				t.Errorf("webinar %s: its registrants were listed already, yet listed again", key)
			}
		}
	}
	// A registrant is asked for twice at most when the cut caught its
	// answer on the way (one per worker, two webinars at once).
	seen := map[string]int{}
	for _, r := range append(first, f.apiRequests(mark, func(gotosim.APIRequest) bool { return true })...) {
		if isDetail(r) {
			seen[r.Path]++
		}
	}
	twice := 0
	for _, c := range seen {
		if c > 1 {
			twice++
		}
	}
	if twice > 2*workers {
		t.Errorf("%d registrants asked for twice, want at most the %d in flight at the cut", twice, 2*workers)
	}
}

func TestSync_StaysUnderGoTosLimitAndNearIt(t *testing.T) {
	now := time.Now()
	// The default limiter; GoTo's limit enforced at the sim, which would answer 429 above it.
	f := newSyncFixture(t, gotosim.Population{Webinars: 3, Registrants: 100, Sessions: 1, Attend: 50, Start: now.Add(-20 * 24 * time.Hour), Every: 5 * 24 * time.Hour},
		func(c *goToAccountConfig) { c.RateLimit = 0 }, SyncConfig{})
	f.g.sim.LimitRate(10)
	primeDetails(t, f, 0.8)

	mark := len(f.g.sim.APIRequests())
	start := time.Now()
	if err := f.sync.Sync(t.Context()); err != nil {
		t.Fatalf("Sync: %v", err)
	}
	elapsed := time.Since(start)
	reqs := f.g.sim.APIRequests()[mark:]
	for _, r := range reqs {
		if r.Status == http.StatusTooManyRequests {
			t.Fatalf("GoTo's limit was exceeded: %s %s answered 429", r.Method, r.Path)
		}
	}
	if got := gotosim.MaxInWindow(reqs, time.Second); got > 10 {
		t.Errorf("%d requests within one second, want at most 10", got)
	}
	rate := float64(len(reqs)-1) / reqs[len(reqs)-1].At.Sub(reqs[0].At).Seconds()
	t.Logf("%d requests in %v: %.2f requests/s", len(reqs), elapsed.Round(time.Millisecond), rate)
	if rate < 8 {
		t.Errorf("%.2f requests/s, want near the limit of %d", rate, gotowebinar.DefaultRequestsPerSecond)
	}
	f.checkComplete(t)
}

func TestSync_WaitsOutGoTos429(t *testing.T) {
	now := time.Now()
	f := newSyncFixture(t, gotosim.Population{Webinars: 1, Registrants: 5, Start: now.Add(24 * time.Hour)},
		func(c *goToAccountConfig) { c.RateLimit = 0 }, SyncConfig{})
	f.g.sim.Throttle(2, 2*time.Second)
	if err := f.sync.Sync(t.Context()); err != nil {
		t.Fatalf("Sync: %v", err)
	}
	reqs := f.g.sim.APIRequests()
	if len(reqs) < 3 || reqs[1].Status != http.StatusTooManyRequests || reqs[2].Status != 0 {
		t.Fatalf("requests %+v: want two 429s, then on", reqs)
	}
	if gap := reqs[2].At.Sub(reqs[1].At); gap < 1900*time.Millisecond {
		t.Errorf("asked again %v after a 429 with Retry-After: 2, want at least 2 s", gap)
	}
	f.checkComplete(t)
}

func TestSync_NotLoggedInSaysSoAndAsksNothing(t *testing.T) {
	g := startGoToSim(t)
	st := openTestStore(t, t.TempDir())
	c := newCatchUp(st, newTestAccount(t, st, g.config()), quietLog(), SyncConfig{Manual: true})
	if err := c.Sync(t.Context()); !errors.Is(err, errNotLoggedIn) {
		t.Errorf("Sync logged out = %v", err)
	}
	if s := c.SyncStatus(); s.Available || s.Running {
		t.Errorf("status logged out = %+v", s)
	}
	if n := len(g.sim.APIRequests()); n != 0 {
		t.Errorf("%d requests to GoTo while logged out", n)
	}
}

func TestSyncProblemWords_AreForOrganizers(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{&gotowebinar.APIError{Status: 429}, "slow down"},
		{&gotowebinar.APIError{Status: 503}, "problem on its side"},
		{&gotowebinar.APIError{Status: 403, Code: "InvalidToken"}, "log in again"},
		{&gotowebinar.APIError{Status: 404}, "no longer has it"},
		{fmt.Errorf("x: %w", context.Canceled), "interrupted"},
		{errNotLoggedIn, "Not logged in"},
	} {
		if got := syncProblemWords(tc.err); !strings.Contains(got, tc.want) {
			t.Errorf("syncProblemWords(%v) = %q, want it to say %q", tc.err, got, tc.want)
		}
	}
}

// primeDetails stores a share of every webinar's registrants with all
// their details, as if webhooks had brought them, so the sync asks GoTo
// one by one only for the rest.
func primeDetails(t testing.TB, f *syncFixture, share float64) {
	t.Helper()
	for _, w := range f.webinars {
		var rs []gotowebinar.Registrant
		for i, r := range f.current(w) {
			if float64(i) >= share*float64(len(f.current(w))) {
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
				JobTitle: r.JobTitle, QuestionsAndComments: r.Comments, Source: cmpOr(r.RegistrationSource, "Website"),
			})
		}
		if _, err := f.st.MergeRegistrants(w.Key, rs, time.Now(), true); err != nil {
			t.Fatal(err)
		}
	}
}

func cmpOr(s, or string) string {
	if s == "" {
		return or
	}
	return s
}
