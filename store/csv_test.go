package store

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"webinarsync/gotowebinar"
)

var registrantHeader = []string{
	"registrantKey", "firstName", "lastName", "email", "phone", "address", "city",
	"state", "country", "zipCode", "organization", "jobTitle", "industry",
	"numberOfEmployees", "purchasingRole", "purchasingTimeFrame", "comments",
	"status", "registrationDate", "registrationSource", "joinUrl", "joined", "firstJoinTime",
	"attended", "attendanceTimeInSeconds", "attendanceSource", "joinTime", "leaveTime",
}

func exportCSV(t *testing.T, s *Store, webinarKey string) [][]string {
	t.Helper()
	var buf bytes.Buffer
	if err := s.ExportCSV(&buf, webinarKey); err != nil {
		t.Fatalf("ExportCSV(%q): %v", webinarKey, err)
	}
	return readCSV(t, &buf)
}

// readCSV parses an export, which must start with the UTF-8 BOM Excel
// needs to read it as UTF-8.
func readCSV(t *testing.T, r io.Reader) [][]string {
	t.Helper()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	rest, ok := bytes.CutPrefix(b, []byte("\xef\xbb\xbf"))
	if !ok {
		t.Fatalf("CSV does not start with a UTF-8 BOM: %.40q", b)
	}
	rows, err := csv.NewReader(bytes.NewReader(rest)).ReadAll()
	if err != nil {
		t.Fatalf("parse CSV: %v\n%s", err, b)
	}
	return rows
}

func columnNames(cols []exportColumn) []string {
	var names []string
	for _, c := range cols {
		names = append(names, c.name)
	}
	return names
}

// column returns a row's cell by header name.
func column(header, row []string, name string) string {
	i := slices.Index(header, name)
	if i < 0 {
		return "<no column " + name + ">"
	}
	return row[i]
}

func TestExportCSV_HeaderOfOneWebinar(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	put(t, s, addedBody("ev-1", webinarKey, "1", "2025-05-01T09:00:00Z",
		"responses", raw(`[["Role?","MULTIPLE_CHOICE",["Dev"]],["Team size?","SHORT_ANSWER",["5"]]]`)))
	rows := exportCSV(t, s, webinarKey)
	want := append(slices.Clone(registrantHeader), "Role?", "Team size?")
	if !slices.Equal(rows[0], want) {
		t.Errorf("header = %q\nwant     %q", rows[0], want)
	}
}

func TestExportCSV_HeaderOfAllWebinarsHasWebinarColumnsAndQuestionUnion(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	put(t, s,
		webinarBody("webinar.created", "ev-w", "2", "NEW", "2025-04-01T08:00:00Z", "webinarTitle", "Second"),
		addedBody("ev-1", "2", "1", "2025-05-01T09:00:00Z",
			"responses", raw(`[["Role?","MULTIPLE_CHOICE",["Dev"]]]`)),
		addedBody("ev-2", "1", "2", "2025-05-02T09:00:00Z",
			"responses", raw(`[["Team size?","SHORT_ANSWER",["5"]],["Role?","MULTIPLE_CHOICE",["Ops","QA"]]]`)),
	)
	rows := exportCSV(t, s, "")
	want := append(append([]string{"webinarKey", "webinarTitle"}, registrantHeader...), "Role?", "Team size?")
	if !slices.Equal(rows[0], want) {
		t.Fatalf("header = %q\nwant     %q", rows[0], want)
	}
	if len(rows) != 3 {
		t.Fatalf("rows = %q", rows)
	}
	h := rows[0]
	if r := rows[1]; r[0] != "2" || r[1] != "Second" || column(h, r, "Role?") != "Dev" || column(h, r, "Team size?") != "" {
		t.Errorf("row 1 = %q", r)
	}
	if r := rows[2]; r[0] != "1" || r[1] != "Quarterly Launch" || column(h, r, "Role?") != "Ops; QA" || column(h, r, "Team size?") != "5" {
		t.Errorf("row 2 = %q", r)
	}
}

func TestExportCSV_NeutralizesFormulaCells(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	put(t, s,
		addedBody("ev-1", webinarKey, "1", "2025-05-01T09:00:00Z",
			"firstName", "=SUM(A1)", "lastName", "+1", "organization", "-2", "jobTitle", "@x",
			"city", "\tx", "comments", "\rx", "state", "a=b", "phone", "'quoted",
			"address", "  =1+1", "zipCode", "\n@SUM(A1)", "industry", " - ok",
			"responses", raw(`[["=HYPERLINK(\"http://evil\")","SHORT_ANSWER",["=1+1"]]]`)),
		webinarBody("webinar.created", "ev-w", webinarKey, "NEW", "2025-04-01T08:00:00Z", "webinarTitle", "@title"),
	)
	for _, key := range []string{webinarKey, ""} {
		rows := exportCSV(t, s, key)
		h, r := rows[0], rows[1]
		for col, want := range map[string]string{
			"firstName": "'=SUM(A1)", "lastName": "'+1", "organization": "'-2", "jobTitle": "'@x",
			"city": "'\tx", "comments": "'\rx", "state": "a=b", "phone": "'quoted",
			"address": "'  =1+1", "zipCode": "'\n@SUM(A1)", "industry": "' - ok",
			"registrantKey": "1", `'=HYPERLINK("http://evil")`: "'=1+1",
		} {
			if got := column(h, r, col); got != want {
				t.Errorf("export %q: %s = %q, want %q", key, col, got, want)
			}
		}
		if key == "" && (r[0] != webinarKey || r[1] != "'@title") {
			t.Errorf("webinar cells = %q, %q", r[0], r[1])
		}
	}
}

func TestExportCSV_RowsCarryUTF8JoinsAndTimes(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	put(t, s,
		addedBody("ev-1", webinarKey, "1", "2025-05-01T11:00:00+02:00",
			"firstName", "José", "lastName", "Müller", "email", "jose@example.com", "comments", "line one\nline \"two\", three"),
		addedBody("ev-2", webinarKey, "2", "2025-05-02T09:00:00Z", "firstName", "太郎", "lastName", "山田"),
		joinedBody("ev-3", webinarKey, "1", "3", "2025-06-10T15:00:00.123Z"),
	)
	rows := exportCSV(t, s, webinarKey)
	h := rows[0]
	if len(rows) != 3 {
		t.Fatalf("rows = %q", rows)
	}
	jose, taro := rows[1], rows[2]
	for _, c := range []struct{ col, got, want string }{
		{"firstName", column(h, jose, "firstName"), "José"},
		{"lastName", column(h, jose, "lastName"), "Müller"},
		{"comments", column(h, jose, "comments"), "line one\nline \"two\", three"},
		{"registrationDate", column(h, jose, "registrationDate"), "2025-05-01T09:00:00Z"},
		{"joined", column(h, jose, "joined"), "true"},
		{"firstJoinTime", column(h, jose, "firstJoinTime"), "2025-06-10T15:00:00Z"},
		{"status", column(h, jose, "status"), "Approved"},
		{"joinUrl", column(h, jose, "joinUrl"), "https://global.gotowebinar.com/join/" + webinarKey + "/1"},
		{"taro name", column(h, taro, "lastName") + column(h, taro, "firstName"), "山田太郎"},
		{"taro joined", column(h, taro, "joined"), "false"},
		{"taro firstJoinTime", column(h, taro, "firstJoinTime"), ""},
	} {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.col, c.got, c.want)
		}
	}
}

func TestExportCSV_AllWebinarsInRegistrationOrder(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	put(t, s,
		addedBody("ev-1", "1", "13", "2025-05-03T09:00:00Z"),
		addedBody("ev-2", "2", "21", "2025-05-01T09:00:00Z"),
		addedBody("ev-3", "1", "11", "2025-05-01T10:00:00Z"),
		addedBody("ev-4", "2", "22", "2025-05-04T09:00:00Z"),
		addedBody("ev-5", "3", "31", "2025-05-02T09:00:00Z"),
	)
	rows := exportCSV(t, s, "")
	var got []string
	for _, r := range rows[1:] {
		got = append(got, r[0]+"/"+r[2])
	}
	if want := []string{"2/21", "1/11", "3/31", "1/13", "2/22"}; !slices.Equal(got, want) {
		t.Errorf("rows = %v, want %v", got, want)
	}
}

func TestExportCSV_UnknownWebinarWritesNothing(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	var buf bytes.Buffer
	err := s.ExportCSV(&buf, "404")
	if !errors.Is(err, ErrNotFound) || buf.Len() != 0 {
		t.Errorf("err = %v, wrote %q", err, buf.String())
	}
}

func TestExportCSV_EmptyStoreWritesHeaderOnly(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	rows := exportCSV(t, s, "")
	if len(rows) != 1 || rows[0][0] != "webinarKey" {
		t.Errorf("rows = %q", rows)
	}
}

// failingWriter fails once more than limit bytes were written.
type failingWriter struct{ limit int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.limit -= len(p); w.limit < 0 {
		return 0, errors.New("client went away")
	}
	return len(p), nil
}

func TestExportCSV_ReportsWriteErrors(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	var ds []*gotowebinar.Delivery
	for i := range 300 {
		ds = append(ds, delivery(t, addedBody(fmt.Sprint("ev-", i), webinarKey, fmt.Sprint(1000+i), "2025-05-01T09:00:00Z",
			"comments", strings.Repeat("long comment ", 30))))
	}
	putMany(t, s, ds)
	err := s.ExportCSV(&failingWriter{limit: 1000}, webinarKey)
	if err == nil || !strings.Contains(err.Error(), "client went away") {
		t.Errorf("err = %v", err)
	}
}

// No-shows are approved registrants who did not attend, by a webhook join
// or by GoTo's report; denied, waiting and cancelled people are listed
// only when asked for by status.
func TestExportFilteredCSV_NoShowsAreApprovedOnly(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	put(t, s,
		addedBody("ev-1", webinarKey, "1", "2025-05-01T09:00:00Z", "status", "APPROVED"),
		addedBody("ev-2", webinarKey, "2", "2025-05-01T09:01:00Z", "status", "DENIED"),
		addedBody("ev-3", webinarKey, "3", "2025-05-01T09:02:00Z", "status", "WAITING"),
		addedBody("ev-4", webinarKey, "4", "2025-05-01T09:03:00Z", "status", "CANCELLED"),
		addedBody("ev-5", webinarKey, "5", "2025-05-01T09:04:00Z", "status", "APPROVED"),
		joinedBody("ev-6", webinarKey, "5", "9", "2025-06-10T15:00:00Z"),
	)
	for _, tc := range []struct {
		status string
		want   []string
	}{
		{"", []string{"1"}},
		{"denied", []string{"2"}},
		{"CANCELLED", []string{"4"}},
	} {
		var buf bytes.Buffer
		if err := s.ExportFilteredCSV(&buf, webinarKey, NoShowsQuery("", "", tc.status)); err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, r := range readCSV(t, &buf)[1:] {
			keys = append(keys, r[0])
		}
		if !slices.Equal(keys, tc.want) {
			t.Errorf("no-shows with status %q = %v, want %v", tc.status, keys, tc.want)
		}
	}
}

// attended (and the contract's joined) say yes when either a webhook saw
// a join or GoTo's report lists the person; attendanceSource says which.
func TestExportCSV_AttendedFromWebhookOrReport(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	put(t, s,
		addedBody("ev-1", webinarKey, "1", "2025-05-01T09:00:00Z"),
		addedBody("ev-2", webinarKey, "2", "2025-05-01T09:01:00Z"),
		addedBody("ev-3", webinarKey, "3", "2025-05-01T09:02:00Z"),
		joinedBody("ev-4", webinarKey, "1", "9", "2025-06-10T15:05:00Z"),
	)
	join := gotowebinar.Time{Time: time.Date(2025, 6, 10, 15, 1, 0, 0, time.UTC)}
	leave := gotowebinar.Time{Time: time.Date(2025, 6, 10, 15, 31, 0, 0, time.UTC)}
	err := mergeGoToAttendance(s, webinarKey, gotowebinar.Session{SessionKey: "9"}, []gotowebinar.Attendee{
		{RegistrantKey: "2", AttendanceTimeInSeconds: 1800, Attendance: []gotowebinar.AttendanceInterval{{JoinTime: join, LeaveTime: leave}}},
	}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	rows := exportCSV(t, s, webinarKey)
	h := rows[0]
	want := map[string][]string{ // joined, attended, attendanceTimeInSeconds, attendanceSource, firstJoinTime
		"1": {"true", "true", "", "webhook", "2025-06-10T15:05:00Z"},
		"2": {"true", "true", "1800", "report", "2025-06-10T15:01:00Z"},
		"3": {"false", "false", "", "", ""},
	}
	for _, r := range rows[1:] {
		got := []string{column(h, r, "joined"), column(h, r, "attended"), column(h, r, "attendanceTimeInSeconds"),
			column(h, r, "attendanceSource"), column(h, r, "firstJoinTime")}
		if !slices.Equal(got, want[r[0]]) {
			t.Errorf("registrant %s: %q, want %q", r[0], got, want[r[0]])
		}
	}
}
