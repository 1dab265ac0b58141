package catchup_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"webinarsync/ringcentral"
	"webinarsync/ringcentral/catchup"
	"webinarsync/store"
)

// The default world is three webinars of one session each (one finished,
// one live, one to come): a pass is 2 listings, 3 registrant listings and
// 2 × (history + participants) = 9 Heavy requests, under the 10 a minute
// RingCentral allows, so it takes no virtual time at all.
const defaultWorldRequests = 9

// A first pass brings every webinar, session time, registrant and
// attendee of the sim's world into the store under namespaced keys,
// without a 429 and at once.
func TestSync_FirstPassBringsTheWholeWorldUnderNamespacedKeys(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t, fixtureConfig{})
		took := f.sync(t)
		if n, refused := f.heavy(); n != defaultWorldRequests || refused != 0 {
			t.Errorf("%d Heavy requests, %d refused; want %d, none refused", n, refused, defaultWorldRequests)
		}
		if took != 0 {
			t.Errorf("the pass took %v of virtual time, want none: it stays under the Heavy limit", took)
		}
		checkMirrorsSim(t, f)
		st := f.cu.Status()
		want := f.want()
		if st.Merged != want || st.Changed != want {
			t.Errorf("Status counts merged %+v, changed %+v; want both %+v", st.Merged, st.Changed, want)
		}
		if st.Running || st.Stopped || st.Problem != nil || len(st.Skipped) != 0 || st.Finished.IsZero() {
			t.Errorf("Status = %+v, want a finished pass without problems", st)
		}
	})
}

// checkMirrorsSim checks the store against the sim's world.
func checkMirrorsSim(t *testing.T, f *fixture) {
	t.Helper()
	for _, w := range f.sim.Webinars() {
		got, err := f.st.Webinar(key(w.ID))
		if err != nil {
			t.Fatalf("webinar %s: %v", w.ID, err)
		}
		if got.Title != w.Title || got.Description != w.Description {
			t.Errorf("webinar %s is %q (%q), want %q (%q)", w.ID, got.Title, got.Description, w.Title, w.Description)
		}
		if _, err := f.st.Webinar(w.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("webinar %s is stored under its bare id too: %v", w.ID, err)
		}
	}
	for _, s := range f.sim.Sessions() {
		wk := key(s.WebinarID)
		w, _ := f.st.Webinar(wk)
		if len(w.Times) != 1 || !w.Times[0].StartTime.Equal(s.ScheduledStart) ||
			!w.Times[0].EndTime.Equal(s.ScheduledStart.Add(s.ScheduledDuration)) || w.TimeZone != "Europe/Berlin" {
			t.Errorf("webinar %s has times %+v in %q; want its session's %v + %v in Europe/Berlin",
				wk, w.Times, w.TimeZone, s.ScheduledStart, s.ScheduledDuration)
		}
		checkRegistrants(t, f, s.ID, wk)
		if s.Status == "Finished" || s.Status == "Active" {
			checkAttendance(t, f, s.ID, wk, s.Start, s.End)
		}
	}
}

func checkRegistrants(t *testing.T, f *fixture, sessionID, wk string) {
	t.Helper()
	regs := f.sim.Registrants(sessionID)
	if _, total, _ := f.st.Registrants(wk, store.RegistrantQuery{}); total != len(regs) {
		t.Errorf("webinar %s has %d registrants stored, want the sim's %d", wk, total, len(regs))
	}
	for _, r := range regs {
		got, err := f.st.Registrant(wk, key(r.ID))
		if err != nil {
			t.Errorf("registrant %s: %v", r.ID, err)
			continue
		}
		if got.FirstName != r.FirstName || got.LastName != r.LastName || got.Email != r.Email ||
			got.Status != "Approved" || !got.RegistrationDate.Equal(r.Registered) ||
			got.RegistrationSource != r.Source || got.JoinURL == "" {
			t.Errorf("registrant %s stored as %+v, want the sim's %+v, Approved, with a join URL", r.ID, got, r)
		}
		if len(got.Responses) != 1 || got.Responses[0].Question != "q-1" || got.Responses[0].Answer() != "Yes" {
			t.Errorf("registrant %s has answers %+v, want the questionnaire's q-1: Yes", r.ID, got.Responses)
		}
		if got.Attended != (r.ParticipantID != "") {
			t.Errorf("registrant %s attended = %v, want %v", r.ID, got.Attended, r.ParticipantID != "")
		}
	}
}

func checkAttendance(t *testing.T, f *fixture, sessionID, wk string, start, end time.Time) {
	t.Helper()
	sessions, err := f.st.Sessions(wk)
	if err != nil || len(sessions) != 1 || sessions[0].SessionKey != key(sessionID) ||
		!sessions[0].StartTime.Equal(start) || !sessions[0].EndTime.Equal(end) {
		t.Errorf("sessions of %s = %+v (%v), want %s from %v to %v", wk, sessions, err, key(sessionID), start, end)
	}
	rows, err := f.st.Attendance(wk)
	if err != nil {
		t.Fatal(err)
	}
	byKey := map[string]store.Attendance{}
	for _, a := range rows {
		byKey[a.RegistrantKey] = a
	}
	ps := f.sim.Participants(sessionID)
	if len(rows) != len(ps) {
		t.Errorf("%s has %d attendance rows, want the sim's %d participants", wk, len(rows), len(ps))
	}
	for _, p := range ps {
		a, ok := byKey[key(p.RegistrantID)]
		var want int64
		if !p.Leave.IsZero() {
			want = int64(p.Leave.Sub(p.Join) / time.Second)
		}
		if !ok || !a.JoinTime().Equal(p.Join) || !a.LeaveTime().Equal(p.Leave) || a.AttendanceTimeInSeconds != want {
			t.Errorf("attendance of %s = %+v, want joined %v, left %v, %d s", p.RegistrantID, a, p.Join, p.Leave, want)
		}
	}
}

// A second pass over an unchanged world merges the same and changes
// nothing in the store. It waits a minute: the first pass left one
// request of the Heavy minute.
func TestSync_SecondPassWritesNothingNew(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t, fixtureConfig{})
		f.sync(t)
		before, seq := f.snapshot(t), lastSeq(t, f.st)
		took := f.sync(t)
		if after := f.snapshot(t); after != before {
			t.Errorf("the second pass changed the store:\nbefore %s\nafter  %s", before, after)
		}
		if s := lastSeq(t, f.st); s != seq {
			t.Errorf("the log moved from %d to %d", seq, s)
		}
		st := f.cu.Status()
		if st.Changed != (catchup.Counts{}) || st.Merged != f.want() {
			t.Errorf("second pass merged %+v, changed %+v; want %+v merged, nothing changed", st.Merged, st.Changed, f.want())
		}
		if took > time.Minute {
			t.Errorf("the second pass took %v, want at most the one Heavy window it waits", took)
		}
		if _, refused := f.heavy(); refused != 0 {
			t.Errorf("%d requests refused for the rate limit, want none", refused)
		}
	})
}

func lastSeq(t *testing.T, st *store.Store) uint64 {
	t.Helper()
	seq, err := st.LastSeq()
	if err != nil {
		t.Fatal(err)
	}
	return seq
}

// Someone who joined without registering still attended; a panelist did
// not.
func TestSync_ParticipantWithoutRegistrantAttendsAndPanelistsDoNot(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t, fixtureConfig{wrap: editParticipants(func(_ string, recs []any) []any {
			if len(recs) == 0 {
				return recs
			}
			first, _ := recs[0].(map[string]any)
			walkIn := map[string]any{"id": "p-walk-in", "firstName": "Walk", "lastName": "In", "email": "walk.in@example.com",
				"role": "Attendee", "originalRole": "Attendee", "type": "User",
				"joinTime": first["joinTime"], "leaveTime": first["leaveTime"]}
			panelist := map[string]any{"id": "p-panel", "firstName": "Pat", "lastName": "Panel", "email": "pat@example.com",
				"role": "Panelist", "originalRole": "Panelist", "type": "User", "registrantId": "999",
				"joinTime": first["joinTime"], "leaveTime": first["leaveTime"]}
			return append(recs, walkIn, panelist)
		})})
		f.sync(t)
		for _, s := range f.sim.Sessions() {
			if s.Status != "Finished" {
				continue
			}
			wk := key(s.WebinarID)
			walkIn, err := f.st.Registrant(wk, key("participant-p-walk-in"))
			if err != nil || !walkIn.Attended || walkIn.Email != "walk.in@example.com" {
				t.Errorf("the walk-in is %+v (%v), want attended under key %s", walkIn, err, key("participant-p-walk-in"))
			}
			if walkIn.AttendanceTimeInSeconds <= 0 {
				t.Errorf("the walk-in attended %d s, want their join to leave", walkIn.AttendanceTimeInSeconds)
			}
			for _, k := range []string{key("999"), key("participant-p-panel")} {
				if _, err := f.st.Registrant(wk, k); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("the panelist is stored as %s (%v), want not an attendee", k, err)
				}
			}
			w, _ := f.st.Webinar(wk)
			if want := len(f.sim.Participants(s.ID)) + 1; w.Attended != want {
				t.Errorf("%d attended, want the sim's participants and the walk-in: %d", w.Attended, want)
			}
		}
	})
}

// A registrant erased here stays erased: the next pass does not copy them
// back, nor their attendance.
func TestSync_ErasedRegistrantIsNotCopiedBack(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t, fixtureConfig{})
		f.sync(t)
		var sessionID, webinarID, registrantID, email string
		for _, s := range f.sim.Sessions() {
			if ps := f.sim.Participants(s.ID); s.Status == "Finished" && len(ps) > 0 {
				sessionID, webinarID, registrantID, email = s.ID, s.WebinarID, ps[0].RegistrantID, ps[0].Email
			}
		}
		wk, rk := key(webinarID), key(registrantID)
		if _, err := f.st.Registrant(wk, rk); err != nil {
			t.Fatalf("registrant %s not synced: %v", rk, err)
		}
		if _, err := f.st.ErasePerson(t.Context(), email); err != nil {
			t.Fatalf("ErasePerson: %v", err)
		}
		f.sync(t)
		if r, err := f.st.Registrant(wk, rk); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the erased registrant is back: %+v (%v)", r, err)
		}
		rows, _ := f.st.Attendance(wk)
		for _, a := range rows {
			if a.RegistrantKey == rk || a.Email == email {
				t.Errorf("the erased registrant's attendance is back: %+v", a)
			}
		}
		if len(rows) != len(f.sim.Participants(sessionID))-1 {
			t.Errorf("%d attendance rows, want everyone else's", len(rows))
		}
	})
}

// Without a login a pass asks RingCentral nothing and says so.
func TestSync_NotLoggedInAsksNothingAndSaysSo(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t, fixtureConfig{loggedOut: true})
		if err := f.cu.Sync(t.Context()); !errors.Is(err, ringcentral.ErrNotLoggedIn) {
			t.Errorf("Sync = %v, want ErrNotLoggedIn", err)
		}
		if reqs := f.sim.APIRequests(); len(reqs) != 0 {
			t.Errorf("%d requests made, want none: %+v", len(reqs), reqs)
		}
		st := f.cu.Status()
		if st.LoggedIn || st.Running || st.Problem == nil || st.Problem.Kind != ringcentral.ProblemNotLoggedIn {
			t.Errorf("Status = %+v, want not logged in", st)
		}
		if ws, _ := f.st.Webinars(); len(ws) != 0 {
			t.Errorf("%d webinars stored, want none", len(ws))
		}
	})
}

// A storm of 429s longer than the Client's own retries is waited out: six
// refusals without Retry-After cost six 60 s penalties, and the pass ends
// with everything in.
func TestSync_WaitsOutA429Storm(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t, fixtureConfig{})
		if _, err := f.tokens.Token(); err != nil { // logged in before the storm: it is the API's
			t.Fatal(err)
		}
		f.sim.Throttle(6, 0)
		took := f.sync(t)
		if got := f.sim.Stats().Throttled; got != 6 {
			t.Errorf("%d requests throttled, want 6", got)
		}
		if took < 6*time.Minute || took > 7*time.Minute {
			t.Errorf("the pass took %v, want the six penalties of 60 s and little more", took)
		}
		checkMirrorsSim(t, f)
		if st := f.cu.Status(); st.Problem != nil || st.Stopped {
			t.Errorf("Status = %+v, want no problem left", st)
		}
	})
}

// A webinar RingCentral refuses is noted and skipped; the others are
// synced.
func TestSync_RefusedWebinarIsSkippedAndTheRestSynced(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var refused string // the finished session, refused its history
		f := newFixture(t, fixtureConfig{wrap: func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if refused == "" {
					next.ServeHTTP(w, r)
					return
				}
				refuse(refused)(next).ServeHTTP(w, r)
			})
		}})
		var webinarID string
		for _, s := range f.sim.Sessions() {
			if s.Status == "Finished" {
				refused, webinarID = "/webinar/history/v1/webinars/"+s.WebinarID+"/", s.WebinarID
			}
		}
		f.sync(t)
		st := f.cu.Status()
		if len(st.Skipped) != 1 || st.Skipped[0].WebinarKey != key(webinarID) || st.Skipped[0].Problem.Kind != ringcentral.ProblemForbidden {
			t.Fatalf("Skipped = %+v, want webinar %s, forbidden", st.Skipped, key(webinarID))
		}
		if st.Problem == nil || st.Problem.Kind != ringcentral.ProblemForbidden || st.Stopped {
			t.Errorf("Status = %+v, want the skip as its problem, not stopped", st)
		}
		if sessions, _ := f.st.Sessions(key(webinarID)); len(sessions) != 0 {
			t.Errorf("the refused webinar has sessions %+v, want none", sessions)
		}
		want := f.want()
		if st.Merged.Webinars != want.Webinars || st.Merged.Registrants != want.Registrants || st.Merged.Sessions != want.Sessions-1 {
			t.Errorf("merged %+v, want every webinar and registrant and all but the refused session (%+v)", st.Merged, want)
		}
	})
}

// Notifications hint at changes: the first hint brings a pass at once,
// a burst of them within HintEvery brings one more pass at its end, not
// one each (a pass costs RingCentral's scarce Heavy requests).
func TestRun_HintsFoldIntoAPassAtMostEveryHintEvery(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t, fixtureConfig{every: 24 * time.Hour})
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		go f.cu.Run(ctx)
		time.Sleep(time.Minute) // the pass at start, done
		synctest.Wait()
		passes := func() time.Time { return f.cu.Status().Finished }
		first := passes()
		if first.IsZero() {
			t.Fatal("no pass at start")
		}
		for range 50 {
			f.cu.Hint()
			time.Sleep(time.Second)
		}
		synctest.Wait()
		afterBurst := passes()
		time.Sleep(catchup.HintEvery + time.Minute)
		synctest.Wait()
		final := passes()
		if !afterBurst.After(first) && !final.After(first) {
			t.Fatalf("the hints brought no pass (finished %v, then %v, %v)", first, afterBurst, final)
		}
		// The start's pass began a minute before the burst: the burst
		// waits for HintEvery to pass since, then makes one pass.
		n := 0
		for _, r := range f.sim.APIRequests() {
			if strings.HasSuffix(r.Path, "/webinar/configuration/v1/webinars") {
				n++
			}
		}
		if n > 2 {
			t.Errorf("%d passes listed the webinars, want the start's and one for the whole burst", n)
		}
	})
}
