package ui

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"webinarsync/gotowebinar"
	"webinarsync/gotowebinar/catchup"
	"webinarsync/gotowebinar/login"
	"webinarsync/gotowebinar/reconcile"
)

// noSignIn fails if words say "sign in": we say "log in" everywhere.
func noSignIn(t *testing.T, what, words string) {
	t.Helper()
	if strings.Contains(strings.ToLower(words), "sign in") || strings.Contains(strings.ToLower(words), "signed in") {
		t.Errorf("%s says %q; we say \"log in\"", what, words)
	}
}

func TestProblemWords_AreForOrganizers(t *testing.T) {
	t.Parallel()
	cb := "https://abc.ngrok.app/webhooks/gotowebinar"
	tests := []struct {
		err  error
		want string
	}{
		{&gotowebinar.APIError{Status: 400, Message: "callback url validation failed: GET … answered 404"}, "GoTo could not reach this computer at " + cb},
		{&gotowebinar.APIError{Status: 429}, "slow down"},
		{&gotowebinar.APIError{Status: 503}, "GoTo had a problem on its side"},
		{&gotowebinar.APIError{Status: 403, Code: "InvalidToken"}, "log in again"},
		{context.DeadlineExceeded, "did not answer in time"},
		{gotowebinar.ErrLoginExpired, "log in again"},
	}
	for _, tt := range tests {
		got := describe(gotowebinar.Classify(tt.err), settingUpWebhooks, cb)
		if !strings.Contains(got, tt.want) {
			t.Errorf("describe(%v) = %q, want it to say %q", tt.err, got, tt.want)
		}
		noSignIn(t, "describe", got)
	}
}

func TestSyncProblemWords_AreForOrganizers(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err  error
		want string
	}{
		{&gotowebinar.APIError{Status: 429}, "slow down"},
		{&gotowebinar.APIError{Status: 503}, "problem on its side"},
		{&gotowebinar.APIError{Status: 403, Code: "InvalidToken"}, "log in again"},
		{&gotowebinar.APIError{Status: 404}, "no longer has it"},
		{fmt.Errorf("x: %w", context.Canceled), "interrupted"},
		{gotowebinar.ErrNotLoggedIn, "Not logged in"},
	} {
		got := describe(gotowebinar.Classify(tc.err), syncing, "")
		if !strings.Contains(got, tc.want) {
			t.Errorf("describe(%v) = %q, want it to say %q", tc.err, got, tc.want)
		}
		noSignIn(t, "describe", got)
	}
}

// TestDescribe_SaysWhatHappensNext: a failure that may pass says what
// comes next, which depends on what we were doing.
func TestDescribe_SaysWhatHappensNext(t *testing.T) {
	t.Parallel()
	down := gotowebinar.Problem{Kind: gotowebinar.ProblemGoToDown, Status: 502}
	for _, tc := range []struct {
		d    doing
		want string
	}{
		{settingUpWebhooks, "GoTo had a problem on its side (HTTP 502); trying again shortly."},
		{removingWebhooks, "GoTo had a problem on its side (HTTP 502); try again in a moment."},
		{syncing, "GoTo had a problem on its side (HTTP 502); the next sync continues."},
		{changingRegistrants, "GoTo had a problem on its side (HTTP 502); try again in a moment."},
	} {
		if got := describe(down, tc.d, ""); got != tc.want {
			t.Errorf("describe(%v, %d) = %q, want %q", down, tc.d, got, tc.want)
		}
	}
	// A refusal without GoTo's reason names the HTTP status instead.
	if got := describe(gotowebinar.Problem{Kind: gotowebinar.ProblemRefused, Status: 422}, syncing, ""); got != "GoTo refused: Unprocessable Entity." {
		t.Errorf("a refusal without a reason reads %q", got)
	}
	// Not reachable names the host when known.
	if got := describe(gotowebinar.Problem{Kind: gotowebinar.ProblemUnreachable, Host: "api.getgo.com"}, syncing, ""); !strings.Contains(got, "Could not reach GoTo (api.getgo.com): check this computer's internet connection") {
		t.Errorf("unreachable reads %q", got)
	}
}

var (
	grace         = gotowebinar.Identity{FirstName: "Grace", LastName: "Hopper"}
	wordsCallback = "https://my-name.ngrok-free.app/webhooks/gotowebinar"
)

// fourHooks are our four webhooks: all active, then changed by change.
func fourHooks(change func(st *reconcile.Status)) reconcile.Status {
	st := reconcile.Status{Recorded: true}
	for i, name := range gotowebinar.EventNames() {
		st.Hooks = append(st.Hooks, activeHook(name, "wh-"+itoa(i), wordsCallback))
	}
	if change != nil {
		change(&st)
	}
	return st
}

func TestLoginAndWebhookWords_SayWhatToDo(t *testing.T) {
	t.Parallel()
	loggedOut := login.State{Status: login.LoggedOut}
	configuredOut := login.State{Status: login.LoggedOut, Configured: true}
	in := login.State{Status: login.LoggedIn, Configured: true, Identity: grace}
	unknown := fourHooks(func(st *reconcile.Status) {
		st.Recorded = false
		for i := range st.Hooks {
			st.Hooks[i] = reconcile.Hook{EventName: st.Hooks[i].EventName}
		}
	})
	for _, tc := range []struct {
		name      string
		login     login.State
		hooks     reconcile.Status
		demo      bool
		keysKnown bool

		state, organizer string
		detail           []string // in the login's detail, in order; none: no detail
		notInDetail      []string
		hook             []string // each webhook's words by event, "" for none
	}{
		{name: "logged out, no client, no keys", login: loggedOut, hooks: unknown,
			state: LoginLoggedOut, notInDetail: []string{"still received"},
			detail: []string{"Not logged in to GoTo.", "deliveries are refused until one is (set WEBINARSYNC_WEBHOOK_SECRET)", "To log in, enter your GoTo OAuth client in Settings."},
			hook:   []string{"Not registered at GoTo: log in to GoTo to register it."}},
		{name: "logged out, no client, keys known", login: loggedOut, hooks: unknown, keysKnown: true,
			state:  LoginLoggedOut,
			detail: []string{"Not logged in to GoTo.", "Deliveries signed with a known secret key are still received and stored.", "To log in, enter your GoTo OAuth client in Settings."},
			hook:   []string{"Not registered at GoTo: log in to GoTo to register it."}},
		{name: "logged out, client known, no keys", login: configuredOut, hooks: unknown,
			state:  LoginLoggedOut,
			detail: []string{"Log in with GoTo so webinarsync can set up its webhooks."}, notInDetail: []string{"Meanwhile", "still received", "Settings"},
			hook: []string{"Not registered at GoTo: log in to GoTo to register it."}},
		{name: "logged out, client known, keys known", login: configuredOut, hooks: unknown, keysKnown: true,
			state:  LoginLoggedOut,
			detail: []string{"Log in with GoTo so webinarsync can set up its webhooks.", "Meanwhile, deliveries signed with a known secret key are still received and stored."},
			hook:   []string{"Not registered at GoTo: log in to GoTo to register it."}},
		{name: "logged out, webhooks on record", login: configuredOut, hooks: fourHooks(nil), keysKnown: true,
			state:  LoginLoggedOut,
			detail: []string{"Log in with GoTo"},
			hook:   []string{"Not checked while logged out of GoTo; it may still deliver. Log in to see its state."}},
		{name: "demo", login: in, hooks: fourHooks(nil), demo: true,
			state: LoginDemo, organizer: "Grace Hopper — built-in simulator",
			detail: []string{"Demo mode: logged in to the built-in GoTo simulator"},
			hook:   []string{""}},
		{name: "demo, logged out", login: loggedOut, hooks: unknown, demo: true,
			state: LoginDemo, organizer: "Built-in simulator",
			detail: []string{"Demo mode: not logged in to the built-in simulator. Restart with -demo to log in again."},
			hook:   []string{"Not registered: not logged in to GoTo."}},
		{name: "expired", login: login.State{Status: login.Expired, Configured: true, Identity: grace}, hooks: fourHooks(nil),
			state: LoginExpired, organizer: "Grace Hopper",
			detail: []string{"Your GoTo session expired: log in again.", "Events GoTo still delivers are received and stored meanwhile."},
			hook:   []string{"Not checked since your GoTo session expired: log in again."}},
		{name: "logged in, all well", login: in, hooks: fourHooks(nil),
			state: LoginLoggedIn, organizer: "Grace Hopper",
			hook: []string{""}},
		{name: "logged in, being set up", login: in, hooks: unknown,
			state: LoginLoggedIn, organizer: "Grace Hopper",
			hook: []string{"Being set up at GoTo…"}},
		{name: "logged in, GoTo could not reach us", login: in,
			hooks: fourHooks(func(st *reconcile.Status) {
				st.Problem = &gotowebinar.Problem{Kind: gotowebinar.ProblemCallbackRefused, Status: 400, Reason: "callback url validation failed"}
				st.Hooks[3] = reconcile.Hook{EventName: st.Hooks[3].EventName}
			}),
			state: LoginLoggedIn, organizer: "Grace Hopper",
			detail: []string{"GoTo could not reach this computer at " + wordsCallback, "Is the tunnel online? Trying again shortly."},
			// Only the webhook the failed run did not get to.
			hook: []string{"", "", "", "GoTo could not reach this computer at " + wordsCallback + " (it checks the address before delivering). Is the tunnel online? Trying again shortly."}},
		{name: "logged in, GoTo forbids webhooks", login: in,
			hooks: fourHooks(func(st *reconcile.Status) {
				st.Problem = &gotowebinar.Problem{Kind: gotowebinar.ProblemForbidden, Status: 403, Reason: "Not authorized for webhooks"}
			}),
			state: LoginLoggedIn, organizer: "Grace Hopper",
			detail: []string{"GoTo refused: your GoTo account may not be allowed to manage webhooks (Not authorized for webhooks)."},
			hook:   []string{""}},
		{name: "waiting for the tunnel", login: in, hooks: fourHooks(func(st *reconcile.Status) { st.WaitingForTunnel = true }),
			state: LoginLoggedIn, organizer: "Grace Hopper",
			detail: []string{"Waiting for the tunnel: GoTo needs a public address to deliver to."},
			hook:   []string{""}},
		{name: "removed at the organizer's request", login: in,
			hooks: fourHooks(func(st *reconcile.Status) {
				st.Paused, st.Recorded = true, false
				for i := range st.Hooks {
					st.Hooks[i] = reconcile.Hook{EventName: st.Hooks[i].EventName, Condition: reconcile.Removed}
				}
			}),
			state: LoginLoggedIn, organizer: "Grace Hopper",
			hook: []string{`Removed at GoTo at your request. Use "Check and set up webhooks now" to register it again.`}},
		{name: "conditions", login: in,
			hooks: fourHooks(func(st *reconcile.Status) {
				st.Hooks[0] = reconcile.Hook{EventName: st.Hooks[0].EventName, Condition: reconcile.Removed}
				st.Hooks[1].SubscriptionState, st.Hooks[1].ActivationState, st.Hooks[1].Condition = "", "", reconcile.NotSubscribed
				st.Hooks[2].ActivationState, st.Hooks[2].Condition = "INACTIVE", reconcile.NotActivated
				st.Hooks[3] = reconcile.Hook{EventName: st.Hooks[3].EventName, Condition: reconcile.Refused,
					Refusal: gotowebinar.Problem{Kind: gotowebinar.ProblemRefused, Status: 400, Reason: "event not supported"}}
			}),
			state: LoginLoggedIn, organizer: "Grace Hopper",
			hook: []string{
				"Removed at GoTo.",
				"You are not subscribed to this webhook at GoTo yet.",
				"GoTo has not activated this webhook yet, so its events do not arrive.",
				"GoTo refused a webhook for webinar.changed (event not supported); the other events go on without it.",
			}},
		{name: "refused without a reason", login: in,
			hooks: fourHooks(func(st *reconcile.Status) {
				st.Hooks[3] = reconcile.Hook{EventName: st.Hooks[3].EventName, Condition: reconcile.Refused,
					Refusal: gotowebinar.Problem{Kind: gotowebinar.ProblemRefused, Status: 400}}
			}),
			state: LoginLoggedIn, organizer: "Grace Hopper",
			hook: []string{"", "", "", "GoTo refused a webhook for webinar.changed (no reason given); the other events go on without it."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ls := loginWords(tc.login, tc.hooks, tc.demo, tc.keysKnown, wordsCallback)
			if ls.State != tc.state || ls.Organizer != tc.organizer {
				t.Errorf("loginWords = %+v, want state %q, organizer %q", ls, tc.state, tc.organizer)
			}
			if len(tc.detail) == 0 && ls.Detail != "" {
				t.Errorf("detail %q, want none", ls.Detail)
			}
			if len(tc.detail) > 0 {
				mustContain(t, ls.Detail, tc.detail...)
			}
			mustNotContain(t, ls.Detail, tc.notInDetail...)
			noSignIn(t, "the login's detail", ls.Detail)

			delivered := testNow.Add(-time.Minute)
			ws := webhookWords(tc.login, tc.hooks, tc.demo, wordsCallback, func(event string) time.Time {
				if event == "registrant.added" {
					return delivered
				}
				return time.Time{}
			})
			if len(ws) != len(tc.hooks.Hooks) {
				t.Fatalf("%d webhooks, want %d", len(ws), len(tc.hooks.Hooks))
			}
			for i, w := range ws {
				want := tc.hook[min(i, len(tc.hook)-1)] // the last one for the rest
				if w.Error != want {
					t.Errorf("%s: %q, want %q", w.EventName, w.Error, want)
				}
				noSignIn(t, w.EventName, w.Error)
				if w.EventName != tc.hooks.Hooks[i].EventName {
					t.Errorf("webhook %d is %s, want %s", i, w.EventName, tc.hooks.Hooks[i].EventName)
				}
				if w.EventName == "registrant.added" && !w.LastDelivery.Equal(delivered) {
					t.Errorf("registrant.added last delivered %v, want %v", w.LastDelivery, delivered)
				}
			}
		})
	}
}

// TestWebhookWords_ShowGoTosStatesOnlyWhenKnown: a logged-out page does not
// show states it has not checked.
func TestWebhookWords_ShowGoTosStatesOnlyWhenKnown(t *testing.T) {
	t.Parallel()
	never := func(string) time.Time { return time.Time{} }
	in := login.State{Status: login.LoggedIn, Identity: grace}
	ws := webhookWords(in, fourHooks(nil), false, wordsCallback, never)
	if w := ws[0]; w.WebhookKey != "wh-0" || w.State != "ACTIVE" || w.UserSubscriptionState != "ACTIVE" ||
		w.ActivationState != "ACTIVE" || w.CallbackURL != wordsCallback {
		t.Errorf("logged in: %+v", w)
	}
	ws = webhookWords(login.State{Status: login.LoggedOut}, fourHooks(nil), false, wordsCallback, never)
	if w := ws[0]; w.WebhookKey != "" || w.State != "" || w.ActivationState != "" || w.CallbackURL != "" {
		t.Errorf("logged out, unchecked states shown: %+v", w)
	}
}

func TestSyncWords_SayWhatTheSyncDid(t *testing.T) {
	t.Parallel()
	started := testNow.Add(-time.Minute)
	for _, tc := range []struct {
		name   string
		status catchup.Status
		want   SyncStatus
	}{
		{name: "finished with a tally",
			status: catchup.Status{Available: true, Finished: testNow, Next: testNow.Add(15 * time.Minute),
				Last: &catchup.Outcome{Started: started, Finished: testNow, OK: true,
					Tally:    catchup.Tally{Webinars: 2, NewWebinars: 2, Registrants: 24, NewRegistrants: 24, Details: 3, Sessions: 1},
					Requests: 31, Elapsed: 3*time.Second + 200*time.Millisecond, WebinarsDone: 2, WebinarsTotal: 2}},
			want: SyncStatus{Available: true, Finished: testNow, Next: testNow.Add(15 * time.Minute), LastOK: true,
				LastResult: "2 webinars (2 new), 24 registrants listed (24 new), 3 completed one by one, attendance of 1 session; " +
					"31 requests to GoTo in 3s (9.7/s)."}},
		{name: "one of each, nothing new",
			status: catchup.Status{Available: true, Finished: testNow,
				Last: &catchup.Outcome{OK: true, Tally: catchup.Tally{Webinars: 1, Registrants: 1}, Requests: 1, Elapsed: 400 * time.Millisecond}},
			want: SyncStatus{Available: true, Finished: testNow, LastOK: true,
				LastResult: "1 webinar, 1 registrant listed; 1 request to GoTo in 0s."}},
		{name: "finished with errors",
			status: catchup.Status{Available: true, Finished: testNow,
				Last: &catchup.Outcome{OK: false, Tally: catchup.Tally{Webinars: 12, Registrants: 3400}, Requests: 420, Elapsed: 47 * time.Second, Errors: 2,
					Problem: &catchup.Trouble{Item: catchup.AttendanceItem, WebinarKey: launchKey,
						Problem: gotowebinar.Problem{Kind: gotowebinar.ProblemNotFound, Status: 404}}}},
			want: SyncStatus{Available: true, Finished: testNow,
				LastResult: "12 webinars, 3,400 registrants listed; 420 requests to GoTo in 47s (8.9/s). 2 errors; the last: " +
					"The attendance of a session of webinar " + launchKey + " could not be read. GoTo no longer has it (deleted or cancelled)."}},
		{name: "stopped early",
			status: catchup.Status{Available: true, Finished: testNow,
				Last: &catchup.Outcome{Stopped: true, WebinarsDone: 0, WebinarsTotal: 12, Step: catchup.Details, StepDone: 412, StepTotal: 1350,
					Problem: &catchup.Trouble{Item: catchup.WebinarItem, Webinar: "Quarterly Launch", WebinarKey: launchKey,
						Problem: gotowebinar.Problem{Kind: gotowebinar.ProblemLoginExpired}}}},
			want: SyncStatus{Available: true, Finished: testNow,
				LastResult: "Stopped early (Details: 412 of 1,350). Webinar “Quarterly Launch” could not be synced. Your GoTo session expired: log in again."}},
		{name: "stopped early, an older version's outcome",
			status: catchup.Status{Available: true, Finished: testNow,
				Last: &catchup.Outcome{Stopped: true, WebinarsDone: 3, WebinarsTotal: 12,
					Problem: &catchup.Trouble{Item: catchup.WebinarItem, Webinar: "Quarterly Launch", WebinarKey: launchKey,
						Problem: gotowebinar.Problem{Kind: gotowebinar.ProblemLoginExpired}}}},
			want: SyncStatus{Available: true, Finished: testNow,
				LastResult: "Stopped early, after 3 of 12 webinars. Webinar “Quarterly Launch” could not be synced. Your GoTo session expired: log in again."}},
		{name: "stopped early, interrupted",
			status: catchup.Status{Available: true, Finished: testNow,
				Last: &catchup.Outcome{Stopped: true, WebinarsDone: 0, WebinarsTotal: 5, Step: catchup.ListRegistrants, StepDone: 2, StepTotal: 5,
					Problem: &catchup.Trouble{Problem: gotowebinar.Problem{Kind: gotowebinar.ProblemInterrupted}}}},
			want: SyncStatus{Available: true, Finished: testNow,
				LastResult: "Stopped early (Registrants: 2 of 5 webinars). The sync was interrupted (webinarsync stopped)."}},
		{name: "stopped early, nothing known",
			status: catchup.Status{Available: true, Finished: testNow, Last: &catchup.Outcome{Stopped: true, WebinarsDone: 1, WebinarsTotal: 2}},
			want: SyncStatus{Available: true, Finished: testNow,
				LastResult: "Stopped early, after 1 of 2 webinars. The next sync continues from there."}},
		{name: "an older version's outcome",
			status: catchup.Status{Available: true, Finished: testNow,
				Last: &catchup.Outcome{OK: true, Result: "12 webinars, 3,400 registrants listed (25 new); 420 requests to GoTo in 47s (8.9/s).",
					Tally: catchup.Tally{Webinars: 99}}},
			want: SyncStatus{Available: true, Finished: testNow, LastOK: true,
				LastResult: "12 webinars, 3,400 registrants listed (25 new); 420 requests to GoTo in 47s (8.9/s)."}},
		{name: "no organizer key",
			status: catchup.Status{NoOrganizerKey: true},
			want:   SyncStatus{Problem: "GoTo did not tell us your organizer key, so the catch-up sync cannot run yet: paste it in Settings."}},
		{name: "running, with a problem",
			status: catchup.Status{Available: true, Running: true, Resumed: true, Started: started, Requests: 180, Errors: 1,
				WebinarsDone: 0, WebinarsTotal: 12,
				Phase: catchup.Phase{Step: catchup.Attendance, WebinarKey: launchKey, Done: 1, Total: 3},
				Steps: []catchup.Progress{{Step: catchup.ListWebinars, Done: 12, Total: 12, Finished: true},
					{Step: catchup.ListRegistrants, Done: 12, Total: 12, Finished: true},
					{Step: catchup.Attendance, Done: 1, Total: 3}, {Step: catchup.Details}},
				Problem: &catchup.Trouble{Item: catchup.RegistrantItem, Webinar: "Quarterly Launch", WebinarKey: launchKey, Registrant: "42",
					Problem: gotowebinar.Problem{Kind: gotowebinar.ProblemRateLimited, Status: 429}}},
			want: SyncStatus{Available: true, Running: true, Resumed: true, Started: started, Requests: 180, Errors: 1,
				WebinarsDone: 0, WebinarsTotal: 12, Phase: "Attendance: 1 of 3 webinars", Step: "attendance", StepDone: 1, StepTotal: 3,
				Webinar: "webinar " + launchKey,
				Steps: []SyncStep{{Words: "Webinars: 12 listed", Finished: true}, {Words: "Registrants: 12 of 12 webinars", Finished: true},
					{Words: "Attendance: 1 of 3 webinars", Current: true}, {Words: "Details"}},
				Problem: "Registrant 42 of “Quarterly Launch” could not be read. GoTo asked us to slow down (too many requests); the next sync continues."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := syncWords(tc.status)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("syncWords =\n%+v\nwant\n%+v", got, tc.want)
			}
			noSignIn(t, "the sync", got.LastResult+got.Problem+got.Phase)
		})
	}
}

func TestPhaseWords_SayTheStepAndHowFarItGot(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		phase catchup.Phase
		want  string
	}{
		{catchup.Phase{}, ""},
		{catchup.Phase{Step: catchup.ListWebinars}, "Listing your webinars"},
		{catchup.Phase{Step: catchup.ListWebinars, Done: 3, Total: 3}, "Webinars: 3 listed"},
		{catchup.Phase{Step: catchup.ListRegistrants}, "Registrants"},
		{catchup.Phase{Step: catchup.ListRegistrants, Webinar: "Quarterly Launch", WebinarKey: launchKey, Done: 2, Total: 3}, "Registrants: 2 of 3 webinars"},
		{catchup.Phase{Step: catchup.ListRegistrants, Done: 0, Total: 1}, "Registrants: 0 of 1 webinar"},
		{catchup.Phase{Step: catchup.Attendance, WebinarKey: launchKey, Done: 1, Total: 3}, "Attendance: 1 of 3 webinars"},
		{catchup.Phase{Step: catchup.Details, Webinar: "Quarterly Launch", WebinarKey: launchKey, Done: 412, Total: 1350}, "Details: 412 of 1,350"},
		{catchup.Phase{Step: catchup.Details}, "Details"},
	} {
		if got := phaseWords(tc.phase); got != tc.want {
			t.Errorf("phaseWords(%+v) = %q, want %q", tc.phase, got, tc.want)
		}
	}
}

func TestActionWords_SayWhyAChangeDidNotHappen(t *testing.T) {
	t.Parallel()
	conflict := &gotowebinar.APIError{Method: "POST", Path: "/registrants", Status: http.StatusConflict, Message: "already registered"}
	for _, tc := range []struct {
		name  string
		err   error
		added bool
		want  string
	}{
		{"conflict", conflict, true, "GoTo says this e-mail address is registered already."},
		{"not logged in, adding", fmt.Errorf("add: %w", gotowebinar.ErrNotLoggedIn), true,
			"Log in to GoTo first: webinarsync registers people at GoTo, not only here."},
		{"not logged in, removing", gotowebinar.ErrNotLoggedIn, false,
			"Log in to GoTo first: the registration is removed at GoTo, not only here."},
		{"saved at GoTo only, adding", &catchup.SavedAtGoToOnly{Err: errors.New("store: disk full")}, true,
			"GoTo registered them, but saving them here failed; the next sync adds them."},
		{"saved at GoTo only, removing", fmt.Errorf("remove: %w", &catchup.SavedAtGoToOnly{Err: errors.New("store: disk full")}), false,
			"GoTo removed them, but marking them here failed; the next sync marks them."},
		{"unknown webinar", &gotowebinar.APIError{Status: http.StatusNotFound}, true,
			"GoTo does not know this webinar (cancelled, or of another organizer)."},
		{"refused with GoTo's reason", &gotowebinar.APIError{Status: http.StatusBadRequest, Message: "Email is invalid"}, true,
			"GoTo refused: Email is invalid."},
		{"GoTo down, adding", &gotowebinar.APIError{Status: http.StatusServiceUnavailable}, true,
			"They were not registered at GoTo: GoTo had a problem on its side (HTTP 503); try again in a moment."},
		{"timeout, removing", context.DeadlineExceeded, false,
			"They were not removed at GoTo: GoTo did not answer in time; try again in a moment."},
		{"session expired", gotowebinar.ErrLoginExpired, true,
			"They were not registered at GoTo: Your GoTo session expired: log in again."},
	} {
		got := actionWords(tc.err, tc.added)
		if got != tc.want {
			t.Errorf("%s: actionWords = %q, want %q", tc.name, got, tc.want)
		}
		noSignIn(t, tc.name, got)
		if strings.Contains(got, "409") || strings.Contains(got, "disk full") {
			t.Errorf("%s: %q shows what the log is for", tc.name, got)
		}
	}
}
