package store

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

// fillRegistrants stores n registrants of webinarKey registered one minute
// apart (registrant i at minute i), alternating Approved and Waiting, every
// third one at "Acme Corp".
func fillRegistrants(t *testing.T, s *Store, n int) {
	t.Helper()
	base := time.Date(2025, 5, 1, 9, 0, 0, 0, time.UTC)
	for i := range n {
		status, org := "Approved", "Widgets GmbH"
		if i%2 == 1 {
			status = "Waiting"
		}
		if i%3 == 0 {
			org = "Acme Corp"
		}
		put(t, s, addedBody(fmt.Sprintf("ev-%d", i), webinarKey, fmt.Sprint(100+i),
			base.Add(time.Duration(i)*time.Minute).Format(time.RFC3339),
			"firstName", fmt.Sprintf("First%02d", i), "lastName", "Person",
			"email", fmt.Sprintf("p%02d@example.com", i), "status", status, "organization", org))
	}
}

func TestRegistrants_PagesNewestRegistrationFirstByDefault(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	fillRegistrants(t, s, 30)

	page, total := registrants(t, s, webinarKey, RegistrantQuery{Limit: 10})
	if total != 30 || !slices.Equal(registrantKeys(page), keyRange(129, 120)) {
		t.Errorf("first page = %v (total %d)", registrantKeys(page), total)
	}
	page, total = registrants(t, s, webinarKey, RegistrantQuery{Offset: 25, Limit: 10})
	if total != 30 || !slices.Equal(registrantKeys(page), keyRange(104, 100)) {
		t.Errorf("last page = %v (total %d)", registrantKeys(page), total)
	}
	page, _ = registrants(t, s, webinarKey, RegistrantQuery{Sort: SortRegisteredAsc, Offset: 3, Limit: 3})
	if !slices.Equal(registrantKeys(page), []string{"103", "104", "105"}) {
		t.Errorf("ascending page = %v", registrantKeys(page))
	}
	page, total = registrants(t, s, webinarKey, RegistrantQuery{Offset: 40})
	if total != 30 || len(page) != 0 {
		t.Errorf("past the end: %v (total %d)", registrantKeys(page), total)
	}
	if page, _ = registrants(t, s, webinarKey, RegistrantQuery{}); len(page) != 30 {
		t.Errorf("default limit page has %d", len(page))
	}
}

func TestRegistrants_SearchAndStatusFilterCountAllMatches(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	fillRegistrants(t, s, 30)
	for _, tc := range []struct {
		name  string
		q     RegistrantQuery
		total int
		page  []string
	}{
		{"organization, any case", RegistrantQuery{Search: "aCmE", Limit: 3}, 10, []string{"127", "124", "121"}},
		{"full name across first and last", RegistrantQuery{Search: "first07 person"}, 1, []string{"107"}},
		{"email", RegistrantQuery{Search: "P11@EXAMPLE"}, 1, []string{"111"}},
		{"status, any case", RegistrantQuery{Status: "waiting", Limit: 2}, 15, []string{"129", "127"}},
		{"status and search", RegistrantQuery{Status: "APPROVED", Search: "acme", Sort: SortRegisteredAsc}, 5, []string{"100", "106", "112", "118", "124"}},
		{"status and search, offset", RegistrantQuery{Status: "Approved", Search: "acme", Offset: 4}, 5, []string{"100"}},
		{"no match", RegistrantQuery{Search: "nobody"}, 0, nil},
		{"unknown status", RegistrantQuery{Status: "Denied"}, 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			page, total := registrants(t, s, webinarKey, tc.q)
			if total != tc.total || !slices.Equal(registrantKeys(page), tc.page) {
				t.Errorf("got %v (total %d), want %v (total %d)", registrantKeys(page), total, tc.page, tc.total)
			}
		})
	}
	if st, _ := s.Statuses(webinarKey); !slices.Equal(st, []string{"Approved", "Waiting"}) {
		t.Errorf("Statuses = %v", st)
	}
}

func TestRegistrants_UnknownWebinarIsNotFound(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	if _, _, err := s.Registrants("404", RegistrantQuery{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("Registrants: %v", err)
	}
	if _, err := s.Registrant("404", "1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Registrant: %v", err)
	}
	if _, err := s.Webinar("404"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Webinar: %v", err)
	}
	put(t, s, addedBody("ev-1", webinarKey, "1", "2025-05-01T09:00:00Z"))
	if _, err := s.Registrant(webinarKey, "2"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Registrant of known webinar: %v", err)
	}
	if _, err := s.Questions("404"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Questions: %v", err)
	}
	if _, err := s.Event(99); !errors.Is(err, ErrNotFound) {
		t.Errorf("Event: %v", err)
	}
}

func TestWebinars_NewestStartFirstThenByLastChange(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	put(t, s,
		webinarBody("webinar.created", "ev-1", "1", "NEW", "2025-05-01T08:00:00Z",
			"times", raw(`[["2025-06-01T15:00:00Z","2025-06-01T16:00:00Z"]]`)),
		webinarBody("webinar.created", "ev-2", "2", "NEW", "2025-05-01T08:00:00Z",
			"times", raw(`[["2025-07-01T15:00:00Z","2025-07-01T16:00:00Z"]]`)),
		webinarBody("webinar.created", "ev-3", "3", "NEW", "2025-05-20T08:00:00Z", "times", raw(`[]`)),
		addedBody("ev-4", "4", "1", "2025-05-02T09:00:00Z"),
	)
	ws, err := s.Webinars()
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, w := range ws {
		keys = append(keys, w.WebinarKey)
	}
	if !slices.Equal(keys, []string{"2", "1", "3", "4"}) {
		t.Errorf("Webinars order = %v", keys)
	}
	if ws[3].Registrants != 1 || ws[3].Status != "" {
		t.Errorf("stub webinar = %+v", ws[3])
	}
}

func TestEvents_NewestFirstWithNameFilterAndCursor(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	for i := 1; i <= 12; i++ {
		b := addedBody(fmt.Sprintf("a-%d", i), webinarKey, fmt.Sprint(i), "2025-05-01T09:00:00Z")
		if i%3 == 0 {
			b = joinedBody(fmt.Sprintf("j-%d", i), webinarKey, fmt.Sprint(i), "1", "2025-06-10T15:00:00Z")
		}
		put(t, s, b)
	}
	seqs := func(es []LogEntry) []uint64 {
		var out []uint64
		for _, e := range es {
			out = append(out, e.Seq)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		q    EventQuery
		want []uint64
	}{
		{"all", EventQuery{}, []uint64{12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1}},
		{"limit", EventQuery{Limit: 3}, []uint64{12, 11, 10}},
		{"before", EventQuery{Before: 10, Limit: 3}, []uint64{9, 8, 7}},
		{"before past the end", EventQuery{Before: 100, Limit: 2}, []uint64{12, 11}},
		{"before the first", EventQuery{Before: 1}, nil},
		{"name", EventQuery{Name: "registrant.joined"}, []uint64{12, 9, 6, 3}},
		{"name and before", EventQuery{Name: "registrant.joined", Before: 9, Limit: 1}, []uint64{6}},
		{"name and before between entries", EventQuery{Name: "registrant.joined", Before: 11}, []uint64{9, 6, 3}},
		{"unknown name", EventQuery{Name: "nope"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			es, err := s.Events(tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if got := seqs(es); !slices.Equal(got, tc.want) {
				t.Errorf("seqs = %v, want %v", got, tc.want)
			}
			for _, e := range es {
				if len(e.Raw) == 0 || e.EventKey == "" || e.WebinarKey != webinarKey {
					t.Errorf("entry %+v", e)
				}
			}
		})
	}
	if names, _ := s.EventNames(); !slices.Equal(names, []string{"registrant.added", "registrant.joined"}) {
		t.Errorf("EventNames = %v", names)
	}
	if e, err := s.Event(9); err != nil || e.EventKey != "j-9" {
		t.Errorf("Event(9) = %+v, %v", e, err)
	}
	if last, err := s.LastDelivery(); err != nil || !last.Equal(time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)) {
		t.Errorf("LastDelivery = %v, %v", last, err)
	}
}

func TestLastDelivery_ZeroWhenEmpty(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	if last, err := s.LastDelivery(); err != nil || !last.IsZero() {
		t.Errorf("LastDelivery = %v, %v", last, err)
	}
}

func TestQuestions_FirstSeenOrderPerWebinar(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	put(t, s,
		addedBody("ev-1", webinarKey, "1", "2025-05-01T09:00:00Z",
			"responses", raw(`[["Role?","MULTIPLE_CHOICE",["Dev"]],["Team size?","SHORT_ANSWER",["5"]]]`)),
		addedBody("ev-2", webinarKey, "2", "2025-05-01T09:01:00Z",
			"responses", raw(`[{"question":"Heard of us where?","answer":"Blog"},{"question":"Role?","answer":"Ops"}]`)),
		addedBody("ev-3", "2", "3", "2025-05-01T09:01:00Z", "responses", raw(`"[[\"Other webinar?\",\"SHORT_ANSWER\",[\"yes\"]]]"`)),
	)
	qs, err := s.Questions(webinarKey)
	if err != nil || !slices.Equal(qs, []string{"Role?", "Team size?", "Heard of us where?"}) {
		t.Errorf("Questions = %q, %v", qs, err)
	}
	if qs, _ := s.Questions("2"); !slices.Equal(qs, []string{"Other webinar?"}) {
		t.Errorf("Questions of webinar 2 = %q", qs)
	}
}

// keyRange lists registrant keys from..to inclusive, either direction.
func keyRange(from, to int) []string {
	var out []string
	step := 1
	if to < from {
		step = -1
	}
	for i := from; ; i += step {
		out = append(out, fmt.Sprint(i))
		if i == to {
			return out
		}
	}
}
