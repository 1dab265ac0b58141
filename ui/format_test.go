package ui

import (
	"testing"
	"time"

	"webinarsync/gotowebinar"
	"webinarsync/store"
)

func TestNum_ThousandsSeparators(t *testing.T) {
	t.Parallel()
	for n, want := range map[int]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 1234: "1,234", 123456: "123,456", 1234567: "1,234,567", -4500: "-4,500"} {
		if got := num(n); got != want {
			t.Errorf("num(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestAgo_RoundUnits(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "just now"},
		{12 * time.Second, "12 s ago"},
		{3*time.Minute + 20*time.Second, "3 min ago"},
		{5 * time.Hour, "5 h ago"},
		{50 * time.Hour, "2 days ago"},
		{-3 * time.Minute, "in 3 min"},
	}
	for _, tt := range tests {
		if got := ago(now, now.Add(-tt.d)); got != tt.want {
			t.Errorf("ago(-%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
	if got := ago(now, time.Time{}); got != "never" {
		t.Errorf("ago(zero) = %q, want never", got)
	}
}

func TestWhen_SpellsOutUTC(t *testing.T) {
	t.Parallel()
	berlin := time.FixedZone("CET", 3600)
	if got, want := when(time.Date(2026, 1, 2, 16, 4, 0, 0, berlin)), "Fri 2 Jan 2026, 15:04 UTC"; got != want {
		t.Errorf("when = %q, want %q", got, want)
	}
	start := time.Date(2026, 3, 10, 23, 30, 0, 0, time.UTC)
	if got, want := span(start, start.Add(time.Hour)), "Tue 10 Mar 2026, 23:30 – Wed 11 Mar 2026, 00:30 UTC"; got != want {
		t.Errorf("span over midnight = %q, want %q", got, want)
	}
	if got := spanIn(start, start.Add(time.Hour), "Not/AZone"); got != "" {
		t.Errorf("spanIn with an unknown zone = %q, want empty", got)
	}
}

func TestPercent(t *testing.T) {
	t.Parallel()
	tests := []struct{ part, whole, want int }{{0, 0, -1}, {2, 3, 67}, {1, 3, 33}, {3, 3, 100}, {0, 5, 0}, {1, 200, 1}}
	for _, tt := range tests {
		if got := percent(tt.part, tt.whole); got != tt.want {
			t.Errorf("percent(%d, %d) = %d, want %d", tt.part, tt.whole, got, tt.want)
		}
	}
}

func TestWebinarStatusWords_SaysEndedOnceTheLastSessionIsOver(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	at := func(h int) gotowebinar.Time { return gotowebinar.Time{Time: now.Add(time.Duration(h) * time.Hour)} }
	series := []gotowebinar.TimeRange{{StartTime: at(-50), EndTime: at(-49)}, {StartTime: at(20), EndTime: at(21)}}
	tests := []struct {
		w    store.Webinar
		want string
	}{
		{store.Webinar{Status: "NEW", Times: series}, "Scheduled"},
		{store.Webinar{Status: "NEW", Times: series[:1]}, "Ended"},
		{store.Webinar{Status: "UPDATED", Times: series[:1]}, "Ended"},
		{store.Webinar{Status: "DELETED", Times: series[:1]}, "Deleted at GoTo"},
		{store.Webinar{Status: "NEW"}, "Scheduled"},
		{store.Webinar{}, "Details not received yet"},
		// Listed by a catch-up (or RingCentral, which sends no webinar
		// events): its times say it.
		{store.Webinar{Times: series}, "Scheduled"},
		{store.Webinar{Times: series[:1]}, "Ended"},
	}
	for _, tt := range tests {
		if got := webinarStatusWords(tt.w, now); got != tt.want {
			t.Errorf("webinarStatusWords(%s, %d times) = %q, want %q", tt.w.Status, len(tt.w.Times), got, tt.want)
		}
	}
}

// RingCentral's events are named by their filter path, with or without
// the webinar's id: the event log says what each means.
func TestEventWords_SayWhatRingCentralsEventsMean(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]string{
		"/webinar/registration/v1/company/sessions/registrants":                   "RingCentral: someone registered, or a registration changed",
		"/webinar/registration/v1/company/sessions/registrants?webinarId=1234567": "RingCentral: someone registered, or a registration changed",
		"/webinar/runtime/v1/company/sessions/state":                              "RingCentral: a session started or ended",
		"/webinar/configuration/v1/company/sessions":                              "RingCentral: a session was created or changed",
		"/webinar/registration/v1/company/sessions/state":                         "RingCentral: registration opened or closed",
		"/webinar/history/v1/something/new":                                       "A RingCentral event we do not know (kept as sent)",
		"registrant.added":                                                        "Someone registered",
	} {
		if got := eventWords(name); got != want {
			t.Errorf("eventWords(%q) = %q, want %q", name, got, want)
		}
	}
}
