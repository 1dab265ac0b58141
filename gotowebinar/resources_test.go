package gotowebinar_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/oauth2"

	"webinarsync/gotowebinar"
	"webinarsync/gotowebinar/gotosim"
)

// simClient is a sim with populated webinars and a Client logged in to it.
func simClient(t *testing.T, p gotosim.Population, opts ...gotowebinar.Option) (*simEnv, *gotowebinar.Client, gotowebinar.Key, []gotosim.Webinar) {
	t.Helper()
	env := startSim(t, nil)
	ws := env.sim.Generator().Populate(p)
	c := newClient(env, oauth2.StaticTokenSource(env.login(t)), opts...)
	return env, c, gotowebinar.Key(env.sim.OrganizerKey()), ws
}

// populatedInMemory is a sim served in memory, for synctest bubbles, with
// populated webinars and a login's token.
func populatedInMemory(t *testing.T, p gotosim.Population) (*simEnv, oauth2.TokenSource, gotowebinar.Key, []gotosim.Webinar) {
	t.Helper()
	env := startSimInMemory(t, nil)
	ws := env.sim.Generator().Populate(p)
	return env, oauth2.StaticTokenSource(env.login(t)), gotowebinar.Key(env.sim.OrganizerKey()), ws
}

func TestClient_ListWebinarsWalksEveryPageOfTheWindow(t *testing.T) {
	t.Parallel()
	now := time.Now().UTC()
	env, c, org, ws := simClient(t, gotosim.Population{Webinars: 7, Registrants: 1, Start: now.Add(-3 * 24 * time.Hour)},
		gotowebinar.WithPageSize(2))
	from, to := now.Add(-90*24*time.Hour), now.Add(365*24*time.Hour)
	got, err := c.ListWebinars(t.Context(), org, from, to)
	if err != nil {
		t.Fatal(err)
	}
	var keys, want []string
	for _, w := range got {
		keys = append(keys, string(w.WebinarKey))
		if len(w.Times) != 1 || w.Subject == "" || w.RecurrenceType != "single_session" {
			t.Errorf("webinar %s read as %+v", w.WebinarKey, w)
		}
	}
	for _, w := range ws {
		want = append(want, w.Key)
	}
	if !slices.Equal(keys, want) {
		t.Errorf("listed %v, want %v", keys, want)
	}
	reqs := env.requests("GET", "/G2W/rest/v2/organizers/"+string(org)+"/webinars")
	if len(reqs) != 4 {
		t.Fatalf("%d pages asked for, want 4 (7 webinars, 2 a page)", len(reqs))
	}
	for i, r := range reqs {
		if r.query.Get("page") != string(rune('0'+i)) || r.query.Get("size") != "2" ||
			r.query.Get("fromTime") != from.Format(time.RFC3339) || !strings.HasSuffix(r.query.Get("toTime"), "Z") {
			t.Errorf("request %d asked %v", i, r.query)
		}
	}
}

func TestClient_ListRegistrantsReadsBothShapesAndKeepsKeysExact(t *testing.T) {
	t.Parallel()
	env, c, org, ws := simClient(t, gotosim.Population{Webinars: 1, Registrants: 45}, gotowebinar.WithPageSize(10))
	w := gotowebinar.Key(ws[0].Key)
	var want []string
	for _, r := range env.sim.Generator().Registrants(ws[0].Key) {
		if r.Status != "Cancelled" {
			want = append(want, r.Key)
		}
	}
	keysOf := func(rs []gotowebinar.Registrant) []string {
		var out []string
		for _, r := range rs {
			out = append(out, string(r.RegistrantKey))
		}
		return out
	}

	paged, err := c.ListRegistrants(t.Context(), org, w)
	if err != nil {
		t.Fatal(err)
	}
	if got := keysOf(paged); !slices.Equal(got, want) {
		t.Errorf("paged listing keys = %v\nwant %v", got, want)
	}
	if n, pages := env.count("GET", "/G2W/rest/v2/organizers/"+string(org)+"/webinars/"+string(w)+"/registrants"), (len(want)+9)/10; n != pages {
		t.Errorf("%d requests, want %d pages of 10", n, pages)
	}
	bare, err := c.RegistrantsPage(t.Context(), org, w, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if bare.Paged || !slices.Equal(keysOf(bare.Registrants), want) || !bare.LastPage(0, 0) {
		t.Errorf("unpaged listing: paged=%v keys=%v", bare.Paged, keysOf(bare.Registrants))
	}
	r := paged[0]
	if r.Status == "" || r.RegistrationDate.IsZero() || r.Email == "" || r.Organization != "" {
		t.Errorf("a listed registrant = %+v: want the basic fields only", r)
	}
	full, err := c.GetRegistrant(t.Context(), org, w, r.RegistrantKey)
	if err != nil {
		t.Fatal(err)
	}
	// The generated registrant this listing row stands for (the listing
	// leaves cancelled ones out, so the first of each may differ).
	var gen gotosim.Registrant
	for _, g := range env.sim.Generator().Registrants(ws[0].Key) {
		if g.Key == string(r.RegistrantKey) {
			gen = g
		}
	}
	if full.RegistrantKey != r.RegistrantKey || full.JobTitle != gen.JobTitle || full.QuestionsAndComments != gen.Comments ||
		len(full.Responses) != len(gen.Responses) {
		t.Errorf("GetRegistrant = %+v\nwant the details of %+v", full, gen)
	}
}

func TestClient_RegistrantActionsAnOrganizerTakes(t *testing.T) {
	t.Parallel()
	now := time.Now().UTC()
	_, c, org, ws := simClient(t, gotosim.Population{Webinars: 2, Registrants: 1, Start: now.Add(-48 * time.Hour), Every: 72 * time.Hour})
	past, future := gotowebinar.Key(ws[0].Key), gotowebinar.Key(ws[1].Key)
	ctx := t.Context()
	nr := gotowebinar.NewRegistrant{FirstName: "Íñigo", LastName: "Ibáñez", Email: "inigo@cafeole.es", Organization: "Café Olé S.L."}
	created, err := c.CreateRegistrant(ctx, org, future, nr, false)
	if err != nil || created.RegistrantKey == "" || created.JoinURL == "" {
		t.Fatalf("CreateRegistrant = %+v, %v", created, err)
	}
	if _, err := c.CreateRegistrant(ctx, org, future, nr, false); !gotowebinar.IsConflict(err) {
		t.Errorf("registering again: %v, want a 409 conflict", err)
	}
	got, err := c.GetRegistrant(ctx, org, future, created.RegistrantKey)
	if err != nil || got.Organization != nr.Organization || got.Status != "APPROVED" {
		t.Errorf("GetRegistrant = %+v, %v", got, err)
	}
	if err := c.DeleteRegistrant(ctx, org, future, created.RegistrantKey); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetRegistrant(ctx, org, future, created.RegistrantKey); !gotowebinar.IsNotFound(err) {
		t.Errorf("after deleting: %v, want 404", err)
	}
	// GoTo removes registrants only from scheduled, future webinars.
	old, err := c.ListRegistrants(ctx, org, past)
	if err != nil || len(old) == 0 {
		t.Skipf("the past webinar's only registrant is cancelled (%v)", err)
	}
	var apiErr *gotowebinar.APIError
	if err := c.DeleteRegistrant(ctx, org, past, old[0].RegistrantKey); !errors.As(err, &apiErr) || apiErr.Status != 400 || apiErr.Message == "" {
		t.Errorf("deleting from a past webinar: %v, want 400 with GoTo's words", err)
	}
}

func TestClient_WebinarLifecycle(t *testing.T) {
	t.Parallel()
	now := time.Now().UTC().Truncate(time.Second)
	_, c, org, ws := simClient(t, gotosim.Population{Webinars: 1, Registrants: 1, Start: now.Add(-10 * time.Minute)})
	ctx := t.Context()
	start := now.Add(7 * 24 * time.Hour)
	created, err := c.CreateWebinar(ctx, org, gotowebinar.NewWebinar{
		Subject: "Données & RGPD", Type: "series", TimeZone: "Europe/Paris",
		Times: []gotowebinar.Period{{StartTime: start, EndTime: start.Add(time.Hour)}, {StartTime: start.Add(24 * time.Hour), EndTime: start.Add(25 * time.Hour)}},
	})
	if err != nil || created.WebinarKey == "" || created.RecurrenceKey == "" {
		t.Fatalf("CreateWebinar = %+v, %v", created, err)
	}
	w, err := c.GetWebinar(ctx, org, created.WebinarKey)
	if err != nil || w.WebinarKey != created.WebinarKey || w.RecurrenceType != "series" || len(w.Times) != 2 ||
		!w.Times[1].StartTime.Equal(start.Add(24*time.Hour)) || w.OrganizerKey != org {
		t.Fatalf("GetWebinar = %+v, %v", w, err)
	}
	if err := c.UpdateWebinar(ctx, org, created.WebinarKey, gotowebinar.WebinarUpdate{Subject: "Données clients & RGPD"}, true); err != nil {
		t.Fatal(err)
	}
	if w, err = c.GetWebinar(ctx, org, created.WebinarKey); err != nil || w.Subject != "Données clients & RGPD" {
		t.Errorf("after the update: %q, %v", w.Subject, err)
	}
	if err := c.CancelWebinar(ctx, org, gotowebinar.Key(ws[0].Key), gotowebinar.CancelWebinarOptions{}); !gotowebinar.IsConflict(err) {
		t.Errorf("cancelling a webinar in session: %v, want 409", err)
	}
	if err := c.CancelWebinar(ctx, org, created.WebinarKey, gotowebinar.CancelWebinarOptions{SendCancellationEmails: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetWebinar(ctx, org, created.WebinarKey); !gotowebinar.IsNotFound(err) {
		t.Errorf("a cancelled webinar: %v, want 404", err)
	}
	if _, err := c.GetWebinar(ctx, "", created.WebinarKey); err == nil || !strings.Contains(err.Error(), "organizer key") {
		t.Errorf("without an organizer key: %v", err)
	}
}

func TestClient_SessionsAndAttendees(t *testing.T) {
	t.Parallel()
	now := time.Now().UTC()
	env, c, org, ws := simClient(t, gotosim.Population{Webinars: 1, Registrants: 30, Sessions: 3, Attend: 70, Start: now.Add(-72 * time.Hour)},
		gotowebinar.WithPageSize(2))
	w := gotowebinar.Key(ws[0].Key)
	sessions, err := c.ListSessions(t.Context(), org, w)
	if err != nil {
		t.Fatal(err)
	}
	if len(sessions) != 3 || sessions[2].SessionKey != gotowebinar.Key(ws[0].Times[2].Key) || sessions[0].StartTime.IsZero() {
		t.Fatalf("sessions = %+v", sessions)
	}
	if n := env.count("GET", "/G2W/rest/v2/organizers/"+string(org)+"/webinars/"+string(w)+"/sessions"); n != 2 {
		t.Errorf("%d session pages asked for, want 2", n)
	}
	s := sessions[1]
	attendees, err := c.ListSessionAttendees(t.Context(), org, w, s.SessionKey)
	if err != nil {
		t.Fatal(err)
	}
	want := env.sim.Generator().Attendance(ws[0].Key, string(s.SessionKey))
	if len(attendees) != len(want) || len(want) != s.RegistrantsAttended || len(want) == 0 {
		t.Fatalf("%d attendees, want %d (registrantsAttended %d)", len(attendees), len(want), s.RegistrantsAttended)
	}
	for i, a := range attendees {
		if string(a.RegistrantKey) != want[i].RegistrantKey || a.SessionKey != s.SessionKey ||
			a.AttendanceTimeInSeconds != want[i].Seconds || len(a.Attendance) != len(want[i].Intervals) ||
			!a.Attendance[0].JoinTime.Equal(want[i].Intervals[0][0]) {
			t.Errorf("attendee %d = %+v, want %+v", i, a, want[i])
		}
	}
	one, err := c.GetSessionAttendee(t.Context(), org, w, s.SessionKey, attendees[0].RegistrantKey)
	if err != nil || one.AttendanceTimeInSeconds != attendees[0].AttendanceTimeInSeconds {
		t.Errorf("GetSessionAttendee = %+v, %v", one, err)
	}
}

func TestClient_GetsOneWebhookAndSubscription(t *testing.T) {
	t.Parallel()
	env := startSim(t, nil)
	c := newClient(env, oauth2.StaticTokenSource(env.login(t)))
	hooks, err := c.CreateWebhooks(t.Context(), []gotowebinar.NewWebhook{{CallbackURL: callbackServer(t), EventName: gotowebinar.EventRegistrantAdded}})
	if err != nil {
		t.Fatal(err)
	}
	subs, err := c.CreateUserSubscriptions(t.Context(), []gotowebinar.NewUserSubscription{{WebhookKey: hooks[0].WebhookKey}})
	if err != nil {
		t.Fatal(err)
	}
	h, err := c.GetWebhook(t.Context(), hooks[0].WebhookKey)
	if err != nil || h.WebhookKey != hooks[0].WebhookKey || h.EventName != gotowebinar.EventRegistrantAdded {
		t.Errorf("GetWebhook = %+v, %v", h, err)
	}
	s, err := c.GetUserSubscription(t.Context(), subs[0].UserSubscriptionKey)
	if err != nil || s.UserSubscriptionKey != subs[0].UserSubscriptionKey || s.WebhookKey != hooks[0].WebhookKey {
		t.Errorf("GetUserSubscription = %+v, %v", s, err)
	}
	if _, err := c.GetUserSubscription(t.Context(), "nope"); !gotowebinar.IsNotFound(err) {
		t.Errorf("an unknown subscription: %v, want 404", err)
	}
}

func TestLimiter_NeverMoreThanTenInAnySecondAtTheSim(t *testing.T) {
	t.Parallel()
	// Virtual time: the sim's one-second windows are exact, and 28 requests
	// at 9 a second take no real time.
	synctest.Test(t, func(t *testing.T) {
		env, tok, org, ws := populatedInMemory(t, gotosim.Population{Webinars: 1, Registrants: 1, Start: time.Now().UTC()})
		// The default limit, which every caller of the Client shares.
		c := gotowebinar.NewClient(env.url+"/G2W/rest/v2", tok, env.clientOptions()...)
		const calls = 28
		start := time.Now()
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				for j := i; j < calls; j += 8 {
					if _, err := c.GetWebinar(t.Context(), org, gotowebinar.Key(ws[0].Key)); err != nil {
						t.Error(err)
					}
				}
			})
		}
		wg.Wait()
		elapsed := time.Since(start)
		if got := env.sim.MaxPerSecond(); got > 10 {
			t.Errorf("%d requests arrived within one second, want at most 10", got)
		}
		rate := float64(calls-1) / elapsed.Seconds()
		t.Logf("%d requests from 8 goroutines in %v: %.2f requests/s", calls, elapsed.Round(time.Millisecond), rate)
		if rate > 9.5 || rate < 8 {
			t.Errorf("%.2f requests/s, want close to %d", rate, gotowebinar.DefaultRequestsPerSecond)
		}
	})
}

func TestLimiter_A429PausesEveryCallerForRetryAfter(t *testing.T) {
	t.Parallel()
	// Virtual time: Retry-After's second and the spacing after it are exact.
	synctest.Test(t, func(t *testing.T) {
		env, tok, org, ws := populatedInMemory(t, gotosim.Population{Webinars: 1, Registrants: 1, Start: time.Now().UTC()})
		c := gotowebinar.NewClient(env.url+"/G2W/rest/v2", tok,
			append(env.clientOptions(), gotowebinar.WithRetries(5, 10*time.Millisecond))...) // the default limit
		env.sim.Throttle(1, time.Second)
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				if _, err := c.GetWebinar(t.Context(), org, gotowebinar.Key(ws[0].Key)); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		reqs := env.sim.APIRequests()
		if len(reqs) != 5 || reqs[0].Status != http.StatusTooManyRequests {
			t.Fatalf("%d requests, the first answered %d: want a 429, then 4 successes", len(reqs), reqs[0].Status)
		}
		if gap := reqs[1].At.Sub(reqs[0].At); gap < 950*time.Millisecond {
			t.Errorf("the next request came %v after the 429, want Retry-After's 1s for every caller", gap)
		}
		for i := 2; i < len(reqs); i++ {
			// Held back together, they still resume one at a time.
			if gap := reqs[i].At.Sub(reqs[i-1].At); gap < 80*time.Millisecond {
				t.Errorf("requests %d and %d came %v apart after the pause, want the limiter's spacing", i-1, i, gap)
			}
		}
	})
}

func TestLimiter_ACancelledWaitGivesItsSlotBack(t *testing.T) {
	t.Parallel()
	// Virtual time: the waits below are measured exactly, not slept through.
	synctest.Test(t, func(t *testing.T) {
		l := gotowebinar.NewLimiter(2, 1) // one start per 500 ms
		if err := l.Wait(t.Context()); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		if err := l.Wait(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("a wait cut short: %v", err)
		}
		start := time.Now()
		if err := l.Wait(t.Context()); err != nil {
			t.Fatal(err)
		}
		// The cancelled caller's slot (at 500 ms) is the next caller's, not 1 s.
		if d := time.Since(start); d > 600*time.Millisecond {
			t.Errorf("the next caller waited %v, want about 450 ms", d)
		}
	})
}
