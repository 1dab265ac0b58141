package ui

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"webinarsync/gotowebinar"
	"webinarsync/store"
)

// eventsPerPage is how many deliveries the event log lists at once.
const eventsPerPage = 50

// eventsView is the event log page.
type eventsView struct {
	chrome
	Now       time.Time
	Name      string   // the event type shown, "" = all
	Names     []string // the filter's choices
	Before    uint64
	Entries   []store.LogEntry
	OlderURL  string // "" on the last page
	NewestURL string // "" when already showing the newest
}

// events serves GET /events: the deliveries, newest first.
func (s *Server) events(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	v := eventsView{chrome: s.chrome("Event log", "events"), Now: s.now(), Name: q.Get("name")}
	// A before we cannot read is treated as absent: show the newest.
	v.Before, _ = strconv.ParseUint(q.Get("before"), 10, 64)

	stored, err := s.store.EventNames()
	if err != nil {
		return fmt.Errorf("event names: %w", err)
	}
	v.Names = gotowebinar.EventNames()
	for _, n := range append(stored, v.Name) {
		if n != "" && !slices.Contains(v.Names, n) {
			v.Names = append(v.Names, n)
		}
	}

	// One more than a page tells whether there is an older page.
	entries, err := s.store.Events(store.EventQuery{Name: v.Name, Before: v.Before, Limit: eventsPerPage + 1})
	if err != nil {
		return fmt.Errorf("events: %w", err)
	}
	if len(entries) > eventsPerPage {
		entries = entries[:eventsPerPage]
		v.OlderURL = eventsURL(v.Name, entries[len(entries)-1].Seq)
	}
	v.Entries = entries
	if v.Before != 0 {
		v.NewestURL = eventsURL(v.Name, 0)
	}
	return s.render(w, r, http.StatusOK, eventsPage(v))
}

// eventsURL is the event log filtered by name, before a sequence number.
func eventsURL(name string, before uint64) string {
	v := url.Values{}
	if name != "" {
		v.Set("name", name)
	}
	if before != 0 {
		v.Set("before", strconv.FormatUint(before, 10))
	}
	if len(v) == 0 {
		return "/events"
	}
	return "/events?" + v.Encode()
}

// knownEvent reports whether name is one of GoTo's events, whose webinar
// key leads to a webinar page.
func knownEvent(name string) bool { return slices.Contains(gotowebinar.EventNames(), name) }
