package ui

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"webinarsync/gotowebinar"
)

// Terminal writes one readable line per delivery, as `stripe listen`
// does: time, event, what it was about, outcome. It is a
// gotowebinar.Observer; -v keeps the detailed log instead.
//
// In a flood it writes terminalLines lines a second and then, once the
// second is over, one line counting the rest: nobody reads thousands of
// lines a second, a slow terminal would hold every delivery's answer
// (observers run before it leaves), and a write per delivery cost ingest
// (issue 15).
type Terminal struct {
	mu     sync.Mutex
	w      io.Writer
	second time.Time      // when the current second began
	shown  int            // lines written in it
	held   map[string]int // outcome words → deliveries not written in it
	due    bool           // a count of them is to be written at its end
}

// terminalLines is how many delivery lines a second the terminal shows.
const terminalLines = 20

// NewTerminal writes delivery lines to w.
func NewTerminal(w io.Writer) *Terminal { return &Terminal{w: w, held: map[string]int{}} }

// Observe writes the outcome's line, or counts it in a flood.
func (t *Terminal) Observe(o gotowebinar.Outcome) {
	line := terminalLine(o)
	t.mu.Lock()
	defer t.mu.Unlock()
	now := time.Now()
	if now.Sub(t.second) >= time.Second {
		t.countHeldLocked()
		t.second, t.shown = now, 0
	}
	if t.shown < terminalLines {
		t.shown++
		_, _ = io.WriteString(t.w, line) // a closed terminal is no reason to refuse a delivery
		return
	}
	t.held[heldWords(o)]++
	if !t.due {
		t.due = true
		time.AfterFunc(t.second.Add(time.Second).Sub(now), t.countHeld)
	}
}

func (t *Terminal) countHeld() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.countHeldLocked()
}

// countHeldLocked writes how many deliveries the last second held back,
// by outcome: "15:04:06  … and 4,980 more in that second: 4,980 stored".
func (t *Terminal) countHeldLocked() {
	t.due = false
	total := 0
	var parts []string
	for _, words := range []string{"stored", "sent again, kept once", "NOT STORED (see the Deliveries page)"} {
		if n := t.held[words]; n > 0 {
			total += n
			parts = append(parts, num(n)+" "+words)
		}
	}
	clear(t.held)
	if total == 0 {
		return
	}
	_, _ = fmt.Fprintf(t.w, "%s  … and %s more in that second: %s\n", time.Now().Local().Format("15:04:05"), num(total), strings.Join(parts, ", "))
}

// heldWords is what became of a delivery, as its line and the count of
// held ones say it.
func heldWords(o gotowebinar.Outcome) string {
	switch o.Result {
	case gotowebinar.Stored:
		return "stored"
	case gotowebinar.Duplicate:
		return "sent again, kept once"
	}
	return "NOT STORED (see the Deliveries page)"
}

// terminalLine is one outcome in a line: "15:04:05  registrant.added
// Ada Lovelace <ada@example.com>  stored".
func terminalLine(o gotowebinar.Outcome) string {
	event := o.EventName
	if event == "" {
		event = "(unknown event)"
	}
	what := o.Subject
	if what == "" && o.EventKey != "" {
		what = "key " + o.EventKey
	}
	outcome := heldWords(o)
	if o.Result != gotowebinar.Stored && o.Result != gotowebinar.Duplicate {
		outcome = "NOT STORED: " + refusalWords(o)
	}
	return fmt.Sprintf("%s  %-18s %-40s %s\n", o.At.Local().Format("15:04:05"), event, what, outcome)
}

// Observers tells each of its observers of every outcome, in order.
type Observers []gotowebinar.Observer

// Observe passes o on.
func (os Observers) Observe(o gotowebinar.Outcome) {
	for _, ob := range os {
		ob.Observe(o)
	}
}
