package store

import (
	"fmt"
	"testing"
	"time"
)

func TestSearchPeople_FindsByNameEmailOrOrganizationAcrossWebinars(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	put(t, s,
		addedBody("ev-1", "111", "901", "2025-05-01T09:00:00Z", "firstName", "Ada", "lastName", "Lovelace", "email", "ada@example.com", "organization", "Analytical Engines"),
		addedBody("ev-2", "222", "902", "2025-05-02T09:00:00Z", "firstName", "Ada", "lastName", "Byron", "email", "byron@example.org", "organization", "Poets"),
		addedBody("ev-3", "222", "903", "2025-05-03T09:00:00Z", "firstName", "Grace", "lastName", "Hopper", "email", "grace@navy.example", "organization", "US Navy"),
	)
	for _, tc := range []struct {
		query string
		want  []string // webinarKey/registrantKey
	}{
		{"ADA", []string{"111/901", "222/902"}},
		{"navy.example", []string{"222/903"}},
		{"engines", []string{"111/901"}},
		{"  ", nil},
		{"nobody", nil},
	} {
		got, total, err := s.SearchPeople(tc.query, 10)
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, m := range got {
			keys = append(keys, m.Webinar.WebinarKey+"/"+m.Registrant.RegistrantKey)
		}
		if fmt.Sprint(keys) != fmt.Sprint(tc.want) || total != len(tc.want) {
			t.Errorf("SearchPeople(%q) = %v (total %d), want %v", tc.query, keys, total, tc.want)
		}
	}
}

func TestSearchPeople_LimitsThePageButCountsAll(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	fillRegistrants(t, s, 12)
	got, total, err := s.SearchPeople("person", 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 5 || total != 12 || got[0].Registrant.RegistrantKey != "111" {
		t.Errorf("got %d (first %v), total %d; want 5 newest first, total 12", len(got), got[0].Registrant.RegistrantKey, total)
	}
}

func TestRegistrationsPerDay_CountsEachUTCDayIncludingEmptyOnes(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	put(t, s,
		addedBody("ev-1", webinarKey, "901", "2025-05-01T09:00:00Z"),
		addedBody("ev-2", webinarKey, "902", "2025-05-01T23:59:00Z"),
		addedBody("ev-3", webinarKey, "903", "2025-05-03T00:01:00Z"),
	)
	got, err := s.RegistrationsPerDay(webinarKey)
	if err != nil {
		t.Fatal(err)
	}
	day := func(d int) time.Time { return time.Date(2025, 5, d, 0, 0, 0, 0, time.UTC) }
	want := []DayCount{{day(1), 2}, {day(2), 0}, {day(3), 1}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("per day = %v, want %v", got, want)
	}
	if _, err := s.RegistrationsPerDay("999"); err == nil {
		t.Error("an unknown webinar has no days, want ErrNotFound")
	}
}
