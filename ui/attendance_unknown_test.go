package ui

import (
	"testing"
	"time"

	"webinarsync/record"
	"webinarsync/store"
)

func TestAttendanceKnown(t *testing.T) {
	t.Parallel()
	now := testNow
	for _, c := range []struct {
		name string
		w    store.Webinar
		want bool
	}{
		{"no times, nobody there", store.Webinar{Registrants: 3}, false},
		{"starts later", withRegistrants(sessionsWebinar(now.Add(time.Hour), now.Add(2*time.Hour)), 3), false},
		{"started, nobody joined yet", withRegistrants(sessionsWebinar(now.Add(-time.Minute), now.Add(time.Hour)), 3), true},
		{"ended, nobody came", withRegistrants(sessionsWebinar(now.Add(-2*time.Hour), now.Add(-time.Hour)), 3), true},
		{"no times, someone joined", store.Webinar{Registrants: 3, Joined: 1}, true},
		{"no times, in the attendance report", store.Webinar{Registrants: 3, Attended: 2}, true},
	} {
		if got := attendanceKnown(c.w, now); got != c.want {
			t.Errorf("%s: attendanceKnown = %v, want %v", c.name, got, c.want)
		}
	}
}

func withRegistrants(w store.Webinar, n int) store.Webinar {
	w.Registrants = n
	return w
}

// A webinar known only from a registration (no session times, nobody
// joined) shows "—" and says why on every page, not "0%".
func TestAttendanceNotKnownYet_ShowsDashNotZero(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	put(t, st, testNow, registrantAdded("ev-r", workshopKey, "Workshop", registrant{key: "1", first: "Ada", last: "Lovelace",
		email: "ada@example.com", registered: testNow}))
	h := handler(t, Config{Store: st})

	body := get(t, h, "/webinars/"+workshopKey).Body.String()
	mustContain(t, body, `<div class="figure-value" title="attendance not known yet">—</div><div class="figure-label">attendance rate: attendance not known yet</div>`)
	mustNotContain(t, body, `0%`)

	body = get(t, h, "/webinars/"+workshopKey+"/live").Body.String()
	mustContain(t, body, `<div class="figure-value" title="attendance not known yet">—</div><div class="figure-label">attendance rate: attendance not known yet</div>`)
	mustNotContain(t, body, `0%`)

	body = get(t, h, "/").Body.String()
	mustContain(t, body, `<span class="muted" title="attendance not known yet">—<span class="visually-hidden">attendance not known yet</span></span>`)
	mustNotContain(t, body, `0%`)
}

// Once a session has started, nobody there is a real 0%.
func TestAttendanceKnown_StartedSessionShowsZero(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	put(t, st, testNow, webinarEvent("webinar.created", "ev-w", workshopKey, "Workshop", "NEW", testNow.Add(-time.Hour)))
	put(t, st, testNow, registrantAdded("ev-r", workshopKey, "Workshop", registrant{key: "1", first: "Ada", last: "Lovelace",
		email: "ada@example.com", registered: testNow.Add(-2 * time.Hour)}))
	h := handler(t, Config{Store: st})
	for _, path := range []string{"/webinars/" + workshopKey, "/webinars/" + workshopKey + "/live"} {
		body := get(t, h, path).Body.String()
		mustContain(t, body, `<div class="figure-value">0%</div><div class="figure-label">attendance rate</div>`)
		mustNotContain(t, body, attendanceUnknownWords)
	}
}

// Attendance known only from the provider's report (the catch-up sync
// after a webinar nobody watched live): the page says who joined without
// claiming that nobody did, and names the live count for what it is.
func TestAttendanceFromTheReportOnly_NoJoinsSeenLiveIsNotNobody(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	start := testNow.Add(-3 * time.Hour)
	put(t, st, testNow, webinarEvent("webinar.created", "ev-w", workshopKey, "Workshop", "NEW", start))
	for _, r := range []registrant{
		{key: "1", first: "Ada", last: "Lovelace", email: "ada@example.com", registered: start.Add(-time.Hour)},
		{key: "2", first: "Alan", last: "Turing", email: "alan@example.com", registered: start.Add(-time.Hour)},
	} {
		put(t, st, testNow, registrantAdded("ev-r"+r.key, workshopKey, "Workshop", r))
	}
	if err := st.MergeSessionAttendance(workshopKey, record.Session{Key: "s-1", Start: start, End: start.Add(time.Hour), Attended: 1},
		[]record.Attendee{{RegistrantKey: "1", FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com", Seconds: 3000,
			Intervals: []record.Span{{Start: start, End: start.Add(50 * time.Minute)}}}}, testNow); err != nil {
		t.Fatal(err)
	}
	body := get(t, handler(t, Config{Store: st}), "/webinars/"+workshopKey).Body.String()
	mustContain(t, body, `<div class="figure-value">1</div><div class="figure-label">joined</div>`,
		`<div class="figure-value">0</div><div class="figure-label">joins seen live, counting people who rejoined</div>`,
		"None seen live. GoTo&#39;s attendance report lists 1 person who joined: see the Joined column below.")
	mustNotContain(t, body, "Nobody has joined yet.")
}
