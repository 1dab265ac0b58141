package catchup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"webinarsync/gotowebinar"
	"webinarsync/gotowebinar/gotosim"
	"webinarsync/gotowebinar/login"
)

func TestSync_FullSyncOfSeveralWebinarsWithManyPages(t *testing.T) {
	t.Parallel()
	now := time.Now()
	f := newFixture(t, fixtureConfig{pageSize: 3,
		pop: gotosim.Population{Webinars: 5, Registrants: 40, Sessions: 2, Attend: 60, Start: now.Add(-11 * 24 * time.Hour), Every: 3 * 24 * time.Hour}})
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

	// Every page walked, no detail asked twice, none asked for what a webhook brought.
	listings := f.apiRequests(0, func(r gotosim.APIRequest) bool {
		return r.Method == "GET" && strings.HasSuffix(r.Path, "/organizers/"+f.sim.OrganizerKey()+"/webinars")
	})
	if len(listings) != 2 || !strings.Contains(listings[1].Query, "page=1") || !strings.Contains(listings[0].Query, "size=3") {
		t.Errorf("webinar listings: %+v, want pages 0 and 1 of 3", listings)
	}
	details := map[string]int{}
	for _, r := range f.apiRequests(0, isDetail) {
		details[r.Path]++
	}
	wantDetails, listed, sessions := 0, 0, 0
	for i, w := range f.webinars {
		n := len(f.current(w))
		pages := f.apiRequests(0, isPage(f.webinarPath(w.Key)))
		if len(pages) != (n+2)/3 {
			t.Errorf("webinar %d: %d registrant pages, want %d (%d registrants, 3 a page)", i, len(pages), (n+2)/3, n)
		}
		wantDetails += n
		listed += n
		for _, s := range w.Times {
			if s.Key != "" {
				sessions++
			}
		}
	}
	wantDetails -= len(known)
	for path, n := range details {
		if n > 1 {
			t.Errorf("%s asked %d times", path, n)
		}
	}
	for _, r := range known {
		if details[f.webinarPath(f.webinars[0].Key)+"/registrants/"+r.Key] > 0 {
			t.Errorf("registrant %s was asked for although a webhook brought it", r.Key)
		}
	}
	if len(details) != wantDetails {
		t.Errorf("%d registrants asked for one by one, want %d", len(details), wantDetails)
	}

	// The webhooks brought the first webinar, and some of its registrants.
	wantTally := Tally{Webinars: 5, NewWebinars: 4, Registrants: listed, NewRegistrants: listed - len(known), Details: wantDetails, Sessions: sessions}
	st := f.sync.Status()
	switch {
	case st.Running || st.Problem != nil || st.Last == nil || !st.Last.OK || st.Last.Stopped || st.Finished.IsZero():
		t.Errorf("status after the sync = %+v", st)
	case st.Last.Tally != wantTally:
		t.Errorf("tally %+v, want %+v", st.Last.Tally, wantTally)
	case st.Last.Requests != int64(len(f.sim.APIRequests())) || st.Last.WebinarsDone != 5 || st.Last.WebinarsTotal != 5:
		t.Errorf("outcome %+v: want %d requests and 5 of 5 webinars", *st.Last, len(f.sim.APIRequests()))
	}

	// Again: nothing new, so only the listings, no detail, and no change.
	mark := len(f.sim.APIRequests())
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

func TestSync_InterruptedSyncResumesEachStepWithoutFetchingWhatWasDone(t *testing.T) {
	t.Parallel()
	const workers = 3
	for _, tc := range []struct {
		name string
		cut  func(*http.Request) bool // a request of the kind to cut at
		at   int                      // cut at the at-th of them
		step Step                     // the step the cut falls in
	}{
		{"registrant listings", func(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, "/registrants") }, 6, ListRegistrants},
		{"attendance", func(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, "/attendees") }, 2, Attendance},
		{"details", func(r *http.Request) bool { return strings.Contains(r.URL.Path, "/registrants/") }, 45, Details},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			now := time.Now()
			f := newFixture(t, fixtureConfig{pageSize: 7, workers: workers,
				pop: gotosim.Population{Webinars: 4, Registrants: 30, Sessions: 1, Attend: 50, Start: now.Add(-5 * 24 * time.Hour)}})

			// Cut the sync short at the at-th request of its kind.
			ctx, cancel := context.WithCancel(t.Context())
			var mu sync.Mutex
			n := 0
			f.srv.SetFront(func(w http.ResponseWriter, r *http.Request, _ []byte) bool {
				if r.Method == "GET" && tc.cut(r) {
					mu.Lock()
					if n++; n == tc.at {
						cancel()
					}
					mu.Unlock()
				}
				return false
			})
			if err := f.sync.Sync(ctx); !errors.Is(err, context.Canceled) {
				t.Fatalf("the cut sync returned %v, want context.Canceled", err)
			}
			f.srv.SetFront(nil)
			var saved run
			if ok, err := f.st.SettingJSON(settingRun, &saved); !ok || err != nil || !saved.Listed || len(saved.Detailed) == len(saved.Webinars) {
				raw, _ := f.st.Setting(settingRun)
				t.Fatalf("saved progress %s (%v): want the webinars listed and some left to do", raw, err)
			}
			if saved.Problem == nil || saved.Problem.Problem.Kind != gotowebinar.ProblemInterrupted {
				t.Errorf("saved progress names the trouble %+v, want an interruption", saved.Problem)
			}
			// An app stopping is not news: no outcome for the cut sync.
			if st := f.sync.Status(); st.Last != nil || st.Running || st.Problem == nil || st.Problem.Problem.Kind != gotowebinar.ProblemInterrupted {
				t.Errorf("status after the cut = %+v, want no outcome and the interruption as its problem", st)
			}
			// The steps before the cut are done, the one cut is not.
			switch tc.step {
			case ListRegistrants:
				if len(saved.Registrants) == len(saved.Webinars) || len(saved.Attendance) > 0 {
					t.Errorf("cut in the listings, yet saved %d of %d listed, %d with attendance", len(saved.Registrants), len(saved.Webinars), len(saved.Attendance))
				}
			case Attendance:
				if len(saved.Registrants) != len(saved.Webinars) || len(saved.Attendance) == len(saved.Webinars) || saved.DetailsPlanned {
					t.Errorf("cut in the attendance, yet saved %d listed, %d with attendance of %d, details planned %v",
						len(saved.Registrants), len(saved.Attendance), len(saved.Webinars), saved.DetailsPlanned)
				}
			case Details:
				if len(saved.Attendance) != len(saved.Webinars) || !saved.DetailsPlanned || saved.DetailsTotal == 0 {
					t.Errorf("cut in the details, yet saved %d with attendance of %d, %d details planned", len(saved.Attendance), len(saved.Webinars), saved.DetailsTotal)
				}
			}
			mark := len(f.sim.APIRequests())

			if err := f.sync.Sync(t.Context()); err != nil {
				t.Fatalf("the resumed Sync: %v", err)
			}
			if st := f.sync.Status(); !st.Resumed || st.Last == nil || !st.Last.OK || st.Last.Stopped {
				t.Errorf("status = %+v, want a resumed sync that ended well", st)
			}
			f.checkComplete(t)
			if raw, _ := f.st.Setting(settingRun); raw != "" {
				t.Errorf("progress kept after the sync ended: %s", raw)
			}

			// What the first attempt finished is not asked for again.
			if again := f.apiRequests(mark, func(r gotosim.APIRequest) bool { return strings.HasSuffix(r.Path, "/webinars") }); len(again) != 0 {
				t.Errorf("the webinars were listed again: %+v", again)
			}
			for _, key := range saved.Registrants {
				if again := f.apiRequests(mark, isPage(f.webinarPath(key))); len(again) != 0 {
					t.Errorf("webinar %s: its registrants were listed already, yet listed again", key)
				}
			}
			for _, key := range saved.Attendance {
				prefix := f.webinarPath(key)
				if again := f.apiRequests(mark, func(r gotosim.APIRequest) bool {
					return strings.HasPrefix(r.Path, prefix) && (strings.HasSuffix(r.Path, "/sessions") || strings.HasSuffix(r.Path, "/attendees"))
				}); len(again) != 0 {
					t.Errorf("webinar %s: its attendance was merged already, yet asked for again (%s)", key, again[0].Path)
				}
			}
			for _, key := range saved.Detailed {
				prefix := f.webinarPath(key)
				if again := f.apiRequests(mark, func(r gotosim.APIRequest) bool { return strings.HasPrefix(r.Path, prefix) }); len(again) != 0 {
					t.Errorf("webinar %s was done, yet the resumed sync asked %d things of it (%s …)", key, len(again), again[0].Path)
				}
			}
			// A registrant is asked for twice at most when the cut caught its
			// answer on the way (one per worker).
			seen := map[string]int{}
			for _, r := range f.sim.APIRequests() {
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
			if twice > workers {
				t.Errorf("%d registrants asked for twice, want at most the %d in flight at the cut", twice, workers)
			}
		})
	}
}

// An older version saved its progress webinar by webinar: this one does
// not resume it but starts over, and loses nothing by it.
func TestSync_StartsOverFromAnOlderVersionsProgress(t *testing.T) {
	t.Parallel()
	now := time.Now()
	f := newFixture(t, fixtureConfig{
		pop: gotosim.Population{Webinars: 2, Registrants: 6, Sessions: 1, Attend: 50, Start: now.Add(-2 * 24 * time.Hour)}})
	old := map[string]any{
		"organizer": f.sim.OrganizerKey(), "started": now.Add(-time.Hour), "from": now.Add(-90 * 24 * time.Hour), "to": now.Add(365 * 24 * time.Hour),
		"listed": true, "webinars": []string{f.webinars[0].Key, f.webinars[1].Key}, "done": []string{f.webinars[0].Key},
		"partial": map[string]any{f.webinars[1].Key: map[string]any{"registrants": true, "details": true}},
	}
	if err := f.st.SetSettingJSON(settingRun, old); err != nil {
		t.Fatal(err)
	}
	if err := f.sync.Sync(t.Context()); err != nil {
		t.Fatalf("Sync: %v", err)
	}
	if st := f.sync.Status(); st.Resumed || st.Last == nil || !st.Last.OK {
		t.Errorf("status = %+v, want a new sync, not a resumed one, that ended well", st)
	}
	if n := len(f.apiRequests(0, func(r gotosim.APIRequest) bool { return strings.HasSuffix(r.Path, "/webinars") })); n != 1 {
		t.Errorf("the webinars were listed %d times, want once", n)
	}
	f.checkComplete(t)
}

// TestSync_StaysUnderGoTosLimitAndNearIt runs in a synctest bubble with the
// simulator in memory: the pace is the limiter's alone, in virtual time,
// both with answers at once and with the internet's latency between us
// and GoTo (where the workers have to keep the pace).
func TestSync_StaysUnderGoTosLimitAndNearIt(t *testing.T) {
	t.Parallel()
	for _, latency := range []time.Duration{0, 150 * time.Millisecond} {
		t.Run(fmt.Sprintf("latency=%v", latency), func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				now := time.Now()
				// The default limiter; GoTo's limit enforced at the sim, which would answer 429 above it.
				f := newFixture(t, fixtureConfig{limited: true, inMemory: true,
					pop: gotosim.Population{Webinars: 3, Registrants: 100, Sessions: 1, Attend: 50, Start: now.Add(-20 * 24 * time.Hour), Every: 5 * 24 * time.Hour}})
				f.sim.LimitRate(10)
				f.sim.SetLatency(latency)
				primeDetails(t, f, 0.8)

				mark := len(f.sim.APIRequests())
				start := time.Now()
				if err := f.sync.Sync(t.Context()); err != nil {
					t.Fatalf("Sync: %v", err)
				}
				elapsed := time.Since(start)
				reqs := f.sim.APIRequests()[mark:]
				for _, r := range reqs {
					if r.Status == http.StatusTooManyRequests {
						t.Fatalf("GoTo's limit was exceeded: %s %s answered 429", r.Method, r.Path)
					}
				}
				if got := gotosim.MaxInWindow(reqs, time.Second); got > 10 {
					t.Errorf("%d requests within one second, want at most 10", got)
				}
				rate := float64(len(reqs)-1) / reqs[len(reqs)-1].At.Sub(reqs[0].At).Seconds()
				t.Logf("%d requests in %v (virtual): %.2f requests/s", len(reqs), elapsed, rate)
				if rate < 8 {
					t.Errorf("%.2f requests/s, want near the limit of %d", rate, gotowebinar.DefaultRequestsPerSecond)
				}
				f.checkComplete(t)
			})
		})
	}
}

// TestSync_WaitsOutGoTos429 runs in a synctest bubble with the simulator
// in memory, so waiting out GoTo's Retry-After takes no real time.
func TestSync_WaitsOutGoTos429(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		now := time.Now()
		f := newFixture(t, fixtureConfig{limited: true, inMemory: true,
			pop: gotosim.Population{Webinars: 1, Registrants: 5, Start: now.Add(24 * time.Hour)}})
		f.sim.Throttle(2, 2*time.Second)
		if err := f.sync.Sync(t.Context()); err != nil {
			t.Fatalf("Sync: %v", err)
		}
		reqs := f.sim.APIRequests()
		if len(reqs) < 3 || reqs[1].Status != http.StatusTooManyRequests || reqs[2].Status != 0 {
			t.Fatalf("requests %+v: want two 429s, then on", reqs)
		}
		gap := reqs[2].At.Sub(reqs[1].At)
		t.Logf("asked again %v after the 429 with Retry-After: 2", gap)
		if gap < 1900*time.Millisecond {
			t.Errorf("asked again %v after a 429 with Retry-After: 2, want at least 2 s", gap)
		}
		f.checkComplete(t)
	})
}

func TestSync_NotLoggedInSaysSoAndAsksNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureConfig{loggedOut: true})
	if err := f.sync.Sync(t.Context()); !errors.Is(err, gotowebinar.ErrNotLoggedIn) {
		t.Errorf("Sync logged out = %v", err)
	}
	if s := f.sync.Status(); s.Available || s.Running || s.NoOrganizerKey || s.Problem != nil {
		t.Errorf("status logged out = %+v", s)
	}
	if NewRegistrants(f.cfg).CanChange() {
		t.Error("registrants can be changed while logged out")
	}
	if n := len(f.sim.APIRequests()); n != 0 {
		t.Errorf("%d requests to GoTo while logged out", n)
	}
}

func TestStatus_LoggedInWithoutOrganizerKeySaysSoAndAsksNothing(t *testing.T) {
	t.Parallel()
	// GoTo's token response names no organizer_key (today's shape), and
	// neither the profile nor the admin API will say it.
	f := newFixture(t, fixtureConfig{inMemory: true, wrap: func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == gotosim.IdentityMePath || r.URL.Path == gotosim.AdminMePath {
				http.Error(w, `{"detail":"insufficient scope"}`, http.StatusForbidden)
				return
			}
			next.ServeHTTP(w, r)
		})
	}})
	if st := f.login.State(); st.Status != login.LoggedIn {
		t.Fatalf("login state %+v, want logged in", st)
	}
	if s := f.sync.Status(); !s.NoOrganizerKey || s.Available || s.Running {
		t.Errorf("status logged in without an organizer key = %+v, want NoOrganizerKey", s)
	}
	if err := f.sync.Sync(t.Context()); !errors.Is(err, ErrNoOrganizerKey) {
		t.Errorf("Sync without an organizer key = %v, want ErrNoOrganizerKey", err)
	}
	if s := f.sync.Status(); !s.NoOrganizerKey || s.Available || s.Problem != nil || s.Last != nil {
		t.Errorf("status after trying = %+v", s)
	}
	if NewRegistrants(f.cfg).CanChange() {
		t.Error("registrants can be changed without an organizer key")
	}
	if n := len(f.sim.APIRequests()); n != 0 {
		t.Errorf("%d requests to GoTo without an organizer key", n)
	}
}

func TestSync_StoppedEarlyOutcomeSurvivesARestart(t *testing.T) {
	t.Parallel()
	now := time.Now()
	f := newFixture(t, fixtureConfig{
		pop: gotosim.Population{Webinars: 3, Registrants: 8, Sessions: 1, Attend: 50, Start: now.Add(-5 * 24 * time.Hour)}})
	// GoTo fails on the last webinar's sessions, however often it is asked.
	broken := f.webinarPath(f.webinars[2].Key) + "/sessions"
	f.srv.SetFront(func(w http.ResponseWriter, r *http.Request, _ []byte) bool {
		if !strings.HasSuffix(r.URL.Path, broken) {
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(`{"errorCode":"ServiceUnavailable","description":"down for maintenance"}`))
		return true
	})
	var apiErr *gotowebinar.APIError
	if err := f.sync.Sync(t.Context()); !errors.As(err, &apiErr) || apiErr.Status != http.StatusServiceUnavailable {
		t.Fatalf("Sync = %v, want GoTo's 503", err)
	}
	before := f.sync.Status()
	last := before.Last
	switch {
	case last == nil:
		t.Fatalf("no outcome after the sync stopped early: %+v", before)
	case !last.Stopped || last.OK || last.WebinarsTotal != 3 || last.WebinarsDone >= 3 || last.Finished.IsZero():
		t.Errorf("outcome %+v, want stopped early with some of 3 webinars left", *last)
	case last.Problem == nil || last.Problem.Item != WholeSync ||
		last.Problem.Problem.Kind != gotowebinar.ProblemGoToDown || last.Problem.Problem.Status != http.StatusServiceUnavailable:
		t.Errorf("outcome's trouble %+v, want GoTo down (503) stopping the whole sync", last.Problem)
	}
	if before.Problem == nil || *before.Problem != *last.Problem {
		t.Errorf("status problem %+v, want the outcome's %+v", before.Problem, last.Problem)
	}
	if last.Step != Attendance || last.StepTotal != 3 || last.StepDone >= 3 {
		t.Errorf("outcome stopped at %q, %d of %d, want in the attendance, some of 3 webinars left", last.Step, last.StepDone, last.StepTotal)
	}
	var saved run
	if ok, err := f.st.SettingJSON(settingRun, &saved); !ok || err != nil || len(saved.Detailed) != last.WebinarsDone {
		t.Errorf("saved progress (%v, %v): %d webinars done, the outcome says %d", ok, err, len(saved.Detailed), last.WebinarsDone)
	}

	// The app restarts: a new CatchUp over the same store shows the same.
	again := New(f.cfg)
	after := again.Status()
	if after.Last == nil {
		t.Fatalf("no outcome after a restart: %+v", after)
	}
	if a, b := mustJSON(t, *last), mustJSON(t, *after.Last); a != b {
		t.Errorf("outcome after a restart:\n%s\nbefore:\n%s", b, a)
	}
	if after.Problem == nil || *after.Problem != *last.Problem {
		t.Errorf("problem after a restart %+v, want %+v", after.Problem, last.Problem)
	}
	if !after.Finished.Equal(last.Finished) || !after.Started.Equal(last.Started) || after.Running || !after.Available {
		t.Errorf("status after a restart %+v", after)
	}

	// GoTo is back: the restarted sync resumes and ends well.
	f.srv.SetFront(nil)
	if err := again.Sync(t.Context()); err != nil {
		t.Fatalf("Sync after the restart: %v", err)
	}
	if st := again.Status(); !st.Resumed || st.Last == nil || !st.Last.OK || st.Last.Stopped {
		t.Errorf("status after the resumed sync = %+v", st)
	}
	// What stopped the first attempt is over: nothing still says so.
	if st := again.Status(); st.Problem != nil || st.Last.Problem != nil {
		t.Errorf("after the resumed sync ended well, the status still has the earlier problem %+v / %+v", st.Problem, st.Last.Problem)
	}
	f.checkComplete(t)
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestRun_SyncsAtStartAfterLoginEveryAndOnSyncNow runs in a synctest
// bubble, so the quarter of an hour between syncs passes at once.
func TestRun_SyncsAtStartAfterLoginEveryAndOnSyncNow(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t, fixtureConfig{inMemory: true,
			pop: gotosim.Population{Webinars: 1, Registrants: 3, Start: time.Now().Add(24 * time.Hour)}})
		logins := make(chan struct{}, 1)
		cfg := f.cfg
		cfg.Logins, cfg.Window = logins, Window{Every: 15 * time.Minute}
		c := New(cfg)
		// settle lets a sync that started end (the store's batches wait a
		// little) and reports how many syncs there were: each lists the
		// webinars once.
		settle := func() int {
			time.Sleep(time.Minute)
			synctest.Wait()
			return len(f.apiRequests(0, func(r gotosim.APIRequest) bool { return strings.HasSuffix(r.Path, "/webinars") }))
		}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() { c.Run(ctx); close(done) }()

		if n := settle(); n != 1 {
			t.Fatalf("%d syncs at start, want 1", n)
		}
		if st := c.Status(); st.Running || st.Last == nil || !st.Last.OK || !st.Next.Equal(st.Finished.Add(15*time.Minute)) {
			t.Errorf("status after the first sync = %+v, want the next due 15 minutes after it ended", st)
		}
		c.SyncNow()
		if n := settle(); n != 2 {
			t.Errorf("%d syncs after SyncNow, want 2", n)
		}
		logins <- struct{}{}
		if n := settle(); n != 3 {
			t.Errorf("%d syncs after a login, want 3", n)
		}
		next := c.Status().Next
		time.Sleep(time.Until(next) - 2*time.Minute)
		if n := settle(); n != 3 {
			t.Errorf("%d syncs a minute before the next is due, want 3", n)
		}
		if n := settle(); n != 4 {
			t.Errorf("%d syncs once the next was due, want 4", n)
		}
		cancel()
		<-done
		f.checkComplete(t)
	})
}
