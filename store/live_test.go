package store

import (
	"bytes"
	"fmt"
	"slices"
	"testing"
	"time"
)

const (
	sessionA = "1111111111111111111"
	sessionB = "2222222222222222222"
)

// fillSeries stores 6 registrants (100…105); 100 and 101 join session A,
// then 101 and 102 join session B, the B joins arriving in reverse join-time
// order, as late retries do.
func fillSeries(t *testing.T, s *Store) {
	t.Helper()
	fillRegistrants(t, s, 6)
	put(t, s,
		joinedBody("j-a-100", webinarKey, "100", sessionA, "2025-06-10T15:01:00Z"),
		joinedBody("j-a-101", webinarKey, "101", sessionA, "2025-06-10T15:02:00Z"),
		joinedBody("j-b-102", webinarKey, "102", sessionB, "2025-06-17T15:09:00Z"),
		joinedBody("j-b-101", webinarKey, "101", sessionB, "2025-06-17T15:03:00Z"),
	)
}

func eventKeys(js []Join) []string {
	var out []string
	for _, j := range js {
		out = append(out, j.EventKey)
	}
	return out
}

func TestJoinsAfter_ReturnsNewerDeliveriesInArrivalOrderWithSeq(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	fillSeries(t, s)

	all, err := s.JoinsAfter(webinarKey, 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"j-a-100", "j-a-101", "j-b-102", "j-b-101"}; !slices.Equal(eventKeys(all), want) {
		t.Fatalf("JoinsAfter(0) = %v, want %v (arrival order)", eventKeys(all), want)
	}
	for i := 1; i < len(all); i++ {
		if all[i].Seq <= all[i-1].Seq || all[i-1].Seq == 0 {
			t.Fatalf("seqs not increasing: %d then %d", all[i-1].Seq, all[i].Seq)
		}
	}
	rest, err := s.JoinsAfter(webinarKey, all[1].Seq)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"j-b-102", "j-b-101"}; !slices.Equal(eventKeys(rest), want) {
		t.Errorf("JoinsAfter(%d) = %v, want %v", all[1].Seq, eventKeys(rest), want)
	}
	if none, err := s.JoinsAfter(webinarKey, all[3].Seq); err != nil || len(none) != 0 {
		t.Errorf("JoinsAfter(last) = %v, %v; want none", eventKeys(none), err)
	}
	last, err := s.LastSeq()
	if err != nil || last != all[3].Seq {
		t.Errorf("LastSeq() = %d, %v; want %d", last, err, all[3].Seq)
	}

	// Joins carries the same seqs, newest join time first.
	joins, err := s.Joins(webinarKey, 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"j-b-102", "j-b-101", "j-a-101", "j-a-100"}; !slices.Equal(eventKeys(joins), want) {
		t.Errorf("Joins = %v, want %v", eventKeys(joins), want)
	}
	if joins[0].Seq != all[2].Seq {
		t.Errorf("Joins()[0].Seq = %d, want %d", joins[0].Seq, all[2].Seq)
	}
	if _, err := s.JoinsAfter("999", 0); err == nil {
		t.Error("JoinsAfter of an unknown webinar: no error")
	}
}

func TestRegistrants_NotJoinedListsNoShowsPerSession(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	fillSeries(t, s)
	for _, tc := range []struct {
		name string
		q    RegistrantQuery
		want []string
	}{
		{"any session", RegistrantQuery{NotJoined: true}, []string{"105", "104", "103"}},
		{"session A", RegistrantQuery{NotJoined: true, Session: sessionA}, []string{"105", "104", "103", "102"}},
		{"session B", RegistrantQuery{NotJoined: true, Session: sessionB}, []string{"105", "104", "103", "100"}},
		{"with search", RegistrantQuery{NotJoined: true, Session: sessionB, Search: "acme"}, []string{"103", "100"}},
		{"paged", RegistrantQuery{NotJoined: true, Offset: 1, Limit: 1}, []string{"104"}},
		{"unknown session: everyone", RegistrantQuery{NotJoined: true, Session: "9"}, keyRange(105, 100)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			page, total := registrants(t, s, webinarKey, tc.q)
			wantTotal := len(tc.want)
			if tc.q.Limit == 1 {
				wantTotal = 3
			}
			if !slices.Equal(registrantKeys(page), tc.want) || total != wantTotal {
				t.Errorf("got %v (total %d), want %v (total %d)", registrantKeys(page), total, tc.want, wantTotal)
			}
		})
	}
}

func TestExportFilteredCSV_NoShowsKeepColumnsAndNeutralizing(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	fillSeries(t, s)
	put(t, s, addedBody("ev-evil", webinarKey, "199", "2025-05-02T09:00:00Z", "firstName", "=cmd()", "email", "@evil.example"))

	var buf bytes.Buffer
	if err := s.ExportFilteredCSV(&buf, webinarKey, RegistrantQuery{NotJoined: true, Session: sessionA}); err != nil {
		t.Fatal(err)
	}
	rows := readCSV(t, &buf)
	if !slices.Equal(rows[0], registrantHeader) {
		t.Errorf("header = %v, want the registrants header", rows[0])
	}
	var keys []string
	for _, r := range rows[1:] {
		keys = append(keys, r[0])
		if r[0] == "199" && (column(rows[0], r, "firstName") != "'=cmd()" || column(rows[0], r, "email") != "'@evil.example") {
			t.Errorf("formula cells not neutralized: %q", r)
		}
	}
	// Registration order; 101 also joined B but is no no-show of A.
	if want := []string{"102", "103", "104", "105", "199"}; !slices.Equal(keys, want) {
		t.Errorf("no-shows of A = %v, want %v", keys, want)
	}

	buf.Reset()
	if err := s.ExportFilteredCSV(&buf, "", RegistrantQuery{NotJoined: true, Search: "first0"}); err != nil {
		t.Fatal(err)
	}
	rows = readCSV(t, &buf)
	if len(rows) != 4 || rows[0][0] != "webinarKey" || rows[1][2] != "103" || rows[3][2] != "105" {
		t.Errorf("all webinars, no-shows of any session matching first0: %q", rows)
	}
}

func TestLastJoinTimes_LatestJoinPerWebinar(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	fillSeries(t, s)
	put(t, s, addedBody("other-r", "77", "1", "2025-05-01T09:00:00Z"))
	got, err := s.LastJoinTimes()
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2025, 6, 17, 15, 9, 0, 0, time.UTC)
	if len(got) != 1 || !got[webinarKey].Equal(want) {
		t.Errorf("LastJoinTimes() = %v, want only %s: %v", got, webinarKey, want)
	}
	if fmt.Sprint(timeFromKey(timeKey(time.Time{}))) != fmt.Sprint(time.Time{}) {
		t.Error("timeFromKey does not undo timeKey for the zero time")
	}
}
