package reconcile_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"webinarsync/gotowebinar"
	"webinarsync/gotowebinar/gotosim"
	"webinarsync/gotowebinar/gotosim/simtest"
	"webinarsync/gotowebinar/login"
	"webinarsync/gotowebinar/reconcile"
)

func TestReconcile_FromNothingRegistersActiveSubscribedWebhooks(t *testing.T) {
	t.Parallel()
	g := simtest.Start(t)
	st := openStore(t, t.TempDir())
	base := listen(t, st)
	r := newRig(t, g, st)
	logIn(t, r.login)
	if err := r.rec.Repoint(t.Context(), base); err != nil {
		t.Fatalf("Repoint: %v", err)
	}
	callback := base + gotowebinar.WebhookPath
	checkSetup(t, g, callback)

	// The secret key GoTo signs with now is stored, with its validFrom.
	keys := st.SecretKeys()
	if len(keys) != 1 || keys[0].Value != g.Sim.SecretKey() || keys[0].ValidFrom.IsZero() {
		t.Errorf("stored secret keys %+v; GoTo signs with %q", keys, g.Sim.SecretKey())
	}
	// And a delivery GoTo makes now lands in the store.
	if _, err := g.Sim.Deliver(t.Context(), gotosim.NewGenerator(1, nil).Next()); err != nil {
		t.Fatalf("Deliver: %v", err)
	}
	if c, err := st.Counts(); err != nil || c.Events != 1 {
		t.Errorf("%d events stored after one delivery (%v)", c.Events, err)
	}

	checkStatus(t, r.rec, callback)
	if l := r.login.State(); l.Status != login.LoggedIn || l.Identity.Name() != "Maren Solberg (maren.solberg@example.com)" {
		t.Errorf("login State() = %+v", l)
	}
}

func TestReconcile_RunTwiceOrRestartedCreatesNoDuplicates(t *testing.T) {
	t.Parallel()
	g := simtest.Start(t)
	st := openStore(t, t.TempDir())
	base := listen(t, st)
	r := newRig(t, g, st)
	logIn(t, r.login)
	if err := r.rec.Repoint(t.Context(), base); err != nil {
		t.Fatal(err)
	}
	first := checkSetup(t, g, base+gotowebinar.WebhookPath)
	if err := r.rec.Reconcile(t.Context()); err != nil {
		t.Fatal(err)
	}
	// A restart: a new login and reconciler over the same store.
	again := newRig(t, g, st)
	if err := again.rec.Repoint(t.Context(), base); err != nil {
		t.Fatal(err)
	}
	second := checkSetup(t, g, base+gotowebinar.WebhookPath)
	if !slices.EqualFunc(first, second, func(x, y gotosim.WebhookJSON) bool { return x.WebhookKey == y.WebhookKey }) {
		t.Error("the webhooks were replaced instead of reused")
	}
	checkStatus(t, again.rec, base+gotowebinar.WebhookPath)
	if n := g.Count("POST", "/webhooks"); n != 1 {
		t.Errorf("%d POST /webhooks, want 1", n)
	}
	if n := g.Count("POST", "/userSubscriptions"); n != 1 {
		t.Errorf("%d POST /userSubscriptions, want 1", n)
	}
	if n := g.Count("POST", "/webhooks/secretkey"); n != 1 {
		t.Errorf("%d secret keys made, want 1", n)
	}
}

func TestReconcile_NewURLRepointsWebhooksAndSubscriptions(t *testing.T) {
	t.Parallel()
	g := simtest.Start(t)
	st := openStore(t, t.TempDir())
	oldBase, newBase := listen(t, st), listen(t, st)
	r := newRig(t, g, st)
	logIn(t, r.login)
	if err := r.rec.Repoint(t.Context(), oldBase); err != nil {
		t.Fatal(err)
	}
	before := checkSetup(t, g, oldBase+gotowebinar.WebhookPath)

	// The tunnel came back at another URL, after a restart.
	restarted := newRig(t, g, st)
	if err := restarted.rec.Repoint(t.Context(), newBase); err != nil {
		t.Fatalf("Repoint to the new URL: %v", err)
	}
	after := checkSetup(t, g, newBase+gotowebinar.WebhookPath)
	if !slices.EqualFunc(before, after, func(x, y gotosim.WebhookJSON) bool { return x.WebhookKey == y.WebhookKey }) {
		t.Error("new webhooks were made instead of re-pointing ours")
	}
	if n := g.Count("POST", "/webhooks"); n != 1 {
		t.Errorf("%d POST /webhooks, want 1", n)
	}
	var moved, subMoved int
	for _, req := range g.Requests("PUT", "/webhooks") {
		if strings.Contains(string(req.Body), newBase) {
			moved++
		}
	}
	for _, req := range g.Requests("PUT", "/userSubscriptions") {
		if strings.Contains(string(req.Body), newBase) && strings.Contains(string(req.Body), "userSubscriptionKey") {
			subMoved++
		}
	}
	if moved != 1 || subMoved != 1 {
		t.Errorf("%d PUT /webhooks and %d PUT /userSubscriptions with the new callbackUrl, want one batch each", moved, subMoved)
	}
	checkStatus(t, restarted.rec, newBase+gotowebinar.WebhookPath)
}

func TestReconcile_RetriesActivationUntilGoToKnowsTheWebhook(t *testing.T) {
	t.Parallel()
	g := simtest.Start(t)
	var mu sync.Mutex
	refusals := 2
	g.SetFront(func(w http.ResponseWriter, r *http.Request, body []byte) bool {
		mu.Lock()
		defer mu.Unlock()
		if r.Method == "PUT" && strings.HasSuffix(r.URL.Path, "/webhooks") && strings.Contains(string(body), `"state":"ACTIVE"`) && refusals > 0 {
			refusals--
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"errorCode":"NotFound","description":"webhook not found"}`)
			return true
		}
		return false
	})
	st := openStore(t, t.TempDir())
	base := listen(t, st)
	r := newRig(t, g, st)
	logIn(t, r.login)
	if err := r.rec.Repoint(t.Context(), base); err != nil {
		t.Fatalf("Repoint: %v", err)
	}
	checkSetup(t, g, base+gotowebinar.WebhookPath)
	if n := g.Count("PUT", "/webhooks"); n != 3 {
		t.Errorf("%d activation attempts, want 3 (two refusals, then done)", n)
	}
	checkStatus(t, r.rec, base+gotowebinar.WebhookPath)
}

func TestReconcile_DeletesOurDuplicatesButLeavesOthersAlone(t *testing.T) {
	t.Parallel()
	g := simtest.Start(t)
	st := openStore(t, t.TempDir())
	base := listen(t, st)
	r := newRig(t, g, st)
	logIn(t, r.login)
	if err := r.rec.Repoint(t.Context(), base); err != nil {
		t.Fatal(err)
	}
	// Another copy of webinarsync with the same OAuth client, and a
	// duplicate of ours (as if a crash had left one behind).
	other := listen(t, st)
	createAtGoTo(t, g, other+gotowebinar.WebhookPath, gotowebinar.EventRegistrantAdded)
	dup := createAtGoTo(t, g, base+gotowebinar.WebhookPath, gotowebinar.EventRegistrantAdded)
	if err := reconcile.RecordWebhook(r.rec, dup); err != nil {
		t.Fatal(err)
	}

	if err := r.rec.Reconcile(t.Context()); err != nil {
		t.Fatal(err)
	}
	var ours, theirs int
	for _, h := range g.Webhooks(t) {
		switch {
		case h.WebhookKey == string(dup):
			t.Error("our duplicate webhook is still there")
		case strings.HasPrefix(h.CallbackURL, other):
			theirs++
		default:
			ours++
		}
	}
	if ours != 4 || theirs != 1 {
		t.Errorf("%d of ours and %d of the other copy's, want 4 and 1", ours, theirs)
	}
	checkStatus(t, r.rec, base+gotowebinar.WebhookPath)
}

func TestReconcile_SurveyIsOptInAndARefusalLeavesTheOthers(t *testing.T) {
	t.Parallel()
	t.Run("accepted", func(t *testing.T) {
		t.Parallel()
		g := simtest.Start(t)
		st := openStore(t, t.TempDir())
		base := listen(t, st)
		r := newRig(t, g, st, withSurvey)
		logIn(t, r.login)
		if err := r.rec.Repoint(t.Context(), base); err != nil {
			t.Fatal(err)
		}
		if n := len(g.Webhooks(t)); n != 5 {
			t.Errorf("%d webhooks with survey.submitted opted in, want 5", n)
		}
		if ev := r.rec.Events(); ev[len(ev)-1] != gotowebinar.EventSurveySubmitted {
			t.Errorf("Events() = %v, want survey.submitted last", ev)
		}
		checkStatus(t, r.rec, base+gotowebinar.WebhookPath)
	})
	t.Run("refused", func(t *testing.T) {
		t.Parallel()
		g := simtest.Start(t)
		g.SetFront(func(w http.ResponseWriter, r *http.Request, body []byte) bool {
			if r.Method == "POST" && strings.Contains(string(body), "survey.submitted") {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusBadRequest)
				io.WriteString(w, `{"errorCode":"InvalidRequest","description":"eventName survey.submitted is not supported"}`)
				return true
			}
			return false
		})
		st := openStore(t, t.TempDir())
		base := listen(t, st)
		r := newRig(t, g, st, withSurvey)
		logIn(t, r.login)
		if err := r.rec.Repoint(t.Context(), base); err != nil {
			t.Fatalf("Repoint: %v", err)
		}
		callback := base + gotowebinar.WebhookPath
		checkSetup(t, g, callback)
		status := r.rec.Status()
		if status.Problem != nil || len(status.Hooks) != 5 {
			t.Fatalf("Status() = problem %v, %d hooks; want no problem and 5 hooks", status.Problem, len(status.Hooks))
		}
		for _, h := range status.Hooks[:4] {
			if !h.Known || h.Condition != reconcile.Fine || h.CallbackURL != callback || h.ActivationState != gotowebinar.StateActive {
				t.Errorf("hook beside the refused survey: %+v", h)
			}
		}
		last := status.Hooks[4]
		if last.EventName != gotowebinar.EventSurveySubmitted || last.Known || last.WebhookKey != "" ||
			last.Condition != reconcile.Refused || last.Refusal.Kind != gotowebinar.ProblemRefused ||
			last.Refusal.Status != http.StatusBadRequest || !strings.Contains(last.Refusal.Reason, "survey.submitted is not supported") {
			t.Errorf("survey hook %+v", last)
		}
	})
}

// The organizer logs out with "remove webhooks": ui removes them, then
// forgets the login. Without it, logging out leaves GoTo alone.
func TestReconcile_RemoveThenLogoutDeletesThemAtGoTo(t *testing.T) {
	t.Parallel()
	g := simtest.Start(t)
	dir := t.TempDir()
	st := openStore(t, dir)
	base := listen(t, st)
	r := newRig(t, g, st)
	logIn(t, r.login)
	if err := r.rec.Repoint(t.Context(), base); err != nil {
		t.Fatal(err)
	}
	if err := r.rec.Remove(t.Context()); err != nil {
		t.Fatalf("Remove: %v", err)
	}
	if err := r.login.Logout(); err != nil {
		t.Fatalf("Logout: %v", err)
	}
	if h, s := g.Webhooks(t), g.Subscriptions(t); len(h)+len(s) != 0 {
		t.Errorf("after logout with removal GoTo still has %d webhooks and %d subscriptions", len(h), len(s))
	}
	if l := r.login.State(); l.Status != login.LoggedOut || l.Identity != (gotowebinar.Identity{}) {
		t.Errorf("login State() after logout = %+v", l)
	}
	if s := r.rec.Status(); s.Recorded {
		t.Error("webhooks of ours are still on record after removing them")
	}
	// The tokens are forgotten in the store too: a restart is logged out.
	if l := newRig(t, g, st).login.State(); l.Status != login.LoggedOut {
		t.Errorf("after logout a restart's login State() = %+v", l)
	}
	// Removing while logged out cannot reach GoTo, and says why.
	if err := r.rec.Remove(t.Context()); !errors.Is(err, gotowebinar.ErrNotLoggedIn) {
		t.Errorf("Remove while logged out = %v, want ErrNotLoggedIn", err)
	}

	// Without the option, logout leaves GoTo alone.
	logIn(t, r.login)
	if err := r.rec.SetUp(t.Context()); err != nil {
		t.Fatal(err)
	}
	checkSetup(t, g, base+gotowebinar.WebhookPath)
	if err := r.login.Logout(); err != nil {
		t.Fatal(err)
	}
	if n := len(g.Webhooks(t)); n != 4 {
		t.Errorf("a plain logout left %d webhooks, want the 4 untouched", n)
	}
	if s := r.rec.Status(); !s.Recorded {
		t.Error("after a plain logout our webhooks (which may still deliver) are not on record")
	}
}

func TestReconcile_RemoveLeavesNothingAndStaysRemovedUntilSetUp(t *testing.T) {
	t.Parallel()
	g := simtest.Start(t)
	st := openStore(t, t.TempDir())
	base := listen(t, st)
	r := newRig(t, g, st)
	logIn(t, r.login)
	if err := r.rec.Repoint(t.Context(), base); err != nil {
		t.Fatal(err)
	}
	if err := r.rec.Remove(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := r.rec.Reconcile(t.Context()); err != nil { // the periodic check
		t.Fatal(err)
	}
	if err := r.rec.Repoint(t.Context(), base); err != nil { // the tunnel reconnected
		t.Fatal(err)
	}
	if h, s := g.Webhooks(t), g.Subscriptions(t); len(h)+len(s) != 0 {
		t.Errorf("GoTo has %d webhooks and %d subscriptions after removal", len(h), len(s))
	}
	status := r.rec.Status()
	if !status.Paused || status.Recorded || status.Problem != nil {
		t.Errorf("Status() after removal: paused %v, recorded %v, problem %v", status.Paused, status.Recorded, status.Problem)
	}
	for _, h := range status.Hooks {
		if h.Condition != reconcile.Removed || h.Known || h.WebhookKey != "" {
			t.Errorf("hook after removal %+v", h)
		}
	}
	if err := r.rec.SetUp(t.Context()); err != nil {
		t.Fatal(err)
	}
	checkSetup(t, g, base+gotowebinar.WebhookPath)
	checkStatus(t, r.rec, base+gotowebinar.WebhookPath)
}

// After the organizer removed our webhooks, a new login sets them up
// again: Run hears of it from the login's Watch channel.
func TestReconcile_ANewLoginSetsUpWhatWasRemoved(t *testing.T) {
	t.Parallel()
	g := simtest.Start(t)
	st := openStore(t, t.TempDir())
	base := listen(t, st)
	r := newRig(t, g, st)
	logIn(t, r.login)
	if err := r.rec.Repoint(t.Context(), base); err != nil {
		t.Fatal(err)
	}
	if err := r.rec.Remove(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := r.login.Logout(); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.rec.Run(ctx)
	}()
	defer func() {
		cancel()
		<-done
	}()
	logIn(t, r.login)
	callback := base + gotowebinar.WebhookPath
	waitFor(t, "the webhooks set up again after the new login", func() bool {
		s := r.rec.Status()
		return !s.Paused && !slices.ContainsFunc(s.Hooks, func(h reconcile.Hook) bool {
			return h.Condition != reconcile.Fine || h.ActivationState != gotowebinar.StateActive
		})
	})
	checkSetup(t, g, callback)
	checkStatus(t, r.rec, callback)
}

// GoTo created the webhooks but its answer was lost (a 502 from a proxy):
// the reconciler adopts them instead of creating them twice.
func TestReconcile_AdoptsWebhooksWhoseCreationAnswerWasLost(t *testing.T) {
	t.Parallel()
	g := simtest.Start(t)
	var mu sync.Mutex
	lost := 1
	g.SetFront(func(w http.ResponseWriter, r *http.Request, body []byte) bool {
		mu.Lock()
		defer mu.Unlock()
		if r.Method != "POST" || !strings.HasSuffix(r.URL.Path, "/webhooks") || lost == 0 {
			return false
		}
		lost--
		g.Sim.Handler().ServeHTTP(httptest.NewRecorder(), r) // GoTo does the work…
		w.WriteHeader(http.StatusBadGateway)                 // …but we never hear of it
		return true
	})
	st := openStore(t, t.TempDir())
	base := listen(t, st)
	r := newRig(t, g, st)
	logIn(t, r.login)
	if err := r.rec.Repoint(t.Context(), base); err != nil {
		t.Fatalf("Repoint: %v", err)
	}
	checkSetup(t, g, base+gotowebinar.WebhookPath)
	if n := g.Count("POST", "/webhooks"); n != 1 {
		t.Errorf("%d POST /webhooks, want 1: the lost answer's webhooks are adopted, not created again", n)
	}
	checkStatus(t, r.rec, base+gotowebinar.WebhookPath)
}
