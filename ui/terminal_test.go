package ui

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"webinarsync/gotowebinar"
)

// The terminal shows one readable line per delivery: when, which event,
// its key, and whether it was stored, or why not.
func TestTerminal_OneLinePerDelivery(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	term := NewTerminal(&buf)
	at := time.Date(2026, 11, 30, 15, 4, 5, 0, time.Local)
	Observers{term}.Observe(gotowebinar.Outcome{At: at, Result: gotowebinar.Stored, EventName: "registrant.added", EventKey: "k-1",
		Subject: "Ada Lovelace <ada@example.com>"})
	term.Observe(gotowebinar.Outcome{At: at, Result: gotowebinar.Duplicate, EventName: "registrant.added", EventKey: "k-1"})
	term.Observe(gotowebinar.Outcome{At: at, Result: gotowebinar.Refused, Check: gotowebinar.ErrBadSignature})
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines for 3 deliveries:\n%s", len(lines), buf.String())
	}
	for i, want := range [][]string{
		{"15:04:05", "registrant.added", "Ada Lovelace <ada@example.com>", "stored"},
		{"registrant.added", "sent again, kept once"},
		{"(unknown event)", "NOT STORED: its signature matches none of the keys on file"},
	} {
		for _, w := range want {
			if !strings.Contains(lines[i], w) {
				t.Errorf("line %d = %q, want %q in it", i+1, lines[i], w)
			}
		}
	}
}
