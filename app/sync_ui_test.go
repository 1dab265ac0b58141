package app

import (
	"encoding/csv"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"webinarsync/gotowebinar/catchup"
	"webinarsync/gotowebinar/gotosim"
	"webinarsync/gotowebinar/gotosim/simtest"
	"webinarsync/store"
	"webinarsync/ui"
)

// listed is what GoTo lists of a webinar's registrants: all but the cancelled.
func listed(sim *simtest.Server, w gotosim.Webinar) []gotosim.Registrant {
	var out []gotosim.Registrant
	for _, r := range sim.Sim.Generator().Registrants(w.Key) {
		if r.Status != "Cancelled" {
			out = append(out, r)
		}
	}
	return out
}

// noRedirects is a browser that shows us where a form sends it.
var noRedirects = &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func post(t *testing.T, u string, form url.Values) (int, string, string) {
	t.Helper()
	resp, err := noRedirects.PostForm(u, form)
	if err != nil {
		t.Fatalf("POST %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

func TestUI_SyncNowThenAddAndRemoveARegistrantAtGoTo(t *testing.T) {
	t.Parallel()
	now := time.Now()
	sim := simtest.Start(t)
	webinars := sim.Sim.Generator().Populate(gotosim.Population{Webinars: 2, Registrants: 12, Sessions: 1, Attend: 80,
		Start: now.Add(-2 * 24 * time.Hour), Every: 4 * 24 * time.Hour})
	past, future := webinars[0], webinars[1]
	st := openTestStore(t, t.TempDir())
	g, err := newGoTo(goToConfig{Store: st, Logger: quietLog(), Endpoints: sim.Endpoints(), RateLimit: -1,
		RetryBackoff: time.Millisecond, Window: catchup.Window{Manual: true}})
	if err != nil {
		t.Fatal(err)
	}
	go g.sync.Run(t.Context())
	if err := gotosim.LogIn(t.Context(), g.login, simtest.RedirectURI); err != nil {
		t.Fatalf("login: %v", err)
	}
	srv := httptest.NewServer(ui.New(ui.Config{Store: st, Logger: quietLog(), Login: g.login, Sync: g.sync, Registrants: g.registrants}).Handler())
	t.Cleanup(srv.Close)

	// Logging in started a sync; "Sync now" starts another.
	waitFor(t, "the sync after login", func() bool { s := g.sync.Status(); return !s.Running && !s.Finished.IsZero() })
	first := g.sync.Status().Finished
	_, home := get(t, srv.URL+"/")
	if !strings.Contains(home, "Synced") || !strings.Contains(home, "2 webinars (2 new)") || !strings.Contains(home, html.EscapeString(past.Title)) ||
		!strings.Contains(home, `action="/sync"`) || !strings.Contains(home, "/assets/sync.js") {
		t.Errorf("home page after the sync lacks its result, the Sync now button or the webinars:\n%s", home)
	}
	code, where, _ := post(t, srv.URL+"/sync", nil)
	if code != http.StatusSeeOther || where != "/#sync-h" {
		t.Fatalf("POST /sync = %d to %q, want 303 back home", code, where)
	}
	waitFor(t, "the sync asked for", func() bool { s := g.sync.Status(); return !s.Running && s.Finished.After(first) })
	_, fragment := get(t, srv.URL+"/sync/progress")
	if !strings.HasPrefix(strings.TrimSpace(fragment), `<section class="panel sync" id="sync"`) || !strings.Contains(fragment, `data-running="false"`) ||
		!strings.Contains(fragment, "2 webinars, ") {
		t.Errorf("GET /sync/progress = %.300s, want the panel alone", fragment)
	}
	for _, w := range webinars {
		if _, total, err := st.Registrants(w.Key, store.RegistrantQuery{}); err != nil || total != len(listed(sim, w)) {
			t.Errorf("webinar %s: %d registrants stored (%v), GoTo lists %d", w.Key, total, err, len(listed(sim, w)))
		}
	}

	// Add someone by hand to the upcoming webinar: at GoTo, then here.
	code, where, body := post(t, srv.URL+"/webinars/"+future.Key+"/registrants", url.Values{
		"firstName": {"Ngozi"}, "lastName": {"Okonkwo"}, "email": {"ngozi@athome.net"}, "organization": {"@Home Networks"}})
	if code != http.StatusSeeOther || !strings.Contains(where, "?added=") {
		t.Fatalf("adding a registrant: %d to %q\n%s", code, where, body)
	}
	var added gotosim.Registrant
	for _, r := range sim.Sim.Generator().Registrants(future.Key) {
		if r.Email == "ngozi@athome.net" {
			added = r
		}
	}
	if added.Key == "" || added.Organization != "@Home Networks" {
		t.Fatalf("GoTo has no registrant ngozi@athome.net (%+v)", added)
	}
	stored, err := st.Registrant(future.Key, added.Key)
	if err != nil || stored.Organization != "@Home Networks" || stored.Status != "Approved" || stored.JoinURL == "" {
		t.Errorf("stored as %+v, %v", stored, err)
	}
	_, page := get(t, srv.URL+where)
	if !strings.Contains(page, "Registered at GoTo and added here: Ngozi Okonkwo (ngozi@athome.net)") {
		t.Errorf("the webinar page does not confirm the registration")
	}
	code, _, body = post(t, srv.URL+"/webinars/"+future.Key+"/registrants", url.Values{
		"firstName": {"Ngozi"}, "lastName": {"Okonkwo"}, "email": {"ngozi@athome.net"}})
	if code != http.StatusBadGateway || !strings.Contains(body, "registered already") {
		t.Errorf("registering the same e-mail again: %d, want GoTo's refusal in words", code)
	}

	// Remove them: a confirmation first, then at GoTo, then marked here.
	removeURL := srv.URL + "/webinars/" + future.Key + "/registrants/" + added.Key + "/remove"
	if !strings.Contains(page, `/registrants/`+added.Key+`/remove"`) {
		t.Errorf("the webinar page offers no way to remove the registrant")
	}
	code, confirm := get(t, removeURL)
	if code != http.StatusOK || !strings.Contains(confirm, "Remove Ngozi Okonkwo?") || !strings.Contains(confirm, `method="post"`) {
		t.Fatalf("the confirmation page: %d\n%s", code, confirm)
	}
	if r, _ := st.Registrant(future.Key, added.Key); r.Status != "Approved" {
		t.Fatalf("asking for the confirmation changed the registrant: %q", r.Status)
	}
	code, where, body = post(t, removeURL, nil)
	if code != http.StatusSeeOther || !strings.Contains(where, "?removed=") {
		t.Fatalf("removing: %d to %q\n%s", code, where, body)
	}
	for _, r := range sim.Sim.Generator().Registrants(future.Key) {
		if r.Key == added.Key && r.Status != "Cancelled" {
			t.Errorf("GoTo still has them as %s", r.Status)
		}
	}
	if r, _ := st.Registrant(future.Key, added.Key); r.Status != "Cancelled" || r.Organization != "@Home Networks" {
		t.Errorf("here they are %+v, want cancelled with what we knew kept", r)
	}

	// GoTo refuses to remove anyone from a webinar that has ended: say so.
	someone := listed(sim, past)[0]
	code, _, body = post(t, srv.URL+"/webinars/"+past.Key+"/registrants/"+someone.Key+"/remove", nil)
	if code != http.StatusBadGateway || !strings.Contains(body, "scheduled, future webinar") {
		t.Errorf("removing from an ended webinar: %d, want GoTo's reason in words", code)
	}

	// Attendees per session, from GoTo's report.
	code, attendees := get(t, srv.URL+"/webinars/"+past.Key+"/attendees.csv")
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(attendees, bom))).ReadAll()
	want := sim.Sim.Generator().Attendance(past.Key, past.Times[0].Key)
	if code != http.StatusOK || err != nil || len(rows) != len(want)+1 || rows[0][0] != "sessionKey" {
		t.Fatalf("attendees.csv: %d, %d rows (%v), want %d attendees", code, len(rows), err, len(want))
	}
	seconds := map[string]string{}
	for _, a := range want {
		seconds[a.RegistrantKey] = fmt.Sprint(a.Seconds)
	}
	for i, row := range rows[1:] {
		// In order of joining; with GoTo's figure for each.
		if row[0] != past.Times[0].Key || row[7] != seconds[row[3]] || row[11] != "report" || (i > 0 && row[8] < rows[i][8]) {
			t.Errorf("attendees.csv row %d = %q", i+1, row)
		}
	}
}

func TestUI_AddARegistrantWithTheWebinarsOwnForm(t *testing.T) {
	t.Parallel()
	sim := simtest.Start(t)
	sim.Sim.Generator().Next() // the burst announces the webinars, among them a series
	var series gotosim.Webinar
	for _, w := range sim.Sim.Generator().Webinars() {
		if w.RecurrenceType == "series" {
			series = w
		}
	}
	st := openTestStore(t, t.TempDir())
	g, err := newGoTo(goToConfig{Store: st, Logger: quietLog(), Endpoints: sim.Endpoints(), RateLimit: -1,
		RetryBackoff: time.Millisecond, Window: catchup.Window{Manual: true}})
	if err != nil {
		t.Fatal(err)
	}
	go g.sync.Run(t.Context())
	if err := gotosim.LogIn(t.Context(), g.login, simtest.RedirectURI); err != nil {
		t.Fatalf("login: %v", err)
	}
	srv := httptest.NewServer(ui.New(ui.Config{Store: st, Logger: quietLog(), Login: g.login, Sync: g.sync, Registrants: g.registrants}).Handler())
	t.Cleanup(srv.Close)
	waitFor(t, "the sync after login", func() bool { s := g.sync.Status(); return !s.Running && !s.Finished.IsZero() })
	pageURL, addURL := srv.URL+"/webinars/"+series.Key, srv.URL+"/webinars/"+series.Key+"/registrants"

	// The page was read before the organizer made the series' questions
	// required at GoTo: it shows them optional.
	stale := true
	var mu sync.Mutex
	sim.SetFront(func(w http.ResponseWriter, r *http.Request, _ []byte) bool {
		mu.Lock()
		defer mu.Unlock()
		if !stale || !strings.HasSuffix(r.URL.Path, "/registrants/fields") {
			return false
		}
		rec := httptest.NewRecorder()
		sim.Sim.Handler().ServeHTTP(rec, r)
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(strings.ReplaceAll(rec.Body.String(), `"required":true`, `"required":false`)))
		return true
	})
	form, err := g.registrants.Form(t.Context(), series.Key)
	if err != nil {
		t.Fatal(err)
	}
	topics, level := form.Questions[0], form.Questions[1]
	_, page := get(t, pageURL)
	if !strings.Contains(page, html.EscapeString(level.Question)) || strings.Contains(page, `name="question-`+string(level.QuestionKey)+`" required`) {
		t.Fatalf("the page read before the change does not show %q as optional", level.Question)
	}
	mu.Lock()
	stale = false
	mu.Unlock()

	// Sent without it, GoTo refuses and the organizer is told why.
	person := url.Values{"firstName": {"Ngozi"}, "lastName": {"Okonkwo"}, "email": {"ngozi@athome.net"}, "organization": {"@Home Networks"},
		"question-" + string(topics.QuestionKey): {string(topics.Answers[1].AnswerKey)}}
	code, _, body := post(t, addURL, person)
	if code != http.StatusBadGateway || !strings.Contains(body, html.EscapeString("GoTo refused: the webinar's registration form requires “"+level.Question+"”, left blank.")) {
		t.Fatalf("adding without the now required %q: %d\n%s", level.Question, code, body)
	}

	// Reloaded, the page shows GoTo's form as it is now; the form checks it.
	_, page = get(t, pageURL)
	for _, q := range form.Questions {
		if !strings.Contains(page, `<select name="question-`+string(q.QuestionKey)+`" required>`) ||
			!strings.Contains(page, html.EscapeString(q.Question)+` <em class="muted small">required</em>`) {
			t.Errorf("the reloaded page does not mark %q required", q.Question)
		}
	}
	code, _, body = post(t, addURL, person)
	if code != http.StatusBadRequest || !strings.Contains(body, html.EscapeString("requires “"+level.Question+"”. Go back and complete the form.")) {
		t.Errorf("the form left incomplete: %d\n%s", code, body)
	}

	// Answered: registered at GoTo with the answers, and here in words.
	person.Set("question-"+string(level.QuestionKey), string(level.Answers[2].AnswerKey))
	code, where, body := post(t, addURL, person)
	if code != http.StatusSeeOther || !strings.Contains(where, "?added=") {
		t.Fatalf("adding with every answer: %d to %q\n%s", code, where, body)
	}
	var added gotosim.Registrant
	for _, r := range sim.Sim.Generator().Registrants(series.Key) {
		if r.Email == "ngozi@athome.net" {
			added = r
		}
	}
	if len(added.Responses) != 2 || added.Responses[1].Answers[0] != level.Answers[2].Answer {
		t.Fatalf("GoTo has %+v", added)
	}
	stored, err := st.Registrant(series.Key, added.Key)
	if err != nil || len(stored.Responses) != 2 || stored.Responses[1].Question != level.Question || stored.Responses[1].Answer() != level.Answers[2].Answer {
		t.Errorf("stored as %+v, %v", stored, err)
	}
}
