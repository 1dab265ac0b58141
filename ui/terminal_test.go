package ui

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
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

// In a flood the terminal shows the first lines of each second and then
// one line counting the rest, by outcome; afterwards a lone delivery gets
// its line again.
func TestTerminal_AFloodIsCountedNotListed(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var buf bytes.Buffer
		term := NewTerminal(&buf)
		for i := range 5000 {
			o := gotowebinar.Outcome{At: time.Now(), Result: gotowebinar.Stored, EventName: "registrant.added", EventKey: fmt.Sprint("k-", i)}
			if i%1000 == 999 {
				o.Result = gotowebinar.Duplicate
			}
			term.Observe(o)
		}
		time.Sleep(2 * time.Second)
		term.Observe(gotowebinar.Outcome{At: time.Now(), Result: gotowebinar.Refused, Check: gotowebinar.ErrBadSignature})
		lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
		if len(lines) != terminalLines+2 {
			t.Fatalf("%d lines for a flood of 5,000 and one more, want %d:\n%s", len(lines), terminalLines+2, buf.String())
		}
		if got := lines[terminalLines]; !strings.Contains(got, "… and 4,980 more in that second: 4,975 stored, 5 sent again, kept once") {
			t.Errorf("count line = %q", got)
		}
		if got := lines[terminalLines+1]; !strings.Contains(got, "NOT STORED") {
			t.Errorf("the lone delivery after the flood: %q", got)
		}
	})
}
