package ringcentral_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"webinarsync/ringcentral"
	"webinarsync/ringcentral/rcsim"
)

func TestClient_PagesThrough250Registrants(t *testing.T) {
	t.Parallel()
	e := newEnv(t, rcsim.Config{Empty: true}, ringcentral.WithPageSize(100))
	_, sess, err := e.sim.AddWebinar(t.Context(), "Paging", time.Now().Add(time.Hour), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	want, err := e.sim.AddRegistrants(sess.ID, 250)
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.client.Registrants(t.Context(), sess.ID, true)
	if err != nil {
		t.Fatalf("Registrants = %v", err)
	}
	if len(got) != len(want) {
		t.Fatalf("got %d registrants, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.ID != w.ID || g.Email != w.Email || g.FirstName != w.FirstName || g.SessionID != sess.ID ||
			!g.RegistrationTime.Equal(w.Registered) || len(g.Questionnaire) == 0 {
			t.Fatalf("registrant %d = %+v, want %+v with answers", i, g, w)
		}
	}
	var pages, tokens int
	for _, r := range e.sim.APIRequests() {
		if strings.HasSuffix(r.Path, "/registrants") {
			pages++
			if strings.Contains(r.Query, "pageToken=") {
				tokens++
			}
		}
	}
	if pages != 3 || tokens != 2 {
		t.Errorf("%d page requests, %d with a page token; want 3 and 2", pages, tokens)
	}
}

func TestClient_CatchUpReadsTheWorld(t *testing.T) {
	t.Parallel()
	e := newEnv(t, rcsim.Config{Seed: 7})
	ctx := t.Context()
	webinars, err := e.client.Webinars(ctx)
	if err != nil || len(webinars) != len(e.sim.Webinars()) {
		t.Fatalf("Webinars = %d, %v; want %d", len(webinars), err, len(e.sim.Webinars()))
	}
	for _, w := range webinars {
		if w.HostUserID != rcsim.HostUserID || w.CreationTime.IsZero() {
			t.Errorf("webinar %+v lacks its host or creation time", w)
		}
	}
	done := firstSession(t, e.sim, "Finished")
	sessions, err := e.client.Sessions(ctx, done.WebinarID)
	if err != nil || len(sessions) != 1 || sessions[0].ID != done.ID || sessions[0].Status != ringcentral.SessionFinished {
		t.Fatalf("Sessions(%s) = %+v, %v; want only its finished session", done.WebinarID, sessions, err)
	}
	one, err := e.client.Session(ctx, done.WebinarID, done.ID)
	if err != nil || one.WebinarID != done.WebinarID || one.ScheduledDuration != time.Hour || one.AttendeeJoinURI == "" {
		t.Errorf("Session = %+v, %v", one, err)
	}
	reg, err := e.client.RegistrationSession(ctx, done.ID)
	if err != nil || reg.RegistrantCount != len(e.sim.Registrants(done.ID)) || reg.RegistrationStatus != "Open" {
		t.Errorf("RegistrationSession = %+v, %v", reg, err)
	}
	hist, err := e.client.HistorySession(ctx, done.WebinarID, done.ID)
	if err != nil || !hist.StartTime.Equal(done.Start) || !hist.EndTime.Equal(done.End) || hist.Duration <= 0 {
		t.Errorf("HistorySession = %+v, %v; want it to have run %v to %v", hist, err, done.Start, done.End)
	}
	parts, err := e.client.Participants(ctx, done.WebinarID, done.ID)
	if err != nil || len(parts) != len(e.sim.Participants(done.ID)) || len(parts) == 0 {
		t.Fatalf("Participants = %d, %v; want %d", len(parts), err, len(e.sim.Participants(done.ID)))
	}
	regs, err := e.client.Registrants(ctx, done.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	attended := 0
	for _, r := range regs {
		if r.Attended() {
			attended++
		}
	}
	if attended != len(parts) {
		t.Errorf("%d registrants attended, want %d (one per participant)", attended, len(parts))
	}
	if p := parts[0]; p.Name() == "" || p.JoinTime.IsZero() || p.LeaveTime.Before(p.JoinTime) || p.RegistrantID == "" {
		t.Errorf("participant %+v", p)
	}
}

func TestTimes_AcceptISOTextAndUnixMilliseconds(t *testing.T) {
	t.Parallel()
	want := time.Date(2026, 3, 12, 17, 0, 10, 0, time.UTC)
	tests := []struct {
		name, raw string
		want      time.Time
	}{
		{"ISO with Z and milliseconds", `"2026-03-12T17:00:10.000Z"`, want},
		{"ISO with an offset", `"2026-03-12T18:00:10+01:00"`, want},
		{"ISO with an offset without colon", `"2026-03-12T18:00:10.000+0100"`, want},
		{"Unix milliseconds", `1773334810000`, want},
		{"Unix milliseconds as text", `"1773334810000"`, want},
		{"null", `null`, time.Time{}},
		{"empty", `""`, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var p ringcentral.Participant
			if err := json.Unmarshal([]byte(`{"id":"p-1","joinTime":`+tt.raw+`}`), &p); err != nil {
				t.Fatalf("Unmarshal = %v", err)
			}
			if !p.JoinTime.Equal(tt.want) {
				t.Errorf("joinTime %s = %v, want %v", tt.raw, p.JoinTime, tt.want)
			}
		})
	}
	var p ringcentral.Participant
	if err := json.Unmarshal([]byte(`{"joinTime":"last Tuesday"}`), &p); err == nil {
		t.Error("a time in words was accepted")
	}
}

func TestClient_ReadsTheNextPageTokenWhereverItIs(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, key string }{
		{"paging", "paging"}, {"navigation", "navigation"}, {"pagination", "pagination"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Query().Get("pageToken") == "" {
					w.Write([]byte(`{"records":[{"id":"1"}],"` + tt.key + `":{"nextPageToken":"two"}}`))
					return
				}
				w.Write([]byte(`{"records":[{"id":"2"}],"` + tt.key + `":{}}`))
			})
			c := ringcentral.NewClient(serverURL, oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "x"}),
				ringcentral.WithHTTPClient(&http.Client{Transport: rcsim.Transport(h)}))
			ws, err := c.Webinars(t.Context())
			if err != nil || len(ws) != 2 || ws[1].ID != "2" {
				t.Fatalf("Webinars = %+v, %v; want both pages", ws, err)
			}
		})
	}
}
