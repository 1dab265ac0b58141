package ui

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"webinarsync/gotowebinar"
	"webinarsync/gotowebinar/catchup"
)

// fakeSyncer stands in for the catch-up sync (gotowebinar/catchup).
type fakeSyncer struct {
	mu     sync.Mutex
	status catchup.Status
	asked  int
}

func (f *fakeSyncer) Status() catchup.Status {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.status
}

func (f *fakeSyncer) set(st catchup.Status) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.status = st
}

func (f *fakeSyncer) syncsAsked() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.asked
}

func (f *fakeSyncer) SyncNow() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked++
}

func TestSyncPanel_ShowsProgressWhileRunning(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	sy := &fakeSyncer{status: catchup.Status{Available: true, Running: true, Resumed: true, WebinarsDone: 3, WebinarsTotal: 12,
		Phase: catchup.Phase{Step: catchup.Details, Webinar: "Quarterly Launch", WebinarKey: launchKey, Done: 30, Total: 120},
		Steps: []catchup.Progress{{Step: catchup.ListWebinars, Done: 12, Total: 12, Finished: true},
			{Step: catchup.ListRegistrants, Done: 12, Total: 12, Finished: true},
			{Step: catchup.Attendance, Done: 5, Total: 5, Finished: true}, {Step: catchup.Details, Done: 30, Total: 120}},
		Requests: 180, Errors: 2, Started: testNow.Add(-20 * time.Second),
		Problem: &catchup.Trouble{Item: catchup.RegistrantItem, Webinar: "Quarterly Launch", WebinarKey: launchKey, Registrant: "42",
			Problem: gotowebinar.Problem{Kind: gotowebinar.ProblemRefused, Status: http.StatusBadRequest, Reason: "bad request"}}}}
	h := handler(t, Config{Store: st, Sync: sy})
	body := get(t, h, "/").Body.String()
	mustContain(t, body,
		`id="sync"`, `data-running="true"`, `data-progress="/sync/progress"`,
		"Syncing</strong> — Details: 30 of 120", "continuing the sync that was interrupted",
		// The bar moves with the registrants asked for, not whole webinars.
		`aria-label="Details: 30 of 120"`, `width="25"`, "25%",
		"Now: “Quarterly Launch”",
		"✓ Webinars: 12 listed</span> · ", "✓ Registrants: 12 of 12 webinars", "✓ Attendance: 5 of 5 webinars",
		`<strong aria-current="step">Details: 30 of 120</strong>`,
		"180 requests", "(9.0 requests/s)", "2 errors", "started", "20 s ago",
		"Registrant 42 of “Quarterly Launch” could not be read. GoTo refused: bad request.",
		`<script src="/assets/sync.js?v=`)
	mustNotContain(t, body, `action="/sync"`) // no second sync while one runs

	frag := get(t, h, "/sync/progress")
	if frag.Code != http.StatusOK || !strings.HasPrefix(frag.Body.String(), `<section class="panel sync" id="sync"`) ||
		strings.Contains(frag.Body.String(), "<html") || strings.Contains(frag.Body.String(), "<script") {
		t.Errorf("GET /sync/progress = %d %.200s, want the panel alone", frag.Code, frag.Body.String())
	}
	if csp := frag.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("the fragment is served without the CSP: %q", csp)
	}
}

func TestSyncPanel_LastResultAndSyncNow(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	sy := &fakeSyncer{status: catchup.Status{Available: true, Finished: testNow.Add(-5 * time.Minute), Next: testNow.Add(10 * time.Minute),
		Last: &catchup.Outcome{Started: testNow.Add(-6 * time.Minute), Finished: testNow.Add(-5 * time.Minute), OK: true,
			Tally:    catchup.Tally{Webinars: 12, Registrants: 3400, NewRegistrants: 25},
			Requests: 420, Elapsed: 47 * time.Second}}}
	h := handler(t, Config{Store: st, Sync: sy})
	body := get(t, h, "/").Body.String()
	mustContain(t, body, `data-running="false"`, "Synced", "5 min ago",
		"12 webinars, 3,400 registrants listed (25 new); 420 requests to GoTo in 47s (8.9/s).",
		`<form method="post" action="/sync"`, "Sync now", "next sync in 10 min")

	rec := post(t, h, "/sync", url.Values{}, nil)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/#sync-h" || sy.syncsAsked() != 1 {
		t.Errorf("POST /sync = %d to %q, %d syncs asked for; want 303 home and one sync", rec.Code, rec.Header().Get("Location"), sy.syncsAsked())
	}
	// Another site cannot start one.
	if rec := post(t, h, "/sync", url.Values{}, map[string]string{"Sec-Fetch-Site": "cross-site"}); rec.Code != http.StatusForbidden || sy.syncsAsked() != 1 {
		t.Errorf("a cross-site POST /sync = %d, want 403 and no sync", rec.Code)
	}

	sy.set(catchup.Status{Available: true, Finished: testNow.Add(-time.Hour),
		Last: &catchup.Outcome{Finished: testNow.Add(-time.Hour), Stopped: true, WebinarsDone: 3, WebinarsTotal: 12,
			Problem: &catchup.Trouble{Problem: gotowebinar.Problem{Kind: gotowebinar.ProblemUnreachable, Host: "api.getgo.com"}}}})
	mustContain(t, get(t, h, "/").Body.String(), "Sync incomplete", "1 h ago", "Stopped early, after 3 of 12 webinars.",
		"Could not reach GoTo (api.getgo.com): check this computer&#39;s internet connection; the next sync continues.")

	// Logged in, but GoTo did not name the organizer: nothing to sync.
	sy.set(catchup.Status{NoOrganizerKey: true})
	body = get(t, h, "/").Body.String()
	mustContain(t, body, "Not synced yet", "GoTo did not tell us your organizer key, so the catch-up sync cannot run yet: paste it in Settings.")
	mustNotContain(t, body, `action="/sync"`)

	sy.set(catchup.Status{})
	body = get(t, h, "/").Body.String()
	mustContain(t, body, "Not synced yet", "Log in to GoTo to catch up")
	mustNotContain(t, body, `action="/sync"`)
}

func TestSyncPanel_AbsentWithoutASyncer(t *testing.T) {
	t.Parallel()
	h := handler(t, Config{Store: openStore(t)})
	mustNotContain(t, get(t, h, "/").Body.String(), `id="sync"`, "sync.js")
	if rec := post(t, h, "/sync", url.Values{}, nil); rec.Code != http.StatusNotFound {
		t.Errorf("POST /sync without a syncer = %d, want 404", rec.Code)
	}
}

// fakeRegistrants stands in for the registrant changes at GoTo
// (catchup.Registrants).
type fakeRegistrants struct {
	err             error
	added, removed  []string
	canChange       bool
	addedRegistrant catchup.NewRegistrant
	form            gotowebinar.RegistrationFields // the webinar's form; zero: GoTo's form without extras
	formErr         error                          // reading the form fails with it
	formReads       int
}

func (f *fakeRegistrants) CanChange() bool { return f.canChange }
func (f *fakeRegistrants) Form(context.Context, string) (gotowebinar.RegistrationFields, error) {
	f.formReads++
	return f.form, f.formErr
}
func (f *fakeRegistrants) Add(_ context.Context, webinarKey string, r catchup.NewRegistrant) (string, error) {
	if f.err != nil {
		return "", f.err
	}
	f.added = append(f.added, webinarKey)
	f.addedRegistrant = r
	return "22222222222222222222", nil
}

func (f *fakeRegistrants) Remove(_ context.Context, webinarKey, registrantKey string) error {
	if f.err != nil {
		return f.err
	}
	f.removed = append(f.removed, registrantKey)
	return nil
}

func TestRegistrantChanges_AddAndRemoveWithConfirmation(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	seedLaunch(t, st)
	rc := &fakeRegistrants{canChange: true}
	h := handler(t, Config{Store: st, Registrants: rc})
	page := get(t, h, "/webinars/"+launchKey).Body.String()
	mustContain(t, page, "Attendees per session (CSV)", "Add a registrant by hand", `action="/webinars/`+launchKey+`/registrants"`,
		`href="/webinars/`+launchKey+`/registrants/11111111111111111111/remove"`)

	rec := post(t, h, "/webinars/"+launchKey+"/registrants", url.Values{"firstName": {" Zoë "}, "lastName": {"Ångström"}, "email": {"zoe@example.se"}}, nil)
	if rec.Code != http.StatusSeeOther || !strings.Contains(rec.Header().Get("Location"), "?added=22222222222222222222") || rc.addedRegistrant.FirstName != "Zoë" {
		t.Fatalf("adding: %d to %q (%+v)", rec.Code, rec.Header().Get("Location"), rc.addedRegistrant)
	}
	back, _, _ := strings.Cut(rec.Header().Get("Location"), "#") // a browser keeps the fragment to itself
	mustContain(t, get(t, h, back).Body.String(), "Registered at GoTo and added here: Zoë Ångström (zoe@example.se).")
	if rec := post(t, h, "/webinars/"+launchKey+"/registrants", url.Values{"firstName": {"No"}, "email": {"nope"}}, nil); rec.Code != http.StatusBadRequest {
		t.Errorf("adding without a last name and e-mail: %d, want 400", rec.Code)
	}

	// The launch has ended: the confirmation says GoTo refuses before any click
	// (TestRemoveConfirmation_OffersTheButtonBeforeTheEndOnly has the button).
	confirm := get(t, h, "/webinars/"+launchKey+"/registrants/11111111111111111111/remove")
	mustContain(t, confirm.Body.String(), "Remove Jürgen Müller?", "juergen@example.de",
		"Quarterly Launch — Q1 2026 has ended, and GoTo refuses changes to ended webinars", `Back to the webinar`)
	mustNotContain(t, confirm.Body.String(), `method="post"`, "Remove at GoTo")
	if len(rc.removed) != 0 {
		t.Fatal("showing the confirmation removed the registrant")
	}
	rec = post(t, h, "/webinars/"+launchKey+"/registrants/11111111111111111111/remove", url.Values{}, nil)
	if rec.Code != http.StatusSeeOther || len(rc.removed) != 1 {
		t.Errorf("removing: %d, %v", rec.Code, rc.removed)
	}

	rc.err = &gotowebinar.APIError{Method: "POST", Path: "/organizers/1/webinars/" + launchKey + "/registrants",
		Status: http.StatusConflict, Message: "The user is already registered"}
	rec = post(t, h, "/webinars/"+launchKey+"/registrants", url.Values{"firstName": {"A"}, "lastName": {"B"}, "email": {"a@b.c"}}, nil)
	if rec.Code != http.StatusBadGateway {
		t.Errorf("GoTo refusing: %d, want 502", rec.Code)
	}
	mustContain(t, rec.Body.String(), "Registrant not added", "GoTo says this e-mail address is registered already.")
	mustNotContain(t, rec.Body.String(), "/organizers/")
	// GoTo's status stays out of the words (as a number of its own: the
	// footer's temporary path may hold the digits).
	if regexp.MustCompile(`\b409\b`).MatchString(rec.Body.String()) {
		t.Errorf("the page shows GoTo's status 409: %s", rec.Body.String())
	}

	rc.err = fmt.Errorf("remove: %w", gotowebinar.ErrNotLoggedIn)
	rec = post(t, h, "/webinars/"+launchKey+"/registrants/22222222222222222222/remove", url.Values{}, nil)
	if rec.Code != http.StatusBadGateway {
		t.Errorf("removing while logged out: %d, want 502", rec.Code)
	}
	mustContain(t, rec.Body.String(), "Registrant not removed", "Log in to GoTo first: the registration is removed at GoTo, not only here.")

	if rec := get(t, h, "/webinars/"+launchKey+"/registrants/999/remove"); rec.Code != http.StatusNotFound {
		t.Errorf("confirming an unknown registrant: %d, want 404", rec.Code)
	}
}

func TestRegistrantChanges_HiddenWithoutALogin(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	seedLaunch(t, st)
	h := handler(t, Config{Store: st, Registrants: &fakeRegistrants{}})
	mustNotContain(t, get(t, h, "/webinars/"+launchKey).Body.String(), "Add a registrant by hand", "/remove\"")
}
