package ui

import (
	"fmt"
	"io"
	"sync"

	"webinarsync/gotowebinar"
)

// Terminal writes one readable line per delivery, as `stripe listen`
// does: time, event, what it was about, outcome. It is a
// gotowebinar.Observer; -v keeps the detailed log instead.
type Terminal struct {
	mu sync.Mutex
	w  io.Writer
}

// NewTerminal writes delivery lines to w.
func NewTerminal(w io.Writer) *Terminal { return &Terminal{w: w} }

// Observe writes the outcome's line.
func (t *Terminal) Observe(o gotowebinar.Outcome) {
	line := terminalLine(o)
	t.mu.Lock()
	defer t.mu.Unlock()
	_, _ = io.WriteString(t.w, line) // a closed terminal is no reason to refuse a delivery
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
	var outcome string
	switch o.Result {
	case gotowebinar.Stored:
		outcome = "stored"
	case gotowebinar.Duplicate:
		outcome = "sent again, kept once"
	default:
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
