package gotowebinar_test

import (
	"strconv"
	"testing"
	"time"

	"webinarsync/gotowebinar"
	"webinarsync/gotowebinar/gotosim"
)

// The webinar-level listing gives every session's attendees, page by page,
// each row naming its session, as the session-level listings do together.
func TestClient_ListWebinarAttendeesWalksEveryPageOfEverySession(t *testing.T) {
	t.Parallel()
	now := time.Now().UTC()
	env, c, org, ws := simClient(t, gotosim.Population{Webinars: 1, Registrants: 30, Sessions: 3, Attend: 70, Start: now.Add(-72 * time.Hour)},
		gotowebinar.WithPageSize(7))
	w := gotowebinar.Key(ws[0].Key)
	type row struct {
		session, registrant string
		seconds             int64
		intervals           int
	}
	var want []row
	for _, s := range ws[0].Times {
		for _, a := range env.sim.Generator().Attendance(ws[0].Key, s.Key) {
			want = append(want, row{s.Key, a.RegistrantKey, a.Seconds, len(a.Intervals)})
		}
	}
	got, err := c.ListWebinarAttendees(t.Context(), org, w)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) || len(want) < 8 {
		t.Fatalf("%d attendance rows, want %d (more than a page)", len(got), len(want))
	}
	for i, a := range got {
		if g := (row{string(a.SessionKey), string(a.RegistrantKey), a.AttendanceTimeInSeconds, len(a.Attendance)}); g != want[i] || a.Email == "" {
			t.Errorf("row %d = %+v, want %+v", i, a, want[i])
		}
	}
	pages := env.requests("GET", "/G2W/rest/v2/organizers/"+string(org)+"/webinars/"+string(w)+"/attendees")
	if len(pages) != (len(want)+6)/7 {
		t.Errorf("%d pages asked for, want %d (%d rows, 7 a page)", len(pages), (len(want)+6)/7, len(want))
	}
	for i, p := range pages {
		if p.query.Get("page") != strconv.Itoa(i) || p.query.Get("size") != "7" {
			t.Errorf("page %d asked %v", i, p.query)
		}
	}

	// Before a webinar begins there is nobody: an empty page, not an error.
	future := env.sim.Generator().Populate(gotosim.Population{Webinars: 1, Registrants: 5, Start: now.Add(48 * time.Hour)})
	if none, err := c.ListWebinarAttendees(t.Context(), org, gotowebinar.Key(future[0].Key)); err != nil || len(none) != 0 {
		t.Errorf("a webinar yet to begin: %d rows, %v", len(none), err)
	}
	if _, err := c.ListWebinarAttendees(t.Context(), org, "999"); !gotowebinar.IsNotFound(err) {
		t.Errorf("an unknown webinar: %v, want 404", err)
	}
}
