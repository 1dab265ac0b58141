package store

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"webinarsync/gotowebinar"
)

// A key beyond uint64, as GoTo's samples show: it must stay exact text.
const bigKey = "98765432109876543210"

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func restRegistrant(key, status, registered string) gotowebinar.Registrant {
	return gotowebinar.Registrant{
		RegistrantKey: gotowebinar.Key(key), FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com",
		Status: status, RegistrationDate: gotowebinar.Time{Time: at(registered)},
		JoinURL: "https://global.gotowebinar.com/join/" + webinarKey + "/" + key,
	}
}

func mustMergeRegistrants(t *testing.T, s *Store, rs []gotowebinar.Registrant, observed string, detailed bool) MergeResult {
	t.Helper()
	res, err := mergeGoToRegistrants(s, webinarKey, rs, at(observed), detailed)
	if err != nil {
		t.Fatalf("MergeRegistrants: %v", err)
	}
	return res
}

func TestMergeRegistrants_WebhookAnswersAreKeptAndRESTFillsGaps(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	put(t, s, addedBody("ev-1", webinarKey, bigKey, "2025-05-01T09:00:00Z",
		"organization", "Acme Analytics", "phone", "+49 30 123",
		"responses", raw(`[["Which topics?","MULTIPLE_CHOICE",["Reporting","Security"]]]`)))
	full := restRegistrant(bigKey, "APPROVED", "2025-05-01T09:00:00Z")
	full.Organization, full.City, full.JobTitle = "Acme Inc. (renamed at GoTo)", "Berlin", "CTO"
	full.Responses = gotowebinar.Responses{{Question: "Which topics?", Answers: []string{"Reporting, Security"}}}
	res := mustMergeRegistrants(t, s, []gotowebinar.Registrant{full}, "2025-05-02T00:00:00Z", true)
	if res.Added != 0 || res.Changed != 1 {
		t.Errorf("merge = %+v, want one changed", res)
	}
	r := mustRegistrant(t, s, webinarKey, bigKey)
	for _, c := range []struct{ name, got, want string }{
		{"key", r.RegistrantKey, bigKey},
		{"organization (webhook)", r.Organization, "Acme Analytics"},
		{"phone (webhook)", r.Phone, "+49 30 123"},
		{"city (gap)", r.City, "Berlin"},
		{"job title (gap)", r.JobTitle, "CTO"},
		{"status", r.Status, "Approved"},
	} {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if len(r.Responses) != 1 || !slices.Equal(r.Responses[0].Answers, []string{"Reporting", "Security"}) || r.Responses[0].Type != "MULTIPLE_CHOICE" {
		t.Errorf("responses = %+v, want the webhook's", r.Responses)
	}
	if c := mustCounts(t, s); c.Registrants != 1 || c.Webinars != 1 {
		t.Errorf("counts = %+v, want 1 webinar, 1 registrant", c)
	}
}

func TestMergeRegistrants_StatusWinsByRecency(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	put(t, s, addedBody("ev-1", webinarKey, "1", "2025-05-01T09:00:00Z", "status", "Waiting"))
	// GoTo denied them after they registered: REST, asked later, says so.
	mustMergeRegistrants(t, s, []gotowebinar.Registrant{restRegistrant("1", "DENIED", "2025-05-01T09:00:00Z")}, "2025-05-03T00:00:00Z", false)
	if r := mustRegistrant(t, s, webinarKey, "1"); r.Status != "Denied" {
		t.Fatalf("after REST: status %q, want Denied", r.Status)
	}
	// A delivery from before that, arriving late, does not undo it.
	put(t, s, addedBody("ev-late", webinarKey, "1", "2025-05-02T00:00:00Z", "status", "Approved", "city", "Oslo"))
	r := mustRegistrant(t, s, webinarKey, "1")
	if r.Status != "Denied" || r.City != "Oslo" {
		t.Errorf("after a late older delivery: status %q city %q, want Denied and the city filled in", r.Status, r.City)
	}
	// One newer than what REST said wins.
	put(t, s, addedBody("ev-new", webinarKey, "1", "2025-05-04T00:00:00Z", "status", "Approved"))
	if r := mustRegistrant(t, s, webinarKey, "1"); r.Status != "Approved" {
		t.Errorf("after a newer delivery: status %q, want Approved", r.Status)
	}
	statuses, err := s.Statuses(webinarKey)
	if err != nil || !slices.Equal(statuses, []string{"Approved"}) {
		t.Errorf("statuses = %v, %v: want only Approved counted (REST's APPROVED spelled as the webhooks do)", statuses, err)
	}
}

func TestMergeRegistrants_RESTNeverUndoesACancellation(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	put(t, s,
		addedBody("ev-1", webinarKey, "1", "2025-05-01T09:00:00Z", "status", "Cancelled"),
		addedBody("ev-2", webinarKey, "2", "2025-05-01T09:00:00Z"))
	if err := s.MarkRegistrantRemoved(webinarKey, "2", at("2025-05-02T00:00:00Z")); err != nil {
		t.Fatal(err)
	}
	// REST knows no "cancelled": its APPROVED for the same registration is
	// not news.
	mustMergeRegistrants(t, s, []gotowebinar.Registrant{
		restRegistrant("1", "APPROVED", "2025-05-01T09:00:00Z"),
		restRegistrant("2", "APPROVED", "2025-05-01T09:00:00Z"),
	}, "2025-05-05T00:00:00Z", false)
	for _, k := range []string{"1", "2"} {
		if r := mustRegistrant(t, s, webinarKey, k); r.Status != "Cancelled" {
			t.Errorf("registrant %s: status %q, want Cancelled kept", k, r.Status)
		}
	}
	// Registered again after the cancellation: that is news.
	mustMergeRegistrants(t, s, []gotowebinar.Registrant{restRegistrant("2", "APPROVED", "2025-05-04T00:00:00Z")}, "2025-05-06T00:00:00Z", false)
	if r := mustRegistrant(t, s, webinarKey, "2"); r.Status != "Approved" {
		t.Errorf("re-registered: status %q, want Approved", r.Status)
	}
	// A denial is a later decision GoTo can state: it wins by recency.
	mustMergeRegistrants(t, s, []gotowebinar.Registrant{restRegistrant("1", "DENIED", "2025-05-01T09:00:00Z")}, "2025-05-07T00:00:00Z", false)
	if r := mustRegistrant(t, s, webinarKey, "1"); r.Status != "Denied" {
		t.Errorf("denied after cancelling: status %q, want Denied", r.Status)
	}
}

func TestMergeRegistrants_IsIdempotent(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	put(t, s, addedBody("ev-1", webinarKey, "1", "2025-05-01T09:00:00Z"))
	list := []gotowebinar.Registrant{
		restRegistrant("1", "APPROVED", "2025-05-01T09:00:00Z"),
		restRegistrant(bigKey, "WAITING", "2025-05-01T10:00:00Z"),
	}
	first := mustMergeRegistrants(t, s, list, "2025-05-02T00:00:00Z", false)
	before := mustRegistrant(t, s, webinarKey, bigKey)
	counts := mustCounts(t, s)
	again := mustMergeRegistrants(t, s, list, "2025-05-03T00:00:00Z", false)
	if first.Added != 1 || again != (MergeResult{}) {
		t.Errorf("first merge %+v, second %+v: want one added, then nothing", first, again)
	}
	if after := mustRegistrant(t, s, webinarKey, bigKey); !after.UpdatedAt.Equal(before.UpdatedAt) || after.Status != "Waiting" {
		t.Errorf("the same answer merged again changed the registrant: %+v → %+v", before, after)
	}
	if c := mustCounts(t, s); c != counts || c.Registrants != 2 {
		t.Errorf("counts %+v → %+v, want 2 registrants both times", counts, c)
	}
	page, total, err := s.Registrants(webinarKey, RegistrantQuery{Status: "waiting"})
	if err != nil || total != 1 || len(page) != 1 || page[0].RegistrantKey != bigKey {
		t.Errorf("waiting registrants = %v (%d), %v", page, total, err)
	}
}

func TestMergeRegistrants_AnOlderWebhookCompletesARESTRegistrant(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	mustMergeRegistrants(t, s, []gotowebinar.Registrant{restRegistrant("1", "APPROVED", "2025-05-01T09:00:00Z")}, "2025-05-02T00:00:00Z", false)
	need, err := s.NeedsDetail(webinarKey, []string{"1"})
	if err != nil || !slices.Equal(need, []string{"1"}) {
		t.Fatalf("NeedsDetail = %v, %v: want the listed-only registrant", need, err)
	}
	// The registration's webhook, delayed: its form fields fill the gaps.
	put(t, s, addedBody("ev-1", webinarKey, "1", "2025-05-01T09:00:00Z", "status", "Waiting",
		"organization", "Initech", "responses", raw(`[{"question":"Role?","answer":"Dev"}]`)))
	r := mustRegistrant(t, s, webinarKey, "1")
	if r.Organization != "Initech" || len(r.Responses) != 1 || r.Status != "Approved" {
		t.Errorf("registrant = %+v: want the webhook's fields, and REST's newer status", r)
	}
	if need, _ := s.NeedsDetail(webinarKey, []string{"1"}); len(need) != 0 {
		t.Errorf("NeedsDetail after the webhook = %v, want none", need)
	}
	if c := mustCounts(t, s); c.Registrants != 1 {
		t.Errorf("%d registrants, want 1", c.Registrants)
	}
}

func TestNeedsDetail_AskedOnceOnly(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	put(t, s, addedBody("ev-1", webinarKey, "1", "2025-05-01T09:00:00Z", "organization", "Globex"))
	mustMergeRegistrants(t, s, []gotowebinar.Registrant{
		restRegistrant("1", "APPROVED", "2025-05-01T09:00:00Z"),
		restRegistrant("2", "APPROVED", "2025-05-01T09:00:00Z"),
		restRegistrant("3", "APPROVED", "2025-05-01T09:00:00Z"),
	}, "2025-05-02T00:00:00Z", false)
	need, err := s.NeedsDetail(webinarKey, []string{"1", "2", "3", "4"})
	if err != nil || !slices.Equal(need, []string{"2", "3", "4"}) {
		t.Fatalf("NeedsDetail = %v, %v", need, err)
	}
	// Fetched one by one: even a form with no more fields is not asked again.
	mustMergeRegistrants(t, s, []gotowebinar.Registrant{restRegistrant("2", "APPROVED", "2025-05-01T09:00:00Z")}, "2025-05-02T00:00:01Z", true)
	if err := s.MarkDetailed(webinarKey, "4", at("2025-05-02T00:00:02Z")); err != nil {
		t.Fatal(err)
	}
	if need, _ := s.NeedsDetail(webinarKey, []string{"1", "2", "3", "4"}); !slices.Equal(need, []string{"3"}) {
		t.Errorf("NeedsDetail afterwards = %v, want [3]", need)
	}
}

func TestMergeWebinars_AddsUpdatesAndKeepsSpelling(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	put(t, s, webinarBody("webinar.created", "ev-w", webinarKey, "NEW", "2025-04-01T08:00:00Z"))
	start := at("2025-07-01T15:00:00Z")
	list := []gotowebinar.Webinar{
		{WebinarKey: webinarKey, Subject: "Quarterly Launch (moved)", ExperienceType: "classic", RecurrenceType: "single_session",
			Times: []gotowebinar.TimeRange{{StartTime: gotowebinar.Time{Time: start}, EndTime: gotowebinar.Time{Time: start.Add(time.Hour)}}}},
		{WebinarKey: bigKey, Subject: "Missed while asleep", ExperienceType: "broadcast", TimeZone: "Asia/Tokyo",
			Times: []gotowebinar.TimeRange{{StartTime: gotowebinar.Time{Time: start}, EndTime: gotowebinar.Time{Time: start.Add(time.Hour)}}}},
	}
	res, err := mergeGoToWebinars(s, list, at("2025-05-01T00:00:00Z"))
	if err != nil || res.Added != 1 || res.Changed != 1 {
		t.Fatalf("MergeWebinars = %+v, %v: want one added, one changed", res, err)
	}
	w := mustWebinar(t, s, webinarKey)
	if w.Title != "Quarterly Launch (moved)" || w.ExperienceType != "CLASSIC" || !w.StartTime.Equal(start) || w.Description != "What is new this quarter" || w.Status != "NEW" {
		t.Errorf("known webinar after the merge = %+v", w)
	}
	if w := mustWebinar(t, s, bigKey); w.WebinarKey != bigKey || w.ExperienceType != "BROADCAST" || w.TimeZone != "Asia/Tokyo" {
		t.Errorf("new webinar = %+v", w)
	}
	if res, _ := mergeGoToWebinars(s, list, at("2025-05-02T00:00:00Z")); res != (MergeResult{}) {
		t.Errorf("the same list again = %+v, want no change", res)
	}
	if c := mustCounts(t, s); c.Webinars != 2 {
		t.Errorf("%d webinars, want 2", c.Webinars)
	}
}

func attendee(key, first string, seconds int64, intervals ...string) gotowebinar.Attendee {
	a := gotowebinar.Attendee{RegistrantKey: gotowebinar.Key(key), FirstName: first, LastName: "Test", Email: first + "@example.com", AttendanceTimeInSeconds: seconds}
	for i := 0; i+1 < len(intervals); i += 2 {
		a.Attendance = append(a.Attendance, gotowebinar.AttendanceInterval{JoinTime: gotowebinar.Time{Time: at(intervals[i])}, LeaveTime: gotowebinar.Time{Time: at(intervals[i+1])}})
	}
	return a
}

func session(key, start string) gotowebinar.Session {
	return gotowebinar.Session{SessionKey: gotowebinar.Key(key), StartTime: gotowebinar.Time{Time: at(start)},
		EndTime: gotowebinar.Time{Time: at(start).Add(time.Hour)}}
}

func TestMergeSessionAttendance_SumsSessionsAndReplacesAReport(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	put(t, s,
		addedBody("ev-1", webinarKey, "1", "2025-05-01T09:00:00Z"),
		joinedBody("ev-j", webinarKey, "1", "111", "2025-06-10T15:02:00Z"),
		joinedBody("ev-j2", webinarKey, "7", "222", "2025-06-11T15:09:00Z", "firstName", "Live"))
	s1, s2 := session("111", "2025-06-10T15:00:00Z"), session("222", "2025-06-11T15:00:00Z")
	merge := func(sess gotowebinar.Session, as ...gotowebinar.Attendee) {
		t.Helper()
		if err := mergeGoToAttendance(s, webinarKey, sess, as, at("2025-06-12T00:00:00Z")); err != nil {
			t.Fatal(err)
		}
	}
	merge(s1,
		attendee("1", "Ada", 1800, "2025-06-10T15:02:00Z", "2025-06-10T15:20:00Z", "2025-06-10T15:40:00Z", "2025-06-10T15:52:00Z"),
		attendee(bigKey, "Grace", 600, "2025-06-10T15:10:00Z", "2025-06-10T15:20:00Z"))
	merge(s2, attendee("1", "Ada", 300, "2025-06-11T15:01:00Z", "2025-06-11T15:06:00Z"))

	r := mustRegistrant(t, s, webinarKey, "1")
	if !r.Attended || r.AttendanceTimeInSeconds != 2100 || !r.JoinTime.Equal(at("2025-06-10T15:02:00Z")) || !r.LeaveTime.Equal(at("2025-06-11T15:06:00Z")) {
		t.Errorf("Ada's attendance = %v %ds %v–%v, want 2100 s from the first join to the last leave", r.Attended, r.AttendanceTimeInSeconds, r.JoinTime, r.LeaveTime)
	}
	if r.Joins != 1 || r.Status != "Approved" {
		t.Errorf("Ada's webhook data changed: joins %d, status %q", r.Joins, r.Status)
	}
	g := mustRegistrant(t, s, webinarKey, bigKey)
	if g.FirstName != "Grace" || !g.Attended || g.AttendanceTimeInSeconds != 600 {
		t.Errorf("Grace, known only from the report = %+v", g)
	}
	counts := mustCounts(t, s)
	if counts.Registrants != 3 {
		t.Errorf("%d registrants, want 3 (Ada, Grace, the live joiner)", counts.Registrants)
	}
	// Two were there by GoTo's report (Ada, Grace), two by webhooks (Ada,
	// the live joiner): the webinar counts two present either way.
	if w := mustWebinar(t, s, webinarKey); w.Attended != 2 || w.Joined != 2 || w.Present() != 2 {
		t.Errorf("webinar attended %d, joined %d, present %d; want 2, 2, 2", w.Attended, w.Joined, w.Present())
	}

	// The same report again: nothing changes. A newer report of session 1
	// without Grace withdraws her attendance.
	merge(s2, attendee("1", "Ada", 300, "2025-06-11T15:01:00Z", "2025-06-11T15:06:00Z"))
	if c := mustCounts(t, s); c != counts {
		t.Errorf("counts %+v → %+v after the same report", counts, c)
	}
	merge(s1, attendee("1", "Ada", 1800, "2025-06-10T15:02:00Z", "2025-06-10T15:20:00Z", "2025-06-10T15:40:00Z", "2025-06-10T15:52:00Z"))
	if g := mustRegistrant(t, s, webinarKey, bigKey); g.Attended || g.AttendanceTimeInSeconds != 0 || !g.JoinTime.IsZero() {
		t.Errorf("Grace after a report without her = %+v", g)
	}
	if w := mustWebinar(t, s, webinarKey); w.Attended != 1 {
		t.Errorf("webinar attended %d after Grace was withdrawn, want 1", w.Attended)
	}

	sessions, err := s.Sessions(webinarKey)
	if err != nil || len(sessions) != 2 || sessions[0].SessionKey != "111" {
		t.Errorf("sessions = %+v, %v", sessions, err)
	}

	// Registrants CSV: the attendance columns after joined, firstJoinTime.
	rows := exportCSV(t, s, webinarKey)
	h := rows[0]
	var ada []string
	for _, row := range rows[1:] {
		if row[0] == "1" {
			ada = row
		}
	}
	for _, c := range []struct{ col, want string }{
		{"attended", "true"}, {"attendanceTimeInSeconds", "2100"},
		{"joinTime", "2025-06-10T15:02:00Z"}, {"leaveTime", "2025-06-11T15:06:00Z"},
	} {
		if got := column(h, ada, c.col); got != c.want {
			t.Errorf("CSV %s = %q, want %q", c.col, got, c.want)
		}
	}
	if i := slices.Index(h, "attended"); i != slices.Index(h, "firstJoinTime")+1 {
		t.Errorf("attended is column %d, want right after firstJoinTime", i)
	}

	// Attendees CSV: the report per session, then webhook joins it lacks.
	var buf bytes.Buffer
	if err := s.ExportAttendeesCSV(&buf, webinarKey); err != nil {
		t.Fatal(err)
	}
	got := readCSV(t, &buf)
	want := [][]string{
		columnNames(attendeeColumns()),
		{"111", "2025-06-10T15:00:00Z", "2025-06-10T16:00:00Z", "1", "Ada", "Test", "Ada@example.com", "1800",
			"2025-06-10T15:02:00Z", "2025-06-10T15:52:00Z", "2025-06-10T15:02:00Z/2025-06-10T15:20:00Z; 2025-06-10T15:40:00Z/2025-06-10T15:52:00Z", "report"},
		{"222", "2025-06-11T15:00:00Z", "2025-06-11T16:00:00Z", "1", "Ada", "Test", "Ada@example.com", "300",
			"2025-06-11T15:01:00Z", "2025-06-11T15:06:00Z", "2025-06-11T15:01:00Z/2025-06-11T15:06:00Z", "report"},
		{"222", "2025-06-11T15:00:00Z", "2025-06-11T16:00:00Z", "7", "Live", "Lovelace", "ada@example.com", "",
			"2025-06-11T15:09:00Z", "", "", "webhook"},
	}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("attendees CSV =\n%q\nwant\n%q", got, want)
	}
}

// Someone GoTo's attendance report lists is no no-show, even when no
// webhook saw them join (the laptop was off during the session).
func TestNoShows_LeaveOutThoseTheAttendanceReportLists(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	put(t, s,
		addedBody("ev-1", webinarKey, "10", "2025-05-01T09:00:00Z"),
		addedBody("ev-2", webinarKey, "11", "2025-05-01T09:01:00Z"))
	if err := mergeGoToAttendance(s, webinarKey, session("S1", "2025-06-10T15:00:00Z"),
		[]gotowebinar.Attendee{attendee("10", "Ada", 1200, "2025-06-10T15:02:00Z", "2025-06-10T15:22:00Z")},
		at("2025-06-12T00:00:00Z")); err != nil {
		t.Fatal(err)
	}
	for _, sess := range []string{"", "S1"} {
		page, total, err := s.Registrants(webinarKey, RegistrantQuery{NotJoined: true, Session: sess})
		if err != nil {
			t.Fatal(err)
		}
		if total != 1 || len(page) != 1 || page[0].RegistrantKey != "11" {
			t.Errorf("no-shows (session %q) = %d %+v, want only registrant 11", sess, total, page)
		}
	}
}
