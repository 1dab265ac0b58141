package catchup_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"webinarsync/ringcentral"
	"webinarsync/ringcentral/catchup"
)

// addWebinars adds n scheduled webinars of three registrants each, and a
// town hall of 2,500 (three pages of a thousand), to the default world:
// 2 listings + (n+4) registrant listings + 2 more pages + 2 × 2 history
// reads = n+12 Heavy requests.
func addWebinars(t *testing.T, f *fixture, n int) {
	t.Helper()
	for i := range n {
		_, sess, err := f.sim.AddWebinar(t.Context(), fmt.Sprintf("Clinic %d", i+1), time.Now().Add(time.Duration(i+3)*24*time.Hour), time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.sim.AddRegistrants(sess.ID, 3); err != nil {
			t.Fatal(err)
		}
	}
	_, big, err := f.sim.AddWebinar(t.Context(), "Town Hall", time.Now().Add(72*time.Hour), 2*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.sim.AddRegistrants(big.ID, 2500); err != nil {
		t.Fatal(err)
	}
}

// A pass needing more than a Heavy minute's requests keeps under the
// limit (no 429, never more than 10 in any 60 s), shows how far it got
// while it waits, and ends in the minutes its requests need: 32 requests
// are four Heavy minutes, so three minutes of waiting.
func TestSync_PacesUnderTheHeavyLimitAndShowsProgressAsItGoes(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t, fixtureConfig{})
		addWebinars(t, f, 20)
		start := time.Now()
		done := make(chan error, 1)
		go func() { done <- f.cu.Sync(t.Context()) }()

		time.Sleep(90 * time.Second)
		synctest.Wait()
		st := f.cu.Status()
		if !st.Running || (st.Phase.Step != catchup.Registrants && st.Phase.Step != catchup.Attendance) ||
			st.Phase.Total != 24 || st.Phase.Done == 0 || st.Phase.Done >= 24 || st.Phase.WebinarKey == "" {
			t.Errorf("after 90 s the status is %+v, want running through the 24 webinars, some done", st)
		}
		if st.Merged.Webinars != 24 || st.Merged.Registrants == 0 || st.Merged.Attendees == 0 {
			t.Errorf("after 90 s it merged %+v, want every webinar and the first ones' people", st.Merged)
		}

		if err := <-done; err != nil {
			t.Fatalf("Sync: %v", err)
		}
		took := time.Since(start)
		n, refused := f.heavy()
		if n != 32 || refused != 0 {
			t.Errorf("%d Heavy requests, %d refused; want 32, none refused", n, refused)
		}
		if most := f.busiestMinute(); most > 10 {
			t.Errorf("%d Heavy requests in one minute, want at most 10", most)
		}
		if took < 3*time.Minute || took >= 4*time.Minute {
			t.Errorf("the pass took %v, want 3 to 4 minutes", took)
		}
		checkMirrorsSim(t, f)
		if st := f.cu.Status(); st.Merged != f.want() || st.Running || st.Phase != (catchup.Phase{}) {
			t.Errorf("finished status %+v, want %+v merged and idle", st, f.want())
		}
	})
}

// A pass stops as soon as its context ends, even while it waits out the
// Heavy minute, and asks nothing more.
func TestSync_StopsPromptlyWhenItsContextEnds(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t, fixtureConfig{})
		addWebinars(t, f, 20)
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		done := make(chan error, 1)
		go func() { done <- f.cu.Sync(ctx) }()
		time.Sleep(30 * time.Second) // the Heavy minute is used up: it waits
		synctest.Wait()
		asked, _ := f.heavy()
		at := time.Now()
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("Sync = %v, want context.Canceled", err)
		}
		if d := time.Since(at); d != 0 {
			t.Errorf("it stopped %v after its context ended, want at once", d)
		}
		if n, _ := f.heavy(); n != asked {
			t.Errorf("%d requests after the context ended, want none", n-asked)
		}
		st := f.cu.Status()
		if st.Running || !st.Stopped || st.Problem == nil || st.Problem.Kind != ringcentral.ProblemInterrupted {
			t.Errorf("Status = %+v, want stopped, interrupted", st)
		}
	})
}

// Run asks nothing while logged out, then passes after the login signal,
// on Kick, and every Config.Every.
func TestRun_PassesAfterLoginOnKickAndEvery(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t, fixtureConfig{loggedOut: true, every: time.Hour})
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		go f.cu.Run(ctx)
		passes := func() int {
			n := 0
			for _, r := range f.sim.APIRequests() {
				if r.Path == "/webinar/configuration/v1/webinars" && r.Status == 0 {
					n++
				}
			}
			return n
		}
		synctest.Wait()
		if n := len(f.sim.APIRequests()); n != 0 {
			t.Errorf("logged out, Run made %d requests, want none", n)
		}

		f.login.on.Store(true)
		f.logins <- struct{}{}
		synctest.Wait()
		if n := passes(); n != 1 {
			t.Errorf("after the login signal, %d passes, want 1", n)
		}

		f.cu.Kick()
		time.Sleep(2 * time.Minute) // the second pass waits out the Heavy minute
		synctest.Wait()
		if n := passes(); n != 2 {
			t.Errorf("after Kick, %d passes, want 2", n)
		}

		next := f.cu.Status().Next
		if d := time.Until(next); d <= 0 || d > time.Hour {
			t.Fatalf("next pass due in %v, want within the hour", d)
		}
		time.Sleep(time.Until(next) + time.Second)
		synctest.Wait()
		if n := passes(); n != 3 {
			t.Errorf("an hour on, %d passes, want 3", n)
		}
		cancel()
		synctest.Wait()
	})
}
